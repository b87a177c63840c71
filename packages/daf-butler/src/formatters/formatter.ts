import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { DatasetType } from '../datasets/dataset-type.js';
import type { DimensionGroup } from '../dimensions/group.js';
import type { DimensionUniverse } from '../dimensions/universe.js';
import { ConflictingDefinitionError } from '../errors.js';
import { FormatterConfigError, MissingFormatterError, UnknownComponentError } from '../storage/errors.js';
import type { StorageClass, StorageClassFactory } from '../storage/storage-class.js';
import { suggest } from '../suggest.js';
import { JsonFormatter } from './json-formatter.js';
import { ArrowTableDelegate, ParquetFormatter } from './parquet-formatter.js';
import { YamlFormatter } from './yaml-formatter.js';

/** What a {@link Formatter} is told when it reads a file. */
export interface FormatterReadContext {
  /** The storage class the dataset was written with (for a component read: the composite's). */
  readonly storageClass: StorageClass;
  /** The component to read instead of the whole object (only when {@link Formatter.canReadComponent} says so). */
  readonly component?: string | undefined;
  /** Read parameters (`columns`, `bbox`, ...), already validated against the storage class. */
  readonly parameters?: Readonly<Record<string, unknown>> | undefined;
}

/** What a {@link Formatter} is told when it writes a file. */
export interface FormatterWriteContext {
  /** The storage class of the dataset. */
  readonly storageClass: StorageClass;
  /** The dataset type name (for messages). */
  readonly datasetTypeName: string;
  /** Write parameters from the formatter configuration (`{formatter, parameters}` entries and the `default` section), if any. */
  readonly writeParameters?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * Reads and writes one kind of file for the datastore. Formatters are instances registered with a
 * {@link FormatterFactory}, which maps dataset types, dimensions and storage classes to formatter
 * names (and can import the modules of formatters named in its configuration, see
 * {@link FormatterFactory.loadFormatters}); the datastore records {@link name} with each file.
 *
 * @example
 * ```ts
 * const fmt = factory.getFormatter(datasetType, storageClass, storageClasses);
 * await fmt.write(obj, tmpPath, { storageClass, datasetTypeName: datasetType.name });
 * const back = await fmt.read(path, { storageClass });
 * ```
 * @see lsst.daf.butler.FormatterV2
 */
export interface Formatter {
  /** The name recorded in the datastore's records (`JsonFormatter`); unique within a factory. */
  readonly name: string;
  /** The file extension with its dot (`.json`). */
  readonly extension: string;
  /**
   * Read parameters this formatter applies itself while reading (`columns` for Parquet); the
   * datastore applies the others through the storage class's delegate. Absent: none.
   */
  readonly supportedParameters?: ReadonlySet<string> | undefined;
  /**
   * Writes an object to exactly `path` (the datastore passes a temporary path and renames it).
   *
   * @param obj - the in-memory dataset
   * @param path - the file to write
   * @param ctx - storage class, dataset type name, write parameters
   * @throws FormatterError when the object is not of a type this formatter writes
   */
  write(obj: unknown, path: string, ctx: FormatterWriteContext): Promise<void>;
  /**
   * Reads the whole object, or just `ctx.component` when {@link canReadComponent} says so,
   * applying the parameters of {@link supportedParameters}.
   *
   * @param path - the file to read
   * @param ctx - storage class, component, parameters
   * @returns the dataset (or component)
   * @throws FormatterError when the file is missing or does not parse
   */
  read(path: string, ctx: FormatterReadContext): Promise<unknown>;
  /**
   * Whether {@link read} can return this component without the datastore reading the whole
   * object and asking the delegate.
   *
   * @param component - a component name
   * @returns true when the formatter reads it directly
   */
  canReadComponent(component: string): boolean;
}

/**
 * Type-specific help for the datastore: extracting a component from an in-memory object, and
 * applying read parameters to a whole object (when the formatter did not apply them on read).
 *
 * @see lsst.daf.butler.StorageClassDelegate
 */
export interface StorageClassDelegate {
  /**
   * A component of an object.
   *
   * @param obj - the composite
   * @param component - the component name
   * @returns the component
   * @throws UnknownComponentError when the object has no such component
   */
  getComponent(obj: unknown, component: string): unknown;
  /**
   * Applies read parameters to a whole object.
   *
   * @param obj - the object
   * @param parameters - the parameters
   * @returns the object with the parameters applied (may be `obj`)
   */
  handleParameters?(obj: unknown, parameters: Readonly<Record<string, unknown>>): unknown;
}

/**
 * The delegate used for composites (and classes with derived components) that have no
 * registered delegate: a component is `map.get(c)` for a Map, else an own property `c`, else the
 * result of a `getC()` method, else a property `c` (a getter). Parameters are not handled.
 *
 * @example
 * ```ts
 * new GenericDelegate().getComponent(exposure, 'wcs'); // exposure.wcs, or exposure.getWcs()
 * ```
 * @see lsst.daf.butler.StorageClassDelegate.getComponent (the default delegate of composites)
 */
export class GenericDelegate implements StorageClassDelegate {
  /**
   * A component of an object.
   *
   * @param obj - the composite
   * @param component - the component name
   * @returns the component
   * @throws UnknownComponentError when the object has no such component
   */
  getComponent(obj: unknown, component: string): unknown {
    if (obj instanceof Map) {
      if (obj.has(component)) return obj.get(component);
    } else if (typeof obj === 'object' && obj !== null) {
      const rec = obj as Record<string, unknown>;
      if (Object.prototype.hasOwnProperty.call(rec, component)) return rec[component];
      const getter = rec[`get${component.charAt(0).toUpperCase()}${component.slice(1)}`];
      if (typeof getter === 'function') return (getter as () => unknown).call(obj);
      if (component in rec) return rec[component];
    }
    const what = obj === null ? 'null' : typeof obj === 'object' ? (obj.constructor?.name ?? 'object') : typeof obj;
    throw new UnknownComponentError(`Cannot get component '${component}' from a ${what}: it has no key, property or get method of that name.`, {
      hint: 'Register a StorageClassDelegate for its storage class with FormatterFactory.registerDelegate().',
    });
  }
}

/** A formatter configuration entry, resolved. */
interface Entry {
  /** Our formatter name (last dotted segment of the class path). */
  readonly formatterName: string;
  /** The value as configured (a class path or our name), for messages. */
  readonly formatterPath: string;
  /** Write parameters given with the entry. */
  readonly parameters: Readonly<Record<string, unknown>>;
}

/** The result of {@link FormatterFactory.findFormatter}: which entry matched and what it says. */
export interface FormatterMatch {
  /** The configuration key that matched (`calexp`, `instrument+visit`, `ExposureF`, `default`, or `instrument<HSC>` + key as `instrument<HSC>/calexp`). */
  readonly key: string;
  /** The formatter name (`JsonFormatter`). */
  readonly formatterName: string;
  /** The value as configured (e.g. `lsst.daf.butler.formatters.json.JsonFormatter`). */
  readonly formatterPath: string;
  /** Write parameters: the `default` section's for this formatter, overridden by the entry's. */
  readonly writeParameters: Readonly<Record<string, unknown>>;
  /** The `write_recipes` of this formatter, when the configuration has them. */
  readonly writeRecipes: Readonly<Record<string, unknown>> | undefined;
}

/** Options of the {@link FormatterFactory} lookups. */
export interface FormatterLookupOptions {
  /**
   * The dataset's data ID values (e.g. `{ instrument: 'HSC', visit: 903334 }`): entries under
   * `field<value>` keys of the configuration (`instrument<HSC>:`) whose field has that value take
   * priority over the general ones, as daf_butler's `DatasetRef` lookups do.
   */
  readonly dataId?: Readonly<Record<string, unknown>> | undefined;
}

/** Options of {@link FormatterFactory.setMapping}. */
export interface SetMappingOptions {
  /** Write parameters for this entry. */
  readonly writeParameters?: Readonly<Record<string, unknown>> | undefined;
  /** Make the entry apply only to data IDs with these values (`{ instrument: 'HSC' }`), as `instrument<HSC>:` sections do. */
  readonly dataId?: Readonly<Record<string, string>> | undefined;
}

const DATAID_KEY = /^([a-z_]+)<(.*)>$/;
const DEFAULT_KEY = 'default';
const WRITE_RECIPES_KEY = 'write_recipes';
const MODULES_KEY = 'modules';
const DIMENSIONS = Symbol('dimensions');

/** The default configuration file of {@link FormatterFactory.default}. */
export const DEFAULT_FORMATTER_CONFIG_PATH = new URL('../../config/formatters.yaml', import.meta.url);

let defaultFormatterConfig: Record<string, unknown> | undefined;

/**
 * Our formatter name for a configured value: the last dotted segment of a Python class path
 * (`lsst.daf.butler.formatters.json.JsonFormatter` → `JsonFormatter`); a plain name is itself;
 * a module specifier `pkg#Export` (`@skystack/obs-sim#SimCamRawFormatter`) is kept whole, so that
 * a formatter named that way can be found again from the name the datastore recorded.
 *
 * @param path - a class path, a module specifier or a formatter name
 * @returns the formatter name
 */
export function formatterNameFromPath(path: string): string {
  if (path.includes('#')) return path;
  const i = path.lastIndexOf('.');
  return i < 0 ? path : path.slice(i + 1);
}

/**
 * Imports an ES module by specifier and returns its namespace (for formatter modules, CLI
 * plugins and instrument classes named in configuration). See {@link defaultImportModule}.
 */
export type ModuleImporter = (specifier: string) => Promise<Readonly<Record<string, unknown>>>;

/** The environment variable with extra directories to resolve module specifiers from ({@link defaultImportModule}). */
export const MODULE_PATHS_ENV = 'SKYSTACK_MODULE_PATHS';

function isPathSpecifier(specifier: string): boolean {
  return specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('file:') || isAbsolute(specifier);
}

/**
 * The default {@link ModuleImporter}. A path (`./x.js`, `/abs/x.js`, `file:` URL) is imported
 * relative to the working directory. A bare specifier (`@skystack/obs-base`) is resolved, in
 * order: as this package would import it (flat `node_modules` installs), then from the working
 * directory, then from each directory of the `SKYSTACK_MODULE_PATHS` environment variable
 * (path-delimiter separated) and of `searchPaths`, as a module in that directory would import it
 * (so with pnpm's strict layout, list a package that depends on the module, or the module's own
 * package directory). Node's `--conditions` apply to every resolution.
 *
 * @param specifier - a bare specifier or a path
 * @param searchPaths - more directories to resolve bare specifiers from
 * @returns the module namespace
 * @throws Error (with each attempt's reason) when no attempt resolves it
 * @example
 * ```ts
 * const obsBase = await defaultImportModule('@skystack/obs-base');
 * typeof obsBase['registerFormatters']; // 'function'
 * ```
 * @see lsst.utils.doImport (Python's flat module namespace makes it a one-liner there)
 */
export async function defaultImportModule(specifier: string, searchPaths: readonly string[] = []): Promise<Readonly<Record<string, unknown>>> {
  if (isPathSpecifier(specifier)) {
    const url = specifier.startsWith('file:') ? specifier : pathToFileURL(resolve(specifier)).href;
    return (await import(url)) as Record<string, unknown>;
  }
  const reasons: string[] = [];
  try {
    return (await import(specifier)) as Record<string, unknown>;
  } catch (e) {
    reasons.push(`from @skystack/daf-butler: ${(e as Error).message.split('\n')[0]}`);
  }
  const env = (process.env[MODULE_PATHS_ENV] ?? '').split(delimiter).filter((d) => d !== '');
  for (const dir of [process.cwd(), ...env, ...searchPaths]) {
    let resolved: string;
    try {
      resolved = createRequire(join(resolve(dir), 'noop.js')).resolve(specifier);
    } catch (e) {
      reasons.push(`from ${dir}: ${(e as Error).message.split('\n')[0]}`);
      continue;
    }
    return (await import(pathToFileURL(resolved).href)) as Record<string, unknown>;
  }
  throw new Error(`Cannot import module '${specifier}' (${reasons.join('; ')}).`);
}

/** Options of {@link FormatterFactory.loadFormatters}. */
export interface LoadFormattersOptions {
  /** How to import a module (default {@link defaultImportModule}). */
  readonly importModule?: ModuleImporter | undefined;
  /** Modules whose `registerFormatters(factory)` export is awaited whatever the entries say (a repository's `datastore.formatterModules`). */
  readonly modules?: readonly string[] | undefined;
  /** More formatter names or paths to load when not registered (e.g. the names the datastore recorded). */
  readonly names?: readonly string[] | undefined;
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map);
}

/**
 * Chooses the formatter of a dataset from configuration, with daf_butler's lookup priority, and
 * holds the formatter instances and the storage class delegates. Nothing registers itself: the
 * caller registers formatter instances (daf-butler's own with {@link default}; obs-base adds the
 * FITS formatters of the afw types).
 *
 * Lookup order for a dataset type `calexp.wcs` of storage class `Wcs` (daf_butler's
 * `DatasetRef._lookupNames`): the dataset type name (`calexp.wcs`), the parent name (`calexp`),
 * the dimensions (a key `instrument+visit+detector`, order-insensitive, completed by the universe
 * as daf_butler does), the storage class name and then its ancestors (`inheritsFrom`; a SkyStack
 * addition, daf_butler lists each subclass), then for components the parent's storage class and
 * its ancestors, and finally the `default` entry (a SkyStack addition). With a data ID, the entries
 * of matching `instrument<HSC>` sections are tried first for every name.
 *
 * **Formatters from other packages, by configuration.** daf-butler implements only the JSON,
 * YAML and Parquet formatters and never imports the packages that implement the others (the FITS
 * formatters of the afw types live in `@skystack/obs-base`, as in LSST). A formatter named in
 * the configuration is found in a module in one of two ways:
 *
 * - a module specifier `pkg#Export` as the value (`calexp: '@skystack/obs-base#FitsExposureFormatter'`);
 * - an LSST class path whose Python module is mapped to an npm module by the `modules` alias table
 *   of the configuration (`modules: { lsst.obs.base.formatters: '@skystack/obs-base' }`, the
 *   longest matching prefix wins), the export being the class name
 *   (`lsst.obs.base.formatters.fitsExposure.FitsExposureFormatter` → `FitsExposureFormatter` of
 *   `@skystack/obs-base`).
 *
 * Nothing is imported when a factory is made: {@link loadFormatters} (awaited by the Butler when
 * it opens a repository) imports each such module once, for the formatters that are not
 * registered yet. When the module exports a function `registerFormatters(factory)`, it is
 * awaited and registers what the module offers; otherwise (or when the formatter is still
 * missing) the named export is used: a class is instantiated with no arguments, an object is
 * registered as it is. A module that cannot be imported is not an error until one of its
 * formatters is needed; the {@link MissingFormatterError} then says why. A repository can also
 * list modules whose `registerFormatters` must always run (`datastore.formatterModules` in
 * `butler.yaml`), and formatters whose {@link Formatter.name} is a module specifier (the raw
 * formatters of instruments, `@skystack/obs-sim#SimCamRawFormatter`) are found again from the
 * name the datastore recorded with each file.
 *
 * @example
 * ```ts
 * const formatters = FormatterFactory.default();
 * formatters.registerFormatter(new FitsExposureFormatter()); // done by obs-base
 * const fmt = formatters.getFormatter(calexpType, storageClasses.getStorageClass('ExposureF'), storageClasses);
 * fmt.name; // 'FitsExposureFormatter'
 * ```
 * @see lsst.daf.butler.FormatterFactory
 */
export class FormatterFactory {
  readonly #formatters = new Map<string, Formatter>();
  readonly #entries = new Map<string, Entry>();
  readonly #dataIdEntries = new Map<string, Map<string, Entry>>();
  readonly #defaultParameters = new Map<string, Readonly<Record<string, unknown>>>();
  readonly #writeRecipes = new Map<string, Readonly<Record<string, unknown>>>();
  readonly #delegates = new Map<string, StorageClassDelegate>();
  readonly #conformed = new WeakMap<DimensionUniverse, Map<string, DimensionGroup | null>>();
  readonly #generic = new GenericDelegate();
  readonly #moduleAliases = new Map<string, string>();
  readonly #loadFailures = new Map<string, string>();
  readonly #loadedModules = new Map<string, Promise<Readonly<Record<string, unknown>> | Error>>();

  /** Makes an empty factory: no formatters, no mappings, no delegates. */
  constructor() {}

  /**
   * Makes a factory from the content of a `formatters.yaml` (daf_butler's `datastore.formatters`
   * section) and registers the given formatter instances.
   *
   * Values are a class path (its last dotted segment is our formatter name) or
   * `{formatter, parameters}`; keys are dataset type names, `dim1+dim2` dimension keys, storage
   * class names, or `field<value>:` sections (`instrument<HSC>:`) of such entries. `modules` (a
   * SkyStack addition) maps LSST Python module prefixes to the npm modules that implement their
   * formatters (see {@link loadFormatters}). `default` is
   * daf_butler's section of default write parameters per formatter class when it is a mapping of
   * class paths, and a fallback entry (a SkyStack addition) when it is a class path or
   * `{formatter, parameters}`. `write_recipes` is kept when it is a mapping (an unresolved
   * `!include` is skipped). Entries naming formatters that are not registered are kept and only
   * fail when used.
   *
   * @param config - the parsed `formatters` section
   * @param formatters - formatter instances to register
   * @returns the factory
   * @throws FormatterConfigError for a malformed entry
   * @example
   * ```ts
   * const f = FormatterFactory.fromConfig({ int: 'lsst.daf.butler.formatters.json.JsonFormatter' }, [new JsonFormatter()]);
   * ```
   * @see lsst.daf.butler.FormatterFactory.registerFormatters
   */
  static fromConfig(config: Record<string, unknown>, formatters: readonly Formatter[]): FormatterFactory {
    const f = new FormatterFactory();
    for (const fmt of formatters) f.registerFormatter(fmt);
    f.addFromConfig(config);
    return f;
  }

  /**
   * daf-butler's formatters: `config/formatters.yaml` (JSON, YAML and Parquet entries, and the
   * FITS formatter names of the afw storage classes, which obs-base registers) with
   * {@link JsonFormatter}, {@link YamlFormatter} and {@link ParquetFormatter} registered and the
   * {@link ArrowTableDelegate} registered for the Arrow table storage classes.
   *
   * @returns a new factory
   */
  static default(): FormatterFactory {
    defaultFormatterConfig ??= parseYaml(readFileSync(DEFAULT_FORMATTER_CONFIG_PATH, 'utf8'), { merge: true, logLevel: 'error' }) as Record<string, unknown>;
    const f = FormatterFactory.fromConfig(defaultFormatterConfig, [new JsonFormatter(), new YamlFormatter(), new ParquetFormatter()]);
    const arrow = new ArrowTableDelegate();
    for (const sc of ['ArrowTable', 'ArrowAstropy', 'ArrowNumpy', 'ArrowNumpyDict', 'DataFrame', 'AstropyTable']) f.registerDelegate(sc, arrow);
    return f;
  }

  /**
   * Adds (or overrides) entries from a `formatters` section; see {@link fromConfig}.
   *
   * @param config - the parsed `formatters` section
   * @throws FormatterConfigError for a malformed entry
   */
  addFromConfig(config: Record<string, unknown>): void {
    if (!isMapping(config)) throw new FormatterConfigError(`A formatters configuration must be a mapping; given ${JSON.stringify(config)}.`);
    for (const [key, value] of Object.entries(config)) {
      if (key === MODULES_KEY && isMapping(value) && !('formatter' in value)) {
        for (const [prefix, spec] of Object.entries(value)) {
          if (typeof spec !== 'string') throw new FormatterConfigError(`formatters.modules.${prefix} must be a module specifier string; given ${JSON.stringify(spec)}.`);
          this.#moduleAliases.set(prefix, spec);
        }
        continue;
      }
      if (key === WRITE_RECIPES_KEY) {
        if (isMapping(value)) for (const [path, recipes] of Object.entries(value)) if (isMapping(recipes)) this.#writeRecipes.set(formatterNameFromPath(path), recipes);
        continue;
      }
      if (key === DEFAULT_KEY && isMapping(value) && !('formatter' in value)) {
        for (const [path, params] of Object.entries(value)) {
          if (!isMapping(params)) throw new FormatterConfigError(`formatters.default.${path} must be a mapping of write parameters; given ${JSON.stringify(params)}.`);
          this.#defaultParameters.set(formatterNameFromPath(path), params);
        }
        continue;
      }
      const kv = DATAID_KEY.exec(key);
      if (kv !== null && isMapping(value)) {
        const table = this.#dataIdTable(kv[1]!, kv[2]!);
        for (const [sub, subValue] of Object.entries(value)) table.set(sub, parseEntry(`${key}.${sub}`, subValue));
        continue;
      }
      this.#entries.set(key, parseEntry(key, value));
    }
  }

  /**
   * Registers a formatter instance under its {@link Formatter.name}. Registering the same
   * instance again does nothing.
   *
   * @param formatter - the formatter
   * @param options - `overwrite`: replace another formatter of that name
   * @throws ConflictingDefinitionError when another formatter of that name is registered
   * @see lsst.daf.butler.FormatterFactory.registerFormatter
   */
  registerFormatter(
    formatter: Formatter,
    options: {
      /** Replace another formatter of that name. */
      readonly overwrite?: boolean;
      /** Also find it under this name (a configured `pkg#Export` specifier whose export names itself differently). */
      readonly alias?: string;
    } = {},
  ): void {
    for (const name of options.alias === undefined ? [formatter.name] : [formatter.name, options.alias]) {
      const existing = this.#formatters.get(name);
      if (existing !== undefined && existing !== formatter && options.overwrite !== true) {
        throw new ConflictingDefinitionError(`A different formatter named '${name}' is already registered.`, {
          hint: 'Pass { overwrite: true } to replace it.',
        });
      }
    }
    this.#formatters.set(formatter.name, formatter);
    if (options.alias !== undefined) this.#formatters.set(options.alias, formatter);
    if (options.alias !== undefined) this.#loadFailures.delete(options.alias);
    this.#loadFailures.delete(formatter.name);
  }

  /**
   * Where the formatter a configured value names is implemented: `pkg#Export` as written, or an
   * LSST class path through the `modules` alias table (longest matching prefix).
   *
   * @param path - a configured value (class path, module specifier or name)
   * @returns the module specifier and export name, or undefined when neither applies
   * @example
   * ```ts
   * factory.moduleOf('lsst.obs.base.formatters.fitsExposure.FitsExposureFormatter');
   * // { module: '@skystack/obs-base', exportName: 'FitsExposureFormatter' } with the default configuration
   * ```
   */
  moduleOf(path: string):
    | {
        /** The module specifier (`@skystack/obs-base`). */
        readonly module: string;
        /** The export that implements the formatter (`FitsExposureFormatter`). */
        readonly exportName: string;
      }
    | undefined {
    const hash = path.lastIndexOf('#');
    if (hash > 0) return { module: path.slice(0, hash), exportName: path.slice(hash + 1) };
    let best: string | undefined;
    for (const prefix of this.#moduleAliases.keys()) {
      if ((path.startsWith(`${prefix}.`) || path === prefix) && (best === undefined || prefix.length > best.length)) best = prefix;
    }
    return best === undefined ? undefined : { module: this.#moduleAliases.get(best)!, exportName: formatterNameFromPath(path) };
  }

  /**
   * Imports the modules of the configured formatters that are not registered yet and registers
   * their formatters (see the class description); every module is imported at most once per
   * factory. A module that fails to import is remembered and reported by the
   * {@link MissingFormatterError} of its formatters, not thrown here.
   *
   * @param options - the importer; modules to always load; more names to load
   * @returns the names of the formatters registered by this call
   * @example
   * ```ts
   * const factory = FormatterFactory.default();
   * await factory.loadFormatters(); // imports @skystack/obs-base when it is installed
   * factory.hasFormatter('FitsExposureFormatter'); // true then
   * ```
   * @see lsst.daf.butler.FormatterFactory.registerFormatters (which imports classes by name)
   */
  async loadFormatters(options: LoadFormattersOptions = {}): Promise<string[]> {
    const importModule = options.importModule ?? ((s: string) => defaultImportModule(s));
    const before = new Set(this.#formatters.keys());
    const wanted = new Map<string, { name: string; path: string; exportName: string }[]>();
    const want = (path: string): void => {
      const name = formatterNameFromPath(path);
      if (this.#formatters.has(name)) return;
      const where = this.moduleOf(path);
      if (where === undefined) return;
      const list = wanted.get(where.module) ?? [];
      if (!list.some((w) => w.name === name)) list.push({ name, path, exportName: where.exportName });
      wanted.set(where.module, list);
    };
    for (const e of this.#entries.values()) want(e.formatterPath);
    for (const table of this.#dataIdEntries.values()) for (const e of table.values()) want(e.formatterPath);
    for (const n of options.names ?? []) want(n);
    for (const m of options.modules ?? []) if (!wanted.has(m)) wanted.set(m, []);
    for (const [spec, names] of wanted) {
      let pending = this.#loadedModules.get(spec);
      const first = pending === undefined;
      if (pending === undefined) {
        pending = importModule(spec).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
        this.#loadedModules.set(spec, pending);
      }
      const mod = await pending;
      if (mod instanceof Error) {
        for (const w of names) this.#loadFailures.set(w.name, `importing module '${spec}' failed: ${mod.message}`);
        continue;
      }
      const register = mod['registerFormatters'];
      if (first && typeof register === 'function') await (register as (f: FormatterFactory) => unknown)(this);
      for (const w of names) {
        if (this.#formatters.has(w.name)) continue;
        const exp = mod[w.exportName];
        let instance: unknown = exp;
        if (typeof exp === 'function') {
          try {
            instance = new (exp as new () => unknown)();
          } catch (e) {
            this.#loadFailures.set(w.name, `constructing ${w.exportName} of '${spec}' failed: ${(e as Error).message}`);
            continue;
          }
        }
        if (isFormatterLike(instance)) {
          this.registerFormatter(instance, instance.name === w.name ? {} : { alias: w.name });
        } else {
          this.#loadFailures.set(w.name, `module '${spec}' has no formatter export '${w.exportName}'${typeof register === 'function' ? ' and its registerFormatters() did not register one' : ''}`);
        }
      }
    }
    return [...this.#formatters.keys()].filter((n) => !before.has(n)).sort();
  }

  /**
   * Maps a key to a formatter (replacing any entry of that key).
   *
   * @param key - a dataset type name, a `dim1+dim2` dimension key, a storage class name, or `default`
   * @param formatterName - a formatter name or a class path (its last segment is used)
   * @param options - write parameters; a data ID restriction
   * @example
   * ```ts
   * factory.setMapping('calexp', 'FitsExposureFormatter');
   * factory.setMapping('instrument+visit+detector', 'JsonFormatter', { dataId: { instrument: 'HSC' } });
   * ```
   */
  setMapping(key: string, formatterName: string, options: SetMappingOptions = {}): void {
    const entry: Entry = { formatterName: formatterNameFromPath(formatterName), formatterPath: formatterName, parameters: { ...(options.writeParameters ?? {}) } };
    const restriction = Object.entries(options.dataId ?? {});
    if (restriction.length > 1) throw new FormatterConfigError(`setMapping('${key}'): only one data ID field can restrict an entry; given ${restriction.map(([k]) => k).join(', ')}.`);
    if (restriction.length === 1) this.#dataIdTable(restriction[0]![0], String(restriction[0]![1])).set(key, entry);
    else this.#entries.set(key, entry);
  }

  /**
   * The configuration entry that applies to a dataset, without requiring its formatter to be
   * registered.
   *
   * @param datasetType - the dataset type (a component type for component datasets)
   * @param storageClass - its storage class
   * @param storageClasses - the storage classes (for ancestors and the parent's storage class)
   * @param options - the data ID, for `instrument<...>` sections
   * @returns the match, or undefined when no entry applies
   * @see lsst.daf.butler.FormatterFactory.getFormatterClassWithMatch
   */
  findFormatter(datasetType: DatasetType, storageClass: StorageClass, storageClasses: StorageClassFactory, options: FormatterLookupOptions = {}): FormatterMatch | undefined {
    const names = this.#lookupNames(datasetType, storageClass, storageClasses);
    const dataId = options.dataId ?? {};
    const tables: [string, Map<string, Entry>][] = [];
    for (const [sectionKey, table] of this.#dataIdEntries) {
      const m = DATAID_KEY.exec(sectionKey)!;
      const v = dataId[m[1]!];
      if (v !== undefined && v !== null && String(v) === m[2]) tables.push([sectionKey, table]);
    }
    const search = (table: Map<string, Entry>, prefix: string, candidates: readonly (string | typeof DIMENSIONS)[]): FormatterMatch | undefined => {
      for (const name of candidates) {
        const hit = name === DIMENSIONS ? this.#matchDimensions(table, datasetType) : table.has(name) ? ([name, table.get(name)!] as const) : undefined;
        if (hit !== undefined) return this.#match(prefix + hit[0], hit[1]);
      }
      return undefined;
    };
    for (const [sectionKey, table] of tables) {
      const m = search(table, `${sectionKey}/`, names);
      if (m !== undefined) return m;
    }
    const general = search(this.#entries, '', names);
    if (general !== undefined) return general;
    for (const [sectionKey, table] of tables) {
      const m = search(table, `${sectionKey}/`, [DEFAULT_KEY]);
      if (m !== undefined) return m;
    }
    return search(this.#entries, '', [DEFAULT_KEY]);
  }

  /**
   * The formatter of a dataset, with daf_butler's lookup priority (see the class description).
   *
   * @param datasetType - the dataset type (a component type for component datasets)
   * @param storageClass - its storage class
   * @param storageClasses - the storage classes (for ancestors and the parent's storage class)
   * @param options - the data ID, for `instrument<...>` sections
   * @returns the formatter
   * @throws MissingFormatterError when no entry applies, or the entry names a formatter that is
   *   not registered
   * @see lsst.daf.butler.FormatterFactory.getFormatter
   */
  getFormatter(datasetType: DatasetType, storageClass: StorageClass, storageClasses: StorageClassFactory, options: FormatterLookupOptions = {}): Formatter {
    return this.getFormatterWithMatch(datasetType, storageClass, storageClasses, options).formatter;
  }

  /**
   * Like {@link getFormatter}, with the matching entry (key and write parameters).
   *
   * @param datasetType - the dataset type
   * @param storageClass - its storage class
   * @param storageClasses - the storage classes
   * @param options - the data ID
   * @returns the formatter and the match
   * @throws MissingFormatterError as {@link getFormatter}
   * @see lsst.daf.butler.FormatterFactory.getFormatterWithMatch
   */
  getFormatterWithMatch(
    datasetType: DatasetType,
    storageClass: StorageClass,
    storageClasses: StorageClassFactory,
    options: FormatterLookupOptions = {},
  ): FormatterMatch & {
    /** The formatter instance. */
    readonly formatter: Formatter;
  } {
    const match = this.findFormatter(datasetType, storageClass, storageClasses, options);
    if (match === undefined) {
      const tried = this.#lookupNames(datasetType, storageClass, storageClasses).map((n) => (n === DIMENSIONS ? datasetType.dimensions.required.join('+') : n));
      throw new MissingFormatterError(
        `No formatter is configured for dataset type '${datasetType.name}' (storage class '${storageClass.name}'); looked up: ${[...tried, DEFAULT_KEY].join(', ')}.`,
        { hint: `Add an entry for one of these keys to the formatters configuration, or call setMapping('${storageClass.name}', formatterName).` },
      );
    }
    const formatter = this.#formatters.get(match.formatterName);
    if (formatter === undefined) throw this.#missing(match.formatterName, `configured for '${match.key}' as ${match.formatterPath}`);
    return { ...match, formatter };
  }

  /**
   * A registered formatter by name (as recorded in the datastore's records).
   *
   * @param name - the formatter name, or a class path (its last segment is used)
   * @returns the formatter
   * @throws MissingFormatterError when none of that name is registered
   */
  getFormatterByName(name: string): Formatter {
    const short = formatterNameFromPath(name);
    const f = this.#formatters.get(short);
    if (f === undefined) throw this.#missing(short, 'requested by name');
    return f;
  }

  /**
   * Whether a formatter of that name is registered.
   *
   * @param name - the formatter name or class path
   * @returns true when registered
   */
  hasFormatter(name: string): boolean {
    return this.#formatters.has(formatterNameFromPath(name));
  }

  /**
   * The names of the registered formatters.
   *
   * @returns the names, sorted
   */
  formatterNames(): string[] {
    return [...this.#formatters.keys()].sort();
  }

  /**
   * Registers the delegate of a storage class (and, unless they have their own, of its descendants).
   *
   * @param storageClassName - the storage class name
   * @param delegate - the delegate
   * @see lsst.daf.butler.StorageClass.delegate
   */
  registerDelegate(storageClassName: string, delegate: StorageClassDelegate): void {
    this.#delegates.set(storageClassName, delegate);
  }

  /**
   * The delegate of a storage class: the one registered for it, else for its nearest ancestor,
   * else a {@link GenericDelegate} when it has components or derived components, else undefined.
   *
   * @param storageClass - the storage class
   * @param storageClasses - the storage classes (for ancestors)
   * @returns the delegate, or undefined
   */
  getDelegate(storageClass: StorageClass, storageClasses: StorageClassFactory): StorageClassDelegate | undefined {
    for (const name of [storageClass.name, ...storageClasses.ancestorsOf(storageClass)]) {
      const d = this.#delegates.get(name);
      if (d !== undefined) return d;
    }
    return storageClass.allComponents().size > 0 ? this.#generic : undefined;
  }

  #dataIdTable(field: string, value: string): Map<string, Entry> {
    const key = `${field}<${value}>`;
    let table = this.#dataIdEntries.get(key);
    if (table === undefined) {
      table = new Map();
      this.#dataIdEntries.set(key, table);
    }
    return table;
  }

  #lookupNames(datasetType: DatasetType, storageClass: StorageClass, storageClasses: StorageClassFactory): (string | typeof DIMENSIONS)[] {
    const names: (string | typeof DIMENSIONS)[] = [datasetType.name];
    const component = datasetType.component;
    if (component !== undefined) names.push(datasetType.parentName);
    if (!datasetType.dimensions.isEmpty) names.push(DIMENSIONS);
    names.push(storageClass.name, ...storageClasses.ancestorsOf(storageClass));
    if (component !== undefined && datasetType.parentStorageClass !== undefined && storageClasses.has(datasetType.parentStorageClass)) {
      const parent = storageClasses.getStorageClass(datasetType.parentStorageClass);
      names.push(parent.name, ...storageClasses.ancestorsOf(parent));
    }
    return names.filter((n, i) => names.indexOf(n) === i);
  }

  #matchDimensions(table: Map<string, Entry>, datasetType: DatasetType): readonly [string, Entry] | undefined {
    const group = datasetType.dimensions;
    let cache = this.#conformed.get(group.universe);
    if (cache === undefined) {
      cache = new Map();
      this.#conformed.set(group.universe, cache);
    }
    for (const [key, entry] of table) {
      if (!key.includes('+')) continue;
      let g = cache.get(key);
      if (g === undefined) {
        try {
          g = group.universe.conform(key.split('+').filter((n) => n.length > 0));
        } catch {
          g = null; // unknown dimensions: the key never matches (daf_butler keeps it as a plain name)
        }
        cache.set(key, g);
      }
      if (g !== null && (g === group || (g.names.length === group.names.length && g.names.every((n) => group.has(n))))) return [key, entry];
    }
    return undefined;
  }

  #match(key: string, entry: Entry): FormatterMatch {
    return {
      key,
      formatterName: entry.formatterName,
      formatterPath: entry.formatterPath,
      writeParameters: { ...(this.#defaultParameters.get(entry.formatterName) ?? {}), ...entry.parameters },
      writeRecipes: this.#writeRecipes.get(entry.formatterName),
    };
  }

  #missing(name: string, context: string): MissingFormatterError {
    const known = [...this.#formatters.keys()].sort();
    const close = suggest(name, known);
    const failure = this.#loadFailures.get(name);
    const fits = name.startsWith('Fits') || name.startsWith('PexConfig') || name.startsWith('Pickle');
    const hint = [
      close,
      failure === undefined ? undefined : `Loading it from its module failed: ${failure}.`,
      fits
        ? 'daf-butler registers only its JSON, YAML and Parquet formatters; the FITS formatters of the afw types are registered by @skystack/obs-base (install it so that loadFormatters() finds it, or register them with FormatterFactory.registerFormatter()).'
        : 'Register an instance with FormatterFactory.registerFormatter(), or map the key to a registered formatter.',
    ]
      .filter((s) => s !== undefined)
      .join(' ');
    return new MissingFormatterError(`Formatter '${name}' (${context}) is not registered; registered formatters: ${known.length === 0 ? '(none)' : known.join(', ')}.`, { hint });
  }
}

function isFormatterLike(v: unknown): v is Formatter {
  if (typeof v !== 'object' || v === null) return false;
  const f = v as Record<string, unknown>;
  return typeof f['name'] === 'string' && typeof f['read'] === 'function' && typeof f['write'] === 'function' && typeof f['canReadComponent'] === 'function';
}

function parseEntry(key: string, value: unknown): Entry {
  if (typeof value === 'string') return { formatterName: formatterNameFromPath(value), formatterPath: value, parameters: {} };
  if (isMapping(value)) {
    const unexpected = Object.keys(value).filter((k) => k !== 'formatter' && k !== 'parameters');
    if (unexpected.length > 0 || typeof value['formatter'] !== 'string') {
      const problem =
        unexpected.length > 0 ? `unexpected keys ${unexpected.map((k) => `'${k}'`).join(', ')}` : `no 'formatter' class path`;
      throw new FormatterConfigError(`Formatter entry '${key}' has ${problem}; expected a class path or { formatter, parameters }.`, {
        hint: "A hierarchical key must be of the form 'instrument<name>'.",
      });
    }
    const params = value['parameters'];
    if (params !== undefined && params !== null && !isMapping(params)) throw new FormatterConfigError(`Formatter entry '${key}': parameters must be a mapping; given ${JSON.stringify(params)}.`);
    return { formatterName: formatterNameFromPath(value['formatter']), formatterPath: value['formatter'], parameters: { ...((params as Record<string, unknown> | null | undefined) ?? {}) } };
  }
  throw new FormatterConfigError(`Formatter entry '${key}' must be a class path or { formatter, parameters }; given ${JSON.stringify(value)}.`);
}
