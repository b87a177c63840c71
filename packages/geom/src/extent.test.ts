import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GeomInvalidArgumentError } from './errors.js';
import { Extent2D, Extent2I } from './extent.js';
import { Point2D, Point2I } from './point.js';

describe('Extent2I', () => {
  it('holds integer components and refuses others', () => {
    const e = new Extent2I(4, -3);
    expect([e.x, e.y, e.getX(), e.getY()]).toEqual([4, -3, 4, -3]);
    expect(() => new Extent2I(0.5, 0)).toThrow(GeomInvalidArgumentError);
    expect(() => new Extent2I(0, Number.NaN)).toThrow(GeomInvalidArgumentError);
    expect(new Extent2I().equals(new Extent2I(0, 0))).toBe(true);
  });

  it('adds and subtracts, keeping integers integer', () => {
    const e = new Extent2I(4, -3);
    const a = e.add(new Extent2I(1, 1));
    expect(a).toBeInstanceOf(Extent2I);
    expect(a.equals(new Extent2I(5, -2))).toBe(true);
    const b = e.add(new Extent2D(0.5, 0));
    expect(b).toBeInstanceOf(Extent2D);
    expect(b.equals(new Extent2D(4.5, -3))).toBe(true);
    const c = e.add(new Point2I(1, 2));
    expect(c).toBeInstanceOf(Point2I);
    expect(c.equals(new Point2I(5, -1))).toBe(true);
    const d = e.add(new Point2D(0.5, 0.5));
    expect(d).toBeInstanceOf(Point2D);
    expect(d.equals(new Point2D(4.5, -2.5))).toBe(true);
    expect(e.subtract(new Extent2I(4, -3)).equals(new Extent2I(0, 0))).toBe(true);
    const f = e.subtract(new Extent2D(0.5, 0.5));
    expect(f).toBeInstanceOf(Extent2D);
    expect(f.equals(new Extent2D(3.5, -3.5))).toBe(true);
    expect(e.negate().equals(new Extent2I(-4, 3))).toBe(true);
  });

  it('multiplies by integers, divides truly and floor-divides like Python', () => {
    const e = new Extent2I(-3, 7);
    expect(e.multiply(2).equals(new Extent2I(-6, 14))).toBe(true);
    expect(() => e.multiply(1.5)).toThrow(GeomInvalidArgumentError);
    expect(e.toExtent2D().multiply(1.5).equals(new Extent2D(-4.5, 10.5))).toBe(true);
    const q = e.divide(2);
    expect(q).toBeInstanceOf(Extent2D);
    expect(q.equals(new Extent2D(-1.5, 3.5))).toBe(true);
    // Python: -3 // 2 == -2 and 7 // 2 == 3 (C++ would give -1)
    expect(e.floorDivide(2).equals(new Extent2I(-2, 3))).toBe(true);
    expect(e.floorDivide(-2).equals(new Extent2I(1, -4))).toBe(true);
    expect(() => e.floorDivide(0)).toThrow(GeomInvalidArgumentError);
    expect(() => e.floorDivide(0.5)).toThrow(GeomInvalidArgumentError);
  });

  it('computes norms', () => {
    expect(new Extent2I(3, -4).computeNorm()).toBe(5);
    expect(new Extent2I(3, -4).computeSquaredNorm()).toBe(25);
  });

  it('converts and prints', () => {
    const e = new Extent2I(2, 5);
    expect(e.asPoint().equals(new Point2I(2, 5))).toBe(true);
    expect(Extent2D.fromExtent2I(e).equals(new Extent2D(2, 5))).toBe(true);
    expect(e.toString()).toBe('Extent2I(2, 5)');
  });
});

describe('Extent2D', () => {
  it('does arithmetic', () => {
    const e = new Extent2D(1.5, -2);
    expect(e.add(new Extent2I(1, 1)).equals(new Extent2D(2.5, -1))).toBe(true);
    const p = e.add(new Point2I(1, 1));
    expect(p).toBeInstanceOf(Point2D);
    expect(p.equals(new Point2D(2.5, -1))).toBe(true);
    expect(e.subtract(new Extent2D(0.5, 0.5)).equals(new Extent2D(1, -2.5))).toBe(true);
    expect(e.multiply(2).equals(new Extent2D(3, -4))).toBe(true);
    expect(e.divide(4).equals(new Extent2D(0.375, -0.5))).toBe(true);
    expect(e.negate().equals(new Extent2D(-1.5, 2))).toBe(true);
    expect(new Extent2D(-6, 8).computeNorm()).toBe(10);
    expect(new Extent2D(-6, 8).computeSquaredNorm()).toBe(100);
    expect(e.asPoint().equals(new Point2D(1.5, -2))).toBe(true);
  });

  it('rounds to Extent2I by floor, ceil and truncate', () => {
    const e = new Extent2D(-1.5, 2.5);
    expect(e.floor().equals(new Extent2I(-2, 2))).toBe(true);
    expect(e.ceil().equals(new Extent2I(-1, 3))).toBe(true);
    expect(e.truncate().equals(new Extent2I(-1, 2))).toBe(true);
    expect(() => new Extent2D(Number.NaN, 0).floor()).toThrow(GeomInvalidArgumentError);
  });

  it('floor <= v < floor + 1 and ceil - 1 < v <= ceil (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e9, max: 1e9, noNaN: true }), (v) => {
        const e = new Extent2D(v, -v);
        expect(e.floor().x).toBeLessThanOrEqual(v);
        expect(e.floor().x + 1).toBeGreaterThan(v);
        expect(e.ceil().y).toBeGreaterThanOrEqual(-v);
        expect(e.ceil().y - 1).toBeLessThan(-v);
        expect(Math.abs(e.truncate().x)).toBeLessThanOrEqual(Math.abs(v));
      }),
    );
  });

  it('compares exactly and prints', () => {
    expect(new Extent2D(1, 2).equals(new Extent2D(1, 2))).toBe(true);
    expect(new Extent2D(1, 2).equals(new Extent2D(1, 2.0000000000000004))).toBe(false);
    expect(new Extent2D(10, 0.5).toString()).toBe('Extent2D(10, 0.5)');
  });
});
