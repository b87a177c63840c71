import { SkyStackError, type SkyStackErrorOptions } from '@skystack/base';

/**
 * Thrown for an invalid argument (`HEALSPARSE_INVALID_ARGUMENT`): an `nside` that is not a
 * power of 2, a sparse `nside` below the coverage `nside`, a pixel index outside the sphere,
 * a bit beyond the wide mask, a value that the map's type cannot hold, metadata that a FITS
 * header cannot hold.
 */
export class HealSparseInvalidArgumentError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what was wrong, what was expected and what was given
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('HEALSPARSE_INVALID_ARGUMENT', message, options);
  }
}

/**
 * Thrown when an operation does not apply to the map's data type (`HEALSPARSE_WRONG_DTYPE`):
 * bit operations on a map that is not a wide mask, values on a wide mask, a bitwise `and` of
 * floating-point maps.
 */
export class HealSparseDtypeError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - the operation, the type it needs and the type the map has
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('HEALSPARSE_WRONG_DTYPE', message, options);
  }
}

/**
 * Thrown when a file or byte buffer is not a readable HealSparse FITS file
 * (`HEALSPARSE_FORMAT`): not FITS, truncated, missing the `COV`/`SPARSE` HDUs or their
 * keywords, or with a coverage index that does not fit the sparse map.
 */
export class HealSparseFormatError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what was wrong, and where
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('HEALSPARSE_FORMAT', message, options);
  }
}

/**
 * Thrown for HealSparse content this package does not handle (`HEALSPARSE_UNSUPPORTED`):
 * record-array (binary table) sparse maps, plain HEALPix files, `int8` maps.
 */
export class HealSparseUnsupportedError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what the file holds that is not supported
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('HEALSPARSE_UNSUPPORTED', message, options);
  }
}
