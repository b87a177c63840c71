// Test helper: unweighted image moments (the independent measure PSF tests compare with analytic truth).
import type { ImageD } from '@skystack/afw-image';

/** Sum, centroid and unweighted second moments about the centroid of an image (its own coordinates). */
export function imageMoments(image: ImageD): { sum: number; x: number; y: number; xx: number; yy: number; xy: number } {
  const { data, width, height, stride } = image.array;
  let s = 0;
  let sx = 0;
  let sy = 0;
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const v = data[j * stride + i]!;
      s += v;
      sx += v * (image.getX0() + i);
      sy += v * (image.getY0() + j);
    }
  }
  const x = sx / s;
  const y = sy / s;
  let xx = 0;
  let yy = 0;
  let xy = 0;
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const v = data[j * stride + i]!;
      const dx = image.getX0() + i - x;
      const dy = image.getY0() + j - y;
      xx += v * dx * dx;
      yy += v * dy * dy;
      xy += v * dx * dy;
    }
  }
  return { sum: s, x, y, xx: xx / s, yy: yy / s, xy: xy / s };
}

