// A polygon rendered onto HEALPix pixels (healsparse.geom.Polygon).

import { ConvexPolygon, HealpixPixelization, UnitVector3d } from '@skystack/geom';
import { HealSparseInvalidArgumentError } from './errors.js';
import { nsideOrder } from './healsparse-coverage.js';

const DEG = Math.PI / 180;

/**
 * A convex spherical polygon with great-circle edges, given by its vertices in degrees, in
 * either orientation (healsparse's `geom.Polygon`). Its pixels at an `nside` are those whose
 * centres lie inside it: healsparse renders polygons with `query_polygon(nside, ra, dec,
 * nest=True, inclusive=False)`.
 *
 * @example
 * ```ts
 * const poly = new HealSparsePolygon([10, 10.1, 10.1, 10], [-5, -5, -4.9, -4.9]);
 * const pixels = poly.getPixels(32768); // NEST indices, ascending
 * inputMap.setBitsPix(pixels, [3]);
 * ```
 * @see healsparse.geom.Polygon
 */
export class HealSparsePolygon {
  /** Right ascensions of the vertices, degrees. */
  readonly raDeg: readonly number[];
  /** Declinations of the vertices, degrees. */
  readonly decDeg: readonly number[];
  /** The polygon as a `ConvexPolygon` of `@skystack/geom` (counter-clockwise). */
  readonly polygon: ConvexPolygon;

  /**
   * Makes the polygon.
   *
   * @param raDeg - right ascensions of the vertices, degrees
   * @param decDeg - declinations of the vertices, degrees
   * @throws {@link HealSparseInvalidArgumentError} when the arrays differ in length, there are
   *   fewer than 3 vertices, or they do not make a convex polygon in either order
   */
  constructor(raDeg: readonly number[], decDeg: readonly number[]) {
    if (raDeg.length !== decDeg.length) {
      throw new HealSparseInvalidArgumentError(`${raDeg.length} right ascensions but ${decDeg.length} declinations; expected as many.`);
    }
    if (raDeg.length < 3) throw new HealSparseInvalidArgumentError(`A polygon needs at least 3 vertices; got ${raDeg.length}.`);
    const vertices = raDeg.map((ra, i) => UnitVector3d.fromLonLatRadians(ra * DEG, decDeg[i]! * DEG));
    let polygon: ConvexPolygon;
    try {
      polygon = new ConvexPolygon(vertices);
    } catch {
      try {
        polygon = new ConvexPolygon([...vertices].reverse());
      } catch (e) {
        throw new HealSparseInvalidArgumentError('The vertices do not make a convex polygon in either order.', {
          cause: e,
          hint: 'HealSparse polygons (like healpy query_polygon) must be convex, with distinct vertices.',
        });
      }
    }
    this.raDeg = Object.freeze([...raDeg]);
    this.decDeg = Object.freeze([...decDeg]);
    this.polygon = polygon;
  }

  /**
   * The pixels whose centres lie inside the polygon.
   *
   * @param nside - HEALPix `nside` (a power of 2)
   * @returns NEST indices, ascending
   * @throws {@link HealSparseInvalidArgumentError} when `nside` is not a power of 2
   * @see healpy.query_polygon (nest=True, inclusive=False)
   */
  getPixels(nside: number): Float64Array {
    const ranges = this.getPixelRanges(nside);
    let n = 0;
    for (const [a, b] of ranges) n += b - a;
    const out = new Float64Array(n);
    n = 0;
    for (const [a, b] of ranges) for (let p = a; p < b; p++) out[n++] = p;
    return out;
  }

  /**
   * The pixels whose centres lie inside the polygon, as half-open ranges `[first, last)`.
   *
   * @param nside - HEALPix `nside` (a power of 2)
   * @returns ascending, disjoint ranges of NEST indices
   * @throws {@link HealSparseInvalidArgumentError} when `nside` is not a power of 2
   */
  getPixelRanges(nside: number): Array<[number, number]> {
    const level = nsideOrder('nside', nside);
    return new HealpixPixelization(level).queryPolygon(this.polygon).ranges();
  }
}
