import { Angle } from '../angle.js';
import { GeomInvalidArgumentError } from '../errors.js';
import { AngleInterval } from './angle-interval.js';
import { Circle } from './circle.js';
import { DOT_TOLERANCE, MAX_SQUARED_CHORD_LENGTH_ERROR } from './constants.js';
import { latitudeOfRadians, longitudeOfRadians } from './lon-lat.js';
import { LonLatBox, boxDotExtremes } from './lon-lat-box.js';
import { NormalizedAngleInterval } from './normalized-angle-interval.js';
import { orientation, orientationOf } from './orientation.js';
import { Region, overlapsByWitness } from './region.js';
import { Relationship, invertRelationship } from './relationship.js';
import { UnitVector3d } from './unit-vector3d.js';
import { encodeRegion } from './region-codec.js';

const HALF_PI = 0.5 * Math.PI;
/** Margin added around vertex coordinates in bounding boxes (about 0.1 mas). */
const BBOX_EPS = 5.0e-10;

// Set by convexPolygonFromVerticesUnchecked so that the constructor keeps the vertices as given.
let trustVertices = false;

/**
 * A convex polygon on the unit sphere, immutable; it contains its boundary.
 *
 * Its vertices are unit vectors in counter-clockwise order seen from outside the sphere; its
 * edges are the shorter great-circle arcs between consecutive vertices, and its interior lies to
 * the left of every edge. The constructor checks that the given vertices make such a polygon;
 * {@link ConvexPolygon.convexHull} builds one from any point set that fits in a hemisphere.
 *
 * @example
 * ```ts
 * const p = new ConvexPolygon([UnitVector3d.Z(), UnitVector3d.X(), UnitVector3d.Y()]);
 * p.contains(new UnitVector3d(1, 1, 1)); // true
 * p.getCentroid(); // ≈ (0.577, 0.577, 0.577)
 * const hull = ConvexPolygon.convexHull([UnitVector3d.Y(), UnitVector3d.X(), new UnitVector3d(1, 1, 1), UnitVector3d.Z()]);
 * hull.equals(p); // true
 * ```
 * @see lsst.sphgeom.ConvexPolygon
 */
export class ConvexPolygon extends Region {
  readonly #vertices: readonly UnitVector3d[];

  /**
   * Makes the polygon with the given vertices, checking that they form one.
   *
   * @param vertices - at least 3 distinct unit vectors in counter-clockwise order forming a
   *   strictly convex polygon (every vertex strictly to the left of every edge it is not on)
   * @throws GeomInvalidArgumentError if there are fewer than 3 vertices, or they are not in
   *   counter-clockwise order, or the polygon is not strictly convex
   */
  constructor(vertices: readonly UnitVector3d[]) {
    super();
    if (trustVertices) {
      trustVertices = false;
      this.#vertices = Object.freeze([...vertices]);
      return;
    }
    const n = vertices.length;
    if (n < 3) {
      throw new GeomInvalidArgumentError(`A ConvexPolygon needs at least 3 vertices; got ${n}.`);
    }
    for (let i = 0; i < n; i++) {
      const a = vertices[i]!;
      const b = vertices[(i + 1) % n]!;
      for (let k = 0; k < n; k++) {
        if (k === i || k === (i + 1) % n) continue;
        if (orientation(vertices[k]!, a, b) <= 0) {
          throw new GeomInvalidArgumentError(
            `Vertices do not form a strictly convex counter-clockwise polygon: vertex ${k} is not strictly left of the edge from vertex ${i} to vertex ${(i + 1) % n}.`,
            { hint: 'Use ConvexPolygon.convexHull(points) to build the polygon from an unordered point set.' },
          );
        }
      }
    }
    this.#vertices = Object.freeze([...vertices]);
  }

  /**
   * The convex hull of a set of points.
   *
   * @param points - unit vectors, in any order, that fit in an open hemisphere; duplicates and
   *   points inside the hull are ignored
   * @returns the smallest convex polygon containing every point
   * @throws GeomInvalidArgumentError if fewer than 3 distinct points are not all on one great
   *   circle, or if the points do not fit in a hemisphere (the hull would cover the sphere)
   */
  static convexHull(points: readonly UnitVector3d[]): ConvexPolygon {
    const notEnough = (): GeomInvalidArgumentError =>
      new GeomInvalidArgumentError(
        `The convex hull of ${points.length} point(s) is not a polygon: it needs 3 distinct points not on one great circle.`,
      );
    const antipodal = (): GeomInvalidArgumentError =>
      new GeomInvalidArgumentError(
        'The points do not fit in a hemisphere: their convex hull would be the entire sphere, not a convex polygon.',
      );
    const v0 = points[0];
    if (v0 === undefined) throw notEnough();
    let v1: UnitVector3d | undefined;
    for (const p of points) {
      if (isAntipodal(p, v0)) throw antipodal();
      if (!p.equals(v0)) {
        v1 = p;
        break;
      }
    }
    if (v1 === undefined) throw notEnough();
    let hull: UnitVector3d[] | undefined;
    for (const p of points) {
      const o = orientation(v0, v1, p);
      if (o > 0) {
        hull = [v0, v1, p];
        break;
      }
      if (o < 0) {
        hull = [v1, v0, p];
        break;
      }
    }
    if (hull === undefined) throw notEnough();
    for (const p of points) {
      const m = hull.length;
      const visible: boolean[] = new Array<boolean>(m);
      let count = 0;
      for (let i = 0; i < m; i++) {
        const vis = orientation(p, hull[i]!, hull[(i + 1) % m]!) < 0;
        visible[i] = vis;
        if (vis) count++;
      }
      if (count === 0) continue;
      if (count === m) throw antipodal();
      // The visible edges must form one contiguous run s..e (cyclically).
      let s = -1;
      let runs = 0;
      for (let i = 0; i < m; i++) {
        if (visible[i] && !visible[(i + m - 1) % m]) {
          s = i;
          runs++;
        }
      }
      if (runs !== 1) throw antipodal();
      const e = (s + count - 1) % m;
      // Keep vertices e+1 .. s (cyclically), then append p.
      const next: UnitVector3d[] = [];
      for (let k = (e + 1) % m; ; k = (k + 1) % m) {
        next.push(hull[k]!);
        if (k === s) break;
      }
      next.push(p);
      hull = next;
    }
    // Drop vertices lying on the arc between their neighbours.
    let changed = true;
    while (changed && hull.length >= 3) {
      changed = false;
      const m = hull.length;
      for (let i = 0; i < m; i++) {
        if (orientation(hull[(i + m - 1) % m]!, hull[i]!, hull[(i + 1) % m]!) === 0) {
          hull.splice(i, 1);
          changed = true;
          break;
        }
      }
    }
    if (hull.length < 3) throw notEnough();
    try {
      return new ConvexPolygon(hull);
    } catch (cause) {
      throw new GeomInvalidArgumentError('The convex hull of the points is degenerate (not a convex polygon).', {
        cause,
      });
    }
  }

  /** @returns the vertices, counter-clockwise */
  getVertices(): readonly UnitVector3d[] {
    return this.#vertices;
  }

  /** @returns false: a convex polygon always has points */
  isEmpty(): boolean {
    return false;
  }

  /** @returns the centre of mass of the polygon (uniform density over its area), projected onto the sphere */
  getCentroid(): UnitVector3d {
    return verticesCentroid(this.#vertices);
  }

  /**
   * @param v - a point
   * @returns true if the point is in the polygon (on or to the left of every edge, decided exactly)
   */
  contains(v: UnitVector3d): boolean {
    return verticesContain(this.#vertices, v);
  }

  /**
   * @param lon - longitude of a point
   * @param lat - latitude of a point
   * @returns true if the point is in the polygon
   */
  containsLonLat(lon: Angle, lat: Angle): boolean {
    return this.contains(UnitVector3d.fromLonLatRadians(lon.asRadians(), lat.asRadians()));
  }

  /**
   * The relationship of this polygon to another region (see {@link Region.relate}).
   * Polygon–polygon relations are exact; polygon–circle relations exact up to a rounding margin;
   * for boxes, DISJOINT and CONTAINS are exact up to rounding and WITHIN is decided through the
   * polygon's bounding box.
   *
   * @param other - another region
   * @returns the relationship bits
   */
  relate(other: Region): Relationship {
    if (other instanceof ConvexPolygon) return relateVerticesToVertices(this.#vertices, other.#vertices);
    if (other instanceof Circle) return relateVerticesToCircle(this.#vertices, other);
    if (other instanceof LonLatBox) return relateVerticesToBox(this.#vertices, other);
    return relateVerticesToCircle(this.#vertices, other.getBoundingCircle()) & Relationship.DISJOINT;
  }

  /**
   * @param other - another region
   * @returns true if the regions certainly overlap, false if certainly not, undefined if unknown
   */
  override overlaps(other: Region): boolean | undefined {
    if (other.isEmpty()) return false;
    const r = this.relate(other);
    // Polygon-polygon relations are exact, so "not disjoint" means "overlap".
    if (other instanceof ConvexPolygon) return (r & Relationship.DISJOINT) === 0;
    return overlapsByWitness(this, other, r);
  }



  /**
   * @returns the vertices and the centroid: points certainly inside the polygon
   * @internal
   */
  witnessPoints(): UnitVector3d[] {
    return [...this.#vertices, this.getCentroid()];
  }

  /**
   * A longitude/latitude box containing the polygon, widened by about 0.1 mas; it spans all
   * longitudes when the polygon contains a pole.
   *
   * @returns the bounding box
   */
  getBoundingBox(): LonLatBox {
    return verticesBoundingBox(this.#vertices);
  }

  /**
   * A circle containing the polygon, centred on its centroid.
   *
   * @returns the bounding circle
   */
  getBoundingCircle(): Circle {
    return verticesBoundingCircle(this.#vertices);
  }

  /**
   * Encodes this polygon in lsst.sphgeom's binary region format (see {@link encodeRegion}).
   *
   * @returns the encoded bytes
   * @example
   * ```ts
   * new ConvexPolygon([UnitVector3d.Z(), UnitVector3d.X(), UnitVector3d.Y()]).encode().length; // 73
   * ```
   * @see lsst.sphgeom.ConvexPolygon.encode
   */
  encode(): Uint8Array {
    return encodeRegion(this);
  }

  /**
   * @param other - another polygon
   * @returns true if both have the same vertices in the same cyclic order
   */
  equals(other: ConvexPolygon): boolean {
    const a = this.#vertices;
    const b = other.#vertices;
    if (a.length !== b.length) return false;
    const n = a.length;
    const start = b.findIndex((v) => v.equals(a[0]!));
    if (start < 0) return false;
    for (let i = 0; i < n; i++) if (!a[i]!.equals(b[(start + i) % n]!)) return false;
    return true;
  }

  /** @returns `ConvexPolygon([UnitVector3d(…), …])` */
  override toString(): string {
    return `ConvexPolygon([${this.#vertices.map((v) => v.toString()).join(', ')}])`;
  }
}

function isAntipodal(a: UnitVector3d, b: UnitVector3d): boolean {
  return a.x === -b.x && a.y === -b.y && a.z === -b.z;
}

/**
 * Whether a convex polygon given by its vertices contains `v`: `v` is on or to the left of every
 * edge, decided exactly.
 *
 * @internal
 */
export function verticesContain(verts: readonly UnitVector3d[], v: UnitVector3d): boolean {
  const n = verts.length;
  let a = verts[n - 1]!;
  for (let i = 0; i < n; i++) {
    const b = verts[i]!;
    if (orientation(v, a, b) < 0) return false;
    a = b;
  }
  return true;
}

/**
 * The centroid of a convex polygon given by its vertices (the centre of mass of the spherical
 * polygon, normalised), by summing for each edge its unit normal times its arc length.
 *
 * @internal
 */
export function verticesCentroid(verts: readonly UnitVector3d[]): UnitVector3d {
  let cx = 0;
  let cy = 0;
  let cz = 0;
  const n = verts.length;
  let a = verts[n - 1]!;
  for (let i = 0; i < n; i++) {
    const b = verts[i]!;
    const v = a.robustCross(b); // 2 (a × b)
    const norm = v.getNorm();
    const s = 0.5 * norm; // sin of the arc length
    const c = a.dot(b);
    const arc = s === 0 && c === 0 ? 0 : Math.atan2(s, c);
    if (norm > 0) {
      cx += (v.x / norm) * arc;
      cy += (v.y / norm) * arc;
      cz += (v.z / norm) * arc;
    }
    a = b;
  }
  return new UnitVector3d(cx, cy, cz);
}

/**
 * The squared chord length from `c` to the closest point of the arc from `a` to `b` (normal `n`
 * in the direction of `a × b`) when that point is inside the arc, else 4.
 */
function minSquaredChordToArc(c: UnitVector3d, a: UnitVector3d, b: UnitVector3d, nx: number, ny: number, nz: number): number {
  const wx = c.y * nz - c.z * ny;
  const wy = c.z * nx - c.x * nz;
  const wz = c.x * ny - c.y * nx;
  if (wx * a.x + wy * a.y + wz * a.z > 0 && wx * b.x + wy * b.y + wz * b.z < 0) {
    const s = Math.abs(c.x * nx + c.y * ny + c.z * nz);
    const cc = Math.sqrt(wx * wx + wy * wy + wz * wz);
    const theta = cc === 0 ? HALF_PI : Math.atan(s / cc);
    const d = Math.sin(0.5 * theta);
    return 4 * d * d;
  }
  return 4;
}

/**
 * The squared chord length from `c` to the farthest point of the arc from `a` to `b` when that
 * point is inside the arc, else 0.
 */
function maxSquaredChordToArc(c: UnitVector3d, a: UnitVector3d, b: UnitVector3d, nx: number, ny: number, nz: number): number {
  const wx = c.y * nz - c.z * ny;
  const wy = c.z * nx - c.x * nz;
  const wz = c.x * ny - c.y * nx;
  if (wx * a.x + wy * a.y + wz * a.z < 0 && wx * b.x + wy * b.y + wz * b.z > 0) {
    const s = Math.abs(c.x * nx + c.y * ny + c.z * nz);
    const cc = -Math.sqrt(wx * wx + wy * wy + wz * wz);
    const d = Math.sin(0.5 * Math.atan2(s, cc));
    return 4 * d * d;
  }
  return 0;
}

/**
 * The relationship of a convex polygon (given by its vertices) to a circle: compares vertex
 * distances and the closest/farthest points of the edges with the circle's chord length.
 *
 * @internal
 */
export function relateVerticesToCircle(verts: readonly UnitVector3d[], circle: Circle): Relationship {
  if (circle.isEmpty()) return Relationship.CONTAINS | Relationship.DISJOINT;
  if (circle.isFull()) return Relationship.WITHIN;
  const c = circle.getCenter();
  const cl2 = circle.getSquaredChordLength();
  const n = verts.length;
  let inside = false;
  for (let i = 0; i < n; i++) {
    const v = verts[i]!;
    const dx = v.x - c.x;
    const dy = v.y - c.y;
    const dz = v.z - c.z;
    const d = dx * dx + dy * dy + dz * dz;
    if (Math.abs(d - cl2) < MAX_SQUARED_CHORD_LENGTH_ERROR) return Relationship.INTERSECTS;
    const b = d < cl2;
    if (i === 0) inside = b;
    else if (inside !== b) return Relationship.INTERSECTS;
  }
  let a = verts[n - 1]!;
  if (inside) {
    // All vertices inside: look for edge points outside the circle.
    for (let i = 0; i < n; i++) {
      const b = verts[i]!;
      const nv = a.robustCross(b);
      if (maxSquaredChordToArc(c, a, b, nv.x, nv.y, nv.z) > cl2 - MAX_SQUARED_CHORD_LENGTH_ERROR) {
        return Relationship.INTERSECTS;
      }
      a = b;
    }
    // The boundary is inside the circle; the circle might still punch a hole in the polygon.
    if (verticesContain(verts, c.negate())) return Relationship.INTERSECTS;
    return Relationship.WITHIN;
  }
  // All vertices outside: look for edge points inside the circle.
  for (let i = 0; i < n; i++) {
    const b = verts[i]!;
    const nv = a.robustCross(b);
    if (minSquaredChordToArc(c, a, b, nv.x, nv.y, nv.z) < cl2 + MAX_SQUARED_CHORD_LENGTH_ERROR) {
      return Relationship.INTERSECTS;
    }
    a = b;
  }
  // The boundary is outside the circle: the polygon contains the circle or is disjoint from it.
  return verticesContain(verts, c) ? Relationship.CONTAINS : Relationship.DISJOINT;
}

/**
 * The relationship between two convex polygons given by their vertices, decided exactly from
 * vertex containment and edge crossings.
 *
 * @internal
 */
export function relateVerticesToVertices(
  verts1: readonly UnitVector3d[],
  verts2: readonly UnitVector3d[],
): Relationship {
  let all1 = true;
  let any1 = false;
  for (const v of verts1) {
    const b = verticesContain(verts2, v);
    all1 &&= b;
    any1 ||= b;
  }
  let all2 = true;
  let any2 = false;
  for (const v of verts2) {
    const b = verticesContain(verts1, v);
    all2 &&= b;
    any2 ||= b;
  }
  if (all1 || all2) {
    return (all1 ? Relationship.WITHIN : 0) | (all2 ? Relationship.CONTAINS : 0);
  }
  if (any1 || any2) return Relationship.INTERSECTS;
  // No vertex of either polygon is in the other: they intersect only if two edges cross.
  const n1 = verts1.length;
  const n2 = verts2.length;
  for (let i = 0; i < n1; i++) {
    const a = verts1[(i + n1 - 1) % n1]!;
    const b = verts1[i]!;
    for (let j = 0; j < n2; j++) {
      const c = verts2[(j + n2 - 1) % n2]!;
      const d = verts2[j]!;
      const acd = orientation(a, c, d);
      const bdc = orientation(b, d, c);
      if (acd !== 0 && acd === bdc) {
        const cba = orientation(c, b, a);
        const dab = orientation(d, a, b);
        if (cba === dab && cba === acd) return Relationship.INTERSECTS;
      }
    }
  }
  return Relationship.DISJOINT;
}

/**
 * The relationship of a convex polygon (given by its vertices) to a box. DISJOINT when the
 * bounding boxes are disjoint or the box lies outside one edge's hemisphere; CONTAINS when the
 * box lies inside every edge's hemisphere; WITHIN when the polygon's bounding box is inside the box.
 *
 * @internal
 */
export function relateVerticesToBox(verts: readonly UnitVector3d[], box: LonLatBox): Relationship {
  if (box.isEmpty()) return Relationship.CONTAINS | Relationship.DISJOINT;
  if (box.isFull()) return Relationship.WITHIN;
  const bbox = verticesBoundingBox(verts);
  let r = invertRelationship(box.relate(bbox)) & (Relationship.DISJOINT | Relationship.WITHIN);
  if (r & Relationship.DISJOINT) return Relationship.DISJOINT;
  const out = new Float64Array(2);
  const n = verts.length;
  let a = verts[n - 1]!;
  let containsBox = true;
  for (let i = 0; i < n; i++) {
    const b = verts[i]!;
    const nv = a.robustCross(b);
    const tol = DOT_TOLERANCE * nv.getNorm();
    boxDotExtremes(box, nv.x, nv.y, nv.z, out);
    if (out[1]! < -tol) return Relationship.DISJOINT;
    if (!(out[0]! > tol)) containsBox = false;
    a = b;
  }
  if (containsBox) r |= Relationship.CONTAINS;
  return r;
}

/**
 * A bounding box of a convex polygon given by its vertices: the vertices' longitudes and
 * latitudes, the latitude extremes of edges, all longitudes when a pole is inside, all widened by
 * about 0.1 mas.
 *
 * @internal
 */
export function verticesBoundingBox(verts: readonly UnitVector3d[]): LonLatBox {
  let lon = NormalizedAngleInterval.empty();
  let latMin = Infinity;
  let latMax = -Infinity;
  let haveCW = false;
  let haveCCW = false;
  const n = verts.length;
  let a = verts[n - 1]!;
  for (let i = 0; i < n; i++) {
    const b = verts[i]!;
    lon = lon.expandedTo(Angle.fromRadians(longitudeOfRadians(b.x, b.y)));
    const lat = latitudeOfRadians(b.x, b.y, b.z);
    latMin = Math.min(latMin, lat);
    latMax = Math.max(latMax, lat);
    if (!haveCW || !haveCCW) {
      const o = orientationOf(0, 0, 1, a.x, a.y, a.z, b.x, b.y, b.z);
      haveCCW ||= o > 0;
      haveCW ||= o < 0;
    }
    // Latitude extremes inside the edge: the great circle with normal nv reaches its highest
    // latitude at v and its lowest at −v; the edge contains one of them if a and b lie on
    // opposite sides of the plane through the z axis and nv.
    const nv = a.robustCross(b);
    const vx = -nv.x * nv.z;
    const vy = -nv.y * nv.z;
    const vz = nv.x * nv.x + nv.y * nv.y;
    if (vx !== 0 || vy !== 0 || vz !== 0) {
      const za = a.y * nv.x - a.x * nv.y;
      const zb = b.y * nv.x - b.x * nv.y;
      if (za > 0 && zb < 0) latMax = Math.max(latMax, latitudeOfRadians(vx, vy, vz));
      else if (za < 0 && zb > 0) latMin = Math.min(latMin, latitudeOfRadians(-vx, -vy, -vz));
    }
    a = b;
  }
  if (!haveCW) {
    lon = NormalizedAngleInterval.full();
    latMax = HALF_PI;
  } else if (!haveCCW) {
    lon = NormalizedAngleInterval.full();
    latMin = -HALF_PI;
  }
  return new LonLatBox(
    lon.dilatedBy(Angle.fromRadians(BBOX_EPS)),
    AngleInterval.fromRadians(latMin - BBOX_EPS, latMax + BBOX_EPS),
  );
}

/**
 * A bounding circle of a convex polygon given by its vertices, centred on its centroid.
 *
 * @internal
 */
export function verticesBoundingCircle(verts: readonly UnitVector3d[]): Circle {
  const c = verticesCentroid(verts);
  let cl2 = 0;
  for (const v of verts) {
    const dx = v.x - c.x;
    const dy = v.y - c.y;
    const dz = v.z - c.z;
    cl2 = Math.max(cl2, dx * dx + dy * dy + dz * dz);
  }
  if (cl2 >= 2) {
    // A cap of opening angle ≥ 90° is not convex, so covering the vertices is not enough:
    // use the exact farthest point of the polygon from c.
    cl2 = Math.max(cl2, maxSquaredChordOverPolygon(verts, c));
  }
  return Circle.fromSquaredChordLength(c, cl2 + 2 * MAX_SQUARED_CHORD_LENGTH_ERROR);
}

/** The largest squared chord length from `c` to a point of the polygon. */
function maxSquaredChordOverPolygon(verts: readonly UnitVector3d[], c: UnitVector3d): number {
  if (verticesContain(verts, c.negate())) return 4;
  let best = 0;
  const n = verts.length;
  let a = verts[n - 1]!;
  for (let i = 0; i < n; i++) {
    const b = verts[i]!;
    const nv = a.robustCross(b);
    best = Math.max(best, maxSquaredChordToArc(c, a, b, nv.x, nv.y, nv.z));
    a = b;
  }
  return best;
}

/**
 * Makes a polygon from vertices kept exactly as given, in the given order, without the
 * convexity and orientation checks of the constructor, as lsst.sphgeom's
 * `ConvexPolygon::decode` does. For the region codec only; not exported from the package.
 *
 * @param vertices - the vertices (the caller guarantees at least 3)
 * @returns the polygon
 * @internal
 */
export function convexPolygonFromVerticesUnchecked(vertices: readonly UnitVector3d[]): ConvexPolygon {
  trustVertices = true;
  return new ConvexPolygon(vertices);
}
