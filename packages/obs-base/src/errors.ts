// The errors of @skystack/obs-base: stable codes, messages that say what was wrong, what was
// expected and what was given.
import { SkyStackError, type SkyStackErrorOptions } from '@skystack/base';

/**
 * Thrown when an argument or a read parameter is not one that is accepted (a `bbox` that is
 * not a Box2I, an unknown detector, a bad transfer mode).
 *
 * @see lsst.pex.exceptions.InvalidParameterError
 */
export class ObsBaseInvalidArgumentError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what was wrong, what was expected, what was given
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('OBS_BASE_INVALID_ARGUMENT', message, options);
  }
}

/**
 * Thrown when something asked for by name or ID does not exist: a detector of a camera, a
 * physical filter, an instrument that is not registered.
 */
export class ObsBaseNotFoundError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what was looked for and what exists
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('OBS_BASE_NOT_FOUND', message, options);
  }
}

/**
 * Thrown when a raw header cannot be translated: a required keyword is missing or has the
 * wrong type, or no translator claims the header.
 *
 * @see astro_metadata_translator.MetadataTranslator
 */
export class ObsBaseTranslationError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - which keyword, what was expected, what was found
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('OBS_BASE_TRANSLATION', message, options);
  }
}

/**
 * Thrown when a file cannot be read or written by one of the formatters (wrong in-memory type,
 * a file that is not what its dataset says).
 *
 * @see lsst.daf.butler.FormatterV2
 */
export class ObsBaseFormatterError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what failed, with the file
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('OBS_BASE_FORMATTER', message, options);
  }
}

/**
 * Thrown when raw ingest or visit definition cannot go on (nothing to ingest, no exposures
 * for visits, a file that fails, listed with its reason).
 *
 * @see lsst.obs.base.RawIngestTask
 */
export class ObsBaseIngestError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what failed and why
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('OBS_BASE_INGEST', message, options);
  }
}
