/**
 * The fast paths for flat numeric columns without nulls (PLAIN pages written from, and read
 * into, typed arrays): same values, types, row groups and statistics as hyparquet-writer's own
 * encoding (the path every column took before), read back the same by hyparquet's value decoder,
 * by our reader and by DuckDB; columns with nulls, Bool and strings still take hyparquet.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { DuckDbOracle } from '@skystack/test-support/duckdb';
import { Float64, Table, Utf8, makeVector, tableFromArrays, vectorFromArray } from 'apache-arrow';
import { parquetMetadata, parquetReadObjects, type SchemaElement } from 'hyparquet';
import { compressors as decompressors } from 'hyparquet-compressors';
import { parquetWriteBuffer, type ColumnSource } from 'hyparquet-writer';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readParquet, writeParquet, type ParquetCompression } from '../src/index.js';
import { plainReadable, readPlainColumn } from '../src/plain-columns.js';

const zstdWrites = typeof (zlib as unknown as { zstdCompressSync?: unknown }).zstdCompressSync === 'function';
const codecs: ParquetCompression[] = ['UNCOMPRESSED', 'SNAPPY', 'GZIP', ...(zstdWrites ? (['ZSTD'] as const) : [])];

let duck: DuckDbOracle;
let dir = '';

beforeAll(async () => {
  duck = await DuckDbOracle.open();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'skystack-parquet-plain-'));
  return () => rmSync(dir, { recursive: true, force: true });
});
afterAll(() => {
  duck.close();
});

/** A file's bytes in an ArrayBuffer of their own. */
const fileBytes = (path: string): Uint8Array<ArrayBuffer> => new Uint8Array(readFileSync(path));
const sqlPath = DuckDbOracle.sqlPath;
const duckRows = (sql: string): Promise<Record<string, unknown>[]> => duck.rows(sql);

/** Every fixed-width numeric column, with extreme values, NaN and signed zeros; `n` rows. */
function numericColumns(n: number): Record<string, ArrayLike<number | bigint> & { length: number }> {
  let seed = 7;
  const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = <T>(i: number, special: T[], other: () => T): T => (i < special.length ? special[i]! : other());
  return {
    i8: Int8Array.from({ length: n }, (_, i) => pick(i, [-128, 127], () => Math.floor(rand() * 256) - 128)),
    i16: Int16Array.from({ length: n }, (_, i) => pick(i, [-32768, 32767], () => Math.floor(rand() * 65536) - 32768)),
    i32: Int32Array.from({ length: n }, (_, i) => pick(i, [-(2 ** 31), 2 ** 31 - 1], () => Math.floor(rand() * 2 ** 32) - 2 ** 31)),
    i64: BigInt64Array.from({ length: n }, (_, i) => pick(i, [-(2n ** 63n), 2n ** 63n - 1n], () => BigInt(Math.floor(rand() * 2 ** 53)) * (i % 2 ? -1n : 1n) * 997n)),
    u8: Uint8Array.from({ length: n }, (_, i) => pick(i, [0, 255], () => Math.floor(rand() * 256))),
    u16: Uint16Array.from({ length: n }, (_, i) => pick(i, [0, 65535], () => Math.floor(rand() * 65536))),
    u32: Uint32Array.from({ length: n }, (_, i) => pick(i, [2 ** 32 - 1, 2 ** 31], () => Math.floor(rand() * 2 ** 31))),
    u64: BigUint64Array.from({ length: n }, (_, i) => pick(i, [2n ** 64n - 1n, 2n ** 63n], () => BigInt(Math.floor(rand() * 2 ** 53)) * 1013n)),
    f32: Float32Array.from({ length: n }, (_, i) => pick(i, [NaN, -0, 3.5e38, -Infinity], () => (rand() - 0.5) * 1e6)),
    f64: Float64Array.from({ length: n }, (_, i) => pick(i, [-0, NaN, Number.MAX_VALUE, -Number.MIN_VALUE], () => (rand() - 0.5) * 1e300)),
  };
}

/** The schema elements writeParquet gives those columns. */
const elements: Record<string, Omit<SchemaElement, 'name'>> = {
  i8: { type: 'INT32', converted_type: 'INT_8' },
  i16: { type: 'INT32', converted_type: 'INT_16' },
  i32: { type: 'INT32' },
  i64: { type: 'INT64' },
  u8: { type: 'INT32', converted_type: 'UINT_8' },
  u16: { type: 'INT32', converted_type: 'UINT_16' },
  u32: { type: 'INT32', converted_type: 'UINT_32' },
  u64: { type: 'INT64', converted_type: 'UINT_64' },
  f32: { type: 'FLOAT' },
  f64: { type: 'DOUBLE' },
};
const duckTypeOf: Record<string, string> = { i8: 'TINYINT', i16: 'SMALLINT', i32: 'INTEGER', i64: 'BIGINT', u8: 'UTINYINT', u16: 'USMALLINT', u32: 'UINTEGER', u64: 'UBIGINT', f32: 'FLOAT', f64: 'DOUBLE' };

/** The same columns written by hyparquet-writer's value encoder (the general path). */
function writeWithHyparquet(path: string, cols: Record<string, ArrayLike<unknown>>, codec: ParquetCompression, rowGroupSize: number): void {
  const names = Object.keys(cols);
  const schema: SchemaElement[] = [{ name: 'schema', num_children: names.length }, ...names.map((name) => ({ name, repetition_type: 'REQUIRED' as const, ...elements[name]! }))];
  // hyparquet-writer 0.17 refuses a Uint32Array with values >= 2^31 (writeParquet's fast path writes them); it takes them in a JS array.
  const columnData: ColumnSource[] = names.map((name) => ({ name, data: (cols[name] instanceof Uint32Array ? Array.from(cols[name] as Uint32Array) : cols[name]) as ColumnSource['data'] }));
  const compressors = codec === 'GZIP' ? { GZIP: (b: Uint8Array) => new Uint8Array(zlib.gzipSync(b)) } : codec === 'ZSTD' ? { ZSTD: (b: Uint8Array) => new Uint8Array((zlib as unknown as { zstdCompressSync: (b: Uint8Array) => Buffer }).zstdCompressSync(b)) } : {};
  writeFileSync(path, new Uint8Array(parquetWriteBuffer({ schema, columnData, codec, compressors, rowGroupSize })));
}

/** Values as DuckDB's JS rows give them (bigint for 64-bit integers, numbers otherwise). */
function expectedRows(cols: Record<string, ArrayLike<number | bigint>>, n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, r) => Object.fromEntries(Object.entries(cols).map(([k, v]) => [k, v[r]])));
}

/** Statistics and layout of a file as DuckDB reports them. */
async function duckLayout(path: string): Promise<Record<string, unknown>[]> {
  return duckRows(`SELECT row_group_id, row_group_num_rows, path_in_schema, type, stats_min_value, stats_max_value, stats_null_count, compression
    FROM parquet_metadata(${sqlPath(path)}) ORDER BY row_group_id, column_id`);
}

const sameValues = (a: ArrayLike<unknown>, b: ArrayLike<unknown>): void => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) expect([i, a[i]]).toEqual([i, b[i]]);
};

describe('fast path for numeric columns without nulls', () => {
  it.each(codecs)('%s: every numeric type, several row groups (last one short), same as hyparquet-writer, read by DuckDB', async (codec) => {
    const n = 1000;
    const rowGroupSize = 300;
    const cols = numericColumns(n);
    const ours = join(dir, 'ours.parquet');
    const theirs = join(dir, 'theirs.parquet');
    await writeParquet(ours, tableFromArrays(cols as unknown as Record<string, Float64Array>), { compression: codec, rowGroupSize });
    writeWithHyparquet(theirs, cols, codec, rowGroupSize);

    // Our reader (fast path) on both files: the same values and Arrow types.
    for (const path of [ours, theirs]) {
      const back = await readParquet(path);
      for (const [name, values] of Object.entries(cols)) {
        const got = back.getChild(name)!.toArray() as ArrayLike<unknown>;
        expect(got.constructor).toBe(values.constructor);
        sameValues(got, values);
      }
    }
    // hyparquet's value decoder on our file.
    const rows = await parquetReadObjects({ file: fileBytes(ours).buffer, compressors: decompressors });
    for (const [name, values] of Object.entries(cols)) {
      const got = rows.map((r) => r[name] as unknown);
      sameValues(got, Array.from(values as ArrayLike<unknown>));
    }
    // DuckDB: types, values, row groups and statistics equal to hyparquet-writer's.
    const types = Object.fromEntries((await duckRows(`DESCRIBE SELECT * FROM read_parquet(${sqlPath(ours)})`)).map((r) => [r['column_name'], r['column_type']]));
    expect(types).toEqual(duckTypeOf);
    const duck = await duckRows(`SELECT * FROM read_parquet(${sqlPath(ours)})`);
    const expected = expectedRows(cols, n);
    for (let r = 0; r < n; r++) {
      for (const [k, v] of Object.entries(expected[r]!)) {
        if (!Object.is(duck[r]![k], v) && !(typeof v === 'number' && Number.isNaN(v) && Number.isNaN(duck[r]![k]))) expect([r, k, duck[r]![k]]).toEqual([r, k, v]);
      }
    }
    const layout = await duckLayout(ours);
    expect(layout).toEqual(await duckLayout(theirs));
    expect(new Set(layout.map((r) => r['row_group_num_rows']))).toEqual(new Set([300n, 100n]));
    expect(layout.filter((r) => r['path_in_schema'] === 'u32').map((r) => r['stats_max_value'])).toContain('4294967295');
  });

  it('writes and reads 0 rows and 1 row', async () => {
    for (const n of [0, 1]) {
      const cols = numericColumns(n);
      const path = join(dir, `n${n}.parquet`);
      await writeParquet(path, tableFromArrays(cols as unknown as Record<string, Float64Array>));
      const back = await readParquet(path);
      expect(back.numRows).toBe(n);
      for (const [name, values] of Object.entries(cols)) sameValues(back.getChild(name)!.toArray() as ArrayLike<unknown>, values);
      const [count] = await duckRows(`SELECT count(*) AS c FROM read_parquet(${sqlPath(path)})`);
      expect(count!['c']).toBe(BigInt(n));
    }
  });

  it('splits a row group into 1 MiB pages, with an offset index, and reads row ranges across pages and groups', async () => {
    const n = 700_000;
    const f64 = Float64Array.from({ length: n }, (_, i) => i * 0.5 - 1e5);
    const i16 = Int16Array.from({ length: n }, (_, i) => (i % 65536) - 32768);
    const path = join(dir, 'pages.parquet');
    await writeParquet(path, tableFromArrays({ f64, i16 }), { rowGroupSize: 400_000, compression: 'SNAPPY' });
    const meta = parquetMetadata(fileBytes(path).buffer);
    expect(meta.row_groups.map((g) => Number(g.num_rows))).toEqual([400_000, 300_000]);
    expect(meta.row_groups[0]!.columns[0]!.offset_index_length).toBeGreaterThan(0);
    expect(meta.row_groups[0]!.columns[0]!.meta_data!.encoding_stats![0]!.count).toBe(4); // 3.2 MB in 1 MiB pages
    for (const [rowStart, rowEnd] of [[0, n], [131_000, 131_100], [262_000, 540_000], [699_999, 700_000]] as const) {
      const back = await readParquet(path, { rowStart, rowEnd });
      sameValues(back.getChild('f64')!.toArray() as Float64Array, f64.subarray(rowStart, rowEnd));
      sameValues(back.getChild('i16')!.toArray() as Int16Array, i16.subarray(rowStart, rowEnd));
    }
    const [sum] = await duckRows(`SELECT sum(f64) AS s, sum(i16::BIGINT) AS t, count(*) AS c FROM read_parquet(${sqlPath(path)})`);
    let s = 0;
    let t = 0n;
    for (let i = 0; i < n; i++) {
      s += f64[i]!;
      t += BigInt(i16[i]!);
    }
    expect(sum).toEqual({ s, t: t, c: BigInt(n) });
  });

  it('writes a column with nulls, Bool and strings through hyparquet, beside fast columns', async () => {
    const n = 50;
    const maybe = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? null : i / 4));
    const x = Float32Array.from({ length: n }, (_, i) => i * 1.5);
    const table = tableFromArrays({ x, flag: Array.from({ length: n }, (_, i) => i % 2 === 0) }).assign(
      new Table({ maybe: makeVector(vectorFromArray(maybe, new Float64())), s: vectorFromArray(Array.from({ length: n }, (_, i) => `s${i}`), new Utf8()) }),
    );
    const path = join(dir, 'mixed.parquet');
    await writeParquet(path, table, { rowGroupSize: 20, compression: 'UNCOMPRESSED' });
    const meta = parquetMetadata(fileBytes(path).buffer);
    const maybeElement = meta.schema.find((e) => e.name === 'maybe')!;
    expect(maybeElement.repetition_type).toBe('OPTIONAL');
    expect(meta.row_groups).toHaveLength(3);
    const back = await readParquet(path);
    expect(back.getChild('maybe')!.toJSON()).toEqual(maybe);
    expect(back.getChild('maybe')!.nullCount).toBe(17);
    sameValues(back.getChild('x')!.toArray() as Float32Array, x);
    const duck = await duckRows(`SELECT x, flag, maybe, s FROM read_parquet(${sqlPath(path)})`);
    expect(duck).toEqual(Array.from({ length: n }, (_, i) => ({ x: x[i], flag: i % 2 === 0, maybe: maybe[i], s: `s${i}` })));
  });

  it('a table of several record batches (chunked vectors) takes the fast path too', async () => {
    const a = tableFromArrays({ v: Float64Array.from([1, 2, 3]), k: Int32Array.from([4, 5, 6]) });
    const b = tableFromArrays({ v: Float64Array.from([7, 8]), k: Int32Array.from([9, 10]) });
    const table = a.concat(b);
    expect(table.getChild('v')!.data).toHaveLength(2);
    const path = join(dir, 'batches.parquet');
    await writeParquet(path, table, { rowGroupSize: 4 });
    const back = await readParquet(path);
    expect(Array.from(back.getChild('v')!.toArray() as Float64Array)).toEqual([1, 2, 3, 7, 8]);
    expect(Array.from(back.getChild('k')!.toArray() as Int32Array)).toEqual([4, 5, 6, 9, 10]);
  });
});

describe('fast read path on files DuckDB wrote', () => {
  it.each(['uncompressed', 'snappy', 'gzip', 'zstd'])('%s: numeric columns without nulls (OPTIONAL, PLAIN pages) give what DuckDB gives', async (codec) => {
    const path = join(dir, `duck-${codec}.parquet`);
    await duck.run(`CREATE OR REPLACE TABLE t (i32 INTEGER NOT NULL, i64 BIGINT NOT NULL, f32 FLOAT NOT NULL, f64 DOUBLE NOT NULL, u16 USMALLINT NOT NULL, maybe DOUBLE)`);
    await duck.run(`INSERT INTO t SELECT (hash(i) % 2000000000)::INTEGER, (hash(i * 7) >> 1)::BIGINT - 4611686018427387904, (hash(i * 3) % 100000)::FLOAT / 7, hash(i * 5)::DOUBLE / 3, (hash(i * 11) % 65536)::USMALLINT,
      CASE WHEN i % 5 = 0 THEN NULL ELSE i::DOUBLE END FROM range(5000) r(i)`);
    await duck.run(`COPY t TO ${sqlPath(path)} (FORMAT parquet, COMPRESSION ${codec}, ROW_GROUP_SIZE 2048)`);
    const meta = parquetMetadata(fileBytes(path).buffer);
    const f64 = meta.schema.find((e) => e.name === 'f64')!;
    expect(f64.repetition_type).toBe('OPTIONAL'); // DuckDB writes NOT NULL columns as OPTIONAL (with no null)
    const chunks = meta.row_groups.map((g) => g.columns.find((c) => c.meta_data!.path_in_schema[0] === 'f64')!);
    expect(plainReadable(f64, chunks, decompressors)).toBe(true);
    // The column with nulls: its statistics rule it out, and so would its pages.
    const maybe = meta.row_groups.map((g, i) => ({ groupStart: i * 2048, chunk: g.columns[5]! }));
    expect(plainReadable(meta.schema.find((e) => e.name === 'maybe')!, maybe.map((c) => c.chunk), decompressors)).toBe(false);
    const bytes = fileBytes(path);
    const readAt = async (out: Uint8Array, at: number): Promise<void> => void out.set(bytes.subarray(at, at + out.length));
    expect(await readPlainColumn(readAt, maybe, Float64Array, 0, 5000, decompressors, true)).toBeUndefined();
    expect(await readPlainColumn(readAt, chunks.map((chunk, i) => ({ groupStart: i * 2048, chunk })), Float64Array, 0, 5000, decompressors, true)).toBeInstanceOf(Float64Array);

    const expected = await duckRows(`SELECT * FROM read_parquet(${sqlPath(path)})`);
    const table = await readParquet(path);
    expect(table.toArray().map((r) => r.toJSON())).toEqual(expected);
    const part = await readParquet(path, { rowStart: 2000, rowEnd: 4100, columns: ['f64', 'i64'] });
    expect(part.toArray().map((r) => r.toJSON())).toEqual(expected.slice(2000, 4100).map((r) => ({ f64: r['f64'], i64: r['i64'] })));
  });

  it('readPlainColumn gives up (undefined) on a dictionary-encoded page, and readParquet then uses hyparquet', async () => {
    const path = join(dir, 'dict.parquet');
    await duck.run(`COPY (SELECT (i % 3)::INTEGER AS k FROM range(1000) r(i)) TO ${sqlPath(path)} (FORMAT parquet)`);
    const expected = await duckRows(`SELECT * FROM read_parquet(${sqlPath(path)})`);
    const back = await readParquet(path);
    expect(Array.from(back.getChild('k')!.toArray() as Int32Array)).toEqual(expected.map((r) => r['k']));
    const bytes = fileBytes(path);
    const meta = parquetMetadata(bytes.buffer);
    const chunk = meta.row_groups[0]!.columns[0]!;
    // Pretend the dictionary page is not announced: the page itself makes it give up.
    const disguised = { ...chunk, meta_data: { ...chunk.meta_data!, data_page_offset: chunk.meta_data!.dictionary_page_offset ?? chunk.meta_data!.data_page_offset } };
    const readAt = async (out: Uint8Array, at: number): Promise<void> => void out.set(bytes.subarray(at, at + out.length));
    expect(await readPlainColumn(readAt, [{ groupStart: 0, chunk: disguised }], Int32Array, 0, 1000, decompressors)).toBeUndefined();
  });
});
