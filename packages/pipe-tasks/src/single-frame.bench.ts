// Single-frame processing on a synthetic 2048 × 2048 exposure (test/single-frame-scene.ts:
// ~1000 stars with an elliptical Gaussian PSF, ~50 galaxies, sky, noise, a perturbed WCS):
//   pnpm bench --filter single-frame [--smoke]
// Cases: CharacterizeImageTask.run (2 PSF iterations and the final measurement) and
// CalibrateTask.run (detection, sky sources, measurement, astrometry, photometric calibration,
// local calibrations) on the characterized exposure. Each run starts from a fresh copy of the
// exposure (the copy, ~50 ms, is inside the timing). One warm-up and three timed runs (a run takes
// seconds; tinybench's floor of five samples and two warm-ups would take minutes); --smoke runs
// each once on 512 × 512.
//
// And the whole single-frame chain of one detector (issue 9: target under 10 s on one core):
// IsrTask → CharacterizeImageTask → CalibrateTask on a 4096 × 4096 raw of 8 amplifiers, made
// from a 4096² scene (each amplifier's 1024 × 2048 data section, the top row of amplifiers
// mirrored in y, plus bias level, a bias-structure calibration, dark current, 8 prescan and 32
// overscan columns of read noise; gain 1 so that ISR's variance plane is the scene's), with
// overscan MEDIAN_PER_ROW, bias, dark, flat, two defects and interpolation; the piff PSF
// determiner, as SimCam's DRP.yaml. Each run starts from
// a copy of the raw (counted in the isr stage). One warm-up and two timed runs; the per-stage
// split (isr, characterize, calibrate; mean of the timed runs) goes to stderr. Single thread: no
// workers. --smoke runs it once on 512 × 512.
import { Amplifier, Detector, Exposure, Image, MaskedImage, VisitInfo } from '@skystack/afw-image';
import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import { Defects, IsrTask, IsrTaskConfig } from '@skystack/ip-isr';
import { ReferenceObjectLoader } from '@skystack/meas-astrom';
import { makeRandom, makeScene, type Scene } from '../test/single-frame-scene.js';
import { CalibrateConfig, CalibrateTask } from './calibrate-task.js';
import { CharacterizeImageConfig, CharacterizeImageTask, type CharacterizeImageResult } from './characterize-image-task.js';

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

// ---- ISR + characterize + calibrate of one detector ----

const CHAIN_SIDE = SMOKE ? 512 : 4096;
const CHAIN_RUNS = 2;
/** Amplifier geometry of the chain's raw: 2 rows of 4 amplifiers. */
const AX = CHAIN_SIDE / 4;
const AY = CHAIN_SIDE / 2;
const PRE = 8;
const OS = 32;
const RW = PRE + AX + OS;
const GAIN = 1;
const READ_NOISE = 5;
const DARK_CURRENT = 0.02; // ADU / s
const DARK_TIME = 31;

interface ChainInputs {
  raw: Exposure<Float32Array>;
  bias: Exposure<Float32Array>;
  dark: Exposure<Float32Array>;
  flat: Exposure<Float32Array>;
  defects: Defects;
  scene: Scene;
}
let chainInputs: ChainInputs | undefined;

const box = (x: number, y: number, w: number, h: number): Box2I => Box2I.fromCorner(new Point2I(x, y), new Extent2I(w, h));

/** The raw of the chain: the scene's pixels (ADU) cut into amplifier segments with overscan and signatures. */
function chainSetup(): ChainInputs {
  if (chainInputs) return chainInputs;
  const scene = makeScene({ width: CHAIN_SIDE, height: CHAIN_SIDE, seed: 11 });
  const { gauss } = makeRandom(12);
  const amps: Amplifier[] = [];
  for (let k = 0; k < 8; k++) {
    const col = k % 4;
    const top = k >= 4;
    amps.push(
      new Amplifier({
        name: `C${top ? 1 : 0}${col}`,
        bbox: box(col * AX, top ? AY : 0, AX, AY),
        gain: GAIN,
        readNoise: READ_NOISE,
        saturation: 60000,
        hasRawInfo: true,
        rawBBox: box(k * RW, 0, RW, AY),
        rawPrescanBBox: box(k * RW, 0, PRE, AY),
        rawDataBBox: box(k * RW + PRE, 0, AX, AY),
        rawHorizontalOverscanBBox: box(k * RW + PRE + AX, 0, OS, AY),
        rawFlipY: top,
      }),
    );
  }
  const detector = new Detector({ name: 'R00_S00', id: 0, bbox: box(0, 0, CHAIN_SIDE, CHAIN_SIDE), amplifiers: amps });
  // Calibrations: a bias with a gentle structure, a flat dark current, a flat field of 1.
  const bias = Exposure.make('float32', detector.bbox);
  const bd = bias.image.array.data;
  for (let y = 0; y < CHAIN_SIDE; y++) for (let x = 0; x < CHAIN_SIDE; x++) bd[y * CHAIN_SIDE + x] = 2 + Math.sin(x / 300) + 0.5 * Math.cos(y / 500);
  bias.setVisitInfo(new VisitInfo({ darkTime: 0 }));
  const dark = Exposure.make('float32', detector.bbox);
  dark.image.array.data.fill(DARK_CURRENT);
  dark.setVisitInfo(new VisitInfo({ darkTime: 1 }));
  const flat = Exposure.make('float32', detector.bbox);
  flat.image.array.data.fill(1);

  const rawImage = Image.make('float32', box(0, 0, 8 * RW, AY));
  const { data, stride } = rawImage.array;
  const sceneData = scene.exposure.image.array.data;
  for (let k = 0; k < 8; k++) {
    const amp = amps[k]!;
    const x0 = amp.bbox.minX;
    for (let r = 0; r < AY; r++) {
      // The amplifier's bias level drifts slowly along the readout; the overscan sees it too.
      const level = 1000 + 10 * k + 2 * Math.sin(r / 50);
      const yDet = k >= 4 ? 2 * AY - 1 - r : r;
      for (let x = 0; x < RW; x++) {
        let v = level + READ_NOISE * gauss();
        if (x >= PRE && x < PRE + AX) {
          const i = yDet * CHAIN_SIDE + x0 + x - PRE;
          v += sceneData[i]! + bd[i]! + DARK_CURRENT * DARK_TIME;
        }
        data[r * stride + k * RW + x] = v;
      }
    }
  }
  const raw = new Exposure(new MaskedImage(rawImage));
  raw.setDetector(detector);
  raw.setVisitInfo(new VisitInfo({ exposureTime: 30, darkTime: DARK_TIME }));
  raw.setWcs(scene.initialWcs);
  const filter = scene.exposure.getFilter();
  if (filter !== null) raw.setFilter(filter);
  const defects = new Defects([box(100, 0, 1, CHAIN_SIDE), box(CHAIN_SIDE - 300, Math.min(200, CHAIN_SIDE / 4), 3, CHAIN_SIDE / 8)]);
  chainInputs = { raw, bias, dark, flat, defects, scene };
  return chainInputs;
}

/** Milliseconds of each stage of the last chain run. */
const stageMs = { isr: 0, characterize: 0, calibrate: 0 };

async function chain(): Promise<void> {
  const { raw, bias, dark, flat, defects, scene } = chainSetup();
  const t0 = performance.now();
  const isrConfig = new IsrTaskConfig();
  isrConfig.overscan.fitType = 'MEDIAN_PER_ROW';
  const postIsr = new IsrTask({ config: isrConfig }).run({ ccdExposure: raw.clone(), bias, dark, flat, defects }).getDict().exposure;
  const t1 = performance.now();
  // The PSF model SimCam's DRP.yaml (as drp_pipe) uses.
  const chConfig = new CharacterizeImageConfig();
  chConfig.measurePsf.psfDeterminer.name = 'piff';
  const ch = new CharacterizeImageTask({ config: chConfig }).run({ exposure: postIsr, exposureId: 1 }).getDict();
  const t2 = performance.now();
  const config = new CalibrateConfig();
  config.connections.astromRefCat = 'sim_refcat';
  config.connections.photoRefCat = 'sim_refcat';
  config.astromRefObjLoader.anyFilterMapsToThis = null;
  const loader = new ReferenceObjectLoader(scene.shards);
  const task = new CalibrateTask({ config, astromRefObjLoader: loader, photoRefObjLoader: loader });
  await task.run({ exposure: ch.characterized, background: ch.backgroundModel, icSourceCat: ch.sourceCat, exposureId: 1 });
  const t3 = performance.now();
  stageMs.isr = t1 - t0;
  stageMs.characterize = t2 - t1;
  stageMs.calibrate = t3 - t2;
}

async function timedChain(): Promise<{ meanMs: number; samples: number; rmePercent: number }> {
  await chain();
  const t: number[] = [];
  const split = { isr: 0, characterize: 0, calibrate: 0 };
  for (let i = 0; i < CHAIN_RUNS; i++) {
    const t0 = performance.now();
    await chain();
    t.push(performance.now() - t0);
    for (const k of ['isr', 'characterize', 'calibrate'] as const) split[k] += stageMs[k] / CHAIN_RUNS;
  }
  const mean = t.reduce((a, b) => a + b, 0) / t.length;
  const sd = Math.sqrt(t.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, t.length - 1));
  process.stderr.write(
    `ISR + characterize + calibrate on ${CHAIN_SIDE}x${CHAIN_SIDE}: ${mean.toFixed(0)} ms (isr ${split.isr.toFixed(0)}, characterize ${split.characterize.toFixed(0)}, calibrate ${split.calibrate.toFixed(0)}; mean of ${CHAIN_RUNS})\n`,
  );
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
  {
    name: `ISR + characterize + calibrate on ${CHAIN_SIDE}x${CHAIN_SIDE} (8 amps, one core)`,
    itemsPerIteration: CHAIN_SIDE * CHAIN_SIDE,
    itemUnit: 'pixels',
    setup: () => void chainSetup(),
    ...(SMOKE ? { fn: chain } : { measure: timedChain }),
  },
];
