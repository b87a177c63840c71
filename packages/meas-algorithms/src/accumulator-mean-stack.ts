// AccumulatorMeanStack: a weighted mean of masked images added one at a time, with running sums
// instead of every input in memory (lsst.meas.algorithms.AccumulatorMeanStack).
import type { Image, MaskedImage, PixelArray } from '@skystack/afw-image';
import { MeasAlgorithmsInvalidArgumentError } from './errors.js';

/** Options of {@link AccumulatorMeanStack}. */
export interface AccumulatorMeanStackOptions {
  /**
   * Mask propagation thresholds, bit number → fraction: a bad bit (of `bitMaskValue`) is set on
   * the output where the inputs rejected with it carry more than this fraction of the weight
   * they would have had, `Σ w(rejected with bit) / (Σ w(used) + Σ w(rejected with bit))`.
   */
  readonly maskThresholds?: ReadonlyMap<number, number>;
  /** `[fromBits, toBits]` pairs: where an input was rejected for a bit of `fromBits`, `toBits` is set on the output. */
  readonly maskMap?: readonly (readonly [number, number])[];
  /** Bits set where no input was used (default: the output's `NO_DATA` plane). */
  readonly noGoodPixelsMask?: number;
  /**
   * The variance of the mean from the input variances, `Σ w² var / (Σ w)²` (default); otherwise
   * from the scatter of the values (the de-biased weighted variance times `Σ w² / (Σ w)²`).
   */
  readonly calcErrorFromInputVariance?: boolean;
  /** Count, per pixel, the inputs without a bad bit ({@link AccumulatorMeanStack.nImage}; a non-finite value still counts, as LSST's). */
  readonly computeNImage?: boolean;
}

/**
 * Stacks masked images into their weighted mean one at a time (`addMaskedImage`), keeping running
 * sums in float64 — memory is a few planes of the output, whatever the number of inputs — and
 * fills the result at the end (`fillStackedMaskedImage`). Per pixel, an input is used where its
 * mask has none of `bitMaskValue`; the output mask is the OR of the used inputs' masks, plus each
 * thresholded bad bit whose rejected weight fraction exceeds its threshold, plus the `maskMap`
 * bits of the bad bits that rejected any input, plus `noGoodPixelsMask` where nothing was used.
 * The same result as a MEAN `statisticsStack` of the same inputs and weights.
 *
 * Unlike LSST's, which tests `isfinite` on the mask (always true) and so lets a NaN pixel without
 * a bad bit turn the mean into NaN, a non-finite value (image or variance) is not used, as afw's
 * `statisticsStack` does.
 *
 * @example
 * ```ts
 * const stack = new AccumulatorMeanStack(width, height, badBits, { calcErrorFromInputVariance: true });
 * for (const [warp, weight] of warps) stack.addMaskedImage(warp.maskedImage, weight);
 * stack.fillStackedMaskedImage(coadd.maskedImage);
 * ```
 * @see lsst.meas.algorithms.AccumulatorMeanStack
 */
export class AccumulatorMeanStack {
  /** Width of the inputs and output. */
  readonly width: number;
  /** Height of the inputs and output. */
  readonly height: number;
  /** Bits that exclude an input pixel. */
  readonly bitMaskValue: number;
  readonly #calcErrorFromInputVariance: boolean;
  readonly #maskMap: readonly (readonly [number, number])[];
  readonly #noGoodPixelsMask: number | undefined;
  readonly #sumWeight: Float64Array;
  readonly #sumWData: Float64Array;
  /** Σ w² var, or Σ w² with the scatter. */
  readonly #sumW2: Float64Array;
  /** Σ w data² (scatter only). */
  readonly #sumWData2: Float64Array | undefined;
  readonly #orMask: Int32Array;
  readonly #maskedPixelsMask: Int32Array;
  readonly #thresholds: { bit: number; threshold: number; rejected: Float64Array }[] = [];
  readonly #nImage: Int32Array | undefined;

  /**
   * Makes an empty stack.
   *
   * @param width - width of every input
   * @param height - height of every input
   * @param bitMaskValue - mask bits that exclude an input pixel
   * @param options - thresholds, mask map, no-data bits, variance choice, nImage
   * @throws {@link MeasAlgorithmsInvalidArgumentError} for non-positive dimensions or a threshold bit outside 0..31
   */
  constructor(width: number, height: number, bitMaskValue: number, options: AccumulatorMeanStackOptions = {}) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
      throw new MeasAlgorithmsInvalidArgumentError(`AccumulatorMeanStack needs positive integer dimensions; got ${width} x ${height}.`);
    }
    this.width = width;
    this.height = height;
    this.bitMaskValue = bitMaskValue;
    this.#calcErrorFromInputVariance = options.calcErrorFromInputVariance ?? true;
    this.#maskMap = options.maskMap ?? [];
    this.#noGoodPixelsMask = options.noGoodPixelsMask;
    const n = width * height;
    this.#sumWeight = new Float64Array(n);
    this.#sumWData = new Float64Array(n);
    this.#sumW2 = new Float64Array(n);
    this.#sumWData2 = this.#calcErrorFromInputVariance ? undefined : new Float64Array(n);
    this.#orMask = new Int32Array(n);
    this.#maskedPixelsMask = new Int32Array(n);
    for (const [bit, threshold] of options.maskThresholds ?? []) {
      if (!Number.isInteger(bit) || bit < 0 || bit > 31) throw new MeasAlgorithmsInvalidArgumentError(`Mask threshold bit ${bit} is not a mask bit (0..31).`);
      // Only bad bits are ever rejected; a threshold of 1 or more can never be exceeded.
      if ((bitMaskValue & (1 << bit)) !== 0 && threshold < 1) this.#thresholds.push({ bit, threshold, rejected: new Float64Array(n) });
    }
    this.#nImage = options.computeNImage ? new Int32Array(n) : undefined;
  }

  /** The number of inputs without a bad bit per pixel (row-major), with `computeNImage`. */
  get nImage(): Int32Array | undefined {
    return this.#nImage;
  }

  /**
   * Adds a masked image.
   *
   * @param maskedImage - an input of the stack's dimensions
   * @param weight - its weight (finite, > 0)
   * @throws {@link MeasAlgorithmsInvalidArgumentError} for other dimensions or a bad weight
   * @see lsst.meas.algorithms.AccumulatorMeanStack.add_masked_image
   */
  addMaskedImage(maskedImage: MaskedImage<PixelArray>, weight = 1): void {
    this.#check(maskedImage.getWidth(), maskedImage.getHeight(), weight);
    const im = maskedImage.image.array;
    const va = maskedImage.variance.array;
    const ma = maskedImage.mask.array;
    const bad = this.bitMaskValue;
    const w2 = weight * weight;
    const fromVariance = this.#calcErrorFromInputVariance;
    const sumWData2 = this.#sumWData2;
    const nImage = this.#nImage;
    for (let y = 0; y < this.height; y++) {
      const io = y * im.stride;
      const vo = y * va.stride;
      const mo = y * ma.stride;
      const o = y * this.width;
      for (let x = 0; x < this.width; x++) {
        const m = ma.data[mo + x]!;
        const k = o + x;
        if ((m & bad) !== 0) {
          this.#maskedPixelsMask[k] = this.#maskedPixelsMask[k]! | (m & bad);
          continue;
        }
        if (nImage !== undefined) nImage[k] = nImage[k]! + 1;
        const v = im.data[io + x] as number;
        const variance = va.data[vo + x] as number;
        if (!Number.isFinite(v) || (fromVariance && !Number.isFinite(variance))) continue;
        this.#sumWeight[k] = this.#sumWeight[k]! + weight;
        this.#sumWData[k] = this.#sumWData[k]! + weight * v;
        if (fromVariance) this.#sumW2[k] = this.#sumW2[k]! + w2 * variance;
        else {
          this.#sumW2[k] = this.#sumW2[k]! + w2;
          sumWData2![k] = sumWData2![k]! + weight * v * v;
        }
        this.#orMask[k] = this.#orMask[k]! | m;
      }
    }
    for (const { bit, rejected } of this.#thresholds) {
      const b = 1 << bit;
      for (let y = 0; y < this.height; y++) {
        const mo = y * ma.stride;
        const o = y * this.width;
        for (let x = 0; x < this.width; x++) if ((ma.data[mo + x]! & b) !== 0) rejected[o + x] = rejected[o + x]! + weight;
      }
    }
  }

  /**
   * Adds an image: every pixel is used, no mask involved.
   *
   * @param image - an input of the stack's dimensions
   * @param weight - its weight (finite, > 0)
   * @throws {@link MeasAlgorithmsInvalidArgumentError} for other dimensions or a bad weight
   * @see lsst.meas.algorithms.AccumulatorMeanStack.add_image
   */
  addImage(image: Image<PixelArray>, weight = 1): void {
    this.#check(image.getWidth(), image.getHeight(), weight);
    const { data, stride } = image.array;
    for (let y = 0; y < this.height; y++) {
      const io = y * stride;
      const o = y * this.width;
      for (let x = 0; x < this.width; x++) {
        this.#sumWeight[o + x] = this.#sumWeight[o + x]! + weight;
        this.#sumWData[o + x] = this.#sumWData[o + x]! + weight * (data[io + x] as number);
        if (this.#nImage !== undefined) this.#nImage[o + x] = this.#nImage[o + x]! + 1;
      }
    }
  }

  /**
   * Writes the weighted mean, its variance and the mask into `out` (same dimensions).
   *
   * @param out - the output masked image (overwritten)
   * @throws {@link MeasAlgorithmsInvalidArgumentError} for other dimensions
   * @see lsst.meas.algorithms.AccumulatorMeanStack.fill_stacked_masked_image
   */
  fillStackedMaskedImage(out: MaskedImage<PixelArray>): void {
    this.#check(out.getWidth(), out.getHeight(), 1);
    const im = out.image.array;
    const va = out.variance.array;
    const ma = out.mask.array;
    const noGood = this.#noGoodPixelsMask ?? out.mask.getPlaneBitMask('NO_DATA');
    const sumWData2 = this.#sumWData2;
    for (let y = 0; y < this.height; y++) {
      const o = y * this.width;
      for (let x = 0; x < this.width; x++) {
        const k = o + x;
        const sw = this.#sumWeight[k]!;
        const mean = this.#sumWData[k]! / sw;
        let variance: number;
        if (sumWData2 === undefined) variance = this.#sumW2[k]! / (sw * sw);
        else {
          const sw2 = this.#sumW2[k]!;
          variance = (((sumWData2[k]! / sw - mean * mean) * (sw * sw)) / (sw * sw - sw2)) * (sw2 / (sw * sw));
        }
        let mask = this.#orMask[k]!;
        for (const { bit, threshold, rejected } of this.#thresholds) if (rejected[k]! / (sw + rejected[k]!) > threshold) mask |= 1 << bit;
        const masked = this.#maskedPixelsMask[k]!;
        if (masked !== 0) for (const [from, to] of this.#maskMap) if ((masked & from) !== 0) mask |= to;
        if (!(sw > 0)) mask |= noGood;
        im.data[y * im.stride + x] = mean;
        va.data[y * va.stride + x] = variance;
        ma.data[y * ma.stride + x] = mask;
      }
    }
  }

  /**
   * Writes the weighted mean of the images added into `out`.
   *
   * @param out - the output image (overwritten)
   * @throws {@link MeasAlgorithmsInvalidArgumentError} for other dimensions
   * @see lsst.meas.algorithms.AccumulatorMeanStack.fill_stacked_image
   */
  fillStackedImage(out: Image<PixelArray>): void {
    this.#check(out.getWidth(), out.getHeight(), 1);
    const { data, stride } = out.array;
    for (let y = 0; y < this.height; y++) {
      const o = y * this.width;
      for (let x = 0; x < this.width; x++) data[y * stride + x] = this.#sumWData[o + x]! / this.#sumWeight[o + x]!;
    }
  }

  #check(width: number, height: number, weight: number): void {
    if (width !== this.width || height !== this.height) {
      throw new MeasAlgorithmsInvalidArgumentError(`The image is ${width} x ${height}; this stack is ${this.width} x ${this.height}.`);
    }
    if (!(weight > 0) || !Number.isFinite(weight)) throw new MeasAlgorithmsInvalidArgumentError(`The weight must be finite and > 0; got ${weight}.`);
  }
}
