import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { writeFileAtomic } from '@skystack/base';
import { dirname, join, relative, resolve } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { BUTLER_CONFIG_FILE, ButlerConfig, DEFAULT_BUTLER_CONFIG, mergeConfig } from './config/butler-config.js';
import type { ArtifactLocation, Datastore, FileDataset, TransferMode } from './datastore/datastore.js';
import { FileDatastore, transferFile } from './datastore/file-datastore.js';
import { DEFAULT_FILE_TEMPLATES, FileTemplates, type FileTemplatesConfig } from './datastore/file-template.js';
import { InMemoryDatastore } from './datastore/in-memory-datastore.js';
import { DataCoordinate, type DataId, type DataIdValue } from './dimensions/data-coordinate.js';
import type { DimensionGroup } from './dimensions/group.js';
import type { DimensionUniverse } from './dimensions/universe.js';
import { DatasetIdGenEnum, DatasetRef, makeDatasetId } from './datasets/dataset-ref.js';
import { DatasetType } from './datasets/dataset-type.js';
import {
  AlreadyExistsError,
  ButlerNotWriteableError,
  DataIdError,
  DatasetNotFoundError,
} from './errors.js';
import { FormatterFactory, formatterNameFromPath, type ModuleImporter } from './formatters/formatter.js';
import { CollectionType } from './registry/collection-type.js';
import type { CollectionPattern } from './registry/registry.js';
import type { SqlRegistry} from './registry/sql/sql-registry.js';
import { createRegistry, openRegistry } from './registry/sql/sql-registry.js';
import { StorageClassFactory, type StorageClass } from './storage/storage-class.js';
import type { Timespan } from './time/timespan.js';
import { exportYaml, importYaml } from './transfers/yaml-export-format.js';

/**
 * What a Butler knows about a dataset, as flags (daf_butler's `DatasetExistence`): in the
 * registry, in the datastore's records, and whether its file exists.
 *
 * @see lsst.daf.butler.DatasetExistence
 */
export enum DatasetExistence {
  /** Nothing known. */
  UNRECOGNIZED = 0,
  /** The registry has the dataset. */
  RECORDED = 1,
  /** The datastore has a record of it. */
  DATASTORE = 2,
  /** Its artifact (file) exists. */
  _ARTIFACT = 4,
  /** All of the above: the dataset can be read. */
  KNOWN = 7,
}

/** Options of the {@link Butler} constructor and {@link Butler.from}. */
export interface ButlerOptions {
  /** Default collections to search. */
  readonly collections?: string | readonly string[];
  /** Default RUN for `put` (implies writeable; registered on first use). */
  readonly run?: string;
  /** Whether writes are allowed (default: true when `run` is given). */
  readonly writeable?: boolean;
  /** Default `instrument` for every data ID. */
  readonly instrument?: string;
  /** Default `skymap` for every data ID. */
  readonly skymap?: string;
  /** Other default data ID values. */
  readonly dataId?: Readonly<Record<string, DataIdValue>>;
  /**
   * Formatters (default {@link FormatterFactory.default}). Either way, opening the repository
   * awaits {@link FormatterFactory.loadFormatters}: the modules of configured formatters that are
   * not registered (obs-base's FITS formatters), of the repository's `datastore.formatterModules`
   * and of recorded `pkg#Export` formatter names are imported then.
   */
  readonly formatters?: FormatterFactory;
  /**
   * How to import the modules named in configuration (formatter modules); default
   * daf-butler's `defaultImportModule`. Pass `(s) => import(s)` from your own code to resolve them as
   * your code would.
   */
  readonly importModule?: ModuleImporter;
  /** Storage classes (default {@link StorageClassFactory.default} plus the repository's). */
  readonly storageClasses?: StorageClassFactory;
}

/** Options of {@link Butler.makeRepo}. */
export interface MakeRepoOptions {
  /** Configuration merged over the defaults (e.g. `{ registry: { db: 'postgresql://...' } }`). */
  readonly config?: Readonly<Record<string, unknown>>;
  /** The dimension universe (default: daf_butler's version 8). */
  readonly universe?: DimensionUniverse;
  /** Replace an existing butler.yaml (the database is kept). */
  readonly overwrite?: boolean;
}

/** Options of {@link Butler.get} and friends. */
export interface GetOptions {
  /** Collections to search (default: the Butler's). */
  readonly collections?: CollectionPattern;
  /** Read parameters (`{ bbox }`, `{ columns }`). */
  readonly parameters?: Readonly<Record<string, unknown>>;
  /** For calibrations: the time the dataset must be valid at (default: the exposure's or visit's). */
  readonly timespan?: Timespan;
  /**
   * Read as this storage class instead of the dataset type's: allowed when one inherits from
   * the other (e.g. `ExposureF` for `Exposure`); daf_butler's Python converters do not apply.
   */
  readonly storageClass?: string;
}

/** A dataset to be read later (`getDeferred`). @see lsst.daf.butler.DeferredDatasetHandle */
export interface DeferredDatasetHandle {
  /** The dataset. */
  readonly ref: DatasetRef;
  /** Reads it (or a component, or with parameters). */
  get(options?: { component?: string; parameters?: Readonly<Record<string, unknown>> }): Promise<unknown>;
}

/** What names a dataset to read: a dataset type name (`calexp`, `calexp.wcs`), a DatasetType, or a resolved DatasetRef. */
export type DatasetTypeArg = string | DatasetType | DatasetRef;

/**
 * The Butler: reads and writes datasets by dataset type and data ID, whatever the storage.
 * A repository is a directory with `butler.yaml`, a registry database (SQLite in the
 * directory by default, or PostgreSQL) and a datastore (files under the directory).
 *
 * @example
 * ```ts
 * await Butler.makeRepo('/data/repo');
 * const butler = await Butler.from('/data/repo', { run: 'u/me/test', instrument: 'HSC' });
 * await butler.registry.registerDatasetType(new DatasetType('metrics', [], 'StructuredDataDict', { universe: butler.universe }));
 * await butler.put({ a: 1 }, 'metrics', {});
 * const metrics = await butler.get('metrics', {}, { collections: 'u/me/test' });
 * ```
 * @see lsst.daf.butler.Butler
 */
export class Butler {
  /** The repository root. */
  readonly root: string;
  /** Resolves to this Butler once the repository is open (all methods wait for it). */
  readonly ready: Promise<Butler>;
  #registry: SqlRegistry | undefined;
  #datastore: Datastore | undefined;
  #config: ButlerConfig | undefined;
  #formatters: FormatterFactory | undefined;
  #storageClasses: StorageClassFactory | undefined;
  readonly #options: ButlerOptions;
  #run: string | undefined;
  #collections: readonly string[];

  /**
   * Opens a repository; use `await butler.ready` (or {@link Butler.from}) to wait for it.
   * Errors (not a repository, no such path) surface on the first call.
   *
   * @param root - the repository directory (or its butler.yaml)
   * @param options - collections, run, writeable, default data ID values
   */
  constructor(root: string, options: ButlerOptions = {}) {
    this.root = resolve(root);
    this.#options = options;
    this.#run = options.run;
    const c = options.collections;
    this.#collections = c === undefined ? (options.run ? [options.run] : []) : typeof c === 'string' ? [c] : [...c];
    this.ready = this.#open(root);
    this.ready.catch(() => undefined); // reported by the first call that awaits it
  }

  /**
   * Opens a repository and waits until it is ready.
   *
   * @param root - the repository directory (or its butler.yaml)
   * @param options - collections, run, writeable, default data ID values
   * @returns the Butler
   * @throws RepositoryNotFoundError when the path does not exist or is not a repository
   */
  static from(root: string, options: ButlerOptions = {}): Promise<Butler> {
    return new Butler(root, options).ready;
  }

  /**
   * Makes a new repository: the directory, `butler.yaml`, the registry database and the
   * datastore's tables.
   *
   * @param root - the directory (made if missing)
   * @param options - configuration overrides, universe, overwrite
   * @returns the repository's configuration
   * @throws AlreadyExistsError when the directory already holds a repository
   */
  static async makeRepo(root: string, options: MakeRepoOptions = {}): Promise<ButlerConfig> {
    const dir = resolve(root);
    const file = join(dir, BUTLER_CONFIG_FILE);
    if (existsSync(file) && !options.overwrite) {
      throw new AlreadyExistsError(`${dir} already holds a Butler repository (${BUTLER_CONFIG_FILE}).`, {
        hint: 'Use another directory, or pass overwrite to replace its configuration.',
      });
    }
    mkdirSync(dir, { recursive: true });
    const data = mergeConfig(DEFAULT_BUTLER_CONFIG, options.config ?? {});
    const config = new ButlerConfig(dir, data);
    const registry = await createRegistry(config.registryUrl, options.universe ? { universe: options.universe } : {});
    try {
      await FileDatastore.create({
        root: config.datastoreRoot,
        db: registry.db,
        templates: new FileTemplates(DEFAULT_FILE_TEMPLATES, { universe: registry.universe }),
        formatters: FormatterFactory.default(),
        storageClasses: StorageClassFactory.default(),
      });
    } finally {
      await registry.close();
    }
    await writeFileAtomic(file, stringifyYaml(options.config ?? {}) || '{}\n');
    return config;
  }

  async #open(root: string): Promise<Butler> {
    const config = ButlerConfig.load(root);
    this.#config = config;
    const registry = await openRegistry(config.registryUrl);
    const defaults: Record<string, DataIdValue> = { ...(this.#options.dataId ?? {}) };
    if (this.#options.instrument !== undefined) defaults['instrument'] = this.#options.instrument;
    if (this.#options.skymap !== undefined) defaults['skymap'] = this.#options.skymap;
    registry.defaultDataId = defaults;
    registry.defaultCollections = this.#collections;
    this.#registry = registry;
    const storageClasses = this.#options.storageClasses ?? StorageClassFactory.default();
    const extra = config.get('storageClasses');
    if (extra && typeof extra === 'object') storageClasses.addFromConfig({ storageClasses: extra as Record<string, unknown> });
    this.#storageClasses = storageClasses;
    const formatters = this.#options.formatters ?? FormatterFactory.default();
    const mapping = config.get('datastore.formatters');
    if (mapping && typeof mapping === 'object') {
      for (const [k, v] of Object.entries(mapping as Record<string, unknown>)) {
        if (k === 'modules' && v !== null && typeof v === 'object') {
          formatters.addFromConfig({ modules: v });
          continue;
        }
        const name = typeof v === 'string' ? v : (v as { formatter?: string } | null)?.formatter;
        if (typeof name === 'string' && k !== 'write_recipes' && k !== 'default') formatters.setMapping(k, name);
      }
    }
    this.#formatters = formatters;
    const cls = String(config.get('datastore.cls') ?? 'FileDatastore');
    if (cls.endsWith('InMemoryDatastore')) {
      this.#datastore = new InMemoryDatastore(formatters, storageClasses);
    } else {
      const templates = (config.get('datastore.templates') ?? {}) as Record<string, unknown>;
      this.#datastore = await FileDatastore.create({
        root: config.datastoreRoot,
        db: registry.db,
        templates: new FileTemplates(mergeConfig(DEFAULT_FILE_TEMPLATES, templates) as FileTemplatesConfig, { universe: registry.universe }),
        formatters,
        storageClasses,
        checksum: config.get('datastore.checksum') === true,
        fsync: config.get('datastore.fsync') === true,
      });
    }
    await this.#loadFormatters(config, registry, formatters);
    return this;
  }

  /** Imports the formatter modules the configuration and the datastore's records name (see {@link ButlerOptions.formatters}). */
  async #loadFormatters(config: ButlerConfig, registry: SqlRegistry, formatters: FormatterFactory): Promise<void> {
    const modules = config.get('datastore.formatterModules');
    const names: string[] = [];
    if (this.#datastore instanceof FileDatastore) {
      // Formatters named by module specifier (instruments' raw formatters) are found from the records.
      const rows = await registry.db.all("SELECT DISTINCT formatter FROM file_datastore_records WHERE formatter LIKE '%#%'");
      for (const r of rows) if (!formatters.hasFormatter(formatterNameFromPath(String(r['formatter'])))) names.push(String(r['formatter']));
    }
    await formatters.loadFormatters({
      importModule: this.#options.importModule,
      modules: Array.isArray(modules) ? modules.map(String) : typeof modules === 'string' ? [modules] : [],
      names,
    });
  }

  /** The registry (after {@link ready}). */
  get registry(): SqlRegistry {
    if (this.#registry === undefined) throw new DataIdError('The Butler is not open yet: await butler.ready first.');
    return this.#registry;
  }

  /** The datastore (after {@link ready}). */
  get datastore(): Datastore {
    if (this.#datastore === undefined) throw new DataIdError('The Butler is not open yet: await butler.ready first.');
    return this.#datastore;
  }

  /** The dimension universe. */
  get universe(): DimensionUniverse {
    return this.registry.universe;
  }

  /** The repository configuration. */
  get config(): ButlerConfig {
    return this.#config!;
  }

  /** The storage classes. */
  get storageClasses(): StorageClassFactory {
    return this.#storageClasses!;
  }

  /** The formatters (register more, e.g. obs-base's FITS formatters, before reading those types). */
  get formatters(): FormatterFactory {
    return this.#formatters!;
  }

  /** The default RUN for writes. */
  get run(): string | undefined {
    return this.#run;
  }

  /** The default collections. */
  get collections(): readonly string[] {
    return this.#collections;
  }

  /** Whether writes are allowed. */
  get isWriteable(): boolean {
    return this.#options.writeable ?? this.#run !== undefined;
  }

  /** Closes the registry connection. */
  async close(): Promise<void> {
    await this.ready.catch(() => undefined);
    await this.#registry?.close();
  }

  // ------------------------------------------------------------------ lookups

  #storageClassOf(datasetType: DatasetType, component: string | undefined): StorageClass {
    const sc = this.storageClasses.getStorageClass(datasetType.makeCompositeDatasetType().storageClass);
    if (component === undefined) return sc;
    const compName = sc.allComponents().get(component);
    if (compName === undefined) {
      throw new DataIdError(`Storage class ${sc.name} of '${datasetType.parentName}' has no component '${component}'.`, {
        hint: sc.allComponents().size ? `Components: ${[...sc.allComponents().keys()].join(', ')}.` : 'It has no components.',
      });
    }
    return this.storageClasses.getStorageClass(compName);
  }

  /**
   * Finds the dataset a (dataset type, data ID) pair names in the collections, expanding a
   * partial data ID through the registry (implied values, alternate keys such as
   * `detector.full_name`) and, for calibrations, looking up the validity range by the
   * exposure's or visit's time.
   *
   * @param datasetType - name (`calexp`, `calexp.wcs`), DatasetType or DatasetRef
   * @param dataId - the data ID (defaults are added)
   * @param options - collections, timespan
   * @returns the resolved reference (a component reference for `parent.component`)
   * @throws MissingDatasetTypeError for unknown dataset types (with a suggestion)
   * @throws DatasetNotFoundError when nothing matches, saying what was searched
   */
  async findDataset(datasetType: DatasetTypeArg, dataId: DataId = {}, options: GetOptions = {}): Promise<DatasetRef> {
    await this.ready;
    if (datasetType instanceof DatasetRef) return datasetType;
    const name = typeof datasetType === 'string' ? datasetType : datasetType.name;
    const [parent, component] = DatasetType.splitDatasetTypeName(name);
    const dt = await this.registry.getDatasetType(parent);
    const { coordinate, timespan } = await this.#resolveDataId(dt, dataId);
    const collections = options.collections ?? (this.#collections.length ? this.#collections : undefined);
    const ts = options.timespan ?? (dt.isCalibration ? timespan : undefined);
    const ref = await this.registry.findDataset(dt, coordinate, { ...(collections ? { collections } : {}), ...(ts ? { timespan: ts } : {}) });
    if (ref === null) {
      const searched = collections === undefined ? '(no collections)' : JSON.stringify(typeof collections === 'string' ? [collections] : collections);
      throw new DatasetNotFoundError(`Dataset '${name}' with data ID ${coordinate.toString()} could not be found in collections ${searched}.`, {
        hint: dt.isCalibration && ts === undefined ? 'It is a calibration: give an exposure or visit (or a timespan) so its validity range can be looked up.' : undefined,
      });
    }
    if (component === undefined) return ref;
    return ref.makeComponentRef(component, this.#storageClassOf(dt, component).name);
  }

  /** Standardizes a user data ID for a dataset type: defaults, alternate keys, implied values, calibration time. */
  async #resolveDataId(dt: DatasetType, dataId: DataId): Promise<{ coordinate: DataCoordinate; timespan: Timespan | undefined }> {
    const registry = this.registry;
    const u = registry.universe;
    const plain: Record<string, DataIdValue> = {};
    if (dataId instanceof DataCoordinate) Object.assign(plain, dataId.mapping);
    else for (const [k, v] of Object.entries(dataId)) if (v !== undefined && v !== null) plain[k] = v as DataIdValue;
    for (const [k, v] of Object.entries(registry.defaultDataId)) if (!(k in plain)) plain[k] = v;
    // Keys that are not dimensions: alternate keys or metadata (detector.full_name, exposure.obs_id,
    // full_name, obs_id, day_obs+seq_num...): rewrite them through a record query.
    const extra = Object.keys(plain).filter((k) => !(u.has(k) && u.getElement(k).isDimension));
    if (extra.length > 0) {
      const byElement = new Map<string, [string, DataIdValue][]>();
      for (const k of extra) {
        const [el, field] = k.includes('.') ? (k.split('.') as [string, string]) : [this.#elementWithField(k), k];
        byElement.set(el, [...(byElement.get(el) ?? []), [field, plain[k]!]]);
        delete plain[k];
      }
      for (const [el, fields] of byElement) {
        const where = fields.map(([f], i) => `${el}.${f} = :v${i}`).join(' AND ');
        const bind = Object.fromEntries(fields.map(([, v], i) => [`v${i}`, v]));
        const known = Object.fromEntries(Object.entries(plain).filter(([k]) => u.getElement(el).required.includes(k)));
        const recs = await registry.queryDimensionRecords(el, { where, bind, dataId: known }).toArray();
        if (recs.length !== 1) {
          throw new DataIdError(
            `${recs.length === 0 ? 'No' : `${recs.length}`} '${el}' record${recs.length === 1 ? '' : 's'} match ${fields.map(([f, v]) => `${el}.${f}=${JSON.stringify(v)}`).join(', ')}.`,
          );
        }
        const rid = recs[0]!.dataId;
        for (const [k, v] of Object.entries(rid.mapping)) plain[k] = v;
      }
    }
    const group = u.conform([...dt.dimensions.names, ...Object.keys(plain).filter((k) => u.has(k))]);
    const expanded = await registry.expandDataId(plain, { dimensions: group });
    let timespan: Timespan | undefined;
    for (const el of ['exposure', 'visit']) {
      const ts = expanded.records.get(el)?.timespan;
      if (ts) {
        timespan = ts;
        break;
      }
    }
    return { coordinate: expanded.subset(dt.dimensions), timespan };
  }

  #elementWithField(field: string): string {
    const u = this.registry.universe;
    const hits = u.elements.filter(
      (e) => e.metadata.some((m) => m.name === field) || ('keys' in e && (e as { keys: { name: string }[] }).keys.slice(1).some((k) => k.name === field)),
    );
    if (hits.length !== 1) {
      throw new DataIdError(
        hits.length === 0 ? `'${field}' is not a dimension or a field of any dimension.` : `'${field}' is a field of ${hits.map((h) => h.name).join(' and ')}; qualify it (e.g. '${hits[0]!.name}.${field}').`,
      );
    }
    return hits[0]!.name;
  }

  /** References with data IDs that carry their records (file templates need them). */
  async #expandRefs(refs: readonly DatasetRef[]): Promise<DatasetRef[]> {
    const byGroup = new Map<DimensionGroup, number[]>();
    refs.forEach((r, i) => {
      if (r.dataId.hasRecords()) return;
      byGroup.set(r.dataId.dimensions, [...(byGroup.get(r.dataId.dimensions) ?? []), i]);
    });
    const out = [...refs];
    for (const idx of byGroup.values()) {
      const expanded = await this.registry.expandDataIds(idx.map((i) => refs[i]!.dataId));
      idx.forEach((i, k) => (out[i] = refs[i]!.expanded(expanded[k]!)));
    }
    return out;
  }

  async #expandFiles(datasets: readonly FileDataset[]): Promise<FileDataset[]> {
    const all = await this.#expandRefs(datasets.flatMap((d) => d.refs));
    let k = 0;
    return datasets.map((d) => ({ ...d, refs: d.refs.map(() => all[k++]!) }));
  }

  // ------------------------------------------------------------------ reading

  /**
   * Reads a dataset.
   *
   * @param datasetType - name (`calexp`, `calexp.wcs` for a component), DatasetType, or a DatasetRef
   * @param dataId - data ID (partial ones are expanded; defaults apply)
   * @param options - collections, read parameters, calibration timespan
   * @returns the in-memory object (its type is the storage class's)
   * @throws DatasetNotFoundError / MissingDatasetTypeError / DataIdValueError
   */
  async get(datasetType: DatasetTypeArg, dataId: DataId = {}, options: GetOptions = {}): Promise<unknown> {
    const ref = await this.findDataset(datasetType, dataId, options);
    if (options.storageClass !== undefined) {
      const own = this.#storageClassOf(ref.datasetType.makeCompositeDatasetType(), ref.datasetType.component);
      const wanted = this.storageClasses.getStorageClass(options.storageClass);
      if (wanted.name !== own.name && !wanted.isSubclassOf(own.name, this.storageClasses) && !own.isSubclassOf(wanted.name, this.storageClasses)) {
        throw new DataIdError(
          `Cannot read '${ref.datasetType.name}' (storage class ${own.name}) as ${wanted.name}: they are not related by inheritance.`,
          { hint: 'Read it as its own storage class and convert it in your code.' },
        );
      }
    }
    return this.#read(ref, options.parameters);
  }

  async #read(ref: DatasetRef, parameters: Readonly<Record<string, unknown>> | undefined): Promise<unknown> {
    const component = ref.datasetType.component;
    const parentRef = component === undefined ? ref : new DatasetRef(ref.datasetType.makeCompositeDatasetType(), ref.dataId, ref.run, ref.id);
    const storageClass = this.#storageClassOf(parentRef.datasetType, component);
    return this.datastore.get(parentRef, { storageClass, component, parameters });
  }

  /**
   * A handle that reads the dataset later (the lookup happens now).
   *
   * @param datasetType - as {@link get}
   * @param dataId - as {@link get}
   * @param options - collections, timespan
   * @returns the handle
   */
  async getDeferred(datasetType: DatasetTypeArg, dataId: DataId = {}, options: GetOptions = {}): Promise<DeferredDatasetHandle> {
    const ref = await this.findDataset(datasetType, dataId, options);
    return {
      ref,
      get: (o = {}) => {
        const r = o.component ? ref.makeComponentRef(o.component, this.#storageClassOf(ref.datasetType, o.component).name) : ref;
        return this.#read(r, o.parameters ?? options.parameters);
      },
    };
  }

  /**
   * What the Butler knows about a dataset.
   *
   * @param datasetType - as {@link get}
   * @param dataId - as {@link get}
   * @param options - collections
   * @returns the flags (`DatasetExistence.KNOWN` when it can be read)
   */
  async exists(datasetType: DatasetTypeArg, dataId: DataId = {}, options: GetOptions = {}): Promise<DatasetExistence> {
    let ref: DatasetRef;
    try {
      ref = await this.findDataset(datasetType, dataId, options);
    } catch (e) {
      if (e instanceof DatasetNotFoundError) return DatasetExistence.UNRECOGNIZED;
      throw e;
    }
    const parent = ref.datasetType.isComponent() ? new DatasetRef(ref.datasetType.makeCompositeDatasetType(), ref.dataId, ref.run, ref.id) : ref;
    const artifact = await this.datastore.exists(parent);
    const recorded = artifact || (await this.datastore.locate([parent])).length > 0;
    return DatasetExistence.RECORDED | (recorded ? DatasetExistence.DATASTORE : 0) | (artifact ? DatasetExistence._ARTIFACT : 0);
  }

  /**
   * Whether the datastore holds the dataset's artifact.
   *
   * @param ref - the dataset
   * @returns true when it can be read
   */
  async stored(ref: DatasetRef): Promise<boolean> {
    await this.ready;
    return this.datastore.exists(ref);
  }

  /**
   * The `file://` URI of a dataset's file (daf_butler's `getURI`; the Gen2 `_filename`).
   * Read datasets through `get`: files move, formats change, and the registry, not the path,
   * says what a file holds.
   *
   * With `predict`, a dataset that is not stored gives where its file would go, with the
   * fragment `#predicted` (a reference from a QuantumGraph, or a type and data ID with `run`
   * for one not in the registry), as daf_butler does.
   *
   * @param datasetType - as {@link get}
   * @param dataId - as {@link get}
   * @param options - collections; `predict` and `run`
   * @returns the URI
   * @throws DatasetNotFoundError when the dataset is not found (without `predict` and `run`) or
   *   not stored (without `predict`)
   * @example
   * ```ts
   * await butler.getURI(ref, {}, { predict: true }); // 'file:///repo/u/me/run/calexp/...fits#predicted'
   * ```
   * @see lsst.daf.butler.Butler.getURI
   */
  async getURI(
    datasetType: DatasetTypeArg,
    dataId: DataId = {},
    options: GetOptions & {
      /** Give the predicted URI of a dataset that is not stored instead of throwing. */
      readonly predict?: boolean | undefined;
      /** With `predict`: the RUN of a dataset not found in the registry. */
      readonly run?: string | undefined;
    } = {},
  ): Promise<string> {
    let ref: DatasetRef;
    try {
      ref = await this.findDataset(datasetType, dataId, options);
    } catch (e) {
      if (!(e instanceof DatasetNotFoundError) || !options.predict || options.run === undefined) throw e;
      const name = typeof datasetType === 'string' ? datasetType : datasetType instanceof DatasetRef ? datasetType.datasetType.name : datasetType.name;
      const dt = await this.registry.getDatasetType(DatasetType.splitDatasetTypeName(name)[0]);
      const { coordinate } = await this.#resolveDataId(dt, dataId);
      ref = new DatasetRef(dt, coordinate, options.run, makeDatasetId(dt, coordinate, options.run, DatasetIdGenEnum.UNIQUE));
    }
    const parent = ref.datasetType.isComponent() ? new DatasetRef(ref.datasetType.makeCompositeDatasetType(), ref.dataId, ref.run, ref.id) : ref;
    return this.datastore.getURI(parent, { predict: options.predict === true });
  }

  // ------------------------------------------------------------------ writing

  #checkWriteable(run: string | undefined): string {
    if (!this.isWriteable) {
      throw new ButlerNotWriteableError('This Butler is read-only.', { hint: 'Open it with { run } or { writeable: true }.' });
    }
    const r = run ?? this.#run;
    if (r === undefined) throw new ButlerNotWriteableError('No RUN collection to write to.', { hint: 'Pass { run } to put(), or open the Butler with { run }.' });
    return r;
  }

  /**
   * Writes a new dataset. The file is written to a temporary name and renamed into place in
   * the same registry transaction that records the dataset; an existing dataset with the
   * same type and data ID in the RUN is never overwritten.
   *
   * @param obj - the object (of the dataset type's storage class)
   * @param datasetType - name or DatasetType (must be registered)
   * @param dataId - the data ID
   * @param options - `run` (default: the Butler's)
   * @returns the new dataset's reference
   * @throws ConflictingDefinitionError when the dataset exists already
   */
  async put(obj: unknown, datasetType: string | DatasetType, dataId: DataId = {}, options: { run?: string } = {}): Promise<DatasetRef> {
    await this.ready;
    const run = this.#checkWriteable(options.run);
    const dt = await this.registry.getDatasetType(typeof datasetType === 'string' ? datasetType : datasetType.name);
    if (dt.isComponent()) throw new DataIdError(`Components such as '${dt.name}' cannot be written on their own; put '${dt.parentName}'.`);
    const { coordinate } = await this.#resolveDataId(dt, dataId);
    await this.registry.registerRun(run);
    const ref = new DatasetRef(dt, coordinate, run, makeDatasetId(dt, coordinate, run, DatasetIdGenEnum.UNIQUE));
    const prepared = await this.datastore.prepare(obj, ref, this.#storageClassOf(dt, undefined));
    try {
      await this.registry.transaction(async () => {
        await this.registry.insertResolvedDatasets([ref]);
        await prepared.commit();
      });
    } catch (e) {
      await prepared.abort();
      throw e;
    }
    return ref;
  }

  /**
   * Ingests existing files as datasets (raws, external catalogs).
   *
   * @param datasets - files and the (resolved) datasets they hold
   * @param options - `transfer` (default 'auto': in place when inside the repository, else copy)
   * @returns the datasets
   */
  async ingest(datasets: readonly FileDataset[], options: { transfer?: TransferMode } = {}): Promise<DatasetRef[]> {
    await this.ready;
    if (!this.isWriteable) this.#checkWriteable(undefined);
    const refs = datasets.flatMap((d) => d.refs);
    for (const run of new Set(refs.map((r) => r.run))) await this.registry.registerRun(run);
    const prepared = await this.datastore.prepareIngest(await this.#expandFiles(datasets), options.transfer ?? 'auto');
    try {
      await this.registry.transaction(async () => {
        await this.registry.importDatasets(refs);
        for (const p of prepared) await p.commit();
      });
    } catch (e) {
      for (const p of prepared) await p.abort();
      throw e;
    }
    if ((options.transfer ?? 'auto') === 'move') {
      for (const d of datasets) await rm(d.path, { force: true });
    }
    return refs;
  }

  /**
   * Removes RUN collections and their datasets (files go too unless `unstore` is false).
   *
   * @param names - RUN names
   * @param options - `unstore` (default true)
   */
  async removeRuns(names: readonly string[], options: { unstore?: boolean } = {}): Promise<void> {
    await this.ready;
    this.#checkWriteable(names[0] ?? 'x');
    for (const run of names) {
      if ((await this.registry.getCollectionType(run)) !== CollectionType.RUN) {
        throw new DataIdError(`'${run}' is not a RUN collection.`);
      }
      const refs = await this.registry.queryDatasets('*', { collections: run }).toArray();
      await this.registry.transaction(async () => {
        await this.datastore.trash(refs);
        await this.registry.removeDatasets(refs);
        for (const parent of await this.registry.getCollectionParentChains(run)) await this.registry.removeFromCollectionChain(parent, [run]);
        await this.registry.removeCollection(run);
      });
    }
    if (options.unstore ?? true) await this.datastore.emptyTrash();
  }

  /**
   * Removes datasets: from TAGGED collections (`disassociate`), from the datastore
   * (`unstore`: files go, the registry keeps them), or entirely (`purge`).
   *
   * @param refs - the datasets
   * @param options - disassociate + tags, unstore, purge
   */
  async pruneDatasets(
    refs: readonly DatasetRef[],
    options: { disassociate?: boolean; tags?: readonly string[]; unstore?: boolean; purge?: boolean } = {},
  ): Promise<void> {
    await this.ready;
    this.#checkWriteable(refs[0]?.run ?? 'x');
    await this.registry.transaction(async () => {
      if (options.disassociate || options.purge) {
        const tags = options.tags ?? (await this.registry.queryCollections('*', { collectionTypes: [CollectionType.TAGGED] }));
        for (const t of tags) await this.registry.disassociate(t, refs);
      }
      if (options.unstore || options.purge) await this.datastore.trash(refs);
      if (options.purge) await this.registry.removeDatasets(refs);
    });
    if (options.unstore || options.purge) await this.datastore.emptyTrash();
  }

  /**
   * Copies (or links) datasets' files out of the repository.
   *
   * @param refs - the datasets
   * @param destination - a directory
   * @param options - transfer (copy), preservePath (keep the datastore's relative paths; default true), overwrite
   * @returns the paths written
   */
  async retrieveArtifacts(
    refs: readonly DatasetRef[],
    destination: string,
    options: { transfer?: TransferMode; preservePath?: boolean; overwrite?: boolean } = {},
  ): Promise<string[]> {
    await this.ready;
    const out: string[] = [];
    for (const loc of await this.datastore.locate(refs)) {
      const rel = options.preservePath ?? true ? loc.path.replace(/^\/+/, '') : loc.absolute.split('/').pop()!;
      const dest = join(resolve(destination), rel);
      if (existsSync(dest)) {
        if (!options.overwrite) throw new AlreadyExistsError(`${dest} exists.`, { hint: 'Pass overwrite (--clobber) to replace it.' });
        await rm(dest);
      }
      await mkdir(dirname(dest), { recursive: true });
      const mode = options.transfer ?? 'copy';
      await transferFile(loc.absolute, dest, mode === 'auto' || mode === 'direct' ? 'copy' : mode);
      out.push(dest);
    }
    return out;
  }

  /**
   * Copies datasets (registry entries and files) from another Butler.
   *
   * @param source - the other Butler
   * @param refs - datasets of the source
   * @param options - transfer, registerDatasetTypes, transferDimensions, skipMissing
   * @returns the datasets now in this repository
   */
  async transferFrom(
    source: Butler,
    refs: readonly DatasetRef[],
    options: { transfer?: TransferMode; registerDatasetTypes?: boolean; transferDimensions?: boolean; skipMissing?: boolean } = {},
  ): Promise<DatasetRef[]> {
    await this.ready;
    await source.ready;
    if (!this.isWriteable) this.#checkWriteable(undefined);
    for (const dt of new Map(refs.map((r) => [r.datasetType.name, r.datasetType])).values()) {
      if (options.registerDatasetTypes) {
        await this.registry.registerDatasetType(new DatasetType(dt.name, dt.dimensions.names, dt.storageClass, { universe: this.universe, isCalibration: dt.isCalibration }));
      } else await this.registry.getDatasetType(dt.name);
    }
    if (options.transferDimensions) {
      const expanded = await source.registry.expandDataIds(refs.map((r) => r.dataId));
      const seen = new Set<string>();
      for (const d of expanded) {
        for (const [el, rec] of d.records) {
          if (rec === null || seen.has(`${el}:${rec.dataId.key}`)) continue;
          seen.add(`${el}:${rec.dataId.key}`);
          if (!this.universe.getElement(el).hasTable) continue;
          await this.registry.insertDimensionData(el, [rec], { skipExisting: true });
        }
      }
    }
    const located = await source.datastore.locate(refs);
    if (located.length < refs.length && !(options.skipMissing ?? true)) {
      throw new DatasetNotFoundError(`${refs.length - located.length} of the datasets have no file in the source repository.`);
    }
    const mode = options.transfer ?? 'auto';
    return this.ingest(
      located.map((l: ArtifactLocation) => ({ path: l.absolute, refs: [l.ref], formatter: l.formatter })),
      { transfer: mode === 'auto' ? 'copy' : mode },
    );
  }

  /**
   * Exports datasets (and the dimension records and collections they need) to a directory:
   * an `export.yaml` in daf_butler's format plus their files.
   *
   * @param directory - where to write (made if missing)
   * @param what - datasets, collections, data IDs and elements to export
   * @param options - filename (export.yaml), transfer (copy)
   * @returns the path of the YAML file
   */
  async export(
    directory: string,
    what: { datasets?: readonly DatasetRef[]; collections?: readonly string[]; dataIds?: readonly DataCoordinate[]; elements?: readonly string[] },
    options: { filename?: string; transfer?: TransferMode } = {},
  ): Promise<string> {
    await this.ready;
    const dir = resolve(directory);
    await mkdir(dir, { recursive: true });
    const refs = what.datasets ?? [];
    const located = new Map((await this.datastore.locate(refs)).map((l) => [l.ref.id, l]));
    const yaml = await exportYaml(
      this.registry,
      { datasets: [...refs], ...(what.collections ? { collections: [...what.collections] } : {}), ...(what.dataIds ? { dataIds: [...what.dataIds] } : {}), ...(what.elements ? { elements: [...what.elements] } : {}) },
      { pathOf: (r) => located.get(r.id)?.path, formatterOf: (r) => located.get(r.id)?.formatter },
    );
    const transfer = options.transfer ?? 'copy';
    if (transfer !== 'direct') {
      for (const loc of located.values()) {
        const dest = join(dir, loc.path.replace(/^\/+/, ''));
        await mkdir(dirname(dest), { recursive: true });
        if (!existsSync(dest)) await transferFile(loc.absolute, dest, transfer === 'auto' ? 'copy' : transfer);
      }
    }
    const file = join(dir, options.filename ?? 'export.yaml');
    await writeFileAtomic(file, yaml);
    return file;
  }

  /**
   * Imports an export directory: the registry content of its YAML file and, unless
   * `withoutDatastore`, the files it lists (paths relative to the directory).
   *
   * @param directory - the export directory
   * @param options - filename (export.yaml), transfer (auto = copy), skipDimensions, withoutDatastore
   * @returns the number of datasets imported
   */
  async import(
    directory: string,
    options: { filename?: string; transfer?: TransferMode; skipDimensions?: readonly string[]; withoutDatastore?: boolean } = {},
  ): Promise<number> {
    await this.ready;
    if (!this.isWriteable) this.#checkWriteable(undefined);
    const dir = resolve(directory);
    const file = resolve(dir, options.filename ?? 'export.yaml');
    const summary = await importYaml(this.registry, readFileSync(file, 'utf8'), {
      ...(options.skipDimensions ? { skipDimensions: new Set(options.skipDimensions) } : {}),
    });
    if (options.withoutDatastore) return summary.datasets;
    const files: FileDataset[] = summary.fileDatasets
      .filter((f): f is typeof f & { path: string } => f.path !== null && f.path !== 'placeholder' && existsSync(resolve(dir, f.path)))
      .map((f) => ({ path: resolve(dir, f.path), refs: f.refs, ...(f.formatter ? { formatter: f.formatter.split('.').at(-1)! } : {}) }));
    const mode = options.transfer ?? 'auto';
    const prepared = await this.datastore.prepareIngest(await this.#expandFiles(files), mode === 'auto' ? 'copy' : mode);
    try {
      await this.registry.transaction(async () => {
        for (const p of prepared) await p.commit();
      });
    } catch (e) {
      for (const p of prepared) await p.abort();
      throw e;
    }
    return summary.datasets;
  }

  /**
   * The path of a file relative to the datastore root (for messages).
   *
   * @param absolute - an absolute path
   * @returns the relative path
   */
  relativePath(absolute: string): string {
    return relative(this.config.datastoreRoot, absolute);
  }
}
