import { KernelsInvalidArgumentError, KernelsUndersampledError } from './errors.js';

/**
 * Interpolation styles of afw's `Interpolate::Style` (the non-periodic ones). `CUBIC_SPLINE` and
 * `NATURAL_SPLINE` are the same GSL `cspline` (natural end conditions) in afw, and here.
 */
export type InterpStyle = 'CONSTANT' | 'LINEAR' | 'NATURAL_SPLINE' | 'CUBIC_SPLINE' | 'AKIMA_SPLINE';

/** Every {@link InterpStyle}. */
export const INTERP_STYLES: readonly InterpStyle[] = Object.freeze([
  'CONSTANT',
  'LINEAR',
  'NATURAL_SPLINE',
  'CUBIC_SPLINE',
  'AKIMA_SPLINE',
]);

const MIN_POINTS: Record<InterpStyle, number> = {
  CONSTANT: 1,
  LINEAR: 2,
  NATURAL_SPLINE: 3,
  CUBIC_SPLINE: 3,
  AKIMA_SPLINE: 5,
};

function checkStyle(style: string): asserts style is InterpStyle {
  if (!(style in MIN_POINTS)) {
    throw new KernelsInvalidArgumentError(`Unknown interpolation style '${style}'.`, {
      hint: `Expected one of ${INTERP_STYLES.join(', ')}.`,
    });
  }
}

/**
 * The highest-order style usable with `n` points: CONSTANT (1), LINEAR (2), CUBIC_SPLINE (3, 4),
 * AKIMA_SPLINE (5 or more).
 *
 * @param n - number of points
 * @returns the style
 * @throws {@link KernelsInvalidArgumentError} when `n < 1`
 * @example
 * ```ts
 * lookupMaxInterpStyle(3); // 'CUBIC_SPLINE'
 * ```
 * @see lsst.afw.math.lookupMaxInterpStyle
 */
export function lookupMaxInterpStyle(n: number): InterpStyle {
  if (!(n >= 1)) throw new KernelsInvalidArgumentError(`The number of points must be at least 1; got ${n}.`);
  if (n > 4) return 'AKIMA_SPLINE';
  return (['CONSTANT', 'LINEAR', 'CUBIC_SPLINE', 'CUBIC_SPLINE'] as const)[n - 1]!;
}

/**
 * The fewest points a style needs: CONSTANT 1, LINEAR 2, NATURAL/CUBIC_SPLINE 3, AKIMA_SPLINE 5.
 *
 * @param style - the style
 * @returns the number of points
 * @throws {@link KernelsInvalidArgumentError} for an unknown style
 * @example
 * ```ts
 * lookupMinInterpPoints('AKIMA_SPLINE'); // 5
 * ```
 * @see lsst.afw.math.lookupMinInterpPoints
 */
export function lookupMinInterpPoints(style: InterpStyle): number {
  checkStyle(style);
  return MIN_POINTS[style];
}

/**
 * A 1-D interpolant through points `(x[i], y[i])` with strictly increasing `x`, with GSL's
 * algorithms as afw uses them: piecewise linear; the natural cubic spline (zero second derivative
 * at both ends); Akima's spline with GSL's end extension of the slopes (`m₋₂ = 3m₀ - 2m₁`, ...) and
 * its treatment of flat stretches; CONSTANT gives the nearest point's value (the mean of the two
 * at an exact midpoint).
 *
 * Outside `[x₀, xₙ₋₁]` the value is extrapolated as afw does (GSL refuses to): a quadratic with the
 * interpolant's value, first and second derivative at the nearest end (linear for LINEAR and the
 * natural spline, whose end second derivative is zero); CONSTANT gives the end value.
 *
 * @see lsst.afw.math.Interpolate
 */
export class Interpolate {
  /** The style. */
  readonly style: InterpStyle;
  /** The abscissae (a copy). */
  readonly x: Float64Array;
  /** The ordinates (a copy). */
  readonly y: Float64Array;
  // y = y[i] + t (b[i] + t (c[i] + t d[i])), t = x - x[i], on interval i
  readonly #b: Float64Array;
  readonly #c: Float64Array;
  readonly #d: Float64Array;
  #last = 0;

  /**
   * Builds the interpolant; prefer {@link makeInterpolate}, which checks the number of points.
   *
   * @param x - strictly increasing abscissae
   * @param y - ordinates, as many
   * @param style - the style
   * @throws {@link KernelsInvalidArgumentError} for arrays of different lengths, no points,
   *   non-increasing or non-finite `x`, or an unknown style
   * @throws {@link KernelsUndersampledError} with fewer points than the style needs
   */
  constructor(x: ArrayLike<number>, y: ArrayLike<number>, style: InterpStyle) {
    checkStyle(style);
    if (x.length !== y.length) {
      throw new KernelsInvalidArgumentError(`x and y must have the same length; got ${x.length} and ${y.length}.`);
    }
    const n = x.length;
    if (n === 0) throw new KernelsInvalidArgumentError('Cannot interpolate through no points.');
    if (n < MIN_POINTS[style]) {
      throw new KernelsUndersampledError(
        `${style} interpolation needs at least ${MIN_POINTS[style]} points; got ${n}.`,
        { hint: `Use lookupMaxInterpStyle(${n}) ('${lookupMaxInterpStyle(n)}').` },
      );
    }
    this.style = style;
    this.x = Float64Array.from(x);
    this.y = Float64Array.from(y);
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(this.x[i]!) || (i > 0 && !(this.x[i]! > this.x[i - 1]!))) {
        throw new KernelsInvalidArgumentError(
          `x must be finite and strictly increasing; x[${i}] = ${this.x[i]} after ${i > 0 ? this.x[i - 1] : '(start)'}.`,
        );
      }
    }
    const m = Math.max(n - 1, 1);
    this.#b = new Float64Array(m);
    this.#c = new Float64Array(m);
    this.#d = new Float64Array(m);
    if (style === 'LINEAR') this.#initLinear();
    else if (style === 'NATURAL_SPLINE' || style === 'CUBIC_SPLINE') this.#initNatural();
    else if (style === 'AKIMA_SPLINE') this.#initAkima();
  }

  #initLinear(): void {
    const { x, y } = this;
    for (let i = 0; i < x.length - 1; i++) this.#b[i] = (y[i + 1]! - y[i]!) / (x[i + 1]! - x[i]!);
  }

  // Natural cubic spline: solve the tridiagonal system for c = y''/2 with c₀ = cₙ₋₁ = 0.
  #initNatural(): void {
    const { x, y } = this;
    const n = x.length;
    const c = new Float64Array(n);
    const sys = n - 2;
    if (sys > 0) {
      const diag = new Float64Array(sys);
      const off = new Float64Array(sys);
      const rhs = new Float64Array(sys);
      for (let i = 0; i < sys; i++) {
        const h0 = x[i + 1]! - x[i]!;
        const h1 = x[i + 2]! - x[i + 1]!;
        diag[i] = 2 * (h0 + h1);
        off[i] = h1;
        rhs[i] = 3 * ((y[i + 2]! - y[i + 1]!) / h1 - (y[i + 1]! - y[i]!) / h0);
      }
      // Thomas algorithm (symmetric, diagonally dominant)
      for (let i = 1; i < sys; i++) {
        const w = off[i - 1]! / diag[i - 1]!;
        diag[i] = diag[i]! - w * off[i - 1]!;
        rhs[i] = rhs[i]! - w * rhs[i - 1]!;
      }
      c[sys] = rhs[sys - 1]! / diag[sys - 1]!;
      for (let i = sys - 2; i >= 0; i--) c[i + 1] = (rhs[i]! - off[i]! * c[i + 2]!) / diag[i]!;
    }
    for (let i = 0; i < n - 1; i++) {
      const h = x[i + 1]! - x[i]!;
      this.#b[i] = (y[i + 1]! - y[i]!) / h - (h * (c[i + 1]! + 2 * c[i]!)) / 3;
      this.#c[i] = c[i]!;
      this.#d[i] = (c[i + 1]! - c[i]!) / (3 * h);
    }
  }

  // GSL's non-periodic Akima spline.
  #initAkima(): void {
    const { x, y } = this;
    const n = x.length;
    const mm = new Float64Array(n + 3); // m[i] at mm[i + 2], i = -2 .. n
    const M = (i: number): number => mm[i + 2]!;
    for (let i = 0; i < n - 1; i++) mm[i + 2] = (y[i + 1]! - y[i]!) / (x[i + 1]! - x[i]!);
    mm[0] = 3 * M(0) - 2 * M(1);
    mm[1] = 2 * M(0) - M(1);
    mm[n + 1] = 2 * M(n - 2) - M(n - 3);
    mm[n + 2] = 3 * M(n - 2) - 2 * M(n - 3);
    for (let i = 0; i < n - 1; i++) {
      const ne = Math.abs(M(i + 1) - M(i)) + Math.abs(M(i - 1) - M(i - 2));
      if (ne === 0) {
        this.#b[i] = M(i);
        this.#c[i] = 0;
        this.#d[i] = 0;
        continue;
      }
      const h = x[i + 1]! - x[i]!;
      const neNext = Math.abs(M(i + 2) - M(i + 1)) + Math.abs(M(i) - M(i - 1));
      const alpha = Math.abs(M(i - 1) - M(i - 2)) / ne;
      let tNext: number;
      if (neNext === 0) {
        tNext = M(i);
      } else {
        const alphaNext = Math.abs(M(i) - M(i - 1)) / neNext;
        tNext = (1 - alphaNext) * M(i) + alphaNext * M(i + 1);
      }
      const b = (1 - alpha) * M(i - 1) + alpha * M(i);
      this.#b[i] = b;
      this.#c[i] = (3 * M(i) - 2 * b - tNext) / h;
      this.#d[i] = (b + tNext - 2 * M(i)) / (h * h);
    }
  }

  #interval(xv: number): number {
    const x = this.x;
    const n = x.length;
    let i = this.#last;
    if (i < n - 1 && xv >= x[i]! && xv < x[i + 1]!) return i;
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (x[mid]! > xv) hi = mid;
      else lo = mid;
    }
    i = lo;
    this.#last = i;
    return i;
  }

  /**
   * The interpolated (or extrapolated) value at `x`.
   *
   * @param xv - where
   * @returns the value; NaN for a NaN `x`
   */
  interpolate(xv: number): number {
    const { x, y } = this;
    const n = x.length;
    if (Number.isNaN(xv)) return NaN;
    if (this.style === 'CONSTANT') {
      if (xv <= x[0]!) return y[0]!;
      if (xv >= x[n - 1]!) return y[n - 1]!;
      const i = this.#interval(xv);
      const mid = 0.5 * (x[i]! + x[i + 1]!);
      return xv < mid ? y[i]! : xv > mid ? y[i + 1]! : 0.5 * (y[i]! + y[i + 1]!);
    }
    if (xv < x[0]!) {
      const t = xv - x[0]!;
      return y[0]! + t * this.#b[0]! + t * t * this.#c[0]!;
    }
    if (xv > x[n - 1]!) {
      const i = n - 2;
      const h = x[n - 1]! - x[i]!;
      const b = this.#b[i]!;
      const c = this.#c[i]!;
      const d = this.#d[i]!;
      const d1 = b + h * (2 * c + 3 * d * h);
      const d2 = 2 * c + 6 * d * h;
      const t = xv - x[n - 1]!;
      return y[n - 1]! + t * d1 + 0.5 * t * t * d2;
    }
    const i = Math.min(this.#interval(xv), n - 2);
    const t = xv - x[i]!;
    return y[i]! + t * (this.#b[i]! + t * (this.#c[i]! + t * this.#d[i]!));
  }

  /**
   * Values at the evenly spaced points `start + k · step`, `k = 0 .. count - 1` (a row or column
   * of pixels), written to `out[offset + k]`: the same values as {@link Interpolate.interpolate}
   * at each point, found by walking the intervals instead of searching them.
   *
   * @param start - the first point
   * @param step - the spacing, > 0
   * @param count - the number of points
   * @param out - destination, at least `offset + count` long
   * @param offset - index of the first value in `out` (default 0)
   * @returns `out`
   * @throws {@link KernelsInvalidArgumentError} for a non-positive or non-finite step or a too short `out`
   * @example
   * ```ts
   * const f = makeInterpolate([0, 10, 20, 30, 40], [1, 2, 4, 3, 5]);
   * const row = f.interpolateSteps(0, 1, 41, new Float32Array(41)); // values at x = 0, 1, ..., 40
   * ```
   */
  interpolateSteps<T extends Float32Array | Float64Array>(start: number, step: number, count: number, out: T, offset = 0): T {
    if (!(step > 0) || !Number.isFinite(step)) throw new KernelsInvalidArgumentError(`The step must be finite and > 0; got ${step}.`);
    if (!Number.isInteger(count) || count < 0 || !Number.isInteger(offset) || offset < 0 || out.length < offset + count) {
      throw new KernelsInvalidArgumentError(`The output has ${out.length} values; ${offset + count} are needed (offset ${offset}, count ${count}).`);
    }
    const { x, y } = this;
    const n = x.length;
    if (this.style === 'CONSTANT' || n < 2 || Number.isNaN(start)) {
      for (let k = 0; k < count; k++) out[offset + k] = this.interpolate(start + k * step);
      return out;
    }
    const b = this.#b;
    const c = this.#c;
    const d = this.#d;
    const xFirst = x[0]!;
    const xLast = x[n - 1]!;
    let k = 0;
    // left of the first point: afw's quadratic extrapolation
    for (; k < count; k++) {
      const xv = start + k * step;
      if (!(xv < xFirst)) break;
      const t = xv - xFirst;
      out[offset + k] = y[0]! + t * b[0]! + t * t * c[0]!;
    }
    // inside: walk the intervals, each one's coefficients in locals
    let i = 0;
    while (k < count) {
      const xv0 = start + k * step;
      if (xv0 > xLast) break;
      while (i < n - 2 && xv0 >= x[i + 1]!) i++;
      const xi = x[i]!;
      const yi = y[i]!;
      const bi = b[i]!;
      const ci = c[i]!;
      const di = d[i]!;
      if (i < n - 2) {
        const next = x[i + 1]!;
        for (; k < count; k++) {
          const xv = start + k * step;
          if (!(xv < next)) break;
          const t = xv - xi;
          out[offset + k] = yi + t * (bi + t * (ci + t * di));
        }
      } else {
        for (; k < count; k++) {
          const xv = start + k * step;
          if (xv > xLast) break;
          const t = xv - xi;
          out[offset + k] = yi + t * (bi + t * (ci + t * di));
        }
      }
    }
    if (k < count) {
      const j = n - 2;
      const h = xLast - x[j]!;
      const d1 = b[j]! + h * (2 * c[j]! + 3 * d[j]! * h);
      const d2 = 2 * c[j]! + 6 * d[j]! * h;
      const yl = y[n - 1]!;
      for (; k < count; k++) {
        const t = start + k * step - xLast;
        out[offset + k] = yl + t * d1 + 0.5 * t * t * d2;
      }
    }
    return out;
  }

  /**
   * Values at many points (fastest when they are sorted).
   *
   * @param xs - where
   * @param out - destination (default: a new `Float64Array`), at least `xs.length` long
   * @returns `out`
   * @throws {@link KernelsInvalidArgumentError} when `out` is too short
   */
  interpolateVector<T extends Float32Array | Float64Array = Float64Array>(xs: ArrayLike<number>, out?: T): T {
    const o = (out ?? new Float64Array(xs.length)) as T;
    if (o.length < xs.length) {
      throw new KernelsInvalidArgumentError(`The output has ${o.length} values; ${xs.length} are needed.`);
    }
    for (let k = 0; k < xs.length; k++) o[k] = this.interpolate(xs[k]!);
    return o;
  }
}

/**
 * Makes an interpolant (afw's `makeInterpolate`).
 *
 * @param x - strictly increasing abscissae
 * @param y - ordinates
 * @param style - the style (default AKIMA_SPLINE, as afw)
 * @returns the interpolant
 * @throws {@link KernelsUndersampledError} with fewer points than {@link lookupMinInterpPoints}
 * @throws {@link KernelsInvalidArgumentError} for bad arrays or an unknown style
 * @example
 * ```ts
 * const f = makeInterpolate([0, 1, 2, 3, 4], [0, 1, 4, 9, 16], 'NATURAL_SPLINE');
 * f.interpolate(2.5);
 * ```
 * @see lsst.afw.math.makeInterpolate
 */
export function makeInterpolate(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  style: InterpStyle = 'AKIMA_SPLINE',
): Interpolate {
  return new Interpolate(x, y, style);
}
