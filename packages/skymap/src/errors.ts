import { SkyStackError, type SkyStackErrorOptions } from '@skystack/base';

/**
 * Thrown for an invalid sky map configuration or argument (`SKYMAP_INVALID_ARGUMENT`): a
 * non-positive `numRings`, lists of different lengths, an unknown tract builder or named sky map.
 */
export class SkymapInvalidArgumentError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what was wrong, what was expected and what was given
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('SKYMAP_INVALID_ARGUMENT', message, options);
  }
}

/**
 * Thrown when a tract or patch index is out of range (`SKYMAP_INDEX_OUT_OF_RANGE`); lsst.skymap
 * raises `IndexError` there.
 */
export class SkymapIndexError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - the index given and the valid range
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('SKYMAP_INDEX_OUT_OF_RANGE', message, options);
  }
}

/**
 * Thrown when a coordinate is not on a tract (`SKYMAP_LOOKUP`), e.g. by `TractInfo.findPatch`;
 * lsst.skymap raises `LookupError` there.
 */
export class SkymapLookupError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - the coordinate and the tract
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('SKYMAP_LOOKUP', message, options);
  }
}

/**
 * Thrown for a sky map description that names an unknown sky map class or has fields its class
 * does not have (`SKYMAP_CONFIG`); `allowed` lists what would have been accepted.
 */
export class SkymapConfigError extends SkyStackError {
  /** The names or fields that are allowed where the bad one was given. */
  readonly allowed: readonly string[];

  /**
   * Makes the error.
   *
   * @param message - what was wrong and what was given
   * @param allowed - the allowed names or fields (listed in the hint)
   * @param options - `cause`
   */
  constructor(message: string, allowed: readonly string[], options: SkyStackErrorOptions = {}) {
    super('SKYMAP_CONFIG', message, { hint: `Allowed: ${allowed.join(', ')}.`, ...options });
    this.allowed = Object.freeze([...allowed]);
  }
}
