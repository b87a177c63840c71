import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { bandCount, chunkStart, runBand, type BackendJobs, type BackendOp } from './backend-ops.js';
import { KernelsInvalidArgumentError, KernelsWorkerError } from './errors.js';
import type { KernelBackend } from './kernel-backend.js';
import { isShared, toShared } from './shared-arrays.js';

/** Options of {@link makeParallelBackend}. */
export interface ParallelBackendOptions {
  /** Worker threads (default `os.availableParallelism()`). */
  readonly workers?: number;
  /**
   * Jobs with fewer output pixels per worker than this run on the calling thread instead
   * (default 32768; 0 or 1 always uses the workers, as the conformance tests do).
   */
  readonly minPixelsPerWorker?: number;
  /** Milliseconds to wait for the workers to start (default 60000). */
  readonly startTimeoutMs?: number;
  /** Milliseconds to wait for one operation (default 600000). */
  readonly jobTimeoutMs?: number;
  /**
   * Whether the calling thread works on each operation beside the workers instead of waiting
   * (default false): `workers: 1, useCallingThread: true` runs on two threads. Its compiled code
   * is the same the single-threaded backend warms up, and one thread fewer is started.
   */
  readonly useCallingThread?: boolean;
}

/** A {@link KernelBackend} on worker threads; {@link ParallelBackend.close} ends them. */
export interface ParallelBackend extends KernelBackend {
  /** Number of worker threads. */
  readonly workers: number;
  /** Threads that run an operation: the workers, and the calling thread with `useCallingThread`. */
  readonly threads: number;
  /** Whether the worker threads have been started (they start on the first large job, or with {@link ParallelBackend.start}). */
  readonly started: boolean;
  /**
   * Starts the worker threads now instead of on the first large job (e.g. before timing or
   * before the first image); does nothing when they are running.
   *
   * @throws {@link KernelsWorkerError} when the backend is closed, or a worker fails to start
   */
  start(): void;
}

const OUTPUT_KEYS = new Set(['dst', 'out', 'outValue', 'outError', 'outMasked', 'outSums']);

type AnyTyped = Float32Array | Float64Array | Int32Array;

/** How to start a worker: the entry module and, when running from TypeScript source, tsx's API. */
function workerEntry(): { entry: string; tsxApi: string | undefined } {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith('.ts')) return { entry: pathToFileURL(join(dirname(here), 'kernel-worker.js')).href, tsxApi: undefined };
  let dir = dirname(here);
  for (;;) {
    const candidate = join(dir, 'node_modules', 'tsx', 'dist', 'esm', 'api', 'index.mjs');
    if (existsSync(candidate)) {
      return { entry: pathToFileURL(join(dirname(here), 'kernel-worker.ts')).href, tsxApi: pathToFileURL(candidate).href };
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new KernelsWorkerError('The parallel backend runs from TypeScript source but tsx was not found in any node_modules above it.', {
    hint: 'Install tsx (a devDependency of the workspace) or run the built package (dist/).',
  });
}

// A CommonJS bootstrap (eval): registers tsx when running from source, then imports the entry.
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
const control = new Int32Array(workerData.control);
(async () => {
  if (workerData.tsxApi) (await import(workerData.tsxApi)).register();
  await import(workerData.entry);
})().catch((e) => {
  workerData.errorPort.postMessage({ seq: -1, index: workerData.index, message: String((e && e.stack) || e) });
  Atomics.store(control, 2 + workerData.index, 2);
  Atomics.notify(control, 2 + workerData.index);
});
`;

/**
 * Makes a backend that splits each operation's output rows into chunks (about four per thread)
 * that its `worker_threads` (and, with `useCallingThread`, the calling thread) claim one at a time
 * until none is left, over SharedArrayBuffer-backed arrays (arrays on ordinary
 * ArrayBuffers are copied into shared memory and results copied back; allocate with
 * {@link allocShared} to avoid the copies). Workers start on the first large job, are reused,
 * never keep the process alive (`unref`), and end with {@link KernelBackend.close}. The calling
 * thread waits synchronously (`Atomics.wait`), so the operations stay synchronous.
 *
 * Workers load `kernel-worker.js` beside this module; when this module is TypeScript source
 * (tests, `tsx --conditions=@skystack/source`) they register tsx's loader first.
 *
 * @param options - worker count, thresholds and timeouts
 * @returns the backend
 * @throws {@link KernelsInvalidArgumentError} for a worker count that is not a positive integer
 * @example
 * ```ts
 * const backend = makeParallelBackend({ workers: 2 });
 * try {
 *   convolveSeparable(src, dst, width, height, k, k, { backend });
 * } finally {
 *   await backend.close();
 * }
 * ```
 */
export function makeParallelBackend(options: ParallelBackendOptions = {}): ParallelBackend {
  const nWorkers = options.workers ?? availableParallelism();
  if (!Number.isInteger(nWorkers) || nWorkers < 1) {
    throw new KernelsInvalidArgumentError(`workers must be an integer >= 1; got ${nWorkers}.`);
  }
  const minPixels = options.minPixelsPerWorker ?? 32768;
  const startTimeoutMs = options.startTimeoutMs ?? 60000;
  const jobTimeoutMs = options.jobTimeoutMs ?? 600000;
  const callerWorks = options.useCallingThread ?? false;
  const nThreads = nWorkers + (callerWorks ? 1 : 0);
  // control words: [0] workers done with the current job, [1] errors, [2, 2 + nWorkers) each
  // worker's start state, [2 + nWorkers] the next chunk of the current job to claim
  const controlBuffer = new SharedArrayBuffer(4 * (3 + nWorkers));
  const control = new Int32Array(controlBuffer);
  const NEXT = 2 + nWorkers;
  let workers: Worker[] = [];
  let errorPorts: MessagePort[] = [];
  let closed = false;
  let seq = 0;

  const drainErrors = (): string[] => {
    const messages: string[] = [];
    for (const port of errorPorts) {
      for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
        const msg = m.message as { index: number; message: string };
        messages.push(`worker ${msg.index}: ${msg.message}`);
      }
    }
    return messages;
  };

  const terminate = async (): Promise<void> => {
    const ws = workers;
    workers = [];
    for (const p of errorPorts) p.close();
    errorPorts = [];
    await Promise.all(ws.map((w) => w.terminate()));
  };

  const start = (): void => {
    const { entry, tsxApi } = workerEntry();
    for (let i = 0; i < nWorkers; i++) {
      const { port1, port2 } = new MessageChannel();
      port1.unref();
      const w = new Worker(BOOTSTRAP, {
        eval: true,
        workerData: { control: controlBuffer, index: i, next: NEXT, errorPort: port2, entry, tsxApi },
        transferList: [port2],
        execArgv: tsxApi === undefined ? [] : ['--conditions=@skystack/source'],
      });
      w.unref();
      // Errors are reported through the control words and error ports; keep 'error' events from
      // becoming uncaught exceptions.
      w.on('error', () => {});
      workers.push(w);
      errorPorts.push(port1);
    }
    const deadline = Date.now() + startTimeoutMs;
    for (let i = 0; i < nWorkers; i++) {
      while (Atomics.load(control, 2 + i) === 0) {
        const left = deadline - Date.now();
        if (left <= 0) {
          void terminate();
          throw new KernelsWorkerError(`Worker ${i} of the parallel backend did not start within ${startTimeoutMs} ms.`, {
            hint: 'Raise startTimeoutMs, or check that the built kernel-worker.js exists beside parallel-backend.js.',
          });
        }
        Atomics.wait(control, 2 + i, 0, left);
      }
      if (Atomics.load(control, 2 + i) === 2) {
        const why = drainErrors().join('\n');
        void terminate();
        throw new KernelsWorkerError(`Worker ${i} of the parallel backend failed to start: ${why}`);
      }
    }
  };

  const backend: ParallelBackend = {
    name: callerWorks ? `parallel(${nWorkers}+caller)` : `parallel(${nWorkers})`,
    workers: nWorkers,
    threads: nThreads,
    get started(): boolean {
      return workers.length > 0;
    },
    start(): void {
      if (closed) throw new KernelsWorkerError(`The ${backend.name} backend is closed.`, { hint: 'Make a new one.' });
      if (workers.length === 0) start();
    },
    run<K extends BackendOp>(op: K, job: BackendJobs[K]): void {
      if (closed) throw new KernelsWorkerError(`The ${backend.name} backend is closed.`, { hint: 'Make a new one.' });
      const rows = bandCount(op, job);
      const pixelsPerRow = op === 'binnedStatistics' ? (job as BackendJobs['binnedStatistics']).width * 64 : (job as { width: number }).width;
      const pixels = rows * pixelsPerRow;
      const threads = Math.min(nThreads, rows, Math.max(1, Math.floor(pixels / Math.max(1, minPixels))));
      if (threads <= 1) {
        runBand(op, job, 0, rows);
        return;
      }
      if (workers.length === 0) start();
      // Chunks of rows, claimed one at a time by whichever thread is free (a thread slowed by
      // other work, or by code not yet compiled, takes fewer); about four per thread, none
      // below minPixelsPerWorker.
      const chunks = Math.min(rows, 4 * threads, Math.max(threads, Math.floor(pixels / Math.max(1, minPixels))));
      const posted = callerWorks ? threads - 1 : threads;
      // Shared copies of the large arrays on ordinary ArrayBuffers.
      const copies = new Map<AnyTyped, AnyTyped>();
      const outputs: [AnyTyped, AnyTyped][] = [];
      const share = (value: unknown, isOutput: boolean): unknown => {
        if (ArrayBuffer.isView(value)) {
          const arr = value as AnyTyped;
          if (isShared(arr) || (!isOutput && arr.length < 1024)) return arr;
          let copy = copies.get(arr);
          if (copy === undefined) {
            copy = toShared(arr);
            copies.set(arr, copy);
          }
          if (isOutput) outputs.push([arr, copy]);
          return copy;
        }
        if (value !== null && typeof value === 'object') {
          const o: Record<string, unknown> = {};
          for (const [k, v] of Object.entries(value)) o[k] = share(v, isOutput || OUTPUT_KEYS.has(k));
          return o;
        }
        return value;
      };
      const sharedJob = share(job, false);
      const id = ++seq;
      Atomics.store(control, 0, 0);
      Atomics.store(control, 1, 0);
      Atomics.store(control, NEXT, 0);
      for (let w = 0; w < posted; w++) workers[w]!.postMessage({ op, job: sharedJob, rows, chunks, seq: id });
      let callerFailed = false;
      let callerError: unknown;
      if (callerWorks) {
        // the calling thread works on the same shared job as the workers (its rows are among the
        // outputs copied back below)
        try {
          for (let c = Atomics.add(control, NEXT, 1); c < chunks; c = Atomics.add(control, NEXT, 1)) runBand(op, sharedJob as BackendJobs[K], chunkStart(c, rows, chunks), chunkStart(c + 1, rows, chunks));
        } catch (e) {
          callerFailed = true;
          callerError = e;
          Atomics.store(control, NEXT, chunks); // the workers stop claiming
        }
      }
      const deadline = Date.now() + jobTimeoutMs;
      for (let done = Atomics.load(control, 0); done < posted; done = Atomics.load(control, 0)) {
        const left = deadline - Date.now();
        if (left <= 0) {
          closed = true;
          void terminate();
          throw new KernelsWorkerError(`The ${backend.name} backend did not finish '${op}' within ${jobTimeoutMs} ms; it was closed.`);
        }
        Atomics.wait(control, 0, done, left);
      }
      if (callerFailed) {
        drainErrors(); // (the workers' reports of the same job, so that no later job shows them)
        throw callerError;
      }
      if (Atomics.load(control, 1) > 0) {
        throw new KernelsWorkerError(`'${op}' failed on the ${backend.name} backend:\n${drainErrors().join('\n')}`);
      }
      for (const [orig, copy] of outputs) orig.set(copy);
    },
    async close(): Promise<void> {
      closed = true;
      await terminate();
    },
  };
  return backend;
}
