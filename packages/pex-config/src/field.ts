import { ConfigDefinitionError, FieldValidationError } from './errors.js';
import {
  FieldSpec,
  describeValue,
  fieldPath,
  typeOfValue,
  type BaseFieldOptions,
  type ConfigState,
  type FieldDescription,
  type SaveLines,
} from './field-spec.js';
import { pyRepr } from './repr.js';

/**
 * The value types of pex_config's scalar fields, by their Python names: `bool`, `int`,
 * `float`, `str` (`complex` is not supported).
 *
 * @see lsst.pex.config.Field.supportedTypes
 */
export type ScalarDType = 'bool' | 'int' | 'float' | 'str';

/**
 * The TypeScript type of a {@link ScalarDType}: `boolean`, `number` (`int`, `float`),
 * `string`.
 */
export type DTypeValue<D extends ScalarDType> = D extends 'bool' ? boolean : D extends 'str' ? string : number;

/** Options of a scalar {@link Field}, without the `dtype`. */
export interface ScalarFieldOptions<T> extends BaseFieldOptions {
  /** The default value; omitted means `null` (which `validate()` refuses unless `optional`). */
  readonly default?: T | null;
  /**
   * Extra check of each value, at assignment and in `validate()`; return false to refuse it.
   * The message then says `check failed`.
   */
  readonly check?: (value: T) => boolean;
}

/** Options of {@link Field}: the scalar options plus the value type. */
export interface FieldOptions<D extends ScalarDType> extends ScalarFieldOptions<DTypeValue<D>> {
  /** The value type. */
  readonly dtype: D;
}

/**
 * Checks a scalar against a dtype.
 *
 * @param dtype - expected type
 * @param value - the value
 * @returns undefined when it fits, else a description of the problem
 * @internal
 */
export function dtypeProblem(dtype: ScalarDType, value: unknown): string | undefined {
  const ok =
    dtype === 'bool'
      ? typeof value === 'boolean'
      : dtype === 'str'
        ? typeof value === 'string'
        : dtype === 'int'
          ? typeof value === 'number' && Number.isInteger(value)
          : typeof value === 'number';
  return ok ? undefined : `Value ${describeValue(value)} is of type ${typeOfValue(value)}; expected type ${dtype}.`;
}

const DTYPES: readonly ScalarDType[] = ['bool', 'int', 'float', 'str'];

/** @internal */
export function checkDTypeName(dtype: unknown, what: string): asserts dtype is ScalarDType {
  if (!DTYPES.includes(dtype as ScalarDType)) {
    throw new ConfigDefinitionError(`${what}: dtype ${describeValue(dtype)} is not supported; expected one of ${DTYPES.join(', ')}.`);
  }
}

/** A doc comment block as pex_config writes it before each field. @internal */
export function docComment(doc: string): string[] {
  return doc.split('\n').map((l) => `# ${l}`.trimEnd());
}

type Scalar = boolean | number | string;

/**
 * A scalar field: `bool`, `int`, `float` or `str`.
 *
 * @internal
 */
export class ScalarFieldSpec extends FieldSpec<Scalar | null> {
  readonly kind: string = 'Field';
  readonly dtype: ScalarDType;
  readonly default: Scalar | null;
  readonly check: ((value: never) => boolean) | undefined;

  constructor(options: BaseFieldOptions & { dtype: ScalarDType; default?: unknown; check?: (value: never) => boolean }) {
    super(options);
    checkDTypeName(options.dtype, 'Field');
    this.dtype = options.dtype;
    this.check = options.check;
    this.default = (options.default ?? null) as Scalar | null;
  }

  /** Checks the default once the subclass is fully constructed. */
  protected checkDefault(): void {
    if (this.default === null) return;
    const problem = this.problem(this.default);
    if (problem !== undefined) throw new ConfigDefinitionError(`Bad default for a ${this.kind}: ${problem}`);
  }

  typeName(): string {
    return this.dtype;
  }

  /** Problem with a non-null value, or undefined. */
  problem(value: unknown): string | undefined {
    const typeProblem = dtypeProblem(this.dtype, value);
    if (typeProblem !== undefined) return typeProblem;
    const extra = this.extraProblem(value as Scalar);
    if (extra !== undefined) return extra;
    if (this.check !== undefined && !this.check(value as never)) {
      return `Value ${describeValue(value)} is not a valid value (check failed).`;
    }
    return undefined;
  }

  /** Subclass checks (range, allowed values). */
  protected extraProblem(_value: Scalar): string | undefined {
    return undefined;
  }

  init(): Scalar | null {
    return this.default;
  }

  assign(owner: ConfigState, _current: Scalar | null, value: unknown): Scalar | null {
    if (value === null || value === undefined) return null;
    const problem = this.problem(value);
    if (problem !== undefined) throw new FieldValidationError(fieldPath(owner, this.name), value, problem);
    return value as Scalar;
  }

  override validate(owner: ConfigState, storage: Scalar | null): void {
    super.validate(owner, storage);
    if (storage === null) return;
    const problem = this.problem(storage);
    if (problem !== undefined) throw new FieldValidationError(fieldPath(owner, this.name), storage, problem);
  }

  toPlain(storage: Scalar | null): unknown {
    return storage;
  }

  defaultPlain(): unknown {
    return this.default;
  }

  save(owner: ConfigState, storage: Scalar | null, out: SaveLines): void {
    out.push(...docComment(this.doc), `${fieldPath(owner, this.name)}=${pyRepr(storage, this.dtype === 'float')}`, '');
  }
}

/** Options of {@link RangeField}. */
export interface RangeFieldOptions<D extends 'int' | 'float'> extends FieldOptions<D> {
  /** Lower bound; omitted means none. */
  readonly min?: number;
  /** Upper bound; omitted means none. */
  readonly max?: number;
  /** Whether `min` itself is allowed (default true). */
  readonly inclusiveMin?: boolean;
  /** Whether `max` itself is allowed (default false, as in pex_config). */
  readonly inclusiveMax?: boolean;
}

/** @internal */
export class RangeFieldSpec extends ScalarFieldSpec {
  override readonly kind = 'RangeField';
  readonly min: number | undefined;
  readonly max: number | undefined;
  readonly inclusiveMin: boolean;
  readonly inclusiveMax: boolean;

  constructor(options: RangeFieldOptions<'int' | 'float'>) {
    super(options);
    if (this.dtype !== 'int' && this.dtype !== 'float') {
      throw new ConfigDefinitionError(`RangeField: dtype must be int or float; got ${this.dtype}.`);
    }
    this.min = options.min;
    this.max = options.max;
    this.inclusiveMin = options.inclusiveMin ?? true;
    this.inclusiveMax = options.inclusiveMax ?? false;
    if (this.min !== undefined && this.max !== undefined) {
      if (this.min > this.max || (this.min === this.max && !(this.inclusiveMin && this.inclusiveMax))) {
        throw new ConfigDefinitionError(`RangeField: the range ${this.rangeString()} is empty.`);
      }
    }
    this.checkDefault();
  }

  /** `[min, max)` in interval notation. */
  rangeString(): string {
    const lo = this.min === undefined ? '(-inf' : `${this.inclusiveMin ? '[' : '('}${this.min}`;
    const hi = this.max === undefined ? 'inf)' : `${this.max}${this.inclusiveMax ? ']' : ')'}`;
    return `${lo}, ${hi}`;
  }

  protected override extraProblem(value: Scalar): string | undefined {
    const v = value as number;
    const below = this.min !== undefined && (this.inclusiveMin ? v < this.min : v <= this.min);
    const above = this.max !== undefined && (this.inclusiveMax ? v > this.max : v >= this.max);
    return below || above || Number.isNaN(v) ? `Value ${describeValue(v)} is outside the range ${this.rangeString()}.` : undefined;
  }

  override describe(owner: ConfigState, storage: Scalar | null, out: FieldDescription[]): void {
    out.push({ ...this.baseDescription(owner), value: storage, range: this.rangeString() });
  }
}

/** Options of {@link ChoiceField}. */
export interface ChoiceFieldOptions<D extends ScalarDType, A extends Record<string, string>> extends BaseFieldOptions {
  /** The value type. */
  readonly dtype: D;
  /** The allowed values (object keys; numbers for `int`/`float`), each with its documentation. */
  readonly allowed: A;
  /** The default value (one of `allowed`). */
  readonly default?: (D extends 'str' ? Extract<keyof A, string> : DTypeValue<D>) | null;
  /** Extra check of each value. */
  readonly check?: (value: D extends 'str' ? Extract<keyof A, string> : DTypeValue<D>) => boolean;
}

/** @internal */
export class ChoiceFieldSpec extends ScalarFieldSpec {
  override readonly kind = 'ChoiceField';
  readonly allowed: Map<Scalar, string>;

  constructor(options: ChoiceFieldOptions<ScalarDType, Record<string, string>>) {
    super(options);
    this.allowed = new Map();
    for (const [k, doc] of Object.entries(options.allowed)) {
      const key: Scalar = this.dtype === 'str' ? k : this.dtype === 'bool' ? k === 'True' || k === 'true' : Number(k);
      this.allowed.set(key, doc);
    }
    if (this.allowed.size === 0) throw new ConfigDefinitionError('ChoiceField: allowed must not be empty.');
    this.checkDefault();
  }

  protected override extraProblem(value: Scalar): string | undefined {
    if (this.allowed.has(value)) return undefined;
    const list = [...this.allowed.keys()].map((k) => pyRepr(k)).join(', ');
    return `Value ${describeValue(value)} is not allowed; allowed values are ${list}${this.optional ? ' or None' : ''}.`;
  }

  override describe(owner: ConfigState, storage: Scalar | null, out: FieldDescription[]): void {
    out.push({
      ...this.baseDescription(owner),
      value: storage,
      allowed: [...this.allowed].map(([value, doc]) => ({ value, doc })),
    });
  }
}

class PlainFieldSpec extends ScalarFieldSpec {
  constructor(options: BaseFieldOptions & { dtype: ScalarDType; default?: unknown; check?: (value: never) => boolean }) {
    super(options);
    this.checkDefault();
  }
}

/**
 * The `Field` declaration function: a field of one scalar type, with its shorthands.
 */
export interface FieldFactory {
  /**
   * Declares an optional scalar field (its value may be `null`).
   *
   * @param options - `doc`, `dtype`, `default`, `optional: true`, `check`, `deprecated`
   * @returns the declaration, typed as the value it holds
   */
  <D extends ScalarDType>(options: FieldOptions<D> & { readonly optional: true }): DTypeValue<D> | null;
  /**
   * Declares a scalar field.
   *
   * @param options - `doc`, `dtype`, `default`, `optional`, `check`, `deprecated`
   * @returns the declaration, typed as the value it holds
   */
  <D extends ScalarDType>(options: FieldOptions<D>): DTypeValue<D>;
  /**
   * Declares an optional `bool` field.
   *
   * @param options - the scalar options with `optional: true`
   * @returns the declaration, typed as the value it holds
   */
  bool(options: ScalarFieldOptions<boolean> & { readonly optional: true }): boolean | null;
  /**
   * Declares a `bool` field.
   *
   * @param options - the scalar options
   * @returns the declaration, typed as the value it holds
   */
  bool(options: ScalarFieldOptions<boolean>): boolean;
  /**
   * Declares an optional `int` field.
   *
   * @param options - the scalar options with `optional: true`
   * @returns the declaration, typed as the value it holds
   */
  int(options: ScalarFieldOptions<number> & { readonly optional: true }): number | null;
  /**
   * Declares an `int` field (integer-valued numbers).
   *
   * @param options - the scalar options
   * @returns the declaration, typed as the value it holds
   */
  int(options: ScalarFieldOptions<number>): number;
  /**
   * Declares an optional `float` field.
   *
   * @param options - the scalar options with `optional: true`
   * @returns the declaration, typed as the value it holds
   */
  float(options: ScalarFieldOptions<number> & { readonly optional: true }): number | null;
  /**
   * Declares a `float` field.
   *
   * @param options - the scalar options
   * @returns the declaration, typed as the value it holds
   */
  float(options: ScalarFieldOptions<number>): number;
  /**
   * Declares an optional `str` field.
   *
   * @param options - the scalar options with `optional: true`
   * @returns the declaration, typed as the value it holds
   */
  str(options: ScalarFieldOptions<string> & { readonly optional: true }): string | null;
  /**
   * Declares a `str` field.
   *
   * @param options - the scalar options
   * @returns the declaration, typed as the value it holds
   */
  str(options: ScalarFieldOptions<string>): string;
}

function makeField(options: BaseFieldOptions & { dtype: ScalarDType; default?: unknown; check?: (value: never) => boolean }): unknown {
  return new PlainFieldSpec(options);
}

/**
 * Declares a scalar config field, as a class property of a {@link Config} subclass. The
 * declaration is typed as the value the field holds, so `config.doBias` is a `boolean`; at
 * run time it returns a field description that the Config turns into the value (see the
 * package README, "How fields are typed").
 *
 * @example
 * ```ts
 * class IsrConfig extends Config {
 *   doBias = Field.bool({ doc: 'Apply bias frame correction?', default: true });
 *   saturation = Field({ doc: 'Saturation level (ADU)', dtype: 'float', default: 65535 });
 *   filterName = Field.str({ doc: 'Name of the filter', optional: true });
 * }
 * const config = new IsrConfig();
 * config.doBias = false;
 * ```
 * @throws {@link @skystack/pex-config!ConfigDefinitionError} for an unsupported dtype or a default that fails the field
 * @see lsst.pex.config.Field
 */
export const Field: FieldFactory = Object.assign(makeField, {
  bool: (o: ScalarFieldOptions<boolean>) => makeField({ ...o, dtype: 'bool' }),
  int: (o: ScalarFieldOptions<number>) => makeField({ ...o, dtype: 'int' }),
  float: (o: ScalarFieldOptions<number>) => makeField({ ...o, dtype: 'float' }),
  str: (o: ScalarFieldOptions<string>) => makeField({ ...o, dtype: 'str' }),
}) as unknown as FieldFactory;

/**
 * Declares an optional numeric field whose value must lie in a range.
 *
 * @param options - the {@link Field} options plus `min`, `max`, `inclusiveMin` (default true),
 *   `inclusiveMax` (default false)
 * @returns the declaration, typed as the value it holds
 */
export function RangeField<D extends 'int' | 'float'>(options: RangeFieldOptions<D> & { readonly optional: true }): number | null;
/**
 * Declares a numeric field whose value must lie in a range.
 *
 * @example
 * ```ts
 * class DetectConfig extends Config {
 *   thresholdValue = RangeField({ doc: 'Threshold (sigma)', dtype: 'float', default: 5, min: 0 });
 * }
 * ```
 * @param options - the {@link Field} options plus `min`, `max`, `inclusiveMin` (default true),
 *   `inclusiveMax` (default false)
 * @returns the declaration, typed as the value it holds
 * @throws {@link @skystack/pex-config!ConfigDefinitionError} for an empty range or a default outside it
 * @see lsst.pex.config.RangeField
 */
export function RangeField<D extends 'int' | 'float'>(options: RangeFieldOptions<D>): number;
export function RangeField(options: unknown): unknown {
  return new RangeFieldSpec(options as RangeFieldOptions<'int' | 'float'>);
}

/**
 * Declares an optional field whose value must be one of a fixed set.
 *
 * @param options - `doc`, `dtype`, `allowed` (`{ value: doc }`), `default`, `optional: true`
 * @returns the declaration, typed as the value it holds
 */
export function ChoiceField<A extends Record<string, string>>(
  options: ChoiceFieldOptions<'str', A> & { readonly optional: true },
): Extract<keyof A, string> | null;
/**
 * Declares a string field whose value must be one of the keys of `allowed`; the value is typed
 * as the union of those keys.
 *
 * @example
 * ```ts
 * class BgConfig extends Config {
 *   undersampleStyle = ChoiceField({
 *     doc: 'What to do when a bin is too small',
 *     dtype: 'str',
 *     default: 'REDUCE_INTERP_ORDER',
 *     allowed: { THROW_EXCEPTION: 'throw', REDUCE_INTERP_ORDER: 'use a simpler interpolation' },
 *   });
 * }
 * ```
 * @param options - `doc`, `dtype`, `allowed` (`{ value: doc }`), `default`, `optional`, `check`
 * @returns the declaration, typed as the value it holds
 * @throws {@link @skystack/pex-config!ConfigDefinitionError} for an empty `allowed` or a default not in it
 * @see lsst.pex.config.ChoiceField
 */
export function ChoiceField<A extends Record<string, string>>(options: ChoiceFieldOptions<'str', A>): Extract<keyof A, string>;
/**
 * Declares a numeric or boolean field whose value must be one of the keys of `allowed`.
 *
 * @param options - `doc`, `dtype`, `allowed` (`{ value: doc }`), `default`, `optional`, `check`
 * @returns the declaration, typed as the value it holds
 */
export function ChoiceField<D extends 'int' | 'float' | 'bool'>(
  options: ChoiceFieldOptions<D, Record<string, string>>,
): DTypeValue<D>;
export function ChoiceField(options: unknown): unknown {
  return new ChoiceFieldSpec(options as ChoiceFieldOptions<ScalarDType, Record<string, string>>);
}
