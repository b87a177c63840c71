import { SkyStackError, type SkyStackErrorOptions } from '@skystack/base';

/**
 * Thrown for an invalid argument (`MEAS_DEBLENDER_INVALID_ARGUMENT`): a footprint that extends
 * outside the image, a peak outside its template box, a catalog made with another schema.
 *
 * @example
 * ```ts
 * try { deblendFootprint(fp, maskedImage, psf, 3.5); } catch (e) { if (e instanceof MeasDeblenderInvalidArgumentError) console.log(e.code); }
 * ```
 */
export class MeasDeblenderInvalidArgumentError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what was wrong, what was expected and what was given
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('MEAS_DEBLENDER_INVALID_ARGUMENT', message, options);
  }
}

/**
 * Thrown when a parent cannot be deblended (`MEAS_DEBLENDER_FAILED`): an invalid PSF width, a
 * failure inside the deblender when `catchFailures` is false.
 *
 * @example
 * ```ts
 * try { task.run({ exposure, sources }); } catch (e) { if (e instanceof MeasDeblenderError) console.log(e.message); }
 * ```
 */
export class MeasDeblenderError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what failed, for which source
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('MEAS_DEBLENDER_FAILED', message, options);
  }
}
