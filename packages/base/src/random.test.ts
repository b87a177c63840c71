import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from './errors.js';
import { Random } from './random.js';

function moments(draw: () => number, n: number): { mean: number; variance: number } {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const v = draw();
    s += v;
    s2 += v * v;
  }
  const mean = s / n;
  return { mean, variance: s2 / n - mean * mean };
}

describe('Random', () => {
  it('is deterministic for a seed and differs between seeds and keys', () => {
    const a = new Random(42);
    const b = new Random(42);
    const c = new Random(43);
    const seqA = Array.from({ length: 8 }, () => a.nextUint32());
    expect(Array.from({ length: 8 }, () => b.nextUint32())).toEqual(seqA);
    expect(Array.from({ length: 8 }, () => c.nextUint32())).not.toEqual(seqA);
    expect(Random.fromKey(1, 'visit', 1).uniform()).toBe(Random.fromKey(1, 'visit', 1).uniform());
    expect(Random.fromKey(1, 'visit', 1).uniform()).not.toBe(Random.fromKey(1, 'visit', 2).uniform());
  });

  it('draws uniform deviates in [0, 1) with mean 1/2 and variance 1/12', () => {
    const r = new Random(1);
    const n = 200000;
    const { mean, variance } = moments(() => r.uniform(), n);
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.002);
  });

  it('draws Gaussian deviates with the given mean and sigma', () => {
    const r = new Random(2);
    const n = 200000;
    const { mean, variance } = moments(() => r.normal(3, 2), n);
    expect(Math.abs(mean - 3)).toBeLessThan((5 * 2) / Math.sqrt(n));
    expect(Math.abs(variance / 4 - 1)).toBeLessThan(0.02);
  });

  it.each([0.3, 4, 11.9, 12, 35, 760, 40000])('draws Poisson deviates of mean %s with mean = variance = μ', (mu) => {
    const r = new Random(Math.round(mu * 10));
    const n = 100000;
    const { mean, variance } = moments(() => r.poisson(mu), n);
    expect(Math.abs(mean - mu)).toBeLessThan(5 * Math.sqrt(mu / n));
    expect(Math.abs(variance / mu - 1)).toBeLessThan(0.03);
  });

  it('follows the Poisson probabilities (chi-square against the analytic pmf, μ = 20)', () => {
    const r = new Random(9);
    const mu = 20;
    const n = 100000;
    const counts = new Float64Array(60);
    for (let i = 0; i < n; i++) counts[Math.min(59, r.poisson(mu))]! += 1;
    let chi2 = 0;
    let bins = 0;
    let logp = -mu;
    for (let k = 0; k < 45; k++) {
      if (k > 0) logp += Math.log(mu / k);
      const expected = n * Math.exp(logp);
      if (expected < 20) continue;
      chi2 += (counts[k]! - expected) ** 2 / expected;
      bins++;
    }
    // chi² with ~25 degrees of freedom: 99.9% quantile ≈ 52.6.
    expect(bins).toBeGreaterThan(20);
    expect(chi2).toBeLessThan(55);
  });

  it('rejects a negative Poisson mean and a non-finite seed', () => {
    expect(() => new Random(1).poisson(-1)).toThrow(InvalidArgumentError);
    expect(() => new Random(Number.NaN)).toThrow(InvalidArgumentError);
  });
});
