// afw.math.statisticsStack for masked images: the per-pixel statistic of a stack of aligned
// masked images (weighted mean, sigma-clipped mean, median) with afw's mask handling.
import { type Image, type MaskedImage, MaskedImageF, type PixelArray } from '@skystack/afw-image';
import { IQ_TO_STDEV } from '@skystack/kernels';
import { PipeTasksInvalidArgumentError } from '../errors.js';

/** The statistics {@link statisticsStack} can stack (afw `Property` names). */
export type StackStatistic = 'MEAN' | 'MEANCLIP' | 'MEDIAN';

/** The statistics {@link statisticsStack} accepts, in the order of afw's `Property` enum. */
export const STACK_STATISTICS: readonly StackStatistic[] = Object.freeze(['MEAN', 'MEDIAN', 'MEANCLIP'] as const);

/**
 * Options of {@link statisticsStack}: afw's `StatisticsControl` for a stack, plus the
 * mask-mapping arguments of `statisticsStack`.
 */
export interface StatisticsStackOptions {
  /** The per-pixel statistic. */
  readonly statistic: StackStatistic;
  /**
   * One weight per input image (afw's `wvector`; `setWeighted(true)`); default: all 1. Weights
   * must be finite and > 0.
   */
  readonly weights?: readonly number[];
  /** Mask bits that exclude an input pixel (afw `andMask`); default 0. */
  readonly andMask?: number;
  /** Clipping half-width in standard deviations (afw `numSigmaClip`); default 3. */
  readonly numSigmaClip?: number;
  /** Clipping passes, the first one included (afw `numIter`); default 3. */
  readonly numIter?: number;
  /**
   * The variance of the result from the input variances (`Σ w² var / (Σ w)²`, afw
   * `calcErrorFromInputVariance`) rather than from the scatter of the values; default false.
   */
  readonly calcErrorFromInputVariance?: boolean;
  /**
   * Mask propagation thresholds, bit number → fraction (afw `setMaskPropagationThreshold`): a bit
   * of `andMask` is set on the output when the inputs rejected with it carry more than this
   * fraction of the weight, `Σ w(rejected with bit) / (Σ w(used) + Σ w(rejected with bit)) >
   * threshold`. Bits outside `andMask` are ignored (their pixels are used and OR-ed anyway).
   */
  readonly maskPropagationThresholds?: ReadonlyMap<number, number>;
  /**
   * Mask mapping, `[fromBits, toBits]` pairs (afw `maskMap`): when an input pixel is rejected
   * for a mask bit in `fromBits`, `toBits` is set on the output.
   */
  readonly maskMap?: readonly (readonly [number, number])[];
  /** Bits set on the output where sigma clipping rejected at least one value (afw `clipped`); default 0. */
  readonly clipped?: number;
  /** Bits set where no input is usable (afw `noGoodPixelsMask`); default the output's `NO_DATA` plane. */
  readonly noGoodPixelsMask?: number;
  /**
   * Receives, per pixel, the number of inputs whose mask has none of `andMask` (LSST's `nImage`:
   * NaN pixels included); same dimensions as the inputs. Added to, not overwritten.
   */
  readonly nImage?: Image<PixelArray>;
}

/**
 * Computes a statistic through a stack of aligned masked images, pixel by pixel, as afw's
 * `statisticsStack(images, flags, statsCtrl, weights, clipped, maskMap)`:
 *
 * - An input pixel is used when its mask has none of `andMask` and its value is finite.
 * - `MEAN`: `Σ w v / Σ w`. `MEANCLIP`: `numIter` passes; the first keeps values within
 *   `numSigmaClip · 0.7413 · IQR` of the median, each later one within `numSigmaClip · σ` of the
 *   previous pass's weighted mean (σ the weighted standard deviation of the kept values; values
 *   exactly at the limit are kept); the result is the weighted mean of the last pass.
 *   `MEDIAN`: the (unweighted) median, numpy's linear interpolation.
 * - Variance: with `calcErrorFromInputVariance`, `Σ w² var / (Σ w)²` over the values used (for
 *   MEDIAN times π/2, the asymptotic efficiency of the median); without it the squared standard
 *   error of the weighted mean from the scatter of the values (NaN for a single value).
 * - Mask: the OR of the masks of the pixels used, plus the propagated bits (see
 *   `maskPropagationThresholds`), the mapped bits (`maskMap`) and `clipped`; a pixel with no
 *   usable input has value and variance NaN and gets `noGoodPixelsMask`.
 *
 * Memory: nothing is allocated per pixel; the scratch is one row of every input (as float64)
 * and a few arrays of the stack depth.
 *
 * @param images - the inputs, all with the same dimensions (any pixel type)
 * @param options - the statistic, weights and mask handling
 * @param out - where to write (same dimensions as the inputs; may be a sub-image view of a larger
 *   image); default a new `MaskedImageF` at the first input's bbox with its mask planes
 * @returns `out`
 * @throws {@link PipeTasksInvalidArgumentError} for no inputs, inputs or output of other
 *   dimensions, a weight list of another length, non-positive weights, or bad clipping parameters
 * @example
 * ```ts
 * const coadd = statisticsStack(warps, { statistic: 'MEANCLIP', weights, andMask: noData, numIter: 2,
 *   calcErrorFromInputVariance: true, maskPropagationThresholds: new Map([[satBit, 0.1]]) });
 * ```
 * @see lsst.afw.math.statisticsStack
 */
export function statisticsStack(images: readonly MaskedImage[], options: StatisticsStackOptions, out?: MaskedImage): MaskedImage {
  const first = images[0];
  if (first === undefined) throw new PipeTasksInvalidArgumentError('statisticsStack needs at least one image to stack; got none.');
  const { statistic } = options;
  if (!STACK_STATISTICS.includes(statistic)) {
    throw new PipeTasksInvalidArgumentError(`Unknown stacking statistic '${String(statistic)}'.`, { hint: `Expected one of ${STACK_STATISTICS.join(', ')}.` });
  }
  const width = first.getWidth();
  const height = first.getHeight();
  images.forEach((im, i) => {
    if (im.getWidth() !== width || im.getHeight() !== height) {
      throw new PipeTasksInvalidArgumentError(`Bad dimensions for image ${i}: ${im.getWidth()}x${im.getHeight()}; expected ${width}x${height} (as image 0).`);
    }
  });
  const nIn = images.length;
  const weights = options.weights ?? new Array<number>(nIn).fill(1);
  if (weights.length !== nIn) {
    throw new PipeTasksInvalidArgumentError(`Weight vector has different length from number of objects to be stacked: ${weights.length} v. ${nIn}.`);
  }
  weights.forEach((w, i) => {
    if (!(w > 0) || !Number.isFinite(w)) throw new PipeTasksInvalidArgumentError(`Weight ${i} is ${w}; weights must be finite and > 0.`);
  });
  const numSigmaClip = options.numSigmaClip ?? 3;
  const numIter = options.numIter ?? 3;
  if (!(numSigmaClip > 0) || !Number.isInteger(numIter) || numIter < 1) {
    throw new PipeTasksInvalidArgumentError(`numSigmaClip must be > 0 and numIter an integer >= 1; got ${numSigmaClip} and ${numIter}.`);
  }
  const target = out ?? MaskedImageF(first.getBBox(), first.mask.planeDict.clone());
  if (target.getWidth() !== width || target.getHeight() !== height) {
    throw new PipeTasksInvalidArgumentError(`The output is ${target.getWidth()}x${target.getHeight()}; expected ${width}x${height} (as the inputs).`);
  }
  const nImage = options.nImage;
  if (nImage !== undefined && (nImage.width !== width || nImage.height !== height)) {
    throw new PipeTasksInvalidArgumentError(`The nImage is ${nImage.width}x${nImage.height}; expected ${width}x${height} (as the inputs).`);
  }
  const andMask = options.andMask ?? 0;
  const noGood = options.noGoodPixelsMask ?? target.mask.getPlaneBitMask('NO_DATA');
  const clippedBits = options.clipped ?? 0;
  const calcErr = options.calcErrorFromInputVariance ?? false;
  // Only thresholds on rejecting bits matter (as LSST's AccumulatorMeanStack).
  const thrBits: number[] = [];
  const thrValues: number[] = [];
  for (const [bit, threshold] of options.maskPropagationThresholds ?? new Map<number, number>()) {
    if (!Number.isInteger(bit) || bit < 0 || bit > 31) throw new PipeTasksInvalidArgumentError(`Mask propagation bit ${bit} is not a bit number 0..31.`);
    if (((andMask >>> bit) & 1) === 1) {
      thrBits.push((1 << bit) | 0);
      thrValues.push(threshold);
    }
  }
  const nThr = thrBits.length;
  const mapFrom = (options.maskMap ?? []).map((p) => p[0] | 0);
  const mapTo = (options.maskMap ?? []).map((p) => p[1] | 0);
  const nMap = mapFrom.length;

  const imgs = images.map((m) => m.image.array);
  const msks = images.map((m) => m.mask.array);
  const vars = images.map((m) => m.variance.array);
  const oi = target.image.array;
  const om = target.mask.array;
  const ov = target.variance.array;
  const nArr = nImage?.array;

  const vals = new Float64Array(nIn);
  const wts = new Float64Array(nIn);
  const ivar = new Float64Array(nIn);
  const sorted = new Float64Array(nIn);
  const rejW = new Float64Array(Math.max(1, nThr));
  const wIn = Float64Array.from(weights);
  // One row of every input, input-major (row i at i * width), so that the per-pixel loop reads
  // monomorphic typed arrays whatever the inputs' pixel types.
  const rowV = new Float64Array(nIn * width);
  const rowM = new Int32Array(nIn * width);
  const rowVar = new Float64Array(nIn * width);
  const mode = statistic === 'MEAN' ? 0 : statistic === 'MEANCLIP' ? 1 : 2;
  const res = new Float64Array(3); // value, variance, clipped (1/0)

  for (let y = 0; y < height; y++) {
    for (let i = 0; i < nIn; i++) {
      const o = i * width;
      const im = imgs[i]!;
      const mk = msks[i]!;
      const va = vars[i]!;
      const io = y * im.stride;
      rowV.set(im.data.subarray(io, io + width), o);
      const mo = y * mk.stride;
      rowM.set(mk.data.subarray(mo, mo + width), o);
      const vo = y * va.stride;
      rowVar.set(va.data.subarray(vo, vo + width), o);
    }
    const oiRow = y * oi.stride;
    const omRow = y * om.stride;
    const ovRow = y * ov.stride;
    const nRow = nArr === undefined ? 0 : y * nArr.stride;
    for (let x = 0; x < width; x++) {
      let n = 0;
      let orMask = 0;
      let rejectedMask = 0;
      let sumW = 0;
      let nGoodMask = 0;
      for (let t = 0; t < nThr; t++) rejW[t] = 0;
      for (let i = 0, k = x; i < nIn; i++, k += width) {
        const m = rowM[k]!;
        const v = rowV[k]!;
        const w = wIn[i]!;
        if ((m & andMask) === 0) {
          nGoodMask++;
          if (Number.isFinite(v)) {
            vals[n] = v;
            wts[n] = w;
            ivar[n] = rowVar[k]!;
            n++;
            sumW += w;
            orMask |= m;
          }
        } else {
          rejectedMask |= m & andMask;
          for (let t = 0; t < nThr; t++) if ((m & thrBits[t]!) !== 0) rejW[t]! += w;
        }
      }
      if (nArr !== undefined) nArr.data[nRow + x] = nArr.data[nRow + x]! + nGoodMask;
      let msk = orMask;
      for (let t = 0; t < nThr; t++) {
        const r = rejW[t]!;
        if (r > 0 && r / (sumW + r) > thrValues[t]!) msk |= thrBits[t]!;
      }
      for (let k = 0; k < nMap; k++) if ((rejectedMask & mapFrom[k]!) !== 0) msk |= mapTo[k]!;
      if (n === 0) {
        oi.data[oiRow + x] = NaN;
        ov.data[ovRow + x] = NaN;
        om.data[omRow + x] = msk | noGood;
        continue;
      }
      if (mode === 0) meanOf(vals, wts, ivar, n, calcErr, res);
      else if (mode === 1) meanClipOf(vals, wts, ivar, sorted, n, numSigmaClip, numIter, calcErr, res);
      else medianOf(vals, wts, ivar, sorted, n, calcErr, res);
      oi.data[oiRow + x] = res[0]!;
      ov.data[ovRow + x] = res[1]!;
      om.data[omRow + x] = res[2]! !== 0 ? msk | clippedBits : msk;
    }
  }
  return target;
}

/**
 * The weighted mean of `v[0, n)` and its variance (input variance or scatter); `res[2] = 0`.
 * Values are compacted in place by {@link meanClipOf} before this is called on the kept ones.
 */
function meanOf(v: Float64Array, w: Float64Array, iv: Float64Array, n: number, calcErr: boolean, res: Float64Array): void {
  let sw = 0;
  let swv = 0;
  let sw2 = 0;
  let sw2var = 0;
  for (let i = 0; i < n; i++) {
    const wi = w[i]!;
    sw += wi;
    swv += wi * v[i]!;
    sw2 += wi * wi;
    sw2var += wi * wi * iv[i]!;
  }
  const mean = swv / sw;
  res[0] = mean;
  res[2] = 0;
  if (calcErr) {
    res[1] = sw2var / (sw * sw);
    return;
  }
  res[1] = scatterMeanVariance(v, w, n, mean, sw, sw2);
}

/** The squared standard error of a weighted mean from the scatter: `var · Σw² / (Σw)²`, var debiased. */
function scatterMeanVariance(v: Float64Array, w: Float64Array, n: number, mean: number, sw: number, sw2: number): number {
  if (n < 2) return NaN;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = v[i]! - mean;
    s += w[i]! * d * d;
  }
  const variance = ((s / sw) * sw * sw) / (sw * sw - sw2);
  return (variance * sw2) / (sw * sw);
}

/** Sorts `v[0, n)` into `s[0, n)` (insertion sort: stacks are shallow). */
function sortInto(v: Float64Array, s: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const x = v[i]!;
    let j = i - 1;
    while (j >= 0 && s[j]! > x) {
      s[j + 1] = s[j]!;
      j--;
    }
    s[j + 1] = x;
  }
}

/** numpy's `percentile` (linear interpolation) of the sorted `s[0, n)`. */
function quantileSorted(s: Float64Array, n: number, q: number): number {
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  const f = pos - lo;
  return s[lo]! + (s[hi]! - s[lo]!) * f;
}

/**
 * The sigma-clipped weighted mean (see {@link statisticsStack}); compacts the kept values to the
 * front of `v`, `w`, `iv` after each pass. `res[2] = 1` when any value was clipped.
 */
function meanClipOf(v: Float64Array, w: Float64Array, iv: Float64Array, s: Float64Array, n: number, nSigma: number, numIter: number, calcErr: boolean, res: Float64Array): void {
  sortInto(v, s, n);
  let center = quantileSorted(s, n, 0.5);
  let hwidth = nSigma * IQ_TO_STDEV * (quantileSorted(s, n, 0.75) - quantileSorted(s, n, 0.25));
  let m = n;
  let mean = NaN;
  let sw = 0;
  let sw2 = 0;
  let sw2var = 0;
  for (let pass = 0; pass < numIter; pass++) {
    // Keep the values within hwidth of the center (compacting in place).
    let k = 0;
    for (let i = 0; i < m; i++) {
      if (Math.abs(v[i]! - center) <= hwidth) {
        v[k] = v[i]!;
        w[k] = w[i]!;
        iv[k] = iv[i]!;
        k++;
      }
    }
    if (k === 0) break; // nothing within the limit: keep the previous pass
    m = k;
    sw = 0;
    sw2 = 0;
    sw2var = 0;
    let swv = 0;
    for (let i = 0; i < m; i++) {
      const wi = w[i]!;
      sw += wi;
      swv += wi * v[i]!;
      sw2 += wi * wi;
      sw2var += wi * wi * iv[i]!;
    }
    mean = swv / sw;
    if (pass + 1 < numIter) {
      if (m < 2) break;
      let ss = 0;
      for (let i = 0; i < m; i++) {
        const d = v[i]! - mean;
        ss += w[i]! * d * d;
      }
      const variance = ((ss / sw) * sw * sw) / (sw * sw - sw2);
      center = mean;
      hwidth = nSigma * Math.sqrt(variance);
    }
  }
  if (Number.isNaN(mean)) {
    // The first pass kept nothing (only possible with NaN limits): fall back to the plain mean.
    meanOf(v, w, iv, m, calcErr, res);
    return;
  }
  res[0] = mean;
  res[1] = calcErr ? sw2var / (sw * sw) : scatterMeanVariance(v, w, m, mean, sw, sw2);
  res[2] = m < n ? 1 : 0;
}

/** The median of `v[0, n)` and its variance (π/2 times the variance of the weighted mean). */
function medianOf(v: Float64Array, w: Float64Array, iv: Float64Array, s: Float64Array, n: number, calcErr: boolean, res: Float64Array): void {
  meanOf(v, w, iv, n, calcErr, res);
  const meanVariance = res[1]!;
  sortInto(v, s, n);
  res[0] = quantileSorted(s, n, 0.5);
  res[1] = (Math.PI / 2) * meanVariance;
  res[2] = 0;
}
