import { SkyStackError, type SkyStackErrorOptions } from '@skystack/base';

/**
 * Base class of the registry's errors; `code` says which kind (`BUTLER_*`).
 */
export class ButlerError extends SkyStackError {}

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

/** A dataset type name that is not registered (`BUTLER_MISSING_DATASET_TYPE`). @see lsst.daf.butler.MissingDatasetTypeError */
export class MissingDatasetTypeError extends define('BUTLER_MISSING_DATASET_TYPE', 'unknown dataset type') {}
/** A collection that does not exist (`BUTLER_MISSING_COLLECTION`). @see lsst.daf.butler.MissingCollectionError */
export class MissingCollectionError extends define('BUTLER_MISSING_COLLECTION', 'unknown collection') {}
/** A definition that conflicts with one already registered (`BUTLER_CONFLICTING_DEFINITION`). @see lsst.daf.butler.ConflictingDefinitionError */
export class ConflictingDefinitionError extends define('BUTLER_CONFLICTING_DEFINITION', 'conflicting definition') {}
/** A dataset, dimension record or collection that already exists where a new one was required (`BUTLER_ALREADY_EXISTS`). */
export class AlreadyExistsError extends define('BUTLER_ALREADY_EXISTS', 'already exists') {}
/** A data ID that lacks required keys, has unknown keys, or values of the wrong type (`BUTLER_DATA_ID`). @see lsst.daf.butler.DataIdError */
export class DataIdError extends define('BUTLER_DATA_ID', 'bad data ID') {}
/** A data ID value with no dimension record (`BUTLER_DATA_ID_VALUE`). @see lsst.daf.butler.DataIdValueError */
export class DataIdValueError extends define('BUTLER_DATA_ID_VALUE', 'data ID value not found') {}
/** A dimension or element name that the universe does not have (`BUTLER_UNKNOWN_DIMENSION`). */
export class UnknownDimensionError extends define('BUTLER_UNKNOWN_DIMENSION', 'unknown dimension') {}
/** A malformed dimension universe configuration (`BUTLER_DIMENSION_CONFIG`). */
export class DimensionConfigError extends define('BUTLER_DIMENSION_CONFIG', 'bad dimension configuration') {}
/** An operation that the collection's type does not allow (`BUTLER_COLLECTION_TYPE`). @see lsst.daf.butler.registry.CollectionTypeError */
export class CollectionTypeError extends define('BUTLER_COLLECTION_TYPE', 'wrong collection type') {}
/** A collection chain that would contain itself (`BUTLER_COLLECTION_CYCLE`). @see lsst.daf.butler.registry.CollectionCycleError */
export class CollectionCycleError extends define('BUTLER_COLLECTION_CYCLE', 'collection chain cycle') {}
/** A collection name that is not allowed (`BUTLER_INVALID_COLLECTION_NAME`). */
export class InvalidCollectionNameError extends define('BUTLER_INVALID_COLLECTION_NAME', 'invalid collection name') {}
/**
 * Which stage of parsing a `where` expression rejected it, as daf_butler's exception classes tell
 * them apart: `'lex'` (a character sequence that is no token: `ParserLexError`, wrapped as
 * `ParserYaccError`), `'syntax'` (tokens in an order the grammar does not allow, or a time literal
 * that does not parse: `ParseError`), `'value'` (a special function with wrong arguments:
 * `ValueError`), `'type'` (`GLOB` with arguments of the wrong node type: `TypeError`).
 */
export type ExpressionErrorKind = 'lex' | 'syntax' | 'value' | 'type';

/** Where in the expression an {@link ExpressionSyntaxError} happened, and what was there. */
export interface ExpressionErrorDetails {
  /** Which stage rejected the expression. */
  readonly kind: ExpressionErrorKind;
  /** The whole expression text. */
  readonly expression: string;
  /** 0-based offset of the offending token in `expression` (PLY's `lexpos`). */
  readonly position: number;
  /** 1-based line of the offending token (PLY's `lineno`). */
  readonly line: number;
  /** 0-based offset of the offending token within its line (daf_butler's `posInLine`). */
  readonly column: number;
  /** The offending token's value; for lexer errors the rest of the text from `position`; `undefined` at end of input. */
  readonly token: string | undefined;
}

/**
 * A `where` expression that does not parse (`BUTLER_EXPRESSION_SYNTAX`); the message quotes the
 * expression's line with a caret under the offending column.
 *
 * @see lsst.daf.butler.registry.queries.expressions.parser.ParseError
 * @see lsst.daf.butler.registry.queries.expressions.parser.ParserLexError
 */
export class ExpressionSyntaxError extends ButlerError {
  /** One line on what this kind of error means. */
  static readonly summary = 'query expression syntax error';
  /** Which stage rejected the expression (see {@link ExpressionErrorKind}). */
  readonly kind: ExpressionErrorKind;
  /** The whole expression text. */
  readonly expression: string;
  /** 0-based offset of the offending token in the expression. */
  readonly position: number;
  /** 1-based line of the offending token. */
  readonly line: number;
  /** 0-based offset of the offending token within its line. */
  readonly column: number;
  /** The offending token's value (for lexer errors the remaining text); `undefined` at end of input. */
  readonly token: string | undefined;

  /**
   * Makes the error.
   *
   * @param message - what was wrong (with the expression line and a caret under the column)
   * @param details - where it happened; defaults to a `'syntax'` error at offset 0 of an empty expression
   * @param options - `cause` and `hint`
   */
  constructor(message: string, details: Partial<ExpressionErrorDetails> = {}, options: SkyStackErrorOptions = {}) {
    super('BUTLER_EXPRESSION_SYNTAX', message, options);
    this.kind = details.kind ?? 'syntax';
    this.expression = details.expression ?? '';
    this.position = details.position ?? 0;
    this.line = details.line ?? 1;
    this.column = details.column ?? 0;
    this.token = details.token;
  }
}
/** A query that parses but cannot be run: unknown identifiers, type mismatches, missing binds (`BUTLER_INVALID_QUERY`). @see lsst.daf.butler.InvalidQueryError */
export class InvalidQueryError extends define('BUTLER_INVALID_QUERY', 'invalid query') {}
/** A time literal or timespan that is not valid (`BUTLER_TIME`). */
export class TimeFormatError extends define('BUTLER_TIME', 'bad time value') {}
/** A calibration certified over a range that overlaps an existing one (`BUTLER_CALIBRATION_CONFLICT`). */
export class CalibrationConflictError extends define('BUTLER_CALIBRATION_CONFLICT', 'overlapping calibration validity') {}
/** A database that cannot be opened, or one made by a newer schema (`BUTLER_DATABASE`). */
export class DatabaseError extends define('BUTLER_DATABASE', 'database error') {}
/** A repository schema this version cannot read (`BUTLER_SCHEMA_VERSION`). */
export class SchemaVersionError extends define('BUTLER_SCHEMA_VERSION', 'incompatible schema version') {}
/** An export file that cannot be read or imported (`BUTLER_EXPORT_FORMAT`). */
export class ExportFormatError extends define('BUTLER_EXPORT_FORMAT', 'bad export file') {}
/** A dataset that does not exist (`BUTLER_DATASET_NOT_FOUND`). @see lsst.daf.butler.DatasetNotFoundError */
export class DatasetNotFoundError extends define('BUTLER_DATASET_NOT_FOUND', 'dataset not found') {}
/** A path that is not a Butler repository (`BUTLER_REPOSITORY_NOT_FOUND`). */
export class RepositoryNotFoundError extends define('BUTLER_REPOSITORY_NOT_FOUND', 'not a repository') {}
/** A datastore failure: a missing or unreadable file, a path collision (`BUTLER_DATASTORE`). */
export class DatastoreError extends define('BUTLER_DATASTORE', 'datastore error') {}
/** A write through a read-only Butler, or without a RUN (`BUTLER_NOT_WRITEABLE`). */
export class ButlerNotWriteableError extends define('BUTLER_NOT_WRITEABLE', 'butler not writeable') {}
