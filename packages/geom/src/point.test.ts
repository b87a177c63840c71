import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GeomInvalidArgumentError } from './errors.js';
import { Extent2D, Extent2I } from './extent.js';
import { Point2D, Point2I } from './point.js';

describe('Point2I', () => {
  it('holds integer coordinates, readable as fields and getters', () => {
    const p = new Point2I(3, -4);
    expect(p.x).toBe(3);
    expect(p.y).toBe(-4);
    expect(p.getX()).toBe(3);
    expect(p.getY()).toBe(-4);
    expect(new Point2I().equals(new Point2I(0, 0))).toBe(true);
  });

  it('refuses non-integer, non-finite and unsafe coordinates', () => {
    for (const [x, y] of [
      [1.5, 0],
      [0, Number.NaN],
      [Infinity, 0],
      [0, 2 ** 53],
    ] as const) {
      expect(() => new Point2I(x, y)).toThrow(GeomInvalidArgumentError);
    }
    try {
      new Point2I(0.5, 1);
      expect.unreachable();
    } catch (e) {
      expect((e as GeomInvalidArgumentError).code).toBe('GEOM_INVALID_ARGUMENT');
      expect((e as Error).message).toContain('0.5');
    }
  });

  it('stores -0 as 0', () => {
    expect(Object.is(new Point2I(-0, -0).x, 0)).toBe(true);
    expect(Object.is(new Point2I(-0, -0).y, 0)).toBe(true);
  });

  it('fromPoint2D rounds each coordinate as floor(v + 0.5): halves go up, also when negative', () => {
    const cases: [number, number][] = [
      [2.5, 3],
      [-2.5, -2],
      [-0.5, 0],
      [0.5, 1],
      [1.4999, 1],
      [-1.5001, -2],
      [-1.4999, -1],
      [7, 7],
    ];
    for (const [v, want] of cases) {
      const p = Point2I.fromPoint2D(new Point2D(v, -v));
      expect(p.x).toBe(want);
      expect(p.y).toBe(Math.floor(-v + 0.5));
    }
    expect(() => Point2I.fromPoint2D(new Point2D(Number.NaN, 0))).toThrow(GeomInvalidArgumentError);
    expect(() => Point2I.fromPoint2D(new Point2D(0, -Infinity))).toThrow(GeomInvalidArgumentError);
  });

  it('fromPoint2D lands within half a pixel (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), (v) => {
        const p = Point2I.fromPoint2D(new Point2D(v, v));
        expect(Math.abs(p.x - v)).toBeLessThanOrEqual(0.5);
        // exactly half way rounds up
        if (Math.abs(p.x - v) === 0.5) expect(p.x).toBeGreaterThan(v);
      }),
    );
  });

  it('adds extents: integer stays integer, floating becomes Point2D', () => {
    const p = new Point2I(1, 2);
    const a = p.add(new Extent2I(3, -5));
    expect(a).toBeInstanceOf(Point2I);
    expect(a.equals(new Point2I(4, -3))).toBe(true);
    const b = p.add(new Extent2D(0.5, 0.25));
    expect(b).toBeInstanceOf(Point2D);
    expect(b.equals(new Point2D(1.5, 2.25))).toBe(true);
  });

  it('subtracts points to extents and extents to points, keeping the integer type when both are', () => {
    const p = new Point2I(5, 7);
    const e1 = p.subtract(new Point2I(2, 10));
    expect(e1).toBeInstanceOf(Extent2I);
    expect(e1.equals(new Extent2I(3, -3))).toBe(true);
    const e2 = p.subtract(new Point2D(0.5, 0));
    expect(e2).toBeInstanceOf(Extent2D);
    expect(e2.equals(new Extent2D(4.5, 7))).toBe(true);
    const q1 = p.subtract(new Extent2I(1, 1));
    expect(q1).toBeInstanceOf(Point2I);
    expect(q1.equals(new Point2I(4, 6))).toBe(true);
    const q2 = p.subtract(new Extent2D(1, 0.5));
    expect(q2).toBeInstanceOf(Point2D);
    expect(q2.equals(new Point2D(4, 6.5))).toBe(true);
  });

  it('p + (q - p) == q and distanceSquared is |q - p|² (property)', () => {
    const coord = fc.integer({ min: -1_000_000, max: 1_000_000 });
    fc.assert(
      fc.property(coord, coord, coord, coord, (a, b, c, d) => {
        const p = new Point2I(a, b);
        const q = new Point2I(c, d);
        expect(p.add(q.subtract(p)).equals(q)).toBe(true);
        expect(p.distanceSquared(q)).toBe((c - a) ** 2 + (d - b) ** 2);
        expect(p.distanceSquared(q)).toBe(q.subtract(p).computeSquaredNorm());
      }),
    );
  });

  it('converts and compares', () => {
    const p = new Point2I(-1, 2);
    expect(p.asExtent().equals(new Extent2I(-1, 2))).toBe(true);
    expect(p.toPoint2D()).toBeInstanceOf(Point2D);
    expect(p.toPoint2D().equals(new Point2D(-1, 2))).toBe(true);
    expect(Point2D.fromPoint2I(p).equals(new Point2D(-1, 2))).toBe(true);
    expect(p.equals(new Point2I(-1, 3))).toBe(false);
    expect(p.toString()).toBe('Point2I(-1, 2)');
  });
});

describe('Point2D', () => {
  it('holds any coordinates, NaN included', () => {
    const p = new Point2D(1.25, Number.NaN);
    expect(p.getX()).toBe(1.25);
    expect(Number.isNaN(p.getY())).toBe(true);
    expect(p.equals(p)).toBe(false); // NaN equals nothing, as in lsst.geom
    expect(new Point2D().equals(new Point2D(0, 0))).toBe(true);
  });

  it('adds and subtracts', () => {
    const p = new Point2D(1.5, -2);
    expect(p.add(new Extent2I(1, 1)).equals(new Point2D(2.5, -1))).toBe(true);
    expect(p.add(new Extent2D(0.5, 0.5)).equals(new Point2D(2, -1.5))).toBe(true);
    const e = p.subtract(new Point2I(1, 1));
    expect(e).toBeInstanceOf(Extent2D);
    expect(e.equals(new Extent2D(0.5, -3))).toBe(true);
    const q = p.subtract(new Extent2D(1.5, -2));
    expect(q).toBeInstanceOf(Point2D);
    expect(q.equals(new Point2D(0, 0))).toBe(true);
    expect(p.subtract(new Point2D(4.5, 2)).computeNorm()).toBe(5);
    expect(p.distanceSquared(new Point2D(4.5, 2))).toBe(25);
    expect(p.asExtent().equals(new Extent2D(1.5, -2))).toBe(true);
  });

  it('prints like the lsst.geom repr', () => {
    expect(new Point2D(1.5, 2).toString()).toBe('Point2D(1.5, 2)');
    expect(new Point2D(0.1, -3e-20).toString()).toBe('Point2D(0.1, -3e-20)');
  });
});
