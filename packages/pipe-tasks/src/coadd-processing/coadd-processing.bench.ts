// Coadd processing of one patch: DetectCoaddSourcesTask and MeasureMergedCoaddSourcesTask (with
// deblending) on a synthetic 2000x2000 coadd (a grid of PSF stars and wider galaxies, noise).
//   pnpm bench --filter coadd-processing [--smoke]
import { Exposure, FilterLabel, GaussianPsf, PhotoCalib } from '@skystack/afw-image';
import type { SourceCatalog } from '@skystack/afw-table';
import { DiscreteSkyMap, makeDiscreteSkyMapConfig } from '@skystack/skymap';
import { makeSkyInfo } from '../coadd/coadd-utils.js';
import { DetectCoaddSourcesTask } from './detect-coadd-sources-task.js';
import { MeasureMergedCoaddSourcesTask } from './measure-merged-coadd-sources-task.js';
import { MergeDetectionsConfig, MergeDetectionsTask } from './merge-detections-task.js';

interface BenchCase {
  name: string;
  itemsPerIteration?: number;
  itemUnit?: string;
  fn?: () => unknown;
  measure?: () => Promise<{ meanMs: number; samples: number; rmePercent?: number }>;
}

const SMOKE = process.argv.includes('--smoke');
const INNER = SMOKE ? 300 : 2000;
const STEP = 40;
const skyMap = new DiscreteSkyMap(
  makeDiscreteSkyMapConfig({ raList: [150], decList: [2], radiusList: [(INNER * 1.6 * 0.2) / 3600], projection: 'TAN', pixelScale: 0.2, tractOverlap: 0, patchInnerDimensions: [INNER, INNER], patchBorder: 50 }),
);
const skyInfo = makeSkyInfo(skyMap, 0, [0, 0]);

/** A coadd with a grid of alternating stars (σ 2) and galaxies (σ 4), noise σ 8 nJy. */
function makeCoadd(): Exposure<Float32Array> {
  const bbox = skyInfo.bbox;
  const exp = Exposure.make('float32', bbox);
  const im = exp.image.array;
  let s = 12345;
  const uniform = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
  for (let i = 0; i < im.data.length; i++) im.data[i] = 8 * Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  let k = 0;
  for (let y = bbox.getMinY() + STEP; y < bbox.getMaxY() - STEP / 2; y += STEP) {
    for (let x = bbox.getMinX() + STEP; x < bbox.getMaxX() - STEP / 2; x += STEP) {
      const sigma = k++ % 2 === 0 ? 2 : 4;
      const norm = (5000 + 20000 * uniform()) / (2 * Math.PI * sigma * sigma);
      for (let dy = -15; dy <= 15; dy++) {
        for (let dx = -15; dx <= 15; dx++) {
          const o = (y + dy - bbox.getMinY()) * im.stride + (x + dx - bbox.getMinX());
          im.data[o] = im.data[o]! + norm * Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
        }
      }
    }
  }
  exp.variance.array.data.fill(64);
  exp.setWcs(skyInfo.wcs);
  exp.setPsf(new GaussianPsf(25, 25, 2));
  exp.setPhotoCalib(new PhotoCalib(1));
  exp.setFilter(FilterLabel.fromBand('r'));
  return exp;
}

const area = skyInfo.bbox.getWidth() * skyInfo.bbox.getHeight();
let coadd: Exposure<Float32Array> | undefined;
let det: SourceCatalog | undefined;
let mergeTask: MergeDetectionsTask | undefined;
let mergeDet: SourceCatalog | undefined;

function detectOnce(): number {
  coadd = makeCoadd();
  const task = new DetectCoaddSourcesTask();
  const t0 = performance.now();
  det = task.run({ exposure: coadd, expId: 1 }).getDict().outputSources;
  const ms = performance.now() - t0;
  const config = new MergeDetectionsConfig();
  config.priorityList = ['r'];
  mergeTask = new MergeDetectionsTask({ config, schema: task.schema });
  mergeDet = mergeTask.run({ catalogs: { r: det }, skyInfo, skySeed: 1 }).getDict().outputCatalog;
  process.stderr.write(`  detectCoaddSources: ${det.length} sources in ${(ms / 1000).toFixed(2)} s\n`);
  return ms;
}

function measureOnce(): number {
  if (mergeDet === undefined) detectOnce();
  const task = new MeasureMergedCoaddSourcesTask({ schema: mergeTask!.schema });
  const t0 = performance.now();
  const out = task.run({ exposure: coadd!, sources: mergeDet!, skyInfo }).getDict().outputSources;
  const ms = performance.now() - t0;
  process.stderr.write(`  measureCoaddSources: ${out.length} sources (with deblending and sky objects) in ${(ms / 1000).toFixed(2)} s\n`);
  return ms;
}

/** The cases: detection (with variance scaling and the background tweak), then deblending + measurement. */
export const benchmarks: BenchCase[] = [
  {
    name: `DetectCoaddSourcesTask: ${skyInfo.bbox.getWidth()}x${skyInfo.bbox.getHeight()} coadd`,
    itemsPerIteration: area,
    itemUnit: 'pixels',
    ...(SMOKE ? { fn: detectOnce } : { measure: () => Promise.resolve({ meanMs: detectOnce(), samples: 1 }) }),
  },
  {
    name: `MeasureMergedCoaddSourcesTask: ${skyInfo.bbox.getWidth()}x${skyInfo.bbox.getHeight()} coadd`,
    itemsPerIteration: area,
    itemUnit: 'pixels',
    ...(SMOKE ? { fn: measureOnce } : { measure: () => Promise.resolve({ meanMs: measureOnce(), samples: 1 }) }),
  },
];
