// RingsSkyMap.findTract on uniformly random sky points (hsc_rings_v1): tracts are built once in
// setup, so the loop measures the lookup (ring from Dec, tract from RA, cached TractInfo).
// 1,000,000 points per iteration; `pnpm bench --smoke` uses 10,000.

import { SpherePoint } from '@skystack/geom';
import { makeSkyMap } from './make-sky-map.js';
import type { RingsSkyMap } from './rings-sky-map.js';

interface BenchCase {
  name: string;
  itemsPerIteration?: number;
  itemUnit?: string;
  setup?: () => void | Promise<void>;
  fn?: () => unknown;
}

const SMOKE = process.argv.includes('--smoke');
const N = SMOKE ? 10_000 : 1_000_000;

const skyMap = makeSkyMap('hsc_rings_v1') as RingsSkyMap;
const ra = new Float64Array(N);
const dec = new Float64Array(N);
let seed = 12345;
const rand = (): number => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0), seed / 4294967296);
for (let i = 0; i < N; i++) {
  ra[i] = 2 * Math.PI * rand();
  dec[i] = Math.asin(2 * rand() - 1);
}
const coords = Array.from({ length: N }, (_, i) => SpherePoint.fromRadians(ra[i]!, dec[i]!));
const ids = new Int32Array(N);

/** findTract (SpherePoint → TractInfo) and findTractIdArray (radians → ids). */
export const benchmarks: BenchCase[] = [
  {
    name: `findTract, hsc_rings_v1, ${N.toLocaleString('en-US')} random points`,
    itemsPerIteration: N,
    itemUnit: 'lookups',
    setup: () => {
      for (const c of coords) skyMap.findTract(c); // build the tracts once
    },
    fn: () => {
      let s = 0;
      for (let i = 0; i < N; i++) s += skyMap.findTract(coords[i]!).getId();
      return s;
    },
  },
  {
    name: `findTractIdArray, hsc_rings_v1, ${N.toLocaleString('en-US')} random points`,
    itemsPerIteration: N,
    itemUnit: 'lookups',
    fn: () => {
      for (let i = 0; i < N; i++) ids[i] = skyMap.findTractId(ra[i]!, dec[i]!);
      return ids;
    },
  },
];
