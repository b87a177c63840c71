// The detection + measurement comparison of issue 9: one simulated image, written once as FITS,
// given to SExtractor, SEP and SkyStack at the same settings, each catalog scored the same way.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scoreDetections, type DetectionScore } from './score.js';
import type * as SkyStackRunnerModule from './skystack-runner.js';
import { runSep } from './sep-runner.js';
import { startSkyStackProcess } from './skystack-process.js';
import { runSExtractor } from './sextractor-runner.js';
import { simulateStarField, writeStarFieldFits, type StarField } from './star-field.js';
import { settingsForField, type DetectionBenchSettings, type ToolRun, type ToolUnavailable } from './tool-run.js';

/**
 * The rows the comparison knows: each peer at its nominal threshold (DETECT_THRESH / thresh =
 * 5, as issue 9 and toolchain.md run them) and at the matched-filter equivalent of SkyStack's
 * 5σ (see `peerThreshold` in tool-run.ts), and SkyStack: on the calling thread (`skystack`), and
 * with the kernels' operations on a backend of {@link SKYSTACK_PARALLEL_THREADS} threads
 * (`skystack-parallel`; the same catalog).
 */
export type ComparisonTool = 'sextractor' | 'sextractor-matched' | 'sep' | 'sep-matched' | 'skystack' | 'skystack-parallel';

/** Every row, in table order. */
export const COMPARISON_TOOLS: readonly ComparisonTool[] = ['sextractor', 'sextractor-matched', 'sep', 'sep-matched', 'skystack', 'skystack-parallel'];

/** Threads of the `skystack-parallel` row's kernel backend (the calling thread and one worker). */
export const SKYSTACK_PARALLEL_THREADS = 2;

/** The scene: the full benchmark (4096², 3000 stars) or the smoke test (1024², 190 stars: the same density). */
export interface SceneSize {
  /** Width and height, pixels. */
  readonly size: number;
  /** Number of stars. */
  readonly nStars: number;
}

/**
 * The scene of the comparison.
 *
 * @param smoke - the small scene of `--smoke`
 * @returns 4096² with 3000 stars, or 1024² with 190 stars
 */
export function sceneSize(smoke: boolean): SceneSize {
  return smoke ? { size: 1024, nStars: 190 } : { size: 4096, nStars: 3000 };
}

/** The simulated image on disk, with its truth and the shared settings. */
export interface ComparisonScene {
  /** The field (pixels and truth). */
  readonly field: StarField;
  /** The FITS file every tool reads. */
  readonly path: string;
  /** The shared settings. */
  readonly settings: DetectionBenchSettings;
  /** Removes the temporary directory. */
  readonly dispose: () => void;
}

/**
 * Simulates the field (seed 9, for issue 9) and writes it to a temporary FITS file.
 *
 * @param scene - size and star count
 * @param seed - the random seed (default 9)
 * @returns the scene; call `dispose` when done
 */
export async function prepareScene(scene: SceneSize, seed = 9): Promise<ComparisonScene> {
  const field = simulateStarField({ width: scene.size, height: scene.size, nStars: scene.nStars, seed });
  const dir = mkdtempSync(join(tmpdir(), 'skystack-peers-'));
  const path = join(dir, 'field.fits');
  await writeStarFieldFits(field, path);
  return { field, path, settings: settingsForField(field), dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** One row of the comparison: a tool's run and score, or why it was skipped. */
export interface ComparisonRow {
  /** The tool. */
  readonly tool: string;
  /** Its timings and catalog (undefined when skipped). */
  readonly run?: ToolRun;
  /** Its score (undefined when skipped). */
  readonly score?: DetectionScore;
  /** Why it was skipped. */
  readonly unavailable?: string;
}

/** The SkyStack runner module. */
export type SkyStackRunner = typeof SkyStackRunnerModule;

/**
 * Loads the SkyStack runner, which imports @skystack/meas-algorithms, @skystack/meas-deblender and @skystack/meas-base;
 * when they cannot be imported (not linked into tools/bench yet), says why instead.
 *
 * @returns the runner, or the reason it is unavailable
 */
export async function loadSkyStackRunner(): Promise<SkyStackRunner | ToolUnavailable> {
  try {
    return await import('./skystack-runner.js');
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    return { tool: 'SkyStack (meas-algorithms + meas-deblender + meas-base)', unavailable: `not available: ${message} (add the workspace dependencies to tools/bench and run pnpm install)` };
  }
}

/** A tool being run in turns with the others: one run at a time, then its row. */
interface ToolTurns {
  /** One run. */
  run(): Promise<void>;
  /** The runs so far, scored (or why the tool was skipped). */
  finish(): Promise<ComparisonRow>;
}

function scoredRow(result: ToolRun | ToolUnavailable, scene: ComparisonScene): ComparisonRow {
  if ('unavailable' in result) return { tool: result.tool, unavailable: result.unavailable };
  return { tool: result.tool, run: result, score: scoreDetections(result.detections, scene.field.truth, { matchRadius: 1.5, brightSnr: 50 }) };
}

/** A peer: each run is one whole process (runSExtractor / runSep with one run); the catalog of the last. */
function peerTurns(once: () => Promise<ToolRun | ToolUnavailable>, scene: ComparisonScene): ToolTurns {
  const totalMs: number[] = [];
  const workMs: number[] = [];
  let last: ToolRun | ToolUnavailable | undefined;
  return {
    async run(): Promise<void> {
      if (last !== undefined && 'unavailable' in last) return;
      last = await once();
      if ('unavailable' in last) return;
      totalMs.push(...last.totalMs);
      workMs.push(...last.workMs);
    },
    async finish(): Promise<ComparisonRow> {
      if (last === undefined) throw new Error('No run to score: call run() first.');
      return scoredRow('unavailable' in last ? last : { ...last, totalMs, workMs }, scene);
    },
  };
}

/** Starts a tool's turns (a SkyStack row's process starts here, untimed; `settle`: see startSkyStackProcess). */
async function startTool(tool: ComparisonTool, scene: ComparisonScene, settle: boolean): Promise<ToolTurns> {
  const { path, settings } = scene;
  if (tool === 'sextractor' || tool === 'sextractor-matched') return peerTurns(() => runSExtractor(path, settings, 1, tool === 'sextractor' ? 'nominal' : 'matched'), scene);
  if (tool === 'sep' || tool === 'sep-matched') return peerTurns(() => runSep(path, settings, 1, tool === 'sep' ? 'nominal' : 'matched'), scene);
  // (each SkyStack row in a process of its own, which stays up between its runs: see skystack-process.ts)
  const runner = await loadSkyStackRunner();
  if ('unavailable' in runner) {
    const row = { tool: runner.tool, unavailable: runner.unavailable };
    return { run: async () => {}, finish: async () => row };
  }
  const child = await startSkyStackProcess(path, settings, tool === 'skystack-parallel' ? SKYSTACK_PARALLEL_THREADS : 1, { settle });
  return {
    run: async () => void (await child.run()),
    finish: async () => scoredRow(await child.finish(), scene),
  };
}

/**
 * Runs the tools on the scene in turns, `runs` rounds of one run of each (so that every tool's
 * k-th run meets much the same load on a shared machine), and scores each tool's catalog (of its
 * last run). SkyStack's processes start before the first round (untimed, as module loading).
 *
 * @param tools - the tools, in table order
 * @param scene - the scene
 * @param runs - rounds (≥ 1)
 * @returns the rows, in the order of `tools` (a skipped tool has `unavailable`)
 * @throws Error when an installed tool fails
 */
export async function runComparisonInTurns(tools: readonly ComparisonTool[], scene: ComparisonScene, runs: number): Promise<ComparisonRow[]> {
  const turns: ToolTurns[] = [];
  const rows: ComparisonRow[] = [];
  try {
    for (const tool of tools) turns.push(await startTool(tool, scene, tools.length > 1));
    for (let r = 0; r < Math.max(1, runs); r++) for (const t of turns) await t.run();
    for (let t = turns.shift(); t !== undefined; t = turns.shift()) rows.push(await t.finish());
    return rows;
  } finally {
    // (a failure part of the way: end the SkyStack processes still up)
    for (const t of turns) await t.finish().catch(() => undefined);
  }
}

/**
 * Runs one tool on the scene `runs` times, back to back, and scores its catalog.
 *
 * @param tool - which tool
 * @param scene - the scene
 * @param runs - runs to time (≥ 1)
 * @returns the row (a skipped tool has `unavailable`)
 * @throws Error when an installed tool fails
 */
export async function runComparisonTool(tool: ComparisonTool, scene: ComparisonScene, runs: number): Promise<ComparisonRow> {
  return (await runComparisonInTurns([tool], scene, runs))[0]!;
}

/**
 * The mean of some numbers (NaN for none).
 *
 * @param values - the numbers
 * @returns their mean
 */
export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

const COLUMNS: readonly { readonly title: string; readonly width: number }[] = [
  { title: 'tool', width: 77 },
  { title: 'total s', width: 8 },
  { title: 'first s', width: 7 },
  { title: 'last s', width: 6 },
  { title: 'work s', width: 7 },
  { title: 'cpu s', width: 6 },
  { title: 'threads', width: 7 },
  { title: 'runs', width: 4 },
  { title: 'found', width: 6 },
  { title: 'compl all', width: 9 },
  { title: 'compl bright', width: 12 },
  { title: 'false', width: 5 },
  { title: 'cen rms px', width: 10 },
  { title: 'flux |err| %', width: 12 },
  { title: 'flux scatter %', width: 14 },
];

function fixed(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '—';
}

function line(cells: readonly string[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(COLUMNS[i]!.width) : c.padStart(COLUMNS[i]!.width))).join('  ').trimEnd();
}

/**
 * The header of the comparison table (two lines).
 *
 * @returns the column titles and a rule
 */
export function comparisonHeader(): string {
  return [line(COLUMNS.map((c) => c.title)), COLUMNS.map((c) => '-'.repeat(c.width)).join('  ')].join('\n');
}

/**
 * One row of the comparison table: mean total seconds, the total of the first and of the last
 * run (a peer's runs are alike; SkyStack's first run compiles its code), mean work seconds, the
 * work's CPU seconds (where measured), threads, runs, detections, completeness
 * overall and for bright stars (with their count), false detections, the bright stars' centroid
 * rms and aperture-flux errors (percent); or the skip line of an unavailable tool.
 *
 * @param row - the row
 * @returns the text line
 */
export function formatComparisonRow(row: ComparisonRow): string {
  if (row.run === undefined || row.score === undefined) return `${row.tool.padEnd(COLUMNS[0]!.width)}  skipped: ${row.unavailable ?? 'not run'}`;
  const s = row.score;
  return line([
    row.tool,
    fixed(mean(row.run.totalMs) / 1000, 3),
    fixed((row.run.totalMs[0] ?? Number.NaN) / 1000, 3),
    fixed((row.run.totalMs.at(-1) ?? Number.NaN) / 1000, 3),
    fixed(mean(row.run.workMs) / 1000, 3),
    fixed(mean(row.run.workCpuMs ?? []) / 1000, 3),
    String(row.run.threads),
    String(row.run.totalMs.length),
    String(s.nDetections),
    fixed(s.completeness, 3),
    `${fixed(s.brightCompleteness, 3)} (${s.nBright})`,
    String(s.falseDetections),
    fixed(s.centroidRmsBright, 4),
    fixed(100 * s.fluxMedianAbsError, 3),
    fixed(100 * s.fluxRobustScatter, 3),
  ]);
}

/**
 * The SkyStack rows' totals over SExtractor's at the same significance (the `(matched)` row), run
 * by run (with the tools run in turns, each pair met much the same load).
 *
 * @param rows - the rows
 * @returns one line per SkyStack row (none without both rows)
 */
export function runRatioLines(rows: readonly ComparisonRow[]): string[] {
  const reference = rows.find((r) => r.tool.startsWith('SExtractor') && r.tool.endsWith('(matched)'))?.run?.totalMs;
  if (reference === undefined) return [];
  const out: string[] = [];
  for (const row of rows) {
    const ms = row.run?.totalMs;
    if (!row.tool.startsWith('SkyStack') || ms === undefined) continue;
    const n = Math.min(ms.length, reference.length);
    const ratios = Array.from({ length: n }, (_, i) => ms[i]! / reference[i]!);
    const threads = row.run!.threads === 1 ? '1 thread' : `${row.run!.threads} threads`;
    out.push(`SkyStack (${threads}) ÷ SExtractor (matched), run by run: ${ratios.map((r) => r.toFixed(2)).join(', ')}; of the means: ${(mean(ms.slice(0, n)) / mean(reference.slice(0, n))).toFixed(2)}`);
  }
  return out;
}

/**
 * The whole comparison table with a legend.
 *
 * @param rows - the rows
 * @param scene - the scene (for the caption)
 * @returns the table text
 */
export function formatComparisonTable(rows: readonly ComparisonRow[], scene: ComparisonScene): string {
  const f = scene.field;
  const nBright = rows.find((r) => r.score !== undefined)?.score?.nBright;
  return [
    `detection + measurement on ${f.width}x${f.height} float32, ${f.truth.length} Gaussian stars (FWHM ${(f.psfSigma * 2.3548).toFixed(2)} px), sky ${f.sky}, ` +
      `noise ${f.skyNoise.toFixed(1)}; ${scene.settings.thresholdSigma}σ, minarea ${scene.settings.minArea}, mesh ${scene.settings.meshSize}, r=${scene.settings.apertureRadius} aperture` +
      (nBright === undefined ? '' : `; bright = aperture S/N > 50 (${nBright} stars)`),
    comparisonHeader(),
    ...rows.map(formatComparisonRow),
    ...runRatioLines(rows),
    `(matched): the peer's threshold at SkyStack's 5σ matched-filter significance: 5·√Σk² times the noise model's sky noise (${scene.settings.skyNoise.toFixed(2)}), in counts; ` +
      "without it, the peers' 5 is 5× their own estimate of the unfiltered rms, on the filtered image.",
    'total s: SExtractor/SEP whole process (start-up, read, work, write); SkyStack read + work, each row in a Node process of its own (its start-up and module loading not timed; its first run compiles the code). first s, last s: the total of the first and of the last run (each peer run is a fresh process; later SkyStack runs reuse the compiled code, as a pipeline process does from its second image on). work s: background + detection + deblending (SkyStack) + measurement in memory.',
    "cpu s: the process's CPU time during SkyStack's work (all threads, V8's garbage-collector helpers included). threads: threads doing the work (SExtractor NTHREADS 1; SEP's C library is single-threaded; SkyStack runs every step on the calling JavaScript thread, the pixel loops in WebAssembly SIMD;",
    `with ${SKYSTACK_PARALLEL_THREADS} threads, the kernels' variance plane, convolution, binned background statistics and background images run on the calling thread and ${SKYSTACK_PARALLEL_THREADS - 1} worker thread, chunks of rows claimed by whichever is free, the other steps on the calling thread; the same catalog).`,
    'matched one-to-one within 1.5 px; cen rms: √mean(Δx²+Δy²) of bright stars; flux |err|: median |flux/true−1|, scatter: 1.4826·MAD, bright stars, vs the noise-free flux in the aperture.',
  ].join('\n');
}

/**
 * Runs the whole comparison: simulate, run the tools one after another ({@link runComparisonTool})
 * or in turns ({@link runComparisonInTurns}), score, and return the rows and table.
 *
 * @param options - smoke scene or full, runs of each tool, the tools (default all), whether in turns
 * @returns the rows and the formatted table
 * @example
 * ```ts
 * const { table } = await runDetectionComparison({ smoke: true, runs: 1 });
 * console.log(table);
 * ```
 */
export async function runDetectionComparison(options: {
  readonly smoke: boolean;
  readonly runs: number;
  readonly tools?: readonly ComparisonTool[];
  readonly inTurns?: boolean;
}): Promise<{ readonly rows: ComparisonRow[]; readonly table: string }> {
  const scene = await prepareScene(sceneSize(options.smoke));
  const tools = options.tools ?? COMPARISON_TOOLS;
  try {
    const rows: ComparisonRow[] = [];
    if (options.inTurns === true) rows.push(...(await runComparisonInTurns(tools, scene, options.runs)));
    else for (const tool of tools) rows.push(await runComparisonTool(tool, scene, options.runs));
    return { rows, table: formatComparisonTable(rows, scene) };
  } finally {
    scene.dispose();
  }
}
