// Background + detection on a 4096² float32 image with ~3000 Gaussian stars (FWHM 3.5 px, sky
// 1000), 5σ, the scene of /work/shared/reference/toolchain.md (SExtractor 0.90 s, SEP 0.53 s for
// detect + measure there); SEP's background + extract on the same pixels is timed beside it
// when python3-sep is installed.
//   pnpm bench --filter detection [--smoke]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Exposure } from '@skystack/afw-image';
import { Extent2I } from '@skystack/geom';
import { timePython } from '@skystack/test-support';
import { SourceDetectionTask } from './source-detection-task.js';
import { SubtractBackgroundTask } from './subtract-background-task.js';

interface BenchCase {
  name: string;
  itemsPerIteration?: number;
  itemUnit?: string;
  setup?: () => void | Promise<void>;
  fn?: () => unknown;
  measure?: () => Promise<{ meanMs: number; samples: number; rmePercent?: number }> | { meanMs: number; samples: number; rmePercent?: number };
}

const { values: args } = parseArgs({ options: { filter: { type: 'string' }, smoke: { type: 'boolean' } }, strict: false });
const SMOKE = args.smoke === true;
const SIZE = SMOKE ? 1024 : 4096;
const NSTARS = SMOKE ? 190 : 3000;
const SIGMA = 3.5 / 2.3548;
const NOISE = Math.sqrt(1000); // Poisson-like noise of the 1000-count sky

let scene: Exposure<Float32Array> | undefined;
let dir: string | undefined;

function makeScene(): Exposure<Float32Array> {
  const exposure = Exposure.make('float32', new Extent2I(SIZE, SIZE));
  const { data } = exposure.image.array;
  let s = 12345;
  const u = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = 0; i < data.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(Math.max(u(), 1e-300)));
    const a = 2 * Math.PI * u();
    data[i] = 1000 + NOISE * r * Math.cos(a);
    data[i + 1] = 1000 + NOISE * r * Math.sin(a);
  }
  const half = Math.ceil(5 * SIGMA);
  for (let k = 0; k < NSTARS; k++) {
    const cx = 10 + u() * (SIZE - 20);
    const cy = 10 + u() * (SIZE - 20);
    const flux = 200 * Math.pow(10, 3 * u()); // 200 .. 200000 counts
    const norm = flux / (2 * Math.PI * SIGMA * SIGMA);
    for (let y = Math.max(0, Math.floor(cy) - half); y <= Math.min(SIZE - 1, Math.floor(cy) + half); y++) {
      for (let x = Math.max(0, Math.floor(cx) - half); x <= Math.min(SIZE - 1, Math.floor(cx) + half); x++) {
        const r2 = (x - cx) ** 2 + (y - cy) ** 2;
        data[y * SIZE + x] = data[y * SIZE + x]! + norm * Math.exp(-r2 / (2 * SIGMA * SIGMA));
      }
    }
  }
  exposure.variance.array.data.fill(NOISE * NOISE);
  return exposure;
}

function fresh(): Exposure<Float32Array> {
  scene ??= makeScene();
  return scene.clone();
}

/** Whether python3-sep is installed (the side-by-side case is left out when it is not). */
const HAVE_SEP = spawnSync('/usr/bin/python3', ['-c', 'import sep'], { stdio: 'ignore' }).status === 0;

const cases: BenchCase[] = [
  {
    name: `SubtractBackgroundTask ${SIZE}² (binSize 128, Chebyshev order 6)`,
    itemsPerIteration: SIZE * SIZE,
    itemUnit: 'px',
    setup: () => void fresh(),
    fn: () => new SubtractBackgroundTask().run(fresh()),
  },
  {
    name: `SourceDetectionTask.detectFootprints ${SIZE}², ${NSTARS} stars, 5σ (background pre-subtracted)`,
    itemsPerIteration: SIZE * SIZE,
    itemUnit: 'px',
    setup: () => void fresh(),
    fn: () => {
      const e = fresh();
      const { data } = e.image.array;
      for (let i = 0; i < data.length; i++) data[i] = data[i]! - 1000;
      return new SourceDetectionTask().detectFootprints(e, { sigma: SIGMA });
    },
  },
  {
    name: `background + detection ${SIZE}², ${NSTARS} stars, 5σ (SubtractBackgroundTask + SourceDetectionTask)`,
    itemsPerIteration: SIZE * SIZE,
    itemUnit: 'px',
    setup: () => void fresh(),
    fn: () => {
      const e = fresh();
      const { background } = new SubtractBackgroundTask().run(e);
      return new SourceDetectionTask().detectFootprints(e, { sigma: SIGMA, background });
    },
  },
];

const sepCase: BenchCase[] = [
  {
    name: `SEP Background + extract ${SIZE}², 5σ, minarea 5, mesh 128 (python3-sep, in memory)`,
    itemsPerIteration: SIZE * SIZE,
    itemUnit: 'px',
    measure: async () => {
      dir = mkdtempSync(join(tmpdir(), 'bench-detect-'));
      try {
        const path = join(dir, 'scene.fits');
        await fresh().image.writeFits(path);
        return timePython({
          setup: "import sep\ndata = np.ascontiguousarray(fits.getdata(args['path']), dtype=np.float32)\nsep.set_extract_pixstack(10000000)",
          body: 'bkg = sep.Background(data, bw=128, bh=128)\nsub = data - bkg\nobjs = sep.extract(sub, 5.0, err=bkg.globalrms, minarea=5)',
          args: { path },
          budgetSeconds: SMOKE ? 1 : 5,
          minSamples: 3,
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];

export const benchmarks: BenchCase[] = HAVE_SEP ? [...cases, ...sepCase] : cases;
