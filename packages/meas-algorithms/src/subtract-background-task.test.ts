/**
 * subtractModel evaluates the model in bands of rows: the result must be exactly the image minus
 * the model's one-piece image (BackgroundModel.getImage, tested against numpy in @skystack/kernels),
 * for an interpolated and an approximated model, on an image whose height is not a band multiple.
 */
import { describe, expect, it } from 'vitest';
import { MaskedImage } from '@skystack/afw-image';
import { Extent2I, Point2I } from '@skystack/geom';
import { makeBackground } from '@skystack/kernels';
import { subtractModel } from './subtract-background-task.js';

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
