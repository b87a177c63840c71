import { FitsFile, writeFits, type FitsHduSelector, type Header } from '@skystack/fits';
import type { Extent2I} from '@skystack/geom';
import { Box2I, Point2I } from '@skystack/geom';
import { fillPlane } from '@skystack/kernels';
import { ImageBase, type ImageOrigin, type PixelViewOptions } from './image-base.js';
import { AfwImageInvalidArgumentError } from './errors.js';
import { imageHeaderForWrite, planeHduForWrite, readPixelsFromHdu, selectImageHdu } from './fits-layout.js';
import { allocatePixels, convertPixels, pixelTypeOf, type PixelArray, type PixelArrayTypes, type PixelType } from './pixel-type.js';

/** Options of {@link Image.readFits}. */
export interface ImageReadFitsOptions<T extends PixelType = PixelType> {
  /** Read only these pixels (default: all); the box is in `origin` coordinates. */
  readonly bbox?: Box2I;
  /** The coordinates `bbox` is in (default `'PARENT'`, i.e. including the stored xy0). */
  readonly origin?: ImageOrigin;
  /**
   * The HDU to read (index, `EXTNAME`/`EXTTYPE`, or fields). Default: the `EXTTYPE = 'IMAGE'`
   * extension when there is one, otherwise the first HDU with pixels (afw's default HDU).
   */
  readonly hdu?: FitsHduSelector;
  /** Convert the pixels to this type (default: the stored type; other integers become `int32`). */
  readonly pixelType?: T;
}

/** Options of {@link Image.writeFits}. */
export interface ImageWriteFitsOptions {
  /** Extra header cards for the HDU (structural and xy0 cards are replaced). */
  readonly metadata?: Header;
  /**
   * Tile-compress the pixels losslessly (`GZIP_2` for floats, `RICE_1` for integers), as
   * fpack does; the image then goes in extension 1 after an empty primary HDU (default `false`).
   */
  readonly compress?: boolean;
}

/** Something an image can be combined with pixel by pixel: a scalar or an image of the same size. */
export type ImageOperand = number | Image<PixelArray>;

/**
 * A 2-d array of pixels of one type (`uint16`, `int32`, `float32` or `float64`) placed at `xy0`
 * in PARENT coordinates; sub-images made with {@link Image.subset} share its pixels.
 *
 * Positions given to {@link ImageBase.get | get} and {@link Image.set | set} are PARENT
 * coordinates unless `'LOCAL'` is passed (afw's `image[x, y]` versus `image.array[y, x]`).
 * Arithmetic is in place (`addInPlace` is afw's `+=`) and needs operands of the same
 * dimensions; xy0 is not compared, as in afw. Results are stored in the image's pixel type, so
 * integer images truncate and wrap as typed arrays do.
 *
 * @typeParam A - the typed array holding the pixels (`ImageF` is `Image<Float32Array>`)
 * @example
 * ```ts
 * import { Box2I, Point2I, Extent2I } from '@skystack/geom';
 * import { ImageF } from '@skystack/afw-image';
 *
 * const image = ImageF(Box2I.fromCorner(new Point2I(100, 200), new Extent2I(64, 32)));
 * image.set(110, 205, 3.5);                 // PARENT coordinates
 * image.get(10, 5, 'LOCAL');                // 3.5
 * const cut = image.subset(Box2I.fromCorner(new Point2I(110, 205), new Extent2I(4, 4)));
 * cut.multiplyInPlace(2);                   // changes `image` too
 * image.array.data[5 * image.array.stride + 10]; // 7
 * await image.writeFits('image.fits');
 * ```
 * @see lsst.afw.image.Image
 */
export class Image<A extends PixelArray = PixelArray> extends ImageBase<A> {
  /**
   * Wraps an existing pixel array (no copy).
   *
   * @param data - the pixels, LOCAL (0, 0) first, x fastest
   * @param width - the number of columns
   * @param height - the number of rows
   * @param options - row stride (default `width`) and xy0 (default (0, 0))
   * @throws {@link AfwImageInvalidArgumentError} when `data` is too short or not a pixel array
   */
  constructor(data: A, width: number, height: number, options: PixelViewOptions = {}) {
    pixelTypeOf(data);
    super(data, width, height, options);
  }

  /**
   * Makes a new image filled with a value.
   *
   * @param pixelType - the pixel type
   * @param dimensions - a PARENT box (its minimum becomes xy0) or a size (xy0 = (0, 0))
   * @param initialValue - the value of every pixel (default 0)
   * @returns the image
   */
  static make<T extends PixelType>(pixelType: T, dimensions: Box2I | Extent2I, initialValue = 0): Image<PixelArrayTypes[T]> {
    const bbox = dimensions instanceof Box2I ? dimensions : Box2I.fromCorner(new Point2I(0, 0), dimensions);
    const data = allocatePixels(pixelType, bbox.getWidth() * bbox.getHeight());
    if (initialValue !== 0) data.fill(initialValue);
    return new Image(data, bbox.getWidth(), bbox.getHeight(), { xy0: bbox.getMin() });
  }

  /**
   * Reads an image HDU. With a `bbox` only the rows and columns inside it are read from disk.
   * xy0 comes from the `A` WCS cards (`CRVAL1A`/`CRVAL2A`) or, failing those, `LTV1`/`LTV2`.
   *
   * @param path - the FITS file
   * @param options - the box, the HDU and the pixel type
   * @returns the image, with xy0 the PARENT position of its first pixel
   * @throws {@link AfwImageOutOfBoundsError} when the box is not inside the stored image
   * @throws {@link AfwImageFitsError} when the HDU holds no 2-d image
   * @example
   * ```ts
   * const box = Box2I.fromCorner(new Point2I(150, 150), new Extent2I(10, 10));
   * const cut = await Image.readFits('calexp.fits', { bbox: box }); // reads the IMAGE extension
   * cut.getXY0(); // (150, 150)
   * ```
   * @see lsst.afw.image.Image.readFits
   */
  static async readFits<T extends PixelType = PixelType>(
    path: string,
    options: ImageReadFitsOptions<T> = {},
  ): Promise<Image<PixelType extends T ? PixelArray : PixelArrayTypes[T]>> {
    const file = await FitsFile.open(path);
    try {
      const hdu = options.hdu ?? selectImageHdu(file, 'IMAGE');
      const read = await readPixelsFromHdu(file, hdu, options.bbox, options.origin ?? 'PARENT');
      const data = options.pixelType === undefined ? read.data : convertPixels(read.data, options.pixelType);
      return new Image(data, read.width, read.height, { xy0: read.xy0 }) as Image<PixelType extends T ? PixelArray : PixelArrayTypes[T]>;
    } finally {
      await file.close();
    }
  }

  /**
   * Writes the image as the primary HDU of a FITS file (atomically, with checksums), with xy0 in
   * the `A` WCS and `LTV` cards, as afw does (with `compress`, as a tile-compressed extension 1).
   *
   * @param path - the file to write (replaced if it exists)
   * @param options - extra header cards; `compress` for a tile-compressed extension
   * @see lsst.afw.image.Image.writeFits
   */
  async writeFits(path: string, options: ImageWriteFitsOptions = {}): Promise<void> {
    const header = imageHeaderForWrite(this.getXY0(), options.metadata);
    const plane = { data: this.compactPixels(), width: this.width, height: this.height };
    if (options.compress === true) await writeFits(path, [{}, planeHduForWrite(header, plane, true)]);
    else await writeFits(path, [planeHduForWrite(header, plane, false)]);
  }

  /**
   * The pixel type (`'float32'` for an `ImageF`).
   *
   * @returns the pixel type
   */
  get pixelType(): PixelType {
    return pixelTypeOf(this.array.data);
  }

  /**
   * Sets every pixel to `value` (afw's `image.set(value)`), or one pixel when called as
   * `set(x, y, value, origin?)`.
   *
   * @param args - `[value]`, or `[x, y, value]` / `[x, y, value, origin]` with the position in PARENT (default) or LOCAL coordinates
   * @returns this image
   * @throws {@link AfwImageOutOfBoundsError} when the pixel is outside the image
   */
  set(...args: [value: number] | [x: number, y: number, value: number, origin?: ImageOrigin]): this {
    const { data, width, height, stride } = this.array;
    if (args.length === 1) {
      // (on the kernels' default backend: a parallel one splits the rows of a shared plane)
      fillPlane(data, args[0], { width, height, stride });
      return this;
    }
    const [x, y, value, origin] = args;
    data[this.pixelIndex(x, y, origin ?? 'PARENT')] = value;
    return this;
  }

  /**
   * A view of part of this image: it shares the pixels (writes show in both), has its own xy0
   * (the box's PARENT minimum) and this image's stride.
   *
   * @param bbox - the part to view
   * @param origin - the coordinates `bbox` is in (default PARENT)
   * @returns the view
   * @throws {@link AfwImageOutOfBoundsError} when `bbox` is not inside this image
   * @see lsst.afw.image.Image.subset
   */
  subset(bbox: Box2I, origin: ImageOrigin = 'PARENT'): Image<A> {
    const { data, xy0 } = this.viewOf(bbox, origin);
    return new Image(data, bbox.getWidth(), bbox.getHeight(), { stride: this.stride, xy0 });
  }

  /**
   * A deep copy with compact rows and the same xy0.
   *
   * @returns the copy
   */
  clone(): Image<A> {
    const pixels = this.compactPixels();
    const data = (pixels === this.array.data ? pixels.slice() : pixels) as A;
    return new Image(data, this.width, this.height, { xy0: this.getXY0() });
  }

  /**
   * Copies the pixels of another image of the same dimensions into this one (afw's `assign`).
   *
   * @param rhs - the source image
   * @returns this image
   * @throws {@link AfwImageLengthError} when the dimensions differ
   */
  assign(rhs: Image<PixelArray>): this {
    this.checkSameDimensions(rhs, 'assign');
    const d = this.array;
    const s = rhs.array;
    for (let y = 0; y < d.height; y++) {
      let i = y * d.stride;
      let j = y * s.stride;
      const end = i + d.width;
      for (; i < end; i++, j++) d.data[i] = s.data[j]!;
    }
    return this;
  }

  /**
   * Adds a scalar or, pixel by pixel, an image of the same dimensions (afw's `+=`).
   *
   * @param rhs - the scalar or image
   * @returns this image
   * @throws {@link AfwImageLengthError} when an image operand has other dimensions
   */
  addInPlace(rhs: ImageOperand): this {
    return this.scaledPlus(1, rhs);
  }

  /**
   * Subtracts a scalar or an image of the same dimensions (afw's `-=`).
   *
   * @param rhs - the scalar or image
   * @returns this image
   * @throws {@link AfwImageLengthError} when an image operand has other dimensions
   */
  subtractInPlace(rhs: ImageOperand): this {
    return this.scaledPlus(-1, rhs);
  }

  /**
   * Adds `c × rhs` (afw's `scaledPlus`).
   *
   * @param c - the factor
   * @param rhs - a scalar or an image of the same dimensions
   * @returns this image
   * @throws {@link AfwImageLengthError} when an image operand has other dimensions
   */
  scaledPlus(c: number, rhs: ImageOperand): this {
    const d = this.array;
    if (typeof rhs === 'number') {
      const v = c * rhs;
      for (let y = 0; y < d.height; y++) {
        const end = y * d.stride + d.width;
        for (let i = y * d.stride; i < end; i++) d.data[i] = d.data[i]! + v;
      }
      return this;
    }
    this.checkSameDimensions(rhs, 'scaledPlus');
    const s = rhs.array;
    for (let y = 0; y < d.height; y++) {
      let j = y * s.stride;
      const end = y * d.stride + d.width;
      for (let i = y * d.stride; i < end; i++, j++) d.data[i] = d.data[i]! + c * s.data[j]!;
    }
    return this;
  }

  /**
   * Subtracts `c × rhs` (afw's `scaledMinus`).
   *
   * @param c - the factor
   * @param rhs - a scalar or an image of the same dimensions
   * @returns this image
   * @throws {@link AfwImageLengthError} when an image operand has other dimensions
   */
  scaledMinus(c: number, rhs: ImageOperand): this {
    return this.scaledPlus(-c, rhs);
  }

  /**
   * Multiplies by a scalar or, pixel by pixel, by an image of the same dimensions (afw's `*=`).
   *
   * @param rhs - the scalar or image
   * @returns this image
   * @throws {@link AfwImageLengthError} when an image operand has other dimensions
   */
  multiplyInPlace(rhs: ImageOperand): this {
    const d = this.array;
    if (typeof rhs === 'number') {
      for (let y = 0; y < d.height; y++) {
        const end = y * d.stride + d.width;
        for (let i = y * d.stride; i < end; i++) d.data[i] = d.data[i]! * rhs;
      }
      return this;
    }
    this.checkSameDimensions(rhs, 'multiplyInPlace');
    const s = rhs.array;
    for (let y = 0; y < d.height; y++) {
      let j = y * s.stride;
      const end = y * d.stride + d.width;
      for (let i = y * d.stride; i < end; i++, j++) d.data[i] = d.data[i]! * s.data[j]!;
    }
    return this;
  }

  /**
   * Divides by a scalar or, pixel by pixel, by an image of the same dimensions (afw's `/=`).
   *
   * @param rhs - the scalar or image
   * @returns this image
   * @throws {@link AfwImageLengthError} when an image operand has other dimensions
   * @throws {@link AfwImageInvalidArgumentError} when dividing an integer image by a scalar 0
   */
  divideInPlace(rhs: ImageOperand): this {
    const d = this.array;
    if (typeof rhs === 'number') {
      const integer = !(d.data instanceof Float32Array || d.data instanceof Float64Array);
      if (integer && rhs === 0) throw new AfwImageInvalidArgumentError('Cannot divide an integer image by 0.');
      for (let y = 0; y < d.height; y++) {
        const end = y * d.stride + d.width;
        for (let i = y * d.stride; i < end; i++) d.data[i] = d.data[i]! / rhs;
      }
      return this;
    }
    this.checkSameDimensions(rhs, 'divideInPlace');
    const s = rhs.array;
    for (let y = 0; y < d.height; y++) {
      let j = y * s.stride;
      const end = y * d.stride + d.width;
      for (let i = y * d.stride; i < end; i++, j++) d.data[i] = d.data[i]! / s.data[j]!;
    }
    return this;
  }
}

/** An image of unsigned 16-bit pixels. @see lsst.afw.image.ImageU */
export type ImageU = Image<Uint16Array>;
/** An image of signed 32-bit pixels. @see lsst.afw.image.ImageI */
export type ImageI = Image<Int32Array>;
/** An image of 32-bit float pixels. @see lsst.afw.image.ImageF */
export type ImageF = Image<Float32Array>;
/** An image of 64-bit float pixels. @see lsst.afw.image.ImageD */
export type ImageD = Image<Float64Array>;

/**
 * Makes a zero-filled (or `initialValue`-filled) `uint16` image.
 *
 * @param dimensions - a PARENT box (its minimum is xy0) or a size
 * @param initialValue - the value of every pixel
 * @returns the image
 * @see lsst.afw.image.ImageU
 */
export function ImageU(dimensions: Box2I | Extent2I, initialValue = 0): ImageU {
  return Image.make('uint16', dimensions, initialValue);
}

/**
 * Makes a zero-filled (or `initialValue`-filled) `int32` image.
 *
 * @param dimensions - a PARENT box (its minimum is xy0) or a size
 * @param initialValue - the value of every pixel
 * @returns the image
 * @see lsst.afw.image.ImageI
 */
export function ImageI(dimensions: Box2I | Extent2I, initialValue = 0): ImageI {
  return Image.make('int32', dimensions, initialValue);
}

/**
 * Makes a zero-filled (or `initialValue`-filled) `float32` image.
 *
 * @param dimensions - a PARENT box (its minimum is xy0) or a size
 * @param initialValue - the value of every pixel
 * @returns the image
 * @see lsst.afw.image.ImageF
 */
export function ImageF(dimensions: Box2I | Extent2I, initialValue = 0): ImageF {
  return Image.make('float32', dimensions, initialValue);
}

/**
 * Makes a zero-filled (or `initialValue`-filled) `float64` image.
 *
 * @param dimensions - a PARENT box (its minimum is xy0) or a size
 * @param initialValue - the value of every pixel
 * @returns the image
 * @see lsst.afw.image.ImageD
 */
export function ImageD(dimensions: Box2I | Extent2I, initialValue = 0): ImageD {
  return Image.make('float64', dimensions, initialValue);
}
