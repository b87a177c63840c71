import { describe, expect, it } from 'vitest';
import { Exposure, GaussianPsf, SingleGaussianPsf } from '@skystack/afw-image';
import { Extent2I } from '@skystack/geom';
import { FWHM_PER_SIGMA, InstallGaussianPsfConfig, InstallGaussianPsfTask } from './install-gaussian-psf-task.js';
import { MeasAlgorithmsInvalidArgumentError } from './errors.js';
import { pcaKernelSize, PcaPsfDeterminerConfig } from './pca-psf-determiner.js';

describe('InstallGaussianPsfTask', () => {
  it('installs a SingleGaussianPsf of the config FWHM (LSST default σ = 1.5) and width 11', () => {
    const exposure = Exposure.make('float32', new Extent2I(50, 50));
    const task = new InstallGaussianPsfTask();
    expect(task.getName()).toBe('installSimplePsfModel');
    const psf = task.run(exposure);
    expect(exposure.getPsf()).toBe(psf);
    expect(psf).toBeInstanceOf(SingleGaussianPsf);
    expect(psf.getSigma()).toBeCloseTo(1.5, 12);
    expect(FWHM_PER_SIGMA).toBeCloseTo(2.3548200450309493, 12);
    expect(psf.computeBBox().getWidth()).toBe(11);
    // the truncated 11-px kernel's moments are those of σ = 1.5 to 1e-3 (LSST's docstring check)
    expect(psf.computeShape().getDeterminantRadius() * FWHM_PER_SIGMA).toBeCloseTo(1.5 * FWHM_PER_SIGMA, 2);
  });

  it("keeps the sigma and size of the exposure's PSF", () => {
    const exposure = Exposure.make('float32', new Extent2I(50, 50));
    exposure.setPsf(new GaussianPsf(21, 21, 2.5));
    const psf = new InstallGaussianPsfTask().run(exposure);
    expect(psf.getSigma()).toBeCloseTo(2.5, 3);
    expect(psf.computeBBox().getWidth()).toBe(21);
  });

  it('refuses an even width', () => {
    const config = new InstallGaussianPsfConfig();
    config.width = 10;
    expect(() => config.validate()).toThrow(MeasAlgorithmsInvalidArgumentError);
  });
});

describe('pcaKernelSize', () => {
  it('is 2⌊kernelSize √(median size) + ½⌋ + 1 clamped to [kernelSizeMin, kernelSizeMax], or kernelSize when ≥ 15', () => {
    const config = new PcaPsfDeterminerConfig();
    expect(pcaKernelSize(config, [2, 2, 3])).toBe(2 * Math.trunc(10 * Math.SQRT2 + 0.5) + 1); // 29
    expect(pcaKernelSize(config, [1, 1])).toBe(25); // 21 → min 25
    expect(pcaKernelSize(config, [9])).toBe(45); // 61 → max 45
    config.kernelSize = 21;
    expect(pcaKernelSize(config, [2])).toBe(21);
  });
});
