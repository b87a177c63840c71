import { SkyStackError, type SkyStackErrorOptions } from '@skystack/base';

/**
 * Thrown for an invalid argument to the simulator (`OBS_SIM_INVALID_ARGUMENT`): an unknown band
 * or detector, a non-positive size, an option out of range.
 */
export class ObsSimInvalidArgumentError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what was wrong, what was expected and what was given
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('OBS_SIM_INVALID_ARGUMENT', message, options);
  }
}

/**
 * Thrown when the simulator cannot write its outputs (`OBS_SIM_IO`); the cause is kept.
 */
export class ObsSimIoError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what could not be written, and where
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('OBS_SIM_IO', message, options);
  }
}

/**
 * Thrown when a SimCam repository cannot be made (`OBS_SIM_REPO`): a `butler` command failed, or
 * the repository is in a state the builder cannot complete safely.
 */
export class ObsSimRepoError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - which command or step failed, and its error output
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('OBS_SIM_REPO', message, options);
  }
}
