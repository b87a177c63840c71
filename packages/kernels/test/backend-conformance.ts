// The one conformance suite of the kernel contract: every KernelBackend (cpu, worker threads, a
// future GPU backend) must pass it. References are direct naive sums written here, not the
// package's own loops.
import { afterAll, describe, expect, it } from 'vitest';
import {
  allocShared,
  convolve2d,
  convolveMaskedImage,
  convolveSeparable,
  fillPlane,
  fitChebyshev2d,
  maskBits,
  gaussianKernel1d,
  makeBackground,
  makeKernel2d,
  outerKernel2d,
  poissonVariance,
  type KernelBackend,
} from '../src/index.js';

/** Whether a plane lies in shared memory. */
function isSharedPlane(a: ArrayBufferView): boolean {
  return a.buffer instanceof SharedArrayBuffer;
}

/** A deterministic pseudo-random generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Direct sum `Σ K(i,j) src(x - cx + i, y - cy + j)` at one pixel, or NaN in the edge band. */
export function naivePixel(
  src: ArrayLike<number>,
  width: number,
  height: number,
  k: ArrayLike<number>,
  kw: number,
  kh: number,
  x: number,
  y: number,
  square = false,
): number {
  const cx = Math.floor((kw - 1) / 2);
  const cy = Math.floor((kh - 1) / 2);
  if (x < cx || y < cy || x > width - kw + cx || y > height - kh + cy) return NaN;
  let s = 0;
  for (let j = 0; j < kh; j++) {
    for (let i = 0; i < kw; i++) {
      const kv = k[j * kw + i]!;
      if (kv === 0) continue;
      s += (square ? kv * kv : kv) * src[(y - cy + j) * width + (x - cx + i)]!;
    }
  }
  return s;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, relTol: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  let worstAt = -1;
  for (let k = 0; k < expected.length; k++) {
    const a = actual[k]!;
    const e = expected[k]!;
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (Number.isNaN(e) !== Number.isNaN(a)) throw new Error(`pixel ${k}: got ${a}, expected ${e}`);
      continue;
    }
    if (!Number.isFinite(e)) {
      if (a !== e) throw new Error(`pixel ${k}: got ${a}, expected ${e}`);
      continue;
    }
    const d = Math.abs(a - e) / Math.max(1, Math.abs(e));
    if (d > worst) {
      worst = d;
      worstAt = k;
    }
  }
  expect(worst, `worst relative difference at pixel ${worstAt}`).toBeLessThanOrEqual(relTol);
}

/**
 * Declares the conformance tests of one backend.
 *
 * @param name - title of the suite
 * @param makeBackend - makes the backend (closed after the suite)
 */
export function describeKernelBackend(name: string, makeBackend: () => KernelBackend): void {
  describe(`kernel backend conformance: ${name}`, () => {
    const backend = makeBackend();
    afterAll(async () => {
      await backend.close();
    });
    const W = 71;
    const H = 53;
    const rand = rng(12345);
    const src = Float32Array.from({ length: W * H }, () => rand() * 100 - 20);
    // An asymmetric separable kernel with a zero entry and even length along y.
    const kx = Float64Array.of(0.1, 0.25, 0.3, 0, 0.2, 0.15, -0.05);
    const ky = Float64Array.of(0.2, 0.5, 0.2, 0.1);
    const k2 = outerKernel2d(kx, ky);

    it('separable convolution equals the direct sum, NaN in the edge band', () => {
      const dst = new Float32Array(W * H).fill(-999);
      convolveSeparable(src, dst, W, H, kx, ky, { backend });
      const ref = new Float64Array(W * H);
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) ref[y * W + x] = naivePixel(src, W, H, k2.data, k2.width, k2.height, x, y);
      expectClose(dst, ref, 2e-6);
      // kernel centre (3, 1): columns 0..2 and W-3..W-1, row 0 and rows H-2, H-1 are edge
      expect(Number.isNaN(dst[2]!)).toBe(true);
      expect(Number.isNaN(dst[1 * W + 2]!)).toBe(true);
      expect(Number.isNaN(dst[1 * W + 3]!)).toBe(false);
      expect(Number.isNaN(dst[(H - 3) * W + W - 4]!)).toBe(false);
      expect(Number.isNaN(dst[(H - 2) * W + 10]!)).toBe(true);
    });

    it('doCopyEdge copies the input into the edge band', () => {
      const dst = new Float32Array(W * H);
      convolveSeparable(src, dst, W, H, kx, ky, { backend, doCopyEdge: true });
      expect(dst[0]).toBe(src[0]);
      expect(dst[(H - 1) * W + W - 1]).toBe(src[(H - 1) * W + W - 1]);
      expect(dst[20 * W + 1]).toBe(src[20 * W + 1]);
      expect(dst[20 * W + 20]).not.toBe(src[20 * W + 20]);
    });

    it('2-D convolution equals the direct sum; separable equals 2-D with the outer kernel', () => {
      const r2 = rng(7);
      const kernel = makeKernel2d(Float64Array.from({ length: 5 * 3 }, () => r2() - 0.3), 5, 3);
      const dst = new Float32Array(W * H);
      convolve2d(src, dst, W, H, kernel.data, 5, 3, { backend });
      const ref = new Float64Array(W * H);
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) ref[y * W + x] = naivePixel(src, W, H, kernel.data, 5, 3, x, y);
      expectClose(dst, ref, 2e-6);
      const sep = new Float32Array(W * H);
      const full = new Float32Array(W * H);
      convolveSeparable(src, sep, W, H, kx, ky, { backend });
      convolve2d(src, full, W, H, k2.data, k2.width, k2.height, { backend });
      expectClose(sep, full, 2e-6);
    });

    it('a NaN input reaches exactly the outputs whose non-zero footprint covers it', () => {
      const withNaN = Float32Array.from(src);
      const nx = 30;
      const ny = 25;
      withNaN[ny * W + nx] = NaN;
      const dst = new Float32Array(W * H);
      convolveSeparable(withNaN, dst, W, H, kx, ky, { backend });
      for (let y = 1; y <= H - 3; y++) {
        for (let x = 3; x <= W - 4; x++) {
          const i = nx - x + 3; // kernel column that touches the NaN
          const j = ny - y + 1;
          const covered = i >= 0 && i < kx.length && j >= 0 && j < ky.length && kx[i] !== 0 && ky[j] !== 0;
          expect(Number.isNaN(dst[y * W + x]!), `(${x}, ${y})`).toBe(covered);
        }
      }
    });

    it('masked convolution: variance with k², mask OR over the non-zero footprint, EDGE band', () => {
      const r3 = rng(99);
      const variance = Float32Array.from({ length: W * H }, () => 1 + r3() * 5);
      const mask = new Int32Array(W * H);
      mask[20 * W + 30] = 0b1; // under kx[3] == 0 for output x = 30
      mask[40 * W + 10] = 0b100000000;
      const out = { image: new Float32Array(W * H), variance: new Float32Array(W * H), mask: new Int32Array(W * H) };
      convolveMaskedImage({ image: src, variance, mask, width: W, height: H }, out, kx, ky, { backend, edgeBit: 4 });
      const refI = new Float64Array(W * H);
      const refV = new Float64Array(W * H);
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          refI[y * W + x] = naivePixel(src, W, H, k2.data, k2.width, k2.height, x, y);
          const v = naivePixel(variance, W, H, k2.data, k2.width, k2.height, x, y, true);
          refV[y * W + x] = Number.isNaN(v) ? Infinity : v;
        }
      }
      expectClose(out.image, refI, 2e-6);
      expectClose(out.variance, refV, 2e-6);
      // mask: OR over (x - 3 + i, y - 1 + j) with kx[i] ky[j] != 0
      for (let y = 1; y <= H - 3; y++) {
        for (let x = 3; x <= W - 4; x++) {
          let m = 0;
          for (let j = 0; j < ky.length; j++) for (let i = 0; i < kx.length; i++) if (kx[i] !== 0 && ky[j] !== 0) m |= mask[(y - 1 + j) * W + (x - 3 + i)]!;
          expect(out.mask[y * W + x], `mask (${x}, ${y})`).toBe(m);
        }
      }
      expect(out.mask[20 * W + 30]).toBe(0); // the zero kernel column does not propagate the bit
      expect(out.mask[20 * W + 31]).toBe(1);
      expect(out.mask[0]).toBe(16);
      expect(out.variance[0]).toBe(Infinity);
      const copied = { image: new Float32Array(W * H), variance: new Float32Array(W * H), mask: new Int32Array(W * H) };
      const mask2 = Int32Array.from(mask);
      mask2[0] = 0b10;
      convolveMaskedImage({ image: src, variance, mask: mask2, width: W, height: H }, copied, k2, { backend, doCopyEdge: true });
      expect(copied.mask[0]).toBe(0b10010);
      expect(copied.variance[0]).toBe(variance[0]);
      expectClose(copied.variance.subarray(W * 5, W * 6), refV.subarray(W * 5, W * 6).map((v, i) => (i < 3 || i > W - 4 ? variance[W * 5 + i]! : v)), 2e-6);
    });

    it('a Gaussian-smoothed 2048-wide band agrees with the direct sum (multi-band split)', () => {
      const w = 2048;
      const h = 24;
      const r4 = rng(5);
      const big = Float32Array.from({ length: w * h }, () => r4());
      const g = gaussianKernel1d(1.5, 4);
      const dst = new Float32Array(w * h);
      convolveSeparable(big, dst, w, h, g, g, { backend });
      const gg = outerKernel2d(g, g);
      for (const [x, y] of [[4, 4], [1000, 10], [2043, 19], [3, 10], [500, 20]] as const) {
        const e = naivePixel(big, w, h, gg.data, 9, 9, x, y);
        if (Number.isNaN(e)) expect(Number.isNaN(dst[y * w + x]!)).toBe(true);
        else expect(dst[y * w + x]).toBeCloseTo(e, 5);
      }
    });

    it('binned statistics: each bin mean equals the direct mean of its unmasked pixels', () => {
      const w = 300;
      const h = 200;
      const r5 = rng(3);
      const img = Float32Array.from({ length: w * h }, () => 10 + r5());
      const mask = Int32Array.from({ length: w * h }, () => (r5() < 0.1 ? 2 : 0));
      const model = makeBackground(img, w, h, { binSize: 64, statisticsProperty: 'MEAN', mask, andMask: 2, backend });
      const stats = model.getStatsImage();
      expect([stats.nx, stats.ny]).toEqual([5, 4]);
      for (let iY = 0; iY < stats.ny; iY++) {
        for (let iX = 0; iX < stats.nx; iX++) {
          let s = 0;
          let n = 0;
          for (let y = model.binsY.orig[iY]!; y < model.binsY.orig[iY]! + model.binsY.size[iY]!; y++) {
            for (let x = model.binsX.orig[iX]!; x < model.binsX.orig[iX]! + model.binsX.size[iX]!; x++) {
              if (mask[y * w + x] === 0) {
                s += img[y * w + x]!;
                n++;
              }
            }
          }
          expect(stats.values[iY * stats.nx + iX]).toBeCloseTo(s / n, 5);
        }
      }
    });

    it('background images (interpolated and approximated) agree with the single-threaded reference path', async () => {
      const w = 257;
      const h = 190;
      const img = Float32Array.from({ length: w * h }, (_, k) => 100 + 0.01 * (k % w) + 0.02 * Math.floor(k / w) + 0.0001 * (k % w) ** 2);
      for (const approx of [{ useApprox: false }, { useApprox: true, approxOrderX: 2 }]) {
        const ours = makeBackground(img, w, h, { binSize: 40, statisticsProperty: 'MEAN', approx, backend }).getImage();
        const { cpuBackend } = await import('../src/index.js');
        const ref = makeBackground(img, w, h, { binSize: 40, statisticsProperty: 'MEAN', approx, backend: cpuBackend }).getImage();
        expectClose(ours, ref, 1e-6);
      }
    });

    it('Chebyshev grid evaluation equals point evaluation', () => {
      const xs: number[] = [];
      const ys: number[] = [];
      const zs: number[] = [];
      for (let y = 0; y < 10; y++) for (let x = 0; x < 10; x++) {
        xs.push(x * 20);
        ys.push(y * 15);
        zs.push(Math.sin(x) + y * y);
      }
      const fit = fitChebyshev2d(xs, ys, zs, { orderX: 4, domain: { minX: -0.5, maxX: 199.5, minY: -0.5, maxY: 149.5 } });
      const out = new Float32Array(200 * 150);
      backend.run('evaluateChebyshev', { coefficients: fit.coefficients, orderX: 4, orderY: 4, domain: fit.domain, out, x0: 0, y0: 0, width: 200, height: 150 });
      for (const [x, y] of [[0, 0], [199, 149], [57, 88], [120, 3]] as const) expect(out[y * 200 + x]).toBeCloseTo(fit.evaluate(x, y), 4);
    });

    it('adding a Chebyshev grid into image rows equals evaluating then adding, bit for bit, with its row sums', () => {
      const random = rng(11);
      const coefficients = new Float64Array(25);
      for (let j = 0; j <= 4; j++) for (let i = 0; i + j <= 4; i++) coefficients[j * 5 + i] = (i + j === 0 ? 500 : 0) + random() - 0.5;
      const domain = { minX: -0.5, maxX: 299.5, minY: -0.5, maxY: 99.5 };
      const series = { coefficients, orderX: 4, orderY: 4, domain };
      // a 131 × 61 box at (7, 13) of the series, in a 150-wide image from element 151
      const width = 131;
      const height = 61;
      const stride = 150;
      const offset = 151;
      const length = offset + (height - 1) * stride + width + 5;
      const center = 500.5;
      const band = new Float32Array(width * height);
      backend.run('evaluateChebyshev', { ...series, out: band, x0: 7, y0: 13, width, height });
      for (const shared of [false, true]) {
        for (const sign of [-1, 1]) {
          const img = shared ? allocShared(Float32Array, length) : new Float32Array(length);
          for (let k = 0; k < length; k++) img[k] = k % 41 === 3 ? NaN : 100 * random() - 50;
          const want = img.slice();
          const wantSums = new Float64Array(4 * height);
          for (let r = 0; r < height; r++) {
            for (let x = 0; x < width; x++) {
              const v = band[r * width + x]!;
              want[offset + r * stride + x] = want[offset + r * stride + x]! + sign * v;
              wantSums[4 * r + (x & 1)] = wantSums[4 * r + (x & 1)]! + (v - center);
              wantSums[4 * r + 2 + (x & 1)] = wantSums[4 * r + 2 + (x & 1)]! + (v - center) ** 2;
            }
          }
          const sums = new Float64Array(4 * height);
          backend.run('addChebyshev', { ...series, out: img, offset, stride, x0: 7, y0: 13, width, height, sign, center, outSums: sums });
          let bad = -1;
          for (let k = 0; k < length && bad < 0; k++) if (img[k] !== want[k] && !(Number.isNaN(img[k]) && Number.isNaN(want[k]))) bad = k;
          expect(bad, `first differing pixel (shared ${shared}, sign ${sign})`).toBe(-1);
          expect(Array.from(sums)).toEqual(Array.from(wantSums));
        }
      }
    });

    it('the Poisson variance of an image box equals I/g + (rn/g)² per pixel (and V + I with accumulate), outside the box untouched', () => {
      const random = rng(23);
      // a 301 × 97 box in planes of different strides and offsets, every pixel type an image can have
      const width = 301;
      const height = 97;
      const imageStride = 320;
      const imageOffset = 5 * imageStride + 7;
      const stride = 310;
      const offset = 9;
      const gain = 1.7;
      const readNoise = 4.5;
      const rv = (readNoise / gain) ** 2;
      const sources = [
        (n: number) => new Float32Array(n),
        (n: number) => allocShared(Float32Array, n),
        (n: number) => new Float64Array(n),
        (n: number) => new Int32Array(n),
        (n: number) => new Uint16Array(n),
      ];
      for (const make of sources) {
        const image = make(imageOffset + (height - 1) * imageStride + width + 3);
        // negative values too (where the type holds them), and a NaN in the float planes
        for (let k = 0; k < image.length; k++) image[k] = Math.round(3000 * random()) - (image instanceof Uint16Array ? 0 : 500);
        if (image instanceof Float32Array) image[imageOffset + 40 * imageStride + 13] = NaN;
        for (const accumulate of [false, true]) {
          for (const shared of [false, true]) {
            const length = offset + (height - 1) * stride + width + 4;
            const variance = shared ? allocShared(Float32Array, length) : new Float32Array(length);
            for (let k = 0; k < length; k++) variance[k] = 100 * random();
            const want = variance.slice();
            for (let r = 0; r < height; r++) {
              for (let x = 0; x < width; x++) {
                const i = imageOffset + r * imageStride + x;
                const o = offset + r * stride + x;
                want[o] = ((accumulate ? want[o]! : 0) + image[i]!) / gain + rv;
              }
            }
            poissonVariance(image, variance, { width, height, gain, readNoise, accumulate, imageOffset, imageStride, offset, stride, backend });
            let bad = -1;
            for (let k = 0; k < length && bad < 0; k++) if (variance[k] !== want[k] && !(Number.isNaN(variance[k]) && Number.isNaN(want[k]))) bad = k;
            expect(bad, `first differing pixel (${image.constructor.name}, accumulate ${accumulate}, shared ${shared})`).toBe(-1);
          }
        }
      }
    });

    it('fills a box of a plane with one value (as the typed array stores it), outside the box untouched', () => {
      const random = rng(29);
      // a 301 × 97 box (large enough to be split between threads) at an offset, with a stride
      const width = 301;
      const height = 97;
      const stride = 310;
      const offset = 11;
      const length = offset + (height - 1) * stride + width + 5;
      const planes = [
        { make: (n: number) => new Float32Array(n), value: -2.5 },
        { make: (n: number) => allocShared(Float32Array, n), value: 1e-3 },
        { make: (n: number) => allocShared(Float64Array, n), value: Math.PI },
        { make: (n: number) => allocShared(Int32Array, n), value: 0x40000001 },
        { make: (n: number) => allocShared(Int32Array, n), value: 3.7 },
        { make: (n: number) => allocShared(Uint16Array, n), value: 70000 },
      ];
      for (const { make, value } of planes) {
        for (const contiguous of [false, true]) {
          const s = contiguous ? width : stride;
          const plane = make(length);
          for (let k = 0; k < length; k++) plane[k] = Math.round(1000 * random());
          const want = plane.slice();
          // the stored value, by a one-element array of the same type
          const stored = new (want.constructor as Float64ArrayConstructor)([value])[0]!;
          for (let r = 0; r < height; r++) for (let x = 0; x < width; x++) want[offset + r * s + x] = stored;
          fillPlane(plane, value, { width, height, offset, stride: s, backend });
          let bad = -1;
          for (let k = 0; k < length && bad < 0; k++) if (plane[k] !== want[k]) bad = k;
          expect(bad, `first differing value (${plane.constructor.name}${isSharedPlane(plane) ? ', shared' : ''}, value ${value}, stride ${s})`).toBe(-1);
        }
      }
    });

    it('ANDs then ORs constants into a box of a mask plane, outside the box untouched', () => {
      const random = rng(31);
      // a 2100 × 37 box (rows longer than one block, split between threads) at an offset, with a stride
      const width = 2100;
      const height = 37;
      const stride = 2113;
      const offset = 7;
      const length = offset + (height - 1) * stride + width + 5;
      const ops = [
        { and: ~0b1100, or: 0 }, // clear two planes
        { and: -1, or: 0b10000 }, // set one
        { and: ~0b1, or: 0b100000 }, // both
        { and: 0x7fffffff, or: -0x80000000 }, // the sign bit
      ];
      for (const shared of [false, true]) {
        for (const { and, or } of ops) {
          for (const sparse of [false, true]) {
            const plane = shared ? allocShared(Int32Array, length) : new Int32Array(length);
            // sparse: bits in only a few pixels, as a mask with few detections; else random bits everywhere
            for (let k = 0; k < length; k++) plane[k] = sparse ? (random() < 0.001 ? (random() * 0x100) | 0 : 0) : (random() * 0x100000000) | 0;
            const want = plane.slice();
            for (let r = 0; r < height; r++) for (let x = 0; x < width; x++) want[offset + r * stride + x] = (want[offset + r * stride + x]! & and) | or;
            maskBits(plane, and, or, { width, height, offset, stride, backend });
            let bad = -1;
            for (let k = 0; k < length && bad < 0; k++) if (plane[k] !== want[k]) bad = k;
            expect(bad, `first differing pixel (and ${and}, or ${or}, shared ${shared}, sparse ${sparse})`).toBe(-1);
          }
        }
      }
    });
  });
}
