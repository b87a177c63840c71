/** `∫₀ˣ √(r² − t²) dt` for `0 ≤ x ≤ r`. */
function halfChordIntegral(x: number, r: number): number {
  return 0.5 * (x * Math.sqrt(Math.max(r * r - x * x, 0)) + r * r * Math.asin(Math.min(x / r, 1)));
}

/** Area of the circle of radius r (centre at the origin) inside `[0, a] × [0, b]`, `a, b ≥ 0`. */
function quadrantArea(a: number, b: number, r: number): number {
  const ca = Math.min(a, r);
  const cb = Math.min(b, r);
  if (ca * ca + cb * cb <= r * r) return ca * cb;
  const xc = Math.sqrt(r * r - cb * cb);
  return cb * xc + halfChordIntegral(ca, r) - halfChordIntegral(xc, r);
}

/** Signed area of the circle inside the rectangle between the origin and (x, y). */
function signedCornerArea(x: number, y: number, r: number): number {
  const s = Math.sign(x) * Math.sign(y);
  return s === 0 ? 0 : s * quadrantArea(Math.abs(x), Math.abs(y), r);
}

/**
 * The exact area of the intersection of a circle centred on the origin with an axis-aligned
 * rectangle: what fraction of a pixel an aperture covers, computed in closed form
 * (inclusion–exclusion over the four corners of signed quadrant areas, each a rectangle plus a
 * circular-segment integral).
 *
 * @param r - the circle's radius (pixels, > 0)
 * @param x0 - the rectangle's left edge, relative to the circle's centre
 * @param x1 - its right edge (`x1 ≥ x0`)
 * @param y0 - its bottom edge
 * @param y1 - its top edge (`y1 ≥ y0`)
 * @returns the area (pixel²): 1 for a unit pixel well inside, 0 outside
 * @example
 * ```ts
 * circlePixelOverlap(1, -1, 1, -1, 1); // π
 * circlePixelOverlap(10, -0.5, 0.5, -0.5, 0.5); // 1
 * ```
 */
export function circlePixelOverlap(r: number, x0: number, x1: number, y0: number, y1: number): number {
  return signedCornerArea(x1, y1, r) - signedCornerArea(x0, y1, r) - signedCornerArea(x1, y0, r) + signedCornerArea(x0, y0, r);
}

/**
 * Area and first moments of the circle inside `[0, a] × [0, b]` (`a, b ≥ 0`), written to
 * `out[k..k+2]` as `[area, ∫x dA, ∫y dA]`.
 */
function quadrantMoments(a: number, b: number, r: number, out: Float64Array, k: number): void {
  const r2 = r * r;
  const ca = Math.min(a, r);
  const cb = Math.min(b, r);
  if (ca * ca + cb * cb <= r2) {
    out[k] = ca * cb;
    out[k + 1] = 0.5 * ca * ca * cb;
    out[k + 2] = 0.5 * ca * cb * cb;
    return;
  }
  // xc: where the circle's height is cb; yc: where its width is ca
  const xc = Math.sqrt(r2 - cb * cb);
  const yc = Math.sqrt(Math.max(r2 - ca * ca, 0));
  out[k] = cb * xc + halfChordIntegral(ca, r) - halfChordIntegral(xc, r);
  // ∫ x min(cb, √(r² − x²)) dx over [0, ca]; (r² − xc²)^{3/2} = cb³, (r² − ca²)^{3/2} = yc³
  out[k + 1] = 0.5 * cb * xc * xc + (cb * cb * cb - yc * yc * yc) / 3;
  // the same with x and y swapped: (r² − yc²)^{3/2} = ca³, (r² − cb²)^{3/2} = xc³
  out[k + 2] = 0.5 * ca * yc * yc + (ca * ca * ca - xc * xc * xc) / 3;
}

/** Scratch for one corner's quadrant integrals. */
const CORNER = new Float64Array(3);

/**
 * The area and first moments of the intersection of a circle centred on the origin with an
 * axis-aligned rectangle, in closed form: `[area, ∫x dA, ∫y dA]` (coordinates relative to the
 * circle's centre), by inclusion–exclusion over the rectangle's corners of signed quadrant
 * integrals. The moments locate the covered part of a pixel, which the aperture photometry uses
 * to correct for the intensity gradient across boundary pixels.
 *
 * @param r - the circle's radius (> 0)
 * @param x0 - the rectangle's left edge, relative to the circle's centre
 * @param x1 - its right edge
 * @param y0 - its bottom edge
 * @param y1 - its top edge
 * @param out - where to write `[area, mx, my]` (default a new array)
 * @returns `out`
 * @example
 * ```ts
 * const [area, mx] = circlePixelMoments(1, 0, 1, -1, 1); // π/2, 2/3
 * ```
 */
export function circlePixelMoments(r: number, x0: number, x1: number, y0: number, y1: number, out: Float64Array = new Float64Array(3)): Float64Array {
  out[0] = 0;
  out[1] = 0;
  out[2] = 0;
  // the corners in this order, each added as it comes (no arrays of corners: nothing allocated)
  addCorner(x1, y1, 1, r, out);
  addCorner(x0, y1, -1, r, out);
  addCorner(x1, y0, -1, r, out);
  addCorner(x0, y0, 1, r, out);
  return out;
}

/** Adds the signed quadrant integrals of the corner (x, y), of sign `w` in the inclusion–exclusion, to `out`. */
function addCorner(x: number, y: number, w: number, r: number, out: Float64Array): void {
  const sx = Math.sign(x);
  const sy = Math.sign(y);
  if (sx === 0 || sy === 0) return;
  const c = CORNER;
  quadrantMoments(Math.abs(x), Math.abs(y), r, c, 0);
  out[0] = out[0]! + w * sx * sy * c[0]!;
  out[1] = out[1]! + w * sy * c[1]!;
  out[2] = out[2]! + w * sx * c[2]!;
}
