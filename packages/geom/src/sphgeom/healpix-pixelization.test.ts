import { spawnSync } from 'node:child_process';
import { CI, PYTHON, runPythonJson } from '@skystack/test-support';
import { describe, expect, it } from 'vitest';
import { GeomInvalidArgumentError } from '../errors.js';
import { Angle } from '../angle.js';
import { Circle } from './circle.js';
import { ConvexPolygon } from './convex-polygon.js';
import { HealpixPixelization } from './healpix-pixelization.js';
import { LonLat } from './lon-lat.js';
import { RangeSet } from './range-set.js';
import { UnitVector3d } from './unit-vector3d.js';

/** Whether /usr/bin/python3 has healpy (the reference); under CI its absence fails the run. */
function healpyAvailable(): boolean {
  const r = spawnSync(PYTHON, ['-c', 'import healpy, numpy'], { encoding: 'utf8' });
  if (r.status === 0) return true;
  if (CI) throw new Error(`${PYTHON} cannot import healpy: ${r.stderr}. Run \`bash scripts/install-test-deps.sh\`.`);
  return false;
}
const haveHealpy = healpyAvailable();

const DEG = Math.PI / 180;

/** A small deterministic generator (Park–Miller), so failures reproduce. */
function makeRandom(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 48271) % 2147483647) / 2147483647;
}

function vecDeg(ra: number, dec: number): UnitVector3d {
  return UnitVector3d.fromLonLatRadians(ra * DEG, dec * DEG);
}

/** A random convex polygon: the hull of 3..8 random points within `radiusDeg` of a centre. */
function randomPolygon(rand: () => number, raDeg: number, decDeg: number, radiusDeg: number): ConvexPolygon {
  const c = vecDeg(raDeg, decDeg);
  const north = UnitVector3d.northFrom(c);
  const n = 3 + Math.floor(rand() * 6);
  const pts: UnitVector3d[] = [];
  for (let k = 0; k < n; k++) {
    // A point at distance in [0.5, 1]·radius and random bearing from the centre.
    const d = radiusDeg * (0.5 + 0.5 * rand()) * DEG;
    const bearing = (2 * Math.PI * (k + 0.8 * rand())) / n;
    const t = north.rotatedAround(c, Angle.fromRadians(bearing));
    const s = Math.sin(d);
    const co = Math.cos(d);
    pts.push(new UnitVector3d(co * c.x + s * t.x, co * c.y + s * t.y, co * c.z + s * t.z));
  }
  return ConvexPolygon.convexHull(pts);
}

interface PolygonCase {
  nside: number;
  polygon: ConvexPolygon;
  label: string;
}

function polygonCases(): PolygonCase[] {
  const rand = makeRandom(424242);
  const cases: PolygonCase[] = [];
  // Small patches (about 0.1°) at nside 32768, as HealSparse coadd input maps use.
  for (let k = 0; k < 10; k++) {
    const ra = rand() * 360;
    const dec = Math.asin(2 * rand() - 1) / DEG;
    cases.push({ nside: 32768, polygon: randomPolygon(rand, ra, dec, 0.08), label: `0.1° patch at (${ra.toFixed(2)}, ${dec.toFixed(2)})` });
  }
  // Medium polygons at nside 1024 and big ones at low nside.
  for (let k = 0; k < 8; k++) {
    const ra = rand() * 360;
    const dec = Math.asin(2 * rand() - 1) / DEG;
    cases.push({ nside: 1024, polygon: randomPolygon(rand, ra, dec, 1.5), label: `1.5° polygon at (${ra.toFixed(2)}, ${dec.toFixed(2)})` });
  }
  for (let k = 0; k < 8; k++) {
    const ra = rand() * 360;
    const dec = Math.asin(2 * rand() - 1) / DEG;
    const nside = [4, 16, 64][k % 3]!;
    cases.push({ nside, polygon: randomPolygon(rand, ra, dec, 40), label: `40° polygon at (${ra.toFixed(2)}, ${dec.toFixed(2)})` });
  }
  // Across RA = 0, around the poles, across the equatorial/polar transition, on a face corner.
  cases.push({ nside: 32768, polygon: randomPolygon(rand, 0.01, -30, 0.08), label: 'patch across RA=0' });
  cases.push({ nside: 256, polygon: randomPolygon(rand, 359.5, 10, 5), label: '5° polygon across RA=0' });
  cases.push({ nside: 32768, polygon: randomPolygon(rand, 30, 89.99, 0.05), label: 'patch around the north pole' });
  cases.push({ nside: 128, polygon: randomPolygon(rand, 200, -88, 6), label: 'polygon around the south pole' });
  cases.push({ nside: 4096, polygon: randomPolygon(rand, 100, Math.asin(2 / 3) / DEG, 0.5), label: 'polygon across dec = asin(2/3)' });
  cases.push({ nside: 2048, polygon: randomPolygon(rand, 45, 0, 0.5), label: 'polygon on a base-pixel corner' });
  return cases;
}

interface OracleInput {
  ra: number[];
  dec: number[];
  nsides: number[];
  vec: number[][];
  lonLatRad: number[][];
  pixels: Array<{ nside: number; pix: number[] }>;
  polygons: Array<{ nside: number; verts: number[][] }>;
  discs: Array<{ nside: number; center: number[]; radius: number }>;
}

interface OracleOutput {
  ang2pix: number[][];
  vec2pix: number[][];
  ang2pixRad: number[][];
  pix2ang: Array<{ ra: number[]; dec: number[] }>;
  boundaries: number[][][][];
  polygons: number[][];
  discs: number[][];
}

const ORACLE = String.raw`
import sys, json
import numpy as np
import healpy as hp
d = json.load(sys.stdin)
ra = np.array(d['ra'], dtype=float); dec = np.array(d['dec'], dtype=float)
vec = np.array(d['vec'], dtype=float); ll = np.array(d['lonLatRad'], dtype=float)
out = {'ang2pix': [], 'vec2pix': [], 'ang2pixRad': [], 'pix2ang': [], 'boundaries': [], 'polygons': [], 'discs': []}
for nside in d['nsides']:
    out['ang2pix'].append(hp.ang2pix(nside, ra, dec, nest=True, lonlat=True).tolist())
    out['vec2pix'].append(hp.vec2pix(nside, vec[:, 0], vec[:, 1], vec[:, 2], nest=True).tolist())
    out['ang2pixRad'].append(hp.ang2pix(nside, np.pi / 2 - ll[:, 1], ll[:, 0], nest=True).tolist())
for p in d['pixels']:
    pix = np.array(p['pix'], dtype=np.int64)
    lon, lat = hp.pix2ang(p['nside'], pix, nest=True, lonlat=True)
    out['pix2ang'].append({'ra': lon.tolist(), 'dec': lat.tolist()})
    b = hp.boundaries(p['nside'], pix, step=1, nest=True)
    out['boundaries'].append(np.transpose(b, (0, 2, 1)).tolist())
for p in d['polygons']:
    out['polygons'].append(hp.query_polygon(p['nside'], np.array(p['verts']), inclusive=False, nest=True).tolist())
for c in d['discs']:
    out['discs'].append(hp.query_disc(c['nside'], np.array(c['center']), c['radius'], inclusive=False, nest=True).tolist())
print(json.dumps(out))
`;

const LEVELS = [0, 1, 4, 10, 15, 17, 24];
const NSIDES = LEVELS.map((l) => 2 ** l);

function buildInput(): { input: OracleInput; ra: Float64Array; dec: Float64Array; vecs: UnitVector3d[]; lonLats: LonLat[]; polys: PolygonCase[]; discs: Circle[] } {
  const rand = makeRandom(20240611);
  const ra: number[] = [];
  const dec: number[] = [];
  for (let i = 0; i < 100_000; i++) {
    ra.push(rand() * 360);
    dec.push(Math.asin(2 * rand() - 1) / DEG);
  }
  // Hard points: poles, the polar/equatorial transition, base-pixel meridians, tiny offsets.
  const transition = Math.asin(2 / 3) / DEG;
  const hardDec = [90, -90, 0, -0, transition, -transition, 89.99999999, -89.99999999, 41.81, -41.81, 5e-324, 1e-14];
  for (const t of [transition, -transition, 90, -90, 0, 89.42700024, 60])
    for (const eps of [1e-13, -1e-13, 1e-10, -1e-10]) hardDec.push(t + eps);
  const hardRa = [0, -0, 360, 45, 90, 135, 180, 225, 270, 315, 359.99999999999994, -1e-13, 1e-13, 90 + 1e-12, 90 - 1e-12, 720.5, -45];
  for (const d of hardDec) {
    if (d < -90 || d > 90) continue;
    for (const r of hardRa) {
      ra.push(r);
      dec.push(d);
    }
  }
  const vecs: UnitVector3d[] = [];
  for (let i = 0; i < 2000; i++) vecs.push(new UnitVector3d(2 * rand() - 1, 2 * rand() - 1, 2 * rand() - 1));
  vecs.push(UnitVector3d.Z(), UnitVector3d.Z().negate(), UnitVector3d.X(), new UnitVector3d(1, 1, 0), new UnitVector3d(0, 0.7, 0.7));
  const lonLats: LonLat[] = [];
  for (let i = 0; i < 2000; i++) lonLats.push(LonLat.fromRadians(rand() * 2 * Math.PI, Math.asin(2 * rand() - 1)));
  lonLats.push(LonLat.fromDegrees(0, 90), LonLat.fromDegrees(90, -90), LonLat.fromDegrees(45, 0));

  const pixels = LEVELS.map((level) => {
    const nside = 2 ** level;
    const npix = 12 * nside * nside;
    const pix = new Set<number>([0, 1, 2, 3, npix - 1, npix - 4, nside * nside - 1, 4 * nside * nside, 8 * nside * nside - 1]);
    for (let i = 0; i < Math.min(npix, 300); i++) pix.add(Math.floor(rand() * npix));
    return { nside, pix: [...pix].sort((a, b) => a - b) };
  });
  const polys = polygonCases();
  const discCenters = [vecDeg(10, 20), vecDeg(0, 89.9), vecDeg(200, -45)];
  const discs = [
    new Circle(discCenters[0]!, Angle.fromDegrees(0.05)),
    new Circle(discCenters[1]!, Angle.fromDegrees(0.2)),
    new Circle(discCenters[2]!, Angle.fromDegrees(3)),
  ];
  const discNsides = [32768, 8192, 256];
  const input: OracleInput = {
    ra,
    dec,
    nsides: NSIDES,
    vec: vecs.map((v) => [v.x, v.y, v.z]),
    lonLatRad: lonLats.map((l) => [l.getLon().asRadians(), l.getLat().asRadians()]),
    pixels,
    polygons: polys.map((p) => ({ nside: p.nside, verts: p.polygon.getVertices().map((v) => [v.x, v.y, v.z]) })),
    discs: discs.map((c, k) => {
      const v = c.getCenter();
      return { nside: discNsides[k]!, center: [v.x, v.y, v.z], radius: c.getOpeningAngle().asRadians() };
    }),
  };
  return { input, ra: Float64Array.from(ra), dec: Float64Array.from(dec), vecs, lonLats, polys, discs };
}

function angleBetween(a: UnitVector3d, b: UnitVector3d): number {
  return a.angleTo(b).asRadians();
}

function isSubset(a: RangeSet, b: RangeSet): boolean {
  return a.difference(b).isEmpty();
}

describe.skipIf(!haveHealpy)('HealpixPixelization against healpy', () => {
  const data = buildInput();
  const ref = runPythonJson<OracleOutput>(ORACLE, [], data.input);

  it.each(LEVELS.map((l, k) => [l, k] as const))('indexRaDecDeg equals healpy.ang2pix(nest, lonlat) at level %i', (level, k) => {
    const h = new HealpixPixelization(level);
    const out = h.indexRaDecDeg(data.ra, data.dec, new Float64Array(data.ra.length));
    const expected = ref.ang2pix[k]!;
    const bad: string[] = [];
    for (let i = 0; i < out.length; i++) {
      if (out[i] !== expected[i]) bad.push(`(${data.ra[i]}, ${data.dec[i]}): ${out[i]} vs ${expected[i]}`);
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it.each(LEVELS.map((l, k) => [l, k] as const))('index(v) and indexLonLat equal healpy vec2pix / ang2pix at level %i', (level, k) => {
    const h = new HealpixPixelization(level);
    expect(data.vecs.map((v) => h.index(v))).toEqual(ref.vec2pix[k]);
    expect(data.lonLats.map((l) => h.indexLonLat(l))).toEqual(ref.ang2pixRad[k]);
  });

  it('center and centerRaDecDeg agree with healpy.pix2ang to 1e-12 rad', () => {
    data.input.pixels.forEach(({ nside, pix }, k) => {
      const h = new HealpixPixelization(HealpixPixelization.nsideToLevel(nside));
      const { ra, dec } = ref.pix2ang[k]!;
      pix.forEach((i, j) => {
        const expected = vecDeg(ra[j]!, dec[j]!);
        expect(angleBetween(h.center(i), expected)).toBeLessThan(1e-12);
        const [r, d] = h.centerRaDecDeg(i);
        expect(angleBetween(vecDeg(r, d), expected)).toBeLessThan(1e-12);
        expect(Math.abs(d - dec[j]!) * DEG).toBeLessThan(1e-12);
        expect(r).toBeGreaterThanOrEqual(0);
        expect(r).toBeLessThan(360);
      });
    });
  });

  it('pixel(i) corners equal healpy.boundaries(step=1) to 1e-12', () => {
    data.input.pixels.forEach(({ nside, pix }, k) => {
      const h = new HealpixPixelization(HealpixPixelization.nsideToLevel(nside));
      pix.forEach((i, j) => {
        const verts = h.pixel(i).getVertices();
        const expected = ref.boundaries[k]![j]!;
        expect(verts).toHaveLength(4);
        verts.forEach((v, c) => {
          const e = expected[c]!;
          expect(Math.max(Math.abs(v.x - e[0]!), Math.abs(v.y - e[1]!), Math.abs(v.z - e[2]!))).toBeLessThan(1e-12);
        });
      });
    });
  });

  it('queryPolygon returns exactly healpy.query_polygon(inclusive=False, nest=True)', () => {
    const mismatches: string[] = [];
    let total = 0;
    data.polys.forEach(({ nside, polygon, label }, k) => {
      const h = new HealpixPixelization(HealpixPixelization.nsideToLevel(nside));
      const mine = h.queryPolygon(polygon);
      const expected = RangeSet.fromValues(ref.polygons[k]!);
      total += expected.cardinality();
      if (!mine.equals(expected)) {
        mismatches.push(`${label} nside ${nside}: +${mine.difference(expected).cardinality()} −${expected.difference(mine).cardinality()}`);
      }
    });
    expect(mismatches).toEqual([]);
    expect(total).toBeGreaterThan(10_000); // the cases are not trivially empty
  });

  it('envelope ⊇ queryPolygon ⊇ interior; interior pixels have their 4 corners inside', () => {
    data.polys.forEach(({ nside, polygon }, k) => {
      if (nside > 4096 && k % 3 !== 0) return; // a sample of the fine ones keeps this fast
      const h = new HealpixPixelization(HealpixPixelization.nsideToLevel(nside));
      const centres = RangeSet.fromValues(ref.polygons[k]!);
      const env = h.envelope(polygon);
      const int = h.interior(polygon);
      expect(isSubset(centres, env)).toBe(true);
      expect(isSubset(int, centres)).toBe(true);
      for (const i of int.values()) {
        for (const v of h.pixel(i).getVertices()) expect(polygon.contains(v)).toBe(true);
      }
      // Every pixel with a corner inside the polygon intersects it, so it must be in the envelope.
      for (const [b, e] of env.complemented().intersection(h.universe())) {
        for (let i = Math.max(b, 0); i < Math.min(e, b + 50); i++) {
          for (const v of h.pixel(i).getVertices()) expect(polygon.contains(v)).toBe(false);
        }
      }
    });
  });

  it('envelope / interior of circles bracket healpy.query_disc(inclusive=False)', () => {
    const discNsides = data.input.discs.map((d) => d.nside);
    data.discs.forEach((circle, k) => {
      const h = new HealpixPixelization(HealpixPixelization.nsideToLevel(discNsides[k]!));
      const centres = RangeSet.fromValues(ref.discs[k]!);
      expect(centres.isEmpty()).toBe(false);
      const env = h.envelope(circle);
      const int = h.interior(circle);
      expect(isSubset(centres, env)).toBe(true);
      expect(isSubset(int, centres)).toBe(true);
      expect(int.isEmpty()).toBe(false);
      // Not a wild superset: the envelope stays within a ring of a few pixels around the disc.
      expect(env.cardinality()).toBeLessThan(1.5 * centres.cardinality() + 200);
    });
  });
});

describe('HealpixPixelization', () => {
  it('has nside = 2^level, 12·nside² pixels of area 4π/npix', () => {
    for (const level of [0, 3, 15, 24]) {
      const h = new HealpixPixelization(level);
      expect(h.nside).toBe(2 ** level);
      expect(h.getLevel()).toBe(level);
      expect(h.universe().ranges()).toEqual([[0, 12 * 4 ** level]]);
      expect(h.pixelArea() * 12 * 4 ** level).toBeCloseTo(4 * Math.PI, 12);
    }
    expect(HealpixPixelization.MAX_LEVEL).toBe(24);
    expect(12 * 4 ** HealpixPixelization.MAX_LEVEL).toBeLessThan(2 ** 53);
    expect(HealpixPixelization.nsideToLevel(32768)).toBe(15);
    expect(HealpixPixelization.nsideToLevel(1)).toBe(0);
    expect(HealpixPixelization.levelToNside(8)).toBe(256);
  });

  it('numbers the 12 base pixels as HEALPix does (face centres)', () => {
    // Base pixel f: north faces 0..3 at z = 2/3, equatorial 4..7 at z = 0, south 8..11 at z = -2/3,
    // longitudes (π/4)·JPLL[f].
    const h = new HealpixPixelization(0);
    for (let f = 0; f < 12; f++) {
      const row = Math.floor(f / 4);
      const z = [2 / 3, 0, -2 / 3][row]!;
      const lon = row === 1 ? (f - 4) * 90 : 45 + 90 * (f % 4);
      const s = Math.sqrt(1 - z * z);
      const expected = new UnitVector3d(s * Math.cos(lon * DEG), s * Math.sin(lon * DEG), z);
      expect(angleBetween(h.center(f), expected)).toBeLessThan(1e-14);
      expect(h.index(expected)).toBe(f);
    }
  });

  it('nests: children of pixel i are 4i..4i+3, and every point indexes into a child of its parent', () => {
    const rand = makeRandom(7);
    const coarse = new HealpixPixelization(12);
    const fine = new HealpixPixelization(24);
    for (let k = 0; k < 1000; k++) {
      const v = new UnitVector3d(2 * rand() - 1, 2 * rand() - 1, 2 * rand() - 1);
      expect(Math.floor(fine.index(v) / 4 ** 12)).toBe(coarse.index(v));
    }
    const h = new HealpixPixelization(5);
    for (const i of [0, 1, 777, 12287]) {
      const child = new HealpixPixelization(6);
      for (let c = 0; c < 4; c++) expect(h.index(child.center(4 * i + c))).toBe(i);
    }
  });

  it('index(center(i)) === i and pixel(i) contains its centre at every level', () => {
    for (const level of [0, 1, 2, 3]) {
      const h = new HealpixPixelization(level);
      for (let i = 0; i < 12 * 4 ** level; i++) {
        expect(h.index(h.center(i))).toBe(i);
        expect(h.pixel(i).contains(h.center(i))).toBe(true);
      }
    }
    const rand = makeRandom(99);
    for (const level of [15, 20, 24]) {
      const h = new HealpixPixelization(level);
      for (let k = 0; k < 300; k++) {
        const i = Math.floor(rand() * 12 * 4 ** level);
        expect(h.index(h.center(i))).toBe(i);
        const [ra, dec] = h.centerRaDecDeg(i);
        expect(h.indexRaDecDeg([ra], [dec])[0]).toBe(i);
      }
    }
  });

  it('indexRaDecDeg gives NaN for invalid points and accepts plain arrays', () => {
    const h = new HealpixPixelization(15);
    const out = h.indexRaDecDeg([NaN, 10, 10, Infinity, 10], [0, 90.5, -91, 0, NaN]);
    expect(Array.from(out).every(Number.isNaN)).toBe(true);
    expect(h.indexRaDecDeg([], []).length).toBe(0);
  });

  it('queryPolygon, envelope and interior are consistent with point containment (analytic)', () => {
    const h = new HealpixPixelization(9);
    const poly = ConvexPolygon.convexHull([vecDeg(10, 10), vecDeg(14, 10.5), vecDeg(13, 14), vecDeg(9.5, 13)]);
    const q = h.queryPolygon(poly);
    const env = h.envelope(poly);
    for (const i of env.values()) expect(q.contains(i)).toBe(poly.contains(h.center(i)));
    expect(isSubset(h.interior(poly), q)).toBe(true);
    // maxRanges coarsens outwards (envelope) and inwards (interior).
    const env4 = h.envelope(poly, 4);
    expect(env4.size).toBeLessThanOrEqual(4);
    expect(isSubset(env, env4)).toBe(true);
    const int2 = h.interior(poly, 2);
    expect(int2.size).toBeLessThanOrEqual(2);
    expect(isSubset(int2, h.interior(poly))).toBe(true);
  });

  it('rejects invalid levels, nsides and indices with GeomInvalidArgumentError', () => {
    for (const level of [-1, 25, 1.5, NaN]) {
      expect(() => new HealpixPixelization(level)).toThrow(GeomInvalidArgumentError);
    }
    expect(() => new HealpixPixelization(25)).toThrow(/Invalid HEALPix level 25: expected an integer in \[0, 24\]/);
    for (const nside of [0, 3, 100, 2 ** 25, 0.5, -4]) {
      expect(() => HealpixPixelization.nsideToLevel(nside)).toThrow(GeomInvalidArgumentError);
    }
    expect(() => HealpixPixelization.nsideToLevel(100)).toThrow(/nside 100: expected a power of 2/);
    const h = new HealpixPixelization(2);
    for (const i of [-1, 192, 1.5, NaN]) {
      expect(() => h.center(i)).toThrow(GeomInvalidArgumentError);
      expect(() => h.pixel(i)).toThrow(/Invalid HEALPix NEST index/);
    }
    expect(() => h.indexRaDecDeg([1, 2], [1])).toThrow(GeomInvalidArgumentError);
    expect(() => h.envelope(Circle.full(), -1)).toThrow(GeomInvalidArgumentError);
    try {
      new HealpixPixelization(-3);
    } catch (e) {
      expect((e as GeomInvalidArgumentError).code).toBe('GEOM_INVALID_ARGUMENT');
    }
  });

  it('equals and toString follow sphgeom', () => {
    expect(new HealpixPixelization(7).equals(new HealpixPixelization(7))).toBe(true);
    expect(new HealpixPixelization(7).equals(new HealpixPixelization(8))).toBe(false);
    expect(new HealpixPixelization(17).toString()).toBe('HealpixPixelization(17)');
  });
});
