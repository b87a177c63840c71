import { SkyStackError, type SkyStackErrorOptions } from '@skystack/base';

/**
 * Thrown for an invalid argument (`KERNELS_INVALID_ARGUMENT`): arrays of the wrong length, an
 * even or empty kernel, a negative sigma, an unknown statistic or interpolation style.
 */
export class KernelsInvalidArgumentError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what was wrong, what was expected and what was given
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('KERNELS_INVALID_ARGUMENT', message, options);
  }
}

/**
 * Thrown when there are too few points for the requested interpolation style or approximation
 * order and the undersample style says to fail (`KERNELS_UNDERSAMPLED`), as afw's
 * `OutOfRangeError` / `InvalidParameterError` from `makeInterpolate` and `BackgroundMI`.
 */
export class KernelsUndersampledError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - how many points there were and how many the style needs
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('KERNELS_UNDERSAMPLED', message, options);
  }
}

/**
 * Thrown when a least-squares fit has no usable data or a singular system (`KERNELS_FIT`).
 */
export class KernelsFitError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - why the fit failed
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('KERNELS_FIT', message, options);
  }
}

/**
 * Thrown when a worker thread of a parallel backend cannot start, fails a job or does not answer
 * in time, or when a closed backend is used (`KERNELS_WORKER`).
 */
export class KernelsWorkerError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - which worker and what happened
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('KERNELS_WORKER', message, options);
  }
}
