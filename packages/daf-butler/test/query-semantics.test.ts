// Query semantics that the daf_butler fixtures do not exercise: joins that must not pull in
// elements without records, and where strings that try to smuggle SQL.
import { beforeEach, describe, expect, it } from 'vitest';
import { DatasetType, ExpressionSyntaxError, createRegistry, type SqlRegistry } from '@skystack/daf-butler';

describe('query semantics', () => {
  let r: SqlRegistry;
  beforeEach(async () => {
    r = await createRegistry('sqlite://');
    await r.insertDimensionData('instrument', [{ name: 'C' }]);
    await r.insertDimensionData('physical_filter', [
      { instrument: 'C', name: 'C-I', band: 'i' },
      { instrument: 'C', name: 'C-R', band: 'r' },
    ]);
    await r.insertDimensionData('detector', [0, 1, 2, 3].map((id) => ({ instrument: 'C', id })));
    await r.insertDimensionData('day_obs', [{ instrument: 'C', id: 20250101 }]);
    await r.insertDimensionData('visit', [
      { instrument: 'C', id: 5, physical_filter: 'C-I', day_obs: 20250101, exposure_time: 30 },
      { instrument: 'C', id: 6, physical_filter: 'C-R', day_obs: 20250101, exposure_time: 15 },
    ]);
    const dt = new DatasetType('calexp', ['instrument', 'visit', 'detector'], 'ExposureF', { universe: r.universe });
    await r.registerDatasetType(dt);
    await r.registerRun('run');
    await r.insertDatasets(dt, [5, 6].flatMap((visit) => [0, 1, 2, 3].map((detector) => ({ instrument: 'C', visit, detector }))), 'run');
  });

  it('finds datasets whose data IDs have no visit_detector_region records (no spatial join without a second family)', async () => {
    // 2 visits x 4 detectors were inserted; the expected counts follow from that data.
    const n = (where: string) => r.queryDatasets('calexp', { collections: 'run', where }).count();
    expect(await n('')).toBe(8);
    expect(await n("band = 'i'")).toBe(4);
    expect(await n('detector IN (0..2)')).toBe(6);
    expect(await n('detector IN (0..3:2)')).toBe(4);
    expect(await n('visit.exposure_time > 20')).toBe(4);
    expect(await n("band = 'i' AND detector IN (0..2) AND visit.exposure_time > 20")).toBe(3);
    expect(await n("NOT (band = 'i') OR detector = 0")).toBe(5);
    expect(await r.queryDataIds(['visit', 'detector'], { where: "physical_filter = 'C-R'" }).count()).toBe(4);
  });

  it('implied values come with query results and expanded data IDs', async () => {
    const [ref] = await r.queryDatasets('calexp', { collections: 'run', where: 'visit = 5 AND detector = 1' }).toArray();
    expect(ref!.dataId.get('band')).toBe('i');
    expect(ref!.dataId.get('physical_filter')).toBe('C-I');
    const expanded = await r.expandDataId({ instrument: 'C', visit: 6, detector: 0 });
    expect(expanded.get('band')).toBe('r');
    expect(expanded.records.get('visit')?.get('exposure_time')).toBe(15);
  });

  it('a where string with SQL in it is a syntax error, and string values are parameters', async () => {
    for (const where of ["visit = 5; DROP TABLE dataset", "visit = 5 OR 1=1 --", "band = 'i'' OR ''='", 'visit = 5 /* x */']) {
      await expect(r.queryDatasets('calexp', { collections: 'run', where }).toArray(), where).rejects.toBeInstanceOf(ExpressionSyntaxError);
    }
    expect(await r.queryDatasets('calexp', { collections: 'run', where: "band = 'x\" OR \"1\"=\"1'" }).count()).toBe(0);
    expect(await r.queryDatasets('calexp', { collections: 'run', where: 'band = :b', bind: { b: "i' OR 'a'='a" } }).count()).toBe(0);
    // The table is still there.
    expect(await r.queryDatasets('calexp', { collections: 'run' }).count()).toBe(8);
  });

  it('syntax errors point at the column', async () => {
    const e = await r.queryDataIds(['visit'], { where: 'visit = = 5' }).toArray().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ExpressionSyntaxError);
    expect((e as ExpressionSyntaxError).column).toBe(8);
    expect((e as Error).message).toContain('visit = = 5');
  });
});
