// Butler put/get throughput: many small JSON datasets (datasets/s; target >= 2,000/s on
// SQLite), and one 4096 x 4096 float32 image as an Arrow table in Parquet (MB/s), next to raw
// file I/O of the same bytes (write + fsync, read) on the same disk.
//   pnpm bench --filter butler [--smoke]
import { mkdtempSync, rmSync } from 'node:fs';
import { open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Float32, Table, makeData, makeVector } from 'apache-arrow';
import { Butler } from './butler.js';
import { DatasetType } from './datasets/dataset-type.js';

interface BenchCase {
  name: string;
  itemsPerIteration?: number;
  itemUnit?: string;
  measure?: () => Promise<ExternalMeasurement>;
}

interface ExternalMeasurement {
  meanMs: number;
  samples: number;
  rmePercent?: number;
}

const { values: args } = parseArgs({ options: { filter: { type: 'string' }, smoke: { type: 'boolean' } }, strict: false });
const SMOKE = args.smoke === true;
const N_SMALL = SMOKE ? 20 : 5_000;
const SIDE = SMOKE ? 256 : 4096;
const REPEATS = SMOKE ? 1 : 5;

let state: Promise<{ butler: Butler; dir: string }> | undefined;
let users = 2;

function repo(): Promise<{ butler: Butler; dir: string }> {
  state ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skystack-butler-bench-'));
    await Butler.makeRepo(dir);
    const butler = await Butler.from(dir, { run: 'bench/run', instrument: 'BenchCam' });
    const r = butler.registry;
    await r.insertDimensionData('instrument', [{ name: 'BenchCam', detector_max: N_SMALL }]);
    await r.insertDimensionData('detector', Array.from({ length: N_SMALL }, (_, id) => ({ instrument: 'BenchCam', id, full_name: `D${id}` })));
    await r.registerDatasetType(new DatasetType('metrics', ['instrument', 'detector'], 'StructuredDataDict', { universe: butler.universe }));
    await r.registerDatasetType(new DatasetType('image_table', ['instrument', 'detector'], 'ArrowTable', { universe: butler.universe }));
    return { butler, dir };
  })();
  return state;
}

async function done(): Promise<void> {
  if (--users > 0 || state === undefined) return;
  const { butler, dir } = await state;
  await butler.close();
  rmSync(dir, { recursive: true, force: true });
}

const MB = SIDE * SIDE * 4 / 1e6;

export const benchmarks: BenchCase[] = [
  {
    name: `Butler put then get of ${N_SMALL.toLocaleString('en-US')} small JSON datasets (SQLite, file datastore)`,
    itemsPerIteration: N_SMALL,
    itemUnit: 'datasets',
    measure: async () => {
      try {
        const { butler } = await repo();
        const half = Math.floor(N_SMALL / 2);
        const obj = (d: number) => ({ detector: d, mean: d * 0.5, flags: [1, 2, 3] });
        // One at a time, as a single script does it.
        const t0 = performance.now();
        for (let d = 0; d < half; d++) await butler.put(obj(d), 'metrics', { detector: d }, { run: 'bench/seq' });
        const t1 = performance.now();
        for (let d = 0; d < half; d++) await butler.get('metrics', { detector: d }, { collections: 'bench/seq' });
        const t2 = performance.now();
        // Eight in flight, as a task writing several outputs does: file I/O overlaps, the
        // registry transactions still run one at a time.
        const IN_FLIGHT = 8;
        const run = async (fn: (d: number) => Promise<unknown>) => {
          let next = 0;
          await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
            for (let d = next++; d < half; d = next++) await fn(d);
          }));
        };
        const t3 = performance.now();
        await run((d) => butler.put(obj(d), 'metrics', { detector: d }, { run: 'bench/par' }));
        const t4 = performance.now();
        await run((d) => butler.get('metrics', { detector: d }, { collections: 'bench/par' }));
        const t5 = performance.now();
        const rate = (ms: number) => (half / (ms / 1000)).toFixed(0);
        console.log(
          `  butler small JSON (${half} each): one at a time put ${rate(t1 - t0)}/s, get ${rate(t2 - t1)}/s; ${IN_FLIGHT} in flight put ${rate(t4 - t3)}/s, get ${rate(t5 - t4)}/s`,
        );
        return { meanMs: t5 - t0, samples: 1 };
      } finally {
        await done();
      }
    },
  },
  {
    name: `Butler put/get of a ${SIDE}x${SIDE} float32 image as a Parquet Arrow table, vs raw file I/O`,
    itemsPerIteration: SIDE * SIDE,
    itemUnit: 'pixels',
    measure: async () => {
      try {
        const { butler, dir } = await repo();
        const pixels = new Float32Array(SIDE * SIDE);
        for (let i = 0; i < pixels.length; i++) pixels[i] = (i % 4093) * 0.25;
        const table = new Table({ flux: makeVector(makeData({ type: new Float32(), length: pixels.length, data: pixels })) });
        const put: number[] = [];
        const get: number[] = [];
        const rawW: number[] = [];
        const rawR: number[] = [];
        for (let k = 0; k < REPEATS; k++) {
          let t = performance.now();
          await butler.put(table, 'image_table', { detector: k });
          put.push(performance.now() - t);
          t = performance.now();
          const back = (await butler.get('image_table', { detector: k })) as Table;
          get.push(performance.now() - t);
          if (back.numRows !== pixels.length) throw new Error(`read back ${back.numRows} rows, wrote ${pixels.length}`);
          const raw = join(dir, `raw-${k}.bin`);
          t = performance.now();
          const fh = await open(raw, 'w');
          await fh.write(new Uint8Array(pixels.buffer));
          await fh.sync();
          await fh.close();
          rawW.push(performance.now() - t);
          t = performance.now();
          await readFile(raw);
          rawR.push(performance.now() - t);
          await rm(raw);
        }
        const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
        const rate = (ms: number) => (MB / (ms / 1000)).toFixed(0);
        console.log(
          `  butler ${SIDE}x${SIDE} float32 (${MB.toFixed(1)} MB) Parquet: put ${rate(med(put))} MB/s, get ${rate(med(get))} MB/s; raw file write+fsync ${rate(med(rawW))} MB/s, read ${rate(med(rawR))} MB/s`,
        );
        return { meanMs: med(put) + med(get), samples: REPEATS };
      } finally {
        await done();
      }
    },
  },
];
