// The row-wise concatenation of Arrow tables with the same columns, shared by the Consolidate*
// tasks (LSST's TableVStack.vstack_handles).
import type { Table } from 'apache-arrow';
import { PipeTasksInvalidArgumentError } from '../errors.js';

/**
 * Stacks tables row-wise, in the order given: the tables must have the same column names, in the
 * same order, with the same Arrow types. The result keeps the first table's schema (and its
 * metadata: units, docs, aliases); the columns are not copied (each input becomes a record batch
 * of the result).
 *
 * @param tables - the tables (at least one)
 * @param what - what the tables are, for error messages (e.g. `'sourceTable'`)
 * @returns the concatenated table (the first table itself when there is only one)
 * @throws {@link PipeTasksInvalidArgumentError} for no tables, or tables whose columns differ
 *   (the message names the first difference)
 * @example
 * ```ts
 * const visitTable = concatTables([detector0Table, detector1Table], 'sourceTable');
 * visitTable.numRows; // detector0Table.numRows + detector1Table.numRows
 * ```
 * @see lsst.pipe.tasks.postprocess.TableVStack.vstack_handles
 */
export function concatTables(tables: readonly Table[], what = 'table'): Table {
  const [first, ...rest] = tables;
  if (first === undefined) throw new PipeTasksInvalidArgumentError(`Cannot concatenate zero ${what}s; expected at least one.`);
  const columns = first.schema.fields;
  rest.forEach((t, k) => {
    const other = t.schema.fields;
    const names = (fs: typeof columns): string => fs.map((f) => f.name).join(', ');
    if (other.length !== columns.length || other.some((f, i) => f.name !== columns[i]!.name)) {
      throw new PipeTasksInvalidArgumentError(`${what} ${k + 1} has different columns from ${what} 0; all must have the same columns in the same order.`, {
        hint: `${what} 0 has [${names(columns)}]; ${what} ${k + 1} has [${names(other)}].`,
      });
    }
    const i = other.findIndex((f, j) => String(f.type) !== String(columns[j]!.type));
    if (i >= 0) {
      throw new PipeTasksInvalidArgumentError(`Column '${columns[i]!.name}' is ${String(columns[i]!.type)} in ${what} 0 but ${String(other[i]!.type)} in ${what} ${k + 1}; concatenated columns must have one type.`);
    }
  });
  return rest.length === 0 ? first : first.concat(...rest);
}
