import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '@skystack/base';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { DataCoordinate, DatasetRef, DatasetType, DimensionRecord, Timespan } from '@skystack/daf-butler';
import type { DataIdValue, DimensionGroup, DimensionUniverse, RecordValue } from '@skystack/daf-butler';
import type { Quantum } from '../connections/quantized-connection.js';
import { QuantumGraphError } from './errors.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** The name written in every saved graph, to recognise the format. */
export const QUANTUM_GRAPH_FORMAT = 'skystack.QuantumGraph';

/**
 * The version of the saved-graph format (`major.minor`): readers refuse files of a newer
 * major version; minor versions only add optional fields.
 */
export const QUANTUM_GRAPH_FORMAT_VERSION = '1.0';

/**
 * One quantum of a {@link QuantumGraph}: a task label, a data ID and the datasets it reads and
 * writes, by connection name.
 *
 * @see lsst.pipe.base.graph.QuantumNode
 * @see lsst.daf.butler.Quantum
 */
export interface QuantumNode {
  /** A UUID identifying the quantum (stable through save/load). */
  readonly id: string;
  /** The label of the task that runs it. */
  readonly taskLabel: string;
  /** The quantum data ID, in the task's dimensions (expanded: records attached). */
  readonly dataId: DataCoordinate;
  /** Regular inputs by connection name: existing datasets, or outputs predicted for upstream quanta. */
  readonly inputs: ReadonlyMap<string, readonly DatasetRef[]>;
  /** Prerequisite inputs by connection name (existing datasets; optional ones may be empty). */
  readonly prerequisites: ReadonlyMap<string, readonly DatasetRef[]>;
  /** Outputs by connection name: predicted references (new UUIDs) in the output RUN. */
  readonly outputs: ReadonlyMap<string, readonly DatasetRef[]>;
}

/**
 * What a {@link QuantumGraph} was built from.
 *
 * @see lsst.pipe.base.QuantumGraph.metadata
 */
export interface QuantumGraphMetadata {
  /** The input collections searched (`-i`). */
  readonly inputCollections: string[];
  /** The RUN collection the outputs are predicted in (`--output-run`). */
  readonly outputRun: string;
  /** The CHAINED output collection (`-o`), when given. */
  readonly outputCollection?: string;
  /** The `where` expression (`-d`), empty when none. */
  readonly where: string;
  /** When the graph was built (ISO 8601, UTC). */
  readonly created: string;
  /** The dimension universe version the data IDs belong to. */
  readonly universeVersion: number;
}

/** One row of {@link QuantumGraph.summary}. */
export interface QuantumGraphSummaryRow {
  /** The task label. */
  readonly label: string;
  /** How many quanta the task has. */
  readonly quanta: number;
}

/**
 * A directed acyclic graph of quanta: what `pipetask qgraph` builds and `pipetask run`
 * executes. Nodes are held in an executable (topological) order: every quantum comes after the
 * quanta whose outputs it reads. Edges are derived from the dataset references: a quantum
 * depends on the quanta that predict the datasets it reads.
 *
 * Build one with {@link buildQuantumGraph}; save it with {@link QuantumGraph.save} and read it
 * back with {@link QuantumGraph.load}.
 *
 * @example
 * ```ts
 * const qg = await buildQuantumGraph({ butler, pipeline, inputCollections: ['Cam/raw/all'], outputRun: 'u/me/run1' });
 * qg.summary();                     // [{ label: 'isr', quanta: 20 }, ...]
 * for (const node of qg.nodes) {    // executable order
 *   qg.dependencies(node);          // the quanta it waits for
 * }
 * await qg.save('/tmp/run1.qgraph');
 * ```
 * @see lsst.pipe.base.QuantumGraph
 */
export class QuantumGraph {
  /** The quanta, in an executable order. */
  readonly nodes: readonly QuantumNode[];
  /** What the graph was built from. */
  readonly metadata: Readonly<QuantumGraphMetadata>;
  /** Init-output references (empty data ID, in the output RUN) by task label. */
  readonly initOutputs: ReadonlyMap<string, readonly DatasetRef[]>;
  /** Init-input references by task label (upstream init-outputs or existing datasets). */
  readonly initInputs: ReadonlyMap<string, readonly DatasetRef[]>;
  readonly #labels: readonly string[];
  readonly #byLabel = new Map<string, QuantumNode[]>();
  readonly #byId = new Map<string, QuantumNode>();
  readonly #deps = new Map<QuantumNode, QuantumNode[]>();
  readonly #dependents = new Map<QuantumNode, QuantumNode[]>();

  /**
   * Makes a graph from its quanta. Edges are computed from the references: an input whose ID
   * is an output of another node makes that node a dependency.
   *
   * @param nodes - the quanta (reordered topologically if needed)
   * @param metadata - what the graph was built from
   * @param init - `initOutputs`/`initInputs` by task label, and `taskLabels` (the pipeline's
   *   tasks in order, including those with no quanta)
   * @throws {@link QuantumGraphError} (kind `format`) for duplicate quantum IDs, two producers of
   *   one dataset, or a cycle
   */
  constructor(
    nodes: readonly QuantumNode[],
    metadata: QuantumGraphMetadata,
    init: {
      /** Init-output references by task label. */
      readonly initOutputs?: ReadonlyMap<string, readonly DatasetRef[]>;
      /** Init-input references by task label. */
      readonly initInputs?: ReadonlyMap<string, readonly DatasetRef[]>;
      /** Task labels in pipeline order. */
      readonly taskLabels?: readonly string[];
    } = {},
  ) {
    this.metadata = Object.freeze({ ...metadata, inputCollections: [...metadata.inputCollections] });
    this.initOutputs = init.initOutputs ?? new Map();
    this.initInputs = init.initInputs ?? new Map();
    const producer = new Map<string, QuantumNode>();
    for (const n of nodes) {
      if (this.#byId.has(n.id)) throw new QuantumGraphError('format', `Quantum ID ${n.id} is used twice (tasks '${this.#byId.get(n.id)!.taskLabel}' and '${n.taskLabel}').`);
      this.#byId.set(n.id, n);
      for (const refs of n.outputs.values()) {
        for (const r of refs) {
          const prev = producer.get(r.id);
          if (prev !== undefined) {
            throw new QuantumGraphError('format', `Dataset ${r.toString()} is an output of two quanta: '${prev.taskLabel}' ${prev.dataId.toString()} and '${n.taskLabel}' ${n.dataId.toString()}.`);
          }
          producer.set(r.id, n);
        }
      }
    }
    for (const n of nodes) {
      const deps = new Set<QuantumNode>();
      for (const refs of n.inputs.values()) {
        for (const r of refs) {
          const p = producer.get(r.id);
          if (p !== undefined && p !== n) deps.add(p);
        }
      }
      this.#deps.set(n, [...deps]);
      this.#dependents.set(n, []);
    }
    for (const [n, deps] of this.#deps) for (const d of deps) this.#dependents.get(d)!.push(n);
    this.nodes = Object.freeze(this.#topologicalOrder(nodes));
    const labels: string[] = [...(init.taskLabels ?? [])];
    for (const n of this.nodes) if (!labels.includes(n.taskLabel)) labels.push(n.taskLabel);
    this.#labels = labels;
    for (const l of labels) this.#byLabel.set(l, []);
    for (const n of this.nodes) this.#byLabel.get(n.taskLabel)!.push(n);
  }

  #topologicalOrder(nodes: readonly QuantumNode[]): QuantumNode[] {
    // Kahn's algorithm keeping the given order among ready nodes (a no-op for builder output).
    const indeg = new Map<QuantumNode, number>();
    for (const n of nodes) indeg.set(n, this.#deps.get(n)!.length);
    const placed = new Set<QuantumNode>();
    const out: QuantumNode[] = [];
    let progress = true;
    while (out.length < nodes.length && progress) {
      progress = false;
      for (const n of nodes) {
        if (placed.has(n) || indeg.get(n)! > 0) continue;
        placed.add(n);
        out.push(n);
        progress = true;
        for (const d of this.#dependents.get(n)!) indeg.set(d, indeg.get(d)! - 1);
      }
    }
    if (out.length < nodes.length) {
      const stuck = nodes.filter((n) => !placed.has(n)).slice(0, 5).map((n) => `'${n.taskLabel}' ${n.dataId.toString()}`);
      throw new QuantumGraphError('format', `The quanta form a cycle; quanta that cannot be ordered include ${stuck.join(', ')}.`);
    }
    return out;
  }

  /** The number of quanta. */
  get length(): number {
    return this.nodes.length;
  }

  /**
   * The task labels, in pipeline order (tasks with no quanta included when the builder knew them).
   *
   * @returns the labels
   * @see lsst.pipe.base.QuantumGraph.pipeline_graph
   */
  taskLabels(): string[] {
    return [...this.#labels];
  }

  /**
   * The quanta of one task, in graph order.
   *
   * @param label - the task label
   * @returns the quanta (empty for an unknown label or a task with none)
   * @see lsst.pipe.base.QuantumGraph.get_task_quanta
   */
  quantaOf(label: string): QuantumNode[] {
    return [...(this.#byLabel.get(label) ?? [])];
  }

  /**
   * A quantum by its ID.
   *
   * @param id - the quantum UUID
   * @returns the node, or undefined
   * @see lsst.pipe.base.QuantumGraph.getQuantumNodeByNodeId
   */
  getNode(id: string): QuantumNode | undefined {
    return this.#byId.get(id);
  }

  /**
   * The quanta whose outputs this one reads (its direct upstream neighbours).
   *
   * @param node - a node of this graph
   * @returns the quanta, in graph order of discovery
   * @throws {@link QuantumGraphError} when the node is not in this graph
   * @see lsst.pipe.base.QuantumGraph.determineInputsToQuantumNode
   */
  dependencies(node: QuantumNode): QuantumNode[] {
    return [...this.#check(node, this.#deps)];
  }

  /**
   * The quanta that read outputs of this one (its direct downstream neighbours).
   *
   * @param node - a node of this graph
   * @returns the quanta
   * @throws {@link QuantumGraphError} when the node is not in this graph
   * @see lsst.pipe.base.QuantumGraph.determineOutputsOfQuantumNode
   */
  dependents(node: QuantumNode): QuantumNode[] {
    return [...this.#check(node, this.#dependents)];
  }

  #check(node: QuantumNode, map: ReadonlyMap<QuantumNode, QuantumNode[]>): QuantumNode[] {
    const found = map.get(this.#byId.get(node.id) ?? node);
    if (found === undefined) throw new QuantumGraphError('format', `Quantum ${node.id} ('${node.taskLabel}' ${node.dataId.toString()}) is not in this graph.`);
    return found;
  }

  /**
   * The quantum as a {@link Quantum} for a task's `buildDatasetRefs` and a
   * {@link ButlerQuantumContext}: inputs (regular and prerequisite) and outputs keyed by
   * dataset type name.
   *
   * @param node - a quantum
   * @returns the quantum
   */
  static toQuantum(node: QuantumNode): Quantum {
    const byType = (maps: ReadonlyMap<string, readonly DatasetRef[]>[]): Map<string, DatasetRef[]> => {
      const out = new Map<string, DatasetRef[]>();
      for (const m of maps) {
        for (const refs of m.values()) {
          for (const r of refs) {
            const list = out.get(r.datasetType.name);
            if (list === undefined) out.set(r.datasetType.name, [r]);
            else if (!list.some((x) => x.id === r.id)) list.push(r);
          }
        }
      }
      return out;
    };
    return { taskLabel: node.taskLabel, dataId: node.dataId, inputs: byType([node.inputs, node.prerequisites]), outputs: byType([node.outputs]) };
  }

  /**
   * The number of quanta per task, in task order.
   *
   * @returns one row per task label
   * @see lsst.ctrl.mpexec `pipetask qgraph --summary`
   */
  summary(): QuantumGraphSummaryRow[] {
    return this.#labels.map((label) => ({ label, quanta: this.#byLabel.get(label)!.length }));
  }

  /**
   * The graph in GraphViz's dot language: quanta as boxes (task label and data ID), datasets as
   * ellipses, edges from inputs to quanta and from quanta to outputs.
   *
   * @returns the dot text
   * @see lsst.ctrl.mpexec `pipetask qgraph --qgraph-dot`
   * @see lsst.pipe.base.dot_tools.graph2dot
   */
  toDot(): string {
    const esc = (s: string): string => s.replaceAll('\\', '\\\\').replaceAll('"', '\\"');
    const lines = ['digraph QuantumGraph {', '  rankdir=TB;', '  node [fontname="Helvetica"];'];
    const seen = new Set<string>();
    const dataset = (r: DatasetRef): string => {
      const id = `d_${r.id.replaceAll('-', '')}`;
      if (!seen.has(id)) {
        seen.add(id);
        lines.push(`  ${id} [shape=ellipse, label="${esc(r.datasetType.name)}\\n${esc(r.dataId.toString())}"];`);
      }
      return id;
    };
    for (const n of this.nodes) {
      const q = `q_${n.id.replaceAll('-', '')}`;
      lines.push(`  ${q} [shape=box, style=filled, fillcolor=lightblue, label="${esc(n.taskLabel)}\\n${esc(n.dataId.toString())}"];`);
      for (const m of [n.inputs, n.prerequisites]) for (const refs of m.values()) for (const r of refs) lines.push(`  ${dataset(r)} -> ${q};`);
      for (const refs of n.outputs.values()) for (const r of refs) lines.push(`  ${q} -> ${dataset(r)};`);
    }
    lines.push('}');
    return lines.join('\n') + '\n';
  }

  /**
   * Writes the graph to a file: gzipped JSON with a format name and version, dataset types,
   * dimension records, data IDs and references stored once each. The file is written to a
   * temporary name and renamed.
   *
   * Region fields of dimension records are not saved (they read back as null).
   *
   * @param path - the file to write (`.qgraph` by convention)
   * @returns when written
   * @see lsst.pipe.base.QuantumGraph.saveUri
   */
  async save(path: string): Promise<void> {
    await writeFileAtomic(path, await gzipAsync(Buffer.from(JSON.stringify(encodeGraph(this)), 'utf8')));
  }

  /**
   * Reads a graph written by {@link QuantumGraph.save}.
   *
   * @param path - the file
   * @param universe - the dimension universe of the repository it will run against
   * @returns the graph
   * @throws {@link QuantumGraphError} kind `format` for a file that is not a saved graph,
   *   `format-version` for a newer major format version, `universe` for another universe version
   * @see lsst.pipe.base.QuantumGraph.loadUri
   */
  static async load(path: string, universe: DimensionUniverse): Promise<QuantumGraph> {
    const raw = await readFile(path);
    let json: unknown;
    try {
      json = JSON.parse((await gunzipAsync(raw)).toString('utf8'));
    } catch (e) {
      throw new QuantumGraphError('format', `'${path}' is not a saved QuantumGraph (not gzipped JSON).`, { cause: e });
    }
    return decodeGraph(json, universe, path);
  }
}

// ---------------------------------------------------------------------------- serialization

type EncodedValue = string | number | boolean | null | { $b: string } | { $t: [string, string] } | { $u: string };

interface EncodedGraph {
  format: string;
  version: string;
  metadata: QuantumGraphMetadata;
  taskLabels: string[];
  groups: string[][];
  datasetTypes: { name: string; dimensions: string[]; storageClass: string; isCalibration: boolean }[];
  records: { e: string; f: Record<string, EncodedValue> }[];
  /** Data IDs: [group index, values of the group's names (null when unknown), record indices or null]. */
  dataIds: [number, (DataIdValue | null)[], number[] | null][];
  runs: string[];
  /** References: [dataset type index, data ID index, run index, UUID]. */
  refs: [number, number, number, string][];
  initOutputs: Record<string, number[]>;
  initInputs: Record<string, number[]>;
  quanta: { id: string; task: number; dataId: number; inputs: Record<string, number[]>; prerequisites: Record<string, number[]>; outputs: Record<string, number[]> }[];
}

function encodeValue(v: RecordValue): EncodedValue {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return { $b: v.toString() };
  if (v instanceof Timespan) return { $t: [v.beginNs.toString(), v.endNs.toString()] };
  if (v instanceof Uint8Array) return { $u: Buffer.from(v).toString('base64') };
  return null; // regions are not saved
}

function decodeValue(v: EncodedValue): RecordValue {
  if (v === null || typeof v !== 'object') return v;
  if ('$b' in v) return BigInt(v.$b);
  if ('$t' in v) return Timespan.fromJSON(v.$t);
  return new Uint8Array(Buffer.from(v.$u, 'base64'));
}

function encodeGraph(qg: QuantumGraph): EncodedGraph {
  const groups: string[][] = [];
  const groupIdx = new Map<DimensionGroup, number>();
  const datasetTypes: EncodedGraph['datasetTypes'] = [];
  const dtIdx = new Map<string, number>();
  const records: EncodedGraph['records'] = [];
  const recIdx = new Map<DimensionRecord, number>();
  const dataIds: EncodedGraph['dataIds'] = [];
  const dataIdIdx = new Map<string, number>();
  const runs: string[] = [];
  const runIdx = new Map<string, number>();
  const refs: EncodedGraph['refs'] = [];
  const refIdx = new Map<string, number>();
  const group = (g: DimensionGroup): number => {
    let i = groupIdx.get(g);
    if (i === undefined) {
      i = groups.push([...g.names]) - 1;
      groupIdx.set(g, i);
    }
    return i;
  };
  const record = (r: DimensionRecord): number => {
    let i = recIdx.get(r);
    if (i === undefined) {
      const f: Record<string, EncodedValue> = {};
      for (const [k, v] of Object.entries(r.fields)) f[k] = encodeValue(v);
      i = records.push({ e: r.definition.name, f }) - 1;
      recIdx.set(r, i);
    }
    return i;
  };
  const dataId = (d: DataCoordinate): number => {
    const g = group(d.dimensions);
    const hasRecords = d.hasRecords();
    const k = `${g}|${d.dimensions.names.map((n) => String(d.get(n))).join(',')}|${hasRecords ? 'r' : ''}`;
    let i = dataIdIdx.get(k);
    if (i === undefined) {
      const recs = hasRecords ? d.dimensions.elements.map((e) => (d.records.get(e) ? record(d.records.get(e)!) : -1)) : null;
      i = dataIds.push([g, d.dimensions.names.map((n) => d.get(n) ?? null), recs]) - 1;
      dataIdIdx.set(k, i);
    }
    return i;
  };
  const ref = (r: DatasetRef): number => {
    let i = refIdx.get(r.id);
    if (i !== undefined) return i;
    let t = dtIdx.get(r.datasetType.name);
    if (t === undefined) {
      const dt = r.datasetType;
      t = datasetTypes.push({ name: dt.name, dimensions: [...dt.dimensions.names], storageClass: dt.storageClass, isCalibration: dt.isCalibration }) - 1;
      dtIdx.set(dt.name, t);
    }
    let run = runIdx.get(r.run);
    if (run === undefined) {
      run = runs.push(r.run) - 1;
      runIdx.set(r.run, run);
    }
    i = refs.push([t, dataId(r.dataId), run, r.id]) - 1;
    refIdx.set(r.id, i);
    return i;
  };
  const refMap = (m: ReadonlyMap<string, readonly DatasetRef[]>): Record<string, number[]> => {
    const out: Record<string, number[]> = {};
    for (const [k, v] of m) out[k] = v.map(ref);
    return out;
  };
  const labels = qg.taskLabels();
  const taskIdx = new Map(labels.map((l, i) => [l, i]));
  return {
    format: QUANTUM_GRAPH_FORMAT,
    version: QUANTUM_GRAPH_FORMAT_VERSION,
    metadata: { ...qg.metadata },
    taskLabels: labels,
    quanta: qg.nodes.map((n) => ({
      id: n.id,
      task: taskIdx.get(n.taskLabel)!,
      dataId: dataId(n.dataId),
      inputs: refMap(n.inputs),
      prerequisites: refMap(n.prerequisites),
      outputs: refMap(n.outputs),
    })),
    initOutputs: refMap(qg.initOutputs),
    initInputs: refMap(qg.initInputs),
    groups,
    datasetTypes,
    records,
    dataIds,
    runs,
    refs,
  };
}

function decodeGraph(json: unknown, universe: DimensionUniverse, path: string): QuantumGraph {
  const g = json as Partial<EncodedGraph> | null;
  if (g === null || typeof g !== 'object' || g.format !== QUANTUM_GRAPH_FORMAT || typeof g.version !== 'string') {
    throw new QuantumGraphError('format', `'${path}' is not a saved QuantumGraph (no '${QUANTUM_GRAPH_FORMAT}' header).`);
  }
  const [major] = g.version.split('.').map(Number);
  const [ours] = QUANTUM_GRAPH_FORMAT_VERSION.split('.').map(Number);
  if (!Number.isInteger(major) || major! > ours!) {
    throw new QuantumGraphError(
      'format-version',
      `'${path}' was written in QuantumGraph format ${g.version}; this version of SkyStack reads format ${ours}.x and older.`,
      { hint: 'Upgrade @skystack/pipe-base, or rebuild the graph with this version.' },
    );
  }
  const e = g as EncodedGraph;
  if (e.metadata.universeVersion !== universe.version) {
    throw new QuantumGraphError(
      'universe',
      `'${path}' was built with dimension universe version ${e.metadata.universeVersion}; the given universe is version ${universe.version}.`,
      { hint: 'Rebuild the graph against this repository.' },
    );
  }
  try {
    const groups = e.groups.map((names) => universe.conform(names));
    const records = e.records.map((r) => {
      const f: Record<string, RecordValue> = {};
      for (const [k, v] of Object.entries(r.f)) f[k] = decodeValue(v);
      return new DimensionRecord(universe.getElement(r.e), f);
    });
    const dataIds = e.dataIds.map(([gi, values, recs]) => {
      const group = groups[gi]!;
      const map = new Map<string, DataIdValue>();
      group.names.forEach((n, i) => {
        const v = values[i];
        if (v !== null && v !== undefined) map.set(n, v);
      });
      const recMap = recs === null ? undefined : new Map(group.elements.map((el, i) => [el, recs[i]! >= 0 ? records[recs[i]!]! : null]));
      return DataCoordinate.fromTrusted(group, map, recMap);
    });
    const datasetTypes = e.datasetTypes.map((t) => new DatasetType(t.name, t.dimensions, t.storageClass, { universe, isCalibration: t.isCalibration }));
    const refs = e.refs.map(([t, d, run, id]) => new DatasetRef(datasetTypes[t]!, dataIds[d]!, e.runs[run]!, id));
    const refMap = (m: Record<string, number[]>): Map<string, DatasetRef[]> => new Map(Object.entries(m).map(([k, v]) => [k, v.map((i) => refs[i]!)]));
    const nodes: QuantumNode[] = e.quanta.map((q) => ({
      id: q.id,
      taskLabel: e.taskLabels[q.task]!,
      dataId: dataIds[q.dataId]!,
      inputs: refMap(q.inputs),
      prerequisites: refMap(q.prerequisites),
      outputs: refMap(q.outputs),
    }));
    return new QuantumGraph(nodes, e.metadata, { initOutputs: refMap(e.initOutputs), initInputs: refMap(e.initInputs), taskLabels: e.taskLabels });
  } catch (err) {
    if (err instanceof QuantumGraphError) throw err;
    throw new QuantumGraphError('format', `'${path}' holds a damaged QuantumGraph: ${(err as Error).message}`, { cause: err });
  }
}
