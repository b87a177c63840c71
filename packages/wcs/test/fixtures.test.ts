/**
 * The header WCS of every afw fixture that carries one, read with FitsFile and makeSkyWcs
 * (PARENT pixels: xy0 from the header's `A` WCS, as afw reads an exposure), against astropy
 * on a pixel grid: pixel → sky within 1e-9 deg (FK5 headers through SkyCoord(...).icrs),
 * sky → pixel within 1e-7 pixel, sky → pixel → sky within 1e-10 deg.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FitsFile, type Header } from '@skystack/fits';
import { FIXTURES, astropyAvailable, fixturePath } from '@skystack/test-support';
import { getImageXY0FromMetadata, makeSkyWcs } from '../src/index.js';
import { astropyTransforms, nums, sepDeg, type OracleCase } from './astropy-oracle.js';

const haveFixtures = fixturePath('afw', 'HSC-0908120-056-small.fits') !== undefined;
const haveAstropy = astropyAvailable();

const FILES = [
  'HSC-0908120-056-small.fits',
  'ZPN.fits',
  'small_img.fits',
  'ticket2233.fits',
  'wcs-0007358-102.fits',
  'exposure-version-0.fits',
  'exposure-version-1.fits',
  'exposure-version-2.fits',
  'exposure-noversion.fits',
];

interface Found {
  name: string;
  path: string;
  hdu: number;
  header: Header;
  width: number;
  height: number;
}

async function findWcsHeaders(): Promise<Found[]> {
  const found: Found[] = [];
  for (const name of FILES) {
    const path = join(FIXTURES, 'afw', name);
    const file = await FitsFile.open(path);
    try {
      const i = file.hdus.findIndex((h) => h.header.has('CTYPE1') && h.header.has('CRVAL1'));
      if (i < 0) continue;
      const header = file.hdus[i]!.header;
      // Empty (0 x 0) exposures: a CCD-sized grid.
      const width = header.getInt('NAXIS1') || 2048;
      const height = header.getInt('NAXIS2') || 4096;
      found.push({ name, path, hdu: i, header, width, height });
    } finally {
      await file.close();
    }
  }
  return found;
}

function grid(w: number, h: number, steps = 20): { px: number[]; py: number[] } {
  const px: number[] = [];
  const py: number[] = [];
  for (let i = 0; i <= steps; i++)
    for (let j = 0; j <= steps; j++) {
      px.push(1 + ((w - 1) * i) / steps + 0.3);
      py.push(1 + ((h - 1) * j) / steps - 0.2);
    }
  return { px, py };
}

describe.skipIf(!haveFixtures || !haveAstropy)('afw fixture header WCSs against astropy', async () => {
  const found = haveFixtures && haveAstropy ? await findWcsHeaders() : [];
  const grids = found.map((f) => grid(f.width, f.height));
  const cases: OracleCase[] = found.map((f, i) => ({ path: f.path, hdu: f.hdu, ...grids[i]! }));
  const results = cases.length > 0 ? astropyTransforms(cases) : [];
  const worst: Record<string, { sky: number; pix: number; round: number }> = {};

  it('finds the WCS headers', () => {
    expect(found.map((f) => f.name)).toEqual(expect.arrayContaining(FILES.slice(0, 8)));
  });

  it.each(found.map((f, i) => [f.name, i] as const))('%s', (name, i) => {
    const f = found[i]!;
    const ref = results[i]!;
    const { px, py } = grids[i]!;
    const xy0 = getImageXY0FromMetadata(f.header);
    const wcs = makeSkyWcs(f.header.clone(), { xy0: 'metadata' });
    // PARENT pixel = FITS − 1 + xy0.
    const xs = Float64Array.from(px, (v) => v - 1 + xy0.x);
    const ys = Float64Array.from(py, (v) => v - 1 + xy0.y);
    const { ra, dec } = wcs.pixelToSkyArray(xs, ys);
    const w = { sky: 0, pix: 0, round: 0 };
    const rr = nums(ref.ra);
    const rd = nums(ref.dec);
    for (let k = 0; k < xs.length; k++) {
      const s = sepDeg((ra[k]! * 180) / Math.PI, (dec[k]! * 180) / Math.PI, rr[k]!, rd[k]!);
      w.sky = Math.max(w.sky, s);
      expect(s, `${name}: pixel→sky at FITS (${px[k]}, ${py[k]})`).toBeLessThan(1e-9);
    }
    const sra = Float64Array.from(rr, (v) => (v * Math.PI) / 180);
    const sdec = Float64Array.from(rd, (v) => (v * Math.PI) / 180);
    const pix = wcs.skyToPixelArray(sra, sdec);
    const back = wcs.pixelToSkyArray(pix.x, pix.y);
    const ax = nums(ref.x);
    const ay = nums(ref.y);
    for (let k = 0; k < xs.length; k++) {
      const d = Math.hypot(pix.x[k]! - (ax[k]! - 1 + xy0.x), pix.y[k]! - (ay[k]! - 1 + xy0.y));
      w.pix = Math.max(w.pix, d);
      expect(d, `${name}: sky→pixel at grid point ${k}`).toBeLessThan(1e-7);
      const r = sepDeg((back.ra[k]! * 180) / Math.PI, (back.dec[k]! * 180) / Math.PI, rr[k]!, rd[k]!);
      w.round = Math.max(w.round, r);
      expect(r).toBeLessThan(1e-10);
    }
    worst[name] = w;
  });

  it('reports the worst errors', () => {
    for (const [name, w] of Object.entries(worst)) {
      console.info(`${name}: pixel→sky ${w.sky.toExponential(2)} deg, sky→pixel ${w.pix.toExponential(2)} px, round trip ${w.round.toExponential(2)} deg`);
    }
    expect(Object.keys(worst).length).toBe(found.length);
  });
});

describe.skipIf(!haveFixtures)('afw fixture conventions', () => {
  it('HSC-0908120-056-small: xy0 (100, 100) from the A WCS; pixel origin = CRPIX − 1 + xy0 (the TanWcs archive value)', async () => {
    const file = await FitsFile.open(join(FIXTURES, 'afw', 'HSC-0908120-056-small.fits'));
    try {
      const header = file.hdus[1]!.header.clone();
      const xy0 = getImageXY0FromMetadata(header);
      expect([xy0.x, xy0.y]).toEqual([100, 100]);
      const crpix1 = header.requireNumber('CRPIX1');
      const wcs = makeSkyWcs(header, { xy0: 'metadata', strip: true });
      expect(wcs.getPixelOrigin().x).toBeCloseTo(crpix1 - 1 + 100, 12);
      expect(wcs.hasDistortion).toBe(true);
      expect(header.has('CRPIX1')).toBe(false);
      expect(header.has('A_ORDER')).toBe(false);
      expect(header.has('CRVAL1A')).toBe(false);
      expect(header.has('NAXIS1')).toBe(true);
    } finally {
      await file.close();
    }
  });

  it('small_img: swapped axes (CTYPE1 = DEC--TAN) give RA from CRVAL2', async () => {
    const file = await FitsFile.open(join(FIXTURES, 'afw', 'small_img.fits'));
    try {
      const header = file.hdus[0]!.header;
      const wcs = makeSkyWcs(header);
      const origin = wcs.getSkyOrigin();
      expect(origin.getRa().asDegrees()).toBeCloseTo(header.requireNumber('CRVAL2'), 10);
      expect(origin.getDec().asDegrees()).toBeCloseTo(header.requireNumber('CRVAL1'), 10);
    } finally {
      await file.close();
    }
  });
});
