/**
 * The WCS archive entries of the real afw files read through `registerWcsReaders`, compared with
 * astropy (Debian python3-astropy) on a grid of PARENT pixels: with the FITS-WCS copy in the
 * IMAGE header where the file has one (the header describes the array grid, so FITS pixel =
 * PARENT − xy0 + 1), else with a WCS astropy builds from the archive's raw columns; FK5 results
 * are taken to ICRS by astropy's SkyCoord, as afw standardises to ICRS.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputArchive, PersistableRegistry, RawPersistable } from '@skystack/afw-table';
import { Extent2D, SpherePoint } from '@skystack/geom';
import { FIXTURES, astropyAvailable, fixturePath, runPythonJson } from '@skystack/test-support';
import { SkyWcs, registerWcsReaders } from '../src/index.js';

const ready = fixturePath('afw', 'HSC-0908120-056-small.fits') !== undefined && astropyAvailable();
const registry = registerWcsReaders(new PersistableRegistry());

const ORACLE = String.raw`
import sys, json, warnings
import numpy as np
from astropy.io import fits
from astropy.wcs import WCS
from astropy.coordinates import SkyCoord
import astropy.units as u
warnings.simplefilter('ignore')
path, source = sys.argv[1], sys.argv[2]
xs = np.array(json.loads(sys.argv[3])); ys = np.array(json.loads(sys.argv[4]))
f = fits.open(path)
if source == 'header':
    h = [x for x in f if x.header.get('EXTTYPE') == 'IMAGE'][0].header
    x0 = h.get('CRVAL1A', 0) - (h.get('CRPIX1A', 1) - 1); y0 = h.get('CRVAL2A', 0) - (h.get('CRPIX2A', 1) - 1)
    w = WCS(h); fx = xs - x0 + 1; fy = ys - y0 + 1
    radesys = h.get('RADESYS', h.get('RADECSYS', 'ICRS')).strip()
else:
    t = [x for x in f if x.header.get('AR_NAME') == source][0].data
    row = t[0]; names = t.names
    crval = (row['crval_x'], row['crval_y']) if 'crval_x' in names else tuple(row['crval'])
    crpix = (row['crpix_x'], row['crpix_y']) if 'crpix_x' in names else tuple(row['crpix'])
    cd = np.array(row['cd']).reshape(2, 2).T  # stored column-major
    w = WCS(naxis=2)
    w.wcs.ctype = [row['ctype1'].strip(), row['ctype2'].strip()]
    w.wcs.crval = crval; w.wcs.crpix = [crpix[0] + 1, crpix[1] + 1]; w.wcs.cd = cd
    radesys = row['radesys'].strip()
    w.wcs.radesys = radesys
    if radesys == 'FK5': w.wcs.equinox = 2000.0
    w.wcs.set()
    fx = xs + 1; fy = ys + 1
ra, dec = w.all_pix2world(fx, fy, 1)
if radesys.startswith('FK5'):
    c = SkyCoord(ra * u.deg, dec * u.deg, frame='fk5', equinox='J2000').icrs
    ra, dec = c.ra.deg, c.dec.deg
print(json.dumps({'ra': [float(v) for v in ra], 'dec': [float(v) for v in dec]}))
`;

function grid(x0: number, y0: number, w: number, h: number, n = 7): { xs: number[]; ys: number[] } {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    xs.push(x0 + (w * i) / (n - 1));
    ys.push(y0 + (h * j) / (n - 1));
  }
  return { xs, ys };
}

async function archivedWcs(name: string, arName: string): Promise<SkyWcs> {
  const archive = await InputArchive.readFits(join(FIXTURES, 'afw', name), { registry });
  const entry = archive.entries.find((e) => e.name === arName);
  expect(entry).toBeDefined();
  const wcs = archive.get(entry!.id);
  expect(wcs).toBeInstanceOf(SkyWcs);
  return wcs as SkyWcs;
}

function maxSeparationDeg(wcs: SkyWcs, xs: number[], ys: number[], ref: { ra: number[]; dec: number[] }): number {
  let worst = 0;
  xs.forEach((x, i) => {
    const ours = wcs.pixelToSky(x, ys[i]!);
    const theirs = SpherePoint.fromDegrees(ref.ra[i]!, ref.dec[i]!);
    worst = Math.max(worst, ours.separation(theirs).asDegrees());
  });
  return worst;
}

describe.skipIf(!ready)('WCS archive entries of the afw fixtures', () => {
  // [file, archive name, reference, PARENT grid origin and size]
  const cases: [string, string, string, number, number, number, number][] = [
    ['exposure-version-2.fits', 'SkyWcs', 'header', 0, 0, 9, 9],
    ['exposure-version-0.fits', 'SkyWcs', 'header', 0, 0, 9, 9],
    ['exposure-noversion.fits', 'SkyWcs', 'header', 0, 0, 9, 9],
    ['HSC-0908120-056-small.fits', 'TanWcs', 'header', 100, 100, 199, 199],
    ['wcs-0007358-102.fits', 'TanWcs', 'header', 0, 0, 2047, 4175],
    ['oldTanWcs.fits', 'TanWcs', 'TanWcs', 0, 0, 3000, 3000],
    ['exposure_catalog_v1.fits', 'Wcs', 'Wcs', 1000, 500, 200, 100],
  ];

  it.each(cases)('%s: the archived %s agrees with astropy (%s)', async (name, arName, reference, x0, y0, w, h) => {
    const wcs = await archivedWcs(name, arName);
    const { xs, ys } = grid(x0, y0, w, h);
    const ref = runPythonJson<{ ra: number[]; dec: number[] }>(ORACLE, [join(FIXTURES, 'afw', name), reference, JSON.stringify(xs), JSON.stringify(ys)]);
    expect(maxSeparationDeg(wcs, xs, ys, ref)).toBeLessThan(1e-9);
    // Sky → pixel → sky closes.
    const back = wcs.skyToPixel(wcs.pixelToSky(xs[3]!, ys[3]!));
    expect(Math.hypot(back.x - xs[3]!, back.y - ys[3]!)).toBeLessThan(1e-7);
  });

  it('the AST SkyWcs is not FITS; its TAN approximation reads back in astropy close to the exact transform', async () => {
    const wcs = await archivedWcs('exposure-version-2.fits', 'SkyWcs');
    expect(wcs.isFits).toBe(false);
    expect(wcs.toString()).toContain('AST FrameSet');
    const shifted = wcs.copyAtShiftedPixelOrigin(new Extent2D(10, -5));
    const a = wcs.pixelToSky(3, 4);
    const b = shifted.pixelToSky(13, -1);
    expect(a.separation(b).asDegrees()).toBeLessThan(1e-12);
  });

  it('the jointcal AST SkyWcs (PolyMap distortion) round-trips', async () => {
    for (const name of ['jointcal_wcs-0030600-088.fits', 'jointcal_wcs-0034772-004.fits']) {
      const archive = await InputArchive.readFits(join(FIXTURES, 'afw', name), { registry });
      const wcs = archive.get(archive.ids[0]!) as SkyWcs;
      expect(wcs).toBeInstanceOf(SkyWcs);
      for (const [x, y] of [[0, 0], [1024, 2088], [2047, 4175]] as const) {
        const p = wcs.skyToPixel(wcs.pixelToSky(x, y));
        expect(Math.hypot(p.x - x, p.y - y)).toBeLessThan(1e-7);
      }
      expect(wcs.getPixelScale(wcs.getPixelOrigin()).asArcseconds()).toBeGreaterThan(0.1);
    }
  });

  it('without the WCS readers, the entries stay raw', async () => {
    const archive = await InputArchive.readFits(join(FIXTURES, 'afw', 'oldTanWcs.fits'));
    expect(archive.get(archive.ids[0]!)).toBeInstanceOf(RawPersistable);
  });
});
