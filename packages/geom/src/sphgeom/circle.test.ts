import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Angle } from '../angle.js';
import { Circle } from './circle.js';
import { LonLatBox } from './lon-lat-box.js';
import { Relationship } from './relationship.js';
import { UnitVector3d } from './unit-vector3d.js';

const X = UnitVector3d.X();
const Y = UnitVector3d.Y();
const Z = UnitVector3d.Z();

describe('Circle (expectations of lsst/sphgeom tests/test_Circle.py)', () => {
  it('construction', () => {
    expect(Circle.empty().isEmpty()).toBe(true);
    expect(Circle.full().isFull()).toBe(true);
    const c = new Circle(X);
    expect(c.getOpeningAngle().asRadians()).toBe(0);
    expect(c.getSquaredChordLength()).toBe(0);
    expect(Circle.fromSquaredChordLength(Z, 2).contains(Z)).toBe(true);
    expect(new Circle(Z, Angle.fromRadians(Math.PI)).isFull()).toBe(true);
    expect(Circle.fromSquaredChordLength(X, 4).equals(Circle.fromSquaredChordLength(Y, 4))).toBe(true);
    expect(Circle.fromSquaredChordLength(X, 4).equals(new Circle(Z))).toBe(false);
  });

  it('centre and dimensions', () => {
    const c = Circle.fromSquaredChordLength(X, 1);
    expect(c.getCenter().equals(X)).toBe(true);
    expect(c.getSquaredChordLength()).toBe(1);
    expect(c.getOpeningAngle().asRadians()).toBeCloseTo(Math.PI / 3, 15);
  });

  it('relationships', () => {
    const c = new Circle(X, Angle.fromDegrees(0.1));
    const d = new Circle(new UnitVector3d(1, 1, 1), Angle.fromRadians(Math.PI / 2));
    const e = new Circle(X.negate());
    expect(c.contains(X)).toBe(true);
    expect(d.containsRegion(c)).toBe(true);
    expect(c.isWithin(d)).toBe(true);
    expect(c.intersects(d)).toBe(true);
    expect(e.isDisjointFrom(d)).toBe(true);
    expect(d.relate(c)).toBe(Relationship.CONTAINS);
    expect(e.relate(d)).toBe(Relationship.DISJOINT);
  });

  it('expanding and clipping', () => {
    const a = Circle.empty()
      .expandedTo(X)
      .expandedTo(Circle.fromSquaredChordLength(Y, 1))
      .clippedTo(Circle.fromSquaredChordLength(new UnitVector3d(1, 1, 0), 1))
      .clippedTo(Y);
    expect(a.equals(new Circle(Y))).toBe(true);
    expect(a.clippedTo(Z).isEmpty()).toBe(true);
  });

  it('dilation and erosion', () => {
    const a = Angle.fromRadians(Math.PI / 2);
    expect(new Circle(X).dilatedBy(a).erodedBy(a).equals(new Circle(X))).toBe(true);
  });

  it('complement and area', () => {
    const c = Circle.fromSquaredChordLength(X, 2).complemented();
    expect(c.getCenter().equals(X.negate())).toBe(true);
    expect(c.getSquaredChordLength()).toBe(2);
    expect(Circle.fromSquaredChordLength(new UnitVector3d(1, 1, 1), 2).getArea()).toBeCloseTo(2 * Math.PI, 14);
    expect(Circle.empty().complemented().isFull()).toBe(true);
    expect(Circle.full().complemented().isEmpty()).toBe(true);
  });
});

describe('Circle against analytic truth', () => {
  const unit = fc
    .tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }))
    .filter(([x, y, z]) => Math.hypot(x, y, z) > 1e-3)
    .map(([x, y, z]) => new UnitVector3d(x, y, z));
  const angle = fc.double({ min: 1e-6, max: Math.PI - 1e-3, noNaN: true });

  it('circle-circle relations follow from centre separation and radii', () => {
    fc.assert(
      fc.property(unit, unit, angle, angle, (c1, c2, t1, t2) => {
        const a = new Circle(c1, Angle.fromRadians(t1));
        const b = new Circle(c2, Angle.fromRadians(t2));
        const d = c1.angleTo(c2).asRadians();
        const r = a.relate(b);
        const margin = 1e-6;
        // True disjointness: d > t1 + t2. True containment of b in a: d + t2 ≤ t1.
        if (d > t1 + t2 + margin) expect(r & Relationship.DISJOINT).toBeTruthy();
        if (d < t1 + t2 - margin) expect(r & Relationship.DISJOINT).toBe(0);
        if (d + t2 < t1 - margin) expect(r & Relationship.CONTAINS).toBeTruthy();
        if (d + t2 > t1 + margin) expect(r & Relationship.CONTAINS).toBe(0);
        if (d + t1 < t2 - margin) expect(r & Relationship.WITHIN).toBeTruthy();
        if (d + t1 > t2 + margin) expect(r & Relationship.WITHIN).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('area is 2π(1 − cos θ)', () => {
    fc.assert(
      fc.property(unit, angle, (c, t) => {
        expect(new Circle(c, Angle.fromRadians(t)).getArea()).toBeCloseTo(2 * Math.PI * (1 - Math.cos(t)), 12);
      }),
    );
  });

  it('point containment is |v − c|² ≤ 4 sin²(θ/2), accurate for tiny circles', () => {
    const t = 1e-9;
    const c = new Circle(X, Angle.fromRadians(t));
    expect(c.contains(UnitVector3d.fromLonLatRadians(0.99 * t, 0))).toBe(true);
    expect(c.contains(UnitVector3d.fromLonLatRadians(1.01 * t, 0))).toBe(false);
    expect(Circle.squaredChordLengthFor(Angle.fromRadians(Math.PI / 2))).toBeCloseTo(2, 15);
    expect(Circle.openingAngleFor(2).asRadians()).toBeCloseTo(Math.PI / 2, 15);
    expect(Circle.squaredChordLengthFor(Angle.fromRadians(-1))).toBe(-1);
    expect(Circle.openingAngleFor(5).asRadians()).toBe(Math.PI);
    expect(new Circle(X, Angle.fromRadians(NaN)).isEmpty()).toBe(true);
  });

  it('bounding box: latitude ± θ, longitude half-width asin(sin θ / cos lat), all longitudes over a pole', () => {
    const lat = 60 * (Math.PI / 180);
    const t = 10 * (Math.PI / 180);
    const b = new Circle(UnitVector3d.fromLonLatRadians(1, lat), Angle.fromRadians(t)).getBoundingBox();
    expect(b.getLat().getA().asRadians()).toBeCloseTo(lat - t, 7);
    expect(b.getLat().getB().asRadians()).toBeCloseTo(lat + t, 7);
    const halfWidth = Math.asin(Math.sin(t) / Math.cos(lat));
    expect(b.getWidth().asRadians() / 2).toBeGreaterThanOrEqual(halfWidth);
    expect(b.getWidth().asRadians() / 2).toBeLessThan(halfWidth + 1e-6);
    const polar = new Circle(UnitVector3d.fromLonLatRadians(1, 85 * (Math.PI / 180)), Angle.fromDegrees(10)).getBoundingBox();
    expect(polar.getLon().isFull()).toBe(true);
    expect(polar.getLat().getB().asRadians()).toBe(Math.PI / 2);
    expect(Circle.empty().getBoundingBox().isEmpty()).toBe(true);
  });

  it('expandedTo contains both inputs and is about minimal', () => {
    const a = new Circle(X, Angle.fromDegrees(10));
    const b = new Circle(Y, Angle.fromDegrees(20));
    const u = a.expandedTo(b);
    expect(u.getOpeningAngle().asDegrees()).toBeCloseTo((90 + 10 + 20) / 2, 5);
    expect(u.relate(a) & Relationship.CONTAINS).toBeTruthy();
    expect(u.relate(b) & Relationship.CONTAINS).toBeTruthy();
    const p = new Circle(X, Angle.fromDegrees(10)).expandedTo(Y);
    expect(p.contains(Y)).toBe(true);
    expect(p.getOpeningAngle().asDegrees()).toBeCloseTo(50, 5);
    expect(new Circle(X, Angle.fromDegrees(100)).expandedTo(new Circle(X.negate(), Angle.fromDegrees(100))).isFull()).toBe(true);
  });

  it('relates to boxes like the analytic geometry says', () => {
    // A 1° circle at the origin of coordinates inside a 10° box around it, and one outside.
    const box = LonLatBox.fromDegrees(355, -5, 5, 5);
    expect(new Circle(X, Angle.fromDegrees(1)).relate(box)).toBe(Relationship.WITHIN);
    expect(new Circle(X, Angle.fromDegrees(10)).relate(box)).toBe(Relationship.CONTAINS);
    const outside = new Circle(UnitVector3d.fromLonLatRadians(7 * (Math.PI / 180), 0), Angle.fromDegrees(1.9));
    expect(outside.relate(box)).toBe(Relationship.DISJOINT);
    const touching = new Circle(UnitVector3d.fromLonLatRadians(7 * (Math.PI / 180), 0), Angle.fromDegrees(2.1));
    expect(touching.relate(box)).toBe(Relationship.INTERSECTS);
    // The circle centre is outside the box and no box corner is inside the circle: unknown.
    expect(touching.overlaps(box)).toBeUndefined();
    expect(new Circle(X, Angle.fromDegrees(6)).overlaps(box)).toBe(true);
    expect(outside.overlaps(box)).toBe(false);
  });

  it('prints', () => {
    expect(new Circle(Z, Angle.fromRadians(1)).toString()).toBe('Circle(UnitVector3d(0, 0, 1), 1)');
  });
});
