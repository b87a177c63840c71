import { Angle, wrapRadians } from '../angle.js';
import { GeomDomainError } from '../errors.js';
import { AngleInterval } from './angle-interval.js';
import { Circle } from './circle.js';
import { DOT_TOLERANCE, MAX_SQUARED_CHORD_LENGTH_ERROR } from './constants.js';
import { ConvexPolygon, relateVerticesToBox } from './convex-polygon.js';
import { LonLat, latitudeOfRadians, longitudeOfRadians } from './lon-lat.js';
import { NormalizedAngleInterval } from './normalized-angle-interval.js';
import { Region, overlapsByWitness } from './region.js';
import { Relationship, invertRelationship } from './relationship.js';
import { UnitVector3d } from './unit-vector3d.js';
import { encodeRegion } from './region-codec.js';

const HALF_PI = 0.5 * Math.PI;

/**
 * A longitude/latitude rectangle on the unit sphere, immutable; it contains its boundary.
 *
 * The longitude interval may wrap through 0 (e.g. 350° to 10°). A box can be empty, full (the
 * whole sphere), a single point, a polar cap or an annulus (when it spans all longitudes). A box
 * whose latitude interval reaches ±90° contains that pole, whatever its longitudes.
 *
 * @example
 * ```ts
 * const box = LonLatBox.fromDegrees(350, -5, 10, 5); // 20° wide, across lon = 0
 * box.containsLonLat(Angle.fromDegrees(0), Angle.fromDegrees(0)); // true
 * box.getWidth().asDegrees(); // 20 (to rounding)
 * const circle = new Circle(UnitVector3d.X(), Angle.fromDegrees(1));
 * box.relate(circle) & Relationship.CONTAINS; // 2: the box contains the circle
 * ```
 * @see lsst.sphgeom.Box
 */
export class LonLatBox extends Region {
  readonly #lon: NormalizedAngleInterval;
  readonly #lat: AngleInterval;

  /**
   * Makes the box spanning the given intervals. The latitude interval is clipped to
   * [-π/2, π/2]; if either interval is empty, so is the box.
   *
   * @param lon - longitude interval
   * @param lat - latitude interval
   */
  constructor(lon: NormalizedAngleInterval, lat: AngleInterval) {
    super();
    let clippedLat = lat.clippedTo(AngleInterval.fromRadians(-HALF_PI, HALF_PI));
    let l = lon;
    if (clippedLat.isEmpty()) l = NormalizedAngleInterval.empty();
    else if (l.isEmpty()) clippedLat = AngleInterval.empty();
    this.#lon = l;
    this.#lat = clippedLat;
  }

  /**
   * The box spanning longitudes `[p1.lon, p2.lon]` (counter-clockwise, so it wraps when
   * `p1.lon > p2.lon`) and latitudes `[p1.lat, p2.lat]`.
   *
   * @param p1 - the corner with the first longitude and the lowest latitude
   * @param p2 - the corner with the second longitude and the highest latitude
   * @returns the box
   */
  static fromLonLats(p1: LonLat, p2: LonLat): LonLatBox {
    return new LonLatBox(
      new NormalizedAngleInterval(p1.getLon(), p2.getLon()),
      new AngleInterval(p1.getLat(), p2.getLat()),
    );
  }

  /**
   * @param lon1 - first longitude in degrees
   * @param lat1 - lowest latitude in degrees
   * @param lon2 - second longitude in degrees (the box wraps when below `lon1` in [0, 360))
   * @param lat2 - highest latitude in degrees
   * @returns the box
   * @throws GeomInvalidArgumentError if a longitude outside [0, 360) exceeds the other
   */
  static fromDegrees(lon1: number, lat1: number, lon2: number, lat2: number): LonLatBox {
    return new LonLatBox(NormalizedAngleInterval.fromDegrees(lon1, lon2), AngleInterval.fromDegrees(lat1, lat2));
  }

  /**
   * @param lon1 - first longitude in radians
   * @param lat1 - lowest latitude in radians
   * @param lon2 - second longitude in radians
   * @param lat2 - highest latitude in radians
   * @returns the box
   * @throws GeomInvalidArgumentError if a longitude outside [0, 2π) exceeds the other
   */
  static fromRadians(lon1: number, lat1: number, lon2: number, lat2: number): LonLatBox {
    return new LonLatBox(NormalizedAngleInterval.fromRadians(lon1, lon2), AngleInterval.fromRadians(lat1, lat2));
  }

  /**
   * The box centred on `center` with half-width `halfWidth` in longitude and half-height
   * `halfHeight` in latitude.
   *
   * @param center - centre of the box
   * @param halfWidth - half the longitude extent (π or more gives all longitudes)
   * @param halfHeight - half the latitude extent
   * @returns the box
   */
  static around(center: LonLat, halfWidth: Angle, halfHeight: Angle): LonLatBox {
    return new LonLatBox(
      NormalizedAngleInterval.point(center.getLon()).dilatedBy(halfWidth),
      AngleInterval.point(center.getLat()).dilatedBy(halfHeight),
    );
  }

  /**
   * @param p - a point
   * @returns the box containing only `p`
   */
  static fromPoint(p: LonLat): LonLatBox {
    return LonLatBox.fromLonLats(p, p);
  }

  /** @returns the empty box */
  static empty(): LonLatBox {
    return new LonLatBox(NormalizedAngleInterval.empty(), AngleInterval.empty());
  }

  /** @returns the box covering the whole sphere */
  static full(): LonLatBox {
    return new LonLatBox(LonLatBox.allLongitudes(), LonLatBox.allLatitudes());
  }

  /** @returns the interval of all longitudes, [0, 2π] */
  static allLongitudes(): NormalizedAngleInterval {
    return NormalizedAngleInterval.full();
  }

  /** @returns the interval of all latitudes, [-π/2, π/2] */
  static allLatitudes(): AngleInterval {
    return AngleInterval.fromRadians(-HALF_PI, HALF_PI);
  }

  /**
   * Half the longitude width of the bounding box of a circle of opening angle `r` centred at
   * latitude `lat`: 0 for `r ≤ 0`, π (all longitudes) when the circle reaches a pole, otherwise
   * `asin(sin r / cos lat)`.
   *
   * @param r - circle opening angle
   * @param lat - latitude of the circle centre
   * @returns the half-width
   */
  static halfWidthForCircle(r: Angle, lat: Angle): Angle {
    return Angle.fromRadians(halfWidthForCircleRadians(r.asRadians(), lat.asRadians()));
  }

  /** @returns the longitude interval */
  getLon(): NormalizedAngleInterval {
    return this.#lon;
  }

  /** @returns the latitude interval */
  getLat(): AngleInterval {
    return this.#lat;
  }

  /** @returns true if the box contains no point */
  isEmpty(): boolean {
    return this.#lat.isEmpty();
  }

  /** @returns true if the box covers the whole sphere */
  isFull(): boolean {
    return this.#lon.isFull() && this.#lat.equals(LonLatBox.allLatitudes());
  }

  /**
   * @returns the centre of the box (arbitrary in longitude for boxes spanning all longitudes)
   * @throws GeomDomainError if the box is empty
   */
  getCenter(): LonLat {
    if (this.isEmpty()) throw new GeomDomainError('The centre of an empty LonLatBox is undefined.');
    return new LonLat(this.#lon.getCenter(), this.#lat.getCenter());
  }

  /** @returns the longitude extent, in [0, 2π]; NaN for an empty box */
  getWidth(): Angle {
    return this.#lon.getSize();
  }

  /** @returns the latitude extent, in [0, π]; NaN for an empty box */
  getHeight(): Angle {
    return this.isEmpty() ? Angle.fromRadians(NaN) : this.#lat.getSize();
  }

  /** @returns the area of the box in steradians */
  getArea(): number {
    if (this.isEmpty()) return 0;
    const dz = Math.sin(this.#lat.getB().asRadians()) - Math.sin(this.#lat.getA().asRadians());
    return Math.abs(this.#lon.getSize().asRadians() * dz);
  }

  /**
   * @param v - a point
   * @returns true if the point is in the box
   */
  contains(v: UnitVector3d): boolean {
    return this.containsLonLatRadians(longitudeOfRadians(v.x, v.y), latitudeOfRadians(v.x, v.y, v.z));
  }

  /**
   * @param lon - longitude of a point
   * @param lat - latitude of a point
   * @returns true if the point is in the box
   */
  containsLonLat(lon: Angle, lat: Angle): boolean {
    return this.containsLonLatRadians(wrapRadians(lon.asRadians()), lat.asRadians());
  }

  /**
   * @param lon - normalised longitude in radians
   * @param lat - latitude in radians
   * @returns true if the point is in the box
   * @internal
   */
  containsLonLatRadians(lon: number, lat: number): boolean {
    if (!this.#lat.contains(Angle.fromRadians(lat))) return false;
    // A pole is a single point: it is in the box whenever the latitude interval reaches it.
    if (Math.abs(lat) >= HALF_PI) return true;
    return this.#lon.containsRadians(lon);
  }

  /**
   * @returns this box
   */
  getBoundingBox(): LonLatBox {
    return this;
  }

  /**
   * A circle containing this box (not necessarily the smallest one).
   *
   * @returns the bounding circle
   */
  getBoundingCircle(): Circle {
    if (this.isEmpty()) return Circle.empty();
    if (this.isFull()) return Circle.full();
    const c = this.getCenter();
    const candidates = [
      UnitVector3d.fromLonLatRadians(c.getLon().asRadians(), c.getLat().asRadians()),
      UnitVector3d.Z(),
      UnitVector3d.Z().negate(),
    ];
    const out = new Float64Array(2);
    let best: UnitVector3d = candidates[0]!;
    let bestCl2 = Infinity;
    for (const u of candidates) {
      boxDotExtremes(this, u.x, u.y, u.z, out);
      const cl2 = 2 - 2 * out[0]!;
      if (cl2 < bestCl2) {
        bestCl2 = cl2;
        best = u;
      }
    }
    return Circle.fromSquaredChordLength(best, bestCl2 + 2 * MAX_SQUARED_CHORD_LENGTH_ERROR + 4 * DOT_TOLERANCE);
  }

  /**
   * The relationship of this box to another region (see {@link Region.relate}). Box–box
   * relations are exact; relations with circles and polygons are exact up to a rounding margin,
   * except that "polygon within box" is decided through the polygon's bounding box.
   *
   * @param other - another region
   * @returns the relationship bits
   */
  relate(other: Region): Relationship {
    if (other instanceof LonLatBox) return relateBoxToBox(this, other);
    if (other instanceof Circle) return relateBoxToCircle(this, other);
    if (other instanceof ConvexPolygon) return invertRelationship(relateVerticesToBox(other.getVertices(), this));
    return relateBoxToBox(this, other.getBoundingBox()) & Relationship.DISJOINT;
  }

  /**
   * @param other - another region
   * @returns true if the regions certainly overlap, false if certainly not, undefined if unknown
   */
  override overlaps(other: Region): boolean | undefined {
    if (this.isEmpty() || other.isEmpty()) return false;
    const r = this.relate(other);
    // Box-box relations are exact, so "not disjoint" means "overlap".
    if (other instanceof LonLatBox) return (r & Relationship.DISJOINT) === 0;
    return overlapsByWitness(this, other, r);
  }



  /**
   * @returns points certainly inside the box (its centre and corners), for overlap tests
   * @internal
   */
  witnessPoints(): UnitVector3d[] {
    if (this.isEmpty()) return [];
    const lonA = this.#lon.getA().asRadians();
    const lonB = this.#lon.getB().asRadians();
    const latA = this.#lat.getA().asRadians();
    const latB = this.#lat.getB().asRadians();
    const c = this.getCenter();
    return [
      UnitVector3d.fromLonLatRadians(c.getLon().asRadians(), c.getLat().asRadians()),
      UnitVector3d.fromLonLatRadians(lonA, latA),
      UnitVector3d.fromLonLatRadians(lonA, latB),
      UnitVector3d.fromLonLatRadians(lonB, latA),
      UnitVector3d.fromLonLatRadians(lonB, latB),
    ];
  }

  /**
   * Dilates the box. With one argument: the bounding box of all points within angle `w` of
   * this box. With two: widens the longitude interval by `w` and the latitude interval by `h`
   * on each side (negative values erode), without moving a latitude edge that is at a pole.
   *
   * @param w - the dilation, or the longitude dilation when `h` is given
   * @param h - the latitude dilation
   * @returns the dilated box; empty and full boxes are returned unchanged
   */
  dilatedBy(w: Angle, h?: Angle): LonLatBox {
    if (this.isEmpty() || this.isFull()) return this;
    if (h === undefined) {
      const r = w.asRadians();
      if (!(r > 0)) return this;
      const maxAbsLat = Math.max(Math.abs(this.#lat.getA().asRadians()), Math.abs(this.#lat.getB().asRadians()));
      const hw = halfWidthForCircleRadians(r, maxAbsLat);
      return this.dilatedBy(Angle.fromRadians(hw), w);
    }
    const lon = this.#lon.dilatedBy(w);
    const dh = h.asRadians();
    let lat = this.#lat;
    if (!Number.isNaN(dh)) {
      const a = this.#lat.getA().asRadians();
      const b = this.#lat.getB().asRadians();
      lat = AngleInterval.fromRadians(a > -HALF_PI ? a - dh : a, b < HALF_PI ? b + dh : b);
    }
    return new LonLatBox(lon, lat);
  }

  /**
   * The smallest box containing this box and `x` (not always unique: of two ways around the
   * circle of longitudes, the shorter is taken).
   *
   * @param x - a point or a box
   * @returns the expanded box
   */
  expandedTo(x: LonLat | LonLatBox): LonLatBox {
    if (x instanceof LonLatBox) {
      return new LonLatBox(this.#lon.expandedTo(x.#lon), this.#lat.expandedTo(x.#lat));
    }
    return new LonLatBox(this.#lon.expandedTo(x.getLon()), this.#lat.expandedTo(x.getLat()));
  }

  /**
   * The smallest box containing the intersection of this box and `x`.
   *
   * @param x - another box
   * @returns the clipped box
   */
  clippedTo(x: LonLatBox): LonLatBox {
    return new LonLatBox(this.#lon.clippedTo(x.#lon), this.#lat.clippedTo(x.#lat));
  }

  /**
   * Encodes this box in lsst.sphgeom's binary region format (see {@link encodeRegion}).
   *
   * @returns the encoded bytes
   * @example
   * ```ts
   * LonLatBox.fromDegrees(10, 20, 30, 40).encode().length; // 33
   * ```
   * @see lsst.sphgeom.Box.encode
   */
  encode(): Uint8Array {
    return encodeRegion(this);
  }

  /**
   * @param other - another box
   * @returns true if both boxes have the same intervals (all empty boxes are equal)
   */
  equals(other: LonLatBox): boolean {
    return this.#lon.equals(other.#lon) && this.#lat.equals(other.#lat);
  }

  /** @returns `LonLatBox([lonA, lonB], [latA, latB])` in radians */
  override toString(): string {
    return `LonLatBox(${this.#lon.toString()}, ${this.#lat.toString()})`;
  }
}

/**
 * See {@link LonLatBox.halfWidthForCircle}; in radians.
 *
 * @internal
 */
export function halfWidthForCircleRadians(r: number, lat: number): number {
  if (r <= 0) return 0;
  if (Math.abs(lat) + r >= HALF_PI) return Math.PI;
  const s = Math.abs(Math.sin(r) / Math.cos(lat));
  if (s >= 1) return HALF_PI;
  return Math.asin(s);
}

function relateBoxToBox(a: LonLatBox, b: LonLatBox): Relationship {
  const r1 = a.getLon().relate(b.getLon());
  const r2 = a.getLat().relate(b.getLat());
  let r = (r1 & r2 & (Relationship.CONTAINS | Relationship.WITHIN)) | ((r1 | r2) & Relationship.DISJOINT);
  if (r & Relationship.DISJOINT && !a.isEmpty() && !b.isEmpty() && (r2 & Relationship.DISJOINT) === 0) {
    // Disjoint longitudes but a shared pole: both boxes contain that pole.
    const latA = a.getLat();
    const latB = b.getLat();
    const north = Angle.fromRadians(HALF_PI);
    const south = Angle.fromRadians(-HALF_PI);
    if ((latA.contains(north) && latB.contains(north)) || (latA.contains(south) && latB.contains(south))) {
      r &= ~Relationship.DISJOINT;
    }
  }
  return r;
}

/**
 * The relationship of a box to a circle: DISJOINT and WITHIN from the exact range of the
 * circle-centre dot product over the box, CONTAINS from the circle's bounding box.
 *
 * @internal
 */
export function relateBoxToCircle(box: LonLatBox, circle: Circle): Relationship {
  if (box.isEmpty()) {
    return circle.isEmpty()
      ? Relationship.CONTAINS | Relationship.DISJOINT | Relationship.WITHIN
      : Relationship.DISJOINT | Relationship.WITHIN;
  }
  if (circle.isEmpty()) return Relationship.CONTAINS | Relationship.DISJOINT;
  if (box.isFull()) return circle.isFull() ? Relationship.CONTAINS | Relationship.WITHIN : Relationship.CONTAINS;
  if (circle.isFull()) return Relationship.WITHIN;
  const c = circle.getCenter();
  const out = new Float64Array(2);
  boxDotExtremes(box, c.x, c.y, c.z, out);
  // Points v of the circle satisfy |v − c|² ≤ cl2, i.e. c·v ≥ 1 − cl2/2.
  const d = 1 - 0.5 * circle.getSquaredChordLength();
  const tol = DOT_TOLERANCE;
  if (out[1]! < d - tol) return Relationship.DISJOINT;
  let r: Relationship = Relationship.INTERSECTS;
  if (out[0]! > d + tol) r |= Relationship.WITHIN;
  const cb = circle.getBoundingBox();
  if (box.getLon().contains(cb.getLon()) && box.getLat().contains(cb.getLat())) {
    r |= Relationship.CONTAINS;
  }
  return r;
}

/**
 * The minimum and maximum of `n · v` over the points `v` of a non-empty box, written to
 * `out[0]` and `out[1]`. Exact up to rounding (a few ulps of |n|): the extremes of a linear
 * function on the sphere restricted to the box are at ±n̂ when the box contains them, otherwise on
 * the boundary arcs (two meridians and two parallels), where they are found in closed form.
 *
 * @internal
 */
export function boxDotExtremes(box: LonLatBox, nx: number, ny: number, nz: number, out: Float64Array): void {
  const lon = box.getLon();
  const latI = box.getLat();
  const latA = latI.getA().asRadians();
  const latB = latI.getB().asRadians();
  const fullLon = lon.isFull();
  const lonA = lon.getA().asRadians();
  const lonB = lon.getB().asRadians();
  const norm = Math.sqrt(nx * nx + ny * ny + nz * nz);
  const rxy = Math.sqrt(nx * nx + ny * ny);
  let mn = Infinity;
  let mx = -Infinity;
  if (norm === 0) {
    out[0] = 0;
    out[1] = 0;
    return;
  }
  const nLon = longitudeOfRadians(nx, ny);
  const nLat = latitudeOfRadians(nx, ny, nz);
  if (box.containsLonLatRadians(nLon, nLat)) mx = norm;
  if (box.containsLonLatRadians(wrapRadians(nLon + Math.PI), -nLat)) mn = -norm;
  const consider = (v: number): void => {
    if (v < mn) mn = v;
    if (v > mx) mx = v;
  };
  // Poles inside the box (degenerate boundary points).
  if (latB >= HALF_PI) consider(nz);
  if (latA <= -HALF_PI) consider(-nz);
  // Parallels (edges of constant latitude), unless at a pole.
  const lonCrit = rxy > 0 ? nLon : NaN;
  const lonAnti = rxy > 0 ? wrapRadians(nLon + Math.PI) : NaN;
  for (const phi of [latA, latB]) {
    if (phi <= -HALF_PI || phi >= HALF_PI) continue;
    const c = Math.cos(phi);
    const s = Math.sin(phi);
    if (fullLon) {
      consider(c * rxy + nz * s);
      consider(-c * rxy + nz * s);
    } else {
      consider(c * (nx * Math.cos(lonA) + ny * Math.sin(lonA)) + nz * s);
      consider(c * (nx * Math.cos(lonB) + ny * Math.sin(lonB)) + nz * s);
      if (rxy > 0 && lon.containsRadians(lonCrit)) consider(c * rxy + nz * s);
      if (rxy > 0 && lon.containsRadians(lonAnti)) consider(-c * rxy + nz * s);
    }
  }
  // Meridians (edges of constant longitude).
  if (!fullLon) {
    for (const lam of [lonA, lonB]) {
      const a = nx * Math.cos(lam) + ny * Math.sin(lam);
      const b = nz;
      consider(a * Math.cos(latA) + b * Math.sin(latA));
      consider(a * Math.cos(latB) + b * Math.sin(latB));
      const r = Math.sqrt(a * a + b * b);
      if (r > 0) {
        const phi0 = Math.atan2(b, a);
        if (latA <= phi0 && phi0 <= latB) consider(r);
        const phi1 = phi0 > 0 ? phi0 - Math.PI : phi0 + Math.PI;
        if (latA <= phi1 && phi1 <= latB) consider(-r);
      }
    }
  }
  out[0] = mn;
  out[1] = mx;
}
