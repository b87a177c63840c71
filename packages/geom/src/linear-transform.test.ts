import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Angle } from './angle.js';
import { GeomDomainError, GeomInvalidArgumentError } from './errors.js';
import { Extent2D } from './extent.js';
import { LinearTransform, type Matrix2x2 } from './linear-transform.js';
import { Point2D } from './point.js';

/** Plain 2 × 2 matrix product, written out independently of the code under test. */
function matmul(a: Matrix2x2, b: Matrix2x2): [[number, number], [number, number]] {
  return [
    [a[0][0] * b[0][0] + a[0][1] * b[1][0], a[0][0] * b[0][1] + a[0][1] * b[1][1]],
    [a[1][0] * b[0][0] + a[1][1] * b[1][0], a[1][0] * b[0][1] + a[1][1] * b[1][1]],
  ];
}

function expectMatrixClose(actual: Matrix2x2, expected: Matrix2x2, tol: number): void {
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 2; j++) {
      expect(Math.abs(actual[i]![j]! - expected[i]![j]!)).toBeLessThanOrEqual(tol);
    }
  }
}

const I2: Matrix2x2 = [
  [1, 0],
  [0, 1],
];

/** Random matrices with entries in [-10, 10] and |det| >= 0.5 (comfortably invertible). */
const invertibleMatrix = fc
  .tuple(
    fc.double({ min: -10, max: 10, noNaN: true }),
    fc.double({ min: -10, max: 10, noNaN: true }),
    fc.double({ min: -10, max: 10, noNaN: true }),
    fc.double({ min: -10, max: 10, noNaN: true }),
  )
  .filter(([a, b, c, d]) => Math.abs(a * d - b * c) >= 0.5)
  .map(([a, b, c, d]) => new LinearTransform([
    [a, b],
    [c, d],
  ]));

const coord = fc.double({ min: -1000, max: 1000, noNaN: true });

describe('LinearTransform', () => {
  it('defaults to the identity', () => {
    const t = new LinearTransform();
    expect(t.getMatrix()).toEqual(I2);
    expect(t.isIdentity()).toBe(true);
    expect(t.apply(new Point2D(3, -4)).equals(new Point2D(3, -4))).toBe(true);
  });

  it('names elements output-axis first and lists parameters column-major [xx, yx, xy, yy]', () => {
    const t = new LinearTransform([
      [1, 2],
      [3, 4],
    ]);
    expect([t.xx, t.xy, t.yx, t.yy]).toEqual([1, 2, 3, 4]);
    expect(t.getParameterVector()).toEqual([1, 3, 2, 4]);
    expect(t.getParameterVector()[LinearTransform.XY]).toBe(2);
    expect(t.getParameterVector()[LinearTransform.YX]).toBe(3);
    expect(LinearTransform.fromParameterVector([1, 3, 2, 4]).equals(t)).toBe(true);
    expect(() => LinearTransform.fromParameterVector([1, 2, 3])).toThrow(GeomInvalidArgumentError);
    // (x, y) = (1, 0) picks the first column
    expect(t.apply(new Point2D(1, 0)).equals(new Point2D(1, 3))).toBe(true);
    expect(t.apply(new Point2D(0, 1)).equals(new Point2D(2, 4))).toBe(true);
    expect(t.computeDeterminant()).toBe(-2);
    expect(t.toString()).toBe('LinearTransform([[1, 2], [3, 4]])');
  });

  it('scales', () => {
    const s = LinearTransform.makeScaling(2);
    expect(s.apply(new Point2D(1.5, -3)).equals(new Point2D(3, -6))).toBe(true);
    const st = LinearTransform.makeScaling(2, -0.5);
    expect(st.getMatrix()).toEqual([
      [2, 0],
      [0, -0.5],
    ]);
    expect(st.computeDeterminant()).toBe(-1);
  });

  it('rotates counter-clockwise', () => {
    const r90 = LinearTransform.makeRotation(Angle.fromDegrees(90));
    const a = r90.apply(new Point2D(1, 0));
    expect(a.x).toBeCloseTo(0, 15);
    expect(a.y).toBeCloseTo(1, 15);
    const b = r90.apply(new Point2D(0, 1));
    expect(b.x).toBeCloseTo(-1, 15);
    expect(b.y).toBeCloseTo(0, 15);
    const r30 = LinearTransform.makeRotation(Angle.fromDegrees(30));
    const c = r30.apply(new Point2D(2, 0));
    expect(c.x).toBeCloseTo(Math.sqrt(3), 14);
    expect(c.y).toBeCloseTo(1, 14);
    expect(r30.computeDeterminant()).toBeCloseTo(1, 15);
    // a rotation keeps lengths
    const v = r30.apply(new Extent2D(3, 4));
    expect(v).toBeInstanceOf(Extent2D);
    expect(v.computeNorm()).toBeCloseTo(5, 14);
  });

  it('applies the same matrix to points and extents, and through applyX/applyY', () => {
    const t = new LinearTransform([
      [0.5, -1],
      [2, 3],
    ]);
    const p = t.apply(new Point2D(2, 1));
    expect(p).toBeInstanceOf(Point2D);
    expect(p.equals(new Point2D(0, 7))).toBe(true);
    expect(t.apply(new Extent2D(2, 1)).equals(new Extent2D(0, 7))).toBe(true);
    expect([t.applyX(2, 1), t.applyY(2, 1)]).toEqual([0, 7]);
  });

  it('multiply applies the argument first; then applies it second', () => {
    const scale = LinearTransform.makeScaling(2, 3);
    const rot = LinearTransform.makeRotation(Angle.fromDegrees(90));
    // rotate (1, 0) -> (0, 1), then scale -> (0, 3)
    const a = scale.multiply(rot).apply(new Point2D(1, 0));
    expect(a.x).toBeCloseTo(0, 15);
    expect(a.y).toBeCloseTo(3, 15);
    expect(rot.then(scale).equals(scale.multiply(rot))).toBe(true);
    // scale (1, 0) -> (2, 0), then rotate -> (0, 2)
    const b = scale.then(rot).apply(new Point2D(1, 0));
    expect(b.x).toBeCloseTo(0, 15);
    expect(b.y).toBeCloseTo(2, 15);
  });

  it('multiply is the matrix product and composes applications (property)', () => {
    fc.assert(
      fc.property(invertibleMatrix, invertibleMatrix, coord, coord, (a, b, x, y) => {
        expectMatrixClose(a.multiply(b).getMatrix(), matmul(a.getMatrix(), b.getMatrix()), 1e-12);
        const direct = a.multiply(b).apply(new Point2D(x, y));
        const stepwise = a.apply(b.apply(new Point2D(x, y)));
        // rounding scales with the intermediate values: |entries| <= 10, so up to 100·|p|
        const tol = 1e-12 * 100 * (1 + Math.abs(x) + Math.abs(y));
        expect(Math.abs(direct.x - stepwise.x)).toBeLessThanOrEqual(tol);
        expect(Math.abs(direct.y - stepwise.y)).toBeLessThanOrEqual(tol);
      }),
    );
  });

  it('inverts: scaling exactly, random matrices to rounding (property)', () => {
    expect(LinearTransform.makeScaling(2, 4).inverted().equals(LinearTransform.makeScaling(0.5, 0.25))).toBe(true);
    const r = LinearTransform.makeRotation(Angle.fromDegrees(37));
    expectMatrixClose(r.inverted().getMatrix(), LinearTransform.makeRotation(Angle.fromDegrees(-37)).getMatrix(), 1e-15);
    fc.assert(
      fc.property(invertibleMatrix, coord, coord, (t, x, y) => {
        const inv = t.inverted();
        expectMatrixClose(t.multiply(inv).getMatrix(), I2, 1e-12);
        expectMatrixClose(inv.multiply(t).getMatrix(), I2, 1e-12);
        expect(t.multiply(inv).isIdentity(1e-11)).toBe(true);
        expectMatrixClose(inv.inverted().getMatrix(), t.getMatrix(), 1e-11);
        expect(inv.computeDeterminant() * t.computeDeterminant()).toBeCloseTo(1, 10);
        const back = inv.apply(t.apply(new Point2D(x, y)));
        expect(back.x).toBeCloseTo(x, 8);
        expect(back.y).toBeCloseTo(y, 8);
      }),
    );
  });

  it('inverts well-conditioned matrices of extreme scale', () => {
    const tiny = LinearTransform.makeScaling(1e-200);
    expect(tiny.computeDeterminant()).toBe(0); // underflows, yet the matrix is fine
    const inv = tiny.inverted();
    expect(inv.xx / 1e200).toBeCloseTo(1, 14);
    const huge = new LinearTransform([
      [1e200, 2e200],
      [3e200, 4e200],
    ]);
    const hinv = huge.inverted();
    expect(hinv.xx * 1e200).toBeCloseTo(-2, 12);
    expect(hinv.yy * 1e200).toBeCloseTo(-0.5, 12);
  });

  it('refuses to invert singular and nearly singular matrices', () => {
    const singular = [
      [
        [1, 2],
        [2, 4],
      ],
      [
        [0, 0],
        [0, 0],
      ],
      [
        [0, 1],
        [0, 5],
      ],
      // second pivot 2.2e-16 relative to 1: below Eigen's 2ε threshold
      [
        [1, 1],
        [1, 1 + 2 ** -52],
      ],
      [
        [Number.NaN, 0],
        [0, 1],
      ],
    ] as const;
    for (const m of singular) {
      const t = new LinearTransform(m);
      expect(() => t.inverted()).toThrow(GeomDomainError);
    }
    try {
      new LinearTransform(singular[0]).inverted();
      expect.unreachable();
    } catch (e) {
      expect((e as GeomDomainError).code).toBe('GEOM_DOMAIN_ERROR');
    }
    // just above the threshold: still invertible
    expect(() =>
      new LinearTransform([
        [1, 1],
        [1, 1 + 2 ** -48],
      ]).inverted(),
    ).not.toThrow();
  });

  it('isIdentity uses a relative tolerance of 1e-12 by default', () => {
    expect(
      new LinearTransform([
        [1 + 1e-13, 1e-13],
        [0, 1],
      ]).isIdentity(),
    ).toBe(true);
    expect(
      new LinearTransform([
        [1 + 1e-11, 0],
        [0, 1],
      ]).isIdentity(),
    ).toBe(false);
    expect(
      new LinearTransform([
        [1, 0],
        [1e-11, 1],
      ]).isIdentity(),
    ).toBe(false);
    expect(
      new LinearTransform([
        [1, 0],
        [1e-11, 1],
      ]).isIdentity(1e-10),
    ).toBe(true);
  });

  it('getMatrix returns a fresh copy', () => {
    const t = new LinearTransform();
    const m = t.getMatrix();
    m[0][0] = 99;
    expect(t.xx).toBe(1);
  });
});
