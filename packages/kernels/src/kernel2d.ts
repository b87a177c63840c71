import { KernelsInvalidArgumentError } from './errors.js';
import { gaussianKernel1d } from './gaussian-kernel.js';

/**
 * A fixed 2-D kernel (afw `FixedKernel`): row-major values with its centre pixel. Output pixel
 * `(x, y)` of a convolution is `Σ_{i,j} data[j * width + i] · in(x - ctrX + i, y - ctrY + j)`.
 */
export interface Kernel2d {
  /** Values, row-major, `width * height`. */
  readonly data: Float64Array;
  /** Columns. */
  readonly width: number;
  /** Rows. */
  readonly height: number;
  /** Column of the centre (afw: `(width - 1) / 2` rounded down). */
  readonly ctrX: number;
  /** Row of the centre (afw: `(height - 1) / 2` rounded down). */
  readonly ctrY: number;
}

/** Options of {@link makeKernel2d}. */
export interface MakeKernel2dOptions {
  /** Centre column (default `floor((width - 1) / 2)`). */
  readonly ctrX?: number;
  /** Centre row (default `floor((height - 1) / 2)`). */
  readonly ctrY?: number;
  /** Scale the values to sum 1 (default false). */
  readonly normalize?: boolean;
}

/**
 * Wraps (copies) kernel values as a {@link Kernel2d}.
 *
 * @param data - `width * height` values, row-major
 * @param width - columns (>= 1)
 * @param height - rows (>= 1)
 * @param options - centre and normalisation
 * @returns the kernel
 * @throws {@link KernelsInvalidArgumentError} for a wrong length, empty size, a centre outside the
 *   kernel, or normalising a kernel whose sum is 0
 * @example
 * ```ts
 * const box = makeKernel2d(new Float64Array(9).fill(1), 3, 3, { normalize: true });
 * ```
 * @see lsst.afw.math.FixedKernel
 */
export function makeKernel2d(
  data: ArrayLike<number>,
  width: number,
  height: number,
  options: MakeKernel2dOptions = {},
): Kernel2d {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new KernelsInvalidArgumentError(`A kernel needs integer dimensions >= 1; got ${width}x${height}.`);
  }
  if (data.length !== width * height) {
    throw new KernelsInvalidArgumentError(`A ${width}x${height} kernel needs ${width * height} values; got ${data.length}.`);
  }
  const ctrX = options.ctrX ?? Math.floor((width - 1) / 2);
  const ctrY = options.ctrY ?? Math.floor((height - 1) / 2);
  if (!Number.isInteger(ctrX) || !Number.isInteger(ctrY) || ctrX < 0 || ctrX >= width || ctrY < 0 || ctrY >= height) {
    throw new KernelsInvalidArgumentError(`The kernel centre (${ctrX}, ${ctrY}) is outside the ${width}x${height} kernel.`);
  }
  const values = Float64Array.from(data);
  if (options.normalize === true) {
    let sum = 0;
    for (const v of values) sum += v;
    if (sum === 0 || !Number.isFinite(sum)) {
      throw new KernelsInvalidArgumentError(`Cannot normalise a kernel whose sum is ${sum}.`);
    }
    for (let k = 0; k < values.length; k++) values[k] = values[k]! / sum;
  }
  return { data: values, width, height, ctrX, ctrY };
}

/**
 * The 2-D kernel `kx[i] · ky[j]` of a separable pair (afw `SeparableKernel` as an image).
 *
 * @param kx - kernel along x
 * @param ky - kernel along y
 * @returns the kernel, centred at `(floor((len-1)/2), ...)`
 * @throws {@link KernelsInvalidArgumentError} for empty kernels
 * @example
 * ```ts
 * const k = outerKernel2d(gaussianKernel1d(2), gaussianKernel1d(2));
 * ```
 */
export function outerKernel2d(kx: ArrayLike<number>, ky: ArrayLike<number>): Kernel2d {
  const data = new Float64Array(kx.length * ky.length);
  for (let j = 0; j < ky.length; j++) for (let i = 0; i < kx.length; i++) data[j * kx.length + i] = kx[i]! * ky[j]!;
  return makeKernel2d(data, kx.length, ky.length);
}

/**
 * A normalised 2-D Gaussian kernel (axis-aligned; a separable product).
 *
 * @param sigmaX - sigma along x, pixels
 * @param sigmaY - sigma along y (default `sigmaX`)
 * @param halfWidth - half-width along both axes (default `ceil(4 · max σ)`)
 * @returns the kernel
 * @throws {@link KernelsInvalidArgumentError} for bad sigmas
 * @example
 * ```ts
 * const k = gaussianKernel2d(1.5);
 * convolve2d(src, dst, width, height, k.data, k.width, k.height);
 * ```
 * @see lsst.afw.math.GaussianFunction2
 */
export function gaussianKernel2d(sigmaX: number, sigmaY: number = sigmaX, halfWidth?: number): Kernel2d {
  const h = halfWidth ?? Math.ceil(4 * Math.max(sigmaX, sigmaY));
  return outerKernel2d(gaussianKernel1d(sigmaX, h), gaussianKernel1d(sigmaY, h));
}
