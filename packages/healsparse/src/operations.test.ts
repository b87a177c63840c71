import { describe, expect, it } from 'vitest';
import { HealSparseDtypeError, HealSparseInvalidArgumentError } from './errors.js';
import { HealSparseMap } from './healsparse-map.js';
import { andIntersection } from './operations.js';

const opts = { nsideCoverage: 8, nsideSparse: 128 } as const;

describe('andIntersection (healsparse.operations.and_intersection)', () => {
  it('wide masks: bitwise and where every map has data, coverage = intersection', () => {
    const a = HealSparseMap.makeEmpty({ ...opts, dtype: 'wide-mask', wideMaskMaxBits: 20 });
    const b = HealSparseMap.makeEmpty({ ...opts, dtype: 'wide-mask', wideMaskMaxBits: 20 });
    a.setBitsPix([1, 2, 3, 600 * 256], [0, 10, 19]);
    b.setBitsPix([2, 3, 4], [10]);
    b.setBitsPix([3], [19]);
    b.setBitsPix([1], [5]); // valid in both, but no common bit -> no data
    b.setBitsPix([700 * 256], [0]); // coverage only in b
    const c = andIntersection([a, b]);
    expect(Array.from(c.validPixels())).toEqual([2, 3]);
    expect(c.getBitsPix(2)).toEqual([10]);
    expect(c.getBitsPix(3)).toEqual([10, 19]);
    const mask = c.coverageMask();
    expect([...mask.keys()].filter((i) => mask[i] === 1)).toEqual([0]);
  });

  it('integer maps: the and of the values, sentinel where a map has no data', () => {
    const a = HealSparseMap.makeEmpty({ ...opts, dtype: 'int32' });
    const b = HealSparseMap.makeEmpty({ ...opts, dtype: 'int32' });
    const c = HealSparseMap.makeEmpty({ ...opts, dtype: 'int32' });
    a.updateValuesPix([1, 2, 3], [0b1110, 0b0111, -1]);
    b.updateValuesPix([1, 2, 3], [0b0111, 0b0101, 6]);
    c.updateValuesPix([1, 2], [0b0110, 0b1111]);
    const r = andIntersection([a, b, c]);
    expect(Array.from(r.getValuesPix([1, 2, 3]))).toEqual([0b0110, 0b0101, -2147483648]);
    const big = [HealSparseMap.makeEmpty({ ...opts, dtype: 'int64' }), HealSparseMap.makeEmpty({ ...opts, dtype: 'int64' })];
    big[0]!.updateValuesPix([9], 2 ** 40 + 3);
    big[1]!.updateValuesPix([9], 2 ** 40 + 6);
    expect(Array.from(andIntersection(big).getValuesPix([9]))).toEqual([2 ** 40 + 2]);
  });

  it('refuses floats, one map, and mismatched maps', () => {
    const f = HealSparseMap.makeEmpty({ ...opts, dtype: 'float32' });
    const i = HealSparseMap.makeEmpty({ ...opts, dtype: 'int32' });
    expect(() => andIntersection([f, f])).toThrow(HealSparseDtypeError);
    expect(() => andIntersection([i])).toThrow(HealSparseInvalidArgumentError);
    expect(() => andIntersection([i, HealSparseMap.makeEmpty({ nsideCoverage: 8, nsideSparse: 256, dtype: 'int32' })])).toThrow(/same nsides/);
    expect(() => andIntersection([i, HealSparseMap.makeEmpty({ ...opts, dtype: 'int16' })])).toThrow(/same type/);
  });
});
