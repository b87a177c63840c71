import { KernelsInvalidArgumentError } from './errors.js';

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

/** afw's error of a variance estimate (assumes Gaussian data). */
function varianceError(variance: number, n: number): number {
  return (2 * (n - 1) * variance * variance) / (n * n);
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
      return a[k]!;
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
    else return a[k]!;
  }
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

/**
 * A quantile with afw's (and numpy's default `linear`) convention: index `q (n - 1)`, linear
 * interpolation between the two neighbouring order statistics. Reorders `a[0, n)`.
 *
 * @param a - the values (NaN-free); reordered
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
  const v1 = nthElement(a, 0, n, q1);
  if (q1 + 1 >= n) return v1;
  const v2 = minOf(a, q1 + 1, n);
  return (q1 + 1 - idx) * v1 + (idx - q1) * v2;
}

/** Median and the first and third quartiles with afw's convention (reorders `a[0, n)`). */
function medianAndQuartiles(a: Float32Array | Float64Array, n: number): [number, number, number] {
  if (n === 0) return [NaN, NaN, NaN];
  if (n === 1) return [a[0]!, a[0]!, a[0]!];
  const i50 = 0.5 * (n - 1);
  const i25 = 0.25 * (n - 1);
  const i75 = 0.75 * (n - 1);
  const q50 = Math.floor(i50);
  const q25 = Math.floor(i25);
  const q75 = Math.floor(i75);
  const v50 = nthElement(a, 0, n, q50);
  const v75 = q75 > q50 ? nthElement(a, q50 + 1, n, q75) : v50;
  const v25 = q25 < q50 ? nthElement(a, 0, q50, q25) : v50;
  // Each neighbour is the smallest value after its order statistic, up to the next selected one.
  const next = (q: number, bound: number): number => (q + 1 >= n ? a[q]! : minOf(a, q + 1, Math.min(bound + 1, n)));
  const n50 = next(q50, q75 > q50 ? q75 : n - 1);
  const n25 = next(q25, q50);
  const n75 = next(q75, n - 1);
  const lerp = (idx: number, q: number, v: number, w: number): number => (q + 1 - idx) * v + (idx - q) * w;
  return [lerp(i50, q50, v50, n50), lerp(i25, q25, v25, n25), lerp(i75, q75, v75, n75)];
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
 * requested (pass `scratch` to reuse one).
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

  // A crude mean over every 10th row (2nd for small inputs) keeps the variance sums stable.
  const rowStep = region.height === 1 ? 1 : nPix < 100 ? 2 : 10;
  let center = 0;
  if (region.height === 1) {
    // one row: sample every 10th value
    const step = nPix < 100 ? 2 : 10;
    let s = 0;
    let c = 0;
    for (let k = region.y0 * region.stride + region.x0, end = k + region.width; k < end; k += step) {
      const v = values[k]!;
      if (acc.nanSafe && !Number.isFinite(v)) continue;
      if (acc.mask !== undefined && (acc.mask[k]! & acc.andMask) !== 0) continue;
      s += v;
      c++;
    }
    center = c > 0 ? s / c : 0;
  } else {
    const crude = accumulate(values, region, { ...acc, weights: undefined }, 0, -1, rowStep, false);
    center = crude.n > 0 ? crude.mean : 0;
  }
  if (!Number.isFinite(center)) center = 0;
  const std = accumulate(values, region, acc, center, -1, 1, wantMinMax);
  const out = new Map<StatisticsProperty, StatisticsResult>();
  const n = std.n;
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

  const wantClip = props.has('MEANCLIP') || props.has('STDEVCLIP') || props.has('VARIANCECLIP');
  if (props.has('MEDIAN') || props.has('IQRANGE') || wantClip) {
    // Copy the good values into the scratch buffer and select.
    let scratch = options.scratch;
    if (scratch !== undefined && scratch.length < n) {
      throw new KernelsInvalidArgumentError(`The scratch buffer has ${scratch.length} values; ${n} are needed.`);
    }
    scratch ??= values instanceof Float64Array ? new Float64Array(n) : new Float32Array(n);
    let m = 0;
    for (let y = 0; y < region.height; y++) {
      const base = (region.y0 + y) * region.stride + region.x0;
      for (let k = base, end = base + region.width; k < end; k++) {
        const v = values[k]!;
        if (!Number.isFinite(v)) {
          if (acc.nanSafe || Number.isNaN(v)) continue; // NaNs cannot be ordered
        }
        if (acc.mask !== undefined && (acc.mask[k]! & acc.andMask) !== 0) continue;
        scratch[m++] = v;
      }
    }
    let median: number;
    let iqr = NaN;
    if (props.has('MEDIAN') && !props.has('IQRANGE') && !wantClip) {
      median = quantile(scratch, m, 0.5);
    } else {
      const [q50, q25, q75] = medianAndQuartiles(scratch, m);
      median = q50;
      iqr = q75 - q25;
    }
    out.set('MEDIAN', [median, Math.sqrt((Math.PI / 2) * std.variance / n)]);
    out.set('IQRANGE', [iqr, NaN]);
    if (wantClip) {
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
        const clipped = accumulate(values, region, acc, c, hwidth, 1, false);
        meanClip = clipped.mean;
        meanClipVar = clipped.meanVar;
        varClip = clipped.variance;
        nClip = clipped.n;
      }
      out.set('MEANCLIP', [meanClip, Math.sqrt(meanClipVar)]);
      out.set('VARIANCECLIP', [varClip, NaN]);
      const sdc = Math.sqrt(varClip);
      out.set('STDEVCLIP', [sdc, (0.5 * Math.sqrt(varianceError(varClip, nClip))) / sdc]);
    }
  }
  return new Statistics(props, options.errors ?? false, out);
}
