import { SkyStackError, type SkyStackErrorOptions } from '@skystack/base';

/**
 * Thrown when a WCS cannot be built or read (`WCS_FORMAT`): a header without a celestial WCS,
 * an unsupported projection or `CTYPE`, a malformed AST FrameSet or archive entry.
 */
export class WcsFormatError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what was wrong, and where
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('WCS_FORMAT', message, options);
  }
}

/**
 * Thrown for an invalid argument (`WCS_INVALID_ARGUMENT`): a singular CD matrix, arrays of
 * different lengths, too few matches to fit.
 */
export class WcsInvalidArgumentError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what was wrong, what was expected and what was given
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('WCS_INVALID_ARGUMENT', message, options);
  }
}

/**
 * Thrown when a transform does not converge or a point is outside a projection's domain and
 * the caller asked for an error instead of NaN (`WCS_DOMAIN`).
 */
export class WcsDomainError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - the point and why it has no image
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('WCS_DOMAIN', message, options);
  }
}
