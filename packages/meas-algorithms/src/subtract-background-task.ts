import type { Exposure, MaskedImage, PixelArray } from '@skystack/afw-image';
import type { BackgroundModel} from '@skystack/kernels';
import { allocShared, makeBackground, makeStatistics } from '@skystack/kernels';
import { Box2I, Point2I } from '@skystack/geom';
import { ChoiceField, Config, Field, ListField, RangeField } from '@skystack/pex-config';
import { Struct, Task, type TaskOptions } from '@skystack/pipe-base';
import { BackgroundList } from './background-list.js';
import { MeasAlgorithmsNoDataError } from './errors.js';

/**
 * Configuration of {@link SubtractBackgroundTask}, with LSST's fields and defaults.
 *
 * @see lsst.meas.algorithms.subtractBackground.SubtractBackgroundConfig
 */
export class SubtractBackgroundConfig extends Config {
  /** Type of statistic to estimate pixel value for the grid points. */
  statisticsProperty = ChoiceField({
    doc: 'type of statistic to use for grid points',
    dtype: 'str',
    default: 'MEANCLIP',
    allowed: { MEANCLIP: 'clipped mean', MEAN: 'unclipped mean', MEDIAN: 'median' },
  });
  /** Behaviour if there are too few points in the grid for the requested interpolation style. */
  undersampleStyle = ChoiceField({
    doc: 'behaviour if there are too few points in grid for requested interpolation style',
    dtype: 'str',
    default: 'REDUCE_INTERP_ORDER',
    allowed: {
      THROW_EXCEPTION: 'throw an exception if there are too few points',
      REDUCE_INTERP_ORDER: 'use an interpolation style with a lower order.',
      INCREASE_NXNYSAMPLE: 'Increase the number of samples used to make the interpolation grid.',
    },
  });
  /** How large a region of the sky should be used for each background point. */
  binSize = RangeField({ doc: 'how large a region of the sky should be used for each background point', dtype: 'int', default: 128, min: 1 });
  /** Sky region size along x for each background point (0: binSize). */
  binSizeX = RangeField({ doc: 'Sky region size to be used for each background point in X direction. If 0, the binSize config is used.', dtype: 'int', default: 0, min: 0 });
  /** Sky region size along y for each background point (0: binSize). */
  binSizeY = RangeField({ doc: 'Sky region size to be used for each background point in Y direction. If 0, the binSize config is used.', dtype: 'int', default: 0, min: 0 });
  /** How to interpolate the background values. */
  algorithm = ChoiceField({
    doc: 'how to interpolate the background values. This maps to an enum; see afw::math::Background',
    dtype: 'str',
    default: 'AKIMA_SPLINE',
    allowed: {
      CONSTANT: 'Use a single constant value',
      LINEAR: 'Use linear interpolation',
      NATURAL_SPLINE: 'cubic spline with zero second derivative at endpoints',
      AKIMA_SPLINE: 'higher-level nonlinear spline that is more robust to outliers',
    },
  });
  /** Names of mask planes to ignore while estimating the background. */
  ignoredPixelMask = ListField({
    doc: 'Names of mask planes to ignore while estimating the background',
    dtype: 'str',
    default: ['BAD', 'EDGE', 'DETECTED', 'DETECTED_NEGATIVE', 'NO_DATA'],
  });
  /** Ignore NaNs when estimating the background. */
  isNanSafe = Field.bool({ doc: 'Ignore NaNs when estimating the background', default: false });
  /** Use Approximate (Chebyshev) to model background rather than Interpolate. */
  useApprox = Field.bool({ doc: 'Use Approximate (Chebyshev) to model background.', default: true });
  /** Approximation order in X for background Chebyshev (valid only with useApprox=True). */
  approxOrderX = Field.int({ doc: 'Approximation order in X for background Chebyshev (valid only with useApprox=True)', default: 6 });
  /** Approximation order in Y (-1: the X order; afw requires them equal). */
  approxOrderY = Field.int({ doc: 'Approximation order in Y for background Chebyshev (valid only with useApprox=True)', default: -1 });
  /** Use inverse variance weighting in calculation (valid only with useApprox=True). */
  weighting = Field.bool({ doc: 'Use inverse variance weighting in calculation (valid only with useApprox=True)', default: true });
}

/** What {@link SubtractBackgroundTask.run} returns. */
export interface SubtractBackgroundResult {
  /** The background list, with the new model appended. */
  readonly background: BackgroundList;
}

/**
 * Fits a smooth background to an image (binned clipped means, then a Chebyshev approximation
 * or an interpolation, through {@link @skystack/kernels!makeBackground}) and subtracts it.
 *
 * @example
 * ```ts
 * const task = new SubtractBackgroundTask();
 * const { background } = task.run(exposure);        // exposure is now background-subtracted
 * background.getImage();                            // the sky that was removed
 * exposure.metadata.get('BGMEAN');                  // its mean
 * ```
 * @see lsst.meas.algorithms.subtractBackground.SubtractBackgroundTask
 */
export class SubtractBackgroundTask extends Task<SubtractBackgroundConfig> {
  /** {@link SubtractBackgroundConfig}. */
  static override ConfigClass = SubtractBackgroundConfig;
  /** `subtractBackground`. */
  static override _DefaultName: string | undefined = 'subtractBackground';

  /**
   * Makes the task.
   *
   * @param options - Task options
   */
  constructor(options: TaskOptions<SubtractBackgroundConfig> = {}) {
    super(options);
  }

  /**
   * Fits the background of an exposure, subtracts it in place, appends the model to
   * `background` and (with `stats`) records the mean and variance of the total background image
   * in the exposure's metadata as `BGMEAN` and `BGVAR`.
   *
   * @param exposure - the exposure (its image is modified)
   * @param background - a list to append to (default a new one)
   * @param stats - record `BGMEAN`/`BGVAR` (default true)
   * @returns a struct with `background`
   * @throws {@link MeasAlgorithmsNoDataError} when every pixel is masked
   * @see lsst.meas.algorithms.subtractBackground.SubtractBackgroundTask.run
   */
  run(exposure: Exposure<PixelArray>, background: BackgroundList = new BackgroundList(), stats = true): Struct<SubtractBackgroundResult> {
    return this.timer('run', () => {
      const maskedImage = exposure.maskedImage;
      const fitBg = this.fitBackground(maskedImage);
      // The list's sum is this model's image when it is the only one: its moments are summed
      // while the bands are subtracted (no full-size background image).
      const sums = stats && background.length === 0 ? new BandSums() : undefined;
      subtractModel(maskedImage, fitBg, -1, sums);
      background.append(fitBg);
      if (stats) {
        const { mean, variance } = sums?.moments() ?? moments(background.getImage().array.data);
        exposure.metadata.set('BGMEAN', mean);
        exposure.metadata.set('BGVAR', variance);
      }
      return new Struct({ background });
    });
  }

  /**
   * Measures the background model of a masked image (not subtracted): bins of `binSize`
   * (`floor(size / binSize) + 1` bins per axis unless `nx`/`ny` are given), the configured
   * statistic over the pixels without any `ignoredPixelMask` bit, then the approximation or
   * interpolation the config asks for.
   *
   * @param maskedImage - the image
   * @param nx - the number of bins along x (0: from the bin size)
   * @param ny - the number of bins along y (0: from the bin size)
   * @param algorithm - the interpolation style (default: the config's)
   * @returns the model
   * @throws {@link MeasAlgorithmsNoDataError} when every pixel is masked
   * @see lsst.meas.algorithms.subtractBackground.SubtractBackgroundTask.fitBackground
   */
  fitBackground(maskedImage: MaskedImage<PixelArray>, nx = 0, ny = 0, algorithm?: SubtractBackgroundConfig['algorithm']): BackgroundModel {
    const c = this.config;
    const mask = maskedImage.mask;
    const badMask = mask.getPlaneBitMask(c.ignoredPixelMask);
    const maskPixels = mask.compactPixels();
    let anyGood = false;
    for (let i = 0; i < maskPixels.length; i++) {
      if ((maskPixels[i]! & badMask) === 0) {
        anyGood = true;
        break;
      }
    }
    if (!anyGood) {
      throw new MeasAlgorithmsNoDataError(`All pixels masked (with any of ${c.ignoredPixelMask.join(', ')}). Cannot estimate background.`);
    }
    const raw = maskedImage.image.compactPixels();
    const image = raw instanceof Float32Array ? raw : Float32Array.from(raw as ArrayLike<number>);
    const xy0 = maskedImage.getXY0();
    return makeBackground(image, maskedImage.getWidth(), maskedImage.getHeight(), {
      binSize: c.binSize,
      binSizeX: c.binSizeX,
      binSizeY: c.binSizeY,
      ...(nx > 0 ? { nxSample: nx } : {}),
      ...(ny > 0 ? { nySample: ny } : {}),
      statisticsProperty: c.statisticsProperty,
      interpStyle: algorithm ?? c.algorithm,
      undersampleStyle: c.undersampleStyle,
      mask: maskPixels,
      andMask: badMask,
      nanSafe: c.isNanSafe,
      approx: { useApprox: c.useApprox, approxOrderX: c.approxOrderX, approxOrderY: c.approxOrderY, weighting: c.weighting },
      x0: xy0.getX(),
      y0: xy0.getY(),
    });
  }
}

/**
 * Subtracts a background model from a masked image in place (image plane only).
 *
 * @param maskedImage - the image, covering the model's area
 * @param model - the model
 * @param sign - -1 (default) subtracts, +1 adds back
 * @param sums - where to add the model's values (for their mean and variance), if given
 * @example
 * ```ts
 * subtractModel(exposure.maskedImage, task.fitBackground(exposure.maskedImage));
 * const sums = new BandSums();
 * subtractModel(exposure.maskedImage, model, -1, sums);
 * sums.moments().mean; // the model's mean over the image
 * ```
 */
export function subtractModel(maskedImage: MaskedImage<PixelArray>, model: BackgroundModel, sign = -1, sums?: BandSums): void {
  // Evaluated in bands of rows (the same values as one getImage, without a full-size buffer).
  const { x0, y0, width, height } = model.bbox;
  // (one band buffer for all bands: no fresh pages to fault in for each; shared, so that a
  // worker-thread kernel backend writes it directly)
  const rows = Math.min(height, maskedImage.getHeight());
  const buffer = allocShared(Float32Array, Math.min(rows, SUBTRACT_BAND_ROWS) * width);
  for (let r0 = 0; r0 < rows; r0 += SUBTRACT_BAND_ROWS) {
    const r1 = Math.min(rows, r0 + SUBTRACT_BAND_ROWS);
    const band = model.getImage(new Box2I(new Point2I(x0, y0 + r0), new Point2I(x0 + width - 1, y0 + r1 - 1)), buffer);
    sums?.add(band, (r1 - r0) * width);
    addPixels(maskedImage, band, width, sign, r0);
  }
}

/** Rows of background evaluated at a time by {@link subtractModel}. */
const SUBTRACT_BAND_ROWS = 128;

/**
 * The running moments of the background values {@link subtractModel} evaluates, band by band:
 * sums of `v − c` and `(v − c)²` in two interleaved lanes about a centre `c` (the mean of the
 * first band), finished as {@link @skystack/kernels!makeStatistics}' MEAN and VARIANCE are.
 *
 * @example
 * ```ts
 * const sums = new BandSums();
 * sums.add(band, band.length);
 * const { mean, variance } = sums.moments();
 * ```
 */
export class BandSums {
  readonly #acc = new Float64Array(5); // [s0, q0, s1, q1, n]
  #center = NaN;

  /**
   * Adds the first `n` values of a band.
   *
   * @param band - the values
   * @param n - how many
   */
  add(band: Float32Array, n: number): void {
    if (Number.isNaN(this.#center)) {
      let s = 0;
      for (let i = 0; i < n; i++) s += band[i]!;
      this.#center = n > 0 && Number.isFinite(s) ? s / n : 0;
    }
    accumulateBand(band, n, this.#center, this.#acc);
  }

  /**
   * The mean and the (unbiased) variance of the values added.
   *
   * @returns mean and variance (NaN when fewer than two values)
   */
  moments(): BackgroundMoments {
    const a = this.#acc;
    const n = a[4]!;
    const mean = (a[0]! + a[2]!) / n;
    const variance = (((a[1]! + a[3]!) / n - mean * mean) * (n * n)) / (n * n - n);
    return { mean: mean + this.#center, variance };
  }
}

/** `acc += Σ (v − c), Σ (v − c)²` over `band[0, n)`, even and odd offsets in two lanes. */
function accumulateBand(band: Float32Array, n: number, c: number, acc: Float64Array): void {
  let s0 = acc[0]!;
  let q0 = acc[1]!;
  let s1 = acc[2]!;
  let q1 = acc[3]!;
  let k = 0;
  for (; k + 1 < n; k += 2) {
    const d0 = band[k]! - c;
    const d1 = band[k + 1]! - c;
    s0 += d0;
    q0 += d0 * d0;
    s1 += d1;
    q1 += d1 * d1;
  }
  if (k < n) {
    const d = band[k]! - c;
    s0 += d;
    q0 += d * d;
  }
  acc[0] = s0;
  acc[1] = q0;
  acc[2] = s1;
  acc[3] = q1;
  acc[4] = acc[4]! + n;
}

/** The mean and variance of a background image ({@link BandSums.moments}). */
export interface BackgroundMoments {
  /** The mean. */
  readonly mean: number;
  /** The unbiased variance. */
  readonly variance: number;
}

/** MEAN and VARIANCE of a whole array ({@link @skystack/kernels!makeStatistics}). */
function moments(values: Float32Array): BackgroundMoments {
  const s = makeStatistics(values, { properties: ['MEAN', 'VARIANCE'] });
  return { mean: s.getValue('MEAN'), variance: s.getValue('VARIANCE') };
}

/**
 * Adds `sign ×` background rows (compact, the masked image's width) to the image plane, starting
 * at local row `row0`.
 */
function addPixels(maskedImage: MaskedImage<PixelArray>, bg: Float32Array, bgWidth: number, sign: number, row0: number): void {
  const { data, width, stride } = maskedImage.image.array;
  const height = Math.min(maskedImage.getHeight() - row0, Math.floor(bg.length / bgWidth));
  if (data instanceof Float32Array) {
    // the usual image type: one small monomorphic function per row, optimised from the first rows
    for (let y = row0; y < row0 + height; y++) addRow(data, y * stride, bg, (y - row0) * bgWidth, width, sign);
    return;
  }
  for (let y = row0; y < row0 + height; y++) {
    const r = y * stride;
    const rb = (y - row0) * bgWidth;
    for (let x = 0; x < width; x++) data[r + x] = (data[r + x] as number) + sign * bg[rb + x]!;
  }
}

/** `data[r + x] += sign · bg[rb + x]` for `x < width`. */
function addRow(data: Float32Array, r: number, bg: Float32Array, rb: number, width: number, sign: number): void {
  for (let x = 0; x < width; x++) data[r + x] = data[r + x]! + sign * bg[rb + x]!;
}
