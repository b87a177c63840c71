// SkyStack's rows of the comparison, each in a Node process of its own (skystack-child.ts), so
// that every row starts with no code compiled, as every peer run starts a fresh process: a row
// run after another in the same process would find the calling thread's code already optimised.
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Detection } from './score.js';
import { runProcess } from './run-process.js';
import type { DetectionBenchSettings, ToolRun } from './tool-run.js';

/** What the parent sends the child on its standard input, as JSON. */
export interface SkyStackRequest {
  /** The image (primary HDU, float32). */
  readonly imagePath: string;
  /** The shared settings. */
  readonly settings: DetectionBenchSettings;
  /** Runs to time (≥ 1). */
  readonly runs: number;
  /** Threads of the kernels' backend (1: every step on the calling thread). */
  readonly threads: number;
}

/** The line of the child's standard output that carries its reply (anything else it prints is ignored). */
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

/**
 * Runs SkyStack's detection + deblending + measurement (`runSkyStack` of skystack-runner.ts) in
 * a new Node process and returns what it measured. The child's start-up and module loading are
 * not timed (its totals are its reads + work, as in the same process), but its first run pays
 * the JIT warm-up of every step, the worker thread's too.
 *
 * @param imagePath - the image (primary HDU, float32)
 * @param settings - the shared settings
 * @param runs - how many runs (≥ 1)
 * @param threads - threads of the kernels' backend (default 1)
 * @returns the run, as `runSkyStack` gives it
 * @throws Error when the child fails (with its standard error) or replies with something else
 * @example
 * ```ts
 * const run = await runSkyStackInProcess('field.fits', settings, 3, 2);
 * ```
 */
export async function runSkyStackInProcess(imagePath: string, settings: DetectionBenchSettings, runs: number, threads = 1): Promise<ToolRun> {
  const fromSource = import.meta.url.endsWith('.ts');
  const child = fileURLToPath(new URL(fromSource ? './skystack-child.ts' : './skystack-child.js', import.meta.url));
  // from TypeScript source the child needs tsx's loader and the workspace's source condition
  const args = fromSource ? ['--conditions=@skystack/source', '--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href, child] : [child];
  const request: SkyStackRequest = { imagePath, settings, runs, threads };
  const { stdout } = await runProcess(process.execPath, args, { input: JSON.stringify(request) });
  const line = stdout.split('\n').findLast((l) => l.startsWith(REPLY_PREFIX));
  if (line === undefined) throw new Error(`SkyStack's process ended without a '${REPLY_PREFIX.trim()}' line; its output ends: ${stdout.slice(-500)}`);
  const reply = JSON.parse(line.slice(REPLY_PREFIX.length)) as SkyStackReply;
  return { ...reply, detections: unpackDetections(reply.detections) };
}
