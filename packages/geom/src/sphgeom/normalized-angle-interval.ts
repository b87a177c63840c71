import { Angle, wrapRadians } from '../angle.js';
import { GeomInvalidArgumentError } from '../errors.js';
import { Relationship } from './relationship.js';

const TWO_PI = 2 * Math.PI;

/** Length of the counter-clockwise arc from a to b, both in [0, 2π]. */
function arcFromTo(a: number, b: number): number {
  const d = b - a;
  return d >= 0 ? d : d + TWO_PI;
}

/**
 * A closed interval of the circle of longitudes, immutable; it may wrap around 0.
 *
 * An interval runs counter-clockwise from `a` to `b`, both normalised to [0, 2π). When `a > b`
 * the interval wraps: it is `[a, 2π) ∪ [0, b]`. The interval `[0, 2π]` is full; an interval
 * with a NaN endpoint is empty.
 *
 * @example
 * ```ts
 * const lon = NormalizedAngleInterval.fromDegrees(350, 10); // wraps through 0
 * lon.wraps(); // true
 * lon.contains(Angle.fromDegrees(5)); // true
 * lon.getSize().asDegrees(); // 20 (to rounding)
 * ```
 * @see lsst.sphgeom.NormalizedAngleInterval
 */
export class NormalizedAngleInterval {
  readonly #a: number;
  readonly #b: number;

  /**
   * Makes the interval from `x` to `y`. If both are in [0, 2π), `y < x` makes a wrapping
   * interval. Otherwise `x` must not exceed `y`: the interval holds the normalised angles of
   * `[x, y]` (full if `y − x ≥ 2π`).
   *
   * @param x - first endpoint
   * @param y - second endpoint
   * @throws GeomInvalidArgumentError if an endpoint is outside [0, 2π) and `x > y`
   */
  constructor(x: Angle, y: Angle) {
    const a = x.asRadians();
    const b = y.asRadians();
    if (Number.isNaN(a) || Number.isNaN(b)) {
      this.#a = NaN;
      this.#b = NaN;
      return;
    }
    const aNorm = a >= 0 && a < TWO_PI;
    const bNorm = b >= 0 && b < TWO_PI;
    if (!aNorm || !bNorm) {
      if (a > b) {
        throw new GeomInvalidArgumentError(
          `Invalid longitude interval [${a}, ${b}] rad: when an endpoint is outside [0, 2π) the first must not exceed the second.`,
        );
      }
      if (b - a >= TWO_PI) {
        this.#a = 0;
        this.#b = TWO_PI;
        return;
      }
    }
    this.#a = wrapRadians(a);
    this.#b = wrapRadians(b);
  }

  /**
   * @param a - first endpoint in degrees
   * @param b - second endpoint in degrees
   * @returns the interval (see the constructor for the rules)
   * @throws GeomInvalidArgumentError as the constructor does
   */
  static fromDegrees(a: number, b: number): NormalizedAngleInterval {
    return new NormalizedAngleInterval(Angle.fromDegrees(a), Angle.fromDegrees(b));
  }

  /**
   * @param a - first endpoint in radians
   * @param b - second endpoint in radians
   * @returns the interval (see the constructor for the rules)
   * @throws GeomInvalidArgumentError as the constructor does
   */
  static fromRadians(a: number, b: number): NormalizedAngleInterval {
    return new NormalizedAngleInterval(Angle.fromRadians(a), Angle.fromRadians(b));
  }

  /**
   * @param x - an angle, normalised to [0, 2π)
   * @returns the interval containing only that angle
   */
  static point(x: Angle): NormalizedAngleInterval {
    const v = wrapRadians(x.asRadians());
    return NormalizedAngleInterval.fromRadians(v, v);
  }

  /** @returns the empty interval */
  static empty(): NormalizedAngleInterval {
    return NormalizedAngleInterval.fromRadians(NaN, NaN);
  }

  /** @returns the full interval [0, 2π] */
  static full(): NormalizedAngleInterval {
    return NormalizedAngleInterval.fromRadians(0, TWO_PI);
  }

  /** @returns the first endpoint, in [0, 2π] (NaN when empty) */
  getA(): Angle {
    return Angle.fromRadians(this.#a);
  }

  /** @returns the second endpoint, in [0, 2π] (NaN when empty) */
  getB(): Angle {
    return Angle.fromRadians(this.#b);
  }

  /** @returns true if the interval contains no angle */
  isEmpty(): boolean {
    return Number.isNaN(this.#a) || Number.isNaN(this.#b);
  }

  /** @returns true if the interval contains every angle */
  isFull(): boolean {
    return this.#a === 0 && this.#b === TWO_PI;
  }

  /** @returns true if the interval wraps through 0, i.e. is `[a, 2π) ∪ [0, b]` */
  wraps(): boolean {
    return this.#a > this.#b;
  }

  /** @returns the length of the interval, in [0, 2π]; NaN when empty */
  getSize(): Angle {
    if (this.isEmpty()) return Angle.fromRadians(NaN);
    return Angle.fromRadians(arcFromTo(this.#a, this.#b));
  }

  /** @returns the middle of the interval, in [0, 2π); NaN when empty, arbitrary when full */
  getCenter(): Angle {
    const c = 0.5 * (this.#a + this.#b);
    if (this.#a <= this.#b) return Angle.fromRadians(c);
    return Angle.fromRadians(c < Math.PI ? c + Math.PI : c - Math.PI);
  }

  /**
   * @param x - an angle (normalised first) or an interval
   * @returns true if `x`, or every angle of it, is in this interval
   */
  contains(x: Angle | NormalizedAngleInterval): boolean {
    if (x instanceof NormalizedAngleInterval) {
      if (x.isEmpty()) return true;
      if (this.isEmpty()) return false;
      if (x.wraps()) {
        if (!this.wraps()) return this.isFull();
      } else if (this.wraps()) {
        return x.#a >= this.#a || x.#b <= this.#b;
      }
      return x.#a >= this.#a && x.#b <= this.#b;
    }
    return this.containsRadians(wrapRadians(x.asRadians()));
  }

  /**
   * @param v - a normalised angle in radians, in [0, 2π)
   * @returns true if it is in this interval
   * @internal
   */
  containsRadians(v: number): boolean {
    return this.#a > this.#b ? v <= this.#b || this.#a <= v : this.#a <= v && v <= this.#b;
  }

  /**
   * @param x - an angle or an interval
   * @returns true if this interval and `x` have no angle in common
   */
  isDisjointFrom(x: Angle | NormalizedAngleInterval): boolean {
    if (!(x instanceof NormalizedAngleInterval)) return !this.contains(x);
    if (this.isEmpty() || x.isEmpty()) return true;
    if (x.wraps()) return this.wraps() ? false : x.#a > this.#b && x.#b < this.#a;
    if (this.wraps()) return this.#a > x.#b && this.#b < x.#a;
    return x.#b < this.#a || x.#a > this.#b;
  }

  /**
   * @param x - an angle or an interval
   * @returns true if this interval and `x` have an angle in common
   */
  intersects(x: Angle | NormalizedAngleInterval): boolean {
    return !this.isDisjointFrom(x);
  }

  /**
   * @param x - an interval
   * @returns true if every angle of this interval is in `x`
   */
  isWithin(x: NormalizedAngleInterval): boolean {
    return x.contains(this);
  }

  /**
   * @param x - another interval
   * @returns the relationship of this interval to `x` (exact)
   */
  relate(x: NormalizedAngleInterval): Relationship {
    const e1 = this.isEmpty();
    const e2 = x.isEmpty();
    if (e1 && e2) return Relationship.CONTAINS | Relationship.DISJOINT | Relationship.WITHIN;
    if (e1) return Relationship.DISJOINT | Relationship.WITHIN;
    if (e2) return Relationship.CONTAINS | Relationship.DISJOINT;
    let r: Relationship = Relationship.INTERSECTS;
    if (this.contains(x)) r |= Relationship.CONTAINS;
    if (x.contains(this)) r |= Relationship.WITHIN;
    if (this.isDisjointFrom(x)) r |= Relationship.DISJOINT;
    return r;
  }

  /**
   * The smallest interval containing this one and `x`. Of the two ways to extend an interval
   * around the circle, the shorter is chosen, so the result is not always unique.
   *
   * @param x - an angle or an interval
   * @returns the expanded interval
   */
  expandedTo(x: Angle | NormalizedAngleInterval): NormalizedAngleInterval {
    if (!(x instanceof NormalizedAngleInterval)) {
      const v = wrapRadians(x.asRadians());
      if (this.isEmpty()) return NormalizedAngleInterval.fromRadians(v, v);
      if (this.containsRadians(v)) return this;
      // Extend whichever end is nearer to v.
      if (arcFromTo(v, this.#a) > arcFromTo(this.#b, v)) return NormalizedAngleInterval.fromRadians(this.#a, v);
      return NormalizedAngleInterval.fromRadians(v, this.#b);
    }
    if (x.isEmpty()) return this;
    if (this.isEmpty()) return x;
    const hasA = this.containsRadians(x.#a);
    const hasB = this.containsRadians(x.#b);
    if (hasA && hasB) {
      // Either this contains x, or together they cover the circle.
      return this.contains(x) ? this : NormalizedAngleInterval.full();
    }
    if (hasA) return NormalizedAngleInterval.fromRadians(this.#a, x.#b);
    if (hasB) return NormalizedAngleInterval.fromRadians(x.#a, this.#b);
    if (x.containsRadians(this.#a)) return x;
    if (arcFromTo(this.#b, x.#a) < arcFromTo(x.#b, this.#a)) {
      return NormalizedAngleInterval.fromRadians(this.#a, x.#b);
    }
    return NormalizedAngleInterval.fromRadians(x.#a, this.#b);
  }

  /**
   * The smallest interval containing the intersection of this interval and `x` (when the
   * intersection is two pieces, the shorter of the two inputs is returned).
   *
   * @param x - another interval
   * @returns the clipped interval
   */
  clippedTo(x: NormalizedAngleInterval): NormalizedAngleInterval {
    if (x.isEmpty() || this.isEmpty()) return NormalizedAngleInterval.empty();
    const hasA = this.containsRadians(x.#a);
    const hasB = this.containsRadians(x.#b);
    if (hasA && hasB) {
      return arcFromTo(this.#a, this.#b) >= arcFromTo(x.#a, x.#b) ? x : this;
    }
    if (hasA) return NormalizedAngleInterval.fromRadians(x.#a, this.#b);
    if (hasB) return NormalizedAngleInterval.fromRadians(this.#a, x.#b);
    return x.containsRadians(this.#a) ? this : NormalizedAngleInterval.empty();
  }

  /**
   * Morphological dilation by `[-x, x]` for positive `x` (erosion for negative `x`).
   *
   * @param x - the dilation
   * @returns the dilated interval; full once it covers the circle, empty once eroded away
   */
  dilatedBy(x: Angle): NormalizedAngleInterval {
    const d = x.asRadians();
    if (this.isEmpty() || this.isFull() || d === 0 || Number.isNaN(d)) return this;
    let a = this.#a - d;
    let b = this.#b + d;
    if (d > 0) {
      if (d >= Math.PI) return NormalizedAngleInterval.full();
      if (this.wraps()) {
        if (a <= b) return NormalizedAngleInterval.full();
      } else {
        if (a < 0) {
          a += TWO_PI;
          if (a <= b) return NormalizedAngleInterval.full();
        }
        if (b > TWO_PI) {
          b -= TWO_PI;
          if (a <= b) return NormalizedAngleInterval.full();
        }
      }
    } else {
      if (d <= -Math.PI) return NormalizedAngleInterval.empty();
      if (this.wraps()) {
        if (a > TWO_PI) {
          a -= TWO_PI;
          if (a > b) return NormalizedAngleInterval.empty();
        }
        if (b < 0) {
          b += TWO_PI;
          if (a > b) return NormalizedAngleInterval.empty();
        }
      } else if (a > b) {
        return NormalizedAngleInterval.empty();
      }
    }
    // a and b may equal 2π after the adjustments; normalise explicitly (2π → 0).
    return NormalizedAngleInterval.fromRadians(wrapRadians(a), wrapRadians(b));
  }

  /**
   * @param x - another interval
   * @returns true if both contain the same angles
   */
  equals(x: NormalizedAngleInterval): boolean {
    if (this.isEmpty() || x.isEmpty()) return this.isEmpty() && x.isEmpty();
    return this.#a === x.#a && this.#b === x.#b;
  }

  /** @returns `[a, b]` in radians */
  toString(): string {
    return `[${this.#a}, ${this.#b}]`;
  }
}
