import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConflictingDefinitionError } from '../errors.js';
import { suggest } from '../suggest.js';
import { InvalidParameterError, MissingStorageClassError, StorageClassConfigError } from './errors.js';

/** Options of the {@link StorageClass} constructor: the per-class keys of `storageClasses.yaml`, already merged with the parents'. */
export interface StorageClassOptions {
  /** LSST's Python type (informational: `lsst.afw.image.ExposureF`). */
  readonly pytype?: string | undefined;
  /** Ancestors, nearest first (a single name is the direct parent). */
  readonly inheritsFrom?: string | readonly string[] | undefined;
  /** Read/write components: component name → storage class name. */
  readonly components?: Readonly<Record<string, string>> | ReadonlyMap<string, string> | undefined;
  /** Read-only (derived) components: component name → storage class name. */
  readonly derivedComponents?: Readonly<Record<string, string>> | ReadonlyMap<string, string> | undefined;
  /** Read parameters (`bbox`, `columns`, ...). */
  readonly parameters?: Iterable<string> | undefined;
  /** LSST's delegate class path (informational; delegates are registered with the FormatterFactory). */
  readonly delegate?: string | undefined;
  /** LSST's converters: Python type → conversion function (kept as data). */
  readonly converters?: Readonly<Record<string, string>> | ReadonlyMap<string, string> | undefined;
}

function toMap(value: Readonly<Record<string, string>> | ReadonlyMap<string, string> | undefined): ReadonlyMap<string, string> {
  if (value === undefined) return new Map();
  return value instanceof Map ? new Map(value) : new Map(Object.entries(value as Record<string, string>));
}

function sameMap(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

/**
 * A named in-memory type of dataset: what `butler.get` returns and `butler.put` accepts for
 * datasets of that storage class, with its components (parts that can be read, and for
 * read/write components written, separately), its read parameters and its parents. Immutable.
 *
 * Inheritance is resolved when a class is made from configuration: a child's components,
 * derived components, parameters and converters are its parents' merged with its own (its own
 * win), and `pytype` and `delegate` are inherited unless given, as daf_butler does.
 *
 * @example
 * ```ts
 * const sc = StorageClassFactory.default().getStorageClass('ExposureF');
 * sc.isComposite(); // true
 * sc.components.get('image'); // 'ImageF'
 * sc.derivedComponents.get('bbox'); // 'Box2I'
 * sc.validateParameters({ bbox: undefined }); // fine
 * sc.validateParameters({ columns: ['a'] }); // throws InvalidParameterError
 * ```
 * @see lsst.daf.butler.StorageClass
 */
export class StorageClass {
  /** The name (`ExposureF`). */
  readonly name: string;
  /** LSST's Python type (informational). */
  readonly pytype: string | undefined;
  /** Ancestors, nearest first (`['Exposure']` for `ExposureF`). */
  readonly inheritsFrom: readonly string[];
  /** Read/write components: component → storage class name. */
  readonly components: ReadonlyMap<string, string>;
  /** Read-only (derived) components: component → storage class name. */
  readonly derivedComponents: ReadonlyMap<string, string>;
  /** Read parameters understood by this storage class. */
  readonly parameters: ReadonlySet<string>;
  /** LSST's delegate class path (informational). */
  readonly delegate: string | undefined;
  /** LSST's converters, Python type → function (kept as data; SkyStack does not convert by them). */
  readonly converters: ReadonlyMap<string, string>;

  /**
   * Makes a storage class. Use {@link StorageClassFactory.fromConfig} to make them from a
   * configuration with inheritance resolved.
   *
   * @param name - the name
   * @param options - pytype, inheritsFrom, components, derivedComponents, parameters, delegate, converters
   * @throws StorageClassConfigError for an empty name or a composite with exactly one component
   *   (daf_butler's rule: a single part is a derived component)
   */
  constructor(name: string, options: StorageClassOptions = {}) {
    if (typeof name !== 'string' || name.length === 0) throw new StorageClassConfigError(`A storage class name must be a non-empty string; given ${JSON.stringify(name)}.`);
    this.name = name;
    this.pytype = options.pytype;
    const inh = options.inheritsFrom;
    this.inheritsFrom = Object.freeze(inh === undefined ? [] : typeof inh === 'string' ? [inh] : [...inh]);
    this.components = toMap(options.components);
    if (this.components.size === 1) {
      throw new StorageClassConfigError(
        `Composite storage class '${name}' is not allowed to have only one component ('${[...this.components.keys()][0]}').`,
        { hint: 'Did you mean it to be a derived component (derivedComponents)?' },
      );
    }
    this.derivedComponents = toMap(options.derivedComponents);
    this.parameters = new Set(options.parameters ?? []);
    this.delegate = options.delegate;
    this.converters = toMap(options.converters);
    Object.freeze(this);
  }

  /**
   * Whether it has read/write components (a composite, which a datastore may disassemble).
   *
   * @returns true for composites
   * @see lsst.daf.butler.StorageClass.isComposite
   */
  isComposite(): boolean {
    return this.components.size > 0;
  }

  /**
   * The read/write and derived components together.
   *
   * @returns component name → storage class name (read/write components first)
   * @see lsst.daf.butler.StorageClass.allComponents
   */
  allComponents(): ReadonlyMap<string, string> {
    return new Map([...this.components, ...this.derivedComponents]);
  }

  /**
   * Checks that every parameter is understood by this storage class (values are not checked).
   *
   * @param parameters - read parameters; none (or an empty object) always passes
   * @throws InvalidParameterError naming the unknown parameters and the allowed ones
   * @example
   * ```ts
   * factory.getStorageClass('DataFrame').validateParameters({ columns: ['a'] }); // ok
   * ```
   * @see lsst.daf.butler.StorageClass.validateParameters
   */
  validateParameters(parameters?: Readonly<Record<string, unknown>>): void {
    if (parameters === undefined || parameters === null) return;
    const unknown = Object.keys(parameters).filter((k) => !this.parameters.has(k));
    if (unknown.length === 0) return;
    const allowed = [...this.parameters].sort();
    const s = unknown.length > 1 ? 's' : '';
    const hint = unknown.length === 1 ? suggest(unknown[0]!, allowed) : undefined;
    throw new InvalidParameterError(
      `Parameter${s} ${unknown.map((u) => `'${u}'`).join(', ')} not understood by storage class '${this.name}'; ` +
        (allowed.length === 0 ? 'it takes no parameters.' : `allowed: ${allowed.join(', ')}.`),
      hint === undefined ? {} : { hint },
    );
  }

  /**
   * Whether this is `name` or inherits from it (directly or through its ancestors, followed
   * through `factory` for classes registered by hand with only their direct parent).
   *
   * @param name - a storage class name
   * @param factory - where to look up ancestors
   * @returns true when `name` is this class or one of its ancestors
   * @example
   * ```ts
   * factory.getStorageClass('ExposureF').isSubclassOf('Exposure', factory); // true
   * ```
   * @see Python's issubclass on daf_butler's generated StorageClass types
   */
  isSubclassOf(name: string, factory: StorageClassFactory): boolean {
    return this.name === name || factory.ancestorsOf(this).includes(name);
  }

  /**
   * Whether two definitions are the same (name, pytype, delegate, components, derived components, parameters).
   *
   * @param other - another storage class
   * @returns true when equal
   * @see lsst.daf.butler.StorageClass.__eq__
   */
  equals(other: StorageClass): boolean {
    return (
      this.name === other.name &&
      this.pytype === other.pytype &&
      this.delegate === other.delegate &&
      sameMap(this.components, other.components) &&
      sameMap(this.derivedComponents, other.derivedComponents) &&
      this.parameters.size === other.parameters.size &&
      [...this.parameters].every((p) => other.parameters.has(p))
    );
  }

  /** The name, as daf_butler's `str(storageClass)`. */
  toString(): string {
    return this.name;
  }
}

/** The raw per-class entry of a `storageClasses` configuration. */
type RawEntry = Record<string, unknown>;

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map);
}

/**
 * Applies YAML merge keys (`<<: *Image` or `<<: [*A, *B]`) left in a parsed mapping by a parser
 * that was not asked to merge: explicit keys win, then the merged mappings in order.
 */
function applyMergeKeys(entry: RawEntry): RawEntry {
  if (!('<<' in entry)) return entry;
  const sources = entry['<<'];
  const list = Array.isArray(sources) ? sources : [sources];
  const out: RawEntry = {};
  for (const src of [...list].reverse()) if (isMapping(src)) Object.assign(out, applyMergeKeys(src));
  for (const [k, v] of Object.entries(entry)) if (k !== '<<') out[k] = v;
  return out;
}

function stringMap(cls: string, key: string, v: unknown): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isMapping(v)) throw new StorageClassConfigError(`Storage class '${cls}': '${key}' must be a mapping of names to storage class names; given ${JSON.stringify(v)}.`);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string') throw new StorageClassConfigError(`Storage class '${cls}': ${key}.${k} must be a string; given ${JSON.stringify(val)}.`);
    out[k] = val;
  }
  return out;
}

interface Resolved {
  readonly pytype: string | undefined;
  readonly delegate: string | undefined;
  readonly ancestors: string[];
  readonly components: Record<string, string>;
  readonly derivedComponents: Record<string, string>;
  readonly parameters: Set<string>;
  readonly converters: Record<string, string>;
}

/** The default configuration file of {@link StorageClassFactory.default}. */
export const DEFAULT_STORAGE_CLASS_CONFIG_PATH = new URL('../../config/storageClasses.yaml', import.meta.url);

let defaultConfig: Record<string, unknown> | undefined;

/**
 * The set of known storage classes, made from configuration (daf_butler's
 * `storageClasses.yaml`) and extended with {@link register}. Not a singleton (unlike daf_butler's):
 * each Butler owns one.
 *
 * @example
 * ```ts
 * const factory = StorageClassFactory.default();
 * factory.getStorageClass('ExposureF').inheritsFrom; // ['Exposure']
 * factory.getStorageClass('DataFrame').derivedComponents.get('rowcount'); // 'int'
 * factory.getStorageClass('Exposre'); // throws MissingStorageClassError: ... Did you mean 'Exposure'?
 * ```
 * @see lsst.daf.butler.StorageClassFactory
 */
export class StorageClassFactory {
  readonly #classes = new Map<string, StorageClass>();

  /**
   * Makes a factory from the content of a `storageClasses.yaml` (the object with the top key
   * `storageClasses`, or the mapping under it). Per class: `pytype`, `inheritsFrom` (one parent
   * name), `components`, `derivedComponents`, `parameters`, `delegate`, `converters`; other keys are
   * ignored, as daf_butler ignores them. YAML merge keys (`<<: *Image`) are applied whether or not
   * the parser merged them.
   *
   * @param config - the parsed configuration
   * @returns a new factory
   * @throws StorageClassConfigError for a malformed entry, an unknown or cyclic parent, or a
   *   component whose storage class is not defined
   * @example
   * ```ts
   * import { parse } from 'yaml';
   * const factory = StorageClassFactory.fromConfig(parse(text, { merge: true }));
   * ```
   * @see lsst.daf.butler.StorageClassFactory.addFromConfig
   */
  static fromConfig(config: Record<string, unknown>): StorageClassFactory {
    const f = new StorageClassFactory();
    f.addFromConfig(config);
    return f;
  }

  /**
   * Makes a factory from YAML text (anchors and merge keys allowed).
   *
   * @param text - the YAML of a `storageClasses.yaml`
   * @returns a new factory
   * @throws StorageClassConfigError when the text is not YAML or is malformed
   */
  static fromYaml(text: string): StorageClassFactory {
    let parsed: unknown;
    try {
      parsed = parseYaml(text, { merge: true, logLevel: 'error' });
    } catch (cause) {
      throw new StorageClassConfigError(`Storage class configuration is not valid YAML: ${(cause as Error).message}`, { cause });
    }
    if (!isMapping(parsed)) throw new StorageClassConfigError('A storage class configuration must be a mapping with the top key `storageClasses`.');
    return StorageClassFactory.fromConfig(parsed);
  }

  /**
   * The storage classes SkyStack ships (`packages/daf-butler/config/storageClasses.yaml`): the
   * ones of daf_butler that SkyStack's packages read and write. A new factory each call (the
   * file is parsed once).
   *
   * @returns a new factory
   */
  static default(): StorageClassFactory {
    defaultConfig ??= parseYaml(readFileSync(DEFAULT_STORAGE_CLASS_CONFIG_PATH, 'utf8'), { merge: true }) as Record<string, unknown>;
    return StorageClassFactory.fromConfig(defaultConfig);
  }

  /**
   * Adds the classes of another configuration (same content model as {@link fromConfig});
   * parents and component classes may be defined in this configuration or already be known.
   * Redefining a known class identically is allowed.
   *
   * @param config - the parsed configuration
   * @throws StorageClassConfigError for a malformed entry, an unknown or cyclic parent, or a
   *   component whose storage class is not defined
   * @throws ConflictingDefinitionError when a class is redefined differently
   * @see lsst.daf.butler.StorageClassFactory.addFromConfig
   */
  addFromConfig(config: Record<string, unknown>): void {
    const section = isMapping(config['storageClasses']) ? config['storageClasses'] : config;
    const raw = new Map<string, RawEntry>();
    for (const [name, value] of Object.entries(section)) {
      if (value === null || value === undefined) {
        raw.set(name, {});
        continue;
      }
      if (!isMapping(value)) throw new StorageClassConfigError(`Storage class '${name}' must be a mapping of pytype, inheritsFrom, components, ...; given ${JSON.stringify(value)}.`);
      raw.set(name, applyMergeKeys(value));
    }

    const resolved = new Map<string, Resolved>();
    const resolving = new Set<string>();
    const resolve = (name: string, chain: string[]): Resolved => {
      const done = resolved.get(name);
      if (done !== undefined) return done;
      const entry = raw.get(name);
      if (entry === undefined) {
        const known = this.#classes.get(name);
        if (known === undefined) {
          throw new StorageClassConfigError(`Storage class '${chain.at(-1)}' inherits from '${name}', which is not defined.`, {
            ...withHint(suggest(name, [...raw.keys(), ...this.#classes.keys()])),
          });
        }
        return {
          pytype: known.pytype,
          delegate: known.delegate,
          ancestors: this.ancestorsOf(known),
          components: Object.fromEntries(known.components),
          derivedComponents: Object.fromEntries(known.derivedComponents),
          parameters: new Set(known.parameters),
          converters: Object.fromEntries(known.converters),
        };
      }
      if (resolving.has(name)) throw new StorageClassConfigError(`Storage classes inherit from each other in a cycle: ${[...chain, name].join(' -> ')}.`);
      resolving.add(name);
      const own = {
        pytype: optionalString(name, 'pytype', entry['pytype']),
        delegate: optionalString(name, 'delegate', entry['delegate']),
        components: stringMap(name, 'components', entry['components']),
        derivedComponents: stringMap(name, 'derivedComponents', entry['derivedComponents']),
        parameters: parameterList(name, entry['parameters']),
        converters: stringMap(name, 'converters', entry['converters']),
      };
      const parentName = parentOf(name, entry['inheritsFrom']);
      let result: Resolved;
      if (parentName === undefined) {
        result = { ...own, ancestors: [], parameters: new Set(own.parameters) };
      } else {
        const p = resolve(parentName, [...chain, name]);
        result = {
          pytype: own.pytype ?? p.pytype,
          delegate: own.delegate ?? p.delegate,
          ancestors: [parentName, ...p.ancestors],
          components: { ...p.components, ...own.components },
          derivedComponents: { ...p.derivedComponents, ...own.derivedComponents },
          parameters: new Set([...p.parameters, ...own.parameters]),
          converters: { ...p.converters, ...own.converters },
        };
      }
      resolving.delete(name);
      resolved.set(name, result);
      return result;
    };

    const made: StorageClass[] = [];
    for (const name of raw.keys()) {
      const r = resolve(name, []);
      made.push(
        new StorageClass(name, {
          pytype: r.pytype,
          inheritsFrom: r.ancestors,
          components: r.components,
          derivedComponents: r.derivedComponents,
          parameters: r.parameters,
          delegate: r.delegate,
          converters: r.converters,
        }),
      );
    }
    // Component classes must exist (daf_butler looks each one up while building the class).
    for (const sc of made) {
      for (const [comp, scName] of sc.allComponents()) {
        if (!raw.has(scName) && !this.#classes.has(scName)) {
          throw new StorageClassConfigError(`Storage class '${sc.name}': component '${comp}' has storage class '${scName}', which is not defined.`, {
            ...withHint(suggest(scName, [...raw.keys(), ...this.#classes.keys()])),
          });
        }
      }
    }
    for (const sc of made) this.register(sc);
  }

  /**
   * The storage class of a name.
   *
   * @param name - the storage class name
   * @returns the storage class
   * @throws MissingStorageClassError when unknown, with a "Did you mean" hint
   * @see lsst.daf.butler.StorageClassFactory.getStorageClass
   */
  getStorageClass(name: string): StorageClass {
    const sc = this.#classes.get(name);
    if (sc === undefined) {
      throw new MissingStorageClassError(`Unknown storage class '${name}' (${this.#classes.size} storage classes are defined).`, {
        ...withHint(suggest(name, this.#classes.keys())),
      });
    }
    return sc;
  }

  /**
   * Whether a storage class of that name is known.
   *
   * @param name - the storage class name
   * @returns true when known
   * @see lsst.daf.butler.StorageClassFactory.__contains__
   */
  has(name: string): boolean {
    return this.#classes.has(name);
  }

  /**
   * Adds a storage class. Registering an identical definition again does nothing.
   *
   * @param sc - the storage class
   * @throws ConflictingDefinitionError when a different class of that name is registered
   * @see lsst.daf.butler.StorageClassFactory.registerStorageClass
   */
  register(sc: StorageClass): void {
    const existing = this.#classes.get(sc.name);
    if (existing !== undefined) {
      if (existing.equals(sc)) return;
      throw new ConflictingDefinitionError(
        `Storage class '${sc.name}' is already defined (${describe(existing)}); the new definition (${describe(sc)}) differs.`,
        { hint: 'Use another name, or define it identically.' },
      );
    }
    this.#classes.set(sc.name, sc);
  }

  /**
   * The names of all known storage classes.
   *
   * @returns the names, sorted
   */
  names(): string[] {
    return [...this.#classes.keys()].sort();
  }

  /** The number of known storage classes. */
  get size(): number {
    return this.#classes.size;
  }

  /**
   * The ancestors of a storage class, nearest first, followed through this factory (so a class
   * registered by hand with only its direct parent gets its whole chain). Unknown parents end
   * the chain.
   *
   * @param sc - a storage class
   * @returns ancestor names, nearest first, without duplicates
   */
  ancestorsOf(sc: StorageClass): string[] {
    const out: string[] = [];
    const queue = [...sc.inheritsFrom];
    while (queue.length > 0) {
      const n = queue.shift()!;
      if (n === sc.name || out.includes(n)) continue;
      out.push(n);
      const p = this.#classes.get(n);
      if (p !== undefined) queue.push(...p.inheritsFrom);
    }
    return out;
  }
}

function withHint(hint: string | undefined): { hint?: string } {
  return hint === undefined ? {} : { hint };
}

function optionalString(cls: string, key: string, v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new StorageClassConfigError(`Storage class '${cls}': '${key}' must be a string; given ${JSON.stringify(v)}.`);
  return v;
}

function parentOf(cls: string, v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'string') return v[0];
  throw new StorageClassConfigError(`Storage class '${cls}': 'inheritsFrom' must name one storage class; given ${JSON.stringify(v)}.`);
}

function parameterList(cls: string, v: unknown): Set<string> {
  if (v === undefined || v === null) return new Set();
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || !list.every((p) => typeof p === 'string')) {
    throw new StorageClassConfigError(`Storage class '${cls}': 'parameters' must be a list of names; given ${JSON.stringify(v)}.`);
  }
  return new Set(list as string[]);
}

function describe(sc: StorageClass): string {
  const parts = [`pytype=${sc.pytype ?? '-'}`];
  if (sc.components.size > 0) parts.push(`components={${[...sc.components].map(([k, v]) => `${k}: ${v}`).join(', ')}}`);
  if (sc.derivedComponents.size > 0) parts.push(`derivedComponents={${[...sc.derivedComponents].map(([k, v]) => `${k}: ${v}`).join(', ')}}`);
  if (sc.parameters.size > 0) parts.push(`parameters=[${[...sc.parameters].join(', ')}]`);
  if (sc.delegate !== undefined) parts.push(`delegate=${sc.delegate}`);
  return parts.join(', ');
}
