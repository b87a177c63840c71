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
      // while it is subtracted (no full-size background image).
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
 * Subtracts a background model from a masked image in place (image plane only). A Chebyshev
 * approximation is added straight into a float32 image ({@link @skystack/kernels!BackgroundModel.addImage},
 * no intermediate buffer); other models are evaluated in bands of rows and added from there.
 * Either way each pixel becomes `fround(p + sign · v)` with `v` the model's float32 value.
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
  const { x0, y0, width, height } = model.bbox;
  const rows = Math.min(height, maskedImage.getHeight());
  const { data, stride } = maskedImage.image.array;
  const approx = model.getApproximation();
  if (approx !== undefined && data instanceof Float32Array && maskedImage.getWidth() === width) {
    if (rows <= 0 || width <= 0) return;
    const box = new Box2I(new Point2I(x0, y0), new Point2I(x0 + width - 1, y0 + rows - 1));
    if (sums === undefined) {
      model.addImage(data, sign, { bbox: box, stride });
      return;
    }
    // the sums about the model's value at the image centre (close to its mean: small terms)
    const centre = Math.fround(approx.evaluate(0.5 * (width - 1), 0.5 * (rows - 1)));
    const center = sums.centerOn(Number.isFinite(centre) ? centre : 0);
    const rowSums = new Float64Array(4 * rows);
    model.addImage(data, sign, { bbox: box, stride, center, rowSums });
    sums.addRows(rowSums, rows, width);
    return;
  }
  // Evaluated in bands of rows (the same values as one getImage, without a full-size buffer).
  // (one band buffer for all bands: no fresh pages to fault in for each; shared, so that a
  // worker-thread kernel backend writes it directly)
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
 * The running moments of the background values {@link subtractModel} adds: sums of `v − c` and
 * `(v − c)²` about a centre `c`, in two lanes (even and odd positions), finished as
 * {@link @skystack/kernels!makeStatistics}' MEAN and VARIANCE are. The sums come either from
 * bands of values ({@link BandSums.add}: the lanes are even and odd offsets in the band) or
 * from per-row sums ({@link BandSums.addRows}: even and odd columns of each row, as
 * {@link @skystack/kernels!BackgroundModel.addImage} writes them), combined in row order; so
 * the result does not depend on how the rows were split between threads. The centre is the
 * mean of the first band added, or the value given to {@link BandSums.centerOn}.
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

  /** The centre `c` of the sums (NaN until the first values or {@link BandSums.centerOn}). */
  get center(): number {
    return this.#center;
  }

  /**
   * Sets the centre of the sums unless one is already set.
   *
   * @param c - the centre (best near the mean of the values)
   * @returns the centre in use (the sums given to {@link BandSums.addRows} must be about it)
   */
  centerOn(c: number): number {
    if (Number.isNaN(this.#center)) this.#center = c;
    return this.#center;
  }

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
   * Adds per-row sums about {@link BandSums.center}, in row order.
   *
   * @param rowSums - for each row `r`, at `4r`: `[Σ (v − c) even x, Σ (v − c) odd x, Σ (v − c)² even x, Σ (v − c)² odd x]`
   * @param rows - the number of rows
   * @param width - values per row
   */
  addRows(rowSums: Float64Array, rows: number, width: number): void {
    const a = this.#acc;
    let s0 = a[0]!;
    let q0 = a[1]!;
    let s1 = a[2]!;
    let q1 = a[3]!;
    for (let r = 0; r < rows; r++) {
      s0 += rowSums[4 * r]!;
      s1 += rowSums[4 * r + 1]!;
      q0 += rowSums[4 * r + 2]!;
      q1 += rowSums[4 * r + 3]!;
    }
    a[0] = s0;
    a[1] = q0;
    a[2] = s1;
    a[3] = q1;
    a[4] = a[4]! + rows * width;
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
