import { GeomInvalidArgumentError } from '../errors.js';

/** One past the largest integer a {@link RangeSet} can hold: 2⁵³. */
const UNIVERSE_END = 2 ** 53;

function checkValue(v: number, what: string): void {
  if (!Number.isSafeInteger(v) && v !== UNIVERSE_END) {
    throw new GeomInvalidArgumentError(`Invalid ${what} ${v}: expected an integer in [0, 2^53].`);
  }
  if (v < 0) throw new GeomInvalidArgumentError(`Invalid ${what} ${v}: expected an integer in [0, 2^53].`);
}

// Set by RangeSet.#fromBoundaries so that the constructor adopts these boundaries as they are.
let pendingBoundaries: readonly number[] | undefined;

/** Sorts and merges arbitrary [begin, end) pairs into canonical boundaries. */
function canonicalize(pairs: number[][]): number[] {
  const nonEmpty = pairs.filter((p) => p[0]! < p[1]!);
  nonEmpty.sort((p, q) => p[0]! - q[0]!);
  const out: number[] = [];
  for (const p of nonEmpty) {
    const b = p[0]!;
    const e = p[1]!;
    const n = out.length;
    if (n > 0 && b <= out[n - 1]!) {
      if (e > out[n - 1]!) out[n - 1] = e;
    } else {
      out.push(b, e);
    }
  }
  return out;
}

/**
 * Coarsens canonical boundaries in place to multiples of `2^bits`: outwards (begins down, ends
 * up; nearby ranges merge) or inwards (begins up, ends down; small ranges vanish).
 *
 * @internal
 */
export function simplifyBoundaries(b: number[], bits: number, outward: boolean): void {
  if (bits <= 0 || b.length === 0) return;
  const s = 2 ** bits;
  let w = 0;
  for (let i = 0; i < b.length; i += 2) {
    let lo: number;
    let hi: number;
    if (outward) {
      lo = Math.floor(b[i]! / s) * s;
      hi = Math.min(Math.ceil(b[i + 1]! / s) * s, UNIVERSE_END);
    } else {
      lo = Math.ceil(b[i]! / s) * s;
      hi = Math.floor(b[i + 1]! / s) * s;
      if (lo >= hi) continue;
    }
    if (w > 0 && lo <= b[w - 1]!) {
      if (hi > b[w - 1]!) b[w - 1] = hi;
    } else {
      b[w++] = lo;
      b[w++] = hi;
    }
  }
  b.length = w;
}

/**
 * A set of non-negative integers stored as sorted, disjoint, non-adjacent half-open ranges
 * `[begin, end)`, immutable. Made for sets of pixel indexes of a hierarchical pixelization:
 * the pixels of a region come out as a few long runs.
 *
 * Values are plain numbers: integers in [0, 2⁵³), which holds every HTM index up to level 24.
 * {@link RangeSet.complemented} is taken within that universe. Unlike lsst.sphgeom, a range with
 * `begin >= end` is empty (sphgeom reads `begin == end` as the full set and `begin > end` as
 * wrapping around).
 *
 * @example
 * ```ts
 * const s = RangeSet.fromRanges([[10, 20], [20, 25], [40, 41]]);
 * s.ranges(); // [[10, 25], [40, 41]]
 * s.contains(24); // true
 * s.cardinality(); // 16
 * s.simplify(3).ranges(); // [[8, 32], [40, 48]]
 * ```
 * @see lsst.sphgeom.RangeSet
 */
export class RangeSet implements Iterable<[number, number]> {
  /** Boundaries [b0, e0, b1, e1, …], strictly increasing. */
  readonly #b: readonly number[];

  /**
   * With no argument: the empty set. With one: the set holding `first`. With two: the integers
   * of `[first, last)` (empty when `last <= first`).
   *
   * @param first - the integer, or the first of the range
   * @param last - one past the last integer of the range
   * @throws GeomInvalidArgumentError if a value is not an integer in [0, 2⁵³]
   */
  constructor(first?: number, last?: number) {
    if (pendingBoundaries !== undefined) {
      this.#b = pendingBoundaries;
      pendingBoundaries = undefined;
      return;
    }
    if (first === undefined) {
      this.#b = [];
      return;
    }
    checkValue(first, 'range start');
    const end = last ?? first + 1;
    checkValue(end, 'range end');
    this.#b = first < end ? [first, end] : [];
  }

  static #fromBoundaries(b: readonly number[]): RangeSet {
    pendingBoundaries = b;
    return new RangeSet();
  }

  /**
   * @param ranges - `[begin, end)` pairs in any order; they may overlap or touch
   * @returns the union of the ranges
   * @throws GeomInvalidArgumentError if a value is not an integer in [0, 2⁵³]
   */
  static fromRanges(ranges: Iterable<readonly [number, number]>): RangeSet {
    const pairs: number[][] = [];
    let sorted = true;
    let prevEnd = -1;
    for (const [b, e] of ranges) {
      checkValue(b, 'range start');
      checkValue(e, 'range end');
      if (b >= e) continue;
      if (b <= prevEnd) sorted = false;
      prevEnd = e;
      pairs.push([b, e]);
    }
    if (sorted) return RangeSet.#fromBoundaries(pairs.flat());
    return RangeSet.#fromBoundaries(canonicalize(pairs));
  }

  /**
   * @param values - integers in any order, possibly repeated
   * @returns the set of those integers
   * @throws GeomInvalidArgumentError if a value is not an integer in [0, 2⁵³)
   */
  static fromValues(values: Iterable<number>): RangeSet {
    const pairs: number[][] = [];
    for (const v of values) {
      checkValue(v, 'value');
      pairs.push([v, v + 1]);
    }
    return RangeSet.#fromBoundaries(canonicalize(pairs));
  }

  /**
   * Makes a set from boundaries that are already canonical (strictly increasing, even length),
   * without copying or checking.
   *
   * @internal
   */
  static fromCanonicalBoundaries(boundaries: readonly number[]): RangeSet {
    return RangeSet.#fromBoundaries(boundaries);
  }

  /** @returns the empty set */
  static empty(): RangeSet {
    return new RangeSet();
  }

  /** @returns the set of all integers in [0, 2⁵³) */
  static full(): RangeSet {
    return new RangeSet(0, UNIVERSE_END);
  }

  /** @returns the ranges as `[begin, end)` pairs, in increasing order */
  ranges(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let i = 0; i < this.#b.length; i += 2) out.push([this.#b[i]!, this.#b[i + 1]!]);
    return out;
  }

  /** @returns an iterator over the ranges as `[begin, end)` pairs */
  *[Symbol.iterator](): Iterator<[number, number]> {
    for (let i = 0; i < this.#b.length; i += 2) yield [this.#b[i]!, this.#b[i + 1]!];
  }

  /** @returns an iterator over every integer in the set, in increasing order (beware of huge sets) */
  *values(): IterableIterator<number> {
    for (let i = 0; i < this.#b.length; i += 2) {
      for (let v = this.#b[i]!; v < this.#b[i + 1]!; v++) yield v;
    }
  }

  /** The number of ranges. */
  get size(): number {
    return this.#b.length / 2;
  }

  /** @returns the number of integers in the set */
  cardinality(): number {
    let n = 0;
    for (let i = 0; i < this.#b.length; i += 2) n += this.#b[i + 1]! - this.#b[i]!;
    return n;
  }

  /** @returns true if the set holds no integer */
  isEmpty(): boolean {
    return this.#b.length === 0;
  }

  /** @returns true if the set holds every integer in [0, 2⁵³) */
  isFull(): boolean {
    return this.#b.length === 2 && this.#b[0] === 0 && this.#b[1] === UNIVERSE_END;
  }

  /** Index of the first boundary greater than v. */
  #upper(v: number): number {
    let lo = 0;
    let hi = this.#b.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#b[mid]! <= v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * @param i - an integer
   * @returns true if `i` is in the set
   */
  contains(i: number): boolean {
    return (this.#upper(i) & 1) === 1;
  }

  /**
   * @param first - first integer of a range
   * @param last - one past the last integer of the range
   * @returns true if every integer of `[first, last)` is in the set (true for an empty range)
   */
  containsRange(first: number, last: number): boolean {
    if (first >= last) return true;
    const k = this.#upper(first);
    return (k & 1) === 1 && last <= this.#b[k]!;
  }

  /**
   * @param other - another set
   * @returns true if every integer of `other` is in this set
   */
  containsAll(other: RangeSet): boolean {
    return other.difference(this).isEmpty();
  }

  /**
   * @param other - another set
   * @returns true if every integer of this set is in `other`
   */
  isWithin(other: RangeSet): boolean {
    return other.containsAll(this);
  }

  /**
   * @param other - another set, or an integer
   * @returns true if the two have an integer in common
   */
  intersects(other: RangeSet | number): boolean {
    if (typeof other === 'number') return this.contains(other);
    return !this.intersection(other).isEmpty();
  }

  /**
   * @param other - another set
   * @returns true if the two have no integer in common
   */
  isDisjointFrom(other: RangeSet): boolean {
    return !this.intersects(other);
  }

  /**
   * @param other - another set
   * @returns the integers in both sets
   */
  intersection(other: RangeSet): RangeSet {
    const a = this.#b;
    const b = other.#b;
    const out: number[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
      const lo = Math.max(a[i]!, b[j]!);
      const hi = Math.min(a[i + 1]!, b[j + 1]!);
      if (lo < hi) out.push(lo, hi);
      if (a[i + 1]! < b[j + 1]!) i += 2;
      else j += 2;
    }
    return RangeSet.#fromBoundaries(out);
  }

  /**
   * @param other - another set
   * @returns the integers in either set
   */
  union(other: RangeSet): RangeSet {
    const a = this.#b;
    const b = other.#b;
    const out: number[] = [];
    let i = 0;
    let j = 0;
    const push = (lo: number, hi: number): void => {
      const n = out.length;
      if (n > 0 && lo <= out[n - 1]!) {
        if (hi > out[n - 1]!) out[n - 1] = hi;
      } else {
        out.push(lo, hi);
      }
    };
    while (i < a.length || j < b.length) {
      if (j >= b.length || (i < a.length && a[i]! <= b[j]!)) {
        push(a[i]!, a[i + 1]!);
        i += 2;
      } else {
        push(b[j]!, b[j + 1]!);
        j += 2;
      }
    }
    return RangeSet.#fromBoundaries(out);
  }

  /**
   * The same as {@link RangeSet.union} (the sphgeom name).
   *
   * @param other - another set
   * @returns the integers in either set
   */
  join(other: RangeSet): RangeSet {
    return this.union(other);
  }

  /**
   * @param other - another set
   * @returns the integers of this set that are not in `other`
   */
  difference(other: RangeSet): RangeSet {
    return this.intersection(other.complemented());
  }

  /**
   * @param other - another set
   * @returns the integers in exactly one of the two sets
   */
  symmetricDifference(other: RangeSet): RangeSet {
    return this.difference(other).union(other.difference(this));
  }

  /** @returns the integers of [0, 2⁵³) not in this set */
  complemented(): RangeSet {
    const b = this.#b;
    const out: number[] = [];
    let prev = 0;
    for (let i = 0; i < b.length; i += 2) {
      if (b[i]! > prev) out.push(prev, b[i]!);
      prev = b[i + 1]!;
    }
    if (prev < UNIVERSE_END) out.push(prev, UNIVERSE_END);
    return RangeSet.#fromBoundaries(out);
  }

  /**
   * Coarsens the set: rounds every range's beginning down and its end up to multiples of `2^n`,
   * so nearby ranges merge. The result contains this set. For pixel indexes of a hierarchical
   * pixelization with 4 children per pixel, `n = 2k` gives the pixels of the level `k` steps
   * coarser (expressed at this level).
   *
   * @param n - number of low bits to clear, in [0, 53]
   * @returns the simplified set (this set is immutable)
   * @throws GeomInvalidArgumentError if `n` is not an integer in [0, 53]
   */
  simplify(n: number): RangeSet {
    if (!Number.isInteger(n) || n < 0 || n > 53) {
      throw new GeomInvalidArgumentError(`Invalid simplification ${n}: expected an integer number of bits in [0, 53].`);
    }
    const b = [...this.#b];
    simplifyBoundaries(b, n, true);
    return RangeSet.#fromBoundaries(b);
  }

  /**
   * The same as {@link RangeSet.simplify} (the sphgeom name of the copying variant).
   *
   * @param n - number of low bits to clear
   * @returns the simplified set
   * @throws GeomInvalidArgumentError if `n` is not an integer in [0, 53]
   */
  simplified(n: number): RangeSet {
    return this.simplify(n);
  }

  /**
   * Multiplies every range end point by `factor`; for pixel indexes with 4 children per pixel,
   * a factor of 4 gives the same area one level finer.
   *
   * @param factor - a positive integer
   * @returns the scaled set
   * @throws GeomInvalidArgumentError if `factor` is not a positive integer or a value overflows 2⁵³
   */
  scaled(factor: number): RangeSet {
    if (!Number.isSafeInteger(factor) || factor < 1) {
      throw new GeomInvalidArgumentError(`Invalid scale factor ${factor}: expected a positive integer.`);
    }
    const out = this.#b.map((v) => v * factor);
    for (const v of out) checkValue(v, 'scaled value');
    return RangeSet.#fromBoundaries(out);
  }

  /**
   * @param other - another set
   * @returns true if both hold the same integers
   */
  equals(other: RangeSet): boolean {
    const a = this.#b;
    const b = other.#b;
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  /** @returns e.g. `RangeSet([10, 25), [40, 41))` */
  toString(): string {
    return `RangeSet(${this.ranges()
      .map(([b, e]) => `[${b}, ${e})`)
      .join(', ')})`;
  }
}
