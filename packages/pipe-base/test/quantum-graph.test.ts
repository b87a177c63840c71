// QuantumGraph generation over a temporary repository: toy add → multiply → gather tasks over
// StructuredDataDict datasets, with instrument/detector/visit records and inputs put with the
// Butler. Expected counts come from the datasets the tests put in.
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataCoordinate } from '@skystack/daf-butler';
import { Butler, CollectionType, DatasetIdGenEnum, DatasetType, Timespan, taiNsFromIsoTai } from '@skystack/daf-butler';
import { Field } from '@skystack/pex-config';
import { Input, InitOutput, Output, PrerequisiteInput } from '../src/connections/connection-types.js';
import { PipelineGraph } from '../src/connections/pipeline-graph.js';
import type { TaskEntry } from '../src/connections/pipeline-graph.js';
import { PipelineTaskConfig } from '../src/connections/pipeline-task-config.js';
import { defineConnections } from '../src/connections/pipeline-task-connections.js';
import { QuantumGraphError } from '../src/graph/errors.js';
import { buildQuantumGraph } from '../src/graph/graph-builder.js';
import type { BuildQuantumGraphOptions } from '../src/graph/graph-builder.js';
import { QuantumGraph } from '../src/graph/quantum-graph.js';
import type { QuantumNode } from '../src/graph/quantum-graph.js';
import type { AdjustQuantumMap, AdjustQuantumResult } from '../src/connections/pipeline-task-connections.js';
import type { BaseInput } from '../src/connections/connection-types.js';
import { PrerequisiteMissingError } from '../src/task/errors.js';

const VD = ['instrument', 'visit', 'detector'] as const;
const SDD = 'StructuredDataDict';

class AddConnections extends defineConnections({
  dimensions: [...VD],
  connections: {
    input: new Input({ doc: 'Numbers', name: 'toyInput', storageClass: SDD, dimensions: [...VD] }),
    output: new Output({ doc: 'Sums', name: 'toySum', storageClass: SDD, dimensions: [...VD] }),
    schema: new InitOutput({ doc: 'Schema', name: 'toyAdd_schema', storageClass: SDD }),
  },
}) {}
class AddConfig extends PipelineTaskConfig.withConnections(AddConnections) {
  addend = Field.float({ doc: 'Amount to add', default: 1 });
}

class MultiplyConnections extends defineConnections({
  dimensions: [...VD],
  connections: {
    input: new Input({ doc: 'Sums', name: 'toySum', storageClass: SDD, dimensions: [...VD] }),
    output: new Output({ doc: 'Products', name: 'toyProduct', storageClass: SDD, dimensions: [...VD] }),
  },
}) {}
class MultiplyConfig extends PipelineTaskConfig.withConnections(MultiplyConnections) {}

class GatherConnections extends defineConnections({
  dimensions: ['instrument', 'visit'],
  connections: {
    products: new Input({ doc: 'Products', name: 'toyProduct', storageClass: SDD, dimensions: [...VD], multiple: true, minimum: 2 }),
    output: new Output({ doc: 'Visit sums', name: 'toyVisitSum', storageClass: SDD, dimensions: ['instrument', 'visit'] }),
  },
}) {}
class GatherConfig extends PipelineTaskConfig.withConnections(GatherConnections) {}

// Drops detector 1 from the gathered products (then minimum 2 applies to what is left).
class TrimmingGatherConnections extends GatherConnections {
  override adjustQuantum(inputs: AdjustQuantumMap<BaseInput>, outputs: AdjustQuantumMap<Output>, label: string, dataId: DataCoordinate): AdjustQuantumResult {
    const [conn, refs] = inputs.get('products')!;
    const kept = refs.filter((r) => r.dataId.get('detector') !== 1);
    inputs.set('products', [conn, kept]);
    super.adjustQuantum(inputs, outputs, label, dataId);
    return { inputs: new Map([['products', [conn, kept] as const]]), outputs: new Map() };
  }
}
class TrimmingGatherConfig extends PipelineTaskConfig.withConnections(TrimmingGatherConnections) {}

class CalibrateConnections extends defineConnections({
  dimensions: [...VD],
  connections: {
    input: new Input({ doc: 'Numbers', name: 'toyInput', storageClass: SDD, dimensions: [...VD] }),
    flat: new PrerequisiteInput({ doc: 'Flat', name: 'toyFlat', storageClass: SDD, dimensions: ['instrument', 'detector'], isCalibration: true }),
    optional: new PrerequisiteInput({ doc: 'Optional', name: 'toyOptional', storageClass: SDD, dimensions: ['instrument', 'detector'], minimum: 0 }),
    output: new Output({ doc: 'Calibrated', name: 'toyCalibrated', storageClass: SDD, dimensions: [...VD] }),
  },
}) {}
class CalibrateConfig extends PipelineTaskConfig.withConnections(CalibrateConnections) {}

class RawGatherConnections extends defineConnections({
  dimensions: ['instrument', 'visit'],
  connections: {
    products: new Input({ doc: 'All inputs of a visit', name: 'toyInput', storageClass: SDD, dimensions: [...VD], multiple: true, minimum: 4 }),
    output: new Output({ doc: 'Visit sums', name: 'toyRawVisitSum', storageClass: SDD, dimensions: ['instrument', 'visit'] }),
  },
}) {}
class RawGatherConfig extends PipelineTaskConfig.withConnections(RawGatherConnections) {}

// Per visit, one output per input detector (as CompareWarp writes an artifact mask per warp).
class PerDetectorConnections extends defineConnections({
  dimensions: ['instrument', 'visit'],
  connections: {
    numbers: new Input({ doc: 'All inputs of a visit', name: 'toyInput', storageClass: SDD, dimensions: [...VD], multiple: true }),
    masks: new Output({ doc: 'One per input', name: 'toyPerDetector', storageClass: SDD, dimensions: [...VD], multiple: true }),
  },
}) {}
class PerDetectorConfig extends PipelineTaskConfig.withConnections(PerDetectorConnections) {}

const entry = (label: string, config: PipelineTaskConfig): TaskEntry => ({ label, taskClass: { name: `${label}Task` }, config });

let dir: string;
let butler: Butler;
const IN = 'Cam/inputs';
const CALIB = 'Cam/calib';
const day = (d: number, h: number): bigint => taiNsFromIsoTai(`2025-03-${String(d).padStart(2, '0')} ${String(h).padStart(2, '0')}:00:00`);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'skystack-qgraph-'));
  await Butler.makeRepo(join(dir, 'repo'));
  butler = await Butler.from(join(dir, 'repo'), { run: IN, instrument: 'Cam' });
  const r = butler.registry;
  const u = butler.universe;
  await r.insertDimensionData('instrument', [{ name: 'Cam', visit_max: 1000, exposure_max: 1000, detector_max: 10 }]);
  await r.insertDimensionData('physical_filter', [{ instrument: 'Cam', name: 'Cam-R', band: 'r' }]);
  await r.insertDimensionData('detector', [1, 2, 3, 4].map((id) => ({ instrument: 'Cam', id, full_name: `D${id}` })));
  await r.insertDimensionData('day_obs', [{ instrument: 'Cam', id: 20250301 }]);
  // Visits 1..3 on March 2, 10 and 20.
  await r.insertDimensionData(
    'visit',
    [2, 10, 20].map((d, i) => ({ instrument: 'Cam', id: i + 1, physical_filter: 'Cam-R', day_obs: 20250301, timespan: Timespan.fromNs(day(d, 1), day(d, 2)) })),
  );
  await r.registerDatasetType(new DatasetType('toyInput', [...VD], SDD, { universe: u }));
  await r.registerDatasetType(new DatasetType('toySum', [...VD], SDD, { universe: u }));
  await r.registerDatasetType(new DatasetType('toyFlat', ['instrument', 'detector'], SDD, { universe: u, isCalibration: true }));
  for (const visit of [1, 2, 3]) {
    for (const detector of [1, 2, 3, 4]) {
      if (visit === 3 && detector === 4) continue; // one missing input
      await butler.put({ value: 10 * visit + detector }, 'toyInput', { visit, detector });
    }
  }
  // Flats for detectors 1..4 certified from March 1 to March 15 (visits 1 and 2, not 3).
  await r.registerCollection(CALIB, CollectionType.CALIBRATION);
  const flats = [];
  for (const detector of [1, 2, 3, 4]) flats.push(await butler.put({ flat: detector }, 'toyFlat', { detector }, { run: 'Cam/calib/run1' }));
  await r.certify(CALIB, flats, Timespan.fromNs(day(1, 0), day(15, 0)));
});

afterAll(async () => {
  await butler.close();
  rmSync(dir, { recursive: true, force: true });
});

function threeTasks(): PipelineGraph {
  return PipelineGraph.build([entry('gather', new GatherConfig()), entry('multiply', new MultiplyConfig()), entry('add', new AddConfig())], { universe: butler.universe });
}

function build(extra: Partial<BuildQuantumGraphOptions> = {}): Promise<QuantumGraph> {
  return buildQuantumGraph({ butler, pipeline: threeTasks(), inputCollections: [IN], outputRun: 'u/test/run', ...extra });
}

const ids = (nodes: readonly QuantumNode[]): string[] => nodes.map((n) => n.dataId.toString());

describe('buildQuantumGraph', () => {
  it('makes one quantum per data ID with inputs, chains upstream outputs, gathers multiple inputs', async () => {
    const qg = await build();
    expect(qg.summary()).toEqual([
      { label: 'add', quanta: 11 },
      { label: 'multiply', quanta: 11 },
      { label: 'gather', quanta: 3 },
    ]);
    expect(qg.length).toBe(25);
    expect(qg.taskLabels()).toEqual(['add', 'multiply', 'gather']);
    expect(qg.metadata.outputRun).toBe('u/test/run');
    expect(qg.metadata.inputCollections).toEqual([IN]);
    expect(qg.metadata.universeVersion).toBe(butler.universe.version);
    // Executable order: every dependency comes first.
    const pos = new Map(qg.nodes.map((n, i) => [n, i]));
    for (const n of qg.nodes) for (const d of qg.dependencies(n)) expect(pos.get(d)!).toBeLessThan(pos.get(n)!);
    const add = qg.quantaOf('add');
    expect(ids(add)).not.toContain(expect.stringContaining('visit: 3, detector: 4'));
    const a0 = add[0]!;
    expect(a0.dataId.hasRecords()).toBe(true);
    expect(a0.dataId.get('band')).toBe('r');
    expect(a0.inputs.get('input')![0]!.run).toBe(IN);
    const out = a0.outputs.get('output')![0]!;
    expect(out.run).toBe('u/test/run');
    expect(out.datasetType.name).toBe('toySum');
    expect(out.dataId.equals(a0.dataId.subset(out.datasetType.dimensions))).toBe(true);
    expect(qg.dependencies(a0)).toEqual([]);
    // multiply reads the predicted sum of the matching add quantum.
    const m0 = qg.quantaOf('multiply').find((n) => n.dataId.equals(a0.dataId))!;
    expect(m0.inputs.get('input')![0]!.id).toBe(out.id);
    expect(qg.dependencies(m0)).toEqual([a0]);
    expect(qg.dependents(a0)).toEqual([m0]);
    // gather for visit 3 reads the three products of visit 3.
    const g3 = qg.quantaOf('gather').find((n) => n.dataId.get('visit') === 3)!;
    expect(g3.inputs.get('products')!.map((r) => r.dataId.get('detector')).sort()).toEqual([1, 2, 3]);
    expect(qg.dependencies(g3).map((n) => n.taskLabel)).toEqual(['multiply', 'multiply', 'multiply']);
    expect(g3.outputs.get('output')![0]!.dataId.dimensions.required).toEqual(['instrument', 'visit']);
    // Init-outputs in the output run, with an empty data ID.
    const schema = qg.initOutputs.get('add')!;
    expect(schema.map((r) => r.datasetType.name)).toEqual(['toyAdd_schema']);
    expect(schema[0]!.run).toBe('u/test/run');
    // The Quantum view keys datasets by dataset type name.
    const q = QuantumGraph.toQuantum(g3);
    expect(q.inputs.get('toyProduct')).toHaveLength(3);
    expect(q.outputs.get('toyVisitSum')).toHaveLength(1);
    // All UUIDs are distinct.
    const all = qg.nodes.flatMap((n) => [n.id, ...[...n.outputs.values()].flat().map((r) => r.id)]);
    expect(new Set(all).size).toBe(all.length);
  });

  it('applies where, bind and dataId; minimum drops quanta with too few inputs', async () => {
    let qg = await build({ where: 'visit = 1 AND detector IN (1..2)' });
    expect(qg.summary().map((s) => s.quanta)).toEqual([2, 2, 1]);
    qg = await build({ where: 'detector = :det', bind: { det: 1 } });
    expect(qg.summary().map((s) => s.quanta)).toEqual([3, 3, 0]); // one product per visit < minimum 2
    qg = await build({ dataId: { visit: 2 } });
    expect(qg.summary().map((s) => s.quanta)).toEqual([4, 4, 1]);
    expect(qg.metadata.where).toBe('');
    // Overall inputs with dimensions beyond the quantum's are gathered through the registry.
    const raw = await buildQuantumGraph({
      butler,
      pipeline: PipelineGraph.build([entry('rawGather', new RawGatherConfig())], { universe: butler.universe }),
      inputCollections: [IN],
      outputRun: 'u/test/run',
    });
    // Visit 3 has three inputs: fewer than minimum 4.
    expect(raw.quantaOf('rawGather').map((n) => n.dataId.get('visit'))).toEqual([1, 2]);
    expect(raw.quantaOf('rawGather')[0]!.inputs.get('products')).toHaveLength(4);
  });

  it("applies the task's adjustQuantum: trimmed inputs, and NoWorkFound drops the quantum", async () => {
    const pipeline = PipelineGraph.build([entry('gather', new TrimmingGatherConfig()), entry('multiply', new MultiplyConfig()), entry('add', new AddConfig())], {
      universe: butler.universe,
    });
    const qg = await buildQuantumGraph({ butler, pipeline, inputCollections: [IN], outputRun: 'u/test/run', where: 'detector IN (1..3)' });
    const gather = qg.quantaOf('gather');
    expect(gather).toHaveLength(3);
    for (const g of gather) expect(g.inputs.get('products')!.map((r) => r.dataId.get('detector')).sort()).toEqual([2, 3]);
    expect(qg.dependencies(gather[0]!)).toHaveLength(2);
    const two = await buildQuantumGraph({ butler, pipeline, inputCollections: [IN], outputRun: 'u/test/run', where: 'detector IN (1..2)' });
    expect(two.quantaOf('gather')).toHaveLength(0); // one product left < minimum 2
  });

  it('pairs an upstream exposure dataset with its visit quantum through visit_definition (as characterizeImage reads postISRCCD)', async () => {
    const d2 = mkdtempSync(join(tmpdir(), 'skystack-qgraph-exp-'));
    const b = await Butler.makeRepo(join(d2, 'repo')).then(() => Butler.from(join(d2, 'repo'), { run: 'Cam/raw', instrument: 'Cam' }));
    try {
      const r = b.registry;
      await r.insertDimensionData('instrument', [{ name: 'Cam', visit_max: 1000, exposure_max: 1000, detector_max: 10 }]);
      await r.insertDimensionData('physical_filter', [{ instrument: 'Cam', name: 'Cam-R', band: 'r' }]);
      await r.insertDimensionData('detector', [1, 2].map((id) => ({ instrument: 'Cam', id, full_name: `D${id}` })));
      await r.insertDimensionData('day_obs', [{ instrument: 'Cam', id: 20250301 }]);
      await r.insertDimensionData('group', [{ instrument: 'Cam', name: 'g' }]);
      // Exposures 11, 12, 13 define visits 101, 102, 103 (not the same IDs, so a wrong pairing shows).
      await r.insertDimensionData('exposure', [11, 12, 13].map((id) => ({ instrument: 'Cam', id, obs_id: `E${id}`, physical_filter: 'Cam-R', group: 'g', day_obs: 20250301 })));
      await r.insertDimensionData('visit', [101, 102, 103].map((id) => ({ instrument: 'Cam', id, physical_filter: 'Cam-R', day_obs: 20250301 })));
      await r.insertDimensionData('visit_definition', [11, 12, 13].map((e) => ({ instrument: 'Cam', exposure: e, visit: e + 90 })));
      const ED = ['instrument', 'exposure', 'detector'];
      await r.registerDatasetType(new DatasetType('toyRaw', ED, SDD, { universe: b.universe }));
      for (const exposure of [11, 12, 13]) for (const detector of [1, 2]) await b.put({ value: exposure * 10 + detector }, 'toyRaw', { exposure, detector });
      class IsrLike extends defineConnections({
        dimensions: ED,
        connections: {
          raw: new Input({ doc: 'Raw', name: 'toyRaw', storageClass: SDD, dimensions: ED }),
          out: new Output({ doc: 'Post-ISR', name: 'toyPostIsr', storageClass: SDD, dimensions: ED }),
        },
      }) {}
      class CharLike extends defineConnections({
        dimensions: [...VD],
        connections: {
          exposure: new Input({ doc: 'Post-ISR', name: 'toyPostIsr', storageClass: SDD, dimensions: ED }),
          out: new Output({ doc: 'Characterized', name: 'toyIcExp', storageClass: SDD, dimensions: [...VD] }),
        },
      }) {}
      const pipeline = PipelineGraph.build(
        [entry('isr', new (PipelineTaskConfig.withConnections(IsrLike))()), entry('characterize', new (PipelineTaskConfig.withConnections(CharLike))())],
        { universe: b.universe },
      );
      const qg = await buildQuantumGraph({ butler: b, pipeline, inputCollections: ['Cam/raw'], outputRun: 'u/test/run' });
      const chars = qg.quantaOf('characterize');
      expect(chars).toHaveLength(6);
      for (const q of chars) {
        const refs = q.inputs.get('exposure')!;
        expect(refs).toHaveLength(1);
        expect(refs[0]!.dataId.get('exposure')).toBe((q.dataId.get('visit') as number) - 90);
        expect(refs[0]!.dataId.get('detector')).toBe(q.dataId.get('detector'));
        // ... and the quantum depends on exactly the isr quantum that makes it.
        expect(qg.dependencies(q)).toHaveLength(1);
      }
      const one = await buildQuantumGraph({ butler: b, pipeline, inputCollections: ['Cam/raw'], outputRun: 'u/test/run', where: 'visit = 102' });
      expect(one.quantaOf('characterize').map((q) => q.inputs.get('exposure')![0]!.dataId.get('exposure'))).toEqual([12, 12]);
    } finally {
      await b.close();
      rmSync(d2, { recursive: true, force: true });
    }
  });

  it('makes a multiple output with dimensions beyond the quantum one per data ID of the input that has them', async () => {
    const pipeline = PipelineGraph.build([entry('perDetector', new PerDetectorConfig())], { universe: butler.universe });
    const qg = await buildQuantumGraph({ butler, pipeline, inputCollections: [IN], outputRun: 'u/test/per' });
    expect(qg.quantaOf('perDetector')).toHaveLength(3);
    for (const n of qg.quantaOf('perDetector')) {
      const inDets = n.inputs.get('numbers')!.map((r) => r.dataId.get('detector')).sort();
      const outs = n.outputs.get('masks')!;
      expect(outs.map((r) => r.dataId.get('detector')).sort()).toEqual(inDets);
      for (const r of outs) expect(r.dataId.get('visit')).toBe(n.dataId.get('visit'));
    }
    // visit 3 has no input for detector 4, so no output either
    expect(qg.quantaOf('perDetector').find((n) => n.dataId.get('visit') === 3)!.outputs.get('masks')).toHaveLength(3);
  });

  it('gives an empty graph when no inputs match', async () => {
    const qg = await build({ where: 'visit = 3 AND detector = 4' });
    expect(qg.length).toBe(0);
    expect(qg.summary()).toEqual([
      { label: 'add', quanta: 0 },
      { label: 'multiply', quanta: 0 },
      { label: 'gather', quanta: 0 },
    ]);
  });

  it('finds calibration prerequisites by the visit timespan and names task, data ID and dataset type when missing', async () => {
    const pipeline = PipelineGraph.build([entry('calibrate', new CalibrateConfig())], { universe: butler.universe });
    const qg = await buildQuantumGraph({ butler, pipeline, inputCollections: [IN, CALIB], outputRun: 'u/test/calib', where: 'visit IN (1, 2)' });
    expect(qg.length).toBe(8);
    for (const n of qg.nodes) {
      const flat = n.prerequisites.get('flat')!;
      expect(flat).toHaveLength(1);
      expect(flat[0]!.dataId.get('detector')).toBe(n.dataId.get('detector'));
      expect(flat[0]!.run).toBe('Cam/calib/run1');
      expect(n.prerequisites.get('optional')).toEqual([]);
    }
    const err = await buildQuantumGraph({ butler, pipeline, inputCollections: [IN, CALIB], outputRun: 'u/test/calib', where: 'visit = 3' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrerequisiteMissingError);
    expect(String(err)).toMatch(/Prerequisite input 'toyFlat' \(connection 'flat'\) of task 'calibrate' was not found for quantum data ID \{instrument: 'Cam', .*visit: 3/);
    // Without the calibration collection it is missing too.
    await expect(buildQuantumGraph({ butler, pipeline, inputCollections: [IN], outputRun: 'u/test/calib', where: 'visit = 1' })).rejects.toThrow(PrerequisiteMissingError);
  });

  it('skips quanta whose outputs exist in skipExistingIn and refuses existing outputs in the output RUN unless clobbering', async () => {
    const run1 = 'u/test/skip1';
    for (const detector of [1, 2, 3, 4]) await butler.put({ value: 0 }, 'toySum', { visit: 1, detector }, { run: run1 });
    const qg = await build({ skipExistingIn: [run1], outputRun: 'u/test/skip2' });
    expect(qg.summary().map((s) => s.quanta)).toEqual([7, 11, 3]);
    expect(qg.quantaOf('add').some((n) => n.dataId.get('visit') === 1)).toBe(false);
    const m = qg.quantaOf('multiply').find((n) => n.dataId.get('visit') === 1)!;
    expect(m.inputs.get('input')![0]!.run).toBe(run1);
    expect(qg.dependencies(m)).toEqual([]);

    const err = await build({ outputRun: run1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QuantumGraphError);
    expect((err as QuantumGraphError).kind).toBe('output-exists');
    expect(String(err)).toMatch(/Output 'toySum' of task 'add' for data ID .*visit: 1.* already exists in the output RUN 'u\/test\/skip1'/);
    const clobbered = await build({ outputRun: run1, clobberOutputs: true });
    expect(clobbered.quantaOf('add')).toHaveLength(11);
    // Skipping in the output RUN itself: the existing outputs are reused.
    const extend = await build({ outputRun: run1, skipExistingIn: [run1] });
    expect(extend.quantaOf('add')).toHaveLength(7);
  });

  it('reports unregistered overall inputs', async () => {
    const c = new AddConfig();
    c.connections.input = 'toyNothing';
    const pipeline = PipelineGraph.build([entry('add', c)], { universe: butler.universe });
    await expect(buildQuantumGraph({ butler, pipeline, inputCollections: [IN], outputRun: 'x' })).rejects.toThrow(/Dataset type 'toyNothing' \(input 'input' of task 'add'\) is not registered/);
  });
});

describe('QuantumGraph files and text', () => {
  it('round-trips through save/load with the same nodes, references, records and edges', async () => {
    const qg = await build({ where: "instrument = 'Cam'", outputCollection: 'u/test' });
    const path = join(dir, 'g.qgraph');
    await qg.save(path);
    const back = await QuantumGraph.load(path, butler.universe);
    expect(back.metadata).toEqual(qg.metadata);
    expect(back.length).toBe(qg.length);
    expect(back.summary()).toEqual(qg.summary());
    const refText = (m: ReadonlyMap<string, readonly { toString(): string }[]>): string[][] => [...m].map(([k, v]) => [k, ...v.map(String)]);
    qg.nodes.forEach((n, i) => {
      const b = back.nodes[i]!;
      expect(b.id).toBe(n.id);
      expect(b.taskLabel).toBe(n.taskLabel);
      expect(b.dataId.equals(n.dataId)).toBe(true);
      expect(b.dataId.toString()).toBe(n.dataId.toString());
      expect(b.dataId.hasRecords()).toBe(true);
      expect(b.dataId.records.get('visit')!.timespan!.equals(n.dataId.records.get('visit')!.timespan!)).toBe(true);
      expect(refText(b.inputs)).toEqual(refText(n.inputs));
      expect(refText(b.outputs)).toEqual(refText(n.outputs));
      expect(refText(b.prerequisites)).toEqual(refText(n.prerequisites));
      expect(back.dependencies(b).map((d) => d.id)).toEqual(qg.dependencies(n).map((d) => d.id));
    });
    expect(refText(back.initOutputs)).toEqual(refText(qg.initOutputs));
  });

  it('refuses newer major versions and files that are not graphs', async () => {
    const path = join(dir, 'future.qgraph');
    await writeFile(path, gzipSync(JSON.stringify({ format: 'skystack.QuantumGraph', version: '2.0' })));
    await expect(QuantumGraph.load(path, butler.universe)).rejects.toThrow(/format 2\.0; this version of SkyStack reads format 1\.x/);
    await writeFile(path, 'not a graph');
    await expect(QuantumGraph.load(path, butler.universe)).rejects.toThrow(/is not a saved QuantumGraph/);
  });

  it('writes dot with quanta boxes, dataset ellipses and edges', async () => {
    const qg = await build({ where: 'visit = 1 AND detector IN (1..2)' });
    const dot = qg.toDot();
    expect(dot.startsWith('digraph QuantumGraph {')).toBe(true);
    expect(dot.trimEnd().endsWith('}')).toBe(true);
    expect(dot.match(/shape=box/g)).toHaveLength(5);
    // 2 inputs + 2 sums + 2 products + 1 visit sum.
    expect(dot.match(/shape=ellipse/g)).toHaveLength(7);
    expect(dot).toMatch(/label="gather\\n\{instrument: 'Cam', .*visit: 1\}"/);
    expect(dot.match(/->/g)).toHaveLength(2 + 2 + 2 + 2 + 2 + 1);
  });
});

describe('QuantumGraph at 10,000 quanta', () => {
  it('builds one quantum per dataset for 100 visits x 100 detectors', async () => {
    const root = join(dir, 'big');
    await Butler.makeRepo(root);
    const big = await Butler.from(root, { run: IN });
    try {
      const r = big.registry;
      await r.insertDimensionData('instrument', [{ name: 'Big', visit_max: 1000, exposure_max: 1000, detector_max: 200 }]);
      await r.insertDimensionData('physical_filter', [{ instrument: 'Big', name: 'Big-R', band: 'r' }]);
      await r.insertDimensionData('day_obs', [{ instrument: 'Big', id: 20250301 }]);
      await r.insertDimensionData('detector', Array.from({ length: 100 }, (_, i) => ({ instrument: 'Big', id: i, full_name: `D${i}` })));
      await r.insertDimensionData('visit', Array.from({ length: 100 }, (_, i) => ({ instrument: 'Big', id: i, physical_filter: 'Big-R', day_obs: 20250301 })));
      await r.registerDatasetType(new DatasetType('toyInput', [...VD], SDD, { universe: big.universe }));
      await r.registerRun(IN);
      const dataIds = [];
      for (let v = 0; v < 100; v++) for (let d = 0; d < 100; d++) dataIds.push({ instrument: 'Big', visit: v, detector: d });
      await r.insertDatasets('toyInput', dataIds, IN, { idGenerationMode: DatasetIdGenEnum.UNIQUE });
      const pipeline = PipelineGraph.build([entry('add', new AddConfig())], { universe: big.universe });
      const qg = await buildQuantumGraph({ butler: big, pipeline, inputCollections: [IN], outputRun: 'u/big' });
      expect(qg.length).toBe(10_000);
      const keys = new Set(qg.nodes.map((n) => n.dataId.key));
      expect(keys.size).toBe(10_000);
      for (const n of qg.nodes) expect(n.inputs.get('input')![0]!.dataId.equals(n.dataId)).toBe(true);
    } finally {
      await big.close();
    }
  }, 60_000);
});
