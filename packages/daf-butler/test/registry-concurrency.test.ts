// Several processes write to one registry at once: two into one SQLite file, four into one
// PostgreSQL schema. Each worker (registry-worker.ts) registers its own RUN and, racing the
// others, the same TAGGED collection and the same new dataset type, then inserts 2,000 datasets
// in small transactions. Nothing may be lost, no worker may fail, and all finish in time.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { postgresUrl, REPO_ROOT, withPostgresSchema } from '@skystack/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetType } from '../src/datasets/dataset-type.js';
import { CollectionType } from '../src/registry/collection-type.js';
import { createRegistry, openRegistry } from '../src/registry/sql/sql-registry.js';

const run = promisify(execFile);
const PG_URL = postgresUrl();
const TSX = resolve(REPO_ROOT, 'node_modules/.bin/tsx');
const WORKER = resolve(import.meta.dirname, 'registry-worker.ts');
const COUNT = 2000;
const BATCH = 20;
const DETECTORS = 100;
const VISITS = COUNT / DETECTORS;

const tmpDirs: string[] = [];
afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

interface WorkerResult {
  run: string;
  calexp: number;
  extra: number;
  registeredRun: boolean;
  registeredTag: boolean;
  registeredType: boolean;
}

/** Makes the registry the workers share: dimension records and the dataset type `calexp`. */
async function prepare(url: string): Promise<void> {
  const registry = await createRegistry(url);
  try {
    await registry.insertDimensionData('instrument', [{ name: 'Cam', visit_max: 1000, exposure_max: 1000, detector_max: DETECTORS, class_name: 'test.Cam' }]);
    await registry.insertDimensionData('physical_filter', [{ instrument: 'Cam', name: 'Cam-r', band: 'r' }]);
    await registry.insertDimensionData('day_obs', [{ instrument: 'Cam', id: 20240101 }]);
    await registry.insertDimensionData('detector', Array.from({ length: DETECTORS }, (_, id) => ({ instrument: 'Cam', id, full_name: `D${id}` })));
    await registry.insertDimensionData(
      'visit',
      Array.from({ length: VISITS }, (_, id) => ({ instrument: 'Cam', id, name: `v${id}`, physical_filter: 'Cam-r', day_obs: 20240101 })),
    );
    // As define-visits makes them (queries over visit+detector join this table).
    await registry.insertDimensionData(
      'visit_detector_region',
      Array.from({ length: VISITS * DETECTORS }, (_, i) => ({ instrument: 'Cam', visit: Math.floor(i / DETECTORS), detector: i % DETECTORS })),
    );
    await registry.registerDatasetType(new DatasetType('calexp', ['instrument', 'visit', 'detector'], 'ExposureF', { universe: registry.universe }));
  } finally {
    await registry.close();
  }
}

/** Runs the workers together and checks what they report and what the registry then holds. */
async function runWorkers(url: string, workers: number, startDelayMs: number): Promise<void> {
  const runs = Array.from({ length: workers }, (_, w) => `run/w${w + 1}`);
  const startAt = String(Date.now() + startDelayMs);
  const t0 = Date.now();
  const settled = await Promise.allSettled(
    runs.map((r) => run(TSX, ['--conditions=@skystack/source', WORKER, url, r, String(COUNT), String(BATCH), String(DETECTORS), startAt])),
  );
  const failures = settled.flatMap((s, i) => (s.status === 'rejected' ? [`${runs[i]}: ${String((s.reason as { stderr?: string }).stderr ?? s.reason)}`] : []));
  expect(failures).toEqual([]);
  const results = settled.map((s) => JSON.parse((s as PromiseFulfilledResult<{ stdout: string }>).value.stdout.trim()) as WorkerResult);
  expect(Date.now() - t0).toBeLessThan(30_000);
  for (const [i, r] of results.entries()) {
    expect(r).toMatchObject({ run: runs[i], calexp: COUNT, extra: DETECTORS, registeredRun: true });
  }
  // Exactly one worker made the shared collection and the shared dataset type.
  expect(results.filter((r) => r.registeredTag)).toHaveLength(1);
  expect(results.filter((r) => r.registeredType)).toHaveLength(1);

  const registry = await openRegistry(url);
  try {
    for (const r of runs) {
      expect(await registry.queryDatasets('calexp', { collections: r }).count(), r).toBe(COUNT);
      expect(await registry.queryDatasets('extra', { collections: r }).count(), r).toBe(DETECTORS);
    }
    expect(await registry.queryDatasets('calexp', { collections: runs }).count()).toBe(COUNT * workers);
    expect(await registry.getCollectionType('shared/tag')).toBe(CollectionType.TAGGED);
    expect((await registry.queryDatasetTypes()).map((t) => t.name).sort()).toEqual(['calexp', 'extra']);
    expect((await registry.queryCollections()).sort()).toEqual([...runs, 'shared/tag'].sort());
  } finally {
    await registry.close();
  }
}

describe('registry: concurrent writers', () => {
  it('two processes register datasets into one SQLite file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skystack-registry-'));
    tmpDirs.push(dir);
    const url = `sqlite://${join(dir, 'gen3.sqlite3')}`;
    await prepare(url);
    await runWorkers(url, 2, 2500);
  }, 60_000);

  it.skipIf(PG_URL === undefined)('four processes register datasets into one PostgreSQL schema', async () => {
    await withPostgresSchema(PG_URL!, async (schema) => {
      const url = `${PG_URL!}${PG_URL!.includes('?') ? '&' : '?'}schema=${schema}`;
      await prepare(url);
      await runWorkers(url, 4, 4000);
    });
  }, 60_000);
});
