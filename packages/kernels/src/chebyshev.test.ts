import { afterEach, describe, expect, it } from 'vitest';
import { addChebyshevRows, Chebyshev2d, evaluateChebyshevRows, fitChebyshev2d } from './chebyshev.js';
import { KernelsFitError } from './errors.js';
import { setSimdEnabled } from './simd-kernels.js';

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

describe('addChebyshevRows (a series added into image rows)', () => {
  afterEach(() => {
    setSimdEnabled(true);
  });

  /** A triangular order-6 series over a 1100 × 400 domain (afw's default background order). */
  function series(): Chebyshev2d {
    const coefficients = new Float64Array(49);
    for (let j = 0; j <= 6; j++) for (let i = 0; i + j <= 6; i++) coefficients[j * 7 + i] = (i + j === 0 ? 1000 : 0) + Math.sin(3 * i + 7 * j + 1) / (1 + i + j);
    return new Chebyshev2d(coefficients, 6, 6, { minX: -0.5, maxX: 1099.5, minY: -0.5, maxY: 399.5 });
  }

  /** A float32 image with a few NaNs, and the same image as it was. */
  function image(length: number): Float32Array {
    const a = new Float32Array(length);
    for (let k = 0; k < length; k++) a[k] = k % 97 === 5 ? NaN : 50 * Math.sin(0.37 * k) + (k % 13) * 0.1234567;
    return a;
  }

  /** Equal element by element (NaN equals NaN), faster than toEqual on long arrays. */
  function expectSame(got: Float32Array | Float64Array, want: Float32Array | Float64Array, what: string): void {
    expect(got.length, what).toBe(want.length);
    for (let k = 0; k < want.length; k++) {
      if (got[k] !== want[k] && !(Number.isNaN(got[k]) && Number.isNaN(want[k]))) {
        expect(`${what}: element ${k} is ${got[k]}`).toBe(`${what}: element ${k} is ${want[k]}`);
      }
    }
  }

  interface Case {
    readonly width: number;
    readonly height: number;
    readonly stride: number;
    readonly offset: number;
    readonly x0: number;
    readonly y0: number;
    readonly sign: number;
  }

  const cases: Case[] = [
    { width: 37, height: 9, stride: 45, offset: 3, x0: 5, y0: 2, sign: -1 },
    { width: 64, height: 5, stride: 64, offset: 0, x0: 0, y0: 0, sign: 1 },
    { width: 1, height: 4, stride: 3, offset: 1, x0: 1098, y0: 390, sign: -1 },
    { width: 2, height: 3, stride: 2, offset: 0, x0: 10, y0: 10, sign: 1 },
    // more rows than one SIMD call takes (1 MiB of float32 rows), odd width
    { width: 1001, height: 300, stride: 1001, offset: 0, x0: 99, y0: 100, sign: -1 },
  ];

  /**
   * The reference: the grid evaluated into a float32 buffer, then added in double precision;
   * the row sums of (v − c) and (v − c)² over even and odd columns, each in order of x.
   */
  function reference(f: Chebyshev2d, img: Float32Array, k: Case, center: number): { img: Float32Array; sums: Float64Array } {
    const band = new Float32Array(k.width * k.height);
    evaluateChebyshevRows(f.coefficients, 6, 6, f.domain, band, k.x0, k.y0, k.width, 0, k.height);
    const out = img.slice();
    const sums = new Float64Array(4 * k.height);
    for (let r = 0; r < k.height; r++) {
      for (let x = 0; x < k.width; x++) {
        const v = band[r * k.width + x]!;
        const o = k.offset + r * k.stride + x;
        out[o] = out[o]! + k.sign * v;
        const d = v - center;
        sums[4 * r + (x % 2)] = sums[4 * r + (x % 2)]! + d;
        sums[4 * r + 2 + (x % 2)] = sums[4 * r + 2 + (x % 2)]! + d * d;
      }
    }
    return { img: out, sums };
  }

  for (const simd of [true, false]) {
    it(`equals evaluating then adding, bit for bit, with the row sums (${simd ? 'WebAssembly SIMD' : 'TypeScript'})`, () => {
      const f = series();
      for (const k of cases) {
        const length = k.offset + (k.height - 1) * k.stride + k.width + 2;
        const img = image(length);
        const center = 1000.25;
        setSimdEnabled(false);
        const ref = reference(f, img, k, center);
        setSimdEnabled(simd);
        const job = { coefficients: f.coefficients, orderX: 6, orderY: 6, domain: f.domain, offset: k.offset, stride: k.stride, x0: k.x0, y0: k.y0, width: k.width, height: k.height, sign: k.sign, center };
        const got = img.slice();
        const sums = new Float64Array(4 * k.height).fill(NaN);
        addChebyshevRows({ ...job, out: got, outSums: sums }, 0, k.height);
        // (pixels outside the rows, the stride gaps and NaNs included, compare too)
        const what = JSON.stringify(k);
        expectSame(got, ref.img, what);
        expectSame(sums, ref.sums, what);
        // without sums; and rows split in two calls give the same pixels and sums
        const plain = img.slice();
        addChebyshevRows({ ...job, out: plain }, 0, k.height);
        expectSame(plain, ref.img, what);
        const split = img.slice();
        const splitSums = new Float64Array(4 * k.height);
        const mid = Math.floor(k.height / 3);
        addChebyshevRows({ ...job, out: split, outSums: splitSums }, mid, k.height);
        addChebyshevRows({ ...job, out: split, outSums: splitSums }, 0, mid);
        expectSame(split, ref.img, what);
        expectSame(splitSums, ref.sums, what);
      }
    });
  }

  it('the added values are the series (point evaluation), the sums their direct sums', () => {
    const f = series();
    const width = 33;
    const height = 7;
    const img = new Float32Array(width * height);
    const sums = new Float64Array(4 * height);
    const center = 1000;
    addChebyshevRows({ coefficients: f.coefficients, orderX: 6, orderY: 6, domain: f.domain, out: img, offset: 0, stride: width, x0: 20, y0: 30, width, height, sign: 1, center, outSums: sums }, 0, height);
    let s = 0;
    let q = 0;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const v = f.evaluate(20 + x, 30 + y);
        expect(Math.abs(img[y * width + x]! - v)).toBeLessThanOrEqual(1e-7 * Math.abs(v));
        s += v - center;
        q += (v - center) ** 2;
      }
    }
    let gs = 0;
    let gq = 0;
    for (let r = 0; r < height; r++) {
      gs += sums[4 * r]! + sums[4 * r + 1]!;
      gq += sums[4 * r + 2]! + sums[4 * r + 3]!;
    }
    expect(gs).toBeCloseTo(s, 3);
    expect(gq / q).toBeCloseTo(1, 4);
  });
});
