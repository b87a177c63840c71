// The Butler over a file datastore: repository creation, put/get through the registry and the
// datastore, components and parameters, calibration lookups, removal, transfer, export/import
// and the plug-in path for formatters (a formatter defined here, as obs-base will define the
// FITS ones). Expected values come from what the tests put in.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { postgresUrl } from '@skystack/test-support';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  Butler,
  CollectionType,
  mergeConfig,
  ConflictingDefinitionError,
  DatasetExistence,
  DatasetNotFoundError,
  DatasetType,
  MissingDatasetTypeError,
  RepositoryNotFoundError,
  StorageClass,
  StorageClassFactory,
  Timespan,
  taiNsFromIsoTai,
  type Formatter,
  type FormatterReadContext,
} from '../src/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'skystack-butler-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function seed(butler: Butler): Promise<void> {
  const r = butler.registry;
  await r.insertDimensionData('instrument', [{ name: 'Cam', visit_max: 1000, exposure_max: 1000, detector_max: 4 }]);
  await r.insertDimensionData('physical_filter', [
    { instrument: 'Cam', name: 'Cam-R', band: 'r' },
    { instrument: 'Cam', name: 'Cam-I', band: 'i' },
  ]);
  await r.insertDimensionData('detector', [1, 2].map((id) => ({ instrument: 'Cam', id, full_name: `D${id}` })));
  await r.insertDimensionData('day_obs', [{ instrument: 'Cam', id: 20250301 }]);
  await r.insertDimensionData('group', [{ instrument: 'Cam', name: 'g1' }]);
  await r.insertDimensionData('exposure', [
    { instrument: 'Cam', id: 11, obs_id: 'CAM_11', physical_filter: 'Cam-R', day_obs: 20250301, group: 'g1', timespan: Timespan.fromNs(taiNsFromIsoTai('2025-03-02 01:00:00'), taiNsFromIsoTai('2025-03-02 01:00:30')) },
    { instrument: 'Cam', id: 12, obs_id: 'CAM_12', physical_filter: 'Cam-R', day_obs: 20250301, group: 'g1', timespan: Timespan.fromNs(taiNsFromIsoTai('2025-06-02 01:00:00'), taiNsFromIsoTai('2025-06-02 01:00:30')) },
  ]);
  await r.insertDimensionData('visit', [
    { instrument: 'Cam', id: 11, physical_filter: 'Cam-R', day_obs: 20250301 },
    { instrument: 'Cam', id: 12, physical_filter: 'Cam-I', day_obs: 20250301 },
  ]);
  const u = butler.universe;
  await r.registerDatasetType(new DatasetType('metrics', ['instrument', 'visit', 'detector'], 'StructuredDataDict', { universe: u }));
  await r.registerDatasetType(new DatasetType('flat', ['instrument', 'detector', 'physical_filter'], 'StructuredDataDict', { universe: u, isCalibration: true }));
}

describe('Butler repositories', () => {
  it('makeRepo writes butler.yaml and a registry; opening other paths says what is wrong', async () => {
    await Butler.makeRepo(join(dir, 'repo'));
    expect(existsSync(join(dir, 'repo', 'butler.yaml'))).toBe(true);
    expect(existsSync(join(dir, 'repo', 'gen3.sqlite3'))).toBe(true);
    await expect(Butler.makeRepo(join(dir, 'repo'))).rejects.toThrow(/already holds a Butler repository/);
    const notThere = await Butler.from(join(dir, 'nope')).catch((e: unknown) => e);
    expect(notThere).toBeInstanceOf(RepositoryNotFoundError);
    expect(String(notThere)).toMatch(/does not exist.*butler create/);
    const notRepo = await Butler.from(dir).catch((e: unknown) => e);
    expect(notRepo).toBeInstanceOf(RepositoryNotFoundError);
    expect(String(notRepo)).toMatch(/not a Butler repository.*butler create/);
    const butler = new Butler(join(dir, 'repo'));
    await butler.ready;
    expect(butler.isWriteable).toBe(false);
    await butler.close();
  });
});

type MakeRepo = (root: string, config?: Record<string, unknown>) => Promise<unknown>;

/**
 * The Butler tests for one registry backend.
 *
 * @param backend - name in the test titles
 * @param mkRepo - makes a repository at a path (with extra configuration)
 */
function defineButlerTests(backend: string, mkRepo: MakeRepo): void {
  describe(`Butler put/get (${backend})`, () => {
    let butler: Butler;
    beforeEach(async () => {
      await mkRepo(join(dir, 'repo'));
      butler = await Butler.from(join(dir, 'repo'), { run: 'u/test/run1', instrument: 'Cam' });
      await seed(butler);
    });
    afterEach(async () => {
      await butler.close();
    });

    it('puts and gets with partial data IDs; implied values and templates come from the records', async () => {
      const ref = await butler.put({ mean: 1.5, n: 3 }, 'metrics', { visit: 12, detector: 2 });
      expect(ref.dataId.get('band')).toBe('i');
      expect(await butler.get('metrics', { visit: 12, detector: 2 })).toEqual({ mean: 1.5, n: 3 });
      // Alternate keys are rewritten through the records.
      expect(await butler.get('metrics', { visit: 12, 'detector.full_name': 'D2' })).toEqual({ mean: 1.5, n: 3 });
      const uri = await butler.getURI('metrics', { visit: 12, detector: 2 });
      const path = fileURLToPath(uri);
      expect(path.startsWith(join(dir, 'repo'))).toBe(true);
      expect(path).toMatch(/u\/test\/run1\/metrics\/20250301\/i\/Cam-I\/12\/metrics_Cam_i_Cam-I_12_D2_u_test_run1\.json$/);
      expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ mean: 1.5, n: 3 });
      expect(await butler.exists('metrics', { visit: 12, detector: 2 })).toBe(DatasetExistence.KNOWN);
      expect(await butler.exists('metrics', { visit: 11, detector: 2 })).toBe(DatasetExistence.UNRECOGNIZED);
    });

    it('refuses to overwrite; errors say what was searched and suggest names', async () => {
      await butler.put({ a: 1 }, 'metrics', { visit: 11, detector: 1 });
      await expect(butler.put({ a: 2 }, 'metrics', { visit: 11, detector: 1 })).rejects.toBeInstanceOf(ConflictingDefinitionError);
      expect(await butler.get('metrics', { visit: 11, detector: 1 })).toEqual({ a: 1 });
      // No temporary files left behind by the refused write.
      const leftovers = (function walk(d: string): string[] {
        return readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : e.name.startsWith('.tmp-') ? [e.name] : []));
      })(join(dir, 'repo'));
      expect(leftovers).toEqual([]);
      const missing = await butler.get('metrics', { visit: 11, detector: 2 }).catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(DatasetNotFoundError);
      expect(String(missing)).toContain('u/test/run1');
      const typo = await butler.get('metrix', { visit: 11, detector: 1 }).catch((e: unknown) => e);
      expect(typo).toBeInstanceOf(MissingDatasetTypeError);
      expect(String(typo)).toContain("Did you mean 'metrics'");
    });

    it('finds calibrations by the exposure time through a CALIBRATION collection', async () => {
      await butler.registry.registerCollection('calib', CollectionType.CALIBRATION);
      const early = await butler.put({ v: 'early' }, 'flat', { detector: 1, physical_filter: 'Cam-R' }, { run: 'calib/early' });
      const late = await butler.put({ v: 'late' }, 'flat', { detector: 1, physical_filter: 'Cam-R' }, { run: 'calib/late' });
      await butler.registry.certify('calib', [early], Timespan.fromNs(taiNsFromIsoTai('2025-01-01 00:00:00'), taiNsFromIsoTai('2025-05-01 00:00:00')));
      await butler.registry.certify('calib', [late], Timespan.fromNs(taiNsFromIsoTai('2025-05-01 00:00:00'), taiNsFromIsoTai('2026-01-01 00:00:00')));
      expect(await butler.get('flat', { exposure: 11, detector: 1 }, { collections: 'calib' })).toEqual({ v: 'early' });
      expect(await butler.get('flat', { exposure: 12, detector: 1 }, { collections: 'calib' })).toEqual({ v: 'late' });
    });

    it('removeRuns deletes datasets and files; pruneDatasets --unstore keeps the registry entry', async () => {
      const a = await butler.put({ a: 1 }, 'metrics', { visit: 11, detector: 1 });
      const pathA = fileURLToPath(await butler.getURI(a));
      await butler.pruneDatasets([a], { unstore: true });
      expect(existsSync(pathA)).toBe(false);
      expect(await butler.exists(a)).toBe(DatasetExistence.RECORDED);
      const b = await butler.put({ b: 1 }, 'metrics', { visit: 12, detector: 1 }, { run: 'u/test/run2' });
      const pathB = fileURLToPath(await butler.getURI(b));
      await butler.removeRuns(['u/test/run2']);
      expect(existsSync(pathB)).toBe(false);
      expect(await butler.registry.queryCollections('u/test/*')).toEqual(['u/test/run1']);
    });

    it('retrieves artifacts, transfers to another repository, and round-trips export/import', async () => {
      const refs = [
        await butler.put({ x: 1 }, 'metrics', { visit: 11, detector: 1 }),
        await butler.put({ x: 2 }, 'metrics', { visit: 12, detector: 2 }),
      ];
      const out = await butler.retrieveArtifacts(refs, join(dir, 'out'));
      expect(out.map((p) => JSON.parse(readFileSync(p, 'utf8')))).toEqual([{ x: 1 }, { x: 2 }]);

      await mkRepo(join(dir, 'other'));
      const other = await Butler.from(join(dir, 'other'), { writeable: true, collections: 'u/test/run1' });
      try {
        const moved = await other.transferFrom(butler, refs, { registerDatasetTypes: true, transferDimensions: true });
        expect(moved.map((r) => r.id)).toEqual(refs.map((r) => r.id));
        expect(await other.get('metrics', { instrument: 'Cam', visit: 12, detector: 2 })).toEqual({ x: 2 });
      } finally {
        await other.close();
      }

      await butler.export(join(dir, 'export'), { datasets: refs });
      await mkRepo(join(dir, 'third'));
      const third = await Butler.from(join(dir, 'third'), { writeable: true, collections: 'u/test/run1', instrument: 'Cam' });
      try {
        expect(await third.import(join(dir, 'export'))).toBe(2);
        expect(await third.get('metrics', { visit: 11, detector: 1 })).toEqual({ x: 1 });
        expect((await third.findDataset('metrics', { visit: 11, detector: 1 })).id).toBe(refs[0]!.id);
      } finally {
        await third.close();
      }
    });

    it('ingests files by copy, symlink and in place', async () => {
      const u = butler.universe;
      await butler.registry.registerDatasetType(new DatasetType('extcat', ['instrument', 'visit'], 'StructuredDataDict', { universe: u }));
      const files = [11, 12].map((visit) => {
        const p = join(dir, `ext-${visit}.json`);
        writeFileSync(p, JSON.stringify({ visit }));
        return { p, visit };
      });
      const { DatasetRef, DatasetIdGenEnum, makeDatasetId, DataCoordinate } = await import('../src/index.js');
      const dt = await butler.registry.getDatasetType('extcat');
      const mk = (visit: number) => {
        const dataId = DataCoordinate.standardize({ instrument: 'Cam', visit }, { universe: u, dimensions: dt.dimensions });
        return new DatasetRef(dt, dataId, 'ext', makeDatasetId(dt, dataId, 'ext', DatasetIdGenEnum.DATAID_TYPE));
      };
      await butler.ingest([{ path: files[0]!.p, refs: [mk(11)] }], { transfer: 'copy' });
      await butler.ingest([{ path: files[1]!.p, refs: [mk(12)] }], { transfer: 'symlink' });
      expect(await butler.get('extcat', { visit: 11 }, { collections: 'ext' })).toEqual({ visit: 11 });
      expect(await butler.get('extcat', { visit: 12 }, { collections: 'ext' })).toEqual({ visit: 12 });
      // Re-ingesting the same file with name-based IDs is idempotent in the registry, but the file
      // is already placed: the datastore refuses a second record for the same path.
      expect(existsSync(files[0]!.p)).toBe(true);
    });
  });

  describe(`formatter plug-ins (${backend})`, () => {
    it('a formatter defined outside the package reads and writes its storage class, with components and parameters', async () => {
      // A toy "image" storage class with a component and a read parameter, and its formatter.
      class ToyFormatter implements Formatter {
        readonly name = 'ToyFormatter';
        readonly extension = '.toy';
        async write(obj: unknown, path: string): Promise<void> {
          await writeFile(path, JSON.stringify(obj));
        }
        async read(path: string, ctx: FormatterReadContext): Promise<unknown> {
          const obj = JSON.parse(await readFile(path, 'utf8')) as { pixels: number[]; meta: Record<string, unknown> };
          if (ctx.component === 'meta') return obj.meta;
          const range = ctx.parameters?.['range'] as [number, number] | undefined;
          return range ? { ...obj, pixels: obj.pixels.slice(range[0], range[1]) } : obj;
        }
        canReadComponent(component: string): boolean {
          return component === 'meta';
        }
      }
      await mkRepo(join(dir, 'repo'));
      const storageClasses = StorageClassFactory.default();
      storageClasses.addFromConfig({ storageClasses: { Toy: { pytype: 'toy', derivedComponents: { meta: 'StructuredDataDict' }, parameters: ['range'] } } });
      const { FormatterFactory } = await import('../src/index.js');
      const formatters = FormatterFactory.default();
      formatters.registerFormatter(new ToyFormatter());
      formatters.setMapping('Toy', 'ToyFormatter');
      const butler = await Butler.from(join(dir, 'repo'), { run: 'toys', instrument: 'Cam', formatters, storageClasses });
      try {
        await butler.registry.insertDimensionData('instrument', [{ name: 'Cam' }]);
        await butler.registry.registerDatasetType(new DatasetType('toy', ['instrument'], 'Toy', { universe: butler.universe }));
        await butler.put({ pixels: [1, 2, 3, 4], meta: { exptime: 30 } }, 'toy', {});
        expect(await butler.get('toy.meta', {})).toEqual({ exptime: 30 });
        expect(await butler.get('toy', {}, { parameters: { range: [1, 3] } })).toEqual({ pixels: [2, 3], meta: { exptime: 30 } });
        await expect(butler.get('toy', {}, { parameters: { bbox: 1 } })).rejects.toThrow(/range/);
        expect(StorageClass).toBeDefined();
      } finally {
        await butler.close();
      }
    });
  });

  describe(`file template validation (${backend})`, () => {
    it('refuses a template that could map two data IDs to one file, before writing anything', async () => {
      const { FileTemplateValidationError } = await import('../src/index.js');
      await mkRepo(join(dir, 'repo'), { datastore: { templates: { metrics: '{run}/{datasetType}/{visit}' } } });
      const butler = await Butler.from(join(dir, 'repo'), { run: 'r', instrument: 'Cam' });
      try {
        await seed(butler);
        const e = await butler.put({ a: 1 }, 'metrics', { visit: 11, detector: 1 }).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(FileTemplateValidationError);
        expect(String(e)).toContain('detector');
        expect(await butler.registry.queryDatasets('metrics', { collections: 'r' }).count()).toBe(0);
        // The default template keeps them apart.
        await butler.put({ a: 1 }, 'flat', { detector: 1, physical_filter: 'Cam-R' });
        await butler.put({ a: 2 }, 'flat', { detector: 2, physical_filter: 'Cam-R' });
        expect(new Set([await butler.getURI('flat', { detector: 1, physical_filter: 'Cam-R' }, { collections: 'r' }), await butler.getURI('flat', { detector: 2, physical_filter: 'Cam-R' }, { collections: 'r' })]).size).toBe(2);
      } finally {
        await butler.close();
      }
    });
  });
}

defineButlerTests('sqlite', (root, config) => Butler.makeRepo(root, config ? { config } : {}));

const pg = postgresUrl();
if (pg !== undefined) {
  const schemas: string[] = [];
  let n = 0;
  afterAll(async () => {
    const { default: pgLib } = await import('pg');
    const client = new pgLib.Client({ connectionString: pg });
    await client.connect();
    try {
      for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    } finally {
      await client.end();
    }
  });
  defineButlerTests('postgresql', (root, config) => {
    const schema = `butler_${process.pid}_${Date.now().toString(36)}_${++n}`;
    schemas.push(schema);
    const u = new URL(pg);
    u.searchParams.set('schema', schema);
    return Butler.makeRepo(root, { config: mergeConfig(config ?? {}, { registry: { db: u.toString() } }) });
  });
}

describe('in-memory datastore', () => {
  it('puts and gets objects, with components and parameters through the storage class delegate', async () => {
    await Butler.makeRepo(join(dir, 'mem'), { config: { datastore: { cls: 'InMemoryDatastore' } } });
    const butler = await Butler.from(join(dir, 'mem'), { run: 'm', instrument: 'Cam' });
    try {
      await butler.registry.insertDimensionData('instrument', [{ name: 'Cam' }]);
      await butler.registry.registerDatasetType(new DatasetType('tbl', ['instrument'], 'ArrowTable', { universe: butler.universe }));
      const { tableFromArrays } = await import('apache-arrow');
      const table = tableFromArrays({ a: new Float64Array([1, 2, 3]), b: new Int32Array([4, 5, 6]) });
      const ref = await butler.put(table, 'tbl', {});
      expect(await butler.getURI(ref)).toBe(`mem://${ref.id}`);
      const back = (await butler.get('tbl', {})) as typeof table;
      expect(back.numRows).toBe(3);
      expect(await butler.get('tbl.columns', {})).toEqual(['a', 'b']);
      const projected = (await butler.get('tbl', {}, { parameters: { columns: ['b'] } })) as typeof table;
      expect(projected.schema.fields.map((f) => f.name)).toEqual(['b']);
      expect([...projected.getChild('b')!.toArray()]).toEqual([4, 5, 6]);
    } finally {
      await butler.close();
    }
  });
});

describe('reading as another storage class', () => {
  it('allows classes related by inheritance and refuses others', async () => {
    await Butler.makeRepo(join(dir, 'sc'));
    const butler = await Butler.from(join(dir, 'sc'), { run: 'r', instrument: 'Cam' });
    try {
      await butler.registry.insertDimensionData('instrument', [{ name: 'Cam' }]);
      await butler.registry.registerDatasetType(new DatasetType('d', ['instrument'], 'StructuredDataDict', { universe: butler.universe }));
      await butler.put({ a: 1 }, 'd', {});
      expect(await butler.get('d', {}, { storageClass: 'StructuredDataDict' })).toEqual({ a: 1 });
      await expect(butler.get('d', {}, { storageClass: 'ArrowTable' })).rejects.toThrow(/not related by inheritance/);
    } finally {
      await butler.close();
    }
  });
});
