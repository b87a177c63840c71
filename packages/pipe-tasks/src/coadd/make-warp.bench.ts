// MakeWarpTask.run: one visit of two 2048x2048 calexps (TAN, 0.21"/px, rotated 20°) warped with
// Lanczos3 onto a 4000x4000 patch of a 0.2"/px tract (about 2 x 4.2 M warped pixels).
//   pnpm bench --filter make-warp [--smoke]
import { Exposure, PhotoCalib } from '@skystack/afw-image';
import { Angle, Box2I, Extent2I, Point2D, Point2I, SpherePoint } from '@skystack/geom';
import { makeCdMatrix, makeSkyWcs } from '@skystack/wcs';
import type { SkyInfo } from './coadd-utils.js';
import { MakeWarpTask } from './make-warp-task.js';

interface BenchCase {
  name: string;
  itemsPerIteration?: number;
  itemUnit?: string;
  fn?: () => unknown;
  measure?: () => Promise<{ meanMs: number; samples: number; rmePercent?: number }>;
}

const SMOKE = process.argv.includes('--smoke');
const CCD = SMOKE ? 256 : 2048;
const PATCH = SMOKE ? 500 : 4000;
const CENTRE = SpherePoint.fromDegrees(150, 2);

function skyInfo(): SkyInfo {
  const bbox = Box2I.fromCorner(new Point2I(0, 0), new Extent2I(PATCH, PATCH));
  return { bbox, wcs: makeSkyWcs(new Point2D(PATCH / 2, PATCH / 2), CENTRE, makeCdMatrix(Angle.fromArcseconds(0.2))) };
}

/** A calexp on one side of the patch centre, a hashed noise field over a sky of 100 counts. */
function calexp(side: -1 | 1): Exposure<Float32Array> {
  const exp = Exposure.make('float32', new Extent2I(CCD, CCD));
  const crpix = side < 0 ? new Point2D(CCD + 20, CCD / 2) : new Point2D(-20, CCD / 2);
  exp.setWcs(makeSkyWcs(crpix, CENTRE, makeCdMatrix(Angle.fromArcseconds(0.21), Angle.fromDegrees(20))));
  exp.setPhotoCalib(new PhotoCalib(0.8));
  const d = exp.image.array.data;
  for (let i = 0; i < d.length; i++) {
    let h = Math.imul(i ^ (side * 0x5bd1e995), 0x9e3779b1);
    h ^= h >>> 15;
    d[i] = 100 + ((h >>> 0) / 4294967296 - 0.5) * 10;
  }
  exp.variance.array.data.fill(100);
  return exp;
}

const INPUTS = [calexp(-1), calexp(1)];
const SKY = skyInfo();

async function warpOnce(): Promise<number> {
  const t0 = performance.now();
  const { exposures } = (await new MakeWarpTask().run({ calExpList: INPUTS, skyInfo: SKY })).getDict();
  const ms = performance.now() - t0;
  process.stderr.write(`  makeWarp: ${(ms / 1000).toFixed(2)} s, warp ${exposures.direct?.getWidth()}x${exposures.direct?.getHeight()}\n`);
  return ms;
}

/** The case: one warp of a two-detector visit, timed once (seconds per run). */
export const benchmarks: BenchCase[] = [
  {
    name: `MakeWarpTask.run: 2 calexps of ${CCD}x${CCD} to a ${PATCH}x${PATCH} patch (Lanczos3)`,
    itemsPerIteration: 2 * CCD * CCD,
    itemUnit: 'input pixels',
    ...(SMOKE ? { fn: () => warpOnce() } : { measure: async () => ({ meanMs: await warpOnce(), samples: 1 }) }),
  },
];
