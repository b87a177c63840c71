import type { Angle } from './angle.js';
import { GeomDomainError, GeomInvalidArgumentError } from './errors.js';
import { Extent2D } from './extent.js';
import { Point2D } from './point.js';

/**
 * A 2 × 2 matrix as rows: `[[m00, m01], [m10, m11]]`.
 */
export type Matrix2x2 = readonly [readonly [number, number], readonly [number, number]];

/**
 * Inverts the 2 × 2 matrix `[[a, b], [c, d]]` by full-pivoting elimination, as Eigen's
 * `FullPivLU` (which lsst.geom uses) does, and with its singularity test: the matrix is
 * singular when the second pivot is not larger than `2ε` times the first (the largest
 * element). Working through the pivots, not the determinant, keeps well-conditioned
 * matrices of extreme scale (`1e-200 · I`) invertible.
 *
 * @returns the inverse as `[xx, xy, yx, yy]`, or `undefined` when singular (or NaN)
 */
function invert2x2(
  a: number,
  b: number,
  c: number,
  d: number,
): [number, number, number, number] | undefined {
  const aa = Math.abs(a);
  const ab = Math.abs(b);
  const ac = Math.abs(c);
  const ad = Math.abs(d);
  // p1: the pivot (largest element); p2: what is left of the opposite element after
  // elimination, with the multiplier (at most 1 in size) formed first so that nothing
  // overflows; det = sign · p1 · p2.
  let p1: number;
  let p2: number;
  let sign: number;
  if (aa >= ab && aa >= ac && aa >= ad) {
    p1 = a;
    p2 = d - (c / a) * b;
    sign = 1;
  } else if (ad >= ab && ad >= ac) {
    p1 = d;
    p2 = a - (b / d) * c;
    sign = 1;
  } else if (ab >= ac) {
    p1 = b;
    p2 = c - (d / b) * a;
    sign = -1;
  } else {
    p1 = c;
    p2 = b - (a / c) * d;
    sign = -1;
  }
  if (!(Math.abs(p2) > 2 * Number.EPSILON * Math.abs(p1))) return undefined;
  // inverse = adjugate / det, divided in two steps so that p1 · p2 cannot underflow.
  const f = (v: number): number => (sign * (v / p1)) / p2 + 0; // + 0: no -0 entries
  return [f(d), f(-b), f(-c), f(a)];
}

/**
 * A linear map of the plane, `(x, y) ↦ M · (x, y)`, by a 2 × 2 matrix
 * `M = [[xx, xy], [yx, yy]]`. Immutable.
 *
 * The element names follow lsst.geom: the first letter is the output axis and the second the
 * input axis, so `xy` is `∂x_out / ∂y_in` (row 0, column 1). The parameter vector
 * ({@link LinearTransform.getParameterVector}) lists them in lsst.geom's column-major order
 * `[xx, yx, xy, yy]`.
 *
 * Composition follows lsst.geom's `a * b`: `a.multiply(b)` applies `b` first, then `a`.
 * {@link LinearTransform.then} reads in the other order: `a.then(b)` applies `a` first.
 *
 * @example
 * ```ts
 * const rot = LinearTransform.makeRotation(Angle.fromDegrees(90));
 * rot.apply(new Point2D(1, 0)); // Point2D(0, 1) to rounding: counter-clockwise
 * const scale = LinearTransform.makeScaling(2, 3);
 * scale.multiply(rot).apply(new Point2D(1, 0)); // rotate, then scale: about (0, 3)
 * scale.inverted().computeDeterminant(); // 1/6
 * ```
 * @see lsst.geom.LinearTransform
 */
export class LinearTransform {
  /** Index of `xx` in the parameter vector. */
  static readonly XX = 0;
  /** Index of `yx` in the parameter vector. */
  static readonly YX = 1;
  /** Index of `xy` in the parameter vector. */
  static readonly XY = 2;
  /** Index of `yy` in the parameter vector. */
  static readonly YY = 3;

  /** Matrix element row 0, column 0: `∂x_out / ∂x_in`. */
  readonly xx: number;
  /** Matrix element row 0, column 1: `∂x_out / ∂y_in`. */
  readonly xy: number;
  /** Matrix element row 1, column 0: `∂y_out / ∂x_in`. */
  readonly yx: number;
  /** Matrix element row 1, column 1: `∂y_out / ∂y_in`. */
  readonly yy: number;

  /**
   * Makes the transform with the given 2x2 matrix (the identity by default).
   *
   * @param matrix - the matrix as rows, `[[xx, xy], [yx, yy]]`; the identity when omitted
   */
  constructor(matrix?: Matrix2x2) {
    if (matrix === undefined) {
      this.xx = 1;
      this.xy = 0;
      this.yx = 0;
      this.yy = 1;
    } else {
      this.xx = matrix[0][0];
      this.xy = matrix[0][1];
      this.yx = matrix[1][0];
      this.yy = matrix[1][1];
    }
  }

  /**
   * @param vector - `[xx, yx, xy, yy]`, lsst.geom's parameter order
   * @returns the transform
   * @throws {@link GeomInvalidArgumentError} if `vector` does not have 4 elements
   */
  static fromParameterVector(vector: readonly number[]): LinearTransform {
    const [xx, yx, xy, yy] = vector;
    if (vector.length !== 4 || xx === undefined || yx === undefined || xy === undefined || yy === undefined) {
      throw new GeomInvalidArgumentError(
        `A LinearTransform parameter vector has 4 elements [xx, yx, xy, yy]; got ${String(vector.length)}.`,
      );
    }
    return new LinearTransform([
      [xx, xy],
      [yx, yy],
    ]);
  }

  /**
   * Uniform scaling.
   *
   * @param s - the scale factor for both axes
   * @returns `[[s, 0], [0, s]]`
   */
  static makeScaling(s: number): LinearTransform;
  /**
   * Scaling by different factors along x and y.
   *
   * @param sx - the scale factor for x
   * @param sy - the scale factor for y
   * @returns `[[sx, 0], [0, sy]]`
   */
  static makeScaling(sx: number, sy: number): LinearTransform;
  static makeScaling(sx: number, sy: number = sx): LinearTransform {
    return new LinearTransform([
      [sx, 0],
      [0, sy],
    ]);
  }

  /**
   * Counter-clockwise rotation about the origin (x towards y).
   *
   * @param angle - the rotation angle
   * @returns `[[cos θ, -sin θ], [sin θ, cos θ]]`
   */
  static makeRotation(angle: Angle): LinearTransform {
    const t = angle.asRadians();
    const c = Math.cos(t);
    const s = Math.sin(t);
    return new LinearTransform([
      [c, -s],
      [s, c],
    ]);
  }

  /**
   * Composition in lsst.geom's order: the result applies `other` first, then `this`
   * (`this * other` as matrices).
   *
   * @param other - the transform applied first
   * @returns the composed transform
   */
  multiply(other: LinearTransform): LinearTransform {
    return new LinearTransform([
      [this.xx * other.xx + this.xy * other.yx, this.xx * other.xy + this.xy * other.yy],
      [this.yx * other.xx + this.yy * other.yx, this.yx * other.xy + this.yy * other.yy],
    ]);
  }

  /**
   * Composition in reading order: the result applies `this` first, then `next`
   * (`next.multiply(this)`).
   *
   * @param next - the transform applied second
   * @returns the composed transform
   */
  then(next: LinearTransform): LinearTransform {
    return next.multiply(this);
  }

  /**
   * Transforms a point.
   *
   * @param point - the input point
   * @returns `M · point`
   */
  apply(point: Point2D): Point2D;
  /**
   * Transforms an offset (the same matrix product as for a point).
   *
   * @param extent - the input offset
   * @returns `M · extent`
   */
  apply(extent: Extent2D): Extent2D;
  apply(v: Point2D | Extent2D): Point2D | Extent2D {
    const x = this.xx * v.x + this.xy * v.y;
    const y = this.yx * v.x + this.yy * v.y;
    return v instanceof Extent2D ? new Extent2D(x, y) : new Point2D(x, y);
  }

  /**
   * The x output for an input given as two numbers; allocates nothing.
   *
   * @param x - input x
   * @param y - input y
   * @returns `xx·x + xy·y`
   */
  applyX(x: number, y: number): number {
    return this.xx * x + this.xy * y;
  }

  /**
   * The y output for an input given as two numbers; allocates nothing.
   *
   * @param x - input x
   * @param y - input y
   * @returns `yx·x + yy·y`
   */
  applyY(x: number, y: number): number {
    return this.yx * x + this.yy * y;
  }

  /**
   * The inverse transform.
   *
   * @returns the transform `N` with `N.multiply(this)` the identity (to rounding)
   * @throws {@link GeomDomainError} if the matrix is singular, or nearly so by the relative
   *   test lsst.geom (through Eigen) uses, or holds NaN
   */
  inverted(): LinearTransform {
    const inv = invert2x2(this.xx, this.xy, this.yx, this.yy);
    if (inv === undefined) {
      throw new GeomDomainError(
        `Cannot invert a singular LinearTransform ${this.toString()} (determinant ${String(this.computeDeterminant())}).`,
      );
    }
    return new LinearTransform([
      [inv[0], inv[1]],
      [inv[2], inv[3]],
    ]);
  }

  /** @returns the determinant `xx·yy - xy·yx` */
  computeDeterminant(): number {
    return this.xx * this.yy - this.xy * this.yx;
  }

  /**
   * Whether this is the identity to within `precision`, with the fuzzy test lsst.geom's Eigen
   * applies by default: `|m - 1| <= precision × min(|m|, 1)` on the diagonal and
   * `|m| <= precision` off it.
   *
   * @param precision - tolerance (Eigen's default for doubles, `1e-12`, when omitted)
   * @returns whether the transform does nothing, to `precision`
   */
  isIdentity(precision = 1e-12): boolean {
    return (
      isNearOne(this.xx, precision) &&
      isNearOne(this.yy, precision) &&
      Math.abs(this.xy) <= precision &&
      Math.abs(this.yx) <= precision
    );
  }

  /** @returns the matrix as rows, `[[xx, xy], [yx, yy]]` (a new array each call) */
  getMatrix(): [[number, number], [number, number]] {
    return [
      [this.xx, this.xy],
      [this.yx, this.yy],
    ];
  }

  /** @returns `[xx, yx, xy, yy]`, lsst.geom's parameter order (column-major) */
  getParameterVector(): [number, number, number, number] {
    return [this.xx, this.yx, this.xy, this.yy];
  }

  /**
   * Exact comparison of the four elements.
   *
   * @param other - the value to compare with
   * @returns whether `other` is a `LinearTransform` with the same matrix
   */
  equals(other: LinearTransform): boolean {
    return (
      other instanceof LinearTransform &&
      other.xx === this.xx &&
      other.xy === this.xy &&
      other.yx === this.yx &&
      other.yy === this.yy
    );
  }

  /** @returns `LinearTransform([[xx, xy], [yx, yy]])` */
  toString(): string {
    return `LinearTransform([[${String(this.xx)}, ${String(this.xy)}], [${String(this.yx)}, ${String(this.yy)}]])`;
  }
}

/** Eigen's `isApprox(v, 1, precision)`. */
function isNearOne(v: number, precision: number): boolean {
  return Math.abs(v - 1) <= precision * Math.min(Math.abs(v), 1);
}
