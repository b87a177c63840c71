import { computeDatasum } from './checksum.js';
import { encodeFits } from './fits-writer.js';
import { decodePixels, encodePixels } from './image-data.js';

interface BenchCase {
  name: string;
  itemsPerIteration?: number;
  itemUnit?: string;
  setup?: () => void | Promise<void>;
  fn: () => unknown;
}

const SIDE = 4096;
const N = SIDE * SIDE;

let float32Pixels = new Float32Array(0);
let float32Bytes: Uint8Array = new Uint8Array(0);
let int16Bytes: Uint8Array = new Uint8Array(0);
let uint16Pixels = new Uint16Array(0);

function setup(): void {
  if (float32Pixels.length === N) return;
  float32Pixels = new Float32Array(N);
  uint16Pixels = new Uint16Array(N);
  let seed = 12345;
  for (let i = 0; i < N; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    float32Pixels[i] = seed / 2147483648 - 0.5;
    uint16Pixels[i] = seed & 0xffff;
  }
  float32Bytes = encodePixels(float32Pixels).bytes;
  int16Bytes = encodePixels(uint16Pixels).bytes;
}

/** Decode, encode and checksum throughput of 4096 x 4096 images (bytes per second). */
export const benchmarks: BenchCase[] = [
  {
    name: 'decodePixels float32 4096x4096 (BITPIX -32, copy + swap)',
    itemsPerIteration: N * 4,
    itemUnit: 'bytes',
    setup,
    fn: () => decodePixels(float32Bytes, { bitpix: -32, bzero: 0, bscale: 1 }),
  },
  {
    // readImage decodes the buffer it just read in place; repeated runs swap back and forth
    name: 'decodePixels float32 4096x4096 in place (what readImage does after its read)',
    itemsPerIteration: N * 4,
    itemUnit: 'bytes',
    setup,
    fn: () => decodePixels(float32Bytes, { bitpix: -32, bzero: 0, bscale: 1 }, { inPlace: true }),
  },
  {
    name: 'decodePixels uint16 4096x4096 (BITPIX 16, BZERO 32768)',
    itemsPerIteration: N * 2,
    itemUnit: 'bytes',
    setup,
    fn: () => decodePixels(int16Bytes, { bitpix: 16, bzero: 32768, bscale: 1 }),
  },
  {
    name: 'decodePixels scaled int16 -> float32 4096x4096 (BSCALE 0.5, BZERO 100)',
    itemsPerIteration: N * 2,
    itemUnit: 'bytes',
    setup,
    fn: () => decodePixels(int16Bytes, { bitpix: 16, bzero: 100, bscale: 0.5 }),
  },
  {
    name: 'encodePixels float32 4096x4096',
    itemsPerIteration: N * 4,
    itemUnit: 'bytes',
    setup,
    fn: () => encodePixels(float32Pixels),
  },
  {
    name: 'computeDatasum 64 MiB',
    itemsPerIteration: N * 4,
    itemUnit: 'bytes',
    setup,
    fn: () => computeDatasum(float32Bytes),
  },
  {
    name: 'encodeFits float32 4096x4096 with CHECKSUM/DATASUM (in memory)',
    itemsPerIteration: N * 4,
    itemUnit: 'bytes',
    setup,
    fn: () => encodeFits([{ data: { data: float32Pixels, width: SIDE, height: SIDE } }]),
  },
];
