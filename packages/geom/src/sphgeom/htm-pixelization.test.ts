import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Angle } from '../angle.js';
import { GeomInvalidArgumentError } from '../errors.js';
import { Circle } from './circle.js';
import { ConvexPolygon } from './convex-polygon.js';
import { HtmPixelization } from './htm-pixelization.js';
import { LonLat } from './lon-lat.js';
import { orientationExact } from './orientation.js';
import { RangeSet } from './range-set.js';
import { UnitVector3d } from './unit-vector3d.js';

/** Index from a trixel name such as "N32", computed independently of the code under test. */
function indexOfName(name: string): number {
  const hemisphere = name[0] === 'N' ? 4 : 0;
  let i = 8 + hemisphere + Number(name[1]);
  for (const d of name.slice(2)) i = 4 * i + Number(d);
  return i;
}

const X = UnitVector3d.X();
const Y = UnitVector3d.Y();
const Z = UnitVector3d.Z();
const c = 0.2928932188134525; // 1/(2 + √2)

// Test points and their level-1 trixels, from lsst/sphgeom tests/testHtmPixelization.cc (Index).
const SPHGEOM_POINTS: Array<[UnitVector3d, string]> = [
  [X, 'N32'],
  [Y, 'N22'],
  [Z, 'N31'],
  [X.negate(), 'N12'],
  [Y.negate(), 'N02'],
  [Z.negate(), 'S01'],
  [new UnitVector3d(1, 1, 0), 'N30'],
  [new UnitVector3d(-1, 1, 0), 'N20'],
  [new UnitVector3d(-1, -1, 0), 'N10'],
  [new UnitVector3d(1, -1, 0), 'N00'],
  [new UnitVector3d(1, 0, 1), 'N31'],
  [new UnitVector3d(0, 1, 1), 'N21'],
  [new UnitVector3d(-1, 0, 1), 'N11'],
  [new UnitVector3d(0, -1, 1), 'N01'],
  [new UnitVector3d(1, 0, -1), 'S00'],
  [new UnitVector3d(0, 1, -1), 'S10'],
  [new UnitVector3d(-1, 0, -1), 'S20'],
  [new UnitVector3d(0, -1, -1), 'S30'],
  [new UnitVector3d(1, 1, 1), 'N33'],
  [new UnitVector3d(-1, 1, 1), 'N23'],
  [new UnitVector3d(-1, -1, 1), 'N13'],
  [new UnitVector3d(1, -1, 1), 'N03'],
  [new UnitVector3d(1, 1, -1), 'S03'],
  [new UnitVector3d(-1, 1, -1), 'S13'],
  [new UnitVector3d(-1, -1, -1), 'S23'],
  [new UnitVector3d(1, -1, -1), 'S33'],
  // From here on, each point is the centre of a level-2 trixel: child 3 of the level-1 one.
  [new UnitVector3d(c, c, 1), 'N31'],
  [new UnitVector3d(1, c, c), 'N32'],
  [new UnitVector3d(c, 1, c), 'N30'],
  [new UnitVector3d(-c, c, 1), 'N21'],
  [new UnitVector3d(-c, 1, c), 'N22'],
  [new UnitVector3d(-1, c, c), 'N20'],
  [new UnitVector3d(-c, -c, 1), 'N11'],
  [new UnitVector3d(-1, -c, c), 'N12'],
  [new UnitVector3d(-c, -1, c), 'N10'],
  [new UnitVector3d(c, -c, 1), 'N01'],
  [new UnitVector3d(c, -1, c), 'N02'],
  [new UnitVector3d(1, -c, c), 'N00'],
  [new UnitVector3d(c, c, -1), 'S01'],
  [new UnitVector3d(1, c, -c), 'S00'],
  [new UnitVector3d(c, 1, -c), 'S02'],
  [new UnitVector3d(-c, c, -1), 'S11'],
  [new UnitVector3d(-c, 1, -c), 'S10'],
  [new UnitVector3d(-1, c, -c), 'S12'],
  [new UnitVector3d(-c, -c, -1), 'S21'],
  [new UnitVector3d(-1, -c, -c), 'S20'],
  [new UnitVector3d(-c, -1, -c), 'S22'],
  [new UnitVector3d(c, -c, -1), 'S31'],
  [new UnitVector3d(c, -1, -c), 'S30'],
  [new UnitVector3d(1, -c, -c), 'S32'],
];

describe('HtmPixelization: ids from lsst/sphgeom tests', () => {
  const h0 = new HtmPixelization(0);
  const h1 = new HtmPixelization(1);
  const h2 = new HtmPixelization(2);

  it.each(SPHGEOM_POINTS.map(([p, name], k) => [k, p, name] as const))('point %i → %s at levels 0, 1, 2', (k, p, name) => {
    const expected = indexOfName(name);
    expect(h0.index(p)).toBe(Math.floor(expected / 4));
    expect(h1.index(p)).toBe(expected);
    expect(HtmPixelization.asString(h1.index(p))).toBe(name);
    expect(HtmPixelization.triangle(expected).contains(p)).toBe(true);
    if (k >= 26) {
      const child = expected * 4 + 3;
      expect(h2.index(p)).toBe(child);
      // A circle of squared chord length 1e-8 around a level-2 trixel centre touches only it.
      expect(h2.envelope(Circle.fromSquaredChordLength(p, 1e-8)).equals(new RangeSet(child))).toBe(true);
    }
  });

  it('level 20 id of (1°, 1°) matches "other libraries" (sphgeom testHtmPixelization.cc)', () => {
    expect(new HtmPixelization(20).index(UnitVector3d.fromLonLat(LonLat.fromDegrees(1, 1)))).toBe(17043491373057);
  });

  it('level 1 id of (1, 1, 1) is 63 (sphgeom test_HtmPixelization.py)', () => {
    expect(h1.index(new UnitVector3d(1, 1, 1))).toBe(63);
  });

  it('tiny circles on the axes touch exactly the 4 level-13 trixels around them (sphgeom)', () => {
    const p = new HtmPixelization(13);
    const cases: Array<[UnitVector3d, number[]]> = [
      [Z.negate(), [553648128, 620756992, 687865856, 754974720]],
      [Z, [822083584, 889192448, 956301312, 1023410176]],
      [X, [536870912, 771751936, 805306368, 1040187392]],
      [Y, [570425344, 603979776, 973078528, 1006632960]],
      [X.negate(), [637534208, 671088640, 905969664, 939524096]],
      [Y.negate(), [704643072, 738197504, 838860800, 872415232]],
    ];
    for (const [v, ids] of cases) {
      const s = p.envelope(Circle.fromSquaredChordLength(v, 1e-16));
      expect(s.toString()).toBe(RangeSet.fromValues(ids).toString());
    }
  });

  it('envelope/interior of a 0.1° circle about (1,1,1) at level 3 (sphgeom test_HtmPixelization.py)', () => {
    const p = new HtmPixelization(3);
    const circle = new Circle(new UnitVector3d(1, 1, 1), Angle.fromDegrees(0.1));
    expect(p.envelope(circle).equals(new RangeSet(0x3ff))).toBe(true);
    const one = p.envelope(circle, 1);
    expect(one.equals(new RangeSet(0x3ff))).toBe(true);
    expect(one.isWithin(p.universe())).toBe(true);
    expect(p.interior(circle).isEmpty()).toBe(true);
  });

  it('envelopes grow monotonically with radius and as maxRanges shrinks (sphgeom Adaptivity)', () => {
    const center = new UnitVector3d(1, 1, 1);
    for (let level = 0; level <= 10; level++) {
      const p = new HtmPixelization(level);
      const circles = [0.001, 0.1, 1].map((d) => new Circle(center, Angle.fromDegrees(d)));
      let prev = circles.map((ci) => p.envelope(ci, 0));
      expect(prev[2]!.containsAll(prev[1]!)).toBe(true);
      expect(prev[1]!.containsAll(prev[0]!)).toBe(true);
      for (let maxRanges = 64; maxRanges !== 0; maxRanges = Math.floor(maxRanges / 2)) {
        const next = circles.map((ci) => p.envelope(ci, maxRanges));
        for (let k = 0; k < 3; k++) {
          expect(next[k]!.containsAll(prev[k]!)).toBe(true);
          expect(next[k]!.size).toBeLessThanOrEqual(maxRanges);
        }
        expect(next[2]!.containsAll(next[1]!)).toBe(true);
        expect(next[1]!.containsAll(next[0]!)).toBe(true);
        prev = next;
      }
    }
  });
});

describe('HtmPixelization: ids from an independent implementation', () => {
  // Documentation of the pure-Python PyPI package `htm` ("HTM Utilities", N. Wolf, NOAO),
  // section "HTM Operations": get_htm_id(100, -15, level=20) and get_htm_circle_region with a
  // quarter-arcsecond radius. Its ranges are inclusive; ours are half-open.
  const h20 = new HtmPixelization(20);
  const center = UnitVector3d.fromLonLat(LonLat.fromDegrees(100, -15));

  it('get_htm_id(ra=100, dec=-15, level=20) = 10148770484434', () => {
    expect(h20.index(center)).toBe(10148770484434);
  });

  it('cone of 0.25″ at level 20', () => {
    const circle = new Circle(center, Angle.fromArcseconds(0.25));
    const inclusive = [
      [10148770484369, 10148770484369],
      [10148770484374, 10148770484374],
      [10148770484382, 10148770484382],
      [10148770484433, 10148770484435],
      [10148770484441, 10148770484441],
      [10148770484445, 10148770484447],
    ] as const;
    expect(h20.envelope(circle).ranges()).toEqual(inclusive.map(([a, b]) => [a, b + 1]));
  });

  it('cone of 0.25″ at level 20 with max_ranges=3', () => {
    const circle = new Circle(center, Angle.fromArcseconds(0.25));
    expect(h20.envelope(circle, 3).ranges()).toEqual([
      [10148770484368, 10148770484383 + 1],
      [10148770484432, 10148770484447 + 1],
    ]);
  });
});

describe('HtmPixelization: levels, names, triangles', () => {
  it('level() of valid and invalid indexes (sphgeom testHtmPixelization.cc Level)', () => {
    for (let level = 0; level <= HtmPixelization.MAX_LEVEL; level++) {
      for (let root = 8; root < 16; root++) expect(HtmPixelization.level(root * 4 ** level)).toBe(level);
    }
    for (let i = 0; i < 8; i++) expect(HtmPixelization.level(i)).toBe(-1);
    for (let i = 4; i < 2 ** 52; i *= 4) expect(HtmPixelization.level(i)).toBe(-1);
    expect(HtmPixelization.level(16 * 4 ** HtmPixelization.MAX_LEVEL)).toBe(-1);
    expect(HtmPixelization.level(16 * 4 ** HtmPixelization.MAX_LEVEL - 1)).toBe(24);
    expect(HtmPixelization.level(8.5)).toBe(-1);
    expect(HtmPixelization.level(-8)).toBe(-1);
  });

  it('triangle() rejects invalid indexes', () => {
    for (let i = 0; i < 8; i++) expect(() => HtmPixelization.triangle(i)).toThrow(GeomInvalidArgumentError);
    for (let i = 4; i < 2 ** 52; i *= 4) expect(() => HtmPixelization.triangle(i)).toThrow(GeomInvalidArgumentError);
  });

  it('asString names (sphgeom test_HtmPixelization.py)', () => {
    const names = ['S0', 'S1', 'S2', 'S3', 'N0', 'N1', 'N2', 'N3'];
    for (let i = 8; i < 16; i++) {
      expect(HtmPixelization.asString(i)).toBe(names[i - 8]);
      for (let j = 0; j < 4; j++) expect(HtmPixelization.asString(i * 4 + j)).toBe(names[i - 8]! + String(j));
    }
    expect(HtmPixelization.asString(1023)).toBe('N3333');
    expect(() => HtmPixelization.asString(4)).toThrow(GeomInvalidArgumentError);
  });

  it('root triangles are the octahedron faces of the HTM definition', () => {
    const nX = X.negate();
    const nY = Y.negate();
    const nZ = Z.negate();
    // S0..S3 = (x, −z, y), (y, −z, −x), (−x, −z, −y), (−y, −z, x); N0..N3 = (x, z, −y), (−y, z, −x), (−x, z, y), (y, z, x)
    const expected = [
      [X, nZ, Y],
      [Y, nZ, nX],
      [nX, nZ, nY],
      [nY, nZ, X],
      [X, Z, nY],
      [nY, Z, nX],
      [nX, Z, Y],
      [Y, Z, X],
    ];
    for (let r = 0; r < 8; r++) {
      const verts = HtmPixelization.triangle(8 + r).getVertices();
      expect(verts.map((v) => [v.x, v.y, v.z])).toEqual(expected[r]!.map((v) => [v.x, v.y, v.z]));
    }
  });

  it('the level-1 children of a root have the parent vertices and edge midpoints', () => {
    const s = Math.SQRT1_2;
    // N3 = (y, z, x); child 0 keeps vertex y, child 3 is the middle triangle.
    const n30 = HtmPixelization.triangle(indexOfName('N30')).getVertices();
    expect(n30[0]!.equals(Y)).toBe(true);
    expect(n30[1]!.x).toBeCloseTo(0, 15);
    expect(n30[1]!.y).toBeCloseTo(s, 15);
    expect(n30[1]!.z).toBeCloseTo(s, 15);
    const n33 = HtmPixelization.triangle(indexOfName('N33')).getVertices();
    expect(n33.map((v) => [v.x, v.y, v.z].map((t) => Number(t.toFixed(12))))).toEqual([
      [Number(s.toFixed(12)), 0, Number(s.toFixed(12))],
      [Number(s.toFixed(12)), Number(s.toFixed(12)), 0],
      [0, Number(s.toFixed(12)), Number(s.toFixed(12))],
    ]);
  });

  it('constructor validates the level; pixel() validates the index', () => {
    expect(() => new HtmPixelization(-1)).toThrow(GeomInvalidArgumentError);
    expect(() => new HtmPixelization(25)).toThrow(GeomInvalidArgumentError);
    expect(() => new HtmPixelization(1.5)).toThrow(GeomInvalidArgumentError);
    const h = new HtmPixelization(1);
    expect(h.getLevel()).toBe(1);
    expect(h.toString()).toBe('HtmPixelization(1)');
    expect(h.equals(new HtmPixelization(1))).toBe(true);
    expect(h.pixel(40)).toBeInstanceOf(ConvexPolygon);
    expect(() => h.pixel(10)).toThrow(GeomInvalidArgumentError);
    expect(h.universe().ranges()).toEqual([[32, 64]]);
    expect(new HtmPixelization(24).universe().ranges()).toEqual([[8 * 4 ** 24, 16 * 4 ** 24]]);
  });

  it('full and empty regions', () => {
    const h = new HtmPixelization(5);
    expect(h.envelope(Circle.full()).equals(h.universe())).toBe(true);
    expect(h.interior(Circle.full()).equals(h.universe())).toBe(true);
    expect(h.envelope(Circle.empty()).isEmpty()).toBe(true);
  });
});

describe('HtmPixelization: analytic properties of ids', () => {
  const lonLat = fc.record({
    lon: fc.double({ min: 0, max: 2 * Math.PI, noNaN: true, maxExcluded: true }),
    z: fc.double({ min: -1, max: 1, noNaN: true }),
  });

  it('ids are in range, parents are id >> 2, and each trixel contains its point', () => {
    fc.assert(
      fc.property(lonLat, fc.integer({ min: 0, max: 24 }), ({ lon, z }, level) => {
        const v = UnitVector3d.fromLonLatRadians(lon, Math.asin(z));
        const id = new HtmPixelization(level).index(v);
        expect(id).toBeGreaterThanOrEqual(8 * 4 ** level);
        expect(id).toBeLessThan(16 * 4 ** level);
        expect(HtmPixelization.level(id)).toBe(level);
        if (level > 0) expect(new HtmPixelization(level - 1).index(v)).toBe(Math.floor(id / 4));
        expect(HtmPixelization.triangle(id).contains(v)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('points on trixel edges get the index of a descent that uses only exact orientation tests', () => {
    // Points interpolated between two vertices of a trixel lie on its edge up to rounding, where
    // the sign of a floating-point determinant is unreliable. The index must be the one that a
    // descent deciding every test with exact arithmetic gives.
    const exactNonNegative = (p: UnitVector3d, a: UnitVector3d, b: UnitVector3d): boolean =>
      orientationExact(p.x, p.y, p.z, a.x, a.y, a.z, b.x, b.y, b.z) >= 0;
    const mid = (a: UnitVector3d, b: UnitVector3d): UnitVector3d => new UnitVector3d(a.x + b.x, a.y + b.y, a.z + b.z);
    const referenceIndex = (p: UnitVector3d, level: number): number => {
      const h0 = new HtmPixelization(0).index(p);
      let [v0, v1, v2] = HtmPixelization.triangle(h0).getVertices() as [UnitVector3d, UnitVector3d, UnitVector3d];
      let i = h0;
      for (let l = 0; l < level; l++) {
        const m01 = mid(v0, v1);
        const m20 = mid(v2, v0);
        const m12 = mid(v1, v2);
        i *= 4;
        if (exactNonNegative(p, m01, m20)) [v1, v2] = [m01, m20];
        else if (exactNonNegative(p, m12, m01)) [v0, v1, v2, i] = [v1, m12, m01, i + 1];
        else if (exactNonNegative(p, m20, m12)) [v0, v1, v2, i] = [v2, m20, m12, i + 2];
        else [v0, v1, v2, i] = [m12, m20, m01, i + 3];
      }
      return i;
    };
    fc.assert(
      fc.property(lonLat, fc.integer({ min: 1, max: 22 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 2 }), ({ lon, z }, level, t, e) => {
        const h = new HtmPixelization(level);
        const id = h.index(UnitVector3d.fromLonLatRadians(lon, Math.asin(z)));
        const v = HtmPixelization.triangle(id).getVertices();
        const a = v[e]!;
        const b = v[(e + 1) % 3]!;
        const p = new UnitVector3d(a.x * (1 - t) + b.x * t, a.y * (1 - t) + b.y * t, a.z * (1 - t) + b.z * t);
        for (const l of [level, level + 1, Math.min(24, level + 2)]) {
          expect(new HtmPixelization(l).index(p)).toBe(referenceIndex(p, l));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('points on the axes fall in the root triangles of the sphgeom rules', () => {
    const h = new HtmPixelization(0);
    expect(HtmPixelization.asString(h.index(X))).toBe('N3');
    expect(HtmPixelization.asString(h.index(Y))).toBe('N2');
    expect(HtmPixelization.asString(h.index(X.negate()))).toBe('N1');
    expect(HtmPixelization.asString(h.index(Y.negate()))).toBe('N0');
    expect(HtmPixelization.asString(h.index(Z))).toBe('N3');
    expect(HtmPixelization.asString(h.index(Z.negate()))).toBe('S0');
  });

  it('batch indexing equals scalar indexing, without per-point objects', () => {
    const n = 500;
    const lon = new Float64Array(n);
    const lat = new Float64Array(n);
    const xs = new Float64Array(n);
    const ys = new Float64Array(n);
    const zs = new Float64Array(n);
    let seed = 7;
    const rand = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let k = 0; k < n; k++) {
      lon[k] = rand() * 2 * Math.PI;
      lat[k] = Math.asin(2 * rand() - 1);
      xs[k] = 2 * rand() - 1;
      ys[k] = 2 * rand() - 1;
      zs[k] = 2 * rand() - 1;
    }
    lat[0] = Math.PI / 2;
    lon[1] = NaN;
    const h = new HtmPixelization(18);
    const out = h.indexLonLatArrays(lon, lat);
    const out3 = h.indexArray(xs, ys, zs, new Float64Array(n));
    expect(out[1]).toBeNaN();
    for (let k = 0; k < n; k++) {
      if (k !== 1) expect(out[k]).toBe(h.index(UnitVector3d.fromLonLatRadians(lon[k]!, lat[k]!)));
      expect(out3[k]).toBe(h.index(new UnitVector3d(xs[k]!, ys[k]!, zs[k]!)));
    }
    expect(() => h.indexLonLatArrays(lon, new Float64Array(3))).toThrow(GeomInvalidArgumentError);
    expect(h.indexArray(new Float64Array([0]), new Float64Array([0]), new Float64Array([0]))[0]).toBeNaN();
  });

  it('indexLonLat accepts a LonLat or two angles', () => {
    const h = new HtmPixelization(20);
    expect(h.indexLonLat(Angle.fromDegrees(1), Angle.fromDegrees(1))).toBe(17043491373057);
    expect(() => h.index(UnitVector3d.fromNormalized(NaN, 0, 0))).toThrow(GeomInvalidArgumentError);
  });
});
