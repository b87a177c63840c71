// How afw lays out images in FITS files: xy0 in the `A` WCS and LTV cards, mask planes in MP_*
// cards, EXTTYPE-named extensions. Internal helpers shared by Image, Mask and MaskedImage.
import {
  Header,
  makeCompressedImageHdu,
  type FitsFile,
  type FitsHduInfo,
  type FitsHduInput,
  type FitsHduSelector,
  type FitsPixelArray,
} from '@skystack/fits';
import { Box2I, Point2I } from '@skystack/geom';
import { AfwImageFitsError, AfwImageOutOfBoundsError } from './errors.js';
import type { ImageOrigin } from './image-base.js';
import { convertPixels, type PixelArray } from './pixel-type.js';

/** The keyword prefix of afw's mask plane cards (`MP_BAD = 0`). */
export const MASK_PLANE_PREFIX = 'MP_';

/** Keywords that describe xy0 and are rewritten on every write. */
const XY0_KEYWORDS = ['CRVAL1A', 'CRVAL2A', 'CRPIX1A', 'CRPIX2A', 'CTYPE1A', 'CTYPE2A', 'CUNIT1A', 'CUNIT2A', 'LTV1', 'LTV2'];

/**
 * Reads xy0 from a header: the `A` WCS (`CRVAL1A - (CRPIX1A - 1)`), else `-LTV1, -LTV2`, else (0, 0).
 *
 * @param header - an image HDU header
 * @returns xy0
 */
export function readXY0(header: Header): Point2I {
  const cx = header.getNumber('CRVAL1A');
  const cy = header.getNumber('CRVAL2A');
  if (cx !== undefined && cy !== undefined) {
    const px = header.getNumber('CRPIX1A') ?? 1;
    const py = header.getNumber('CRPIX2A') ?? 1;
    return new Point2I(Math.round(cx - (px - 1)), Math.round(cy - (py - 1)));
  }
  const ltv1 = header.getNumber('LTV1');
  const ltv2 = header.getNumber('LTV2');
  if (ltv1 !== undefined || ltv2 !== undefined) return new Point2I(-Math.round(ltv1 ?? 0), -Math.round(ltv2 ?? 0));
  return new Point2I(0, 0);
}

/**
 * Sets the xy0 cards afw writes: the `A` WCS (`CRVAL1A`, `CRVAL2A`, `CRPIX1A = 1`, ...,
 * `CTYPE1A = 'LINEAR'`) and IRAF's `LTV1 = -x0`, `LTV2 = -y0`.
 *
 * @param header - the header to edit
 * @param xy0 - the image's xy0
 */
export function setXY0Cards(header: Header, xy0: Point2I): void {
  for (const k of XY0_KEYWORDS) header.delete(k);
  header.set('CRVAL1A', xy0.getX(), 'Column pixel of Reference Pixel');
  header.set('CRVAL2A', xy0.getY(), 'Row pixel of Reference Pixel');
  header.set('CRPIX1A', 1, 'Column Pixel Coordinate of Reference');
  header.set('CRPIX2A', 1, 'Row Pixel Coordinate of Reference');
  header.set('CTYPE1A', 'LINEAR', 'Type of projection');
  header.set('CTYPE2A', 'LINEAR', 'Type of projection');
  header.set('CUNIT1A', 'PIXEL', 'Column unit');
  header.set('CUNIT2A', 'PIXEL', 'Row unit');
  header.set('LTV1', -xy0.getX());
  header.set('LTV2', -xy0.getY());
}

/**
 * The header for writing one image HDU: the caller's cards (if any) and the xy0 cards.
 *
 * @param xy0 - the image's xy0
 * @param metadata - extra cards
 * @param exttype - `EXTTYPE`/`EXTNAME` for afw's multi-extension layout
 * @returns a new header (the writer adds the structural keywords)
 */
export function imageHeaderForWrite(xy0: Point2I, metadata?: Header, exttype?: string): Header {
  const header = metadata === undefined ? new Header() : metadata.clone();
  if (exttype !== undefined) {
    header.set('INHERIT', true);
    header.set('EXTTYPE', exttype);
    header.set('EXTNAME', exttype);
  }
  setXY0Cards(header, xy0);
  return header;
}

/**
 * One image plane as an HDU for `writeFits`: plain, or (when `compress` is set and the plane is
 * not empty) tile-compressed losslessly, row by row, as fpack and afw write it: `GZIP_2` for
 * float pixels, `RICE_1` for integers. A compressed plane is always an extension, so callers
 * put an empty primary HDU first.
 *
 * @param header - the plane's cards (from {@link imageHeaderForWrite})
 * @param plane - the pixels, compact, and their dimensions
 * @param compress - whether to tile-compress the plane
 * @returns the HDU
 */
export function planeHduForWrite(
  header: Header,
  plane: { readonly data: PixelArray; readonly width: number; readonly height: number },
  compress: boolean,
): FitsHduInput {
  const { data, width, height } = plane;
  if (!compress || width === 0 || height === 0) return { header, data: { data, width, height } };
  const float = data instanceof Float32Array || data instanceof Float64Array;
  return makeCompressedImageHdu(data, width, height, { compression: float ? 'GZIP_2' : 'RICE_1', header });
}

/**
 * The mask planes named by `MP_*` cards, as `[name, bit]` pairs sorted by bit.
 *
 * @param header - a mask HDU header
 * @param where - the file and HDU, for messages
 * @returns the planes; empty when there are no `MP_*` cards
 * @throws {@link AfwImageFitsError} when a bit is not an integer in 0..31
 */
export function readMaskPlaneCards(header: Header, where: string): Array<[string, number]> {
  const planes: Array<[string, number]> = [];
  for (const card of header) {
    if (!card.keyword.startsWith(MASK_PLANE_PREFIX)) continue;
    const bit = card.value;
    if (typeof bit !== 'number' || !Number.isInteger(bit) || bit < 0 || bit > 31) {
      throw new AfwImageFitsError(`${where}: mask plane card ${card.keyword} = ${String(bit)} is not a bit number 0..31.`);
    }
    planes.push([card.keyword.slice(MASK_PLANE_PREFIX.length), bit]);
  }
  return planes.sort((a, b) => a[1] - b[1]);
}

/**
 * Sets `MP_<NAME> = bit` cards (long names become `HIERARCH` cards, as cfitsio writes them).
 *
 * @param header - the header to edit
 * @param planes - `[name, bit]` pairs
 */
export function setMaskPlaneCards(header: Header, planes: Iterable<readonly [string, number]>): void {
  for (const k of header.keywords()) if (k.startsWith(MASK_PLANE_PREFIX)) header.delete(k);
  for (const [name, bit] of planes) header.set(`${MASK_PLANE_PREFIX}${name}`, bit);
}

/**
 * The header that describes an HDU's image: for a tile-compressed HDU, the image header rebuilt
 * from the `Z*` keywords (as astropy's `CompImageHDU.header`), so `NAXISn`, the xy0 cards and
 * the `MP_*` cards are the image's, not the binary table's; else the HDU's own header.
 *
 * @param h - the HDU
 * @returns the image header
 */
function imageHeaderOf(h: FitsHduInfo): Header {
  return h.imageHeader ?? h.header;
}

/** Whether an HDU holds image pixels: a primary, image or tile-compressed image HDU with `NAXIS >= 1`. */
function hasPixels(h: FitsHduInfo): boolean {
  return (
    (h.kind === 'primary' || h.kind === 'image' || h.kind === 'compressed-image') && (imageHeaderOf(h).getInt('NAXIS') ?? 0) >= 1
  );
}

function named(h: FitsHduInfo, name: string): boolean {
  return h.exttype?.toUpperCase() === name || h.extname?.toUpperCase() === name;
}

/**
 * Finds an HDU of afw's layout by `EXTTYPE` (or `EXTNAME`); when no HDU has that name, the
 * first HDU with pixels (afw's default HDU) for `IMAGE`, or the HDU `offset` after it.
 *
 * @param file - the open file
 * @param name - `IMAGE`, `MASK` or `VARIANCE`
 * @param offset - the position after the image HDU to fall back to (`MASK` 1, `VARIANCE` 2)
 * @returns the HDU index, or `undefined` when there is none
 */
export function findLayoutHdu(file: FitsFile, name: string, offset = 0): number | undefined {
  const byName = file.hdus.find((h) => named(h, name));
  if (byName !== undefined) return byName.index;
  const firstWithPixels = file.hdus.find(hasPixels);
  if (firstWithPixels === undefined) return undefined;
  const candidate = file.hdus[firstWithPixels.index + offset];
  return candidate !== undefined && hasPixels(candidate) && (offset === 0 || candidate.exttype === undefined) ? candidate.index : undefined;
}

/**
 * The HDU a single-plane reader reads by default: the one named `name`, else the first with pixels.
 *
 * @param file - the open file
 * @param name - `IMAGE` or `MASK`
 * @returns the HDU index
 * @throws {@link AfwImageFitsError} when the file holds no image
 */
export function selectImageHdu(file: FitsFile, name: string): number {
  const index = findLayoutHdu(file, name, 0);
  if (index === undefined) {
    throw new AfwImageFitsError(`${file.name ?? 'The file'} has no image HDU (no ${name} extension and no HDU with NAXIS > 0).`);
  }
  return index;
}

/** What {@link readPixelsFromHdu} returns. */
export interface ReadPixels {
  /** The pixels, compact. */
  readonly data: PixelArray;
  /** Columns read. */
  readonly width: number;
  /** Rows read. */
  readonly height: number;
  /** PARENT position of the first pixel read. */
  readonly xy0: Point2I;
  /** The image header of the HDU (for a tile-compressed HDU, rebuilt from the `Z*` keywords). */
  readonly header: Header;
}

/** The stored pixels as an image pixel array: unsigned 16-bit, int32 and floats kept, other integers to int32. */
function asPixelArray(data: FitsPixelArray, where: string): PixelArray {
  if (data instanceof Uint16Array || data instanceof Int32Array || data instanceof Float32Array || data instanceof Float64Array) {
    return data;
  }
  if (data instanceof Uint8Array || data instanceof Int8Array || data instanceof Int16Array) return convertPixels(data, 'int32');
  if (data instanceof Uint32Array) return convertPixels(data, 'float64');
  throw new AfwImageFitsError(`${where} holds 64-bit integer pixels, which no afw image type holds.`, {
    hint: 'Read it with FitsFile.readImage from @skystack/fits.',
  });
}

/**
 * Reads the pixels of an image HDU, or only those inside a box.
 *
 * @param file - the open file
 * @param hdu - which HDU
 * @param bbox - the box to read (all when absent)
 * @param origin - the coordinates of `bbox`: PARENT (includes the stored xy0) or LOCAL
 * @returns the pixels and where they are
 * @throws {@link AfwImageOutOfBoundsError} when the box is not inside the stored image
 */
export async function readPixelsFromHdu(
  file: FitsFile,
  hdu: FitsHduSelector,
  bbox: Box2I | undefined,
  origin: ImageOrigin,
): Promise<ReadPixels> {
  const info = file.findHdu(hdu);
  const header = imageHeaderOf(info);
  const storedXY0 = readXY0(header);
  const where = `${file.name ?? 'FITS file'} HDU ${info.index}`;
  if (!hasPixels(info)) throw new AfwImageFitsError(`${where} holds no image pixels (NAXIS = 0 or not an image or tile-compressed image HDU).`);
  const naxis = header.getInt('NAXIS') ?? 0;
  const width = header.getInt('NAXIS1') ?? 0;
  const height = naxis >= 2 ? (header.getInt('NAXIS2') ?? 1) : 1;
  if (bbox === undefined) {
    const read = await file.readImage(info.index);
    return { data: asPixelArray(read.data, where), width, height, xy0: storedXY0, header };
  }
  const shift = origin === 'PARENT' ? storedXY0 : new Point2I(0, 0);
  const local = Box2I.fromCorner(new Point2I(bbox.getMinX() - shift.getX(), bbox.getMinY() - shift.getY()), bbox.getDimensions());
  if (!bbox.isEmpty() && (local.getMinX() < 0 || local.getMinY() < 0 || local.getMaxX() >= width || local.getMaxY() >= height)) {
    throw new AfwImageOutOfBoundsError(
      `${where}: the box ${bbox.toString()} (${origin}) is not inside the stored ${width}x${height} image with xy0 ${storedXY0.toString()}.`,
      origin === 'PARENT' ? { hint: "PARENT boxes include xy0; pass origin 'LOCAL' for array-relative boxes." } : {},
    );
  }
  const read = await file.readImage(info.index, { bbox: local });
  return {
    data: asPixelArray(read.data, where),
    width: bbox.getWidth(),
    height: bbox.getHeight(),
    xy0: new Point2I(local.getMinX() + storedXY0.getX(), local.getMinY() + storedXY0.getY()),
    header,
  };
}
