// MakeCcdVisitTableTask and MakeVisitTableTask: LSST's columns from visit summaries, checked
// against analytic values (FWHM of a Gaussian PSF, TAI = UTC + 37 s in 2020, half the exposure
// before the midpoint, 90° - altitude).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime, Exposure, FilterLabel, GaussianPsf, Observatory, PhotoCalib, VisitInfo } from '@skystack/afw-image';
import { Angle, Box2I, Extent2I, Point2D, Point2I, SpherePoint } from '@skystack/geom';
import { writeParquet } from '@skystack/parquet';
import { DuckDbOracle } from '@skystack/test-support/duckdb';
import { makeCdMatrix, makeSkyWcs } from '@skystack/wcs';
import type { Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { PipeTasksInvalidArgumentError } from '../errors.js';
import { ConsolidateVisitSummaryTask } from './consolidate-visit-summary-task.js';
import { MakeCcdVisitTableTask, MakeVisitTableTask } from './make-visit-table-tasks.js';

const MJD_UTC = 59000.2;
const LEAP_SECONDS_2020 = 37;

function visitInfo(visit: number): VisitInfo {
  return new VisitInfo({
    exposureTime: 30,
    darkTime: 31,
    date: DateTime.fromMjd(MJD_UTC + visit, 'UTC'),
    observatory: new Observatory(Angle.fromDegrees(-70.749417), Angle.fromDegrees(-30.244633), 2663),
    boresightRaDec: SpherePoint.fromDegrees(150 + visit, -30),
    boresightAzAlt: SpherePoint.fromDegrees(120, 50 + visit),
    boresightAirmass: 1.3,
    boresightRotAngle: Angle.fromDegrees(12 + visit),
  });
}

function summaryOf(visit: number, detectors: readonly number[], band: string) {
  const task = new ConsolidateVisitSummaryTask();
  const vi = visitInfo(visit);
  return task
    .run({
      visit,
      detectors: detectors.map((d) => {
        const exp = Exposure.make('float32', Box2I.fromCorner(new Point2I(0, 0), new Extent2I(100, 80)));
        exp.setPsf(new GaussianPsf(25, 25, 1 + d / 10));
        exp.setWcs(makeSkyWcs(new Point2D(-100 * d, 40), SpherePoint.fromDegrees(150, -30), makeCdMatrix(Angle.fromArcseconds(0.2))));
        exp.setPhotoCalib(new PhotoCalib(0.5));
        exp.setVisitInfo(vi);
        exp.setFilter(new FilterLabel({ band, physical: `SimCam-${band}` }));
        return { detector: d, exposure: exp };
      }),
    })
    .getDict().visitSummary;
}

const SUMMARIES = [summaryOf(1, [2, 0], 'r'), summaryOf(2, [0, 1, 2], 'g')];
const col = (t: Table, name: string): number[] => Array.from(t.getChild(name)!.toArray() as ArrayLike<number | bigint>, Number);

describe('MakeCcdVisitTableTask', () => {
  const { outputCatalog: t } = new MakeCcdVisitTableTask().run({ visitSummaries: SUMMARIES }).getDict();

  it('has one row per detector-visit with LSST’s columns', () => {
    expect(t.numRows).toBe(5);
    const names = t.schema.fields.map((f) => f.name);
    for (const n of ['detectorId', 'visitId', 'physical_filter', 'band', 'ra', 'dec', 'pixelScale', 'zenithDistance', 'expTime', 'zeroPoint', 'psfSigma', 'skyBg', 'skyNoise', 'nPsfStar', 'effTime', 'ccdVisitId', 'detector', 'seeing', 'skyRotation', 'expMidptMJD', 'obsStartMJD', 'darkTime', 'xSize', 'ySize', 'llcra', 'llcdec', 'ulcra', 'ulcdec', 'urcra', 'urcdec', 'lrcra', 'lrcdec']) {
      expect(names, n).toContain(n);
    }
    expect(col(t, 'visitId')).toEqual([1, 1, 2, 2, 2]);
    expect(col(t, 'detector')).toEqual([0, 2, 0, 1, 2]);
    expect(col(t, 'ccdVisitId')).toEqual([1000, 1002, 2000, 2001, 2002]);
    expect((t.getChild('band')!.toArray() as string[]).slice()).toEqual(['r', 'r', 'g', 'g', 'g']);
  });

  it('computes seeing = psfSigma · pixelScale · √(8 ln 2), the times and the sizes as LSST', () => {
    const detectors = col(t, 'detector');
    col(t, "seeing").forEach((s, i) => expect(Math.abs(s / ((1 + detectors[i]! / 10) * 0.2 * 2.354820045) - 1)).toBeLessThan(1e-5));
    const mid = col(t, 'expMidptMJD');
    const visits = col(t, 'visitId');
    mid.forEach((m, i) => expect((m - (MJD_UTC + visits[i]!)) * 86400).toBeCloseTo(LEAP_SECONDS_2020, 3));
    col(t, 'obsStartMJD').forEach((s, i) => expect((mid[i]! - s) * 86400).toBeCloseTo(15, 3));
    expect(col(t, 'skyRotation')).toEqual([13, 13, 14, 14, 14]);
    expect(col(t, 'darkTime')).toEqual([31, 31, 31, 31, 31]);
    expect(col(t, 'xSize')).toEqual([99, 99, 99, 99, 99]);
    expect(col(t, 'ySize')).toEqual([79, 79, 79, 79, 79]);
  });

  it('names the corners as LSST does: ll, ul, ur, lr for raCorners 0, 1, 2, 3', () => {
    const ra = SUMMARIES[0]!.getColumn('raCorners') as Float64Array;
    const dec = SUMMARIES[0]!.getColumn('decCorners') as Float64Array;
    (['ll', 'ul', 'ur', 'lr'] as const).forEach((name, k) => {
      expect(col(t, `${name}cra`)[0]).toBe(ra[k]);
      expect(col(t, `${name}cdec`)[1]).toBe(dec[4 + k]);
    });
    // raCorners[0] is the lower-left corner of the pixel edges: west of raCorners[1] (RA grows to the east = -x)
    expect(col(t, 'llcra')[0]).toBeGreaterThan(col(t, 'ulcra')[0]!);
  });

  it('is written as Parquet that DuckDB queries as the DP0 tutorials do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ccd-visit-table-'));
    const oracle = await DuckDbOracle.open();
    try {
      const path = join(dir, 'ccdVisitTable.parquet');
      await writeParquet(path, t);
      const rows = await oracle.rows(`SELECT ccdVisitId, visitId, detector, band, seeing, xSize FROM ${DuckDbOracle.sqlPath(path)} WHERE band = 'g' ORDER BY ccdVisitId`);
      expect(rows.map((r) => Number(r['ccdVisitId']))).toEqual([2000, 2001, 2002]);
      expect(rows.map((r) => Number(r['detector']))).toEqual([0, 1, 2]);
      rows.forEach((r, i) => expect(Number(r['seeing'])).toBeCloseTo((1 + i / 10) * 0.2 * 2.354820045, 5));
      expect(rows.every((r) => Number(r['xSize']) === 99)).toBe(true);
    } finally {
      oracle.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a set of empty summaries', () => {
    expect(() => new MakeCcdVisitTableTask().run({ visitSummaries: [] })).toThrow(PipeTasksInvalidArgumentError);
  });
});

describe('MakeVisitTableTask', () => {
  it('has one row per visit from the boresight: zenithDistance = 90° − altitude', () => {
    const { outputCatalog: t } = new MakeVisitTableTask().run({ visitSummaries: SUMMARIES }).getDict();
    expect(t.numRows).toBe(2);
    expect(col(t, 'visitId')).toEqual([1, 2]);
    expect(col(t, 'visit')).toEqual([1, 2]);
    expect(col(t, 'ra')).toEqual([151, 152]);
    expect(col(t, 'dec').map((d) => Math.round(d * 1e9) / 1e9)).toEqual([-30, -30]);
    expect(col(t, 'azimuth').map((a) => Math.round(a * 1e9) / 1e9)).toEqual([120, 120]);
    col(t, 'altitude').forEach((a, i) => expect(a).toBeCloseTo(51 + i, 9));
    col(t, 'zenithDistance').forEach((z, i) => expect(z).toBeCloseTo(39 - i, 9));
    expect(col(t, 'airmass')).toEqual([1.3, 1.3]);
    expect(col(t, 'expTime')).toEqual([30, 30]);
    expect((t.getChild('physical_filter')!.toArray() as string[]).slice()).toEqual(['SimCam-r', 'SimCam-g']);
  });
});
