import type { Box2I } from '@skystack/geom';
import { makeCulledInterpolate, type UndersampleStyle } from './backend-ops.js';
import { fitChebyshev2d, type Chebyshev2d } from './chebyshev.js';
import { KernelsInvalidArgumentError, KernelsUndersampledError } from './errors.js';
import { lookupMaxInterpStyle, lookupMinInterpPoints, INTERP_STYLES, type Interpolate, type InterpStyle } from './interpolate.js';
import { cpuBackend, getDefaultBackend, type KernelBackend } from './kernel-backend.js';
import { allocShared } from './shared-arrays.js';
import { checkStridedBox } from './strided-box.js';

export type { UndersampleStyle } from './backend-ops.js';

/** The statistics a background bin may use (meas_algorithms' `statisticsProperty` choices). */
export type BackgroundStatistic = 'MEANCLIP' | 'MEAN' | 'MEDIAN';

/** afw's `ApproximateControl`: a Chebyshev fit to the binned values instead of interpolation. */
export interface ApproximateControl {
  /** Use the approximation (default false, as afw's BackgroundControl; meas_algorithms' config default is true). */
  readonly useApprox?: boolean;
  /** Chebyshev order in x (default 6, meas_algorithms' default). */
  readonly approxOrderX?: number;
  /** Chebyshev order in y; -1 (default) = `approxOrderX`. afw requires equal orders. */
  readonly approxOrderY?: number;
  /** Weight bins by `1 / variance-plane value` (default true). */
  readonly weighting?: boolean;
}

/**
 * afw's `BackgroundControl` (with `StatisticsControl` and `ApproximateControl`) and
 * meas_algorithms' bin-size rule.
 */
export interface BackgroundControl {
  /** Bin size in pixels along both axes (default 128). */
  readonly binSize?: number;
  /** Bin size along x (default `binSize`; 0 = `binSize`). */
  readonly binSizeX?: number;
  /** Bin size along y (default `binSize`; 0 = `binSize`). */
  readonly binSizeY?: number;
  /** Number of bins along x (overrides the bin size: afw's `nxSample`). */
  readonly nxSample?: number;
  /** Number of bins along y (afw's `nySample`). */
  readonly nySample?: number;
  /** The statistic of each bin (default MEANCLIP). */
  readonly statisticsProperty?: BackgroundStatistic;
  /** Interpolation style (default AKIMA_SPLINE). */
  readonly interpStyle?: InterpStyle;
  /** Behaviour with too few bins for the style or order (default REDUCE_INTERP_ORDER). */
  readonly undersampleStyle?: UndersampleStyle;
  /** Mask pixels, `width * height`. */
  readonly mask?: Int32Array;
  /** Mask bits that exclude a pixel from the bin statistics (default 0). */
  readonly andMask?: number;
  /** Clipping sigma for MEANCLIP (default 3). */
  readonly numSigmaClip?: number;
  /** Clipping passes for MEANCLIP (default 3). */
  readonly numIter?: number;
  /** Skip NaN/Infinity pixels (default true). */
  readonly nanSafe?: boolean;
  /** The Chebyshev approximation settings. */
  readonly approx?: ApproximateControl;
  /** PARENT x of the image's first column (default 0). */
  readonly x0?: number;
  /** PARENT y of the image's first row (default 0). */
  readonly y0?: number;
  /** The backend for the bin statistics and the image evaluation (default {@link getDefaultBackend}). */
  readonly backend?: KernelBackend;
}

/** The control with every default filled in (what a model was made with; persistable). */
export interface ResolvedBackgroundControl {
  /** Statistic of each bin. */
  readonly statisticsProperty: BackgroundStatistic;
  /** Interpolation style. */
  readonly interpStyle: InterpStyle;
  /** Undersample behaviour. */
  readonly undersampleStyle: UndersampleStyle;
  /** Mask bits ignored. */
  readonly andMask: number;
  /** Clipping sigma. */
  readonly numSigmaClip: number;
  /** Clipping passes. */
  readonly numIter: number;
  /** Non-finite pixels skipped. */
  readonly nanSafe: boolean;
  /** Whether the Chebyshev approximation is used. */
  readonly useApprox: boolean;
  /** Chebyshev order as used (after any REDUCE_INTERP_ORDER reduction). */
  readonly approxOrderX: number;
  /** Chebyshev order in y as used. */
  readonly approxOrderY: number;
  /** Inverse-variance weighting of the fit. */
  readonly weighting: boolean;
}

/**
 * The binned background values, as afw's `BackgroundMI.getStatsImage()` (persisted in
 * `calexpBackground`): `ny` rows of `nx` values, float32 as afw stores them. Following afw, the
 * `variance` plane holds the statistic's *error* (what `makeStatistics(...).getResult()` returns
 * as its second element), not its square; the approximation's weights are `1 / variance`.
 */
export interface BackgroundStats {
  /** Bins along x. */
  readonly nx: number;
  /** Bins along y. */
  readonly ny: number;
  /** The statistic of each bin (`iY * nx + iX`); NaN for a bin without good pixels. */
  readonly values: Float32Array;
  /** The afw "variance" plane (the statistic's error) of each bin. */
  readonly variance: Float32Array;
}

/** The geometry of the binning: per-axis origins, sizes and centres (local pixel coordinates). */
export interface BinGeometry {
  /** First pixel of each bin. */
  readonly orig: Int32Array;
  /** Pixels in each bin. */
  readonly size: Int32Array;
  /** Centre of each bin, `orig + size / 2 - 0.5`. */
  readonly cen: Float64Array;
}

/**
 * afw's bin layout along one axis (`Background::_setCenOrigSize`): bin `i` ends at
 * `min(((i + 1) · length + n / 2) / n, length)` (integer division), so bins differ by at most one
 * pixel; its centre is `orig + size / 2 - 0.5`.
 *
 * @param length - pixels along the axis
 * @param n - number of bins
 * @returns origins, sizes and centres
 * @throws {@link KernelsInvalidArgumentError} for n < 1 or length < 1
 * @example
 * ```ts
 * binGeometry(4096, 33).cen[0]; // 61.5
 * ```
 * @see lsst.afw.math.Background
 */
export function binGeometry(length: number, n: number): BinGeometry {
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(length) || length < 1) {
    throw new KernelsInvalidArgumentError(`Bins need a length >= 1 and a count >= 1; got ${length} pixels in ${n} bins.`);
  }
  const orig = new Int32Array(n);
  const size = new Int32Array(n);
  const cen = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const end = Math.min(Math.floor(((i + 1) * length + Math.floor(n / 2)) / n), length);
    orig[i] = i === 0 ? 0 : orig[i - 1]! + size[i - 1]!;
    size[i] = end - orig[i]!;
    cen[i] = orig[i]! + 0.5 * size[i]! - 0.5;
  }
  return { orig, size, cen };
}

/**
 * meas_algorithms' number of bins for a bin size: `floor(length / binSize) + 1`.
 *
 * @param length - pixels along the axis
 * @param binSize - bin size, >= 1
 * @returns the number of bins
 * @throws {@link KernelsInvalidArgumentError} for a bin size < 1
 * @example
 * ```ts
 * binsForSize(4096, 128); // 33
 * ```
 * @see lsst.meas.algorithms.SubtractBackgroundTask.fitBackground
 */
export function binsForSize(length: number, binSize: number): number {
  if (!Number.isInteger(binSize) || binSize < 1) {
    throw new KernelsInvalidArgumentError(`A bin size must be an integer >= 1; got ${binSize}.`);
  }
  return Math.floor(length / binSize) + 1;
}

function resolveControl(control: BackgroundControl): ResolvedBackgroundControl {
  const statisticsProperty = control.statisticsProperty ?? 'MEANCLIP';
  if (!['MEANCLIP', 'MEAN', 'MEDIAN'].includes(statisticsProperty)) {
    throw new KernelsInvalidArgumentError(`statisticsProperty must be MEANCLIP, MEAN or MEDIAN; got '${statisticsProperty}'.`);
  }
  const interpStyle = control.interpStyle ?? 'AKIMA_SPLINE';
  if (!INTERP_STYLES.includes(interpStyle)) {
    throw new KernelsInvalidArgumentError(`Unknown interpStyle '${interpStyle}'.`, { hint: `Expected one of ${INTERP_STYLES.join(', ')}.` });
  }
  const undersampleStyle = control.undersampleStyle ?? 'REDUCE_INTERP_ORDER';
  if (!['THROW_EXCEPTION', 'REDUCE_INTERP_ORDER', 'INCREASE_NXNYSAMPLE'].includes(undersampleStyle)) {
    throw new KernelsInvalidArgumentError(`Unknown undersampleStyle '${undersampleStyle}'.`);
  }
  const approx = control.approx ?? {};
  const approxOrderX = approx.approxOrderX ?? 6;
  const oy = approx.approxOrderY ?? -1;
  const approxOrderY = oy < 0 ? approxOrderX : oy;
  if (!Number.isInteger(approxOrderX) || approxOrderX < 0 || approxOrderY !== approxOrderX) {
    throw new KernelsInvalidArgumentError(
      `approxOrderX must be an integer >= 0 and approxOrderY equal to it or -1 (as afw); got ${approxOrderX} and ${oy}.`,
    );
  }
  return {
    statisticsProperty,
    interpStyle,
    undersampleStyle,
    andMask: control.andMask ?? 0,
    numSigmaClip: control.numSigmaClip ?? 3,
    numIter: control.numIter ?? 3,
    nanSafe: control.nanSafe ?? true,
    useApprox: approx.useApprox ?? false,
    approxOrderX,
    approxOrderY,
    weighting: approx.weighting ?? true,
  };
}

/** The area a model covers (PARENT coordinates of its first pixel, and its size). */
export interface BackgroundBBox {
  /** PARENT x of the first column. */
  readonly x0: number;
  /** PARENT y of the first row. */
  readonly y0: number;
  /** Columns. */
  readonly width: number;
  /** Rows. */
  readonly height: number;
}

/** Options of {@link BackgroundModel.addImage}. */
export interface AddImageOptions {
  /** PARENT box inside the model's area (default: the whole area). */
  readonly bbox?: Box2I;
  /** Index in the image of the box's first pixel (default 0). */
  readonly offset?: number;
  /** Elements from one image row to the next (default: the box width). */
  readonly stride?: number;
  /** The centre `c` of the row sums (default 0). */
  readonly center?: number;
  /**
   * Where each row's sums of the added float32 values `v` go (`4 × rows`, row `r` at `4r`:
   * `[Σ (v − c) even x, Σ (v − c) odd x, Σ (v − c)² even x, Σ (v − c)² odd x]`), if given.
   */
  readonly rowSums?: Float64Array;
}

/**
 * A background model (afw's `BackgroundMI`): binned statistics of an image and the rule that
 * turns them into a smooth image, by interpolation (first along y through each column of bins at
 * every pixel row, then along x through those values in each row, as afw's `getImage`) or by a
 * Chebyshev approximation of the bins. Bins without good pixels hold NaN and are left out of the
 * interpolation (their neighbours are interpolated over them); a column or row of bins with no
 * good bin at all gives NaN pixels where nothing else can be interpolated, as in afw.
 *
 * @see lsst.afw.math.BackgroundMI
 */
export class BackgroundModel {
  /** The area the model covers. */
  readonly bbox: BackgroundBBox;
  /** The control as used, defaults filled in. */
  readonly control: ResolvedBackgroundControl;
  /** The bin layout along x. */
  readonly binsX: BinGeometry;
  /** The bin layout along y. */
  readonly binsY: BinGeometry;
  readonly #stats: BackgroundStats;
  readonly #backend: KernelBackend | undefined;
  #approx: Chebyshev2d | undefined;
  #columns: (Interpolate | undefined)[] | undefined;
  #columnsStyle: InterpStyle | undefined;

  /**
   * Use {@link makeBackground} or {@link BackgroundModel.fromStats}.
   *
   * @param bbox - the area
   * @param stats - the binned values
   * @param control - the resolved control
   * @param backend - the backend for `getImage` (default: the default backend at call time)
   * @internal
   */
  constructor(bbox: BackgroundBBox, stats: BackgroundStats, control: ResolvedBackgroundControl, backend?: KernelBackend) {
    this.bbox = { ...bbox };
    this.#stats = stats;
    this.control = control;
    this.binsX = binGeometry(bbox.width, stats.nx);
    this.binsY = binGeometry(bbox.height, stats.ny);
    this.#backend = backend;
  }

  /**
   * Rebuilds a model from persisted binned values (`calexpBackground`) and its control; it
   * evaluates to the same pixels as the model that was saved.
   *
   * @param stats - the binned values and variance plane
   * @param bbox - the area of the original image (PARENT)
   * @param control - the control (interpolation, undersample and approximation settings)
   * @returns the model
   * @throws {@link KernelsInvalidArgumentError} for planes of the wrong size or a bad control
   * @example
   * ```ts
   * const saved = model.getStatsImage();
   * const again = BackgroundModel.fromStats(saved, model.bbox, model.control);
   * ```
   * @see lsst.afw.math.BackgroundMI (constructor from a statsImage)
   */
  static fromStats(stats: BackgroundStats, bbox: BackgroundBBox, control: BackgroundControl | ResolvedBackgroundControl = {}): BackgroundModel {
    const n = stats.nx * stats.ny;
    if (!(stats.nx >= 1 && stats.ny >= 1) || stats.values.length !== n || stats.variance.length !== n) {
      throw new KernelsInvalidArgumentError(
        `Binned background planes must have nx * ny = ${n} values; got ${stats.values.length} and ${stats.variance.length}.`,
      );
    }
    const resolved = resolveControl(toControl(control));
    return new BackgroundModel(bbox, { nx: stats.nx, ny: stats.ny, values: Float32Array.from(stats.values), variance: Float32Array.from(stats.variance) }, resolved, (control as BackgroundControl).backend);
  }

  /**
   * The binned values (a copy), for persistence.
   *
   * @returns values and variance plane, `ny × nx`
   */
  getStatsImage(): BackgroundStats {
    const s = this.#stats;
    return { nx: s.nx, ny: s.ny, values: Float32Array.from(s.values), variance: Float32Array.from(s.variance) };
  }

  /**
   * Bin centres along x in PARENT coordinates.
   *
   * @returns the centres
   */
  getBinCentersX(): Float64Array {
    return this.binsX.cen.map((c) => c + this.bbox.x0);
  }

  /**
   * Bin centres along y in PARENT coordinates.
   *
   * @returns the centres
   */
  getBinCentersY(): Float64Array {
    return this.binsY.cen.map((c) => c + this.bbox.y0);
  }

  /**
   * The Chebyshev series of the approximation (fitted on first use), or undefined when the model
   * interpolates.
   *
   * @returns the series
   * @throws {@link KernelsFitError} when no bin is usable for the fit
   */
  getApproximation(): Chebyshev2d | undefined {
    if (!this.control.useApprox) return undefined;
    if (this.#approx === undefined) {
      const { nx, ny, values, variance } = this.#stats;
      const xs = new Float64Array(nx * ny);
      const ys = new Float64Array(nx * ny);
      const ws = new Float64Array(nx * ny);
      for (let iY = 0; iY < ny; iY++) {
        for (let iX = 0; iX < nx; iX++) {
          const k = iY * nx + iX;
          xs[k] = this.binsX.cen[iX]!;
          ys[k] = this.binsY.cen[iY]!;
          ws[k] = this.control.weighting ? 1 / variance[k]! : 1;
        }
      }
      // afw fits over Box2D(localBBox): [-0.5, width - 0.5] × [-0.5, height - 0.5], local pixels
      this.#approx = fitChebyshev2d(xs, ys, values, {
        orderX: this.control.approxOrderX,
        orderY: this.control.approxOrderY,
        weights: ws,
        triangular: true,
        domain: { minX: -0.5, maxX: this.bbox.width - 0.5, minY: -0.5, maxY: this.bbox.height - 0.5 },
      });
    }
    return this.#approx;
  }

  /**
   * The interpolants along y through each column of bins (undefined where a column has no good
   * bin), built once per model and style: every `getImage` of a sub-box uses the same ones.
   */
  #columnInterpolants(style: InterpStyle): (Interpolate | undefined)[] {
    if (this.#columns !== undefined && this.#columnsStyle === style) return this.#columns;
    const { nx, ny, values } = this.#stats;
    const col = new Float64Array(ny);
    const interps: (Interpolate | undefined)[] = [];
    for (let iX = 0; iX < nx; iX++) {
      for (let iY = 0; iY < ny; iY++) col[iY] = values[iY * nx + iX]!;
      interps.push(makeCulledInterpolate(this.binsY.cen, col, style, this.control.undersampleStyle, `Interpolating column ${iX} in y`));
    }
    this.#columns = interps;
    this.#columnsStyle = style;
    return interps;
  }

  /** A PARENT box (default: the whole area) in the model's local pixels; it must lie inside the area. */
  #localBox(box: Box2I | undefined): { readonly lx0: number; readonly ly0: number; readonly w: number; readonly h: number } {
    const b = this.bbox;
    const lx0 = box === undefined ? 0 : box.minX - b.x0;
    const ly0 = box === undefined ? 0 : box.minY - b.y0;
    const w = box === undefined ? b.width : box.width;
    const h = box === undefined ? b.height : box.height;
    if (lx0 < 0 || ly0 < 0 || lx0 + w > b.width || ly0 + h > b.height) {
      throw new KernelsInvalidArgumentError(
        `The box (${b.x0 + lx0}, ${b.y0 + ly0}) ${w}x${h} is not inside the background's area (${b.x0}, ${b.y0}) ${b.width}x${b.height}.`,
      );
    }
    return { lx0, ly0, w, h };
  }

  /**
   * Evaluates the model on the pixel grid of `bbox` (default: the whole area).
   *
   * @param bbox - PARENT box inside the model's area
   * @param out - where to write the values (its first `bbox.width * bbox.height`; every one is
   *   written): a buffer reused between calls saves allocating (and faulting in) a fresh one
   * @returns `bbox.width * bbox.height` values, row-major (in `out` when given; a new array is
   *   in shared memory when the model's backend is not {@link cpuBackend})
   * @throws {@link KernelsInvalidArgumentError} when the box is not inside the model's area, or
   *   `out` is too short
   * @throws {@link KernelsUndersampledError} with THROW_EXCEPTION and too few bins
   * @example
   * ```ts
   * const sky = model.getImage();
   * for (let k = 0; k < sky.length; k++) pixels[k] -= sky[k];
   * ```
   * @see lsst.afw.math.BackgroundMI.getImage
   */
  getImage(bbox?: Box2I, out?: Float32Array): Float32Array {
    const { lx0, ly0, w, h } = this.#localBox(bbox);
    if (out !== undefined && out.length < w * h) {
      throw new KernelsInvalidArgumentError(`The output buffer has ${out.length} values; the box needs ${w * h} (${w}x${h}).`);
    }
    // with a backend other than the calling thread's, a fresh output lives in shared memory (its
    // workers write it directly instead of into a shared copy that is copied back)
    const fresh = (): Float32Array => ((this.#backend ?? getDefaultBackend()) === cpuBackend ? new Float32Array(w * h) : allocShared(Float32Array, w * h));
    return this.#evaluate(lx0, ly0, w, h, out === undefined ? fresh() : out.length === w * h ? out : out.subarray(0, w * h));
  }

  /**
   * Adds `sign ×` the model into a float32 image in place, without an intermediate buffer: pixel
   * `(x, y)` of `bbox` is `image[offset + (y - bbox.minY) · stride + (x - bbox.minX)]` and becomes
   * `fround(p + sign · v)` with `v` the float32 value {@link BackgroundModel.getImage} gives there
   * (the same bits as adding that image in double precision). Only for a Chebyshev
   * approximation (`useApprox`); with `rowSums`, also writes each row's sums of the added
   * values about `center` (see {@link AddImageOptions.rowSums}).
   *
   * @param image - the image (modified); with a worker-thread backend, best in shared memory
   * @param sign - the factor (-1 subtracts the model, +1 adds it back)
   * @param options - the box, the image layout and the sums
   * @throws {@link KernelsInvalidArgumentError} when the model interpolates, the box is not inside
   *   the model's area, or the image or `rowSums` is too short
   * @example
   * ```ts
   * model.addImage(pixels, -1, { stride: width }); // pixels -= the sky
   * ```
   */
  addImage(image: Float32Array, sign: number, options: AddImageOptions = {}): void {
    const approx = this.getApproximation();
    if (approx === undefined) {
      throw new KernelsInvalidArgumentError('addImage needs a Chebyshev approximation (useApprox: true); this model interpolates.', {
        hint: 'Use getImage and add its values.',
      });
    }
    const { lx0, ly0, w, h } = this.#localBox(options.bbox);
    const offset = options.offset ?? 0;
    const stride = options.stride ?? w;
    if (w === 0 || h === 0) return;
    checkStridedBox('image', image.length, offset, stride, w, h);
    if (options.rowSums !== undefined && options.rowSums.length < 4 * h) {
      throw new KernelsInvalidArgumentError(`rowSums has ${options.rowSums.length} values; the box's ${h} rows need ${4 * h}.`);
    }
    (this.#backend ?? getDefaultBackend()).run('addChebyshev', {
      coefficients: approx.coefficients,
      orderX: approx.orderX,
      orderY: approx.orderY,
      domain: approx.domain,
      out: image,
      offset,
      stride,
      x0: lx0,
      y0: ly0,
      width: w,
      height: h,
      sign,
      center: options.center ?? 0,
      outSums: options.rowSums,
    });
  }

  /** {@link BackgroundModel.getImage} of the local box `(lx0, ly0) w × h` into `out` (`w h` values). */
  #evaluate(lx0: number, ly0: number, w: number, h: number, out: Float32Array): Float32Array {
    if (w === 0 || h === 0) return out;
    const backend = this.#backend ?? getDefaultBackend();
    const approx = this.getApproximation();
    if (approx !== undefined) {
      backend.run('evaluateChebyshev', {
        coefficients: approx.coefficients,
        orderX: approx.orderX,
        orderY: approx.orderY,
        domain: approx.domain,
        out,
        x0: lx0,
        y0: ly0,
        width: w,
        height: h,
      });
      return out;
    }
    const { nx, ny } = this.#stats;
    let style = this.control.interpStyle;
    const need = lookupMinInterpPoints(style);
    if (nx < need || ny < need) {
      switch (this.control.undersampleStyle) {
        case 'THROW_EXCEPTION':
          throw new KernelsUndersampledError(`${nx}x${ny} bins are too few for ${style} interpolation (needs ${need} along each axis).`, {
            hint: "Use a smaller bin size or undersampleStyle 'REDUCE_INTERP_ORDER'.",
          });
        case 'INCREASE_NXNYSAMPLE':
          throw new KernelsUndersampledError('The undersampleStyle INCREASE_NXNYSAMPLE is not supported for interpolation (as in afw).', {
            hint: "Use 'REDUCE_INTERP_ORDER' or a smaller bin size.",
          });
        default:
          style = lookupMaxInterpStyle(Math.min(nx, ny));
      }
    }
    // Stage 1: interpolate each column of bins along y at the rows of the box.
    const columns = new Float64Array(h * nx);
    const colValues = new Float64Array(h);
    const interps = this.#columnInterpolants(style);
    for (let iX = 0; iX < nx; iX++) {
      const f = interps[iX];
      if (f === undefined) colValues.fill(NaN);
      else f.interpolateSteps(ly0, 1, h, colValues);
      for (let r = 0; r < h; r++) columns[r * nx + iX] = colValues[r]!;
    }
    // Stage 2: interpolate along x in every row.
    backend.run('interpolateRows', {
      columns,
      nx,
      xcen: this.binsX.cen,
      style,
      undersampleStyle: this.control.undersampleStyle,
      out,
      x0: lx0,
      width: w,
      height: h,
    });
    return out;
  }
}

function toControl(c: BackgroundControl | ResolvedBackgroundControl): BackgroundControl {
  if ('useApprox' in c) {
    const { useApprox, approxOrderX, approxOrderY, weighting, ...rest } = c;
    return { ...rest, approx: { useApprox, approxOrderX, approxOrderY, weighting } };
  }
  return c;
}

/**
 * Measures a background model of an image (afw's `makeBackground` with meas_algorithms' bin
 * count `floor(size / binSize) + 1`): one statistic per bin over the pixels that are finite and
 * not masked by `andMask`, stored with its error.
 *
 * With `approx.useApprox` and too few bins for the order (`min(nx, ny) <= order`, the check of
 * meas_algorithms): THROW_EXCEPTION throws, REDUCE_INTERP_ORDER lowers the order to
 * `min(nx, ny) - 1`, INCREASE_NXNYSAMPLE rebins with square bins of
 * `floor(min(width, height) / order)` pixels.
 *
 * @param image - pixels, `width * height`, row-major
 * @param width - columns
 * @param height - rows
 * @param control - bins, statistic, mask, interpolation, approximation, backend
 * @returns the model
 * @throws {@link KernelsInvalidArgumentError} for wrong sizes or a bad control
 * @throws {@link KernelsUndersampledError} for too few bins for the approximation order with
 *   THROW_EXCEPTION
 * @example
 * ```ts
 * const model = makeBackground(pixels, width, height, { binSize: 128, mask, andMask: detectedBits });
 * const sky = model.getImage();
 * ```
 * @see lsst.afw.math.makeBackground, lsst.afw.math.BackgroundControl, lsst.meas.algorithms.SubtractBackgroundTask
 */
export function makeBackground(image: Float32Array, width: number, height: number, control: BackgroundControl = {}): BackgroundModel {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new KernelsInvalidArgumentError(`A background needs an image of at least 1x1 pixels; got ${width}x${height}.`);
  }
  if (image.length !== width * height) {
    throw new KernelsInvalidArgumentError(`The image has ${image.length} values; expected ${width * height} (width * height).`);
  }
  if (control.mask !== undefined && control.mask.length !== image.length) {
    throw new KernelsInvalidArgumentError(`The mask has ${control.mask.length} values; expected ${image.length}.`);
  }
  let resolved = resolveControl(control);
  const binSize = control.binSize ?? 128;
  const bx = control.binSizeX === undefined || control.binSizeX === 0 ? binSize : control.binSizeX;
  const by = control.binSizeY === undefined || control.binSizeY === 0 ? binSize : control.binSizeY;
  let nx = control.nxSample ?? binsForSize(width, bx);
  let ny = control.nySample ?? binsForSize(height, by);
  if (resolved.useApprox && Math.min(nx, ny) <= resolved.approxOrderX) {
    const order = resolved.approxOrderX;
    switch (resolved.undersampleStyle) {
      case 'THROW_EXCEPTION':
        throw new KernelsUndersampledError(`Too few bins (${nx}, ${ny}) to fit a Chebyshev approximation of order ${order}.`, {
          hint: 'Lower approxOrderX or the bin size.',
        });
      case 'REDUCE_INTERP_ORDER':
        resolved = { ...resolved, approxOrderX: Math.min(nx, ny) - 1, approxOrderY: Math.min(nx, ny) - 1 };
        break;
      default: {
        const newBin = Math.floor(Math.min(width, height) / Math.max(order, 1));
        if (newBin < 1) throw new KernelsUndersampledError(`The image (${width}x${height}) is too small for order ${order}.`);
        nx = binsForSize(width, newBin);
        ny = binsForSize(height, newBin);
      }
    }
  }
  const gx = binGeometry(width, nx);
  const gy = binGeometry(height, ny);
  const outValue = new Float64Array(nx * ny);
  const outError = new Float64Array(nx * ny);
  (control.backend ?? getDefaultBackend()).run('binnedStatistics', {
    image,
    mask: control.mask,
    width,
    height,
    xorig: gx.orig,
    xsize: gx.size,
    yorig: gy.orig,
    ysize: gy.size,
    property: resolved.statisticsProperty,
    andMask: resolved.andMask,
    numSigmaClip: resolved.numSigmaClip,
    numIter: resolved.numIter,
    nanSafe: resolved.nanSafe,
    outValue,
    outError,
  });
  const stats: BackgroundStats = { nx, ny, values: Float32Array.from(outValue), variance: Float32Array.from(outError) };
  return new BackgroundModel({ x0: control.x0 ?? 0, y0: control.y0 ?? 0, width, height }, stats, resolved, control.backend);
}
