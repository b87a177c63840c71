import { Angle, wrapRadians } from '../angle.js';
import { MAX_ASIN_ERROR } from './constants.js';
import { ConvexPolygon, relateVerticesToCircle } from './convex-polygon.js';
import { latitudeOfRadians, longitudeOfRadians } from './lon-lat.js';
import { LonLatBox, halfWidthForCircleRadians, relateBoxToCircle } from './lon-lat-box.js';
import { AngleInterval } from './angle-interval.js';
import { NormalizedAngleInterval } from './normalized-angle-interval.js';
import { Region } from './region.js';
import { Relationship, invertRelationship } from './relationship.js';
import { UnitVector3d } from './unit-vector3d.js';
import { encodeRegion } from './region-codec.js';

/** Angle in radians between two unit vectors, accurate at all separations. */
function angleBetween(a: UnitVector3d, b: UnitVector3d): number {
  const cx = a.y * b.z - a.z * b.y;
  const cy = a.z * b.x - a.x * b.z;
  const cz = a.x * b.y - a.y * b.x;
  const s = Math.sqrt(cx * cx + cy * cy + cz * cz);
  const c = a.x * b.x + a.y * b.y + a.z * b.z;
  return s === 0 && c === 0 ? 0 : Math.atan2(s, c);
}

function squaredChordLengthForRadians(a: number): number {
  if (a < 0) return -1;
  if (a >= Math.PI) return 4;
  const s = Math.sin(0.5 * a);
  return 4 * s * s;
}

function openingAngleForRadians(cl2: number): number {
  if (cl2 < 0) return -1;
  if (cl2 >= 4) return Math.PI;
  return 2 * Math.asin(0.5 * Math.sqrt(cl2));
}

// Margin added to expanded circles: enough for relate() to certify that the result contains
// its inputs (relate() requires 4 arcsine errors of slack).
const EXPANSION_MARGIN = 5 * MAX_ASIN_ERROR;

// Set by Circle.#make so that the constructor takes these fields as they are.
let pending = false;
let pendingCl2 = 0;
let pendingAngle = 0;

/**
 * A circle (spherical cap) on the unit sphere, immutable; it contains its boundary.
 *
 * A circle is a centre and an opening angle θ (the angle from the centre to the boundary),
 * stored together with the squared chord length `4 sin²(θ/2)` between the centre and the
 * boundary, which keeps point-in-circle tests accurate for tiny circles. A negative or NaN
 * opening angle gives the empty circle; θ ≥ π gives the full sphere.
 *
 * @example
 * ```ts
 * const c = new Circle(UnitVector3d.X(), Angle.fromDegrees(1));
 * c.contains(UnitVector3d.fromLonLatRadians(0.01, 0)); // true
 * c.getArea(); // ≈ 9.57e-4 sr
 * c.relate(new Circle(UnitVector3d.Y(), Angle.fromDegrees(1))); // Relationship.DISJOINT
 * ```
 * @see lsst.sphgeom.Circle
 */
export class Circle extends Region {
  readonly #center: UnitVector3d;
  readonly #cl2: number;
  readonly #angle: number;

  /**
   * Makes the circle with the given centre and opening angle.
   *
   * @param center - centre of the circle
   * @param openingAngle - angle from the centre to the boundary (0, the default, gives a
   *   circle containing only the centre, up to rounding; negative or NaN gives an empty circle)
   */
  constructor(center: UnitVector3d, openingAngle: Angle = Angle.ZERO) {
    super();
    this.#center = center;
    if (pending) {
      pending = false;
      this.#cl2 = pendingCl2;
      this.#angle = pendingAngle;
      return;
    }
    const a = openingAngle.asRadians();
    this.#cl2 = squaredChordLengthForRadians(a);
    this.#angle = Number.isNaN(a) ? NaN : a < 0 ? -1 : Math.min(a, Math.PI);
  }

  /**
   * @param center - centre of the circle
   * @param squaredChordLength - squared chord length from the centre to the boundary, in [0, 4]
   *   (negative or NaN gives an empty circle, 4 or more the full sphere)
   * @returns the circle
   */
  static fromSquaredChordLength(center: UnitVector3d, squaredChordLength: number): Circle {
    return Circle.#make(center, squaredChordLength, openingAngleForRadians(squaredChordLength));
  }

  /** @returns the empty circle */
  static empty(): Circle {
    return new Circle(UnitVector3d.Z(), Angle.fromRadians(-1));
  }

  /** @returns the circle covering the whole sphere */
  static full(): Circle {
    return new Circle(UnitVector3d.Z(), Angle.PI);
  }

  /**
   * @param openingAngle - an opening angle
   * @returns the squared chord length `4 sin²(θ/2)` (−1 for negative angles, 4 from π up)
   */
  static squaredChordLengthFor(openingAngle: Angle): number {
    return squaredChordLengthForRadians(openingAngle.asRadians());
  }

  /**
   * @param squaredChordLength - a squared chord length
   * @returns the opening angle `2 asin(√l² / 2)` (−1 rad for negative input, π from 4 up)
   */
  static openingAngleFor(squaredChordLength: number): Angle {
    return Angle.fromRadians(openingAngleForRadians(squaredChordLength));
  }

  /** Makes a circle from raw fields, bypassing the opening-angle conversion. */
  static #make(center: UnitVector3d, cl2: number, angle: number): Circle {
    pending = true;
    pendingCl2 = cl2;
    pendingAngle = angle;
    return new Circle(center);
  }

  /** @returns true if the circle contains no point */
  isEmpty(): boolean {
    return !(this.#cl2 >= 0);
  }

  /** @returns true if the circle covers the whole sphere */
  isFull(): boolean {
    return this.#cl2 >= 4;
  }

  /** @returns the centre (arbitrary for empty and full circles) */
  getCenter(): UnitVector3d {
    return this.#center;
  }

  /** @returns the squared chord length from centre to boundary (negative or NaN when empty) */
  getSquaredChordLength(): number {
    return this.#cl2;
  }

  /** @returns the opening angle (negative or NaN when empty, π when full) */
  getOpeningAngle(): Angle {
    return Angle.fromRadians(this.#angle);
  }

  /** @returns the area in steradians, `π · l²` */
  getArea(): number {
    return Math.PI * Math.max(0, Math.min(this.#cl2, 4));
  }

  /**
   * @param v - a point
   * @returns true if `|v − centre|² ≤ l²`
   */
  contains(v: UnitVector3d): boolean {
    if (this.#cl2 >= 4) return true;
    const dx = v.x - this.#center.x;
    const dy = v.y - this.#center.y;
    const dz = v.z - this.#center.z;
    return dx * dx + dy * dy + dz * dz <= this.#cl2;
  }

  /**
   * @param lon - longitude of a point
   * @param lat - latitude of a point
   * @returns true if the point is in the circle
   */
  containsLonLat(lon: Angle, lat: Angle): boolean {
    return this.contains(UnitVector3d.fromLonLatRadians(lon.asRadians(), lat.asRadians()));
  }

  /**
   * The relationship of this circle to another region (see {@link Region.relate}). Circle–circle
   * relations are decided from the centre separation and opening angles with a margin of a few
   * times the arcsine rounding error (6e-8 rad, about 12 mas); circle–polygon and circle–box relations
   * are exact up to rounding margins.
   *
   * @param other - another region
   * @returns the relationship bits
   */
  relate(other: Region): Relationship {
    if (other instanceof Circle) return this.#relateCircle(other);
    if (other instanceof ConvexPolygon) return invertRelationship(relateVerticesToCircle(other.getVertices(), this));
    if (other instanceof LonLatBox) return invertRelationship(relateBoxToCircle(other, this));
    return this.#relateCircle(other.getBoundingCircle()) & Relationship.DISJOINT;
  }

  #relateCircle(c: Circle): Relationship {
    if (this.isEmpty()) {
      return c.isEmpty()
        ? Relationship.CONTAINS | Relationship.DISJOINT | Relationship.WITHIN
        : Relationship.DISJOINT | Relationship.WITHIN;
    }
    if (c.isEmpty()) return Relationship.CONTAINS | Relationship.DISJOINT;
    if (this.isFull()) return c.isFull() ? Relationship.CONTAINS | Relationship.WITHIN : Relationship.CONTAINS;
    if (c.isFull()) return Relationship.WITHIN;
    if (this.equals(c)) return Relationship.CONTAINS | Relationship.WITHIN;
    const cc = angleBetween(this.#center, c.#center);
    const margin = 4 * MAX_ASIN_ERROR;
    if (cc > this.#angle + c.#angle + margin) return Relationship.DISJOINT;
    if (cc + c.#angle + margin <= this.#angle) return Relationship.CONTAINS;
    if (cc + this.#angle + margin <= c.#angle) return Relationship.WITHIN;
    return Relationship.INTERSECTS;
  }



  /**
   * @returns the centre, a point certainly inside a non-empty circle
   * @internal
   */
  witnessPoints(): UnitVector3d[] {
    return this.isEmpty() ? [] : [this.#center];
  }

  /** @returns this circle */
  getBoundingCircle(): Circle {
    return this;
  }

  /**
   * A longitude/latitude box containing the circle (widened by the arcsine rounding error).
   *
   * @returns the bounding box
   */
  getBoundingBox(): LonLatBox {
    if (this.isEmpty()) return LonLatBox.empty();
    if (this.isFull()) return LonLatBox.full();
    const c = this.#center;
    const lon = longitudeOfRadians(c.x, c.y);
    const lat = latitudeOfRadians(c.x, c.y, c.z);
    const h = this.#angle + 2 * MAX_ASIN_ERROR;
    const w = halfWidthForCircleRadians(h, lat) + MAX_ASIN_ERROR;
    return new LonLatBox(
      NormalizedAngleInterval.fromRadians(wrapRadians(lon), wrapRadians(lon)).dilatedBy(Angle.fromRadians(w)),
      AngleInterval.fromRadians(lat - h, lat + h),
    );
  }

  /**
   * Grows (positive `r`) or shrinks (negative `r`) the opening angle.
   *
   * @param r - the change of opening angle
   * @returns the dilated circle; empty and full circles, and `r` of zero or NaN, leave it unchanged
   */
  dilatedBy(r: Angle): Circle {
    const d = r.asRadians();
    if (this.isEmpty() || this.isFull() || d === 0 || Number.isNaN(d)) return this;
    return new Circle(this.#center, Angle.fromRadians(this.#angle + d));
  }

  /**
   * @param r - the decrease of opening angle
   * @returns `dilatedBy(-r)`
   */
  erodedBy(r: Angle): Circle {
    return this.dilatedBy(r.negate());
  }

  /**
   * The smallest circle containing this one and `x`, widened by a few arcsine rounding errors
   * (7.5e-8 rad) so that `relate` certifies that it contains both.
   *
   * @param x - a point or a circle
   * @returns the expanded circle
   */
  expandedTo(x: UnitVector3d | Circle): Circle {
    if (x instanceof Circle) return this.#expandedToCircle(x);
    if (this.isEmpty()) return new Circle(x);
    if (this.contains(x)) return this;
    const n = UnitVector3d.orthogonalTo(this.#center, x);
    const cx = angleBetween(this.#center, x);
    const o = 0.5 * (cx + this.#angle);
    const r = 0.5 * (cx - this.#angle);
    return new Circle(this.#rotateCenter(n, r), Angle.fromRadians(o + EXPANSION_MARGIN));
  }

  #expandedToCircle(x: Circle): Circle {
    if (this.isEmpty() || x.isFull()) return x;
    if (x.isEmpty() || this.isFull()) return this;
    const cc = angleBetween(this.#center, x.#center);
    const margin = 4 * MAX_ASIN_ERROR;
    if (cc + x.#angle + margin <= this.#angle) return this;
    if (cc + this.#angle + margin <= x.#angle) return x;
    const o = 0.5 * (cc + this.#angle + x.#angle);
    if (o + 2 * MAX_ASIN_ERROR >= Math.PI) return Circle.full();
    const n = UnitVector3d.orthogonalTo(this.#center, x.#center);
    return new Circle(this.#rotateCenter(n, o - this.#angle), Angle.fromRadians(o + EXPANSION_MARGIN));
  }

  /** The centre rotated by `r` radians about the unit vector `n`, which is orthogonal to it. */
  #rotateCenter(n: UnitVector3d, r: number): UnitVector3d {
    const c = this.#center;
    const cr = Math.cos(r);
    const sr = Math.sin(r);
    const nxc = n.cross(c);
    return new UnitVector3d(c.x * cr + nxc.x * sr, c.y * cr + nxc.y * sr, c.z * cr + nxc.z * sr);
  }

  /**
   * A circle containing the intersection of this circle and `x`: for a point, that point or
   * nothing; for a circle, the smaller of the two when they may intersect.
   *
   * @param x - a point or a circle
   * @returns the clipped circle
   */
  clippedTo(x: UnitVector3d | Circle): Circle {
    if (!(x instanceof Circle)) return this.contains(x) ? new Circle(x) : Circle.empty();
    if (this.isEmpty() || x.isFull()) return this;
    if (this.isFull() || x.isEmpty()) return x;
    const cc = angleBetween(this.#center, x.#center);
    if (cc > this.#angle + x.#angle + 4 * MAX_ASIN_ERROR) return Circle.empty();
    return x.#angle < this.#angle ? x : this;
  }

  /**
   * @returns the closure of the complement: the empty circle for a full one, the full circle for
   *   an empty one, otherwise the circle about the antipode with opening angle π − θ
   */
  complemented(): Circle {
    if (this.isEmpty()) return Circle.full();
    if (this.isFull()) return Circle.empty();
    return Circle.#make(this.#center.negate(), 4 - this.#cl2, Math.PI - this.#angle);
  }

  /**
   * Encodes this circle in lsst.sphgeom's binary region format (see {@link encodeRegion}).
   *
   * @returns the encoded bytes
   * @example
   * ```ts
   * new Circle(UnitVector3d.Z(), Angle.fromDegrees(1)).encode().length; // 41
   * ```
   * @see lsst.sphgeom.Circle.encode
   */
  encode(): Uint8Array {
    return encodeRegion(this);
  }

  /**
   * @param other - another circle
   * @returns true if both are empty, both are full, or centre, chord and angle are equal
   */
  equals(other: Circle): boolean {
    if (this.isEmpty() || other.isEmpty()) return this.isEmpty() && other.isEmpty();
    if (this.isFull() || other.isFull()) return this.isFull() && other.isFull();
    return this.#center.equals(other.#center) && this.#cl2 === other.#cl2 && this.#angle === other.#angle;
  }

  /** @returns `Circle(UnitVector3d(x, y, z), openingAngleRad)` */
  override toString(): string {
    return `Circle(${this.#center.toString()}, ${this.#angle})`;
  }
}

/**
 * Makes a circle from its three stored fields exactly as given (no conversion between opening
 * angle and squared chord length, no checks), as lsst.sphgeom's `Circle::decode` does. For the
 * region codec only; not exported from the package.
 *
 * @param center - the centre
 * @param squaredChordLength - the squared chord length from centre to boundary
 * @param openingAngleRadians - the opening angle in radians
 * @returns the circle
 * @internal
 */
export function circleFromFields(center: UnitVector3d, squaredChordLength: number, openingAngleRadians: number): Circle {
  pending = true;
  pendingCl2 = squaredChordLength;
  pendingAngle = openingAngleRadians;
  return new Circle(center);
}
