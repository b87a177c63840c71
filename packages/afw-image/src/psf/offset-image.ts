// lsst.afw.math.offsetImage with a Lanczos kernel: sub-pixel shifts of (PSF kernel) images.
import { Point2I } from '@skystack/geom';
import { AfwImageInvalidArgumentError } from '../errors.js';
import { Image, type ImageD } from '../image.js';
import type { PixelArray } from '../pixel-type.js';

/**
 * The Lanczos kernel of order `n`: `sinc(πt) sinc(πt/n)` for `|t| < n`, else 0.
 *
 * @param order - the order `n` (5 for afw's `'lanczos5'`)
 * @param t - the offset in pixels
 * @returns the kernel value
 * @example
 * ```ts
 * lanczos(5, 0); // 1
 * lanczos(5, 2); // 0 (a zero of sinc)
 * ```
 * @see lsst.afw.math.LanczosFunction1
 */
export function lanczos(order: number, t: number): number {
  if (t === 0) return 1;
  if (Math.abs(t) >= order) return 0;
  const pt = Math.PI * t;
  return (order * Math.sin(pt) * Math.sin(pt / order)) / (pt * pt);
}

/** Tap weights of a 1-d shift by `frac` (|frac| ≤ 1): `w[k]` multiplies input pixel `i - uMin - k`, normalised to sum 1. */
function shiftTaps(order: number, frac: number): { readonly uMin: number; readonly weights: Float64Array } {
  if (frac === 0) return { uMin: 0, weights: Float64Array.of(1) };
  const uMin = Math.floor(frac - order) + 1;
  const uMax = Math.ceil(frac + order) - 1;
  const weights = new Float64Array(uMax - uMin + 1);
  let sum = 0;
  for (let u = uMin; u <= uMax; u++) sum += weights[u - uMin] = lanczos(order, u - frac);
  for (let k = 0; k < weights.length; k++) weights[k]! /= sum;
  return { uMin, weights };
}

/**
 * Shifts an image by a sub-pixel offset with a Lanczos kernel, as afw's `offsetImage(image, dx, dy,
 * 'lanczosN')` does: `out(x, y) = in(x - dx, y - dy)`, where the input is zero outside its box;
 * an offset of a pixel or more moves xy0 by the nearest integer and interpolates the rest. The
 * 1-d tap weights are normalised to sum 1 (afw normalises its warping kernel the same way).
 *
 * @param image - the input (any pixel type; not changed)
 * @param dx - the shift in x (pixels)
 * @param dy - the shift in y (pixels)
 * @param order - the Lanczos order (default 5: afw's `'lanczos5'`)
 * @returns a new `float64` image of the same size, xy0 moved by the integer part of the shift
 * @throws {@link AfwImageInvalidArgumentError} when the order is not a positive integer or an offset is not finite
 * @example
 * ```ts
 * const shifted = offsetImage(kernelImage, 0.3, -0.2); // centroid moves by (+0.3, -0.2)
 * ```
 * @see lsst.afw.math.offsetImage
 */
export function offsetImage(image: Image<PixelArray>, dx: number, dy: number, order = 5): ImageD {
  if (!Number.isInteger(order) || order < 1) throw new AfwImageInvalidArgumentError(`The Lanczos order must be a positive integer; got ${order}.`);
  if (!Number.isFinite(dx) || !Number.isFinite(dy)) throw new AfwImageInvalidArgumentError(`offsetImage needs finite offsets; got (${dx}, ${dy}).`);
  let dOrigX = 0;
  let dOrigY = 0;
  if (!(dx > -1 && dx < 1 && dy > -1 && dy < 1)) {
    dOrigX = Math.floor(dx + 0.5);
    dOrigY = Math.floor(dy + 0.5);
  }
  const fx = dx - dOrigX;
  const fy = dy - dOrigY;
  const { width, height } = image;
  const { data, stride } = image.array;
  const tx = shiftTaps(order, fx);
  const ty = shiftTaps(order, fy);
  // Pass 1: shift each row in x.
  const tmp = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let k = 0; k < tx.weights.length; k++) {
        const xi = x - (tx.uMin + k);
        if (xi >= 0 && xi < width) s += tx.weights[k]! * Number(data[row + xi]);
      }
      tmp[y * width + x] = s;
    }
  }
  // Pass 2: shift each column in y.
  const out = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let k = 0; k < ty.weights.length; k++) {
      const yi = y - (ty.uMin + k);
      if (yi < 0 || yi >= height) continue;
      const w = ty.weights[k]!;
      const src = yi * width;
      const dst = y * width;
      for (let x = 0; x < width; x++) out[dst + x]! += w * tmp[src + x]!;
    }
  }
  const xy0 = image.getXY0();
  return new Image(out, width, height, { xy0: new Point2I(xy0.getX() + dOrigX, xy0.getY() + dOrigY) });
}
