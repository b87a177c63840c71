import { SkyStackError, type SkyStackErrorOptions } from '@skystack/base';

/**
 * Thrown when an argument is not one the display or a figure accepts: an unknown stretch or
 * colour, a binning factor that is not a positive integer, `scale('linear', 10)` without a
 * maximum, mismatched `x`/`y` lengths in a scatter plot.
 */
export class AfwDisplayInvalidArgumentError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what was wrong, what was expected and what was given
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('AFW_DISPLAY_INVALID_ARGUMENT', message, options);
  }
}

/**
 * Thrown when an operation needs state the display does not have yet: `toPng()` before
 * `mtv()`, or `scale('linear', 'zscale')` limits asked for with no image loaded.
 */
export class AfwDisplayStateError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what was asked for and what is missing
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('AFW_DISPLAY_STATE', message, options);
  }
}

/**
 * Thrown when a PNG cannot be written (the directory is missing, no permission, disk full). The
 * temporary file is removed and the target is left as it was.
 */
export class AfwDisplayWriteError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - the path and what failed
   * @param options - `cause` (the file-system error) and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('AFW_DISPLAY_WRITE', message, options);
  }
}
