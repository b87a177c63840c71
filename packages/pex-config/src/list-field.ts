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
import { pyRepr } from './repr.js';

/** Options of {@link ListField}. */
export interface ListFieldOptions<D extends ScalarDType> extends BaseFieldOptions {
  /** Type of the items. */
  readonly dtype: D;
  /** The default list (copied into each config); omitted means `null`. */
  readonly default?: readonly DTypeValue<D>[] | null;
  /** Exact length required by `validate()`. */
  readonly length?: number;
  /** Minimum length required by `validate()`. */
  readonly minLength?: number;
  /** Maximum length allowed by `validate()`. */
  readonly maxLength?: number;
  /** Check of each item, applied when it is set. */
  readonly itemCheck?: (item: DTypeValue<D>) => boolean;
  /** Check of the whole list, applied by `validate()`. */
  readonly listCheck?: (list: readonly DTypeValue<D>[]) => boolean;
}

const RAW = new WeakMap<object, unknown[]>();
const INDEX = /^(0|[1-9]\d*)$/;

/** @internal */
export class ListFieldSpec extends FieldSpec<unknown[] | null> {
  readonly kind = 'ListField';
  readonly dtype: ScalarDType;
  readonly default: readonly unknown[] | null;
  readonly options: ListFieldOptions<ScalarDType>;

  constructor(options: ListFieldOptions<ScalarDType>) {
    super(options);
    checkDTypeName(options.dtype, 'ListField');
    this.options = options;
    this.dtype = options.dtype;
    this.default = options.default ?? null;
    const { length, minLength, maxLength } = options;
    if (length !== undefined && (minLength !== undefined || maxLength !== undefined)) {
      throw new ConfigDefinitionError('ListField: give either length or minLength/maxLength, not both.');
    }
    if (minLength !== undefined && maxLength !== undefined && minLength > maxLength) {
      throw new ConfigDefinitionError(`ListField: minLength ${minLength} > maxLength ${maxLength}.`);
    }
    if (this.default !== null) {
      this.default.forEach((item, i) => {
        const p = this.itemProblem(item, i);
        if (p !== undefined) throw new ConfigDefinitionError(`Bad default for a ListField: ${p}`);
      });
    }
  }

  typeName(): string {
    return `List[${this.dtype}]`;
  }

  itemProblem(item: unknown, index: number): string | undefined {
    const typeProblem = dtypeProblem(this.dtype, item);
    if (typeProblem !== undefined) return `Item at position ${index}: ${typeProblem}`;
    if (this.options.itemCheck !== undefined && !this.options.itemCheck(item as never)) {
      return `Item at position ${index} with value ${describeValue(item)} is not a valid value (itemCheck failed).`;
    }
    return undefined;
  }

  private makeList(owner: ConfigState, items: readonly unknown[]): unknown[] {
    items.forEach((item, i) => {
      const p = this.itemProblem(item, i);
      if (p !== undefined) throw new FieldValidationError(fieldPath(owner, this.name), items, p);
    });
    const raw = [...items];
    const name = this.name;
    const checkItem = (key: string | symbol, value: unknown): void => {
      if (typeof key === 'string' && INDEX.test(key)) {
        const p = this.itemProblem(value, Number(key));
        if (p !== undefined) throw new FieldValidationError(fieldPath(owner, name), value, p);
      }
    };
    const proxy = new Proxy(raw, {
      set(target, key, value) {
        checkNotFrozen(owner, name);
        checkItem(key, value);
        const changed = key !== 'length' || value !== target.length;
        target[key as never] = value as never;
        if (changed && (key === 'length' || (typeof key === 'string' && INDEX.test(key)))) recordHistory(owner, name);
        return true;
      },
      defineProperty(target, key, descriptor) {
        checkNotFrozen(owner, name);
        checkItem(key, descriptor.value);
        return Reflect.defineProperty(target, key, descriptor);
      },
      deleteProperty(target, key) {
        checkNotFrozen(owner, name);
        return Reflect.deleteProperty(target, key);
      },
    });
    RAW.set(proxy, raw);
    return proxy;
  }

  init(owner: ConfigState): unknown[] | null {
    return this.default === null ? null : this.makeList(owner, this.default);
  }

  assign(owner: ConfigState, _current: unknown[] | null, value: unknown): unknown[] | null {
    if (value === null || value === undefined) return null;
    if (!Array.isArray(value)) {
      throw new FieldValidationError(fieldPath(owner, this.name), value, `Value ${describeValue(value)} is not a list of ${this.dtype}.`);
    }
    return this.makeList(owner, value);
  }

  override validate(owner: ConfigState, storage: unknown[] | null): void {
    super.validate(owner, storage);
    if (storage === null) return;
    const path = fieldPath(owner, this.name);
    const list = this.toPlain(storage) as unknown[];
    const { length, minLength, maxLength, listCheck } = this.options;
    const n = list.length;
    if (length !== undefined && n !== length) {
      throw new FieldValidationError(path, list, `Required list length=${length}, got length=${n}.`);
    }
    if (minLength !== undefined && n < minLength) {
      throw new FieldValidationError(path, list, `Minimum allowed list length=${minLength}, got length=${n}.`);
    }
    if (maxLength !== undefined && n > maxLength) {
      throw new FieldValidationError(path, list, `Maximum allowed list length=${maxLength}, got length=${n}.`);
    }
    list.forEach((item, i) => {
      const p = this.itemProblem(item, i);
      if (p !== undefined) throw new FieldValidationError(path, list, p);
    });
    if (listCheck !== undefined && !listCheck(list as never)) {
      throw new FieldValidationError(path, list, `${pyRepr(list)} is not a valid value (listCheck failed).`);
    }
  }

  toPlain(storage: unknown[] | null): unknown {
    if (storage === null) return null;
    return [...(RAW.get(storage) ?? storage)];
  }

  defaultPlain(): unknown {
    return this.default === null ? null : [...this.default];
  }

  save(owner: ConfigState, storage: unknown[] | null, out: SaveLines): void {
    out.push(...docComment(this.doc), `${fieldPath(owner, this.name)}=${pyRepr(this.toPlain(storage), this.dtype === 'float')}`, '');
  }
}

/**
 * Declares an optional list field (`null` allowed).
 *
 * @param options - `doc`, `dtype`, `default`, `optional: true`, lengths and checks
 * @returns the declaration, typed as the value it holds
 */
export function ListField<D extends ScalarDType>(options: ListFieldOptions<D> & { readonly optional: true }): DTypeValue<D>[] | null;
/**
 * Declares a list field: an array whose items are checked when set (`push`, index
 * assignment, whole-list assignment) and whose length and `listCheck` are checked by
 * `validate()`. Modifying the list of a frozen config throws.
 *
 * @example
 * ```ts
 * class CoaddConfig extends Config {
 *   badMaskPlanes = ListField({ doc: 'Mask planes to reject', dtype: 'str', default: ['BAD', 'SAT'] });
 * }
 * const config = new CoaddConfig();
 * config.badMaskPlanes.push('NO_DATA');
 * ```
 * @param options - `doc`, `dtype`, `default`, `optional`, `length`, `minLength`, `maxLength`,
 *   `itemCheck`, `listCheck`, `deprecated`
 * @returns the declaration, typed as the value it holds
 * @throws {@link @skystack/pex-config!ConfigDefinitionError} for inconsistent lengths or a bad default
 * @see lsst.pex.config.ListField
 */
export function ListField<D extends ScalarDType>(options: ListFieldOptions<D>): DTypeValue<D>[];
export function ListField(options: ListFieldOptions<ScalarDType>): unknown {
  return new ListFieldSpec(options);
}
