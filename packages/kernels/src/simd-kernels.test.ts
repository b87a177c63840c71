import { Random } from '@skystack/base';
import { afterEach, describe, expect, it } from 'vitest';
import { binnedStatisticsRows } from './backend-ops.js';
import { Chebyshev2d } from './chebyshev.js';
import { convolveSeparable } from './convolve.js';
import { gaussianKernel1d } from './gaussian-kernel.js';
import { compactionTable, setSimdEnabled, simdKernels } from './simd-kernels.js';

/** Uniform deviates in (0, 1) from a seeded generator. */
function uniform(seed: number): () => number {
  const rng = new Random(seed);
  return () => rng.uniform();
}

/** Whether two arrays hold the same values bit for bit (NaN = NaN, -0 ≠ +0). */
function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

afterEach(() => {
  setSimdEnabled(true);
});

describe('simdKernels', () => {
  const simd = simdKernels();

  it('is available on this Node (WebAssembly SIMD)', () => {
    expect(simd).toBeDefined();
  });

  it.skipIf(simd === undefined)('separable rows: exact small-integer sums and products, odd and even lengths', () => {
    const k = simd!;
    // rows of s(x, r) = x + 100 r; along x 2 s[x + 3] + 0.5 (s[x] + s[x + 4]) - (s[x + 1] + s[x + 2]),
    // then along y 3 h[r + 1] - (h[r] + h[r + 2])
    const fn = k.separable({ loads: Int32Array.of(3, 0, 4, 1, 2), nPairs: 2, nSingles: 1 }, { loads: Int32Array.of(1, 0, 2), nPairs: 1, nSingles: 1 }, 128);
    for (const n of [0, 1, 2, 7, 8]) {
      const buffer = k.reserve(4096);
      new Float64Array(buffer, 64, 5).set([2, 0.5, -1, 3, -1]);
      const src = new Float32Array(buffer, 128, 3 * 16);
      for (let r = 0; r < 3; r++) for (let x = 0; x < 16; x++) src[16 * r + x] = x + 100 * r;
      const BUF = 512;
      const OUT = BUF + 3 * 128;
      const out = new Float32Array(buffer, OUT, 16).fill(-1);
      const h = new Float64Array(buffer, BUF, 48);
      fn(128, 64, BUF, 0, 0, 0, 2, n, 64, 0, 3072); // rows 0 and 1 along x only
      fn(128 + 64 * 2, 64, BUF + 2 * 128, BUF, OUT, 64, 1, n, 64, 1, 3072); // row 2 along x, then y
      const along = (x: number, r: number): number => 2 * (x + 3) + 0.5 * (2 * x + 4) - (2 * x + 3) + 100 * r * (2 + 1 - 2);
      for (let x = 0; x < 16; x++) {
        if (x < n) for (let r = 0; r < 3; r++) expect(h[16 * r + x]).toBe(along(x, r));
        expect(out[x]).toBe(x < n ? 3 * along(x, 1) - (along(x, 0) + along(x, 2)) : -1);
      }
    }
  });

  it.skipIf(simd === undefined)('row sums: exact small-integer sums with per-row weights, both output types', () => {
    const k = simd!;
    for (const dst of ['f32', 'f64'] as const) {
      for (const n of [0, 1, 2, 7]) {
        const buffer = k.reserve(4096);
        const s = new Float64Array(buffer, 64, 32);
        for (let i = 0; i < 32; i++) s[i] = i;
        // two rows: weights (1, 2) then (-1, 0.5); terms s[x] and s[x + 10]
        new Float64Array(buffer, 512, 4).set([1, 2, -1, 0.5]);
        const OUT = 1024;
        const out = dst === 'f32' ? new Float32Array(buffer, OUT, 32) : new Float64Array(buffer, OUT, 32);
        out.fill(-7);
        k.rowSums(Int32Array.of(0, 80), dst)(64, 0, OUT, (dst === 'f32' ? 4 : 8) * 16, 2, n, 512, 16);
        for (let x = 0; x < 16; x++) {
          expect(out[x]).toBe(x < n ? x + 2 * (x + 10) : -7);
          expect(out[16 + x]).toBe(x < n ? -x + 0.5 * (x + 10) : -7);
        }
      }
    }
  });

  it.skipIf(simd === undefined)('clipped sums: the even and odd partial sums of the values within the clip, odd counts included', () => {
    const k = simd!;
    for (const m of [0, 1, 2, 9]) {
      const buffer = k.reserve(1024);
      const a = new Float32Array(buffer, 68, m);
      // 10, 11, ..., with 13 far out and a NaN at 5
      for (let i = 0; i < m; i++) a[i] = i === 3 ? 1000 : i === 5 ? NaN : 10 + i;
      k.clippedSums(a.byteOffset, m, 10, 20);
      const r = new Float64Array(k.reserve(0), 0, 6);
      let s0 = 0;
      let s1 = 0;
      let n0 = 0;
      let n1 = 0;
      for (let i = 0; i < m; i++) {
        if (i === 3 || i === 5) continue;
        if (i % 2 === 0) {
          s0 += i;
          n0++;
        } else {
          s1 += i;
          n1++;
        }
      }
      expect([r[0], r[1], r[4], r[5]]).toEqual([s0, s1, n0, n1]);
    }
  });
});

describe('simdKernels: the background bins’ gather and quartile histogram', () => {
  const simd = simdKernels();

  it.skipIf(simd === undefined)('gatherGood copies the good values in order and counts them (masks, NaN, ±Infinity, both nanSafe modes, every tail length)', () => {
    const k = simd!;
    const r = uniform(7);
    for (let n = 0; n < 24; n++) {
      const buffer = k.reserve(65536);
      const img = new Float32Array(buffer, 1024, n);
      const msk = new Int32Array(buffer, 4096, n);
      for (let i = 0; i < n; i++) {
        const u = r();
        img[i] = u < 0.1 ? NaN : u < 0.15 ? Infinity : u < 0.2 ? -Infinity : 100 * r();
        msk[i] = r() < 0.2 ? (r() < 0.5 ? 1 : 4) : 0;
      }
      for (const nanSafe of [0, 1]) {
        for (const useMask of [0, 1]) {
          // the definition, value by value
          const expected: number[] = [];
          let good = 0;
          let inf = 0;
          for (let i = 0; i < n; i++) {
            if (useMask === 1 && (msk[i]! & 1) !== 0) continue;
            const v = img[i]!;
            if (Number.isNaN(v)) {
              if (nanSafe === 0) good++;
              continue;
            }
            if (!Number.isFinite(v)) {
              if (nanSafe === 1) continue;
              inf = 1;
            }
            good++;
            expected.push(v);
          }
          const count = k.gatherGood(1024, 4096, n, 1, 8192, nanSafe, useMask);
          expect([...new Float32Array(buffer, 8192, count)]).toEqual(expected);
          expect([...new Int32Array(buffer, 48, 2)]).toEqual([good, inf]);
        }
      }
    }
  });

  it.skipIf(simd === undefined)('bucketKeys clamps and counts as the TypeScript histogram; bucketGather copies the chosen buckets in order', () => {
    const k = simd!;
    const r = uniform(8);
    for (const n of [0, 1, 2, 3, 101, 1000]) {
      const buffer = k.reserve(1 << 18);
      const a = new Float32Array(buffer, 64, n);
      for (let i = 0; i < n; i++) a[i] = i % 50 === 7 ? NaN : i % 61 === 3 ? -Infinity : i % 67 === 5 ? 1e30 : 1000 + 100 * (r() - 0.5);
      const lo = 970;
      const scale = 40 / 60;
      const top = 39;
      const ca = 8192;
      const cb = ca + 4 * 64;
      const keysAt = cb + 4 * 64;
      new Int32Array(buffer, ca, 128).fill(0);
      k.bucketKeys(64, n, lo, scale, top, ca, cb, keysAt);
      const keys = new Uint16Array(buffer, keysAt, n);
      const expA = new Int32Array(64);
      const expB = new Int32Array(64);
      for (let i = 0; i < n; i++) {
        const t = (a[i]! - lo) * scale;
        const b = t >= top ? top : t > 0 ? Math.floor(t) : 0;
        expect(keys[i]).toBe(b);
        (i % 2 === 0 ? expA : expB)[b]!++;
      }
      expect([...new Int32Array(buffer, ca, 64)]).toEqual([...expA]);
      expect([...new Int32Array(buffer, cb, 64)]).toEqual([...expB]);
      // buckets 0 and 20 into two segments
      const segOfAt = keysAt + 2048;
      const fillAt = segOfAt + 4 * 64;
      const bufAt = fillAt + 64;
      const segOf = new Int32Array(buffer, segOfAt, 64).fill(0);
      const fill = new Int32Array(buffer, fillAt, 2);
      const n0 = expA[0]! + expB[0]!;
      segOf[0] = fillAt;
      segOf[20] = fillAt + 4;
      fill[0] = 0;
      fill[1] = n0;
      k.bucketGather(64, n, keysAt, segOfAt, bufAt);
      const want = [...[...a].filter((_, i) => keys[i] === 0), ...[...a].filter((_, i) => keys[i] === 20)];
      expect([...new Float32Array(buffer, bufAt, want.length)]).toEqual(want);
      expect([...fill]).toEqual([n0, want.length]);
    }
  });
});

describe('simdKernels: the row gather, the four-wide clipped sums and the median window', () => {
  const simd = simdKernels();

  it.skipIf(simd === undefined)('gatherGoodRow gathers each bin of a row as gatherGood does (odd widths and offsets, masks, NaN, ±Infinity, both nanSafe modes)', () => {
    const k = simd!;
    const r = uniform(9);
    const width = 97;
    const bins = [
      [0, 13],
      [13, 0],
      [13, 30],
      [43, 4],
      [47, 50],
    ] as const;
    const buffer = k.reserve(1 << 16);
    const img = new Float32Array(buffer, 1024, width);
    const msk = new Int32Array(buffer, 2048, width);
    for (let i = 0; i < width; i++) {
      const u = r();
      img[i] = u < 0.1 ? NaN : u < 0.15 ? Infinity : u < 0.2 ? -Infinity : 100 * r();
      msk[i] = r() < 0.2 ? (r() < 0.5 ? 1 : 4) : 0;
    }
    for (const nanSafe of [0, 1]) {
      for (const useMask of [0, 1]) {
        // one gatherGood per bin, each to its own output
        const expected: { values: number[]; good: number; inf: number }[] = [];
        for (const [b, [x, n]] of bins.entries()) {
          const out = 4096 + 1024 * b;
          const count = k.gatherGood(1024 + 4 * x, 2048 + 4 * x, n, 1, out, nanSafe, useMask);
          const [good, inf] = new Int32Array(buffer, 48, 2);
          expected.push({ values: [...new Float32Array(buffer, out, count)], good: good!, inf: inf! });
        }
        // the row call, each bin's output after 7 values already there, counts starting at 3
        const table = new Int32Array(buffer, 16384, 5 * bins.length);
        for (const [b, [x, n]] of bins.entries()) table.set([4 * x, n, 32768 + 1024 * b + 28, 3, 0], 5 * b);
        k.gatherGoodRow(1024, 2048, bins.length, 16384, 1, nanSafe, useMask);
        for (const [b, e] of expected.entries()) {
          const t = new Int32Array(buffer, 16384 + 20 * b, 5);
          expect(t[2]).toBe(32768 + 1024 * b + 28 + 4 * e.values.length);
          expect([t[3], t[4]]).toEqual([3 + e.good, e.inf]);
          expect([...new Float32Array(buffer, 32768 + 1024 * b + 28, e.values.length)]).toEqual(e.values);
        }
      }
    }
  });

  it.skipIf(simd === undefined)('clipped sums of every length up to 13 (pairs of pairs, a last pair, a last value), values at the clip kept', () => {
    const k = simd!;
    for (let m = 0; m <= 13; m++) {
      const buffer = k.reserve(1024);
      const a = new Float32Array(buffer, 68, m);
      // center 10, clip 4: 6 and 14 kept, 5 and 15 not; a NaN never
      for (let i = 0; i < m; i++) a[i] = [6, 14, 5, 15, NaN, 10, 11, 9, 13][i % 9]! + (i >= 9 ? 0.5 : 0);
      k.clippedSums(a.byteOffset, m, 10, 4);
      const r = new Float64Array(k.reserve(0), 0, 6);
      const s = [0, 0];
      const q = [0, 0];
      const c = [0, 0];
      for (let i = 0; i < m; i++) {
        const d = a[i]! - 10;
        if (!(Math.abs(d) <= 4)) continue;
        const lane = i === m - 1 && m % 2 === 1 ? 0 : i % 2;
        s[lane] = s[lane]! + d;
        q[lane] = q[lane]! + d * d;
        c[lane] = c[lane]! + 1;
      }
      expect([...r]).toEqual([s[0], s[1], q[0], q[1], c[0], c[1]]);
    }
  });

  it.skipIf(simd === undefined)('bucketGatherFew copies the chosen buckets as bucketGather does (every tail length, repeated buckets, chosen keys in a block or not)', () => {
    const k = simd!;
    const r = uniform(11);
    for (const n of [0, 1, 7, 8, 9, 15, 16, 17, 100, 1003]) {
      const buffer = k.reserve(1 << 16);
      const vals = new Float32Array(buffer, 1024, n);
      const keys = new Uint16Array(buffer, 8192, n);
      for (let i = 0; i < n; i++) {
        vals[i] = i + 0.5;
        keys[i] = r() < 0.9 ? 40 + Math.floor(20 * r()) : Math.floor(40 * r());
      }
      for (const chosen of [[3], [3, 17], [0, 5, 9, 21, 30, 39], [45, 46, 47]]) {
        const segOf = new Int32Array(buffer, 12288, 64).fill(0);
        const fillAt = 12800;
        chosen.forEach((b, j) => (segOf[b] = fillAt + 4 * j));
        const run = (few: boolean, bufAt: number): number[] => {
          const fill = new Int32Array(buffer, fillAt, 6);
          let at = 0;
          chosen.forEach((b, j) => {
            fill[j] = at;
            at += keys.filter((x) => x === b).length;
          });
          const c = chosen;
          const last = c[c.length - 1]!;
          if (few) k.bucketGatherFew(1024, n, 8192, 12288, bufAt, c[0]!, c[1] ?? last, c[2] ?? last, c[3] ?? last, c[4] ?? last, last);
          else k.bucketGather(1024, n, 8192, 12288, bufAt);
          return [...fill.subarray(0, c.length), ...new Float32Array(buffer, bufAt, at)];
        };
        const want = run(false, 16384);
        expect(run(true, 32768)).toEqual(want);
        // the definition: each chosen bucket's values in order
        const values = chosen.flatMap((b) => [...vals].filter((_, i) => keys[i] === b));
        expect(want.slice(chosen.length)).toEqual(values);
      }
    }
  });

  it.skipIf(simd === undefined)('radixWindowGather counts the good values below the window and keeps those inside it in order (masks, NaN, ±Infinity, ±0, both limits)', () => {
    const k = simd!;
    const r = uniform(10);
    const key = (b: number): number => b ^ ((b >> 31) >>> 1);
    const bitsOf = (x: number): number => new Int32Array(Float32Array.of(x).buffer)[0]!;
    const table = 64;
    new Uint8Array(k.reserve(1 << 16), table, 256).set(compactionTable());
    for (const n of [0, 4, 8, 36, 400]) {
      const buffer = k.reserve(1 << 16);
      const vals = new Float32Array(buffer, 1024, n);
      const msk = new Int32Array(buffer, 4096, n);
      for (let i = 0; i < n; i++) {
        const u = r();
        vals[i] = u < 0.05 ? NaN : u < 0.1 ? Infinity : u < 0.15 ? -Infinity : u < 0.2 ? -0 : u < 0.25 ? 0 : 20 * (r() - 0.5);
        msk[i] = r() < 0.2 ? 2 : 0;
      }
      const bits = new Int32Array(buffer, 1024, n);
      for (const lim of [0x7f800000, 0x7f800001]) {
        for (const useMask of [0, 1]) {
          for (const [lo, hi] of [[-3, 4], [-0, 0], [-Infinity, 1], [-20, 20]] as const) {
            const slo = key(bitsOf(lo));
            const shi = key(bitsOf(hi));
            let good = 0;
            let below = 0;
            const kept: number[] = [];
            for (let i = 0; i < n; i++) {
              const b = bits[i]!;
              if ((b & 0x7fffffff) >= lim || (useMask === 1 && (msk[i]! & 2) !== 0)) continue;
              good++;
              if (key(b) < slo) below++;
              else if (key(b) <= shi) kept.push(b);
            }
            k.radixWindowGather(1024, 4096, n, 2, useMask, lim, slo, shi, 8192, 5, table);
            expect([...new Int32Array(buffer, 0, 3)]).toEqual([good, below, 5 + kept.length]);
            expect([...new Int32Array(buffer, 8192 + 20, kept.length)]).toEqual(kept);
          }
        }
      }
    }
  });
});

describe('the SIMD paths give the TypeScript loops’ results bit for bit', () => {
  const skip = simdKernels() === undefined;

  it.skipIf(skip)('separable convolution of an image (odd width, NaN pixels, asymmetric kernel)', () => {
    const r = uniform(1);
    const w = 203;
    const h = 61;
    const src = Float32Array.from({ length: w * h }, (_, i) => (i % 997 === 0 ? NaN : 1000 + 50 * (r() - 0.5)));
    for (const [kx, ky] of [
      [gaussianKernel1d(1.7, 6), gaussianKernel1d(1.7, 6)],
      [Float64Array.of(0.1, 0.2, 0.4, 0.25, 0.05), Float64Array.of(0.3, 0.4, 0.3)],
    ] as const) {
      setSimdEnabled(false);
      const js = new Float32Array(w * h);
      convolveSeparable(src, js, w, h, kx, ky);
      setSimdEnabled(true);
      const wasm = new Float32Array(w * h);
      convolveSeparable(src, wasm, w, h, kx, ky);
      expect(sameBits(js, wasm)).toBe(true);
    }
  });

  it.skipIf(skip)('Chebyshev grids (float32 and float64, zero coefficients skipped)', () => {
    const r = uniform(2);
    const coefficients = Float64Array.from({ length: 49 }, (_, i) => (i % 5 === 3 ? 0 : 100 * (r() - 0.5)));
    const cheb = new Chebyshev2d(coefficients, 6, 6, { minX: 0, maxX: 300, minY: 0, maxY: 200 });
    for (const make of [(n: number) => new Float32Array(n), (n: number) => new Float64Array(n)]) {
      setSimdEnabled(false);
      const js = cheb.evaluateGrid(make(301 * 37), 0, 5, 301, 37);
      setSimdEnabled(true);
      const wasm = cheb.evaluateGrid(make(301 * 37), 0, 5, 301, 37);
      expect(sameBits(js, wasm)).toBe(true);
    }
  });

  it.skipIf(skip)('binned clipped means and their errors (background bins, masked pixels)', () => {
    const r = uniform(3);
    const w = 500;
    const h = 420;
    const image = Float32Array.from({ length: w * h }, (_, i) => 1000 + 30 * (r() + r() + r() - 1.5) + (i % 211 === 0 ? 3000 * r() : 0));
    const mask = Int32Array.from({ length: w * h }, (_, i) => (i % 17 === 0 ? 1 : 0));
    const fit = (): Float64Array => {
      // the bins' statistics in double precision, as the background gets them
      const xorig = Int32Array.of(0, 100, 200, 300, 400);
      const yorig = Int32Array.of(0, 140, 280);
      const job = {
        image,
        mask,
        width: w,
        height: h,
        xorig,
        xsize: Int32Array.of(100, 100, 100, 100, 100),
        yorig,
        ysize: Int32Array.of(140, 140, 140),
        property: 'MEANCLIP' as const,
        andMask: 1,
        numSigmaClip: 3,
        numIter: 3,
        nanSafe: false,
        outValue: new Float64Array(15),
        outError: new Float64Array(15),
      };
      binnedStatisticsRows(job, 0, 3);
      return Float64Array.from([...job.outValue, ...job.outError]);
    };
    setSimdEnabled(false);
    const js = fit();
    setSimdEnabled(true);
    const wasm = fit();
    expect(sameBits(js, wasm)).toBe(true);
  });

  it.skipIf(skip)('binned clipped means with odd bin widths, NaN and ±Infinity pixels, with and without a mask, both nanSafe modes', () => {
    const r = uniform(4);
    const w = 331;
    const h = 150;
    const image = Float32Array.from({ length: w * h }, (_, i) =>
      i % 401 === 0 ? NaN : i % 977 === 0 ? Infinity : i % 1511 === 0 ? -Infinity : 500 + 20 * (r() + r() - 1) + (i % 157 === 0 ? 2000 * r() : 0),
    );
    const mask = Int32Array.from({ length: w * h }, (_, i) => (i % 13 === 0 ? 2 : i % 29 === 0 ? 8 : 0));
    const fit = (nanSafe: boolean, withMask: boolean): Float64Array => {
      const job = {
        image,
        ...(withMask ? { mask } : {}),
        width: w,
        height: h,
        xorig: Int32Array.of(0, 97, 194, 301),
        xsize: Int32Array.of(97, 97, 107, 30),
        yorig: Int32Array.of(0, 75),
        ysize: Int32Array.of(75, 75),
        property: 'MEANCLIP' as const,
        andMask: 2,
        numSigmaClip: 3,
        numIter: 3,
        nanSafe,
        outValue: new Float64Array(8),
        outError: new Float64Array(8),
      };
      binnedStatisticsRows(job, 0, 2);
      return Float64Array.from([...job.outValue, ...job.outError]);
    };
    for (const nanSafe of [false, true]) {
      for (const withMask of [false, true]) {
        setSimdEnabled(false);
        const js = fit(nanSafe, withMask);
        setSimdEnabled(true);
        const wasm = fit(nanSafe, withMask);
        expect(sameBits(js, wasm)).toBe(true);
        if (nanSafe) expect(js.slice(0, 8).every((v) => Number.isFinite(v))).toBe(true);
      }
    }
  });
});
