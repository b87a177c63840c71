import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { orientation, orientationExact, orientationOf } from './orientation.js';
import { UnitVector3d } from './unit-vector3d.js';

const unit = fc
  .tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }))
  .filter(([x, y, z]) => Math.hypot(x, y, z) > 1e-3)
  .map(([x, y, z]) => new UnitVector3d(x, y, z));

describe('orientation', () => {
  it('is the sign of a · (b × c) for the axes', () => {
    const [X, Y, Z] = [UnitVector3d.X(), UnitVector3d.Y(), UnitVector3d.Z()];
    expect(orientation(X, Y, Z)).toBe(1);
    expect(orientation(Y, X, Z)).toBe(-1);
    expect(orientation(X, X, Z)).toBe(0);
    expect(orientation(X, X.negate(), Z)).toBe(0);
  });

  it('is exact where the floating-point determinant cannot decide', () => {
    // a = x, b = y, c = (0.6, 0.8, ε): the determinant is exactly ε, far below rounding error.
    const a = UnitVector3d.X();
    const b = UnitVector3d.Y();
    for (const eps of [2 ** -60, 2 ** -300, 2 ** -1070]) {
      expect(orientation(a, b, UnitVector3d.fromNormalized(0.6, 0.8, eps))).toBe(1);
      expect(orientation(a, b, UnitVector3d.fromNormalized(0.6, 0.8, -eps))).toBe(-1);
    }
    expect(orientation(a, b, UnitVector3d.fromNormalized(0.6, 0.8, 0))).toBe(0);
    // Three points on one great circle built from exactly representable components: (1, 2, 3),
    // (4, 5, 6) and their sum are coplanar with the origin, whatever rounding a naive
    // determinant makes.
    expect(orientationOf(1, 2, 3, 4, 5, 6, 5, 7, 9)).toBe(0);
    // Nudging the sum by δ = 2^-49 along z gives a determinant of δ (a_x b_y − a_y b_x) = −3δ.
    expect(orientationExact(1, 2, 3, 4, 5, 6, 5, 7, 9 + 2 ** -49)).toBe(-1);
    expect(orientationOf(1, 2, 3, 4, 5, 6, 5, 7, 9 + 2 ** -49)).toBe(-1);
    expect(orientationExact(0.1, 0.2, 0.3, 0.1, 0.2, 0.3, 1, 1, 1)).toBe(0);
  });

  it('is antisymmetric in swaps and invariant under cyclic shifts', () => {
    fc.assert(
      fc.property(unit, unit, unit, (a, b, c) => {
        const o = orientation(a, b, c);
        expect(orientation(b, a, c)).toBe(-o);
        expect(orientation(a, c, b)).toBe(-o);
        expect(orientation(b, c, a)).toBe(o);
        expect(orientation(a.negate(), b, c)).toBe(-o);
        const det = a.dot(b.cross(c));
        if (Math.abs(det) > 1e-12) expect(o).toBe(Math.sign(det));
      }),
    );
  });

  it('agrees with the exact computation on nearly coplanar triples', () => {
    fc.assert(
      fc.property(unit, unit, fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: -60, max: -40 }), (a, b, t, k) => {
        // A point on the great circle through a and b, nudged off it by about 2^k.
        const n = a.cross(b);
        const p = new UnitVector3d(
          a.x * (1 - t) + b.x * t + n.x * 2 ** k,
          a.y * (1 - t) + b.y * t + n.y * 2 ** k,
          a.z * (1 - t) + b.z * t + n.z * 2 ** k,
        );
        expect(orientation(p, a, b)).toBe(orientationExact(p.x, p.y, p.z, a.x, a.y, a.z, b.x, b.y, b.z));
      }),
    );
  });
});
