// TransformSourceTableTask: the `source` table through a functor file into the DPDD-style
// `sourceTable` (fluxes in nJy, angles in degrees, data ID columns).
import { ChoiceField, Field, ListField } from '@skystack/pex-config';
import { Input, Output, PipelineTask, PipelineTaskConfig, Struct, defineConnections } from '@skystack/pipe-base';
import type { ConnectionNames, ConnectionsConfig, InputQuantizedConnection, OutputQuantizedConnection, QuantumContext } from '@skystack/pipe-base';
import { Int16, Int64, Table, Utf8, makeData, type Data, type DataType, type Field as ArrowField, type Schema as ArrowSchema } from 'apache-arrow';
import { PipeTasksInvalidArgumentError } from '../errors.js';
import { aliasMapOf, columnSource, type ColumnData } from '../functors.js';
import { columnData, makeField, makeTable, type SkippedFunctor } from '../functors/composite-functor.js';
import { loadFunctorFile, type FunctorFile } from '../functors/functor-file.js';
import { columnProducer } from '../missing-columns.js';

const VISIT_DETECTOR = ['instrument', 'visit', 'detector'] as const;

/** SkyStack's functor file for single-visit source tables (`schemas/Source.yaml` of this package). */
export const DEFAULT_SOURCE_FUNCTOR_FILE = '$SKYSTACK_PIPE_TASKS_DIR/schemas/Source.yaml';

/**
 * The connections of {@link TransformSourceTableTask}: `inputCatalog` (`{catalogType}source`,
 * DataFrame, read lazily) in, `outputCatalog` (`{catalogType}sourceTable`, ArrowAstropy) out.
 *
 * @see lsst.pipe.tasks.postprocess.TransformSourceTableConnections
 */
export class TransformSourceTableConnections extends defineConnections({
  dimensions: VISIT_DETECTOR,
  defaultTemplates: { catalogType: '' },
  connections: {
    /** The `source` table, read lazily (only the columns the functors need). */
    inputCatalog: new Input({
      doc: 'Wide input catalog of sources produced by WriteSourceTableTask',
      name: '{catalogType}source',
      storageClass: 'DataFrame',
      dimensions: VISIT_DETECTOR,
      deferLoad: true,
    }),
    /** The `sourceTable`. */
    outputCatalog: new Output({
      doc: 'Narrower, per-detector Source Table transformed and converted per a specified set of functors',
      name: '{catalogType}sourceTable',
      storageClass: 'ArrowAstropy',
      dimensions: VISIT_DETECTOR,
    }),
  },
}) {}

/**
 * The config of {@link TransformSourceTableTask}: LSST's `TransformCatalogBaseConfig` fields
 * with `TransformSourceTableConfig`'s defaults, and SkyStack's `onMissingColumns`.
 *
 * @see lsst.pipe.tasks.postprocess.TransformSourceTableConfig
 */
export class TransformSourceTableConfig extends PipelineTaskConfig.withConnections(TransformSourceTableConnections) {
  /** The dataset type names of the connections (`config.connections.outputCatalog = 'mySourceTable'`). */
  declare readonly connections: ConnectionsConfig<ConnectionNames<typeof TransformSourceTableConnections>>;
  /** The functor YAML file (environment variables are expanded). */
  functorFile = Field.str({
    doc: 'Path to YAML file specifying Science Data Model functors to use when copying columns and computing calibrated values.',
    default: DEFAULT_SOURCE_FUNCTOR_FILE,
    optional: true,
  });
  /** The column put first, as LSST's DataFrame index. */
  primaryKey = Field.str({ doc: 'Name of column to be set as the DataFrame index (the first column).', default: 'sourceId', optional: true });
  /** Data ID keys added as constant columns. */
  columnsFromDataId = ListField({ doc: 'Columns to extract from the dataId', dtype: 'str', default: ['visit', 'detector', 'band', 'physical_filter'], optional: true });
  /** What to do when functors' input columns are missing (SkyStack). */
  onMissingColumns = ChoiceField({
    doc: "What to do when the input lacks columns that functors read: 'raise' (as LSST) or 'skip' (leave those output columns out, with a warning). Outputs listed under 'optional' in the functor file are always skipped.",
    dtype: 'str',
    default: 'raise',
    allowed: { raise: 'fail, naming the missing columns and the plugins that make them', skip: 'leave the affected output columns out' },
  });
}

/** The inputs of {@link TransformSourceTableTask.run}. */
export interface TransformSourceTableInputs extends Readonly<Record<string, unknown>> {
  /** The `source` table (or any column data). */
  readonly inputCatalog: ColumnData;
  /** The functors (default: the config's functor file). */
  readonly funcs?: FunctorFile;
  /** The data ID, for `columnsFromDataId`. */
  readonly dataId?: Readonly<Record<string, unknown>>;
}

/** What {@link TransformSourceTableTask.run} returns. */
export interface TransformSourceTableResult {
  /** The transformed table. */
  readonly outputCatalog: Table;
  /** The functors left out for missing inputs (optional outputs, or `onMissingColumns: skip`). */
  readonly skipped: readonly SkippedFunctor[];
}

/**
 * The handle that `deferLoad` inputs come as (daf-butler's `DeferredDatasetHandle`).
 */
interface DeferredTableHandle {
  get(options?: { component?: string; parameters?: Readonly<Record<string, unknown>> }): Promise<unknown>;
}

/**
 * Transforms the `source` table into the `sourceTable`: every functor of the functor file
 * evaluated (calibrated fluxes in nJy from `base_LocalPhotoCalib`, coordinates in degrees,
 * copied and renamed flags), the primary key first, and the data ID columns appended
 * (`detector` as Int16). Functor files are LSST's layout; functors SkyStack does not implement
 * are reported by name when the file is loaded.
 *
 * @example
 * ```ts
 * const task = new TransformSourceTableTask();
 * const { outputCatalog } = await task.run({ inputCatalog: sourceTable, dataId: { visit: 1, detector: 2, band: 'r', physical_filter: 'r_03' } });
 * ```
 * @see lsst.pipe.tasks.postprocess.TransformSourceTableTask
 */
export class TransformSourceTableTask extends PipelineTask<TransformSourceTableConfig> {
  static override ConfigClass = TransformSourceTableConfig;
  static override _DefaultName: string | undefined = 'transformSourceTable';
  #funcs: Promise<FunctorFile> | undefined;

  /**
   * The functors of `config.functorFile`, loaded once. Unimplemented functors are logged as a
   * warning, by output column.
   *
   * @returns the parsed functor file
   * @throws {@link PipeTasksInvalidArgumentError} when `functorFile` is not set
   * @throws {@link FunctorFileError} when the file cannot be read or parsed
   */
  getFunctors(): Promise<FunctorFile> {
    if (this.#funcs === undefined) {
      const path = this.config.functorFile;
      if (path === null || path === '') {
        throw new PipeTasksInvalidArgumentError('config.functorFile is not set; it must be the path of a functor YAML file to run TransformSourceTableTask.');
      }
      this.#funcs = loadFunctorFile(path).then((file) => {
        if (file.unsupported.length > 0) {
          this.log.warn(
            `Functor file ${file.path ?? path}: ${file.unsupported.length} columns use functors SkyStack does not implement and are left out: ` +
              file.unsupported.map((u) => `${u.column} (${u.functorName})`).join(', '),
          );
        }
        return file;
      });
    }
    return this.#funcs;
  }

  /**
   * Transforms a table.
   *
   * @param inputs - the `source` table, optionally the functors and the data ID
   * @returns a Struct with `outputCatalog` and `skipped`
   * @throws {@link MissingColumnsError} when inputs are missing (see `onMissingColumns`),
   *   naming each missing column and the measurement plugin that makes it
   * @throws {@link PipeTasksInvalidArgumentError} when a `columnsFromDataId` key is not in the data ID
   */
  override async run(inputs: TransformSourceTableInputs): Promise<Struct<TransformSourceTableResult>> {
    const file = inputs.funcs ?? (await this.getFunctors());
    const source = columnSource(inputs.inputCatalog);
    this.log.info(`Transforming/standardizing the source table dataId: ${JSON.stringify(inputs.dataId ?? {})}`);
    const { table, skipped } = file.funcs.evaluateTable(source, {
      onMissing: this.config.onMissingColumns === 'skip' ? 'skip' : 'raise',
      optional: file.optional,
    });
    if (skipped.length > 0) {
      this.log.warn(
        `Left out ${skipped.length} columns whose inputs are missing: ` +
          skipped.map((s) => `${s.column} (needs ${s.missing.map((m) => `${m}, made by ${columnProducer(m) ?? 'an unknown plugin'}`).join('; ')})`).join('; '),
      );
    }
    const out = finishTable(table, this.config.primaryKey, this.config.columnsFromDataId ?? [], inputs.dataId);
    this.log.info(`Made a table of ${out.numCols} columns and ${out.numRows} rows`);
    return new Struct({ outputCatalog: out, skipped });
  }

  /**
   * Reads the columns the functors need from the deferred `source`, transforms, writes
   * `sourceTable`.
   *
   * @param butlerQC - the quantum context
   * @param inputRefs - the input references
   * @param outputRefs - the output references
   */
  override async runQuantum(butlerQC: QuantumContext, inputRefs: InputQuantizedConnection, outputRefs: OutputQuantizedConnection): Promise<void> {
    const funcs = await this.getFunctors();
    const inputs = (await butlerQC.get(inputRefs)) as { inputCatalog: DeferredTableHandle | Table };
    let table: Table;
    if (inputs.inputCatalog instanceof Table) {
      table = inputs.inputCatalog;
    } else {
      const schema = (await inputs.inputCatalog.get({ component: 'schema' })) as ArrowSchema;
      const columns = resolveColumns(schema, funcs.funcs.columns);
      table = (await inputs.inputCatalog.get({ parameters: { columns } })) as Table;
    }
    const result = await this.run({ inputCatalog: table, funcs, dataId: butlerQC.quantum.dataId.mapping });
    await butlerQC.put(new Struct({ outputCatalog: result.outputCatalog }), outputRefs);
  }
}

/**
 * The stored columns behind column names (aliases such as `slot_Centroid_x` resolved with the
 * table's alias metadata); names with no column are left out.
 *
 * @param schema - the table's Arrow schema
 * @param names - column names or aliases
 * @returns the distinct stored column names
 */
export function resolveColumns(schema: ArrowSchema, names: readonly string[]): string[] {
  const stored = new Set(schema.fields.map((f: ArrowField) => f.name));
  const aliases = aliasMapOf(schema);
  const out = new Set<string>();
  for (const name of names) {
    const target = stored.has(name) ? name : aliases?.apply(name);
    if (target !== undefined && stored.has(target)) out.add(target);
  }
  return [...out];
}

function dataIdColumn(key: string, value: unknown, length: number): { type: DataType; data: Data } {
  if (key === 'detector') {
    const v = Number(value);
    if (!Number.isInteger(v) || v < -32768 || v > 32767) throw new PipeTasksInvalidArgumentError(`Data ID detector=${String(value)} does not fit the Int16 'detector' column.`);
    return { type: new Int16(), data: makeData({ type: new Int16(), length, data: new Int16Array(length).fill(v) }) };
  }
  if (typeof value === 'number' || typeof value === 'bigint') {
    const v = BigInt(value);
    return { type: new Int64(), data: makeData({ type: new Int64(), length, data: new BigInt64Array(length).fill(v) }) };
  }
  const data = columnData(Array.from({ length }, () => String(value)));
  return { type: new Utf8(), data };
}

/**
 * Puts the primary key first and appends the data ID columns.
 *
 * @param table - the functors' output
 * @param primaryKey - the column to put first (when present)
 * @param keys - `columnsFromDataId`
 * @param dataId - the data ID
 * @returns the final table
 */
function finishTable(table: Table, primaryKey: string | null, keys: readonly string[], dataId: Readonly<Record<string, unknown>> | undefined): Table {
  const fields: ArrowField[] = [];
  const children: Data[] = [];
  const n = table.numRows;
  const order = table.schema.fields.map((f, i) => [f, i] as const);
  if (primaryKey !== null) order.sort((x, y) => Number(y[0].name === primaryKey) - Number(x[0].name === primaryKey));
  for (const [f, i] of order) {
    const vector = table.getChildAt(i)!;
    fields.push(f);
    // evaluateTable makes one record batch, so each column is one Data.
    children.push(vector.data[0]!);
  }
  if (dataId !== undefined && keys.length > 0) {
    for (const key of keys) {
      if (!(key in dataId)) {
        throw new PipeTasksInvalidArgumentError(`'${key}' in config.columnsFromDataId is not in the data ID ${JSON.stringify(dataId)}.`, {
          hint: `Data ID keys: ${Object.keys(dataId).join(', ') || '(none)'}.`,
        });
      }
      if (fields.some((f) => f.name === key)) continue;
      const { type, data } = dataIdColumn(key, dataId[key], n);
      fields.push(makeField(key, type, '', `From the data ID: ${key}`));
      children.push(data);
    }
  }
  return makeTable(fields, children, n);
}
