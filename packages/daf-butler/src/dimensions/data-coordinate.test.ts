import { describe, expect, it } from 'vitest';
import { DataIdError } from '../errors.js';
import { DataCoordinate } from './data-coordinate.js';
import { DimensionRecord } from './record.js';
import { DimensionUniverse } from './universe.js';

const universe = DimensionUniverse.default();

function errorOf(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('DataCoordinate.standardize', () => {
  it('infers the dimensions from the keys and keeps required values', () => {
    const id = DataCoordinate.standardize({ instrument: 'HSC', visit: 903342, detector: 10 }, { universe });
    expect(id.dimensions).toBe(universe.conform(['visit', 'detector']));
    expect(id.required).toEqual({ instrument: 'HSC', detector: 10, visit: 903342 });
    expect(id.requiredValues).toEqual(['HSC', 10, 903342]);
    expect(id.get('visit')).toBe(903342);
    expect(id.get('band')).toBeUndefined();
    expect(id.universe).toBe(universe);
  });

  it('turns numeric strings and bigints into integers for integer keys', () => {
    const id = DataCoordinate.standardize({ instrument: 'HSC', visit: '903342', detector: 10n }, { universe });
    expect(id.get('visit')).toBe(903342);
    expect(id.get('detector')).toBe(10);
    expect(DataCoordinate.standardize({ instrument: 'HSC', detector: '-3' }, { universe }).get('detector')).toBe(-3);
    expect(DataCoordinate.standardize({ instrument: 'HSC', detector: ' 7 ' }, { universe }).get('detector')).toBe(7);
  });

  it('keeps string keys as strings (a numeric-looking instrument name stays a string)', () => {
    const id = DataCoordinate.standardize({ instrument: '123', physical_filter: 'HSC-I' }, { universe });
    expect(id.get('instrument')).toBe('123');
    expect(id.get('physical_filter')).toBe('HSC-I');
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a fractional number', { instrument: 'HSC', visit: 1.5 }, 'visit'],
    ['a non-numeric string', { instrument: 'HSC', visit: 'abc' }, 'visit'],
    ['a float string', { instrument: 'HSC', detector: '1.0' }, 'detector'],
    ['a boolean', { instrument: 'HSC', detector: true }, 'detector'],
    ['an unsafe integer', { instrument: 'HSC', visit: 2 ** 60 }, 'visit'],
    ['a bigint beyond 2^53', { instrument: 'HSC', visit: 2n ** 60n }, 'visit'],
    ['NaN', { instrument: 'HSC', visit: Number.NaN }, 'visit'],
    ['a number for a string key', { instrument: 3 }, 'instrument'],
    ['a bigint for a string key', { instrument: 'HSC', physical_filter: 5n }, 'physical_filter'],
  ])('rejects %s with a DataIdError naming the key', (_why, dataId, key) => {
    const e = errorOf(() => DataCoordinate.standardize(dataId as Record<string, string>, { universe }));
    expect(e).toBeInstanceOf(DataIdError);
    expect((e as DataIdError).code).toBe('BUTLER_DATA_ID');
    expect(e.message).toContain(`'${key}'`);
  });

  it('names every missing required key', () => {
    const e = errorOf(() => DataCoordinate.standardize({ instrument: 'HSC' }, { universe, dimensions: ['visit', 'detector'] }));
    expect(e).toBeInstanceOf(DataIdError);
    expect(e.message).toContain("'detector'");
    expect(e.message).toContain("'visit'");
    expect(e.message).toContain('{instrument, detector, visit}');
    // A dimension whose requirements are not given: visit without instrument.
    const e2 = errorOf(() => DataCoordinate.standardize({ visit: 1 }, { universe }));
    expect(e2).toBeInstanceOf(DataIdError);
    expect(e2.message).toContain("'instrument'");
  });

  it('rejects unknown keys with a suggestion', () => {
    const e = errorOf(() => DataCoordinate.standardize({ instrument: 'HSC', vist: 1 }, { universe }));
    expect(e).toBeInstanceOf(DataIdError);
    expect(e.message).toContain("'vist' is not a dimension");
    expect(e.message).toContain("Did you mean 'visit'?");
    const e2 = errorOf(() => DataCoordinate.standardize({ instrument: 'HSC', detecor: 1 }, { universe }));
    expect(e2.message).toContain("Did you mean 'detector'?");
  });

  it('rejects dimension elements that are not dimensions', () => {
    const e = errorOf(() => DataCoordinate.standardize({ instrument: 'HSC', visit_detector_region: 1 }, { universe }));
    expect(e).toBeInstanceOf(DataIdError);
    expect(e.message).toContain('visit_detector_region');
  });

  it('ignores unknown keys with allowExtra, and skips null and undefined values', () => {
    const id = DataCoordinate.standardize({ instrument: 'HSC', detector: 1, vist: 3 }, { universe, allowExtra: true });
    expect(id.toString()).toBe("{instrument: 'HSC', detector: 1}");
    const id2 = DataCoordinate.standardize({ instrument: 'HSC', detector: 1, visit: null, exposure: undefined }, { universe });
    expect(id2.dimensions).toBe(universe.conform(['detector']));
  });

  it('applies defaults for required dimensions the data ID lacks, never over given values', () => {
    const id = DataCoordinate.standardize({ visit: 903342 }, { universe, defaults: { instrument: 'HSC', skymap: 'hsc_rings_v1' } });
    expect(id.required).toEqual({ instrument: 'HSC', visit: 903342 });
    expect(id.dimensions.has('skymap')).toBe(false);
    const own = DataCoordinate.standardize({ instrument: 'LSSTCam', visit: 1 }, { universe, defaults: { instrument: 'HSC' } });
    expect(own.get('instrument')).toBe('LSSTCam');
    const converted = DataCoordinate.standardize({ instrument: 'HSC' }, { universe, dimensions: ['detector'], defaults: { detector: '12' } });
    expect(converted.get('detector')).toBe(12);
  });

  it('uses a DimensionGroup as the source of the universe', () => {
    const group = universe.conform(['detector']);
    const id = DataCoordinate.standardize({ instrument: 'HSC', detector: 5 }, { dimensions: group });
    expect(id.dimensions).toBe(group);
    expect(() => DataCoordinate.standardize({ instrument: 'HSC' })).toThrow(DataIdError);
  });

  it('rejects keys outside the requested dimensions of a plain data ID', () => {
    const e = errorOf(() => DataCoordinate.standardize({ instrument: 'HSC', visit: 1, detector: 2 }, { universe, dimensions: ['visit'] }));
    expect(e).toBeInstanceOf(DataIdError);
    expect(e.message).toContain("'detector'");
  });

  it('returns a DataCoordinate unchanged when no other dimensions are asked for', () => {
    const id = DataCoordinate.standardize({ instrument: 'HSC', visit: 1 }, { universe });
    expect(DataCoordinate.standardize(id)).toBe(id);
    expect(DataCoordinate.standardize(id, { dimensions: ['visit'] })).toBe(id);
  });

  it('projects a DataCoordinate onto a subset of its dimensions (daf_butler: mapping.subset(dimensions))', () => {
    const id = DataCoordinate.standardize({ instrument: 'HSC', visit: 903342, detector: 10 }, { universe });
    const sub = DataCoordinate.standardize(id, { dimensions: ['visit'] });
    expect(sub.dimensions).toBe(universe.conform(['visit']));
    expect(sub.required).toEqual({ instrument: 'HSC', visit: 903342 });
  });
});

describe('DataCoordinate.subset', () => {
  const id = DataCoordinate.standardize({ instrument: 'HSC', visit: 903342, detector: 10 }, { universe });

  it('projects onto fewer dimensions', () => {
    expect(id.subset(['visit']).required).toEqual({ instrument: 'HSC', visit: 903342 });
    expect(id.subset(['detector']).toString()).toBe("{instrument: 'HSC', detector: 10}");
    expect(id.subset(['instrument']).toString()).toBe("{instrument: 'HSC'}");
    expect(id.subset([]).toString()).toBe('{}');
    expect(id.subset(id.dimensions)).toBe(id);
  });

  it('fails when a required value of the subset is not known', () => {
    const e = errorOf(() => id.subset(['physical_filter']));
    expect(e).toBeInstanceOf(DataIdError);
    expect(e.message).toContain("'physical_filter'");
    expect(() => id.subset(['exposure'])).toThrow(DataIdError);
  });

  it('projects onto an implied dimension when its value is known', () => {
    const full = DataCoordinate.standardize(
      { instrument: 'HSC', visit: 903342, physical_filter: 'HSC-I', band: 'i', day_obs: 20130617 },
      { universe, dimensions: ['visit'] },
    );
    const pf = full.subset(['physical_filter']);
    expect(pf.required).toEqual({ instrument: 'HSC', physical_filter: 'HSC-I' });
    expect(pf.hasFull()).toBe(true);
    expect(pf.toString()).toBe("{instrument: 'HSC', band: 'i', physical_filter: 'HSC-I'}");
    expect(full.subset(['band']).toString()).toBe("{band: 'i'}");
  });
});

describe('DataCoordinate equality, keys and text', () => {
  it('equal data IDs (given in any order and form) are equal and have one key', () => {
    const a = DataCoordinate.standardize({ instrument: 'HSC', visit: 903342, detector: 10 }, { universe });
    const b = DataCoordinate.standardize({ detector: '10', visit: 903342n, instrument: 'HSC' }, { universe });
    expect(a.equals(b)).toBe(true);
    expect(a.key).toBe(b.key);
    const m = new Map([[a.key, 'x']]);
    expect(m.get(b.key)).toBe('x');
  });

  it('different values or different dimensions are not equal', () => {
    const a = DataCoordinate.standardize({ instrument: 'HSC', visit: 903342, detector: 10 }, { universe });
    expect(a.equals(DataCoordinate.standardize({ instrument: 'HSC', visit: 903342, detector: 11 }, { universe }))).toBe(false);
    expect(a.equals(DataCoordinate.standardize({ instrument: 'HSC', visit: 903342 }, { universe }))).toBe(false);
    const ex = DataCoordinate.standardize({ instrument: 'HSC', exposure: 903342, detector: 10 }, { universe });
    expect(a.equals(ex)).toBe(false);
    expect(a.key).not.toBe(ex.key);
  });

  it('equality looks at required values only (implied values do not matter)', () => {
    const a = DataCoordinate.standardize({ instrument: 'HSC', visit: 903342 }, { universe });
    const b = DataCoordinate.standardize({ instrument: 'HSC', visit: 903342, physical_filter: 'HSC-I' }, { universe, dimensions: ['visit'] });
    expect(a.equals(b)).toBe(true);
  });

  it("prints as {instrument: 'HSC', visit: 903342}, in universe order", () => {
    expect(DataCoordinate.standardize({ visit: 903342, instrument: 'HSC' }, { universe }).toString()).toBe("{instrument: 'HSC', visit: 903342}");
    expect(DataCoordinate.standardize({ visit: 903342, detector: 10, instrument: 'HSC' }, { universe }).toString()).toBe(
      "{instrument: 'HSC', detector: 10, visit: 903342}",
    );
    expect(DataCoordinate.standardize({ skymap: 'hsc_rings_v1', tract: 9813, patch: 40, band: 'i' }, { universe }).toString()).toBe(
      "{band: 'i', skymap: 'hsc_rings_v1', tract: 9813, patch: 40}",
    );
    expect(DataCoordinate.makeEmpty(universe).toString()).toBe('{}');
    expect(JSON.stringify(DataCoordinate.standardize({ visit: 1, instrument: 'HSC' }, { universe }))).toBe('{"instrument":"HSC","visit":1}');
  });
});

describe('DataCoordinate completeness and records', () => {
  it('hasFull: true only when every implied value is known', () => {
    const visit = DataCoordinate.standardize({ instrument: 'HSC', visit: 903342 }, { universe });
    expect(visit.hasFull()).toBe(false);
    expect(visit.hasRecords()).toBe(false);
    expect(visit.records.size).toBe(0);
    const detector = DataCoordinate.standardize({ instrument: 'HSC', detector: 10 }, { universe });
    expect(detector.hasFull()).toBe(true);
    const full = DataCoordinate.standardize(
      { instrument: 'HSC', visit: 903342, physical_filter: 'HSC-I', band: 'i', day_obs: 20130617 },
      { universe, dimensions: ['visit'] },
    );
    expect(full.hasFull()).toBe(true);
    expect(full.mapping).toEqual({ instrument: 'HSC', band: 'i', physical_filter: 'HSC-I', day_obs: 20130617, visit: 903342 });
    const empty = DataCoordinate.makeEmpty(universe);
    expect(empty.hasFull()).toBe(true);
    expect(empty.hasRecords()).toBe(true);
  });

  it('expanded: attaches records and implied values, keeps equality, and subsets keep records', () => {
    const id = DataCoordinate.standardize({ instrument: 'HSC', visit: 903342, detector: 10 }, { universe });
    const values: Record<string, Record<string, string | number>> = {
      instrument: { name: 'HSC', detector_max: 200 },
      band: { name: 'i' },
      physical_filter: { instrument: 'HSC', name: 'HSC-I', band: 'i' },
      detector: { instrument: 'HSC', id: 10, full_name: '1_53' },
      day_obs: { instrument: 'HSC', id: 20130617 },
      visit: { instrument: 'HSC', id: 903342, name: 'HSCA90334200', physical_filter: 'HSC-I', day_obs: 20130617, exposure_time: 30 },
      visit_detector_region: { instrument: 'HSC', visit: 903342, detector: 10 },
    };
    expect([...id.dimensions.elements].sort()).toEqual(Object.keys(values).sort());
    const records = new Map(id.dimensions.elements.map((e) => [e, new DimensionRecord(universe.getElement(e), values[e]!)]));
    const expanded = id.expanded(
      records,
      new Map<string, string | number>([
        ['band', 'i'],
        ['physical_filter', 'HSC-I'],
        ['day_obs', 20130617],
      ]),
    );
    expect(expanded.hasRecords()).toBe(true);
    expect(expanded.hasFull()).toBe(true);
    expect(expanded.get('band')).toBe('i');
    expect(expanded.records.get('visit')?.get('exposure_time')).toBe(30);
    expect(expanded.records.get('visit')?.get('seq_num')).toBeNull();
    expect(expanded.records.get('visit')?.dataId.toString()).toBe("{instrument: 'HSC', visit: 903342}");
    expect(expanded.records.get('visit_detector_region')?.dataId.equals(id)).toBe(true);
    expect(expanded.equals(id)).toBe(true);
    expect(expanded.key).toBe(id.key);
    expect(id.hasRecords()).toBe(false);

    const sub = expanded.subset(['visit']);
    expect(sub.hasRecords()).toBe(true);
    expect(sub.hasFull()).toBe(true);
    expect(sub.records.get('visit')?.get('name')).toBe('HSCA90334200');
    expect(sub.records.has('detector')).toBe(false);

    // standardize keeps records of a DataCoordinate when projecting it.
    const again = DataCoordinate.standardize(expanded);
    expect(again).toBe(expanded);
  });
});
