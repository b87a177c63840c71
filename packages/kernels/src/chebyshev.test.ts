import { describe, expect, it } from 'vitest';
import { Chebyshev2d, fitChebyshev2d } from './chebyshev.js';
import { KernelsFitError } from './errors.js';

describe('Chebyshev 2-D fitting', () => {
  const poly = (x: number, y: number): number => 3 + 0.02 * x - 0.01 * y + 1e-4 * x * y - 2e-5 * x * x + 3e-6 * y * y * y;

  it('recovers a cubic polynomial exactly (triangular order 3)', () => {
    const xs: number[] = [];
    const ys: number[] = [];
    const zs: number[] = [];
    for (let j = 0; j < 7; j++) for (let i = 0; i < 9; i++) {
      xs.push(i * 37.5 + 3);
      ys.push(j * 41 + 1);
      zs.push(poly(i * 37.5 + 3, j * 41 + 1));
    }
    const domain = { minX: -0.5, maxX: 307.5, minY: -0.5, maxY: 255.5 };
    const fit = fitChebyshev2d(xs, ys, zs, { orderX: 3, domain, weights: zs.map((_, k) => 1 + (k % 3)) });
    for (const [x, y] of [[0, 0], [150.2, 99.9], [307, 255], [12, 240]] as const) expect(fit.evaluate(x, y)).toBeCloseTo(poly(x, y), 9);
    const grid = fit.evaluateGrid(new Float64Array(20 * 10), 100, 50, 20, 10);
    expect(grid[9 * 20 + 19]).toBeCloseTo(poly(119, 59), 9);
    // a triangular order-3 series has no x³y³ freedom: the coefficient of T3(x)T3(y) is 0
    expect(fit.coefficients[3 * 4 + 3]).toBe(0);
  });

  it('a rectangular fit of orders (2, 1) recovers x²y terms; too few points are singular', () => {
    const f = (x: number, y: number): number => 1 + x * x * y - 2 * y;
    const xs: number[] = [];
    const ys: number[] = [];
    for (let j = 0; j < 4; j++) for (let i = 0; i < 5; i++) {
      xs.push(i);
      ys.push(j);
    }
    const fit = fitChebyshev2d(xs, ys, xs.map((x, k) => f(x, ys[k]!)), { orderX: 2, orderY: 1, triangular: false });
    expect(fit.evaluate(2.5, 1.5)).toBeCloseTo(f(2.5, 1.5), 10);
    expect(() => fitChebyshev2d([0, 1], [0, 1], [1, 2], { orderX: 2 })).toThrow(KernelsFitError);
    expect(() => fitChebyshev2d([0, 1], [0, 1], [NaN, NaN], { orderX: 0 })).toThrow(/No usable points/);
    const c = new Chebyshev2d([2, 0, 0, 0], 1, 1, { minX: 0, maxX: 1, minY: 0, maxY: 1 });
    expect(c.evaluate(0.3, 0.9)).toBe(2);
  });
});
