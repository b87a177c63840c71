// lsst.afw.image.PhotoCalib: instrumental flux (counts) to nanojansky and AB magnitudes, with archive persistence.
import { type ArchiveRows, type InputArchive, type OutputArchiveHandle } from '@skystack/afw-table';
import { Box2I, type Point2D } from '@skystack/geom';
import { AfwImageInvalidArgumentError } from '../errors.js';
import type { BoundedField } from './bounded-field.js';
import { ChebyshevBoundedField } from './chebyshev-bounded-field.js';
import { AfwImageArchiveFormatError, AfwImageUnsupportedVersionError } from './errors.js';

/**
 * The AB zero point in nanojansky: `1e23 · 10^(48.6 / -2.5) · 1e9` (≈ 3631 Jy), as
 * `lsst.utils.referenceFlux`.
 */
export const REFERENCE_FLUX_NJY = 1e23 * Math.pow(10, 48.6 / -2.5) * 1e9;

/**
 * AB magnitude of a flux in nanojansky: `-2.5 log10(flux / 3631 Jy)` (= `-2.5 log10(nJy) + 31.4`).
 *
 * @param fluxNjy - the flux in nJy
 * @returns the AB magnitude
 * @see lsst.utils.nanojanskyToABMagnitude
 */
export function nanojanskyToABMagnitude(fluxNjy: number): number {
  return -2.5 * Math.log10(fluxNjy / REFERENCE_FLUX_NJY);
}

/**
 * Flux in nanojansky of an AB magnitude.
 *
 * @param magnitude - the AB magnitude
 * @returns the flux in nJy
 * @see lsst.utils.ABMagnitudeToNanojansky
 */
export function abMagnitudeToNanojansky(magnitude: number): number {
  return REFERENCE_FLUX_NJY * Math.pow(10, -0.4 * magnitude);
}

/**
 * A value with its 1-sigma error.
 *
 * @see lsst.afw.image.Measurement
 */
export interface Measurement {
  /** The value. */
  readonly value: number;
  /** Its 1-sigma error. */
  readonly error: number;
}

/** The PhotoCalib persistence version this code writes (and the only one current afw reads). */
export const PHOTO_CALIB_VERSION = 1;

/**
 * The photometric calibration of an exposure: `nJy = instFlux × calibration(x, y)`, where the
 * calibration is constant (`calibrationMean`) or a {@link BoundedField} over the image. The
 * error of the calibration (`calibrationErr`) is one number for the whole image and is added in
 * quadrature to the relative flux error, as afw does.
 *
 * @example
 * ```ts
 * const calib = new PhotoCalib(123, 4.5);
 * calib.instFluxToNanojansky(100); // 12300
 * calib.instFluxToNanojansky(100, 10); // { value: 12300, error: 12300 * hypot(0.1, 4.5 / 123) }
 * calib.instFluxToMagnitude(100); // -2.5 * log10(12300) + 31.4
 * ```
 *
 * @see lsst.afw.image.PhotoCalib
 */
export class PhotoCalib {
  /** Persistence name in afw archives. */
  readonly persistenceName = 'PhotoCalib';
  /** Python module afw records for it (afw writes an empty one). */
  readonly pythonModule = '';
  /** Mean calibration (nJy per count) over the domain. */
  readonly calibrationMean: number;
  /** 1-sigma error of `calibrationMean`. */
  readonly calibrationErr: number;
  /** Whether the calibration is the same everywhere (`calibrationMean`). */
  readonly isConstant: boolean;
  /** The calibration as a field (a constant order-0 ChebyshevBoundedField when `isConstant`). */
  readonly calibration: BoundedField;

  /**
   * Makes a spatially constant calibration.
   *
   * @param calibrationMean - nJy per count
   * @param calibrationErr - its 1-sigma error (0 by default)
   * @param bbox - the domain (empty by default, as afw)
   * @throws AfwImageInvalidArgumentError when `calibrationMean` is negative or `calibrationErr` is negative
   */
  constructor(calibrationMean: number, calibrationErr = 0, bbox: Box2I = new Box2I()) {
    checkMean(calibrationMean);
    checkErr(calibrationErr);
    this.calibrationMean = calibrationMean;
    this.calibrationErr = calibrationErr;
    this.isConstant = true;
    this.calibration = new ChebyshevBoundedField(bbox, [[calibrationMean]]);
  }

  /**
   * Makes a spatially varying calibration; its mean is the field's mean over its box.
   *
   * @param calibration - nJy per count as a function of position
   * @param calibrationErr - the 1-sigma error of the mean (0 by default)
   * @returns the PhotoCalib
   * @throws AfwImageInvalidArgumentError when the field's mean or the error is negative
   */
  static fromBoundedField(calibration: BoundedField, calibrationErr = 0): PhotoCalib {
    return PhotoCalib.fromParts(calibration.mean(), calibrationErr, calibration, false);
  }

  /**
   * Makes a calibration from all its parts, as the archive reader does.
   *
   * @param calibrationMean - nJy per count (mean)
   * @param calibrationErr - its 1-sigma error
   * @param calibration - the field
   * @param isConstant - whether to use `calibrationMean` everywhere
   * @returns the PhotoCalib
   * @throws AfwImageInvalidArgumentError when the mean or the error is negative
   */
  static fromParts(calibrationMean: number, calibrationErr: number, calibration: BoundedField, isConstant: boolean): PhotoCalib {
    checkMean(calibrationMean);
    checkErr(calibrationErr);
    const out = Object.create(PhotoCalib.prototype) as { -readonly [K in keyof PhotoCalib]: PhotoCalib[K] };
    out.persistenceName = 'PhotoCalib';
    out.pythonModule = '';
    out.calibrationMean = calibrationMean;
    out.calibrationErr = calibrationErr;
    out.isConstant = isConstant;
    out.calibration = calibration;
    return out as PhotoCalib;
  }

  /** The mean calibration, nJy per count. */
  getCalibrationMean(): number {
    return this.calibrationMean;
  }

  /** The 1-sigma error of the mean calibration. */
  getCalibrationErr(): number {
    return this.calibrationErr;
  }

  /** The bounding box of the calibration field. */
  getBBox(): Box2I {
    return this.calibration.bbox;
  }

  /** The instrumental flux of a 0-magnitude (AB) source at the mean calibration: `3631 Jy / calibrationMean`. */
  getInstFluxAtZeroMagnitude(): number {
    return REFERENCE_FLUX_NJY / this.calibrationMean;
  }

  /**
   * The calibration at a point (nJy per count): the mean when constant, else the field's value.
   *
   * @param point - PARENT position
   * @returns the calibration there
   */
  getLocalCalibration(point: Point2D): number {
    return this.isConstant ? this.calibrationMean : this.calibration.evaluatePoint(point);
  }

  /**
   * Converts an instrumental flux to nanojansky: `instFlux × calibration`.
   *
   * @param instFlux - counts
   * @param point - where (the mean calibration when omitted)
   * @returns nJy
   */
  instFluxToNanojansky(instFlux: number, point?: Point2D): number;
  /**
   * Converts an instrumental flux and its error to nanojansky; the error is
   * `|nJy| · hypot(instFluxErr / instFlux, calibrationErr / calibration)` (afw).
   *
   * @param instFlux - counts
   * @param instFluxErr - 1-sigma error of `instFlux`
   * @param point - where (the mean calibration when omitted)
   * @returns value and error in nJy
   */
  instFluxToNanojansky(instFlux: number, instFluxErr: number, point?: Point2D): Measurement;
  instFluxToNanojansky(instFlux: number, a?: number | Point2D, b?: Point2D): number | Measurement {
    if (typeof a !== 'number') return instFlux * calibrationAt(this, a);
    const scale = calibrationAt(this, b);
    const value = instFlux * scale;
    return { value, error: Math.abs(value) * Math.hypot(a / instFlux, this.calibrationErr / scale) };
  }

  /**
   * Converts an instrumental flux to an AB magnitude: `-2.5 log10(instFlux × calibration) + 31.4`.
   *
   * @param instFlux - counts
   * @param point - where (the mean calibration when omitted)
   * @returns the AB magnitude
   */
  instFluxToMagnitude(instFlux: number, point?: Point2D): number;
  /**
   * Converts an instrumental flux and its error to an AB magnitude; the error is
   * `2.5 / ln 10 · hypot(instFluxErr / instFlux, calibrationErr / calibration)` (afw).
   *
   * @param instFlux - counts
   * @param instFluxErr - 1-sigma error of `instFlux`
   * @param point - where (the mean calibration when omitted)
   * @returns magnitude and its error
   */
  instFluxToMagnitude(instFlux: number, instFluxErr: number, point?: Point2D): Measurement;
  instFluxToMagnitude(instFlux: number, a?: number | Point2D, b?: Point2D): number | Measurement {
    if (typeof a !== 'number') return nanojanskyToABMagnitude(instFlux * calibrationAt(this, a));
    const scale = calibrationAt(this, b);
    return {
      value: nanojanskyToABMagnitude(instFlux * scale),
      error: (2.5 / Math.log(10)) * Math.hypot(a / instFlux, this.calibrationErr / scale),
    };
  }

  /**
   * Converts an AB magnitude to an instrumental flux: `nJy(magnitude) / calibration`.
   *
   * @param magnitude - AB magnitude
   * @param point - where (the mean calibration when omitted)
   * @returns counts
   */
  magnitudeToInstFlux(magnitude: number, point?: Point2D): number {
    return abMagnitudeToNanojansky(magnitude) / calibrationAt(this, point);
  }

  /**
   * Batched {@link PhotoCalib.instFluxToNanojansky} at the positions of sources.
   *
   * @param instFlux - counts
   * @param x - PARENT x of each source (ignored when constant)
   * @param y - PARENT y of each source (ignored when constant)
   * @returns nJy
   * @throws AfwImageInvalidArgumentError when the lengths differ
   */
  instFluxToNanojanskyArray(instFlux: ArrayLike<number>, x: ArrayLike<number>, y: ArrayLike<number>): Float64Array {
    if (x.length !== instFlux.length || y.length !== instFlux.length) {
      throw new AfwImageInvalidArgumentError(`instFlux, x and y must have one length; got ${instFlux.length}, ${x.length} and ${y.length}.`);
    }
    const out = this.isConstant ? new Float64Array(instFlux.length).fill(this.calibrationMean) : this.calibration.evaluateArray(x, y);
    for (let i = 0; i < out.length; i++) out[i] = out[i]! * instFlux[i]!;
    return out;
  }

  /**
   * Whether another PhotoCalib has the same mean, error and field.
   *
   * @param other - the other calibration
   * @returns whether they are equal
   */
  equals(other: unknown): boolean {
    if (!(other instanceof PhotoCalib)) return false;
    const sameField = this.calibration === other.calibration || (this.calibration as { equals?: (o: unknown) => boolean }).equals?.(other.calibration) === true;
    return this.calibrationMean === other.calibrationMean && this.calibrationErr === other.calibrationErr && sameField;
  }

  /** afw's description: `spatially constant with mean: 123 error: 45`. */
  toString(): string {
    return `${this.isConstant ? 'spatially constant' : this.calibration.toString()} with mean: ${this.calibrationMean} error: ${this.calibrationErr}`;
  }

  /**
   * Writes the calibration as current afw does (version 1): one row with the mean, the error,
   * the `isConstant` flag, the archive ID of the field and the version.
   *
   * @param handle - where to write
   */
  writeToArchive(handle: OutputArchiveHandle): void {
    const field = handle.put(this.calibration);
    handle.saveCatalog(
      {
        columns: [
          { name: 'calibrationMean', format: '1D', unit: 'count', doc: "mean calibration on this PhotoCalib's domain" },
          { name: 'calibrationErr', format: '1D', unit: 'count', doc: '1-sigma error on calibrationMean' },
          { name: 'field', format: '1J', doc: 'archive ID of the BoundedField object' },
          { name: 'version', format: '1J', doc: 'version of this PhotoCalib' },
        ],
        flags: [{ name: 'isConstant', doc: 'Is this spatially-constant?' }],
      },
      [{ calibrationMean: this.calibrationMean, calibrationErr: this.calibrationErr, isConstant: this.isConstant, field, version: PHOTO_CALIB_VERSION }],
    );
  }
}

/** The calibration at a point, or the mean when there is none. */
function calibrationAt(calib: PhotoCalib, point: Point2D | undefined): number {
  return point === undefined ? calib.calibrationMean : calib.getLocalCalibration(point);
}

function checkMean(mean: number): void {
  if (mean < 0) throw new AfwImageInvalidArgumentError(`The calibration mean must not be negative; got ${mean}.`);
}

function checkErr(err: number): void {
  if (err < 0) throw new AfwImageInvalidArgumentError(`The calibration error must not be negative; got ${err}.`);
}

/**
 * The PhotoCalib equivalent to an old-style zero point (the `FLUXMAG0`/`FLUXMAG0ERR` cards of
 * version-0 exposures, or afw's old `Calib`): `calibration = 3631 Jy / instFluxMag0`,
 * `calibrationErr = 3631 Jy · instFluxMag0Err / instFluxMag0²`.
 *
 * @param instFluxMag0 - the instrumental flux of a 0-magnitude source
 * @param instFluxMag0Err - its error (0 by default)
 * @returns the spatially constant PhotoCalib
 * @throws AfwImageInvalidArgumentError when the result is negative
 * @see lsst.afw.image.makePhotoCalibFromCalibZeroPoint
 */
export function makePhotoCalibFromCalibZeroPoint(instFluxMag0: number, instFluxMag0Err = 0): PhotoCalib {
  const calibration = REFERENCE_FLUX_NJY / instFluxMag0;
  const calibrationErr = (REFERENCE_FLUX_NJY * instFluxMag0Err) / (instFluxMag0 * instFluxMag0);
  return new PhotoCalib(calibration, calibrationErr);
}

/**
 * Reads a PhotoCalib from its archive row. Like current afw, only version 1 is read: unversioned
 * and version-0 PhotoCalibs were defined in maggies and are refused.
 *
 * @internal
 */
export function readPhotoCalib(catalogs: readonly ArchiveRows[], archive: InputArchive): PhotoCalib {
  const rows = catalogs[0];
  if (rows === undefined || rows.length !== 1) throw new AfwImageArchiveFormatError('A PhotoCalib is one row of one catalog.');
  const version = rows.has('version') ? rows.number('version') : 0;
  if (version !== PHOTO_CALIB_VERSION) {
    throw new AfwImageUnsupportedVersionError(
      'PhotoCalib',
      version,
      PHOTO_CALIB_VERSION,
      `Cannot read PhotoCalib persistence version ${version}${rows.has('version') ? '' : ' (unversioned)'} in ${rows.catalog.location}: only version ${PHOTO_CALIB_VERSION} is supported${version < 1 ? ' (version 0 was defined in maggies, as afw says)' : ''}.`,
    );
  }
  const fieldId = rows.number('field');
  const field = archive.get(fieldId);
  if (field === null || typeof (field as BoundedField).evaluate !== 'function') {
    throw new AfwImageArchiveFormatError(`PhotoCalib in ${rows.catalog.location} refers to archive ID ${fieldId}, which is not a BoundedField (${String(field)}).`);
  }
  return PhotoCalib.fromParts(rows.number('calibrationMean'), rows.number('calibrationErr'), field as BoundedField, rows.flag('isConstant'));
}

