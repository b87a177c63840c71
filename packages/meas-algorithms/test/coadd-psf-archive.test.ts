// CoaddPsf through afw archives: Exposure.writeFits / readFits gives the same kernel images, and
// the file has meas_algorithms' layout (checked with astropy against the names in its sources).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoaddInputs, Exposure, GaussianPsf, PhotoCalib, RawPsf, makeAfwRegistry, setCoaddInputs, type Psf } from '@skystack/afw-image';
import { InputArchive, OutputArchive, PersistableRegistry } from '@skystack/afw-table';
import { Header, writeFits } from '@skystack/fits';
import { Angle, Box2I, Extent2I, Point2D, Point2I, SpherePoint } from '@skystack/geom';
import { astropyAvailable, runPythonJson } from '@skystack/test-support';
import { makeCdMatrix, makeSkyWcs, type SkyWcs } from '@skystack/wcs';
import { afterAll, describe, expect, it } from 'vitest';
import { CoaddPsf, registerMeasAlgorithmsReaders } from '../src/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'skystack-coadd-psf-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const crval = SpherePoint.fromDegrees(150, 2);
const coaddWcs = makeSkyWcs(new Point2D(500, 500), crval, makeCdMatrix(Angle.fromArcseconds(0.2)));

/** A TAN-SIP input WCS (0.21"/pixel, rotated 20 deg, mild distortion with its reverse). */
function sipWcs(): SkyWcs {
  const [[c11, c12], [c21, c22]] = makeCdMatrix(Angle.fromArcseconds(0.21), Angle.fromDegrees(20));
  const h = new Header();
  const cards: [string, string | number][] = [
    ['CTYPE1', 'RA---TAN-SIP'], ['CTYPE2', 'DEC--TAN-SIP'], ['CRPIX1', 301], ['CRPIX2', 401], ['CRVAL1', 150], ['CRVAL2', 2],
    ['CD1_1', c11], ['CD1_2', c12], ['CD2_1', c21], ['CD2_2', c22], ['RADESYS', 'ICRS'],
    ['A_ORDER', 2], ['A_2_0', 2e-6], ['A_0_2', -1e-6], ['B_ORDER', 2], ['B_1_1', 1.5e-6],
    ['AP_ORDER', 2], ['AP_2_0', -2e-6], ['AP_0_2', 1e-6], ['BP_ORDER', 2], ['BP_1_1', -1.5e-6],
  ];
  for (const [k, v] of cards) h.set(k, v);
  return makeSkyWcs(h);
}

function makeCoaddPsf(): CoaddPsf {
  const inputs = new CoaddInputs();
  const add = (id: number, wcs: SkyWcs, bbox: Box2I, psf: Psf, weight: number): void => {
    const r = inputs.ccds.addNew();
    r.setId(id);
    r.setBBox(bbox);
    r.set('weight', weight);
    r.set('goodpix', 1000);
    r.set('visit', BigInt(id));
    r.setComponent('wcs', wcs);
    r.setComponent('psf', psf);
    r.setComponent('photoCalib', new PhotoCalib(0.5 * id));
  };
  add(11, coaddWcs, new Box2I(new Point2I(0, 0), new Point2I(999, 999)), new GaussianPsf(31, 31, 1.6), 1);
  add(12, makeSkyWcs(new Point2D(200, 500), crval, makeCdMatrix(Angle.fromArcseconds(0.2))), new Box2I(new Point2I(0, 0), new Point2I(699, 999)), new GaussianPsf(31, 31, 2.0), 2);
  add(13, sipWcs(), new Box2I(new Point2I(0, 0), new Point2I(599, 799)), new GaussianPsf(31, 31, 2.3), 3);
  return new CoaddPsf(inputs.ccds, coaddWcs, { cacheSize: 0 });
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

const points = [new Point2D(520, 480), new Point2D(250, 400), new Point2D(100, 950), new Point2D(900, 900), new Point2D(333.3, 612.7)];

describe('CoaddPsf persistence (meas_algorithms)', () => {
  const psf = makeCoaddPsf();
  const path = join(tmp, 'deepCoadd.fits');
  const written = (async () => {
    const exposure = Exposure.make('float32', new Extent2I(16, 12));
    exposure.setWcs(coaddWcs);
    exposure.setPsf(psf);
    await exposure.writeFits(path);
  })();

  it('is persistable, and comes back from Exposure.readFits as a CoaddPsf with the same kernel images (1e-12)', async () => {
    expect(psf.isPersistable()).toBe(true);
    await written;
    const back = (await Exposure.readFits(path, { registry: registerMeasAlgorithmsReaders(makeAfwRegistry()) })).getPsf();
    expect(back).toBeInstanceOf(CoaddPsf);
    const coadd = back as CoaddPsf;
    expect(coadd.getComponentCount()).toBe(3);
    expect([0, 1, 2].map((i) => [coadd.getId(i), coadd.getWeight(i)])).toEqual([[11n, 1], [12n, 2], [13n, 3]]);
    expect(coadd.getAveragePosition().x).toBe(psf.getAveragePosition().x);
    expect(coadd.getAveragePosition().y).toBe(psf.getAveragePosition().y);
    expect(coadd.getWarpingKernelName()).toBe('lanczos3');
    expect(coadd.getWarpingControl().getCacheSize()).toBe(0);
    expect((coadd.getInputCatalog().get(2).getPhotoCalib() as PhotoCalib).getCalibrationMean()).toBe(6.5);
    for (const p of points) {
      const a = psf.computeKernelImage(p);
      const b = coadd.computeKernelImage(p);
      expect(b.getBBox().equals(a.getBBox())).toBe(true);
      expect(maxAbsDiff(b.array.data, a.array.data)).toBeLessThan(1e-12);
    }
  });

  it('without the meas_algorithms readers it is an undecoded PSF, written back unchanged', async () => {
    await written;
    const exposure = await Exposure.readFits(path);
    const raw = exposure.getPsf();
    expect(raw).toBeInstanceOf(RawPsf);
    const again = join(tmp, 'deepCoadd-again.fits');
    await exposure.writeFits(again);
    const back = (await Exposure.readFits(again, { registry: registerMeasAlgorithmsReaders(makeAfwRegistry()) })).getPsf() as CoaddPsf;
    expect(maxAbsDiff(back.computeKernelImage(points[0]).array.data, psf.computeKernelImage(points[0]).array.data)).toBeLessThan(1e-12);
  });

  it('is left out of an Exposure when an input cannot be archived (as afw does with unpersistable PSFs)', async () => {
    const inputs = new CoaddInputs();
    const r = inputs.ccds.addNew();
    r.setId(1);
    r.setBBox(new Box2I(new Point2I(0, 0), new Point2I(99, 99)));
    r.set('weight', 1);
    r.set('goodpix', 100);
    r.setComponent('wcs', coaddWcs);
    r.setComponent('psf', new GaussianPsf(11, 11, 1));
    r.setComponent('validPolygon', { contains: () => true });
    const unpersistable = new CoaddPsf(inputs.ccds, coaddWcs);
    expect(unpersistable.isPersistable()).toBe(false);
    const exposure = Exposure.make('float32', new Extent2I(4, 4));
    exposure.setPsf(unpersistable);
    setCoaddInputs(exposure.getInfo(), inputs);
    const out = join(tmp, 'unpersistable.fits');
    await exposure.writeFits(out);
    const back = await Exposure.readFits(out, { registry: registerMeasAlgorithmsReaders(makeAfwRegistry()) });
    expect(back.getPsf()).toBeNull();
  });

  it('keeps no undecoded input component (a raw valid polygon of a calexp), so it stays persistable', async () => {
    const other = new OutputArchive();
    const polygonId = other.put({ persistenceName: 'Polygon', pythonModule: 'lsst.afw.geom', writeToArchive: (h) => h.saveCatalog({ columns: [{ name: 'x', format: '1D' }] }, [{ x: 1 }]) });
    const otherPath = join(tmp, 'calexp-archive.fits');
    await writeFits(otherPath, [{ header: new Header() }, ...other.toHdus()]);
    const raw = (await InputArchive.readFits(otherPath, { registry: new PersistableRegistry() })).get(polygonId);
    const inputs = new CoaddInputs();
    const r = inputs.ccds.addNew();
    r.setId(5);
    r.setBBox(new Box2I(new Point2I(0, 0), new Point2I(99, 99)));
    r.set('weight', 1);
    r.set('goodpix', 100);
    r.setComponent('wcs', coaddWcs);
    r.setComponent('psf', new GaussianPsf(11, 11, 1.2));
    r.setComponent('validPolygon', raw);
    const withRaw = new CoaddPsf(inputs.ccds, coaddWcs);
    expect(withRaw.isPersistable()).toBe(true);
    expect(withRaw.getInputCatalog().get(0).getValidPolygon()).toBeNull();
    const exposure = Exposure.make('float32', new Extent2I(4, 4));
    exposure.setPsf(withRaw);
    const out = join(tmp, 'raw-polygon.fits');
    await exposure.writeFits(out);
    const back = (await Exposure.readFits(out, { registry: registerMeasAlgorithmsReaders(makeAfwRegistry()) })).getPsf();
    expect(back).toBeInstanceOf(CoaddPsf);
    expect(maxAbsDiff(back!.computeKernelImage(new Point2D(50, 50)).array.data, withRaw.computeKernelImage(new Point2D(50, 50)).array.data)).toBeLessThan(1e-12);
  });

  it.skipIf(!astropyAvailable())("has meas_algorithms' archive layout (astropy)", async () => {
    await written;
    interface Seen {
      psfId: number;
      index: [number, string, string, number][];
      catalogs: { name: string; columns: string[]; forms: string[]; units: string[]; first: Record<string, number | string> }[];
    }
    const seen = runPythonJson<Seen>(
      `
import sys, json
from astropy.io import fits
with fits.open(sys.argv[1]) as f:
    idx = [x for x in f if x.header.get('EXTTYPE') == 'ARCHIVE_INDEX'][0]
    cats = []
    for x in f:
        if x.header.get('EXTTYPE') != 'ARCHIVE_DATA': continue
        n = x.header['TFIELDS']
        row = x.data[0]
        cats.append(dict(name=x.header['AR_NAME'], columns=[x.header['TTYPE%d' % i] for i in range(1, n + 1)],
            forms=[x.header['TFORM%d' % i] for i in range(1, n + 1)], units=[x.header.get('TUNIT%d' % i, '') for i in range(1, n + 1)],
            first={k: (str(row[k]).strip() if isinstance(row[k], str) else float(row[k])) for k in x.columns.names if x.columns[k].format in ('1J', '1K', '1D') or x.columns[k].format.endswith('A')}))
    print(json.dumps(dict(psfId=int(f[0].header['PSF_ID']),
        index=[[int(r['id']), str(r['name']).strip(), str(r['module']).strip(), int(r['cat.persistable'])] for r in idx.data], catalogs=cats)))
`,
      [path],
    );
    const rows = seen.index.filter((r) => r[1] === 'CoaddPsf');
    expect(rows.map((r) => [r[2], r[3]])).toEqual([['lsst.meas.algorithms', 0], ['lsst.meas.algorithms', 1]]);
    expect(rows[0]![0]).toBe(seen.psfId);
    const cats = seen.catalogs.filter((c) => c.name === 'CoaddPsf');
    // meas_algorithms CoaddPsfPersistenceHelper: coaddwcs, cachesize, avgpos (a Point: _x, _y), warpingkernelname (32 chars).
    expect(cats[0]!.columns).toEqual(['coaddwcs', 'cachesize', 'avgpos_x', 'avgpos_y', 'warpingkernelname']);
    expect(cats[0]!.forms).toEqual(['1J', '1J', '1D', '1D', '32A']);
    expect(cats[0]!.units.slice(2, 4)).toEqual(['pixel', 'pixel']);
    expect(cats[0]!.first['warpingkernelname']).toBe('lanczos3');
    expect(cats[0]!.first['avgpos_x']).toBe(psf.getAveragePosition().x);
    // The coadd WCS entry the first catalog points at.
    const wcsId = cats[0]!.first['coaddwcs'] as number;
    expect(seen.index.find((r) => r[0] === wcsId)?.[1]).toBe('TanWcs');
    // afw's exposure table: archive-ID fields, then the minimal schema and the weight.
    expect(cats[1]!.columns).toEqual([
      'wcs', 'psf', 'photoCalib', 'apCorrMap', 'validPolygon', 'visitInfo', 'transmissionCurve', 'detector',
      'id', 'bbox_min_x', 'bbox_min_y', 'bbox_max_x', 'bbox_max_y', 'weight',
    ]);
  });
});
