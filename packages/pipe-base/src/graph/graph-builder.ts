import { CollectionType, DataCoordinate, DatasetRef, MissingDatasetTypeError, uuid7 } from '@skystack/daf-butler';
import type { Butler, DataId, DatasetType, Timespan } from '@skystack/daf-butler';
import type { BaseInput, Input, Output, PrerequisiteInput } from '../connections/connection-types.js';
import type { PipelineGraph } from '../connections/pipeline-graph.js';
import type { AdjustQuantumMap } from '../connections/pipeline-task-connections.js';
import { NoWorkFound, PrerequisiteMissingError } from '../task/errors.js';
import { QuantumGraphError } from './errors.js';
import { QuantumGraph } from './quantum-graph.js';
import type { QuantumNode } from './quantum-graph.js';

/**
 * Options of {@link buildQuantumGraph} (the `pipetask qgraph` options).
 *
 * @see lsst.ctrl.mpexec `pipetask qgraph`
 */
export interface BuildQuantumGraphOptions {
  /** The Butler of the data repository (only its registry is read). */
  readonly butler: Butler;
  /** The pipeline, built from the tasks and their frozen configs. */
  readonly pipeline: PipelineGraph;
  /** Collections searched for overall inputs, prerequisites and init-inputs, in order (`-i`). */
  readonly inputCollections: readonly string[];
  /** The RUN collection outputs are predicted in (`--output-run`). */
  readonly outputRun: string;
  /** The CHAINED output collection (`-o`), recorded in the metadata. */
  readonly outputCollection?: string;
  /** A `where` expression constraining the quantum data IDs (`-d`). */
  readonly where?: string;
  /** Values for `:name` placeholders in `where`. */
  readonly bind?: Record<string, unknown>;
  /** Data ID values constraining every quantum (`{ instrument: 'HSC' }`). */
  readonly dataId?: DataId;
  /**
   * Collections searched for outputs of earlier runs (`--skip-existing-in`): a quantum whose
   * outputs all exist there is left out, and those outputs become inputs downstream.
   */
  readonly skipExistingIn?: readonly string[];
  /** Allow (and later replace) outputs that already exist in the output RUN (`--clobber-outputs`). */
  readonly clobberOutputs?: boolean;
}

type RefIndex = Map<string, DatasetRef[]>;

function push(index: RefIndex, key: string, ref: DatasetRef): void {
  const list = index.get(key);
  if (list === undefined) index.set(key, [ref]);
  else if (!list.some((r) => r.id === ref.id)) list.push(ref);
}

function compareDataIds(a: DataCoordinate, b: DataCoordinate): number {
  const va = a.requiredValues;
  const vb = b.requiredValues;
  for (let i = 0; i < va.length; i++) {
    const x = va[i]!;
    const y = vb[i]!;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

/**
 * Builds the QuantumGraph of a pipeline over a data repository, as `pipetask qgraph` does.
 *
 * For each task (producers first), the quanta are the data IDs of the task's dimensions that
 * satisfy `where`/`dataId` and for which every regular input exists: overall inputs (not
 * produced by the pipeline) found first in `inputCollections`, inputs produced upstream
 * predicted by an upstream quantum (or found in `skipExistingIn` for skipped quanta).
 * `multiple` inputs gather every matching dataset; fewer than `minimum` means no quantum (as
 * `NoWorkFound` would). Prerequisites are looked up in `inputCollections` (calibrations by the
 * quantum's exposure or visit timespan). Outputs are predicted with new UUIDs in `outputRun`,
 * their data IDs the quantum's projected to the output's dimensions. Each task's
 * `adjustQuantum` is applied; a `NoWorkFound` from it drops the quantum.
 *
 * Queries are batched: one data ID query per task, one dataset query per overall input and
 * prerequisite dataset type; references are grouped by data ID in memory.
 *
 * @example
 * ```ts
 * const pipeline = PipelineGraph.build([{ label: 'add', taskClass: AddTask, config: new AddConfig() }], { universe: butler.universe });
 * const qg = await buildQuantumGraph({
 *   butler, pipeline, inputCollections: ['Cam/raw/all'], outputRun: 'u/me/add/20250101T000000Z',
 *   where: "instrument = 'Cam' AND detector IN (1..4)",
 * });
 * qg.summary(); // [{ label: 'add', quanta: 4 }]
 * ```
 * @param options - the repository, pipeline, collections and constraints
 * @returns the graph (possibly empty)
 * @throws {@link PrerequisiteMissingError} naming the task, data ID and dataset type when a
 *   required prerequisite is not found
 * @throws {@link QuantumGraphError} for outputs already in `outputRun` (without
 *   `clobberOutputs`), an output with dimensions beyond the quantum's, an unregistered overall
 *   input, a missing init-input, or an ambiguous calibration
 * @see lsst.pipe.base.GraphBuilder
 * @see lsst.pipe.base.all_dimensions_quantum_graph_builder.AllDimensionsQuantumGraphBuilder
 */
export async function buildQuantumGraph(options: BuildQuantumGraphOptions): Promise<QuantumGraph> {
  const { butler, pipeline, outputRun } = options;
  const registry = butler.registry;
  const universe = butler.universe;
  const inputCollections = [...options.inputCollections];
  const skipExistingIn = options.skipExistingIn ? [...options.skipExistingIn] : [];
  const clobber = options.clobberOutputs ?? false;
  const queryConstraints = {
    ...(options.where !== undefined && options.where.trim() !== '' ? { where: options.where } : {}),
    ...(options.bind !== undefined ? { bind: options.bind } : {}),
    ...(options.dataId !== undefined ? { dataId: options.dataId } : {}),
  };
  const searchOrder = await registry.resolveCollections(inputCollections);
  const outputRunExists = await registry.getCollectionType(outputRun).then(
    () => true,
    () => false,
  );

  const registered = new Map<string, DatasetType | null>();
  const getRegistered = async (name: string): Promise<DatasetType | null> => {
    if (!registered.has(name)) {
      try {
        registered.set(name, await registry.getDatasetType(name));
      } catch (e) {
        if (!(e instanceof MissingDatasetTypeError)) throw e;
        registered.set(name, null);
      }
    }
    return registered.get(name)!;
  };
  const overallType = async (label: string, connectionName: string, c: BaseInput): Promise<DatasetType> => {
    const dt = await getRegistered(c.name.split('.')[0]!);
    if (dt === null) {
      throw new QuantumGraphError('missing-dataset-type', `Dataset type '${c.name}' (input '${connectionName}' of task '${label}') is not registered in the repository.`, {
        hint: 'It is not produced by the pipeline, so it must exist in the input collections.',
      });
    }
    return dt;
  };

  // Existing datasets by type, found first in a collection list, indexed by data ID key.
  const existingCache = new Map<string, Promise<RefIndex>>();
  const existing = (dt: DatasetType, collections: readonly string[], tag: string): Promise<RefIndex> => {
    const key = `${tag}|${dt.name}`;
    let p = existingCache.get(key);
    if (p === undefined) {
      p = (async () => {
        const index: RefIndex = new Map();
        if (collections.length === 0) return index;
        if ((await getRegistered(dt.name)) === null) return index;
        const refs = await registry.queryDatasets(dt.name, { collections: [...collections], findFirst: true }).toArray();
        for (const r of refs) push(index, r.dataId.key, r);
        return index;
      })();
      existingCache.set(key, p);
    }
    return p;
  };

  // Outputs predicted in this graph (or existing in skipExistingIn for skipped quanta), by type.
  const produced = new Map<string, RefIndex>();
  const producedOf = (name: string): RefIndex => {
    let m = produced.get(name);
    if (m === undefined) produced.set(name, (m = new Map()));
    return m;
  };

  const nodes: QuantumNode[] = [];
  const initOutputs = new Map<string, DatasetRef[]>();
  const initInputs = new Map<string, DatasetRef[]>();
  const initProduced = new Map<string, DatasetRef>();

  for (const task of pipeline.tasks) {
    const { label, connections: conns } = task;
    const qdims = conns.quantumDimensions(universe);

    // Init-outputs and init-inputs.
    const outs: DatasetRef[] = [];
    for (const name of conns.initOutputs) {
      const dt = conns.get(name).makeDatasetType(universe);
      const ref = new DatasetRef(dt, DataCoordinate.makeEmpty(universe), outputRun, uuid7());
      outs.push(ref);
      initProduced.set(dt.name, ref);
    }
    initOutputs.set(label, outs);
    const ins: DatasetRef[] = [];
    for (const name of conns.initInputs) {
      const c = conns.get(name);
      const up = initProduced.get(c.name);
      if (up !== undefined) {
        ins.push(up);
        continue;
      }
      const found = (await getRegistered(c.name)) === null ? null : await registry.findDataset(c.name, {}, { collections: inputCollections });
      if (found === null) {
        throw new QuantumGraphError('missing-init-input', `Init-input '${c.name}' (connection '${name}') of task '${label}' was not found in collections ${JSON.stringify(inputCollections)}.`);
      }
      ins.push(found);
    }
    initInputs.set(label, ins);

    // Classify regular inputs.
    interface InputPlan {
      name: string;
      connection: Input;
      datasetType: DatasetType;
      upstream: boolean;
      within: boolean;
      index?: RefIndex; // existing refs by data ID key (overall inputs)
      pairing?: Map<string, string[]>; // quantum key -> input data ID keys (inputs beyond the quantum)
    }
    const plans: InputPlan[] = [];
    for (const name of conns.inputs) {
      const c = conns.get(name) as Input;
      const upstream = pipeline.producerOf(c.name) !== undefined;
      const dt = upstream ? c.makeDatasetType(universe) : await overallType(label, name, c);
      plans.push({ name, connection: c, datasetType: dt, upstream, within: qdims.issuperset(dt.dimensions) });
    }
    const constraint = plans.filter((p) => !p.upstream && p.within && !p.connection.deferGraphConstraint).map((p) => p.datasetType.name);
    const rows = await registry
      .queryDataIds(qdims, {
        ...queryConstraints,
        ...(constraint.length > 0 ? { datasets: constraint, collections: inputCollections } : {}),
      })
      .expanded()
      .toArray();
    rows.sort(compareDataIds);

    for (const p of plans) {
      if (!p.upstream) {
        p.index = await existing(p.datasetType, inputCollections, 'in');
        if (!p.within) {
          const all = universe.conform([...qdims.names, ...p.datasetType.dimensions.names]);
          const pairs = await registry
            .queryDataIds(all, { ...queryConstraints, datasets: [p.datasetType.name], collections: inputCollections })
            .toArray();
          p.pairing = new Map();
          for (const row of pairs) {
            const qk = row.subset(qdims).key;
            const list = p.pairing.get(qk);
            const dk = row.subset(p.datasetType.dimensions).key;
            if (list === undefined) p.pairing.set(qk, [dk]);
            else list.push(dk);
          }
        }
      } else if (!p.within) {
        // Upstream outputs with dimensions beyond the quantum's (an `exposure` dataset read by a
        // `visit` quantum; all detectors of a visit): paired with the quantum through the
        // registry's relationships (visit_definition, spatial overlaps), as daf_butler joins them.
        const all = universe.conform([...qdims.names, ...p.datasetType.dimensions.names]);
        const pairs = await registry.queryDataIds(all, { ...queryConstraints }).toArray();
        p.pairing = new Map();
        for (const row of pairs) {
          const qk = row.subset(qdims).key;
          const list = p.pairing.get(qk);
          const dk = row.subset(p.datasetType.dimensions).key;
          if (list === undefined) p.pairing.set(qk, [dk]);
          else list.push(dk);
        }
      }
    }

    // Prerequisites.
    interface PrereqPlan {
      name: string;
      connection: PrerequisiteInput;
      datasetType: DatasetType;
      candidates?: Map<string, { ref: DatasetRef; rank: number; timespan: Timespan | null }[]>;
      absent?: boolean;
    }
    const prereqs: PrereqPlan[] = [];
    for (const name of conns.prerequisiteInputs) {
      const c = conns.get(name) as PrerequisiteInput;
      const dt = await getRegistered(c.name);
      if (dt === null) {
        if (c.minimum === 0) {
          prereqs.push({ name, connection: c, datasetType: c.makeDatasetType(universe), candidates: new Map(), absent: true });
          continue;
        }
        throw new PrerequisiteMissingError(
          `Prerequisite input '${c.name}' (connection '${name}') of task '${label}' is not a registered dataset type, so it cannot be found for any quantum.`,
          { hint: `Ingest or certify '${c.name}' datasets into the input collections.` },
        );
      }
      const plan: PrereqPlan = { name, connection: c, datasetType: dt };
      if (c.lookupFunction === undefined && qdims.issuperset(dt.dimensions)) {
        const assocs = await registry.queryDatasetAssociations(dt, { collections: inputCollections, flattenChains: true });
        const rank = new Map(searchOrder.map((rec, i) => [rec.name, i]));
        plan.candidates = new Map();
        for (const a of assocs) {
          const r = rank.get(a.collection);
          if (r === undefined) continue;
          const k = a.ref.dataId.key;
          const list = plan.candidates.get(k);
          const entry = { ref: a.ref, rank: r, timespan: a.timespan };
          if (list === undefined) plan.candidates.set(k, [entry]);
          else list.push(entry);
        }
        for (const list of plan.candidates.values()) list.sort((a, b) => a.rank - b.rank);
      }
      prereqs.push(plan);
    }

    // Outputs: types, and what already exists. An output (multiple) with dimensions beyond the
    // quantum's gets one dataset per data ID of an input connection that covers them (one
    // artifact mask per input warp's visit, say).
    const outputPlans: { name: string; connection: Output; datasetType: DatasetType; inRun?: RefIndex; skip?: RefIndex; from?: string }[] = [];
    for (const name of conns.outputs) {
      const c = conns.get(name) as Output;
      const dt = c.makeDatasetType(universe);
      let from: string | undefined;
      if (!qdims.issuperset(dt.dimensions)) {
        from = c.multiple ? plans.find((p) => p.datasetType.dimensions.issuperset(dt.dimensions))?.name : undefined;
        if (from === undefined) {
          throw new QuantumGraphError(
            'output-dimensions',
            `Output '${c.name}' (connection '${name}') of task '${label}' has dimensions ${dt.dimensions.toString()}, which are not a subset of the quantum dimensions ${qdims.toString()}${c.multiple ? ' and of no input connection' : ''}.`,
            { hint: c.multiple ? 'Its extra dimensions are taken from an input connection that has them all.' : 'Only an output with multiple: true may have dimensions beyond the quantum’s.' },
          );
        }
      }
      const reg = await getRegistered(dt.name);
      if (reg !== null && !reg.equals(dt)) {
        throw new QuantumGraphError('missing-dataset-type', `Output '${c.name}' of task '${label}' is defined as ${dt.toString()}, but the repository has ${reg.toString()}.`);
      }
      outputPlans.push({
        name,
        connection: c,
        datasetType: dt,
        ...(from === undefined ? {} : { from }),
        ...(outputRunExists ? { inRun: await existing(dt, [outputRun], 'run') } : {}),
        ...(skipExistingIn.length > 0 ? { skip: await existing(dt, skipExistingIn, 'skip') } : {}),
      });
    }

    for (const dataId of rows) {
      const qkey = dataId.key;
      // Skip quanta whose outputs all exist already.
      const regularOutputs = outputPlans.filter((o) => o.from === undefined);
      if (skipExistingIn.length > 0 && regularOutputs.length > 0) {
        const found = regularOutputs.map((o) => o.skip!.get(dataId.subset(o.datasetType.dimensions).key));
        if (found.every((f) => f !== undefined && f.length > 0)) {
          regularOutputs.forEach((o, i) => {
            for (const r of found[i]!) push(producedOf(o.datasetType.name), r.dataId.key, r);
          });
          continue;
        }
      }
      const inputs: AdjustQuantumMap<BaseInput> = new Map();
      for (const p of plans) {
        let refs: DatasetRef[];
        const dt = p.datasetType;
        if (p.upstream) {
          if (p.within) refs = producedOf(dt.name).get(dataId.subset(dt.dimensions).key) ?? [];
          else {
            const produced = producedOf(dt.name);
            refs = [...new Set(p.pairing!.get(qkey) ?? [])].flatMap((k) => produced.get(k) ?? []);
          }
        } else if (p.within) {
          refs = p.index!.get(dataId.subset(dt.dimensions).key) ?? [];
        } else {
          refs = (p.pairing!.get(qkey) ?? []).flatMap((k) => p.index!.get(k) ?? []);
          refs = refs.filter((r, i) => refs.findIndex((x) => x.id === r.id) === i);
        }
        inputs.set(p.name, [p.connection, refs]);
      }
      // A quantum without its regular inputs is no work (adjustQuantum would drop it): decide
      // that before looking its prerequisites up, which would otherwise be reported missing for
      // data IDs nothing upstream produced (detectors not in the visit, say).
      if (plans.some((p) => inputs.get(p.name)![1].length < p.connection.minimum)) continue;
      for (const p of prereqs) {
        const refs = await lookupPrerequisite(p, dataId, label);
        if (refs.length < p.connection.minimum) {
          throw new PrerequisiteMissingError(
            `Prerequisite input '${p.datasetType.name}' (connection '${p.name}') of task '${label}' was not found for quantum data ID ${dataId.toString()} in collections ${JSON.stringify(inputCollections)}${p.datasetType.isCalibration ? ` (a calibration, looked up by the quantum's ${timespanOf(dataId)?.toString() ?? 'missing'} timespan)` : ''}.`,
            { hint: p.datasetType.isCalibration ? 'Check that a dataset is certified over the observation time.' : undefined },
          );
        }
        inputs.set(p.name, [p.connection, refs]);
      }
      const outputs: AdjustQuantumMap<Output> = new Map();
      for (const o of outputPlans) {
        const oids = new Map<string, DataCoordinate>();
        if (o.from === undefined) oids.set('', dataId.subset(o.datasetType.dimensions));
        else for (const r of inputs.get(o.from)![1]) oids.set(r.dataId.subset(o.datasetType.dimensions).key, r.dataId.subset(o.datasetType.dimensions));
        const refs: DatasetRef[] = [];
        for (const oid of oids.values()) {
          const there = o.inRun?.get(oid.key);
          if (there !== undefined && there.length > 0 && !clobber) {
            throw new QuantumGraphError(
              'output-exists',
              `Output '${o.datasetType.name}' of task '${label}' for data ID ${oid.toString()} already exists in the output RUN '${outputRun}' (${there[0]!.id}).`,
              { hint: 'Use clobberOutputs (--clobber-outputs) to replace it, skipExistingIn (--skip-existing-in) to skip the quantum, or another output RUN.' },
            );
          }
          refs.push(new DatasetRef(o.datasetType, oid, outputRun, uuid7()));
        }
        outputs.set(o.name, [o.connection, refs]);
      }
      let adjusted;
      try {
        adjusted = conns.adjustQuantum(new Map(inputs), new Map(outputs), label, dataId);
      } catch (e) {
        if (e instanceof NoWorkFound) continue;
        throw e;
      }
      for (const [k, v] of adjusted.inputs) inputs.set(k, [v[0], v[1]]);
      for (const [k, v] of adjusted.outputs) outputs.set(k, [v[0], v[1]]);
      const node: QuantumNode = {
        id: uuid7(),
        taskLabel: label,
        dataId,
        inputs: new Map(plans.map((p) => [p.name, inputs.get(p.name)![1]])),
        prerequisites: new Map(prereqs.map((p) => [p.name, inputs.get(p.name)![1]])),
        outputs: new Map(outputPlans.map((o) => [o.name, outputs.get(o.name)![1]])),
      };
      for (const refs of node.outputs.values()) for (const r of refs) push(producedOf(r.datasetType.name), r.dataId.key, r);
      nodes.push(node);
    }
  }

  return new QuantumGraph(
    nodes,
    {
      inputCollections,
      outputRun,
      ...(options.outputCollection !== undefined ? { outputCollection: options.outputCollection } : {}),
      where: options.where ?? '',
      created: new Date().toISOString(),
      universeVersion: universe.version,
    },
    { initOutputs, initInputs, taskLabels: pipeline.sortedLabels },
  );

  async function lookupPrerequisite(
    p: { name: string; connection: PrerequisiteInput; datasetType: DatasetType; candidates?: Map<string, { ref: DatasetRef; rank: number; timespan: Timespan | null }[]>; absent?: boolean },
    dataId: DataCoordinate,
    label: string,
  ): Promise<DatasetRef[]> {
    const dt = p.datasetType;
    if (p.absent === true) return [];
    if (p.connection.lookupFunction !== undefined) {
      return [...(await p.connection.lookupFunction(dt, registry, dataId, inputCollections))];
    }
    if (p.candidates === undefined) {
      // Dimensions beyond the quantum's (e.g. a reference catalog's sky pixels): one query per quantum.
      return registry.queryDatasets(dt.name, { collections: inputCollections, dataId, findFirst: true }).toArray();
    }
    const list = p.candidates.get(dataId.subset(dt.dimensions).key) ?? [];
    if (list.length === 0) return [];
    const ts = timespanOf(dataId);
    for (let i = 0; i < list.length; ) {
      const rank = list[i]!.rank;
      const same = [];
      while (i < list.length && list[i]!.rank === rank) same.push(list[i++]!);
      if (searchOrder[rank]!.type !== CollectionType.CALIBRATION) return [same[0]!.ref];
      if (ts === undefined) {
        throw new QuantumGraphError(
          'no-timespan',
          `Calibration '${dt.name}' (connection '${p.name}') of task '${label}' is searched in CALIBRATION collection '${searchOrder[rank]!.name}', but quantum ${dataId.toString()} has no exposure or visit timespan.`,
        );
      }
      const valid = same.filter((c) => c.timespan !== null && c.timespan.overlaps(ts));
      if (valid.length > 1) {
        throw new QuantumGraphError(
          'calibration-conflict',
          `${valid.length} '${dt.name}' datasets in '${searchOrder[rank]!.name}' are valid during ${ts.toString()} for quantum ${dataId.toString()} of task '${label}'.`,
        );
      }
      if (valid.length === 1) return [valid[0]!.ref];
    }
    return [];
  }
}

function timespanOf(dataId: DataCoordinate): Timespan | undefined {
  for (const el of ['exposure', 'visit']) {
    const ts = dataId.records.get(el)?.timespan;
    if (ts) return ts;
  }
  return undefined;
}
