import { MaskedImage } from '@skystack/afw-image';
import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import { describe, expect, it } from 'vitest';
import { makeRandom } from '../test/single-frame-scene.js';
import { ScaleVarianceError } from './errors.js';
import { ScaleVarianceConfig, ScaleVarianceTask } from './scale-variance-task.js';

// LSST's robust σ is 0.74 × IQR; for a Gaussian the IQR is 1.34898 σ, so the factor measured
// for a true ratio r is (0.74 × 1.34898)² r, not r.
const GAUSS_BIAS = (0.74 * 1.3489795) ** 2;
const SIZE = 600;

/**
 * A sky with a strong gradient (50 counts across the image, 12× the noise) plus Gaussian noise
 * of σ = `sigma`, a variance plane of `variance`, and a 40×40 block of a bright, DETECTED
 * "source" with a wrong variance that the statistics must leave out.
 */
function makeImage(sigma: number, variance: number | ((x: number, y: number) => number), seed = 3): MaskedImage<Float32Array> {
  const mi = MaskedImage.make('float32', Box2I.fromCorner(new Point2I(100, 200), new Extent2I(SIZE, SIZE)));
  const { gauss } = makeRandom(seed);
  const im = mi.image.array.data;
  const va = mi.variance.array.data;
  const ma = mi.mask.array.data;
  const detected = mi.mask.getPlaneBitMask('DETECTED');
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const k = y * SIZE + x;
      im[k] = 1000 + (50 * x) / SIZE + (30 * y) / SIZE + sigma * gauss();
      va[k] = typeof variance === 'number' ? variance : variance(x, y);
      if (x >= 300 && x < 340 && y >= 300 && y < 340) {
        im[k] = im[k]! + 5000;
        va[k] = 1e-6;
        ma[k] = detected;
      }
    }
  }
  return mi;
}

describe('ScaleVarianceTask', () => {
  it("has LSST's defaults, with its background subtask on 32-pixel interpolated bins", () => {
    const c = new ScaleVarianceConfig();
    expect(c.limit).toBe(10);
    expect(c.maskPlanes).toEqual(['DETECTED', 'DETECTED_NEGATIVE', 'BAD', 'SAT', 'NO_DATA', 'INTRP']);
    expect(c.background.binSize).toBe(32);
    expect(c.background.useApprox).toBe(false);
    expect(c.background.undersampleStyle).toBe('REDUCE_INTERP_ORDER');
    expect(c.background.ignoredPixelMask).toEqual(c.maskPlanes);
  });

  it('scales the variance by the noise ratio after removing the background; the image plane is untouched', () => {
    // Noise σ = 4 (variance 16) described by a variance plane of 4: the true factor is 4.
    const mi = makeImage(4, 4);
    const before = Float32Array.from(mi.image.array.data);
    const task = new ScaleVarianceTask();
    const factor = task.run(mi);
    // 360k pixels: the IQR's relative standard error is ~0.2% in σ, 0.4% in the factor.
    expect(factor / (4 * GAUSS_BIAS)).toBeGreaterThan(0.985);
    expect(factor / (4 * GAUSS_BIAS)).toBeLessThan(1.015);
    expect(mi.variance.array.data[0]).toBe(Math.fround(4 * Math.fround(factor)));
    expect(mi.variance.array.data[310 * SIZE + 310]).toBe(Math.fround(1e-6 * Math.fround(factor)));
    expect(Buffer.from(mi.image.array.data.buffer).equals(Buffer.from(before.buffer))).toBe(true);
  });

  it('the background matters: without it the gradient would inflate the factor several times', () => {
    const mi = makeImage(4, 16);
    const task = new ScaleVarianceTask();
    const { pixelFactor, imageFactor } = task.computeScaleFactors(mi).getDict();
    expect(pixelFactor / GAUSS_BIAS).toBeCloseTo(1, 1);
    expect(imageFactor / GAUSS_BIAS).toBeCloseTo(1, 1);
    // The same statistic with no background removed: the 50 + 30 count ramp dominates.
    expect(task.pixelBased(mi)).toBeGreaterThan(5);
  });

  it('falls back to the image-based estimate when the pixel-based one exceeds the limit', () => {
    // 45% of the pixels (every column x % 20 < 9) claim a variance 10⁴ times too small; the median
    // variance is still the true one, so the image-based factor is 1 × the Gaussian bias.
    const mi = makeImage(1, (x) => (x % 20 < 9 ? 1e-4 : 1));
    const config = new ScaleVarianceConfig();
    config.limit = 3;
    const task = new ScaleVarianceTask({ config });
    const { pixelFactor } = task.computeScaleFactors(mi).getDict();
    expect(pixelFactor).toBeGreaterThan(3);
    const factor = task.run(mi);
    expect(factor / GAUSS_BIAS).toBeGreaterThan(0.985);
    expect(factor / GAUSS_BIAS).toBeLessThan(1.015);
  });

  it('refuses a factor beyond the limit with a typed error and leaves the variance unchanged', () => {
    const mi = makeImage(10, 1); // true factor 100
    const before = Float32Array.from(mi.variance.array.data);
    const task = new ScaleVarianceTask();
    let error: unknown;
    try {
      task.run(mi);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScaleVarianceError);
    expect((error as ScaleVarianceError).code).toBe('PIPE_TASKS_SCALE_VARIANCE');
    expect((error as Error).message).toMatch(/exceeds configured limit \(10\)/);
    expect(mi.variance.array.data).toEqual(before);
  });

  it('returns 1 when fewer than two pixels are usable, as LSST does', () => {
    const mi = makeImage(1, 0); // no positive variance anywhere
    const task = new ScaleVarianceTask();
    expect(task.pixelBased(mi)).toBe(1);
    expect(task.imageBased(mi)).toBe(1);
  });
});
