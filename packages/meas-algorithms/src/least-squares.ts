// Small dense linear least squares for the PSF, aperture-correction and spatial fits.
import { Random } from '@skystack/base';

/**
 * Solves the symmetric positive (semi-)definite system `A x = b` in place by a Cholesky
 * factorisation with a tiny ridge for rank-deficient systems.
 *
 * @param a - the `n × n` matrix, row-major (overwritten by the factor)
 * @param b - the right-hand side (overwritten by the solution)
 * @param n - the size
 * @returns `b`, now the solution
 * @example
 * ```ts
 * solveSymmetric(Float64Array.of(4, 2, 2, 3), Float64Array.of(2, 1), 2); // [0.5, 0]
 * ```
 */
export function solveSymmetric(a: Float64Array, b: Float64Array, n: number): Float64Array {
  let trace = 0;
  for (let i = 0; i < n; i++) trace += Math.abs(a[i * n + i]!);
  const ridge = ((trace > 0 ? trace : 1) / Math.max(1, n)) * 1e-12;
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]! + ridge;
    for (let k = 0; k < j; k++) d -= a[j * n + k]! * a[j * n + k]!;
    const djj = d > ridge ? Math.sqrt(d) : Math.sqrt(ridge);
    a[j * n + j] = djj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= a[i * n + k]! * a[j * n + k]!;
      a[i * n + j] = s / djj;
    }
  }
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= a[i * n + k]! * b[k]!;
    b[i] = s / a[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= a[k * n + i]! * b[k]!;
    b[i] = s / a[i * n + i]!;
  }
  return b;
}

/**
 * Weighted linear least squares `min Σ w_i (Σ_k M_ik c_k - z_i)²` by the normal equations.
 *
 * @param design - the `m × p` design matrix, row-major
 * @param z - the `m` data values
 * @param p - the number of parameters
 * @param weights - the `m` weights (default 1)
 * @returns the `p` coefficients
 * @example
 * ```ts
 * fitLinear(Float64Array.of(1, 0, 1, 1, 1, 2), Float64Array.of(1, 3, 5), 2); // [1, 2]
 * ```
 */
export function fitLinear(design: Float64Array, z: ArrayLike<number>, p: number, weights?: ArrayLike<number>): Float64Array {
  const m = z.length;
  const ata = new Float64Array(p * p);
  const atz = new Float64Array(p);
  for (let i = 0; i < m; i++) {
    const w = weights === undefined ? 1 : weights[i]!;
    if (w === 0) continue;
    const row = i * p;
    for (let j = 0; j < p; j++) {
      const wj = w * design[row + j]!;
      atz[j]! += wj * z[i]!;
      for (let k = 0; k <= j; k++) ata[j * p + k]! += wj * design[row + k]!;
    }
  }
  for (let j = 0; j < p; j++) for (let k = 0; k < j; k++) ata[k * p + j] = ata[j * p + k]!;
  return solveSymmetric(ata, atz, p);
}

/**
 * The Chebyshev polynomials of the first kind `T_0 … T_order` at `t`.
 *
 * @param t - the argument (in `[-1, 1]` for the usual range)
 * @param order - the highest order
 * @param out - where to write (`order + 1` values)
 * @returns `out`
 * @example
 * ```ts
 * chebyshevT(0.5, 2, new Float64Array(3)); // [1, 0.5, -0.5]
 * ```
 */
export function chebyshevT(t: number, order: number, out: Float64Array): Float64Array {
  out[0] = 1;
  if (order >= 1) out[1] = t;
  for (let k = 2; k <= order; k++) out[k] = 2 * t * out[k - 1]! - out[k - 2]!;
  return out;
}

/**
 * A seeded uniform generator on `[0, 1)` (`Random` of `@skystack/base`).
 *
 * @param seed - the seed
 * @returns the generator
 * @example
 * ```ts
 * const u = seededUniform(42); u();
 * ```
 */
export function seededUniform(seed: number): () => number {
  const rng = new Random(seed);
  return () => rng.uniform();
}

/**
 * The median of some values (a sorted copy; NaN when empty).
 *
 * @param values - the values
 * @returns the median
 * @example
 * ```ts
 * median([3, 1, 2]); // 2
 * ```
 */
export function median(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  const s = Float64Array.from(values).sort();
  return n % 2 === 1 ? s[(n - 1) / 2]! : 0.5 * (s[n / 2 - 1]! + s[n / 2]!);
}
