// butler register-skymap: building the patch records (geometry) of hsc_rings_v1 tracts, and
// registering a whole rings sky map (records with their skypix index rows + the skyMap dataset)
// into a fresh SQLite repository.
//   pnpm bench --filter register-skymap [--smoke]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Butler } from '@skystack/daf-butler';
import { makeSkyMap } from '@skystack/skymap';
import { makePatchRecords, registerSkyMap } from './register-skymap.js';

interface BenchCase {
  name: string;
  itemsPerIteration?: number;
  itemUnit?: string;
  setup?: () => void | Promise<void>;
  fn?: () => unknown;
}

const SMOKE = process.argv.includes('--smoke');
const HSC_TRACTS = SMOKE ? 5 : 50;
// A coarse rings sky map: 10″ pixels, 400-pixel patches.
const RINGS = SMOKE ? 4 : 12;

const hsc = makeSkyMap('hsc_rings_v1');
const rings = makeSkyMap({ name: 'rings', numRings: RINGS, pixelScale: 10, projection: 'TAN', patchInnerDimensions: [400, 400], patchBorder: 20 });
const ringsPatches = [...rings].reduce((n, t) => n + t.getNumPatches().x * t.getNumPatches().y, 0);

export const benchmarks: BenchCase[] = [
  {
    name: `patch records of ${HSC_TRACTS} hsc_rings_v1 tracts (81 patches each)`,
    itemsPerIteration: HSC_TRACTS * 81,
    itemUnit: 'patches',
    fn: () => {
      for (let t = 9000; t < 9000 + HSC_TRACTS; t++) makePatchRecords(hsc.get(t), 'hsc_rings_v1');
    },
  },
  {
    name: `registerSkyMap of a ${RINGS}-ring sky map (${rings.length} tracts, ${ringsPatches} patches) into a new SQLite repository`,
    itemsPerIteration: ringsPatches,
    itemUnit: 'patches',
    fn: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'register-skymap-bench-'));
      try {
        await Butler.makeRepo(join(dir, 'repo'));
        const butler = await Butler.from(join(dir, 'repo'), { writeable: true });
        try {
          await registerSkyMap(butler, rings, 'bench_rings');
        } finally {
          await butler.close();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];
