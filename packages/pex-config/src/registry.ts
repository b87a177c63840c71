import { ConfigDefinitionError, FieldValidationError, UnknownFieldError } from './errors.js';
import { fieldPath, type ConfigState } from './field-spec.js';
import type { Config, ConfigClass } from './config.js';
import {
  ChoiceSpecBase,
  ConfigChoiceInstance,
  type ChoiceFieldBaseOptions,
} from './config-choice-field.js';
import { callTarget, resolveConfigClass, type ConfigurableTarget } from './configurable-field.js';

/** One entry of a {@link Registry}. */
export interface RegistryEntry<C extends Config = Config> {
  /** The name it is registered under. */
  readonly name: string;
  /** The class or function `apply()` calls. */
  readonly target: ConfigurableTarget<C>;
  /** Its config class. */
  readonly ConfigClass: ConfigClass<C>;
}

/**
 * A caller-owned registry of configurables (targets with their config classes) under names,
 * from which a {@link RegistryField} selects. Nothing registers itself on import: the code
 * that builds the config registers what it offers.
 *
 * @example
 * ```ts
 * const psfDeterminerRegistry = new Registry<PsfDeterminerConfig>('PSF determiners');
 * psfDeterminerRegistry.register('psfex', PsfexPsfDeterminerTask);
 * psfDeterminerRegistry.register('piff', PiffPsfDeterminerTask, PiffPsfDeterminerConfig);
 * ```
 * @see lsst.pex.config.Registry
 */
export class Registry<C extends Config = Config> {
  /** What the registry holds. */
  readonly doc: string;
  readonly #entries = new Map<string, RegistryEntry<C>>();

  /**
   * Makes an empty registry.
   *
   * @param doc - what the registry holds
   */
  constructor(doc = '') {
    this.doc = doc;
  }

  /**
   * Registers a target under a name.
   *
   * @param name - the name (unique in this registry)
   * @param target - the class or function
   * @param ConfigClass - its config class (default `target.ConfigClass`)
   * @throws {@link @skystack/pex-config!ConfigDefinitionError} for a duplicate name or a target without a config class
   * @see lsst.pex.config.Registry.register
   */
  register(name: string, target: ConfigurableTarget<C>, ConfigClass?: ConfigClass<C>): void {
    if (this.#entries.has(name)) throw new ConfigDefinitionError(`Registry: '${name}' is already registered.`);
    const cls = resolveConfigClass(target, ConfigClass, `Registry.register('${name}')`) as ConfigClass<C>;
    this.#entries.set(name, { name, target, ConfigClass: cls });
  }

  /**
   * The entry registered under a name.
   *
   * @param name - the name
   * @returns the entry
   * @throws {@link @skystack/pex-config!UnknownFieldError} for an unknown name
   */
  get(name: string): RegistryEntry<C> {
    const entry = this.#entries.get(name);
    if (entry === undefined) throw new UnknownFieldError('registry', name, this.names());
    return entry;
  }

  /**
   * Whether a name is registered.
   *
   * @param name - the name
   * @returns true when registered
   */
  has(name: string): boolean {
    return this.#entries.has(name);
  }

  /**
   * The registered names, in order of registration.
   *
   * @returns the names
   */
  names(): string[] {
    return [...this.#entries.keys()];
  }
}

/**
 * Makes a {@link Registry}, as pex_config's `makeRegistry`.
 *
 * @param doc - what the registry holds
 * @returns an empty registry
 * @see lsst.pex.config.makeRegistry
 */
export function makeRegistry<C extends Config = Config>(doc: string): Registry<C> {
  return new Registry<C>(doc);
}

/**
 * What `config.x` is for a {@link RegistryField}: a {@link ConfigChoiceInstance} over the
 * registry's names, plus `apply()` and the selected `target`.
 *
 * @see lsst.pex.config.registry.RegistryInstanceDict
 */
export class RegistryInstance<C extends Config = Config> extends ConfigChoiceInstance<Readonly<Record<string, ConfigClass<C>>>> {
  readonly #registry: Registry<C>;

  /** @internal */
  constructor(owner: ConfigState, field: RegistryFieldSpec) {
    super(owner, field);
    this.#registry = field.registry as Registry<C>;
  }

  /** The registry the choices come from. */
  get registry(): Registry<C> {
    return this.#registry;
  }

  /**
   * The selected target (single selection), or null when none is selected.
   *
   * @throws {@link @skystack/pex-config!FieldValidationError} on a multi-selection field (use `targets`)
   */
  get target(): ConfigurableTarget<C> | null {
    const name = this.name;
    return name === null ? null : this.#registry.get(name).target;
  }

  /** The selected targets (multi selection). */
  get targets(): ConfigurableTarget<C>[] {
    return this.names.map((n) => this.#registry.get(n).target);
  }

  /**
   * Calls (or constructs) the selected target with `{ ...options, config }`, the selected
   * config.
   *
   * @param options - further options for the target
   * @returns what the target returns or constructs
   * @throws {@link @skystack/pex-config!FieldValidationError} when nothing is selected or the field is multi-select
   * @see lsst.pex.config.registry.RegistryInstanceDict.apply
   */
  apply<R = unknown>(options: Record<string, unknown> = {}): R {
    const owner = this._owner();
    if (this.multi) throw new FieldValidationError(fieldPath(owner, ''), this.names, 'apply() on a multi-selection registry field; apply each of targets.');
    const name = this.name;
    if (name === null) throw new FieldValidationError(fieldPath(owner, ''), null, 'apply() with nothing selected.');
    return callTarget(this.#registry.get(name).target, options, this.get(name)) as R;
  }
}

/** Options of {@link RegistryField}. */
export interface RegistryFieldOptions<C extends Config> extends ChoiceFieldBaseOptions {
  /** The registry to choose from (looked up when used, so later registrations count). */
  readonly registry: Registry<C>;
  /** The default selection: a name, or a list of names for `multi`. */
  readonly default?: string | readonly string[] | null;
}

/** @internal */
export class RegistryFieldSpec extends ChoiceSpecBase {
  readonly kind = 'RegistryField';
  readonly registry: Registry;

  constructor(options: RegistryFieldOptions<Config>) {
    super(options);
    this.registry = options.registry;
  }

  typeNames(): string[] {
    return this.registry.names();
  }

  typeOf(name: string): ConfigClass | undefined {
    return this.registry.has(name) ? this.registry.get(name).ConfigClass : undefined;
  }

  protected override makeInstance(owner: ConfigState): ConfigChoiceInstance {
    return new RegistryInstance(owner, this);
  }

  protected override choiceDoc(name: string): string {
    const entry = this.registry.get(name);
    return `${entry.target.name} (${entry.ConfigClass.name})`;
  }
}

/**
 * Declares a choice among the configurables of a caller-owned {@link Registry}:
 * `config.x.name = 'psfex'` selects (`names` with `multi`), `config.x.get('psfex')` (or
 * `config.x['psfex']`) is that entry's config, `config.x.active` the selected one(s),
 * `config.x.apply({...})` constructs the selected target.
 *
 * @example
 * ```ts
 * class MeasurePsfConfig extends Config {
 *   psfDeterminer = RegistryField({ doc: 'PSF determiner', registry: psfDeterminerRegistry, default: 'psfex' });
 * }
 * const config = new MeasurePsfConfig();
 * config.psfDeterminer.get('psfex').spatialOrder = 2;
 * const determiner = config.psfDeterminer.apply();
 * ```
 * @param options - `doc`, `registry`, `default`, `optional`, `multi`, `deprecated`
 * @returns the declaration, typed as the value it holds
 * @see lsst.pex.config.RegistryField
 */
export function RegistryField<C extends Config>(options: RegistryFieldOptions<C>): RegistryInstance<C> {
  return new RegistryFieldSpec(options as unknown as RegistryFieldOptions<Config>) as unknown as RegistryInstance<C>;
}
