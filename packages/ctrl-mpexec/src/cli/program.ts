// The `pipetask` command line: ctrl_mpexec's build, qgraph, run and report on commander.
import { openSync, writeSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import {
  LogLevel,
  SkyStackError,
  JsonFormatter,
  StreamSink,
  TextFormatter,
  applyLogLevels,
  getDefaultLogManager,
  makeProgress,
  parseLogLevels,
  collectCommaList,
  collectRepeated,
} from '@skystack/base';
import { Butler } from '@skystack/daf-butler';
import { Pipeline, QuantumGraph, buildQuantumGraph } from '@skystack/pipe-base';
import type { PipelineGraph } from '@skystack/pipe-base';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import {
  executeQuantumGraph,
  formatSummary,
  makeOutputCollections,
  planOutputCollections,
  pruneReplacedRun,
  registerDatasetTypes,
  reportFromRepository,
  saveInitOutputs,
} from '../executor.js';
import type { ExecutionReport, PruneReplacedMode } from '../executor.js';
import { makeSummaryReport, writeSummaryReport } from '../summary-report.js';
import { TaskFactory, parseFileOverride, parseValueOverride } from '../task-factory.js';
import type { ConfigOverride, PipelineTaskClass } from '../task-factory.js';

/** A stream the CLI writes to. */
export interface PipetaskWriteStream {
  /** Writes text. */
  write(chunk: string): unknown;
  /** Whether it is a terminal (progress bars). */
  readonly isTTY?: boolean;
}

/** Where `pipetask` writes, and task classes given directly (tests). */
export interface PipetaskIo {
  /** Command output. */
  readonly stdout: PipetaskWriteStream;
  /** Logs, progress and `Error:` lines. */
  readonly stderr: PipetaskWriteStream;
  /** Task classes by label or class name (in-process runs only). */
  readonly taskClasses?: Readonly<Record<string, PipelineTaskClass>> | undefined;
}

class ExitStatus extends Error {
  constructor(readonly status: number) {
    super(`exit status ${status}`);
  }
}

const LOGGER = 'skystack.ctrl_mpexec.cli';


function positiveInt(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) throw new InvalidArgumentError(`'${value}' is not a positive integer.`);
  return Number(value);
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`'${value}' is not a positive number of seconds.`);
  return n;
}

interface PipelineOpts {
  pipeline?: string;
  show?: string[];
  pipelineDot?: string;
}

interface QgraphOpts extends PipelineOpts {
  butlerConfig?: string;
  input?: string[];
  output?: string;
  outputRun?: string;
  dataQuery?: string;
  saveQgraph?: string;
  qgraphDot?: string;
  qgraph?: string;
  skipExistingIn?: string[];
  extendRun?: boolean;
  replaceRun?: boolean;
  pruneReplaced?: PruneReplacedMode;
  rebase?: boolean;
  clobberOutputs?: boolean;
}

interface RunOpts extends QgraphOpts {
  processes?: number;
  registerDatasetTypes?: boolean;
  failFast?: boolean;
  timeout?: number;
  logLevel?: string[];
  logFile?: string;
  summary?: string;
}

/** The `--show` items: those about the pipeline, and those about the QuantumGraph. */
const SHOW_PIPELINE_ITEMS = ['pipeline', 'config', 'history', 'tasks', 'dump-config', 'subsets', 'inputs'];
const SHOW_GRAPH_ITEMS = ['graph', 'uri'];

function checkShowItems(items: readonly string[] | undefined): void {
  for (const item of items ?? []) {
    const what = item.split('=', 1)[0]!;
    if (!SHOW_PIPELINE_ITEMS.includes(what) && !SHOW_GRAPH_ITEMS.includes(what)) {
      throw new SkyStackError('MPEXEC_CLI', `Unknown --show item '${item}'.`, {
        hint: 'Use pipeline, config[=[label::]PATTERN], history=[label::]FIELD, tasks, dump-config[=label], subsets, inputs, graph or uri.',
      });
    }
  }
}

/** Usage errors of the collection options (exit status 2, before anything is opened). */
function checkCollectionUsage(o: QgraphOpts, cmd: Command): void {
  const usage = (m: string): never => cmd.error(`error: ${m}`, { exitCode: 2, code: 'pipetask.usageError' });
  if (o.replaceRun && o.extendRun) usage('--replace-run and --extend-run cannot be used together.');
  if (o.pruneReplaced !== undefined && !o.replaceRun) usage('--prune-replaced needs --replace-run.');
}

/**
 * Builds the `pipetask` command line (build, qgraph, run, report).
 *
 * @param io - streams, and task classes given directly
 * @returns the program; run it with `parseAsync(argv, { from: 'user' })`
 * @see lsst.ctrl.mpexec.cli.pipetask
 */
export function makePipetaskProgram(io: PipetaskIo): Command {
  const manager = getDefaultLogManager();
  const print = (...lines: string[]): void => {
    for (const l of lines) io.stdout.write(`${l}\n`);
  };
  // -c and -C keep their relative order: one shared list.
  let overrides: ConfigOverride[] = [];
  const program = new Command('pipetask');
  program
    .description('Build and execute pipelines and QuantumGraphs (SkyStack ctrl-mpexec).')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showSuggestionAfterError(true);

  const pipelineOptions = (c: Command): Command =>
    c
      .option('-p, --pipeline <uri>', 'pipeline YAML file, optionally with #labels,subsets')
      .option('-c, --config <label:name=value>', 'config override for a task (repeatable)', (v: string) => {
        overrides.push(parseValueOverride(v));
        return v;
      })
      .option('-C, --config-file <label:file>', 'config override file for a task (repeatable)', (v: string) => {
        overrides.push(parseFileOverride(v));
        return v;
      })
      .option('--show <item>', 'show pipeline|config|history=FIELD|tasks|dump-config|subsets|inputs|graph|uri and stop (repeatable)', collectRepeated)
      .option('--pipeline-dot <file>', 'write the pipeline as a GraphViz DOT file')
      .option('--log-level <LEVEL|COMPONENT=LEVEL>', 'logging level (repeatable)', collectRepeated)
      .option('--log-file <file>', 'also write log records to this file (JSON records when it ends in .json)');
  const qgraphOptions = (c: Command): Command =>
    c
      .option('-b, --butler-config <repo>', 'the data repository')
      .option('-i, --input <collections>', 'input collections (comma-separated or collectRepeated)', collectCommaList)
      .option('-o, --output <collection>', 'output CHAINED collection')
      .option('--output-run <run>', 'output RUN collection (default OUTPUT/<timestamp>)')
      .option('--extend-run', 'add to the existing output RUN')
      .option('--replace-run', 'replace the first RUN of the output chain by the new output RUN')
      .addOption(new Option('--prune-replaced <mode>', 'with --replace-run: unstore (delete the files of) or purge (remove) the replaced RUN').choices(['unstore', 'purge']))
      .option('--rebase', 'rebuild an output chain that does not include the -i inputs')
      .option('-d, --data-query <where>', 'data query expression')
      .option('-g, --qgraph <file>', 'a saved QuantumGraph (instead of building one)')
      .option('-q, --save-qgraph <file>', 'save the QuantumGraph')
      .option('--qgraph-dot <file>', 'write the QuantumGraph as a GraphViz DOT file')
      .option('--skip-existing-in <collections>', 'skip quanta whose outputs exist in these collections', collectCommaList)
      .option('--clobber-outputs', 'replace existing outputs in the output RUN');

  const setupLogging = (o: { logLevel?: string[]; logFile?: string }): void => {
    const sinks = [new StreamSink(io.stderr, { formatter: new TextFormatter() })];
    if (o.logFile !== undefined) {
      // As LSST's --log-file: JSON records for a `.json` file, text lines otherwise; appended.
      const fd = openSync(o.logFile, 'a');
      const file = { write: (text: string) => writeSync(fd, text) };
      sinks.push(new StreamSink(file, { formatter: o.logFile.endsWith('.json') ? new JsonFormatter() : new TextFormatter() }));
    }
    manager.configure({ levels: { skystack: 'INFO' }, sinks });
    applyLogLevels(manager, parseLogLevels(o.logLevel ?? []));
  };

  const loadPipeline = async (o: PipelineOpts, butler?: Butler): Promise<{ pipeline: Pipeline; graph: PipelineGraph; factory: TaskFactory; tasks: Awaited<ReturnType<TaskFactory['makePipelineGraph']>>['tasks'] }> => {
    if (o.pipeline === undefined) throw new SkyStackError('MPEXEC_CLI', 'No pipeline: give -p/--pipeline.');
    const pipeline = await Pipeline.fromFile(o.pipeline);
    const factory = new TaskFactory(io.taskClasses === undefined ? {} : { classes: io.taskClasses });
    const { graph, tasks } = await factory.makePipelineGraph(pipeline, overrides, butler === undefined ? {} : { universe: butler.universe });
    return { pipeline, graph, factory, tasks };
  };

  const showPipeline = async (o: PipelineOpts, loaded: Awaited<ReturnType<typeof loadPipeline>>): Promise<boolean> => {
    let stop = false;
    for (const item of o.show ?? []) {
      const [what, arg] = item.split('=', 2) as [string, string | undefined];
      if (what === 'pipeline') {
        print(loaded.pipeline.toYaml());
        stop = true;
      } else if (what === 'tasks') {
        for (const t of loaded.graph.tasks) print(`${t.label}: ${loaded.tasks.get(t.label)!.className}`);
        stop = true;
      } else if (what === 'config' || what === 'dump-config') {
        for (const t of loaded.graph.tasks) {
          if (arg !== undefined && what === 'dump-config' && arg !== t.label) continue;
          print(`### Configuration for task \`${t.label}'`);
          const text = t.config.saveToString();
          const lines = text.split('\n').filter((l) => what === 'dump-config' || !l.startsWith('#'));
          print(...lines.filter((l) => what !== 'config' || arg === undefined || l.toLowerCase().includes(arg.toLowerCase())));
        }
        stop = true;
      } else if (what === 'history') {
        if (arg === undefined) throw new SkyStackError('MPEXEC_CLI', '--show history needs a field: history=[label::]FIELD.');
        const [lbl, field] = arg.includes('::') ? (arg.split('::', 2) as [string, string]) : [undefined, arg];
        for (const t of loaded.graph.tasks) {
          if (lbl !== undefined && lbl !== t.label) continue;
          print(`### Configuration field for task \`${t.label}'`, t.config.formatHistory(field));
        }
        stop = true;
      } else if (what === 'subsets') {
        const subsets = loaded.pipeline.labeledSubsets;
        if (subsets.size === 0) print('The pipeline has no labeled subsets.');
        for (const [name, subset] of subsets) {
          print(`${name}: ${[...subset.subset].join(', ')}`);
          if (subset.description !== undefined && subset.description !== '') print(`  description: ${subset.description}`);
        }
        stop = true;
      } else if (what === 'inputs') {
        for (const name of loaded.graph.overallInputs()) {
          const d = loaded.graph.datasetTypes.get(name)!;
          const kind = d.isPrerequisite ? ' (prerequisite)' : d.isInit ? ' (init-input)' : '';
          print(`${name}: ${d.storageClass} {${d.dimensions.join(', ')}}${kind}`);
        }
        stop = true;
      } else {
        checkShowItems([item]);
      }
    }
    if (o.pipelineDot !== undefined) await writeFile(o.pipelineDot, pipelineDot(loaded.graph));
    return stop;
  };

  const showGraph = async (o: QgraphOpts, butler: Butler, qgraph: QuantumGraph): Promise<boolean> => {
    const items = new Set((o.show ?? []).map((i) => i.split('=', 1)[0]!));
    if (items.has('graph')) {
      for (const n of qgraph.nodes) print(`${n.taskLabel} ${n.dataId.toString()} (${n.id})`);
    }
    if (items.has('uri')) {
      // As LSST's --show uri: each quantum's input URIs and its outputs' predicted URIs.
      const uri = async (ref: Parameters<Butler['getURI']>[0]): Promise<string> => butler.getURI(ref, {}, { predict: true });
      for (const n of qgraph.nodes) {
        print(`Quantum ${n.id}: ${n.taskLabel} ${n.dataId.toString()}`, '  inputs:');
        for (const refs of [...n.inputs.values(), ...n.prerequisites.values()]) for (const ref of refs) print(`    ${await uri(ref)}`);
        print('  outputs:');
        for (const refs of n.outputs.values()) for (const ref of refs) print(`    ${await uri(ref)}`);
      }
    }
    return items.has('graph') || items.has('uri');
  };

  const makeGraph = async (o: QgraphOpts, write: boolean) => {
    if (o.butlerConfig === undefined) throw new SkyStackError('MPEXEC_CLI', 'No repository: give -b/--butler-config.');
    checkShowItems(o.show);
    const butler = await Butler.from(o.butlerConfig, { writeable: write });
    const loaded = await loadPipeline(o, butler);
    const plan = await planOutputCollections(butler, {
      inputs: o.input,
      output: o.output,
      outputRun: o.outputRun,
      extendRun: o.extendRun,
      replaceRun: o.replaceRun,
      rebase: o.rebase,
    });
    let qgraph: QuantumGraph;
    if (o.qgraph !== undefined) qgraph = await QuantumGraph.load(o.qgraph, butler.universe);
    else {
      qgraph = await buildQuantumGraph({
        butler,
        pipeline: loaded.graph,
        // With --extend-run the existing output RUN is searched first, as ctrl_mpexec does, so a
        // pipeline of later labels finds what earlier runs of the pipeline wrote there.
        inputCollections: plan.runExists ? [plan.outputRun, ...plan.inputCollections] : plan.inputCollections,
        outputRun: plan.outputRun,
        ...(plan.output === undefined ? {} : { outputCollection: plan.output }),
        ...(o.dataQuery === undefined ? {} : { where: o.dataQuery }),
        ...(o.skipExistingIn === undefined ? {} : { skipExistingIn: o.skipExistingIn }),
        ...(o.clobberOutputs || o.extendRun ? { clobberOutputs: true } : {}),
      });
    }
    if (o.saveQgraph !== undefined) await qgraph.save(o.saveQgraph);
    if (o.qgraphDot !== undefined) await writeFile(o.qgraphDot, qgraph.toDot());
    return { butler, loaded, plan, qgraph };
  };

  const action =
    <A extends unknown[]>(f: (...args: A) => Promise<number | void>) =>
    async (...args: A): Promise<void> => {
      try {
        const status = await f(...args);
        if (typeof status === 'number' && status !== 0) throw new ExitStatus(status);
      } finally {
        overrides = [];
      }
    };

  pipelineOptions(program.command('build').description('Build a pipeline and show or save it.')).action(
    action(async (o: PipelineOpts & { logLevel?: string[] }) => {
      setupLogging(o);
      checkShowItems(o.show);
      const loaded = await loadPipeline(o);
      await showPipeline(o, loaded);
    }),
  );

  qgraphOptions(pipelineOptions(program.command('qgraph').description('Build a QuantumGraph and show or save it.'))).action(
    action(async (o: QgraphOpts & { logLevel?: string[] }, cmd: Command) => {
      checkCollectionUsage(o, cmd);
      setupLogging(o);
      const { butler, loaded, qgraph } = await makeGraph(o, false);
      try {
        await showPipeline(o, loaded);
        await showGraph(o, butler, qgraph);
        for (const row of qgraph.summary()) print(`${row.label}: ${row.quanta} quanta`);
      } finally {
        await butler.close();
      }
    }),
  );

  qgraphOptions(pipelineOptions(program.command('run').description('Build (or read) a QuantumGraph and execute it.')))
    .option('-j, --processes <n>', 'number of worker processes', positiveInt, 1)
    .option('--register-dataset-types', 'register the dataset types the pipeline writes')
    .option('--fail-fast', 'stop at the first failed quantum')
    .option('--timeout <seconds>', 'time limit of one quantum', seconds)
    .option('--summary <file>', 'write a JSON report of the execution (status, and per quantum: task, data ID, status, error)')
    .action(
      action(async (o: RunOpts, cmd: Command) => {
        checkCollectionUsage(o, cmd);
        setupLogging(o);
        let graph: QuantumGraph | undefined;
        let execution: ExecutionReport | undefined;
        try {
          const status = await runGraph(o, (g, r) => {
            graph = g;
            execution = r;
          });
          if (o.summary !== undefined && execution !== undefined) await writeSummaryReport(o.summary, makeSummaryReport({ graph, execution, exitCode: status }));
          return status;
        } catch (e) {
          if (o.summary !== undefined) await writeSummaryReport(o.summary, makeSummaryReport({ graph, execution, exitCode: 1, error: e }));
          throw e;
        }
      }),
    );

  async function runGraph(o: RunOpts, executed: (graph: QuantumGraph, report: ExecutionReport) => void): Promise<number> {
    const { butler, loaded, plan, qgraph } = await makeGraph(o, true);
    try {
      const shownPipeline = await showPipeline(o, loaded);
      if ((await showGraph(o, butler, qgraph)) || shownPipeline) return 0;
      await registerDatasetTypes(butler, loaded.graph, o.registerDatasetTypes === true);
      const outputRun = qgraph.metadata.outputRun;
      await makeOutputCollections(butler, { ...plan, outputRun, chain: plan.chain?.map((c) => (c === plan.outputRun ? outputRun : c)) });
      if (plan.replacedRun !== undefined && o.pruneReplaced !== undefined) await pruneReplacedRun(butler, plan.replacedRun, o.pruneReplaced);
      await saveInitOutputs(butler, loaded.tasks, { outputRun, inputCollections: plan.inputCollections });
      const report = await executeQuantumGraph({
        butler,
        graph: qgraph,
        tasks: loaded.tasks,
        inputCollections: plan.inputCollections,
        outputRun,
        processes: o.processes,
        failFast: o.failFast,
        timeoutSeconds: o.timeout,
        skipExistingIn: o.skipExistingIn,
        clobberOutputs: o.clobberOutputs,
        extendRun: o.extendRun,
        graphFile: o.qgraph ?? o.saveQgraph,
        progress: makeProgress(io.stderr),
        logLevels: Object.fromEntries((o.logLevel ?? []).map((s) => (s.includes('=') ? (s.split('=', 2) as [string, string]) : ['', s]))),
      });
      executed(qgraph, report);
      print(formatSummary(report.summary));
      for (const out of report.outcomes.values()) {
        if (out.status === 'failed') io.stderr.write(`Failed: ${out.taskLabel} (${out.id}): ${out.error ?? ''}\n`);
      }
      return report.ok ? 0 : 1;
    } finally {
      await butler.close();
    }
  }

  program
    .command('report')
    .description('Report, per task, the quanta of a saved QuantumGraph that succeeded, failed or were blocked.')
    .argument('<repo>', 'the data repository')
    .argument('<qgraph>', 'the saved QuantumGraph')
    .action(
      action(async (repo: string, file: string) => {
        const butler = await Butler.from(repo);
        try {
          const qgraph = await QuantumGraph.load(file, butler.universe);
          print(formatSummary(await reportFromRepository(butler, qgraph)));
        } finally {
          await butler.close();
        }
      }),
    );
  return program;
}

function pipelineDot(graph: PipelineGraph): string {
  const q = (s: string): string => JSON.stringify(s);
  const lines = ['digraph Pipeline {'];
  for (const t of graph.tasks) lines.push(`  ${q(`task:${t.label}`)} [shape=box, label=${q(t.label)}];`);
  for (const d of graph.datasetTypes.values()) {
    lines.push(`  ${q(`ds:${d.name}`)} [shape=ellipse, label=${q(d.name)}];`);
    if (d.producer !== undefined) lines.push(`  ${q(`task:${d.producer.label}`)} -> ${q(`ds:${d.name}`)};`);
    for (const c of d.consumers) lines.push(`  ${q(`ds:${d.name}`)} -> ${q(`task:${c.label}`)};`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

const HELP_CODES = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version']);

/**
 * Runs `pipetask` in this process: parses the arguments, runs the command, and reports errors
 * as one `Error: ...` line (status 1); usage errors give status 2; a run with failed quanta
 * gives status 1 after the summary table.
 *
 * @param argv - the arguments after the program name
 * @param io - streams (default the process's) and task classes given directly
 * @returns the exit status
 * @example
 * ```ts
 * const status = await runPipetask(['run', '-b', 'repo', '-i', 'raw', '-o', 'out', '-p', 'p.yaml', '--register-dataset-types']);
 * ```
 * @see lsst.ctrl.mpexec.cli.pipetask
 */
export async function runPipetask(argv: readonly string[], io: PipetaskIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const program = makePipetaskProgram(io);
  const manager = getDefaultLogManager();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof ExitStatus) return e.status;
    if (e instanceof CommanderError) return HELP_CODES.has(e.code) ? 0 : 2;
    const message = (e instanceof Error ? e.message : String(e)).split('\n').map((l) => l.trim()).filter((l) => l !== '').join(' ');
    io.stderr.write(`Error: ${message}\n`);
    if (manager.getEffectiveLevel(LOGGER) <= LogLevel.DEBUG && e instanceof Error && e.stack) io.stderr.write(`${e.stack}\n`);
    return 1;
  } finally {
    manager.reset();
  }
}
