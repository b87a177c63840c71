import { FitsFile, Header, writeFits, type FitsHduInput } from '@skystack/fits';
import type { Extent2I} from '@skystack/geom';
import { Box2I, Point2I } from '@skystack/geom';
import { AfwImageLengthError } from './errors.js';
import { findLayoutHdu, imageHeaderForWrite, planeHduForWrite, readPixelsFromHdu, selectImageHdu, setMaskPlaneCards } from './fits-layout.js';
import { Image } from './image.js';
import type { ImageOrigin } from './image-base.js';
import { Mask, readMaskHdu } from './mask.js';
import type { MaskPlaneDict } from './mask-plane-dict.js';
import { convertPixels, type PixelArray, type PixelArrayTypes, type PixelType } from './pixel-type.js';

/** The variance plane of a {@link MaskedImage}: 32-bit floats, as afw's `VariancePixel`. */
export type VarianceImage = Image<Float32Array>;

/** Options of {@link MaskedImage.readFits}. */
export interface MaskedImageReadFitsOptions<T extends PixelType = PixelType> {
  /** Read only these pixels of each plane (default: all). */
  readonly bbox?: Box2I;
  /** The coordinates `bbox` is in (default `'PARENT'`). */
  readonly origin?: ImageOrigin;
  /** Convert the image plane to this type (default: the stored type). */
  readonly pixelType?: T;
}

/** Options of {@link MaskedImage.writeFits}. */
export interface MaskedImageWriteFitsOptions {
  /** Cards for the (otherwise empty) primary HDU. */
  readonly metadata?: Header;
  /**
   * Tile-compress the planes losslessly, as fpack does: `GZIP_2` for the float image and
   * variance, `RICE_1` for integer images and the mask (default `false`).
   */
  readonly compress?: boolean;
}

/**
 * An image with its mask and variance planes, all of the same size and xy0, and arithmetic that
 * propagates the variance (first order, uncorrelated errors) and ORs the masks.
 *
 * | operation | image | variance | mask |
 * | --- | --- | --- | --- |
 * | `addInPlace(s)` / `subtractInPlace(s)` | `I ± s` | `V` | `M` |
 * | `multiplyInPlace(s)` / `divideInPlace(s)` | `I·s`, `I/s` | `V·s²`, `V/s²` | `M` |
 * | `addInPlace(o)` / `subtractInPlace(o)` | `I ± Iₒ` | `V + Vₒ` | `M \| Mₒ` |
 * | `scaledPlus(c, o)` / `scaledMinus(c, o)` | `I ± c·Iₒ` | `V + c²·Vₒ` | `M \| Mₒ` |
 * | `multiplyInPlace(o)` | `I·Iₒ` | `Iₒ²·V + I²·Vₒ` | `M \| Mₒ` |
 * | `divideInPlace(o)` | `I/Iₒ` | `V/Iₒ² + I²·Vₒ/Iₒ⁴` | `M \| Mₒ` |
 *
 * (`I`, `V` the values before the operation, as afw's `MaskedImage` operators.)
 *
 * @typeParam A - the typed array of the image plane (`MaskedImageF` is `MaskedImage<Float32Array>`)
 * @example
 * ```ts
 * const mi = MaskedImageF(new Extent2I(100, 100));
 * mi.image.set(10);
 * mi.variance.set(10);
 * mi.multiplyInPlace(2);          // image 20, variance 40
 * const other = mi.clone();
 * other.mask.set(mi.mask.getPlaneBitMask('CR'));
 * mi.addInPlace(other);           // image 40, variance 80, CR set in mi.mask
 * await mi.writeFits('mi.fits');  // empty primary + IMAGE, MASK, VARIANCE extensions
 * ```
 * @see lsst.afw.image.MaskedImage
 */
export class MaskedImage<A extends PixelArray = PixelArray> {
  readonly #image: Image<A>;
  readonly #mask: Mask;
  readonly #variance: VarianceImage;

  /**
   * Combines existing planes (no copy).
   *
   * @param image - the image plane
   * @param mask - the mask (default: all zero, default planes)
   * @param variance - the variance (default: all zero)
   * @throws {@link AfwImageLengthError} when the planes differ in size or xy0
   */
  constructor(image: Image<A>, mask?: Mask, variance?: VarianceImage) {
    const bbox = image.getBBox();
    this.#image = image;
    this.#mask = mask ?? Mask.make(bbox);
    this.#variance = variance ?? Image.make('float32', bbox);
    for (const [name, plane] of [
      ['mask', this.#mask],
      ['variance', this.#variance],
    ] as const) {
      if (!plane.getBBox().equals(bbox)) {
        throw new AfwImageLengthError(
          `The ${name} plane covers ${plane.getBBox().toString()} but the image covers ${bbox.toString()}; all planes need the same bbox.`,
        );
      }
    }
  }

  /**
   * Makes a masked image with zero image, mask and variance.
   *
   * @param pixelType - the image plane's type
   * @param dimensions - a PARENT box (its minimum is xy0) or a size
   * @param planeDict - the mask's plane dictionary (default: the default planes)
   * @returns the masked image
   */
  static make<T extends PixelType>(pixelType: T, dimensions: Box2I | Extent2I, planeDict?: MaskPlaneDict): MaskedImage<PixelArrayTypes[T]> {
    const bbox = dimensions instanceof Box2I ? dimensions : Box2I.fromCorner(new Point2I(0, 0), dimensions);
    const mask = Mask.make(bbox, planeDict === undefined ? {} : { planeDict });
    return new MaskedImage(Image.make(pixelType, bbox), mask, Image.make('float32', bbox));
  }

  /**
   * Reads a masked image: the `IMAGE`, `MASK` and `VARIANCE` HDUs found by `EXTTYPE` (or
   * `EXTNAME`), else by position after the first HDU with pixels (the old layout with the image
   * in the primary HDU). A file with only an image gives a zero mask and variance, as afw does.
   * With a `bbox`, only those pixels of each plane are read.
   *
   * @param path - the FITS file
   * @param options - the box and the image pixel type
   * @returns the masked image
   * @throws {@link AfwImageOutOfBoundsError} when the box is not inside the stored planes
   * @throws {@link AfwImageFitsError} when there is no image
   * @example
   * ```ts
   * const box = Box2I.fromCorner(new Point2I(150, 150), new Extent2I(20, 20));
   * const cut = await MaskedImage.readFits('calexp.fits', { bbox: box });
   * cut.mask.getMaskPlaneDict(); // from the MP_* cards
   * ```
   * @see lsst.afw.image.MaskedImage.readFits
   */
  static async readFits<T extends PixelType = PixelType>(
    path: string,
    options: MaskedImageReadFitsOptions<T> = {},
  ): Promise<MaskedImage<PixelType extends T ? PixelArray : PixelArrayTypes[T]>> {
    const file = await FitsFile.open(path);
    try {
      return (await readMaskedImagePlanes(file, selectImageHdu(file, 'IMAGE'), options)) as MaskedImage<PixelType extends T ? PixelArray : PixelArrayTypes[T]>;
    } finally {
      await file.close();
    }
  }

  /**
   * Writes afw's multi-extension layout: an empty primary HDU (with `metadata`), then `IMAGE`,
   * `MASK` (`BITPIX = 32`, `MP_*` cards) and `VARIANCE` extensions, each with `EXTTYPE`,
   * `EXTNAME`, `INHERIT = T` and the xy0 cards. Atomic, with checksums.
   *
   * @param path - the file to write
   * @param options - primary header cards; `compress` for tile-compressed planes
   * @see lsst.afw.image.MaskedImage.writeFits
   */
  async writeFits(path: string, options: MaskedImageWriteFitsOptions = {}): Promise<void> {
    const primary = options.metadata === undefined ? new Header() : options.metadata.clone();
    await writeFits(path, [{ header: primary }, ...maskedImagePlaneHdus(this as MaskedImage, undefined, options.compress === true)]);
  }

  /** The image plane. */
  get image(): Image<A> {
    return this.#image;
  }

  /** The mask plane. */
  get mask(): Mask {
    return this.#mask;
  }

  /** The variance plane. */
  get variance(): VarianceImage {
    return this.#variance;
  }

  /**
   * The image plane.
   *
   * @returns the image (not a copy)
   */
  getImage(): Image<A> {
    return this.#image;
  }

  /**
   * The mask plane.
   *
   * @returns the mask (not a copy)
   */
  getMask(): Mask {
    return this.#mask;
  }

  /**
   * The variance plane.
   *
   * @returns the variance (not a copy)
   */
  getVariance(): VarianceImage {
    return this.#variance;
  }

  /**
   * The box the planes cover.
   *
   * @param origin - PARENT (default) or LOCAL
   * @returns the box
   */
  getBBox(origin: ImageOrigin = 'PARENT'): Box2I {
    return this.#image.getBBox(origin);
  }

  /**
   * The PARENT position of LOCAL pixel (0, 0).
   *
   * @returns xy0
   */
  getXY0(): Point2I {
    return this.#image.getXY0();
  }

  /**
   * Moves all three planes in PARENT coordinates.
   *
   * @param xy0 - the new xy0
   */
  setXY0(xy0: Point2I): void {
    this.#image.setXY0(xy0);
    this.#mask.setXY0(xy0);
    this.#variance.setXY0(xy0);
  }

  /**
   * The number of columns.
   *
   * @returns the width
   */
  getWidth(): number {
    return this.#image.width;
  }

  /**
   * The number of rows.
   *
   * @returns the height
   */
  getHeight(): number {
    return this.#image.height;
  }

  /**
   * The width and height.
   *
   * @returns the dimensions
   */
  getDimensions(): Extent2I {
    return this.#image.getDimensions();
  }

  /**
   * A view of part of this masked image: the three planes are views sharing the pixels (and
   * the mask's plane dictionary).
   *
   * @param bbox - the part to view
   * @param origin - the coordinates of `bbox` (default PARENT)
   * @returns the view
   * @throws {@link AfwImageOutOfBoundsError} when `bbox` is not inside
   * @see lsst.afw.image.MaskedImage.subset
   */
  subset(bbox: Box2I, origin: ImageOrigin = 'PARENT'): MaskedImage<A> {
    return new MaskedImage(this.#image.subset(bbox, origin), this.#mask.subset(bbox, origin), this.#variance.subset(bbox, origin));
  }

  /**
   * A deep copy of the three planes.
   *
   * @returns the copy
   */
  clone(): MaskedImage<A> {
    return new MaskedImage(this.#image.clone(), this.#mask.clone(), this.#variance.clone());
  }

  /**
   * Copies the three planes of another masked image of the same dimensions into this one.
   *
   * @param rhs - the source
   * @returns this masked image
   * @throws {@link AfwImageLengthError} when the dimensions differ
   */
  assign(rhs: MaskedImage<PixelArray>): this {
    this.#image.assign(rhs.image);
    this.#mask.checkMaskDictionaries(rhs.mask);
    this.#mask.andInPlace(0).orInPlace(rhs.mask);
    this.#variance.assign(rhs.variance);
    return this;
  }

  /**
   * Adds a scalar (image only) or another masked image (images add, variances add, masks OR).
   *
   * @param rhs - the scalar or masked image
   * @returns this masked image
   * @throws {@link AfwImageLengthError} when the dimensions differ
   * @throws {@link AfwImageMaskPlaneError} when the mask dictionaries differ
   */
  addInPlace(rhs: number | MaskedImage<PixelArray>): this {
    return this.scaledPlus(1, rhs);
  }

  /**
   * Subtracts a scalar (image only) or another masked image (variances add, masks OR).
   *
   * @param rhs - the scalar or masked image
   * @returns this masked image
   * @throws {@link AfwImageLengthError} when the dimensions differ
   * @throws {@link AfwImageMaskPlaneError} when the mask dictionaries differ
   */
  subtractInPlace(rhs: number | MaskedImage<PixelArray>): this {
    return this.scaledPlus(-1, rhs);
  }

  /**
   * Adds `c × rhs`: the image gains `c·Iₒ`, the variance `c²·Vₒ`, the mask ORs `Mₒ`.
   *
   * @param c - the factor
   * @param rhs - a scalar (image only) or a masked image of the same dimensions
   * @returns this masked image
   * @throws {@link AfwImageLengthError} when the dimensions differ
   * @throws {@link AfwImageMaskPlaneError} when the mask dictionaries differ
   * @see lsst.afw.image.MaskedImage.scaledPlus
   */
  scaledPlus(c: number, rhs: number | MaskedImage<PixelArray>): this {
    if (typeof rhs === 'number') {
      this.#image.scaledPlus(c, rhs);
      return this;
    }
    this.#check(rhs, 'scaledPlus');
    this.#image.scaledPlus(c, rhs.image);
    this.#mask.orInPlace(rhs.mask);
    this.#variance.scaledPlus(c * c, rhs.variance);
    return this;
  }

  /**
   * Subtracts `c × rhs`: the variance still gains `c²·Vₒ`.
   *
   * @param c - the factor
   * @param rhs - a scalar or a masked image of the same dimensions
   * @returns this masked image
   * @throws {@link AfwImageLengthError} when the dimensions differ
   * @see lsst.afw.image.MaskedImage.scaledMinus
   */
  scaledMinus(c: number, rhs: number | MaskedImage<PixelArray>): this {
    return this.scaledPlus(-c, rhs);
  }

  /**
   * Multiplies by a scalar `s` (variance × s²) or by a masked image (`V ← Iₒ²·V + I²·Vₒ`, masks OR).
   *
   * @param rhs - the scalar or masked image
   * @returns this masked image
   * @throws {@link AfwImageLengthError} when the dimensions differ
   * @throws {@link AfwImageMaskPlaneError} when the mask dictionaries differ
   */
  multiplyInPlace(rhs: number | MaskedImage<PixelArray>): this {
    if (typeof rhs === 'number') {
      this.#image.multiplyInPlace(rhs);
      this.#variance.multiplyInPlace(rhs * rhs);
      return this;
    }
    this.#check(rhs, 'multiplyInPlace');
    const im = this.#image.array;
    const va = this.#variance.array;
    const im2 = rhs.image.array;
    const va2 = rhs.variance.array;
    for (let y = 0; y < im.height; y++) {
      for (let x = 0; x < im.width; x++) {
        const i = y * im.stride + x;
        const j = y * im2.stride + x;
        const a = im.data[i]!;
        const b = im2.data[j]!;
        va.data[y * va.stride + x] = b * b * va.data[y * va.stride + x]! + a * a * va2.data[y * va2.stride + x]!;
        im.data[i] = a * b;
      }
    }
    this.#mask.orInPlace(rhs.mask);
    return this;
  }

  /**
   * Divides by a scalar `s` (variance / s²) or by a masked image (`V ← V/Iₒ² + I²·Vₒ/Iₒ⁴`, masks OR).
   *
   * @param rhs - the scalar or masked image
   * @returns this masked image
   * @throws {@link AfwImageLengthError} when the dimensions differ
   * @throws {@link AfwImageMaskPlaneError} when the mask dictionaries differ
   */
  divideInPlace(rhs: number | MaskedImage<PixelArray>): this {
    if (typeof rhs === 'number') {
      this.#image.divideInPlace(rhs);
      this.#variance.divideInPlace(rhs * rhs);
      return this;
    }
    this.#check(rhs, 'divideInPlace');
    const im = this.#image.array;
    const va = this.#variance.array;
    const im2 = rhs.image.array;
    const va2 = rhs.variance.array;
    for (let y = 0; y < im.height; y++) {
      for (let x = 0; x < im.width; x++) {
        const i = y * im.stride + x;
        const a = im.data[i]!;
        const b = im2.data[y * im2.stride + x]!;
        const ib2 = 1 / (b * b);
        const k = y * va.stride + x;
        va.data[k] = va.data[k]! * ib2 + a * a * ib2 * ib2 * va2.data[y * va2.stride + x]!;
        im.data[i] = a / b;
      }
    }
    this.#mask.orInPlace(rhs.mask);
    return this;
  }

  #check(rhs: MaskedImage<PixelArray>, operation: string): void {
    const a = this.getDimensions();
    const b = rhs.getDimensions();
    if (a.getX() !== b.getX() || a.getY() !== b.getY()) {
      throw new AfwImageLengthError(
        `${operation} needs masked images of the same dimensions; this is ${a.getX()}x${a.getY()}, the other is ${b.getX()}x${b.getY()}.`,
      );
    }
    this.#mask.checkMaskDictionaries(rhs.mask);
  }
}

/** A masked image with a `float32` image plane. @see lsst.afw.image.MaskedImageF */
export type MaskedImageF = MaskedImage<Float32Array>;
/** A masked image with a `float64` image plane. @see lsst.afw.image.MaskedImageD */
export type MaskedImageD = MaskedImage<Float64Array>;

/**
 * Makes a zero `float32` masked image with the default mask planes.
 *
 * @param dimensions - a PARENT box (its minimum is xy0) or a size
 * @param planeDict - the mask's plane dictionary (default: the default planes)
 * @returns the masked image
 * @see lsst.afw.image.MaskedImageF
 */
export function MaskedImageF(dimensions: Box2I | Extent2I, planeDict?: MaskPlaneDict): MaskedImageF {
  return MaskedImage.make('float32', dimensions, planeDict);
}

/**
 * Makes a zero `float64` masked image with the default mask planes.
 *
 * @param dimensions - a PARENT box (its minimum is xy0) or a size
 * @param planeDict - the mask's plane dictionary (default: the default planes)
 * @returns the masked image
 * @see lsst.afw.image.MaskedImageD
 */
export function MaskedImageD(dimensions: Box2I | Extent2I, planeDict?: MaskPlaneDict): MaskedImageD {
  return MaskedImage.make('float64', dimensions, planeDict);
}

/**
 * Reads the planes of afw's layout from an open file: the image from `imageHdu`, and the `MASK`
 * and `VARIANCE` HDUs (by `EXTTYPE`, else by position after the image), all at once so that the
 * I/O threads copy one plane while this thread swaps another. A missing mask or variance is
 * all zero, as afw does.
 *
 * @param file - the open file
 * @param imageHdu - the image HDU
 * @param options - the box, its origin, the image pixel type
 * @returns the masked image
 * @internal Shared by MaskedImage.readFits and ExposureFitsReader.
 */
export async function readMaskedImagePlanes(file: FitsFile, imageHdu: number, options: MaskedImageReadFitsOptions = {}): Promise<MaskedImage> {
  const origin = options.origin ?? 'PARENT';
  const maskHdu = findLayoutHdu(file, 'MASK', 1);
  const varianceHdu = findLayoutHdu(file, 'VARIANCE', 2);
  const [read, maskRead, varianceRead] = await Promise.all([
    readPixelsFromHdu(file, imageHdu, options.bbox, origin),
    maskHdu === undefined ? undefined : readMaskHdu(file, maskHdu, options.bbox, origin),
    varianceHdu === undefined ? undefined : readPixelsFromHdu(file, varianceHdu, options.bbox, origin),
  ]);
  const data = options.pixelType === undefined ? read.data : convertPixels(read.data, options.pixelType);
  const image = new Image(data, read.width, read.height, { xy0: read.xy0 });
  const bbox = image.getBBox();
  const mask = maskRead ?? Mask.make(bbox);
  const variance: VarianceImage =
    varianceRead === undefined
      ? Image.make('float32', bbox)
      : new Image(convertPixels(varianceRead.data, 'float32'), varianceRead.width, varianceRead.height, { xy0: varianceRead.xy0 });
  return new MaskedImage(image, mask, variance);
}

/**
 * The `IMAGE`, `MASK` and `VARIANCE` HDUs of afw's layout for a masked image: each with
 * `EXTTYPE`/`EXTNAME`, `INHERIT`, the xy0 cards and `cards` (the exposure's WCS), the mask with
 * its `MP_*` cards; tile-compressed when `compress` is set.
 *
 * @param mi - the masked image
 * @param cards - cards for every plane header (or none)
 * @param compress - whether to tile-compress the planes
 * @returns the three HDUs
 * @internal Shared by MaskedImage.writeFits and writeExposureFits.
 */
export function maskedImagePlaneHdus(mi: MaskedImage, cards: Header | undefined, compress: boolean): FitsHduInput[] {
  const xy0 = mi.getXY0();
  const plane = (header: Header, p: Image<PixelArray> | Mask): FitsHduInput =>
    planeHduForWrite(header, { data: p.compactPixels(), width: p.width, height: p.height }, compress);
  const maskHeader = imageHeaderForWrite(xy0, cards, 'MASK');
  setMaskPlaneCards(maskHeader, mi.mask.planeDict.entries());
  return [
    plane(imageHeaderForWrite(xy0, cards, 'IMAGE'), mi.image),
    plane(maskHeader, mi.mask),
    plane(imageHeaderForWrite(xy0, cards, 'VARIANCE'), mi.variance),
  ];
}
