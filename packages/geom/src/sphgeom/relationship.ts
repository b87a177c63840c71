/**
 * A bit set describing how a set A relates to a set B, as returned by `A.relate(B)`.
 *
 * Combine and test the bits of {@link Relationship} with `|` and `&`. A set bit is a
 * guarantee; a clear bit means "not known to hold" (relations between regions may be
 * conservative).
 *
 * @see lsst.sphgeom.Relationship
 */
export type Relationship = number;

/**
 * The bits of a {@link Relationship}.
 *
 * - `DISJOINT` (1): A and B have no point in common.
 * - `INTERSECTS` (0): no bit; the complement of DISJOINT (A and B may have points in common).
 * - `CONTAINS` (2): every point of B is in A.
 * - `WITHIN` (4): every point of A is in B.
 *
 * @example
 * ```ts
 * const big = new Circle(UnitVector3d.X(), Angle.fromDegrees(10));
 * const small = new Circle(UnitVector3d.X(), Angle.fromDegrees(1));
 * const r = big.relate(small);
 * if (r & Relationship.CONTAINS) console.log('the big circle contains the small one');
 * if (r === Relationship.INTERSECTS) console.log('they may overlap');
 * ```
 * @see lsst.sphgeom.DISJOINT
 */
export const Relationship = {
  /** The sets have no point in common. */
  DISJOINT: 1,
  /** No bit: the sets may have points in common (the complement of DISJOINT). */
  INTERSECTS: 0,
  /** The first set contains every point of the second. */
  CONTAINS: 2,
  /** Every point of the first set is in the second. */
  WITHIN: 4,
} as const;

/**
 * Turns the relationship of A to B into the relationship of B to A: DISJOINT stays, CONTAINS
 * and WITHIN swap.
 *
 * @param r - the result of `A.relate(B)`
 * @returns the result `B.relate(A)` would have
 * @example
 * ```ts
 * invertRelationship(Relationship.CONTAINS); // Relationship.WITHIN
 * ```
 * @see lsst.sphgeom.invert
 */
export function invertRelationship(r: Relationship): Relationship {
  return (r & Relationship.DISJOINT) | ((r & Relationship.CONTAINS) << 1) | ((r & Relationship.WITHIN) >> 1);
}

/**
 * Names the bits of a relationship, for messages and test output.
 *
 * @param r - a relationship
 * @returns e.g. `"CONTAINS|DISJOINT"`, or `"INTERSECTS"` when no bit is set
 */
export function relationshipToString(r: Relationship): string {
  const names: string[] = [];
  if (r & Relationship.CONTAINS) names.push('CONTAINS');
  if (r & Relationship.DISJOINT) names.push('DISJOINT');
  if (r & Relationship.WITHIN) names.push('WITHIN');
  return names.length === 0 ? 'INTERSECTS' : names.join('|');
}
