import { abMagnitudeToNanojansky, REFERENCE_FLUX_NJY } from '@skystack/afw-image';
import { SimpleCatalog, SourceCatalog } from '@skystack/afw-table';
import { describe, expect, it } from 'vitest';
import { PhotoCalError, PipeTasksInvalidArgumentError } from '../errors.js';
import { PhotoCalConfig, PhotoCalTask, fitZeroPoint, type PhotoCalMatch } from './photo-cal-task.js';

/** Seeded uniform [0, 1) (mulberry32) and standard normal deviates. */
function rng(seed: number): { u: () => number; g: () => number } {
  let a = seed >>> 0;
  const u = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { u, g: () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u()) };
}

const CALIB = 0.8; // nJy per count
const ZP_TRUE = 2.5 * Math.log10(REFERENCE_FLUX_NJY / CALIB); // refMag = -2.5 log10(instFlux) + zp
const SIGMA_MAG = 0.02;

/** Stars with 0.02 mag Gaussian scatter (errors say so) and 10% outliers off by 0.3-1.5 mag. */
function synthetic(n: number, seed: number): { srcInstFlux: Float64Array; srcInstFluxErr: Float64Array; refFlux: Float64Array; refFluxErr: Float64Array; outlier: Uint8Array } {
  const r = rng(seed);
  const out = { srcInstFlux: new Float64Array(n), srcInstFluxErr: new Float64Array(n), refFlux: new Float64Array(n), refFluxErr: new Float64Array(n), outlier: new Uint8Array(n) };
  for (let i = 0; i < n; i++) {
    const refFlux = abMagnitudeToNanojansky(17 + 4 * r.u());
    const isOutlier = i % 10 === 0;
    const dm = SIGMA_MAG * r.g() + (isOutlier ? (r.u() < 0.5 ? -1 : 1) * (0.3 + 1.2 * r.u()) : 0);
    const instFlux = (refFlux / CALIB) * Math.pow(10, -0.4 * dm);
    out.srcInstFlux[i] = instFlux;
    out.srcInstFluxErr[i] = (instFlux * SIGMA_MAG * Math.LN10) / 2.5;
    out.refFlux[i] = refFlux;
    out.refFluxErr[i] = refFlux * 0.01;
    out.outlier[i] = isOutlier ? 1 : 0;
  }
  return out;
}

describe('PhotoCalTask on flux arrays', () => {
  it('recovers a known zero point through 10% outliers, with an error of scatter/sqrt(N)', () => {
    const n = 500;
    const data = synthetic(n, 7);
    const result = new PhotoCalTask().run({ fluxes: data });
    const inliers = n - n / 10;
    // Every outlier (>= 0.3 mag off, > 10 sigma) is clipped; 3-sigma clipping keeps ~99.7% of the rest.
    expect(result.ngood).toBeLessThanOrEqual(inliers);
    expect(result.ngood).toBeGreaterThanOrEqual(inliers - 6);
    // Equal errors: the weighted-mean error is exactly sigma/sqrt(ngood).
    expect(result.sigma).toBeCloseTo(SIGMA_MAG / Math.sqrt(result.ngood), 12);
    expect(Math.abs(result.zp - ZP_TRUE)).toBeLessThan(4 * result.sigma);
    // The error agrees with the scatter of the kept differences.
    const d = Array.from(result.arrays.refMag, (m, i) => m - result.arrays.srcMag[i]!).filter((x) => Math.abs(x - result.zp) < 0.1);
    const mean = d.reduce((s, x) => s + x, 0) / d.length;
    const std = Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / (d.length - 1));
    expect(result.sigma / (std / Math.sqrt(d.length))).toBeGreaterThan(0.85);
    expect(result.sigma / (std / Math.sqrt(d.length))).toBeLessThan(1.15);
    // PhotoCalib: nJy per count, with calibrationErr = mean × 0.4 ln10 × sigma.
    const pc = result.photoCalib;
    expect(Math.abs(pc.getCalibrationMean() - CALIB)).toBeLessThan(4 * pc.getCalibrationErr());
    expect(pc.getCalibrationErr()).toBeCloseTo(pc.getCalibrationMean() * 0.4 * Math.LN10 * result.sigma, 12);
  });

  it('the mean centre (useMedian=false) and no sigmaMax also converge', () => {
    const data = synthetic(300, 11);
    const config = new PhotoCalConfig();
    config.useMedian = false;
    config.sigmaMax = null;
    const result = new PhotoCalTask({ config }).run({ fluxes: data });
    expect(Math.abs(result.zp - ZP_TRUE)).toBeLessThan(4 * result.sigma);
    expect(result.ngood).toBeLessThanOrEqual(270);
  });

  it('reserves a fraction of the sources', () => {
    const config = new PhotoCalConfig();
    config.reserve.fraction = 0.2;
    const result = new PhotoCalTask({ config }).run({ fluxes: synthetic(500, 3), expId: 5 });
    expect(result.arrays.srcMag.length).toBe(400);
    expect(Math.abs(result.zp - ZP_TRUE)).toBeLessThan(4 * result.sigma);
  });

  it('fitZeroPoint on exact data returns the offset; an empty input is an error', () => {
    const src = Float64Array.of(20, 21, 22, 23);
    const fit = fitZeroPoint(src, Float64Array.from(src, (m) => m + 25), { nSigma: 3, nIter: 20, sigmaMax: 0.25, useMedian: true });
    expect(fit.zp).toBe(25);
    expect(fit.ngood).toBe(4);
    expect(() => fitZeroPoint([], [], { nSigma: 3, nIter: 20, sigmaMax: 0.25, useMedian: true })).toThrow(PhotoCalError);
  });

  it('refuses colour terms', () => {
    const config = new PhotoCalConfig();
    config.applyColorTerms = true;
    expect(() => new PhotoCalTask({ config })).toThrow(PipeTasksInvalidArgumentError);
  });
});

describe('PhotoCalTask on matches', () => {
  it('selects the sources, flags the ones used and fits', () => {
    const n = 200;
    const data = synthetic(n, 5);
    const refSchema = SimpleCatalog.makeMinimalSchema();
    refSchema.addField({ name: 'r_flux', type: 'D', units: 'nJy' });
    refSchema.addField({ name: 'r_fluxErr', type: 'D', units: 'nJy' });
    const refCat = new SimpleCatalog(refSchema, { length: n });
    refCat.setColumn('r_flux', data.refFlux);
    refCat.setColumn('r_fluxErr', data.refFluxErr);
    const srcSchema = SourceCatalog.makeMinimalSchema();
    for (const [name, type] of [
      ['base_CircularApertureFlux_12_0_instFlux', 'D'],
      ['base_CircularApertureFlux_12_0_instFluxErr', 'D'],
      ['base_PixelFlags_flag_edge', 'Flag'],
      ['base_ClassificationExtendedness_value', 'D'],
    ] as const) {
      srcSchema.addField({ name, type });
    }
    srcSchema.getAliasMap().set('slot_CalibFlux', 'base_CircularApertureFlux_12_0');
    const task = new PhotoCalTask({ schema: srcSchema });
    const src = new SourceCatalog(srcSchema, { length: n });
    const idx = Array.from({ length: n }, (_, i) => i);
    src.setColumn('base_CircularApertureFlux_12_0_instFlux', data.srcInstFlux);
    // Rows 1-10: S/N 5 (rejected); rows 11-20 on the edge; rows 21-30 extended.
    src.setColumn('base_CircularApertureFlux_12_0_instFluxErr', idx.map((i) => (i >= 1 && i <= 10 ? data.srcInstFlux[i]! / 5 : data.srcInstFluxErr[i]!)));
    src.setColumn('base_PixelFlags_flag_edge', idx.map((i) => i >= 11 && i <= 20));
    src.setColumn('base_ClassificationExtendedness_value', idx.map((i) => (i >= 21 && i <= 30 ? 1 : 0)));
    const matches: PhotoCalMatch[] = idx.map((i) => ({ first: refCat.get(i), second: src.get(i), distance: 0 }));
    const result = task.run({ matches, band: 'r' });
    expect(result.matches.length).toBe(n - 30);
    expect(result.arrays.refFluxFieldList).toEqual(['r_flux']);
    expect(Math.abs(result.zp - ZP_TRUE)).toBeLessThan(4 * result.sigma);
    const used = src.getColumn('calib_photometry_used') as Uint8Array;
    expect(used.reduce((s, v) => s + v, 0)).toBe(n - 30);
    expect(used[15]).toBe(0);
  });

  it('says when no reference flux field exists for the band', () => {
    const refCat = new SimpleCatalog(SimpleCatalog.makeMinimalSchema(), { length: 1 });
    const srcSchema = SourceCatalog.makeMinimalSchema();
    const src = new SourceCatalog(srcSchema, { length: 1 });
    expect(() => new PhotoCalTask().run({ matches: [{ first: refCat.get(0), second: src.get(0) }], band: 'g' })).toThrow(/g_camFlux, g_flux/);
  });
});
