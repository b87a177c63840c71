import { SpherePoint, separationRadiansArray } from './sphere-point.js';

interface BenchCase {
  name: string;
  itemsPerIteration?: number;
  itemUnit?: string;
  setup?: () => void;
  fn: () => unknown;
}

const N = 100_000;
const lon1 = new Float64Array(N);
const lat1 = new Float64Array(N);
const lon2 = new Float64Array(N);
const lat2 = new Float64Array(N);
const out = new Float64Array(N);
let pointsA: SpherePoint[] = [];
let pointsB: SpherePoint[] = [];

function setup(): void {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < N; i++) {
    lon1[i] = rand() * 2 * Math.PI;
    lat1[i] = Math.asin(2 * rand() - 1);
    lon2[i] = rand() * 2 * Math.PI;
    lat2[i] = Math.asin(2 * rand() - 1);
  }
  pointsA = Array.from(lon1, (l, i) => SpherePoint.fromRadians(l, lat1[i]!));
  pointsB = Array.from(lon2, (l, i) => SpherePoint.fromRadians(l, lat2[i]!));
}

/** Separation throughput, object API and batched typed-array API. */
export const benchmarks: BenchCase[] = [
  {
    name: 'SpherePoint.separation (objects)',
    itemsPerIteration: N,
    itemUnit: 'pairs',
    setup,
    fn: () => {
      let s = 0;
      for (let i = 0; i < N; i++) s += pointsA[i]!.separation(pointsB[i]!).asRadians();
      return s;
    },
  },
  {
    name: 'separationRadiansArray (typed arrays)',
    itemsPerIteration: N,
    itemUnit: 'pairs',
    setup,
    fn: () => separationRadiansArray(lon1, lat1, lon2, lat2, out),
  },
];
