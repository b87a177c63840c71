/**
 * Property tests of the regions and the HTM pixelization against sampled points: the envelope of
 * a region never misses the trixel of a point inside it, interior trixels lie inside it, and
 * certain relationship bits agree with what sampled points show.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Angle } from '../angle.js';
import { AngleInterval } from './angle-interval.js';
import { Circle } from './circle.js';
import { ConvexPolygon } from './convex-polygon.js';
import { HtmPixelization } from './htm-pixelization.js';
import { LonLat } from './lon-lat.js';
import { LonLatBox } from './lon-lat-box.js';
import type { Region } from './region.js';
import { Relationship, invertRelationship, relationshipToString } from './relationship.js';
import { UnitVector3d } from './unit-vector3d.js';

const DEG = Math.PI / 180;

/** A small deterministic generator, seeded per property run. */
function rng(seed: number): () => number {
  let s = (seed >>> 0) % 2147483647 || 1;
  return () => (s = (s * 48271) % 2147483647) / 2147483647;
}

/** Two unit vectors completing `c` to an orthonormal basis. */
function basis(c: UnitVector3d): [UnitVector3d, UnitVector3d] {
  const u = UnitVector3d.orthogonalTo(c);
  const w = UnitVector3d.fromVector(c.cross(u));
  return [u, w];
}

/** The point at angular distance rho from c in direction phi. */
function offset(c: UnitVector3d, u: UnitVector3d, w: UnitVector3d, rho: number, phi: number): UnitVector3d {
  const s = Math.sin(rho);
  const k = Math.cos(rho);
  return new UnitVector3d(
    c.x * k + (u.x * Math.cos(phi) + w.x * Math.sin(phi)) * s,
    c.y * k + (u.y * Math.cos(phi) + w.y * Math.sin(phi)) * s,
    c.z * k + (u.z * Math.cos(phi) + w.z * Math.sin(phi)) * s,
  );
}

/** Points of a region, interior and boundary, filtered by the region's own `contains`. */
function samplePoints(region: Region, n: number, rand: () => number): UnitVector3d[] {
  const pts: UnitVector3d[] = [];
  if (region instanceof Circle) {
    const c = region.getCenter();
    const [u, w] = basis(c);
    const theta = region.getOpeningAngle().asRadians();
    for (let k = 0; k < n; k++) {
      // Uniform in area for half of the points, on or next to the boundary for the rest.
      const cosRho = 1 - rand() * (1 - Math.cos(theta));
      const rho = k % 2 === 0 ? Math.acos(Math.min(1, cosRho)) : theta * (1 - 1e-12 * rand());
      pts.push(offset(c, u, w, rho, 2 * Math.PI * rand()));
    }
    pts.push(c);
  } else if (region instanceof ConvexPolygon) {
    const v = region.getVertices();
    pts.push(...v);
    for (let k = 0; k < n; k++) {
      if (k % 3 === 0) {
        // On an edge.
        const i = Math.floor(rand() * v.length);
        const a = v[i]!;
        const b = v[(i + 1) % v.length]!;
        const t = rand();
        pts.push(new UnitVector3d(a.x * (1 - t) + b.x * t, a.y * (1 - t) + b.y * t, a.z * (1 - t) + b.z * t));
      } else {
        let x = 0;
        let y = 0;
        let z = 0;
        for (const p of v) {
          const wgt = rand() ** 3;
          x += p.x * wgt;
          y += p.y * wgt;
          z += p.z * wgt;
        }
        pts.push(new UnitVector3d(x, y, z));
      }
    }
  } else if (region instanceof LonLatBox) {
    const lon = region.getLon();
    const lat = region.getLat();
    const a = lon.getA().asRadians();
    const width = lon.getSize().asRadians();
    const la = lat.getA().asRadians();
    const lb = lat.getB().asRadians();
    for (let k = 0; k < n; k++) {
      const edge = k % 4;
      const fl = edge === 1 ? 0 : edge === 2 ? 1 : rand();
      const ft = edge === 3 ? (rand() < 0.5 ? 0 : 1) : rand();
      const za = Math.sin(la);
      const zb = Math.sin(lb);
      const latK = edge === 3 ? (ft === 0 ? la : lb) : Math.asin(Math.min(1, Math.max(-1, za + (zb - za) * ft)));
      pts.push(UnitVector3d.fromLonLatRadians(a + width * fl, latK));
    }
  }
  return pts.filter((p) => region.contains(p));
}

/** Random points in a trixel (barycentric combinations of its vertices, and the vertices). */
function sampleTriangle(t: ConvexPolygon, n: number, rand: () => number): UnitVector3d[] {
  const [a, b, c] = t.getVertices() as [UnitVector3d, UnitVector3d, UnitVector3d];
  const pts = [a, b, c];
  for (let k = 0; k < n; k++) {
    const u = rand();
    const v = rand();
    const w = rand();
    pts.push(new UnitVector3d(a.x * u + b.x * v + c.x * w, a.y * u + b.y * v + c.y * w, a.z * u + b.z * v + c.z * w));
  }
  return pts.filter((p) => t.contains(p));
}

const center = fc.record({
  lon: fc.double({ min: 0, max: 360, noNaN: true, maxExcluded: true }),
  lat: fc.oneof(
    fc.double({ min: -90, max: 90, noNaN: true }),
    fc.constantFrom(90, -90, 89.9999, -89.9999, 0),
  ),
});
/** Region sizes in degrees: from milliarcseconds to tens of degrees. */
const size = fc.oneof(fc.double({ min: 1e-5, max: 0.01, noNaN: true }), fc.double({ min: 0.01, max: 40, noNaN: true }));

const circleArb = fc.record({ c: center, r: fc.oneof(size, fc.double({ min: 40, max: 179.9, noNaN: true })) }).map(({ c, r }) =>
  new Circle(UnitVector3d.fromLonLatRadians(c.lon * DEG, c.lat * DEG), Angle.fromDegrees(r)),
);

const polygonArb = fc
  .record({
    c: center,
    r: fc.oneof(size, fc.double({ min: 40, max: 85, noNaN: true })),
    n: fc.integer({ min: 3, max: 8 }),
    seed: fc.integer({ min: 1, max: 2 ** 30 }),
  })
  .map(({ c, r, n, seed }) => {
    const rand = rng(seed);
    const cv = UnitVector3d.fromLonLatRadians(c.lon * DEG, c.lat * DEG);
    const [u, w] = basis(cv);
    const pts: UnitVector3d[] = [];
    for (let k = 0; k < n; k++) {
      pts.push(offset(cv, u, w, r * DEG * (0.3 + 0.7 * rand()), (2 * Math.PI * (k + 0.8 * rand())) / n));
    }
    return ConvexPolygon.convexHull(pts);
  });

const boxArb = fc
  .record({
    lon: fc.double({ min: 0, max: 360, noNaN: true, maxExcluded: true }),
    width: fc.oneof(size, fc.constant(360), fc.double({ min: 180, max: 359, noNaN: true })),
    lat: fc.oneof(fc.double({ min: -90, max: 90, noNaN: true }), fc.constantFrom(90, -90)),
    height: size,
  })
  .map(({ lon, width, lat, height }) =>
    width >= 360
      ? new LonLatBox(
          LonLatBox.allLongitudes(),
          // Polar caps and bands.
          AngleInterval.fromDegrees(Math.max(-90, lat - height), Math.min(90, lat)),
        )
      : LonLatBox.fromDegrees(lon, Math.max(-90, lat - height), (lon + width) % 360, Math.min(90, lat + height / 2)),
  );

const regionArb: fc.Arbitrary<Region> = fc.oneof(circleArb, polygonArb, boxArb);

/** A level giving a few hundred to a few thousand trixels for a region of this size. */
function levelFor(region: Region, extra: number): number {
  const radius = region.getBoundingCircle().getOpeningAngle().asRadians();
  const l = Math.floor(Math.log2(Math.PI / 2 / Math.max(radius, 1e-9)));
  return Math.max(0, Math.min(HtmPixelization.MAX_LEVEL, l + extra));
}

describe('HTM envelope and interior (property tests)', () => {
  it('envelope never misses the trixel of a point inside the region', () => {
    fc.assert(
      fc.property(regionArb, fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 2 ** 30 }), (region, extra, seed) => {
        const h = new HtmPixelization(levelFor(region, extra));
        const env = h.envelope(region);
        for (const p of samplePoints(region, 60, rng(seed))) {
          const id = h.index(p);
          if (!env.contains(id)) {
            throw new Error(`${region.toString()}: point ${p.toString()} in trixel ${id} missing from ${env.toString()}`);
          }
        }
        // A coarsened envelope still contains the full one.
        expect(h.envelope(region, 4).containsAll(env)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('interior trixels lie inside the region, and are inside the envelope', () => {
    fc.assert(
      fc.property(regionArb, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 2 ** 30 }), (region, extra, seed) => {
        const h = new HtmPixelization(levelFor(region, extra));
        const interior = h.interior(region);
        expect(h.envelope(region).containsAll(interior)).toBe(true);
        expect(h.interior(region, 3).isWithin(interior)).toBe(true);
        const rand = rng(seed);
        let checked = 0;
        for (const [b, e] of interior) {
          for (let id = b; id < e && checked < 40; id += Math.max(1, Math.floor((e - b) / 5)), checked++) {
            for (const p of sampleTriangle(HtmPixelization.triangle(id), 4, rand)) {
              if (!region.contains(p)) {
                throw new Error(`${region.toString()}: interior trixel ${id} has outside point ${p.toString()}`);
              }
            }
          }
        }
      }),
      { numRuns: 120 },
    );
  });

  it('a region well inside one trixel has a one-trixel envelope and that trixel certainly contains it', () => {
    fc.assert(
      fc.property(center, fc.integer({ min: 2, max: 20 }), (c, level) => {
        const h = new HtmPixelization(level);
        const v = UnitVector3d.fromLonLatRadians(c.lon * DEG, c.lat * DEG);
        const t = HtmPixelization.triangle(h.index(v));
        const circle = new Circle(t.getCentroid(), Angle.fromRadians(0.05 * 2 ** -level));
        expect(h.envelope(circle).ranges()).toEqual([[h.index(t.getCentroid()), h.index(t.getCentroid()) + 1]]);
        expect(t.relate(circle) & Relationship.CONTAINS).toBe(Relationship.CONTAINS);
      }),
      { numRuns: 100 },
    );
  });
});

describe('region relationships agree with sampled points (property tests)', () => {
  it('DISJOINT, CONTAINS and WITHIN bits are never wrong, and relate is antisymmetric', () => {
    // Pairs near each other, so that every relationship occurs.
    const pairArb = fc.tuple(regionArb, regionArb, fc.integer({ min: 1, max: 2 ** 30 }), fc.boolean());
    const seen = new Set<string>();
    fc.assert(
      fc.property(pairArb, ([a, b0, seed, shift]) => {
        // Half of the time, move b next to a by rebuilding it around a's centre.
        const b = shift ? moveNear(b0, a.getBoundingCircle().getCenter(), seed) : b0;
        const r = a.relate(b);
        seen.add(relationshipToString(r));
        expect(b.relate(a)).toBe(invertRelationship(r));
        const rand = rng(seed);
        const pa = samplePoints(a, 40, rand);
        const pb = samplePoints(b, 40, rand);
        if (r & Relationship.DISJOINT) {
          for (const p of pa) if (b.contains(p)) throw new Error(`DISJOINT but ${a.toString()} ∩ ${b.toString()} ∋ ${p.toString()}`);
          for (const p of pb) if (a.contains(p)) throw new Error(`DISJOINT but ${a.toString()} ∩ ${b.toString()} ∋ ${p.toString()}`);
          expect(a.overlaps(b)).toBe(false);
        }
        if (r & Relationship.CONTAINS) {
          for (const p of pb) if (!a.contains(p)) throw new Error(`CONTAINS but ${p.toString()} of ${b.toString()} not in ${a.toString()}`);
        }
        if (r & Relationship.WITHIN) {
          for (const p of pa) if (!b.contains(p)) throw new Error(`WITHIN but ${p.toString()} of ${a.toString()} not in ${b.toString()}`);
        }
        const o = a.overlaps(b);
        if (o === true) expect(r & Relationship.DISJOINT).toBe(0);
        if (o === false) {
          for (const p of pa) expect(b.contains(p)).toBe(false);
        }
        // Bounding regions contain the region.
        for (const p of pa) {
          expect(a.getBoundingCircle().contains(p)).toBe(true);
          expect(a.getBoundingBox().contains(p)).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
    // The generators must exercise every kind of answer, or the test proves little.
    expect([...seen].sort()).toEqual(expect.arrayContaining(['CONTAINS', 'DISJOINT', 'INTERSECTS', 'WITHIN']));
  });
});

/** A region of the same kind and size as `r`, moved to be centred near `c`. */
function moveNear(r: Region, c: UnitVector3d, seed: number): Region {
  const rand = rng(seed);
  const [u, w] = basis(c);
  const radius = r.getBoundingCircle().getOpeningAngle().asRadians();
  const target = offset(c, u, w, Math.min(radius, 1) * rand() * 1.5, 2 * Math.PI * rand());
  if (r instanceof Circle) return new Circle(target, r.getOpeningAngle());
  if (r instanceof ConvexPolygon) {
    // Rotate the polygon taking its centroid to target (rotation about centroid × target).
    const from = r.getCentroid();
    const axis = from.cross(target);
    if (axis.getNorm() < 1e-12) return r;
    const k = UnitVector3d.fromVector(axis);
    const angle = from.angleTo(target);
    return new ConvexPolygon(r.getVertices().map((v) => v.rotatedAround(k, angle)));
  }
  if (r instanceof LonLatBox && !r.getLon().isFull()) {
    const lonT = Math.atan2(target.y, target.x);
    const latT = Math.asin(Math.max(-1, Math.min(1, target.z)));
    const hw = 0.5 * r.getWidth().asRadians();
    const hh = 0.5 * r.getHeight().asRadians();
    return LonLatBox.around(
      LonLat.fromRadians(lonT, Math.max(-Math.PI / 2 + hh, Math.min(Math.PI / 2 - hh, latT))),
      Angle.fromRadians(hw),
      Angle.fromRadians(hh),
    );
  }
  return r;
}
