// @skystack/afw-table: lsst.afw.table for TypeScript (schemas, aliases, slots, catalogs, afw FITS tables).

// Schemas and aliases
export { Schema, FIELD_TYPES, isArrayFieldType } from './schema.js';
export type { Field, FieldInput, FieldType, ScalarFieldType, ArrayFieldType } from './schema.js';
export { AliasMap } from './alias-map.js';

// Catalogs and records
export { columnArrayConstructor } from './column-array.js';
export type { ColumnArray, ColumnArrayConstructor } from './column-array.js';
export { BaseCatalog, BaseRecord, checkRequiredFields } from './base-catalog.js';
export type { CatalogOptions, FieldValue, RequiredField } from './base-catalog.js';
export { SimpleCatalog, SimpleRecord } from './simple-catalog.js';
export { SourceCatalog, SourceRecord, SOURCE_SLOTS } from './source-catalog.js';
export type { SourceSlot } from './source-catalog.js';

// FITS persistence
export { readCatalogFits } from './read-catalog-fits.js';
export type { ReadCatalogFitsOptions, ReadCatalogFitsInternalOptions, CatalogFitsContents } from './read-catalog-fits.js';
export { writeCatalogFits, encodeCatalogFits } from './write-catalog-fits.js';
export type { WriteCatalogFitsOptions } from './write-catalog-fits.js';

// Errors
export { AfwTableNotFoundError, AfwTableInvalidArgumentError, AfwTableFormatError } from './errors.js';

// Table-persistence archives (afw.table.io)
export { ArchiveCatalog, ArchiveRows } from './archive/archive-rows.js';
export { InputArchive, archiveOrigin } from './archive/input-archive.js';
export type { ArchiveIndexEntry, ArchiveHdu, ArchiveOrigin, InputArchiveOptions } from './archive/input-archive.js';
export { OutputArchive, OutputArchiveHandle } from './archive/output-archive.js';
export type { ArchiveColumn, ArchiveFlag, ArchiveSchema, ArchiveValue, ArchiveRecord, ArchiveOutputHdu } from './archive/output-archive.js';
export { RawPersistable, PersistableRegistry } from './archive/persistable.js';
export type { Persistable, PersistableFactory } from './archive/persistable.js';

// Arrow and Parquet
export { catalogToArrow, catalogFromArrow, ARROW_DOC_KEY, ARROW_UNITS_KEY, ARROW_AFW_TYPE_KEY, ARROW_AFW_SIZE_KEY, ARROW_ALIASES_KEY } from './arrow.js';
export type { CatalogFromArrowOptions } from './arrow.js';
// Parquet I/O lives in @skystack/parquet (foundation layer); re-exported here.
export { writeParquet, readParquet, ARROW_SCHEMA_KEY, DEFAULT_ROW_GROUP_SIZE } from '@skystack/parquet';
export type { ParquetCompression, WriteParquetOptions, ReadParquetOptions } from '@skystack/parquet';
export { ParquetError, ParquetFileNotFoundError, ParquetColumnNotFoundError, ParquetFormatError, ParquetUnsupportedError, ParquetInvalidArgumentError } from '@skystack/parquet';

// Footprints (lsst.afw.detection, lsst.afw.geom.SpanSet)
export { Span } from './detection/span.js';
export { SpanSet, readSpanSet } from './detection/span-set.js';
export type { DilatedSpans, SpanSetArraysOptions, Stencil, SpanPixelGrid, SpanPixelArray } from './detection/span-set.js';
export { PeakCatalog, PeakRecord } from './detection/peak.js';
export { Footprint, readFootprint, readFootprintSpans } from './detection/footprint.js';
export { HeavyFootprint, heavyFootprintFromArrays, heavyFootprintReader, registerFootprintReaders } from './detection/heavy-footprint.js';
export type { HeavyFootprintPixelType, HeavyFootprintImageArrays, HeavyFootprintPixels } from './detection/heavy-footprint.js';
export type { ReadSourceCatalogFitsOptions } from './source-catalog.js';
export type { CatalogFootprintColumns } from './read-catalog-fits.js';
