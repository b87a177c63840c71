// @skystack/parquet: Apache Arrow tables to and from Parquet files (hyparquet, pure JavaScript).

// Parquet files
export { writeParquet, readParquet, ARROW_SCHEMA_KEY, DEFAULT_ROW_GROUP_SIZE } from './parquet.js';
export type { ParquetCompression, WriteParquetOptions, ReadParquetOptions } from './parquet.js';

// Errors
export {
  ParquetError,
  ParquetFileNotFoundError,
  ParquetColumnNotFoundError,
  ParquetFormatError,
  ParquetUnsupportedError,
  ParquetInvalidArgumentError,
} from './errors.js';

// Arrow helpers (plain values <-> Arrow buffers), shared with @skystack/afw-table's catalog conversion
export { numericConstructor, packBits, encodeUtf8, vectorValues } from './arrow-data.js';
export type { NumericArray, NumericArrayConstructor, Utf8Buffers, VectorValues } from './arrow-data.js';
