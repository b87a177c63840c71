// ExposureCatalogs inside afw archives (afw's ExposureCatalogT::writeToArchive/readFromArchive),
// CoaddInputs as an archived Exposure component, and the layout checked with astropy against
// the field names and docs of afw's sources.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputArchive, OutputArchive, PersistableRegistry, RawPersistable, type Persistable } from '@skystack/afw-table';
import { Header, writeFits } from '@skystack/fits';
import { Angle, Box2I, Extent2I, Point2D, Point2I, SpherePoint } from '@skystack/geom';
import { SkyWcs, makeSkyWcs } from '@skystack/wcs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AfwImageFitsError,
  CoaddInputs,
  DateTime,
  Exposure,
  ExposureCatalog,
  GaussianPsf,
  PhotoCalib,
  VisitInfo,
  archivableComponent,
  getCoaddInputs,
  makeAfwRegistry,
  setCoaddInputs,
} from '../src/index.js';
import { astropyPresent, python } from './support.js';

const tmp = mkdtempSync(join(tmpdir(), 'skystack-coadd-inputs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** afw's archive-ID fields of an exposure table, in its order (src/table/Exposure.cc PersistenceHelper). */
const AFW_COMPONENT_FIELDS = [
  ['wcs', 'archive ID for Wcs object'],
  ['psf', 'archive ID for Psf object'],
  ['photoCalib', 'archive ID for PhotoCalib object'],
  ['apCorrMap', 'archive ID for ApCorrMap object'],
  ['validPolygon', 'archive ID for Polygon object'],
  ['visitInfo', 'archive ID for VisitInfo object'],
  ['transmissionCurve', 'archive ID for TransmissionCurve object'],
  ['detector', 'archive ID for Detector object'],
] as const;
const MINIMAL = ['id', 'bbox_min_x', 'bbox_min_y', 'bbox_max_x', 'bbox_max_y'];

/** A TAN-SIP WCS with forward and reverse polynomials, from FITS cards. */
function sipWcs(crval1: number): SkyWcs {
  const h = new Header();
  const cards: [string, string | number][] = [
    ['CTYPE1', 'RA---TAN-SIP'], ['CTYPE2', 'DEC--TAN-SIP'], ['CRPIX1', 1024.5], ['CRPIX2', 2088.5], ['CRVAL1', crval1], ['CRVAL2', -4.5],
    ['CD1_1', -4.6e-5], ['CD1_2', 1.2e-7], ['CD2_1', 1.1e-7], ['CD2_2', 4.6e-5], ['RADESYS', 'ICRS'],
    ['A_ORDER', 2], ['A_2_0', 3.1e-6], ['A_1_1', -1.2e-6], ['A_0_2', 2.2e-7], ['B_ORDER', 2], ['B_2_0', -2.5e-7], ['B_1_1', 4.4e-6], ['B_0_2', 1.3e-6],
    ['AP_ORDER', 2], ['AP_2_0', -3.1e-6], ['AP_1_1', 1.2e-6], ['AP_0_2', -2.2e-7], ['BP_ORDER', 2], ['BP_2_0', 2.5e-7], ['BP_1_1', -4.4e-6], ['BP_0_2', -1.3e-6],
  ];
  for (const [k, v] of cards) h.set(k, v);
  return makeSkyWcs(h);
}

function visitInfo(id: bigint): VisitInfo {
  return new VisitInfo({ exposureTime: 30, date: DateTime.fromIsoString('2024-06-01T03:04:05'), boresightRaDec: SpherePoint.fromDegrees(150.1, -2.2), id });
}

/** Coadd inputs of two visits, two detectors each, with PSFs, WCSs, PhotoCalibs and VisitInfos. */
function makeInputs(): CoaddInputs {
  const inputs = new CoaddInputs();
  const coaddWcs = sipWcs(150);
  for (const [v, visit] of [903334n, 903336n].entries()) {
    const vr = inputs.visits.addNew();
    vr.setId(visit);
    vr.setBBox(new Box2I(new Point2I(0, 0), new Point2I(3999, 3999)));
    vr.set('weight', 0.5 + v);
    vr.setComponent('wcs', coaddWcs);
    vr.setComponent('visitInfo', visitInfo(visit));
    for (const ccd of [22, 23]) {
      const r = inputs.ccds.addNew();
      r.setId(visit * 200n + BigInt(ccd));
      r.setBBox(new Box2I(new Point2I(0, 0), new Point2I(2047, 4175)));
      r.set('visit', visit);
      r.set('ccd', ccd);
      r.set('goodpix', 8_000_000 + ccd);
      r.set('weight', 0.25 * (v + 1));
      r.setComponent('psf', new GaussianPsf(21, 21, 1.5 + 0.1 * ccd));
      r.setComponent('wcs', sipWcs(150 + 0.01 * ccd));
      r.setComponent('photoCalib', new PhotoCalib(0.2 + v, 0.01));
      r.setComponent('visitInfo', visitInfo(visit));
    }
  }
  return inputs;
}

function expectSameInputs(back: CoaddInputs, inputs: CoaddInputs): void {
  for (const which of ['visits', 'ccds'] as const) {
    const a = inputs[which];
    const b = back[which];
    expect([...b.schema].map((f) => `${f.name}:${f.type}`)).toEqual([...a.schema].map((f) => `${f.name}:${f.type}`));
    expect(b.length).toBe(a.length);
    for (let i = 0; i < a.length; i++) {
      const ra = a.get(i);
      const rb = b.get(i);
      expect(rb.getId()).toBe(ra.getId());
      expect(rb.getBBox().equals(ra.getBBox())).toBe(true);
      for (const f of a.schema) expect(rb.get(f.name)).toEqual(ra.get(f.name));
      expect((rb.getVisitInfo() as VisitInfo).equals(ra.getVisitInfo())).toBe(true);
      const wa = ra.getWcs() as SkyWcs;
      const wb = rb.getWcs() as SkyWcs;
      expect(wb).toBeInstanceOf(SkyWcs);
      for (const p of [new Point2D(0, 0), new Point2D(2047, 4175), new Point2D(1000.5, 3000.25)]) {
        expect(wb.pixelToSky(p).separation(wa.pixelToSky(p)).asArcseconds()).toBeLessThan(1e-9);
        const sky = wa.pixelToSky(p);
        expect(wb.skyToPixel(sky).x).toBeCloseTo(wa.skyToPixel(sky).x, 8);
      }
      if (which === 'ccds') {
        expect((rb.getPsf() as GaussianPsf).getSigma()).toBe((ra.getPsf() as GaussianPsf).getSigma());
        expect(rb.getPhotoCalib()!.getCalibrationMean()).toBe(ra.getPhotoCalib()!.getCalibrationMean());
      }
    }
  }
}

describe('ExposureCatalog in an archive', () => {
  it('round-trips CoaddInputs (fields, boxes, PSF, TAN-SIP WCS, PhotoCalib, VisitInfo) through an archive file', async () => {
    const inputs = makeInputs();
    expect(inputs.isPersistable()).toBe(true);
    const archive = new OutputArchive();
    const id = archive.put(inputs);
    const path = join(tmp, 'inputs-archive.fits');
    await writeFits(path, [{ header: new Header() }, ...archive.toHdus()]);
    const read = await InputArchive.readFits(path, { registry: makeAfwRegistry() });
    const back = read.get(id) as CoaddInputs;
    expect(back).toBeInstanceOf(CoaddInputs);
    expectSameInputs(back, inputs);
    // One WCS object shared by both visit records is archived once.
    expect(back.visits.get(0).getWcs()).toBe(back.visits.get(1).getWcs());
  });

  it('writes every field type an afw table has, and reads it back', async () => {
    const schema = ExposureCatalog.makeMinimalSchema();
    schema.addField({ name: 'flagA', type: 'Flag', doc: 'a flag' });
    schema.addField({ name: 'angle', type: 'Angle', doc: 'an angle' });
    schema.addField({ name: 'name', type: 'String', size: 12, doc: 'a name' });
    schema.addField({ name: 'vec', type: 'ArrayD', size: 3, doc: 'a vector', units: 'mm' });
    schema.addField({ name: 'f', type: 'F', doc: 'a float' });
    schema.addField({ name: 'flagB', type: 'Flag', doc: 'another flag' });
    schema.getAliasMap().set('nick', 'name');
    const catalog = new ExposureCatalog(schema);
    for (let i = 0; i < 3; i++) {
      const r = catalog.addNew();
      r.setId(i + 1);
      r.setBBox(new Box2I(new Point2I(i, 0), new Point2I(10 + i, 20)));
      r.set('flagA', i % 2 === 0);
      r.set('flagB', i === 2);
      r.set('angle', Angle.fromDegrees(10 * i));
      r.set('name', `det${i}`);
      r.set('vec', Float64Array.of(i, i + 0.5, -i));
      r.set('f', 0.25 * i);
    }
    const holder = { persistenceName: 'Holder', pythonModule: '', writeToArchive: (h: Parameters<ExposureCatalog['writeToArchive']>[0]) => catalog.writeToArchive(h) };
    const archive = new OutputArchive();
    const id = archive.put(holder);
    const path = join(tmp, 'types-archive.fits');
    await writeFits(path, [{ header: new Header() }, ...archive.toHdus()]);
    const registry = makeAfwRegistry().register('Holder', (catalogs, a) => ExposureCatalog.readFromArchive(a, catalogs[0]!));
    const back = (await InputArchive.readFits(path, { registry })).get(id) as ExposureCatalog;
    expect(back.length).toBe(3);
    for (const f of schema) expect(back.schema.find(f.name).type).toBe(f.type);
    expect(back.schema.find('vec').units).toBe('mm');
    for (let i = 0; i < 3; i++) {
      const r = back.get(i);
      expect(r.get('flagA')).toBe(i % 2 === 0);
      expect(r.get('flagB')).toBe(i === 2);
      expect((r.get('angle') as Angle).asDegrees()).toBeCloseTo(10 * i, 12);
      expect(r.get('name')).toBe(`det${i}`);
      expect(Array.from(r.get('vec') as Float64Array)).toEqual([i, i + 0.5, -i]);
      expect(r.getBBox().getMinX()).toBe(i);
    }
  });

  it('leaves out what it cannot archive when permissive, and says what when not', () => {
    const inputs = new CoaddInputs();
    const r = inputs.ccds.addNew();
    r.setId(1);
    r.setComponent('psf', { not: 'a Psf' });
    expect(inputs.isPersistable()).toBe(false);
    const archive = new OutputArchive();
    archive.put(inputs); // permissive: the PSF is dropped
    const strict = { persistenceName: 'Strict', pythonModule: '', writeToArchive: (h: Parameters<ExposureCatalog['writeToArchive']>[0]) => inputs.ccds.writeToArchive(h) };
    expect(() => new OutputArchive().put(strict)).toThrow(AfwImageFitsError);
    expect(() => new OutputArchive().put(strict)).toThrow(/psf of record 0/);
  });

  it('drops undecoded components of other files when permissive (a calexp\'s raw valid polygon)', async () => {
    // An object SkyStack cannot decode, read from another file.
    const other = new OutputArchive();
    const polygonId = other.put({ persistenceName: 'Polygon', pythonModule: 'lsst.afw.geom', writeToArchive: (h) => h.saveCatalog({ columns: [{ name: 'x', format: '1D' }] }, [{ x: 1 }]) });
    const otherPath = join(tmp, 'calexp-archive.fits');
    await writeFits(otherPath, [{ header: new Header() }, ...other.toHdus()]);
    const raw = (await InputArchive.readFits(otherPath, { registry: new PersistableRegistry() })).get(polygonId);
    expect(raw).toBeInstanceOf(RawPersistable);
    const inputs = makeInputs();
    inputs.ccds.get(1).setComponent('validPolygon', raw);
    expect(inputs.ccds.componentsArchivable()).toBe(false);
    expect(inputs.isPersistable()).toBe(false);
    const archive = new OutputArchive();
    const id = archive.put(inputs);
    const path = join(tmp, 'inputs-raw.fits');
    await writeFits(path, [{ header: new Header() }, ...archive.toHdus()]);
    const back = (await InputArchive.readFits(path, { registry: makeAfwRegistry() })).get(id) as CoaddInputs;
    expect(back.ccds.get(1).getValidPolygon()).toBeNull();
    expect(back.ccds.get(1).getPsf()).toBeInstanceOf(GaussianPsf);
  });

  it('archives a FITS TAN WCS as afw\'s TanWcs entry, and nothing for a non-TAN one', () => {
    expect((archivableComponent(sipWcs(10)) as Persistable | undefined)?.persistenceName).toBe('TanWcs');
    const h = new Header();
    for (const [k, v] of [['CTYPE1', 'RA---ZEA'], ['CTYPE2', 'DEC--ZEA'], ['CRPIX1', 1], ['CRPIX2', 1], ['CRVAL1', 10], ['CRVAL2', 20], ['CD1_1', -1e-4], ['CD2_2', 1e-4], ['CD1_2', 0], ['CD2_1', 0]] as const) h.set(k, v);
    expect(archivableComponent(makeSkyWcs(h))).toBeUndefined();
    expect(archivableComponent({})).toBeUndefined();
  });
});

describe('CoaddInputs on an Exposure', () => {
  it('round-trips through Exposure.writeFits / readFits as the COADD_INPUTS component', async () => {
    const exposure = Exposure.make('float32', new Extent2I(8, 6));
    const inputs = makeInputs();
    setCoaddInputs(exposure.getInfo(), inputs);
    const path = join(tmp, 'coadd.fits');
    await exposure.writeFits(path);
    const back = getCoaddInputs((await Exposure.readFits(path)).getInfo());
    expect(back).not.toBeNull();
    expectSameInputs(back!, inputs);
  });

  it.skipIf(!astropyPresent)('writes the layout afw writes: index rows, header cards and column names (astropy)', async () => {
    const exposure = Exposure.make('float32', new Extent2I(8, 6));
    setCoaddInputs(exposure.getInfo(), makeInputs());
    const path = join(tmp, 'coadd-layout.fits');
    await exposure.writeFits(path);
    interface Seen {
      header: Record<string, number>;
      index: [number, string, string, number][];
      catalogs: { name: string; columns: string[]; docs: string[]; rows: number }[];
    }
    const seen = python<Seen>(
      `
with fits.open(sys.argv[1]) as f:
    h = f[0].header
    idx = [x for x in f if x.header.get('EXTTYPE') == 'ARCHIVE_INDEX'][0]
    cats = []
    for x in f:
        if x.header.get('EXTTYPE') != 'ARCHIVE_DATA': continue
        n = x.header['TFIELDS']
        cats.append(dict(name=x.header['AR_NAME'], columns=[x.header['TTYPE%d' % i] for i in range(1, n + 1)],
                         docs=[x.header.get('TDOC%d' % i, '') for i in range(1, n + 1)], rows=len(x.data)))
    print(json.dumps(dict(header={k: int(h[k]) for k in ('COADD_INPUTS_ID', 'ARCHIVE_ID_COADD_INPUTS')},
        index=[[int(r['id']), str(r['name']).strip(), str(r['module']).strip(), int(r['cat.persistable'])] for r in idx.data],
        catalogs=cats)))
`,
      [path],
    );
    const coaddRows = seen.index.filter((r) => r[1] === 'CoaddInputs');
    expect(coaddRows.map((r) => [r[2], r[3]])).toEqual([['lsst.afw.image', 0], ['lsst.afw.image', 1]]);
    expect(seen.header['COADD_INPUTS_ID']).toBe(coaddRows[0]![0]);
    expect(seen.header['ARCHIVE_ID_COADD_INPUTS']).toBe(coaddRows[0]![0]);
    const components = AFW_COMPONENT_FIELDS.map(([n]) => n);
    const catalogs = seen.catalogs.filter((c) => c.name === 'CoaddInputs');
    expect(catalogs.map((c) => c.columns)).toEqual([
      [...components, ...MINIMAL, 'weight'],
      [...components, ...MINIMAL, 'ccd', 'visit', 'goodpix', 'weight'],
    ]);
    expect(catalogs[0]!.docs.slice(0, 8)).toEqual(AFW_COMPONENT_FIELDS.map(([, d]) => d));
    expect(catalogs.map((c) => c.rows)).toEqual([2, 4]);
    // The WCSs are afw's TanWcs entries (afw's old Wcs persistence schema, then the SIP matrices).
    const tan = seen.catalogs.filter((c) => c.name === 'TanWcs');
    expect(tan[0]!.columns).toEqual(['crval_x', 'crval_y', 'crpix_x', 'crpix_y', 'cd', 'ctype1', 'ctype2', 'equinox', 'radesys', 'cunit1', 'cunit2']);
    expect(tan[1]!.columns).toEqual(['A', 'B', 'Ap', 'Bp']);
  });
});

describe.skipIf(!astropyPresent)('TanWcs entries', () => {
  it('hold CRPIX 0-based and CD and SIP column-major, as afw wrote them: astropy.wcs from the rows gives our sky positions', async () => {
    const wcs = sipWcs(150.3);
    const archive = new OutputArchive();
    archive.put(archivableComponent(wcs)!);
    const path = join(tmp, 'tanwcs.fits');
    await writeFits(path, [{ header: new Header() }, ...archive.toHdus()]);
    const pixels = [[0, 0], [2047, 4175], [1000.5, 3000.25], [-50, 100]];
    const sky = python<number[][]>(
      `
from astropy.wcs import WCS, Sip
with fits.open(sys.argv[1]) as f:
    main, sip = [x.data[0] for x in f if x.header.get('EXTTYPE') == 'ARCHIVE_DATA']
w = WCS(naxis=2)
w.wcs.ctype = [main['ctype1'].strip() + '-SIP', main['ctype2'].strip() + '-SIP']
w.wcs.crval = [main['crval_x'], main['crval_y']]
w.wcs.crpix = [main['crpix_x'] + 1, main['crpix_y'] + 1]
w.wcs.cd = np.array(main['cd']).reshape(2, 2).T  # stored (1_1, 2_1, 1_2, 2_2)
m = lambda a: np.array(a).reshape(int(round(len(a) ** 0.5)), -1).T  # column-major
w.sip = Sip(m(sip['A']), m(sip['B']), m(sip['Ap']), m(sip['Bp']), w.wcs.crpix)
w.wcs.radesys = main['radesys'].strip()
pix = np.array(json.loads(sys.argv[2]))
print(json.dumps(w.all_pix2world(pix, 0).tolist()))
`,
      [path, JSON.stringify(pixels)],
    );
    pixels.forEach(([x, y], i) => {
      const p = wcs.pixelToSky(new Point2D(x!, y!));
      expect(p.separation(SpherePoint.fromDegrees(sky[i]![0]!, sky[i]![1]!)).asArcseconds()).toBeLessThan(1e-6);
    });
  });
});

describe.skipIf(!astropyPresent)('ExposureCatalog.writeFits layout', () => {
  it('puts afw\'s archive-ID fields first and writes EXPTABLE_VER = 5 (astropy)', async () => {
    const catalog = new ExposureCatalog(CoaddInputs.makeVisitSchema());
    const r = catalog.addNew();
    r.setId(7);
    r.setComponent('photoCalib', new PhotoCalib(2.5));
    const path = join(tmp, 'expcat-layout.fits');
    await catalog.writeFits(path);
    const seen = python<{ columns: string[]; docs: string[]; version: number; photoCalib: number }>(
      `
with fits.open(sys.argv[1]) as f:
    h = f[1].header
    n = h['TFIELDS']
    print(json.dumps(dict(columns=[h['TTYPE%d' % i] for i in range(1, n + 1)], docs=[h.get('TDOC%d' % i, '') for i in range(1, n + 1)],
        version=int(h['EXPTABLE_VER']), photoCalib=int(f[1].data['photoCalib'][0]))))
`,
      [path],
    );
    expect(seen.columns).toEqual([...AFW_COMPONENT_FIELDS.map(([n]) => n), ...MINIMAL, 'weight']);
    expect(seen.docs.slice(0, 8)).toEqual(AFW_COMPONENT_FIELDS.map(([, d]) => d));
    expect(seen.version).toBe(5);
    expect(seen.photoCalib).toBeGreaterThan(0);
    const back = await ExposureCatalog.readFits(path);
    expect(back.get(0).getPhotoCalib()!.getCalibrationMean()).toBe(2.5);
    expect(back.getMetadata().has('EXPTABLE_VER')).toBe(false);
  });
});
