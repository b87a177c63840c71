import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import { describe, expect, it } from 'vitest';
import { AfwImageInvalidArgumentError, AfwImageLengthError, AfwImageOutOfBoundsError } from './errors.js';
import { Image, ImageD, ImageF, ImageI, ImageU } from './image.js';

const box = (x: number, y: number, w: number, h: number): Box2I => Box2I.fromCorner(new Point2I(x, y), new Extent2I(w, h));

describe('Image', () => {
  it('makes images of the four pixel types with a PARENT bbox', () => {
    expect(ImageU(new Extent2I(2, 3)).array.data).toBeInstanceOf(Uint16Array);
    expect(ImageI(new Extent2I(2, 3)).array.data).toBeInstanceOf(Int32Array);
    expect(ImageF(new Extent2I(2, 3)).array.data).toBeInstanceOf(Float32Array);
    expect(ImageD(new Extent2I(2, 3)).pixelType).toBe('float64');
    const im = ImageF(box(10, 20, 4, 3), 1.5);
    expect(im.getBBox().equals(box(10, 20, 4, 3))).toBe(true);
    expect(im.getBBox('LOCAL').equals(box(0, 0, 4, 3))).toBe(true);
    expect(im.getXY0().equals(new Point2I(10, 20))).toBe(true);
    expect([im.getWidth(), im.getHeight(), im.getX0(), im.getY0()]).toEqual([4, 3, 10, 20]);
    expect(im.array.data.every((v) => v === 1.5)).toBe(true);
  });

  it('get/set use PARENT coordinates by default and LOCAL on request; array is [y * stride + x]', () => {
    const im = ImageF(box(10, 20, 4, 3));
    im.set(11, 22, 7);
    expect(im.get(1, 2, 'LOCAL')).toBe(7);
    expect(im.array.data[2 * im.array.stride + 1]).toBe(7);
    im.set(3, 0, 9, 'LOCAL');
    expect(im.get(13, 20)).toBe(9);
    expect(() => im.get(0, 0)).toThrow(AfwImageOutOfBoundsError);
    try {
      im.get(14, 20);
    } catch (e) {
      expect((e as AfwImageOutOfBoundsError).code).toBe('AFW_IMAGE_OUT_OF_BOUNDS');
    }
  });

  it('subset is a view sharing pixels, with its own xy0 and the parent stride', () => {
    const im = ImageF(box(100, 200, 10, 8));
    const sub = im.subset(box(103, 202, 4, 3));
    expect(sub.getXY0().equals(new Point2I(103, 202))).toBe(true);
    expect(sub.array.stride).toBe(10);
    expect(sub.array.data.buffer).toBe(im.array.data.buffer);
    sub.set(104, 203, 5);
    expect(im.get(104, 203)).toBe(5);
    im.set(106, 204, 6);
    expect(sub.get(3, 2, 'LOCAL')).toBe(6);
    // Filling the view touches only the view.
    sub.set(1);
    let ones = 0;
    for (const v of im.array.data) if (v === 1) ones++;
    expect(ones).toBe(12);
    expect(im.get(107, 202)).toBe(0);
    // LOCAL boxes are relative to the parent's first pixel; nested views compose.
    const local = im.subset(box(3, 2, 4, 3), 'LOCAL');
    expect(local.getBBox().equals(sub.getBBox())).toBe(true);
    const nested = sub.subset(box(105, 203, 2, 2));
    nested.set(105, 204, -3);
    expect(im.get(105, 204)).toBe(-3);
    expect(() => im.subset(box(95, 200, 4, 4))).toThrow(AfwImageOutOfBoundsError);
  });

  it('clone is deep and compact', () => {
    const im = ImageD(box(0, 0, 5, 5));
    im.set(2, 2, 4);
    const c = im.subset(box(1, 1, 3, 3)).clone();
    expect(c.array.stride).toBe(3);
    expect(c.getXY0().equals(new Point2I(1, 1))).toBe(true);
    c.set(2, 2, 8);
    expect(im.get(2, 2)).toBe(4);
    expect(c.get(2, 2)).toBe(8);
  });

  it('does in-place arithmetic with scalars and images over views', () => {
    const a = ImageF(new Extent2I(3, 2), 2);
    const b = ImageF(box(50, 50, 3, 2), 3); // xy0 differs: not compared, as in afw
    a.addInPlace(1).multiplyInPlace(b).subtractInPlace(b).divideInPlace(2);
    expect(a.array.data.every((v) => v === 3)).toBe(true); // ((2 + 1) × 3 − 3) / 2
    a.scaledPlus(2, b).scaledMinus(0.5, b);
    expect(a.get(0, 0)).toBe(7.5); // 3 + 2·3 − 0.5·3
    // Arithmetic on a view changes only the view.
    const big = ImageI(new Extent2I(4, 4));
    big.subset(box(1, 1, 2, 2)).addInPlace(ImageI(new Extent2I(2, 2), 7));
    expect(Array.from(big.array.data)).toEqual([0, 0, 0, 0, 0, 7, 7, 0, 0, 7, 7, 0, 0, 0, 0, 0]);
    // Integer division truncates; uint16 wraps.
    big.divideInPlace(2);
    expect(big.get(1, 1)).toBe(3);
    const u = ImageU(new Extent2I(1, 1), 65535).addInPlace(1);
    expect(u.get(0, 0)).toBe(0);
    expect(() => big.divideInPlace(0)).toThrow(AfwImageInvalidArgumentError);
  });

  it('rejects operands of other dimensions with a typed error', () => {
    const a = ImageF(new Extent2I(3, 2));
    expect(() => a.addInPlace(ImageF(new Extent2I(2, 3)))).toThrow(AfwImageLengthError);
    try {
      a.assign(ImageF(new Extent2I(3, 3)));
    } catch (e) {
      expect((e as AfwImageLengthError).code).toBe('AFW_IMAGE_LENGTH_MISMATCH');
    }
  });

  it('wraps existing arrays with a stride and checks their length', () => {
    const data = new Float32Array([1, 2, 99, 3, 4, 99]);
    const im = new Image(data, 2, 2, { stride: 3, xy0: new Point2I(5, 5) });
    expect(im.get(6, 6)).toBe(4);
    expect(Array.from(im.compactPixels())).toEqual([1, 2, 3, 4]);
    expect(() => new Image(new Float32Array(3), 2, 2)).toThrow(AfwImageInvalidArgumentError);
    expect(() => new Image(new Float32Array(4), 2, 2, { stride: 1 })).toThrow(AfwImageInvalidArgumentError);
  });
});
