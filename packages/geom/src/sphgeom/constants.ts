/**
 * Numerical error bounds shared by the spherical-geometry code.
 *
 * The values are the ones lsst.sphgeom documents for IEEE double arithmetic; relations between
 * regions widen their decisions by these bounds so that a DISJOINT, CONTAINS or WITHIN answer is
 * never made wrong by rounding.
 *
 * @internal
 * @packageDocumentation
 */

/**
 * Largest error of `Math.asin` in radians, given one ulp of error in its argument (the worst case
 * is near 1: π/2 − asin(1 − 2⁻⁵³) ≈ 1.5e-8).
 *
 * @internal
 */
export const MAX_ASIN_ERROR = 1.5e-8;

/**
 * Largest rounding error of the squared chord length `|u − v|²` between two unit vectors.
 *
 * @internal
 */
export const MAX_SQUARED_CHORD_LENGTH_ERROR = 2.5e-15;

/**
 * Half the distance from 1 to the next double (2⁻⁵³).
 *
 * @internal
 */
export const EPSILON = 1.1102230246251565e-16;

/**
 * Relative tolerance used when comparing a dot product of a unit vector with a (scaled) plane
 * normal against zero or a cosine: a few ulps of every term involved.
 *
 * @internal
 */
export const DOT_TOLERANCE = 1e-14;
