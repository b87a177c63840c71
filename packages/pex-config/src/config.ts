import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '@skystack/base';
import { ConfigDefinitionError, FieldValidationError, FrozenConfigError, UnknownFieldError } from './errors.js';
import {
  FieldSpec,
  attachChild,
  checkNotFrozen,
  configPath,
  describeValue,
  ensureInitialized,
  fieldPath,
  isConfig,
  rawStateOf,
  recordHistory,
  registerState,
  stateOf,
  type BaseFieldOptions,
  type CompareOptions,
  type ConfigDifference,
  type ConfigState,
  type FieldDescription,
  type SaveLines,
} from './field-spec.js';
import { formatHistoryEntries, type HistoryEntry } from './history.js';
import { applyOverrideText, resolveFieldPath, type LoadResult } from './overrides.js';
import { pyRepr } from './repr.js';

/**
 * A Config class: anything `new`-able without arguments that makes a {@link Config}.
 */
export type ConfigClass<C extends Config = Config> = new () => C;

/**
 * The values `update()` accepts for a config: any subset of its fields, with plain objects
 * for sub-configs.
 */
export type ConfigValues<C> = {
  -readonly [K in Exclude<keyof C, keyof Config>]?: C[K] extends (...args: never[]) => unknown
    ? never
    : C[K] extends Config
      ? ConfigValues<C[K]> | C[K]
      : C[K];
};

/** Options of {@link Config.compare}. */
export interface CompareConfigOptions {
  /** Stop at the first difference (default true, as in pex_config). */
  readonly shortcut?: boolean;
  /** Relative tolerance for floats (default 1e-8): equal when `|a - b| <= atol + rtol * |b|`. */
  readonly rtol?: number;
  /** Absolute tolerance for floats (default 1e-8). */
  readonly atol?: number;
}

/** What {@link Config.compare} returns. */
export interface ConfigComparison {
  /** Whether the configs are equal within the tolerances. */
  readonly equal: boolean;
  /** The differences found (only the first with `shortcut`). */
  readonly differences: readonly ConfigDifference[];
}

/** Options of {@link Config.saveToString} and {@link Config.save}. */
export interface SaveOptions {
  /** Name of the root config in the written lines (default `config`). */
  readonly root?: string;
}

/** Options of {@link Config.loadFromString} and {@link Config.load}. */
export interface LoadOptions {
  /** Name of the root config in the text (default `config`). */
  readonly root?: string;
  /** File name or label of the text, used in errors and history (default `<string>`). */
  readonly filename?: string;
}

const RESERVED = new Set<string>([
  'constructor', 'history', 'setDefaults', 'validate', 'freeze', 'isFrozen', 'formatHistory', 'names', 'keys',
  'values', 'items', 'toDict', 'copy', 'update', 'compare', 'saveToString', 'save', 'load', 'loadFromString',
  'then',
]);

const HANDLER: ProxyHandler<Config> = {
  defineProperty(target, key, descriptor) {
    const value: unknown = descriptor.value;
    if (value instanceof FieldSpec && typeof key === 'string') {
      const state = rawStateOf(target)!;
      if (RESERVED.has(key) || key.startsWith('_')) {
        throw new ConfigDefinitionError(
          `${target.constructor.name}: a field may not be named '${key}' (a Config method, or starting with '_').`,
        );
      }
      value.name = key;
      state.fields.set(key, value);
      state.values.set(key, value.init(state));
      if (value.recordsHistory) recordHistory(state, key);
      return true;
    }
    return Reflect.defineProperty(target, key, descriptor);
  },
  get(target, key, receiver) {
    if (typeof key === 'string') {
      const state = rawStateOf(target)!;
      const spec = state.fields.get(key);
      if (spec !== undefined) {
        ensureInitialized(state);
        return spec.get(state.values.get(key));
      }
    }
    return Reflect.get(target, key, receiver);
  },
  set(target, key, value, receiver) {
    const state = rawStateOf(target)!;
    if (typeof key === 'string' && state.fields.has(key)) {
      setField(state, key, value);
      return true;
    }
    if (state.frozen) throw new FrozenConfigError(`${configPath(state)}.${String(key)}`);
    if (typeof key === 'string' && !(key in target) && !key.startsWith('_')) {
      throw new UnknownFieldError(configPath(state), key, [...state.fields.keys()]);
    }
    return Reflect.set(target, key, value, receiver);
  },
  has(target, key) {
    return (typeof key === 'string' && rawStateOf(target)!.fields.has(key)) || Reflect.has(target, key);
  },
  ownKeys(target) {
    const fields = [...rawStateOf(target)!.fields.keys()];
    return [...fields, ...Reflect.ownKeys(target).filter((k) => !fields.includes(k as string))];
  },
  getOwnPropertyDescriptor(target, key) {
    const state = rawStateOf(target)!;
    if (typeof key === 'string' && state.fields.has(key)) {
      ensureInitialized(state);
      return { value: state.fields.get(key)!.get(state.values.get(key)), writable: true, enumerable: true, configurable: true };
    }
    return Reflect.getOwnPropertyDescriptor(target, key);
  },
};

/**
 * Assigns a field of a config: checks the frozen flag and the value, stores it and records
 * the assignment in the history.
 *
 * @internal
 */
export function setField(state: ConfigState, name: string, value: unknown): void {
  ensureInitialized(state);
  const spec = state.fields.get(name);
  if (spec === undefined) throw new UnknownFieldError(configPath(state), name, [...state.fields.keys()]);
  checkNotFrozen(state, name);
  spec.warnDeprecated(state);
  const next = spec.assign(state, state.values.get(name), value);
  state.values.set(name, next);
  if (spec.recordsHistory) recordHistory(state, name);
}

/**
 * Copies the field values of `source` into `target` (same or derived class).
 *
 * @internal
 */
export function copyConfigInto(target: Config, source: Config, withHistory: boolean): void {
  const dst = stateOf(target);
  const src = stateOf(source);
  for (const [name, spec] of src.fields) {
    const dspec = dst.fields.get(name);
    if (dspec === undefined) throw new UnknownFieldError(configPath(dst), name, [...dst.fields.keys()]);
    checkNotFrozen(dst, name);
    dst.values.set(name, dspec.copyFrom(dst, dst.values.get(name), src.values.get(name)));
    if (withHistory) {
      dst.history.set(name, [...(src.history.get(name) ?? [])]);
    } else if (spec.recordsHistory) {
      recordHistory(dst, name);
    }
  }
}

function saveLines(state: ConfigState, out: SaveLines): void {
  for (const [name, spec] of state.fields) {
    const value = state.values.get(name);
    // As pex_config does: a deprecated field left at its default is not written, so that
    // loading a saved config does not warn about a field nobody set.
    if (spec.deprecated !== undefined && JSON.stringify(spec.toPlain(value)) === JSON.stringify(spec.defaultPlain())) continue;
    spec.save(state, value, out);
  }
}

/** @internal */
export function saveConfigLines(config: Config, out: SaveLines): void {
  saveLines(stateOf(config), out);
}

/** @internal */
export function compareConfigs(path: string, a: Config, b: Config, options: CompareOptions, out: ConfigDifference[]): boolean {
  if (a.constructor !== b.constructor) {
    out.push({
      name: path,
      a: a.constructor.name,
      b: b.constructor.name,
      message: `${path}: config types differ: ${a.constructor.name} != ${b.constructor.name}`,
    });
    return false;
  }
  const sa = stateOf(a);
  const sb = stateOf(b);
  let equal = true;
  for (const [name, spec] of sa.fields) {
    const ok = spec.compare(`${path}.${name}`, sa.values.get(name), sb.values.get(name), options, out);
    if (!ok) {
      equal = false;
      if (options.shortcut) return false;
    }
  }
  return equal;
}

/** @internal */
export function describeConfigFields(config: Config, out: FieldDescription[]): void {
  const state = stateOf(config);
  for (const [name, spec] of state.fields) spec.describe(state, state.values.get(name), out);
}

/**
 * Base class of every config: a set of typed, documented fields declared as class properties
 * (see {@link Field} and the other field declarations), read and assigned as plain
 * properties (`config.doBias = false`), with per-field history, validation, freezing,
 * comparison, copying and the LSST override-file text form.
 *
 * The constructor returns a `Proxy`: field declarations are turned into values as the
 * subclass's property initializers run, and `setDefaults()` runs at the first access after
 * construction. Subclasses should not define constructors; override `setDefaults()` instead.
 * A field may not be named like a `Config` method or start with `_`.
 *
 * @example
 * ```ts
 * class IsrConfig extends Config {
 *   doBias = Field.bool({ doc: 'Apply bias frame correction?', default: true });
 *   saturation = RangeField({ doc: 'Saturation level (ADU)', dtype: 'float', default: 65535, min: 0 });
 * }
 * const config = new IsrConfig();
 * config.doBias = false;
 * config.validate();
 * config.freeze();
 * console.log(config.saveToString()); // config.doBias=False ...
 * ```
 * @see lsst.pex.config.Config
 */
export class Config {
  /** Makes the config (a Proxy over it, see the class documentation). */
  constructor() {
    const state: ConfigState = {
      fields: new Map(),
      values: new Map(),
      history: new Map(),
      frozen: false,
      parent: undefined,
      initialized: false,
      target: this,
      proxy: this,
    };
    const proxy = new Proxy(this, HANDLER);
    state.proxy = proxy;
    registerState(state);
    return proxy;
  }

  /**
   * Sets defaults that depend on code (run once, at the first access after construction).
   * Override it and call `super.setDefaults()` first; assignments made here are recorded in
   * the history.
   *
   * @see lsst.pex.config.Config.setDefaults
   */
  setDefaults(): void {}

  /**
   * Checks every field (required values, ranges, list lengths, `check`s) and recursively every
   * sub-config. Override it (calling `super.validate()`) for checks across fields.
   *
   * @throws {@link @skystack/pex-config!FieldValidationError} naming the first field that fails, its value and what is allowed
   * @see lsst.pex.config.Config.validate
   */
  validate(): void {
    const state = stateOf(this);
    for (const [name, spec] of state.fields) spec.validate(state, state.values.get(name));
  }

  /**
   * Makes this config and all its sub-configs, lists and dicts read-only; any later
   * assignment throws {@link @skystack/pex-config!FrozenConfigError}.
   *
   * @see lsst.pex.config.Config.freeze
   */
  freeze(): void {
    const state = stateOf(this);
    state.frozen = true;
    for (const [name, spec] of state.fields) spec.freeze(state.values.get(name));
  }

  /**
   * Whether {@link Config.freeze} was called (on this config or a parent).
   *
   * @returns true when frozen
   */
  isFrozen(): boolean {
    return stateOf(this).frozen;
  }

  /**
   * Per-field history of this config's own fields (sub-configs have their own): for each field
   * name, the values it was given, oldest first, and where (`file:line` or a label).
   *
   * @see lsst.pex.config.Config.history
   */
  get history(): Readonly<Record<string, readonly HistoryEntry[]>> {
    const state = stateOf(this);
    return Object.fromEntries([...state.history].map(([k, v]) => [k, [...v]]));
  }

  /**
   * Formats the history of one field: its full name, then one line per assignment with the
   * value and where it was set.
   *
   * @param name - field name, or a dotted path into sub-configs (`isr.doBias`)
   * @returns the formatted history
   * @throws {@link @skystack/pex-config!UnknownFieldError} for an unknown name
   * @see lsst.pex.config.history.format
   */
  formatHistory(name: string): string {
    const { state, name: field } = resolveFieldPath(this, name);
    const spec = state.fields.get(field)!;
    return formatHistoryEntries(fieldPath(state, field), state.history.get(field) ?? [], (v) =>
      pyRepr(v, (spec as { dtype?: string }).dtype === 'float'),
    );
  }

  /**
   * All field names, recursively, as written by `saveToString` (e.g. `doBias`, `isr.gain`,
   * `skyMap['rings'].numTracts`, `skyMap.name`).
   *
   * @returns the names, without the root
   * @see lsst.pex.config.Config.names
   */
  names(): string[] {
    const names = new Set<string>();
    for (const line of this.saveToString({ root: 'config' }).split('\n')) {
      const m = /^config\.([^=]+?)=/.exec(line);
      if (m !== null) names.add(m[1]!);
    }
    return [...names];
  }

  /**
   * The top-level field names, in declaration order.
   *
   * @returns the names
   * @see lsst.pex.config.Config.keys
   */
  keys(): string[] {
    return [...stateOf(this).fields.keys()];
  }

  /**
   * The top-level field values, in declaration order.
   *
   * @returns the values, as `config.name` would give them
   * @see lsst.pex.config.Config.values
   */
  values(): unknown[] {
    const state = stateOf(this);
    return [...state.fields].map(([name, spec]) => spec.get(state.values.get(name)));
  }

  /**
   * The top-level `[name, value]` pairs, in declaration order.
   *
   * @returns the pairs
   * @see lsst.pex.config.Config.items
   */
  items(): [string, unknown][] {
    const state = stateOf(this);
    return [...state.fields].map(([name, spec]) => [name, spec.get(state.values.get(name))]);
  }

  /**
   * The values as a plain, JSON-like object (sub-configs as nested objects).
   *
   * @returns the values
   * @see lsst.pex.config.Config.toDict
   */
  toDict(): Record<string, unknown> {
    const state = stateOf(this);
    return Object.fromEntries([...state.fields].map(([name, spec]) => [name, spec.toPlain(state.values.get(name))]));
  }

  /**
   * A deep, unfrozen copy of this config, with its history.
   *
   * @returns the copy, of the same class
   * @see lsst.pex.config.Config.copy
   */
  copy(): this {
    const Ctor = this.constructor as new () => this;
    const copy = new Ctor();
    stateOf(copy);
    copyConfigInto(copy, this, true);
    return copy;
  }

  /**
   * Assigns several fields at once; sub-configs take nested plain objects.
   *
   * @param values - the fields to assign
   * @throws {@link @skystack/pex-config!FieldValidationError} for a bad value, {@link @skystack/pex-config!UnknownFieldError} for an unknown field,
   *   {@link @skystack/pex-config!FrozenConfigError} when frozen
   * @see lsst.pex.config.Config.update
   */
  update(values: ConfigValues<this>): void {
    const state = stateOf(this);
    for (const [name, value] of Object.entries(values as Record<string, unknown>)) {
      if (value === undefined) continue;
      setField(state, name, value);
    }
  }

  /**
   * Compares this config with another of the same class, field by field, floats within
   * tolerances.
   *
   * @param other - the other config
   * @param options - `shortcut` (default true), `rtol`, `atol` (default 1e-8)
   * @returns whether they are equal, and the differences
   * @see lsst.pex.config.Config.compare
   */
  compare(other: Config, options: CompareConfigOptions = {}): ConfigComparison {
    const differences: ConfigDifference[] = [];
    const equal = compareConfigs(configPath(stateOf(this)), this, other, {
      shortcut: options.shortcut ?? true,
      rtol: options.rtol ?? 1e-8,
      atol: options.atol ?? 1e-8,
    }, differences);
    return { equal, differences };
  }

  /**
   * The config in LSST's override-file form: `config.field=value` lines, each preceded by
   * the field's doc as a comment; `import` and `assert type(...)` lines are omitted.
   * `loadFromString` reads it back.
   *
   * @param options - `root` (default `config`)
   * @returns the text
   * @see lsst.pex.config.Config.saveToString
   */
  saveToString(options: SaveOptions = {}): string {
    const state = stateOf(this);
    const out: SaveLines = [];
    saveLines(state, out);
    const prefix = configPath(state);
    const root = options.root ?? 'config';
    return out
      .map((line) => (line.startsWith(prefix) && !line.startsWith('#') ? root + line.slice(prefix.length) : line))
      .join('\n');
  }

  /**
   * Writes `saveToString()` to a file (atomically: a temporary file, then a rename).
   *
   * @param path - file to write
   * @param options - `root` (default `config`)
   * @see lsst.pex.config.Config.save
   */
  async save(path: string, options: SaveOptions = {}): Promise<void> {
    await writeFileAtomic(path, this.saveToString(options) + '\n');
  }

  /**
   * Applies an override text in the safe subset of Python that LSST config files use
   * (`config.a.b = 3`, `config.list.append(x)`, `config.d['k'] = v`, ...); see the README.
   * Each assignment is recorded in the history as `filename:line`.
   *
   * @param text - the override text
   * @param options - `root` (default `config`), `filename` (default `<string>`)
   * @returns the warnings (ignored `import` lines)
   * @throws {@link @skystack/pex-config!OverrideSyntaxError} with line and column for text outside the subset
   * @throws {@link @skystack/pex-config!UnsupportedOverrideError} for `retarget` to another target
   * @throws {@link @skystack/pex-config!FieldValidationError} for a bad value
   * @see lsst.pex.config.Config.loadFromString
   */
  loadFromString(text: string, options: LoadOptions = {}): LoadResult {
    return applyOverrideText(this, text, { root: options.root ?? 'config', filename: options.filename ?? '<string>' });
  }

  /**
   * Reads an override file and applies it with {@link Config.loadFromString}.
   *
   * @param path - the file
   * @param options - `root` (default `config`); the file name is used in errors and history
   * @returns the warnings
   * @see lsst.pex.config.Config.load
   */
  async load(path: string, options: SaveOptions = {}): Promise<LoadResult> {
    const text = await readFile(path, 'utf8');
    return this.loadFromString(text, { root: options.root ?? 'config', filename: path });
  }
}

/** Options of {@link ConfigField}. */
export interface ConfigFieldOptions<C extends Config> extends BaseFieldOptions {
  /** The sub-config class. */
  readonly dtype: ConfigClass<C>;
  /** Values to give the sub-config after its own defaults. */
  readonly default?: ConfigValues<C>;
}

/** @internal */
export class ConfigFieldSpec extends FieldSpec<Config> {
  readonly kind = 'ConfigField';
  readonly dtype: ConfigClass;
  readonly default: Record<string, unknown> | undefined;

  constructor(options: ConfigFieldOptions<Config>) {
    super(options);
    if (typeof options.dtype !== 'function') {
      throw new ConfigDefinitionError(`ConfigField: dtype must be a Config class; got ${describeValue(options.dtype)}.`);
    }
    this.dtype = options.dtype;
    this.default = options.default as Record<string, unknown> | undefined;
  }

  override get recordsHistory(): boolean {
    return false;
  }

  typeName(): string {
    return this.dtype.name;
  }

  init(owner: ConfigState): Config {
    const sub = new this.dtype();
    attachChild(sub, owner, `.${this.name}`);
    if (this.default !== undefined) sub.update(this.default as never);
    return sub;
  }

  assign(owner: ConfigState, current: Config, value: unknown): Config {
    const path = fieldPath(owner, this.name);
    if (isConfig(value)) {
      if (!(value instanceof this.dtype)) {
        throw new FieldValidationError(path, value, `Value is a ${(value as object).constructor.name}; expected a ${this.dtype.name}.`);
      }
      copyConfigInto(current, value, false);
      return current;
    }
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      current.update(value as never);
      return current;
    }
    throw new FieldValidationError(path, value, `Value ${describeValue(value)} is not a ${this.dtype.name} or a plain object of its fields.`);
  }

  override validate(_owner: ConfigState, storage: Config): void {
    storage.validate();
  }

  override freeze(storage: Config): void {
    storage.freeze();
  }

  override copyFrom(_owner: ConfigState, current: Config, source: Config): Config {
    copyConfigInto(current, source, true);
    return current;
  }

  override compare(path: string, a: Config, b: Config, options: CompareOptions, out: ConfigDifference[]): boolean {
    return compareConfigs(path, a, b, options, out);
  }

  toPlain(storage: Config): unknown {
    return storage.toDict();
  }

  defaultPlain(): unknown {
    return this.default ?? {};
  }

  save(_owner: ConfigState, storage: Config, out: SaveLines): void {
    saveConfigLines(storage, out);
  }

  override describe(owner: ConfigState, storage: Config, out: FieldDescription[]): void {
    out.push({ ...this.baseDescription(owner), default: undefined, value: undefined });
    describeConfigFields(storage, out);
  }
}

/**
 * Declares a sub-config field: `config.sub` is a config of class `dtype`, created with the
 * parent; assigning a config of that class copies its values, assigning a plain object
 * updates the fields it names.
 *
 * @example
 * ```ts
 * class BackgroundConfig extends Config {
 *   binSize = Field.int({ doc: 'Bin size (pixels)', default: 128 });
 * }
 * class DetectConfig extends Config {
 *   background = ConfigField({ doc: 'Background subtraction', dtype: BackgroundConfig });
 * }
 * const config = new DetectConfig();
 * config.background.binSize = 64;
 * ```
 * @param options - `doc`, `dtype` (the Config class), `default` (values to apply), `deprecated`
 * @returns the declaration, typed as the sub-config
 * @see lsst.pex.config.ConfigField
 */
export function ConfigField<C extends Config>(options: ConfigFieldOptions<C>): C {
  return new ConfigFieldSpec(options as unknown as ConfigFieldOptions<Config>) as unknown as C;
}
