import type { UnitVector3d } from './unit-vector3d.js';

// Error bounds of the floating-point 3x3 determinant (Shewchuk-style analysis, as used by
// lsst.sphgeom): with unit vectors every term is at most ~1, so an absolute bound suffices for
// the fast test; otherwise a bound proportional to the permanent |a|·(|b|×|c|) is used.
const UNIT_ABS_ERROR = 1.7e-15;
const REL_ERROR = 5.6e-16;
const MIN_ABS_ERROR = 4.0e-307;

const scratch = new DataView(new ArrayBuffer(8));

/** Splits a finite double into an exact integer mantissa and a power-of-two exponent. */
function splitDouble(d: number): { m: bigint; e: number } {
  if (d === 0) return { m: 0n, e: 0 };
  scratch.setFloat64(0, d);
  const hi = scratch.getUint32(0);
  const lo = scratch.getUint32(4);
  const negative = hi >>> 31 === 1;
  const biased = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (biased === 0) {
    e = -1074; // subnormal
  } else {
    m |= 1n << 52n;
    e = biased - 1075;
  }
  return { m: negative ? -m : m, e };
}

function product3(a: number, b: number, c: number): { m: bigint; e: number } {
  const x = splitDouble(a);
  const y = splitDouble(b);
  const z = splitDouble(c);
  return { m: x.m * y.m * z.m, e: x.e + y.e + z.e };
}

/**
 * The exact sign of the determinant `a · (b × c)` of nine finite doubles, computed with
 * arbitrary-precision integers. Slow; used only when the floating-point error bound cannot decide.
 *
 * @param ax - x of the first vector
 * @param ay - y of the first vector
 * @param az - z of the first vector
 * @param bx - x of the second vector
 * @param by - y of the second vector
 * @param bz - z of the second vector
 * @param cx - x of the third vector
 * @param cy - y of the third vector
 * @param cz - z of the third vector
 * @returns -1, 0 or 1
 * @internal
 */
export function orientationExact(
  ax: number,
  ay: number,
  az: number,
  bx: number,
  by: number,
  bz: number,
  cx: number,
  cy: number,
  cz: number,
): -1 | 0 | 1 {
  const terms = [
    product3(ax, by, cz),
    product3(ax, bz, cy),
    product3(ay, bz, cx),
    product3(ay, bx, cz),
    product3(az, bx, cy),
    product3(az, by, cx),
  ];
  // Terms 1, 3 and 5 carry a minus sign in the expansion of the determinant.
  let minE = Infinity;
  for (const t of terms) if (t.m !== 0n && t.e < minE) minE = t.e;
  if (minE === Infinity) return 0;
  let sum = 0n;
  for (let i = 0; i < 6; i++) {
    const t = terms[i]!;
    if (t.m === 0n) continue;
    const v = t.m << BigInt(t.e - minE);
    sum += i % 2 === 1 ? -v : v;
  }
  return sum > 0n ? 1 : sum < 0n ? -1 : 0;
}

/**
 * The sign of `a · (b × c)` for arbitrary finite vectors given by components: 1 when `(a, b, c)`
 * is counter-clockwise (seen from outside the sphere), -1 when clockwise, 0 when the three are
 * coplanar with the origin. The answer is exact: a floating-point evaluation with an error bound
 * decides the common case and exact integer arithmetic decides the rest.
 *
 * @param ax - x of the first vector
 * @param ay - y of the first vector
 * @param az - z of the first vector
 * @param bx - x of the second vector
 * @param by - y of the second vector
 * @param bz - z of the second vector
 * @param cx - x of the third vector
 * @param cy - y of the third vector
 * @param cz - z of the third vector
 * @returns -1, 0 or 1
 * @internal
 */
export function orientationOf(
  ax: number,
  ay: number,
  az: number,
  bx: number,
  by: number,
  bz: number,
  cx: number,
  cy: number,
  cz: number,
): -1 | 0 | 1 {
  const bycz = by * cz;
  const bzcy = bz * cy;
  const bzcx = bz * cx;
  const bxcz = bx * cz;
  const bxcy = bx * cy;
  const bycx = by * cx;
  const det = ax * (bycz - bzcy) + ay * (bzcx - bxcz) + az * (bxcy - bycx);
  const permanent =
    Math.abs(ax) * (Math.abs(bycz) + Math.abs(bzcy)) +
    Math.abs(ay) * (Math.abs(bzcx) + Math.abs(bxcz)) +
    Math.abs(az) * (Math.abs(bxcy) + Math.abs(bycx));
  const bound = REL_ERROR * permanent + MIN_ABS_ERROR;
  if (det > bound) return 1;
  if (det < -bound) return -1;
  return orientationExact(ax, ay, az, bx, by, bz, cx, cy, cz);
}

/**
 * {@link orientationOf} for three unit vectors given by components, with a cheaper first test
 * that relies on every component being at most 1 in magnitude.
 *
 * @param ax - x of the first unit vector
 * @param ay - y of the first unit vector
 * @param az - z of the first unit vector
 * @param bx - x of the second unit vector
 * @param by - y of the second unit vector
 * @param bz - z of the second unit vector
 * @param cx - x of the third unit vector
 * @param cy - y of the third unit vector
 * @param cz - z of the third unit vector
 * @returns -1, 0 or 1
 * @internal
 */
export function orientationOfUnit(
  ax: number,
  ay: number,
  az: number,
  bx: number,
  by: number,
  bz: number,
  cx: number,
  cy: number,
  cz: number,
): -1 | 0 | 1 {
  const det = ax * (by * cz - bz * cy) + ay * (bz * cx - bx * cz) + az * (bx * cy - by * cx);
  if (det > UNIT_ABS_ERROR) return 1;
  if (det < -UNIT_ABS_ERROR) return -1;
  if (
    (ax === bx && ay === by && az === bz) ||
    (bx === cx && by === cy && bz === cz) ||
    (ax === cx && ay === cy && az === cz) ||
    (ax === -bx && ay === -by && az === -bz) ||
    (bx === -cx && by === -cy && bz === -cz) ||
    (ax === -cx && ay === -cy && az === -cz)
  ) {
    return 0;
  }
  return orientationOf(ax, ay, az, bx, by, bz, cx, cy, cz);
}

/**
 * The orientation of three unit vectors: the exact sign of the determinant `a · (b × c)`.
 *
 * It is 1 when `a`, `b` and `c` turn counter-clockwise seen from outside the unit sphere (so
 * that `a` lies to the left of the great circle from `b` to `c`), -1 when they turn clockwise,
 * and 0 when the three vectors are coplanar with the origin. Rounding never changes the answer:
 * when the floating-point determinant is too close to zero to trust, the sign is recomputed
 * exactly with integer arithmetic.
 *
 * @param a - first unit vector
 * @param b - second unit vector
 * @param c - third unit vector
 * @returns -1, 0 or 1
 * @example
 * ```ts
 * orientation(UnitVector3d.X(), UnitVector3d.Y(), UnitVector3d.Z()); // 1
 * orientation(UnitVector3d.Y(), UnitVector3d.X(), UnitVector3d.Z()); // -1
 * ```
 * @see lsst.sphgeom.orientation
 */
export function orientation(a: UnitVector3d, b: UnitVector3d, c: UnitVector3d): -1 | 0 | 1 {
  return orientationOfUnit(a.x, a.y, a.z, b.x, b.y, b.z, c.x, c.y, c.z);
}
