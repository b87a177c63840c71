import { MaskedImageF, type MaskedImage } from '@skystack/afw-image';
import { Extent2I } from '@skystack/geom';
import { runPythonJson } from '@skystack/test-support';
import { describe, expect, it } from 'vitest';
import { PipeTasksInvalidArgumentError } from '../errors.js';
import { statisticsStack } from './statistics-stack.js';

/** 1x1 masked images holding the given values (variance `v`, mask 0 unless given). */
function column(values: readonly number[], variances: readonly number[] = values.map(() => 1), masks: readonly number[] = values.map(() => 0)): MaskedImage[] {
  return values.map((v, i) => {
    const mi = MaskedImageF(new Extent2I(1, 1));
    mi.image.array.data[0] = v;
    mi.variance.array.data[0] = variances[i]!;
    mi.mask.array.data[0] = masks[i]!;
    return mi;
  });
}

const at0 = (mi: MaskedImage): [number, number, number] => [mi.image.array.data[0]!, mi.variance.array.data[0]!, mi.mask.array.data[0]!];

describe('statisticsStack', () => {
  it('MEDIAN and MEAN agree with numpy on random stacks (weights, input variance, scatter)', () => {
    const n = 9;
    const images = Array.from({ length: n }, (_, i) => {
      const mi = MaskedImageF(new Extent2I(6, 5));
      mi.image.array.data.forEach((_, k, a) => (a[k] = Math.sin(1.3 * k + 0.7 * i * i) * 10 + i));
      mi.variance.array.data.fill(1 + i);
      return mi;
    });
    const weights = images.map((_, i) => 1 / (1 + i));
    const med = statisticsStack(images, { statistic: 'MEDIAN' });
    const wmean = statisticsStack(images, { statistic: 'MEAN', weights, calcErrorFromInputVariance: true });
    const smean = statisticsStack(images, { statistic: 'MEAN', weights });
    const umean = statisticsStack(images, { statistic: 'MEAN' });
    const o = runPythonJson<{ median: number[]; mean: number[]; var_in: number[]; var_scatter: number[] }>(
      String.raw`
import sys, json
import numpy as np
d = json.load(sys.stdin)
x = np.array(d['x'], dtype=np.float32).astype(np.float64)
v = np.array(d['v'], dtype=np.float64)
w = np.array(d['w'])[:, None]
mean = np.sum(w * x, axis=0) / np.sum(w)
sw, sw2 = np.sum(w), np.sum(w ** 2)
var_s = np.sum(w * (x - mean) ** 2, axis=0) / sw * sw ** 2 / (sw ** 2 - sw2)
print(json.dumps({'median': np.median(x, axis=0).tolist(), 'mean': mean.tolist(),
  'var_in': (np.sum(w ** 2 * v, axis=0) / sw ** 2).tolist(), 'var_scatter': (var_s * sw2 / sw ** 2).tolist()}))
`,
      [],
      { x: images.map((m) => Array.from(m.image.array.data)), v: images.map((m) => Array.from(m.variance.array.data)), w: weights },
    );
    for (let k = 0; k < 30; k++) {
      expect(med.image.array.data[k]).toBeCloseTo(o.median[k]!, 5);
      expect(wmean.image.array.data[k]).toBeCloseTo(o.mean[k]!, 4);
      expect(wmean.variance.array.data[k]! / o.var_in[k]!).toBeCloseTo(1, 5);
      expect(smean.variance.array.data[k]! / o.var_scatter[k]!).toBeCloseTo(1, 4);
      expect(med.variance.array.data[k]! / ((Math.PI / 2) * umean.variance.array.data[k]!)).toBeCloseTo(1, 5);
    }
  });

  it('MEANCLIP clips an outlier (analytic) and flags it', () => {
    // 1..9 and 100: median 5.5, IQR 4.5, first-pass half-width 3·0.7413·4.5 = 10.0: 100 goes.
    const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 100];
    const [v, variance, mask] = at0(statisticsStack(column(values), { statistic: 'MEANCLIP', numIter: 2, calcErrorFromInputVariance: true, clipped: 0x100 }));
    expect(v).toBeCloseTo(5, 6);
    expect(variance).toBeCloseTo(1 / 9, 6);
    expect(mask).toBe(0x100);
    // Nothing to clip: the plain mean, not flagged.
    const [v2, , mask2] = at0(statisticsStack(column([1, 2, 3]), { statistic: 'MEANCLIP', clipped: 0x100 }));
    expect(v2).toBeCloseTo(2, 6);
    expect(mask2).toBe(0);
  });

  it('rejects masked and NaN inputs, ORs, propagates over threshold, maps rejected bits, flags no data', () => {
    const opts = { statistic: 'MEAN' as const, andMask: 0b110, maskPropagationThresholds: new Map([[1, 0.4]]), maskMap: [[0b100, 0b1000]] as [number, number][], noGoodPixelsMask: 0x10000 };
    // Input 1 has bit 1 (rejected: 1 / (2 used + 1) = 33% < 40%), input 2 is NaN (not counted), input 3 has bit 0 (used, OR-ed).
    let [v, , m] = at0(statisticsStack(column([1, 50, NaN, 3], undefined, [0, 0b10, 0, 0b1]), opts));
    expect(v).toBe(2);
    expect(m).toBe(0b1);
    // Two of four rejected with bit 1: 2 / (2 + 2) = 50% > 40%.
    [v, , m] = at0(statisticsStack(column([1, 50, 60, 3], undefined, [0, 0b10, 0b10, 0]), opts));
    expect(v).toBe(2);
    expect(m).toBe(0b10);
    // Bit 2 rejects and maps to bit 3.
    [, , m] = at0(statisticsStack(column([1, 50], undefined, [0, 0b100]), opts));
    expect(m).toBe(0b1000);
    // Nothing usable.
    [v, , m] = at0(statisticsStack(column([NaN, 50], undefined, [0, 0b100]), opts));
    expect(v).toBeNaN();
    expect(m).toBe(0b1000 | 0x10000);
  });

  it('refuses bad arguments', () => {
    expect(() => statisticsStack([], { statistic: 'MEAN' })).toThrow(PipeTasksInvalidArgumentError);
    expect(() => statisticsStack(column([1, 2]), { statistic: 'MEAN', weights: [1] })).toThrow(/different length/);
    expect(() => statisticsStack(column([1, 2]), { statistic: 'MEAN', weights: [1, 0] })).toThrow(/> 0/);
    expect(() => statisticsStack([...column([1]), MaskedImageF(new Extent2I(2, 1))], { statistic: 'MEAN' })).toThrow(/Bad dimensions/);
    expect(() => statisticsStack(column([1]), { statistic: 'MAX' as never })).toThrow(/Unknown stacking statistic/);
  });
});
