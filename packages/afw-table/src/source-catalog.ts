import { Point2D } from '@skystack/geom';
import { InputArchive } from './archive/input-archive.js';
import { OutputArchive } from './archive/output-archive.js';
import type { BaseCatalog, BaseRecord } from './base-catalog.js';
import { checkRequiredFields, type CatalogOptions, type RequiredField } from './base-catalog.js';
import { Footprint } from './detection/footprint.js';
import { heavyFootprintFromArrays, registerFootprintReaders } from './detection/heavy-footprint.js';
import { PersistableRegistry } from './archive/persistable.js';
import { PeakCatalog } from './detection/peak.js';
import { SpanSet } from './detection/span-set.js';
import { AfwTableFormatError } from './errors.js';
import { readCatalogFits, type CatalogFootprintColumns, type ReadCatalogFitsOptions } from './read-catalog-fits.js';
import { writeCatalogFits } from './write-catalog-fits.js';
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

/** Options of {@link SourceCatalog.readFits}. */
export interface ReadSourceCatalogFitsOptions extends ReadCatalogFitsOptions {
  /**
   * Read the footprints (default true). They are decoded one by one on the first
   * {@link SourceRecord.getFootprint} call; `false` skips reading the archive altogether
   * (afw's `SOURCE_IO_NO_FOOTPRINTS`).
   */
  readonly footprints?: boolean;
  /** The archive readers (default: a registry with the footprint readers, {@link registerFootprintReaders}). */
  readonly registry?: PersistableRegistry;
}

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

  /**
   * The record's footprint (decoded from the file's archive on first use).
   *
   * @returns the footprint (a {@link HeavyFootprint} when it carries pixels), or `null`
   * @throws AfwTableFormatError when the archived footprint cannot be read
   * @see lsst.afw.table.SourceRecord.getFootprint
   */
  getFootprint(): Footprint | null {
    return (this.catalog as unknown as SourceCatalog).getFootprint(this.index);
  }

  /**
   * Sets the record's footprint.
   *
   * @param footprint - the footprint, or `null` for none
   * @see lsst.afw.table.SourceRecord.setFootprint
   */
  setFootprint(footprint: Footprint | null): void {
    (this.catalog as unknown as SourceCatalog).setFootprint(this.index, footprint);
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
  /** Footprints by row: set or decoded (`null`: none); `undefined`: not decoded yet. */
  #footprints: (Footprint | null | undefined)[] = [];
  /** Where undecoded footprints come from. */
  #footprintSource: { readonly archive: InputArchive; readonly ids: Int32Array } | undefined;

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
   * Reads a SourceCatalog from an afw FITS table (see {@link readCatalogFits}), with its
   * footprints: from the archive that the table header's `AR_HDU` points to (through the
   * `footprint` archive-ID column, which is not a schema field, as in afw), or from the
   * variable-length columns of the pre-archive persistence (`SPANCOL`, `PEAKCOL`, `HVYPIXCO`,
   * ...). Archived footprints are decoded on first use ({@link SourceRecord.getFootprint}).
   *
   * @param path - the FITS file
   * @param options - which HDU (default 1); `footprints: false` skips the footprints
   * @returns the catalog
   * @throws AfwTableInvalidArgumentError when the table lacks a required field
   * @throws AfwTableFormatError when the archive or the old footprint columns are malformed
   * @see lsst.afw.table.SourceCatalog.readFits
   */
  static override async readFits(path: string, options: ReadSourceCatalogFitsOptions = {}): Promise<SourceCatalog> {
    const { footprints: wanted, ...rest } = options;
    const contents = await readCatalogFits(path, { ...rest, dropFootprint: true });
    const catalog = new SourceCatalog(contents.schema, { metadata: contents.metadata });
    catalog.adoptColumns(contents.length, contents.columns);
    const found = contents.footprints;
    if (wanted === false || found === undefined) return catalog;
    if (found.ids !== undefined && found.archiveHdu !== undefined) {
      const registry = options.registry ?? registerFootprintReaders(new PersistableRegistry());
      const archive = await InputArchive.readFits(path, { hdu: found.archiveHdu, registry });
      catalog.#footprintSource = { archive, ids: found.ids };
    } else if (found.spans !== undefined) {
      catalog.#footprints = oldFootprints(found, contents.length, path);
    }
    return catalog;
  }

  /**
   * The footprint of a row.
   *
   * @param index - the 0-based row
   * @returns the footprint, or `null` when the row has none
   * @throws AfwTableInvalidArgumentError when the row is out of range
   * @throws AfwTableFormatError when the archived footprint cannot be read
   */
  getFootprint(index: number): Footprint | null {
    const i = this.get(index).index;
    const known = this.#footprints[i];
    if (known !== undefined) return known;
    const source = this.#footprintSource;
    let footprint: Footprint | null = null;
    if (source !== undefined && i < source.ids.length) {
      const id = source.ids[i]!;
      footprint = id === 0 ? null : source.archive.getAs(id, Footprint, `the Footprint of row ${i}`);
    }
    this.#footprints[i] = footprint;
    return footprint;
  }

  /**
   * Sets the footprint of a row.
   *
   * @param index - the 0-based row
   * @param footprint - the footprint, or `null` for none
   * @throws AfwTableInvalidArgumentError when the row is out of range
   */
  setFootprint(index: number, footprint: Footprint | null): void {
    this.#footprints[this.get(index).index] = footprint;
  }

  /**
   * Writes the catalog in afw's layout; when any record has a footprint, they are written in an
   * archive after the table (`AR_HDU` in the table header, a `footprint` archive-ID column),
   * as afw does: a SpanSet and a Footprint (or HeavyFootprint) object per footprint.
   *
   * @param path - the output file (written to a temporary file, then renamed)
   * @throws AfwTableFormatError when a footprint read from the input file cannot be decoded
   * @see lsst.afw.table.SourceCatalog.writeFits
   */
  override async writeFits(path: string): Promise<void> {
    const n = this.length;
    const footprints = Array.from({ length: n }, (_, i) => this.getFootprint(i));
    if (footprints.every((f) => f === null)) {
      await writeCatalogFits(path, this as unknown as BaseCatalog<BaseRecord>, { afwType: 'SOURCE' });
      return;
    }
    const archive = new OutputArchive();
    const ids = Int32Array.from(footprints, (f) => archive.put(f));
    await writeCatalogFits(path, this as unknown as BaseCatalog<BaseRecord>, { afwType: 'SOURCE', footprints: { ids, archive } });
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

/** Builds the footprints of the pre-archive persistence (variable-length span/peak/pixel columns). */
function oldFootprints(found: CatalogFootprintColumns, nRows: number, path: string): (Footprint | null)[] {
  const { spans, peaks, heavyImage, heavyMask, heavyVariance } = found;
  if (spans === undefined || peaks === undefined) {
    throw new AfwTableFormatError(`Corrupted catalog ${path}: it has ${spans === undefined ? 'PEAKCOL but no SPANCOL' : 'SPANCOL but no PEAKCOL'}; footprints need both.`);
  }
  const heavy = [heavyImage, heavyMask, heavyVariance];
  if (heavy.some((h) => h !== undefined) && heavy.some((h) => h === undefined)) {
    throw new AfwTableFormatError(`Corrupted catalog ${path}: it has some but not all of the HeavyFootprint columns (HVYPIXCO, HVYMSKCO, HVYVARCO).`);
  }
  const out: (Footprint | null)[] = [];
  for (let r = 0; r < nRows; r++) {
    const s = spans[r]!;
    const p = peaks[r]!;
    if (s.length % 3 !== 0 || p.length % 3 !== 0) {
      throw new AfwTableFormatError(`Row ${r} of ${path} has ${s.length} span and ${p.length} peak values; both must be multiples of 3 ((y, x0, x1) and (fx, fy, value)).`);
    }
    const nSpans = s.length / 3;
    const ys = new Int32Array(nSpans);
    const x0s = new Int32Array(nSpans);
    const x1s = new Int32Array(nSpans);
    for (let k = 0; k < nSpans; k++) {
      ys[k] = Number(s[3 * k]);
      x0s[k] = Number(s[3 * k + 1]);
      x1s[k] = Number(s[3 * k + 2]);
    }
    const footprint = new Footprint(SpanSet.fromArrays(ys, x0s, x1s), { peaks: new PeakCatalog() });
    for (let k = 0; k < p.length / 3; k++) footprint.addPeak(Number(p[3 * k]), Number(p[3 * k + 1]), Number(p[3 * k + 2]));
    const image = heavyImage?.[r];
    if (image !== undefined && image.length > 0) {
      out.push(heavyFootprintFromArrays(footprint, 'F', image, heavyMask![r]!, heavyVariance![r]!, `row ${r} of ${path}`));
    } else {
      out.push(footprint);
    }
  }
  return out;
}
