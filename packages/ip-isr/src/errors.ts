import { SkyStackError, type SkyStackErrorOptions } from '@skystack/base';

/**
 * Thrown when an argument is not one an ISR function accepts: images of different sizes, a
 * non-positive scale, an unknown statistic, an amplifier without raw geometry.
 */
export class IpIsrInvalidArgumentError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what was wrong, what was expected and what was given
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('IP_ISR_INVALID_ARGUMENT', message, options);
  }
}

/**
 * Thrown when a config turns on an ISR step SkyStack does not implement (LSST's `doLinearize`,
 * `doCrosstalk`, `doFringe`, ...), or sets two options that exclude each other.
 */
export class IpIsrUnsupportedStepError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - which step was asked for and why it cannot run
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('IP_ISR_UNSUPPORTED_STEP', message, options);
  }
}

/**
 * Thrown by `IsrTask.run` when a step is on but its calibration was not given (`doBias` without
 * a bias, `doDark` without a dark, ...), or a calibration does not fit the exposure.
 */
export class IpIsrMissingCalibrationError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - which calibration is missing or does not fit
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('IP_ISR_MISSING_CALIBRATION', message, options);
  }
}

/**
 * Thrown when the amplifier geometry of a detector does not fit the raw image (a raw box outside
 * the image, a data box whose size differs from the assembled box).
 */
export class IpIsrGeometryError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - which box does not fit, and where it should be
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('IP_ISR_GEOMETRY', message, options);
  }
}

/** Thrown when a defects table (ECSV text) cannot be read: a bad header, a missing column, a bad value. */
export class IpIsrDefectsFormatError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what was wrong in the table, and where
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('IP_ISR_DEFECTS_FORMAT', message, options);
  }
}
