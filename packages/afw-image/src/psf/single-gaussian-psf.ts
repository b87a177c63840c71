// lsst.meas.algorithms.SingleGaussianPsf and DoubleGaussianPsf: Gaussian KernelPsfs.
import type { ArchiveRows, OutputArchiveHandle } from '@skystack/afw-table';
import type { Point2D} from '@skystack/geom';
import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import { AfwImageInvalidArgumentError } from '../errors.js';
import type { ImageD } from '../image.js';
import { checkOddDimensions, checkSigma, dimensionColumns, gaussianProfile, oneArchiveRow, sampleProfile, sampleProfileAt, type RadialProfile } from './gaussian-psf.js';
import { FixedKernel } from './kernel.js';
import { KernelPsf } from './kernel-psf.js';

function kernelBox(width: number, height: number): Box2I {
  return Box2I.fromCorner(new Point2I(-Math.trunc((width - 1) / 2), -Math.trunc((height - 1) / 2)), new Extent2I(width, height));
}

function profileKernel(width: number, height: number, profile: RadialProfile): FixedKernel {
  return new FixedKernel(sampleProfile(kernelBox(width, height), 0, 0, profile));
}

/**
 * A circular Gaussian PSF as a {@link KernelPsf} (meas_algorithms' version of
 * {@link GaussianPsf}): the kernel image is the Gaussian sampled at pixel centres, normalised
 * to sum 1; aperture flux and shape are measured on that image (see {@link ImagePsf}); images at
 * sub-pixel positions are the Gaussian evaluated about the position (no interpolation).
 *
 * @example
 * ```ts
 * const psf = new SingleGaussianPsf(25, 25, 2.5);
 * psf.computeShape().getIxx(); // ≈ 6.25
 * ```
 * @see lsst.meas.algorithms.SingleGaussianPsf
 */
export class SingleGaussianPsf extends KernelPsf {
  override readonly persistenceName: string = 'SingleGaussianPsf';
  readonly #sigma: number;

  /**
   * Makes the PSF.
   *
   * @param width - kernel width (odd)
   * @param height - kernel height (odd)
   * @param sigma - the Gaussian σ (pixels)
   * @throws {@link AfwImageInvalidArgumentError} when a dimension is not a positive odd integer or σ is not positive
   */
  constructor(width: number, height: number, sigma: number) {
    checkOddDimensions('SingleGaussianPsf', width, height);
    checkSigma('SingleGaussianPsf', 'sigma', sigma);
    super(profileKernel(width, height, gaussianProfile(sigma)));
    this.#sigma = sigma;
  }

  /** The Gaussian σ (pixels). */
  getSigma(): number {
    return this.#sigma;
  }

  override clone(): SingleGaussianPsf {
    return new SingleGaussianPsf(this.getKernel().width, this.getKernel().height, this.#sigma);
  }

  override resized(width: number, height: number): SingleGaussianPsf {
    return new SingleGaussianPsf(width, height, this.#sigma);
  }

  protected override doComputeImage(position: Point2D): ImageD {
    return sampleProfileAt(this.getKernel().getBBox(), position, gaussianProfile(this.#sigma));
  }

  /**
   * Writes one row, `dimensions_x`, `dimensions_y` and `sigma`, as meas_algorithms does.
   *
   * @param handle - where to write
   */
  override writeToArchive(handle: OutputArchiveHandle): void {
    const k = this.getKernel();
    handle.saveCatalog(
      { columns: [...dimensionColumns('width/height of realization of Psf'), { name: 'sigma', format: '1D', unit: 'pixel', doc: 'radius of Gaussian' }] },
      [{ dimensions_x: k.width, dimensions_y: k.height, sigma: this.#sigma }],
    );
  }

  override toString(): string {
    return `SingleGaussianPsf(${this.getKernel().width}x${this.getKernel().height}, sigma=${this.#sigma})`;
  }
}

/**
 * A PSF that is the sum of two concentric circular Gaussians: `exp(-r²/2σ1²) + b exp(-r²/2σ2²)`
 * (`b` is the outer Gaussian's central amplitude relative to the inner one's), sampled at pixel
 * centres and normalised to sum 1. Its unweighted second moments are
 * `(σ1⁴ + b σ2⁴) / (σ1² + b σ2²)`; {@link Psf.computeShape} gives adaptive moments, as
 * meas_algorithms does.
 *
 * @example
 * ```ts
 * const psf = new DoubleGaussianPsf(21, 21, 1.5, 3.0, 0.1);
 * psf.computePeak(); // the central pixel of the normalised kernel image
 * ```
 * @see lsst.meas.algorithms.DoubleGaussianPsf
 */
export class DoubleGaussianPsf extends KernelPsf {
  override readonly persistenceName: string = 'DoubleGaussianPsf';
  readonly #sigma1: number;
  readonly #sigma2: number;
  readonly #b: number;

  /**
   * Makes the PSF. As in meas_algorithms, `b = 0` with `sigma2 = 0` sets `sigma2` to 1.
   *
   * @param width - kernel width (odd)
   * @param height - kernel height (odd)
   * @param sigma1 - the inner Gaussian's σ (pixels)
   * @param sigma2 - the outer Gaussian's σ (pixels; default 0, which with `b = 0` becomes 1)
   * @param b - the outer Gaussian's central amplitude relative to the inner's (default 0)
   * @throws {@link AfwImageInvalidArgumentError} when a dimension is not a positive odd integer, a σ is not positive or `b` is not finite
   */
  constructor(width: number, height: number, sigma1: number, sigma2 = 0, b = 0) {
    checkOddDimensions('DoubleGaussianPsf', width, height);
    const s2 = b === 0 && sigma2 === 0 ? 1 : sigma2;
    checkSigma('DoubleGaussianPsf', 'sigma1', sigma1);
    checkSigma('DoubleGaussianPsf', 'sigma2', s2);
    if (!Number.isFinite(b)) throw new AfwImageInvalidArgumentError(`DoubleGaussianPsf: b must be a finite number; got ${b}.`);
    super(profileKernel(width, height, DoubleGaussianPsf.#profile(sigma1, s2, b)));
    this.#sigma1 = sigma1;
    this.#sigma2 = s2;
    this.#b = b;
  }

  static #profile(sigma1: number, sigma2: number, b: number): RadialProfile {
    return { kind: 1, p1: -0.5 / (sigma1 * sigma1), p2: -0.5 / (sigma2 * sigma2), p3: b };
  }

  /** The inner σ (pixels). */
  getSigma1(): number {
    return this.#sigma1;
  }

  /** The outer σ (pixels). */
  getSigma2(): number {
    return this.#sigma2;
  }

  /** The outer Gaussian's central amplitude relative to the inner one's. */
  getB(): number {
    return this.#b;
  }

  override clone(): DoubleGaussianPsf {
    return new DoubleGaussianPsf(this.getKernel().width, this.getKernel().height, this.#sigma1, this.#sigma2, this.#b);
  }

  override resized(width: number, height: number): DoubleGaussianPsf {
    return new DoubleGaussianPsf(width, height, this.#sigma1, this.#sigma2, this.#b);
  }

  protected override doComputeImage(position: Point2D): ImageD {
    return sampleProfileAt(this.getKernel().getBBox(), position, DoubleGaussianPsf.#profile(this.#sigma1, this.#sigma2, this.#b));
  }

  /**
   * Writes one row, `dimensions_x/y`, `sigma1`, `sigma2` and `b`, as meas_algorithms does.
   *
   * @param handle - where to write
   */
  override writeToArchive(handle: OutputArchiveHandle): void {
    const k = this.getKernel();
    handle.saveCatalog(
      {
        columns: [
          ...dimensionColumns('width/height of kernel'),
          { name: 'sigma1', format: '1D', unit: 'pixel', doc: 'radius of inner Gaussian' },
          { name: 'sigma2', format: '1D', unit: 'pixel', doc: 'radius of outer Gaussian' },
          { name: 'b', format: '1D', doc: 'central amplitude of outer Gaussian (inner amplitude == 1)' },
        ],
      },
      [{ dimensions_x: k.width, dimensions_y: k.height, sigma1: this.#sigma1, sigma2: this.#sigma2, b: this.#b }],
    );
  }

  override toString(): string {
    return `DoubleGaussianPsf(${this.getKernel().width}x${this.getKernel().height}, sigma1=${this.#sigma1}, sigma2=${this.#sigma2}, b=${this.#b})`;
  }
}

/**
 * Reads a `SingleGaussianPsf` archive row.
 *
 * @internal
 */
export function readSingleGaussianPsf(catalogs: readonly ArchiveRows[]): SingleGaussianPsf {
  const rows = oneArchiveRow('SingleGaussianPsf', catalogs);
  return new SingleGaussianPsf(rows.number('dimensions_x'), rows.number('dimensions_y'), rows.number('sigma'));
}

/**
 * Reads a `DoubleGaussianPsf` archive row.
 *
 * @internal
 */
export function readDoubleGaussianPsf(catalogs: readonly ArchiveRows[]): DoubleGaussianPsf {
  const rows = oneArchiveRow('DoubleGaussianPsf', catalogs);
  return new DoubleGaussianPsf(rows.number('dimensions_x'), rows.number('dimensions_y'), rows.number('sigma1'), rows.number('sigma2'), rows.number('b'));
}
