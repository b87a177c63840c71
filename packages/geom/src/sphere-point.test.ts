import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Angle } from './angle.js';
import { GeomDomainError, GeomInvalidArgumentError } from './errors.js';
import { SpherePoint, averageSpherePoint, separationRadiansArray } from './sphere-point.js';

const DEG = Math.PI / 180;

/** Reference: the haversine formula, written out here independently of the implementation. */
function haversine(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const s1 = Math.sin((lat2 - lat1) / 2);
  const s2 = Math.sin((lon2 - lon1) / 2);
  return 2 * Math.asin(Math.min(1, Math.sqrt(s1 * s1 + Math.cos(lat1) * Math.cos(lat2) * s2 * s2)));
}

function vec(lon: number, lat: number): [number, number, number] {
  return [Math.cos(lat) * Math.cos(lon), Math.cos(lat) * Math.sin(lon), Math.sin(lat)];
}

const lonArb = fc.double({ min: 0, max: 2 * Math.PI, noNaN: true, maxExcluded: true });
const latArb = fc.double({ min: -Math.PI / 2, max: Math.PI / 2, noNaN: true });

describe('SpherePoint construction', () => {
  it('wraps longitude and rejects invalid latitude with a typed error', () => {
    expect(SpherePoint.fromDegrees(-90, 10).getRa().asDegrees()).toBeCloseTo(270, 12);
    expect(SpherePoint.fromDegrees(720, 10).getRa().asDegrees()).toBeCloseTo(0, 10);
    expect(() => SpherePoint.fromDegrees(10, 90.0001)).toThrow(GeomInvalidArgumentError);
    expect(() => SpherePoint.fromDegrees(Number.NaN, 0)).toThrow(/finite/);
  });

  it('makes points from vectors; a pole gets longitude zero', () => {
    const p = SpherePoint.fromVector(0, 2, 0);
    expect(p.getRa().asDegrees()).toBeCloseTo(90, 12);
    expect(p.getDec().asDegrees()).toBeCloseTo(0, 12);
    const pole = SpherePoint.fromVector(0, 0, -5);
    expect(pole.getRa().asRadians()).toBe(0);
    expect(pole.getDec().asDegrees()).toBe(-90);
    expect(pole.atPole()).toBe(true);
    expect(() => SpherePoint.fromVector(0, 0, 0)).toThrow(GeomInvalidArgumentError);
  });

  it('round-trips through unit vectors and LonLat', () => {
    const p = SpherePoint.fromDegrees(123.456, -33.3);
    const v = p.toUnitVector();
    expect(Math.hypot(v.x, v.y, v.z)).toBeCloseTo(1, 15);
    expect(SpherePoint.fromUnitVector(v).separation(p).asRadians()).toBeLessThan(1e-15);
    expect(SpherePoint.fromLonLat(p.toLonLat()).equals(p)).toBe(true);
    expect(p.getPosition().x).toBeCloseTo(123.456, 12);
    expect(p.getPosition().y).toBeCloseTo(-33.3, 12);
  });

  it('prints like lsst.geom', () => {
    expect(SpherePoint.fromDegrees(10.6847, 41.269).toString()).toBe('(10.6847000000, +41.2690000000)');
    expect(SpherePoint.fromDegrees(1, -2.5).toString()).toBe('(1.0000000000, -2.5000000000)');
  });
});

describe('SpherePoint.separation', () => {
  it('agrees with the haversine formula on random pairs', () => {
    fc.assert(
      fc.property(lonArb, latArb, lonArb, latArb, (lon1, lat1, lon2, lat2) => {
        const expected = haversine(lon1, lat1, lon2, lat2);
        fc.pre(expected < 179 * DEG); // haversine itself loses precision near 180 degrees
        const got = SpherePoint.fromRadians(lon1, lat1).separation(SpherePoint.fromRadians(lon2, lat2)).asRadians();
        expect(Math.abs(got - expected)).toBeLessThan(1e-12);
      }),
      { numRuns: 2000 },
    );
  });

  it('is exact for tiny separations', () => {
    for (const delta of [1e-15, 1e-12, 1e-9, 1e-6]) {
      const a = SpherePoint.fromRadians(1.0, 0.3);
      const b = SpherePoint.fromRadians(1.0, 0.3 + delta);
      expect(Math.abs(a.separation(b).asRadians() - delta) / delta).toBeLessThan(1e-3);
    }
    expect(SpherePoint.fromDegrees(5, 5).separation(SpherePoint.fromDegrees(5, 5)).asRadians()).toBe(0);
  });

  it('is accurate near 180 degrees (analytic: meridian through the pole)', () => {
    // (lon, lat) and (lon + 180, -lat + delta) are 180 deg - delta apart over the pole.
    for (const delta of [0, 1e-12, 1e-10, 1e-7]) {
      const a = SpherePoint.fromRadians(0.7, 0.2);
      const b = SpherePoint.fromRadians(0.7 + Math.PI, -0.2 + delta);
      const got = a.separation(b).asRadians();
      expect(Math.abs(got - (Math.PI - delta))).toBeLessThan(2e-15);
    }
  });

  it('has a batched form that matches the scalar one', () => {
    const n = 50;
    const l1 = new Float64Array(n), b1 = new Float64Array(n), l2 = new Float64Array(n), b2 = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      // Longitudes already in [0, 2π), so SpherePoint stores them unchanged and results must be identical.
      l1[i] = (i * 0.1) % (2 * Math.PI); b1[i] = Math.sin(i) * 1.5; l2[i] = (i * 0.37) % (2 * Math.PI); b2[i] = Math.cos(i) * 1.5;
    }
    const out = separationRadiansArray(l1, b1, l2, b2);
    for (let i = 0; i < n; i++) {
      expect(out[i]).toBe(SpherePoint.fromRadians(l1[i]!, b1[i]!).separation(SpherePoint.fromRadians(l2[i]!, b2[i]!)).asRadians());
    }
    expect(() => separationRadiansArray(l1, b1, l2, new Float64Array(3))).toThrow(GeomInvalidArgumentError);
  });
});

describe('SpherePoint bearings and offsets', () => {
  it('measures bearings from east towards north', () => {
    const o = SpherePoint.fromDegrees(0, 0);
    expect(o.bearingTo(SpherePoint.fromDegrees(1, 0)).asDegrees()).toBeCloseTo(0, 10);
    expect(o.bearingTo(SpherePoint.fromDegrees(0, 1)).asDegrees()).toBeCloseTo(90, 10);
    expect(o.bearingTo(SpherePoint.fromDegrees(359, 0)).asDegrees()).toBeCloseTo(180, 10);
    expect(o.bearingTo(SpherePoint.fromDegrees(0, -1)).asDegrees()).toBeCloseTo(270, 10);
    expect(() => o.bearingTo(o)).toThrow(GeomDomainError);
  });

  it('offsets along known directions', () => {
    const o = SpherePoint.fromDegrees(10, 20);
    const north = o.offset(Angle.fromDegrees(90), Angle.fromDegrees(5));
    expect(north.getRa().asDegrees()).toBeCloseTo(10, 10);
    expect(north.getDec().asDegrees()).toBeCloseTo(25, 10);
    const eq = SpherePoint.fromDegrees(10, 0).offset(Angle.fromDegrees(0), Angle.fromDegrees(30));
    expect(eq.getRa().asDegrees()).toBeCloseTo(40, 10);
    expect(eq.getDec().asDegrees()).toBeCloseTo(0, 10);
  });

  it('offset and bearingTo/separation round-trip (property)', () => {
    fc.assert(
      fc.property(
        lonArb,
        fc.double({ min: -1.5, max: 1.5, noNaN: true }),
        fc.double({ min: 0, max: 2 * Math.PI, noNaN: true, maxExcluded: true }),
        fc.double({ min: 1e-6, max: 3.0, noNaN: true }),
        (lon, lat, bearing, amount) => {
          const p = SpherePoint.fromRadians(lon, lat);
          const q = p.offset(Angle.fromRadians(bearing), Angle.fromRadians(amount));
          expect(Math.abs(p.separation(q).asRadians() - amount)).toBeLessThan(1e-11);
          const back = p.bearingTo(q).asRadians();
          const diff = Angle.fromRadians(back - bearing).wrapCtr().asRadians();
          expect(Math.abs(diff)).toBeLessThan(1e-9 / Math.max(1e-3, Math.sin(amount)));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('rotates about an axis by the right-hand rule', () => {
    const p = SpherePoint.fromDegrees(0, 0).rotated(SpherePoint.fromDegrees(0, 90), Angle.fromDegrees(90));
    expect(p.getRa().asDegrees()).toBeCloseTo(90, 10);
    expect(p.getDec().asDegrees()).toBeCloseTo(0, 10);
    const q = SpherePoint.fromDegrees(0, 0).rotated(SpherePoint.fromDegrees(90, 0), Angle.fromDegrees(90));
    expect(q.getDec().asDegrees()).toBeCloseTo(-90, 10);
  });
});

describe('SpherePoint.getTangentPlaneOffset', () => {
  it('matches a gnomonic projection computed from vectors (property)', () => {
    fc.assert(
      fc.property(lonArb, fc.double({ min: -1.4, max: 1.4, noNaN: true }), fc.double({ min: -0.5, max: 0.5, noNaN: true }), fc.double({ min: -0.5, max: 0.5, noNaN: true }), (lon, lat, dl, db) => {
        const lat2 = Math.max(-1.5, Math.min(1.5, lat + db));
        const p = SpherePoint.fromRadians(lon, lat);
        const q = SpherePoint.fromRadians(lon + dl, lat2);
        const r = vec(lon, lat);
        const east = [-Math.sin(lon), Math.cos(lon), 0];
        const north = [-Math.sin(lat) * Math.cos(lon), -Math.sin(lat) * Math.sin(lon), Math.cos(lat)];
        const x = vec(lon + dl, lat2);
        const dot = (a: number[], b: number[]) => a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;
        const [xi, eta] = p.getTangentPlaneOffset(q);
        expect(xi.asRadians()).toBeCloseTo(dot(x, east) / dot(x, r), 10);
        expect(eta.asRadians()).toBeCloseTo(dot(x, north) / dot(x, r), 10);
      }),
      { numRuns: 500 },
    );
  });

  it('gives tan(delta) along the equator and refuses points 90 degrees away', () => {
    const [xi, eta] = SpherePoint.fromDegrees(0, 0).getTangentPlaneOffset(SpherePoint.fromDegrees(10, 0));
    expect(xi.asRadians()).toBeCloseTo(Math.tan(10 * DEG), 14);
    expect(eta.asRadians()).toBeCloseTo(0, 14);
    expect(() => SpherePoint.fromDegrees(0, 0).getTangentPlaneOffset(SpherePoint.fromDegrees(90, 0))).toThrow(GeomDomainError);
  });
});

describe('averageSpherePoint', () => {
  it('averages across the 0/360 seam and symmetric sets', () => {
    const a = averageSpherePoint([SpherePoint.fromDegrees(359, 0), SpherePoint.fromDegrees(1, 0)]);
    expect(a.getRa().wrapCtr().asDegrees()).toBeCloseTo(0, 10);
    expect(a.getDec().asDegrees()).toBeCloseTo(0, 10);
    const b = averageSpherePoint([0, 90, 180, 270].map((ra) => SpherePoint.fromDegrees(ra, 45)));
    expect(b.getDec().asDegrees()).toBeCloseTo(90, 10);
    expect(() => averageSpherePoint([])).toThrow(GeomInvalidArgumentError);
  });
});
