import type { Angle } from '../angle.js';
import type { Circle } from './circle.js';
import type { LonLatBox } from './lon-lat-box.js';
import { Relationship } from './relationship.js';
import type { UnitVector3d } from './unit-vector3d.js';

/**
 * A region on the unit sphere: something that can say whether a point is inside it, bound
 * itself with a box and a circle, and relate itself to another region.
 *
 * Relations may be conservative: `relate` sets the DISJOINT, CONTAINS and WITHIN bits only when
 * the relation certainly holds, so a result without bits ({@link Relationship.INTERSECTS}) means
 * "may intersect". This is what pixelizations need to find every pixel that might overlap a
 * region without ever missing one.
 *
 * Extended by {@link Circle}, {@link ConvexPolygon} and {@link LonLatBox}. A subclass implements
 * the abstract members; the predicates ({@link Region.isDisjointFrom}, {@link Region.intersects},
 * {@link Region.isWithin}, {@link Region.containsRegion}) follow from {@link Region.relate}.
 *
 * @example
 * ```ts
 * const regions: Region[] = [
 *   new Circle(UnitVector3d.Z(), Angle.fromDegrees(1)),
 *   LonLatBox.fromDegrees(350, -5, 10, 5),
 * ];
 * for (const r of regions) console.log(r.containsLonLat(Angle.fromDegrees(0), Angle.fromDegrees(0)));
 * ```
 * @see lsst.sphgeom.Region
 */
export abstract class Region {
  /** @returns true if the region contains no point */
  abstract isEmpty(): boolean;

  /** @returns a longitude/latitude box containing the region */
  abstract getBoundingBox(): LonLatBox;

  /** @returns a circle containing the region */
  abstract getBoundingCircle(): Circle;

  /**
   * @param v - a point
   * @returns true if the point is in the region (regions contain their boundary)
   */
  abstract contains(v: UnitVector3d): boolean;

  /**
   * @param lon - longitude of a point
   * @param lat - latitude of a point
   * @returns true if the point is in the region
   */
  abstract containsLonLat(lon: Angle, lat: Angle): boolean;

  /**
   * The relationship of this region A to another region B, as a bit set: DISJOINT only if A
   * and B certainly have no point in common, CONTAINS only if A certainly contains B, WITHIN
   * only if B certainly contains A.
   *
   * @param other - the other region
   * @returns the relationship bits
   */
  abstract relate(other: Region): Relationship;

  /**
   * Whether the two regions overlap: `true` if they certainly share a point, `false` if they
   * certainly do not, `undefined` when that cannot be decided cheaply.
   *
   * @param other - the other region
   * @returns true, false or undefined
   */
  overlaps(other: Region): boolean | undefined {
    if (this.isEmpty() || other.isEmpty()) return false;
    return overlapsByWitness(this, other, this.relate(other));
  }

  /**
   * @param other - the other region
   * @returns true if the regions certainly have no point in common
   */
  isDisjointFrom(other: Region): boolean {
    return (this.relate(other) & Relationship.DISJOINT) !== 0;
  }

  /**
   * @param other - the other region
   * @returns true unless the regions are certainly disjoint (so "may intersect")
   */
  intersects(other: Region): boolean {
    return !this.isDisjointFrom(other);
  }

  /**
   * @param other - the other region
   * @returns true if this region is certainly inside `other`
   */
  isWithin(other: Region): boolean {
    return (this.relate(other) & Relationship.WITHIN) !== 0;
  }

  /**
   * @param other - the other region
   * @returns true if this region certainly contains `other`
   */
  containsRegion(other: Region): boolean {
    return (this.relate(other) & Relationship.CONTAINS) !== 0;
  }

  /**
   * A few points certainly inside the region (none for an empty region), used to prove
   * overlaps that {@link Region.relate} cannot decide.
   *
   * @returns the points
   * @internal
   */
  abstract witnessPoints(): readonly UnitVector3d[];
}

/**
 * Converts a relationship into the tri-state overlap answer of {@link Region.overlaps},
 * assuming both regions are non-empty.
 *
 * @param r - a relationship
 * @returns false for DISJOINT, true for CONTAINS or WITHIN, undefined otherwise
 * @internal
 */
export function relationshipToOverlaps(r: Relationship): boolean | undefined {
  if (r & Relationship.DISJOINT) return false;
  if (r & (Relationship.CONTAINS | Relationship.WITHIN)) return true;
  return undefined;
}

/**
 * {@link relationshipToOverlaps}, refined by testing a few points known to lie in each region
 * (its "witness points", when it offers them) against the other: a shared point proves overlap.
 * Both regions must be non-empty.
 *
 * @param a - a non-empty region
 * @param b - another non-empty region
 * @param r - `a.relate(b)`
 * @returns true, false or undefined as {@link Region.overlaps} does
 * @internal
 */
export function overlapsByWitness(a: Region, b: Region, r: Relationship): boolean | undefined {
  const known = relationshipToOverlaps(r);
  if (known !== undefined) return known;
  for (const p of b.witnessPoints()) if (a.contains(p)) return true;
  for (const p of a.witnessPoints()) if (b.contains(p)) return true;
  return undefined;
}
