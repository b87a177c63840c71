import { astropyAvailable, runPythonJson } from '@skystack/test-support';
import { describe, expect, it } from 'vitest';
import { convolve2d, convolveMaskedImage, convolveSeparable } from './convolve.js';
import { KernelsInvalidArgumentError } from './errors.js';
import { gaussianKernel1d } from './gaussian-kernel.js';
import { gaussianKernel2d, makeKernel2d, outerKernel2d } from './kernel2d.js';

// numpy: correlation on the valid region (np.convolve with the reversed kernel along rows, then
// columns), and a direct 2-D sum with array slicing.
const NUMPY = String.raw`
import sys, json
import numpy as np
c = json.load(sys.stdin)
img = np.array(c['img'], dtype=np.float32).reshape(c['h'], c['w']).astype(np.float64)
kx = np.array(c['kx']); ky = np.array(c['ky'])
rows = np.array([np.convolve(r, kx[::-1], mode='valid') for r in img])
sep = np.array([np.convolve(col, ky[::-1], mode='valid') for col in rows.T]).T
k2 = np.array(c['k2']).reshape(c['kh'], c['kw'])
h2 = c['h'] - c['kh'] + 1; w2 = c['w'] - c['kw'] + 1
full = np.zeros((h2, w2))
for j in range(c['kh']):
    for i in range(c['kw']):
        full += k2[j, i] * img[j:j + h2, i:i + w2]
g = np.exp(-np.arange(-8, 9) ** 2 / (2 * 2.0 ** 2)); g /= g.sum()
print(json.dumps({'sep': sep.ravel().tolist(), 'full': full.ravel().tolist(), 'gauss': g.tolist()}))
`;

describe('convolution against numpy', () => {
  it.skipIf(!astropyAvailable())('separable and 2-D convolution of a small image match numpy on the valid region', () => {
    const w = 13;
    const h = 11;
    const img = Float32Array.from({ length: w * h }, (_, k) => Math.sin(k * 0.37) * 10 + (k % 7));
    const kx = [0.1, 0.2, 0.4, 0.2, 0.1];
    const ky = [0.25, 0.5, 0.25];
    const k2 = makeKernel2d([1, 2, 0, -1, 0.5, 3, 1, 1, 2, 0, -2, 1], 4, 3);
    const np = runPythonJson<{ sep: number[]; full: number[]; gauss: number[] }>(NUMPY, [], {
      img: Array.from(img),
      w,
      h,
      kx,
      ky,
      k2: Array.from(k2.data),
      kw: 4,
      kh: 3,
    });
    const sep = convolveSeparable(img, new Float32Array(w * h), w, h, kx, ky);
    // valid region starts at (ctrX, ctrY) = (2, 1), size (w - 4) x (h - 2)
    for (let y = 0; y < h - 2; y++) for (let x = 0; x < w - 4; x++) expect(sep[(y + 1) * w + x + 2]).toBeCloseTo(np.sep[y * (w - 4) + x]!, 4);
    const full = convolve2d(img, new Float32Array(w * h), w, h, k2.data, 4, 3);
    // 4-wide kernel: centre x = 1 (floor(3/2)), so the valid region starts at (1, 1)
    for (let y = 0; y < h - 2; y++) for (let x = 0; x < w - 3; x++) expect(full[(y + 1) * w + x + 1]).toBeCloseTo(np.full[y * (w - 3) + x]!, 4);
    expect(Number.isNaN(full[w + 0]!)).toBe(true);
    expect(Number.isNaN(full[w + w - 2]!)).toBe(true);
    expect(Number.isNaN(full[w + w - 3]!)).toBe(false);
    const g = gaussianKernel1d(2);
    expect(g.length).toBe(17);
    g.forEach((v, i) => expect(v).toBeCloseTo(np.gauss[i]!, 14));
  });
});

describe('kernels and validation', () => {
  it('Gaussian kernels are normalised and centred', () => {
    const g = gaussianKernel1d(1.3, 5);
    expect(g.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    expect(g[5]).toBeGreaterThan(g[4]!);
    expect(g[4]).toBeCloseTo(g[6]!, 15);
    const k = gaussianKernel2d(1, 2);
    expect(k.width).toBe(17);
    expect([k.ctrX, k.ctrY]).toEqual([8, 8]);
    expect(k.data.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(() => gaussianKernel1d(0)).toThrow(KernelsInvalidArgumentError);
    expect(() => makeKernel2d([1, 2, 3], 2, 2)).toThrow(/needs 4 values/);
    expect(makeKernel2d([1, 1, 1, 1], 2, 2, { normalize: true }).data[0]).toBe(0.25);
  });

  it('rejects wrong sizes, in-place use and non-finite kernels', () => {
    const a = new Float32Array(20);
    expect(() => convolveSeparable(a, new Float32Array(19), 5, 4, [1], [1])).toThrow(/destination array has 19/);
    expect(() => convolveSeparable(a, a, 5, 4, [1], [1])).toThrow(/in place/);
    expect(() => convolveSeparable(a, new Float32Array(20), 5, 4, [NaN], [1])).toThrow(/non-finite/);
    expect(() => convolve2d(a, new Float32Array(20), 5, 4, [1, 1], 3, 1)).toThrow(KernelsInvalidArgumentError);
  });

  it('a kernel larger than the image leaves only edge pixels', () => {
    const a = Float32Array.from({ length: 12 }, (_, i) => i);
    const k = gaussianKernel1d(1, 3);
    const out = convolveSeparable(a, new Float32Array(12), 4, 3, k, k);
    expect(out.every((v) => Number.isNaN(v))).toBe(true);
    const copy = convolveSeparable(a, new Float32Array(12), 4, 3, k, k, { doCopyEdge: true });
    expect(Array.from(copy)).toEqual(Array.from(a));
  });

  it('masked convolution of a flat image keeps the value and scales the variance by Σk²', () => {
    const w = 20;
    const h = 15;
    const k = gaussianKernel1d(1.2, 3);
    const sumK2 = k.reduce((s, v) => s + v * v, 0) ** 2;
    const out = { image: new Float32Array(w * h), variance: new Float32Array(w * h), mask: new Int32Array(w * h) };
    convolveMaskedImage({ image: new Float32Array(w * h).fill(7), variance: new Float32Array(w * h).fill(4), mask: new Int32Array(w * h), width: w, height: h }, out, k, k);
    expect(out.image[7 * w + 10]).toBeCloseTo(7, 5);
    expect(out.variance[7 * w + 10]).toBeCloseTo(4 * sumK2, 6);
    expect(out.mask[0]).toBe(1 << 4);
    const same = outerKernel2d(k, k);
    const out2 = { image: new Float32Array(w * h), variance: new Float32Array(w * h), mask: new Int32Array(w * h) };
    convolveMaskedImage({ image: new Float32Array(w * h).fill(7), variance: new Float32Array(w * h).fill(4), mask: new Int32Array(w * h), width: w, height: h }, out2, same, { edgeBit: 9 });
    expect(out2.variance[7 * w + 10]).toBeCloseTo(4 * sumK2, 6);
    expect(out2.mask[0]).toBe(1 << 9);
  });
});
