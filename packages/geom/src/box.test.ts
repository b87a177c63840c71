import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Box2D, Box2I } from './box.js';
import { GeomDomainError, GeomInvalidArgumentError } from './errors.js';
import { Extent2D, Extent2I } from './extent.js';
import { Point2D, Point2I } from './point.js';

const P = (x: number, y: number): Point2I => new Point2I(x, y);
const E = (x: number, y: number): Extent2I => new Extent2I(x, y);
const PD = (x: number, y: number): Point2D => new Point2D(x, y);
const ED = (x: number, y: number): Extent2D => new Extent2D(x, y);
const boxI = (x0: number, y0: number, x1: number, y1: number): Box2I => new Box2I(P(x0, y0), P(x1, y1));
const boxD = (x0: number, y0: number, x1: number, y1: number): Box2D =>
  new Box2D(PD(x0, y0), PD(x1, y1));

/** [minX, minY, maxX, maxY] of a Box2I, for compact assertions. */
const spanI = (b: Box2I): number[] => [b.getMinX(), b.getMinY(), b.getMaxX(), b.getMaxY()];
const spanD = (b: Box2D): number[] => [b.getMinX(), b.getMinY(), b.getMaxX(), b.getMaxY()];

const INT32_MAX = 2147483647;

describe('Box2I construction', () => {
  it('takes inclusive minimum and maximum pixels', () => {
    const b = boxI(-2, -3, 2, 1);
    expect(spanI(b)).toEqual([-2, -3, 2, 1]);
    expect(b.getWidth()).toBe(5);
    expect(b.getHeight()).toBe(5);
    expect(b.width).toBe(5);
    expect(b.height).toBe(5);
    expect(b.getArea()).toBe(25);
    expect(b.getDimensions().equals(E(5, 5))).toBe(true);
    expect(b.getBegin().equals(P(-2, -3))).toBe(true);
    expect(b.getEnd().equals(P(3, 2))).toBe(true);
    expect([b.getBeginX(), b.getBeginY(), b.getEndX(), b.getEndY()]).toEqual([-2, -3, 3, 2]);
    expect([b.minX, b.minY, b.maxX, b.maxY]).toEqual([-2, -3, 2, 1]);
    expect(b.getMin().equals(P(-2, -3))).toBe(true);
    expect(b.getMax().equals(P(2, 1))).toBe(true);
  });

  it('swaps reversed corners when invert (the default), else gives the empty box', () => {
    expect(new Box2I(P(2, 1), P(-2, -3)).equals(boxI(-2, -3, 2, 1))).toBe(true);
    expect(new Box2I(P(2, -3), P(-2, 1), true).equals(boxI(-2, -3, 2, 1))).toBe(true);
    expect(new Box2I(P(2, 1), P(-2, -3), false).isEmpty()).toBe(true);
    // one reversed axis is enough to empty the box
    expect(new Box2I(P(2, -3), P(-2, 1), false).isEmpty()).toBe(true);
    expect(new Box2I(P(-2, -3), P(2, 1), false).equals(boxI(-2, -3, 2, 1))).toBe(true);
  });

  it('fromCorner: positive dimensions extend up-right; negative ones (invert) down-left from the corner', () => {
    const b = Box2I.fromCorner(P(1, 2), E(3, 4));
    expect(spanI(b)).toEqual([1, 2, 3, 5]);
    const inv = Box2I.fromCorner(P(1, 2), E(-3, -4));
    expect(spanI(inv)).toEqual([-1, -1, 1, 2]);
    expect(inv.getDimensions().equals(E(3, 4))).toBe(true);
    const mixed = Box2I.fromCorner(P(1, 2), E(-3, 4));
    expect(spanI(mixed)).toEqual([-1, 2, 1, 5]);
    expect(Box2I.fromCorner(P(1, 2), E(-3, 4), false).isEmpty()).toBe(true);
    expect(Box2I.fromCorner(P(1, 2), E(0, 4)).isEmpty()).toBe(true);
    expect(Box2I.fromCorner(P(1, 2), E(3, 0), true).isEmpty()).toBe(true);
  });

  it('single-pixel box', () => {
    const b = new Box2I(P(-7, 4), P(-7, 4));
    expect(b.isEmpty()).toBe(false);
    expect(b.getArea()).toBe(1);
    expect(b.getCenter().equals(PD(-7, 4))).toBe(true);
    expect(b.getCorners().every((c) => c.equals(P(-7, 4)))).toBe(true);
    expect(b.contains(P(-7, 4))).toBe(true);
    for (const [dx, dy] of [
      [1, 0],
      [-1, 0],
      [0, 1],
      [0, -1],
    ] as const) {
      expect(b.contains(P(-7 + dx, 4 + dy))).toBe(false);
    }
    expect(b.erodedBy(1).isEmpty()).toBe(true);
    expect(spanI(b.dilatedBy(1))).toEqual([-8, 3, -6, 5]);
    expect(b.equals(Box2I.fromCorner(P(-7, 4), E(1, 1)))).toBe(true);
  });

  it('refuses results that overflow 32-bit integers', () => {
    // lsst.geom's own overflow example: the maximum would be 2147483652.
    expect(() => Box2I.fromCorner(P(2147483645, 149), E(8, 8))).toThrow(GeomInvalidArgumentError);
    // width 2^32 - 1 does not fit although both corners do
    expect(() => boxI(-INT32_MAX, 0, INT32_MAX, 0)).toThrow(GeomInvalidArgumentError);
    expect(() => boxI(0, 0, 2 ** 31, 0)).toThrow(GeomInvalidArgumentError);
    expect(() => boxI(-(2 ** 31) - 1, 0, 0, 0)).toThrow(GeomInvalidArgumentError);
    // the largest box that fits
    const widest = boxI(-(2 ** 31), 0, -2, 0);
    expect(widest.getWidth()).toBe(INT32_MAX);
    const nearTop = Box2I.fromCorner(P(INT32_MAX - 9, 0), E(10, 10));
    expect(nearTop.getMaxX()).toBe(INT32_MAX);
    expect(() => nearTop.shiftedBy(E(1, 0))).toThrow(GeomInvalidArgumentError);
    expect(() => nearTop.dilatedBy(1)).toThrow(GeomInvalidArgumentError);
    expect(nearTop.expandedTo(P(INT32_MAX - 20, 0)).getWidth()).toBe(21);
    expect(() => widest.expandedTo(P(-1, 0))).toThrow(GeomInvalidArgumentError);
  });

  it('refuses non-integer buffers, reflection lines and extents', () => {
    const b = boxI(0, 0, 3, 3);
    expect(() => b.dilatedBy(0.5)).toThrow(GeomInvalidArgumentError);
    expect(() => b.erodedBy(Number.NaN)).toThrow(GeomInvalidArgumentError);
    expect(() => b.reflectedAboutX(0.5)).toThrow(GeomInvalidArgumentError);
    expect(() => b.flippedLR(10.5)).toThrow(GeomInvalidArgumentError);
    expect(() => b.flippedTB(Infinity)).toThrow(GeomInvalidArgumentError);
  });

  it('refuses fractional bounds even when the type system is bypassed', () => {
    const fake = { x: 0.5, y: 0 } as unknown as Point2I;
    expect(() => new Box2I(fake, P(3, 3))).toThrow(GeomInvalidArgumentError);
    expect(() => Box2I.fromCorner(P(0, 0), ED(2.5, 2) as unknown as Extent2I)).toThrow(GeomInvalidArgumentError);
    expect(() => Box2I.makeCenteredBox(PD(0, 0), ED(2.5, 2) as unknown as Extent2I)).toThrow(GeomInvalidArgumentError);
  });

  it('needs both corners or neither', () => {
    const ctor = Box2I as unknown as new (a?: Point2I) => Box2I;
    expect(() => new ctor(P(0, 0))).toThrow(GeomInvalidArgumentError);
  });
});

describe('Box2I empty box', () => {
  const empty = new Box2I();
  const box = boxI(-2, -3, 2, 1);

  it('has no size and no pixels', () => {
    expect(empty.isEmpty()).toBe(true);
    expect([empty.getWidth(), empty.getHeight(), empty.getArea()]).toEqual([0, 0, 0]);
    for (let x = -1; x <= 1; x++) {
      for (let y = -1; y <= 1; y++) {
        expect(empty.contains(P(x, y))).toBe(false);
        expect(empty.contains(x, y)).toBe(false);
      }
    }
    // lsst.geom's placeholder position
    expect(empty.getMin().equals(P(0, 0))).toBe(true);
    expect(empty.getMax().equals(P(-1, -1))).toBe(true);
    expect(empty.toString()).toBe('Box2I()');
  });

  it('has no centre', () => {
    expect(() => empty.getCenter()).toThrow(GeomDomainError);
    expect(() => empty.getCenterX()).toThrow(GeomDomainError);
  });

  it('stays empty when dilated, eroded, shifted, reflected or clipped', () => {
    expect(empty.dilatedBy(3).isEmpty()).toBe(true);
    expect(empty.dilatedBy(E(2, 5)).isEmpty()).toBe(true);
    expect(empty.erodedBy(-3).isEmpty()).toBe(true);
    expect(empty.shiftedBy(E(4, 4)).isEmpty()).toBe(true);
    expect(empty.reflectedAboutX(5).isEmpty()).toBe(true);
    expect(empty.flippedLR(100).isEmpty()).toBe(true);
    expect(empty.clippedTo(box).isEmpty()).toBe(true);
    expect(box.clippedTo(empty).isEmpty()).toBe(true);
  });

  it('overlaps nothing and is contained by everything', () => {
    expect(empty.overlaps(box)).toBe(false);
    expect(box.overlaps(empty)).toBe(false);
    expect(empty.overlaps(empty)).toBe(false);
    expect(empty.isDisjointFrom(box)).toBe(true);
    expect(box.contains(empty)).toBe(true);
    expect(empty.contains(empty)).toBe(true);
    expect(empty.contains(box)).toBe(false);
  });

  it('expands to a 1 × 1 box at a point, or to the other box', () => {
    expect(spanI(empty.expandedTo(P(-4, 9)))).toEqual([-4, 9, -4, 9]);
    expect(empty.expandedTo(box).equals(box)).toBe(true);
    expect(box.expandedTo(empty).equals(box)).toBe(true);
  });

  it('all empty boxes are equal', () => {
    const others = [
      new Box2I(P(5, 5), P(3, 3), false),
      Box2I.fromCorner(P(9, -9), E(0, 3)),
      boxI(0, 0, 1, 1).erodedBy(1),
      boxI(0, 0, 1, 1).clippedTo(boxI(10, 10, 11, 11)),
    ];
    for (const o of others) {
      expect(o.isEmpty()).toBe(true);
      expect(o.equals(empty)).toBe(true);
      expect(o).toEqual(empty);
    }
  });
});

describe('Box2I geometry', () => {
  const box = boxI(-2, -3, 2, 1);

  it('lists corners counter-clockwise from the lower left', () => {
    const c = box.getCorners();
    expect(c.map((p) => [p.x, p.y])).toEqual([
      [-2, -3],
      [2, -3],
      [2, 1],
      [-2, 1],
    ]);
  });

  it('centres on (min + max) / 2', () => {
    expect(box.getCenter().equals(PD(0, -1))).toBe(true);
    const even = boxI(0, 0, 9, 3);
    expect(even.getCenter().equals(PD(4.5, 1.5))).toBe(true);
    expect([even.getCenterX(), even.getCenterY()]).toEqual([4.5, 1.5]);
  });

  it('contains edge pixels and nothing just outside', () => {
    for (const [x, y] of [
      [-2, -3],
      [2, -3],
      [0, 0],
      [2, 1],
      [-2, 1],
    ] as const) {
      expect(box.contains(P(x, y))).toBe(true);
      expect(box.contains(x, y)).toBe(true);
    }
    for (const [x, y] of [
      [-2, -4],
      [-3, -3],
      [3, -3],
      [2, 2],
      [-3, 1],
      [-2, 2],
    ] as const) {
      expect(box.contains(P(x, y))).toBe(false);
      expect(box.contains(x, y)).toBe(false);
    }
  });

  it('contains boxes inclusively', () => {
    expect(box.contains(box)).toBe(true);
    expect(box.contains(boxI(-1, -2, 1, 0))).toBe(true);
    expect(box.contains(boxI(-2, -3, 2, 2))).toBe(false);
    expect(box.contains(boxI(-3, -3, 2, 1))).toBe(false);
  });

  it('overlaps boxes that share a pixel, even only a corner pixel', () => {
    expect(box.overlaps(boxI(2, 1, 5, 5))).toBe(true);
    expect(box.clippedTo(boxI(2, 1, 5, 5)).equals(boxI(2, 1, 2, 1))).toBe(true);
    expect(box.overlaps(boxI(3, -3, 4, 1))).toBe(false); // adjacent column
    expect(box.overlaps(boxI(-2, 2, 2, 2))).toBe(false); // adjacent row
    expect(box.isDisjointFrom(boxI(3, -3, 4, 1))).toBe(true);
  });

  it('clips to the intersection, or to empty for disjoint boxes', () => {
    expect(box.clippedTo(boxI(0, -10, 10, 0)).equals(boxI(0, -3, 2, 0))).toBe(true);
    expect(box.clippedTo(boxI(3, -3, 4, 1)).isEmpty()).toBe(true);
    expect(box.clippedTo(boxI(100, 100, 200, 200)).isEmpty()).toBe(true);
    // disjoint in y only
    expect(box.clippedTo(boxI(-2, 5, 2, 6)).isEmpty()).toBe(true);
    expect(box.clippedTo(boxI(-100, -100, 100, 100)).equals(box)).toBe(true);
  });

  it('dilates and erodes, by one number or per axis, down to empty', () => {
    const b = boxI(0, 0, 4, 2); // 5 × 3
    expect(spanI(b.dilatedBy(1))).toEqual([-1, -1, 5, 3]);
    expect(spanI(b.dilatedBy(E(2, 3)))).toEqual([-2, -3, 6, 5]);
    expect(spanI(b.erodedBy(1))).toEqual([1, 1, 3, 1]);
    expect(b.erodedBy(2).isEmpty()).toBe(true); // height would be -1
    expect(spanI(b.erodedBy(E(2, 0)))).toEqual([2, 0, 2, 2]);
    expect(b.erodedBy(E(3, 0)).isEmpty()).toBe(true);
    expect(spanI(b.dilatedBy(E(1, -1)))).toEqual([-1, 1, 5, 1]);
    expect(b.dilatedBy(-1).equals(b.erodedBy(1))).toBe(true);
    expect(b.erodedBy(-2).equals(b.dilatedBy(2))).toBe(true);
  });

  it('shifts, also into negative coordinates', () => {
    expect(spanI(box.shiftedBy(E(3, -2)))).toEqual([1, -5, 5, -1]);
    expect(spanI(box.shiftedBy(E(-100, -100)))).toEqual([-102, -103, -98, -99]);
  });

  it('expands to points and boxes', () => {
    const b = boxI(0, 0, 1, 1);
    expect(spanI(b.expandedTo(P(-3, 5)))).toEqual([-3, 0, 1, 5]);
    expect(b.expandedTo(P(1, 0)).equals(b)).toBe(true);
    expect(spanI(b.expandedTo(boxI(5, -5, 6, -4)))).toEqual([0, -5, 6, 1]);
  });

  it('flips inside a parent image and reflects about a line', () => {
    // A 15 × 20 parent: column i -> 14 - i, row j -> 19 - j.
    const b = boxI(8, 11, 13, 16);
    expect(spanI(b.flippedLR(15))).toEqual([1, 11, 6, 16]);
    expect(spanI(b.flippedTB(20))).toEqual([8, 3, 13, 8]);
    expect(b.flippedLR(15).flippedLR(15).equals(b)).toBe(true);
    expect(spanI(boxI(1, 0, 3, 2).reflectedAboutX(0))).toEqual([-3, 0, -1, 2]);
    expect(spanI(boxI(1, 0, 3, 2).reflectedAboutY(-1))).toEqual([1, -4, 3, -2]);
  });

  it('prints like the lsst.geom repr', () => {
    expect(Box2I.fromCorner(P(1, 2), E(3, 4)).toString()).toBe(
      'Box2I(minimum=Point2I(1, 2), dimensions=Extent2I(3, 4))',
    );
  });

  it('compares by pixels', () => {
    expect(box.equals(Box2I.fromCorner(P(-2, -3), E(5, 5)))).toBe(true);
    expect(box.equals(boxI(-2, -3, 2, 2))).toBe(false);
    expect(box).toEqual(Box2I.fromCorner(P(-2, -3), E(5, 5)));
    expect(box).not.toEqual(boxI(-2, -3, 2, 2));
  });

  it('clippedTo is commutative and contained by both; expandedTo contains both (property)', () => {
    const c = fc.integer({ min: -50, max: 50 });
    const arbBox = fc.tuple(c, c, c, c).map(([a, b, d, e]) => boxI(a, b, d, e));
    fc.assert(
      fc.property(arbBox, arbBox, fc.integer({ min: -3, max: 3 }), (a, b, n) => {
        const ab = a.clippedTo(b);
        expect(ab.equals(b.clippedTo(a))).toBe(true);
        expect(a.contains(ab) && b.contains(ab)).toBe(true);
        expect(ab.isEmpty()).toBe(!a.overlaps(b));
        const u = a.expandedTo(b);
        expect(u.contains(a) && u.contains(b)).toBe(true);
        // every pixel of a dilated box is within n of the original (n may be negative)
        const d = a.dilatedBy(n);
        if (!d.isEmpty()) {
          expect(d.getWidth()).toBe(a.getWidth() + 2 * n);
          expect(d.getCenter().equals(a.getCenter())).toBe(true);
        } else {
          expect(Math.min(a.getWidth(), a.getHeight()) + 2 * n).toBeLessThanOrEqual(0);
        }
      }),
    );
  });
});

describe('Box2I.fromBox2D (pixel i covers [i - 0.5, i + 0.5])', () => {
  const conv = (x0: number, y0: number, x1: number, y1: number, mode: 'EXPAND' | 'SHRINK'): number[] | 'empty' => {
    const b = Box2I.fromBox2D(boxD(x0, y0, x1, y1), mode);
    return b.isEmpty() ? 'empty' : spanI(b);
  };

  it('EXPAND keeps every pixel that touches; SHRINK only pixels entirely inside', () => {
    expect(conv(0.2, 0.2, 2.7, 2.7, 'EXPAND')).toEqual([0, 0, 3, 3]);
    expect(conv(0.2, 0.2, 2.7, 2.7, 'SHRINK')).toEqual([1, 1, 2, 2]);
    expect(Box2I.fromBox2D(boxD(0.2, 0.2, 2.7, 2.7)).equals(Box2I.fromBox2D(boxD(0.2, 0.2, 2.7, 2.7), Box2I.EXPAND))).toBe(true);
  });

  it('edges exactly on pixel boundaries: EXPAND takes in the touching pixels on both sides (lsst.geom)', () => {
    // [0.5, 2.5): pixels 1 and 2 lie inside; 0 and 3 only touch at 0.5 and 2.5.
    expect(conv(0.5, 0.5, 2.5, 2.5, 'EXPAND')).toEqual([0, 0, 3, 3]);
    expect(conv(0.5, 0.5, 2.5, 2.5, 'SHRINK')).toEqual([1, 1, 2, 2]);
    // the box of exactly one pixel
    expect(conv(-0.5, -0.5, 0.5, 0.5, 'SHRINK')).toEqual([0, 0, 0, 0]);
    expect(conv(-0.5, -0.5, 0.5, 0.5, 'EXPAND')).toEqual([-1, -1, 1, 1]);
  });

  it('negative coordinates', () => {
    expect(conv(-3.7, -3.7, -1.2, -1.2, 'EXPAND')).toEqual([-4, -4, -1, -1]);
    expect(conv(-3.7, -3.7, -1.2, -1.2, 'SHRINK')).toEqual([-3, -3, -2, -2]);
    expect(conv(-2.5, -2.5, -0.5, -0.5, 'EXPAND')).toEqual([-3, -3, 0, 0]);
    expect(conv(-2.5, -2.5, -0.5, -0.5, 'SHRINK')).toEqual([-2, -2, -1, -1]);
    expect(conv(-0.2, 0, 0.2, 1, 'EXPAND')).toEqual([0, 0, 0, 1]);
  });

  it('SHRINK of a box narrower than a pixel is empty (in either axis)', () => {
    expect(conv(0.3, 0.3, 1.3, 1.3, 'SHRINK')).toBe('empty');
    expect(conv(0.3, -10, 1.3, 10, 'SHRINK')).toBe('empty');
    expect(conv(0.3, 0.3, 1.8, 1.8, 'SHRINK')).toEqual([1, 1, 1, 1]);
    expect(conv(0, 0, 1, 1, 'SHRINK')).toBe('empty');
    expect(conv(0.9, 0.9, 1, 1, 'EXPAND')).toEqual([1, 1, 1, 1]);
    expect(conv(-0.1, -0.1, 1.1, 1.1, 'EXPAND')).toEqual([0, 0, 1, 1]);
  });

  it('round trip through Box2D.fromBox2I: SHRINK restores the box, EXPAND grows it by one', () => {
    const b = boxI(-3, 2, 4, 9);
    const fp = Box2D.fromBox2I(b);
    expect(Box2I.fromBox2D(fp, 'SHRINK').equals(b)).toBe(true);
    expect(Box2I.fromBox2D(fp, 'EXPAND').equals(b.dilatedBy(1))).toBe(true);
  });

  it('empty in, empty out; infinite or unknown edge handling refused', () => {
    expect(Box2I.fromBox2D(new Box2D()).isEmpty()).toBe(true);
    expect(() => Box2I.fromBox2D(boxD(0, 0, Infinity, Infinity))).toThrow(GeomInvalidArgumentError);
    expect(() => Box2I.fromBox2D(boxD(-Infinity, 0, 1, 1), 'SHRINK')).toThrow(GeomInvalidArgumentError);
    expect(() => Box2I.fromBox2D(boxD(0, 0, 1, 1), 'ROUND' as 'EXPAND')).toThrow(GeomInvalidArgumentError);
    expect(() => Box2I.fromBox2D(boxD(0, 0, 3e9, 1))).toThrow(GeomInvalidArgumentError);
  });

  it('EXPAND is the smallest box of pixels touching the closed box, SHRINK the largest inside it (property)', () => {
    const v = fc.double({ min: -1000, max: 1000, noNaN: true });
    fc.assert(
      fc.property(v, v, v, v, (a, b, c, d) => {
        fc.pre(a !== c && b !== d);
        const fp = boxD(a, b, c, d);
        const [x0, y0, x1, y1] = spanD(fp) as [number, number, number, number];
        const touches = (i: number, lo: number, hi: number): boolean => i - 0.5 <= hi && i + 0.5 >= lo;
        const inside = (i: number, lo: number, hi: number): boolean => i - 0.5 >= lo && i + 0.5 <= hi;
        const big = Box2I.fromBox2D(fp, 'EXPAND');
        expect(touches(big.getMinX(), x0, x1) && !touches(big.getMinX() - 1, x0, x1)).toBe(true);
        expect(touches(big.getMaxX(), x0, x1) && !touches(big.getMaxX() + 1, x0, x1)).toBe(true);
        expect(touches(big.getMinY(), y0, y1) && !touches(big.getMinY() - 1, y0, y1)).toBe(true);
        expect(touches(big.getMaxY(), y0, y1) && !touches(big.getMaxY() + 1, y0, y1)).toBe(true);
        expect(Box2D.fromBox2I(big).contains(fp)).toBe(true);
        const small = Box2I.fromBox2D(fp, 'SHRINK');
        if (small.isEmpty()) {
          // no whole pixel fits in one of the axes
          const fitsX = Math.floor(x1 - 0.5) >= Math.ceil(x0 + 0.5);
          const fitsY = Math.floor(y1 - 0.5) >= Math.ceil(y0 + 0.5);
          expect(fitsX && fitsY).toBe(false);
        } else {
          expect(inside(small.getMinX(), x0, x1) && !inside(small.getMinX() - 1, x0, x1)).toBe(true);
          expect(inside(small.getMaxX(), x0, x1) && !inside(small.getMaxX() + 1, x0, x1)).toBe(true);
          expect(inside(small.getMinY(), y0, y1) && !inside(small.getMinY() - 1, y0, y1)).toBe(true);
          expect(inside(small.getMaxY(), y0, y1) && !inside(small.getMaxY() + 1, y0, y1)).toBe(true);
          expect(fp.contains(Box2D.fromBox2I(small))).toBe(true);
          expect(big.contains(small)).toBe(true);
        }
      }),
    );
  });
});

describe('Box2I.makeCenteredBox', () => {
  it('centres as closely as the grid allows', () => {
    const a = Box2I.makeCenteredBox(PD(0, 0), E(100, 50));
    expect(spanI(a)).toEqual([-49, -24, 50, 25]);
    const b = Box2I.makeCenteredBox(PD(0, 0), E(15, 15));
    expect(spanI(b)).toEqual([-7, -7, 7, 7]);
    expect(b.getCenter().equals(PD(0, 0))).toBe(true);
    const c = Box2I.makeCenteredBox(PD(0.2, 0.7), E(15, 15));
    expect(spanI(c)).toEqual([-7, -6, 7, 8]);
  });

  it('gives the empty box for non-positive sizes and refuses non-finite centres', () => {
    expect(Box2I.makeCenteredBox(PD(0, 0), E(0, 10)).isEmpty()).toBe(true);
    expect(Box2I.makeCenteredBox(PD(0, 0), E(15, -5)).isEmpty()).toBe(true);
    expect(() => Box2I.makeCenteredBox(PD(Number.NaN, 0), E(3, 3))).toThrow(GeomInvalidArgumentError);
    expect(() => Box2I.makeCenteredBox(PD(1, Infinity), E(3, 3))).toThrow(GeomInvalidArgumentError);
  });

  it('has the requested size and a centre within half a pixel (property)', () => {
    const v = fc.double({ min: -1e5, max: 1e5, noNaN: true });
    const n = fc.integer({ min: 1, max: 200 });
    fc.assert(
      fc.property(v, v, n, n, (cx, cy, w, h) => {
        const b = Box2I.makeCenteredBox(PD(cx, cy), E(w, h));
        expect(b.getDimensions().equals(E(w, h))).toBe(true);
        // half a pixel, plus rounding of center - size / 2
        expect(Math.abs(b.getCenterX() - cx)).toBeLessThanOrEqual(0.5 + 1e-9);
        expect(Math.abs(b.getCenterY() - cy)).toBeLessThanOrEqual(0.5 + 1e-9);
      }),
    );
  });
});

describe('Box2D construction', () => {
  it('stores min and max and swaps reversed ones when invert', () => {
    const b = boxD(-2, -3, 2, 1);
    expect(spanD(b)).toEqual([-2, -3, 2, 1]);
    expect(b.getDimensions().equals(ED(4, 4))).toBe(true);
    expect([b.getWidth(), b.getHeight(), b.getArea(), b.width, b.height]).toEqual([4, 4, 16, 4, 4]);
    expect(b.getMin().equals(PD(-2, -3))).toBe(true);
    expect(b.getMax().equals(PD(2, 1))).toBe(true);
    expect([b.minX, b.minY, b.maxX, b.maxY]).toEqual([-2, -3, 2, 1]);
    expect(new Box2D(PD(2, 1), PD(-2, -3)).equals(b)).toBe(true);
    expect(new Box2D(PD(2, 1), PD(-2, -3), false).isEmpty()).toBe(true);
    expect(new Box2D(PD(-2, 1), PD(2, -3), false).isEmpty()).toBe(true);
  });

  it('a zero width or height gives the empty box, even with invert', () => {
    expect(boxD(1, 0, 1, 5).isEmpty()).toBe(true);
    expect(new Box2D(PD(0, 3), PD(5, 3), true).isEmpty()).toBe(true);
    expect(Box2D.fromCorner(PD(0, 0), ED(0, 1)).isEmpty()).toBe(true);
  });

  it('fromCorner with negative dimensions extends the other way when invert', () => {
    const b = Box2D.fromCorner(PD(1, 2), ED(-0.5, 3));
    expect(spanD(b)).toEqual([0.5, 2, 1, 5]);
    expect(Box2D.fromCorner(PD(1, 2), ED(-0.5, 3), false).isEmpty()).toBe(true);
  });

  it('refuses NaN bounds but accepts infinite ones', () => {
    expect(() => boxD(Number.NaN, 0, 1, 1)).toThrow(GeomInvalidArgumentError);
    expect(() => Box2D.fromCorner(PD(-Infinity, 0), ED(Infinity, 1))).toThrow(GeomInvalidArgumentError);
    const all = boxD(-Infinity, -Infinity, Infinity, Infinity);
    expect(all.isEmpty()).toBe(false);
    expect(all.contains(PD(1e300, -1e300))).toBe(true);
    expect(all.overlaps(boxD(0, 0, 1, 1))).toBe(true);
  });

  it('fromBox2I covers the pixels: min - 0.5 to max + 0.5', () => {
    const b = Box2D.fromBox2I(boxI(0, -2, 9, 4));
    expect(spanD(b)).toEqual([-0.5, -2.5, 9.5, 4.5]);
    expect(Box2D.fromBox2I(new Box2I()).isEmpty()).toBe(true);
    expect(Box2D.fromBox2I(boxI(3, 3, 3, 3)).getArea()).toBe(1);
  });

  it('makeCenteredBox', () => {
    const b = Box2D.makeCenteredBox(PD(1, 1.5), ED(4, 3.7));
    expect(b.getCenterX()).toBeCloseTo(1, 14);
    expect(b.getCenterY()).toBeCloseTo(1.5, 14);
    expect(b.getWidth()).toBeCloseTo(4, 14);
    expect(b.getHeight()).toBeCloseTo(3.7, 14);
    expect(Box2D.makeCenteredBox(PD(0, 0), ED(-0.1, -0.1)).isEmpty()).toBe(true);
    expect(Box2D.makeCenteredBox(PD(0, 0), ED(Number.NaN, 5.5)).isEmpty()).toBe(true);
    expect(() => Box2D.makeCenteredBox(PD(0, 0), ED(4, Infinity))).toThrow(GeomInvalidArgumentError);
    expect(() => Box2D.makeCenteredBox(PD(Number.NaN, 0), ED(4, 4))).toThrow(GeomInvalidArgumentError);
  });

  it('EPSILON is twice the machine epsilon; INVALID is NaN', () => {
    expect(Box2D.EPSILON).toBe(2 * 2 ** -52);
    expect(Number.isNaN(Box2D.INVALID)).toBe(true);
  });
});

describe('Box2D empty box', () => {
  const empty = new Box2D();
  const box = boxD(-2, -3, 2, 1);

  it('has NaN bounds, zero size and no points', () => {
    expect(empty.isEmpty()).toBe(true);
    expect(Number.isNaN(empty.getMinX())).toBe(true);
    expect(Number.isNaN(empty.getMax().y)).toBe(true);
    expect([empty.getWidth(), empty.getHeight(), empty.getArea()]).toEqual([0, 0, 0]);
    expect(empty.getDimensions().equals(ED(0, 0))).toBe(true);
    expect(empty.contains(PD(0, 0))).toBe(false);
    expect(empty.toString()).toBe('Box2D()');
    expect(() => empty.getCenter()).toThrow(GeomDomainError);
    expect(empty.getCorners().every((c) => Number.isNaN(c.x) && Number.isNaN(c.y))).toBe(true);
  });

  it('relations and operations', () => {
    expect(empty.overlaps(box)).toBe(false);
    expect(box.overlaps(empty)).toBe(false);
    expect(box.contains(empty)).toBe(true);
    expect(empty.contains(empty)).toBe(true);
    expect(empty.contains(box)).toBe(false);
    expect(empty.clippedTo(box).isEmpty()).toBe(true);
    expect(box.clippedTo(empty).isEmpty()).toBe(true);
    expect(empty.dilatedBy(3).isEmpty()).toBe(true);
    expect(empty.shiftedBy(ED(1, 1)).isEmpty()).toBe(true);
    expect(empty.flippedLR(10).isEmpty()).toBe(true);
    expect(empty.expandedTo(box).equals(box)).toBe(true);
    expect(box.expandedTo(empty).equals(box)).toBe(true);
  });

  it('all empty boxes are equal', () => {
    expect(empty.equals(new Box2D())).toBe(true);
    expect(empty.equals(boxD(1, 1, 1, 2))).toBe(true);
    expect(empty.equals(box)).toBe(false);
    expect(box.equals(empty)).toBe(false);
    expect(boxD(0, 0, 1, 1).clippedTo(boxD(1, 0, 2, 1)).equals(empty)).toBe(true);
  });
});

describe('Box2D geometry', () => {
  const box = boxD(-2, -3, 2, 1);

  it('contains points half-open: min inclusive, max exclusive', () => {
    expect(box.contains(PD(0, 0))).toBe(true);
    expect(box.contains(PD(-2, -3))).toBe(true);
    expect(box.contains(PD(2, -3))).toBe(false);
    expect(box.contains(PD(2, 1))).toBe(false);
    expect(box.contains(PD(-2, 1))).toBe(false);
    expect(box.contains(PD(-2.0000000000000004, 0))).toBe(false);
    expect(box.contains(PD(1.9999999999999998, 0.9999999999999999))).toBe(true);
    expect(box.contains(-2, -3)).toBe(true);
    expect(box.contains(2, 0)).toBe(false);
    expect(box.contains(PD(Number.NaN, 0))).toBe(false);
  });

  it('contains boxes by closed comparison of bounds', () => {
    expect(box.contains(box)).toBe(true);
    expect(box.contains(boxD(-1, -2, 2, 1))).toBe(true);
    expect(box.contains(boxD(-2, -3, 2, 2))).toBe(false);
    expect(box.contains(boxD(-3, -3, 2, 1))).toBe(false);
    expect(box.contains(boxD(-2, 1, 2, 3))).toBe(false);
  });

  it('boxes sharing only an edge neither overlap nor clip to anything', () => {
    for (const other of [boxD(2, -3, 4, 1), boxD(-4, -3, -2, 1), boxD(-2, -5, 2, -3), boxD(-2, 1, 2, 3)]) {
      expect(box.overlaps(other)).toBe(false);
      expect(other.overlaps(box)).toBe(false);
      expect(box.clippedTo(other).isEmpty()).toBe(true);
    }
    expect(box.overlaps(boxD(1.5, 0.5, 4, 4))).toBe(true);
    expect(spanD(box.clippedTo(boxD(1.5, 0.5, 4, 4)))).toEqual([1.5, 0.5, 2, 1]);
    expect(box.isDisjointFrom(boxD(5, 5, 6, 6))).toBe(true);
  });

  it('lists corners counter-clockwise from the lower left and centres on (min + max) / 2', () => {
    expect(box.getCorners().map((p) => [p.x, p.y])).toEqual([
      [-2, -3],
      [2, -3],
      [2, 1],
      [-2, 1],
    ]);
    expect(box.getCenter().equals(PD(0, -1))).toBe(true);
  });

  it('dilates and erodes down to empty', () => {
    const b = boxD(0, 0, 4, 2);
    expect(spanD(b.dilatedBy(0.5))).toEqual([-0.5, -0.5, 4.5, 2.5]);
    expect(spanD(b.dilatedBy(ED(1, -0.5)))).toEqual([-1, 0.5, 5, 1.5]);
    expect(spanD(b.erodedBy(0.5))).toEqual([0.5, 0.5, 3.5, 1.5]);
    expect(b.erodedBy(1).isEmpty()).toBe(true); // height exactly 0
    expect(b.erodedBy(ED(2, 0)).isEmpty()).toBe(true); // width exactly 0
    expect(b.erodedBy(5).isEmpty()).toBe(true);
    expect(() => b.dilatedBy(Infinity)).toThrow(GeomInvalidArgumentError);
    expect(() => b.dilatedBy(ED(0, Number.NaN))).toThrow(GeomInvalidArgumentError);
  });

  it('shifts, flips and reflects', () => {
    expect(spanD(box.shiftedBy(ED(0.5, -1)))).toEqual([-1.5, -4, 2.5, 0]);
    expect(() => box.shiftedBy(ED(Infinity, 0))).toThrow(GeomInvalidArgumentError);
    const b = boxD(8.3, 11.4, 13.2, 16.9);
    const lr = b.flippedLR(15.1);
    expect(lr.getMinX()).toBeCloseTo(1.9, 12);
    expect(lr.getMaxX()).toBeCloseTo(6.8, 12);
    expect([lr.getMinY(), lr.getMaxY()]).toEqual([11.4, 16.9]);
    const tb = b.flippedTB(20.6);
    expect(tb.getMinY()).toBeCloseTo(3.7, 12);
    expect(tb.getMaxY()).toBeCloseTo(9.2, 12);
    expect(spanD(boxD(1, 0, 3, 2).reflectedAboutX(0))).toEqual([-3, 0, -1, 2]);
    expect(spanD(boxD(1, 0, 3, 2).reflectedAboutY(0.5))).toEqual([1, -1, 3, 1]);
  });

  it('expandedTo a point moves an exclusive maximum just past it', () => {
    const b = boxD(0, 0, 1, 1);
    const e = b.expandedTo(PD(1, 1));
    expect(e.contains(PD(1, 1))).toBe(true);
    expect(e.getMaxX()).toBe(1 + 2 * Number.EPSILON);
    expect(e.getMinX()).toBe(0);
    const l = b.expandedTo(PD(-1, 0.5));
    expect(spanD(l)).toEqual([-1, 0, 1, 1]);
    const neg = boxD(-5, -5, -3, -3).expandedTo(PD(-2, -2));
    expect(neg.contains(PD(-2, -2))).toBe(true);
    expect(neg.getMaxX()).toBeGreaterThan(-2);
    expect(neg.getMaxX()).toBeLessThan(-2 + 1e-14);
    const fromEmpty = new Box2D().expandedTo(PD(0, 3));
    expect(fromEmpty.contains(PD(0, 3))).toBe(true);
    expect(fromEmpty.getMaxX()).toBe(Box2D.EPSILON);
    // in the subnormal range the relative step does nothing; the next double is used instead
    const tiny = boxD(-1, -1, 5e-324, 5e-324).expandedTo(PD(5e-324, -5e-324));
    expect(tiny.contains(PD(5e-324, -5e-324))).toBe(true);
    expect(tiny.getMaxX()).toBe(1e-323);
    expect(() => b.expandedTo(PD(Number.NaN, 0))).toThrow(GeomInvalidArgumentError);
    expect(() => b.expandedTo(PD(0, Infinity))).toThrow(GeomInvalidArgumentError);
  });

  it('expandedTo contains the box and the point (property)', () => {
    const v = fc.double({ min: -1e6, max: 1e6, noNaN: true });
    fc.assert(
      fc.property(v, v, v, v, v, v, (a, b, c, d, px, py) => {
        fc.pre(a !== c && b !== d);
        const box0 = boxD(a, b, c, d);
        const e = box0.expandedTo(PD(px, py));
        expect(e.contains(PD(px, py))).toBe(true);
        expect(e.contains(box0)).toBe(true);
      }),
    );
  });

  it('prints like the lsst.geom repr and compares exactly', () => {
    expect(Box2D.fromBox2I(boxI(0, 0, 9, 4)).toString()).toBe(
      'Box2D(minimum=Point2D(-0.5, -0.5), dimensions=Extent2D(10, 5))',
    );
    expect(box.equals(boxD(-2, -3, 2, 1))).toBe(true);
    expect(box.equals(boxD(-2, -3, 2, 1.0000000000000002))).toBe(false);
  });
});
