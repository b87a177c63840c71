import { Angle, wrapRadians } from '../angle.js';
import { GeomInvalidArgumentError } from '../errors.js';
import type { UnitVector3d } from './unit-vector3d.js';
import type { Vector3d } from './vector3d.js';

const TWO_PI = 2 * Math.PI;
const HALF_PI = 0.5 * Math.PI;

/**
 * Longitude in radians, in [0, 2π), of a vector (0 on the z axis).
 *
 * @internal
 */
export function longitudeOfRadians(x: number, y: number): number {
  if (x === 0 && y === 0) return 0;
  const lon = Math.atan2(y, x);
  return lon < 0 ? lon + TWO_PI : lon;
}

/**
 * Latitude in radians, in [-π/2, π/2], of a vector.
 *
 * @internal
 */
export function latitudeOfRadians(x: number, y: number, z: number): number {
  if (z === 0) return 0;
  const lat = Math.atan2(z, Math.sqrt(x * x + y * y));
  return Math.abs(lat) > HALF_PI ? Math.sign(lat) * HALF_PI : lat;
}

/**
 * A point on the unit sphere as a longitude and a latitude, immutable.
 *
 * The longitude is normalised to [0, 2π); the latitude must lie in [-π/2, π/2].
 *
 * @example
 * ```ts
 * const p = LonLat.fromDegrees(-10, 45);
 * p.getLon().asDegrees(); // 350
 * LonLat.fromVector(new UnitVector3d(0, 0, 1)).getLat().asDegrees(); // 90
 * ```
 * @see lsst.sphgeom.LonLat
 */
export class LonLat {
  readonly #lon: number;
  readonly #lat: number;

  /**
   * Makes the point at a longitude and a latitude.
   *
   * @param lon - longitude; any finite angle, normalised to [0, 2π)
   * @param lat - latitude, in [-π/2, π/2]
   * @throws GeomInvalidArgumentError if either angle is not finite or the latitude is out of range
   */
  constructor(lon: Angle, lat: Angle) {
    const lonRad = lon.asRadians();
    const latRad = lat.asRadians();
    if (!Number.isFinite(lonRad) || !Number.isFinite(latRad)) {
      throw new GeomInvalidArgumentError(
        `Cannot make a LonLat from lon=${lonRad} rad, lat=${latRad} rad: expected finite angles.`,
      );
    }
    if (Math.abs(latRad) > HALF_PI) {
      throw new GeomInvalidArgumentError(
        `Invalid latitude ${lat.asDegrees()} deg: expected a latitude in [-90, 90] deg.`,
      );
    }
    this.#lon = wrapRadians(lonRad);
    this.#lat = latRad;
  }

  /**
   * @param lon - longitude in degrees
   * @param lat - latitude in degrees, in [-90, 90]
   * @returns the point
   * @throws GeomInvalidArgumentError if a value is not finite or the latitude is out of range
   */
  static fromDegrees(lon: number, lat: number): LonLat {
    return new LonLat(Angle.fromDegrees(lon), Angle.fromDegrees(lat));
  }

  /**
   * @param lon - longitude in radians
   * @param lat - latitude in radians, in [-π/2, π/2]
   * @returns the point
   * @throws GeomInvalidArgumentError if a value is not finite or the latitude is out of range
   */
  static fromRadians(lon: number, lat: number): LonLat {
    return new LonLat(Angle.fromRadians(lon), Angle.fromRadians(lat));
  }

  /**
   * The longitude and latitude of the direction of a vector. Points on the z axis get
   * longitude 0.
   *
   * @param v - a non-zero vector
   * @returns the point in that direction
   * @throws GeomInvalidArgumentError if `v` is zero or not finite
   */
  static fromVector(v: UnitVector3d | Vector3d): LonLat {
    if (!Number.isFinite(v.x) || !Number.isFinite(v.y) || !Number.isFinite(v.z) || (v.x === 0 && v.y === 0 && v.z === 0)) {
      throw new GeomInvalidArgumentError(
        `Cannot make a LonLat from the vector (${v.x}, ${v.y}, ${v.z}): expected a finite, non-zero vector.`,
      );
    }
    return LonLat.fromRadians(longitudeOfRadians(v.x, v.y), latitudeOfRadians(v.x, v.y, v.z));
  }

  /**
   * @param v - a vector
   * @returns its longitude, in [0, 2π) (0 on the z axis)
   */
  static longitudeOf(v: UnitVector3d | Vector3d): Angle {
    return Angle.fromRadians(longitudeOfRadians(v.x, v.y));
  }

  /**
   * @param v - a vector
   * @returns its latitude, in [-π/2, π/2]
   */
  static latitudeOf(v: UnitVector3d | Vector3d): Angle {
    return Angle.fromRadians(latitudeOfRadians(v.x, v.y, v.z));
  }

  /** @returns the longitude, in [0, 2π) */
  getLon(): Angle {
    return Angle.fromRadians(this.#lon);
  }

  /** @returns the latitude, in [-π/2, π/2] */
  getLat(): Angle {
    return Angle.fromRadians(this.#lat);
  }

  /**
   * @param other - another point
   * @returns true if both coordinates are exactly equal
   */
  equals(other: LonLat): boolean {
    return this.#lon === other.#lon && this.#lat === other.#lat;
  }

  /** @returns `LonLat(lonRad, latRad)` */
  toString(): string {
    return `LonLat(${this.#lon}, ${this.#lat})`;
  }
}
