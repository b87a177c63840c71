import type { TemplateImage } from './symmetric-template.js';

/**
 * Median-filters a template in place over `(2 halfSize + 1)²` windows, as meas_deblender's
 * `medianFilter`: pixels closer than `halfSize` to the box's edge keep their values, and (unlike
 * LSST) pixels that were zero stay zero, so the filter never grows the template's footprint.
 * Templates smaller than the window are left as they are.
 *
 * @param template - the template (modified in place)
 * @param halfSize - the window's half-size in pixels (LSST: 2)
 * @returns the same template
 * @example
 * ```ts
 * medianFilterTemplate(template, 2);
 * ```
 * @see lsst.meas.deblender.BaselineUtils.medianFilter
 */
export function medianFilterTemplate(template: TemplateImage, halfSize = 2): TemplateImage {
  const W = template.bbox.getWidth();
  const H = template.bbox.getHeight();
  const size = 2 * halfSize + 1;
  if (halfSize <= 0 || W < size || H < size) return template;
  const input = template.data.slice();
  const out = template.data;
  const n = size * size;
  const window = new Float64Array(n);
  const mid = n >> 1;
  for (let y = halfSize; y < H - halfSize; y++) {
    for (let x = halfSize; x < W - halfSize; x++) {
      if (input[y * W + x] === 0) continue;
      let k = 0;
      for (let dy = -halfSize; dy <= halfSize; dy++) {
        const row = (y + dy) * W + x;
        for (let dx = -halfSize; dx <= halfSize; dx++) {
          // insertion sort as the values arrive
          const v = input[row + dx]!;
          let j = k++;
          while (j > 0 && window[j - 1]! > v) {
            window[j] = window[j - 1]!;
            j--;
          }
          window[j] = v;
        }
      }
      out[y * W + x] = window[mid]!;
    }
  }
  return template;
}
