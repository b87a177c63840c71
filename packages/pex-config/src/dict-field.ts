import { ConfigDefinitionError, FieldValidationError } from './errors.js';
import { checkDTypeName, docComment, dtypeProblem, type DTypeValue, type ScalarDType } from './field.js';
import {
  FieldSpec,
  checkNotFrozen,
  describeValue,
  fieldPath,
  recordHistory,
  type BaseFieldOptions,
  type ConfigState,
  type SaveLines,
} from './field-spec.js';
import { pyDictRepr } from './repr.js';

/** Options of {@link DictField}. */
export interface DictFieldOptions<D extends ScalarDType> extends BaseFieldOptions {
  /** Type of the keys: `str` (default) or `int` (integer-valued keys, stored as strings). */
  readonly keytype?: 'str' | 'int';
  /** Type of the values. */
  readonly itemtype: D;
  /** The default dict (copied into each config); omitted means `null`. */
  readonly default?: Readonly<Record<string, DTypeValue<D> | null>> | null;
  /** Check of each value, applied when it is set. */
  readonly itemCheck?: (item: DTypeValue<D>) => boolean;
  /** Check of the whole dict, applied by `validate()`. */
  readonly dictCheck?: (dict: Readonly<Record<string, DTypeValue<D> | null>>) => boolean;
}

const RAW = new WeakMap<object, Record<string, unknown>>();
const INT_KEY = /^-?(0|[1-9]\d*)$/;

/** @internal */
export class DictFieldSpec extends FieldSpec<Record<string, unknown> | null> {
  readonly kind = 'DictField';
  readonly keytype: 'str' | 'int';
  readonly itemtype: ScalarDType;
  readonly default: Readonly<Record<string, unknown>> | null;
  readonly options: DictFieldOptions<ScalarDType>;

  constructor(options: DictFieldOptions<ScalarDType>) {
    super(options);
    checkDTypeName(options.itemtype, 'DictField');
    this.options = options;
    this.keytype = options.keytype ?? 'str';
    if (this.keytype !== 'str' && this.keytype !== 'int') {
      throw new ConfigDefinitionError(`DictField: keytype must be str or int; got ${describeValue(this.keytype)}.`);
    }
    this.itemtype = options.itemtype;
    this.default = options.default ?? null;
    if (this.default !== null) {
      for (const [k, v] of Object.entries(this.default)) {
        const p = this.itemProblem(k, v);
        if (p !== undefined) throw new ConfigDefinitionError(`Bad default for a DictField: ${p}`);
      }
    }
  }

  typeName(): string {
    return `Dict[${this.keytype}, ${this.itemtype}]`;
  }

  itemProblem(key: string, value: unknown): string | undefined {
    if (this.keytype === 'int' && !INT_KEY.test(key)) return `Key '${key}' is not an int.`;
    if (value === null) return undefined;
    const typeProblem = dtypeProblem(this.itemtype, value);
    if (typeProblem !== undefined) return `Item '${key}': ${typeProblem}`;
    if (this.options.itemCheck !== undefined && !this.options.itemCheck(value as never)) {
      return `Item '${key}' with value ${describeValue(value)} is not a valid value (itemCheck failed).`;
    }
    return undefined;
  }

  private makeDict(owner: ConfigState, items: Readonly<Record<string, unknown>>): Record<string, unknown> {
    const path = fieldPath(owner, this.name);
    const raw = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of Object.entries(items)) {
      const p = this.itemProblem(k, v);
      if (p !== undefined) throw new FieldValidationError(path, items, p);
      raw[k] = v;
    }
    const name = this.name;
    const proxy = new Proxy(raw, {
      set: (target, key, value) => {
        checkNotFrozen(owner, name);
        if (typeof key === 'symbol') return false;
        const p = this.itemProblem(key, value);
        if (p !== undefined) throw new FieldValidationError(`${path}[${JSON.stringify(key)}]`, value, p);
        target[key] = value;
        recordHistory(owner, name);
        return true;
      },
      defineProperty: (target, key, descriptor) => {
        checkNotFrozen(owner, name);
        if (typeof key === 'string') {
          const p = this.itemProblem(key, descriptor.value);
          if (p !== undefined) throw new FieldValidationError(path, descriptor.value, p);
        }
        return Reflect.defineProperty(target, key, descriptor);
      },
      deleteProperty: (target, key) => {
        checkNotFrozen(owner, name);
        const ok = Reflect.deleteProperty(target, key);
        recordHistory(owner, name);
        return ok;
      },
    });
    RAW.set(proxy, raw);
    return proxy;
  }

  init(owner: ConfigState): Record<string, unknown> | null {
    return this.default === null ? null : this.makeDict(owner, this.default);
  }

  assign(owner: ConfigState, _current: Record<string, unknown> | null, value: unknown): Record<string, unknown> | null {
    if (value === null || value === undefined) return null;
    if (value instanceof Map) value = Object.fromEntries(value);
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new FieldValidationError(fieldPath(owner, this.name), value, `Value ${describeValue(value)} is not a dict.`);
    }
    return this.makeDict(owner, value as Record<string, unknown>);
  }

  override validate(owner: ConfigState, storage: Record<string, unknown> | null): void {
    super.validate(owner, storage);
    if (storage === null) return;
    const plain = this.toPlain(storage) as Record<string, unknown>;
    for (const [k, v] of Object.entries(plain)) {
      const p = this.itemProblem(k, v);
      if (p !== undefined) throw new FieldValidationError(fieldPath(owner, this.name), plain, p);
    }
    if (this.options.dictCheck !== undefined && !this.options.dictCheck(plain as never)) {
      throw new FieldValidationError(fieldPath(owner, this.name), plain, `${describeValue(plain)} is not a valid value (dictCheck failed).`);
    }
  }

  toPlain(storage: Record<string, unknown> | null): unknown {
    if (storage === null) return null;
    return { ...(RAW.get(storage) ?? storage) };
  }

  defaultPlain(): unknown {
    return this.default === null ? null : { ...this.default };
  }

  save(owner: ConfigState, storage: Record<string, unknown> | null, out: SaveLines): void {
    const plain = this.toPlain(storage) as Record<string, unknown> | null;
    const text = plain === null ? 'None' : pyDictRepr(plain, this.keytype === 'int', this.itemtype === 'float');
    out.push(...docComment(this.doc), `${fieldPath(owner, this.name)}=${text}`, '');
  }
}

/**
 * Declares an optional dict field (`null` allowed).
 *
 * @param options - `doc`, `keytype`, `itemtype`, `default`, `optional: true`, checks
 * @returns the declaration, typed as the value it holds
 */
export function DictField<D extends ScalarDType>(
  options: DictFieldOptions<D> & { readonly optional: true },
): Record<string, DTypeValue<D> | null> | null;
/**
 * Declares a dict field: a plain object whose values are checked when set and whose
 * `dictCheck` is applied by `validate()`. Values may be `null` (Python `None`).
 *
 * @example
 * ```ts
 * class FgcmConfig extends Config {
 *   expGrayPhotometricCutDict = DictField({ doc: 'Cut per band', keytype: 'str', itemtype: 'float', default: {} });
 * }
 * const config = new FgcmConfig();
 * config.expGrayPhotometricCutDict['g'] = -0.05;
 * ```
 * @param options - `doc`, `keytype`, `itemtype`, `default`, `optional`, `itemCheck`,
 *   `dictCheck`, `deprecated`
 * @returns the declaration, typed as the value it holds
 * @throws {@link @skystack/pex-config!ConfigDefinitionError} for an unsupported type or a bad default
 * @see lsst.pex.config.DictField
 */
export function DictField<D extends ScalarDType>(options: DictFieldOptions<D>): Record<string, DTypeValue<D> | null>;
export function DictField(options: DictFieldOptions<ScalarDType>): unknown {
  return new DictFieldSpec(options);
}
