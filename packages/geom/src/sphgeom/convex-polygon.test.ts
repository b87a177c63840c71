import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Angle } from '../angle.js';
import { GeomInvalidArgumentError } from '../errors.js';
import { Circle } from './circle.js';
import { ConvexPolygon } from './convex-polygon.js';
import { LonLatBox } from './lon-lat-box.js';
import { Relationship } from './relationship.js';
import { UnitVector3d } from './unit-vector3d.js';

const X = UnitVector3d.X();
const Y = UnitVector3d.Y();
const Z = UnitVector3d.Z();
const DEG = Math.PI / 180;
const ll = (lonDeg: number, latDeg: number): UnitVector3d => UnitVector3d.fromLonLatRadians(lonDeg * DEG, latDeg * DEG);

describe('ConvexPolygon (expectations of lsst/sphgeom tests/test_ConvexPolygon.py)', () => {
  it('construction and convex hull', () => {
    const points = [Z, X, Y];
    const p1 = new ConvexPolygon(points);
    expect(p1.getVertices()).toEqual(points);
    const p3 = new ConvexPolygon([Z.negate(), Y, X]);
    expect(p1.equals(p3)).toBe(false);
    const p4 = ConvexPolygon.convexHull([Y, X, new UnitVector3d(1, 1, 1), Z]);
    expect(p1.equals(p4)).toBe(true);
  });

  it('relationships with its bounding circle and a point circle at its centre', () => {
    const p = new ConvexPolygon([Z, X, Y]);
    expect(p.contains(p.getCentroid())).toBe(true);
    const boundingCircle = p.getBoundingCircle();
    expect(boundingCircle.relate(p)).toBe(Relationship.CONTAINS);
    expect(p.isWithin(boundingCircle)).toBe(true);
    expect(p.intersects(boundingCircle)).toBe(true);
    expect(p.isDisjointFrom(boundingCircle)).toBe(false);
    expect(p.containsRegion(boundingCircle)).toBe(false);
    const tinyCircle = new Circle(boundingCircle.getCenter());
    expect(p.isWithin(tinyCircle)).toBe(false);
    expect(p.intersects(tinyCircle)).toBe(true);
    expect(p.isDisjointFrom(tinyCircle)).toBe(false);
    expect(p.containsRegion(tinyCircle)).toBe(true);
  });

  it('string form', () => {
    expect(new ConvexPolygon([Z, X, Y]).toString()).toBe(
      'ConvexPolygon([UnitVector3d(0, 0, 1), UnitVector3d(1, 0, 0), UnitVector3d(0, 1, 0)])',
    );
  });
});

describe('ConvexPolygon validation', () => {
  it('rejects clockwise, non-convex and degenerate vertex lists', () => {
    expect(() => new ConvexPolygon([Z, Y, X])).toThrow(GeomInvalidArgumentError); // clockwise
    expect(() => new ConvexPolygon([Z, X])).toThrow(GeomInvalidArgumentError);
    // A quadrilateral with a reflex vertex.
    expect(() => new ConvexPolygon([ll(0, 0), ll(10, 0), ll(5, 2), ll(5, 10)])).toThrow(GeomInvalidArgumentError);
    // A collinear vertex (on the equator between two others).
    expect(() => new ConvexPolygon([ll(0, 0), ll(5, 0), ll(10, 0), ll(5, 10)])).toThrow(GeomInvalidArgumentError);
    // A pentagram (vertices of a convex pentagon visited twice around) is not convex.
    const star = [0, 2, 4, 1, 3].map((k) => ll(72 * k, 60));
    expect(() => new ConvexPolygon(star)).toThrow(GeomInvalidArgumentError);
    expect(() => new ConvexPolygon([0, 1, 2, 3, 4].map((k) => ll(72 * k, 60)))).not.toThrow();
  });

  it('convexHull drops interior, duplicate and collinear points and rejects hemisphere-spanning sets', () => {
    const hull = ConvexPolygon.convexHull([ll(0, 0), ll(5, 0), ll(10, 0), ll(5, 10), ll(5, 3), ll(0, 0)]);
    expect(hull.getVertices().length).toBe(3);
    expect(hull.contains(ll(5, 3))).toBe(true);
    expect(hull.contains(ll(5, 0))).toBe(true);
    expect(() => ConvexPolygon.convexHull([X, Y, Z, X.negate(), Y.negate(), Z.negate()])).toThrow(GeomInvalidArgumentError);
    expect(() => ConvexPolygon.convexHull([X, Y, new UnitVector3d(1, 1, 0)])).toThrow(GeomInvalidArgumentError);
    expect(() => ConvexPolygon.convexHull([X, X, X])).toThrow(GeomInvalidArgumentError);
    expect(() => ConvexPolygon.convexHull([])).toThrow(GeomInvalidArgumentError);
  });

  it('convexHull of random points in a cap contains them all and is valid', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0, max: 360, noNaN: true }), fc.double({ min: 20, max: 90, noNaN: true })), { minLength: 3, maxLength: 30 }),
        (pts) => {
          const vs = pts.map(([lon, lat]) => ll(lon, lat));
          let hull: ConvexPolygon;
          try {
            hull = ConvexPolygon.convexHull(vs);
          } catch (e) {
            // Only degenerate inputs (all on one great circle) may fail.
            expect(e).toBeInstanceOf(GeomInvalidArgumentError);
            return;
          }
          for (const v of vs) expect(hull.contains(v)).toBe(true);
          // Every hull vertex is one of the inputs.
          for (const h of hull.getVertices()) expect(vs.some((v) => v.equals(h))).toBe(true);
        },
      ),
    );
  });
});

describe('ConvexPolygon geometry against analytic truth', () => {
  it('centroid of the octant triangle is (1, 1, 1)/√3', () => {
    const c = new ConvexPolygon([Z, X, Y]).getCentroid();
    for (const t of [c.x, c.y, c.z]) expect(t).toBeCloseTo(1 / Math.sqrt(3), 14);
  });

  it('bounding box includes the poleward bulge of edges', () => {
    // The edge from (0°, 60°) to (90°, 60°) peaks at lat atan(tan 60° / cos 45°) = 67.79°.
    const p = new ConvexPolygon([ll(0, 60), ll(45, 40), ll(90, 60), ll(45, 80)]);
    const q = ConvexPolygon.convexHull([ll(0, 60), ll(90, 60), ll(45, 50)]);
    const peak = Math.atan(Math.tan(60 * DEG) / Math.cos(45 * DEG));
    const bb = q.getBoundingBox();
    expect(bb.getLat().getB().asRadians()).toBeGreaterThanOrEqual(peak);
    expect(bb.getLat().getB().asRadians()).toBeLessThan(peak + 1e-9);
    expect(bb.getLat().getA().asDegrees()).toBeCloseTo(50, 6);
    expect(bb.containsLonLat(Angle.fromDegrees(0), Angle.fromDegrees(60))).toBe(true);
    expect(bb.containsLonLat(Angle.fromDegrees(-0.001), Angle.fromDegrees(60))).toBe(false);
    expect(bb.getWidth().asDegrees()).toBeCloseTo(90, 6);
    expect(p.getBoundingBox().getLat().getB().asDegrees()).toBeCloseTo(80, 6);
  });

  it('bounding box spans all longitudes when the polygon contains a pole', () => {
    const p = new ConvexPolygon([ll(0, 80), ll(120, 80), ll(240, 80)]);
    const bb = p.getBoundingBox();
    expect(bb.getLon().isFull()).toBe(true);
    expect(bb.getLat().getB().asRadians()).toBe(Math.PI / 2);
    const s = new ConvexPolygon([ll(0, -80), ll(240, -80), ll(120, -80)]);
    expect(s.getBoundingBox().getLat().getA().asRadians()).toBe(-Math.PI / 2);
    // Across the 0/360 meridian: a narrow longitude interval that wraps.
    const w = new ConvexPolygon([ll(355, -1), ll(5, -1), ll(0, 2)]).getBoundingBox();
    expect(w.getLon().wraps()).toBe(true);
    expect(w.getWidth().asDegrees()).toBeCloseTo(10, 6);
  });

  it('relates to circles: contained, containing, crossing, disjoint, and the hole case', () => {
    const tri = new ConvexPolygon([ll(0, 0), ll(10, 0), ll(5, 10)]);
    expect(tri.relate(new Circle(ll(5, 3), Angle.fromDegrees(1)))).toBe(Relationship.CONTAINS);
    expect(tri.relate(new Circle(ll(5, 3), Angle.fromDegrees(20)))).toBe(Relationship.WITHIN);
    expect(tri.relate(new Circle(ll(5, -3), Angle.fromDegrees(2.9)))).toBe(Relationship.DISJOINT);
    expect(tri.relate(new Circle(ll(5, -3), Angle.fromDegrees(3.1)))).toBe(Relationship.INTERSECTS);
    // All vertices inside a near-full circle whose small complement lies inside the polygon.
    const hole = new Circle(ll(185, -3), Angle.fromDegrees(179));
    expect(tri.relate(hole)).toBe(Relationship.INTERSECTS);
    expect(tri.relate(Circle.full())).toBe(Relationship.WITHIN);
    expect(tri.relate(Circle.empty())).toBe(Relationship.CONTAINS | Relationship.DISJOINT);
  });

  it('relates to polygons exactly, including edge crossings without vertex containment', () => {
    const a = new ConvexPolygon([ll(0, 0), ll(10, 0), ll(10, 10), ll(0, 10)]);
    const inner = new ConvexPolygon([ll(2, 2), ll(8, 2), ll(5, 8)]);
    expect(a.relate(inner)).toBe(Relationship.CONTAINS);
    expect(inner.relate(a)).toBe(Relationship.WITHIN);
    expect(a.relate(a)).toBe(Relationship.CONTAINS | Relationship.WITHIN);
    // A cross: a tall thin quad through a wide thin quad, no vertex of either inside the other.
    const wide = new ConvexPolygon([ll(-5, -1), ll(5, -1), ll(5, 1), ll(-5, 1)]);
    const tall = new ConvexPolygon([ll(-1, -5), ll(1, -5), ll(1, 5), ll(-1, 5)]);
    expect(wide.relate(tall)).toBe(Relationship.INTERSECTS);
    expect(wide.overlaps(tall)).toBe(true);
    const far = new ConvexPolygon([ll(20, 0), ll(30, 0), ll(25, 5)]);
    expect(a.relate(far)).toBe(Relationship.DISJOINT);
    expect(a.overlaps(far)).toBe(false);
  });

  it('relates to boxes', () => {
    const tri = new ConvexPolygon([ll(0, 0), ll(10, 0), ll(5, 10)]);
    expect(tri.relate(LonLatBox.fromDegrees(4, 2, 6, 4))).toBe(Relationship.CONTAINS);
    expect(tri.relate(LonLatBox.fromDegrees(350, -5, 20, 20))).toBe(Relationship.WITHIN);
    expect(tri.relate(LonLatBox.fromDegrees(20, 0, 30, 10))).toBe(Relationship.DISJOINT);
    // The box's bounding box overlaps the triangle's, but it lies outside the slanted edge.
    expect(tri.relate(LonLatBox.fromDegrees(8.5, 7, 10, 10))).toBe(Relationship.DISJOINT);
    expect(tri.relate(LonLatBox.fromDegrees(4, -1, 6, 1))).toBe(Relationship.INTERSECTS);
    // A polar cap containing a polygon around the pole, and the other way round.
    const cap = new ConvexPolygon([ll(0, 80), ll(120, 80), ll(240, 80)]);
    expect(cap.relate(new LonLatBox(LonLatBox.allLongitudes(), LonLatBox.fromDegrees(0, 85, 1, 90).getLat()))).toBe(
      Relationship.CONTAINS,
    );
    expect(cap.relate(new LonLatBox(LonLatBox.allLongitudes(), LonLatBox.fromDegrees(0, 70, 1, 90).getLat()))).toBe(
      Relationship.WITHIN,
    );
  });
});
