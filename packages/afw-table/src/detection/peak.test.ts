/**
 * PeakCatalog's bulk paths against the row-by-row ones they replace: addPeaks against addPeak
 * called peak by peak, copy against the source columns (extra field types included).
 */
import { describe, expect, it } from 'vitest';
import { AfwTableInvalidArgumentError } from '../errors.js';
import { PeakCatalog } from './peak.js';

/** Every column of a catalog as plain values (bigints, numbers, strings). */
function columns(c: PeakCatalog): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const f of c.schema.getFields()) out[f.name] = Array.from(c.getColumn(f.name) as ArrayLike<unknown>);
  return out;
}

function extendedSchema(): ReturnType<typeof PeakCatalog.makeMinimalSchema> {
  const schema = PeakCatalog.makeMinimalSchema();
  schema.addField({ name: 'merge_peak_g', type: 'Flag', doc: 'Peak detected in filter g' });
  schema.addField({ name: 'score', type: 'D', doc: 'a score' });
  schema.addField({ name: 'vec', type: 'ArrayF', doc: 'a vector', size: 2 });
  schema.addField({ name: 'label', type: 'String', doc: 'a label', size: 8 });
  return schema;
}

describe('PeakCatalog.addPeaks', () => {
  it('gives the rows addPeak gives one by one (IDs, truncation toward zero, float32 values)', () => {
    const fx = [10.7, -3.5, 0.2, 7];
    const fy = [20.2, 4.99, -0.7, 7];
    const v = [123.456789, -1e-3, 1e30, 0.1];
    const one = new PeakCatalog();
    for (let i = 0; i < fx.length; i++) one.addPeak(fx[i]!, fy[i]!, v[i]!);
    const bulk = new PeakCatalog();
    bulk.addPeaks(fx, fy, v);
    expect(columns(bulk)).toEqual(columns(one));
    expect(Array.from(bulk.getColumn('id') as BigInt64Array)).toEqual([1n, 2n, 3n, 4n]);
    expect(Array.from(bulk.getColumn('i_x') as Int32Array)).toEqual([10, -3, 0, 7]);
  });
  it('appends after existing rows (IDs after the largest), leaving extra fields zero, and rows can be added after it', () => {
    const make = (): PeakCatalog => {
      const c = new PeakCatalog(extendedSchema());
      c.addPeak(1, 2, 3);
      const r = c.addNew();
      r.set('id', 41n);
      r.set('score', 2.5);
      r.set('vec', [1, 2]);
      r.set('label', 'abc');
      r.set('merge_peak_g', true);
      return c;
    };
    const one = make();
    one.addPeak(5.5, 6.5, 7);
    one.addPeak(8, 9, 10);
    const bulk = make();
    bulk.addPeaks(Float64Array.of(5.5, 8, 99), Float64Array.of(6.5, 9, 99), Float64Array.of(7, 10, 99), 2);
    expect(bulk.length).toBe(4);
    expect(columns(bulk)).toEqual(columns(one));
    expect(Array.from(bulk.getColumn('id') as BigInt64Array)).toEqual([1n, 41n, 42n, 43n]);
    one.addPeak(1, 1, 1);
    bulk.addPeak(1, 1, 1);
    expect(columns(bulk)).toEqual(columns(one));
    bulk.addPeaks([], [], []);
    expect(bulk.length).toBe(5);
  });
  it('refuses too few entries or a bad count', () => {
    const c = new PeakCatalog();
    expect(() => c.addPeaks([1, 2], [1], [1, 2])).toThrow(AfwTableInvalidArgumentError);
    expect(() => c.addPeaks([1], [1], [1], 2)).toThrow(AfwTableInvalidArgumentError);
    expect(() => c.addPeaks([1], [1], [1], -1)).toThrow(AfwTableInvalidArgumentError);
    expect(c.length).toBe(0);
  });
});

describe('PeakCatalog.copy', () => {
  it('copies every column (extra fields of all kinds), shares the schema and is independent', () => {
    const c = new PeakCatalog(extendedSchema());
    c.addPeaks([1.5, 2.5, 3.5], [4, 5, 6], [7, 8, 9]);
    c.get(1).set('score', -2);
    c.get(2).set('vec', [3, 4]);
    c.get(0).set('label', 'xy');
    c.get(2).set('merge_peak_g', true);
    const copy = c.copy();
    expect(copy.schema).toBe(c.schema);
    expect(copy.getMetadata()).toBe(c.getMetadata());
    expect(columns(copy)).toEqual(columns(c));
    copy.get(0).set('peakValue', 100);
    copy.get(0).set('label', 'zz');
    copy.addPeak(0, 0, 0);
    expect(c.get(0).getPeakValue()).toBe(7);
    expect(c.get(0).get('label')).toBe('xy');
    expect(c.length).toBe(3);
    expect(new PeakCatalog().copy().length).toBe(0);
  });
});
