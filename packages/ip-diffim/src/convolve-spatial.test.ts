import { FixedKernel, Image, LinearCombinationKernel, MaskedImage, PolynomialFunction2 } from '@skystack/afw-image';
import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import { convolveMaskedImage, gaussianKernel2d } from '@skystack/kernels';
import { describe, expect, it } from 'vitest';
import { convolveMaskedImageSpatial } from './convolve-spatial.js';
import { IpDiffimInvalidArgumentError } from './errors.js';

function makeInput(w: number, h: number): MaskedImage<Float32Array> {
  const mi = MaskedImage.make('float32', Box2I.fromCorner(new Point2I(5, -3), new Extent2I(w, h)));
  const img = mi.image.array.data;
  const v = mi.variance.array.data;
  for (let i = 0; i < img.length; i++) {
    img[i] = Math.sin(i * 0.37) * 10 + (i % 7);
    v[i] = 1 + (i % 5);
  }
  if (w * h > 20 * w + 17) mi.mask.array.data[20 * w + 17] = mi.mask.getPlaneBitMask('BAD');
  return mi;
}

describe('convolveMaskedImageSpatial', () => {
  it('agrees with @skystack/kernels convolveMaskedImage for a fixed asymmetric kernel', () => {
    const w = 40;
    const h = 33;
    const input = makeInput(w, h);
    const kw = 5;
    const kh = 3;
    const kv = new Float64Array(kw * kh).map((_, i) => 0.1 + 0.05 * i);
    const kernel = new FixedKernel(new Image(kv, kw, kh));
    const ours = convolveMaskedImageSpatial(input, kernel, { doNormalize: false });
    const ref = { image: new Float32Array(w * h), variance: new Float32Array(w * h), mask: new Int32Array(w * h) };
    convolveMaskedImage(
      { image: input.image.array.data, variance: input.variance.array.data, mask: input.mask.array.data, width: w, height: h },
      ref,
      { data: kv, width: kw, height: kh, ctrX: 2, ctrY: 1 },
      { edgeBit: input.mask.getMaskPlane('EDGE') },
    );
    for (let i = 0; i < w * h; i++) {
      if (Number.isNaN(ref.image[i]!)) expect(Number.isNaN(ours.image.array.data[i]!)).toBe(true);
      else {
        expect(ours.image.array.data[i]).toBeCloseTo(ref.image[i]!, 3);
        expect(ours.variance.array.data[i]).toBeCloseTo(ref.variance[i]!, 3);
      }
      expect(ours.mask.array.data[i]).toBe(ref.mask[i]);
    }
  });

  it('normalises by the kernel sum and evaluates a varying kernel at PARENT positions', () => {
    const w = 30;
    const h = 30;
    const input = makeInput(w, h);
    const g = gaussianKernel2d(1.0);
    const gImg = new Image(Float64Array.from(g.data), g.width, g.height);
    const shifted = new Float64Array(g.data.length);
    // basis 1: the Gaussian moved one pixel right
    for (let j = 0; j < g.height; j++) for (let i = 1; i < g.width; i++) shifted[j * g.width + i] = g.data[j * g.width + i - 1]!;
    const basis = [new FixedKernel(gImg), new FixedKernel(new Image(shifted, g.width, g.height))];
    // amplitudes 2 and (x_parent - 5) / 29: the weight of the shifted copy grows across the image
    const kernel = new LinearCombinationKernel(basis, [new PolynomialFunction2([2]), new PolynomialFunction2([-5 / 29, 1 / 29, 0])]);
    const out = convolveMaskedImageSpatial(input, kernel, { maxInterpolationDistance: 1 });
    const c = Math.floor(g.width / 2);
    const img = input.image.array.data;
    for (const [x, y] of [
      [c, c],
      [15, 12],
      [w - c - 1, h - c - 1],
    ] as const) {
      const t = (x + 5 - 5) / 29;
      let s = 0;
      let norm = 0;
      for (let j = 0; j < g.height; j++) {
        for (let i = 0; i < g.width; i++) {
          const k = 2 * g.data[j * g.width + i]! + t * shifted[j * g.width + i]!;
          s += k * img[(y - c + j) * w + x - c + i]!;
          norm += k;
        }
      }
      expect(out.image.array.data[y * w + x]).toBeCloseTo(s / norm, 4);
    }
  });

  it('marks everything EDGE when the kernel is larger than the image, and refuses a missing plane', () => {
    const input = makeInput(4, 4);
    const kernel = new FixedKernel(new Image(new Float64Array(25).fill(1), 5, 5));
    const out = convolveMaskedImageSpatial(input, kernel);
    expect(Array.from(out.mask.array.data).every((m) => m === input.mask.getPlaneBitMask('EDGE'))).toBe(true);
    expect(() => convolveMaskedImageSpatial(input, kernel, { edgeMaskPlane: 'NOPE' })).toThrow(IpDiffimInvalidArgumentError);
  });
});
