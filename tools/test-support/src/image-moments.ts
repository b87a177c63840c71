// Unweighted image moments: the independent measure that PSF tests compare with analytic truth.

/** What {@link imageMoments} reads of an image: its pixels and their PARENT origin. */
export interface MomentsImage {
  /** The pixels, row-major with a row stride. */
  readonly array: { readonly data: ArrayLike<number>; readonly width: number; readonly height: number; readonly stride: number };
  /** PARENT x of the first column. */
  getX0(): number;
  /** PARENT y of the first row. */
  getY0(): number;
}

/** Sum, centroid and unweighted second moments about the centroid. */
export interface ImageMoments {
  /** Σ v. */
  readonly sum: number;
  /** Centroid x (PARENT). */
  readonly x: number;
  /** Centroid y (PARENT). */
  readonly y: number;
  /** Σ v (x − x̄)² / Σ v. */
  readonly xx: number;
  /** Σ v (y − ȳ)² / Σ v. */
  readonly yy: number;
  /** Σ v (x − x̄)(y − ȳ) / Σ v. */
  readonly xy: number;
}

/**
 * Sum, centroid and unweighted second moments of an image about its centroid, in PARENT
 * coordinates.
 *
 * @param image - the image (an afw-image `Image`, or anything with its `array` and origin)
 * @returns the moments
 * @example
 * ```ts
 * const m = imageMoments(psf.computeKernelImage(new Point2D(10, 10)));
 * m.xx; // σ² for a Gaussian
 * ```
 */
export function imageMoments(image: MomentsImage): ImageMoments {
  const { data, width, height, stride } = image.array;
  const x0 = image.getX0();
  const y0 = image.getY0();
  let s = 0;
  let sx = 0;
  let sy = 0;
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const v = data[j * stride + i]!;
      s += v;
      sx += v * (x0 + i);
      sy += v * (y0 + j);
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
      const dx = x0 + i - x;
      const dy = y0 + j - y;
      xx += v * dx * dx;
      yy += v * dy * dy;
      xy += v * dx * dy;
    }
  }
  return { sum: s, x, y, xx: xx / s, yy: yy / s, xy: xy / s };
}
