import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { QuietProgress, getLogger } from '@skystack/base';
import type { ProgressReporter } from '@skystack/base';
import { CollectionType, DatasetType, MissingCollectionError } from '@skystack/daf-butler';
import type { Butler, DatasetRef } from '@skystack/daf-butler';
import type { PipelineGraph, QuantumGraph } from '@skystack/pipe-base';
import { ExecutionSetupError, TaskConfigError } from './errors.js';
import { executeQuantum, readInitInputs, specialDatasetTypeNames } from './single-quantum-executor.js';
import type { ExecutableQuantum, QuantumExecutionContext, QuantumOutcome, QuantumStatus } from './single-quantum-executor.js';
import type { ConfiguredTask } from './task-factory.js';
import type { WorkerInit, WorkerMessage } from './worker.js';

const log = getLogger('skystack.ctrl_mpexec');

/**
 * A UTC timestamp as LSST puts in default RUN names: `20261206T131340Z`.
 *
 * @param date - the time (default now)
 * @returns the timestamp
 * @see lsst.ctrl.mpexec.cli.script.run (`output_run` default)
 */
export function runTimestamp(date: Date = new Date()): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** Options of {@link planOutputCollections}. */
export interface OutputCollectionOptions {
  /** `-i`: input collections. */
  readonly inputs?: readonly string[] | undefined;
  /** `-o`: the CHAINED output collection. */
  readonly output?: string | undefined;
  /** `--output-run`: the RUN to write (default `<output>/<timestamp>`). */
  readonly outputRun?: string | undefined;
  /** `--extend-run`: reuse the first RUN of the output chain. */
  readonly extendRun?: boolean | undefined;
  /**
   * `--replace-run`: take the first child (a RUN) out of the existing output chain; the new
   * RUN takes its place and the rest of the chain is the input.
   */
  readonly replaceRun?: boolean | undefined;
  /**
   * `--rebase`: when the existing output chain does not include the `-i` inputs, rebuild it as
   * [new RUN, the previous output RUNs that lead the old chain, the inputs] instead of failing.
   */
  readonly rebase?: boolean | undefined;
  /** The time used in the default RUN name (default now). */
  readonly now?: Date | undefined;
}

/** What {@link planOutputCollections} decided: nothing is written yet. */
export interface OutputCollectionPlan {
  /** The RUN outputs go to. */
  readonly outputRun: string;
  /** The CHAINED output collection, if any. */
  readonly output: string | undefined;
  /** The collections inputs are searched in (not including the output RUN). */
  readonly inputCollections: readonly string[];
  /** The chain of `output` to set: the output RUN first. */
  readonly chain: readonly string[] | undefined;
  /** Whether the output RUN exists already. */
  readonly runExists: boolean;
  /** With `--replace-run`: the RUN taken out of the output chain. */
  readonly replacedRun?: string | undefined;
}

async function collectionType(butler: Butler, name: string): Promise<CollectionType | undefined> {
  try {
    return await butler.registry.getCollectionType(name);
  } catch (e) {
    if (e instanceof MissingCollectionError) return undefined;
    throw e;
  }
}

/**
 * Works out the output collections as `pipetask` does: a new RUN `OUT/<timestamp>` (or
 * `--output-run`) chained in front of the inputs (or of the existing chain) in the CHAINED
 * collection `OUT`; with `--extend-run`, the first child of `OUT`, which must be a RUN.
 *
 * With `replaceRun`, the first child of the existing chain (a RUN) is taken out: the new RUN
 * takes its place and the rest of the chain is what the inputs are searched in
 * (`plan.replacedRun` names the RUN taken out; see {@link pruneReplacedRun}). With `rebase`, an
 * existing chain that does not include every `-i` input is rebuilt as [new RUN, the previous
 * output RUNs that lead the old chain, the inputs], where the previous output RUNs are the
 * leading children that are RUN collections named `OUT/...` (as `pipetask` names them) and not
 * inputs; without it such a chain is an error.
 *
 * @param butler - the Butler
 * @param options - `-i`, `-o`, `--output-run`, `--extend-run`, `--replace-run`, `--rebase`
 * @returns the plan (nothing is written)
 * @throws {@link ExecutionSetupError} (`MPEXEC_COLLECTIONS`) for inconsistent options: no
 *   `-o` nor `--output-run`, `--extend-run` without an existing output RUN, an output that is not
 *   CHAINED, a new RUN that exists already, inputs not in an existing output chain (without
 *   `rebase`), `replaceRun` with `extendRun`, or without an existing output chain led by a RUN
 * @example
 * ```ts
 * const plan = await planOutputCollections(butler, { output: 'u/me/out', replaceRun: true });
 * await makeOutputCollections(butler, plan);
 * await pruneReplacedRun(butler, plan.replacedRun!, 'purge');
 * ```
 * @see lsst.ctrl.mpexec.cli.butler_factory.ButlerFactory (`_ButlerFactory` in older versions)
 */
export async function planOutputCollections(butler: Butler, options: OutputCollectionOptions): Promise<OutputCollectionPlan> {
  const err = (m: string, hint?: string): ExecutionSetupError => new ExecutionSetupError('MPEXEC_COLLECTIONS', m, hint === undefined ? {} : { hint });
  const inputs = [...(options.inputs ?? [])];
  const output = options.output;
  if (output === undefined && options.outputRun === undefined) throw err('Either -o/--output or --output-run must be given.');
  if (options.replaceRun && options.extendRun) throw err('--replace-run and --extend-run cannot be used together.', 'Give one of them.');
  let existingChain: string[] | undefined;
  if (output !== undefined) {
    const type = await collectionType(butler, output);
    if (type !== undefined && type !== CollectionType.CHAINED) throw err(`Output collection '${output}' exists and is not CHAINED.`);
    if (type === CollectionType.CHAINED) existingChain = await butler.registry.getCollectionChain(output);
  }
  for (const i of inputs) {
    if ((await collectionType(butler, i)) === undefined) throw err(`Input collection '${i}' does not exist.`);
  }
  if (existingChain !== undefined && inputs.length > 0) {
    const old = existingChain;
    const missing = inputs.filter((i) => !old.includes(i));
    if (missing.length > 0) {
      if (!options.rebase) {
        throw err(
          `Output CHAINED collection '${output}' exists but does not include the inputs ${missing.join(', ')}.`,
          'Use the same -i as before, another -o, or --rebase to rebuild the chain on these inputs.',
        );
      }
      const leading: string[] = [];
      for (const c of existingChain) {
        if (inputs.includes(c) || !c.startsWith(`${output}/`) || (await collectionType(butler, c)) !== CollectionType.RUN) break;
        leading.push(c);
      }
      log.info(`Rebasing '${output}': [${existingChain.join(', ')}] becomes [${[...leading, ...inputs].join(', ')}] after the new RUN.`);
      existingChain = [...leading, ...inputs];
    }
  }
  let replacedRun: string | undefined;
  if (options.replaceRun) {
    const first = existingChain?.[0];
    if (output === undefined || existingChain === undefined || first === undefined) {
      throw err(`--replace-run needs an existing output CHAINED collection with a RUN first; '${output ?? '(no -o)'}' has none.`, 'Run once without --replace-run first.');
    }
    if ((await collectionType(butler, first)) !== CollectionType.RUN) {
      throw err(`--replace-run: the first child '${first}' of '${output}' is not a RUN collection.`);
    }
    replacedRun = first;
    existingChain = existingChain.slice(1);
  }
  let outputRun: string;
  let runExists = false;
  if (options.extendRun) {
    const first = existingChain?.[0];
    outputRun = options.outputRun ?? first ?? '';
    if (outputRun === '' || (await collectionType(butler, outputRun)) !== CollectionType.RUN) {
      throw err(`--extend-run needs an existing output RUN; '${output ?? options.outputRun}' has none.`, 'Run once without --extend-run first.');
    }
    if (existingChain !== undefined && first !== outputRun) throw err(`--output-run '${outputRun}' is not the first child of '${output}' (${first}).`);
    runExists = true;
  } else {
    outputRun = options.outputRun ?? `${output}/${runTimestamp(options.now)}`;
    if ((await collectionType(butler, outputRun)) !== undefined) {
      throw err(`Output RUN '${outputRun}' exists already.`, 'Use --extend-run to add to it, or another --output-run.');
    }
  }
  const previous = existingChain ?? inputs;
  const chain = output === undefined ? undefined : options.extendRun ? previous : [outputRun, ...previous];
  const inputCollections = previous.filter((c) => c !== outputRun);
  if (inputCollections.length === 0 && !options.extendRun) throw err('No input collections: give -i (or an existing -o).');
  return { outputRun, output, inputCollections, chain, runExists, ...(replacedRun === undefined ? {} : { replacedRun }) };
}

/**
 * Registers the output RUN and sets the output chain (the write step after
 * {@link planOutputCollections}).
 *
 * @param butler - a writeable Butler
 * @param plan - the plan
 */
export async function makeOutputCollections(butler: Butler, plan: OutputCollectionPlan): Promise<void> {
  await butler.registry.registerRun(plan.outputRun);
  if (plan.output !== undefined && plan.chain !== undefined) {
    await butler.registry.registerCollection(plan.output, CollectionType.CHAINED);
    await butler.registry.setCollectionChain(plan.output, plan.chain);
  }
}

/** What `--prune-replaced` does with the RUN `--replace-run` took out of the output chain. */
export type PruneReplacedMode = 'unstore' | 'purge';

/**
 * Prunes the RUN that `--replace-run` took out of the output chain, once the new RUN is in
 * place: `unstore` deletes its datasets' files (the registry keeps the datasets and the RUN),
 * `purge` removes the RUN and its datasets entirely.
 *
 * @param butler - a writeable Butler
 * @param run - the replaced RUN (`plan.replacedRun`)
 * @param mode - `unstore` or `purge`
 * @returns the number of datasets pruned
 * @throws {@link ExecutionSetupError} (`MPEXEC_COLLECTIONS`) when `run` is not a RUN collection
 * @example
 * ```ts
 * await pruneReplacedRun(butler, 'u/me/out/20260101T000000Z', 'unstore');
 * ```
 * @see lsst.ctrl.mpexec.cli.butler_factory.ButlerFactory (`--prune-replaced`)
 */
export async function pruneReplacedRun(butler: Butler, run: string, mode: PruneReplacedMode): Promise<number> {
  if ((await collectionType(butler, run)) !== CollectionType.RUN) {
    throw new ExecutionSetupError('MPEXEC_COLLECTIONS', `Cannot prune '${run}': it is not a RUN collection.`);
  }
  const refs = await butler.registry.queryDatasets('*', { collections: run }).toArray();
  if (mode === 'purge') {
    await butler.removeRuns([run], { unstore: true });
  } else if (refs.length > 0) {
    await butler.pruneDatasets(refs, { unstore: true });
  }
  log.info(`${mode === 'purge' ? 'Purged' : 'Unstored'} the replaced RUN '${run}' (${refs.length} datasets).`);
  return refs.length;
}

/**
 * The dataset types an execution writes: the outputs and init-outputs of the tasks, and per
 * task `<label>_config` (Config), `<label>_metadata` (TaskMetadata) and `<label>_log`
 * (ButlerLogRecords).
 *
 * @param graph - the pipeline graph
 * @param butler - the Butler (for its universe)
 * @returns the dataset types
 * @see lsst.pipe.base.pipeline_graph.PipelineGraph.register_dataset_types
 */
export function outputDatasetTypes(graph: PipelineGraph, butler: Butler): DatasetType[] {
  const universe = butler.universe;
  const out: DatasetType[] = [];
  for (const t of graph.datasetTypes.values()) {
    if (t.producer === undefined) continue;
    out.push(new DatasetType(t.name, t.isInit ? [] : t.dimensions, t.storageClass, { universe }));
  }
  for (const task of graph.tasks) {
    const n = specialDatasetTypeNames(task.label);
    const dims = [...task.connections.dimensions];
    out.push(new DatasetType(n.config, [], 'Config', { universe }));
    out.push(new DatasetType(n.metadata, dims, 'TaskMetadata', { universe }));
    out.push(new DatasetType(n.log, dims, 'ButlerLogRecords', { universe }));
  }
  return out;
}

/**
 * Checks (and with `register`, registers) the dataset types an execution writes.
 *
 * @param butler - the Butler
 * @param graph - the pipeline graph
 * @param register - `--register-dataset-types`
 * @throws {@link ExecutionSetupError} (`MPEXEC_DATASET_TYPES`) for missing types without
 *   `register`, or a type registered with another definition
 * @see lsst.ctrl.mpexec.PreExecInit.initializeDatasetTypes
 */
export async function registerDatasetTypes(butler: Butler, graph: PipelineGraph, register: boolean): Promise<void> {
  const missing: DatasetType[] = [];
  const known = new Map((await butler.registry.queryDatasetTypes('*')).map((d) => [d.name, d]));
  for (const dt of outputDatasetTypes(graph, butler)) {
    const have = known.get(dt.name);
    if (have === undefined) missing.push(dt);
    else if (!have.equals(dt)) {
      throw new ExecutionSetupError(
        'MPEXEC_DATASET_TYPES',
        `Dataset type '${dt.name}' is registered as ${have.storageClass} [${[...have.dimensions.names].join(', ')}] but the pipeline writes it as ${dt.storageClass} [${[...dt.dimensions.names].join(', ')}].`,
      );
    }
  }
  if (missing.length === 0) return;
  if (!register) {
    throw new ExecutionSetupError('MPEXEC_DATASET_TYPES', `Dataset types are not registered: ${missing.map((d) => d.name).join(', ')}.`, {
      hint: 'Use --register-dataset-types to register them.',
    });
  }
  for (const dt of missing) await butler.registry.registerDatasetType(dt);
}

/**
 * Writes (or, for an existing RUN, checks) each task's `<label>_config` and its init-outputs,
 * as LSST's pre-execution initialization does. A config that differs from the one saved in
 * the output RUN is refused.
 *
 * @param butler - a writeable Butler
 * @param tasks - the configured tasks, by label
 * @param ctx - collections
 * @throws {@link TaskConfigError} (`MPEXEC_CONFIG_MISMATCH`) naming the task and the first differing field
 * @see lsst.ctrl.mpexec.PreExecInit.saveConfigs
 * @see lsst.ctrl.mpexec.PreExecInit.saveInitOutputs
 */
export async function saveInitOutputs(
  butler: Butler,
  tasks: ReadonlyMap<string, ConfiguredTask>,
  ctx: { readonly outputRun: string; readonly inputCollections: readonly string[] },
): Promise<void> {
  for (const task of tasks.values()) {
    const name = specialDatasetTypeNames(task.label).config;
    const text = task.config.saveToString();
    const old = await butler.registry.findDataset(name, {}, { collections: [ctx.outputRun] });
    if (old !== null) {
      const oldText = (await butler.get(old)) as string;
      if (oldText !== text) {
        const oldConfig = new task.taskClass.ConfigClass();
        oldConfig.loadFromString(oldText, { filename: name });
        const diff = task.config.compare(oldConfig).differences[0];
        throw new TaskConfigError(
          'MPEXEC_CONFIG_MISMATCH',
          `Config for task '${task.label}' does not match the one saved in RUN '${ctx.outputRun}'${diff === undefined ? '' : `: ${describeDifference(diff)}`}.`,
          { hint: 'Write to another output collection, or leave the config as it was.' },
        );
      }
    } else {
      await butler.put(text, name, {}, { run: ctx.outputRun });
    }
    const instance = new task.taskClass({
      config: task.config,
      name: task.label,
      initInputs: await readInitInputs({ butler, tasks, ...ctx }, task),
    });
    const connections = instance.makeConnections();
    for (const cn of connections.initOutputs) {
      const dt = connections.get(cn).name;
      if ((await butler.registry.findDataset(dt, {}, { collections: [ctx.outputRun] })) !== null) continue;
      const value = (instance as unknown as Record<string, unknown>)[cn];
      if (value === undefined) {
        throw new ExecutionSetupError('MPEXEC_OUTPUT_EXISTS', `Task '${task.label}' has no attribute '${cn}' for its init-output '${dt}'.`);
      }
      await butler.put(value, dt, {}, { run: ctx.outputRun });
    }
  }
}

function describeDifference(d: unknown): string {
  if (typeof d === 'string') return d;
  if (d !== null && typeof d === 'object') {
    const o = d as Record<string, unknown>;
    if (typeof o['message'] === 'string') return o['message'];
    if (typeof o['field'] === 'string') return `${o['field']}: ${JSON.stringify(o['a'] ?? o['self'])} != ${JSON.stringify(o['b'] ?? o['other'])}`;
  }
  return JSON.stringify(d);
}

/** Per task label: how many quanta ended in each state. */
export interface TaskSummary {
  /** The task label. */
  readonly label: string;
  /** Quanta that ran (including those that found no work). */
  succeeded: number;
  /** Quanta that raised. */
  failed: number;
  /** Quanta not run because an upstream quantum failed. */
  blocked: number;
  /** Quanta skipped because their outputs existed. */
  skipped: number;
}

/** What {@link executeQuantumGraph} reports. */
export interface ExecutionReport {
  /** The outcome of each quantum, by node ID. */
  readonly outcomes: ReadonlyMap<string, QuantumOutcome>;
  /** Counts per task label, in the graph's task order. */
  readonly summary: readonly TaskSummary[];
  /** Whether every quantum succeeded or was skipped. */
  readonly ok: boolean;
}

/** Options of {@link executeQuantumGraph}. */
export interface ExecuteOptions {
  /** The Butler (writeable; workers open their own on the same repository). */
  readonly butler: Butler;
  /** The graph. */
  readonly graph: QuantumGraph;
  /** The configured tasks by label. */
  readonly tasks: ReadonlyMap<string, ConfiguredTask>;
  /** The collections inputs are searched in. */
  readonly inputCollections: readonly string[];
  /** The output RUN (default the graph's). */
  readonly outputRun?: string | undefined;
  /** `-j`: worker processes (default 1: in this process). */
  readonly processes?: number | undefined;
  /** `--fail-fast`: stop at the first failure. */
  readonly failFast?: boolean | undefined;
  /** `--timeout`: seconds per quantum (enforced by killing the worker; with `-j 1`, not enforced for synchronous work). */
  readonly timeoutSeconds?: number | undefined;
  /** `--skip-existing-in`. */
  readonly skipExistingIn?: readonly string[] | undefined;
  /** `--clobber-outputs`. */
  readonly clobberOutputs?: boolean | undefined;
  /** `--extend-run`. */
  readonly extendRun?: boolean | undefined;
  /** The graph file, when it is saved already (workers load it; default a temporary copy). */
  readonly graphFile?: string | undefined;
  /** Progress (default none). */
  readonly progress?: ProgressReporter | undefined;
  /** Log level names by logger for the workers (`--log-level`). */
  readonly logLevels?: Readonly<Record<string, string>> | undefined;
}

function workerEntry(): { path: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    // Running from source: node with tsx as loader, under the source condition.
    let dir = dirname(here);
    let loader: string | undefined;
    for (;;) {
      const candidate = join(dir, 'node_modules', 'tsx', 'dist', 'loader.mjs');
      if (existsSync(candidate)) {
        loader = pathToFileURL(candidate).href;
        break;
      }
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
    return { path: join(dirname(here), 'worker.ts'), execArgv: ['--import', loader ?? 'tsx', '--conditions=@skystack/source'] };
  }
  return { path: join(dirname(here), 'worker.js'), execArgv: [] };
}

function nodesOf(graph: QuantumGraph): ExecutableQuantum[] {
  return [...graph.nodes];
}

/**
 * Executes a QuantumGraph: quanta in dependency order, in this process (`processes: 1`) or on
 * worker processes each given quanta whose dependencies are done. A failed quantum blocks its
 * downstream quanta while the others go on (or everything stops with `failFast`).
 *
 * The output collections, dataset types and init-outputs must be set up before (see
 * {@link planOutputCollections}, {@link makeOutputCollections}, {@link registerDatasetTypes},
 * {@link saveInitOutputs}; `pipetask run` does all of it).
 *
 * @param options - the Butler, graph, tasks and execution options
 * @returns the outcomes and the per-task summary
 * @example
 * ```ts
 * const report = await executeQuantumGraph({ butler, graph, tasks, inputCollections: ['raw'], processes: 2 });
 * console.log(formatSummary(report.summary));
 * ```
 * @see lsst.ctrl.mpexec.MPGraphExecutor
 */
export async function executeQuantumGraph(options: ExecuteOptions): Promise<ExecutionReport> {
  const { graph } = options;
  const outputRun = options.outputRun ?? graph.metadata.outputRun;
  const nodes = nodesOf(graph);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const deps = new Map(nodes.map((n) => [n.id, graph.dependencies(n).map((d) => d.id)]));
  const dependents = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
  for (const [id, ds] of deps) for (const d of ds) dependents.get(d)?.push(id);
  const state = new Map<string, QuantumStatus | 'pending' | 'running'>(nodes.map((n) => [n.id, 'pending']));
  const outcomes = new Map<string, QuantumOutcome>();
  const progress = (options.progress ?? new QuietProgress()).start(nodes.length, 'Executing quanta');
  log.info(`Executing ${nodes.length} quanta of ${new Set(nodes.map((n) => n.taskLabel)).size} tasks into ${outputRun} on ${Math.max(1, options.processes ?? 1)} process(es).`);
  let stop = false;

  const finish = (o: QuantumOutcome): void => {
    outcomes.set(o.id, o);
    state.set(o.id, o.status);
    progress.tick();
    if (o.status === 'failed') {
      const n = byId.get(o.id)!;
      log.error(`Quantum ${o.taskLabel} ${n.dataId.toString()} failed: ${o.error ?? ''}`);
      if (options.failFast) stop = true;
      const queue = [...(dependents.get(o.id) ?? [])];
      while (queue.length > 0) {
        const id = queue.pop()!;
        if (state.get(id) !== 'pending') continue;
        state.set(id, 'blocked');
        const b = byId.get(id)!;
        outcomes.set(id, { id, taskLabel: b.taskLabel, status: 'blocked', error: `upstream quantum ${o.taskLabel} ${n.dataId.toString()} failed`, seconds: 0 });
        progress.tick();
        queue.push(...(dependents.get(id) ?? []));
      }
    }
  };
  const ready = (): ExecutableQuantum[] =>
    nodes.filter((n) => state.get(n.id) === 'pending' && deps.get(n.id)!.every((d) => state.get(d) === 'succeeded' || state.get(d) === 'skipped'));

  const ctxBase = {
    outputRun,
    inputCollections: options.inputCollections,
    skipExistingIn: options.skipExistingIn,
    clobberOutputs: options.clobberOutputs,
    extendRun: options.extendRun,
  };
  try {
    const processes = Math.max(1, options.processes ?? 1);
    if (processes === 1) {
      const ctx: QuantumExecutionContext = { butler: options.butler, tasks: options.tasks, ...ctxBase };
      for (;;) {
        if (stop) break;
        const next = ready()[0];
        if (next === undefined) break;
        state.set(next.id, 'running');
        let outcome: QuantumOutcome;
        if (options.timeoutSeconds !== undefined) {
          let timer: NodeJS.Timeout | undefined;
          const timeout = new Promise<QuantumOutcome>((res) => {
            timer = setTimeout(
              () => res({ id: next.id, taskLabel: next.taskLabel, status: 'failed', errorType: 'QuantumTimeoutError', error: `timed out after ${options.timeoutSeconds} s`, seconds: options.timeoutSeconds! }),
              options.timeoutSeconds! * 1000,
            );
          });
          outcome = await Promise.race([executeQuantum(ctx, next), timeout]);
          clearTimeout(timer);
        } else {
          outcome = await executeQuantum(ctx, next);
        }
        finish(outcome);
      }
    } else {
      await runOnWorkers(options, processes, outputRun, { nodes, state, ready, finish, isStopped: () => stop });
    }
  } finally {
    progress.done();
  }
  for (const n of nodes) {
    if (!outcomes.has(n.id)) outcomes.set(n.id, { id: n.id, taskLabel: n.taskLabel, status: 'blocked', error: 'not run (--fail-fast)', seconds: 0 });
  }
  const labels = [...new Set([...(graph.taskLabels() as Iterable<string>), ...nodes.map((n) => n.taskLabel)])];
  const summary = new Map<string, TaskSummary>(labels.map((l) => [l, { label: l, succeeded: 0, failed: 0, blocked: 0, skipped: 0 }]));
  for (const o of outcomes.values()) {
    const s = summary.get(o.taskLabel)!;
    if (o.status === 'succeeded') s.succeeded++;
    else if (o.status === 'failed') s.failed++;
    else if (o.status === 'blocked') s.blocked++;
    else s.skipped++;
  }
  const ok = [...outcomes.values()].every((o) => o.status === 'succeeded' || o.status === 'skipped');
  const count = (st: QuantumStatus) => [...outcomes.values()].filter((o) => o.status === st).length;
  log.info(`Executed ${outcomes.size} quanta: ${count('succeeded')} succeeded, ${count('failed')} failed, ${count('blocked')} blocked, ${count('skipped')} skipped.`);
  return { outcomes, summary: [...summary.values()], ok };
}

interface Scheduler {
  readonly nodes: readonly ExecutableQuantum[];
  readonly state: Map<string, QuantumStatus | 'pending' | 'running'>;
  ready(): ExecutableQuantum[];
  finish(o: QuantumOutcome): void;
  isStopped(): boolean;
}

async function runOnWorkers(options: ExecuteOptions, processes: number, outputRun: string, s: Scheduler): Promise<void> {
  for (const t of options.tasks.values()) {
    if (t.specifier === undefined) {
      throw new ExecutionSetupError('MPEXEC_TASK_LOAD', `Task '${t.label}' (${t.className}) was given as a class, which worker processes cannot import; use -j 1.`, {
        hint: 'Reference the class by module (./tasks.ts#MyTask or @skystack/pkg#MyTask) in the pipeline.',
      });
    }
  }
  let tmp: string | undefined;
  let graphFile = options.graphFile;
  if (graphFile === undefined) {
    tmp = mkdtempSync(join(tmpdir(), 'skystack-qgraph-'));
    graphFile = join(tmp, 'graph.qgraph');
    await options.graph.save(graphFile);
  }
  const init: WorkerInit = {
    type: 'init',
    repo: options.butler.root,
    graphFile,
    tasks: [...options.tasks.values()].map((t) => ({ label: t.label, specifier: t.specifier!, configText: t.config.saveToString() })),
    outputRun,
    inputCollections: [...options.inputCollections],
    skipExistingIn: options.skipExistingIn === undefined ? undefined : [...options.skipExistingIn],
    clobberOutputs: options.clobberOutputs === true,
    extendRun: options.extendRun === true,
    logLevels: { ...(options.logLevels ?? {}) },
  };
  const entry = workerEntry();
  const all = new Set<ChildProcess>();
  const idle: ChildProcess[] = [];
  const busy = new Map<ChildProcess, { id: string; timer: NodeJS.Timeout | undefined }>();
  const byId = new Map(s.nodes.map((n) => [n.id, n]));
  try {
    await new Promise<void>((resolveAll, rejectAll) => {
      let failedStart: Error | undefined;
      const pump = (): void => {
        if (failedStart !== undefined) return;
        if (!s.isStopped()) {
          for (const node of s.ready()) {
            const w = idle.pop();
            if (w === undefined) break;
            s.state.set(node.id, 'running');
            const timer =
              options.timeoutSeconds === undefined
                ? undefined
                : setTimeout(() => {
                    busy.delete(w);
                    all.delete(w);
                    w.removeAllListeners('exit');
                    w.kill('SIGKILL');
                    s.finish({ id: node.id, taskLabel: node.taskLabel, status: 'failed', errorType: 'QuantumTimeoutError', error: `timed out after ${options.timeoutSeconds} s (worker killed)`, seconds: options.timeoutSeconds! });
                    if (!s.isStopped()) spawnWorker();
                    pump();
                  }, options.timeoutSeconds * 1000);
            busy.set(w, { id: node.id, timer });
            w.send({ type: 'run', id: node.id });
          }
        }
        if (busy.size === 0 && (s.isStopped() || s.ready().length === 0)) resolveAll();
      };
      const spawnWorker = (): void => {
        const w = fork(entry.path, [], { execArgv: entry.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
        all.add(w);
        w.on('message', (m: WorkerMessage) => {
          if (m.type === 'ready') {
            idle.push(w);
            pump();
          } else if (m.type === 'done') {
            const b = busy.get(w);
            if (b?.timer !== undefined) clearTimeout(b.timer);
            busy.delete(w);
            idle.push(w);
            s.finish(m.outcome);
            pump();
          } else if (m.type === 'fatal') {
            failedStart = new ExecutionSetupError('MPEXEC_WORKER', `A worker process could not start: ${m.error}`);
            rejectAll(failedStart);
          }
        });
        w.on('exit', (code, signal) => {
          all.delete(w);
          const b = busy.get(w);
          const i = idle.indexOf(w);
          if (i >= 0) idle.splice(i, 1);
          if (b !== undefined) {
            if (b.timer !== undefined) clearTimeout(b.timer);
            busy.delete(w);
            const n = byId.get(b.id)!;
            s.finish({ id: b.id, taskLabel: n.taskLabel, status: 'failed', error: `worker process exited (${signal ?? `code ${code}`})`, seconds: 0 });
            if (!s.isStopped()) spawnWorker();
            pump();
          }
        });
        w.send(init);
      };
      for (let i = 0; i < processes; i++) spawnWorker();
    });
  } finally {
    for (const w of all) {
      w.removeAllListeners('exit');
      if (w.connected) w.send({ type: 'exit' });
      setTimeout(() => w.kill('SIGKILL'), 2000).unref();
    }
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Formats the per-task summary as a text table (task label, succeeded, failed, blocked,
 * skipped), as `pipetask run` prints it at the end.
 *
 * @param summary - the per-task counts
 * @returns the table
 * @see lsst.ctrl.mpexec.cli.script.run (its `--summary` report)
 */
export function formatSummary(summary: readonly TaskSummary[]): string {
  const header = ['task', 'succeeded', 'failed', 'blocked', 'skipped'];
  const rows = summary.map((s) => [s.label, String(s.succeeded), String(s.failed), String(s.blocked), String(s.skipped)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * For each quantum of a graph, what the repository holds: succeeded (its `<label>_metadata`
 * exists in the output RUN), failed (only its `<label>_log`), blocked (neither, and an
 * upstream quantum is failed or blocked), or not run.
 *
 * @param butler - the Butler
 * @param graph - the graph
 * @returns per-task counts (`skipped` counts quanta with neither dataset and no failed upstream)
 * @see lsst.ctrl.mpexec.cli.script.report
 */
export async function reportFromRepository(butler: Butler, graph: QuantumGraph): Promise<TaskSummary[]> {
  const run = graph.metadata.outputRun;
  const nodes = nodesOf(graph);
  const status = new Map<string, 'succeeded' | 'failed' | 'unknown'>();
  for (const n of nodes) {
    const names = specialDatasetTypeNames(n.taskLabel);
    const find = async (dt: string): Promise<DatasetRef | null> => {
      try {
        return await butler.registry.findDataset(dt, n.dataId, { collections: [run] });
      } catch {
        return null;
      }
    };
    if ((await find(names.metadata)) !== null) status.set(n.id, 'succeeded');
    else if ((await find(names.log)) !== null) status.set(n.id, 'failed');
    else status.set(n.id, 'unknown');
  }
  const blocked = (n: ExecutableQuantum, seen = new Set<string>()): boolean =>
    graph.dependencies(n).some((d) => {
      if (seen.has(d.id)) return false;
      seen.add(d.id);
      return status.get(d.id) === 'failed' || (status.get(d.id) === 'unknown' && blocked(d, seen));
    });
  const labels = [...(graph.taskLabels() as Iterable<string>)];
  const summary = new Map<string, TaskSummary>(labels.map((l) => [l, { label: l, succeeded: 0, failed: 0, blocked: 0, skipped: 0 }]));
  for (const n of nodes) {
    let s = summary.get(n.taskLabel);
    if (s === undefined) summary.set(n.taskLabel, (s = { label: n.taskLabel, succeeded: 0, failed: 0, blocked: 0, skipped: 0 }));
    const st = status.get(n.id);
    if (st === 'succeeded') s.succeeded++;
    else if (st === 'failed') s.failed++;
    else if (blocked(n)) s.blocked++;
    else s.skipped++;
  }
  return [...summary.values()];
}
