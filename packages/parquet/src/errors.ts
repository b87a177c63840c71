import { SkyStackError, type SkyStackErrorOptions } from '@skystack/base';

/**
 * Base class of the errors of `@skystack/parquet`; every one has a stable `code` starting with
 * `PARQUET_`.
 *
 * @example
 * ```ts
 * try {
 *   await readParquet('sourceTable.parquet', { columns: ['coord_ra'] });
 * } catch (error) {
 *   if (error instanceof ParquetError) console.error(error.code, error.message);
 * }
 * ```
 */
export class ParquetError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param code - stable identifier of the failure kind (`PARQUET_...`)
   * @param message - what failed, what was expected and what was given
   * @param options - `cause` and `hint`
   */
  constructor(code: string, message: string, options: SkyStackErrorOptions = {}) {
    super(code, message, options);
  }
}

/**
 * Thrown by {@link readParquet} when the file does not exist (`PARQUET_FILE_NOT_FOUND`).
 */
export class ParquetFileNotFoundError extends ParquetError {
  /** The path that was not found. */
  readonly path: string;

  /**
   * Makes the error.
   *
   * @param path - the missing file
   * @param options - `cause` and `hint`
   */
  constructor(path: string, options: SkyStackErrorOptions = {}) {
    super('PARQUET_FILE_NOT_FOUND', `Parquet file '${path}' does not exist.`, options);
    this.path = path;
  }
}

/**
 * Thrown by {@link readParquet} when a requested column is not in the file
 * (`PARQUET_COLUMN_NOT_FOUND`); the message lists the available columns and suggests close
 * names.
 */
export class ParquetColumnNotFoundError extends ParquetError {
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
    super('PARQUET_COLUMN_NOT_FOUND', `Column '${column}' is not in Parquet file '${path}'; available columns (${available.length}): ${available.join(', ')}.`, {
      ...(close.length > 0 ? { hint: `Did you mean ${close.map((c) => `'${c}'`).join(' or ')}?` } : {}),
    });
    this.column = column;
    this.available = available;
  }
}

/**
 * Thrown by {@link readParquet} when a file is not Parquet or is damaged (`PARQUET_FORMAT`).
 */
export class ParquetFormatError extends ParquetError {
  /**
   * Makes the error.
   *
   * @param message - what is wrong with the file, and which file
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('PARQUET_FORMAT', message, options);
  }
}

/**
 * Thrown when a column type or a compression codec is not supported by {@link readParquet} or
 * {@link writeParquet} (`PARQUET_UNSUPPORTED`).
 */
export class ParquetUnsupportedError extends ParquetError {
  /**
   * Makes the error.
   *
   * @param message - what is not supported, and what is
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('PARQUET_UNSUPPORTED', message, options);
  }
}

/**
 * Thrown for an invalid option (`PARQUET_INVALID_ARGUMENT`): a row-group size that is not a
 * positive integer, a row range with `rowEnd < rowStart` or a negative start.
 */
export class ParquetInvalidArgumentError extends ParquetError {
  /**
   * Makes the error.
   *
   * @param message - what was wrong, what was expected and what was given
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('PARQUET_INVALID_ARGUMENT', message, options);
  }
}
