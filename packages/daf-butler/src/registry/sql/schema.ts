import type { DimensionElement, DimensionUniverse, FieldSpec } from '../../dimensions/universe.js';
import { Dimension } from '../../dimensions/universe.js';
import type { SqlDialect } from './database.js';

/** Version of SkyStack's registry schema, stored in `butler_attributes` as `schema_version`. */
export const SCHEMA_VERSION = '1.0.0';

/** Column types the registry uses, mapped per dialect. */
export type ColumnKind = 'int' | 'smallint' | 'float' | 'bool' | 'string' | 'text' | 'bytes' | 'uuid' | 'autoinc';

/**
 * The SQL type of a column kind in a dialect.
 *
 * @param dialect - sqlite or postgresql
 * @param kind - the column kind
 * @param length - VARCHAR length for strings
 * @returns the SQL type text
 */
export function sqlType(dialect: SqlDialect, kind: ColumnKind, length?: number): string {
  switch (kind) {
    case 'int':
      return 'BIGINT';
    case 'smallint':
      return 'SMALLINT';
    case 'float':
      return dialect === 'sqlite' ? 'REAL' : 'DOUBLE PRECISION';
    case 'bool':
      return 'BOOLEAN';
    case 'string':
      return length === undefined ? 'TEXT' : `VARCHAR(${length})`;
    case 'text':
      return 'TEXT';
    case 'bytes':
      return dialect === 'sqlite' ? 'BLOB' : 'BYTEA';
    case 'uuid':
      return dialect === 'sqlite' ? 'CHAR(36)' : 'UUID';
    case 'autoinc':
      return dialect === 'sqlite' ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'BIGSERIAL PRIMARY KEY';
  }
}

/**
 * The column kind of a dimension field (`hash` is stored as bytes).
 *
 * @param f - the field
 * @returns its column kind
 */
export function fieldKind(f: FieldSpec): ColumnKind {
  switch (f.type) {
    case 'int':
      return 'int';
    case 'float':
      return 'float';
    case 'bool':
      return 'bool';
    case 'hash':
      return 'bytes';
    case 'string':
      return 'string';
  }
}

/** Quotes an identifier we generate (never user text) for both dialects. */
export function q(name: string): string {
  return `"${name}"`;
}

/** The DDL of the tables every repository has. */
export function staticSchema(dialect: SqlDialect): string[] {
  const t = (k: ColumnKind, n?: number) => sqlType(dialect, k, n);
  return [
    `CREATE TABLE IF NOT EXISTS butler_attributes (name VARCHAR(1024) PRIMARY KEY, value TEXT NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS collection (collection_id ${t('autoinc')}, name VARCHAR(64) NOT NULL UNIQUE, type SMALLINT NOT NULL, doc TEXT)`,
    `CREATE TABLE IF NOT EXISTS run (collection_id BIGINT PRIMARY KEY REFERENCES collection (collection_id) ON DELETE CASCADE, host VARCHAR(128), timespan_begin BIGINT, timespan_end BIGINT)`,
    `CREATE TABLE IF NOT EXISTS collection_chain (parent BIGINT NOT NULL REFERENCES collection (collection_id) ON DELETE CASCADE, position SMALLINT NOT NULL, child BIGINT NOT NULL REFERENCES collection (collection_id), PRIMARY KEY (parent, position))`,
    `CREATE INDEX IF NOT EXISTS collection_chain_child ON collection_chain (child)`,
    `CREATE TABLE IF NOT EXISTS dimension_group (dimensions_key ${t('autoinc')}, dimensions TEXT NOT NULL UNIQUE)`,
    `CREATE TABLE IF NOT EXISTS dataset_type (dataset_type_id ${t('autoinc')}, name VARCHAR(128) NOT NULL UNIQUE, storage_class VARCHAR(64) NOT NULL, dimensions_key BIGINT NOT NULL REFERENCES dimension_group (dimensions_key), is_calibration BOOLEAN NOT NULL, tag_association_table VARCHAR(128) NOT NULL, calibration_association_table VARCHAR(128))`,
    `CREATE TABLE IF NOT EXISTS dataset (id ${t('uuid')} PRIMARY KEY, dataset_type_id BIGINT NOT NULL REFERENCES dataset_type (dataset_type_id), run_id BIGINT NOT NULL REFERENCES run (collection_id), ingest_date BIGINT NOT NULL)`,
    `CREATE INDEX IF NOT EXISTS dataset_run ON dataset (run_id, dataset_type_id)`,
    `CREATE TABLE IF NOT EXISTS collection_summary_dataset_type (collection_id BIGINT NOT NULL REFERENCES collection (collection_id) ON DELETE CASCADE, dataset_type_id BIGINT NOT NULL REFERENCES dataset_type (dataset_type_id) ON DELETE CASCADE, PRIMARY KEY (collection_id, dataset_type_id))`,
  ];
}

/** The DDL of the collection summary table of one governor dimension. */
export function governorSummarySchema(dim: Dimension): string {
  return `CREATE TABLE IF NOT EXISTS ${q(`collection_summary_${dim.name}`)} (collection_id BIGINT NOT NULL REFERENCES collection (collection_id) ON DELETE CASCADE, ${q(dim.name)} VARCHAR(${dim.primaryKey.length ?? 64}) NOT NULL, PRIMARY KEY (collection_id, ${q(dim.name)}))`;
}

/** Column definitions of a dimension's value as a foreign key column (`instrument VARCHAR(32)`). */
export function dimensionColumnType(dialect: SqlDialect, dim: Dimension): string {
  const pk = dim.primaryKey;
  return sqlType(dialect, fieldKind(pk), pk.length);
}

/** The SQL table name of an element's own table. */
export function elementTable(el: DimensionElement): string {
  return el.name;
}

/** The primary key columns of an element's table: required dependencies, then the own key. */
export function elementKeyColumns(el: DimensionElement): string[] {
  const cols = el.requiredDependencies.slice();
  if (el instanceof Dimension) cols.push(el.primaryKey.name);
  return cols;
}

/**
 * The table column that holds dimension `dim`'s value in element `el`'s table.
 *
 * @param el - the element
 * @param dim - a dimension the element requires, implies, or is
 * @returns the column name
 */
export function columnOfDimension(el: DimensionElement, dim: string): string {
  if (el.name === dim && el instanceof Dimension) return el.primaryKey.name;
  return dim;
}

/** The DDL of one element's table, its alternate-key constraints and its spatial index table. */
export function elementSchema(dialect: SqlDialect, universe: DimensionUniverse, el: DimensionElement): string[] {
  if (!el.hasTable) return [];
  const cols: string[] = [];
  const fks: string[] = [];
  for (const dep of el.requiredDependencies) {
    const d = universe.getDimension(dep);
    cols.push(`${q(dep)} ${dimensionColumnType(dialect, d)} NOT NULL`);
  }
  if (el instanceof Dimension) {
    for (const [i, k] of el.keys.entries()) {
      cols.push(`${q(k.name)} ${sqlType(dialect, fieldKind(k), k.length)}${i === 0 ? ' NOT NULL' : ''}`);
    }
  }
  for (const imp of el.implies) cols.push(`${q(imp)} ${dimensionColumnType(dialect, universe.getDimension(imp))}`);
  for (const m of el.metadata) cols.push(`${q(m.name)} ${sqlType(dialect, fieldKind(m), m.length)}${m.nullable ? '' : ' NOT NULL'}`);
  if (el.isSpatial) cols.push(`region ${sqlType(dialect, 'bytes')}`);
  if (el.isTemporal) cols.push('timespan_begin BIGINT', 'timespan_end BIGINT');
  // Foreign keys to the tables of the direct requirements and implied dimensions.
  for (const dep of [...el.directRequires, ...el.implies]) {
    const target = universe.getElement(dep);
    if (!target.hasTable) continue;
    const targetCols = elementKeyColumns(target);
    const localCols = target.required.map((r) => r);
    fks.push(`FOREIGN KEY (${localCols.map(q).join(', ')}) REFERENCES ${q(target.name)} (${targetCols.map(q).join(', ')})`);
  }
  const pk = elementKeyColumns(el);
  const out = [
    `CREATE TABLE IF NOT EXISTS ${q(el.name)} (${[...cols, `PRIMARY KEY (${pk.map(q).join(', ')})`, ...fks].join(', ')})`,
  ];
  if (el instanceof Dimension) {
    for (const alt of el.alternateKeys) {
      const uc = [...el.requiredDependencies, alt.name];
      out.push(`CREATE UNIQUE INDEX IF NOT EXISTS ${q(`${el.name}_unique_${alt.name}`)} ON ${q(el.name)} (${uc.map(q).join(', ')})`);
    }
  }
  for (const imp of el.implies) {
    out.push(`CREATE INDEX IF NOT EXISTS ${q(`${el.name}_idx_${imp}`)} ON ${q(el.name)} (${q(imp)})`);
  }
  if (el.isSpatial) {
    const reqCols = el.required.map((r) => `${q(r)} ${dimensionColumnType(dialect, universe.getDimension(r))} NOT NULL`);
    const tbl = q(`${el.name}_skypix_overlap`);
    out.push(
      `CREATE TABLE IF NOT EXISTS ${tbl} (skypix_system VARCHAR(16) NOT NULL, skypix_level SMALLINT NOT NULL, ${reqCols.join(', ')}, skypix_index BIGINT NOT NULL, PRIMARY KEY (skypix_system, skypix_level, ${el.required.map(q).join(', ')}, skypix_index), FOREIGN KEY (${el.required.map(q).join(', ')}) REFERENCES ${q(el.name)} (${elementKeyColumns(el).map(q).join(', ')}) ON DELETE CASCADE)`,
      `CREATE INDEX IF NOT EXISTS ${q(`${el.name}_skypix_overlap_index`)} ON ${tbl} (skypix_system, skypix_level, skypix_index)`,
    );
  }
  return out;
}

/** Names of the dataset association tables of one dimension group key. */
export function datasetTableNames(dimensionsKey: number): { tags: string; calibs: string } {
  const n = String(dimensionsKey).padStart(8, '0');
  return { tags: `dataset_tags_${n}`, calibs: `dataset_calibs_${n}` };
}

/** The DDL of the tags (RUN and TAGGED membership) and calibs tables of one dimension group. */
export function datasetTablesSchema(
  dialect: SqlDialect,
  universe: DimensionUniverse,
  required: readonly string[],
  dimensionsKey: number,
  withCalibs: boolean,
): string[] {
  const { tags, calibs } = datasetTableNames(dimensionsKey);
  const dimCols = required.map((r) => `${q(r)} ${dimensionColumnType(dialect, universe.getDimension(r))} NOT NULL`);
  const fks: string[] = [];
  for (const r of required) {
    const el = universe.getElement(r);
    if (!el.hasTable) continue;
    fks.push(`FOREIGN KEY (${el.required.map(q).join(', ')}) REFERENCES ${q(el.name)} (${elementKeyColumns(el).map(q).join(', ')})`);
  }
  const common = [
    'dataset_type_id BIGINT NOT NULL REFERENCES dataset_type (dataset_type_id)',
    `dataset_id ${sqlType(dialect, 'uuid')} NOT NULL REFERENCES dataset (id) ON DELETE CASCADE`,
    'collection_id BIGINT NOT NULL REFERENCES collection (collection_id) ON DELETE CASCADE',
    ...dimCols,
  ];
  const dimList = required.map(q).join(', ');
  const out = [
    `CREATE TABLE IF NOT EXISTS ${q(tags)} (${[...common, 'PRIMARY KEY (dataset_id, collection_id)', `UNIQUE (dataset_type_id, collection_id${dimList ? ', ' + dimList : ''})`, ...fks].join(', ')})`,
    `CREATE INDEX IF NOT EXISTS ${q(`${tags}_collection`)} ON ${q(tags)} (collection_id, dataset_type_id)`,
  ];
  if (withCalibs) {
    out.push(
      `CREATE TABLE IF NOT EXISTS ${q(calibs)} (id ${sqlType(dialect, 'autoinc')}, ${[...common, 'timespan_begin BIGINT NOT NULL', 'timespan_end BIGINT NOT NULL', ...fks].join(', ')})`,
      `CREATE INDEX IF NOT EXISTS ${q(`${calibs}_lookup`)} ON ${q(calibs)} (dataset_type_id, collection_id${dimList ? ', ' + dimList : ''})`,
    );
  }
  return out;
}
