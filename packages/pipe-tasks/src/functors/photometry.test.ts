import { describe, expect, it } from 'vitest';
import { MissingColumnsError } from '../errors.js';
import { LocalMagnitude, LocalMagnitudeErr, LocalNanojansky, LocalNanojanskyErr, LocalDipoleDiffFlux, LocalDipoleMeanFluxErr, MagErr, NanoJansky } from './photometry.js';

// Hand-computed expectations: nJy = instFlux × localCalib; errors per LSST's two formulas;
// AB magnitudes with 1 nJy ↔ 31.4 mag exactly (−2.5 log10(1e-32 erg/s/cm²/Hz) − 48.6).
const cols = {
  flux: Float64Array.of(1000, 250, -40),
  fluxErr: Float64Array.of(10, 5, 8),
  calib: Float64Array.of(0.5, 2, 1.25),
  calibErr: Float64Array.of(0.01, 0.04, 0),
};

describe('LocalNanojansky', () => {
  it('multiplies the instrumental flux by the local calibration, as Float32', () => {
    const out = new LocalNanojansky('flux', 'fluxErr', 'calib').evaluate(cols);
    expect(out).toBeInstanceOf(Float32Array);
    expect(Array.from(out as Float32Array)).toEqual([500, 500, -50]);
  });

  it('reads only the flux and calibration columns', () => {
    expect(new LocalNanojansky('flux', 'fluxErr', 'calib').columns).toEqual(['flux', 'calib']);
  });

  it('names the missing column and the plugin that makes it', () => {
    const f = new LocalNanojansky('flux', 'fluxErr', 'base_LocalPhotoCalib');
    expect(() => f.evaluate({ flux: cols.flux })).toThrow(MissingColumnsError);
    expect(() => f.evaluate({ flux: cols.flux })).toThrow(/'base_LocalPhotoCalib'.*measurement plugin 'base_LocalPhotoCalib'/);
  });
});

describe('LocalNanojanskyErr', () => {
  it('is instFluxErr × localCalib with three columns (LSST ≥ v29)', () => {
    const out = new LocalNanojanskyErr('flux', 'fluxErr', 'calib').evaluate(cols) as Float32Array;
    expect(Array.from(out)).toEqual([5, 10, 10]);
  });

  it('adds the calibration error term in quadrature when the fourth column is named', () => {
    const f = new LocalNanojanskyErr('flux', 'fluxErr', 'calib', 'calibErr');
    expect(f.columns).toEqual(['flux', 'fluxErr', 'calib', 'calibErr']);
    const out = f.evaluate(cols) as Float32Array;
    // hypot(10·0.5, 1000·0.01) = hypot(5, 10); hypot(5·2, 250·0.04) = hypot(10, 10); hypot(8·1.25, 0) = 10
    expect(out[0]).toBeCloseTo(Math.sqrt(125), 4);
    expect(out[1]).toBeCloseTo(Math.sqrt(200), 4);
    expect(out[2]).toBeCloseTo(10, 5);
  });
});

describe('AB magnitudes', () => {
  it('LocalMagnitude is -2.5 log10(nJy) + 31.4', () => {
    const out = new LocalMagnitude('flux', 'fluxErr', 'calib').evaluate({ flux: Float64Array.of(2e4, 1), fluxErr: Float64Array.of(1, 1), calib: Float64Array.of(0.5, 1) });
    expect(out[0]).toBeCloseTo(31.4 - 2.5 * 4, 12); // 1e4 nJy → 21.4
    expect(out[1]).toBeCloseTo(31.4, 12);
  });

  it('LocalMagnitudeErr is 2.5/ln10 × fluxErr / flux', () => {
    const out = new LocalMagnitudeErr('flux', 'fluxErr', 'calib').evaluate(cols);
    expect(out[0]).toBeCloseTo((2.5 / Math.LN10) * (5 / 500), 12);
    expect(out[2]).toBeCloseTo((2.5 / Math.LN10) * (10 / 50), 12);
  });

  it('MagErr of a flux column follows the same propagation', () => {
    const out = new MagErr('base_PsfFlux').evaluate({ base_PsfFlux_instFlux: Float64Array.of(200), base_PsfFlux_instFluxErr: Float64Array.of(2) });
    expect(out[0]).toBeCloseTo(0.01 * (2.5 / Math.LN10), 12); // 2 / 200
  });

  it('NanoJansky uses the coadd zero point 27: 10^(0.4·27) counts = the AB zero point, 10^(-48.6/2.5) erg/s/cm²/Hz', () => {
    const out = new NanoJansky('f').evaluate({ f: Float64Array.of(Math.pow(10, 0.4 * 27)) });
    const abZeroNjy = Math.pow(10, -48.6 / 2.5) * 1e23 * 1e9; // ≈ 3630.78 Jy
    expect(Math.abs((out[0] as number) / abZeroNjy - 1)).toBeLessThan(1e-7); // Float32
  });
});

describe('dipole fluxes', () => {
  it('follow LSST formulas', () => {
    const d = { p: Float64Array.of(30), n: Float64Array.of(-10), pe: Float64Array.of(3), ne: Float64Array.of(4), c: Float64Array.of(2) };
    expect(new LocalDipoleDiffFlux('p', 'n', 'pe', 'ne', 'c').evaluate(d)[0]).toBe(40);
    expect(new LocalDipoleMeanFluxErr('p', 'n', 'pe', 'ne', 'c').evaluate(d)[0]).toBe(5);
  });
});
