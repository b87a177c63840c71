import { KernelsInvalidArgumentError } from './errors.js';
import { compactionTable, simdKernels, type SimdKernels } from './simd-kernels.js';

/** A typed array of pixel values that statistics accept. */
export type NumericArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array;

/**
 * The quantities {@link makeStatistics} can compute, as afw's `lsst.afw.math.Property` flags
 * (`ERRORS` is the {@link StatisticsOptions.errors} option here).
 */
export type StatisticsProperty =
  | 'NPOINT'
  | 'SUM'
  | 'MEAN'
  | 'STDEV'
  | 'VARIANCE'
  | 'MEDIAN'
  | 'IQRANGE'
  | 'MEANCLIP'
  | 'STDEVCLIP'
  | 'VARIANCECLIP'
  | 'MIN'
  | 'MAX'
  | 'MEANSQUARE';

/** Every {@link StatisticsProperty}, in afw's order. */
export const STATISTICS_PROPERTIES: readonly StatisticsProperty[] = Object.freeze([
  'NPOINT',
  'SUM',
  'MEAN',
  'STDEV',
  'VARIANCE',
  'MEDIAN',
  'IQRANGE',
  'MEANCLIP',
  'STDEVCLIP',
  'VARIANCECLIP',
  'MIN',
  'MAX',
  'MEANSQUARE',
]);

/**
 * 1 sigma of a Gaussian in units of its inter-quartile range (afw's `IQ_TO_STDEV`,
 * `1 / (2 √2 erf⁻¹(1/2))`).
 */
export const IQ_TO_STDEV = 0.741301109252802;

/** A rectangular window of a row-major image (`stride` values per row). */
export interface StatisticsRegion {
  /** Values per row of the whole array. */
  readonly stride: number;
  /** First column of the window. */
  readonly x0: number;
  /** First row of the window. */
  readonly y0: number;
  /** Window width. */
  readonly width: number;
  /** Window height. */
  readonly height: number;
}

/** Options of {@link makeStatistics}: afw's `StatisticsControl` plus the property list. */
export interface StatisticsOptions {
  /** What to compute (afw's flags); default `['NPOINT', 'MEAN', 'STDEV']`. */
  readonly properties?: readonly StatisticsProperty[];
  /** Also compute errors (afw's `ERRORS` flag); default false. */
  readonly errors?: boolean;
  /** Mask values, same layout as the values. */
  readonly mask?: Int32Array;
  /** Mask bits that exclude a value (afw `andMask`); default 0. */
  readonly andMask?: number;
  /** Multiplicative weights, same layout as the values (afw's weights image). */
  readonly weights?: NumericArray;
  /** Clipping half-width in sigma (afw `numSigmaClip`); default 3. */
  readonly numSigmaClip?: number;
  /** Clipping passes, the first one included (afw `numIter`); default 3. */
  readonly numIter?: number;
  /** Skip NaN and infinite values (afw `nanSafe`); default true. */
  readonly nanSafe?: boolean;
  /** A window of the values to use (default: all of them, as one row). */
  readonly region?: StatisticsRegion;
  /**
   * Scratch buffer for the median and quartiles (at least as long as the number of good values);
   * reused instead of allocating one per call. Use a `Float64Array` for `Float64Array` values.
   */
  readonly scratch?: Float32Array | Float64Array;
}

/** A value and its error, as afw's `getResult`. */
export type StatisticsResult = readonly [value: number, error: number];

const NaN_RESULT: StatisticsResult = [NaN, NaN];

/**
 * The outcome of {@link makeStatistics}: the requested quantities and, with `errors`, their
 * errors. Asking for a property that was not requested throws, as in afw.
 *
 * @see lsst.afw.math.Statistics
 */
export class Statistics {
  /** The requested properties. */
  readonly properties: ReadonlySet<StatisticsProperty>;
  /** Whether errors were requested. */
  readonly errors: boolean;
  readonly #values: Map<StatisticsProperty, StatisticsResult>;

  /**
   * Made by {@link makeStatistics}.
   *
   * @param properties - the requested properties
   * @param errors - whether errors were requested
   * @param values - the value and error of each property
   * @internal
   */
  constructor(
    properties: ReadonlySet<StatisticsProperty>,
    errors: boolean,
    values: Map<StatisticsProperty, StatisticsResult>,
  ) {
    this.properties = properties;
    this.errors = errors;
    this.#values = values;
  }

  /**
   * The value and error of a property (error NaN unless `errors` was requested).
   *
   * @param property - the property; may be omitted when exactly one was requested
   * @returns `[value, error]`
   * @throws {@link KernelsInvalidArgumentError} when the property was not requested
   */
  getResult(property?: StatisticsProperty): StatisticsResult {
    let p = property;
    if (p === undefined) {
      if (this.properties.size !== 1) {
        throw new KernelsInvalidArgumentError(
          `getResult() without a property needs exactly one requested property; ${this.properties.size} were requested.`,
        );
      }
      p = [...this.properties][0]!;
    }
    if (!this.properties.has(p)) {
      throw new KernelsInvalidArgumentError(
        `Statistic '${p}' was not requested; requested: ${[...this.properties].join(', ')}.`,
        { hint: `Add '${p}' to options.properties.` },
      );
    }
    const r = this.#values.get(p) ?? NaN_RESULT;
    return this.errors ? r : [r[0], NaN];
  }

  /**
   * The value of a property.
   *
   * @param property - the property; may be omitted when exactly one was requested
   * @returns its value
   * @throws {@link KernelsInvalidArgumentError} when the property was not requested
   */
  getValue(property?: StatisticsProperty): number {
    return this.getResult(property)[0];
  }

  /**
   * The error of a property (NaN unless `errors` was requested).
   *
   * @param property - the property; may be omitted when exactly one was requested
   * @returns its error
   * @throws {@link KernelsInvalidArgumentError} when the property was not requested
   */
  getError(property?: StatisticsProperty): number {
    return this.getResult(property)[1];
  }
}

interface Sums {
  n: number;
  sum: number;
  mean: number;
  variance: number;
  meanVar: number;
  min: number;
  max: number;
}

/** Accumulates the weighted moments about `center` over the good values, optionally clipped. */
function accumulate(
  values: NumericArray,
  region: StatisticsRegion,
  opts: { mask: Int32Array | undefined; andMask: number; weights: NumericArray | undefined; nanSafe: boolean },
  center: number,
  clip: number, // < 0: no clipping
  rowStep: number,
  wantMinMax: boolean,
): Sums {
  const { mask, andMask, weights, nanSafe } = opts;
  if (weights === undefined && clip < 0 && !wantMinMax) return accumulatePlain(values, region, mask, andMask, nanSafe, center, rowStep);
  let n = 0;
  let sumw = 0;
  let sumw2 = 0;
  let sumx = 0;
  let sumx2 = 0;
  let min = Infinity;
  let max = -Infinity;
  const doClip = clip >= 0;
  for (let y = 0; y < region.height; y += rowStep) {
    const base = (region.y0 + y) * region.stride + region.x0;
    const end = base + region.width;
    for (let k = base; k < end; k++) {
      const v = values[k]!;
      if (nanSafe && !Number.isFinite(v)) continue;
      if (mask !== undefined && (mask[k]! & andMask) !== 0) continue;
      const d = v - center;
      if (doClip && !(Math.abs(d) <= clip)) continue;
      if (weights !== undefined) {
        const w = weights[k]!;
        sumw += w;
        sumw2 += w * w;
        sumx += w * d;
        sumx2 += w * d * d;
      } else {
        sumx += d;
        sumx2 += d * d;
      }
      if (wantMinMax) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      n++;
    }
  }
  if (weights === undefined) {
    sumw = n;
    sumw2 = n;
  }
  const mean = sumx / sumw;
  let variance = sumx2 / sumw - mean * mean;
  variance *= (sumw * sumw) / (sumw * sumw - sumw2);
  const meanVar = (variance * sumw2) / (sumw * sumw);
  return {
    n,
    sum: sumx + sumw * center,
    mean: mean + center,
    variance,
    meanVar,
    min: n === 0 ? NaN : min,
    max: n === 0 ? NaN : max,
  };
}

/**
 * {@link accumulate} without weights, clipping or min/max (the plain moments), with two
 * interleaved sums (shorter dependency chains). The pixels go through {@link plainBlock} in
 * blocks, so that a one-off pass over a large image runs optimised code from its first blocks
 * (V8 compiles a long loop inside a single call late and poorly).
 */
function accumulatePlain(
  values: NumericArray,
  region: StatisticsRegion,
  mask: Int32Array | undefined,
  andMask: number,
  nanSafe: boolean,
  center: number,
  rowStep: number,
): Sums {
  const acc = PLAIN_ACC;
  acc.fill(0);
  const useMask = mask !== undefined && andMask !== 0;
  for (let y = 0; y < region.height; y += rowStep) {
    const base = (region.y0 + y) * region.stride + region.x0;
    const end = base + region.width;
    for (let k = base; k < end; k += BLOCK) plainBlock(values, k, Math.min(end, k + BLOCK), mask, andMask, useMask, nanSafe, center, acc);
  }
  const n = acc[2]! + acc[5]!;
  const sumx = acc[0]! + acc[3]!;
  const sumx2 = acc[1]! + acc[4]!;
  const mean = sumx / n;
  let variance = sumx2 / n - mean * mean;
  variance *= (n * n) / (n * n - n);
  const meanVar = (variance * n) / (n * n);
  return { n, sum: sumx + n * center, mean: mean + center, variance, meanVar, min: NaN, max: NaN };
}

/** Values per call of the block loops. */
const BLOCK = 4096;

/** The running sums of {@link accumulatePlain}: `[s0, q0, n0, s1, q1, n1]`. */
const PLAIN_ACC = new Float64Array(6);

/** Adds the values of `[start, end)` to the two interleaved sums in `acc`. */
function plainBlock(
  values: NumericArray,
  start: number,
  end: number,
  mask: Int32Array | undefined,
  andMask: number,
  useMask: boolean,
  nanSafe: boolean,
  center: number,
  acc: Float64Array,
): void {
  let s0 = acc[0]!;
  let q0 = acc[1]!;
  let n0 = acc[2]!;
  let s1 = acc[3]!;
  let q1 = acc[4]!;
  let n1 = acc[5]!;
  let k = start;
  if (!nanSafe && !useMask) {
    for (; k + 1 < end; k += 2) {
      const d0 = values[k]! - center;
      const d1 = values[k + 1]! - center;
      s0 += d0;
      q0 += d0 * d0;
      s1 += d1;
      q1 += d1 * d1;
    }
    n0 += (k - start) >> 1;
    n1 += (k - start) >> 1;
  }
  for (; k + 1 < end; k += 2) {
    const v0 = values[k]!;
    const v1 = values[k + 1]!;
    if (!(nanSafe && v0 - v0 !== 0) && !(useMask && (mask![k]! & andMask) !== 0)) {
      const d0 = v0 - center;
      s0 += d0;
      q0 += d0 * d0;
      n0++;
    }
    if (!(nanSafe && v1 - v1 !== 0) && !(useMask && (mask![k + 1]! & andMask) !== 0)) {
      const d1 = v1 - center;
      s1 += d1;
      q1 += d1 * d1;
      n1++;
    }
  }
  if (k < end) {
    const v = values[k]!;
    if (!(nanSafe && v - v !== 0) && !(useMask && (mask![k]! & andMask) !== 0)) {
      const d = v - center;
      s0 += d;
      q0 += d * d;
      n0++;
    }
  }
  acc[0] = s0;
  acc[1] = q0;
  acc[2] = n0;
  acc[3] = s1;
  acc[4] = q1;
  acc[5] = n1;
}

/**
 * The crude mean's sum over every `step`-th value of `[start, end)` (good values only), added to
 * `acc = [sum, count]`; called in blocks (see {@link accumulatePlain}).
 */
function sampleBlock(
  values: NumericArray,
  start: number,
  end: number,
  step: number,
  mask: Int32Array | undefined,
  andMask: number,
  nanSafe: boolean,
  acc: Float64Array,
): void {
  let s = acc[0]!;
  let c = acc[1]!;
  for (let k = start; k < end; k += step) {
    const v = values[k]!;
    if (nanSafe && !Number.isFinite(v)) continue;
    if (mask !== undefined && (mask[k]! & andMask) !== 0) continue;
    s += v;
    c++;
  }
  acc[0] = s;
  acc[1] = c;
}

/** afw's error of a variance estimate (assumes Gaussian data). */
function varianceError(variance: number, n: number): number {
  return (2 * (n - 1) * variance * variance) / (n * n);
}

/** `[n, mean, variance, meanVar]` of the last {@link accumulateClipped}. */
const CLIP_SUMS = new Float64Array(4);

/**
 * The unweighted moments about `center` of the values of `a[off, off + m)` within `clip` of it,
 * written to {@link CLIP_SUMS}. Values at even offsets from `off` go to one partial sum, odd ones
 * to another (shorter dependency chains); the pairing fixes the rounding, so it must not change.
 * `|d| <= clip` keeps the same values as `-clip <= d <= clip` (a NaN difference passes neither).
 */
function accumulateClipped(a: Float32Array | Float64Array, off: number, m: number, center: number, clip: number): void {
  const simd = m >= SIMD_CLIP_MIN && a instanceof Float32Array ? simdKernels() : undefined;
  if (simd !== undefined && a.buffer === simd.reserve(0)) {
    // the same pairs of partial sums, one per f64x2 lane (a background bin gathered in the kernels' memory)
    simd.clippedSums(a.byteOffset + 4 * off, m, center, clip);
    const r = simdResultsOf(a.buffer);
    finishClipped(center, r[0]!, r[1]!, r[2]!, r[3]!, r[4]!, r[5]!);
    return;
  }
  // in blocks of an even length, so that pairs stay pairs and each partial sum runs in the same
  // order: a loop over all the values, on-stack replaced, was left at its end on every call to
  // code without type feedback (deoptimised once per call of a long run of calls)
  const acc = CLIP_PARTIALS.fill(0);
  const end = off + m;
  for (let from = off; from < end; from += CLIP_BLOCK) clippedBlock(a, from, Math.min(end, from + CLIP_BLOCK), center, clip, acc);
  finishClipped(center, acc[0]!, acc[1]!, acc[2]!, acc[3]!, acc[4]!, acc[5]!);
}

/** Values per block of {@link accumulateClipped}'s TypeScript sums (even). */
const CLIP_BLOCK = 4096;
/** `[s0, s1, q0, q1, n0, n1]` of {@link clippedBlock}. */
const CLIP_PARTIALS = new Float64Array(6);

/**
 * The clipped sums of `a[from, to)` about `center` added to `acc = [s0, s1, q0, q1, n0, n1]`:
 * values at even offsets from `from` go to the first partial sums, odd ones to the second, a last
 * single value to the first.
 */
function clippedBlock(a: Float32Array | Float64Array, from: number, to: number, center: number, clip: number, acc: Float64Array): void {
  let s0 = acc[0]!;
  let s1 = acc[1]!;
  let q0 = acc[2]!;
  let q1 = acc[3]!;
  let n0 = acc[4]!;
  let n1 = acc[5]!;
  let k = from;
  for (; k + 1 < to; k += 2) {
    const d0 = a[k]! - center;
    const d1 = a[k + 1]! - center;
    if (Math.abs(d0) <= clip) {
      s0 += d0;
      q0 += d0 * d0;
      n0++;
    }
    if (Math.abs(d1) <= clip) {
      s1 += d1;
      q1 += d1 * d1;
      n1++;
    }
  }
  if (k < to) {
    const d = a[k]! - center;
    if (Math.abs(d) <= clip) {
      s0 += d;
      q0 += d * d;
      n0++;
    }
  }
  acc[0] = s0;
  acc[1] = s1;
  acc[2] = q0;
  acc[3] = q1;
  acc[4] = n0;
  acc[5] = n1;
}

/** Below this many values the clipped sums stay in TypeScript. */
const SIMD_CLIP_MIN = 64;
/** The SIMD kernels' results (a view of their memory, remade when it grows). */
let simdResults: Float64Array | undefined;

/** {@link simdResults} over `buffer` (the kernels' memory), made when needed. */
function simdResultsOf(buffer: ArrayBufferLike): Float64Array {
  let r = simdResults;
  if (r === undefined || r.buffer !== buffer) r = simdResults = new Float64Array(buffer, 0, 6);
  return r;
}

/** {@link CLIP_SUMS} from the two partial sums of {@link accumulateClipped}. */
function finishClipped(center: number, s0: number, s1: number, q0: number, q1: number, n0: number, n1: number): void {
  const n = n0 + n1;
  const sumx = s0 + s1;
  const sumx2 = q0 + q1;
  const mean = sumx / n;
  let variance = sumx2 / n - mean * mean;
  variance *= (n * n) / (n * n - n);
  CLIP_SUMS[0] = n;
  CLIP_SUMS[1] = mean + center;
  CLIP_SUMS[2] = variance;
  CLIP_SUMS[3] = (variance * n) / (n * n);
}

/** `[m, nGood, min, max]` of the last {@link gatherGood}. */
const GATHERED = new Float64Array(4);

/**
 * Copies the good values of a window into `scratch` (unmasked; finite, or with `nanSafe` false
 * also ±Infinity: NaNs cannot be ordered) and reports `[m, nGood, min, max]` in `res`: how many
 * were copied, how many the moments would count (NaN too unless `nanSafe`), and their range.
 */
function gatherGood(
  values: NumericArray,
  region: StatisticsRegion,
  mask: Int32Array | undefined,
  andMask: number,
  nanSafe: boolean,
  scratch: Float32Array | Float64Array,
  res: Float64Array,
): void {
  const cap = scratch.length;
  const { stride, x0, y0, width, height } = region;
  let m = 0;
  let nGood = 0;
  let lo = Infinity;
  let hi = -Infinity;
  if (cap >= width * height) {
    // the common case: no capacity checks, one loop per masking and NaN rule
    const useMask = mask !== undefined && andMask !== 0;
    for (let y = 0; y < height; y++) {
      const base = (y0 + y) * stride + x0;
      const end = base + width;
      if (nanSafe) {
        for (let k = base; k < end; k++) {
          if (useMask && (mask[k]! & andMask) !== 0) continue;
          const v = values[k]!;
          if (v - v !== 0) continue; // NaN or ±Infinity
          scratch[m++] = v;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      } else {
        for (let k = base; k < end; k++) {
          if (useMask && (mask[k]! & andMask) !== 0) continue;
          const v = values[k]!;
          nGood++;
          if (v !== v) continue; // NaNs cannot be ordered
          scratch[m++] = v;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      }
    }
    if (nanSafe) nGood = m;
  } else {
    for (let y = 0; y < height; y++) {
      const base = (y0 + y) * stride + x0;
      for (let k = base, end = base + width; k < end; k++) {
        const v = values[k]!;
        if (mask !== undefined && (mask[k]! & andMask) !== 0) continue;
        if (v - v !== 0) {
          // NaN or ±Infinity
          if (nanSafe) continue;
          nGood++;
          if (v !== v) continue; // NaNs cannot be ordered
        } else {
          nGood++;
        }
        if (m === cap) throw new KernelsInvalidArgumentError(`The scratch buffer has ${cap} values; more are needed.`);
        scratch[m++] = v;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  }
  res[0] = m;
  res[1] = nGood;
  res[2] = lo;
  res[3] = hi;
}

// ---------------------------------------------------------------- selection (nth_element)

/**
 * Rearranges `a[lo, hi)` so that `a[k]` is the value that would be there if the range were
 * sorted, smaller-or-equal values before it and larger-or-equal after (C++ `nth_element`).
 * Expected O(n): quickselect with a median-of-three pivot and Hoare partitioning.
 *
 * @param a - the values (NaN-free)
 * @param lo - first index of the range
 * @param hi - one past the last index
 * @param k - the order statistic wanted, `lo <= k < hi`
 * @returns `a[k]` after the rearrangement
 * @example
 * ```ts
 * const a = Float64Array.of(5, 1, 4, 2, 3);
 * nthElement(a, 0, a.length, 2); // 3
 * ```
 */
export function nthElement(a: Float32Array | Float64Array, lo: number, hi: number, k: number): number {
  let l = lo;
  let r = hi - 1;
  while (r > l) {
    if (r - l < 16) {
      // insertion sort for short ranges
      for (let i = l + 1; i <= r; i++) {
        const v = a[i]!;
        let j = i - 1;
        while (j >= l && a[j]! > v) {
          a[j + 1] = a[j]!;
          j--;
        }
        a[j + 1] = v;
      }
      break;
    }
    const m = (l + r) >>> 1;
    // median of three into a[m]
    if (a[m]! < a[l]!) swap(a, m, l);
    if (a[r]! < a[l]!) swap(a, r, l);
    if (a[r]! < a[m]!) swap(a, r, m);
    const pivot = a[m]!;
    let i = l;
    let j = r;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) r = j;
    else if (k >= i) l = i;
    else break;
  }
  // (one exit: a return first reached after V8 has optimised this would deoptimise it)
  return a[k]!;
}

function swap(a: Float32Array | Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

function minOf(a: Float32Array | Float64Array, lo: number, hi: number): number {
  let m = Infinity;
  for (let i = lo; i < hi; i++) if (a[i]! < m) m = a[i]!;
  return m;
}

/** Below this many values, selection is plain quickselect. */
const HISTOGRAM_SELECT_MIN = 2048;

// Reused buffers of the bucketed selection (the histograms are consumed before any recursion;
// each recursion depth has its own gather buffer).
const HIST_MAX = 8192;
const HIST_A = new Int32Array(HIST_MAX + 1);
const HIST_B = new Int32Array(HIST_MAX + 1);
const SEG_OF = new Int32Array(HIST_MAX);
const GATHER32: Float32Array[] = [];
const GATHER64: Float64Array[] = [];

function gatherBuffer(f32: boolean, depth: number, size: number): Float32Array | Float64Array {
  const pool = f32 ? GATHER32 : GATHER64;
  let buf = pool[depth];
  if (buf === undefined || buf.length < size) {
    buf = f32 ? new Float32Array(Math.max(size, 1024)) : new Float64Array(Math.max(size, 1024));
    pool[depth] = buf as never;
  }
  return buf.subarray(0, size);
}

/**
 * Exact order statistics `ranks` (ascending, distinct) of `a[0, n)` (NaN-free), written to `out`,
 * by bucketing: one pass for the range, one to count the values per bucket (buckets are monotonic
 * in value, so a rank's bucket follows from the cumulative counts), one to gather the few buckets
 * the ranks fall in; each gathered bucket is resolved the same way or, when small, by
 * quickselect. `a` is not reordered. Falls back to quickselect (which reorders `a`) for small
 * inputs and for ranges that cannot be bucketed (infinite values, subnormal spreads).
 */
function selectOrderStatistics(
  a: Float32Array | Float64Array,
  n: number,
  ranks: readonly number[],
  out: Float64Array,
  depth = 0,
  knownMin?: number,
  knownMax?: number,
): void {
  if (n < HISTOGRAM_SELECT_MIN || depth > 4) {
    let lo = 0;
    for (let r = 0; r < ranks.length; r++) {
      out[r] = nthElement(a, lo, n, ranks[r]!);
      lo = ranks[r]! + 1;
    }
    return;
  }
  let min = a[0]!;
  let max = min;
  if (knownMin !== undefined && knownMax !== undefined) {
    min = knownMin;
    max = knownMax;
  } else {
    for (let k = 1; k < n; k++) {
      const v = a[k]!;
      if (v < min) min = v;
      else if (v > max) max = v;
    }
  }
  if (min === max) {
    out.fill(min, 0, ranks.length);
    return;
  }
  const nb = Math.min(HIST_MAX, n >>> 1);
  const scale = nb / (max - min);
  if (!Number.isFinite(min) || !Number.isFinite(max) || !Number.isFinite(scale) || !(scale > 0)) {
    selectOrderStatistics(a, n, ranks, out, 5);
    return;
  }
  // Two interleaved histograms, so that runs of equal buckets do not serialise the increments
  // (module buffers: this runs once per background bin).
  const counts = HIST_A;
  const counts2 = HIST_B;
  counts.fill(0, 0, nb + 1);
  counts2.fill(0, 0, nb + 1);
  const top = nb - 1;
  let k0 = 0;
  for (; k0 + 1 < n; k0 += 2) {
    let b0 = ((a[k0]! - min) * scale) | 0;
    let b1 = ((a[k0 + 1]! - min) * scale) | 0;
    if (b0 > top) b0 = top;
    if (b1 > top) b1 = top;
    counts[b0]!++;
    counts2[b1]!++;
  }
  if (k0 < n) {
    const b = ((a[k0]! - min) * scale) | 0;
    counts[b < top ? b : top]!++;
  }
  for (let i = 0; i < nb; i++) counts[i] = counts[i]! + counts2[i]!;
  // The bucket of each rank, and the rank within it.
  const bucketOf: number[] = [];
  const before: number[] = [];
  let b = 0;
  let cum = 0;
  for (const r of ranks) {
    while (cum + counts[b]! <= r) cum += counts[b++]!;
    bucketOf.push(b);
    before.push(cum);
  }
  // Gather the distinct buckets into consecutive segments of one buffer.
  const segOf = SEG_OF;
  segOf.fill(-1, 0, nb);
  const segStart: number[] = [];
  const segBucket: number[] = [];
  const segLength: number[] = [];
  let total = 0;
  for (const bk of bucketOf) {
    if (segOf[bk] !== -1) continue;
    segOf[bk] = segBucket.length;
    segBucket.push(bk);
    segStart.push(total);
    segLength.push(counts[bk]!);
    total += counts[bk]!;
  }
  // same type as the input: exact, and keeps the loops monomorphic
  const buf = gatherBuffer(a instanceof Float32Array, depth, total);
  const fill = Int32Array.from(segStart);
  for (let k = 0; k < n; k++) {
    const v = a[k]!;
    let bk = ((v - min) * scale) | 0;
    if (bk > top) bk = top;
    const sg = segOf[bk]!;
    if (sg >= 0) buf[fill[sg]!++] = v;
  }
  for (let sg = 0; sg < segBucket.length; sg++) {
    const bk = segBucket[sg]!;
    const local: number[] = [];
    const which: number[] = [];
    for (let r = 0; r < ranks.length; r++) {
      if (bucketOf[r] === bk) {
        local.push(ranks[r]! - before[r]!);
        which.push(r);
      }
    }
    const seg = buf.subarray(segStart[sg]!, segStart[sg]! + segLength[sg]!);
    const res = new Float64Array(local.length);
    selectOrderStatistics(seg, seg.length, local, res, depth + 1);
    for (let i = 0; i < which.length; i++) out[which[i]!] = res[i]!;
  }
}

/** The order statistics `q` and `q + 1` (or `q` twice at the end) of `a[0, n)`. */
function orderPair(a: Float32Array | Float64Array, n: number, q: number): [number, number] {
  const out = new Float64Array(2);
  if (q + 1 >= n) {
    selectOrderStatistics(a, n, [q], out);
    return [out[0]!, out[0]!];
  }
  selectOrderStatistics(a, n, [q, q + 1], out);
  return [out[0]!, out[1]!];
}

/**
 * A quantile with afw's (and numpy's default `linear`) convention: index `q (n - 1)`, linear
 * interpolation between the two neighbouring order statistics. May reorder `a[0, n)`; large inputs
 * (2048 values or more) are bucketed in three passes instead of quickselected.
 *
 * @param a - the values (NaN-free); possibly reordered
 * @param n - how many of them to use
 * @param fraction - the quantile, 0..1
 * @returns the quantile, NaN when `n` is 0
 * @throws {@link KernelsInvalidArgumentError} for a fraction outside [0, 1]
 * @example
 * ```ts
 * quantile(Float64Array.of(1, 2, 3, 4), 4, 0.5); // 2.5
 * ```
 * @see afw Statistics.cc `percentile`
 */
export function quantile(a: Float32Array | Float64Array, n: number, fraction: number): number {
  if (!(fraction >= 0 && fraction <= 1)) {
    throw new KernelsInvalidArgumentError(`A quantile must be in [0, 1]; got ${fraction}.`);
  }
  if (n === 0) return NaN;
  if (n === 1) return a[0]!;
  const idx = fraction * (n - 1);
  const q1 = Math.floor(idx);
  if (n >= HISTOGRAM_SELECT_MIN) {
    const [v, w] = orderPair(a, n, q1);
    return q1 + 1 >= n ? v : (q1 + 1 - idx) * v + (idx - q1) * w;
  }
  const v1 = nthElement(a, 0, n, q1);
  if (q1 + 1 >= n) return v1;
  const v2 = minOf(a, q1 + 1, n);
  return (q1 + 1 - idx) * v1 + (idx - q1) * v2;
}

/** Median and the first and third quartiles with afw's convention (reorders `a[0, n)`). */
function medianAndQuartiles(a: Float32Array | Float64Array, n: number, min?: number, max?: number): [number, number, number] {
  if (n === 0) return [NaN, NaN, NaN];
  if (n === 1) return [a[0]!, a[0]!, a[0]!];
  const i50 = 0.5 * (n - 1);
  const i25 = 0.25 * (n - 1);
  const i75 = 0.75 * (n - 1);
  const q50 = Math.floor(i50);
  const q25 = Math.floor(i25);
  const q75 = Math.floor(i75);
  const lerp = (idx: number, q: number, v: number, w: number): number => (q + 1 - idx) * v + (idx - q) * w;
  if (n >= HISTOGRAM_SELECT_MIN) {
    // the six order statistics q and q + 1 of each quartile, all below n - 1 for n this large
    const out = new Float64Array(6);
    selectOrderStatistics(a, n, [q25, q25 + 1, q50, q50 + 1, q75, q75 + 1], out, 0, min, max);
    return [lerp(i50, q50, out[2]!, out[3]!), lerp(i25, q25, out[0]!, out[1]!), lerp(i75, q75, out[4]!, out[5]!)];
  }
  const v50 = nthElement(a, 0, n, q50);
  const v75 = q75 > q50 ? nthElement(a, q50 + 1, n, q75) : v50;
  const v25 = q25 < q50 ? nthElement(a, 0, q50, q25) : v50;
  // Each neighbour is the smallest value after its order statistic, up to the next selected one.
  const next = (q: number, bound: number): number => (q + 1 >= n ? a[q]! : minOf(a, q + 1, Math.min(bound + 1, n)));
  const n50 = next(q50, q75 > q50 ? q75 : n - 1);
  // (for n = 2 the first quartile's order statistic is the median's: so is its neighbour)
  const n25 = q25 < q50 ? next(q25, q50) : n50;
  const n75 = next(q75, n - 1);
  return [lerp(i50, q50, v50, n50), lerp(i25, q25, v25, n25), lerp(i75, q75, v75, n75)];
}

/** `[meanClip, meanClipVar, varClip, nClip]` of the last {@link clipIterations}. */
const CLIPPED = new Float64Array(4);

/**
 * The iterations of an unweighted clipped mean over the gathered values `a[off, off + m)` (of `n` good
 * values): the first keeps values within `numSigmaClip · 0.7413 · iqr` of the median, each later
 * one within `numSigmaClip · stdev` of the previous clipped mean. Writes
 * `[meanClip, meanClipVar, varClip, nClip]` to `res`.
 */
function clipIterations(a: Float32Array | Float64Array, off: number, m: number, n: number, median: number, iqr: number, numSigmaClip: number, numIter: number, res: Float64Array): void {
  clipPasses(n, median, iqr, numSigmaClip, numIter, res, (c, hwidth) => accumulateClipped(a, off, m, c, hwidth));
}

/**
 * The clipping passes of a clipped mean: pass `i` keeps the values within `hwidth` of `c` (the
 * median and `numSigmaClip · 0.7413 · iqr` first, then the previous pass's mean and
 * `numSigmaClip · stdev`); `pass(c, hwidth)` sums them into `CLIP_SUMS` (`[n, mean, variance,
 * meanVar]`). Writes `[meanClip, meanClipVar, varClip, nClip]` to `res`.
 */
function clipPasses(n: number, median: number, iqr: number, numSigmaClip: number, numIter: number, res: Float64Array, pass: (c: number, hwidth: number) => void): void {
  let meanClip = NaN;
  let meanClipVar = NaN;
  let varClip = NaN;
  let nClip = 0;
  for (let i = 0; i < numIter; i++) {
    const c = i > 0 ? meanClip : median;
    const hwidth = i > 0 && n > 1 ? numSigmaClip * Math.sqrt(varClip) : numSigmaClip * IQ_TO_STDEV * iqr;
    if (Number.isNaN(c) || Number.isNaN(hwidth)) {
      meanClip = NaN;
      meanClipVar = NaN;
      varClip = NaN;
      nClip = 0;
      continue;
    }
    pass(c, hwidth);
    nClip = CLIP_SUMS[0]!;
    meanClip = CLIP_SUMS[1]!;
    varClip = CLIP_SUMS[2]!;
    meanClipVar = CLIP_SUMS[3]!;
  }
  res[0] = meanClip;
  res[1] = meanClipVar;
  res[2] = varClip;
  res[3] = nClip;
}

/**
 * `MEANCLIP` and its error (as {@link makeStatistics} with `properties: ['MEANCLIP'], errors:
 * true` and no weights computes them) of values already gathered the way makeStatistics gathers
 * a window: the good values in raster order in `a[0, m)` (reordered here), `nGood` the count the
 * moments would use, `min`/`max` their range. For binned statistics, which gather many windows
 * in one sequential sweep of the image.
 *
 * @param a - the gathered values
 * @param m - how many
 * @param nGood - the good-value count (NaNs included unless nanSafe)
 * @param min - the smallest gathered value
 * @param max - the largest gathered value
 * @param numSigmaClip - clip half-width in standard deviations (> 0)
 * @param numIter - iterations (integer ≥ 0)
 * @param out - receives `[value, error]`
 */
export function meanClipOfGathered(a: Float32Array | Float64Array, m: number, nGood: number, min: number, max: number, numSigmaClip: number, numIter: number, out: Float64Array): void {
  const [median, q25, q75] = medianAndQuartiles(a, m, min, max);
  const res = CLIPPED;
  clipIterations(a, 0, m, nGood, median, q75 - q25, numSigmaClip, numIter, res);
  out[0] = res[0]!;
  out[1] = Math.sqrt(res[1]!);
}

// ------------------------------------------------ MEANCLIP of a gathered float32 background bin

// Reused state of the bin selection (no allocation per bin). BIN_SEG_OF stays -1 between calls.
const BIN_HIST_MAX = 8192;
const BIN_COUNTS_A = new Int32Array(BIN_HIST_MAX);
const BIN_COUNTS_B = new Int32Array(BIN_HIST_MAX);
const BIN_SEG_OF = new Int32Array(BIN_HIST_MAX).fill(-1);
const BIN_RANKS = new Int32Array(6);
const BIN_RANK_BUCKET = new Int32Array(6);
const BIN_RANK_BEFORE = new Int32Array(6);
const BIN_SEG_BUCKET = new Int32Array(6);
const BIN_SEG_START = new Int32Array(7);
const BIN_FILL = new Int32Array(6);
const BIN_ORDER = new Float64Array(6);
let binGather = new Float32Array(4096);
let binKeys = new Uint16Array(16384);

/**
 * The order statistics `BIN_RANKS` (six, ascending, distinct) of `a[off, off + n)` into
 * `BIN_ORDER`, by one histogram of `nb` (≤ 8192) buckets (bucket `⌊(v - lo) · scale⌋`, clamped
 * to the first and last: monotonic in value, so a rank's bucket follows from the cumulative
 * counts), one pass gathering the values of the buckets the ranks fall in (by the buckets noted
 * in the first pass), and quickselect within those.
 * Gives up (false, before the gather) when a bucket needed holds more than `maxSegment` values.
 * `a` is not reordered.
 */
function bucketSelectBin(a: Float32Array, off: number, n: number, lo: number, scale: number, nb: number, maxSegment: number): boolean {
  const top = nb - 1;
  const ws = binWorkspace(a, n);
  const ca = ws?.ca ?? BIN_COUNTS_A;
  const cb = ws?.cb ?? BIN_COUNTS_B;
  ca.fill(0, 0, nb);
  cb.fill(0, 0, nb);
  if (ws === undefined && binKeys.length < n) binKeys = new Uint16Array(Math.max(n, 2 * binKeys.length));
  const keys = binKeys;
  // two interleaved histograms, so that runs of equal buckets do not serialise the increments;
  // each value's bucket is kept for the gather
  let k = 0;
  if (ws !== undefined) ws.simd.bucketKeys(a.byteOffset + 4 * off, n, lo, scale, top, ws.caAt, ws.cbAt, ws.keysAt);
  else for (; k + 1 < n; k += 2) {
    const t0 = (a[off + k]! - lo) * scale;
    const t1 = (a[off + k + 1]! - lo) * scale;
    const b0 = t0 >= top ? top : t0 > 0 ? t0 | 0 : 0;
    const b1 = t1 >= top ? top : t1 > 0 ? t1 | 0 : 0;
    keys[k] = b0;
    keys[k + 1] = b1;
    ca[b0]!++;
    cb[b1]!++;
  }
  if (ws === undefined && k < n) {
    const t = (a[off + k]! - lo) * scale;
    const b0 = t >= top ? top : t > 0 ? t | 0 : 0;
    keys[k] = b0;
    ca[b0]!++;
  }
  // the bucket of each rank and the count before it
  let b = 0;
  let cum = 0;
  for (let r = 0; r < 6; r++) {
    const rank = BIN_RANKS[r]!;
    while (cum + ca[b]! + cb[b]! <= rank) {
      cum += ca[b]! + cb[b]!;
      b++;
    }
    BIN_RANK_BUCKET[r] = b;
    BIN_RANK_BEFORE[r] = cum;
    if (ca[b]! + cb[b]! > maxSegment) return false;
  }
  // consecutive segments of one buffer for the distinct buckets (ascending, like the ranks)
  let nSeg = 0;
  let total = 0;
  for (let r = 0; r < 6; r++) {
    const bk = BIN_RANK_BUCKET[r]!;
    if (nSeg > 0 && BIN_SEG_BUCKET[nSeg - 1] === bk) continue;
    BIN_SEG_BUCKET[nSeg] = bk;
    BIN_SEG_START[nSeg] = total;
    BIN_FILL[nSeg] = total;
    total += ca[bk]! + cb[bk]!;
    nSeg++;
  }
  BIN_SEG_START[nSeg] = total;
  // (in the kernels' memory: the segments at float32 index `base` of it, the table of buckets
  // holding each segment's fill slot's address, 0 for none)
  let base = 0;
  let buf: Float32Array;
  if (ws !== undefined) {
    buf = ws.f32;
    base = ws.bufAt >>> 2;
    for (let sg = 0; sg < nSeg; sg++) {
      ws.fill[sg] = BIN_SEG_START[sg]!;
      ws.segOf[BIN_SEG_BUCKET[sg]!] = ws.fillAt + 4 * sg;
    }
    // (the chosen buckets, the last repeated up to six; every slot is read, so that no load
    // first runs after V8 has optimised this)
    const bk = BIN_SEG_BUCKET;
    bk.fill(bk[nSeg - 1]!, nSeg);
    ws.simd.bucketGatherFew(a.byteOffset + 4 * off, n, ws.keysAt, ws.segOfAt, ws.bufAt, bk[0]!, bk[1]!, bk[2]!, bk[3]!, bk[4]!, bk[5]!);
    for (let sg = 0; sg < nSeg; sg++) ws.segOf[BIN_SEG_BUCKET[sg]!] = 0;
  } else {
    if (binGather.length < total) binGather = new Float32Array(Math.max(total, 2 * binGather.length));
    buf = binGather;
    const segOf = BIN_SEG_OF;
    const fill = BIN_FILL;
    for (let sg = 0; sg < nSeg; sg++) segOf[BIN_SEG_BUCKET[sg]!] = sg;
    for (k = 0; k < n; k++) {
      const sg = segOf[keys[k]!]!;
      if (sg >= 0) buf[fill[sg]!++] = a[off + k]!;
    }
    for (let sg = 0; sg < nSeg; sg++) segOf[BIN_SEG_BUCKET[sg]!] = -1;
  }
  // each rank within its segment; a later rank of the same segment lies after the earlier one
  let sg = -1;
  let from = 0;
  for (let r = 0; r < 6; r++) {
    const bk = BIN_RANK_BUCKET[r]!;
    if (sg < 0 || BIN_SEG_BUCKET[sg] !== bk) {
      sg++;
      from = BIN_SEG_START[sg]!;
    }
    const at = BIN_SEG_START[sg]! + BIN_RANKS[r]! - BIN_RANK_BEFORE[r]!;
    BIN_ORDER[r] = nthElement(buf, base + from, base + BIN_SEG_START[sg + 1]!, base + at);
    from = at + 1;
  }
  return true;
}

/**
 * The bytes {@link bucketSelectBin} needs after a gather buffer in the WebAssembly SIMD kernels'
 * memory to select among `n` values there: two histograms, the table of chosen buckets, the fill
 * slots, the keys and the gathered segments (at most `n` values).
 *
 * @param n - the most values of one bin
 * @returns the bytes (reserve them with the buffer: a later growth would detach its views)
 */
export function binSelectWorkspaceBytes(n: number): number {
  return 16 + 3 * 4 * BIN_HIST_MAX + 32 + 2 * n + 16 + 4 * n;
}

/** The views and addresses of {@link bucketSelectBin}'s workspace in the kernels' memory. */
interface BinWorkspace {
  readonly simd: SimdKernels;
  readonly buffer: ArrayBuffer;
  readonly end: number;
  readonly caAt: number;
  readonly cbAt: number;
  readonly segOfAt: number;
  readonly fillAt: number;
  readonly keysAt: number;
  readonly bufAt: number;
  readonly ca: Int32Array;
  readonly cb: Int32Array;
  readonly segOf: Int32Array;
  readonly fill: Int32Array;
  readonly f32: Float32Array;
}

let binWs: BinWorkspace | undefined;

/**
 * Forgets {@link bucketSelectBin}'s workspace, so that the next selection in the kernels' memory
 * lays it out (and clears its table) again: call before the bins of a buffer there, since other
 * kernels write the same memory.
 */
export function resetBinWorkspace(): void {
  binWs = undefined;
}

/**
 * The workspace after `a` in the kernels' memory when `a` lies there with room for `n` values'
 * selection after it (see {@link binSelectWorkspaceBytes}); else undefined (the TypeScript loops).
 * The keys and segments start at fixed addresses whatever `n`, so one workspace serves every bin
 * of a buffer.
 */
function binWorkspace(a: Float32Array, n: number): BinWorkspace | undefined {
  const simd = simdKernels();
  if (simd === undefined) return undefined;
  const buffer = a.buffer as ArrayBuffer;
  const end = a.byteOffset + a.byteLength;
  let ws = binWs;
  if (ws === undefined || ws.buffer !== buffer || ws.end !== end || ws.simd !== simd) {
    if (buffer !== simd.reserve(0)) return undefined;
    const caAt = (end + 15) & ~15;
    const cbAt = caAt + 4 * BIN_HIST_MAX;
    const segOfAt = cbAt + 4 * BIN_HIST_MAX;
    const fillAt = segOfAt + 4 * BIN_HIST_MAX;
    const keysAt = fillAt + 32;
    ws = binWs = {
      simd,
      buffer,
      end,
      caAt,
      cbAt,
      segOfAt,
      fillAt,
      keysAt,
      bufAt: 0,
      ca: new Int32Array(buffer, caAt, BIN_HIST_MAX),
      cb: new Int32Array(buffer, cbAt, BIN_HIST_MAX),
      segOf: new Int32Array(buffer, segOfAt, BIN_HIST_MAX),
      fill: new Int32Array(buffer, fillAt, 8),
      f32: new Float32Array(buffer),
    };
    ws.segOf.fill(0); // (the memory is shared with the other kernels)
  }
  // the segments after the keys of these n values
  const bufAt = (ws.keysAt + 2 * n + 15) & ~15;
  if (bufAt + 4 * n > ws.buffer.byteLength) return undefined;
  (ws as { bufAt: number }).bufAt = bufAt;
  return ws;
}

/**
 * {@link meanClipOfGathered} of `a[off, off + m)` (float32 values gathered from a background bin),
 * without allocating, with the same result bit for bit. The median and quartiles come from one
 * histogram over a range guessed from `guess` = `[q25, q75]` of a neighbouring bin (the sky
 * changes slowly), so that the buckets around the quartiles hold few values even when bright
 * stars stretch the bin's `[min, max]`; a bad guess costs a second histogram over `[min, max]`.
 * `guess` receives this bin's quartiles. The clipping passes sum in gather order, as
 * makeStatistics does for 2048 values or more; smaller and non-finite bins take
 * meanClipOfGathered itself.
 *
 * @param a - the gather buffer
 * @param off - where the bin's values start
 * @param m - how many
 * @param nGood - the good-value count (NaNs included unless nanSafe)
 * @param min - the smallest gathered value, or NaN when unknown (then every value must be finite)
 * @param max - the largest gathered value, or NaN when unknown
 * @param numSigmaClip - clip half-width in standard deviations (> 0)
 * @param numIter - iterations (integer ≥ 0)
 * @param guess - `[q25, q75]` of a similar bin (NaN: none); receives this bin's (NaN for bins
 *   of fewer than 2048 values and non-finite ones), and its median at index 2 if there is room
 * @param out - receives `[value, error]`
 */
export function meanClipOfBin(
  a: Float32Array,
  off: number,
  m: number,
  nGood: number,
  min: number,
  max: number,
  numSigmaClip: number,
  numIter: number,
  guess: Float64Array,
  out: Float64Array,
): void {
  const q = BIN_QUARTILES;
  binQuartiles(a, off, m, min, max, guess, q);
  const res = CLIPPED;
  clipIterations(a, off, m, nGood, q[0]!, q[2]! - q[1]!, numSigmaClip, numIter, res);
  out[0] = res[0]!;
  out[1] = Math.sqrt(res[1]!);
}

/** `[median, q25, q75]` of the last {@link binQuartiles}. */
const BIN_QUARTILES = new Float64Array(3);

/**
 * `[median, q25, q75]` of `a[off, off + m)` into `q`, the same values as {@link medianAndQuartiles}
 * of those values with the range `min`, `max` (see {@link meanClipOfBin} for the arguments and
 * for how `guess` is used and updated). Small and non-finite bins go to medianAndQuartiles itself
 * (which may reorder them); larger ones are not reordered.
 */
function binQuartiles(a: Float32Array, off: number, m: number, min: number, max: number, guess: Float64Array, q: Float64Array): void {
  // exactly the cases where medianAndQuartiles buckets without reordering `a`; an unknown range
  // (every value finite) is found only when the guessed histogram does not do
  const nbFull = Math.min(HIST_MAX, m >>> 1);
  const rangeKnown = !Number.isNaN(min) && !Number.isNaN(max);
  const scaleFull = nbFull / (max - min);
  if (m < HISTOGRAM_SELECT_MIN || (rangeKnown && (min === max || !Number.isFinite(min) || !Number.isFinite(max) || !Number.isFinite(scaleFull) || !(scaleFull > 0)))) {
    const [q50, q25, q75] = medianAndQuartiles(a.subarray(off, off + m), m, min, max);
    q[0] = q50;
    q[1] = q25;
    q[2] = q75;
    guess[0] = NaN;
    guess[1] = NaN;
    if (guess.length > 2) guess[2] = NaN;
    return;
  }
  const i50 = 0.5 * (m - 1);
  const i25 = 0.25 * (m - 1);
  const i75 = 0.75 * (m - 1);
  const q50 = Math.floor(i50);
  const q25 = Math.floor(i25);
  const q75 = Math.floor(i75);
  BIN_RANKS[0] = q25;
  BIN_RANKS[1] = q25 + 1;
  BIN_RANKS[2] = q50;
  BIN_RANKS[3] = q50 + 1;
  BIN_RANKS[4] = q75;
  BIN_RANKS[5] = q75 + 1;
  let done = false;
  const w = guess[1]! - guess[0]!;
  if (w > 0 && w < Infinity) {
    // four interquartile ranges about the guess: about 16 values a bucket at the peak of a Gaussian
    // (the range only narrows the buckets: values outside fall in the end buckets)
    const lo = rangeKnown ? Math.max(min, guess[0]! - 1.5 * w) : guess[0]! - 1.5 * w;
    const hi = rangeKnown ? Math.min(max, guess[1]! + 1.5 * w) : guess[1]! + 1.5 * w;
    const nb = Math.min(BIN_HIST_MAX, Math.max(64, m >>> 3));
    const scale = nb / (hi - lo);
    if (lo < hi && scale > 0 && scale < Infinity) done = bucketSelectBin(a, off, m, lo, scale, nb, Math.max(512, m >>> 4));
  }
  if (!done) {
    if (!rangeKnown) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = off, e = off + m; i < e; i++) {
        const v = a[i]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      guess[0] = NaN; // tried
      guess[1] = NaN;
      binQuartiles(a, off, m, lo, hi, guess, q);
      return;
    }
    bucketSelectBin(a, off, m, min, scaleFull, nbFull, Infinity);
  }
  const o = BIN_ORDER;
  const median = (q50 + 1 - i50) * o[2]! + (i50 - q50) * o[3]!;
  const v25 = (q25 + 1 - i25) * o[0]! + (i25 - q25) * o[1]!;
  const v75 = (q75 + 1 - i75) * o[4]! + (i75 - q75) * o[5]!;
  guess[0] = v25;
  guess[1] = v75;
  if (guess.length > 2) guess[2] = median;
  q[0] = median;
  q[1] = v25;
  q[2] = v75;
}

/** From this many pixels on, a median alone of float32 values is found by {@link radixMedianFloat32}. */
const RADIX_MEDIAN_MIN = 1 << 16;
/** Key buckets of {@link radixMedianFloat32}: the top 20 bits of the order key. */
const RADIX_SHIFT = 12;
const RADIX_COUNTS = new Int32Array(1 << (32 - RADIX_SHIFT));

/**
 * The median (afw's convention, as {@link quantile} of the gathered good values) of the good
 * values of a float32 window without gathering them all. Good values as in {@link gatherGood}:
 * unmasked, finite (or with `nanSafe` false, not NaN). NaN when there are none.
 *
 * Values are ordered by their signed order key (`bits ^ ((bits >> 31) >>> 1)`: signed order of
 * keys is numeric order). Where WebAssembly SIMD is available (and the window is at least 64
 * values wide), a sparse sample gives a narrow window of keys that very likely holds the median;
 * one streaming pass in the SIMD kernels counts the good values below the window and keeps the
 * bits of those inside it, among which the order statistics `⌊(m-1)/2⌋` and the next one are then
 * selected (by sub-buckets of the window). Elsewhere, and when the sample misses, the two-pass
 * count of every key ({@link radixMedianTwoPass}) runs. Either way the result is the exact median
 * of the good values.
 */
function radixMedianFloat32(values: Float32Array, region: StatisticsRegion, mask: Int32Array | undefined, andMask: number, nanSafe: boolean): number {
  const bits = new Int32Array(values.buffer, values.byteOffset, values.length);
  const msk = mask !== undefined && andMask !== 0 ? mask : undefined;
  // skipped: |bits| >= lim (exponent all ones: NaN, and ±Infinity when nanSafe)
  const lim = nanSafe ? 0x7f800000 : 0x7f800001;
  const win = MEDIAN_WINDOW;
  const simd = region.width >= 64 ? simdKernels() : undefined;
  if (simd !== undefined && medianKeyWindow(bits, region, msk, andMask, lim, win)) {
    const v = radixMedianInWindow(simd, bits, region, msk, andMask, lim, win[0]!, win[1]!, win[2]!);
    if (v !== undefined) return v;
  }
  return radixMedianTwoPass(values, region, mask, andMask, nanSafe);
}

/** Sub-buckets of the key window of {@link radixMedianFloat32}. */
const WINDOW_BUCKETS = 4096;
/** The sub-bucket counts. */
const WINDOW_COUNTS = new Int32Array(WINDOW_BUCKETS);
/** About this many values are sampled for the key window, in blocks of {@link SAMPLE_BLOCK}. */
const WINDOW_SAMPLE_TARGET = 65536;
/** Consecutive values sampled together (fewer cache lines read). */
const SAMPLE_BLOCK = 16;
/** Values per call of the WebAssembly pass (a multiple of 4). */
const WINDOW_CHUNK = 16384;
/** The most values the WebAssembly pass keeps (16 MB); a window expected to hold more is not tried. */
const WINDOW_KEEP_MAX = 1 << 22;
/** `[slo, shi, cap]` of the key window (see {@link medianKeyWindow}). */
const MEDIAN_WINDOW = new Float64Array(3);
/** The sampled keys (grown as needed). */
let windowSample = new Float64Array(0);
/** The compaction table of the WebAssembly pass. */
let compaction: Uint8Array | undefined;

/**
 * The key window of {@link radixMedianFloat32} from blocks of 16 consecutive values (or up to the
 * end of their row) every `step`
 * values of the window (about 65536 values; `step` odd so that a power-of-two row length does not
 * alias): the keys between the 49th and 51st percentiles of the good sampled values, as
 * `[slo, shi, cap]` in `out`, `cap` room for twice the values the window is expected to hold (at
 * most {@link WINDOW_KEEP_MAX}). False when no sampled value is good.
 */
function medianKeyWindow(bits: Int32Array, region: StatisticsRegion, mask: Int32Array | undefined, andMask: number, lim: number, out: Float64Array): boolean {
  const { stride, x0, y0, width, height } = region;
  const nPix = width * height;
  const step = Math.max(7 * SAMPLE_BLOCK, Math.floor((nPix * SAMPLE_BLOCK) / WINDOW_SAMPLE_TARGET)) | 1;
  const most = SAMPLE_BLOCK * Math.ceil(nPix / step);
  if (windowSample.length < most) windowSample = new Float64Array(most);
  const s = windowSample;
  let ns = 0;
  let sampled = 0;
  for (let i0 = 0; i0 < nPix; i0 += step) {
    // the block, up to the end of its row
    const y = Math.floor(i0 / width);
    const x = i0 - y * width;
    const k0 = (y0 + y) * stride + x0 + x;
    const k1 = k0 + Math.min(SAMPLE_BLOCK, width - x);
    for (let k = k0; k < k1; k++) {
      sampled++;
      const b = bits[k]!;
      if ((b & 0x7fffffff) >= lim || (mask !== undefined && (mask[k]! & andMask) !== 0)) continue;
      s[ns++] = b ^ ((b >> 31) >>> 1);
    }
  }
  if (ns === 0) return false;
  const rLo = Math.floor(0.49 * (ns - 1));
  const rHi = Math.ceil(0.51 * (ns - 1));
  const slo = nthElement(s, 0, ns, rLo);
  const shi = nthElement(s, rLo, ns, rHi);
  let inside = 0;
  for (let i = 0; i < ns; i++) if (s[i]! >= slo && s[i]! <= shi) inside++;
  out[0] = slo;
  out[1] = shi;
  out[2] = Math.min(Math.ceil((2 * inside * nPix) / sampled) + 4096, nPix, WINDOW_KEEP_MAX);
  return true;
}

/**
 * The streaming pass and the selection of {@link radixMedianFloat32} for the keys `[slo, shi]`
 * (room for `cap` of their values); undefined when the median is not among them or more than
 * `cap` values are (then the pass may stop early).
 */
function radixMedianInWindow(simd: SimdKernels, bits: Int32Array, region: StatisticsRegion, msk: Int32Array | undefined, andMask: number, lim: number, slo: number, shi: number, cap: number): number | undefined {
  const { stride, x0, y0, width, height } = region;
  let good = 0;
  let below = 0;
  let g = 0;
  // rows copied in chunks into the kernels' memory, then passed there four values at a time
  const tableAt = simd.scratchBytes;
  const valsAt = tableAt + 256;
  const mskAt = valsAt + 4 * WINDOW_CHUNK;
  const keptAt = mskAt + 4 * WINDOW_CHUNK;
  // (room for one call's values after the last that may keep up to `cap` of them; a window of one
  // key keeps nothing: every call writes its values from the start, and they are not read)
  const ties = slo === shi;
  const room = (ties ? 0 : cap) + WINDOW_CHUNK;
  const memory = simd.reserve(keptAt + 4 * room);
  compaction ??= compactionTable();
  new Uint8Array(memory, tableAt, 256).set(compaction);
  const vals = new Int32Array(memory, valsAt, WINDOW_CHUNK);
  const mv = new Int32Array(memory, mskAt, WINDOW_CHUNK);
  const res = new Int32Array(memory, 0, 3);
  const kept = new Int32Array(memory, keptAt, room);
  const useMask = msk === undefined ? 0 : 1;
  let fill = 0;
  for (let y = 0; y < height; y++) {
    const base = (y0 + y) * stride + x0;
    for (let x = 0; x < width; ) {
      const take = Math.min(width - x, WINDOW_CHUNK - fill);
      vals.set(bits.subarray(base + x, base + x + take), fill);
      if (msk !== undefined) mv.set(msk.subarray(base + x, base + x + take), fill);
      fill += take;
      x += take;
      if (fill === WINDOW_CHUNK || (x === width && y === height - 1)) {
        // a NaN pads the last call to a multiple of four (never good)
        while ((fill & 3) !== 0) vals[fill++] = 0x7fc00000;
        simd.radixWindowGather(valsAt, mskAt, fill, andMask, useMask, lim, slo, shi, keptAt, ties ? 0 : g, tableAt);
        good += res[0]!;
        below += res[1]!;
        g = ties ? g + res[2]! : res[2]!;
        fill = 0;
        if (!ties && g > cap) return undefined; // the sample missed: too many values inside
      }
    }
  }
  const m = good;
  if (m === 0) return NaN;
  const idx = 0.5 * (m - 1);
  const q1 = Math.floor(idx);
  const q2 = Math.min(q1 + 1, m - 1);
  if (q1 < below || q2 >= below + g) return undefined;
  if (ties) {
    // both order statistics are the window's one value (its bits from its key)
    const v = new Float32Array(Int32Array.of(slo ^ ((slo >> 31) >>> 1)).buffer)[0]!;
    return q1 + 1 >= m ? v : (q1 + 1 - idx) * v + (idx - q1) * v;
  }
  // sub-buckets (key - slo) >>> sh of the window, fewer than 4096
  const w = shi - slo;
  let sh = 0;
  while (Math.floor(w / 2 ** sh) >= WINDOW_BUCKETS) sh++;
  const counts = WINDOW_COUNTS;
  counts.fill(0, 0, Math.floor(w / 2 ** sh) + 1);
  for (let i = 0; i < g; i++) {
    const b = kept[i]!;
    counts[(((b ^ ((b >> 31) >>> 1)) - slo) >>> 0) >>> sh]!++;
  }
  // the sub-buckets of the two ranks
  const rb = rankBuckets(counts, below, q1, q2);
  const b1 = rb[0]!;
  const b2 = rb[1]!;
  const before = rb[2]!;
  const n1 = rb[3]!;
  const total = rb[4]!;
  const buf = new Float32Array(total);
  const bufBits = new Int32Array(buf.buffer);
  let f1 = 0;
  let f2 = n1;
  for (let i = 0; i < g; i++) {
    const b = kept[i]!;
    const bk = (((b ^ ((b >> 31) >>> 1)) - slo) >>> 0) >>> sh;
    if (bk === b1) bufBits[f1++] = b;
    else if (bk === b2) bufBits[f2++] = b;
  }
  return medianFromBuckets(buf, n1, total, q1, q2, before, idx, m);
}

/** `[b1, b2, before, n1, total]` of the last {@link rankBuckets}. */
const RANK_BUCKETS = new Int32Array(5);

/**
 * The buckets of `counts` that hold order statistics `q1` and `q2` (`q1 ≤ q2`), with `below`
 * values before bucket 0, into {@link RANK_BUCKETS}: `b1`, `b2`, the values before `b1`, `b1`'s
 * count and the values of both buckets (`n1` when they are the same). (In a typed array rather
 * than a new object: a function run once per image returned a literal whose map the garbage
 * collector took between images, and its caller's optimised code was deoptimised on every image.)
 */
function rankBuckets(counts: Int32Array, below: number, q1: number, q2: number): Int32Array {
  let b1 = 0;
  let before = below;
  while (before + counts[b1]! <= q1) before += counts[b1++]!;
  let b2 = b1;
  let before2 = before;
  while (before2 + counts[b2]! <= q2) before2 += counts[b2++]!;
  const n1 = counts[b1]!;
  const n2 = counts[b2]!;
  const out = RANK_BUCKETS;
  out[0] = b1;
  out[1] = b2;
  out[2] = before;
  out[3] = n1;
  out[4] = n1 + (b2 === b1 ? 0 : n2);
  return out;
}

/**
 * The median from the values of the bucket holding order statistic `q1` (`buf[0, n1)`, `before`
 * values below it) and, when `q2` lies in the next non-empty bucket, that bucket's values
 * (`buf[n1, total)`), interpolated at `idx` as {@link quantile} does.
 */
function medianFromBuckets(buf: Float32Array, n1: number, total: number, q1: number, q2: number, before: number, idx: number, m: number): number {
  const out = new Float64Array(2);
  const r1 = q1 - before;
  if (total === n1) {
    const r2 = q2 - before;
    selectOrderStatistics(buf, total, r2 === r1 ? [r1] : [r1, r2], out);
    if (r2 === r1) out[1] = out[0]!;
  } else {
    // the second rank is the smallest value of the next non-empty bucket
    selectOrderStatistics(buf, n1, [r1], out);
    out[1] = minOf(buf, n1, total);
  }
  const v = out[0]!;
  const w = out[1]!;
  return q1 + 1 >= m ? v : (q1 + 1 - idx) * v + (idx - q1) * w;
}

/**
 * The median of {@link radixMedianFloat32} by counting every key: one pass counts the values by
 * the top 20 bits of their order key, a second gathers only the (one or two) key buckets holding
 * the order statistics `⌊(m-1)/2⌋` and the next one, which are then selected among those (the
 * values of a window from a sparse sample are kept during the count, which then usually is the
 * only pass). NaN when there are no good values.
 */
function radixMedianTwoPass(values: Float32Array, region: StatisticsRegion, mask: Int32Array | undefined, andMask: number, nanSafe: boolean): number {
  const bits = new Int32Array(values.buffer, values.byteOffset, values.length);
  const counts = RADIX_COUNTS;
  const { stride, x0, y0, width, height } = region;
  const msk = mask !== undefined && andMask !== 0 ? mask : undefined;
  // skipped: |bits| >= lim (exponent all ones: NaN, and ±Infinity when nanSafe)
  const lim = nanSafe ? 0x7f800000 : 0x7f800001;
  // A window of key buckets that very likely holds the median, from a sparse sample: its values
  // are gathered during the counting pass, which then usually is the only pass.
  const window = radixMedianWindow(bits, region, msk, andMask, lim, counts);
  const wlo = window[0]!;
  const span = window[1]! - wlo;
  const cap = window[2]!;
  const gbits = new Int32Array(cap);
  const gathered = new Float32Array(gbits.buffer);
  counts.fill(0);
  let m = 0;
  let g = 0; // values in the window (stored while g < cap)
  const state = RADIX_STATE;
  for (let y = 0; y < height; y++) {
    const base = (y0 + y) * stride + x0;
    state[0] = g;
    m += msk === undefined ? radixCountRow(bits, base, base + width, lim, wlo, span, gbits, state) : radixCountRowMasked(bits, msk, andMask, base, base + width, lim, wlo, span, gbits, state);
    g = state[0]!;
  }
  if (m === 0) return NaN;
  const idx = 0.5 * (m - 1);
  const q1 = Math.floor(idx);
  const q2 = Math.min(q1 + 1, m - 1);
  // the buckets of the two ranks
  const rb = rankBuckets(counts, 0, q1, q2);
  const b1 = rb[0]!;
  const b2 = rb[1]!;
  const before = rb[2]!;
  const n1 = rb[3]!;
  const total = rb[4]!;
  const buf = new Float32Array(total);
  const fill = Int32Array.of(0, n1);
  if (g <= cap && b1 >= wlo && b2 <= wlo + span) {
    // every value of both buckets was gathered
    radixGatherRow(gathered, gbits, undefined, 0, 0, g, lim, b1, b2, buf, fill);
  } else {
    for (let y = 0; y < height; y++) {
      const base = (y0 + y) * stride + x0;
      radixGatherRow(values, bits, msk, andMask, base, base + width, lim, b1, b2, buf, fill);
    }
  }
  return medianFromBuckets(buf, n1, total, q1, q2, before, idx, m);
}

/** `[gathered count]` passed through the row loops of {@link radixMedianTwoPass}. */
const RADIX_STATE = new Int32Array(1);

/**
 * `[first bucket, last bucket, capacity]` of the window {@link radixMedianTwoPass} gathers: the
 * buckets between the 47th and 53rd percentiles of the good values of every 8th row and 7th column
 * (`counts` is used as scratch), with room for twice the values they are expected to hold. An
 * empty window (`[1, 0, 0]`) when the sample has no good value.
 */
function radixMedianWindow(bits: Int32Array, region: StatisticsRegion, mask: Int32Array | undefined, andMask: number, lim: number, counts: Int32Array): Int32Array {
  const { stride, x0, y0, width, height } = region;
  const out = Int32Array.of(1, 0, 0);
  counts.fill(0);
  let sampled = 0;
  let n = 0;
  for (let y = 0; y < height; y += 8) {
    const base = (y0 + y) * stride + x0;
    for (let k = base, end = base + width; k < end; k += 7) {
      sampled++;
      if (mask !== undefined && (mask[k]! & andMask) !== 0) continue;
      const b = bits[k]!;
      if ((b & 0x7fffffff) >= lim) continue;
      counts[(b ^ ((b >> 31) | 0x80000000)) >>> RADIX_SHIFT]!++;
      n++;
    }
  }
  if (n === 0) return out;
  const rLo = Math.floor(0.47 * (n - 1));
  const rHi = Math.ceil(0.53 * (n - 1));
  let b = 0;
  let cum = 0;
  while (cum + counts[b]! <= rLo) cum += counts[b++]!;
  const lo = b;
  let inside = 0;
  while (cum + counts[b]! <= rHi) {
    cum += counts[b]!;
    inside += counts[b++]!;
  }
  inside += counts[b]!;
  out[0] = lo;
  out[1] = b;
  out[2] = Math.ceil((2 * inside * width * height) / sampled) + 4096;
  return out;
}

/**
 * Counts the good values of `bits[from, to)` by key bucket and copies those in buckets
 * `[wlo, wlo + span]` (their bits) to `gbits[state[0]++]` (while there is room; the count goes on); returns
 * how many good values there were.
 */
function radixCountRow(bits: Int32Array, from: number, to: number, lim: number, wlo: number, span: number, gbits: Int32Array, state: Int32Array): number {
  // RADIX_COUNTS directly (a module constant of 2²⁰ entries: no bounds check on a 20-bit key)
  const counts = RADIX_COUNTS;
  let m = 0;
  let g = state[0]!;
  const cap = gbits.length;
  for (let k = from; k < to; k++) {
    const b = bits[k]!;
    if ((b & 0x7fffffff) >= lim) continue;
    const key = (b ^ ((b >> 31) | 0x80000000)) >>> RADIX_SHIFT;
    counts[key]!++;
    m++;
    if ((key - wlo) >>> 0 <= span) {
      if (g < cap) gbits[g] = b;
      g++;
    }
  }
  state[0] = g;
  return m;
}

/**
 * {@link radixCountRow} skipping values with an `andMask` bit. The value is loaded before the
 * mask is tested and both tests are one condition: the same values are counted, and the loop
 * (with the module's count table, not a parameter) runs in about half the time.
 */
function radixCountRowMasked(bits: Int32Array, mask: Int32Array, andMask: number, from: number, to: number, lim: number, wlo: number, span: number, gbits: Int32Array, state: Int32Array): number {
  const counts = RADIX_COUNTS;
  let m = 0;
  let g = state[0]!;
  const cap = gbits.length;
  for (let k = from; k < to; k++) {
    const b = bits[k]!;
    if ((mask[k]! & andMask) !== 0 || (b & 0x7fffffff) >= lim) continue;
    const key = (b ^ ((b >> 31) | 0x80000000)) >>> RADIX_SHIFT;
    counts[key]!++;
    m++;
    if ((key - wlo) >>> 0 <= span) {
      if (g < cap) gbits[g] = b;
      g++;
    }
  }
  state[0] = g;
  return m;
}

/** Copies the good values of `[from, to)` in key bucket `b1` to `buf[fill[0]++]`, and of `b2` (≠ b1) to `buf[fill[1]++]`. */
function radixGatherRow(values: Float32Array, bits: Int32Array, mask: Int32Array | undefined, andMask: number, from: number, to: number, lim: number, b1: number, b2: number, buf: Float32Array, fill: Int32Array): void {
  let f1 = fill[0]!;
  let f2 = fill[1]!;
  for (let k = from; k < to; k++) {
    const b = bits[k]!;
    if ((b & 0x7fffffff) >= lim || (mask !== undefined && (mask[k]! & andMask) !== 0)) continue;
    const key = (b ^ ((b >> 31) | 0x80000000)) >>> RADIX_SHIFT;
    if (key === b1) buf[f1++] = values[k]!;
    else if (key === b2) buf[f2++] = values[k]!;
  }
  fill[0] = f1;
  fill[1] = f2;
}

// ------------------------------------- quartiles and clipped sums of a large float32 window in the SIMD kernels

/** From this many values on, unweighted quartiles and clipped statistics of float32 values run in the SIMD kernels. */
const SIMD_STATS_MIN = 1 << 14;
/** Up to this many values (the kernels' memory, which never shrinks, grows by about 10 bytes a value). */
const SIMD_STATS_MAX = 1 << 23;
/** Values per call of the SIMD gather (rows are copied into the kernels' memory this many at a time). */
const STAGE_VALUES = 16384;
/** `[m, nGood, infinite]` of the last {@link gatherToKernels}. */
const KERNEL_GATHER = new Float64Array(3);
/** About this many gathered values are sampled for the first guess of the quartiles. */
const GUESS_SAMPLE = 4096;
/** The sampled values. */
const GUESS_VALUES = new Float32Array(2 * GUESS_SAMPLE + 2);
/** The guess of {@link binQuartiles}. */
const GUESS = new Float64Array(2);

/**
 * Copies the good values of a float32 window (as {@link gatherGood} selects them, in the same
 * order) into the SIMD kernels' memory, after a staging area for the rows: returns a view of the
 * memory there with room for every value of the window, followed by room for
 * {@link bucketSelectBin}'s workspace (no later growth). Writes `[m, nGood, infinite]` (how many
 * were copied, how many the moments would count, whether a ±Infinity was copied) to `res`.
 */
function gatherToKernels(simd: SimdKernels, values: Float32Array, region: StatisticsRegion, mask: Int32Array | undefined, andMask: number, nanSafe: boolean, res: Float64Array): Float32Array {
  const { stride, x0, y0, width, height } = region;
  const nPix = width * height;
  const useMask = mask !== undefined && andMask !== 0;
  const valsAt = (simd.scratchBytes + 15) & ~15;
  const mskAt = valsAt + 4 * STAGE_VALUES;
  const gatherAt = mskAt + (useMask ? 4 * STAGE_VALUES : 0);
  const memory = simd.reserve(gatherAt + 4 * nPix + binSelectWorkspaceBytes(nPix) + 16);
  const vals = new Float32Array(memory, valsAt, STAGE_VALUES);
  const mv = useMask ? new Int32Array(memory, mskAt, STAGE_VALUES) : undefined;
  const counts = new Int32Array(memory, 48, 2);
  const nan = nanSafe ? 1 : 0;
  const withMask = useMask ? 1 : 0;
  let out = gatherAt;
  let good = 0;
  let infinite = 0;
  let fill = 0;
  for (let y = 0; y < height; y++) {
    const base = (y0 + y) * stride + x0;
    for (let x = 0; x < width; ) {
      const take = Math.min(width - x, STAGE_VALUES - fill);
      vals.set(values.subarray(base + x, base + x + take), fill);
      if (mv !== undefined) mv.set(mask!.subarray(base + x, base + x + take), fill);
      fill += take;
      x += take;
      if (fill === STAGE_VALUES || (x === width && y === height - 1)) {
        out += 4 * simd.gatherGood(valsAt, mskAt, fill, andMask, out, nan, withMask);
        good += counts[0]!;
        infinite |= counts[1]!;
        fill = 0;
      }
    }
  }
  res[0] = (out - gatherAt) >>> 2;
  res[1] = good;
  res[2] = infinite;
  return new Float32Array(memory, gatherAt, nPix);
}

/**
 * A guess of `[q25, q75]` of `a[0, m)` into `guess` from about {@link GUESS_SAMPLE} values at an
 * odd step (NaN for fewer than 2048 values). Only a hint for the histogram's range: the
 * quartiles found with it are exact whatever it is.
 */
function guessQuartiles(a: Float32Array, m: number, guess: Float64Array): void {
  guess[0] = NaN;
  guess[1] = NaN;
  if (m < HISTOGRAM_SELECT_MIN) return;
  const step = Math.max(1, Math.floor(m / GUESS_SAMPLE)) | 1;
  const s = GUESS_VALUES;
  let ns = 0;
  for (let i = 0; i < m; i += step) s[ns++] = a[i]!;
  const r25 = Math.floor(0.25 * (ns - 1));
  const r75 = Math.ceil(0.75 * (ns - 1));
  guess[0] = nthElement(s, 0, ns, r25);
  guess[1] = nthElement(s, r25, ns, r75);
}

/**
 * The order statistics and clipping passes of {@link makeStatistics} for unweighted float32
 * values in the SIMD kernels: the good values gathered there ({@link gatherToKernels}), the
 * median and quartiles by a histogram about a sampled guess ({@link binQuartiles}: the same order
 * statistics, so the same values), the clipping passes by the kernels' clipped sums (the same
 * pairs of partial sums as {@link accumulateClipped}). Writes `[median, q25, q75]` to
 * {@link BIN_QUARTILES} and, with `wantClip`, the clipped results to {@link CLIPPED}; returns the
 * good-value count the moments would use.
 */
function orderStatisticsInKernels(
  simd: SimdKernels,
  values: Float32Array,
  region: StatisticsRegion,
  mask: Int32Array | undefined,
  andMask: number,
  nanSafe: boolean,
  nMoments: number | undefined,
  wantClip: boolean,
  numSigmaClip: number,
  numIter: number,
): number {
  // (other kernels write the same memory: the selection's workspace is laid out afresh)
  resetBinWorkspace();
  const res = KERNEL_GATHER;
  const a = gatherToKernels(simd, values, region, mask, andMask, nanSafe, res);
  // (counts read from a Float64Array are doubles: `| 0` makes them small integers, as the
  // selection and clipping code is optimised for, instead of deoptimising it)
  const m = res[0]! | 0;
  const n = nMoments ?? (res[1]! | 0);
  // the range only where an infinite value makes it matter (else NaN: found when needed)
  let lo = NaN;
  let hi = NaN;
  if (res[2] !== 0) {
    lo = Infinity;
    hi = -Infinity;
    for (let i = 0; i < m; i++) {
      const v = a[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  const guess = GUESS;
  guessQuartiles(a, m, guess);
  const q = BIN_QUARTILES;
  binQuartiles(a, 0, m, lo, hi, guess, q);
  if (wantClip) clipIterations(a, 0, m, n, q[0]!, q[2]! - q[1]!, numSigmaClip, numIter, CLIPPED);
  resetBinWorkspace();
  return n;
}

function checkRegion(length: number, region: StatisticsRegion): void {
  const { stride, x0, y0, width, height } = region;
  const ints = [stride, x0, y0, width, height].every((v) => Number.isInteger(v) && v >= 0);
  if (!ints || x0 + width > stride || (height > 0 && (y0 + height - 1) * stride + x0 + width > length)) {
    throw new KernelsInvalidArgumentError(
      `Statistics region ${JSON.stringify(region)} does not fit in an array of ${length} values.`,
    );
  }
}

/**
 * The results of {@link makeStatistics} that come from the order statistics: `MEDIAN` and
 * `IQRANGE`, and with `clipped` = `[meanClip, meanClipVar, varClip, nClip]` the clipped ones.
 */
function setOrderResults(out: Map<StatisticsProperty, StatisticsResult>, median: number, iqr: number, stdVariance: number, n: number, clipped: Float64Array | undefined): void {
  out.set('MEDIAN', [median, Math.sqrt((Math.PI / 2) * stdVariance / n)]);
  out.set('IQRANGE', [iqr, NaN]);
  if (clipped === undefined) return;
  const meanClip = clipped[0]!;
  const meanClipVar = clipped[1]!;
  const varClip = clipped[2]!;
  const nClip = clipped[3]!;
  out.set('MEANCLIP', [meanClip, Math.sqrt(meanClipVar)]);
  out.set('VARIANCECLIP', [varClip, NaN]);
  const sdc = Math.sqrt(varClip);
  out.set('STDEVCLIP', [sdc, (0.5 * Math.sqrt(varianceError(varClip, nClip))) / sdc]);
}

/**
 * Computes afw's statistics of an array (or a rectangular window of a row-major image), with
 * afw's `StatisticsControl` semantics:
 *
 * - A value is used when it is finite (with `nanSafe`, the default: NaN and ±Infinity are
 *   skipped) and `(mask & andMask) == 0`.
 * - `MEAN` is the (weighted) mean; `VARIANCE` the unbiased estimate (`N - 1` for unweighted data;
 *   `Σw² ` debiasing for weights: `var · (Σw)² / ((Σw)² - Σw²)`); `STDEV` its square root; `SUM`
 *   the weighted sum; `MEANSQUARE` `(N-1)/N · VARIANCE + MEAN²`.
 * - `MEDIAN` and `IQRANGE` (`Q3 - Q1`) from order statistics at index `q (N - 1)` with linear
 *   interpolation (numpy's default `percentile`), found by selection, not sorting.
 * - `MEANCLIP`/`STDEVCLIP`/`VARIANCECLIP`: `numIter` passes; the first keeps values within
 *   `numSigmaClip · 0.7413 · IQR` of the median, each later pass within `numSigmaClip · stdev` of
 *   the previous pass's clipped mean (values exactly at the limit are kept).
 * - Errors (`errors: true`): `MEAN`/`MEANCLIP` the standard error `√(var · Σw² / (Σw)²)`,
 *   `VARIANCE` `√(2 (N-1) var² / N²)`, `STDEV` `½ √varVar / stdev`, `MEDIAN` `√(π/2 · var / N)`,
 *   `NPOINT`/`SUM`/`MIN`/`MAX` 0, `IQRANGE` and `VARIANCECLIP` NaN (as afw).
 *
 * With no good values every quantity is NaN except `NPOINT` (0) and `SUM` (0).
 * Allocation: one scratch buffer of the good values when a quantile or a clipped statistic is
 * requested (pass `scratch` to reuse one). Unweighted `IQRANGE` and clipped statistics of 2¹⁴ to
 * 2²³ float32 values without a `scratch` gather into the WebAssembly SIMD kernels' memory instead
 * (where available) and run there: the same values (a zero median or IQR may differ in its sign
 * when both -0 and +0 are among the values).
 *
 * @param values - the values
 * @param options - properties, mask, weights, clipping and window
 * @returns the statistics
 * @throws {@link KernelsInvalidArgumentError} for arrays of different lengths, a window outside the
 *   array, an empty window, a too short scratch buffer, or an unknown property
 * @example
 * ```ts
 * const s = makeStatistics(pixels, { properties: ['MEANCLIP', 'STDEVCLIP'], mask, andMask: 0x1 });
 * const sky = s.getValue('MEANCLIP');
 * ```
 * @see lsst.afw.math.makeStatistics, lsst.afw.math.StatisticsControl
 */
export function makeStatistics(values: NumericArray, options: StatisticsOptions = {}): Statistics {
  const props = new Set<StatisticsProperty>(options.properties ?? ['NPOINT', 'MEAN', 'STDEV']);
  for (const p of props) {
    if (!STATISTICS_PROPERTIES.includes(p)) {
      throw new KernelsInvalidArgumentError(`Unknown statistic '${String(p)}'.`, {
        hint: `Expected one of ${STATISTICS_PROPERTIES.join(', ')}.`,
      });
    }
  }
  const region = options.region ?? { stride: values.length, x0: 0, y0: 0, width: values.length, height: 1 };
  checkRegion(values.length, region);
  const nPix = region.width * region.height;
  if (nPix === 0) throw new KernelsInvalidArgumentError('Cannot compute statistics of no values (the array or window is empty).');
  for (const [name, arr] of [['mask', options.mask], ['weights', options.weights]] as const) {
    if (arr !== undefined && arr.length !== values.length) {
      throw new KernelsInvalidArgumentError(`The ${name} array has ${arr.length} values; expected ${values.length} (as many as the values).`);
    }
  }
  const numSigmaClip = options.numSigmaClip ?? 3;
  const numIter = options.numIter ?? 3;
  if (!(numSigmaClip > 0) || !Number.isInteger(numIter) || numIter < 0) {
    throw new KernelsInvalidArgumentError(
      `numSigmaClip must be > 0 and numIter an integer >= 0; got ${numSigmaClip} and ${numIter}.`,
    );
  }
  const acc = {
    mask: options.mask,
    andMask: options.andMask ?? 0,
    weights: options.weights,
    nanSafe: options.nanSafe ?? true,
  };
  const wantMinMax = props.has('MIN') || props.has('MAX');
  const wantClip = props.has('MEANCLIP') || props.has('STDEVCLIP') || props.has('VARIANCECLIP');
  const wantOrder = props.has('MEDIAN') || props.has('IQRANGE') || wantClip;
  // The plain moments are needed for these (MEDIAN's error uses the variance); a clipped
  // statistic alone needs only the good values, which the selection gathers anyway.
  const wantMoments =
    !wantOrder ||
    acc.weights !== undefined ||
    ['NPOINT', 'SUM', 'MEAN', 'STDEV', 'VARIANCE', 'MEANSQUARE', 'MIN', 'MAX', 'MEDIAN'].some((p) => props.has(p as StatisticsProperty));
  const out = new Map<StatisticsProperty, StatisticsResult>();
  if (props.size === 1 && props.has('MEDIAN') && options.errors !== true && acc.weights === undefined && options.scratch === undefined && values instanceof Float32Array && nPix >= RADIX_MEDIAN_MIN) {
    // The median alone of a large float32 window (e.g. of a whole variance plane): two streaming
    // passes instead of gathering every good value (the same order statistics, so the same value).
    out.set('MEDIAN', [radixMedianFloat32(values, region, acc.mask, acc.andMask, acc.nanSafe), NaN]);
    return new Statistics(props, false, out);
  }
  let n = 0;
  let stdVariance = NaN;
  if (wantMoments) {
    // A crude mean over every 10th row (2nd for small inputs) keeps the variance sums stable.
    const rowStep = region.height === 1 ? 1 : nPix < 100 ? 2 : 10;
    let center = 0;
    if (region.height === 1) {
      // one row: sample every 10th value (in blocks that are multiples of the step)
      const step = nPix < 100 ? 2 : 10;
      const sums = new Float64Array(2);
      const start = region.y0 * region.stride + region.x0;
      const end = start + region.width;
      for (let k = start; k < end; k += step * BLOCK) sampleBlock(values, k, Math.min(end, k + step * BLOCK), step, acc.mask, acc.andMask, acc.nanSafe, sums);
      const s = sums[0]!;
      const c = sums[1]!;
      center = c > 0 ? s / c : 0;
    } else {
      const crude = accumulate(values, region, { ...acc, weights: undefined }, 0, -1, rowStep, false);
      center = crude.n > 0 ? crude.mean : 0;
    }
    if (!Number.isFinite(center)) center = 0;
    const std = accumulate(values, region, acc, center, -1, 1, wantMinMax);
    n = std.n;
    stdVariance = std.variance;
    out.set('NPOINT', [n, 0]);
    out.set('SUM', [n === 0 ? 0 : std.sum, 0]);
    out.set('MEAN', [std.mean, Math.sqrt(std.meanVar)]);
    const varVar = varianceError(std.variance, n);
    out.set('VARIANCE', [std.variance, Math.sqrt(varVar)]);
    const sd = Math.sqrt(std.variance);
    out.set('STDEV', [sd, (0.5 * Math.sqrt(varVar)) / sd]);
    out.set('MEANSQUARE', [((n - 1) / n) * std.variance + std.mean * std.mean, Math.sqrt(2 * ((((n - 1) / n) * std.variance + std.mean * std.mean) / n) ** 2)]);
    out.set('MIN', [std.min, 0]);
    out.set('MAX', [std.max, 0]);
  }

  if (wantOrder) {
    const simd =
      values instanceof Float32Array && acc.weights === undefined && options.scratch === undefined && nPix >= SIMD_STATS_MIN && nPix <= SIMD_STATS_MAX && (wantClip || props.has('IQRANGE'))
        ? simdKernels()
        : undefined;
    if (simd !== undefined) {
      // Unweighted quartiles (and clipping) of many float32 values: in the SIMD kernels.
      n = orderStatisticsInKernels(simd, values as Float32Array, region, acc.mask, acc.andMask, acc.nanSafe, wantMoments ? n : undefined, wantClip, numSigmaClip, numIter);
      const q = BIN_QUARTILES;
      setOrderResults(out, q[0]!, q[2]! - q[1]!, stdVariance, n, wantClip ? CLIPPED : undefined);
      return new Statistics(props, options.errors ?? false, out);
    }
    // Copy the good values into the scratch buffer and select.
    let scratch = options.scratch;
    if (scratch === undefined) {
      const size = wantMoments ? n : nPix;
      scratch = values instanceof Float64Array ? new Float64Array(size) : new Float32Array(size);
    } else if (wantMoments && scratch.length < n) {
      throw new KernelsInvalidArgumentError(`The scratch buffer has ${scratch.length} values; ${n} are needed.`);
    }
    const gathered = GATHERED;
    gatherGood(values, region, acc.mask, acc.andMask, acc.nanSafe, scratch, gathered);
    const m = gathered[0]!;
    const nGood = gathered[1]!;
    const gMin = gathered[2]!;
    const gMax = gathered[3]!;
    if (!wantMoments) n = nGood;
    let median: number;
    let iqr = NaN;
    if (props.has('MEDIAN') && !props.has('IQRANGE') && !wantClip) {
      median = quantile(scratch, m, 0.5);
    } else {
      const [q50, q25, q75] = medianAndQuartiles(scratch, m, gMin, gMax);
      median = q50;
      iqr = q75 - q25;
    }
    if (!wantClip) {
      setOrderResults(out, median, iqr, stdVariance, n, undefined);
    } else if (acc.weights === undefined) {
      // Unweighted: the clipped sums need only the gathered values (every value that can pass
      // the clip is there; NaNs never pass), a compact array instead of the masked window.
      clipIterations(scratch, 0, m, n, median, iqr, numSigmaClip, numIter, CLIPPED);
      setOrderResults(out, median, iqr, stdVariance, n, CLIPPED);
    } else {
      // Weighted: the clipped sums over the window itself (with its weights).
      clipPasses(n, median, iqr, numSigmaClip, numIter, CLIPPED, (c, hwidth) => {
        const clipped = accumulate(values, region, acc, c, hwidth, 1, false);
        CLIP_SUMS[0] = clipped.n;
        CLIP_SUMS[1] = clipped.mean;
        CLIP_SUMS[2] = clipped.variance;
        CLIP_SUMS[3] = clipped.meanVar;
      });
      setOrderResults(out, median, iqr, stdVariance, n, CLIPPED);
    }
  }
  return new Statistics(props, options.errors ?? false, out);
}
