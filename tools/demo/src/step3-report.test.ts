// The step3 report's reductions on synthetic samples (the end-to-end test, step3-scores.test.ts,
// runs them on a real step3 output).
import { describe, expect, it } from 'vitest';
import { COADD_BRIGHT_SNR, matchObjectTable, scoreStep3, summarizeDepth, type ColumnTable, type DepthRow, type Step3Samples } from './step3-report.js';

const row = (n: number, positions: number, gain: number, expectedGain: number): DepthRow => ({
  band: 'r',
  n,
  inputs: Array.from({ length: n }, (_, k) => `v${k}/0`),
  positions,
  coaddDepth: 25,
  inputDepths: Array<number>(n).fill(25 - gain),
  gain,
  idealGain: 2.5 * Math.log10(Math.sqrt(n)),
  expectedGain,
});

describe('summarizeDepth', () => {
  it('pools the regions of each number of inputs, weighting by their positions', () => {
    const s = summarizeDepth([row(2, 300, 0.3, 0.37), row(1, 1000, 0.01, 0), row(2, 100, 0.42, 0.39), row(3, 500, 0.6, 0.6)]);
    expect(s.map((x) => x.n)).toEqual([1, 2, 3]);
    expect(s[1]!.regions).toBe(2);
    expect(s[1]!.positions).toBe(400);
    expect(s[1]!.gain).toBeCloseTo((0.3 * 300 + 0.42 * 100) / 400, 12);
    expect(s[1]!.expectedGain).toBeCloseTo((0.37 * 300 + 0.39 * 100) / 400, 12);
    expect(s[1]!.idealGain).toBeCloseTo(0.37628749, 8); // 1.25 log10 2
    expect(s[2]!.idealGain).toBeCloseTo(0.59640157, 8); // 1.25 log10 3
    expect(summarizeDepth([])).toEqual([]);
  });
});

describe('scoreStep3', () => {
  const base: Step3Samples = {
    skymap: 'simcam',
    tract: 0,
    bands: ['r'],
    counts: {},
    warpsPerPatch: new Map(),
    patch: undefined,
    coaddChecks: [],
    objectTableMissing: undefined,
    nObjects: 0,
    nMatched: 0,
    astrometry: { eastMas: Float64Array.of(1, -1, 2, -2), northMas: Float64Array.of(0, 0, 0, 0) },
    photometry: { r: { measured: [100, 101, 99], truth: [100, 100, 100], snr: [200, 200, 200] } },
    classification: { isStar: [true, true, false, false, true, false], extendedness: [0, 1, 1, 1, 0, 0], snr: [60, 200, 80, 300, 150, 30] },
    starColours: { gr: [], ri: [] },
    trueStarColours: { gr: [], ri: [] },
    coaddImage: undefined,
  };

  it('scores the classified objects above S/N 20, 50 and 100', () => {
    const s = scoreStep3(base);
    // S/N >= 20 adds a galaxy classified as a star
    expect(s.starGalaxyFaint.stars).toMatchObject({ nTrue: 3, nClassified: 3, nCorrect: 2 });
    expect(s.starGalaxyFaint.galaxies).toMatchObject({ nTrue: 3, nClassified: 3, nCorrect: 2 });
    // all five: stars 2 of 3 right, no galaxy called a star
    expect(s.starGalaxy.stars).toMatchObject({ nTrue: 3, nClassified: 2, nCorrect: 2, purity: 1 });
    expect(s.starGalaxy.galaxies).toMatchObject({ nTrue: 2, nClassified: 3, nCorrect: 2 });
    // S/N >= 100: objects 1 (star, extended), 3 (galaxy, extended), 4 (star, point)
    expect(COADD_BRIGHT_SNR).toBe(100);
    expect(s.starGalaxyBright.stars).toMatchObject({ nTrue: 2, nClassified: 1, nCorrect: 1, completeness: 0.5 });
    expect(s.starGalaxyBright.galaxies).toMatchObject({ nTrue: 1, nClassified: 2, nCorrect: 1, purity: 0.5 });
  });

  it('reduces astrometry and per-band photometry, with the photon noise of the stars', () => {
    const s = scoreStep3(base);
    expect(s.astrometry.n).toBe(4);
    expect(s.astrometry.medianEastMas).toBe(0);
    expect(s.photometry['r']!.scatter.n).toBe(3);
    expect(s.photometry['r']!.scatter.offsetMmag).toBeCloseTo(0, 12);
    // σ_MAD of a Gaussian with σ = 2500 / ln 10 / 200 = 5.43 mmag
    expect(s.photometry['r']!.photonNoiseMmag).toBeCloseTo(2500 / Math.LN10 / 200, 4);
  });
});

/** A synthetic table with the Arrow methods the report uses. */
function table(columns: Readonly<Record<string, readonly unknown[]>>): ColumnTable {
  const names = Object.keys(columns);
  return {
    numRows: columns[names[0]!]!.length,
    getChild: (name) => (name in columns ? { get: (i: number) => columns[name]![i] } : null),
    schema: { fields: names.map((name) => ({ name })) },
  };
}

describe('matchObjectTable', () => {
  // Truth: four stars and two galaxies near (150, 2.2); nJy fluxes (1 nJy = AB 31.4).
  const nJy = (mag: number): number => 10 ** (-0.4 * (mag - 31.4));
  const truth = table({
    ra: [150.0, 150.01, 150.02, 150.03, 150.04, 150.05],
    dec: [2.2, 2.2, 2.2, 2.21, 2.21, 2.21],
    is_star: [true, true, true, true, false, false],
    g_flux: [nJy(20.5), nJy(21.5), nJy(22), nJy(24), nJy(21), nJy(22)],
    r_flux: [nJy(20), nJy(21), nJy(21.5), nJy(23.5), nJy(20.5), nJy(21.5)],
    i_flux: [nJy(19.8), nJy(20.8), nJy(21.3), nJy(23.3), nJy(20.2), nJy(21.2)],
  });
  const arcsec = 1 / 3600;
  const c = Math.cos((2.2 * Math.PI) / 180);
  // Objects: 0-3 the stars (object 0 0.1" north, object 1 0.1" east), 4 the bright galaxy, 5 a
  // sky object on star 2, 6 a non-primary parent on star 1, 7 1" from anything.
  const ok = [1, 1, 1, 1, 1, 1, 0, 1];
  const gf = [nJy(20.5), nJy(21.5), nJy(22), nJy(24), nJy(21), 1, 1, 100];
  const rf = [nJy(20), nJy(21), nJy(21.5), nJy(23.5), nJy(20.5), 1, 1, 100];
  const i2 = [nJy(19.8), nJy(20.8), nJy(21.3), nJy(23.3), nJy(20.2), 1, 1, 100];
  const objects = table({
    coord_ra: [150.0, 150.01 + (0.1 * arcsec) / c, 150.02, 150.03, 150.04, 150.02, 150.01, 150.06],
    coord_dec: [2.2 + 0.1 * arcsec, 2.2, 2.2, 2.21, 2.21, 2.2, 2.2, 2.21 + arcsec],
    detect_isPrimary: ok.map(Boolean),
    merge_peak_sky: [false, false, false, false, false, true, false, false],
    refExtendedness: [0, 0, 1, 0, 1, 0, 0, 0],
    // errors: S/N 400, 200, 80, 10, 300 (by r's true flux) in every band
    g_psfFlux: gf,
    g_psfFluxErr: gf.map((f, k) => f / [400, 200, 80, 10, 300, 1, 1, 1][k]!),
    r_psfFlux: rf,
    r_psfFluxErr: rf.map((f, k) => f / [400, 200, 80, 10, 300, 1, 1, 1][k]!),
    i_psfFlux: i2,
    i_psfFluxErr: i2.map((f, k) => f / [400, 200, 80, 10, 300, 1, 1, 1][k]!),
    i_base_PixelFlags_flag_saturatedCenter: [true, false, false, false, false, false, false, false],
  });

  it('matches primary non-sky objects to the truth within 0.5" and measures their offsets', () => {
    const m = matchObjectTable(objects, truth);
    expect(m.bands).toEqual(['g', 'r', 'i']);
    expect(m.nObjects).toBe(6); // not the sky object, not the parent
    expect(m.nMatched).toBe(5); // not the one 1" away
    // bright stars (S/N >= 100): objects 0 and 1
    expect([...m.astrometry.northMas].map((v) => Math.round(v))).toEqual([100, 0]);
    expect([...m.astrometry.eastMas].map((v) => Math.round(v))).toEqual([0, 100]);
  });

  it('classifies the S/N >= 50 matches, and takes the photometry of unsaturated bright stars by band', () => {
    const m = matchObjectTable(objects, truth);
    expect(m.classification.isStar).toEqual([true, true, true, false]);
    expect(m.classification.extendedness).toEqual([0, 0, 1, 1]);
    expect(m.classification.snr.map((v) => Math.round(v))).toEqual([400, 200, 80, 300]);
    expect(m.photometry['g']!.truth).toEqual([nJy(20.5), nJy(21.5)]);
    expect(m.photometry['i']!.truth).toEqual([nJy(20.8)]); // star 0 is saturated in i
    expect(m.photometry['r']!.snr.map((v) => Math.round(v))).toEqual([400, 200]);
  });

  it('takes colours of point-like objects with S/N >= 100 in g, r, i, and the true colours of the stars brighter than r = 23', () => {
    const m = matchObjectTable(objects, truth);
    // objects 0 and 1 (object 3 is too faint; 2 is extended; 7 is point-like but S/N 1)
    expect(m.starColours.gr.map((v) => v.toFixed(6))).toEqual(['0.500000', '0.500000']);
    expect(m.starColours.ri.map((v) => v.toFixed(6))).toEqual(['0.200000', '0.200000']);
    // truth stars within the objects' extent and r < 23: stars 0, 1, 2
    expect(m.trueStarColours.gr.map((v) => v.toFixed(6))).toEqual(['0.500000', '0.500000', '0.500000']);
  });
});
