import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import { describe, expect, it } from 'vitest';
import { AfwImageLengthError, AfwImageMaskPlaneError } from './errors.js';
import { ImageF } from './image.js';
import { Mask } from './mask.js';
import { MaskedImage, MaskedImageD, MaskedImageF } from './masked-image.js';

/** A 2x2 float64 masked image with given image and variance values. */
function mi(image: number[], variance: number[]): MaskedImage<Float64Array> {
  const m = MaskedImageD(new Extent2I(2, 2));
  m.image.array.data.set(image);
  m.variance.array.data.set(variance);
  return m;
}

describe('MaskedImage arithmetic propagates variance (analytic formulas)', () => {
  it('× and ÷ scalar scale the variance by s²', () => {
    const a = mi([1, 2, 3, 4], [1, 2, 3, 4]).multiplyInPlace(2);
    expect(Array.from(a.image.array.data)).toEqual([2, 4, 6, 8]);
    expect(Array.from(a.variance.array.data)).toEqual([4, 8, 12, 16]);
    a.divideInPlace(4);
    expect(Array.from(a.image.array.data)).toEqual([0.5, 1, 1.5, 2]);
    expect(Array.from(a.variance.array.data)).toEqual([0.25, 0.5, 0.75, 1]);
    a.addInPlace(1).subtractInPlace(0.5);
    expect(Array.from(a.image.array.data)).toEqual([1, 1.5, 2, 2.5]);
    expect(Array.from(a.variance.array.data)).toEqual([0.25, 0.5, 0.75, 1]);
  });

  it('+= and -= add variances and OR masks', () => {
    const a = mi([1, 2, 3, 4], [1, 1, 1, 1]);
    const b = mi([10, 20, 30, 40], [2, 3, 4, 5]);
    a.mask.set(0, 0, a.mask.getPlaneBitMask('BAD'));
    b.mask.set(0, 0, b.mask.getPlaneBitMask('CR'));
    b.mask.set(1, 1, b.mask.getPlaneBitMask('SAT'));
    a.addInPlace(b);
    expect(Array.from(a.image.array.data)).toEqual([11, 22, 33, 44]);
    expect(Array.from(a.variance.array.data)).toEqual([3, 4, 5, 6]);
    expect(Array.from(a.mask.array.data)).toEqual([1 | 8, 0, 0, 2]);
    a.subtractInPlace(b);
    expect(Array.from(a.image.array.data)).toEqual([1, 2, 3, 4]);
    expect(Array.from(a.variance.array.data)).toEqual([5, 7, 9, 11]);
  });

  it('scaledPlus(c, o) adds c·I and c²·V; scaledMinus subtracts c·I and still adds c²·V', () => {
    const a = mi([1, 1, 1, 1], [1, 1, 1, 1]).scaledPlus(3, mi([1, 2, 3, 4], [1, 2, 3, 4]));
    expect(Array.from(a.image.array.data)).toEqual([4, 7, 10, 13]);
    expect(Array.from(a.variance.array.data)).toEqual([10, 19, 28, 37]);
    a.scaledMinus(2, mi([1, 1, 1, 1], [1, 1, 1, 1]));
    expect(Array.from(a.image.array.data)).toEqual([2, 5, 8, 11]);
    expect(Array.from(a.variance.array.data)).toEqual([14, 23, 32, 41]);
  });

  it('× and ÷ masked image use first-order propagation: V = Iₒ²V + I²Vₒ and V/Iₒ² + I²Vₒ/Iₒ⁴', () => {
    const I = [1, 2, -3, 4];
    const V = [0.5, 1, 2, 3];
    const Io = [2, -5, 0.5, 8];
    const Vo = [1, 0.25, 4, 2];
    const p = mi(I, V).multiplyInPlace(mi(Io, Vo));
    for (let k = 0; k < 4; k++) {
      expect(p.image.array.data[k]).toBeCloseTo(I[k]! * Io[k]!, 14);
      expect(p.variance.array.data[k]).toBeCloseTo(Io[k]! ** 2 * V[k]! + I[k]! ** 2 * Vo[k]!, 5);
    }
    const q = mi(I, V).divideInPlace(mi(Io, Vo));
    for (let k = 0; k < 4; k++) {
      expect(q.image.array.data[k]).toBeCloseTo(I[k]! / Io[k]!, 14);
      // Relative errors add in quadrature: (σ/f)² = V/I² + Vo/Io².
      const f = I[k]! / Io[k]!;
      expect(q.variance.array.data[k]! / (f * f)).toBeCloseTo(V[k]! / I[k]! ** 2 + Vo[k]! / Io[k]! ** 2, 5);
    }
  });

  it('refuses operands of other dimensions or mask dictionaries', () => {
    const a = MaskedImageF(new Extent2I(2, 2));
    expect(() => a.addInPlace(MaskedImageF(new Extent2I(3, 2)))).toThrow(AfwImageLengthError);
    const b = MaskedImageF(new Extent2I(2, 2));
    b.mask.addMaskPlane('EXTRA');
    expect(() => a.multiplyInPlace(b)).toThrow(AfwImageMaskPlaneError);
    expect(() => new MaskedImage(ImageF(new Extent2I(2, 2)), Mask.make(new Extent2I(2, 3)))).toThrow(AfwImageLengthError);
  });
});

describe('MaskedImage views', () => {
  it('subset shares all three planes and the mask dictionary, with the right xy0', () => {
    const parent = MaskedImageF(Box2I.fromCorner(new Point2I(100, 100), new Extent2I(10, 10)));
    const bbox = Box2I.fromCorner(new Point2I(102, 105), new Extent2I(3, 2));
    const sub = parent.subset(bbox);
    expect(sub.getBBox().equals(bbox)).toBe(true);
    expect(sub.mask.getXY0().equals(new Point2I(102, 105))).toBe(true);
    expect(sub.variance.getXY0().equals(new Point2I(102, 105))).toBe(true);
    sub.image.set(5);
    sub.variance.set(2);
    sub.multiplyInPlace(3);
    expect(parent.image.get(103, 106)).toBe(15);
    expect(parent.variance.get(103, 106)).toBe(18);
    expect(parent.image.get(105, 106)).toBe(0);
    sub.mask.set(sub.mask.addMaskPlane('VIEW_PLANE') === 9 ? 512 : 0);
    expect(parent.mask.get(102, 105)).toBe(512);
    expect(parent.mask.getMaskPlane('VIEW_PLANE')).toBe(9);
    const local = parent.subset(Box2I.fromCorner(new Point2I(2, 5), new Extent2I(3, 2)), 'LOCAL');
    expect(local.getBBox().equals(bbox)).toBe(true);
    const copy = sub.clone();
    copy.image.set(0);
    expect(parent.image.get(103, 106)).toBe(15);
  });

  it('setXY0 moves all planes', () => {
    const m = MaskedImageF(new Extent2I(2, 2));
    m.setXY0(new Point2I(-4, 9));
    expect(m.mask.getXY0().equals(new Point2I(-4, 9))).toBe(true);
    expect(m.getVariance().getBBox().equals(m.getBBox())).toBe(true);
    expect(m.getImage()).toBe(m.image);
    expect(m.getMask()).toBe(m.mask);
  });
});
