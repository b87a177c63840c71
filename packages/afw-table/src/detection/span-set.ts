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

/**
 * The shape of the structuring element of {@link SpanSet.dilated} and {@link SpanSet.eroded}
 * (afw's `Stencil`: `CIRCLE`, `BOX`, `MANHATTAN`).
 */
export type Stencil = 'circle' | 'box' | 'manhattan';

/** The geometry of a row-major pixel array (what an afw-image `image.array` view has). */
export interface SpanPixelGrid {
  /** The number of columns. */
  readonly width: number;
  /** The number of rows. */
  readonly height: number;
  /** Elements between row starts (default `width`). */
  readonly stride?: number;
}

/** A row-major pixel array with its geometry (what an afw-image `image.array` view is). */
export interface SpanPixelArray<T> extends SpanPixelGrid {
  /** The pixels: PARENT `(x, y)` is `data[(y - y0) * stride + (x - x0)]`. */
  readonly data: T;
}

function checkRadius(r: number, what: string): void {
  if (!Number.isInteger(r) || r < 0) throw new AfwTableInvalidArgumentError(`${what} needs a non-negative integer radius; got ${String(r)}.`);
}

/** The archive columns of a SpanSet, as afw writes them. */
const SPAN_SET_SCHEMA = {
  columns: [
    { name: 'y', format: '1J', unit: 'pixel', doc: 'The row of the span' },
    { name: 'x0', format: '1J', unit: 'pixel', doc: 'First column of span (inclusive)' },
    { name: 'x1', format: '1J', unit: 'pixel', doc: 'Second column of span (inclusive)' },
  ],
} as const;

/** The spans of {@link SpanSet.dilateMany}: set `i`'s are `[starts[i], starts[i + 1])` of the arrays. */
export interface DilatedSpans {
  /** Rows (the arrays may be longer than `starts[n]`). */
  readonly ys: Int32Array;
  /** First columns. */
  readonly x0s: Int32Array;
  /** Last columns (inclusive). */
  readonly x1s: Int32Array;
  /** Where each set's spans start, and (last) the total. */
  readonly starts: Int32Array;
}

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
  /** The arrays the next construction adopts as they are ({@link SpanSet.fromArrays}' path). */
  static #adopt: [Int32Array, Int32Array, Int32Array] | undefined;

  /**
   * Makes a span set from spans (sorted and merged, as afw does).
   *
   * @param spans - the spans, in any order (default none: the empty set)
   */
  constructor(spans: Iterable<Span> = []) {
    const adopt = SpanSet.#adopt;
    if (adopt !== undefined) {
      SpanSet.#adopt = undefined;
      this.ys = adopt[0];
      this.x0s = adopt[1];
      this.x1s = adopt[2];
      return;
    }
    const list = Array.isArray(spans) ? (spans as readonly Span[]) : [...spans];
    const n = list.length;
    const ys = new Int32Array(n);
    const x0s = new Int32Array(n);
    const x1s = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const s = list[i]!;
      ys[i] = s.y;
      x0s[i] = s.x0;
      x1s[i] = s.x1;
    }
    [this.ys, this.x0s, this.x1s] = normalize(ys, x0s, x1s);
  }

  /** A span set holding the given normalized arrays (adopted, not copied; no checks). */
  static #of(ys: Int32Array, x0s: Int32Array, x1s: Int32Array): SpanSet {
    SpanSet.#adopt = [ys, x0s, x1s];
    return new SpanSet();
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
    if (options.normalize === false) {
      if (!isNormalized(y, a, b)) {
        throw new AfwTableInvalidArgumentError('SpanSet.fromArrays with normalize: false needs spans sorted by (y, x0) and disjoint within a row.');
      }
      return SpanSet.#of(y, a, b);
    }
    const [ny, na, nb] = normalize(y, a, b);
    return SpanSet.#of(ny, na, nb);
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
   * @returns the part inside (this set itself when it lies wholly inside; spans are immutable;
   *   empty when they do not overlap)
   */
  clippedTo(box: Box2I): SpanSet {
    if (box.isEmpty()) return new SpanSet();
    const bx0 = box.getMinX();
    const bx1 = box.getMaxX();
    const by0 = box.getMinY();
    const by1 = box.getMaxY();
    const { ys, x0s, x1s } = this;
    const n = ys.length;
    if (n === 0) return this;
    let inside = ys[0]! >= by0 && ys[n - 1]! <= by1;
    for (let i = 0; inside && i < n; i++) inside = x0s[i]! >= bx0 && x1s[i]! <= bx1;
    if (inside) return this;
    const first = this.#firstOfRow(by0);
    let end = first;
    while (end < n && ys[end]! <= by1) end++;
    const oy = new Int32Array(end - first);
    const o0 = new Int32Array(end - first);
    const o1 = new Int32Array(end - first);
    let k = 0;
    for (let i = first; i < end; i++) {
      const x0 = Math.max(x0s[i]!, bx0);
      const x1 = Math.min(x1s[i]!, bx1);
      if (x0 <= x1) {
        oy[k] = ys[i]!;
        o0[k] = x0;
        o1[k++] = x1;
      }
    }
    return k === oy.length ? SpanSet.#of(oy, o0, o1) : SpanSet.#of(oy.slice(0, k), o0.slice(0, k), o1.slice(0, k));
  }

  /**
   * The span set of a stencil of radius `r` centred on `(cx, cy)`, as afw's `SpanSet.fromShape`:
   * for each row offset `dy` in `-r..r` the half-width is `⌊√(r² − dy²)⌋` (`'circle'`),
   * `r − |dy|` (`'manhattan'`) or `r` (`'box'`).
   *
   * @param r - the radius (a non-negative integer; 0 gives one pixel)
   * @param stencil - the shape (default `'circle'`)
   * @param cx - the centre column (default 0)
   * @param cy - the centre row (default 0)
   * @returns the span set
   * @throws AfwTableInvalidArgumentError when `r` is not a non-negative integer
   * @example
   * ```ts
   * SpanSet.fromShape(2, 'circle').getArea(); // 13
   * SpanSet.fromShape(2, 'manhattan').getArea(); // 13
   * SpanSet.fromShape(2, 'box').getArea(); // 25
   * ```
   * @see lsst.afw.geom.SpanSet.fromShape
   */
  static fromShape(r: number, stencil: Stencil = 'circle', cx = 0, cy = 0): SpanSet {
    checkRadius(r, 'SpanSet.fromShape');
    if (!Number.isInteger(cx) || !Number.isInteger(cy)) throw new AfwTableInvalidArgumentError(`SpanSet.fromShape needs an integer centre; got (${cx}, ${cy}).`);
    const n = 2 * r + 1;
    const ys = new Int32Array(n);
    const x0s = new Int32Array(n);
    const x1s = new Int32Array(n);
    for (let dy = -r; dy <= r; dy++) {
      const dx = stencil === 'box' ? r : stencil === 'manhattan' ? r - Math.abs(dy) : Math.trunc(Math.sqrt(r * r - dy * dy));
      ys[dy + r] = cy + dy;
      x0s[dy + r] = cx - dx;
      x1s[dy + r] = cx + dx;
    }
    return SpanSet.fromArrays(ys, x0s, x1s, { normalize: false });
  }

  /**
   * The set dilated by a stencil: every pixel within `r` of a pixel of the set (the Minkowski
   * sum with {@link SpanSet.fromShape}).
   *
   * @param r - the radius (a non-negative integer)
   * @param stencil - `'circle'` (default, isotropic), `'manhattan'` or `'box'`
   * @returns a new span set
   * @throws AfwTableInvalidArgumentError when `r` is not a non-negative integer
   * @example
   * ```ts
   * new SpanSet([new Span(0, 0, 0)]).dilated(1, 'manhattan').getArea(); // 5
   * ```
   * @see lsst.afw.geom.SpanSet.dilated
   */
  dilated(r: number, stencil: Stencil = 'circle'): SpanSet {
    checkRadius(r, 'SpanSet.dilated');
    if (r === 0) return this;
    return this.dilatedBy(SpanSet.fromShape(r, stencil));
  }

  /**
   * The Minkowski sum of the set with a structuring element (its spans are offsets from the origin).
   *
   * @param structure - the structuring element
   * @returns a new span set (empty when either set is empty)
   * @see lsst.afw.geom.SpanSet.dilated
   */
  dilatedBy(structure: SpanSet): SpanSet {
    const { ys, x0s, x1s, starts } = SpanSet.dilateMany([this], [structure]);
    const n = starts[1]!;
    return SpanSet.fromArrays(ys.slice(0, n), x0s.slice(0, n), x1s.slice(0, n), { normalize: false });
  }

  /**
   * Many sets dilated at once: set `i` by `structures[i]` (a Minkowski sum, as
   * {@link SpanSet.dilatedBy}), each result clipped to `clip` when given, all written one after
   * the other into shared arrays (one allocation for all the sets, as footprint growing needs).
   *
   * @param sets - the sets
   * @param structures - one structuring element per set
   * @param clip - keep only pixels inside this box (PARENT; default: no clipping)
   * @returns the spans (normalized within each set) and `starts`: the spans of set `i` are
   *   `[starts[i], starts[i + 1])`
   * @throws AfwTableInvalidArgumentError when the two lists differ in length
   * @example
   * ```ts
   * const disk = SpanSet.fromShape(2, 'circle');
   * const { ys, x0s, x1s, starts } = SpanSet.dilateMany([a, b], [disk, disk]);
   * ```
   */
  static dilateMany(sets: readonly SpanSet[], structures: readonly SpanSet[], clip?: Box2I): DilatedSpans {
    if (sets.length !== structures.length) {
      throw new AfwTableInvalidArgumentError(`SpanSet.dilateMany needs one structuring element per set; got ${sets.length} sets and ${structures.length} elements.`);
    }
    const doClip = clip !== undefined && !clip.isEmpty();
    const rx0 = doClip ? clip.getMinX() : -2147483648;
    const rx1 = doClip ? clip.getMaxX() : 2147483647;
    const ry0 = doClip ? clip.getMinY() : -2147483648;
    const ry1 = doClip ? clip.getMaxY() : 2147483647;
    const nSets = sets.length;
    const starts = new Int32Array(nSets + 1);
    let capacity = 16;
    for (let o = 0; o < nSets; o++) capacity += 2 * sets[o]!.length + structures[o]!.length;
    let oy = new Int32Array(capacity);
    let o0 = new Int32Array(capacity);
    let o1 = new Int32Array(capacity);
    // The result is made here and updated where the arrays grow, so that nothing after the loop
    // needs type feedback: the loop's on-stack-replaced code is compiled during the first (long)
    // call, before any call has left the loop, and is reused by later calls; a store or object
    // literal after the loop deoptimised it on leaving, once per call.
    const out: { ys: Int32Array; x0s: Int32Array; x1s: Int32Array; readonly starts: Int32Array } = { ys: oy, x0s: o0, x1s: o1, starts };
    let count = 0;
    let rowStart = new Int32Array(256);
    let c0 = new Int32Array(64);
    let c1 = new Int32Array(64);
    // (`o === nSets` records the end: see `out`)
    for (let o = 0; o <= nSets; o++) {
      starts[o] = count;
      if (o === nSets) break;
      const { ys: sy, x0s: sx0, x1s: sx1 } = sets[o]!;
      const n = sy.length;
      const { ys: ty, x0s: tx0, x1s: tx1 } = structures[o]!;
      const m = ty.length;
      if (n === 0 || m === 0) continue;
      // The input spans by row (both sets are normalized: sorted by y, then x).
      const yMin = sy[0]!;
      const yMax = sy[n - 1]!;
      const rows = yMax - yMin + 1;
      if (rowStart.length < rows + 1) rowStart = new Int32Array(2 * (rows + 1));
      rowStart.fill(0, 0, rows + 1);
      for (let i = 0; i < n; i++) rowStart[sy[i]! - yMin + 1]!++;
      for (let r = 0; r < rows; r++) rowStart[r + 1]! += rowStart[r]!;
      const yLo = Math.max(yMin + ty[0]!, ry0);
      const yHi = Math.min(yMax + ty[m - 1]!, ry1);
      for (let y = yLo; y <= yHi; y++) {
        // The shifted spans that land on row y, sorted by x0 (a short insertion sort), then
        // merged where they overlap or touch (the normalized form).
        let k = 0;
        for (let j = 0; j < m; j++) {
          const yIn = y - ty[j]!;
          if (yIn < yMin || yIn > yMax) continue;
          const a = tx0[j]!;
          const b = tx1[j]!;
          for (let i = rowStart[yIn - yMin]!, e = rowStart[yIn - yMin + 1]!; i < e; i++) {
            if (k === c0.length) {
              c0 = growInt32(c0);
              c1 = growInt32(c1);
            }
            const x0 = sx0[i]! + a;
            const x1 = sx1[i]! + b;
            let p = k++;
            while (p > 0 && c0[p - 1]! > x0) {
              c0[p] = c0[p - 1]!;
              c1[p] = c1[p - 1]!;
              p--;
            }
            c0[p] = x0;
            c1[p] = x1;
          }
        }
        if (k === 0) continue;
        let lo = c0[0]!;
        let hi = c1[0]!;
        for (let q = 1; q <= k; q++) {
          if (q < k && c0[q]! <= hi + 1) {
            if (c1[q]! > hi) hi = c1[q]!;
            continue;
          }
          // a merged span, clipped
          const cl = lo < rx0 ? rx0 : lo;
          const ch = hi > rx1 ? rx1 : hi;
          if (cl <= ch) {
            if (count === oy.length) {
              oy = out.ys = growInt32(oy);
              o0 = out.x0s = growInt32(o0);
              o1 = out.x1s = growInt32(o1);
            }
            oy[count] = y;
            o0[count] = cl;
            o1[count++] = ch;
          }
          if (q < k) {
            lo = c0[q]!;
            hi = c1[q]!;
          }
        }
      }
    }
    return out;
  }

  /**
   * The set eroded by a stencil: the pixels whose whole stencil of radius `r` lies in the set.
   *
   * @param r - the radius (a non-negative integer)
   * @param stencil - `'circle'` (default), `'manhattan'` or `'box'`
   * @returns a new span set
   * @throws AfwTableInvalidArgumentError when `r` is not a non-negative integer
   * @example
   * ```ts
   * SpanSet.fromBox(box).eroded(1, 'box'); // the box shrunk by one pixel on each side
   * ```
   * @see lsst.afw.geom.SpanSet.eroded
   */
  eroded(r: number, stencil: Stencil = 'circle'): SpanSet {
    checkRadius(r, 'SpanSet.eroded');
    if (r === 0) return this;
    return this.erodedBy(SpanSet.fromShape(r, stencil));
  }

  /**
   * The erosion by a structuring element: the pixels `p` such that `p + s` is in the set for
   * every offset `s` of the structure.
   *
   * @param structure - the structuring element (non-empty)
   * @returns a new span set
   * @throws AfwTableInvalidArgumentError when the structure is empty
   * @see lsst.afw.geom.SpanSet.eroded
   */
  erodedBy(structure: SpanSet): SpanSet {
    if (structure.isEmpty()) throw new AfwTableInvalidArgumentError('SpanSet.erodedBy needs a non-empty structuring element.');
    let out: SpanSet | undefined;
    for (let j = 0; j < structure.ys.length; j++) {
      const dy = structure.ys[j]!;
      const a = structure.x0s[j]!;
      const b = structure.x1s[j]!;
      const ys: number[] = [];
      const x0s: number[] = [];
      const x1s: number[] = [];
      for (let i = 0; i < this.ys.length; i++) {
        const lo = this.x0s[i]! - a;
        const hi = this.x1s[i]! - b;
        if (lo <= hi) {
          ys.push(this.ys[i]! - dy);
          x0s.push(lo);
          x1s.push(hi);
        }
      }
      const part = SpanSet.fromArrays(Int32Array.from(ys), Int32Array.from(x0s), Int32Array.from(x1s), { normalize: false });
      out = out === undefined ? part : out.intersection(part);
      if (out.isEmpty()) break;
    }
    return out!;
  }

  /**
   * The pixels in either set.
   *
   * @param other - the other set
   * @returns a new span set
   * @example
   * ```ts
   * a.union(b).getArea(); // a.getArea() + b.getArea() - a.intersection(b).getArea()
   * ```
   * @see lsst.afw.geom.SpanSet.union
   */
  union(other: SpanSet): SpanSet {
    if (other.isEmpty()) return this;
    if (this.isEmpty()) return other;
    const n = this.ys.length;
    const m = other.ys.length;
    const ys = new Int32Array(n + m);
    const x0s = new Int32Array(n + m);
    const x1s = new Int32Array(n + m);
    // Merge the two sorted lists so that normalize() only has to join touching spans.
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < n || j < m) {
      const takeThis = j >= m || (i < n && (this.ys[i]! < other.ys[j]! || (this.ys[i] === other.ys[j] && this.x0s[i]! <= other.x0s[j]!)));
      const src = takeThis ? this : other;
      const idx = takeThis ? i++ : j++;
      ys[k] = src.ys[idx]!;
      x0s[k] = src.x0s[idx]!;
      x1s[k] = src.x1s[idx]!;
      k++;
    }
    return SpanSet.fromArrays(ys, x0s, x1s);
  }

  /**
   * The pixels in both sets.
   *
   * @param other - the other set
   * @returns a new span set
   * @see lsst.afw.geom.SpanSet.intersect
   */
  intersection(other: SpanSet): SpanSet {
    return this.#sweep(other, false);
  }

  /**
   * The pixels of this set that are not in the other.
   *
   * @param other - the other set
   * @returns a new span set
   * @see lsst.afw.geom.SpanSet.intersectNot
   */
  intersectionNot(other: SpanSet): SpanSet {
    return this.#sweep(other, true);
  }

  /** Row-by-row sweep of two normalized sets: intersection, or (`not`) this minus other. */
  #sweep(other: SpanSet, not: boolean): SpanSet {
    const ys: number[] = [];
    const x0s: number[] = [];
    const x1s: number[] = [];
    const m = other.ys.length;
    let j = 0;
    for (let i = 0; i < this.ys.length; i++) {
      const y = this.ys[i]!;
      while (j < m && (other.ys[j]! < y || (other.ys[j] === y && other.x1s[j]! < this.x0s[i]!))) j++;
      let start = this.x0s[i]!;
      const end = this.x1s[i]!;
      for (let k = j; k < m && other.ys[k] === y && other.x0s[k]! <= end; k++) {
        const a = Math.max(start, other.x0s[k]!);
        const b = Math.min(end, other.x1s[k]!);
        if (a > b) continue;
        if (not) {
          if (a > start) {
            ys.push(y);
            x0s.push(start);
            x1s.push(a - 1);
          }
          start = b + 1;
        } else {
          ys.push(y);
          x0s.push(a);
          x1s.push(b);
        }
      }
      if (not && start <= end) {
        ys.push(y);
        x0s.push(start);
        x1s.push(end);
      }
    }
    return SpanSet.fromArrays(Int32Array.from(ys), Int32Array.from(x0s), Int32Array.from(x1s), { normalize: false });
  }

  /**
   * Whether the sets share a pixel.
   *
   * @param other - the other set
   * @returns true when the intersection is not empty
   * @see lsst.afw.geom.SpanSet.overlaps
   */
  overlaps(other: SpanSet): boolean {
    if (this.isEmpty() || other.isEmpty()) return false;
    const a = this.getBBox();
    const b = other.getBBox();
    if (a.getMaxX() < b.getMinX() || b.getMaxX() < a.getMinX() || a.getMaxY() < b.getMinY() || b.getMaxY() < a.getMinY()) return false;
    return !this.intersection(other).isEmpty();
  }

  /**
   * ORs bits into the pixels of a mask array that the set covers (pixels outside the array are
   * skipped), as afw's `SpanSet.setMask`.
   *
   * @param mask - the mask pixels: `data[(y - y0) * stride + (x - x0)]` (e.g. `mask.array`)
   * @param xy0 - the PARENT position of the array's first pixel (e.g. `mask.getXY0()`)
   * @param bits - the bit values to set (e.g. `mask.getPlaneBitMask('DETECTED')`)
   * @example
   * ```ts
   * footprint.getSpans().setMask(mask.array, mask.getXY0(), mask.getPlaneBitMask('DETECTED'));
   * ```
   * @see lsst.afw.geom.SpanSet.setMask
   */
  setMask(mask: SpanPixelArray<Int32Array>, xy0: Point2I, bits: number): void {
    const { data, width, height } = mask;
    const stride = mask.stride ?? width;
    const ax0 = xy0.getX();
    const ay0 = xy0.getY();
    const xmax = ax0 + width - 1;
    const ymax = ay0 + height - 1;
    const { ys, x0s, x1s } = this;
    for (let i = this.#firstOfRow(ay0), n = ys.length; i < n; i++) {
      const y = ys[i]!;
      if (y > ymax) break;
      const a = Math.max(x0s[i]!, ax0);
      const b = Math.min(x1s[i]!, xmax);
      const row = (y - ay0) * stride - ax0;
      for (let k = row + a, end = row + b + 1; k < end; k++) data[k] = data[k]! | bits;
    }
  }

  /**
   * Clears bits in the pixels of a mask array that the set covers, as afw's `SpanSet.clearMask`.
   *
   * @param mask - the mask pixels (e.g. `mask.array`)
   * @param xy0 - the PARENT position of the array's first pixel
   * @param bits - the bit values to clear
   * @see lsst.afw.geom.SpanSet.clearMask
   */
  clearMask(mask: SpanPixelArray<Int32Array>, xy0: Point2I, bits: number): void {
    const { data } = mask;
    const keep = ~bits;
    this.forEachSpanIn(mask, xy0, (start, end) => {
      for (let k = start; k < end; k++) data[k] = data[k]! & keep;
    });
  }

  /**
   * Calls `fn` once per span clipped to a pixel array, with the array indices of the span's
   * first pixel and one past its last (the fast form of afw's `applyFunctor`).
   *
   * @param array - the pixel array (`width`, `height`, `stride`)
   * @param xy0 - the PARENT position of the array's first pixel
   * @param fn - called with `(start, end, y, x0)`: indices `start..end-1` hold PARENT pixels
   *   `(x0, y) .. (x0 + end - start - 1, y)`
   * @example
   * ```ts
   * let sum = 0;
   * spans.forEachSpanIn(image.array, image.getXY0(), (start, end) => {
   *   for (let k = start; k < end; k++) sum += image.array.data[k]!;
   * });
   * ```
   * @see lsst.afw.geom.SpanSet.applyFunctor
   */
  forEachSpanIn(array: SpanPixelGrid, xy0: Point2I, fn: (start: number, end: number, y: number, x0: number) => void): void {
    const stride = array.stride ?? array.width;
    const ax0 = xy0.getX();
    const ay0 = xy0.getY();
    const xmax = ax0 + array.width - 1;
    const ymax = ay0 + array.height - 1;
    for (let i = this.#firstOfRow(ay0); i < this.ys.length; i++) {
      const y = this.ys[i]!;
      if (y > ymax) break;
      const a = Math.max(this.x0s[i]!, ax0);
      const b = Math.min(this.x1s[i]!, xmax);
      if (a > b) continue;
      const row = (y - ay0) * stride - ax0;
      fn(row + a, row + b + 1, y, a);
    }
  }

  /**
   * Calls `fn` for every pixel of the set, in `(y, x)` order (afw's `applyFunctor` over positions).
   *
   * @param fn - called with the PARENT `(x, y)` of each pixel
   * @see lsst.afw.geom.SpanSet.applyFunctor
   */
  forEachPixel(fn: (x: number, y: number) => void): void {
    for (let i = 0; i < this.ys.length; i++) {
      const y = this.ys[i]!;
      for (let x = this.x0s[i]!; x <= this.x1s[i]!; x++) fn(x, y);
    }
  }

  /**
   * The values of a pixel array at the pixels of the set that lie in it, in `(y, x)` order
   * (afw's `SpanSet.flatten`).
   *
   * @param array - the pixel array (e.g. `image.array`)
   * @param xy0 - the PARENT position of the array's first pixel
   * @returns the values
   * @see lsst.afw.geom.SpanSet.flatten
   */
  flatten(array: SpanPixelArray<ArrayLike<number>>, xy0: Point2I): Float64Array {
    const out = new Float64Array(this.getArea());
    let n = 0;
    const { data } = array;
    this.forEachSpanIn(array, xy0, (start, end) => {
      for (let k = start; k < end; k++) out[n++] = data[k]!;
    });
    return n === out.length ? out : out.slice(0, n);
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
/** A copy of an array twice as long. */
function growInt32(a: Int32Array): Int32Array<ArrayBuffer> {
  const next = new Int32Array(2 * a.length);
  next.set(a);
  return next;
}

function normalize(ys: Int32Array, x0s: Int32Array, x1s: Int32Array): [Int32Array, Int32Array, Int32Array] {
  if (isNormalized(ys, x0s, x1s)) return [ys, x0s, x1s];
  const n = ys.length;
  // Already sorted by (y, x0) (spans that overlap or touch, as a merge of sets gives): no sort
  // needed, as the merge below does not depend on the order of equal (y, x0).
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) sorted = ys[i]! > ys[i - 1]! || (ys[i] === ys[i - 1] && x0s[i]! >= x0s[i - 1]!);
  let order: Int32Array;
  if (sorted) {
    order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
  } else {
    order = Int32Array.from(Array.from({ length: n }, (_, i) => i).sort((a, b) => ys[a]! - ys[b]! || x0s[a]! - x0s[b]! || x1s[a]! - x1s[b]!));
  }
  const oy = new Int32Array(n);
  const o0 = new Int32Array(n);
  const o1 = new Int32Array(n);
  let m = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    if (m > 0 && oy[m - 1] === ys[i] && x0s[i]! <= o1[m - 1]! + 1) {
      if (x1s[i]! > o1[m - 1]!) o1[m - 1] = x1s[i]!;
    } else {
      oy[m] = ys[i]!;
      o0[m] = x0s[i]!;
      o1[m++] = x1s[i]!;
    }
  }
  return m === n ? [oy, o0, o1] : [oy.slice(0, m), o0.slice(0, m), o1.slice(0, m)];
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
