// TransformSourceTableTask's core: a 5000-row source table through a full functor file.
//   pnpm bench --filter postprocess [--smoke]
// Cases: LSST's schemas/Source.yaml (from the shared fixtures: every func and flag, every
// input column synthesized) on an Arrow table, and SkyStack's schemas/Source.yaml through
// TransformSourceTableTask.run (data ID columns included).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tableFromArrays, type Table } from 'apache-arrow';
import type { FunctorFile } from './functors/functor-file.js';
import { loadFunctorFile } from './functors/functor-file.js';
import { TransformSourceTableTask } from './postprocess/transform-source-table-task.js';

interface BenchCase {
  name: string;
  itemsPerIteration?: number;
  itemUnit?: string;
  setup?: () => void | Promise<void>;
  fn?: () => unknown;
}

const SMOKE = process.argv.includes('--smoke');
const ROWS = SMOKE ? 500 : 5000;
const FIXTURES = process.env['SKYSTACK_FIXTURES'] ?? resolve(import.meta.dirname, '../../../../shared/fixtures');
const LSST_SOURCE = join(FIXTURES, 'pipelines/pipe_tasks/schemas/Source.yaml');

/** An Arrow table with every column a functor file reads (flags as Bool, ids as Int64, the rest Float64). */
function inputTable(columns: readonly string[], rows: number): Table {
  const data: Record<string, unknown> = {};
  for (const name of columns) {
    if (name === 'id' || name === 'parent' || name === 'deblend_nChild') data[name] = BigInt64Array.from({ length: rows }, (_, i) => BigInt(i + 1));
    else if (/(_flag|^calib_|^deblend_|^sky_source$|^detect_)/.test(name)) data[name] = Array.from({ length: rows }, (_, i) => i % 7 === 0);
    else data[name] = Float64Array.from({ length: rows }, (_, i) => 1 + 0.001 * i);
  }
  return tableFromArrays(data as Parameters<typeof tableFromArrays>[0]);
}

let lsst: FunctorFile | undefined;
let lsstTable: Table;
let ours: FunctorFile;
let oursTable: Table;
const task = new TransformSourceTableTask();
const dataId = { visit: 1228, detector: 42, band: 'r', physical_filter: 'r_03' };

async function setup(): Promise<void> {
  if (existsSync(LSST_SOURCE)) {
    lsst = await loadFunctorFile(LSST_SOURCE);
    lsstTable = inputTable(lsst.funcs.columns, ROWS);
  }
  ours = await task.getFunctors();
  oursTable = inputTable([...ours.funcs.columns, 'base_ClassificationExtendedness_value', 'coord_raErr', 'coord_decErr', 'coord_ra_dec_Cov'], ROWS);
}

export const benchmarks: BenchCase[] = [
  {
    name: `LSST Source.yaml (every func and flag) on ${ROWS} rows`,
    itemsPerIteration: ROWS,
    itemUnit: 'rows',
    setup,
    fn: () => {
      if (lsst === undefined) throw new Error(`The fixture ${LSST_SOURCE} is missing (set SKYSTACK_FIXTURES).`);
      return lsst.funcs.evaluate(lsstTable);
    },
  },
  {
    name: `TransformSourceTableTask.run, SkyStack Source.yaml, ${ROWS} rows`,
    itemsPerIteration: ROWS,
    itemUnit: 'rows',
    setup,
    fn: () => task.run({ inputCatalog: oursTable, funcs: ours, dataId }),
  },
];
