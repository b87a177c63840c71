// Internal helpers: row selection and schema extension for afw-table catalogs.
import { Schema, SimpleCatalog, SourceCatalog, type ColumnArray } from '@skystack/afw-table';

/**
 * A copy of a schema's fields and aliases (fields are immutable values, so they are shared).
 *
 * @param schema - the schema to copy
 * @returns a new schema with the same fields and aliases
 */
export function copySchema(schema: Schema): Schema {
  const out = new Schema(schema);
  for (const [alias, target] of schema.getAliasMap().entries()) out.getAliasMap().set(alias, target);
  return out;
}

/**
 * Copies selected rows of `source` into a new SimpleCatalog with `schema`: fields of the same
 * name are copied, fields only in `schema` stay zero-filled.
 *
 * @param source - the catalog to copy from
 * @param rows - the rows to copy, in output order
 * @param schema - the output schema (a superset of the fields to copy)
 * @returns the new catalog (metadata shared with `source`)
 */
export function copyRows(source: SimpleCatalog, rows: ArrayLike<number>, schema: Schema): SimpleCatalog {
  const n = rows.length;
  const out = new SimpleCatalog(schema, { length: n, metadata: source.getMetadata() });
  for (const field of schema) {
    if (!source.schema.contains(field.name)) continue;
    const from = source.getColumn(field.name);
    const to = out.getColumn(field.name);
    copyColumnRows(from, to, rows, field.size);
  }
  return out;
}

function copyColumnRows(from: ColumnArray, to: ColumnArray, rows: ArrayLike<number>, size: number): void {
  const n = rows.length;
  if (Array.isArray(from)) {
    const t = to as string[];
    for (let i = 0; i < n; i++) t[i] = from[rows[i]!]!;
    return;
  }
  if (size === 1) {
    const f = from as Float64Array;
    const t = to as Float64Array;
    for (let i = 0; i < n; i++) t[i] = f[rows[i]!]!;
    return;
  }
  const f = from as Float64Array;
  const t = to as Float64Array;
  for (let i = 0; i < n; i++) t.set(f.subarray(rows[i]! * size, rows[i]! * size + size), i * size);
}

/**
 * Concatenates catalogs of one schema into a new catalog with `schema`.
 *
 * @param parts - the catalogs (the same fields)
 * @param schema - the output schema
 * @returns the concatenation
 */
export function concatCatalogs(parts: readonly SimpleCatalog[], schema: Schema): SimpleCatalog {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new SimpleCatalog(schema, { length: total, ...(parts[0] ? { metadata: parts[0].getMetadata() } : {}) });
  for (const field of schema) {
    const to = out.getColumn(field.name);
    let offset = 0;
    for (const p of parts) {
      if (p.schema.contains(field.name)) {
        const from = p.getColumn(field.name);
        if (Array.isArray(from)) {
          for (let i = 0; i < from.length; i++) (to as string[])[offset + i] = from[i]!;
        } else {
          (to as Float64Array).set(from as Float64Array, offset * field.size);
        }
      }
      offset += p.length;
    }
  }
  return out;
}

/**
 * Copies selected rows of a source catalog into a new SourceCatalog of the same schema.
 *
 * @param source - the catalog to copy from
 * @param rows - the rows to copy, in output order
 * @returns the new catalog
 */
export function copySourceRows(source: SourceCatalog, rows: ArrayLike<number>): SourceCatalog {
  const out = new SourceCatalog(source.schema, { length: rows.length, metadata: source.getMetadata() });
  for (const field of source.schema) copyColumnRows(source.getColumn(field.name), out.getColumn(field.name), rows, field.size);
  return out;
}
