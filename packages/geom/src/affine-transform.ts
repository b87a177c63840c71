import type { Angle } from './angle.js';
import { GeomDomainError, GeomInvalidArgumentError } from './errors.js';
import { Extent2D } from './extent.js';
import { LinearTransform } from './linear-transform.js';
import { Point2D } from './point.js';

/**
 * A 3 × 3 matrix as rows: `[[m00, m01, m02], [m10, m11, m12], [m20, m21, m22]]`.
 */
export type Matrix3x3 = readonly [
  readonly [number, number, number],
  readonly [number, number, number],
  readonly [number, number, number],
];

/**
 * An affine map of the plane: a {@link LinearTransform} followed by a translation,
 * `p ↦ L · p + t`. Immutable.
 *
 * As a 3 × 3 matrix acting on `(x, y, 1)` it is `[[xx, xy, x], [yx, yy, y], [0, 0, 1]]`,
 * with lsst.geom's element names (output axis first). Points are translated; extents
 * (offsets) are not.
 *
 * Composition follows lsst.geom's `a * b`: `a.multiply(b)` applies `b` first, then `a`.
 * {@link AffineTransform.then} reads in the other order: `a.then(b)` applies `a` first.
 *
 * For many points use {@link AffineTransform.applyX} and {@link AffineTransform.applyY},
 * which take and return plain numbers and allocate nothing.
 *
 * @example
 * ```ts
 * const shift = AffineTransform.makeTranslation(new Extent2D(10, 0));
 * const rot = AffineTransform.makeRotation(Angle.fromDegrees(90));
 * shift.multiply(rot).apply(new Point2D(1, 0)); // rotate, then shift: about (10, 1)
 * rot.then(shift).apply(new Point2D(1, 0)); // the same transform
 * const t = shift.multiply(rot);
 * t.inverted().apply(t.apply(new Point2D(3, 4))); // about (3, 4)
 * t.applyX(1, 0); // about 10, without allocating
 * ```
 * @see lsst.geom.AffineTransform
 */
export class AffineTransform {
  /** Index of `xx` in the parameter vector. */
  static readonly XX = 0;
  /** Index of `yx` in the parameter vector. */
  static readonly YX = 1;
  /** Index of `xy` in the parameter vector. */
  static readonly XY = 2;
  /** Index of `yy` in the parameter vector. */
  static readonly YY = 3;
  /** Index of the x translation in the parameter vector. */
  static readonly X = 4;
  /** Index of the y translation in the parameter vector. */
  static readonly Y = 5;

  private readonly _xx: number;
  private readonly _xy: number;
  private readonly _yx: number;
  private readonly _yy: number;
  private readonly _x: number;
  private readonly _y: number;

  /**
   * Makes the transform `p -> linear(p) + translation` (the identity by default).
   *
   * @param linear - the linear part (the identity when omitted)
   * @param translation - the translation applied after `linear` (zero when omitted)
   */
  constructor(linear?: LinearTransform, translation?: Extent2D) {
    this._xx = linear === undefined ? 1 : linear.xx;
    this._xy = linear === undefined ? 0 : linear.xy;
    this._yx = linear === undefined ? 0 : linear.yx;
    this._yy = linear === undefined ? 1 : linear.yy;
    this._x = translation === undefined ? 0 : translation.x;
    this._y = translation === undefined ? 0 : translation.y;
  }

  /** Makes the transform from its six elements (private shortcut). */
  static #of(xx: number, xy: number, yx: number, yy: number, x: number, y: number): AffineTransform {
    return new AffineTransform(
      new LinearTransform([
        [xx, xy],
        [yx, yy],
      ]),
      new Extent2D(x, y),
    );
  }

  /**
   * @param matrix - the 3 × 3 matrix as rows, `[[xx, xy, x], [yx, yy, y], [0, 0, 1]]`
   * @returns the transform
   * @throws {@link GeomInvalidArgumentError} if the last row is not exactly `[0, 0, 1]`
   */
  static fromMatrix(matrix: Matrix3x3): AffineTransform {
    const [r0, r1, r2] = matrix;
    if (r2[0] !== 0 || r2[1] !== 0 || r2[2] !== 1) {
      throw new GeomInvalidArgumentError(
        `The last row of an affine matrix must be [0, 0, 1]; got [${r2.join(', ')}].`,
      );
    }
    return AffineTransform.#of(r0[0], r0[1], r1[0], r1[1], r0[2], r1[2]);
  }

  /**
   * @param vector - `[xx, yx, xy, yy, x, y]`, lsst.geom's parameter order
   * @returns the transform
   * @throws {@link GeomInvalidArgumentError} if `vector` does not have 6 elements
   */
  static fromParameterVector(vector: readonly number[]): AffineTransform {
    const [xx, yx, xy, yy, x, y] = vector;
    if (
      vector.length !== 6 ||
      xx === undefined ||
      yx === undefined ||
      xy === undefined ||
      yy === undefined ||
      x === undefined ||
      y === undefined
    ) {
      throw new GeomInvalidArgumentError(
        `An AffineTransform parameter vector has 6 elements [xx, yx, xy, yy, x, y]; got ${String(vector.length)}.`,
      );
    }
    return AffineTransform.#of(xx, xy, yx, yy, x, y);
  }

  /**
   * @param translation - the shift
   * @returns the transform `p ↦ p + translation`
   */
  static makeTranslation(translation: Extent2D): AffineTransform {
    return new AffineTransform(undefined, translation);
  }

  /**
   * Uniform scaling about the origin.
   *
   * @param s - the scale factor for both axes
   * @returns the transform `p ↦ s · p`
   */
  static makeScaling(s: number): AffineTransform;
  /**
   * Scaling about the origin by different factors along x and y.
   *
   * @param sx - the scale factor for x
   * @param sy - the scale factor for y
   * @returns the transform `(x, y) ↦ (sx · x, sy · y)`
   */
  static makeScaling(sx: number, sy: number): AffineTransform;
  static makeScaling(sx: number, sy: number = sx): AffineTransform {
    return new AffineTransform(LinearTransform.makeScaling(sx, sy));
  }

  /**
   * Counter-clockwise rotation about the origin.
   *
   * @param angle - the rotation angle
   * @returns the transform with linear part `[[cos θ, -sin θ], [sin θ, cos θ]]`
   */
  static makeRotation(angle: Angle): AffineTransform {
    return new AffineTransform(LinearTransform.makeRotation(angle));
  }

  /**
   * The unique affine transform taking `p1, p2, p3` to `q1, q2, q3`.
   *
   * @param p1 - first input point
   * @param p2 - second input point
   * @param p3 - third input point
   * @param q1 - where `p1` must go
   * @param q2 - where `p2` must go
   * @param q3 - where `p3` must go
   * @returns the transform `A` with `A(p_i) = q_i` (to rounding)
   * @throws {@link GeomDomainError} if `p1, p2, p3` are collinear (no unique solution)
   * @see lsst.geom.makeAffineTransformFromTriple
   */
  static makeAffineTransformFromTriple(
    p1: Point2D,
    p2: Point2D,
    p3: Point2D,
    q1: Point2D,
    q2: Point2D,
    q3: Point2D,
  ): AffineTransform {
    // L · [p2 - p1, p3 - p1] = [q2 - q1, q3 - q1], then t = q1 - L · p1.
    const dp = new LinearTransform([
      [p2.x - p1.x, p3.x - p1.x],
      [p2.y - p1.y, p3.y - p1.y],
    ]);
    const dq = new LinearTransform([
      [q2.x - q1.x, q3.x - q1.x],
      [q2.y - q1.y, q3.y - q1.y],
    ]);
    let dpInv: LinearTransform;
    try {
      dpInv = dp.inverted();
    } catch (cause) {
      throw new GeomDomainError(
        `Cannot fit an affine transform: the input points ${p1.toString()}, ${p2.toString()}, ${p3.toString()} are collinear.`,
        { cause },
      );
    }
    const linear = dq.multiply(dpInv);
    return new AffineTransform(
      linear,
      new Extent2D(q1.x - linear.applyX(p1.x, p1.y), q1.y - linear.applyY(p1.x, p1.y)),
    );
  }

  /** The linear part (a new object each call; see {@link AffineTransform.getLinear}). */
  get linear(): LinearTransform {
    return this.getLinear();
  }

  /** The translation (a new object each call; see {@link AffineTransform.getTranslation}). */
  get translation(): Extent2D {
    return this.getTranslation();
  }

  /** @returns the linear part, `[[xx, xy], [yx, yy]]` */
  getLinear(): LinearTransform {
    return new LinearTransform([
      [this._xx, this._xy],
      [this._yx, this._yy],
    ]);
  }

  /** @returns the translation, `(x, y)` */
  getTranslation(): Extent2D {
    return new Extent2D(this._x, this._y);
  }

  /**
   * Composition in lsst.geom's order: the result applies `other` first, then `this`
   * (`this * other` as 3 × 3 matrices).
   *
   * @param other - the transform applied first
   * @returns the composed transform
   */
  multiply(other: AffineTransform): AffineTransform {
    return AffineTransform.#of(
      this._xx * other._xx + this._xy * other._yx,
      this._xx * other._xy + this._xy * other._yy,
      this._yx * other._xx + this._yy * other._yx,
      this._yx * other._xy + this._yy * other._yy,
      this._xx * other._x + this._xy * other._y + this._x,
      this._yx * other._x + this._yy * other._y + this._y,
    );
  }

  /**
   * Composition in reading order: the result applies `this` first, then `next`
   * (`next.multiply(this)`).
   *
   * @param next - the transform applied second
   * @returns the composed transform
   */
  then(next: AffineTransform): AffineTransform {
    return next.multiply(this);
  }

  /**
   * Transforms a point (translation included).
   *
   * @param point - the input point
   * @returns `L · point + t`
   */
  apply(point: Point2D): Point2D;
  /**
   * Transforms an offset: only the linear part acts, as for the difference of two points.
   *
   * @param extent - the input offset
   * @returns `L · extent`
   */
  apply(extent: Extent2D): Extent2D;
  apply(v: Point2D | Extent2D): Point2D | Extent2D {
    if (v instanceof Extent2D) {
      return new Extent2D(this._xx * v.x + this._xy * v.y, this._yx * v.x + this._yy * v.y);
    }
    return new Point2D(this.applyX(v.x, v.y), this.applyY(v.x, v.y));
  }

  /**
   * The x output for a point given as two numbers; allocates nothing.
   *
   * @param x - input x
   * @param y - input y
   * @returns `xx·x + xy·y + tx`
   */
  applyX(x: number, y: number): number {
    return this._xx * x + this._xy * y + this._x;
  }

  /**
   * The y output for a point given as two numbers; allocates nothing.
   *
   * @param x - input x
   * @param y - input y
   * @returns `yx·x + yy·y + ty`
   */
  applyY(x: number, y: number): number {
    return this._yx * x + this._yy * y + this._y;
  }

  /**
   * The inverse transform, `p ↦ L⁻¹ · (p - t)`.
   *
   * @returns the transform `N` with `N.multiply(this)` the identity (to rounding)
   * @throws {@link GeomDomainError} if the linear part is singular
   */
  inverted(): AffineTransform {
    const inv = this.getLinear().inverted();
    return new AffineTransform(
      inv,
      new Extent2D(0 - inv.applyX(this._x, this._y), 0 - inv.applyY(this._x, this._y)),
    );
  }

  /**
   * Whether this is the identity to within `precision` (Eigen's fuzzy test, as lsst.geom):
   * the linear part as in {@link LinearTransform.isIdentity} and `|t| <= precision` for each
   * translation component.
   *
   * @param precision - tolerance (`1e-12` when omitted)
   * @returns whether the transform does nothing, to `precision`
   */
  isIdentity(precision = 1e-12): boolean {
    return (
      this.getLinear().isIdentity(precision) &&
      Math.abs(this._x) <= precision &&
      Math.abs(this._y) <= precision
    );
  }

  /**
   * @returns the 3 × 3 matrix as rows, `[[xx, xy, x], [yx, yy, y], [0, 0, 1]]` (a new array
   *   each call)
   */
  getMatrix(): [[number, number, number], [number, number, number], [number, number, number]] {
    return [
      [this._xx, this._xy, this._x],
      [this._yx, this._yy, this._y],
      [0, 0, 1],
    ];
  }

  /** @returns `[xx, yx, xy, yy, x, y]`, lsst.geom's parameter order */
  getParameterVector(): [number, number, number, number, number, number] {
    return [this._xx, this._yx, this._xy, this._yy, this._x, this._y];
  }

  /**
   * Exact comparison of the six elements.
   *
   * @param other - the value to compare with
   * @returns whether `other` is an `AffineTransform` with the same elements
   */
  equals(other: AffineTransform): boolean {
    return (
      other instanceof AffineTransform &&
      other._xx === this._xx &&
      other._xy === this._xy &&
      other._yx === this._yx &&
      other._yy === this._yy &&
      other._x === this._x &&
      other._y === this._y
    );
  }

  /** @returns `AffineTransform([[xx, xy, x], [yx, yy, y], [0, 0, 1]])` */
  toString(): string {
    const m = this.getMatrix()
      .map((row) => `[${row.map((v) => String(v)).join(', ')}]`)
      .join(', ');
    return `AffineTransform([${m}])`;
  }
}
