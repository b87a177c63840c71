// Kernel throughput on 4096 x 4096 float32 images: separable Gaussian convolution (plain and of a
// masked image) on the CPU backend and on 2 worker threads, MEANCLIP statistics of 16 Mpix, and a
// 128-pixel-bin background model with and without the Chebyshev approximation.
//   pnpm bench --filter kernels [--smoke]
import { parseArgs } from 'node:util';
import { makeBackground } from './background.js';
import { convolveMaskedImage, convolveSeparable } from './convolve.js';
import { gaussianKernel1d } from './gaussian-kernel.js';
import { cpuBackend } from './kernel-backend.js';
import { makeParallelBackend } from './parallel-backend.js';
import { allocShared } from './shared-arrays.js';
import { makeStatistics } from './statistics.js';

interface BenchCase {
  name: string;
  itemsPerIteration?: number;
  itemUnit?: string;
  setup?: () => void | Promise<void>;
  fn?: () => unknown;
}

const { values: args } = parseArgs({ options: { smoke: { type: 'boolean' } }, strict: false });
const N = args.smoke === true ? 512 : 4096;
const PIX = N * N;
let src: Float32Array | undefined;
let dst: Float32Array | undefined;
let scratch: Float32Array | undefined;
let masked: { variance: Float32Array; mask: Int32Array; out: { image: Float32Array; variance: Float32Array; mask: Int32Array } } | undefined;
const kernel = gaussianKernel1d(2);
const parallel = makeParallelBackend({ workers: 2 });

function image(): Float32Array {
  if (src === undefined) {
    // shared memory, so that the parallel backend copies nothing
    src = allocShared(Float32Array, PIX);
    dst = allocShared(Float32Array, PIX);
    scratch = new Float32Array(PIX);
    let s = 1;
    for (let k = 0; k < PIX; k++) {
      s = (s * 16807) % 2147483647;
      src[k] = 1000 + 10 * (s / 2147483647 - 0.5) + 0.001 * (k % N);
    }
  }
  return src;
}

export const benchmarks: BenchCase[] = [
  {
    name: `convolveSeparable ${N}² Gaussian σ=2 (17 taps), cpu`,
    itemsPerIteration: PIX,
    itemUnit: 'pixels',
    setup: () => void image(),
    fn: () => convolveSeparable(image(), dst!, N, N, kernel, kernel, { backend: cpuBackend }),
  },
  {
    name: `convolveSeparable ${N}² Gaussian σ=2 (17 taps), parallel(2)`,
    itemsPerIteration: PIX,
    itemUnit: 'pixels',
    setup: () => {
      image();
      convolveSeparable(image(), dst!, N, N, kernel, kernel, { backend: parallel }); // start the workers
    },
    fn: () => convolveSeparable(image(), dst!, N, N, kernel, kernel, { backend: parallel }),
  },
  {
    name: `convolveMaskedImage ${N}² Gaussian σ=2 (17 taps; image, variance, mask), cpu`,
    itemsPerIteration: PIX,
    itemUnit: 'pixels',
    setup: () => {
      image();
      masked ??= {
        variance: new Float32Array(PIX).fill(30),
        mask: Int32Array.from({ length: PIX }, (_, k) => (k % 9973 === 0 ? 1 : 0)),
        out: { image: new Float32Array(PIX), variance: new Float32Array(PIX), mask: new Int32Array(PIX) },
      };
    },
    fn: () => convolveMaskedImage({ image: image(), variance: masked!.variance, mask: masked!.mask, width: N, height: N }, masked!.out, kernel, kernel, { backend: cpuBackend }),
  },
  {
    name: `makeStatistics MEANCLIP ${N}² (${(PIX / 1e6).toFixed(1)} Mpix)`,
    itemsPerIteration: PIX,
    itemUnit: 'pixels',
    setup: () => void image(),
    fn: () => makeStatistics(image(), { properties: ['MEANCLIP'], scratch: scratch! }).getValue(),
  },
  {
    name: `background ${N}² binSize 128, AKIMA_SPLINE, make + getImage, cpu`,
    itemsPerIteration: PIX,
    itemUnit: 'pixels',
    setup: () => void image(),
    fn: () => makeBackground(image(), N, N, { binSize: 128, backend: cpuBackend }).getImage(),
  },
  {
    name: `background ${N}² binSize 128, Chebyshev order 6, make + getImage, cpu`,
    itemsPerIteration: PIX,
    itemUnit: 'pixels',
    setup: () => void image(),
    fn: () => makeBackground(image(), N, N, { binSize: 128, approx: { useApprox: true }, backend: cpuBackend }).getImage(),
  },
  {
    name: `background ${N}² binSize 128, AKIMA_SPLINE, make + getImage, parallel(2)`,
    itemsPerIteration: PIX,
    itemUnit: 'pixels',
    setup: () => void image(),
    fn: () => makeBackground(image(), N, N, { binSize: 128, backend: parallel }).getImage(),
  },
];
