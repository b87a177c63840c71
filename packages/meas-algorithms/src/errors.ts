import { SkyStackError, type SkyStackErrorOptions } from '@skystack/base';

/**
 * Thrown for an invalid argument (`MEAS_ALGORITHMS_INVALID_ARGUMENT`): a negative grow radius, an
 * unknown threshold type, a missing PSF when no sigma is given, sets with different regions.
 *
 * @example
 * ```ts
 * try { fpSet.grown(-1); } catch (e) { if (e instanceof MeasAlgorithmsInvalidArgumentError) console.log(e.code); }
 * ```
 */
export class MeasAlgorithmsInvalidArgumentError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what was wrong, what was expected and what was given
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('MEAS_ALGORITHMS_INVALID_ARGUMENT', message, options);
  }
}

/**
 * Thrown when an algorithm cannot run on the data it was given (`MEAS_ALGORITHMS_NO_DATA`): every
 * pixel masked when fitting a background, no room for sky objects.
 *
 * @example
 * ```ts
 * try { task.fitBackground(maskedImage); } catch (e) { if (e instanceof MeasAlgorithmsNoDataError) console.log(e.message); }
 * ```
 */
export class MeasAlgorithmsNoDataError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what was missing
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('MEAS_ALGORITHMS_NO_DATA', message, options);
  }
}

/**
 * Thrown when a background FITS file does not have afw's `BackgroundList` layout
 * (`MEAS_ALGORITHMS_FORMAT`): HDUs not in image/mask/variance triples, missing `BKGD_*` keys.
 *
 * @example
 * ```ts
 * try { await BackgroundList.readFits(path); } catch (e) { if (e instanceof MeasAlgorithmsFormatError) console.log(e.message); }
 * ```
 */
export class MeasAlgorithmsFormatError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what was wrong with the file
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('MEAS_ALGORITHMS_FORMAT', message, options);
  }
}

/**
 * Thrown by {@link findCosmicRays} when more pixels than `nCrPixelMax` look like cosmic rays
 * (`MEAS_ALGORITHMS_TOO_MANY_CRS`; afw's LengthError "Too many CR pixels"); the image is left
 * unchanged.
 *
 * @example
 * ```ts
 * try { repair.run(exposure); } catch (e) { if (e instanceof MeasAlgorithmsTooManyCosmicRaysError) console.log(e.message); }
 * ```
 */
export class MeasAlgorithmsTooManyCosmicRaysError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - how many pixels, and the limit
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('MEAS_ALGORITHMS_TOO_MANY_CRS', message, options);
  }
}
