import { BinaryTable, type BinaryTableNumericArray, type Header } from '@skystack/fits';
import { AfwTableFormatError } from '../errors.js';

/**
 * One catalog of an afw table-persistence archive: an `ARCHIVE_DATA` binary-table HDU, as read
 * (header and data unit kept verbatim so that the catalog can be written back unchanged).
 */
export class ArchiveCatalog {
  /** `AR_NAME`: the persistence name of the objects stored here (`'PhotoCalib'`, `'SpanSet'`, ...). */
  readonly name: string;
  /** The HDU header, as read. */
  readonly header: Header;
  /** The data unit, as read (main table and heap). */
  readonly data: Uint8Array;
  /** Where the catalog came from, for error messages (`file HDU n`). */
  readonly location: string;
  #table: BinaryTable | undefined;
  #flagBits: Map<string, number> | undefined;
  readonly #file: string | undefined;
  readonly #hdu: number | undefined;

  /**
   * Wraps an `ARCHIVE_DATA` HDU.
   *
   * @param header - the HDU header
   * @param data - the data unit
   * @param where - the file and HDU index, for error messages
   */
  constructor(header: Header, data: Uint8Array, where: { readonly file?: string; readonly hdu?: number } = {}) {
    this.header = header;
    this.data = data;
    const name = header.get('AR_NAME');
    this.name = typeof name === 'string' ? name.trimEnd() : '';
    this.#file = where.file;
    this.#hdu = where.hdu;
    this.location = `${where.file ?? '(memory)'} HDU ${where.hdu ?? '?'}`;
  }

  /** The decoded binary table (decoded on first use). */
  get table(): BinaryTable {
    this.#table ??= BinaryTable.decode(this.header, this.data, {
      ...(this.#file === undefined ? {} : { file: this.#file }),
      ...(this.#hdu === undefined ? {} : { hdu: this.#hdu }),
    });
    return this.#table;
  }

  /**
   * The bit of a Flag field in the packed `flags` column (`TFLAGn`), or -1 when there is none.
   *
   * @param name - the flag field name
   * @returns the 0-based bit
   */
  flagBit(name: string): number {
    if (this.#flagBits === undefined) {
      this.#flagBits = new Map();
      for (const card of this.header.cards()) {
        const m = /^TFLAG(\d+)$/.exec(card.keyword);
        if (m !== null && typeof card.value === 'string') this.#flagBits.set(card.value.trimEnd(), Number(m[1]) - 1);
      }
    }
    return this.#flagBits.get(name) ?? -1;
  }
}

/**
 * The rows of one archive catalog that belong to one persistable object: what a
 * {@link PersistableFactory} reads. Row indices are relative to the object's first row.
 *
 * @see lsst.afw.table.io.InputArchive
 */
export class ArchiveRows {
  /** The catalog the rows are in. */
  readonly catalog: ArchiveCatalog;
  /** The first row of the object in the catalog. */
  readonly row0: number;
  /** The number of rows of the object. */
  readonly length: number;

  /**
   * Selects rows of a catalog.
   *
   * @param catalog - the catalog
   * @param row0 - the first row
   * @param length - the number of rows
   * @throws AfwTableFormatError when the rows are not all in the catalog
   */
  constructor(catalog: ArchiveCatalog, row0: number, length: number) {
    if (!(row0 >= 0 && length >= 0 && row0 + length <= catalog.table.nRows)) {
      throw new AfwTableFormatError(
        `Archive index points at rows ${row0}..${row0 + length - 1} of the '${catalog.name}' catalog in ${catalog.location}, which has ${catalog.table.nRows} rows.`,
      );
    }
    this.catalog = catalog;
    this.row0 = row0;
    this.length = length;
  }

  /** The column names of the catalog. */
  get columnNames(): readonly string[] {
    return this.catalog.table.columns.map((c) => c.name);
  }

  /**
   * True when the catalog has a column (or Flag field) of this name (older versions of a
   * persistable lack columns newer ones have).
   *
   * @param name - the column name
   * @returns whether it exists
   */
  has(name: string): boolean {
    return this.catalog.table.columns.some((c) => c.name === name) || this.catalog.flagBit(name) >= 0;
  }

  #check(name: string, row: number): void {
    if (!this.catalog.table.columns.some((c) => c.name === name)) {
      throw new AfwTableFormatError(
        `The '${this.catalog.name}' archive catalog in ${this.catalog.location} has no column '${name}'; it has ${this.columnNames.join(', ')}.`,
      );
    }
    if (!(row >= 0 && row < this.length)) {
      throw new AfwTableFormatError(`Row ${row} of the '${this.catalog.name}' object in ${this.catalog.location} does not exist; it has ${this.length} rows.`);
    }
  }

  /**
   * A scalar numeric value (an int64 comes back as a number; use {@link ArchiveRows.bigint}
   * when all 64 bits matter).
   *
   * @param name - the column
   * @param row - the row, relative to the object's first row
   * @returns the value
   * @throws AfwTableFormatError when there is no such column or row
   */
  number(name: string, row = 0): number {
    const v = this.element(name, row, 0);
    return typeof v === 'bigint' ? Number(v) : v;
  }

  /**
   * A scalar int64 value.
   *
   * @param name - the column
   * @param row - the row, relative to the object's first row
   * @returns the value
   * @throws AfwTableFormatError when there is no such column or row
   */
  bigint(name: string, row = 0): bigint {
    const v = this.element(name, row, 0);
    return typeof v === 'bigint' ? v : BigInt(Math.trunc(v));
  }

  /**
   * One element of a (fixed-size) numeric column.
   *
   * @param name - the column
   * @param row - the row, relative to the object's first row
   * @param index - the element within the row
   * @returns the value
   * @throws AfwTableFormatError when there is no such column, row or element
   */
  element(name: string, row: number, index: number): number | bigint {
    this.#check(name, row);
    const table = this.catalog.table;
    const meta = table.column(name);
    if (meta.variableLength || meta.type === 'A' || meta.type === 'X') {
      throw new AfwTableFormatError(`Column '${name}' of the '${this.catalog.name}' catalog in ${this.catalog.location} is not a fixed-size numeric column (TFORM '${meta.format}').`);
    }
    if (!(index >= 0 && index < meta.repeat)) {
      throw new AfwTableFormatError(`Column '${name}' of the '${this.catalog.name}' catalog in ${this.catalog.location} has ${meta.repeat} elements per row, not ${index + 1}.`);
    }
    return table.getNumericColumn(name)[(this.row0 + row) * meta.repeat + index]!;
  }

  /**
   * A string value (fixed-width `A` or variable-length `PA`/`QA`), trailing blanks removed.
   *
   * @param name - the column
   * @param row - the row, relative to the object's first row
   * @returns the string
   * @throws AfwTableFormatError when there is no such column or row
   */
  string(name: string, row = 0): string {
    this.#check(name, row);
    const meta = this.catalog.table.column(name);
    if (meta.type !== 'A') throw new AfwTableFormatError(`Column '${name}' of the '${this.catalog.name}' catalog in ${this.catalog.location} is not a string column (TFORM '${meta.format}').`);
    const value = meta.variableLength
      ? (this.catalog.table.getColumn(name) as readonly string[])[this.row0 + row]!
      : this.catalog.table.getStringColumn(name)[this.row0 + row]!;
    return value.replace(/[\s\0]+$/, '');
  }

  /**
   * The elements of one row of an array column: fixed-size (`nD`) or variable-length (`PD`/`QD`).
   *
   * @param name - the column
   * @param row - the row, relative to the object's first row
   * @returns a copy of the elements
   * @throws AfwTableFormatError when there is no such column or row
   */
  array(name: string, row = 0): BinaryTableNumericArray {
    this.#check(name, row);
    const table = this.catalog.table;
    const meta = table.column(name);
    if (meta.variableLength) return table.getVariableLengthColumn(name)[this.row0 + row]!.slice();
    const all = table.getNumericColumn(name);
    const start = (this.row0 + row) * meta.repeat;
    return all.slice(start, start + meta.repeat);
  }

  /**
   * A whole scalar numeric column over the object's rows (a copy), for objects with many rows
   * (spans, peaks).
   *
   * @param name - the column
   * @returns `length` values
   * @throws AfwTableFormatError when there is no such column
   */
  column(name: string): BinaryTableNumericArray {
    if (this.length === 0) return new Float64Array(0);
    this.#check(name, 0);
    const meta = this.catalog.table.column(name);
    const all = this.catalog.table.getNumericColumn(name);
    return all.slice(this.row0 * meta.repeat, (this.row0 + this.length) * meta.repeat);
  }

  /**
   * A Flag field (a bit of the packed `flags` column).
   *
   * @param name - the flag field name (`TFLAGn`)
   * @param row - the row, relative to the object's first row
   * @returns the bit
   * @throws AfwTableFormatError when there is no such flag
   */
  flag(name: string, row = 0): boolean {
    const bit = this.catalog.flagBit(name);
    if (bit < 0) throw new AfwTableFormatError(`The '${this.catalog.name}' archive catalog in ${this.catalog.location} has no flag '${name}'.`);
    return this.catalog.table.getBit('flags', this.row0 + row, bit);
  }
}
