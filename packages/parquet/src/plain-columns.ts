// Fast paths of writeParquet/readParquet for flat, REQUIRED columns of fixed-width numbers
// (Int8..Int64, Uint8..Uint64, Float32, Float64): PLAIN-encoded DATA_PAGE_V2 pages written
// straight from the typed array's bytes, and PLAIN pages read by copying their bytes into the
// output typed array, instead of hyparquet(-writer)'s value-by-value encoding and decoding.
// Everything else (nulls, Bool, strings, lists, dictionary or delta pages) stays on hyparquet.
// Only on little-endian machines (Parquet's byte order); elsewhere everything takes hyparquet.

import type { ColumnChunk, CompressionCodec, DataReader, OffsetIndex, PageHeader, ParquetType, SchemaElement, Statistics } from 'hyparquet/src/types.js';
import { parquetHeader } from 'hyparquet/src/column.js';
import { snappyUncompress } from 'hyparquet';
import type { Writer } from 'hyparquet-writer';
import type { NumericArray, NumericArrayConstructor } from './arrow-data.js';

/** Whether this machine stores typed arrays little-endian, as Parquet PLAIN pages are. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A hyparquet-writer `Writer` that can also write a block of bytes without copying it into its buffer. */
export interface DirectWriter extends Writer {
  /** Writes `bytes` after what is buffered (flushing it first), and advances `offset`. */
  writeDirect(bytes: Uint8Array): void;
}

/** What {@link writePlainChunk} needs to know about the file being written. */
export interface PlainChunkOptions {
  /** The codec of the file. */
  readonly codec: CompressionCodec;
  /** The compressor of that codec (unused for UNCOMPRESSED). */
  readonly compress: ((input: Uint8Array) => Uint8Array) | undefined;
  /** Target uncompressed bytes per data page (hyparquet-writer's default is 1 MiB). */
  readonly pageSize: number;
}

/** A column chunk written by {@link writePlainChunk}, with its offset index (several pages). */
export interface PlainChunk {
  readonly chunk: ColumnChunk;
  readonly offsetIndex?: OffsetIndex;
}

/**
 * The Parquet physical type and value width of a typed array written by the fast path.
 *
 * @param values - the values
 * @returns the physical type and bytes per value in the file
 */
function physicalOf(values: NumericArray): { type: ParquetType; width: number } {
  if (values instanceof Float32Array) return { type: 'FLOAT', width: 4 };
  if (values instanceof Float64Array) return { type: 'DOUBLE', width: 8 };
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) return { type: 'INT64', width: 8 };
  return { type: 'INT32', width: 4 };
}

/**
 * Writes one column chunk (the values of one row group) as PLAIN DATA_PAGE_V2 pages, with the
 * chunk metadata and statistics hyparquet-writer writes (min/max, null count 0, NaN count for
 * floats, encoding stats) and the page locations for the offset index. 32- and 64-bit values
 * go from the typed array's bytes to the file (or the compressor) without a copy; 8- and 16-bit
 * integers are widened to INT32 one page at a time.
 *
 * @param writer - the file writer
 * @param element - the column's schema element (REQUIRED, a numeric physical type)
 * @param values - the values of this row group (no nulls)
 * @param options - codec, compressor and page size
 * @returns the column chunk (offsets are file offsets) and its offset index
 */
export function writePlainChunk(writer: DirectWriter, element: SchemaElement, values: NumericArray, options: PlainChunkOptions): PlainChunk {
  const { type, width } = physicalOf(values);
  const n = values.length;
  const pageRows = Math.max(1, Math.floor(options.pageSize / width));
  const widen = values.BYTES_PER_ELEMENT < width;
  const scratch = widen ? new Int32Array(Math.min(n, pageRows)) : undefined;
  const offsetStart = writer.offset;
  let uncompressedSize = 0;
  const locations: OffsetIndex['page_locations'] = [];
  for (let s = 0; s < n; s += pageRows) {
    const e = Math.min(n, s + pageRows);
    let page: Uint8Array;
    if (scratch !== undefined) {
      const part = scratch.subarray(0, e - s);
      part.set(values.subarray(s, e) as Int32Array);
      page = new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
    } else {
      page = new Uint8Array(values.buffer, values.byteOffset + s * width, (e - s) * width);
    }
    const compressed = options.codec !== 'UNCOMPRESSED';
    const body = compressed ? options.compress!(page) : page;
    const pageOffset = writer.offset;
    const header = pageHeaderV2(page.length, body.length, e - s, compressed);
    writer.appendBytes(header);
    writer.writeDirect(body);
    uncompressedSize += header.length + page.length;
    locations.push({ offset: BigInt(pageOffset), compressed_page_size: writer.offset - pageOffset, first_row_index: BigInt(s) });
  }
  const statistics = numericStatistics(values, type);
  const chunk: ColumnChunk = {
    file_offset: BigInt(offsetStart),
    meta_data: {
      type,
      encodings: ['PLAIN'],
      path_in_schema: [element.name],
      codec: options.codec,
      num_values: BigInt(n),
      total_compressed_size: BigInt(writer.offset - offsetStart),
      total_uncompressed_size: BigInt(uncompressedSize),
      data_page_offset: BigInt(offsetStart),
      statistics,
      encoding_stats: [{ page_type: 'DATA_PAGE_V2', encoding: 'PLAIN', count: locations.length }],
    },
  };
  return locations.length > 1 ? { chunk, offsetIndex: { page_locations: locations } } : { chunk };
}

/**
 * The column statistics hyparquet-writer computes (min/max of the non-NaN values with -0/+0 for
 * zero bounds, null count, NaN count for floats), in one pass with no allocation per value.
 *
 * @param values - the values
 * @param type - the physical type
 * @returns the statistics
 */
function numericStatistics(values: NumericArray, type: ParquetType): Statistics & { nan_count?: bigint } {
  const n = values.length;
  let min: number | bigint | undefined;
  let max: number | bigint | undefined;
  let nanCount: bigint | undefined;
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    // Compare (high, low) 32-bit halves: no bigint per value.
    const signed = values instanceof BigInt64Array;
    const hiView = signed ? new Int32Array(values.buffer, values.byteOffset, n * 2) : new Uint32Array(values.buffer, values.byteOffset, n * 2);
    const lo = new Uint32Array(values.buffer, values.byteOffset, n * 2);
    if (n > 0) {
      let minHi = hiView[1]!;
      let minLo = lo[0]!;
      let maxHi = minHi;
      let maxLo = minLo;
      let minAt = 0;
      let maxAt = 0;
      for (let i = 1; i < n; i++) {
        const h = hiView[2 * i + 1]!;
        const l = lo[2 * i]!;
        if (h < minHi || (h === minHi && l < minLo)) {
          minHi = h;
          minLo = l;
          minAt = i;
        }
        if (h > maxHi || (h === maxHi && l > maxLo)) {
          maxHi = h;
          maxLo = l;
          maxAt = i;
        }
      }
      min = values[minAt]!;
      max = values[maxAt]!;
    }
  } else {
    const v = values as Float64Array;
    let lo = Infinity;
    let hi = -Infinity;
    let nans = 0;
    for (let i = 0; i < n; i++) {
      const x = v[i]!;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
      if (x !== x) nans++;
    }
    if (type === 'FLOAT' || type === 'DOUBLE') nanCount = BigInt(nans);
    if (n - nans > 0) {
      // -Infinity/Infinity only when every non-NaN value is one of them, which the loop finds.
      min = lo === 0 ? -0 : lo;
      max = hi === 0 ? 0 : hi;
    }
  }
  const stats: Statistics & { nan_count?: bigint } = { null_count: 0n };
  if (min !== undefined) stats.min_value = min;
  if (max !== undefined) stats.max_value = max;
  if (nanCount !== undefined) stats.nan_count = nanCount;
  return stats;
}

/**
 * Encodes a PageHeader (Thrift compact protocol) of a DATA_PAGE_V2 page with no levels and
 * PLAIN values, as hyparquet-writer writes them.
 *
 * @param uncompressed - uncompressed page bytes
 * @param compressed - compressed page bytes
 * @param rows - values (= rows) in the page
 * @param isCompressed - false for UNCOMPRESSED
 * @returns the header bytes
 */
function pageHeaderV2(uncompressed: number, compressed: number, rows: number, isCompressed: boolean): Uint8Array {
  const out = new Uint8Array(48);
  let o = 0;
  const varint = (value: number): void => {
    let v = value;
    while (v > 0x7f) {
      out[o++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    out[o++] = v;
  };
  const i32 = (delta: number, value: number): void => {
    out[o++] = (delta << 4) | 5; // field delta, type i32
    varint(((value << 1) ^ (value >> 31)) >>> 0); // zigzag
  };
  i32(1, 3); // type: DATA_PAGE_V2
  i32(1, uncompressed); // uncompressed_page_size
  i32(1, compressed); // compressed_page_size
  out[o++] = (5 << 4) | 12; // field 8 (delta 5), struct: data_page_header_v2
  i32(1, rows); // num_values
  i32(1, 0); // num_nulls
  i32(1, rows); // num_rows
  i32(1, 0); // encoding: PLAIN
  i32(1, 0); // definition_levels_byte_length
  i32(1, 0); // repetition_levels_byte_length
  if (!isCompressed) out[o++] = (1 << 4) | 2; // is_compressed = false (default true)
  out[o++] = 0; // end of data_page_header_v2
  out[o++] = 0; // end of PageHeader
  return out.subarray(0, o);
}

/** Reads `bytes.length` bytes of the file at `position` into `bytes`. */
export type ReadAt = (bytes: Uint8Array, position: number) => Promise<void>;

/** One column chunk to read with {@link readPlainColumn}. */
export interface PlainChunkToRead {
  /** First row of its row group in the file. */
  readonly groupStart: number;
  /** Its metadata. */
  readonly chunk: ColumnChunk;
}

/**
 * Whether a column can be read by {@link readPlainColumn}: a flat top-level REQUIRED or OPTIONAL
 * column of a numeric physical type, with no dictionary page and only PLAIN data encodings in
 * every chunk, in a codec that we can decompress. (A page found otherwise, or a null in an
 * OPTIONAL column, makes {@link readPlainColumn} give up.)
 *
 * @param element - the leaf schema element of the top-level column
 * @param chunks - its column chunks
 * @param decompressors - the decompressors available
 * @returns true when the fast path applies
 */
export function plainReadable(element: SchemaElement, chunks: readonly ColumnChunk[], decompressors: Readonly<Record<string, unknown>>): boolean {
  if (!LITTLE_ENDIAN || (element.repetition_type !== 'REQUIRED' && element.repetition_type !== 'OPTIONAL')) return false;
  if (element.type !== 'INT32' && element.type !== 'INT64' && element.type !== 'FLOAT' && element.type !== 'DOUBLE') return false;
  for (const { meta_data: m } of chunks) {
    if (m === undefined || m.dictionary_page_offset !== undefined) return false;
    if (element.repetition_type === 'OPTIONAL' && (m.statistics?.null_count ?? 0n) !== 0n) return false; // has nulls: hyparquet
    if (m.codec !== 'UNCOMPRESSED' && m.codec !== 'SNAPPY' && decompressors[m.codec] === undefined) return false;
    for (const e of m.encodings) if (e !== 'PLAIN' && e !== 'RLE' && e !== 'BIT_PACKED') return false;
  }
  return true;
}

/**
 * Reads rows `[rowStart, rowEnd)` of a column that {@link plainReadable} accepted into a new
 * typed array of `Ctor`, copying the bytes of each PLAIN page (decompressed when needed) into it:
 * no value-by-value decoding, except narrowing INT32 to 8- and 16-bit integers (a typed `set`).
 *
 * @param readAt - reads file bytes
 * @param chunks - the column's chunks in the row groups that overlap the rows, in file order
 * @param Ctor - the output typed-array constructor (same width as the physical type, or narrower for INT32)
 * @param rowStart - first row
 * @param rowEnd - one past the last row
 * @param decompressors - decompressors by codec name (input, output length) => output
 * @param optionalColumn - the column is OPTIONAL (flat: definition levels 0 or 1)
 * @returns the values, or undefined when a page is not PLAIN, or has a null (read it with hyparquet)
 */
export async function readPlainColumn(
  readAt: ReadAt,
  chunks: readonly PlainChunkToRead[],
  Ctor: NumericArrayConstructor,
  rowStart: number,
  rowEnd: number,
  decompressors: Readonly<Record<string, ((input: Uint8Array, outputLength: number) => Uint8Array) | undefined>>,
  optionalColumn = false,
): Promise<NumericArray | undefined> {
  const optional = chunks.length > 0 && optionalColumn;
  const out = new Ctor(rowEnd - rowStart);
  const outBytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  const outWidth = out.BYTES_PER_ELEMENT;
  let scratch: Uint8Array = new Uint8Array(0);
  for (const { groupStart, chunk } of chunks) {
    const m = chunk.meta_data!;
    const width = m.type === 'INT32' || m.type === 'FLOAT' ? 4 : 8;
    const size = Number(m.total_compressed_size);
    if (scratch.length < size) scratch = new Uint8Array(Math.max(size, scratch.length * 2));
    const bytes = scratch.subarray(0, size);
    await readAt(bytes, Number(m.data_page_offset));
    const reader: DataReader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
    let row = groupStart;
    const groupEnd = groupStart + Number(m.num_values);
    while (row < groupEnd && row < rowEnd && reader.offset < bytes.length) {
      const header: PageHeader = parquetHeader(reader);
      const start = reader.offset;
      reader.offset += header.compressed_page_size;
      if (header.type === 'INDEX_PAGE') continue;
      let count: number;
      let compressed: boolean;
      let skip = 0; // bytes before the values: levels outside the compressed part (v2)
      let levels = false; // definition levels inside the page (v1, OPTIONAL)
      if (header.type === 'DATA_PAGE') {
        const h = header.data_page_header!;
        if (h.encoding !== 'PLAIN' || (optional && h.definition_level_encoding !== 'RLE')) return undefined;
        count = h.num_values;
        compressed = true;
        levels = optional;
      } else if (header.type === 'DATA_PAGE_V2') {
        const h = header.data_page_header_v2!;
        if (h.encoding !== 'PLAIN' || h.num_nulls !== 0 || h.repetition_levels_byte_length !== 0) return undefined;
        if (!optional && h.definition_levels_byte_length !== 0) return undefined;
        count = h.num_values;
        compressed = h.is_compressed !== false;
        skip = h.definition_levels_byte_length;
      } else {
        return undefined;
      }
      const pageEnd = row + count;
      const s = Math.max(row, rowStart);
      const e = Math.min(pageEnd, rowEnd);
      if (e > s) {
        let page: Uint8Array = bytes.subarray(start + skip, start + header.compressed_page_size);
        if (compressed && m.codec !== 'UNCOMPRESSED') {
          // hyparquet-compressors' SNAPPY (WASM) and a copy beat hyparquet's JS SNAPPY into the output.
          const decompress = decompressors[m.codec];
          const size = header.uncompressed_page_size - skip;
          if (decompress !== undefined) {
            page = decompress(page, size);
          } else {
            const into = new Uint8Array(size);
            snappyUncompress(page, into);
            page = into;
          }
        }
        if (levels) {
          const valuesAt = allDefined(page, count);
          if (valuesAt < 0) return undefined;
          page = page.subarray(valuesAt);
        }
        if (page.length < count * width) return undefined;
        const from = (s - row) * width;
        if (outWidth === width) {
          outBytes.set(page.subarray(from, from + (e - s) * width), (s - rowStart) * width);
        } else {
          const aligned = (page.byteOffset + from) % 4 === 0 ? page : page.slice(from, from + (e - s) * 4);
          const at = aligned === page ? page.byteOffset + from : 0;
          (out as Int32Array).set(new Int32Array(aligned.buffer, at, e - s), s - rowStart);
        }
      }
      row = pageEnd;
    }
    if (row < Math.min(groupEnd, rowEnd)) return undefined;
  }
  return out;
}

/**
 * Checks the RLE/bit-packed definition levels (bit width 1, with their 4-byte length) at the start
 * of a v1 data page of a flat OPTIONAL column: all `count` levels must be 1 (no null).
 *
 * @param page - the uncompressed page
 * @param count - the number of values in the page
 * @returns the offset of the values, or -1 when a level is 0 or the encoding is not understood
 */
function allDefined(page: Uint8Array, count: number): number {
  if (page.length < 4) return -1;
  const length = page[0]! | (page[1]! << 8) | (page[2]! << 16) | (page[3]! << 24);
  const end = 4 + length;
  if (length < 0 || end > page.length) return -1;
  let o = 4;
  let seen = 0;
  while (seen < count) {
    if (o >= end) return -1;
    let header = 0;
    let shift = 0;
    let byte: number;
    do {
      if (o >= end || shift > 28) return -1;
      byte = page[o++]!;
      header |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    header >>>= 0;
    if ((header & 1) === 0) {
      // RLE run: (count << 1), then the value in one byte
      if (o >= end || page[o++] !== 1) return -1;
      seen += header >>> 1;
    } else {
      // bit-packed: (groups << 1) | 1, then groups bytes of 8 one-bit values
      const groups = header >>> 1;
      for (let g = 0; g < groups; g++, seen += 8) {
        if (o >= end) return -1;
        const left = count - seen;
        const mask = left >= 8 ? 0xff : (1 << Math.max(left, 0)) - 1;
        if ((page[o++]! & mask) !== mask) return -1;
      }
    }
  }
  return end;
}
