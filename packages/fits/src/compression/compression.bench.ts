import { gzip2Compress, gzip2Decompress } from './gzip.js';
import { riceCompress, riceDecompress } from './rice.js';

interface BenchCase {
  name: string;
  itemsPerIteration?: number;
  itemUnit?: string;
  setup?: () => void;
  fn: () => unknown;
}

const SIDE = 4096;
const N = SIDE * SIDE;
// Row tiles, as fpack writes by default.
const TILE = SIDE;

let i16 = new Int16Array(0);
let i32 = new Int32Array(0);
let rice16: Uint8Array[] = [];
let rice32: Uint8Array[] = [];
let gzip16: Uint8Array[] = [];
const out16 = new Int16Array(TILE);
const out32 = new Int32Array(TILE);

/** A sky-like noisy image: background plus Gaussian-ish noise of a few hundred counts. */
function setup(): void {
  if (i16.length === N) return;
  i16 = new Int16Array(N);
  i32 = new Int32Array(N);
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < N; i++) {
    const noise = (rand() + rand() + rand() + rand() - 2) * 300;
    i16[i] = 1000 + Math.round(noise);
    i32[i] = 100000 + Math.round(noise * 40);
  }
  rice16 = [];
  rice32 = [];
  gzip16 = [];
  for (let r = 0; r < SIDE; r++) {
    rice16.push(riceCompress(i16.subarray(r * TILE, (r + 1) * TILE)));
    rice32.push(riceCompress(i32.subarray(r * TILE, (r + 1) * TILE)));
    gzip16.push(gzip2Compress(i16.subarray(r * TILE, (r + 1) * TILE), 1));
  }
}

/** Tile codec throughput on a 4096 x 4096 noisy image in row tiles (bytes = uncompressed bytes). */
export const benchmarks: BenchCase[] = [
  {
    name: 'RICE_1 decompress int16 4096x4096',
    itemsPerIteration: N * 2,
    itemUnit: 'bytes',
    setup,
    fn: () => {
      for (const t of rice16) riceDecompress(t, out16);
      return out16[0];
    },
  },
  {
    name: 'RICE_1 compress int16 4096x4096',
    itemsPerIteration: N * 2,
    itemUnit: 'bytes',
    setup,
    fn: () => {
      let bytes = 0;
      for (let r = 0; r < SIDE; r++) bytes += riceCompress(i16.subarray(r * TILE, (r + 1) * TILE)).length;
      return bytes;
    },
  },
  {
    name: 'RICE_1 decompress int32 4096x4096',
    itemsPerIteration: N * 4,
    itemUnit: 'bytes',
    setup,
    fn: () => {
      for (const t of rice32) riceDecompress(t, out32);
      return out32[0];
    },
  },
  {
    name: 'RICE_1 compress int32 4096x4096',
    itemsPerIteration: N * 4,
    itemUnit: 'bytes',
    setup,
    fn: () => {
      let bytes = 0;
      for (let r = 0; r < SIDE; r++) bytes += riceCompress(i32.subarray(r * TILE, (r + 1) * TILE)).length;
      return bytes;
    },
  },
  {
    name: 'GZIP_2 decompress int16 4096x4096',
    itemsPerIteration: N * 2,
    itemUnit: 'bytes',
    setup,
    fn: () => {
      for (const t of gzip16) gzip2Decompress(t, out16);
      return out16[0];
    },
  },
];
