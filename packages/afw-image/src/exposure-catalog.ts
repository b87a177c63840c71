import type {
  RawPersistable} from '@skystack/afw-table';
import {
  BaseCatalog,
  BaseRecord,
  checkRequiredFields,
  InputArchive,
  OutputArchive,
  Schema,
  encodeCatalogFits,
  readCatalogFits,
  type CatalogOptions,
  type ColumnArray,
  type Persistable,
  type PersistableRegistry,
  type ReadCatalogFitsOptions,
  type RequiredField,
} from '@skystack/afw-table';
import { Card, FitsFile, writeFits } from '@skystack/fits';
import { Box2I, Point2I } from '@skystack/geom';
import type { ApCorrMap } from './components/ap-corr-map.js';
import type { Detector } from './components/detector.js';
import type { PhotoCalib } from './components/photo-calib.js';
import type { VisitInfo } from './components/visit-info.js';
import { AfwImageFitsError } from './errors.js';
import { makeAfwRegistry } from './components/readers.js';
import { isArchivable } from './exposure-fits.js';

/**
 * The archived objects an {@link ExposureRecord} can hold, by the column name afw writes for
 * each (its archive ID; `calib` in files before PhotoCalib is read as `photoCalib`).
 */
export const EXPOSURE_RECORD_COMPONENTS = Object.freeze(['psf', 'wcs', 'photoCalib', 'apCorrMap', 'validPolygon', 'visitInfo', 'transmissionCurve', 'detector'] as const);

/** One of {@link EXPOSURE_RECORD_COMPONENTS}. */
export type ExposureRecordComponent = (typeof EXPOSURE_RECORD_COMPONENTS)[number];

const COMPONENT_DOCS: Record<ExposureRecordComponent, string> = {
  psf: 'archive ID for the PSF',
  wcs: 'archive ID for the WCS',
  photoCalib: 'archive ID for the photometric calibration',
  apCorrMap: 'archive ID for the aperture correction map',
  validPolygon: 'archive ID for the valid polygon',
  visitInfo: 'archive ID for the VisitInfo',
  transmissionCurve: 'archive ID for the transmission curve',
  detector: 'archive ID for the detector',
};

/**
 * A record of an {@link ExposureCatalog}: an ID, a bounding box, and the archived components of
 * one exposure (what coadds keep of their inputs, and what visit summaries hold per detector).
 *
 * @see lsst.afw.table.ExposureRecord
 */
export class ExposureRecord extends BaseRecord {
  /** The catalog, typed. */
  get #exposures(): ExposureCatalog {
    return this.catalog as ExposureCatalog;
  }

  /** The record ID (`id`). */
  getId(): bigint {
    return (this.catalog.getColumn('id') as BigInt64Array)[this.index]!;
  }

  /**
   * Sets the record ID.
   *
   * @param id - the ID
   */
  setId(id: bigint | number): void {
    this.set('id', BigInt(id));
  }

  /** The bounding box (`bbox_min_x` ... `bbox_max_y`, inclusive, PARENT pixels). */
  getBBox(): Box2I {
    const n = (k: string): number => this.getNumber(k);
    return new Box2I(new Point2I(n('bbox_min_x'), n('bbox_min_y')), new Point2I(n('bbox_max_x'), n('bbox_max_y')), false);
  }

  /**
   * Sets the bounding box.
   *
   * @param bbox - the box
   */
  setBBox(bbox: Box2I): void {
    this.set('bbox_min_x', bbox.getMinX());
    this.set('bbox_min_y', bbox.getMinY());
    this.set('bbox_max_x', bbox.getMaxX());
    this.set('bbox_max_y', bbox.getMaxY());
  }

  /**
   * A component.
   *
   * @param name - which one
   * @returns the object (a `RawPersistable` when its type has no reader), or `null`
   */
  getComponent(name: ExposureRecordComponent): unknown {
    return this.#exposures.componentColumn(name)[this.index] ?? null;
  }

  /**
   * Sets a component.
   *
   * @param name - which one
   * @param value - the object (a `Persistable`, or a `RawPersistable` read from the same file), or `null`
   */
  setComponent(name: ExposureRecordComponent, value: unknown): void {
    this.#exposures.componentColumn(name)[this.index] = value ?? null;
  }

  /** The PSF, or `null`. */
  getPsf(): unknown {
    return this.getComponent('psf');
  }

  /** The WCS (a `SkyWcs` from `@skystack/wcs` with the default registry), or `null`. */
  getWcs(): unknown {
    return this.getComponent('wcs');
  }

  /** The photometric calibration, or `null`. */
  getPhotoCalib(): PhotoCalib | null {
    return this.getComponent('photoCalib') as PhotoCalib | null;
  }

  /** The aperture correction map, or `null`. */
  getApCorrMap(): ApCorrMap | null {
    return this.getComponent('apCorrMap') as ApCorrMap | null;
  }

  /** The valid polygon, or `null`. */
  getValidPolygon(): unknown {
    return this.getComponent('validPolygon');
  }

  /** The VisitInfo, or `null`. */
  getVisitInfo(): VisitInfo | null {
    return this.getComponent('visitInfo') as VisitInfo | null;
  }

  /** The transmission curve, or `null`. */
  getTransmissionCurve(): unknown {
    return this.getComponent('transmissionCurve');
  }

  /** The detector, or `null`. */
  getDetector(): Detector | null {
    return this.getComponent('detector') as Detector | null;
  }
}

/**
 * A catalog of exposures (afw's `AFW_TYPE = 'EXPOSURE'` tables): per record an ID, a bounding
 * box, any other fields, and the archived components, which are stored in the table-persistence
 * archive after the table and referred to by archive-ID columns.
 *
 * @example
 * ```ts
 * const inputs = await ExposureCatalog.readFits('visitSummary.fits');
 * for (const record of inputs) record.getBBox(), record.getPhotoCalib();
 * ```
 * @see lsst.afw.table.ExposureCatalog
 */
export class ExposureCatalog extends BaseCatalog<ExposureRecord> {
  readonly #components = new Map<ExposureRecordComponent, unknown[]>();
  #archive: InputArchive | undefined;

  /**
   * Makes a catalog.
   *
   * @param schema - the schema: {@link ExposureCatalog.makeMinimalSchema} plus any fields
   * @param options - number of rows and metadata
   * @throws AfwTableInvalidArgumentError (from `@skystack/afw-table`) when required fields are missing
   */
  constructor(schema: Schema = ExposureCatalog.makeMinimalSchema(), options: CatalogOptions = {}) {
    checkRequiredFields(schema, ExposureCatalog.requiredFields, 'ExposureCatalog');
    super(schema, options);
  }

  /** The fields every exposure table has. */
  static override readonly requiredFields: readonly RequiredField[] = [
    { name: 'id', type: 'L', doc: 'unique ID' },
    { name: 'bbox_min_x', type: 'I', doc: 'bbox minimum point' },
    { name: 'bbox_min_y', type: 'I', doc: 'bbox minimum point' },
    { name: 'bbox_max_x', type: 'I', doc: 'bbox maximum point' },
    { name: 'bbox_max_y', type: 'I', doc: 'bbox maximum point' },
  ];

  /**
   * The minimal schema: `id` and the bounding box.
   *
   * @returns a new schema
   */
  static override makeMinimalSchema(): Schema {
    const schema = new Schema();
    for (const f of ExposureCatalog.requiredFields) schema.addField({ name: f.name, type: f.type, doc: f.doc, ...(f.name.startsWith('bbox') ? { units: 'pixel' } : {}) });
    return schema;
  }

  /**
   * The objects of one component, one per record (a live array).
   *
   * @param name - which component
   * @returns the column
   */
  componentColumn(name: ExposureRecordComponent): unknown[] {
    let column = this.#components.get(name);
    if (column === undefined) {
      column = [];
      this.#components.set(name, column);
    }
    while (column.length < this.length) column.push(null);
    return column;
  }

  /** The archive the components were read from (passed through on write), or `undefined`. */
  get sourceArchive(): InputArchive | undefined {
    return this.#archive;
  }

  protected override get afwType(): string {
    return 'EXPOSURE';
  }

  protected override makeRecord(index: number): ExposureRecord {
    return new ExposureRecord(this as unknown as BaseCatalog<BaseRecord>, index);
  }

  /**
   * Reads an exposure table and its archive (found through `AR_HDU`, else the HDU after the
   * table), as afw does for every version: the `calib` column of old files gives `photoCalib`,
   * and `bbox_min`/`bbox_max` point columns are split into `_x`/`_y` fields.
   *
   * @param path - the FITS file
   * @param options - which HDU holds the table (default 1); the archive readers (default {@link makeAfwRegistry})
   * @returns the catalog
   * @throws AfwImageFitsError when a component column points at a missing archive
   */
  static override async readFits(path: string, options: ReadCatalogFitsOptions & { readonly registry?: PersistableRegistry } = {}): Promise<ExposureCatalog> {
    const { registry, ...rest } = options;
    const contents = await readCatalogFits(path, rest);
    const schema = new Schema();
    schema.setAliasMap(contents.schema.getAliasMap());
    const columns = new Map<string, ColumnArray>();
    const ids = new Map<ExposureRecordComponent, Int32Array>();
    for (const field of contents.schema) {
      const name = field.name === 'calib' ? 'photoCalib' : field.name;
      if ((EXPOSURE_RECORD_COMPONENTS as readonly string[]).includes(name) && field.type === 'I') {
        ids.set(name as ExposureRecordComponent, contents.columns.get(field.name) as Int32Array);
      } else {
        schema.addField(field);
        columns.set(field.name, contents.columns.get(field.name)!);
      }
    }
    const catalog = new ExposureCatalog(schema, { metadata: contents.metadata });
    catalog.adoptColumns(contents.length, columns);
    const needed = [...ids.values()].some((a) => a.some((id) => id !== 0));
    const file = await FitsFile.open(path);
    try {
      const table = file.findHdu(options.hdu ?? 1);
      const ar = table.header.get('AR_HDU');
      const next = file.hdus[table.index + 1];
      const archiveHdu = typeof ar === 'number' && ar > 0 ? ar - 1 : next !== undefined && (next.exttype === 'ARCHIVE_INDEX' || next.extname === 'ARCHIVE_INDEX') ? next.index : undefined;
      if (archiveHdu === undefined) {
        if (needed) throw new AfwImageFitsError(`${path}: the exposure table refers to archived components, but the file has no archive (no AR_HDU and no ARCHIVE_INDEX HDU after the table).`);
      } else {
        catalog.#archive = await InputArchive.read(file, archiveHdu, { registry: registry ?? makeAfwRegistry() });
      }
    } finally {
      await file.close();
    }
    for (const [name, column] of ids) {
      const objects = catalog.componentColumn(name);
      column.forEach((id, i) => (objects[i] = id === 0 ? null : catalog.#archive!.get(id)));
    }
    return catalog;
  }

  /**
   * Writes the table (`AFW_TYPE = 'EXPOSURE'`, one archive-ID column per component) and the
   * archive of components after it (`AR_HDU`). Components read from a file are passed through
   * unchanged.
   *
   * @param path - the output file (written atomically)
   * @throws AfwImageFitsError when a component cannot be archived
   */
  override async writeFits(path: string): Promise<void> {
    const archive = new OutputArchive(this.#archive === undefined ? {} : { passthrough: this.#archive });
    const schema = new Schema();
    schema.setAliasMap(this.schema.getAliasMap());
    const columns = new Map<string, ColumnArray>();
    for (const field of this.schema) {
      schema.addField(field);
      columns.set(field.name, this.getColumn(field.name));
    }
    for (const name of EXPOSURE_RECORD_COMPONENTS) {
      const objects = this.componentColumn(name);
      const ids = new Int32Array(this.length);
      objects.forEach((object, i) => {
        if (object === null) return;
        if (!isArchivable(object, this.#archive)) {
          throw new AfwImageFitsError(`Cannot write the ${name} of record ${i} to ${path}: it is not an object the afw archive can store.`);
        }
        try {
          ids[i] = archive.put(object as Persistable | RawPersistable);
        } catch (e) {
          throw new AfwImageFitsError(`Cannot write the ${name} of record ${i} to ${path}: ${(e as Error).message}`, { cause: e });
        }
      });
      schema.addField({ name, type: 'I', doc: COMPONENT_DOCS[name] });
      columns.set(name, ids);
    }
    const table = new BaseCatalog(schema, { metadata: this.getMetadata() });
    table.adoptColumns(this.length, columns);
    const { header, data } = encodeCatalogFits(table, { afwType: 'EXPOSURE' });
    header.add(new Card('AR_HDU', 3, 'HDU (1-indexed) containing the archive used to store ancillary objects'));
    await writeFits(path, [{ header, data }, ...archive.toHdus()]);
  }
}
