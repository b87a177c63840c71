// lsst.sphgeom's binary region encoding (`Region.encode()` / `Region.decode()`), as written in
// Butler export YAML (`!<lsst.sphgeom.ConvexPolygon> {encoded: <hex>}`) and in the registry's
// region columns.
//
// Layout, from lsst/sphgeom (src/ConvexPolygon.cc, Circle.cc, Box.cc, Ellipse.cc,
// CompoundRegion.cc, Region.cc, include/lsst/sphgeom/codec.h): one type-code byte, then IEEE
// float64 values in little-endian byte order, no padding, no version byte.
//
//   'p' 0x70 ConvexPolygon  1 + 24·N bytes, N ≥ 3: x, y, z of each vertex, in stored order
//   'c' 0x63 Circle         41 bytes: centre x, y, z, squared chord length, opening angle (rad)
//   'b' 0x62 Box            33 bytes: lon.a, lon.b, lat.a, lat.b (rad)
//   'e' 0x65 Ellipse        113 bytes: matrix S row by row (9), a, b, gamma, |tan a|, |tan b|
//   'u' 0x75 UnionRegion    then per operand: uint64 little-endian byte count, operand encoding
//   'i' 0x69 IntersectionRegion, the same as 'u'
import { GeomInvalidArgumentError } from '../errors.js';
import { AngleInterval } from './angle-interval.js';
import { Circle, circleFromFields } from './circle.js';
import { ConvexPolygon, convexPolygonFromVerticesUnchecked } from './convex-polygon.js';
import { LonLatBox } from './lon-lat-box.js';
import { NormalizedAngleInterval } from './normalized-angle-interval.js';
import type { Region } from './region.js';
import { UnitVector3d } from './unit-vector3d.js';

/**
 * The type-code bytes that start lsst.sphgeom's region encodings (`TYPE_CODE` of each C++
 * region class).
 *
 * @example
 * ```ts
 * const bytes = encodeRegion(new Circle(UnitVector3d.Z(), Angle.fromDegrees(1)));
 * bytes[0] === RegionTypeCode.CIRCLE; // true ('c')
 * ```
 * @see lsst.sphgeom.Region.decode
 */
export const RegionTypeCode = Object.freeze({
  /** `'b'`: {@link LonLatBox} (lsst.sphgeom.Box). */
  BOX: 0x62,
  /** `'c'`: {@link Circle}. */
  CIRCLE: 0x63,
  /** `'e'`: lsst.sphgeom.Ellipse (no TypeScript class yet). */
  ELLIPSE: 0x65,
  /** `'i'`: lsst.sphgeom.IntersectionRegion (no TypeScript class yet). */
  INTERSECTION: 0x69,
  /** `'p'`: {@link ConvexPolygon}. */
  CONVEX_POLYGON: 0x70,
  /** `'u'`: lsst.sphgeom.UnionRegion (no TypeScript class yet). */
  UNION: 0x75,
} as const);

const CIRCLE_SIZE = 41;
const BOX_SIZE = 33;
const ELLIPSE_SIZE = 113;
const VERTEX_SIZE = 24;

/**
 * Encodes a region as lsst.sphgeom's `Region.encode()` does: a type-code byte followed by
 * little-endian float64 values (see {@link RegionTypeCode}). A polygon's vertices are written in
 * their stored order and a circle's centre, squared chord length and opening angle exactly as
 * stored, so `encodeRegion(decodeRegion(b))` gives back `b` bit for bit. An empty
 * {@link LonLatBox} is written as sphgeom writes its empty box (longitudes NaN, latitudes
 * `[1, 0]`).
 *
 * @param region - a {@link ConvexPolygon}, {@link Circle} or {@link LonLatBox}
 * @returns the encoded bytes (a new array)
 * @throws GeomInvalidArgumentError if the region is of another class
 * @example
 * ```ts
 * const box = LonLatBox.fromDegrees(350, -5, 10, 5);
 * const bytes = encodeRegion(box); // 33 bytes, bytes[0] === 0x62 ('b')
 * decodeRegion(bytes).equals(box); // true
 * ```
 * @see lsst.sphgeom.Region.encode
 */
export function encodeRegion(region: Region): Uint8Array {
  if (region instanceof ConvexPolygon) {
    const vertices = region.getVertices();
    const out = new Uint8Array(1 + VERTEX_SIZE * vertices.length);
    const view = new DataView(out.buffer);
    out[0] = RegionTypeCode.CONVEX_POLYGON;
    let o = 1;
    for (const v of vertices) {
      view.setFloat64(o, v.x, true);
      view.setFloat64(o + 8, v.y, true);
      view.setFloat64(o + 16, v.z, true);
      o += VERTEX_SIZE;
    }
    return out;
  }
  if (region instanceof Circle) {
    const c = region.getCenter();
    return pack(RegionTypeCode.CIRCLE, [
      c.x,
      c.y,
      c.z,
      region.getSquaredChordLength(),
      region.getOpeningAngle().asRadians(),
    ]);
  }
  if (region instanceof LonLatBox) {
    if (region.isEmpty()) return pack(RegionTypeCode.BOX, [NaN, NaN, 1, 0]);
    const lon = region.getLon();
    const lat = region.getLat();
    return pack(RegionTypeCode.BOX, [
      lon.getA().asRadians(),
      lon.getB().asRadians(),
      lat.getA().asRadians(),
      lat.getB().asRadians(),
    ]);
  }
  throw new GeomInvalidArgumentError(
    `Cannot encode a region of class ${region.constructor.name}: expected a ConvexPolygon, Circle or LonLatBox.`,
  );
}

/**
 * Decodes a region written by lsst.sphgeom's `Region.encode()` (or by {@link encodeRegion}),
 * dispatching on the type-code byte as `lsst.sphgeom.Region.decode` does.
 *
 * As in sphgeom, nothing is recomputed or checked beyond the type code and the length: a
 * polygon keeps its vertices exactly as encoded and in the encoded order (no convex hull, no
 * convexity check, near-duplicate vertices kept), a circle keeps its stored squared chord length
 * and opening angle, so that re-encoding gives the same bytes. A box's latitudes are clipped to
 * [-π/2, π/2] and a box with an empty interval becomes the empty box, as sphgeom's decoder does.
 *
 * @param bytes - the encoded region (any `Uint8Array`, e.g. a Node `Buffer` or a sub-array)
 * @returns a {@link ConvexPolygon}, {@link Circle} or {@link LonLatBox}
 * @throws GeomInvalidArgumentError if `bytes` is empty, starts with an unknown type code, has
 *   the wrong length for its type, holds a box longitude interval sphgeom cannot represent, or
 *   encodes an Ellipse, UnionRegion or IntersectionRegion (valid sphgeom encodings that
 *   `@skystack/geom` has no class for yet)
 * @example
 * ```ts
 * const triangle = new ConvexPolygon([UnitVector3d.Z(), UnitVector3d.X(), UnitVector3d.Y()]);
 * const region = decodeRegion(encodeRegion(triangle)); // 73 bytes: 'p' and 3 × (x, y, z)
 * if (region instanceof ConvexPolygon) console.log(region.getVertices().length); // 3
 * ```
 * @see lsst.sphgeom.Region.decode
 */
export function decodeRegion(bytes: Uint8Array): Region {
  const n = bytes.length;
  if (n === 0) {
    throw new GeomInvalidArgumentError('Cannot decode a region from an empty byte string: expected a type-code byte first.');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, n);
  const code = bytes[0]!;
  switch (code) {
    case RegionTypeCode.CONVEX_POLYGON: {
      if (n < 1 + 3 * VERTEX_SIZE || (n - 1) % VERTEX_SIZE !== 0) {
        throw wrongLength('ConvexPolygon', `1 + 24·N bytes with N ≥ 3 vertices (73, 97, 121, ...)`, n);
      }
      const vertices: UnitVector3d[] = [];
      for (let o = 1; o < n; o += VERTEX_SIZE) {
        vertices.push(
          UnitVector3d.fromNormalized(view.getFloat64(o, true), view.getFloat64(o + 8, true), view.getFloat64(o + 16, true)),
        );
      }
      return convexPolygonFromVerticesUnchecked(vertices);
    }
    case RegionTypeCode.CIRCLE: {
      if (n !== CIRCLE_SIZE) throw wrongLength('Circle', `${CIRCLE_SIZE} bytes`, n);
      const f = unpack(view, 5);
      return circleFromFields(UnitVector3d.fromNormalized(f[0]!, f[1]!, f[2]!), f[3]!, f[4]!);
    }
    case RegionTypeCode.BOX: {
      if (n !== BOX_SIZE) throw wrongLength('Box (LonLatBox)', `${BOX_SIZE} bytes`, n);
      const f = unpack(view, 4);
      let lon: NormalizedAngleInterval;
      try {
        lon = NormalizedAngleInterval.fromRadians(f[0]!, f[1]!);
      } catch (cause) {
        throw new GeomInvalidArgumentError(
          `Byte string is not a valid encoded Box: its longitude interval [${f[0]}, ${f[1]}] rad is not a normalized angle interval.`,
          { cause },
        );
      }
      return new LonLatBox(lon, AngleInterval.fromRadians(f[2]!, f[3]!));
    }
    case RegionTypeCode.ELLIPSE:
      if (n !== ELLIPSE_SIZE) throw wrongLength('Ellipse', `${ELLIPSE_SIZE} bytes`, n);
      throw unsupported('an lsst.sphgeom.Ellipse', "'e'");
    case RegionTypeCode.UNION:
      throw unsupported('an lsst.sphgeom.UnionRegion', "'u'");
    case RegionTypeCode.INTERSECTION:
      throw unsupported('an lsst.sphgeom.IntersectionRegion', "'i'");
    default:
      throw new GeomInvalidArgumentError(
        `Byte string is not an encoded region: unknown type code 0x${code.toString(16).padStart(2, '0')}` +
          `${code >= 0x20 && code < 0x7f ? ` ('${String.fromCharCode(code)}')` : ''}; expected one of ` +
          `'p' (ConvexPolygon), 'c' (Circle), 'b' (Box), 'e' (Ellipse), 'u' (UnionRegion), 'i' (IntersectionRegion).`,
        { hint: 'Hex strings from Butler YAML or the registry must be turned into bytes first: use regionFromHex.' },
      );
  }
}

/**
 * Encodes a region as lowercase hexadecimal, the form of the `encoded:` values in Butler export
 * YAML (`!<lsst.sphgeom.ConvexPolygon> {encoded: 70...}`), i.e. Python's
 * `region.encode().hex()`.
 *
 * @param region - a {@link ConvexPolygon}, {@link Circle} or {@link LonLatBox}
 * @returns two lowercase hex digits per byte of {@link encodeRegion}
 * @throws GeomInvalidArgumentError as {@link encodeRegion} does
 * @example
 * ```ts
 * regionToHex(new Circle(UnitVector3d.Z(), Angle.fromDegrees(1))).slice(0, 2); // '63' ('c')
 * ```
 * @see lsst.sphgeom.Region.encode
 */
export function regionToHex(region: Region): string {
  const bytes = encodeRegion(region);
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/**
 * Decodes a region from hexadecimal, as Python's `Region.decode(bytes.fromhex(s))` does for the
 * `encoded:` values of Butler export YAML. Upper- and lowercase digits are accepted; whitespace
 * is ignored.
 *
 * @param hex - the hex string
 * @returns the region, as {@link decodeRegion} returns it
 * @throws GeomInvalidArgumentError if `hex` has a non-hex character or an odd number of digits,
 *   or as {@link decodeRegion} does
 * @example
 * ```ts
 * const box = LonLatBox.fromDegrees(10, 20, 30, 40);
 * regionFromHex(regionToHex(box)).equals(box); // true
 * ```
 * @see lsst.sphgeom.Region.decode
 */
export function regionFromHex(hex: string): Region {
  const digits = hex.replace(/\s+/g, '');
  const bad = /[^0-9a-fA-F]/.exec(digits);
  if (bad) {
    throw new GeomInvalidArgumentError(
      `Cannot decode a region from hex: character ${JSON.stringify(bad[0])} at position ${bad.index} is not a hex digit.`,
    );
  }
  if (digits.length % 2 !== 0) {
    throw new GeomInvalidArgumentError(
      `Cannot decode a region from hex: expected an even number of hex digits (two per byte), got ${digits.length}.`,
    );
  }
  const bytes = new Uint8Array(digits.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return decodeRegion(bytes);
}

function pack(code: number, values: readonly number[]): Uint8Array {
  const out = new Uint8Array(1 + 8 * values.length);
  const view = new DataView(out.buffer);
  out[0] = code;
  values.forEach((x, i) => view.setFloat64(1 + 8 * i, x, true));
  return out;
}

function unpack(view: DataView, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(view.getFloat64(1 + 8 * i, true));
  return out;
}

function wrongLength(what: string, expected: string, got: number): GeomInvalidArgumentError {
  return new GeomInvalidArgumentError(
    `Byte string is not an encoded ${what}: expected ${expected} (type code included), got ${got}.`,
  );
}

function unsupported(what: string, code: string): GeomInvalidArgumentError {
  return new GeomInvalidArgumentError(
    `Decoding ${what} (type code ${code}) is not supported: @skystack/geom has no such region class yet.`,
    { hint: 'Only ConvexPolygon (p), Circle (c) and Box (b) encodings can be decoded.' },
  );
}
