// Issue 9: SkyStack's detection + measurement side by side with SExtractor and SEP on the same
// simulated 4096² image (3000 Gaussian stars, FWHM 3.5 px, sky 1000, Poisson + read noise) at the
// same settings (5σ, minarea 5, mesh 128, r = 6 px aperture), each catalog scored against the
// truth the same way; SkyStack twice: on the calling thread, and with its kernels on 2 worker
// threads. Each case times one tool (3 runs) and prints its row of the comparison table (wall
// time, completeness all / bright, false detections, centroid rms, flux error), the last one the
// SkyStack rows' run-by-run ratios to SExtractor at the same significance; a tool that is not
// installed is left out with a line saying so.
//   pnpm bench --filter peers [--smoke]          (--smoke: 1024², 190 stars, one run of each tool)
// The peers come from Debian: bash scripts/install-bench-deps.sh.
import { parseArgs } from 'node:util';
import {
  comparisonHeader,
  formatComparisonRow,
  loadSkyStackRunner,
  mean,
  prepareScene,
  runRatioLines,
  runComparisonTool,
  runDetectionComparison,
  sceneSize,
  SKYSTACK_PARALLEL_THREADS,
  type ComparisonRow,
  type ComparisonScene,
  type ComparisonTool,
} from './detection-comparison.js';
import { sepAvailable } from './sep-runner.js';
import { findSExtractor } from './sextractor-runner.js';

interface ExternalMeasurement {
  meanMs: number;
  samples: number;
  rmePercent?: number;
}

interface BenchCase {
  name: string;
  itemsPerIteration?: number;
  itemUnit?: string;
  fn?: () => unknown;
  measure?: () => Promise<ExternalMeasurement>;
}

const FILE = 'tools/bench/src/peers/detection.bench.ts';
const { values: args } = parseArgs({ options: { filter: { type: 'string' }, smoke: { type: 'boolean' } }, strict: false });
const SMOKE = args.smoke === true;
const FILTER = typeof args.filter === 'string' ? args.filter : undefined;
const RUNS = 3;
const { size: SIZE, nStars: NSTARS } = sceneSize(SMOKE);

const noSExtractor = async (): Promise<string | undefined> => (findSExtractor() === undefined ? 'source-extractor is not installed (bash scripts/install-bench-deps.sh)' : undefined);
const noSkyStack = async (): Promise<string | undefined> => {
  const r = await loadSkyStackRunner();
  return 'unavailable' in r ? r.unavailable : undefined;
};
const noSep = async (): Promise<string | undefined> => (sepAvailable() ? undefined : '/usr/bin/python3 cannot import sep (bash scripts/install-bench-deps.sh)');

const TOOLS: readonly { readonly tool: ComparisonTool; readonly label: string; readonly missing: () => Promise<string | undefined> }[] = [
  { tool: 'sextractor', label: 'SExtractor (source-extractor) DETECT_THRESH 5, whole process', missing: noSExtractor },
  { tool: 'sextractor-matched', label: 'SExtractor DETECT_THRESH 5·√Σk²·σ ABSOLUTE (matched 5σ), whole process', missing: noSExtractor },
  { tool: 'sep', label: 'SEP (python3-sep) thresh 5, whole process', missing: noSep },
  { tool: 'sep-matched', label: 'SEP thresh 5·√Σk², err σ (matched 5σ), whole process', missing: noSep },
  {
    tool: 'skystack',
    label: 'SkyStack SubtractBackground + SourceDetection + SourceDeblend + SingleFrameMeasurement, read + work',
    missing: noSkyStack,
  },
  {
    tool: 'skystack-parallel',
    label: `SkyStack, the same with the kernels on ${SKYSTACK_PARALLEL_THREADS} threads (calling + worker), read + work`,
    missing: noSkyStack,
  },
];

const caseName = (label: string): string => `peers: detect + measure ${SIZE}², ${NSTARS} stars: ${label}`;

let scene: Promise<ComparisonScene> | undefined;
function getScene(): Promise<ComparisonScene> {
  if (scene === undefined) {
    scene = prepareScene(sceneSize(SMOKE));
    void scene.then((s) => process.on('exit', s.dispose));
  }
  return scene;
}

// Each case runs one tool (3 runs back to back) and prints its row; after SkyStack's last row, the
// SkyStack rows' run-by-run ratios to SExtractor at the same significance.
const done: ComparisonRow[] = [];
let headerPrinted = false;
async function rowOf(tool: ComparisonTool): Promise<ComparisonRow> {
  const row = await runComparisonTool(tool, await getScene(), RUNS);
  if (!headerPrinted) {
    console.log(comparisonHeader());
    headerPrinted = true;
  }
  console.log(formatComparisonRow(row));
  done.push(row);
  if (tool === 'skystack-parallel') for (const l of runRatioLines(done)) console.log(l);
  return row;
}

const cases: BenchCase[] = [];
for (const t of TOOLS) {
  const name = caseName(t.label);
  const missing = await t.missing();
  if (missing !== undefined) {
    if (FILTER === undefined || `${FILE} ${name}`.includes(FILTER)) console.log(`skip  ${name}: ${missing}`);
    continue;
  }
  cases.push({
    name,
    itemsPerIteration: SIZE * SIZE,
    itemUnit: 'px',
    measure: async () => {
      const row = await rowOf(t.tool);
      if (row.run === undefined) throw new Error(`${row.tool}: ${row.unavailable ?? 'not run'}`);
      const ms = row.run.totalMs;
      const m = mean(ms);
      const sd = ms.length > 1 ? Math.sqrt(ms.reduce((a, b) => a + (b - m) ** 2, 0) / (ms.length - 1)) : 0;
      return { meanMs: m, samples: ms.length, rmePercent: ms.length > 1 ? ((1.96 * sd) / Math.sqrt(ms.length) / m) * 100 : 0 };
    },
  });
}

/** Under --smoke the runner calls only `fn`: one case runs the whole comparison once on the small scene and prints its table. */
const smokeCase: BenchCase = {
  name: `peers: detect + measure comparison ${SIZE}², ${NSTARS} stars (SExtractor, SEP, SkyStack; one run each)`,
  fn: async () => {
    const { table } = await runDetectionComparison({ smoke: true, runs: 1 });
    console.log(table);
  },
};

export const benchmarks: BenchCase[] = SMOKE ? [smokeCase] : cases;
