/**
 * Threshold: afw's type names, the per-type scaling of getValue, and the clipped standard
 * deviation used for STDEV thresholds (checked against the known noise of a seeded image).
 */
import { describe, expect, it } from 'vitest';
import { Image } from '@skystack/afw-image';
import { Extent2I } from '@skystack/geom';
import { MeasAlgorithmsInvalidArgumentError } from './errors.js';
import { Threshold } from './threshold.js';

describe('Threshold', () => {
  it('parses afw type names and scales the value as afw', () => {
    expect(Threshold.create(5, 'pixel_stdev').getType()).toBe('PIXEL_STDEV');
    expect(Threshold.create(5).getType()).toBe('VALUE');
    expect(() => Threshold.create(5, 'sigma' as never)).toThrow(MeasAlgorithmsInvalidArgumentError);
    expect(new Threshold(5, 'STDEV').getValue(2)).toBe(10);
    expect(new Threshold(5, 'VARIANCE').getValue(4)).toBe(10);
    expect(new Threshold(5, 'PIXEL_STDEV').getValue()).toBe(5);
    expect(() => new Threshold(5, 'STDEV').getValue(0)).toThrow(MeasAlgorithmsInvalidArgumentError);
    const t = new Threshold(3, 'VALUE', false, 2);
    expect([t.getPolarity(), t.getIncludeMultiplier(), t.toString()]).toEqual([false, 2, 'Threshold(3 VALUE, negative)']);
  });
  it('uses the clipped standard deviation of the image for STDEV (outliers ignored)', () => {
    const im = Image.make('float32', new Extent2I(200, 200));
    let s = 7;
    const u = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    for (let i = 0; i < im.array.data.length; i += 2) {
      const r = Math.sqrt(-2 * Math.log(Math.max(u(), 1e-12)));
      const a = 2 * Math.PI * u();
      im.array.data[i] = 4 * r * Math.cos(a);
      im.array.data[i + 1] = 4 * r * Math.sin(a);
    }
    for (let i = 0; i < 200; i++) im.array.data[i * 199] = 1e6; // bright outliers
    const v = new Threshold(5, 'STDEV').getValueFor(im);
    expect(v / 5).toBeGreaterThan(4 * 0.95);
    expect(v / 5).toBeLessThan(4 * 1.05);
    expect(new Threshold(5, 'VALUE').getValueFor(im)).toBe(5);
  });
});
