/**
 * The background's binned MEANCLIP (gathered for a whole row of bins in one sweep of the image)
 * must equal, bit for bit, makeStatistics of each bin's window (itself checked against numpy in
 * statistics.test.ts): values and errors, with masked pixels, NaN and infinite values, a fully
 * masked bin, bins of unequal sizes, and both NaN rules.
 */
import { describe, expect, it } from 'vitest';
import { binnedStatisticsRows } from './backend-ops.js';
import { binGeometry, binsForSize, makeBackground } from './background.js';
import { makeStatistics } from './statistics.js';

const W = 301;
const H = 203;
const BAD = 1 << 3;

function scene(): { img: Float32Array; mask: Int32Array } {
  let s = 12345;
  const u = (): number => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
  const img = Float32Array.from({ length: W * H }, (_, k) => 500 + 20 * (u() + u() + u() - 1.5) + (k % 53 === 0 ? 4000 * u() : 0));
  const mask = new Int32Array(W * H);
  for (let k = 0; k < W * H; k++) if (k % 17 === 0) mask[k] = BAD;
  for (let k = 0; k < W * H; k += 29) img[k] = NaN;
  for (let k = 5; k < W * H; k += 31) img[k] = Infinity;
  // the first bin of the second bin row fully masked
  const gx = binGeometry(W, binsForSize(W, 64));
  const gy = binGeometry(H, binsForSize(H, 64));
  for (let y = gy.orig[1]!; y < gy.orig[1]! + gy.size[1]!; y++) for (let x = 0; x < gx.size[0]!; x++) mask[y * W + x] = BAD;
  return { img, mask };
}

const SW = 700;
const SH = 520;
function starScene(): { img: Float32Array; mask: Int32Array } {
  let s = 2024;
  const u = (): number => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
  const img = new Float32Array(SW * SH);
  for (let y = 0; y < SH; y++) {
    for (let x = 0; x < SW; x++) img[y * SW + x] = 1000 + 0.2 * x + (y >= 300 ? 400 : 0) + 25 * (u() + u() + u() + u() - 2);
  }
  for (let i = 0; i < 400; i++) {
    const cx = 5 + Math.floor(u() * (SW - 10));
    const cy = 5 + Math.floor(u() * (SH - 10));
    const f = 200 / (u() * u() + 0.001);
    for (let dy = -3; dy <= 3; dy++) for (let dx = -3; dx <= 3; dx++) img[(cy + dy) * SW + cx + dx]! += f * Math.exp(-(dx * dx + dy * dy) / 2);
  }
  const mask = new Int32Array(SW * SH);
  for (let k = 0; k < SW * SH; k++) if (img[k]! > 1600 + 0.2 * (k % SW) + (k >= 300 * SW ? 400 : 0)) mask[k] = 8;
  for (let k = 11; k < SW * SH; k += 997) img[k] = NaN;
  for (let k = 13; k < SW * SH; k += 1499) img[k] = -Infinity;
  return { img, mask };
}

type Job = Parameters<typeof binnedStatisticsRows>[0];

/** The binned MEANCLIP job of {@link starScene} for a bin size, with or without the mask. */
function starJob(img: Float32Array, mask: Int32Array, binSize: number, useMask: boolean, nanSafe: boolean): Job {
  const gx = binGeometry(SW, binsForSize(SW, binSize));
  const gy = binGeometry(SH, binsForSize(SH, binSize));
  const n = gx.orig.length * gy.orig.length;
  return { image: img, ...(useMask ? { mask } : {}), width: SW, height: SH, xorig: gx.orig, xsize: gx.size, yorig: gy.orig, ysize: gy.size, property: 'MEANCLIP', andMask: useMask ? 8 : 0, numSigmaClip: 3, numIter: 3, nanSafe, outValue: new Float64Array(n), outError: new Float64Array(n) };
}

/** FNV-1a (64 bits) of the IEEE bits of the arrays. */
function fingerprint(arrays: Float64Array[]): string {
  let h = 0xcbf29ce484222325n;
  for (const arr of arrays) for (const w of new BigUint64Array(arr.buffer, arr.byteOffset, arr.length)) h = ((h ^ w) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h.toString(16);
}

const STAR_CASES: [number, boolean, boolean][] = [];
for (const binSize of [128, 100, 40]) for (const useMask of [true, false]) for (const nanSafe of [true, false]) STAR_CASES.push([binSize, useMask, nanSafe]);

describe('binned MEANCLIP', () => {
  for (const nanSafe of [true, false]) {
    it(`equals makeStatistics of every bin, values and errors in double precision (nanSafe ${nanSafe})`, () => {
      const { img, mask } = scene();
      const nx = binsForSize(W, 64);
      const ny = binsForSize(H, 64);
      const gx = binGeometry(W, nx);
      const gy = binGeometry(H, ny);
      const outValue = new Float64Array(nx * ny);
      const outError = new Float64Array(nx * ny);
      const job = { image: img, mask, width: W, height: H, xorig: gx.orig, xsize: gx.size, yorig: gy.orig, ysize: gy.size, property: 'MEANCLIP' as const, andMask: BAD, numSigmaClip: 3, numIter: 3, nanSafe, outValue, outError };
      binnedStatisticsRows(job, 0, 1); // first row of bins
      binnedStatisticsRows(job, 1, ny); // the rest (bands as a parallel backend makes them)
      let nanBins = 0;
      let bad = 0;
      for (let iY = 0; iY < ny; iY++) {
        for (let iX = 0; iX < nx; iX++) {
          const region = { stride: W, x0: gx.orig[iX]!, y0: gy.orig[iY]!, width: gx.size[iX]!, height: gy.size[iY]! };
          const [v, e] = makeStatistics(img, { properties: ['MEANCLIP'], errors: true, region, mask, andMask: BAD, nanSafe }).getResult('MEANCLIP');
          const k = iY * nx + iX;
          if (!Object.is(outValue[k], v) || !Object.is(outError[k], e)) bad++;
          if (Number.isNaN(v)) nanBins++;
        }
      }
      expect(bad).toBe(0);
      expect(nanBins).toBe(1); // the fully masked bin
    });
  }

  it('is what makeBackground stores as the binned values', () => {
    const { img, mask } = scene();
    const model = makeBackground(img, W, H, { binSize: 64, mask, andMask: BAD, approx: { useApprox: false } });
    const stats = model.getStatsImage();
    const gx = binGeometry(W, stats.nx);
    const gy = binGeometry(H, stats.ny);
    const region = { stride: W, x0: gx.orig[2]!, y0: gy.orig[2]!, width: gx.size[2]!, height: gy.size[2]! };
    const [v, e] = makeStatistics(img, { properties: ['MEANCLIP'], errors: true, region, mask, andMask: BAD }).getResult('MEANCLIP');
    expect(stats.values[2 * stats.nx + 2]).toBe(Math.fround(v));
    expect(stats.variance[2 * stats.nx + 2]).toBe(Math.fround(e));
  });

  // A star field with a sky gradient and a step of 20 interquartile ranges at y = 300: bins of
  // 128 and 100 take the guided histogram (guessed from the bin above or to the left) and, at the
  // step and for the first bin, the full-range one; bins of 40 (1600 values) and bins with
  // -Infinity (nanSafe false) take makeStatistics' own selection.
  it('equals makeStatistics of every bin on a star field with a sky step (values and errors)', () => {
    const { img, mask } = starScene();
    let bad = 0;
    for (const [binSize, useMask, nanSafe] of STAR_CASES) {
      const job = starJob(img, mask, binSize, useMask, nanSafe);
      binnedStatisticsRows(job, 0, job.yorig.length);
      const nx = job.xorig.length;
      for (let k = 0; k < job.outValue.length; k++) {
        const iX = k % nx;
        const iY = (k - iX) / nx;
        const region = { stride: SW, x0: job.xorig[iX]!, y0: job.yorig[iY]!, width: job.xsize[iX]!, height: job.ysize[iY]! };
        const [v, e] = makeStatistics(img, { properties: ['MEANCLIP'], errors: true, region, ...(useMask ? { mask } : {}), andMask: job.andMask, nanSafe }).getResult('MEANCLIP');
        if (!Object.is(job.outValue[k], v) || !Object.is(job.outError[k], e)) bad++;
      }
    }
    expect(bad).toBe(0);
  });

  it('gives bit for bit the results of the implementation before the guided histogram (fingerprint)', () => {
    // FNV-1a of every value and error of STAR_CASES, as computed by the binned MEANCLIP of commit
    // 5a87468 (min..max histograms and quickselect per bin)
    const { img, mask } = starScene();
    const arrays: Float64Array[] = [];
    for (const [binSize, useMask, nanSafe] of STAR_CASES) {
      const job = starJob(img, mask, binSize, useMask, nanSafe);
      binnedStatisticsRows(job, 0, 2); // two bands, as a parallel backend makes them
      binnedStatisticsRows(job, 2, job.yorig.length);
      arrays.push(job.outValue, job.outError);
    }
    expect(fingerprint(arrays)).toBe('76716b261ba7c3cd');
  });
});
