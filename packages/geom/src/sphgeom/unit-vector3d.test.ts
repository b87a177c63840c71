import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Angle } from '../angle.js';
import { GeomInvalidArgumentError } from '../errors.js';
import { LonLat } from './lon-lat.js';
import { orientation } from './orientation.js';
import { UnitVector3d } from './unit-vector3d.js';
import { Vector3d } from './vector3d.js';

const finite = fc.double({ min: -1e3, max: 1e3, noNaN: true });
const nonZeroVec = fc
  .tuple(finite, finite, finite)
  .filter(([x, y, z]) => Math.hypot(x, y, z) > 1e-6);

describe('UnitVector3d', () => {
  it('normalises its components', () => {
    const v = new UnitVector3d(3, 0, 4);
    expect(v.x).toBeCloseTo(0.6, 15);
    expect(v.y).toBe(0);
    expect(v.z).toBeCloseTo(0.8, 15);
    fc.assert(
      fc.property(nonZeroVec, ([x, y, z]) => {
        const u = new UnitVector3d(x, y, z);
        expect(Math.hypot(u.x, u.y, u.z)).toBeCloseTo(1, 14);
        // Same direction: the cross product with the input vanishes relative to its length.
        const c = u.cross(new Vector3d(x, y, z));
        expect(c.getNorm() / Math.hypot(x, y, z)).toBeLessThan(1e-14);
        expect(u.dot(new Vector3d(x, y, z))).toBeGreaterThan(0);
      }),
    );
  });

  it('normalises tiny and huge vectors without under- or overflow', () => {
    const tiny = new UnitVector3d(1e-300, 0, 1e-300);
    expect(tiny.x).toBeCloseTo(Math.SQRT1_2, 15);
    const huge = new UnitVector3d(1e300, 1e300, 0);
    expect(huge.y).toBeCloseTo(Math.SQRT1_2, 15);
  });

  it('rejects zero and non-finite vectors', () => {
    expect(() => new UnitVector3d(0, 0, 0)).toThrow(GeomInvalidArgumentError);
    expect(() => new UnitVector3d(NaN, 0, 1)).toThrow(GeomInvalidArgumentError);
    expect(() => new UnitVector3d(Infinity, 0, 1)).toThrow(GeomInvalidArgumentError);
    expect(() => UnitVector3d.fromVector(new Vector3d(0, 0, 0))).toThrow(GeomInvalidArgumentError);
  });

  it('fromNormalized trusts its input', () => {
    const v = UnitVector3d.fromNormalized(2, 0, 0);
    expect([v.x, v.y, v.z]).toEqual([2, 0, 0]);
    expect(v).toBeInstanceOf(UnitVector3d);
  });

  it('converts longitude/latitude with the sphgeom conventions', () => {
    const close = (v: UnitVector3d, x: number, y: number, z: number): void => {
      expect(v.x).toBeCloseTo(x, 15);
      expect(v.y).toBeCloseTo(y, 15);
      expect(v.z).toBeCloseTo(z, 15);
    };
    close(UnitVector3d.fromLonLatRadians(0, 0), 1, 0, 0);
    close(UnitVector3d.fromLonLatRadians(Math.PI / 2, 0), 0, 1, 0);
    close(UnitVector3d.fromLonLatRadians(0, Math.PI / 2), 0, 0, 1);
    close(UnitVector3d.fromLonLat(LonLat.fromDegrees(180, -45)), -Math.SQRT1_2, 0, -Math.SQRT1_2);
    close(UnitVector3d.fromLonLat(Angle.fromDegrees(45), Angle.fromDegrees(0)), Math.SQRT1_2, Math.SQRT1_2, 0);
    // Round trip through LonLat.
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 2 * Math.PI, noNaN: true, maxExcluded: true }),
        fc.double({ min: -1.5, max: 1.5, noNaN: true }),
        (lon, lat) => {
          const p = LonLat.fromVector(UnitVector3d.fromLonLatRadians(lon, lat));
          expect(p.getLat().asRadians()).toBeCloseTo(lat, 12);
          const dLon = Math.abs(p.getLon().asRadians() - lon);
          expect(Math.min(dLon, 2 * Math.PI - dLon)).toBeLessThan(1e-12);
        },
      ),
    );
  });

  it('has the axes, negation and arithmetic', () => {
    expect([UnitVector3d.X().x, UnitVector3d.Y().y, UnitVector3d.Z().z]).toEqual([1, 1, 1]);
    expect(UnitVector3d.X().cross(UnitVector3d.Y()).equals(new Vector3d(0, 0, 1))).toBe(true);
    expect(UnitVector3d.X().negate().x).toBe(-1);
    expect(UnitVector3d.X().add(UnitVector3d.Y()).equals(new Vector3d(1, 1, 0))).toBe(true);
    expect(UnitVector3d.X().subtract(UnitVector3d.Y()).equals(new Vector3d(1, -1, 0))).toBe(true);
    expect(UnitVector3d.Z().multiply(2).z).toBe(2);
    expect(UnitVector3d.Z().toString()).toBe('UnitVector3d(0, 0, 1)');
  });

  it('robustCross is twice the cross product', () => {
    fc.assert(
      fc.property(nonZeroVec, nonZeroVec, ([a, b, c], [d, e, f]) => {
        const u = new UnitVector3d(a, b, c);
        const v = new UnitVector3d(d, e, f);
        const r = u.robustCross(v);
        const x = u.cross(v);
        expect(r.x).toBeCloseTo(2 * x.x, 14);
        expect(r.y).toBeCloseTo(2 * x.y, 14);
        expect(r.z).toBeCloseTo(2 * x.z, 14);
      }),
    );
  });

  it('orthogonalTo gives unit vectors orthogonal to the inputs, along v1 × v2', () => {
    fc.assert(
      fc.property(nonZeroVec, nonZeroVec, ([a, b, c], [d, e, f]) => {
        const u = new UnitVector3d(a, b, c);
        const v = new UnitVector3d(d, e, f);
        const n1 = UnitVector3d.orthogonalTo(u);
        expect(Math.abs(n1.dot(u))).toBeLessThan(1e-15);
        const n = UnitVector3d.orthogonalTo(u, v);
        expect(Math.abs(n.dot(u))).toBeLessThan(1e-14);
        if (u.cross(v).getNorm() > 1e-6) {
          expect(Math.abs(n.dot(v))).toBeLessThan(1e-14);
          expect(orientation(n, u, v)).toBe(1);
        }
      }),
    );
    const m = UnitVector3d.orthogonalToMeridian(Angle.fromDegrees(90));
    expect(m.x).toBeCloseTo(-1, 15);
    expect(m.y).toBeCloseTo(0, 15);
  });

  it('northFrom points north, with the sphgeom choices at the poles', () => {
    const n = UnitVector3d.northFrom(UnitVector3d.X());
    expect([n.x + 0, n.y + 0, n.z]).toEqual([0, 0, 1]);
    const m = UnitVector3d.northFrom(new UnitVector3d(1, 0, 1));
    expect(m.x).toBeCloseTo(-Math.SQRT1_2, 15);
    expect(m.z).toBeCloseTo(Math.SQRT1_2, 15);
    expect(UnitVector3d.northFrom(UnitVector3d.Z()).x).toBe(-1);
    expect(UnitVector3d.northFrom(UnitVector3d.Z().negate()).x).toBe(1);
  });

  it('rotatedAround follows the right-hand rule; angleTo is accurate at 0 and π', () => {
    const r = UnitVector3d.X().rotatedAround(UnitVector3d.Z(), Angle.fromDegrees(90));
    expect(r.x).toBeCloseTo(0, 15);
    expect(r.y).toBeCloseTo(1, 15);
    expect(UnitVector3d.X().angleTo(UnitVector3d.Y()).asDegrees()).toBeCloseTo(90, 12);
    expect(UnitVector3d.X().angleTo(UnitVector3d.X()).asRadians()).toBe(0);
    expect(UnitVector3d.X().angleTo(UnitVector3d.X().negate()).asRadians()).toBeCloseTo(Math.PI, 15);
    const tiny = UnitVector3d.fromLonLatRadians(1e-12, 0);
    expect(UnitVector3d.X().angleTo(tiny).asRadians()).toBeCloseTo(1e-12, 24);
  });
});

describe('Vector3d', () => {
  it('does vector arithmetic', () => {
    const v = new Vector3d(1, 2, 2);
    expect(v.getNorm()).toBe(3);
    expect(v.getSquaredNorm()).toBe(9);
    expect(v.cross(new Vector3d(0, 0, 1)).equals(new Vector3d(2, -1, 0))).toBe(true);
    expect(v.add(v).equals(v.multiply(2))).toBe(true);
    expect(v.subtract(v).isZero()).toBe(true);
    expect(v.divide(2).dot(new Vector3d(2, 0, 0))).toBe(1);
    expect(v.negate().x).toBe(-1);
    expect(v.toString()).toBe('Vector3d(1, 2, 2)');
  });
});
