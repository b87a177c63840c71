import type { Box2I } from '@skystack/geom';
import { openByteSource, gunzipBytesSync, isGzip, MemoryByteSource, type ByteSource } from './byte-source.js';
import { BinaryTable } from './bintable.js';
import { assertHduChecksum, computeDatasum, addChecksums, type HduChecksumResult } from './checksum.js';
import { compressedImageHeader, TILE_COLUMNS, tiledImageSource } from './compressed-image-hdu.js';
import {
  decodeTiledImage,
  overlappingTiles,
  readTiledImageParams,
  type TiledImageParams,
  type TiledImageRegion,
} from './compression/tiled-image.js';
import {
  FitsChecksumError,
  FitsError,
  FitsFormatError,
  FitsHduNotFoundError,
  FitsKeywordError,
  FitsUnsupportedError,
  type FitsErrorOptions,
} from './errors.js';
import { dataByteLength, FITS_BLOCK_SIZE, Header, paddedByteLength } from './header.js';
import {
  bytesPerPixel,
  decodePixels,
  decodeStoredPixels,
  isFitsBitpix,
  bigEndianToHost,
  storedView,
  type FitsBitpix,
  type FitsImageData,
  type FitsPixelArray,
  type FitsPixelFormat,
  type FitsStoredPixelArray,
} from './image-data.js';

/** Options of {@link FitsFile.open} and {@link FitsFile.fromBytes}: limits for hostile input. */
export interface FitsOpenOptions {
  /**
   * The most bytes a gzip-compressed file may inflate to; a larger one is rejected with a
   * {@link FitsFormatError} before more than this is produced. Default 8 GiB (capped to the
   * largest Node buffer).
   */
  readonly maxDecompressedBytes?: number;
}

/**
 * What an HDU holds, from its first keyword: the primary HDU, an `IMAGE` extension, a binary
 * or ASCII table, a tile-compressed image (a `BINTABLE` with `ZIMAGE = T`), or another
 * extension type (`'other'`: skipped over by size, not readable here).
 */
export type FitsHduKind = 'primary' | 'image' | 'bintable' | 'table' | 'compressed-image' | 'other';

/**
 * Where an HDU is in its file and what it holds, as read by {@link FitsFile.open} from its
 * header alone.
 */
export interface FitsHduInfo {
  /** The 0-based HDU index (0 is the primary HDU). */
  readonly index: number;
  /** The parsed header (treat as read-only; `clone()` it to edit). */
  readonly header: Header;
  /** The byte offset of the header in the (decompressed) file. */
  readonly headerOffset: number;
  /** The byte offset of the data unit: the header offset plus the header's padded length. */
  readonly dataOffset: number;
  /** The size of the data unit in bytes, padding excluded. */
  readonly dataByteLength: number;
  /** What the HDU holds. */
  readonly kind: FitsHduKind;
  /** `EXTNAME`, blanks trimmed, when present. */
  readonly extname?: string;
  /** `EXTTYPE` (written by afw, sometimes without `EXTNAME`), blanks trimmed, when present. */
  readonly exttype?: string;
  /** `EXTVER`, when present. */
  readonly extver?: number;
  /**
   * The header of the image the HDU holds: the HDU's own header for the primary HDU and
   * `IMAGE` extensions; for a tile-compressed image, the uncompressed image's header rebuilt
   * from the table header as astropy's `CompImageHDU.header` does (`ZBITPIX` → `BITPIX`,
   * `ZNAXISn` → `NAXISn`, ...; see {@link compressedImageHeader}). Absent for tables.
   */
  readonly imageHeader?: Header;
}

/**
 * Picks an HDU: by 0-based index; by name (`EXTNAME`, then `EXTTYPE`, case-insensitive;
 * `'PRIMARY'` is HDU 0); or by fields that must all match.
 */
export type FitsHduSelector =
  | number
  | string
  | {
      /** `EXTNAME` (case-insensitive). */
      readonly extname?: string;
      /** `EXTTYPE` (case-insensitive). */
      readonly exttype?: string;
      /** `EXTVER` (an HDU without it has version 1). */
      readonly extver?: number;
    };

/** Options of {@link FitsFile.readImage}. */
export interface ReadImageOptions {
  /**
   * The rectangle to read, in 0-based LOCAL array pixel coordinates (x = column = `NAXIS1`,
   * y = row = `NAXIS2`; not afw PARENT coordinates: subtract `XY0` first). Only the rows it
   * covers are read. For images with more than two axes the rectangle is cut from every plane.
   */
  readonly bbox?: Box2I;
  /**
   * Place the pixels in a `SharedArrayBuffer` (default false), so that worker threads can read
   * and write them without a copy. Uncompressed images are read straight into it; a
   * tile-compressed one is decoded first and then copied there.
   */
  readonly shared?: boolean;
}

/** A zeroed byte buffer of `length`, in shared memory when asked for. */
function byteBuffer(length: number, shared: boolean | undefined): Uint8Array {
  return shared === true ? new Uint8Array(new SharedArrayBuffer(length)) : new Uint8Array(length);
}

/**
 * The image with its pixels in shared memory when asked for (a copy when decoding gave an
 * ordinary buffer: a tile-compressed image, or scaling by `BZERO`/`BSCALE` to another type).
 */
function inShared(image: FitsImageData, shared: boolean | undefined): FitsImageData {
  if (shared !== true || image.data.buffer instanceof SharedArrayBuffer) return image;
  const src = image.data;
  const bytes = byteBuffer(src.byteLength, true);
  bytes.set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength));
  const Ctor = src.constructor as new (buffer: ArrayBufferLike, byteOffset: number, length: number) => FitsPixelArray;
  return { ...image, data: new Ctor(bytes.buffer, 0, src.length) };
}

/** The header and raw data unit of an HDU, from {@link FitsFile.readHeaderAndData}. */
export interface FitsHeaderAndData {
  /** Where the HDU is. */
  readonly info: FitsHduInfo;
  /** The header (the same object as `info.header`). */
  readonly header: Header;
  /** The data unit as stored (big-endian), padding excluded. */
  readonly data: Uint8Array;
}

/** The result of checking one HDU with {@link FitsFile.verifyChecksums}. */
export interface FitsHduChecksumResult extends HduChecksumResult {
  /** The HDU index. */
  readonly index: number;
}

const CARD = 80;
/** Header bytes read at a time when looking for `END` (doubles as the header grows). */
const FIRST_HEADER_READ = 4 * FITS_BLOCK_SIZE;
/** Reads of a sub-image fetch the whole row span at once when it is at most this large... */
const SPAN_READ_BYTES = 1 << 20;
/** ...or at most this many times what is needed. */
const SPAN_READ_FACTOR = 4;
/** Heap ranges of compressed tiles closer than this are fetched with one read. */
const TILE_GAP_BYTES = 64 << 10;
/** Row reads in flight at once when rows are read one by one. */
const ROW_READ_CONCURRENCY = 32;
/** Chunk size when summing a data unit for checksums. */
const CHECKSUM_CHUNK = 8 << 20;

/** The location prefix that FitsError puts in front of messages (see errors.ts). */
function prefixOf(file: string | undefined, hdu: number | undefined, offset: number | undefined): string {
  const parts: string[] = [];
  if (file !== undefined) parts.push(file);
  if (hdu !== undefined) parts.push(`HDU ${hdu}`);
  if (offset !== undefined) parts.push(`byte ${offset}`);
  return parts.length === 0 ? '' : `${parts.join(', ')}: `;
}

/**
 * Re-throws a FitsError with its byte offset shifted by `base` (errors from parsing a header
 * read on its own count from the header start) and the file and HDU filled in.
 */
function relocate(e: unknown, loc: { file?: string; hdu: number; offset: number }, base: number): unknown {
  if (!(e instanceof FitsError)) return e;
  let message = e.message;
  const prefix = prefixOf(e.file, e.hdu, e.offset);
  if (message.startsWith(prefix)) message = message.slice(prefix.length);
  if (e.hint !== undefined && message.endsWith(` ${e.hint}`)) message = message.slice(0, -e.hint.length - 1);
  const opts: FitsErrorOptions = {
    ...(loc.file === undefined ? {} : { file: loc.file }),
    hdu: loc.hdu,
    offset: e.offset === undefined ? loc.offset : e.offset + base,
    ...(e.hint === undefined ? {} : { hint: e.hint }),
    cause: e,
  };
  if (e instanceof FitsFormatError) return new FitsFormatError(message, opts);
  if (e instanceof FitsKeywordError) return new FitsKeywordError(message, opts);
  if (e instanceof FitsUnsupportedError) return new FitsUnsupportedError(message, opts);
  if (e instanceof FitsChecksumError) return new FitsChecksumError(message, opts);
  if (e instanceof FitsHduNotFoundError) return new FitsHduNotFoundError(message, opts);
  return new FitsError(e.code, message, opts);
}

function startsWithAscii(bytes: Uint8Array, text: string): boolean {
  if (bytes.length < text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[i] !== text.charCodeAt(i)) return false;
  return true;
}

function trimmedString(v: unknown): string | undefined {
  return typeof v === 'string' ? v.trim() : undefined;
}

function kindOf(index: number, header: Header): FitsHduKind {
  if (index === 0) return 'primary';
  const xt = trimmedString(header.get('XTENSION'))?.toUpperCase();
  if (xt === 'IMAGE' || xt === 'IUEIMAGE') return 'image';
  if (xt === 'BINTABLE' || xt === 'A3DTABLE') return header.get('ZIMAGE') === true ? 'compressed-image' : 'bintable';
  if (xt === 'TABLE') return 'table';
  return 'other';
}

function describeHdu(h: FitsHduInfo): string {
  const names: string[] = [];
  if (h.extname !== undefined) names.push(`EXTNAME=${h.extname}`);
  if (h.exttype !== undefined) names.push(`EXTTYPE=${h.exttype}`);
  if (h.extver !== undefined) names.push(`EXTVER=${h.extver}`);
  return `${h.index}: ${h.kind}${names.length > 0 ? ` (${names.join(', ')})` : ''}`;
}

function describeSelector(selector: FitsHduSelector): string {
  if (typeof selector === 'number') return `HDU ${selector}`;
  if (typeof selector === 'string') return `HDU named '${selector}'`;
  const parts: string[] = [];
  if (selector.extname !== undefined) parts.push(`EXTNAME='${selector.extname}'`);
  if (selector.exttype !== undefined) parts.push(`EXTTYPE='${selector.exttype}'`);
  if (selector.extver !== undefined) parts.push(`EXTVER=${selector.extver}`);
  return `HDU with ${parts.length > 0 ? parts.join(', ') : 'no criteria'}`;
}

function sameName(a: string | undefined, b: string): boolean {
  return a !== undefined && a.toUpperCase() === b.trim().toUpperCase();
}

/** A header keyword read as a finite number (bigints converted), or the fallback when absent. */
function numberKeyword(header: Header, keyword: string, fallback: number, loc: FitsErrorOptions): number {
  const v = header.get(keyword);
  if (v === undefined || v === null) return fallback;
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw new FitsKeywordError(`Keyword '${keyword}' = ${String(v)}; expected a finite number.`, loc);
  }
  return n;
}

/** What {@link FitsFile} needs to decode an image HDU. */
interface ImageLayout {
  readonly format: FitsPixelFormat;
  readonly axes: number[];
  /** The tile parameters, for a compressed image. */
  readonly tiled?: TiledImageParams;
}

/** Where the tile bytes of a compressed image come from: a column, a row, and its heap range. */
type HeapReader = (column: string, row: number, offset: number, length: number) => Uint8Array;

/** The storage format of an image: `BITPIX`, `BZERO`, `BSCALE`, and `BLANK` for integers. */
function pixelFormat(h: Header, bitpix: FitsBitpix, blankValue: unknown, loc: FitsErrorOptions): FitsPixelFormat {
  const bzero = numberKeyword(h, 'BZERO', 0, loc);
  const bscale = numberKeyword(h, 'BSCALE', 1, loc);
  const blank =
    bitpix > 0 && (typeof blankValue === 'bigint' || (typeof blankValue === 'number' && Number.isInteger(blankValue)))
      ? blankValue
      : undefined;
  return blank === undefined ? { bitpix, bzero, bscale } : { bitpix, bzero, bscale, blank };
}

/**
 * A FITS file opened for random access: the headers of all HDUs are read on open (header
 * blocks only; data units are skipped by their size), and data units are read on demand with
 * positional reads, a sub-image reading only the rows it covers. Whole-file gzip
 * (`*.fits.gz`, or any file starting with the gzip magic bytes) is decompressed into memory
 * on open.
 *
 * Every failure is a {@link FitsError} whose message names the file, the HDU and the byte
 * offset where known: truncated files, impossible sizes (checked against the file size before
 * anything is allocated), malformed headers.
 *
 * @example
 * ```ts
 * const fits = await FitsFile.open('calexp.fits');
 * try {
 *   for (const hdu of fits.hdus) console.log(hdu.index, hdu.kind, hdu.extname ?? hdu.exttype);
 *   const image = await fits.readImage('IMAGE'); // afw's EXTTYPE when there is no EXTNAME
 *   const cutout = await fits.readImage(1, {
 *     bbox: Box2I.fromCorner(new Point2I(10, 20), new Extent2I(64, 32)),
 *   });
 *   console.log(image.width, image.height, cutout.data.length); // ... 2048
 * } finally {
 *   await fits.close();
 * }
 * ```
 * @see astropy.io.fits.open
 * @see lsst.afw.fits.Fits
 */
export class FitsFile {
  /** The HDUs, in file order. */
  readonly hdus: readonly FitsHduInfo[];
  /** The file path or the name given to {@link FitsFile.fromBytes}; used in error messages. */
  readonly name: string | undefined;
  /** True when the file was whole-file gzip-compressed (and is read from memory). */
  readonly gzipped: boolean;
  /** The size in bytes of the (decompressed) file. */
  readonly size: number;
  /** Bytes after the last HDU that were ignored (zero padding some writers leave). */
  readonly trailingBytes: number;
  readonly #source: ByteSource;

  private constructor(source: ByteSource, gzipped: boolean, hdus: FitsHduInfo[], trailingBytes: number) {
    this.#source = source;
    this.name = source.name;
    this.size = source.size;
    this.gzipped = gzipped;
    this.hdus = Object.freeze(hdus);
    this.trailingBytes = trailingBytes;
  }

  /**
   * Opens a FITS file and reads the headers of all its HDUs.
   *
   * @param path - the file (gzip-compressed or not)
   * @param options - limits for hostile input (the decompressed size of a gzip file)
   * @returns the open file; {@link FitsFile.close} it when done
   * @throws {@link FitsError} (code `FITS_IO`) when the file cannot be read
   * @throws {@link FitsFormatError} when it is not FITS, is truncated, or a header is malformed
   * or declares a data unit larger than the file; when a gzip file inflates to more than
   * `options.maxDecompressedBytes`
   */
  static async open(path: string, options: FitsOpenOptions = {}): Promise<FitsFile> {
    const { source, gzipped } = await openByteSource(path, options);
    try {
      return await FitsFile.#fromSource(source, gzipped);
    } catch (e) {
      await source.close().catch(() => undefined);
      throw e;
    }
  }

  /**
   * Reads FITS bytes held in memory (gzip-compressed bytes are decompressed first). The bytes
   * are not copied: do not modify them while the `FitsFile` is in use.
   *
   * @param bytes - the whole file
   * @param name - a name for error messages
   * @param options - limits for hostile input (the decompressed size of gzip bytes)
   * @returns the file
   * @throws {@link FitsFormatError} when the bytes are not valid FITS, or gzip bytes inflate to
   * more than `options.maxDecompressedBytes`
   */
  static async fromBytes(bytes: Uint8Array, name?: string, options: FitsOpenOptions = {}): Promise<FitsFile> {
    const gzipped = isGzip(bytes);
    const source = new MemoryByteSource(gzipped ? gunzipBytesSync(bytes, name, options) : bytes, name);
    return FitsFile.#fromSource(source, gzipped);
  }

  static async #fromSource(source: ByteSource, gzipped: boolean): Promise<FitsFile> {
    const hdus: FitsHduInfo[] = [];
    const file = source.name;
    let offset = 0;
    let trailing = 0;
    if (source.size === 0) {
      throw new FitsFormatError('The file is empty.', { ...(file === undefined ? {} : { file }), offset: 0 });
    }
    while (offset < source.size) {
      const index = hdus.length;
      const loc = { ...(file === undefined ? {} : { file }), hdu: index, offset };
      const first = await source.read(offset, Math.min(FIRST_HEADER_READ, source.size - offset));
      if (index === 0) {
        if (!startsWithAscii(first, 'SIMPLE  =')) {
          throw new FitsFormatError('Not a FITS file: it does not start with a SIMPLE card.', {
            ...loc,
            hint: 'FITS files start with "SIMPLE  =                    T".',
          });
        }
      } else if (!startsWithAscii(first, 'XTENSION=')) {
        if (await FitsFile.#isPadding(source, offset)) {
          trailing = source.size - offset;
          break;
        }
        throw new FitsFormatError('Expected an XTENSION card after the previous HDU.', {
          ...loc,
          hint: 'A data unit size in the previous header is wrong, or the file has garbage after its last HDU.',
        });
      }
      const headerBytes = await FitsFile.#readHeaderBytes(source, offset, index, first);
      let header: Header;
      let headerLength: number;
      let dataLength: number;
      try {
        ({ header, byteLength: headerLength } = Header.parse(headerBytes, { ...(file === undefined ? {} : { file }), hdu: index }));
        dataLength = dataByteLength(header);
      } catch (e) {
        throw relocate(e, loc, offset);
      }
      const dataOffset = offset + headerLength;
      if (dataOffset > source.size || dataOffset + dataLength > source.size) {
        throw new FitsFormatError(
          `The header declares a data unit of ${dataLength} bytes at byte ${dataOffset}, but the file has only ${source.size} bytes.`,
          { ...loc, offset: dataOffset, hint: 'The file is truncated, or NAXISn/PCOUNT/GCOUNT is corrupt.' },
        );
      }
      const kind = kindOf(index, header);
      const extname = trimmedString(header.get('EXTNAME'));
      const exttype = trimmedString(header.get('EXTTYPE'));
      const ev = header.get('EXTVER');
      const extver = typeof ev === 'number' && Number.isInteger(ev) ? ev : undefined;
      const imageHeader = FitsFile.#imageHeaderOf(kind, header);
      hdus.push({
        index,
        header,
        headerOffset: offset,
        dataOffset,
        dataByteLength: dataLength,
        kind,
        ...(extname === undefined ? {} : { extname }),
        ...(exttype === undefined ? {} : { exttype }),
        ...(extver === undefined ? {} : { extver }),
        ...(imageHeader === undefined ? {} : { imageHeader }),
      });
      offset = dataOffset + paddedByteLength(dataLength);
    }
    return new FitsFile(source, gzipped, hdus, trailing);
  }

  /** The image header of an HDU (see {@link FitsHduInfo.imageHeader}); never throws. */
  static #imageHeaderOf(kind: FitsHduKind, header: Header): Header | undefined {
    if (kind === 'primary' || kind === 'image') return header;
    if (kind !== 'compressed-image') return undefined;
    try {
      return compressedImageHeader(header);
    } catch {
      return undefined; // a value no card can hold; readImage reports the keyword problem
    }
  }

  /** True when the bytes from `offset` to the end are all zeros or blanks. */
  static async #isPadding(source: ByteSource, offset: number): Promise<boolean> {
    for (let pos = offset; pos < source.size; pos += 1 << 20) {
      const chunk = await source.read(pos, Math.min(1 << 20, source.size - pos));
      for (const b of chunk) if (b !== 0 && b !== 0x20) return false;
    }
    return true;
  }

  /**
   * Reads the header blocks that start at `offset`, up to and including the block with `END`,
   * checking that every byte before `END` is printable ASCII (so that a corrupt header stops
   * the scan early instead of reading the whole file).
   */
  static async #readHeaderBytes(source: ByteSource, offset: number, index: number, first: Uint8Array): Promise<Uint8Array> {
    const file = source.name;
    const loc = (at: number): FitsErrorOptions => ({ ...(file === undefined ? {} : { file }), hdu: index, offset: at });
    let buf = first;
    let scanned = 0;
    let want = 2 * FIRST_HEADER_READ;
    for (;;) {
      if (scanned + CARD > buf.length) {
        const available = source.size - offset - buf.length;
        if (available <= 0) {
          throw new FitsFormatError(`No END card: the header runs to the end of the file after ${scanned / CARD} cards.`, {
            ...loc(offset + buf.length),
            hint: 'The file is truncated or is not a FITS file.',
          });
        }
        const more = await source.read(offset + buf.length, Math.min(want, available));
        const grown = new Uint8Array(buf.length + more.length);
        grown.set(buf);
        grown.set(more, buf.length);
        buf = grown;
        want *= 2;
      }
      for (; scanned + CARD <= buf.length; scanned += CARD) {
        if (startsWithAscii(buf.subarray(scanned, scanned + 8), 'END     ')) {
          const length = paddedByteLength(scanned + CARD);
          if (length > source.size - offset) {
            throw new FitsFormatError('The file ends inside the last block of a header.', {
              ...loc(source.size),
              hint: 'The file is truncated.',
            });
          }
          if (length > buf.length) {
            const rest = await source.read(offset + buf.length, length - buf.length);
            const full = new Uint8Array(length);
            full.set(buf);
            full.set(rest, buf.length);
            return full;
          }
          return buf.subarray(0, length);
        }
        for (let i = scanned; i < scanned + CARD; i++) {
          const b = buf[i]!;
          if (b < 0x20 || b > 0x7e) {
            throw new FitsFormatError(
              `Header card ${scanned / CARD + 1} has byte 0x${b.toString(16).padStart(2, '0')} in column ${i - scanned + 1}; FITS headers hold only printable ASCII.`,
              { ...loc(offset + i), hint: 'The header is corrupt, or a data unit size in the previous header is wrong.' },
            );
          }
        }
      }
    }
  }

  #loc(hdu?: number, offset?: number): FitsErrorOptions {
    return {
      ...(this.name === undefined ? {} : { file: this.name }),
      ...(hdu === undefined ? {} : { hdu }),
      ...(offset === undefined ? {} : { offset }),
    };
  }

  /**
   * Finds an HDU by index, by name (`EXTNAME` first, then afw's `EXTTYPE`; `'PRIMARY'` is HDU
   * 0), or by `{ extname, exttype, extver }` (all given fields must match). Names are
   * compared case-insensitively; the first match wins, as in astropy.
   *
   * @param selector - the index, the name, or the fields to match
   * @returns the HDU
   * @throws {@link FitsHduNotFoundError} when none matches; the message lists the HDUs there are
   */
  findHdu(selector: FitsHduSelector): FitsHduInfo {
    let found: FitsHduInfo | undefined;
    if (typeof selector === 'number') {
      found = Number.isInteger(selector) ? this.hdus[selector] : undefined;
    } else if (typeof selector === 'string') {
      found =
        this.hdus.find((h) => sameName(h.extname, selector)) ??
        this.hdus.find((h) => sameName(h.exttype, selector)) ??
        (selector.trim().toUpperCase() === 'PRIMARY' ? this.hdus[0] : undefined);
    } else {
      const { extname, exttype, extver } = selector;
      found = this.hdus.find(
        (h) =>
          (extname === undefined || sameName(h.extname, extname)) &&
          (exttype === undefined || sameName(h.exttype, exttype)) &&
          (extver === undefined || (h.extver ?? 1) === extver),
      );
    }
    if (found === undefined) {
      throw new FitsHduNotFoundError(
        `There is no ${describeSelector(selector)}; the file has ${this.hdus.length} HDUs: ${this.hdus.map(describeHdu).join('; ')}.`,
        this.#loc(),
      );
    }
    return found;
  }

  /**
   * Reads the data unit of an HDU as stored (big-endian, padding excluded), for readers of
   * tables and compressed images.
   *
   * @param selector - which HDU
   * @returns a new buffer the caller owns
   * @throws {@link FitsHduNotFoundError} when there is no such HDU
   * @throws {@link FitsFormatError} when the file is shorter than the header says
   */
  async readData(selector: FitsHduSelector): Promise<Uint8Array> {
    const info = this.findHdu(selector);
    return this.#source.read(info.dataOffset, info.dataByteLength);
  }

  /**
   * Reads the header and the raw data unit of an HDU.
   *
   * @param selector - which HDU
   * @returns the HDU's info, header and data bytes
   * @throws {@link FitsHduNotFoundError} when there is no such HDU
   */
  async readHeaderAndData(selector: FitsHduSelector): Promise<FitsHeaderAndData> {
    const info = this.findHdu(selector);
    const data = await this.#source.read(info.dataOffset, info.dataByteLength);
    return { info, header: info.header, data };
  }

  /**
   * Reads the header bytes of an HDU exactly as stored (whole 2880-byte blocks).
   *
   * @param selector - which HDU
   * @returns the header blocks
   */
  async readHeaderBytes(selector: FitsHduSelector): Promise<Uint8Array> {
    const info = this.findHdu(selector);
    return this.#source.read(info.headerOffset, info.dataOffset - info.headerOffset);
  }

  /** The storage format and axes of an image HDU, checked; with the tile parameters of a compressed one. */
  #imageLayout(info: FitsHduInfo): ImageLayout {
    const loc = this.#loc(info.index, info.headerOffset);
    const h = info.header;
    if (info.kind === 'compressed-image') {
      let tiled: TiledImageParams;
      try {
        tiled = readTiledImageParams(h);
      } catch (e) {
        throw relocate(e, { ...this.#fileLoc(), hdu: info.index, offset: info.headerOffset }, 0);
      }
      const rows = h.get('NAXIS2') as number; // checked on open
      if (tiled.nTiles !== rows && !(tiled.nTiles === 0 && rows <= 1)) {
        throw new FitsFormatError(
          `The compressed image needs ${tiled.nTiles} tiles (image [${tiled.axes.join(', ')}], tiles [${tiled.tile.join(', ')}]), but the table has ${rows} rows.`,
          { ...loc, hint: 'ZNAXISn or ZTILEn is corrupt, or the table is truncated.' },
        );
      }
      const blank = h.get('ZBLANK') ?? h.get('BLANK');
      return { format: pixelFormat(h, tiled.bitpix, blank, loc), axes: [...tiled.axes], tiled };
    }
    if (info.kind !== 'primary' && info.kind !== 'image') {
      throw new FitsHduNotFoundError(`HDU ${info.index} is a ${info.kind} HDU, not an image.`, {
        ...loc,
        hint: 'Read tables with the binary-table reader.',
      });
    }
    const bitpix = h.get('BITPIX');
    if (!isFitsBitpix(bitpix)) throw new FitsFormatError(`BITPIX = ${String(bitpix)} is not a valid BITPIX.`, loc);
    const naxis = h.get('NAXIS') as number; // validated by dataByteLength on open
    if (h.get('GROUPS') === true && h.get('NAXIS1') === 0) {
      throw new FitsUnsupportedError('Random-groups primary HDUs are not images.', loc);
    }
    const axes: number[] = [];
    for (let i = 1; i <= naxis; i++) axes.push(h.get(`NAXIS${i}`) as number);
    return { format: pixelFormat(h, bitpix, h.get('BLANK'), loc), axes };
  }

  #fileLoc(): { file?: string } {
    return this.name === undefined ? {} : { file: this.name };
  }

  /**
   * Reads the pixels of an image HDU (the primary HDU, an `IMAGE` extension, or a
   * tile-compressed image), whole or a rectangle of it, decoded to a typed array with
   * `BZERO` / `BSCALE` / `BLANK` applied as astropy does (see {@link FitsImageData}). A
   * rectangle of an uncompressed image is read row span by row span, so a small cutout of a
   * large image reads little more than its own pixels; of a compressed image, only the tiles
   * it overlaps are read (the table rows, then their bytes in the heap) and decompressed.
   *
   * Compressed images (RICE_1, GZIP_1, GZIP_2, PLIO_1, NOCOMPRESS; quantised floats with
   * dithering) come back exactly as an uncompressed image with the same keywords would: the
   * width and height are `ZNAXIS1`/`ZNAXIS2`, the format is `ZBITPIX` with the table's
   * `BZERO`/`BSCALE` and `ZBLANK` (or `BLANK`).
   *
   * @param selector - which HDU
   * @param options - the rectangle to read, in local 0-based pixel coordinates
   * @returns the pixels; an HDU with `NAXIS = 0` gives an empty array with `naxis = []`
   * @throws {@link FitsHduNotFoundError} when there is no such HDU or it is not an image
   * @throws {@link FitsUnsupportedError} for HCOMPRESS_1 tiles
   * @throws {@link FitsFormatError} for corrupt tiles (the message names the tile, the offset
   *   is where its bytes are)
   * @throws {@link FitsError} (code `FITS_OUT_OF_BOUNDS`) when the rectangle is not inside the image
   * @example
   * ```ts
   * const mask = await fits.readImage({ exttype: 'MASK' }); // Uint16Array for BITPIX 16 + BZERO 32768
   * const tile = await (await FitsFile.open('calexp.fits.fz')).readImage('IMAGE', { bbox }); // only the tiles it needs
   * ```
   */
  async readImage(selector: FitsHduSelector, options: ReadImageOptions = {}): Promise<FitsImageData> {
    const info = this.findHdu(selector);
    const { format, axes, tiled } = this.#imageLayout(info);
    const location = this.#loc(info.index, info.dataOffset);
    const width = axes[0] ?? 0;
    const height = axes.length === 0 ? 0 : (axes[1] ?? 1);
    const { bbox, shared } = options;
    if (bbox === undefined) {
      if (tiled !== undefined) return inShared(await this.#readTiled(info, format, axes, tiled, undefined), shared);
      // Swap each part of the buffer to host order as soon as it is read, while the rest is read.
      const size = bytesPerPixel(format.bitpix);
      const bytes = byteBuffer(info.dataByteLength, shared);
      await this.#source.readInto(info.dataOffset, bytes, (start, end) => bigEndianToHost(bytes.subarray(start, end), size));
      const stored = storedView(format.bitpix, bytes);
      const data = decodeStoredPixels(stored, format, { inPlace: true, location });
      return inShared({ ...format, data, width, height, naxis: axes }, shared);
    }
    if (axes.length === 0 && !bbox.isEmpty()) this.#outOfBounds(info, bbox, width, height);
    const x0 = bbox.getMinX();
    const y0 = bbox.getMinY();
    const bw = bbox.getWidth();
    const bh = bbox.getHeight();
    if (!bbox.isEmpty() && (x0 < 0 || y0 < 0 || bbox.getMaxX() >= width || bbox.getMaxY() >= height)) {
      this.#outOfBounds(info, bbox, width, height);
    }
    const rest = axes.slice(2);
    const naxis = axes.length === 0 ? [] : axes.length === 1 ? [bw] : [bw, bh, ...rest];
    if (tiled !== undefined) {
      const region = { start: [x0, y0, ...rest.map(() => 0)].slice(0, axes.length), size: naxis };
      return inShared(await this.#readTiled(info, format, naxis, tiled, region), shared);
    }
    const planes = rest.reduce((a, b) => a * b, 1);
    const size = bytesPerPixel(format.bitpix);
    const out = byteBuffer(bw * bh * planes * size, shared);
    if (out.length > 0) await this.#readRect(info, out, { width, height, planes, size, x0, y0, bw, bh });
    const data = decodePixels(out, format, { inPlace: true, location });
    return inShared({ ...format, data, width: bw, height: axes.length === 1 ? 1 : bh, naxis }, shared);
  }

  /**
   * Decodes a tile-compressed image, or a region of it (already checked to be inside), reading
   * only the tiles the region overlaps.
   */
  async #readTiled(
    info: FitsHduInfo,
    format: FitsPixelFormat,
    naxis: readonly number[],
    params: TiledImageParams,
    region: TiledImageRegion | undefined,
  ): Promise<FitsImageData> {
    const location = this.#loc(info.index, info.dataOffset);
    const shape = {
      width: naxis[0] ?? 0,
      height: naxis.length === 0 ? 0 : (naxis[1] ?? 1),
      naxis: [...naxis],
    };
    if (naxis.length === 0 || naxis.some((n) => n === 0)) {
      return { ...format, data: decodePixels(new Uint8Array(0), format, { location }), ...shape };
    }
    let lastOffset = info.dataOffset;
    const fail = (e: unknown): unknown => relocate(e, { ...this.#fileLoc(), hdu: info.index, offset: lastOffset }, 0);
    let rows: number[];
    try {
      rows = overlappingTiles(params, region === undefined ? {} : { region }, info.header.get('NAXIS2') as number);
    } catch (e) {
      throw fail(e);
    }
    const { table, read } = await this.#tileTable(info, rows, params.nTiles);
    const source = tiledImageSource(table, (column, row) => {
      const range = table.heapRange(column, row);
      lastOffset = info.dataOffset + range.offset;
      return read(column, row, range.offset, range.byteLength);
    });
    let stored;
    try {
      stored = decodeTiledImage(source, { ...(region === undefined ? {} : { region }), raw: true });
    } catch (e) {
      throw fail(e);
    }
    const data = decodeStoredPixels(stored.data as FitsStoredPixelArray, format, { inPlace: true, location });
    return { ...format, data, ...shape };
  }

  /**
   * The table of a compressed image and a reader of its tile bytes: the whole data unit when
   * most of it is needed (or it is small), else the main table and then only the heap spans of
   * the given rows, read with positional reads (nearby ranges merged into one read).
   */
  async #tileTable(info: FitsHduInfo, rows: readonly number[], nTiles: number): Promise<{ table: BinaryTable; read: HeapReader }> {
    const options = { ...this.#fileLoc(), hdu: info.index, dataOffset: info.dataOffset, headerOffset: info.headerOffset };
    const fail = (e: unknown): unknown => relocate(e, { ...this.#fileLoc(), hdu: info.index, offset: info.dataOffset }, 0);
    const whole = async (): Promise<{ table: BinaryTable; read: HeapReader }> => {
      const data = await this.#source.read(info.dataOffset, info.dataByteLength);
      let table: BinaryTable;
      try {
        table = BinaryTable.decode(info.header, data, options);
      } catch (e) {
        throw fail(e);
      }
      return { table, read: (_c, _r, offset, length) => data.subarray(offset, offset + length) };
    };
    if (rows.length >= nTiles || info.dataByteLength <= SPAN_READ_BYTES) return whole();
    const mainBytes = (info.header.get('NAXIS1') as number) * (info.header.get('NAXIS2') as number); // checked on open
    const main = await this.#source.read(info.dataOffset, mainBytes);
    let table: BinaryTable;
    const ranges: { key: string; offset: number; end: number }[] = [];
    try {
      table = BinaryTable.decode(info.header, main, { ...options, mainTableOnly: true });
      const columns = TILE_COLUMNS.filter((c) => table.hasColumn(c) && table.column(c).variableLength);
      for (const row of rows) {
        if (row >= table.nRows) continue; // decodeTiledImage reports the missing rows
        for (const column of columns) {
          const r = table.heapRange(column, row);
          if (r.byteLength > 0) ranges.push({ key: `${column}\0${row}`, offset: r.offset, end: r.offset + r.byteLength });
        }
      }
    } catch (e) {
      throw fail(e);
    }
    ranges.sort((a, b) => a.offset - b.offset);
    const spans: { offset: number; end: number; members: typeof ranges }[] = [];
    let total = 0;
    for (const r of ranges) {
      const last = spans[spans.length - 1];
      if (last !== undefined && r.offset <= last.end + TILE_GAP_BYTES) {
        total += Math.max(0, r.end - last.end);
        last.end = Math.max(last.end, r.end);
        last.members.push(r);
      } else {
        spans.push({ offset: r.offset, end: r.end, members: [r] });
        total += r.end - r.offset;
      }
    }
    if (total > info.dataByteLength / 2) return whole();
    const fetched = new Map<string, Uint8Array>();
    for (let i = 0; i < spans.length; i += ROW_READ_CONCURRENCY) {
      const batch = spans.slice(i, i + ROW_READ_CONCURRENCY);
      const blocks = await Promise.all(batch.map((s) => this.#source.read(info.dataOffset + s.offset, s.end - s.offset)));
      batch.forEach((s, k) => {
        for (const m of s.members) fetched.set(m.key, blocks[k]!.subarray(m.offset - s.offset, m.end - s.offset));
      });
    }
    const read: HeapReader = (column, row, _offset, length) => {
      if (length === 0) return new Uint8Array(0);
      const bytes = fetched.get(`${column}\0${row}`);
      if (bytes === undefined) {
        throw new FitsError('FITS_INTERNAL', `Tile ${row} of column '${column}' was not read.`, this.#loc(info.index, info.dataOffset));
      }
      return bytes;
    };
    return { table, read };
  }

  #outOfBounds(info: FitsHduInfo, bbox: Box2I, width: number, height: number): never {
    throw new FitsError(
      'FITS_OUT_OF_BOUNDS',
      `The requested bbox ${bbox.toString()} is not inside the ${width}x${height} image (x 0..${width - 1}, y 0..${height - 1}).`,
      { ...this.#loc(info.index), hint: 'The bbox is in local 0-based pixel coordinates; subtract XY0 from PARENT coordinates.' },
    );
  }

  async #readRect(
    info: FitsHduInfo,
    out: Uint8Array,
    r: { width: number; height: number; planes: number; size: number; x0: number; y0: number; bw: number; bh: number },
  ): Promise<void> {
    const { width, height, planes, size, x0, y0, bw, bh } = r;
    const rowBytes = bw * size;
    const stride = width * size;
    for (let p = 0; p < planes; p++) {
      const planeStart = info.dataOffset + p * height * stride;
      const first = planeStart + y0 * stride + x0 * size;
      const outPlane = out.subarray(p * bh * rowBytes, (p + 1) * bh * rowBytes);
      if (bw === width) {
        await this.#source.readInto(first, outPlane);
        continue;
      }
      const span = (bh - 1) * stride + rowBytes;
      if (span <= SPAN_READ_BYTES || span <= SPAN_READ_FACTOR * outPlane.length) {
        const block = await this.#source.read(first, span);
        for (let y = 0; y < bh; y++) outPlane.set(block.subarray(y * stride, y * stride + rowBytes), y * rowBytes);
        continue;
      }
      for (let y = 0; y < bh; y += ROW_READ_CONCURRENCY) {
        const reads: Promise<void>[] = [];
        for (let k = y; k < Math.min(bh, y + ROW_READ_CONCURRENCY); k++) {
          reads.push(this.#source.readInto(first + k * stride, outPlane.subarray(k * rowBytes, (k + 1) * rowBytes)));
        }
        await Promise.all(reads);
      }
    }
  }

  /**
   * Checks the `CHECKSUM` and `DATASUM` keywords of one HDU, or of all of them, against the
   * bytes in the file (header blocks as stored, data unit with its padding).
   *
   * @param selector - which HDU; all of them when omitted
   * @returns per HDU, `'ok'` or `'missing'` for each keyword, and the computed sums
   * @throws {@link FitsChecksumError} at the first HDU whose `CHECKSUM` or `DATASUM` does not match
   * @see astropy.io.fits.open (`checksum=True`)
   */
  async verifyChecksums(selector?: FitsHduSelector): Promise<FitsHduChecksumResult[]> {
    const targets = selector === undefined ? this.hdus : [this.findHdu(selector)];
    const results: FitsHduChecksumResult[] = [];
    for (const info of targets) {
      const headerBytes = await this.#source.read(info.headerOffset, info.dataOffset - info.headerOffset);
      const end = Math.min(this.size, info.dataOffset + paddedByteLength(info.dataByteLength));
      // Sum the data unit in chunks; pass the sum to assertHduChecksum through a 4-byte stand-in
      // whose own sum is the data sum (the checksum is additive).
      let datasum = 0;
      for (let pos = info.dataOffset; pos < end; pos += CHECKSUM_CHUNK) {
        const chunk = await this.#source.read(pos, Math.min(CHECKSUM_CHUNK, end - pos));
        datasum = computeDatasum(chunk, datasum);
      }
      const standIn = new Uint8Array(4);
      new DataView(standIn.buffer).setUint32(0, datasum);
      const r = assertHduChecksum(headerBytes, standIn, this.#loc(info.index, info.headerOffset));
      results.push({ ...r, index: info.index, hduSum: addChecksums(computeDatasum(headerBytes), datasum) });
    }
    return results;
  }

  /**
   * Closes the file. Reads after that throw a {@link FitsError} with code `FITS_CLOSED`.
   */
  async close(): Promise<void> {
    await this.#source.close();
  }
}
