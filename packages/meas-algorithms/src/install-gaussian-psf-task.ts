import { SingleGaussianPsf, type Exposure, type PixelArray } from '@skystack/afw-image';
import { Config, Field, RangeField } from '@skystack/pex-config';
import { Task, type TaskOptions } from '@skystack/pipe-base';
import { MeasAlgorithmsInvalidArgumentError } from './errors.js';

/** FWHM / σ of a Gaussian: `2 √(2 ln 2)` ≈ 2.3548. */
export const FWHM_PER_SIGMA = 2 * Math.sqrt(2 * Math.log(2));

/**
 * Configuration of {@link InstallGaussianPsfTask}, with LSST's fields and defaults.
 *
 * @see lsst.meas.algorithms.installGaussianPsf.InstallGaussianPsfConfig
 */
export class InstallGaussianPsfConfig extends Config {
  /** Estimated FWHM of the Gaussian PSF model (pixels); ignored when the exposure has a PSF. */
  fwhm = Field.float({ default: 1.5 * FWHM_PER_SIGMA, doc: 'Estimated FWHM of simple Gaussian PSF model, in pixels. Ignored if input exposure has a PSF model.' });
  /** Width and height of the PSF model (pixels, odd). */
  width = RangeField({ dtype: 'int', default: 11, min: 1, doc: 'Width and height of PSF model, in pixels. Must be odd.' });

  /**
   * Checks that the width is odd.
   *
   * @throws {@link MeasAlgorithmsInvalidArgumentError} when the width is even
   */
  override validate(): void {
    super.validate();
    if (this.width % 2 === 0) throw new MeasAlgorithmsInvalidArgumentError(`InstallGaussianPsfConfig.width must be odd; got ${this.width}.`);
  }
}

/**
 * Installs a circular Gaussian PSF model (`SingleGaussianPsf` (afw-image)) in an
 * exposure: with the sigma (determinant radius) and kernel size of the exposure's PSF when it
 * has one, else with `fwhm` and `width` from the config. The first step of single-frame
 * characterisation, before a PSF has been measured.
 *
 * @example
 * ```ts
 * new InstallGaussianPsfTask().run(exposure);
 * exposure.getPsf()!.computeShape().getDeterminantRadius(); // ≈ 1.5
 * ```
 * @see lsst.meas.algorithms.installGaussianPsf.InstallGaussianPsfTask
 */
export class InstallGaussianPsfTask extends Task<InstallGaussianPsfConfig> {
  /** {@link InstallGaussianPsfConfig}. */
  static override ConfigClass = InstallGaussianPsfConfig;
  /** `installSimplePsfModel`. */
  static override _DefaultName: string | undefined = 'installSimplePsfModel';

  /**
   * Makes the task.
   *
   * @param options - Task options
   */
  constructor(options: TaskOptions<InstallGaussianPsfConfig> = {}) {
    super(options);
  }

  /**
   * Sets the exposure's PSF to a Gaussian model (in place).
   *
   * @param exposure - the exposure
   * @returns the installed PSF
   * @throws {@link MeasAlgorithmsInvalidArgumentError} when the sigma is not positive
   * @see lsst.meas.algorithms.installGaussianPsf.InstallGaussianPsfTask.run
   */
  run(exposure: Exposure<PixelArray>): SingleGaussianPsf {
    return this.timer('run', () => {
      let sigma: number;
      let width: number;
      let height: number;
      const existing = exposure.getPsf();
      if (existing !== null) {
        sigma = existing.computeShape().getDeterminantRadius();
        const box = existing.computeBBox();
        width = box.getWidth();
        height = box.getHeight();
      } else {
        sigma = this.config.fwhm / FWHM_PER_SIGMA;
        width = height = this.config.width;
      }
      if (!(sigma > 0)) throw new MeasAlgorithmsInvalidArgumentError(`The Gaussian PSF sigma must be positive; got ${sigma}.`);
      this.log.debug(`installing a simple Gaussian PSF model with width=${width}, height=${height}, FWHM=${(sigma * FWHM_PER_SIGMA).toFixed(3)}`);
      const psf = new SingleGaussianPsf(width, height, sigma);
      exposure.setPsf(psf);
      return psf;
    });
  }
}
