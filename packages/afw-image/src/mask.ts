import { FitsFile, writeFits, type FitsHduSelector, type Header } from '@skystack/fits';
import type { Extent2I} from '@skystack/geom';
import { Box2I, Point2I } from '@skystack/geom';
import { fillPlane, maskBits } from '@skystack/kernels';
import { AfwImageFitsError, AfwImageMaskPlaneError } from './errors.js';
import { imageHeaderForWrite, planeHduForWrite, readMaskPlaneCards, readPixelsFromHdu, selectImageHdu, setMaskPlaneCards } from './fits-layout.js';
import { ImageBase, type ImageOrigin, type PixelViewOptions } from './image-base.js';
import { MaskPlaneDict } from './mask-plane-dict.js';
import { convertPixels } from './pixel-type.js';

/** Options for wrapping an `Int32Array` as a {@link Mask}. */
export interface MaskViewOptions extends PixelViewOptions {
  /** The plane dictionary (default: a fresh {@link MaskPlaneDict.withDefaultPlanes}); shared, not copied. */
  readonly planeDict?: MaskPlaneDict;
}

/** Options of {@link Mask.make}. */
export interface MakeMaskOptions {
  /** The plane dictionary (default: a fresh one with the default planes); shared, not copied. */
  readonly planeDict?: MaskPlaneDict;
  /** The value of every pixel (default 0). */
  readonly initialValue?: number;
}

/** Options of {@link Mask.readFits}. */
export interface MaskReadFitsOptions {
  /** Read only these pixels (default: all); the box is in `origin` coordinates. */
  readonly bbox?: Box2I;
  /** The coordinates `bbox` is in (default `'PARENT'`). */
  readonly origin?: ImageOrigin;
  /** The HDU (default: the `EXTTYPE = 'MASK'` extension, else the first HDU with pixels). */
  readonly hdu?: FitsHduSelector;
}

/** Options of {@link Mask.writeFits}. */
export interface MaskWriteFitsOptions {
  /** Extra header cards for the HDU. */
  readonly metadata?: Header;
  /**
   * Tile-compress the pixels losslessly (`RICE_1`); the mask then goes in extension 1 after an
   * empty primary HDU (default `false`).
   */
  readonly compress?: boolean;
}

/**
 * An image of `int32` bit planes with names: each bit of a pixel is a flag such as `BAD`, `SAT`
 * or `DETECTED`, and the {@link MaskPlaneDict} says which.
 *
 * A mask owns its dictionary; sub-image views share it. Combining two masks (`orInPlace`)
 * needs dictionaries that map the same names to the same bits.
 *
 * @example
 * ```ts
 * const mask = Mask.make(new Extent2I(100, 100));
 * const bad = mask.getPlaneBitMask('BAD');
 * mask.set(10, 10, bad | mask.getPlaneBitMask('SAT'));
 * const streak = mask.addMaskPlane('STREAK');          // 9
 * (mask.get(10, 10) & bad) !== 0;                      // true
 * mask.getMaskPlaneDict();                             // { BAD: 0, SAT: 1, ..., STREAK: 9 }
 * ```
 * @see lsst.afw.image.Mask
 */
export class Mask extends ImageBase<Int32Array> {
  readonly #planeDict: MaskPlaneDict;

  /**
   * Wraps an `Int32Array` (no copy).
   *
   * @param data - the pixels, LOCAL (0, 0) first
   * @param width - the number of columns
   * @param height - the number of rows
   * @param options - stride, xy0 and the plane dictionary
   * @throws {@link AfwImageInvalidArgumentError} when `data` is too short
   */
  constructor(data: Int32Array, width: number, height: number, options: MaskViewOptions = {}) {
    super(data, width, height, options);
    this.#planeDict = options.planeDict ?? MaskPlaneDict.withDefaultPlanes();
  }

  /**
   * Makes a new mask, all pixels 0 (or `initialValue`).
   *
   * @param dimensions - a PARENT box (its minimum is xy0) or a size
   * @param options - the plane dictionary and initial value
   * @returns the mask
   */
  static make(dimensions: Box2I | Extent2I, options: MakeMaskOptions = {}): Mask {
    const bbox = dimensions instanceof Box2I ? dimensions : Box2I.fromCorner(new Point2I(0, 0), dimensions);
    const data = new Int32Array(bbox.getWidth() * bbox.getHeight());
    if (options.initialValue !== undefined && options.initialValue !== 0) data.fill(options.initialValue);
    return new Mask(data, bbox.getWidth(), bbox.getHeight(), {
      xy0: bbox.getMin(),
      ...(options.planeDict === undefined ? {} : { planeDict: options.planeDict }),
    });
  }

  /**
   * Reads a mask HDU: pixels (uint16 masks stored with `BZERO = 32768` included), xy0 and the
   * plane names from `MP_*` cards (the default planes when there are none).
   *
   * @param path - the FITS file
   * @param options - the box and the HDU
   * @returns the mask
   * @throws {@link AfwImageOutOfBoundsError} when the box is not inside the stored mask
   * @throws {@link AfwImageFitsError} when the HDU holds float pixels or bad `MP_*` cards
   * @see lsst.afw.image.Mask.readFits
   */
  static async readFits(path: string, options: MaskReadFitsOptions = {}): Promise<Mask> {
    const file = await FitsFile.open(path);
    try {
      const hdu = options.hdu ?? selectImageHdu(file, 'MASK');
      return await readMaskHdu(file, hdu, options.bbox, options.origin ?? 'PARENT');
    } finally {
      await file.close();
    }
  }

  /**
   * Writes the mask as the primary HDU of a FITS file (`BITPIX = 32`), with `MP_*` cards and
   * the xy0 cards, atomically and with checksums (with `compress`, as a RICE_1 tile-compressed extension 1).
   *
   * @param path - the file to write
   * @param options - extra header cards; `compress` for a tile-compressed extension
   * @see lsst.afw.image.Mask.writeFits
   */
  async writeFits(path: string, options: MaskWriteFitsOptions = {}): Promise<void> {
    const header = imageHeaderForWrite(this.getXY0(), options.metadata);
    setMaskPlaneCards(header, this.#planeDict.entries());
    const plane = { data: this.compactPixels(), width: this.width, height: this.height };
    if (options.compress === true) await writeFits(path, [{}, planeHduForWrite(header, plane, true)]);
    else await writeFits(path, [planeHduForWrite(header, plane, false)]);
  }

  /**
   * The plane dictionary object itself (shared with views; editing it renames planes of all of them).
   *
   * @returns the dictionary
   */
  get planeDict(): MaskPlaneDict {
    return this.#planeDict;
  }

  /**
   * Sets every pixel to `value`, or one pixel when called as `set(x, y, value, origin?)`.
   *
   * @param args - `[value]`, or `[x, y, value]` / `[x, y, value, origin]` (PARENT by default)
   * @returns this mask
   * @throws {@link AfwImageOutOfBoundsError} when the pixel is outside the mask
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
   * A view of part of this mask sharing its pixels and its plane dictionary.
   *
   * @param bbox - the part to view
   * @param origin - the coordinates of `bbox` (default PARENT)
   * @returns the view
   * @throws {@link AfwImageOutOfBoundsError} when `bbox` is not inside this mask
   */
  subset(bbox: Box2I, origin: ImageOrigin = 'PARENT'): Mask {
    const { data, xy0 } = this.viewOf(bbox, origin);
    return new Mask(data, bbox.getWidth(), bbox.getHeight(), { stride: this.stride, xy0, planeDict: this.#planeDict });
  }

  /**
   * A deep copy (pixels and a copy of the plane dictionary).
   *
   * @returns the copy
   */
  clone(): Mask {
    const pixels = this.compactPixels();
    const data = pixels === this.array.data ? pixels.slice() : pixels;
    return new Mask(data, this.width, this.height, { xy0: this.getXY0(), planeDict: this.#planeDict.clone() });
  }

  /**
   * The bit number of a plane.
   *
   * @param name - the plane name
   * @returns the bit
   * @throws {@link AfwImageMaskPlaneError} when there is no such plane
   * @see lsst.afw.image.Mask.getMaskPlane
   */
  getMaskPlane(name: string): number {
    return this.#planeDict.getPlane(name);
  }

  /**
   * The bit mask of a plane or the OR of several (`getPlaneBitMask(['BAD', 'SAT'])`).
   *
   * @param names - a plane name or names
   * @returns the bits
   * @throws {@link AfwImageMaskPlaneError} when a plane does not exist
   * @see lsst.afw.image.Mask.getPlaneBitMask
   */
  getPlaneBitMask(names: string | readonly string[]): number {
    return this.#planeDict.getPlaneBitMask(names);
  }

  /**
   * Adds a plane to this mask's dictionary (shared with its views) on the lowest free bit.
   *
   * @param name - the plane name
   * @returns its bit (the existing one when the plane is already there)
   * @throws {@link AfwImageMaskPlaneError} when all 32 bits are in use
   * @see lsst.afw.image.Mask.addMaskPlane
   */
  addMaskPlane(name: string): number {
    return this.#planeDict.addPlane(name);
  }

  /**
   * Clears a plane's bit in every pixel of this mask and removes the plane from the dictionary.
   *
   * @param name - the plane name
   * @throws {@link AfwImageMaskPlaneError} when there is no such plane
   * @see lsst.afw.image.Mask.removeAndClearMaskPlane
   */
  removeAndClearMaskPlane(name: string): void {
    this.clearMaskPlane(this.#planeDict.getPlane(name));
    this.#planeDict.removePlane(name);
  }

  /**
   * The planes as a `{ name: bit }` object in bit order.
   *
   * @returns a new object
   * @see lsst.afw.image.Mask.getMaskPlaneDict
   */
  getMaskPlaneDict(): Record<string, number> {
    return this.#planeDict.toRecord();
  }

  /**
   * The number of planes defined.
   *
   * @returns the count
   */
  getNumPlanesUsed(): number {
    return this.#planeDict.size;
  }

  /**
   * Sets every pixel to 0 (the dictionary is unchanged).
   *
   * @see lsst.afw.image.Mask.clearAllMaskPlanes
   */
  clearAllMaskPlanes(): void {
    this.set(0);
  }

  /**
   * Clears one bit in every pixel.
   *
   * @param planeId - the bit number (0..31)
   * @throws {@link AfwImageMaskPlaneError} when the bit is outside 0..31
   * @see lsst.afw.image.Mask.clearMaskPlane
   */
  clearMaskPlane(planeId: number): void {
    if (!Number.isInteger(planeId) || planeId < 0 || planeId > 31) {
      throw new AfwImageMaskPlaneError(`Mask plane bit ${planeId} is not an integer 0..31.`);
    }
    this.andInPlace(~(1 << planeId));
  }

  /**
   * ORs bits into every pixel, or pixel by pixel the bits of another mask of the same size
   * (afw's `|=`); the masks' dictionaries must be equal.
   *
   * @param rhs - bits or a mask
   * @returns this mask
   * @throws {@link AfwImageLengthError} when the dimensions differ
   * @throws {@link AfwImageMaskPlaneError} when the plane dictionaries differ
   */
  orInPlace(rhs: number | Mask): this {
    if (typeof rhs === 'number') return this.#bits(-1, rhs | 0);
    return this.#combine(rhs, 'orInPlace', (a, b) => a | b);
  }

  /**
   * ANDs bits into every pixel, or pixel by pixel the bits of another mask (afw's `&=`).
   *
   * @param rhs - bits or a mask
   * @returns this mask
   * @throws {@link AfwImageLengthError} when the dimensions differ
   * @throws {@link AfwImageMaskPlaneError} when the plane dictionaries differ
   */
  andInPlace(rhs: number | Mask): this {
    if (typeof rhs === 'number') return this.#bits(rhs | 0, 0);
    return this.#combine(rhs, 'andInPlace', (a, b) => a & b);
  }

  /**
   * XORs bits into every pixel, or pixel by pixel the bits of another mask (afw's `^=`).
   *
   * @param rhs - bits or a mask
   * @returns this mask
   * @throws {@link AfwImageLengthError} when the dimensions differ
   * @throws {@link AfwImageMaskPlaneError} when the plane dictionaries differ
   */
  xorInPlace(rhs: number | Mask): this {
    return this.#combine(rhs, 'xorInPlace', (a, b) => a ^ b);
  }

  /**
   * Throws unless `other` has a dictionary equal to this one.
   *
   * @param other - the other mask
   * @throws {@link AfwImageMaskPlaneError} when the dictionaries differ
   */
  checkMaskDictionaries(other: Mask): void {
    if (!this.#planeDict.equals(other.#planeDict)) {
      throw new AfwImageMaskPlaneError(
        `The masks have different plane dictionaries: ${JSON.stringify(this.getMaskPlaneDict())} and ${JSON.stringify(other.getMaskPlaneDict())}.`,
        { hint: 'Masks combined pixel by pixel must name the same bits the same way.' },
      );
    }
  }

  /**
   * `p = (p & and) | or` over every pixel, with the kernels' `maskBits` on their default backend
   * (a parallel one splits the rows of a shared plane; pixels that would not change are not
   * written).
   */
  #bits(and: number, or: number): this {
    const { data, width, height, stride } = this.array;
    maskBits(data, and, or, { width, height, stride });
    return this;
  }

  #combine(rhs: number | Mask, operation: string, op: (a: number, b: number) => number): this {
    const d = this.array;
    if (typeof rhs === 'number') {
      const v = rhs | 0;
      for (let y = 0; y < d.height; y++) {
        const end = y * d.stride + d.width;
        for (let i = y * d.stride; i < end; i++) d.data[i] = op(d.data[i]!, v);
      }
      return this;
    }
    this.checkSameDimensions(rhs, operation);
    this.checkMaskDictionaries(rhs);
    const s = rhs.array;
    for (let y = 0; y < d.height; y++) {
      let j = y * s.stride;
      const end = y * d.stride + d.width;
      for (let i = y * d.stride; i < end; i++, j++) d.data[i] = op(d.data[i]!, s.data[j]!);
    }
    return this;
  }
}

/**
 * Reads a mask HDU from an open file (shared by {@link Mask.readFits} and `MaskedImage.readFits`).
 *
 * @param file - the open file
 * @param hdu - which HDU
 * @param bbox - the box to read (all when absent)
 * @param origin - the coordinates of `bbox`
 * @returns the mask
 * @throws {@link AfwImageFitsError} when the HDU holds float pixels
 */
export async function readMaskHdu(file: FitsFile, hdu: FitsHduSelector, bbox: Box2I | undefined, origin: ImageOrigin): Promise<Mask> {
  const read = await readPixelsFromHdu(file, hdu, bbox, origin);
  if (read.data instanceof Float32Array || read.data instanceof Float64Array) {
    throw new AfwImageFitsError(`${file.name ?? 'FITS file'} HDU ${String(hdu)}: a mask must hold integer pixels, not floats.`);
  }
  const planes = readMaskPlaneCards(read.header, `${file.name ?? 'FITS file'} HDU ${String(hdu)}`);
  const planeDict = planes.length === 0 ? MaskPlaneDict.withDefaultPlanes() : new MaskPlaneDict(planes);
  return new Mask(convertPixels(read.data, 'int32'), read.width, read.height, { xy0: read.xy0, planeDict });
}
