// Internal: planar polynomial transforms (similarity, affine, quadratic) fitted by least squares.

/** Solves the symmetric positive system `a x = b` (n × n, row-major; both overwritten); null when singular. */
function solve(a: Float64Array, b: Float64Array, n: number): Float64Array | null {
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i * n + k]!) > Math.abs(a[p * n + k]!)) p = i;
    if (Math.abs(a[p * n + k]!) < 1e-12) return null;
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        const t = a[k * n + j]!;
        a[k * n + j] = a[p * n + j]!;
        a[p * n + j] = t;
      }
      const t = b[k]!;
      b[k] = b[p]!;
      b[p] = t;
    }
    for (let i = k + 1; i < n; i++) {
      const f = a[i * n + k]! / a[k * n + k]!;
      if (f === 0) continue;
      for (let j = k; j < n; j++) a[i * n + j] = a[i * n + j]! - f * a[k * n + j]!;
      b[i] = b[i]! - f * b[k]!;
    }
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let j = i + 1; j < n; j++) s -= a[i * n + j]! * x[j]!;
    x[i] = s / a[i * n + i]!;
  }
  return x;
}

/**
 * A planar transform `(x, y) → (x', y')`: a polynomial of order 1 (affine) or 2 in
 * normalised coordinates `u = (x − cx)/s`, `v = (y − cy)/s`.
 */
export class PolyTransform {
  /** Polynomial order (1 or 2). */
  readonly order: number;
  /** Normalisation centre x. */
  readonly cx: number;
  /** Normalisation centre y. */
  readonly cy: number;
  /** Normalisation scale. */
  readonly s: number;
  /** Coefficients of x' (terms 1, u, v[, u², uv, v²]). */
  readonly a: Float64Array;
  /** Coefficients of y'. */
  readonly b: Float64Array;

  /**
   * Makes the transform.
   *
   * @param order - 1 or 2
   * @param cx - centre x
   * @param cy - centre y
   * @param s - scale
   * @param a - x' coefficients
   * @param b - y' coefficients
   */
  constructor(order: number, cx: number, cy: number, s: number, a: Float64Array, b: Float64Array) {
    this.order = order;
    this.cx = cx;
    this.cy = cy;
    this.s = s;
    this.a = a;
    this.b = b;
  }

  /**
   * The identity.
   *
   * @returns the identity transform
   */
  static identity(): PolyTransform {
    return new PolyTransform(1, 0, 0, 1, Float64Array.of(0, 1, 0), Float64Array.of(0, 0, 1));
  }

  /**
   * Applies the transform to one point.
   *
   * @param x - input x
   * @param y - input y
   * @param out - receives [x', y']
   */
  apply(x: number, y: number, out: Float64Array): void {
    const u = (x - this.cx) / this.s;
    const v = (y - this.cy) / this.s;
    const a = this.a;
    const b = this.b;
    let px = a[0]! + a[1]! * u + a[2]! * v;
    let py = b[0]! + b[1]! * u + b[2]! * v;
    if (this.order === 2) {
      px += a[3]! * u * u + a[4]! * u * v + a[5]! * v * v;
      py += b[3]! * u * u + b[4]! * u * v + b[5]! * v * v;
    }
    out[0] = px;
    out[1] = py;
  }

  /**
   * Applies the transform to arrays.
   *
   * @param xs - input x
   * @param ys - input y
   * @returns the transformed coordinates
   */
  applyArrays(xs: Float64Array, ys: Float64Array): {
    /** Transformed x. */
    x: Float64Array;
    /** Transformed y. */
    y: Float64Array;
  } {
    const n = xs.length;
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    const t = new Float64Array(2);
    for (let i = 0; i < n; i++) {
      this.apply(xs[i]!, ys[i]!, t);
      x[i] = t[0]!;
      y[i] = t[1]!;
    }
    return { x, y };
  }
}

/**
 * Fits a polynomial transform mapping (xs[i], ys[i]) to (xt[i], yt[i]) over the listed pairs.
 *
 * @param xs - source x
 * @param ys - source y
 * @param xt - target x
 * @param yt - target y
 * @param order - 1 (affine, ≥ 3 pairs) or 2 (≥ 6 pairs)
 * @returns the transform, or null when the pairs do not constrain it
 */
export function fitPolyTransform(xs: ArrayLike<number>, ys: ArrayLike<number>, xt: ArrayLike<number>, yt: ArrayLike<number>, order: 1 | 2): PolyTransform | null {
  const n = xs.length;
  const m = order === 1 ? 3 : 6;
  if (n < m) return null;
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < n; i++) {
    cx += xs[i]!;
    cy += ys[i]!;
  }
  cx /= n;
  cy /= n;
  let s = 0;
  for (let i = 0; i < n; i++) s = Math.max(s, Math.abs(xs[i]! - cx), Math.abs(ys[i]! - cy));
  if (s === 0) return null;
  const ata = new Float64Array(m * m);
  const atx = new Float64Array(m);
  const aty = new Float64Array(m);
  const row = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    const u = (xs[i]! - cx) / s;
    const v = (ys[i]! - cy) / s;
    row[0] = 1;
    row[1] = u;
    row[2] = v;
    if (order === 2) {
      row[3] = u * u;
      row[4] = u * v;
      row[5] = v * v;
    }
    for (let j = 0; j < m; j++) {
      atx[j] = atx[j]! + row[j]! * xt[i]!;
      aty[j] = aty[j]! + row[j]! * yt[i]!;
      for (let k = 0; k < m; k++) ata[j * m + k] = ata[j * m + k]! + row[j]! * row[k]!;
    }
  }
  const a = solve(Float64Array.from(ata), atx, m);
  const b = solve(ata, aty, m);
  if (a === null || b === null) return null;
  return new PolyTransform(order, cx, cy, s, a, b);
}

/**
 * Fits a similarity transform (shift, rotation, scale) mapping source to target points.
 *
 * @param xs - source x
 * @param ys - source y
 * @param xt - target x
 * @param yt - target y
 * @returns the transform (as an affine {@link PolyTransform}), or null for fewer than 2 distinct points
 */
export function fitSimilarity(xs: ArrayLike<number>, ys: ArrayLike<number>, xt: ArrayLike<number>, yt: ArrayLike<number>): PolyTransform | null {
  const n = xs.length;
  let mx = 0;
  let my = 0;
  let tx = 0;
  let ty = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i]!;
    my += ys[i]!;
    tx += xt[i]!;
    ty += yt[i]!;
  }
  mx /= n;
  my /= n;
  tx /= n;
  ty /= n;
  let sxx = 0;
  let sc = 0;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const u = xs[i]! - mx;
    const v = ys[i]! - my;
    const p = xt[i]! - tx;
    const q = yt[i]! - ty;
    sxx += u * u + v * v;
    sc += u * p + v * q;
    ss += u * q - v * p;
  }
  if (!(sxx > 0)) return null;
  const c = sc / sxx;
  const d = ss / sxx;
  return new PolyTransform(1, mx, my, 1, Float64Array.of(tx, c, -d), Float64Array.of(ty, d, c));
}
