import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Image, Mask, MaskedImage} from '@skystack/afw-image';
import { DateTime, Exposure, ExposureCatalog, FilterLabel, PhotoCalib, VisitInfo } from '@skystack/afw-image';
import { SimpleCatalog, SourceCatalog } from '@skystack/afw-table';
import { Butler, DatasetType, FormatterFactory, MissingFormatterError } from '@skystack/daf-butler';
import { Angle, Box2I, Extent2I, Point2D, Point2I, SpherePoint } from '@skystack/geom';
import { astropyAvailable, runPythonJson } from '@skystack/test-support';
import { Header } from '@skystack/fits';
import { makeSkyWcs, makeCdMatrix, SkyWcs } from '@skystack/wcs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObsBaseFormatterError, ObsBaseInvalidArgumentError, registerFormatters } from '../src/index.js';
import { testImporter } from './test-cam.js';

const W = 40;
const H = 30;
const XY0 = new Point2I(100, 200);
const dataId = { instrument: 'Cam', visit: 1, detector: 2 };

function makeExposure(): Exposure<Float32Array> {
  const exp = Exposure.make('float32', Box2I.fromCorner(XY0, new Extent2I(W, H)));
  const img = exp.image.array.data as Float32Array;
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) img[y * W + x] = x + 1000 * y;
  const mask = exp.mask.array.data as Int32Array;
  mask[5] = 1;
  (exp.variance.array.data as Float32Array).fill(4);
  exp.setWcs(makeSkyWcs(new Point2D(120, 210), SpherePoint.fromDegrees(150, 2), makeCdMatrix(Angle.fromArcseconds(0.2))));
  exp.setPhotoCalib(new PhotoCalib(2.5));
  exp.setFilter(FilterLabel.fromBandPhysical('r', 'Cam-r'));
  exp.setVisitInfo(new VisitInfo({ exposureTime: 30, date: DateTime.fromIsoString('2025-03-02T03:04:20.000'), boresightAirmass: 1.2 }));
  const md = new Header();
  md.set('TESTKEY', 'hello');
  exp.setMetadata(md);
  exp.info.setId(42n);
  return exp;
}

describe('FITS formatters through a Butler', () => {
  let root: string;
  let butler: Butler;
  const types: [string, string[], string][] = [
    ['calexp', ['instrument', 'visit', 'detector'], 'ExposureF'],
    ['img', ['instrument', 'visit', 'detector'], 'ImageF'],
    ['msk', ['instrument', 'visit', 'detector'], 'Mask'],
    ['mi', ['instrument', 'visit', 'detector'], 'MaskedImageF'],
    ['src', ['instrument', 'visit', 'detector'], 'SourceCatalog'],
    ['refcat', ['instrument', 'visit', 'detector'], 'SimpleCatalog'],
    ['expcat', ['instrument', 'visit'], 'ExposureCatalog'],
  ];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'obsfmt-'));
    await Butler.makeRepo(root);
    // The formatters come from configuration: formatters.yaml's modules table names
    // @skystack/obs-base, which the importer resolves to this package's source.
    butler = await Butler.from(root, { run: 'u/test', importModule: testImporter });
    const reg = butler.registry;
    await reg.insertDimensionData('instrument', [{ name: 'Cam', visit_max: 10, exposure_max: 10, detector_max: 4 }]);
    await reg.insertDimensionData('physical_filter', [{ instrument: 'Cam', name: 'Cam-r', band: 'r' }]);
    await reg.insertDimensionData('day_obs', [{ instrument: 'Cam', id: 20250302 }]);
    await reg.insertDimensionData('detector', [{ instrument: 'Cam', id: 2, full_name: 'd2' }]);
    await reg.insertDimensionData('visit', [{ instrument: 'Cam', id: 1, name: 'v1', physical_filter: 'Cam-r', day_obs: 20250302 }]);
    for (const [name, dims, sc] of types) await reg.registerDatasetType(new DatasetType(name, dims, sc, { universe: butler.universe }));
  });
  afterAll(async () => {
    await butler.close();
    await rm(root, { recursive: true, force: true });
  });

  it('loaded obs-base through the configuration', () => {
    expect(butler.formatters.hasFormatter('FitsExposureFormatter')).toBe(true);
    expect(butler.formatters.hasFormatter('FitsGenericFormatter')).toBe(true);
  });

  it('round-trips an ExposureF with its components', async () => {
    const exp = makeExposure();
    const ref = await butler.put(exp, 'calexp', dataId);
    expect(await butler.getURI(ref)).toMatch(/\.fits$/);
    const back = (await butler.get('calexp', dataId)) as Exposure<Float32Array>;
    expect(back.image.array.data).toEqual(exp.image.array.data);
    expect(back.image.array.data).toBeInstanceOf(Float32Array);
    expect(back.getXY0().equals(XY0)).toBe(true);
    expect(back.mask.array.data[5]).toBe(1);
    expect(back.variance.array.data[7]).toBe(4);
    expect(back.getFilter()?.physicalLabel).toBe('Cam-r');
    expect(back.getPhotoCalib()?.getCalibrationMean()).toBe(2.5);
    expect(back.getVisitInfo()?.exposureTime).toBe(30);
    expect(back.getMetadata().getString('TESTKEY')).toBe('hello');
  });

  it('reads components without the whole exposure', async () => {
    const wcs = (await butler.get('calexp.wcs', dataId)) as SkyWcs;
    expect(wcs).toBeInstanceOf(SkyWcs);
    const sky = wcs.pixelToSky(120, 210);
    expect(sky.getRa().asDegrees()).toBeCloseTo(150, 10);
    expect(sky.getDec().asDegrees()).toBeCloseTo(2, 10);
    expect(((await butler.get('calexp.visitInfo', dataId)) as VisitInfo).boresightAirmass).toBe(1.2);
    expect(((await butler.get('calexp.filter', dataId)) as FilterLabel).bandLabel).toBe('r');
    expect(((await butler.get('calexp.photoCalib', dataId)) as PhotoCalib).getCalibrationMean()).toBe(2.5);
    const bbox = (await butler.get('calexp.bbox', dataId)) as Box2I;
    expect([bbox.getMinX(), bbox.getMinY(), bbox.getWidth(), bbox.getHeight()]).toEqual([100, 200, W, H]);
    expect(((await butler.get('calexp.dimensions', dataId)) as Extent2I).equals(new Extent2I(W, H))).toBe(true);
    expect(((await butler.get('calexp.xy0', dataId)) as Point2I).equals(XY0)).toBe(true);
    expect(await butler.get('calexp.id', dataId)).toBe(42n);
    expect(((await butler.get('calexp.metadata', dataId)) as Header).getString('TESTKEY')).toBe('hello');
    expect(await butler.get('calexp.detector', dataId)).toBeNull();
    const image = (await butler.get('calexp.image', dataId)) as Image<Float32Array>;
    expect(image.array.data[W + 3]).toBe(3 + 1000);
  });

  it('reads only the bbox given as a parameter, in PARENT or LOCAL coordinates', async () => {
    const bbox = new Box2I(new Point2I(110, 205), new Point2I(119, 209));
    const cut = (await butler.get('calexp', dataId, { parameters: { bbox } })) as Exposure<Float32Array>;
    expect([cut.getWidth(), cut.getHeight()]).toEqual([10, 5]);
    expect(cut.getXY0().equals(new Point2I(110, 205))).toBe(true);
    // Pixel (x, y) PARENT holds (x - 100) + 1000 (y - 200).
    expect(cut.image.array.data[0]).toBe(10 + 1000 * 5);
    expect(cut.image.array.data[9 + 10 * 4]).toBe(19 + 1000 * 9);
    expect(cut.getWcs()?.pixelToSky(120, 210).getRa().asDegrees()).toBeCloseTo(150, 10);
    const local = (await butler.get('calexp', dataId, { parameters: { bbox: new Box2I(new Point2I(10, 5), new Point2I(19, 9)), origin: 'LOCAL' } })) as Exposure<Float32Array>;
    expect(local.image.array.data).toEqual(cut.image.array.data);
    const img = (await butler.get('calexp.image', dataId, { parameters: { bbox } })) as Image<Float32Array>;
    expect(img.array.data).toEqual(cut.image.array.data);
    await expect(butler.get('calexp', dataId, { parameters: { bbox: [1, 2, 3, 4] } })).rejects.toThrow(ObsBaseInvalidArgumentError);
  });

  it('round-trips ImageF, Mask and MaskedImageF (with bbox reads)', async () => {
    const exp = makeExposure();
    await butler.put(exp.image, 'img', dataId);
    await butler.put(exp.mask, 'msk', dataId);
    await butler.put(exp.maskedImage, 'mi', dataId);
    const img = (await butler.get('img', dataId)) as Image<Float32Array>;
    expect(img.array.data).toEqual(exp.image.array.data);
    expect(img.getXY0().equals(XY0)).toBe(true);
    const msk = (await butler.get('msk', dataId)) as Mask;
    expect(msk.array.data).toEqual(exp.mask.array.data);
    const mi = (await butler.get('mi', dataId)) as MaskedImage;
    expect(mi.variance.array.data).toEqual(exp.variance.array.data);
    const bbox = new Box2I(new Point2I(101, 201), new Point2I(102, 202));
    const sub = (await butler.get('mi', dataId, { parameters: { bbox } })) as MaskedImage;
    expect(Array.from(sub.image.array.data)).toEqual([1 + 1000, 2 + 1000, 1 + 2000, 2 + 2000]);
    expect(((await butler.get('mi.variance', dataId)) as Image).array.data[0]).toBe(4);
    await expect(butler.put(exp, 'img', { ...dataId, visit: 1, detector: 2 }, { run: 'other' })).rejects.toThrow(ObsBaseFormatterError);
  });

  it('round-trips SourceCatalog, SimpleCatalog and ExposureCatalog', async () => {
    const schema = SourceCatalog.makeMinimalSchema();
    schema.addField({ name: 'flux', type: 'D', doc: 'a flux', units: 'count' });
    const src = new SourceCatalog(schema);
    for (let i = 0; i < 5; i++) {
      const r = src.addNew();
      r.set('id', BigInt(i + 1));
      r.set('coord_ra', 0.1 * i);
      r.set('coord_dec', -0.05 * i);
      r.set('flux', 100 + i);
    }
    await butler.put(src, 'src', dataId);
    const back = (await butler.get('src', dataId)) as SourceCatalog;
    expect(back).toBeInstanceOf(SourceCatalog);
    expect(back.length).toBe(5);
    expect(back.get(3).get('flux')).toBe(103);
    expect((back.get(4).get('coord_dec') as Angle).asRadians()).toBeCloseTo(-0.2, 15);

    const simple = new SimpleCatalog(SimpleCatalog.makeMinimalSchema());
    simple.addNew().set('id', 7n);
    await butler.put(simple, 'refcat', dataId);
    const simpleBack = (await butler.get('refcat', dataId)) as SimpleCatalog;
    expect(simpleBack).toBeInstanceOf(SimpleCatalog);
    expect(simpleBack.get(0).get('id')).toBe(7n);

    const expCat = new ExposureCatalog();
    expCat.addNew().set('id', 9n);
    await butler.put(expCat, 'expcat', { instrument: 'Cam', visit: 1 });
    const expBack = (await butler.get('expcat', { instrument: 'Cam', visit: 1 })) as ExposureCatalog;
    expect(expBack).toBeInstanceOf(ExposureCatalog);
    expect(expBack.get(0).get('id')).toBe(9n);
  });

  it.skipIf(!astropyAvailable())('writes files astropy reads with the right shapes', async () => {
    const uri = await butler.getURI('calexp', dataId);
    const path = fileURLToPath(uri);
    const got = runPythonJson<{ names: string[]; shape: number[]; v: number; ltv1: number; src: number }>(
      String.raw`
import sys, json, warnings
warnings.simplefilter('ignore')
from astropy.io import fits
with fits.open(sys.argv[1]) as hl:
    img = hl['IMAGE']
    out = {'names': [h.name for h in hl[:4]], 'shape': list(img.data.shape), 'v': float(img.data[2, 3]), 'ltv1': float(img.header['LTV1'])}
with fits.open(sys.argv[2]) as hl:
    out['src'] = len(hl[1].data)
print(json.dumps(out))
`,
      [path, fileURLToPath(await butler.getURI('src', dataId))],
    );
    expect(got.names).toEqual(['PRIMARY', 'IMAGE', 'MASK', 'VARIANCE']);
    expect(got.shape).toEqual([H, W]);
    expect(got.v).toBe(3 + 2000);
    expect(got.ltv1).toBe(-100);
    expect(got.src).toBe(5);
  });
});

describe('ExposureAssembler with an in-memory datastore', () => {
  it('gives components of in-memory exposures and applies bbox as a view', async () => {
    const root = await mkdtemp(join(tmpdir(), 'obsmem-'));
    try {
      await Butler.makeRepo(root, { config: { datastore: { cls: 'InMemoryDatastore' } } });
      const formatters = FormatterFactory.default();
      registerFormatters(formatters);
      const b = await Butler.from(root, { run: 'r', formatters, importModule: testImporter });
      await b.registry.insertDimensionData('instrument', [{ name: 'Cam' }]);
      await b.registry.registerDatasetType(new DatasetType('calexp', ['instrument'], 'ExposureF', { universe: b.universe }));
      const exp = makeExposure();
      await b.put(exp, 'calexp', { instrument: 'Cam' });
      const bbox = (await b.get('calexp.bbox', { instrument: 'Cam' })) as Box2I;
      expect(bbox.equals(exp.getBBox())).toBe(true);
      expect(await b.get('calexp.id', { instrument: 'Cam' })).toBe(42n);
      const sub = (await b.get('calexp', { instrument: 'Cam' }, { parameters: { bbox: new Box2I(new Point2I(101, 201), new Point2I(102, 202)) } })) as Exposure<Float32Array>;
      expect([sub.image.get(101, 201), sub.image.get(102, 202)]).toEqual([1 + 1000, 2 + 2000]);
      await b.close();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('registerFormatters', () => {
  it('registers the FITS formatters once, and a factory without them says who provides them', () => {
    const f = FormatterFactory.default();
    registerFormatters(f);
    registerFormatters(f);
    expect(f.formatterNames()).toEqual(expect.arrayContaining(['FitsExposureFormatter', 'FitsImageFormatter', 'FitsMaskFormatter', 'FitsMaskedImageFormatter', 'FitsGenericFormatter']));
    expect(() => FormatterFactory.default().getFormatterByName('FitsExposureFormatter')).toThrow(MissingFormatterError);
  });
});
