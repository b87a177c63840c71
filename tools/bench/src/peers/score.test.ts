import { describe, expect, it } from 'vitest';
import { crossMatch, median, robustScatter, scoreDetections, type Detection } from './score.js';
import type { TruthStar } from './star-field.js';

/** A truth star with a given aperture S/N and flux. */
function star(x: number, y: number, apertureSnr: number, apertureFlux = 1000): TruthStar {
  return { x, y, flux: apertureFlux, apertureFlux, apertureSnr };
}

describe('crossMatch', () => {
  it('pairs each truth star with its nearest detection within the radius', () => {
    const truth = [
      { x: 10, y: 10 },
      { x: 50, y: 50 },
      { x: 90, y: 90 },
    ];
    const dets = [
      { x: 50.5, y: 50 },
      { x: 10, y: 11.2 },
      { x: 93, y: 90 }, // 3 px away: no match
    ];
    const m = crossMatch(dets, truth, 1.5);
    expect([...m.truthOfDetection]).toEqual([1, 0, -1]);
    expect([...m.detectionOfTruth]).toEqual([1, 0, -1]);
    expect(m.nMatched).toBe(2);
  });

  it('is one to one: two detections of one star match once, the nearer one', () => {
    const truth = [{ x: 0, y: 0 }];
    const dets = [
      { x: 1.0, y: 0 },
      { x: 0.3, y: 0 },
    ];
    const m = crossMatch(dets, truth, 1.5);
    expect([...m.truthOfDetection]).toEqual([-1, 0]);
    expect(m.nMatched).toBe(1);
  });

  it('gives a contested detection to the closer star and lets the other star take its next detection', () => {
    // D0 is 0.4 from T0 and 0.6 from T1; D1 is 1.2 from T1. Greedy closest-first: T0–D0, then T1–D1.
    const truth = [
      { x: 0, y: 0 },
      { x: 1.0, y: 0 },
    ];
    const dets = [
      { x: 0.4, y: 0 },
      { x: 2.2, y: 0 },
    ];
    const m = crossMatch(dets, truth, 1.5);
    expect([...m.detectionOfTruth]).toEqual([0, 1]);
    expect(m.nMatched).toBe(2);
  });

  it('matches across grid cells and at exactly the radius, but not beyond it', () => {
    // 1.5 px apart, straddling a cell boundary (cells are radius-sized).
    const m = crossMatch([{ x: 2.9, y: 3.1 }], [{ x: 2.9 - 0.9, y: 3.1 + 1.2 }], 1.5);
    expect(m.nMatched).toBe(1);
    const far = crossMatch([{ x: 0, y: 0 }], [{ x: 1.2, y: 0.91 }], 1.5);
    expect(far.nMatched).toBe(0);
  });

  it('never matches a detection with a NaN position, and rejects a bad radius', () => {
    expect(crossMatch([{ x: Number.NaN, y: 0 }], [{ x: 0, y: 0 }], 1.5).nMatched).toBe(0);
    expect(() => crossMatch([], [], 0)).toThrow(RangeError);
    expect(() => crossMatch([], [], Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  it('handles negative coordinates', () => {
    expect(crossMatch([{ x: -0.2, y: -0.4 }], [{ x: 0.3, y: 0.1 }], 1.5).nMatched).toBe(1);
  });
});

describe('median and robustScatter', () => {
  it('agree with hand-computed values and skip non-finite entries', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([1, Number.NaN, 5, Number.POSITIVE_INFINITY])).toBe(3);
    expect(median([])).toBeNaN();
    // deviations from the median 3 of [1, 2, 3, 4, 10]: 2, 1, 0, 1, 7 → MAD 1
    expect(robustScatter([1, 2, 3, 4, 10])).toBeCloseTo(1.4826, 12);
  });
});

describe('scoreDetections', () => {
  // Four bright stars (S/N 100), two faint ones (S/N 10).
  const truth = [star(10, 10, 100), star(30, 10, 100), star(50, 10, 100), star(70, 10, 100), star(10, 40, 10), star(30, 40, 10)];

  it('counts completeness overall and for bright stars, and false detections', () => {
    const dets: Detection[] = [
      { x: 10.1, y: 10, apertureFlux: 1010 }, // bright 0
      { x: 30, y: 10.2, apertureFlux: 990 }, // bright 1
      { x: 50, y: 10, apertureFlux: 1000 }, // bright 2
      { x: 10, y: 40, apertureFlux: 900 }, // faint 4
      { x: 100, y: 100, apertureFlux: 50 }, // false
      { x: 10.3, y: 10, apertureFlux: 1000 }, // second detection of bright 0: false
    ];
    const s = scoreDetections(dets, truth);
    expect(s.nTruth).toBe(6);
    expect(s.nBright).toBe(4);
    expect(s.nDetections).toBe(6);
    expect(s.nMatched).toBe(4);
    expect(s.nMatchedBright).toBe(3);
    expect(s.completeness).toBeCloseTo(4 / 6, 15);
    expect(s.brightCompleteness).toBeCloseTo(3 / 4, 15);
    expect(s.falseDetections).toBe(2);
    // offsets of the matched bright stars: 0.1, 0.2, 0 → rms √((0.01 + 0.04 + 0) / 3)
    expect(s.centroidRmsBright).toBeCloseTo(Math.sqrt(0.05 / 3), 12);
    // flux/true − 1 of bright matches: +0.01, −0.01, 0 → median |·| 0.01; MAD about the median 0 is 0.01
    expect(s.nFluxBright).toBe(3);
    expect(s.fluxMedianAbsError).toBeCloseTo(0.01, 12);
    expect(s.fluxRobustScatter).toBeCloseTo(1.4826 * 0.01, 12);
  });

  it('uses the bright limit and match radius it is given, and leaves NaN fluxes out of the flux statistics', () => {
    const dets: Detection[] = [
      { x: 11, y: 10, apertureFlux: Number.NaN },
      { x: 30, y: 40, apertureFlux: 1100 },
    ];
    const s = scoreDetections(dets, truth, { matchRadius: 0.5, brightSnr: 5 });
    expect(s.nBright).toBe(6);
    expect(s.nMatched).toBe(1); // the first is 1 px off
    expect(s.nFluxBright).toBe(1);
    expect(s.fluxMedianAbsError).toBeCloseTo(0.1, 12);
    const wide = scoreDetections(dets, truth, { matchRadius: 1.5, brightSnr: 5 });
    expect(wide.nMatched).toBe(2);
    expect(wide.nFluxBright).toBe(1);
  });

  it('gives NaN rates for empty inputs', () => {
    const s = scoreDetections([], []);
    expect(s.completeness).toBeNaN();
    expect(s.brightCompleteness).toBeNaN();
    expect(s.centroidRmsBright).toBeNaN();
    expect(s.falseDetections).toBe(0);
  });
});
