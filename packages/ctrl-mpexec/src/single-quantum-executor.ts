import { MemorySink, getDefaultLogManager } from '@skystack/base';
import type { LogRecord } from '@skystack/base';
import type { Butler, DataCoordinate, DatasetRef } from '@skystack/daf-butler';
import { ButlerQuantumContext, NoWorkFound, TaskMetadata } from '@skystack/pipe-base';
import type { BaseInput, Output, PipelineTaskConfig, PipelineTaskConnections, Quantum, QuantumNode } from '@skystack/pipe-base';
import { ExecutionSetupError } from './errors.js';
import type { PipelineTaskClass } from './task-factory.js';

/**
 * One quantum as the executors see it: pipe-base's `QuantumNode`.
 *
 * @see lsst.pipe.base.graph.QuantumNode
 */
export type ExecutableQuantum = QuantumNode;

/** A task ready to run quanta: its class and frozen config. */
export interface ExecutableTask {
  /** The task label. */
  readonly label: string;
  /** The class. */
  readonly taskClass: PipelineTaskClass;
  /** The frozen config. */
  readonly config: PipelineTaskConfig;
}

/** What running one quantum gave. */
export type QuantumStatus = 'succeeded' | 'failed' | 'skipped' | 'blocked';

/** The outcome of one quantum. */
export interface QuantumOutcome {
  /** The node ID. */
  readonly id: string;
  /** The task label. */
  readonly taskLabel: string;
  /** `succeeded` (also when the task found no work), `failed`, `skipped` (outputs existed). */
  readonly status: QuantumStatus;
  /** The error message of a failure. */
  readonly error?: string | undefined;
  /** The class name of the error of a failure (`Error`, `TypeError`, a task's own class...). */
  readonly errorType?: string | undefined;
  /** Whether the task raised NoWorkFound. */
  readonly noWork?: boolean | undefined;
  /** Wall time, seconds. */
  readonly seconds: number;
}

/** Where and how quanta are run: shared by the in-process and worker executors. */
export interface QuantumExecutionContext {
  /** A writeable Butler. */
  readonly butler: Butler;
  /** The tasks by label. */
  readonly tasks: ReadonlyMap<string, ExecutableTask>;
  /** The RUN outputs are written to. */
  readonly outputRun: string;
  /** The collections inputs are searched in (after the output RUN). */
  readonly inputCollections: readonly string[];
  /** Quanta whose `<label>_metadata` exists in these collections are skipped. */
  readonly skipExistingIn?: readonly string[] | undefined;
  /** Remove existing outputs of a quantum that is run again. */
  readonly clobberOutputs?: boolean | undefined;
  /** Whether the RUN is being extended (quanta with metadata there are skipped). */
  readonly extendRun?: boolean | undefined;
}

/** The names of the per-task special datasets: config, metadata and log. */
export function specialDatasetTypeNames(label: string): {
  /** `<label>_config`. */
  config: string;
  /** `<label>_metadata`. */
  metadata: string;
  /** `<label>_log`. */
  log: string;
} {
  return { config: `${label}_config`, metadata: `${label}_metadata`, log: `${label}_log` };
}

/**
 * The JSON form of a log record in a `<label>_log` dataset (the fields of LSST's
 * `ButlerLogRecord`).
 */
export interface ButlerLogRecordJson {
  /** The logger name. */
  readonly name: string;
  /** ISO 8601 UTC time. */
  readonly asctime: string;
  /** The message. */
  readonly message: string;
  /** The numeric level. */
  readonly levelno: number;
  /** The level name. */
  readonly levelname: string;
  /** Context: task label and quantum data ID. */
  readonly MDC: Readonly<Record<string, string>>;
}

function toLogJson(r: LogRecord, mdc: Record<string, string>): ButlerLogRecordJson {
  return { name: r.name, asctime: new Date(r.time).toISOString(), message: r.message, levelno: r.level, levelname: r.levelName, MDC: mdc };
}

const connectionsCache = new WeakMap<PipelineTaskConfig, PipelineTaskConnections>();

function connectionsOf(task: ExecutableTask): PipelineTaskConnections {
  let c = connectionsCache.get(task.config);
  if (c === undefined) {
    const cls = (task.config.constructor as { ConnectionsClass?: new (o: { config: PipelineTaskConfig }) => PipelineTaskConnections }).ConnectionsClass;
    if (cls === undefined) throw new ExecutionSetupError('MPEXEC_CONFIG', `Task '${task.label}': its config has no connections.`);
    c = new cls({ config: task.config });
    connectionsCache.set(task.config, c);
  }
  return c;
}

/**
 * The init-inputs of a task, read from the Butler by connection name.
 *
 * @param ctx - the execution context
 * @param task - the task
 * @returns the init-input objects by connection name
 */
export async function readInitInputs(ctx: QuantumExecutionContext, task: ExecutableTask): Promise<Record<string, unknown>> {
  const connections = connectionsOf(task);
  const out: Record<string, unknown> = {};
  for (const name of connections.initInputs) {
    const c = connections.get(name);
    out[name] = await ctx.butler.get(c.name, {}, { collections: [ctx.outputRun, ...ctx.inputCollections] });
  }
  return out;
}

/** Groups references by dataset type name, whatever the maps are keyed by (connection or dataset type name). */
function byDatasetType(maps: readonly ReadonlyMap<string, readonly DatasetRef[]>[]): Map<string, DatasetRef[]> {
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
}

async function findIn(butler: Butler, datasetType: string, dataId: DataCoordinate, collections: readonly string[]): Promise<DatasetRef | null> {
  if (collections.length === 0) return null;
  return butler.registry.findDataset(datasetType, dataId, { collections: [...collections] });
}

/**
 * Runs one quantum as LSST's `SingleQuantumExecutor` does: skips it when its metadata exists
 * in `skipExistingIn` (or in the output RUN with `extendRun`); refuses (or, with
 * `clobberOutputs`, removes) partial outputs in the output RUN; finds its inputs in the
 * output RUN and the input collections; makes the task (with its init-inputs); calls
 * `runQuantum`; writes `<label>_metadata`; writes `<label>_log` whether it succeeded or not.
 * Errors of the task are returned as a `failed` outcome, not thrown.
 *
 * @param ctx - the Butler, tasks and collections
 * @param node - the quantum
 * @returns the outcome
 * @see lsst.ctrl.mpexec.SingleQuantumExecutor
 */
export async function executeQuantum(ctx: QuantumExecutionContext, node: ExecutableQuantum): Promise<QuantumOutcome> {
  const t0 = performance.now();
  const label = node.taskLabel;
  const names = specialDatasetTypeNames(label);
  const butler = ctx.butler;
  const base = { id: node.id, taskLabel: label };
  const done = (status: QuantumStatus, extra: { error?: string; errorType?: string; noWork?: boolean } = {}): QuantumOutcome => ({
    ...base,
    status,
    ...extra,
    seconds: (performance.now() - t0) / 1000,
  });
  const task = ctx.tasks.get(label);
  if (task === undefined) return done('failed', { error: `No task with label '${label}' in this execution.` });

  const sink = new MemorySink();
  const manager = getDefaultLogManager();
  manager.addSink(sink);
  const mdc = { LABEL: label, RUN: ctx.outputRun, DATAID: node.dataId.toString() };
  const writeLog = async (): Promise<void> => {
    manager.removeSink(sink);
    await butler.put(
      sink.records.map((r) => toLogJson(r, mdc)),
      names.log,
      node.dataId,
      { run: ctx.outputRun },
    );
  };
  try {
    // Skip when done before.
    const skipIn = [...(ctx.skipExistingIn ?? []), ...(ctx.extendRun ? [ctx.outputRun] : [])];
    if (skipIn.length > 0 && (await findIn(butler, names.metadata, node.dataId, skipIn)) !== null) {
      manager.removeSink(sink);
      return done('skipped');
    }
    // Existing outputs in the output RUN.
    const existing: DatasetRef[] = [];
    const outputsByType = byDatasetType([node.outputs]);
    const outputTypes = new Set([...outputsByType.keys(), names.metadata, names.log]);
    const outputIds = new Map<string, DataCoordinate[]>();
    for (const [dt, refs] of outputsByType) outputIds.set(dt, refs.map((r) => r.dataId));
    for (const dt of outputTypes) {
      for (const dataId of outputIds.get(dt) ?? [node.dataId]) {
        const ref = await findIn(butler, dt, dataId, [ctx.outputRun]);
        if (ref !== null) existing.push(ref);
      }
    }
    if (existing.length > 0) {
      const onlyLog = existing.every((r) => r.datasetType.name === names.log);
      if (!ctx.clobberOutputs && !onlyLog) {
        throw new ExecutionSetupError(
          'MPEXEC_OUTPUT_EXISTS',
          `Quantum ${label} ${node.dataId.toString()}: outputs exist already in RUN '${ctx.outputRun}': ${existing.map((r) => r.datasetType.name).join(', ')}.`,
          { hint: 'Use --clobber-outputs to replace them, or --skip-existing-in to skip completed quanta.' },
        );
      }
      await butler.pruneDatasets(existing, { purge: true });
    }
    // Inputs, resolved in the output RUN and then the input collections.
    const search = [ctx.outputRun, ...ctx.inputCollections];
    const connections = connectionsOf(task);
    const resolved = new Map<string, DatasetRef[]>();
    for (const [dt, refs] of byDatasetType([node.inputs])) {
      const found: DatasetRef[] = [];
      for (const r of refs) {
        const f = await findIn(butler, dt, r.dataId, search);
        if (f !== null) found.push(f);
      }
      resolved.set(dt, found);
    }
    // Prerequisites were resolved when the graph was built (calibrations by the quantum's
    // timespan, reference catalog shards by region): use those datasets as they are, as
    // ctrl_mpexec does; a CALIBRATION collection cannot be searched again without a timespan.
    for (const [dt, refs] of byDatasetType([node.prerequisites])) resolved.set(dt, [...(resolved.get(dt) ?? []), ...refs]);
    const inputMap = new Map<string, [BaseInput, readonly DatasetRef[]]>();
    for (const name of [...connections.inputs, ...connections.prerequisiteInputs]) {
      const c = connections.get(name) as BaseInput;
      inputMap.set(name, [c, resolved.get(c.name) ?? []]);
    }
    const outputMap = new Map<string, [Output, readonly DatasetRef[]]>();
    for (const name of connections.outputs) {
      const c = connections.get(name) as Output;
      outputMap.set(name, [c, outputsByType.get(c.name) ?? []]);
    }
    const quantum: Quantum = { taskLabel: label, dataId: node.dataId, inputs: resolved, outputs: outputsByType };
    let noWork = false;
    const instance = new task.taskClass({ config: task.config, name: label, initInputs: await readInitInputs(ctx, task) });
    try {
      connections.adjustQuantum(inputMap, outputMap, label, node.dataId);
      const butlerQC = new ButlerQuantumContext(butler, quantum);
      const { inputs, outputs } = connections.buildDatasetRefs(quantum);
      await instance.runQuantum(butlerQC, inputs, outputs);
    } catch (e) {
      if (!(e instanceof NoWorkFound)) throw e;
      noWork = true;
      instance.log.info(`Nothing to do for task '${label}' on quantum ${node.dataId.toString()}: ${e.message}`);
    }
    const md = instance.getFullMetadata();
    const quantumMd = new TaskMetadata();
    quantumMd.set('startUtc', new Date(Date.now() - (performance.now() - t0)).toISOString());
    quantumMd.set('endUtc', new Date().toISOString());
    quantumMd.set('wallSeconds', (performance.now() - t0) / 1000);
    quantumMd.set('noWork', noWork);
    md.set('quantum', quantumMd);
    await butler.put(md, names.metadata, node.dataId, { run: ctx.outputRun });
    await writeLog();
    return done('succeeded', noWork ? { noWork } : {});
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const log = manager.getLogger(`skystack.ctrl_mpexec.${label}`);
    log.error(`Execution of task '${label}' on quantum ${node.dataId.toString()} failed: ${message}`);
    try {
      await writeLog();
    } catch {
      // a log that cannot be written does not hide the task's error
    }
    return done('failed', { error: message, errorType: e instanceof Error ? e.constructor.name : typeof e });
  } finally {
    manager.removeSink(sink);
  }
}
