import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GeomInvalidArgumentError } from '../errors.js';
import { RangeSet } from './range-set.js';

const MAX = 200;
const rangeArb = fc.tuple(fc.integer({ min: 0, max: MAX }), fc.integer({ min: 0, max: MAX }));
const rangesArb = fc.array(rangeArb, { maxLength: 8 });

/** The reference model: a plain set of integers. */
function model(ranges: ReadonlyArray<readonly [number, number]>): Set<number> {
  const s = new Set<number>();
  for (const [b, e] of ranges) for (let v = b; v < e; v++) s.add(v);
  return s;
}

function members(s: RangeSet): number[] {
  return [...s.values()];
}

function sorted(s: Set<number>): number[] {
  return [...s].sort((a, b) => a - b);
}

describe('RangeSet', () => {
  it('builds canonical ranges: sorted, merged, non-adjacent', () => {
    const s = RangeSet.fromRanges([
      [40, 41],
      [10, 20],
      [20, 25],
      [12, 14],
      [30, 30],
    ]);
    expect(s.ranges()).toEqual([
      [10, 25],
      [40, 41],
    ]);
    expect(s.size).toBe(2);
    expect(s.cardinality()).toBe(16);
    expect([...s]).toEqual(s.ranges());
    expect(RangeSet.fromValues([5, 3, 4, 9, 9]).ranges()).toEqual([
      [3, 6],
      [9, 10],
    ]);
    expect(new RangeSet(7).ranges()).toEqual([[7, 8]]);
    expect(new RangeSet(7, 3).isEmpty()).toBe(true);
    expect(RangeSet.empty().toString()).toBe('RangeSet()');
    expect(s.toString()).toBe('RangeSet([10, 25), [40, 41))');
  });

  it('matches a plain-set model for membership and set operations', () => {
    fc.assert(
      fc.property(rangesArb, rangesArb, fc.integer({ min: 0, max: MAX + 5 }), (ra, rb, v) => {
        const a = RangeSet.fromRanges(ra);
        const b = RangeSet.fromRanges(rb);
        const ma = model(ra);
        const mb = model(rb);
        expect(members(a)).toEqual(sorted(ma));
        expect(a.contains(v)).toBe(ma.has(v));
        expect(a.cardinality()).toBe(ma.size);
        expect(members(a.intersection(b))).toEqual(sorted(new Set([...ma].filter((x) => mb.has(x)))));
        expect(members(a.union(b))).toEqual(sorted(new Set([...ma, ...mb])));
        expect(members(a.join(b))).toEqual(members(a.union(b)));
        expect(members(a.difference(b))).toEqual(sorted(new Set([...ma].filter((x) => !mb.has(x)))));
        expect(members(a.symmetricDifference(b))).toEqual(
          sorted(new Set([...[...ma].filter((x) => !mb.has(x)), ...[...mb].filter((x) => !ma.has(x))])),
        );
        const inter = [...ma].some((x) => mb.has(x));
        expect(a.intersects(b)).toBe(inter);
        expect(a.isDisjointFrom(b)).toBe(!inter);
        expect(a.containsAll(b)).toBe([...mb].every((x) => ma.has(x)));
        expect(b.isWithin(a)).toBe([...mb].every((x) => ma.has(x)));
        expect(a.complemented().complemented().equals(a)).toBe(true);
        expect(a.complemented().contains(v)).toBe(!ma.has(v));
        // Every stored range is non-empty and separated from the next by a gap.
        const r = a.ranges();
        for (let k = 0; k < r.length; k++) {
          expect(r[k]![0]).toBeLessThan(r[k]![1]);
          if (k > 0) expect(r[k - 1]![1]).toBeLessThan(r[k]![0]);
        }
      }),
    );
  });

  it('containsRange', () => {
    const s = RangeSet.fromRanges([
      [10, 20],
      [30, 40],
    ]);
    expect(s.containsRange(10, 20)).toBe(true);
    expect(s.containsRange(15, 21)).toBe(false);
    expect(s.containsRange(25, 25)).toBe(true);
    expect(s.containsRange(19, 31)).toBe(false);
  });

  it('simplify rounds beginnings down and ends up to multiples of 2^n', () => {
    fc.assert(
      fc.property(rangesArb, fc.integer({ min: 0, max: 8 }), (ra, n) => {
        const a = RangeSet.fromRanges(ra);
        const s = a.simplify(n);
        const m = 2 ** n;
        const expected = model(ra.filter(([b, e]) => b < e).map(([b, e]) => [Math.floor(b / m) * m, Math.ceil(e / m) * m] as const));
        expect(members(s)).toEqual(sorted(expected));
        expect(s.containsAll(a)).toBe(true);
        expect(a.simplified(n).equals(s)).toBe(true);
      }),
    );
    expect(
      RangeSet.fromRanges([
        [10, 25],
        [40, 41],
      ])
        .simplify(3)
        .ranges(),
    ).toEqual([
      [8, 32],
      [40, 48],
    ]);
  });

  it('scaled multiplies end points (one HTM level finer for a factor of 4)', () => {
    expect(RangeSet.fromRanges([[8, 16]]).scaled(4).ranges()).toEqual([[32, 64]]);
    expect(() => RangeSet.fromRanges([[8, 16]]).scaled(0)).toThrow(GeomInvalidArgumentError);
  });

  it('works with indexes up to 2^53 and complements within [0, 2^53)', () => {
    const top = 16 * 4 ** 24; // 2^52
    const s = new RangeSet(8 * 4 ** 24, top);
    expect(s.contains(top - 1)).toBe(true);
    expect(s.cardinality()).toBe(top / 2);
    expect(s.complemented().ranges()).toEqual([
      [0, 8 * 4 ** 24],
      [top, 2 ** 53],
    ]);
    expect(RangeSet.full().isFull()).toBe(true);
    expect(RangeSet.full().complemented().isEmpty()).toBe(true);
    expect(() => new RangeSet(-1)).toThrow(GeomInvalidArgumentError);
    expect(() => new RangeSet(1.5)).toThrow(GeomInvalidArgumentError);
    expect(() => RangeSet.fromRanges([[0, 2 ** 54]])).toThrow(GeomInvalidArgumentError);
    expect(() => RangeSet.empty().simplify(54)).toThrow(GeomInvalidArgumentError);
  });
});
