import { Random } from '@skystack/base';
import { afterEach, describe, expect, it } from 'vitest';
import { Chebyshev2d, evaluateChebyshevRows } from './chebyshev.js';
import { convolveSeparableRows, setSeparableChunkRows, type SeparableJob } from './convolve-core.js';
import { gaussianKernel1d } from './gaussian-kernel.js';
import { setSimdEnabled, simdKernels } from './simd-kernels.js';

// The fused WebAssembly paths (the separable convolution a chunk of rows per call, the Chebyshev
// rows a run per call) against the TypeScript loops, which stay the reference: the same float64
// operations in the same order, so the same bits.

/** Uniform deviates in (0, 1) from a seeded generator. */
function uniform(seed: number): () => number {
  const rng = new Random(seed);
  return () => rng.uniform();
}

/** The index of the first value that differs bit for bit (NaN = NaN, -0 ≠ +0), or -1. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

const skip = simdKernels() === undefined;
const defaultChunk = setSeparableChunkRows(32);
setSeparableChunkRows(defaultChunk);

afterEach(() => {
  setSimdEnabled(true);
  setSeparableChunkRows(defaultChunk);
});

/** The rows `[y0, y1)` of a separable convolution, with the SIMD kernels on or off. */
function separable(job: Omit<SeparableJob, 'dst'>, y0: number, y1: number, simd: boolean): Float32Array {
  setSimdEnabled(simd);
  // a stale value everywhere: every pixel of the rows must be written
  const dst = new Float32Array(job.src.length).fill(-12345);
  convolveSeparableRows({ ...job, dst }, y0, y1);
  setSimdEnabled(true);
  return dst;
}

function image(w: number, h: number, seed: number): Float32Array {
  const r = uniform(seed);
  return Float32Array.from({ length: w * h }, (_, i) => {
    if (i % 331 === 17) return NaN;
    if (i % 1013 === 5) return i % 2 === 0 ? Infinity : -Infinity;
    return 1000 * (r() - 0.3) ** 3 + (i % 97 === 0 ? 1e6 * r() : 0);
  });
}

describe('the fused SIMD separable convolution gives the TypeScript loops’ bits', () => {
  const kernels: [string, Float64Array, Float64Array][] = [
    ['Gaussian σ=1.49 (11 taps)', gaussianKernel1d(1.49, 5), gaussianKernel1d(1.49, 5)],
    ['Gaussian σ=2 x, 3 taps y', gaussianKernel1d(2, 8), Float64Array.of(0.25, 0.5, 0.25)],
    ['asymmetric, even lengths', Float64Array.of(0.1, 0.2, 0.4, 0.3), Float64Array.of(-0.3, 0.7, 0.5, 0.1, 0.05, 0.2)],
    ['zero taps and a one-tap kernel', Float64Array.of(0, 0.25, 0, 0.5, 0, 0.25, 0), Float64Array.of(1.5)],
    ['all-zero y kernel', Float64Array.of(0.5, 0.5), Float64Array.of(0, 0, 0)],
  ];
  for (const [name, kx, ky] of kernels) {
    it.skipIf(skip)(`${name}: odd and even widths, chunks of 1, 3, 7 and 32 rows, bands`, () => {
      for (const [w, h] of [
        [203, 61],
        [64, 40],
        [kx.length, ky.length],
        [kx.length + 1, ky.length + 2],
      ] as const) {
        const src = image(w, h, w * 7 + h);
        const job = { src, width: w, height: h, kx, ky, ctrX: Math.floor((kx.length - 1) / 2), ctrY: Math.floor((ky.length - 1) / 2), doCopyEdge: false };
        const js = separable(job, 0, h, false);
        expect(js.includes(-12345)).toBe(false);
        for (const chunk of [1, 3, 7, 32]) {
          setSeparableChunkRows(chunk);
          expect(firstDifference(js, separable(job, 0, h, true)), `${w}x${h}, chunk ${chunk}`).toBe(-1);
        }
        // a band of rows (as a worker thread convolves it), with copied edges
        const y0 = Math.min(h, 5);
        const y1 = Math.max(y0, h - 3);
        const band = { ...job, doCopyEdge: true };
        const jsBand = separable(band, y0, y1, false);
        setSeparableChunkRows(4);
        expect(firstDifference(jsBand, separable(band, y0, y1, true)), `${w}x${h}, band`).toBe(-1);
      }
    });
  }

  it.skipIf(skip)('a 4096-wide image that fills the kernels’ memory to its end (no read past it)', () => {
    const w = 4095;
    const h = 40;
    const src = image(w, h, 9);
    const k = gaussianKernel1d(1.49, 5);
    const job = { src, width: w, height: h, kx: k, ky: k, ctrX: 5, ctrY: 5, doCopyEdge: false };
    const js = separable(job, 0, h, false);
    for (const chunk of [2, 9, 64]) {
      setSeparableChunkRows(chunk);
      expect(firstDifference(js, separable(job, 0, h, true)), `chunk ${chunk}`).toBe(-1);
    }
  });

  it.skipIf(skip)('a Gaussian smoothing of a flat image keeps its value to float32 rounding', () => {
    // independent of the TypeScript loops: a normalised kernel maps a constant to itself
    const w = 301;
    const h = 33;
    const k = gaussianKernel1d(1.49, 5);
    const job = { src: new Float32Array(w * h).fill(250), width: w, height: h, kx: k, ky: k, ctrX: 5, ctrY: 5, doCopyEdge: false };
    const out = separable(job, 0, h, true);
    for (let y = 5; y < h - 5; y++) for (let x = 5; x < w - 5; x++) expect(Math.abs(out[y * w + x]! - 250)).toBeLessThan(1e-4);
    expect(out[0]).toBeNaN();
  });
});

describe('the SIMD Chebyshev rows give the TypeScript loops’ bits', () => {
  /** Rows `[r0, r1)` of a grid, with the SIMD kernels on or off. */
  function grid<T extends Float32Array | Float64Array>(
    c: Float64Array,
    orderX: number,
    orderY: number,
    domain: { minX: number; maxX: number; minY: number; maxY: number },
    out: T,
    x0: number,
    y0: number,
    width: number,
    r0: number,
    r1: number,
    simd: boolean,
  ): T {
    setSimdEnabled(simd);
    out.fill(-7);
    evaluateChebyshevRows(c, orderX, orderY, domain, out, x0, y0, width, r0, r1);
    setSimdEnabled(true);
    return out;
  }

  it.skipIf(skip)('terms that vanish on one row, runs longer than a call’s rows, both output types', () => {
    const r = uniform(4);
    // orders (6, 6): column i = 2 has only a T₁(y) term, which is 0 on the domain's middle row
    // (y = 100), so that row sums fewer terms than its neighbours; column 4 is zero everywhere
    const c = Float64Array.from({ length: 49 }, (_, k) => {
      const i = k % 7;
      const j = Math.floor(k / 7);
      if (i === 4) return 0;
      if (i === 2) return j === 1 ? 3.5 : 0;
      return 100 * (r() - 0.5);
    });
    const domain = { minX: 0, maxX: 3000, minY: 0, maxY: 200 };
    for (const width of [3001, 301, 7, 1]) {
      for (const make of [(n: number) => new Float32Array(n), (n: number) => new Float64Array(n)]) {
        const rows = 160;
        const js = grid(c, 6, 6, domain, make(width * rows), 0, 20, width, 0, rows, false);
        const wasm = grid(c, 6, 6, domain, make(width * rows), 0, 20, width, 0, rows, true);
        expect(firstDifference(js, wasm), `width ${width}`).toBe(-1);
        // a band inside the grid (the rows a worker evaluates); the rows outside it untouched
        const band = grid(c, 6, 6, domain, make(width * rows), 0, 20, width, 37, 121, true);
        expect(firstDifference(js.subarray(37 * width, 121 * width), band.subarray(37 * width, 121 * width))).toBe(-1);
        expect(band[0]).toBe(-7);
        expect(band[121 * width]).toBe(-7);
      }
    }
  });

  it.skipIf(skip)('order 0 and rectangular orders; the same columns reused across calls', () => {
    const domain = { minX: -0.5, maxX: 99.5, minY: -0.5, maxY: 49.5 };
    const constant = new Chebyshev2d([2.5], 0, 0, domain);
    expect(Array.from(constant.evaluateGrid(new Float32Array(100 * 3), 0, 0, 100, 3)).every((v) => v === 2.5)).toBe(true);
    const r = uniform(5);
    const c = Float64Array.from({ length: 4 * 3 }, () => r() - 0.5);
    for (const x0 of [0, 0, 13]) {
      const js = grid(c, 3, 2, domain, new Float64Array(87 * 50), x0, 0, 87, 0, 50, false);
      const wasm = grid(c, 3, 2, domain, new Float64Array(87 * 50), x0, 0, 87, 0, 50, true);
      expect(firstDifference(js, wasm), `x0 ${x0}`).toBe(-1);
      // independent of both loops: the series summed term by term at one pixel
      const cheb = new Chebyshev2d(c, 3, 2, domain, false);
      expect(wasm[31 * 87 + 40]).toBeCloseTo(cheb.evaluate(x0 + 40, 31), 12);
    }
  });
});
