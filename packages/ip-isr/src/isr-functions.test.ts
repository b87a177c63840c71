import { describe, expect, it } from 'vitest';
import { Mask, MaskedImageF } from '@skystack/afw-image';
import { box } from '../test/synthetic-raw.js';
import { IpIsrInvalidArgumentError } from './errors.js';
import {
  darkCorrection,
  flatCorrection,
  growMasks,
  interpolateOverDefects,
  makeThresholdMask,
  maskEdges,
  maskNans,
  orMaskByName,
  planeBits,
  setBadRegions,
  updateVariance,
  widenSaturationTrails,
} from './isr-functions.js';

function setOf(mask: Mask, bits: number): Set<string> {
  const out = new Set<string>();
  const { data, width, height, stride } = mask.array;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if ((data[y * stride + x]! & bits) !== 0) out.add(`${x},${y}`);
  return out;
}

describe('growMasks', () => {
  it('dilates with a Manhattan diamond of the radius', () => {
    const mask = Mask.make(box(0, 0, 15, 15));
    const sat = mask.getPlaneBitMask('SAT');
    mask.set(7, 7, sat);
    mask.set(0, 0, sat);
    growMasks(mask, 2, ['SAT'], 'SAT');
    const expected = new Set<string>();
    for (let y = 0; y < 15; y++) {
      for (let x = 0; x < 15; x++) if (Math.abs(x - 7) + Math.abs(y - 7) <= 2 || x + y <= 2) expected.add(`${x},${y}`);
    }
    expect(setOf(mask, sat)).toEqual(expected);
  });

  it('sets another plane on the grown area', () => {
    const mask = Mask.make(box(0, 0, 5, 5));
    mask.set(2, 2, mask.getPlaneBitMask('BAD'));
    const n = growMasks(mask, 1, ['BAD'], 'SUSPECT');
    expect(n).toBe(5);
    expect(setOf(mask, mask.getPlaneBitMask('SUSPECT')).size).toBe(5);
  });
});

describe('makeThresholdMask', () => {
  it('masks pixels >= threshold, grown, leaving earlier bits of the plane alone', () => {
    const mi = MaskedImageF(box(0, 0, 10, 10));
    mi.image.set(5, 5, 100);
    mi.image.set(2, 2, 99.9);
    mi.mask.set(0, 9, mi.mask.getPlaneBitMask('SAT'));
    expect(makeThresholdMask(mi, 100, 1, 'SAT')).toBe(1);
    const got = setOf(mi.mask, mi.mask.getPlaneBitMask('SAT'));
    expect(got).toEqual(new Set(['5,5', '4,5', '6,5', '5,4', '5,6', '0,9']));
    expect(mi.mask.planeDict.hasPlane('__ISR_THRESHOLD_SCRATCH')).toBe(false);
  });
});

describe('widenSaturationTrails', () => {
  it('grows runs by 0 (1-5 px), 1 (6-7), 3 (8-9), 4 (10+) on each side', () => {
    const mask = Mask.make(box(0, 0, 60, 4));
    const sat = mask.getPlaneBitMask('SAT');
    const run = (y: number, x0: number, w: number): void => {
      for (let x = x0; x < x0 + w; x++) mask.set(x, y, sat);
    };
    run(0, 20, 5);
    run(1, 20, 6);
    run(2, 20, 8);
    run(3, 20, 12);
    widenSaturationTrails(mask);
    const width = (y: number): [number, number] => {
      const xs = [...setOf(mask, sat)].map((p) => p.split(',').map(Number) as [number, number]).filter(([, yy]) => yy === y).map(([x]) => x);
      return [Math.min(...xs), Math.max(...xs)];
    };
    expect(width(0)).toEqual([20, 24]);
    expect(width(1)).toEqual([19, 26]);
    expect(width(2)).toEqual([17, 30]);
    expect(width(3)).toEqual([16, 35]);
  });
});

describe('interpolateOverDefects', () => {
  it('interpolates linearly along rows between good neighbours and sets INTRP', () => {
    const mi = MaskedImageF(box(0, 0, 10, 3));
    for (let y = 0; y < 3; y++) for (let x = 0; x < 10; x++) mi.image.set(x, y, 10 * x + y);
    const bad = mi.mask.getPlaneBitMask('BAD');
    for (const x of [3, 4, 5]) mi.mask.set(x, 1, bad);
    mi.image.set(3, 1, 1e6);
    const n = interpolateOverDefects(mi, bad, { fallbackValue: -1 });
    expect(n).toBe(3);
    // Between (2,1)=21 and (6,1)=61: 31, 41, 51.
    expect([3, 4, 5].map((x) => mi.image.get(x, 1))).toEqual([31, 41, 51]);
    expect(mi.mask.get(4, 1) & mi.mask.getPlaneBitMask('INTRP')).not.toBe(0);
    expect(mi.mask.get(2, 1) & mi.mask.getPlaneBitMask('INTRP')).toBe(0);
  });

  it('gives the fallback to runs at the edge or longer than maxInterpolationDistance', () => {
    const mi = MaskedImageF(box(0, 0, 10, 2));
    mi.image.set(5);
    const bad = mi.mask.getPlaneBitMask('BAD');
    mi.mask.set(0, 0, bad);
    for (let x = 2; x <= 6; x++) mi.mask.set(x, 1, bad);
    interpolateOverDefects(mi, bad, { fallbackValue: -7, maxInterpolationDistance: 4 });
    expect(mi.image.get(0, 0)).toBe(-7);
    expect(mi.image.get(4, 1)).toBe(-7);
    // Without a fallback value: the clipped mean of the image.
    const mj = MaskedImageF(box(0, 0, 10, 2));
    mj.image.set(5);
    mj.image.set(9, 1, 1000);
    mj.mask.set(9, 1, bad);
    interpolateOverDefects(mj, bad);
    expect(mj.image.get(9, 1)).toBe(5);
  });
});

describe('calibration arithmetic', () => {
  it('updateVariance: V = I/gain + (readNoise/gain)²', () => {
    const mi = MaskedImageF(box(0, 0, 3, 2));
    mi.image.set(1, 1, 300);
    updateVariance(mi, 1.5, 6);
    expect(mi.variance.get(1, 1)).toBeCloseTo(300 / 1.5 + 16, 4);
    expect(mi.variance.get(0, 0)).toBeCloseTo(16, 5);
  });

  it('darkCorrection scales by the dark-time ratio and adds scaled variance', () => {
    const mi = MaskedImageF(box(0, 0, 2, 2));
    mi.image.set(100);
    mi.variance.set(10);
    const dark = MaskedImageF(box(0, 0, 2, 2));
    dark.image.set(0.5);
    dark.variance.set(0.01);
    darkCorrection(mi, dark, 30, 2);
    expect(mi.image.get(0, 0)).toBeCloseTo(100 - 0.5 * 15, 5);
    expect(mi.variance.get(0, 0)).toBeCloseTo(10 + 0.01 * 225, 4);
    darkCorrection(mi, dark, 30, 2, true);
    expect(mi.image.get(0, 0)).toBeCloseTo(100, 5);
    expect(() => darkCorrection(mi, MaskedImageF(box(0, 0, 3, 2)), 1, 1)).toThrow(IpIsrInvalidArgumentError);
  });

  it('flatCorrection divides by flat/scale with USER, MEAN and MEDIAN scaling', () => {
    const make = (): ReturnType<typeof MaskedImageF> => {
      const mi = MaskedImageF(box(0, 0, 4, 1));
      mi.image.set(120);
      mi.variance.set(40);
      return mi;
    };
    const flat = MaskedImageF(box(0, 0, 4, 1));
    [1, 2, 3, 6].forEach((v, x) => flat.image.set(x, 0, v));
    let mi = make();
    expect(flatCorrection(mi, flat, 'USER', 2)).toBe(2);
    expect(mi.image.get(3, 0)).toBeCloseTo((120 * 2) / 6, 5);
    expect(mi.variance.get(3, 0)).toBeCloseTo(40 / 9, 5);
    mi = make();
    expect(flatCorrection(mi, flat, 'MEAN')).toBe(3);
    expect(mi.image.get(0, 0)).toBeCloseTo(360, 4);
    mi = make();
    expect(flatCorrection(mi, flat, 'MEDIAN')).toBe(2.5);
    mi = make();
    flatCorrection(mi, flat, 'USER', 1);
    flatCorrection(mi, flat, 'USER', 1, true);
    expect(mi.image.get(2, 0)).toBeCloseTo(120, 4);
  });

  it('setBadRegions replaces BAD (not INTRP) pixels by the statistic of the others', () => {
    const mi = MaskedImageF(box(0, 0, 5, 1));
    [1, 2, 3, 100, 4].forEach((v, x) => mi.image.set(x, 0, v));
    mi.mask.set(3, 0, mi.mask.getPlaneBitMask('BAD'));
    const r = setBadRegions(mi, 'MEDIAN');
    expect(r).toEqual({ count: 1, value: 2.5 });
    expect(mi.image.get(3, 0)).toBe(2.5);
    expect(setBadRegions(MaskedImageF(box(0, 0, 2, 2)), 'MEANCLIP').count).toBe(0);
  });

  it('maskNans, maskEdges, planeBits and orMaskByName', () => {
    const mi = MaskedImageF(box(0, 0, 6, 6));
    mi.image.set(1, 1, Number.NaN);
    mi.image.set(2, 2, Number.POSITIVE_INFINITY);
    const nan = planeBits(mi.mask, 'UNMASKEDNAN');
    expect(maskNans(mi, nan)).toBe(2);
    maskEdges(mi, 1, 'SUSPECT');
    expect(setOf(mi.mask, mi.mask.getPlaneBitMask('SUSPECT')).size).toBe(36 - 16);
    const other = Mask.make(box(0, 0, 6, 6));
    other.addMaskPlane('STREAK');
    other.set(4, 4, other.getPlaneBitMask('STREAK') | other.getPlaneBitMask('CR'));
    orMaskByName(mi.mask, other);
    expect(mi.mask.get(4, 4) & mi.mask.getPlaneBitMask(['STREAK', 'CR'])).toBe(mi.mask.getPlaneBitMask(['STREAK', 'CR']));
  });
});
