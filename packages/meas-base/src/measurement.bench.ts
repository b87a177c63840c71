// Single-frame measurement of 3000 Gaussian stars (σ = 1.5 px, FWHM 3.5 px, as the peer-tool
// numbers in ../shared/reference/toolchain.md) on a 4096 × 4096 float32 image with sky noise:
// all default plugins with the noise replacer, the same without it, and each plugin alone
// (after the centroid it needs, whose time is its own case).
//   pnpm bench --filter meas-base [--smoke]        (--smoke: 300 stars on 1024²)
// Peer numbers (toolchain.md, same kind of image): SExtractor 0.90 s, SEP 0.53 s for detection
// plus a 6-pixel aperture measurement.
import { SourceCatalog, type Footprint } from '@skystack/afw-table';
import { fillCatalog, makeExposure, makeRandom, type Star } from '../test/synthetic.js';
import { NoiseReplacer, NoiseReplacerConfig } from './noise-replacer.js';
import { SingleFrameMeasurementConfig, SingleFrameMeasurementTask } from './single-frame-measurement-task.js';

interface BenchCase {
  name: string;
  itemsPerIteration?: number;
  itemUnit?: string;
  setup?: () => void;
  fn?: () => unknown;
}

const SMOKE = process.argv.includes('--smoke');
const SIZE = SMOKE ? 1024 : 4096;
const N = SMOKE ? 300 : 3000;
const SIGMA = 1.5;

let exposure: ReturnType<typeof makeExposure> | undefined;
const stars: Star[] = [];

function prepare(): ReturnType<typeof makeExposure> {
  if (exposure !== undefined) return exposure;
  const u = makeRandom(2024);
  for (let k = 0; k < N; k++) {
    const flux = 500 * Math.pow(10, 2 * u()); // 500 .. 50000 counts
    stars.push({ flux, sigma: SIGMA, x: 40 + (SIZE - 80) * u(), y: 40 + (SIZE - 80) * u() });
  }
  exposure = makeExposure(stars, { width: SIZE, height: SIZE, noiseSigma: 10, seed: 5, integrated: true });
  return exposure;
}

function makeCase(label: string, plugins: readonly string[] | undefined, replace: boolean): BenchCase {
  let task: SingleFrameMeasurementTask | undefined;
  let catalog: SourceCatalog | undefined;
  return {
    name: `meas-base: ${label} (${N} stars, ${SIZE}²)`,
    itemsPerIteration: N,
    itemUnit: 'sources',
    setup: () => {
      prepare();
      const config = new SingleFrameMeasurementConfig();
      if (plugins !== undefined) config.plugins.names = [...plugins];
      config.doReplaceWithNoise = replace;
      task = new SingleFrameMeasurementTask({ config });
      catalog = new SourceCatalog(task.schema);
      fillCatalog(catalog, stars, 6);
    },
    fn: () => task!.run(catalog!, exposure!, 1),
  };
}

/** The noise replacer alone: construction (every footprint saved and replaced by noise) and end(). */
function replacerCase(): BenchCase {
  const footprints = new Map<bigint, readonly [bigint, Footprint]>();
  return {
    name: `meas-base: NoiseReplacer construction + end (${N} footprints, ${SIZE}²)`,
    itemsPerIteration: N,
    itemUnit: 'sources',
    setup: () => {
      prepare();
      const catalog = new SourceCatalog(SourceCatalog.makeMinimalSchema());
      fillCatalog(catalog, stars, 6);
      for (let i = 0; i < catalog.length; i++) footprints.set(BigInt(i + 1), [0n, catalog.getFootprint(i)!]);
    },
    fn: () => new NoiseReplacer(new NoiseReplacerConfig(), exposure!, footprints, { exposureId: 1 }).end(),
  };
}

export const benchmarks: BenchCase[] = [
  replacerCase(),
  makeCase('SingleFrameMeasurementTask.run, default plugins + noise replacer', undefined, true),
  makeCase('SingleFrameMeasurementTask.run, default plugins, no noise replacer', undefined, false),
  makeCase('base_SdssCentroid alone', ['base_SdssCentroid'], false),
  makeCase('base_SdssCentroid + base_SdssShape', ['base_SdssCentroid', 'base_SdssShape'], false),
  makeCase('base_SdssCentroid + base_PsfFlux', ['base_SdssCentroid', 'base_PsfFlux'], false),
  makeCase('base_SdssCentroid + base_CircularApertureFlux (10 radii)', ['base_SdssCentroid', 'base_CircularApertureFlux'], false),
  makeCase('base_SdssCentroid + base_PixelFlags', ['base_SdssCentroid', 'base_PixelFlags'], false),
];
