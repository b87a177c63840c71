import { AfwTableInvalidArgumentError } from '../errors.js';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** Checks that a coordinate is a 32-bit integer (what afw stores). */
export function checkSpanCoordinate(name: string, value: number): void {
  if (!Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) {
    throw new AfwTableInvalidArgumentError(`Span ${name} must be a 32-bit integer; got ${String(value)}.`);
  }
}

/**
 * One row of pixels: `y`, and the columns `x0` to `x1` inclusive. Immutable.
 *
 * @example
 * ```ts
 * const span = new Span(10, 3, 7);
 * span.getWidth(); // 5
 * span.contains(7, 10); // true
 * ```
 * @see lsst.afw.geom.Span
 */
export class Span {
  /** The row. */
  readonly y: number;
  /** The first column (inclusive). */
  readonly x0: number;
  /** The last column (inclusive). */
  readonly x1: number;

  /**
   * Makes a span.
   *
   * @param y - the row
   * @param x0 - the first column (inclusive)
   * @param x1 - the last column (inclusive); `x1 < x0` is refused
   * @throws AfwTableInvalidArgumentError when a coordinate is not a 32-bit integer or `x1 < x0`
   */
  constructor(y: number, x0: number, x1: number) {
    checkSpanCoordinate('y', y);
    checkSpanCoordinate('x0', x0);
    checkSpanCoordinate('x1', x1);
    if (x1 < x0) throw new AfwTableInvalidArgumentError(`Span (y ${y}) has x1 = ${x1} < x0 = ${x0}; spans hold at least one pixel.`);
    this.y = y;
    this.x0 = x0;
    this.x1 = x1;
  }

  /**
   * The row.
   *
   * @returns y
   */
  getY(): number {
    return this.y;
  }

  /**
   * The first column (inclusive).
   *
   * @returns x0
   */
  getX0(): number {
    return this.x0;
  }

  /**
   * The last column (inclusive).
   *
   * @returns x1
   */
  getX1(): number {
    return this.x1;
  }

  /**
   * The number of pixels.
   *
   * @returns `x1 - x0 + 1`
   */
  getWidth(): number {
    return this.x1 - this.x0 + 1;
  }

  /**
   * Whether a pixel is in the span.
   *
   * @param x - the column
   * @param y - the row
   * @returns true when `y` is the span's row and `x0 ≤ x ≤ x1`
   */
  contains(x: number, y: number): boolean {
    return y === this.y && x >= this.x0 && x <= this.x1;
  }

  /**
   * Compares with another span.
   *
   * @param other - the other span
   * @returns true when `y`, `x0` and `x1` are equal
   */
  equals(other: Span): boolean {
    return this.y === other.y && this.x0 === other.x0 && this.x1 === other.x1;
  }

  /**
   * afw's text form: `y: x0..x1`.
   *
   * @returns the text
   */
  toString(): string {
    return `${this.y}: ${this.x0}..${this.x1}`;
  }
}
