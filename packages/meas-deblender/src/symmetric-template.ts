import { Box2I, Point2I } from '@skystack/geom';
import type { FootprintPixels } from './footprint-pixels.js';

/**
 * A deblend template: non-negative pixel values over a box; the pixels above zero are the
 * template's footprint. Row-major: pixel `(x, y)` (PARENT) is at
 * `(y - minY) × width + (x - minX)`.
 */
export interface TemplateImage {
  /** The box the values cover (PARENT coordinates). */
  readonly bbox: Box2I;
  /** The values (`bbox.getArea()` of them). */
  readonly data: Float32Array;
}

/** What {@link buildSymmetricTemplate} returns. */
export interface SymmetricTemplateResult {
  /** The template, or undefined when it is empty (no footprint pixel has a positive mirror pair). */
  readonly template: TemplateImage | undefined;
  /** Whether pixels whose mirror falls outside the image were copied as they are (`patchEdges`). */
  readonly patched: boolean;
}

/**
 * Builds the symmetric template of a peak, as meas_deblender's `buildSymmetricTemplate`: each
 * footprint pixel whose mirror image through the peak is also in the footprint gets the smaller
 * of the two values (never below zero). With `patchEdges`, a footprint pixel whose mirror
 * falls outside the image keeps its own value (LSST's `'noclip'` edge handling); otherwise such
 * pixels are dropped (`'clip'`). The result is trimmed to the box of its positive pixels.
 *
 * @param parent - the parent's pixels ({@link extractFootprintPixels})
 * @param cx - the peak's column (an integer, PARENT)
 * @param cy - the peak's row (an integer, PARENT)
 * @param patchEdges - keep pixels whose mirror is outside the image (default false)
 * @returns the template (undefined when empty) and whether edges were patched
 * @example
 * ```ts
 * const { template } = buildSymmetricTemplate(extractFootprintPixels(fp, mi), 40, 52);
 * ```
 * @see lsst.meas.deblender.BaselineUtils.buildSymmetricTemplate
 */
export function buildSymmetricTemplate(parent: FootprintPixels, cx: number, cy: number, patchEdges = false): SymmetricTemplateResult {
  const { bbox, image, inFootprint, imageBBox } = parent;
  const W = bbox.getWidth();
  const bx0 = bbox.getMinX();
  const by0 = bbox.getMinY();
  const bx1 = bbox.getMaxX();
  const by1 = bbox.getMaxY();
  // The template box: the parent box and its mirror (the whole box when patching edges).
  let tx0 = Math.max(bx0, 2 * cx - bx1);
  let tx1 = Math.min(bx1, 2 * cx - bx0);
  let ty0 = Math.max(by0, 2 * cy - by1);
  let ty1 = Math.min(by1, 2 * cy - by0);
  if (patchEdges) [tx0, tx1, ty0, ty1] = [bx0, bx1, by0, by1];
  if (tx0 > tx1 || ty0 > ty1) return { template: undefined, patched: false };
  const tw = tx1 - tx0 + 1;
  const th = ty1 - ty0 + 1;
  const data = new Float32Array(tw * th);
  const ix0 = imageBBox.getMinX();
  const ix1 = imageBBox.getMaxX();
  const iy0 = imageBBox.getMinY();
  const iy1 = imageBBox.getMaxY();
  let patched = false;
  for (let y = ty0; y <= ty1; y++) {
    const my = 2 * cy - y;
    const myIn = my >= by0 && my <= by1;
    const myInImage = my >= iy0 && my <= iy1;
    const row = (y - by0) * W - bx0;
    const mrow = (my - by0) * W - bx0;
    const out = (y - ty0) * tw - tx0;
    for (let x = tx0; x <= tx1; x++) {
      const i = row + x;
      if (inFootprint[i] === 0) continue;
      const mx = 2 * cx - x;
      let v: number;
      if (myIn && mx >= bx0 && mx <= bx1) {
        const j = mrow + mx;
        v = inFootprint[j] === 1 ? Math.min(image[i]!, image[j]!) : 0;
      } else if (patchEdges && !(myInImage && mx >= ix0 && mx <= ix1)) {
        v = image[i]!;
        patched = true;
      } else {
        v = 0;
      }
      if (v > 0) data[out + x] = v;
    }
  }
  const template = trimTemplate({ bbox: new Box2I(new Point2I(tx0, ty0), new Point2I(tx1, ty1)), data });
  return { template, patched };
}

/**
 * Trims a template to the box of its positive pixels.
 *
 * @param t - the template
 * @returns the trimmed template (the same object when nothing is trimmed), or undefined when no pixel is positive
 * @internal
 */
export function trimTemplate(t: TemplateImage): TemplateImage | undefined {
  const W = t.bbox.getWidth();
  const H = t.bbox.getHeight();
  let minX = W;
  let maxX = -1;
  let minY = H;
  let maxY = -1;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if (t.data[y * W + x]! > 0) {
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        maxY = y;
      }
    }
  }
  if (maxX < 0) return undefined;
  if (minX === 0 && minY === 0 && maxX === W - 1 && maxY === H - 1) return t;
  const w = maxX - minX + 1;
  const out = new Float32Array(w * (maxY - minY + 1));
  for (let y = minY; y <= maxY; y++) out.set(t.data.subarray(y * W + minX, y * W + maxX + 1), (y - minY) * w);
  const x0 = t.bbox.getMinX();
  const y0 = t.bbox.getMinY();
  return { bbox: new Box2I(new Point2I(x0 + minX, y0 + minY), new Point2I(x0 + maxX, y0 + maxY)), data: out };
}
