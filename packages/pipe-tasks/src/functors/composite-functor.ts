// A named set of functors evaluated together into an Arrow table (LSST's CompositeFunctor).
import { ARROW_DOC_KEY, ARROW_UNITS_KEY } from '@skystack/afw-table';
import { encodeUtf8, packBits } from '@skystack/parquet';
import {
  Bool,
  Field as ArrowField,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  makeData,
  RecordBatch,
  Schema as ArrowSchema,
  Struct,
  Table,
  Uint16,
  Uint32,
  Uint64,
  Uint8,
  Utf8,
  type Data,
  type DataType,
} from 'apache-arrow';
import { PipeTasksInvalidArgumentError } from '../errors.js';
import { columnSource, missing, type ColumnData, type ColumnSource, type ColumnValues, type Functor } from '../functors.js';

/** A functor left out of an evaluation because its input columns are missing. */
export interface SkippedFunctor {
  /** The output column it would have made. */
  readonly column: string;
  /** The functor class name. */
  readonly functorName: string;
  /** The input columns that are missing. */
  readonly missing: readonly string[];
}

/** Options of {@link CompositeFunctor.evaluateTable}. */
export interface EvaluateOptions {
  /**
   * What to do with functors whose input columns are missing: `'raise'` (LSST's behaviour, a
   * {@link MissingColumnsError} naming every missing column and the plugin that makes it) or
   * `'skip'` (leave their output columns out; they are listed in the result).
   */
  readonly onMissing?: 'raise' | 'skip';
  /** Output columns that are left out, whatever `onMissing`, when their inputs are missing. */
  readonly optional?: ReadonlySet<string>;
}

/** What {@link CompositeFunctor.evaluateTable} returns. */
export interface EvaluateResult {
  /** The output table: one column per functor, in the functors' order. */
  readonly table: Table;
  /** The functors left out for missing inputs. */
  readonly skipped: readonly SkippedFunctor[];
}

/**
 * Many functors evaluated at once into a table whose column names are the functors' keys;
 * the inputs are read once.
 *
 * @example
 * ```ts
 * const funcs = new CompositeFunctor(new Map([['ra', new RAColumn()], ['dec', new DecColumn()]]));
 * const table = funcs.evaluate(sourceTable); // Arrow table with columns ra, dec (degrees)
 * ```
 * @see lsst.pipe.tasks.functors.CompositeFunctor
 */
export class CompositeFunctor {
  /** The functors by output column name, in output order. */
  readonly funcDict: Map<string, Functor>;

  /**
   * Makes the composite.
   *
   * @param funcs - the functors by output column name
   */
  constructor(funcs: ReadonlyMap<string, Functor> | Readonly<Record<string, Functor>> = new Map()) {
    this.funcDict = new Map(funcs instanceof Map ? funcs : Object.entries(funcs));
  }

  /** The union of the functors' input columns (first-use order). */
  get columns(): string[] {
    const seen = new Set<string>();
    for (const f of this.funcDict.values()) for (const c of f.columns) seen.add(c);
    return [...seen];
  }

  /**
   * Adds or replaces functors.
   *
   * @param funcs - functors by output column name, or another composite
   */
  update(funcs: ReadonlyMap<string, Functor> | CompositeFunctor): void {
    const entries = funcs instanceof CompositeFunctor ? funcs.funcDict : funcs;
    for (const [k, v] of entries) this.funcDict.set(k, v);
  }

  /**
   * Evaluates every functor into an Arrow table (see {@link CompositeFunctor.evaluateTable}).
   *
   * @param data - the input table or columns
   * @returns the output table
   * @throws {@link MissingColumnsError} naming every missing input column and its plugin
   */
  evaluate(data: ColumnData): Table {
    return this.evaluateTable(data).table;
  }

  /**
   * Evaluates every functor into an Arrow table. Output fields carry the metadata `units`
   * (`nJy`, `deg`, the input's units for copied columns) and `doc`.
   *
   * @param data - the input table or columns
   * @param options - what to do with functors whose inputs are missing
   * @returns the table and the functors left out
   * @throws {@link MissingColumnsError} naming every missing input column, the outputs that
   *   need it and the plugin that makes it (unless those outputs are skipped)
   * @throws {@link PipeTasksInvalidArgumentError} when a functor returns the wrong number of rows
   */
  evaluateTable(data: ColumnData, options: EvaluateOptions = {}): EvaluateResult {
    const source = columnSource(data);
    const skipMissing = options.onMissing === 'skip';
    const skipped: SkippedFunctor[] = [];
    const fatal = new Map<string, string[]>();
    const run: [string, Functor][] = [];
    for (const [key, f] of this.funcDict) {
      const absent = f.columns.filter((c) => !source.has(c));
      if (absent.length === 0) {
        run.push([key, f]);
      } else if (skipMissing || options.optional?.has(key) === true) {
        skipped.push({ column: key, functorName: f.functorName, missing: absent });
      } else {
        for (const c of absent) fatal.set(c, [...(fatal.get(c) ?? []), key]);
      }
    }
    if (fatal.size > 0) throw missing([...fatal.keys()], source.names, fatal);
    const fields: ArrowField[] = [];
    const children: Data[] = [];
    for (const [key, f] of run) {
      const values = f.evaluate(source);
      if (values.length !== source.numRows) {
        throw new PipeTasksInvalidArgumentError(`Functor ${f.functorName} for column '${key}' returned ${values.length} values for ${source.numRows} rows.`);
      }
      const data = columnData(values);
      children.push(data);
      fields.push(outputField(key, data.type, f, source));
    }
    return { table: makeTable(fields, children, source.numRows), skipped };
  }

  /**
   * Applies LSST's flag rename rules to a column name: for each `[old, new]` in order, when
   * the name (as renamed so far) starts with `old`, every `old` in it becomes `new`.
   *
   * @param col - the column name
   * @param renameRules - the `flag_rename_rules` of a functor file
   * @returns the renamed column
   * @example
   * ```ts
   * CompositeFunctor.renameCol('base_PixelFlags_flag_edge', [['base_PixelFlags_flag', 'pixelFlags']]); // 'pixelFlags_edge'
   * ```
   * @see lsst.pipe.tasks.functors.CompositeFunctor.renameCol
   */
  static renameCol(col: string, renameRules: readonly (readonly [string, string])[] | undefined): string {
    if (renameRules === undefined) return col;
    let out = col;
    for (const [from, to] of renameRules) if (from.length > 0 && out.startsWith(from)) out = out.split(from).join(to);
    return out;
  }
}

/**
 * An Arrow table from fields and their data.
 *
 * @param fields - the fields
 * @param children - one data per field
 * @param length - the number of rows
 * @returns the table
 */
export function makeTable(fields: readonly ArrowField[], children: readonly Data[], length: number): Table {
  const schema = new ArrowSchema([...fields]);
  const struct = makeData({ type: new Struct([...fields]), length, nullCount: 0, children: [...children] });
  return new Table(schema, new RecordBatch(schema, struct));
}

/**
 * An Arrow field with `units` and `doc` metadata (empty values left out).
 *
 * @param name - the field name
 * @param type - its type
 * @param units - astropy-style units
 * @param doc - documentation
 * @returns the field
 */
export function makeField(name: string, type: DataType, units: string, doc: string): ArrowField {
  const metadata = new Map<string, string>();
  if (doc !== '') metadata.set(ARROW_DOC_KEY, doc);
  if (units !== '') metadata.set(ARROW_UNITS_KEY, units);
  return new ArrowField(name, type, type.typeId === new Utf8().typeId, metadata);
}

function outputField(key: string, type: DataType, f: Functor, source: ColumnSource): ArrowField {
  return makeField(key, type, f.unitsFor(source), f.docFor(source));
}

const NUMERIC_TYPES: readonly [new (n: number) => ArrayBufferView, () => DataType][] = [
  [Float64Array, () => new Float64()],
  [Float32Array, () => new Float32()],
  [BigInt64Array, () => new Int64()],
  [BigUint64Array, () => new Uint64()],
  [Int32Array, () => new Int32()],
  [Int16Array, () => new Int16()],
  [Int8Array, () => new Int8()],
  [Uint32Array, () => new Uint32()],
  [Uint16Array, () => new Uint16()],
  [Uint8Array, () => new Uint8()],
];

/**
 * Arrow data for a column's values: typed arrays keep their type (not copied), booleans
 * become Bool, strings Utf8 (with `null`s as nulls).
 *
 * @param values - the values
 * @returns the data
 * @throws {@link PipeTasksInvalidArgumentError} for values of no supported type
 */
export function columnData(values: ColumnValues): Data {
  const length = values.length;
  for (const [Ctor, make] of NUMERIC_TYPES) {
    if (values instanceof Ctor) return makeData({ type: make(), length, data: values } as never) as Data;
  }
  const first = (values as readonly unknown[]).find((v) => v !== null && v !== undefined);
  if (typeof first === 'boolean' || (first === undefined && Array.isArray(values))) {
    if (first === undefined && length > 0 && (values as readonly unknown[]).every((v) => v === null)) return stringData(values as readonly (string | null)[]);
    return makeData({ type: new Bool(), length, data: packBits(values as readonly boolean[]) });
  }
  if (typeof first === 'string') return stringData(values as readonly (string | null)[]);
  throw new PipeTasksInvalidArgumentError(`A column of ${typeof first} values cannot be stored; expected numbers (typed arrays), booleans or strings.`);
}

function stringData(values: readonly (string | null)[]): Data {
  const length = values.length;
  const nulls = values.filter((v) => v === null).length;
  const { offsets, bytes } = encodeUtf8(values);
  const nullBitmap = nulls > 0 ? packBits(values.map((v) => v !== null)) : undefined;
  return makeData({ type: new Utf8(), length, valueOffsets: offsets, data: bytes, nullCount: nulls, nullBitmap } as never) as Data;
}
