// QuantumGraph generation time on a file SQLite registry (issue target: 10,000 quanta well
// under 5 s):
//   - add -> multiply over 50 visits x 100 detectors (10,000 quanta), inputs found in the
//     input RUN, multiply's inputs predicted by add;
//   - one task with a calibration prerequisite (certified over a timespan, looked up by the
//     visit timespan) over 100 visits x 100 detectors (10,000 quanta);
//   - save + load of the 10,000-quantum add -> multiply graph (gzipped JSON).
// Inputs are inserted with registry.insertDatasets (graph generation reads only the registry).
//   pnpm bench --filter quantum-graph [--smoke]   (smoke: 2 visits x 5 detectors, one repeat)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Butler, CollectionType, DatasetIdGenEnum, DatasetType, Timespan, taiNsFromIsoTai } from '@skystack/daf-butler';
import { Input, Output, PrerequisiteInput } from '../connections/connection-types.js';
import { PipelineGraph } from '../connections/pipeline-graph.js';
import { PipelineTaskConfig } from '../connections/pipeline-task-config.js';
import { defineConnections } from '../connections/pipeline-task-connections.js';
import { buildQuantumGraph } from './graph-builder.js';
import { QuantumGraph } from './quantum-graph.js';

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
const VISITS = SMOKE ? 2 : 100;
const DETECTORS = SMOKE ? 5 : 100;
const REPEATS = SMOKE ? 1 : 5;
const VD = ['instrument', 'visit', 'detector'];
const SDD = 'StructuredDataDict';
const IN = 'bench/inputs';
const CALIB = 'bench/calib';

const AddConnections = defineConnections({
  dimensions: VD,
  connections: {
    input: new Input({ name: 'benchInput', storageClass: SDD, dimensions: VD }),
    output: new Output({ name: 'benchSum', storageClass: SDD, dimensions: VD }),
  },
});
const MultiplyConnections = defineConnections({
  dimensions: VD,
  connections: {
    input: new Input({ name: 'benchSum', storageClass: SDD, dimensions: VD }),
    output: new Output({ name: 'benchProduct', storageClass: SDD, dimensions: VD }),
  },
});
const CalibrateConnections = defineConnections({
  dimensions: VD,
  connections: {
    input: new Input({ name: 'benchInput', storageClass: SDD, dimensions: VD }),
    flat: new PrerequisiteInput({ name: 'benchFlat', storageClass: SDD, dimensions: ['instrument', 'detector'], isCalibration: true }),
    output: new Output({ name: 'benchCalibrated', storageClass: SDD, dimensions: VD }),
  },
});

let state: Promise<{ butler: Butler; dir: string }> | undefined;
let users = 3;

function repo(): Promise<{ butler: Butler; dir: string }> {
  state ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skystack-qgraph-bench-'));
    await Butler.makeRepo(dir);
    const butler = await Butler.from(dir, { run: IN });
    const r = butler.registry;
    const u = butler.universe;
    const t0 = taiNsFromIsoTai('2025-03-02 00:00:00');
    const minute = 60_000_000_000n;
    await r.insertDimensionData('instrument', [{ name: 'BenchCam', visit_max: 100_000, exposure_max: 100_000, detector_max: 1000 }]);
    await r.insertDimensionData('physical_filter', [{ instrument: 'BenchCam', name: 'BenchCam-R', band: 'r' }]);
    await r.insertDimensionData('day_obs', [{ instrument: 'BenchCam', id: 20250301 }]);
    await r.insertDimensionData('detector', Array.from({ length: DETECTORS }, (_, i) => ({ instrument: 'BenchCam', id: i, full_name: `D${i}` })));
    await r.insertDimensionData(
      'visit',
      Array.from({ length: VISITS }, (_, i) => ({
        instrument: 'BenchCam',
        id: i,
        physical_filter: 'BenchCam-R',
        day_obs: 20250301,
        timespan: Timespan.fromNs(t0 + BigInt(i) * minute, t0 + BigInt(i) * minute + minute / 2n),
      })),
    );
    await r.registerDatasetType(new DatasetType('benchInput', VD, SDD, { universe: u }));
    await r.registerDatasetType(new DatasetType('benchFlat', ['instrument', 'detector'], SDD, { universe: u, isCalibration: true }));
    await r.registerRun(IN);
    const ids = [];
    for (let v = 0; v < VISITS; v++) for (let d = 0; d < DETECTORS; d++) ids.push({ instrument: 'BenchCam', visit: v, detector: d });
    await r.insertDatasets('benchInput', ids, IN, { idGenerationMode: DatasetIdGenEnum.UNIQUE });
    await r.registerRun('bench/calib/run');
    const flatIds = Array.from({ length: DETECTORS }, (_, d) => ({ instrument: 'BenchCam', detector: d }));
    const flats = await r.insertDatasets('benchFlat', flatIds, 'bench/calib/run', { idGenerationMode: DatasetIdGenEnum.UNIQUE });
    await r.registerCollection(CALIB, CollectionType.CALIBRATION);
    await r.certify(CALIB, flats, Timespan.fromNs(t0 - minute, t0 + BigInt(VISITS + 1) * minute));
    return { butler, dir };
  })();
  return state;
}

async function release(): Promise<void> {
  if (--users > 0 || state === undefined) return;
  const { butler, dir } = await state;
  await butler.close();
  rmSync(dir, { recursive: true, force: true });
}

function pipelineOf(butler: Butler, kind: 'chain' | 'calib'): PipelineGraph {
  const entry = (label: string, cls: Parameters<typeof PipelineTaskConfig.withConnections>[0]) => ({
    label,
    taskClass: { name: label },
    config: new (PipelineTaskConfig.withConnections(cls))(),
  });
  const entries = kind === 'chain' ? [entry('add', AddConnections), entry('multiply', MultiplyConnections)] : [entry('calibrate', CalibrateConnections)];
  return PipelineGraph.build(entries, { universe: butler.universe });
}

async function timed(label: string, expected: number, one: () => Promise<number>): Promise<ExternalMeasurement> {
  const samples: number[] = [];
  for (let i = 0; i < REPEATS + 1; i++) {
    const t = performance.now();
    const n = await one();
    const ms = performance.now() - t;
    if (n !== expected) throw new Error(`${label}: expected ${expected} quanta, got ${n}.`);
    if (i > 0 || REPEATS === 1) samples.push(ms); // the first run warms caches
  }
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  const sorted = [...samples].sort((a, b) => a - b);
  console.log(`${label}: ${expected.toLocaleString('en-US')} quanta, median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} ms, min ${sorted[0]!.toFixed(1)} ms`);
  return { meanMs: mean, samples: samples.length };
}

const N = VISITS * DETECTORS;

/** The benchmark cases. */
export const benchmarks: BenchCase[] = [
  {
    name: `QuantumGraph generation, add -> multiply, ${(2 * (N / 2)).toLocaleString('en-US')} quanta (SQLite)`,
    itemsPerIteration: N,
    itemUnit: 'quanta',
    measure: async () => {
      try {
        const { butler } = await repo();
        const pipeline = pipelineOf(butler, 'chain');
        const half = Math.max(1, Math.floor(VISITS / 2));
        return await timed('add -> multiply', 2 * half * DETECTORS, async () => {
          const qg = await buildQuantumGraph({ butler, pipeline, inputCollections: [IN], outputRun: 'bench/out', where: `visit < ${half}` });
          return qg.length;
        });
      } finally {
        await release();
      }
    },
  },
  {
    name: `QuantumGraph generation with a calibration prerequisite, ${N.toLocaleString('en-US')} quanta (SQLite)`,
    itemsPerIteration: N,
    itemUnit: 'quanta',
    measure: async () => {
      try {
        const { butler } = await repo();
        const pipeline = pipelineOf(butler, 'calib');
        return await timed('calibrate (prerequisite)', N, async () => {
          const qg = await buildQuantumGraph({ butler, pipeline, inputCollections: [IN, CALIB], outputRun: 'bench/out' });
          return qg.length;
        });
      } finally {
        await release();
      }
    },
  },
  {
    name: `QuantumGraph save + load, ${N.toLocaleString('en-US')} quanta`,
    itemsPerIteration: N,
    itemUnit: 'quanta',
    measure: async () => {
      try {
        const { butler, dir } = await repo();
        const half = Math.max(1, Math.floor(VISITS / 2));
        const qg = await buildQuantumGraph({ butler, pipeline: pipelineOf(butler, 'chain'), inputCollections: [IN], outputRun: 'bench/out', where: `visit < ${half}` });
        const path = join(dir, 'bench.qgraph');
        return await timed('save + load', qg.length, async () => {
          await qg.save(path);
          return (await QuantumGraph.load(path, butler.universe)).length;
        });
      } finally {
        await release();
      }
    },
  },
];
