// Visit selection by seeing: FWHMs computed by hand from psfSigma × pixelScale × 2.3548, the
// overlap from detector corners placed on or off the patch, the quantile bounds as numpy rounds.
import { DateTime, ExposureCatalog, VisitInfo } from '@skystack/afw-image';
import { Angle, Point2D, SpherePoint } from '@skystack/geom';
import { NoWorkFound } from '@skystack/pipe-base';
import { DiscreteSkyMap, makeDiscreteSkyMapConfig } from '@skystack/skymap';
import { makeCdMatrix, makeSkyWcs } from '@skystack/wcs';
import { describe, expect, it } from 'vitest';
import { ExposureSummaryStats } from '../postprocess/exposure-summary-stats.js';
import { filterWarps } from './assemble-coadd-task.js';
import { BestSeeingQuantileSelectVisitsConfig, BestSeeingQuantileSelectVisitsTask, BestSeeingSelectVisitsConfig, BestSeeingSelectVisitsTask, type VisitSummaryHandle } from './select-images.js';

const SKYMAP = new DiscreteSkyMap(
  makeDiscreteSkyMapConfig({ raList: [150], decList: [2], radiusList: [0.05], projection: 'TAN', pixelScale: 0.2, tractOverlap: 0, patchInnerDimensions: [400, 400], patchBorder: 20 }),
);
const TRACT = SKYMAP.get(0);
const PATCH = TRACT.getSequentialPatchIndex(TRACT.findPatch(TRACT.getCtrCoord()));
const DATA_ID = { tract: 0, patch: PATCH };
const WCS = makeSkyWcs(new Point2D(0, 0), SpherePoint.fromDegrees(150, 2), makeCdMatrix(Angle.fromArcseconds(0.2)));

/**
 * A visit summary of two detectors with the given PSF σ (pixels) at 0.2″/px, whose corners are a
 * 0.02° square at `(ra, dec)` (on the patch at the tract centre, or far from it).
 */
function summary(visit: number, sigmas: readonly number[], ra = 150, dec = 2, mjd = 60000 + visit): VisitSummaryHandle {
  const schema = ExposureCatalog.makeMinimalSchema();
  ExposureSummaryStats.updateSchema(schema);
  const cat = new ExposureCatalog(schema);
  for (const [d, sigma] of sigmas.entries()) {
    const stats = new ExposureSummaryStats();
    stats.psfSigma = sigma;
    stats.pixelScale = 0.2;
    stats.raCorners = [ra - 0.01, ra + 0.01, ra + 0.01, ra - 0.01];
    stats.decCorners = [dec - 0.01, dec - 0.01, dec + 0.01, dec + 0.01];
    stats.effTime = 10 + visit;
    const rec = cat.addNew();
    rec.setId(visit * 100 + d);
    stats.updateRecord(rec);
    rec.setComponent('wcs', WCS);
    rec.setComponent('visitInfo', new VisitInfo({ exposureTime: 30, date: DateTime.fromMjd(mjd) }));
  }
  return { visit, get: () => Promise.resolve(cat) };
}

const FWHM = (sigmaPx: number): number => sigmaPx * 0.2 * 2.354820045;

describe('BestSeeingSelectVisitsTask', () => {
  it('keeps the visits within the FWHM range that overlap the patch, best seeing first, at most nVisitsMax', async () => {
    // FWHMs: 1 → 0.94″ (mean of 2.0, 2.0 px), 2 → 1.18″, 3 → 1.65″ (> 1.5), 4 → 0.71″ but off the patch, 5 → 0.85″
    const visits = [summary(1, [2.0, 2.0]), summary(2, [2.4, 2.6]), summary(3, [3.5, 3.5]), summary(4, [1.5, 1.5], 151, 3), summary(5, [1.8, 1.8])];
    expect(FWHM(3.5)).toBeGreaterThan(1.5);
    const task = new BestSeeingSelectVisitsTask();
    const { goodVisits } = (await task.run({ visitSummaries: visits, skyMap: SKYMAP, dataId: DATA_ID })).getDict();
    // (a plain object orders integer keys below 2³² numerically; the selection is used as a set)
    expect(Object.keys(goodVisits)).toEqual(['1', '2', '5']);
    const config = new BestSeeingSelectVisitsConfig();
    config.nVisitsMax = 2;
    config.maxPsfFwhm = 2.0;
    config.doConfirmOverlap = false;
    const two = (await new BestSeeingSelectVisitsTask({ config }).run({ visitSummaries: visits, skyMap: SKYMAP, dataId: DATA_ID })).getDict();
    expect(Object.keys(two.goodVisits)).toEqual(['4', '5']); // the two best of all five
  });

  it('applies the MJD range and visitSummaryMinValues, and raises NoWorkFound when nothing is left', async () => {
    const visits = [summary(1, [2.0]), summary(2, [2.1]), summary(3, [2.2])];
    const config = new BestSeeingSelectVisitsConfig();
    config.minMJD = 60001.5;
    config.visitSummaryMinValues = { effTime: 12.5 };
    const { goodVisits } = (await new BestSeeingSelectVisitsTask({ config }).run({ visitSummaries: visits, skyMap: SKYMAP, dataId: DATA_ID })).getDict();
    expect(Object.keys(goodVisits)).toEqual(['3']);
    const narrow = new BestSeeingSelectVisitsConfig();
    narrow.maxPsfFwhm = 0.5;
    await expect(new BestSeeingSelectVisitsTask({ config: narrow }).run({ visitSummaries: visits, skyMap: SKYMAP, dataId: DATA_ID })).rejects.toThrow(NoWorkFound);
  });
});

describe('BestSeeingQuantileSelectVisitsTask', () => {
  it('keeps the visits from round(qMin N) to max(round(qMax N), nVisitsMin) by median psfSigma', async () => {
    const visits = Array.from({ length: 9 }, (_, i) => summary(10 + i, [3 - 0.1 * i, 3 - 0.1 * i, 9]));
    const config = new BestSeeingQuantileSelectVisitsConfig();
    config.nVisitsMin = 2;
    // 9 visits: qMax 0.33 → round(2.97) = 3 best (visits 18, 17, 16)
    let res = (await new BestSeeingQuantileSelectVisitsTask({ config }).run({ visitSummaries: visits, skyMap: SKYMAP, dataId: DATA_ID })).getDict();
    expect(Object.keys(res.goodVisits)).toEqual(['16', '17', '18']);
    // qMin 0.5, qMax 0.99 on 9 (a RangeField excludes its max, 1, as LSST's): round(4.5) = 4
    // (numpy rounds halves to even) to round(8.91) = 9 → the 5 worst
    const worst = new BestSeeingQuantileSelectVisitsConfig();
    worst.nVisitsMin = 2;
    worst.qMin = 0.5;
    worst.qMax = 0.99;
    res = (await new BestSeeingQuantileSelectVisitsTask({ config: worst }).run({ visitSummaries: visits, skyMap: SKYMAP, dataId: DATA_ID })).getDict();
    expect(Object.keys(res.goodVisits)).toEqual(['10', '11', '12', '13', '14']);
  });
});

describe('filterWarps', () => {
  it('keeps the warps of the selected visits', () => {
    const ref = (visit: number) => ({ dataId: { get: (k: string) => (k === 'visit' ? visit : undefined) } }) as never;
    expect(filterWarps([ref(1), ref(2), ref(3)], { 3: true, 1: true, 7: true })).toEqual([0, 2]);
  });
});
