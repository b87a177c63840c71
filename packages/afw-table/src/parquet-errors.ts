import type { SkyStackErrorOptions } from '@skystack/base';
import { AfwTableFormatError, AfwTableInvalidArgumentError, AfwTableNotFoundError } from './errors.js';

/**
 * Thrown by {@link readParquet} when the file does not exist (`AFW_TABLE_PARQUET_FILE_NOT_FOUND`);
 * an {@link AfwTableNotFoundError}.
 */
export class ParquetFileNotFoundError extends AfwTableNotFoundError {
  /** The stable code. */
  override readonly code: string = 'AFW_TABLE_PARQUET_FILE_NOT_FOUND';
  /** The path that was not found. */
  readonly path: string;

  /**
   * Makes the error.
   *
   * @param path - the missing file
   * @param options - `cause` and `hint`
   */
  constructor(path: string, options: SkyStackErrorOptions = {}) {
    super(`Parquet file '${path}' does not exist.`, options);
    this.path = path;
  }
}

/**
 * Thrown by {@link readParquet} when a requested column is not in the file
 * (`AFW_TABLE_PARQUET_COLUMN_NOT_FOUND`); the message lists the available columns. An
 * {@link AfwTableNotFoundError}.
 */
export class ParquetColumnNotFoundError extends AfwTableNotFoundError {
  /** The stable code. */
  override readonly code: string = 'AFW_TABLE_PARQUET_COLUMN_NOT_FOUND';
  /** The requested column. */
  readonly column: string;
  /** The top-level columns the file has. */
  readonly available: readonly string[];

  /**
   * Makes the error.
   *
   * @param path - the file
   * @param column - the requested column
   * @param available - the file's columns
   */
  constructor(path: string, column: string, available: readonly string[]) {
    const lower = column.toLowerCase();
    const close = available.filter((c) => c.toLowerCase() === lower || c.toLowerCase().includes(lower)).slice(0, 3);
    super(`Column '${column}' is not in Parquet file '${path}'; available columns (${available.length}): ${available.join(', ')}.`, {
      ...(close.length > 0 ? { hint: `Did you mean ${close.map((c) => `'${c}'`).join(' or ')}?` } : {}),
    });
    this.column = column;
    this.available = available;
  }
}

/**
 * Thrown by {@link readParquet} when a file is not Parquet or is damaged
 * (`AFW_TABLE_PARQUET_FORMAT`); an {@link AfwTableFormatError}.
 */
export class ParquetFormatError extends AfwTableFormatError {
  /** The stable code. */
  override readonly code: string = 'AFW_TABLE_PARQUET_FORMAT';
}

/**
 * Thrown when a column type or a compression codec is not supported by the Parquet reader or
 * writer (`AFW_TABLE_PARQUET_UNSUPPORTED`); an {@link AfwTableInvalidArgumentError}.
 */
export class ParquetUnsupportedError extends AfwTableInvalidArgumentError {
  /** The stable code. */
  override readonly code: string = 'AFW_TABLE_PARQUET_UNSUPPORTED';
}
