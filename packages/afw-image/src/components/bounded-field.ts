// The BoundedField interface of lsst.afw.math: a scalar function on a pixel box.
import type { Persistable } from '@skystack/afw-table';
import type { Box2I, Point2D } from '@skystack/geom';

/**
 * A scalar field defined over a box of PARENT pixel coordinates: what spatially varying
 * calibrations (PhotoCalib) and aperture corrections (ApCorrMap) are made of.
 *
 * @see lsst.afw.math.BoundedField
 */
export interface BoundedField extends Persistable {
  /** The box the field is defined on (it may be evaluated outside it, as in afw). */
  readonly bbox: Box2I;
  /**
   * The value at a position.
   *
   * @param x - PARENT x
   * @param y - PARENT y
   * @returns the value
   */
  evaluate(x: number, y: number): number;
  /**
   * The value at a point.
   *
   * @param point - PARENT position
   * @returns the value
   */
  evaluatePoint(point: Point2D): number;
  /**
   * The values at many positions.
   *
   * @param x - PARENT x of each position
   * @param y - PARENT y of each position (same length as `x`)
   * @param out - where to write (a new array when omitted)
   * @returns `out`
   */
  evaluateArray(x: ArrayLike<number>, y: ArrayLike<number>, out?: Float64Array): Float64Array;
  /** The mean of the field over its box. */
  mean(): number;
  /**
   * The field multiplied by a constant (a new field).
   *
   * @param scale - the factor
   * @returns the scaled field
   */
  multipliedBy(scale: number): BoundedField;
}
