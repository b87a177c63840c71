import type { DataCoordinate, DataId, DataIdValue } from '../dimensions/data-coordinate.js';
import type { DimensionGroup } from '../dimensions/group.js';
import type { DimensionRecord, RecordValue } from '../dimensions/record.js';
import type { DimensionUniverse } from '../dimensions/universe.js';
import type { DatasetIdGenEnum, DatasetRef } from '../datasets/dataset-ref.js';
import type { DatasetType } from '../datasets/dataset-type.js';
import type { Timespan } from '../time/timespan.js';
import type { CollectionType } from './collection-type.js';

/** A collection name pattern: exact names, `*`/`?` globs, or regular expressions. */
export type CollectionPattern = string | RegExp | readonly (string | RegExp)[];

/** Values for `:name` placeholders of a `where` expression. */
export type BindValues = Readonly<Record<string, unknown>>;

/** Options shared by the query methods. */
export interface QueryOptions {
  /** A `where` expression in daf_butler's query language. */
  readonly where?: string;
  /** Values for `:name` placeholders in `where`. */
  readonly bind?: BindValues;
  /** Constraining data ID values (`{ instrument: 'HSC', tract: 9697 }`). */
  readonly dataId?: DataId;
  /** Require a dataset of these types to exist in `collections` for each result row. */
  readonly datasets?: string | DatasetType | readonly (string | DatasetType)[];
  /** Collections to search for `datasets` (default: the registry's defaults). */
  readonly collections?: CollectionPattern;
}

/** Options of {@link Registry.queryDatasets}. */
export interface QueryDatasetsOptions extends Omit<QueryOptions, 'datasets'> {
  /** Keep only the first dataset found for each data ID, in collection search order. */
  readonly findFirst?: boolean;
}

/** Options of {@link Registry.queryCollections}. */
export interface QueryCollectionsOptions {
  /** Only these types. */
  readonly collectionTypes?: CollectionType | readonly CollectionType[];
  /** Replace CHAINED collections with their (recursive) children. */
  readonly flattenChains?: boolean;
  /** Whether CHAINED collections themselves are returned (default: `!flattenChains`). */
  readonly includeChains?: boolean;
}

/** A summary of what a collection holds. */
export interface CollectionSummary {
  /** Dataset types with at least one dataset in it (recursively for chains). */
  readonly datasetTypes: readonly DatasetType[];
  /** Values of governor dimensions (`instrument`, `skymap`) of those datasets. */
  readonly governors: Readonly<Record<string, readonly string[]>>;
}

/** A dataset's membership in one collection (from {@link Registry.queryDatasetAssociations}). */
export interface DatasetAssociation {
  /** The dataset. */
  readonly ref: DatasetRef;
  /** The collection it is in. */
  readonly collection: string;
  /** Its validity range, for CALIBRATION collections. */
  readonly timespan: Timespan | null;
}

/** Lazy query results: nothing runs until a terminal method is awaited. */
export interface QueryResults<T> extends AsyncIterable<T> {
  /** All results. */
  toArray(): Promise<T[]>;
  /** The number of results (exact: post-filters such as exact region tests are applied). */
  count(): Promise<number>;
  /** Whether there is at least one result. */
  any(): Promise<boolean>;
  /** Results sorted by these fields (`visit`, `-visit.exposure_time`, `timespan.begin`). */
  orderBy(...fields: string[]): this;
  /** At most `limit` results, after skipping `offset`. */
  limit(limit: number, offset?: number): this;
  /**
   * Why a query returned nothing, when the reason can be found without running it (unknown
   * dataset types, empty collections, impossible constraints) or by running parts of it.
   */
  explainNoResults(): Promise<string[]>;
}

/** Data ID query results. */
export interface DataCoordinateQueryResults extends QueryResults<DataCoordinate> {
  /** The dimensions of the results. */
  readonly dimensions: DimensionGroup;
  /** Results with dimension records attached. */
  expanded(): this;
}

/** Dataset query results. */
export interface DatasetQueryResults extends QueryResults<DatasetRef> {
  /** Results whose data IDs have dimension records attached. */
  expanded(): this;
}

/** Dimension record query results. */
export type DimensionRecordQueryResults = QueryResults<DimensionRecord>;

/** Options of {@link Registry.insertDimensionData}. */
export interface InsertDimensionDataOptions {
  /** Replace existing records with the same primary key. */
  readonly replace?: boolean;
  /** Skip records whose primary key exists (no comparison). */
  readonly skipExisting?: boolean;
}

/** A dimension record given as a plain object (field name to value) or a {@link DimensionRecord}. */
export type DimensionRecordInput = DimensionRecord | Readonly<Record<string, RecordValue | undefined>>;

/**
 * The Butler's database: dimensions, dataset types, collections and datasets, and queries
 * over them. All methods are async; all writes are transactional.
 *
 * @see lsst.daf.butler.Registry
 */
export interface Registry {
  /** The dimension universe. */
  readonly universe: DimensionUniverse;
  /** Default collections for queries when none are given. */
  defaultCollections: readonly string[];
  /** Default data ID values (`instrument`, `skymap`) applied to every data ID. */
  defaultDataId: Readonly<Record<string, DataIdValue>>;

  // --- collections
  /** Registers a TAGGED, CALIBRATION or CHAINED collection; returns false if it existed with that type. */
  registerCollection(name: string, type?: CollectionType, doc?: string): Promise<boolean>;
  /** Registers a RUN collection; returns false if it existed. */
  registerRun(name: string, doc?: string): Promise<boolean>;
  /** A collection's type. */
  getCollectionType(name: string): Promise<CollectionType>;
  /** Removes an empty collection (not a RUN with datasets, not a chain's child). */
  removeCollection(name: string): Promise<void>;
  /** A CHAINED collection's children, in search order. */
  getCollectionChain(parent: string): Promise<string[]>;
  /** Replaces a CHAINED collection's children (checks for cycles). */
  setCollectionChain(parent: string, children: readonly string[], options?: { flatten?: boolean }): Promise<void>;
  /** Adds children at the start of a chain (moving them if present). */
  prependCollectionChain(parent: string, children: readonly string[]): Promise<void>;
  /** Adds children at the end of a chain (moving them if present). */
  extendCollectionChain(parent: string, children: readonly string[]): Promise<void>;
  /** Removes children from a chain. */
  removeFromCollectionChain(parent: string, children: readonly string[]): Promise<void>;
  /** The CHAINED collections that directly include this one. */
  getCollectionParentChains(name: string): Promise<string[]>;
  /** A collection's documentation string. */
  getCollectionDocumentation(name: string): Promise<string | null>;
  /** Sets a collection's documentation string. */
  setCollectionDocumentation(name: string, doc: string | null): Promise<void>;
  /** What a collection holds. */
  getCollectionSummary(name: string): Promise<CollectionSummary>;
  /** Collection names matching a pattern, in registration order (chains expanded in order when flattening). */
  queryCollections(pattern?: CollectionPattern, options?: QueryCollectionsOptions): Promise<string[]>;

  // --- dataset types
  /** Registers a dataset type; false if an identical one exists; throws ConflictingDefinitionError if it differs. */
  registerDatasetType(datasetType: DatasetType): Promise<boolean>;
  /** Removes dataset types (by name or glob) that have no datasets. */
  removeDatasetType(name: string | readonly string[]): Promise<void>;
  /** A registered dataset type (`calexp.wcs` components are derived from the parent). */
  getDatasetType(name: string): Promise<DatasetType>;
  /** Registered dataset types matching a glob or regular expression (all when omitted). */
  queryDatasetTypes(pattern?: string | RegExp | readonly (string | RegExp)[]): Promise<DatasetType[]>;

  // --- dimension data
  /** Inserts dimension records. */
  insertDimensionData(element: string, records: readonly DimensionRecordInput[], options?: InsertDimensionDataOptions): Promise<void>;
  /** Inserts a record unless an identical one exists; true if inserted; throws ConflictingDefinitionError if different (unless `update`). */
  syncDimensionData(element: string, record: DimensionRecordInput, options?: { update?: boolean }): Promise<boolean>;
  /** A data ID with implied values and every element's record attached. */
  expandDataId(dataId: DataId, options?: { dimensions?: DimensionGroup | Iterable<string> }): Promise<DataCoordinate>;

  // --- datasets
  /** Adds new datasets to a RUN; IDs are made by `idGenerationMode` (with name-based modes, re-inserting an identical dataset is a no-op, so re-ingest is idempotent). */
  insertDatasets(
    datasetType: string | DatasetType,
    dataIds: readonly DataId[],
    run: string,
    options?: { idGenerationMode?: DatasetIdGenEnum },
  ): Promise<DatasetRef[]>;
  /** Adds datasets whose IDs are already known (import, transfer); existing identical ones are skipped. */
  importDatasets(refs: readonly DatasetRef[]): Promise<DatasetRef[]>;
  /** A dataset by ID, or null. */
  getDataset(id: string): Promise<DatasetRef | null>;
  /** The first dataset found along the collection search path (or null). */
  findDataset(
    datasetType: string | DatasetType,
    dataId?: DataId,
    options?: { collections?: CollectionPattern; timespan?: Timespan },
  ): Promise<DatasetRef | null>;
  /** Removes datasets from the registry entirely. */
  removeDatasets(refs: readonly DatasetRef[]): Promise<void>;
  /** Adds datasets to a TAGGED collection (replacing another dataset with the same type and data ID). */
  associate(collection: string, refs: readonly DatasetRef[]): Promise<void>;
  /** Removes datasets from a TAGGED collection. */
  disassociate(collection: string, refs: readonly DatasetRef[]): Promise<void>;
  /** Certifies calibration datasets into a CALIBRATION collection over a validity range. */
  certify(collection: string, refs: readonly DatasetRef[], timespan: Timespan): Promise<void>;
  /** Removes validity over a range (splitting ranges that extend beyond it). */
  decertify(collection: string, datasetType: string | DatasetType, timespan: Timespan, options?: { dataIds?: readonly DataId[] }): Promise<void>;

  // --- queries
  /** Datasets matching a type (name, glob, `'*'`) in collections. */
  queryDatasets(datasetType: string | DatasetType | RegExp | readonly (string | DatasetType | RegExp)[], options?: QueryDatasetsOptions): DatasetQueryResults;
  /** Data IDs of the given dimensions that satisfy the constraints. */
  queryDataIds(dimensions: string | Iterable<string> | DimensionGroup, options?: QueryOptions): DataCoordinateQueryResults;
  /** Records of one element that satisfy the constraints. */
  queryDimensionRecords(element: string, options?: QueryOptions): DimensionRecordQueryResults;
  /** Every collection membership of datasets of one type. */
  queryDatasetAssociations(
    datasetType: string | DatasetType,
    options?: { collections?: CollectionPattern; collectionTypes?: readonly CollectionType[]; flattenChains?: boolean },
  ): Promise<DatasetAssociation[]>;

  /** Closes the database connection. */
  close(): Promise<void>;
}
