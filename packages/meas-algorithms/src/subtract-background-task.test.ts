/**
 * subtractModel evaluates the model in bands of rows: the result must be exactly the image minus
 * the model's one-piece image (BackgroundModel.getImage, tested against numpy in @skystack/kernels),
 * for an interpolated and an approximated model, on an image whose height is not a band multiple.
 */
import { describe, expect, it } from 'vitest';
import { Extent2I, Point2I } from '@skystack/geom';
import { Exposure, MaskedImage } from '@skystack/afw-image';
import { makeBackground } from '@skystack/kernels';
import { BandSums, SubtractBackgroundConfig, SubtractBackgroundTask, subtractModel } from './subtract-background-task.js';

describe('subtractModel', () => {
  for (const useApprox of [false, true]) {
    it(`subtracts exactly the one-piece model image (${useApprox ? 'Chebyshev' : 'Akima'}), and adds it back with sign +1`, () => {
      const w = 150;
      const h = 301;
      const mi = MaskedImage.make('float32', new Extent2I(w, h));
      mi.setXY0(new Point2I(17, -4));
      const data = mi.image.array.data;
      for (let k = 0; k < data.length; k++) data[k] = 100 + 0.02 * (k % w) + 0.05 * Math.floor(k / w) + Math.sin(k * 0.37);
      const before = Float32Array.from(data);
      const model = makeBackground(before, w, h, { binSize: 32, x0: 17, y0: -4, approx: { useApprox, approxOrderX: 3 } });
      const full = model.getImage();
      subtractModel(mi, model);
      for (let k = 0; k < data.length; k++) if (data[k] !== Math.fround(before[k]! - full[k]!)) throw new Error(`pixel ${k}: ${data[k]} != ${before[k]! - full[k]!}`);
      subtractModel(mi, model, 1);
      for (let k = 0; k < data.length; k++) expect(Math.abs(data[k]! - before[k]!)).toBeLessThan(1e-4);
    });
  }
});

/**
 * SubtractBackgroundTask records BGMEAN and BGVAR from the bands it subtracts (no full-size
 * background image). Reference: the mean and unbiased variance of the model's one-piece image,
 * summed here in plain double precision.
 */
describe('SubtractBackgroundTask BGMEAN / BGVAR', () => {
  it('are the mean and variance of the whole background image', () => {
    const w = 300;
    const h = 290; // not a multiple of the band height
    const exposure = Exposure.make('float32', new Extent2I(w, h));
    const data = exposure.image.array.data;
    for (let k = 0; k < data.length; k++) data[k] = 1000 + 0.3 * (k % w) - 0.2 * Math.floor(k / w) + 5 * Math.sin(k * 0.11);
    const config = new SubtractBackgroundConfig();
    config.binSize = 64;
    const task = new SubtractBackgroundTask({ config });
    const model = task.fitBackground(exposure.maskedImage);
    const image = model.getImage();
    let s = 0;
    for (const v of image) s += v;
    const mean = s / image.length;
    let q = 0;
    for (const v of image) q += (v - mean) ** 2;
    const variance = q / (image.length - 1);
    expect(variance).toBeGreaterThan(100);
    task.run(exposure);
    expect(exposure.metadata.get('BGMEAN') as number).toBeCloseTo(mean, 9);
    expect(Math.abs((exposure.metadata.get('BGVAR') as number) / variance - 1)).toBeLessThan(1e-10);
  });

  it('BandSums adds bands of any length, odd ones included', () => {
    const sums = new BandSums();
    const values = Float32Array.from({ length: 1001 }, (_, i) => 50 + ((i * 37) % 101) * 0.5);
    sums.add(values.subarray(0, 333), 333);
    sums.add(values.subarray(333), 668);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
    expect(sums.moments().mean).toBeCloseTo(mean, 10);
    expect(sums.moments().variance).toBeCloseTo(variance, 8);
  });
});
