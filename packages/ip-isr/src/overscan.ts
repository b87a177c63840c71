// lsst.ip.isr.overscan.OverscanCorrectionTask: fit the serial overscan of one amplifier and
// subtract the fit from the amplifier's data and overscan pixels.
import type { Amplifier, Exposure, MaskedImage, PixelArray } from '@skystack/afw-image';
import { Box2I, Extent2I } from '@skystack/geom';
import { makeInterpolate, makeStatistics, quantile } from '@skystack/kernels';
import type { InterpStyle } from '@skystack/kernels';
import { ChoiceField, Config, Field, ListField } from '@skystack/pex-config';
import { Struct, Task } from '@skystack/pipe-base';
import type { TaskOptions } from '@skystack/pipe-base';
import { IpIsrGeometryError, IpIsrUnsupportedStepError } from './errors.js';
import { planeBits } from './isr-functions.js';

/** The overscan fit types of ip_isr (`OverscanCorrectionTaskConfig.fitType`). */
export const OVERSCAN_FIT_TYPES = Object.freeze({
  /** Ordinary polynomial of degree `order`. */
  POLY: 'Fit ordinary polynomial to the longest axis of the overscan region',
  /** Chebyshev series of degree `order`. */
  CHEB: 'Fit Chebyshev polynomial to the longest axis of the overscan region',
  /** Legendre series of degree `order`. */
  LEG: 'Fit Legendre polynomial to the longest axis of the overscan region',
  /** Natural cubic spline through `order` binned means. */
  NATURAL_SPLINE: 'Fit natural spline to the longest axis of the overscan region',
  /** Cubic spline (as afw: natural) through `order` binned means. */
  CUBIC_SPLINE: 'Fit cubic spline to the longest axis of the overscan region',
  /** Akima spline through `order` binned means. */
  AKIMA_SPLINE: 'Fit Akima spline to the longest axis of the overscan region',
  /** Mean of the overscan. */
  MEAN: 'Correct using the mean of the overscan region',
  /** Clipped mean of the overscan. */
  MEANCLIP: 'Correct using a clipped mean of the overscan region',
  /** Median of the overscan. */
  MEDIAN: 'Correct using the median of the overscan region',
  /** Median of each row. */
  MEDIAN_PER_ROW: 'Correct using the median per row of the overscan region',
});

/** One of {@link OVERSCAN_FIT_TYPES}. */
export type OverscanFitType = keyof typeof OVERSCAN_FIT_TYPES;

/**
 * Configuration of {@link OverscanCorrectionTask}, with LSST's fields and defaults. The parallel
 * overscan (`doParallelOverscan`) is not implemented: setting it is refused by `validate()`.
 *
 * @see lsst.ip.isr.overscan.OverscanCorrectionTaskConfig
 */
export class OverscanCorrectionTaskConfig extends Config {
  /** The method for fitting the overscan bias level (default `MEDIAN`). */
  fitType = ChoiceField({ doc: 'The method for fitting the overscan bias level.', dtype: 'str', default: 'MEDIAN', allowed: OVERSCAN_FIT_TYPES });
  /** Polynomial order, or number of spline bins for the spline fit types (default 1). */
  order = Field.int({
    doc: 'Order of polynomial to fit if overscan fit type is a polynomial, or number of spline knots if overscan fit type is a spline.',
    default: 1,
  });
  /** Rejection threshold (sigma) for collapsing the overscan before the fit (default 3). */
  numSigmaClip = Field.float({ doc: 'Rejection threshold (sigma) for collapsing overscan before fit', default: 3.0 });
  /** Mask planes to reject when measuring the overscan (default BAD, SAT). */
  maskPlanes = ListField({ doc: 'Mask planes to reject when measuring overscan', dtype: 'str', default: ['BAD', 'SAT'] });
  /** Treat the overscan as integers for MEDIAN and MEDIAN_PER_ROW (default true). */
  overscanIsInt = Field.bool({ doc: 'Treat overscan as an integer image for purposes of fitType=MEDIAN and fitType=MEDIAN_PER_ROW.', default: true });
  /** Correct with the parallel overscan too (not implemented: must stay false). */
  doParallelOverscan = Field.bool({ doc: 'Correct using parallel overscan after serial overscan correction?', default: false });
  /** Threshold for bleeds in the parallel overscan (kept for LSST compatibility; unused). */
  parallelOverscanMaskThreshold = Field.int({ doc: 'Threshold above which pixels in the parallel overscan are masked as bleeds.', default: 100000 });
  /** Growth of bleed masks in the parallel overscan (kept for LSST compatibility; unused). */
  parallelOverscanMaskGrowSize = Field.int({ doc: 'Masks created from saturated bleeds should be grown by this many pixels during construction of the parallel overscan mask.', default: 7 });
  /** Leading (next to the data) columns of the serial overscan to skip (default 0). */
  leadingColumnsToSkip = Field.int({ doc: 'Number of leading columns to skip in serial overscan correction.', default: 0 });
  /** Trailing (away from the data) columns of the serial overscan to skip (default 0). */
  trailingColumnsToSkip = Field.int({ doc: 'Number of trailing columns to skip in serial overscan correction.', default: 0 });
  /** Leading rows of the parallel overscan to skip (kept for LSST compatibility; unused). */
  leadingRowsToSkip = Field.int({ doc: 'Number of leading rows to skip in parallel overscan correction.', default: 0 });
  /** Trailing rows of the parallel overscan to skip (kept for LSST compatibility; unused). */
  trailingRowsToSkip = Field.int({ doc: 'Number of trailing rows to skip in parallel overscan correction.', default: 0 });
  /** Overscan pixels further than this (ADU) from the overscan median are masked SAT (default 1000). */
  maxDeviation = Field.float({ doc: 'Maximum deviation from median (in ADU) to mask in overscan correction.', default: 1000.0, check: (x) => x > 0 });

  /**
   * Checks the fields, and refuses the parallel overscan.
   *
   * @throws {@link IpIsrUnsupportedStepError} when `doParallelOverscan` is true
   */
  override validate(): void {
    super.validate();
    if (this.doParallelOverscan) {
      throw new IpIsrUnsupportedStepError('overscan.doParallelOverscan=true: the parallel overscan correction is not implemented in SkyStack.', {
        hint: 'Set doParallelOverscan=false (the serial overscan is corrected).',
      });
    }
    if (this.leadingColumnsToSkip < 0 || this.trailingColumnsToSkip < 0) {
      throw new IpIsrUnsupportedStepError(
        `overscan.leadingColumnsToSkip and trailingColumnsToSkip must be >= 0; got ${this.leadingColumnsToSkip} and ${this.trailingColumnsToSkip}.`,
      );
    }
  }
}

/** What {@link OverscanCorrectionTask.run} returns. */
export interface OverscanResult {
  /** The value (constant fit types) or per-row values (vector fit types, one per data row) subtracted from the data. */
  readonly imageFit: number | Float64Array;
  /** The value or per-row values subtracted from the overscan (one per overscan row). */
  readonly overscanFit: number | Float64Array;
  /** The serial overscan region after the correction (a view of the exposure). */
  readonly overscanImage: MaskedImage<PixelArray>;
  /** The fitted value (constant) or vector (one per row of the fitted overscan box). */
  readonly overscanValue: number | Float64Array;
  /** Mean of the fit. */
  readonly overscanMean: number;
  /** Median of the fit. */
  readonly overscanMedian: number;
  /** Clipped standard deviation of the fit (0 for a constant). */
  readonly overscanSigma: number;
  /** Mean of the overscan after the correction. */
  readonly residualMean: number;
  /** Median of the overscan after the correction. */
  readonly residualMedian: number;
  /** Clipped standard deviation of the overscan after the correction (an empirical read noise, ADU). */
  readonly residualSigma: number;
}

/**
 * Measures the serial (horizontal) overscan of an amplifier on an untrimmed raw exposure and
 * subtracts it from the amplifier's data box and from the overscan box, in place.
 *
 * Constant fit types (`MEAN`, `MEANCLIP`, `MEDIAN`) use afw statistics of the unmasked overscan
 * pixels. Vector fit types first reject outliers in each row (beyond `numSigmaClip` robust
 * sigma, `0.74 × IQR`, of the row median); then `MEDIAN_PER_ROW` takes the median of each row,
 * and the others collapse each row to its mean and fit it along the rows (`POLY`, `CHEB`,
 * `LEG`: least-squares polynomials of degree `order` on `2i/n − 1`; the splines: an afw
 * interpolant through the means of `order` equal bins, needing at least 5 bins). Rows with no
 * usable pixel are filled from their neighbours, as ip_isr does.
 *
 * @example
 * ```ts
 * const config = new OverscanCorrectionTaskConfig();
 * config.fitType = 'MEDIAN_PER_ROW';
 * const overscan = new OverscanCorrectionTask({ config });
 * for (const amp of raw.getDetector()!.amplifiers) overscan.run(raw, amp);
 * ```
 * @see lsst.ip.isr.overscan.OverscanCorrectionTask
 */
export class OverscanCorrectionTask extends Task<OverscanCorrectionTaskConfig> {
  /** {@link OverscanCorrectionTaskConfig}. */
  static override ConfigClass = OverscanCorrectionTaskConfig;
  /** `overscan`. */
  static override _DefaultName: string | undefined = 'overscan';

  /**
   * Makes the task (top-level, or as a subtask of IsrTask).
   *
   * @param options - config, name, parentTask, log
   */
  constructor(options: TaskOptions<OverscanCorrectionTaskConfig> = {}) {
    super(options);
  }

  /**
   * Corrects one amplifier.
   *
   * @param exposure - the untrimmed raw exposure (float pixels), modified in place
   * @param amp - the amplifier, with raw geometry
   * @returns the fit and statistics
   * @throws {@link IpIsrGeometryError} when the amplifier has no serial overscan, or its boxes
   *   are not inside the exposure
   * @see lsst.ip.isr.overscan.OverscanCorrectionTask.run
   */
  run(exposure: Exposure<PixelArray>, amp: Amplifier): Struct<OverscanResult> {
    const oscanBBox = amp.rawHorizontalOverscanBBox;
    const dataBBox = amp.rawDataBBox;
    const bbox = exposure.getBBox();
    if (oscanBBox.isEmpty()) throw new IpIsrGeometryError(`Amplifier '${amp.name}' has no serial overscan box (rawHorizontalOverscanBBox is empty).`);
    if (!bbox.contains(oscanBBox) || !bbox.contains(dataBBox)) {
      throw new IpIsrGeometryError(
        `Amplifier '${amp.name}': its raw data box ${dataBBox.toString()} or overscan box ${oscanBBox.toString()} is not inside the exposure ${bbox.toString()}.`,
        { hint: 'IsrTask works on untrimmed raws; run the overscan correction before assembly.' },
      );
    }
    const trimmed = this.trimOverscan(amp, oscanBBox);
    const mi = exposure.maskedImage;
    const osView = mi.subset(trimmed);
    const maskVal = planeBits(mi.mask, this.config.maskPlanes);
    const satBit = planeBits(mi.mask, 'SAT');
    const rows = trimmed.height;
    const cols = trimmed.width;
    const values = new Float64Array(rows * cols);
    const good = new Uint8Array(rows * cols);
    {
      const im = osView.image.array;
      const m = osView.mask.array;
      let n = 0;
      for (let y = 0; y < rows; y++) {
        for (let x = 0; x < cols; x++) {
          const v = Number(im.data[y * im.stride + x]!);
          values[y * cols + x] = v;
          if ((m.data[y * m.stride + x]! & maskVal) === 0 && Number.isFinite(v)) {
            good[y * cols + x] = 1;
            n++;
          }
        }
      }
      // Pixels far from the overscan median are masked SAT (bleeds into the overscan).
      if (n > 0) {
        const scratch = new Float64Array(n);
        let k = 0;
        for (let i = 0; i < values.length; i++) if (good[i] === 1) scratch[k++] = values[i]!;
        const median = quantile(scratch, n, 0.5);
        const maxDeviation = this.config.maxDeviation;
        for (let y = 0; y < rows; y++) {
          for (let x = 0; x < cols; x++) {
            const i = y * cols + x;
            if (Math.abs(values[i]! - median) > maxDeviation) {
              m.data[y * m.stride + x]! |= satBit;
              if ((satBit & maskVal) !== 0) good[i] = 0;
            }
          }
        }
      }
    }
    const fit = this.fitOverscan(values, good, rows, cols);
    // Subtract from the data rows and the (untrimmed) overscan rows.
    const valueAt = (y: number): number => {
      if (typeof fit.value === 'number') return fit.value;
      const i = y - trimmed.minY;
      if (i < 0 || i >= fit.value.length) {
        throw new IpIsrGeometryError(`Amplifier '${amp.name}': row ${y} of the data has no overscan row (the overscan covers rows ${trimmed.minY}..${trimmed.maxY}).`);
      }
      return fit.value[i]!;
    };
    const subtract = (box: Box2I): number | Float64Array => {
      const view = mi.image.subset(box).array;
      const perRow = typeof fit.value === 'number' ? fit.value : new Float64Array(box.height);
      for (let y = 0; y < box.height; y++) {
        const v = valueAt(box.minY + y);
        if (typeof perRow !== 'number') perRow[y] = v;
        const o = y * view.stride;
        for (let x = 0; x < box.width; x++) view.data[o + x] = view.data[o + x]! - v;
      }
      return perRow;
    };
    const imageFit = subtract(dataBBox);
    const overscanFit = subtract(oscanBBox);
    const overscanImage = mi.subset(oscanBBox);
    const residual = this.#statistics(overscanImage, maskVal);
    let overscanMean: number;
    let overscanMedian: number;
    let overscanSigma: number;
    if (typeof fit.value === 'number') {
      overscanMean = overscanMedian = fit.value;
      overscanSigma = 0;
    } else {
      const s = makeStatistics(fit.value, { properties: ['MEAN', 'MEDIAN', 'STDEVCLIP'], numSigmaClip: this.config.numSigmaClip });
      overscanMean = s.getValue('MEAN');
      overscanMedian = s.getValue('MEDIAN');
      overscanSigma = s.getValue('STDEVCLIP');
    }
    return new Struct<OverscanResult>({
      imageFit,
      overscanFit,
      overscanImage,
      overscanValue: fit.value,
      overscanMean,
      overscanMedian,
      overscanSigma,
      residualMean: residual.mean,
      residualMedian: residual.median,
      residualSigma: residual.sigma,
    });
  }

  /**
   * The overscan box without the skipped leading (next to the data) and trailing columns.
   *
   * @param amp - the amplifier (its raw data box says which side is leading)
   * @param bbox - the overscan box
   * @returns the trimmed box
   * @throws {@link IpIsrGeometryError} when nothing is left
   * @see lsst.ip.isr.overscan.OverscanCorrectionTask.trimOverscan
   */
  trimOverscan(amp: Amplifier, bbox: Box2I): Box2I {
    const { leadingColumnsToSkip: lead, trailingColumnsToSkip: trail } = this.config;
    let dx0 = 0;
    let dx1 = 0;
    if (amp.rawDataBBox.getBeginX() < bbox.getBeginX()) {
      dx0 += lead;
      dx1 -= trail;
    } else {
      dx0 += trail;
      dx1 -= lead;
    }
    const width = bbox.width - dx0 + dx1;
    if (width <= 0) {
      throw new IpIsrGeometryError(`Amplifier '${amp.name}': skipping ${lead} leading and ${trail} trailing columns leaves nothing of the ${bbox.width}-column overscan.`);
    }
    return Box2I.fromCorner(bbox.getMin().add(new Extent2I(dx0, 0)), new Extent2I(width, bbox.height));
  }

  /**
   * Fits the overscan pixels (`rows × cols`, row-major, `good` = usable).
   *
   * @param values - the pixel values
   * @param good - 1 where usable
   * @param rows - number of rows
   * @param cols - number of columns
   * @returns the constant or the per-row fit
   * @internal
   */
  fitOverscan(values: Float64Array, good: Uint8Array, rows: number, cols: number): { value: number | Float64Array } {
    const { fitType, overscanIsInt, numSigmaClip } = this.config;
    if (fitType === 'MEAN' || fitType === 'MEANCLIP' || fitType === 'MEDIAN') {
      const data = fitType === 'MEDIAN' && overscanIsInt ? values.map(Math.trunc) : values;
      const mask = new Int32Array(good.length);
      for (let i = 0; i < good.length; i++) mask[i] = good[i] === 1 ? 0 : 1;
      const value = makeStatistics(data, { properties: [fitType], mask, andMask: 1, numSigmaClip }).getValue(fitType);
      return { value };
    }
    const use = this.#maskOutliers(values, good, rows, cols);
    const collapsed = new Float64Array(rows);
    const scratch = new Float64Array(cols);
    for (let y = 0; y < rows; y++) {
      let n = 0;
      let sum = 0;
      for (let x = 0; x < cols; x++) {
        const i = y * cols + x;
        if (use[i] !== 1) continue;
        const v = fitType === 'MEDIAN_PER_ROW' && overscanIsInt ? Math.trunc(values[i]!) : values[i]!;
        scratch[n++] = v;
        sum += v;
      }
      collapsed[y] = n === 0 ? NaN : fitType === 'MEDIAN_PER_ROW' ? quantile(scratch, n, 0.5) : sum / n;
    }
    fillMaskedRows(collapsed);
    if (fitType === 'MEDIAN_PER_ROW') return { value: collapsed };
    const indices = new Float64Array(rows);
    for (let i = 0; i < rows; i++) indices[i] = (2 * i) / rows - 1;
    if (fitType === 'POLY' || fitType === 'CHEB' || fitType === 'LEG') {
      const coeffs = leastSquares(indices, collapsed, this.config.order, fitType);
      const out = new Float64Array(rows);
      for (let i = 0; i < rows; i++) out[i] = evalBasis(indices[i]!, coeffs, fitType);
      return { value: out };
    }
    return { value: this.#splineFit(indices, collapsed, fitType) };
  }

  // Spline through the means of `order` equal-width bins of the row index (numpy histogram bins).
  #splineFit(indices: Float64Array, collapsed: Float64Array, style: InterpStyle): Float64Array {
    const numBins = Math.max(1, this.config.order);
    const n = indices.length;
    const lo = indices[0]!;
    const hi = indices[n - 1]!;
    const count = new Float64Array(numBins);
    const sumV = new Float64Array(numBins);
    const sumX = new Float64Array(numBins);
    for (let i = 0; i < n; i++) {
      let b = hi > lo ? Math.floor(((indices[i]! - lo) / (hi - lo)) * numBins) : 0;
      if (b >= numBins) b = numBins - 1;
      count[b]! += 1;
      sumV[b]! += collapsed[i]!;
      sumX[b]! += indices[i]!;
    }
    const xs: number[] = [];
    const ys: number[] = [];
    for (let b = 0; b < numBins; b++) {
      if (count[b]! > 0) {
        xs.push(sumX[b]! / count[b]!);
        ys.push(sumV[b]! / count[b]!);
      }
    }
    if (xs.length < 5) {
      this.log.warn(`Cannot do spline fitting for overscan: ${xs.length} valid points; using a constant.`);
      return new Float64Array(n).fill(ys.length > 0 ? ys[0]! : 0);
    }
    return makeInterpolate(xs, ys, style).interpolateVector(indices);
  }

  // ip_isr's maskOutliers: per-row median ± numSigmaClip × robust sigma (0.74 IQR, capped at
  // twice the median sigma), computed from all pixels of the row; combined with the input mask.
  #maskOutliers(values: Float64Array, good: Uint8Array, rows: number, cols: number): Uint8Array {
    const med = new Float64Array(rows);
    const sig = new Float64Array(rows);
    const row = new Float64Array(cols);
    for (let y = 0; y < rows; y++) {
      row.set(values.subarray(y * cols, (y + 1) * cols));
      const q1 = quantile(row, cols, 0.25);
      const q2 = quantile(row, cols, 0.5);
      const q3 = quantile(row, cols, 0.75);
      med[y] = q2;
      sig[y] = 0.74 * (q3 - q1);
    }
    const medSig = quantile(Float64Array.from(sig), rows, 0.5);
    const use = Uint8Array.from(good);
    for (let y = 0; y < rows; y++) {
      const s = sig[y]! > 2 * medSig ? medSig : sig[y]!;
      const lim = this.config.numSigmaClip * s;
      for (let x = 0; x < cols; x++) {
        const i = y * cols + x;
        if (Math.abs(values[i]! - med[y]!) > lim) use[i] = 0;
      }
    }
    return use;
  }

  #statistics(overscan: MaskedImage<PixelArray>, maskVal: number): { mean: number; median: number; sigma: number } {
    const im = overscan.image.array;
    const m = overscan.mask.array;
    const vals = new Float64Array(im.width * im.height);
    const mask = new Int32Array(im.width * im.height);
    for (let y = 0; y < im.height; y++) {
      for (let x = 0; x < im.width; x++) {
        vals[y * im.width + x] = Number(im.data[y * im.stride + x]!);
        mask[y * im.width + x] = m.data[y * m.stride + x]! & maskVal;
      }
    }
    const s = makeStatistics(vals, { properties: ['MEAN', 'MEDIAN', 'STDEVCLIP'], mask, andMask: maskVal, numSigmaClip: this.config.numSigmaClip });
    return { mean: s.getValue('MEAN'), median: s.getValue('MEDIAN'), sigma: s.getValue('STDEVCLIP') };
  }
}

/**
 * Fills NaN entries of a per-row vector with the median of up to 5 values on each side of each
 * NaN run (or the median of all values when there are none), as ip_isr's `fillMaskedPixels`.
 */
function fillMaskedRows(v: Float64Array): void {
  const n = v.length;
  const finite: number[] = [];
  for (let i = 0; i < n; i++) if (!Number.isNaN(v[i]!)) finite.push(v[i]!);
  if (finite.length === n) return;
  const all = Float64Array.from(finite);
  const fallback = all.length > 0 ? quantile(all, all.length, 0.5) : 0;
  let i = 0;
  while (i < n) {
    if (!Number.isNaN(v[i]!)) {
      i++;
      continue;
    }
    const start = i;
    while (i < n && Number.isNaN(v[i]!)) i++;
    const hood: number[] = [];
    if (start > 5) for (let k = start - 5; k < start; k++) hood.push(v[k]!);
    if (i < n - 5) for (let k = i; k < i + 5; k++) if (!Number.isNaN(v[k]!)) hood.push(v[k]!);
    const h = Float64Array.from(hood.filter((x) => !Number.isNaN(x)));
    const fill = h.length > 0 ? quantile(h, h.length, 0.5) : fallback;
    for (let k = start; k < i; k++) v[k] = fill;
  }
}

function basis(x: number, order: number, kind: 'POLY' | 'CHEB' | 'LEG', out: Float64Array): void {
  out[0] = 1;
  if (order >= 1) out[1] = x;
  for (let k = 2; k <= order; k++) {
    if (kind === 'POLY') out[k] = out[k - 1]! * x;
    else if (kind === 'CHEB') out[k] = 2 * x * out[k - 1]! - out[k - 2]!;
    else out[k] = ((2 * k - 1) * x * out[k - 1]! - (k - 1) * out[k - 2]!) / k;
  }
}

function evalBasis(x: number, coeffs: Float64Array, kind: 'POLY' | 'CHEB' | 'LEG'): number {
  const b = new Float64Array(coeffs.length);
  basis(x, coeffs.length - 1, kind, b);
  let s = 0;
  for (let k = 0; k < coeffs.length; k++) s += coeffs[k]! * b[k]!;
  return s;
}

/** Least-squares coefficients of degree `order` in the given basis (normal equations, Cholesky-free Gauss elimination with pivoting). */
function leastSquares(x: Float64Array, y: Float64Array, order: number, kind: 'POLY' | 'CHEB' | 'LEG'): Float64Array {
  const m = Math.max(0, Math.min(order, x.length - 1)) + 1;
  const a = new Float64Array(m * m);
  const r = new Float64Array(m);
  const b = new Float64Array(m);
  for (let i = 0; i < x.length; i++) {
    basis(x[i]!, m - 1, kind, b);
    for (let p = 0; p < m; p++) {
      r[p]! += b[p]! * y[i]!;
      for (let q = 0; q < m; q++) a[p * m + q]! += b[p]! * b[q]!;
    }
  }
  // Gaussian elimination with partial pivoting.
  for (let c = 0; c < m; c++) {
    let piv = c;
    for (let k = c + 1; k < m; k++) if (Math.abs(a[k * m + c]!) > Math.abs(a[piv * m + c]!)) piv = k;
    if (piv !== c) {
      for (let q = 0; q < m; q++) [a[c * m + q], a[piv * m + q]] = [a[piv * m + q]!, a[c * m + q]!];
      [r[c], r[piv]] = [r[piv]!, r[c]!];
    }
    const d = a[c * m + c]!;
    for (let k = c + 1; k < m; k++) {
      const f = a[k * m + c]! / d;
      for (let q = c; q < m; q++) a[k * m + q]! -= f * a[c * m + q]!;
      r[k]! -= f * r[c]!;
    }
  }
  const coeffs = new Float64Array(m);
  for (let c = m - 1; c >= 0; c--) {
    let s = r[c]!;
    for (let q = c + 1; q < m; q++) s -= a[c * m + q]! * coeffs[q]!;
    coeffs[c] = s / a[c * m + c]!;
  }
  return coeffs;
}
