import { randomBytes } from 'node:crypto';
import { open as openFile, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Card } from './card.js';
import { addChecksums, computeDatasum, DatasumAccumulator, encodeChecksum, foldHalfSums } from './checksum.js';
import { FitsError, FitsFormatError, type FitsErrorOptions } from './errors.js';
import { dataByteLength, Header, paddedByteLength } from './header.js';
import {
  bytesPerPixel,
  encodePixelsInto,
  pixelFormatOf,
  type FitsImageLike,
  type FitsPixelArray,
} from './image-data.js';

/**
 * One HDU to write: a header and, optionally, its data unit: pixels (a typed array with its
 * axes, e.g. a {@link FitsImageData}) or the raw big-endian bytes the header describes (a
 * binary table, say).
 *
 * With pixels, `BITPIX`, `NAXIS`, `NAXISn`, `BZERO` and `BSCALE` are set from the array (the
 * header's own are replaced); with raw bytes, the header's structural keywords must describe
 * exactly that many bytes. The header is not modified: the writer works on a copy.
 */
export interface FitsHduInput {
  /** The header: user keywords, and for raw data the structural ones. An empty header when absent. */
  readonly header?: Header;
  /** The data unit: pixels, or raw bytes. No data unit when absent. */
  readonly data?: Uint8Array | FitsImageLike;
}

/**
 * An HDU for {@link writeFits}, whose raw data may also come as a stream of byte chunks
 * (written as they arrive; their total must be the size the header describes).
 */
export interface FitsHduStreamInput {
  /** The header, as in {@link FitsHduInput}. */
  readonly header?: Header;
  /** The data unit: pixels, raw bytes, or raw bytes in chunks. */
  readonly data?: Uint8Array | FitsImageLike | AsyncIterable<Uint8Array>;
}

/** Options of {@link writeFits} and {@link encodeFits}. */
export interface WriteFitsOptions {
  /** Add `DATASUM` and `CHECKSUM` to every HDU (default `true`). */
  readonly checksum?: boolean;
}

/** Options of {@link makeImageHeader}. */
export interface MakeImageHeaderOptions {
  /** An `IMAGE` extension header (`XTENSION`, `PCOUNT`, `GCOUNT`) rather than a primary one (`SIMPLE`, `EXTEND`). */
  readonly extension: boolean;
}

const ZERO_CHECKSUM = '0000000000000000';
/** Bytes encoded at a time when writing pixels. */
const CHUNK_BYTES = 4 << 20;
/**
 * While a file is written, a `fdatasync` is started (not awaited) each time this many bytes
 * have been written since the last one began, so that the disk writes back the first HDUs
 * while the later ones are encoded, and the final `fsync` has less left to wait for.
 */
const SYNC_AHEAD_BYTES = 16 << 20;
/** Words per block of the fused encoder's sums: 32768 × 65535 stays below 2^31. */
const SUM_BLOCK_WORDS = 32768;
const ZEROS = new Uint8Array(2880);

const TWO_POW_63 = 9223372036854775808;

function isImageLike(d: unknown): d is FitsImageLike {
  return typeof d === 'object' && d !== null && !ArrayBuffer.isView(d) && 'data' in d && ArrayBuffer.isView((d as FitsImageLike).data);
}

function isAsyncIterable(d: unknown): d is AsyncIterable<Uint8Array> {
  return typeof d === 'object' && d !== null && Symbol.asyncIterator in d;
}

function isStructural(keyword: string): boolean {
  return /^(SIMPLE|XTENSION|BITPIX|NAXIS\d{0,3}|EXTEND|PCOUNT|GCOUNT|TFIELDS|CHECKSUM|DATASUM|END)$/.test(keyword);
}

/** A card for a structural keyword, keeping the comment the input header had for it. */
function structuralCard(input: Header, keyword: string, value: number | bigint | string | boolean, comment: string): Card {
  const old = input.getCard(keyword);
  return new Card(keyword, value, old?.comment ?? comment);
}

/** The BZERO card value: an exact integer (2^63 as a bigint) or a number. */
function bzeroValue(bzero: number): number | bigint {
  return bzero === TWO_POW_63 ? 9223372036854775808n : bzero;
}

function checkAxes(axes: readonly number[], length: number, loc: FitsErrorOptions): void {
  let product = axes.length === 0 ? 0 : 1;
  for (const a of axes) {
    if (!Number.isSafeInteger(a) || a < 0) throw new FitsFormatError(`Axis length ${String(a)} is not a non-negative integer.`, loc);
    product *= a;
  }
  if (axes.length > 999) throw new FitsFormatError(`${axes.length} axes; FITS allows at most 999.`, loc);
  if (product !== length) {
    throw new FitsFormatError(`The axes ${axes.join('x')} hold ${product} pixels but the array has ${length}.`, loc);
  }
}

/**
 * Makes the structural part of an image HDU header for a pixel array: `SIMPLE`/`XTENSION`,
 * `BITPIX`, `NAXIS`, `NAXIS1`, `NAXIS2`, `EXTEND` or `PCOUNT`/`GCOUNT`, and `BZERO`/`BSCALE`
 * for unsigned arrays (and `Int8Array`). Add keywords to it, then write it with the array.
 *
 * @param data - the pixels, `width × height` of them, x fastest
 * @param width - `NAXIS1`
 * @param height - `NAXIS2`
 * @param options - primary or extension
 * @returns the header
 * @throws {@link FitsFormatError} when `data.length` is not `width × height`
 * @example
 * ```ts
 * const header = makeImageHeader(new Uint16Array(6), 3, 2, { extension: true });
 * header.set('EXTNAME', 'MASK');
 * // XTENSION='IMAGE', BITPIX=16, NAXIS=2, NAXIS1=3, NAXIS2=2, PCOUNT=0, GCOUNT=1, BZERO=32768, BSCALE=1
 * ```
 * @see astropy.io.fits.ImageHDU
 */
export function makeImageHeader(data: FitsPixelArray, width: number, height: number, options: MakeImageHeaderOptions): Header {
  checkAxes([width, height], data.length, {});
  return imageHeader(new Header(), data, [width, height], options.extension);
}

function imageHeader(input: Header, data: FitsPixelArray, axes: readonly number[], extension: boolean): Header {
  const format = pixelFormatOf(data);
  const cards: Card[] = [];
  if (extension) cards.push(structuralCard(input, 'XTENSION', 'IMAGE', 'Image extension'));
  else cards.push(structuralCard(input, 'SIMPLE', true, 'conforms to FITS standard'));
  cards.push(new Card('BITPIX', format.bitpix, 'array data type'));
  cards.push(new Card('NAXIS', axes.length, 'number of array dimensions'));
  axes.forEach((a, i) => cards.push(new Card(`NAXIS${i + 1}`, a)));
  if (extension) {
    cards.push(new Card('PCOUNT', 0, 'number of parameters'));
    cards.push(new Card('GCOUNT', 1, 'number of groups'));
  } else {
    cards.push(structuralCard(input, 'EXTEND', true, 'FITS dataset may contain extensions'));
  }
  if (format.bzero !== 0) {
    cards.push(new Card('BZERO', bzeroValue(format.bzero), 'offset data range to that of unsigned integers'));
    cards.push(new Card('BSCALE', 1, 'default scaling factor'));
  }
  for (const card of input) {
    if (isStructural(card.keyword) || card.keyword === 'BZERO' || card.keyword === 'BSCALE') continue;
    if (card.keyword === 'BLANK' && format.bitpix < 0) continue;
    cards.push(card);
  }
  return new Header(cards);
}

/** Rebuilds a header for raw (or no) data with the mandatory keywords first, in standard order. */
function rawHeader(input: Header, extension: boolean, loc: FitsErrorOptions): Header {
  const cards: Card[] = [];
  const int = (keyword: string, fallback: number | undefined): number => {
    const v = input.get(keyword);
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      throw new FitsFormatError(`Keyword '${keyword}' = ${String(v)}; expected a non-negative integer.`, loc);
    }
    return v;
  };
  const xtension = extension ? (input.get('XTENSION') ?? 'IMAGE') : undefined;
  if (xtension !== undefined && typeof xtension !== 'string') {
    throw new FitsFormatError(`XTENSION = ${String(xtension)}; expected a string.`, loc);
  }
  if (xtension !== undefined) cards.push(structuralCard(input, 'XTENSION', xtension, 'extension type'));
  else cards.push(structuralCard(input, 'SIMPLE', true, 'conforms to FITS standard'));
  const bitpix = input.get('BITPIX') ?? 8;
  if (bitpix !== 8 && bitpix !== 16 && bitpix !== 32 && bitpix !== 64 && bitpix !== -32 && bitpix !== -64) {
    throw new FitsFormatError(`BITPIX = ${String(bitpix)}; expected 8, 16, 32, 64, -32 or -64.`, loc);
  }
  cards.push(structuralCard(input, 'BITPIX', bitpix, 'array data type'));
  const naxis = int('NAXIS', 0);
  if (naxis > 999) throw new FitsFormatError(`NAXIS = ${naxis}; expected at most 999.`, loc);
  cards.push(structuralCard(input, 'NAXIS', naxis, 'number of array dimensions'));
  for (let i = 1; i <= naxis; i++) cards.push(structuralCard(input, `NAXIS${i}`, int(`NAXIS${i}`, undefined), ''));
  if (extension) {
    cards.push(structuralCard(input, 'PCOUNT', int('PCOUNT', 0), 'number of parameters'));
    cards.push(structuralCard(input, 'GCOUNT', int('GCOUNT', 1), 'number of groups'));
    if (input.has('TFIELDS')) cards.push(structuralCard(input, 'TFIELDS', int('TFIELDS', undefined), 'number of table fields'));
  } else {
    cards.push(structuralCard(input, 'EXTEND', true, 'FITS dataset may contain extensions'));
  }
  for (const card of input) if (!isStructural(card.keyword)) cards.push(card);
  return new Header(cards);
}

/** One HDU ready to be written: its final structure, and where its data bytes come from. */
interface PreparedHdu {
  readonly index: number;
  readonly header: Header;
  readonly dataLength: number;
  chunks(): Iterable<Uint8Array> | AsyncIterable<Uint8Array>;
  /**
   * True when a chunk may still be being written while the next one is produced (the chunks do
   * not reuse memory that the write in flight reads). False for the caller's streams.
   */
  readonly pipelined: boolean;
  /** When the chunks sum themselves: the DATASUM of all of them, once they were all produced. */
  readonly datasum?: () => number;
}

/**
 * Encodes pixels `[start, end)` of a 4-byte pixel array as big-endian words into `out` (after
 * XORing each word with `xor`, the pseudo-unsigned offset) and returns the ones'-complement
 * sum of those words, the DATASUM of the bytes written, in one pass over the memory.
 */
function encodeWordsSummed(data: Float32Array | Int32Array | Uint32Array, xor: number, start: number, end: number, out: Uint8Array): number {
  const n = end - start;
  const src = new Uint32Array(data.buffer, data.byteOffset + start * 4, n);
  const view = new DataView(out.buffer, out.byteOffset, n * 4);
  let hi = 0;
  let lo = 0;
  for (let s = 0; s < n; s += SUM_BLOCK_WORDS) {
    const e = Math.min(n, s + SUM_BLOCK_WORDS);
    let a = 0;
    let b = 0;
    for (let i = s; i < e; i++) {
      const x = (src[i]! ^ xor) >>> 0;
      a = (a + (x >>> 16)) | 0;
      b = (b + (x & 0xffff)) | 0;
      view.setUint32(i * 4, x, false);
    }
    hi += a;
    lo += b;
  }
  return foldHalfSums(hi, lo);
}

/**
 * The big-endian bytes of pixels in chunks of CHUNK_BYTES, summed as they are encoded (into
 * `sum.value`). Two chunk buffers are used in turn, so that one can be written while the next
 * is encoded; a chunk stays valid until the second chunk after it is asked for.
 */
function* pixelChunks(data: FitsPixelArray, sum: { value: number }): Generator<Uint8Array> {
  const size = bytesPerPixel(pixelFormatOf(data).bitpix);
  const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / size));
  const chunkBytes = Math.min(perChunk, data.length) * size;
  const scratch = [new Uint8Array(chunkBytes), new Uint8Array(data.length > perChunk ? chunkBytes : 0)];
  const words = data instanceof Float32Array || data instanceof Int32Array || data instanceof Uint32Array ? data : undefined;
  const xor = data instanceof Uint32Array ? 0x80000000 : 0;
  sum.value = 0;
  for (let start = 0, k = 0; start < data.length; start += perChunk, k++) {
    const end = Math.min(data.length, start + perChunk);
    const out = scratch[k & 1]!.subarray(0, (end - start) * size);
    let chunkSum: number;
    if (words !== undefined) {
      chunkSum = encodeWordsSummed(words, xor, start, end, out);
    } else {
      encodePixelsInto(data, start, end, out);
      chunkSum = computeDatasum(out); // every chunk but the last is a whole number of words
    }
    sum.value = addChecksums(sum.value, chunkSum);
    yield out;
  }
}

function* byteChunks(bytes: Uint8Array): Generator<Uint8Array> {
  for (let start = 0; start < bytes.length; start += CHUNK_BYTES) yield bytes.subarray(start, start + CHUNK_BYTES);
}

function needsEmptyPrimary(first: FitsHduStreamInput | undefined): boolean {
  if (first === undefined) return true;
  const xt = first.header?.get('XTENSION');
  return typeof xt === 'string' && xt.trim().toUpperCase() !== 'IMAGE';
}

function prepare(hdus: readonly FitsHduStreamInput[], checksum: boolean, file: string | undefined): PreparedHdu[] {
  const list: FitsHduStreamInput[] = needsEmptyPrimary(hdus[0]) ? [{}, ...hdus] : [...hdus];
  return list.map((hdu, index) => {
    const loc: FitsErrorOptions = { ...(file === undefined ? {} : { file }), hdu: index };
    const input = hdu.header ?? new Header();
    const extension = index > 0;
    const data = hdu.data;
    let header: Header;
    let dataLength: number;
    let chunks: () => Iterable<Uint8Array> | AsyncIterable<Uint8Array>;
    let datasum: (() => number) | undefined;
    let pipelined = true;
    if (isImageLike(data)) {
      const axes = data.naxis ?? [data.width, data.height];
      checkAxes(axes, data.data.length, loc);
      header = imageHeader(input, data.data, axes, extension);
      dataLength = data.data.length * bytesPerPixel(pixelFormatOf(data.data).bitpix);
      const sum = { value: 0 };
      chunks = () => pixelChunks(data.data, sum);
      datasum = () => sum.value;
    } else {
      header = rawHeader(input, extension, loc);
      try {
        dataLength = dataByteLength(header);
      } catch (e) {
        if (e instanceof FitsFormatError) throw new FitsFormatError(e.message, { ...loc, cause: e });
        throw e;
      }
      if (data instanceof Uint8Array) {
        if (data.length !== dataLength) {
          throw new FitsFormatError(`The header describes a data unit of ${dataLength} bytes, but ${data.length} bytes were given.`, {
            ...loc,
            hint: 'Check BITPIX, NAXISn, PCOUNT and GCOUNT.',
          });
        }
        chunks = () => byteChunks(data);
      } else if (isAsyncIterable(data)) {
        chunks = () => data;
        pipelined = false; // the stream may reuse its buffer for the next chunk
      } else if (data === undefined) {
        if (dataLength !== 0) {
          throw new FitsFormatError(`The header describes a data unit of ${dataLength} bytes, but no data was given.`, loc);
        }
        chunks = () => [];
      } else {
        throw new FitsFormatError('The data of an HDU must be a Uint8Array, pixels ({ data, width, height }) or an async iterable of bytes.', loc);
      }
    }
    if (checksum) {
      header.set('CHECKSUM', ZERO_CHECKSUM, 'HDU checksum');
      header.set('DATASUM', '0', 'data unit checksum');
    } else {
      header.delete('CHECKSUM');
      header.delete('DATASUM');
    }
    return { index, header, dataLength, chunks, pipelined, ...(datasum === undefined ? {} : { datasum }) };
  });
}

/** Sets DATASUM and CHECKSUM for the data sum and returns the final header bytes. */
function finalHeaderBytes(p: PreparedHdu, datasum: number, expectedLength: number): Uint8Array {
  p.header.set('DATASUM', String(datasum));
  p.header.set('CHECKSUM', ZERO_CHECKSUM);
  const headerSum = computeDatasum(p.header.toBytes());
  p.header.set('CHECKSUM', encodeChecksum(addChecksums(headerSum, datasum), true));
  const bytes = p.header.toBytes();
  if (bytes.length !== expectedLength) {
    throw new FitsError('FITS_INTERNAL', `The header grew from ${expectedLength} to ${bytes.length} bytes when its checksum was set.`, {
      hdu: p.index,
    });
  }
  return bytes;
}

function sizeMismatch(p: PreparedHdu, got: number, file: string | undefined): FitsFormatError {
  return new FitsFormatError(`The data stream gave ${got} bytes; the header describes ${p.dataLength}.`, {
    ...(file === undefined ? {} : { file }),
    hdu: p.index,
  });
}

/**
 * Encodes HDUs as the bytes of a FITS file, in memory. See {@link writeFits} for what is
 * written.
 *
 * @param hdus - the HDUs, primary first
 * @param options - whether to add checksums (default yes)
 * @returns the file's bytes
 * @throws {@link FitsFormatError} when a header and its data disagree
 * @example
 * ```ts
 * const bytes = encodeFits([{ data: { data: new Float32Array(12), width: 4, height: 3 } }]);
 * const fits = await FitsFile.fromBytes(bytes);
 * ```
 */
export function encodeFits(hdus: readonly FitsHduInput[], options: WriteFitsOptions = {}): Uint8Array {
  const checksum = options.checksum ?? true;
  const prepared = prepare(hdus, checksum, undefined);
  const headers = prepared.map((p) => p.header.toBytes());
  let total = 0;
  prepared.forEach((p, i) => (total += headers[i]!.length + paddedByteLength(p.dataLength)));
  const out = new Uint8Array(total);
  let pos = 0;
  prepared.forEach((p, i) => {
    const headerPos = pos;
    pos += headers[i]!.length;
    const dataPos = pos;
    for (const chunk of p.chunks() as Iterable<Uint8Array>) {
      out.set(chunk, pos);
      pos += chunk.length;
    }
    if (pos - dataPos !== p.dataLength) throw sizeMismatch(p, pos - dataPos, undefined);
    pos = dataPos + paddedByteLength(p.dataLength); // the padding is already zeros
    const datasum = p.datasum?.() ?? computeDatasum(out.subarray(dataPos, dataPos + p.dataLength));
    const header = checksum ? finalHeaderBytes(p, datasum, headers[i]!.length) : headers[i]!;
    out.set(header, headerPos);
  });
  return out;
}

async function writeAt(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}

/**
 * Writes HDUs to a FITS file, atomically: the bytes go to a temporary file in the same
 * directory (`.NAME.tmp-PID-RANDOM`), which is flushed to disk and renamed over `path` only
 * when everything was written. On any error the temporary file is removed and an existing
 * file at `path` is left as it was.
 *
 * Each header gets its mandatory keywords in the standard order (`SIMPLE` or `XTENSION`,
 * `BITPIX`, `NAXIS`, `NAXISn`, then `EXTEND`, or `PCOUNT`, `GCOUNT` and `TFIELDS`), then the
 * caller's other cards in their order; headers are padded with blanks and data units with
 * zeros to 2880 bytes. When the first HDU is a table, an empty primary HDU is put first. By
 * default every HDU gets `DATASUM` and `CHECKSUM` (FITS checksum convention). Pixels are
 * encoded and written in chunks of a few MiB.
 *
 * @param path - the file to write
 * @param hdus - the HDUs, primary first
 * @param options - whether to add checksums (default yes)
 * @throws {@link FitsFormatError} when a header and its data disagree (before anything is
 * written where possible)
 * @throws {@link FitsError} (code `FITS_IO`) when the file cannot be written; the cause is kept
 * @example
 * ```ts
 * const header = new Header();
 * header.set('EXTTYPE', 'IMAGE');
 * await writeFits('out.fits', [
 *   {},
 *   { header, data: { data: pixels, width: 2048, height: 4096 } },
 * ]);
 * ```
 * @see astropy.io.fits.HDUList.writeto
 * @see lsst.afw.fits.Fits
 */
export async function writeFits(path: string, hdus: readonly FitsHduStreamInput[], options: WriteFitsOptions = {}): Promise<void> {
  const checksum = options.checksum ?? true;
  const prepared = prepare(hdus, checksum, path);
  const temp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  let handle: FileHandle | undefined;
  // Writes and early flushes that may be in flight; each has a handler attached (so that a
  // failure is not reported as unhandled) and is awaited, or settled before the handle closes.
  let pending: Promise<void> | undefined;
  const syncs: Promise<void>[] = [];
  try {
    handle = await openFile(temp, 'wx');
    const h = handle;
    let pos = 0;
    let syncedTo = 0;
    for (const p of prepared) {
      const placeholder = p.header.toBytes();
      const headerPos = pos;
      await writeAt(h, placeholder, pos);
      pos += placeholder.length;
      const sum = p.datasum === undefined ? new DatasumAccumulator() : undefined;
      let length = 0;
      for await (const chunk of p.chunks()) {
        if (length + chunk.length > p.dataLength) throw sizeMismatch(p, length + chunk.length, path);
        sum?.update(chunk);
        length += chunk.length;
        // One write in flight while the next chunk is encoded (when the chunks allow it).
        if (pending !== undefined) await pending;
        const write = writeAt(h, chunk, pos);
        pos += chunk.length;
        if (p.pipelined) {
          pending = write;
          write.catch(() => undefined);
        } else {
          pending = undefined;
          await write;
        }
        if (pos - syncedTo >= SYNC_AHEAD_BYTES) {
          syncedTo = pos;
          const sync = h.datasync();
          sync.catch(() => undefined);
          syncs.push(sync);
        }
      }
      if (pending !== undefined) await pending;
      pending = undefined;
      if (length !== p.dataLength) throw sizeMismatch(p, length, path);
      const pad = paddedByteLength(p.dataLength) - p.dataLength;
      if (pad > 0) {
        await writeAt(h, ZEROS.subarray(0, pad), pos);
        pos += pad;
      }
      if (checksum) await writeAt(h, finalHeaderBytes(p, sum?.digest() ?? p.datasum!(), placeholder.length), headerPos);
    }
    await Promise.all(syncs);
    await h.sync();
    handle = undefined;
    await h.close();
    await rename(temp, path);
  } catch (e) {
    await Promise.allSettled([pending, ...syncs]);
    await handle?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    if (e instanceof FitsError) throw e;
    throw new FitsError('FITS_IO', `Cannot write the FITS file: ${(e as Error).message}`, { file: path, cause: e });
  }
}
