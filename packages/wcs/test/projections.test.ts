/**
 * Every projection against wcslib (through astropy) on a pixel grid from the same header:
 * pixel → sky within 1e-9 deg, sky → pixel within 1e-7 pixel, sky → pixel → sky within
 * 1e-10 deg; plus the poles, RA wrap and points outside the domain.
 */
import { describe, expect, it } from 'vitest';
import { Header } from '@skystack/fits';
import { Point2D, SpherePoint } from '@skystack/geom';
import { astropyAvailable } from '@skystack/test-support';
import { WcsDomainError, WcsFormatError, makeProjection, makeSkyWcs, PROJECTION_CODES } from '../src/index.js';
import { astropyTransforms, nums, sepDeg, type OracleCase } from './astropy-oracle.js';

const haveAstropy = astropyAvailable();

type Cards = Record<string, number | string>;

function header(cards: Cards): Header {
  const h = new Header();
  for (const [k, v] of Object.entries(cards)) h.set(k, v);
  return h;
}

function celestial(code: string, crval1: number, crval2: number, cdelt: number, extra: Cards = {}): Cards {
  return {
    NAXIS: 2,
    NAXIS1: 512,
    NAXIS2: 512,
    CTYPE1: `RA---${code}`,
    CTYPE2: `DEC--${code}`,
    CRPIX1: 256.5,
    CRPIX2: 240.25,
    CRVAL1: crval1,
    CRVAL2: crval2,
    CDELT1: -cdelt,
    CDELT2: cdelt,
    PC1_1: Math.cos(0.3),
    PC1_2: -Math.sin(0.3),
    PC2_1: Math.sin(0.3),
    PC2_2: Math.cos(0.3),
    CUNIT1: 'deg',
    CUNIT2: 'deg',
    RADESYS: 'ICRS',
    ...extra,
  };
}

const CASES: [string, Cards][] = [
  ['TAN', celestial('TAN', 30, 40, 0.01)],
  ['TAN wide', celestial('TAN', 150, -20, 0.1)],
  ['SIN', celestial('SIN', 30, 40, 0.05)],
  ['SIN slant (PV2_1, PV2_2)', celestial('SIN', 200, -30, 0.05, { PV2_1: 0.1, PV2_2: -0.05 })],
  ['ARC', celestial('ARC', 30, 40, 0.2)],
  ['STG', celestial('STG', 30, 40, 0.2)],
  ['ZEA', celestial('ZEA', 30, 40, 0.2)],
  ['ZEA LONPOLE 150', celestial('ZEA', 30, 40, 0.2, { LONPOLE: 150 })],
  ['ZPN (PV2_1 = 1, PV2_3 = 3.5)', celestial('ZPN', 24.8, -57.3, 0.05, { PV2_1: 1, PV2_3: 3.5 })],
  ['ZPN (PV2_0..PV2_3)', celestial('ZPN', 300, 10, 0.2, { PV2_0: 0.001, PV2_1: 1, PV2_2: -0.05, PV2_3: 0.02 })],
  ['CAR equatorial', celestial('CAR', 30, 0, 0.2)],
  ['CAR oblique', celestial('CAR', 30, 40, 0.2)],
  ['CAR oblique LATPOLE -90', celestial('CAR', 30, 40, 0.2, { LATPOLE: -90 })],
  ['CEA lambda 0.75', celestial('CEA', 30, 20, 0.2, { PV2_1: 0.75 })],
  ['MER', celestial('MER', 30, 10, 0.15)],
  ['AIT', celestial('AIT', 0, 0, 0.5)],
  ['AIT oblique', celestial('AIT', 80, 30, 0.5)],
  ['TAN CD matrix', { NAXIS: 2, CTYPE1: 'RA---TAN', CTYPE2: 'DEC--TAN', CRPIX1: 300, CRPIX2: 20, CRVAL1: 10, CRVAL2: 5, CD1_1: -2e-4, CD1_2: 1e-5, CD2_1: 2e-5, CD2_2: 2.1e-4 }],
  ['TAN CROTA2', { NAXIS: 2, NAXIS1: 512, NAXIS2: 512, CTYPE1: 'RA---TAN', CTYPE2: 'DEC--TAN', CRPIX1: 100, CRPIX2: 200, CRVAL1: 250, CRVAL2: 60, CDELT1: -1e-3, CDELT2: 1.1e-3, CROTA2: 25 }],
  ['TAN swapped axes', { ...celestial('TAN', 40, 30, 0.01), CTYPE1: 'DEC--TAN', CTYPE2: 'RA---TAN' }],
  ['TAN at the north pole', celestial('TAN', 0, 90, 0.01)],
  ['TAN near the south pole', celestial('TAN', 123, -89.5, 0.01)],
  ['TAN across RA 0/360', celestial('TAN', 0.5, 10, 0.01)],
  ['TAN FK5 J2000', { ...celestial('TAN', 83.6, 22.0, 0.01), RADESYS: 'FK5', EQUINOX: 2000 }],
  ['ARC FK5 J2000', { ...celestial('ARC', 210, -60, 0.2), RADESYS: 'FK5', EQUINOX: 2000 }],
];

function grid(n = 512, steps = 16): { px: number[]; py: number[] } {
  const px: number[] = [];
  const py: number[] = [];
  for (let i = 0; i <= steps; i++)
    for (let j = 0; j <= steps; j++) {
      px.push(1 + (i * (n - 1)) / steps + 0.25);
      py.push(1 + (j * (n - 1)) / steps - 0.125);
    }
  return { px, py };
}

describe.skipIf(!haveAstropy)('projections against wcslib (astropy)', () => {
  const { px, py } = grid();
  const cases: OracleCase[] = CASES.map(([, cards]) => ({ header: header(cards).toString(), px, py }));
  const results = haveAstropy ? astropyTransforms(cases) : [];
  const worst = { sky: 0, pix: 0, round: 0 };

  it.each(CASES.map(([name], i) => [name, i] as const))('%s', (_name, i) => {
    const wcs = makeSkyWcs(header(CASES[i]![1]));
    const ref = results[i]!;
    const xs = Float64Array.from(px, (v) => v - 1);
    const ys = Float64Array.from(py, (v) => v - 1);
    const { ra, dec } = wcs.pixelToSkyArray(xs, ys);
    const refRa = nums(ref.ra);
    const refDec = nums(ref.dec);
    let finite = 0;
    for (let k = 0; k < xs.length; k++) {
      const ourRa = (ra[k]! * 180) / Math.PI;
      const ourDec = (dec[k]! * 180) / Math.PI;
      expect(Number.isNaN(ourRa), `NaN agreement at ${px[k]}, ${py[k]}`).toBe(Number.isNaN(refRa[k]!));
      if (Number.isNaN(ourRa)) continue;
      finite++;
      const s = sepDeg(ourRa, ourDec, refRa[k]!, refDec[k]!);
      worst.sky = Math.max(worst.sky, s);
      expect(s, `pixel→sky at (${px[k]}, ${py[k]})`).toBeLessThan(1e-9);
    }
    expect(finite).toBeGreaterThan(xs.length / 2);
    // getFitsMetadata (ICRS, LONPOLE/LATPOLE where needed) reads back to the same WCS.
    const again = makeSkyWcs(wcs.getFitsMetadata()).pixelToSkyArray(xs, ys);
    for (let k = 0; k < xs.length; k++) {
      if (Number.isNaN(ra[k]!)) continue;
      const s = sepDeg((ra[k]! * 180) / Math.PI, (dec[k]! * 180) / Math.PI, (again.ra[k]! * 180) / Math.PI, (again.dec[k]! * 180) / Math.PI);
      expect(s, `getFitsMetadata round trip at (${px[k]}, ${py[k]})`).toBeLessThan(1e-11);
    }
    // sky → pixel of astropy's sky positions, against astropy's all_world2pix.
    const sra = Float64Array.from(nums(ref.skyRa), (v) => (v * Math.PI) / 180);
    const sdec = Float64Array.from(nums(ref.skyDec), (v) => (v * Math.PI) / 180);
    const pix = wcs.skyToPixelArray(sra, sdec);
    const back = wcs.pixelToSkyArray(pix.x, pix.y);
    const ax = nums(ref.x);
    const ay = nums(ref.y);
    for (let k = 0; k < xs.length; k++) {
      if (Number.isNaN(sra[k]!)) continue;
      const d = Math.hypot(pix.x[k]! - (ax[k]! - 1), pix.y[k]! - (ay[k]! - 1));
      worst.pix = Math.max(worst.pix, d);
      expect(d, `sky→pixel at grid point ${k}`).toBeLessThan(1e-7);
      const r = sepDeg((back.ra[k]! * 180) / Math.PI, (back.dec[k]! * 180) / Math.PI, (sra[k]! * 180) / Math.PI, (sdec[k]! * 180) / Math.PI);
      worst.round = Math.max(worst.round, r);
      expect(r).toBeLessThan(1e-10);
    }
  });

  it('reports the worst errors', () => {
    console.info(`projections vs astropy: pixel→sky ${worst.sky.toExponential(2)} deg, sky→pixel ${worst.pix.toExponential(2)} px, round trip ${worst.round.toExponential(2)} deg`);
    expect(worst.sky).toBeLessThan(1e-9);
  });
});

describe('projection domains', () => {
  const out = new Float64Array(2);
  it('gives NaN outside each domain', () => {
    const outside: [string, number, number][] = [
      ['TAN', 0, -10],
      ['SIN', 0, -10],
      ['STG', 0, -90],
      ['MER', 0, 90],
    ];
    for (const [code, phi, theta] of outside) {
      makeProjection(code).nativeToPlane(phi, theta, out);
      expect(out[0], code).toBeNaN();
    }
    const outsidePlane: [string, number, number][] = [
      ['SIN', 60, 0],
      ['ARC', 200, 0],
      ['ZEA', 120, 0],
      ['CAR', 0, 100],
      ['CEA', 0, 60],
      ['AIT', 300, 0],
    ];
    for (const [code, x, y] of outsidePlane) {
      makeProjection(code).planeToNative(x, y, out);
      expect(out[0], code).toBeNaN();
    }
  });

  it('round-trips every projection inside its domain', () => {
    const back = new Float64Array(2);
    for (const code of PROJECTION_CODES) {
      const p = makeProjection(code, new Map([[1, code === 'ZPN' ? 1 : 0.8], [3, 0.2]]));
      for (const [phi, theta] of [
        [10, 60],
        [-120, 45],
        [170, 20],
      ] as const) {
        p.nativeToPlane(phi, theta, out);
        p.planeToNative(out[0]!, out[1]!, back);
        expect(back[0], `${code} phi`).toBeCloseTo(phi, 10);
        expect(back[1], `${code} theta`).toBeCloseTo(theta, 10);
      }
    }
  });

  it('rejects unknown projections and bad parameters', () => {
    expect(() => makeProjection('TPV')).toThrow(WcsFormatError);
    expect(() => makeProjection('CEA', new Map([[1, 2]]))).toThrow(WcsFormatError);
  });

  it('pixelToSky throws WcsDomainError outside the domain; skyToPixel gives NaN', () => {
    const wcs = makeSkyWcs(header(celestial('SIN', 30, 40, 1)));
    expect(() => wcs.pixelToSky(new Point2D(300, 300))).toThrow(WcsDomainError);
    const p = wcs.skyToPixel(SpherePoint.fromDegrees(210, -40)); // the antipode: the far side of SIN
    expect(p.x).toBeNaN();
    const arr = wcs.pixelToSkyArray(Float64Array.of(300), Float64Array.of(300));
    expect(arr.ra[0]).toBeNaN();
    const tan = makeSkyWcs(header(celestial('TAN', 30, 40, 0.01)));
    expect(tan.skyToPixel(SpherePoint.fromDegrees(210, -40)).x).toBeNaN();
  });
});
