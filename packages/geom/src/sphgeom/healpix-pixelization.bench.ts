import { ConvexPolygon } from './convex-polygon.js';
import { HealpixPixelization } from './healpix-pixelization.js';
import { UnitVector3d } from './unit-vector3d.js';

interface BenchCase {
  name: string;
  itemsPerIteration?: number;
  itemUnit?: string;
  setup?: () => void;
  fn: () => void;
}

const N = 1_000_000;
const raDeg = new Float64Array(N);
const decDeg = new Float64Array(N);
const out = new Float64Array(N);
const hpx15 = new HealpixPixelization(15);
/** Keeps results alive so that the work cannot be optimised away. */
const sink = { value: 0 };

function setupPoints(): void {
  let seed = 20240611;
  const rand = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
  for (let i = 0; i < N; i++) {
    raDeg[i] = rand() * 360;
    decDeg[i] = (Math.asin(2 * rand() - 1) * 180) / Math.PI;
  }
}

const DEG = Math.PI / 180;
// A 0.11° × 0.11° patch (about a coadd patch's inner region) at (150°, 2°), slightly rotated.
const patch = ConvexPolygon.convexHull(
  [
    [150.0, 2.0],
    [150.11, 2.005],
    [150.105, 2.115],
    [149.995, 2.11],
  ].map(([ra, dec]) => UnitVector3d.fromLonLatRadians(ra! * DEG, dec! * DEG)),
);

/** HEALPix NEST indexing throughput and polygon queries at nside 32768 (HealSparse coadd input maps). */
export const benchmarks: BenchCase[] = [
  {
    name: 'HealpixPixelization(15).indexRaDecDeg, 1M random points (nside 32768)',
    itemsPerIteration: N,
    itemUnit: 'points',
    setup: setupPoints,
    fn: () => {
      hpx15.indexRaDecDeg(raDeg, decDeg, out);
      sink.value += out[0]!;
    },
  },
  {
    name: 'HealpixPixelization(15).queryPolygon of a 0.11° square patch (nside 32768)',
    itemsPerIteration: 1,
    itemUnit: 'queries',
    fn: () => {
      sink.value += hpx15.queryPolygon(patch).size;
    },
  },
  {
    name: 'HealpixPixelization(15).envelope of a 0.11° square patch (nside 32768)',
    itemsPerIteration: 1,
    itemUnit: 'queries',
    fn: () => {
      sink.value += hpx15.envelope(patch).size;
    },
  },
];
