// SkyStack's rows of the comparison, each in a Node process of its own (skystack-child.ts), so
// that every row starts with no code compiled, as every peer run starts a fresh process: a row
// run after another in the same process would find the calling thread's code already optimised.
// The process stays up between its runs, so that a comparison can run the tools in turns.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Detection } from './score.js';
import type { SkyStackRunTimes } from './skystack-runner.js';
import type { DetectionBenchSettings, ToolRun } from './tool-run.js';

/** The first line the parent sends the child on its standard input, as JSON (then `run` or `finish` lines). */
export interface SkyStackRequest {
  /** The image (primary HDU, float32). */
  readonly imagePath: string;
  /** The shared settings. */
  readonly settings: DetectionBenchSettings;
  /** Threads of the kernels' backend (1: every step on the calling thread). */
  readonly threads: number;
}

/** The line of the child's standard output that says it is ready for runs (anything it prints on other lines is ignored). */
export const READY_PREFIX = 'skystack-ready ';
/** The line of the child's standard output with the times of a run ({@link SkyStackRunTimes}, JSON). */
export const RUN_PREFIX = 'skystack-run ';
/** The line of the child's standard output that carries its reply to `finish`. */
export const REPLY_PREFIX = 'skystack-reply ';

/** What the child writes to its standard output, as JSON after {@link REPLY_PREFIX}: a {@link ToolRun} with the catalog packed. */
export interface SkyStackReply extends Omit<ToolRun, 'detections'> {
  /** The catalog as float64 triples (x, y, aperture flux), base64: exact, NaN kept (JSON has no NaN). */
  readonly detections: string;
}

/**
 * Packs a catalog for {@link SkyStackReply}.
 *
 * @param detections - the catalog
 * @returns base64 of the float64 triples (x, y, apertureFlux)
 */
export function packDetections(detections: readonly Detection[]): string {
  const a = new Float64Array(3 * detections.length);
  detections.forEach((d, i) => a.set([d.x, d.y, d.apertureFlux], 3 * i));
  return Buffer.from(a.buffer).toString('base64');
}

/**
 * Unpacks a catalog packed by {@link packDetections}.
 *
 * @param packed - base64 of float64 triples
 * @returns the catalog
 * @throws Error when the bytes are not whole triples
 */
export function unpackDetections(packed: string): Detection[] {
  const bytes = Buffer.from(packed, 'base64');
  if (bytes.length % 24 !== 0) throw new Error(`SkyStack's catalog from its process is ${bytes.length} bytes, not a whole number of (x, y, flux) float64 triples.`);
  const a = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  const out: Detection[] = [];
  for (let i = 0; i < a.length; i += 3) out.push({ x: a[i]!, y: a[i + 1]!, apertureFlux: a[i + 2]! });
  return out;
}

/** A SkyStack row's process: runs one at a time, then the row's catalog and times. */
export interface SkyStackProcess {
  /** One run (the child reads the file and processes it); its times. */
  run(): Promise<SkyStackRunTimes>;
  /** Every run's times and the last run's catalog; the process ends. */
  finish(): Promise<ToolRun>;
}

/**
 * Starts SkyStack's detection + deblending + measurement (`openSkyStack` of skystack-runner.ts)
 * in a new Node process and waits until its modules are loaded and its worker threads started
 * (not timed, as in the same process); then each {@link SkyStackProcess.run} is one timed run.
 * Its first run pays the JIT warm-up of every step, the worker thread's too.
 *
 * @param imagePath - the image (primary HDU, float32)
 * @param settings - the shared settings
 * @param threads - threads of the kernels' backend (default 1)
 * @param options - `settle`: after each run, wait until the process is idle (V8 goes on compiling
 * and collecting for a while after a run), so that its background work does not slow another
 * tool's run that follows; for tools run in turns
 * @returns the process, ready for runs
 * @throws Error when the child fails to start (with its standard error)
 * @example
 * ```ts
 * const child = await startSkyStackProcess('field.fits', settings, 2);
 * await child.run();
 * const run = await child.finish();
 * ```
 */
export async function startSkyStackProcess(imagePath: string, settings: DetectionBenchSettings, threads = 1, options: { readonly settle?: boolean } = {}): Promise<SkyStackProcess> {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = fileURLToPath(new URL(fromSource ? './skystack-child.ts' : './skystack-child.js', import.meta.url));
  const args = fromSource ? ['--conditions=@skystack/source', '--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href, entry] : [entry];
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr: Buffer[] = [];
  child.stderr.on('data', (d: Buffer) => stderr.push(d));
  // (a write to a process that has ended fails; its 'close' below reports why)
  child.stdin.on('error', () => {});
  // replies in order, each awaited by the command that asked for it
  const waiting: { prefix: string; resolve: (json: string) => void; reject: (error: Error) => void }[] = [];
  let ended: Error | undefined;
  createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => {
    const w = waiting[0];
    if (w === undefined || !line.startsWith(w.prefix)) return;
    waiting.shift();
    w.resolve(line.slice(w.prefix.length));
  });
  child.on('close', (code, signal) => {
    ended = new Error(`SkyStack's process ended (${code ?? signal}) before replying; its standard error ends: ${Buffer.concat(stderr).toString('utf8').trim().slice(-2000)}`);
    for (const w of waiting.splice(0)) w.reject(ended);
  });
  child.on('error', (error) => {
    ended = error;
    for (const w of waiting.splice(0)) w.reject(error);
  });
  const expect = (prefix: string, command?: string): Promise<string> =>
    new Promise((resolve, reject) => {
      if (ended !== undefined) return reject(ended);
      waiting.push({ prefix, resolve, reject });
      if (command !== undefined) child.stdin.write(`${command}\n`);
    });
  const request: SkyStackRequest = { imagePath, settings, threads };
  await expect(READY_PREFIX, JSON.stringify(request));
  return {
    async run(): Promise<SkyStackRunTimes> {
      const times = JSON.parse(await expect(RUN_PREFIX, 'run')) as SkyStackRunTimes;
      if (options.settle === true && child.pid !== undefined) await untilIdle(child.pid);
      return times;
    },
    async finish(): Promise<ToolRun> {
      const reply = JSON.parse(await expect(REPLY_PREFIX, 'finish')) as SkyStackReply;
      child.stdin.end();
      return { ...reply, detections: unpackDetections(reply.detections) };
    },
  };
}

/** CPU time of a process so far, in clock ticks (Linux `/proc`); undefined where not readable. */
function cpuTicks(pid: number): number | undefined {
  try {
    // (the fields after the command name, which is in parentheses: utime and stime are the 12th and 13th)
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/**
 * Waits until a process uses (almost) no CPU: at most one clock tick (10 ms at Linux's usual 100
 * Hz) in 100 ms, for at most `maxMs`. Returns at once where `/proc` cannot be read.
 */
async function untilIdle(pid: number, maxMs = 10_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let before = cpuTicks(pid);
  while (before !== undefined && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = cpuTicks(pid);
    if (now === undefined || now - before <= 1) return;
    before = now;
  }
}
