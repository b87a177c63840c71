// The shipped universe against daf_butler's own dimensions.yaml (read from the shared fixtures,
// never copied), every historical daf_butler universe and daf_butler's test universes, and the
// group semantics daf_butler documents for the default universe.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturePath } from '@skystack/test-support';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DimensionConfigError, UnknownDimensionError } from '../errors.js';
import { Dimension, DimensionUniverse, SkyPixDimension } from './universe.js';

type Raw = Record<string, unknown>;

const CONFIGS = fixturePath('daf_butler', 'python', 'lsst', 'daf', 'butler', 'configs');
const TEST_CONFIGS = fixturePath('daf_butler', 'tests', 'config', 'dimensions');

function readYaml(path: string): Raw {
  return parseYaml(readFileSync(path, 'utf8')) as Raw;
}

/** A field as daf_butler's config states it (defaults filled in the way daf_butler's ddl.FieldSpec does). */
function rawField(f: Raw, isKey: boolean): Raw {
  return {
    name: f['name'],
    type: f['type'],
    length: f['length'],
    nbytes: f['nbytes'],
    nullable: isKey ? false : f['nullable'] !== false,
  };
}

function ourField(f: { name: string; type: string; length?: number; nbytes?: number; nullable: boolean }): Raw {
  return { name: f.name, type: f.type, length: f.length, nbytes: f.nbytes, nullable: f.nullable };
}

function rawViewOf(spec: Raw): unknown {
  const storage = (spec['storage'] ?? {}) as Raw;
  const nested = (storage['nested'] ?? {}) as Raw;
  return spec['view_of'] ?? nested['view_of'] ?? storage['view_of'];
}

function sorted(list: unknown): string[] {
  return [...((list as string[] | undefined) ?? [])].sort();
}

/**
 * Checks every element of `universe` against the raw configuration `raw` (a daf_butler
 * dimensions.yaml): names, keys, requires, implies, metadata, governor, always_join,
 * populated_by, view_of, topology and skypix.
 */
function expectUniverseMatches(universe: DimensionUniverse, raw: Raw): void {
  const elements = raw['elements'] as Record<string, Raw>;
  expect(universe.version).toBe(raw['version']);
  expect(universe.namespace).toBe(raw['namespace'] ?? 'daf_butler');
  expect(universe.elements.map((e) => e.name).sort()).toEqual(Object.keys(elements).sort());
  for (const [name, spec] of Object.entries(elements)) {
    const el = universe.getElement(name);
    const keys = ((spec['keys'] as Raw[] | undefined) ?? []).map((k) => rawField(k, true));
    const metadata = ((spec['metadata'] as Raw[] | undefined) ?? []).map((k) => rawField(k, false));
    expect(el.isDimension, `${name} is a dimension`).toBe(keys.length > 0);
    if (el instanceof Dimension) {
      expect(el.keys.map(ourField), `${name} keys`).toEqual(keys);
      expect(el.primaryKey.name).toBe(keys[0]!['name']);
      expect(el.isGovernor, `${name} governor`).toBe(spec['governor'] === true);
    }
    expect(sorted(el.directRequires), `${name} requires`).toEqual(sorted(spec['requires']));
    expect(sorted(el.implies), `${name} implies`).toEqual(sorted(spec['implies']));
    expect(el.metadata.map(ourField), `${name} metadata`).toEqual(metadata);
    expect(el.alwaysJoin, `${name} always_join`).toBe(spec['always_join'] === true);
    expect(el.populatedBy, `${name} populated_by`).toBe(spec['populated_by']);
    expect(el.viewOf, `${name} view_of`).toBe(rawViewOf(spec));
    expect(el.hasTable, `${name} has a table`).toBe(rawViewOf(spec) === undefined);
  }
  // Topology: every family member gets the family, nothing else has one.
  const topology = (raw['topology'] ?? {}) as Record<string, Record<string, string[]>>;
  const spatial = new Map<string, string>();
  const temporal = new Map<string, string>();
  for (const [family, members] of Object.entries(topology['spatial'] ?? {})) for (const m of members) spatial.set(m, family);
  for (const [family, members] of Object.entries(topology['temporal'] ?? {})) for (const m of members) temporal.set(m, family);
  for (const el of universe.elements) {
    expect(el.spatialFamily, `${el.name} spatial family`).toBe(spatial.get(el.name));
    expect(el.temporalFamily, `${el.name} temporal family`).toBe(temporal.get(el.name));
  }
  // Skypix: the common level and every system's maximum level.
  const skypix = raw['skypix'] as Record<string, unknown>;
  expect(universe.commonSkyPix.name).toBe(skypix['common']);
  const systems = Object.entries(skypix)
    .filter(([k]) => k !== 'common')
    .map(([system, s]) => ({ system, maxLevel: (s as Raw)['max_level'] }));
  expect(universe.skyPixSystems).toEqual(systems);
  for (const { system, maxLevel } of systems) {
    expect(universe.getSkyPix(`${system}1`)?.level).toBe(1);
    expect(universe.getSkyPix(`${system}${String(maxLevel)}`)?.level).toBe(maxLevel);
    expect(universe.getSkyPix(`${system}${String((maxLevel as number) + 1)}`)).toBeUndefined();
    expect(universe.getSkyPix(`${system}0`)).toBeUndefined();
  }
}

/** Checks that the universe order is a topological order of requires + implies. */
function expectTopologicalOrder(universe: DimensionUniverse): void {
  universe.elements.forEach((el, i) => {
    expect(el.index).toBe(i);
    for (const dep of [...el.directRequires, ...el.implies]) {
      expect(universe.getElement(dep).index, `${dep} before ${el.name}`).toBeLessThan(el.index);
    }
  });
}

const universe = DimensionUniverse.default();

describe.skipIf(CONFIGS === undefined)("the shipped universe against daf_butler's dimensions.yaml", () => {
  const raw = CONFIGS === undefined ? {} : readYaml(join(CONFIGS, 'dimensions.yaml'));

  it('has the same version, namespace, elements, keys, relationships, metadata, topology and skypix', () => {
    expect(universe.version).toBe(8);
    expect(universe.namespace).toBe('daf_butler');
    expectUniverseMatches(universe, raw);
  });

  it("stores band as a view of physical_filter (daf_butler's storage.nested.view_of)", () => {
    const nested = ((raw['elements'] as Record<string, Raw>)['band']!['storage'] as Raw)['nested'] as Raw;
    expect(nested['view_of']).toBe('physical_filter');
    expect(universe.getElement('band').viewOf).toBe('physical_filter');
    expect(universe.getElement('band').hasTable).toBe(false);
    expect(universe.elements.filter((e) => !e.hasTable).map((e) => e.name)).toEqual(['band']);
  });

  it('has the same topology families, member order included, and the same packers', () => {
    expect(universe.config['topology']).toEqual(raw['topology']);
    const strip = (p: unknown): Raw =>
      Object.fromEntries(Object.entries(p as Record<string, Raw>).map(([k, v]) => [k, { fixed: v['fixed'], dimensions: v['dimensions'] }]));
    expect(strip(universe.config['packers'])).toEqual(strip(raw['packers']));
  });

  it('builds a universe from the fixture file itself that agrees with ours', () => {
    const theirs = new DimensionUniverse(raw);
    expectUniverseMatches(theirs, raw);
    expectTopologicalOrder(theirs);
    expect(theirs.elements.map((e) => e.name)).toEqual(universe.elements.map((e) => e.name));
    for (const el of universe.elements) {
      expect(theirs.getElement(el.name).required, el.name).toEqual(el.required);
      expect(theirs.getElement(el.name).recordFieldNames, el.name).toEqual(el.recordFieldNames);
    }
    for (const names of [['visit', 'detector'], ['exposure', 'visit'], ['patch', 'band'], ['htm7'], ['subfilter']]) {
      const a = universe.conform(names);
      const b = theirs.conform(names);
      expect([b.names, b.required, b.implied, b.elements]).toEqual([a.names, a.required, a.implied, a.elements]);
    }
  });

  it('matches old_dimensions/daf_butler_universe8.yaml, the frozen copy of version 8', () => {
    const frozen = readYaml(join(CONFIGS!, 'old_dimensions', 'daf_butler_universe8.yaml'));
    expectUniverseMatches(universe, frozen);
  });
});

describe.skipIf(CONFIGS === undefined)('the historical daf_butler universes (old_dimensions)', () => {
  const dir = CONFIGS === undefined ? '' : join(CONFIGS, 'old_dimensions');
  const files = CONFIGS === undefined ? [] : readdirSync(dir).filter((f) => /^daf_butler_universe\d+\.yaml$/.test(f)).sort();

  it('are all there (versions 0 to 8)', () => {
    expect(files).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8].map((v) => `daf_butler_universe${v}.yaml`));
  });

  it.each(files)('%s builds and matches its file', (file) => {
    const raw = readYaml(join(dir, file));
    const u = new DimensionUniverse(raw);
    expect(u.version).toBe(Number(/(\d+)/.exec(file)![1]));
    expectUniverseMatches(u, raw);
    expectTopologicalOrder(u);
  });

  it('version 0 has no namespace and defaults to daf_butler, as daf_butler does', () => {
    const raw = readYaml(join(dir, 'daf_butler_universe0.yaml'));
    expect(raw['namespace']).toBeUndefined();
    expect(new DimensionUniverse(raw).namespace).toBe('daf_butler');
  });
});

describe.skipIf(TEST_CONFIGS === undefined)("daf_butler's test universes (tests/config/dimensions)", () => {
  const files = TEST_CONFIGS === undefined ? [] : readdirSync(TEST_CONFIGS).filter((f) => f.endsWith('.yaml')).sort();

  it('are the four test universes', () => {
    expect(files).toEqual(['dimensions1.yaml', 'dimensions2.yaml', 'dimensions3.yaml', 'dimensions4.yaml']);
  });

  it.each(files)('%s builds and matches its file', (file) => {
    const raw = readYaml(join(TEST_CONFIGS!, file));
    const u = new DimensionUniverse(raw);
    expect(u.namespace).toBe('test');
    expectUniverseMatches(u, raw);
    expectTopologicalOrder(u);
  });

  it('dimensions3 makes day_obs a required dimension of visit', () => {
    const u = new DimensionUniverse(readYaml(join(TEST_CONFIGS!, 'dimensions3.yaml')));
    const g = u.conform(['visit']);
    expect(g.required).toEqual(['instrument', 'day_obs', 'visit']);
    expect(g.implied).toEqual([]);
    const g1 = new DimensionUniverse(readYaml(join(TEST_CONFIGS!, 'dimensions1.yaml'))).conform(['visit']);
    expect(g1.required).toEqual(['instrument', 'visit']);
  });
});

describe('bad configurations fail with DimensionConfigError', () => {
  const minimal = (elements: Raw, extra: Raw = {}): Raw => ({
    version: 1,
    namespace: 'test',
    skypix: { common: 'htm7', htm: { max_level: 24 } },
    elements,
    ...extra,
  });
  const cases: [string, Raw, RegExp][] = [
    ['no elements section', { version: 1, skypix: { common: 'htm7', htm: { max_level: 24 } } }, /no 'elements' section/],
    ['an unknown dependency', minimal({ a: { keys: [{ name: 'id', type: 'int' }], requires: ['nope'] } }), /elements\.a refers to 'nope'/],
    [
      'a dependency on a non-dimension element',
      minimal({ a: { keys: [{ name: 'id', type: 'int' }] }, j: { requires: ['a'] }, b: { keys: [{ name: 'id', type: 'int' }], requires: ['j'] } }),
      /elements\.b refers to 'j', which is not a dimension/,
    ],
    [
      'a cycle',
      minimal({ a: { keys: [{ name: 'id', type: 'int' }], requires: ['b'] }, b: { keys: [{ name: 'id', type: 'int' }], implies: ['a'] } }),
      /cycle: a -> b -> a/,
    ],
    ['an unknown field type', minimal({ a: { keys: [{ name: 'id', type: 'uuid' }] } }), /elements\.a\.id: unknown type "uuid"/],
    ['a field without a name', minimal({ a: { keys: [{ type: 'int' }] } }), /each field needs a string 'name'/],
    ['requires that is not a list', minimal({ a: { keys: [{ name: 'id', type: 'int' }], requires: 'b' } }), /elements\.a\.requires must be a list/],
    ['a topology member that does not exist', minimal({ a: { keys: [{ name: 'id', type: 'int' }] } }, { topology: { spatial: { f: ['zz'] } } }), /topology\.spatial\.f names unknown element 'zz'/],
    ['a common skypix level beyond max_level', { ...minimal({}), skypix: { common: 'htm30', htm: { max_level: 24 } } }, /skypix\.common 'htm30'/],
    ['a non-integer max_level', { ...minimal({}), skypix: { common: 'htm7', htm: { max_level: 'many' } } }, /skypix\.htm\.max_level must be an integer/],
  ];
  it.each(cases)('%s', (_why, config, message) => {
    let error: unknown;
    try {
      new DimensionUniverse(config);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DimensionConfigError);
    expect((error as DimensionConfigError).code).toBe('BUTLER_DIMENSION_CONFIG');
    expect((error as Error).message).toMatch(message);
  });
});

describe('the default universe', () => {
  it('is loaded once and is in a topological order', () => {
    expect(DimensionUniverse.default()).toBe(universe);
    expectTopologicalOrder(universe);
  });

  it('has the governors instrument and skymap', () => {
    expect(universe.governors.map((g) => g.name)).toEqual(['instrument', 'skymap']);
  });

  it('computes required dimensions recursively and record fields in daf_butler order', () => {
    expect(universe.getElement('patch').required).toEqual(['skymap', 'tract', 'patch']);
    expect(universe.getElement('visit_detector_region').required).toEqual(['instrument', 'detector', 'visit']);
    expect(universe.getElement('subfilter').required).toEqual(['band', 'subfilter']);
    expect(universe.getElement('visit').recordFieldNames.slice(0, 5)).toEqual(['instrument', 'id', 'name', 'physical_filter', 'day_obs']);
  });

  it('names the implied dimensions of visit (doc example)', () => {
    expect(universe.getDimension('visit').implies).toEqual(['physical_filter', 'day_obs']);
    expect(universe.getDimension('exposure').implies).toEqual(['physical_filter', 'group', 'day_obs']);
  });
});

describe('DimensionUniverse.conform (daf_butler group semantics)', () => {
  it('{visit, detector}: required instrument, detector, visit; implied band, physical_filter, day_obs', () => {
    const g = universe.conform(['visit', 'detector']);
    expect(g.required).toEqual(['instrument', 'detector', 'visit']);
    expect(g.implied).toEqual(['band', 'physical_filter', 'day_obs']);
    expect([...g.names].sort()).toEqual(['band', 'day_obs', 'detector', 'instrument', 'physical_filter', 'visit']);
    expect(g.names).toEqual(universe.sortNames(g.names));
    expect(g.toString()).toBe('{instrument, detector, visit}');
    expect(g.toJSON()).toEqual(['instrument', 'detector', 'visit']);
  });

  it('groups are cached: equal groups are the same object whatever the input order', () => {
    const a = universe.conform(['visit', 'detector']);
    expect(universe.conform(['detector', 'visit', 'instrument'])).toBe(a);
    expect(universe.conform(a)).toBe(a);
    expect(universe.conform(['visit_detector_region'])).toBe(a);
    expect(a.equals(universe.conform(['detector', 'visit']))).toBe(true);
    expect(a.equals(universe.conform(['visit']))).toBe(false);
  });

  it('{patch} requires skymap, tract, patch and implies nothing', () => {
    const g = universe.conform(['patch']);
    expect(g.required).toEqual(['skymap', 'tract', 'patch']);
    expect(g.implied).toEqual([]);
    expect(g.governors).toEqual(['skymap']);
  });

  it('the elements of {visit, detector} include visit_detector_region but no join tables it lacks', () => {
    const g = universe.conform(['visit', 'detector']);
    expect(g.elements).toContain('visit_detector_region');
    expect(g.elements).not.toContain('visit_definition');
    expect(g.elements).not.toContain('visit_system_membership');
    expect([...g.elements].sort()).toEqual([...g.names, 'visit_detector_region'].sort());
  });

  it('visit_definition is an element of {exposure, visit}', () => {
    const g = universe.conform(['exposure', 'visit']);
    expect(g.elements).toContain('visit_definition');
    expect(g.implied).toEqual(['band', 'physical_filter', 'group', 'day_obs']);
    expect(universe.getElement('visit_definition').alwaysJoin).toBe(true);
    expect(universe.conform(['visit', 'visit_system']).elements).toContain('visit_system_membership');
  });

  it('reports governors', () => {
    expect(universe.conform(['visit', 'patch']).governors).toEqual(['instrument', 'skymap']);
    expect(universe.conform(['band']).governors).toEqual([]);
    expect(universe.empty.governors).toEqual([]);
    expect(universe.empty.isEmpty).toBe(true);
  });

  it('reports spatial and temporal families with their most precise element', () => {
    const vd = universe.conform(['visit', 'detector']);
    expect([...vd.spatial].map(([f, e]) => [f, e.name])).toEqual([['observation_regions', 'visit_detector_region']]);
    expect([...vd.temporal].map(([f, e]) => [f, e.name])).toEqual([['observation_timespans', 'visit']]);
    expect([...universe.conform(['visit']).spatial].map(([f, e]) => [f, e.name])).toEqual([['observation_regions', 'visit']]);
    expect([...universe.conform(['exposure']).temporal].map(([f, e]) => [f, e.name])).toEqual([['observation_timespans', 'exposure']]);
    expect([...universe.conform(['day_obs']).temporal].map(([f, e]) => [f, e.name])).toEqual([['observation_timespans', 'day_obs']]);
    expect([...universe.conform(['tract']).spatial].map(([f, e]) => [f, e.name])).toEqual([['skymap_regions', 'tract']]);
    expect([...universe.conform(['patch']).spatial].map(([f, e]) => [f, e.name])).toEqual([['skymap_regions', 'patch']]);
    expect(universe.conform(['detector']).spatial.size).toBe(0);
    expect(universe.conform(['detector']).temporal.size).toBe(0);
    const pix = universe.conform(['htm7', 'patch']).spatial;
    expect([...pix.values()].map((e) => e.name).sort()).toEqual(['htm7', 'patch']);
  });

  it('union and issuperset', () => {
    const g = universe.conform(['visit']).union(['detector']);
    expect(g).toBe(universe.conform(['visit', 'detector']));
    expect(g.issuperset(universe.conform(['visit']))).toBe(true);
    expect(g.issuperset(['exposure'])).toBe(false);
  });

  it('unknown names fail with UnknownDimensionError and a "Did you mean" hint', () => {
    let error: unknown;
    try {
      universe.conform(['vist']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnknownDimensionError);
    expect((error as UnknownDimensionError).code).toBe('BUTLER_UNKNOWN_DIMENSION');
    expect((error as Error).message).toContain("'vist'");
    expect((error as Error).message).toContain("Did you mean 'visit'?");
    expect(() => universe.getElement('detectr')).toThrow(/Did you mean 'detector'\?/);
    expect(() => universe.getDimension('visit_detector_region')).toThrow(UnknownDimensionError);
  });

  it('skypix dimensions: htm7 is valid, htm25 is not', () => {
    const htm7 = universe.getElement('htm7');
    expect(htm7).toBeInstanceOf(SkyPixDimension);
    expect((htm7 as SkyPixDimension).system).toBe('htm');
    expect((htm7 as SkyPixDimension).level).toBe(7);
    expect(htm7.hasTable).toBe(false);
    expect(htm7.isSpatial).toBe(true);
    expect(universe.commonSkyPix).toBe(htm7);
    expect(universe.conform(['htm7']).names).toEqual(['htm7']);
    expect(universe.has('htm7')).toBe(true);
    expect(universe.has('htm24')).toBe(true);
    expect(universe.has('healpix17')).toBe(true);
    expect(universe.has('htm25')).toBe(false);
    expect(universe.has('healpix18')).toBe(false);
    expect(universe.has('htm0')).toBe(false);
    expect(() => universe.getElement('htm25')).toThrow(UnknownDimensionError);
    expect(() => universe.conform(['htm25'])).toThrow(UnknownDimensionError);
  });
});
