// @skystack/daf-butler: the Gen3 data Butler's registry (dimensions, dataset types,
// collections, datasets, the `where` query language, YAML import/export) on SQLite and
// PostgreSQL.

// Errors
export {
  ButlerError,
  MissingDatasetTypeError,
  MissingCollectionError,
  ConflictingDefinitionError,
  AlreadyExistsError,
  DataIdError,
  DataIdValueError,
  UnknownDimensionError,
  DimensionConfigError,
  CollectionTypeError,
  CollectionCycleError,
  InvalidCollectionNameError,
  ExpressionSyntaxError,
  InvalidQueryError,
  TimeFormatError,
  CalibrationConflictError,
  DatabaseError,
  SchemaVersionError,
  ExportFormatError,
  DatasetNotFoundError,
} from './errors.js';
export type { ExpressionErrorKind, ExpressionErrorDetails } from './errors.js';

// Dimensions
export { DimensionUniverse, DimensionElement, Dimension, SkyPixDimension, DEFAULT_DIMENSION_CONFIG_PATH } from './dimensions/universe.js';
export type { FieldSpec, FieldType } from './dimensions/universe.js';
export { DimensionGroup } from './dimensions/group.js';
export { DataCoordinate } from './dimensions/data-coordinate.js';
export type { DataId, DataIdValue, StandardizeOptions } from './dimensions/data-coordinate.js';
export { DimensionRecord, keyNameOf } from './dimensions/record.js';
export type { RecordValue } from './dimensions/record.js';

// Dataset types and references
export { DatasetType } from './datasets/dataset-type.js';
export type { DatasetTypeOptions } from './datasets/dataset-type.js';
export { DatasetRef, DatasetIdGenEnum, DATASET_ID_NAMESPACE, makeDatasetId, normalizeUuid, uuid5, uuid7 } from './datasets/dataset-ref.js';

// Time
export {
  parseTimeLiteral,
  makeTime,
  defaultScale,
  formatTime,
  timeValue,
  timeToString,
  taiMinusUtcNs,
  taiNsFromIsoTai,
  isoTaiFromNs,
  isoTaiSeconds,
  taiNsFromDate,
  dateFromTaiNs,
  nowTaiNs,
  pythonFloatRepr,
  TIME_FORMATS,
  TIME_SCALES,
  NS_PER_SECOND,
  NS_PER_DAY,
  TT_MINUS_TAI_NS,
  TIMESPAN_MIN,
  TIMESPAN_MAX,
} from './time/astro-time.js';
export type { AstroTime, TimeFormat, TimeScale } from './time/astro-time.js';
export { Timespan, EMPTY_BOUND } from './time/timespan.js';
export type { TimespanBound, TimespanOptions, TimespanJson } from './time/timespan.js';

// The query expression language
export { canonicalUuid } from './queries/expressions/tree.js';
export { parseExpression } from './queries/expressions/parser.js';
export { tokenize, lexTokens } from './queries/expressions/lexer.js';
export type { Token, TokenType, RangeValue } from './queries/expressions/lexer.js';
export {
  Node,
  LiteralNode,
  NumericLiteral,
  StringLiteral,
  TimeLiteral,
  UuidLiteral,
  RangeLiteral,
  Identifier,
  BindName,
  UnaryOp,
  BinaryOp,
  IsIn,
  Parens,
  TupleNode,
  FunctionCall,
  PointNode,
  CircleNode,
  BoxNode,
  PolygonNode,
  RegionNode,
  GlobNode,
} from './queries/expressions/tree.js';
export type { TreeVisitor, NodeKind } from './queries/expressions/tree.js';

// Registry
export { CollectionType, collectionTypeName, parseCollectionType } from './registry/collection-type.js';
export { validateCollectionName, MAX_COLLECTION_NAME_LENGTH } from './registry/collection-name.js';
export type {
  Registry,
  CollectionPattern,
  BindValues,
  QueryOptions,
  QueryDatasetsOptions,
  QueryCollectionsOptions,
  CollectionSummary,
  DatasetAssociation,
  QueryResults,
  DataCoordinateQueryResults,
  DatasetQueryResults,
  DimensionRecordQueryResults,
  InsertDimensionDataOptions,
  DimensionRecordInput,
} from './registry/registry.js';
export { SqlRegistry, createRegistry, openRegistry } from './registry/sql/sql-registry.js';
export type { CreateRegistryOptions } from './registry/sql/sql-registry.js';
export { SCHEMA_VERSION } from './registry/sql/schema.js';
export type { Database, SqlValue, SqlRow, SqlDialect, RunResult } from './registry/sql/database.js';
export { isUniqueViolation, driverErrorCode } from './registry/sql/database.js';
export { SqliteDatabase } from './registry/sql/sqlite-database.js';
export type { SqliteOpenOptions } from './registry/sql/sqlite-database.js';
export { PostgresDatabase, rewritePlaceholders } from './registry/sql/postgres-database.js';
export type { PostgresConnectOptions, RewrittenSql } from './registry/sql/postgres-database.js';
export { openDatabase } from './registry/sql/open-database.js';

// Import/export
export { importYaml, exportYaml, EXPORT_FORMAT_VERSION } from './transfers/yaml-export-format.js';
export type { ImportYamlOptions, ImportSummary, ImportedFileDataset, ExportSelection, ExportYamlOptions } from './transfers/yaml-export-format.js';

// Hints
export { suggest, editDistance } from './suggest.js';

// The Butler
export { Butler, DatasetExistence } from './butler.js';
export type { ButlerOptions, MakeRepoOptions, GetOptions, DeferredDatasetHandle, DatasetTypeArg } from './butler.js';
export { ButlerConfig, BUTLER_CONFIG_FILE, DEFAULT_BUTLER_CONFIG, mergeConfig } from './config/butler-config.js';
export { RepositoryNotFoundError, DatastoreError, ButlerNotWriteableError } from './errors.js';

// Datastores and file templates
export type { Datastore, DatastoreGetOptions, PreparedArtifact, FileDataset, ArtifactLocation, TransferMode } from './datastore/datastore.js';
export { TRANSFER_MODES } from './datastore/datastore.js';
export { FileDatastore, transferFile } from './datastore/file-datastore.js';
export type { FileDatastoreOptions } from './datastore/file-datastore.js';
export { InMemoryDatastore } from './datastore/in-memory-datastore.js';
export { FileTemplate, FileTemplates, FileTemplateError, FileTemplateValidationError, DEFAULT_FILE_TEMPLATES } from './datastore/file-template.js';
export type {
  FileTemplateFieldsOptions,
  GroupedFields,
  FileTemplateEntity,
  FileTemplateConfigValue,
  FileTemplatesConfig,
  FileTemplatesOptions,
  ValidateTemplatesOptions,
} from './datastore/file-template.js';

// Storage classes and formatters
export { StorageClass, StorageClassFactory, DEFAULT_STORAGE_CLASS_CONFIG_PATH } from './storage/storage-class.js';
export type { StorageClassOptions } from './storage/storage-class.js';
export {
  MissingStorageClassError,
  StorageClassConfigError,
  InvalidParameterError,
  UnknownComponentError,
  MissingFormatterError,
  FormatterConfigError,
  FormatterError,
} from './storage/errors.js';
export { FormatterFactory, GenericDelegate, DEFAULT_FORMATTER_CONFIG_PATH, formatterNameFromPath, defaultImportModule, MODULE_PATHS_ENV } from './formatters/formatter.js';
export type { ModuleImporter, LoadFormattersOptions } from './formatters/formatter.js';
export type {
  Formatter,
  FormatterReadContext,
  FormatterWriteContext,
  StorageClassDelegate,
  FormatterMatch,
  FormatterLookupOptions,
  SetMappingOptions,
} from './formatters/formatter.js';
export { JsonFormatter, stringifyJson, parseJson } from './formatters/json-formatter.js';
export { YamlFormatter, parseYamlLossless } from './formatters/yaml-formatter.js';
export { ParquetFormatter, ArrowTableDelegate, ARROW_TABLE_COMPONENTS, isArrowTable, columnsParameter } from './formatters/parquet-formatter.js';
export type { ArrowTable } from './formatters/parquet-formatter.js';

// The butler command line
export { makeButlerProgram, runButler, ButlerCliError, loadButlerPlugins, BUTLER_PLUGINS_ENV } from './cli/program.js';
export type { ButlerIo, WriteStream, ButlerCommand, ButlerCommandArgument, ButlerCommandOption, ButlerCommandContext, ButlerPlugin, ButlerProgramOptions } from './cli/program.js';
