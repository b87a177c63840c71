import { describe, expect, it } from 'vitest';
import { Exposure, Image, MaskedImage, type PixelArray } from '@skystack/afw-image';
import { UnknownFieldError } from '@skystack/pex-config';
import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import {
  Defects,
  IpIsrMissingCalibrationError,
  IpIsrUnsupportedStepError,
  IsrTask,
  IsrTaskConfig,
  UNSUPPORTED_ISR_STEPS,
  interpolateFromMask,
  setBadRegions,
} from '../src/index.js';
import {
  AMPS,
  BAD_COLUMN,
  DARK_TIME,
  EXP_TIME,
  NX,
  NY,
  SATURATED,
  darkTruth,
  flatTruth,
  makeSyntheticSet,
  truth,
} from './synthetic-raw.js';

function defectsForBadColumn(): Defects {
  return new Defects([Box2I.fromCorner(new Point2I(BAD_COLUMN, 0), new Extent2I(1, NY))], { DETECTOR: 0 });
}

function runDefault(seed = 12345): ReturnType<typeof makeSyntheticSet> & { out: ReturnType<IsrTask['run']> } {
  const set = makeSyntheticSet(seed);
  const config = new IsrTaskConfig();
  config.overscan.fitType = 'MEDIAN_PER_ROW';
  const task = new IsrTask({ config });
  const out = task.run({ ccdExposure: set.raw, bias: set.bias, dark: set.dark, flat: set.flat, defects: defectsForBadColumn() });
  return { ...set, out };
}

describe('IsrTask on a synthetic raw', () => {
  const { out } = runDefault();
  const exp = out.exposure;
  const img = exp.image.array;
  const mask = exp.mask;
  const m = mask.array;
  const W = 2 * NX;
  const ampOf = (x: number): (typeof AMPS)[number] => AMPS[x < NX ? 0 : 1];

  it('trims to the detector and returns the exposure twice', () => {
    expect(exp.getBBox().toString()).toBe(Box2I.fromCorner(new Point2I(0, 0), new Extent2I(W, NY)).toString());
    expect(out.outputExposure).toBe(exp);
    expect(out.overscans).toHaveLength(2);
  });

  it('recovers the sky + source signal within the noise', () => {
    const skip = mask.getPlaneBitMask(['SAT', 'BAD', 'INTRP', 'SUSPECT']);
    let n = 0;
    let sum = 0;
    let sum2 = 0;
    for (let y = 0; y < NY; y++) {
      for (let x = 0; x < W; x++) {
        if ((m.data[y * m.stride + x]! & skip) !== 0) continue;
        const a = ampOf(x);
        const t = truth(x, y);
        const f = flatTruth(x, y);
        const signal = t * f + darkTruth(x, y) * DARK_TIME;
        // Expected noise after ISR: Poisson + read noise + integer quantisation, divided by the flat.
        const sigma = Math.sqrt(signal / a.gain + (a.readNoise / a.gain) ** 2 + 1 / 12) / f;
        const z = (img.data[y * img.stride + x]! - t) / sigma;
        n++;
        sum += z;
        sum2 += z * z;
      }
    }
    const mean = sum / n;
    const std = Math.sqrt(sum2 / n - mean * mean);
    expect(n).toBeGreaterThan(W * NY - 3 * NY);
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(std - 1)).toBeLessThan(0.05);
  });

  it('sets the variance to image/gain + (readNoise/gain)² in ADU² (before dark and flat)', () => {
    const v = exp.variance.array;
    for (const [x, y] of [
      [5, 5],
      [45, 30],
      [70, 40],
      [100, 20],
      [127, 47],
    ] as const) {
      const a = ampOf(x);
      const f = flatTruth(x, y);
      // The variance was set after the bias, on I_b = image·flat + dark·t; then divided by flat².
      const ib = img.data[y * img.stride + x]! * f + darkTruth(x, y) * DARK_TIME;
      const expected = ib / a.gain + (a.readNoise / a.gain) ** 2;
      expect(v.data[y * v.stride + x]! * f * f).toBeCloseTo(expected, 2);
    }
  });

  it('masks the saturated pixels SAT, grown by growSaturationFootprintSize (Manhattan), and interpolates them', () => {
    const sat = mask.getPlaneBitMask('SAT');
    const intrp = mask.getPlaneBitMask('INTRP');
    const expected = new Set<string>();
    for (const [sx, sy] of SATURATED) {
      for (const [dx, dy] of [
        [0, 0],
        [1, 0],
        [-1, 0],
        [0, 1],
        [0, -1],
      ] as const) {
        expected.add(`${sx + dx},${sy + dy}`);
      }
    }
    const got = new Set<string>();
    for (let y = 0; y < NY; y++) for (let x = 0; x < W; x++) if ((m.data[y * m.stride + x]! & sat) !== 0) got.add(`${x},${y}`);
    expect([...got].sort()).toEqual([...expected].sort());
    for (const p of expected) {
      const [x, y] = p.split(',').map(Number) as [number, number];
      expect(m.data[y * m.stride + x]! & intrp).not.toBe(0);
      // Interpolated back near the sky level (500 ADU), not left at 65000.
      expect(Math.abs(img.data[y * img.stride + x]! - truth(x, y))).toBeLessThan(150);
    }
  });

  it('masks the bad column BAD + INTRP and interpolates it to the mean of its neighbours', () => {
    const bad = mask.getPlaneBitMask('BAD');
    const intrp = mask.getPlaneBitMask('INTRP');
    for (let y = 0; y < NY; y++) {
      const i = y * img.stride + BAD_COLUMN;
      expect(m.data[y * m.stride + BAD_COLUMN]! & bad).not.toBe(0);
      expect(m.data[y * m.stride + BAD_COLUMN]! & intrp).not.toBe(0);
      expect(img.data[i]!).toBeCloseTo((img.data[i - 1]! + img.data[i + 1]!) / 2, 3);
      expect(m.data[y * m.stride + BAD_COLUMN - 1]! & (bad | intrp)).toBe(0);
    }
  });

  it('sets a rough zero point from fluxMag0T1 and the exposure time', () => {
    const pc = exp.getPhotoCalib();
    expect(pc).not.toBeNull();
    // Instrumental flux of a zero-magnitude star: 10^(0.4·28) per second × EXP_TIME.
    expect(pc!.instFluxToMagnitude(10 ** (0.4 * 28) * EXP_TIME)).toBeCloseTo(0, 6);
  });

  it('keeps a pre-interpolation copy with doSaveInterpPixels', () => {
    const set = makeSyntheticSet(7);
    const config = new IsrTaskConfig();
    config.doSaveInterpPixels = true;
    const r = new IsrTask({ config }).run({ ccdExposure: set.raw, bias: set.bias, dark: set.dark, flat: set.flat, defects: defectsForBadColumn() });
    expect(r.preInterpExposure).not.toBeNull();
    const pre = r.preInterpExposure!.image.array;
    const post = r.exposure.image.array;
    // The bad column was set to the clipped mean (doSetBadRegions) before, interpolated after.
    expect(pre.data[5 * pre.stride + BAD_COLUMN]).not.toBeCloseTo(post.data[5 * post.stride + BAD_COLUMN]!, 1);
  });
});

describe('IsrTask inputs and config', () => {
  it('converts a uint16 raw to float and gives the same result as the float raw', () => {
    const a = makeSyntheticSet(99);
    const b = makeSyntheticSet(99);
    const u16 = Image.make('uint16', b.raw.getBBox());
    u16.assign(b.raw.image);
    const rawU = new Exposure(new MaskedImage(u16), b.raw.getInfo().clone());
    const run = (raw: Exposure<PixelArray>, s: typeof a): Exposure<Float32Array> =>
      new IsrTask().run({ ccdExposure: raw, bias: s.bias, dark: s.dark, flat: s.flat, defects: defectsForBadColumn() }).exposure;
    const fa = run(a.raw, a).image.array.data;
    const fb = run(rawU, b).image.array.data;
    expect(Array.from(fb)).toEqual(Array.from(fa));
    // The uint16 input is left untouched.
    expect(rawU.image.pixelType).toBe('uint16');
  });

  it('refuses a missing calibration for an enabled step', () => {
    const set = makeSyntheticSet(1);
    const task = new IsrTask();
    expect(() => task.run({ ccdExposure: set.raw, dark: set.dark, flat: set.flat, defects: new Defects() })).toThrow(IpIsrMissingCalibrationError);
    expect(() => task.run({ ccdExposure: set.raw, dark: set.dark, flat: set.flat, defects: new Defects() })).toThrow(/doBias/);
  });

  it('refuses each unsupported step, naming it', () => {
    for (const step of UNSUPPORTED_ISR_STEPS) {
      const config = new IsrTaskConfig();
      expect(config[step]).toBe(false);
      config[step] = true;
      expect(() => new IsrTask({ config })).toThrow(IpIsrUnsupportedStepError);
      expect(() => config.validate()).toThrow(new RegExp(`${step}=true`));
    }
  });

  it('refuses the parallel overscan and unknown fields', () => {
    const config = new IsrTaskConfig();
    config.overscan.doParallelOverscan = true;
    expect(() => new IsrTask({ config })).toThrow(/doParallelOverscan/);
    expect(() => {
      (new IsrTaskConfig() as unknown as Record<string, unknown>)['doBiass'] = true;
    }).toThrow(UnknownFieldError);
  });

  it('has LSST defaults for the implemented steps', () => {
    const c = new IsrTaskConfig();
    expect([c.doOverscan, c.doAssembleCcd, c.doBias, c.doDark, c.doFlat, c.doDefect, c.doVariance, c.doInterpolate, c.doSaturation, c.doSetBadRegions]).toEqual(
      Array(10).fill(true),
    );
    expect(c.doSuspect).toBe(false);
    expect(c.growSaturationFootprintSize).toBe(1);
    expect(c.flatScalingType).toBe('USER');
    expect(c.overscan.fitType).toBe('MEDIAN');
    expect(c.overscan.order).toBe(1);
    expect(c.overscan.numSigmaClip).toBe(3);
    expect(c.overscan.maskPlanes).toEqual(['BAD', 'SAT']);
    expect(c.overscan.overscanIsInt).toBe(true);
    expect(c.maskListToInterpolate).toEqual(['SAT', 'BAD']);
    expect(c.effectiveMaskListToInterpolate()).toEqual(['SAT', 'BAD', 'UNMASKEDNAN']);
    expect(c.badStatistic).toBe('MEANCLIP');
  });

  it('drops the connections of steps that are off', () => {
    const config = new IsrTaskConfig();
    config.doDark = false;
    config.doDefect = false;
    const task = new IsrTask({ config });
    const conns = task.makeConnections();
    expect(conns.has('dark')).toBe(false);
    expect(conns.has('defects')).toBe(false);
    expect(conns.has('bias')).toBe(true);
    expect(conns.has('preInterpExposure')).toBe(false);
    expect(conns.get('outputExposure')?.name).toBe('postISRCCD');
    expect(conns.get('ccdExposure')?.name).toBe('raw');
    expect(conns.get('flat')?.dimensions).toEqual(['instrument', 'physical_filter', 'detector']);
  });

  it('needs the dark time of the raw when doDark is on', () => {
    const set = makeSyntheticSet(3);
    set.raw.setVisitInfo(null);
    const task = new IsrTask();
    expect(() => task.run({ ccdExposure: set.raw, bias: set.bias, dark: set.dark, flat: set.flat, defects: new Defects() })).toThrow(/darktime/i);
  });

  describe('BAD regions and interpolation', () => {
    const column = (x: number): Box2I => Box2I.fromCorner(new Point2I(x, 0), new Extent2I(1, NY));
    /** IsrTask with the defaults, and the same raw taken up to interpolation and finished by hand in LSST's order. */
    const outputs = (defects: Defects): { task: Float32Array; reference: Float32Array; noFill: Float32Array } => {
      const run = (bare: boolean): Exposure<Float32Array> => {
        const config = new IsrTaskConfig();
        config.overscan.fitType = 'MEDIAN_PER_ROW';
        if (bare) {
          config.doSetBadRegions = false;
          config.doInterpolate = false;
        }
        const set = makeSyntheticSet(7);
        return new IsrTask({ config }).run({ ccdExposure: set.raw, bias: set.bias, dark: set.dark, flat: set.flat, defects }).exposure;
      };
      const planes = new IsrTaskConfig().effectiveMaskListToInterpolate();
      const finish = (fill: boolean): Float32Array => {
        const mi = run(true).maskedImage;
        if (fill) setBadRegions(mi, 'MEANCLIP');
        interpolateFromMask(mi, { maskNameList: planes, growSaturatedFootprints: 1 });
        return Float32Array.from(mi.image.array.data);
      };
      return { task: Float32Array.from(run(false).image.array.data), reference: finish(true), noFill: finish(false) };
    };

    it('gives the pixels of setBadRegions followed by interpolation when every BAD run has good neighbours', () => {
      const { task, reference } = outputs(new Defects([column(BAD_COLUMN)]));
      expect(task).toEqual(reference);
    });

    it('fills BAD with the clipped mean first when a BAD run touches the edge (its fallback value sees the fill)', () => {
      const { task, reference, noFill } = outputs(new Defects([column(BAD_COLUMN), column(0)]));
      expect(task).toEqual(reference);
      // The fill matters here: without it the edge column gets another fallback value.
      expect(noFill[0]).not.toBe(reference[0]);
    });
  });
});
