// ScaleVarianceTask: rescales a variance plane to the noise seen in the pixels
// (lsst.pipe.tasks.scaleVariance).
import type { MaskedImage, PixelArray } from '@skystack/afw-image';
import { quantile } from '@skystack/kernels';
import { SubtractBackgroundTask, type SubtractBackgroundConfig } from '@skystack/meas-algorithms';
import { Config, ConfigurableField, Field, ListField } from '@skystack/pex-config';
import { Struct, Task, type TaskOptions, timeMethod } from '@skystack/pipe-base';
import { ScaleVarianceError } from './errors.js';

/** The mask planes LSST leaves out of both the statistics and the background fit. */
const IGNORED_PLANES = ['DETECTED', 'DETECTED_NEGATIVE', 'BAD', 'SAT', 'NO_DATA', 'INTRP'];

/**
 * The config of {@link ScaleVarianceTask}, with LSST's fields and defaults: the background
 * subtask fits 32-pixel bins with an interpolation (no Chebyshev approximation,
 * `REDUCE_INTERP_ORDER`) and ignores the same mask planes as the statistics.
 *
 * @see lsst.pipe.tasks.scaleVariance.ScaleVarianceConfig
 */
export class ScaleVarianceConfig extends Config {
  /** The background fit removed before the statistics are taken. */
  background = ConfigurableField({ doc: 'Background subtraction', target: SubtractBackgroundTask }) as unknown as SubtractBackgroundConfig;
  /** Mask planes of pixels left out of the statistics. */
  maskPlanes = ListField({ doc: 'Mask planes for pixels to ignore when scaling variance', dtype: 'str', default: [...IGNORED_PLANES] });
  /** The largest factor accepted. */
  limit = Field.float({ doc: 'Maximum variance scaling value to permit', default: 10.0 });

  /** LSST's setDefaults: 32-pixel bins, interpolated, the statistics' mask planes ignored. */
  override setDefaults(): void {
    super.setDefaults();
    const bg = this.background;
    bg.binSize = 32;
    bg.useApprox = false;
    bg.undersampleStyle = 'REDUCE_INTERP_ORDER';
    bg.ignoredPixelMask = [...IGNORED_PLANES];
  }
}

/** Both estimates of {@link ScaleVarianceTask.computeScaleFactors}. */
export interface ScaleFactors {
  /** The pixel-based factor (1 when fewer than 2 pixels are usable). */
  readonly pixelFactor: number;
  /** The image-based factor (1 when fewer than 2 pixels are usable). */
  readonly imageFactor: number;
}

/**
 * Rescales the variance plane of a warped, convolved or coadded image, whose variance has partly
 * moved into covariances between pixels, so that it matches the noise seen in the pixels.
 *
 * The background (the `background` subtask's fit) is taken out of the image first, so that away
 * from objects `image / √variance` scatters about zero. The pixel-based factor is the squared
 * robust standard deviation of that ratio, `0.74 × IQR`, over the pixels without `maskPlanes`, a
 * positive variance and finite values. If it exceeds `limit`, the image-based factor,
 * `(0.74 × IQR(image))² / median(variance)`, is tried instead. The factor multiplies the variance
 * plane. Unlike LSST, which subtracts the background image from the pixels and adds it back, the
 * image plane is never written: the statistics are taken of `image − background` on the fly, so
 * the pixels come out bit for bit as they went in.
 *
 * @example
 * ```ts
 * const factor = new ScaleVarianceTask().run(coadd.maskedImage); // variance × factor
 * ```
 * @see lsst.pipe.tasks.scaleVariance.ScaleVarianceTask
 */
export class ScaleVarianceTask extends Task<ScaleVarianceConfig> {
  /** {@link ScaleVarianceConfig}. */
  static override ConfigClass = ScaleVarianceConfig;
  /** `scaleVariance`. */
  static override _DefaultName: string | undefined = 'scaleVariance';
  /** The background subtask. */
  readonly background: SubtractBackgroundTask;

  /**
   * Makes the task and its background subtask.
   *
   * @param options - config, name, parent task
   */
  constructor(options: TaskOptions<ScaleVarianceConfig> = {}) {
    super(options);
    this.background = this.makeSubtask<SubtractBackgroundTask>('background');
  }

  /**
   * Measures the factor and multiplies the variance plane by it.
   *
   * @param maskedImage - the image; its variance plane is scaled in place
   * @returns the factor applied
   * @throws {@link ScaleVarianceError} when both estimates exceed `limit` (nothing is changed)
   * @throws `MeasAlgorithmsNoDataError` (from `@skystack/meas-algorithms`) when every pixel is masked for the background fit
   * @see lsst.pipe.tasks.scaleVariance.ScaleVarianceTask.run
   */
  run(maskedImage: MaskedImage<PixelArray>): number {
    return timeMethod(this, 'run', () => {
      const background = this.#backgroundImage(maskedImage);
      let factor = this.pixelBased(maskedImage, background);
      if (!(factor <= this.config.limit)) {
        this.log.warn(`Pixel-based variance rescaling factor (${factor}) exceeds configured limit (${this.config.limit}); trying image-based method`);
        factor = this.imageBased(maskedImage, background);
        if (!(factor <= this.config.limit)) {
          throw new ScaleVarianceError(`Variance rescaling factor (${factor}) exceeds configured limit (${this.config.limit}); the variance plane was left unchanged.`, {
            hint: 'The variance plane does not describe this image (wrong units or gain?), or large unmasked structure dominates it; raise scaleVariance.limit only if the variance is known to be that far off.',
          });
        }
      }
      this.log.info(`Renormalizing variance by ${factor}`);
      const va = maskedImage.variance.array;
      const f = Math.fround(factor);
      for (let y = 0; y < va.height; y++) {
        const o = y * va.stride;
        for (let x = 0; x < va.width; x++) va.data[o + x] = (va.data[o + x] as number) * f;
      }
      return factor;
    });
  }

  /**
   * Both factors, with nothing modified.
   *
   * @param maskedImage - the image
   * @returns the pixel-based and the image-based factor
   * @see lsst.pipe.tasks.scaleVariance.ScaleVarianceTask.computeScaleFactors
   */
  computeScaleFactors(maskedImage: MaskedImage<PixelArray>): Struct<ScaleFactors> {
    const background = this.#backgroundImage(maskedImage);
    return new Struct<ScaleFactors>({ pixelFactor: this.pixelBased(maskedImage, background), imageFactor: this.imageBased(maskedImage, background) });
  }

  /**
   * The squared robust standard deviation (`0.74 × IQR`) of `(image − background) / √variance`.
   *
   * @param maskedImage - the image
   * @param background - the background over the image, row-major without padding (none: zero)
   * @returns the factor; 1 when fewer than 2 pixels are usable
   * @see lsst.pipe.tasks.scaleVariance.ScaleVarianceTask.pixelBased
   */
  pixelBased(maskedImage: MaskedImage<PixelArray>, background?: Float32Array): number {
    const { values, n } = this.#gather(maskedImage, background, 'snr');
    if (n < 2) return 1;
    const stdev = 0.74 * (quantile(values, n, 0.75) - quantile(values, n, 0.25));
    return stdev * stdev;
  }

  /**
   * `(0.74 × IQR(image − background))² / median(variance)`.
   *
   * @param maskedImage - the image
   * @param background - the background over the image, row-major without padding (none: zero)
   * @returns the factor; 1 when fewer than 2 pixels are usable
   * @see lsst.pipe.tasks.scaleVariance.ScaleVarianceTask.imageBased
   */
  imageBased(maskedImage: MaskedImage<PixelArray>, background?: Float32Array): number {
    const { values, n } = this.#gather(maskedImage, background, 'image');
    if (n < 2) return 1;
    const iqr = quantile(values, n, 0.75) - quantile(values, n, 0.25);
    const variances = this.#gather(maskedImage, undefined, 'variance').values;
    const ratio = (0.74 * iqr) / Math.sqrt(quantile(variances, n, 0.5));
    return ratio * ratio;
  }

  /** The background fit evaluated over the image (row-major, the image's width). */
  #backgroundImage(maskedImage: MaskedImage<PixelArray>): Float32Array {
    return this.background.fitBackground(maskedImage).getImage();
  }

  /** The values of the usable pixels (no `maskPlanes`, variance > 0, both finite), in a prefix of a fresh array. */
  #gather(maskedImage: MaskedImage<PixelArray>, background: Float32Array | undefined, what: 'snr' | 'image' | 'variance'): { values: Float64Array; n: number } {
    const mask = maskedImage.mask;
    const planes = mask.getMaskPlaneDict();
    let bad = 0;
    for (const p of this.config.maskPlanes) if (p in planes) bad |= mask.getPlaneBitMask(p);
    const im = maskedImage.image.array;
    const va = maskedImage.variance.array;
    const ma = mask.array;
    const width = im.width;
    const values = new Float64Array(width * im.height);
    let n = 0;
    for (let y = 0; y < im.height; y++) {
      const io = y * im.stride;
      const vo = y * va.stride;
      const mo = y * ma.stride;
      const bo = y * width;
      for (let x = 0; x < width; x++) {
        const v = va.data[vo + x] as number;
        const f = (im.data[io + x] as number) - (background === undefined ? 0 : background[bo + x]!);
        if ((ma.data[mo + x]! & bad) !== 0 || !(v > 0) || !Number.isFinite(f) || v === Infinity) continue;
        values[n++] = what === 'snr' ? f / Math.sqrt(v) : what === 'image' ? f : v;
      }
    }
    return { values, n };
  }
}
