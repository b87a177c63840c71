// The two kernel loops of a detection run on one 4096² CCD, one thread: the image-only separable
// smoothing with the PSF-sized Gaussian (σ = 1.49 px, 11 taps: the SourceDetectionTask's
// smoothing), and a background's order-6 Chebyshev approximation evaluated in bands of 128 rows
// (as SubtractBackgroundTask subtracts it), each with the WebAssembly SIMD loops and with the
// TypeScript ones.
//   pnpm bench --filter convolve [--smoke]
import { parseArgs } from 'node:util';
import { evaluateChebyshevRows } from './chebyshev.js';
import { convolveSeparable } from './convolve.js';
import { gaussianKernel1d } from './gaussian-kernel.js';
import { cpuBackend } from './kernel-backend.js';
import { setSimdEnabled } from './simd-kernels.js';

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
const BAND = 128;
const kernel = gaussianKernel1d(1.49, 5);
let src: Float32Array | undefined;
let dst: Float32Array | undefined;
const band = new Float32Array(BAND * N);
const domain = { minX: -0.5, maxX: N - 0.5, minY: -0.5, maxY: N - 0.5 };
// a triangular order-6 series (the background's approximation: terms of total degree ≤ 6)
const coefficients = Float64Array.from({ length: 49 }, (_, k) => ((k % 7) + Math.floor(k / 7) <= 6 ? Math.cos(k) : 0));

/** Sky 1000 ± 5 with a slow gradient (the output buffer written once, so its pages exist). */
function image(): Float32Array {
  if (src === undefined) {
    src = new Float32Array(PIX);
    dst = new Float32Array(PIX).fill(0);
    let s = 1;
    for (let k = 0; k < PIX; k++) {
      s = (s * 16807) % 2147483647;
      src[k] = 1000 + 10 * (s / 2147483647 - 0.5) + 0.001 * (k % N);
    }
  }
  return src;
}

function smooth(simd: boolean): void {
  setSimdEnabled(simd);
  convolveSeparable(image(), dst!, N, N, kernel, kernel, { backend: cpuBackend });
  setSimdEnabled(true);
}

function chebyshevBands(simd: boolean): void {
  setSimdEnabled(simd);
  for (let y = 0; y < N; y += BAND) evaluateChebyshevRows(coefficients, 6, 6, domain, band, 0, y, N, 0, Math.min(BAND, N - y));
  setSimdEnabled(true);
}

export const benchmarks: BenchCase[] = [
  {
    name: `convolveSeparable ${N}² Gaussian σ=1.49 (11 taps, as detection smooths), cpu, SIMD`,
    itemsPerIteration: PIX,
    itemUnit: 'pixels',
    setup: () => void image(),
    fn: () => smooth(true),
  },
  {
    name: `convolveSeparable ${N}² Gaussian σ=1.49 (11 taps), cpu, TypeScript loops`,
    itemsPerIteration: PIX,
    itemUnit: 'pixels',
    setup: () => void image(),
    fn: () => smooth(false),
  },
  {
    name: `Chebyshev order 6 on ${N}² in bands of ${BAND} rows (as a background is subtracted), SIMD`,
    itemsPerIteration: PIX,
    itemUnit: 'pixels',
    fn: () => chebyshevBands(true),
  },
  {
    name: `Chebyshev order 6 on ${N}² in bands of ${BAND} rows, TypeScript loops`,
    itemsPerIteration: PIX,
    itemUnit: 'pixels',
    fn: () => chebyshevBands(false),
  },
];
