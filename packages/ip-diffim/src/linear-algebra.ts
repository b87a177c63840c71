// Dense least squares for the kernel fits by Householder QR (LSST forms the normal equations and
// uses Eigen's FullPivLU, which loses twice the digits on these ill-conditioned problems).

/**
 * Householder QR of a tall matrix, in place: on return the upper triangle of the first `n` rows
 * holds R and `rhs` holds Qᵀ·rhs. Column pivoting puts the largest remaining column first.
 *
 * @param a - `m × n`, row-major, `m ≥ n` (overwritten)
 * @param m - rows
 * @param n - columns
 * @param rhs - length `m` (overwritten with Qᵀ rhs)
 * @returns the column permutation (`perm[k]` is the original column of R's column k)
 * @internal
 */
export function householderQr(a: Float64Array, m: number, n: number, rhs: Float64Array): Int32Array {
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  const norms = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += a[i * n + j]! ** 2;
    norms[j] = s;
  }
  for (let k = 0; k < n && k < m; k++) {
    let best = k;
    for (let j = k + 1; j < n; j++) if (norms[j]! > norms[best]!) best = j;
    if (best !== k) {
      for (let i = 0; i < m; i++) {
        const t = a[i * n + k]!;
        a[i * n + k] = a[i * n + best]!;
        a[i * n + best] = t;
      }
      [norms[k], norms[best]] = [norms[best]!, norms[k]!];
      [perm[k], perm[best]] = [perm[best]!, perm[k]!];
    }
    let alpha = 0;
    for (let i = k; i < m; i++) alpha += a[i * n + k]! ** 2;
    alpha = Math.sqrt(alpha);
    if (alpha === 0) continue;
    if (a[k * n + k]! > 0) alpha = -alpha;
    // v = x - alpha e1, stored in column k below the diagonal (v_k separately).
    const vk = a[k * n + k]! - alpha;
    let vnorm2 = vk * vk;
    for (let i = k + 1; i < m; i++) vnorm2 += a[i * n + k]! ** 2;
    if (vnorm2 === 0) continue;
    for (let j = k + 1; j < n; j++) {
      let dot = vk * a[k * n + j]!;
      for (let i = k + 1; i < m; i++) dot += a[i * n + k]! * a[i * n + j]!;
      const f = (2 * dot) / vnorm2;
      a[k * n + j]! -= f * vk;
      for (let i = k + 1; i < m; i++) a[i * n + j]! -= f * a[i * n + k]!;
      norms[j]! -= a[k * n + j]! ** 2;
    }
    let dot = vk * rhs[k]!;
    for (let i = k + 1; i < m; i++) dot += a[i * n + k]! * rhs[i]!;
    const f = (2 * dot) / vnorm2;
    rhs[k]! -= f * vk;
    for (let i = k + 1; i < m; i++) rhs[i]! -= f * a[i * n + k]!;
    a[k * n + k] = alpha;
    for (let i = k + 1; i < m; i++) a[i * n + k] = 0;
  }
  return perm;
}

/**
 * Solves the least-squares problem `min ‖A x − b‖` by column-pivoted Householder QR (without
 * forming the normal equations, whose condition number is the square of `A`'s). Columns whose
 * pivot `|R_kk|` is below `rcond × |R_00|` are dropped (their unknowns set to 0).
 *
 * @param a - `m × n`, row-major (overwritten)
 * @param m - rows (≥ n)
 * @param n - columns
 * @param b - length `m` (overwritten)
 * @param rcond - relative pivot threshold (default 1e-13)
 * @returns the solution and the rank used
 * @internal
 */
export function solveLeastSquares(a: Float64Array, m: number, n: number, b: Float64Array, rcond = 1e-13): { x: Float64Array; rank: number } {
  const perm = householderQr(a, m, n, b);
  const r00 = Math.abs(a[0] ?? 0);
  let rank = 0;
  while (rank < Math.min(m, n) && Math.abs(a[rank * n + rank]!) > rcond * r00) rank++;
  const y = new Float64Array(n);
  for (let k = rank - 1; k >= 0; k--) {
    let s = b[k]!;
    for (let j = k + 1; j < rank; j++) s -= a[k * n + j]! * y[j]!;
    y[k] = s / a[k * n + k]!;
  }
  const x = new Float64Array(n);
  for (let k = 0; k < n; k++) x[perm[k]!] = y[k]!;
  return { x, rank };
}
