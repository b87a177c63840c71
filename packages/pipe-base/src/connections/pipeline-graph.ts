import type { DimensionUniverse } from '@skystack/daf-butler';
import type { BaseConnection } from './connection-types.js';
import { PipelineGraphError } from './errors.js';
import type { PipelineTaskConfig } from './pipeline-task-config.js';
import type { PipelineTaskConnections, AnyConnectionsClass } from './pipeline-task-connections.js';

/** One task of a {@link PipelineGraph}: its label, class and config. */
export interface TaskEntry {
  /** The task label. */
  readonly label: string;
  /** The PipelineTask class (only its config's connections are used here). */
  readonly taskClass: {
    /** The class name (used in messages). */
    readonly name: string;
  };
  /** The config (its class must have been made with `PipelineTaskConfig.withConnections`). */
  readonly config: PipelineTaskConfig;
}

/** How one task uses one dataset type. */
export interface DatasetTypeUse {
  /** The task label. */
  readonly label: string;
  /** The connection name in that task. */
  readonly connectionName: string;
  /** The connection (dataset type name resolved). */
  readonly connection: BaseConnection;
}

/** A dataset type node of a {@link PipelineGraph}. */
export interface DatasetTypeNode {
  /** The dataset type name. */
  readonly name: string;
  /** Its storage class. */
  readonly storageClass: string;
  /** Its dimensions (as declared). */
  readonly dimensions: readonly string[];
  /** Whether it is an init-input/init-output. */
  readonly isInit: boolean;
  /** The task that writes it, if any. */
  readonly producer: DatasetTypeUse | undefined;
  /** The tasks that read it. */
  readonly consumers: readonly DatasetTypeUse[];
  /** Whether every consumer reads it as a prerequisite. */
  readonly isPrerequisite: boolean;
}

/** A task node of a {@link PipelineGraph}. */
export interface TaskNode extends TaskEntry {
  /** The task's connections for its config. */
  readonly connections: PipelineTaskConnections;
}

/**
 * The bipartite graph of tasks and dataset types of a set of PipelineTasks, from their
 * connections: tasks sorted so that producers come before consumers, and the overall inputs,
 * intermediates and outputs.
 *
 * @example
 * ```ts
 * const graph = PipelineGraph.build([
 *   { label: 'multiply', taskClass: MultiplyTask, config: new MultiplyConfig() },
 *   { label: 'add', taskClass: AddTask, config: new AddConfig() },
 * ]);
 * graph.sortedLabels;      // ['add', 'multiply'] when multiply reads what add writes
 * graph.overallInputs();   // ['input']
 * ```
 * @see lsst.pipe.base.pipeline_graph.PipelineGraph
 */
export class PipelineGraph {
  /** The tasks in dependency order (producers first; ties keep the given order). */
  readonly tasks: readonly TaskNode[];
  /** The dataset types by name. */
  readonly datasetTypes: ReadonlyMap<string, DatasetTypeNode>;

  private constructor(tasks: readonly TaskNode[], datasetTypes: ReadonlyMap<string, DatasetTypeNode>) {
    this.tasks = tasks;
    this.datasetTypes = datasetTypes;
  }

  /**
   * Builds the graph and sorts the tasks.
   *
   * @param entries - the tasks
   * @param options - `universe`: when given, each task's connections are validated against it
   * @returns the graph
   * @throws {@link PipelineGraphError} for a duplicate label, two producers of one dataset
   *   type, one name with different storage classes or dimensions, a prerequisite produced
   *   in the pipeline, or a cycle (naming the tasks in it)
   */
  static build(entries: readonly TaskEntry[], options: { universe?: DimensionUniverse } = {}): PipelineGraph {
    const nodes: TaskNode[] = [];
    const labels = new Set<string>();
    for (const e of entries) {
      if (labels.has(e.label)) throw new PipelineGraphError('duplicate-label', `Task label '${e.label}' is used twice.`);
      labels.add(e.label);
      const cls = (e.config.constructor as { ConnectionsClass?: AnyConnectionsClass }).ConnectionsClass;
      if (cls === undefined) {
        throw new PipelineGraphError('inconsistent-dataset-type', `Task '${e.label}' (${e.taskClass.name}): its config ${e.config.constructor.name} has no connections.`);
      }
      const connections = new cls({ config: e.config });
      if (options.universe !== undefined) connections.validate(options.universe);
      nodes.push({ ...e, connections });
    }
    type Mutable = { name: string; storageClass: string; dimensions: readonly string[]; isInit: boolean; producer: DatasetTypeUse | undefined; consumers: DatasetTypeUse[]; prereq: boolean[]; first: DatasetTypeUse };
    const types = new Map<string, Mutable>();
    const describe = (u: DatasetTypeUse): string =>
      `task '${u.label}' connection '${u.connectionName}' (storageClass=${u.connection.storageClass}, dimensions=[${[...u.connection.dimensions].sort().join(', ')}])`;
    const note = (use: DatasetTypeUse, isOutput: boolean): void => {
      const c = use.connection;
      const name = c.name.split('.')[0]!;
      const isInit = c.connectionTypeSet === 'initInputs' || c.connectionTypeSet === 'initOutputs';
      let t = types.get(name);
      if (t === undefined) {
        t = { name, storageClass: c.storageClass, dimensions: c.dimensions, isInit, producer: undefined, consumers: [], prereq: [], first: use };
        types.set(name, t);
      } else if (!c.name.includes('.')) {
        const sameDims = [...t.dimensions].sort().join(',') === [...c.dimensions].sort().join(',');
        if (t.storageClass !== c.storageClass || !sameDims || t.isInit !== isInit) {
          const what = t.storageClass !== c.storageClass ? 'storage classes' : t.isInit !== isInit ? 'init and regular connections' : 'dimensions';
          throw new PipelineGraphError(
            'inconsistent-dataset-type',
            `Dataset type '${name}' is defined with different ${what}: ${describe(t.first)} and ${describe(use)}.`,
          );
        }
      }
      if (isOutput) {
        if (t.producer !== undefined) {
          throw new PipelineGraphError('duplicate-producer', `Dataset type '${name}' is produced by two tasks: ${describe(t.producer)} and ${describe(use)}.`);
        }
        if (c.name.includes('.')) throw new PipelineGraphError('inconsistent-dataset-type', `Component dataset type '${c.name}' cannot be an output (${describe(use)}).`);
        t.producer = use;
      } else {
        t.consumers.push(use);
        t.prereq.push(c.connectionTypeSet === 'prerequisiteInputs');
      }
    };
    for (const n of nodes) {
      for (const [connectionName, connection] of n.connections.allConnections) {
        const isOutput = connection.connectionTypeSet === 'outputs' || connection.connectionTypeSet === 'initOutputs';
        note({ label: n.label, connectionName, connection }, isOutput);
      }
    }
    for (const t of types.values()) {
      const i = t.prereq.indexOf(true);
      if (i >= 0 && t.producer !== undefined) {
        throw new PipelineGraphError(
          'prerequisite-produced',
          `Dataset type '${t.name}' is a prerequisite input to task '${t.consumers[i]!.label}', but it is produced by task '${t.producer.label}'.`,
          { hint: 'Make it a regular Input, or remove the producing task.' },
        );
      }
    }
    // Kahn's algorithm, keeping the given order among ready tasks.
    const deps = new Map<string, Set<string>>(nodes.map((n) => [n.label, new Set<string>()]));
    for (const t of types.values()) {
      if (t.producer === undefined) continue;
      for (const c of t.consumers) if (c.label !== t.producer.label) deps.get(c.label)!.add(t.producer.label);
      if (t.consumers.some((c) => c.label === t.producer!.label)) {
        throw new PipelineGraphError('cycle', `Task '${t.producer.label}' both reads and writes dataset type '${t.name}'.`);
      }
    }
    const sorted: TaskNode[] = [];
    const done = new Set<string>();
    while (sorted.length < nodes.length) {
      const next = nodes.find((n) => !done.has(n.label) && [...deps.get(n.label)!].every((d) => done.has(d)));
      if (next === undefined) {
        const left = nodes.filter((n) => !done.has(n.label)).map((n) => n.label);
        const cycle = findCycle(left, deps);
        throw new PipelineGraphError('cycle', `The tasks form a cycle: ${cycle.join(' -> ')}.`, {
          hint: `Tasks that cannot be ordered: ${left.join(', ')}.`,
        });
      }
      sorted.push(next);
      done.add(next.label);
    }
    const datasetTypes = new Map<string, DatasetTypeNode>();
    for (const t of types.values()) {
      datasetTypes.set(t.name, {
        name: t.name,
        storageClass: t.storageClass,
        dimensions: t.dimensions,
        isInit: t.isInit,
        producer: t.producer,
        consumers: t.consumers,
        isPrerequisite: t.prereq.length > 0 && t.prereq.every(Boolean),
      });
    }
    return new PipelineGraph(sorted, datasetTypes);
  }

  /** The task labels in dependency order. */
  get sortedLabels(): string[] {
    return this.tasks.map((t) => t.label);
  }

  /**
   * Dataset types no task of the graph produces (what must be in the repository).
   *
   * @returns their names, sorted
   * @see lsst.pipe.base.pipeline_graph.PipelineGraph.iter_overall_inputs
   */
  overallInputs(): string[] {
    return [...this.datasetTypes.values()].filter((t) => t.producer === undefined).map((t) => t.name).sort();
  }

  /**
   * Dataset types produced by one task and read by another.
   *
   * @returns their names, sorted
   */
  intermediates(): string[] {
    return [...this.datasetTypes.values()].filter((t) => t.producer !== undefined && t.consumers.length > 0).map((t) => t.name).sort();
  }

  /**
   * Dataset types produced and read by no task of the graph (its final products).
   *
   * @returns their names, sorted
   */
  overallOutputs(): string[] {
    return [...this.datasetTypes.values()].filter((t) => t.producer !== undefined && t.consumers.length === 0).map((t) => t.name).sort();
  }

  /**
   * The label of the task that produces a dataset type.
   *
   * @param name - the dataset type name
   * @returns the label, or undefined for an overall input
   * @see lsst.pipe.base.pipeline_graph.PipelineGraph.producer_of
   */
  producerOf(name: string): string | undefined {
    return this.datasetTypes.get(name)?.producer?.label;
  }

  /**
   * The labels of the tasks that read a dataset type.
   *
   * @param name - the dataset type name
   * @returns the labels
   * @see lsst.pipe.base.pipeline_graph.PipelineGraph.consumers_of
   */
  consumersOf(name: string): string[] {
    return (this.datasetTypes.get(name)?.consumers ?? []).map((c) => c.label);
  }
}

function findCycle(labels: readonly string[], deps: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const inSet = new Set(labels);
  for (const start of labels) {
    const path: string[] = [];
    const seen = new Map<string, number>();
    let cur: string | undefined = start;
    while (cur !== undefined) {
      const at = seen.get(cur);
      if (at !== undefined) return [...path.slice(at), cur].reverse();
      seen.set(cur, path.length);
      path.push(cur);
      cur = [...(deps.get(cur) ?? [])].find((d) => inSet.has(d));
    }
  }
  return [...labels];
}
