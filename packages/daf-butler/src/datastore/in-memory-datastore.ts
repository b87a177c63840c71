import { DatastoreError, DatasetNotFoundError } from '../errors.js';
import type { DatasetRef } from '../datasets/dataset-ref.js';
import type { FormatterFactory } from '../formatters/formatter.js';
import type { StorageClass, StorageClassFactory } from '../storage/storage-class.js';
import type { ArtifactLocation, Datastore, DatastoreGetOptions, FileDataset, PreparedArtifact, TransferMode } from './datastore.js';

/**
 * A datastore that keeps objects in memory (for fast tests and for pipelines that pass
 * intermediate results in one process). Objects are stored as given: callers must not
 * mutate them afterwards. Components and parameters are served by the storage class's
 * delegate.
 *
 * @see lsst.daf.butler.datastores.inMemoryDatastore.InMemoryDatastore
 */
export class InMemoryDatastore implements Datastore {
  /** `InMemoryDatastore`. */
  readonly name = 'InMemoryDatastore';
  readonly #objects = new Map<string, { obj: unknown; storageClass: string }>();
  readonly #trash = new Set<string>();
  readonly #formatters: FormatterFactory;
  readonly #storageClasses: StorageClassFactory;

  /**
   * Makes an empty in-memory datastore.
   *
   * @param formatters - gives the storage class delegates (components, parameters)
   * @param storageClasses - storage classes
   */
  constructor(formatters: FormatterFactory, storageClasses: StorageClassFactory) {
    this.#formatters = formatters;
    this.#storageClasses = storageClasses;
  }

  /** @inheritDoc */
  async prepare(obj: unknown, ref: DatasetRef, storageClass: StorageClass): Promise<PreparedArtifact> {
    return {
      ref,
      commit: async () => {
        this.#objects.set(ref.id, { obj, storageClass: storageClass.name });
      },
      abort: async () => undefined,
    };
  }

  /** @inheritDoc */
  async get(ref: DatasetRef, options: DatastoreGetOptions): Promise<unknown> {
    const entry = this.#objects.get(ref.id);
    if (entry === undefined) throw new DatasetNotFoundError(`The in-memory datastore has no ${ref.toString()}.`);
    const sc = this.#storageClasses.getStorageClass(entry.storageClass);
    sc.validateParameters(options.parameters);
    const delegate = this.#formatters.getDelegate(sc, this.#storageClasses);
    let value = entry.obj;
    if (options.component !== undefined) {
      if (delegate === undefined) {
        throw new DatastoreError(`Storage class ${sc.name} has no delegate to extract component '${options.component}'.`);
      }
      value = delegate.getComponent(value, options.component);
    }
    if (options.parameters && Object.keys(options.parameters).length > 0) {
      if (delegate?.handleParameters === undefined) {
        throw new DatastoreError(`Storage class ${sc.name} has no delegate to apply read parameters.`);
      }
      value = delegate.handleParameters(value, options.parameters);
    }
    return value;
  }

  /** @inheritDoc */
  async exists(ref: DatasetRef): Promise<boolean> {
    return this.#objects.has(ref.id);
  }

  /**
   * A `mem://<dataset ID>` URI; with `predict`, a dataset not held gives `mem://<dataset ID>#predicted`.
   *
   * @param ref - the dataset
   * @param options - `predict`
   * @returns the URI
   * @throws DatasetNotFoundError when the dataset is not held and `predict` is not set
   * @see lsst.daf.butler.datastores.inMemoryDatastore.InMemoryDatastore.getURI
   */
  async getURI(
    ref: DatasetRef,
    options: {
      /** Give the predicted URI of a dataset that is not held instead of throwing. */
      readonly predict?: boolean | undefined;
    } = {},
  ): Promise<string> {
    if (this.#objects.has(ref.id)) return `mem://${ref.id}`;
    if (options.predict) return `mem://${ref.id}#predicted`;
    throw new DatasetNotFoundError(`The in-memory datastore has no ${ref.toString()}.`);
  }

  /** @inheritDoc */
  async prepareIngest(_datasets: readonly FileDataset[], _transfer: TransferMode): Promise<PreparedArtifact[]> {
    throw new DatastoreError('The in-memory datastore cannot ingest files.');
  }

  /** @inheritDoc */
  async trash(refs: readonly DatasetRef[]): Promise<void> {
    for (const r of refs) this.#trash.add(r.id);
  }

  /** @inheritDoc */
  async emptyTrash(): Promise<number> {
    let n = 0;
    for (const id of this.#trash) if (this.#objects.delete(id)) n++;
    this.#trash.clear();
    return n;
  }

  /** @inheritDoc */
  async locate(_refs: readonly DatasetRef[]): Promise<ArtifactLocation[]> {
    return [];
  }
}
