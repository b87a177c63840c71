import { SkyStackError, type SkyStackErrorOptions } from '@skystack/base';

/**
 * Thrown when a field, alias or slot is not in a schema (`AFW_TABLE_NOT_FOUND`), as
 * lsst.afw.table raises `NotFoundError` from `Schema.find`.
 */
export class AfwTableNotFoundError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what was looked up, and where
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('AFW_TABLE_NOT_FOUND', message, options);
  }
}

/**
 * Thrown for an invalid argument (`AFW_TABLE_INVALID_ARGUMENT`): a duplicate field name, an
 * unknown field type, a value of the wrong type for a field, a row index out of range.
 */
export class AfwTableInvalidArgumentError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what was wrong, what was expected and what was given
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('AFW_TABLE_INVALID_ARGUMENT', message, options);
  }
}

/**
 * Thrown when a FITS file is not a valid afw table (`AFW_TABLE_FORMAT`): a malformed `ALIAS`
 * card, a `FLAGCOL` that is not a bit column, a flag bit beyond the bit column, an Angle column
 * not in radians, a cycle in the aliases.
 */
export class AfwTableFormatError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what was wrong, in which file and HDU
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('AFW_TABLE_FORMAT', message, options);
  }
}
