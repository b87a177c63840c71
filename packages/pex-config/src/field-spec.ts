// The machinery shared by every field kind: the per-instance state of a Config and the
// abstract field description. Nothing here is exported from the package.
import { getLogger } from '@skystack/base';
import { FieldValidationError, FrozenConfigError } from './errors.js';
import { assignmentLocation, historyEntry, type AssignmentLocation, type HistoryEntry } from './history.js';
import { pyRepr } from './repr.js';
import type { Config } from './config.js';

/** @internal */
export interface ConfigState {
  readonly fields: Map<string, FieldSpec>;
  readonly values: Map<string, unknown>;
  readonly history: Map<string, HistoryEntry[]>;
  frozen: boolean;
  /** The config holding this one and the suffix of this one's name, e.g. `.isr` or `['rings']`. */
  parent: { readonly state: ConfigState; readonly suffix: string } | undefined;
  initialized: boolean;
  proxy: Config;
  readonly target: Config;
}

const STATES = new WeakMap<object, ConfigState>();

/** @internal */
export function registerState(state: ConfigState): void {
  STATES.set(state.proxy, state);
  STATES.set(state.target, state);
}

/**
 * Whether `value` is a Config (made by a Config constructor).
 *
 * @param value - anything
 * @returns true for a Config
 * @internal
 */
export function isConfig(value: unknown): value is Config {
  return typeof value === 'object' && value !== null && STATES.has(value);
}

/**
 * The state of a config, with its `setDefaults` run first if it has not yet been.
 *
 * @param config - the config
 * @returns its state
 * @internal
 */
export function stateOf(config: Config): ConfigState {
  const state = STATES.get(config);
  if (state === undefined) throw new TypeError('Not a Config.');
  ensureInitialized(state);
  return state;
}

/** @internal */
export function rawStateOf(config: object): ConfigState | undefined {
  return STATES.get(config);
}

/** @internal */
export function ensureInitialized(state: ConfigState): void {
  if (state.initialized) return;
  state.initialized = true;
  state.proxy.setDefaults();
}

/** Full name of a config: `config`, `config.isr`, `config.skyMap['rings']`. @internal */
export function configPath(state: ConfigState): string {
  return state.parent === undefined ? 'config' : configPath(state.parent.state) + state.parent.suffix;
}

/** Full name of a field. @internal */
export function fieldPath(state: ConfigState, name: string): string {
  return `${configPath(state)}.${name}`;
}

/** Makes `child` a sub-config of `parent` named by `suffix` (`.isr`, `['rings']`). @internal */
export function attachChild(child: Config, parent: ConfigState, suffix: string): void {
  const state = STATES.get(child);
  if (state !== undefined) state.parent = { state: parent, suffix };
}

/** @internal */
export function checkNotFrozen(state: ConfigState, name: string): void {
  if (state.frozen) throw new FrozenConfigError(fieldPath(state, name));
}

/** Appends a history entry for the field with its current value. @internal */
export function recordHistory(state: ConfigState, name: string, where: AssignmentLocation = assignmentLocation()): void {
  const spec = state.fields.get(name);
  if (spec === undefined) return;
  const value = spec.historyValue(state.values.get(name));
  let list = state.history.get(name);
  if (list === undefined) state.history.set(name, (list = []));
  list.push(historyEntry(value, where));
}

/** Options of a comparison. @internal */
export interface CompareOptions {
  readonly shortcut: boolean;
  readonly rtol: number;
  readonly atol: number;
}

/** One difference found by `compare`. */
export interface ConfigDifference {
  /** Full name of the field that differs, e.g. `config.isr.gain`. */
  readonly name: string;
  /** Its value in the config `compare` was called on (plain form). */
  readonly a: unknown;
  /** Its value in the other config (plain form). */
  readonly b: unknown;
  /** What differs, e.g. `config.isr.gain: 1.0 != 1.5`. */
  readonly message: string;
}

/** One field of a config as {@link describeConfig} reports it. */
export interface FieldDescription {
  /** Full name, e.g. `config.isr.doBias`. */
  readonly name: string;
  /** Field kind: `Field`, `RangeField`, `ChoiceField`, `ListField`, `ConfigField`, .... */
  readonly kind: string;
  /** Type in pex_config's words: `bool`, `int`, `List[float]`, `Dict[str, int]`, the config class name. */
  readonly type: string;
  /** The declared default (plain form; `null` for none). */
  readonly default: unknown;
  /** The current value (plain form). */
  readonly value: unknown;
  /** The field's documentation. */
  readonly doc: string;
  /** Whether `None`/`null` is an acceptable value. */
  readonly optional: boolean;
  /** For choice-like fields, the allowed values and their documentation. */
  readonly allowed?: readonly {
    /** An allowed value. */
    readonly value: unknown;
    /** What it means. */
    readonly doc: string;
  }[];
  /** For `RangeField`, the range in interval notation, e.g. `[0, 1)`. */
  readonly range?: string;
  /** Deprecation message, when the field is deprecated. */
  readonly deprecated?: string;
}

/** Output of save(). @internal */
export type SaveLines = string[];

/** Options common to every field. */
export interface BaseFieldOptions {
  /** What the field means; shown by {@link describeConfig} and written into saved configs. */
  readonly doc: string;
  /** Whether `null` (Python `None`) is an acceptable value; `validate()` refuses it otherwise. */
  readonly optional?: boolean;
  /**
   * When set, the field is deprecated: the message (e.g. when it will be removed) is added to
   * its doc and a warning is logged when it is assigned.
   */
  readonly deprecated?: string;
}

/**
 * What a config field is: its documentation, how values are checked, copied, saved and
 * compared. Field declarations (`Field.bool({...})`) return one of these at run time; the
 * Config constructor turns it into the field's value.
 *
 * @internal
 */
export abstract class FieldSpec<S = unknown> {
  name = '';
  readonly doc: string;
  readonly optional: boolean;
  readonly deprecated: string | undefined;
  abstract readonly kind: string;

  constructor(options: BaseFieldOptions) {
    this.doc = options.doc;
    this.optional = options.optional ?? false;
    this.deprecated = options.deprecated;
  }

  /** Type name in pex_config's words. */
  abstract typeName(): string;
  /** The storage for a new config (the default). */
  abstract init(owner: ConfigState): S;
  /** Checks a value and returns the new storage (may mutate and return `current`). */
  abstract assign(owner: ConfigState, current: S, value: unknown): S;
  /** Plain (JSON-like) form of the storage. */
  abstract toPlain(storage: S): unknown;
  /** Writes `config.x=...` lines. */
  abstract save(owner: ConfigState, storage: S, out: SaveLines): void;
  /** The default in plain form. */
  abstract defaultPlain(): unknown;

  /** What the user reads as `config.name`. */
  get(storage: S): unknown {
    return storage;
  }

  /** The value recorded in history. */
  historyValue(storage: S): unknown {
    return structuredClone(this.toPlain(storage));
  }

  /** Whether assignments are recorded in this config's history (sub-configs record their own). */
  get recordsHistory(): boolean {
    return true;
  }

  /** Whole-value checks (`None` for required fields, list lengths, ...). */
  validate(owner: ConfigState, storage: S): void {
    if (storage === null && !this.optional) {
      throw new FieldValidationError(fieldPath(owner, this.name), null, 'Required value cannot be None (null).', {
        hint: 'Give the field a value, or declare it optional: true.',
      });
    }
  }

  /** Freezes sub-configs. */
  freeze(_storage: S): void {}

  /** Copies `source` (storage of the same field in another config) into this config. */
  copyFrom(owner: ConfigState, _current: S, source: S): S {
    return this.assign(owner, this.init(owner), structuredClone(this.toPlain(source)));
  }

  /** Sets the full names of sub-configs after the owner's name changed. */
  rename(_owner: ConfigState, _storage: S): void {}

  /** Compares two storages, pushing differences; returns whether equal. */
  compare(path: string, a: S, b: S, options: CompareOptions, out: ConfigDifference[]): boolean {
    const pa = this.toPlain(a);
    const pb = this.toPlain(b);
    if (plainEqual(pa, pb, options)) return true;
    out.push({ name: path, a: pa, b: pb, message: `${path}: ${pyRepr(pa)} != ${pyRepr(pb)}` });
    return false;
  }

  /** One or more description rows. */
  describe(owner: ConfigState, storage: S, out: FieldDescription[]): void {
    out.push({ ...this.baseDescription(owner), value: this.toPlain(storage) });
  }

  /** Description without the value. */
  protected baseDescription(owner: ConfigState): Omit<FieldDescription, 'value'> {
    return {
      name: fieldPath(owner, this.name),
      kind: this.kind,
      type: this.typeName(),
      default: this.defaultPlain(),
      doc: this.deprecated === undefined ? this.doc : `${this.doc} Deprecated: ${this.deprecated}`,
      optional: this.optional,
      ...(this.deprecated === undefined ? {} : { deprecated: this.deprecated }),
    };
  }

  /** Warns when a deprecated field is assigned. */
  warnDeprecated(owner: ConfigState): void {
    if (this.deprecated !== undefined && owner.initialized) {
      getLogger('skystack.pex_config').warn(`Config field ${fieldPath(owner, this.name)} is deprecated: ${this.deprecated}`);
    }
  }
}

/**
 * Equality of plain values with numeric tolerances (numpy's `isclose`:
 * `|a - b| <= atol + rtol * |b|`); NaN equals NaN.
 *
 * @internal
 */
export function plainEqual(a: unknown, b: unknown, options: Pick<CompareOptions, 'rtol' | 'atol'>): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) && Number.isNaN(b)) return true;
    if (a === b) return true;
    if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
    return Math.abs(a - b) <= options.atol + options.rtol * Math.abs(b);
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => plainEqual(v, b[i], options));
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => k in b && plainEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], options));
  }
  return a === b;
}

/** Short description of a value for error messages. @internal */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return `function ${(value as { name?: string }).name ?? ''}`;
  if (isConfig(value)) return `a ${(value as object).constructor.name}`;
  try {
    const s = pyRepr(value);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(value);
  }
}

/** Python-like type name of a value for error messages. @internal */
export function typeOfValue(value: unknown): string {
  if (value === null) return 'None';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'string') return 'str';
  if (isConfig(value)) return (value as object).constructor.name;
  return typeof value === 'object' ? 'dict' : typeof value;
}

/** Appends a history entry with an explicit value. @internal */
export function pushHistory(state: ConfigState, name: string, value: unknown, where: AssignmentLocation = assignmentLocation()): void {
  let list = state.history.get(name);
  if (list === undefined) state.history.set(name, (list = []));
  list.push(historyEntry(value, where));
}
