import { BinaryTable, FitsFile, type Header } from '@skystack/fits';
import { AfwTableFormatError, AfwTableNotFoundError } from '../errors.js';
import { ArchiveCatalog, ArchiveRows } from './archive-rows.js';
import { PersistableRegistry, RawPersistable } from './persistable.js';

/** One row of an archive's `ARCHIVE_INDEX` catalog. */
export interface ArchiveIndexEntry {
  /** The archive ID of the object (1-based; 0 means "no object"). */
  readonly id: number;
  /** The catalog the rows are in, counted from the index (catalog 0). */
  readonly catArchive: number;
  /** Which of the object's catalogs this is (0-based). */
  readonly catPersistable: number;
  /** The first row of the object in that catalog. */
  readonly row0: number;
  /** The number of rows. */
  readonly nRows: number;
  /** The persistence name. */
  readonly name: string;
  /** The Python module. */
  readonly module: string;
}

/** Where an archived object came from: {@link archiveOrigin}'s result. */
export interface ArchiveOrigin {
  /** The archive it was read from. */
  readonly archive: InputArchive;
  /** Its ID there. */
  readonly id: number;
}

const origins = new WeakMap<object, ArchiveOrigin>();

/**
 * Where an object was read from: the archive and its ID there, or `undefined` for an object made
 * in memory. {@link OutputArchive} uses it to keep IDs when an archive is passed through.
 *
 * @param object - an object returned by {@link InputArchive.get}
 * @returns the archive and ID, or `undefined`
 */
export function archiveOrigin(object: object): ArchiveOrigin | undefined {
  return origins.get(object);
}

/** Options of the {@link InputArchive} readers. */
export interface InputArchiveOptions {
  /** The readers objects are decoded with (default: none registered, so objects come back raw). */
  readonly registry?: PersistableRegistry;
}

/** What {@link InputArchive.fromHdus} takes: one HDU's header and data unit, and its index in the file. */
export interface ArchiveHdu {
  /** The header. */
  readonly header: Header;
  /** The data unit. */
  readonly data: Uint8Array;
  /** The 0-based HDU index, for error messages. */
  readonly hdu?: number;
}

/**
 * An afw table-persistence archive read from FITS: the `ARCHIVE_INDEX` HDU (which object lives in
 * which rows of which catalog) and the `ARCHIVE_DATA` HDUs that follow it. Objects are decoded on
 * demand by the reader the caller's {@link PersistableRegistry} has for their persistence name,
 * and cached; an object without a reader comes back as a {@link RawPersistable}.
 *
 * @example
 * ```ts
 * const registry = registerFootprintReaders(new PersistableRegistry());
 * const archive = await InputArchive.readFits('footprints.fits', { registry });
 * archive.entries.map((e) => e.name); // ['SpanSet', 'Footprint']
 * const footprint = archive.get(2);
 * ```
 * @see lsst.afw.table.io.InputArchive
 */
export class InputArchive {
  /** The index rows, in file order. */
  readonly entries: readonly ArchiveIndexEntry[];
  /** The index HDU, as read. */
  readonly indexHdu: ArchiveHdu;
  /** The data catalogs; `catalogs[i]` is catalog `i + 1` of the archive. */
  readonly catalogs: readonly ArchiveCatalog[];
  /** The file, for error messages. */
  readonly file: string | undefined;
  /** The readers objects are decoded with. */
  readonly registry: PersistableRegistry;
  readonly #cache = new Map<number, unknown>();
  /** The index rows of each object, ordered by `cat.persistable`. */
  readonly #byId = new Map<number, ArchiveIndexEntry[]>();

  private constructor(indexHdu: ArchiveHdu, entries: ArchiveIndexEntry[], catalogs: ArchiveCatalog[], file: string | undefined, registry: PersistableRegistry) {
    this.indexHdu = indexHdu;
    this.registry = registry;
    this.entries = Object.freeze(entries);
    for (const e of entries) {
      const list = this.#byId.get(e.id);
      if (list === undefined) this.#byId.set(e.id, [e]);
      else list.push(e);
    }
    for (const list of this.#byId.values()) list.sort((a, b) => a.catPersistable - b.catPersistable);
    this.catalogs = Object.freeze(catalogs);
    this.file = file;
  }

  /**
   * Reads an archive from its HDUs: the index, then the data catalogs in order.
   *
   * @param index - the `ARCHIVE_INDEX` HDU
   * @param data - the `ARCHIVE_DATA` HDUs that follow it (`AR_NCAT - 1` of them)
   * @param options - the file name (for error messages) and the readers (default: none, so every
   *   object comes back as a {@link RawPersistable})
   * @returns the archive
   * @throws AfwTableFormatError when the index is malformed or points at a missing catalog
   */
  static fromHdus(index: ArchiveHdu, data: readonly ArchiveHdu[], options: InputArchiveOptions & { readonly file?: string } = {}): InputArchive {
    const file = options.file;
    const where = `${file ?? '(memory)'} HDU ${index.hdu ?? '?'}`;
    const table = BinaryTable.decode(index.header, index.data, { ...(file === undefined ? {} : { file }), ...(index.hdu === undefined ? {} : { hdu: index.hdu }) });
    // Version-0 tables (before AFW_TABLE_VERSION) write 'cat_archive' for 'cat.archive'.
    const column = (name: string): string => {
      const found = [name, name.replace('.', '_')].find((n) => table.hasColumn(n));
      if (found === undefined) throw new AfwTableFormatError(`The archive index in ${where} has no '${name}' column; it is not an afw ARCHIVE_INDEX.`);
      return found;
    };
    const num = (name: string): ArrayLike<number | bigint> => table.getNumericColumn(column(name));
    const ids = num('id');
    const catArchive = num('cat.archive');
    const catPersistable = num('cat.persistable');
    const row0 = num('row0');
    const nRows = num('nrows');
    const names = table.getStringColumn(column('name'));
    const modules = table.hasColumn('module') ? table.getStringColumn('module') : undefined;
    const entries: ArchiveIndexEntry[] = [];
    for (let r = 0; r < table.nRows; r++) {
      entries.push({
        id: Number(ids[r]),
        catArchive: Number(catArchive[r]),
        catPersistable: Number(catPersistable[r]),
        row0: Number(row0[r]),
        nRows: Number(nRows[r]),
        name: names[r]!.trimEnd(),
        module: modules?.[r]?.trimEnd() ?? '',
      });
    }
    const catalogs = data.map((hdu) => new ArchiveCatalog(hdu.header, hdu.data, { ...(file === undefined ? {} : { file }), ...(hdu.hdu === undefined ? {} : { hdu: hdu.hdu }) }));
    for (const e of entries) {
      if (!(e.catArchive >= 1 && e.catArchive <= catalogs.length)) {
        throw new AfwTableFormatError(`Archive object ${e.id} ('${e.name}') in ${where} points at catalog ${e.catArchive}, but the archive has catalogs 1..${catalogs.length}.`);
      }
    }
    return new InputArchive(index, entries, catalogs, file, options.registry ?? new PersistableRegistry());
  }

  /**
   * Reads the archive that starts at an HDU of an open file (the `AR_NCAT` catalogs from there).
   *
   * @param file - the open file
   * @param indexHdu - the 0-based index of the `ARCHIVE_INDEX` HDU (afw's `AR_HDU` minus 1)
   * @param options - the readers
   * @returns the archive
   * @throws AfwTableFormatError when the HDU is not an archive index or catalogs are missing
   */
  static async read(file: FitsFile, indexHdu: number, options: InputArchiveOptions = {}): Promise<InputArchive> {
    const index = await file.readHeaderAndData(indexHdu);
    const where = `${file.name ?? '(memory)'} HDU ${indexHdu}`;
    const type = index.header.get('EXTTYPE');
    if (typeof type === 'string' && type.trimEnd() !== 'ARCHIVE_INDEX') {
      throw new AfwTableFormatError(`${where} has EXTTYPE '${type.trimEnd()}', not 'ARCHIVE_INDEX'.`, { hint: 'Check the AR_HDU card, which gives the 1-based HDU of the archive index.' });
    }
    const ncat = index.header.get('AR_NCAT');
    const nCatalogs = typeof ncat === 'number' && Number.isInteger(ncat) && ncat >= 1 ? ncat : 1;
    if (indexHdu + nCatalogs > file.hdus.length) {
      throw new AfwTableFormatError(`The archive index in ${where} says AR_NCAT = ${nCatalogs}, but the file has only ${file.hdus.length - indexHdu} HDUs from there.`);
    }
    const data: ArchiveHdu[] = [];
    for (let i = 1; i < nCatalogs; i++) {
      const hd = await file.readHeaderAndData(indexHdu + i);
      data.push({ header: hd.header, data: hd.data, hdu: indexHdu + i });
    }
    return InputArchive.fromHdus({ header: index.header, data: index.data, hdu: indexHdu }, data, { ...options, ...(file.name === undefined ? {} : { file: file.name }) });
  }

  /**
   * Reads an archive-only file (an object saved with afw's `writeFits`: an empty primary HDU, the
   * index, the catalogs), or the archive of an exposure or catalog file (found through `AR_HDU`).
   *
   * @param path - the file
   * @param options - the 0-based HDU of the index (default: from `AR_HDU`, else the first
   *   `ARCHIVE_INDEX`) and the readers
   * @returns the archive
   * @throws AfwTableNotFoundError when the file has no archive
   */
  static async readFits(path: string, options: InputArchiveOptions & { readonly hdu?: number } = {}): Promise<InputArchive> {
    const file = await FitsFile.open(path);
    try {
      let hdu = options.hdu;
      if (hdu === undefined) {
        for (const info of file.hdus) {
          const ar = info.header.get('AR_HDU');
          if (typeof ar === 'number' && info.exttype !== 'ARCHIVE_INDEX') {
            hdu = ar - 1;
            break;
          }
          if (info.exttype === 'ARCHIVE_INDEX' || info.extname === 'ARCHIVE_INDEX') {
            hdu = info.index;
            break;
          }
        }
      }
      if (hdu === undefined) throw new AfwTableNotFoundError(`${path} has no afw archive (no AR_HDU card and no ARCHIVE_INDEX HDU).`);
      return await InputArchive.read(file, hdu, options);
    } finally {
      await file.close();
    }
  }

  /** The distinct object IDs, in index order. */
  get ids(): readonly number[] {
    return [...this.#byId.keys()];
  }

  /**
   * The index rows of one object, ordered by `cat.persistable`.
   *
   * @param id - the archive ID
   * @returns the rows (empty when there is no such object)
   */
  entriesOf(id: number): readonly ArchiveIndexEntry[] {
    return this.#byId.get(id) ?? [];
  }

  /**
   * The persistence name of an object.
   *
   * @param id - the archive ID
   * @returns the name, or `undefined` when there is no such object
   */
  nameOf(id: number): string | undefined {
    return this.#byId.get(id)?.[0]?.name;
  }

  /**
   * Reads an object: decoded by its registered reader, or a {@link RawPersistable}. The same
   * instance comes back on every call.
   *
   * @param id - the archive ID; 0 gives `null` (afw's null pointer)
   * @returns the object
   * @throws AfwTableNotFoundError when there is no object with that ID
   * @throws AfwTableFormatError (or the reader's own error) when the object cannot be read
   */
  get(id: number): unknown {
    if (id === 0) return null;
    if (this.#cache.has(id)) return this.#cache.get(id);
    const entries = this.entriesOf(id);
    if (entries.length === 0) {
      throw new AfwTableNotFoundError(`There is no object with archive ID ${id} in ${this.file ?? 'the archive'}; it has IDs ${this.ids.join(', ') || '(none)'}.`);
    }
    const { name, module } = entries[0]!;
    const rows = entries.map((e) => new ArchiveRows(this.catalogs[e.catArchive - 1]!, e.row0, e.nRows));
    const factory = this.registry.get(name);
    const value = factory === undefined ? new RawPersistable(name, module, id, this, rows) : factory(rows, this, id);
    if (typeof value === 'object' && value !== null) origins.set(value, { archive: this, id });
    this.#cache.set(id, value);
    return value;
  }

  /**
   * Reads an object and checks its type.
   *
   * @param id - the archive ID (0 gives `null`)
   * @param type - the class the object must be an instance of
   * @param what - what the object is for, for the error message (`'the PhotoCalib'`)
   * @returns the object, or `null` for ID 0
   * @throws AfwTableFormatError when the object is of another type
   */
  getAs<T>(id: number, type: abstract new (...args: never[]) => T, what: string): T | null {
    const value = this.get(id);
    if (value === null || value instanceof type) return value;
    const got = value instanceof RawPersistable ? `an undecoded '${value.name}'` : `a '${this.nameOf(id) ?? typeof value}'`;
    throw new AfwTableFormatError(`Archive ID ${id} in ${this.file ?? 'the archive'} should be ${what}, but it is ${got}.`);
  }
}
