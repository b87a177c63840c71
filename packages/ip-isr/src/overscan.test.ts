import { describe, expect, it } from 'vitest';
import { Amplifier, Exposure, Image, MaskedImage } from '@skystack/afw-image';
import { Extent2I } from '@skystack/geom';
import { astropyAvailable, runPythonJson } from '@skystack/test-support';
import { box, makeRng } from '../test/synthetic-raw.js';
import { IpIsrGeometryError } from './errors.js';
import { OverscanCorrectionTask, OverscanCorrectionTaskConfig, type OverscanFitType } from './overscan.js';

const PRE = 4;
const DATA = 32;
const OS = 16;
const H = 48;
const W = PRE + DATA + OS;
const SIGMA = 3;
const LEVEL = 1000;

const amp = new Amplifier({
  name: 'C00',
  bbox: box(0, 0, DATA, H),
  gain: 1,
  readNoise: SIGMA,
  hasRawInfo: true,
  rawBBox: box(0, 0, W, H),
  rawPrescanBBox: box(0, 0, PRE, H),
  rawDataBBox: box(PRE, 0, DATA, H),
  rawHorizontalOverscanBBox: box(PRE + DATA, 0, OS, H),
  rawXYOffset: new Extent2I(0, 0),
});

/** A raw amplifier whose overscan and data follow `level(y)` plus Gaussian noise (integer ADU). */
function makeRaw(level: (y: number) => number, sigma: number, seed = 1): Exposure<Float32Array> {
  const rng = makeRng(seed);
  const image = Image.make('float32', box(0, 0, W, H));
  const { data } = image.array;
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data[y * W + x] = Math.round(level(y) + (x >= PRE && x < PRE + DATA ? 200 : 0) + sigma * rng.gauss());
  return new Exposure(new MaskedImage(image));
}

function overscanRows(e: Exposure<Float32Array>, skipLeft = 0): number[][] {
  const rows: number[][] = [];
  const { data } = e.image.array;
  for (let y = 0; y < H; y++) rows.push(Array.from(data.subarray(y * W + PRE + DATA + skipLeft, (y + 1) * W)));
  return rows;
}

function task(fitType: OverscanFitType, order = 1, extra: Partial<Pick<OverscanCorrectionTaskConfig, 'leadingColumnsToSkip' | 'overscanIsInt'>> = {}): OverscanCorrectionTask {
  const config = new OverscanCorrectionTaskConfig();
  config.fitType = fitType;
  config.order = order;
  Object.assign(config, extra);
  return new OverscanCorrectionTask({ config });
}

function asVector(v: number | Float64Array): Float64Array {
  return typeof v === 'number' ? new Float64Array(H).fill(v) : v;
}

// ip_isr's vector overscan algorithm written with numpy (percentile clipping per row, masked
// mean or integer median per row, polyfit/chebfit/legfit on 2i/n - 1).
const NUMPY_ORACLE = String.raw`
import sys, json
import numpy as np
P = np.polynomial
d = json.load(sys.stdin)
out = {}
for case in d:
    a = np.array(case['rows'], dtype=float)
    lq, med, uq = np.percentile(a, [25.0, 50.0, 75.0], axis=1)
    sd = 0.74 * (uq - lq)
    sd = np.where(sd > 2.0 * np.median(sd), np.median(sd), sd)
    masked = np.ma.masked_where(np.abs(a - med[:, None]) > case['nsig'] * sd[:, None], a)
    n = a.shape[0]
    idx = 2.0 * np.arange(n) / float(n) - 1.0
    ft = case['fitType']
    if ft == 'MEDIAN_PER_ROW':
        vec = np.ma.median(masked.astype(int), axis=1)
    else:
        coll = np.ma.getdata(masked.mean(axis=1))
        fit, ev = {'POLY': (P.polynomial.polyfit, P.polynomial.polyval), 'CHEB': (P.chebyshev.chebfit, P.chebyshev.chebval), 'LEG': (P.legendre.legfit, P.legendre.legval)}[ft]
        vec = ev(idx, fit(idx, coll, case['order']))
    out[ft] = [float(v) for v in np.asarray(vec)]
    out[ft + '_median'] = float(np.median(np.trunc(a)))
    out[ft + '_mean'] = float(np.mean(a))
print(json.dumps(out))
`;

describe('OverscanCorrectionTask', () => {
  it('fits constant levels (MEDIAN, MEAN, MEANCLIP) within the noise of the truth', () => {
    const n = OS * H;
    for (const fitType of ['MEDIAN', 'MEAN', 'MEANCLIP'] as const) {
      const raw = makeRaw(() => LEVEL, SIGMA, 11);
      const r = task(fitType).run(raw, amp);
      expect(typeof r.overscanValue).toBe('number');
      expect(Math.abs((r.overscanValue as number) - LEVEL)).toBeLessThan((4 * 1.26 * SIGMA) / Math.sqrt(n) + 0.5);
      expect(Math.abs(r.residualMedian)).toBeLessThan(1);
      expect(r.residualSigma).toBeGreaterThan(0.8 * SIGMA);
      expect(r.residualSigma).toBeLessThan(1.2 * SIGMA);
    }
  });

  it('fits polynomials exactly on noise-free data (POLY, CHEB, LEG)', () => {
    const quad = (y: number): number => LEVEL + 0.01 * (y - 20) ** 2 - 0.3 * y;
    for (const fitType of ['POLY', 'CHEB', 'LEG'] as const) {
      const raw = makeRaw(quad, 0);
      const vec = asVector(task(fitType, 2).run(raw, amp).overscanValue);
      // Rounding the noise-free raw to integers is the only error (≤ 0.5 ADU, averaged by the fit).
      for (let y = 0; y < H; y++) expect(Math.abs(vec[y]! - quad(y))).toBeLessThan(0.5);
    }
  });

  it('follows row structure with MEDIAN_PER_ROW within the per-row noise', () => {
    const structure = (y: number): number => LEVEL + 6 * Math.sin((2 * Math.PI * y) / H);
    const raw = makeRaw(structure, SIGMA, 5);
    const vec = asVector(task('MEDIAN_PER_ROW').run(raw, amp).overscanValue);
    let s2 = 0;
    for (let y = 0; y < H; y++) s2 += (vec[y]! - structure(y)) ** 2;
    const rms = Math.sqrt(s2 / H);
    // Median of 16 integer values: ≈ 1.25 σ/√16 per row, plus ≤ 0.5 from the integers.
    expect(rms).toBeLessThan(1.25 * (SIGMA / Math.sqrt(OS)) * 1.5 + 0.3);
    // A constant MEDIAN fit leaves the structure in: much worse.
    const c = task('MEDIAN').run(makeRaw(structure, SIGMA, 5), amp).overscanValue as number;
    let c2 = 0;
    for (let y = 0; y < H; y++) c2 += (c - structure(y)) ** 2;
    expect(Math.sqrt(c2 / H)).toBeGreaterThan(3 * rms);
  });

  it('fits splines through binned row means (AKIMA_SPLINE), and falls back to a constant with fewer than 5 bins', () => {
    const structure = (y: number): number => LEVEL + 6 * Math.sin((2 * Math.PI * y) / H);
    const vec = asVector(task('AKIMA_SPLINE', 12).run(makeRaw(structure, 0), amp).overscanValue);
    for (let y = 2; y < H - 2; y++) expect(Math.abs(vec[y]! - structure(y))).toBeLessThan(0.6);
    const flat = asVector(task('NATURAL_SPLINE', 1).run(makeRaw(structure, 0), amp).overscanValue);
    expect(new Set(flat).size).toBe(1);
  });

  it.skipIf(!astropyAvailable())('matches numpy for the vector fit types on noisy data with outliers', () => {
    const structure = (y: number): number => LEVEL + 5 * Math.sin((2 * Math.PI * y) / H) + 0.04 * y;
    const cases = (['POLY', 'CHEB', 'LEG', 'MEDIAN_PER_ROW'] as const).map((fitType) => {
      const raw = makeRaw(structure, SIGMA, 21);
      // Cosmic rays in the overscan: rejected by the per-row clipping.
      const d = raw.image.array.data;
      d[7 * W + PRE + DATA + 3] = d[7 * W + PRE + DATA + 3]! + 300;
      d[30 * W + PRE + DATA + 9] = d[30 * W + PRE + DATA + 9]! + 80;
      return { fitType, raw, rows: overscanRows(raw) };
    });
    const oracle = runPythonJson<Record<string, number[]>>(
      NUMPY_ORACLE,
      [],
      cases.map((c) => ({ fitType: c.fitType, rows: c.rows, nsig: 3, order: 3 })),
    );
    for (const c of cases) {
      const vec = asVector(task(c.fitType, 3).run(c.raw, amp).overscanValue);
      const ref = oracle[c.fitType]!;
      for (let y = 0; y < H; y++) expect(vec[y]!).toBeCloseTo(ref[y]!, 6);
    }
  });

  it('subtracts the fit from the data and the overscan, row by row', () => {
    const structure = (y: number): number => LEVEL + 0.2 * y;
    const raw = makeRaw(structure, SIGMA, 9);
    const before = Float32Array.from(raw.image.array.data);
    const r = task('MEDIAN_PER_ROW').run(raw, amp);
    const fit = asVector(r.imageFit);
    const after = raw.image.array.data;
    for (const [x, y] of [
      [PRE, 0],
      [PRE + 10, 17],
      [PRE + DATA - 1, H - 1],
      [PRE + DATA + 5, 30],
    ] as const) {
      expect(after[y * W + x]!).toBeCloseTo(before[y * W + x]! - fit[y]!, 3);
    }
    // The prescan is left alone.
    expect(after[5 * W + 1]).toBe(before[5 * W + 1]);
  });

  it('skips leading overscan columns next to the data', () => {
    const raw = makeRaw(() => LEVEL, 0);
    // Charge trailing into the first two overscan columns.
    const d = raw.image.array.data;
    for (let y = 0; y < H; y++) {
      d[y * W + PRE + DATA] = LEVEL + 50;
      d[y * W + PRE + DATA + 1] = LEVEL + 20;
    }
    const biased = task('MEAN').run(raw.clone(), amp).overscanValue as number;
    expect(biased).toBeCloseTo(LEVEL + 70 / OS, 6);
    const skipped = task('MEAN', 1, { leadingColumnsToSkip: 2 }).run(raw.clone(), amp).overscanValue as number;
    expect(skipped).toBeCloseTo(LEVEL, 6);
  });

  it('refuses an amplifier without overscan', () => {
    const noOs = new Amplifier({ name: 'X', bbox: box(0, 0, DATA, H), rawBBox: box(0, 0, W, H), rawDataBBox: box(PRE, 0, DATA, H), hasRawInfo: true });
    expect(() => task('MEDIAN').run(makeRaw(() => LEVEL, 1), noOs)).toThrow(IpIsrGeometryError);
  });
});
