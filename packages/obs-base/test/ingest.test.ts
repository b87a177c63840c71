import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Exposure} from '@skystack/afw-image';
import { RotType, type VisitInfo } from '@skystack/afw-image';
import { Butler, CollectionType, runButler, type DimensionRecord } from '@skystack/daf-butler';
import type { ConvexPolygon} from '@skystack/geom';
import { Box2I, Point2I, SpherePoint, UnitVector3d } from '@skystack/geom';
import type { SkyWcs } from '@skystack/wcs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DefineVisitsConfig, DefineVisitsTask, Instrument, RawIngestTask, butlerCommands } from '../src/index.js';
import { DETECTOR_LAYOUT, PIXEL_SIZE_MM, PLATE_SCALE, TestCam, testImporter, writeRaw, rawPixel, type RawSpec } from './test-cam.js';

const EXP1 = 2025030200001;
const EXP2 = 2025030200002;
const BIAS = 2025030200003;
const POINTINGS: Record<number, { ra: number; dec: number; rot: number }> = {
  [EXP1]: { ra: 150.0, dec: 2.0, rot: 0 },
  [EXP2]: { ra: 10.0, dec: -45.0, rot: 30 },
  [BIAS]: { ra: 10.0, dec: -45.0, rot: 30 },
};

async function butlerCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runButler(
    args,
    { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, stdin: { isTTY: false } },
    { plugins: [{ butlerCommands }], importModule: testImporter },
  );
  return { code, out, err };
}

/**
 * The sky position of a focal-plane point (mm), computed here independently of obs-base: field
 * angle = fp × plate scale, rotated by the position angle (east to the left of +Y), then a
 * gnomonic deprojection about the boresight.
 */
function skyOfFocalPlane(fpX: number, fpY: number, p: { ra: number; dec: number; rot: number }): SpherePoint {
  const scale = (PLATE_SCALE / 3600) * (Math.PI / 180); // rad per mm
  const fx = fpX * scale;
  const fy = fpY * scale;
  const o = (p.rot * Math.PI) / 180;
  const xi = -Math.cos(o) * fx + Math.sin(o) * fy; // east
  const eta = Math.sin(o) * fx + Math.cos(o) * fy; // north
  const ra0 = (p.ra * Math.PI) / 180;
  const dec0 = (p.dec * Math.PI) / 180;
  const denom = Math.cos(dec0) - eta * Math.sin(dec0);
  const ra = ra0 + Math.atan2(xi, denom);
  const dec = Math.atan2(Math.sin(dec0) + eta * Math.cos(dec0), Math.hypot(xi, denom));
  return SpherePoint.fromRadians(ra, dec);
}

function unit(sp: SpherePoint): UnitVector3d {
  return UnitVector3d.fromLonLat(sp.getLongitude(), sp.getLatitude());
}

describe('register → ingest → define-visits → get raw', () => {
  let root: string;
  let repo: string;
  let raws: string;
  const files: string[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'obsingest-'));
    repo = join(root, 'repo');
    raws = join(root, 'raws');
    await mkdir(join(raws, 'sub'), { recursive: true });
    for (const exp of [EXP1, EXP2, BIAS]) {
      for (const detector of [0, 1]) {
        const p = POINTINGS[exp]!;
        const spec: RawSpec = {
          expId: exp,
          detector,
          raDeg: p.ra,
          decDeg: p.dec,
          rotDeg: p.rot,
          obsType: exp === BIAS ? 'bias' : 'science',
          filter: exp === EXP2 ? 'TestCam-g' : 'TestCam-r',
          dateObs: exp === EXP2 ? '2025-03-02T04:00:00.500' : '2025-03-02T03:04:05.000',
          expTime: exp === BIAS ? 0 : 30,
          airmass: exp === EXP2 ? 1.05 : 1.2,
          uint16: detector === 1,
        };
        const f = join(raws, exp === BIAS ? 'sub' : '', `raw_${exp}_${detector}.fits`);
        await writeRaw(f, spec);
        files.push(f);
      }
    }
    await writeFile(join(raws, 'corrupt.fits'), 'SIMPLE  =                    T / not really FITS');
    expect((await butlerCli(['create', repo])).code).toBe(0);
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('registers the instrument idempotently', async () => {
    for (let i = 0; i < 2; i++) {
      const r = await butlerCli(['register-instrument', repo, 'obs-base-test-cam#TestCam']);
      expect(r.err).not.toMatch(/Error/);
      expect(r.code).toBe(0);
    }
    const butler = await Butler.from(repo, { importModule: testImporter });
    const dets = await butler.registry.queryDimensionRecords('detector', { dataId: { instrument: 'TestCam' } }).toArray();
    expect(dets.map((d) => [d.get('id'), d.get('full_name')])).toEqual([
      [0, 'D0'],
      [1, 'D1'],
    ]);
    const filters = await butler.registry.queryDimensionRecords('physical_filter', { dataId: { instrument: 'TestCam' } }).toArray();
    expect(filters.map((f) => `${String(f.get('name'))}:${String(f.get('band'))}`).sort()).toEqual(['TestCam-empty:TestCam-empty', 'TestCam-g:g', 'TestCam-r:r']);
    const instrument = await Instrument.fromName('TestCam', butler.registry, { importModule: testImporter });
    expect(instrument).toBeInstanceOf(TestCam);
    await butler.close();
  });

  it('ingests the raws, reports the corrupt file, and changes nothing the second time', async () => {
    const first = await butlerCli(['ingest-raws', repo, raws, '-t', 'copy', '-j', '2']);
    expect(first.code).toBe(1);
    expect(first.err).toMatch(/Error: 1 file\(s\) could not be ingested \(the others were\): .*corrupt\.fits: /);
    const butler = await Butler.from(repo, { collections: 'TestCam/raw/all', importModule: testImporter });
    const refs = await butler.registry.queryDatasets('raw', { collections: 'TestCam/raw/all' }).toArray();
    expect(refs).toHaveLength(6);
    await butler.close();

    const task = new RawIngestTask({ butler: await Butler.from(repo, { writeable: true, importModule: testImporter }), importModule: testImporter });
    const again = await task.run(files);
    expect(again.refs).toHaveLength(0);
    expect(again.skipped).toHaveLength(6);
    expect(again.failures).toHaveLength(0);
    expect(new Set(again.skipped.map((r) => r.id))).toEqual(new Set(refs.map((r) => r.id)));
    await task.butler.close();

    const second = await butlerCli(['ingest-raws', repo, ...files]);
    expect(second.code).toBe(0);
    const b2 = await Butler.from(repo, { importModule: testImporter });
    expect(await b2.registry.queryDatasets('raw', { collections: 'TestCam/raw/all' }).toArray()).toHaveLength(6);
    const exposures = await b2.registry.queryDimensionRecords('exposure', { dataId: { instrument: 'TestCam' } }).toArray();
    expect(exposures.map((e) => e.get('id'))).toEqual([EXP1, EXP2, BIAS]);
    const e2 = exposures[1]!;
    expect(e2.get('exposure_time')).toBe(30);
    expect(e2.get('dark_time')).toBe(31);
    expect(e2.get('physical_filter')).toBe('TestCam-g');
    expect(e2.get('obs_id')).toBe('TC_O_20250302_000002');
    expect(e2.get('tracking_ra')).toBe(10);
    expect(e2.get('zenith_angle')).toBeCloseTo(90 - 56.4, 12);
    expect(e2.get('group')).toBe(String(EXP2));
    expect(e2.get('day_obs')).toBe(20250302);
    expect((await b2.registry.queryDimensionRecords('day_obs', { dataId: { instrument: 'TestCam' } }).toArray()).map((d) => d.get('id'))).toEqual([20250302]);
    await b2.close();
  });

  it('gets the untrimmed raw with VisitInfo, filter, detector and WCS', async () => {
    // A new Butler finds the test camera's raw formatter from the name the datastore recorded.
    const butler = await Butler.from(repo, { collections: 'TestCam/raw/all', importModule: testImporter });
    const raw = (await butler.get('raw', { instrument: 'TestCam', exposure: EXP2, detector: 1 })) as Exposure<Float32Array>;
    expect([raw.getWidth(), raw.getHeight()]).toEqual([80, 64]);
    expect(raw.image.array.data).toBeInstanceOf(Float32Array);
    expect(raw.image.get(45, 10)).toBe(rawPixel(45, 10, 1));
    const vi = raw.getVisitInfo()!;
    expect(vi.exposureTime).toBe(30);
    expect(vi.darkTime).toBe(31);
    expect(vi.boresightAirmass).toBe(1.05);
    expect(vi.date?.toIsoString()).toMatch(/^2025-03-02T04:00:15\.5/); // mid-exposure, TAI
    expect(vi.boresightRaDec?.getRa().asDegrees()).toBeCloseTo(10, 12);
    expect(vi.boresightRaDec?.getDec().asDegrees()).toBeCloseTo(-45, 12);
    expect(vi.boresightRotAngle.asDegrees()).toBeCloseTo(30, 12);
    expect(vi.rotType).toBe(RotType.SKY);
    expect(vi.id).toBe(BigInt(EXP2));
    expect(vi.observationType).toBe('science');
    expect(raw.getFilter()?.bandLabel).toBe('g');
    expect(raw.getFilter()?.physicalLabel).toBe('TestCam-g');
    expect(raw.getDetector()?.name).toBe('D1');
    expect(raw.getDetector()?.amplifiers.map((a) => a.name)).toEqual(['A', 'B']);
    expect(raw.getMetadata().getString('OBSID')).toBe('TC_O_20250302_000002');
    // Components, and the bbox parameter.
    expect(((await butler.get('raw.visitInfo', { instrument: 'TestCam', exposure: EXP1, detector: 0 })) as VisitInfo).boresightAirmass).toBe(1.2);
    const overscan = new Box2I(new Point2I(40, 2), new Point2I(47, 5)); // amplifier B's serial overscan
    const cut = (await butler.get('raw', { instrument: 'TestCam', exposure: EXP1, detector: 0 }, { parameters: { bbox: overscan } })) as Exposure;
    expect([cut.getWidth(), cut.getHeight(), cut.getXY0().getX(), cut.getXY0().getY()]).toEqual([8, 4, 40, 2]);
    expect(cut.image.get(41, 3)).toBe(rawPixel(41, 3, 0));
    expect(cut.getVisitInfo()?.exposureTime).toBe(30);
    // The raw WCS puts the centre of each detector where the camera geometry says.
    const wcs = (await butler.get('raw.wcs', { instrument: 'TestCam', exposure: EXP2, detector: 1 })) as SkyWcs;
    const centre = wcs.pixelToSky(31.5, 31.5);
    const expected = skyOfFocalPlane(DETECTOR_LAYOUT[1].fp.x, DETECTOR_LAYOUT[1].fp.y, POINTINGS[EXP2]!);
    expect(centre.separation(expected).asArcseconds()).toBeLessThan(1e-6);
    await butler.close();
  });

  it('defines one-to-one visits whose regions contain the detector centres', async () => {
    const r = await butlerCli(['define-visits', repo, 'TestCam', '--padding', '0']);
    expect(r.err).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    const butler = await Butler.from(repo, { importModule: testImporter });
    const reg = butler.registry;
    const visits = await reg.queryDimensionRecords('visit', { dataId: { instrument: 'TestCam' } }).toArray();
    expect(visits.map((v) => v.get('id'))).toEqual([EXP1, EXP2]); // the bias makes no visit
    expect((await reg.queryDimensionRecords('visit_system', { dataId: { instrument: 'TestCam' } }).toArray()).map((v) => v.get('name'))).toEqual(['one-to-one']);
    const defs = await reg.queryDimensionRecords('visit_definition', { dataId: { instrument: 'TestCam' } }).toArray();
    expect(defs.map((d) => [d.get('exposure'), d.get('visit')])).toEqual([
      [EXP1, EXP1],
      [EXP2, EXP2],
    ]);
    const regions = await reg.queryDimensionRecords('visit_detector_region', { dataId: { instrument: 'TestCam' } }).toArray();
    expect(regions).toHaveLength(4);
    const regionOf = (visit: number, detector: number): ConvexPolygon =>
      regions.find((x: DimensionRecord) => x.get('visit') === visit && x.get('detector') === detector)!.region as ConvexPolygon;
    for (const visit of [EXP1, EXP2]) {
      const visitRegion = visits.find((v) => v.get('id') === visit)!.region as ConvexPolygon;
      for (const d of DETECTOR_LAYOUT) {
        const centre = unit(skyOfFocalPlane(d.fp.x, d.fp.y, POINTINGS[visit]!));
        expect(regionOf(visit, d.id).contains(centre)).toBe(true);
        expect(regionOf(visit, 1 - d.id).contains(centre)).toBe(false);
        expect(visitRegion.contains(centre)).toBe(true);
        // A point just beyond the detector's edge (half a pixel + 1 pixel along x) is outside its region.
        const yaw = (d.yawDeg * Math.PI) / 180;
        const off = 33.5 * PIXEL_SIZE_MM;
        const outside = unit(skyOfFocalPlane(d.fp.x + Math.cos(yaw) * off, d.fp.y + Math.sin(yaw) * off, POINTINGS[visit]!));
        expect(regionOf(visit, d.id).contains(outside)).toBe(false);
      }
      // The boresight (focal-plane origin) lies between the two detectors, inside the hull.
      expect(visitRegion.contains(unit(SpherePoint.fromDegrees(POINTINGS[visit]!.ra, POINTINGS[visit]!.dec)))).toBe(true);
    }
    // Spatial queries work on them.
    const centre1 = skyOfFocalPlane(DETECTOR_LAYOUT[1].fp.x, DETECTOR_LAYOUT[1].fp.y, POINTINGS[EXP1]!);
    const hits = await reg
      .queryDataIds(['visit', 'detector'], { dataId: { instrument: 'TestCam' }, where: `visit_detector_region.region OVERLAPS POINT(${centre1.getRa().asDegrees()}, ${centre1.getDec().asDegrees()})` })
      .toArray();
    expect(hits.map((h) => [h.get('visit'), h.get('detector')])).toEqual([[EXP1, 1]]);
    await butler.close();
    // Again: nothing changes.
    const task = new DefineVisitsTask({ butler: await Butler.from(repo, { writeable: true }), instrument: new TestCam(), config: Object.assign(new DefineVisitsConfig(), { padding: 0 }) });
    expect((await task.run('TestCam')).visits).toEqual([EXP1, EXP2]);
    expect(await task.butler.registry.queryDimensionRecords('visit_detector_region', { dataId: { instrument: 'TestCam' } }).count()).toBe(4);
    await task.butler.close();
  });

  it('writes curated calibrations certified into <INSTRUMENT>/calib', async () => {
    const r = await butlerCli(['write-curated-calibrations', repo, 'TestCam']);
    expect(r.err).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    const butler = await Butler.from(repo, { collections: 'TestCam/calib', importModule: testImporter });
    expect(await butler.get('testcal', { instrument: 'TestCam', detector: 1, exposure: EXP1 })).toEqual({ detector: 1, gain: 1.5 });
    expect(await butler.registry.getCollectionType('TestCam/calib')).toBe(CollectionType.CALIBRATION);
    await butler.close();
    expect((await butlerCli(['write-curated-calibrations', repo, 'TestCam'])).code).toBe(0);
  });

  it('says what is wrong for an unknown instrument and a missing location', async () => {
    const r = await butlerCli(['define-visits', repo, 'NoCam']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/Instrument 'NoCam' is not registered/);
    const r2 = await butlerCli(['ingest-raws', repo, join(root, 'nothing-here')]);
    expect(r2.code).toBe(1);
    expect(r2.err).toMatch(/does not exist/);
  });
});
