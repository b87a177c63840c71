import { Image, Mask, MaskedImage, type Exposure, type MaskPlaneDict, type PixelArray } from '@skystack/afw-image';
import { PeakCatalog, SourceCatalog, type Footprint, type Schema } from '@skystack/afw-table';
import type { Point2I } from '@skystack/geom';
import { Box2I } from '@skystack/geom';
import { allocShared, convolveMaskedImage, convolveSeparable, gaussianKernel1d, makeStatistics, SeparableSpanEvaluator } from '@skystack/kernels';
import { ChoiceField, Config, ConfigurableField, Field, ListField, RangeField } from '@skystack/pex-config';
import { Struct, Task, type TaskOptions } from '@skystack/pipe-base';
import { BackgroundList } from './background-list.js';
import { MeasAlgorithmsInvalidArgumentError } from './errors.js';
import { detectInImage, FootprintSet, type FootprintSetOptions, type RowFilter } from './footprint-set.js';
import type { SubtractBackgroundConfig} from './subtract-background-task.js';
import { SubtractBackgroundTask, subtractModel } from './subtract-background-task.js';
import { Threshold } from './threshold.js';

/**
 * What detection needs of a PSF: its second moments (any afw-image `Psf` has this).
 */
export interface PsfShapeSource {
  /**
   * The PSF's second moments at a position (default: its average position).
   *
   * @returns the shape
   */
  computeShape(): {
    /**
     * `(Ixx Iyy - Ixy²)^¼`: the Gaussian sigma for a round PSF.
     *
     * @returns the radius in pixels
     */
    getDeterminantRadius(): number;
  };
}

/**
 * Configuration of {@link SourceDetectionTask}, with LSST's fields and defaults.
 *
 * @see lsst.meas.algorithms.detection.SourceDetectionConfig
 */
export class SourceDetectionConfig extends Config {
  /** Detected sources with fewer than the specified number of pixels will be ignored. */
  minPixels = RangeField({ doc: 'detected sources with fewer than the specified number of pixels will be ignored', dtype: 'int', default: 1, min: 0 });
  /** Grow pixels as isotropically as possible? If false, use a Manhattan metric instead. */
  isotropicGrow = Field.bool({ doc: 'Grow pixels as isotropically as possible? If False, use a Manhattan metric instead.', default: true });
  /** Grow all footprints at the same time? This allows disconnected footprints to merge. */
  combinedGrow = Field.bool({ doc: 'Grow all footprints at the same time? This allows disconnected footprints to merge.', default: true });
  /** Grow detections by nSigmaToGrow × [PSF RMS width]; if 0 then do not grow. */
  nSigmaToGrow = Field.float({ doc: 'Grow detections by nSigmaToGrow * [PSF RMS width]; if 0 then do not grow', default: 2.4 });
  /** Grow detections to set the image mask bits, but return the original (not-grown) footprints. */
  returnOriginalFootprints = Field.bool({ doc: 'Grow detections to set the image mask bits, but return the original (not-grown) footprints', default: false });
  /** Threshold for detecting footprints; exact meaning and units depend on thresholdType. */
  thresholdValue = RangeField({ doc: 'Threshold for detecting footprints; exact meaning and units depend on thresholdType.', dtype: 'float', default: 5.0, min: 0.0 });
  /** Multiplier on thresholdValue for whether a source is included in the output catalog. */
  includeThresholdMultiplier = RangeField({ doc: 'Multiplier on thresholdValue for whether a source is included in the output catalog.', dtype: 'float', default: 1.0, min: 0.0 });
  /** Specifies the meaning of thresholdValue. */
  thresholdType = ChoiceField({
    doc: 'Specifies the meaning of thresholdValue.',
    dtype: 'str',
    default: 'pixel_stdev',
    allowed: {
      variance: 'threshold applied to image variance',
      stdev: 'threshold applied to image std deviation',
      value: 'threshold applied to image value',
      pixel_stdev: 'threshold applied to per-pixel std deviation',
    },
  });
  /** Specifies whether to detect positive, or negative sources, or both. */
  thresholdPolarity = ChoiceField({
    doc: 'Specifies whether to detect positive, or negative sources, or both.',
    dtype: 'str',
    default: 'positive',
    allowed: { positive: 'detect only positive sources', negative: 'detect only negative sources', both: 'detect both positive and negative sources' },
  });
  /** Fiddle factor to add to the background; debugging only. */
  adjustBackground = Field.float({ doc: 'Fiddle factor to add to the background; debugging only', default: 0.0 });
  /** Estimate the background again after final source detection? */
  reEstimateBackground = Field.bool({ doc: 'Estimate the background again after final source detection?', default: true });
  /** Background re-estimation; ignored if reEstimateBackground false. */
  background = ConfigurableField({ doc: 'Background re-estimation; ignored if reEstimateBackground false', target: SubtractBackgroundTask });
  /** A local (small-scale), temporary background estimation step run between detecting above-threshold regions and detecting the peaks within them. */
  tempLocalBackground = ConfigurableField({
    doc: 'A local (small-scale), temporary background estimation step run between detecting above-threshold regions and detecting the peaks within them; used to avoid detecting spuerious peaks in the wings.',
    target: SubtractBackgroundTask,
  });
  /** Enable temporary local background subtraction? (see tempLocalBackground). */
  doTempLocalBackground = Field.bool({ doc: 'Enable temporary local background subtraction? (see tempLocalBackground)', default: true });
  /** The maximum number of peaks in a Footprint before trying to replace its peaks using the temporary local background. */
  nPeaksMaxSimple = Field.int({ doc: 'The maximum number of peaks in a Footprint before trying to replace its peaks using the temporary local background', default: 1 });
  /** Multiple of PSF RMS size to use for convolution kernel bounding box size (full width, rounded up to odd). */
  nSigmaForKernel = Field.float({
    doc: 'Multiple of PSF RMS size to use for convolution kernel bounding box size; note that this is not a half-size. The size will be rounded up to the nearest odd integer',
    default: 7.0,
  });
  /** Mask planes to ignore when calculating statistics of image (for thresholdType=stdev). */
  statsMask = ListField({ doc: 'Mask planes to ignore when calculating statistics of image (for thresholdType=stdev)', dtype: 'str', default: ['BAD', 'SAT', 'EDGE', 'NO_DATA'] });
  /** Mask planes to exclude when detecting sources. */
  excludeMaskPlanes = ListField({ doc: 'Mask planes to exclude when detecting sources.', dtype: 'str', default: [] });

  /** LSST's setDefaults: the temporary local background uses 64-pixel bins, Akima splines and no approximation. */
  override setDefaults(): void {
    super.setDefaults();
    const local = this.tempLocalBackground as unknown as SubtractBackgroundConfig;
    local.binSize = 64;
    local.algorithm = 'AKIMA_SPLINE';
    local.useApprox = false;
  }
}

/** Options of {@link SourceDetectionTask.detectFootprints} and {@link SourceDetectionTask.run}. */
export interface DetectionOptions {
  /** Smooth with a Gaussian of the PSF's sigma before thresholding (default true). */
  readonly doSmooth?: boolean;
  /** The PSF sigma in pixels (default: from the exposure's PSF). */
  readonly sigma?: number;
  /** Clear DETECTED and DETECTED_NEGATIVE before detecting (default true). */
  readonly clearMask?: boolean;
  /** A background list to append the re-estimated background to (default a new one). */
  readonly background?: BackgroundList;
}

/** What {@link SourceDetectionTask.detectFootprints} returns (afw's results Struct). */
export interface DetectionResult {
  /** Positive footprints (undefined when not detected). */
  positive: FootprintSet | undefined;
  /** Negative footprints (undefined when not detected). */
  negative: FootprintSet | undefined;
  /** The number of positive footprints. */
  numPos: number;
  /** The number of negative footprints. */
  numNeg: number;
  /** The number of positive peaks. */
  numPosPeaks: number;
  /** The number of negative peaks. */
  numNegPeaks: number;
  /** The re-estimated background (empty when reEstimateBackground is false). */
  background: BackgroundList;
  /** The multiplier applied to the threshold (1). */
  factor: number;
}

/** What {@link SourceDetectionTask.run} returns: the footprints and a catalog of one source per footprint. */
export interface DetectionRunResult extends DetectionResult {
  /** The sources: negative ones first (flagged), then positive ones, each with its footprint. */
  sources: SourceCatalog;
}

/**
 * Detects sources on an exposure as LSST's SourceDetectionTask: smooth the image with a
 * Gaussian of the PSF's sigma (kernel `2⌊(nSigmaForKernel σ + ½) / 2⌋ + 1` pixels wide; the band
 * the kernel does not fit in is marked EDGE), threshold the smoothed image (by default each pixel
 * against `thresholdValue × √(smoothed variance)`: the matched-filter significance), find peaks,
 * replace the peaks of multi-peak footprints with those found after a temporary 64-pixel
 * background is removed, grow the footprints by `nSigmaToGrow × σ`, set DETECTED /
 * DETECTED_NEGATIVE, and re-estimate the background with the detections masked.
 *
 * @example
 * ```ts
 * const schema = SourceCatalog.makeMinimalSchema();
 * const task = new SourceDetectionTask({ schema });
 * const result = task.run(schema, exposure, { sigma: 2.0 });
 * result.sources.length; // one per positive footprint
 * ```
 * @see lsst.meas.algorithms.detection.SourceDetectionTask
 */
export class SourceDetectionTask extends Task<SourceDetectionConfig> {
  /** {@link SourceDetectionConfig}. */
  static override ConfigClass = SourceDetectionConfig;
  /** `sourceDetection`. */
  static override _DefaultName: string | undefined = 'sourceDetection';
  /** The background re-estimation subtask (when reEstimateBackground). */
  readonly background: SubtractBackgroundTask | undefined;
  /** The temporary local background subtask (when doTempLocalBackground). */
  readonly tempLocalBackground: SubtractBackgroundTask | undefined;
  /** The `is_negative` flag field, when the schema was given and the polarity is not positive. */
  readonly negativeFlagKey: string | undefined;

  /**
   * Makes the task; with a schema and a polarity other than `positive`, adds the `is_negative`
   * Flag field to it.
   *
   * @param options - Task options and the schema
   */
  constructor(options: TaskOptions<SourceDetectionConfig> & { readonly schema?: Schema } = {}) {
    super(options);
    if (options.schema !== undefined && this.config.thresholdPolarity !== 'positive') {
      if (!options.schema.contains('is_negative')) options.schema.addField({ name: 'is_negative', type: 'Flag', doc: 'Set if source peak was detected as negative.' });
      this.negativeFlagKey = 'is_negative';
    }
    if (this.config.reEstimateBackground) this.background = this.makeSubtask<SubtractBackgroundTask>('background');
    if (this.config.doTempLocalBackground) this.tempLocalBackground = this.makeSubtask<SubtractBackgroundTask>('tempLocalBackground');
  }

  /**
   * Detects sources and makes a catalog with one record per footprint (negative ones first, with
   * `is_negative` set, then positive ones), as LSST's `run`.
   *
   * @param table - the schema of the output catalog (afw's SourceTable)
   * @param exposure - the exposure; its mask gets DETECTED/DETECTED_NEGATIVE and EDGE, its image
   *   loses the re-estimated background
   * @param options - doSmooth, sigma, clearMask, background
   * @returns the detection results plus `sources`
   * @throws {@link MeasAlgorithmsInvalidArgumentError} when the schema lacks `is_negative` but
   *   negative detections are configured, or the exposure has no PSF and no sigma is given
   * @see lsst.meas.algorithms.detection.SourceDetectionTask.run
   */
  run(table: Schema, exposure: Exposure<PixelArray>, options: DetectionOptions = {}): Struct<DetectionRunResult> {
    return this.timer('run', () => {
      if (this.negativeFlagKey !== undefined && !table.contains(this.negativeFlagKey)) {
        throw new MeasAlgorithmsInvalidArgumentError(`The table schema has no '${this.negativeFlagKey}' field; pass the schema given to the task's constructor.`);
      }
      const results = this.detectFootprints(exposure, options);
      const sources = new SourceCatalog(table);
      if (results.negative !== undefined) {
        results.negative.makeSources(sources);
        if (this.negativeFlagKey !== undefined) for (let i = 0; i < sources.length; i++) sources.get(i).set(this.negativeFlagKey, true);
      }
      if (results.positive !== undefined) results.positive.makeSources(sources);
      return new Struct<DetectionRunResult>({ ...results, sources });
    });
  }

  /**
   * Detects footprints (see the class description for the steps).
   *
   * @param exposure - the exposure (mask and image modified as in {@link SourceDetectionTask.run})
   * @param options - doSmooth, sigma, clearMask, background
   * @returns positive/negative footprint sets, counts, the re-estimated background, factor
   * @throws {@link MeasAlgorithmsInvalidArgumentError} when there is no PSF and no sigma
   * @see lsst.meas.algorithms.detection.SourceDetectionTask.detectFootprints
   */
  detectFootprints(exposure: Exposure<PixelArray>, options: DetectionOptions = {}): Struct<DetectionResult> {
    return this.timer('detectFootprints', () => {
      const maskedImage = exposure.maskedImage;
      if (options.clearMask ?? true) this.clearMask(maskedImage.mask);
      const sigma = options.sigma ?? this.getPsfSigma(exposure);
      // The smoothed planes are temporaries of this call: their buffers are reused by the next
      // detection of an image of the same size (no 3 × width × height allocation each time).
      const doSmooth = options.doSmooth ?? true;
      const buffers = doSmooth ? takeSmoothingBuffers(maskedImage.getWidth() * maskedImage.getHeight()) : undefined;
      // With a per-pixel threshold (the default) and nothing reading the smoothed mask, the
      // smoothed variance is evaluated only where the smoothed image can pass the threshold
      // (bit for bit the values a full convolution gives there; see LazySmoothedVariance).
      const kWidth = this.calculateKernelSize(sigma);
      // (not when a subclass replaces a step that reads the smoothed planes, e.g. with a lower threshold)
      const proto = SourceDetectionTask.prototype;
      const ownSteps = this.applyThreshold === proto.applyThreshold && this.applyTempLocalBackground === proto.applyTempLocalBackground && this.updatePeaks === proto.updatePeaks;
      const lazy =
        ownSteps &&
        buffers !== undefined &&
        maskedImage.getWidth() >= kWidth &&
        maskedImage.getHeight() >= kWidth &&
        this.config.thresholdType === 'pixel_stdev' &&
        this.config.excludeMaskPlanes.length === 0 &&
        this.config.thresholdValue > 0 &&
        Number.isFinite(this.config.thresholdValue);
      const cleared = options.clearMask ?? true;
      let rows: LazySmoothedVariance | undefined;
      try {
        const middle = this.#convolve(maskedImage, sigma, doSmooth, buffers, lazy);
        if (lazy && buffers !== undefined) rows = LazySmoothedVariance.make(maskedImage, sigma, kWidth, buffers, this.config.thresholdValue);
        this.removeBadPixels(middle);
        const results = ownSteps ? this.#applyThreshold(middle, maskedImage.getBBox(), 1, rows) : this.applyThreshold(middle, maskedImage.getBBox());
        results.background = options.background ?? new BackgroundList();
        if (this.config.doTempLocalBackground) this.applyTempLocalBackground(exposure, middle, results);
        const ownMasking = this.finalizeFootprints === proto.finalizeFootprints && this.clearUnwantedResults === proto.clearUnwantedResults;
        let masked: MaskedSets | undefined;
        if (ownMasking) masked = this.#finalizeFootprints(maskedImage.mask, results, sigma);
        else this.finalizeFootprints(maskedImage.mask, results, sigma);
        if (this.config.reEstimateBackground) this.reEstimateBackground(maskedImage, results.background);
        // The detection planes were clear before this detection (clearMask): only the footprints
        // masked above carry them, so only their pixels need clearing.
        if (ownMasking && cleared) this.#clearUnwantedResults(maskedImage.mask, results, masked);
        else this.clearUnwantedResults(maskedImage.mask, results);
        return new Struct<DetectionResult>(results);
      } finally {
        rows?.dispose();
        if (buffers !== undefined) releaseSmoothingBuffers(buffers);
      }
    });
  }

  /**
   * The PSF sigma of an exposure: the determinant radius of its PSF's shape.
   *
   * @param exposure - the exposure
   * @returns sigma in pixels
   * @throws {@link MeasAlgorithmsInvalidArgumentError} when the exposure has no usable PSF
   * @see lsst.meas.algorithms.detection.SourceDetectionTask.getPsf
   */
  getPsfSigma(exposure: Exposure<PixelArray>): number {
    const psf = exposure.getPsf() as PsfShapeSource | null | undefined;
    if (psf === null || psf === undefined || typeof (psf as Partial<PsfShapeSource>).computeShape !== 'function') {
      throw new MeasAlgorithmsInvalidArgumentError('Unable to determine PSF to use for detection: the exposure has no PSF and no sigma was given.', {
        hint: 'Pass { sigma } or set a Psf on the exposure.',
      });
    }
    return psf.computeShape().getDeterminantRadius();
  }

  /**
   * The full width of the smoothing kernel: `2 ⌊(nSigmaForKernel σ + ½) / 2⌋ + 1` (odd).
   *
   * @param sigma - the Gaussian sigma
   * @returns the width in pixels
   * @see lsst.meas.algorithms.detection.SourceDetectionTask.calculateKernelSize
   */
  calculateKernelSize(sigma: number): number {
    return Math.floor(Math.trunc(sigma * this.config.nSigmaForKernel + 0.5) / 2) * 2 + 1;
  }

  /**
   * Smooths a masked image with a normalised Gaussian of `sigma` (image ⊗ k, variance ⊗ k²) and
   * returns the part the kernel fits in; the band outside it is marked EDGE on the input mask.
   * Without smoothing, returns a copy.
   *
   * @param maskedImage - the image
   * @param sigma - the Gaussian sigma
   * @param doSmooth - smooth (default true)
   * @returns the smoothed image without the edges (PARENT coordinates)
   * @see lsst.meas.algorithms.detection.SourceDetectionTask.convolveImage
   */
  convolveImage(maskedImage: MaskedImage<PixelArray>, sigma: number, doSmooth = true): MaskedImage<Float32Array> {
    return this.#convolve(maskedImage, sigma, doSmooth, undefined, false);
  }

  /**
   * {@link SourceDetectionTask.convolveImage}, smoothing into the given buffers (fresh ones when
   * undefined). With `imageOnly`, only the image plane is convolved: the variance plane is left to
   * {@link LazySmoothedVariance} and the mask plane is left as it is (nothing reads it).
   */
  #convolve(maskedImage: MaskedImage<PixelArray>, sigma: number, doSmooth: boolean, buffers: SmoothingBuffers | undefined, imageOnly: boolean): MaskedImage<Float32Array> {
    this.metadata.set('doSmooth', doSmooth);
    this.metadata.set('sigma', sigma);
    const width = maskedImage.getWidth();
    const height = maskedImage.getHeight();
    const xy0 = maskedImage.getXY0();
    const toF32 = (a: PixelArray): Float32Array => (a instanceof Float32Array ? a : Float32Array.from(a as ArrayLike<number>));
    const image = toF32(maskedImage.image.compactPixels());
    const variance = maskedImage.variance.compactPixels();
    const mask = maskedImage.mask.compactPixels();
    const planeDict = maskedImage.mask.planeDict;
    if (!doSmooth) {
      const copy = (a: Float32Array | Int32Array, src: PixelArray): typeof a => (a === src ? a.slice() : a);
      return wrapPlanes(copy(image, maskedImage.image.array.data) as Float32Array, variance.slice(), mask.slice(), width, height, xy0, planeDict.clone());
    }
    const kWidth = this.calculateKernelSize(sigma);
    this.metadata.set('smoothingKernelWidth', kWidth);
    const half = (kWidth - 1) / 2;
    const k = gaussianKernel1d(sigma, half);
    // every pixel of the three planes is written (the edge band too), so reused buffers need no clearing
    const out = buffers ?? { image: new Float32Array(width * height), variance: new Float32Array(width * height), mask: new Int32Array(width * height) };
    if (imageOnly) {
      // the image plane exactly as the masked convolution computes it (same loops); the mask
      // plane is neither cleared nor written: nothing reads it
      convolveSeparable(image, out.image, width, height, k, k);
    } else {
      convolveMaskedImage({ image, variance, mask, width, height }, out, k, k, { edgeBit: planeDict.getPlane('EDGE') });
    }
    const smoothed = wrapPlanes(out.image, out.variance, out.mask, width, height, xy0, planeDict.clone());
    const goodBBox = maskedImage.getBBox().erodedBy(half);
    this.setEdgeBits(maskedImage, goodBBox, maskedImage.mask.getPlaneBitMask('EDGE'));
    return goodBBox.isEmpty() ? smoothed.subset(new Box2I(xy0, xy0)) : smoothed.subset(goodBBox);
  }

  /**
   * Sets the significance of pixels with an `excludeMaskPlanes` bit to zero (image 0).
   *
   * @param middle - the smoothed image (modified)
   * @see lsst.meas.algorithms.detection.SourceDetectionTask.removeBadPixels
   */
  removeBadPixels(middle: MaskedImage<Float32Array>): void {
    if (this.config.excludeMaskPlanes.length === 0) return;
    const bad = middle.mask.getPlaneBitMask(this.config.excludeMaskPlanes);
    const img = middle.image.array;
    const m = middle.mask.array;
    for (let y = 0; y < img.height; y++) {
      for (let x = 0; x < img.width; x++) if ((m.data[y * m.stride + x]! & bad) !== 0) img.data[y * img.stride + x] = 0;
    }
  }

  /**
   * The threshold the config asks for: for `stdev`, `thresholdValue` times the 3σ-clipped
   * standard deviation of the image (pixels with a `statsMask` bit ignored), as a value
   * threshold; otherwise `thresholdValue` of the configured type.
   *
   * @param image - the (smoothed) image
   * @param polarity - `'positive'` or `'negative'`
   * @param factor - a multiplier for the threshold (default 1)
   * @returns the threshold, with `includeThresholdMultiplier`
   * @see lsst.meas.algorithms.detection.SourceDetectionTask.makeThreshold
   */
  makeThreshold(image: MaskedImage<Float32Array>, polarity: 'positive' | 'negative', factor = 1): Threshold {
    let value = this.config.thresholdValue;
    let type: 'value' | 'stdev' | 'variance' | 'pixel_stdev' = this.config.thresholdType;
    if (type === 'stdev') {
      const { data, width, height, stride } = image.image.array;
      const mask = image.mask.array;
      const bad = image.mask.getPlaneBitMask(this.config.statsMask);
      const sd = makeStatistics(data, { properties: ['STDEVCLIP'], mask: mask.data, andMask: bad, region: { stride, x0: 0, y0: 0, width, height } }).getValue('STDEVCLIP');
      value *= sd;
      type = 'value';
    }
    const threshold = Threshold.create(value * factor, type, polarity !== 'negative');
    threshold.setIncludeMultiplier(this.config.includeThresholdMultiplier);
    return threshold;
  }

  /**
   * Thresholds the smoothed image. Both polarities are detected when the background is
   * re-estimated (so that negative detections are masked out of it), as LSST.
   *
   * @param middle - the smoothed image
   * @param bbox - the bounding box of the unsmoothed image (the footprints' region)
   * @param factor - a multiplier for the threshold (default 1)
   * @returns the partial results (positive, negative, factor)
   * @see lsst.meas.algorithms.detection.SourceDetectionTask.applyThreshold
   */
  applyThreshold(middle: MaskedImage<Float32Array>, bbox: Box2I, factor = 1): DetectionResult {
    return this.#applyThreshold(middle, bbox, factor, undefined);
  }

  /** {@link SourceDetectionTask.applyThreshold}; rows without a candidate pixel of a polarity (per `lazy`) are skipped. */
  #applyThreshold(middle: MaskedImage<Float32Array>, bbox: Box2I, factor: number, lazy: LazySmoothedVariance | undefined): DetectionResult {
    const results: DetectionResult = { positive: undefined, negative: undefined, numPos: 0, numNeg: 0, numPosPeaks: 0, numNegPeaks: 0, background: new BackgroundList(), factor };
    const polarity = this.config.thresholdPolarity;
    const minPixels = this.config.minPixels;
    // The detected pixels are marked in the smoothed mask (as LSST), except in a detection's own
    // lazy planes, whose mask nothing reads (the real mask gets its bits in finalizeFootprints).
    const options = (planeName: string): FootprintSetOptions => (lazy === undefined ? { minPixels, planeName } : { minPixels });
    if (this.config.reEstimateBackground || polarity !== 'negative') {
      results.positive = detectInImage(middle, this.makeThreshold(middle, 'positive', factor), options('DETECTED'), lazy?.rowFlags(this.config.thresholdValue * factor, 1));
      results.positive.setRegion(bbox);
    }
    if (this.config.reEstimateBackground || polarity !== 'positive') {
      results.negative = detectInImage(middle, this.makeThreshold(middle, 'negative', factor), options('DETECTED_NEGATIVE'), lazy?.rowFlags(this.config.thresholdValue * factor, 2));
      results.negative.setRegion(bbox);
    }
    return results;
  }

  /**
   * Subtracts a temporary local background (the `tempLocalBackground` subtask's fit of the
   * unsmoothed image) from the smoothed image and re-finds the peaks of footprints with more
   * than `nPeaksMaxSimple` peaks (see {@link SourceDetectionTask.updatePeaks}).
   *
   * @param exposure - the exposure (not modified)
   * @param middle - the smoothed image (modified)
   * @param results - the results whose footprints get new peaks
   * @see lsst.meas.algorithms.detection.SourceDetectionTask.applyTempLocalBackground
   */
  applyTempLocalBackground(exposure: Exposure<PixelArray>, middle: MaskedImage<Float32Array>, results: DetectionResult): void {
    const box = middle.getBBox();
    if (box.isEmpty()) return;
    const wantPos = this.config.thresholdPolarity !== 'negative' && results.positive !== undefined;
    const wantNeg = this.config.thresholdPolarity !== 'positive' && results.negative !== undefined;
    // Only footprints with more than nPeaksMaxSimple peaks use the locally-subtracted image.
    const needed: Box2I[] = [];
    for (const [want, set] of [
      [wantPos, results.positive],
      [wantNeg, results.negative],
    ] as const) {
      if (!want) continue;
      for (const fp of set!) if (fp.getPeaks().length > this.config.nPeaksMaxSimple) needed.push(fp.getBBox().clippedTo(box));
    }
    if (needed.length === 0) return;
    const bg = this.tempLocalBackground!.fitBackground(exposure.maskedImage);
    if (this.config.thresholdType === 'stdev') {
      // The threshold depends on the whole smoothed image: subtract everywhere, as LSST.
      const values = bg.getImage(box);
      const { data, stride, width, height } = middle.image.array;
      for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * stride + x] = data[y * stride + x]! - values[y * width + x]!;
      if (wantPos) this.updatePeaks(results.positive!, middle, this.makeThreshold(middle, 'positive'));
      if (wantNeg) this.updatePeaks(results.negative!, middle, this.makeThreshold(middle, 'negative'));
      return;
    }
    // A per-pixel threshold does not depend on the image: LSST subtracts the background from the
    // whole smoothed image, but only the boxes of multi-peak footprints are read again, so only
    // those are evaluated (each in its own copy, so overlapping boxes are not subtracted twice).
    for (const [want, set, polarity] of [
      [wantPos, results.positive, 'positive'],
      [wantNeg, results.negative, 'negative'],
    ] as const) {
      if (!want) continue;
      const threshold = this.makeThreshold(middle, polarity);
      for (const footprint of set!) {
        if (footprint.getPeaks().length <= this.config.nPeaksMaxSimple) continue;
        const b = footprint.getBBox().clippedTo(box);
        if (b.isEmpty()) continue;
        LazySmoothedVariance.complete(middle, b);
        const sub = middle.subset(b).clone();
        const values = bg.getImage(b);
        const { data, stride, width, height } = sub.image.array;
        for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * stride + x] = data[y * stride + x]! - values[y * width + x]!;
        this.#updateFootprintPeaks(footprint, sub, threshold);
      }
    }
  }

  /**
   * Replaces the peaks of each footprint with more than `nPeaksMaxSimple` peaks by the peaks of a
   * new detection in its bounding box that fall inside it; keeps only the brightest old peak
   * when none is found.
   *
   * @param fpSet - the footprints (peaks modified)
   * @param image - the image to detect in
   * @param threshold - the threshold
   * @see lsst.meas.algorithms.detection.SourceDetectionTask.updatePeaks
   */
  updatePeaks(fpSet: FootprintSet, image: MaskedImage<Float32Array>, threshold: Threshold): void {
    for (const footprint of fpSet) {
      if (footprint.getPeaks().length <= this.config.nPeaksMaxSimple) continue;
      const b = footprint.getBBox().clippedTo(image.getBBox());
      if (b.isEmpty()) continue;
      LazySmoothedVariance.complete(image, b);
      this.#updateFootprintPeaks(footprint, image.subset(b), threshold);
    }
  }

  /** Detects in `sub` (the footprint's box) and keeps the new peaks inside the footprint. */
  #updateFootprintPeaks(footprint: Footprint, sub: MaskedImage<Float32Array>, threshold: Threshold): void {
    const oldPeaks = footprint.getPeaks();
    const found = FootprintSet.fromImage(sub, threshold, { minPixels: this.config.minPixels });
    const keep: [number, number, number][] = [];
    for (const fp of found) {
      const p = fp.getPeaks();
      for (let i = 0; i < p.length; i++) {
        const r = p.get(i);
        if (footprint.contains(r.getIx(), r.getIy())) keep.push([r.getFx(), r.getFy(), r.getPeakValue()]);
      }
    }
    const next = new PeakCatalog(oldPeaks.schema);
    if (keep.length > 0) {
      for (const [fx, fy, v] of keep) next.addPeak(fx, fy, v);
    } else {
      const first = oldPeaks.get(0);
      const row = next.addNew();
      for (const f of oldPeaks.schema.getFields()) row.set(f.name, first.get(f.name) as never);
    }
    replacePeaks(footprint, next);
  }

  /**
   * Grows the footprints by `⌊nSigmaToGrow σ + ½⌋` (all at once, merging those that meet, when
   * `combinedGrow`; circle or Manhattan stencil by `isotropicGrow`), sets the DETECTED /
   * DETECTED_NEGATIVE mask bits, and counts footprints and peaks.
   *
   * @param mask - the mask to set
   * @param results - the results (modified)
   * @param sigma - the PSF sigma
   * @see lsst.meas.algorithms.detection.SourceDetectionTask.finalizeFootprints
   */
  finalizeFootprints(mask: Mask, results: DetectionResult, sigma: number): void {
    this.#finalizeFootprints(mask, results, sigma);
  }

  /** {@link SourceDetectionTask.finalizeFootprints}; returns the sets whose pixels got the mask bits. */
  #finalizeFootprints(mask: Mask, results: DetectionResult, sigma: number): MaskedSets {
    const masked: MaskedSets = { positive: undefined, negative: undefined };
    for (const [polarity, maskName] of [
      ['positive', 'DETECTED'],
      ['negative', 'DETECTED_NEGATIVE'],
    ] as const) {
      let fpSet = results[polarity];
      if (fpSet === undefined) continue;
      if (this.config.nSigmaToGrow > 0) {
        const nGrow = Math.trunc(this.config.nSigmaToGrow * sigma + 0.5);
        this.metadata.set('nGrow', nGrow);
        if (this.config.combinedGrow) {
          fpSet = fpSet.grown(nGrow, this.config.isotropicGrow);
        } else {
          const stencil = this.config.isotropicGrow ? 'circle' : 'manhattan';
          fpSet = fpSet.clone();
          for (const fp of fpSet) fp.dilate(nGrow, stencil);
        }
      }
      fpSet.setMask(mask, maskName);
      masked[polarity] = fpSet;
      if (!this.config.returnOriginalFootprints) results[polarity] = fpSet;
    }
    results.numPos = results.positive?.length ?? 0;
    results.numNeg = results.negative?.length ?? 0;
    results.numPosPeaks = 0;
    results.numNegPeaks = 0;
    for (const fp of results.positive ?? []) results.numPosPeaks += fp.getPeaks().length;
    for (const fp of results.negative ?? []) results.numNegPeaks += fp.getPeaks().length;
    const parts: string[] = [];
    if (results.positive !== undefined) parts.push(` ${results.numPosPeaks} positive peaks in ${results.numPos} footprints`);
    if (results.negative !== undefined) parts.push(` ${results.numNegPeaks} negative peaks in ${results.numNeg} footprints`);
    this.log.info(
      `Detected${parts.join(' and')} to ${this.config.thresholdValue * this.config.includeThresholdMultiplier * results.factor} ${this.config.thresholdType === 'value' ? 'DN' : 'sigma'}`,
    );
    return masked;
  }

  /**
   * Fits the background again with the detections masked, subtracts it and appends it to the
   * list.
   *
   * @param maskedImage - the image (modified)
   * @param backgrounds - the list (appended to)
   * @see lsst.meas.algorithms.detection.SourceDetectionTask.reEstimateBackground
   */
  reEstimateBackground(maskedImage: MaskedImage<PixelArray>, backgrounds: BackgroundList): void {
    const bg = this.background!.fitBackground(maskedImage);
    if (this.config.adjustBackground !== 0) this.log.warn(`Fiddling the background by ${this.config.adjustBackground}`);
    this.log.info('Resubtracting the background after object detection');
    subtractModel(maskedImage, bg);
    if (this.config.adjustBackground !== 0) {
      const { data, width, height, stride } = maskedImage.image.array;
      for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * stride + x] = (data[y * stride + x] as number) - this.config.adjustBackground;
    }
    backgrounds.append(bg);
  }

  /**
   * Drops the polarity that was only detected for the background, and its mask plane.
   *
   * @param mask - the mask
   * @param results - the results (modified)
   * @see lsst.meas.algorithms.detection.SourceDetectionTask.clearUnwantedResults
   */
  clearUnwantedResults(mask: Mask, results: DetectionResult): void {
    this.#clearUnwantedResults(mask, results, undefined);
  }

  /**
   * {@link SourceDetectionTask.clearUnwantedResults}. With `masked` (the plane was clear before
   * the detection, so only these sets' pixels carry it), only their pixels are cleared instead
   * of the whole mask: the same mask, one pass over the footprints instead of over the image.
   */
  #clearUnwantedResults(mask: Mask, results: DetectionResult, masked: MaskedSets | undefined): void {
    const polarity = this.config.thresholdPolarity;
    const clearPlane = (name: 'DETECTED' | 'DETECTED_NEGATIVE', set: FootprintSet | undefined): void => {
      const bits = mask.getPlaneBitMask(name);
      if (masked === undefined) {
        mask.andInPlace(~bits);
        return;
      }
      for (const fp of set ?? []) fp.getSpans().clearMask(mask.array, mask.getXY0(), bits);
    };
    if (polarity === 'positive') {
      if (this.config.reEstimateBackground) clearPlane('DETECTED_NEGATIVE', masked?.negative);
      results.negative = undefined;
      results.numNeg = 0;
      results.numNegPeaks = 0;
    } else if (polarity === 'negative') {
      if (this.config.reEstimateBackground) clearPlane('DETECTED', masked?.positive);
      results.positive = undefined;
      results.numPos = 0;
      results.numPosPeaks = 0;
    }
  }

  /**
   * Clears the DETECTED and DETECTED_NEGATIVE planes.
   *
   * @param mask - the mask
   * @see lsst.meas.algorithms.detection.SourceDetectionTask.clearMask
   */
  clearMask(mask: Mask): void {
    mask.andInPlace(~mask.getPlaneBitMask(['DETECTED', 'DETECTED_NEGATIVE']));
  }

  /**
   * ORs a bit mask into every pixel of the masked image outside a box.
   *
   * @param maskedImage - the image
   * @param goodBBox - the box (PARENT) to leave alone
   * @param edgeBitmask - the bits to set
   * @see lsst.meas.algorithms.detection.SourceDetectionTask.setEdgeBits
   */
  setEdgeBits(maskedImage: MaskedImage<PixelArray>, goodBBox: Box2I, edgeBitmask: number): void {
    const { data, width, height, stride } = maskedImage.mask.array;
    const x0 = maskedImage.getXY0().getX();
    const y0 = maskedImage.getXY0().getY();
    const gx0 = goodBBox.isEmpty() ? width : Math.max(0, goodBBox.getMinX() - x0);
    const gx1 = goodBBox.isEmpty() ? width : Math.min(width, goodBBox.getMaxX() - x0 + 1);
    const gy0 = goodBBox.isEmpty() ? height : Math.max(0, goodBBox.getMinY() - y0);
    const gy1 = goodBBox.isEmpty() ? height : Math.min(height, goodBBox.getMaxY() - y0 + 1);
    for (let y = 0; y < height; y++) {
      const row = y * stride;
      const full = y < gy0 || y >= gy1;
      for (let x = 0; x < width; x++) {
        if (full || x < gx0 || x >= gx1) data[row + x] = data[row + x]! | edgeBitmask;
        else x = gx1 - 1;
      }
    }
  }
}

/** The three planes a detection smooths into. */
interface SmoothingBuffers {
  readonly image: Float32Array;
  readonly variance: Float32Array;
  readonly mask: Int32Array;
}

/**
 * How long the buffers of the last finished detection are held after it (ms): a pipeline detects
 * on images of one size again and again (each detector's characterization and calibration), and
 * fresh planes cost their page faults every time (~25 000 per 4096² detection: 0.04–0.1 s on the
 * 2-core machines of tools/bench); after this they are only weakly held, for the garbage
 * collector to take.
 */
const SPARE_BUFFER_HOLD_MS = 60_000;

/**
 * The buffers of the last finished detection: they never leave detectFootprints (the smoothed
 * image is a temporary there), so the next detection of the same size smooths into them. Held
 * strongly for {@link SPARE_BUFFER_HOLD_MS} (a timer that does not keep the process alive), then
 * weakly: a major collection, which every large allocation soon triggers, would take them at once.
 */
let spareBuffers: { held: SmoothingBuffers | undefined; weak: WeakRef<SmoothingBuffers>; timer: ReturnType<typeof setTimeout> | undefined } | undefined;

function takeSmoothingBuffers(n: number): SmoothingBuffers {
  const spare = spareBuffers?.held ?? spareBuffers?.weak.deref();
  if (spareBuffers?.timer !== undefined) clearTimeout(spareBuffers.timer);
  spareBuffers = undefined; // a nested detection gets its own
  if (spare !== undefined && spare.image.length === n) return spare;
  // shared memory: a worker-thread kernel backend smooths into them directly (no copies)
  return { image: allocShared(Float32Array, n), variance: allocShared(Float32Array, n), mask: allocShared(Int32Array, n) };
}

function releaseSmoothingBuffers(buffers: SmoothingBuffers): void {
  if (spareBuffers?.timer !== undefined) clearTimeout(spareBuffers.timer);
  const spare: NonNullable<typeof spareBuffers> = { held: buffers, weak: new WeakRef(buffers), timer: undefined };
  spare.timer = setTimeout(() => {
    spare.held = undefined;
    spare.timer = undefined;
  }, SPARE_BUFFER_HOLD_MS);
  // (a timer object where there is one: Node's; browsers give a number)
  (spare.timer as { unref?: () => void }).unref?.();
  spareBuffers = spare;
}

/** A masked image over compact planes (no copies) with a given xy0 and mask plane dictionary. */
function wrapPlanes(image: Float32Array, variance: Float32Array, mask: Int32Array, width: number, height: number, xy0: Point2I, planeDict: MaskPlaneDict): MaskedImage<Float32Array> {
  return new MaskedImage(new Image(image, width, height, { xy0 }), new Mask(mask, width, height, { xy0, planeDict }), new Image(variance, width, height, { xy0 }));
}

/** Replaces a footprint's peaks in place (afw empties the catalog and extends it). */
function replacePeaks(footprint: Footprint, peaks: PeakCatalog): void {
  footprint.getPeaks().adoptColumns(peaks.length, new Map(peaks.schema.getFields().map((f) => [f.name, peaks.getColumn(f.name)])));
}

/** The footprint sets whose pixels {@link SourceDetectionTask.finalizeFootprints} masked, by polarity. */
interface MaskedSets {
  positive: FootprintSet | undefined;
  negative: FootprintSet | undefined;
}

/** A copy of an array twice as long. */
function grow(a: Int32Array): Int32Array<ArrayBuffer> {
  const next = new Int32Array(2 * a.length);
  next.set(a);
  return next;
}

/** Growable lists of runs `[x0, x1]` (inclusive). */
class SegmentList {
  x0: Int32Array<ArrayBuffer> = new Int32Array(1024);
  x1: Int32Array<ArrayBuffer> = new Int32Array(1024);
  n = 0;

  push(a: number, b: number): void {
    if (this.n === this.x0.length) {
      this.x0 = grow(this.x0);
      this.x1 = grow(this.x1);
    }
    this.x0[this.n] = a;
    this.x1[this.n++] = b;
  }
}

/**
 * Per tile of `T × T` pixels: the limit on u² (u the smoothed image) below which no pixel of the
 * tile can pass `u² ≥ t2 V` (`t2` the threshold squared, `V` its smoothed variance, at least
 * `sumK2` times the smallest input variance its kernel reaches), from the
 * smallest input variance of the tile and its neighbours (T ≥ the kernel's half width, so the
 * kernel of a pixel reaches at most the neighbouring tiles); the margin 1e-6 covers the rounding
 * of the smoothed variance (double sums, one float32 rounding) many times over. NaN variances are
 * ignored (a NaN reaching a pixel makes it fail anyway). Its own function, as are the other long
 * loops of {@link LazySmoothedVariance.make}: V8 optimises a long loop with code for the rest of
 * its function, and later loops reached there without type feedback were deoptimised.
 */
function tileLimits(variance: Float32Array, width: number, height: number, T: number, t2: number, sumK2: number): Float64Array {
  const ntx = Math.ceil(width / T);
  const nty = Math.ceil(height / T);
  const tileMin = new Float64Array(ntx * nty).fill(Infinity);
  for (let y = 0; y < height; y++) rowTileMin(variance, y * width, width, T, tileMin, Math.floor(y / T) * ntx);
  const limit = new Float64Array(ntx * nty);
  for (let ty = 0; ty < nty; ty++) {
    for (let tx = 0; tx < ntx; tx++) {
      let m = Infinity;
      for (let j = Math.max(0, ty - 1); j <= Math.min(nty - 1, ty + 1); j++) {
        for (let i = Math.max(0, tx - 1); i <= Math.min(ntx - 1, tx + 1); i++) m = Math.min(m, tileMin[j * ntx + i]!);
      }
      limit[ty * ntx + tx] = m > 0 ? t2 * m * sumK2 * (1 - 1e-6) : -Infinity;
    }
  }
  return limit;
}

/**
 * The candidate scan of {@link LazySmoothedVariance.make}. For each row of the smoothed image's
 * good area: the runs whose u² passes their tile's limit (from {@link tileLimits}, tiles of `T`)
 * go into `seg`, the row's first run index into `rowStart` and its polarity flags into `rows`;
 * each run's smoothed variance is evaluated into `out`, with +Infinity at the pixel after it
 * (where the run search stops, which must fail).
 */
function scanCandidates(
  img: Float32Array,
  out: Float32Array,
  evaluator: SeparableSpanEvaluator,
  size: PlaneSize,
  T: number,
  limit: Float64Array,
  seg: SegmentList,
  rows: Uint8Array,
  rowStart: Int32Array,
): void {
  const { width, height, half } = size;
  const ntx = Math.ceil(width / T);
  const xEnd = width - half; // exclusive
  const tx0 = Math.floor(half / T);
  for (let y = half; y < height - half; y++) {
    rowStart[y - half] = seg.n;
    const first = seg.n;
    const flags = scanRow(img, y * width, limit, Math.floor(y / T) * ntx, tx0, T, half, xEnd, seg);
    for (let q = first; q < seg.n; q++) {
      const after = seg.x1[q]! + half + 1;
      evaluator.evaluateSpan(out, y, seg.x0[q]! + half, after - 1);
      if (after < xEnd) out[y * width + after] = Infinity;
    }
    rows[y - half] = flags;
  }
}

/** The smallest value of each `T`-wide tile of one row, folded into `tileMin[trow + tx]`. */
function rowTileMin(values: Float32Array, row: number, width: number, T: number, tileMin: Float64Array, trow: number): void {
  for (let x0 = 0, tx = 0; x0 < width; x0 += T, tx++) {
    // four running minima (shorter dependency chains), folded at the end; NaN never replaces one
    let m0 = tileMin[trow + tx]!;
    let m1 = m0;
    let m2 = m0;
    let m3 = m0;
    const end = row + Math.min(width, x0 + T);
    let i = row + x0;
    for (; i + 3 < end; i += 4) {
      const a = values[i]!;
      const b = values[i + 1]!;
      const c = values[i + 2]!;
      const d = values[i + 3]!;
      if (a < m0) m0 = a;
      if (b < m1) m1 = b;
      if (c < m2) m2 = c;
      if (d < m3) m3 = d;
    }
    for (; i < end; i++) {
      const v = values[i]!;
      if (v < m0) m0 = v;
    }
    if (m1 < m0) m0 = m1;
    if (m3 < m2) m2 = m3;
    tileMin[trow + tx] = m2 < m0 ? m2 : m0;
  }
}

/**
 * The candidate runs of one smoothed row (`u² ≥` its tile's limit) over columns `[half, xEnd)`,
 * appended to `seg` in middle-local columns; returns the row's polarity flags (1 positive, 2
 * negative).
 */
function scanRow(img: Float32Array, row: number, limit: Float64Array, trow: number, tx0: number, T: number, half: number, xEnd: number, seg: SegmentList): number {
  let flags = 0;
  let runStart = -1;
  for (let tx = tx0; tx * T < xEnd; tx++) {
    const lim = limit[trow + tx]!;
    const end = row + Math.min(xEnd, (tx + 1) * T);
    let k = row + Math.max(half, tx * T);
    while (k < end) {
      if (runStart < 0) {
        k = firstAtLeast(img, k, end, lim);
        if (k === end) break;
        runStart = k - row;
      }
      // in a run: up to its end (or the tile's), noting the signs
      const stop = firstBelow(img, k, end, lim);
      flags |= signFlags(img, k, stop);
      k = stop;
      if (k < end) {
        seg.push(runStart - half, k - row - 1 - half);
        runStart = -1;
      }
    }
  }
  if (runStart >= 0) seg.push(runStart - half, xEnd - 1 - half);
  return flags;
}

/** The first `k` in `[from, to)` with `img[k]² ≥ lim` (`to` when none). */
function firstAtLeast(img: Float32Array, from: number, to: number, lim: number): number {
  let k = from;
  // four at a time while none passes (the usual case), then one by one
  for (; k + 3 < to; k += 4) {
    const a = img[k]!;
    const b = img[k + 1]!;
    const c = img[k + 2]!;
    const d = img[k + 3]!;
    if (a * a >= lim || b * b >= lim || c * c >= lim || d * d >= lim) break;
  }
  while (k < to) {
    const u = img[k]!;
    if (u * u >= lim) return k;
    k++;
  }
  return to;
}

/** The first `k` in `[from, to)` with `img[k]² < lim` or NaN (`to` when none). */
function firstBelow(img: Float32Array, from: number, to: number, lim: number): number {
  let k = from;
  while (k < to) {
    const u = img[k]!;
    if (!(u * u >= lim)) return k;
    k++;
  }
  return to;
}

/** Bit 1 for a value `≥ 0` in `img[from, to)`, bit 2 for a value `≤ 0` (0 counts as both). */
function signFlags(img: Float32Array, from: number, to: number): number {
  let flags = 0;
  for (let k = from; k < to; k++) {
    const u = img[k]!;
    flags |= u >= 0 ? (u <= 0 ? 3 : 1) : 2;
  }
  return flags;
}

/** An image's width and height, and a smoothing kernel's half width. */
interface PlaneSize {
  readonly width: number;
  readonly height: number;
  readonly half: number;
}

/** The side of the tiles over which the smallest input variance bounds the smoothed variance. */
const BOUND_TILE = 64;

/** Lazy smoothed-variance planes of running detections, by the smoothing buffer they live in. */
const lazyPlanes = new WeakMap<ArrayBufferLike, LazySmoothedVariance>();

/**
 * The smoothed variance of a detection, evaluated only where it can matter. With a per-pixel
 * threshold `t > 0`, a smoothed pixel `u` passes (either polarity) only if `u² ≥ t² V`, where
 * `V = Σ k² v` is its smoothed variance; and `V ≥ m Σk²` for `m` the smallest input variance the
 * kernel reaches. So one pass over the smoothed image with a per-tile bound `m` finds the
 * candidate pixels; only there is `V` evaluated (bit for bit as the full convolution, by
 * {@link SeparableSpanEvaluator}); the first pixel after each run of candidates gets `+Infinity`
 * (which fails both polarities exactly as its true value would: a run search that starts in a
 * candidate run stops there), and the other pixels are never read (a search not restricted to the
 * runs first evaluates the whole plane). Boxes that are thresholded again after the temporary local
 * background changes the image are completed first ({@link LazySmoothedVariance.complete}). The
 * pass also records which rows hold candidates of each polarity, so rows without one need not be
 * searched for footprints.
 */
class LazySmoothedVariance {
  /** Per middle-local row: bit 1 a positive candidate, bit 2 a negative one. */
  readonly #rows: Uint8Array;
  /** The candidate runs (middle-local columns), by row. */
  readonly #segments: NonNullable<RowFilter['segments']>;
  readonly #evaluator: SeparableSpanEvaluator;
  readonly #out: Float32Array;
  readonly #x0: number;
  readonly #y0: number;
  readonly #threshold: number;
  /** The unsmoothed image's width and height, and the kernel's half width. */
  readonly #size: PlaneSize;

  private constructor(
    rows: Uint8Array,
    segments: NonNullable<RowFilter['segments']>,
    evaluator: SeparableSpanEvaluator,
    out: Float32Array,
    x0: number,
    y0: number,
    threshold: number,
    size: PlaneSize,
  ) {
    this.#rows = rows;
    this.#segments = segments;
    this.#evaluator = evaluator;
    this.#out = out;
    this.#x0 = x0;
    this.#y0 = y0;
    this.#threshold = threshold;
    this.#size = size;
  }

  /**
   * Scans the smoothed image (in `buffers.image`) and evaluates the candidates' variance into
   * `buffers.variance`. The kernel must fit in the image (a non-empty good area).
   */
  static make(maskedImage: MaskedImage<PixelArray>, sigma: number, kWidth: number, buffers: SmoothingBuffers, threshold: number): LazySmoothedVariance {
    const width = maskedImage.getWidth();
    const height = maskedImage.getHeight();
    const half = (kWidth - 1) / 2;
    const k = gaussianKernel1d(sigma, half);
    const variance = maskedImage.variance.compactPixels();
    const out = buffers.variance;
    const evaluator = new SeparableSpanEvaluator(variance, width, height, k, k, { squared: true });
    let s2 = 0;
    for (let i = 0; i < k.length; i++) s2 += k[i]! * k[i]!;
    const sumK2 = s2 * s2; // Σ over the 2-D kernel of (kx ky)²
    const T = Math.max(BOUND_TILE, half);
    const limit = tileLimits(variance, width, height, T, threshold * threshold, sumK2);
    const size = { width, height, half };
    const nRows = height - 2 * half;
    const rows = new Uint8Array(nRows);
    const rowStart = new Int32Array(nRows + 1);
    const seg = new SegmentList();
    scanCandidates(buffers.image, out, evaluator, size, T, limit, seg, rows, rowStart);
    const nSeg = seg.n;
    const segX0 = seg.x0;
    const segX1 = seg.x1;
    rowStart[nRows] = nSeg;
    const segments = { rowStart, x0: segX0, x1: segX1 };
    const lazy = new LazySmoothedVariance(rows, segments, evaluator, out, maskedImage.getXY0().getX(), maskedImage.getXY0().getY(), threshold, size);
    lazyPlanes.set(out.buffer, lazy);
    return lazy;
  }

  /**
   * Where to search the smoothed image's good area for one polarity (the rows with candidates of
   * that sign, and the candidate runs); undefined (search everything) for a threshold below the
   * one the candidates were found for.
   */
  rowFlags(threshold: number, bit: 1 | 2): RowFilter | undefined {
    if (threshold >= this.#threshold) return { flags: this.#rows, bit, segments: this.#segments };
    // every pixel can be read: evaluate the whole plane
    const { width, height, half } = this.#size;
    for (let y = half; y < height - half; y++) this.#evaluator.evaluateSpan(this.#out, y, half, width - half - 1);
    return undefined;
  }

  /** Evaluates the smoothed variance in a box (PARENT) of `middle`, when it is a lazy plane. */
  static complete(middle: MaskedImage<Float32Array>, box: Box2I): void {
    const lazy = lazyPlanes.get(middle.variance.array.data.buffer);
    if (lazy === undefined || box.isEmpty()) return;
    const x0 = box.getMinX() - lazy.#x0;
    const x1 = box.getMaxX() - lazy.#x0;
    for (let y = box.getMinY() - lazy.#y0; y <= box.getMaxY() - lazy.#y0; y++) lazy.#evaluator.evaluateSpan(lazy.#out, y, x0, x1);
  }

  /** Forgets the plane (its buffer goes back to the pool). */
  dispose(): void {
    lazyPlanes.delete(this.#out.buffer);
  }
}
