import { GeomInvalidArgumentError } from '../errors.js';
import { Circle } from './circle.js';
import { ConvexPolygon } from './convex-polygon.js';
import type { LonLat } from './lon-lat.js';
import { RangeSet, simplifyBoundaries } from './range-set.js';
import type { Region } from './region.js';
import { Relationship } from './relationship.js';
import { UnitVector3d } from './unit-vector3d.js';

/** The finest level whose NEST indices (below 12·4^level) stay exact in a double: 12·4^24 < 2^53. */
const MAX_LEVEL = 24;

const HALF_PI = 0.5 * Math.PI;
const TWO_PI = 2 * Math.PI;
/** 2/π, the double nearest the exact value (as HEALPix's C++ library writes it). */
const INV_HALF_PI = 0.6366197723675813430755350534900574;
const TWO_THIRDS = 2 / 3;
const DEG = Math.PI / 180;
const RAD = 180 / Math.PI;
/** cos(π/2) in floating point: the threshold HEALPix compares centre–normal dot products with. */
const COS_HALF_PI = Math.cos(HALF_PI);
/** Relative enlargement of the per-level pixel radius used to prune the search. */
const PIXRAD_SAFETY = 1.01;

/** Ring number (in units of nside) of the southernmost corner of each base pixel. */
const JRLL = [2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4] as const;
/** Longitude (in units of π/4) of the centre of each base pixel. */
const JPLL = [1, 3, 5, 7, 0, 2, 4, 6, 1, 3, 5, 7] as const;

const TWO_32 = 4294967296;

/** Spreads the 16 low bits of x to the even bit positions of a 32-bit value. */
function spread16(x: number): number {
  x = (x | (x << 8)) & 0x00ff00ff;
  x = (x | (x << 4)) & 0x0f0f0f0f;
  x = (x | (x << 2)) & 0x33333333;
  return (x | (x << 1)) & 0x55555555;
}

/** Gathers the even bits of a 32-bit value (given as a number in [0, 2^32)) into 16 bits. */
function compact32(v: number): number {
  let x = v & 0x55555555;
  x = (x | (x >>> 1)) & 0x33333333;
  x = (x | (x >>> 2)) & 0x0f0f0f0f;
  x = (x | (x >>> 4)) & 0x00ff00ff;
  return (x | (x >>> 8)) & 0x0000ffff;
}

/**
 * The NEST index of in-face coordinates (ix, iy) on base pixel `face`, by bit interleaving done
 * separately on the 16 low and the 8 high bits of each coordinate (indices exceed 2^32).
 */
function xyf2nest(ix: number, iy: number, face: number, npface: number): number {
  const lo = spread16(ix & 0xffff) + 2 * spread16(iy & 0xffff);
  if (ix < 65536 && iy < 65536) return face * npface + lo;
  const hi = spread16(ix >>> 16) + 2 * spread16(iy >>> 16);
  return face * npface + hi * TWO_32 + lo;
}

/** Scratch outputs of {@link nest2xyf}: ix, iy, face. */
const XYF = new Int32Array(3);

function nest2xyf(pix: number, npface: number): void {
  const face = Math.floor(pix / npface);
  const r = pix - face * npface;
  const hi = Math.floor(r / TWO_32);
  const lo = r - hi * TWO_32;
  XYF[0] = compact32(hi) * 65536 + compact32(lo);
  XYF[1] = compact32(hi >>> 1) * 65536 + compact32(lo >>> 1);
  XYF[2] = face;
}

/** HEALPix's floating-point modulo, giving a result in [0, v2). */
function fmodulo(v1: number, v2: number): number {
  if (v1 >= 0) return v1 < v2 ? v1 : v1 % v2;
  const t = (v1 % v2) + v2;
  return t === v2 ? 0 : t;
}

/**
 * The NEST index of the point with z = cos θ and longitude φ (radians), as HEALPix's `loc2pix`
 * computes it; `sth` (sin θ) is used near the poles when `haveSth`.
 */
function loc2nest(z: number, phi: number, sth: number, haveSth: boolean, level: number, nside: number): number {
  const za = Math.abs(z);
  const tt = fmodulo(phi * INV_HALF_PI, 4);
  let ix: number;
  let iy: number;
  let face: number;
  if (za <= TWO_THIRDS) {
    // Equatorial region: indices of the ascending and descending edge lines.
    const t1 = nside * (0.5 + tt);
    const t2 = nside * (z * 0.75);
    const jp = Math.trunc(t1 - t2);
    const jm = Math.trunc(t1 + t2);
    const ifp = jp >> level;
    const ifm = jm >> level;
    face = ifp === ifm ? ifp | 4 : ifp < ifm ? ifp : ifm + 8;
    ix = jm & (nside - 1);
    iy = nside - (jp & (nside - 1)) - 1;
  } else {
    // Polar caps.
    const ntt = Math.min(3, Math.trunc(tt));
    const tp = tt - ntt;
    const tmp = za < 0.99 || !haveSth ? nside * Math.sqrt(3 * (1 - za)) : (nside * sth) / Math.sqrt((1 + za) / 3);
    const jp = Math.min(Math.trunc(tp * tmp), nside - 1);
    const jm = Math.min(Math.trunc((1 - tp) * tmp), nside - 1);
    if (z >= 0) {
      ix = nside - jm - 1;
      iy = nside - jp - 1;
      face = ntt;
    } else {
      ix = jp;
      iy = jm;
      face = ntt + 8;
    }
  }
  return xyf2nest(ix, iy, face, nside * nside);
}

/**
 * The NEST index at `level` of colatitude θ and longitude φ (radians), as healpy's `ang2pix`:
 * φ is first reduced to [0, 2π) (this decides points within rounding of a base-pixel corner at
 * φ = 0 the way healpy does), then HEALPix's `loc2pix` runs with z = cos θ.
 */
function ang2nest(theta: number, phi: number, level: number, nside: number): number {
  return loc2nest(Math.cos(theta), fmodulo(phi, TWO_PI), Math.sin(theta), theta < 0.01 || theta > 3.14159 - 0.01, level, nside);
}

/** Scratch outputs of {@link pix2loc} and {@link xyf2loc}: z, φ, sin θ, have-sin-θ flag. */
const LOC = new Float64Array(4);

/** The centre of a NEST pixel as (z, φ, sin θ, flag) in {@link LOC}, as HEALPix's `pix2loc`. */
function pix2loc(pix: number, nside: number): void {
  const npface = nside * nside;
  nest2xyf(pix, npface);
  const ix = XYF[0]!;
  const iy = XYF[1]!;
  const face = XYF[2]!;
  const fact2 = 4 / (12 * npface);
  const fact1 = 2 * nside * fact2;
  const jr = JRLL[face]! * nside - ix - iy - 1;
  let nr: number;
  let z: number;
  let sth = 0;
  let haveSth = 0;
  if (jr < nside) {
    nr = jr;
    const t = nr * nr * fact2;
    z = 1 - t;
    if (z > 0.99) {
      sth = Math.sqrt(t * (2 - t));
      haveSth = 1;
    }
  } else if (jr > 3 * nside) {
    nr = 4 * nside - jr;
    const t = nr * nr * fact2;
    z = t - 1;
    if (z < -0.99) {
      sth = Math.sqrt(t * (2 - t));
      haveSth = 1;
    }
  } else {
    nr = nside;
    z = (2 * nside - jr) * fact1;
  }
  let t = JPLL[face]! * nr + ix - iy;
  if (t < 0) t += 8 * nr;
  LOC[0] = z;
  LOC[1] = nr === nside ? 0.75 * HALF_PI * t * fact1 : (0.5 * HALF_PI * t) / nr;
  LOC[2] = sth;
  LOC[3] = haveSth;
}

/** A point given by face coordinates x, y in [0, 1] on base pixel `face`, as HEALPix's `xyf2loc`. */
function xyf2loc(x: number, y: number, face: number): void {
  const jr = JRLL[face]! - x - y;
  let nr: number;
  let z: number;
  let sth = 0;
  let haveSth = 0;
  if (jr < 1) {
    nr = jr;
    const t = (nr * nr) / 3;
    z = 1 - t;
    if (z > 0.99) {
      sth = Math.sqrt(t * (2 - t));
      haveSth = 1;
    }
  } else if (jr > 3) {
    nr = 4 - jr;
    const t = (nr * nr) / 3;
    z = t - 1;
    if (z < -0.99) {
      sth = Math.sqrt(t * (2 - t));
      haveSth = 1;
    }
  } else {
    nr = 1;
    z = ((2 - jr) * 2) / 3;
  }
  let t = JPLL[face]! * nr + x - y;
  if (t < 0) t += 8;
  if (t >= 8) t -= 8;
  LOC[0] = z;
  LOC[1] = nr < 1e-15 ? 0 : (0.5 * HALF_PI * t) / nr;
  LOC[2] = sth;
  LOC[3] = haveSth;
}

/** Scratch output of {@link locToVec}: x, y, z. */
const VEC = new Float64Array(3);

/** The unit vector of the location in {@link LOC}, into {@link VEC}. */
function locToVec(): void {
  const z = LOC[0]!;
  const phi = LOC[1]!;
  const sth = LOC[3] === 1 ? LOC[2]! : Math.sqrt((1 - z) * (1 + z));
  VEC[0] = sth * Math.cos(phi);
  VEC[1] = sth * Math.sin(phi);
  VEC[2] = z;
}

/**
 * The largest angle from a pixel's centre to one of its corners at a level (HEALPix's
 * `max_pixrad`: the pixel of the equatorial–polar transition with a corner near the pole).
 */
function maxPixrad(level: number): number {
  const nside = 2 ** level;
  const phiA = Math.PI / (4 * nside);
  const za = TWO_THIRDS;
  const sa = Math.sqrt((1 - za) * (1 + za));
  const ax = sa * Math.cos(phiA);
  const ay = sa * Math.sin(phiA);
  let t1 = 1 - 1 / nside;
  t1 *= t1;
  const zb = 1 - t1 / 3;
  const bx = Math.sqrt((1 - zb) * (1 + zb));
  // b = (bx, 0, zb)
  const cx = ay * zb;
  const cy = za * bx - ax * zb;
  const cz = -ay * bx;
  return Math.atan2(Math.sqrt(cx * cx + cy * cy + cz * cz), ax * bx + za * zb);
}

/** Per level: the enlarged pixel radius and the squared chord length of the matching circle. */
const PIXRAD = new Float64Array(MAX_LEVEL + 1);
const PIXRAD_CL2 = new Float64Array(MAX_LEVEL + 1);
for (let l = 0; l <= MAX_LEVEL; l++) {
  const r = Math.min(maxPixrad(l) * PIXRAD_SAFETY, HALF_PI);
  PIXRAD[l] = r;
  const s = 2 * Math.sin(0.5 * r);
  PIXRAD_CL2[l] = s * s;
}

/**
 * Classifies a pixel (given by its centre and level) against a region:
 * 0 = certainly disjoint; 1 = may intersect, centre outside (or unknown);
 * 2 = centre inside, pixel maybe partly outside; 3 = pixel certainly inside.
 */
type Zoner = (cx: number, cy: number, cz: number, level: number) => number;

/**
 * The zoner of a convex polygon as HEALPix's `query_polygon` does it: a half-space per edge,
 * and for each level the cosines of π/2 + r, π/2 and π/2 − r, with r the pixel radius.
 */
function polygonZoner(polygon: ConvexPolygon): Zoner {
  const verts = polygon.getVertices();
  const n = verts.length;
  const normals = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    const a = verts[i]!;
    const b = verts[(i + 1) % n]!;
    const x = a.y * b.z - a.z * b.y;
    const y = a.z * b.x - a.x * b.z;
    const z = a.x * b.y - a.y * b.x;
    const len = Math.sqrt(x * x + y * y + z * z);
    normals[3 * i] = x / len;
    normals[3 * i + 1] = y / len;
    normals[3 * i + 2] = z / len;
  }
  const lower = new Float64Array(MAX_LEVEL + 1);
  const upper = new Float64Array(MAX_LEVEL + 1);
  for (let l = 0; l <= MAX_LEVEL; l++) {
    lower[l] = Math.cos(HALF_PI + PIXRAD[l]!);
    upper[l] = Math.cos(HALF_PI - PIXRAD[l]!);
  }
  return (cx, cy, cz, level) => {
    const lo = lower[level]!;
    const hi = upper[level]!;
    let zone = 3;
    for (let i = 0; i < 3 * n; i += 3) {
      const d = cx * normals[i]! + cy * normals[i + 1]! + cz * normals[i + 2]!;
      if (d < lo) return 0;
      if (d < COS_HALF_PI) zone = 1;
      else if (d < hi && zone > 2) zone = 2;
    }
    return zone;
  };
}

/** The zoner of any region, through its relation to each pixel's bounding circle. */
function regionZoner(region: Region): Zoner {
  return (cx, cy, cz, level) => {
    const circle = Circle.fromSquaredChordLength(UnitVector3d.fromNormalized(cx, cy, cz), PIXRAD_CL2[level]!);
    const r = region.relate(circle);
    if (r & Relationship.DISJOINT) return 0;
    if (r & Relationship.CONTAINS) return 3;
    return 1;
  };
}

/**
 * Depth-first search of the NEST pixel tree from the 12 base pixels, keeping pixels whose zone at
 * the target level is at least `minZone` (and whole subtrees of zone 3), in increasing index
 * order, coarsening the result when it holds more than `maxRanges` ranges (as sphgeom does).
 */
class HealpixPixelFinder {
  readonly #zoner: Zoner;
  readonly #minZone: number;
  readonly #desiredLevel: number;
  readonly #maxRanges: number;
  #level: number;
  readonly boundaries: number[] = [];

  constructor(zoner: Zoner, level: number, minZone: number, maxRanges: number) {
    this.#zoner = zoner;
    this.#minZone = minZone;
    this.#desiredLevel = level;
    this.#level = level;
    this.#maxRanges = maxRanges === 0 ? Infinity : maxRanges;
  }

  run(): void {
    for (let f = 0; f < 12; f++) this.#visit(f, 0);
  }

  #visit(pix: number, level: number): void {
    if (level > this.#level) return;
    pix2loc(pix, 2 ** level);
    locToVec();
    const zone = this.#zoner(VEC[0]!, VEC[1]!, VEC[2]!, level);
    if (zone === 0) return;
    if (level === this.#level) {
      if (zone >= this.#minZone) this.#insert(pix, level);
      return;
    }
    if (zone === 3) {
      this.#insert(pix, level);
      return;
    }
    const child = 4 * pix;
    for (let k = 0; k < 4; k++) this.#visit(child + k, level + 1);
  }

  #insert(pix: number, level: number): void {
    let shift = 2 * (this.#desiredLevel - level);
    const scale = 2 ** shift;
    const begin = pix * scale;
    const end = (pix + 1) * scale;
    const b = this.boundaries;
    const n = b.length;
    // Pixels come in increasing index order, so this only appends or extends.
    if (n > 0 && begin <= b[n - 1]!) {
      if (end > b[n - 1]!) b[n - 1] = end;
    } else {
      b.push(begin, end);
    }
    while (b.length / 2 > this.#maxRanges) {
      // Too many ranges: lower the level and coarsen what has been found so far (outwards for
      // envelopes, inwards for interiors).
      this.#level--;
      shift += 2;
      simplifyBoundaries(b, shift, this.#minZone < 3);
    }
  }
}

/**
 * The HEALPix pixelization of the sphere (Górski et al. 2005) in the NEST numbering, at one
 * level: `nside = 2^level`, `12·nside²` pixels of equal area.
 *
 * Indexing follows HEALPix's C++ library (`ang2pix`, `vec2pix`, `pix2ang`, `boundaries`) step for
 * step, so indices agree with healpy's `ang2pix(nside, ra, dec, nest=True, lonlat=True)`,
 * including on pixel boundaries. A NEST index is `face·nside² + interleave(ix, iy)`, with the
 * face (base pixel) in 0..11 and the bits of the in-face coordinates interleaved (x in the even
 * bits); the parent of index `i` at the next coarser level is `Math.floor(i / 4)`. Indices are
 * plain numbers; at level 24 they reach 12·4^24 ≈ 3.4·10^15, beyond 32 bits, so no 32-bit bit
 * operator is ever applied to a whole index.
 *
 * @example
 * ```ts
 * const hpx = new HealpixPixelization(HealpixPixelization.nsideToLevel(32768));
 * hpx.indexRaDecDeg([150.1], [2.2]); // Float64Array [7145590371]
 * hpx.centerRaDecDeg(0); // [45, 0.0011657] (pixel 0 sits in the southern corner of base pixel 0)
 * const patch = ConvexPolygon.convexHull(
 *   [[150, 2], [150.1, 2], [150.1, 2.1], [150, 2.1]].map(([ra, dec]) =>
 *     UnitVector3d.fromLonLat(LonLat.fromDegrees(ra!, dec!))),
 * );
 * hpx.queryPolygon(patch).cardinality(); // pixels whose centres lie in the patch
 * ```
 * @see lsst.sphgeom.HealpixPixelization
 * @see healpy.query_polygon
 */
export class HealpixPixelization {
  /**
   * The finest supported level, 24: the largest with every NEST index (below 12·4^level) exact
   * in a JavaScript number. LSST's sphgeom stops at 17.
   */
  static readonly MAX_LEVEL = MAX_LEVEL;

  /** The HEALPix resolution parameter, `2^level`. */
  readonly nside: number;
  readonly #level: number;

  /**
   * Makes the NEST pixelization at a level.
   *
   * @param level - an integer in [0, 24]; `nside = 2^level`
   * @throws GeomInvalidArgumentError if the level is not such an integer
   */
  constructor(level: number) {
    if (!Number.isInteger(level) || level < 0 || level > MAX_LEVEL) {
      throw new GeomInvalidArgumentError(`Invalid HEALPix level ${level}: expected an integer in [0, ${MAX_LEVEL}].`, {
        hint: 'Use HealpixPixelization.nsideToLevel(nside) to convert an nside.',
      });
    }
    this.#level = level;
    this.nside = 2 ** level;
  }

  /**
   * The level of an nside.
   *
   * @param nside - a power of 2 in [1, 2^24]
   * @returns `log2(nside)`
   * @throws GeomInvalidArgumentError if `nside` is not a power of 2 in that range
   */
  static nsideToLevel(nside: number): number {
    if (!Number.isInteger(nside) || nside < 1 || nside > 2 ** MAX_LEVEL || (nside & (nside - 1)) !== 0) {
      throw new GeomInvalidArgumentError(
        `Invalid HEALPix nside ${nside}: expected a power of 2 in [1, 2^${MAX_LEVEL}] (the NEST scheme needs one).`,
      );
    }
    return 31 - Math.clz32(nside);
  }

  /**
   * The nside of a level.
   *
   * @param level - an integer in [0, 24]
   * @returns `2^level`
   * @throws GeomInvalidArgumentError if the level is out of range
   */
  static levelToNside(level: number): number {
    return new HealpixPixelization(level).nside;
  }

  /** @returns the level, `log2(nside)` */
  getLevel(): number {
    return this.#level;
  }

  /** @returns the number of pixels, `12·nside²` */
  npix(): number {
    return 12 * this.nside * this.nside;
  }

  /** @returns every index at this level, `[0, 12·nside²)` */
  universe(): RangeSet {
    return new RangeSet(0, this.npix());
  }

  /** @returns the solid angle of every pixel in steradians, `4π / (12·nside²)` */
  pixelArea(): number {
    return (4 * Math.PI) / this.npix();
  }

  /**
   * The pixel containing a point, as HEALPix's `vec2pix`.
   *
   * @param v - a point
   * @returns its NEST index
   * @throws GeomInvalidArgumentError if `v` has a non-finite component
   */
  index(v: UnitVector3d): number {
    const { x, y, z } = v;
    if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z)) {
      throw new GeomInvalidArgumentError(`Cannot index the non-finite vector (${x}, ${y}, ${z}).`);
    }
    const inv = 1 / Math.sqrt(x * x + y * y + z * z);
    const phi = x === 0 && y === 0 ? 0 : Math.atan2(y, x);
    const nz = z * inv;
    const haveSth = Math.abs(nz) > 0.99;
    return loc2nest(nz, phi, haveSth ? Math.sqrt(x * x + y * y) * inv : 0, haveSth, this.#level, this.nside);
  }

  /**
   * The pixel containing a point given as a {@link LonLat}, as HEALPix's `ang2pix` with
   * colatitude `π/2 − lat`.
   *
   * @param lonLat - the point
   * @returns its NEST index
   */
  indexLonLat(lonLat: LonLat): number {
    return ang2nest(HALF_PI - lonLat.getLat().asRadians(), lonLat.getLon().asRadians(), this.#level, this.nside);
  }

  /**
   * The pixels of many points given in degrees, without allocating per point: what
   * `healpy.ang2pix(nside, ra, dec, nest=True, lonlat=True)` returns, bit for bit (the same
   * degree-to-radian conversion, colatitude and boundary rules). A point with a non-finite
   * coordinate or a declination outside [−90°, 90°] gives NaN.
   *
   * @param raDeg - right ascensions (longitudes) in degrees, any finite value
   * @param decDeg - declinations (latitudes) in degrees
   * @param out - optional output array of the same length
   * @returns the NEST indices, as doubles (exact: they are below 2⁵³)
   * @throws GeomInvalidArgumentError if the array lengths differ
   */
  indexRaDecDeg(raDeg: ArrayLike<number>, decDeg: ArrayLike<number>, out?: Float64Array): Float64Array {
    const n = raDeg.length;
    if (decDeg.length !== n || (out !== undefined && out.length !== n)) {
      throw new GeomInvalidArgumentError(
        `Array lengths differ: ra ${n}, dec ${decDeg.length}${out === undefined ? '' : `, out ${out.length}`}.`,
      );
    }
    const result = out ?? new Float64Array(n);
    const level = this.#level;
    const nside = this.nside;
    for (let k = 0; k < n; k++) {
      const ra = raDeg[k]!;
      const dec = decDeg[k]!;
      if (!(dec >= -90 && dec <= 90) || !Number.isFinite(ra)) {
        result[k] = NaN;
        continue;
      }
      result[k] = ang2nest(HALF_PI - dec * DEG, ra * DEG, level, nside);
    }
    return result;
  }

  #checkIndex(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.npix()) {
      throw new GeomInvalidArgumentError(
        `Invalid HEALPix NEST index ${i} at level ${this.#level}: expected an integer in [0, ${this.npix()}).`,
      );
    }
  }

  /**
   * The centre of a pixel, as HEALPix's `pix2vec`.
   *
   * @param i - a NEST index at this level
   * @returns the pixel centre
   * @throws GeomInvalidArgumentError if `i` is not a valid index at this level
   */
  center(i: number): UnitVector3d {
    this.#checkIndex(i);
    pix2loc(i, this.nside);
    locToVec();
    return new UnitVector3d(VEC[0]!, VEC[1]!, VEC[2]!);
  }

  /**
   * The centre of a pixel in degrees, as `healpy.pix2ang(nside, i, nest=True, lonlat=True)`.
   *
   * @param i - a NEST index at this level
   * @returns `[ra, dec]` in degrees, ra in [0, 360)
   * @throws GeomInvalidArgumentError if `i` is not a valid index at this level
   */
  centerRaDecDeg(i: number): [number, number] {
    this.#checkIndex(i);
    pix2loc(i, this.nside);
    const z = LOC[0]!;
    const sth = LOC[3] === 1 ? LOC[2]! : Math.sqrt((1 - z) * (1 + z));
    return [LOC[1]! * RAD, Math.atan2(z, sth) * RAD];
  }

  /**
   * The polygon of a pixel's 4 corners (north, west, south, east, as HEALPix's
   * `boundaries(nside, i, step=1)`), as lsst.sphgeom does. HEALPix pixel edges are not all great
   * circles, so the polygon only approximates the pixel; its vertices are exact.
   *
   * @param i - a NEST index at this level
   * @returns the quadrilateral
   * @throws GeomInvalidArgumentError if `i` is not a valid index at this level
   */
  pixel(i: number): ConvexPolygon {
    return new ConvexPolygon(this.corners(i));
  }

  /**
   * The 4 corners of a pixel, in the order of HEALPix's `boundaries(nside, i, step=1)`: north,
   * west, south, east (counter-clockwise seen from outside the sphere).
   *
   * @param i - a NEST index at this level
   * @returns the corners
   * @throws GeomInvalidArgumentError if `i` is not a valid index at this level
   */
  corners(i: number): [UnitVector3d, UnitVector3d, UnitVector3d, UnitVector3d] {
    this.#checkIndex(i);
    nest2xyf(i, this.nside * this.nside);
    const face = XYF[2]!;
    const inv = 1 / this.nside;
    const xc = (XYF[0]! + 0.5) * inv;
    const yc = (XYF[1]! + 0.5) * inv;
    const dc = 0.5 * inv;
    const corner = (x: number, y: number): UnitVector3d => {
      xyf2loc(x, y, face);
      locToVec();
      return new UnitVector3d(VEC[0]!, VEC[1]!, VEC[2]!);
    };
    return [corner(xc + dc, yc + dc), corner(xc - dc, yc + dc), corner(xc - dc, yc - dc), corner(xc + dc, yc - dc)];
  }

  /**
   * The pixels whose centres lie inside a convex polygon: the same set as healpy's
   * `query_polygon(nside, vertices, inclusive=False, nest=True)`. A hierarchical search from
   * the 12 base pixels prunes with a bounding circle per pixel; at this level each centre is
   * tested against the half-space of every edge, with HEALPix's threshold.
   *
   * @param polygon - the polygon
   * @returns the NEST indices at this level
   */
  queryPolygon(polygon: ConvexPolygon): RangeSet {
    return this.#find(polygonZoner(polygon), 2, 0);
  }

  /**
   * Every pixel that might intersect a region (a superset, as sphgeom's envelopes are): pixels
   * whose bounding circle is not known to be disjoint from the region.
   *
   * @param region - the region
   * @param maxRanges - if positive, the most ranges the result may have; the search then
   *   coarsens the result (making it a larger superset) to stay within it. 0: no limit
   * @returns the NEST indices at this level
   * @throws GeomInvalidArgumentError if `maxRanges` is not a non-negative integer
   */
  envelope(region: Region, maxRanges = 0): RangeSet {
    return this.#find(this.#zonerOf(region), 1, maxRanges);
  }

  /**
   * Pixels that certainly lie inside a region (possibly not all of them): pixels whose bounding
   * circle lies inside it.
   *
   * @param region - the region
   * @param maxRanges - if positive, the most ranges the result may have; the search then drops
   *   small ranges to stay within it. 0: no limit
   * @returns the NEST indices at this level
   * @throws GeomInvalidArgumentError if `maxRanges` is not a non-negative integer
   */
  interior(region: Region, maxRanges = 0): RangeSet {
    return this.#find(this.#zonerOf(region), 3, maxRanges);
  }

  #zonerOf(region: Region): Zoner {
    return region instanceof ConvexPolygon ? polygonZoner(region) : regionZoner(region);
  }

  #find(zoner: Zoner, minZone: number, maxRanges: number): RangeSet {
    if (!Number.isSafeInteger(maxRanges) || maxRanges < 0) {
      throw new GeomInvalidArgumentError(`Invalid maxRanges ${maxRanges}: expected a non-negative integer.`);
    }
    const finder = new HealpixPixelFinder(zoner, this.#level, minZone, maxRanges);
    finder.run();
    return RangeSet.fromCanonicalBoundaries(finder.boundaries);
  }

  /**
   * @param other - another pixelization
   * @returns true if both have the same level
   */
  equals(other: HealpixPixelization): boolean {
    return this.#level === other.#level;
  }

  /** @returns `HealpixPixelization(level)` */
  toString(): string {
    return `HealpixPixelization(${this.#level})`;
  }
}
