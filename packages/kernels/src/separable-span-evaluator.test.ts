/**
 * SeparableSpanEvaluator must reproduce, bit for bit, the pixels the full-plane convolutions
 * write (themselves checked against numpy in convolve.test.ts): the variance plane of
 * convolveMaskedImage (squared kernels) and the output of convolveSeparable, including NaN and
 * infinite inputs, symmetric and asymmetric kernels.
 */
import { describe, expect, it } from 'vitest';
import { convolveMaskedImage, convolveSeparable } from './convolve.js';
import { KernelsInvalidArgumentError } from './errors.js';
import { gaussianKernel1d } from './gaussian-kernel.js';
import { SeparableSpanEvaluator } from './separable-span-evaluator.js';

function plane(w: number, h: number, seed: number): Float32Array {
  const a = new Float32Array(w * h);
  let s = seed;
  for (let i = 0; i < a.length; i++) {
    s = (s * 16807) % 2147483647;
    a[i] = 100 + 50 * (s / 2147483647 - 0.5);
  }
  a[5 * w + 17] = NaN;
  a[20 * w + 3] = Infinity;
  a[31 * w + 40] = 0;
  return a;
}

function same(a: Float32Array, b: Float32Array, idx: number[]): number {
  let bad = 0;
  for (const i of idx) if (!Object.is(a[i], b[i])) bad++;
  return bad;
}

describe('SeparableSpanEvaluator', () => {
  const w = 53;
  const h = 41;
  const kernels: [string, Float64Array, Float64Array][] = [
    ['Gaussian σ=1.5, 11 taps', gaussianKernel1d(1.5, 5), gaussianKernel1d(1.5, 5)],
    ['asymmetric, with a zero tap', Float64Array.of(0.1, 0.5, 0, 0.3), Float64Array.of(0.2, 0.7, 0.1)],
  ];
  for (const [name, kx, ky] of kernels) {
    it(`matches the masked convolution's variance plane bit for bit (${name})`, () => {
      const image = plane(w, h, 3);
      const variance = plane(w, h, 11);
      const mask = new Int32Array(w * h);
      const out = { image: new Float32Array(w * h), variance: new Float32Array(w * h), mask: new Int32Array(w * h) };
      convolveMaskedImage({ image, variance, mask, width: w, height: h }, out, kx, ky);
      const ev = new SeparableSpanEvaluator(variance, w, h, kx, ky, { squared: true });
      const got = new Float32Array(w * h).fill(-1);
      const idx: number[] = [];
      for (let y = 0; y < h; y++) {
        // whole rows, and single pixels, of the good area
        const xs = [...Array(w).keys()].filter((x) => ev.inGoodArea(x, y));
        if (xs.length === 0) continue;
        if (y % 2 === 0) ev.evaluateSpan(got, y, xs[0]!, xs[xs.length - 1]!);
        else for (const x of xs) ev.evaluateSpan(got, y, x, x);
        for (const x of xs) idx.push(y * w + x);
      }
      expect(idx.length).toBe((w - kx.length + 1) * (h - ky.length + 1));
      expect(same(got, out.variance, idx)).toBe(0);
      expect(idx.some((i) => Number.isNaN(got[i]!))).toBe(true);
    });

    it(`matches convolveSeparable bit for bit (${name})`, () => {
      const src = plane(w, h, 5);
      const dst = new Float32Array(w * h);
      convolveSeparable(src, dst, w, h, kx, ky);
      const ev = new SeparableSpanEvaluator(src, w, h, kx, ky);
      const got = new Float32Array(w * h);
      const idx: number[] = [];
      for (let y = 0; y < h; y++) {
        const xs = [...Array(w).keys()].filter((x) => ev.inGoodArea(x, y));
        if (xs.length > 0) ev.evaluateSpan(got, y, xs[0]!, xs[xs.length - 1]!);
        for (const x of xs) idx.push(y * w + x);
      }
      expect(same(got, dst, idx)).toBe(0);
    });
  }

  it('rejects pixels the kernel does not fit around, and planes of the wrong size', () => {
    const src = plane(w, h, 1);
    const ev = new SeparableSpanEvaluator(src, w, h, gaussianKernel1d(1, 3), gaussianKernel1d(1, 3));
    expect(ev.inGoodArea(3, 3)).toBe(true);
    expect(ev.inGoodArea(2, 3)).toBe(false);
    expect(() => ev.evaluateSpan(new Float32Array(w * h), 10, 2, 8)).toThrow(KernelsInvalidArgumentError);
    expect(() => ev.evaluateSpan(new Float32Array(5), 10, 4, 8)).toThrow(KernelsInvalidArgumentError);
    expect(() => new SeparableSpanEvaluator(src, w + 1, h, [1], [1])).toThrow(KernelsInvalidArgumentError);
    expect(() => new SeparableSpanEvaluator(src, w, h, [1, NaN], [1])).toThrow(KernelsInvalidArgumentError);
  });
});
