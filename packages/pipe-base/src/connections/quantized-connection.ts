import type { DataCoordinate, DatasetRef } from '@skystack/daf-butler';

/**
 * One unit of work of a task: its data ID and the datasets it reads and writes, grouped by
 * dataset type name.
 *
 * @see lsst.daf.butler.Quantum
 */
export interface Quantum {
  /** The task label, when known (used in messages). */
  readonly taskLabel?: string | undefined;
  /** The quantum's data ID (in the task's dimensions). */
  readonly dataId: DataCoordinate;
  /** Input datasets (regular and prerequisite) by dataset type name. */
  readonly inputs: ReadonlyMap<string, readonly DatasetRef[]>;
  /** Output datasets by dataset type name. */
  readonly outputs: ReadonlyMap<string, readonly DatasetRef[]>;
}

/**
 * A reference to a dataset the task wants as a deferred handle (its connection has
 * `deferLoad`), not loaded.
 *
 * @see lsst.pipe.base.connections.DeferredDatasetRef
 */
export class DeferredDatasetRef {
  /** The dataset. */
  readonly datasetRef: DatasetRef;

  /**
   * Wraps a reference.
   *
   * @param datasetRef - the dataset
   */
  constructor(datasetRef: DatasetRef) {
    this.datasetRef = datasetRef;
  }
}

/** A reference as a quantized connection holds it. */
export type QuantizedRef = DatasetRef | DeferredDatasetRef;

/**
 * The input datasets of a quantum by connection name: one reference for a connection with
 * `multiple: false`, a list otherwise. Connections with no dataset (an optional
 * prerequisite) are absent.
 *
 * @see lsst.pipe.base.InputQuantizedConnection
 */
export type InputQuantizedConnection = Readonly<Record<string, QuantizedRef | readonly QuantizedRef[]>>;

/**
 * The output datasets of a quantum by connection name: one reference for a connection with
 * `multiple: false`, a list otherwise.
 *
 * @see lsst.pipe.base.OutputQuantizedConnection
 */
export type OutputQuantizedConnection = Readonly<Record<string, DatasetRef | readonly DatasetRef[]>>;
