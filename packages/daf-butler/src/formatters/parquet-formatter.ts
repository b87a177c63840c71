import type * as ParquetModule from '@skystack/parquet';
import type { ParquetCompression, readParquet } from '@skystack/parquet';
import { FormatterError, InvalidParameterError, UnknownComponentError } from '../storage/errors.js';
import { suggest } from '../suggest.js';
import type { Formatter, FormatterReadContext, FormatterWriteContext, StorageClassDelegate } from './formatter.js';

/** An Apache Arrow `Table` (apache-arrow), as `@skystack/parquet` reads and writes it. */
export type ArrowTable = Awaited<ReturnType<typeof readParquet>>;

/** The derived components of the Arrow table storage classes (daf_butler's ArrowTable, DataFrame, ArrowAstropy, ...). */
export const ARROW_TABLE_COMPONENTS: readonly string[] = Object.freeze(['columns', 'rowcount', 'schema']);

const COMPRESSIONS: readonly ParquetCompression[] = ['SNAPPY', 'GZIP', 'ZSTD', 'UNCOMPRESSED'];

// Loaded on first use: apache-arrow and the Parquet codecs are ~200 modules that a process
// opening a repository (a pipetask worker, the butler CLI) should not pay for until it reads
// or writes a table.
let parquetModule: Promise<typeof ParquetModule> | undefined;
function loadParquet(): Promise<typeof ParquetModule> {
  parquetModule ??= import('@skystack/parquet');
  return parquetModule;
}

/**
 * Whether a value is an Arrow table (checked by shape, so tables of another copy of apache-arrow
 * are accepted too).
 *
 * @param v - a value
 * @returns true for an Arrow `Table`
 */
export function isArrowTable(v: unknown): v is ArrowTable {
  if (typeof v !== 'object' || v === null) return false;
  const t = v as { schema?: { fields?: unknown }; numRows?: unknown; getChildAt?: unknown; select?: unknown };
  return Array.isArray(t.schema?.fields) && typeof t.numRows === 'number' && typeof t.getChildAt === 'function' && typeof t.select === 'function';
}

/**
 * The `columns` read parameter as a list of names (daf_butler accepts one name or a list).
 *
 * @param value - the parameter value
 * @returns the names, or undefined when not given
 * @throws InvalidParameterError for anything but a string or a list of strings
 */
export function columnsParameter(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((c) => typeof c === 'string')) return [...new Set(value as string[])];
  throw new InvalidParameterError(`The 'columns' parameter must be a column name or a list of column names; given ${String(value)}.`);
}

function rejectFilters(parameters: Readonly<Record<string, unknown>> | undefined): void {
  const filters = parameters?.['filters'];
  if (filters !== undefined && filters !== null && !(Array.isArray(filters) && filters.length === 0)) {
    throw new InvalidParameterError("The 'filters' parameter (row filters) is not supported by SkyStack's Parquet reading yet.", {
      hint: "Read the columns you need with 'columns' and filter the rows of the Arrow table.",
    });
  }
}

/**
 * Reads and writes Arrow tables as Parquet files (`.parq`, as daf_butler) with
 * `@skystack/parquet`, for the storage classes `ArrowTable`, `DataFrame`, `ArrowAstropy`,
 * `ArrowNumpy`, `ArrowNumpyDict` (all of which are Arrow `Table`s in SkyStack). The files carry
 * the Arrow schema under `ARROW:schema`, as pyarrow writes them, so they are read by
 * pyarrow/pandas/astropy and DuckDB.
 *
 * Read parameters: `columns` (a name or a list: only those column chunks are read);
 * `strip_astropy_meta_yaml` is accepted and has no effect; `filters` is not supported (error).
 * Components (derived, read from the file without the whole table): `columns` (the column names,
 * `string[]`), `schema` (the Arrow `Schema`), both from the footer alone, and `rowcount` (a
 * number; `@skystack/parquet` has no footer-only reader yet, so the first column is read).
 * Write parameter: `compression` (`SNAPPY` default, `GZIP`, `ZSTD`, `UNCOMPRESSED`).
 *
 * @example
 * ```ts
 * const parquet = new ParquetFormatter();
 * await parquet.write(table, '/tmp/src.parq', { storageClass: sc, datasetTypeName: 'sourceTable' });
 * const two = await parquet.read('/tmp/src.parq', { storageClass: sc, parameters: { columns: ['ra', 'dec'] } });
 * await parquet.read('/tmp/src.parq', { storageClass: sc, component: 'columns' }); // ['id', 'ra', 'dec', ...]
 * ```
 * @see lsst.daf.butler.formatters.parquet.ParquetFormatter
 */
export class ParquetFormatter implements Formatter {
  /** `ParquetFormatter`. */
  readonly name = 'ParquetFormatter';
  /** `.parq`. */
  readonly extension = '.parq';
  /** `columns`, `filters` (rejected when non-empty) and `strip_astropy_meta_yaml` (no effect). */
  readonly supportedParameters: ReadonlySet<string> = new Set(['columns', 'filters', 'strip_astropy_meta_yaml']);

  /**
   * Writes an Arrow table to `path`.
   *
   * @param obj - an Arrow `Table`
   * @param path - the file
   * @param ctx - storage class, dataset type name, write parameters (`compression`)
   * @throws FormatterError when `obj` is not an Arrow table, or the table cannot be written
   * @throws InvalidParameterError for an unknown compression
   */
  async write(obj: unknown, path: string, ctx: FormatterWriteContext): Promise<void> {
    if (!isArrowTable(obj)) {
      const what = typeof obj === 'object' && obj !== null ? (obj.constructor?.name ?? 'object') : typeof obj;
      throw new FormatterError(`Dataset '${ctx.datasetTypeName}' (storage class '${ctx.storageClass.name}') must be an Arrow Table to be written as Parquet; given a ${what}.`, {
        hint: 'Convert afw catalogs with their toArrow() method (@skystack/afw-table), or build a table with apache-arrow.',
      });
    }
    const compression = ctx.writeParameters?.['compression'];
    if (compression !== undefined && !COMPRESSIONS.includes(compression as ParquetCompression)) {
      throw new InvalidParameterError(`Write parameter compression = ${String(compression)}; expected one of ${COMPRESSIONS.join(', ')}.`);
    }
    try {
      const { writeParquet } = await loadParquet();
      await writeParquet(path, obj, compression === undefined ? {} : { compression: compression as ParquetCompression });
    } catch (cause) {
      throw new FormatterError(`Cannot write dataset '${ctx.datasetTypeName}' to '${path}' as Parquet: ${(cause as Error).message}`, { cause });
    }
  }

  /**
   * Reads the table (only the `columns` asked for), or a derived component.
   *
   * @param path - the file
   * @param ctx - storage class, component (`columns`, `rowcount`, `schema`), parameters
   * @returns an Arrow `Table`; `string[]`, a number or an Arrow `Schema` for the components
   * @throws FormatterError when the file is missing or is not Parquet
   * @throws InvalidParameterError for a column that is not in the file, or `filters`
   * @throws UnknownComponentError for another component
   */
  async read(path: string, ctx: FormatterReadContext): Promise<unknown> {
    if (ctx.component !== undefined) {
      if (!this.canReadComponent(ctx.component)) {
        throw new UnknownComponentError(`Parquet dataset '${path}' has no component '${ctx.component}'; components: ${ARROW_TABLE_COMPONENTS.join(', ')}.`, {
          ...hintOf(suggest(ctx.component, ARROW_TABLE_COMPONENTS)),
        });
      }
      const empty = await read(path, { rowStart: 0, rowEnd: 0 });
      if (ctx.component === 'columns') return empty.schema.fields.map((f) => f.name);
      if (ctx.component === 'schema') return empty.schema;
      const first = empty.schema.fields[0];
      if (first === undefined) return 0;
      return (await read(path, { columns: [first.name] })).numRows;
    }
    rejectFilters(ctx.parameters);
    const columns = columnsParameter(ctx.parameters?.['columns']);
    return read(path, columns === undefined ? {} : { columns });
  }

  /**
   * True for the derived components `columns`, `rowcount` and `schema`.
   *
   * @param component - a component name
   * @returns whether it is one of those
   */
  canReadComponent(component: string): boolean {
    return ARROW_TABLE_COMPONENTS.includes(component);
  }
}

async function read(path: string, options: Parameters<typeof readParquet>[1]): Promise<ArrowTable> {
  const { ParquetColumnNotFoundError, ParquetError, readParquet } = await loadParquet();
  try {
    return await readParquet(path, options);
  } catch (cause) {
    if (cause instanceof ParquetColumnNotFoundError) {
      throw new InvalidParameterError(`Column '${cause.column}' of the 'columns' parameter is not in '${path}'; available columns: ${cause.available.join(', ')}.`, {
        cause,
        ...hintOf(suggest(cause.column, cause.available)),
      });
    }
    if (cause instanceof ParquetError) throw new FormatterError(`Cannot read '${path}' as Parquet: ${cause.message}`, { cause });
    throw cause;
  }
}

function hintOf(hint: string | undefined): { hint?: string } {
  return hint === undefined ? {} : { hint };
}

/**
 * The delegate of the Arrow table storage classes for in-memory tables: the derived components
 * `columns` (names), `rowcount` and `schema`, and the `columns` parameter (a projection with
 * `table.select`). `filters` is not supported; `strip_astropy_meta_yaml` has no effect.
 *
 * @example
 * ```ts
 * const d = new ArrowTableDelegate();
 * d.getComponent(table, 'rowcount'); // table.numRows
 * d.handleParameters(table, { columns: ['ra'] }); // table.select('ra')
 * ```
 * @see lsst.daf.butler.delegates.arrowtable.ArrowTableDelegate
 */
export class ArrowTableDelegate implements StorageClassDelegate {
  /**
   * A derived component of a table.
   *
   * @param obj - an Arrow `Table`
   * @param component - `columns`, `rowcount` or `schema`
   * @returns the column names, the row count, or the schema
   * @throws UnknownComponentError for another component, or when `obj` is not a table
   */
  getComponent(obj: unknown, component: string): unknown {
    if (!isArrowTable(obj)) throw new UnknownComponentError(`Cannot get component '${component}': the object is not an Arrow Table.`);
    switch (component) {
      case 'columns':
        return obj.schema.fields.map((f) => f.name);
      case 'rowcount':
        return obj.numRows;
      case 'schema':
        return obj.schema;
      default:
        throw new UnknownComponentError(`An Arrow table has no component '${component}'; components: ${ARROW_TABLE_COMPONENTS.join(', ')}.`, {
          ...hintOf(suggest(component, ARROW_TABLE_COMPONENTS)),
        });
    }
  }

  /**
   * Applies `columns` to a table.
   *
   * @param obj - an Arrow `Table`
   * @param parameters - read parameters
   * @returns the projected table (`obj` when `columns` is not given)
   * @throws InvalidParameterError for a column that is not in the table, or `filters`
   */
  handleParameters(obj: unknown, parameters: Readonly<Record<string, unknown>>): unknown {
    rejectFilters(parameters);
    const columns = columnsParameter(parameters['columns']);
    if (columns === undefined || !isArrowTable(obj)) return obj;
    const names = obj.schema.fields.map((f) => f.name);
    for (const c of columns) {
      if (!names.includes(c)) {
        throw new InvalidParameterError(`Column '${c}' of the 'columns' parameter is not in the table; available columns: ${names.join(', ')}.`, { ...hintOf(suggest(c, names)) });
      }
    }
    return obj.select(columns);
  }
}
