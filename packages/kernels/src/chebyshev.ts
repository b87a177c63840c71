import { simdKernels, type SimdKernels } from './simd-kernels.js';
import { streamSum } from './stream-sum.js';
import { KernelsFitError, KernelsInvalidArgumentError } from './errors.js';

/** The domain of a {@link Chebyshev2d}: `[minX, maxX] × [minY, maxY]`, mapped onto `[-1, 1]²`. */
export interface ChebyshevDomain {
  /** Smallest x. */
  readonly minX: number;
  /** Largest x. */
  readonly maxX: number;
  /** Smallest y. */
  readonly minY: number;
  /** Largest y. */
  readonly maxY: number;
}

/**
 * A 2-D Chebyshev series `f(x, y) = Σ c[i, j] Tᵢ(x') Tⱼ(y')` with `x', y'` the coordinates mapped
 * linearly from the domain onto `[-1, 1]`. With `triangular` (afw's `Chebyshev1Function2`), only
 * terms with `i + j ≤ max(orderX, orderY)` are present.
 *
 * @see lsst.afw.math.Chebyshev1Function2
 */
export class Chebyshev2d {
  /** Highest power of x. */
  readonly orderX: number;
  /** Highest power of y. */
  readonly orderY: number;
  /** Whether the terms are limited to total degree `max(orderX, orderY)`. */
  readonly triangular: boolean;
  /** The domain mapped onto `[-1, 1]²`. */
  readonly domain: ChebyshevDomain;
  /** Dense coefficients `c[j * (orderX + 1) + i]` of `Tᵢ(x') Tⱼ(y')` (0 for absent terms). */
  readonly coefficients: Float64Array;

  /**
   * Makes a series from its coefficients.
   *
   * @param coefficients - dense `(orderY + 1) × (orderX + 1)` coefficients, row j = power of y
   * @param orderX - highest power of x
   * @param orderY - highest power of y
   * @param domain - the domain
   * @param triangular - whether only total degree ≤ max order is allowed (default true)
   * @throws {@link KernelsInvalidArgumentError} for bad orders, coefficient count or domain
   */
  constructor(coefficients: ArrayLike<number>, orderX: number, orderY: number, domain: ChebyshevDomain, triangular = true) {
    checkOrders(orderX, orderY);
    if (coefficients.length !== (orderX + 1) * (orderY + 1)) {
      throw new KernelsInvalidArgumentError(
        `Expected ${(orderX + 1) * (orderY + 1)} coefficients for orders (${orderX}, ${orderY}); got ${coefficients.length}.`,
      );
    }
    if (!(domain.maxX > domain.minX) || !(domain.maxY > domain.minY)) {
      throw new KernelsInvalidArgumentError(`The Chebyshev domain must not be empty; got ${JSON.stringify(domain)}.`);
    }
    this.orderX = orderX;
    this.orderY = orderY;
    this.triangular = triangular;
    this.domain = { ...domain };
    this.coefficients = Float64Array.from(coefficients);
  }

  /**
   * The value at one point.
   *
   * @param x - x coordinate
   * @param y - y coordinate
   * @returns f(x, y)
   */
  evaluate(x: number, y: number): number {
    const tx = new Float64Array(this.orderX + 1);
    const ty = new Float64Array(this.orderY + 1);
    chebyshevT(mapX(this.domain, x), tx);
    chebyshevT(mapY(this.domain, y), ty);
    let s = 0;
    const nx = this.orderX + 1;
    for (let j = 0; j <= this.orderY; j++) {
      let r = 0;
      for (let i = 0; i < nx; i++) r += this.coefficients[j * nx + i]! * tx[i]!;
      s += r * ty[j]!;
    }
    return s;
  }

  /**
   * Evaluates on a pixel grid: `out[(y - y0) * width + (x - x0)] = f(x, y)` for rows
   * `rowStart ≤ y - y0 < rowEnd` (all rows by default). Costs `orderX + 1` multiply-adds per pixel.
   *
   * @param out - destination, `width * height` values
   * @param x0 - x of the first column
   * @param y0 - y of the first row
   * @param width - columns
   * @param height - rows
   * @param rowStart - first row to fill (default 0)
   * @param rowEnd - one past the last row to fill (default `height`)
   * @returns `out`
   */
  evaluateGrid<T extends Float32Array | Float64Array>(
    out: T,
    x0: number,
    y0: number,
    width: number,
    height: number,
    rowStart = 0,
    rowEnd = height,
  ): T {
    evaluateChebyshevRows(this.coefficients, this.orderX, this.orderY, this.domain, out, x0, y0, width, rowStart, rowEnd);
    return out;
  }
}

function checkOrders(orderX: number, orderY: number): void {
  if (!Number.isInteger(orderX) || !Number.isInteger(orderY) || orderX < 0 || orderY < 0) {
    throw new KernelsInvalidArgumentError(`Chebyshev orders must be integers >= 0; got (${orderX}, ${orderY}).`);
  }
}

function mapX(d: ChebyshevDomain, x: number): number {
  return (x - 0.5 * (d.minX + d.maxX)) * (2 / (d.maxX - d.minX));
}

function mapY(d: ChebyshevDomain, y: number): number {
  return (y - 0.5 * (d.minY + d.maxY)) * (2 / (d.maxY - d.minY));
}

/** T₀..Tₙ at t (n = out.length - 1), by the recurrence. */
function chebyshevT(t: number, out: Float64Array): void {
  out[0] = 1;
  if (out.length > 1) out[1] = t;
  for (let k = 2; k < out.length; k++) out[k] = 2 * t * out[k - 1]! - out[k - 2]!;
}

/** The last {@link columnTerms} made (bands of one grid share it). */
let lastColumnTerms: { minX: number; maxX: number; x0: number; width: number; nx: number; tx: Float64Array } | undefined;

/** `Tᵢ(x')` for every column `x0 .. x0 + width - 1`, i-major (`T₀ = 1`); not to be modified. */
function columnTerms(domain: ChebyshevDomain, x0: number, width: number, nx: number): Float64Array {
  const last = lastColumnTerms;
  if (last !== undefined && last.minX === domain.minX && last.maxX === domain.maxX && last.x0 === x0 && last.width === width && last.nx === nx) return last.tx;
  const tx = new Float64Array(nx * width);
  const tmp = new Float64Array(nx);
  for (let x = 0; x < width; x++) {
    chebyshevT(mapX(domain, x0 + x), tmp);
    for (let i = 0; i < nx; i++) tx[i * width + x] = tmp[i]!;
  }
  lastColumnTerms = { minX: domain.minX, maxX: domain.maxX, x0, width, nx, tx };
  return tx;
}

/**
 * The weights of a row of a Chebyshev grid at mapped ordinate `t` (`mapY` of the row's y): writes
 * `aᵢ = Σⱼ c[j, i] Tⱼ(t)` into `a` (`ty` holds T₀..T_orderY) and returns the bit set of the
 * non-zero ones (bit 0 always set).
 */
function rowWeightsAt(coefficients: Float64Array, orderY: number, nx: number, t: number, ty: Float64Array, a: Float64Array): number {
  chebyshevT(t, ty);
  let used = 1; // bit i: aᵢ is used (a₀ always)
  for (let i = 0; i < nx; i++) {
    let s = 0;
    for (let j = 0; j <= orderY; j++) s += coefficients[j * nx + i]! * ty[j]!;
    a[i] = s;
    if (s !== 0) used |= 1 << i;
  }
  return used;
}

/** {@link rowWeightsAt} of row `r` (y = y0 + r) as a function of the row (the TypeScript loop's form). */
function rowWeightsOf(
  coefficients: Float64Array,
  orderY: number,
  nx: number,
  domain: ChebyshevDomain,
  y0: number,
  a: Float64Array,
): (r: number) => number {
  const ty = new Float64Array(orderY + 1);
  return (r: number): number => rowWeightsAt(coefficients, orderY, nx, mapY(domain, y0 + r), ty, a);
}

/**
 * The TypeScript row loop: for each row, `a₀ T₀ + Σ aᵢ Tᵢ(x)` over the non-zero `aᵢ`, summed in
 * order of `i`, handed to `emit(r, sum, offs, w, nu)`.
 */
function chebyshevRowsTs(
  nx: number,
  width: number,
  rowStart: number,
  rowEnd: number,
  rowWeights: (r: number) => number,
  a: Float64Array,
  emit: (r: number, offs: Int32Array, w: Float64Array, nu: number) => void,
): void {
  const offs = new Int32Array(nx);
  const w = new Float64Array(nx);
  for (let r = rowStart; r < rowEnd; r++) {
    rowWeights(r);
    let nu = 1;
    offs[0] = 0;
    w[0] = a[0]!;
    for (let i = 1; i < nx; i++) {
      if (a[i] === 0) continue;
      offs[nu] = i * width;
      w[nu++] = a[i]!;
    }
    emit(r, offs, w, nu);
  }
}

/**
 * Evaluates dense Chebyshev coefficients on rows `[rowStart, rowEnd)` of a pixel grid (the loop a
 * backend runs; see {@link Chebyshev2d.evaluateGrid}).
 *
 * @param coefficients - dense coefficients `c[j * (orderX + 1) + i]`
 * @param orderX - highest power of x
 * @param orderY - highest power of y
 * @param domain - the domain
 * @param out - destination, row-major with stride `width`, row 0 = `y0`
 * @param x0 - x of the first column
 * @param y0 - y of the first row
 * @param width - columns
 * @param rowStart - first row to fill
 * @param rowEnd - one past the last row
 */
export function evaluateChebyshevRows(
  coefficients: Float64Array,
  orderX: number,
  orderY: number,
  domain: ChebyshevDomain,
  out: Float32Array | Float64Array,
  x0: number,
  y0: number,
  width: number,
  rowStart: number,
  rowEnd: number,
): void {
  const nx = orderX + 1;
  const tx = columnTerms(domain, x0, width, nx);
  const a = new Float64Array(nx);
  const simd = rowEnd > rowStart && nx <= 31 ? simdKernels() : undefined;
  if (simd !== undefined) {
    chebyshevRowsSimd(simd, tx, nx, out, undefined, width, rowStart, rowEnd, coefficients, orderY, domain, y0, a);
    return;
  }
  const rowWeights = rowWeightsOf(coefficients, orderY, nx, domain, y0, a);
  const variant = out instanceof Float32Array ? 'f64>f32' : 'f64>f64';
  chebyshevRowsTs(nx, width, rowStart, rowEnd, rowWeights, a, (r, offs, w, nu) => streamSum(0, nu, variant)(tx, 0, out, r * width, width, offs, w));
}

/**
 * A Chebyshev series added, times a sign, into rows of a float32 image (see
 * {@link addChebyshevRows}): pixel `(x0 + x, y0 + r)` of the series goes to `image[offset + r ·
 * stride + x]`.
 */
export interface ChebyshevAddJob {
  /** Dense coefficients `c[j * (orderX + 1) + i]`. */
  readonly coefficients: Float64Array;
  /** Highest power of x. */
  readonly orderX: number;
  /** Highest power of y. */
  readonly orderY: number;
  /** The series' domain. */
  readonly domain: ChebyshevDomain;
  /** The image the values are added into (in place). */
  readonly out: Float32Array;
  /** Index in `out` of the first pixel of the first row. */
  readonly offset: number;
  /** Elements from one image row to the next. */
  readonly stride: number;
  /** x of the first column (in the series' coordinates). */
  readonly x0: number;
  /** y of the first row (in the series' coordinates). */
  readonly y0: number;
  /** Columns. */
  readonly width: number;
  /** Rows. */
  readonly height: number;
  /** The factor of the values (-1 subtracts, +1 adds). */
  readonly sign: number;
  /** The centre `c` of the sums in `outSums`. */
  readonly center: number;
  /**
   * Where each row's sums of the added float32 values go, when given (`4 * height` values): for
   * row `r`, `[Σ (v − c), Σ (v − c)², ...]` as `[s_even, s_odd, q_even, q_odd]` at `4r`, the
   * terms of even and odd columns `x` summed separately, each in order of `x`.
   */
  readonly outSums?: Float64Array | undefined;
}

/**
 * Adds `sign ×` a Chebyshev series into rows `[rowStart, rowEnd)` of a float32 image, without an
 * intermediate buffer: each pixel becomes `fround(p + sign · fround(v))` (`p` the image value,
 * `v` the series summed as {@link evaluateChebyshevRows} sums it), exactly what evaluating into a
 * float32 buffer and adding that buffer in double precision gives. With `outSums`, writes the
 * per-row sums of the added values (see {@link ChebyshevAddJob.outSums}); rows are independent, so
 * any split of the rows gives the same sums.
 *
 * @param job - the series, the image and the sums
 * @param rowStart - first row
 * @param rowEnd - one past the last row
 * @example
 * ```ts
 * // sky -= the series, on a 100 × 80 image
 * addChebyshevRows({ ...series, out: sky, offset: 0, stride: 100, x0: 0, y0: 0, width: 100, height: 80, sign: -1, center: 0 }, 0, 80);
 * ```
 */
export function addChebyshevRows(job: ChebyshevAddJob, rowStart: number, rowEnd: number): void {
  const { coefficients, orderX, orderY, domain, out, offset, stride, width, sign, center, outSums } = job;
  const nx = orderX + 1;
  const tx = columnTerms(domain, job.x0, width, nx);
  const a = new Float64Array(nx);
  const simd = rowEnd > rowStart && nx <= 31 ? simdKernels() : undefined;
  if (simd !== undefined) {
    chebyshevRowsSimd(simd, tx, nx, undefined, job, width, rowStart, rowEnd, coefficients, orderY, domain, job.y0, a);
    return;
  }
  const rowWeights = rowWeightsOf(coefficients, orderY, nx, domain, job.y0, a);
  const row = new Float64Array(width);
  chebyshevRowsTs(nx, width, rowStart, rowEnd, rowWeights, a, (r, offs, w, nu) => {
    streamSum(0, nu, 'f64>f64')(tx, 0, row, 0, width, offs, w);
    addRowTs(out, offset + r * stride, row, width, sign, center, outSums, 4 * r);
  });
}

/** `out[o + x] = fround(out[o + x] + sign · fround(row[x]))`, with the sums of ChebyshevAddJob. */
function addRowTs(out: Float32Array, o: number, row: Float64Array, width: number, sign: number, c: number, sums: Float64Array | undefined, k: number): void {
  if (sums === undefined) {
    for (let x = 0; x < width; x++) out[o + x] = out[o + x]! + sign * Math.fround(row[x]!);
    return;
  }
  let s0 = 0;
  let s1 = 0;
  let q0 = 0;
  let q1 = 0;
  let x = 0;
  for (; x + 1 < width; x += 2) {
    const v0 = Math.fround(row[x]!);
    const v1 = Math.fround(row[x + 1]!);
    out[o + x] = out[o + x]! + sign * v0;
    out[o + x + 1] = out[o + x + 1]! + sign * v1;
    const d0 = v0 - c;
    const d1 = v1 - c;
    s0 += d0;
    s1 += d1;
    q0 += d0 * d0;
    q1 += d1 * d1;
  }
  if (x < width) {
    const v = Math.fround(row[x]!);
    out[o + x] = out[o + x]! + sign * v;
    const d = v - c;
    s0 += d;
    q0 += d * d;
  }
  sums[k] = s0;
  sums[k + 1] = s1;
  sums[k + 2] = q0;
  sums[k + 3] = q1;
}

/** Bytes of output rows that {@link chebyshevRowsSimd} computes per call. */
const CHEBYSHEV_CHUNK_BYTES = 1 << 20;

/**
 * {@link evaluateChebyshevRows} (into `out`) or {@link addChebyshevRows} (`add`) with the
 * WebAssembly SIMD row sums: `Tᵢ(x)` in the kernels' memory, the weights of a run of rows that
 * use the same terms written there, the run's rows computed in one call and copied out at once
 * (added: the image rows copied in first, the sums copied out after).
 */
function chebyshevRowsSimd(
  simd: SimdKernels,
  tx: Float64Array,
  nx: number,
  out: Float32Array | Float64Array | undefined,
  add: ChebyshevAddJob | undefined,
  width: number,
  rowStart: number,
  rowEnd: number,
  coefficients: Float64Array,
  orderY: number,
  domain: ChebyshevDomain,
  y0: number,
  a: Float64Array,
): void {
  // (the row weights by a plain function, not a closure made by the caller: this runs a few
  // times per image, and its optimised code, which had inlined the previous image's closure, was
  // thrown away when the garbage collector took that closure)
  const ty = new Float64Array(orderY + 1);
  // mapY, with its two constants computed as there
  const cy = 0.5 * (domain.minY + domain.maxY);
  const ky = 2 / (domain.maxY - domain.minY);
  const dst = out instanceof Float64Array ? 'f64' : 'f32';
  const db = dst === 'f32' ? 4 : 8;
  const chunk = Math.max(1, Math.min(rowEnd - rowStart, Math.floor(CHEBYSHEV_CHUNK_BYTES / (db * width))));
  const TX = simd.scratchBytes;
  const W = TX + 8 * nx * width;
  const ROWS = W + 8 * nx * chunk;
  const SUMS = (ROWS + db * chunk * width + 15) & ~15;
  const sums = add?.outSums;
  const buffer = simd.reserve(SUMS + (sums === undefined ? 0 : 32 * chunk));
  new Float64Array(buffer, TX, nx * width).set(tx);
  const weights = new Float64Array(buffer, W, nx * chunk);
  const rows = dst === 'f32' ? new Float32Array(buffer, ROWS, chunk * width) : new Float64Array(buffer, ROWS, chunk * width);
  const rowSums = sums === undefined ? undefined : new Float64Array(buffer, SUMS, 4 * chunk);
  const offsets = new Int32Array(nx);
  let r = rowStart;
  let used = rowWeightsAt(coefficients, orderY, nx, (y0 + r - cy) * ky, ty, a);
  while (r < rowEnd) {
    // a run of rows using the same terms (the weights of each at W + k·8·nu)
    const runUsed = used;
    let nu = 0;
    for (let i = 0; i < nx; i++) if ((runUsed & (1 << i)) !== 0) offsets[nu++] = 8 * i * width;
    let m = 0;
    for (;;) {
      let q = 0;
      for (let i = 0; i < nx; i++) if ((runUsed & (1 << i)) !== 0) weights[m * nu + q++] = a[i]!;
      m++;
      if (m === chunk || r + m === rowEnd) break;
      used = rowWeightsAt(coefficients, orderY, nx, (y0 + (r + m) - cy) * ky, ty, a);
      if (used !== runUsed) break;
    }
    if (add === undefined) {
      simd.rowSums(offsets.subarray(0, nu), dst)(TX, 0, ROWS, db * width, m, width, W, 8 * nu);
      out!.set(rows.subarray(0, m * width), r * width);
    } else {
      const image = add.out;
      const { stride } = add;
      const o = add.offset + r * stride;
      if (stride === width) rows.set(image.subarray(o, o + m * width));
      else for (let k = 0; k < m; k++) rows.set(image.subarray(o + k * stride, o + k * stride + width), k * width);
      simd.rowSumsAdd(offsets.subarray(0, nu), rowSums !== undefined)(TX, 0, ROWS, 4 * width, m, width, W, 8 * nu, add.sign, add.center, SUMS);
      if (stride === width) image.set(rows.subarray(0, m * width), o);
      else for (let k = 0; k < m; k++) image.set(rows.subarray(k * width, (k + 1) * width), o + k * stride);
      if (rowSums !== undefined) sums!.set(rowSums.subarray(0, 4 * m), 4 * r);
    }
    r += m;
    if (m === chunk && r < rowEnd) used = rowWeightsAt(coefficients, orderY, nx, (y0 + r - cy) * ky, ty, a);
  }
}

/** Options of {@link fitChebyshev2d}. */
export interface ChebyshevFitOptions {
  /** Highest power of x. */
  readonly orderX: number;
  /** Highest power of y (default `orderX`). */
  readonly orderY?: number;
  /** Limit the terms to total degree `max(orderX, orderY)`, as afw (default true). */
  readonly triangular?: boolean;
  /** Per-point weights (inverse variances); points with a non-finite value or weight are skipped. */
  readonly weights?: ArrayLike<number>;
  /** The domain (default: the bounding box of the points). */
  readonly domain?: ChebyshevDomain;
}

/**
 * Weighted linear least-squares fit of a 2-D Chebyshev series to scattered points, by the normal
 * equations solved with partially pivoted LU (as afw's `ApproximateChebyshev`).
 *
 * @param x - x of the points
 * @param y - y of the points
 * @param values - the values at the points
 * @param options - orders, weights, domain
 * @returns the fitted series
 * @throws {@link KernelsInvalidArgumentError} for arrays of different lengths or bad orders
 * @throws {@link KernelsFitError} when no point is usable or the system is singular
 * @example
 * ```ts
 * const fit = fitChebyshev2d(xs, ys, zs, { orderX: 2, domain: { minX: 0, maxX: 100, minY: 0, maxY: 100 } });
 * fit.evaluate(50, 50);
 * ```
 * @see lsst.afw.math.makeApproximate
 */
export function fitChebyshev2d(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  values: ArrayLike<number>,
  options: ChebyshevFitOptions,
): Chebyshev2d {
  const orderX = options.orderX;
  const orderY = options.orderY ?? orderX;
  checkOrders(orderX, orderY);
  const triangular = options.triangular ?? true;
  const n = values.length;
  if (x.length !== n || y.length !== n || (options.weights !== undefined && options.weights.length !== n)) {
    throw new KernelsInvalidArgumentError(
      `x, y, values (and weights) must have the same length; got ${x.length}, ${y.length}, ${n}${options.weights ? `, ${options.weights.length}` : ''}.`,
    );
  }
  let domain = options.domain;
  if (domain === undefined) {
    let minX = Infinity;
    let maxX = -Infinity;
    let minY = Infinity;
    let maxY = -Infinity;
    for (let k = 0; k < n; k++) {
      minX = Math.min(minX, x[k]!);
      maxX = Math.max(maxX, x[k]!);
      minY = Math.min(minY, y[k]!);
      maxY = Math.max(maxY, y[k]!);
    }
    if (!(maxX > minX)) maxX = minX + 1;
    if (!(maxY > minY)) maxY = minY + 1;
    domain = { minX, maxX, minY, maxY };
  }
  const maxOrder = Math.max(orderX, orderY);
  const terms: [number, number][] = [];
  for (let d = 0; d <= orderX + orderY; d++) {
    for (let i = Math.min(d, orderX); i >= 0; i--) {
      const j = d - i;
      if (j > orderY || (triangular && d > maxOrder)) continue;
      terms.push([i, j]);
    }
  }
  const nt = terms.length;
  const A = new Float64Array(nt * nt);
  const b = new Float64Array(nt);
  const tx = new Float64Array(orderX + 1);
  const ty = new Float64Array(orderY + 1);
  const basis = new Float64Array(nt);
  const used = accumulateNormalEquations(x, y, values, options.weights, domain, terms, A, b, tx, ty, basis);
  if (used === 0 || A.every((v) => v === 0)) {
    throw new KernelsFitError(`No usable points to fit a Chebyshev series (${n} given, none with a finite value and weight).`, {
      hint: options.weights ? 'Zero variances give infinite weights; try without weighting.' : undefined,
    });
  }
  for (let p = 0; p < nt; p++) for (let q = p + 1; q < nt; q++) A[p * nt + q] = A[q * nt + p]!;
  const c = solveLinear(A, b, nt);
  const dense = new Float64Array((orderX + 1) * (orderY + 1));
  for (let t = 0; t < nt; t++) dense[terms[t]![1] * (orderX + 1) + terms[t]![0]] = c[t]!;
  return new Chebyshev2d(dense, orderX, orderY, domain, triangular);
}

/**
 * The lower triangle of the normal equations `A c = b` of {@link fitChebyshev2d} from its points
 * (those with a finite value and weight), added into `A` and `b`; `tx`, `ty` and `basis` are
 * workspace. A function of its own so that the loop's on-stack-replaced code ends with it (code
 * after a loop, not yet run when V8 optimises the loop, is deoptimised on leaving it).
 *
 * @returns how many points were used
 */
function accumulateNormalEquations(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  values: ArrayLike<number>,
  weights: ArrayLike<number> | undefined,
  domain: ChebyshevDomain,
  terms: readonly (readonly [number, number])[],
  A: Float64Array,
  b: Float64Array,
  tx: Float64Array,
  ty: Float64Array,
  basis: Float64Array,
): number {
  const n = values.length;
  const nt = terms.length;
  let used = 0;
  for (let k = 0; k < n; k++) {
    const v = values[k]!;
    const w = weights === undefined ? 1 : weights[k]!;
    if (!Number.isFinite(v + w)) continue;
    chebyshevT(mapX(domain, x[k]!), tx);
    chebyshevT(mapY(domain, y[k]!), ty);
    for (let t = 0; t < nt; t++) basis[t] = tx[terms[t]![0]]! * ty[terms[t]![1]]!;
    for (let p = 0; p < nt; p++) {
      const bp = basis[p]! * w;
      b[p] = b[p]! + bp * v;
      for (let q = 0; q <= p; q++) A[p * nt + q] = A[p * nt + q]! + bp * basis[q]!;
    }
    used++;
  }
  return used;
}

/** Solves A c = b (A n×n, overwritten) by LU with partial pivoting. */
function solveLinear(A: Float64Array, b: Float64Array, n: number): Float64Array {
  const x = Float64Array.from(b);
  let scale = 0;
  for (let k = 0; k < n * n; k++) scale = Math.max(scale, Math.abs(A[k]!));
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(A[r * n + col]!) > Math.abs(A[piv * n + col]!)) piv = r;
    if (!(Math.abs(A[piv * n + col]!) > scale * 1e-15)) {
      throw new KernelsFitError(`The Chebyshev normal equations are singular (${n} terms); too few points for the order.`, {
        hint: 'Lower the order or add points.',
      });
    }
    if (piv !== col) {
      for (let k = 0; k < n; k++) {
        const t = A[col * n + k]!;
        A[col * n + k] = A[piv * n + k]!;
        A[piv * n + k] = t;
      }
      const t = x[col]!;
      x[col] = x[piv]!;
      x[piv] = t;
    }
    const d = A[col * n + col]!;
    for (let r = col + 1; r < n; r++) {
      const f = A[r * n + col]! / d;
      if (f === 0) continue;
      for (let k = col; k < n; k++) A[r * n + k] = A[r * n + k]! - f * A[col * n + k]!;
      x[r] = x[r]! - f * x[col]!;
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = x[r]!;
    for (let k = r + 1; k < n; k++) s -= A[r * n + k]! * x[k]!;
    x[r] = s / A[r * n + r]!;
  }
  return x;
}
