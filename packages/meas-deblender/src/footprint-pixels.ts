import type { MaskedImage, PixelArray } from '@skystack/afw-image';
import type { Footprint } from '@skystack/afw-table';
import type { Box2I } from '@skystack/geom';
import { MeasDeblenderInvalidArgumentError } from './errors.js';

/**
 * The pixels of a footprint copied out of a masked image, over the footprint's bounding box:
 * the image value of footprint pixels (0 elsewhere), the variance, and which pixels belong to
 * the footprint. Row-major: pixel `(x, y)` (PARENT) is at `(y - minY) × width + (x - minX)`.
 */
export interface FootprintPixels {
  /** The footprint's bounding box (PARENT coordinates). */
  readonly bbox: Box2I;
  /** The image: footprint pixels' values, 0 outside the footprint (NaN also becomes 0). */
  readonly image: Float32Array;
  /** The variance of every pixel of the box. */
  readonly variance: Float32Array;
  /** 1 for the pixels of the footprint, 0 elsewhere. */
  readonly inFootprint: Uint8Array;
  /** The bounding box of the whole image (PARENT). */
  readonly imageBBox: Box2I;
}

/**
 * Copies the pixels of a footprint out of a masked image (see {@link FootprintPixels}).
 *
 * @param footprint - the footprint (must lie inside the image)
 * @param maskedImage - the image
 * @returns the pixels over the footprint's bounding box
 * @throws {@link MeasDeblenderInvalidArgumentError} when the footprint's box is not inside the image
 * @example
 * ```ts
 * const pixels = extractFootprintPixels(source.getFootprint()!, exposure.maskedImage);
 * pixels.image.reduce((a, b) => a + b, 0); // the footprint's flux
 * ```
 */
export function extractFootprintPixels(footprint: Footprint, maskedImage: MaskedImage<PixelArray>): FootprintPixels {
  const bbox = footprint.getBBox();
  const imageBBox = maskedImage.getBBox();
  if (bbox.isEmpty() || !imageBBox.contains(bbox)) {
    throw new MeasDeblenderInvalidArgumentError(`Footprint bounding-box ${bbox.toString()} extends outside image bounding-box ${imageBBox.toString()}.`, {
      hint: 'Clip the footprint to the image (footprint.getSpans().clippedTo(bbox)).',
    });
  }
  const W = bbox.getWidth();
  const H = bbox.getHeight();
  const x0 = bbox.getMinX();
  const y0 = bbox.getMinY();
  const image = new Float32Array(W * H);
  const variance = new Float32Array(W * H);
  const inFootprint = new Uint8Array(W * H);
  const img = maskedImage.image.array;
  const vr = maskedImage.variance.array;
  const ix0 = imageBBox.getMinX();
  const iy0 = imageBBox.getMinY();
  for (let y = 0; y < H; y++) {
    const src = (y + y0 - iy0) * vr.stride + (x0 - ix0);
    for (let x = 0; x < W; x++) variance[y * W + x] = vr.data[src + x]!;
  }
  const { ys, x0s, x1s } = footprint.getSpans();
  for (let s = 0; s < ys.length; s++) {
    const y = ys[s]!;
    const row = (y - y0) * W - x0;
    const srcRow = (y - iy0) * img.stride - ix0;
    for (let x = x0s[s]!; x <= x1s[s]!; x++) {
      const v = Number(img.data[srcRow + x]);
      image[row + x] = Number.isFinite(v) ? v : 0;
      inFootprint[row + x] = 1;
    }
  }
  return { bbox, image, variance, inFootprint, imageBBox };
}
