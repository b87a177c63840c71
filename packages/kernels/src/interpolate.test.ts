import { describe, expect, it } from 'vitest';
import { KernelsInvalidArgumentError, KernelsUndersampledError } from './errors.js';
import { INTERP_STYLES, lookupMaxInterpStyle, lookupMinInterpPoints, makeInterpolate } from './interpolate.js';

describe('Interpolate', () => {
  it('every style reproduces linear data exactly, inside and outside the points', () => {
    const x = [0, 1.5, 2, 4, 7, 7.5, 10];
    const y = x.map((v) => 3 - 2 * v);
    for (const style of INTERP_STYLES) {
      const f = makeInterpolate(x, y, style);
      for (const xv of x) expect(f.interpolate(xv), `${style} at node ${xv}`).toBeCloseTo(3 - 2 * xv, 12);
      if (style === 'CONSTANT') continue;
      for (const xv of [-3, 0.2, 3.3, 6.9, 9.99, 14]) expect(f.interpolate(xv), `${style} at ${xv}`).toBeCloseTo(3 - 2 * xv, 10);
    }
  });

  it('the natural spline matches the hand-solved tridiagonal system', () => {
    // x = 0..3, y = 0 1 0 1; M0 = M3 = 0, 4M1 + M2 = -12, M1 + 4M2 = 12 → M1 = -4, M2 = 4:
    // S(0.5) = M1/48 + (1 - M1/6)/2 = 0.75, S(1.5) = 0.5, S(2.5) = 0.25; S''(0) = 0 → linear beyond.
    for (const style of ['NATURAL_SPLINE', 'CUBIC_SPLINE'] as const) {
      const f = makeInterpolate([0, 1, 2, 3], [0, 1, 0, 1], style);
      expect(f.interpolate(0.5)).toBeCloseTo(0.75, 14);
      expect(f.interpolate(1.5)).toBeCloseTo(0.5, 14);
      expect(f.interpolate(2.5)).toBeCloseTo(0.25, 14);
      // S'(0) = (y1 - y0) - (2 M0 + M1) / 6 = 1 + 4/6
      expect(f.interpolate(-1)).toBeCloseTo(-(1 + 4 / 6), 12);
    }
  });

  it('Akima passes through the points and follows a smooth function closely; a flat stretch stays flat', () => {
    const x = Array.from({ length: 21 }, (_, i) => i * 0.5);
    const f = makeInterpolate(x, x.map(Math.sin), 'AKIMA_SPLINE');
    for (let t = 0; t <= 10; t += 0.13) expect(Math.abs(f.interpolate(t) - Math.sin(t))).toBeLessThan(1e-2);
    const step = makeInterpolate([0, 1, 2, 3, 4, 5, 6], [0, 0, 0, 0, 1, 1, 1], 'AKIMA_SPLINE');
    expect(step.interpolate(1.5)).toBe(0); // Akima does not overshoot next to a step
    expect(step.interpolate(5.5)).toBe(1);
    const v = step.interpolateVector([0.5, 3.5, 4.5], new Float32Array(3));
    expect(v[0]).toBe(0);
    expect(v[1]).toBeGreaterThan(0);
    expect(v[1]).toBeLessThan(1);
  });

  it('CONSTANT gives the nearest point', () => {
    const f = makeInterpolate([0, 2, 4], [10, 20, 30], 'CONSTANT');
    expect(f.interpolate(0.9)).toBe(10);
    expect(f.interpolate(1.1)).toBe(20);
    expect(f.interpolate(1)).toBe(15);
    expect(f.interpolate(-5)).toBe(10);
    expect(f.interpolate(99)).toBe(30);
  });

  it('lookups and errors follow afw', () => {
    expect([1, 2, 3, 4, 5, 100].map(lookupMaxInterpStyle)).toEqual(['CONSTANT', 'LINEAR', 'CUBIC_SPLINE', 'CUBIC_SPLINE', 'AKIMA_SPLINE', 'AKIMA_SPLINE']);
    expect(INTERP_STYLES.map(lookupMinInterpPoints)).toEqual([1, 2, 3, 3, 5]);
    expect(() => lookupMaxInterpStyle(0)).toThrow(KernelsInvalidArgumentError);
    expect(() => makeInterpolate([0, 1, 2, 3], [0, 1, 2, 3], 'AKIMA_SPLINE')).toThrow(KernelsUndersampledError);
    expect(() => makeInterpolate([0, 1, 1], [0, 1, 2], 'LINEAR')).toThrow(/strictly increasing/);
    expect(() => makeInterpolate([0, 1], [0], 'LINEAR')).toThrow(/same length/);
    expect(Number.isNaN(makeInterpolate([0, 1], [0, 1], 'LINEAR').interpolate(NaN))).toBe(true);
  });
});

describe('interpolateSteps', () => {
  it('gives exactly the point values on a grid that starts left of the points and ends right of them', () => {
    const xs = [3.5, 10, 17.25, 30, 41, 55.5];
    const ys = [1, 4, -2, 7, 7, 3];
    for (const style of ['LINEAR', 'NATURAL_SPLINE', 'AKIMA_SPLINE', 'CONSTANT'] as const) {
      const f = makeInterpolate(xs, ys, style);
      const out = f.interpolateSteps(-4, 0.75, 90, new Float64Array(95), 5);
      for (let k = 0; k < 90; k++) expect(out[5 + k], `${style} at ${-4 + 0.75 * k}`).toBe(makeInterpolate(xs, ys, style).interpolate(-4 + 0.75 * k));
      expect(() => f.interpolateSteps(0, 0, 3, new Float64Array(3))).toThrow(/step/);
      expect(() => f.interpolateSteps(0, 1, 4, new Float64Array(3))).toThrow(/needed/);
    }
  });
});
