// lsst.afw.detection.GaussianPsf: a circular Gaussian PSF, with afw's archive persistence.
import type { ArchiveRows, OutputArchiveHandle, Persistable } from '@skystack/afw-table';
import type { Point2D} from '@skystack/geom';
import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import { AfwImageInvalidArgumentError } from '../errors.js';
import { AfwImageArchiveFormatError } from '../components/errors.js';
import { Image, type ImageD } from '../image.js';
import { Psf, positionToIndex } from './psf.js';
import { Quadrupole } from './quadrupole.js';

/**
 * A radial profile {@link sampleProfile} evaluates at `r²`: one Gaussian, `exp((-0.5 r²) / p1)`
 * (`p1` = σ²; {@link GaussianPsf}, `SingleGaussianPsf`), or two, `exp(p1 r²) + p3 exp(p2 r²)`
 * (`p1`, `p2` = −1/(2σ²); `DoubleGaussianPsf`). Numbers, not a closure: PSFs are made per image,
 * and optimised code that called one image's closure was deoptimised on the next image's.
 *
 * @internal
 */
export interface RadialProfile {
  /** 0: one Gaussian; 1: two. */
  readonly kind: 0 | 1;
  /** One Gaussian: σ²; two: the inner one's −1/(2σ₁²). */
  readonly p1: number;
  /** Two Gaussians: the outer one's −1/(2σ₂²) (unused for one). */
  readonly p2: number;
  /** Two Gaussians: the outer one's amplitude relative to the inner one's (unused for one). */
  readonly p3: number;
}

/**
 * The profile of one Gaussian of width `sigma`.
 *
 * @internal
 */
export function gaussianProfile(sigma: number): RadialProfile {
  return { kind: 0, p1: sigma * sigma, p2: 0, p3: 0 };
}

/**
 * Samples a radial profile at pixel centres on a box, the profile centred on `(cx, cy)`, and
 * normalises the result to sum 1.
 *
 * @internal
 */
export function sampleProfile(bbox: Box2I, cx: number, cy: number, profile: RadialProfile): ImageD {
  const w = bbox.getWidth();
  const h = bbox.getHeight();
  const data = new Float64Array(w * h);
  const x0 = bbox.getMinX();
  const y0 = bbox.getMinY();
  const { p1, p2, p3 } = profile;
  // Each Gaussian is separable, exp(a(dx² + dy²)) = exp(a dx²) exp(a dy²): w + h exponentials
  // instead of w·h (equal up to rounding, and no less accurate: far from the centre the 2-D form's
  // rounded exponent is the larger error).
  const n = w + h;
  if (profileTerms.length < 2 * n) profileTerms = new Float64Array(2 * n);
  const t = profileTerms;
  const a1 = profile.kind === 0 ? -0.5 / p1 : p1;
  for (let i = 0; i < w; i++) {
    const dx = x0 + i - cx;
    t[i] = Math.exp(a1 * (dx * dx));
    if (profile.kind === 1) t[n + i] = Math.exp(p2 * (dx * dx));
  }
  for (let j = 0; j < h; j++) {
    const dy = y0 + j - cy;
    t[w + j] = Math.exp(a1 * (dy * dy));
    if (profile.kind === 1) t[n + w + j] = p3 * Math.exp(p2 * (dy * dy));
  }
  const sum = profile.kind === 0 ? outerProduct(t, w, h, data) : outerProductPair(t, w, h, n, data);
  if (sum > 0) for (let k = 0; k < data.length; k++) data[k]! /= sum;
  return new Image(data, w, h, { xy0: bbox.getMin() });
}

/** The per-axis exponentials of {@link sampleProfile} (grown as needed). */
let profileTerms = new Float64Array(128);

/** `data[j·w + i] = t[i] · t[w + j]`; returns the sum of `data`. */
function outerProduct(t: Float64Array, w: number, h: number, data: Float64Array): number {
  let sum = 0;
  for (let j = 0; j < h; j++) {
    const ey = t[w + j]!;
    const row = j * w;
    for (let i = 0; i < w; i++) sum += data[row + i] = t[i]! * ey;
  }
  return sum;
}

/** `data[j·w + i] = t[i] · t[w + j] + t[n + i] · t[n + w + j]`; returns the sum of `data`. */
function outerProductPair(t: Float64Array, w: number, h: number, n: number, data: Float64Array): number {
  let sum = 0;
  for (let j = 0; j < h; j++) {
    const ey1 = t[w + j]!;
    const ey2 = t[n + w + j]!;
    const row = j * w;
    for (let i = 0; i < w; i++) sum += data[row + i] = t[i]! * ey1 + t[n + i]! * ey2;
  }
  return sum;
}

/**
 * The image of a profile centred on a sub-pixel PARENT position, evaluated analytically at the
 * shifted pixel centres (no interpolation), on the box of the kernel moved to the nearest pixel.
 *
 * @internal
 */
export function sampleProfileAt(kernelBBox: Box2I, position: Point2D, profile: RadialProfile): ImageD {
  const [ix] = positionToIndex(position.x);
  const [iy] = positionToIndex(position.y);
  return sampleProfile(kernelBBox.shiftedBy(new Extent2I(ix, iy)), position.x, position.y, profile);
}

/** Checks PSF image dimensions: positive odd integers. @internal */
export function checkOddDimensions(kind: string, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width % 2 === 0 || height % 2 === 0) {
    throw new AfwImageInvalidArgumentError(`${kind} dimensions must be positive odd integers; got ${width} x ${height}.`, {
      hint: 'Use an odd size such as 21 x 21 so that the PSF centre is a pixel centre.',
    });
  }
}

/** Checks a Gaussian width. @internal */
export function checkSigma(kind: string, name: string, sigma: number): void {
  if (!(Number.isFinite(sigma) && sigma > 0)) throw new AfwImageInvalidArgumentError(`${kind}: ${name} must be a positive number of pixels; got ${sigma}.`);
}

/** The `dimensions_x`, `dimensions_y` columns of the Gaussian PSFs' archive rows. @internal */
export function dimensionColumns(doc: string): { name: string; format: string; unit: string; doc: string }[] {
  return [
    { name: 'dimensions_x', format: '1J', unit: 'pixel', doc },
    { name: 'dimensions_y', format: '1J', unit: 'pixel', doc },
  ];
}

/** The one row of a one-catalog archived object. @internal */
export function oneArchiveRow(kind: string, catalogs: readonly ArchiveRows[]): ArchiveRows {
  const rows = catalogs[0];
  if (catalogs.length !== 1 || rows === undefined || rows.length !== 1) {
    throw new AfwImageArchiveFormatError(`A ${kind} is one row of one catalog; got ${catalogs.length} catalog(s)${rows === undefined ? '' : ` with ${rows.length} row(s)`}.`);
  }
  return rows;
}

/**
 * A circular Gaussian PSF of width σ, the same everywhere. The kernel image is the Gaussian
 * sampled at pixel centres and normalised to sum 1; aperture flux and shape are analytic
 * (`1 - exp(-r²/2σ²)`, `Ixx = Iyy = σ²`).
 *
 * @example
 * ```ts
 * const psf = new GaussianPsf(21, 21, 2.0);
 * psf.computeKernelImage().getBBox().toString(); // (-10, -10) to (10, 10)
 * psf.computeApertureFlux(3); // 1 - exp(-9/8)
 * ```
 * @see lsst.afw.detection.GaussianPsf
 */
export class GaussianPsf extends Psf implements Persistable {
  /** Persistence name in afw archives. */
  readonly persistenceName = 'GaussianPsf';
  /** Python module afw records for it. */
  readonly pythonModule = 'lsst.afw.detection';
  readonly #width: number;
  readonly #height: number;
  readonly #sigma: number;

  /**
   * Makes the PSF.
   *
   * @param width - kernel image width (odd)
   * @param height - kernel image height (odd)
   * @param sigma - the Gaussian σ (pixels)
   * @throws {@link AfwImageInvalidArgumentError} when a dimension is not a positive odd integer or σ is not positive
   */
  constructor(width: number, height: number, sigma: number) {
    super(true);
    checkOddDimensions('GaussianPsf', width, height);
    checkSigma('GaussianPsf', 'sigma', sigma);
    this.#width = width;
    this.#height = height;
    this.#sigma = sigma;
  }

  /** The Gaussian σ (pixels). */
  getSigma(): number {
    return this.#sigma;
  }

  /** The kernel image size. */
  getDimensions(): Extent2I {
    return new Extent2I(this.#width, this.#height);
  }

  clone(): GaussianPsf {
    return new GaussianPsf(this.#width, this.#height, this.#sigma);
  }

  resized(width: number, height: number): GaussianPsf {
    return new GaussianPsf(width, height, this.#sigma);
  }

  protected doComputeKernelImage(): ImageD {
    return sampleProfile(this.doComputeBBox(), 0, 0, gaussianProfile(this.#sigma));
  }

  /**
   * The Gaussian evaluated at the pixel centres about the sub-pixel position (normalised to sum
   * 1); afw instead Lanczos-shifts the kernel image.
   *
   * @param position - PARENT position
   * @returns the image
   */
  protected override doComputeImage(position: Point2D): ImageD {
    return sampleProfileAt(this.doComputeBBox(), position, gaussianProfile(this.#sigma));
  }

  protected doComputeApertureFlux(radius: number): number {
    return 1 - Math.exp((-0.5 * radius * radius) / (this.#sigma * this.#sigma));
  }

  protected doComputeShape(): Quadrupole {
    const s2 = this.#sigma * this.#sigma;
    return new Quadrupole(s2, s2, 0);
  }

  protected doComputeBBox(): Box2I {
    return Box2I.fromCorner(new Point2I(-Math.trunc(this.#width / 2), -Math.trunc(this.#height / 2)), new Extent2I(this.#width, this.#height));
  }

  /**
   * Writes one row, `dimensions_x`, `dimensions_y` (int) and `sigma` (double), as afw does.
   *
   * @param handle - where to write
   */
  writeToArchive(handle: OutputArchiveHandle): void {
    handle.saveCatalog(
      { columns: [...dimensionColumns('width/height of realization of Psf'), { name: 'sigma', format: '1D', unit: 'pixel', doc: 'radius of Gaussian' }] },
      [{ dimensions_x: this.#width, dimensions_y: this.#height, sigma: this.#sigma }],
    );
  }

  /** `GaussianPsf(21x21, sigma=2)`. */
  override toString(): string {
    return `GaussianPsf(${this.#width}x${this.#height}, sigma=${this.#sigma})`;
  }
}

/**
 * Reads a `GaussianPsf` archive row.
 *
 * @internal
 */
export function readGaussianPsf(catalogs: readonly ArchiveRows[]): GaussianPsf {
  const rows = oneArchiveRow('GaussianPsf', catalogs);
  return new GaussianPsf(rows.number('dimensions_x'), rows.number('dimensions_y'), rows.number('sigma'));
}
