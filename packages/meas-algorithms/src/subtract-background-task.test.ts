/**
 * subtractModel evaluates the model in bands of rows (interpolated) or adds it straight into the
 * image (approximated): the result must be exactly the image minus the model's one-piece image
 * (BackgroundModel.getImage, tested against numpy in @skystack/kernels),
 * for an interpolated and an approximated model, on an image whose height is not a band multiple.
 */
import { describe, expect, it } from 'vitest';
import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import { Exposure, MaskedImage } from '@skystack/afw-image';
import { makeBackground, makeParallelBackend } from '@skystack/kernels';
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

  for (const useApprox of [false, true]) {
    it(`on a sub-image (row stride), NaN pixels kept, sign ±1, the parallel backend too (${useApprox ? 'Chebyshev' : 'Akima'})`, async () => {
      const parent = MaskedImage.make('float32', new Extent2I(203, 180));
      const pd = parent.image.array.data;
      for (let k = 0; k < pd.length; k++) pd[k] = k % 53 === 7 ? NaN : 500 + 0.03 * (k % 203) - 0.01 * Math.floor(k / 203) + Math.cos(k * 0.21);
      const box = Box2I.fromCorner(new Point2I(6, 11), new Extent2I(167, 150));
      const before = Float32Array.from(pd);
      const view = parent.subset(box);
      const fitPixels = Float32Array.from(view.image.compactPixels() as Float32Array, (v) => (Number.isNaN(v) ? 500 : v));
      const model = makeBackground(fitPixels, 167, 150, {
        binSize: 32,
        x0: 6,
        y0: 11,
        approx: { useApprox, approxOrderX: 4 },
      });
      const full = model.getImage();
      const expected = (sign: number): Float32Array => {
        const e = Float32Array.from(before);
        for (let y = 0; y < 150; y++) for (let x = 0; x < 167; x++) e[(y + 11) * 203 + x + 6] = e[(y + 11) * 203 + x + 6]! + sign * full[y * 167 + x]!;
        return e;
      };
      const same = (a: Float32Array, b: Float32Array): number => {
        let bad = 0;
        for (let k = 0; k < a.length; k++) if (a[k] !== b[k] && !(Number.isNaN(a[k]) && Number.isNaN(b[k]))) bad++;
        return bad;
      };
      for (const sign of [-1, 1]) {
        pd.set(before);
        subtractModel(view, model, sign);
        expect(same(pd, expected(sign)), `pixels differing, sign ${sign}`).toBe(0);
      }
      // the same pixels and moments with the model evaluated on worker threads (rows split)
      pd.set(before);
      const cpuSums = new BandSums();
      subtractModel(view, model, -1, cpuSums);
      const onCpu = Float32Array.from(pd);
      const backend = makeParallelBackend({ workers: 3, minPixelsPerWorker: 1 });
      try {
        const onWorkers = makeBackground(fitPixels, 167, 150, {
          binSize: 32,
          x0: 6,
          y0: 11,
          approx: { useApprox, approxOrderX: 4 },
          backend,
        });
        pd.set(before);
        const sums = new BandSums();
        subtractModel(view, onWorkers, -1, sums);
        expect(same(pd, onCpu)).toBe(0);
        expect(sums.moments()).toEqual(cpuSums.moments());
      } finally {
        await backend.close();
      }
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

  it('BandSums adds per-row sums in row order, about the centre it was given', () => {
    const sums = new BandSums();
    expect(sums.center).toBeNaN();
    expect(sums.centerOn(60)).toBe(60);
    expect(sums.centerOn(70)).toBe(60);
    const width = 7;
    const rows = 5;
    const values = Array.from({ length: width * rows }, (_, i) => 50 + ((i * 37) % 101) * 0.5);
    const rowSums = new Float64Array(4 * rows);
    for (let r = 0; r < rows; r++) {
      for (let x = 0; x < width; x++) {
        const d = values[r * width + x]! - 60;
        rowSums[4 * r + (x % 2)] = rowSums[4 * r + (x % 2)]! + d;
        rowSums[4 * r + 2 + (x % 2)] = rowSums[4 * r + 2 + (x % 2)]! + d * d;
      }
    }
    sums.addRows(rowSums, rows, width);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
    expect(sums.moments().mean).toBeCloseTo(mean, 10);
    expect(sums.moments().variance).toBeCloseTo(variance, 8);
  });
});
