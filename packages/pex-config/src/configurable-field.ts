import { ConfigDefinitionError, FieldValidationError } from './errors.js';
import {
  FieldSpec,
  attachChild,
  checkNotFrozen,
  describeValue,
  fieldPath,
  isConfig,
  pushHistory,
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

/**
 * Something a config can configure (a Task, an algorithm): a class or function called with
 * `{ ...options, config }` by `apply()`, optionally with a static `ConfigClass`.
 *
 * @see lsst.pex.config.ConfigurableField (its `target`)
 */
export type ConfigurableTarget<C extends Config = Config, R = unknown> = (
  | ((options: never) => R)
  | (new (options: never) => R)
) & {
  /** The config class of the target. */
  readonly ConfigClass?: ConfigClass<C>;
};

/** Calls or constructs a target with `{ ...options, config }`. @internal */
export function callTarget(target: ConfigurableTarget, options: Record<string, unknown>, config: Config): unknown {
  const args = { ...options, config } as never;
  const isClass = /^class[\s{]/.test(Function.prototype.toString.call(target));
  return isClass ? Reflect.construct(target, [args]) : (target as (o: never) => unknown)(args);
}

/** @internal */
export function resolveConfigClass(target: unknown, ConfigClass: unknown, what: string): ConfigClass {
  if (typeof target !== 'function') {
    throw new ConfigDefinitionError(`${what}: target must be a class or function; got ${describeValue(target)}.`);
  }
  const cls = ConfigClass ?? (target as { ConfigClass?: unknown }).ConfigClass;
  if (typeof cls !== 'function') {
    throw new ConfigDefinitionError(`${what}: no ConfigClass given and target ${target.name || '(anonymous)'} has no static ConfigClass.`);
  }
  return cls as ConfigClass;
}

/**
 * The value of a {@link ConfigurableField}: the target and its config. Fields of the config
 * are read and assigned through it directly (`config.isr.doBias`), as in pex_config.
 *
 * @see lsst.pex.config.configurableField.ConfigurableInstance
 */
export class ConfigurableHandle<C extends Config = Config> {
  readonly #owner: ConfigState;
  readonly #field: ConfigurableFieldSpec;
  #target: ConfigurableTarget;
  #ConfigClass: ConfigClass;
  #value: Config;

  /** @internal */
  constructor(owner: ConfigState, field: ConfigurableFieldSpec) {
    this.#owner = owner;
    this.#field = field;
    this.#target = field.target;
    this.#ConfigClass = field.ConfigClass;
    this.#value = this.#makeValue();
  }

  #makeValue(): Config {
    const value = new this.#ConfigClass();
    attachChild(value, this.#owner, `.${this.#field.name}`);
    return value;
  }

  /** The class or function that `apply()` calls. */
  get target(): ConfigurableTarget<C> {
    return this.#target as ConfigurableTarget<C>;
  }

  /** The class of `value`. */
  get ConfigClass(): ConfigClass<C> {
    return this.#ConfigClass as ConfigClass<C>;
  }

  /** The config of the target. */
  get value(): C {
    return this.#value as C;
  }

  /**
   * Replaces the target (and, when its ConfigClass differs, the config, which is reset to the
   * new class's defaults). Recorded in the field's history.
   *
   * @param target - the new target
   * @param ConfigClass - its config class (default `target.ConfigClass`)
   * @returns this handle, typed for the new config class
   * @throws {@link @skystack/pex-config!FrozenConfigError} when the config is frozen
   * @see lsst.pex.config.configurableField.ConfigurableInstance.retarget
   */
  retarget<C2 extends Config>(target: ConfigurableTarget<C2>, ConfigClass?: ConfigClass<C2>): ConfigurableInstance<C2> {
    checkNotFrozen(this.#owner, this.#field.name);
    let cls: ConfigClass;
    try {
      cls = resolveConfigClass(target, ConfigClass, 'retarget');
    } catch (e) {
      throw new FieldValidationError(fieldPath(this.#owner, this.#field.name), target, (e as Error).message, { cause: e });
    }
    this.#target = target as ConfigurableTarget;
    if (cls !== this.#ConfigClass) {
      this.#ConfigClass = cls;
      this.#value = this.#makeValue();
    }
    pushHistory(this.#owner, this.#field.name, `retarget(target=${target.name}, ConfigClass=${cls.name})`);
    return (PROXY_OF.get(this) ?? this) as unknown as ConfigurableInstance<C2>;
  }

  /**
   * Calls (or constructs, for a class) the target with `{ ...options, config: value }`.
   *
   * @param options - further options for the target (e.g. `name`, `parentTask`)
   * @returns what the target returns or constructs
   * @see lsst.pex.config.configurableField.ConfigurableInstance.apply
   */
  apply<R = unknown>(options: Record<string, unknown> = {}): R {
    return callTarget(this.#target, options, this.#value) as R;
  }
}

/**
 * What `config.x` is for a {@link ConfigurableField}: the {@link ConfigurableHandle} plus the
 * fields of its config.
 */
export type ConfigurableInstance<C extends Config = Config> = ConfigurableHandle<C> & C;

const HANDLE_KEYS = new Set(['target', 'ConfigClass', 'value', 'retarget', 'apply', 'constructor']);

function makeHandleProxy(handle: ConfigurableHandle): ConfigurableHandle {
  return new Proxy(handle, {
    get(target, key) {
      if (typeof key === 'symbol' || HANDLE_KEYS.has(key)) {
        const v: unknown = Reflect.get(target, key, target);
        return key === 'retarget' || key === 'apply' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      }
      const value = target.value as unknown as Record<string, unknown>;
      const v = value[key];
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(value) : v;
    },
    set(target, key, v) {
      if (typeof key === 'symbol' || HANDLE_KEYS.has(key)) return false;
      (target.value as unknown as Record<string, unknown>)[key] = v;
      return true;
    },
    has(target, key) {
      return HANDLE_KEYS.has(key as string) || key in target.value;
    },
  });
}

const HANDLES = new WeakMap<object, ConfigurableHandle>();
const PROXY_OF = new WeakMap<ConfigurableHandle, ConfigurableHandle>();

/** The handle behind a configurable instance, or undefined. @internal */
export function handleOf(value: unknown): ConfigurableHandle | undefined {
  return typeof value === 'object' && value !== null ? HANDLES.get(value) : undefined;
}

/** Options of {@link ConfigurableField}. */
export interface ConfigurableFieldOptions<C extends Config> extends BaseFieldOptions {
  /** The default target: a class or function (a Task) with a static `ConfigClass`, or give `ConfigClass`. */
  readonly target: ConfigurableTarget<C>;
  /** The config class, when the target has no static `ConfigClass`. */
  readonly ConfigClass?: ConfigClass<C>;
}

/** @internal */
export class ConfigurableFieldSpec extends FieldSpec<ConfigurableHandle> {
  readonly kind = 'ConfigurableField';
  readonly target: ConfigurableTarget;
  readonly ConfigClass: ConfigClass;

  constructor(options: ConfigurableFieldOptions<Config>) {
    super(options);
    this.target = options.target;
    this.ConfigClass = resolveConfigClass(options.target, options.ConfigClass, 'ConfigurableField');
  }

  override get recordsHistory(): boolean {
    return false;
  }

  typeName(): string {
    return this.ConfigClass.name;
  }

  init(owner: ConfigState): ConfigurableHandle {
    const handle = new ConfigurableHandle(owner, this);
    const proxy = makeHandleProxy(handle);
    HANDLES.set(proxy, handle);
    PROXY_OF.set(handle, proxy);
    return proxy;
  }

  assign(owner: ConfigState, current: ConfigurableHandle, value: unknown): ConfigurableHandle {
    const handle = handleOf(current)!;
    const other = handleOf(value);
    if (other !== undefined) {
      handle.retarget(other.target, other.ConfigClass);
      copyConfigInto(handle.value, other.value, false);
    } else if (isConfig(value)) {
      if (!(value instanceof handle.ConfigClass)) {
        throw new FieldValidationError(fieldPath(owner, this.name), value, `Value is a ${(value as object).constructor.name}; expected a ${handle.ConfigClass.name}.`);
      }
      copyConfigInto(handle.value, value, false);
    } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      handle.value.update(value as never);
    } else {
      throw new FieldValidationError(fieldPath(owner, this.name), value, `Value ${describeValue(value)} cannot be assigned to a ConfigurableField; use retarget() to change the target.`);
    }
    return current;
  }

  override get(storage: ConfigurableHandle): unknown {
    return storage;
  }

  override validate(_owner: ConfigState, storage: ConfigurableHandle): void {
    handleOf(storage)!.value.validate();
  }

  override freeze(storage: ConfigurableHandle): void {
    handleOf(storage)!.value.freeze();
  }

  override copyFrom(owner: ConfigState, current: ConfigurableHandle, source: ConfigurableHandle): ConfigurableHandle {
    const handle = handleOf(current)!;
    const src = handleOf(source)!;
    if (src.target !== handle.target || src.ConfigClass !== handle.ConfigClass) {
      const history = owner.history.get(this.name);
      handle.retarget(src.target, src.ConfigClass);
      if (history !== undefined) history.pop();
    }
    copyConfigInto(handle.value, src.value, true);
    return current;
  }

  override compare(path: string, a: ConfigurableHandle, b: ConfigurableHandle, options: CompareOptions, out: ConfigDifference[]): boolean {
    const ha = handleOf(a)!;
    const hb = handleOf(b)!;
    if (ha.target !== hb.target) {
      out.push({ name: path, a: ha.target.name, b: hb.target.name, message: `${path}: targets differ: ${ha.target.name} != ${hb.target.name}` });
      return false;
    }
    return compareConfigs(path, ha.value, hb.value, options, out);
  }

  toPlain(storage: ConfigurableHandle): unknown {
    return handleOf(storage)!.value.toDict();
  }

  defaultPlain(): unknown {
    return undefined;
  }

  save(owner: ConfigState, storage: ConfigurableHandle, out: SaveLines): void {
    const handle = handleOf(storage)!;
    if (handle.target !== this.target) {
      out.push(`${fieldPath(owner, this.name)}.retarget(target=${handle.target.name}, ConfigClass=${handle.ConfigClass.name})`, '');
    }
    saveConfigLines(handle.value, out);
  }

  override describe(owner: ConfigState, storage: ConfigurableHandle, out: FieldDescription[]): void {
    const handle = handleOf(storage)!;
    out.push({
      ...this.baseDescription(owner),
      type: `${handle.ConfigClass.name} (target ${handle.target.name})`,
      default: undefined,
      value: undefined,
    });
    describeConfigFields(handle.value, out);
  }
}

/**
 * Declares a field holding a configurable (usually a subtask): a target and its config.
 * `config.x.retarget(OtherTask)` changes the target; `config.x.apply({...})` constructs it
 * with the config; the config's fields are reached as `config.x.field`.
 *
 * @example
 * ```ts
 * class IsrTask {
 *   static ConfigClass = IsrConfig;
 *   constructor(readonly options: { config: IsrConfig; name?: string }) {}
 * }
 * class ProcessCcdConfig extends Config {
 *   isr = ConfigurableField({ doc: 'Instrument signature removal', target: IsrTask });
 * }
 * const config = new ProcessCcdConfig();
 * config.isr.doBias = false;
 * const task = config.isr.apply({ name: 'isr' }) as IsrTask;
 * ```
 * @param options - `doc`, `target`, `ConfigClass` (default `target.ConfigClass`), `deprecated`
 * @returns the declaration, typed as the value it holds
 * @throws {@link @skystack/pex-config!ConfigDefinitionError} when no config class can be found
 * @see lsst.pex.config.ConfigurableField
 */
export function ConfigurableField<C extends Config>(options: ConfigurableFieldOptions<C>): ConfigurableInstance<C> {
  return new ConfigurableFieldSpec(options as unknown as ConfigurableFieldOptions<Config>) as unknown as ConfigurableInstance<C>;
}
