import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Angle } from '../angle.js';
import { GeomDomainError, GeomInvalidArgumentError } from '../errors.js';
import { AngleInterval } from './angle-interval.js';
import { Circle } from './circle.js';
import { LonLat } from './lon-lat.js';
import { LonLatBox } from './lon-lat-box.js';
import { NormalizedAngleInterval } from './normalized-angle-interval.js';
import { Relationship } from './relationship.js';
import { UnitVector3d } from './unit-vector3d.js';

const DEG = Math.PI / 180;
const deg = Angle.fromDegrees;

describe('LonLatBox (expectations of lsst/sphgeom tests/test_Box.py)', () => {
  it('construction', () => {
    expect(new LonLatBox(LonLatBox.allLongitudes(), LonLatBox.allLatitudes()).isFull()).toBe(true);
    const b = LonLatBox.fromDegrees(-90, -45, 90, 45);
    expect(b.equals(new LonLatBox(b.getLon(), b.getLat()))).toBe(true);
    const a = LonLatBox.fromRadians(-0.5 * Math.PI, -0.25 * Math.PI, 0.5 * Math.PI, 0.25 * Math.PI);
    const c = LonLatBox.fromLonLats(LonLat.fromRadians(-0.5 * Math.PI, -0.25 * Math.PI), LonLat.fromRadians(0.5 * Math.PI, 0.25 * Math.PI));
    const d = LonLatBox.around(LonLat.fromRadians(0, 0), Angle.fromRadians(0.5 * Math.PI), Angle.fromRadians(0.25 * Math.PI));
    expect(a.equals(c)).toBe(true);
    expect(c.equals(d)).toBe(true);
    expect(LonLatBox.empty().isEmpty()).toBe(true);
    expect(LonLatBox.full().isFull()).toBe(true);
  });

  it('comparison with a point box', () => {
    expect(LonLatBox.fromPoint(LonLat.fromDegrees(45, 45)).equals(LonLatBox.fromDegrees(45, 45, 45, 45))).toBe(true);
    expect(
      LonLatBox.fromDegrees(90, -45, 180, 45).equals(
        new LonLatBox(NormalizedAngleInterval.fromDegrees(90, 180), AngleInterval.fromDegrees(-45, 45)),
      ),
    ).toBe(true);
    expect(LonLatBox.fromDegrees(90, -45, 180, 45).equals(LonLatBox.fromDegrees(90, -45, 180, 90))).toBe(false);
  });

  it('centre and dimensions', () => {
    const b = LonLatBox.fromDegrees(-90, -45, 90, 45);
    expect(b.getCenter().equals(LonLat.fromDegrees(0, 0))).toBe(true);
    expect(b.getWidth().asDegrees()).toBeCloseTo(180, 12);
    expect(b.getHeight().asDegrees()).toBeCloseTo(90, 12);
    expect(b.getLon().getA().asDegrees()).toBeCloseTo(270, 12);
    expect(b.getLat().getB().asDegrees()).toBeCloseTo(45, 12);
  });

  it('relationships', () => {
    const b1 = LonLatBox.fromDegrees(90, 0, 180, 45);
    expect(b1.containsLonLat(deg(135), deg(10))).toBe(true);
    const b2 = LonLatBox.fromDegrees(135, 15, 135, 30);
    expect(b1.containsRegion(b2)).toBe(true);
    expect(b2.isWithin(b1)).toBe(true);
    const b3 = LonLatBox.fromDegrees(0, -45, 90, 0);
    expect(b1.intersects(b3)).toBe(true);
    expect(b3.contains(new UnitVector3d(1, 1, -1))).toBe(true);
    const b4 = LonLatBox.fromDegrees(200, 10, 300, 20);
    expect(b1.isDisjointFrom(b4)).toBe(true);
    expect(b1.relate(LonLatBox.fromPoint(LonLat.fromDegrees(135, 10)))).toBe(Relationship.CONTAINS);
    expect(b4.relate(b1)).toBe(Relationship.DISJOINT);
  });

  it('expanding and clipping', () => {
    const a = LonLatBox.fromDegrees(0, 0, 10, 10)
      .expandedTo(LonLat.fromDegrees(20, 20))
      .expandedTo(LonLatBox.fromDegrees(0, 0, 30, 10))
      .clippedTo(LonLatBox.fromDegrees(10, 10, 15, 15))
      .clippedTo(LonLatBox.fromPoint(LonLat.fromDegrees(11, 11)));
    expect(a.equals(LonLatBox.fromPoint(LonLat.fromDegrees(11, 11)))).toBe(true);
    expect(a.clippedTo(LonLatBox.fromPoint(LonLat.fromDegrees(0, 0))).isEmpty()).toBe(true);
  });

  it('dilation and erosion', () => {
    const a = LonLatBox.fromRadians(0.5, -0.5, 1.5, 0.5);
    const b = a.dilatedBy(Angle.fromRadians(0.5), Angle.fromRadians(0.5)).dilatedBy(Angle.fromRadians(-1), Angle.fromRadians(-1));
    expect(b.equals(LonLatBox.fromPoint(LonLat.fromRadians(1, 0)))).toBe(true);
  });
});

describe('LonLatBox against analytic truth', () => {
  it('wraps across longitude 0', () => {
    const b = LonLatBox.fromDegrees(350, -5, 10, 5);
    expect(b.getLon().wraps()).toBe(true);
    expect(b.getWidth().asDegrees()).toBeCloseTo(20, 12);
    expect(b.getCenter().getLon().asDegrees()).toBeCloseTo(0, 9);
    expect(b.containsLonLat(deg(0), deg(0))).toBe(true);
    expect(b.containsLonLat(deg(355), deg(4))).toBe(true);
    expect(b.containsLonLat(deg(-5), deg(4))).toBe(true);
    expect(b.containsLonLat(deg(11), deg(0))).toBe(false);
    expect(b.containsLonLat(deg(180), deg(0))).toBe(false);
    expect(b.contains(UnitVector3d.X())).toBe(true);
    // Boxes on either side of the wrap point.
    expect(b.relate(LonLatBox.fromDegrees(355, -1, 5, 1))).toBe(Relationship.CONTAINS);
    expect(b.relate(LonLatBox.fromDegrees(15, -1, 345, 1))).toBe(Relationship.DISJOINT);
    expect(b.relate(LonLatBox.fromDegrees(5, -1, 15, 1))).toBe(Relationship.INTERSECTS);
    expect(b.relate(LonLatBox.fromDegrees(340, -10, 20, 10))).toBe(Relationship.WITHIN);
  });

  it('area is Δlon · (sin lat2 − sin lat1)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 359, noNaN: true }),
        fc.double({ min: 0, max: 360, noNaN: true }),
        fc.double({ min: -90, max: 90, noNaN: true }),
        fc.double({ min: -90, max: 90, noNaN: true }),
        (lon1, w, l1, l2) => {
          const [lo, hi] = l1 <= l2 ? [l1, l2] : [l2, l1];
          const b = w >= 360 ? new LonLatBox(LonLatBox.allLongitudes(), AngleInterval.fromDegrees(lo, hi)) : LonLatBox.fromDegrees(lon1, lo, (lon1 + w) % 360, hi);
          const width = w >= 360 ? 2 * Math.PI : w * DEG;
          expect(b.getArea()).toBeCloseTo(width * (Math.sin(hi * DEG) - Math.sin(lo * DEG)), 9);
        },
      ),
    );
    expect(LonLatBox.full().getArea()).toBeCloseTo(4 * Math.PI, 12);
    expect(LonLatBox.empty().getArea()).toBe(0);
  });

  it('poles: a box reaching a pole contains it, and boxes sharing a pole are not disjoint', () => {
    const a = LonLatBox.fromDegrees(10, 80, 20, 90);
    const b = LonLatBox.fromDegrees(100, 85, 120, 90);
    expect(a.contains(UnitVector3d.Z())).toBe(true);
    expect(a.containsLonLat(deg(200), deg(90))).toBe(true);
    expect(a.relate(b) & Relationship.DISJOINT).toBe(0);
    expect(a.overlaps(b)).toBe(true);
    expect(LonLatBox.fromDegrees(10, 80, 20, 89).relate(LonLatBox.fromDegrees(100, 85, 120, 90))).toBe(Relationship.DISJOINT);
    const south = LonLatBox.fromDegrees(10, -90, 20, -80);
    expect(south.contains(UnitVector3d.Z().negate())).toBe(true);
    expect(south.relate(a)).toBe(Relationship.DISJOINT);
  });

  it('relates to circles near a pole', () => {
    // A circle around the north pole of radius 5°: inside the cap above 80°, crossing the cap above 87°.
    const circle = new Circle(UnitVector3d.Z(), deg(5));
    const cap80 = new LonLatBox(LonLatBox.allLongitudes(), AngleInterval.fromDegrees(80, 90));
    const cap87 = new LonLatBox(LonLatBox.allLongitudes(), AngleInterval.fromDegrees(87, 90));
    expect(cap80.relate(circle)).toBe(Relationship.CONTAINS);
    expect(cap87.relate(circle)).toBe(Relationship.WITHIN);
    const ring = new LonLatBox(LonLatBox.allLongitudes(), AngleInterval.fromDegrees(70, 84));
    expect(ring.relate(circle)).toBe(Relationship.DISJOINT);
    // A narrow box reaching the pole intersects the polar circle.
    expect(LonLatBox.fromDegrees(10, 89, 11, 90).relate(circle)).toBe(Relationship.WITHIN);
    expect(LonLatBox.fromDegrees(10, 80, 11, 90).relate(circle)).toBe(Relationship.INTERSECTS);
  });

  it('bounding circle contains the box', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 359, noNaN: true }),
        fc.double({ min: 0.001, max: 359, noNaN: true }),
        fc.double({ min: -90, max: 90, noNaN: true }),
        fc.double({ min: 0, max: 90, noNaN: true }),
        (lon, w, lat, h) => {
          const b = LonLatBox.fromDegrees(lon, lat, (lon + w) % 360, Math.min(90, lat + h));
          const c = b.getBoundingCircle();
          expect(c.relate(b) & Relationship.CONTAINS).toBeTruthy();
          for (const [fl, ft] of [
            [0, 0],
            [1, 1],
            [0.5, 0],
            [0.5, 1],
            [0.3, 0.7],
          ] as const) {
            const p = UnitVector3d.fromLonLatRadians((lon + w * fl) * DEG, Math.min(90, lat + h * ft) * DEG);
            expect(c.contains(p)).toBe(true);
          }
        },
      ),
    );
    expect(LonLatBox.full().getBoundingCircle().isFull()).toBe(true);
    expect(LonLatBox.empty().getBoundingCircle().isEmpty()).toBe(true);
  });

  it('dilatedBy(r) bounds all points within r of the box', () => {
    const b = LonLatBox.fromDegrees(10, 50, 20, 60);
    const d = b.dilatedBy(deg(1));
    expect(d.getLat().getA().asDegrees()).toBeCloseTo(49, 12);
    expect(d.getLat().getB().asDegrees()).toBeCloseTo(61, 12);
    // The widest longitude extent is at the highest latitude: asin(sin 1° / cos 60°).
    const hw = Math.asin(Math.sin(DEG) / Math.cos(60 * DEG)) / DEG;
    expect(d.getWidth().asDegrees()).toBeCloseTo(10 + 2 * hw, 9);
    expect(LonLatBox.fromDegrees(10, 80, 20, 89.5).dilatedBy(deg(1)).getLon().isFull()).toBe(true);
  });

  it('rejects bad input and reports the centre of an empty box as an error', () => {
    expect(() => LonLatBox.empty().getCenter()).toThrow(GeomDomainError);
    expect(() => LonLatBox.fromDegrees(400, 0, 10, 1)).toThrow(GeomInvalidArgumentError);
    expect(LonLatBox.fromDegrees(0, 10, 10, 5).isEmpty()).toBe(true);
    // Latitudes beyond the poles are clipped.
    expect(LonLatBox.fromDegrees(0, 80, 10, 100).getLat().getB().asRadians()).toBe(Math.PI / 2);
    expect(LonLatBox.halfWidthForCircle(deg(1), deg(0)).asDegrees()).toBeCloseTo(1, 12);
    expect(LonLatBox.halfWidthForCircle(deg(10), deg(85)).asRadians()).toBe(Math.PI);
    expect(LonLatBox.fromDegrees(0, 0, 1, 1).toString()).toMatch(/^LonLatBox\(\[0, 0.017/);
  });
});

describe('angle intervals', () => {
  it('NormalizedAngleInterval follows the sphgeom construction rules', () => {
    expect(NormalizedAngleInterval.fromDegrees(-10, 10).wraps()).toBe(true);
    expect(NormalizedAngleInterval.fromDegrees(-10, 400).isFull()).toBe(true);
    expect(() => NormalizedAngleInterval.fromDegrees(400, 10)).toThrow(GeomInvalidArgumentError);
    expect(NormalizedAngleInterval.fromDegrees(NaN, 10).isEmpty()).toBe(true);
    const i = NormalizedAngleInterval.fromDegrees(350, 10);
    expect(i.getSize().asDegrees()).toBeCloseTo(20, 12);
    expect(i.getCenter().asDegrees()).toBeCloseTo(0, 9);
    expect(i.expandedTo(deg(30)).getB().asDegrees()).toBeCloseTo(30, 12);
    expect(i.expandedTo(deg(330)).getA().asDegrees()).toBeCloseTo(330, 12);
    expect(i.expandedTo(NormalizedAngleInterval.fromDegrees(5, 355)).isFull()).toBe(true);
    expect(i.expandedTo(NormalizedAngleInterval.fromDegrees(355, 5)).equals(i)).toBe(true);
    expect(i.clippedTo(NormalizedAngleInterval.fromDegrees(5, 100)).getA().asDegrees()).toBeCloseTo(5, 12);
    expect(i.dilatedBy(deg(180)).isFull()).toBe(true);
    expect(i.dilatedBy(deg(-10)).isEmpty()).toBe(false);
    expect(i.dilatedBy(deg(-11)).isEmpty()).toBe(true);
    expect(NormalizedAngleInterval.fromDegrees(10, 20).relate(NormalizedAngleInterval.fromDegrees(350, 30))).toBe(Relationship.WITHIN);
  });

  it('AngleInterval relations', () => {
    const a = AngleInterval.fromDegrees(0, 10);
    expect(a.relate(AngleInterval.fromDegrees(2, 3))).toBe(Relationship.CONTAINS);
    expect(a.relate(AngleInterval.fromDegrees(11, 13))).toBe(Relationship.DISJOINT);
    expect(a.relate(AngleInterval.empty())).toBe(Relationship.CONTAINS | Relationship.DISJOINT);
    expect(a.expandedTo(deg(20)).getB().asDegrees()).toBeCloseTo(20, 12);
    expect(a.clippedTo(AngleInterval.fromDegrees(5, 20)).getA().asDegrees()).toBeCloseTo(5, 12);
    expect(a.dilatedBy(deg(1)).getSize().asDegrees()).toBeCloseTo(12, 12);
    expect(AngleInterval.fromDegrees(1, 0).isEmpty()).toBe(true);
  });
});
