// Kernel throughput on 4096 x 4096 float32 images: separable Gaussian convolution (plain and of a
// masked image) on the CPU backend and on 2 worker threads, MEANCLIP statistics of 16 Mpix, and a
// 128-pixel-bin background model with and without the Chebyshev approximation, and the binned
// MEANCLIP statistics alone of a star field (bright stars stretch each bin's range), and the
// median alone of the masked star field (one plane, as the deblender's sigma1), and the clipped
// mean and standard deviation of a 1 Mpix subsample of it (as the NoiseReplacer's noise).
//   pnpm bench --filter kernels [--smoke]
import { parseArgs } from 'node:util';
import { binnedStatisticsRows } from './backend-ops.js';
import { binGeometry, binsForSize, makeBackground } from './background.js';
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

let stars: Float32Array | undefined;

/** Sky 1000 ± 30 (Gaussian) with 3000 Gaussian stars of σ 1.5 pixels, fluxes 300 to ~3·10⁷. */
function starField(): Float32Array {
  if (stars === undefined) {
    const a = new Float32Array(PIX);
    let s = 7;
    const u = (): number => {
      s = (s * 16807) % 2147483647;
      return s / 2147483647;
    };
    for (let k = 0; k < PIX; k++) a[k] = 1000 + 30 * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
    for (let i = 0; i < 3000; i++) {
      const cx = 10 + u() * (N - 20);
      const cy = 10 + u() * (N - 20);
      const f = 300 / Math.max(1e-5, u() ** 2);
      for (let y = Math.floor(cy) - 6; y <= cy + 6; y++) {
        for (let x = Math.floor(cx) - 6; x <= cx + 6; x++) a[y * N + x]! += (f / (2 * Math.PI * 2.25)) * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 4.5);
      }
    }
    stars = a;
  }
  return stars;
}

let sample: Float32Array | undefined;

/** Every 4th pixel of every 4th row of the star field (a regular subsample, as the NoiseReplacer takes). */
function starSample(): Float32Array {
  if (sample === undefined) {
    const a = starField();
    const m = N >> 2;
    sample = new Float32Array(m * m);
    for (let j = 0; j < m; j++) for (let i = 0; i < m; i++) sample[j * m + i] = a[4 * j * N + 4 * i]!;
  }
  return sample;
}

/** MEANCLIP (3σ, 3 passes) of each bin of the star field, as a background model computes it. */
function binnedMeanClip(binSize: number): Float64Array {
  const g = binGeometry(N, binsForSize(N, binSize));
  const n = g.orig.length;
  const job = { image: starField(), width: N, height: N, xorig: g.orig, xsize: g.size, yorig: g.orig, ysize: g.size, property: 'MEANCLIP' as const, andMask: 0, numSigmaClip: 3, numIter: 3, nanSafe: true, outValue: new Float64Array(n * n), outError: new Float64Array(n * n) };
  binnedStatisticsRows(job, 0, n);
  return job.outValue;
}

let starMaskPlane: Int32Array | undefined;

/** A mask of the star field: bit 1 (DETECTED-like) above 1100, bit 2 on every 9973rd pixel. */
function starMask(): Int32Array {
  if (starMaskPlane === undefined) {
    const f = starField();
    starMaskPlane = new Int32Array(PIX);
    for (let k = 0; k < PIX; k++) starMaskPlane[k] = (f[k]! > 1100 ? 1 : 0) | (k % 9973 === 0 ? 2 : 0);
  }
  return starMaskPlane;
}

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
  {
    name: `makeStatistics MEDIAN alone ${N}² star field with a mask (as the deblender's sigma1)`,
    itemsPerIteration: PIX,
    itemUnit: 'pixels',
    setup: () => void starMask(),
    fn: () => makeStatistics(starField(), { properties: ['MEDIAN'], mask: starMask(), andMask: 2 }).getValue(),
  },
  {
    name: `makeStatistics MEANCLIP + STDEVCLIP of every 4th pixel of every 4th row of the ${N}² star field (as the NoiseReplacer's noise)`,
    itemsPerIteration: PIX / 16,
    itemUnit: 'pixels',
    setup: () => void starSample(),
    fn: () => makeStatistics(starSample(), { properties: ['MEANCLIP', 'STDEVCLIP'] }).getValue('STDEVCLIP'),
  },
  {
    name: `binned MEANCLIP ${N}² star field, binSize 128, cpu`,
    itemsPerIteration: PIX,
    itemUnit: 'pixels',
    setup: () => void starField(),
    fn: () => binnedMeanClip(128),
  },
  {
    name: `binned MEANCLIP ${N}² star field, binSize 64, cpu`,
    itemsPerIteration: PIX,
    itemUnit: 'pixels',
    setup: () => void starField(),
    fn: () => binnedMeanClip(64),
  },
];
