import { regionToHex, type Region } from '@skystack/geom';
import {
  CalibrationConflictError,
  CollectionCycleError,
  CollectionTypeError,
  ConflictingDefinitionError,
  DataIdValueError,
  DatabaseError,
  InvalidQueryError,
  MissingCollectionError,
  MissingDatasetTypeError,
  SchemaVersionError,
} from '../../errors.js';
import { DataCoordinate, type DataId, type DataIdValue } from '../../dimensions/data-coordinate.js';
import type { DimensionGroup } from '../../dimensions/group.js';
import { DimensionRecord } from '../../dimensions/record.js';
import { DimensionUniverse, type DimensionElement } from '../../dimensions/universe.js';
import { DatasetIdGenEnum, DatasetRef, makeDatasetId, normalizeUuid } from '../../datasets/dataset-ref.js';
import { DatasetType } from '../../datasets/dataset-type.js';
import { suggest } from '../../suggest.js';
import { nowTaiNs } from '../../time/astro-time.js';
import { Timespan } from '../../time/timespan.js';
import { validateCollectionName } from '../collection-name.js';
import { CollectionType, collectionTypeName } from '../collection-type.js';
import type {
  CollectionPattern,
  CollectionSummary,
  DataCoordinateQueryResults,
  DatasetAssociation,
  DatasetQueryResults,
  DimensionRecordInput,
  DimensionRecordQueryResults,
  InsertDimensionDataOptions,
  QueryCollectionsOptions,
  QueryDatasetsOptions,
  QueryOptions,
  Registry,
} from '../registry.js';
import { isUniqueViolation, type Database, type SqlRow, type SqlValue } from './database.js';
import { openDatabase } from './open-database.js';
import { DataIdQueryResults, DatasetRefQueryResults, RecordQueryResults } from './query-results.js';
import { recordColumns, recordToRow, rowToRecord, skypixIndices, toRecord } from './record-codec.js';
import {
  SCHEMA_VERSION,
  datasetTableNames,
  datasetTablesSchema,
  elementKeyColumns,
  elementSchema,
  governorSummarySchema,
  q,
  staticSchema,
} from './schema.js';

/** A collection as the registry stores it. @internal */
export interface CollectionRecord {
  readonly id: number;
  readonly name: string;
  readonly type: CollectionType;
}

/** A registered dataset type with its storage details. @internal */
export interface DatasetTypeRecord {
  readonly id: number;
  readonly datasetType: DatasetType;
  readonly dimensionsKey: number;
  readonly tags: string;
  readonly calibs: string | null;
}

function globToRegExp(glob: string): RegExp {
  const re = glob.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`);
}

function isPattern(s: string): boolean {
  return /[*?]/.test(s);
}

function toMatchers(pattern: string | RegExp | readonly (string | RegExp)[] | undefined): (string | RegExp)[] | undefined {
  if (pattern === undefined) return undefined;
  const list: (string | RegExp)[] = Array.isArray(pattern) ? [...(pattern as (string | RegExp)[])] : [pattern as string | RegExp];
  if (list.some((p) => p === '*' || p === '...')) return undefined;
  return list.map((p) => (typeof p === 'string' && isPattern(p) ? globToRegExp(p) : p));
}

const COMMON_LEVEL_SYSTEM = 'htm';

/** Options of {@link SqlRegistry.create}. */
export interface CreateRegistryOptions {
  /** The dimension universe (default: SkyStack's copy of daf_butler's). */
  readonly universe?: DimensionUniverse;
}

/**
 * The registry on a SQL database (SQLite or PostgreSQL) through the small {@link Database}
 * dialect layer: schema as daf_butler's (one table per dimension element, per-dimension-group
 * dataset tag and calibration tables, HTM spatial index tables), every write in a
 * transaction, every query parameterised.
 *
 * @example
 * ```ts
 * const registry = await createRegistry('sqlite:///tmp/repo/gen3.sqlite3');
 * await registry.registerRun('u/me/run1');
 * ```
 * @see lsst.daf.butler.registry.sql_registry.SqlRegistry
 */
export class SqlRegistry implements Registry {
  /** The database. */
  readonly db: Database;
  /** The dimension universe. */
  readonly universe: DimensionUniverse;
  /** Default collections for queries. */
  defaultCollections: readonly string[] = [];
  /** Default data ID values. */
  defaultDataId: Readonly<Record<string, DataIdValue>> = {};
  readonly #collections = new Map<string, CollectionRecord>();
  readonly #collectionsById = new Map<number, CollectionRecord>();
  readonly #datasetTypes = new Map<string, DatasetTypeRecord>();
  readonly #groupKeys = new Map<string, number>();
  readonly #chains = new Map<number, CollectionRecord[]>();

  private constructor(db: Database, universe: DimensionUniverse) {
    this.db = db;
    this.universe = universe;
  }

  /**
   * Makes a new registry in an empty database (or opens it when it already holds one made
   * with the same universe).
   *
   * @param db - the database
   * @param options - universe
   * @returns the registry
   */
  static async create(db: Database, options: CreateRegistryOptions = {}): Promise<SqlRegistry> {
    if (await db.hasTable('butler_attributes')) return SqlRegistry.open(db);
    const universe = options.universe ?? DimensionUniverse.default();
    await db.transaction(async () => {
      for (const ddl of staticSchema(db.dialect)) await db.exec(ddl);
      for (const g of universe.governors) await db.exec(governorSummarySchema(g));
      for (const el of universe.elements) for (const ddl of elementSchema(db.dialect, universe, el)) await db.exec(ddl);
      await db.insertMany(
        'butler_attributes',
        ['name', 'value'],
        [
          ['schema_version', SCHEMA_VERSION],
          ['universe_version', String(universe.version)],
          ['universe_namespace', universe.namespace],
          ['config:dimensions.json', JSON.stringify(universe.config)],
        ],
        { onConflict: 'ignore' },
      );
    });
    return new SqlRegistry(db, universe);
  }

  /**
   * Opens the registry in a database.
   *
   * @param db - the database
   * @returns the registry
   * @throws DatabaseError when the database holds no registry
   * @throws SchemaVersionError when it was made by a newer schema
   */
  static async open(db: Database): Promise<SqlRegistry> {
    if (!(await db.hasTable('butler_attributes'))) {
      throw new DatabaseError(`${db.description} holds no Butler registry.`, { hint: 'Create one first (butler create REPO).' });
    }
    const rows = await db.all('SELECT name, value FROM butler_attributes');
    const attrs = new Map(rows.map((r) => [String(r['name']), String(r['value'])]));
    const version = attrs.get('schema_version') ?? '0.0.0';
    const [major, minor] = version.split('.').map(Number) as [number, number];
    const [ourMajor, ourMinor] = SCHEMA_VERSION.split('.').map(Number) as [number, number];
    if (major !== ourMajor || minor > ourMinor) {
      throw new SchemaVersionError(
        `The registry in ${db.description} has schema version ${version}; this SkyStack reads ${ourMajor}.x up to ${SCHEMA_VERSION}.`,
        {
          hint:
            major > ourMajor || (major === ourMajor && minor > ourMinor)
              ? 'Upgrade @skystack/daf-butler to open it.'
              : 'It was made by an older SkyStack: migrate the repository to the current schema.',
        },
      );
    }
    const cfg = attrs.get('config:dimensions.json');
    const universe = cfg ? new DimensionUniverse(JSON.parse(cfg) as Record<string, unknown>) : DimensionUniverse.default();
    return new SqlRegistry(db, universe);
  }

  /** @inheritDoc */
  async close(): Promise<void> {
    await this.db.close();
  }

  readonly #governors = new Map<string, Set<string>>();
  /** Rows inserted per table since its last ANALYZE, and the table's size then (this process's view). */
  readonly #growth = new Map<string, { pending: number; base: number }>();

  /**
   * Records rows added to a table; once a table has grown by half
   * since its statistics were last refreshed (at least 50 rows), refreshes them (`ANALYZE`), so that the query
   * planners of both databases see the real table sizes right after bulk loads (a
   * PostgreSQL planner that has no statistics for a freshly loaded table picks nested loops that
   * take seconds instead of milliseconds).
   */
  async #grew(table: string, rows: number): Promise<void> {
    const g = this.#growth.get(table) ?? { pending: 0, base: 0 };
    g.pending += rows;
    this.#growth.set(table, g);
    if (g.pending < Math.max(50, g.base / 2)) return;
    await this.db.exec(`ANALYZE ${q(table)}`);
    g.base += g.pending;
    g.pending = 0;
  }

  /**
   * Throws DataIdValueError when a governor dimension (`instrument`, `skymap`) has no record
   * with this value: queries that name one fail loudly instead of returning nothing.
   *
   * @internal
   */
  async checkGovernorValue(dim: string, value: string): Promise<void> {
    if (this.#governors.get(dim)?.has(value)) return;
    const el = this.universe.getDimension(dim);
    const rows = await this.db.all(`SELECT ${q(el.primaryKey.name)} AS v FROM ${q(dim)}`);
    const known = new Set(rows.map((r) => String(r['v'])));
    this.#governors.set(dim, known);
    if (!known.has(value)) {
      throw new DataIdValueError(`Unknown ${dim} '${value}': no ${dim} record has that name.`, { hint: suggest(value, known) });
    }
  }

  /** Forgets cached collections and dataset types (after another process changed them). */
  refresh(): void {
    this.#collections.clear();
    this.#collectionsById.clear();
    this.#datasetTypes.clear();
    this.#governors.clear();
    this.#chains.clear();
    this.#summarized.clear();
  }

  /**
   * Runs `fn` in one transaction: everything it writes is kept, or nothing.
   *
   * @param fn - the work
   * @returns what fn returns
   */
  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  // ------------------------------------------------------------------ collections

  #cacheCollection(rec: CollectionRecord): CollectionRecord {
    this.#collections.set(rec.name, rec);
    this.#collectionsById.set(rec.id, rec);
    return rec;
  }

  /** @internal the collection record, or undefined when it does not exist. */
  async findCollection(name: string): Promise<CollectionRecord | undefined> {
    const cached = this.#collections.get(name);
    if (cached) return cached;
    const rows = await this.db.all('SELECT collection_id, name, type FROM collection WHERE name = ?', [name]);
    if (rows.length === 0) return undefined;
    const r = rows[0]!;
    return this.#cacheCollection({ id: Number(r['collection_id']), name: String(r['name']), type: Number(r['type']) as CollectionType });
  }

  /** @internal the collection record; throws MissingCollectionError with a suggestion. */
  async getCollection(name: string): Promise<CollectionRecord> {
    const rec = await this.findCollection(name);
    if (rec) return rec;
    const all = await this.#allCollections();
    throw new MissingCollectionError(`Collection '${name}' does not exist.`, { hint: suggest(name, all.map((c) => c.name)) });
  }

  async #collectionById(id: number): Promise<CollectionRecord> {
    const cached = this.#collectionsById.get(id);
    if (cached) return cached;
    const rows = await this.db.all('SELECT collection_id, name, type FROM collection WHERE collection_id = ?', [id]);
    if (rows.length === 0) throw new MissingCollectionError(`No collection has id ${id}.`);
    const r = rows[0]!;
    return this.#cacheCollection({ id, name: String(r['name']), type: Number(r['type']) as CollectionType });
  }

  async #allCollections(): Promise<CollectionRecord[]> {
    const rows = await this.db.all('SELECT collection_id, name, type FROM collection ORDER BY collection_id');
    return rows.map((r) =>
      this.#cacheCollection({ id: Number(r['collection_id']), name: String(r['name']), type: Number(r['type']) as CollectionType }),
    );
  }

  async #register(name: string, type: CollectionType, doc: string | undefined): Promise<boolean> {
    const existing = await this.findCollection(name);
    if (existing) {
      if (existing.type !== type) {
        throw new ConflictingDefinitionError(
          `Collection '${name}' already exists with type ${collectionTypeName(existing.type)}, not ${collectionTypeName(type)}.`,
        );
      }
      return false;
    }
    validateCollectionName(name);
    return this.db.transaction(async () => {
      const res = await this.db.run(
        'INSERT INTO collection (name, type, doc) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING',
        [name, type, doc ?? null],
      );
      const rec = await this.findCollection(name);
      if (!rec) throw new DatabaseError(`Collection '${name}' vanished after insert.`);
      if (rec.type !== type) {
        throw new ConflictingDefinitionError(
          `Collection '${name}' already exists with type ${collectionTypeName(rec.type)}, not ${collectionTypeName(type)}.`,
        );
      }
      if (res.changes === 0) return false;
      if (type === CollectionType.RUN) await this.db.run('INSERT INTO run (collection_id) VALUES (?) ON CONFLICT DO NOTHING', [rec.id]);
      return true;
    });
  }

  /** @inheritDoc */
  registerCollection(name: string, type: CollectionType = CollectionType.TAGGED, doc?: string): Promise<boolean> {
    return this.#register(name, type, doc);
  }

  /** @inheritDoc */
  registerRun(name: string, doc?: string): Promise<boolean> {
    return this.#register(name, CollectionType.RUN, doc);
  }

  /** @inheritDoc */
  async getCollectionType(name: string): Promise<CollectionType> {
    return (await this.getCollection(name)).type;
  }

  /** @inheritDoc */
  async removeCollection(name: string): Promise<void> {
    const rec = await this.getCollection(name);
    await this.db.transaction(async () => {
      const parents = await this.getCollectionParentChains(name);
      if (parents.length > 0) {
        throw new CollectionTypeError(`Collection '${name}' is a child of ${parents.map((p) => `'${p}'`).join(', ')}; remove it from those chains first.`);
      }
      if (rec.type === CollectionType.RUN) {
        const n = await this.db.all('SELECT 1 AS x FROM dataset WHERE run_id = ? LIMIT 1', [rec.id]);
        if (n.length > 0) {
          throw new CollectionTypeError(`RUN collection '${name}' still holds datasets.`, { hint: 'Use removeRuns / prune-datasets to delete them first.' });
        }
      }
      await this.db.run('DELETE FROM collection WHERE collection_id = ?', [rec.id]);
    });
    for (const k of [...this.#summarized]) if (k.startsWith(`${rec.id}:`)) this.#summarized.delete(k);
    this.#collections.delete(name);
    this.#collectionsById.delete(rec.id);
  }

  /** @inheritDoc */
  async getCollectionChain(parent: string): Promise<string[]> {
    const rec = await this.getCollection(parent);
    if (rec.type !== CollectionType.CHAINED) {
      throw new CollectionTypeError(`Collection '${parent}' is ${collectionTypeName(rec.type)}, not CHAINED.`);
    }
    return (await this.#chainChildren(rec.id)).map((c) => c.name);
  }

  async #chainChildren(id: number, fresh = false): Promise<CollectionRecord[]> {
    const cached = fresh ? undefined : this.#chains.get(id);
    if (cached) return cached;
    const rows = await this.db.all('SELECT child FROM collection_chain WHERE parent = ? ORDER BY position', [id]);
    const out: CollectionRecord[] = [];
    for (const r of rows) out.push(await this.#collectionById(Number(r['child'])));
    this.#chains.set(id, out);
    return out;
  }

  async #flatten(names: readonly string[]): Promise<string[]> {
    const out: string[] = [];
    for (const n of names) {
      const rec = await this.getCollection(n);
      if (rec.type === CollectionType.CHAINED) out.push(...(await this.#flatten((await this.#chainChildren(rec.id)).map((c) => c.name))));
      else out.push(n);
    }
    return [...new Set(out)];
  }

  /** @inheritDoc */
  async setCollectionChain(parent: string, children: readonly string[], options: { flatten?: boolean } = {}): Promise<void> {
    await this.db.transaction(async () => {
      const rec = await this.getCollection(parent);
      if (rec.type !== CollectionType.CHAINED) {
        throw new CollectionTypeError(`Collection '${parent}' is ${collectionTypeName(rec.type)}, not CHAINED; only CHAINED collections have children.`);
      }
      const list = options.flatten ? await this.#flatten(children) : [...new Set(children)];
      const recs: CollectionRecord[] = [];
      for (const c of list) recs.push(await this.getCollection(c));
      // Cycle check: no child may reach the parent.
      this.#chains.clear();
      for (const c of recs) {
        if (c.id === rec.id || (await this.#reaches(c, rec.id))) {
          throw new CollectionCycleError(`Adding '${c.name}' to chain '${parent}' would make a cycle (it contains '${parent}').`);
        }
      }
      await this.db.run('DELETE FROM collection_chain WHERE parent = ?', [rec.id]);
      await this.db.insertMany('collection_chain', ['parent', 'position', 'child'], recs.map((c, i) => [rec.id, i, c.id]));
      this.#chains.delete(rec.id);
    });
  }

  async #reaches(from: CollectionRecord, target: number): Promise<boolean> {
    if (from.type !== CollectionType.CHAINED) return false;
    for (const c of await this.#chainChildren(from.id)) {
      if (c.id === target || (await this.#reaches(c, target))) return true;
    }
    return false;
  }

  /** @inheritDoc */
  async prependCollectionChain(parent: string, children: readonly string[]): Promise<void> {
    await this.db.transaction(async () => {
      const current = await this.getCollectionChain(parent);
      await this.setCollectionChain(parent, [...children, ...current.filter((c) => !children.includes(c))]);
    });
  }

  /** @inheritDoc */
  async extendCollectionChain(parent: string, children: readonly string[]): Promise<void> {
    await this.db.transaction(async () => {
      const current = await this.getCollectionChain(parent);
      await this.setCollectionChain(parent, [...current.filter((c) => !children.includes(c)), ...children]);
    });
  }

  /** @inheritDoc */
  async removeFromCollectionChain(parent: string, children: readonly string[]): Promise<void> {
    await this.db.transaction(async () => {
      const current = await this.getCollectionChain(parent);
      await this.setCollectionChain(parent, current.filter((c) => !children.includes(c)));
    });
  }

  /** @inheritDoc */
  async getCollectionParentChains(name: string): Promise<string[]> {
    const rec = await this.getCollection(name);
    const rows = await this.db.all(
      'SELECT DISTINCT c.name AS name FROM collection_chain cc JOIN collection c ON c.collection_id = cc.parent WHERE cc.child = ? ORDER BY c.name',
      [rec.id],
    );
    return rows.map((r) => String(r['name']));
  }

  /** @inheritDoc */
  async getCollectionDocumentation(name: string): Promise<string | null> {
    const rec = await this.getCollection(name);
    const rows = await this.db.all('SELECT doc FROM collection WHERE collection_id = ?', [rec.id]);
    const d = rows[0]?.['doc'];
    return d === null || d === undefined ? null : String(d);
  }

  /** @inheritDoc */
  async setCollectionDocumentation(name: string, doc: string | null): Promise<void> {
    const rec = await this.getCollection(name);
    await this.db.run('UPDATE collection SET doc = ? WHERE collection_id = ?', [doc, rec.id]);
  }

  /** @inheritDoc */
  async getCollectionSummary(name: string): Promise<CollectionSummary> {
    const leaves = await this.resolveCollections([name]);
    const ids = leaves.map((c) => c.id);
    if (ids.length === 0) return { datasetTypes: [], governors: {} };
    const ph = ids.map(() => '?').join(', ');
    const rows = await this.db.all(
      `SELECT DISTINCT dt.name AS name FROM collection_summary_dataset_type s JOIN dataset_type dt ON dt.dataset_type_id = s.dataset_type_id WHERE s.collection_id IN (${ph}) ORDER BY dt.name`,
      ids,
    );
    const datasetTypes: DatasetType[] = [];
    for (const r of rows) datasetTypes.push((await this.#datasetTypeRecord(String(r['name'])))!.datasetType);
    const governors: Record<string, string[]> = {};
    for (const g of this.universe.governors) {
      const gr = await this.db.all(
        `SELECT DISTINCT ${q(g.name)} AS v FROM ${q(`collection_summary_${g.name}`)} WHERE collection_id IN (${ph}) ORDER BY ${q(g.name)}`,
        ids,
      );
      if (gr.length > 0) governors[g.name] = gr.map((r) => String(r['v']));
    }
    return { datasetTypes, governors };
  }

  /** @inheritDoc */
  async queryCollections(pattern?: CollectionPattern, options: QueryCollectionsOptions = {}): Promise<string[]> {
    const types =
      options.collectionTypes === undefined
        ? undefined
        : new Set(Array.isArray(options.collectionTypes) ? options.collectionTypes : [options.collectionTypes as CollectionType]);
    const flatten = options.flattenChains ?? false;
    const includeChains = options.includeChains ?? !flatten;
    const all = await this.#allCollections();
    const matchers = toMatchers(pattern);
    let selected: CollectionRecord[];
    if (matchers === undefined) selected = all;
    else {
      selected = [];
      for (const m of matchers) {
        if (typeof m === 'string') {
          const rec = all.find((c) => c.name === m);
          if (!rec) throw new MissingCollectionError(`Collection '${m}' does not exist.`, { hint: suggest(m, all.map((c) => c.name)) });
          selected.push(rec);
        } else {
          selected.push(...all.filter((c) => m.test(c.name)));
        }
      }
    }
    const out: string[] = [];
    const seen = new Set<string>();
    const emit = async (c: CollectionRecord): Promise<void> => {
      if (c.type === CollectionType.CHAINED) {
        if (includeChains && (types === undefined || types.has(c.type)) && !seen.has(c.name)) {
          seen.add(c.name);
          out.push(c.name);
        }
        if (flatten) for (const child of await this.#chainChildren(c.id)) await emit(child);
        return;
      }
      if ((types === undefined || types.has(c.type)) && !seen.has(c.name)) {
        seen.add(c.name);
        out.push(c.name);
      }
    };
    for (const c of selected) await emit(c);
    return out;
  }

  /**
   * The leaf collections to search, in order: patterns expanded, chains flattened in
   * order, duplicates dropped (first occurrence kept).
   *
   * @internal
   */
  async resolveCollections(pattern: CollectionPattern | undefined): Promise<CollectionRecord[]> {
    const effective = pattern ?? (this.defaultCollections.length > 0 ? this.defaultCollections : undefined);
    if (effective === undefined) {
      throw new InvalidQueryError('No collections were given to search, and the registry has no default collections.', {
        hint: "Pass collections (e.g. { collections: 'HSC/runs/RC2' }) or set defaults when opening the Butler.",
      });
    }
    const list = typeof effective === 'string' || effective instanceof RegExp ? [effective] : [...effective];
    if (list.every((p) => typeof p === 'string' && !isPattern(p))) {
      // Exact names: resolved through the caches, no scan of the collection table.
      const out: CollectionRecord[] = [];
      const seen = new Set<number>();
      const add = async (rec: CollectionRecord): Promise<void> => {
        if (rec.type === CollectionType.CHAINED) {
          for (const c of await this.#chainChildren(rec.id)) await add(c);
        } else if (!seen.has(rec.id)) {
          seen.add(rec.id);
          out.push(rec);
        }
      };
      for (const n of list as string[]) await add(await this.getCollection(n));
      return out;
    }
    const names = await this.queryCollections(effective, { flattenChains: true, includeChains: false });
    const out: CollectionRecord[] = [];
    for (const n of names) out.push(await this.getCollection(n));
    return out;
  }

  // ------------------------------------------------------------------ dataset types

  async #dimensionsKey(group: DimensionGroup, create: boolean): Promise<number | undefined> {
    const text = group.required.join(',');
    const cached = this.#groupKeys.get(text);
    if (cached !== undefined) return cached;
    let rows = await this.db.all('SELECT dimensions_key FROM dimension_group WHERE dimensions = ?', [text]);
    if (rows.length === 0) {
      if (!create) return undefined;
      await this.db.run('INSERT INTO dimension_group (dimensions) VALUES (?) ON CONFLICT (dimensions) DO NOTHING', [text]);
      rows = await this.db.all('SELECT dimensions_key FROM dimension_group WHERE dimensions = ?', [text]);
    }
    const key = Number(rows[0]!['dimensions_key']);
    this.#groupKeys.set(text, key);
    return key;
  }

  #rowToDatasetType(r: SqlRow, dims: string): DatasetTypeRecord {
    const dt = new DatasetType(String(r['name']), dims === '' ? [] : dims.split(','), String(r['storage_class']), {
      universe: this.universe,
      isCalibration: r['is_calibration'] === true || r['is_calibration'] === 1,
    });
    const rec: DatasetTypeRecord = {
      id: Number(r['dataset_type_id']),
      datasetType: dt,
      dimensionsKey: Number(r['dimensions_key']),
      tags: String(r['tag_association_table']),
      calibs: r['calibration_association_table'] === null ? null : String(r['calibration_association_table']),
    };
    this.#datasetTypes.set(dt.name, rec);
    return rec;
  }

  async #datasetTypeRecord(name: string): Promise<DatasetTypeRecord | undefined> {
    const cached = this.#datasetTypes.get(name);
    if (cached) return cached;
    const rows = await this.db.all(
      'SELECT dt.*, g.dimensions AS dims FROM dataset_type dt JOIN dimension_group g ON g.dimensions_key = dt.dimensions_key WHERE dt.name = ?',
      [name],
    );
    if (rows.length === 0) return undefined;
    return this.#rowToDatasetType(rows[0]!, String(rows[0]!['dims']));
  }

  /** @internal every registered dataset type record, by name order. */
  async allDatasetTypeRecords(): Promise<DatasetTypeRecord[]> {
    const rows = await this.db.all(
      'SELECT dt.*, g.dimensions AS dims FROM dataset_type dt JOIN dimension_group g ON g.dimensions_key = dt.dimensions_key ORDER BY dt.name',
    );
    return rows.map((r) => this.#rowToDatasetType(r, String(r['dims'])));
  }

  /** @internal the record of a registered (parent) dataset type; throws MissingDatasetTypeError with a suggestion. */
  async getDatasetTypeRecord(name: string): Promise<DatasetTypeRecord> {
    const [parent] = DatasetType.splitDatasetTypeName(name);
    const rec = await this.#datasetTypeRecord(parent);
    if (rec) return rec;
    const all = await this.allDatasetTypeRecords();
    throw new MissingDatasetTypeError(`Dataset type '${parent}' is not registered.`, {
      hint: suggest(parent, all.map((r) => r.datasetType.name)),
    });
  }

  /** @inheritDoc */
  async registerDatasetType(datasetType: DatasetType): Promise<boolean> {
    if (datasetType.isComponent()) {
      throw new InvalidQueryError(`Component dataset types such as '${datasetType.name}' cannot be registered; register '${datasetType.parentName}'.`);
    }
    if (datasetType.dimensions.universe !== this.universe) {
      datasetType = new DatasetType(datasetType.name, datasetType.dimensions.names, datasetType.storageClass, {
        universe: this.universe,
        isCalibration: datasetType.isCalibration,
      });
    }
    for (let attempt = 0; ; attempt++) {
      const existing = await this.#datasetTypeRecord(datasetType.name);
      if (existing) {
        existing.datasetType.checkCompatible(datasetType);
        return false;
      }
      try {
        return await this.db.transaction(async () => {
          const key = (await this.#dimensionsKey(datasetType.dimensions, true))!;
          const { tags, calibs } = datasetTableNames(key);
          for (const ddl of datasetTablesSchema(this.db.dialect, this.universe, datasetType.dimensions.required, key, datasetType.isCalibration)) {
            await this.db.exec(ddl);
          }
          const res = await this.db.run(
            'INSERT INTO dataset_type (name, storage_class, dimensions_key, is_calibration, tag_association_table, calibration_association_table) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING',
            [datasetType.name, datasetType.storageClass, key, datasetType.isCalibration, tags, datasetType.isCalibration ? calibs : null],
          );
          if (res.changes === 0) {
            // Another process registered it between our check and insert: compare.
            this.#datasetTypes.delete(datasetType.name);
            const rec = await this.#datasetTypeRecord(datasetType.name);
            rec!.datasetType.checkCompatible(datasetType);
            return false;
          }
          return true;
        });
      } catch (e) {
        this.#groupKeys.clear();
        if (attempt < 3 && isUniqueViolation(e)) continue;
        throw e;
      }
    }
  }

  /** @inheritDoc */
  async removeDatasetType(name: string | readonly string[]): Promise<void> {
    const names = typeof name === 'string' ? [name] : name;
    const matchers = toMatchers(names) ?? [/.*/];
    const all = await this.allDatasetTypeRecords();
    const targets = all.filter((r) => matchers.some((m) => (typeof m === 'string' ? m === r.datasetType.name : m.test(r.datasetType.name))));
    await this.db.transaction(async () => {
      for (const rec of targets) {
        const used = await this.db.all('SELECT 1 AS x FROM dataset WHERE dataset_type_id = ? LIMIT 1', [rec.id]);
        if (used.length > 0) {
          throw new ConflictingDefinitionError(`Dataset type '${rec.datasetType.name}' still has datasets; remove them first.`);
        }
        await this.db.run('DELETE FROM collection_summary_dataset_type WHERE dataset_type_id = ?', [rec.id]);
        await this.db.run('DELETE FROM dataset_type WHERE dataset_type_id = ?', [rec.id]);
        this.#datasetTypes.delete(rec.datasetType.name);
      }
    });
  }

  /** @inheritDoc */
  async getDatasetType(name: string): Promise<DatasetType> {
    const rec = await this.getDatasetTypeRecord(name);
    const [, component] = DatasetType.splitDatasetTypeName(name);
    if (component === undefined) return rec.datasetType;
    return rec.datasetType.makeComponentDatasetType(component, `${rec.datasetType.storageClass}.${component}`);
  }

  /** @inheritDoc */
  async queryDatasetTypes(pattern?: string | RegExp | readonly (string | RegExp)[]): Promise<DatasetType[]> {
    const all = await this.allDatasetTypeRecords();
    const matchers = toMatchers(pattern);
    if (matchers === undefined) return all.map((r) => r.datasetType);
    const out: DatasetType[] = [];
    for (const m of matchers) {
      for (const r of all) {
        const hit = typeof m === 'string' ? m === r.datasetType.name : m.test(r.datasetType.name);
        if (hit && !out.includes(r.datasetType)) out.push(r.datasetType);
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ dimension data

  /** @inheritDoc */
  async insertDimensionData(element: string, records: readonly DimensionRecordInput[], options: InsertDimensionDataOptions = {}): Promise<void> {
    const el = this.universe.getElement(element);
    if (!el.hasTable) {
      throw new InvalidQueryError(`Element '${element}' has no table of its own (its values come from '${el.viewOf ?? 'sky pixelization'}').`);
    }
    const recs = records.map((r) => toRecord(el, r));
    const cols = recordColumns(el);
    const rows = recs.map((r) => recordToRow(el, r));
    await this.db.transaction(async () => {
      if (options.replace) {
        const key = elementKeyColumns(el);
        for (const r of recs) {
          const vals = key.map((k) => r.fields[k] as SqlValue);
          await this.db.run(`DELETE FROM ${q(el.name)} WHERE ${key.map((k) => `${q(k)} = ?`).join(' AND ')}`, vals);
        }
      }
      // With skipExisting, existing records stay as they are, and so do their index rows.
      let fresh = recs;
      if (options.skipExisting && el.isSpatial) {
        const key = elementKeyColumns(el);
        const existing = await this.fetchRecords(el, recs.map((r) => key.map((k) => r.fields[k] as DataIdValue)));
        fresh = recs.filter((r) => !existing.has(key.map((k) => String(r.fields[k])).join('\u0000')));
      }
      try {
        await this.db.insertMany(el.name, cols, rows, { onConflict: options.skipExisting ? 'ignore' : 'error' });
      } catch (e) {
        throw this.#wrapInsertError(e, el);
      }
      if (el.isSpatial) await this.#indexRegions(el, fresh);
      await this.#grew(el.name, rows.length);
    });
  }

  #wrapInsertError(e: unknown, el: DimensionElement): unknown {
    if (isUniqueViolation(e)) {
      return new ConflictingDefinitionError(`A ${el.name} record with the same key already exists.`, {
        cause: e,
        hint: 'Use syncDimensionData, or skipExisting/replace.',
      });
    }
    const msg = String((e as Error)?.message ?? e) + String(((e as { cause?: Error }).cause as Error | undefined)?.message ?? '');
    if (/FOREIGN KEY|foreign key/i.test(msg)) {
      return new DataIdValueError(`A ${el.name} record refers to a dimension value that has no record (insert those first).`, { cause: e });
    }
    return e;
  }

  async #indexRegions(el: DimensionElement, recs: readonly DimensionRecord[]): Promise<void> {
    const level = this.universe.commonSkyPix.level;
    const cols = ['skypix_system', 'skypix_level', ...el.required, 'skypix_index'];
    const rows: SqlValue[][] = [];
    for (const r of recs) {
      const region = r.region;
      if (!region) continue;
      const keys = el.required.map((d) => (d === el.name ? r.fields[elementKeyColumns(el).at(-1)!] : r.fields[d]) as SqlValue);
      for (const i of skypixIndices(region, level)) rows.push([COMMON_LEVEL_SYSTEM, level, ...keys, i]);
    }
    if (rows.length > 0) {
      await this.db.insertMany(`${el.name}_skypix_overlap`, cols, rows, { onConflict: 'ignore' });
      await this.#grew(`${el.name}_skypix_overlap`, rows.length);
    }
  }

  /** @inheritDoc */
  async syncDimensionData(element: string, record: DimensionRecordInput, options: { update?: boolean } = {}): Promise<boolean> {
    const el = this.universe.getElement(element);
    const rec = toRecord(el, record);
    return this.db.transaction(async () => {
      const existing = await this.#fetchRecord(el, rec);
      if (existing === undefined) {
        await this.insertDimensionData(element, [rec]);
        return true;
      }
      const diff = diffRecords(existing, rec);
      if (diff.length === 0) return false;
      if (!options.update) {
        throw new ConflictingDefinitionError(`A different ${el.name} record with the same key exists: ${diff.join('; ')}.`, {
          hint: 'Pass { update: true } to replace it.',
        });
      }
      await this.insertDimensionData(element, [rec], { replace: true });
      return true;
    });
  }

  async #fetchRecord(el: DimensionElement, rec: DimensionRecord): Promise<DimensionRecord | undefined> {
    const key = elementKeyColumns(el);
    const rows = await this.db.all(
      `SELECT * FROM ${q(el.name)} WHERE ${key.map((k) => `${q(k)} = ?`).join(' AND ')}`,
      key.map((k) => rec.fields[k] as SqlValue),
    );
    return rows.length === 0 ? undefined : rowToRecord(el, rows[0]!);
  }

  /**
   * Records of one element for many data IDs at once (missing ones absent from the map).
   *
   * @internal
   */
  async fetchRecords(el: DimensionElement, keys: readonly (readonly DataIdValue[])[]): Promise<Map<string, DimensionRecord>> {
    const out = new Map<string, DimensionRecord>();
    if (keys.length === 0) return out;
    if (!el.hasTable) {
      // A view (band): one record per distinct value.
      for (const k of keys) out.set(k.map(String).join('\u0000'), new DimensionRecord(el, { [(el as { keys?: { name: string }[] }).keys?.[0]?.name ?? 'name']: k.at(-1)! }));
      return out;
    }
    const cols = elementKeyColumns(el);
    const batch = Math.max(1, Math.floor(400 / cols.length));
    const uniq = [...new Map(keys.map((k) => [k.map(String).join('\u0000'), k])).values()];
    for (let i = 0; i < uniq.length; i += batch) {
      const chunk = uniq.slice(i, i + batch);
      const where = chunk.map(() => `(${cols.map((c) => `${q(c)} = ?`).join(' AND ')})`).join(' OR ');
      const rows = await this.db.all(`SELECT * FROM ${q(el.name)} WHERE ${where}`, chunk.flat() as SqlValue[]);
      for (const r of rows) out.set(cols.map((c) => String(r[c])).join('\u0000'), rowToRecord(el, r));
    }
    return out;
  }

  /**
   * Attaches records (and implied values) to many data IDs of one group.
   *
   * @internal
   */
  async expandDataIds(dataIds: readonly DataCoordinate[]): Promise<DataCoordinate[]> {
    if (dataIds.length === 0) return [];
    const group = dataIds[0]!.dimensions;
    const values = dataIds.map((d) => new Map(Object.entries(d.mapping)));
    const recordsByElement = new Map<string, Map<string, DimensionRecord>>();
    // Repeat until nothing new: implied values from one element's records (visit ->
    // physical_filter) make the keys of others (physical_filter -> band) known.
    const pending = new Set(group.elements.filter((n) => {
      const el = this.universe.getElement(n);
      return el.hasTable || el.viewOf !== undefined;
    }));
    for (let progress = true, lenient = false; pending.size > 0; ) {
      if (!progress) {
        if (lenient) break;
        lenient = true;
      }
      progress = false;
      for (const name of [...pending]) {
        const el = this.universe.getElement(name);
        const keyOf = (v: Map<string, DataIdValue>): DataIdValue[] | undefined => {
          const k = el.required.map((d) => v.get(d));
          return k.some((x) => x === undefined) ? undefined : (k as DataIdValue[]);
        };
        const keys = values.map(keyOf).filter((k): k is DataIdValue[] => k !== undefined);
        if (keys.length < values.length && !lenient) continue;
        const recs = await this.fetchRecords(el, keys);
        recordsByElement.set(name, recs);
        pending.delete(name);
        progress = true;
        for (const v of values) {
          const k = keyOf(v);
          if (!k) continue;
          const rec = recs.get(k.map(String).join('\u0000'));
          if (!rec) continue;
          for (const imp of el.implies) {
            const iv = rec.fields[imp];
            if (iv !== null && iv !== undefined && !v.has(imp)) v.set(imp, iv as DataIdValue);
          }
        }
      }
    }
    return dataIds.map((d, i) => {
      const v = values[i]!;
      const records = new Map<string, DimensionRecord | null>();
      for (const name of group.elements) {
        const el = this.universe.getElement(name);
        const k = el.required.map((x) => v.get(x));
        const rec = k.some((x) => x === undefined) ? undefined : recordsByElement.get(name)?.get(k.map(String).join('\u0000'));
        records.set(name, rec ?? null);
      }
      const implied = new Map<string, DataIdValue>();
      for (const imp of group.implied) if (v.has(imp)) implied.set(imp, v.get(imp)!);
      return d.expanded(records, implied);
    });
  }

  /** The data ID with defaults applied and keys checked. @internal */
  standardize(dataId: DataId | undefined, dimensions?: DimensionGroup | Iterable<string>, allowExtra = false): DataCoordinate {
    return DataCoordinate.standardize(dataId, {
      universe: this.universe,
      ...(dimensions === undefined ? {} : { dimensions }),
      defaults: this.defaultDataId,
      allowExtra,
    });
  }

  /** @inheritDoc */
  async expandDataId(dataId: DataId, options: { dimensions?: DimensionGroup | Iterable<string> } = {}): Promise<DataCoordinate> {
    const std = this.standardize(dataId, options.dimensions);
    const [expanded] = await this.expandDataIds([std]);
    for (const name of std.dimensions.required) {
      const el = this.universe.getElement(name);
      if (el.hasTable && expanded!.records.get(name) === null) {
        throw new DataIdValueError(`No ${name} record for ${name}=${JSON.stringify(std.get(name))} in data ID ${std.toString()}.`);
      }
    }
    // Implied values given by the caller must agree with the records.
    if (!(dataId instanceof DataCoordinate)) {
      for (const imp of std.dimensions.implied) {
        const given = (dataId as Record<string, unknown>)[imp];
        const found = expanded!.get(imp);
        if (given !== undefined && given !== null && found !== undefined && String(given) !== String(found)) {
          throw new DataIdValueError(`Data ID ${std.toString()} says ${imp}=${JSON.stringify(given)}, but its records say ${JSON.stringify(found)}.`);
        }
      }
    }
    return expanded!;
  }

  // ------------------------------------------------------------------ datasets

  /** Summary rows this process has written (they are never removed while the collection exists). */
  readonly #summarized = new Set<string>();

  async #updateSummaries(collectionId: number, datasetTypeId: number, dataIds: readonly DataCoordinate[]): Promise<void> {
    const typeKey = `${collectionId}:t:${datasetTypeId}`;
    if (!this.#summarized.has(typeKey)) {
      await this.db.run(
        'INSERT INTO collection_summary_dataset_type (collection_id, dataset_type_id) VALUES (?, ?) ON CONFLICT DO NOTHING',
        [collectionId, datasetTypeId],
      );
      this.#summarized.add(typeKey);
    }
    for (const g of this.universe.governors) {
      const vals = new Set<string>();
      for (const d of dataIds) {
        const v = d.get(g.name);
        if (v !== undefined && !this.#summarized.has(`${collectionId}:${g.name}:${String(v)}`)) vals.add(String(v));
      }
      for (const v of vals) this.#summarized.add(`${collectionId}:${g.name}:${v}`);
      if (vals.size > 0) {
        await this.db.insertMany(`collection_summary_${g.name}`, ['collection_id', g.name], [...vals].map((v) => [collectionId, v]), {
          onConflict: 'ignore',
        });
      }
    }
  }

  async #runRecord(run: string): Promise<CollectionRecord> {
    const rec = await this.getCollection(run);
    if (rec.type !== CollectionType.RUN) {
      throw new CollectionTypeError(`Collection '${run}' is ${collectionTypeName(rec.type)}; datasets can only be added to RUN collections.`);
    }
    return rec;
  }

  /** @inheritDoc */
  async insertDatasets(
    datasetType: string | DatasetType,
    dataIds: readonly DataId[],
    run: string,
    options: { idGenerationMode?: DatasetIdGenEnum } = {},
  ): Promise<DatasetRef[]> {
    const rec = await this.getDatasetTypeRecord(typeof datasetType === 'string' ? datasetType : datasetType.name);
    const dt = rec.datasetType;
    const runRec = await this.#runRecord(run);
    const mode = options.idGenerationMode ?? DatasetIdGenEnum.UNIQUE;
    const coords = dataIds.map((d) => this.standardize(d, dt.dimensions, true));
    const refs = coords.map((c) => new DatasetRef(dt, c, run, makeDatasetId(dt, c, run, mode)));
    // Name-based IDs make re-ingest idempotent: a dataset that already exists with the same
    // ID, type, RUN and data ID is kept as it is (anything else that clashes is a conflict).
    if (mode !== DatasetIdGenEnum.UNIQUE) return this.importDatasets(refs);
    await this.#insertRefs(rec, runRec, refs, false);
    return refs;
  }

  async #insertRefs(rec: DatasetTypeRecord, runRec: CollectionRecord, refs: readonly DatasetRef[], skipExisting: boolean): Promise<void> {
    if (refs.length === 0) return;
    const required = rec.datasetType.dimensions.required;
    const ingest = nowTaiNs();
    await this.db.transaction(async () => {
      try {
        await this.db.insertMany(
          'dataset',
          ['id', 'dataset_type_id', 'run_id', 'ingest_date'],
          refs.map((r) => [r.id, rec.id, runRec.id, ingest]),
          { onConflict: skipExisting ? 'ignore' : 'error' },
        );
        await this.db.insertMany(
          rec.tags,
          ['dataset_type_id', 'dataset_id', 'collection_id', ...required],
          refs.map((r) => [rec.id, r.id, runRec.id, ...required.map((d) => r.dataId.get(d)!)]),
          { onConflict: skipExisting ? 'ignore' : 'error' },
        );
      } catch (e) {
        if (isUniqueViolation(e)) {
          throw new ConflictingDefinitionError(
            `A dataset of type '${rec.datasetType.name}' with one of these data IDs (first: ${refs[0]!.dataId.toString()}) already exists in RUN '${runRec.name}', or a dataset ID is reused.`,
            { cause: e, hint: 'Each (dataset type, data ID) may appear once per RUN; write to a new RUN or remove the old dataset.' },
          );
        }
        const msg = `${String((e as Error).message)} ${String(((e as { cause?: Error }).cause)?.message ?? '')}`;
        if (/foreign key/i.test(msg)) {
          throw new DataIdValueError(
            `A data ID of these '${rec.datasetType.name}' datasets (first: ${refs[0]!.dataId.toString()}) names a dimension value that has no record.`,
            { cause: e, hint: 'Insert the dimension records (instrument, visit, ...) first.' },
          );
        }
        throw e;
      }
      await this.#updateSummaries(runRec.id, rec.id, refs.map((r) => r.dataId));
      await this.#grew('dataset', refs.length);
      await this.#grew(rec.tags, refs.length);
    });
  }

  /**
   * Adds datasets whose (new, unique) IDs the caller made, such as the Butler's `put`: no
   * check for existing IDs first, so any clash is a ConflictingDefinitionError.
   *
   * @param refs - resolved references of one dataset type and RUN each
   * @returns the references
   */
  async insertResolvedDatasets(refs: readonly DatasetRef[]): Promise<DatasetRef[]> {
    const out: DatasetRef[] = [];
    await this.db.transaction(async () => {
      for (const [rec, list] of await this.#byType(refs)) {
        const byRun = new Map<string, DatasetRef[]>();
        for (const r of list) byRun.set(r.run, [...(byRun.get(r.run) ?? []), r]);
        for (const [run, runRefs] of byRun) {
          await this.#insertRefs(rec, await this.#runRecord(run), runRefs, false);
          out.push(...runRefs);
        }
      }
    });
    return out;
  }

  /** @inheritDoc */
  async importDatasets(refs: readonly DatasetRef[]): Promise<DatasetRef[]> {
    const groups = new Map<string, DatasetRef[]>();
    for (const r of refs) {
      const id = normalizeUuid(r.id);
      if (id === undefined) throw new InvalidQueryError(`Dataset ID '${r.id}' is not a UUID.`);
      const k = `${r.datasetType.parentName}\u0000${r.run}`;
      const list = groups.get(k) ?? [];
      list.push(id === r.id ? r : new DatasetRef(r.datasetType, r.dataId, r.run, id));
      groups.set(k, list);
    }
    const out: DatasetRef[] = [];
    await this.db.transaction(async () => {
      for (const list of groups.values()) {
        const rec = await this.getDatasetTypeRecord(list[0]!.datasetType.parentName);
        const runRec = await this.#runRecord(list[0]!.run);
        const std = list.map((r) => new DatasetRef(rec.datasetType, this.standardize(r.dataId, rec.datasetType.dimensions, true), r.run, r.id));
        // Existing IDs must match exactly (same type, run and data ID); those are skipped.
        const fresh: DatasetRef[] = [];
        for (let i = 0; i < std.length; i += 500) {
          const chunk = std.slice(i, i + 500);
          const rows = await this.db.all(
            `SELECT id, dataset_type_id, run_id FROM dataset WHERE id IN (${chunk.map(() => '?').join(', ')})`,
            chunk.map((r) => r.id),
          );
          const existing = new Map(rows.map((r) => [String(r['id']), r]));
          for (const r of chunk) {
            const e = existing.get(r.id);
            if (!e) fresh.push(r);
            else if (Number(e['dataset_type_id']) !== rec.id || Number(e['run_id']) !== runRec.id) {
              throw new ConflictingDefinitionError(`Dataset ${r.id} already exists with another dataset type or run than ${r.toString()}.`);
            } else {
              const found = await this.getDataset(r.id);
              if (found && !found.dataId.equals(r.dataId)) {
                throw new ConflictingDefinitionError(`Dataset ${r.id} already exists with data ID ${found.dataId.toString()}, not ${r.dataId.toString()}.`);
              }
            }
          }
        }
        await this.#insertRefs(rec, runRec, fresh, false);
        out.push(...std);
      }
    });
    return out;
  }

  /** @inheritDoc */
  async getDataset(id: string): Promise<DatasetRef | null> {
    const uuid = normalizeUuid(id);
    if (uuid === undefined) return null;
    const rows = await this.db.all(
      'SELECT d.dataset_type_id AS tid, c.name AS run FROM dataset d JOIN collection c ON c.collection_id = d.run_id WHERE d.id = ?',
      [uuid],
    );
    if (rows.length === 0) return null;
    const tid = Number(rows[0]!['tid']);
    const rec =
      [...this.#datasetTypes.values()].find((r) => r.id === tid) ?? (await this.allDatasetTypeRecords()).find((r) => r.id === tid);
    if (!rec) return null;
    const required = rec.datasetType.dimensions.required;
    const tagRows = await this.db.all(
      `SELECT ${required.length ? required.map(q).join(', ') : '1 AS x'} FROM ${q(rec.tags)} WHERE dataset_id = ? LIMIT 1`,
      [uuid],
    );
    const values = new Map<string, DataIdValue>();
    for (const d of required) values.set(d, tagRows[0]![d] as DataIdValue);
    return new DatasetRef(rec.datasetType, DataCoordinate.fromTrusted(rec.datasetType.dimensions, values), String(rows[0]!['run']), uuid);
  }

  /** @inheritDoc */
  async findDataset(
    datasetType: string | DatasetType,
    dataId?: DataId,
    options: { collections?: CollectionPattern; timespan?: Timespan } = {},
  ): Promise<DatasetRef | null> {
    const name = typeof datasetType === 'string' ? datasetType : datasetType.name;
    const rec = await this.getDatasetTypeRecord(name);
    const dt = rec.datasetType;
    const coord = this.standardize(dataId, dt.dimensions, true);
    const collections = await this.resolveCollections(options.collections);
    const required = dt.dimensions.required;
    const dimWhere = required.map((d) => `t.${q(d)} = ?`);
    const dimVals = required.map((d) => coord.get(d)!);
    const runsAndTags = collections.filter((c) => c.type !== CollectionType.CALIBRATION);
    let best: { rank: number; id: string; run: string } | undefined;
    if (runsAndTags.length > 0) {
      const rows = await this.db.all(
        `SELECT t.dataset_id AS id, t.collection_id AS cid, rc.name AS run FROM ${q(rec.tags)} t JOIN dataset d ON d.id = t.dataset_id JOIN collection rc ON rc.collection_id = d.run_id WHERE t.dataset_type_id = ? AND t.collection_id IN (${runsAndTags.map(() => '?').join(', ')})${dimWhere.length ? ' AND ' + dimWhere.join(' AND ') : ''}`,
        [rec.id, ...runsAndTags.map((c) => c.id), ...dimVals],
      );
      for (const r of rows) {
        const rank = collections.findIndex((c) => c.id === Number(r['cid']));
        if (best === undefined || rank < best.rank) best = { rank, id: String(r['id']), run: String(r['run']) };
      }
    }
    const calibs = collections.filter((c) => c.type === CollectionType.CALIBRATION);
    if (calibs.length > 0 && rec.calibs !== null) {
      const firstCalibRank = collections.indexOf(calibs[0]!);
      if (best === undefined || best.rank > firstCalibRank) {
        if (options.timespan === undefined) {
          throw new InvalidQueryError(
            `Searching CALIBRATION collection(s) ${calibs.map((c) => `'${c.name}'`).join(', ')} for '${name}' needs a timespan.`,
            { hint: 'Pass { timespan } (e.g. the exposure timespan), or search only RUN/TAGGED collections.' },
          );
        }
        const ts = options.timespan;
        const rows = await this.db.all(
          `SELECT t.dataset_id AS id, t.collection_id AS cid, rc.name AS run FROM ${q(rec.calibs)} t JOIN dataset d ON d.id = t.dataset_id JOIN collection rc ON rc.collection_id = d.run_id WHERE t.dataset_type_id = ? AND t.collection_id IN (${calibs.map(() => '?').join(', ')})${dimWhere.length ? ' AND ' + dimWhere.join(' AND ') : ''} AND t.timespan_begin < ? AND ? < t.timespan_end`,
          [rec.id, ...calibs.map((c) => c.id), ...dimVals, ts.endNs, ts.beginNs],
        );
        const byRank = new Map<number, SqlRow[]>();
        for (const r of rows) {
          const rank = collections.findIndex((c) => c.id === Number(r['cid']));
          byRank.set(rank, [...(byRank.get(rank) ?? []), r]);
        }
        for (const [rank, list] of [...byRank].sort((a, b) => a[0] - b[0])) {
          if (best !== undefined && best.rank < rank) break;
          if (list.length > 1) {
            throw new CalibrationConflictError(
              `${list.length} '${name}' datasets in '${collections[rank]!.name}' are valid during ${ts.toString()} for ${coord.toString()}; the timespan must pick one.`,
            );
          }
          best = { rank, id: String(list[0]!['id']), run: String(list[0]!['run']) };
          break;
        }
      }
    }
    if (best === undefined) return null;
    const [, component] = DatasetType.splitDatasetTypeName(name);
    const ref = new DatasetRef(dt, coord.subset(dt.dimensions), best.run, best.id);
    return component === undefined ? ref : ref.makeComponentRef(component, `${dt.storageClass}.${component}`);
  }

  /** @inheritDoc */
  async removeDatasets(refs: readonly DatasetRef[]): Promise<void> {
    await this.db.transaction(async () => {
      for (let i = 0; i < refs.length; i += 500) {
        const chunk = refs.slice(i, i + 500);
        await this.db.run(`DELETE FROM dataset WHERE id IN (${chunk.map(() => '?').join(', ')})`, chunk.map((r) => r.id));
      }
    });
  }

  /** @inheritDoc */
  async associate(collection: string, refs: readonly DatasetRef[]): Promise<void> {
    const coll = await this.getCollection(collection);
    if (coll.type !== CollectionType.TAGGED) {
      throw new CollectionTypeError(`Collection '${collection}' is ${collectionTypeName(coll.type)}; only TAGGED collections take associate().`);
    }
    await this.db.transaction(async () => {
      for (const [rec, list] of await this.#byType(refs)) {
        const required = rec.datasetType.dimensions.required;
        // Replace any other dataset with the same type and data ID in this collection.
        for (const r of list) {
          await this.db.run(
            `DELETE FROM ${q(rec.tags)} WHERE dataset_type_id = ? AND collection_id = ? AND dataset_id != ?${required.map((d) => ` AND ${q(d)} = ?`).join('')}`,
            [rec.id, coll.id, r.id, ...required.map((d) => r.dataId.get(d)!)],
          );
        }
        try {
          await this.db.insertMany(
            rec.tags,
            ['dataset_type_id', 'dataset_id', 'collection_id', ...required],
            list.map((r) => [rec.id, r.id, coll.id, ...required.map((d) => r.dataId.get(d)!)]),
            { onConflict: 'ignore' },
          );
        } catch (e) {
          throw new DataIdValueError(`Could not associate datasets with '${collection}': a dataset does not exist.`, { cause: e });
        }
        await this.#updateSummaries(coll.id, rec.id, list.map((r) => r.dataId));
      }
    });
  }

  async #byType(refs: readonly DatasetRef[]): Promise<Map<DatasetTypeRecord, DatasetRef[]>> {
    const out = new Map<DatasetTypeRecord, DatasetRef[]>();
    for (const r of refs) {
      const rec = await this.getDatasetTypeRecord(r.datasetType.parentName);
      const std = new DatasetRef(rec.datasetType, this.standardize(r.dataId, rec.datasetType.dimensions, true), r.run, r.id);
      out.set(rec, [...(out.get(rec) ?? []), std]);
    }
    return out;
  }

  /** @inheritDoc */
  async disassociate(collection: string, refs: readonly DatasetRef[]): Promise<void> {
    const coll = await this.getCollection(collection);
    if (coll.type !== CollectionType.TAGGED) {
      throw new CollectionTypeError(`Collection '${collection}' is ${collectionTypeName(coll.type)}; only TAGGED collections take disassociate().`);
    }
    await this.db.transaction(async () => {
      for (const [rec, list] of await this.#byType(refs)) {
        for (let i = 0; i < list.length; i += 500) {
          const chunk = list.slice(i, i + 500);
          await this.db.run(
            `DELETE FROM ${q(rec.tags)} WHERE collection_id = ? AND dataset_id IN (${chunk.map(() => '?').join(', ')})`,
            [coll.id, ...chunk.map((r) => r.id)],
          );
        }
      }
    });
  }

  /** @inheritDoc */
  async certify(collection: string, refs: readonly DatasetRef[], timespan: Timespan): Promise<void> {
    const coll = await this.getCollection(collection);
    if (coll.type !== CollectionType.CALIBRATION) {
      throw new CollectionTypeError(`Collection '${collection}' is ${collectionTypeName(coll.type)}; only CALIBRATION collections take certify().`);
    }
    await this.db.transaction(async () => {
      for (const [rec, list] of await this.#byType(refs)) {
        if (rec.calibs === null) {
          throw new CollectionTypeError(`Dataset type '${rec.datasetType.name}' is not a calibration type (isCalibration is false); it cannot be certified.`);
        }
        const required = rec.datasetType.dimensions.required;
        const seen = new Set<string>();
        for (const r of list) {
          if (seen.has(r.dataId.key)) {
            throw new CalibrationConflictError(`Two '${rec.datasetType.name}' datasets for ${r.dataId.toString()} are being certified over the same range.`);
          }
          seen.add(r.dataId.key);
          const clash = await this.db.all(
            `SELECT dataset_id FROM ${q(rec.calibs)} WHERE dataset_type_id = ? AND collection_id = ?${required.map((d) => ` AND ${q(d)} = ?`).join('')} AND timespan_begin < ? AND ? < timespan_end LIMIT 1`,
            [rec.id, coll.id, ...required.map((d) => r.dataId.get(d)!), timespan.endNs, timespan.beginNs],
          );
          if (clash.length > 0) {
            throw new CalibrationConflictError(
              `'${rec.datasetType.name}' for ${r.dataId.toString()} is already certified in '${collection}' over a range that overlaps ${timespan.toString()} (dataset ${String(clash[0]!['dataset_id'])}).`,
              { hint: 'Decertify that range first.' },
            );
          }
        }
        await this.db.insertMany(
          rec.calibs,
          ['dataset_type_id', 'dataset_id', 'collection_id', ...required, 'timespan_begin', 'timespan_end'],
          list.map((r) => [rec.id, r.id, coll.id, ...required.map((d) => r.dataId.get(d)!), timespan.beginNs, timespan.endNs]),
        );
        await this.#updateSummaries(coll.id, rec.id, list.map((r) => r.dataId));
      }
    });
  }

  /** @inheritDoc */
  async decertify(
    collection: string,
    datasetType: string | DatasetType,
    timespan: Timespan,
    options: { dataIds?: readonly DataId[] } = {},
  ): Promise<void> {
    const coll = await this.getCollection(collection);
    if (coll.type !== CollectionType.CALIBRATION) {
      throw new CollectionTypeError(`Collection '${collection}' is ${collectionTypeName(coll.type)}; only CALIBRATION collections take decertify().`);
    }
    const rec = await this.getDatasetTypeRecord(typeof datasetType === 'string' ? datasetType : datasetType.name);
    if (rec.calibs === null) return;
    const required = rec.datasetType.dimensions.required;
    const keys = options.dataIds?.map((d) => this.standardize(d, rec.datasetType.dimensions, true));
    await this.db.transaction(async () => {
      const rows = await this.db.all(
        `SELECT * FROM ${q(rec.calibs!)} WHERE dataset_type_id = ? AND collection_id = ? AND timespan_begin < ? AND ? < timespan_end`,
        [rec.id, coll.id, timespan.endNs, timespan.beginNs],
      );
      for (const r of rows) {
        if (keys && !keys.some((k) => required.every((d) => String(k.get(d)) === String(r[d])))) continue;
        await this.db.run(`DELETE FROM ${q(rec.calibs!)} WHERE id = ?`, [r['id']!]);
        const old = Timespan.fromNs(BigInt(r['timespan_begin'] as number | bigint), BigInt(r['timespan_end'] as number | bigint));
        for (const piece of old.difference(timespan)) {
          await this.db.insertMany(
            rec.calibs!,
            ['dataset_type_id', 'dataset_id', 'collection_id', ...required, 'timespan_begin', 'timespan_end'],
            [[rec.id, r['dataset_id']!, coll.id, ...required.map((d) => r[d]!), piece.beginNs, piece.endNs]],
          );
        }
      }
    });
  }

  // ------------------------------------------------------------------ queries

  /** @inheritDoc */
  queryDatasets(
    datasetType: string | DatasetType | RegExp | readonly (string | DatasetType | RegExp)[],
    options: QueryDatasetsOptions = {},
  ): DatasetQueryResults {
    return new DatasetRefQueryResults(this, datasetType, options);
  }

  /** @inheritDoc */
  queryDataIds(dimensions: string | Iterable<string> | DimensionGroup, options: QueryOptions = {}): DataCoordinateQueryResults {
    const names = typeof dimensions === 'string' ? [dimensions] : dimensions;
    return new DataIdQueryResults(this, this.universe.conform(names), options);
  }

  /** @inheritDoc */
  queryDimensionRecords(element: string, options: QueryOptions = {}): DimensionRecordQueryResults {
    return new RecordQueryResults(this, this.universe.getElement(element), options);
  }

  /** @inheritDoc */
  async queryDatasetAssociations(
    datasetType: string | DatasetType,
    options: { collections?: CollectionPattern; collectionTypes?: readonly CollectionType[]; flattenChains?: boolean } = {},
  ): Promise<DatasetAssociation[]> {
    const rec = await this.getDatasetTypeRecord(typeof datasetType === 'string' ? datasetType : datasetType.name);
    const names = await this.queryCollections(options.collections ?? '*', {
      flattenChains: options.flattenChains ?? false,
      includeChains: false,
      ...(options.collectionTypes ? { collectionTypes: options.collectionTypes } : {}),
    });
    const out: DatasetAssociation[] = [];
    const required = rec.datasetType.dimensions.required;
    for (const n of names) {
      const coll = await this.getCollection(n);
      const table = coll.type === CollectionType.CALIBRATION ? rec.calibs : rec.tags;
      if (table === null) continue;
      const ts = coll.type === CollectionType.CALIBRATION ? ', t.timespan_begin AS tb, t.timespan_end AS te' : '';
      const rows = await this.db.all(
        `SELECT t.dataset_id AS id, rc.name AS run${required.map((d) => `, t.${q(d)} AS ${q(d)}`).join('')}${ts} FROM ${q(table)} t JOIN dataset d ON d.id = t.dataset_id JOIN collection rc ON rc.collection_id = d.run_id WHERE t.dataset_type_id = ? AND t.collection_id = ?`,
        [rec.id, coll.id],
      );
      for (const r of rows) {
        const values = new Map<string, DataIdValue>(required.map((d) => [d, r[d] as DataIdValue]));
        const ref = new DatasetRef(rec.datasetType, DataCoordinate.fromTrusted(rec.datasetType.dimensions, values), String(r['run']), String(r['id']));
        out.push({
          ref,
          collection: n,
          timespan: ts ? Timespan.fromNs(BigInt(r['tb'] as number | bigint), BigInt(r['te'] as number | bigint)) : null,
        });
      }
    }
    return out;
  }
}

function diffRecords(a: DimensionRecord, b: DimensionRecord): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(b.fields)) {
    const w = a.fields[k];
    if (k === 'region') {
      const ea = w ? regionToHex(w as Region) : null;
      const eb = v ? regionToHex(v as Region) : null;
      if (ea !== eb) out.push('region differs');
    } else if (k === 'timespan') {
      if (String(w) !== String(v)) out.push(`timespan ${String(w)} != ${String(v)}`);
    } else if (v instanceof Uint8Array || w instanceof Uint8Array) {
      if (!(v instanceof Uint8Array && w instanceof Uint8Array && Buffer.from(v).equals(Buffer.from(w)))) out.push(`${k} differs`);
    } else if (String(w ?? null) !== String(v ?? null)) {
      out.push(`${k}: ${JSON.stringify(w)} != ${JSON.stringify(v)}`);
    }
  }
  return out;
}


/**
 * Makes (or opens, when one exists) a registry at a database URL.
 *
 * @param url - `sqlite://` (memory), `sqlite:///abs/path.sqlite3`, or `postgresql://user@host:port/db[?schema=s]`
 * @param options - universe for a new registry
 * @returns the registry
 * @example
 * ```ts
 * const registry = await createRegistry('sqlite://');
 * ```
 */
export async function createRegistry(url: string, options: CreateRegistryOptions = {}): Promise<SqlRegistry> {
  const db = await openDatabase(url);
  try {
    return await SqlRegistry.create(db, options);
  } catch (e) {
    await db.close();
    throw e;
  }
}

/**
 * Opens an existing registry at a database URL.
 *
 * @param url - as for {@link createRegistry}
 * @returns the registry
 * @throws DatabaseError when there is no registry there
 */
export async function openRegistry(url: string): Promise<SqlRegistry> {
  const db = await openDatabase(url, { create: false });
  try {
    return await SqlRegistry.open(db);
  } catch (e) {
    await db.close();
    throw e;
  }
}
