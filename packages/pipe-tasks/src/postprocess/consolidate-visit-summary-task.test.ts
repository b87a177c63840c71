// ConsolidateVisitSummaryTask: one record per detector, sorted, with LSST's columns and
// components; written as an afw exposure table that astropy reads with the same values; the
// component-only path reads no pixels.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime, Exposure, ExposureCatalog, FilterLabel, GaussianPsf, Observatory, PhotoCalib, VisitInfo } from '@skystack/afw-image';
import type { DatasetRef } from '@skystack/daf-butler';
import { Angle, Box2I, Extent2I, Point2D, Point2I, SpherePoint } from '@skystack/geom';
import { DeferredDatasetRef, type QuantumContext } from '@skystack/pipe-base';
import { runPythonJson } from '@skystack/test-support';
import { makeCdMatrix, makeSkyWcs, type SkyWcs } from '@skystack/wcs';
import { afterAll, describe, expect, it } from 'vitest';
import { PipeTasksInvalidArgumentError } from '../errors.js';
import { ConsolidateVisitSummaryConfig, ConsolidateVisitSummaryConnections, ConsolidateVisitSummaryTask } from './consolidate-visit-summary-task.js';
import { EXPOSURE_SUMMARY_FIELDS } from './exposure-summary-stats.js';

const VISIT = 4201;
const VISIT_INFO = new VisitInfo({
  exposureTime: 30,
  date: DateTime.fromMjd(59000.2, 'UTC'),
  observatory: new Observatory(Angle.fromDegrees(-70.749417), Angle.fromDegrees(-30.244633), 2663),
  boresightRaDec: SpherePoint.fromDegrees(150, -30),
});
const FILTER = new FilterLabel({ band: 'g', physical: 'SimCam-g' });

/** Detector d: 100x80 pixels at xy0 (0, 0), PSF σ = 1 + d/10, calib 0.1·d, WCS 100 pixels further east per detector. */
function makeCalexp(detector: number): Exposure<Float32Array> {
  const exp = Exposure.make('float32', Box2I.fromCorner(new Point2I(0, 0), new Extent2I(100, 80)));
  exp.variance.array.data.fill(4);
  exp.setPsf(new GaussianPsf(25, 25, 1 + detector / 10));
  exp.setWcs(makeSkyWcs(new Point2D(-100 * detector, 40), SpherePoint.fromDegrees(150, -30), makeCdMatrix(Angle.fromArcseconds(0.2))));
  exp.setPhotoCalib(new PhotoCalib(0.1 * detector));
  exp.setVisitInfo(VISIT_INFO);
  exp.setFilter(FILTER);
  return exp;
}

const DETECTORS = [5, 1, 3];
const CALEXPS = new Map(DETECTORS.map((d) => [d, makeCalexp(d)]));

describe('ConsolidateVisitSummaryTask.run', () => {
  const task = new ConsolidateVisitSummaryTask();
  const { visitSummary } = task.run({ visit: VISIT, detectors: DETECTORS.map((d) => ({ detector: d, exposure: CALEXPS.get(d)! })) }).getDict();
  const dir = mkdtempSync(join(tmpdir(), 'visit-summary-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has LSST’s schema: the exposure table fields, visit, physical_filter, band, then the statistics', () => {
    const names = task.schema.getNames();
    expect(names.slice(0, 8)).toEqual(['id', 'bbox_min_x', 'bbox_min_y', 'bbox_max_x', 'bbox_max_y', 'visit', 'physical_filter', 'band']);
    expect(names.slice(8)).toEqual(EXPOSURE_SUMMARY_FIELDS.map((f) => f.name));
    expect(task.visitSummarySchema.length).toBe(0);
  });

  it('has one record per detector, sorted by detector, with the box, filter, visit and components', () => {
    expect(visitSummary.length).toBe(3);
    expect([...visitSummary].map((r) => Number(r.getId()))).toEqual([1, 3, 5]);
    for (const r of visitSummary) {
      const d = Number(r.getId());
      const calexp = CALEXPS.get(d)!;
      expect(r.getBBox().equals(calexp.getBBox())).toBe(true);
      expect(r.get('visit')).toBe(BigInt(VISIT));
      expect(r.get('band')).toBe('g');
      expect(r.get('physical_filter')).toBe('SimCam-g');
      expect(r.getWcs()).toBe(calexp.getWcs());
      expect(r.getPhotoCalib()).toBe(calexp.getPhotoCalib());
      expect(r.getVisitInfo()).toBe(VISIT_INFO);
      // LSST leaves the PSF, aperture corrections and detector out of the visit summary
      expect(r.getPsf()).toBeNull();
      // analytic: Gaussian σ, AB zero point of one count
      expect(r.getNumber('psfSigma')).toBeCloseTo(1 + d / 10, 5);
      expect(r.getNumber('zeroPoint')).toBeCloseTo(31.4 - 2.5 * Math.log10(0.1 * d), 5);
      expect(r.getNumber('expTime')).toBe(30);
      expect(r.getNumber('meanVar')).toBeCloseTo(4, 5);
    }
    expect(visitSummary.getMetadata().getComments()).toEqual(['Catalog id is detector id, sorted.', 'Only detectors with data have entries.']);
  });

  it('writes an afw exposure table that astropy reads with the same values, and that reads back with its components', async () => {
    const path = join(dir, 'visitSummary.fits');
    await visitSummary.writeFits(path);
    const py = runPythonJson<{ id: number[]; visit: number[]; band: string[]; psfSigma: number[]; raCorners: number[][]; expTableVer: number }>(
      String.raw`
import sys, json, warnings
warnings.simplefilter('ignore')
from astropy.table import Table
from astropy.io import fits
t = Table.read(sys.argv[1], hdu=1)
h = fits.getheader(sys.argv[1], 1)
print(json.dumps(dict(id=[int(v) for v in t['id']], visit=[int(v) for v in t['visit']], band=[str(v) for v in t['band']],
  psfSigma=[float(v) for v in t['psfSigma']], raCorners=[[float(x) for x in row] for row in t['raCorners']], expTableVer=int(h['EXPTABLE_VER']))))
`,
      [path],
    );
    expect(py.id).toEqual([1, 3, 5]);
    expect(py.visit).toEqual([VISIT, VISIT, VISIT]);
    expect(py.band).toEqual(['g', 'g', 'g']);
    py.psfSigma.forEach((s, i) => expect(s).toBeCloseTo(1 + [1, 3, 5][i]! / 10, 5));
    expect(py.expTableVer).toBe(5);
    const raCorners = visitSummary.getColumn('raCorners') as Float64Array;
    py.raCorners.forEach((row, i) => row.forEach((v, k) => expect(v).toBe(raCorners[i * 4 + k])));

    const back = await ExposureCatalog.readFits(path);
    expect(back.length).toBe(3);
    const wcs = back.get(2).getWcs() as SkyWcs;
    const want = CALEXPS.get(5)!.getWcs()!.pixelToSky(new Point2D(50, 30));
    expect(wcs.pixelToSky(new Point2D(50, 30)).separation(want).asArcseconds()).toBeLessThan(1e-6);
    expect(back.get(0).getPhotoCalib()!.getCalibrationMean()).toBeCloseTo(0.1, 12);
    expect(back.get(1).getVisitInfo()!.getExposureTime()).toBe(30);
  });

  it('refuses no detectors and a detector given twice', () => {
    expect(() => task.run({ visit: VISIT, detectors: [] })).toThrow(PipeTasksInvalidArgumentError);
    expect(() => task.run({ visit: VISIT, detectors: [1, 1].map((d) => ({ detector: d, exposure: CALEXPS.get(d)! })) })).toThrow(/given twice/);
  });
});

describe('ConsolidateVisitSummaryTask.runQuantum', () => {
  const refOf = (detector: number): DeferredDatasetRef =>
    new DeferredDatasetRef({ dataId: { get: (k: string) => ({ detector, visit: VISIT, instrument: 'SimCam' })[k] } } as unknown as DatasetRef);

  async function runQuantum(config: ConsolidateVisitSummaryConfig): Promise<{ summary: ExposureCatalog; fullReads: number[]; components: Set<string> }> {
    const fullReads: number[] = [];
    const components = new Set<string>();
    const handleOf = (detector: number): unknown => ({
      get: (o: { component?: string } = {}) => {
        const e = CALEXPS.get(detector)!;
        if (o.component === undefined) {
          fullReads.push(detector);
          return Promise.resolve(e);
        }
        components.add(o.component);
        const c: Record<string, unknown> = {
          bbox: e.getBBox(),
          wcs: e.getWcs(),
          psf: e.getPsf(),
          photoCalib: e.getPhotoCalib(),
          visitInfo: e.getVisitInfo(),
          filter: e.getFilter(),
          validPolygon: null,
        };
        return Promise.resolve(c[o.component]);
      },
    });
    let summary: ExposureCatalog | undefined;
    const butlerQC = {
      get: (refs: Record<string, DeferredDatasetRef[] | undefined>) =>
        Promise.resolve(Object.fromEntries(Object.entries(refs).map(([k, v]) => [k, (v ?? []).map((r) => (k === 'calexp' ? handleOf(Number(r.datasetRef.dataId.get('detector'))) : { get: () => Promise.resolve(null) }))]))),
      put: (outputs: { getDict(): Record<string, unknown> }) => {
        summary = outputs.getDict()['visitSummary'] as ExposureCatalog;
        return Promise.resolve();
      },
      quantum: { dataId: { get: (k: string) => ({ visit: VISIT, instrument: 'SimCam' })[k] } },
    } as unknown as QuantumContext;
    const task = new ConsolidateVisitSummaryTask({ config });
    const inputRefs: Record<string, DeferredDatasetRef[]> = { calexp: [refOf(5), refOf(1), refOf(3)] };
    if (config.doComputeSummaryStats) Object.assign(inputRefs, { sources: [refOf(1), refOf(3), refOf(5)], background: [refOf(3), refOf(5), refOf(1)] });
    await task.runQuantum(butlerQC, inputRefs, { visitSummary: refOf(0).datasetRef });
    return { summary: summary!, fullReads, components };
  }

  it('reads each calexp whole (in detector order) by default', async () => {
    const { summary, fullReads } = await runQuantum(new ConsolidateVisitSummaryConfig());
    expect(fullReads).toEqual([1, 3, 5]);
    expect([...summary].map((r) => Number(r.getId()))).toEqual([1, 3, 5]);
    expect(summary.get(0).getNumber('meanVar')).toBeCloseTo(4, 5);
  });

  it('with doPixelStats false reads only components: the same statistics, skyNoise and meanVar NaN', async () => {
    const config = new ConsolidateVisitSummaryConfig();
    config.doPixelStats = false;
    config.doComputeSummaryStats = false;
    const { summary, fullReads, components } = await runQuantum(config);
    expect(fullReads).toEqual([]);
    expect(components.has('bbox') && components.has('psf') && components.has('wcs')).toBe(true);
    for (const r of summary) {
      const d = Number(r.getId());
      expect(r.getNumber('psfSigma')).toBeCloseTo(1 + d / 10, 5);
      expect(r.getNumber('skyNoise')).toBeNaN();
      expect(r.getNumber('meanVar')).toBeNaN();
    }
  });

  it('has LSST’s connections, and drops src and calexpBackground without doComputeSummaryStats', () => {
    const config = new ConsolidateVisitSummaryConfig();
    const connections = new ConsolidateVisitSummaryConnections({ config });
    expect([...connections.inputs].sort()).toEqual(['background', 'calexp', 'sources']);
    expect(connections.get('calexp').name).toBe('calexp');
    expect(connections.get('background').name).toBe('calexpBackground');
    expect(connections.get('visitSummary').name).toBe('visitSummary');
    expect(connections.get('visitSummarySchema').name).toBe('visitSummary_schema');
    expect([...connections.dimensions].sort()).toEqual(['instrument', 'visit']);
    config.doComputeSummaryStats = false;
    expect([...new ConsolidateVisitSummaryConnections({ config }).inputs]).toEqual(['calexp']);
  });
});
