// Parquet I/O of a source-table-like Arrow table of 1M rows x 20 columns (6 float64, 5 float32,
// 3 int64, 3 int32, 2 bool, 1 string) with writeParquet/readParquet (hyparquet), side by side
// with DuckDB (@duckdb/node-api) doing the same in the same process: writing the table with
// COPY, and reading all columns / two columns into a DuckDB temporary table (DuckDB's numbers
// do not include handing the values to JavaScript; ours include building the Arrow table).
// The file sizes are printed to stderr. `pnpm bench --smoke` uses 10 000 rows.
// Also: a 4096x4096 float32 image as a one-column table (16.7M rows, 67 MB; how the Butler's
// Parquet formatter stores an image-sized Arrow column), written and read UNCOMPRESSED and
// SNAPPY, in MB/s of values, beside raw file I/O of the same bytes (write + fsync, read);
// `--smoke` uses 64x64.

import { closeSync, fsyncSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { Bool, Float32, Float64, Int32, Int64, Table, Utf8, makeVector, type DataType, type Vector } from 'apache-arrow';
import type { ParquetCompression } from './parquet.js';
import { buildData } from './arrow-data.js';
import { readParquet, writeParquet } from './parquet.js';

interface BenchCase {
  name: string;
  itemsPerIteration?: number;
  itemUnit?: string;
  setup?: () => void | Promise<void>;
  fn?: () => unknown;
}

const SMOKE = process.argv.includes('--smoke');
const ROWS = SMOKE ? 10_000 : 1_000_000;
const LABEL = `${ROWS / 1000}k rows x 20 cols`;
const TWO = ['coord_ra', 'psfFlux'];

let dir = '';
let table: Table;
let oursPath = '';
let outPath = '';
let duckPath = '';
let conn: DuckDBConnection;
let ready: Promise<void> | undefined;

/** The columns of a source table, with the Arrow types afw-table's catalogToArrow gives D, F, L, I, Flag and String fields. */
function makeTable(): Table {
  const D = (): DataType => new Float64();
  const F = (): DataType => new Float32();
  const L = (): DataType => new Int64();
  const I = (): DataType => new Int32();
  const fields: [string, DataType][] = [
    ['coord_ra', D()],
    ['coord_dec', D()],
    ['psfFlux', D()],
    ['psfFluxErr', D()],
    ['apFlux', D()],
    ['apFluxErr', D()],
    ['x', F()],
    ['y', F()],
    ['ixx', F()],
    ['iyy', F()],
    ['ixy', F()],
    ['id', L()],
    ['parent', L()],
    ['objectId', L()],
    ['visit', I()],
    ['detector', I()],
    ['nChild', I()],
    ['flag_edge', new Bool()],
    ['flag_saturated', new Bool()],
    ['band', new Utf8()],
  ];
  let seed = 12345;
  const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const columns: Record<string, Vector> = {};
  for (const [name, type] of fields) {
    let values: ArrayLike<unknown>;
    if (type instanceof Int64) values = BigInt64Array.from({ length: ROWS }, (_, i) => BigInt(i) * 7919n + 1000000000000n);
    else if (type instanceof Int32) values = Int32Array.from({ length: ROWS }, () => Math.floor(rand() * 1000));
    else if (type instanceof Bool) values = Uint8Array.from({ length: ROWS }, () => (rand() < 0.05 ? 1 : 0));
    else if (type instanceof Utf8) values = Array.from({ length: ROWS }, (_, i) => 'ugrizy'[i % 6]!);
    else if (type instanceof Float32) values = Float32Array.from({ length: ROWS }, () => rand() * 1000);
    else values = Float64Array.from({ length: ROWS }, () => rand() * 1000);
    columns[name] = makeVector(buildData(type, values));
  }
  return new Table(columns);
}

const q = (p: string): string => `'${p.replaceAll("'", "''")}'`;
const mb = (p: string): string => `${(statSync(p).size / 1e6).toFixed(1)} MB`;

/** Makes the table, our file and DuckDB's file once. */
function setup(): Promise<void> {
  ready ??= (async () => {
    dir = mkdtempSync(join(tmpdir(), 'skystack-parquet-bench-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    oursPath = join(dir, 'ours.parquet');
    outPath = join(dir, 'out.parquet');
    duckPath = join(dir, 'duck.parquet');
    table = makeTable();
    await writeParquet(oursPath, table);
    conn = await (await DuckDBInstance.create(':memory:')).connect();
    await conn.run(`CREATE TABLE src AS SELECT * FROM read_parquet(${q(oursPath)})`);
    await conn.run(`COPY src TO ${q(duckPath)} (FORMAT parquet, COMPRESSION snappy)`);
    process.stderr.write(`parquet bench (${LABEL}, SNAPPY): ours ${mb(oursPath)}, DuckDB ${mb(duckPath)}\n`);
  })();
  return ready;
}

const common = { itemsPerIteration: ROWS, itemUnit: 'rows', setup };

const SIDE = SMOKE ? 64 : 4096;
const IMAGE = `${SIDE}x${SIDE} float32 image (1 column)`;
const IMAGE_MB = (SIDE * SIDE * 4) / 1e6;
let image: Table;
let pixels: Float32Array;
let imageDir = '';
let imageReady: Promise<void> | undefined;
const imagePath = (codec: ParquetCompression | 'raw'): string => join(imageDir, `image-${codec}.parquet`);

/** A sky-like image (background + noise + a few sources) and its files, once. */
function setupImage(): Promise<void> {
  imageReady ??= (async () => {
    imageDir = mkdtempSync(join(tmpdir(), 'skystack-parquet-image-'));
    process.on('exit', () => rmSync(imageDir, { recursive: true, force: true }));
    pixels = new Float32Array(SIDE * SIDE);
    let seed = 42;
    for (let i = 0; i < pixels.length; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      pixels[i] = 1000 + (seed / 2147483648 - 0.5) * 60 + (i % 997 === 0 ? 5000 : 0);
    }
    image = new Table({ image: makeVector(buildData(new Float32(), pixels)) });
    for (const codec of ['UNCOMPRESSED', 'SNAPPY'] as const) await writeParquet(imagePath(codec), image, { compression: codec });
    rawWrite();
    process.stderr.write(`parquet bench (${IMAGE}, ${IMAGE_MB.toFixed(1)} MB): UNCOMPRESSED ${mb(imagePath('UNCOMPRESSED'))}, SNAPPY ${mb(imagePath('SNAPPY'))}\n`);
  })();
  return imageReady;
}

/** Raw file I/O of the image's bytes: write + fsync (the baseline of writeParquet, which fsyncs). */
function rawWrite(): void {
  const fd = openSync(imagePath('raw'), 'w');
  const bytes = new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
  fsyncSync(fd);
  closeSync(fd);
}

const imageCommon = { itemsPerIteration: IMAGE_MB, itemUnit: 'MB', setup: setupImage };

export const benchmarks: BenchCase[] = [
  { name: `writeParquet UNCOMPRESSED ${IMAGE}`, ...imageCommon, fn: () => writeParquet(join(imageDir, 'out.parquet'), image, { compression: 'UNCOMPRESSED' }) },
  { name: `writeParquet SNAPPY ${IMAGE}`, ...imageCommon, fn: () => writeParquet(join(imageDir, 'out.parquet'), image, { compression: 'SNAPPY' }) },
  { name: `readParquet UNCOMPRESSED ${IMAGE}`, ...imageCommon, fn: () => readParquet(imagePath('UNCOMPRESSED')) },
  { name: `readParquet SNAPPY ${IMAGE}`, ...imageCommon, fn: () => readParquet(imagePath('SNAPPY')) },
  { name: `raw write + fsync of the ${IMAGE} bytes`, ...imageCommon, fn: rawWrite },
  { name: `raw readFileSync of the ${IMAGE} bytes`, ...imageCommon, fn: () => readFileSync(imagePath('raw')) },
  { name: `writeParquet SNAPPY ${LABEL} (temp file + rename)`, ...common, fn: () => writeParquet(outPath, table) },
  { name: `readParquet all columns ${LABEL}`, ...common, fn: () => readParquet(oursPath) },
  { name: `readParquet 2 columns of ${LABEL}`, ...common, fn: () => readParquet(oursPath, { columns: TWO }) },
  { name: `readParquet all columns ${LABEL}, DuckDB-written file`, ...common, fn: () => readParquet(duckPath) },
  { name: `DuckDB COPY TO parquet SNAPPY ${LABEL}`, ...common, fn: () => conn.run(`COPY src TO ${q(outPath)} (FORMAT parquet, COMPRESSION snappy)`) },
  {
    name: `DuckDB read_parquet all columns ${LABEL} into a temp table`,
    ...common,
    fn: () => conn.run(`CREATE OR REPLACE TEMP TABLE t AS SELECT * FROM read_parquet(${q(oursPath)})`),
  },
  {
    name: `DuckDB read_parquet 2 columns of ${LABEL} into a temp table`,
    ...common,
    fn: () => conn.run(`CREATE OR REPLACE TEMP TABLE t AS SELECT ${TWO.join(', ')} FROM read_parquet(${q(oursPath)})`),
  },
];
