import { GeomDomainError, GeomInvalidArgumentError } from './errors.js';
import { Extent2D, Extent2I } from './extent.js';
import { Point2D, Point2I } from './point.js';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * How {@link Box2I.fromBox2D} treats pixels that the floating-point box covers only in part.
 *
 * - `'EXPAND'`: keep every pixel that touches the floating-point box, edges included.
 * - `'SHRINK'`: keep only the pixels that lie entirely inside it.
 *
 * @see lsst.geom.Box2I.EdgeHandlingEnum
 */
export type EdgeHandling = 'EXPAND' | 'SHRINK';

function checkInteger(what: string, v: number): void {
  if (!Number.isInteger(v)) {
    throw new GeomInvalidArgumentError(`${what} must be an integer; got ${String(v)}.`);
  }
}

function checkFinite(what: string, v: number): void {
  if (!Number.isFinite(v)) {
    throw new GeomInvalidArgumentError(`${what} must be finite; got ${String(v)}.`);
  }
}

/**
 * An integer rectangle of pixels. Immutable.
 *
 * Both the minimum and the maximum are INCLUSIVE pixel indices: a box from `(0, 0)` to
 * `(9, 4)` holds 10 × 5 pixels. {@link Box2I.getEnd} gives the exclusive end (`max + 1`),
 * as used for slicing arrays. Coordinates, and the width and height, are 32-bit signed
 * integers as in lsst.geom; any operation whose result would not fit throws.
 *
 * The empty box (`new Box2I()`) has zero width and height and no position: it contains no
 * point, overlaps nothing, is contained by every box, and stays empty when clipped, shifted,
 * dilated or eroded. All empty boxes are equal. As in lsst.geom its `getMin()` is `(0, 0)`
 * and `getMax()` is `(-1, -1)`; do not rely on them.
 *
 * A box never has negative dimensions: constructors either swap reversed corners
 * (`invert = true`, the default) or give the empty box (`invert = false`).
 *
 * Unlike lsst.geom there are no in-place mutators (`grow`, `shift`, `clip`, `include`,
 * `flipLR`): use {@link Box2I.dilatedBy}, {@link Box2I.shiftedBy}, {@link Box2I.clippedTo},
 * {@link Box2I.expandedTo} and {@link Box2I.flippedLR}, which return new boxes.
 *
 * @example
 * ```ts
 * const box = new Box2I(new Point2I(0, 0), new Point2I(9, 4));
 * box.getWidth(); // 10
 * box.getEnd(); // Point2I(10, 5)
 * box.contains(new Point2I(9, 4)); // true
 * box.clippedTo(new Box2I(new Point2I(5, -5), new Point2I(20, 2))).toString();
 * // 'Box2I(minimum=Point2I(5, 0), dimensions=Extent2I(5, 3))'
 * Box2I.fromBox2D(new Box2D(new Point2D(0.2, 0.2), new Point2D(2.7, 2.7)), 'SHRINK');
 * // pixels 1..2 in each axis (pixel i covers [i - 0.5, i + 0.5])
 * ```
 * @see lsst.geom.Box2I
 */
export class Box2I {
  /** Edge handling that keeps every pixel touching the floating-point box. */
  static readonly EXPAND = 'EXPAND' as const;
  /** Edge handling that keeps only pixels entirely inside the floating-point box. */
  static readonly SHRINK = 'SHRINK' as const;

  private _minX = 0;
  private _minY = 0;
  private _width = 0;
  private _height = 0;

  /** Makes the empty box. */
  constructor();
  /**
   * Makes the box with the given inclusive corners.
   *
   * @param minimum - the lower-left pixel (inclusive)
   * @param maximum - the upper-right pixel (inclusive)
   * @param invert - when a coordinate of `minimum` exceeds that of `maximum`: `true`
   *   (default) swaps them, `false` makes the empty box
   * @throws {@link GeomInvalidArgumentError} if a coordinate is outside the 32-bit range or
   *   the width or height would exceed 2^31 - 1
   */
  constructor(minimum: Point2I, maximum: Point2I, invert?: boolean);
  constructor(minimum?: Point2I, maximum?: Point2I, invert = true) {
    if (minimum === undefined && maximum === undefined) return;
    if (minimum === undefined || maximum === undefined) {
      throw new GeomInvalidArgumentError(
        'Box2I needs both a minimum and a maximum point, or neither (the empty box).',
        { hint: 'Use Box2I.fromCorner(corner, dimensions) to give a corner and a size.' },
      );
    }
    let x0 = minimum.x;
    let x1 = maximum.x;
    let y0 = minimum.y;
    let y1 = maximum.y;
    if (x1 < x0) {
      if (!invert) return;
      [x0, x1] = [x1, x0];
    }
    if (y1 < y0) {
      if (!invert) return;
      [y0, y1] = [y1, y0];
    }
    Box2I.#assign(this, x0, x1, y0, y1);
  }

  /**
   * Sets `box` to the span `[x0, x1] × [y0, y1]` (inclusive), or leaves it empty when either
   * span is reversed; checks that the bounds are integers and that the result fits 32-bit
   * integers.
   */
  static #assign(box: Box2I, x0: number, x1: number, y0: number, y1: number): void {
    if (!Number.isInteger(x0) || !Number.isInteger(x1) || !Number.isInteger(y0) || !Number.isInteger(y1)) {
      throw new GeomInvalidArgumentError(
        `Box2I bounds must be integers; got x in (${String(x0)}, ${String(x1)}), y in (${String(y0)}, ${String(y1)}).`,
        { hint: 'Use Box2D for fractional bounds, or Box2I.fromBox2D to convert one.' },
      );
    }
    if (x1 < x0 || y1 < y0) return;
    if (x0 < INT32_MIN || y0 < INT32_MIN || x1 > INT32_MAX || y1 > INT32_MAX) {
      throw new GeomInvalidArgumentError(
        `Box2I corners (${String(x0)}, ${String(y0)}) to (${String(x1)}, ${String(y1)}) leave the 32-bit integer range [${String(INT32_MIN)}, ${String(INT32_MAX)}].`,
      );
    }
    const w = x1 - x0 + 1;
    const h = y1 - y0 + 1;
    if (w > INT32_MAX || h > INT32_MAX) {
      throw new GeomInvalidArgumentError(
        `Box2I dimensions (${String(w)}, ${String(h)}) overflow a 32-bit integer (at most ${String(INT32_MAX)}).`,
      );
    }
    // (int32 after the checks above: `| 0` stores them as small integers, never as heap
    // numbers, so that code reading them is not deoptimised by one box built from doubles;
    // it also turns -0 into 0)
    box._minX = x0 | 0;
    box._minY = y0 | 0;
    box._width = w | 0;
    box._height = h | 0;
  }

  /** Makes the box `[x0, x1] × [y0, y1]`, empty if either span is reversed. */
  static #fromSpans(x0: number, x1: number, y0: number, y1: number): Box2I {
    const box = new Box2I();
    Box2I.#assign(box, x0, x1, y0, y1);
    return box;
  }

  /**
   * Makes a box from one corner and its dimensions.
   *
   * @param corner - the lower-left pixel when both dimensions are positive; with `invert`, a
   *   negative dimension makes `corner` the right (or upper) edge pixel instead
   * @param dimensions - width and height in pixels; a zero dimension gives the empty box
   * @param invert - for a negative dimension: `true` (default) extends the box the other way
   *   from `corner`, `false` gives the empty box
   * @returns the box
   * @throws {@link GeomInvalidArgumentError} if the box would not fit 32-bit integers
   */
  static fromCorner(corner: Point2I, dimensions: Extent2I, invert = true): Box2I {
    let x0 = corner.x;
    let y0 = corner.y;
    let w = dimensions.x;
    let h = dimensions.y;
    if (w === 0 || h === 0) return new Box2I();
    if (w < 0) {
      if (!invert) return new Box2I();
      x0 += w + 1;
      w = -w;
    }
    if (h < 0) {
      if (!invert) return new Box2I();
      y0 += h + 1;
      h = -h;
    }
    return Box2I.#fromSpans(x0, x0 + w - 1, y0, y0 + h - 1);
  }

  /**
   * Converts a floating-point box to pixels, where pixel `i` covers `[i - 0.5, i + 0.5]`.
   *
   * The rule is lsst.geom's, which treats each axis of `box` as the closed interval
   * `[min, max]`:
   *
   * - `'EXPAND'` (default): pixels `ceil(min - 0.5)` to `floor(max + 0.5)`, every pixel that
   *   touches the box. A box edge on a pixel boundary (`x = 2.5`) takes in the pixel on the
   *   far side too, although it only touches there: `[0.5, 2.5)` gives pixels 0 to 3.
   * - `'SHRINK'`: pixels `ceil(min + 0.5)` to `floor(max - 0.5)`, only pixels lying entirely
   *   inside: `[0.5, 2.5)` gives pixels 1 to 2.
   *
   * @param box - the floating-point box
   * @param edgeHandling - `'EXPAND'` (default) or `'SHRINK'`
   * @returns the integer box; empty when `box` is empty or no pixel qualifies
   * @throws {@link GeomInvalidArgumentError} if `box` has an infinite bound, if
   *   `edgeHandling` is neither value, or if the result would not fit 32-bit integers
   */
  static fromBox2D(box: Box2D, edgeHandling: EdgeHandling = 'EXPAND'): Box2I {
    if (box.isEmpty()) return new Box2I();
    const minX = box.getMinX();
    const minY = box.getMinY();
    const maxX = box.getMaxX();
    const maxY = box.getMaxY();
    if (![minX, minY, maxX, maxY].every(Number.isFinite)) {
      throw new GeomInvalidArgumentError(
        `Cannot convert a non-finite Box2D to Box2I; got ${box.toString()}.`,
      );
    }
    if (edgeHandling === 'EXPAND') {
      return Box2I.#fromSpans(
        Math.ceil(minX - 0.5),
        Math.floor(maxX + 0.5),
        Math.ceil(minY - 0.5),
        Math.floor(maxY + 0.5),
      );
    }
    if (edgeHandling === 'SHRINK') {
      return Box2I.#fromSpans(
        Math.ceil(minX + 0.5),
        Math.floor(maxX - 0.5),
        Math.ceil(minY + 0.5),
        Math.floor(maxY - 0.5),
      );
    }
    throw new GeomInvalidArgumentError(
      `edgeHandling must be 'EXPAND' or 'SHRINK'; got ${String(edgeHandling)}.`,
    );
  }

  /**
   * Makes the box of the given size centred as closely as the pixel grid allows on `center`
   * (its centre is within half a pixel of `center` in each axis). The lower-left corner is
   * `center - size / 2 + 0.5`, rounded as `floor(v + 0.5)`.
   *
   * @param center - the wanted centre
   * @param size - width and height in pixels
   * @returns the box; empty when a dimension is not positive
   * @throws {@link GeomInvalidArgumentError} if `center` is not finite or the box would not
   *   fit 32-bit integers
   */
  static makeCenteredBox(center: Point2D, size: Extent2I): Box2I {
    if (!Number.isFinite(center.x) || !Number.isFinite(center.y)) {
      throw new GeomInvalidArgumentError(
        `Cannot centre a Box2I on a non-finite point; got ${center.toString()}.`,
      );
    }
    if (size.x <= 0 || size.y <= 0) return new Box2I();
    const x0 = Math.floor(center.x - 0.5 * size.x + 0.5 + 0.5);
    const y0 = Math.floor(center.y - 0.5 * size.y + 0.5 + 0.5);
    return Box2I.#fromSpans(x0, x0 + size.x - 1, y0, y0 + size.y - 1);
  }

  /** Leftmost column (inclusive); 0 for the empty box. */
  get minX(): number {
    return this._minX;
  }

  /** Bottom row (inclusive); 0 for the empty box. */
  get minY(): number {
    return this._minY;
  }

  /** Rightmost column (inclusive); -1 for the empty box. */
  get maxX(): number {
    return this._minX + this._width - 1;
  }

  /** Top row (inclusive); -1 for the empty box. */
  get maxY(): number {
    return this._minY + this._height - 1;
  }

  /** Number of columns; 0 for the empty box. */
  get width(): number {
    return this._width;
  }

  /** Number of rows; 0 for the empty box. */
  get height(): number {
    return this._height;
  }

  /** @returns the lower-left pixel (inclusive) */
  getMin(): Point2I {
    return new Point2I(this._minX, this._minY);
  }

  /** @returns the leftmost column (inclusive) */
  getMinX(): number {
    return this._minX;
  }

  /** @returns the bottom row (inclusive) */
  getMinY(): number {
    return this._minY;
  }

  /** @returns the upper-right pixel (inclusive) */
  getMax(): Point2I {
    return new Point2I(this.maxX, this.maxY);
  }

  /** @returns the rightmost column (inclusive) */
  getMaxX(): number {
    return this.maxX;
  }

  /** @returns the top row (inclusive) */
  getMaxY(): number {
    return this.maxY;
  }

  /** @returns the first pixel, the same as {@link Box2I.getMin} */
  getBegin(): Point2I {
    return this.getMin();
  }

  /** @returns the first column (inclusive) */
  getBeginX(): number {
    return this._minX;
  }

  /** @returns the first row (inclusive) */
  getBeginY(): number {
    return this._minY;
  }

  /** @returns one past the upper-right pixel, `max + 1` (exclusive end) */
  getEnd(): Point2I {
    return new Point2I(this._minX + this._width, this._minY + this._height);
  }

  /** @returns one past the last column (exclusive) */
  getEndX(): number {
    return this._minX + this._width;
  }

  /** @returns one past the last row (exclusive) */
  getEndY(): number {
    return this._minY + this._height;
  }

  /** @returns width and height in pixels */
  getDimensions(): Extent2I {
    return new Extent2I(this._width, this._height);
  }

  /** @returns the number of columns */
  getWidth(): number {
    return this._width;
  }

  /** @returns the number of rows */
  getHeight(): number {
    return this._height;
  }

  /** @returns the number of pixels, `width × height` */
  getArea(): number {
    return this._width * this._height;
  }

  /**
   * The centre in continuous pixel coordinates: `(min + max) / 2`, a half-integer when the
   * width or height is even.
   *
   * @returns the centre
   * @throws {@link GeomDomainError} if the box is empty (lsst.geom gives NaN)
   */
  getCenter(): Point2D {
    return new Point2D(this.getCenterX(), this.getCenterY());
  }

  /**
   * @returns the x coordinate of {@link Box2I.getCenter}
   * @throws {@link GeomDomainError} if the box is empty
   */
  getCenterX(): number {
    this.#checkNotEmpty('centre');
    return 0.5 * (this._minX + this.maxX);
  }

  /**
   * @returns the y coordinate of {@link Box2I.getCenter}
   * @throws {@link GeomDomainError} if the box is empty
   */
  getCenterY(): number {
    this.#checkNotEmpty('centre');
    return 0.5 * (this._minY + this.maxY);
  }

  #checkNotEmpty(what: string): void {
    if (this.isEmpty()) throw new GeomDomainError(`The ${what} of an empty Box2I is undefined.`);
  }

  /** @returns whether the box holds no pixel */
  isEmpty(): boolean {
    return this._width === 0 && this._height === 0;
  }

  /**
   * @param point - a pixel
   * @returns whether the pixel is inside the box (edges included)
   */
  contains(point: Point2I): boolean;
  /**
   * Allocation-free form of `contains(new Point2I(x, y))`. Non-integer arguments are not
   * refused; they are compared with the inclusive bounds as they are.
   *
   * @param x - column
   * @param y - row
   * @returns whether the pixel is inside the box (edges included)
   */
  contains(x: number, y: number): boolean;
  /**
   * @param other - another box
   * @returns whether every pixel of `other` is in this box; `true` when `other` is empty
   */
  contains(other: Box2I): boolean;
  contains(a: Point2I | Box2I | number, b?: number): boolean {
    if (a instanceof Box2I) {
      if (a.isEmpty()) return true;
      return (
        a._minX >= this._minX && a.maxX <= this.maxX && a._minY >= this._minY && a.maxY <= this.maxY
      );
    }
    const x = typeof a === 'number' ? a : a.x;
    const y = typeof a === 'number' ? (b ?? Number.NaN) : a.y;
    return x >= this._minX && x <= this.maxX && y >= this._minY && y <= this.maxY;
  }

  /**
   * @param other - another box
   * @returns whether the two boxes share at least one pixel; `false` if either is empty
   */
  overlaps(other: Box2I): boolean {
    if (this.isEmpty() || other.isEmpty()) return false;
    return !(
      other.maxX < this._minX ||
      other._minX > this.maxX ||
      other.maxY < this._minY ||
      other._minY > this.maxY
    );
  }

  /**
   * @param other - another box
   * @returns `!this.overlaps(other)`
   */
  isDisjointFrom(other: Box2I): boolean {
    return !this.overlaps(other);
  }

  /**
   * Grows the box by `buffer` pixels on every side (shrinks it for a negative buffer).
   *
   * @param buffer - pixels to add on each side: one integer for both axes, or an
   *   {@link Extent2I} for x and y separately
   * @returns the grown box; empty if a dimension would drop to zero or below, or if this box
   *   is empty
   * @throws {@link GeomInvalidArgumentError} if `buffer` is not an integer or the result
   *   would not fit 32-bit integers
   */
  dilatedBy(buffer: number | Extent2I): Box2I {
    let bx: number;
    let by: number;
    if (typeof buffer === 'number') {
      checkInteger('Box2I buffer', buffer);
      bx = buffer;
      by = buffer;
    } else {
      bx = buffer.x;
      by = buffer.y;
    }
    if (this.isEmpty()) return new Box2I();
    return Box2I.#fromSpans(this._minX - bx, this.maxX + bx, this._minY - by, this.maxY + by);
  }

  /**
   * Shrinks the box by `buffer` pixels on every side: `dilatedBy(-buffer)`.
   *
   * @param buffer - pixels to remove on each side: one integer, or an {@link Extent2I}
   * @returns the shrunk box; empty if a dimension drops to zero or below
   * @throws {@link GeomInvalidArgumentError} if `buffer` is not an integer or the result
   *   would not fit 32-bit integers
   */
  erodedBy(buffer: number | Extent2I): Box2I {
    return this.dilatedBy(typeof buffer === 'number' ? -buffer : buffer.negate());
  }

  /**
   * @param offset - the shift in pixels
   * @returns the box moved by `offset`; the empty box stays empty
   * @throws {@link GeomInvalidArgumentError} if the result would not fit 32-bit integers
   */
  shiftedBy(offset: Extent2I): Box2I {
    if (this.isEmpty()) return new Box2I();
    return Box2I.#fromSpans(
      this._minX + offset.x,
      this.maxX + offset.x,
      this._minY + offset.y,
      this.maxY + offset.y,
    );
  }

  /**
   * Mirrors the box about the vertical line through column `x` (`x' = 2x - x`).
   *
   * @param x - the column of the mirror line; an integer
   * @returns the mirrored box; the empty box stays empty
   * @throws {@link GeomInvalidArgumentError} if `x` is not an integer or the result would not
   *   fit 32-bit integers
   */
  reflectedAboutX(x: number): Box2I {
    checkInteger('Reflection column', x);
    if (this.isEmpty()) return new Box2I();
    return Box2I.#fromSpans(2 * x - this.maxX, 2 * x - this._minX, this._minY, this.maxY);
  }

  /**
   * Mirrors the box about the horizontal line through row `y` (`y' = 2y - y`).
   *
   * @param y - the row of the mirror line; an integer
   * @returns the mirrored box; the empty box stays empty
   * @throws {@link GeomInvalidArgumentError} if `y` is not an integer or the result would not
   *   fit 32-bit integers
   */
  reflectedAboutY(y: number): Box2I {
    checkInteger('Reflection row', y);
    if (this.isEmpty()) return new Box2I();
    return Box2I.#fromSpans(this._minX, this.maxX, 2 * y - this.maxY, 2 * y - this._minY);
  }

  /**
   * Flips the box left-right inside a parent image `xExtent` pixels wide whose first column
   * is 0: column `i` goes to `xExtent - 1 - i` (the immutable form of lsst.geom's `flipLR`).
   *
   * @param xExtent - width of the parent image; an integer
   * @returns the flipped box; the empty box stays empty
   * @throws {@link GeomInvalidArgumentError} if `xExtent` is not an integer or the result
   *   would not fit 32-bit integers
   */
  flippedLR(xExtent: number): Box2I {
    checkInteger('xExtent', xExtent);
    if (this.isEmpty()) return new Box2I();
    return Box2I.#fromSpans(
      xExtent - 1 - this.maxX,
      xExtent - 1 - this._minX,
      this._minY,
      this.maxY,
    );
  }

  /**
   * Flips the box top-bottom inside a parent image `yExtent` pixels high whose first row is
   * 0: row `j` goes to `yExtent - 1 - j` (the immutable form of lsst.geom's `flipTB`).
   *
   * @param yExtent - height of the parent image; an integer
   * @returns the flipped box; the empty box stays empty
   * @throws {@link GeomInvalidArgumentError} if `yExtent` is not an integer or the result
   *   would not fit 32-bit integers
   */
  flippedTB(yExtent: number): Box2I {
    checkInteger('yExtent', yExtent);
    if (this.isEmpty()) return new Box2I();
    return Box2I.#fromSpans(
      this._minX,
      this.maxX,
      yExtent - 1 - this.maxY,
      yExtent - 1 - this._minY,
    );
  }

  /**
   * The smallest box holding this box and `point`. Expanding the empty box gives the 1 × 1
   * box at `point`.
   *
   * @param point - a pixel to take in
   * @returns the expanded box
   * @throws {@link GeomInvalidArgumentError} if the result would not fit 32-bit integers
   */
  expandedTo(point: Point2I): Box2I;
  /**
   * The smallest box holding this box and `other`. An empty `other` changes nothing; an
   * empty `this` gives `other`.
   *
   * @param other - a box to take in
   * @returns the expanded box
   * @throws {@link GeomInvalidArgumentError} if the result would not fit 32-bit integers
   */
  expandedTo(other: Box2I): Box2I;
  expandedTo(other: Point2I | Box2I): Box2I {
    if (other instanceof Box2I) {
      if (other.isEmpty()) return this;
      if (this.isEmpty()) return other;
      return Box2I.#fromSpans(
        Math.min(this._minX, other._minX),
        Math.max(this.maxX, other.maxX),
        Math.min(this._minY, other._minY),
        Math.max(this.maxY, other.maxY),
      );
    }
    if (this.isEmpty()) return Box2I.#fromSpans(other.x, other.x, other.y, other.y);
    return Box2I.#fromSpans(
      Math.min(this._minX, other.x),
      Math.max(this.maxX, other.x),
      Math.min(this._minY, other.y),
      Math.max(this.maxY, other.y),
    );
  }

  /**
   * The intersection of this box and `other`.
   *
   * @param other - the box to clip to
   * @returns the pixels in both boxes; empty if they do not overlap or either is empty
   */
  clippedTo(other: Box2I): Box2I {
    if (this.isEmpty() || other.isEmpty()) return new Box2I();
    return Box2I.#fromSpans(
      Math.max(this._minX, other._minX),
      Math.min(this.maxX, other.maxX),
      Math.max(this._minY, other._minY),
      Math.min(this.maxY, other.maxY),
    );
  }

  /**
   * The four corner pixels, counter-clockwise from the lower left: `(minX, minY)`,
   * `(maxX, minY)`, `(maxX, maxY)`, `(minX, maxY)`. For the empty box these come from its
   * placeholder min and max, as in lsst.geom, and mean nothing.
   *
   * @returns the corners, in that order
   */
  getCorners(): Point2I[] {
    const x0 = this._minX;
    const y0 = this._minY;
    const x1 = this.maxX;
    const y1 = this.maxY;
    return [new Point2I(x0, y0), new Point2I(x1, y0), new Point2I(x1, y1), new Point2I(x0, y1)];
  }

  /**
   * @param other - the value to compare with
   * @returns whether `other` is a `Box2I` with the same pixels (all empty boxes are equal)
   */
  equals(other: Box2I): boolean {
    return (
      other instanceof Box2I &&
      other._minX === this._minX &&
      other._minY === this._minY &&
      other._width === this._width &&
      other._height === this._height
    );
  }

  /**
   * @returns `Box2I(minimum=Point2I(x, y), dimensions=Extent2I(w, h))`, as lsst.geom's
   *   Python `repr` writes it, or `Box2I()` for the empty box
   */
  toString(): string {
    if (this.isEmpty()) return 'Box2I()';
    return `Box2I(minimum=${this.getMin().toString()}, dimensions=${this.getDimensions().toString()})`;
  }
}

/**
 * A floating-point rectangle. Immutable.
 *
 * The box is HALF-OPEN, as in lsst.geom: a point is inside when `min <= p < max` in both
 * axes, so two boxes that share an edge do not overlap and a point on the upper edge is
 * outside. (Box-in-box containment compares bounds and is closed: a box contains itself.)
 *
 * The empty box (`new Box2D()`) has NaN bounds and zero width and height; only the empty box
 * has a zero dimension, so a box whose minimum equals its maximum in either axis is empty.
 * The empty box contains no point, overlaps nothing and is contained by every box; all empty
 * boxes are equal.
 *
 * Bounds may be infinite (a box covering the whole plane is
 * `new Box2D(new Point2D(-Infinity, -Infinity), new Point2D(Infinity, Infinity))`); NaN
 * bounds are refused.
 *
 * @example
 * ```ts
 * const box = new Box2D(new Point2D(-0.5, -0.5), new Point2D(9.5, 4.5));
 * box.contains(new Point2D(-0.5, 0)); // true: the minimum is inclusive
 * box.contains(new Point2D(9.5, 0)); // false: the maximum is exclusive
 * Box2D.fromBox2I(new Box2I(new Point2I(0, 0), new Point2I(9, 4))).equals(box); // true
 * box.getCenter(); // Point2D(4.5, 2)
 * ```
 * @see lsst.geom.Box2D
 */
export class Box2D {
  /**
   * The relative step lsst.geom uses to move a maximum just above a point so that the
   * half-open box contains it ({@link Box2D.expandedTo}): twice the double-precision machine
   * epsilon.
   */
  static readonly EPSILON = 2 * Number.EPSILON;
  /** The value of the bounds of the empty box: NaN. */
  static readonly INVALID = Number.NaN;

  private _minX = Number.NaN;
  private _minY = Number.NaN;
  private _maxX = Number.NaN;
  private _maxY = Number.NaN;

  /** Makes the empty box. */
  constructor();
  /**
   * Makes the box `[minimum, maximum)`.
   *
   * @param minimum - the lower-left corner (inclusive)
   * @param maximum - the upper-right corner (exclusive)
   * @param invert - when a coordinate of `minimum` exceeds that of `maximum`: `true`
   *   (default) swaps them, `false` makes the empty box. Equal coordinates always give the
   *   empty box.
   * @throws {@link GeomInvalidArgumentError} if a coordinate is NaN
   */
  constructor(minimum: Point2D, maximum: Point2D, invert?: boolean);
  constructor(minimum?: Point2D, maximum?: Point2D, invert = true) {
    if (minimum === undefined && maximum === undefined) return;
    if (minimum === undefined || maximum === undefined) {
      throw new GeomInvalidArgumentError(
        'Box2D needs both a minimum and a maximum point, or neither (the empty box).',
        { hint: 'Use Box2D.fromCorner(corner, dimensions) to give a corner and a size.' },
      );
    }
    Box2D.#assign(this, minimum.x, maximum.x, minimum.y, maximum.y, invert);
  }

  /** Sets `box` from per-axis bounds with lsst.geom's rules for equal and reversed bounds. */
  static #assign(
    box: Box2D,
    x0: number,
    x1: number,
    y0: number,
    y1: number,
    invert: boolean,
  ): void {
    if (Number.isNaN(x0) || Number.isNaN(x1) || Number.isNaN(y0) || Number.isNaN(y1)) {
      throw new GeomInvalidArgumentError(
        `Box2D bounds must not be NaN; got x in (${String(x0)}, ${String(x1)}), y in (${String(y0)}, ${String(y1)}).`,
        { hint: 'Use new Box2D() for the empty box.' },
      );
    }
    if (x0 === x1 || y0 === y1) return;
    if (x0 > x1) {
      if (!invert) return;
      [x0, x1] = [x1, x0];
    }
    if (y0 > y1) {
      if (!invert) return;
      [y0, y1] = [y1, y0];
    }
    box._minX = x0;
    box._minY = y0;
    box._maxX = x1;
    box._maxY = y1;
  }

  /** Makes the box `[x0, x1) × [y0, y1)`, empty unless `x0 < x1` and `y0 < y1`. */
  static #fromBounds(x0: number, x1: number, y0: number, y1: number): Box2D {
    const box = new Box2D();
    Box2D.#assign(box, x0, x1, y0, y1, false);
    return box;
  }

  /**
   * Makes a box from one corner and its dimensions.
   *
   * @param corner - the lower-left corner (inclusive) when both dimensions are positive; with
   *   `invert`, a negative dimension makes it the right (or upper) bound instead
   * @param dimensions - width and height; a zero dimension gives the empty box
   * @param invert - for a negative dimension: `true` (default) extends the box the other way
   *   from `corner`, `false` gives the empty box
   * @returns the box
   * @throws {@link GeomInvalidArgumentError} if a coordinate is NaN or `corner + dimensions`
   *   is NaN (`-Infinity + Infinity`)
   */
  static fromCorner(corner: Point2D, dimensions: Extent2D, invert = true): Box2D {
    const box = new Box2D();
    Box2D.#assign(
      box,
      corner.x,
      corner.x + dimensions.x,
      corner.y,
      corner.y + dimensions.y,
      invert,
    );
    return box;
  }

  /**
   * The area covered by a box of pixels: each pixel `i` spans `[i - 0.5, i + 0.5)`, so the
   * bounds are `min - 0.5` and `max + 0.5`.
   *
   * @param box - the integer box
   * @returns the floating-point box (empty for the empty box)
   */
  static fromBox2I(box: Box2I): Box2D {
    if (box.isEmpty()) return new Box2D();
    return Box2D.#fromBounds(
      box.getMinX() - 0.5,
      box.getMaxX() + 0.5,
      box.getMinY() - 0.5,
      box.getMaxY() + 0.5,
    );
  }

  /**
   * Makes the box of the given size centred on `center` (to rounding).
   *
   * @param center - the centre
   * @param size - width and height
   * @returns the box; empty when a dimension is not positive or is NaN
   * @throws {@link GeomInvalidArgumentError} if `center` is not finite or `size` is infinite
   *   (lsst.geom leaves these undefined)
   */
  static makeCenteredBox(center: Point2D, size: Extent2D): Box2D {
    if (!Number.isFinite(center.x) || !Number.isFinite(center.y)) {
      throw new GeomInvalidArgumentError(
        `Cannot centre a Box2D on a non-finite point; got ${center.toString()}.`,
      );
    }
    if (!(size.x > 0 && size.y > 0)) return new Box2D();
    if (size.x === Infinity || size.y === Infinity) {
      throw new GeomInvalidArgumentError(
        `Cannot centre a Box2D of infinite size; got ${size.toString()}.`,
      );
    }
    const x0 = center.x - 0.5 * size.x;
    const y0 = center.y - 0.5 * size.y;
    return Box2D.#fromBounds(x0, x0 + size.x, y0, y0 + size.y);
  }

  /** Lower x bound (inclusive); NaN for the empty box. */
  get minX(): number {
    return this._minX;
  }

  /** Lower y bound (inclusive); NaN for the empty box. */
  get minY(): number {
    return this._minY;
  }

  /** Upper x bound (exclusive); NaN for the empty box. */
  get maxX(): number {
    return this._maxX;
  }

  /** Upper y bound (exclusive); NaN for the empty box. */
  get maxY(): number {
    return this._maxY;
  }

  /** `maxX - minX`; 0 for the empty box. */
  get width(): number {
    return this.isEmpty() ? 0 : this._maxX - this._minX;
  }

  /** `maxY - minY`; 0 for the empty box. */
  get height(): number {
    return this.isEmpty() ? 0 : this._maxY - this._minY;
  }

  /** @returns the lower-left corner (inclusive); NaN coordinates for the empty box */
  getMin(): Point2D {
    return new Point2D(this._minX, this._minY);
  }

  /** @returns the lower x bound (inclusive) */
  getMinX(): number {
    return this._minX;
  }

  /** @returns the lower y bound (inclusive) */
  getMinY(): number {
    return this._minY;
  }

  /** @returns the upper-right corner (exclusive); NaN coordinates for the empty box */
  getMax(): Point2D {
    return new Point2D(this._maxX, this._maxY);
  }

  /** @returns the upper x bound (exclusive) */
  getMaxX(): number {
    return this._maxX;
  }

  /** @returns the upper y bound (exclusive) */
  getMaxY(): number {
    return this._maxY;
  }

  /** @returns width and height; `(0, 0)` for the empty box */
  getDimensions(): Extent2D {
    return new Extent2D(this.width, this.height);
  }

  /** @returns `maxX - minX`; 0 for the empty box */
  getWidth(): number {
    return this.width;
  }

  /** @returns `maxY - minY`; 0 for the empty box */
  getHeight(): number {
    return this.height;
  }

  /** @returns `width × height`; 0 for the empty box */
  getArea(): number {
    return this.width * this.height;
  }

  /**
   * @returns the centre, `(min + max) / 2`
   * @throws {@link GeomDomainError} if the box is empty (lsst.geom gives NaN)
   */
  getCenter(): Point2D {
    return new Point2D(this.getCenterX(), this.getCenterY());
  }

  /**
   * @returns the x coordinate of {@link Box2D.getCenter}
   * @throws {@link GeomDomainError} if the box is empty
   */
  getCenterX(): number {
    this.#checkNotEmpty('centre');
    return 0.5 * (this._minX + this._maxX);
  }

  /**
   * @returns the y coordinate of {@link Box2D.getCenter}
   * @throws {@link GeomDomainError} if the box is empty
   */
  getCenterY(): number {
    this.#checkNotEmpty('centre');
    return 0.5 * (this._minY + this._maxY);
  }

  #checkNotEmpty(what: string): void {
    if (this.isEmpty()) throw new GeomDomainError(`The ${what} of an empty Box2D is undefined.`);
  }

  /** @returns whether this is the empty box */
  isEmpty(): boolean {
    return Number.isNaN(this._minX);
  }

  /**
   * @param point - a point
   * @returns whether `min <= point < max` in both axes (false for a NaN coordinate)
   */
  contains(point: Point2D): boolean;
  /**
   * Allocation-free form of `contains(new Point2D(x, y))`.
   *
   * @param x - x coordinate
   * @param y - y coordinate
   * @returns whether `min <= (x, y) < max` in both axes
   */
  contains(x: number, y: number): boolean;
  /**
   * @param other - another box
   * @returns whether `other` lies inside this box, bounds compared inclusively (so a box
   *   contains itself); `true` when `other` is empty
   */
  contains(other: Box2D): boolean;
  contains(a: Point2D | Box2D | number, b?: number): boolean {
    if (a instanceof Box2D) {
      if (a.isEmpty()) return true;
      return (
        a._minX >= this._minX &&
        a._maxX <= this._maxX &&
        a._minY >= this._minY &&
        a._maxY <= this._maxY
      );
    }
    const x = typeof a === 'number' ? a : a.x;
    const y = typeof a === 'number' ? (b ?? Number.NaN) : a.y;
    return x >= this._minX && x < this._maxX && y >= this._minY && y < this._maxY;
  }

  /**
   * @param other - another box
   * @returns whether the boxes share an area; boxes that only touch along an edge do not
   *   overlap (half-open); `false` if either is empty
   */
  overlaps(other: Box2D): boolean {
    if (this.isEmpty() || other.isEmpty()) return false;
    return !(
      other._maxX <= this._minX ||
      other._maxY <= this._minY ||
      other._minX >= this._maxX ||
      other._minY >= this._maxY
    );
  }

  /**
   * @param other - another box
   * @returns `!this.overlaps(other)`
   */
  isDisjointFrom(other: Box2D): boolean {
    return !this.overlaps(other);
  }

  /**
   * Grows the box by `buffer` on every side (shrinks it for a negative buffer).
   *
   * @param buffer - amount to add on each side: one number, or an {@link Extent2D} for x and
   *   y separately
   * @returns the grown box; empty if a dimension drops to zero or below, or if this box is
   *   empty
   * @throws {@link GeomInvalidArgumentError} if `buffer` is not finite
   */
  dilatedBy(buffer: number | Extent2D): Box2D {
    const bx = typeof buffer === 'number' ? buffer : buffer.x;
    const by = typeof buffer === 'number' ? buffer : buffer.y;
    checkFinite('Box2D buffer', bx);
    checkFinite('Box2D buffer', by);
    if (this.isEmpty()) return new Box2D();
    return Box2D.#fromBounds(this._minX - bx, this._maxX + bx, this._minY - by, this._maxY + by);
  }

  /**
   * Shrinks the box by `buffer` on every side: `dilatedBy(-buffer)`.
   *
   * @param buffer - amount to remove on each side: one number, or an {@link Extent2D}
   * @returns the shrunk box; empty if a dimension drops to zero or below
   * @throws {@link GeomInvalidArgumentError} if `buffer` is not finite
   */
  erodedBy(buffer: number | Extent2D): Box2D {
    return this.dilatedBy(typeof buffer === 'number' ? -buffer : buffer.negate());
  }

  /**
   * @param offset - the shift
   * @returns the box moved by `offset`; the empty box stays empty
   * @throws {@link GeomInvalidArgumentError} if `offset` is not finite
   */
  shiftedBy(offset: Extent2D): Box2D {
    checkFinite('Box2D offset', offset.x);
    checkFinite('Box2D offset', offset.y);
    if (this.isEmpty()) return new Box2D();
    return Box2D.#fromBounds(
      this._minX + offset.x,
      this._maxX + offset.x,
      this._minY + offset.y,
      this._maxY + offset.y,
    );
  }

  /**
   * Mirrors the box about the vertical line at `x`.
   *
   * @param x - the mirror line
   * @returns the mirrored box, `[2x - maxX, 2x - minX)` in x; the empty box stays empty
   */
  reflectedAboutX(x: number): Box2D {
    if (this.isEmpty()) return new Box2D();
    return Box2D.#fromBounds(2 * x - this._maxX, 2 * x - this._minX, this._minY, this._maxY);
  }

  /**
   * Mirrors the box about the horizontal line at `y`.
   *
   * @param y - the mirror line
   * @returns the mirrored box, `[2y - maxY, 2y - minY)` in y; the empty box stays empty
   */
  reflectedAboutY(y: number): Box2D {
    if (this.isEmpty()) return new Box2D();
    return Box2D.#fromBounds(this._minX, this._maxX, 2 * y - this._maxY, 2 * y - this._minY);
  }

  /**
   * Flips the box left-right inside a parent spanning `[0, xExtent)` in x: `x` goes to
   * `xExtent - x` (the immutable form of lsst.geom's `flipLR`).
   *
   * @param xExtent - width of the parent
   * @returns the flipped box; the empty box stays empty
   */
  flippedLR(xExtent: number): Box2D {
    if (this.isEmpty()) return new Box2D();
    return Box2D.#fromBounds(xExtent - this._maxX, xExtent - this._minX, this._minY, this._maxY);
  }

  /**
   * Flips the box top-bottom inside a parent spanning `[0, yExtent)` in y: `y` goes to
   * `yExtent - y` (the immutable form of lsst.geom's `flipTB`).
   *
   * @param yExtent - height of the parent
   * @returns the flipped box; the empty box stays empty
   */
  flippedTB(yExtent: number): Box2D {
    if (this.isEmpty()) return new Box2D();
    return Box2D.#fromBounds(this._minX, this._maxX, yExtent - this._maxY, yExtent - this._minY);
  }

  /**
   * The smallest box that contains this box and `point`. Because the maximum is exclusive, a
   * point at or beyond a maximum moves that maximum just past it (by the relative step
   * {@link Box2D.EPSILON}; by one representable step for subnormal values), so that the
   * result really contains the point. Expanding the empty box gives a tiny box starting at
   * `point`.
   *
   * @param point - the point to take in
   * @returns the expanded box
   * @throws {@link GeomInvalidArgumentError} if `point` is not finite
   */
  expandedTo(point: Point2D): Box2D;
  /**
   * The smallest box holding this box and `other`. An empty `other` changes nothing; an
   * empty `this` gives `other`.
   *
   * @param other - a box to take in
   * @returns the expanded box
   */
  expandedTo(other: Box2D): Box2D;
  expandedTo(other: Point2D | Box2D): Box2D {
    if (other instanceof Box2D) {
      if (other.isEmpty()) return this;
      if (this.isEmpty()) return other;
      return Box2D.#fromBounds(
        Math.min(this._minX, other._minX),
        Math.max(this._maxX, other._maxX),
        Math.min(this._minY, other._minY),
        Math.max(this._maxY, other._maxY),
      );
    }
    const px = other.x;
    const py = other.y;
    if (!Number.isFinite(px) || !Number.isFinite(py)) {
      throw new GeomInvalidArgumentError(
        `Cannot expand a Box2D to a non-finite point; got ${other.toString()}.`,
      );
    }
    if (this.isEmpty()) return Box2D.#fromBounds(px, tweakMax(px), py, tweakMax(py));
    let x0 = this._minX;
    let x1 = this._maxX;
    let y0 = this._minY;
    let y1 = this._maxY;
    if (px < x0) x0 = px;
    else if (px >= x1) x1 = tweakMax(px);
    if (py < y0) y0 = py;
    else if (py >= y1) y1 = tweakMax(py);
    return Box2D.#fromBounds(x0, x1, y0, y1);
  }

  /**
   * The intersection of this box and `other`.
   *
   * @param other - the box to clip to
   * @returns the area in both boxes; empty if they do not overlap (touching edges included)
   *   or either is empty
   */
  clippedTo(other: Box2D): Box2D {
    if (this.isEmpty() || other.isEmpty()) return new Box2D();
    return Box2D.#fromBounds(
      Math.max(this._minX, other._minX),
      Math.min(this._maxX, other._maxX),
      Math.max(this._minY, other._minY),
      Math.min(this._maxY, other._maxY),
    );
  }

  /**
   * The four corners, counter-clockwise from the lower left: `(minX, minY)`,
   * `(maxX, minY)`, `(maxX, maxY)`, `(minX, maxY)`. All NaN for the empty box.
   *
   * @returns the corners, in that order
   */
  getCorners(): Point2D[] {
    const x0 = this._minX;
    const y0 = this._minY;
    const x1 = this._maxX;
    const y1 = this._maxY;
    return [new Point2D(x0, y0), new Point2D(x1, y0), new Point2D(x1, y1), new Point2D(x0, y1)];
  }

  /**
   * @param other - the value to compare with
   * @returns whether `other` is a `Box2D` with exactly the same bounds; all empty boxes are
   *   equal
   */
  equals(other: Box2D): boolean {
    if (!(other instanceof Box2D)) return false;
    if (this.isEmpty() || other.isEmpty()) return this.isEmpty() && other.isEmpty();
    return (
      other._minX === this._minX &&
      other._minY === this._minY &&
      other._maxX === this._maxX &&
      other._maxY === this._maxY
    );
  }

  /**
   * @returns `Box2D(minimum=Point2D(x, y), dimensions=Extent2D(w, h))`, like lsst.geom's
   *   Python `repr`, or `Box2D()` for the empty box
   */
  toString(): string {
    if (this.isEmpty()) return 'Box2D()';
    return `Box2D(minimum=${this.getMin().toString()}, dimensions=${this.getDimensions().toString()})`;
  }
}

/**
 * A value just above `v`, by lsst.geom's rule: `v × (1 ± EPSILON)` away from zero, or
 * `EPSILON` itself for zero. In the subnormal range, where that product rounds back to `v`,
 * the next double up is used instead (lsst.geom would return `v` itself there).
 */
function tweakMax(v: number): number {
  let t: number;
  if (v < 0) t = v * (1 - Box2D.EPSILON);
  else if (v > 0) t = v * (1 + Box2D.EPSILON);
  else return Box2D.EPSILON;
  return t > v ? t : v + Number.MIN_VALUE;
}
