// The tiled image compression convention (FITS standard 4.0 §10): an image cut into tiles,
// each tile compressed into one row of a binary table (`ZIMAGE = T`). This module turns the
// table's keywords and per-row tile bytes back into pixels (all of them, or only the tiles a
// region needs), and cuts integer (or lossless float) images into compressed tiles for writing.

import { FitsFormatError, FitsKeywordError, FitsUnsupportedError } from '../errors.js';
import type { FitsBitpix, FitsPixelArray } from '../image-data.js';
import { fromBigEndianBytes, gzip1Compress, gzip2Compress, inflateTile } from './gzip.js';
import { plioCompress, plioDecompress } from './plio.js';
import { dequantize, type QuantizeMethod } from './quantize.js';
import { RICE_DEFAULT_BLOCK_SIZE, riceCompress, riceDecompress } from './rice.js';

/** The `ZCMPTYPE` values of the convention. */
export type CompressionType = 'RICE_1' | 'GZIP_1' | 'GZIP_2' | 'PLIO_1' | 'HCOMPRESS_1' | 'NOCOMPRESS';

/** Read access to the keywords of a `ZIMAGE` table header (a `Header` fits). */
export interface TiledImageHeader {
  /**
   * The value of a keyword, or `undefined` when absent.
   *
   * @param keyword - the keyword, upper case
   * @returns its value (number, bigint, string, boolean or null), or `undefined`
   */
  get(keyword: string): unknown;
}

/**
 * Where the compressed tiles of an image come from: the `ZIMAGE` binary table, one tile per
 * row in tile order (`NAXIS1` direction fastest). Wire it to a binary-table reader.
 */
export interface TiledImageSource {
  /** The header of the binary table (with the `Z*` keywords and any copied image keywords). */
  readonly header: TiledImageHeader;
  /** The number of table rows (`NAXIS2`), when known; checked against the tile grid. */
  readonly nTiles?: number;
  /**
   * The `COMPRESSED_DATA` array of a row: the raw heap bytes of the variable-length array, in
   * file (big-endian) order, whatever its element type (`1PB`, `1PI` for PLIO, `1QB`, ...).
   *
   * @param tile - 0-based row index
   * @returns the bytes; empty when the row's array is empty
   */
  getTileBytes(tile: number): Uint8Array;
  /**
   * The value of a scalar column in a row (`ZSCALE`, `ZZERO`, `ZBLANK`).
   *
   * @param name - the column name (`TTYPEn`)
   * @param tile - 0-based row index
   * @returns the value, or `undefined` when the table has no such column
   */
  getColumnValue?(name: string, tile: number): number | undefined;
  /**
   * The raw heap bytes of another variable-length column in a row: `GZIP_COMPRESSED_DATA` or
   * `UNCOMPRESSED_DATA`, used for tiles that could not be quantised.
   *
   * @param name - the column name (`TTYPEn`)
   * @param tile - 0-based row index
   * @returns the bytes, or `undefined` when the table has no such column
   */
  getColumnBytes?(name: string, tile: number): Uint8Array | undefined;
}

/** The keywords of a `ZIMAGE` table, parsed and defaulted. */
export interface TiledImageParams {
  /** `ZBITPIX`: the stored type of the image. */
  readonly bitpix: FitsBitpix;
  /** `ZNAXISn`: the image axes, `NAXIS1` first. */
  readonly axes: readonly number[];
  /** `ZTILEn`: the tile axes (default: whole rows, `[ZNAXIS1, 1, ...]`). */
  readonly tile: readonly number[];
  /** Tiles along each axis. */
  readonly tileCounts: readonly number[];
  /** Total number of tiles (table rows). */
  readonly nTiles: number;
  /** `ZCMPTYPE` (`RICE_ONE` is read as `RICE_1`). */
  readonly compression: CompressionType;
  /** Rice `BLOCKSIZE` (default 32). */
  readonly blockSize: number;
  /** Rice `BYTEPIX` (default 4, as the standard says). */
  readonly bytePix: number;
  /** HCOMPRESS `SCALE` (default 0). */
  readonly hcompScale: number;
  /** HCOMPRESS `SMOOTH` (default 0). */
  readonly hcompSmooth: number;
  /**
   * `ZQUANTIZ`, when given (NO_DITHER is assumed when absent). A float image is quantised
   * when it has a `ZSCALE` keyword or column and `ZQUANTIZ` is not `NONE`; otherwise its
   * tiles hold the float bytes themselves.
   */
  readonly quantize: QuantizeMethod | undefined;
  /** `ZDITHER0` (default 1). */
  readonly dither0: number;
  /** `ZSCALE` keyword (a per-table constant), when present. */
  readonly zscale: number | undefined;
  /** `ZZERO` keyword, when present. */
  readonly zzero: number | undefined;
  /** `ZBLANK` keyword, when present. */
  readonly zblank: number | undefined;
  /** `BSCALE` copied from the image header (default 1). */
  readonly bscale: number;
  /** `BZERO` copied from the image header (default 0). */
  readonly bzero: number;
  /** `BLANK` copied from the image header, when present. */
  readonly blank: number | undefined;
}

/** A region of the image: 0-based start and size along each axis, `NAXIS1` first. */
export interface TiledImageRegion {
  /** First pixel along each axis (0-based). */
  readonly start: readonly number[];
  /** Number of pixels along each axis. */
  readonly size: readonly number[];
}

/** A 2-d box of pixels (0-based, x along `NAXIS1`); a `Box2I` of `@skystack/geom` fits. */
export interface TiledImageBox {
  /** First column. */
  readonly minX: number;
  /** First row. */
  readonly minY: number;
  /** Number of columns. */
  readonly width: number;
  /** Number of rows. */
  readonly height: number;
}

/** Options of {@link decodeTiledImage}. */
export interface DecodeTiledImageOptions {
  /** Decode only the tiles overlapping this 2-d box and return its pixels. */
  readonly bbox?: TiledImageBox;
  /** Decode only the tiles overlapping this N-d region and return its pixels. */
  readonly region?: TiledImageRegion;
  /**
   * Return the stored integers as they are, without turning the pseudo-unsigned `BZERO`
   * conventions into unsigned arrays. Default false.
   */
  readonly raw?: boolean;
}

/** Pixels decoded from a tile-compressed image. */
export interface DecodedTiledImage {
  /**
   * The pixels of the region, `NAXIS1` fastest: `Uint8Array` (`ZBITPIX` 8), `Int16Array`,
   * `Int32Array`, `BigInt64Array`, `Float32Array`, `Float64Array`; `Int8Array`,
   * `Uint16Array`, `Uint32Array`, `BigUint64Array` for the pseudo-unsigned `BZERO`
   * conventions (unless `raw`). Quantised float images come back as floats with NaN for nulls.
   */
  readonly data: FitsPixelArray;
  /** The region's first pixel along each axis (0-based, `NAXIS1` first). */
  readonly start: readonly number[];
  /** The region's size along each axis, `NAXIS1` first; `data.length` is their product. */
  readonly shape: readonly number[];
  /** `ZBITPIX`. */
  readonly bitpix: FitsBitpix;
  /** The `BSCALE` still to apply to `data` (1 when nothing is left to do). */
  readonly bscale: number;
  /** The `BZERO` still to apply to `data` (0 when nothing is left to do). */
  readonly bzero: number;
  /** The stored value of undefined pixels of an integer image (`ZBLANK` or `BLANK`), if any. */
  readonly blank: number | undefined;
  /** How many tiles were decoded. */
  readonly tilesDecoded: number;
}

const TWO_31 = 2147483648;
const TWO_63 = 9223372036854775808;

function num(header: TiledImageHeader, key: string): number | undefined {
  const v = header.get(key);
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return v;
  throw new FitsKeywordError(`${key} = ${JSON.stringify(v)}; expected a number.`);
}

function int(header: TiledImageHeader, key: string, min: number, fallback?: number): number {
  const v = num(header, key);
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    throw new FitsKeywordError(`The compressed image header has no ${key}.`, {
      hint: 'A ZIMAGE table needs ZBITPIX, ZNAXIS, ZNAXISn and ZCMPTYPE.',
    });
  }
  if (!Number.isSafeInteger(v) || v < min) throw new FitsKeywordError(`${key} = ${v}; expected an integer ≥ ${min}.`);
  return v;
}

function str(header: TiledImageHeader, key: string): string | undefined {
  const v = header.get(key);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new FitsKeywordError(`${key} = ${String(v)}; expected a string.`);
  return v.trimEnd();
}

/**
 * Reads and checks the keywords of a `ZIMAGE` binary table.
 *
 * @param header - the table header
 * @returns the parameters, with the standard's defaults filled in
 * @throws {@link FitsKeywordError} when a required keyword is missing or malformed
 * @throws {@link FitsUnsupportedError} for an unknown `ZCMPTYPE` or `ZQUANTIZ`
 *
 * @example
 * ```ts
 * const p = readTiledImageParams(header);
 * console.log(p.compression, p.axes, p.tile);
 * ```
 * @see FITS standard 4.0 §10.1 (required and optional keywords)
 */
export function readTiledImageParams(header: TiledImageHeader): TiledImageParams {
  const zimage = header.get('ZIMAGE');
  if (zimage !== undefined && zimage !== true) {
    throw new FitsKeywordError(`ZIMAGE = ${String(zimage)}; a compressed image table has ZIMAGE = T.`);
  }
  const bitpix = int(header, 'ZBITPIX', -64);
  if (bitpix !== 8 && bitpix !== 16 && bitpix !== 32 && bitpix !== 64 && bitpix !== -32 && bitpix !== -64) {
    throw new FitsKeywordError(`ZBITPIX = ${bitpix}; expected 8, 16, 32, 64, -32 or -64.`);
  }
  const naxis = int(header, 'ZNAXIS', 0);
  if (naxis > 999) throw new FitsKeywordError(`ZNAXIS = ${naxis}; expected at most 999.`);
  const axes: number[] = [];
  const tile: number[] = [];
  for (let k = 1; k <= naxis; k++) {
    const n = int(header, `ZNAXIS${k}`, 0);
    axes.push(n);
    tile.push(int(header, `ZTILE${k}`, 1, k === 1 ? Math.max(n, 1) : 1));
  }
  const tileCounts = axes.map((n, k) => Math.ceil(n / tile[k]!));
  const nTiles = naxis === 0 ? 0 : tileCounts.reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(nTiles)) {
    throw new FitsKeywordError(`The image [${axes.join(', ')}] in tiles [${tile.join(', ')}] has more tiles than can be counted.`, {
      hint: 'ZNAXISn or ZTILEn is corrupt.',
    });
  }

  const ctype = str(header, 'ZCMPTYPE');
  if (ctype === undefined) throw new FitsKeywordError('The compressed image header has no ZCMPTYPE.');
  const compression = (ctype === 'RICE_ONE' ? 'RICE_1' : ctype) as CompressionType;
  if (!['RICE_1', 'GZIP_1', 'GZIP_2', 'PLIO_1', 'HCOMPRESS_1', 'NOCOMPRESS'].includes(compression)) {
    throw new FitsUnsupportedError(`ZCMPTYPE = '${ctype}' is not a compression algorithm of the FITS standard.`, {
      hint: 'Known: RICE_1, GZIP_1, GZIP_2, PLIO_1, HCOMPRESS_1, NOCOMPRESS.',
    });
  }

  let blockSize = RICE_DEFAULT_BLOCK_SIZE;
  let bytePix = 4;
  let hcompScale = 0;
  let hcompSmooth = 0;
  for (let i = 1; i < 1000; i++) {
    const name = str(header, `ZNAME${i}`);
    if (name === undefined) break;
    const value = num(header, `ZVAL${i}`);
    if (value === undefined) continue;
    switch (name.toUpperCase()) {
      case 'BLOCKSIZE':
        blockSize = value;
        break;
      case 'BYTEPIX':
        bytePix = value;
        break;
      case 'SCALE':
        hcompScale = value;
        break;
      case 'SMOOTH':
        hcompSmooth = value;
        break;
      default:
        break; // NOISEBIT and others only describe how the file was written
    }
  }

  const zquantiz = str(header, 'ZQUANTIZ');
  let quantize: QuantizeMethod | undefined;
  if (zquantiz !== undefined) {
    if (!['NO_DITHER', 'SUBTRACTIVE_DITHER_1', 'SUBTRACTIVE_DITHER_2', 'NONE'].includes(zquantiz)) {
      throw new FitsUnsupportedError(`ZQUANTIZ = '${zquantiz}' is not a quantisation method of the FITS standard.`, {
        hint: 'Known: NO_DITHER, SUBTRACTIVE_DITHER_1, SUBTRACTIVE_DITHER_2, NONE.',
      });
    }
    quantize = zquantiz as QuantizeMethod;
  }
  const blank = num(header, 'BLANK');
  return {
    bitpix,
    axes,
    tile,
    tileCounts,
    nTiles,
    compression,
    blockSize,
    bytePix,
    hcompScale,
    hcompSmooth,
    quantize,
    dither0: num(header, 'ZDITHER0') ?? 1,
    zscale: num(header, 'ZSCALE'),
    zzero: num(header, 'ZZERO'),
    zblank: num(header, 'ZBLANK'),
    bscale: num(header, 'BSCALE') ?? 1,
    bzero: num(header, 'BZERO') ?? 0,
    blank,
  };
}

/** The array type tiles are decoded into: the signed storage type of `ZBITPIX`. */
type StorageArray = Uint8Array | Int16Array | Int32Array | BigInt64Array | Float32Array | Float64Array;

function storageArray(bitpix: FitsBitpix, buffer: ArrayBuffer, offset: number, length: number): StorageArray {
  switch (bitpix) {
    case 8:
      return new Uint8Array(buffer, offset, length);
    case 16:
      return new Int16Array(buffer, offset, length);
    case 32:
      return new Int32Array(buffer, offset, length);
    case 64:
      return new BigInt64Array(buffer, offset, length);
    case -32:
      return new Float32Array(buffer, offset, length);
    case -64:
      return new Float64Array(buffer, offset, length);
  }
}

/**
 * The most pixels one decoded array may hold (2^31; also what V8 can allocate as one typed
 * array on every platform Node supports).
 */
const MAX_DECODED_PIXELS = 2 ** 31;

/** Throws a {@link FitsFormatError} when `n` pixels are more than one array can hold. */
function checkPixelCount(n: number, what: string, hint: string): void {
  if (!Number.isSafeInteger(n) || n > MAX_DECODED_PIXELS) {
    throw new FitsFormatError(`${what} has ${n} pixels; at most ${MAX_DECODED_PIXELS} can be decoded into one array.`, { hint });
  }
}

function newStorageArray(bitpix: FitsBitpix, length: number): StorageArray {
  return storageArray(bitpix, new ArrayBuffer(length * (Math.abs(bitpix) / 8)), 0, length);
}

function intArrayOfSize(size: number, length: number): Uint8Array | Int16Array | Int32Array | BigInt64Array {
  return size === 1
    ? new Uint8Array(length)
    : size === 2
      ? new Int16Array(length)
      : size === 4
        ? new Int32Array(length)
        : new BigInt64Array(length);
}

/** Copies integers between arrays of different element types (the rare mismatched tile). */
function convertInto(src: Uint8Array | Int16Array | Int32Array | BigInt64Array, dst: StorageArray): void {
  const n = src.length;
  if (dst instanceof BigInt64Array) {
    for (let i = 0; i < n; i++) dst[i] = BigInt(src[i]!);
  } else if (src instanceof BigInt64Array) {
    for (let i = 0; i < n; i++) dst[i] = Number(src[i]!);
  } else {
    for (let i = 0; i < n; i++) dst[i] = src[i]!;
  }
}

/** Per-call state of a decode: scratch arrays reused across tiles. */
interface DecodeContext {
  readonly source: TiledImageSource;
  readonly params: TiledImageParams;
  readonly quantized: boolean;
  ints: Int32Array;
}

function tileError(tile: number, e: unknown): unknown {
  if (e instanceof FitsFormatError) {
    return new FitsFormatError(`Compressed image tile ${tile}: ${e.message}`, { cause: e });
  }
  return e;
}

function scaleOf(ctx: DecodeContext, key: 'ZSCALE' | 'ZZERO', tile: number): number {
  const v = ctx.source.getColumnValue?.(key, tile) ?? (key === 'ZSCALE' ? ctx.params.zscale : ctx.params.zzero);
  if (v === undefined) {
    throw new FitsKeywordError(`The quantised float image has no ${key} keyword or column (tile ${tile}).`);
  }
  return v;
}

function blankOf(ctx: DecodeContext, tile: number): number | undefined {
  return ctx.source.getColumnValue?.('ZBLANK', tile) ?? ctx.params.zblank;
}

/** Turns the quantised integers of tile `t` (in `ctx.ints`) into floats in `dst`. */
function dequantizeTile(ctx: DecodeContext, t: number, n: number, dst: StorageArray): void {
  if (!(dst instanceof Float32Array || dst instanceof Float64Array)) {
    throw new FitsFormatError(`ZQUANTIZ applies to float images only, but ZBITPIX = ${ctx.params.bitpix}.`);
  }
  const blank = blankOf(ctx, t);
  dequantize(ctx.ints.subarray(0, n), dst, {
    method: ctx.params.quantize ?? 'NO_DITHER',
    scale: scaleOf(ctx, 'ZSCALE', t),
    zero: scaleOf(ctx, 'ZZERO', t),
    tileIndex: t,
    dither0: ctx.params.dither0,
    ...(blank === undefined ? {} : { blank }),
  });
}

function intsFor(ctx: DecodeContext, n: number): Int32Array {
  if (ctx.ints.length < n) ctx.ints = new Int32Array(n);
  return ctx.ints.subarray(0, n);
}

/** Stores big-endian pixel bytes of any integer size into `dst` (or floats of the same size). */
function storeRawBytes(raw: Uint8Array, n: number, shuffled: boolean, dst: StorageArray, what: string): void {
  const size = raw.length / n;
  if (size === dst.BYTES_PER_ELEMENT) {
    fromBigEndianBytes(raw, dst, shuffled);
    return;
  }
  if (!(size === 1 || size === 2 || size === 4 || size === 8) || dst instanceof Float32Array || dst instanceof Float64Array) {
    throw new FitsFormatError(
      `${what} holds ${raw.length} bytes for ${n} pixels of ${dst.BYTES_PER_ELEMENT} bytes.`,
      { hint: 'The tile is truncated or corrupt.' },
    );
  }
  convertInto(fromBigEndianBytes(raw, intArrayOfSize(size, n), shuffled), dst);
}

/** Decodes tile `t` (with `n` pixels) into `dst`, in the storage type of `ZBITPIX`. */
function decodeTileInto(ctx: DecodeContext, t: number, n: number, dst: StorageArray): void {
  const { params, source } = ctx;
  const bytes = source.getTileBytes(t);
  // The largest the inflated tile can honestly be: the pixel size, 4 for quantised floats
  // (int32), and 4 for integers (older writers store narrower integers as int32).
  const elementSize = Math.abs(params.bitpix) / 8;
  const maxBytes = n * (params.bitpix < 0 ? (ctx.quantized ? 4 : elementSize) : Math.max(elementSize, 4));
  if (bytes.length === 0) {
    // A float tile that could not be quantised is stored losslessly in another column.
    const gz = source.getColumnBytes?.('GZIP_COMPRESSED_DATA', t);
    if (gz !== undefined && gz.length > 0) {
      storeRawBytes(inflateTile(gz, maxBytes), n, false, dst, 'GZIP_COMPRESSED_DATA');
      return;
    }
    const raw = source.getColumnBytes?.('UNCOMPRESSED_DATA', t);
    if (raw !== undefined && raw.length > 0) {
      storeUncompressed(raw, n, dst);
      return;
    }
    if (n === 0) return;
    throw new FitsFormatError(`The tile has no data (COMPRESSED_DATA is empty and there is no fallback column).`);
  }
  const isFloat = params.bitpix < 0;
  switch (params.compression) {
    case 'RICE_1': {
      if (isFloat) {
        if (!ctx.quantized) throw new FitsFormatError('RICE_1 cannot hold unquantised floats (ZQUANTIZ = NONE).');
        riceDecompress(bytes, intsFor(ctx, n), n, params.blockSize, params.bytePix);
        dequantizeTile(ctx, t, n, dst);
      } else if (dst instanceof BigInt64Array) {
        throw new FitsUnsupportedError('RICE_1 compression of 64-bit integer images (ZBITPIX = 64) is not supported.');
      } else {
        riceDecompress(bytes, dst as Uint8Array | Int16Array | Int32Array, n, params.blockSize, params.bytePix);
      }
      return;
    }
    case 'GZIP_1':
    case 'GZIP_2': {
      const raw = inflateTile(bytes, maxBytes);
      const shuffled = params.compression === 'GZIP_2';
      if (isFloat && ctx.quantized) {
        const ints = intsFor(ctx, n);
        storeRawBytes(raw, n, shuffled, ints, params.compression);
        dequantizeTile(ctx, t, n, dst);
      } else {
        storeRawBytes(raw, n, shuffled, dst, params.compression);
      }
      return;
    }
    case 'PLIO_1': {
      if (isFloat && !ctx.quantized) throw new FitsFormatError('PLIO_1 cannot hold unquantised floats (ZQUANTIZ = NONE).');
      if (dst instanceof Int32Array || dst instanceof Int16Array || dst instanceof Uint8Array) {
        plioDecompress(bytes, dst, n);
      } else {
        plioDecompress(bytes, intsFor(ctx, n), n);
        if (isFloat) dequantizeTile(ctx, t, n, dst);
        else convertInto(ctx.ints.subarray(0, n), dst);
      }
      return;
    }
    case 'NOCOMPRESS':
      storeUncompressed(bytes, n, dst);
      return;
    case 'HCOMPRESS_1':
      throw new FitsUnsupportedError('ZCMPTYPE = HCOMPRESS_1 is not supported yet.', {
        hint: 'Recompress the file with RICE_1 or GZIP_2 (for example `funpack` then `fpack -r`).',
      });
  }
}

/** Uncompressed tile bytes: the image type, or (old files) 4-byte floats/8-byte doubles. */
function storeUncompressed(raw: Uint8Array, n: number, dst: StorageArray): void {
  const size = n === 0 ? 0 : raw.length / n;
  if ((dst instanceof Float32Array || dst instanceof Float64Array) && size !== dst.BYTES_PER_ELEMENT) {
    if (size === 4 || size === 8) {
      const tmp = fromBigEndianBytes(raw, size === 4 ? new Float32Array(n) : new Float64Array(n));
      dst.set(tmp);
      return;
    }
  }
  storeRawBytes(raw, n, false, dst, 'UNCOMPRESSED_DATA');
}

function resolveRegion(params: TiledImageParams, options: DecodeTiledImageOptions): { start: number[]; size: number[] } {
  const { axes } = params;
  let start: number[];
  let size: number[];
  if (options.region !== undefined && options.bbox !== undefined) {
    throw new FitsFormatError('Give either a bbox or a region to decode, not both.');
  }
  if (options.bbox !== undefined) {
    const b = options.bbox;
    if (axes.length < 2) throw new FitsFormatError(`A bbox needs a 2-d image, but ZNAXIS = ${axes.length}.`);
    start = [b.minX, b.minY, ...axes.slice(2).map(() => 0)];
    size = [b.width, b.height, ...axes.slice(2)];
  } else if (options.region !== undefined) {
    start = [...options.region.start];
    size = [...options.region.size];
    if (start.length !== axes.length || size.length !== axes.length) {
      throw new FitsFormatError(`The region has ${start.length}/${size.length} axes, but ZNAXIS = ${axes.length}.`);
    }
  } else {
    start = axes.map(() => 0);
    size = [...axes];
  }
  for (let k = 0; k < axes.length; k++) {
    const s = start[k]!;
    const z = size[k]!;
    if (!Number.isSafeInteger(s) || !Number.isSafeInteger(z) || s < 0 || z < 0 || s + z > axes[k]!) {
      throw new FitsFormatError(
        `The region [${start.join(', ')}] + [${size.join(', ')}] does not fit in the image of size [${axes.join(', ')}] (axis ${k + 1}).`,
      );
    }
  }
  return { start, size };
}

function isUnsignedConvention(bitpix: FitsBitpix, bscale: number, bzero: number): boolean {
  if (bscale !== 1) return false;
  return (
    (bitpix === 8 && bzero === -128) ||
    (bitpix === 16 && bzero === 32768) ||
    (bitpix === 32 && bzero === TWO_31) ||
    (bitpix === 64 && bzero === TWO_63)
  );
}

/** Flips the sign bit of every element (stored signed → offset unsigned, and back). */
function flipSignBits(buffer: ArrayBuffer, byteLength: number, elementSize: number): FitsPixelArray {
  const n = byteLength / elementSize;
  if (elementSize === 1) {
    const u = new Uint8Array(buffer, 0, n);
    for (let i = 0; i < n; i++) u[i] = u[i]! ^ 0x80;
    return new Int8Array(buffer, 0, n);
  }
  if (elementSize === 2) {
    const u = new Uint16Array(buffer, 0, n);
    for (let i = 0; i < n; i++) u[i] = u[i]! ^ 0x8000;
    return u;
  }
  if (elementSize === 4) {
    const u = new Uint32Array(buffer, 0, n);
    for (let i = 0; i < n; i++) u[i] = (u[i]! ^ 0x80000000) >>> 0;
    return u;
  }
  const u = new BigUint64Array(buffer, 0, n);
  for (let i = 0; i < n; i++) u[i] = u[i]! ^ 0x8000000000000000n;
  return u;
}

/** The range of tile coordinates along each axis that overlap a region (empty where `tHi < tLo`). */
function tileRange(params: TiledImageParams, start: readonly number[], size: readonly number[]): { tLo: number[]; tHi: number[] } {
  const tLo: number[] = [];
  const tHi: number[] = [];
  for (let k = 0; k < params.axes.length; k++) {
    tLo.push(Math.floor(start[k]! / params.tile[k]!));
    tHi.push(size[k] === 0 ? tLo[k]! - 1 : Math.floor((start[k]! + size[k]! - 1) / params.tile[k]!));
  }
  return { tLo, tHi };
}

/** The table row of the tile at tile coordinates `tc` (axis 0 fastest). */
function tileIndex(tc: readonly number[], tileCounts: readonly number[]): number {
  let t = 0;
  for (let k = tc.length - 1; k >= 0; k--) t = t * tileCounts[k]! + tc[k]!;
  return t;
}

/** Steps `tc` to the next tile coordinate in `[tLo, tHi]` (axis 0 fastest); false after the last. */
function nextTile(tc: number[], tLo: readonly number[], tHi: readonly number[]): boolean {
  for (let k = 0; k < tc.length; k++) {
    if (tc[k]! < tHi[k]!) {
      tc[k] = tc[k]! + 1;
      return true;
    }
    tc[k] = tLo[k]!;
  }
  return false;
}

/**
 * The tiles (table rows, in increasing order) that {@link decodeTiledImage} reads for a region:
 * those that overlap it. A reader of large files uses it to fetch only those rows' bytes.
 *
 * @param params - the image's parameters, from {@link readTiledImageParams}
 * @param options - the region (`bbox` or `region`; the whole image when neither is given)
 * @param tableRows - the number of rows of the table, when known: a header whose tile grid
 *   has a different number of tiles is rejected before any tile is listed
 * @returns the 0-based tile indices
 * @throws {@link FitsFormatError} when the region is not inside the image, or the tile grid
 *   does not match `tableRows`
 * @example
 * ```ts
 * const rows = overlappingTiles(readTiledImageParams(header), { bbox: { minX: 0, minY: 10, width: 64, height: 4 } });
 * ```
 */
export function overlappingTiles(params: TiledImageParams, options: DecodeTiledImageOptions = {}, tableRows?: number): number[] {
  if (tableRows !== undefined && params.nTiles > tableRows) {
    throw new FitsFormatError(
      `The compressed image needs ${params.nTiles} tiles (image [${params.axes.join(', ')}], tiles [${params.tile.join(', ')}]), but the table has ${tableRows} rows.`,
      { hint: 'ZNAXISn or ZTILEn is corrupt, or the table is truncated.' },
    );
  }
  const { start, size } = resolveRegion(params, options);
  const nd = params.axes.length;
  const { tLo, tHi } = tileRange(params, start, size);
  const out: number[] = [];
  if (nd === 0 || size.some((z) => z === 0)) return out;

  const tc = [...tLo];
  do out.push(tileIndex(tc, params.tileCounts));
  while (nextTile(tc, tLo, tHi));
  return out;
}

/**
 * Decodes a tile-compressed image, or the part of it inside a region: only the tiles that
 * overlap the region are read and decompressed.
 *
 * Handles RICE_1, GZIP_1, GZIP_2, PLIO_1 and NOCOMPRESS tiles; quantised float images
 * (NO_DITHER, SUBTRACTIVE_DITHER_1, SUBTRACTIVE_DITHER_2, with per-tile or constant
 * `ZSCALE`/`ZZERO` and `ZBLANK` nulls as NaN) and lossless float images (`ZQUANTIZ = NONE`);
 * tiles stored in `GZIP_COMPRESSED_DATA` or `UNCOMPRESSED_DATA` instead.
 *
 * @param source - the table: header, per-row tile bytes and columns
 * @param options - the region to decode (default the whole image), and `raw`
 * @returns the pixels with their region and what scaling remains to apply
 * @throws {@link FitsKeywordError} for missing or malformed `Z*` keywords
 * @throws {@link FitsFormatError} for corrupt tiles (the message names the tile) or a region
 *   outside the image
 * @throws {@link FitsUnsupportedError} for HCOMPRESS_1 and other unsupported combinations
 *
 * @example
 * ```ts
 * const full = decodeTiledImage(source);
 * const cut = decodeTiledImage(source, { bbox: { minX: 100, minY: 50, width: 64, height: 64 } });
 * ```
 * @see FITS standard 4.0 §10 (tiled image compression); cfitsio `imcomp_decompress_tile`
 */
export function decodeTiledImage(source: TiledImageSource, options: DecodeTiledImageOptions = {}): DecodedTiledImage {
  const params = readTiledImageParams(source.header);
  const { axes, tile, tileCounts, bitpix } = params;
  const nd = axes.length;
  if (source.nTiles !== undefined && source.nTiles < params.nTiles) {
    throw new FitsFormatError(
      `The compressed image needs ${params.nTiles} tiles (image [${axes.join(', ')}], tiles [${tile.join(', ')}]), but the table has ${source.nTiles} rows.`,
    );
  }
  const { start, size } = resolveRegion(params, options);
  let quantized = false;
  if (bitpix < 0 && params.quantize !== 'NONE') {
    // Quantised tiles need ZSCALE; without it the floats are stored as they are (astropy
    // writes lossless float tables with ZQUANTIZ = 'NO_DITHER' and no ZSCALE).
    quantized = params.zscale !== undefined || (params.nTiles > 0 && source.getColumnValue?.('ZSCALE', 0) !== undefined);
  }
  const ctx: DecodeContext = { source, params, quantized, ints: new Int32Array(0) };
  const total = nd === 0 ? 0 : size.reduce((a, b) => a * b, 1);
  checkPixelCount(total, `The region [${size.join(', ')}] of the compressed image`, 'ZNAXISn is corrupt, or the image is too large to read whole: read a region of it (bbox).');
  let tilePixels = 1;
  for (let k = 0; k < nd; k++) tilePixels *= Math.min(tile[k]!, axes[k]!);
  checkPixelCount(tilePixels, `A tile [${tile.join(', ')}] of the compressed image`, 'ZTILEn is corrupt.');
  const elementSize = Math.abs(bitpix) / 8;
  const buffer = new ArrayBuffer(total * elementSize);
  const out = storageArray(bitpix, buffer, 0, total);
  const outStride: number[] = [];
  for (let k = 0, s = 1; k < nd; k++) {
    outStride.push(s);
    s *= size[k]!;
  }

  const { tLo, tHi } = tileRange(params, start, size);
  let scratch: StorageArray | undefined;
  let tilesDecoded = 0;
  const tc = [...tLo];
  const empty = total === 0 || tLo.some((lo, k) => tHi[k]! < lo);
  const origin: number[] = new Array<number>(nd).fill(0);
  const extent: number[] = new Array<number>(nd).fill(0);
  while (!empty) {
    // Tile index and geometry.
    const t = tileIndex(tc, tileCounts);
    let n = 1;
    let inside = true;
    let topAxis = 0;
    for (let k = 0; k < nd; k++) {
      origin[k] = tc[k]! * tile[k]!;
      extent[k] = Math.min(tile[k]!, axes[k]! - origin[k]!);
      n *= extent[k]!;
      if (origin[k]! < start[k]! || origin[k]! + extent[k]! > start[k]! + size[k]!) inside = false;
      if (extent[k]! > 1) topAxis = k;
    }
    // The tile is one contiguous run of the output when it spans the region along every axis
    // below its highest non-trivial axis.
    let contiguous = inside;
    for (let k = 0; k < topAxis && contiguous; k++) if (extent[k] !== size[k]) contiguous = false;
    try {
      if (contiguous) {
        let off = 0;
        for (let k = 0; k < nd; k++) off += (origin[k]! - start[k]!) * outStride[k]!;
        decodeTileInto(ctx, t, n, out.subarray(off, off + n) as StorageArray);
      } else {
        if (scratch === undefined || scratch.length < n) scratch = newStorageArray(bitpix, n);
        const tileData = scratch.subarray(0, n) as StorageArray;
        decodeTileInto(ctx, t, n, tileData);
        copyTileToRegion(tileData, origin, extent, start, size, outStride, out);
      }
    } catch (e) {
      throw tileError(t, e);
    }
    tilesDecoded++;
    if (!nextTile(tc, tLo, tHi)) break;
  }

  let data: FitsPixelArray = out;
  let { bscale, bzero } = params;
  if (!options.raw && bitpix > 0 && isUnsignedConvention(bitpix, bscale, bzero)) {
    data = flipSignBits(buffer, buffer.byteLength, elementSize);
    bscale = 1;
    bzero = 0;
  }
  return {
    data,
    start,
    shape: size,
    bitpix,
    bscale,
    bzero,
    blank: bitpix > 0 ? (params.zblank ?? params.blank) : undefined,
    tilesDecoded,
  };
}

/** Copies the part of a decoded tile that lies inside the region into the output. */
function copyTileToRegion(
  tileData: StorageArray,
  origin: readonly number[],
  extent: readonly number[],
  start: readonly number[],
  size: readonly number[],
  outStride: readonly number[],
  out: StorageArray,
): void {
  const nd = origin.length;
  const lo: number[] = [];
  const hi: number[] = [];
  for (let k = 0; k < nd; k++) {
    lo.push(Math.max(origin[k]!, start[k]!));
    hi.push(Math.min(origin[k]! + extent[k]!, start[k]! + size[k]!));
    if (hi[k]! <= lo[k]!) return;
  }
  const run = hi[0]! - lo[0]!;
  const idx = [...lo];
  for (;;) {
    let src = 0;
    let dst = 0;
    for (let k = nd - 1; k >= 0; k--) {
      src = src * extent[k]! + (idx[k]! - origin[k]!);
      dst += (idx[k]! - start[k]!) * outStride[k]!;
    }
    (out as Int32Array).set((tileData as Int32Array).subarray(src, src + run), dst);
    let k = 1;
    for (; k < nd; k++) {
      idx[k] = idx[k]! + 1;
      if (idx[k]! < hi[k]!) break;
      idx[k] = lo[k]!;
    }
    if (k >= nd) return;
  }
}

/** The compression types {@link compressImageTiles} writes. */
export type WritableCompressionType = 'RICE_1' | 'GZIP_1' | 'GZIP_2' | 'PLIO_1';

/** Options of {@link compressImageTiles}. */
export interface CompressImageTilesOptions {
  /** `ZCMPTYPE` to write. */
  readonly type: WritableCompressionType;
  /** Tile size `[ZTILE1, ZTILE2]`; default whole rows `[width, 1]`. */
  readonly tile?: readonly [number, number];
  /** Rice `BLOCKSIZE` (default 32). */
  readonly blockSize?: number;
  /** zlib level for GZIP_1/GZIP_2, 1 to 9 (default 6). */
  readonly gzipLevel?: number;
}

/** A keyword of the `ZIMAGE` table header that {@link compressImageTiles} asks to write. */
export interface TiledImageCard {
  /** The keyword. */
  readonly keyword: string;
  /** Its value. */
  readonly value: number | string | boolean;
  /** Its comment. */
  readonly comment: string;
}

/** Compressed tiles ready to be written as the rows of a `ZIMAGE` binary table. */
export interface CompressedImageTiles {
  /**
   * One `COMPRESSED_DATA` array per row (tile order, `NAXIS1` fastest), as heap bytes in file
   * (big-endian) order.
   */
  readonly tiles: Uint8Array[];
  /**
   * The `TFORM` of the `COMPRESSED_DATA` column: `1PB` (bytes), or `1PI` (16-bit words) for
   * PLIO_1; the `(max)` suffix is the writer's to add. Use `1QB`/`1QI` when the heap exceeds
   * 2 GiB.
   */
  readonly tform: '1PB' | '1PI';
  /** The largest tile, in elements of the column type (for the `TFORM` `(max)` suffix). */
  readonly maxElements: number;
  /**
   * The keywords of the compressed table, in order (`ZIMAGE`, `ZBITPIX`, `ZNAXIS`,
   * `ZNAXISn`, `ZTILEn`, `ZCMPTYPE`, `ZNAMEi`/`ZVALi`, `ZQUANTIZ` for floats, and `BZERO`/
   * `BSCALE` for the unsigned conventions).
   */
  readonly cards: readonly TiledImageCard[];
}

type StorageKind = { bitpix: FitsBitpix; bzero: number };

function storageOf(data: FitsPixelArray): StorageKind {
  if (data instanceof Uint8Array) return { bitpix: 8, bzero: 0 };
  if (data instanceof Int8Array) return { bitpix: 8, bzero: -128 };
  if (data instanceof Int16Array) return { bitpix: 16, bzero: 0 };
  if (data instanceof Uint16Array) return { bitpix: 16, bzero: 32768 };
  if (data instanceof Int32Array) return { bitpix: 32, bzero: 0 };
  if (data instanceof Uint32Array) return { bitpix: 32, bzero: TWO_31 };
  if (data instanceof BigInt64Array) return { bitpix: 64, bzero: 0 };
  if (data instanceof BigUint64Array) return { bitpix: 64, bzero: TWO_63 };
  if (data instanceof Float32Array) return { bitpix: -32, bzero: 0 };
  return { bitpix: -64, bzero: 0 };
}

/**
 * Cuts an image into tiles and compresses each losslessly, giving the rows and keywords of a
 * `ZIMAGE` binary table. Integer images (any of the unsigned conventions too) can use every
 * type; float images only GZIP_1 and GZIP_2 (stored exactly, `ZQUANTIZ = 'NONE'`); PLIO_1
 * needs values from 0 to 2^24 - 1.
 *
 * @param data - the pixels, `NAXIS1` (x) fastest
 * @param width - `NAXIS1`
 * @param height - `NAXIS2`
 * @param options - compression type, tile size, Rice block size, gzip level
 * @returns the tiles, the column format and the header keywords
 * @throws {@link FitsUnsupportedError} for RICE_1/PLIO_1 of floats, RICE_1 of 64-bit integers
 *   or PLIO_1 of values out of its range
 * @throws {@link FitsFormatError} when `data.length` is not `width * height` or the tile size is invalid
 *
 * @example
 * ```ts
 * const { tiles, tform, cards } = compressImageTiles(pixels, 4096, 4096, { type: 'RICE_1' });
 * ```
 * @see FITS standard 4.0 §10; cfitsio `imcomp_compress_tile`
 */
export function compressImageTiles(
  data: FitsPixelArray,
  width: number,
  height: number,
  options: CompressImageTilesOptions,
): CompressedImageTiles {
  const { type } = options;
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width < 0 || height < 0 || data.length !== width * height) {
    throw new FitsFormatError(`The image has ${data.length} pixels, which is not ${width} × ${height}.`);
  }
  const tw = options.tile?.[0] ?? Math.max(width, 1);
  const th = options.tile?.[1] ?? 1;
  if (!Number.isSafeInteger(tw) || !Number.isSafeInteger(th) || tw < 1 || th < 1) {
    throw new FitsFormatError(`Tile size [${tw}, ${th}] is invalid; expected positive integers.`);
  }
  const blockSize = options.blockSize ?? RICE_DEFAULT_BLOCK_SIZE;
  const { bitpix, bzero } = storageOf(data);
  if (bitpix < 0 && (type === 'RICE_1' || type === 'PLIO_1')) {
    throw new FitsUnsupportedError(`${type} cannot store float pixels losslessly; only GZIP_1 and GZIP_2 can.`, {
      hint: 'Use GZIP_2 for lossless float images.',
    });
  }
  if (bitpix === 64 && type !== 'GZIP_1' && type !== 'GZIP_2') {
    throw new FitsUnsupportedError(`${type} cannot store 64-bit integers; use GZIP_1 or GZIP_2.`);
  }
  const bytePix = Math.abs(bitpix) / 8;
  const nx = Math.ceil(width / tw);
  const ny = Math.ceil(height / th);
  const scratch = newStorageArray(bitpix, Math.min(tw, width) * Math.min(th, height));
  const plioScratch = type === 'PLIO_1' ? new Int32Array(scratch.length) : undefined;
  const tiles: Uint8Array[] = [];
  let maxElements = 0;
  for (let ty = 0; ty < ny; ty++) {
    for (let tx = 0; tx < nx; tx++) {
      const x0 = tx * tw;
      const y0 = ty * th;
      const w = Math.min(tw, width - x0);
      const h = Math.min(th, height - y0);
      const n = w * h;
      const tileData = scratch.subarray(0, n) as StorageArray;
      extractTile(data, width, x0, y0, w, h, bzero, tileData);
      let bytes: Uint8Array;
      if (type === 'RICE_1') {
        bytes = riceCompress(tileData as Uint8Array | Int16Array | Int32Array, n, blockSize, bytePix);
      } else if (type === 'PLIO_1') {
        const ints = plioScratch!.subarray(0, n);
        ints.set(tileData as Uint8Array | Int16Array | Int32Array);
        bytes = plioCompress(ints, n);
      } else if (type === 'GZIP_1') {
        bytes = gzip1Compress(tileData, options.gzipLevel);
      } else {
        bytes = gzip2Compress(tileData, options.gzipLevel);
      }
      tiles.push(bytes);
      const elements = type === 'PLIO_1' ? bytes.length / 2 : bytes.length;
      if (elements > maxElements) maxElements = elements;
    }
  }
  const cards: TiledImageCard[] = [
    { keyword: 'ZIMAGE', value: true, comment: 'extension contains compressed image' },
    { keyword: 'ZBITPIX', value: bitpix, comment: 'data type of original image' },
    { keyword: 'ZNAXIS', value: 2, comment: 'dimension of original image' },
    { keyword: 'ZNAXIS1', value: width, comment: 'length of original image axis' },
    { keyword: 'ZNAXIS2', value: height, comment: 'length of original image axis' },
    { keyword: 'ZTILE1', value: tw, comment: 'size of tiles to be compressed' },
    { keyword: 'ZTILE2', value: th, comment: 'size of tiles to be compressed' },
    { keyword: 'ZCMPTYPE', value: type, comment: 'compression algorithm' },
  ];
  if (type === 'RICE_1') {
    cards.push(
      { keyword: 'ZNAME1', value: 'BLOCKSIZE', comment: 'compression block size' },
      { keyword: 'ZVAL1', value: blockSize, comment: 'pixels per block' },
      { keyword: 'ZNAME2', value: 'BYTEPIX', comment: 'bytes per pixel (1, 2, 4, or 8)' },
      { keyword: 'ZVAL2', value: bytePix, comment: 'bytes per pixel (1, 2, 4, or 8)' },
    );
  }
  if (bitpix < 0) cards.push({ keyword: 'ZQUANTIZ', value: 'NONE', comment: 'lossless: floats not quantized' });
  if (bzero !== 0) {
    cards.push(
      { keyword: 'BSCALE', value: 1, comment: 'physical = BZERO + BSCALE * stored' },
      { keyword: 'BZERO', value: bzero, comment: 'offset for unsigned (or signed byte) pixels' },
    );
  }
  return { tiles, tform: type === 'PLIO_1' ? '1PI' : '1PB', maxElements, cards };
}

/** Copies a tile out of the image into `dst`, converting unsigned pixels to stored values. */
function extractTile(
  data: FitsPixelArray,
  width: number,
  x0: number,
  y0: number,
  w: number,
  h: number,
  bzero: number,
  dst: StorageArray,
): void {
  for (let y = 0; y < h; y++) {
    const from = (y0 + y) * width + x0;
    const row = data.subarray(from, from + w);
    const at = y * w;
    if (bzero === 0) {
      (dst as Int32Array).set(row as Int32Array, at);
    } else if (dst instanceof BigInt64Array) {
      const r = row as BigUint64Array;
      for (let i = 0; i < w; i++) dst[at + i] = BigInt.asIntN(64, r[i]! - 0x8000000000000000n);
    } else {
      // Stored = value - BZERO, wrapped to the element width by the typed-array store.
      const r = row as Int8Array | Uint16Array | Uint32Array;
      const d = dst as Uint8Array | Int16Array | Int32Array;
      for (let i = 0; i < w; i++) d[at + i] = r[i]! - bzero;
    }
  }
}
