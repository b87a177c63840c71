import { Header } from '@skystack/fits';
import { Angle } from '@skystack/geom';
import { columnArrayConstructor, type ColumnArray } from './column-array.js';
import { AfwTableInvalidArgumentError } from './errors.js';
import { readCatalogFits, type ReadCatalogFitsOptions } from './read-catalog-fits.js';
import { writeCatalogFits } from './write-catalog-fits.js';
import type { Table } from 'apache-arrow';
import { catalogToArrow } from './arrow.js';
import { isArrayFieldType, Schema, type Field, type FieldType } from './schema.js';

/** A value read through a record: numbers, `bigint` for `L`, `boolean` for Flag, `Angle` (from `@skystack/geom`), strings, array views. */
export type FieldValue = number | bigint | boolean | string | Angle | Uint8Array | Uint16Array | Int32Array | Float32Array | Float64Array;

/** Options of the catalog constructors. */
export interface CatalogOptions {
  /** Number of records to allocate, zero-filled (strings empty). */
  readonly length?: number;
  /** The metadata (header cards written after the table description). */
  readonly metadata?: Header;
}

/**
 * One record of a catalog: a lightweight view of row `index` of the catalog's columns (no
 * per-record copy; writes go straight to the columns).
 *
 * @example
 * ```ts
 * const record = catalog.get(0);
 * record.get('base_PsfFlux_instFlux'); // a number
 * record.set('base_PsfFlux_flag', true);
 * ```
 * @see lsst.afw.table.BaseRecord
 */
export class BaseRecord {
  /** The catalog whose columns this record views. */
  readonly catalog: BaseCatalog<BaseRecord>;
  /** The row. */
  readonly index: number;

  /**
   * Makes a view of one row (use {@link BaseCatalog.get} instead).
   *
   * @param catalog - the catalog
   * @param index - the 0-based row
   */
  constructor(catalog: BaseCatalog<BaseRecord>, index: number) {
    this.catalog = catalog;
    this.index = index;
  }

  /** The catalog's schema. */
  get schema(): Schema {
    return this.catalog.schema;
  }

  /**
   * The value of a field in this record.
   *
   * @param name - a field name or alias
   * @returns a number (`B U I F D`), a `bigint` (`L`), a boolean (Flag), an `Angle` (from `@skystack/geom`), a
   *   string, or a view of the array elements (array fields)
   * @throws AfwTableNotFoundError when there is no such field
   */
  get(name: string): FieldValue {
    const field = this.catalog.schema.find(name);
    const column = this.catalog.getColumn(field.name);
    const i = this.index;
    switch (field.type) {
      case 'Flag':
        return (column as Uint8Array)[i] !== 0;
      case 'Angle':
        return Angle.fromRadians((column as Float64Array)[i]!);
      case 'String':
        return (column as string[])[i]!;
      default:
        if (isArrayFieldType(field.type)) {
          return (column as Float64Array).subarray(i * field.size, (i + 1) * field.size);
        }
        return (column as Float64Array | BigInt64Array)[i]!;
    }
  }

  /**
   * A numeric field's value as a number (`L` converted, Angle in radians, Flag as 0/1).
   *
   * @param name - a field name or alias of a scalar field
   * @returns the number
   * @throws AfwTableInvalidArgumentError for array and string fields
   */
  getNumber(name: string): number {
    const field = this.catalog.schema.find(name);
    if (field.type === 'String' || isArrayFieldType(field.type)) {
      throw new AfwTableInvalidArgumentError(`Field '${field.name}' is of type ${field.type}, not a scalar number.`);
    }
    return Number((this.catalog.getColumn(field.name) as Float64Array | BigInt64Array)[this.index]!);
  }

  /**
   * Sets a field in this record (writes into the catalog's column).
   *
   * @param name - a field name or alias
   * @param value - a number or bigint, a boolean for Flag, an `Angle` (from `@skystack/geom`) (or radians) for
   *   Angle, a string, or the elements of an array field
   * @throws AfwTableInvalidArgumentError when the value does not fit the field
   */
  set(name: string, value: FieldValue | ArrayLike<number>): void {
    const field = this.catalog.schema.find(name);
    const column = this.catalog.getColumn(field.name);
    const i = this.index;
    const bad = (): never => {
      throw new AfwTableInvalidArgumentError(`Field '${field.name}' (${field.type}) cannot be set to ${String(value)}.`);
    };
    switch (field.type) {
      case 'Flag':
        (column as Uint8Array)[i] = value ? 1 : 0;
        return;
      case 'Angle':
        (column as Float64Array)[i] = value instanceof Angle ? value.asRadians() : typeof value === 'number' ? value : bad();
        return;
      case 'String': {
        if (typeof value !== 'string') bad();
        const s = value as string;
        if (Buffer.byteLength(s) > field.size) {
          throw new AfwTableInvalidArgumentError(`Field '${field.name}' holds at most ${field.size} bytes; '${s}' has ${Buffer.byteLength(s)}.`);
        }
        (column as string[])[i] = s;
        return;
      }
      case 'L':
        (column as BigInt64Array)[i] = typeof value === 'bigint' ? value : typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : bad();
        return;
      default:
        if (isArrayFieldType(field.type)) {
          const values = value as ArrayLike<number>;
          if (typeof values !== 'object' || values.length !== field.size) bad();
          (column as Float64Array).set(values, i * field.size);
          return;
        }
        (column as Float64Array)[i] = typeof value === 'number' ? value : typeof value === 'boolean' ? Number(value) : bad();
    }
  }
}

/**
 * A catalog: a {@link Schema} and one typed-array column per field, with record views.
 *
 * Columns hold `length` rows (Flag: `Uint8Array` of 0/1, Angle: `Float64Array` of radians,
 * `L`: `BigInt64Array`, arrays: `length × size` elements row after row, String: `string[]`).
 * {@link BaseCatalog.addNew} grows the columns geometrically.
 *
 * @example
 * ```ts
 * const schema = new Schema([{ name: 'x', type: 'D' }, { name: 'good', type: 'Flag' }]);
 * const catalog = new BaseCatalog(schema, { length: 2 });
 * catalog.getColumn('x').set([1.5, 2.5]);
 * catalog.get(1).get('x'); // 2.5
 * await catalog.writeFits('table.fits');
 * ```
 * @see lsst.afw.table.BaseCatalog
 */
export class BaseCatalog<R extends BaseRecord = BaseRecord> implements Iterable<R> {
  /** The schema (shared with records; do not add fields after creating the catalog). */
  readonly schema: Schema;
  #columns = new Map<string, ColumnArray>();
  #length = 0;
  #capacity = 0;
  #metadata: Header;

  /**
   * Makes a catalog with zero-filled columns.
   *
   * @param schema - the schema (used as is)
   * @param options - number of rows and metadata
   */
  constructor(schema: Schema, options: CatalogOptions = {}) {
    this.schema = schema;
    this.#metadata = options.metadata ?? new Header();
    const length = options.length ?? 0;
    if (!Number.isSafeInteger(length) || length < 0) throw new AfwTableInvalidArgumentError(`length = ${length}; expected a non-negative integer.`);
    this.#allocate(length);
    this.#length = length;
  }

  /** The fields (name and type) a catalog of this class needs (none for BaseCatalog). */
  static readonly requiredFields: readonly RequiredField[] = [];

  /**
   * The minimal schema of this catalog class: no fields for BaseCatalog.
   *
   * @returns a new schema
   */
  static makeMinimalSchema(): Schema {
    return new Schema();
  }

  /** Number of records. */
  get length(): number {
    return this.#length;
  }

  /**
   * The metadata: the table header's cards other than those describing the table.
   *
   * @returns the header (live)
   */
  getMetadata(): Header {
    return this.#metadata;
  }

  /**
   * Replaces the metadata.
   *
   * @param metadata - the new header
   */
  setMetadata(metadata: Header): void {
    this.#metadata = metadata;
  }

  /**
   * A column, as a view of the catalog's storage (writes change the records).
   *
   * @param name - a field name or alias
   * @returns the typed array (or string list) of `length` rows
   * @throws AfwTableNotFoundError when there is no such field
   */
  getColumn(name: string): ColumnArray {
    const field = this.schema.find(name);
    const column = this.#columns.get(field.name)!;
    if (Array.isArray(column)) return column;
    const n = this.#length * field.size;
    return column.length === n ? column : column.subarray(0, n);
  }

  /**
   * Replaces a column's values (copied).
   *
   * @param name - a field name or alias
   * @param values - `length × size` values (booleans or 0/1 for Flag, radians for Angle)
   * @throws AfwTableInvalidArgumentError when the count or type does not fit
   */
  setColumn(name: string, values: ArrayLike<number> | ArrayLike<bigint> | ArrayLike<boolean> | readonly string[]): void {
    const field = this.schema.find(name);
    const n = this.#length * field.size;
    const count = field.type === 'String' ? this.#length : n;
    if (values.length !== count) {
      throw new AfwTableInvalidArgumentError(`Column '${field.name}' needs ${count} values; ${values.length} given.`);
    }
    if (field.type === 'String') {
      const strings = values as readonly string[];
      this.#columns.set(field.name, Array.from(strings, String));
      return;
    }
    const target = this.getColumn(field.name) as Float64Array | BigInt64Array;
    if (target instanceof BigInt64Array) {
      for (let i = 0; i < n; i++) {
        const v = (values as ArrayLike<unknown>)[i];
        target[i] = typeof v === 'bigint' ? v : BigInt(v as number);
      }
    } else {
      for (let i = 0; i < n; i++) target[i] = Number((values as ArrayLike<unknown>)[i]);
    }
  }

  /**
   * The record view of row `index`.
   *
   * @param index - a 0-based row; negative counts from the end
   * @returns the record
   * @throws AfwTableInvalidArgumentError when the row is out of range
   */
  get(index: number): R {
    const i = index < 0 ? this.#length + index : index;
    if (!Number.isInteger(i) || i < 0 || i >= this.#length) {
      throw new AfwTableInvalidArgumentError(`Row ${index} is out of range for a catalog of ${this.#length} records.`);
    }
    return this.makeRecord(i);
  }

  /**
   * Appends a zero-filled record.
   *
   * @returns the new record
   */
  addNew(): R {
    if (this.#length === this.#capacity) this.#allocate(Math.max(16, this.#capacity * 2));
    for (const column of this.#columns.values()) if (Array.isArray(column)) column.push('');
    const index = this.#length++;
    return this.makeRecord(index);
  }

  /**
   * Iterates over the records.
   *
   * @returns the iterator
   */
  *[Symbol.iterator](): Iterator<R> {
    for (let i = 0; i < this.#length; i++) yield this.makeRecord(i);
  }

  /**
   * Reads a catalog from an afw FITS table (see {@link readCatalogFits}); the `footprint`
   * archive-ID column of a source table is kept as an ordinary `I` field.
   *
   * @param path - the FITS file
   * @param options - which HDU (default 1)
   * @returns the catalog
   * @throws AfwTableFormatError when the table is not a valid afw table
   * @see lsst.afw.table.BaseCatalog.readFits
   */
  static async readFits(path: string, options: ReadCatalogFitsOptions = {}): Promise<BaseCatalog> {
    const contents = await readCatalogFits(path, options);
    const catalog = new BaseCatalog(contents.schema, { metadata: contents.metadata });
    catalog.adoptColumns(contents.length, contents.columns);
    return catalog;
  }

  /**
   * Writes the catalog to a FITS file in afw's layout (see {@link writeCatalogFits}).
   *
   * @param path - the output file (written to a temporary file, then renamed)
   * @see lsst.afw.table.BaseCatalog.writeFits
   */
  async writeFits(path: string): Promise<void> {
    await writeCatalogFits(path, this as BaseCatalog<BaseRecord>, this.afwType === undefined ? {} : { afwType: this.afwType });
  }

  /**
   * The catalog as an Apache Arrow table (afw's `asAstropy()` for the JavaScript data stack):
   * one column per field, numeric columns sharing the catalog's memory, docs, units and aliases
   * in the metadata (see {@link catalogToArrow}).
   *
   * @returns the Arrow table
   * @example
   * ```ts
   * const table = (await SourceCatalog.readFits('src.fits')).toArrow();
   * await writeParquet('src.parquet', table);
   * ```
   */
  toArrow(): Table {
    return catalogToArrow(this as BaseCatalog<BaseRecord>);
  }

  /** The `AFW_TYPE` written by {@link BaseCatalog.writeFits}: none for a BaseCatalog. */
  protected get afwType(): string | undefined {
    return undefined;
  }

  /**
   * Makes the record view of a row; subclasses return their record class.
   *
   * @param index - the row
   * @returns the record
   */
  protected makeRecord(index: number): R {
    return new BaseRecord(this as BaseCatalog<BaseRecord>, index) as R;
  }

  /**
   * Installs columns read from a file (used by the readers; the arrays are adopted, not copied).
   *
   * @param length - the number of rows
   * @param columns - one array per field name, of `length × size` elements
   * @internal
   */
  adoptColumns(length: number, columns: ReadonlyMap<string, ColumnArray>): void {
    for (const field of this.schema) {
      const column = columns.get(field.name);
      const expected = field.type === 'String' ? length : length * field.size;
      if (column === undefined || column.length !== expected) {
        throw new AfwTableInvalidArgumentError(`Column '${field.name}' needs ${expected} values; ${column?.length ?? 'none'} given.`);
      }
    }
    this.#columns = new Map(columns);
    this.#length = length;
    this.#capacity = length;
  }

  #allocate(capacity: number): void {
    const next = new Map<string, ColumnArray>();
    for (const field of this.schema) {
      const old = this.#columns.get(field.name);
      if (field.type === 'String') {
        next.set(field.name, (old as string[] | undefined) ?? Array.from({ length: capacity }, () => ''));
        continue;
      }
      const Ctor = columnArrayConstructor(field.type);
      const column = new Ctor(capacity * field.size);
      if (old !== undefined) (column as Float64Array).set((old as Float64Array).subarray(0, this.#length * field.size));
      next.set(field.name, column);
    }
    this.#columns = next;
    this.#capacity = capacity;
  }
}

/** A field a catalog class requires: name, type and the doc it gets in a minimal schema. */
export interface RequiredField {
  /** The field name. */
  readonly name: string;
  /** The field type. */
  readonly type: FieldType;
  /** The field documentation. */
  readonly doc: string;
}

/**
 * Checks that a schema has the fields a catalog class requires.
 *
 * @param schema - the schema
 * @param required - the required fields
 * @param className - the catalog class, for the message
 * @throws AfwTableInvalidArgumentError when one is missing or of the wrong type
 */
export function checkRequiredFields(schema: Schema, required: readonly RequiredField[], className: string): void {
  for (const r of required) {
    const f: Field | undefined = schema.tryFind(r.name);
    if (f === undefined || f.type !== r.type) {
      throw new AfwTableInvalidArgumentError(
        `A ${className} schema needs field '${r.name}' of type ${r.type}; ${f === undefined ? 'it is missing' : `it is ${f.type}`}.`,
        { hint: `Start from ${className}.makeMinimalSchema().` },
      );
    }
  }
}
