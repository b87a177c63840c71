import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Angle, arcminutes, arcseconds, degrees, hours, milliarcseconds, radians } from './angle.js';

const TWO_PI = 2 * Math.PI;

describe('Angle units', () => {
  it('converts between units by their definitions', () => {
    expect(Angle.fromDegrees(180).asRadians()).toBe(Math.PI);
    expect(Angle.fromDegrees(1).asArcseconds()).toBeCloseTo(3600, 10);
    expect(Angle.fromArcminutes(60).asDegrees()).toBeCloseTo(1, 14);
    expect(Angle.fromHours(1).asDegrees()).toBeCloseTo(15, 13);
    expect(Angle.fromMilliarcseconds(3.6e6).asDegrees()).toBeCloseTo(1, 14);
    expect(degrees.of(90).asRadians()).toBe(Math.PI / 2);
    expect(new Angle(2, hours).asAngularUnits(arcminutes)).toBeCloseTo(1800, 9);
    expect(new Angle(1.5).asAngularUnits(radians)).toBe(1.5);
    expect(arcseconds.of(1).asAngularUnits(milliarcseconds)).toBeCloseTo(1000, 10);
  });

  it('does arithmetic and comparisons', () => {
    const a = Angle.fromDegrees(30);
    const b = Angle.fromDegrees(45);
    expect(a.add(b).asDegrees()).toBeCloseTo(75, 12);
    expect(a.subtract(b).asDegrees()).toBeCloseTo(-15, 12);
    expect(a.multiply(3).asDegrees()).toBeCloseTo(90, 12);
    expect(b.divide(9).asDegrees()).toBeCloseTo(5, 12);
    expect(a.negate().abs().equals(a)).toBe(true);
    expect(a.compare(b)).toBeLessThan(0);
    expect(a.isClose(Angle.fromDegrees(30.0001), Angle.fromDegrees(0.001))).toBe(true);
    expect(a.isClose(Angle.fromDegrees(31), Angle.fromDegrees(0.001))).toBe(false);
  });
});

describe('Angle wrapping', () => {
  it('wrap() maps into [0, 2π), never returning 2π', () => {
    expect(Angle.fromDegrees(370).wrap().asDegrees()).toBeCloseTo(10, 12);
    expect(Angle.fromDegrees(-10).wrap().asDegrees()).toBeCloseTo(350, 12);
    expect(Angle.fromRadians(TWO_PI).wrap().asRadians()).toBe(0);
    // -1e-17 + 2π rounds to 2π in double precision; the result must still be < 2π.
    const tiny = Angle.fromRadians(-1e-17).wrap().asRadians();
    expect(tiny).toBeGreaterThanOrEqual(0);
    expect(tiny).toBeLessThan(TWO_PI);
  });

  it('wrapCtr() maps into [-π, π)', () => {
    expect(Angle.PI.wrapCtr().asRadians()).toBe(-Math.PI);
    expect(Angle.fromRadians(-Math.PI).wrapCtr().asRadians()).toBe(-Math.PI);
    expect(Angle.fromDegrees(270).wrapCtr().asDegrees()).toBeCloseTo(-90, 12);
    expect(Angle.fromDegrees(-190).wrapCtr().asDegrees()).toBeCloseTo(170, 12);
  });

  it('wrapNear() gives the equivalent angle in [ref - π, ref + π)', () => {
    expect(Angle.fromDegrees(10).wrapNear(Angle.fromDegrees(350)).asDegrees()).toBeCloseTo(370, 11);
    expect(Angle.fromDegrees(350).wrapNear(Angle.fromDegrees(0)).asDegrees()).toBeCloseTo(-10, 11);
  });

  it('wrap, wrapCtr and wrapNear keep the angle modulo 2π and respect their intervals (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e4, max: 1e4, noNaN: true }),
        fc.double({ min: -100, max: 100, noNaN: true }),
        (rad, refRad) => {
          const a = Angle.fromRadians(rad);
          const ref = Angle.fromRadians(refRad);
          const w = a.wrap().asRadians();
          const c = a.wrapCtr().asRadians();
          const n = a.wrapNear(ref).asRadians();
          expect(w >= 0 && w < TWO_PI).toBe(true);
          expect(c >= -Math.PI && c < Math.PI).toBe(true);
          expect(n >= refRad - Math.PI && n < refRad + Math.PI).toBe(true);
          // Same direction: compare sines and cosines.
          for (const v of [w, c, n]) {
            expect(Math.cos(v)).toBeCloseTo(Math.cos(rad), 9);
            expect(Math.sin(v)).toBeCloseTo(Math.sin(rad), 9);
          }
        },
      ),
    );
  });

  it('separation() is the difference wrapped into [-π, π)', () => {
    expect(Angle.fromDegrees(350).separation(Angle.fromDegrees(10)).asDegrees()).toBeCloseTo(-20, 11);
    expect(Angle.fromDegrees(10).separation(Angle.fromDegrees(350)).asDegrees()).toBeCloseTo(20, 11);
  });
});
