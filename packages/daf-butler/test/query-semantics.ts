// Query semantics that the daf_butler fixtures do not exercise: joins that must not pull in
// elements without records, where strings that try to smuggle SQL, and the parts of the
// language whose SQL differs between dialects (GLOB, NULL, time, UUIDs, bound lists). Run on
// both backends by registry-sqlite.test.ts and registry-postgres.test.ts. Every expected value
// follows from the records inserted in beforeEach.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DatasetType,
  ExpressionSyntaxError,
  InvalidQueryError,
  Timespan,
  taiNsFromIsoTai,
  type SqlRegistry,
} from '../src/index.js';

/**
 * Defines the query-semantics suite for one backend.
 *
 * @param backend - name shown in the test titles
 * @param make - makes a fresh, empty registry
 */
export function defineQuerySemanticsTests(backend: string, make: () => Promise<SqlRegistry>): void {
  describe(`query semantics (${backend})`, () => {
    let r: SqlRegistry;
    afterEach(async () => {
      await r.close();
    });
    beforeEach(async () => {
      r = await make();
      await r.insertDimensionData('instrument', [{ name: 'C' }]);
      await r.insertDimensionData('physical_filter', [
        { instrument: 'C', name: 'C-I', band: 'i' },
        { instrument: 'C', name: 'C-R', band: 'r' },
      ]);
      await r.insertDimensionData('detector', [0, 1, 2, 3].map((id) => ({ instrument: 'C', id })));
      await r.insertDimensionData('day_obs', [{ instrument: 'C', id: 20250101 }]);
      await r.insertDimensionData('visit', [
        { instrument: 'C', id: 5, name: 'v5-science', physical_filter: 'C-I', day_obs: 20250101, exposure_time: 30, target_name: 'COSMOS', timespan: span('2025-01-02 03:00:00', '2025-01-02 03:00:30') },
        { instrument: 'C', id: 6, name: 'v6-flat', physical_filter: 'C-R', day_obs: 20250101, exposure_time: 15, timespan: span('2025-01-02 04:00:00', '2025-01-02 04:00:15') },
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

    it('GLOB, NULL checks, time comparisons and OVERLAPS', async () => {
      const visits = async (where: string, bind?: Record<string, unknown>) =>
        (await r.queryDataIds(['visit'], { where, ...(bind ? { bind } : {}) }).toArray()).map((d) => d.get('visit')).sort();
      expect(await visits("GLOB(visit.name, 'v?-sci*')")).toEqual([5]);
      expect(await visits("GLOB(visit.name, '*')")).toEqual([5, 6]);
      expect(await visits("GLOB(visit.name, 'v_-%')")).toEqual([]); // % and _ are not wildcards
      expect(await visits('GLOB(visit.name, :p)', { p: 'v6*' })).toEqual([6]);
      expect(await visits('visit.target_name = NULL')).toEqual([6]);
      expect(await visits('visit.target_name != NULL')).toEqual([5]);
      expect(await visits("visit.timespan.begin > T'2025-01-02 03:30:00/tai'")).toEqual([6]);
      expect(await visits("visit.timespan OVERLAPS (T'2025-01-02 03:00:10/tai', T'2025-01-02 03:00:11/tai')")).toEqual([5]);
      expect(await visits("visit.timespan OVERLAPS (T'2025-01-02 03:00:30/tai', T'2025-01-02 04:00:00/tai')")).toEqual([]); // half-open
      expect(await visits('visit.timespan OVERLAPS :ts', { ts: span('2025-01-02 00:00:00', '2025-01-03 00:00:00') })).toEqual([5, 6]);
      expect(await visits("visit.timespan < T'2025-01-02 03:59:00/tai'")).toEqual([5]);
      expect(await visits('visit IN (:ids)', { ids: [6, 7] })).toEqual([6]);
      expect(await visits('visit IN (:ids)', { ids: [] })).toEqual([]);
      expect(await visits('visit NOT IN (:ids)', { ids: [5] })).toEqual([6]);
    });

    it('dataset fields: dataset_id, ingest_date, run, collection', async () => {
      const all = await r.queryDatasets('calexp', { collections: 'run' }).toArray();
      const one = all[3]!;
      const byId = await r.queryDatasets('calexp', { collections: 'run', where: `dataset_id = UUID('${one.id.toUpperCase()}')` }).toArray();
      expect(byId.map((x) => x.id)).toEqual([one.id]);
      expect(await r.queryDatasets('calexp', { collections: 'run', where: 'calexp.dataset_id IN (:ids)', bind: { ids: [all[0]!.id, all[1]!.id] } }).count()).toBe(2);
      expect(await r.queryDatasets('calexp', { collections: 'run', where: "ingest_date > T'2020-01-01 00:00:00'" }).count()).toBe(8);
      expect(await r.queryDatasets('calexp', { collections: 'run', where: "ingest_date < T'2020-01-01 00:00:00'" }).count()).toBe(0);
      expect(await r.queryDatasets('calexp', { collections: 'run', where: "run = 'run' AND collection = 'run'" }).count()).toBe(8);
    });

    it('type errors, unknown and ambiguous identifiers are InvalidQueryErrors with hints', async () => {
      const err = async (where: string, dims = ['visit']) =>
        (await r.queryDataIds(dims, { where }).toArray().catch((e: unknown) => e)) as Error;
      const e1 = await err("visit = 'five'");
      expect(e1).toBeInstanceOf(InvalidQueryError);
      expect(e1.message).toMatch(/visit \(int\).*'five' \(string\)/);
      const e2 = await err("bnad = 'i'");
      expect(e2).toBeInstanceOf(InvalidQueryError);
      expect(e2.message).toContain("Did you mean 'band'");
      const e3 = await err('exposure_time > 10', ['visit', 'exposure']);
      expect(e3).toBeInstanceOf(InvalidQueryError);
      expect(e3.message).toMatch(/Ambiguous identifier 'exposure_time'.*'visit'.*'exposure'|Ambiguous identifier 'exposure_time'.*'exposure'.*'visit'/);
      const e4 = await err('visit = :missing');
      expect(e4.message).toContain(':missing');
      const e5 = await err("visit.region OVERLAPS POINT(0, 0) OR visit = 5");
      expect(e5.message).toContain('top-level AND');
    });
  });
}

function span(begin: string, end: string): Timespan {
  return Timespan.fromNs(taiNsFromIsoTai(begin), taiNsFromIsoTai(end));
}
