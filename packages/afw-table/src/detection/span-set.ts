import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import type { ArchiveRows } from '../archive/archive-rows.js';
import type { OutputArchiveHandle } from '../archive/output-archive.js';
import type { Persistable } from '../archive/persistable.js';
import { AfwTableFormatError, AfwTableInvalidArgumentError } from '../errors.js';
import { Span, checkSpanCoordinate } from './span.js';

/** Options of {@link SpanSet.fromArrays}. */
export interface SpanSetArraysOptions {
  /**
   * Sort the spans by `(y, x0)` and merge those of a row that overlap or touch (default true,
   * as afw's `SpanSet(spans, normalize=true)`). With `false` the arrays must already be sorted
   * and disjoint; they are then adopted without a copy.
   */
  readonly normalize?: boolean;
}

/** The archive columns of a SpanSet, as afw writes them. */
const SPAN_SET_SCHEMA = {
  columns: [
    { name: 'y', format: '1J', unit: 'pixel', doc: 'The row of the span' },
    { name: 'x0', format: '1J', unit: 'pixel', doc: 'First column of span (inclusive)' },
    { name: 'x1', format: '1J', unit: 'pixel', doc: 'Second column of span (inclusive)' },
  ],
} as const;

/**
 * A set of pixels stored as spans (rows of pixels), sorted by `(y, x0)` with the spans of a
 * row disjoint and not touching (afw's normalized form). Immutable; the spans live in three
 * `Int32Array`s (`ys`, `x0s`, `x1s`) that must not be modified.
 *
 * @example
 * ```ts
 * const spans = new SpanSet([new Span(1, 2, 4), new Span(0, 3, 3), new Span(1, 5, 6)]);
 * spans.length; // 2 (the spans of row 1 touch and are merged)
 * spans.getArea(); // 6
 * spans.getBBox(); // (minimum=(2, 0), maximum=(6, 1))
 * spans.contains(6, 1); // true
 * for (const span of spans) console.log(span.toString());
 * ```
 * @see lsst.afw.geom.SpanSet
 */
export class SpanSet implements Persistable, Iterable<Span> {
  /** `'SpanSet'`, the name afw's archive uses. */
  readonly persistenceName = 'SpanSet';
  /** `'lsst.afw.geom'`. */
  readonly pythonModule = 'lsst.afw.geom';
  /** The rows of the spans, ascending. */
  readonly ys: Int32Array;
  /** The first columns (inclusive). */
  readonly x0s: Int32Array;
  /** The last columns (inclusive). */
  readonly x1s: Int32Array;
  #area = -1;

  /**
   * Makes a span set from spans (sorted and merged, as afw does).
   *
   * @param spans - the spans, in any order (default none: the empty set)
   */
  constructor(spans: Iterable<Span> = []) {
    const list = [...spans];
    const ys = Int32Array.from(list, (s) => s.y);
    const x0s = Int32Array.from(list, (s) => s.x0);
    const x1s = Int32Array.from(list, (s) => s.x1);
    [this.ys, this.x0s, this.x1s] = normalize(ys, x0s, x1s);
  }

  /**
   * Makes a span set from the columns of its spans (what the archive readers use).
   *
   * @param ys - the rows
   * @param x0s - the first columns (inclusive)
   * @param x1s - the last columns (inclusive)
   * @param options - whether to normalize (default) or adopt sorted, disjoint arrays as they are
   * @returns the span set
   * @throws AfwTableInvalidArgumentError when the arrays differ in length, a span has `x1 < x0`,
   *   a value is not a 32-bit integer, or (with `normalize: false`) the spans are not sorted and disjoint
   */
  static fromArrays(ys: ArrayLike<number>, x0s: ArrayLike<number>, x1s: ArrayLike<number>, options: SpanSetArraysOptions = {}): SpanSet {
    if (ys.length !== x0s.length || ys.length !== x1s.length) {
      throw new AfwTableInvalidArgumentError(`SpanSet columns differ in length: ${ys.length} y, ${x0s.length} x0, ${x1s.length} x1.`);
    }
    const n = ys.length;
    const y = ys instanceof Int32Array ? ys : Int32Array.from(ys, (v) => (checkSpanCoordinate('y', v), v));
    const a = x0s instanceof Int32Array ? x0s : Int32Array.from(x0s, (v) => (checkSpanCoordinate('x0', v), v));
    const b = x1s instanceof Int32Array ? x1s : Int32Array.from(x1s, (v) => (checkSpanCoordinate('x1', v), v));
    for (let i = 0; i < n; i++) {
      if (b[i]! < a[i]!) throw new AfwTableInvalidArgumentError(`Span ${i} (y ${y[i]}) has x1 = ${b[i]} < x0 = ${a[i]}.`);
    }
    const set = new SpanSet();
    let arrays: [Int32Array, Int32Array, Int32Array];
    if (options.normalize === false) {
      if (!isNormalized(y, a, b)) {
        throw new AfwTableInvalidArgumentError('SpanSet.fromArrays with normalize: false needs spans sorted by (y, x0) and disjoint within a row.');
      }
      arrays = [y, a, b];
    } else {
      arrays = normalize(y, a, b);
    }
    const writable = set as { ys: Int32Array; x0s: Int32Array; x1s: Int32Array };
    [writable.ys, writable.x0s, writable.x1s] = arrays;
    return set;
  }

  /**
   * The span set covering a box.
   *
   * @param box - the box (the empty box gives the empty set)
   * @returns one span per row of the box
   * @see lsst.afw.geom.SpanSet(lsst.geom.Box2I)
   */
  static fromBox(box: Box2I): SpanSet {
    if (box.isEmpty()) return new SpanSet();
    const h = box.getHeight();
    const ys = new Int32Array(h);
    for (let i = 0; i < h; i++) ys[i] = box.getMinY() + i;
    return SpanSet.fromArrays(ys, new Int32Array(h).fill(box.getMinX()), new Int32Array(h).fill(box.getMaxX()), { normalize: false });
  }

  /** The number of spans. */
  get length(): number {
    return this.ys.length;
  }

  /**
   * The number of spans.
   *
   * @returns the count
   */
  size(): number {
    return this.ys.length;
  }

  /**
   * Whether the set has no pixels.
   *
   * @returns true when there are no spans
   */
  isEmpty(): boolean {
    return this.ys.length === 0;
  }

  /**
   * One span.
   *
   * @param index - the 0-based span, in `(y, x0)` order
   * @returns the span
   * @throws AfwTableInvalidArgumentError when the index is out of range
   */
  getSpan(index: number): Span {
    if (!(Number.isInteger(index) && index >= 0 && index < this.ys.length)) {
      throw new AfwTableInvalidArgumentError(`Span ${index} is out of range for a SpanSet of ${this.ys.length} spans.`);
    }
    return new Span(this.ys[index]!, this.x0s[index]!, this.x1s[index]!);
  }

  /**
   * Iterates over the spans in `(y, x0)` order.
   *
   * @returns the iterator
   */
  *[Symbol.iterator](): Iterator<Span> {
    for (let i = 0; i < this.ys.length; i++) yield new Span(this.ys[i]!, this.x0s[i]!, this.x1s[i]!);
  }

  /**
   * The number of pixels.
   *
   * @returns the area
   */
  getArea(): number {
    if (this.#area < 0) {
      let area = 0;
      for (let i = 0; i < this.ys.length; i++) area += this.x1s[i]! - this.x0s[i]! + 1;
      this.#area = area;
    }
    return this.#area;
  }

  /**
   * The smallest box holding every pixel.
   *
   * @returns the box (empty for the empty set)
   */
  getBBox(): Box2I {
    const n = this.ys.length;
    if (n === 0) return new Box2I();
    let minX = this.x0s[0]!;
    let maxX = this.x1s[0]!;
    for (let i = 1; i < n; i++) {
      if (this.x0s[i]! < minX) minX = this.x0s[i]!;
      if (this.x1s[i]! > maxX) maxX = this.x1s[i]!;
    }
    return new Box2I(new Point2I(minX, this.ys[0]!), new Point2I(maxX, this.ys[n - 1]!));
  }

  /**
   * Whether a pixel is in the set (binary search over the rows).
   *
   * @param x - the column
   * @param y - the row
   * @returns true when a span holds `(x, y)`
   */
  contains(x: number, y: number): boolean {
    for (let i = this.#firstOfRow(y); i < this.ys.length && this.ys[i] === y; i++) {
      if (x < this.x0s[i]!) return false;
      if (x <= this.x1s[i]!) return true;
    }
    return false;
  }

  /** The index of the first span with row ≥ y. */
  #firstOfRow(y: number): number {
    let lo = 0;
    let hi = this.ys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ys[mid]! < y) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * The set moved by an offset.
   *
   * @param dx - the column offset, or the offset as an `Extent2I`
   * @param dy - the row offset (when `dx` is a number)
   * @returns a new span set
   * @throws AfwTableInvalidArgumentError when the offsets are not integers
   */
  shiftedBy(dx: number | Extent2I, dy = 0): SpanSet {
    const [ox, oy] = dx instanceof Extent2I ? [dx.x, dx.y] : [dx, dy];
    if (!Number.isInteger(ox) || !Number.isInteger(oy)) throw new AfwTableInvalidArgumentError(`SpanSet offsets must be integers; got (${ox}, ${oy}).`);
    const n = this.ys.length;
    const ys = new Int32Array(n);
    const x0s = new Int32Array(n);
    const x1s = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      ys[i] = this.ys[i]! + oy;
      x0s[i] = this.x0s[i]! + ox;
      x1s[i] = this.x1s[i]! + ox;
    }
    return SpanSet.fromArrays(ys, x0s, x1s, { normalize: false });
  }

  /**
   * The part of the set inside a box.
   *
   * @param box - the box
   * @returns a new span set (empty when they do not overlap)
   */
  clippedTo(box: Box2I): SpanSet {
    if (box.isEmpty()) return new SpanSet();
    const ys: number[] = [];
    const x0s: number[] = [];
    const x1s: number[] = [];
    const [bx0, bx1, by0, by1] = [box.getMinX(), box.getMaxX(), box.getMinY(), box.getMaxY()];
    for (let i = this.#firstOfRow(by0); i < this.ys.length && this.ys[i]! <= by1; i++) {
      const x0 = Math.max(this.x0s[i]!, bx0);
      const x1 = Math.min(this.x1s[i]!, bx1);
      if (x0 <= x1) {
        ys.push(this.ys[i]!);
        x0s.push(x0);
        x1s.push(x1);
      }
    }
    return SpanSet.fromArrays(Int32Array.from(ys), Int32Array.from(x0s), Int32Array.from(x1s), { normalize: false });
  }

  /**
   * Compares the pixels of two sets.
   *
   * @param other - the other set
   * @returns true when both hold the same spans
   */
  equals(other: SpanSet): boolean {
    const n = this.ys.length;
    if (other.ys.length !== n) return false;
    for (let i = 0; i < n; i++) {
      if (this.ys[i] !== other.ys[i] || this.x0s[i] !== other.x0s[i] || this.x1s[i] !== other.x1s[i]) return false;
    }
    return true;
  }

  /**
   * Writes the spans as afw does: one row `(y, x0, x1)` per span in a `SpanSet` catalog.
   *
   * @param handle - where to write
   */
  writeToArchive(handle: OutputArchiveHandle): void {
    const rows = new Array<{ y: number; x0: number; x1: number }>(this.ys.length);
    for (let i = 0; i < rows.length; i++) rows[i] = { y: this.ys[i]!, x0: this.x0s[i]!, x1: this.x1s[i]! };
    handle.saveCatalog(SPAN_SET_SCHEMA, rows);
  }

  /**
   * Reads spans from archive rows with `y`, `x0` and `x1` columns (a `SpanSet` catalog, or the
   * spans catalog of a Footprint written before SpanSets existed).
   *
   * @param rows - the rows
   * @returns the span set (normalized)
   * @throws AfwTableFormatError when a column is missing or a span is invalid
   */
  static fromArchiveRows(rows: ArchiveRows): SpanSet {
    for (const name of ['y', 'x0', 'x1']) {
      if (!rows.has(name)) {
        throw new AfwTableFormatError(`The '${rows.catalog.name}' spans in ${rows.catalog.location} have no '${name}' column; they have ${rows.columnNames.join(', ')}.`);
      }
    }
    const int = (name: string): Int32Array => {
      const c = rows.column(name);
      return c instanceof Int32Array ? c : Int32Array.from(c as ArrayLike<number>, Number);
    };
    try {
      return SpanSet.fromArrays(int('y'), int('x0'), int('x1'));
    } catch (error) {
      if (error instanceof AfwTableInvalidArgumentError) {
        throw new AfwTableFormatError(`Invalid spans in the '${rows.catalog.name}' catalog of ${rows.catalog.location}: ${error.message}`, { cause: error });
      }
      throw error;
    }
  }

  /**
   * A short description.
   *
   * @returns `SpanSet(n spans, area a)`
   */
  toString(): string {
    return `SpanSet(${this.ys.length} spans, area ${this.getArea()})`;
  }
}

function isNormalized(ys: Int32Array, x0s: Int32Array, x1s: Int32Array): boolean {
  for (let i = 1; i < ys.length; i++) {
    if (ys[i]! < ys[i - 1]!) return false;
    if (ys[i] === ys[i - 1] && x0s[i]! <= x1s[i - 1]! + 1) return false;
  }
  return true;
}

/** Sorts by (y, x0) and merges overlapping or touching spans of a row. */
function normalize(ys: Int32Array, x0s: Int32Array, x1s: Int32Array): [Int32Array, Int32Array, Int32Array] {
  if (isNormalized(ys, x0s, x1s)) return [ys, x0s, x1s];
  const n = ys.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => ys[a]! - ys[b]! || x0s[a]! - x0s[b]! || x1s[a]! - x1s[b]!);
  const oy: number[] = [];
  const o0: number[] = [];
  const o1: number[] = [];
  for (const i of order) {
    const last = oy.length - 1;
    if (last >= 0 && oy[last] === ys[i] && x0s[i]! <= o1[last]! + 1) {
      if (x1s[i]! > o1[last]!) o1[last] = x1s[i]!;
    } else {
      oy.push(ys[i]!);
      o0.push(x0s[i]!);
      o1.push(x1s[i]!);
    }
  }
  return [Int32Array.from(oy), Int32Array.from(o0), Int32Array.from(o1)];
}

/**
 * The archive reader of `SpanSet` (one catalog of spans).
 *
 * @param catalogs - the object's catalogs
 * @returns the span set
 * @throws AfwTableFormatError when there is not exactly one catalog or the spans are invalid
 */
export function readSpanSet(catalogs: readonly ArchiveRows[]): SpanSet {
  if (catalogs.length !== 1) {
    throw new AfwTableFormatError(`A SpanSet is stored in 1 archive catalog; this one has ${catalogs.length}.`);
  }
  return SpanSet.fromArchiveRows(catalogs[0]!);
}
