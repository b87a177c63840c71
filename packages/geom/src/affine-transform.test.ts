import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AffineTransform, type Matrix3x3 } from './affine-transform.js';
import { Angle } from './angle.js';
import { GeomDomainError, GeomInvalidArgumentError } from './errors.js';
import { Extent2D } from './extent.js';
import { LinearTransform } from './linear-transform.js';
import { Point2D } from './point.js';

/** Plain 3 × 3 matrix product, written out independently of the code under test. */
function matmul3(a: Matrix3x3, b: Matrix3x3): number[][] {
  const r: number[][] = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += a[i]![k]! * b[k]![j]!;
      r[i]![j] = s;
    }
  }
  return r;
}

function expectMatrixClose(actual: readonly (readonly number[])[], expected: readonly (readonly number[])[], tol: number): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, i) =>
    row.forEach((v, j) => expect(Math.abs(v - expected[i]![j]!)).toBeLessThanOrEqual(tol)),
  );
}

const I3 = [
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
];

const small = fc.double({ min: -10, max: 10, noNaN: true });
const coord = fc.double({ min: -1000, max: 1000, noNaN: true });
const span = fc.double({ min: 10, max: 1000, noNaN: true });

/** Random affine transforms whose linear part has |det| >= 0.5. */
const invertibleAffine = fc
  .tuple(small, small, small, small, coord, coord)
  .filter(([a, b, c, d]) => Math.abs(a * d - b * c) >= 0.5)
  .map(([a, b, c, d, x, y]) =>
    AffineTransform.fromMatrix([
      [a, b, x],
      [c, d, y],
      [0, 0, 1],
    ]),
  );

describe('AffineTransform', () => {
  it('defaults to the identity', () => {
    const t = new AffineTransform();
    expect(t.getMatrix()).toEqual(I3);
    expect(t.isIdentity()).toBe(true);
    expect(t.apply(new Point2D(3, 4)).equals(new Point2D(3, 4))).toBe(true);
  });

  it('exposes the 3 × 3 matrix row-major and the parameters as [xx, yx, xy, yy, x, y]', () => {
    const t = new AffineTransform(
      new LinearTransform([
        [1, 2],
        [3, 4],
      ]),
      new Extent2D(5, 6),
    );
    expect(t.getMatrix()).toEqual([
      [1, 2, 5],
      [3, 4, 6],
      [0, 0, 1],
    ]);
    expect(t.getParameterVector()).toEqual([1, 3, 2, 4, 5, 6]);
    const pv = t.getParameterVector();
    expect([pv[AffineTransform.XX], pv[AffineTransform.YX], pv[AffineTransform.XY]]).toEqual([1, 3, 2]);
    expect([pv[AffineTransform.YY], pv[AffineTransform.X], pv[AffineTransform.Y]]).toEqual([4, 5, 6]);
    expect(AffineTransform.fromParameterVector([1, 3, 2, 4, 5, 6]).equals(t)).toBe(true);
    expect(AffineTransform.fromMatrix(t.getMatrix()).equals(t)).toBe(true);
    expect(t.getLinear().equals(new LinearTransform([[1, 2], [3, 4]]))).toBe(true);
    expect(t.linear.getParameterVector()).toEqual([1, 3, 2, 4]);
    expect(t.getTranslation().equals(new Extent2D(5, 6))).toBe(true);
    expect(t.translation.equals(new Extent2D(5, 6))).toBe(true);
    expect(t.toString()).toBe('AffineTransform([[1, 2, 5], [3, 4, 6], [0, 0, 1]])');
    expect(() => AffineTransform.fromParameterVector([1, 2, 3, 4])).toThrow(GeomInvalidArgumentError);
    expect(() =>
      AffineTransform.fromMatrix([
        [1, 0, 0],
        [0, 1, 0],
        [0, 0.5, 1],
      ]),
    ).toThrow(GeomInvalidArgumentError);
  });

  it('translates points but not extents', () => {
    const t = AffineTransform.makeTranslation(new Extent2D(10, -2));
    const p = t.apply(new Point2D(1, 1));
    expect(p).toBeInstanceOf(Point2D);
    expect(p.equals(new Point2D(11, -1))).toBe(true);
    const e = t.apply(new Extent2D(1, 1));
    expect(e).toBeInstanceOf(Extent2D);
    expect(e.equals(new Extent2D(1, 1))).toBe(true);
    expect([t.applyX(1, 1), t.applyY(1, 1)]).toEqual([11, -1]);
    expect(t.isIdentity()).toBe(false);
  });

  it('scales and rotates about the origin', () => {
    expect(AffineTransform.makeScaling(3).apply(new Point2D(1, -2)).equals(new Point2D(3, -6))).toBe(true);
    expect(AffineTransform.makeScaling(3, 0.5).apply(new Point2D(1, -2)).equals(new Point2D(3, -1))).toBe(true);
    const r = AffineTransform.makeRotation(Angle.fromDegrees(90)).apply(new Point2D(2, 0));
    expect(r.x).toBeCloseTo(0, 15);
    expect(r.y).toBeCloseTo(2, 15);
  });

  it('multiply applies the argument first, as lsst.geom a * b; then in reading order', () => {
    const shift = AffineTransform.makeTranslation(new Extent2D(10, 0));
    const rot = AffineTransform.makeRotation(Angle.fromDegrees(90));
    // rotate (1, 0) -> (0, 1), then shift -> (10, 1)
    const a = shift.multiply(rot).apply(new Point2D(1, 0));
    expect(a.x).toBeCloseTo(10, 14);
    expect(a.y).toBeCloseTo(1, 14);
    // shift (1, 0) -> (11, 0), then rotate -> (0, 11)
    const b = rot.multiply(shift).apply(new Point2D(1, 0));
    expect(b.x).toBeCloseTo(0, 14);
    expect(b.y).toBeCloseTo(11, 14);
    expect(rot.then(shift).equals(shift.multiply(rot))).toBe(true);
  });

  it('multiply is the 3 × 3 matrix product and composes applications (property)', () => {
    fc.assert(
      fc.property(invertibleAffine, invertibleAffine, coord, coord, (a, b, x, y) => {
        expectMatrixClose(a.multiply(b).getMatrix(), matmul3(a.getMatrix(), b.getMatrix()), 1e-9);
        const direct = a.multiply(b).apply(new Point2D(x, y));
        const stepwise = a.apply(b.apply(new Point2D(x, y)));
        // rounding scales with the intermediate values: |entries| <= 10, |t| <= 1000
        const tol = 1e-12 * 100 * (1000 + Math.abs(x) + Math.abs(y));
        expect(Math.abs(direct.x - stepwise.x)).toBeLessThanOrEqual(tol);
        expect(Math.abs(direct.y - stepwise.y)).toBeLessThanOrEqual(tol);
      }),
    );
  });

  it('applyX/applyY agree with apply (property)', () => {
    fc.assert(
      fc.property(invertibleAffine, coord, coord, (t, x, y) => {
        const p = t.apply(new Point2D(x, y));
        expect(t.applyX(x, y)).toBe(p.x);
        expect(t.applyY(x, y)).toBe(p.y);
      }),
    );
  });

  it('inverts: known case and random round trips (property)', () => {
    // p -> 2p + (1, 1) has inverse p -> p/2 - (0.5, 0.5)
    const t = new AffineTransform(LinearTransform.makeScaling(2), new Extent2D(1, 1));
    const inv = t.inverted();
    expect(inv.getParameterVector()).toEqual([0.5, 0, 0, 0.5, -0.5, -0.5]);
    fc.assert(
      fc.property(invertibleAffine, coord, coord, (a, x, y) => {
        const ai = a.inverted();
        expectMatrixClose(a.multiply(ai).getMatrix(), I3, 1e-9);
        expectMatrixClose(ai.multiply(a).getMatrix(), I3, 1e-9);
        expect(a.multiply(ai).isIdentity(1e-9)).toBe(true);
        const back = ai.apply(a.apply(new Point2D(x, y)));
        expect(Math.abs(back.x - x)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(x)));
        expect(Math.abs(back.y - y)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(y)));
      }),
    );
  });

  it('refuses to invert a singular transform', () => {
    const t = new AffineTransform(
      new LinearTransform([
        [1, 2],
        [2, 4],
      ]),
      new Extent2D(3, 3),
    );
    expect(() => t.inverted()).toThrow(GeomDomainError);
    expect(() => AffineTransform.makeScaling(0).inverted()).toThrow(GeomDomainError);
  });

  it('makeAffineTransformFromTriple recovers the transform that maps three points (property)', () => {
    fc.assert(
      fc.property(invertibleAffine, coord, coord, span, coord, span, (t, x1, y1, dx, sx, sy) => {
        // p2 - p1 = (dx, 0) and p3 - p1 = (sx, sy) with dx, sy >= 10: never collinear
        const p = [new Point2D(x1, y1), new Point2D(x1 + dx, y1), new Point2D(x1 + sx, y1 + sy)] as const;
        const q = p.map((pt) => t.apply(pt)) as [Point2D, Point2D, Point2D];
        const fit = AffineTransform.makeAffineTransformFromTriple(p[0], p[1], p[2], q[0], q[1], q[2]);
        const want = t.getParameterVector();
        fit.getParameterVector().forEach((v, i) => {
          expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(want[i]!)));
        });
      }),
    );
    const fit = AffineTransform.makeAffineTransformFromTriple(
      new Point2D(0, 0),
      new Point2D(1, 0),
      new Point2D(0, 1),
      new Point2D(5, 6),
      new Point2D(6, 6),
      new Point2D(5, 8),
    );
    expect(fit.getParameterVector()).toEqual([1, 0, 0, 2, 5, 6]);
  });

  it('makeAffineTransformFromTriple refuses collinear input points', () => {
    const q = new Point2D(0, 0);
    expect(() =>
      AffineTransform.makeAffineTransformFromTriple(
        new Point2D(0, 0),
        new Point2D(1, 1),
        new Point2D(3, 3),
        q,
        q,
        q,
      ),
    ).toThrow(GeomDomainError);
  });

  it('isIdentity allows a 1e-12 tolerance on the translation too', () => {
    expect(AffineTransform.makeTranslation(new Extent2D(1e-13, 0)).isIdentity()).toBe(true);
    expect(AffineTransform.makeTranslation(new Extent2D(0, 1e-11)).isIdentity()).toBe(false);
  });
});
