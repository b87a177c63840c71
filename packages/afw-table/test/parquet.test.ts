/**
 * Catalogs through Arrow and Parquet (writeParquet / readParquet from @skystack/parquet,
 * re-exported here), with DuckDB (@duckdb/node-api) as the independent oracle: every afw field
 * type round-trips and DuckDB reads it with the right types and values; a DuckDB file becomes a
 * catalog; the real afw source table from the shared fixtures goes through Arrow and Parquet
 * into DuckDB. The Parquet reader and writer on plain Arrow tables (codecs, DuckDB-written
 * files, projection, errors) are tested in @skystack/parquet.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { DuckDbOracle } from '@skystack/test-support/duckdb';
import { FixedSizeList, type DataType, type Table } from 'apache-arrow';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixturePath } from '@skystack/test-support';
import * as parquet from '@skystack/parquet';
import {
  type BaseCatalog,
  ParquetColumnNotFoundError,
  ParquetError,
  ParquetFileNotFoundError,
  ParquetFormatError,
  ParquetInvalidArgumentError,
  ParquetUnsupportedError,
  SourceCatalog,
  catalogFromArrow,
  catalogToArrow,
  readParquet,
  writeParquet,
  type ParquetCompression,
} from '../src/index.js';
import { everyTypeCatalog, expectSameCatalog } from './catalogs.js';

const zstdWrites = typeof (zlib as unknown as { zstdCompressSync?: unknown }).zstdCompressSync === 'function';
const sourceTable = fixturePath('afw', 'sourceTable-v2.fits');

let duck: DuckDbOracle;
let dir = '';

beforeAll(async () => {
  duck = await DuckDbOracle.open();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'skystack-parquet-'));
  return () => rmSync(dir, { recursive: true, force: true });
});
afterAll(() => {
  duck.close();
});

const sqlPath = DuckDbOracle.sqlPath;

const duckRows = (sql: string): Promise<Record<string, unknown>[]> => duck.rows(sql);

const duckTypes = (path: string): Promise<Record<string, string>> => duck.types(path);

/** The catalog's values as DuckDB returns them (booleans, bigints, lists of numbers). */
function expectedValues(catalog: BaseCatalog, name: string): unknown[] {
  const field = catalog.schema.find(name);
  const column = catalog.getColumn(name);
  const out: unknown[] = [];
  for (let r = 0; r < catalog.length; r++) {
    if (field.type === 'Flag') out.push((column as Uint8Array)[r] === 1);
    else if (field.type.startsWith('Array')) out.push(Array.from((column as Float64Array).subarray(r * field.size, (r + 1) * field.size)));
    else out.push((column as ArrayLike<unknown>)[r]);
  }
  return out;
}

async function expectDuckMatchesCatalog(path: string, catalog: BaseCatalog): Promise<void> {
  const rows = await duckRows(`SELECT * FROM read_parquet(${sqlPath(path)})`);
  expect(rows).toHaveLength(catalog.length);
  for (const field of catalog.schema) {
    expect(
      rows.map((r) => r[field.name]),
      field.name,
    ).toEqual(expectedValues(catalog, field.name));
  }
}

function typeOf(table: Table, name: string): DataType {
  return table.schema.fields.find((f) => f.name === name)!.type as DataType;
}

describe('writeParquet + readParquet round trip', () => {
  const codecs: ParquetCompression[] = ['SNAPPY', 'GZIP', 'UNCOMPRESSED', ...(zstdWrites ? (['ZSTD'] as const) : [])];
  it.each(codecs)('keeps every afw field type, doc, units and aliases (%s)', async (compression) => {
    const catalog = everyTypeCatalog(25);
    const path = join(dir, 'cat.parquet');
    await writeParquet(path, catalogToArrow(catalog), { compression, rowGroupSize: 10 });
    const table = await readParquet(path);
    expect(String(typeOf(table, 'b'))).toBe('Uint8');
    expect(typeOf(table, 'af')).toBeInstanceOf(FixedSizeList);
    expectSameCatalog(catalogFromArrow(table), catalog);
    expect(readdirSync(dir)).toEqual(['cat.parquet']); // no temporary file left
  });

  it('reads a row range across row groups', async () => {
    const catalog = everyTypeCatalog(25);
    const path = join(dir, 'cat.parquet');
    await writeParquet(path, catalogToArrow(catalog), { rowGroupSize: 4 });
    const table = await readParquet(path, { rowStart: 3, rowEnd: 13, columns: ['l', 's', 'ad', 'flag'] });
    expect(table.numRows).toBe(10);
    expect(table.schema.fields.map((f) => f.name)).toEqual(['l', 's', 'ad', 'flag']);
    const back = catalogFromArrow(table);
    for (const name of ['l', 's', 'ad', 'flag']) expect(expectedValues(back, name), name).toEqual(expectedValues(catalog, name).slice(3, 13));
    expect((await readParquet(path, { rowStart: 20, rowEnd: 100 })).numRows).toBe(5);
    expect((await readParquet(path, { rowStart: 5, rowEnd: 5 })).numRows).toBe(0);
  });

  it('re-exports the Parquet I/O and errors of @skystack/parquet', async () => {
    expect(readParquet).toBe(parquet.readParquet);
    expect(writeParquet).toBe(parquet.writeParquet);
    expect([ParquetError, ParquetFileNotFoundError, ParquetColumnNotFoundError, ParquetFormatError, ParquetUnsupportedError, ParquetInvalidArgumentError]).toEqual([
      parquet.ParquetError,
      parquet.ParquetFileNotFoundError,
      parquet.ParquetColumnNotFoundError,
      parquet.ParquetFormatError,
      parquet.ParquetUnsupportedError,
      parquet.ParquetInvalidArgumentError,
    ]);
    const err = await readParquet(join(dir, 'nope.parquet')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParquetFileNotFoundError);
    expect((err as ParquetFileNotFoundError).code).toBe('PARQUET_FILE_NOT_FOUND');
  });
});

describe('DuckDB reads our files', () => {
  it('with the right types and values for every afw field type', async () => {
    const catalog = everyTypeCatalog(30);
    const path = join(dir, 'cat.parquet');
    await writeParquet(path, catalogToArrow(catalog), { compression: 'GZIP', rowGroupSize: 7 });
    expect(await duckTypes(path)).toEqual({
      b: 'UTINYINT',
      u: 'USMALLINT',
      i: 'INTEGER',
      l: 'BIGINT',
      f: 'FLOAT',
      d: 'DOUBLE',
      ab: 'UTINYINT[]',
      au: 'USMALLINT[]',
      ai: 'INTEGER[]',
      af: 'FLOAT[]',
      ad: 'DOUBLE[]',
      flag: 'BOOLEAN',
      coord_ra: 'DOUBLE',
      s: 'VARCHAR',
    });
    await expectDuckMatchesCatalog(path, catalog);
    const [count] = await duckRows(`SELECT count(*)::INTEGER AS n, sum(i)::BIGINT AS s FROM read_parquet(${sqlPath(path)}) WHERE flag`);
    const flags = catalog.getColumn('flag') as Uint8Array;
    const ints = catalog.getColumn('i') as Int32Array;
    let n = 0;
    let s = 0n;
    for (let r = 0; r < catalog.length; r++) {
      if (!flags[r]) continue;
      n++;
      s += BigInt(ints[r]!);
    }
    expect(count).toEqual({ n, s });
  });
});

describe('we read files DuckDB wrote', () => {
  it('turns a DuckDB file into a catalog (lists of one length become array fields)', async () => {
    const path = join(dir, 'duck.parquet');
    await duck.run(`COPY (SELECT i::DOUBLE AS x, [i, -i]::DOUBLE[] AS xy, i % 2 = 0 AS good, 'r' || i::VARCHAR AS id FROM range(10) t(i)) TO ${sqlPath(path)} (FORMAT parquet)`);
    const catalog = catalogFromArrow(await readParquet(path));
    expect(catalog.schema.getFields().map((f) => [f.name, f.type, f.size])).toEqual([
      ['x', 'D', 1],
      ['xy', 'ArrayD', 2],
      ['good', 'Flag', 1],
      ['id', 'String', 2],
    ]);
    expect(catalog.get(3).get('xy')).toEqual(Float64Array.from([3, -3]));
  });
});

describe.skipIf(sourceTable === undefined)('the afw source table fixture (sourceTable-v2.fits)', () => {
  it('goes through Arrow and Parquet into DuckDB with the catalog values', async () => {
    const catalog = await SourceCatalog.readFits(sourceTable!);
    expect(catalog.length).toBeGreaterThan(0);
    const table = catalogToArrow(catalog);
    expect(table.numCols).toBe(catalog.schema.length);
    const path = join(dir, 'sourceTable.parquet');
    await writeParquet(path, table, { compression: 'GZIP' });
    await expectDuckMatchesCatalog(path, catalog);
    const types = await duckTypes(path);
    for (const field of catalog.schema) {
      const expected: Record<string, string> = { B: 'UTINYINT', U: 'USMALLINT', I: 'INTEGER', L: 'BIGINT', F: 'FLOAT', D: 'DOUBLE', Angle: 'DOUBLE', Flag: 'BOOLEAN', String: 'VARCHAR' };
      const t = expected[field.type] ?? `${expected[field.type.slice(5)]}[]`;
      expect(types[field.name], field.name).toBe(t);
    }
    const back = catalogFromArrow(await readParquet(path));
    expectSameCatalog(back, catalog);
    const coords = await readParquet(path, { columns: ['coord_ra', 'coord_dec'] });
    expect(Array.from(coords.getChild('coord_ra')!.toArray() as Float64Array)).toEqual(Array.from(catalog.getColumn('coord_ra') as Float64Array));
    expect(coords.schema.fields[0]!.metadata.get('unit')).toBe('rad');
  });
});
