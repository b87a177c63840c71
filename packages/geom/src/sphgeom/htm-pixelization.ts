import type { Angle } from '../angle.js';
import { GeomInvalidArgumentError } from '../errors.js';
import { Circle } from './circle.js';
import {
  ConvexPolygon,
  relateVerticesToBox,
  relateVerticesToCircle,
  relateVerticesToVertices,
} from './convex-polygon.js';
import { LonLat } from './lon-lat.js';
import { LonLatBox } from './lon-lat-box.js';
import { orientationOfUnit } from './orientation.js';
import { RangeSet, simplifyBoundaries } from './range-set.js';
import type { Region } from './region.js';
import { Relationship, invertRelationship } from './relationship.js';
import { UnitVector3d } from './unit-vector3d.js';

const MAX_LEVEL = 24;

// Error bound of the floating-point orientation determinant for unit vectors (see orientation.ts).
const UNIT_ABS_ERROR = 1.7e-15;

/**
 * Vertices of the 8 HTM root triangles S0..S3, N0..N3 (indexes 8..15), 9 numbers each: the
 * octahedron faces, counter-clockwise, as lsst.sphgeom (and the original HTM) define them.
 * Negated axes keep the signs of their zero components, as negating a vector in C++ does.
 */
const ROOT_VERTICES = new Float64Array([
  // S0: X, -Z, Y
  1, 0, 0, -0, -0, -1, 0, 1, 0,
  // S1: Y, -Z, -X
  0, 1, 0, -0, -0, -1, -1, -0, -0,
  // S2: -X, -Z, -Y
  -1, -0, -0, -0, -0, -1, -0, -1, -0,
  // S3: -Y, -Z, X
  -0, -1, -0, -0, -0, -1, 1, 0, 0,
  // N0: X, Z, -Y
  1, 0, 0, 0, 0, 1, -0, -1, -0,
  // N1: -Y, Z, -X
  -0, -1, -0, 0, 0, 1, -1, -0, -0,
  // N2: -X, Z, Y
  -1, -0, -0, 0, 0, 1, 0, 1, 0,
  // N3: Y, Z, X
  0, 1, 0, 0, 0, 1, 1, 0, 0,
]);

function rootVertex(r: number, k: number): UnitVector3d {
  const o = 9 * r + 3 * k;
  return UnitVector3d.fromNormalized(ROOT_VERTICES[o]!, ROOT_VERTICES[o + 1]!, ROOT_VERTICES[o + 2]!);
}

function midpoint(a: UnitVector3d, b: UnitVector3d): UnitVector3d {
  return new UnitVector3d(a.x + b.x, a.y + b.y, a.z + b.z);
}

/** Index of the most significant set bit of a positive integer below 2^53. */
function msb(i: number): number {
  const hi = Math.floor(i / 4294967296);
  if (hi > 0) return 63 - Math.clz32(hi);
  return 31 - Math.clz32(i >>> 0);
}

/** The root triangle (0..7) containing the unit vector (x, y, z). */
function rootOf(x: number, y: number, z: number): number {
  if (z < 0) {
    if (y > 0) return x > 0 ? 0 : 1;
    if (y === 0) return x >= 0 ? 0 : 2;
    return x < 0 ? 2 : 3;
  }
  if (y > 0) return x > 0 ? 7 : 6;
  if (y === 0) return x >= 0 ? 7 : 5;
  return x < 0 ? 5 : 4;
}

/** Sign of orientation(p, a, b) >= 0 for unit vectors, exact near zero. */
function nonNegativeOrientation(
  px: number,
  py: number,
  pz: number,
  ax: number,
  ay: number,
  az: number,
  bx: number,
  by: number,
  bz: number,
): boolean {
  const det = px * (ay * bz - az * by) + py * (az * bx - ax * bz) + pz * (ax * by - ay * bx);
  if (det > UNIT_ABS_ERROR) return true;
  if (det < -UNIT_ABS_ERROR) return false;
  return orientationOfUnit(px, py, pz, ax, ay, az, bx, by, bz) >= 0;
}

/**
 * The HTM index at `level` of the unit vector (x, y, z), which must be finite and normalised.
 * Follows the descent of lsst.sphgeom step for step (same midpoints, same exact orientation
 * tests), so indexes agree bit for bit, including for points on trixel edges.
 */
function indexOfUnit(x: number, y: number, z: number, level: number): number {
  const r = rootOf(x, y, z);
  const o = 9 * r;
  let v0x = ROOT_VERTICES[o]!;
  let v0y = ROOT_VERTICES[o + 1]!;
  let v0z = ROOT_VERTICES[o + 2]!;
  let v1x = ROOT_VERTICES[o + 3]!;
  let v1y = ROOT_VERTICES[o + 4]!;
  let v1z = ROOT_VERTICES[o + 5]!;
  let v2x = ROOT_VERTICES[o + 6]!;
  let v2y = ROOT_VERTICES[o + 7]!;
  let v2z = ROOT_VERTICES[o + 8]!;
  let i = r + 8;
  for (let l = 0; l < level; l++) {
    // m01 = normalize(v0 + v1), m20 = normalize(v2 + v0)
    let sx = v0x + v1x;
    let sy = v0y + v1y;
    let sz = v0z + v1z;
    let n = Math.sqrt(sx * sx + sy * sy + sz * sz);
    const m01x = sx / n;
    const m01y = sy / n;
    const m01z = sz / n;
    sx = v2x + v0x;
    sy = v2y + v0y;
    sz = v2z + v0z;
    n = Math.sqrt(sx * sx + sy * sy + sz * sz);
    const m20x = sx / n;
    const m20y = sy / n;
    const m20z = sz / n;
    i *= 4;
    if (nonNegativeOrientation(x, y, z, m01x, m01y, m01z, m20x, m20y, m20z)) {
      v1x = m01x;
      v1y = m01y;
      v1z = m01z;
      v2x = m20x;
      v2y = m20y;
      v2z = m20z;
      continue;
    }
    sx = v1x + v2x;
    sy = v1y + v2y;
    sz = v1z + v2z;
    n = Math.sqrt(sx * sx + sy * sy + sz * sz);
    const m12x = sx / n;
    const m12y = sy / n;
    const m12z = sz / n;
    if (nonNegativeOrientation(x, y, z, m12x, m12y, m12z, m01x, m01y, m01z)) {
      v0x = v1x;
      v0y = v1y;
      v0z = v1z;
      v1x = m12x;
      v1y = m12y;
      v1z = m12z;
      v2x = m01x;
      v2y = m01y;
      v2z = m01z;
      i += 1;
    } else if (nonNegativeOrientation(x, y, z, m20x, m20y, m20z, m12x, m12y, m12z)) {
      v0x = v2x;
      v0y = v2y;
      v0z = v2z;
      v1x = m20x;
      v1y = m20y;
      v1z = m20z;
      v2x = m12x;
      v2y = m12y;
      v2z = m12z;
      i += 2;
    } else {
      v0x = m12x;
      v0y = m12y;
      v0z = m12z;
      v1x = m20x;
      v1y = m20y;
      v1z = m20z;
      v2x = m01x;
      v2y = m01y;
      v2z = m01z;
      i += 3;
    }
  }
  return i;
}

type TriangleRelation = (triangle: readonly UnitVector3d[]) => Relationship;

function triangleRelation(region: Region): TriangleRelation {
  if (region instanceof Circle) return (t) => relateVerticesToCircle(t, region);
  if (region instanceof ConvexPolygon) {
    const pv = region.getVertices();
    return (t) => relateVerticesToVertices(t, pv);
  }
  if (region instanceof LonLatBox) return (t) => relateVerticesToBox(t, region);
  return (t) => invertRelationship(region.relate(new ConvexPolygon(t)));
}

/**
 * Top-down search of the trixel tree for the trixels that intersect a region (or, for
 * `interiorOnly`, that lie inside it), coarsening the result whenever it holds more than
 * `maxRanges` ranges, exactly as sphgeom's pixel finder does.
 */
class HtmPixelFinder {
  readonly #relate: TriangleRelation;
  readonly #interiorOnly: boolean;
  readonly #desiredLevel: number;
  readonly #maxRanges: number;
  #level: number;
  readonly boundaries: number[] = [];

  constructor(region: Region, level: number, maxRanges: number, interiorOnly: boolean) {
    this.#relate = triangleRelation(region);
    this.#interiorOnly = interiorOnly;
    this.#desiredLevel = level;
    this.#level = level;
    this.#maxRanges = maxRanges === 0 ? Infinity : maxRanges;
  }

  run(): void {
    for (let r = 0; r < 8; r++) {
      this.#visit([rootVertex(r, 0), rootVertex(r, 1), rootVertex(r, 2)], r + 8, 0);
    }
  }

  #visit(t: readonly UnitVector3d[], index: number, level: number): void {
    if (level > this.#level) return;
    const r = this.#relate(t);
    if (r & Relationship.DISJOINT) return;
    if (r & Relationship.WITHIN) {
      this.#insert(index, level);
      return;
    }
    if (level === this.#level) {
      if (!this.#interiorOnly) this.#insert(index, level);
      return;
    }
    const [v0, v1, v2] = t as [UnitVector3d, UnitVector3d, UnitVector3d];
    const m12 = midpoint(v1, v2);
    const m20 = midpoint(v2, v0);
    const m01 = midpoint(v0, v1);
    const child = 4 * index;
    this.#visit([v0, m01, m20], child, level + 1);
    this.#visit([v1, m12, m01], child + 1, level + 1);
    this.#visit([v2, m20, m12], child + 2, level + 1);
    this.#visit([m12, m20, m01], child + 3, level + 1);
  }

  #insert(index: number, level: number): void {
    // Shift in bits from `level` to the desired level (2 bits per level).
    let shift = 2 * (this.#desiredLevel - level);
    const scale = 2 ** shift;
    const begin = index * scale;
    const end = (index + 1) * scale;
    const b = this.boundaries;
    const n = b.length;
    // Trixels are visited in increasing index order, so this only appends or extends.
    if (n > 0 && begin <= b[n - 1]!) {
      if (end > b[n - 1]!) b[n - 1] = end;
    } else {
      b.push(begin, end);
    }
    while (b.length / 2 > this.#maxRanges) {
      // Too many ranges: lower the subdivision level and coarsen what has been found so far
      // (outwards for envelopes, inwards for interiors). The shift grows from the level of
      // the trixel just inserted, as in sphgeom.
      this.#level--;
      shift += 2;
      simplifyBoundaries(b, shift, !this.#interiorOnly);
    }
  }
}

/**
 * The Hierarchical Triangular Mesh (HTM) pixelization of the sphere at one subdivision level,
 * with the trixel numbering of lsst.sphgeom.
 *
 * The 8 faces of the octahedron are the level-0 trixels S0..S3 (indexes 8..11) and N0..N3
 * (12..15); each trixel splits into 4 children at the next level, with indexes `4·i + k`
 * (k = 0..2: the children at the parent's vertices 0..2; k = 3: the middle one). A level-L
 * index therefore lies in `[8·4^L, 16·4^L)`, and `i >> 2` (i.e. `Math.floor(i / 4)`) is the
 * parent's index. Levels run from 0 to 24; indexes are plain numbers (below 2⁵³).
 *
 * @example
 * ```ts
 * const htm = new HtmPixelization(20);
 * htm.indexLonLat(LonLat.fromDegrees(1, 1)); // 17043491373057
 * HtmPixelization.asString(63); // 'N33'
 * const circle = new Circle(UnitVector3d.fromLonLatRadians(0.5, 0.2), Angle.fromDegrees(0.1));
 * const pixels = new HtmPixelization(10).envelope(circle); // every trixel that may overlap
 * pixels.ranges(); // [[begin, end), ...]
 * ```
 * @see lsst.sphgeom.HtmPixelization
 */
export class HtmPixelization {
  /** The finest supported level. */
  static readonly MAX_LEVEL = MAX_LEVEL;

  readonly #level: number;

  /**
   * Makes the pixelization at one subdivision level.
   *
   * @param level - subdivision level, an integer in [0, 24]
   * @throws GeomInvalidArgumentError if the level is out of range
   */
  constructor(level: number) {
    if (!Number.isInteger(level) || level < 0 || level > MAX_LEVEL) {
      throw new GeomInvalidArgumentError(`Invalid HTM subdivision level ${level}: expected an integer in [0, ${MAX_LEVEL}].`);
    }
    this.#level = level;
  }

  /**
   * The level of an HTM index: the index has 4 bits for the root trixel followed by 2 bits
   * per level.
   *
   * @param i - an index
   * @returns its level, or -1 if `i` is not a valid HTM index
   */
  static level(i: number): number {
    if (!Number.isSafeInteger(i) || i < 8) return -1;
    const j = msb(i);
    if ((j & 1) === 0) return -1;
    const l = (j - 3) >> 1;
    return l > MAX_LEVEL ? -1 : l;
  }

  /**
   * The trixel with index `i`, at that index's level.
   *
   * @param i - a valid HTM index
   * @returns the trixel as a triangle
   * @throws GeomInvalidArgumentError if `i` is not a valid HTM index
   */
  static triangle(i: number): ConvexPolygon {
    return new ConvexPolygon(HtmPixelization.#triangleVertices(i));
  }

  static #triangleVertices(i: number): [UnitVector3d, UnitVector3d, UnitVector3d] {
    const l = HtmPixelization.level(i);
    if (l < 0) throw new GeomInvalidArgumentError(`Invalid HTM index ${i}.`);
    const digits = HtmPixelization.#digits(i, l);
    const r = digits.root;
    let v0 = rootVertex(r, 0);
    let v1 = rootVertex(r, 1);
    let v2 = rootVertex(r, 2);
    for (const child of digits.children) {
      const m12 = midpoint(v1, v2);
      const m20 = midpoint(v2, v0);
      const m01 = midpoint(v0, v1);
      switch (child) {
        case 0:
          v1 = m01;
          v2 = m20;
          break;
        case 1:
          v0 = v1;
          v1 = m12;
          v2 = m01;
          break;
        case 2:
          v0 = v2;
          v1 = m20;
          v2 = m12;
          break;
        default:
          v0 = m12;
          v1 = m20;
          v2 = m01;
      }
    }
    return [v0, v1, v2];
  }

  /** Root triangle (0..7) and child digits (most significant first) of a level-l index. */
  static #digits(i: number, l: number): { root: number; children: number[] } {
    const children = new Array<number>(l);
    let rest = i;
    for (let k = l - 1; k >= 0; k--) {
      children[k] = rest % 4;
      rest = Math.floor(rest / 4);
    }
    return { root: rest - 8, children };
  }

  /**
   * The name of a trixel: `S` or `N` and the root digit, then one digit per level (e.g. index 8
   * is `"S0"`, 63 is `"N33"`).
   *
   * @param i - a valid HTM index
   * @returns the name
   * @throws GeomInvalidArgumentError if `i` is not a valid HTM index
   */
  static asString(i: number): string {
    const l = HtmPixelization.level(i);
    if (l < 0) throw new GeomInvalidArgumentError(`Invalid HTM index ${i}.`);
    const { root, children } = HtmPixelization.#digits(i, l);
    return (root < 4 ? 'S' : 'N') + String(root % 4) + children.join('');
  }

  /** @returns the subdivision level */
  getLevel(): number {
    return this.#level;
  }

  /** @returns the indexes of all trixels at this level, `[8·4^L, 16·4^L)` */
  universe(): RangeSet {
    const s = 4 ** this.#level;
    return new RangeSet(8 * s, 16 * s);
  }

  /**
   * @param i - an index at this pixelization's level
   * @returns the trixel
   * @throws GeomInvalidArgumentError if `i` is not a valid index at this level
   */
  pixel(i: number): ConvexPolygon {
    if (HtmPixelization.level(i) !== this.#level) {
      throw new GeomInvalidArgumentError(`HTM index ${i} is not a valid index at level ${this.#level}.`);
    }
    return HtmPixelization.triangle(i);
  }

  /**
   * The index of the trixel containing a point. Points on trixel edges go to the same trixel as
   * in lsst.sphgeom (the decisions are exact).
   *
   * @param v - a point
   * @returns the index at this level
   * @throws GeomInvalidArgumentError if `v` has a non-finite component
   */
  index(v: UnitVector3d): number {
    if (!Number.isFinite(v.x) || !Number.isFinite(v.y) || !Number.isFinite(v.z)) {
      throw new GeomInvalidArgumentError(`Cannot index the non-finite vector (${v.x}, ${v.y}, ${v.z}).`);
    }
    return indexOfUnit(v.x, v.y, v.z, this.#level);
  }

  /**
   * The index of the trixel containing a point given as a {@link LonLat}.
   *
   * @param lonLat - the point
   * @returns the index at this level
   */
  indexLonLat(lonLat: LonLat): number;
  /**
   * The index of the trixel containing a point given by a longitude and a latitude.
   *
   * @param lon - the longitude
   * @param lat - the latitude
   * @returns the index at this level
   * @throws GeomInvalidArgumentError if a coordinate is not finite or the latitude is missing
   */
  indexLonLat(lon: Angle, lat: Angle): number;
  indexLonLat(lonLat: LonLat | Angle, lat?: Angle): number {
    if (lonLat instanceof LonLat) return this.index(UnitVector3d.fromLonLat(lonLat));
    if (lat === undefined) throw new GeomInvalidArgumentError('HtmPixelization.indexLonLat(lon, lat) needs a latitude angle.');
    return this.index(UnitVector3d.fromLonLat(lonLat, lat));
  }

  /**
   * Indexes many points given by longitude and latitude arrays, without allocating per point.
   * Each point is converted as {@link UnitVector3d.fromLonLatRadians} does. Non-finite input
   * gives NaN.
   *
   * @param lonRad - longitudes in radians
   * @param latRad - latitudes in radians
   * @param out - optional output array of the same length
   * @returns the indexes (as doubles; exact, since they are below 2⁵³)
   * @throws GeomInvalidArgumentError if the array lengths differ
   */
  indexLonLatArrays(lonRad: Float64Array, latRad: Float64Array, out?: Float64Array): Float64Array {
    const n = lonRad.length;
    if (latRad.length !== n || (out !== undefined && out.length !== n)) {
      throw new GeomInvalidArgumentError(
        `Array lengths differ: lon ${n}, lat ${latRad.length}${out === undefined ? '' : `, out ${out.length}`}.`,
      );
    }
    const result = out ?? new Float64Array(n);
    const level = this.#level;
    for (let k = 0; k < n; k++) {
      const lon = lonRad[k]!;
      const lat = latRad[k]!;
      if (!Number.isFinite(lon) || !Number.isFinite(lat)) {
        result[k] = NaN;
        continue;
      }
      const cosLat = Math.cos(lat);
      result[k] = indexOfUnit(Math.cos(lon) * cosLat, Math.sin(lon) * cosLat, Math.sin(lat), level);
    }
    return result;
  }

  /**
   * Indexes many points given by Cartesian component arrays, without allocating per point.
   * Each vector is normalised first, as `new UnitVector3d(x, y, z)` does. Zero or non-finite
   * vectors give NaN.
   *
   * @param xs - x components
   * @param ys - y components
   * @param zs - z components
   * @param out - optional output array of the same length
   * @returns the indexes
   * @throws GeomInvalidArgumentError if the array lengths differ
   */
  indexArray(xs: Float64Array, ys: Float64Array, zs: Float64Array, out?: Float64Array): Float64Array {
    const n = xs.length;
    if (ys.length !== n || zs.length !== n || (out !== undefined && out.length !== n)) {
      throw new GeomInvalidArgumentError(
        `Array lengths differ: x ${n}, y ${ys.length}, z ${zs.length}${out === undefined ? '' : `, out ${out.length}`}.`,
      );
    }
    const result = out ?? new Float64Array(n);
    const level = this.#level;
    for (let k = 0; k < n; k++) {
      const x = xs[k]!;
      const y = ys[k]!;
      const z = zs[k]!;
      const n2 = x * x + y * y + z * z;
      if (!(n2 > 0) || !Number.isFinite(n2)) {
        // Rare cases (zero, non-finite, or under/overflowing norms): the careful path.
        try {
          const u = new UnitVector3d(x, y, z);
          result[k] = indexOfUnit(u.x, u.y, u.z, level);
        } catch {
          result[k] = NaN;
        }
        continue;
      }
      const norm = Math.sqrt(n2);
      result[k] = indexOfUnit(x / norm, y / norm, z / norm, level);
    }
    return result;
  }

  /**
   * Every trixel that might intersect a region: the result never misses a trixel that overlaps
   * the region, but may include a few that do not.
   *
   * @param region - the region
   * @param maxRanges - if positive, the most ranges the result may have; the search then
   *   coarsens the result (making it a larger superset) to stay within it. 0: no limit
   * @returns the indexes at this level
   * @throws GeomInvalidArgumentError if `maxRanges` is not a non-negative integer
   */
  envelope(region: Region, maxRanges = 0): RangeSet {
    return this.#find(region, maxRanges, false);
  }

  /**
   * Trixels that certainly lie inside a region (possibly not all of them).
   *
   * @param region - the region
   * @param maxRanges - if positive, the most ranges the result may have; the search then drops
   *   small ranges to stay within it. 0: no limit
   * @returns the indexes at this level
   * @throws GeomInvalidArgumentError if `maxRanges` is not a non-negative integer
   */
  interior(region: Region, maxRanges = 0): RangeSet {
    return this.#find(region, maxRanges, true);
  }

  #find(region: Region, maxRanges: number, interiorOnly: boolean): RangeSet {
    if (!Number.isSafeInteger(maxRanges) || maxRanges < 0) {
      throw new GeomInvalidArgumentError(`Invalid maxRanges ${maxRanges}: expected a non-negative integer.`);
    }
    const finder = new HtmPixelFinder(region, this.#level, maxRanges, interiorOnly);
    finder.run();
    return RangeSet.fromCanonicalBoundaries(finder.boundaries);
  }

  /**
   * @param other - another pixelization
   * @returns true if both have the same level
   */
  equals(other: HtmPixelization): boolean {
    return this.#level === other.#level;
  }

  /** @returns `HtmPixelization(level)` */
  toString(): string {
    return `HtmPixelization(${this.#level})`;
  }
}
