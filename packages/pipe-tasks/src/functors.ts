// The functor framework of pipe_tasks' postprocessing: a functor names the input columns it
// needs and computes one output column from them, over an Arrow table or a plain column map.
import { AliasMap, ARROW_ALIASES_KEY, ARROW_DOC_KEY, ARROW_UNITS_KEY } from '@skystack/afw-table';
import { vectorValues, type NumericArray } from '@skystack/parquet';
import type { Schema as ArrowSchema, Table, Vector } from 'apache-arrow';
import { MissingColumnsError, PipeTasksInvalidArgumentError } from './errors.js';
import { describeMissingColumns } from './missing-columns.js';

/**
 * The values of one column: a typed array for numbers (`BigInt64Array` for 64-bit integers),
 * booleans for flags, strings (or `null`) for text.
 */
export type ColumnValues = NumericArray | readonly boolean[] | readonly (string | null)[];

/**
 * Where functors read columns: names (aliases resolved), values, and the units and
 * documentation that an input column carries.
 */
export interface ColumnSource {
  /** The number of rows. */
  readonly numRows: number;
  /** The column names (not counting aliases). */
  readonly names: readonly string[];
  /**
   * Whether a column (or an alias of one) exists.
   *
   * @param name - a column name or alias
   */
  has(name: string): boolean;
  /**
   * A column's values.
   *
   * @param name - a column name or alias
   * @throws {@link MissingColumnsError} when there is no such column
   */
  get(name: string): ColumnValues;
  /**
   * A column's units (`''` when it has none or is unknown).
   *
   * @param name - a column name or alias
   */
  units(name: string): string;
  /**
   * A column's documentation (`''` when it has none).
   *
   * @param name - a column name or alias
   */
  doc(name: string): string;
}

/**
 * What functors accept as data: an Arrow table (for instance the `source` table of
 * {@link WriteSourceTableTask}; the `skystack:aliases` schema metadata of
 * `catalogToArrow` of `@skystack/afw-table` resolves `slot_*` names), a map or object of
 * column name to values, or a {@link ColumnSource}.
 */
export type ColumnData = Table | ReadonlyMap<string, ColumnValues> | Readonly<Record<string, ColumnValues>> | ColumnSource;

/**
 * One computation on a catalog: the columns it needs and the output column it makes.
 *
 * @see lsst.pipe.tasks.functors.Functor
 */
export interface Functor {
  /** The LSST class name of the functor (`Column`, `LocalNanojansky`, ...). */
  readonly functorName: string;
  /** A name for the output, as LSST's `name` property (a figure label). */
  readonly name: string;
  /** The input columns the computation reads. */
  readonly columns: readonly string[];
  /**
   * Computes the output column.
   *
   * @param data - the input table or columns
   * @returns one value per row
   * @throws {@link MissingColumnsError} when an input column is missing
   */
  evaluate(data: ColumnData): ColumnValues;
  /**
   * The units of the output column.
   *
   * @param source - the input columns (a {@link Column} passes its input's units on)
   * @returns an astropy-style unit string, `''` for none
   */
  unitsFor(source: ColumnSource): string;
  /**
   * The documentation of the output column.
   *
   * @param source - the input columns
   * @returns a sentence, `''` for none
   */
  docFor(source: ColumnSource): string;
}

/**
 * The alias map that `catalogToArrow` of `@skystack/afw-table` stores in a table's schema
 * metadata (`skystack:aliases`), if any.
 *
 * @param schema - an Arrow schema
 * @returns the aliases, or undefined when there are none (or they are malformed)
 */
export function aliasMapOf(schema: ArrowSchema): AliasMap | undefined {
  const json = schema.metadata.get(ARROW_ALIASES_KEY);
  if (json === undefined) return undefined;
  try {
    return new AliasMap(JSON.parse(json) as [string, string][]);
  } catch {
    return undefined;
  }
}

/**
 * A {@link ColumnSource} over an Arrow table; values are converted once per column and cached.
 */
class ArrowColumnSource implements ColumnSource {
  readonly numRows: number;
  readonly names: readonly string[];
  readonly #table: Table;
  readonly #aliases: AliasMap | undefined;
  readonly #cache = new Map<string, ColumnValues>();

  constructor(table: Table) {
    this.#table = table;
    this.numRows = table.numRows;
    this.names = table.schema.fields.map((f) => f.name);
    this.#aliases = aliasMapOf(table.schema);
  }

  #resolve(name: string): string | undefined {
    if (this.#table.schema.fields.some((f) => f.name === name)) return name;
    const target = this.#aliases?.apply(name);
    return target !== undefined && target !== name && this.#table.getChild(target) !== null ? target : undefined;
  }

  has(name: string): boolean {
    return this.#resolve(name) !== undefined;
  }

  get(name: string): ColumnValues {
    const resolved = this.#resolve(name);
    if (resolved === undefined) throw missing([name], this.names);
    let values = this.#cache.get(resolved);
    if (values === undefined) {
      values = vectorValues(this.#table.getChild(resolved) as Vector).values as ColumnValues;
      this.#cache.set(resolved, values);
    }
    return values;
  }

  #meta(name: string, key: string): string {
    const resolved = this.#resolve(name);
    if (resolved === undefined) return '';
    return this.#table.schema.fields.find((f) => f.name === resolved)?.metadata.get(key) ?? '';
  }

  units(name: string): string {
    return this.#meta(name, ARROW_UNITS_KEY);
  }

  doc(name: string): string {
    return this.#meta(name, ARROW_DOC_KEY);
  }
}

/** A {@link ColumnSource} over a map of columns (no units or docs). */
class MapColumnSource implements ColumnSource {
  readonly numRows: number;
  readonly names: readonly string[];
  readonly #columns: ReadonlyMap<string, ColumnValues>;

  constructor(columns: ReadonlyMap<string, ColumnValues>) {
    this.#columns = columns;
    this.names = [...columns.keys()];
    let n = -1;
    for (const [name, values] of columns) {
      if (n >= 0 && values.length !== n) {
        throw new PipeTasksInvalidArgumentError(`Column '${name}' has ${values.length} rows; the columns before it have ${n}. All columns must have one length.`);
      }
      n = values.length;
    }
    this.numRows = Math.max(n, 0);
  }

  has(name: string): boolean {
    return this.#columns.has(name);
  }

  get(name: string): ColumnValues {
    const values = this.#columns.get(name);
    if (values === undefined) throw missing([name], this.names);
    return values;
  }

  units(): string {
    return '';
  }

  doc(): string {
    return '';
  }
}

function isColumnSource(data: ColumnData): data is ColumnSource {
  return typeof (data as ColumnSource).get === 'function' && typeof (data as ColumnSource).units === 'function' && typeof (data as ColumnSource).has === 'function';
}

function isArrowTable(data: ColumnData): data is Table {
  return typeof (data as Table).getChild === 'function' && (data as Table).schema !== undefined;
}

/**
 * Wraps functor input data as a {@link ColumnSource} (a source is returned as is).
 *
 * @param data - an Arrow table, a map or object of columns, or a source
 * @returns the source
 * @throws {@link PipeTasksInvalidArgumentError} when the columns of a map differ in length
 * @example
 * ```ts
 * const source = columnSource({ coord_ra: Float64Array.of(0.1), coord_dec: Float64Array.of(-0.2) });
 * source.get('coord_ra'); // Float64Array [0.1]
 * ```
 */
export function columnSource(data: ColumnData): ColumnSource {
  if (isColumnSource(data)) return data;
  if (isArrowTable(data)) return new ArrowColumnSource(data);
  if (data instanceof Map) return new MapColumnSource(data);
  return new MapColumnSource(new Map(Object.entries(data as Readonly<Record<string, ColumnValues>>)));
}

/**
 * The error for columns missing from a source, naming the plugins that make them.
 *
 * @param names - the missing columns
 * @param available - the columns there are
 * @param neededBy - output column names by missing input column
 * @returns the error
 */
export function missing(names: readonly string[], available: readonly string[], neededBy?: ReadonlyMap<string, readonly string[]>): MissingColumnsError {
  return new MissingColumnsError(describeMissingColumns(names, neededBy), names, {
    hint: available.length === 0 ? 'The table has no columns.' : `The table has ${available.length} columns.`,
  });
}

/**
 * A numeric column as numbers: a typed array of a float or small-integer type is returned as
 * is; 64-bit integers and booleans are converted.
 *
 * @param source - the columns
 * @param name - the column
 * @returns the values
 * @throws {@link MissingColumnsError} when the column is missing
 * @throws {@link PipeTasksInvalidArgumentError} when the column holds strings
 */
export function numericColumn(source: ColumnSource, name: string): ArrayLike<number> {
  const values = source.get(name);
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) return Float64Array.from(values, Number);
  if (ArrayBuffer.isView(values)) return values as Exclude<NumericArray, BigInt64Array | BigUint64Array>;
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'string') {
      throw new PipeTasksInvalidArgumentError(`Column '${name}' holds strings; a numeric column was expected.`);
    }
    out[i] = v === null ? NaN : v ? 1 : 0;
  }
  return out;
}

/**
 * The common part of the functors: checks that the input columns exist, then computes.
 */
export abstract class FunctorBase implements Functor {
  /** The LSST class name. */
  abstract readonly functorName: string;
  /** The input columns. */
  abstract readonly columns: readonly string[];

  /** A name for the output (LSST's `name`); the functor class name unless overridden. */
  get name(): string {
    return this.functorName;
  }

  /**
   * Computes the output column from a source that has every input column.
   *
   * @param source - the input columns
   * @returns one value per row
   */
  protected abstract compute(source: ColumnSource): ColumnValues;

  /**
   * Computes the output column.
   *
   * @param data - the input table or columns
   * @returns one value per row
   * @throws {@link MissingColumnsError} naming every missing input column and its plugin
   */
  evaluate(data: ColumnData): ColumnValues {
    const source = columnSource(data);
    const absent = this.columns.filter((c) => !source.has(c));
    if (absent.length > 0) throw missing(absent, source.names, new Map(absent.map((c) => [c, [this.name]])));
    return this.compute(source);
  }

  /**
   * The units of the output column (none by default).
   *
   * @param _source - the input columns
   * @returns the units
   */
  unitsFor(_source: ColumnSource): string {
    return '';
  }

  /**
   * The documentation of the output column (none by default).
   *
   * @param _source - the input columns
   * @returns the documentation
   */
  docFor(_source: ColumnSource): string {
    return '';
  }
}
