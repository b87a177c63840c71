import { Angle } from '../angle.js';
import { Relationship } from './relationship.js';

/**
 * A closed interval [a, b] of angles, immutable; empty when a > b or an endpoint is NaN.
 * Used for latitudes.
 *
 * @example
 * ```ts
 * const lat = AngleInterval.fromDegrees(-10, 30);
 * lat.contains(Angle.fromDegrees(0)); // true
 * lat.getSize().asDegrees(); // 40
 * ```
 * @see lsst.sphgeom.AngleInterval
 */
export class AngleInterval {
  readonly #a: number;
  readonly #b: number;

  /**
   * Makes the interval [a, b].
   *
   * @param a - lower endpoint
   * @param b - upper endpoint; the interval is empty when `a > b`
   */
  constructor(a: Angle, b: Angle) {
    this.#a = a.asRadians();
    this.#b = b.asRadians();
  }

  /**
   * @param a - lower endpoint in degrees
   * @param b - upper endpoint in degrees
   * @returns the interval
   */
  static fromDegrees(a: number, b: number): AngleInterval {
    return new AngleInterval(Angle.fromDegrees(a), Angle.fromDegrees(b));
  }

  /**
   * @param a - lower endpoint in radians
   * @param b - upper endpoint in radians
   * @returns the interval
   */
  static fromRadians(a: number, b: number): AngleInterval {
    return new AngleInterval(Angle.fromRadians(a), Angle.fromRadians(b));
  }

  /**
   * @param x - an angle
   * @returns the interval containing only `x`
   */
  static point(x: Angle): AngleInterval {
    return new AngleInterval(x, x);
  }

  /** @returns an empty interval */
  static empty(): AngleInterval {
    return new AngleInterval(Angle.fromRadians(NaN), Angle.fromRadians(NaN));
  }

  /** @returns the lower endpoint (NaN for the canonical empty interval) */
  getA(): Angle {
    return Angle.fromRadians(this.#a);
  }

  /** @returns the upper endpoint (NaN for the canonical empty interval) */
  getB(): Angle {
    return Angle.fromRadians(this.#b);
  }

  /** @returns true if the interval contains no angle */
  isEmpty(): boolean {
    return !(this.#a <= this.#b);
  }

  /** @returns `b − a`; negative or NaN for empty intervals */
  getSize(): Angle {
    return Angle.fromRadians(this.#b - this.#a);
  }

  /** @returns the midpoint `(a + b) / 2`; meaningless for empty intervals */
  getCenter(): Angle {
    return Angle.fromRadians(0.5 * (this.#a + this.#b));
  }

  /**
   * @param x - an angle or an interval
   * @returns true if `x` (every angle of it) is in this interval; an empty interval is in every interval
   */
  contains(x: Angle | AngleInterval): boolean {
    if (x instanceof AngleInterval) {
      if (x.isEmpty()) return true;
      return this.#a <= x.#a && x.#b <= this.#b;
    }
    const v = x.asRadians();
    return this.#a <= v && v <= this.#b;
  }

  /**
   * @param x - an angle or an interval
   * @returns true if this interval and `x` have an angle in common
   */
  intersects(x: Angle | AngleInterval): boolean {
    if (x instanceof AngleInterval) {
      if (this.isEmpty() || x.isEmpty()) return false;
      return this.#a <= x.#b && x.#a <= this.#b;
    }
    return this.contains(x);
  }

  /**
   * @param x - an angle or an interval
   * @returns true if this interval and `x` have no angle in common
   */
  isDisjointFrom(x: Angle | AngleInterval): boolean {
    return !this.intersects(x);
  }

  /**
   * @param x - an interval
   * @returns true if every angle of this interval is in `x`
   */
  isWithin(x: AngleInterval): boolean {
    return x.contains(this);
  }

  /**
   * @param x - another interval
   * @returns the relationship of this interval to `x` (exact)
   */
  relate(x: AngleInterval): Relationship {
    const e1 = this.isEmpty();
    const e2 = x.isEmpty();
    if (e1 && e2) return Relationship.CONTAINS | Relationship.DISJOINT | Relationship.WITHIN;
    if (e1) return Relationship.DISJOINT | Relationship.WITHIN;
    if (e2) return Relationship.CONTAINS | Relationship.DISJOINT;
    let r: Relationship = Relationship.INTERSECTS;
    if (this.#a <= x.#a && x.#b <= this.#b) r |= Relationship.CONTAINS;
    if (x.#a <= this.#a && this.#b <= x.#b) r |= Relationship.WITHIN;
    if (this.#b < x.#a || x.#b < this.#a) r |= Relationship.DISJOINT;
    return r;
  }

  /**
   * @param x - an angle or an interval
   * @returns the smallest interval containing this interval and `x`
   */
  expandedTo(x: Angle | AngleInterval): AngleInterval {
    if (x instanceof AngleInterval) {
      if (x.isEmpty()) return this;
      if (this.isEmpty()) return x;
      return AngleInterval.fromRadians(Math.min(this.#a, x.#a), Math.max(this.#b, x.#b));
    }
    const v = x.asRadians();
    if (this.isEmpty()) return AngleInterval.fromRadians(v, v);
    return AngleInterval.fromRadians(Math.min(this.#a, v), Math.max(this.#b, v));
  }

  /**
   * @param x - another interval
   * @returns the intersection of this interval and `x`
   */
  clippedTo(x: AngleInterval): AngleInterval {
    if (this.isEmpty() || x.isEmpty()) return AngleInterval.empty();
    const a = Math.max(this.#a, x.#a);
    const b = Math.min(this.#b, x.#b);
    return a <= b ? AngleInterval.fromRadians(a, b) : AngleInterval.empty();
  }

  /**
   * Morphological dilation by `[-x, x]` for positive `x`, erosion for negative `x`.
   *
   * @param x - the dilation
   * @returns `[a − x, b + x]`, or this interval when it is empty or `x` is zero or NaN
   */
  dilatedBy(x: Angle): AngleInterval {
    const d = x.asRadians();
    if (this.isEmpty() || d === 0 || Number.isNaN(d)) return this;
    return AngleInterval.fromRadians(this.#a - d, this.#b + d);
  }

  /**
   * @param x - another interval
   * @returns true if both contain the same angles
   */
  equals(x: AngleInterval): boolean {
    if (this.isEmpty() || x.isEmpty()) return this.isEmpty() && x.isEmpty();
    return this.#a === x.#a && this.#b === x.#b;
  }

  /** @returns `[a, b]` in radians */
  toString(): string {
    return `[${this.#a}, ${this.#b}]`;
  }
}
