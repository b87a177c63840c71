import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Butler, DataCoordinate, DatasetRef, DimensionUniverse, DatasetIdGenEnum, makeDatasetId } from '@skystack/daf-butler';
import type { DatasetType } from '@skystack/daf-butler';
import { Field, FrozenConfigError } from '@skystack/pex-config';
import { Input, InitOutput, Output, PrerequisiteInput } from '../src/connections/connection-types.js';
import { ConnectionsDefinitionError, PipelineGraphError } from '../src/connections/errors.js';
import { PipelineGraph } from '../src/connections/pipeline-graph.js';
import { PipelineTaskConfig } from '../src/connections/pipeline-task-config.js';
import { defineConnections, PipelineTaskConnections } from '../src/connections/pipeline-task-connections.js';
import type { AdjustQuantumMap, AdjustQuantumResult } from '../src/connections/pipeline-task-connections.js';
import type { BaseInput } from '../src/connections/connection-types.js';
import type { Quantum } from '../src/connections/quantized-connection.js';
import { formatTemplate, templateNames } from '../src/connections/templates.js';
import { NoWorkFound, PrerequisiteMissingError, ScalarError } from '../src/task/errors.js';
import { PipelineTask } from '../src/task/pipeline-task.js';
import { ButlerQuantumContext } from '../src/task/quantum-context.js';
import { Struct } from '../src/task/struct.js';

const DIMS = ['instrument', 'detector'] as const;

// Toy tasks over StructuredDataDict datasets: add then multiply.
class AddConnections extends defineConnections({
  dimensions: [...DIMS],
  defaultTemplates: { prefix: 'toy' },
  connections: {
    input: new Input({ doc: 'Input numbers', name: '{prefix}Input', storageClass: 'StructuredDataDict', dimensions: [...DIMS] }),
    output: new Output({ doc: 'Sums', name: '{prefix}Sum', storageClass: 'StructuredDataDict', dimensions: [...DIMS] }),
    extra: new Output({ doc: 'Only with doExtra', name: '{prefix}Extra', storageClass: 'StructuredDataDict', dimensions: [...DIMS] }),
    schema: new InitOutput({ doc: 'Schema', name: '{prefix}Add_schema', storageClass: 'StructuredDataDict' }),
  },
  configure(self, config) {
    if (!(config as AddConfig).doExtra) self.removeConnection('extra');
  },
}) {}
class AddConfig extends PipelineTaskConfig.withConnections(AddConnections) {
  addend = Field.float({ doc: 'Amount to add', default: 1 });
  doExtra = Field.bool({ doc: 'Write the extra output?', default: false });
}
class AddTask extends PipelineTask<AddConfig> {
  static override ConfigClass = AddConfig;
  static override _DefaultName: string | undefined = 'add';
  override run(inputs: Record<string, unknown>): Struct {
    const input = inputs['input'] as { value: number };
    return new Struct({ output: { value: input.value + this.config.addend }, extra: { value: -1 } });
  }
}

class MultiplyConnections extends defineConnections({
  dimensions: [...DIMS],
  defaultTemplates: { prefix: 'toy' },
  connections: {
    input: new Input({ doc: 'Sums', name: '{prefix}Sum', storageClass: 'StructuredDataDict', dimensions: [...DIMS] }),
    output: new Output({ doc: 'Products', name: '{prefix}Product', storageClass: 'StructuredDataDict', dimensions: [...DIMS] }),
  },
}) {}
class MultiplyConfig extends PipelineTaskConfig.withConnections(MultiplyConnections) {
  factor = Field.float({ doc: 'Factor', default: 3 });
}
class MultiplyTask extends PipelineTask<MultiplyConfig> {
  static override ConfigClass = MultiplyConfig;
  static override _DefaultName: string | undefined = 'multiply';
  override run(inputs: Record<string, unknown>): Struct {
    return new Struct({ output: { value: (inputs['input'] as { value: number }).value * this.config.factor } });
  }
}

describe('connection templates and overrides', () => {
  it('expands templates as str.format does', () => {
    expect(templateNames('{coaddName}Coadd_{{x}}_{kind}')).toEqual(['coaddName', 'kind']);
    expect(formatTemplate('{coaddName}Coadd', { coaddName: 'deep' })).toBe('deepCoadd');
    expect(formatTemplate('a{{b}}', {})).toBe('a{b}');
    expect(() => formatTemplate('{x}', {})).toThrow(/No value for template '\{x\}'/);
  });

  it('gives every connection and template a config field, overridable per config', () => {
    const config = new AddConfig();
    expect(config.connections.input).toBe('{prefix}Input');
    expect(config.connections.prefix).toBe('toy');
    let c = new AddConnections({ config });
    expect(c.input.name).toBe('toyInput');
    expect(c.output.name).toBe('toySum');
    config.connections.prefix = 'deep';
    config.connections.output = 'renamed{prefix}';
    c = new AddConnections({ config });
    expect(c.input.name).toBe('deepInput');
    expect(c.output.name).toBe('renameddeep');
    expect(c.output.storageClass).toBe('StructuredDataDict');
    expect(AddConnections.allConnections.get('input')!.name).toBe('{prefix}Input');
    expect(config.saveToString()).toContain("config.connections.prefix='deep'");
    config.loadFromString("config.connections.prefix = 'goodSeeing'");
    expect(new AddConnections({ config }).input.name).toBe('goodSeeingInput');
  });

  it('removes connections conditionally from the config and freezes them after construction', () => {
    const config = new AddConfig();
    let c = new AddConnections({ config });
    expect([...c.outputs].sort()).toEqual(['output']);
    expect([...c.initOutputs]).toEqual(['schema']);
    expect(() => c.extra).toThrow(/Connection 'extra' of AddConnections has been removed/);
    config.doExtra = true;
    c = new AddConnections({ config });
    expect([...c.outputs].sort()).toEqual(['extra', 'output']);
    expect(() => c.removeConnection('extra')).toThrow(/frozen after construction/);
    expect(() => c.dimensions.add('visit')).toThrow(/frozen after construction/);
  });

  it('checks declarations: dimensions, template defaults, clashes, reserved names, minimum', () => {
    expect(() => defineConnections({ dimensions: 'visit' as never, connections: {} })).toThrow(ConnectionsDefinitionError);
    expect(() => new Input({ name: 'x', storageClass: 'S', dimensions: 'visit' as never })).toThrow(/got the string 'visit'/);
    expect(() => defineConnections({ dimensions: [], connections: { a: new Input({ name: '{foo}x', storageClass: 'S' }) } })).toThrow(
      /Default template values were not given for 'foo'/,
    );
    expect(() => defineConnections({ dimensions: [], defaultTemplates: { a: 'x' }, connections: { a: new Output({ name: 'x', storageClass: 'S' }) } })).toThrow(
      /cannot share names with connections/,
    );
    expect(() => defineConnections({ dimensions: [], connections: { inputs: new Output({ name: 'x', storageClass: 'S' }) } })).toThrow(/reserved/);
    expect(() => new Input({ name: 'x', storageClass: 'S', minimum: 2 })).toThrow(/minimum=2 if multiple=false/);
  });

  it('freezes the task config and rejects changes through the task', () => {
    const task = new AddTask();
    expect(() => {
      task.config.connections.prefix = 'x';
    }).toThrow(FrozenConfigError);
  });

  it('validates dimensions against a universe', () => {
    const universe = DimensionUniverse.default();
    new AddConnections({ config: new AddConfig() }).validate(universe);
    const Bad = defineConnections({ dimensions: ['instrument', 'detektor'], connections: {} });
    const BadConfig = PipelineTaskConfig.withConnections(Bad);
    expect(() => new Bad({ config: new BadConfig() }).validate(universe)).toThrow(/Unknown dimension in the quantum dimensions/);
    const Wide = defineConnections({
      dimensions: ['instrument', 'detector'],
      connections: {
        out: new Output({ name: 'o', storageClass: 'S', dimensions: ['instrument', 'visit', 'detector'] }),
      },
    });
    expect(() => new Wide({ config: new (PipelineTaskConfig.withConnections(Wide))() }).validate(universe)).toThrow(/not a subset of the quantum dimensions/);
    // a multiple output may have more (its data IDs come from an input that has them)
    const WideMany = defineConnections({
      dimensions: ['instrument', 'detector'],
      connections: { out: new Output({ name: 'o', storageClass: 'S', dimensions: ['instrument', 'visit', 'detector'], multiple: true }) },
    });
    expect(() => new WideMany({ config: new (PipelineTaskConfig.withConnections(WideMany))() }).validate(universe)).not.toThrow();
    const WideIn = defineConnections({
      dimensions: ['instrument', 'detector'],
      connections: { inp: new Input({ name: 'i', storageClass: 'S', dimensions: ['instrument', 'visit', 'detector'] }) },
    });
    const cfg = new (PipelineTaskConfig.withConnections(WideIn))();
    // As pipe_base: a scalar input may have dimensions beyond the quantum's (a visit quantum reads
    // its exposure's dataset through visit_definition); several matches fail when a quantum is built.
    expect(() => new WideIn({ config: cfg }).validate(universe)).not.toThrow();
  });
});

describe('adjustQuantum', () => {
  const universe = DimensionUniverse.default();
  class PrereqConnections extends defineConnections({
    dimensions: ['instrument', 'detector'],
    connections: {
      many: new Input({ name: 'many', storageClass: 'StructuredDataDict', dimensions: ['instrument', 'detector'], multiple: true, minimum: 2 }),
      calib: new PrerequisiteInput({ name: 'calib', storageClass: 'StructuredDataDict', dimensions: ['instrument', 'detector'] }),
    },
  }) {
    override adjustQuantum(inputs: AdjustQuantumMap<BaseInput>, outputs: AdjustQuantumMap<Output>, label: string, dataId: DataCoordinate): AdjustQuantumResult {
      const [conn, refs] = inputs.get('many')!;
      const kept = refs.filter((r) => r.dataId.get('detector') !== 99);
      inputs.set('many', [conn, kept]);
      super.adjustQuantum(inputs, outputs, label, dataId);
      return { inputs: new Map([['many', [conn, kept] as const]]), outputs: new Map() };
    }
  }
  const config = new (PipelineTaskConfig.withConnections(PrereqConnections))();
  const c = new PrereqConnections({ config });
  const many = c.get('many') as BaseInput;
  const calib = c.get('calib') as BaseInput;
  const dataId = DataCoordinate.standardize({ instrument: 'Cam', detector: 1 }, { universe });
  const ref = (dt: DatasetType, det: number): DatasetRef => {
    const id = DataCoordinate.standardize({ instrument: 'Cam', detector: det }, { universe });
    return new DatasetRef(dt, id, 'run', makeDatasetId(dt, id, 'run', DatasetIdGenEnum.UNIQUE));
  };
  const manyType = many.makeDatasetType(universe);
  const calibType = calib.makeDatasetType(universe);

  it('checks minimum and multiple, and lets overrides trim inputs', () => {
    const ok = c.adjustQuantum(new Map([['many', [many, [ref(manyType, 1), ref(manyType, 2)]]], ['calib', [calib, [ref(calibType, 1)]]]]), new Map(), 'lab', dataId);
    expect(ok.inputs.get('many')![1]).toHaveLength(2);
    expect(() => c.adjustQuantum(new Map([['many', [many, [ref(manyType, 1), ref(manyType, 99)]]], ['calib', [calib, [ref(calibType, 1)]]]]), new Map(), 'lab', dataId)).toThrow(NoWorkFound);
    expect(() => c.adjustQuantum(new Map([['many', [many, [ref(manyType, 1), ref(manyType, 2)]]], ['calib', [calib, []]]]), new Map(), 'lab', dataId)).toThrow(PrerequisiteMissingError);
    expect(() =>
      c.adjustQuantum(new Map([['many', [many, [ref(manyType, 1), ref(manyType, 2)]]], ['calib', [calib, [ref(calibType, 1), ref(calibType, 2)]]]]), new Map(), 'lab', dataId),
    ).toThrow(ScalarError);
  });
});

describe('PipelineGraph', () => {
  it('orders producers before consumers and reports inputs, intermediates and outputs', () => {
    const graph = PipelineGraph.build(
      [
        { label: 'multiply', taskClass: MultiplyTask, config: new MultiplyConfig() },
        { label: 'add', taskClass: AddTask, config: new AddConfig() },
      ],
      { universe: DimensionUniverse.default() },
    );
    expect(graph.sortedLabels).toEqual(['add', 'multiply']);
    expect(graph.overallInputs()).toEqual(['toyInput']);
    expect(graph.intermediates()).toEqual(['toySum']);
    expect(graph.overallOutputs()).toEqual(['toyAdd_schema', 'toyProduct']);
    expect(graph.producerOf('toySum')).toBe('add');
    expect(graph.consumersOf('toySum')).toEqual(['multiply']);
  });

  it('reports cycles, two producers and inconsistent definitions with both tasks', () => {
    const loop = new MultiplyConfig();
    loop.connections.output = 'toyInput';
    const err = (() => {
      try {
        PipelineGraph.build([
          { label: 'add', taskClass: AddTask, config: new AddConfig() },
          { label: 'multiply', taskClass: MultiplyTask, config: loop },
        ]);
      } catch (e) {
        return e as PipelineGraphError;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(PipelineGraphError);
    expect(err!.code).toBe('PIPE_GRAPH_CYCLE');
    expect(err!.message).toMatch(/cycle: (add -> multiply -> add|multiply -> add -> multiply)/);

    const dup = new MultiplyConfig();
    dup.connections.output = 'toySum';
    dup.connections.input = 'toyInput';
    expect(() =>
      PipelineGraph.build([
        { label: 'add', taskClass: AddTask, config: new AddConfig() },
        { label: 'multiply', taskClass: MultiplyTask, config: dup },
      ]),
    ).toThrow(/Dataset type 'toySum' is produced by two tasks: task 'add' connection 'output'.*task 'multiply' connection 'output'/);

    const Other = defineConnections({
      dimensions: ['instrument'],
      connections: { input: new Input({ name: 'toySum', storageClass: 'ArrowAstropy', dimensions: ['instrument', 'detector'] }) },
    });
    const OtherConfig = PipelineTaskConfig.withConnections(Other);
    expect(() =>
      PipelineGraph.build([
        { label: 'add', taskClass: AddTask, config: new AddConfig() },
        { label: 'table', taskClass: { name: 'TableTask' }, config: new OtherConfig() },
      ]),
    ).toThrow(/Dataset type 'toySum' is defined with different storage classes: task 'add' connection 'output' \(storageClass=StructuredDataDict.*task 'table' connection 'input' \(storageClass=ArrowAstropy/);

    const OtherDims = defineConnections({
      dimensions: ['instrument'],
      connections: { input: new Input({ name: 'toySum', storageClass: 'StructuredDataDict', dimensions: ['instrument'] }) },
    });
    expect(() =>
      PipelineGraph.build([
        { label: 'add', taskClass: AddTask, config: new AddConfig() },
        { label: 'dims', taskClass: { name: 'DimsTask' }, config: new (PipelineTaskConfig.withConnections(OtherDims))() },
      ]),
    ).toThrow(/defined with different dimensions/);
  });
});

describe('PipelineTask through ButlerQuantumContext', () => {
  let dir: string;
  let butler: Butler;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'skystack-pipe-base-'));
    await Butler.makeRepo(join(dir, 'repo'));
    butler = await Butler.from(join(dir, 'repo'), { run: 'u/test/inputs', instrument: 'Cam' });
    await butler.registry.insertDimensionData('instrument', [{ name: 'Cam', visit_max: 10, exposure_max: 10, detector_max: 4 }]);
    await butler.registry.insertDimensionData('detector', [1, 2].map((id) => ({ instrument: 'Cam', id, full_name: `D${id}` })));
  });
  afterAll(async () => {
    await butler.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs add then multiply quanta in graph order, reading and writing through the Butler', async () => {
    const add = new AddTask();
    const addConfig = new MultiplyConfig();
    addConfig.factor = 5;
    const multiply = new MultiplyTask({ config: addConfig });
    const graph = PipelineGraph.build(
      [
        { label: 'multiply', taskClass: MultiplyTask, config: multiply.config },
        { label: 'add', taskClass: AddTask, config: add.config },
      ],
      { universe: butler.universe },
    );
    for (const node of graph.tasks) {
      for (const c of node.connections.allConnections.values()) await butler.registry.registerDatasetType(c.makeDatasetType(butler.universe));
    }
    for (const det of [1, 2]) await butler.put({ value: 10 * det }, 'toyInput', { detector: det });
    const tasks: Record<string, PipelineTask> = { add, multiply };
    const run = 'u/test/outputs';
    await butler.registry.registerRun(run);
    for (const node of graph.tasks) {
      for (const det of [1, 2]) {
        const dataId = DataCoordinate.standardize({ instrument: 'Cam', detector: det }, { universe: butler.universe });
        const inputs = new Map<string, DatasetRef[]>();
        for (const name of node.connections.inputs) {
          const c = node.connections.get(name);
          inputs.set(c.name, [await butler.findDataset(c.name, dataId, { collections: ['u/test/inputs', run] })]);
        }
        const outputs = new Map<string, DatasetRef[]>();
        for (const name of node.connections.outputs) {
          const c = node.connections.get(name);
          const dt = c.makeDatasetType(butler.universe);
          outputs.set(c.name, [new DatasetRef(dt, dataId, run, makeDatasetId(dt, dataId, run, DatasetIdGenEnum.UNIQUE))]);
        }
        const quantum: Quantum = { taskLabel: node.label, dataId, inputs, outputs };
        const { inputs: inputRefs, outputs: outputRefs } = node.connections.buildDatasetRefs(quantum);
        const butlerQC = new ButlerQuantumContext(butler, quantum);
        await tasks[node.label]!.runQuantum(butlerQC, inputRefs, outputRefs);
        expect(butlerQC.written).toHaveLength(1);
      }
    }
    for (const det of [1, 2]) {
      expect(await butler.get('toySum', { detector: det }, { collections: run })).toEqual({ value: 10 * det + 1 });
      expect(await butler.get('toyProduct', { detector: det }, { collections: run })).toEqual({ value: (10 * det + 1) * 5 });
    }
  });

  it('says which output item is missing from the result', async () => {
    class Forgetful extends AddTask {
      override run(): Struct {
        return new Struct({ nothing: 1 });
      }
    }
    const task = new Forgetful();
    const dataId = DataCoordinate.standardize({ instrument: 'Cam', detector: 1 }, { universe: butler.universe });
    const conns = task.makeConnections();
    expect(conns).toBeInstanceOf(PipelineTaskConnections);
    const inRef = await butler.findDataset('toyInput', dataId, { collections: 'u/test/inputs' });
    const dt = conns.get('output').makeDatasetType(butler.universe);
    const quantum: Quantum = {
      dataId,
      inputs: new Map([['toyInput', [inRef]]]),
      outputs: new Map([['toySum', [new DatasetRef(dt, dataId, 'u/test/other', makeDatasetId(dt, dataId, 'x', DatasetIdGenEnum.UNIQUE))]]]),
    };
    const { inputs, outputs } = conns.buildDatasetRefs(quantum);
    await expect(task.runQuantum(new ButlerQuantumContext(butler, quantum), inputs, outputs)).rejects.toThrow(/no item 'output'/);
  });
});
