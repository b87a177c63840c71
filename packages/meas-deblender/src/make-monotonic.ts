import { MeasDeblenderInvalidArgumentError } from './errors.js';
import type { TemplateImage } from './symmetric-template.js';

/**
 * Makes a template monotonic in place, as meas_deblender's `makeMonotonic`: walking out from the
 * peak in square rings, each pixel is limited to the value of its neighbour one step closer to
 * the peak (the pixel reached by moving one ring inwards along the line to the peak), so the
 * template never rises along any such path away from the peak.
 *
 * @param template - the template (modified in place)
 * @param cx - the peak's column (an integer, PARENT)
 * @param cy - the peak's row (an integer, PARENT)
 * @returns the same template
 * @throws {@link MeasDeblenderInvalidArgumentError} when the peak is outside the template's box
 * @example
 * ```ts
 * makeMonotonic(template, peak.getIx(), peak.getIy());
 * ```
 * @see lsst.meas.deblender.BaselineUtils.makeMonotonic
 */
export function makeMonotonic(template: TemplateImage, cx: number, cy: number): TemplateImage {
  const { bbox, data } = template;
  if (!bbox.contains(cx, cy)) {
    throw new MeasDeblenderInvalidArgumentError(`makeMonotonic: the peak (${cx}, ${cy}) is outside the template box ${bbox.toString()}.`);
  }
  const W = bbox.getWidth();
  const x0 = bbox.getMinX();
  const y0 = bbox.getMinY();
  const x1 = bbox.getMaxX();
  const y1 = bbox.getMaxY();
  const rMax = Math.max(cx - x0, x1 - cx, cy - y0, y1 - cy);
  const limit = (x: number, y: number, r: number): void => {
    const dx = x - cx;
    const dy = y - cy;
    const ix = x - Math.sign(dx) * Math.round(Math.abs(dx) / r);
    const iy = y - Math.sign(dy) * Math.round(Math.abs(dy) / r);
    const i = (y - y0) * W + (x - x0);
    const j = (iy - y0) * W + (ix - x0);
    if (data[i]! > data[j]!) data[i] = data[j]!;
  };
  for (let r = 1; r <= rMax; r++) {
    const ya = Math.max(cy - r, y0);
    const yb = Math.min(cy + r, y1);
    const xa = Math.max(cx - r, x0);
    const xb = Math.min(cx + r, x1);
    for (let y = ya; y <= yb; y++) {
      if (y === cy - r || y === cy + r) {
        for (let x = xa; x <= xb; x++) limit(x, y, r);
      } else {
        if (cx - r >= x0) limit(cx - r, y, r);
        if (cx + r <= x1) limit(cx + r, y, r);
      }
    }
  }
  return template;
}
