import { Point2D } from '@skystack/geom';
import type { BaseCatalog, BaseRecord} from './base-catalog.js';
import { checkRequiredFields, type CatalogOptions, type RequiredField } from './base-catalog.js';
import { readCatalogFits, type ReadCatalogFitsOptions } from './read-catalog-fits.js';
import { Schema } from './schema.js';
import { SimpleCatalog, SimpleRecord } from './simple-catalog.js';

/**
 * The slot names of a source table: aliases (`slot_Centroid → base_SdssCentroid`) that say
 * which measurement the convenience getters of {@link SourceRecord} read.
 *
 * @see lsst.afw.table.SlotDefinition
 */
export const SOURCE_SLOTS = Object.freeze([
  'slot_Centroid',
  'slot_Shape',
  'slot_PsfShape',
  'slot_PsfFlux',
  'slot_ApFlux',
  'slot_GaussianFlux',
  'slot_ModelFlux',
  'slot_CalibFlux',
] as const);

/** One of {@link SOURCE_SLOTS}. */
export type SourceSlot = (typeof SOURCE_SLOTS)[number];

/**
 * A record of a {@link SourceCatalog}, with afw's slot getters: each reads the field the slot
 * alias points to (`getPsfInstFlux()` reads `slot_PsfFlux_instFlux`).
 *
 * @see lsst.afw.table.SourceRecord
 */
export class SourceRecord extends SimpleRecord {
  /**
   * The parent's ID (`parent`; 0 for none).
   *
   * @returns the ID
   */
  getParent(): bigint {
    return (this.catalog.getColumn('parent') as BigInt64Array)[this.index]!;
  }

  #num(name: string): number {
    return this.getNumber(name);
  }

  /**
   * The centroid slot's position (`slot_Centroid_x`, `slot_Centroid_y`).
   *
   * @returns the point, in PARENT pixels
   * @throws AfwTableNotFoundError when the slot is not defined
   */
  getCentroid(): Point2D {
    return new Point2D(this.getX(), this.getY());
  }

  /**
   * The centroid slot's x (`slot_Centroid_x`).
   *
   * @returns x in pixels
   */
  getX(): number {
    return this.#num('slot_Centroid_x');
  }

  /**
   * The centroid slot's y (`slot_Centroid_y`).
   *
   * @returns y in pixels
   */
  getY(): number {
    return this.#num('slot_Centroid_y');
  }

  /**
   * The centroid slot's failure flag (`slot_Centroid_flag`).
   *
   * @returns true when set
   */
  getCentroidFlag(): boolean {
    return this.#num('slot_Centroid_flag') !== 0;
  }

  /**
   * The shape slot's second moment xx (`slot_Shape_xx`).
   *
   * @returns Ixx in pixels²
   */
  getIxx(): number {
    return this.#num('slot_Shape_xx');
  }

  /**
   * The shape slot's second moment yy (`slot_Shape_yy`).
   *
   * @returns Iyy in pixels²
   */
  getIyy(): number {
    return this.#num('slot_Shape_yy');
  }

  /**
   * The shape slot's second moment xy (`slot_Shape_xy`).
   *
   * @returns Ixy in pixels²
   */
  getIxy(): number {
    return this.#num('slot_Shape_xy');
  }

  /**
   * The shape slot's failure flag (`slot_Shape_flag`).
   *
   * @returns true when set
   */
  getShapeFlag(): boolean {
    return this.#num('slot_Shape_flag') !== 0;
  }

  /**
   * The PSF flux slot's instrumental flux (`slot_PsfFlux_instFlux`).
   *
   * @returns the flux in counts
   */
  getPsfInstFlux(): number {
    return this.#num('slot_PsfFlux_instFlux');
  }

  /**
   * The PSF flux slot's uncertainty (`slot_PsfFlux_instFluxErr`).
   *
   * @returns the 1σ uncertainty in counts
   */
  getPsfInstFluxErr(): number {
    return this.#num('slot_PsfFlux_instFluxErr');
  }

  /**
   * The PSF flux slot's failure flag (`slot_PsfFlux_flag`).
   *
   * @returns true when set
   */
  getPsfFluxFlag(): boolean {
    return this.#num('slot_PsfFlux_flag') !== 0;
  }

  /**
   * The aperture flux slot's instrumental flux (`slot_ApFlux_instFlux`).
   *
   * @returns the flux in counts
   */
  getApInstFlux(): number {
    return this.#num('slot_ApFlux_instFlux');
  }

  /**
   * The aperture flux slot's uncertainty (`slot_ApFlux_instFluxErr`).
   *
   * @returns the 1σ uncertainty in counts
   */
  getApInstFluxErr(): number {
    return this.#num('slot_ApFlux_instFluxErr');
  }

  /**
   * The Gaussian flux slot's instrumental flux (`slot_GaussianFlux_instFlux`).
   *
   * @returns the flux in counts
   */
  getGaussianInstFlux(): number {
    return this.#num('slot_GaussianFlux_instFlux');
  }

  /**
   * The model flux slot's instrumental flux (`slot_ModelFlux_instFlux`).
   *
   * @returns the flux in counts
   */
  getModelInstFlux(): number {
    return this.#num('slot_ModelFlux_instFlux');
  }

  /**
   * The calibration flux slot's instrumental flux (`slot_CalibFlux_instFlux`).
   *
   * @returns the flux in counts
   */
  getCalibInstFlux(): number {
    return this.#num('slot_CalibFlux_instFlux');
  }
}

/** The fields every SourceCatalog schema has: SimpleCatalog's and `parent`. */
const SOURCE_FIELDS: readonly RequiredField[] = [...SimpleCatalog.requiredFields, { name: 'parent', type: 'L', doc: 'unique ID of parent source' }];

/**
 * A catalog of detected sources: `id`, `coord_ra`/`coord_dec`, `parent`, measurements, and
 * slot aliases (`slot_Centroid`, `slot_PsfFlux`, ...) read by the {@link SourceRecord} getters.
 *
 * @example
 * ```ts
 * const src = await SourceCatalog.readFits('sourceCatalog-hsc-v2.fits');
 * src.getColumn('base_PsfFlux_instFlux'); // Float64Array (through the v1 alias)
 * src.get(0).getPsfInstFlux();
 * src.get(0).getCentroid();
 * await src.writeFits('copy.fits');
 * ```
 * @see lsst.afw.table.SourceCatalog
 */
export class SourceCatalog extends SimpleCatalog<SourceRecord> {
  /** The fields (name and type) a SourceCatalog schema must have. */
  static override readonly requiredFields = SOURCE_FIELDS;

  /**
   * Makes a catalog with zero-filled columns.
   *
   * @param schema - a schema with at least the fields of {@link SourceCatalog.makeMinimalSchema}
   * @param options - number of rows and metadata
   * @throws AfwTableInvalidArgumentError when the schema lacks a required field
   */
  constructor(schema: Schema, options: CatalogOptions = {}) {
    checkRequiredFields(schema, SOURCE_FIELDS, 'SourceCatalog');
    super(schema, options);
  }

  /**
   * The minimal schema: `id`, `coord_ra`, `coord_dec`, `parent`.
   *
   * @returns a new schema
   */
  static override makeMinimalSchema(): Schema {
    return new Schema(SOURCE_FIELDS);
  }

  /**
   * Reads a SourceCatalog from an afw FITS table (see {@link readCatalogFits}). The `footprint`
   * archive-ID column is dropped, as afw does; the footprints themselves are not read yet.
   *
   * @param path - the FITS file
   * @param options - which HDU (default 1)
   * @returns the catalog
   * @throws AfwTableInvalidArgumentError when the table lacks a required field
   * @see lsst.afw.table.SourceCatalog.readFits
   */
  static override async readFits(path: string, options: ReadCatalogFitsOptions = {}): Promise<SourceCatalog> {
    const contents = await readCatalogFits(path, { ...options, dropFootprint: true });
    const catalog = new SourceCatalog(contents.schema, { metadata: contents.metadata });
    catalog.adoptColumns(contents.length, contents.columns);
    return catalog;
  }

  /**
   * The field (or prefix) a slot points to.
   *
   * @param slot - the slot name
   * @returns the alias target, or `undefined` when the slot is not defined
   */
  getSlot(slot: SourceSlot): string | undefined {
    return this.schema.getAliasMap().get(slot);
  }

  /**
   * Points a slot at a measurement (sets the alias).
   *
   * @param slot - the slot name
   * @param target - the measurement prefix, e.g. `base_SdssCentroid`
   */
  defineSlot(slot: SourceSlot, target: string): void {
    this.schema.getAliasMap().set(slot, target);
  }

  /** `AFW_TYPE = 'SOURCE'`. */
  protected override get afwType(): string | undefined {
    return 'SOURCE';
  }

  /**
   * Makes the record view of a row.
   *
   * @param index - the row
   * @returns the record
   */
  protected override makeRecord(index: number): SourceRecord {
    return new SourceRecord(this as unknown as BaseCatalog<BaseRecord>, index);
  }
}
