import { describe, expect, it } from 'vitest';
import { HealSparseFormatError } from './errors.js';
import { HealSparseCoverage, computeBitShift } from './healsparse-coverage.js';

describe('HealSparseCoverage', () => {
  it('uses the offset convention of the spec: sparse index = pixel + covIndexMap[pixel >> shift]', () => {
    expect(computeBitShift(256, 32768)).toBe(14);
    expect(computeBitShift(32, 32)).toBe(0);
    const empty = HealSparseCoverage.makeEmpty(2, 8); // 48 coverage pixels, 16 fine pixels each
    expect(empty.nfinePerCov).toBe(16);
    // cov_map[:] = -arange(npix) * nfine_per_cov for an empty map.
    expect(Array.from(empty.covIndexMap().subarray(0, 4))).toEqual([0, -16, -32, -48]);
    // Coverage pixel 7 in block 2, pixel 40 in block 1.
    const index = Array.from(empty.covIndexMap());
    index[7] = (2 - 7) * 16;
    index[40] = (1 - 40) * 16;
    const cov = new HealSparseCoverage(8, index, 3);
    expect(Array.from(cov.coveredPixels())).toEqual([7, 40]);
    expect(cov.blockOf(7)).toBe(2);
    expect(cov.blockOf(8)).toBe(0);
    const p = 7 * 16 + 5;
    expect(p + index[Math.floor(p / 16)]!).toBe(2 * 16 + 5);
    expect(Array.from(cov.covPixels([p, 40 * 16]))).toEqual([7, 40]);
    expect(cov.coverageMask()[40]).toBe(1);
    expect(Array.from(cov.covIndexMap())).toEqual(index);
  });

  it('rejects index maps that do not fit the sparse map', () => {
    const index = Array.from(HealSparseCoverage.makeEmpty(2, 8).covIndexMap());
    expect(() => new HealSparseCoverage(8, index.slice(1))).toThrow(HealSparseFormatError);
    index[3] = (5 - 3) * 16;
    expect(() => new HealSparseCoverage(8, index, 3)).toThrow(/among the 3 blocks/);
    index[3] = (1 - 3) * 16 + 4;
    expect(() => new HealSparseCoverage(8, index)).toThrow(/not the start of a block/);
    index[3] = (1 - 3) * 16;
    index[4] = (1 - 4) * 16;
    expect(() => new HealSparseCoverage(8, index)).toThrow(/another coverage pixel/);
  });
});
