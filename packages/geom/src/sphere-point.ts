import { Angle, degrees, wrapRadians, type AngleUnit } from './angle.js';
import { GeomDomainError, GeomInvalidArgumentError } from './errors.js';
import { Point2D } from './point.js';
import { LonLat } from './sphgeom/lon-lat.js';
import { UnitVector3d } from './sphgeom/unit-vector3d.js';

const HALF_PI = Math.PI / 2;

/**
 * Angular distance in radians between two points given in radians, by Vincenty's formula
 * (an `atan2` of the cross and dot products), which keeps full precision at 0 and at 180
 * degrees where the haversine and the law of cosines lose it.
 */
function separationRadians(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const dLon = lon2 - lon1;
  const sinDLon = Math.sin(dLon);
  const cosDLon = Math.cos(dLon);
  const sinLat1 = Math.sin(lat1);
  const cosLat1 = Math.cos(lat1);
  const sinLat2 = Math.sin(lat2);
  const cosLat2 = Math.cos(lat2);
  const a = cosLat2 * sinDLon;
  const b = cosLat1 * sinLat2 - sinLat1 * cosLat2 * cosDLon;
  return Math.atan2(Math.sqrt(a * a + b * b), sinLat1 * sinLat2 + cosLat1 * cosLat2 * cosDLon);
}

/**
 * A point on the unit sphere, as longitude and latitude (right ascension and declination
 * for sky coordinates). Immutable.
 *
 * Longitude is wrapped into `[0, 2π)`; latitude must be in `[-π/2, π/2]`. At a pole the
 * longitude is meaningless and is set to zero when the point is made from a vector, as in
 * lsst.geom. Equality is exact ({@link SpherePoint.equals}); compare with a tolerance through
 * {@link SpherePoint.separation}.
 *
 * Bearings follow lsst.geom: measured from east (increasing longitude) towards north, so
 * a bearing of 0 points east and 90 degrees points north.
 *
 * @example
 * ```ts
 * const m31 = SpherePoint.fromDegrees(10.6847, 41.2690);
 * const m33 = SpherePoint.fromDegrees(23.4621, 30.6599);
 * m31.separation(m33).asDegrees(); // about 14.8
 * const north = m31.offset(Angle.fromDegrees(90), Angle.fromArcseconds(10));
 * ```
 * @see lsst.geom.SpherePoint
 */
export class SpherePoint {
  readonly #lon: number;
  readonly #lat: number;

  /**
   * @param longitude - longitude (right ascension); any value, wrapped into `[0, 2π)`
   * @param latitude - latitude (declination), in `[-π/2, π/2]`
   * @throws {@link GeomInvalidArgumentError} if the latitude is outside `[-90, 90]` degrees
   *   or either angle is not finite
   */
  constructor(longitude: Angle, latitude: Angle) {
    const lon = longitude.asRadians();
    const lat = latitude.asRadians();
    if (!Number.isFinite(lon) || !Number.isFinite(lat)) {
      throw new GeomInvalidArgumentError(
        `SpherePoint needs finite angles, got longitude ${longitude.asDegrees()} deg and latitude ${latitude.asDegrees()} deg.`,
      );
    }
    if (Math.abs(lat) > HALF_PI) {
      throw new GeomInvalidArgumentError(
        `Latitude ${latitude.asDegrees()} deg is not a valid latitude: it must be within [-90, 90] deg.`,
      );
    }
    this.#lon = wrapRadians(lon);
    this.#lat = lat;
  }

  /**
   * Makes a point from longitude and latitude in degrees.
   *
   * @param raDeg - longitude (right ascension) in degrees
   * @param decDeg - latitude (declination) in degrees
   * @returns the point
   * @throws {@link GeomInvalidArgumentError} if the latitude is outside `[-90, 90]`
   */
  static fromDegrees(raDeg: number, decDeg: number): SpherePoint {
    return new SpherePoint(Angle.fromDegrees(raDeg), Angle.fromDegrees(decDeg));
  }

  /**
   * Makes a point from longitude and latitude in radians.
   *
   * @param raRad - longitude (right ascension) in radians
   * @param decRad - latitude (declination) in radians
   * @returns the point
   * @throws {@link GeomInvalidArgumentError} if the latitude is outside `[-π/2, π/2]`
   */
  static fromRadians(raRad: number, decRad: number): SpherePoint {
    return new SpherePoint(Angle.fromRadians(raRad), Angle.fromRadians(decRad));
  }

  /**
   * Makes the point in the direction of a vector (which need not be normalised).
   *
   * @param x - x component (towards longitude 0 on the equator)
   * @param y - y component (towards longitude 90 degrees on the equator)
   * @param z - z component (towards the north pole)
   * @returns the point
   * @throws {@link GeomInvalidArgumentError} if the vector is zero or not finite
   */
  static fromVector(x: number, y: number, z: number): SpherePoint {
    const norm = Math.hypot(x, y, z);
    if (!(norm > 0) || !Number.isFinite(norm)) {
      throw new GeomInvalidArgumentError(`Vector (${x}, ${y}, ${z}) cannot be normalised: it must be finite and non-zero.`);
    }
    const zn = Math.max(-1, Math.min(1, z / norm));
    const lat = Math.asin(zn);
    const lon = x === 0 && y === 0 ? 0 : Math.atan2(y, x);
    return new SpherePoint(Angle.fromRadians(lon), Angle.fromRadians(lat));
  }

  /**
   * Makes the point in the direction of a unit vector.
   *
   * @param vector - the direction
   * @returns the point
   */
  static fromUnitVector(vector: UnitVector3d): SpherePoint {
    return SpherePoint.fromVector(vector.x, vector.y, vector.z);
  }

  /**
   * Makes the point at a sphgeom {@link LonLat}.
   *
   * @param lonLat - the longitude and latitude
   * @returns the point
   */
  static fromLonLat(lonLat: LonLat): SpherePoint {
    return new SpherePoint(lonLat.getLon(), lonLat.getLat());
  }

  /** @returns the longitude, in `[0, 2π)` */
  getLongitude(): Angle {
    return Angle.fromRadians(this.#lon);
  }

  /** @returns the latitude, in `[-π/2, π/2]` */
  getLatitude(): Angle {
    return Angle.fromRadians(this.#lat);
  }

  /** @returns the right ascension (the longitude), in `[0, 2π)` */
  getRa(): Angle {
    return Angle.fromRadians(this.#lon);
  }

  /** @returns the declination (the latitude), in `[-π/2, π/2]` */
  getDec(): Angle {
    return Angle.fromRadians(this.#lat);
  }

  /**
   * The longitude and latitude as a point, in the given unit (degrees by default).
   *
   * @param unit - the unit of both coordinates
   * @returns `(longitude, latitude)` as a {@link Point2D}
   */
  getPosition(unit: AngleUnit = degrees): Point2D {
    return new Point2D(this.#lon / unit.radiansPerUnit, this.#lat / unit.radiansPerUnit);
  }

  /** @returns whether the point is exactly at the north or south pole */
  atPole(): boolean {
    return Math.abs(this.#lat) >= HALF_PI;
  }

  /** @returns the unit vector pointing at this point (lsst.geom calls this `getVector`) */
  toUnitVector(): UnitVector3d {
    const cosLat = Math.cos(this.#lat);
    return UnitVector3d.fromNormalized(Math.cos(this.#lon) * cosLat, Math.sin(this.#lon) * cosLat, Math.sin(this.#lat));
  }

  /** @returns the unit vector pointing at this point; the same as {@link SpherePoint.toUnitVector} */
  getVector(): UnitVector3d {
    return this.toUnitVector();
  }

  /** @returns this point as a sphgeom {@link LonLat} */
  toLonLat(): LonLat {
    return LonLat.fromRadians(this.#lon, this.#lat);
  }

  /**
   * The great-circle distance to another point, accurate at 0 and at 180 degrees.
   *
   * @param other - the other point
   * @returns the angular separation, in `[0, π]`
   */
  separation(other: SpherePoint): Angle {
    return Angle.fromRadians(separationRadians(this.#lon, this.#lat, other.#lon, other.#lat));
  }

  /**
   * The direction of the great circle towards `other`, measured from east towards north
   * (0 is east, 90 degrees is north), as in lsst.geom.
   *
   * @param other - the point to look towards
   * @returns the bearing, in `[0, 2π)`
   * @throws {@link GeomDomainError} if the two points coincide or are antipodal, where the
   *   direction is undefined
   */
  bearingTo(other: SpherePoint): Angle {
    const dLon = other.#lon - this.#lon;
    const cosLat2 = Math.cos(other.#lat);
    const y = Math.sin(dLon) * cosLat2;
    const x = Math.cos(this.#lat) * Math.sin(other.#lat) - Math.sin(this.#lat) * cosLat2 * Math.cos(dLon);
    if (x === 0 && y === 0) {
      throw new GeomDomainError(`The bearing from ${this.toString()} to ${other.toString()} is undefined: the points coincide or are antipodal.`);
    }
    return Angle.fromRadians(HALF_PI - Math.atan2(y, x)).wrap();
  }

  /**
   * The point reached by moving `amount` along the great circle that leaves this point at
   * `bearing` (0 = east, 90 degrees = north). At a pole, bearings are measured as if the
   * longitude were zero.
   *
   * @param bearing - the direction of travel, from east towards north
   * @param amount - the distance to travel (negative travels the opposite way)
   * @returns the new point
   */
  offset(bearing: Angle, amount: Angle): SpherePoint {
    const sinLon = Math.sin(this.#lon);
    const cosLon = Math.cos(this.#lon);
    const sinLat = Math.sin(this.#lat);
    const cosLat = Math.cos(this.#lat);
    // r: this point; e: unit vector east; n: unit vector north; d = cos(b) e + sin(b) n.
    const rx = cosLon * cosLat;
    const ry = sinLon * cosLat;
    const rz = sinLat;
    const b = bearing.asRadians();
    const cb = Math.cos(b);
    const sb = Math.sin(b);
    const dx = -sinLon * cb - cosLon * sinLat * sb;
    const dy = cosLon * cb - sinLon * sinLat * sb;
    const dz = cosLat * sb;
    const a = amount.asRadians();
    const ca = Math.cos(a);
    const sa = Math.sin(a);
    return SpherePoint.fromVector(ca * rx + sa * dx, ca * ry + sa * dy, ca * rz + sa * dz);
  }

  /**
   * The point reached by rotating this point about `axis` by `amount`, counter-clockwise
   * when seen from outside the sphere looking down the axis (the right-hand rule).
   *
   * @param axis - the rotation axis
   * @param amount - the rotation angle
   * @returns the rotated point
   */
  rotated(axis: SpherePoint, amount: Angle): SpherePoint {
    const k = axis.toUnitVector();
    const v = this.toUnitVector();
    const a = amount.asRadians();
    const c = Math.cos(a);
    const s = Math.sin(a);
    const kDotV = k.x * v.x + k.y * v.y + k.z * v.z;
    const cx = k.y * v.z - k.z * v.y;
    const cy = k.z * v.x - k.x * v.z;
    const cz = k.x * v.y - k.y * v.x;
    // Rodrigues' rotation formula.
    return SpherePoint.fromVector(
      v.x * c + cx * s + k.x * kDotV * (1 - c),
      v.y * c + cy * s + k.y * kDotV * (1 - c),
      v.z * c + cz * s + k.z * kDotV * (1 - c),
    );
  }

  /**
   * The gnomonic (tangent-plane) coordinates of `other` on the plane tangent to the sphere at
   * this point: `xi` towards increasing longitude, `eta` towards increasing latitude.
   *
   * @param other - the point to project
   * @returns `[xi, eta]` as angles (the dimensionless plane coordinates read as radians)
   * @throws {@link GeomDomainError} if `other` is 90 degrees or more away, where the
   *   projection is undefined
   */
  getTangentPlaneOffset(other: SpherePoint): [xi: Angle, eta: Angle] {
    const sinLat1 = Math.sin(this.#lat);
    const cosLat1 = Math.cos(this.#lat);
    const sinLat2 = Math.sin(other.#lat);
    const cosLat2 = Math.cos(other.#lat);
    const dLon = other.#lon - this.#lon;
    const cosDLon = Math.cos(dLon);
    const denominator = sinLat1 * sinLat2 + cosLat1 * cosLat2 * cosDLon;
    // cos(90 deg) is 6e-17 in doubles, not 0: anything below machine epsilon is 90 deg or more.
    if (!(denominator > Number.EPSILON)) {
      throw new GeomDomainError(
        `${other.toString()} is ${this.separation(other).asDegrees()} deg from ${this.toString()}: a tangent-plane offset needs less than 90 deg.`,
      );
    }
    const xi = (cosLat2 * Math.sin(dLon)) / denominator;
    const eta = (cosLat1 * sinLat2 - sinLat1 * cosLat2 * cosDLon) / denominator;
    return [Angle.fromRadians(xi), Angle.fromRadians(eta)];
  }

  /**
   * Exact equality of longitude and latitude (transitive, unlike a tolerance test).
   *
   * @param other - the point to compare with
   * @returns whether both coordinates are identical
   */
  equals(other: SpherePoint): boolean {
    return this.#lon === other.#lon && this.#lat === other.#lat;
  }

  /** @returns the point in degrees, as lsst.geom prints it: `(10.6847000000, +41.2690000000)` */
  toString(): string {
    const lat = (this.#lat * 180) / Math.PI;
    return `(${((this.#lon * 180) / Math.PI).toFixed(10)}, ${lat >= 0 ? '+' : ''}${lat.toFixed(10)})`;
  }
}

/**
 * The mean direction of a set of points: the normalised sum of their unit vectors, with
 * compensated (Kahan) summation.
 *
 * @param points - the points to average
 * @returns the average point
 * @throws {@link GeomInvalidArgumentError} if `points` is empty or the vectors cancel out
 * @example
 * ```ts
 * averageSpherePoint([SpherePoint.fromDegrees(359, 0), SpherePoint.fromDegrees(1, 0)]).getRa().asDegrees(); // 0
 * ```
 * @see lsst.geom.averageSpherePoint
 */
export function averageSpherePoint(points: Iterable<SpherePoint>): SpherePoint {
  let sx = 0, sy = 0, sz = 0, cx = 0, cy = 0, cz = 0, n = 0;
  for (const p of points) {
    const v = p.toUnitVector();
    const ax = v.x - cx, ay = v.y - cy, az = v.z - cz;
    const tx = sx + ax, ty = sy + ay, tz = sz + az;
    cx = tx - sx - ax;
    cy = ty - sy - ay;
    cz = tz - sz - az;
    sx = tx;
    sy = ty;
    sz = tz;
    n++;
  }
  if (n === 0) throw new GeomInvalidArgumentError('averageSpherePoint needs at least one point, got none.');
  return SpherePoint.fromVector(sx / n, sy / n, sz / n);
}

/**
 * Great-circle separations of many pairs of points at once, in radians, without allocating
 * per pair. All arrays hold radians; the pairs are `(lon1[i], lat1[i])`–`(lon2[i], lat2[i])`.
 *
 * @param lon1Rad - longitudes of the first points, radians
 * @param lat1Rad - latitudes of the first points, radians
 * @param lon2Rad - longitudes of the second points, radians
 * @param lat2Rad - latitudes of the second points, radians
 * @param out - where to write the separations (allocated when omitted)
 * @returns `out`, holding the separations in radians
 * @throws {@link GeomInvalidArgumentError} if the arrays differ in length
 * @example
 * ```ts
 * const sep = separationRadiansArray(
 *   Float64Array.of(0), Float64Array.of(0), Float64Array.of(Math.PI / 2), Float64Array.of(0));
 * sep[0]; // π/2
 * ```
 */
export function separationRadiansArray(
  lon1Rad: Float64Array,
  lat1Rad: Float64Array,
  lon2Rad: Float64Array,
  lat2Rad: Float64Array,
  out: Float64Array = new Float64Array(lon1Rad.length),
): Float64Array {
  const n = lon1Rad.length;
  if (lat1Rad.length !== n || lon2Rad.length !== n || lat2Rad.length !== n || out.length < n) {
    throw new GeomInvalidArgumentError(
      `separationRadiansArray needs arrays of one length, got ${n}, ${lat1Rad.length}, ${lon2Rad.length}, ${lat2Rad.length} (out ${out.length}).`,
    );
  }
  for (let i = 0; i < n; i++) {
    out[i] = separationRadians(lon1Rad[i]!, lat1Rad[i]!, lon2Rad[i]!, lat2Rad[i]!);
  }
  return out;
}
