import { FitsFormatError, FitsUnsupportedError, type FitsErrorOptions } from './errors.js';

/**
 * The `BITPIX` values of the FITS standard: unsigned 8-bit, signed 16/32/64-bit integers and
 * IEEE 754 32/64-bit floats (negative values).
 */
export type FitsBitpix = 8 | 16 | 32 | 64 | -32 | -64;

/** The typed arrays that hold decoded FITS pixels. */
export type FitsPixelArray =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

/**
 * The numpy-style name of the element type of a {@link FitsPixelArray}, as astropy reports it
 * (`'uint16'` for `BITPIX = 16` with `BZERO = 32768`).
 */
export type FitsPixelType =
  | 'uint8'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float32'
  | 'float64';

/**
 * How the pixels of an image HDU are stored: `BITPIX`, the linear scaling
 * `physical = BZERO + BSCALE × stored`, and the `BLANK` value of integer images.
 */
export interface FitsPixelFormat {
  /** The stored element type. */
  readonly bitpix: FitsBitpix;
  /** `BZERO` (0 when absent). */
  readonly bzero: number;
  /** `BSCALE` (1 when absent). */
  readonly bscale: number;
  /** `BLANK`, the stored value of undefined pixels of integer images, when present. */
  readonly blank?: number | bigint;
}

/**
 * The pixels of an image HDU (or of a rectangle of it), decoded to host-order typed arrays.
 *
 * `data` is in FITS order: `NAXIS1` (x, the column) varies fastest, so pixel `(x, y)` of a 2-d
 * image is `data[y * width + x]`. Integer images whose `BZERO` / `BSCALE` are the pseudo-unsigned
 * convention (`BITPIX = 16, BZERO = 32768` and so on) come back as unsigned arrays
 * (`Uint16Array`, `Uint32Array`, `BigUint64Array`) or `Int8Array` for `BITPIX = 8,
 * BZERO = -128`; other scaled integer images come back as physical values in `Float32Array`
 * (`BITPIX` 8, 16) or `Float64Array` (`BITPIX` 32, 64) with `BLANK` pixels as `NaN`, as
 * astropy does.
 *
 * @see astropy.io.fits.ImageHDU.data
 * @see lsst.afw.fits.Fits.readImage
 */
export interface FitsImageData extends FitsPixelFormat {
  /** The pixels, `NAXIS1` fastest. */
  readonly data: FitsPixelArray;
  /** `NAXIS1` of what was read (the bbox width for a sub-image; 0 when `NAXIS = 0`). */
  readonly width: number;
  /** `NAXIS2` of what was read (the bbox height for a sub-image; 1 when `NAXIS = 1`, 0 when `NAXIS = 0`). */
  readonly height: number;
  /** The axis lengths of what was read, `NAXIS1` first; `data.length` is their product. */
  readonly naxis: readonly number[];
}

/**
 * What the FITS writer accepts as image pixels: a typed array and its axes. A
 * {@link FitsImageData} fits.
 */
export interface FitsImageLike {
  /** The pixels, `NAXIS1` fastest. */
  readonly data: FitsPixelArray;
  /** `NAXIS1`. */
  readonly width: number;
  /** `NAXIS2`. */
  readonly height: number;
  /** All axis lengths, `NAXIS1` first; when absent `[width, height]`. */
  readonly naxis?: readonly number[];
}

/** What {@link encodePixels} returns: big-endian bytes and the storage format they are in. */
export interface EncodedPixels extends FitsPixelFormat {
  /** The stored pixels, big-endian, without padding. */
  readonly bytes: Uint8Array;
}

/** Options of {@link decodePixels}. */
export interface DecodePixelsOptions {
  /**
   * Convert in the buffer of `bytes` instead of a copy (the bytes are overwritten). Only taken
   * when `bytes.byteOffset` is a multiple of 8; otherwise a copy is made anyway.
   */
  readonly inPlace?: boolean;
  /** Where the bytes come from, for error messages. */
  readonly location?: FitsErrorOptions;
}

/** True when the host stores numbers little-endian (every platform Node runs on today). */
const HOST_LITTLE_ENDIAN: boolean = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

interface SwappableBuffer {
  swap16(): unknown;
  swap32(): unknown;
  swap64(): unknown;
}

const nodeBuffer = (globalThis as { Buffer?: { from(a: ArrayBufferLike, o: number, l: number): SwappableBuffer } })
  .Buffer;

const TWO_POW_31 = 2147483648;
const TWO_POW_32 = 4294967296;
const TWO_POW_63 = 9223372036854775808;

/**
 * Reverses the byte order of every `size`-byte element of `bytes` in place, with plain
 * JavaScript (a `Uint32Array` loop where aligned). {@link swapBytes} uses Node's native
 * `Buffer.swap16/32/64` when it exists, which is several times faster.
 *
 * @param bytes - the elements; the length must be a multiple of `size`
 * @param size - the element size in bytes
 */
export function swapBytesJs(bytes: Uint8Array, size: 2 | 4 | 8): void {
  const n4 = bytes.length >>> 2;
  if (bytes.byteOffset % 4 === 0) {
    const u = new Uint32Array(bytes.buffer, bytes.byteOffset, n4);
    if (size === 2) {
      for (let i = 0; i < n4; i++) {
        const x = u[i]!;
        u[i] = ((x & 0x00ff00ff) << 8) | ((x >>> 8) & 0x00ff00ff);
      }
      if (bytes.length % 4 !== 0) {
        const j = n4 * 4;
        const t = bytes[j]!;
        bytes[j] = bytes[j + 1]!;
        bytes[j + 1] = t;
      }
    } else if (size === 4) {
      for (let i = 0; i < n4; i++) {
        const x = u[i]!;
        const y = ((x & 0x00ff00ff) << 8) | ((x >>> 8) & 0x00ff00ff);
        u[i] = (y << 16) | (y >>> 16);
      }
    } else {
      for (let i = 0; i + 1 < n4; i += 2) {
        const a = u[i]!;
        const b = u[i + 1]!;
        const ya = ((a & 0x00ff00ff) << 8) | ((a >>> 8) & 0x00ff00ff);
        const yb = ((b & 0x00ff00ff) << 8) | ((b >>> 8) & 0x00ff00ff);
        u[i] = (yb << 16) | (yb >>> 16);
        u[i + 1] = (ya << 16) | (ya >>> 16);
      }
    }
    return;
  }
  for (let i = 0; i + size <= bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}

/**
 * Reverses the byte order of every `size`-byte element of `bytes`, in place, with Node's native
 * `Buffer.swap16/32/64` when available (a pure-JavaScript loop otherwise).
 *
 * @param bytes - the elements; the length must be a multiple of `size`
 * @param size - the element size in bytes (1 does nothing)
 */
export function swapBytes(bytes: Uint8Array, size: 1 | 2 | 4 | 8): void {
  if (size === 1 || bytes.length === 0) return;
  if (nodeBuffer !== undefined) {
    const b = nodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    if (size === 2) b.swap16();
    else if (size === 4) b.swap32();
    else b.swap64();
    return;
  }
  swapBytesJs(bytes, size);
}

/**
 * Puts big-endian elements in host byte order, in place (nothing to do on big-endian hosts).
 *
 * @param bytes - the elements
 * @param size - the element size in bytes
 */
export function bigEndianToHost(bytes: Uint8Array, size: 1 | 2 | 4 | 8): void {
  if (HOST_LITTLE_ENDIAN) swapBytes(bytes, size);
}

/**
 * The stored values of `BITPIX` pixels held (in host byte order) in `bytes`, as a typed-array
 * view of the same memory (no copy): for {@link decodeStoredPixels}.
 *
 * @param bitpix - the `BITPIX`
 * @param bytes - the bytes, a whole number of pixels, at an offset aligned to the element size
 * @returns the view
 */
export function storedView(bitpix: FitsBitpix, bytes: Uint8Array): FitsStoredPixelArray {
  const n = bytes.length / bytesPerPixel(bitpix);
  switch (bitpix) {
    case 8:
      return bytes;
    case 16:
      return new Int16Array(bytes.buffer, bytes.byteOffset, n);
    case 32:
      return new Int32Array(bytes.buffer, bytes.byteOffset, n);
    case 64:
      return new BigInt64Array(bytes.buffer, bytes.byteOffset, n);
    case -32:
      return new Float32Array(bytes.buffer, bytes.byteOffset, n);
    case -64:
      return new Float64Array(bytes.buffer, bytes.byteOffset, n);
  }
}

/** XORs every 32-bit word (and the trailing bytes, byte-wise) of an 8-aligned buffer. */
function xorWords(bytes: Uint8Array, mask: number, elementSize: 1 | 2 | 4): void {
  const n4 = bytes.length >>> 2;
  const u = new Uint32Array(bytes.buffer, bytes.byteOffset, n4);
  for (let i = 0; i < n4; i++) u[i] = u[i]! ^ mask;
  const tail = bytes.length - n4 * 4;
  if (tail === 0) return;
  if (elementSize === 1) {
    for (let j = n4 * 4; j < bytes.length; j++) bytes[j] = bytes[j]! ^ 0x80;
  } else {
    // a trailing 16-bit element
    const v = new Uint16Array(bytes.buffer, bytes.byteOffset + n4 * 4, 1);
    v[0] = v[0]! ^ 0x8000;
  }
}

/**
 * True when `value` is a `BITPIX` the FITS standard allows.
 *
 * @param value - a header value
 * @returns whether it is 8, 16, 32, 64, -32 or -64
 */
export function isFitsBitpix(value: unknown): value is FitsBitpix {
  return value === 8 || value === 16 || value === 32 || value === 64 || value === -32 || value === -64;
}

/**
 * The size in bytes of one stored pixel.
 *
 * @param bitpix - the `BITPIX`
 * @returns `|BITPIX| / 8`
 */
export function bytesPerPixel(bitpix: FitsBitpix): 1 | 2 | 4 | 8 {
  return (Math.abs(bitpix) / 8) as 1 | 2 | 4 | 8;
}

/**
 * The numpy-style element type name of a pixel array.
 *
 * @param data - a pixel array
 * @returns `'uint8'`, `'int16'`, `'float32'`, ...
 */
export function pixelTypeOf(data: FitsPixelArray): FitsPixelType {
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint32Array) return 'uint32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof BigUint64Array) return 'uint64';
  if (data instanceof Float32Array) return 'float32';
  return 'float64';
}

/**
 * The element type that {@link decodePixels} returns for a storage format (astropy's choice:
 * pseudo-unsigned integers become unsigned, other scaled integers become float32 for
 * `BITPIX` 8 and 16 and float64 for 32 and 64; float images keep their type).
 *
 * @param format - `BITPIX`, `BZERO` and `BSCALE`
 * @returns the element type of the decoded array
 * @see astropy.io.fits.hdu.image._ImageBaseHDU._dtype_for_bitpix
 */
export function decodedPixelType(format: FitsPixelFormat): FitsPixelType {
  const { bitpix, bzero, bscale } = format;
  if (bitpix === -32) return 'float32';
  if (bitpix === -64) return 'float64';
  if (bscale === 1) {
    if (bzero === 0) return bitpix === 8 ? 'uint8' : bitpix === 16 ? 'int16' : bitpix === 32 ? 'int32' : 'int64';
    if (bitpix === 8 && bzero === -128) return 'int8';
    if (bitpix === 16 && bzero === 32768) return 'uint16';
    if (bitpix === 32 && bzero === TWO_POW_31) return 'uint32';
    if (bitpix === 64 && bzero === TWO_POW_63) return 'uint64';
  }
  return bitpix === 8 || bitpix === 16 ? 'float32' : 'float64';
}

/**
 * The storage format that {@link encodePixels} writes for a pixel array: the natural `BITPIX`,
 * with the pseudo-unsigned `BZERO` for unsigned arrays (and -128 for `Int8Array`).
 *
 * @param data - the pixels
 * @returns `BITPIX`, `BZERO` and `BSCALE` (always 1)
 */
export function pixelFormatOf(data: FitsPixelArray): FitsPixelFormat {
  switch (pixelTypeOf(data)) {
    case 'uint8':
      return { bitpix: 8, bzero: 0, bscale: 1 };
    case 'int8':
      return { bitpix: 8, bzero: -128, bscale: 1 };
    case 'int16':
      return { bitpix: 16, bzero: 0, bscale: 1 };
    case 'uint16':
      return { bitpix: 16, bzero: 32768, bscale: 1 };
    case 'int32':
      return { bitpix: 32, bzero: 0, bscale: 1 };
    case 'uint32':
      return { bitpix: 32, bzero: TWO_POW_31, bscale: 1 };
    case 'int64':
      return { bitpix: 64, bzero: 0, bscale: 1 };
    case 'uint64':
      return { bitpix: 64, bzero: TWO_POW_63, bscale: 1 };
    case 'float32':
      return { bitpix: -32, bzero: 0, bscale: 1 };
    case 'float64':
      return { bitpix: -64, bzero: 0, bscale: 1 };
  }
}

/** Returns an 8-aligned buffer with the bytes: `bytes` itself when allowed and aligned, else a copy. */
function workingCopy(bytes: Uint8Array, inPlace: boolean): Uint8Array {
  if (inPlace && bytes.byteOffset % 8 === 0) return bytes;
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy;
}

function blankAsBigInt(blank: number | bigint): bigint | undefined {
  if (typeof blank === 'bigint') return blank;
  return Number.isInteger(blank) ? BigInt(blank) : undefined;
}

/** Physical values of integer pixels as float32 (BITPIX 8, 16), in float32 arithmetic like numpy. */
function scaleToFloat32(raw: Uint8Array | Int16Array, format: FitsPixelFormat): Float32Array {
  const n = raw.length;
  const out = new Float32Array(n);
  const scale = Math.fround(format.bscale);
  const zero = Math.fround(format.bzero);
  if (scale === 1) {
    for (let i = 0; i < n; i++) out[i] = raw[i]! + zero;
  } else if (zero === 0) {
    for (let i = 0; i < n; i++) out[i] = raw[i]! * scale;
  } else {
    for (let i = 0; i < n; i++) out[i] = Math.fround(raw[i]! * scale) + zero;
  }
  const blank = format.blank;
  if (blank !== undefined) {
    const b = Number(blank);
    for (let i = 0; i < n; i++) if (raw[i] === b) out[i] = Number.NaN;
  }
  return out;
}

/** Physical values of 32-bit integer pixels as float64. */
function scaleInt32ToFloat64(raw: Int32Array, format: FitsPixelFormat): Float64Array {
  const n = raw.length;
  const out = new Float64Array(n);
  const { bscale, bzero } = format;
  for (let i = 0; i < n; i++) out[i] = raw[i]! * bscale + bzero;
  const blank = format.blank;
  if (blank !== undefined) {
    const b = Number(blank);
    for (let i = 0; i < n; i++) if (raw[i] === b) out[i] = Number.NaN;
  }
  return out;
}

/** Physical values of 64-bit integer pixels (host order, 8-aligned) as float64, without BigInts. */
function scaleInt64ToFloat64(host: Uint8Array, format: FitsPixelFormat): Float64Array {
  const n = host.length / 8;
  const words = new Uint32Array(host.buffer, host.byteOffset, n * 2);
  const signedWords = new Int32Array(host.buffer, host.byteOffset, n * 2);
  const out = new Float64Array(n);
  const { bscale, bzero } = format;
  // Little-endian hosts keep the low word first; big-endian hosts the high word.
  const lo = HOST_LITTLE_ENDIAN ? 0 : 1;
  const hi = 1 - lo;
  for (let i = 0; i < n; i++) {
    // hi * 2^32 is exact and the sum rounds once, like numpy's int64 -> float64 cast.
    const v = signedWords[2 * i + hi]! * TWO_POW_32 + words[2 * i + lo]!;
    out[i] = v * bscale + bzero;
  }
  const blank = format.blank === undefined ? undefined : blankAsBigInt(format.blank);
  if (blank !== undefined) {
    const bLo = Number(BigInt.asUintN(32, blank));
    const bHi = Number(BigInt.asIntN(32, blank >> 32n));
    for (let i = 0; i < n; i++) {
      if (words[2 * i + lo] === bLo && signedWords[2 * i + hi] === bHi) out[i] = Number.NaN;
    }
  }
  return out;
}

/** Applies BSCALE/BZERO to float pixels in place, in the precision of the array (as numpy does). */
function scaleFloatInPlace(data: Float32Array | Float64Array, format: FitsPixelFormat): void {
  const n = data.length;
  const single = data instanceof Float32Array;
  const scale = single ? Math.fround(format.bscale) : format.bscale;
  const zero = single ? Math.fround(format.bzero) : format.bzero;
  if (scale !== 1) for (let i = 0; i < n; i++) data[i] = data[i]! * scale;
  if (zero !== 0) for (let i = 0; i < n; i++) data[i] = data[i]! + zero;
}

function checkFormat(format: FitsPixelFormat, location: FitsErrorOptions): void {
  if (!isFitsBitpix(format.bitpix)) {
    throw new FitsFormatError(`BITPIX must be one of 8, 16, 32, 64, -32, -64; got ${String(format.bitpix)}.`, location);
  }
  if (!Number.isFinite(format.bscale) || !Number.isFinite(format.bzero)) {
    throw new FitsFormatError(
      `BSCALE and BZERO must be finite numbers; got BSCALE=${String(format.bscale)}, BZERO=${String(format.bzero)}.`,
      location,
    );
  }
  if (format.bscale === 0) {
    throw new FitsUnsupportedError('BSCALE = 0 maps every pixel to BZERO; refusing to decode.', location);
  }
}

/**
 * Decodes the big-endian stored pixels of an image data unit to a host-order typed array,
 * applying `BZERO` / `BSCALE` / `BLANK` as astropy does (see {@link FitsImageData} and
 * {@link decodedPixelType}). The conversion is done in bulk: a byte swap of the whole buffer
 * (Node's native `Buffer.swap*`), then typed-array views, and a single pass for scaling.
 *
 * @param bytes - the stored pixels (a whole number of pixels; padding excluded)
 * @param format - `BITPIX`, `BZERO`, `BSCALE` and `BLANK`
 * @param options - decode in place; location for errors
 * @returns the pixels, `bytes.length / |BITPIX/8|` of them
 * @throws {@link FitsFormatError} when `BITPIX` is invalid or the byte count is not a whole number of pixels
 * @throws {@link FitsUnsupportedError} when `BSCALE` is 0
 * @example
 * ```ts
 * const bytes = Uint8Array.of(0x00, 0x01, 0x80, 0x00); // two BITPIX=16 pixels, big-endian
 * decodePixels(bytes, { bitpix: 16, bzero: 32768, bscale: 1 }); // Uint16Array [32769, 0]
 * ```
 * @see astropy.io.fits.ImageHDU.data
 */
export function decodePixels(bytes: Uint8Array, format: FitsPixelFormat, options: DecodePixelsOptions = {}): FitsPixelArray {
  const location = options.location ?? {};
  checkFormat(format, location);
  const size = bytesPerPixel(format.bitpix);
  if (bytes.length % size !== 0) {
    throw new FitsFormatError(
      `${bytes.length} bytes are not a whole number of ${size}-byte pixels (BITPIX ${format.bitpix}).`,
      location,
    );
  }
  const work = workingCopy(bytes, options.inPlace === true);
  bigEndianToHost(work, size);
  return hostToPhysical(work, format);
}

/** The typed arrays that hold stored (unscaled) pixels in host byte order, one per `BITPIX`. */
export type FitsStoredPixelArray = Uint8Array | Int16Array | Int32Array | BigInt64Array | Float32Array | Float64Array;

/**
 * Applies `BZERO` / `BSCALE` / `BLANK` to stored pixel values that are already in host byte
 * order (what tile decompression gives), exactly as {@link decodePixels} does after its byte
 * swap: the same array types, the same float arithmetic, `BLANK` to NaN for scaled integers.
 *
 * @param stored - the stored values, in the array type of `BITPIX` (`Uint8Array` for 8,
 *   `Int16Array` for 16, `Int32Array` for 32, `BigInt64Array` for 64, `Float32Array` for -32,
 *   `Float64Array` for -64)
 * @param format - `BITPIX`, `BZERO`, `BSCALE` and `BLANK`
 * @param options - convert in the buffer of `stored` (`inPlace`); location for errors
 * @returns the physical pixels (see {@link FitsImageData})
 * @throws {@link FitsFormatError} when `BITPIX` is invalid or does not match the array type
 * @throws {@link FitsUnsupportedError} when `BSCALE` is 0
 * @example
 * ```ts
 * decodeStoredPixels(Int16Array.of(-32768, 0), { bitpix: 16, bzero: 32768, bscale: 1 }); // Uint16Array [0, 32768]
 * ```
 */
export function decodeStoredPixels(
  stored: FitsStoredPixelArray,
  format: FitsPixelFormat,
  options: DecodePixelsOptions = {},
): FitsPixelArray {
  const location = options.location ?? {};
  checkFormat(format, location);
  const expected = STORED_ARRAY[format.bitpix];
  if (!(stored instanceof expected)) {
    throw new FitsFormatError(
      `BITPIX ${format.bitpix} pixels are held in a ${expected.name}, not a ${stored.constructor.name}.`,
      location,
    );
  }
  const bytes = new Uint8Array(stored.buffer, stored.byteOffset, stored.byteLength);
  return hostToPhysical(workingCopy(bytes, options.inPlace === true), format);
}

const STORED_ARRAY: Record<FitsBitpix, { new (n: number): FitsStoredPixelArray; readonly name: string }> = {
  8: Uint8Array,
  16: Int16Array,
  32: Int32Array,
  64: BigInt64Array,
  [-32]: Float32Array,
  [-64]: Float64Array,
};

/** The physical pixels of stored values in host byte order (8-aligned bytes, converted in place where possible). */
function hostToPhysical(work: Uint8Array, format: FitsPixelFormat): FitsPixelArray {
  const type = decodedPixelType(format);
  const size = bytesPerPixel(format.bitpix);
  const { buffer, byteOffset } = work;
  const n = work.length / size;
  switch (format.bitpix) {
    case 8: {
      if (type === 'uint8') return work;
      if (type === 'int8') {
        xorWords(work, 0x80808080, 1);
        return new Int8Array(buffer, byteOffset, n);
      }
      return scaleToFloat32(work, format);
    }
    case 16: {
      if (type === 'uint16') {
        xorWords(work, 0x80008000, 2);
        return new Uint16Array(buffer, byteOffset, n);
      }
      const raw = new Int16Array(buffer, byteOffset, n);
      return type === 'int16' ? raw : scaleToFloat32(raw, format);
    }
    case 32: {
      if (type === 'uint32') {
        xorWords(work, 0x80000000, 4);
        return new Uint32Array(buffer, byteOffset, n);
      }
      const raw = new Int32Array(buffer, byteOffset, n);
      return type === 'int32' ? raw : scaleInt32ToFloat64(raw, format);
    }
    case 64: {
      if (type === 'int64') return new BigInt64Array(buffer, byteOffset, n);
      if (type === 'uint64') {
        // flip the sign bit of the high word
        const words = new Uint32Array(buffer, byteOffset, n * 2);
        for (let i = HOST_LITTLE_ENDIAN ? 1 : 0; i < words.length; i += 2) words[i] = words[i]! ^ 0x80000000;
        return new BigUint64Array(buffer, byteOffset, n);
      }
      return scaleInt64ToFloat64(work, format);
    }
    case -32: {
      const data = new Float32Array(buffer, byteOffset, n);
      scaleFloatInPlace(data, format);
      return data;
    }
    case -64: {
      const data = new Float64Array(buffer, byteOffset, n);
      scaleFloatInPlace(data, format);
      return data;
    }
  }
}

/**
 * Writes pixels `start` to `end` (exclusive) of `data` as big-endian stored values in the
 * {@link pixelFormatOf} format into `out`, which must hold `(end - start) × bytesPerPixel`
 * bytes. Used to encode large images in chunks.
 *
 * @param data - the pixels
 * @param start - the first pixel
 * @param end - one past the last pixel
 * @param out - where the bytes go
 */
export function encodePixelsInto(data: FitsPixelArray, start: number, end: number, out: Uint8Array): void {
  const format = pixelFormatOf(data);
  const size = bytesPerPixel(format.bitpix);
  const count = end - start;
  if (!(start >= 0 && end <= data.length && count >= 0) || out.length < count * size) {
    throw new RangeError(`encodePixelsInto: bad range [${start}, ${end}) of ${data.length} pixels for ${out.length} bytes.`);
  }
  const src = new Uint8Array(data.buffer, data.byteOffset + start * size, count * size);
  const dst = out.byteOffset % 8 === 0 ? out.subarray(0, count * size) : new Uint8Array(count * size);
  dst.set(src);
  if (format.bzero !== 0) {
    if (size === 8) {
      const words = new Uint32Array(dst.buffer, dst.byteOffset, count * 2);
      for (let i = HOST_LITTLE_ENDIAN ? 1 : 0; i < words.length; i += 2) words[i] = words[i]! ^ 0x80000000;
    } else {
      xorWords(dst, size === 1 ? 0x80808080 : size === 2 ? 0x80008000 : 0x80000000, size);
    }
  }
  if (HOST_LITTLE_ENDIAN) swapBytes(dst, size);
  if (dst.buffer !== out.buffer || dst.byteOffset !== out.byteOffset) out.set(dst);
}

/**
 * Encodes pixels as the big-endian bytes of a FITS image data unit (no padding), with the
 * `BITPIX` and `BZERO` that make a FITS reader give back the same values and types
 * (see {@link pixelFormatOf}).
 *
 * @param data - the pixels
 * @returns the bytes and their format
 * @example
 * ```ts
 * const { bytes, bitpix, bzero } = encodePixels(Uint16Array.of(0, 65535));
 * // bitpix 16, bzero 32768, bytes 80 00 7f ff
 * ```
 * @see astropy.io.fits.ImageHDU
 */
export function encodePixels(data: FitsPixelArray): EncodedPixels {
  const format = pixelFormatOf(data);
  const bytes = new Uint8Array(data.length * bytesPerPixel(format.bitpix));
  encodePixelsInto(data, 0, data.length, bytes);
  return { bytes, ...format };
}
