/**
 * writeParquet / readParquet on plain Arrow tables, with DuckDB (@duckdb/node-api) as the
 * independent oracle: DuckDB reads our files with the right types, and we read files DuckDB
 * wrote (ZSTD, GZIP, dictionary-encoded strings, int64, lists, nulls, several row groups).
 * The round trips of afw catalogs (every afw field type, the real afw source table) are in
 * @skystack/afw-table's test/parquet.test.ts.
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { DuckDbOracle } from '@skystack/test-support/duckdb';
import { Bool, List, Table, Utf8, tableFromArrays, vectorFromArray, type DataType } from 'apache-arrow';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ParquetColumnNotFoundError,
  ParquetError,
  ParquetFileNotFoundError,
  ParquetFormatError,
  ParquetInvalidArgumentError,
  ParquetUnsupportedError,
  readParquet,
  writeParquet,
} from '../src/index.js';

const zstdWrites = typeof (zlib as unknown as { zstdCompressSync?: unknown }).zstdCompressSync === 'function';

/** A small table with the column names of afw-table's every-type test catalog. */
function everyTypeTable(n = 7): Table {
  const names = ['b', 'u', 'i', 'l', 'f', 'd', 'ab', 'au', 'ai', 'af', 'ad', 'flag', 'coord_ra', 's'];
  return tableFromArrays(Object.fromEntries(names.map((name, c) => [name, Float64Array.from({ length: n }, (_, r) => r * 10 + c)])));
}

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

function typeOf(table: Table, name: string): DataType {
  return table.schema.fields.find((f) => f.name === name)!.type as DataType;
}

describe('writeParquet + readParquet round trip', () => {
  it('refuses ZSTD writes without zlib support, and leaves no file', async () => {
    if (zstdWrites) return;
    const path = join(dir, 'z.parquet');
    await expect(writeParquet(path, everyTypeTable(), { compression: 'ZSTD' })).rejects.toThrow(ParquetUnsupportedError);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reads only the column chunks of the requested columns', async () => {
    const n = 50_000;
    const cols: Record<string, Float64Array> = {};
    for (let c = 0; c < 10; c++) cols[`c${c}`] = Float64Array.from({ length: n }, (_, i) => Math.sin(i * (c + 1)));
    const path = join(dir, 'wide.parquet');
    await writeParquet(path, tableFromArrays(cols), { compression: 'UNCOMPRESSED' });
    const size = statSync(path).size;
    let bytes = 0;
    const table = await readParquet(path, { columns: ['c3'], onRead: (s, e) => (bytes += e - s) });
    expect(Array.from(table.getChild('c3')!.toArray() as Float64Array)).toEqual(Array.from(cols['c3']!));
    expect(bytes).toBeLessThan(size / 5);
  });

  it('keeps nulls and plain Arrow types (Int8, Int16, dictionary strings, lists)', async () => {
    const table = tableFromArrays({ i8: Int8Array.from([-1, 2, 3]), i16: Int16Array.from([-300, 0, 300]), s: ['x', 'y', 'x'] });
    const path = join(dir, 't.parquet');
    await writeParquet(path, table);
    const back = await readParquet(path);
    expect(String(typeOf(back, 'i8'))).toBe('Int8');
    expect(String(typeOf(back, 'i16'))).toBe('Int16');
    expect(typeOf(back, 's')).toBeInstanceOf(Utf8);
    expect(back.toArray().map((r) => r.toJSON())).toEqual([
      { i8: -1, i16: -300, s: 'x' },
      { i8: 2, i16: 0, s: 'y' },
      { i8: 3, i16: 300, s: 'x' },
    ]);
    expect(await duckTypes(path)).toEqual({ i8: 'TINYINT', i16: 'SMALLINT', s: 'VARCHAR' });
  });

  it('replaces an existing file atomically and leaves it alone when a write fails', async () => {
    const path = join(dir, 'x.parquet');
    await writeParquet(path, tableFromArrays({ a: Float64Array.from([1, 2]) }));
    await writeParquet(path, tableFromArrays({ a: Float64Array.from([3]) }));
    expect((await readParquet(path)).numRows).toBe(1);
    const dates = tableFromArrays({ d: [new Date(0)] });
    await expect(writeParquet(path, dates)).rejects.toThrow(ParquetUnsupportedError);
    expect((await readParquet(path)).getChild('a')!.get(0)).toBe(3);
    expect(readdirSync(dir)).toEqual(['x.parquet']);
  });
});

describe('row ranges and options', () => {
  it('reads a row range across row groups, nulls included', async () => {
    const n = 25;
    const ids = BigInt64Array.from({ length: n }, (_, r) => 2n ** 62n - BigInt(r) * 3n);
    const names = Array.from({ length: n }, (_, r) => (r % 4 === 0 ? null : `row ${r}`));
    const table = tableFromArrays({ id: ids, x: Float32Array.from({ length: n }, (_, r) => r / 4) });
    const path = join(dir, 'rows.parquet');
    await writeParquet(path, table.assign(new Table({ name: vectorFromArray(names, new Utf8()) })), { rowGroupSize: 4 });
    const back = await readParquet(path, { rowStart: 3, rowEnd: 13, columns: ['name', 'id'] });
    expect(back.numRows).toBe(10);
    expect(back.schema.fields.map((f) => f.name)).toEqual(['name', 'id']);
    expect(Array.from(back.getChild('id')!.toArray() as BigInt64Array)).toEqual(Array.from(ids.subarray(3, 13)));
    expect(back.getChild('name')!.toJSON()).toEqual(names.slice(3, 13));
    expect((await readParquet(path, { rowStart: 20, rowEnd: 100 })).numRows).toBe(5);
    expect((await readParquet(path, { rowStart: 5, rowEnd: 5 })).numRows).toBe(0);
  });

  it('refuses bad row-group sizes and row ranges with PARQUET_INVALID_ARGUMENT', async () => {
    const path = join(dir, 'o.parquet');
    const table = tableFromArrays({ a: Float64Array.from([1, 2, 3]) });
    for (const rowGroupSize of [0, -1, 1.5]) {
      const err = await writeParquet(path, table, { rowGroupSize }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ParquetInvalidArgumentError);
      expect((err as ParquetError).code).toBe('PARQUET_INVALID_ARGUMENT');
    }
    expect(readdirSync(dir)).toEqual([]);
    await writeParquet(path, table);
    await expect(readParquet(path, { rowStart: 2, rowEnd: 1 })).rejects.toThrow(ParquetInvalidArgumentError);
    await expect(readParquet(path, { rowStart: -1 })).rejects.toThrow(ParquetInvalidArgumentError);
  });

  it('names @skystack/parquet as the writer in the footer', async () => {
    const path = join(dir, 'w.parquet');
    await writeParquet(path, tableFromArrays({ a: Int32Array.from([1]) }));
    const [row] = await duckRows(`SELECT created_by FROM parquet_file_metadata(${sqlPath(path)})`);
    expect(row!['created_by']).toBe('@skystack/parquet (hyparquet-writer)');
  });
});

describe('readParquet errors', () => {
  it('says a missing file is missing', async () => {
    const err = await readParquet(join(dir, 'nope.parquet')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParquetFileNotFoundError);
    expect(err).toBeInstanceOf(ParquetError);
    expect((err as ParquetFileNotFoundError).code).toBe('PARQUET_FILE_NOT_FOUND');
  });

  it('says a file that is not Parquet is not Parquet', async () => {
    const path = join(dir, 'text.parquet');
    writeFileSync(path, 'SIMPLE  =                    T / this is FITS, not Parquet\n'.repeat(10));
    const err = await readParquet(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParquetFormatError);
    expect(err).toBeInstanceOf(ParquetError);
    expect((err as Error).message).toMatch(/not a Parquet file/);
    writeFileSync(path, 'PAR1');
    await expect(readParquet(path)).rejects.toThrow(ParquetFormatError);
  });

  it('says a damaged footer is damaged', async () => {
    const path = join(dir, 'bad.parquet');
    await writeParquet(path, tableFromArrays({ a: Float64Array.from([1, 2, 3]) }));
    const bytes = new Uint8Array(await import('node:fs').then((fs) => fs.readFileSync(path)));
    bytes.fill(0xff, bytes.length - 40, bytes.length - 8); // footer bytes, keeping length and magic
    writeFileSync(path, bytes);
    await expect(readParquet(path)).rejects.toThrow(ParquetFormatError);
  });

  it('lists the available columns for an unknown one', async () => {
    const path = join(dir, 'c.parquet');
    await writeParquet(path, everyTypeTable());
    const err = await readParquet(path, { columns: ['d', 'coord_RA'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParquetColumnNotFoundError);
    expect((err as ParquetColumnNotFoundError).code).toBe('PARQUET_COLUMN_NOT_FOUND');
    expect((err as Error).message).toContain("Column 'coord_RA'");
    expect((err as Error).message).toContain('b, u, i, l, f, d, ab, au, ai, af, ad, flag, coord_ra, s');
    expect((err as Error).message).toContain("Did you mean 'coord_ra'?");
    expect((err as ParquetColumnNotFoundError).available).toContain('flag');
  });
});

describe('we read files DuckDB wrote', () => {
  const select = `SELECT
      i::BIGINT * 3037000493 AS big,
      i::INTEGER AS i32,
      (i % 100)::SMALLINT AS i16,
      (i % 200)::UTINYINT AS u8,
      i::FLOAT / 7 AS f,
      i::DOUBLE / 3 AS d,
      i % 3 = 0 AS flag,
      'band_' || ['u', 'g', 'r', 'i', 'z', 'y'][i % 6 + 1] AS band,
      'obj' || i::VARCHAR AS name,
      [i, i + 1, i + 2]::INTEGER[] AS li,
      list_transform(range(i % 4), x -> x::DOUBLE * 0.5) AS ragged,
      [i::FLOAT, 2 * i]::FLOAT[2] AS fixed,
      CASE WHEN i % 5 = 0 THEN NULL ELSE i::DOUBLE END AS maybe,
      CASE WHEN i % 7 = 0 THEN NULL ELSE 'n' || i::VARCHAR END AS maybe_s
    FROM range(2500) t(i)`;

  it.each(['zstd', 'gzip', 'snappy', 'uncompressed'])('%s, several row groups, dictionary strings, int64, lists, nulls', async (codec) => {
    const path = join(dir, `duck-${codec}.parquet`);
    await duck.run(`COPY (${select}) TO ${sqlPath(path)} (FORMAT parquet, COMPRESSION ${codec}, ROW_GROUP_SIZE 1000)`);
    const expected = await duckRows(`SELECT * FROM read_parquet(${sqlPath(path)})`);
    const table = await readParquet(path);
    expect(String(typeOf(table, 'big'))).toBe('Int64');
    expect(String(typeOf(table, 'i32'))).toBe('Int32');
    expect(String(typeOf(table, 'i16'))).toBe('Int16');
    expect(String(typeOf(table, 'u8'))).toBe('Uint8');
    expect(String(typeOf(table, 'f'))).toBe('Float32');
    expect(String(typeOf(table, 'd'))).toBe('Float64');
    expect(typeOf(table, 'flag')).toBeInstanceOf(Bool);
    expect(typeOf(table, 'band')).toBeInstanceOf(Utf8);
    expect(typeOf(table, 'li')).toBeInstanceOf(List);
    expect(String((typeOf(table, 'li') as List).children[0]!.type)).toBe('Int32');
    expect(String((typeOf(table, 'ragged') as List).children[0]!.type)).toBe('Float64');
    expect(table.getChild('big')!.toArray()).toBeInstanceOf(BigInt64Array);
    expect(table.getChild('maybe')!.nullCount).toBe(500);
    expect(table.getChild('maybe_s')!.nullCount).toBe(358);
    const rows = table.toArray().map((r) => {
      const o = r.toJSON() as Record<string, unknown>;
      for (const k of ['li', 'ragged', 'fixed']) o[k] = Array.from(o[k] as Iterable<unknown>);
      return o;
    });
    expect(rows).toEqual(expected);
  });

  it('projects columns and rows of a DuckDB file', async () => {
    const path = join(dir, 'duck.parquet');
    await duck.run(`COPY (${select}) TO ${sqlPath(path)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000)`);
    const expected = await duckRows(`SELECT big, band FROM read_parquet(${sqlPath(path)}) LIMIT 700 OFFSET 900`);
    const table = await readParquet(path, { columns: ['big', 'band'], rowStart: 900, rowEnd: 1600 });
    expect(table.toArray().map((r) => r.toJSON())).toEqual(expected);
  });
});
