// Single-frame processing on a synthetic 2048 × 2048 exposure (test/single-frame-scene.ts:
// ~1000 stars with an elliptical Gaussian PSF, ~50 galaxies, sky, noise, a perturbed WCS):
//   pnpm bench --filter single-frame [--smoke]
// Cases: CharacterizeImageTask.run (2 PSF iterations and the final measurement) and
// CalibrateTask.run (detection, sky sources, measurement, astrometry, photometric calibration,
// local calibrations) on the characterized exposure. Each run starts from a fresh copy of the
// exposure (the copy, ~50 ms, is inside the timing). One warm-up and three timed runs (a run takes
// seconds; tinybench's floor of five samples and two warm-ups would take minutes); --smoke runs
// each once on 512 × 512.
import { ReferenceObjectLoader } from '@skystack/meas-astrom';
import { makeScene, type Scene } from '../test/single-frame-scene.js';
import { CalibrateConfig, CalibrateTask } from './calibrate-task.js';
import { CharacterizeImageTask, type CharacterizeImageResult } from './characterize-image-task.js';

interface BenchCase {
  name: string;
  itemsPerIteration?: number;
  itemUnit?: string;
  setup?: () => void | Promise<void>;
  fn?: () => unknown;
  measure?: () => Promise<{ meanMs: number; samples: number; rmePercent?: number }>;
}

const SMOKE = process.argv.includes('--smoke');
const SIZE = SMOKE ? 512 : 2048;
const RUNS = 3;

let scene: Scene | undefined;
let characterized: CharacterizeImageResult | undefined;

function theScene(): Scene {
  scene ??= makeScene({ width: SIZE, height: SIZE, seed: 3 });
  return scene;
}

function characterize(): CharacterizeImageResult {
  return new CharacterizeImageTask().run({ exposure: theScene().exposure.clone(), exposureId: 1 }).getDict();
}

async function calibrate(): Promise<void> {
  characterized ??= characterize();
  const config = new CalibrateConfig();
  config.connections.astromRefCat = 'sim_refcat';
  config.connections.photoRefCat = 'sim_refcat';
  config.astromRefObjLoader.anyFilterMapsToThis = null;
  const loader = new ReferenceObjectLoader(theScene().shards);
  const task = new CalibrateTask({ config, astromRefObjLoader: loader, photoRefObjLoader: loader });
  await task.run({ exposure: characterized.characterized.clone(), background: characterized.backgroundModel, icSourceCat: characterized.sourceCat, exposureId: 1 });
}

/** One warm-up, then the mean and relative error of the mean of RUNS timed runs. */
async function timed(fn: () => unknown): Promise<{ meanMs: number; samples: number; rmePercent: number }> {
  await fn();
  const t: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  const mean = t.reduce((a, b) => a + b, 0) / t.length;
  const sd = Math.sqrt(t.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, t.length - 1));
  return { meanMs: mean, samples: t.length, rmePercent: (100 * sd) / Math.sqrt(t.length) / mean };
}

export const benchmarks: BenchCase[] = [
  {
    name: `CharacterizeImageTask.run on ${SIZE}x${SIZE}`,
    itemsPerIteration: SIZE * SIZE,
    itemUnit: 'pixels',
    setup: () => void theScene(),
    ...(SMOKE ? { fn: characterize } : { measure: () => timed(characterize) }),
  },
  {
    name: `CalibrateTask.run on ${SIZE}x${SIZE}`,
    itemsPerIteration: SIZE * SIZE,
    itemUnit: 'pixels',
    setup: () => {
      characterized ??= characterize();
    },
    ...(SMOKE ? { fn: calibrate } : { measure: () => timed(calibrate) }),
  },
];
