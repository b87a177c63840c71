// HealSparse input maps at LSST's resolution: bits of 30 inputs over a 0.11° patch at nside
// 32768 (coverage 256), written and read back; and valid pixels / value look-ups on 1M pixels.
//   pnpm bench --filter healsparse [--smoke]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HealSparseMap } from './healsparse-map.js';
import { HealSparsePolygon } from './healsparse-polygon.js';

interface BenchCase {
  name: string;
  itemsPerIteration?: number;
  itemUnit?: string;
  setup?: () => void | Promise<void>;
  fn?: () => unknown;
}

const NSIDE = 32768;
const INPUTS = 30;
const dir = mkdtempSync(join(tmpdir(), 'healsparse-bench-'));
const patch = new HealSparsePolygon([150, 150, 150.11, 150.11], [2.2, 2.31, 2.31, 2.2]).getPixels(NSIDE);
let inputMap: HealSparseMap | undefined;
let bigMap: HealSparseMap | undefined;
let probe = new Float64Array(0);

function makeInputMap(): HealSparseMap {
  const map = HealSparseMap.makeEmpty({ nsideCoverage: 256, nsideSparse: NSIDE, dtype: 'wide-mask', wideMaskMaxBits: INPUTS });
  for (let b = 0; b < INPUTS; b++) map.setBitsPix(patch, [b]);
  return map;
}

export const benchmarks: BenchCase[] = [
  {
    name: `setBitsPix: ${INPUTS} inputs on a 0.11° patch, nside 32768`,
    itemUnit: 'pixel-bits',
    itemsPerIteration: patch.length * INPUTS,
    fn: () => makeInputMap(),
  },
  {
    name: 'writeFits + readFits of that input map (GZIP_2 tiles)',
    itemUnit: 'files',
    itemsPerIteration: 1,
    setup: () => {
      inputMap = makeInputMap();
    },
    fn: async () => {
      const path = join(dir, 'inputMap.hsp');
      await inputMap!.writeFits(path);
      return HealSparseMap.readFits(path);
    },
  },
  {
    name: 'validPixels of 1M pixels (float32, nside 32768)',
    itemUnit: 'pixels',
    itemsPerIteration: 1 << 20,
    setup: () => {
      bigMap = HealSparseMap.makeEmpty({ nsideCoverage: 256, nsideSparse: NSIDE, dtype: 'float32' });
      probe = new Float64Array(1 << 20);
      const start = 5e9;
      for (let i = 0; i < probe.length; i++) probe[i] = start + i;
      bigMap.updateValuesPix(probe, 1.5);
    },
    fn: () => bigMap!.validPixels(),
  },
  {
    name: 'getValuesPix of 1M pixels (float32, nside 32768)',
    itemUnit: 'pixels',
    itemsPerIteration: 1 << 20,
    fn: () => bigMap!.getValuesPix(probe),
  },
];
