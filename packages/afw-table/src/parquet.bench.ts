// Parquet I/O of a source-table-like catalog of 1M rows x 20 columns (6 float64, 5 float32,
// 3 int64, 3 int32, 2 bool, 1 string) with writeParquet/readParquet (hyparquet), side by side
// with DuckDB (@duckdb/node-api) doing the same in the same process: writing the table with
// COPY, and reading all columns / two columns into a DuckDB temporary table (DuckDB's numbers
// do not include handing the values to JavaScript; ours include building the Arrow table).
// The file sizes are printed to stderr. `pnpm bench --smoke` uses 10 000 rows.

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Table } from 'apache-arrow';
import { catalogToArrow } from './arrow.js';
import { BaseCatalog } from './base-catalog.js';
import { readParquet, writeParquet } from './parquet.js';
import { Schema, type FieldInput } from './schema.js';

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

function makeCatalog(): BaseCatalog {
  const fields: FieldInput[] = [
    { name: 'coord_ra', type: 'D' },
    { name: 'coord_dec', type: 'D' },
    { name: 'psfFlux', type: 'D' },
    { name: 'psfFluxErr', type: 'D' },
    { name: 'apFlux', type: 'D' },
    { name: 'apFluxErr', type: 'D' },
    { name: 'x', type: 'F' },
    { name: 'y', type: 'F' },
    { name: 'ixx', type: 'F' },
    { name: 'iyy', type: 'F' },
    { name: 'ixy', type: 'F' },
    { name: 'id', type: 'L' },
    { name: 'parent', type: 'L' },
    { name: 'objectId', type: 'L' },
    { name: 'visit', type: 'I' },
    { name: 'detector', type: 'I' },
    { name: 'nChild', type: 'I' },
    { name: 'flag_edge', type: 'Flag' },
    { name: 'flag_saturated', type: 'Flag' },
    { name: 'band', type: 'String', size: 1 },
  ];
  const catalog = new BaseCatalog(new Schema(fields), { length: ROWS });
  let seed = 12345;
  const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (const f of fields) {
    const column = catalog.getColumn(f.name);
    if (column instanceof BigInt64Array) for (let i = 0; i < ROWS; i++) column[i] = BigInt(i) * 7919n + 1000000000000n;
    else if (column instanceof Int32Array) for (let i = 0; i < ROWS; i++) column[i] = Math.floor(rand() * 1000);
    else if (column instanceof Uint8Array) for (let i = 0; i < ROWS; i++) column[i] = rand() < 0.05 ? 1 : 0;
    else if (Array.isArray(column)) for (let i = 0; i < ROWS; i++) column[i] = 'ugrizy'[i % 6]!;
    else for (let i = 0; i < ROWS; i++) column[i] = rand() * 1000;
  }
  return catalog;
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
    table = catalogToArrow(makeCatalog());
    await writeParquet(oursPath, table);
    conn = await (await DuckDBInstance.create(':memory:')).connect();
    await conn.run(`CREATE TABLE src AS SELECT * FROM read_parquet(${q(oursPath)})`);
    await conn.run(`COPY src TO ${q(duckPath)} (FORMAT parquet, COMPRESSION snappy)`);
    process.stderr.write(`parquet bench (${LABEL}, SNAPPY): ours ${mb(oursPath)}, DuckDB ${mb(duckPath)}\n`);
  })();
  return ready;
}

const common = { itemsPerIteration: ROWS, itemUnit: 'rows', setup };

export const benchmarks: BenchCase[] = [
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
