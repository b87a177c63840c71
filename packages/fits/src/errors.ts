import { SkyStackError, type SkyStackErrorOptions } from '@skystack/base';

/** Where in a FITS file a problem was found. */
export interface FitsLocation {
  /** The file path, when reading or writing a file. */
  readonly file?: string;
  /** The 0-based HDU index. */
  readonly hdu?: number;
  /** The byte offset from the start of the file. */
  readonly offset?: number;
}

/** Options of every FITS error: the location, a hint and a cause. */
export interface FitsErrorOptions extends SkyStackErrorOptions, FitsLocation {}

function where(loc: FitsLocation): string {
  const parts: string[] = [];
  if (loc.file !== undefined) parts.push(loc.file);
  if (loc.hdu !== undefined) parts.push(`HDU ${loc.hdu}`);
  if (loc.offset !== undefined) parts.push(`byte ${loc.offset}`);
  return parts.length === 0 ? '' : `${parts.join(', ')}: `;
}

/**
 * Base class of the errors of `@skystack/fits`. The message starts with the location
 * (file, HDU, byte offset) when it is known, and the location is kept in fields.
 *
 * @see lsst.afw.fits.FitsError
 */
export class FitsError extends SkyStackError {
  /** The file path, when known. */
  readonly file: string | undefined;
  /** The 0-based HDU index, when known. */
  readonly hdu: number | undefined;
  /** The byte offset from the start of the file, when known. */
  readonly offset: number | undefined;

  /**
   * Makes the error.
   *
   * @param code - stable identifier of the failure kind
   * @param message - what failed, what was expected and what was found
   * @param options - location, hint and cause
   */
  constructor(code: string, message: string, options: FitsErrorOptions = {}) {
    super(code, `${where(options)}${message}`, options);
    this.file = options.file;
    this.hdu = options.hdu;
    this.offset = options.offset;
  }
}

/**
 * The bytes are not valid FITS: a malformed card, a missing `END`, a truncated data unit, a
 * size that cannot be, an unsupported `BITPIX` or `TFORM`.
 */
export class FitsFormatError extends FitsError {
  /**
   * Makes the error.
   *
   * @param message - what is wrong with the bytes
   * @param options - location, hint and cause
   */
  constructor(message: string, options: FitsErrorOptions = {}) {
    super('FITS_FORMAT', message, options);
  }
}

/** A `CHECKSUM` or `DATASUM` keyword does not match the bytes of its HDU. */
export class FitsChecksumError extends FitsError {
  /**
   * Makes the error.
   *
   * @param message - which checksum failed, with the expected and computed values
   * @param options - location, hint and cause
   */
  constructor(message: string, options: FitsErrorOptions = {}) {
    super('FITS_CHECKSUM', message, options);
  }
}

/** A keyword is missing, or its value has the wrong type for what was asked of it. */
export class FitsKeywordError extends FitsError {
  /**
   * Makes the error.
   *
   * @param message - the keyword, what was expected and what was found
   * @param options - location, hint and cause
   */
  constructor(message: string, options: FitsErrorOptions = {}) {
    super('FITS_KEYWORD', message, options);
  }
}

/** An HDU asked for by index, `EXTNAME` or `EXTTYPE` does not exist, or has the wrong kind. */
export class FitsHduNotFoundError extends FitsError {
  /**
   * Makes the error.
   *
   * @param message - what was asked for and what the file has
   * @param options - location, hint and cause
   */
  constructor(message: string, options: FitsErrorOptions = {}) {
    super('FITS_HDU_NOT_FOUND', message, options);
  }
}

/** A feature of the standard that this package does not read or write (yet). */
export class FitsUnsupportedError extends FitsError {
  /**
   * Makes the error.
   *
   * @param message - the feature and where it was met
   * @param options - location, hint and cause
   */
  constructor(message: string, options: FitsErrorOptions = {}) {
    super('FITS_UNSUPPORTED', message, options);
  }
}
