import type { SkyStackErrorOptions } from '@skystack/base';
import { ButlerError } from '../errors.js';

function define(code: string, summary: string) {
  return class extends ButlerError {
    /**
     * Makes the error.
     *
     * @param message - what was wrong, what was expected and what was given
     * @param options - `cause` and `hint`
     */
    constructor(message: string, options: SkyStackErrorOptions = {}) {
      super(code, message, options);
    }
    /** One line on what this kind of error means. */
    static readonly summary = summary;
  };
}

/**
 * A storage class name that the {@link StorageClassFactory} does not know (`BUTLER_MISSING_STORAGE_CLASS`);
 * the hint suggests close names.
 *
 * @example
 * ```ts
 * try {
 *   StorageClassFactory.default().getStorageClass('ExposureFF');
 * } catch (e) {
 *   if (e instanceof MissingStorageClassError) console.log(e.hint); // Did you mean 'ExposureF'?
 * }
 * ```
 * @see lsst.daf.butler.StorageClassFactory.getStorageClass (raises KeyError)
 */
export class MissingStorageClassError extends define('BUTLER_MISSING_STORAGE_CLASS', 'unknown storage class') {}

/**
 * A storage class definition that cannot be used (`BUTLER_STORAGE_CLASS_CONFIG`): a malformed
 * `storageClasses` entry, an `inheritsFrom` cycle or unknown parent, a component whose storage
 * class is not defined, a composite with a single component.
 *
 * @see lsst.daf.butler.StorageClassFactory.addFromConfig
 */
export class StorageClassConfigError extends define('BUTLER_STORAGE_CLASS_CONFIG', 'bad storage class configuration') {}

/**
 * A read parameter that the storage class (or formatter) does not understand, or a parameter
 * value of the wrong kind (`BUTLER_INVALID_PARAMETER`); the message lists the allowed parameters.
 *
 * @see lsst.daf.butler.StorageClass.validateParameters (raises KeyError)
 */
export class InvalidParameterError extends define('BUTLER_INVALID_PARAMETER', 'invalid read parameter') {}

/**
 * A component that the storage class does not have, or that a formatter or delegate cannot
 * extract from the object it was given (`BUTLER_UNKNOWN_COMPONENT`).
 *
 * @see lsst.daf.butler.StorageClassDelegate.getComponent (raises AttributeError)
 */
export class UnknownComponentError extends define('BUTLER_UNKNOWN_COMPONENT', 'unknown component') {}

/**
 * No formatter is configured for a dataset, or the configured formatter is not registered with
 * the {@link FormatterFactory} (`BUTLER_MISSING_FORMATTER`). daf-butler registers only its own
 * formatters (JSON, YAML, Parquet); the FITS formatters of the afw types live in obs-base, which
 * registers them.
 *
 * @see lsst.daf.butler.FormatterFactory.getFormatter (raises KeyError)
 */
export class MissingFormatterError extends define('BUTLER_MISSING_FORMATTER', 'no formatter') {}

/**
 * A malformed `formatters` configuration (`BUTLER_FORMATTER_CONFIG`): a value that is neither a
 * class path nor `{formatter, parameters}`, unexpected keys, a hierarchical key not of the form
 * `instrument<name>`.
 *
 * @see lsst.daf.butler.FormatterFactory.registerFormatters
 */
export class FormatterConfigError extends define('BUTLER_FORMATTER_CONFIG', 'bad formatter configuration') {}

/**
 * A formatter that could not write or read a file (`BUTLER_FORMATTER`): the object is not of a type
 * the formatter writes, the file is missing or its content does not parse. The cause is kept.
 *
 * @see lsst.daf.butler.FormatterV2.read / write
 */
export class FormatterError extends define('BUTLER_FORMATTER', 'formatter read/write failure') {}
