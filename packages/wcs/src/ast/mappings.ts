// Evaluators for the AST Mapping classes that afw writes: built once from the parsed dump, then
// applied to batches of points held as one Float64Array per coordinate (no per-point allocation).
// The semantics follow the Starlink AST documentation (SUN/211): each class's forward
// transformation, its inverse, and the Invert flags that a CmpMap, TranMap or FrameSet keeps for
// each of its components.
import { WcsFormatError, WcsInvalidArgumentError } from '../errors.js';
import { makeProjection, type Projection } from '../projections.js';
import { astAttribute, astChild, astNumber, astString, type AstObject } from './parse.js';

/**
 * An evaluable AST Mapping: `nIn` coordinates in, `nOut` out, each direction applied to a batch
 * of points held column by column (`input[k][i]` is coordinate `k` of point `i`). Points with no
 * image come out as NaN (AST's `AST__BAD`), never as a wrong finite value.
 *
 * An output column may be the same array as the input column of the same index (in-place use
 * when `nIn === nOut`); otherwise inputs and outputs must not share arrays.
 *
 * @see Starlink AST `Mapping` (`astTranN`)
 */
export interface AstMapping {
  /** The AST class (`CmpMap`, `PolyMap`, ...); `Inverted(...)` for a mapping used inverted. */
  readonly className: string;
  /** The number of input coordinates of the forward transformation. */
  readonly nIn: number;
  /** The number of output coordinates of the forward transformation. */
  readonly nOut: number;
  /** Whether the forward transformation is defined. */
  readonly hasForward: boolean;
  /** Whether the inverse transformation is defined. */
  readonly hasInverse: boolean;
  /**
   * Applies the forward transformation.
   *
   * @param input - `nIn` columns of at least `n` values
   * @param output - `nOut` columns of at least `n` values, written
   * @param n - the number of points
   * @throws {@link WcsInvalidArgumentError} when the transformation is not defined
   */
  applyForward(input: readonly Float64Array[], output: readonly Float64Array[], n: number): void;
  /**
   * Applies the inverse transformation.
   *
   * @param input - `nOut` columns of at least `n` values
   * @param output - `nIn` columns of at least `n` values, written
   * @param n - the number of points
   * @throws {@link WcsInvalidArgumentError} when the transformation is not defined
   */
  applyInverse(input: readonly Float64Array[], output: readonly Float64Array[], n: number): void;
}

function noTransform(m: AstMapping, dir: string): never {
  throw new WcsInvalidArgumentError(
    `The AST ${m.className} has no ${dir} transformation.`,
    dir === 'inverse' ? { hint: 'A PolyMap without inverse coefficients needs IterInverse=1 for an inverse.' } : {},
  );
}

function columns(count: number, n: number): Float64Array[] {
  const out: Float64Array[] = [];
  for (let k = 0; k < count; k++) out.push(new Float64Array(n));
  return out;
}

/** A mapping used in the opposite direction. */
class InvertedMap implements AstMapping {
  readonly className: string;
  readonly nIn: number;
  readonly nOut: number;
  readonly hasForward: boolean;
  readonly hasInverse: boolean;
  constructor(readonly map: AstMapping) {
    this.className = `Inverted(${map.className})`;
    this.nIn = map.nOut;
    this.nOut = map.nIn;
    this.hasForward = map.hasInverse;
    this.hasInverse = map.hasForward;
  }
  applyForward(input: readonly Float64Array[], output: readonly Float64Array[], n: number): void {
    this.map.applyInverse(input, output, n);
  }
  applyInverse(input: readonly Float64Array[], output: readonly Float64Array[], n: number): void {
    this.map.applyForward(input, output, n);
  }
}

/**
 * The same mapping used in the opposite direction (AST's `astInvert`, without changing the
 * original).
 *
 * @param map - the mapping
 * @returns its inverse
 * @see Starlink AST `Mapping.Invert`
 */
export function invertAstMapping(map: AstMapping): AstMapping {
  return map instanceof InvertedMap ? map.map : new InvertedMap(map);
}

/** UnitMap: the identity. */
class UnitMap implements AstMapping {
  readonly className = 'UnitMap';
  readonly hasForward = true;
  readonly hasInverse = true;
  readonly nOut: number;
  constructor(readonly nIn: number) {
    this.nOut = nIn;
  }
  applyForward(input: readonly Float64Array[], output: readonly Float64Array[], n: number): void {
    for (let k = 0; k < this.nIn; k++) if (output[k] !== input[k]) output[k]!.set(input[k]!.subarray(0, n));
  }
  applyInverse(input: readonly Float64Array[], output: readonly Float64Array[], n: number): void {
    this.applyForward(input, output, n);
  }
}

/** Per-axis `out = in * scale + shift` (ZoomMap, ShiftMap and WinMap are all this form). */
class AffineAxesMap implements AstMapping {
  readonly hasForward = true;
  readonly hasInverse = true;
  readonly nIn: number;
  readonly nOut: number;
  constructor(
    readonly className: string,
    readonly scale: Float64Array,
    readonly shift: Float64Array,
  ) {
    this.nIn = scale.length;
    this.nOut = scale.length;
  }
  applyForward(input: readonly Float64Array[], output: readonly Float64Array[], n: number): void {
    for (let k = 0; k < this.nIn; k++) {
      const a = this.scale[k]!;
      const b = this.shift[k]!;
      const src = input[k]!;
      const dst = output[k]!;
      for (let i = 0; i < n; i++) dst[i] = src[i]! * a + b;
    }
  }
  applyInverse(input: readonly Float64Array[], output: readonly Float64Array[], n: number): void {
    for (let k = 0; k < this.nIn; k++) {
      const a = this.scale[k]!;
      const b = this.shift[k]!;
      const src = input[k]!;
      const dst = output[k]!;
      for (let i = 0; i < n; i++) dst[i] = (src[i]! - b) / a;
    }
  }
}

/** Solves the square system `a x = b` in place (Gaussian elimination, partial pivoting); false when singular. */
function solveInPlace(a: Float64Array, b: Float64Array, size: number): boolean {
  for (let c = 0; c < size; c++) {
    let p = c;
    for (let r = c + 1; r < size; r++) if (Math.abs(a[r * size + c]!) > Math.abs(a[p * size + c]!)) p = r;
    const piv = a[p * size + c]!;
    if (piv === 0 || !Number.isFinite(piv)) return false;
    if (p !== c) {
      for (let k = 0; k < size; k++) {
        const t = a[c * size + k]!;
        a[c * size + k] = a[p * size + k]!;
        a[p * size + k] = t;
      }
      const t = b[c]!;
      b[c] = b[p]!;
      b[p] = t;
    }
    for (let r = c + 1; r < size; r++) {
      const f = a[r * size + c]! / piv;
      if (f === 0) continue;
      for (let k = c; k < size; k++) a[r * size + k] = a[r * size + k]! - f * a[c * size + k]!;
      b[r] = b[r]! - f * b[c]!;
    }
  }
  for (let r = size - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let k = r + 1; k < size; k++) s -= a[r * size + k]! * b[k]!;
    b[r] = s / a[r * size + r]!;
  }
  return true;
}

/** MatrixMap: `out = M in` with `M` of `nOut` rows and `nIn` columns (a full matrix; diagonal and unit forms are expanded). */
class MatrixMap implements AstMapping {
  readonly className = 'MatrixMap';
  readonly hasForward = true;
  readonly hasInverse: boolean;
  readonly #tmp: Float64Array;
  constructor(
    readonly nIn: number,
    readonly nOut: number,
    readonly matrix: Float64Array,
    readonly inverse: Float64Array | undefined,
  ) {
    this.hasInverse = inverse !== undefined;
    this.#tmp = new Float64Array(Math.max(nIn, nOut));
  }
  static #apply(m: Float64Array, rows: number, cols: number, tmp: Float64Array, input: readonly Float64Array[], output: readonly Float64Array[], n: number): void {
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < cols; c++) tmp[c] = input[c]![i]!;
      for (let r = 0; r < rows; r++) {
        let s = 0;
        for (let c = 0; c < cols; c++) s += m[r * cols + c]! * tmp[c]!;
        output[r]![i] = s;
      }
    }
  }
  applyForward(input: readonly Float64Array[], output: readonly Float64Array[], n: number): void {
    MatrixMap.#apply(this.matrix, this.nOut, this.nIn, this.#tmp, input, output, n);
  }
  applyInverse(input: readonly Float64Array[], output: readonly Float64Array[], n: number): void {
    if (this.inverse === undefined) noTransform(this, 'inverse');
    MatrixMap.#apply(this.inverse, this.nIn, this.nOut, this.#tmp, input, output, n);
  }
}

/** One direction of a PolyMap: for each output, a sum of coefficient × product of powers of the inputs. */
class Polynomial {
  /** Coefficients of all terms, output by output. */
  readonly coeff: Float64Array;
  /** Powers, `nIn` per term. */
  readonly powers: Int32Array;
  /** The output of each term. */
  readonly target: Int32Array;
  readonly maxPower: number;
  readonly #pw: Float64Array;
  constructor(
    readonly nIn: number,
    readonly nOut: number,
    coeff: number[],
    powers: number[],
    target: number[],
  ) {
    this.coeff = Float64Array.from(coeff);
    this.powers = Int32Array.from(powers);
    this.target = Int32Array.from(target);
    this.maxPower = Math.max(1, ...powers);
    this.#pw = new Float64Array(nIn * (this.maxPower + 1));
  }
  /** Fills the power table of one point: `pw[j * (maxPower + 1) + p] = x_j^p`. */
  fill(x: Float64Array): Float64Array {
    const pw = this.#pw;
    const stride = this.maxPower + 1;
    for (let j = 0; j < this.nIn; j++) {
      const o = j * stride;
      pw[o] = 1;
      for (let p = 1; p <= this.maxPower; p++) pw[o + p] = pw[o + p - 1]! * x[j]!;
    }
    return pw;
  }
  /** Evaluates at one point into `y` (`nOut` values). */
  evaluate(x: Float64Array, y: Float64Array): void {
    const pw = this.fill(x);
    const stride = this.maxPower + 1;
    y.fill(0, 0, this.nOut);
    const nt = this.coeff.length;
    for (let t = 0; t < nt; t++) {
      let v = this.coeff[t]!;
      for (let j = 0; j < this.nIn; j++) v *= pw[j * stride + this.powers[t * this.nIn + j]!]!;
      const r = this.target[t]!;
      y[r] = y[r]! + v;
    }
  }
  /** The Jacobian at the point last given to {@link Polynomial.evaluate} or {@link Polynomial.fill}: `jac[r * nIn + j] = d y_r / d x_j`. */
  jacobian(jac: Float64Array): void {
    const pw = this.#pw;
    const stride = this.maxPower + 1;
    jac.fill(0, 0, this.nOut * this.nIn);
    const nt = this.coeff.length;
    for (let t = 0; t < nt; t++) {
      for (let d = 0; d < this.nIn; d++) {
        const pd = this.powers[t * this.nIn + d]!;
        if (pd === 0) continue;
        let v = this.coeff[t]! * pd;
        for (let j = 0; j < this.nIn; j++) {
          const p = this.powers[t * this.nIn + j]!;
          v *= pw[j * stride + (j === d ? p - 1 : p)]!;
        }
        const k = this.target[t]! * this.nIn + d;
        jac[k] = jac[k]! + v;
      }
    }
  }
}

/** PolyMap: polynomial forward and inverse, or an iterative (Newton) inverse of the forward polynomial. */
class PolyMap implements AstMapping {
  readonly className = 'PolyMap';
  readonly hasForward: boolean;
  readonly hasInverse: boolean;
  readonly #x: Float64Array;
  readonly #y: Float64Array;
  readonly #target: Float64Array;
  readonly #jac: Float64Array;
  constructor(
    readonly nIn: number,
    readonly nOut: number,
    readonly forward: Polynomial | undefined,
    readonly inverse: Polynomial | undefined,
    readonly iterInverse: boolean,
    readonly nIterInverse: number,
    readonly tolInverse: number,
  ) {
    this.hasForward = forward !== undefined;
    this.hasInverse = inverse !== undefined || (iterInverse && forward !== undefined && nIn === nOut);
    const m = Math.max(nIn, nOut);
    this.#x = new Float64Array(m);
    this.#y = new Float64Array(m);
    this.#target = new Float64Array(m);
    this.#jac = new Float64Array(m * m);
  }
  #run(poly: Polynomial, input: readonly Float64Array[], output: readonly Float64Array[], n: number): void {
    const x = this.#x;
    const y = this.#y;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < poly.nIn; j++) x[j] = input[j]![i]!;
      poly.evaluate(x, y);
      for (let r = 0; r < poly.nOut; r++) output[r]![i] = y[r]!;
    }
  }
  applyForward(input: readonly Float64Array[], output: readonly Float64Array[], n: number): void {
    if (this.forward === undefined) noTransform(this, 'forward');
    this.#run(this.forward, input, output, n);
  }
  applyInverse(input: readonly Float64Array[], output: readonly Float64Array[], n: number): void {
    if (this.inverse !== undefined) {
      this.#run(this.inverse, input, output, n);
      return;
    }
    if (!this.hasInverse) noTransform(this, 'inverse');
    const f = this.forward!;
    const size = this.nIn;
    const x = this.#x;
    const y = this.#y;
    const want = this.#target;
    const jac = this.#jac;
    // The linear part of the forward polynomial at the origin gives the first guess.
    const zero = new Float64Array(size);
    const y0 = new Float64Array(size);
    f.evaluate(zero, y0);
    const jac0 = new Float64Array(size * size);
    f.jacobian(jac0);
    const a = new Float64Array(size * size);
    for (let i = 0; i < n; i++) {
      for (let r = 0; r < size; r++) {
        want[r] = input[r]![i]!;
        x[r] = want[r]! - y0[r]!;
      }
      a.set(jac0);
      let ok = solveInPlace(a, x, size);
      if (!ok) for (let r = 0; r < size; r++) x[r] = want[r]!;
      let converged = false;
      for (let it = 0; it < this.nIterInverse; it++) {
        f.evaluate(x, y);
        f.jacobian(jac);
        for (let r = 0; r < size; r++) y[r] = want[r]! - y[r]!;
        ok = solveInPlace(jac, y, size);
        if (!ok) break;
        let step = 0;
        let scale = 1;
        for (let r = 0; r < size; r++) {
          x[r] = x[r]! + y[r]!;
          step = Math.max(step, Math.abs(y[r]!));
          scale = Math.max(scale, Math.abs(x[r]!));
        }
        if (!Number.isFinite(step)) break;
        if (step <= this.tolInverse * scale) converged = true;
        // Newton converges quadratically: once within tolerance, one more step (if allowed)
        // costs little and leaves the answer at rounding level.
        if (step <= 1e-3 * this.tolInverse * scale || step === 0) break;
      }
      for (let r = 0; r < size; r++) output[r]![i] = converged ? x[r]! : NaN;
    }
  }
}

/** CmpMap: two mappings in series (A then B) or in parallel (A on the first inputs, B on the rest). */
class CmpMap implements AstMapping {
  readonly className = 'CmpMap';
  readonly nIn: number;
  readonly nOut: number;
  readonly hasForward: boolean;
  readonly hasInverse: boolean;
  constructor(
    readonly series: boolean,
    readonly a: AstMapping,
    readonly b: AstMapping,
  ) {
    this.nIn = series ? a.nIn : a.nIn + b.nIn;
    this.nOut = series ? b.nOut : a.nOut + b.nOut;
    this.hasForward = a.hasForward && b.hasForward;
    this.hasInverse = a.hasInverse && b.hasInverse;
  }
  applyForward(input: readonly Float64Array[], output: readonly Float64Array[], n: number): void {
    if (this.series) {
      const mid = columns(this.a.nOut, n);
      this.a.applyForward(input, mid, n);
      this.b.applyForward(mid, output, n);
      return;
    }
    const inA = input.slice(0, this.a.nIn);
    let inB = input.slice(this.a.nIn, this.a.nIn + this.b.nIn);
    const outA = output.slice(0, this.a.nOut);
    if (outA.some((c) => inB.includes(c))) inB = inB.map((c) => c.slice(0, n));
    this.a.applyForward(inA, outA, n);
    this.b.applyForward(inB, output.slice(this.a.nOut, this.a.nOut + this.b.nOut), n);
  }
  applyInverse(input: readonly Float64Array[], output: readonly Float64Array[], n: number): void {
    if (this.series) {
      const mid = columns(this.a.nOut, n);
      this.b.applyInverse(input, mid, n);
      this.a.applyInverse(mid, output, n);
      return;
    }
    const inA = input.slice(0, this.a.nOut);
    let inB = input.slice(this.a.nOut, this.a.nOut + this.b.nOut);
    const outA = output.slice(0, this.a.nIn);
    if (outA.some((c) => inB.includes(c))) inB = inB.map((c) => c.slice(0, n));
    this.a.applyInverse(inA, outA, n);
    this.b.applyInverse(inB, output.slice(this.a.nIn, this.a.nIn + this.b.nIn), n);
  }
}

/** TranMap: the forward transformation of A and the inverse transformation of B. */
class TranMap implements AstMapping {
  readonly className = 'TranMap';
  readonly nIn: number;
  readonly nOut: number;
  readonly hasForward: boolean;
  readonly hasInverse: boolean;
  constructor(
    readonly a: AstMapping,
    readonly b: AstMapping,
  ) {
    this.nIn = a.nIn;
    this.nOut = a.nOut;
    this.hasForward = a.hasForward;
    this.hasInverse = b.hasInverse;
  }
  applyForward(input: readonly Float64Array[], output: readonly Float64Array[], n: number): void {
    this.a.applyForward(input, output, n);
  }
  applyInverse(input: readonly Float64Array[], output: readonly Float64Array[], n: number): void {
    this.b.applyInverse(input, output, n);
  }
}

/** PermMap: outputs copied from chosen inputs or set to constants, and the inverse likewise. */
class PermMap implements AstMapping {
  readonly className = 'PermMap';
  readonly hasForward = true;
  readonly hasInverse = true;
  readonly #tmp: Float64Array;
  constructor(
    readonly nIn: number,
    readonly nOut: number,
    /** For each output: the 1-based input, a negative constant number, or 0 (bad). */
    readonly outPerm: Int32Array,
    /** For each input: the 1-based output, a negative constant number, or 0 (bad). */
    readonly inPerm: Int32Array,
    readonly constants: Float64Array,
  ) {
    this.#tmp = new Float64Array(Math.max(nIn, nOut));
  }
  #apply(perm: Int32Array, nSrc: number, input: readonly Float64Array[], output: readonly Float64Array[], n: number): void {
    const tmp = this.#tmp;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < nSrc; k++) tmp[k] = input[k]![i]!;
      for (let r = 0; r < perm.length; r++) {
        const p = perm[r]!;
        output[r]![i] = p > 0 ? tmp[p - 1]! : p < 0 ? (this.constants[-p - 1] ?? NaN) : NaN;
      }
    }
  }
  applyForward(input: readonly Float64Array[], output: readonly Float64Array[], n: number): void {
    this.#apply(this.outPerm, this.nIn, input, output, n);
  }
  applyInverse(input: readonly Float64Array[], output: readonly Float64Array[], n: number): void {
    this.#apply(this.inPerm, this.nOut, input, output, n);
  }
}

/** SphMap: 3-D Cartesian vectors to spherical (longitude, latitude) in radians, and back to unit vectors. */
class SphMap implements AstMapping {
  readonly className = 'SphMap';
  readonly nIn = 3;
  readonly nOut = 2;
  readonly hasForward = true;
  readonly hasInverse = true;
  constructor(readonly polarLong: number) {}
  applyForward(input: readonly Float64Array[], output: readonly Float64Array[], n: number): void {
    const [xs, ys, zs] = input as [Float64Array, Float64Array, Float64Array];
    const [lons, lats] = output as [Float64Array, Float64Array];
    for (let i = 0; i < n; i++) {
      const x = xs[i]!;
      const y = ys[i]!;
      const z = zs[i]!;
      const rho = Math.hypot(x, y);
      lons[i] = rho === 0 ? (Number.isNaN(x + y) ? NaN : this.polarLong) : Math.atan2(y, x);
      lats[i] = rho === 0 && z === 0 ? 0 : Math.atan2(z, rho);
    }
  }
  applyInverse(input: readonly Float64Array[], output: readonly Float64Array[], n: number): void {
    const [lons, lats] = input as [Float64Array, Float64Array];
    const [xs, ys, zs] = output as [Float64Array, Float64Array, Float64Array];
    for (let i = 0; i < n; i++) {
      const lon = lons[i]!;
      const lat = lats[i]!;
      const c = Math.cos(lat);
      xs[i] = c * Math.cos(lon);
      ys[i] = c * Math.sin(lon);
      zs[i] = Math.sin(lat);
    }
  }
}

/** UnitNormMap: a vector to its unit vector about a centre plus its norm (n in, n + 1 out). */
class UnitNormMap implements AstMapping {
  readonly className = 'UnitNormMap';
  readonly hasForward = true;
  readonly hasInverse = true;
  readonly nIn: number;
  readonly nOut: number;
  readonly #tmp: Float64Array;
  constructor(readonly centre: Float64Array) {
    this.nIn = centre.length;
    this.nOut = centre.length + 1;
    this.#tmp = new Float64Array(centre.length + 1);
  }
  applyForward(input: readonly Float64Array[], output: readonly Float64Array[], n: number): void {
    const d = this.nIn;
    const tmp = this.#tmp;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < d; k++) {
        tmp[k] = input[k]![i]! - this.centre[k]!;
        s += tmp[k]! * tmp[k]!;
      }
      const norm = Math.sqrt(s);
      for (let k = 0; k < d; k++) output[k]![i] = norm === 0 ? 0 : tmp[k]! / norm;
      output[d]![i] = norm;
    }
  }
  applyInverse(input: readonly Float64Array[], output: readonly Float64Array[], n: number): void {
    const d = this.nIn;
    const tmp = this.#tmp;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k <= d; k++) tmp[k] = input[k]![i]!;
      for (let k = 0; k < d; k++) output[k]![i] = this.centre[k]! + tmp[k]! * tmp[d]!;
    }
  }
}

const D2R = Math.PI / 180;
const R2D = 180 / Math.PI;

/** WcsMap: a FITS-WCS spherical projection, native (longitude, latitude) in radians to the projection plane in radians. */
class WcsMap implements AstMapping {
  readonly className = 'WcsMap';
  readonly nIn = 2;
  readonly nOut = 2;
  readonly hasForward = true;
  readonly hasInverse = true;
  readonly #out = new Float64Array(2);
  constructor(readonly projection: Projection) {}
  applyForward(input: readonly Float64Array[], output: readonly Float64Array[], n: number): void {
    const [phis, thetas] = input as [Float64Array, Float64Array];
    const [xs, ys] = output as [Float64Array, Float64Array];
    const o = this.#out;
    for (let i = 0; i < n; i++) {
      this.projection.nativeToPlane(phis[i]! * R2D, thetas[i]! * R2D, o);
      xs[i] = o[0]! * D2R;
      ys[i] = o[1]! * D2R;
    }
  }
  applyInverse(input: readonly Float64Array[], output: readonly Float64Array[], n: number): void {
    const [xs, ys] = input as [Float64Array, Float64Array];
    const [phis, thetas] = output as [Float64Array, Float64Array];
    const o = this.#out;
    for (let i = 0; i < n; i++) {
      this.projection.planeToNative(xs[i]! * R2D, ys[i]! * R2D, o);
      phis[i] = o[0]! * D2R;
      thetas[i] = o[1]! * D2R;
    }
  }
}

/** Numbered attributes `prefix1`, `prefix2`, ... up to `count`, with a default for the absent ones. */
function numbered(obj: AstObject, prefix: string, count: number, fallback: number, from = 1): Float64Array {
  const out = new Float64Array(count);
  for (let k = 0; k < count; k++) out[k] = astNumber(obj, `${prefix}${k + from}`, fallback);
  return out;
}

function integer(obj: AstObject, name: string, fallback?: number): number {
  const v = astNumber(obj, name, fallback);
  if (!Number.isInteger(v)) throw new WcsFormatError(`AST ${obj.className} (line ${obj.line}): '${name}' should be an integer; it is ${v}.`);
  return v;
}

function flag(obj: AstObject, name: string): boolean {
  return integer(obj, name, 0) !== 0;
}

/** Reads the coefficients of one PolyMap direction (`F` forward or `I` inverse); undefined when absent. */
function polynomial(obj: AstObject, dir: 'F' | 'I', nIn: number, nOut: number): Polynomial | undefined {
  const coeff: number[] = [];
  const powers: number[] = [];
  const target: number[] = [];
  let any = false;
  let term = 0;
  for (let r = 0; r < nOut; r++) {
    const a = astAttribute(obj, `NC${dir}${r + 1}`);
    if (a === undefined) continue;
    any = true;
    const nc = integer(obj, `NC${dir}${r + 1}`);
    if (nc < 0) throw new WcsFormatError(`AST PolyMap (line ${obj.line}): NC${dir}${r + 1} = ${nc} is negative.`);
    for (let c = 0; c < nc; c++) {
      term++;
      coeff.push(astNumber(obj, `C${dir}${term}`));
      target.push(r);
      for (let j = 0; j < nIn; j++) {
        const p = integer(obj, `P${dir}${(term - 1) * nIn + j + 1}`, 0);
        if (p < 0) throw new WcsFormatError(`AST PolyMap (line ${obj.line}): the power P${dir}${(term - 1) * nIn + j + 1} = ${p} is negative.`);
        powers.push(p);
      }
    }
  }
  return any ? new Polynomial(nIn, nOut, coeff, powers, target) : undefined;
}

/** Builds one mapping class from its dump, in its forward sense (the object's own Invert flag not applied). */
function build(obj: AstObject): AstMapping {
  const nin = integer(obj, 'Nin', 0);
  const nout = integer(obj, 'Nout', nin);
  const child = (name: string): AstMapping => {
    const c = astChild(obj, name);
    if (c === undefined) throw new WcsFormatError(`AST ${obj.className} (line ${obj.line}) has no ${name}.`);
    const m = build(c);
    return flag(obj, name === 'MapA' ? 'InvA' : 'InvB') ? invertAstMapping(m) : m;
  };
  let map: AstMapping;
  switch (obj.className) {
    case 'UnitMap':
      map = new UnitMap(nin);
      break;
    case 'ZoomMap': {
      const zoom = astNumber(obj, 'Zoom', 1);
      if (zoom === 0) throw new WcsFormatError(`AST ZoomMap (line ${obj.line}) has Zoom = 0.`);
      map = new AffineAxesMap('ZoomMap', new Float64Array(nin).fill(zoom), new Float64Array(nin));
      break;
    }
    case 'ShiftMap':
      map = new AffineAxesMap('ShiftMap', new Float64Array(nin).fill(1), numbered(obj, 'Sft', nin, 0));
      break;
    case 'WinMap': {
      const scale = numbered(obj, 'Scl', nin, 1);
      if (scale.some((s) => s === 0)) throw new WcsFormatError(`AST WinMap (line ${obj.line}) has a zero scale factor.`);
      map = new AffineAxesMap('WinMap', scale, numbered(obj, 'Sft', nin, 0));
      break;
    }
    case 'MatrixMap': {
      const form = astString(obj, 'Form', 'Full').toLowerCase();
      const full = new Float64Array(nin * nout);
      let inverse: Float64Array | undefined = new Float64Array(nin * nout);
      if (form === 'full') {
        full.set(numbered(obj, 'M', nin * nout, 0, 0));
        if (astAttribute(obj, 'IM0') !== undefined) inverse.set(numbered(obj, 'IM', nin * nout, 0, 0));
        else if (nin === nout) {
          // AST writes the inverse it computed; without it, invert the square matrix here.
          for (let c = 0; c < nin; c++) {
            const a = full.slice();
            const e = new Float64Array(nin);
            e[c] = 1;
            if (!solveInPlace(a, e, nin)) {
              inverse = undefined;
              break;
            }
            for (let r = 0; r < nin; r++) inverse[r * nin + c] = e[r]!;
          }
        } else inverse = undefined;
      } else if (form === 'diagonal' || form === 'unit') {
        const m = Math.min(nin, nout);
        const diag = form === 'unit' ? new Float64Array(m).fill(1) : numbered(obj, 'M', m, 0, 0);
        for (let k = 0; k < m; k++) {
          full[k * nin + k] = diag[k]!;
          const inv = form === 'unit' ? 1 : astNumber(obj, `IM${k}`, diag[k] === 0 ? NaN : 1 / diag[k]!);
          inverse[k * nout + k] = inv;
        }
        if (form === 'diagonal' && diag.some((d) => d === 0)) inverse = undefined;
      } else throw new WcsFormatError(`AST MatrixMap (line ${obj.line}) has Form = '${form}'; expected Full, Diagonal or Unit.`);
      map = new MatrixMap(nin, nout, full, inverse);
      break;
    }
    case 'PolyMap': {
      const fwd = polynomial(obj, 'F', nin, nout);
      const inv = polynomial(obj, 'I', nout, nin);
      const iter = flag(obj, 'IterInv');
      map = new PolyMap(nin, nout, fwd, inv, iter, integer(obj, 'NiterInv', 4), astNumber(obj, 'TolInv', 1e-6));
      if (fwd === undefined && inv === undefined) throw new WcsFormatError(`AST PolyMap (line ${obj.line}) has neither forward nor inverse coefficients.`);
      break;
    }
    case 'CmpMap': {
      const series = flag(obj, 'Series') || astAttribute(obj, 'Series') === undefined;
      const a = child('MapA');
      const b = child('MapB');
      if (series && a.nOut !== b.nIn) {
        throw new WcsFormatError(`AST CmpMap (line ${obj.line}): in series, MapA gives ${a.nOut} coordinates but MapB takes ${b.nIn}.`);
      }
      map = new CmpMap(series, a, b);
      break;
    }
    case 'TranMap': {
      const a = child('MapA');
      const b = child('MapB');
      if (a.nIn !== b.nIn || a.nOut !== b.nOut) throw new WcsFormatError(`AST TranMap (line ${obj.line}): MapA and MapB have different numbers of coordinates.`);
      map = new TranMap(a, b);
      break;
    }
    case 'PermMap': {
      const perm = (prefix: string, count: number): Int32Array => {
        const p = new Int32Array(count);
        for (let k = 0; k < count; k++) p[k] = integer(obj, `${prefix}${k + 1}`, k + 1);
        return p;
      };
      const ncon = integer(obj, 'Ncon', 0);
      map = new PermMap(nin, nout, perm('Out', nout), perm('In', nin), numbered(obj, 'Con', ncon, NaN));
      break;
    }
    case 'SphMap':
      map = new SphMap(astNumber(obj, 'PlrLg', 0));
      break;
    case 'UnitNormMap':
      map = new UnitNormMap(numbered(obj, 'Cen', nin, 0));
      break;
    case 'WcsMap': {
      if (nin !== 2) throw new WcsFormatError(`AST WcsMap (line ${obj.line}) has ${nin} axes; only 2-axis (celestial) WcsMaps are supported.`);
      const type = astString(obj, 'Type').trim().toUpperCase();
      const pv = new Map<number, number>();
      for (const section of obj.sections) {
        for (const a of section.attributes.values()) {
          const m = /^PV(\d+)_(\d+)$/i.exec(a.name);
          if (m === null) continue;
          if (typeof a.value !== 'number') throw new WcsFormatError(`AST WcsMap ${a.name} (line ${a.line}) should be a number.`);
          if (m[1] === '2') pv.set(Number(m[2]), a.value);
          else throw new WcsFormatError(`AST WcsMap ${a.name} (line ${a.line}): parameters on the longitude axis (a moved fiducial point) are not supported.`);
        }
      }
      let projection: Projection;
      try {
        projection = makeProjection(type, pv);
      } catch (e) {
        throw new WcsFormatError(`AST WcsMap (line ${obj.line}) has Type = '${type}', which is not supported.`, { cause: e });
      }
      map = new WcsMap(projection);
      break;
    }
    default:
      throw new WcsFormatError(`AST ${obj.className} (line ${obj.line}) is not a supported Mapping class.`, {
        hint: 'Supported: UnitMap, ZoomMap, ShiftMap, WinMap, MatrixMap, PolyMap, CmpMap, TranMap, PermMap, SphMap, UnitNormMap, WcsMap.',
      });
  }
  if (astAttribute(obj, 'Nin') !== undefined && (map.nIn !== nin || map.nOut !== nout)) {
    throw new WcsFormatError(`AST ${obj.className} (line ${obj.line}) says Nin = ${nin}, Nout = ${nout}, but its parts give ${map.nIn} in and ${map.nOut} out.`);
  }
  return map;
}

/**
 * Builds an evaluable mapping from a parsed AST Mapping object. Components of a CmpMap or
 * TranMap are used in the direction their parent's `InvA`/`InvB` flags say (AST keeps those
 * flags apart from the components' own `Invert`); the object's own `Invert` attribute is applied
 * when `applyInvert` is true (a mapping read on its own), not when its container sets the
 * direction (a FrameSet's `Map` entries, see {@link AstFrameSet}).
 *
 * Classes: UnitMap, ZoomMap, ShiftMap, WinMap, MatrixMap (full, diagonal, unit), PolyMap
 * (forward and inverse coefficients, or the iterative inverse of `IterInverse`/`NiterInverse`/
 * `TolInverse`), CmpMap (series and parallel), TranMap, PermMap, SphMap, UnitNormMap and WcsMap
 * (the projections of {@link makeProjection}; radians on both sides, as in AST).
 *
 * @param object - the parsed object (see {@link parseAst})
 * @param applyInvert - apply the object's own `Invert` attribute (default true)
 * @returns the mapping
 * @throws {@link WcsFormatError} for an unsupported class or projection, or an inconsistent dump
 * @example
 * ```ts
 * const zoom = makeAstMapping(parseAst('Begin ZoomMap\n Nin = 1\nIsA Mapping\n Zoom = 2\nEnd ZoomMap'));
 * const out = transformAstMapping(zoom, [Float64Array.of(3)]); // [[6]]
 * ```
 * @see Starlink AST `Mapping`, `CmpMap`, `PolyMap`, `WcsMap`, `SphMap`, `MatrixMap`, `WinMap`, `ZoomMap`, `ShiftMap`, `UnitMap`, `PermMap`, `TranMap`, `UnitNormMap`
 */
export function makeAstMapping(object: AstObject, applyInvert = true): AstMapping {
  const map = build(object);
  return applyInvert && flag(object, 'Invert') ? invertAstMapping(map) : map;
}

/**
 * Two mappings in series (the first, then the second), as AST's series `CmpMap`.
 *
 * @param a - the first mapping
 * @param b - the second mapping
 * @returns the compound mapping
 * @throws {@link WcsInvalidArgumentError} when `a`'s outputs do not match `b`'s inputs
 * @see Starlink AST `CmpMap`
 */
export function seriesAstMapping(a: AstMapping, b: AstMapping): AstMapping {
  if (a.nOut !== b.nIn) throw new WcsInvalidArgumentError(`Cannot join an AST ${a.className} with ${a.nOut} outputs to a ${b.className} with ${b.nIn} inputs.`);
  return new CmpMap(true, a, b);
}

/**
 * Applies a mapping to a batch of points and returns new output columns.
 *
 * @param map - the mapping
 * @param input - one column per input coordinate, all the same length
 * @param forward - the forward (default) or the inverse transformation
 * @returns one column per output coordinate
 * @throws {@link WcsInvalidArgumentError} when the columns are the wrong number or lengths, or the
 *   direction is not defined
 * @see Starlink AST `astTranN`
 */
export function transformAstMapping(map: AstMapping, input: readonly Float64Array[], forward = true): Float64Array[] {
  const nIn = forward ? map.nIn : map.nOut;
  const nOut = forward ? map.nOut : map.nIn;
  if (input.length !== nIn) throw new WcsInvalidArgumentError(`The AST ${map.className} takes ${nIn} coordinates in this direction; ${input.length} columns were given.`);
  const n = input[0]?.length ?? 0;
  if (input.some((c) => c.length !== n)) throw new WcsInvalidArgumentError(`The coordinate columns have different lengths: ${input.map((c) => c.length).join(', ')}.`);
  const out = columns(nOut, n);
  if (forward) map.applyForward(input, out, n);
  else map.applyInverse(input, out, n);
  return out;
}
