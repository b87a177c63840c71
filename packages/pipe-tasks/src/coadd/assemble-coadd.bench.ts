// AssembleCoaddTask: coadding 20 warps of 4000x4000 pixels (MEANCLIP and MEAN, subregions of
// 2000x2000), the warps generated in memory. Prints wall time and the peak RSS.
//   pnpm bench --filter assemble-coadd [--smoke]
// Memory: the 20 warps themselves take 20 x 4000² x 12 bytes = 3.8 GB, so they are not held:
// each handle makes its warp's pixels for the requested sub-box on demand (a deterministic
// pseudo-random field), as a Butler reading a sub-box from disk would. What the task holds at a
// time is the coadd (4000² x 12 bytes = 192 MB) plus 20 subregions (20 x 2000² x 12 = 960 MB);
// with doOnlineForMean, the coadd, the running sums (4000² x (3 x 8 + 2 x 4) bytes = 512 MB) and
// one whole warp (192 MB).
import { resourceUsage } from 'node:process';
import { Exposure, FilterLabel } from '@skystack/afw-image';
import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import { AssembleCoaddConfig, AssembleCoaddTask, type WarpHandle } from './assemble-coadd-task.js';

interface BenchCase {
  name: string;
  itemsPerIteration?: number;
  itemUnit?: string;
  fn?: () => unknown;
  measure?: () => Promise<{ meanMs: number; samples: number; rmePercent?: number }>;
}

const SMOKE = process.argv.includes('--smoke');
const SIZE = SMOKE ? 400 : 4000;
const N_WARPS = SMOKE ? 5 : 20;
const SUBREGION = SMOKE ? 200 : 2000;
// One coadd of 320 M input pixels takes tens of seconds: timed once per case through `measure`
// (the harness's 2 warm-ups and 5 samples would take many minutes); --smoke runs `fn` once.
const BBOX = Box2I.fromCorner(new Point2I(0, 0), new Extent2I(SIZE, SIZE));

/** A warp handle that synthesizes a sub-box on each read: sky + noise of sigma (hash noise, no state). */
function syntheticWarp(index: number, sigma: number): WarpHandle {
  return {
    get: (options) => {
      const t0 = performance.now();
      const bbox = options?.parameters?.bbox ?? BBOX;
      const exp = Exposure.make('float32', bbox);
      const im = exp.image.array;
      const x0 = bbox.getMinX();
      const y0 = bbox.getMinY();
      for (let y = 0; y < im.height; y++) {
        const o = y * im.stride;
        for (let x = 0; x < im.width; x++) {
          // Two uniform hashes → an approximately Gaussian value (sum of 2 uniforms, scaled).
          let h = Math.imul((x + x0) * 73856093 ^ (y + y0) * 19349663 ^ index * 83492791, 0x9e3779b1);
          h ^= h >>> 15;
          const u1 = (h >>> 0) / 4294967296;
          h = Math.imul(h, 0x85ebca6b) ^ (h >>> 13);
          const u2 = (h >>> 0) / 4294967296;
          im.data[o + x] = 100 + sigma * 2.449 * (u1 + u2 - 1);
        }
      }
      exp.variance.array.data.fill(sigma * sigma);
      exp.metadata.set('BUNIT', 'nJy');
      exp.setFilter(FilterLabel.fromBand('r'));
      sampledPeakRss = Math.max(sampledPeakRss, process.memoryUsage().rss);
      readMs += performance.now() - t0;
      return Promise.resolve(exp);
    },
  };
}

let peakRssMb = 0;
/** The largest RSS seen while the warps are read (sampled at each read, when the stack is largest). */
let sampledPeakRss = 0;
/** Time spent making the warps' sub-boxes (the stand-in for reading them from disk). */
let readMs = 0;

function assembleCase(statistic: 'MEANCLIP' | 'MEAN', online = false): BenchCase {
  return {
    name: `AssembleCoaddTask ${statistic}: ${N_WARPS} warps of ${SIZE}x${SIZE}, ${online ? 'doOnlineForMean (running sums)' : `subregions ${SUBREGION}x${SUBREGION}`}`,
    itemsPerIteration: SIZE * SIZE * N_WARPS,
    itemUnit: 'input pixels',
    ...(SMOKE
      ? { fn: () => assembleOnce(statistic, online) }
      : { measure: async () => ({ meanMs: await assembleOnce(statistic, online), samples: 1 }) }),
  };
}

/** One coadd; returns its wall time (ms) and prints time and memory. */
async function assembleOnce(statistic: 'MEANCLIP' | 'MEAN', online: boolean): Promise<number> {
  const config = new AssembleCoaddConfig();
  config.statistic = statistic;
  config.subregionSize = [SUBREGION, SUBREGION];
  config.doOnlineForMean = online;
  const task = new AssembleCoaddTask({ config });
  const handles = Array.from({ length: N_WARPS }, (_, i) => syntheticWarp(i, 2 + (i % 5)));
  const weightList = handles.map((_, i) => 1 / (2 + (i % 5)) ** 2);
  const rssBefore = process.memoryUsage().rss;
  sampledPeakRss = rssBefore;
  readMs = 0;
  const t0 = performance.now();
  const res = (await task.run({ skyInfo: { bbox: BBOX, wcs: null }, warpRefList: handles, weightList })).getDict();
  const ms = performance.now() - t0;
  peakRssMb = Math.max(peakRssMb, resourceUsage().maxRSS / 1024);
  const mb = (b: number): string => (b / 2 ** 20).toFixed(0);
  process.stderr.write(
    `  ${statistic}${online ? ' online' : ''}: ${(ms / 1000).toFixed(2)} s (making the warp sub-boxes: ${(readMs / 1000).toFixed(2)} s); RSS before ${mb(rssBefore)} MB, sampled peak during ${mb(sampledPeakRss)} MB (+${mb(sampledPeakRss - rssBefore)} MB); process maxRSS ${peakRssMb.toFixed(0)} MB; coadd (10,10) = ${res.coaddExposure.image.array.data[10 * SIZE + 10]!.toFixed(3)}\n`,
  );
  return ms;
}

/** The cases: the default MEANCLIP, the plain MEAN, and the MEAN as running sums (`doOnlineForMean`). */
export const benchmarks: BenchCase[] = [assembleCase('MEANCLIP'), assembleCase('MEAN'), assembleCase('MEAN', true)];
