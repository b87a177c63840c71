/**
 * The SkyWcs API: factories, pixel origin convention, local CD matrix, pixel scale,
 * linearisation, shifted copies, FITS metadata (read back by us and by astropy), errors.
 */
import { describe, expect, it } from 'vitest';
import { Header } from '@skystack/fits';
import { Angle, Extent2D, Point2D, SpherePoint, arcseconds, degrees } from '@skystack/geom';
import { astropyAvailable } from '@skystack/test-support';
import type {
  SkyWcs} from '../src/index.js';
import {
  WcsFormatError,
  WcsInvalidArgumentError,
  getImageXY0FromMetadata,
  makeCdMatrix,
  makeSkyWcs,
  makeTanSipWcs,
} from '../src/index.js';
import { astropyTransforms, nums, sepDeg } from './astropy-oracle.js';

const CRPIX = new Point2D(1000.5, 1999.25);
const CRVAL = SpherePoint.fromDegrees(150.1, 2.2);
const CD = makeCdMatrix(Angle.fromArcseconds(0.17), Angle.fromDegrees(30));
const SIP_A = [
  [0, 0, -2e-6, 1e-10],
  [0, 5e-7, 3e-11],
  [1e-6, -2e-11],
  [4e-11],
];
const SIP_B = [
  [0, 0, 1.5e-6, -3e-11],
  [0, -8e-7, 2e-11],
  [-1e-6, 1e-11],
  [-2e-11],
];

function sipWcs(): SkyWcs {
  return makeTanSipWcs(CRPIX, CRVAL, CD, SIP_A, SIP_B);
}

function pixelGrid(n = 12): { xs: Float64Array; ys: Float64Array } {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i <= n; i++)
    for (let j = 0; j <= n; j++) {
      xs.push((2047 * i) / n);
      ys.push((4095 * j) / n);
    }
  return { xs: Float64Array.from(xs), ys: Float64Array.from(ys) };
}

describe('factories and conventions', () => {
  it('makeCdMatrix follows afw: East left with North up by default, flipX flips x', () => {
    const cd = makeCdMatrix(Angle.fromArcseconds(0.2));
    expect(cd[0][0]).toBeCloseTo(-0.2 / 3600, 15);
    expect(cd[1][1]).toBeCloseTo(0.2 / 3600, 15);
    expect(cd[0][1]).toBe(0);
    const wcs = makeSkyWcs(new Point2D(0, 0), CRVAL, cd);
    expect(wcs.isFlipped).toBe(false);
    expect(makeSkyWcs(new Point2D(0, 0), CRVAL, makeCdMatrix(Angle.fromArcseconds(0.2), Angle.ZERO, true)).isFlipped).toBe(true);
    // North up: +y goes to higher declination; East left: +x to lower RA.
    const p0 = wcs.pixelToSky(0, 0);
    expect(wcs.pixelToSky(0, 10).getDec().asDegrees()).toBeGreaterThan(p0.getDec().asDegrees());
    expect(wcs.pixelToSky(10, 0).getRa().asDegrees()).toBeLessThan(p0.getRa().asDegrees());
  });

  it('the pixel origin is the 0-based pixel of the sky origin (FITS CRPIX − 1)', () => {
    const h = new Header();
    for (const [k, v] of Object.entries({ CTYPE1: 'RA---TAN', CTYPE2: 'DEC--TAN', CRPIX1: 10, CRPIX2: 20, CRVAL1: 30, CRVAL2: 40, CD1_1: -1e-4, CD2_2: 1e-4 })) h.set(k, v);
    const wcs = makeSkyWcs(h);
    expect([wcs.getPixelOrigin().x, wcs.getPixelOrigin().y]).toEqual([9, 19]);
    const sky = wcs.pixelToSky(new Point2D(9, 19));
    expect(sky.getRa().asDegrees()).toBeCloseTo(30, 12);
    expect(sky.getDec().asDegrees()).toBeCloseTo(40, 12);
    expect(wcs.getSkyOrigin().separation(SpherePoint.fromDegrees(30, 40)).asArcseconds()).toBeLessThan(1e-9);
    const withXy0 = makeSkyWcs(h, { xy0: new Point2D(100, 50) });
    expect([withXy0.getPixelOrigin().x, withXy0.getPixelOrigin().y]).toEqual([109, 69]);
  });

  it('reads xy0 from the A WCS, else from LTV', () => {
    const h = new Header();
    h.set('LTV1', -12);
    h.set('LTV2', -34);
    expect(getImageXY0FromMetadata(h).x).toBe(12);
    h.set('CTYPE1A', 'LINEAR');
    h.set('CTYPE2A', 'LINEAR');
    h.set('CRPIX1A', 1);
    h.set('CRPIX2A', 1);
    h.set('CRVAL1A', 5);
    h.set('CRVAL2A', 6);
    const xy0 = getImageXY0FromMetadata(h, true);
    expect([xy0.x, xy0.y]).toEqual([5, 6]);
    expect(h.has('LTV1')).toBe(false);
  });

  it('ra is in [0, 2π) across the 0/360 wrap', () => {
    const wcs = makeSkyWcs(new Point2D(0, 0), SpherePoint.fromDegrees(0, 0), makeCdMatrix(Angle.fromDegrees(0.01)));
    const { ra } = wcs.pixelToSkyArray(Float64Array.of(-100, 100), Float64Array.of(0, 0));
    const off = (Math.atan(Math.PI / 180) * 180) / Math.PI; // 1 deg in the gnomonic plane
    expect((ra[0]! * 180) / Math.PI).toBeCloseTo(off, 10);
    expect((ra[1]! * 180) / Math.PI).toBeCloseTo(360 - off, 10);
  });

  it('rejects bad input with typed errors', () => {
    expect(() =>
      makeSkyWcs(new Point2D(0, 0), CRVAL, [
        [1, 2],
        [2, 4],
      ]),
    ).toThrow(WcsInvalidArgumentError);
    expect(() => makeSkyWcs(new Header())).toThrow(WcsFormatError);
    const h = new Header();
    for (const [k, v] of Object.entries({ CTYPE1: 'GLON-TAN', CTYPE2: 'GLAT-TAN', CRVAL1: 1, CRVAL2: 2 })) h.set(k, v);
    expect(() => makeSkyWcs(h)).toThrow(WcsFormatError);
    h.set('CTYPE1', 'RA---TAN');
    h.set('CTYPE2', 'DEC--TAN');
    h.set('RADESYS', 'FK5');
    h.set('EQUINOX', 1950);
    expect(() => makeSkyWcs(h)).toThrow(WcsFormatError);
    h.set('CTYPE1', 'RA---TPV');
    h.set('CTYPE2', 'DEC--TPV');
    h.set('EQUINOX', 2000);
    expect(() => makeSkyWcs(h)).toThrow(WcsFormatError);
    expect(() => sipWcs().pixelToSkyArray(new Float64Array(2), new Float64Array(3))).toThrow(WcsInvalidArgumentError);
  });
});

describe('TAN-SIP without AP/BP', () => {
  const wcs = sipWcs();

  it('inverts the forward SIP by iteration to 1e-10 pixel', () => {
    const { xs, ys } = pixelGrid();
    const sky = wcs.pixelToSkyArray(xs, ys);
    const pix = wcs.skyToPixelArray(sky.ra, sky.dec);
    for (let i = 0; i < xs.length; i++) {
      expect(Math.abs(pix.x[i]! - xs[i]!)).toBeLessThan(1e-9);
      expect(Math.abs(pix.y[i]! - ys[i]!)).toBeLessThan(1e-9);
    }
    const p = wcs.skyToPixel(wcs.pixelToSky(new Point2D(17.5, 3000.25)));
    expect(p.x).toBeCloseTo(17.5, 9);
    expect(p.y).toBeCloseTo(3000.25, 9);
  });

  it('getCdMatrix(point) is the Jacobian of pixel → intermediate world coordinates', () => {
    const p = new Point2D(1800, 300);
    const local = wcs.getCdMatrix(p);
    expect(wcs.getCdMatrix()).toEqual([
      [CD[0][0], CD[0][1]],
      [CD[1][0], CD[1][1]],
    ]);
    // Intermediate world coordinates: gnomonic about the sky origin, a TAN WCS with CD = identity.
    const iwc = makeSkyWcs(new Point2D(0, 0), wcs.getSkyOrigin(), [
      [1, 0],
      [0, 1],
    ]);
    const h = 0.5;
    const f = (x: number, y: number): Point2D => iwc.skyToPixel(wcs.pixelToSky(x, y));
    const dx1 = f(p.x + h, p.y);
    const dx0 = f(p.x - h, p.y);
    const dy1 = f(p.x, p.y + h);
    const dy0 = f(p.x, p.y - h);
    expect(local[0][0]).toBeCloseTo((dx1.x - dx0.x) / (2 * h), 12);
    expect(local[1][0]).toBeCloseTo((dx1.y - dx0.y) / (2 * h), 12);
    expect(local[0][1]).toBeCloseTo((dy1.x - dy0.x) / (2 * h), 12);
    expect(local[1][1]).toBeCloseTo((dy1.y - dy0.y) / (2 * h), 12);
    expect(Math.abs(local[0][0] - CD[0][0])).toBeGreaterThan(1e-10); // the distortion shows
  });

  it('getPixelScale is the root of the sky area of one pixel', () => {
    expect(wcs.getPixelScale().asArcseconds()).toBeCloseTo(0.17, 6);
    const far = wcs.getPixelScale(new Point2D(2000, 4000)).asArcseconds();
    expect(Math.abs(far - 0.17)).toBeGreaterThan(1e-5);
  });

  it('linearizePixelToSky is exact at the point and close nearby; linearizeSkyToPixel inverts it', () => {
    const p = new Point2D(500, 700);
    const lin = wcs.linearizePixelToSky(p, degrees);
    const sky = wcs.pixelToSky(p);
    expect(lin.applyX(p.x, p.y)).toBeCloseTo(sky.getRa().asDegrees(), 12);
    expect(lin.applyY(p.x, p.y)).toBeCloseTo(sky.getDec().asDegrees(), 12);
    const near = wcs.pixelToSky(p.x + 3, p.y - 2);
    // afw's linearisation uses tangent-plane offsets as ra/dec differences (no 1/cos(dec)).
    expect(Math.abs(lin.applyX(p.x + 3, p.y - 2) - near.getRa().asDegrees()) * 3600).toBeLessThan(1e-3);
    expect(Math.abs(lin.applyY(p.x + 3, p.y - 2) - near.getDec().asDegrees()) * 3600).toBeLessThan(1e-4);
    const inv = wcs.linearizeSkyToPixel(sky, arcseconds);
    expect(inv.applyX(sky.getRa().asArcseconds(), sky.getDec().asArcseconds())).toBeCloseTo(p.x, 6);
    const viaSky = wcs.linearizePixelToSky(sky, degrees);
    expect(viaSky.applyX(p.x, p.y)).toBeCloseTo(lin.applyX(p.x, p.y), 9);
  });

  it('copyAtShiftedPixelOrigin(shift): copy(p + shift) = original(p)', () => {
    const shift = new Extent2D(100, -50);
    const copy = wcs.copyAtShiftedPixelOrigin(shift);
    expect(copy.getPixelOrigin().x).toBeCloseTo(CRPIX.x + 100, 12);
    const a = wcs.pixelToSky(10, 20);
    const b = copy.pixelToSky(110, -30);
    expect(a.separation(b).asArcseconds()).toBeLessThan(1e-9);
  });

  it('toString names the kind and origins', () => {
    const s = wcs.toString();
    expect(s).toContain('TAN-SIP');
    expect(s).toContain('Sky Origin: (150.1, 2.2)');
    expect(s).toContain('Pixel Origin: (1000.5, 1999.25)');
  });
});

describe('getFitsMetadata', () => {
  const fk5 = (() => {
    const h = new Header();
    for (const [k, v] of Object.entries({
      CTYPE1: 'RA---TAN-SIP',
      CTYPE2: 'DEC--TAN-SIP',
      CRPIX1: 1001.5,
      CRPIX2: 2000.25,
      CRVAL1: 150.1,
      CRVAL2: 2.2,
      CD1_1: CD[0][0],
      CD1_2: CD[0][1],
      CD2_1: CD[1][0],
      CD2_2: CD[1][1],
      RADESYS: 'FK5',
      EQUINOX: 2000,
      A_ORDER: 2,
      A_2_0: 1e-6,
      A_0_2: -2e-6,
      B_ORDER: 2,
      B_1_1: 5e-7,
    }))
      h.set(k, v);
    return makeSkyWcs(h);
  })();

  it('writes TAN-SIP cards in ICRS with 1-based CRPIX that read back to the same WCS', () => {
    for (const wcs of [sipWcs(), fk5, makeSkyWcs(CRPIX, CRVAL, CD)]) {
      const h = wcs.getFitsMetadata();
      expect(h.getString('RADESYS')).toBe('ICRS');
      expect(h.getNumber('CRPIX1')).toBeCloseTo(wcs.getPixelOrigin().x + 1, 12);
      expect(h.getString('CTYPE1')).toBe(wcs.hasDistortion ? 'RA---TAN-SIP' : 'RA---TAN');
      const back = makeSkyWcs(h);
      const { xs, ys } = pixelGrid(6);
      const a = wcs.pixelToSkyArray(xs, ys);
      const b = back.pixelToSkyArray(xs, ys);
      for (let i = 0; i < xs.length; i++) {
        expect(sepDeg((a.ra[i]! * 180) / Math.PI, (a.dec[i]! * 180) / Math.PI, (b.ra[i]! * 180) / Math.PI, (b.dec[i]! * 180) / Math.PI)).toBeLessThan(1e-11);
      }
    }
  });

  it('FK5 J2000 headers are standardised to ICRS (the frame bias, tens of mas)', () => {
    const origin = fk5.getSkyOrigin();
    const shift = origin.separation(SpherePoint.fromDegrees(150.1, 2.2)).asMilliarcseconds();
    expect(shift).toBeGreaterThan(10);
    expect(shift).toBeLessThan(40);
  });

  it.skipIf(!astropyAvailable())('astropy reads the written cards to the same sky positions', () => {
    const wcs = fk5;
    const { xs, ys } = pixelGrid(6);
    const ref = astropyTransforms([{ header: wcs.getFitsMetadata().toString(), px: Array.from(xs, (v) => v + 1), py: Array.from(ys, (v) => v + 1) }])[0]!;
    const ours = wcs.pixelToSkyArray(xs, ys);
    const rr = nums(ref.ra);
    const rd = nums(ref.dec);
    for (let i = 0; i < xs.length; i++) {
      expect(sepDeg((ours.ra[i]! * 180) / Math.PI, (ours.dec[i]! * 180) / Math.PI, rr[i]!, rd[i]!)).toBeLessThan(1e-9);
    }
  });
});
