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
  // (each pass a function of its own: on-stack-replaced code for a loop inside this function
  // was left, at the loop's end, to code without type feedback, and deoptimised on every call)
  const tmp = shiftRows(data, stride, width, height, tx.uMin, tx.weights);
  const out = shiftColumns(tmp, width, height, ty.uMin, ty.weights);
  const xy0 = image.getXY0();
  return new Image(out, width, height, { xy0: new Point2I(xy0.getX() + dOrigX, xy0.getY() + dOrigY) });
}

/**
 * Pass 1 of {@link offsetImage}: each row shifted in x, `out(x, y) = Σ_k w[k]·in(x - uMin - k, y)`
 * (pixels outside the row count 0). Columns whose taps all fall inside the row skip the bounds
 * tests; the sums run over the taps in the same order either way.
 */
function shiftRows(data: PixelArray, stride: number, width: number, height: number, uMin: number, weights: Float64Array): Float64Array {
  const out = new Float64Array(width * height);
  const nx = weights.length;
  const inLo = Math.max(0, uMin + nx - 1);
  const inHi = Math.min(width, width + uMin);
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    const o = y * width;
    for (let x = 0; x < width; x++) {
      let s = 0;
      if (x >= inLo && x < inHi) {
        const base = row + x - uMin;
        if (nx === 10) {
          // (Lanczos-5's ten taps written out: the same sum in the same order, without the loop)
          s += weights[0]! * Number(data[base]);
          s += weights[1]! * Number(data[base - 1]);
          s += weights[2]! * Number(data[base - 2]);
          s += weights[3]! * Number(data[base - 3]);
          s += weights[4]! * Number(data[base - 4]);
          s += weights[5]! * Number(data[base - 5]);
          s += weights[6]! * Number(data[base - 6]);
          s += weights[7]! * Number(data[base - 7]);
          s += weights[8]! * Number(data[base - 8]);
          s += weights[9]! * Number(data[base - 9]);
        } else {
          for (let k = 0; k < nx; k++) s += weights[k]! * Number(data[base - k]);
        }
      } else {
        for (let k = 0; k < nx; k++) {
          const xi = x - (uMin + k);
          if (xi >= 0 && xi < width) s += weights[k]! * Number(data[row + xi]);
        }
      }
      out[o + x] = s;
    }
  }
  return out;
}

/**
 * Pass 2 of {@link offsetImage}: each column of the row-shifted image shifted in y, each pixel's
 * terms added in the order of the taps (rows whose taps all fall inside the image, most of them,
 * with Lanczos-5's ten taps written out).
 */
function shiftColumns(tmp: Float64Array, width: number, height: number, uMin: number, weights: Float64Array): Float64Array {
  const out = new Float64Array(width * height);
  const ny = weights.length;
  const inLo = Math.max(0, uMin + ny - 1);
  const inHi = Math.min(height, height + uMin);
  for (let y = 0; y < height; y++) {
    const dst = y * width;
    if (ny === 10 && y >= inLo && y < inHi) {
      // input rows y - uMin - k, k = 0..9
      const r0 = (y - uMin) * width;
      for (let x = 0; x < width; x++) {
        const c = r0 + x;
        let s = 0;
        s += weights[0]! * tmp[c]!;
        s += weights[1]! * tmp[c - width]!;
        s += weights[2]! * tmp[c - 2 * width]!;
        s += weights[3]! * tmp[c - 3 * width]!;
        s += weights[4]! * tmp[c - 4 * width]!;
        s += weights[5]! * tmp[c - 5 * width]!;
        s += weights[6]! * tmp[c - 6 * width]!;
        s += weights[7]! * tmp[c - 7 * width]!;
        s += weights[8]! * tmp[c - 8 * width]!;
        s += weights[9]! * tmp[c - 9 * width]!;
        out[dst + x] = s;
      }
      continue;
    }
    for (let k = 0; k < ny; k++) {
      const yi = y - (uMin + k);
      if (yi < 0 || yi >= height) continue;
      const w = weights[k]!;
      const src = yi * width;
      for (let x = 0; x < width; x++) out[dst + x]! += w * tmp[src + x]!;
    }
  }
  return out;
}
