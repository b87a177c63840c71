import type { DatasetRef } from '../datasets/dataset-ref.js';
import type { StorageClass } from '../storage/storage-class.js';

/** How {@link Datastore.prepareIngest} and `retrieveArtifacts` bring a file in (daf_butler's `transfer` option). */
export type TransferMode = 'auto' | 'copy' | 'move' | 'link' | 'symlink' | 'hardlink' | 'relsymlink' | 'direct';

/** The transfer modes, for option parsing. */
export const TRANSFER_MODES: readonly TransferMode[] = ['auto', 'copy', 'move', 'link', 'symlink', 'hardlink', 'relsymlink', 'direct'];

/** Options of {@link Datastore.get}. */
export interface DatastoreGetOptions {
  /** The storage class of what is read (the dataset type's, or a component's). */
  readonly storageClass: StorageClass;
  /** The component to read (`wcs` of a `calexp`), if any. */
  readonly component?: string | undefined;
  /** Read parameters (`bbox`, `columns`, ...). */
  readonly parameters?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * A written-but-not-yet-visible artifact: {@link commit} makes it part of the repository
 * and must run inside the same registry transaction that inserts the dataset, so that a
 * crash leaves either both or neither; {@link abort} removes it.
 */
export interface PreparedArtifact {
  /** The dataset. */
  readonly ref: DatasetRef;
  /** Records the artifact (inside the caller's transaction) and moves it into place. */
  commit(): Promise<void>;
  /** Discards the artifact (after a failed transaction). */
  abort(): Promise<void>;
}

/** A file to ingest: its path and the datasets it holds. @see lsst.daf.butler.FileDataset */
export interface FileDataset {
  /** The file's path. */
  readonly path: string;
  /** The dataset(s) it holds (resolved references). */
  readonly refs: readonly DatasetRef[];
  /** The formatter that reads it (default: the one configured for the dataset type). */
  readonly formatter?: string | undefined;
}

/** Where a dataset's artifact is, for export and transfer. */
export interface ArtifactLocation {
  /** The dataset. */
  readonly ref: DatasetRef;
  /** The path relative to the datastore root, or absolute for files outside it. */
  readonly path: string;
  /** The formatter's name. */
  readonly formatter: string;
  /** The absolute path. */
  readonly absolute: string;
}

/**
 * Where datasets' contents live. Two implementations: {@link FileDatastore} (files under the
 * repository, path templates, formatters, records in the registry database) and
 * {@link InMemoryDatastore} (objects in a map, for tests).
 *
 * @see lsst.daf.butler.Datastore
 */
export interface Datastore {
  /** A name for messages. */
  readonly name: string;
  /** Writes a dataset's artifact where nobody sees it yet. */
  prepare(obj: unknown, ref: DatasetRef, storageClass: StorageClass): Promise<PreparedArtifact>;
  /** Reads a dataset (or one component of it). */
  get(ref: DatasetRef, options: DatastoreGetOptions): Promise<unknown>;
  /** Whether the datastore has a record of the dataset and its artifact exists. */
  exists(ref: DatasetRef): Promise<boolean>;
  /**
   * The URI of the dataset's artifact (`file://` for files). With `predict`, a dataset that
   * is not stored gives where its artifact would go, with the fragment `#predicted`.
   */
  getURI(
    ref: DatasetRef,
    options?: {
      /** Give the predicted URI of a dataset that is not stored instead of throwing. */
      readonly predict?: boolean | undefined;
    },
  ): Promise<string>;
  /** Prepares the ingest of existing files (commit inside the registry transaction). */
  prepareIngest(datasets: readonly FileDataset[], transfer: TransferMode): Promise<PreparedArtifact[]>;
  /** Moves the records of datasets to the trash (inside the caller's transaction); files stay until {@link emptyTrash}. */
  trash(refs: readonly DatasetRef[]): Promise<void>;
  /** Deletes the files of trashed datasets that no remaining dataset uses. */
  emptyTrash(): Promise<number>;
  /** Where the datasets' artifacts are (datasets without one are left out). */
  locate(refs: readonly DatasetRef[]): Promise<ArtifactLocation[]>;
}
