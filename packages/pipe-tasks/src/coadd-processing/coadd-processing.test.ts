// Coadd processing on synthetic two-band coadds with known truth: stars drawn with the PSF
// (a Gaussian of σ = 2 px), galaxies drawn as wider Gaussians (σ = 4 px), analytic fluxes in nJy,
// a constant sky offset and Gaussian noise of known variance, on a patch of a DiscreteSkyMap.
// Expected values come from the truth used to draw the images, never from the code under test.
import { Exposure, FilterLabel, GaussianPsf, PhotoCalib } from '@skystack/afw-image';
import { Footprint, SourceCatalog } from '@skystack/afw-table';
import { BackgroundList } from '@skystack/meas-algorithms';
import { SpherePoint } from '@skystack/geom';
import type { QuantumContext } from '@skystack/pipe-base';
import { DiscreteSkyMap, makeDiscreteSkyMapConfig } from '@skystack/skymap';
import { readParquet, writeParquet } from '@skystack/parquet';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSkyInfo, type SkyInfo } from '../coadd/coadd-utils.js';
import { PipeTasksInvalidArgumentError } from '../errors.js';
import { DetectCoaddSourcesConfig, DetectCoaddSourcesTask } from './detect-coadd-sources-task.js';
import { ForcedPhotCoaddTask } from './forced-phot-coadd-task.js';
import { MeasureMergedCoaddSourcesTask } from './measure-merged-coadd-sources-task.js';
import { MergeDetectionsConfig, MergeDetectionsTask } from './merge-detections-task.js';
import { MergeMeasurementsConfig, MergeMeasurementsTask } from './merge-measurements-task.js';
import { ConsolidateObjectTableTask, TransformObjectCatalogConfig, TransformObjectCatalogTask, WriteObjectTableTask, objectColumnName } from './object-table-tasks.js';

const PSF_SIGMA = 2.0;
const GALAXY_SIGMA = 4.0;
const NOISE = 8.0; // nJy per pixel
const SKY = { g: 3.0, r: -2.0 } as const; // constant sky offsets left in the coadds (nJy)
const BANDS = ['g', 'r'] as const;
type Band = (typeof BANDS)[number];

interface TruthObject {
  readonly x: number;
  readonly y: number;
  readonly isStar: boolean;
  readonly flux: Readonly<Record<Band, number>>;
}

/** Seeded uniform and normal generators (mulberry32 + Box–Muller). */
function makeRandom(seed: number): { uniform: () => number; gauss: () => number } {
  let s = seed >>> 0;
  const uniform = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { uniform, gauss: () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()) };
}

const skyMap = new DiscreteSkyMap(
  makeDiscreteSkyMapConfig({ raList: [150.0], decList: [2.0], radiusList: [0.03], projection: 'TAN', pixelScale: 0.2, tractOverlap: 0, patchInnerDimensions: [300, 300], patchBorder: 24 }),
);
const skyInfo: SkyInfo = makeSkyInfo(skyMap, 0, [1, 1]);

/** The truth: stars and galaxies on a jittered grid inside the patch, one g-only star, two objects in the border. */
function makeTruth(): TruthObject[] {
  const rnd = makeRandom(7);
  const inner = skyInfo.patchInfo!.getInnerBBox();
  const out: TruthObject[] = [];
  const step = 50;
  let k = 0;
  for (let gy = 0; gy < 6; gy++) {
    for (let gx = 0; gx < 6; gx++) {
      const x = inner.getMinX() + 25 + gx * step + (rnd.uniform() - 0.5) * 10;
      const y = inner.getMinY() + 25 + gy * step + (rnd.uniform() - 0.5) * 10;
      const isStar = k % 2 === 0;
      const r = 4000 + 30000 * rnd.uniform();
      const gr = isStar ? 0.3 + 0.8 * rnd.uniform() : 0.6 + 0.6 * rnd.uniform(); // g - r colour
      const g = r * 10 ** (-0.4 * gr);
      out.push({ x, y, isStar, flux: { g, r } });
      k++;
    }
  }
  // the g-only star replaces the first grid object's neighbour slot: far from everything
  out[7] = { x: out[7]!.x, y: out[7]!.y, isStar: true, flux: { g: 20000, r: 0 } };
  // two stars in the patch border (not isPatchInner)
  const outer = skyInfo.bbox;
  out.push({ x: outer.getMinX() + 10, y: inner.getMinY() + 150, isStar: true, flux: { g: 15000, r: 20000 } });
  out.push({ x: inner.getMaxX() + 12, y: inner.getMinY() + 100, isStar: true, flux: { g: 15000, r: 20000 } });
  return out;
}

const TRUTH = makeTruth();
const G_ONLY = 7;

/** A coadd of one band: the truth drawn at pixel centres plus the sky offset and noise. */
function makeCoadd(band: Band, seed: number): Exposure<Float32Array> {
  const bbox = skyInfo.bbox;
  const exp = Exposure.make('float32', bbox);
  const im = exp.image.array;
  const x0 = bbox.getMinX();
  const y0 = bbox.getMinY();
  const rnd = makeRandom(seed);
  for (let y = 0; y < im.height; y++) for (let x = 0; x < im.width; x++) im.data[y * im.stride + x] = SKY[band] + NOISE * rnd.gauss();
  for (const o of TRUTH) {
    const s = o.isStar ? PSF_SIGMA : GALAXY_SIGMA;
    const norm = o.flux[band] / (2 * Math.PI * s * s);
    const r = Math.ceil(6 * s);
    for (let y = Math.max(0, Math.floor(o.y) - r - y0); y <= Math.min(im.height - 1, Math.floor(o.y) + r - y0); y++) {
      for (let x = Math.max(0, Math.floor(o.x) - r - x0); x <= Math.min(im.width - 1, Math.floor(o.x) + r - x0); x++) {
        const dx = x + x0 - o.x;
        const dy = y + y0 - o.y;
        im.data[y * im.stride + x] = im.data[y * im.stride + x]! + norm * Math.exp(-(dx * dx + dy * dy) / (2 * s * s));
      }
    }
  }
  exp.variance.array.data.fill(NOISE * NOISE);
  exp.setWcs(skyInfo.wcs);
  exp.setPsf(new GaussianPsf(25, 25, PSF_SIGMA));
  exp.setPhotoCalib(new PhotoCalib(1.0));
  exp.setFilter(FilterLabel.fromBandPhysical(band, `SIM-${band.toUpperCase()}`));
  exp.getMetadata().set('BUNIT', 'nJy');
  return exp;
}

function copyExposure(e: Exposure<Float32Array>): Float32Array {
  return Float32Array.from(e.image.array.data);
}

/** Index of the truth object nearest (x, y) within `maxDist` pixels, or -1. */
function nearestTruth(x: number, y: number, maxDist: number): number {
  let best = -1;
  let bestD = maxDist;
  TRUTH.forEach((o, i) => {
    const d = Math.hypot(o.x - x, o.y - y);
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  });
  return best;
}

// The pipeline, run once for all tests (each stage's test checks its own output).
const coadds = {} as Record<Band, Exposure<Float32Array>>;
const originals = {} as Record<Band, Float32Array>;
const detected = {} as Record<Band, { sources: SourceCatalog; backgrounds: BackgroundList; calexp: Exposure }>;
let mergeDet: SourceCatalog;
let mergeTask: MergeDetectionsTask;
const meas = {} as Record<Band, SourceCatalog>;
let ref: SourceCatalog;
const forced = {} as Record<Band, SourceCatalog>;
let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'coadd-processing-'));
  const detectTask = new DetectCoaddSourcesTask();
  BANDS.forEach((band, i) => {
    coadds[band] = makeCoadd(band, 100 + i);
    originals[band] = copyExposure(coadds[band]);
    const res = detectTask.run({ exposure: coadds[band], expId: 11 + i }).getDict();
    detected[band] = { sources: res.outputSources, backgrounds: res.outputBackgrounds, calexp: res.outputExposure };
  });
  const config = new MergeDetectionsConfig();
  config.priorityList = ['r', 'g'];
  mergeTask = new MergeDetectionsTask({ config, schema: detectTask.schema });
  mergeDet = mergeTask.run({ catalogs: { g: detected.g.sources, r: detected.r.sources }, skyInfo, skySeed: 5 }).getDict().outputCatalog;
  const measureTask = new MeasureMergedCoaddSourcesTask({ schema: mergeTask.schema });
  BANDS.forEach((band, i) => {
    meas[band] = measureTask.run({ exposure: detected[band].calexp, sources: mergeDet, skyInfo, exposureId: 21 + i }).getDict().outputSources;
  });
  const mmConfig = new MergeMeasurementsConfig();
  mmConfig.priorityList = ['r', 'g'];
  ref = new MergeMeasurementsTask({ config: mmConfig, schema: measureTask.schema }).run({ catalogs: meas }).getDict().mergedCatalog;
  const forcedTask = new ForcedPhotCoaddTask();
  BANDS.forEach((band, i) => {
    forced[band] = forcedTask.run({ exposure: detected[band].calexp, refCat: ref, refCatInBand: meas[band], exposureId: 31 + i }).getDict().measCat;
  });
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('DetectCoaddSourcesTask', () => {
  it('has LSST coadd detection defaults', () => {
    const c = new DetectCoaddSourcesConfig();
    expect(c.detection.thresholdType).toBe('pixel_stdev');
    expect(c.detection.isotropicGrow).toBe(true);
    expect(c.detection.reEstimateBackground).toBe(false);
    expect((c.detection.background as unknown as { binSize: number }).binSize).toBe(4096);
    expect(c.doScaleVariance).toBe(true);
    expect(new DetectCoaddSourcesTask().config.connections.outputSources).toBe('{outputCoaddName}Coadd_det');
  });

  it('deepCoadd_calexp + deepCoadd_calexp_background == deepCoadd to float precision', () => {
    for (const band of BANDS) {
      const { calexp, backgrounds } = detected[band];
      expect(backgrounds.length).toBeGreaterThan(0);
      const restored = calexp.maskedImage.clone();
      backgrounds.addTo(restored);
      const a = restored.image.array.data;
      const b = originals[band];
      const bg = backgrounds.getImage().array.data;
      // two float32 roundings (subtract, add back): at most one ulp of |coadd| + |background| each
      let worst = 0;
      for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / (2 ** -23 * (Math.abs(b[i]!) + Math.abs(bg[i]!))));
      expect(worst).toBeLessThanOrEqual(2);
    }
  });

  it('subtracts the constant sky offset, to within the noise of the sky objects', () => {
    for (const band of BANDS) {
      const bg = detected[band].backgrounds.getImage();
      // sky objects of radius 8 px: ~200 px each, ~hundreds of them: error well below 0.5 nJy
      expect(Math.abs(bg.array.data[0]! - SKY[band])).toBeLessThan(0.5);
    }
  });

  it('detects every truth object bright in the band (at most one noise detection), with the variance scale ~1', () => {
    for (const band of BANDS) {
      const { sources, calexp } = detected[band];
      // ScaleVarianceTask's pixel-based estimate, (0.74 IQR)² of image/√variance, over every
      // pixel not yet DETECTED: 0.9965 for pure noise; the 38 sources of this small patch cover
      // 5-7% of it and widen the IQR by up to (Φ⁻¹(0.75/0.93) − Φ⁻¹(0.25/0.93))² / 1.349² = 1.21.
      const scale = calexp.getMetadata().get('VARIANCE_SCALE') as number;
      expect(scale).toBeGreaterThan(0.98);
      expect(scale).toBeLessThan(1.21);
      expect(calexp.variance.array.data[0]).toBe(Math.fround(NOISE * NOISE * Math.fround(scale)));
      const found = new Set<number>();
      let spurious = 0;
      for (let i = 0; i < sources.length; i++) {
        const fp = sources.getFootprint(i)!;
        expect(fp.getPeaks().length).toBeGreaterThan(0);
        const p = fp.getPeaks().get(0);
        const t = nearestTruth(p.getFx(), p.getFy(), 2.5);
        if (t < 0) spurious++;
        else found.add(t);
      }
      // a 5-sigma threshold over ~2400 PSF areas allows a rare noise peak
      expect(spurious).toBeLessThanOrEqual(1);
      const expected = TRUTH.map((o, i) => [o, i] as const).filter(([o]) => o.flux[band] > 0);
      for (const [, i] of expected) expect(found.has(i), `truth object ${i} not detected in ${band}`).toBe(true);
      expect(found.size).toBe(expected.length);
    }
  });

  it('refuses a coadd without a PSF', () => {
    const e = Exposure.make('float32', skyInfo.bbox);
    expect(() => new DetectCoaddSourcesTask().run({ exposure: e })).toThrow(PipeTasksInvalidArgumentError);
  });
});

describe('MergeDetectionsTask', () => {
  it('has one entry per truth object, with the right band flags, plus sky objects', () => {
    const sky = mergeDet.getColumn('merge_footprint_sky') as Uint8Array;
    const fg = mergeDet.getColumn('merge_footprint_g') as Uint8Array;
    const fr = mergeDet.getColumn('merge_footprint_r') as Uint8Array;
    const seen = new Map<number, number>();
    let nSky = 0;
    let spurious = 0;
    for (let i = 0; i < mergeDet.length; i++) {
      const fp = mergeDet.getFootprint(i)!;
      if (sky[i]) {
        nSky++;
        expect(fg[i] || fr[i]).toBeFalsy();
        expect(fp.getPeaks().get(0).get('merge_peak_sky')).toBe(true);
        continue;
      }
      // peaks are sorted brightest first: the first is the object's
      const p = fp.getPeaks().get(0);
      const t = nearestTruth(p.getFx(), p.getFy(), 2.5);
      if (t < 0) {
        spurious++;
        continue;
      }
      seen.set(t, (seen.get(t) ?? 0) + 1);
      const inR = TRUTH[t]!.flux.r > 0;
      expect(Boolean(fr[i])).toBe(inR);
      expect(Boolean(fg[i])).toBe(true);
      expect(p.get('merge_peak_g')).toBe(true);
      expect(p.get('merge_peak_r')).toBe(inR);
    }
    expect(spurious).toBeLessThanOrEqual(2);
    expect(seen.size).toBe(TRUTH.length);
    for (const n of seen.values()) expect(n).toBe(1);
    expect(seen.has(G_ONLY)).toBe(true);
    expect(nSky).toBeGreaterThan(10);
    const ids = mergeDet.getColumn('id') as BigInt64Array;
    expect(new Set(ids).size).toBe(mergeDet.length);
  });

  it('adds a peak farther than minNewPeak and flags one nearer than maxSamePeak', () => {
    // two detection catalogs with one footprint each, peaks offset by 0.1 px and by 20 px
    const a = detected.r.sources;
    const i0 = 0;
    const fp = a.getFootprint(i0)!;
    const p = fp.getPeaks().get(0);
    const mk = (dx: number): SourceCatalog => {
      const cat = new SourceCatalog(a.schema);
      const r = cat.addNew();
      const f2 = new Footprint(fp.getSpans().union(fp.getSpans().shiftedBy(Math.round(dx), 0)));
      f2.addPeak(p.getFx() + dx, p.getFy(), 100);
      r.setFootprint(f2);
      return cat;
    };
    const config = new MergeDetectionsConfig();
    config.priorityList = ['r', 'g', 'i'];
    config.skyObjects.nSources = 0;
    const task = new MergeDetectionsTask({ config });
    const one = mk(0);
    const out = task.run({ catalogs: { r: one, g: mk(0.1), i: mk(20) }, skyInfo }).getDict().outputCatalog;
    expect(out.length).toBe(1);
    const peaks = out.getFootprint(0)!.getPeaks();
    expect(peaks.length).toBe(2);
    const flags = [0, 1].map((k) => [peaks.get(k).get('merge_peak_r'), peaks.get(k).get('merge_peak_g'), peaks.get(k).get('merge_peak_i')]);
    expect(flags).toContainEqual([true, true, false]);
    expect(flags).toContainEqual([false, false, true]);
  });

  it('culls faint peaks of large families detected in one band only', () => {
    const config = new MergeDetectionsConfig();
    config.priorityList = ['r'];
    config.cullPeaks.rankSufficient = 2;
    config.cullPeaks.rankConsidered = 3;
    const task = new MergeDetectionsTask({ config });
    const cat = new SourceCatalog(detected.r.sources.schema);
    const r = cat.addNew();
    const fp = detected.r.sources.getFootprint(0)!;
    const big = new Footprint(fp.getSpans());
    for (let k = 0; k < 6; k++) big.addPeak(fp.getPeaks().get(0).getFx() + k * 0.2, fp.getPeaks().get(0).getFy(), 100 - k);
    r.setFootprint(big);
    const out = task.run({ catalogs: { r: cat }, skyInfo }).getDict().outputCatalog;
    // ranks 0, 1 kept (rankSufficient), 2 kept (rank < 3 and < 0.7 × 6), 3..5 culled
    expect(out.getFootprint(0)!.getPeaks().length).toBe(3);
  });

  it('refuses an empty priorityList', () => {
    const config = new MergeDetectionsConfig();
    expect(() => config.validate()).toThrow(PipeTasksInvalidArgumentError);
  });
});

/** The primary sources of a catalog matched to the truth (first peak within 2.5 px): truth index → row. */
function primaryByTruth(cat: SourceCatalog): Map<number, number> {
  const primary = cat.getColumn('detect_isPrimary') as Uint8Array;
  const out = new Map<number, number>();
  for (let i = 0; i < cat.length; i++) {
    if (!primary[i]) continue;
    const r = cat.get(i);
    const t = nearestTruth(r.getX(), r.getY(), 2.5);
    if (t < 0) continue;
    expect(out.has(t), `truth object ${t} has two primary sources`).toBe(false);
    out.set(t, i);
  }
  return out;
}

/** Purity and completeness of 'extended' (value 1) against the truth galaxies. */
function separation(cat: SourceCatalog, column: string, byTruth: Map<number, number>): { purity: number; completeness: number; starsKept: number } {
  const value = cat.getColumn(column) as Float64Array;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let starsOk = 0;
  let stars = 0;
  for (const [t, i] of byTruth) {
    const ext = value[i] === 1;
    if (TRUTH[t]!.isStar) {
      stars++;
      if (!ext) starsOk++;
      else fp++;
    } else if (ext) tp++;
    else fn++;
  }
  return { purity: tp / (tp + fp), completeness: tp / (tp + fn), starsKept: starsOk / stars };
}

describe('MeasureMergedCoaddSourcesTask', () => {
  it('has one primary source per truth object in the patch interior, none for the border objects', () => {
    for (const band of BANDS) {
      const byTruth = primaryByTruth(meas[band]);
      const inner = skyInfo.patchInfo!.getInnerBBox();
      TRUTH.forEach((o, t) => {
        const inside = o.x >= inner.getMinX() - 0.5 && o.x <= inner.getMaxX() + 0.5 && o.y >= inner.getMinY() - 0.5 && o.y <= inner.getMaxY() + 0.5;
        expect(byTruth.has(t), `truth ${t} (${o.x.toFixed(1)}, ${o.y.toFixed(1)}) primary in ${band}`).toBe(inside);
      });
      // sky objects are never primary
      const sky = meas[band].getColumn('merge_footprint_sky') as Uint8Array;
      const primary = meas[band].getColumn('detect_isPrimary') as Uint8Array;
      for (let i = 0; i < meas[band].length; i++) if (sky[i]) expect(primary[i]).toBe(0);
    }
  });

  it('measures PSF fluxes of the stars within 5 sigma of the truth (nJy)', () => {
    for (const band of BANDS) {
      const byTruth = primaryByTruth(meas[band]);
      const flux = meas[band].getColumn('base_PsfFlux_instFlux') as Float64Array;
      const err = meas[band].getColumn('base_PsfFlux_instFluxErr') as Float64Array;
      let n = 0;
      for (const [t, i] of byTruth) {
        if (!TRUTH[t]!.isStar) continue;
        n++;
        const truth = TRUTH[t]!.flux[band];
        // noise-only error: sigma / sqrt(sum psf^2) = 8 * sqrt(4 pi) * 2 = 56.7 nJy
        expect(err[i]!).toBeGreaterThan(40);
        expect(err[i]!).toBeLessThan(80);
        expect(Math.abs(flux[i]! - truth), `star ${t} in ${band}: ${flux[i]} vs ${truth}`).toBeLessThan(5 * err[i]!);
      }
      expect(n).toBeGreaterThan(15);
    }
  });

  it('separates stars from galaxies with base_ClassificationExtendedness', () => {
    for (const band of ['r'] as const) {
      const s = separation(meas[band], 'base_ClassificationExtendedness_value', primaryByTruth(meas[band]));
      expect(s.purity).toBeGreaterThanOrEqual(0.95);
      expect(s.completeness).toBeGreaterThanOrEqual(0.95);
      expect(s.starsKept).toBeGreaterThanOrEqual(0.95);
    }
  });
});

describe('MergeMeasurementsTask', () => {
  it('takes the priority band (r) unless the source was not detected there (g-only star: g)', () => {
    expect(ref.length).toBe(meas.r.length);
    const byTruth = primaryByTruth(ref);
    const mr = ref.getColumn('merge_measurement_r') as Uint8Array;
    const mg = ref.getColumn('merge_measurement_g') as Uint8Array;
    for (let i = 0; i < ref.length; i++) expect(mr[i]! + mg[i]!).toBe(1);
    for (const [t, i] of byTruth) {
      const inR = TRUTH[t]!.flux.r > 0;
      expect(Boolean(mr[i]), `truth ${t}`).toBe(inR);
      expect(Boolean(mg[i]), `truth ${t}`).toBe(!inR);
    }
    expect(byTruth.has(G_ONLY)).toBe(true);
    // the g-only star's reference row is the g measurement
    const i = byTruth.get(G_ONLY)!;
    expect(ref.get(i).get('base_PsfFlux_instFlux')).toBe(meas.g.get(i).get('base_PsfFlux_instFlux'));
  });

  it('switches to the band of highest S/N when the priority band is below minSN', () => {
    const config = new MergeMeasurementsConfig();
    config.priorityList = ['g', 'r'];
    config.minSN = 1e9; // every g measurement counts as faint: r wins where its S/N is higher by more than minSNDiff
    const out = new MergeMeasurementsTask({ config, schema: meas.r.schema }).run({ catalogs: meas }).getDict().mergedCatalog;
    const sn = (c: SourceCatalog): number[] => {
      const f = c.getColumn('base_PsfFlux_instFlux') as Float64Array;
      const e = c.getColumn('base_PsfFlux_instFluxErr') as Float64Array;
      const flag = c.getColumn('base_PsfFlux_flag') as Uint8Array;
      return [...f].map((v, i) => (flag[i] || !(v / e[i]! > 0) ? 0 : v / e[i]!));
    };
    const snG = sn(meas.g);
    const snR = sn(meas.r);
    const mr = out.getColumn('merge_measurement_r') as Uint8Array;
    const sky = meas.r.getColumn('merge_footprint_sky') as Uint8Array;
    let switched = 0;
    let kept = 0;
    for (let i = 0; i < out.length; i++) {
      if (sky[i]) continue;
      if (snR[i]! - snG[i]! > 3) {
        expect(mr[i], `row ${i}`).toBe(1);
        switched++;
      } else if (snR[i]! < snG[i]!) {
        expect(mr[i], `row ${i}`).toBe(0);
        kept++;
      }
    }
    expect(switched).toBeGreaterThan(10);
    expect(kept).toBeGreaterThan(0); // the g-only star at least
  });
});

describe('ForcedPhotCoaddTask', () => {
  it('measures every reference object in every band; PSF fluxes of the stars match the truth within noise', () => {
    for (const band of BANDS) {
      expect(forced[band].length).toBe(ref.length);
      expect([...(forced[band].getColumn('id') as BigInt64Array)]).toEqual([...(ref.getColumn('id') as BigInt64Array)]);
      const byTruth = primaryByTruth(ref);
      const flux = forced[band].getColumn('base_PsfFlux_instFlux') as Float64Array;
      const err = forced[band].getColumn('base_PsfFlux_instFluxErr') as Float64Array;
      const pulls: number[] = [];
      for (const [t, i] of byTruth) {
        if (!TRUTH[t]!.isStar) continue;
        const pull = (flux[i]! - TRUTH[t]!.flux[band]) / err[i]!;
        expect(Math.abs(pull), `star ${t} in ${band}`).toBeLessThan(5);
        pulls.push(pull);
      }
      // the g-only star has a forced r flux consistent with zero
      if (band === 'r') expect(Math.abs(flux[byTruth.get(G_ONLY)!]!)).toBeLessThan(5 * err[byTruth.get(G_ONLY)!]!);
      const rms = Math.sqrt(pulls.reduce((a, p) => a + p * p, 0) / pulls.length);
      expect(rms).toBeGreaterThan(0.4);
      expect(rms).toBeLessThan(2);
    }
  });
});

describe('WriteObjectTableTask + TransformObjectCatalogTask + ConsolidateObjectTableTask', () => {
  it('writes objectTable_tract (Parquet) with DPDD columns and units; refExtendedness separates stars from galaxies', async () => {
    const obj = new WriteObjectTableTask().run({ measCatalogs: meas, forcedCatalogs: forced, refCatalog: ref }).getDict().outputCatalog;
    expect(obj.numRows).toBe(ref.length);
    expect(obj.getChild(objectColumnName('forced_src', 'g', 'base_PsfFlux_instFlux'))).not.toBeNull();
    const transform = new TransformObjectCatalogTask();
    const patchTable = (await transform.run({ inputCatalog: obj, dataId: { tract: 0, patch: 4, skymap: 'test' } })).getDict().outputCatalog;
    const tractTable = new ConsolidateObjectTableTask().run({ inputCatalogs: [patchTable] }).getDict().outputCatalog;
    const path = join(tmp, 'objectTable_tract.parquet');
    await writeParquet(path, tractTable);
    const t = await readParquet(path);
    const names = t.schema.fields.map((f) => f.name);
    expect(names[0]).toBe('objectId');
    for (const c of ['coord_ra', 'coord_dec', 'refExtendedness', 'detect_isPrimary', 'g_psfFlux', 'g_psfFluxErr', 'r_psfFlux', 'r_psfFluxErr', 'g_extendedness', 'tract', 'patch']) expect(names).toContain(c);
    expect(names).not.toContain('g_coord_ra');
    const unit = (c: string): string | undefined => t.schema.fields.find((f) => f.name === c)!.metadata.get('units');
    expect(unit('g_psfFlux')).toBe('nJy');
    expect(unit('r_psfFluxErr')).toBe('nJy');
    expect(unit('coord_ra')).toBe('deg');
    const col = <T,>(c: string): T[] => [...(t.getChild(c)!.toArray() as Iterable<T>)];
    const ra = col<number>('coord_ra');
    const dec = col<number>('coord_dec');
    const primary = col<boolean>('detect_isPrimary');
    const ext = col<number>('refExtendedness');
    const gFlux = col<number>('g_psfFlux');
    const rFlux = col<number>('r_psfFlux');
    const tract = col<bigint>('tract');
    expect(tract.every((v) => v === 0n)).toBe(true);
    // coordinates in degrees: each primary object's position through the tract WCS of the truth
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let nStars = 0;
    for (let i = 0; i < t.numRows; i++) {
      if (!primary[i]) continue;
      const p = skyInfo.wcs!.skyToPixel(SpherePoint.fromDegrees(ra[i]!, dec[i]!));
      const k = nearestTruth(p.x, p.y, 2.5);
      expect(k, `object ${i} at ${ra[i]}, ${dec[i]} matches no truth object`).toBeGreaterThanOrEqual(0);
      const o = TRUTH[k]!;
      if (o.isStar) {
        nStars++;
        if (ext[i] === 1) fp++;
        // forced PSF fluxes (nJy) of the stars: the truth within 5 sigma in both bands
        expect(Math.abs(gFlux[i]! - o.flux.g)).toBeLessThan(5 * col<number>('g_psfFluxErr')[i]!);
        expect(Math.abs(rFlux[i]! - o.flux.r)).toBeLessThan(5 * col<number>('r_psfFluxErr')[i]!);
      } else if (ext[i] === 1) tp++;
      else fn++;
    }
    expect(nStars).toBeGreaterThan(15);
    expect(tp / (tp + fp)).toBeGreaterThanOrEqual(0.95); // purity of 'extended'
    expect(tp / (tp + fn)).toBeGreaterThanOrEqual(0.95); // completeness of 'extended'
  });

  it('fills bands of outputBands that the input lacks', async () => {
    const obj = new WriteObjectTableTask().run({ measCatalogs: meas, forcedCatalogs: forced, refCatalog: ref }).getDict().outputCatalog;
    const config = new TransformObjectCatalogConfig();
    config.outputBands = ['g', 'r', 'i'];
    const task = new TransformObjectCatalogTask({ config });
    const t = (await task.run({ inputCatalog: obj, dataId: { tract: 0, patch: 4 } })).getDict().outputCatalog;
    const iFlux = [...(t.getChild('i_psfFlux')!.toArray() as Float64Array)];
    expect(iFlux.every((v) => Number.isNaN(v))).toBe(true);
    expect([...(t.getChild('i_psfFlux_flag')!.toArray() as Iterable<boolean>)].every((v) => v === true)).toBe(true);
  });
});

describe('runQuantum', () => {
  /** A quantum context over in-memory inputs that records what is put. */
  function fakeQC(inputs: Record<string, unknown>, dataId: Record<string, unknown>, written: Record<string, unknown>): QuantumContext {
    return {
      get: () => Promise.resolve(inputs),
      put: (outputs: { getDict?: () => Record<string, unknown> }) => {
        Object.assign(written, typeof outputs.getDict === 'function' ? outputs.getDict() : outputs);
        return Promise.resolve();
      },
      quantum: { dataId: { get: (k: string) => dataId[k], mapping: dataId } },
    } as unknown as QuantumContext;
  }
  const patch = skyMap.get(0).getSequentialPatchIndexFromPair([1, 1]);

  it('MergeDetectionsTask: bands from the input refs, the patch from the quantum data ID', async () => {
    const config = new MergeDetectionsConfig();
    config.priorityList = ['r', 'g'];
    const task = new MergeDetectionsTask({ config, initInputs: { schema: new SourceCatalog(detected.r.sources.schema) } });
    const written: Record<string, unknown> = {};
    const band = (b: string): { dataId: { get: (k: string) => unknown } } => ({ dataId: { get: (k: string) => (k === 'band' ? b : undefined) } });
    const qc = fakeQC({ catalogs: [detected.g.sources, detected.r.sources], skyMap }, { tract: 0, patch, skymap: 'test' }, written);
    await task.runQuantum(qc, { catalogs: [band('g'), band('r')] } as never, {});
    const out = written['outputCatalog'] as SourceCatalog;
    const sky = out.getColumn('merge_footprint_sky') as Uint8Array;
    const nObjects = [...sky].filter((v) => v === 0).length;
    expect(nObjects).toBe([...(mergeDet.getColumn('merge_footprint_sky') as Uint8Array)].filter((v) => v === 0).length);
  });

  it('DetectCoaddSourcesTask and MeasureMergedCoaddSourcesTask write their outputs', async () => {
    const written: Record<string, unknown> = {};
    const exposure = makeCoadd('r', 100);
    await new DetectCoaddSourcesTask().runQuantum(fakeQC({ exposure }, { tract: 0, patch, band: 'r', skymap: 'test' }, written), {} as never, {});
    expect((written['outputSources'] as SourceCatalog).length).toBe(detected.r.sources.length);
    expect(written['outputBackgrounds']).toBeInstanceOf(BackgroundList);
    const measure = new MeasureMergedCoaddSourcesTask({ initInputs: { inputSchema: new SourceCatalog(mergeTask.schema) } });
    await measure.runQuantum(fakeQC({ exposure: written['outputExposure'], inputCatalog: mergeDet, skyMap }, { tract: 0, patch, band: 'r', skymap: 'test' }, written), {} as never, {});
    const out = written['outputSources'] as SourceCatalog;
    expect(out.length).toBe(meas.r.length);
    expect([...(out.getColumn('detect_isPrimary') as Uint8Array)]).toEqual([...(meas.r.getColumn('detect_isPrimary') as Uint8Array)]);
  });
});
