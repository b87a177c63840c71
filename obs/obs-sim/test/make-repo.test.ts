// End-to-end: a SimCam repository of the small preset made with make-repo (the butler commands),
// read back through the Butler and scored against the simulator's truth and astropy.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Exposure, VisitInfo } from '@skystack/afw-image';
import { readParquet, SimpleCatalog } from '@skystack/afw-table';
import { Butler, type DimensionRecord } from '@skystack/daf-butler';
import { Angle, HtmPixelization, Region, regionToHex, SpherePoint } from '@skystack/geom';
import type { Defects } from '@skystack/ip-isr';
import { Camera, createInitialSkyWcsFromBoresight } from '@skystack/obs-base';
import { astropyAvailable, runPythonJson } from '@skystack/test-support';
import type { SkyWcs } from '@skystack/wcs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runObsSim } from '../src/cli/program.js';
import {
  makeSimCamDetectors,
  makeSimRepo,
  obsSimImportModule,
  simulate,
  TrueWcs,
  type DefectsDocument,
  type ExposureTruth,
  type MakeSimRepoResult,
  type SimulationManifest,
} from '../src/index.js';

let sim = '';
let repo = '';
let manifest: SimulationManifest;
let truth: ExposureTruth[];
let made: MakeSimRepoResult;
let butler: Butler;
const quiet = { stdout: { write: (): boolean => true }, stderr: { write: (): boolean => true } };

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'obs-sim-repo-'));
  sim = join(dir, 'sim');
  repo = join(dir, 'repo');
  manifest = await simulate({ out: sim, size: 'small', seed: 1 });
  truth = JSON.parse(readFileSync(join(sim, 'truth/exposures.json'), 'utf8')) as ExposureTruth[];
  made = await makeSimRepo({ simDir: sim, repo });
  butler = await Butler.from(repo, { collections: 'SimCam/defaults', importModule: obsSimImportModule });
}, 120000);

afterAll(async () => {
  await butler?.close();
  if (sim !== '') rmSync(join(sim, '..'), { recursive: true, force: true });
});

const dataIdOf = (t: ExposureTruth): { instrument: string; exposure: number; detector: number } => ({ instrument: 'SimCam', exposure: t.exposureId, detector: t.detector });

describe('makeSimRepo (small preset)', () => {
  it('ran the butler commands a user runs', () => {
    const names = made.steps.map((s) => s.argv[0]);
    for (const c of ['create', 'register-instrument', 'write-curated-calibrations', 'ingest-raws', 'define-visits', 'register-dataset-type', 'ingest-files', 'certify-calibrations', 'collection-chain']) {
      expect(names).toContain(c);
    }
    expect(made.steps.every((s) => !s.skipped)).toBe(true);
    expect(made.instrumentClass).toBe('@skystack/obs-sim#SimCamSmall');
  });

  it('has the LSST collections', async () => {
    const reg = butler.registry;
    expect(await reg.getCollectionChain('SimCam/defaults')).toEqual(['SimCam/raw/all', 'SimCam/calib', 'refcats']);
    expect(await reg.getCollectionChain('refcats')).toEqual(['refcats/sim']);
    const raws = await reg.queryDatasets('raw', { collections: ['SimCam/raw/all'] }).toArray();
    expect(raws).toHaveLength(manifest.raws.length);
  });

  it('gives the raw: untrimmed pixels equal to the file (astropy), VisitInfo of the truth', async () => {
    for (const t of truth) {
      const raw = (await butler.get('raw', dataIdOf(t))) as Exposure<Float32Array>;
      expect([raw.getWidth(), raw.getHeight()]).toEqual([2 * (32 + 256 + 64), 512]);
      if (astropyAvailable()) {
        const py = runPythonJson<{ sum: number; wsum: number; w: number; h: number }>(
          String.raw`
import sys, json
import numpy as np
from astropy.io import fits
d = fits.getdata(sys.argv[1], 'IMAGE').astype(np.float64)
h, w = d.shape
idx = np.arange(d.size, dtype=np.float64).reshape(d.shape)
print(json.dumps({'sum': float(d.sum()), 'wsum': float((d * (idx % 9973)).sum()), 'w': w, 'h': h}))
`,
          [join(sim, t.raw)],
        );
        const a = raw.image.array.data;
        let sum = 0;
        let wsum = 0;
        for (let i = 0; i < a.length; i++) {
          sum += a[i]!;
          wsum += a[i]! * (i % 9973);
        }
        expect([raw.getWidth(), raw.getHeight()]).toEqual([py.w, py.h]);
        expect(sum).toBe(py.sum);
        expect(wsum).toBe(py.wsum);
      }
      const vi = raw.getVisitInfo() as VisitInfo;
      expect(vi.exposureTime).toBe(t.exposureTime);
      // VisitInfo's date is the middle of the exposure (TAI).
      expect(Math.abs(vi.date!.getMjd('TAI') - (t.mjdTai + t.exposureTime / 2 / 86400)) * 86400).toBeLessThan(1e-3);
      expect(vi.boresightRaDec!.separation(SpherePoint.fromDegrees(t.boresightRaDeg, t.boresightDecDeg)).asArcseconds()).toBeLessThan(1);
      expect(vi.boresightAirmass).toBeCloseTo(t.airmass, 6);
      expect(raw.getFilter()?.physicalLabel).toBe(t.physicalFilter);
      expect(raw.getDetector()?.name).toBe(t.detectorName);
    }
  });

  it('gives a raw WCS that matches the true WCS to < 10 µas with the fitted SIP, while TAN alone is off by the distortion', async () => {
    // Bound: the camera's radial polynomial reproduces the simulator's distortion to 1e-10 mm
    // (2 µas), so the only other error is createInitialSkyWcs's order-4 SIP fit of the order-5
    // radial distortion over the detector: the whole r⁵ term is s·k2·r⁵ ≈ 0.1 mas at the far corner
    // of these detectors (r ≈ 7.6 mm) and the fit absorbs all but a small part of it → < 10 µas.
    // A TAN-only WCS misses the whole distortion, s·k1·r³ ≈ 32 mas there (1.9″ at 29 mm).
    const dets = makeSimCamDetectors({ size: 512 });
    const undistorted = new Camera({ name: 'SimCam', detectors: dets, plateScaleArcsecPerMm: 20 });
    for (const t of truth) {
      const wcs = (await butler.get('raw.wcs', dataIdOf(t))) as SkyWcs;
      const det = dets.find((d) => d.id === t.detector)!;
      const tw = new TrueWcs(det, { boresight: SpherePoint.fromDegrees(t.boresightRaDeg, t.boresightDecDeg), rotPA: Angle.fromDegrees(t.rotPADeg) });
      let worst = 0;
      let worstTan = 0;
      const boresight = SpherePoint.fromDegrees(t.boresightRaDeg, t.boresightDecDeg);
      const tan = createInitialSkyWcsFromBoresight(boresight, Angle.fromDegrees(t.rotPADeg), det, undistorted);
      for (const x of [-0.5, 255.5, 511.5]) {
        for (const y of [-0.5, 255.5, 511.5]) {
          const [ra, dec] = tw.pixelToSky(x, y);
          const truthSky = new SpherePoint(Angle.fromRadians(ra), Angle.fromRadians(dec));
          worst = Math.max(worst, wcs.pixelToSky(x, y).separation(truthSky).asArcseconds() * 1000);
          worstTan = Math.max(worstTan, tan.pixelToSky(x, y).separation(truthSky).asArcseconds() * 1000);
        }
      }
      expect(worst).toBeLessThan(0.01);
      expect(worstTan).toBeGreaterThan(25);
    }
  });

  it('defines visits whose regions contain the true positions of all their sources', async () => {
    const cat = await readParquet(join(sim, 'truth/truth_catalog.parquet'), { columns: ['id', 'ra', 'dec'] });
    const ids = cat.getChild('id')!.toArray() as BigInt64Array;
    const ra = cat.getChild('ra')!.toArray() as Float64Array;
    const dec = cat.getChild('dec')!.toArray() as Float64Array;
    const row = new Map<bigint, number>();
    ids.forEach((v, i) => row.set(v, i));
    const regions = await butler.registry.queryDimensionRecords('visit_detector_region', { dataId: { instrument: 'SimCam' } }).toArray();
    const visits = await butler.registry.queryDimensionRecords('visit', { dataId: { instrument: 'SimCam' } }).toArray();
    expect(visits.map((v: DimensionRecord) => v.get('id')).sort()).toEqual([...manifest.exposures].sort());
    for (const t of truth) {
      const region = regions.find((r: DimensionRecord) => r.get('visit') === t.exposureId && r.get('detector') === t.detector)!.region as Region;
      const visitRegion = visits.find((v: DimensionRecord) => v.get('id') === t.exposureId)!.region as Region;
      const src = await readParquet(join(sim, t.sources), { columns: ['id'] });
      const sid = src.getChild('id')!.toArray() as BigInt64Array;
      expect(sid.length).toBeGreaterThan(10);
      for (const id of sid) {
        const i = row.get(id)!;
        expect(region.containsLonLat(Angle.fromDegrees(ra[i]!), Angle.fromDegrees(dec[i]!))).toBe(true);
        expect(visitRegion.containsLonLat(Angle.fromDegrees(ra[i]!), Angle.fromDegrees(dec[i]!))).toBe(true);
      }
    }
  });

  it('finds the certified masters through SimCam/calib for the exposure', async () => {
    const t = truth[0]!;
    for (const [type, file] of [
      ['bias', `calib/bias/SimCam_bias_det0${t.detector}.fits`],
      ['dark', `calib/dark/SimCam_dark_det0${t.detector}.fits`],
      ['flat', `calib/flat/SimCam_flat_${t.physicalFilter}_det0${t.detector}.fits`],
    ] as const) {
      const master = (await butler.get(type, { ...dataIdOf(t), ...(type === 'flat' ? { physical_filter: t.physicalFilter } : {}) }, { collections: 'SimCam/calib' })) as Exposure<Float32Array>;
      expect([master.getWidth(), master.getHeight()]).toEqual([512, 512]);
      if (astropyAvailable()) {
        const py = runPythonJson<{ sum: number; first: number[] }>(
          String.raw`
import sys, json
import numpy as np
from astropy.io import fits
d = fits.getdata(sys.argv[1], 'IMAGE').astype(np.float64)
print(json.dumps({'sum': float(d.sum()), 'first': [float(v) for v in d[0, :5]]}))
`,
          [join(sim, file)],
        );
        const a = master.image.array.data;
        expect(Array.from(a.subarray(0, 5))).toEqual(py.first);
        let s = 0;
        for (const v of a) s += v;
        expect(s).toBeCloseTo(py.sum, 6);
      }
    }
    // The calibration collection alone, without an exposure to give a time, cannot choose.
    await expect(butler.get('bias', { instrument: 'SimCam', detector: 0 }, { collections: 'SimCam/calib' })).rejects.toThrow();
  });

  it('has the curated defects (the simulator\'s bad columns) and camera', async () => {
    for (const det of manifest.detectors) {
      const doc = JSON.parse(readFileSync(join(sim, `calib/defects/SimCam_defects_det0${det}.json`), 'utf8')) as DefectsDocument;
      const defects = (await butler.get('defects', { instrument: 'SimCam', detector: det, exposure: truth[0]!.exposureId }, { collections: 'SimCam/calib' })) as Defects;
      const got = defects.boxes.map((b) => [b.minX, b.minY, b.width, b.height]).sort((p, q) => p[0]! - q[0]!);
      const want = doc.defects.map((d) => [d.x0, d.y0, d.width, d.height]).sort((p, q) => p[0]! - q[0]!);
      expect(got).toEqual(want);
    }
    const camera = (await butler.get('camera', { instrument: 'SimCam', exposure: truth[0]!.exposureId }, { collections: 'SimCam/calib' })) as Camera;
    expect(camera).toBeInstanceOf(Camera);
    expect(camera.getNameIter()).toEqual(['S00', 'S01', 'S10', 'S11']);
    expect(camera.get(0).bbox.getWidth()).toBe(512);
  });

  it('answers refcat and spatial registry queries', async () => {
    const htm = new HtmPixelization(7);
    const shards = await butler.registry.queryDatasets('sim_refcat', { collections: ['refcats'] }).toArray();
    expect(shards).toHaveLength(manifest.refcat.shards);
    let total = 0;
    for (const ref of shards) {
      const id = Number(ref.dataId.get('htm7'));
      const one = await butler.registry.queryDatasets('sim_refcat', { collections: ['refcats'], where: `htm7 = ${id}` }).toArray();
      expect(one).toHaveLength(1);
      const cat = (await butler.get(one[0]!)) as SimpleCatalog;
      expect(cat).toBeInstanceOf(SimpleCatalog);
      for (const r of cat) {
        expect(htm.index(r.getCoord().getVector())).toBe(id);
        total += 1;
      }
    }
    expect(total).toBe(manifest.refcat.count);
    const t = truth[0]!;
    const inside = await butler.registry.queryDataIds(['visit'], { where: `instrument = 'SimCam' AND visit.region OVERLAPS POINT(${t.boresightRaDeg}, ${t.boresightDecDeg})` }).toArray();
    expect(inside.map((d) => d.get('visit')).sort()).toEqual([...manifest.exposures].sort());
    const outside = await butler.registry.queryDataIds(['visit'], { where: `instrument = 'SimCam' AND visit.region OVERLAPS POINT(${t.boresightRaDeg + 1}, ${t.boresightDecDeg})` }).toArray();
    expect(outside).toHaveLength(0);
  });

  it('changes nothing when run again (obs-sim make-repo)', async () => {
    const snapshot = async (): Promise<string> => {
      const b = await Butler.from(repo, { importModule: obsSimImportModule });
      try {
        const reg = b.registry;
        const out: string[] = [];
        for (const c of await reg.queryCollections(['*'])) out.push(`collection ${c} ${await reg.getCollectionType(c)}`);
        for (const dt of await reg.queryDatasetTypes(['*'])) {
          const refs = await reg.queryDatasets(dt.name, { collections: ['*'] }).toArray();
          for (const r of refs) out.push(`dataset ${dt.name} ${r.run} ${r.id} ${String(r.dataId)}`);
          if (dt.isCalibration) for (const a of await reg.queryDatasetAssociations(dt.name, { collections: 'SimCam/calib' })) out.push(`cert ${dt.name} ${a.ref.id} ${String(a.timespan)}`);
        }
        for (const el of ['exposure', 'visit', 'visit_detector_region', 'visit_definition', 'detector', 'physical_filter']) {
          for (const r of await reg.queryDimensionRecords(el, { dataId: { instrument: 'SimCam' } }).toArray()) out.push(`${el} ${Object.entries(r.toDict()).map(([k, v]) => `${k}=${v instanceof Region ? regionToHex(v) : String(v)}`).join(' ')}`);
        }
        return out.sort().join('\n');
      } finally {
        await b.close();
      }
    };
    const before = await snapshot();
    expect(before).toContain('cert bias');
    const lines: string[] = [];
    expect(await runObsSim(['make-repo', '--sim', sim, '--repo', repo], { stdout: { write: (t: string) => lines.push(t) }, stderr: quiet.stderr })).toBe(0);
    expect(lines.join('')).toMatch(/ingest-files .* # skipped/);
    expect(await snapshot()).toBe(before);
  });

  it('refuses a directory that is not a simulation', async () => {
    const errs: string[] = [];
    expect(await runObsSim(['make-repo', '--sim', join(sim, 'raw'), '--repo', join(sim, '..', 'nope')], { stdout: quiet.stdout, stderr: { write: (t: string) => errs.push(t) } })).toBe(1);
    expect(errs.join('')).toMatch(/no manifest\.json/);
    expect(await runObsSim(['make-repo', '--sim', sim], quiet)).toBe(2);
  });
});
