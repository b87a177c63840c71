import { DoubleGaussianPsf, SingleGaussianPsf } from '@skystack/afw-image';
import { describe, expect, it } from 'vitest';
import { IpDiffimInvalidArgumentError } from './errors.js';
import { GaussianPsfFactory } from './gaussian-psf-factory.js';

describe('GaussianPsfFactory', () => {
  it("MakePsfMatchedWarp's model: FWHM 7.7 → a 23 x 23 double Gaussian, σ = 7.7 / 2.3548", () => {
    const factory = new GaussianPsfFactory();
    factory.defaultFwhm = 7.7;
    const [size, sigma] = factory.computeSizeAndSigma();
    expect(size).toBe(23); // int(3 · 7.7) = 23 → (23 // 2) · 2 + 1
    expect(sigma).toBeCloseTo(7.7 / (2 * Math.sqrt(2 * Math.log(2))), 14);
    const psf = factory.apply();
    expect(psf).toBeInstanceOf(DoubleGaussianPsf);
    expect(psf.computeBBox().getWidth()).toBe(23);
  });

  it('defaults: FWHM 3 → size 9; minSize 5 for small FWHMs; maxSize and size override', () => {
    const factory = new GaussianPsfFactory();
    expect(factory.computeSizeAndSigma()[0]).toBe(9);
    expect(factory.computeSizeAndSigma(1.0)[0]).toBe(5);
    factory.maxSize = 7;
    expect(factory.computeSizeAndSigma()[0]).toBe(7);
    factory.size = 15;
    expect(factory.computeSizeAndSigma()[0]).toBe(15);
    factory.addWing = false;
    expect(factory.apply()).toBeInstanceOf(SingleGaussianPsf);
  });

  it('refuses minSize > maxSize', () => {
    const factory = new GaussianPsfFactory();
    factory.minSize = 9;
    factory.maxSize = 7;
    expect(() => factory.apply()).toThrow(IpDiffimInvalidArgumentError);
  });
});
