/**
 * lsst.sphgeom's binary region encoding: bit-exact round trips of the regions in daf_butler's
 * real export files, physical consistency of the decoded polygons (convexity, detectors inside
 * their visit, the telescope pointing inside the visit), and hand-built byte strings following
 * the layout documented in lsst/sphgeom's C++ sources.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fixturePath } from '@skystack/test-support';
import { describe, expect, it } from 'vitest';
import { Angle } from '../angle.js';
import { GeomInvalidArgumentError } from '../errors.js';
import { Circle } from './circle.js';
import { ConvexPolygon } from './convex-polygon.js';
import { LonLat } from './lon-lat.js';
import { LonLatBox } from './lon-lat-box.js';
import { RegionTypeCode, decodeRegion, encodeRegion, regionFromHex, regionToHex } from './region-codec.js';
import type { Region } from './region.js';
import { UnitVector3d } from './unit-vector3d.js';

const DEG = Math.PI / 180;

function hexToBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
}

function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
}

function captureError(f: () => unknown): GeomInvalidArgumentError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(GeomInvalidArgumentError);
    return e as GeomInvalidArgumentError;
  }
  throw new Error('expected a GeomInvalidArgumentError');
}

// ---------------------------------------------------------------------------------------------
// Real Butler export files

const registryData = fixturePath('daf_butler', 'python', 'lsst', 'daf', 'butler', 'tests', 'registry_data');

interface ExportRecord {
  file: string;
  element: string;
  fields: Record<string, string>;
  hex?: string;
}

/** A small line scanner for Butler export YAML: dimension records with their scalar fields. */
function readRecords(file: string, text: string): ExportRecord[] {
  const records: ExportRecord[] = [];
  let element = '';
  let current: ExportRecord | undefined;
  for (const line of text.split('\n')) {
    const el = /^\s*(?:- )?element: (\w+)\s*$/.exec(line);
    if (el) {
      element = el[1]!;
      current = undefined;
      continue;
    }
    if (/^\s*- type: /.test(line)) {
      current = undefined;
      continue;
    }
    const start = /^\s*- (\w+): (.*)$/.exec(line);
    if (start && element !== '') {
      current = { file, element, fields: { [start[1]!]: start[2]!.trim() } };
      records.push(current);
      continue;
    }
    const enc = /^\s+encoded: ([0-9a-fA-F]+)\s*$/.exec(line);
    if (enc && current) {
      current.hex = enc[1]!;
      continue;
    }
    const kv = /^\s+(\w+): (.*)$/.exec(line);
    if (kv && current) current.fields[kv[1]!] = kv[2]!.trim();
  }
  return records;
}

const files = registryData ? readdirSync(registryData).filter((f) => f.endsWith('.yaml')).sort() : [];
const texts = new Map(files.map((f) => [f, readFileSync(join(registryData!, f), 'utf8')]));

/** Chord-length tolerance for "on the boundary" (≈ 2e-4 arcsec). */
const TOL = 1e-9;

function normal(a: UnitVector3d, b: UnitVector3d): [number, number, number] | undefined {
  const nx = a.y * b.z - a.z * b.y;
  const ny = a.z * b.x - a.x * b.z;
  const nz = a.x * b.y - a.y * b.x;
  const len = Math.hypot(nx, ny, nz);
  // Edges between (near-)duplicate vertices have no meaningful great circle.
  if (len < 1e-10) return undefined;
  return [nx / len, ny / len, nz / len];
}

/**
 * How far (in radians, approximately) `v` lies outside the polygon given by `verts` (counter-
 * clockwise): the largest distance to the wrong side of an edge's great circle; ≤ 0 inside.
 */
function outsideBy(verts: readonly UnitVector3d[], v: UnitVector3d): number {
  let worst = -Infinity;
  for (let i = 0; i < verts.length; i++) {
    const n = normal(verts[i]!, verts[(i + 1) % verts.length]!);
    if (n === undefined) continue;
    worst = Math.max(worst, -(n[0] * v.x + n[1] * v.y + n[2] * v.z));
  }
  return worst;
}

describe.skipIf(registryData === undefined)('regions in daf_butler registry_data/*.yaml (written by lsst.sphgeom)', () => {
  const all = [...texts].flatMap(([file, text]) => readRecords(file, text));
  const encoded = all.filter((r) => r.hex !== undefined);

  it('finds every encoded value with the scanner that the plain regex finds', () => {
    const plain = [...texts.values()].flatMap((t) => [...t.matchAll(/encoded: ([0-9a-fA-F]+)/g)].map((m) => m[1]!));
    expect(plain.length).toBeGreaterThanOrEqual(80);
    expect(encoded.map((r) => r.hex)).toEqual(plain);
  });

  it('round-trips every encoded region bit for bit', () => {
    for (const r of encoded) {
      const region = regionFromHex(r.hex!);
      expect(region, `${r.file} ${r.element}`).toBeInstanceOf(ConvexPolygon);
      expect(regionToHex(region)).toBe(r.hex!.toLowerCase());
      expect(bytesToHex(encodeRegion(decodeRegion(hexToBytes(r.hex!))))).toBe(r.hex!.toLowerCase());
      expect(bytesToHex((region as ConvexPolygon).encode())).toBe(r.hex!.toLowerCase());
    }
  });

  it('decodes convex, counter-clockwise polygons of unit vectors', () => {
    for (const r of encoded) {
      const poly = regionFromHex(r.hex!) as ConvexPolygon;
      const verts = poly.getVertices();
      expect(verts.length).toBeGreaterThanOrEqual(3);
      for (const v of verts) expect(Math.abs(Math.hypot(v.x, v.y, v.z) - 1)).toBeLessThan(1e-14);
      // No vertex lies to the right of any edge (beyond rounding), i.e. the polygon is convex
      // and its vertices run counter-clockwise.
      for (const v of verts) expect(outsideBy(verts, v), `${r.file} ${r.element} ${JSON.stringify(r.fields)}`).toBeLessThan(TOL);
      // Its centroid is strictly inside.
      const c = poly.getCentroid();
      expect(outsideBy(verts, c)).toBeLessThan(0);
      expect(poly.contains(c)).toBe(true);
    }
  });

  it('puts each visit_detector_region inside the polygon of its visit, and outside no visit it belongs to', () => {
    let checked = 0;
    for (const [file] of texts) {
      const recs = encoded.filter((r) => r.file === file);
      const visits = new Map(
        recs.filter((r) => r.element === 'visit').map((r) => [r.fields['id']!, regionFromHex(r.hex!) as ConvexPolygon]),
      );
      for (const r of recs.filter((x) => x.element === 'visit_detector_region')) {
        const visit = visits.get(r.fields['visit']!);
        expect(visit, `${file}: visit ${r.fields['visit']} of detector ${r.fields['detector']}`).toBeDefined();
        const det = regionFromHex(r.hex!) as ConvexPolygon;
        const where = `${file}: visit ${r.fields['visit']} detector ${r.fields['detector']}`;
        for (const v of det.getVertices()) expect(outsideBy(visit!.getVertices(), v), where).toBeLessThan(TOL);
        expect(visit!.contains(det.getCentroid()), where).toBe(true);
        expect(visit!.overlaps(det), where).toBe(true);
        checked++;
      }
    }
    // spatial.yaml (8), lsstcam-subset.yaml (4) and ci_hsc-subset.yaml.
    expect(checked).toBeGreaterThanOrEqual(12);
  });

  it('puts the telescope pointing (exposure tracking_ra/dec) inside the LSSTCam visit polygon', () => {
    const file = 'lsstcam-subset.yaml';
    const recs = all.filter((r) => r.file === file);
    const definitions = recs.filter((r) => r.element === 'visit_definition');
    expect(definitions.length).toBe(2);
    for (const d of definitions) {
      const exposure = recs.find((r) => r.element === 'exposure' && r.fields['id'] === d.fields['exposure'])!;
      const visit = recs.find((r) => r.element === 'visit' && r.fields['id'] === d.fields['visit'])!;
      const ra = Number(exposure.fields['tracking_ra']);
      const dec = Number(exposure.fields['tracking_dec']);
      const pointing = UnitVector3d.fromLonLatRadians(ra * DEG, dec * DEG);
      const poly = regionFromHex(visit.hex!) as ConvexPolygon;
      expect(poly.contains(pointing)).toBe(true);
      // The LSSTCam focal plane is about 3.5° across: its centre is close to the boresight.
      const c = LonLat.fromVector(poly.getCentroid());
      const sep = Math.acos(Math.min(1, poly.getCentroid().dot(pointing))) / DEG;
      expect(sep, `centroid (${c.getLon().asDegrees()}, ${c.getLat().asDegrees()}) vs (${ra}, ${dec})`).toBeLessThan(0.5);
      const radius = Math.max(...poly.getVertices().map((v) => Math.acos(Math.min(1, v.dot(pointing))) / DEG));
      expect(radius).toBeGreaterThan(1);
      expect(radius).toBeLessThan(2.5);
    }
  });

  it('decodes polygons that the validating ConvexPolygon constructor accepts as they are', () => {
    // The decoder skips the checks (as sphgeom does); the constructor's exact orientation tests
    // independently confirm that every real polygon is strictly convex and counter-clockwise,
    // including the spatial.yaml ones whose vertices differ only in their last bits.
    for (const r of encoded) {
      const poly = regionFromHex(r.hex!) as ConvexPolygon;
      const checked = new ConvexPolygon(poly.getVertices());
      expect(checked.equals(poly)).toBe(true);
      expect(regionToHex(checked)).toBe(r.hex!.toLowerCase());
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Circles and boxes

describe('Circle encoding', () => {
  it('decodes a circle built byte by byte from the documented layout', () => {
    // 'c', centre (0, 0, 1), squared chord length 1, opening angle π/3 (2·asin(1/2)).
    const hex =
      '63' +
      '0000000000000000' + // x = 0
      '0000000000000000' + // y = 0
      '000000000000f03f' + // z = 1
      '000000000000f03f' + // squared chord length = 1
      '65732d3852c1f03f'; //  opening angle = 1.0471975511965976 = π/3
    const c = regionFromHex(hex);
    expect(c).toBeInstanceOf(Circle);
    const circle = c as Circle;
    expect(circle.getCenter().z).toBe(1);
    expect(circle.getSquaredChordLength()).toBe(1);
    expect(circle.getOpeningAngle().asRadians()).toBe(Math.PI / 3);
    // A cap of radius 60° around the north pole: latitude 31° is in, 29° is out.
    expect(circle.containsLonLat(Angle.fromDegrees(123), Angle.fromDegrees(31))).toBe(true);
    expect(circle.containsLonLat(Angle.fromDegrees(123), Angle.fromDegrees(29))).toBe(false);
    expect(regionToHex(circle)).toBe(hex);
  });

  it('round-trips circles bit for bit and keeps the stored fields as they are', () => {
    const circles = [
      new Circle(UnitVector3d.fromLonLatRadians(30 * DEG, 45 * DEG), Angle.fromDegrees(1)),
      new Circle(new UnitVector3d(1, -2, 3), Angle.fromDegrees(1e-6)),
      Circle.fromSquaredChordLength(UnitVector3d.X(), 0.5),
      Circle.empty(),
      Circle.full(),
    ];
    for (const c of circles) {
      const bytes = encodeRegion(c);
      expect(bytes.length).toBe(41);
      expect(bytes[0]).toBe(RegionTypeCode.CIRCLE);
      const view = new DataView(bytes.buffer);
      expect(view.getFloat64(1, true)).toBe(c.getCenter().x);
      expect(view.getFloat64(9, true)).toBe(c.getCenter().y);
      expect(view.getFloat64(17, true)).toBe(c.getCenter().z);
      expect(view.getFloat64(25, true)).toBe(c.getSquaredChordLength());
      expect(view.getFloat64(33, true)).toBe(c.getOpeningAngle().asRadians());
      const back = decodeRegion(bytes) as Circle;
      expect(back).toBeInstanceOf(Circle);
      expect(back.equals(c)).toBe(true);
      expect(back.isEmpty()).toBe(c.isEmpty());
      expect(back.isFull()).toBe(c.isFull());
      expect(bytesToHex(encodeRegion(back))).toBe(bytesToHex(bytes));
      expect(bytesToHex(c.encode())).toBe(bytesToHex(bytes));
    }
  });

  it("writes sphgeom's empty circle: centre (0, 0, 1), squared chord length and angle −1", () => {
    expect(regionToHex(Circle.empty())).toBe(
      '63' + '0000000000000000' + '0000000000000000' + '000000000000f03f' + '000000000000f0bf' + '000000000000f0bf',
    );
  });
});

describe('LonLatBox encoding', () => {
  it('decodes a box built byte by byte from the documented layout', () => {
    // 'b', lon [0, π/2], lat [0, π/4].
    const hex = '62' + '0000000000000000' + '182d4454fb21f93f' + '0000000000000000' + '182d4454fb21e93f';
    const box = regionFromHex(hex) as LonLatBox;
    expect(box).toBeInstanceOf(LonLatBox);
    expect(box.getLon().getB().asRadians()).toBe(Math.PI / 2);
    expect(box.getLat().getB().asRadians()).toBe(Math.PI / 4);
    expect(box.containsLonLat(Angle.fromDegrees(45), Angle.fromDegrees(30))).toBe(true);
    expect(box.containsLonLat(Angle.fromDegrees(45), Angle.fromDegrees(50))).toBe(false);
    expect(box.containsLonLat(Angle.fromDegrees(100), Angle.fromDegrees(30))).toBe(false);
    expect(regionToHex(box)).toBe(hex);
  });

  it('round-trips boxes, including one that wraps through longitude 0', () => {
    const boxes = [
      LonLatBox.fromDegrees(350, -5, 10, 5),
      LonLatBox.fromDegrees(10.5, -89, 200.25, 90),
      LonLatBox.full(),
      LonLatBox.fromPoint(LonLat.fromDegrees(12, 34)),
    ];
    for (const b of boxes) {
      const bytes = encodeRegion(b);
      expect(bytes.length).toBe(33);
      expect(bytes[0]).toBe(RegionTypeCode.BOX);
      const view = new DataView(bytes.buffer);
      expect(view.getFloat64(1, true)).toBe(b.getLon().getA().asRadians());
      expect(view.getFloat64(9, true)).toBe(b.getLon().getB().asRadians());
      expect(view.getFloat64(17, true)).toBe(b.getLat().getA().asRadians());
      expect(view.getFloat64(25, true)).toBe(b.getLat().getB().asRadians());
      const back = decodeRegion(bytes) as LonLatBox;
      expect(back).toBeInstanceOf(LonLatBox);
      expect(back.equals(b)).toBe(true);
      expect(bytesToHex(encodeRegion(back))).toBe(bytesToHex(bytes));
      expect(bytesToHex(b.encode())).toBe(bytesToHex(bytes));
    }
    const wrap = decodeRegion(encodeRegion(boxes[0]!)) as LonLatBox;
    expect(wrap.containsLonLat(Angle.fromDegrees(0), Angle.fromDegrees(0))).toBe(true);
    expect(wrap.containsLonLat(Angle.fromDegrees(180), Angle.fromDegrees(0))).toBe(false);
  });

  it("writes the empty box as sphgeom does (longitudes NaN, latitudes [1, 0]) and reads it back empty", () => {
    const hex = regionToHex(LonLatBox.empty());
    expect(hex).toBe('62' + '000000000000f87f' + '000000000000f87f' + '000000000000f03f' + '0000000000000000');
    const back = regionFromHex(hex) as LonLatBox;
    expect(back.isEmpty()).toBe(true);
    expect(regionToHex(back)).toBe(hex);
  });

  it('clips latitudes to [-π/2, π/2] on decoding, as sphgeom does', () => {
    const hex = '62' + '0000000000000000' + '182d4454fb21f93f' + '000000000000f0bf' + '0000000000000840'; // lat [-1, 3]
    const box = regionFromHex(hex) as LonLatBox;
    expect(box.getLat().getA().asRadians()).toBe(-1);
    expect(box.getLat().getB().asRadians()).toBe(Math.PI / 2);
  });
});

describe('ConvexPolygon encoding', () => {
  it('writes the vertices in order as little-endian float64 triples after 0x70', () => {
    const p = new ConvexPolygon([UnitVector3d.Z(), UnitVector3d.X(), UnitVector3d.Y()]);
    const hex = regionToHex(p);
    const one = '000000000000f03f';
    const zero = '0000000000000000';
    expect(hex).toBe('70' + zero + zero + one + (one + zero + zero) + (zero + one + zero));
    const back = regionFromHex(hex) as ConvexPolygon;
    expect(back.getVertices().map((v) => [v.x, v.y, v.z])).toEqual([
      [0, 0, 1],
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(back.contains(new UnitVector3d(1, 1, 1))).toBe(true);
  });

  it('keeps the vertices exactly as encoded, unchecked, as sphgeom does (here a clockwise triangle)', () => {
    const one = '000000000000f03f';
    const zero = '0000000000000000';
    const hex = '70' + (one + zero + zero) + (zero + zero + one) + (zero + one + zero);
    expect(() => new ConvexPolygon([UnitVector3d.X(), UnitVector3d.Z(), UnitVector3d.Y()])).toThrow(GeomInvalidArgumentError);
    const back = regionFromHex(hex) as ConvexPolygon;
    expect(back.getVertices().map((v) => [v.x, v.y, v.z])).toEqual([
      [1, 0, 0],
      [0, 0, 1],
      [0, 1, 0],
    ]);
    expect(regionToHex(back)).toBe(hex);
  });

  it('decodes from a sub-array that does not start at the beginning of its buffer', () => {
    const p = new ConvexPolygon([UnitVector3d.Z(), UnitVector3d.X(), UnitVector3d.Y()]);
    const bytes = encodeRegion(p);
    const big = new Uint8Array(bytes.length + 5);
    big.set(bytes, 3);
    const back = decodeRegion(big.subarray(3, 3 + bytes.length)) as ConvexPolygon;
    expect(back.equals(p)).toBe(true);
  });
});

describe('errors', () => {
  const poly = encodeRegion(new ConvexPolygon([UnitVector3d.Z(), UnitVector3d.X(), UnitVector3d.Y()]));

  it('rejects empty input and unknown type codes', () => {
    expect(captureError(() => decodeRegion(new Uint8Array(0))).message).toMatch(/empty byte string/);
    const e = captureError(() => decodeRegion(Uint8Array.of(0x78, 1, 2, 3)));
    expect(e.message).toMatch(/unknown type code 0x78 \('x'\)/);
    expect(e.code).toBe('GEOM_INVALID_ARGUMENT');
  });

  it('rejects wrong lengths', () => {
    expect(captureError(() => decodeRegion(poly.subarray(0, 49))).message).toMatch(/ConvexPolygon.*N ≥ 3.*got 49/);
    const long = new Uint8Array(poly.length + 1);
    long.set(poly);
    expect(captureError(() => decodeRegion(long)).message).toMatch(/ConvexPolygon.*got 74/);
    const circle = encodeRegion(Circle.full());
    expect(captureError(() => decodeRegion(circle.subarray(0, 40))).message).toMatch(/Circle: expected 41 bytes.*got 40/);
    const box = new Uint8Array(34);
    box[0] = 0x62;
    expect(captureError(() => decodeRegion(box)).message).toMatch(/Box.*expected 33 bytes.*got 34/);
    const ellipse = new Uint8Array(100);
    ellipse[0] = 0x65;
    expect(captureError(() => decodeRegion(ellipse)).message).toMatch(/Ellipse: expected 113 bytes/);
  });

  it('says that Ellipse, UnionRegion and IntersectionRegion are valid encodings it cannot decode yet', () => {
    const ellipse = new Uint8Array(113);
    ellipse[0] = RegionTypeCode.ELLIPSE;
    expect(captureError(() => decodeRegion(ellipse)).message).toMatch(/Ellipse.*not supported/);
    // 'u' + (u64 length, operand) × 2, as CompoundRegion::_encode writes it.
    const compound = (code: number): Uint8Array => {
      const out = new Uint8Array(1 + 2 * (8 + poly.length));
      out[0] = code;
      const view = new DataView(out.buffer);
      for (let i = 0, o = 1; i < 2; i++, o += 8 + poly.length) {
        view.setBigUint64(o, BigInt(poly.length), true);
        out.set(poly, o + 8);
      }
      return out;
    };
    expect(captureError(() => decodeRegion(compound(RegionTypeCode.UNION))).message).toMatch(/UnionRegion.*not supported/);
    expect(captureError(() => decodeRegion(compound(RegionTypeCode.INTERSECTION))).message).toMatch(
      /IntersectionRegion.*not supported/,
    );
  });

  it('rejects bad hex and regions it cannot encode', () => {
    expect(captureError(() => regionFromHex('70a')).message).toMatch(/even number of hex digits/);
    expect(captureError(() => regionFromHex('70zz')).message).toMatch(/"z" at position 2/);
    expect(regionFromHex(regionToHex(Circle.full()).toUpperCase().replace(/(.{16})/g, '$1\n'))).toBeInstanceOf(Circle);
    expect(captureError(() => encodeRegion({} as Region)).message).toMatch(/Cannot encode a region of class Object/);
  });

  it('rejects a box longitude interval that sphgeom cannot represent', () => {
    const hex = '62' + '0000000000000840' + '000000000000f0bf' + '0000000000000000' + '000000000000f03f'; // lon [3, -1]
    expect(captureError(() => regionFromHex(hex)).message).toMatch(/longitude interval/);
  });
});
