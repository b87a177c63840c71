// The variance plane of a photon-counting image (ip_isr's updateVariance) as an operation of the
// kernel contract: one pass over the pixels, rows independent, so the parallel backend splits it.
import { KernelsInvalidArgumentError } from './errors.js';
import { getDefaultBackend, type KernelBackend } from './kernel-backend.js';
import { checkStridedBox } from './strided-box.js';
import type { PoissonVarianceJob, VarianceSourceArray } from './variance-core.js';

/** Options of {@link poissonVariance}. */
export interface PoissonVarianceOptions {
  /** Box width. */
  readonly width: number;
  /** Box height. */
  readonly height: number;
  /** Gain, electron/ADU (positive). */
  readonly gain: number;
  /** Read noise, electrons (default 0): `(readNoise / gain)²` is added to every pixel. */
  readonly readNoise?: number;
  /** Add to the plane's values instead of replacing them (default false). */
  readonly accumulate?: boolean;
  /** Index of the box's first pixel in the image (default 0). */
  readonly imageOffset?: number;
  /** Image row stride (default `width`). */
  readonly imageStride?: number;
  /** Index of the box's first pixel in the variance plane (default 0). */
  readonly offset?: number;
  /** Variance row stride (default `width`). */
  readonly stride?: number;
  /** Backend (default: {@link getDefaultBackend}). */
  readonly backend?: KernelBackend;
}

/**
 * Writes the variance of a photon-counting image into a variance plane, as ip_isr's
 * `updateVariance`: `V = I / gain + (readNoise / gain)²` per pixel (with `accumulate`,
 * `V = (V + I) / gain + (readNoise / gain)²`). Negative pixels are not clipped. On the parallel
 * backend the rows are split between its threads (a fresh plane's pages are first touched in
 * parallel too).
 *
 * @param image - the image, counts
 * @param variance - the variance plane, written in place
 * @param options - the box, gain, read noise and backend
 * @throws {@link KernelsInvalidArgumentError} when the gain is not positive and finite, or a plane is too short for the box
 * @example
 * ```ts
 * poissonVariance(image, variance, { width: 4096, height: 4096, gain: 1.7, readNoise: 5 });
 * ```
 */
export function poissonVariance(image: VarianceSourceArray, variance: Float32Array, options: PoissonVarianceOptions): void {
  const { width, height, gain } = options;
  const readNoise = options.readNoise ?? 0;
  if (!(gain > 0 && Number.isFinite(gain))) throw new KernelsInvalidArgumentError(`The gain must be positive and finite, got ${gain}.`, { hint: 'Give the gain in electron/ADU.' });
  if (!Number.isFinite(readNoise)) throw new KernelsInvalidArgumentError(`The read noise must be finite, got ${readNoise}.`);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new KernelsInvalidArgumentError(`The box must have a non-negative integer size, got ${width} × ${height}.`);
  }
  const imageOffset = options.imageOffset ?? 0;
  const imageStride = options.imageStride ?? width;
  const offset = options.offset ?? 0;
  const stride = options.stride ?? width;
  if (width === 0 || height === 0) return;
  checkStridedBox('image plane', image.length, imageOffset, imageStride, width, height);
  checkStridedBox('variance plane', variance.length, offset, stride, width, height);
  const job: PoissonVarianceJob = {
    image,
    imageOffset,
    imageStride,
    out: variance,
    offset,
    stride,
    width,
    height,
    gain,
    readVariance: (readNoise / gain) ** 2,
    accumulate: options.accumulate ?? false,
  };
  (options.backend ?? getDefaultBackend()).run('poissonVariance', job);
}
