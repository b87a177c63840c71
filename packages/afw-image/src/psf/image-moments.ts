// Measurements on PSF kernel images: adaptive second moments and circular-aperture sums.
import { AfwImageInvalidArgumentError } from '../errors.js';
import type { Image } from '../image.js';
import type { PixelArray } from '../pixel-type.js';
import { Quadrupole } from './quadrupole.js';

/** Options of {@link computeAdaptiveMoments}. */
export interface AdaptiveMomentsOptions {
  /** Iteration limit (default 100). */
  readonly maxIterations?: number;
  /** Stop when every moment changes by less than this fraction (default 1e-9). */
  readonly tolerance?: number;
}

/**
 * The adaptive (Gaussian-weighted, iterated) second moments of an image about a fixed centre,
 * as SdssShape's `computeAdaptiveMoments` gives for a PSF kernel image: the weight is an
 * elliptical Gaussian whose moments are iterated to twice the weighted moments, which for a
 * Gaussian profile converges to the profile's own moments.
 *
 * @param image - the image (PARENT coordinates)
 * @param cx - the centre x (PARENT)
 * @param cy - the centre y (PARENT)
 * @param options - iteration limit and tolerance
 * @returns the moments
 * @throws {@link AfwImageInvalidArgumentError} when the iteration fails (no positive weighted flux, a non-positive-definite result)
 * @example
 * ```ts
 * const q = computeAdaptiveMoments(psf.computeKernelImage(), 0, 0);
 * q.getDeterminantRadius(); // σ for a Gaussian PSF
 * ```
 * @see lsst.meas.base.SdssShapeAlgorithm.computeAdaptiveMoments
 */
export function computeAdaptiveMoments(image: Image<PixelArray>, cx: number, cy: number, options: AdaptiveMomentsOptions = {}): Quadrupole {
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-9;
  const { data, stride, width, height } = image.array;
  const x0 = image.getX0();
  const y0 = image.getY0();
  let wxx = 1.5;
  let wyy = 1.5;
  let wxy = 0;
  const weights = new Float64Array(width);
  for (let iter = 0; iter < maxIterations; iter++) {
    const det = wxx * wyy - wxy * wxy;
    if (!(det > 0)) break;
    const ixx = wyy / det;
    const iyy = wxx / det;
    const ixy = -wxy / det;
    let s = 0;
    let sxx = 0;
    let syy = 0;
    let sxy = 0;
    // along a row the exponent is a quadratic in i, so each weight is its neighbour's times a
    // ratio that itself changes by a constant factor: three exponentials a row instead of one a
    // pixel (see ellipticalGaussianRow for the rounding), walked outwards from the row's largest
    // weight so that the weights only shrink (one that underflows to 0 is 0)
    const e2 = Math.exp(-ixx);
    for (let j = 0; j < height; j++) {
      const dy = y0 + j - cy;
      ellipticalGaussianRow(weights, width, x0 - cx, dy, ixx, ixy, iyy, e2);
      // the row's Σv, Σv·dx, Σv·dx² (Σv·dy and Σv·dy² follow from them)
      const row = j * stride;
      let r0 = 0;
      let r1 = 0;
      let r2 = 0;
      for (let i = 0; i < width; i++) {
        const dx = x0 + i - cx;
        const v = weights[i]! * Number(data[row + i]);
        const vx = v * dx;
        r0 += v;
        r1 += vx;
        r2 += vx * dx;
      }
      s += r0;
      sxx += r2;
      syy += r0 * dy * dy;
      sxy += r1 * dy;
    }
    if (!(s > 0)) break;
    const nxx = (2 * sxx) / s;
    const nyy = (2 * syy) / s;
    const nxy = (2 * sxy) / s;
    const done = Math.abs(nxx - wxx) <= tolerance * wxx && Math.abs(nyy - wyy) <= tolerance * wyy && Math.abs(nxy - wxy) <= tolerance * Math.sqrt(wxx * wyy);
    if (done) return new Quadrupole(nxx, nyy, nxy);
    // The map W -> 2M(W) has Jacobian 1/2 at its fixed point for a Gaussian profile, so the plain
    // step halves the error each pass (~30 passes to 1e-9); the extrapolated step W <- 2F(W) - W
    // has the same fixed point and converges quadratically near it. Fall back to the plain step
    // when the extrapolation is not positive definite.
    const exx = 2 * nxx - wxx;
    const eyy = 2 * nyy - wyy;
    const exy = 2 * nxy - wxy;
    if (exx > 0 && eyy > 0 && exx * eyy - exy * exy > 0) {
      wxx = exx;
      wyy = eyy;
      wxy = exy;
    } else {
      wxx = nxx;
      wyy = nyy;
      wxy = nxy;
    }
  }
  if (wxx > 0 && wyy > 0 && wxx * wyy - wxy * wxy > 0) return new Quadrupole(wxx, wyy, wxy);
  throw new AfwImageInvalidArgumentError(`Adaptive moments did not converge about (${cx}, ${cy}) on a ${width} x ${height} image.`, {
    hint: 'The image must have positive flux near the centre.',
  });
}

/**
 * One row of an elliptical Gaussian weight, `exp(-½(ixx·dx² + 2·ixy·dx·dy + iyy·dy²))` for
 * `dx = ax + i`, `i` in `[0, width)`, written to `out[offset, offset + width)`: the weights of adaptive moments
 * (SdssShape) at four exponentials a row instead of one a pixel. Each step multiplies in one more
 * rounded ratio, so a weight `n` pixels from the row's peak differs from `exp()` of its exponent
 * `q` by ~(|q| + n²)·1e-16 relative (`exp` of a rounded `q` is itself off by ~|q|·1e-16): ~1e-15
 * near the peak, where the weights matter. (With `ixx ≤ 0`, not a Gaussian along the row, each
 * weight is `exp()` of its exponent.)
 * With `q(i)` the exponent, `q(i+1) - q(i) = β - ixx·(i + ½)` (`β = -(ixx·ax + ixy·dy)`), so from
 * the row's largest weight outwards each weight is the previous one times a ratio that shrinks
 * by `exp(-ixx)` every step: the weights only decrease, and one that underflows is 0.
 *
 * @param out - where the weights go (at least `width` long)
 * @param width - pixels in the row
 * @param ax - `dx` of the row's first pixel
 * @param dy - the row's `dy`
 * @param ixx - the inverse moments' xx (> 0)
 * @param ixy - the inverse moments' xy
 * @param iyy - the inverse moments' yy
 * @param e2 - `exp(-ixx)` (given, so that a caller computes it once for many rows)
 * @param offset - where in `out` the row starts (default 0)
 * @example
 * ```ts
 * const w = new Float64Array(21);
 * ellipticalGaussianRow(w, 21, -10, 0, 0.25, 0, 0.25, Math.exp(-0.25)); // w[10] = 1
 * ```
 */
export function ellipticalGaussianRow(out: Float64Array, width: number, ax: number, dy: number, ixx: number, ixy: number, iyy: number, e2: number, offset = 0): void {
  if (!(ixx > 0)) {
    // (not a Gaussian along x: no largest weight to walk from; exp() pixel by pixel)
    for (let i = 0; i < width; i++) {
      const dx = ax + i;
      out[offset + i] = Math.exp(-0.5 * (ixx * dx * dx + 2 * ixy * dx * dy + iyy * dy * dy));
    }
    return;
  }
  const beta = -(ixx * ax + ixy * dy);
  // the largest weight: q is largest at i = beta / ixx
  let peak = Math.round(beta / ixx);
  peak = peak < 0 ? 0 : peak >= width ? width - 1 : peak;
  const dx = ax + peak;
  const w0 = Math.exp(-0.5 * (ixx * dx * dx + 2 * ixy * dx * dy + iyy * dy * dy));
  out[offset + peak] = w0;
  // rightwards: w(i+1) = w(i)·exp(β - ixx·(i + ½))
  let w = w0;
  let r = Math.exp(beta - ixx * (peak + 0.5));
  for (let i = peak + 1; i < width; i++) {
    w *= r;
    r *= e2;
    out[offset + i] = w;
  }
  // leftwards: w(i-1) = w(i)·exp(-β + ixx·(i - ½))
  w = w0;
  let l = Math.exp(-beta + ixx * (peak - 0.5));
  for (let i = peak - 1; i >= 0; i--) {
    w *= l;
    l *= e2;
    out[offset + i] = w;
  }
}

/** Area of `[x0, x1] × [y0, y1]` inside the circle of radius r about the origin (x0 < x1, y0 < y1). */
function pixelOverlap(r: number, x0: number, x1: number, y0: number, y1: number): number {
  const near = Math.hypot(Math.max(0, x0, -x1), Math.max(0, y0, -y1));
  if (near >= r) return 0;
  const far = Math.hypot(Math.max(Math.abs(x0), Math.abs(x1)), Math.max(Math.abs(y0), Math.abs(y1)));
  if (far <= r) return (x1 - x0) * (y1 - y0);
  // Exact in y, numerical (Gauss-Legendre on sub-intervals) in x.
  const a = Math.max(x0, -r);
  const b = Math.min(x1, r);
  const n = 8;
  const gx = [-0.8611363115940526, -0.3399810435848563, 0.3399810435848563, 0.8611363115940526];
  const gw = [0.3478548451374538, 0.6521451548625461, 0.6521451548625461, 0.3478548451374538];
  let area = 0;
  const h = (b - a) / n;
  for (let k = 0; k < n; k++) {
    const mid = a + (k + 0.5) * h;
    for (let g = 0; g < 4; g++) {
      const x = mid + 0.5 * h * gx[g]!;
      const half = Math.sqrt(Math.max(0, r * r - x * x));
      area += 0.5 * h * gw[g]! * Math.max(0, Math.min(y1, half) - Math.max(y0, -half));
    }
  }
  return area;
}

/**
 * The sum of an image inside a circle, each pixel weighted by the fraction of its area inside
 * (pixel `(i, j)` covers `[i - 0.5, i + 0.5] × [j - 0.5, j + 0.5]`).
 *
 * @param image - the image (PARENT coordinates)
 * @param radius - the aperture radius (pixels, > 0)
 * @param cx - the centre x (PARENT)
 * @param cy - the centre y (PARENT)
 * @returns the sum
 * @throws {@link AfwImageInvalidArgumentError} when the radius is not positive
 * @example
 * ```ts
 * const flux = computeCircularApertureSum(psf.computeKernelImage(), 3, 0, 0);
 * ```
 */
export function computeCircularApertureSum(image: Image<PixelArray>, radius: number, cx: number, cy: number): number {
  if (!(radius > 0)) throw new AfwImageInvalidArgumentError(`The aperture radius must be positive; got ${radius}.`);
  const { data, stride, width, height } = image.array;
  const x0 = image.getX0();
  const y0 = image.getY0();
  let sum = 0;
  for (let j = 0; j < height; j++) {
    const dy = y0 + j - cy;
    for (let i = 0; i < width; i++) {
      const dx = x0 + i - cx;
      const f = pixelOverlap(radius, dx - 0.5, dx + 0.5, dy - 0.5, dy + 0.5);
      if (f > 0) sum += f * Number(data[j * stride + i]);
    }
  }
  return sum;
}
