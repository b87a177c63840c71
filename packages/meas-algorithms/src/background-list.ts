import type { MaskedImage} from '@skystack/afw-image';
import { Image, setMaskPlaneCards, setXY0Cards, type PixelArray } from '@skystack/afw-image';
import { FitsFile, Header, writeFits, type FitsHduInput } from '@skystack/fits';
import { Point2I } from '@skystack/geom';
import { BackgroundModel, type InterpStyle, type UndersampleStyle } from '@skystack/kernels';
import { MeasAlgorithmsFormatError, MeasAlgorithmsInvalidArgumentError } from './errors.js';

/** afw's `Interpolate::Style` numbers (what `INTERPSTYLE` holds). */
const INTERP_STYLE_CODES: Readonly<Record<InterpStyle, number>> = {
  CONSTANT: 0,
  LINEAR: 1,
  NATURAL_SPLINE: 2,
  CUBIC_SPLINE: 3,
  AKIMA_SPLINE: 5,
};

/** afw's `UndersampleStyle` numbers (what `UNDERSAMPLESTYLE` holds). */
const UNDERSAMPLE_CODES: Readonly<Record<UndersampleStyle, number>> = {
  THROW_EXCEPTION: 0,
  REDUCE_INTERP_ORDER: 1,
  INCREASE_NXNYSAMPLE: 2,
};

/** afw's `ApproximateControl::Style`: `UNKNOWN` (-1, interpolate) or `CHEBYSHEV` (0). */
const APPROX_UNKNOWN = -1;
const APPROX_CHEBYSHEV = 0;

/**
 * The settings that one background of a {@link BackgroundList} is evaluated with: afw's
 * `(Background, interpStyle, undersampleStyle, approxStyle, approxOrderX, approxOrderY,
 * approxWeighting)` tuple, the model's own control read back as those numbers.
 */
export interface BackgroundListEntry {
  /** The model. */
  readonly background: BackgroundModel;
  /** afw's interpolation style number (`Interpolate.Style`: 5 = AKIMA_SPLINE). */
  readonly interpStyle: number;
  /** afw's undersample style number (1 = REDUCE_INTERP_ORDER). */
  readonly undersampleStyle: number;
  /** afw's approximation style number (-1 = none, 0 = CHEBYSHEV). */
  readonly approxStyle: number;
  /** Chebyshev order in x (1 when not approximating, afw's default control). */
  readonly approxOrderX: number;
  /** Chebyshev order in y (afw resolves -1 to the x order). */
  readonly approxOrderY: number;
  /** Inverse-variance weighting of the approximation. */
  readonly approxWeighting: boolean;
}

function entryOf(background: BackgroundModel): BackgroundListEntry {
  const c = background.control;
  return {
    background,
    interpStyle: INTERP_STYLE_CODES[c.interpStyle],
    undersampleStyle: UNDERSAMPLE_CODES[c.undersampleStyle],
    approxStyle: c.useApprox ? APPROX_CHEBYSHEV : APPROX_UNKNOWN,
    approxOrderX: c.useApprox ? c.approxOrderX : 1,
    approxOrderY: c.useApprox ? c.approxOrderY : 1,
    approxWeighting: c.weighting,
  };
}

/**
 * A list of background models whose sum is the background subtracted from an image (afw's
 * `BackgroundList`, the `calexpBackground` dataset): `getImage()` evaluates and sums them;
 * `writeFits`/`readFits` use afw's layout, so files round-trip with the LSST stack.
 *
 * File layout (as afw's `BackgroundList.writeFits`): per background, three image HDUs — the
 * binned statistic (float32; the first is the primary HDU), a mask (int32, all zero) and the
 * "variance" plane (float32; afw stores the statistic's error there) — each with the header keys
 * `INTERPSTYLE`, `UNDERSAMPLESTYLE`, `APPROXSTYLE`, `APPROXORDERX`, `APPROXORDERY`,
 * `APPROXWEIGHTING` and the original image's box `BKGD_X0`, `BKGD_Y0`, `BKGD_WIDTH`,
 * `BKGD_HEIGHT`.
 *
 * @example
 * ```ts
 * const { background } = subtractBackgroundTask.run(exposure);
 * await background.writeFits('calexpBackground.fits');
 * const again = await BackgroundList.readFits('calexpBackground.fits');
 * again.addTo(exposure.maskedImage); // restores the sky
 * ```
 * @see lsst.afw.math.BackgroundList
 */
export class BackgroundList implements Iterable<BackgroundListEntry> {
  readonly #backgrounds: BackgroundModel[] = [];

  /**
   * Makes a list.
   *
   * @param backgrounds - the models, in order
   */
  constructor(...backgrounds: BackgroundModel[]) {
    for (const b of backgrounds) this.append(b);
  }

  /**
   * Appends a model.
   *
   * @param background - the model (its area must match the first one's)
   * @throws {@link MeasAlgorithmsInvalidArgumentError} when the areas differ
   */
  append(background: BackgroundModel): void {
    const first = this.#backgrounds[0];
    if (first !== undefined) {
      const a = first.bbox;
      const b = background.bbox;
      if (a.x0 !== b.x0 || a.y0 !== b.y0 || a.width !== b.width || a.height !== b.height) {
        throw new MeasAlgorithmsInvalidArgumentError(
          `Backgrounds of one BackgroundList must cover the same area; the first covers (${a.x0}, ${a.y0}) ${a.width}x${a.height}, this one (${b.x0}, ${b.y0}) ${b.width}x${b.height}.`,
        );
      }
    }
    this.#backgrounds.push(background);
  }

  /** The number of backgrounds. */
  get length(): number {
    return this.#backgrounds.length;
  }

  /**
   * One entry.
   *
   * @param index - 0-based
   * @returns the model with its evaluation settings
   * @throws {@link MeasAlgorithmsInvalidArgumentError} when out of range
   */
  get(index: number): BackgroundListEntry {
    const b = this.#backgrounds[index];
    if (b === undefined) throw new MeasAlgorithmsInvalidArgumentError(`Background ${index} is out of range for a BackgroundList of ${this.#backgrounds.length}.`);
    return entryOf(b);
  }

  /**
   * Iterates over the entries.
   *
   * @returns the iterator
   */
  *[Symbol.iterator](): Iterator<BackgroundListEntry> {
    for (const b of this.#backgrounds) yield entryOf(b);
  }

  /**
   * A shallow copy (the models are shared; appending to one list does not change the other).
   *
   * @returns the copy
   */
  clone(): BackgroundList {
    return new BackgroundList(...this.#backgrounds);
  }

  /**
   * The sum of the models, evaluated on the full area.
   *
   * @returns a float32 image with the area's xy0
   * @throws {@link MeasAlgorithmsInvalidArgumentError} when the list is empty
   * @see lsst.afw.math.BackgroundList.getImage
   */
  getImage(): Image<Float32Array> {
    const first = this.#backgrounds[0];
    if (first === undefined) throw new MeasAlgorithmsInvalidArgumentError('An empty BackgroundList has no image.');
    const { x0, y0, width, height } = first.bbox;
    const sum = first.getImage();
    for (let i = 1; i < this.#backgrounds.length; i++) {
      const more = this.#backgrounds[i]!.getImage();
      for (let k = 0; k < sum.length; k++) sum[k] = sum[k]! + more[k]!;
    }
    return new Image(sum, width, height, { xy0: new Point2I(x0, y0) });
  }

  /**
   * Adds the summed background back into a masked image (or exposure's masked image) in place,
   * over their common area: the inverse of the subtraction.
   *
   * @param maskedImage - the image to restore
   */
  addTo(maskedImage: MaskedImage<PixelArray>): void {
    this.#apply(maskedImage, 1);
  }

  /**
   * Subtracts the summed background from a masked image in place, over their common area.
   *
   * @param maskedImage - the image
   */
  subtractFrom(maskedImage: MaskedImage<PixelArray>): void {
    this.#apply(maskedImage, -1);
  }

  #apply(maskedImage: MaskedImage<PixelArray>, sign: number): void {
    const bg = this.getImage();
    const box = bg.getBBox().clippedTo(maskedImage.getBBox());
    if (box.isEmpty()) return;
    const src = bg.subset(box);
    const dst = maskedImage.image.subset(box);
    const s = src.array;
    const d = dst.array;
    for (let y = 0; y < d.height; y++) {
      const rs = y * s.stride;
      const rd = y * d.stride;
      for (let x = 0; x < d.width; x++) d.data[rd + x] = (d.data[rd + x] as number) + sign * s.data[rs + x]!;
    }
  }

  /**
   * Writes the list in afw's layout (see the class description), atomically.
   *
   * @param path - the FITS file (replaced)
   * @throws {@link MeasAlgorithmsInvalidArgumentError} when the list is empty
   * @see lsst.afw.math.BackgroundList.writeFits
   */
  async writeFits(path: string): Promise<void> {
    if (this.#backgrounds.length === 0) throw new MeasAlgorithmsInvalidArgumentError('Cannot write an empty BackgroundList (afw files hold at least one background).');
    const hdus: FitsHduInput[] = [];
    for (const entry of this) {
      const { background } = entry;
      const stats = background.getStatsImage();
      const md = new Header();
      md.set('INTERPSTYLE', entry.interpStyle);
      md.set('UNDERSAMPLESTYLE', entry.undersampleStyle);
      md.set('APPROXSTYLE', entry.approxStyle);
      md.set('APPROXORDERX', entry.approxOrderX);
      md.set('APPROXORDERY', entry.approxOrderY);
      md.set('APPROXWEIGHTING', entry.approxWeighting);
      md.set('BKGD_X0', background.bbox.x0);
      md.set('BKGD_Y0', background.bbox.y0);
      md.set('BKGD_WIDTH', background.bbox.width);
      md.set('BKGD_HEIGHT', background.bbox.height);
      const plane = (data: Float32Array | Int32Array, isMask: boolean): FitsHduInput => {
        const header = md.clone();
        setXY0Cards(header, new Point2I(0, 0));
        if (isMask) setMaskPlaneCards(header, []);
        return { header, data: { data, width: stats.nx, height: stats.ny } };
      };
      hdus.push(plane(stats.values, false), plane(new Int32Array(stats.nx * stats.ny), true), plane(stats.variance, false));
    }
    await writeFits(path, hdus);
  }

  /**
   * Reads a list written by afw (or {@link BackgroundList.writeFits}); the models evaluate to the
   * same pixels as those that were written.
   *
   * @param path - the FITS file
   * @returns the list
   * @throws {@link MeasAlgorithmsFormatError} when the HDUs are not in triples, a `BKGD_*` or
   *   `INTERPSTYLE` key is missing, or a style is one this implementation lacks (periodic splines)
   * @see lsst.afw.math.BackgroundList.readFits
   */
  static async readFits(path: string): Promise<BackgroundList> {
    const file = await FitsFile.open(path);
    try {
      const n = file.hdus.length;
      if (n % 3 !== 0 || n === 0) {
        throw new MeasAlgorithmsFormatError(`BackgroundList FITS file ${path} has ${n} HDUs; expected a non-zero multiple of 3 (image, mask, variance per background; compression is not supported).`);
      }
      const list = new BackgroundList();
      for (let hdu = 0; hdu < n; hdu += 3) {
        const md = file.hdus[hdu]!.header;
        const int = (key: string, fallback?: number): number => {
          const v = md.getNumber(key);
          if (v === undefined) {
            if (fallback !== undefined) return fallback;
            throw new MeasAlgorithmsFormatError(`HDU ${hdu} of ${path} has no ${key} key; it is not an afw BackgroundList.`);
          }
          return v;
        };
        const interpCode = int('INTERPSTYLE');
        const interpStyle = (Object.keys(INTERP_STYLE_CODES) as InterpStyle[]).find((k) => INTERP_STYLE_CODES[k] === interpCode);
        if (interpStyle === undefined) throw new MeasAlgorithmsFormatError(`HDU ${hdu} of ${path} has INTERPSTYLE ${interpCode}, which is not supported (0, 1, 2, 3 or 5).`);
        const underCode = int('UNDERSAMPLESTYLE');
        const undersampleStyle = (Object.keys(UNDERSAMPLE_CODES) as UndersampleStyle[]).find((k) => UNDERSAMPLE_CODES[k] === underCode);
        if (undersampleStyle === undefined) throw new MeasAlgorithmsFormatError(`HDU ${hdu} of ${path} has UNDERSAMPLESTYLE ${underCode}; expected 0, 1 or 2.`);
        const approxStyle = int('APPROXSTYLE', APPROX_UNKNOWN);
        const approxOrderX = int('APPROXORDERX', 1);
        const approxOrderY = int('APPROXORDERY', -1);
        const weighting = md.getBoolean('APPROXWEIGHTING') ?? true;
        const bbox = { x0: int('BKGD_X0'), y0: int('BKGD_Y0'), width: int('BKGD_WIDTH'), height: int('BKGD_HEIGHT') };
        const image = await file.readImage(hdu);
        const variance = await file.readImage(hdu + 2);
        if (variance.width !== image.width || variance.height !== image.height) {
          throw new MeasAlgorithmsFormatError(`HDUs ${hdu} and ${hdu + 2} of ${path} differ in size (${image.width}x${image.height}, ${variance.width}x${variance.height}).`);
        }
        const stats = { nx: image.width, ny: image.height, values: Float32Array.from(image.data as ArrayLike<number>), variance: Float32Array.from(variance.data as ArrayLike<number>) };
        list.append(
          BackgroundModel.fromStats(stats, bbox, {
            interpStyle,
            undersampleStyle,
            approx:
              approxStyle === APPROX_CHEBYSHEV
                ? { useApprox: true, approxOrderX, approxOrderY: approxOrderY < 0 ? approxOrderX : approxOrderY, weighting }
                : { useApprox: false, weighting },
          }),
        );
      }
      return list;
    } finally {
      await file.close();
    }
  }
}
