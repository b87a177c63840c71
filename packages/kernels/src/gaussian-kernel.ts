import { KernelsInvalidArgumentError } from './errors.js';

/**
 * A normalised 1-D Gaussian kernel, `exp(-i² / 2σ²)` for `i = -halfWidth..halfWidth`, scaled to
 * sum 1 (afw normalises kernel images the same way). Its centre is index `halfWidth`.
 *
 * @param sigma - the Gaussian sigma in pixels, > 0
 * @param halfWidth - pixels each side of the centre (default `ceil(4σ)`; SourceDetectionTask's
 *   smoothing kernel uses `int(7σ + 0.5)`)
 * @returns `2 * halfWidth + 1` values
 * @throws {@link KernelsInvalidArgumentError} for a non-positive sigma or a negative/non-integer
 *   half-width
 * @example
 * ```ts
 * const k = gaussianKernel1d(2); // 17 values, sum 1
 * convolveSeparable(src, dst, width, height, k, k);
 * ```
 * @see lsst.afw.math.GaussianFunction1, lsst.afw.math.SeparableKernel
 */
export function gaussianKernel1d(sigma: number, halfWidth: number = Math.ceil(4 * sigma)): Float64Array {
  if (!(sigma > 0) || !Number.isFinite(sigma)) {
    throw new KernelsInvalidArgumentError(`A Gaussian kernel needs a finite sigma > 0; got ${sigma}.`);
  }
  if (!Number.isInteger(halfWidth) || halfWidth < 0) {
    throw new KernelsInvalidArgumentError(`The kernel half-width must be an integer >= 0; got ${halfWidth}.`);
  }
  const k = new Float64Array(2 * halfWidth + 1);
  let sum = 0;
  for (let i = -halfWidth; i <= halfWidth; i++) {
    const v = Math.exp((-i * i) / (2 * sigma * sigma));
    k[i + halfWidth] = v;
    sum += v;
  }
  for (let i = 0; i < k.length; i++) k[i] = k[i]! / sum;
  return k;
}
