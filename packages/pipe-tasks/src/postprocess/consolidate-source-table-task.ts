// ConsolidateSourceTableTask: the per-detector `sourceTable`s of a visit as one
// `sourceTable_visit` (lsst.pipe.tasks.postprocess).
import { DeferredDatasetRef, Input, Output, PipelineTask, PipelineTaskConfig, Struct, defineConnections, timeMethod } from '@skystack/pipe-base';
import type { ConnectionNames, ConnectionsConfig, InputQuantizedConnection, OutputQuantizedConnection, QuantizedRef, QuantumContext } from '@skystack/pipe-base';
import { Table } from 'apache-arrow';
import { PipeTasksInvalidArgumentError } from '../errors.js';
import { concatTables } from './concat-tables.js';

const VISIT = ['instrument', 'visit'] as const;

/**
 * The connections of {@link ConsolidateSourceTableTask}, per `(instrument, visit)`: the
 * `{catalogType}sourceTable` of every detector of the visit (ArrowAstropy, deferred) in,
 * `{catalogType}sourceTable_visit` (ArrowAstropy) out. drp_pipe's `consolidatePreSourceTable`
 * is this task with `preSourceTable` → `preSourceTable_visit`.
 *
 * @see lsst.pipe.tasks.postprocess.ConsolidateSourceTableConnections
 */
export class ConsolidateSourceTableConnections extends defineConnections({
  dimensions: VISIT,
  defaultTemplates: { catalogType: '' },
  connections: {
    /** The source tables of the detectors. */
    inputCatalogs: new Input({
      doc: 'Input per-detector Source Tables',
      name: '{catalogType}sourceTable',
      storageClass: 'ArrowAstropy',
      dimensions: ['instrument', 'visit', 'detector'],
      multiple: true,
      deferLoad: true,
    }),
    /** The source table of the visit. */
    outputCatalog: new Output({
      doc: 'Per-visit concatenation of Source Table',
      name: '{catalogType}sourceTable_visit',
      storageClass: 'ArrowAstropy',
      dimensions: VISIT,
    }),
  },
}) {}

/**
 * The config of {@link ConsolidateSourceTableTask} (connections only, as LSST).
 *
 * @see lsst.pipe.tasks.postprocess.ConsolidateSourceTableConfig
 */
export class ConsolidateSourceTableConfig extends PipelineTaskConfig.withConnections(ConsolidateSourceTableConnections) {
  /** The dataset type names of the connections (`config.connections.inputCatalogs = 'preSourceTable'`). */
  declare readonly connections: ConnectionsConfig<ConnectionNames<typeof ConsolidateSourceTableConnections>>;
}

/** What {@link ConsolidateSourceTableTask.run} returns. */
export interface ConsolidateSourceTableResult {
  /** The source table of the visit (`sourceTable_visit`). */
  readonly outputCatalog: Table;
}

/** A deferred input: what `deferLoad` connections come as (daf-butler's `DeferredDatasetHandle`). */
interface TableHandle {
  get(): Promise<unknown>;
}

/**
 * Concatenates the `sourceTable`s of a visit's detectors into `sourceTable_visit`, the
 * per-visit Parquet table of the DP0 tutorials, with the rows of each detector together and the
 * detectors in increasing order (`runQuantum` sorts the inputs by detector, as LSST's
 * `reorderRefs`). The columns are unchanged: the tables must all have the same ones.
 *
 * @example
 * ```ts
 * const { outputCatalog } = new ConsolidateSourceTableTask().run({ inputCatalogs: [det0, det1] }).getDict();
 * outputCatalog.numRows; // det0.numRows + det1.numRows
 * ```
 * @see lsst.pipe.tasks.postprocess.ConsolidateSourceTableTask
 */
export class ConsolidateSourceTableTask extends PipelineTask<ConsolidateSourceTableConfig> {
  /** {@link ConsolidateSourceTableConfig}. */
  static override ConfigClass = ConsolidateSourceTableConfig;
  /** `consolidateSourceTable`. */
  static override _DefaultName: string | undefined = 'consolidateSourceTable';

  /**
   * Concatenates the tables in the order given.
   *
   * @param inputs - the detector tables
   * @param inputs.inputCatalogs - the tables (same columns), in detector order
   * @returns a Struct with `outputCatalog`
   * @throws {@link PipeTasksInvalidArgumentError} for no tables or tables with different columns
   */
  override run(inputs: { readonly inputCatalogs: readonly Table[] }): Struct<ConsolidateSourceTableResult> {
    return timeMethod(this, 'run', () => {
      const outputCatalog = concatTables(inputs.inputCatalogs, 'sourceTable');
      this.log.info(`Concatenated ${inputs.inputCatalogs.length} per-detector source tables: ${outputCatalog.numRows} rows`);
      return new Struct<ConsolidateSourceTableResult>({ outputCatalog });
    });
  }

  /**
   * Sorts the inputs by detector, reads them, concatenates them and writes `sourceTable_visit`.
   *
   * @param butlerQC - the quantum context
   * @param inputRefs - the input references
   * @param outputRefs - the output references
   * @throws {@link PipeTasksInvalidArgumentError} when an input does not read as an Arrow table
   */
  override async runQuantum(butlerQC: QuantumContext, inputRefs: InputQuantizedConnection, outputRefs: OutputQuantizedConnection): Promise<void> {
    const refs = sortByDetector((inputRefs['inputCatalogs'] ?? []) as readonly QuantizedRef[]);
    const inputs = (await butlerQC.get({ ...inputRefs, inputCatalogs: refs })) as { inputCatalogs: (Table | TableHandle)[] };
    const tables = await Promise.all(inputs.inputCatalogs.map(async (h) => (h instanceof Table ? h : await readTable(h))));
    await butlerQC.put(this.run({ inputCatalogs: tables }), outputRefs);
  }
}

/**
 * Input references sorted by their `detector` (LSST's `reorderRefs` by `dataIdKey='detector'`).
 *
 * @param refs - the references (plain or deferred)
 * @returns a sorted copy
 * @example
 * ```ts
 * const refs = sortByDetector(inputRefs['inputCatalogs'] as QuantizedRef[]);
 * ```
 */
export function sortByDetector<R extends QuantizedRef>(refs: readonly R[]): R[] {
  const detectorOf = (r: QuantizedRef): number => Number((r instanceof DeferredDatasetRef ? r.datasetRef : r).dataId.get('detector'));
  return [...refs].sort((a, b) => detectorOf(a) - detectorOf(b));
}

async function readTable(handle: TableHandle): Promise<Table> {
  const t = await handle.get();
  if (!(t instanceof Table)) {
    throw new PipeTasksInvalidArgumentError(`A sourceTable read as ${t === null ? 'null' : typeof t}; expected an Arrow Table (storage class ArrowAstropy).`);
  }
  return t;
}
