import { SkyStackError, type SkyStackErrorOptions } from '@skystack/base';

/**
 * Thrown for an invalid argument (`MEAS_ASTROM_INVALID_ARGUMENT`): an unknown filter, a
 * catalog without the fields a step needs, mismatched shard schemas, a bad config value.
 */
export class MeasAstromInvalidArgumentError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what was wrong, what was expected and what was given
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('MEAS_ASTROM_INVALID_ARGUMENT', message, options);
  }
}

/**
 * Thrown when no reference catalog shard overlaps the requested region
 * (`MEAS_ASTROM_REFCAT_NOT_FOUND`).
 */
export class MeasAstromRefcatNotFoundError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - the region and the shards that were available
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('MEAS_ASTROM_REFCAT_NOT_FOUND', message, options);
  }
}

/**
 * Thrown when sources cannot be matched to reference objects (`MEAS_ASTROM_MATCH_FAILED`):
 * no good sources, no pattern found, or fewer matches than a fit needs.
 */
export class MeasAstromMatchError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what was found and what was needed
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('MEAS_ASTROM_MATCH_FAILED', message, options);
  }
}

/**
 * Thrown when a WCS fit fails (`MEAS_ASTROM_FIT_FAILED`): every match rejected, or the scatter
 * above `maxScatterArcsec`.
 */
export class MeasAstromFitError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what the fit found and the limit it broke
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('MEAS_ASTROM_FIT_FAILED', message, options);
  }
}
