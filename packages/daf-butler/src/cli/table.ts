// Plain-text tables as daf_butler's CLI prints them with astropy's `Table.pprint_all`: a
// header row, a row of dashes as wide as each column, one space between columns.
import { Region, regionToHex } from '@skystack/geom';
import { Timespan } from '../time/timespan.js';

/** A table cell: what query results hold. */
export type Cell = string | number | bigint | boolean | null | undefined | Timespan | Region | Uint8Array;

/** A table: column names and rows of cells (one per column). */
export interface TextTable {
  /** Column names, in order. */
  readonly columns: readonly string[];
  /** Rows, each with one cell per column. */
  readonly rows: readonly (readonly Cell[])[];
}

/** Options of {@link formatTable}. */
export interface FormatTableOptions {
  /**
   * Alignment of every column: `'<'` left (astropy's `align="<"`, used for collection trees) or
   * `'auto'` (default): numbers right-aligned, everything else left-aligned.
   */
  readonly align?: '<' | 'auto';
  /** Columns holding floating-point values, printed as Python prints floats (`30.0`). */
  readonly floatColumns?: ReadonlySet<string>;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function pythonFloat(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return `${v}.0`;
  return String(v);
}

/**
 * The text of one cell: `None` for null (as astropy prints a Python `None`), `True`/`False`,
 * a timespan as `[begin, end)` in TAI, a region by its `toString()`.
 *
 * @param value - the cell
 * @param isFloat - print a number as a Python float (`30.0`)
 * @returns the text
 */
export function cellText(value: Cell, isFloat = false): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return isFloat ? pythonFloat(value) : String(value);
  if (typeof value === 'bigint' || typeof value === 'string') return String(value);
  if (value instanceof Uint8Array) return hex(value);
  return value.toString();
}

/**
 * The JSON value of one cell: numbers, strings, booleans and null as they are; a bigint as a
 * number when it is exact, else a string; a timespan as `{ begin, end }` TAI ISO strings
 * (null for unbounded); a region as the hex of its sphgeom encoding; bytes as hex.
 *
 * @param value - the cell
 * @returns a JSON-serializable value
 */
export function cellJson(value: Cell): unknown {
  if (value === undefined) return null;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Timespan) {
    const { begin, end } = value.toIsoTai();
    return { begin: begin ?? null, end: end ?? null };
  }
  if (value instanceof Region) return regionToHex(value);
  if (value instanceof Uint8Array) return hex(value);
  return value;
}

/**
 * Formats a table as astropy's `pprint_all` does: the header, a row of dashes the width of
 * each column, then the rows; columns separated by one space; no trailing white space.
 *
 * @param table - columns and rows
 * @param options - alignment and float columns
 * @returns the lines (no final newline)
 * @example
 * ```ts
 * formatTable({ columns: ['Name', 'Type'], rows: [['imported_g', 'RUN']] }).join('\n');
 * // Name       Type
 * // ---------- ----
 * // imported_g RUN
 * ```
 */
export function formatTable(table: TextTable, options: FormatTableOptions = {}): string[] {
  const floats = options.floatColumns ?? new Set<string>();
  const text = table.rows.map((row) => table.columns.map((c, i) => cellText(row[i], floats.has(c))));
  const widths = table.columns.map((c, i) => Math.max(c.length, ...text.map((r) => r[i]!.length)));
  const right = table.columns.map(
    (_, i) => options.align !== '<' && table.rows.length > 0 && table.rows.every((r) => typeof r[i] === 'number' || typeof r[i] === 'bigint'),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((s, i) => (right[i] ? s.padStart(widths[i]!) : s.padEnd(widths[i]!)))
      .join(' ')
      .trimEnd();
  return [line(table.columns), line(widths.map((w) => '-'.repeat(w))), ...text.map(line)];
}

/**
 * Compares two cells for sorting as astropy sorts a column: numbers numerically, text by code
 * point, missing values last.
 *
 * @param a - first cell
 * @param b - second cell
 * @returns negative, zero or positive
 */
export function compareCells(a: Cell, b: Cell): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const sa = cellText(a);
  const sb = cellText(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/**
 * Sorts rows by several columns in priority order (stable).
 *
 * @param table - the table
 * @param keys - column names, most significant first (unknown names are ignored)
 * @returns a new table with the rows sorted
 */
export function sortTable(table: TextTable, keys: readonly string[]): TextTable {
  const idx = [...new Set(keys)].map((k) => table.columns.indexOf(k)).filter((i) => i >= 0);
  const rows = [...table.rows].sort((ra, rb) => {
    for (const i of idx) {
      const c = compareCells(ra[i], rb[i]);
      if (c !== 0) return c;
    }
    return 0;
  });
  return { columns: table.columns, rows };
}

/**
 * Rows as JSON objects keyed by column name.
 *
 * @param table - the table
 * @returns one object per row
 */
export function tableToObjects(table: TextTable): Record<string, unknown>[] {
  return table.rows.map((row) => Object.fromEntries(table.columns.map((c, i) => [c, cellJson(row[i])])));
}
