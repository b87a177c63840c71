// Batched TAN-SIP pixel → sky (and back) with @skystack/wcs, side by side with astropy's
// all_pix2world / all_world2pix on the same WCS and points in the same run. The astropy
// numbers come from astropy timing itself in one /usr/bin/python3 process per case (a
// timeit-style loop); those cases are left out when /usr/bin/python3 cannot import astropy.
// 1,000,000 points (a 1000 x 1000 grid over a 2048 x 4096 CCD); `pnpm bench --smoke` uses 10,000.

import { Angle, Point2D, SpherePoint } from '@skystack/geom';
import { astropyAvailable, timePython } from '@skystack/test-support';
import { makeCdMatrix, makeTanSipWcs, type SkyArrays, type PixelArrays } from './sky-wcs.js';

interface ExternalMeasurement {
  meanMs: number;
  samples: number;
  rmePercent?: number;
}

interface BenchCase {
  name: string;
  itemsPerIteration?: number;
  itemUnit?: string;
  setup?: () => void | Promise<void>;
  fn?: () => unknown;
  measure?: () => Promise<ExternalMeasurement>;
}

const SMOKE = process.argv.includes('--smoke');
const SIDE = SMOKE ? 100 : 1000;
const N = SIDE * SIDE;
const ASTROPY_BUDGET_S = 3;
const MIN_SAMPLES = 5;
const LABEL = `TAN-SIP order 4, ${N.toLocaleString('en-US')} points`;

function haveAstropy(): boolean {
  try {
    return astropyAvailable();
  } catch {
    return false; // under CI=true a missing astropy throws; a benchmark just leaves its cases out
  }
}

/** An HSC-like CCD WCS: 0.17"/pixel, SIP order 4 with AP/BP. */
const wcs = makeTanSipWcs(
  new Point2D(1023.5, 2047.5),
  SpherePoint.fromDegrees(151.3, 1.6),
  makeCdMatrix(Angle.fromArcseconds(0.17), Angle.fromDegrees(90.2)),
  [
    [0, 0, -2e-6, 1e-10, 3e-14],
    [0, 5e-7, 3e-11, -1e-14],
    [1e-6, -2e-11, 2e-14],
    [4e-11, 1e-14],
    [-2e-14],
  ],
  [
    [0, 0, 1.5e-6, -3e-11, 1e-14],
    [0, -8e-7, 2e-11, 2e-14],
    [-1e-6, 1e-11, -1e-14],
    [-2e-11, 3e-14],
    [1e-14],
  ],
);

const xs = new Float64Array(N);
const ys = new Float64Array(N);
for (let i = 0; i < SIDE; i++)
  for (let j = 0; j < SIDE; j++) {
    xs[i * SIDE + j] = (2047 * j) / (SIDE - 1);
    ys[i * SIDE + j] = (4095 * i) / (SIDE - 1);
  }
const sky: SkyArrays = { ra: new Float64Array(N), dec: new Float64Array(N) };
const pix: PixelArrays = { x: new Float64Array(N), y: new Float64Array(N) };
wcs.pixelToSkyArray(xs, ys, sky);

/** Builds astropy's WCS from our header and the same pixel grid (and its sky positions), once. */
const PY_SETUP = String.raw`
from astropy.wcs import WCS
w = WCS(fits.Header.fromstring(args['header'], sep='\n'))
side = args['side']
jj, ii = np.meshgrid(np.arange(side), np.arange(side))
x = (2047.0 * jj / (side - 1)).ravel() + 1
y = (4095.0 * ii / (side - 1)).ravel() + 1
ra, dec = w.all_pix2world(x, y, 1)
`;

function astropyTimes(body: string): Promise<ExternalMeasurement> {
  const args = { header: wcs.getFitsMetadata().toString(), side: SIDE };
  return Promise.resolve(timePython({ setup: PY_SETUP, body, args, budgetSeconds: ASTROPY_BUDGET_S, minSamples: MIN_SAMPLES }));
}

const ours: BenchCase[] = [
  {
    name: `${LABEL}: SkyWcs.pixelToSkyArray`,
    itemsPerIteration: N,
    itemUnit: 'points',
    fn: () => wcs.pixelToSkyArray(xs, ys, sky),
  },
  {
    name: `${LABEL}: SkyWcs.skyToPixelArray (exact SIP inverse)`,
    itemsPerIteration: N,
    itemUnit: 'points',
    fn: () => wcs.skyToPixelArray(sky.ra, sky.dec, pix),
  },
];

const astropy: BenchCase[] = [
  {
    name: `${LABEL}: astropy WCS.all_pix2world`,
    itemsPerIteration: N,
    itemUnit: 'points',
    measure: () => astropyTimes('w.all_pix2world(x, y, 1)'),
  },
  {
    name: `${LABEL}: astropy WCS.all_world2pix (tolerance 1e-10)`,
    itemsPerIteration: N,
    itemUnit: 'points',
    measure: () => astropyTimes('w.all_world2pix(ra, dec, 1, tolerance=1e-10, maxiter=50, quiet=True)'),
  },
];

/**
 * Batched TAN-SIP pixel ↔ sky, points per second, ours and astropy's side by side; the
 * astropy cases only when /usr/bin/python3 has astropy.
 */
export const benchmarks: BenchCase[] = haveAstropy() ? [...ours, ...astropy] : ours;
