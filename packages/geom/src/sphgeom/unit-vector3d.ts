import { Angle } from '../angle.js';
import { GeomInvalidArgumentError } from '../errors.js';
import type { LonLat } from './lon-lat.js';
import { Vector3d } from './vector3d.js';

// Scale factors for normalising vectors whose squared norm under- or overflows (powers of two,
// so the scaling itself is exact).
const TINY_SQUARED_NORM = 4.008336720017946e-292; // 2^(-1022 + 54)
const SCALE_UP = 3.019169939857233e169; // 2^563
const SCALE_DOWN = 3.7291703656001034e-155; // 2^-513

/**
 * Normalises `(x, y, z)` into `out` exactly as lsst.sphgeom does (divide each component by the
 * square root of the squared norm), so that derived vectors such as HTM trixel vertices are
 * bit-identical. Returns false for zero or non-finite input.
 *
 * @internal
 */
export function normalizeInto(x: number, y: number, z: number, out: Float64Array): boolean {
  let n2 = x * x + y * y + z * z;
  let scale = 1;
  if (n2 < TINY_SQUARED_NORM) {
    scale = SCALE_UP;
    const sx = x * scale;
    const sy = y * scale;
    const sz = z * scale;
    n2 = sx * sx + sy * sy + sz * sz;
    if (n2 === 0) return false;
  } else if (n2 === Infinity) {
    scale = SCALE_DOWN;
    const sx = x * scale;
    const sy = y * scale;
    const sz = z * scale;
    n2 = sx * sx + sy * sy + sz * sz;
  }
  if (!Number.isFinite(n2)) return false;
  const norm = Math.sqrt(n2);
  out[0] = (x * scale) / norm;
  out[1] = (y * scale) / norm;
  out[2] = (z * scale) / norm;
  return true;
}

const buf = new Float64Array(3);
// Set by fromNormalized so that the constructor skips normalisation; both paths then give
// objects of the same shape.
let trustComponents = false;

/**
 * A unit vector in ℝ³: a point on the unit sphere, immutable.
 *
 * The constructor normalises its arguments; {@link UnitVector3d.fromNormalized} trusts them.
 * Longitude/latitude convert with the sphgeom conventions: (0°, 0°) → (1, 0, 0),
 * (90°, 0°) → (0, 1, 0), (0°, 90°) → (0, 0, 1).
 *
 * @example
 * ```ts
 * const v = new UnitVector3d(1, 1, 0); // (0.7071…, 0.7071…, 0)
 * const w = UnitVector3d.fromLonLatRadians(Math.PI / 2, 0); // ≈ (0, 1, 0)
 * v.dot(w); // ≈ 0.7071
 * ```
 * @see lsst.sphgeom.UnitVector3d
 */
export class UnitVector3d {
  /** The x component. */
  readonly x: number;
  /** The y component. */
  readonly y: number;
  /** The z component. */
  readonly z: number;

  /**
   * Makes the unit vector pointing along `(x, y, z)`.
   *
   * @param x - x component of the direction
   * @param y - y component of the direction
   * @param z - z component of the direction
   * @throws GeomInvalidArgumentError if the vector is zero or has a non-finite component
   */
  constructor(x: number, y: number, z: number) {
    if (trustComponents) {
      trustComponents = false;
      this.x = x;
      this.y = y;
      this.z = z;
      return;
    }
    if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z) || !normalizeInto(x, y, z, buf)) {
      throw new GeomInvalidArgumentError(
        `Cannot make a unit vector from (${x}, ${y}, ${z}): expected a finite, non-zero vector.`,
      );
    }
    this.x = buf[0]!;
    this.y = buf[1]!;
    this.z = buf[2]!;
  }

  /**
   * Makes a unit vector from components that are already normalised, without checking.
   *
   * @param x - x component
   * @param y - y component
   * @param z - z component
   * @returns the unit vector `(x, y, z)` as given
   */
  static fromNormalized(x: number, y: number, z: number): UnitVector3d {
    trustComponents = true;
    return new UnitVector3d(x, y, z);
  }

  /**
   * @param v - a non-zero vector
   * @returns the unit vector in the direction of `v`
   * @throws GeomInvalidArgumentError if `v` is zero or not finite
   */
  static fromVector(v: Vector3d): UnitVector3d {
    return new UnitVector3d(v.x, v.y, v.z);
  }

  /**
   * Makes the unit vector at a longitude and latitude, as
   * `(cos lon · cos lat, sin lon · cos lat, sin lat)` (not renormalised, like sphgeom).
   *
   * @param lon - longitude in radians
   * @param lat - latitude in radians
   * @returns the unit vector
   */
  static fromLonLatRadians(lon: number, lat: number): UnitVector3d {
    const cosLat = Math.cos(lat);
    return UnitVector3d.fromNormalized(Math.cos(lon) * cosLat, Math.sin(lon) * cosLat, Math.sin(lat));
  }

  /**
   * Makes the unit vector at a point given as a {@link LonLat}.
   *
   * @param lonLat - the point
   * @returns the unit vector
   */
  static fromLonLat(lonLat: LonLat): UnitVector3d;
  /**
   * Makes the unit vector at a longitude and a latitude given as angles.
   *
   * @param lon - the longitude
   * @param lat - the latitude
   * @returns the unit vector
   * @throws GeomInvalidArgumentError if the latitude is missing
   */
  static fromLonLat(lon: Angle, lat: Angle): UnitVector3d;
  static fromLonLat(lonLat: LonLat | Angle, lat?: Angle): UnitVector3d {
    if (lonLat instanceof Angle) {
      if (lat === undefined) {
        throw new GeomInvalidArgumentError('UnitVector3d.fromLonLat(lon, lat) needs a latitude angle.');
      }
      return UnitVector3d.fromLonLatRadians(lonLat.asRadians(), lat.asRadians());
    }
    return UnitVector3d.fromLonLatRadians(lonLat.getLon().asRadians(), lonLat.getLat().asRadians());
  }

  /** @returns the unit vector (1, 0, 0) */
  static X(): UnitVector3d {
    return UNIT_X;
  }

  /** @returns the unit vector (0, 1, 0) */
  static Y(): UnitVector3d {
    return UNIT_Y;
  }

  /** @returns the unit vector (0, 0, 1) */
  static Z(): UnitVector3d {
    return UNIT_Z;
  }

  /**
   * With one argument: an arbitrary unit vector orthogonal to `v`. With two: the unit vector
   * orthogonal to both, in the direction of `v1 × v2` (computed robustly); if they are nearly
   * parallel or antiparallel, an arbitrary unit vector orthogonal to `v1`.
   *
   * @param v1 - a non-zero vector
   * @param v2 - an optional second vector
   * @returns a unit vector orthogonal to the argument(s)
   * @throws GeomInvalidArgumentError if `v1` is zero
   */
  static orthogonalTo(v1: UnitVector3d | Vector3d, v2?: UnitVector3d | Vector3d): UnitVector3d {
    if (v2 !== undefined) {
      // (v2 + v1) × (v2 − v1) = 2 (v1 × v2), accurate even for nearly parallel inputs.
      const sx = v2.x + v1.x;
      const sy = v2.y + v1.y;
      const sz = v2.z + v1.z;
      const dx = v2.x - v1.x;
      const dy = v2.y - v1.y;
      const dz = v2.z - v1.z;
      const nx = sy * dz - sz * dy;
      const ny = sz * dx - sx * dz;
      const nz = sx * dy - sy * dx;
      if (nx !== 0 || ny !== 0 || nz !== 0) return new UnitVector3d(nx, ny, nz);
    }
    if (Math.abs(v1.x) > Math.abs(v1.y)) return new UnitVector3d(-v1.z, 0, v1.x);
    return new UnitVector3d(0, v1.z, -v1.y);
  }

  /**
   * @param lon - a longitude
   * @returns the unit normal of the meridian plane at `lon`, `(−sin lon, cos lon, 0)`
   */
  static orthogonalToMeridian(lon: Angle): UnitVector3d {
    const a = lon.asRadians();
    return UnitVector3d.fromNormalized(-Math.sin(a), Math.cos(a), 0);
  }

  /**
   * The unit vector orthogonal to `v` that points north from it (in the plane of `v`, the
   * north pole and the origin). At the poles: (−1, 0, 0) from the north pole, (1, 0, 0) from
   * the south pole.
   *
   * @param v - a vector
   * @returns the local north direction at `v`
   */
  static northFrom(v: UnitVector3d | Vector3d): UnitVector3d {
    const nx = -v.x * v.z;
    const ny = -v.y * v.z;
    const nz = v.x * v.x + v.y * v.y;
    if (nx === 0 && ny === 0 && nz === 0) {
      return UnitVector3d.fromNormalized(v.z < 0 || Object.is(v.z, -0) ? 1 : -1, 0, 0);
    }
    return new UnitVector3d(nx, ny, nz);
  }

  /**
   * @param v - another vector
   * @returns the inner product of this vector and `v`
   */
  dot(v: UnitVector3d | Vector3d): number {
    return this.x * v.x + this.y * v.y + this.z * v.z;
  }

  /**
   * @param v - another vector
   * @returns the cross product `this × v`
   */
  cross(v: UnitVector3d | Vector3d): Vector3d {
    return new Vector3d(this.y * v.z - this.z * v.y, this.z * v.x - this.x * v.z, this.x * v.y - this.y * v.x);
  }

  /**
   * Twice the cross product of this vector and `v`, computed as `(v + this) × (v − this)`,
   * which stays nearly orthogonal to both inputs even when they are nearly (anti)parallel.
   *
   * @param v - another unit vector
   * @returns `2 (this × v)`, computed robustly
   */
  robustCross(v: UnitVector3d): Vector3d {
    const sx = v.x + this.x;
    const sy = v.y + this.y;
    const sz = v.z + this.z;
    const dx = v.x - this.x;
    const dy = v.y - this.y;
    const dz = v.z - this.z;
    return new Vector3d(sy * dz - sz * dy, sz * dx - sx * dz, sx * dy - sy * dx);
  }

  /**
   * @param v - another vector
   * @returns the component-wise sum, a `Vector3d`
   */
  add(v: UnitVector3d | Vector3d): Vector3d {
    return new Vector3d(this.x + v.x, this.y + v.y, this.z + v.z);
  }

  /**
   * @param v - another vector
   * @returns the component-wise difference `this − v`, a `Vector3d`
   */
  subtract(v: UnitVector3d | Vector3d): Vector3d {
    return new Vector3d(this.x - v.x, this.y - v.y, this.z - v.z);
  }

  /**
   * @param s - scale factor
   * @returns this vector scaled by `s`, a `Vector3d`
   */
  multiply(s: number): Vector3d {
    return new Vector3d(this.x * s, this.y * s, this.z * s);
  }

  /** @returns the antipodal unit vector */
  negate(): UnitVector3d {
    return UnitVector3d.fromNormalized(-this.x, -this.y, -this.z);
  }

  /** @returns this unit vector as a plain `Vector3d` */
  toVector3d(): Vector3d {
    return new Vector3d(this.x, this.y, this.z);
  }

  /**
   * The angle between this vector and `v`, accurate at all separations (an `atan2` of the
   * norms of the cross and dot products).
   *
   * @param v - another vector
   * @returns the angle in [0, π]
   */
  angleTo(v: UnitVector3d | Vector3d): Angle {
    const cx = this.y * v.z - this.z * v.y;
    const cy = this.z * v.x - this.x * v.z;
    const cz = this.x * v.y - this.y * v.x;
    const s = Math.sqrt(cx * cx + cy * cy + cz * cz);
    const c = this.dot(v);
    return Angle.fromRadians(s === 0 && c === 0 ? 0 : Math.atan2(s, c));
  }

  /**
   * Rotates this vector around the unit vector `k` by `angle`, right-handed (Rodrigues' formula).
   *
   * @param k - rotation axis
   * @param angle - rotation angle
   * @returns the rotated unit vector
   */
  rotatedAround(k: UnitVector3d, angle: Angle): UnitVector3d {
    const a = angle.asRadians();
    const s = Math.sin(a);
    const c = Math.cos(a);
    const kv = k.dot(this);
    const cx = k.y * this.z - k.z * this.y;
    const cy = k.z * this.x - k.x * this.z;
    const cz = k.x * this.y - k.y * this.x;
    return new UnitVector3d(
      this.x * c + cx * s + k.x * kv * (1 - c),
      this.y * c + cy * s + k.y * kv * (1 - c),
      this.z * c + cz * s + k.z * kv * (1 - c),
    );
  }

  /**
   * @param v - another vector
   * @returns true if the components are exactly equal
   */
  equals(v: UnitVector3d | Vector3d): boolean {
    return this.x === v.x && this.y === v.y && this.z === v.z;
  }

  /** @returns `UnitVector3d(x, y, z)` with full precision */
  toString(): string {
    return `UnitVector3d(${this.x}, ${this.y}, ${this.z})`;
  }
}

const UNIT_X = Object.freeze(UnitVector3d.fromNormalized(1, 0, 0));
const UNIT_Y = Object.freeze(UnitVector3d.fromNormalized(0, 1, 0));
const UNIT_Z = Object.freeze(UnitVector3d.fromNormalized(0, 0, 1));
