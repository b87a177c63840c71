// lsst.afw.image.ApCorrMap: aperture corrections by name, with archive persistence.
import { type ArchiveRows, type InputArchive, type OutputArchiveHandle } from '@skystack/afw-table';
import type { BoundedField } from './bounded-field.js';
import { AfwImageInvalidArgumentError } from '../errors.js';
import { AfwImageArchiveFormatError, AfwImageNotFoundError } from './errors.js';

/**
 * Aperture corrections of an exposure: a {@link BoundedField} per flux algorithm name
 * (`'base_PsfFlux_instFlux'`, ...), kept sorted by name as afw's `std::map`.
 *
 * @example
 * ```ts
 * import { Box2I } from '@skystack/geom';
 * const map = new ApCorrMap();
 * map.set('base_PsfFlux_instFlux', new ChebyshevBoundedField(new Box2I(), [[0.98]]));
 * map.keys(); // ['base_PsfFlux_instFlux']
 * ```
 *
 * @see lsst.afw.image.ApCorrMap
 */
export class ApCorrMap {
  /** Persistence name in afw archives. */
  readonly persistenceName = 'ApCorrMap';
  /** Python module afw records for it. */
  readonly pythonModule = 'lsst.afw.image';
  /** Longest name afw can store (the `name` column is 64 characters). */
  static readonly MAX_NAME_LENGTH = 64;
  readonly #fields = new Map<string, BoundedField>();

  /**
   * Makes a map.
   *
   * @param entries - initial name → field pairs
   * @throws AfwImageInvalidArgumentError when a name is longer than 64 characters
   */
  constructor(entries: Iterable<readonly [string, BoundedField]> = []) {
    for (const [name, field] of entries) this.set(name, field);
  }

  /**
   * Adds or replaces a correction.
   *
   * @param name - the algorithm name
   * @param field - the correction
   * @throws AfwImageInvalidArgumentError when the name is longer than 64 characters
   */
  set(name: string, field: BoundedField): void {
    if (name.length > ApCorrMap.MAX_NAME_LENGTH) {
      throw new AfwImageInvalidArgumentError(`Aperture correction name '${name}' exceeds size limit of ${ApCorrMap.MAX_NAME_LENGTH} characters.`);
    }
    this.#fields.set(name, field);
  }

  /**
   * The correction of a name, or `undefined`.
   *
   * @param name - the algorithm name
   * @returns the field
   */
  get(name: string): BoundedField | undefined {
    return this.#fields.get(name);
  }

  /**
   * The correction of a name.
   *
   * @param name - the algorithm name
   * @returns the field
   * @throws AfwImageNotFoundError when there is none
   */
  require(name: string): BoundedField {
    const f = this.#fields.get(name);
    if (f === undefined) throw new AfwImageNotFoundError(`Aperture correction with name '${name}' not found; there are ${this.keys().join(', ') || 'none'}.`);
    return f;
  }

  /**
   * Whether there is a correction of a name.
   *
   * @param name - the algorithm name
   * @returns whether it is there
   */
  has(name: string): boolean {
    return this.#fields.has(name);
  }

  /** The names, sorted. */
  keys(): string[] {
    return [...this.#fields.keys()].sort();
  }

  /** The number of corrections. */
  get size(): number {
    return this.#fields.size;
  }

  /** Name → field pairs, sorted by name. */
  entries(): [string, BoundedField][] {
    return this.keys().map((k) => [k, this.#fields.get(k)!]);
  }

  /**
   * A map with every field multiplied by a constant.
   *
   * @param scale - the factor
   * @returns the new map
   */
  multipliedBy(scale: number): ApCorrMap {
    return new ApCorrMap(this.entries().map(([k, f]) => [k, f.multipliedBy(scale)] as const));
  }

  /**
   * Writes the map as afw does: one row per name (sorted) with the archive ID of its field.
   *
   * @param handle - where to write
   */
  writeToArchive(handle: OutputArchiveHandle): void {
    const rows = this.entries().map(([name, field]) => ({ name, field: handle.put(field) }));
    handle.saveCatalog(
      {
        columns: [
          { name: 'name', format: `${ApCorrMap.MAX_NAME_LENGTH}A`, doc: 'name of the aperture correction' },
          { name: 'field', format: '1J', doc: 'archive ID of the BoundedField object' },
        ],
      },
      rows,
    );
  }
}

/**
 * Reads an ApCorrMap: one row per name, each referring to a BoundedField.
 *
 * @internal
 */
export function readApCorrMap(catalogs: readonly ArchiveRows[], archive: InputArchive): ApCorrMap {
  const rows = catalogs[0];
  if (catalogs.length !== 1 || rows === undefined) throw new AfwImageArchiveFormatError('An ApCorrMap is one catalog.');
  const map = new ApCorrMap();
  for (let i = 0; i < rows.length; i++) {
    const id = rows.number('field', i);
    const field = archive.get(id);
    if (field === null || typeof (field as BoundedField).evaluate !== 'function') {
      throw new AfwImageArchiveFormatError(`ApCorrMap in ${rows.catalog.location}: archive ID ${id} is not a BoundedField (${String(field)}).`);
    }
    map.set(rows.string('name', i), field as BoundedField);
  }
  return map;
}

