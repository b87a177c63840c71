import { Angle } from '../angle.js';
import { ConvexPolygon } from './convex-polygon.js';
import { HtmPixelization } from './htm-pixelization.js';
import { UnitVector3d } from './unit-vector3d.js';

interface BenchCase {
  name: string;
  itemsPerIteration?: number;
  itemUnit?: string;
  setup?: () => void;
  fn: () => void;
}

const N = 100_000;
const lonRad = new Float64Array(N);
const latRad = new Float64Array(N);
const out = new Float64Array(N);
let vectors: UnitVector3d[] = [];
const htm20 = new HtmPixelization(20);
const htm8 = new HtmPixelization(8);
/** Keeps results alive so that the work cannot be optimised away. */
const sink = { value: 0 };

function setupPoints(): void {
  let seed = 20240611;
  const rand = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
  for (let i = 0; i < N; i++) {
    lonRad[i] = rand() * 2 * Math.PI;
    latRad[i] = Math.asin(2 * rand() - 1);
  }
  vectors = Array.from(lonRad, (lon, i) => UnitVector3d.fromLonLatRadians(lon, latRad[i]!));
}

// A quadrilateral of about 1 deg² (1° × 1° at lon 45°, lat 30°, rotated a little).
const polygon = ConvexPolygon.convexHull(
  [
    [45.0, 29.5],
    [46.1, 29.6],
    [46.0, 30.5],
    [44.9, 30.4],
  ].map(([lon, lat]) => UnitVector3d.fromLonLatRadians(Angle.fromDegrees(lon!).asRadians(), Angle.fromDegrees(lat!).asRadians())),
);

/** HTM indexing throughput (level 20) and region envelopes (level 8). */
export const benchmarks: BenchCase[] = [
  {
    name: 'HtmPixelization(20).index, 100k random points',
    itemsPerIteration: N,
    itemUnit: 'points',
    setup: setupPoints,
    fn: () => {
      let s = 0;
      for (let i = 0; i < N; i++) s += htm20.index(vectors[i]!);
      sink.value += s;
    },
  },
  {
    name: 'HtmPixelization(20).indexLonLatArrays, 100k random points (typed arrays)',
    itemsPerIteration: N,
    itemUnit: 'points',
    setup: setupPoints,
    fn: () => {
      htm20.indexLonLatArrays(lonRad, latRad, out);
      sink.value += out[0]!;
    },
  },
  {
    name: 'HtmPixelization(8).envelope of a ~1 deg² polygon',
    itemsPerIteration: 1,
    itemUnit: 'envelopes',
    fn: () => {
      sink.value += htm8.envelope(polygon).size;
    },
  },
];
