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
});
