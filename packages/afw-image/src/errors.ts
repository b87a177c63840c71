import { SkyStackError, type SkyStackErrorOptions } from '@skystack/base';

/**
 * Thrown when two pixel containers in one operation differ in size (`image += other` with other
 * dimensions, a `MaskedImage` made of planes of different sizes).
 *
 * @see lsst.pex.exceptions.LengthError
 */
export class AfwImageLengthError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - which sizes differ, what was expected and what was given
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('AFW_IMAGE_LENGTH_MISMATCH', message, options);
  }
}

/**
 * Thrown when a pixel position or a box is outside an image (`get`, `set`, `subset`, or a
 * `readFits` bbox that is not inside the stored image).
 *
 * @see lsst.pex.exceptions.LengthError
 */
export class AfwImageOutOfBoundsError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - the position or box, and the bounds it should lie in
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('AFW_IMAGE_OUT_OF_BOUNDS', message, options);
  }
}

/**
 * Thrown when an argument is not one the function accepts: an unknown pixel type, a data array
 * too short for its width, height and stride, a non-integer dimension.
 */
export class AfwImageInvalidArgumentError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what was wrong, what was expected and what was given
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('AFW_IMAGE_INVALID_ARGUMENT', message, options);
  }
}

/**
 * Thrown for a mask plane problem: an unknown plane name, no free bit for a new plane, or two
 * masks whose plane dictionaries disagree (`mask |= other` needs the same name → bit mapping).
 *
 * @see lsst.afw.image.Mask.getPlaneBitMask
 */
export class AfwImageMaskPlaneError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - the plane or dictionaries involved and what was wrong
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('AFW_IMAGE_MASK_PLANE', message, options);
  }
}

/**
 * Thrown when a FITS file does not hold what an afw reader needs: no image HDU, a pixel type
 * that cannot be an image or mask, an `MP_*` card with a bad bit number.
 */
export class AfwImageFitsError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - the file, the HDU and what was wrong with it
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('AFW_IMAGE_FITS_FORMAT', message, options);
  }
}
