// A `pipetask run -j N` worker process: opens the repository, loads the graph and the task
// classes, then runs the quanta the parent sends (by node ID), one at a time.
import { applyLogLevels, getDefaultLogManager, parseLogLevels } from '@skystack/base';
import { Butler } from '@skystack/daf-butler';
import { QuantumGraph } from '@skystack/pipe-base';
import type { PipelineTaskConfig } from '@skystack/pipe-base';
import { executeQuantum } from './single-quantum-executor.js';
import type { ExecutableQuantum, ExecutableTask, QuantumExecutionContext, QuantumOutcome } from './single-quantum-executor.js';
import { importTaskClass } from './task-factory.js';

/** The first message a worker receives: what it needs to run quanta. */
export interface WorkerInit {
  /** `init`. */
  readonly type: 'init';
  /** The repository root. */
  readonly repo: string;
  /** The saved QuantumGraph. */
  readonly graphFile: string;
  /** The tasks: label, `module#Export` and the config as `saveToString` wrote it. */
  readonly tasks: readonly {
    /** The task label. */
    readonly label: string;
    /** `module#Export` of the task class. */
    readonly specifier: string;
    /** The frozen config, as `saveToString` wrote it. */
    readonly configText: string;
  }[];
  /** The output RUN. */
  readonly outputRun: string;
  /** The input collections. */
  readonly inputCollections: readonly string[];
  /** `--skip-existing-in`. */
  readonly skipExistingIn: readonly string[] | undefined;
  /** `--clobber-outputs`. */
  readonly clobberOutputs: boolean;
  /** `--extend-run`. */
  readonly extendRun: boolean;
  /** Log levels by logger name. */
  readonly logLevels: Readonly<Record<string, string>>;
}

/** Messages a worker sends: `ready` after init, `done` per quantum, `fatal` when it cannot start. */
export type WorkerMessage =
  | {
      /** The worker has loaded the graph and the tasks. */
      readonly type: 'ready';
    }
  | {
      /** A quantum finished. */
      readonly type: 'done';
      /** How it ended. */
      readonly outcome: QuantumOutcome;
    }
  | {
      /** The worker cannot go on. */
      readonly type: 'fatal';
      /** Why. */
      readonly error: string;
    };

type ParentMessage = WorkerInit | { readonly type: 'run'; readonly id: string } | { readonly type: 'exit' };

let ctx: QuantumExecutionContext | undefined;
let nodes: Map<string, ExecutableQuantum> | undefined;
let butler: Butler | undefined;
let queue: Promise<void> = Promise.resolve();

function send(m: WorkerMessage): void {
  process.send?.(m);
}

async function init(m: WorkerInit): Promise<void> {
  const manager = getDefaultLogManager();
  applyLogLevels(manager, parseLogLevels(Object.entries(m.logLevels).map(([k, v]) => (k === '' ? v : `${k}=${v}`))));
  butler = await Butler.from(m.repo, { writeable: true });
  const graph = await QuantumGraph.load(m.graphFile, butler.universe);
  nodes = new Map([...graph.nodes].map((n) => [n.id, n]));
  const tasks = new Map<string, ExecutableTask>();
  for (const t of m.tasks) {
    const taskClass = await importTaskClass(t.specifier);
    const config = new taskClass.ConfigClass() as PipelineTaskConfig;
    config.loadFromString(t.configText, { filename: `${t.label}_config` });
    config.validate();
    config.freeze();
    tasks.set(t.label, { label: t.label, taskClass, config });
  }
  ctx = {
    butler,
    tasks,
    outputRun: m.outputRun,
    inputCollections: m.inputCollections,
    skipExistingIn: m.skipExistingIn,
    clobberOutputs: m.clobberOutputs,
    extendRun: m.extendRun,
  };
}

process.on('message', (m: ParentMessage) => {
  queue = queue.then(async () => {
    if (m.type === 'init') {
      try {
        await init(m);
        send({ type: 'ready' });
      } catch (e) {
        send({ type: 'fatal', error: e instanceof Error ? e.message : String(e) });
      }
    } else if (m.type === 'run') {
      const node = nodes?.get(m.id);
      if (ctx === undefined || node === undefined) {
        send({ type: 'done', outcome: { id: m.id, taskLabel: node?.taskLabel ?? '?', status: 'failed', error: `worker has no quantum ${m.id}`, seconds: 0 } });
        return;
      }
      send({ type: 'done', outcome: await executeQuantum(ctx, node) });
    } else {
      await butler?.close();
      process.disconnect?.();
      process.exit(0);
    }
  });
});
