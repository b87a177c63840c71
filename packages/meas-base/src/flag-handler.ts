import type { Schema, SourceCatalog } from '@skystack/afw-table';
import type { MeasurementError } from './errors.js';

/** One flag a plugin adds: its suffix after the plugin name and its documentation. */
export interface FlagDefinition {
  /** The suffix, `'flag'` for the general failure flag or `'flag_<what>'` for a specific one. */
  readonly name: string;
  /** What the flag means. */
  readonly doc: string;
}

/**
 * The `Flag` fields of one plugin: the general failure flag `<plugin>_flag` and the specific
 * ones (`<plugin>_flag_edge`, ...), added to a schema at construction and bound to a catalog's
 * columns for a run, so that setting a flag is one typed-array store.
 *
 * @example
 * ```ts
 * const flags = new FlagHandler(schema, 'base_PsfFlux', [{ name: 'flag_edge', doc: 'too close to the edge' }]);
 * flags.bind(catalog);
 * flags.set(3, 'flag_edge');
 * flags.handleFailure(3); // sets base_PsfFlux_flag
 * ```
 * @see lsst.meas.base.FlagHandler
 */
export class FlagHandler {
  /** The plugin name (the field prefix). */
  readonly name: string;
  /** The flags, the general failure flag first. */
  readonly definitions: readonly FlagDefinition[];
  #columns = new Map<string, Uint8Array>();
  #general: Uint8Array = new Uint8Array(0);

  /**
   * Adds `<name>_flag` and the given flags to a schema.
   *
   * @param schema - the schema to add to
   * @param name - the plugin name
   * @param flags - the specific flags (suffixes starting with `flag_`)
   * @param generalDoc - the doc of the general failure flag
   */
  constructor(schema: Schema, name: string, flags: readonly FlagDefinition[] = [], generalDoc = 'General failure flag, set if anything went wrong') {
    this.name = name;
    this.definitions = [{ name: 'flag', doc: generalDoc }, ...flags];
    for (const d of this.definitions) schema.addField({ name: `${name}_${d.name}`, type: 'Flag', doc: d.doc });
  }

  /**
   * Binds the flag columns of a catalog (made with the schema) for a run and clears them.
   *
   * @param catalog - the catalog being measured
   */
  bind(catalog: SourceCatalog): void {
    this.#columns = new Map(this.definitions.map((d) => [d.name, catalog.getColumn(`${this.name}_${d.name}`) as Uint8Array]));
    for (const column of this.#columns.values()) column.fill(0);
    this.#general = this.#columns.get('flag')!;
  }

  /**
   * Sets a flag of a record.
   *
   * @param index - the record's row
   * @param flag - the flag suffix (`'flag'`, `'flag_edge'`, ...)
   * @param value - the value (default true)
   */
  set(index: number, flag: string, value = true): void {
    const column = this.#columns.get(flag);
    if (column !== undefined) column[index] = value ? 1 : 0;
  }

  /**
   * Sets the general failure flag, and the error's specific flag when it has one (what every
   * plugin's `fail` does by default).
   *
   * @param index - the record's row
   * @param error - the measurement error, if the failure was a known one
   * @see lsst.meas.base.FlagHandler.handleFailure
   */
  handleFailure(index: number, error?: MeasurementError): void {
    this.#general[index] = 1;
    if (error?.flag !== undefined) this.set(index, error.flag);
  }
}
