// registerSkyMap / registerSkymap: the records LSST writes (compared with a real LSST registry
// export of hsc_rings_v1), one transaction, idempotence, conflicts, nothing left on failure.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Butler, ConflictingDefinitionError, DatasetType, FormatterError, type Formatter } from '@skystack/daf-butler';
import type { ConvexPolygon } from '@skystack/geom';
import { makeSkyMap, type BaseSkyMap } from '@skystack/skymap';
import { fixturePath } from '@skystack/test-support';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePatchRecords, makeSkyMapRecord, makeTractRecord, registerSkyMap, registerSkymap, SKYMAP_RUN_COLLECTION_NAME } from './register-skymap.js';

const EXPORT = fixturePath('daf_butler', 'python', 'lsst', 'daf', 'butler', 'tests', 'registry_data', 'hsc-rc2-subset-v0.yaml');

interface ExportRecord {
  readonly [k: string]: unknown;
}

/** The dimension records of an LSST export file, by element (regions as sphgeom hex strings). */
function exportRecords(path: string): Map<string, ExportRecord[]> {
  const tags = [
    { tag: '!<lsst.sphgeom.ConvexPolygon>', resolve: (v: unknown): unknown => v, collection: 'map' as const },
  ];
  const doc = parseYaml(readFileSync(path, 'utf8'), { customTags: tags, logLevel: 'silent' }) as { data: { type: string; element?: string; records?: ExportRecord[] }[] };
  const out = new Map<string, ExportRecord[]>();
  for (const d of doc.data) if (d.type === 'dimension' && d.element !== undefined) out.set(d.element, d.records ?? []);
  return out;
}

/** sphgeom's ConvexPolygon encoding: 0x70, then each vertex as three little-endian float64. */
function decodeVertices(hex: string): [number, number, number][] {
  const buf = Buffer.from(hex, 'hex');
  expect(buf[0]).toBe(0x70);
  const out: [number, number, number][] = [];
  for (let o = 1; o < buf.length; o += 24) out.push([buf.readDoubleLE(o), buf.readDoubleLE(o + 8), buf.readDoubleLE(o + 16)]);
  return out;
}

/** The largest distance (radians, chord) from a vertex of `expected` to the nearest vertex of `polygon`. */
function maxVertexDistance(polygon: ConvexPolygon, expected: [number, number, number][]): number {
  const mine = polygon.getVertices();
  expect(mine).toHaveLength(expected.length);
  let worst = 0;
  for (const [x, y, z] of expected) {
    worst = Math.max(worst, Math.min(...mine.map((v) => Math.hypot(v.x - x, v.y - y, v.z - z))));
  }
  return worst;
}

describe.runIf(EXPORT !== undefined)('the records of hsc_rings_v1, against a real LSST registry export', () => {
  const records = EXPORT === undefined ? new Map<string, ExportRecord[]>() : exportRecords(EXPORT);
  const skyMap = makeSkyMap('hsc_rings_v1');

  it('has the skymap record LSST wrote (hash, tract_max, patch_nx_max, patch_ny_max)', () => {
    const lsst = records.get('skymap')!.find((r) => r['name'] === 'hsc_rings_v1')!;
    const mine = makeSkyMapRecord(skyMap, 'hsc_rings_v1');
    expect(Buffer.from(mine.hash).equals(Buffer.from(lsst['hash'] as Uint8Array))).toBe(true);
    expect([mine.tract_max, mine.patch_nx_max, mine.patch_ny_max]).toEqual([lsst['tract_max'], lsst['patch_nx_max'], lsst['patch_ny_max']]);
  });

  it('has the tract regions LSST wrote (outer sky polygons, to 1e-12 rad)', () => {
    const tracts = records.get('tract')!.filter((r) => r['skymap'] === 'hsc_rings_v1');
    expect(tracts.length).toBeGreaterThanOrEqual(2);
    for (const t of tracts) {
      const mine = makeTractRecord(skyMap.get(t['id'] as number), 'hsc_rings_v1');
      expect(mine.id).toBe(t['id']);
      expect(maxVertexDistance(mine.region, decodeVertices((t['region'] as { encoded: string }).encoded))).toBeLessThan(1e-12);
    }
  });

  it('has the patch ids, cell_x/cell_y and regions LSST wrote', () => {
    const patches = records.get('patch')!.filter((r) => r['skymap'] === 'hsc_rings_v1');
    expect(patches.length).toBeGreaterThanOrEqual(2);
    for (const p of patches) {
      const mine = makePatchRecords(skyMap.get(p['tract'] as number), 'hsc_rings_v1').find((r) => r.id === p['id'])!;
      expect([mine.cell_x, mine.cell_y]).toEqual([p['cell_x'], p['cell_y']]);
      expect(maxVertexDistance(mine.region, decodeVertices((p['region'] as { encoded: string }).encoded))).toBeLessThan(1e-12);
    }
  });
});

describe('registerSkyMap in a repository', () => {
  let root = '';
  let repo = '';
  // Three small tracts (0.1°–0.2° across, 0.2″ pixels, 200-px patches): a few hundred patches.
  const skyMap = makeSkyMap({ name: 'discrete', raList: [10, 10.3, 200], decList: [0, 0, -30], radiusList: [0.1, 0.05, 0.08], pixelScale: 0.2, projection: 'TAN', tractOverlap: 0, patchInnerDimensions: [400, 400], patchBorder: 40 });
  const patchCount = [...skyMap].reduce((n, t) => n + t.getNumPatches().x * t.getNumPatches().y, 0);

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'register-skymap-'));
    repo = join(root, 'repo');
    await Butler.makeRepo(repo);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  async function counts(butler: Butler): Promise<{ skymap: number; tract: number; patch: number; datasets: number }> {
    const r = butler.registry;
    const n = async (e: string): Promise<number> => (await r.queryDimensionRecords(e).toArray()).length;
    const datasets = (await r.queryCollections()).includes(SKYMAP_RUN_COLLECTION_NAME) ? (await r.queryDatasets('*', { collections: SKYMAP_RUN_COLLECTION_NAME }).toArray()).length : 0;
    return { skymap: await n('skymap'), tract: await n('tract'), patch: await n('patch'), datasets };
  }

  it('writes the skymap, tract and patch records and the skyMap dataset, which reads back identical', async () => {
    const butler = await Butler.from(repo, { writeable: true });
    try {
      const result = await registerSkyMap(butler, skyMap, 'three');
      expect(result.inserted).toBe(true);
      expect([result.tracts, result.patches]).toEqual([3, patchCount]);
      expect(await counts(butler)).toEqual({ skymap: 1, tract: 3, patch: patchCount, datasets: 1 });
      const rec = (await butler.registry.queryDimensionRecords('skymap').toArray())[0]!;
      expect(Buffer.from(rec.fields['hash'] as Uint8Array).equals(Buffer.from(skyMap.getSha1()))).toBe(true);
      expect(rec.fields['tract_max']).toBe(3);
      const nx = Math.max(...[...skyMap].map((t) => t.getNumPatches().x));
      expect(rec.fields['patch_nx_max']).toBe(nx);
      const patch = (await butler.registry.queryDimensionRecords('patch', { where: "skymap = 'three' AND tract = 1 AND patch = 2" }).toArray())[0]!;
      const expected = skyMap.get(1).getPatchInfo(2);
      expect([patch.fields['cell_x'], patch.fields['cell_y']]).toEqual([expected.getIndex().x, expected.getIndex().y]);
      expect((patch.region as ConvexPolygon).equals(expected.getOuterSkyPolygon())).toBe(true);
      const dt = await butler.registry.getDatasetType('skyMap');
      expect(dt.equals(new DatasetType('skyMap', ['skymap'], 'SkyMap', { universe: butler.universe }))).toBe(true);
    } finally {
      await butler.close();
    }
    // A new Butler finds the formatter from the name the datastore recorded.
    const reader = await Butler.from(repo, { collections: SKYMAP_RUN_COLLECTION_NAME });
    try {
      const back = (await reader.get('skyMap', { skymap: 'three' })) as BaseSkyMap;
      expect(back.equals(skyMap)).toBe(true);
      expect(back.get(2).getCtrCoord().getDec().asDegrees()).toBeCloseTo(-30, 12);
    } finally {
      await reader.close();
    }
  });

  it('is a no-op for the same sky map again, and refuses a different one under that name', async () => {
    const butler = await Butler.from(repo, { writeable: true });
    try {
      const before = await counts(butler);
      const again = await registerSkyMap(butler, skyMap, 'three');
      expect(again.inserted).toBe(false);
      expect(await counts(butler)).toEqual(before);
      const other = makeSkyMap({ name: 'discrete', raList: [10], decList: [0], radiusList: [0.1], pixelScale: 0.2, projection: 'TAN', tractOverlap: 0 });
      const err = await registerSkyMap(butler, other, 'three').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConflictingDefinitionError);
      expect((err as Error).message).toMatch(/different sky map named 'three'/);
      expect(await counts(butler)).toEqual(before);
      // The hash is a unique key too (as in LSST's dimension universe).
      const renamed = await registerSkyMap(butler, skyMap, 'three_again').catch((e: unknown) => e);
      expect(renamed).toBeInstanceOf(ConflictingDefinitionError);
      expect((renamed as Error).message).toMatch(/already registered as 'three'/);
      expect(await counts(butler)).toEqual(before);
    } finally {
      await butler.close();
    }
  });

  it('leaves nothing behind when writing the dataset fails after the records were inserted', async () => {
    const failing: Formatter = {
      name: 'FailingSkyMapFormatter',
      extension: '.json',
      write: () => Promise.reject(new FormatterError('disk full (simulated)')),
      read: () => Promise.reject(new FormatterError('unreadable')),
      canReadComponent: () => false,
    };
    const butler = await Butler.from(repo, { writeable: true });
    try {
      butler.formatters.registerFormatter(failing);
      butler.formatters.setMapping('skyMap', failing.name);
      const before = await counts(butler);
      const filesBefore = readdirSync(join(repo, SKYMAP_RUN_COLLECTION_NAME), { recursive: true }).length;
      const other = makeSkyMap({ name: 'discrete', raList: [50], decList: [10], radiusList: [0.05], pixelScale: 0.2, projection: 'TAN', tractOverlap: 0 });
      await expect(registerSkyMap(butler, other, 'other')).rejects.toThrow(/disk full/);
      expect(await counts(butler)).toEqual(before);
      expect(readdirSync(join(repo, SKYMAP_RUN_COLLECTION_NAME), { recursive: true }).length).toBe(filesBefore);
    } finally {
      await butler.close();
    }
  });

  it('registers from a config file and -c overrides (the script behind butler register-skymap)', async () => {
    const file = join(root, 'skymap.py');
    writeFileSync(file, "config.skyMap.name = 'discrete'\nconfig.skyMap['discrete'].raList = [120.0]\nconfig.skyMap['discrete'].decList = [45.0]\nconfig.skyMap['discrete'].radiusList = [0.05]\nconfig.skyMap['discrete'].projection = 'TAN'\n");
    const lines: string[] = [];
    const result = await registerSkymap(repo, { configFile: file, config: ['name=from_file', 'skyMap.discrete.pixelScale=0.5'], log: (m) => lines.push(m) });
    expect(result.inserted).toBe(true);
    expect(result.config.name).toBe('from_file');
    expect(lines.join('\n')).toMatch(/Registered sky map 'from_file': 1 tracts/);
    const butler = await Butler.from(repo, { collections: SKYMAP_RUN_COLLECTION_NAME });
    try {
      const back = (await butler.get('skyMap', { skymap: 'from_file' })) as BaseSkyMap;
      expect(back.config.pixelScale).toBe(0.5);
      expect(existsSync(join(repo, 'butler.yaml'))).toBe(true);
    } finally {
      await butler.close();
    }
  });
});
