// WriteSourceTableTask: the `src` SourceCatalog of a visit and detector as the `source` table.
import type { SourceCatalog } from '@skystack/afw-table';
import { Input, Output, PipelineTask, PipelineTaskConfig, Struct, defineConnections, timeMethod } from '@skystack/pipe-base';
import type { ConnectionNames, ConnectionsConfig, InputQuantizedConnection, OutputQuantizedConnection, QuantumContext } from '@skystack/pipe-base';
import { Int16, Int64, RecordBatch, Schema as ArrowSchema, Struct as ArrowStruct, Table, makeData, type Data } from 'apache-arrow';
import { PipeTasksInvalidArgumentError } from '../errors.js';
import { makeField } from '../functors/composite-functor.js';

const VISIT_DETECTOR = ['instrument', 'visit', 'detector'] as const;

/**
 * The connections of {@link WriteSourceTableTask}: `catalog` (`{catalogType}src`,
 * SourceCatalog) in, `outputCatalog` (`{catalogType}source`, DataFrame) out, per
 * `(instrument, visit, detector)`.
 *
 * @see lsst.pipe.tasks.postprocess.WriteSourceTableConnections
 */
export class WriteSourceTableConnections extends defineConnections({
  dimensions: VISIT_DETECTOR,
  defaultTemplates: { catalogType: '' },
  connections: {
    /** The `src` catalog. */
    catalog: new Input({
      doc: 'Input full-depth catalog of sources produced by CalibrateTask',
      name: '{catalogType}src',
      storageClass: 'SourceCatalog',
      dimensions: VISIT_DETECTOR,
    }),
    /** The `source` table. */
    outputCatalog: new Output({
      doc: 'Catalog of sources, `src` as a table (Parquet). Columns are unchanged.',
      name: '{catalogType}source',
      storageClass: 'DataFrame',
      dimensions: VISIT_DETECTOR,
    }),
  },
}) {}

/**
 * The config of {@link WriteSourceTableTask} (connections only).
 *
 * @see lsst.pipe.tasks.postprocess.WriteSourceTableConfig
 */
export class WriteSourceTableConfig extends PipelineTaskConfig.withConnections(WriteSourceTableConnections) {
  /** The dataset type names of the connections (`config.connections.outputCatalog = 'mySource'`). */
  declare readonly connections: ConnectionsConfig<ConnectionNames<typeof WriteSourceTableConnections>>;
}

/** The inputs of {@link WriteSourceTableTask.run}. */
export interface WriteSourceTableInputs extends Readonly<Record<string, unknown>> {
  /** The `src` catalog. */
  readonly catalog: SourceCatalog;
  /** The visit, added as an Int64 column `visit`. */
  readonly visit: number;
  /** The detector, added as an Int16 column `detector`. */
  readonly detector: number;
}

/** What {@link WriteSourceTableTask.run} returns. */
export interface WriteSourceTableResult {
  /** The `source` table. */
  readonly table: Table;
}

/**
 * Writes a `src` catalog as the `source` table: every field as a column (afw's `asAstropy`:
 * angles in radians, flags as booleans, units and docs in the field metadata, the alias map in
 * the schema metadata so that `slot_*` names still resolve), plus `visit` (Int64) and
 * `detector` (Int16, as LSST: databases dislike unsigned bytes).
 *
 * @example
 * ```ts
 * const task = new WriteSourceTableTask();
 * const { table } = task.run({ catalog: src, visit: 1228, detector: 42 }).getDict();
 * table.getChild('visit'); // 1228 on every row
 * ```
 * @see lsst.pipe.tasks.postprocess.WriteSourceTableTask
 */
export class WriteSourceTableTask extends PipelineTask<WriteSourceTableConfig> {
  static override ConfigClass = WriteSourceTableConfig;
  static override _DefaultName: string | undefined = 'writeSourceTable';

  /**
   * Converts the catalog.
   *
   * @param inputs - the catalog, visit and detector
   * @returns a Struct with `table`, the Arrow table
   * @throws {@link PipeTasksInvalidArgumentError} when the visit or detector is not an integer
   *   that fits its column, or the catalog already has a `visit` or `detector` field
   */
  override run(inputs: WriteSourceTableInputs): Struct<WriteSourceTableResult> {
    return timeMethod(this, 'run', () => {
      const { catalog, visit, detector } = inputs;
      if (!Number.isSafeInteger(visit)) throw new PipeTasksInvalidArgumentError(`visit must be an integer; got ${String(visit)}.`);
      if (!Number.isInteger(detector) || detector < -32768 || detector > 32767) {
        throw new PipeTasksInvalidArgumentError(`detector must be an integer in [-32768, 32767] (it is stored as Int16); got ${String(detector)}.`);
      }
      this.log.info(`Generating a table from the src catalog of visit=${visit}, detector=${detector} (${catalog.length} rows)`);
      const table = appendConstantColumns(catalog.toArrow(), visit, detector);
      return new Struct({ table });
    });
  }

  /**
   * Reads `src`, converts it with the quantum's visit and detector, writes `source`.
   *
   * @param butlerQC - the quantum context
   * @param inputRefs - the input references
   * @param outputRefs - the output references
   */
  override async runQuantum(butlerQC: QuantumContext, inputRefs: InputQuantizedConnection, outputRefs: OutputQuantizedConnection): Promise<void> {
    const inputs = (await butlerQC.get(inputRefs)) as { catalog: SourceCatalog };
    const visit = Number(butlerQC.quantum.dataId.get('visit'));
    const detector = Number(butlerQC.quantum.dataId.get('detector'));
    const result = this.run({ catalog: inputs.catalog, visit, detector });
    await butlerQC.put(new Struct({ outputCatalog: result.getDict().table }), outputRefs);
  }
}

/**
 * A table with the `visit` (Int64) and `detector` (Int16) columns appended.
 *
 * @param table - the catalog as a table
 * @param visit - the visit
 * @param detector - the detector
 * @returns the new table (same schema metadata)
 */
function appendConstantColumns(table: Table, visit: number, detector: number): Table {
  for (const name of ['visit', 'detector']) {
    if (table.schema.fields.some((f) => f.name === name)) {
      throw new PipeTasksInvalidArgumentError(`The src catalog already has a '${name}' field; WriteSourceTableTask adds one from the data ID.`);
    }
  }
  const visitField = makeField('visit', new Int64(), '', 'Visit of the exposure the source was measured on');
  const detectorField = makeField('detector', new Int16(), '', 'Detector the source was measured on');
  const fields = [...table.schema.fields, visitField, detectorField];
  const schema = new ArrowSchema(fields, table.schema.metadata);
  const batches = table.batches.map((batch) => {
    const n = batch.numRows;
    const visitData = makeData({ type: new Int64(), length: n, data: new BigInt64Array(n).fill(BigInt(visit)) });
    const detectorData = makeData({ type: new Int16(), length: n, data: new Int16Array(n).fill(detector) });
    const children: Data[] = [...batch.data.children, visitData, detectorData];
    return new RecordBatch(schema, makeData({ type: new ArrowStruct(fields), length: n, nullCount: 0, children }));
  });
  if (batches.length === 0) {
    const empty = makeData({
      type: new ArrowStruct(fields),
      length: 0,
      nullCount: 0,
      children: fields.map((f) => makeData({ type: f.type, length: 0 } as never) as Data),
    });
    return new Table(schema, new RecordBatch(schema, empty));
  }
  return new Table(schema, batches);
}
