import { ConfigDefinitionError, FieldValidationError } from './errors.js';
import {
  FieldSpec,
  attachChild,
  checkNotFrozen,
  describeValue,
  fieldPath,
  isConfig,
  recordHistory,
  type BaseFieldOptions,
  type CompareOptions,
  type ConfigDifference,
  type ConfigState,
  type SaveLines,
} from './field-spec.js';
import { compareConfigs, copyConfigInto, saveConfigLines, type Config, type ConfigClass } from './config.js';
import { pyRepr } from './repr.js';

/** Options of {@link ConfigDictField}. */
export interface ConfigDictFieldOptions<C extends Config> extends BaseFieldOptions {
  /** Type of the keys: `str` (default) or `int`. */
  readonly keytype?: 'str' | 'int';
  /** The config class of the values. */
  readonly itemtype: ConfigClass<C>;
  /** Check of each value, applied by `validate()`. */
  readonly itemCheck?: (item: C) => boolean;
  /** Check of the whole dict, applied by `validate()`. */
  readonly dictCheck?: (dict: Readonly<Record<string, C>>) => boolean;
}

const RAW = new WeakMap<object, Record<string, Config>>();
const INT_KEY = /^-?(0|[1-9]\d*)$/;

/** @internal */
export class ConfigDictFieldSpec extends FieldSpec<Record<string, Config> | null> {
  readonly kind = 'ConfigDictField';
  readonly keytype: 'str' | 'int';
  readonly itemtype: ConfigClass;
  readonly options: ConfigDictFieldOptions<Config>;

  constructor(options: ConfigDictFieldOptions<Config>) {
    super(options);
    if (typeof options.itemtype !== 'function') {
      throw new ConfigDefinitionError(`ConfigDictField: itemtype must be a Config class; got ${describeValue(options.itemtype)}.`);
    }
    this.options = options;
    this.keytype = options.keytype ?? 'str';
    this.itemtype = options.itemtype;
  }

  override get recordsHistory(): boolean {
    return true;
  }

  typeName(): string {
    return `Dict[${this.keytype}, ${this.itemtype.name}]`;
  }

  /** Makes the item config for a key from a config or plain object. */
  makeItem(owner: ConfigState, key: string, value: unknown): Config {
    const path = `${fieldPath(owner, this.name)}[${pyRepr(key)}]`;
    if (this.keytype === 'int' && !INT_KEY.test(key)) throw new FieldValidationError(path, key, `Key '${key}' is not an int.`);
    const item = new this.itemtype();
    attachChild(item, owner, `.${this.name}[${this.keytype === 'int' ? key : pyRepr(key)}]`);
    if (isConfig(value)) {
      if (!(value instanceof this.itemtype)) {
        throw new FieldValidationError(path, value, `Value is a ${(value as object).constructor.name}; expected a ${this.itemtype.name}.`);
      }
      copyConfigInto(item, value, false);
    } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      item.update(value as never);
    } else {
      throw new FieldValidationError(path, value, `Value ${describeValue(value)} is not a ${this.itemtype.name}.`);
    }
    return item;
  }

  private makeDict(owner: ConfigState, items: Readonly<Record<string, unknown>>): Record<string, Config> {
    const raw = Object.create(null) as Record<string, Config>;
    for (const [k, v] of Object.entries(items)) raw[k] = this.makeItem(owner, k, v);
    const proxy = new Proxy(raw, {
      set: (target, key, value) => {
        if (typeof key === 'symbol') return false;
        checkNotFrozen(owner, this.name);
        target[key] = this.makeItem(owner, key, value);
        recordHistory(owner, this.name);
        return true;
      },
      defineProperty: (target, key, descriptor) => {
        checkNotFrozen(owner, this.name);
        if (typeof key === 'string') target[key] = this.makeItem(owner, key, descriptor.value);
        return true;
      },
      deleteProperty: (target, key) => {
        checkNotFrozen(owner, this.name);
        const ok = Reflect.deleteProperty(target, key);
        recordHistory(owner, this.name);
        return ok;
      },
    });
    RAW.set(proxy, raw);
    return proxy;
  }

  init(owner: ConfigState): Record<string, Config> | null {
    return this.optional ? null : this.makeDict(owner, {});
  }

  assign(owner: ConfigState, _current: Record<string, Config> | null, value: unknown): Record<string, Config> | null {
    if (value === null || value === undefined) return null;
    if (typeof value !== 'object' || Array.isArray(value) || isConfig(value)) {
      throw new FieldValidationError(fieldPath(owner, this.name), value, `Value ${describeValue(value)} is not a dict of ${this.itemtype.name}.`);
    }
    return this.makeDict(owner, value as Record<string, unknown>);
  }

  override historyValue(storage: Record<string, Config> | null): unknown {
    return storage === null ? null : Object.keys(storage);
  }

  override validate(owner: ConfigState, storage: Record<string, Config> | null): void {
    super.validate(owner, storage);
    if (storage === null) return;
    for (const [k, item] of Object.entries(storage)) {
      item.validate();
      if (this.options.itemCheck !== undefined && !this.options.itemCheck(item)) {
        throw new FieldValidationError(`${fieldPath(owner, this.name)}[${pyRepr(k)}]`, item.toDict(), 'Item is not a valid value (itemCheck failed).');
      }
    }
    if (this.options.dictCheck !== undefined && !this.options.dictCheck({ ...storage })) {
      throw new FieldValidationError(fieldPath(owner, this.name), this.toPlain(storage), 'Dict is not a valid value (dictCheck failed).');
    }
  }

  override freeze(storage: Record<string, Config> | null): void {
    if (storage !== null) for (const item of Object.values(storage)) item.freeze();
  }

  override copyFrom(owner: ConfigState, _current: Record<string, Config> | null, source: Record<string, Config> | null): Record<string, Config> | null {
    if (source === null) return null;
    const dict = this.makeDict(owner, {});
    const raw = RAW.get(dict)!;
    for (const [k, v] of Object.entries(source)) {
      const item = this.makeItem(owner, k, {});
      copyConfigInto(item, v, true);
      raw[k] = item;
    }
    return dict;
  }

  override compare(path: string, a: Record<string, Config> | null, b: Record<string, Config> | null, options: CompareOptions, out: ConfigDifference[]): boolean {
    if (a === null || b === null) return super.compare(path, a, b, options, out);
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    if (JSON.stringify(ka) !== JSON.stringify(kb)) {
      out.push({ name: path, a: ka, b: kb, message: `${path}: keys differ: ${pyRepr(ka)} != ${pyRepr(kb)}` });
      return false;
    }
    let equal = true;
    for (const k of ka) {
      if (!compareConfigs(`${path}[${pyRepr(k)}]`, a[k]!, b[k]!, options, out)) {
        equal = false;
        if (options.shortcut) return false;
      }
    }
    return equal;
  }

  toPlain(storage: Record<string, Config> | null): unknown {
    if (storage === null) return null;
    return Object.fromEntries(Object.entries(storage).map(([k, v]) => [k, v.toDict()]));
  }

  defaultPlain(): unknown {
    return this.optional ? null : {};
  }

  save(owner: ConfigState, storage: Record<string, Config> | null, out: SaveLines): void {
    const path = fieldPath(owner, this.name);
    if (storage === null) {
      out.push(`${path}=None`, '');
      return;
    }
    out.push(`${path}={}`);
    for (const [k, item] of Object.entries(storage)) {
      out.push(`${path}[${this.keytype === 'int' ? k : pyRepr(k)}]=${item.constructor.name}()`);
      saveConfigLines(item, out);
    }
    out.push('');
  }
}

/**
 * Declares a dict of configs of one class: `config.x['k'] = { field: 1 }` (or a config of
 * the class) adds an entry; `config.x['k'].field` reads it.
 *
 * @example
 * ```ts
 * class PrettyPictureConfig extends Config {
 *   channelConfig = ConfigDictField({ doc: 'Per-band RGB weights', itemtype: ChannelRGBConfig });
 * }
 * const config = new PrettyPictureConfig();
 * const blue = new ChannelRGBConfig();
 * blue.update({ r: 0, g: 0, b: 1 });
 * config.channelConfig['g'] = blue; // copied; a plain object of field values also works
 * ```
 * @param options - `doc`, `keytype`, `itemtype`, `optional`, `itemCheck`, `dictCheck`, `deprecated`
 * @returns the declaration, typed as the value it holds
 * @see lsst.pex.config.ConfigDictField
 */
export function ConfigDictField<C extends Config>(options: ConfigDictFieldOptions<C>): Record<string, C> {
  return new ConfigDictFieldSpec(options as unknown as ConfigDictFieldOptions<Config>) as unknown as Record<string, C>;
}
