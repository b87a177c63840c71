// lsst.afw.coord.Observatory: where a telescope is.
import type { Angle } from '@skystack/geom';

/**
 * The position of a telescope: longitude (east positive), latitude and elevation above sea
 * level in metres. Unknown values are NaN, as in afw.
 *
 * @see lsst.afw.coord.Observatory
 */
export class Observatory {
  /** Longitude, east positive. */
  readonly longitude: Angle;
  /** Latitude. */
  readonly latitude: Angle;
  /** Elevation above sea level, metres. */
  readonly elevation: number;

  /**
   * Makes an observatory.
   *
   * @param longitude - longitude, east positive
   * @param latitude - latitude
   * @param elevation - metres above sea level
   */
  constructor(longitude: Angle, latitude: Angle, elevation: number) {
    this.longitude = longitude;
    this.latitude = latitude;
    this.elevation = elevation;
  }

  /** The longitude. */
  getLongitude(): Angle {
    return this.longitude;
  }

  /** The latitude. */
  getLatitude(): Angle {
    return this.latitude;
  }

  /** The elevation in metres. */
  getElevation(): number {
    return this.elevation;
  }

  /**
   * Whether another observatory is the same (NaN equals NaN).
   *
   * @param other - the other one
   * @returns whether they are equal
   */
  equals(other: unknown): boolean {
    return (
      other instanceof Observatory &&
      sameNumber(other.longitude.asRadians(), this.longitude.asRadians()) &&
      sameNumber(other.latitude.asRadians(), this.latitude.asRadians()) &&
      sameNumber(other.elevation, this.elevation)
    );
  }

  /** `Observatory(longitude=..., latitude=..., elevation=...)` in degrees and metres. */
  toString(): string {
    return `Observatory(longitude=${this.longitude.asDegrees()} deg, latitude=${this.latitude.asDegrees()} deg, elevation=${this.elevation} m)`;
  }
}

/**
 * Equality with NaN equal to NaN.
 *
 * @internal
 */
export function sameNumber(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}
