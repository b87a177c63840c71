import { GeomInvalidArgumentError } from './errors.js';
import { Point2D, Point2I } from './point.js';

const EXTENT2I_HINT = 'Use an Extent2D, or round one with its floor(), ceil() or truncate().';

/** Throws unless both components are safe integers (the values an integer extent holds exactly). */
function checkIntegerPair(kind: string, x: number, y: number, hint: string): void {
  if (!Number.isSafeInteger(x) || !Number.isSafeInteger(y)) {
    throw new GeomInvalidArgumentError(
      `${kind} components must be integers within ±2^53; got (${String(x)}, ${String(y)}).`,
      { hint },
    );
  }
}

/**
 * An integer offset or size on the pixel grid (a difference of two {@link Point2I}s, the
 * dimensions of a {@link Box2I}). Immutable.
 *
 * Both components must be integers (safe integers, `|v| < 2^53`). Arithmetic follows
 * lsst.geom's Python operators: {@link Extent2I.multiply} by an integer stays integer,
 * {@link Extent2I.divide} is true division and gives an {@link Extent2D} (Python `/`), and
 * {@link Extent2I.floorDivide} is Python's `//` (rounds towards −∞).
 *
 * @example
 * ```ts
 * const d = new Extent2I(4, -3);
 * d.multiply(2); // Extent2I(8, -6)
 * d.divide(2); // Extent2D(2, -1.5)
 * d.floorDivide(2); // Extent2I(2, -2)
 * d.computeNorm(); // 5
 * ```
 * @see lsst.geom.Extent2I
 */
export class Extent2I {
  private declare readonly _extent2IBrand: never;

  /** x component, an integer. */
  readonly x: number;
  /** y component, an integer. */
  readonly y: number;

  /**
   * Makes the integer extent `(x, y)`.
   *
   * @param x - x component; an integer (0 by default)
   * @param y - y component; an integer (0 by default)
   * @throws {@link GeomInvalidArgumentError} if either component is not a safe integer
   */
  constructor(x = 0, y = 0) {
    checkIntegerPair('Extent2I', x, y, EXTENT2I_HINT);
    this.x = x + 0; // + 0 turns -0 into 0
    this.y = y + 0;
  }

  /** @returns the x component */
  getX(): number {
    return this.x;
  }

  /** @returns the y component */
  getY(): number {
    return this.y;
  }

  /**
   * @param other - an integer extent
   * @returns `this + other`, an integer extent
   */
  add(other: Extent2I): Extent2I;
  /**
   * @param other - a floating-point extent
   * @returns `this + other`, a floating-point extent
   */
  add(other: Extent2D): Extent2D;
  /**
   * @param other - an integer point
   * @returns the point shifted by this extent
   */
  add(other: Point2I): Point2I;
  /**
   * @param other - a floating-point point
   * @returns the point shifted by this extent
   */
  add(other: Point2D): Point2D;
  add(other: Extent2I | Extent2D | Point2I | Point2D): Extent2I | Extent2D | Point2I | Point2D {
    const x = this.x + other.x;
    const y = this.y + other.y;
    if (other instanceof Extent2I) return new Extent2I(x, y);
    if (other instanceof Extent2D) return new Extent2D(x, y);
    if (other instanceof Point2I) return new Point2I(x, y);
    return new Point2D(x, y);
  }

  /**
   * @param other - an integer extent
   * @returns `this - other`, an integer extent
   */
  subtract(other: Extent2I): Extent2I;
  /**
   * @param other - a floating-point extent
   * @returns `this - other`, a floating-point extent
   */
  subtract(other: Extent2D): Extent2D;
  subtract(other: Extent2I | Extent2D): Extent2I | Extent2D {
    const x = this.x - other.x;
    const y = this.y - other.y;
    return other instanceof Extent2I ? new Extent2I(x, y) : new Extent2D(x, y);
  }

  /**
   * Scales by an integer. To scale by a fraction, convert first: `e.toExtent2D().multiply(s)`.
   *
   * @param scalar - an integer factor
   * @returns `this * scalar`, an integer extent
   * @throws {@link GeomInvalidArgumentError} if `scalar` is not an integer (or the product is
   *   not a safe integer)
   */
  multiply(scalar: number): Extent2I {
    if (!Number.isInteger(scalar)) {
      throw new GeomInvalidArgumentError(
        `Extent2I.multiply needs an integer factor; got ${String(scalar)}.`,
        { hint: 'Use toExtent2D().multiply(s) for a floating-point result.' },
      );
    }
    return new Extent2I(this.x * scalar, this.y * scalar);
  }

  /**
   * True division, as Python's `/` on an lsst.geom `Extent2I`.
   *
   * @param scalar - the divisor
   * @returns `this / scalar`, a floating-point extent
   */
  divide(scalar: number): Extent2D {
    return new Extent2D(this.x / scalar, this.y / scalar);
  }

  /**
   * Floor division, as Python's `//` on an lsst.geom `Extent2I`: each component becomes
   * `floor(v / divisor)` (so `-3 // 2` is `-2`, not C++'s `-1`).
   *
   * @param divisor - a non-zero integer
   * @returns the component-wise floor quotient
   * @throws {@link GeomInvalidArgumentError} if `divisor` is zero or not an integer
   */
  floorDivide(divisor: number): Extent2I {
    if (!Number.isInteger(divisor) || divisor === 0) {
      throw new GeomInvalidArgumentError(
        `Extent2I.floorDivide needs a non-zero integer divisor; got ${String(divisor)}.`,
      );
    }
    return new Extent2I(Math.floor(this.x / divisor), Math.floor(this.y / divisor));
  }

  /** @returns `-this` */
  negate(): Extent2I {
    return new Extent2I(-this.x, -this.y);
  }

  /**
   * The Euclidean length, as a floating-point number (lsst.geom refuses the norm of an
   * integer extent in C++; here it is simply computed).
   *
   * @returns `sqrt(x² + y²)`
   */
  computeNorm(): number {
    return Math.sqrt(this.x * this.x + this.y * this.y);
  }

  /** @returns `x² + y²` */
  computeSquaredNorm(): number {
    return this.x * this.x + this.y * this.y;
  }

  /** @returns the point at this offset from the origin */
  asPoint(): Point2I {
    return new Point2I(this.x, this.y);
  }

  /** @returns this extent with floating-point components */
  toExtent2D(): Extent2D {
    return new Extent2D(this.x, this.y);
  }

  /**
   * @param other - the value to compare with
   * @returns whether `other` is an `Extent2I` with the same components
   */
  equals(other: Extent2I): boolean {
    return other instanceof Extent2I && other.x === this.x && other.y === this.y;
  }

  /** @returns the extent as `Extent2I(x, y)`, as lsst.geom's Python `repr` writes it */
  toString(): string {
    return `Extent2I(${String(this.x)}, ${String(this.y)})`;
  }
}

/**
 * A floating-point offset or size (a difference of two {@link Point2D}s, the dimensions of a
 * {@link Box2D}). Immutable; components may be any number.
 *
 * @example
 * ```ts
 * const d = new Extent2D(3, 4);
 * d.computeNorm(); // 5
 * d.multiply(0.5); // Extent2D(1.5, 2)
 * new Extent2D(-1.5, 2.5).floor(); // Extent2I(-2, 2)
 * ```
 * @see lsst.geom.Extent2D
 */
export class Extent2D {
  private declare readonly _extent2DBrand: never;

  /** x component. */
  readonly x: number;
  /** y component. */
  readonly y: number;

  /**
   * Makes the extent `(x, y)`.
   *
   * @param x - x component (0 by default)
   * @param y - y component (0 by default)
   */
  constructor(x = 0, y = 0) {
    this.x = x;
    this.y = y;
  }

  /**
   * @param extent - an integer extent
   * @returns the same extent with floating-point components
   */
  static fromExtent2I(extent: Extent2I): Extent2D {
    return new Extent2D(extent.x, extent.y);
  }

  /** @returns the x component */
  getX(): number {
    return this.x;
  }

  /** @returns the y component */
  getY(): number {
    return this.y;
  }

  /**
   * @param other - an extent (integer or floating-point)
   * @returns `this + other`
   */
  add(other: Extent2I | Extent2D): Extent2D;
  /**
   * @param other - a point (integer or floating-point)
   * @returns the point shifted by this extent
   */
  add(other: Point2I | Point2D): Point2D;
  add(other: Extent2I | Extent2D | Point2I | Point2D): Extent2D | Point2D {
    const x = this.x + other.x;
    const y = this.y + other.y;
    if (other instanceof Point2I || other instanceof Point2D) return new Point2D(x, y);
    return new Extent2D(x, y);
  }

  /**
   * @param other - an extent (integer or floating-point)
   * @returns `this - other`
   */
  subtract(other: Extent2I | Extent2D): Extent2D {
    return new Extent2D(this.x - other.x, this.y - other.y);
  }

  /**
   * @param scalar - the factor
   * @returns `this * scalar`
   */
  multiply(scalar: number): Extent2D {
    return new Extent2D(this.x * scalar, this.y * scalar);
  }

  /**
   * @param scalar - the divisor
   * @returns `this / scalar`
   */
  divide(scalar: number): Extent2D {
    return new Extent2D(this.x / scalar, this.y / scalar);
  }

  /** @returns `-this` */
  negate(): Extent2D {
    return new Extent2D(-this.x, -this.y);
  }

  /** @returns the Euclidean length `sqrt(x² + y²)` */
  computeNorm(): number {
    return Math.sqrt(this.x * this.x + this.y * this.y);
  }

  /** @returns `x² + y²` */
  computeSquaredNorm(): number {
    return this.x * this.x + this.y * this.y;
  }

  /** @returns the point at this offset from the origin */
  asPoint(): Point2D {
    return new Point2D(this.x, this.y);
  }

  /**
   * @returns the component-wise floor (towards −∞)
   * @throws {@link GeomInvalidArgumentError} if a component is not finite or out of the
   *   safe-integer range
   * @see lsst.geom.floor
   */
  floor(): Extent2I {
    return new Extent2I(Math.floor(this.x), Math.floor(this.y));
  }

  /**
   * @returns the component-wise ceiling (towards +∞)
   * @throws {@link GeomInvalidArgumentError} if a component is not finite or out of the
   *   safe-integer range
   * @see lsst.geom.ceil
   */
  ceil(): Extent2I {
    return new Extent2I(Math.ceil(this.x), Math.ceil(this.y));
  }

  /**
   * @returns the component-wise truncation (towards zero)
   * @throws {@link GeomInvalidArgumentError} if a component is not finite or out of the
   *   safe-integer range
   * @see lsst.geom.truncate
   */
  truncate(): Extent2I {
    return new Extent2I(Math.trunc(this.x), Math.trunc(this.y));
  }

  /**
   * Exact comparison (`===` on each component).
   *
   * @param other - the value to compare with
   * @returns whether `other` is an `Extent2D` with the same components
   */
  equals(other: Extent2D): boolean {
    return other instanceof Extent2D && other.x === this.x && other.y === this.y;
  }

  /** @returns the extent as `Extent2D(x, y)` (shortest round-trip decimals) */
  toString(): string {
    return `Extent2D(${String(this.x)}, ${String(this.y)})`;
  }
}
