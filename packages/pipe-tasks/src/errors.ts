import { SkyStackError, type SkyStackErrorOptions } from '@skystack/base';

/**
 * Thrown for an invalid argument (`PIPE_TASKS_INVALID_ARGUMENT`): arrays of different
 * lengths, a functor built with the wrong number of column names, a config value the task
 * does not support.
 */
export class PipeTasksInvalidArgumentError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what was wrong, what was expected and what was given
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('PIPE_TASKS_INVALID_ARGUMENT', message, options);
  }
}

/**
 * Thrown when a functor file cannot be read or does not have the layout of LSST's functor
 * YAML (`PIPE_TASKS_FUNCTOR_FILE`): no `funcs` mapping, an entry without `functor`, a `flags`
 * entry that is not a list of names.
 */
export class FunctorFileError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what was wrong, and where
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('PIPE_TASKS_FUNCTOR_FILE', message, options);
  }
}

/**
 * Thrown when a table lacks columns that functors need (`PIPE_TASKS_MISSING_COLUMNS`). The
 * message names each missing column, the output columns that need it, and the measurement
 * plugin (or task) that makes it.
 */
export class MissingColumnsError extends SkyStackError {
  /** The missing input columns. */
  readonly missing: readonly string[];

  /**
   * Makes the error.
   *
   * @param message - which columns are missing, who needs them and who makes them
   * @param missing - the missing input column names
   * @param options - `cause` and `hint`
   */
  constructor(message: string, missing: readonly string[], options: SkyStackErrorOptions = {}) {
    super('PIPE_TASKS_MISSING_COLUMNS', message, options);
    this.missing = missing;
  }
}

/**
 * Thrown when the photometric calibration cannot be computed (`PIPE_TASKS_PHOTOCAL`): no
 * matches, no usable reference flux, every match rejected by the source selection.
 */
export class PhotoCalError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what went wrong, with the counts involved
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('PIPE_TASKS_PHOTOCAL', message, options);
  }
}

/**
 * Thrown when image characterization fails (`PIPE_TASKS_CHARACTERIZE_IMAGE`): no PSF could be
 * determined, no sources were detected, a config combination that cannot work.
 */
export class CharacterizeImageError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what went wrong, with the counts involved
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('PIPE_TASKS_CHARACTERIZE_IMAGE', message, options);
  }
}

/**
 * Thrown when calibration fails (`PIPE_TASKS_CALIBRATE`): a required astrometric or
 * photometric calibration failed, the icSrc schema lacks the fields to copy.
 */
export class CalibrateError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what went wrong
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('PIPE_TASKS_CALIBRATE', message, options);
  }
}

/**
 * Thrown when the variance plane cannot be rescaled (`PIPE_TASKS_SCALE_VARIANCE`): both of
 * ScaleVarianceTask's estimates exceed its `limit`.
 */
export class ScaleVarianceError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - the factors found and the limit
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('PIPE_TASKS_SCALE_VARIANCE', message, options);
  }
}
