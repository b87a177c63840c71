// Errors of the ExposureInfo components (PhotoCalib, VisitInfo, FilterLabel, Detector, ...).
import { SkyStackError, type SkyStackErrorOptions } from '@skystack/base';

/**
 * Thrown when an archived component has a persistence version this code cannot read: newer than
 * the newest it knows (`VisitInfo` version 999999), or an old one that afw itself no longer
 * reads (`PhotoCalib` versions before 1, which were defined in maggies).
 *
 * @see lsst.afw.table.io.PersistableFactory
 */
export class AfwImageUnsupportedVersionError extends SkyStackError {
  /** The persistence name of the component (`'VisitInfo'`, `'PhotoCalib'`). */
  readonly typeName: string;
  /** The version found in the archive. */
  readonly version: number;
  /** The newest version this code reads. */
  readonly newestSupported: number;

  /**
   * Makes the error.
   *
   * @param typeName - the persistence name
   * @param version - the version found
   * @param newestSupported - the newest version supported
   * @param message - what was wrong (the version, the supported range, the file)
   * @param options - `cause` and `hint`
   */
  constructor(typeName: string, version: number, newestSupported: number, message: string, options: SkyStackErrorOptions = {}) {
    super('AFW_IMAGE_UNSUPPORTED_VERSION', message, options);
    this.typeName = typeName;
    this.version = version;
    this.newestSupported = newestSupported;
  }
}

/**
 * Thrown when an archived component's catalog does not have the layout its reader needs
 * (a wrong number of rows or catalogs, a coefficient array that is not a whole grid, a
 * reference to an object of the wrong type).
 */
export class AfwImageArchiveFormatError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - the component, where it was read from, and what was wrong
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('AFW_IMAGE_ARCHIVE_FORMAT', message, options);
  }
}

/**
 * Thrown when a header card that afw turns into a component has a value afw refuses
 * (`TIMESYS` other than `TAI` beside `DATE-AVG`, an unknown `ROTTYPE`, a date that does not parse).
 *
 * @see lsst.afw.image.VisitInfo
 */
export class AfwImageMetadataError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - the keyword, its value, and what was expected
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('AFW_IMAGE_METADATA', message, options);
  }
}

/**
 * Thrown when a component is asked for something it does not have: the band of a FilterLabel
 * that has only a physical filter, an aperture correction name that is not in an ApCorrMap, an
 * amplifier name that is not in a Detector.
 *
 * @see lsst.pex.exceptions.NotFoundError
 */
export class AfwImageNotFoundError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what was asked for and what there is
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('AFW_IMAGE_NOT_FOUND', message, options);
  }
}
