import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, link, mkdir, open, rename, rm, stat, symlink, unlink } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DatastoreError, DatasetNotFoundError } from '../errors.js';
import type { DatasetRef } from '../datasets/dataset-ref.js';
import type { Formatter, FormatterFactory } from '../formatters/formatter.js';
import type { Database, SqlValue } from '../registry/sql/database.js';
import type { StorageClass, StorageClassFactory } from '../storage/storage-class.js';
import type { FileTemplates } from './file-template.js';
import type { ArtifactLocation, Datastore, DatastoreGetOptions, FileDataset, PreparedArtifact, TransferMode } from './datastore.js';

/** daf_butler's marker for "no component" in the records table. */
const NO_COMPONENT = '__NULL_STRING__';
const RECORDS = 'file_datastore_records';
const TRASH = 'file_datastore_records_trash';

/** Options of {@link FileDatastore.create}. */
export interface FileDatastoreOptions {
  /** The directory that holds the files. */
  readonly root: string;
  /** The registry's database (the records table lives there, so records commit with datasets). */
  readonly db: Database;
  /** Path templates. */
  readonly templates: FileTemplates;
  /** Formatters by dataset type and storage class. */
  readonly formatters: FormatterFactory;
  /** Storage classes. */
  readonly storageClasses: StorageClassFactory;
  /** Record a SHA-256 checksum of each file (default false, as daf_butler). */
  readonly checksum?: boolean;
  /**
   * fsync each file before it is renamed into place (default false). Without it a killed
   * process still leaves whole datasets or none (the kernel keeps what was written); with it
   * that also holds across a power failure, at a cost of about a millisecond per file.
   */
  readonly fsync?: boolean;
}

interface RecordRow {
  readonly datasetId: string;
  readonly path: string;
  readonly formatter: string;
  readonly storageClass: string;
}

/**
 * The file datastore: each dataset is one file under the root, at a path made from the
 * dataset type's file template, written by the formatter configured for it. Writes go to a
 * temporary file in the destination directory that is renamed into place inside the registry
 * transaction that records the dataset, so a process killed at any moment leaves either the
 * whole dataset (registry row, record, file) or none of it (an unreferenced temporary file at
 * most, which is never read). Removal moves records to a trash table; {@link emptyTrash}
 * deletes the files no remaining dataset uses.
 *
 * @see lsst.daf.butler.datastores.fileDatastore.FileDatastore
 */
export class FileDatastore implements Datastore {
  /** `FileDatastore@<root>`. */
  readonly name: string;
  /** The root directory. */
  readonly root: string;
  readonly #db: Database;
  readonly #templates: FileTemplates;
  readonly #formatters: FormatterFactory;
  readonly #storageClasses: StorageClassFactory;
  readonly #checksum: boolean;
  readonly #fsync: boolean;

  private constructor(options: FileDatastoreOptions) {
    this.root = resolve(options.root);
    this.name = `FileDatastore@${this.root}`;
    this.#db = options.db;
    this.#templates = options.templates;
    this.#formatters = options.formatters;
    this.#storageClasses = options.storageClasses;
    this.#checksum = options.checksum ?? false;
    this.#fsync = options.fsync ?? false;
  }

  /**
   * Opens (creating its tables and root when missing) a file datastore.
   *
   * @param options - root, database, templates, formatters, storage classes
   * @returns the datastore
   */
  static async create(options: FileDatastoreOptions): Promise<FileDatastore> {
    const ds = new FileDatastore(options);
    await mkdir(ds.root, { recursive: true });
    const db = options.db;
    const uuid = db.dialect === 'sqlite' ? 'CHAR(36)' : 'UUID';
    const cols = `dataset_id ${uuid} NOT NULL, component VARCHAR(32) NOT NULL, path VARCHAR(256) NOT NULL, formatter VARCHAR(128) NOT NULL, storage_class VARCHAR(64) NOT NULL, checksum VARCHAR(128), file_size BIGINT`;
    await db.transaction(async () => {
      await db.exec(`CREATE TABLE IF NOT EXISTS ${RECORDS} (${cols}, PRIMARY KEY (dataset_id, component))`);
      await db.exec(`CREATE INDEX IF NOT EXISTS ${RECORDS}_path ON ${RECORDS} (path)`);
      await db.exec(`CREATE TABLE IF NOT EXISTS ${TRASH} (${cols})`);
    });
    return ds;
  }

  #absolute(path: string): string {
    return isAbsolute(path) ? path : join(this.root, path);
  }

  #formatterFor(ref: DatasetRef, storageClass: StorageClass): Formatter {
    return this.#formatters.getFormatter(ref.datasetType.makeCompositeDatasetType(), storageClass, this.#storageClasses);
  }

  readonly #validated = new Set<string>();
  /** Directories this process has made or seen (saves a mkdir per write). */
  readonly #dirs = new Set<string>();

  async #ensureDir(path: string): Promise<void> {
    if (this.#dirs.has(path)) return;
    await mkdir(path, { recursive: true });
    this.#dirs.add(path);
  }

  /** The relative path (with extension) of a dataset's file, from its template. */
  predictPath(ref: DatasetRef, storageClass: StorageClass, extension: string): string {
    const template = this.#templates.getTemplate(ref, storageClass.name);
    // A template that does not use every dimension of the dataset type (and the run) could
    // map two datasets to one file: refuse it before anything is written.
    const key = `${ref.datasetType.name}\u0000${template.template}`;
    if (!this.#validated.has(key)) {
      template.validateTemplate(ref);
      this.#validated.add(key);
    }
    const rel = template.format(ref) + extension;
    const abs = resolve(this.root, rel);
    if (!abs.startsWith(this.root + sep)) {
      throw new DatastoreError(`The template for '${ref.datasetType.name}' made a path outside the datastore: ${rel}.`);
    }
    return relative(this.root, abs);
  }

  async #pathInUse(path: string): Promise<string | undefined> {
    const rows = await this.#db.all(`SELECT dataset_id FROM ${RECORDS} WHERE path = ? LIMIT 1`, [path]);
    return rows.length > 0 ? String(rows[0]!['dataset_id']) : undefined;
  }

  async #checksumOf(path: string): Promise<string | null> {
    if (!this.#checksum) return null;
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }

  /** Size and checksum of a file, measured before the transaction that records it. */
  async #measure(absolute: string): Promise<{ size: number; checksum: string | null }> {
    return { size: (await stat(absolute)).size, checksum: await this.#checksumOf(absolute) };
  }

  async #insertRecord(ref: DatasetRef, path: string, formatter: string, storageClass: string, file: { size: number; checksum: string | null }): Promise<void> {
    await this.#db.insertMany(
      RECORDS,
      ['dataset_id', 'component', 'path', 'formatter', 'storage_class', 'checksum', 'file_size'],
      [[ref.id, NO_COMPONENT, path, formatter, storageClass, file.checksum, file.size] as SqlValue[]],
    );
  }

  /** @inheritDoc */
  async prepare(obj: unknown, ref: DatasetRef, storageClass: StorageClass): Promise<PreparedArtifact> {
    const formatter = this.#formatterFor(ref, storageClass);
    const path = this.predictPath(ref, storageClass, formatter.extension);
    const final = this.#absolute(path);
    await this.#ensureDir(dirname(final));
    const temp = join(dirname(final), `.tmp-${randomBytes(8).toString('hex')}-${ref.id}${formatter.extension}`);
    let file: { size: number; checksum: string | null };
    try {
      await formatter.write(obj, temp, { storageClass, datasetTypeName: ref.datasetType.name });
      if (this.#fsync) {
        const fh = await open(temp, 'r+');
        try {
          await fh.sync();
        } finally {
          await fh.close();
        }
      }
      file = await this.#measure(temp);
    } catch (e) {
      await rm(temp, { force: true });
      throw e;
    }
    return {
      ref,
      commit: async () => {
        const owner = await this.#pathInUse(path);
        if (owner !== undefined) {
          throw new DatastoreError(
            `Path ${path} of ${ref.toString()} is already used by dataset ${owner}: the file template maps two datasets to one file.`,
            { hint: 'Fix the template so that it includes every dimension of the dataset type (and {run}).' },
          );
        }
        await this.#insertRecord(ref, path, formatter.name, storageClass.name, file);
        // A file already at the final path that no record references is left over from a
        // writer killed between its rename and its commit: replacing it is safe.
        await rename(temp, final);
      },
      abort: async () => {
        await rm(temp, { force: true });
      },
    };
  }

  async #records(ids: readonly string[]): Promise<Map<string, RecordRow>> {
    const out = new Map<string, RecordRow>();
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const rows = await this.#db.all(
        `SELECT dataset_id, path, formatter, storage_class FROM ${RECORDS} WHERE component = ? AND dataset_id IN (${chunk.map(() => '?').join(', ')})`,
        [NO_COMPONENT, ...chunk],
      );
      for (const r of rows) {
        out.set(String(r['dataset_id']), {
          datasetId: String(r['dataset_id']),
          path: String(r['path']),
          formatter: String(r['formatter']),
          storageClass: String(r['storage_class']),
        });
      }
    }
    return out;
  }

  async #record(ref: DatasetRef): Promise<RecordRow> {
    const rec = (await this.#records([ref.id])).get(ref.id);
    if (rec === undefined) {
      throw new DatasetNotFoundError(`The datastore has no file for ${ref.toString()}.`, {
        hint: 'It may have been removed with --unstore, or registered without its file (import --without-datastore).',
      });
    }
    return rec;
  }

  /** @inheritDoc */
  async get(ref: DatasetRef, options: DatastoreGetOptions): Promise<unknown> {
    const rec = await this.#record(ref);
    const formatter = this.#formatters.getFormatterByName(rec.formatter);
    const path = this.#absolute(rec.path);
    const parameters = options.parameters;
    const fileStorageClass = this.#storageClasses.getStorageClass(rec.storageClass);
    fileStorageClass.validateParameters(parameters);
    try {
      if (options.component === undefined) return await formatter.read(path, { storageClass: fileStorageClass, parameters });
      if (formatter.canReadComponent(options.component)) {
        return await formatter.read(path, { storageClass: options.storageClass, component: options.component, parameters });
      }
      const whole = await formatter.read(path, { storageClass: fileStorageClass });
      const delegate = this.#formatters.getDelegate(fileStorageClass, this.#storageClasses);
      if (delegate === undefined) {
        throw new DatastoreError(
          `Cannot read component '${options.component}' of ${ref.toString()}: formatter ${formatter.name} cannot read it and storage class ${fileStorageClass.name} has no delegate.`,
        );
      }
      const comp = delegate.getComponent(whole, options.component);
      return parameters && delegate.handleParameters ? delegate.handleParameters(comp, parameters) : comp;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new DatastoreError(`The file of ${ref.toString()} is missing: ${path}.`, { cause: e });
      }
      throw e;
    }
  }

  /** @inheritDoc */
  async exists(ref: DatasetRef): Promise<boolean> {
    const rec = (await this.#records([ref.id])).get(ref.id);
    if (rec === undefined) return false;
    try {
      await stat(this.#absolute(rec.path));
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The `file://` URI of a dataset's file. With `predict`, a dataset without a file gives the
   * path its file template and formatter extension would give, as `file://...#predicted`
   * (as daf_butler's `getURI(predict=True)`).
   *
   * @param ref - the dataset (a parent, not a component)
   * @param options - `predict`
   * @returns the URI
   * @throws DatasetNotFoundError when the datastore has no file for it and `predict` is not set
   * @see lsst.daf.butler.datastores.fileDatastore.FileDatastore.getURI
   */
  async getURI(
    ref: DatasetRef,
    options: {
      /** Give the predicted URI of a dataset that is not stored instead of throwing. */
      readonly predict?: boolean | undefined;
    } = {},
  ): Promise<string> {
    const rec = (await this.#records([ref.id])).get(ref.id);
    if (rec !== undefined || !options.predict) return pathToFileURL(this.#absolute((rec ?? (await this.#record(ref))).path)).href;
    const storageClass = this.#storageClasses.getStorageClass(ref.datasetType.storageClass);
    const path = this.predictPath(ref, storageClass, this.#formatterFor(ref, storageClass).extension);
    return `${pathToFileURL(this.#absolute(path)).href}#predicted`;
  }

  /** @inheritDoc */
  async locate(refs: readonly DatasetRef[]): Promise<ArtifactLocation[]> {
    const recs = await this.#records(refs.map((r) => r.id));
    const out: ArtifactLocation[] = [];
    for (const ref of refs) {
      const rec = recs.get(ref.id);
      if (rec) out.push({ ref, path: rec.path, formatter: rec.formatter, absolute: this.#absolute(rec.path) });
    }
    return out;
  }

  /** @inheritDoc */
  async prepareIngest(datasets: readonly FileDataset[], transfer: TransferMode): Promise<PreparedArtifact[]> {
    const out: PreparedArtifact[] = [];
    for (const fd of datasets) {
      const source = resolve(fd.path);
      await stat(source).catch((e: unknown) => {
        throw new DatastoreError(`Cannot ingest ${fd.path}: the file does not exist.`, { cause: e });
      });
      for (const [i, ref] of fd.refs.entries()) {
        const storageClass = this.#storageClasses.getStorageClass(ref.datasetType.storageClass);
        const formatter = fd.formatter !== undefined ? this.#formatters.getFormatterByName(fd.formatter) : this.#formatterFor(ref, storageClass);
        const inside = source.startsWith(this.root + sep);
        const mode: TransferMode = transfer === 'auto' ? (inside ? 'direct' : 'copy') : transfer;
        const ext = extname(source) || formatter.extension;
        let path: string;
        let placed: string | undefined;
        if (mode === 'direct') path = inside ? relative(this.root, source) : source;
        else {
          path = this.predictPath(ref, storageClass, ext);
          placed = this.#absolute(path);
          await mkdir(dirname(placed), { recursive: true });
        }
        const temp = placed === undefined ? undefined : join(dirname(placed), `.tmp-${randomBytes(8).toString('hex')}${ext}`);
        if (temp !== undefined) {
          // Only the first ref of a multi-dataset file moves it; the others link to the same path.
          const effective = mode === 'move' && i > 0 ? 'copy' : mode;
          await transferFile(source, temp, effective);
        }
        const file = await this.#measure(temp ?? this.#absolute(path));
        out.push({
          ref,
          commit: async () => {
            await this.#insertRecord(ref, path, formatter.name, storageClass.name, file);
            if (temp !== undefined && placed !== undefined) await rename(temp, placed);
          },
          abort: async () => {
            if (temp !== undefined) await rm(temp, { force: true });
          },
        });
      }
    }
    return out;
  }

  /** @inheritDoc */
  async trash(refs: readonly DatasetRef[]): Promise<void> {
    for (let i = 0; i < refs.length; i += 500) {
      const chunk = refs.slice(i, i + 500).map((r) => r.id);
      const ph = chunk.map(() => '?').join(', ');
      await this.#db.run(`INSERT INTO ${TRASH} SELECT * FROM ${RECORDS} WHERE dataset_id IN (${ph})`, chunk);
      await this.#db.run(`DELETE FROM ${RECORDS} WHERE dataset_id IN (${ph})`, chunk);
    }
  }

  /** @inheritDoc */
  async emptyTrash(): Promise<number> {
    const rows = await this.#db.all(`SELECT DISTINCT path FROM ${TRASH}`);
    let removed = 0;
    for (const r of rows) {
      const path = String(r['path']);
      await this.#db.transaction(async () => {
        const used = await this.#pathInUse(path);
        await this.#db.run(`DELETE FROM ${TRASH} WHERE path = ?`, [path]);
        // Files outside the root were ingested in place ('direct'): not ours to delete.
        if (used === undefined && !isAbsolute(path)) {
          await unlink(this.#absolute(path)).catch((e: NodeJS.ErrnoException) => {
            if (e.code !== 'ENOENT') throw e;
          });
          removed++;
        }
      });
    }
    return removed;
  }
}

/**
 * Puts a copy of (or a link to) `source` at `dest` according to the transfer mode.
 *
 * @param source - existing file
 * @param dest - new path (must not exist)
 * @param mode - copy, move, link (hard, falling back to symbolic), symlink, hardlink, relsymlink
 */
export async function transferFile(source: string, dest: string, mode: TransferMode): Promise<void> {
  switch (mode) {
    case 'copy':
      await copyFile(source, dest);
      return;
    case 'move':
      try {
        await rename(source, dest);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
        await copyFile(source, dest);
        await unlink(source);
      }
      return;
    case 'hardlink':
      await link(source, dest);
      return;
    case 'link':
      try {
        await link(source, dest);
      } catch {
        await symlink(resolve(source), dest);
      }
      return;
    case 'symlink':
      await symlink(resolve(source), dest);
      return;
    case 'relsymlink':
      await symlink(relative(dirname(dest), resolve(source)), dest);
      return;
    default:
      throw new DatastoreError(`Transfer mode '${mode}' cannot place a file.`);
  }
}
