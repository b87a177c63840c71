// lsst.meas.algorithms.gaussianPsfFactory: GaussianPsfFactory (missing from @skystack/meas-algorithms).
import { DoubleGaussianPsf, SingleGaussianPsf } from '@skystack/afw-image';
import { Config, Field } from '@skystack/pex-config';
import { IpDiffimInvalidArgumentError } from './errors.js';

/** σ / FWHM of a Gaussian (LSST's `SigmaPerFwhm`). */
export const SIGMA_PER_FWHM = 1 / (2 * Math.sqrt(2 * Math.log(2)));

const isPositive = (x: number): boolean => x > 0;

/**
 * Makes simple Gaussian PSF models from a FWHM (LSST's GaussianPsfFactory, a config with an
 * `apply`): a DoubleGaussianPsf (core plus a wing `wingFwhmFactor` times wider with relative
 * amplitude `wingAmplitude`) when `addWing`, else a SingleGaussianPsf; the kernel size is `size`,
 * or `sizeFactor × fwhm` made odd and clamped to `minSize..maxSize`. MakePsfMatchedWarpConfig
 * sets `defaultFwhm = 7.7`.
 *
 * @example
 * ```ts
 * const factory = new GaussianPsfFactory();
 * factory.defaultFwhm = 7.7;
 * const modelPsf = factory.apply(); // DoubleGaussianPsf 23 x 23, sigma 3.27, wing 8.17, amplitude 0.1
 * ```
 * @see lsst.meas.algorithms.gaussianPsfFactory.GaussianPsfFactory
 */
export class GaussianPsfFactory extends Config {
  /** Kernel size (pixels); null: use `sizeFactor`. */
  size = Field.int({ doc: 'Kernel size (width and height) (pixels); if None then sizeFactor is used', optional: true, check: isPositive });
  /** Kernel size as a multiple of the FWHM. */
  sizeFactor = Field.float({ doc: 'Kernel size as a factor of fwhm (dimensionless); size = sizeFactor * fwhm; ignored if size is not None', default: 3.0, check: isPositive });
  /** Minimum kernel size when using `sizeFactor`. */
  minSize = Field.int({ doc: 'Minimum kernel size if using sizeFactor (pixels); ignored if size is not None', optional: true, default: 5, check: isPositive });
  /** Maximum kernel size when using `sizeFactor`. */
  maxSize = Field.int({ doc: 'Maximum kernel size if using sizeFactor (pixels); ignored if size is not None', optional: true, check: isPositive });
  /** FWHM of the core (pixels) when none is given. */
  defaultFwhm = Field.float({ doc: 'Default FWHM of Gaussian model of core of star (pixels)', default: 3.0, check: isPositive });
  /** Add a wing Gaussian. */
  addWing = Field.bool({ doc: 'Add a Gaussian to represent wings?', default: true });
  /** Wing width as a multiple of the core width. */
  wingFwhmFactor = Field.float({ doc: 'wing width, as a multiple of core width (dimensionless); ignored if addWing false', default: 2.5, check: isPositive });
  /** Wing amplitude as a multiple of the core amplitude. */
  wingAmplitude = Field.float({ doc: 'wing amplitude, as a multiple of core amplitude (dimensionless); ignored if addWing false', default: 0.1, check: isPositive });

  /**
   * Checks that `minSize ≤ maxSize`.
   *
   * @throws {@link IpDiffimInvalidArgumentError} when `minSize > maxSize`
   */
  override validate(): void {
    super.validate();
    if (this.minSize !== null && this.maxSize !== null && this.minSize > this.maxSize) {
      throw new IpDiffimInvalidArgumentError(`minSize=${this.minSize} > maxSize=${this.maxSize}`);
    }
  }

  /**
   * The kernel size and the sigma of a FWHM.
   *
   * @param fwhm - core FWHM (pixels; default `defaultFwhm`)
   * @returns `[size, sigma]`
   * @see lsst.meas.algorithms.gaussianPsfFactory.GaussianPsfFactory.computeSizeAndSigma
   */
  computeSizeAndSigma(fwhm?: number): [size: number, sigma: number] {
    const f = fwhm ?? this.defaultFwhm;
    let size: number;
    if (this.size !== null) {
      size = this.size;
    } else {
      const desSize = Math.floor(Math.trunc(this.sizeFactor * f) / 2) * 2 + 1;
      if (this.minSize !== null && this.minSize > desSize) size = this.minSize;
      else if (this.maxSize !== null && this.maxSize < desSize) size = this.maxSize;
      else size = desSize;
    }
    return [size, f * SIGMA_PER_FWHM];
  }

  /**
   * Makes the PSF.
   *
   * @param fwhm - core FWHM (pixels; default `defaultFwhm`)
   * @returns a DoubleGaussianPsf when `addWing`, else a SingleGaussianPsf
   * @throws {@link IpDiffimInvalidArgumentError} when the config is invalid
   * @see lsst.meas.algorithms.gaussianPsfFactory.GaussianPsfFactory.apply
   */
  apply(fwhm?: number): DoubleGaussianPsf | SingleGaussianPsf {
    this.validate();
    const [size, sigma] = this.computeSizeAndSigma(fwhm);
    if (this.addWing) return new DoubleGaussianPsf(size, size, sigma, sigma * this.wingFwhmFactor, this.wingAmplitude);
    return new SingleGaussianPsf(size, size, sigma);
  }
}
