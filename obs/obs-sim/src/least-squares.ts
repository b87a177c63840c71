// Linear least squares by Householder QR (small dense problems: polynomial fits).

/**
 * Solves min ‖A·x − b‖² by Householder QR.
 *
 * @param a - the design matrix, row-major, `rows × cols` (overwritten)
 * @param b - the right-hand side, `rows` values (overwritten)
 * @param rows - number of rows
 * @param cols - number of columns (≤ rows)
 * @returns the solution, `cols` values
 * @internal
 */
export function solveLeastSquares(a: Float64Array, b: Float64Array, rows: number, cols: number): Float64Array {
  for (let k = 0; k < cols; k++) {
    let norm = 0;
    for (let i = k; i < rows; i++) norm += a[i * cols + k]! ** 2;
    norm = Math.sqrt(norm);
    if (norm === 0) continue;
    const akk = a[k * cols + k]!;
    const alpha = akk > 0 ? -norm : norm;
    const v0 = akk - alpha;
    a[k * cols + k] = v0;
    const vnorm2 = v0 * v0 + (norm * norm - akk * akk);
    if (vnorm2 === 0) continue;
    for (let j = k + 1; j < cols; j++) {
      let s = 0;
      for (let i = k; i < rows; i++) s += a[i * cols + k]! * a[i * cols + j]!;
      const f = (2 * s) / vnorm2;
      for (let i = k; i < rows; i++) a[i * cols + j] = a[i * cols + j]! - f * a[i * cols + k]!;
    }
    let s = 0;
    for (let i = k; i < rows; i++) s += a[i * cols + k]! * b[i]!;
    const f = (2 * s) / vnorm2;
    for (let i = k; i < rows; i++) b[i] = b[i]! - f * a[i * cols + k]!;
    a[k * cols + k] = alpha;
  }
  const x = new Float64Array(cols);
  for (let k = cols - 1; k >= 0; k--) {
    let s = b[k]!;
    for (let j = k + 1; j < cols; j++) s -= a[k * cols + j]! * x[j]!;
    const d = a[k * cols + k]!;
    x[k] = d === 0 ? 0 : s / d;
  }
  return x;
}
