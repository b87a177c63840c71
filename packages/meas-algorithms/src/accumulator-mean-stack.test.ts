// AccumulatorMeanStack against numpy: the weighted mean, both variances, the OR of the used
// masks, threshold propagation, the mask map and NO_DATA, computed independently in Python.
import { MaskedImage } from '@skystack/afw-image';
import { Extent2I } from '@skystack/geom';
import { runPythonJson } from '@skystack/test-support';
import { describe, expect, it } from 'vitest';
import { AccumulatorMeanStack } from './accumulator-mean-stack.js';
import { MeasAlgorithmsInvalidArgumentError } from './errors.js';

const W = 23;
const H = 17;
const N = 5;
const WEIGHTS = [0.5, 1.25, 2, 0.75, 3];
const BAD = 0b1011; // bits 0, 1, 3
const SAT = 1; // bit 1 has a threshold
const MAP: [number, number][] = [
  [0b1001, 1 << 5],
  [0b0010, 1 << 6],
];

/** Deterministic inputs: values, variances, masks (some bad), NaN pixels, a column bad everywhere. */
function inputs(): MaskedImage<Float32Array>[] {
  let s = 12345;
  const rnd = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  return Array.from({ length: N }, (_, i) => {
    const mi = MaskedImage.make('float32', new Extent2I(W, H));
    for (let k = 0; k < W * H; k++) {
      mi.image.array.data[k] = 100 + 10 * i + 20 * rnd();
      mi.variance.array.data[k] = 1 + 4 * rnd();
      const r = rnd();
      mi.mask.array.data[k] = r < 0.1 ? 1 << Math.floor(rnd() * 4) : r < 0.2 ? 1 << 4 : 0;
      if (k % W === 7) mi.mask.array.data[k] = mi.mask.array.data[k]! | 1; // column 7: bad in every input
      if (k === 40 + i) mi.image.array.data[k] = NaN; // a NaN without a bad bit
    }
    return mi;
  });
}

const ORACLE = String.raw`
import json, sys
import numpy as np
d = json.load(sys.stdin)
img = np.array(d['img'], dtype=float); var = np.array(d['var']); msk = np.array(d['msk'], dtype=np.int64)
w = np.array(d['w'])[:, None]
bad = d['bad']
good = ((msk & bad) == 0) & np.isfinite(img)
sw = (good * w).sum(0)
mean = np.where(good, img * w, 0).sum(0) / sw
var_in = np.where(good, var * w**2, 0).sum(0) / sw**2
sw2 = (good * w**2).sum(0)
swd2 = np.where(good, w * img**2, 0).sum(0)
var_sc = (swd2 / sw - mean**2) * sw**2 / (sw**2 - sw2) * sw2 / sw**2
orm = np.bitwise_or.reduce(np.where(good, msk, 0), axis=0)
rej = ((msk & (1 << d['satBit'])) > 0) * w
frac = rej.sum(0) / (sw + rej.sum(0))
orm = np.where(frac > d['threshold'], orm | (1 << d['satBit']), orm)
masked = np.bitwise_or.reduce(msk & bad, axis=0)
for f, t in d['map']:
    orm = np.where((masked & f) > 0, orm | t, orm)
orm = np.where(sw > 0, orm, orm | d['noData'])
nimg = ((msk & bad) == 0).sum(0)
out = lambda a: [None if not np.isfinite(v) else float(v) for v in a.ravel()]
print(json.dumps({'mean': out(mean), 'varIn': out(var_in), 'varSc': out(var_sc), 'mask': [int(v) for v in orm.ravel()], 'n': [int(v) for v in nimg.ravel()]}))
`;

describe('AccumulatorMeanStack', () => {
  const ins = inputs();
  const oracle = runPythonJson<{ mean: (number | null)[]; varIn: (number | null)[]; varSc: (number | null)[]; mask: number[]; n: number[] }>(ORACLE, [], {
    img: ins.map((m) => Array.from(m.image.array.data, (v) => (Number.isNaN(v) ? null : v))), // null: NaN
    var: ins.map((m) => Array.from(m.variance.array.data)),
    msk: ins.map((m) => Array.from(m.mask.array.data)),
    w: WEIGHTS,
    bad: BAD,
    satBit: SAT,
    threshold: 0.3,
    map: MAP,
    noData: 1 << 8,
  });
  const stack = (fromVariance: boolean): MaskedImage<Float32Array> => {
    const s = new AccumulatorMeanStack(W, H, BAD, { maskThresholds: new Map([[SAT, 0.3]]), maskMap: MAP, noGoodPixelsMask: 1 << 8, calcErrorFromInputVariance: fromVariance, computeNImage: true });
    ins.forEach((m, i) => s.addMaskedImage(m, WEIGHTS[i]));
    const out = MaskedImage.make('float32', new Extent2I(W, H));
    s.fillStackedMaskedImage(out);
    expect(Array.from(s.nImage!)).toEqual(oracle.n);
    return out;
  };
  const close = (got: Float32Array, want: (number | null)[]): void => {
    for (let k = 0; k < want.length; k++) {
      if (want[k] === null) expect(Number.isFinite(got[k]!), `pixel ${k}`).toBe(false);
      else expect(Math.abs(got[k]! - want[k]!), `pixel ${k}`).toBeLessThanOrEqual(2e-6 * Math.abs(want[k]!));
    }
  };

  it('gives numpy\'s weighted mean, Σw²var/(Σw)², mask OR, thresholds, mask map and NO_DATA', () => {
    const out = stack(true);
    close(out.image.array.data, oracle.mean);
    close(out.variance.array.data, oracle.varIn);
    expect(Array.from(out.mask.array.data)).toEqual(oracle.mask);
    // column 7 has no input: NO_DATA, and the mask map of bit 0
    expect(out.mask.array.data[7]! & (1 << 8)).not.toBe(0);
    expect(out.mask.array.data[7]! & (1 << 5)).not.toBe(0);
  });

  it('gives the de-biased scatter variance without calcErrorFromInputVariance', () => {
    close(stack(false).variance.array.data, oracle.varSc);
  });

  it('refuses other dimensions and bad weights', () => {
    const s = new AccumulatorMeanStack(W, H, BAD);
    expect(() => s.addMaskedImage(MaskedImage.make('float32', new Extent2I(W + 1, H)))).toThrow(MeasAlgorithmsInvalidArgumentError);
    expect(() => s.addMaskedImage(ins[0]!, 0)).toThrow(/weight must be finite and > 0/);
    expect(() => new AccumulatorMeanStack(0, H, BAD)).toThrow(/positive integer dimensions/);
  });
});
