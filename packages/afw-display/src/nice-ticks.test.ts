import { describe, expect, it } from 'vitest';
import { AfwDisplayInvalidArgumentError } from './errors.js';
import { formatTick, niceTicks } from './nice-ticks.js';

// Expected values worked out by hand from Heckbert's rules: range' = nice(max − min) (ceiling
// rule: 1, 2, 5, 10), step = nice(range' / 4) (rounding rule: < 1.5 → 1, < 3 → 2, < 7 → 5),
// limits widened to multiples of the step.
describe('niceTicks', () => {
  const cases: [number, number, number[], number][] = [
    [0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1], 1], // range' 1, step nice(0.25) = 0.2
    [0, 100, [0, 20, 40, 60, 80, 100], 0], // step nice(25) = 20
    [-3.7, 12.2, [-5, 0, 5, 10, 15], 0], // range' 20, step nice(5) = 5
    [0.001, 0.0047, [0.001, 0.002, 0.003, 0.004, 0.005], 3], // range' 0.005, step nice(0.00125) = 0.001
    [1e5, 3.2e5, [1e5, 2e5, 3e5, 4e5], 0], // range' 5e5, step nice(1.25e5) = 1e5
    [-0.35, 0.35, [-0.4, -0.2, 0, 0.2, 0.4], 1], // range' 1, step 0.2
    [0, 37, [0, 10, 20, 30, 40], 0], // range' 50, step nice(12.5) = 10
    [17.3, 17.9, [17.2, 17.4, 17.6, 17.8, 18], 1], // range' 1, step 0.2
  ];
  for (const [lo, hi, ticks, decimals] of cases) {
    it(`[${lo}, ${hi}]`, () => {
      const t = niceTicks(lo, hi);
      expect(t.ticks).toEqual(ticks);
      expect(t.min).toBe(ticks[0]);
      expect(t.max).toBe(ticks[ticks.length - 1]);
      expect(t.decimals).toBe(decimals);
    });
  }

  it('always gives steps of 1, 2 or 5 × 10^n covering the data with a few ticks', () => {
    let seed = 7;
    const rand = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let i = 0; i < 500; i++) {
      const scale = 10 ** Math.floor(rand() * 16 - 8);
      const a = (rand() - 0.5) * 100 * scale;
      const b = a + rand() * 50 * scale + 1e-3 * scale;
      const t = niceTicks(a, b);
      const mant = t.step / 10 ** Math.floor(Math.log10(t.step) + 1e-12);
      expect([1, 2, 5].some((m) => Math.abs(mant - m) < 1e-9)).toBe(true);
      expect(t.min).toBeLessThanOrEqual(a);
      expect(t.max).toBeGreaterThanOrEqual(b);
      expect(t.ticks.length).toBeGreaterThanOrEqual(3);
      expect(t.ticks.length).toBeLessThanOrEqual(12);
    }
  });

  it('handles a zero-width range and rejects bad input', () => {
    const t = niceTicks(5, 5);
    expect(t.min).toBeLessThan(5);
    expect(t.max).toBeGreaterThan(5);
    expect(() => niceTicks(2, 1)).toThrow(AfwDisplayInvalidArgumentError);
    expect(() => niceTicks(NaN, 1)).toThrow(AfwDisplayInvalidArgumentError);
  });

  it('formats labels', () => {
    expect(formatTick(0.2, 1)).toBe('0.2');
    expect(formatTick(-5, 0)).toBe('-5');
    expect(formatTick(0, 3)).toBe('0');
    expect(formatTick(3e7, 0)).toBe('3e+7');
    expect(formatTick(2e-6, 6)).toBe('2e-6');
  });
});
