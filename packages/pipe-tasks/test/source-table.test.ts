/**
 * src → WriteSourceTableTask → `source` → TransformSourceTableTask (SkyStack's Source.yaml) →
 * `sourceTable` → Parquet, read back by DuckDB (the independent oracle) with the expected
 * column names, types and values; units checked in the Arrow field metadata.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SourceCatalog, readParquet, writeParquet } from '@skystack/afw-table';
import { DuckDbOracle } from '@skystack/test-support/duckdb';
import type { Table } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MissingColumnsError } from '../src/errors.js';
import { TransformSourceTableTask, TransformSourceTableConfig } from '../src/postprocess/transform-source-table-task.js';
import { WriteSourceTableTask } from '../src/postprocess/write-source-table-task.js';

const N = 6;
const APERTURES = ['3_0', '6_0', '9_0', '12_0', '17_0', '25_0', '35_0', '50_0'];
const PIXEL_FLAGS = ['bad', 'cr', 'crCenter', 'edge', 'interpolated', 'interpolatedCenter', 'nodata', 'offimage', 'saturated', 'saturatedCenter', 'suspect', 'suspectCenter'];

function makeSrc(options: { localCalib?: boolean } = {}): SourceCatalog {
  const schema = SourceCatalog.makeMinimalSchema();
  const add = (name: string, type: 'D' | 'F' | 'Flag', units = ''): void => void schema.addField({ name, type, units, doc: `${name} doc` });
  add('base_SdssCentroid_x', 'D', 'pixel');
  add('base_SdssCentroid_y', 'D', 'pixel');
  add('base_SdssCentroid_xErr', 'F', 'pixel');
  add('base_SdssCentroid_yErr', 'F', 'pixel');
  add('base_SdssCentroid_flag', 'Flag');
  for (const p of ['base_PsfFlux', ...APERTURES.map((r) => `base_CircularApertureFlux_${r}`)]) {
    add(`${p}_instFlux`, 'D', 'ct');
    add(`${p}_instFluxErr`, 'D', 'ct');
    add(`${p}_flag`, 'Flag');
  }
  if (options.localCalib !== false) {
    add('base_LocalPhotoCalib', 'D');
    add('base_LocalPhotoCalibErr', 'D');
    add('base_LocalPhotoCalib_flag', 'Flag');
  }
  for (const f of PIXEL_FLAGS) add(`base_PixelFlags_flag_${f}`, 'Flag');
  add('sky_source', 'Flag');
  add('junk_notUsed', 'D');
  const aliases = schema.getAliasMap();
  aliases.set('slot_Centroid', 'base_SdssCentroid');
  aliases.set('slot_PsfFlux', 'base_PsfFlux');
  aliases.set('slot_CalibFlux', 'base_CircularApertureFlux_12_0');
  const src = new SourceCatalog(schema, { length: N });
  const idx = Array.from({ length: N }, (_, i) => i);
  src.setColumn('id', idx.map((i) => BigInt(1000 + i)));
  src.setColumn('parent', idx.map(() => 0n));
  src.setColumn('coord_ra', idx.map((i) => (Math.PI / 180) * (150 + 0.01 * i)));
  src.setColumn('coord_dec', idx.map((i) => (Math.PI / 180) * (2 - 0.01 * i)));
  src.setColumn('base_SdssCentroid_x', idx.map((i) => 100.25 + i));
  src.setColumn('base_SdssCentroid_y', idx.map((i) => 200.5 + 2 * i));
  src.setColumn('base_SdssCentroid_xErr', idx.map(() => 0.05));
  src.setColumn('base_SdssCentroid_yErr', idx.map(() => 0.06));
  src.setColumn('base_PsfFlux_instFlux', idx.map((i) => 1000 * (i + 1)));
  src.setColumn('base_PsfFlux_instFluxErr', idx.map((i) => 10 * (i + 1)));
  for (const r of APERTURES) {
    src.setColumn(`base_CircularApertureFlux_${r}_instFlux`, idx.map((i) => 900 * (i + 1) + Number(r.split('_')[0])));
    src.setColumn(`base_CircularApertureFlux_${r}_instFluxErr`, idx.map(() => 20));
    src.setColumn(`base_CircularApertureFlux_${r}_flag`, idx.map((i) => i === 2));
  }
  if (options.localCalib !== false) {
    src.setColumn('base_LocalPhotoCalib', idx.map((i) => 0.5 + 0.01 * i));
    src.setColumn('base_LocalPhotoCalibErr', idx.map(() => 0.002));
  }
  src.setColumn('base_PixelFlags_flag_edge', idx.map((i) => i === 4));
  src.setColumn('sky_source', idx.map((i) => i === 5));
  return src;
}

const DATA_ID = { instrument: 'Cam', visit: 1228, detector: 42, band: 'r', physical_filter: 'Cam-r' };

describe('WriteSourceTableTask', () => {
  it('writes every field, the aliases, and Int64 visit / Int16 detector', () => {
    const src = makeSrc();
    const { table } = new WriteSourceTableTask().run({ catalog: src, visit: 1228, detector: 42 });
    expect(table.numRows).toBe(N);
    expect(table.numCols).toBe(src.schema.length + 2);
    expect(table.getChild('visit')!.get(3)).toBe(1228n);
    expect(table.getChild('detector')!.type.toString()).toBe('Int16');
    expect(table.getChild('detector')!.get(0)).toBe(42);
    expect(table.schema.metadata.get('skystack:aliases')).toContain('slot_PsfFlux');
  });
});

describe('TransformSourceTableTask', () => {
  let dir: string;
  let output: Table;
  let oracle: DuckDbOracle;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'skystack-pipe-tasks-'));
    const source = new WriteSourceTableTask().run({ catalog: makeSrc(), visit: 1228, detector: 42 }).table;
    const result = await new TransformSourceTableTask().run({ inputCatalog: source, dataId: DATA_ID });
    output = result.outputCatalog;
    // No coord_raErr & co. and no classification: those optional outputs are left out.
    expect(result.skipped.map((s) => s.column).sort()).toEqual(['decErr', 'extendedness', 'raErr', 'ra_dec_Cov']);
    await writeParquet(join(dir, 'sourceTable.parquet'), output);
    oracle = await DuckDbOracle.open();
  });
  afterAll(() => {
    oracle?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('computes DPDD columns: degrees, nJy from the local calibration, renamed flags, data ID columns', () => {
    const names = output.schema.fields.map((f) => f.name);
    expect(names[0]).toBe('sourceId');
    expect(names.slice(-4)).toEqual(['visit', 'detector', 'band', 'physical_filter']);
    for (const c of ['coord_ra', 'ra', 'dec', 'x', 'yErr', 'psfFlux', 'psfFluxErr', 'calibFlux', 'ap03Flux', 'ap50FluxErr', 'ap17Flux_flag', 'sky_source', 'pixelFlags_edge', 'localPhotoCalib']) {
      expect(names).toContain(c);
    }
    const i = 3;
    expect(output.getChild('sourceId')!.get(i)).toBe(1003n);
    expect(output.getChild('ra')!.get(i)).toBeCloseTo(150.03, 10);
    expect(output.getChild('x')!.get(i)).toBe(103.25);
    const calib = 0.5 + 0.01 * i;
    expect(output.getChild('psfFlux')!.get(i)).toBeCloseTo(4000 * calib, 2);
    expect(output.getChild('psfFluxErr')!.get(i)).toBeCloseTo(40 * calib, 4);
    expect(output.getChild('calibFlux')!.get(i)).toBeCloseTo((3600 + 12) * calib, 2);
    expect(output.getChild('ap12Flux_flag')!.get(2)).toBe(true);
    expect(output.getChild('pixelFlags_edge')!.get(4)).toBe(true);
    const units = (c: string): string | undefined => output.schema.fields.find((f) => f.name === c)!.metadata.get('units');
    expect(units('psfFlux')).toBe('nJy');
    expect(units('coord_dec')).toBe('deg');
    expect(units('x')).toBe('pixel');
  });

  it('reads back in DuckDB with the right names, types and values', async () => {
    const path = join(dir, 'sourceTable.parquet');
    const types = await oracle.types(path);
    expect(types).toMatchObject({
      sourceId: 'BIGINT',
      parentSourceId: 'BIGINT',
      coord_ra: 'DOUBLE',
      ra: 'DOUBLE',
      x: 'DOUBLE',
      xErr: 'FLOAT',
      psfFlux: 'FLOAT',
      psfFluxErr: 'FLOAT',
      ap03Flux_flag: 'BOOLEAN',
      pixelFlags_edge: 'BOOLEAN',
      sky_source: 'BOOLEAN',
      visit: 'BIGINT',
      detector: 'SMALLINT',
      band: 'VARCHAR',
      physical_filter: 'VARCHAR',
    });
    const rows = await oracle.rows(`SELECT sourceId, ra, dec, psfFlux, calibFluxErr, sky_source, detector, band FROM read_parquet(${DuckDbOracle.sqlPath(path)}) ORDER BY sourceId`);
    expect(rows.length).toBe(N);
    expect(rows[5]).toMatchObject({ sourceId: 1005n, sky_source: true, detector: 42, band: 'r' });
    expect(rows[1]!['dec'] as number).toBeCloseTo(1.99, 10);
    expect(rows[1]!['psfFlux'] as number).toBeCloseTo(2000 * 0.51, 2);
    expect(rows[1]!['calibFluxErr'] as number).toBeCloseTo(20 * 0.51, 4);
  });

  it('keeps the units through Parquet', async () => {
    const back = await readParquet(join(dir, 'sourceTable.parquet'), { columns: ['psfFlux', 'ra'] });
    expect(back.schema.fields.map((f) => f.metadata.get('units'))).toEqual(['nJy', 'deg']);
  });

  it('says which columns are missing and which plugin makes them', async () => {
    const source = new WriteSourceTableTask().run({ catalog: makeSrc({ localCalib: false }), visit: 1, detector: 1 }).table;
    const task = new TransformSourceTableTask();
    const error = await task.run({ inputCatalog: source, dataId: DATA_ID }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingColumnsError);
    expect((error as MissingColumnsError).missing).toEqual(['base_LocalPhotoCalib', 'base_LocalPhotoCalibErr', 'base_LocalPhotoCalib_flag']);
    expect((error as Error).message).toMatch(/'base_LocalPhotoCalib' \(needed for psfFlux, psfFluxErr, calibFlux.*made by the measurement plugin 'base_LocalPhotoCalib'/);
  });

  it("onMissingColumns='skip' leaves the calibrated fluxes out instead", async () => {
    const source = new WriteSourceTableTask().run({ catalog: makeSrc({ localCalib: false }), visit: 1, detector: 1 }).table;
    const config = new TransformSourceTableConfig();
    config.onMissingColumns = 'skip';
    const result = await new TransformSourceTableTask({ config }).run({ inputCatalog: source, dataId: DATA_ID });
    expect(result.outputCatalog.getChild('psfFlux')).toBeNull();
    expect(result.outputCatalog.getChild('x')).not.toBeNull();
    expect(result.skipped.some((s) => s.column === 'ap50FluxErr')).toBe(true);
  });

  it('runQuantum reads only the columns the functors need from the deferred source', async () => {
    const source = new WriteSourceTableTask().run({ catalog: makeSrc(), visit: 1228, detector: 42 }).table;
    const asked: string[][] = [];
    const handle = {
      get: async (o: { component?: string; parameters?: { columns?: string[] } } = {}): Promise<unknown> => {
        if (o.component === 'schema') return source.schema;
        asked.push(o.parameters!.columns!);
        return source.select(o.parameters!.columns!);
      },
    };
    let put: Record<string, unknown> | undefined;
    const butlerQC = {
      quantum: { dataId: { mapping: DATA_ID, get: (k: string) => (DATA_ID as Record<string, unknown>)[k] } },
      get: async () => ({ inputCatalog: handle }),
      put: async (values: { getDict(): Record<string, unknown> }) => void (put = values.getDict()),
    };
    await new TransformSourceTableTask().runQuantum(butlerQC as never, {} as never, {} as never);
    expect(asked[0]).toContain('base_SdssCentroid_x'); // slot_Centroid_x resolved
    expect(asked[0]).not.toContain('junk_notUsed');
    expect((put!['outputCatalog'] as Table).getChild('visit')!.get(0)).toBe(1228n);
  });
});
