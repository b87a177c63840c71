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
export type { ArchiveIndexEntry, ArchiveHdu } from './archive/input-archive.js';
export { OutputArchive, OutputArchiveHandle } from './archive/output-archive.js';
export type { ArchiveColumn, ArchiveSchema, ArchiveValue, ArchiveRecord, ArchiveOutputHdu } from './archive/output-archive.js';
export { RawPersistable, registerPersistableFactory, getPersistableFactory } from './archive/persistable.js';
export type { Persistable, PersistableFactory } from './archive/persistable.js';
