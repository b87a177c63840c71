import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import { AfwImageInvalidArgumentError, AfwImageLengthError, AfwImageOutOfBoundsError } from './errors.js';
import type { PixelArray } from './pixel-type.js';

/**
 * Which pixel coordinates a position or box is in: `'PARENT'` coordinates include the image's
 * `xy0` (as afw's `image[x, y]` and `getBBox()`), `'LOCAL'` ones count from the first pixel of
 * the array (as `image.array[y, x]`).
 *
 * @see lsst.afw.image.ImageOrigin
 */
export type ImageOrigin = 'PARENT' | 'LOCAL';

/** Any typed array a pixel container can be built on (image pixels, or `Int32Array` masks). */
export type AnyPixelArray = PixelArray;

/**
 * The pixels of an image as an array view: pixel `(x, y)` in LOCAL coordinates is
 * `data[y * stride + x]` (afw's `image.array[y, x]`). For a sub-image `data` is a `subarray`
 * of the parent's buffer, so writes through it change the parent.
 */
export interface PixelArrayView<A extends AnyPixelArray> {
  /** The pixels, starting at LOCAL pixel (0, 0); rows are `stride` elements apart. */
  readonly data: A;
  /** The number of columns. */
  readonly width: number;
  /** The number of rows. */
  readonly height: number;
  /** The distance in elements between the starts of successive rows (≥ `width`). */
  readonly stride: number;
}

/** Options for wrapping an existing pixel array in an image or mask. */
export interface PixelViewOptions {
  /** Elements between row starts (default: the width). */
  readonly stride?: number;
  /** The PARENT position of LOCAL pixel (0, 0) (default (0, 0)). */
  readonly xy0?: Point2I;
}

/** Where a sub-image view's pixels are: see `ImageBase.viewOf`. */
export interface SubImageView<A extends AnyPixelArray> {
  /** The sub-array from the view's LOCAL (0, 0). */
  readonly data: A;
  /** The view's PARENT xy0. */
  readonly xy0: Point2I;
}

function checkDimension(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > 0x7fffffff) {
    throw new AfwImageInvalidArgumentError(`The ${name} must be a non-negative integer below 2³¹; got ${String(value)}.`);
  }
}

/**
 * The geometry of an image-like pixel container shared by {@link Image} and {@link Mask}: a
 * typed array seen as `width × height` pixels with a row `stride`, placed at `xy0` in PARENT
 * coordinates. Sub-images are views on the same buffer.
 *
 * @see lsst.afw.image.ImageBase
 */
export abstract class ImageBase<A extends AnyPixelArray> {
  /** The pixels, from LOCAL (0, 0), `stride` elements per row. */
  readonly #data: A;
  /** The number of columns. */
  readonly width: number;
  /** The number of rows. */
  readonly height: number;
  /** Elements between row starts. */
  readonly stride: number;
  #x0: number;
  #y0: number;

  /**
   * Wraps pixels (no copy).
   *
   * @param data - the pixels, LOCAL (0, 0) first; at least `(height - 1) * stride + width` of them
   * @param width - the number of columns
   * @param height - the number of rows
   * @param options - the row stride and xy0
   * @throws {@link AfwImageInvalidArgumentError} when the sizes are negative or the array is too short
   */
  protected constructor(data: A, width: number, height: number, options: PixelViewOptions = {}) {
    checkDimension('width', width);
    checkDimension('height', height);
    const stride = options.stride ?? width;
    checkDimension('stride', stride);
    if (stride < width) {
      throw new AfwImageInvalidArgumentError(`The stride (${stride}) must be at least the width (${width}).`);
    }
    const needed = width === 0 || height === 0 ? 0 : (height - 1) * stride + width;
    if (data.length < needed) {
      throw new AfwImageInvalidArgumentError(
        `A ${width}x${height} image with stride ${stride} needs ${needed} pixels; the array has ${data.length}.`,
      );
    }
    this.#data = data;
    // (`| 0`: the fields hold small integers even when the numbers came from float arithmetic,
    // e.g. Math.ceil; otherwise V8 stores them as heap numbers, and code reading them is
    // deoptimised when one kind follows the other)
    this.width = width | 0;
    this.height = height | 0;
    this.stride = stride | 0;
    this.#x0 = (options.xy0?.getX() ?? 0) | 0;
    this.#y0 = (options.xy0?.getY() ?? 0) | 0;
  }

  /**
   * The pixels as an array view in LOCAL order: pixel `(x, y)` is `data[y * stride + x]`.
   *
   * @example
   * ```ts
   * const { data, width, height, stride } = image.array;
   * let sum = 0;
   * for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) sum += data[y * stride + x]!;
   * ```
   */
  get array(): PixelArrayView<A> {
    return { data: this.#data, width: this.width, height: this.height, stride: this.stride };
  }

  /**
   * The box this image covers.
   *
   * @param origin - `'PARENT'` (default: starts at xy0) or `'LOCAL'` (starts at (0, 0))
   * @returns the box
   */
  getBBox(origin: ImageOrigin = 'PARENT'): Box2I {
    const dims = new Extent2I(this.width, this.height);
    return Box2I.fromCorner(origin === 'PARENT' ? new Point2I(this.#x0, this.#y0) : new Point2I(0, 0), dims);
  }

  /**
   * The PARENT position of LOCAL pixel (0, 0).
   *
   * @returns xy0
   */
  getXY0(): Point2I {
    return new Point2I(this.#x0, this.#y0);
  }

  /**
   * The PARENT x of the first column.
   *
   * @returns x0
   */
  getX0(): number {
    return this.#x0;
  }

  /**
   * The PARENT y of the first row.
   *
   * @returns y0
   */
  getY0(): number {
    return this.#y0;
  }

  /**
   * Moves the image in PARENT coordinates (the pixels stay as they are).
   *
   * @param xy0 - the new PARENT position of LOCAL pixel (0, 0)
   */
  setXY0(xy0: Point2I): void {
    this.#x0 = xy0.getX() | 0;
    this.#y0 = xy0.getY() | 0;
  }

  /**
   * The number of columns.
   *
   * @returns the width
   */
  getWidth(): number {
    return this.width;
  }

  /**
   * The number of rows.
   *
   * @returns the height
   */
  getHeight(): number {
    return this.height;
  }

  /**
   * The width and height.
   *
   * @returns the dimensions
   */
  getDimensions(): Extent2I {
    return new Extent2I(this.width, this.height);
  }

  /**
   * Converts a LOCAL pixel index to a PARENT one along x.
   *
   * @param x - LOCAL x
   * @returns PARENT x
   */
  indexToPositionX(x: number): number {
    return x + this.#x0;
  }

  /**
   * Converts a LOCAL pixel index to a PARENT one along y.
   *
   * @param y - LOCAL y
   * @returns PARENT y
   */
  indexToPositionY(y: number): number {
    return y + this.#y0;
  }

  /**
   * The index in {@link ImageBase.array}`.data` of a pixel, bounds-checked.
   *
   * @param x - column
   * @param y - row
   * @param origin - the coordinates `x` and `y` are in (default PARENT)
   * @returns the element index
   * @throws {@link AfwImageOutOfBoundsError} when the pixel is outside the image
   */
  pixelIndex(x: number, y: number, origin: ImageOrigin = 'PARENT'): number {
    const lx = origin === 'PARENT' ? x - this.#x0 : x;
    const ly = origin === 'PARENT' ? y - this.#y0 : y;
    if (!Number.isInteger(lx) || !Number.isInteger(ly) || lx < 0 || ly < 0 || lx >= this.width || ly >= this.height) {
      throw new AfwImageOutOfBoundsError(
        `Pixel (${x}, ${y}) (${origin}) is outside the image ${this.getBBox(origin).toString()}.`,
        origin === 'PARENT' ? { hint: "PARENT coordinates include xy0; pass 'LOCAL' for array indices." } : {},
      );
    }
    return ly * this.stride + lx;
  }

  /**
   * Reads one pixel.
   *
   * @param x - column
   * @param y - row
   * @param origin - the coordinates `x` and `y` are in (default PARENT, as afw's `image[x, y]`)
   * @returns the pixel value
   * @throws {@link AfwImageOutOfBoundsError} when the pixel is outside the image
   */
  get(x: number, y: number, origin: ImageOrigin = 'PARENT'): number {
    return this.#data[this.pixelIndex(x, y, origin)]!;
  }

  /**
   * The part of the pixel buffer a sub-image view of `bbox` sees, and where it goes.
   *
   * @param bbox - the sub-image box
   * @param origin - the coordinates `bbox` is in
   * @returns the sub-array (from the view's LOCAL (0, 0)) and the view's PARENT xy0
   * @throws {@link AfwImageOutOfBoundsError} when `bbox` is not inside this image
   */
  protected viewOf(bbox: Box2I, origin: ImageOrigin): SubImageView<A> {
    const mine = this.getBBox(origin);
    if (!mine.contains(bbox) && !bbox.isEmpty()) {
      throw new AfwImageOutOfBoundsError(
        `The sub-image box ${bbox.toString()} (${origin}) is not inside the image ${mine.toString()}.`,
        origin === 'PARENT' ? { hint: "PARENT boxes include xy0; pass 'LOCAL' for array-relative boxes." } : {},
      );
    }
    if (bbox.isEmpty()) return { data: this.#data.subarray(0, 0) as A, xy0: new Point2I(this.#x0, this.#y0) };
    const lx = bbox.getMinX() - mine.getMinX();
    const ly = bbox.getMinY() - mine.getMinY();
    const start = ly * this.stride + lx;
    const end = start + (bbox.getHeight() - 1) * this.stride + bbox.getWidth();
    return {
      data: this.#data.subarray(start, end) as A,
      xy0: new Point2I(lx + this.#x0, ly + this.#y0),
    };
  }

  /**
   * Throws unless `other` has the same width and height (afw ignores xy0 in arithmetic).
   *
   * @param other - the other operand
   * @param operation - the operation, for the message
   * @throws {@link AfwImageLengthError} when the dimensions differ
   */
  protected checkSameDimensions(other: ImageBase<AnyPixelArray>, operation: string): void {
    if (other.width !== this.width || other.height !== this.height) {
      throw new AfwImageLengthError(
        `${operation} needs images of the same dimensions; this is ${this.width}x${this.height}, the other is ${other.width}x${other.height}.`,
        { hint: 'Take a subset() of the larger image over the common bbox first.' },
      );
    }
  }

  /**
   * The pixels copied into a new compact array (`stride = width`), e.g. for writing.
   *
   * @returns `width × height` pixels, x fastest; the array itself when it is already compact
   */
  compactPixels(): A {
    const n = this.width * this.height;
    if (this.stride === this.width && this.#data.length === n) return this.#data;
    const out = new (this.#data.constructor as new (n: number) => A)(n);
    for (let y = 0; y < this.height; y++) {
      const s = y * this.stride;
      out.set(this.#data.subarray(s, s + this.width) as never, y * this.width);
    }
    return out;
  }
}
