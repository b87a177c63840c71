// WebAssembly SIMD (f64x2) versions of the hottest inner loops: the separable convolution (both
// passes, a chunk of rows per call), the rows of a Chebyshev grid, and the clipped sums of a
// background bin. Each computes every output with the same double-precision operations in the
// same order as the TypeScript loop it replaces (two pixels or two partial sums side by side, one per f64x2 lane), so the
// results are identical bit for bit. The modules are written here as bytes (no toolchain), one per
// tap layout, and share one WebAssembly memory per thread; where WebAssembly SIMD is unavailable
// `simdKernels()` is undefined and the TypeScript loops run. No imports: worker threads load it
// with the convolution loops.

/** The element type of a stream. */
export type SimdElement = 'f32' | 'f64';

/** The terms of one pass of {@link SimdKernels.separable}. */
export interface SimdTerms {
  /**
   * The loads, in the sum's order (singles, then each pair's two): column indices into a source
   * row (horizontal pass) or row indices into the buffer rows (vertical pass).
   */
  readonly loads: Int32Array;
  /** Folded pairs. */
  readonly nPairs: number;
  /** Single terms. */
  readonly nSingles: number;
}

/**
 * A fused separable convolution over WebAssembly memory,
 * `(src, srcStride, hOut, vIn, out, outStride, nRows, n, w, doV, conv)`: for each row `r` in
 * `[0, nRows)`, the float32 source row at byte address `src + r·srcStride` (`srcStride / 4`
 * values) is promoted to float64 at byte address `conv`; then the horizontal stream sum of that
 * row (loads at its columns `x + i`, `i` the horizontal load indices) goes to the float64 buffer
 * row at `hOut + r·stride`; then, when `doV` ≠ 0, the vertical stream sum of the buffer rows at
 * `vIn + (r + j)·stride` (`j` the vertical load indices) goes, rounded to float32, to
 * `out + r·outStride`; `n` outputs per row. The weights are float64 at byte address `w`: the
 * horizontal ones (singles, then pairs), then the vertical ones. Each output is
 * `Σ_q w_q s_q + Σ_p u_p (a_p + b_p)` summed left to right (singles first, then pairs), as the
 * TypeScript `streamSum` loop sums it.
 */
export type SimdSeparableFn = (
  src: number,
  srcStride: number,
  hOut: number,
  vIn: number,
  out: number,
  outStride: number,
  nRows: number,
  n: number,
  w: number,
  doV: number,
  conv: number,
) => void;

/**
 * Stream sums of single float64 terms over rows, `(src, srcStride, out, outStride, nRows, n, w,
 * wStride)`: for each row `r` in `[0, nRows)` and `x` in `[0, n)`,
 * `out_r[x] = Σ_q w_{r,q} s_q[x]` summed left to right, where `s_q` starts at byte address
 * `src + r·srcStride + offsets[q]`, the weights `w_{r,q}` are float64 at `w + r·wStride` and the
 * output row starts at `out + r·outStride`.
 */
export type SimdRowSumsFn = (src: number, srcStride: number, out: number, outStride: number, nRows: number, n: number, w: number, wStride: number) => void;

/**
 * Stream sums of single float64 terms over rows added into float32 rows, `(src, srcStride, img,
 * imgStride, nRows, n, w, wStride, sign, center, sums)`: for each row `r` in `[0, nRows)` and `x`
 * in `[0, n)`, `v = fround(Σ_q w_{r,q} s_q[x])` (the sum of {@link SimdRowSumsFn}, rounded to
 * float32) and the float32 image value `p` at byte address `img + r·imgStride + 4x` becomes
 * `fround(p + sign · v)` (in double precision). With sums (see {@link SimdKernels.rowSumsAdd}),
 * the row's sums of `d = v − center` and `d²` over even and odd `x` (each in order of `x`) are
 * written as float64 `[Σd even, Σd odd, Σd² even, Σd² odd]` at byte address `sums + 32r`.
 */
export type SimdRowSumsAddFn = (
  src: number,
  srcStride: number,
  img: number,
  imgStride: number,
  nRows: number,
  n: number,
  w: number,
  wStride: number,
  sign: number,
  center: number,
  sums: number,
) => void;

/** What {@link simdKernels} offers. */
export interface SimdKernels {
  /**
   * The memory's bytes, at least `bytes` long (the memory grows when needed, which detaches
   * views made before: take views after the last call of this in an operation).
   *
   * @param bytes - the size needed
   * @returns the memory's buffer
   */
  reserve(bytes: number): ArrayBuffer;
  /**
   * The clipped sums of float32 values at byte address `ptr` (`m` of them) about `center`:
   * values at even offsets in lane 0, odd ones in lane 1, as `accumulateClipped` pairs them. Writes
   * `[s0, s1, q0, q1, n0, n1]` as float64 at byte address 0.
   */
  readonly clippedSums: (ptr: number, m: number, center: number, clip: number) => void;
  /**
   * The bucket keys of float32 values for a histogram (the first pass of a background bin's
   * quartile selection): for each of the `n` values at byte address `ptr`, `t = (v - lo) · scale`
   * (in double precision) and its bucket `t ≥ top ? top : t > 0 ? ⌊t⌋ : 0`, stored as a uint16 at
   * byte address `keys` (in order) and counted in int32 histogram `ca` (values at even offsets)
   * or `cb` (odd offsets).
   */
  readonly bucketKeys: (ptr: number, n: number, lo: number, scale: number, top: number, ca: number, cb: number, keys: number) => void;
  /**
   * The gather of the values of chosen buckets (the second pass): for each of the `n` float32
   * values at byte address `ptr` (uint16 bucket keys at `keys`), `slot = segOf[key]` (int32 table at
   * byte address `segOf`); where `slot` ≠ 0, the value is stored at float32 index `fill` of
   * byte address `buf`, where `fill` is the int32 at byte address `slot` (then incremented).
   */
  readonly bucketGather: (ptr: number, n: number, keys: number, segOf: number, buf: number) => void;
  /**
   * {@link SimdKernels.bucketGather} where the table's non-zero slots are those of the buckets
   * `k0 .. k5` only (repeats allowed): the same values to the same places, skipping blocks of
   * eight keys with none of them.
   */
  readonly bucketGatherFew: (ptr: number, n: number, keys: number, segOf: number, buf: number, k0: number, k1: number, k2: number, k3: number, k4: number, k5: number) => void;
  /**
   * The gather of a background bin's good values from one image row (the first step of binned
   * statistics): of the `n` float32 values at byte address `img` (int32 mask values at `msk`,
   * read only when `useMask` ≠ 0), those without an `andMask` bit are good; with `nanSafe` ≠ 0
   * only the finite ones among them, else all but NaN, are copied in order to byte address `out`.
   * Returns how many were copied, and writes as int32 at byte address 48 the good count (with
   * `nanSafe` 0, NaNs included) and at 52 whether a ±Infinity was copied (1) or not (0).
   */
  readonly gatherGood: (img: number, msk: number, n: number, andMask: number, out: number, nanSafe: number, useMask: number) => number;
  /**
   * {@link SimdKernels.gatherGood} of the bins of one image row in one call: `table` is the byte
   * address of `nBins` entries of five int32, `[x, n, out, good, infinite]`: the gather of the
   * `n` values at byte address `img + x` (mask at `msk + x`) goes to byte address `out`, which
   * then is advanced past the copied values; the good count is added to `good`, and `infinite`
   * becomes 1 when a ±Infinity was copied.
   */
  readonly gatherGoodRow: (img: number, msk: number, nBins: number, table: number, andMask: number, nanSafe: number, useMask: number) => void;
  /**
   * The streaming pass of an exact median over a window of order keys (see `radixMedianFloat32`):
   * of the `n` (a multiple of 4) float32 values at byte address `vals` (int32 mask values at
   * `msk`, read only when `useMask` ≠ 0), those without an `andMask` bit and with
   * `|bits| < lim` are good; each good value's signed order key `s = bits ^ ((bits >> 31) >>> 1)`
   * (signed order of keys is numeric order) is counted below the window when `s < slo`, and when
   * `slo ≤ s ≤ shi` its bits are stored, in order, at int32 index `g` onwards of byte address
   * `gout` (`g` counting up from the argument; room for `n` values needed there).
   * `table` is the byte address of the 256-byte lane-compaction table ({@link compactionTable}).
   * Writes as int32 at byte addresses 0, 4 and 8 the good count, the count below the window and
   * the final `g`.
   */
  readonly radixWindowGather: (vals: number, msk: number, n: number, andMask: number, useMask: number, lim: number, slo: number, shi: number, gout: number, g: number, table: number) => void;
  /**
   * The fused separable convolution of rows (generated once per tap layout and buffer stride,
   * then cached): see {@link SimdSeparableFn}.
   *
   * @param x - the horizontal terms (loads: column indices)
   * @param y - the vertical terms (loads: row indices into the buffer of horizontal sums)
   * @param stride - bytes from one row of the buffer of horizontal sums to the next
   * @returns the function
   */
  separable(x: SimdTerms, y: SimdTerms, stride: number): SimdSeparableFn;
  /**
   * Stream sums of single terms over rows (generated once per load layout, then cached): see
   * {@link SimdRowSumsFn}.
   *
   * @param offsets - the byte offsets of the loads from the source address
   * @param dst - element type of the output
   * @returns the function
   */
  rowSums(offsets: Int32Array, dst: SimdElement): SimdRowSumsFn;
  /**
   * {@link SimdKernels.rowSums} added into float32 rows (generated once per load layout, then
   * cached): see {@link SimdRowSumsAddFn}.
   *
   * @param offsets - the byte offsets of the loads from the source address
   * @param withSums - whether the per-row sums of the added values are written
   * @returns the function
   */
  rowSumsAdd(offsets: Int32Array, withSums: boolean): SimdRowSumsAddFn;
  /** Bytes at the start of the memory that the kernels' own results use. */
  readonly scratchBytes: number;
}

// ------------------------------------------------------------------------ binary encoding

function uleb(out: number[], v: number): void {
  let x = v >>> 0;
  do {
    let b = x & 0x7f;
    x >>>= 7;
    if (x !== 0) b |= 0x80;
    out.push(b);
  } while (x !== 0);
}

function sleb(out: number[], v: number): void {
  let x = v | 0;
  for (;;) {
    const b = x & 0x7f;
    x >>= 7;
    if ((x === 0 && (b & 0x40) === 0) || (x === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

function section(out: number[], id: number, body: number[]): void {
  out.push(id);
  uleb(out, body.length);
  out.push(...body);
}

const I32 = 0x7f;
const F64 = 0x7c;
const V128 = 0x7b;

// opcodes
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const LOCAL_TEE = 0x22;
const I32_CONST = 0x41;
const I32_ADD = 0x6a;
const BLOCK = 0x02;
const LOOP = 0x03;
const IF = 0x04;
const BR_IF = 0x0d;
const BR = 0x0c;
const END = 0x0b;
const EMPTY = 0x40;
const F32_LOAD = 0x2a;
const F64_LOAD = 0x2b;
const F32_STORE = 0x38;
const F64_STORE = 0x39;
const F64_ADD = 0xa0;
const F64_SUB = 0xa1;
const F64_MUL = 0xa2;
const F64_ABS = 0x99;
const F64_LE = 0x65;
const F64_CONST = 0x44;
const F64_PROMOTE_F32 = 0xbb;
const F32_DEMOTE_F64 = 0xb6;
const SIMD = 0xfd;
// SIMD sub-opcodes (LEB128 after 0xfd)
const V128_LOAD = 0x00;
const V128_STORE = 0x0b;
const V128_LOAD64_ZERO = 0x5d;
const V128_STORE64_LANE = 0x5b;
const V128_AND = 0x4e;
const F64X2_SPLAT = 0x14;
const F64X2_EXTRACT_LANE = 0x21;
const F64X2_LE = 0x4b;
const F64X2_ABS = 0xec;
const F64X2_ADD = 0xf0;
const F64X2_SUB = 0xf1;
const F64X2_MUL = 0xf2;
const F64X2_PROMOTE_LOW_F32X4 = 0x5f;
const F32X4_DEMOTE_F64X2_ZERO = 0x5e;
const I64X2_SUB = 0xd1;
const I32X4_EXTRACT_LANE = 0x1b;
const I32X4_SPLAT = 0x11;
const I32X4_MIN_S = 0xb6;
const I32X4_MAX_S = 0xb8;
const I32X4_TRUNC_SAT_F64X2_S_ZERO = 0xfc;
const I32_AND = 0x71;
const I32_MUL = 0x6c;
const I32_SHL = 0x74;
const I32_GE_U = 0x4f;
const I32_GT_S = 0x4a;
const I32_LOAD = 0x28;
const I32_LOAD16_U = 0x2f;
const I32_STORE = 0x36;
const I32_STORE16 = 0x3b;
const SELECT = 0x1b;
const ELSE = 0x05;
const I32_SUB = 0x6b;
const I32_EQZ = 0x45;
const F32_SUB = 0x93;
const F32_EQ = 0x5b;
const F32_NE = 0x5c;
const F32_CONST = 0x43;
const F32X4_SPLAT = 0x13;
const F32X4_EQ = 0x41;
const F32X4_SUB = 0xe5;
const I32X4_ALL_TRUE = 0xa3;
const V128_OR = 0x50;
const V128_XOR = 0x51;
const V128_ANDNOT = 0x4f;
const I8X16_SWIZZLE = 0x0e;
const I16X8_SPLAT = 0x10;
const I16X8_EQ = 0x2d;
const I8X16_SHUFFLE = 0x0d;
const I16X8_NARROW_I32X4_U = 0x86;
const I32X4_EQ = 0x37;
const I32X4_GT_S = 0x3b;
const I32X4_SHR_S = 0xac;
const I32X4_SHR_U = 0xad;
const I32X4_SUB = 0xb1;
const I32X4_BITMASK = 0xa4;
const I32_POPCNT = 0x69;
const V128_ANY_TRUE = 0x53;

/** A function body under construction. */
class Code {
  readonly b: number[] = [];
  op(...bytes: number[]): this {
    this.b.push(...bytes);
    return this;
  }
  simd(sub: number, ...imm: number[]): this {
    this.b.push(SIMD);
    uleb(this.b, sub);
    this.b.push(...imm);
    return this;
  }
  mem(op: number, align: number, offset = 0): this {
    this.b.push(op, align);
    uleb(this.b, offset);
    return this;
  }
  simdMem(sub: number, align: number, offset = 0): this {
    this.b.push(SIMD);
    uleb(this.b, sub);
    this.b.push(align);
    uleb(this.b, offset);
    return this;
  }
  get(i: number): this {
    this.b.push(LOCAL_GET);
    uleb(this.b, i);
    return this;
  }
  set(i: number): this {
    this.b.push(LOCAL_SET);
    uleb(this.b, i);
    return this;
  }
  tee(i: number): this {
    this.b.push(LOCAL_TEE);
    uleb(this.b, i);
    return this;
  }
  i32(v: number): this {
    this.b.push(I32_CONST);
    sleb(this.b, v);
    return this;
  }
  f32(v: number): this {
    this.b.push(F32_CONST);
    const bytes = new Uint8Array(new Float32Array([v]).buffer);
    this.b.push(...bytes);
    return this;
  }
  f64(v: number): this {
    this.b.push(F64_CONST);
    const bytes = new Uint8Array(new Float64Array([v]).buffer);
    this.b.push(...bytes);
    return this;
  }
}

/**
 * A module of one exported function `f` over the imported memory `m.mem`, named `name` in its
 * name section (what profilers show).
 */
function moduleBytes(params: number[], results: number[], locals: number[], body: Code, name: string): Uint8Array {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const type: number[] = [1, 0x60];
  uleb(type, params.length);
  type.push(...params);
  uleb(type, results.length);
  type.push(...results);
  section(out, 1, type);
  // import "m" "mem" memory, min 1 page
  section(out, 2, [1, 1, 0x6d, 3, 0x6d, 0x65, 0x6d, 0x02, 0x00, 0x01]);
  section(out, 3, [1, 0]);
  section(out, 7, [1, 1, 0x66, 0x00, 0x00]);
  const fn: number[] = [];
  // locals, one entry per local (simple, and there are few)
  uleb(fn, locals.length);
  for (const t of locals) fn.push(1, t);
  fn.push(...body.b, END);
  const code: number[] = [1];
  uleb(code, fn.length);
  code.push(...fn);
  section(out, 10, code);
  // custom section "name": function names (subsection 1), function 0
  const names: number[] = [1, 0];
  uleb(names, name.length);
  for (let i = 0; i < name.length; i++) names.push(name.charCodeAt(i));
  const custom: number[] = [4, 0x6e, 0x61, 0x6d, 0x65, 1];
  uleb(custom, names.length);
  custom.push(...names);
  section(out, 0, custom);
  return Uint8Array.from(out);
}

// ------------------------------------------------------------------------ generators

/** Where {@link emitRowSum} finds its operands. */
interface RowSumLocals {
  /** i32 local: the source address (advanced). */
  readonly P: number;
  /** i32 local: the output address (advanced). */
  readonly O: number;
  /** i32 local: scratch (the end of the two-at-a-time part). */
  readonly END: number;
  /** i32 local: the number of outputs. */
  readonly N: number;
  /** The first of the v128 locals holding the weight splats (singles, then pairs). */
  readonly SPL: number;
}

/**
 * One row of a stream sum with its loads at fixed byte offsets from `P` (singles, then each
 * pair's two): `out[x] = Σ_q w_q s_q[x] + Σ_p u_p (a_p[x] + b_p[x])` summed left to right, two
 * outputs at a time (one per f64x2 lane), then the last one; the same operations in the same
 * order as the TypeScript `streamSum` loop. Advances `P` and `O`.
 */
function emitRowSum(c: Code, L: RowSumLocals, loads: Int32Array, nPairs: number, nSingles: number, src: SimdElement, dst: SimdElement): void {
  const { P, O, END: E, N, SPL } = L;
  const sb = src === 'f32' ? 4 : 8;
  const db = dst === 'f32' ? 4 : 8;
  const sum = (vector: boolean): void => {
    const load = (t: number): void => {
      c.get(P);
      if (vector) {
        if (src === 'f32') c.simdMem(V128_LOAD64_ZERO, 2, loads[t]!).simd(F64X2_PROMOTE_LOW_F32X4);
        else c.simdMem(V128_LOAD, 3, loads[t]!);
      } else if (src === 'f32') c.mem(F32_LOAD, 2, loads[t]!).op(F64_PROMOTE_F32);
      else c.mem(F64_LOAD, 3, loads[t]!);
    };
    const mul = (): Code => (vector ? c.simd(F64X2_MUL) : c.op(F64_MUL));
    const add = (): Code => (vector ? c.simd(F64X2_ADD) : c.op(F64_ADD));
    const weight = (w: number): Code => (vector ? c.get(SPL + w) : c.get(SPL + w).simd(F64X2_EXTRACT_LANE, 0));
    for (let q = 0; q < nSingles; q++) {
      weight(q);
      load(q);
      mul();
      if (q > 0) add();
    }
    for (let p = 0; p < nPairs; p++) {
      weight(nSingles + p);
      load(nSingles + 2 * p);
      load(nSingles + 2 * p + 1);
      add();
      mul();
      if (nSingles + p > 0) add();
    }
    if (nSingles + nPairs === 0) {
      if (vector) c.f64(0).simd(F64X2_SPLAT);
      else c.f64(0);
    }
  };
  // E = O + (n & ~1) · db; while O < E: two outputs; then the last one when n is odd
  c.get(O).get(N).i32(-2).op(I32_AND).i32(db).op(I32_MUL, I32_ADD).set(E);
  c.op(BLOCK, EMPTY, LOOP, EMPTY);
  c.get(O).get(E).op(I32_GE_U, BR_IF, 1);
  c.get(O);
  sum(true);
  if (dst === 'f32') c.simd(F32X4_DEMOTE_F64X2_ZERO).simdMem(V128_STORE64_LANE, 2, 0).op(0);
  else c.simdMem(V128_STORE, 3);
  c.get(P).i32(2 * sb).op(I32_ADD).set(P);
  c.get(O).i32(2 * db).op(I32_ADD).set(O);
  c.op(BR, 0, END, END);
  c.get(N).i32(1).op(I32_AND, IF, EMPTY);
  c.get(O);
  sum(false);
  if (dst === 'f32') c.op(F32_DEMOTE_F64).mem(F32_STORE, 2);
  else c.mem(F64_STORE, 3);
  c.op(END);
}

/** The weight splats of `count` float64 weights at the address in local `W` into locals `SPL..`. */
function emitSplats(c: Code, W: number, first: number, count: number, SPL: number): void {
  for (let k = 0; k < count; k++) c.get(W).mem(F64_LOAD, 3, 8 * (first + k)).simd(F64X2_SPLAT).set(SPL + k);
}

/** `separable(...)`: see {@link SimdSeparableFn}. */
function separableModule(x: SimdTerms, y: SimdTerms, stride: number): Uint8Array {
  const SRC = 0;
  const SSTR = 1;
  const HOUT = 2;
  const VIN = 3;
  const OUT = 4;
  const OSTR = 5;
  const NR = 6;
  const N = 7;
  const W = 8;
  const DOV = 9;
  const CONV = 10;
  const R = 11;
  const P = 12;
  const O = 13;
  const E = 14;
  const SPL = 15;
  const nWx = x.nSingles + x.nPairs;
  const nWy = y.nSingles + y.nPairs;
  const hLoads = Int32Array.from(x.loads, (t) => 8 * t);
  const vLoads = Int32Array.from(y.loads, (j) => j * stride);
  const c = new Code();
  emitSplats(c, W, 0, nWx + nWy, SPL);
  c.op(BLOCK, EMPTY, LOOP, EMPTY);
  c.get(R).get(NR).op(I32_GE_U, BR_IF, 1);
  // the source row in double precision at conv (each value promoted once, not once per tap)
  c.get(SRC).get(R).get(SSTR).op(I32_MUL, I32_ADD).set(P);
  c.get(CONV).set(O);
  c.get(CONV).get(SSTR).i32(-8).op(I32_AND).i32(1).op(I32_SHL, I32_ADD).set(E);
  c.op(BLOCK, EMPTY, LOOP, EMPTY);
  c.get(O).get(E).op(I32_GE_U, BR_IF, 1);
  c.get(O).get(P).simdMem(V128_LOAD64_ZERO, 2).simd(F64X2_PROMOTE_LOW_F32X4).simdMem(V128_STORE, 3);
  c.get(P).i32(8).op(I32_ADD).set(P);
  c.get(O).i32(16).op(I32_ADD).set(O);
  c.op(BR, 0, END, END);
  c.get(SSTR).i32(4).op(I32_AND, IF, EMPTY);
  c.get(O).get(P).mem(F32_LOAD, 2).op(F64_PROMOTE_F32).mem(F64_STORE, 3);
  c.op(END);
  // horizontal: conv → hOut + r·stride
  c.get(CONV).set(P);
  c.get(HOUT).get(R).i32(stride).op(I32_MUL, I32_ADD).set(O);
  emitRowSum(c, { P, O, END: E, N, SPL }, hLoads, x.nPairs, x.nSingles, 'f64', 'f64');
  // vertical: vIn + r·stride (+ j·stride per load) → out + r·outStride
  c.get(DOV).op(IF, EMPTY);
  c.get(VIN).get(R).i32(stride).op(I32_MUL, I32_ADD).set(P);
  c.get(OUT).get(R).get(OSTR).op(I32_MUL, I32_ADD).set(O);
  emitRowSum(c, { P, O, END: E, N, SPL: SPL + nWx }, vLoads, y.nPairs, y.nSingles, 'f64', 'f32');
  c.op(END);
  c.get(R).i32(1).op(I32_ADD).set(R);
  c.op(BR, 0, END, END);
  const name = `separable_${x.nPairs}_${x.nSingles}_${y.nPairs}_${y.nSingles}`;
  return moduleBytes(new Array<number>(11).fill(I32), [], [I32, I32, I32, I32, ...new Array<number>(nWx + nWy).fill(V128)], c, name);
}

/** `rowSums(...)`: see {@link SimdRowSumsFn}. */
function rowSumsModule(offsets: Int32Array, dst: SimdElement): Uint8Array {
  const SRC = 0;
  const SSTR = 1;
  const OUT = 2;
  const OSTR = 3;
  const NR = 4;
  const N = 5;
  const W = 6;
  const WSTR = 7;
  const R = 8;
  const P = 9;
  const O = 10;
  const E = 11;
  const WR = 12;
  const SPL = 13;
  const nW = offsets.length;
  const c = new Code();
  c.op(BLOCK, EMPTY, LOOP, EMPTY);
  c.get(R).get(NR).op(I32_GE_U, BR_IF, 1);
  c.get(W).get(R).get(WSTR).op(I32_MUL, I32_ADD).set(WR);
  emitSplats(c, WR, 0, nW, SPL);
  c.get(SRC).get(R).get(SSTR).op(I32_MUL, I32_ADD).set(P);
  c.get(OUT).get(R).get(OSTR).op(I32_MUL, I32_ADD).set(O);
  emitRowSum(c, { P, O, END: E, N, SPL }, offsets, 0, nW, 'f64', dst);
  c.get(R).i32(1).op(I32_ADD).set(R);
  c.op(BR, 0, END, END);
  return moduleBytes(new Array<number>(8).fill(I32), [], [I32, I32, I32, I32, I32, ...new Array<number>(nW).fill(V128)], c, `rowSums_${nW}_f64_${dst}`);
}

/** `rowSumsAdd(...)`: see {@link SimdRowSumsAddFn}. */
function rowSumsAddModule(offsets: Int32Array, withSums: boolean): Uint8Array {
  const SRC = 0;
  const SSTR = 1;
  const IMG = 2;
  const ISTR = 3;
  const NR = 4;
  const N = 5;
  const W = 6;
  const WSTR = 7;
  const SIGN = 8;
  const CENTER = 9;
  const SUMS = 10;
  const R = 11;
  const P = 12;
  const O = 13;
  const E = 14;
  const WR = 15;
  const V = 16; // f64: the scalar value
  const SG = 17; // v128 splats of sign, center; running sums; the value pair
  const C = 18;
  const S = 19;
  const Q = 20;
  const D = 21;
  const SPL = 22;
  const nW = offsets.length;
  const c = new Code();
  const sum = (vector: boolean): void => {
    for (let q = 0; q < nW; q++) {
      if (vector) c.get(SPL + q);
      else c.get(SPL + q).simd(F64X2_EXTRACT_LANE, 0);
      c.get(P);
      if (vector) c.simdMem(V128_LOAD, 3, offsets[q]!);
      else c.mem(F64_LOAD, 3, offsets[q]!);
      if (vector) c.simd(F64X2_MUL);
      else c.op(F64_MUL);
      if (q > 0) {
        if (vector) c.simd(F64X2_ADD);
        else c.op(F64_ADD);
      }
    }
    if (nW === 0) {
      if (vector) c.f64(0).simd(F64X2_SPLAT);
      else c.f64(0);
    }
  };
  c.get(SIGN).simd(F64X2_SPLAT).set(SG);
  c.get(CENTER).simd(F64X2_SPLAT).set(C);
  c.op(BLOCK, EMPTY, LOOP, EMPTY);
  c.get(R).get(NR).op(I32_GE_U, BR_IF, 1);
  c.get(W).get(R).get(WSTR).op(I32_MUL, I32_ADD).set(WR);
  emitSplats(c, WR, 0, nW, SPL);
  c.get(SRC).get(R).get(SSTR).op(I32_MUL, I32_ADD).set(P);
  c.get(IMG).get(R).get(ISTR).op(I32_MUL, I32_ADD).set(O);
  if (withSums) {
    c.f64(0).simd(F64X2_SPLAT).tee(S).set(Q);
  }
  // E = O + (n & ~1) · 4; two pixels at a time, then the last one when n is odd
  c.get(O).get(N).i32(-2).op(I32_AND).i32(4).op(I32_MUL, I32_ADD).set(E);
  c.op(BLOCK, EMPTY, LOOP, EMPTY);
  c.get(O).get(E).op(I32_GE_U, BR_IF, 1);
  // D = fround(sum), in double precision
  sum(true);
  c.simd(F32X4_DEMOTE_F64X2_ZERO).simd(F64X2_PROMOTE_LOW_F32X4).set(D);
  // img = fround(img + sign · D)
  c.get(O);
  c.get(O).simdMem(V128_LOAD64_ZERO, 2).simd(F64X2_PROMOTE_LOW_F32X4);
  c.get(SG).get(D).simd(F64X2_MUL).simd(F64X2_ADD);
  c.simd(F32X4_DEMOTE_F64X2_ZERO).simdMem(V128_STORE64_LANE, 2, 0).op(0);
  if (withSums) {
    c.get(D).get(C).simd(F64X2_SUB).tee(D);
    c.get(S).simd(F64X2_ADD).set(S);
    c.get(D).get(D).simd(F64X2_MUL).get(Q).simd(F64X2_ADD).set(Q);
  }
  c.get(P).i32(16).op(I32_ADD).set(P);
  c.get(O).i32(8).op(I32_ADD).set(O);
  c.op(BR, 0, END, END);
  if (withSums) {
    c.get(SUMS).get(R).i32(32).op(I32_MUL, I32_ADD).tee(E).get(S).simdMem(V128_STORE, 3, 0);
    c.get(E).get(Q).simdMem(V128_STORE, 3, 16);
  }
  c.get(N).i32(1).op(I32_AND, IF, EMPTY);
  sum(false);
  c.op(F32_DEMOTE_F64, F64_PROMOTE_F32).set(V);
  c.get(O);
  c.get(O).mem(F32_LOAD, 2).op(F64_PROMOTE_F32);
  c.get(SIGN).get(V).op(F64_MUL, F64_ADD, F32_DEMOTE_F64).mem(F32_STORE, 2);
  if (withSums) {
    // the last value (an even x) joins the even sums
    c.get(V).get(CENTER).op(F64_SUB).set(V);
    c.get(E).get(E).mem(F64_LOAD, 3, 0).get(V).op(F64_ADD).mem(F64_STORE, 3, 0);
    c.get(E).get(E).mem(F64_LOAD, 3, 16).get(V).get(V).op(F64_MUL, F64_ADD).mem(F64_STORE, 3, 16);
  }
  c.op(END);
  c.get(R).i32(1).op(I32_ADD).set(R);
  c.op(BR, 0, END, END);
  const params = [...new Array<number>(8).fill(I32), F64, F64, I32];
  const locals = [I32, I32, I32, I32, I32, F64, V128, V128, V128, V128, V128, ...new Array<number>(nW).fill(V128)];
  return moduleBytes(params, [], locals, c, `rowSumsAdd_${nW}${withSums ? '_sums' : ''}`);
}

/** `clippedSums(ptr, m, center, clip)`: see {@link SimdKernels.clippedSums}. */
function clippedSumsModule(): Uint8Array {
  const PTR = 0;
  const M = 1;
  const CENTER = 2;
  const CLIP = 3;
  const END_ = 4; // i32 end address of the pairs of pairs
  const CV = 5; // v128 center
  const LV = 6; // v128 clip
  const S = 7; // v128 sums
  const Q = 8; // v128 sums of squares
  const NN = 9; // v128 counts (i64 lanes, decremented by the all-ones mask)
  const D = 10; // v128 difference
  const MK = 11; // v128 mask
  const DS = 12; // f64 scalar difference
  const c = new Code();
  c.get(CENTER).simd(F64X2_SPLAT).set(CV);
  c.get(CLIP).simd(F64X2_SPLAT).set(LV);
  // one pair in each lane: d = promote(load64) - center; mk = |d| <= clip; d &= mk;
  // s += d; q += d * d; n -= mk (a clipped value adds +0: the sums do not change)
  const pair = (offset: number): void => {
    c.get(PTR).simdMem(V128_LOAD64_ZERO, 2, offset).simd(F64X2_PROMOTE_LOW_F32X4).get(CV).simd(F64X2_SUB).tee(D);
    c.simd(F64X2_ABS).get(LV).simd(F64X2_LE).tee(MK).get(D).simd(V128_AND).set(D);
    c.get(S).get(D).simd(F64X2_ADD).set(S);
    c.get(Q).get(D).get(D).simd(F64X2_MUL).simd(F64X2_ADD).set(Q);
    c.get(NN).get(MK).simd(I64X2_SUB).set(NN);
  };
  // two pairs at a time: end = ptr + 4 (m & ~3)
  c.get(PTR).get(M).i32(-4).op(0x71 /* i32.and */).i32(2).op(0x74 /* i32.shl */, I32_ADD).set(END_);
  c.op(BLOCK, EMPTY, LOOP, EMPTY);
  c.get(PTR).get(END_).op(0x4f /* i32.ge_u */, BR_IF, 1);
  pair(0);
  pair(8);
  c.get(PTR).i32(16).op(I32_ADD).set(PTR);
  c.op(BR, 0, END, END);
  // a last pair
  c.get(M).i32(2).op(0x71 /* i32.and */, IF, EMPTY);
  pair(0);
  c.get(PTR).i32(8).op(I32_ADD).set(PTR);
  c.op(END);
  // results: s0 s1 q0 q1 at 0..31, counts as f64 at 32..47
  c.i32(0).get(S).simdMem(V128_STORE, 3, 0);
  c.i32(0).get(Q).simdMem(V128_STORE, 3, 16);
  // counts (< 2^31 each): i64 lanes -> i32 lanes 0 and 2 -> f64
  c.i32(0).get(NN).simd(I32X4_EXTRACT_LANE, 0).op(0xb7 /* f64.convert_i32_s */).mem(F64_STORE, 3, 32);
  c.i32(0).get(NN).simd(I32X4_EXTRACT_LANE, 2).op(0xb7).mem(F64_STORE, 3, 40);
  // odd m: the last value joins lane 0
  c.get(M).i32(1).op(0x71 /* i32.and */, IF, EMPTY);
  c.get(PTR).mem(F32_LOAD, 2).op(F64_PROMOTE_F32).get(CENTER).op(F64_SUB).tee(DS);
  c.op(F64_ABS).get(CLIP).op(F64_LE, IF, EMPTY);
  c.i32(0).i32(0).mem(F64_LOAD, 3, 0).get(DS).op(F64_ADD).mem(F64_STORE, 3, 0);
  c.i32(0).i32(0).mem(F64_LOAD, 3, 16).get(DS).get(DS).op(F64_MUL, F64_ADD).mem(F64_STORE, 3, 16);
  c.i32(0).i32(0).mem(F64_LOAD, 3, 32).f64(1).op(F64_ADD).mem(F64_STORE, 3, 32);
  c.op(END, END);
  return moduleBytes([I32, I32, F64, F64], [], [I32, V128, V128, V128, V128, V128, V128, V128, F64], c, 'clippedSums');
}

/** `bucketKeys(ptr, n, lo, scale, top, ca, cb, keys)`: see {@link SimdKernels.bucketKeys}. */
function bucketKeysModule(): Uint8Array {
  const PTR = 0;
  const N = 1;
  const LO = 2;
  const SCALE = 3;
  const TOP = 4;
  const CA = 5;
  const CB = 6;
  const KEYS = 7;
  const END_ = 8; // i32 end address of the pairs
  const K = 9; // i32 a key
  const A = 10; // i32 a count's address
  const LOV = 11; // v128 lo
  const SCV = 12; // v128 scale
  const ZV = 13; // v128 zero (i32 lanes)
  const TV = 14; // v128 top (i32 lanes)
  const KV = 15; // v128 keys
  const END4 = 16; // i32 end address of the blocks of four
  const V = 17; // v128 four values
  const T2 = 18; // v128 the second pair's keys
  const c = new Code();
  c.get(LO).simd(F64X2_SPLAT).set(LOV);
  c.get(SCALE).simd(F64X2_SPLAT).set(SCV);
  c.i32(0).simd(I32X4_SPLAT).set(ZV);
  c.get(TOP).simd(I32X4_SPLAT).set(TV);
  c.get(PTR).get(N).i32(-2).op(I32_AND).i32(2).op(I32_SHL, I32_ADD).set(END_);
  // count[key]++ for the key on the stack, in the histogram at local `h`
  const count = (h: number): void => {
    c.i32(2).op(I32_SHL).get(h).op(I32_ADD).tee(A);
    c.get(A).mem(I32_LOAD, 2).i32(1).op(I32_ADD).mem(I32_STORE, 2);
  };
  // four at a time: the same keys from the same double-precision operations, stored as four
  // uint16 at once, and counted in the same histograms (even offsets in `ca`, odd in `cb`)
  c.get(PTR).get(N).i32(-4).op(I32_AND).i32(2).op(I32_SHL, I32_ADD).set(END4);
  c.op(BLOCK, EMPTY, LOOP, EMPTY);
  c.get(PTR).get(END4).op(I32_GE_U, BR_IF, 1);
  c.get(PTR).simdMem(V128_LOAD, 2).tee(V).simd(F64X2_PROMOTE_LOW_F32X4).get(LOV).simd(F64X2_SUB).get(SCV).simd(F64X2_MUL).simd(I32X4_TRUNC_SAT_F64X2_S_ZERO).set(KV);
  c.get(V).get(V).simd(I8X16_SHUFFLE, 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15);
  c.simd(F64X2_PROMOTE_LOW_F32X4).get(LOV).simd(F64X2_SUB).get(SCV).simd(F64X2_MUL).simd(I32X4_TRUNC_SAT_F64X2_S_ZERO).set(T2);
  c.get(KV).get(T2).simd(I8X16_SHUFFLE, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
  c.get(ZV).simd(I32X4_MAX_S).get(TV).simd(I32X4_MIN_S).tee(KV);
  c.set(T2).get(KEYS).get(T2).get(T2).simd(I16X8_NARROW_I32X4_U).simdMem(V128_STORE64_LANE, 1, 0).op(0);
  for (let lane = 0; lane < 4; lane++) {
    c.get(KV).simd(I32X4_EXTRACT_LANE, lane);
    count(lane % 2 === 0 ? CA : CB);
  }
  c.get(PTR).i32(16).op(I32_ADD).set(PTR);
  c.get(KEYS).i32(8).op(I32_ADD).set(KEYS);
  c.op(BR, 0, END, END);
  // a last pair (at most one)
  c.op(BLOCK, EMPTY, LOOP, EMPTY);
  c.get(PTR).get(END_).op(I32_GE_U, BR_IF, 1);
  // keys = min(max(trunc_sat((promote(v) - lo) * scale), 0), top): exactly the clamp above
  // (t ≥ top truncates to ≥ top; t ≤ 0 and NaN to ≤ 0)
  c.get(PTR).simdMem(V128_LOAD64_ZERO, 2).simd(F64X2_PROMOTE_LOW_F32X4).get(LOV).simd(F64X2_SUB).get(SCV).simd(F64X2_MUL);
  c.simd(I32X4_TRUNC_SAT_F64X2_S_ZERO).get(ZV).simd(I32X4_MAX_S).get(TV).simd(I32X4_MIN_S).set(KV);
  c.get(KEYS).get(KV).simd(I32X4_EXTRACT_LANE, 0).tee(K).mem(I32_STORE16, 1, 0);
  c.get(K);
  count(CA);
  c.get(KEYS).get(KV).simd(I32X4_EXTRACT_LANE, 1).tee(K).mem(I32_STORE16, 1, 2);
  c.get(K);
  count(CB);
  c.get(PTR).i32(8).op(I32_ADD).set(PTR);
  c.get(KEYS).i32(4).op(I32_ADD).set(KEYS);
  c.op(BR, 0, END, END);
  // odd n: the last value, counted in the first histogram
  c.get(N).i32(1).op(I32_AND, IF, EMPTY);
  c.get(PTR).mem(F32_LOAD, 2).op(F64_PROMOTE_F32).get(LO).op(F64_SUB).get(SCALE).op(F64_MUL).op(0xfc, 0x02 /* i32.trunc_sat_f64_s */).tee(K);
  c.i32(0).get(K).i32(0).op(I32_GT_S, SELECT).tee(K);
  c.get(TOP).get(TOP).get(K).op(I32_GT_S, SELECT).set(K);
  c.get(KEYS).get(K).mem(I32_STORE16, 1, 0);
  c.get(K);
  count(CA);
  c.op(END);
  return moduleBytes([I32, I32, F64, F64, I32, I32, I32, I32], [], [I32, I32, I32, V128, V128, V128, V128, V128, I32, V128, V128], c, 'bucketKeys');
}

/** `bucketGather(ptr, n, keys, segOf, buf)`: see {@link SimdKernels.bucketGather}. */
function bucketGatherModule(): Uint8Array {
  const PTR = 0;
  const N = 1;
  const KEYS = 2;
  const SEG = 3;
  const BUF = 4;
  const END_ = 5; // i32 end address
  const S = 6; // i32 the slot's address
  const F = 7; // i32 the fill
  const c = new Code();
  c.get(PTR).get(N).i32(2).op(I32_SHL, I32_ADD).set(END_);
  emitBucketGatherLoop(c, { ptr: PTR, keys: KEYS, seg: SEG, buf: BUF, s: S, f: F, end: END_ });
  return moduleBytes([I32, I32, I32, I32, I32], [], [I32, I32, I32], c, 'bucketGather');
}

/**
 * bucketGather's loop (the locals are indices): while `ptr < end`, the value at `ptr` goes to
 * its key's slot when the key has one; `ptr` and `keys` advance.
 */
function emitBucketGatherLoop(c: Code, l: { readonly ptr: number; readonly keys: number; readonly seg: number; readonly buf: number; readonly s: number; readonly f: number; readonly end: number }): void {
  c.op(BLOCK, EMPTY, LOOP, EMPTY);
  c.get(l.ptr).get(l.end).op(I32_GE_U, BR_IF, 1);
  c.get(l.keys).mem(I32_LOAD16_U, 1).i32(2).op(I32_SHL).get(l.seg).op(I32_ADD).mem(I32_LOAD, 2).tee(l.s);
  c.op(IF, EMPTY);
  c.get(l.s).mem(I32_LOAD, 2).tee(l.f).i32(2).op(I32_SHL).get(l.buf).op(I32_ADD);
  c.get(l.ptr).mem(F32_LOAD, 2).mem(F32_STORE, 2);
  c.get(l.s).get(l.f).i32(1).op(I32_ADD).mem(I32_STORE, 2);
  c.op(END);
  c.get(l.ptr).i32(4).op(I32_ADD).set(l.ptr);
  c.get(l.keys).i32(2).op(I32_ADD).set(l.keys);
  c.op(BR, 0, END, END);
}

/**
 * `bucketGatherFew(ptr, n, keys, segOf, buf, k0, k1, k2, k3, k4, k5)`: see
 * {@link SimdKernels.bucketGatherFew}. Blocks of eight keys none of which is chosen (nearly all)
 * are skipped with six vector comparisons; the others, and the last `n mod 8` values, go through
 * bucketGather's loop.
 */
function bucketGatherFewModule(): Uint8Array {
  const PTR = 0;
  const N = 1;
  const KEYS = 2;
  const SEG = 3;
  const BUF = 4;
  const K0 = 5; // .. K0 + 5: the chosen buckets
  const END8 = 11; // i32 end address of the blocks of eight
  const END_ = 12; // i32 end address
  const E = 13; // i32 end address of a run of bucketGather's loop
  const S = 14; // i32 the slot's address
  const F = 15; // i32 the fill
  const KV = 16; // .. KV + 5: v128 the chosen buckets, i16x8 splats
  const X = 22; // v128 eight keys
  const c = new Code();
  for (let j = 0; j < 6; j++) c.get(K0 + j).simd(I16X8_SPLAT).set(KV + j);
  c.get(PTR).get(N).i32(-8).op(I32_AND).i32(2).op(I32_SHL, I32_ADD).set(END8);
  c.get(PTR).get(N).i32(2).op(I32_SHL, I32_ADD).set(END_);
  // bucketGather's loop up to address E
  const scalarLoop = (): void => emitBucketGatherLoop(c, { ptr: PTR, keys: KEYS, seg: SEG, buf: BUF, s: S, f: F, end: E });
  c.op(BLOCK, EMPTY, LOOP, EMPTY);
  c.get(PTR).get(END8).op(I32_GE_U, BR_IF, 1);
  c.get(KEYS).simdMem(V128_LOAD, 0).set(X);
  c.get(X).get(KV).simd(I16X8_EQ);
  for (let j = 1; j < 6; j++) c.get(X).get(KV + j).simd(I16X8_EQ).simd(V128_OR);
  c.simd(V128_ANY_TRUE).op(IF, EMPTY);
  c.get(PTR).i32(32).op(I32_ADD).set(E);
  scalarLoop();
  c.op(ELSE);
  c.get(PTR).i32(32).op(I32_ADD).set(PTR);
  c.get(KEYS).i32(16).op(I32_ADD).set(KEYS);
  c.op(END);
  c.op(BR, 0, END, END);
  c.get(END_).set(E);
  scalarLoop();
  return moduleBytes([I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32], [], [I32, I32, I32, I32, I32, V128, V128, V128, V128, V128, V128, V128], c, 'bucketGatherFew');
}

/** The locals of {@link emitGather}. */
interface GatherLocals {
  readonly IMG: number;
  readonly MSK: number;
  readonly N: number;
  readonly AND: number;
  readonly OUT: number;
  readonly NANSAFE: number;
  readonly USEMASK: number;
  readonly END4: number;
  readonly E: number;
  readonly O0: number;
  readonly G: number;
  readonly INF: number;
  readonly F: number;
  readonly AV: number;
  readonly V: number;
}

/**
 * The gather of {@link SimdKernels.gatherGood} (`AV` holds the andMask splat, `G` and `INF` start
 * at 0; `G` counts the skipped NaNs until the end): advances `IMG`, `MSK` and `OUT`, and leaves the good count in `G` and whether a
 * ±Infinity was copied in `INF`.
 */
function emitGather(c: Code, L: GatherLocals): void {
  const { IMG, MSK, N, AND, OUT, NANSAFE, USEMASK, END4, E, O0, G, INF, F, AV, V } = L;
  c.get(OUT).set(O0);
  c.get(IMG).get(N).i32(-4).op(I32_AND).i32(2).op(I32_SHL, I32_ADD).set(END4);
  // one value at IMG/MSK (in a block: `br 0` skips it), then advance
  const scalar = (): void => {
    c.op(BLOCK, EMPTY);
    c.get(USEMASK).op(IF, EMPTY).get(MSK).mem(I32_LOAD, 2).get(AND).op(I32_AND, BR_IF, 1, END);
    c.get(IMG).mem(F32_LOAD, 2).set(F);
    c.get(NANSAFE).op(IF, EMPTY);
    //   nanSafe: finite values only (f - f is 0 exactly for finite values, NaN otherwise)
    c.get(F).get(F).op(F32_SUB).f32(0).op(F32_EQ, I32_EQZ, BR_IF, 1);
    c.op(ELSE);
    //   else every unmasked value counts; NaN is not copied (but counted in G), ±Infinity is
    //   (and noted)
    c.get(F).get(F).op(F32_SUB).f32(0).op(F32_EQ, I32_EQZ, IF, EMPTY);
    c.get(F).get(F).op(F32_NE, IF, EMPTY).get(G).i32(1).op(I32_ADD).set(G).op(BR, 3, END);
    c.i32(1).set(INF);
    c.op(END);
    c.op(END);
    c.get(OUT).get(F).mem(F32_STORE, 2);
    c.get(OUT).i32(4).op(I32_ADD).set(OUT);
    c.op(END);
    c.get(IMG).i32(4).op(I32_ADD).set(IMG);
    c.get(MSK).i32(4).op(I32_ADD).set(MSK);
  };
  const scalarLoop = (): void => {
    c.op(BLOCK, EMPTY, LOOP, EMPTY);
    c.get(IMG).get(E).op(I32_GE_U, BR_IF, 1);
    scalar();
    c.op(BR, 0, END, END);
  };
  // four at once when all are finite and unmasked (the usual case); one loop with the mask, one
  // without
  const fastLoop = (withMask: boolean): void => {
    c.op(BLOCK, EMPTY, LOOP, EMPTY);
    c.get(IMG).get(END4).op(I32_GE_U, BR_IF, 1);
    c.get(IMG).simdMem(V128_LOAD, 2).tee(V).get(V).simd(F32X4_SUB).f32(0).simd(F32X4_SPLAT).simd(F32X4_EQ).simd(I32X4_ALL_TRUE);
    if (withMask) c.get(MSK).simdMem(V128_LOAD, 2).get(AV).simd(V128_AND).simd(V128_ANY_TRUE).op(I32_EQZ, I32_AND);
    c.op(IF, EMPTY);
    c.get(OUT).get(V).simdMem(V128_STORE, 2);
    c.get(OUT).i32(16).op(I32_ADD).set(OUT);
    c.get(IMG).i32(16).op(I32_ADD).set(IMG);
    c.get(MSK).i32(16).op(I32_ADD).set(MSK);
    c.op(ELSE);
    c.get(IMG).i32(16).op(I32_ADD).set(E);
    scalarLoop();
    c.op(END);
    c.op(BR, 0, END, END);
  };
  c.get(USEMASK).op(IF, EMPTY);
  fastLoop(true);
  c.op(ELSE);
  fastLoop(false);
  c.op(END);
  // the last (n mod 4)
  c.get(END4).get(N).i32(3).op(I32_AND).i32(2).op(I32_SHL, I32_ADD).set(E);
  scalarLoop();
  // the good count: the copied values, and with nanSafe 0 the NaNs counted in G
  c.get(OUT).get(O0).op(I32_SUB).i32(2).op(0x76 /* i32.shr_u */).get(G).op(I32_ADD).set(G);
}

/** `gatherGood(img, msk, n, andMask, out, nanSafe, useMask)`: see {@link SimdKernels.gatherGood}. */
function gatherGoodModule(): Uint8Array {
  const c = new Code();
  c.get(3).simd(I32X4_SPLAT).set(13);
  // params img, msk, n, andMask, out, nanSafe, useMask; locals end4, e, o0, g, inf, f, av, v
  emitGather(c, { IMG: 0, MSK: 1, N: 2, AND: 3, OUT: 4, NANSAFE: 5, USEMASK: 6, END4: 7, E: 8, O0: 9, G: 10, INF: 11, F: 12, AV: 13, V: 14 });
  const G = 10;
  const INF = 11;
  const OUT = 4;
  const O0 = 9;
  c.i32(0).get(G).mem(I32_STORE, 2, 48);
  c.i32(0).get(INF).mem(I32_STORE, 2, 52);
  c.get(OUT).get(O0).op(I32_SUB).i32(2).op(0x76);
  return moduleBytes([I32, I32, I32, I32, I32, I32, I32], [I32], [I32, I32, I32, I32, I32, 0x7d, V128, V128], c, 'gatherGood');
}

/**
 * `gatherGoodRow(img, msk, nBins, table, andMask, nanSafe, useMask)`: see
 * {@link SimdKernels.gatherGoodRow}; {@link emitGather} once per entry of the table.
 */
function gatherGoodRowModule(): Uint8Array {
  const ROWIMG = 0;
  const ROWMSK = 1;
  const NB = 2;
  const TBL = 3;
  const AND = 4;
  const TP = 16; // i32 the table entry's address
  const TE = 17; // i32 the table's end
  const L = { IMG: 7, MSK: 8, N: 9, AND, OUT: 10, NANSAFE: 5, USEMASK: 6, END4: 11, E: 12, O0: 13, G: 14, INF: 15, F: 18, AV: 19, V: 20 };
  const c = new Code();
  c.get(AND).simd(I32X4_SPLAT).set(L.AV);
  c.get(TBL).set(TP);
  c.get(TBL).get(NB).i32(20).op(0x6c /* i32.mul */, I32_ADD).set(TE);
  c.op(BLOCK, EMPTY, LOOP, EMPTY);
  c.get(TP).get(TE).op(I32_GE_U, BR_IF, 1);
  c.get(ROWIMG).get(TP).mem(I32_LOAD, 2, 0).op(I32_ADD).set(L.IMG);
  c.get(ROWMSK).get(TP).mem(I32_LOAD, 2, 0).op(I32_ADD).set(L.MSK);
  c.get(TP).mem(I32_LOAD, 2, 4).set(L.N);
  c.get(TP).mem(I32_LOAD, 2, 8).set(L.OUT);
  c.i32(0).set(L.G);
  c.i32(0).set(L.INF);
  emitGather(c, L);
  c.get(TP).get(L.OUT).mem(I32_STORE, 2, 8);
  c.get(TP).get(TP).mem(I32_LOAD, 2, 12).get(L.G).op(I32_ADD).mem(I32_STORE, 2, 12);
  c.get(TP).get(TP).mem(I32_LOAD, 2, 16).get(L.INF).op(0x72 /* i32.or */).mem(I32_STORE, 2, 16);
  c.get(TP).i32(20).op(I32_ADD).set(TP);
  c.op(BR, 0, END, END);
  return moduleBytes([I32, I32, I32, I32, I32, I32, I32], [], [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, 0x7d, V128, V128], c, 'gatherGoodRow');
}

/**
 * The lane-compaction table of {@link SimdKernels.radixWindowGather}: for each 4-bit lane mask,
 * the `i8x16.swizzle` indices that move the selected 32-bit lanes to the front, in order (the
 * other bytes select nothing: zero).
 *
 * @returns 256 bytes, 16 per mask
 */
export function compactionTable(): Uint8Array {
  const t = new Uint8Array(256).fill(0x80);
  for (let mask = 0; mask < 16; mask++) {
    let at = 0;
    for (let lane = 0; lane < 4; lane++) {
      if ((mask & (1 << lane)) === 0) continue;
      for (let byte = 0; byte < 4; byte++) t[16 * mask + 4 * at + byte] = 4 * lane + byte;
      at++;
    }
  }
  return t;
}

/**
 * `radixWindowGather(vals, msk, n, andMask, useMask, lim, slo, shi, gout, g, table)`: see
 * {@link SimdKernels.radixWindowGather}. Four values at a time, without branches on the values:
 * the lanes inside the window are moved to the front by a swizzle from the compaction table and
 * stored as one vector, and `g` advances by their count.
 */
function radixWindowGatherModule(): Uint8Array {
  const VALS = 0;
  const MSK = 1;
  const N = 2;
  const AND = 3;
  const USEMASK = 4;
  const LIM = 5;
  const SLO = 6;
  const SHI = 7;
  const GOUT = 8;
  const G = 9;
  const TBL = 10;
  const END_ = 11; // i32 end address
  const MK = 12; // i32 the in-window lane mask
  const GOODV = 13; // v128 good counts (i32 lanes, decremented by the all-ones mask)
  const BELOWV = 14; // v128 below-window counts
  const B = 15; // v128 four values' bits
  const S = 16; // v128 their signed order keys
  const OK = 17; // v128 good mask
  const LO = 18; // v128 below-window mask
  const ANDV = 19; // v128 andMask splat
  const LIMV = 20; // v128 lim splat
  const SLOV = 21; // v128 slo splat
  const SHIV = 22; // v128 shi splat
  const ABSV = 23; // v128 0x7fffffff splat
  const ZV = 24; // v128 zero
  const c = new Code();
  c.get(AND).simd(I32X4_SPLAT).set(ANDV);
  c.get(LIM).simd(I32X4_SPLAT).set(LIMV);
  c.get(SLO).simd(I32X4_SPLAT).set(SLOV);
  c.get(SHI).simd(I32X4_SPLAT).set(SHIV);
  c.i32(0x7fffffff).simd(I32X4_SPLAT).set(ABSV);
  c.i32(0).simd(I32X4_SPLAT).set(ZV);
  c.get(VALS).get(N).i32(2).op(I32_SHL, I32_ADD).set(END_);
  // the four values at VALS + off (mask at MSK + off)
  const body = (withMask: boolean, off: number): void => {
    // ok = (bits & 0x7fffffff) < lim [&& (mask & andMask) == 0]
    c.get(LIMV).get(VALS).simdMem(V128_LOAD, 2, off).tee(B).get(ABSV).simd(V128_AND).simd(I32X4_GT_S);
    if (withMask) c.get(MSK).simdMem(V128_LOAD, 2, off).get(ANDV).simd(V128_AND).get(ZV).simd(I32X4_EQ).simd(V128_AND);
    c.set(OK);
    // s = b ^ ((b >> 31) >>> 1)
    c.get(B).get(B).i32(31).simd(I32X4_SHR_S).i32(1).simd(I32X4_SHR_U).simd(V128_XOR).set(S);
    c.get(GOODV).get(OK).simd(I32X4_SUB).set(GOODV);
    // below: slo > s; inside: ok and neither below nor s > shi
    c.get(BELOWV).get(SLOV).get(S).simd(I32X4_GT_S).tee(LO).get(OK).simd(V128_AND).simd(I32X4_SUB).set(BELOWV);
    c.get(OK).get(LO).get(S).get(SHIV).simd(I32X4_GT_S).simd(V128_OR).simd(V128_ANDNOT).simd(I32X4_BITMASK).set(MK);
    // store the inside lanes, compacted, at gout[g]; g += their count
    c.get(GOUT).get(G).i32(2).op(I32_SHL, I32_ADD);
    c.get(B).get(TBL).get(MK).i32(4).op(I32_SHL, I32_ADD).simdMem(V128_LOAD, 0).simd(I8X16_SWIZZLE).simdMem(V128_STORE, 2);
    c.get(G).get(MK).op(I32_POPCNT, I32_ADD).set(G);
  };
  // eight values a step, then the last four if there are; one version with the mask, one without
  const loops = (withMask: boolean): void => {
    c.op(BLOCK, EMPTY, LOOP, EMPTY);
    c.get(VALS).i32(16).op(I32_ADD).get(END_).op(I32_GE_U, BR_IF, 1);
    body(withMask, 0);
    body(withMask, 16);
    c.get(VALS).i32(32).op(I32_ADD).set(VALS);
    c.get(MSK).i32(32).op(I32_ADD).set(MSK);
    c.op(BR, 0, END, END);
    c.get(VALS).get(END_).op(0x49 /* i32.lt_u */, IF, EMPTY);
    body(withMask, 0);
    c.op(END);
  };
  c.get(USEMASK).op(IF, EMPTY);
  loops(true);
  c.op(ELSE);
  loops(false);
  c.op(END);
  // the sums of the lanes
  const laneSum = (v: number): void => {
    c.get(v).simd(I32X4_EXTRACT_LANE, 0).get(v).simd(I32X4_EXTRACT_LANE, 1).op(I32_ADD);
    c.get(v).simd(I32X4_EXTRACT_LANE, 2).op(I32_ADD).get(v).simd(I32X4_EXTRACT_LANE, 3).op(I32_ADD);
  };
  c.i32(0);
  laneSum(GOODV);
  c.mem(I32_STORE, 2, 0);
  c.i32(0);
  laneSum(BELOWV);
  c.mem(I32_STORE, 2, 4);
  c.i32(0).get(G).mem(I32_STORE, 2, 8);
  return moduleBytes(new Array<number>(11).fill(I32), [], [I32, I32, ...new Array<number>(12).fill(V128)], c, 'radixWindowGather');
}

// ------------------------------------------------------------------------ instance

const SCRATCH_BYTES = 64;
/** Modules kept per kind of layout-specific kernel (the cache starts over beyond this). */
const MAX_CACHED_LAYOUTS = 64;
let state: SimdKernels | null | undefined;

/** The part of the WebAssembly API used here (the project's type libraries do not declare it). */
interface WasmApi {
  readonly Memory: new (descriptor: { initial: number }) => { readonly buffer: ArrayBuffer; grow(pages: number): number };
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}

function make(): SimdKernels | null {
  const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  if (wasm === undefined) return null;
  try {
    const memory = new wasm.Memory({ initial: 1 });
    const imports = { m: { mem: memory } };
    const instantiate = (bytes: Uint8Array): ((...args: number[]) => void) => {
      const instance = new wasm.Instance(new wasm.Module(bytes), imports);
      return instance.exports['f'] as (...args: number[]) => void;
    };
    const clipped = instantiate(clippedSumsModule());
    const sepCache = new Map<string, SimdSeparableFn>();
    const rowsCache = new Map<string, SimdRowSumsFn>();
    const addCache = new Map<string, SimdRowSumsAddFn>();
    const kernels: SimdKernels = {
      reserve(bytes: number): ArrayBuffer {
        const have = memory.buffer.byteLength;
        if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
        return memory.buffer;
      },
      separable(x: SimdTerms, y: SimdTerms, stride: number): SimdSeparableFn {
        const key = `sep ${x.nPairs},${x.nSingles}:${x.loads.join(',')};${y.nPairs},${y.nSingles}:${y.loads.join(',')};${stride}`;
        let fn = sepCache.get(key);
        if (fn === undefined) {
          if (sepCache.size >= MAX_CACHED_LAYOUTS) sepCache.clear();
          fn = instantiate(separableModule(x, y, stride)) as unknown as SimdSeparableFn;
          sepCache.set(key, fn);
        }
        return fn;
      },
      rowSums(offsets: Int32Array, dst: SimdElement): SimdRowSumsFn {
        const key = `rows ${offsets.join(',')};${dst}`;
        let fn = rowsCache.get(key);
        if (fn === undefined) {
          if (rowsCache.size >= MAX_CACHED_LAYOUTS) rowsCache.clear();
          fn = instantiate(rowSumsModule(offsets, dst)) as unknown as SimdRowSumsFn;
          rowsCache.set(key, fn);
        }
        return fn;
      },
      rowSumsAdd(offsets: Int32Array, withSums: boolean): SimdRowSumsAddFn {
        const key = `add ${offsets.join(',')};${withSums ? 1 : 0}`;
        let fn = addCache.get(key);
        if (fn === undefined) {
          if (addCache.size >= MAX_CACHED_LAYOUTS) addCache.clear();
          fn = instantiate(rowSumsAddModule(offsets, withSums)) as unknown as SimdRowSumsAddFn;
          addCache.set(key, fn);
        }
        return fn;
      },
      clippedSums: clipped,
      bucketKeys: instantiate(bucketKeysModule()),
      bucketGather: instantiate(bucketGatherModule()),
      bucketGatherFew: instantiate(bucketGatherFewModule()),
      gatherGood: instantiate(gatherGoodModule()) as unknown as SimdKernels['gatherGood'],
      gatherGoodRow: instantiate(gatherGoodRowModule()),
      radixWindowGather: instantiate(radixWindowGatherModule()),
      scratchBytes: SCRATCH_BYTES,
    };
    return kernels;
  } catch {
    return null;
  }
}

/** Disabled for tests comparing with the TypeScript loops. */
let disabled = false;

/**
 * The WebAssembly SIMD kernels of this thread (made on first use), or undefined where
 * WebAssembly SIMD is unavailable or the kernels are disabled.
 *
 * @returns the kernels
 */
export function simdKernels(): SimdKernels | undefined {
  if (disabled) return undefined;
  if (state === undefined) state = make();
  return state ?? undefined;
}

/**
 * Turns the SIMD kernels off or on (for tests and comparisons; on by default).
 *
 * @param enabled - whether callers get the kernels
 * @returns whether they were enabled before
 */
export function setSimdEnabled(enabled: boolean): boolean {
  const was = !disabled;
  disabled = !enabled;
  return was;
}
