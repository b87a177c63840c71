import { SkyStackError, type SkyStackErrorOptions } from '@skystack/base';

/**
 * Thrown for an invalid argument (`MEAS_BASE_INVALID_ARGUMENT`): a catalog whose schema is not
 * the task's, a record without a footprint when noise replacement needs one, an unknown plugin.
 *
 * @example
 * ```ts
 * try { task.run(otherCatalog, exposure); } catch (e) { if (e instanceof MeasBaseInvalidArgumentError) console.log(e.code); }
 * ```
 */
export class MeasBaseInvalidArgumentError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what was wrong, what was expected and what was given
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('MEAS_BASE_INVALID_ARGUMENT', message, options);
  }
}

/**
 * A known way for one plugin to fail on one source (`MEAS_BASE_MEASUREMENT_ERROR`). The task
 * catches it, sets the plugin's general `<plugin>_flag` and, when `flag` is given, the specific
 * flag `<plugin>_<flag>` (e.g. `flag_edge`), and goes on with the next plugin and source.
 *
 * Any other error thrown by a plugin (except {@link FatalAlgorithmError}) is also caught, but
 * sets only the general flag, as in meas_base.
 *
 * @example
 * ```ts
 * throw new MeasurementError('Object too close to the edge', 'flag_edge');
 * ```
 * @see lsst.meas.base.MeasurementError
 */
export class MeasurementError extends SkyStackError {
  /** The specific flag to set, the suffix after the plugin name (`'flag_edge'`), or undefined. */
  readonly flag: string | undefined;

  /**
   * Makes the error.
   *
   * @param message - what went wrong for this source
   * @param flag - the specific flag suffix to set (`'flag_edge'`), if any
   * @param options - `cause` and `hint`
   */
  constructor(message: string, flag?: string, options: SkyStackErrorOptions = {}) {
    super('MEAS_BASE_MEASUREMENT_ERROR', message, options);
    this.flag = flag;
  }
}

/**
 * An error that must stop the whole measurement (`MEAS_BASE_FATAL_ALGORITHM`), not only one source:
 * an exposure without the PSF a plugin needs, a centroid slot that is not defined.
 *
 * @example
 * ```ts
 * if (psf === null) throw new FatalAlgorithmError('base_PsfFlux needs an exposure with a PSF.');
 * ```
 * @see lsst.meas.base.FatalAlgorithmError
 */
export class FatalAlgorithmError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what is missing or wrong
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('MEAS_BASE_FATAL_ALGORITHM', message, options);
  }
}
