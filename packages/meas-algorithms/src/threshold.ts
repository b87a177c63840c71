import type { MaskedImage } from '@skystack/afw-image';
import { makeStatistics } from '@skystack/kernels';
import { MeasAlgorithmsInvalidArgumentError } from './errors.js';

/**
 * How a {@link Threshold}'s value is interpreted (afw's `Threshold::ThresholdType`):
 * `VALUE` in pixel units; `STDEV` and `VARIANCE` in units of the image's clipped standard
 * deviation (afw multiplies both by the `STDEVCLIP` of the image); `PIXEL_STDEV` in units of each
 * pixel's own `√variance`; `BITMASK` bits of a mask.
 */
export type ThresholdType = 'VALUE' | 'BITMASK' | 'STDEV' | 'VARIANCE' | 'PIXEL_STDEV';

/** The lower-case names `createThreshold` accepts, as afw's `Threshold.parseTypeString`. */
export type ThresholdTypeString = 'value' | 'bitmask' | 'stdev' | 'variance' | 'pixel_stdev';

const TYPE_STRINGS: Readonly<Record<ThresholdTypeString, ThresholdType>> = {
  value: 'VALUE',
  bitmask: 'BITMASK',
  stdev: 'STDEV',
  variance: 'VARIANCE',
  pixel_stdev: 'PIXEL_STDEV',
};

/**
 * A detection threshold: a value, how to interpret it, a polarity (detect above `+value` or
 * below `-value`) and an include multiplier (a footprint is kept only when one of its pixels
 * passes `value × includeMultiplier`).
 *
 * @example
 * ```ts
 * const t = new Threshold(5, 'PIXEL_STDEV');           // 5 σ per pixel, positive
 * const neg = Threshold.create(5, 'stdev', false);     // 5 × clipped stdev, negative
 * neg.getValue(2.0);                                    // 10
 * ```
 * @see lsst.afw.detection.Threshold
 */
export class Threshold {
  #value: number;
  readonly #type: ThresholdType;
  #polarity: boolean;
  #includeMultiplier: number;

  /**
   * Makes a threshold.
   *
   * @param value - the threshold value (finite)
   * @param type - how to interpret it (default `'VALUE'`)
   * @param polarity - true (default) to detect pixels at or above `+value`, false for at or below `-value`
   * @param includeMultiplier - the include multiplier (default 1)
   * @throws {@link MeasAlgorithmsInvalidArgumentError} for a non-finite value or an unknown type
   */
  constructor(value: number, type: ThresholdType = 'VALUE', polarity = true, includeMultiplier = 1) {
    if (!Number.isFinite(value)) throw new MeasAlgorithmsInvalidArgumentError(`A threshold value must be finite; got ${value}.`);
    if (!Object.values(TYPE_STRINGS).includes(type)) {
      throw new MeasAlgorithmsInvalidArgumentError(`Unknown threshold type '${String(type)}'; expected one of ${Object.values(TYPE_STRINGS).join(', ')}.`);
    }
    this.#value = value;
    this.#type = type;
    this.#polarity = polarity;
    this.#includeMultiplier = includeMultiplier;
  }

  /**
   * afw's `createThreshold`: a threshold from a lower-case type name.
   *
   * @param value - the threshold value
   * @param typeString - `'value'` (default), `'stdev'`, `'variance'`, `'pixel_stdev'` or `'bitmask'`
   * @param polarity - true (default) for positive detections
   * @returns the threshold
   * @throws {@link MeasAlgorithmsInvalidArgumentError} for an unknown type name
   * @see lsst.afw.detection.createThreshold
   */
  static create(value: number, typeString: ThresholdTypeString = 'value', polarity = true): Threshold {
    return new Threshold(value, Threshold.parseTypeString(typeString), polarity);
  }

  /**
   * Maps a lower-case type name onto a {@link ThresholdType}.
   *
   * @param typeString - the name
   * @returns the type
   * @throws {@link MeasAlgorithmsInvalidArgumentError} for an unknown name
   * @see lsst.afw.detection.Threshold.parseTypeString
   */
  static parseTypeString(typeString: string): ThresholdType {
    const type = TYPE_STRINGS[typeString as ThresholdTypeString];
    if (type === undefined) {
      throw new MeasAlgorithmsInvalidArgumentError(`Unsupported threshold type '${typeString}'.`, { hint: `Use one of ${Object.keys(TYPE_STRINGS).join(', ')}.` });
    }
    return type;
  }

  /**
   * The type.
   *
   * @returns the type
   */
  getType(): ThresholdType {
    return this.#type;
  }

  /**
   * The threshold in pixel units (afw's `getValue(param)`): `value` for `VALUE`, `BITMASK` and
   * `PIXEL_STDEV` (the per-pixel scaling happens during detection), `value × param` for `STDEV`
   * (param: the standard deviation) and `value × √param` for `VARIANCE` (param: the variance).
   *
   * @param param - the standard deviation (`STDEV`) or variance (`VARIANCE`) of the image
   * @returns the threshold
   * @throws {@link MeasAlgorithmsInvalidArgumentError} when `STDEV`/`VARIANCE` get a param ≤ 0
   */
  getValue(param = -1): number {
    if (this.#type === 'STDEV' || this.#type === 'VARIANCE') {
      if (!(param > 0)) {
        throw new MeasAlgorithmsInvalidArgumentError(`A ${this.#type} threshold needs a positive ${this.#type === 'STDEV' ? 'standard deviation' : 'variance'}; got ${param}.`);
      }
      return this.#type === 'STDEV' ? this.#value * param : this.#value * Math.sqrt(param);
    }
    return this.#value;
  }

  /**
   * The threshold in pixel units for an image: for `STDEV`/`VARIANCE` the image plane's
   * 3σ-clipped standard deviation (`STDEVCLIP`, 3 passes, no mask bits, NaNs skipped) times the
   * value, as afw's `Threshold::getValue(image)`; otherwise {@link Threshold.getValue}.
   *
   * @param image - the image, or a masked image (its image plane is used)
   * @returns the threshold
   * @see lsst.afw.detection.Threshold.getValue
   */
  getValueFor(image: MaskedImage | { readonly array: { readonly data: ArrayLike<number> & object; readonly width: number; readonly height: number; readonly stride: number } }): number {
    if (this.#type !== 'STDEV' && this.#type !== 'VARIANCE') return this.#value;
    const plane = 'image' in image ? image.image : image;
    const { data, width, height, stride } = plane.array;
    const sd = makeStatistics(data as Float32Array, { properties: ['STDEVCLIP'], region: { stride, x0: 0, y0: 0, width, height } }).getValue('STDEVCLIP');
    return this.getValue(this.#type === 'STDEV' ? sd : sd * sd);
  }

  /**
   * The raw value.
   *
   * @returns the value as given
   */
  getRawValue(): number {
    return this.#value;
  }

  /**
   * Changes the value.
   *
   * @param value - the new value
   */
  setValue(value: number): void {
    this.#value = value;
  }

  /**
   * The polarity.
   *
   * @returns true for positive detections
   */
  getPolarity(): boolean {
    return this.#polarity;
  }

  /**
   * Changes the polarity.
   *
   * @param polarity - true for positive detections
   */
  setPolarity(polarity: boolean): void {
    this.#polarity = polarity;
  }

  /**
   * The include multiplier.
   *
   * @returns the multiplier
   */
  getIncludeMultiplier(): number {
    return this.#includeMultiplier;
  }

  /**
   * Changes the include multiplier.
   *
   * @param multiplier - the new multiplier
   */
  setIncludeMultiplier(multiplier: number): void {
    this.#includeMultiplier = multiplier;
  }

  /**
   * A short description.
   *
   * @returns e.g. `Threshold(5 PIXEL_STDEV, positive)`
   */
  toString(): string {
    return `Threshold(${this.#value} ${this.#type}, ${this.#polarity ? 'positive' : 'negative'})`;
  }
}
