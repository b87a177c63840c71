import { astropyAvailable, runPythonJson } from '@skystack/test-support';
import { describe, expect, it } from 'vitest';
import { KernelsInvalidArgumentError } from './errors.js';
import { setSimdEnabled } from './simd-kernels.js';
import { makeStatistics, meanClipOfBin, nthElement, quantile, type Statistics, type StatisticsProperty } from './statistics.js';

function gaussian(seed: number): () => number {
  let a = seed >>> 0;
  const u = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

// numpy reference: plain moments and percentiles, and afw's clipping rule written out in numpy.
const NUMPY = String.raw`
import sys, json
import numpy as np
c = json.load(sys.stdin)
v = np.array(c['v'], dtype=np.float32).astype(np.float64)
m = np.array(c['m'], dtype=np.int64)
w = np.array(c['w'], dtype=np.float64)
good = np.isfinite(v) & ((m & 1) == 0)
g = v[good]
q25, q50, q75 = np.percentile(g, [25, 50, 75])
center, hw = q50, 3 * 0.741301109252802 * (q75 - q25)
for i in range(3):
    if i > 0:
        center, hw = sel.mean(), 3 * sel.std(ddof=1)
    sel = g[np.abs(g - center) <= hw]
wm = np.average(g, weights=w[good])
print(json.dumps({'n': int(g.size), 'sum': float(g.sum()), 'mean': float(g.mean()), 'std': float(g.std(ddof=1)),
  'var': float(g.var(ddof=1)), 'median': float(q50), 'iqr': float(q75 - q25), 'min': float(g.min()), 'max': float(g.max()),
  'meanclip': float(sel.mean()), 'stdclip': float(sel.std(ddof=1)), 'wmean': float(wm),
  'pct': [float(np.percentile(g[:k], p)) for k, p in [(1, 50), (2, 50), (7, 10), (8, 90), (101, 37)]]}))
`;

describe('makeStatistics', () => {
  it.skipIf(!astropyAvailable())('matches numpy: moments (ddof=1), percentiles, afw clipping, weights, mask and NaN handling', () => {
    const g = gaussian(42);
    const n = 5001;
    const v = Float32Array.from({ length: n }, (_, k) => (k % 97 === 0 ? 200 + k : 50 + 4 * g()));
    v[17] = NaN;
    v[18] = Infinity;
    const m = Int32Array.from({ length: n }, (_, k) => (k % 13 === 0 ? 1 : k % 11 === 0 ? 2 : 0));
    const w = Float32Array.from({ length: n }, (_, k) => 1 + (k % 5));
    const np = runPythonJson<Record<string, number> & { pct: number[] }>(NUMPY, [], { v: Array.from(v, (x) => (Number.isFinite(x) ? x : x > 0 ? 'Infinity' : 'NaN')).map((x) => (typeof x === 'string' ? Number(x) : x)), m: Array.from(m), w: Array.from(w) });
    const s = makeStatistics(v, {
      properties: ['NPOINT', 'SUM', 'MEAN', 'STDEV', 'VARIANCE', 'MEDIAN', 'IQRANGE', 'MIN', 'MAX', 'MEANCLIP', 'STDEVCLIP'],
      mask: m,
      andMask: 1,
    });
    expect(s.getValue('NPOINT')).toBe(np['n']);
    expect(s.getValue('SUM')).toBeCloseTo(np['sum']!, 6);
    expect(s.getValue('MEAN')).toBeCloseTo(np['mean']!, 10);
    expect(s.getValue('STDEV')).toBeCloseTo(np['std']!, 9);
    expect(s.getValue('VARIANCE')).toBeCloseTo(np['var']!, 8);
    expect(s.getValue('MEDIAN')).toBeCloseTo(np['median']!, 10);
    expect(s.getValue('IQRANGE')).toBeCloseTo(np['iqr']!, 10);
    expect(s.getValue('MIN')).toBe(np['min']);
    expect(s.getValue('MAX')).toBe(np['max']);
    expect(s.getValue('MEANCLIP')).toBeCloseTo(np['meanclip']!, 10);
    expect(s.getValue('STDEVCLIP')).toBeCloseTo(np['stdclip']!, 9);
    const sw = makeStatistics(v, { properties: ['MEAN'], mask: m, andMask: 1, weights: w });
    expect(sw.getValue()).toBeCloseTo(np['wmean']!, 9);
    // quantiles of the good values with numpy's default (linear) percentile
    const goodVals = Float64Array.from(Array.from(v).filter((x, k) => Number.isFinite(x) && (m[k]! & 1) === 0));
    const cases: [number, number][] = [[1, 50], [2, 50], [7, 10], [8, 90], [101, 37]];
    cases.forEach(([k, p], i) => expect(quantile(goodVals.slice(0, k), k, p / 100)).toBeCloseTo(np.pct[i]!, 10));
  });

  it('clipped statistics recover the truth of Gaussian noise with 5% outliers', () => {
    const g = gaussian(7);
    const n = 200000;
    const v = Float32Array.from({ length: n }, (_, k) => (k % 20 === 0 ? 1000 + 100 * g() : 10 + 2 * g()));
    const s = makeStatistics(v, { properties: ['MEANCLIP', 'STDEVCLIP', 'MEAN'], errors: true });
    // mean of N(10, 2): standard error 2 / √190000 ≈ 0.0046
    expect(Math.abs(s.getValue('MEANCLIP') - 10)).toBeLessThan(0.02);
    // a Gaussian clipped at ±3σ has σ' = 0.98654 σ
    expect(s.getValue('STDEVCLIP')).toBeGreaterThan(2 * 0.98654 * 0.99);
    expect(s.getValue('STDEVCLIP')).toBeLessThan(2 * 0.98654 * 1.01);
    expect(s.getError('MEANCLIP')).toBeCloseTo(2 * 0.98654 / Math.sqrt(0.95 * n), 3);
    expect(s.getValue('MEAN')).toBeGreaterThan(50);
  });

  it('errors follow afw: mean error σ/√N, median √(π/2 var/N); no good values give NaN', () => {
    const v = Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const s = makeStatistics(v, { properties: ['MEAN', 'MEDIAN', 'NPOINT'], errors: true });
    const variance = 6; // Σ(x - 4.5)² / 7 = 42 / 7
    expect(s.getError('MEAN')).toBeCloseTo(Math.sqrt(variance / 8), 12);
    expect(s.getError('MEDIAN')).toBeCloseTo(Math.sqrt((Math.PI / 2) * variance / 8), 12);
    expect(s.getValue('MEDIAN')).toBe(4.5);
    expect(s.getError('NPOINT')).toBe(0);
    const none = makeStatistics(Float32Array.of(NaN, 1, 2), { properties: ['MEAN', 'MEDIAN', 'MEANCLIP', 'NPOINT'], mask: Int32Array.of(0, 4, 4), andMask: 4 });
    expect(none.getValue('NPOINT')).toBe(0);
    expect(Number.isNaN(none.getValue('MEAN'))).toBe(true);
    expect(Number.isNaN(none.getValue('MEDIAN'))).toBe(true);
    expect(Number.isNaN(none.getValue('MEANCLIP'))).toBe(true);
    expect(() => s.getValue('MAX')).toThrow(/not requested/);
    expect(() => makeStatistics(new Float32Array(0))).toThrow(KernelsInvalidArgumentError);
    expect(() => makeStatistics(v, { scratch: new Float64Array(2), properties: ['MEDIAN'] })).toThrow(/scratch/);
  });

  it('a window of a row-major image gives the statistics of its pixels only', () => {
    const w = 10;
    const img = Float32Array.from({ length: 60 }, (_, k) => k);
    const s = makeStatistics(img, { properties: ['MEAN', 'NPOINT', 'MEDIAN'], region: { stride: w, x0: 2, y0: 1, width: 3, height: 2 } });
    // pixels 12, 13, 14, 22, 23, 24
    expect(s.getValue('NPOINT')).toBe(6);
    expect(s.getValue('MEAN')).toBe(18);
    expect(s.getValue('MEDIAN')).toBe(18);
    expect(() => makeStatistics(img, { region: { stride: w, x0: 8, y0: 0, width: 3, height: 1 } })).toThrow(/does not fit/);
  });

  it('nthElement selects order statistics (checked against a sort)', () => {
    const g = gaussian(3);
    for (const n of [1, 2, 5, 16, 17, 100, 1001]) {
      const a = Float64Array.from({ length: n }, () => Math.round(g() * 5)); // many ties
      const sorted = Float64Array.from(a).sort();
      for (const k of [0, Math.floor(n / 3), n - 1]) expect(nthElement(Float64Array.from(a), 0, n, k)).toBe(sorted[k]);
    }
  });
});

describe('order statistics of large samples (bucketed selection)', () => {
  // Independent reference: a full sort and numpy's linear percentile, and afw's clipping rule.
  const pct = (sorted: Float64Array, p: number): number => {
    const idx = (p / 100) * (sorted.length - 1);
    const lo = Math.floor(idx);
    return lo + 1 >= sorted.length ? sorted[lo]! : (lo + 1 - idx) * sorted[lo]! + (idx - lo) * sorted[lo + 1]!;
  };
  const samples: [string, Float32Array][] = [];
  const g = gaussian(7);
  samples.push(['sky with a bright tail', Float32Array.from({ length: 16384 }, (_, k) => (k % 53 === 0 ? 5000 + 40 * k : 1000 + 31 * g()))]);
  samples.push(['heavy ties', Float32Array.from({ length: 9000 }, (_, k) => Math.round(3 * g()) + (k % 1000 === 0 ? -1e6 : 0))]);
  samples.push(['all equal but one', Float32Array.from({ length: 4096 }, (_, k) => (k === 4000 ? 7.5 : 2))]);
  samples.push(['tiny spread', Float32Array.from({ length: 3001 }, () => 1 + 1e-7 * g())]);

  for (const [name, v] of samples) {
    it(`${name}: median, quartiles and clipped mean equal the sorted-array values`, () => {
      const sorted = Float64Array.from(v).sort();
      const q25 = pct(sorted, 25);
      const q50 = pct(sorted, 50);
      const q75 = pct(sorted, 75);
      expect(quantile(Float32Array.from(v), v.length, 0.5)).toBe(q50);
      expect(quantile(Float32Array.from(v), v.length, 0.9)).toBe(pct(sorted, 90));
      const s = makeStatistics(v, { properties: ['MEDIAN', 'IQRANGE'] });
      expect(s.getValue('MEDIAN')).toBe(q50);
      expect(s.getValue('IQRANGE')).toBe(q75 - q25);
      // MEANCLIP alone (no plain moments computed) against the clipping rule on the sorted values
      let center = q50;
      let hw = 3 * 0.741301109252802 * (q75 - q25);
      let mean = NaN;
      for (let i = 0; i < 3; i++) {
        let n = 0;
        let s1 = 0;
        for (const x of sorted) if (Math.abs(x - center) <= hw) {
          n++;
          s1 += x;
        }
        mean = s1 / n;
        let s2 = 0;
        for (const x of sorted) if (Math.abs(x - center) <= hw) s2 += (x - mean) ** 2;
        center = mean;
        hw = 3 * Math.sqrt(s2 / (n - 1));
      }
      const clip = makeStatistics(v, { properties: ['MEANCLIP'], errors: true });
      expect(clip.getValue('MEANCLIP')).toBeCloseTo(mean, 9);
      const both = makeStatistics(v, { properties: ['MEANCLIP', 'NPOINT'], errors: true });
      expect(both.getResult('MEANCLIP')[1]).toBeCloseTo(clip.getResult('MEANCLIP')[1], 12);
    });
  }
});

describe('makeStatistics MEDIAN alone of a large float32 window (two streaming passes)', () => {
  const NUMPY_MEDIAN = String.raw`
import sys, json
import numpy as np
c = json.load(sys.stdin)
v = np.array(c['v'], dtype=np.float32).reshape(c['h'], c['w'])
m = np.array(c['m'], dtype=np.int64).reshape(c['h'], c['w'])
out = []
for (x0, y0, w, h, nan_safe) in c['cases']:
    vv = v[y0:y0 + h, x0:x0 + w].ravel().astype(np.float64)
    mm = m[y0:y0 + h, x0:x0 + w].ravel()
    good = ((mm & 4) == 0) & (np.isfinite(vv) if nan_safe else ~np.isnan(vv))
    out.append(float(np.median(vv[good])) if good.any() else None)
print(json.dumps(out))
`;

  it.skipIf(!astropyAvailable())('equals numpy.median of the good values (mask, NaN, ±Infinity, negative values, ties, windows)', () => {
    const g = gaussian(11);
    const w = 300;
    const h = 260;
    const v = new Float32Array(w * h);
    const m = new Int32Array(w * h);
    for (let k = 0; k < v.length; k++) {
      const r = k % 1009;
      v[k] = r === 0 ? NaN : r === 1 ? Infinity : r === 2 ? -Infinity : k % 7 === 0 ? Math.round(3 * g()) : k < 30000 ? 1025 + 32 * g() : -0.001 * g();
      m[k] = k % 5 === 0 ? 4 : k % 3 === 0 ? 1 : 0;
    }
    const cases: [number, number, number, number, boolean][] = [
      [0, 0, w, h, true],
      [0, 0, w, h, false],
      [13, 7, 280, 250, true],
      [0, 40, w, 220, true],
    ];
    const np = runPythonJson<(number | null)[]>(NUMPY_MEDIAN, [], { v: Array.from(v, (x) => (Number.isFinite(x) ? x : String(x))), m: Array.from(m), w, h, cases });
    for (let c = 0; c < cases.length; c++) {
      const [x0, y0, cw, ch, nanSafe] = cases[c]!;
      const region = { stride: w, x0, y0, width: cw, height: ch };
      expect(cw * ch).toBeGreaterThanOrEqual(65536); // the streaming path
      const median = makeStatistics(v, { properties: ['MEDIAN'], mask: m, andMask: 4, nanSafe, region }).getValue('MEDIAN');
      expect(median).toBe(np[c]);
    }
  });

  it('is NaN with no good value and exact for constant data', () => {
    const n = 1 << 17;
    const v = new Float32Array(n).fill(2.5);
    expect(makeStatistics(v, { properties: ['MEDIAN'] }).getValue('MEDIAN')).toBe(2.5);
    const masked = makeStatistics(v, { properties: ['MEDIAN'], mask: new Int32Array(n).fill(1), andMask: 1 });
    expect(Number.isNaN(masked.getValue('MEDIAN'))).toBe(true);
    // 0..n-1 shuffled: the median is (n - 1) / 2
    const ramp = Float32Array.from({ length: n }, (_, k) => (k * 7919) % n);
    expect(makeStatistics(ramp, { properties: ['MEDIAN'] }).getValue('MEDIAN')).toBe((n - 1) / 2);
    // the same values with the largest in every 8th row (where the pass samples its guess of the
    // median's range): the guess misses and a second pass gathers the middle values
    const w = 512;
    const rows = new Float32Array(n);
    let big = n - (n / w / 8) * w;
    let small = 0;
    for (let y = 0; y < n / w; y++) for (let x = 0; x < w; x++) rows[y * w + x] = y % 8 === 0 ? big++ : small++;
    const region = { stride: w, x0: 0, y0: 0, width: w, height: n / w };
    expect(makeStatistics(rows, { properties: ['MEDIAN'], region }).getValue('MEDIAN')).toBe((n - 1) / 2);
  });
});

describe('meanClipOfBin', () => {
  /** numpy's linear percentile of the sorted values. */
  function percentile(sorted: Float64Array, p: number): number {
    const idx = p * (sorted.length - 1);
    const q = Math.floor(idx);
    return q + 1 >= sorted.length ? sorted[q]! : (q + 1 - idx) * sorted[q]! + (idx - q) * sorted[q + 1]!;
  }

  function check(values: Float32Array, off: number, m: number, guess: [number, number]): void {
    const part = values.subarray(off, off + m);
    const copy = part.slice();
    let min = Infinity;
    let max = -Infinity;
    for (const v of part) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    const g = Float64Array.of(guess[0], guess[1], NaN);
    const out = new Float64Array(2);
    meanClipOfBin(values, off, m, m, min, max, 3, 3, g, out);
    if (m >= 2048) {
      expect(part).toEqual(copy); // not reordered
      const sorted = Float64Array.from(part).sort();
      expect([g[0], g[1], g[2]]).toEqual([percentile(sorted, 0.25), percentile(sorted, 0.75), percentile(sorted, 0.5)]);
    } else {
      expect([g[0], g[1], g[2]]).toEqual([NaN, NaN, NaN]); // makeStatistics' own selection, no guess
    }
    // bit for bit makeStatistics of the same values (which gathers them in the same order)
    const [v, e] = makeStatistics(copy, { properties: ['MEANCLIP'], errors: true }).getResult('MEANCLIP');
    expect(Object.is(out[0], v) && Object.is(out[1], e)).toBe(true);
    // the same without the range (NaN: found only when the guess does not do)
    part.set(copy);
    const g2 = Float64Array.of(guess[0], guess[1], NaN);
    const out2 = new Float64Array(2);
    meanClipOfBin(values, off, m, m, NaN, NaN, 3, 3, g2, out2);
    expect(Object.is(out2[0], v) && Object.is(out2[1], e)).toBe(true);
  }

  it('finds the exact quartiles and median with good, bad, degenerate and no guesses, and equals makeStatistics', () => {
    const g = gaussian(3);
    const n = 16384;
    const v = Float32Array.from({ length: n + 100 }, (_, k) => (k % 37 === 0 ? 1000 + 30000 * Math.abs(g()) : 1000 + 30 * g()));
    const sorted = Float64Array.from(v.subarray(100)).sort();
    const q25 = percentile(sorted, 0.25);
    const q75 = percentile(sorted, 0.75);
    const w = q75 - q25;
    const guesses: [number, number][] = [[NaN, NaN], [q25, q75], [q25 + 0.3 * w, q75 + 0.3 * w], [q25 + 50 * w, q75 + 50 * w], [q25 - 50 * w, q75 - 50 * w], [q25, q25 + 1e-9], [q75, q25], [-Infinity, Infinity]];
    for (const guess of guesses) check(v, 100, n, guess);
  });

  it('handles ties (integer data), small bins and the 2048-value boundary', () => {
    const g = gaussian(5);
    const ints = Float32Array.from({ length: 5000 }, () => Math.round(200 + 4 * g()));
    check(ints, 0, 5000, [NaN, NaN]);
    check(ints, 0, 5000, [198, 203]);
    const v = Float32Array.from({ length: 2100 }, () => 10 + g());
    for (const m of [1, 2, 7, 2047, 2048, 2049]) check(v, 2100 - m, m, [9.3, 10.7]);
  });
});


describe('makeStatistics MEDIAN alone of a large float32 window: the windowed pass, WebAssembly SIMD and TypeScript', () => {
  /** The median of the good values by sorting them (the definition; NaN with none). */
  function sortedMedian(v: Float32Array, mask: Int32Array | undefined, andMask: number, nanSafe: boolean, region: { stride: number; x0: number; y0: number; width: number; height: number }): number {
    const good: number[] = [];
    for (let y = region.y0; y < region.y0 + region.height; y++) {
      for (let k = y * region.stride + region.x0, e = k + region.width; k < e; k++) {
        if (mask !== undefined && (mask[k]! & andMask) !== 0) continue;
        const x = v[k]!;
        if (Number.isNaN(x) || (nanSafe && !Number.isFinite(x))) continue;
        good.push(x);
      }
    }
    if (good.length === 0) return NaN;
    const a = Float64Array.from(good).sort();
    const n = a.length;
    const idx = 0.5 * (n - 1);
    const q = Math.floor(idx);
    return q + 1 >= n ? a[q]! : (q + 1 - idx) * a[q]! + (idx - q) * a[q + 1]!;
  }

  /** makeStatistics' median with the SIMD kernels on and off: both, and the definition, bit for bit. */
  function expectMedian(v: Float32Array, mask: Int32Array | undefined, andMask: number, nanSafe: boolean, region: { stride: number; x0: number; y0: number; width: number; height: number }): void {
    const expected = sortedMedian(v, mask, andMask, nanSafe, region);
    const options = { properties: ['MEDIAN'] as const, nanSafe, region, andMask, ...(mask === undefined ? {} : { mask }) };
    const simd = makeStatistics(v, options).getValue('MEDIAN');
    const was = setSimdEnabled(false);
    let ts: number;
    try {
      ts = makeStatistics(v, options).getValue('MEDIAN');
    } finally {
      setSimdEnabled(was);
    }
    expect(Object.is(simd, ts), `SIMD ${simd} vs TypeScript ${ts}`).toBe(true);
    // (the sign of a zero median may differ: sorting and the selection order -0 and +0 differently)
    expect(simd === expected || (Number.isNaN(simd) && Number.isNaN(expected)), `${simd} vs sorted ${expected}`).toBe(true);
  }

  it('equals the sorted median on random data (masks, NaN, ±Infinity, ties, negative values; odd sizes and windows, narrow ones)', () => {
    const g = gaussian(5);
    const w = 317;
    const h = 263;
    const n = w * h;
    const v = new Float32Array(n);
    const mask = new Int32Array(n);
    const kinds = [
      (k: number): number => 1000 + 31 * g() + (k % 97 === 0 ? 5000 * Math.abs(g()) : 0), // sky and stars
      (): number => Math.round(2 * g()), // heavy ties
      (): number => -3 - 1e-3 * g(), // negative, narrow
      (k: number): number => (k % 2 === 0 ? -1 : 1) * (1 + Math.abs(g())), // two clumps: a median between them
    ];
    for (const [i, kind] of kinds.entries()) {
      for (let k = 0; k < n; k++) {
        const r = (k * 7919 + i) % 1013;
        v[k] = r === 0 ? NaN : r === 1 ? Infinity : r === 2 ? -Infinity : kind(k);
        mask[k] = k % 11 === 3 ? 4 : k % 5 === 1 ? 1 : 0;
      }
      const regions = [
        { stride: w, x0: 0, y0: 0, width: w, height: h },
        { stride: w, x0: 5, y0: 3, width: 301, height: 251 }, // odd rows: the last chunk is padded
        { stride: w, x0: 1, y0: 0, width: 63, height: h }, // narrower than 64: TypeScript in both
        { stride: w, x0: 250, y0: 0, width: 64, height: h },
        { stride: n, x0: 0, y0: 0, width: n, height: 1 }, // one long row, as a whole plane
      ];
      for (const region of regions) {
        expect(region.width * region.height).toBeGreaterThanOrEqual(65536 / 4);
        for (const nanSafe of [true, false]) {
          expectMedian(v, mask, 4, nanSafe, { ...region });
          if (region.width * region.height >= 65536) {
            expectMedian(v, undefined, 0, nanSafe, region);
            expectMedian(v, mask, 5, nanSafe, region);
          }
        }
      }
    }
  });

  it('equals the sorted median where the sampled values mislead the window (the counting fallback)', () => {
    // 2^18 values as one row: the pass samples blocks of 16 values every 113 values. Case 1: the
    // sampled values are all small, the others large (the median lies above the window). Case 2:
    // the sampled values are spread, the others all at the sample's median (far more values in
    // the window than the sample promises).
    const n = 1 << 18;
    const sampled = (k: number): boolean => k % 113 < 16;
    const low = Float32Array.from({ length: n }, (_, k) => (sampled(k) ? -(k % 1000) : 10 + (k % 1000)));
    const crowd = Float32Array.from({ length: n }, (_, k) => (sampled(k) ? (k * 7919) % 4096 : 2048));
    for (const v of [low, crowd]) {
      const region = { stride: n, x0: 0, y0: 0, width: n, height: 1 };
      expectMedian(v, undefined, 0, true, region);
      const mask = Int32Array.from({ length: n }, (_, k) => (k % 7 === 0 ? 2 : 0));
      expectMedian(v, mask, 2, true, region);
    }
  });

  it('equals the sorted median when most values are one value (a window of one key), with and without a mask', () => {
    const g = gaussian(12);
    const n = 300 * 301;
    for (const share of [0.6, 0.98]) {
      const v = Float32Array.from({ length: n }, (_, k) => (k % 997 === 0 ? NaN : g() < share * 4 - 2 ? 5.25 : 5.25 + 3 * g()));
      const mask = Int32Array.from({ length: n }, (_, k) => (k % 13 === 0 ? 8 : 0));
      for (const region of [{ stride: 300, x0: 0, y0: 0, width: 300, height: 301 }, { stride: n, x0: 0, y0: 0, width: n, height: 1 }]) {
        expectMedian(v, undefined, 0, true, region);
        expectMedian(v, mask, 8, false, region);
      }
    }
  });

  it('is NaN when every value is masked or not finite, and exact for two values', () => {
    const n = 70001;
    const region = { stride: n, x0: 0, y0: 0, width: n, height: 1 };
    const v = new Float32Array(n).fill(NaN);
    v[100] = Infinity;
    v[200] = -Infinity;
    expectMedian(v, undefined, 0, true, region); // NaN: no good value
    expectMedian(v, undefined, 0, false, region); // -Infinity and Infinity: NaN by the interpolation
    v[300] = 7;
    v[400] = 3;
    expectMedian(v, undefined, 0, true, region); // (3 + 7) / 2
    const mask = new Int32Array(n).fill(1);
    expectMedian(v, mask, 1, false, region);
  });
});

describe('makeStatistics quartiles and clipping of large float32 windows in the WebAssembly SIMD kernels', () => {
  type Region = { stride: number; x0: number; y0: number; width: number; height: number };
  const IQ = 0.741301109252802;

  /** numpy's linear percentile of sorted values (NaN for none). */
  function pct(sorted: Float64Array, p: number): number {
    if (sorted.length === 0) return NaN;
    const idx = p * (sorted.length - 1);
    const q = Math.floor(idx);
    return q + 1 >= sorted.length ? sorted[q]! : (q + 1 - idx) * sorted[q]! + (idx - q) * sorted[q + 1]!;
  }

  /**
   * The definition, written out: the good values in raster order (unmasked; finite, or with
   * nanSafe false all but NaN, which still count in N), the quartiles of their sorted copy, and
   * afw's clipping passes with the unweighted sums in two partial sums (even and odd positions
   * among the gathered values, the order makeStatistics documents).
   */
  function reference(v: Float32Array, mask: Int32Array | undefined, andMask: number, nanSafe: boolean, region: Region, numSigmaClip: number, numIter: number): { median: number; iqr: number; clip: [number, number, number, number]; inOrder: boolean } {
    const good: number[] = [];
    let nGood = 0;
    for (let y = region.y0; y < region.y0 + region.height; y++) {
      for (let k = y * region.stride + region.x0, e = k + region.width; k < e; k++) {
        if (mask !== undefined && (mask[k]! & andMask) !== 0) continue;
        const x = v[k]!;
        if (nanSafe && !Number.isFinite(x)) continue;
        nGood++;
        if (Number.isNaN(x)) continue;
        good.push(x);
      }
    }
    const sorted = Float64Array.from(good).sort();
    const median = pct(sorted, 0.5);
    const iqr = pct(sorted, 0.75) - pct(sorted, 0.25);
    let meanClip = NaN;
    let meanClipVar = NaN;
    let varClip = NaN;
    let nClip = 0;
    for (let i = 0; i < numIter; i++) {
      const c = i > 0 ? meanClip : median;
      const hw = i > 0 && nGood > 1 ? numSigmaClip * Math.sqrt(varClip) : numSigmaClip * IQ * iqr;
      if (Number.isNaN(c) || Number.isNaN(hw)) {
        [meanClip, meanClipVar, varClip, nClip] = [NaN, NaN, NaN, 0];
        continue;
      }
      const s = new Float64Array(2);
      const q = new Float64Array(2);
      const cnt = new Float64Array(2);
      for (let k = 0; k < good.length; k++) {
        const d = good[k]! - c;
        if (Math.abs(d) <= hw) {
          s[k & 1] = s[k & 1]! + d;
          q[k & 1] = q[k & 1]! + d * d;
          cnt[k & 1] = cnt[k & 1]! + 1;
        }
      }
      const n = cnt[0]! + cnt[1]!;
      const mean = (s[0]! + s[1]!) / n;
      let variance = (q[0]! + q[1]!) / n - mean * mean;
      variance *= (n * n) / (n * n - n);
      meanClip = mean + c;
      varClip = variance;
      meanClipVar = (variance * n) / (n * n);
      nClip = n;
    }
    // (the selection reorders fewer than 2048 values, and values with an infinite one among them,
    // before the clipping passes: then the sums' rounding differs from raster order's)
    const inOrder = good.length >= 2048 && good.every((x) => Number.isFinite(x));
    return { median, iqr, clip: [meanClip, meanClipVar, varClip, nClip], inOrder };
  }

  const ALL: StatisticsProperty[] = ['MEANCLIP', 'STDEVCLIP', 'VARIANCECLIP', 'MEDIAN', 'IQRANGE'];
  const PROPERTY_SETS: StatisticsProperty[][] = [['MEANCLIP', 'STDEVCLIP'], ['STDEVCLIP'], ['MEANCLIP'], ['MEDIAN', 'IQRANGE'], ['IQRANGE'], ALL, ['NPOINT', 'MEAN', 'MEDIAN', 'MEANCLIP', 'STDEVCLIP', 'VARIANCECLIP']];

  /** `a` and `b` are the same number (a zero's sign aside where `anyZero`). */
  function same(a: number, b: number, anyZero: boolean): boolean {
    return Object.is(a, b) || (anyZero && a === 0 && b === 0);
  }

  /**
   * makeStatistics with the SIMD kernels on and off, bit for bit (every requested value and
   * error; a zero median or IQR may differ in sign: the selections order -0 and +0 differently),
   * and against {@link reference}.
   */
  function expectSame(v: Float32Array, mask: Int32Array | undefined, andMask: number, nanSafe: boolean, region: Region, properties: StatisticsProperty[], numSigmaClip = 3, numIter = 3): void {
    const options = { properties, errors: true, nanSafe, region, andMask, numSigmaClip, numIter, ...(mask === undefined ? {} : { mask }) };
    const simd = makeStatistics(v, options);
    const was = setSimdEnabled(false);
    let ts: Statistics;
    try {
      ts = makeStatistics(v, options);
    } finally {
      setSimdEnabled(was);
    }
    const ref = reference(v, mask, andMask, nanSafe, region, numSigmaClip, numIter);
    const [meanClip, meanClipVar, varClip, nClip] = ref.clip;
    const expected: Partial<Record<StatisticsProperty, number>> = {
      MEDIAN: ref.median,
      IQRANGE: ref.iqr,
      MEANCLIP: meanClip,
      VARIANCECLIP: varClip,
      STDEVCLIP: Math.sqrt(varClip),
    };
    const expectedError: Partial<Record<StatisticsProperty, number>> = {
      MEANCLIP: Math.sqrt(meanClipVar),
      STDEVCLIP: (0.5 * Math.sqrt((2 * (nClip - 1) * varClip * varClip) / (nClip * nClip))) / Math.sqrt(varClip),
    };
    for (const p of properties) {
      const [a, ea] = simd.getResult(p);
      const [b, eb] = ts.getResult(p);
      const zero = p === 'MEDIAN' || p === 'IQRANGE';
      const what = `${p} ${JSON.stringify({ region, nanSafe, andMask, numSigmaClip, numIter })}`;
      expect(same(a, b, zero) && same(ea, eb, false), `${what}: SIMD [${a}, ${ea}] vs TypeScript [${b}, ${eb}]`).toBe(true);
      const close = (x: number, y: number | undefined): boolean => y === undefined || same(x, y, zero) || (!zero && !ref.inOrder && Math.abs(x - y) <= 1e-10 * (1 + Math.abs(y)));
      expect(close(a, expected[p]), `${what}: ${a} vs the definition ${expected[p]}`).toBe(true);
      expect(close(ea, expectedError[p]), `${what}: error ${ea} vs the definition ${expectedError[p]}`).toBe(true);
    }
  }

  it('equal the TypeScript path and the definition on random data (masks, NaN, ±Infinity, both nanSafe modes, ties, windows with stride and offsets)', () => {
    const g = gaussian(21);
    const w = 211;
    const h = 173;
    const n = w * h;
    const v = new Float32Array(n);
    const mask = new Int32Array(n);
    const kinds = [
      (k: number): number => 1000 + 31 * g() + (k % 89 === 0 ? 8000 * Math.abs(g()) : 0), // sky and stars
      (): number => Math.round(3 * g()), // heavy ties (zeros of one sign)
      (): number => -7 - 1e-4 * g(), // negative, narrow
      (k: number): number => (k % 3 === 0 ? -1 : 1) * (2 + Math.abs(g())), // two clumps
    ];
    for (const [i, kind] of kinds.entries()) {
      for (let k = 0; k < n; k++) {
        const r = (k * 7919 + i) % 1009;
        v[k] = r === 0 ? NaN : r === 1 ? Infinity : r === 2 ? -Infinity : kind(k);
        mask[k] = k % 11 === 3 ? 4 : k % 7 === 1 ? 1 : 0;
      }
      const regions: Region[] = [
        { stride: n, x0: 0, y0: 0, width: n, height: 1 }, // one row, as the noise replacer's sample
        { stride: w, x0: 0, y0: 0, width: w, height: h },
        { stride: w, x0: 7, y0: 5, width: 199, height: 160 }, // a window: rows cross the staging chunks
      ];
      for (const region of regions) {
        for (const nanSafe of [true, false]) {
          for (const [j, properties] of PROPERTY_SETS.entries()) {
            if ((i + j) % 2 === 0) expectSame(v, undefined, 0, nanSafe, region, properties);
            expectSame(v, mask, (i + j) % 3 === 0 ? 5 : 4, nanSafe, region, properties);
          }
        }
      }
    }
  });

  it('equal them for other clipping parameters, and for clipping passes over gathered values of every parity', () => {
    const g = gaussian(8);
    const n = 1 << 16;
    const v = Float32Array.from({ length: n }, (_, k) => (k % 41 === 0 ? 300 + 500 * Math.abs(g()) : 20 + 2 * g()));
    const mask = Int32Array.from({ length: n }, (_, k) => (k % 5 === 0 ? 2 : 0));
    const region = { stride: n, x0: 0, y0: 0, width: n, height: 1 };
    for (const [numSigmaClip, numIter] of [[3, 0], [3, 1], [2.5, 5], [1e-3, 2], [50, 3]] as const) {
      expectSame(v, undefined, 0, true, region, ALL, numSigmaClip, numIter);
      expectSame(v, mask, 2, true, region, ['MEANCLIP', 'STDEVCLIP'], numSigmaClip, numIter);
    }
    // an odd count of good values, and an odd offset of the window
    for (const width of [n - 1, n - 3]) expectSame(v, undefined, 0, true, { stride: n, x0: n - width, y0: 0, width, height: 1 }, ['MEANCLIP', 'STDEVCLIP']);
  });

  it('equal them when few or no values are good, for constant data, one distinct value in a crowd, zeros of both signs and a huge range', () => {
    const n = 20000;
    const region = { stride: n, x0: 0, y0: 0, width: n, height: 1 };
    const g = gaussian(4);
    const sparse = Float32Array.from({ length: n }, () => 5 + g());
    for (const good of [0, 1, 2, 3, 1000, 2047, 2048, 2049]) {
      // only the first `good` values unmasked
      const mask = Int32Array.from({ length: n }, (_, k) => (k < good ? 0 : 1));
      expectSame(sparse, mask, 1, true, region, ALL);
      expectSame(sparse, mask, 1, false, region, ['NPOINT', 'MEANCLIP', 'STDEVCLIP']);
    }
    const nan = new Float32Array(n).fill(NaN);
    nan[10] = Infinity;
    nan[20] = -Infinity;
    for (const nanSafe of [true, false]) expectSame(nan, undefined, 0, nanSafe, region, ALL);
    expectSame(new Float32Array(n).fill(3.5), undefined, 0, true, region, ALL);
    const crowd = Float32Array.from({ length: n }, (_, k) => (k % 10 < 8 ? 1.25 : 1.25 + g()));
    expectSame(crowd, undefined, 0, true, region, ALL);
    const zeros = Float32Array.from({ length: n }, (_, k) => (k % 4 === 0 ? -0 : k % 4 === 1 ? 0 : k % 4 === 2 ? g() : -Math.abs(g())));
    expectSame(zeros, undefined, 0, true, region, ALL);
    const huge = Float32Array.from({ length: n }, (_, k) => (k % 1000 === 0 ? 3e38 : k % 1000 === 1 ? -3e38 : g()));
    expectSame(huge, undefined, 0, true, region, ALL);
    // tiny inputs stay on the TypeScript path; the same definition holds
    for (const m of [1, 2, 5, 100]) expectSame(sparse, undefined, 0, true, { stride: m, x0: 0, y0: 0, width: m, height: 1 }, ALL);
  });

  it('leave the workspace of the binned statistics usable (meanClipOfBin after makeStatistics)', () => {
    const g = gaussian(9);
    const v = Float32Array.from({ length: 40000 }, () => 100 + 3 * g());
    const before = new Float64Array(2);
    meanClipOfBin(v.slice(), 0, v.length, v.length, NaN, NaN, 3, 3, Float64Array.of(NaN, NaN), before);
    makeStatistics(v, { properties: ['MEANCLIP', 'STDEVCLIP'] });
    const after = new Float64Array(2);
    meanClipOfBin(v.slice(), 0, v.length, v.length, NaN, NaN, 3, 3, Float64Array.of(NaN, NaN), after);
    expect(Array.from(after)).toEqual(Array.from(before));
  });
});
