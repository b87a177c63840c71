// Butler.getURI with predict: the predicted URI of a dataset not yet stored must be where put()
// then writes it (file datastore), with the '#predicted' fragment; the in-memory datastore
// answers mem://<id>#predicted. Without predict, a missing dataset is still an error.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Butler } from '../butler.js';
import { DatasetIdGenEnum, DatasetRef, makeDatasetId } from '../datasets/dataset-ref.js';
import { DatasetType } from '../datasets/dataset-type.js';
import { DatasetNotFoundError } from '../errors.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'skystack-geturi-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function open(config?: Record<string, unknown>): Promise<Butler> {
  const root = join(dir, 'repo');
  await Butler.makeRepo(root, config === undefined ? {} : { config });
  const butler = await Butler.from(root, { run: 'u/me/run', instrument: 'Cam' });
  const r = butler.registry;
  await r.insertDimensionData('instrument', [{ name: 'Cam', visit_max: 100, exposure_max: 100, detector_max: 4 }]);
  await r.insertDimensionData('physical_filter', [{ instrument: 'Cam', name: 'Cam-R', band: 'r' }]);
  await r.insertDimensionData('detector', [{ instrument: 'Cam', id: 1, full_name: 'D1' }]);
  await r.insertDimensionData('day_obs', [{ instrument: 'Cam', id: 20250301 }]);
  await r.insertDimensionData('visit', [{ instrument: 'Cam', id: 7, physical_filter: 'Cam-R', day_obs: 20250301 }]);
  await r.registerDatasetType(new DatasetType('metrics', ['instrument', 'visit', 'detector'], 'StructuredDataDict', { universe: butler.universe }));
  await r.registerRun('u/me/run');
  return butler;
}

describe('Butler.getURI predict', () => {
  it('predicts the file put() writes, with #predicted, for a type + data ID + run', async () => {
    const butler = await open();
    try {
      await expect(butler.getURI('metrics', { visit: 7, detector: 1 }, { collections: 'u/me/run' })).rejects.toBeInstanceOf(DatasetNotFoundError);
      // Without a run there is nothing to predict from.
      await expect(butler.getURI('metrics', { visit: 7, detector: 1 }, { collections: 'u/me/run', predict: true })).rejects.toBeInstanceOf(DatasetNotFoundError);
      const predicted = await butler.getURI('metrics', { visit: 7, detector: 1 }, { collections: 'u/me/run', predict: true, run: 'u/me/run' });
      expect(predicted.startsWith('file://')).toBe(true);
      expect(predicted.endsWith('#predicted')).toBe(true);
      const predictedPath = fileURLToPath(predicted.slice(0, -'#predicted'.length));
      expect(existsSync(predictedPath)).toBe(false);
      await butler.put({ a: 1 }, 'metrics', { visit: 7, detector: 1 });
      const actual = await butler.getURI('metrics', { visit: 7, detector: 1 }, { collections: 'u/me/run', predict: true, run: 'u/me/run' });
      expect(actual).not.toContain('#');
      expect(fileURLToPath(actual)).toBe(predictedPath);
      expect(existsSync(predictedPath)).toBe(true);
    } finally {
      await butler.close();
    }
  });

  it('predicts from an unregistered DatasetRef (as QuantumGraph outputs are)', async () => {
    const butler = await open();
    try {
      const dt = await butler.registry.getDatasetType('metrics');
      const stored = await butler.put({ a: 1 }, 'metrics', { visit: 7, detector: 1 }, { run: 'other/run' });
      const ref = new DatasetRef(dt, stored.dataId, 'u/me/run', makeDatasetId(dt, stored.dataId, 'u/me/run', DatasetIdGenEnum.UNIQUE));
      await expect(butler.getURI(ref)).rejects.toBeInstanceOf(DatasetNotFoundError);
      const predicted = await butler.getURI(ref, {}, { predict: true });
      expect(predicted.endsWith('#predicted')).toBe(true);
      // The RUN is part of the path: the file of the same data ID in another RUN is not it.
      const other = fileURLToPath(await butler.getURI(stored));
      expect(fileURLToPath(predicted.slice(0, -'#predicted'.length))).toBe(other.split('other/run').join('u/me/run').replace('other_run', 'u_me_run'));
    } finally {
      await butler.close();
    }
  });

  it('in-memory datastore: mem://<id>#predicted', async () => {
    const butler = await open({ datastore: { cls: 'InMemoryDatastore' } });
    try {
      const dt = await butler.registry.getDatasetType('metrics');
      const stored = await butler.put({ a: 1 }, 'metrics', { visit: 7, detector: 1 });
      expect(await butler.getURI(stored, {}, { predict: true })).toBe(`mem://${stored.id}`);
      const ref = new DatasetRef(dt, stored.dataId, 'x', makeDatasetId(dt, stored.dataId, 'x', DatasetIdGenEnum.UNIQUE));
      expect(await butler.getURI(ref, {}, { predict: true })).toBe(`mem://${ref.id}#predicted`);
      await expect(butler.getURI(ref)).rejects.toBeInstanceOf(DatasetNotFoundError);
    } finally {
      await butler.close();
    }
  });
});
