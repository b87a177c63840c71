import { GeomInvalidArgumentError } from './errors.js';
import { Extent2D, Extent2I } from './extent.js';

/**
 * Throws unless both coordinates are safe integers (the values an integer point holds
 * exactly).
 */
function checkIntegerPair(kind: string, x: number, y: number, hint: string): void {
  if (!Number.isSafeInteger(x) || !Number.isSafeInteger(y)) {
    throw new GeomInvalidArgumentError(
      `${kind} coordinates must be integers within ±2^53; got (${String(x)}, ${String(y)}).`,
      { hint },
    );
  }
}

/** Formats a coordinate the way `toString` shows it: shortest round-trip decimal. */
function fmt(v: number): string {
  return String(v);
}

/**
 * A position on the integer pixel grid: `x` is the column, `y` the row. Immutable.
 *
 * Both coordinates must be integers (safe integers, `|v| < 2^53`); the constructor throws
 * otherwise, so a `Point2I` never holds a fractional value. Subtracting two points gives an
 * {@link Extent2I}; adding an extent to a point gives a point; adding two points is not
 * offered, as in lsst.geom, because it has no geometric meaning.
 *
 * @example
 * ```ts
 * const p = new Point2I(3, 4);
 * const q = p.add(new Extent2I(1, -1)); // Point2I(4, 3)
 * q.subtract(p); // Extent2I(1, -1)
 * Point2I.fromPoint2D(new Point2D(2.5, -2.5)); // Point2I(3, -2): floor(v + 0.5)
 * ```
 * @see lsst.geom.Point2I
 */
export class Point2I {
  private declare readonly _point2IBrand: never;

  /** Column (x) coordinate, an integer. */
  readonly x: number;
  /** Row (y) coordinate, an integer. */
  readonly y: number;

  /**
   * Makes the integer point `(x, y)`.
   *
   * @param x - column coordinate; an integer (0 by default)
   * @param y - row coordinate; an integer (0 by default)
   * @throws {@link GeomInvalidArgumentError} if either coordinate is not a safe integer
   */
  constructor(x = 0, y = 0) {
    checkIntegerPair('Point2I', x, y, 'Round a Point2D with Point2I.fromPoint2D.');
    this.x = x + 0; // + 0 turns -0 into 0
    this.y = y + 0;
  }

  /**
   * Rounds a floating-point point to the nearest pixel, as lsst.geom converts a `Point2D` to
   * a `Point2I`: each coordinate becomes `floor(v + 0.5)`, so halves round up (towards +∞),
   * including negative ones (`-2.5` becomes `-2`).
   *
   * @param point - the point to round
   * @returns the nearest integer point
   * @throws {@link GeomInvalidArgumentError} if a coordinate is not finite or rounds outside ±2^53
   */
  static fromPoint2D(point: Point2D): Point2I {
    if (!Number.isFinite(point.x) || !Number.isFinite(point.y)) {
      throw new GeomInvalidArgumentError(
        `Cannot round a non-finite point to Point2I; got ${point.toString()}.`,
      );
    }
    return new Point2I(Math.floor(point.x + 0.5), Math.floor(point.y + 0.5));
  }

  /** @returns the column (x) coordinate */
  getX(): number {
    return this.x;
  }

  /** @returns the row (y) coordinate */
  getY(): number {
    return this.y;
  }

  /**
   * Shifts this point by an integer offset.
   *
   * @param extent - the offset
   * @returns `this + extent`, an integer point
   * @throws {@link GeomInvalidArgumentError} if the sum leaves the safe-integer range
   */
  add(extent: Extent2I): Point2I;
  /**
   * Shifts this point by a floating-point offset.
   *
   * @param extent - the offset
   * @returns `this + extent`, a floating-point point
   */
  add(extent: Extent2D): Point2D;
  add(extent: Extent2I | Extent2D): Point2I | Point2D {
    if (extent instanceof Extent2I) return new Point2I(this.x + extent.x, this.y + extent.y);
    return new Point2D(this.x + extent.x, this.y + extent.y);
  }

  /**
   * The offset from another integer point to this one.
   *
   * @param other - the point to subtract
   * @returns `this - other`, an integer extent
   */
  subtract(other: Point2I): Extent2I;
  /**
   * The offset from a floating-point point to this one.
   *
   * @param other - the point to subtract
   * @returns `this - other`, a floating-point extent
   */
  subtract(other: Point2D): Extent2D;
  /**
   * Shifts this point back by an integer offset.
   *
   * @param other - the offset to subtract
   * @returns `this - other`, an integer point
   */
  subtract(other: Extent2I): Point2I;
  /**
   * Shifts this point back by a floating-point offset.
   *
   * @param other - the offset to subtract
   * @returns `this - other`, a floating-point point
   */
  subtract(other: Extent2D): Point2D;
  subtract(other: Point2I | Point2D | Extent2I | Extent2D): Extent2I | Extent2D | Point2I | Point2D {
    const dx = this.x - other.x;
    const dy = this.y - other.y;
    if (other instanceof Point2I) return new Extent2I(dx, dy);
    if (other instanceof Point2D) return new Extent2D(dx, dy);
    if (other instanceof Extent2I) return new Point2I(dx, dy);
    return new Point2D(dx, dy);
  }

  /**
   * @param other - another point
   * @returns the squared Euclidean distance between this point and `other`
   */
  distanceSquared(other: Point2I | Point2D): number {
    const dx = this.x - other.x;
    const dy = this.y - other.y;
    return dx * dx + dy * dy;
  }

  /** @returns the offset of this point from the origin */
  asExtent(): Extent2I {
    return new Extent2I(this.x, this.y);
  }

  /** @returns this point with floating-point coordinates */
  toPoint2D(): Point2D {
    return new Point2D(this.x, this.y);
  }

  /**
   * @param other - the value to compare with
   * @returns whether `other` is a `Point2I` with the same coordinates
   */
  equals(other: Point2I): boolean {
    return other instanceof Point2I && other.x === this.x && other.y === this.y;
  }

  /** @returns the point as `Point2I(x, y)`, as lsst.geom's Python `repr` writes it */
  toString(): string {
    return `Point2I(${fmt(this.x)}, ${fmt(this.y)})`;
  }
}

/**
 * A position in a continuous 2-d coordinate system (pixel coordinates, focal-plane
 * millimetres, ...). Immutable. Coordinates may be any number, NaN included (as in lsst.geom,
 * where a NaN position marks a missing measurement).
 *
 * In pixel coordinates the centre of pixel `(i, j)` is at `(i, j)` and the pixel covers
 * `[i - 0.5, i + 0.5) × [j - 0.5, j + 0.5)`.
 *
 * @example
 * ```ts
 * const p = new Point2D(1.5, 2.5);
 * p.add(new Extent2D(0.5, -0.5)); // Point2D(2, 2)
 * p.subtract(new Point2D(0, 0)).computeNorm(); // 2.915...
 * ```
 * @see lsst.geom.Point2D
 */
export class Point2D {
  private declare readonly _point2DBrand: never;

  /** x coordinate. */
  readonly x: number;
  /** y coordinate. */
  readonly y: number;

  /**
   * Makes the point `(x, y)`.
   *
   * @param x - x coordinate (0 by default)
   * @param y - y coordinate (0 by default)
   */
  constructor(x = 0, y = 0) {
    this.x = x;
    this.y = y;
  }

  /**
   * @param point - an integer point
   * @returns the same point with floating-point coordinates
   */
  static fromPoint2I(point: Point2I): Point2D {
    return new Point2D(point.x, point.y);
  }

  /** @returns the x coordinate */
  getX(): number {
    return this.x;
  }

  /** @returns the y coordinate */
  getY(): number {
    return this.y;
  }

  /**
   * Shifts this point by an offset.
   *
   * @param extent - the offset (integer or floating-point)
   * @returns `this + extent`
   */
  add(extent: Extent2I | Extent2D): Point2D {
    return new Point2D(this.x + extent.x, this.y + extent.y);
  }

  /**
   * The offset from another point to this one.
   *
   * @param other - the point to subtract (integer or floating-point)
   * @returns `this - other`, a floating-point extent
   */
  subtract(other: Point2I | Point2D): Extent2D;
  /**
   * Shifts this point back by an offset.
   *
   * @param other - the offset to subtract (integer or floating-point)
   * @returns `this - other`, a floating-point point
   */
  subtract(other: Extent2I | Extent2D): Point2D;
  subtract(other: Point2I | Point2D | Extent2I | Extent2D): Extent2D | Point2D {
    const dx = this.x - other.x;
    const dy = this.y - other.y;
    if (other instanceof Point2I || other instanceof Point2D) return new Extent2D(dx, dy);
    return new Point2D(dx, dy);
  }

  /**
   * @param other - another point
   * @returns the squared Euclidean distance between this point and `other`
   */
  distanceSquared(other: Point2I | Point2D): number {
    const dx = this.x - other.x;
    const dy = this.y - other.y;
    return dx * dx + dy * dy;
  }

  /** @returns the offset of this point from the origin */
  asExtent(): Extent2D {
    return new Extent2D(this.x, this.y);
  }

  /**
   * Exact comparison (`===` on each coordinate, so a point with a NaN coordinate equals
   * nothing, itself included, as in lsst.geom).
   *
   * @param other - the value to compare with
   * @returns whether `other` is a `Point2D` with the same coordinates
   */
  equals(other: Point2D): boolean {
    return other instanceof Point2D && other.x === this.x && other.y === this.y;
  }

  /**
   * @returns the point as `Point2D(x, y)`, like lsst.geom's Python `repr` but with the
   *   shortest decimal that round-trips (`0.1`, not `0.10000000000000001`)
   */
  toString(): string {
    return `Point2D(${fmt(this.x)}, ${fmt(this.y)})`;
  }
}
