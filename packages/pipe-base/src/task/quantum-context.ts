import type { Butler, DatasetRef } from '@skystack/daf-butler';
import { DeferredDatasetRef } from '../connections/quantized-connection.js';
import type { InputQuantizedConnection, OutputQuantizedConnection, Quantum, QuantizedRef } from '../connections/quantized-connection.js';
import { TaskDefinitionError } from './errors.js';
import { Struct } from './struct.js';

/** What {@link QuantumContext.get} accepts: a quantized connection, one reference, or a list. */
export type QuantumGetArg = InputQuantizedConnection | QuantizedRef | readonly QuantizedRef[];

/**
 * How a PipelineTask reads its inputs and writes its outputs in `runQuantum`, whatever the
 * executor (a Butler, an in-memory store, a batch job).
 *
 * @see lsst.pipe.base.QuantumContext
 */
export interface QuantumContext {
  /** The quantum being run. */
  readonly quantum: Quantum;
  /**
   * Reads datasets: for a quantized connection, an object with the same keys holding the
   * loaded datasets (lists for `multiple` connections, deferred handles for `deferLoad`); for
   * one reference, the dataset; for a list, the list.
   */
  get(refs: QuantumGetArg): Promise<unknown>;
  /**
   * Writes the items of a result struct (or plain object) to the outputs of the same names,
   * or one object to one reference.
   */
  put(values: object, refs: OutputQuantizedConnection | DatasetRef | readonly DatasetRef[]): Promise<void>;
}

/**
 * A {@link QuantumContext} over a daf-butler `Butler`: reads by dataset reference, writes into the
 * RUN and data ID of each output reference. ctrl-mpexec's executor uses it.
 *
 * @example
 * ```ts
 * const butlerQC = new ButlerQuantumContext(butler, quantum);
 * const { inputs, outputs } = connections.buildDatasetRefs(quantum);
 * await task.runQuantum(butlerQC, inputs, outputs);
 * ```
 * @see lsst.pipe.base.QuantumContext
 */
export class ButlerQuantumContext implements QuantumContext {
  /** The Butler read from and written to. */
  readonly butler: Butler;
  /** The quantum being run. */
  readonly quantum: Quantum;
  /** References of the datasets written so far. */
  readonly written: DatasetRef[] = [];

  /**
   * Makes the context.
   *
   * @param butler - a writeable Butler
   * @param quantum - the quantum
   */
  constructor(butler: Butler, quantum: Quantum) {
    this.butler = butler;
    this.quantum = quantum;
  }

  async #getOne(ref: QuantizedRef): Promise<unknown> {
    if (ref instanceof DeferredDatasetRef) return this.butler.getDeferred(ref.datasetRef);
    return this.butler.get(ref);
  }

  /**
   * Reads datasets (see {@link QuantumContext.get}).
   *
   * @param refs - a quantized connection, a reference or a list of them
   * @returns the datasets, in the same shape
   * @see lsst.pipe.base.QuantumContext.get
   */
  async get(refs: QuantumGetArg): Promise<unknown> {
    if (Array.isArray(refs)) return Promise.all((refs as readonly QuantizedRef[]).map((r) => this.#getOne(r)));
    if (refs instanceof DeferredDatasetRef || isDatasetRef(refs)) return this.#getOne(refs as QuantizedRef);
    const out: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(refs as InputQuantizedConnection)) {
      out[name] = Array.isArray(value) ? await Promise.all((value as readonly QuantizedRef[]).map((r) => this.#getOne(r))) : await this.#getOne(value as QuantizedRef);
    }
    return out;
  }

  async #putOne(obj: unknown, ref: DatasetRef): Promise<void> {
    this.written.push(await this.butler.put(obj, ref.datasetType, ref.dataId, { run: ref.run }));
  }

  /**
   * Writes outputs (see {@link QuantumContext.put}).
   *
   * @param values - a result {@link Struct} (or plain object) with one item per output
   *   connection, or one object when `refs` is a reference
   * @param refs - the output references by connection name, or a reference, or a list
   * @throws {@link TaskDefinitionError} when an output has no item in `values`, or a list
   *   item's length differs from its references
   * @see lsst.pipe.base.QuantumContext.put
   */
  async put(values: object, refs: OutputQuantizedConnection | DatasetRef | readonly DatasetRef[]): Promise<void> {
    if (isDatasetRef(refs)) return this.#putOne(values, refs);
    if (Array.isArray(refs)) {
      const list = values as readonly unknown[];
      if (!Array.isArray(list) || list.length !== refs.length) {
        throw new TaskDefinitionError(`put: ${refs.length} references need a list of as many objects; got ${Array.isArray(list) ? list.length : typeof values}.`);
      }
      for (let i = 0; i < refs.length; i++) await this.#putOne(list[i], (refs as readonly DatasetRef[])[i]!);
      return;
    }
    const items = (values instanceof Struct ? (values as Struct).getDict() : values) as Record<string, unknown>;
    for (const [name, ref] of Object.entries(refs as OutputQuantizedConnection)) {
      if (!(name in items)) {
        throw new TaskDefinitionError(`The result has no item '${name}' for the output connection of that name.`, {
          hint: `Result items: ${Object.keys(items).join(', ') || '(none)'}.`,
        });
      }
      await this.put(items[name] as object, ref);
    }
  }
}

function isDatasetRef(x: unknown): x is DatasetRef {
  return typeof x === 'object' && x !== null && 'datasetType' in x && 'dataId' in x && 'run' in x && 'id' in x;
}
