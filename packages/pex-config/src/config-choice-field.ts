import { ConfigDefinitionError, FieldValidationError, UnknownFieldError } from './errors.js';
import {
  FieldSpec,
  attachChild,
  checkNotFrozen,
  describeValue,
  fieldPath,
  isConfig,
  recordHistory,
  stateOf,
  type BaseFieldOptions,
  type CompareOptions,
  type ConfigDifference,
  type ConfigState,
  type FieldDescription,
  type SaveLines,
} from './field-spec.js';
import {
  compareConfigs,
  copyConfigInto,
  describeConfigFields,
  saveConfigLines,
  type Config,
  type ConfigClass,
} from './config.js';
import { pyRepr } from './repr.js';

/** A map from choice names to config classes. */
export type ConfigTypeMap = Readonly<Record<string, ConfigClass>>;

/**
 * A choice among named configs: one config per name (made when first used), and the
 * selection, `name` (single) or `names` (multi-select). The value of a
 * {@link ConfigChoiceField}, and the base of a {@link RegistryField}'s value. The configs are
 * reached with `get(name)` or, as in Python, `choice['rings']`.
 *
 * @see lsst.pex.config.configChoiceField.ConfigInstanceDict
 */
export class ConfigChoiceInstance<TM extends ConfigTypeMap = ConfigTypeMap> {
  readonly #owner: ConfigState;
  readonly #field: ChoiceSpecBase;
  readonly #configs = new Map<string, Config>();
  #selection: string | null | string[];

  /** @internal */
  constructor(owner: ConfigState, field: ChoiceSpecBase) {
    this.#owner = owner;
    this.#field = field;
    this.#selection = field.multi ? [...((field.default as string[] | null) ?? [])] : ((field.default as string | null) ?? null);
  }

  /** Whether several names can be selected (`names`) rather than one (`name`). */
  get multi(): boolean {
    return this.#field.multi;
  }

  /** The names that can be chosen. */
  get types(): TM {
    return Object.fromEntries(this.#field.typeNames().map((n) => [n, this.#field.typeOf(n)])) as unknown as TM;
  }

  /**
   * The selected name (single-selection fields).
   *
   * @throws {@link @skystack/pex-config!FieldValidationError} on a multi-selection field (use `names`)
   */
  get name(): (keyof TM & string) | null {
    if (this.multi) throw this.#error(null, 'Multi-selection field has no attribute "name"; use names.');
    return this.#selection as (keyof TM & string) | null;
  }

  /** Selects one name (or none with null); recorded in the history. */
  set name(value: (keyof TM & string) | null) {
    if (this.multi) throw this.#error(value, 'Multi-selection field has no attribute "name"; use names.');
    this.#select(value);
  }

  /**
   * The selected names (multi-selection fields).
   *
   * @throws {@link @skystack/pex-config!FieldValidationError} on a single-selection field (use `name`)
   */
  get names(): readonly (keyof TM & string)[] {
    if (!this.multi) throw this.#error(null, 'Single-selection field has no attribute "names"; use name.');
    return [...(this.#selection as string[])] as (keyof TM & string)[];
  }

  /** Selects several names; recorded in the history. */
  set names(value: readonly (keyof TM & string)[]) {
    if (!this.multi) throw this.#error(value, 'Single-selection field has no attribute "names"; use name.');
    this.#select(value === null ? null : [...value]);
  }

  /**
   * The selected config (single), the selected configs (multi), or null when none is selected.
   */
  get active(): InstanceType<TM[keyof TM]> | InstanceType<TM[keyof TM]>[] | null {
    const sel = this.#selection;
    if (sel === null) return null;
    if (Array.isArray(sel)) return sel.map((n) => this.get(n));
    return this.get(sel as keyof TM & string);
  }

  /**
   * The config for one choice (made with its defaults on first use).
   *
   * @param key - a choice name
   * @returns its config
   * @throws {@link @skystack/pex-config!UnknownFieldError} for a name that is not a choice
   */
  get<K extends keyof TM & string>(key: K): InstanceType<TM[K]> {
    let config = this.#configs.get(key);
    if (config === undefined) {
      const cls = this.#field.typeOf(key);
      if (cls === undefined) throw new UnknownFieldError(fieldPath(this.#owner, this.#field.name), key, this.#field.typeNames());
      config = new cls();
      attachChild(config, this.#owner, `.${this.#field.name}[${pyRepr(key)}]`);
      this.#configs.set(key, config);
      if (this.#owner.frozen) config.freeze();
    }
    return config as InstanceType<TM[K]>;
  }

  /**
   * Sets the config of one choice: a config of its class (values copied) or a plain object of
   * field values.
   *
   * @param key - a choice name
   * @param value - the config or values
   * @throws {@link @skystack/pex-config!FieldValidationError} for a config of another class
   */
  set<K extends keyof TM & string>(key: K, value: InstanceType<TM[K]> | Record<string, unknown>): void {
    checkNotFrozen(this.#owner, this.#field.name);
    const config = this.get(key);
    if (isConfig(value)) {
      const cls = this.#field.typeOf(key)!;
      if (!(value instanceof cls)) throw this.#error(value, `Config for '${key}' is a ${(value as object).constructor.name}; expected a ${cls.name}.`);
      copyConfigInto(config, value, false);
    } else {
      config.update(value as never);
    }
  }

  /**
   * The names whose configs have been made (used, set or selected), in order of first use.
   *
   * @returns the names
   */
  keys(): (keyof TM & string)[] {
    return [...this.#configs.keys()] as (keyof TM & string)[];
  }

  #select(value: string | null | string[]): void {
    checkNotFrozen(this.#owner, this.#field.name);
    const names = value === null ? [] : Array.isArray(value) ? value : [value];
    for (const n of names) {
      if (typeof n !== 'string' || this.#field.typeOf(n) === undefined) {
        throw this.#error(value, `Value ${describeValue(n)} is not a choice; allowed: ${this.#field.typeNames().map((t) => pyRepr(t)).join(', ')}.`);
      }
    }
    this.#selection = value;
    for (const n of names) this.get(n);
    recordHistory(this.#owner, this.#field.name);
  }

  #error(value: unknown, message: string): FieldValidationError {
    return new FieldValidationError(fieldPath(this.#owner, this.#field.name), value, message);
  }

  /** @internal */
  _selection(): string | null | string[] {
    return this.#selection;
  }

  /** @internal */
  _setSelection(value: string | null | string[]): void {
    this.#selection = value;
  }

  /** @internal */
  _configs(): Map<string, Config> {
    return this.#configs;
  }

  /** @internal */
  _owner(): ConfigState {
    return this.#owner;
  }
}

/**
 * What `config.x` is for a {@link ConfigChoiceField}: the {@link ConfigChoiceInstance} plus one
 * property per choice (`config.skyMap.rings`, or `config.skyMap['rings']`).
 */
export type ConfigChoice<TM extends ConfigTypeMap> = ConfigChoiceInstance<TM> & {
  readonly [K in keyof TM]: InstanceType<TM[K]>;
};

const RAW = new WeakMap<object, ConfigChoiceInstance>();

/** The instance behind a choice value, or undefined. @internal */
export function choiceOf(value: unknown): ConfigChoiceInstance | undefined {
  return typeof value === 'object' && value !== null ? RAW.get(value) : undefined;
}

function isMethod(obj: object, key: string | symbol): boolean {
  if (key === 'constructor') return false;
  for (let p: object | null = obj; p !== null; p = Object.getPrototypeOf(p) as object | null) {
    const d = Object.getOwnPropertyDescriptor(p, key);
    if (d !== undefined) return typeof d.value === 'function';
  }
  return false;
}

/** @internal */
export function makeChoiceProxy<I extends ConfigChoiceInstance>(instance: I, typeOf: (n: string) => unknown): I {
  const proxy = new Proxy(instance, {
    get(target, key) {
      if (typeof key === 'string' && !(key in target) && typeOf(key) !== undefined) return target.get(key);
      const v: unknown = Reflect.get(target, key, target);
      return typeof v === 'function' && isMethod(target, key) ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
    set(target, key, value) {
      if (typeof key === 'string' && !(key in target) && typeOf(key) !== undefined) {
        target.set(key, value as Record<string, unknown>);
        return true;
      }
      return Reflect.set(target, key, value, target);
    },
  });
  RAW.set(proxy, instance);
  return proxy;
}

/** Options common to {@link ConfigChoiceField} and {@link RegistryField}. */
export interface ChoiceFieldBaseOptions extends BaseFieldOptions {
  /** Whether several choices can be selected (`names`) rather than one (`name`). */
  readonly multi?: boolean;
}

/** Shared implementation of the choice fields. @internal */
export abstract class ChoiceSpecBase extends FieldSpec<ConfigChoiceInstance> {
  readonly multi: boolean;
  readonly default: string | readonly string[] | null;

  constructor(options: ChoiceFieldBaseOptions & { default?: string | readonly string[] | null }) {
    super(options);
    this.multi = options.multi ?? false;
    this.default = options.default ?? null;
    if (this.default !== null && this.multi !== Array.isArray(this.default)) {
      throw new ConfigDefinitionError(`${this.constructor.name}: the default must be ${this.multi ? 'a list of names' : 'one name'} (multi: ${this.multi}).`);
    }
  }

  abstract typeNames(): string[];
  abstract typeOf(name: string): ConfigClass | undefined;

  typeName(): string {
    return this.multi ? 'List[str]' : 'str';
  }

  /** Makes the raw instance. */
  protected makeInstance(owner: ConfigState): ConfigChoiceInstance {
    return new ConfigChoiceInstance(owner, this);
  }

  init(owner: ConfigState): ConfigChoiceInstance {
    const proxy = makeChoiceProxy(this.makeInstance(owner), (n) => this.typeOf(n));
    return proxy;
  }

  assign(owner: ConfigState, current: ConfigChoiceInstance, value: unknown): ConfigChoiceInstance {
    const inst = choiceOf(current)!;
    const other = choiceOf(value);
    if (other !== undefined) {
      for (const [k, v] of other._configs()) inst.set(k, v);
      inst._setSelection(structuredClone(other._selection()));
      return current;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new FieldValidationError(fieldPath(owner, this.name), value, `Value ${describeValue(value)} is not a choice of configs; assign .name/.names or a config with ['key'].`);
    }
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (k === 'name') inst.name = v as string | null;
      else if (k === 'names') inst.names = v as string[];
      else if (k === 'values') for (const [vk, vv] of Object.entries(v as Record<string, unknown>)) inst.set(vk, vv as Record<string, unknown>);
      else inst.set(k, v as Record<string, unknown>);
    }
    return current;
  }

  override historyValue(storage: ConfigChoiceInstance): unknown {
    return structuredClone(choiceOf(storage)!._selection());
  }

  override validate(owner: ConfigState, storage: ConfigChoiceInstance): void {
    const inst = choiceOf(storage)!;
    const sel = inst._selection();
    const empty = sel === null || (Array.isArray(sel) && sel.length === 0);
    if (empty && !this.optional) {
      throw new FieldValidationError(fieldPath(owner, this.name), sel, this.multi ? 'At least one selection is required.' : 'Required value cannot be None (null).', {
        hint: `Select one of ${this.typeNames().map((t) => pyRepr(t)).join(', ')}.`,
      });
    }
    const active = inst.active;
    if (active === null) return;
    for (const c of Array.isArray(active) ? active : [active]) c.validate();
  }

  override freeze(storage: ConfigChoiceInstance): void {
    for (const c of choiceOf(storage)!._configs().values()) c.freeze();
  }

  override copyFrom(_owner: ConfigState, current: ConfigChoiceInstance, source: ConfigChoiceInstance): ConfigChoiceInstance {
    const inst = choiceOf(current)!;
    const src = choiceOf(source)!;
    for (const [k, v] of src._configs()) copyConfigInto(inst.get(k), v, true);
    inst._setSelection(structuredClone(src._selection()));
    return current;
  }

  override compare(path: string, a: ConfigChoiceInstance, b: ConfigChoiceInstance, options: CompareOptions, out: ConfigDifference[]): boolean {
    const ia = choiceOf(a)!;
    const ib = choiceOf(b)!;
    const sa = ia._selection();
    const sb = ib._selection();
    const key = this.multi ? 'names' : 'name';
    const norm = (s: string | null | string[]): string => JSON.stringify(Array.isArray(s) ? [...s].sort() : s);
    if (norm(sa) !== norm(sb)) {
      out.push({ name: `${path}.${key}`, a: sa, b: sb, message: `${path}.${key}: ${pyRepr(sa)} != ${pyRepr(sb)}` });
      return false;
    }
    const names = sa === null ? [] : Array.isArray(sa) ? sa : [sa];
    let equal = true;
    for (const n of names) {
      if (!compareConfigs(`${path}[${pyRepr(n)}]`, ia.get(n), ib.get(n), options, out)) {
        equal = false;
        if (options.shortcut) return false;
      }
    }
    return equal;
  }

  toPlain(storage: ConfigChoiceInstance): unknown {
    const inst = choiceOf(storage)!;
    const sel = inst._selection();
    const values = Object.fromEntries([...inst._configs()].map(([k, v]) => [k, v.toDict()]));
    return this.multi ? { names: Array.isArray(sel) ? [...sel] : [], values } : { name: sel, values };
  }

  defaultPlain(): unknown {
    return this.default;
  }

  save(owner: ConfigState, storage: ConfigChoiceInstance, out: SaveLines): void {
    const inst = choiceOf(storage)!;
    for (const c of inst._configs().values()) saveConfigLines(c, out);
    const sel = inst._selection();
    const path = fieldPath(owner, this.name);
    if (this.multi) out.push(`${path}.names=${pyRepr(Array.isArray(sel) ? [...sel].sort() : [])}`, '');
    else out.push(`${path}.name=${pyRepr(sel)}`, '');
  }

  override describe(owner: ConfigState, storage: ConfigChoiceInstance, out: FieldDescription[]): void {
    const inst = choiceOf(storage)!;
    out.push({
      ...this.baseDescription(owner),
      value: inst._selection(),
      allowed: this.typeNames().map((n) => ({ value: n, doc: this.choiceDoc(n) })),
    });
    for (const n of this.typeNames()) {
      const existing = inst._configs().get(n);
      if (existing !== undefined) {
        describeConfigFields(existing, out);
      } else {
        const tmp = new (this.typeOf(n)!)();
        attachChild(tmp, owner, `.${this.name}[${pyRepr(n)}]`);
        stateOf(tmp);
        describeConfigFields(tmp, out);
      }
    }
  }

  /** Documentation of one choice. */
  protected choiceDoc(name: string): string {
    return this.typeOf(name)?.name ?? name;
  }
}

/** Options of {@link ConfigChoiceField}. */
export interface ConfigChoiceFieldOptions<TM extends ConfigTypeMap> extends ChoiceFieldBaseOptions {
  /** The choices: name → config class. */
  readonly typemap: TM;
  /** The default selection: a name, or a list of names for `multi`. */
  readonly default?: (keyof TM & string) | readonly (keyof TM & string)[] | null;
}

/** @internal */
export class ConfigChoiceFieldSpec extends ChoiceSpecBase {
  readonly kind = 'ConfigChoiceField';
  readonly typemap: ConfigTypeMap;

  constructor(options: ConfigChoiceFieldOptions<ConfigTypeMap>) {
    super(options);
    this.typemap = options.typemap;
    for (const n of this.defaultNames()) {
      if (this.typemap[n] === undefined) throw new ConfigDefinitionError(`ConfigChoiceField: default '${n}' is not in the typemap.`);
    }
  }

  defaultNames(): string[] {
    return this.default === null ? [] : typeof this.default === 'string' ? [this.default] : [...this.default];
  }

  typeNames(): string[] {
    return Object.keys(this.typemap);
  }

  typeOf(name: string): ConfigClass | undefined {
    return Object.hasOwn(this.typemap, name) ? this.typemap[name] : undefined;
  }
}

/**
 * Declares a choice among named configs of different classes, as `skyMap` in
 * `makeSkyMap`: `config.skyMap.name = 'rings'` selects, `config.skyMap.get('rings')` (or
 * `config.skyMap['rings']`, or `config.skyMap.rings`) is the config of that choice,
 * `config.skyMap.active` the selected one. With `multi: true`, `names` selects several.
 *
 * @example
 * ```ts
 * class MakeSkyMapConfig extends Config {
 *   skyMap = ConfigChoiceField({
 *     doc: 'The sky map',
 *     typemap: { rings: RingsSkyMapConfig, discrete: DiscreteSkyMapConfig },
 *     default: 'rings',
 *   });
 * }
 * const config = new MakeSkyMapConfig();
 * config.skyMap.rings.numRings = 120;
 * config.skyMap.name = 'discrete';
 * ```
 * @param options - `doc`, `typemap`, `default`, `optional`, `multi`, `deprecated`
 * @returns the declaration, typed as the value it holds
 * @throws {@link @skystack/pex-config!ConfigDefinitionError} for a default not in the typemap
 * @see lsst.pex.config.ConfigChoiceField
 */
export function ConfigChoiceField<TM extends ConfigTypeMap>(options: ConfigChoiceFieldOptions<TM>): ConfigChoice<TM> {
  return new ConfigChoiceFieldSpec(options as unknown as ConfigChoiceFieldOptions<ConfigTypeMap>) as unknown as ConfigChoice<TM>;
}
