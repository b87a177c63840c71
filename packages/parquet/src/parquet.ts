import { closeSync, fsyncSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import * as zlib from 'node:zlib';
import {
  makeData,
  RecordBatch,
  Schema as ArrowSchema,
  Struct,
  Table,
  tableFromIPC,
  tableToIPC,
  Type,
  type Data,
  type DataType,
  type Dictionary,
} from 'apache-arrow';
import { parquetMetadataAsync, parquetRead, parquetSchema, type AsyncBuffer, type FileMetaData, type SchemaElement, type SchemaTree } from 'hyparquet';
import { compressors as decompressors } from 'hyparquet-compressors';
import { ByteWriter, ParquetWriter, type ColumnSource } from 'hyparquet-writer';
import type { ColumnChunk } from 'hyparquet/src/types.js';
import {
  ArrowField,
  Binary,
  Bool,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  List,
  Uint16,
  Uint32,
  Uint64,
  Uint8,
  Utf8,
  buildData,
  isSupportedType,
  numericConstructor,
  vectorValues,
  type NumericArray,
  type NumericArrayConstructor,
} from './arrow-data.js';
import { LITTLE_ENDIAN, plainReadable, readPlainColumn, writePlainChunk, type DirectWriter, type PlainChunkToRead, type ReadAt } from './plain-columns.js';
import { ParquetColumnNotFoundError, ParquetFileNotFoundError, ParquetFormatError, ParquetInvalidArgumentError, ParquetUnsupportedError } from './errors.js';

/** A Parquet compression codec that {@link writeParquet} writes. */
export type ParquetCompression = 'SNAPPY' | 'GZIP' | 'ZSTD' | 'UNCOMPRESSED';

/** Options of {@link writeParquet}. */
export interface WriteParquetOptions {
  /**
   * The codec (default `SNAPPY`, as pyarrow's). `ZSTD` needs a Node.js whose `zlib` has
   * `zstdCompressSync` (22.15 or later).
   */
  readonly compression?: ParquetCompression;
  /** Rows per row group (default 100 000). */
  readonly rowGroupSize?: number;
}

/** Options of {@link readParquet}. */
export interface ReadParquetOptions {
  /** Top-level columns to read (all when not given); only their column chunks are read. */
  readonly columns?: readonly string[];
  /** First row to read (default 0). */
  readonly rowStart?: number;
  /** One past the last row to read (default: the number of rows). */
  readonly rowEnd?: number;
  /** Called with every byte range `[start, end)` read from the file (diagnostics, tests). */
  readonly onRead?: (start: number, end: number) => void;
}

/** Parquet key-value metadata key where pyarrow, and {@link writeParquet}, keep the Arrow schema. */
export const ARROW_SCHEMA_KEY = 'ARROW:schema';

/** The default number of rows per row group of {@link writeParquet}. */
export const DEFAULT_ROW_GROUP_SIZE = 100_000;

const CREATED_BY = '@skystack/parquet (hyparquet-writer)';

/**
 * Writes an Arrow table to a Parquet file with hyparquet-writer.
 *
 * Arrow types map to Parquet as pyarrow maps them: integers to INT32/INT64 with their
 * `INT_8`/`INT_16`/`UINT_8`/`UINT_16`/`UINT_32`/`UINT_64` annotations, Float32/Float64 to
 * FLOAT/DOUBLE, Bool to BOOLEAN, Utf8 to UTF8 BYTE_ARRAY, Binary to BYTE_ARRAY, List and
 * FixedSizeList to the 3-level LIST structure; a column with no null is REQUIRED. The Arrow
 * schema (with field and schema metadata: doc, units, aliases) is stored, as pyarrow does, under
 * the `ARROW:schema` key so that {@link readParquet} (and pyarrow) restore the exact types. The
 * file is written to a temporary file beside `path` and renamed into place. Numeric columns with
 * no null are written as PLAIN pages straight from their typed arrays (see `plain-columns.ts`);
 * the other columns are encoded by hyparquet-writer.
 *
 * @param path - the output file
 * @param table - the table
 * @param options - compression and row-group size
 * @throws ParquetUnsupportedError for an Arrow type with no mapping, or ZSTD without zlib support
 * @throws ParquetInvalidArgumentError for a bad row-group size
 * @example
 * ```ts
 * import { tableFromArrays } from 'apache-arrow';
 *
 * const table = tableFromArrays({ id: BigInt64Array.from([1n, 2n]), flux: Float64Array.from([10.5, 3.25]) });
 * await writeParquet('src.parquet', table, { compression: 'GZIP' });
 * ```
 * @see pyarrow.parquet.write_table, used by lsst.daf.butler's ParquetFormatter
 */
export async function writeParquet(path: string, table: Table, options: WriteParquetOptions = {}): Promise<void> {
  const codec = options.compression ?? 'SNAPPY';
  const rowGroupSize = options.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE;
  if (!Number.isSafeInteger(rowGroupSize) || rowGroupSize <= 0) {
    throw new ParquetInvalidArgumentError(`rowGroupSize = ${rowGroupSize}; expected a positive integer.`);
  }
  const compressors = compressorsFor(codec);
  const schema: SchemaElement[] = [{ name: 'schema', num_children: table.numCols }];
  const columnData: ColumnSource[] = [];
  const plain = new Map<number, { element: SchemaElement; values: NumericArray }>();
  table.schema.fields.forEach((field: ArrowField, index: number) => {
    const vector = table.getChildAt(index)!;
    const type = field.type as DataType;
    const required = vector.nullCount === 0;
    const { values, valid } = vectorValues(vector);
    let data: ColumnSource['data'];
    if (type.typeId === Type.List || type.typeId === Type.FixedSizeList) {
      const child = (type as List).children[0]!.type;
      schema.push(
        { name: field.name, repetition_type: required ? 'REQUIRED' : 'OPTIONAL', num_children: 1, converted_type: 'LIST', logical_type: { type: 'LIST' } },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        leafElement(field.name, 'element', child, true),
      );
      const rows = new Array<unknown>(values.length);
      for (let i = 0; i < values.length; i++) {
        const row = values[i] as ArrayLike<unknown> | null;
        rows[i] = valid !== undefined && valid[i] === 0 ? null : row == null ? null : Array.from(row);
      }
      data = rows;
    } else {
      const element = leafElement(field.name, field.name, type, required);
      schema.push(element);
      if (valid === undefined && LITTLE_ENDIAN && numericConstructor(type) !== undefined) {
        // Fixed-width numbers with no null: PLAIN pages straight from the typed array.
        plain.set(columnData.length, { element, values: values as NumericArray });
        data = values as ColumnSource['data'];
      } else if (valid === undefined) {
        data = values as ColumnSource['data'];
      } else {
        data = Array.from(values, (v, i) => (valid[i] === 0 ? null : v));
      }
    }
    columnData.push({ name: field.name, data });
  });
  const kvMetadata = [{ key: ARROW_SCHEMA_KEY, value: Buffer.from(tableToIPC(new Table(table.schema), 'stream')).toString('base64') }];

  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const fd = openSync(tmp, 'w');
  let closed = false;
  try {
    await writeRowGroups(fdWriter(fd), { schema, columnData, plain, codec, compressors, rowGroupSize, kvMetadata, numRows: table.numRows });
    fsyncSync(fd);
    closeSync(fd);
    closed = true;
    await rename(tmp, path);
  } catch (error) {
    if (!closed) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw error;
  }
}

/**
 * The compressors hyparquet-writer needs for a codec (SNAPPY is built in).
 *
 * @param codec - the codec
 * @returns the compressors
 * @throws ParquetUnsupportedError for an unknown codec, or ZSTD without zlib support
 */
function compressorsFor(codec: ParquetCompression): Record<string, (input: Uint8Array) => Uint8Array> {
  switch (codec) {
    case 'SNAPPY':
    case 'UNCOMPRESSED':
      return {};
    case 'GZIP':
      return { GZIP: (input) => new Uint8Array(zlib.gzipSync(input)) };
    case 'ZSTD': {
      const zstd = (zlib as unknown as { zstdCompressSync?: (input: Uint8Array) => Buffer }).zstdCompressSync;
      if (zstd === undefined) {
        throw new ParquetUnsupportedError(`Writing ZSTD needs zlib.zstdCompressSync (Node.js 22.15 or later); this is Node.js ${process.versions.node}.`, {
          hint: "Use compression 'SNAPPY' or 'GZIP' (ZSTD files are still read).",
        });
      }
      return { ZSTD: (input) => new Uint8Array(zstd(input)) };
    }
    default:
      throw new ParquetUnsupportedError(`Unknown Parquet compression '${String(codec)}'; expected SNAPPY, GZIP, ZSTD or UNCOMPRESSED.`);
  }
}

/**
 * The Parquet schema element of a primitive Arrow type.
 *
 * @param column - the column, for messages
 * @param name - the element name
 * @param type - the Arrow type
 * @param required - REQUIRED (else OPTIONAL)
 * @returns the element
 * @throws ParquetUnsupportedError for a type with no mapping
 */
function leafElement(column: string, name: string, type: DataType, required: boolean): SchemaElement {
  const repetition_type = required ? 'REQUIRED' : 'OPTIONAL';
  const Ctor = numericConstructor(type);
  // Integer widths go in converted_type only: hyparquet-writer 0.17 encodes the INTEGER logical
  // type in a form DuckDB rejects ("TProtocolException: Invalid data").
  switch (Ctor) {
    case Int8Array:
      return { name, repetition_type, type: 'INT32', converted_type: 'INT_8' };
    case Int16Array:
      return { name, repetition_type, type: 'INT32', converted_type: 'INT_16' };
    case Int32Array:
      return { name, repetition_type, type: 'INT32' };
    case Uint8Array:
      return { name, repetition_type, type: 'INT32', converted_type: 'UINT_8' };
    case Uint16Array:
      return { name, repetition_type, type: 'INT32', converted_type: 'UINT_16' };
    case Uint32Array:
      return { name, repetition_type, type: 'INT32', converted_type: 'UINT_32' };
    case BigInt64Array:
      return { name, repetition_type, type: 'INT64' };
    case BigUint64Array:
      return { name, repetition_type, type: 'INT64', converted_type: 'UINT_64' };
    case Float32Array:
      return { name, repetition_type, type: 'FLOAT' };
    case Float64Array:
      return { name, repetition_type, type: 'DOUBLE' };
    default:
      break;
  }
  switch (type.typeId) {
    case Type.Bool:
      return { name, repetition_type, type: 'BOOLEAN' };
    case Type.Dictionary:
      if ((type as Dictionary).dictionary.typeId !== Type.Utf8) break;
      return { name, repetition_type, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } };
    case Type.Utf8:
    case Type.LargeUtf8:
      return { name, repetition_type, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } };
    case Type.Binary:
      return { name, repetition_type, type: 'BYTE_ARRAY' };
    default:
      break;
  }
  throw new ParquetUnsupportedError(`Column '${column}' has Arrow type ${String(type)}, which writeParquet does not write.`, {
    hint: 'Supported: integers, floats, Bool, Utf8 (also dictionary-encoded), Binary, and (fixed-size) lists of numbers.',
  });
}

/** Target uncompressed bytes per data page, hyparquet-writer's default. */
const PAGE_SIZE = 1 << 20;

interface RowGroupsToWrite {
  readonly schema: SchemaElement[];
  readonly columnData: readonly ColumnSource[];
  /** The columns (by index) written by the fast path, with their leaf element and values. */
  readonly plain: ReadonlyMap<number, { element: SchemaElement; values: NumericArray }>;
  readonly codec: ParquetCompression;
  readonly compressors: Record<string, (input: Uint8Array) => Uint8Array>;
  readonly rowGroupSize: number;
  readonly kvMetadata: { key: string; value: string }[];
  readonly numRows: number;
}

/**
 * Writes the row groups and the footer with hyparquet-writer's `ParquetWriter`, one column chunk
 * at a time: fast-path columns with {@link writePlainChunk}, the others with `ParquetWriter.write`
 * (as a one-column row group whose chunk is moved into the real row group). The footer, offset
 * indexes and statistics encoding are hyparquet-writer's.
 *
 * @param writer - the file writer
 * @param w - the schema, columns, codec and sizes
 */
async function writeRowGroups(writer: DirectWriter, w: RowGroupsToWrite): Promise<void> {
  const pq = new ParquetWriter({ writer, schema: w.schema, codec: w.codec, compressors: w.compressors, kvMetadata: w.kvMetadata, createdBy: CREATED_BY });
  const compress = w.codec === 'UNCOMPRESSED' ? undefined : (pq.compressors as Record<string, ((input: Uint8Array) => Uint8Array) | undefined>)[w.codec];
  const options = { codec: w.codec, compress, pageSize: PAGE_SIZE } as const;
  for (let g = 0; g < w.numRows; g += w.rowGroupSize) {
    const size = Math.min(w.rowGroupSize, w.numRows - g);
    const groupStart = writer.offset;
    const columns: ColumnChunk[] = [];
    for (let c = 0; c < w.columnData.length; c++) {
      const fast = w.plain.get(c);
      if (fast !== undefined) {
        const written = writePlainChunk(writer, fast.element, fast.values.subarray(g, g + size), options);
        columns.push(written.chunk);
        pq.pendingIndexes.push(written);
      } else {
        const { name, data } = w.columnData[c]!;
        const part = ArrayBuffer.isView(data) ? (data as Float64Array).subarray(g, g + size) : data.slice(g, g + size);
        await pq.write({ columnData: [{ name, data: part }], rowGroupSize: size });
        columns.push(...pq.row_groups.pop()!.columns);
      }
    }
    let total_byte_size = 0n;
    for (const { meta_data } of columns) total_byte_size += meta_data?.total_uncompressed_size ?? 0n;
    pq.row_groups.push({ columns, total_byte_size, num_rows: BigInt(size), total_compressed_size: BigInt(writer.offset - groupStart) });
  }
  pq.num_rows = BigInt(w.numRows);
  await pq.finish();
}

/**
 * A hyparquet-writer `Writer` that flushes to an open file descriptor every megabyte, and
 * writes large blocks (page bodies) straight from the caller's bytes.
 *
 * @param fd - the file descriptor
 * @returns the writer
 */
function fdWriter(fd: number): DirectWriter {
  const writer = new ByteWriter() as ByteWriter & DirectWriter;
  const chunkSize = 1 << 20;
  const writeAll = (bytes: Uint8Array): void => {
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
  };
  const flush = (): void => {
    writeAll(new Uint8Array(writer.buffer, 0, writer.index));
    writer.index = 0;
  };
  writer.writeDirect = (bytes: Uint8Array): void => {
    if (bytes.length < 1 << 16) {
      writer.appendBytes(bytes);
      return;
    }
    flush();
    writeAll(bytes);
    writer.offset += bytes.length;
  };
  writer.ensure = (size: number): void => {
    if (writer.index > chunkSize) flush();
    if (writer.index + size > writer.buffer.byteLength) {
      const next = new ArrayBuffer(Math.max(writer.buffer.byteLength * 2, writer.index + size));
      new Uint8Array(next).set(new Uint8Array(writer.buffer, 0, writer.index));
      writer.buffer = next;
      writer.view = new DataView(next);
    }
  };
  writer.finish = flush;
  return writer;
}

/**
 * Reads a Parquet file (or some of its columns and rows) into an Arrow table, with hyparquet.
 *
 * Only the footer and the column chunks of the requested columns (in the row groups that
 * overlap the requested rows) are read from the file. Every codec is read (SNAPPY, GZIP, ZSTD,
 * BROTLI, LZ4) through hyparquet-compressors. Types: when the file has an `ARROW:schema` (files
 * from {@link writeParquet} and pyarrow) the Arrow types and field/schema metadata come from it;
 * otherwise from the Parquet schema: INT32 → Int32 (Int8/Int16/Uint8/Uint16/Uint32 by their
 * annotation), INT64 → Int64 (BigInt64Array; Uint64 for `UINT_64`), FLOAT/DOUBLE →
 * Float32/Float64, BOOLEAN → Bool, UTF8/STRING byte arrays (plain or dictionary-encoded) → Utf8,
 * other byte arrays → Binary, LIST → List of the element type. OPTIONAL columns keep their nulls.
 *
 * @param path - the Parquet file
 * @param options - columns, row range, read callback
 * @returns the table
 * @throws ParquetFileNotFoundError when the file does not exist
 * @throws ParquetFormatError when it is not a Parquet file, or is damaged
 * @throws ParquetColumnNotFoundError when a requested column is not in the file
 * @throws ParquetUnsupportedError when a requested column has a type with no Arrow mapping here
 *   (timestamps, decimals, structs, maps)
 * @throws ParquetInvalidArgumentError for a bad row range
 * @example
 * ```ts
 * const table = await readParquet('sourceTable.parquet', { columns: ['coord_ra', 'coord_dec'] });
 * table.getChild('coord_ra')?.toArray(); // Float64Array
 * ```
 * @see pyarrow.parquet.read_table (with `columns`), used by lsst.daf.butler's ParquetFormatter
 */
export async function readParquet(path: string, options: ReadParquetOptions = {}): Promise<Table> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') throw new ParquetFileNotFoundError(path, { cause });
    throw cause;
  }
  try {
    const { size } = await handle.stat();
    const readAt: ReadAt = async (bytes, position) => {
      let done = 0;
      while (done < bytes.length) {
        const { bytesRead } = await handle.read(bytes, done, bytes.length - done, position + done);
        if (bytesRead === 0) throw new ParquetFormatError(`'${path}' ends at byte ${position + done}; expected ${bytes.length - done} more bytes of a column chunk.`);
        done += bytesRead;
      }
      options.onRead?.(position, position + done);
    };
    const file: AsyncBuffer = {
      byteLength: size,
      async slice(start: number, end: number = size): Promise<ArrayBuffer> {
        const length = Math.max(0, end - start);
        const bytes = new Uint8Array(length);
        let done = 0;
        while (done < length) {
          const { bytesRead } = await handle.read(bytes, done, length - done, start + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
        options.onRead?.(start, start + done);
        return bytes.buffer;
      },
    };
    const magic = async (at: number): Promise<string> => Buffer.from(await file.slice(at, at + 4)).toString('latin1');
    if (size < 12 || (await magic(0)) !== 'PAR1' || (await magic(size - 4)) !== 'PAR1') {
      throw new ParquetFormatError(`'${path}' is not a Parquet file: expected 'PAR1' at its start and end (${size} bytes).`);
    }
    let metadata: FileMetaData;
    try {
      metadata = await parquetMetadataAsync(file, { initialFetchSize: 1 << 16 });
    } catch (cause) {
      throw new ParquetFormatError(`'${path}' has a damaged Parquet footer: ${(cause as Error).message}`, { cause });
    }
    return await readTable(path, file, readAt, metadata, options);
  } finally {
    await handle.close();
  }
}

interface Chunk {
  readonly data: ArrayLike<unknown>;
  readonly rowStart: number;
  readonly rowEnd: number;
}

async function readTable(path: string, file: AsyncBuffer, readAt: ReadAt, metadata: FileMetaData, options: ReadParquetOptions): Promise<Table> {
  const tree = parquetSchema(metadata);
  const available = tree.children.map((c) => c.element.name);
  const byName = new Map(tree.children.map((c) => [c.element.name, c]));
  const columns = options.columns === undefined ? available : [...options.columns];
  for (const c of columns) if (!byName.has(c)) throw new ParquetColumnNotFoundError(path, c, available);

  const numRows = Number(metadata.num_rows);
  const rowStart = options.rowStart ?? 0;
  const rowEnd = Math.min(options.rowEnd ?? numRows, numRows);
  if (!Number.isSafeInteger(rowStart) || rowStart < 0 || !Number.isSafeInteger(rowEnd) || rowEnd < rowStart) {
    throw new ParquetInvalidArgumentError(`Row range [${options.rowStart}, ${options.rowEnd}) is invalid for '${path}' of ${numRows} rows; expected 0 <= rowStart <= rowEnd.`);
  }

  // Arrow schema stored by pyarrow or writeParquet.
  const kv = metadata.key_value_metadata ?? [];
  let stored: ArrowSchema | undefined;
  const schemaMetadata = new Map<string, string>();
  for (const { key, value } of kv) {
    if (key === ARROW_SCHEMA_KEY) {
      try {
        stored = tableFromIPC(Buffer.from(value ?? '', 'base64')).schema;
      } catch {
        stored = undefined; // unreadable: fall back to the Parquet schema
      }
    } else if (value !== undefined) {
      schemaMetadata.set(key, value);
    }
  }
  if (stored !== undefined) for (const [k, v] of stored.metadata) schemaMetadata.set(k, v);
  const storedFields = new Map((stored?.fields ?? []).map((f: ArrowField) => [f.name, f]));

  const fields: ArrowField[] = [];
  for (const name of columns) {
    const node = byName.get(name)!;
    const nullable = node.element.repetition_type !== 'REQUIRED';
    const fallback = arrowTypeOfParquet(path, name, node);
    const s = storedFields.get(name);
    fields.push(s !== undefined && isSupportedType(s.type as DataType) && compatible(s.type as DataType, fallback) ? s : new ArrowField(name, fallback, nullable, s?.metadata));
  }

  const chunks = new Map<string, Chunk[]>(columns.map((c) => [c, []]));
  // Flat numeric columns of PLAIN pages without nulls: copy the page bytes into the output array.
  const direct = new Map<string, NumericArray>();
  if (rowEnd > rowStart) {
    for (const field of fields) {
      const name = field.name;
      const Ctor = numericConstructor(field.type as DataType);
      const node = byName.get(name)!;
      if (Ctor === undefined || node.children.length > 0) continue;
      const index = metadata.schema.indexOf(node.element) - 1;
      const toRead: PlainChunkToRead[] = [];
      let groupStart = 0;
      for (const group of metadata.row_groups) {
        const groupRows = Number(group.num_rows);
        const chunk = group.columns.find((c) => c.meta_data?.path_in_schema.length === 1 && c.meta_data.path_in_schema[0] === name) ?? group.columns[index];
        if (groupStart < rowEnd && groupStart + groupRows > rowStart && chunk !== undefined) toRead.push({ groupStart, chunk });
        groupStart += groupRows;
      }
      if (!plainReadable(node.element, toRead.map((c) => c.chunk), decompressors)) continue;
      let values: NumericArray | undefined;
      try {
        values = await readPlainColumn(readAt, toRead, Ctor, rowStart, rowEnd, decompressors as never, node.element.repetition_type === 'OPTIONAL');
      } catch (cause) {
        if (cause instanceof ParquetFormatError) throw cause;
        throw new ParquetFormatError(`Could not read column '${name}' of '${path}': ${(cause as Error).message}`, { cause });
      }
      if (values !== undefined) direct.set(name, values);
    }
  }
  const rest = columns.filter((c) => !direct.has(c));
  if (rest.length > 0 && rowEnd > rowStart) {
    try {
      await parquetRead({
        file,
        metadata,
        columns: rest,
        rowStart,
        rowEnd,
        compressors: decompressors,
        utf8: false,
        onChunk: ({ columnName, columnData, rowStart: s, rowEnd: e }) => {
          chunks.get(columnName)?.push({ data: columnData, rowStart: s, rowEnd: e });
        },
      });
    } catch (cause) {
      throw new ParquetFormatError(`Could not read columns of '${path}': ${(cause as Error).message}`, { cause });
    }
  }

  const length = rowEnd - rowStart;
  const children: Data[] = fields.map((field) => {
    const type = field.type as DataType;
    const Ctor = numericConstructor(type);
    const columnChunks = chunks.get(field.name)!;
    const values = direct.get(field.name);
    if (values !== undefined) return makeData({ type, length, data: values } as never) as Data;
    if (Ctor !== undefined) return gatherNumeric(type, Ctor, columnChunks, rowStart, rowEnd);
    return buildData(type, gather(columnChunks, rowStart, rowEnd));
  });
  const schema = new ArrowSchema(fields, schemaMetadata);
  const struct = makeData({ type: new Struct(fields), length, nullCount: 0, children });
  return new Table(schema, new RecordBatch(schema, struct));
}

/**
 * Whether a stored Arrow type can hold what the Parquet column decodes to (same kind: numeric,
 * Bool, string, binary or list).
 *
 * @param stored - the type in `ARROW:schema`
 * @param parquet - the type derived from the Parquet schema
 * @returns true when the stored type is used
 */
function compatible(stored: DataType, parquet: DataType): boolean {
  const kind = (t: DataType): string => {
    if (numericConstructor(t) !== undefined) return 'number';
    if (t.typeId === Type.FixedSizeList || t.typeId === Type.List) return `list<${kind((t as List).children[0]!.type)}>`;
    if (t.typeId === Type.LargeUtf8) return String(Type.Utf8);
    return String(t.typeId);
  };
  return kind(stored) === kind(parquet);
}

/**
 * Builds the Arrow data of a numeric column straight from its decoded chunks: typed arrays are
 * used as they are (one chunk covering the range) or copied with `set`; JS arrays (OPTIONAL or
 * dictionary-encoded columns) are copied with `set` too, after a scan for nulls.
 *
 * @param type - the Arrow type
 * @param Ctor - its typed-array constructor
 * @param chunks - the chunks hyparquet decoded
 * @param rowStart - first row
 * @param rowEnd - one past the last row
 * @returns the data
 */
function gatherNumeric(type: DataType, Ctor: NumericArrayConstructor, chunks: Chunk[], rowStart: number, rowEnd: number): Data {
  chunks.sort((a, b) => a.rowStart - b.rowStart);
  const length = rowEnd - rowStart;
  const first = chunks[0];
  if (chunks.length === 1 && first!.rowStart === rowStart && first!.rowEnd === rowEnd && first!.data instanceof Ctor) {
    return makeData({ type, length, data: first!.data } as never) as Data;
  }
  const big = Ctor === BigInt64Array || Ctor === BigUint64Array;
  const out = new Ctor(length);
  let bitmap: Uint8Array | undefined;
  let nullCount = 0;
  for (const c of chunks) {
    const s = Math.max(c.rowStart, rowStart);
    const e = Math.min(c.rowEnd, rowEnd);
    if (e <= s) continue;
    const o = s - rowStart;
    const data = c.data as ArrayLike<unknown> & { subarray?: unknown; slice(a: number, b: number): ArrayLike<unknown> };
    const segment = s === c.rowStart && e === c.rowEnd ? data : ArrayBuffer.isView(data) ? (data as unknown as Float64Array).subarray(s - c.rowStart, e - c.rowStart) : data.slice(s - c.rowStart, e - c.rowStart);
    const segmentBig = segment instanceof BigInt64Array || segment instanceof BigUint64Array;
    if (ArrayBuffer.isView(segment) && segmentBig === big) {
      (out as Float64Array).set(segment as unknown as Float64Array, o);
      continue;
    }
    let nulls = false;
    let sameKind = true;
    for (let i = 0; i < segment.length; i++) {
      const v = segment[i];
      if (v == null) nulls = true;
      else if ((typeof v === 'bigint') !== big) sameKind = false;
    }
    if (!nulls && sameKind) {
      (out as Float64Array).set(segment as ArrayLike<number>, o);
      continue;
    }
    for (let i = 0; i < segment.length; i++) {
      const v = segment[i];
      if (v == null) {
        bitmap ??= new Uint8Array(Math.ceil(length / 8)).fill(0xff);
        bitmap[(o + i) >> 3]! &= ~(1 << ((o + i) & 7));
        nullCount++;
      } else {
        (out as Float64Array)[o + i] = (big ? BigInt(v as number) : Number(v)) as number;
      }
    }
  }
  return makeData({ type, length, data: out, nullBitmap: bitmap, nullCount } as never) as Data;
}

/**
 * Concatenates the decoded chunks of one column over `[rowStart, rowEnd)`.
 *
 * @param chunks - the chunks hyparquet decoded (they may extend beyond the range)
 * @param rowStart - first row
 * @param rowEnd - one past the last row
 * @returns the values (a typed array when every chunk is one of the same kind)
 */
function gather(chunks: Chunk[], rowStart: number, rowEnd: number): ArrayLike<unknown> {
  chunks.sort((a, b) => a.rowStart - b.rowStart);
  const length = rowEnd - rowStart;
  const first = chunks[0];
  if (first === undefined) return [];
  const Ctor = ArrayBuffer.isView(first.data) ? (first.data.constructor as { new (n: number): Float64Array }) : undefined;
  if (chunks.length === 1 && first.rowStart === rowStart && first.rowEnd === rowEnd) return first.data;
  if (Ctor !== undefined && chunks.every((c) => c.data.constructor === Ctor)) {
    const out = new Ctor(length);
    for (const c of chunks) {
      const s = Math.max(c.rowStart, rowStart);
      const e = Math.min(c.rowEnd, rowEnd);
      if (e > s) out.set((c.data as Float64Array).subarray(s - c.rowStart, e - c.rowStart), s - rowStart);
    }
    return out;
  }
  const out = new Array<unknown>(length);
  for (const c of chunks) {
    const s = Math.max(c.rowStart, rowStart);
    const e = Math.min(c.rowEnd, rowEnd);
    for (let r = s; r < e; r++) out[r - rowStart] = c.data[r - c.rowStart];
  }
  return out;
}

/**
 * The Arrow type of a top-level Parquet column, from its schema (see {@link readParquet}).
 *
 * @param path - the file, for messages
 * @param column - the top-level column, for messages
 * @param node - the column's schema node
 * @returns the Arrow type
 * @throws ParquetUnsupportedError for types with no mapping
 */
function arrowTypeOfParquet(path: string, column: string, node: SchemaTree): DataType {
  const element = node.element;
  const unsupported = (): never => {
    throw new ParquetUnsupportedError(
      `Column '${column}' of '${path}' has a Parquet type (${element.type ?? 'group'}${element.converted_type ? ` ${element.converted_type}` : ''}${element.logical_type ? ` ${element.logical_type.type}` : ''}) that readParquet does not read.`,
      { hint: 'Leave it out with the columns option.' },
    );
  };
  if (node.children.length > 0) {
    const isList = element.converted_type === 'LIST' || element.logical_type?.type === 'LIST';
    if (!isList || node.children.length !== 1) return unsupported();
    const repeated = node.children[0]!;
    // 3-level (list/element) or legacy 2-level (repeated leaf) lists.
    const leaf = repeated.children.length === 1 ? repeated.children[0]! : repeated.children.length === 0 ? repeated : undefined;
    if (leaf === undefined || leaf.children.length > 0) return unsupported();
    const child = arrowTypeOfParquet(path, column, leaf);
    return new List(new ArrowField('element', child, leaf.element.repetition_type === 'OPTIONAL'));
  }
  const logical = element.logical_type;
  const converted = element.converted_type;
  const intType = (bitWidth: number, signed: boolean): DataType | undefined => {
    const table: Record<string, () => DataType> = {
      '8true': () => new Int8(), '16true': () => new Int16(), '32true': () => new Int32(), '64true': () => new Int64(),
      '8false': () => new Uint8(), '16false': () => new Uint16(), '32false': () => new Uint32(), '64false': () => new Uint64(),
    };
    return table[`${bitWidth}${signed}`]?.();
  };
  switch (element.type) {
    case 'BOOLEAN':
      return new Bool();
    case 'INT32':
    case 'INT64': {
      const width = element.type === 'INT32' ? 32 : 64;
      if (logical !== undefined) {
        if (logical.type !== 'INTEGER') return unsupported();
        return intType(logical.bitWidth, logical.isSigned) ?? unsupported();
      }
      if (converted === undefined) return intType(width, true)!;
      const match = /^(U?)INT_(8|16|32|64)$/.exec(converted);
      if (match === null) return unsupported();
      return intType(Number(match[2]), match[1] === '') ?? unsupported();
    }
    case 'FLOAT':
      return new Float32();
    case 'DOUBLE':
      return new Float64();
    case 'BYTE_ARRAY': {
      const stringy = converted === 'UTF8' || converted === 'JSON' || converted === 'ENUM' || logical?.type === 'STRING' || logical?.type === 'JSON' || logical?.type === 'ENUM';
      if (stringy) return new Utf8();
      if (converted === undefined && logical === undefined) return new Binary();
      return unsupported();
    }
    default:
      return unsupported();
  }
}

