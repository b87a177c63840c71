import { describe, expect, it } from 'vitest';
import { erf, FWHM_PER_SIGMA, gaussianEnclosedFraction, gaussianKernel, simulateStarField } from './star-field.js';

describe('erf and the Gaussian helpers', () => {
  it('erf matches tabulated values', () => {
    expect(erf(0)).toBeCloseTo(0, 7);
    expect(erf(0.5)).toBeCloseTo(0.5204998778, 6);
    expect(erf(1)).toBeCloseTo(0.8427007929, 6);
    expect(erf(-2)).toBeCloseTo(-0.995322265, 6);
  });

  it('the enclosed fraction is 1 − exp(−r²/2(σ² + 1/12))', () => {
    expect(gaussianEnclosedFraction(1.5, 6)).toBeCloseTo(1 - Math.exp(-36 / (2 * (2.25 + 1 / 12))), 15);
    expect(FWHM_PER_SIGMA).toBeCloseTo(2.35482, 5);
  });

  it('the kernel is normalised, symmetric and odd-sized', () => {
    const { rows, size } = gaussianKernel(1.5);
    expect(size).toBe(7);
    expect(rows.flat().reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(rows[0]![1]).toBeCloseTo(rows[6]![5]!, 15);
    expect(rows[3]![3]! / rows[3]![4]!).toBeCloseTo(Math.exp(1 / (2 * 2.25)), 12);
    expect(() => gaussianKernel(1.5, 6)).toThrow(RangeError);
  });
});

describe('simulateStarField', () => {
  const opts = { width: 160, height: 120, nStars: 40, seed: 3, readNoise: 5, sky: 1000 } as const;

  it('is deterministic in the seed', () => {
    const a = simulateStarField(opts);
    const b = simulateStarField(opts);
    expect(b.data).toEqual(a.data);
    expect(b.truth).toEqual(a.truth);
    expect(simulateStarField({ ...opts, seed: 4 }).truth[0]!.x).not.toBe(a.truth[0]!.x);
  });

  it('puts stars inside the margin with fluxes within the limits, and S/N from the noise model', () => {
    const f = simulateStarField({ ...opts, nStars: 500 });
    const sigma = 3.5 / FWHM_PER_SIGMA;
    expect(f.psfSigma).toBeCloseTo(sigma, 12);
    expect(f.skyNoise).toBeCloseTo(Math.sqrt(1000 + 25), 12);
    for (const s of f.truth) {
      expect(s.x).toBeGreaterThanOrEqual(20);
      expect(s.x).toBeLessThanOrEqual(160 - 1 - 20);
      expect(s.flux).toBeGreaterThanOrEqual(300);
      expect(s.flux).toBeLessThanOrEqual(300_000);
      expect(s.apertureFlux / s.flux).toBeCloseTo(gaussianEnclosedFraction(sigma, 6), 12);
      expect(s.apertureSnr).toBeCloseTo(s.apertureFlux / Math.sqrt(s.apertureFlux + Math.PI * 36 * 1025), 9);
    }
    // N(>F) ∝ F^−0.5 between 300 and 3e5: the fraction above 3000 is (3000^−½ − 3e5^−½)/(300^−½ − 3e5^−½) = 0.2939
    const frac = f.truth.filter((s) => s.flux > 3000).length / f.truth.length;
    expect(Math.abs(frac - 0.2939)).toBeLessThan(3 * Math.sqrt((0.2939 * 0.7061) / 500));
  });

  it('adds each star’s flux to the sky, with Poisson + read noise about the expectation', () => {
    // An empty sky: mean 1000 and the noise of Poisson + read noise.
    const f = simulateStarField({ width: 64, height: 64, nStars: 0, seed: 1 });
    let s = 0;
    let s2 = 0;
    for (const v of f.data) {
      s += v;
      s2 += v * v;
    }
    const n = f.data.length;
    const mean = s / n;
    expect(Math.abs(mean - 1000)).toBeLessThan((5 * 32) / Math.sqrt(n));
    expect(Math.sqrt(s2 / n - mean * mean) / f.skyNoise).toBeCloseTo(1, 1);

    // One bright star: the image sum minus the sky is its flux, to within the noise.
    const one = simulateStarField({ width: 64, height: 64, nStars: 1, seed: 2, minFlux: 1e6, maxFlux: 1e6, readNoise: 0 });
    const total = one.data.reduce((a, b) => a + b, 0) - 1000 * 64 * 64;
    // noise of the sum: √(1000·4096 + 1e6) ≈ 2263
    expect(Math.abs(total - 1e6)).toBeLessThan(5 * Math.sqrt(1000 * 4096 + 1e6));
    // the brightest pixel is the one containing the centre
    const t = one.truth[0]!;
    let best = 0;
    for (let i = 1; i < one.data.length; i++) if (one.data[i]! > one.data[best]!) best = i;
    expect(best % 64).toBe(Math.round(t.x));
    expect(Math.floor(best / 64)).toBe(Math.round(t.y));
  });

  it('rejects impossible scenes', () => {
    expect(() => simulateStarField({ width: 30, height: 100, nStars: 1, seed: 1 })).toThrow(RangeError);
    expect(() => simulateStarField({ width: 100, height: 100, nStars: -1, seed: 1 })).toThrow(RangeError);
    expect(() => simulateStarField({ width: 100, height: 100, nStars: 1, seed: 1, minFlux: 10, maxFlux: 5 })).toThrow(RangeError);
  });
});
