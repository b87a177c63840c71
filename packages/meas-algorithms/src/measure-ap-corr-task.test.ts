/**
 * MeasureApCorrTask and ApplyApCorrTask on a catalog with known truth: aperture/PSF and
 * aperture/Gaussian flux ratios that vary linearly over the field (plus 0.3% noise and a few
 * gross outliers, from a seeded generator); the fitted fields must recover the truth to < 0.5%.
 */
import { describe, expect, it } from 'vitest';
import { ApCorrMap, ChebyshevBoundedField, Exposure } from '@skystack/afw-image';
import { SourceCatalog, type Schema } from '@skystack/afw-table';
import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import { normal, uniform } from '../test/synthetic.js';
import { ApplyApCorrTask } from './apply-ap-corr-task.js';
import { MeasAlgorithmsNoDataError } from './errors.js';
import { MeasureApCorrConfig, MeasureApCorrTask, chebyshevFitSize, fitChebyshevBoundedField } from './measure-ap-corr-task.js';
import type { ScienceSourceSelectorConfig } from './science-source-selector.js';

const W = 2000;
const H = 1500;
const psfRatio = (x: number, y: number): number => 1.05 + 0.04 * (x / W) - 0.02 * (y / H);
const gaussRatio = (_x: number, y: number): number => 0.97 + 0.03 * (y / H);

function makeSchema(): Schema {
  const schema = SourceCatalog.makeMinimalSchema();
  schema.addField({ name: 'base_SdssCentroid_x', type: 'D' });
  schema.addField({ name: 'base_SdssCentroid_y', type: 'D' });
  for (const alg of ['base_PsfFlux', 'base_GaussianFlux', 'base_CircularApertureFlux_12_0']) {
    schema.addField({ name: `${alg}_instFlux`, type: 'D' });
    schema.addField({ name: `${alg}_instFluxErr`, type: 'D' });
    schema.addField({ name: `${alg}_flag`, type: 'Flag' });
  }
  schema.addField({ name: 'calib_psf_used', type: 'Flag' });
  schema.getAliasMap().set('slot_Centroid', 'base_SdssCentroid');
  schema.getAliasMap().set('slot_CalibFlux', 'base_CircularApertureFlux_12_0');
  return schema;
}

function fill(catalog: SourceCatalog, n: number, seed: number): void {
  const u = uniform(seed);
  const g = normal(seed + 1);
  for (let i = 0; i < n; i++) {
    const r = catalog.addNew();
    const x = u() * (W - 1);
    const y = u() * (H - 1);
    const ap = 1e4 * Math.pow(30, u());
    r.set('id', BigInt(i + 1));
    r.set('base_SdssCentroid_x', x);
    r.set('base_SdssCentroid_y', y);
    r.set('base_CircularApertureFlux_12_0_instFlux', ap);
    r.set('base_CircularApertureFlux_12_0_instFluxErr', 0.003 * ap);
    const outlier = i % 25 === 7 ? 1.3 : 1; // 4% gross outliers
    r.set('base_PsfFlux_instFlux', (outlier * ap) / psfRatio(x, y) / (1 + 0.003 * g()));
    r.set('base_PsfFlux_instFluxErr', 0.003 * ap);
    r.set('base_GaussianFlux_instFlux', ap / gaussRatio(x, y) / (1 + 0.003 * g()));
    r.set('base_GaussianFlux_instFluxErr', 0.004 * ap);
    r.set('calib_psf_used', i % 10 !== 3); // the selector uses only these
  }
}

/** The selection obs_subaru and obs_decam configure: the PSF stars with PSF-flux S/N ≥ 200, no other flag cut. */
function psfStarsConfig(): MeasureApCorrConfig {
  const config = new MeasureApCorrConfig();
  const selector = config.sourceSelector.get('science') as ScienceSourceSelectorConfig;
  selector.doUnresolved = false;
  selector.flags.good = ['calib_psf_used'];
  selector.flags.bad = [];
  return config;
}

describe('fitChebyshevBoundedField', () => {
  it('reproduces a field it can represent exactly', () => {
    const bbox = new Box2I(new Point2I(10, -5), new Point2I(209, 94));
    const truth = new ChebyshevBoundedField(bbox, [[1.5, 0.2, -0.1], [0.3, 0.05, 0], [0.02, 0, 0]]);
    const u = uniform(2);
    const x = Float64Array.from({ length: 60 }, () => 10 + 200 * u());
    const y = Float64Array.from({ length: 60 }, () => -5 + 100 * u());
    const z = truth.evaluateArray(x, y);
    const fit = fitChebyshevBoundedField(bbox, x, y, z, { orderX: 2, orderY: 2, triangular: true });
    for (const [a, b] of [[10, -5], [100, 40], [209, 94]] as const) expect(fit.evaluate(a, b)).toBeCloseTo(truth.evaluate(a, b), 10);
    expect(chebyshevFitSize(2, 2, true)).toBe(6);
    expect(chebyshevFitSize(2, 1, false)).toBe(6);
  });
});

describe('MeasureApCorrTask + ApplyApCorrTask', () => {
  it('recovers linearly varying PsfFlux and GaussianFlux corrections to < 0.5%, and applies them', () => {
    const schema = makeSchema();
    const measure = new MeasureApCorrTask({ schema, config: psfStarsConfig() });
    const apply = new ApplyApCorrTask({ schema });
    expect(measure.toCorrect).toEqual(['base_PsfFlux', 'base_GaussianFlux']);
    const catalog = new SourceCatalog(schema);
    fill(catalog, 400, 5);
    const exposure = Exposure.make('float32', new Extent2I(W, H));
    const { apCorrMap } = measure.run(exposure, catalog);
    expect(apCorrMap.keys()).toEqual(['base_GaussianFlux_instFlux', 'base_GaussianFlux_instFluxErr', 'base_PsfFlux_instFlux', 'base_PsfFlux_instFluxErr']);
    for (const [x, y] of [[0, 0], [W - 1, 0], [0, H - 1], [W - 1, H - 1], [W / 2, H / 3]] as const) {
      expect(Math.abs(apCorrMap.get('base_PsfFlux_instFlux')!.evaluate(x, y) / psfRatio(x, y) - 1)).toBeLessThan(0.005);
      expect(Math.abs(apCorrMap.get('base_GaussianFlux_instFlux')!.evaluate(x, y) / gaussRatio(x, y) - 1)).toBeLessThan(0.005);
    }
    // The error field is the clipped rms: about the 0.3% noise times the ratio, not the outliers'.
    const err = apCorrMap.get('base_PsfFlux_instFluxErr')!.evaluate(100, 100);
    expect(err).toBeGreaterThan(0.002);
    expect(err).toBeLessThan(0.006);
    // Used: selected (calib_psf_used) and not clipped; the outliers are not used.
    const used = catalog.getColumn('apcorr_base_PsfFlux_used') as Uint8Array;
    for (let i = 0; i < catalog.length; i++) {
      if (i % 10 === 3 || i % 25 === 7) expect(used[i]).toBe(0);
    }
    expect(used.reduce((a, b) => a + b, 0)).toBeGreaterThan(300);

    // Apply: PSF fluxes become aperture fluxes (for the non-outliers) and the fields are filled.
    const psf = Float64Array.from(catalog.getColumn('base_PsfFlux_instFlux') as Float64Array);
    const psfErr = Float64Array.from(catalog.getColumn('base_PsfFlux_instFluxErr') as Float64Array);
    apply.run(catalog, apCorrMap);
    const ap = catalog.getColumn('base_CircularApertureFlux_12_0_instFlux') as Float64Array;
    const corrected = catalog.getColumn('base_PsfFlux_instFlux') as Float64Array;
    const corr = catalog.getColumn('base_PsfFlux_apCorr') as Float64Array;
    const xs = catalog.getColumn('base_SdssCentroid_x') as Float64Array;
    const ys = catalog.getColumn('base_SdssCentroid_y') as Float64Array;
    for (let i = 0; i < catalog.length; i++) {
      expect(Math.abs(corr[i]! / psfRatio(xs[i]!, ys[i]!) - 1)).toBeLessThan(0.005);
      expect(corrected[i]).toBeCloseTo(psf[i]! * corr[i]!, 6);
      expect((catalog.getColumn('base_PsfFlux_instFluxErr') as Float64Array)[i]).toBeCloseTo(psfErr[i]! * corr[i]!, 6);
      if (i % 25 !== 7) expect(Math.abs(corrected[i]! / ap[i]! - 1)).toBeLessThan(0.015);
      expect((catalog.getColumn('base_PsfFlux_flag_apCorr') as Uint8Array)[i]).toBe(0);
      expect((catalog.getColumn('base_PsfFlux_flag') as Uint8Array)[i]).toBe(0);
    }
    expect((catalog.getColumn('base_PsfFlux_apCorrErr') as Float64Array)[0]).toBeCloseTo(err, 12);
  });

  it('flags, and leaves uncorrected, the sources where a coadd correction is undefined (no input covers them)', () => {
    const schema = makeSchema();
    const apply = new ApplyApCorrTask({ schema });
    const catalog = new SourceCatalog(schema);
    fill(catalog, 40, 11);
    const bbox = new Box2I(new Point2I(0, 0), new Point2I(W - 1, H - 1));
    // A field defined only for x < W/2, throwing as a CoaddBoundedField does beyond its inputs.
    const half = (value: number): ChebyshevBoundedField => {
      const f = new ChebyshevBoundedField(bbox, [[value]]);
      const evaluate = f.evaluate.bind(f);
      f.evaluate = (x: number, y: number) => {
        if (x >= W / 2) throw new MeasAlgorithmsNoDataError(`No constituent fields to evaluate at (${x}, ${y})`);
        return evaluate(x, y);
      };
      return f;
    };
    const before = Float64Array.from(catalog.getColumn('base_PsfFlux_instFlux') as Float64Array);
    apply.run(catalog, new ApCorrMap([['base_PsfFlux_instFlux', half(1.1)], ['base_PsfFlux_instFluxErr', half(0.01)]]));
    const xs = catalog.getColumn('base_SdssCentroid_x') as Float64Array;
    const flux = catalog.getColumn('base_PsfFlux_instFlux') as Float64Array;
    const flagged = catalog.getColumn('base_PsfFlux_flag_apCorr') as Uint8Array;
    let nOut = 0;
    for (let i = 0; i < catalog.length; i++) {
      const inside = xs[i]! < W / 2;
      if (!inside) nOut++;
      expect(flagged[i]).toBe(inside ? 0 : 1);
      expect(flux[i]).toBeCloseTo(before[i]! * (inside ? 1.1 : 1), 9);
    }
    expect(nOut).toBeGreaterThan(5);
  });

  it('flags sources (and their flux) when the map has no correction, leaving the fluxes', () => {
    const schema = makeSchema();
    const apply = new ApplyApCorrTask({ schema });
    const catalog = new SourceCatalog(schema);
    fill(catalog, 20, 9);
    const before = Float64Array.from(catalog.getColumn('base_GaussianFlux_instFlux') as Float64Array);
    const bbox = new Box2I(new Point2I(0, 0), new Point2I(W - 1, H - 1));
    apply.run(catalog, new ApCorrMap([['base_PsfFlux_instFlux', new ChebyshevBoundedField(bbox, [[1.1]])], ['base_PsfFlux_instFluxErr', new ChebyshevBoundedField(bbox, [[0.01]])]]));
    expect(Array.from(catalog.getColumn('base_GaussianFlux_flag_apCorr') as Uint8Array).every((v) => v === 1)).toBe(true);
    expect(Array.from(catalog.getColumn('base_GaussianFlux_instFlux') as Float64Array)).toEqual(Array.from(before));
    expect(Array.from(catalog.getColumn('base_PsfFlux_apCorr') as Float64Array).every((v) => Math.abs(v - 1.1) < 1e-12)).toBe(true);
  });

  it('lowers the order for few sources, and fails (or skips with allowFailure) with too few', () => {
    const schema = makeSchema();
    const config = psfStarsConfig();
    config.allowFailure = ['base_GaussianFlux'];
    const measure = new MeasureApCorrTask({ schema, config });
    const catalog = new SourceCatalog(schema);
    fill(catalog, 4, 3); // 3 selected (i % 10 !== 3): order 2 → 0
    const gFlag = catalog.getColumn('base_GaussianFlux_flag') as Uint8Array;
    gFlag.fill(1); // no good GaussianFlux: allowed to fail
    const exposure = Exposure.make('float32', new Extent2I(W, H));
    const { apCorrMap } = measure.run(exposure, catalog);
    expect(apCorrMap.has('base_GaussianFlux_instFlux')).toBe(false);
    const field = apCorrMap.get('base_PsfFlux_instFlux') as ChebyshevBoundedField;
    expect(field.orderX).toBe(0);
    const schema2 = makeSchema();
    const strict = new MeasureApCorrTask({ schema: schema2, config: psfStarsConfig() });
    const c2 = new SourceCatalog(schema2);
    fill(c2, 4, 3);
    (c2.getColumn('base_GaussianFlux_flag') as Uint8Array).fill(1);
    expect(() => strict.run(exposure, c2)).toThrow(MeasAlgorithmsNoDataError);
  });
});

describe('MeasureApCorrTask with LSST\'s default selection', () => {
  it('uses the unflagged sources with PSF-flux S/N >= 200, whatever calib_psf_used says', () => {
    const schema = makeSchema();
    for (const f of ['edge', 'nodata', 'interpolatedCenter', 'saturatedCenter', 'crCenter', 'bad', 'interpolated', 'saturated']) schema.addField({ name: `base_PixelFlags_flag_${f}`, type: 'Flag' });
    const measure = new MeasureApCorrTask({ schema });
    const catalog = new SourceCatalog(schema);
    fill(catalog, 400, 11);
    const err = catalog.getColumn('base_PsfFlux_instFluxErr') as Float64Array;
    const flux = catalog.getColumn('base_PsfFlux_instFlux') as Float64Array;
    const edge = catalog.getColumn('base_PixelFlags_flag_edge') as Uint8Array;
    for (let i = 0; i < catalog.length; i++) {
      if (i % 7 === 0) err[i] = flux[i]! / 150; // S/N 150: not selected
      if (i % 11 === 0) edge[i] = 1;
    }
    const { apCorrMap } = measure.run(Exposure.make('float32', new Extent2I(W, H)), catalog);
    const used = catalog.getColumn('apcorr_base_PsfFlux_used') as Uint8Array;
    let n = 0;
    let nPsfUnused = 0;
    for (let i = 0; i < catalog.length; i++) {
      if (i % 7 === 0 || i % 11 === 0) expect(used[i]).toBe(0);
      if (used[i]) n++;
      if (used[i] && i % 10 === 3) nPsfUnused++;
    }
    expect(n).toBeGreaterThan(250);
    expect(nPsfUnused).toBeGreaterThan(0); // calib_psf_used is not required by default
    expect(Math.abs(apCorrMap.get('base_PsfFlux_instFlux')!.evaluate(W / 2, H / 2) / psfRatio(W / 2, H / 2) - 1)).toBeLessThan(0.005);
  });

  it('clips at 4 robust sigma and shifts the fit so that its residuals have zero median', () => {
    const schema = makeSchema();
    const config = psfStarsConfig();
    config.fitConfig.orderX = 0;
    config.fitConfig.orderY = 0;
    const measure = new MeasureApCorrTask({ schema, config });
    const catalog = new SourceCatalog(schema);
    fill(catalog, 300, 21);
    const psf = catalog.getColumn('base_PsfFlux_instFlux') as Float64Array;
    const ap = catalog.getColumn('base_CircularApertureFlux_12_0_instFlux') as Float64Array;
    // A constant ratio of 1.1 with +-1% noise, plus 10% of the sources at +20%.
    const g = normal(99);
    for (let i = 0; i < catalog.length; i++) psf[i] = ap[i]! / (1.1 * (1 + 0.01 * g()) * (i % 10 === 5 ? 1.2 : 1));
    const { apCorrMap } = measure.run(Exposure.make('float32', new Extent2I(W, H)), catalog);
    const used = catalog.getColumn('apcorr_base_PsfFlux_used') as Uint8Array;
    const selected: number[] = [];
    for (let i = 0; i < catalog.length; i++) {
      if (i % 10 === 5) expect(used[i]).toBe(0);
      if (used[i]) selected.push(ap[i]! / psf[i]!);
    }
    selected.sort((a, b) => a - b);
    const med = selected[selected.length >> 1]!;
    // The constant field is the median of the used ratios (final median shift), not their mean.
    expect(apCorrMap.get('base_PsfFlux_instFlux')!.evaluate(0, 0)).toBeCloseTo(med, 3);
    expect(Math.abs(med / 1.1 - 1)).toBeLessThan(0.003);
    const err = apCorrMap.get('base_PsfFlux_instFluxErr')!.evaluate(0, 0);
    expect(err).toBeGreaterThan(0.008);
    expect(err).toBeLessThan(0.014);
  });
});
