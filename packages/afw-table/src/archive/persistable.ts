import type { ArchiveRows } from './archive-rows.js';
import type { InputArchive } from './input-archive.js';
import type { OutputArchiveHandle } from './output-archive.js';

/**
 * An object that can be saved in an afw table-persistence archive: it names its persistence
 * type and writes its catalogs through an {@link OutputArchiveHandle}; objects it refers to are
 * saved with {@link OutputArchiveHandle.put}, which gives their archive IDs.
 *
 * @see lsst.afw.table.io.Persistable
 */
export interface Persistable {
  /** The name the archive index records (afw's `getPersistenceName()`, e.g. `'PhotoCalib'`). */
  readonly persistenceName: string;
  /** The Python module afw imports to find the reader (afw's `getPythonModule()`; may be `''`). */
  readonly pythonModule: string;
  /**
   * Writes the object's catalogs.
   *
   * @param handle - where to write
   */
  writeToArchive(handle: OutputArchiveHandle): void;
}

/**
 * Reads one archived object from its catalogs (one {@link ArchiveRows} per catalog, in the
 * order the object wrote them); nested objects come from `archive.get(id)`.
 *
 * @see lsst.afw.table.io.PersistableFactory
 */
export type PersistableFactory = (catalogs: readonly ArchiveRows[], archive: InputArchive, id: number) => unknown;

/**
 * The readers of archived objects, by persistence name: an instance the caller owns and passes
 * to {@link InputArchive} (nothing registers itself on import). Packages that define archived
 * types export a function that adds their readers, such as `registerFootprintReaders`.
 *
 * @example
 * ```ts
 * const registry = registerFootprintReaders(new PersistableRegistry());
 * const archive = await InputArchive.readFits('footprints.fits', { registry });
 * ```
 * @see lsst.afw.table.io.PersistableFactory
 */
export class PersistableRegistry {
  readonly #factories = new Map<string, PersistableFactory>();

  /**
   * Adds (or replaces) the reader of a persistence name.
   *
   * @param name - the persistence name in the archive index (`'PhotoCalib'`, `'VisitInfo'`, ...)
   * @param factory - the reader
   * @returns this registry, for chaining
   */
  register(name: string, factory: PersistableFactory): this {
    this.#factories.set(name, factory);
    return this;
  }

  /**
   * The reader of a persistence name.
   *
   * @param name - the persistence name
   * @returns the reader, or `undefined` when none is registered
   */
  get(name: string): PersistableFactory | undefined {
    return this.#factories.get(name);
  }

  /**
   * True when a reader is registered for the name.
   *
   * @param name - the persistence name
   * @returns whether it is
   */
  has(name: string): boolean {
    return this.#factories.has(name);
  }

  /** The registered persistence names. */
  names(): string[] {
    return [...this.#factories.keys()];
  }
}

/**
 * An archived object with no registered reader: kept as the rows it was stored in, reported by
 * its type name, and written back unchanged when its archive is passed through
 * (see {@link OutputArchive}).
 */
export class RawPersistable {
  /** The persistence name (`'DummyPsf'`, `'CoaddPsf'`, ...). */
  readonly name: string;
  /** The Python module recorded for it. */
  readonly module: string;
  /** Its ID in the archive it was read from. */
  readonly id: number;
  /** The archive it was read from. */
  readonly archive: InputArchive;
  /** Its rows, one entry per catalog. */
  readonly catalogs: readonly ArchiveRows[];

  /**
   * Wraps an undecoded object.
   *
   * @param name - the persistence name
   * @param module - the Python module
   * @param id - the archive ID
   * @param archive - the archive
   * @param catalogs - its rows
   */
  constructor(name: string, module: string, id: number, archive: InputArchive, catalogs: readonly ArchiveRows[]) {
    this.name = name;
    this.module = module;
    this.id = id;
    this.archive = archive;
    this.catalogs = catalogs;
  }

  /** A short description: `RawPersistable(DummyPsf, id 1)`. */
  toString(): string {
    return `RawPersistable(${this.name}${this.module === '' ? '' : ` from ${this.module}`}, id ${this.id})`;
  }
}
