const TWO_PI = 2 * Math.PI;

/**
 * Wraps an angle in radians into `[0, 2π)`, never returning 2π even when rounding would.
 *
 * @param rad - any angle in radians
 * @returns the equivalent angle in `[0, 2π)`
 * @internal
 */
export function wrapRadians(rad: number): number {
  if (rad >= 0 && rad < TWO_PI) return rad;
  let wrapped = rad % TWO_PI;
  if (wrapped < 0) wrapped += TWO_PI;
  // Adding 2π to a tiny negative value can round up to exactly 2π.
  return wrapped >= TWO_PI ? 0 : wrapped;
}

/**
 * A unit of angle: the number of radians in one of it.
 *
 * Multiply a number by a unit with {@link AngleUnit.of} to make an {@link Angle}; there is no
 * other way to turn a bare number into an angle, so the unit is always explicit.
 *
 * @example
 * ```ts
 * const a = degrees.of(30);
 * a.asRadians(); // 0.5235987755982988
 * ```
 * @see lsst.geom.AngleUnit
 */
export class AngleUnit {
  /** Radians per one of this unit. */
  readonly radiansPerUnit: number;

  /**
   * Defines a unit by its size in radians.
   *
   * @param radiansPerUnit - how many radians one of this unit is
   */
  constructor(radiansPerUnit: number) {
    this.radiansPerUnit = radiansPerUnit;
  }

  /**
   * Makes the angle of `value` of this unit.
   *
   * @param value - the angle in this unit
   * @returns the angle
   */
  of(value: number): Angle {
    return new Angle(value * this.radiansPerUnit);
  }
}

/** Radians. */
export const radians = new AngleUnit(1);
/** Degrees: π/180 radians. */
export const degrees = new AngleUnit(Math.PI / 180);
/** Hours of right ascension: 15 degrees. */
export const hours = new AngleUnit((Math.PI * 15) / 180);
/** Arcminutes: 1/60 degree. */
export const arcminutes = new AngleUnit(Math.PI / 180 / 60);
/** Arcseconds: 1/3600 degree. */
export const arcseconds = new AngleUnit(Math.PI / 180 / 3600);
/** Milliarcseconds: 1/3,600,000 degree. */
export const milliarcseconds = new AngleUnit(Math.PI / 180 / 3.6e6);

/**
 * An angle, stored in radians, immutable.
 *
 * The public API of SkyStack never takes an angle as a bare number: build one with
 * {@link Angle.fromDegrees}, {@link Angle.fromRadians}, {@link Angle.fromArcseconds} or a unit's
 * {@link AngleUnit.of}, and read it back in the unit you want.
 *
 * Wrapping follows lsst.geom exactly: {@link Angle.wrap} gives `[0, 2π)`, {@link Angle.wrapCtr}
 * gives `[-π, π)` and {@link Angle.wrapNear} gives `[ref - π, ref + π)`, with the upper bounds
 * strictly excluded even under floating-point rounding.
 *
 * @example
 * ```ts
 * const ra = Angle.fromDegrees(370);
 * ra.wrap().asDegrees(); // 10 (to rounding)
 * Angle.fromDegrees(1).asArcseconds(); // 3600
 * ```
 * @see lsst.geom.Angle
 */
export class Angle {
  /** An angle of zero. */
  static readonly ZERO = new Angle(0);
  /** π radians (180 degrees). */
  static readonly PI = new Angle(Math.PI);
  /** 2π radians (360 degrees). */
  static readonly TWO_PI = new Angle(TWO_PI);
  /** π/2 radians (90 degrees). */
  static readonly HALF_PI = new Angle(Math.PI / 2);

  readonly #rad: number;

  /**
   * Makes an angle from a value and its unit.
   *
   * @param value - the angle, in `unit`
   * @param unit - the unit of `value` (radians by default)
   */
  constructor(value: number, unit: AngleUnit = radians) {
    this.#rad = unit === radians ? value : value * unit.radiansPerUnit;
  }

  /**
   * @param rad - angle in radians
   * @returns the angle
   */
  static fromRadians(rad: number): Angle {
    return new Angle(rad);
  }

  /**
   * @param deg - angle in degrees
   * @returns the angle
   */
  static fromDegrees(deg: number): Angle {
    return new Angle(deg * degrees.radiansPerUnit);
  }

  /**
   * @param h - angle in hours (15 degrees each)
   * @returns the angle
   */
  static fromHours(h: number): Angle {
    return new Angle(h * hours.radiansPerUnit);
  }

  /**
   * @param arcmin - angle in arcminutes
   * @returns the angle
   */
  static fromArcminutes(arcmin: number): Angle {
    return new Angle(arcmin * arcminutes.radiansPerUnit);
  }

  /**
   * @param arcsec - angle in arcseconds
   * @returns the angle
   */
  static fromArcseconds(arcsec: number): Angle {
    return new Angle(arcsec * arcseconds.radiansPerUnit);
  }

  /**
   * @param mas - angle in milliarcseconds
   * @returns the angle
   */
  static fromMilliarcseconds(mas: number): Angle {
    return new Angle(mas * milliarcseconds.radiansPerUnit);
  }

  /**
   * @param unit - the unit wanted
   * @returns this angle in `unit`
   */
  asAngularUnits(unit: AngleUnit): number {
    return this.#rad / unit.radiansPerUnit;
  }

  /** @returns this angle in radians */
  asRadians(): number {
    return this.#rad;
  }

  /** @returns this angle in degrees */
  asDegrees(): number {
    return this.#rad / degrees.radiansPerUnit;
  }

  /** @returns this angle in hours (15 degrees each) */
  asHours(): number {
    return this.#rad / hours.radiansPerUnit;
  }

  /** @returns this angle in arcminutes */
  asArcminutes(): number {
    return this.#rad / arcminutes.radiansPerUnit;
  }

  /** @returns this angle in arcseconds */
  asArcseconds(): number {
    return this.#rad / arcseconds.radiansPerUnit;
  }

  /** @returns this angle in milliarcseconds */
  asMilliarcseconds(): number {
    return this.#rad / milliarcseconds.radiansPerUnit;
  }

  /**
   * @param other - the angle to add
   * @returns `this + other`
   */
  add(other: Angle): Angle {
    return new Angle(this.#rad + other.#rad);
  }

  /**
   * @param other - the angle to subtract
   * @returns `this - other`
   */
  subtract(other: Angle): Angle {
    return new Angle(this.#rad - other.#rad);
  }

  /**
   * @param factor - a dimensionless scale
   * @returns `this * factor`
   */
  multiply(factor: number): Angle {
    return new Angle(this.#rad * factor);
  }

  /**
   * @param divisor - a dimensionless divisor
   * @returns `this / divisor`
   */
  divide(divisor: number): Angle {
    return new Angle(this.#rad / divisor);
  }

  /** @returns `-this` */
  negate(): Angle {
    return new Angle(-this.#rad);
  }

  /** @returns the absolute value of this angle */
  abs(): Angle {
    return new Angle(Math.abs(this.#rad));
  }

  /**
   * @param other - the angle to compare with
   * @returns negative, zero or positive as this angle is less than, equal to or greater than `other`
   */
  compare(other: Angle): number {
    return this.#rad - other.#rad;
  }

  /**
   * Exact equality of the stored radians.
   *
   * @param other - the angle to compare with
   * @returns whether the two angles are identical
   */
  equals(other: Angle): boolean {
    return this.#rad === other.#rad;
  }

  /**
   * Whether two angles agree within a tolerance, without wrapping.
   *
   * @param other - the angle to compare with
   * @param tolerance - the largest difference accepted
   * @returns whether `|this - other| <= tolerance`
   */
  isClose(other: Angle, tolerance: Angle): boolean {
    return Math.abs(this.#rad - other.#rad) <= tolerance.#rad;
  }

  /**
   * This angle wrapped into `[0, 2π)`.
   *
   * @returns the wrapped angle
   */
  wrap(): Angle {
    return new Angle(wrapRadians(this.#rad));
  }

  /**
   * This angle wrapped into `[-π, π)`.
   *
   * @returns the wrapped angle
   */
  wrapCtr(): Angle {
    let wrapped = this.#rad % TWO_PI;
    if (wrapped < -Math.PI) {
      wrapped += TWO_PI;
      if (wrapped >= Math.PI) wrapped = -Math.PI;
    } else if (wrapped >= Math.PI) {
      wrapped -= TWO_PI;
      if (wrapped < -Math.PI) wrapped = -Math.PI;
    }
    return new Angle(wrapped);
  }

  /**
   * This angle wrapped into `[ref - π, ref + π)`: the equivalent angle nearest to `ref`.
   *
   * @param ref - the reference angle
   * @returns the wrapped angle
   */
  wrapNear(ref: Angle): Angle {
    const refRad = ref.#rad;
    let wrapped = refRad + new Angle(this.#rad - refRad).wrapCtr().#rad;
    // Rounding in the addition can land just outside the half-open interval.
    if (wrapped < refRad - Math.PI) wrapped += TWO_PI;
    else if (wrapped >= refRad + Math.PI) wrapped -= TWO_PI;
    if (wrapped < refRad - Math.PI) wrapped = refRad - Math.PI;
    return new Angle(wrapped);
  }

  /**
   * The signed difference `this - other`, wrapped into `[-π, π)`.
   *
   * @param other - the angle to measure from
   * @returns the wrapped difference
   */
  separation(other: Angle): Angle {
    return new Angle(this.#rad - other.#rad).wrapCtr();
  }

  /** @returns the angle as text in degrees, e.g. `"12.5 deg"` */
  toString(): string {
    return `${this.asDegrees()} deg`;
  }
}
