/**
 * Exposures written by the real lsst.afw (../shared/fixtures/afw): pixels, metadata, header WCS
 * cards and components compared with astropy (Debian python3-astropy) and with the values the
 * fixtures README and afw's own tests state; component reads that touch no pixels; round trips
 * read back by astropy and checked by fitsverify.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RawPersistable } from '@skystack/afw-table';
import { InputArchive } from '@skystack/afw-table';
import { FitsFile } from '@skystack/fits';
import { Angle, Box2I, Extent2I, Point2D, Point2I, SpherePoint } from '@skystack/geom';
import { SkyWcs, makeCdMatrix, makeSkyWcs } from '@skystack/wcs';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { AfwImageFitsError, Exposure, ExposureCatalog, ExposureFitsReader, FilterLabel, PhotoCalib, VisitInfo } from '../src/index.js';
import { astropyPresent, countDifferences, decodePx, fitsverify, fitsverifyPresent, fixture, fixturesPresent, pixelsOf, python } from './support.js';

const ready = fixturesPresent && astropyPresent;
const tmp = mkdtempSync(join(tmpdir(), 'skystack-exposure-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

interface AstropyExposure {
  image: string;
  mask: string;
  variance: string;
  shape: [number, number];
  primary: [string, unknown][];
  wcs: Record<string, unknown>;
}

/** The planes, the primary header cards and the image HDU's WCS cards, as astropy reads them. */
function astropyExposure(path: string): AstropyExposure {
  return python<AstropyExposure>(
    `
import re
WCS = re.compile(r'^(WCSAXES|RADESYS|RADECSYS|EQUINOX|LONPOLE|LATPOLE|(CTYPE|CRPIX|CRVAL|CUNIT|CDELT)[12]|(CD|PC)[12]_[12]|PV2_\\d+|[AB]P?_ORDER|[AB]P?_\\d+_\\d+)$')
def val(v):
    return v if isinstance(v, (bool, int, float, str)) else str(v)
with fits.open(sys.argv[1]) as f:
    def ext(name):
        return [h for h in f if h.header.get('EXTTYPE') == name][0]
    im = ext('IMAGE')
    print(json.dumps(dict(image=px(im.data), mask=px(ext('MASK').data), variance=px(ext('VARIANCE').data), shape=list(im.data.shape),
      primary=[[c.keyword, val(c.value)] for c in f[0].header.cards],
      wcs={k: val(v) for k, v in im.header.items() if WCS.match(k)})))
`,
    [path],
  );
}

/** Sky position (ICRS degrees) astropy gives for PARENT pixel (x, y) from the IMAGE header WCS. */
const astropySky = (path: string, x: number, y: number): [number, number] =>
  python<[number, number]>(
    `
import warnings
from astropy.wcs import WCS
from astropy.coordinates import SkyCoord
import astropy.units as u
warnings.simplefilter('ignore')
h = [x for x in fits.open(sys.argv[1]) if x.header.get('EXTTYPE') == 'IMAGE'][0].header
x0 = h.get('CRVAL1A', 0); y0 = h.get('CRVAL2A', 0)
ra, dec = WCS(h).all_pix2world(float(sys.argv[2]) - x0 + 1, float(sys.argv[3]) - y0 + 1, 1)
if h.get('RADESYS', 'ICRS').strip() == 'FK5':
  c = SkyCoord(ra * u.deg, dec * u.deg, frame='fk5', equinox='J2000').icrs
  ra, dec = c.ra.deg, c.dec.deg
print(json.dumps([float(ra), float(dec)]))
`,
    [path, String(x), String(y)],
  );

const EXPOSURE_FILES = ['exposure-noversion.fits', 'exposure-version-0.fits', 'exposure-version-1.fits', 'exposure-version-2.fits', 'HSC-0908120-056-small.fits', 'ZPN.fits', 'archiveImportTest.fits'];

describe.skipIf(!ready)('afw exposures compared with astropy', () => {
  it.each(EXPOSURE_FILES)('%s: planes, metadata and header WCS', async (name) => {
    const path = fixture(name);
    const exposure = await Exposure.readFits(path);
    const ref = astropyExposure(path);
    expect([exposure.getHeight(), exposure.getWidth()]).toEqual(ref.shape);
    expect(countDifferences(pixelsOf(exposure.image.array), decodePx(ref.image))).toBe(0);
    expect(countDifferences(pixelsOf(exposure.mask.array), decodePx(ref.mask))).toBe(0);
    expect(countDifferences(pixelsOf(exposure.variance.array), decodePx(ref.variance))).toBe(0);
    // The metadata is the primary header without what afw turns into structure or components.
    const consumed = /^(SIMPLE|BITPIX|NAXIS|EXTEND|EXPINFO_V|AR_HDU|\w+_ID|ARCHIVE_ID_\w+|DETNAME|DETSER|EXPID|EXPTIME|DARKTIME|DATE-AVG|TIMESYS|TIME-MID|MJD-AVG|BORE-\w+|ROTTYPE|OBS-\w+|AIRTEMP|AIRPRESS|HUMIDITY|FLUXMAG0(ERR)?|MJD-OBS|DATE-OBS|ERA|INSTRUMENT|IDNUM|FOCUSZ|OBSTYPE|PROGRAM|REASON|OBJECT|HAS-SIMULATED-CONTENT)$/;
    const expected = ref.primary.filter(([k, v]) => !consumed.test(k) && !(k === 'COMMENT' && /FITS \(Flexible|and Astrophysics/.test(String(v)))).map(([k]) => k);
    expect(exposure.getMetadata().cards().map((c) => c.keyword)).toEqual(expected);
    // Header WCS cards are kept, CRPIX moved to PARENT pixels (+ xy0).
    const wcs = exposure.info.getWcsMetadata();
    if (Object.keys(ref.wcs).length === 0) {
      expect(wcs).toBeNull();
    } else {
      const xy0 = exposure.getXY0();
      for (const [k, v] of Object.entries(ref.wcs)) {
        const shift = k === 'CRPIX1' ? xy0.getX() : k === 'CRPIX2' ? xy0.getY() : 0;
        const ours = wcs!.get(k);
        if (typeof v === 'number') expect(Number(ours)).toBeCloseTo(v + shift, 9);
        else expect(typeof ours === 'string' ? ours.trimEnd() : ours).toEqual(typeof v === 'string' ? v.trimEnd() : v);
      }
    }
  });

  it('exposure-version-2.fits: the afw test values (arange image, variance 1, mask[5,5] = 5, id 12345)', async () => {
    const exposure = await Exposure.readFits(fixture('exposure-version-2.fits'));
    const a = exposure.image.array;
    for (let i = 0; i < 100; i++) expect(a.data[Math.floor(i / 10) * a.stride + (i % 10)]).toBe(i);
    expect(exposure.variance.get(3, 7)).toBe(1);
    expect(exposure.mask.get(5, 5)).toBe(5);
    expect(exposure.info.getId()).toBe(12345n);
    // The archived AST SkyWcs is decoded (@skystack/wcs).
    expect(exposure.getWcs()).toBeInstanceOf(SkyWcs);
    expect(exposure.getWcs()!.isFits).toBe(false);
  });

  it('HSC-0908120-056-small.fits: xy0 (100, 100) and the old TanWcs decoded, in PARENT pixels', async () => {
    const path = fixture('HSC-0908120-056-small.fits');
    const exposure = await Exposure.readFits(path);
    expect(exposure.getXY0().equals(new Point2I(100, 100))).toBe(true);
    const wcs = exposure.getWcs()!;
    expect(wcs).toBeInstanceOf(SkyWcs);
    const [ra, dec] = astropySky(path, 150.5, 230.25);
    expect(wcs.pixelToSky(150.5, 230.25).separation(SpherePoint.fromDegrees(ra, dec)).asDegrees()).toBeLessThan(1e-9);
    // Without an archived WCS, the header's serves, in PARENT pixels too (ExposureFitsReader.readWcs).
    const info = exposure.info.clone();
    info.setComponent('SKYWCS', null);
    expect(info.getWcs()!.pixelToSky(150.5, 230.25).separation(SpherePoint.fromDegrees(ra, dec)).asDegrees()).toBeLessThan(1e-9);
  });

  it('archiveImportTest.fits: a PSF type SkyStack cannot decode is reported by name', async () => {
    const exposure = await Exposure.readFits(fixture('archiveImportTest.fits'));
    expect(exposure.hasPsf()).toBe(true);
    expect(String(exposure.getPsf())).toBe('RawPersistable(DummyPsf from testTableArchivesLib, id 1)');
  });

  it('reads components, metadata and the bbox without reading pixels', async () => {
    const readImage = vi.spyOn(FitsFile.prototype, 'readImage');
    const readData = vi.spyOn(FitsFile.prototype, 'readHeaderAndData');
    const reader = await ExposureFitsReader.open(fixture('exposure-version-2.fits'));
    try {
      expect(reader.readBBox().equals(Box2I.fromCorner(new Point2I(0, 0), new Extent2I(10, 10)))).toBe(true);
      expect(reader.readMetadata().has('EXPINFO_V')).toBe(false);
      expect(reader.readVisitInfo()).not.toBeNull();
      expect(await reader.readPhotoCalib()).not.toBeNull();
      expect(await reader.readFilter()).not.toBeNull();
      expect(await reader.readDetector()).not.toBeNull();
    } finally {
      await reader.close();
    }
    expect(readImage).not.toHaveBeenCalled();
    // Only archive HDUs (index 4 and after) were read.
    for (const call of readData.mock.calls) expect(call[0]).toBeGreaterThanOrEqual(4);
  });

  it('reads a cutout: pixels as astropy slices them, WCS cards in PARENT pixels unchanged', async () => {
    const path = fixture('HSC-0908120-056-small.fits');
    const full = await Exposure.readFits(path);
    const bbox = Box2I.fromCorner(new Point2I(130, 150), new Extent2I(40, 25));
    const cut = await Exposure.readFits(path, { bbox });
    expect(cut.getBBox().equals(bbox)).toBe(true);
    const ref = astropyExposure(path);
    const all = decodePx(ref.image);
    const expected = new Float64Array(40 * 25);
    for (let y = 0; y < 25; y++) for (let x = 0; x < 40; x++) expected[y * 40 + x] = all[(y + 50) * 200 + (x + 30)]!;
    expect(countDifferences(pixelsOf(cut.image.array), expected)).toBe(0);
    expect(cut.info.getWcsMetadata()!.get('CRPIX1')).toBe(full.info.getWcsMetadata()!.get('CRPIX1'));
    // Written, the cutout's header WCS gives the same sky position for the same PARENT pixel.
    const out = join(tmp, 'cutout.fits');
    await cut.writeFits(out);
    const sky = python<number[][]>(
      `
from astropy.wcs import WCS
import warnings
warnings.simplefilter('ignore')
from astropy.coordinates import SkyCoord
import astropy.units as u
def icrs(path, x, y):
    h = fits.open(path)[1].header
    ra, dec = WCS(h).all_pix2world(x, y, 0)
    if h.get('RADESYS', 'ICRS').strip() == 'FK5':
        c = SkyCoord(ra * u.deg, dec * u.deg, frame='fk5', equinox='J2000').icrs
        ra, dec = c.ra.deg, c.dec.deg
    return [float(ra), float(dec)]
# PARENT pixel (140, 160): array pixel (40, 60) of the full image, (10, 10) of the cutout.
# Our header WCS is written in ICRS (as afw's), the original's is FK5: compare in ICRS.
print(json.dumps([icrs(sys.argv[1], 40, 60), icrs(sys.argv[2], 10, 10)]))
`,
      [path, out],
    );
    expect(sky[1]![0]).toBeCloseTo(sky[0]![0]!, 10);
    expect(sky[1]![1]).toBeCloseTo(sky[0]![1]!, 10);
  });

  it('round-trips exposure-version-2.fits: components passed through byte for byte; astropy and fitsverify agree', async () => {
    const path = fixture('exposure-version-2.fits');
    const exposure = await Exposure.readFits(path);
    const out = join(tmp, 'v2.fits');
    await exposure.writeFits(out);
    const back = await Exposure.readFits(out);
    expect(countDifferences(pixelsOf(back.image.array), pixelsOf(exposure.image.array))).toBe(0);
    expect(countDifferences(pixelsOf(back.mask.array), pixelsOf(exposure.mask.array))).toBe(0);
    expect(back.getMetadata().cards().map((c) => c.toString())).toEqual(exposure.getMetadata().cards().map((c) => c.toString()));
    expect(back.info.getId()).toBe(12345n);
    expect(back.info.getWcsMetadata()!.toString()).toBe(exposure.info.getWcsMetadata()!.toString());
    const [source, written] = await Promise.all([InputArchive.readFits(path), InputArchive.readFits(out)]);
    expect(written.entries).toEqual(source.entries);
    written.catalogs.forEach((c, i) => expect(Buffer.from(c.data).equals(Buffer.from(source.catalogs[i]!.data))).toBe(true));
    const ref = astropyExposure(out);
    const orig = astropyExposure(path);
    expect(ref.image).toBe(orig.image);
    expect(ref.mask).toBe(orig.mask);
    expect(ref.wcs).toEqual(orig.wcs);
    const keys = (r: AstropyExposure): string[] => r.primary.map(([k]) => k).filter((k) => k !== 'COMMENT' && k !== 'BITPIX').sort();
    // We add checksums, and afw's current VisitInfo cards include HAS-SIMULATED-CONTENT.
    expect(keys(ref)).toEqual([...keys(orig), 'CHECKSUM', 'DATASUM', 'HAS-SIMULATED-CONTENT'].sort());
    if (fitsverifyPresent) expect(fitsverify(out, false).output).toMatch(/ and 0 error\(s\)/);
  });

  it('refuses files written by a newer afw (EXPINFO_V 3)', async () => {
    const out = join(tmp, 'v3.fits');
    const bytes = readFileSync(fixture('exposure-version-2.fits'));
    const text = bytes.toString('latin1');
    const at = text.indexOf('HIERARCH EXPINFO_V =         2');
    expect(at).toBeGreaterThan(0);
    bytes.write('HIERARCH EXPINFO_V =         3', at, 'latin1');
    writeFileSync(out, bytes);
    await expect(Exposure.readFits(out)).rejects.toThrow(AfwImageFitsError);
    await expect(Exposure.readFits(out)).rejects.toThrow(/EXPINFO_V = 3, but SkyStack reads Exposure FITS versions 0\.\.2/);
  });
});

describe.skipIf(!ready)('afw exposure catalogs compared with astropy', () => {
  const astropyTable = (path: string): { rows: Record<string, unknown>[] } =>
    python<{ rows: Record<string, unknown>[] }>(
      `
with fits.open(sys.argv[1]) as f:
    t = f[1].data
    rows = []
    for r in t:
        d = {}
        for n in t.names:
            v = r[n]
            d[n] = [int(x) for x in v] if hasattr(v, '__len__') else (float(v) if isinstance(v, (float, np.floating)) else (str(int(v)) if n == 'id' else int(v)))
        rows.append(d)
    print(json.dumps(dict(rows=rows)))
`,
      [path],
    );

  it.each(['version-0-ExposureCatalog.fits', 'version-1-ExposureCatalog.fits', 'exposure_catalog_v1.fits'])('%s: ids, boxes, fields and components', async (name) => {
    const path = fixture(name);
    const catalog = await ExposureCatalog.readFits(path);
    const { rows } = astropyTable(path);
    expect(catalog.length).toBe(rows.length);
    rows.forEach((row, i) => {
      const record = catalog.get(i);
      expect(record.getId()).toBe(BigInt(row['id'] as string));
      const min = 'bbox_min' in row ? (row['bbox_min'] as number[]) : [row['bbox_min_x'], row['bbox_min_y']];
      const max = 'bbox_max' in row ? (row['bbox_max'] as number[]) : [row['bbox_max_x'], row['bbox_max_y']];
      const bbox = record.getBBox();
      if ((max[0] as number) >= (min[0] as number)) {
        expect([bbox.getMinX(), bbox.getMinY(), bbox.getMaxX(), bbox.getMaxY()]).toEqual([...min, ...max]);
      } else {
        expect(bbox.isEmpty()).toBe(true);
      }
      // Each archive-ID column gives the object with that ID (null for 0).
      for (const [column, component] of [['psf', 'psf'], ['wcs', 'wcs'], ['calib', 'photoCalib'], ['apCorrMap', 'apCorrMap'], ['validPolygon', 'validPolygon']] as const) {
        if (!(column in row)) continue;
        const object = record.getComponent(component);
        if (row[column] === 0) expect(object).toBeNull();
        else expect(object).not.toBeNull();
      }
    });
    if (name === 'exposure_catalog_v1.fits') {
      expect(catalog.get(0).getNumber('a')).toBeCloseTo(rows[0]!['a'] as number, 12);
      expect((catalog.get(0).getPsf() as RawPersistable).name).toBe('DummyPsf');
      expect(catalog.get(1).getPsf()).toBeNull();
      // The old Calib archive row becomes the PhotoCalib of its fluxmag0, as in afw.
      const fluxMag0 = python<number>("print(json.dumps(float([h for h in fits.open(sys.argv[1]) if h.header.get('AR_NAME') == 'Calib'][0].data['fluxmag0'][0])))", [path]);
      const zeroPointNjy = 10 ** (-48.6 / 2.5) * 1e23 * 1e9;
      expect(catalog.get(0).getPhotoCalib()!.getCalibrationMean()).toBeCloseTo(zeroPointNjy / fluxMag0, 6);
    }
  });

  it('round-trips exposure_catalog_v1.fits with its archive passed through', async () => {
    const path = fixture('exposure_catalog_v1.fits');
    const catalog = await ExposureCatalog.readFits(path);
    const out = join(tmp, 'expcat.fits');
    await catalog.writeFits(out);
    const back = await ExposureCatalog.readFits(out);
    expect(back.length).toBe(2);
    expect(back.get(0).getBBox().equals(catalog.get(0).getBBox())).toBe(true);
    expect((back.get(0).getPsf() as RawPersistable).name).toBe('DummyPsf');
    expect(back.get(0).getNumber('b')).toBe(4);
    const seen = astropyTable(out).rows;
    expect(seen.map((r) => [r['id'], r['bbox_min_x'], r['bbox_max_y'], r['psf'], r['wcs'], r['photoCalib']])).toEqual(
      astropyTable(path).rows.map((r) => [r['id'], r['bbox_min_x'], r['bbox_max_y'], r['psf'], r['wcs'], r['calib']]),
    );
    if (fitsverifyPresent) expect(fitsverify(out, false).output).toMatch(/ and 0 error\(s\)/);
  });
});

describe.skipIf(!ready)('exposure components from the real files', () => {
  /** Raw values from the primary header and the archive's PhotoCalib row, as astropy reads them. */
  const raw = (path: string): { header: Record<string, unknown>; photoCalib: number[] | null } =>
    python<{ header: Record<string, unknown>; photoCalib: number[] | null }>(
      `
with fits.open(sys.argv[1]) as f:
    h = f[0].header
    pc = [x for x in f if x.header.get('AR_NAME') == 'PhotoCalib']
    out = dict(header={k: (v if isinstance(v, (int, float, str, bool)) else str(v)) for k, v in h.items() if k not in ('COMMENT', 'HISTORY')},
               photoCalib=[float(pc[0].data['calibrationMean'][0]), float(pc[0].data['calibrationErr'][0])] if pc else None)
print(json.dumps(out))
`,
      [path],
    );

  it('exposure-version-2.fits: VisitInfo from the header, PhotoCalib, FilterLabel and Detector from the archive', async () => {
    const path = fixture('exposure-version-2.fits');
    const exposure = await Exposure.readFits(path);
    const { header, photoCalib } = raw(path);
    const visitInfo = exposure.getVisitInfo()!;
    expect(visitInfo.exposureTime).toBe(header['EXPTIME']);
    expect(visitInfo.darkTime).toBe(header['DARKTIME']);
    expect(visitInfo.boresightRaDec!.getRa().asDegrees()).toBeCloseTo(header['BORE-RA'] as number, 12);
    expect(visitInfo.boresightRaDec!.getDec().asDegrees()).toBeCloseTo(header['BORE-DEC'] as number, 12);
    expect(visitInfo.observatory.longitude.asDegrees()).toBeCloseTo(header['OBS-LONG'] as number, 12);
    expect(visitInfo.observatory.elevation).toBe(header['OBS-ELEV']);
    expect(visitInfo.date!.toIsoString('TAI').slice(0, 19)).toBe(String(header['DATE-AVG']).slice(0, 19));
    expect(exposure.getPhotoCalib()!.getCalibrationMean()).toBe(photoCalib![0]);
    expect(exposure.getPhotoCalib()!.getCalibrationErr()).toBe(photoCalib![1]);
    expect(exposure.getFilter()!.band).toBe('N656');
    expect(exposure.getFilter()!.physical).toBe('ha');
    expect(exposure.getDetector()!.getName()).toBe(header['DETNAME']);
    expect(exposure.getDetector()!.getSerial()).toBe(header['DETSER']);
  });

  it('exposure-noversion.fits: PhotoCalib from FLUXMAG0 and the filter from the FILTER card', async () => {
    const path = fixture('exposure-noversion.fits');
    const exposure = await Exposure.readFits(path);
    const { header } = raw(path);
    // AB: 0 mag is 10^(-48.6/2.5) erg/s/cm²/Hz = 3631e9 nJy (1 Jy = 1e-23 erg/s/cm²/Hz).
    const zeroPointNjy = 10 ** (-48.6 / 2.5) * 1e23 * 1e9;
    const fluxMag0 = header['FLUXMAG0'] as number;
    expect(exposure.getPhotoCalib()!.getCalibrationMean()).toBeCloseTo(zeroPointNjy / fluxMag0, 9);
    expect(exposure.getPhotoCalib()!.getInstFluxAtZeroMagnitude()).toBeCloseTo(fluxMag0, 6);
    expect(header['FILTER']).toBe('ha');
    expect(exposure.getFilter()!.band).toBeNull();
    expect(exposure.getFilter()!.physical).toBe('ha');
    expect(exposure.getMetadata().has('FLUXMAG0')).toBe(false);
  });

  it('writes a new exposure with components that astropy and we read back', async () => {
    const exposure = Exposure.make('float32', Box2I.fromCorner(new Point2I(10, 20), new Extent2I(8, 6)));
    exposure.image.set(3);
    exposure.variance.set(0.5);
    exposure.setPhotoCalib(new PhotoCalib(57.5, 0.25));
    exposure.setFilter(FilterLabel.fromBandPhysical('r', 'SIM-R'));
    exposure.setVisitInfo(new VisitInfo({ exposureTime: 30, darkTime: 31, boresightRaDec: SpherePoint.fromDegrees(150, 2.5) }));
    exposure.info.setId(424242n);
    exposure.getMetadata().set('OBSERVER', 'skystack', 'who took it');
    // A WCS made in memory goes to the image headers (in the array grid), not the archive.
    const wcs = makeSkyWcs(new Point2D(13.5, 22), SpherePoint.fromDegrees(150, 2.5), makeCdMatrix(Angle.fromArcseconds(0.2)));
    exposure.setWcs(wcs);
    const out = join(tmp, 'new.fits');
    await exposure.writeFits(out);
    const back = await Exposure.readFits(out);
    expect(back.getBBox().equals(exposure.getBBox())).toBe(true);
    expect(back.getPhotoCalib()!.getCalibrationMean()).toBe(57.5);
    expect(back.getPhotoCalib()!.getCalibrationErr()).toBe(0.25);
    expect(back.getFilter()!.equals(FilterLabel.fromBandPhysical('r', 'SIM-R'))).toBe(true);
    expect(back.getVisitInfo()!.exposureTime).toBe(30);
    expect(back.getVisitInfo()!.boresightRaDec!.getRa().asDegrees()).toBeCloseTo(150, 12);
    expect(back.info.getId()).toBe(424242n);
    expect(back.getMetadata().getCard('OBSERVER')!.comment).toBe('who took it');
    const { header, photoCalib } = raw(out);
    expect(header['EXPTIME']).toBe(30);
    expect(header['BORE-RA']).toBeCloseTo(150, 12);
    expect(header['EXPID']).toBe(424242);
    expect(header['EXPINFO_V']).toBe(2);
    expect(header['AR_HDU']).toBe(5);
    expect(photoCalib).toEqual([57.5, 0.25]);
    expect(header['SKYWCS_ID']).toBeUndefined();
    const [ra, dec] = astropySky(out, 15, 24);
    expect(wcs.pixelToSky(15, 24).separation(SpherePoint.fromDegrees(ra, dec)).asDegrees()).toBeLessThan(1e-10);
    expect(back.getWcs()!.pixelToSky(15, 24).separation(wcs.pixelToSky(15, 24)).asDegrees()).toBeLessThan(1e-12);
    if (fitsverifyPresent) expect(fitsverify(out, false).output).toMatch(/ and 0 error\(s\)/);
  });
});
