// lsst.afw.table.ExposureCatalog: exposures' IDs, boxes and archived components, written as
// afw's ExposureTable both on its own (a FITS table + archive) and inside an archive (what
// CoaddInputs and CoaddPsf store), through one schema <-> component mapping.
import {
  BaseCatalog,
  BaseRecord,
  InputArchive,
  OutputArchive,
  RawPersistable,
  Schema,
  checkRequiredFields,
  columnArrayConstructor,
  encodeCatalogFits,
  readCatalogFits,
  type ArchiveColumn,
  type ArchiveFlag,
  type ArchiveRecord,
  type ArchiveRows,
  type CatalogOptions,
  type ColumnArray,
  type Field,
  type FieldInput,
  type FieldType,
  type OutputArchiveHandle,
  type Persistable,
  type PersistableRegistry,
  type ReadCatalogFitsOptions,
  type RequiredField,
} from '@skystack/afw-table';
import { Card, FitsFile, writeFits, type Header } from '@skystack/fits';
import { Box2I, Point2I } from '@skystack/geom';
import { SkyWcs } from '@skystack/wcs';
import type { ApCorrMap } from './components/ap-corr-map.js';
import type { Detector } from './components/detector.js';
import type { PhotoCalib } from './components/photo-calib.js';
import type { VisitInfo } from './components/visit-info.js';
import { AfwImageFitsError } from './errors.js';
import { makeAfwRegistry } from './components/readers.js';
import { isArchivable } from './exposure-fits.js';

/**
 * The archived objects an {@link ExposureRecord} can hold, by the name of the archive-ID field afw
 * writes for each, in afw's order (`calib` in files before PhotoCalib is read as `photoCalib`).
 */
export const EXPOSURE_RECORD_COMPONENTS = Object.freeze(['wcs', 'psf', 'photoCalib', 'apCorrMap', 'validPolygon', 'visitInfo', 'transmissionCurve', 'detector'] as const);

/** One of {@link EXPOSURE_RECORD_COMPONENTS}. */
export type ExposureRecordComponent = (typeof EXPOSURE_RECORD_COMPONENTS)[number];

/** `EXPTABLE_VER`: the exposure table version afw writes (5: `photoCalib` and `detector` columns). */
export const EXPOSURE_TABLE_VERSION = 5;

/** afw's docs of the archive-ID fields (its ExposureTable PersistenceHelper). */
const COMPONENT_DOCS: Record<ExposureRecordComponent, string> = {
  wcs: 'archive ID for Wcs object',
  psf: 'archive ID for Psf object',
  photoCalib: 'archive ID for PhotoCalib object',
  apCorrMap: 'archive ID for ApCorrMap object',
  validPolygon: 'archive ID for Polygon object',
  visitInfo: 'archive ID for VisitInfo object',
  transmissionCurve: 'archive ID for TransmissionCurve object',
  detector: 'archive ID for Detector object',
};

/** The component an archive-ID field holds (`calib` is the old name of `photoCalib`), or undefined. */
function componentOfField(field: { readonly name: string; readonly type: FieldType }): ExposureRecordComponent | undefined {
  if (field.type !== 'I') return undefined;
  const name = field.name === 'calib' ? 'photoCalib' : field.name;
  return (EXPOSURE_RECORD_COMPONENTS as readonly string[]).includes(name) ? (name as ExposureRecordComponent) : undefined;
}

// ---------------------------------------------------------------------------------------------
// SkyWcs in an archive: afw's old TanWcs entry.

/** afw's TanWcs archive entry for a FITS TAN (or TAN-SIP) SkyWcs. */
class TanWcsEntry implements Persistable {
  readonly persistenceName = 'TanWcs';
  readonly pythonModule = 'lsst.afw.image';
  readonly #header: Header;
  readonly #sip: { readonly a: number[][]; readonly b: number[][]; readonly ap: number[][]; readonly bp: number[][] } | undefined;

  constructor(header: Header, sip: { readonly a: number[][]; readonly b: number[][]; readonly ap: number[][]; readonly bp: number[][] } | undefined) {
    this.#header = header;
    this.#sip = sip;
  }

  writeToArchive(handle: OutputArchiveHandle): void {
    const h = this.#header;
    const num = (k: string): number => h.getNumber(k) ?? 0;
    const str = (k: string): string => String(h.get(k) ?? '').trim();
    const ctype = (k: string): string => str(k).replace(/-SIP$/, '');
    handle.saveCatalog(
      {
        columns: [
          { name: 'crval_x', format: '1D', unit: 'deg', doc: 'celestial reference point' },
          { name: 'crval_y', format: '1D', unit: 'deg', doc: 'celestial reference point' },
          { name: 'crpix_x', format: '1D', unit: 'pixel', doc: 'pixel reference point' },
          { name: 'crpix_y', format: '1D', unit: 'pixel', doc: 'pixel reference point' },
          { name: 'cd', format: '4D', doc: 'linear transform matrix, ordered (1_1, 2_1, 1_2, 2_2)' },
          { name: 'ctype1', format: '72A', doc: 'coordinate type' },
          { name: 'ctype2', format: '72A', doc: 'coordinate type' },
          { name: 'equinox', format: '1D', doc: 'equinox of coordinates' },
          { name: 'radesys', format: '72A', doc: 'coordinate system for equinox' },
          { name: 'cunit1', format: '72A', doc: 'coordinate units' },
          { name: 'cunit2', format: '72A', doc: 'coordinate units' },
        ],
      },
      [
        {
          crval_x: num('CRVAL1'),
          crval_y: num('CRVAL2'),
          // afw stored CRPIX 0-based (LSST pixels).
          crpix_x: num('CRPIX1') - 1,
          crpix_y: num('CRPIX2') - 1,
          cd: [num('CD1_1'), num('CD2_1'), num('CD1_2'), num('CD2_2')],
          ctype1: ctype('CTYPE1'),
          ctype2: ctype('CTYPE2'),
          equinox: 2000,
          radesys: str('RADESYS'),
          cunit1: str('CUNIT1'),
          cunit2: str('CUNIT2'),
        },
      ],
    );
    if (this.#sip === undefined) return;
    // Square matrices, column-major (Eigen): element (p, q) at q·n + p.
    const flat = (m: number[][]): number[] => {
      const n = m.length;
      const out = new Array<number>(n * n).fill(0);
      for (let p = 0; p < n; p++) for (let q = 0; q < n; q++) out[q * n + p] = m[p]?.[q] ?? 0;
      return out;
    };
    const { a, b, ap, bp } = this.#sip;
    const matrices = [
      ['A', flat(a), 'x forward transform coefficients (column-major)'],
      ['B', flat(b), 'y forward transform coefficients (column-major)'],
      ['Ap', flat(ap), 'x reverse transform coefficients (column-major)'],
      ['Bp', flat(bp), 'y reverse transform coefficients (column-major)'],
    ] as const;
    handle.saveCatalog(
      { columns: matrices.map(([name, values, doc]) => ({ name, format: `${values.length}D`, doc })) },
      [Object.fromEntries(matrices.map(([name, values]) => [name, values]))],
    );
  }
}

/** One TanWcs entry per SkyWcs, so that a WCS shared by many records is archived once. */
const tanWcsEntries = new WeakMap<SkyWcs, TanWcsEntry | null>();

/** The TanWcs entry of a SkyWcs, or null when it is not a plain FITS TAN / TAN-SIP WCS. */
function tanWcsEntry(wcs: SkyWcs): TanWcsEntry | null {
  let entry = tanWcsEntries.get(wcs);
  if (entry !== undefined) return entry;
  entry = null;
  if (wcs.isFits && wcs.projection === 'TAN') {
    const header = wcs.getFitsMetadata(true);
    const sip = wcs.getSipMatrices();
    const plain = !header.keywords().some((k) => k === 'LONPOLE' || k === 'LATPOLE' || k.startsWith('PV'));
    if (plain && (sip === undefined || (sip.ap !== undefined && sip.bp !== undefined))) {
      entry = new TanWcsEntry(header, sip === undefined ? undefined : { a: sip.a, b: sip.b, ap: sip.ap!, bp: sip.bp! });
    }
  }
  tanWcsEntries.set(wcs, entry);
  return entry;
}

/**
 * What an afw archive stores for a component: the object itself when it is a `Persistable` (or
 * a `RawPersistable`, or was read from `passthrough`), afw's `TanWcs` entry (which afw reads as
 * a SkyWcs) for a FITS TAN or TAN-SIP `SkyWcs` made in memory, else `undefined`.
 *
 * SkyStack cannot yet write afw's AST-based `SkyWcs` entry; a SkyWcs read from an AST FrameSet
 * can only be written back into the file layout it came from.
 *
 * @param value - the component
 * @param passthrough - the archive being passed through, if any
 * @returns what to put in the archive, or `undefined` when it cannot be stored
 * @example
 * ```ts
 * const id = archive.put(archivableComponent(coaddWcs)!);
 * ```
 * @see lsst.afw.table.io.OutputArchive.put
 */
export function archivableComponent(value: unknown, passthrough?: InputArchive): Persistable | RawPersistable | undefined {
  if (isArchivable(value, passthrough)) return value;
  if (value instanceof SkyWcs) return tanWcsEntry(value) ?? undefined;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The shared schema <-> component mapping (afw's ExposureTable PersistenceHelper).

/** The table afw stores: the archive-ID fields first, then the catalog's own fields. */
interface PersistedTable {
  readonly fields: readonly Field[];
  readonly columns: ReadonlyMap<string, ColumnArray>;
  readonly length: number;
}

/** afw's TFORM letter of each non-Flag, non-String field type. */
const TFORM: Record<Exclude<FieldType, 'Flag' | 'String'>, string> = {
  B: 'B', U: 'I', I: 'J', L: 'K', F: 'E', D: 'D', Angle: 'D', ArrayB: 'B', ArrayU: 'I', ArrayI: 'J', ArrayF: 'E', ArrayD: 'D',
};

/**
 * A record of an {@link ExposureCatalog}: an ID, a bounding box, and the archived components of
 * one exposure (what coadds keep of their inputs, and what visit summaries hold per detector).
 *
 * @see lsst.afw.table.ExposureRecord
 */
export class ExposureRecord extends BaseRecord {
  /**
   * Makes a view of one row (use `ExposureCatalog.get` instead).
   *
   * @param catalog - the catalog
   * @param index - the 0-based row
   */
  constructor(catalog: BaseCatalog<BaseRecord>, index: number) {
    super(catalog, index);
  }

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
 * box, any other fields, and the archived components, which are stored in an afw archive and
 * referred to by archive-ID fields. A catalog is written on its own ({@link ExposureCatalog.writeFits}:
 * the table, then the archive) or as one catalog inside another object's archive entry
 * ({@link ExposureCatalog.writeToArchive}: what `CoaddInputs` and `CoaddPsf` do); both use afw's
 * layout: the archive-ID fields `wcs`, `psf`, `photoCalib`, `apCorrMap`, `validPolygon`,
 * `visitInfo`, `transmissionCurve`, `detector` first, then the catalog's own fields.
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

  /** `EXPOSURE`: the `AFW_TYPE` the table is written with. */
  protected override get afwType(): string {
    return 'EXPOSURE';
  }

  /**
   * The catalog's fields as an Apache Arrow table (the components are not included).
   *
   * @returns the Arrow table
   * @example
   * ```ts
   * const table = (await ExposureCatalog.readFits('visitSummary.fits')).toArrow();
   * ```
   */
  override toArrow(): ReturnType<BaseCatalog['toArrow']> {
    return super.toArrow();
  }

  protected override makeRecord(index: number): ExposureRecord {
    return new ExposureRecord(this as unknown as BaseCatalog<BaseRecord>, index);
  }

  /**
   * True when every component of every record can be written into an afw archive (see
   * {@link archivableComponent}; an undecoded `RawPersistable` only when it was read with this
   * catalog): what `writeToArchive` without `permissive` needs.
   *
   * @returns whether they all can
   */
  componentsArchivable(): boolean {
    for (const name of EXPOSURE_RECORD_COMPONENTS) {
      for (const value of this.componentColumn(name)) {
        if (value === null) continue;
        const archivable = archivableComponent(value, this.#archive);
        // An undecoded object can only be written back into the archive it came from.
        if (archivable === undefined || (archivable instanceof RawPersistable && archivable.archive !== this.#archive)) return false;
      }
    }
    return true;
  }

  /**
   * The table afw stores (its ExposureTable PersistenceHelper's write mapper): one archive-ID
   * field per component, then this catalog's fields.
   */
  #persistedTable(put: (value: Persistable | RawPersistable, name: ExposureRecordComponent, index: number) => number, permissive: boolean, where: string): PersistedTable {
    const fields: Field[] = [];
    const columns = new Map<string, ColumnArray>();
    for (const name of EXPOSURE_RECORD_COMPONENTS) {
      const ids = new Int32Array(this.length);
      this.componentColumn(name).forEach((value, i) => {
        if (value === null || value === undefined) return;
        const archivable = archivableComponent(value, this.#archive);
        if (archivable === undefined || (permissive && archivable instanceof RawPersistable && archivable.archive !== this.#archive)) {
          if (permissive) return;
          throw new AfwImageFitsError(`Cannot write the ${name} of record ${i} of an ExposureCatalog to ${where}: it is not an object the afw archive can store.`, {
            hint: 'Components must implement Persistable, come from the file being written back, or (a SkyWcs) be FITS TAN or TAN-SIP.',
          });
        }
        try {
          ids[i] = put(archivable, name, i);
        } catch (e) {
          throw new AfwImageFitsError(`Cannot write the ${name} of record ${i} of an ExposureCatalog to ${where}: ${(e as Error).message}`, { cause: e });
        }
      });
      fields.push({ name, type: 'I', doc: COMPONENT_DOCS[name], units: '', size: 1 });
      columns.set(name, ids);
    }
    for (const field of this.schema) {
      fields.push(field);
      columns.set(field.name, this.getColumn(field.name));
    }
    return { fields, columns, length: this.length };
  }

  /**
   * Builds a catalog from a stored table (afw's read mapper): archive-ID fields become
   * components, resolved by `get`; the other fields are kept in order.
   */
  static #fromPersistedTable(table: PersistedTable, get: (id: number) => unknown, options: { readonly schema?: Schema; readonly metadata?: Header; readonly archive?: InputArchive }): ExposureCatalog {
    const schema = new Schema();
    if (options.schema !== undefined) schema.setAliasMap(options.schema.getAliasMap());
    const columns = new Map<string, ColumnArray>();
    const ids = new Map<ExposureRecordComponent, Int32Array>();
    for (const field of table.fields) {
      const component = componentOfField(field);
      if (component !== undefined) {
        ids.set(component, table.columns.get(field.name) as Int32Array);
      } else {
        schema.addField(field);
        columns.set(field.name, table.columns.get(field.name)!);
      }
    }
    const catalog = new ExposureCatalog(schema, options.metadata === undefined ? {} : { metadata: options.metadata });
    catalog.adoptColumns(table.length, columns);
    catalog.#archive = options.archive;
    for (const [name, column] of ids) {
      const objects = catalog.componentColumn(name);
      column.forEach((id, i) => (objects[i] = id === 0 ? null : get(id)));
    }
    return catalog;
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
    const fields = contents.schema.getFields();
    const needed = fields.some((f) => componentOfField(f) !== undefined && (contents.columns.get(f.name) as Int32Array).some((id) => id !== 0));
    let archive: InputArchive | undefined;
    const file = await FitsFile.open(path);
    try {
      const table = file.findHdu(options.hdu ?? 1);
      const ar = table.header.get('AR_HDU');
      const next = file.hdus[table.index + 1];
      const archiveHdu = typeof ar === 'number' && ar > 0 ? ar - 1 : next !== undefined && (next.exttype === 'ARCHIVE_INDEX' || next.extname === 'ARCHIVE_INDEX') ? next.index : undefined;
      if (archiveHdu === undefined) {
        if (needed) throw new AfwImageFitsError(`${path}: the exposure table refers to archived components, but the file has no archive (no AR_HDU and no ARCHIVE_INDEX HDU after the table).`);
      } else {
        archive = await InputArchive.read(file, archiveHdu, { registry: registry ?? makeAfwRegistry() });
      }
    } finally {
      await file.close();
    }
    const metadata = contents.metadata;
    metadata.delete('EXPTABLE_VER');
    return ExposureCatalog.#fromPersistedTable({ fields, columns: contents.columns, length: contents.length }, (id) => archive!.get(id), {
      schema: contents.schema,
      metadata,
      ...(archive === undefined ? {} : { archive }),
    });
  }

  /**
   * Writes the table (`AFW_TYPE = 'EXPOSURE'`, `EXPTABLE_VER = 5`, the archive-ID fields then the
   * catalog's fields) and the archive of components after it (`AR_HDU`). Components read from a
   * file are passed through unchanged.
   *
   * @param path - the output file (written atomically)
   * @throws AfwImageFitsError when a component cannot be archived
   */
  override async writeFits(path: string): Promise<void> {
    const archive = new OutputArchive(this.#archive === undefined ? {} : { passthrough: this.#archive });
    const persisted = this.#persistedTable((value) => archive.put(value), false, path);
    const schema = new Schema();
    schema.setAliasMap(this.schema.getAliasMap());
    for (const field of persisted.fields) schema.addField(field);
    const table = new BaseCatalog(schema, { metadata: this.getMetadata() });
    table.adoptColumns(persisted.length, new Map(persisted.columns));
    const { header, data } = encodeCatalogFits(table, { afwType: 'EXPOSURE' });
    header.set('EXPTABLE_VER', EXPOSURE_TABLE_VERSION, 'Exposure table version');
    header.add(new Card('AR_HDU', 3, 'HDU (1-indexed) containing the archive used to store ancillary objects'));
    await writeFits(path, [{ header, data }, ...archive.toHdus()]);
  }

  /**
   * Writes the catalog as one catalog of an archived object (afw's
   * `ExposureCatalogT::writeToArchive`): the archive-ID fields, then the catalog's fields, with
   * each component put in the archive first.
   *
   * @param handle - the archive handle of the object being written
   * @param permissive - leave out (ID 0) components that cannot be archived, as afw's
   *   `CoaddInputs` does; otherwise they throw
   * @throws AfwImageFitsError when a component cannot be archived (and `permissive` is false),
   *   or a field has a type an archive catalog cannot hold (`U`)
   * @example
   * ```ts
   * writeToArchive(handle: OutputArchiveHandle): void {
   *   this.visits.writeToArchive(handle, true);
   * }
   * ```
   * @see lsst.afw.table.ExposureCatalogT.writeToArchive
   */
  writeToArchive(handle: OutputArchiveHandle, permissive = false): void {
    const persisted = this.#persistedTable((value) => handle.put(value), permissive, 'an archive');
    const columns: ArchiveColumn[] = [];
    const flags: ArchiveFlag[] = [];
    for (const f of persisted.fields) {
      if (f.type === 'Flag') {
        flags.push({ name: f.name, doc: f.doc });
      } else if (f.type === 'U' || f.type === 'ArrayU') {
        throw new AfwImageFitsError(`Cannot write field '${f.name}' (type ${f.type}) of an ExposureCatalog into an archive: unsigned 16-bit columns are not supported there.`);
      } else {
        const format = f.type === 'String' ? `${f.size}A` : `${f.size}${TFORM[f.type]}`;
        const tccls = f.type === 'Angle' ? 'Angle' : f.type === 'String' ? 'String' : f.type.startsWith('Array') ? 'Array' : 'Scalar';
        columns.push({ name: f.name, format, unit: f.units, doc: f.doc, tccls });
      }
    }
    const rows: ArchiveRecord[] = [];
    for (let r = 0; r < persisted.length; r++) {
      const row: Record<string, ArchiveRecord[string]> = {};
      for (const f of persisted.fields) {
        const column = persisted.columns.get(f.name)!;
        if (Array.isArray(column)) row[f.name] = column[r]!;
        else if (f.type === 'Flag') row[f.name] = column[r] !== 0;
        else if (f.size > 1 || f.type.startsWith('Array')) row[f.name] = (column as Float64Array).subarray(r * f.size, (r + 1) * f.size);
        else row[f.name] = column[r]!;
      }
      rows.push(row);
    }
    handle.saveCatalog({ columns, ...(flags.length > 0 ? { flags } : {}) }, rows);
  }

  /**
   * Reads a catalog stored inside an archived object (afw's
   * `ExposureCatalogT::readFromArchive`): fields from the archive catalog's columns (types from
   * `TFORM` and `TCCLS`), components from their archive IDs (`calib` as `photoCalib`).
   *
   * @param archive - the archive the object is in
   * @param rows - the object's rows of this catalog
   * @returns the catalog
   * @throws AfwImageFitsError when a column has a type an afw table cannot hold
   * @example
   * ```ts
   * registry.register('CoaddInputs', (catalogs, archive) =>
   *   new CoaddInputs(ExposureCatalog.readFromArchive(archive, catalogs[0]!), ExposureCatalog.readFromArchive(archive, catalogs[1]!)));
   * ```
   * @see lsst.afw.table.ExposureCatalogT.readFromArchive
   */
  static readFromArchive(archive: InputArchive, rows: ArchiveRows): ExposureCatalog {
    const table = rows.catalog.table;
    const header = rows.catalog.header;
    const n = rows.length;
    const fields: Field[] = [];
    const columns = new Map<string, ColumnArray>();
    const add = (input: FieldInput, data: ColumnArray): void => {
      fields.push({ name: input.name, type: input.type, doc: input.doc ?? '', units: input.units ?? '', size: input.size ?? 1 });
      columns.set(input.name, data);
    };
    const convert = (type: Exclude<FieldType, 'String'>, values: ArrayLike<number | bigint>): ColumnArray => {
      const Ctor = columnArrayConstructor(type);
      if (Ctor === BigInt64Array) return BigInt64Array.from(values as ArrayLike<number | bigint>, (v) => BigInt(v));
      return (Ctor as Float64ArrayConstructor).from(values as ArrayLike<number | bigint>, (v) => Number(v));
    };
    table.columns.forEach((meta, i) => {
      const card = (key: string): string => String(header.get(`${key}${i + 1}`) ?? '').trim();
      const name = meta.name;
      if (name === 'flags' && meta.type === 'X') {
        for (const c of header.cards()) {
          const m = /^TFLAG(\d+)$/.exec(c.keyword);
          if (m === null) continue;
          const flag = String(c.value).trim();
          const bits = new Uint8Array(n);
          for (let r = 0; r < n; r++) bits[r] = rows.flag(flag, r) ? 1 : 0;
          add({ name: flag, type: 'Flag', doc: String(header.get(`TFDOC${m[1]}`) ?? '').trim() }, bits);
        }
        return;
      }
      const doc = card('TDOC');
      const units = card('TUNIT');
      const tccls = card('TCCLS');
      const size = meta.repeat;
      if (meta.variableLength) throw new AfwImageFitsError(`Column '${name}' of an archived ExposureCatalog in ${rows.catalog.location} is variable-length, which an afw table cannot hold.`);
      if (meta.type === 'A') {
        const values: string[] = [];
        for (let r = 0; r < n; r++) values.push(rows.string(name, r));
        add({ name, type: 'String', doc, units, size }, values);
        return;
      }
      const values = rows.column(name);
      const split = (type: 'I' | 'D'): void => {
        for (const [k, suffix] of ['x', 'y'].entries()) {
          const out = Array.from({ length: n }, (_, r) => values[r * 2 + k]!);
          add({ name: `${name}_${suffix}`, type, doc, units }, convert(type, out));
        }
      };
      const scalarOrArray = (scalar: Exclude<FieldType, 'String' | 'Flag'>, array: Exclude<FieldType, 'String' | 'Flag'>): void => {
        if (size === 1 && tccls !== 'Array') add({ name, type: scalar, doc, units }, convert(scalar, values));
        else add({ name, type: array, doc, units, size }, convert(array, values));
      };
      switch (meta.type) {
        case 'B':
          scalarOrArray('B', 'ArrayB');
          break;
        case 'I':
          scalarOrArray('U', 'ArrayU');
          break;
        case 'J':
          if (tccls === 'Point' && size === 2) split('I');
          else scalarOrArray('I', 'ArrayI');
          break;
        case 'K':
          if (size !== 1) throw new AfwImageFitsError(`Column '${name}' of an archived ExposureCatalog in ${rows.catalog.location} is an int64 array, which an afw table cannot hold.`);
          add({ name, type: 'L', doc, units }, convert('L', values));
          break;
        case 'E':
          scalarOrArray('F', 'ArrayF');
          break;
        case 'D':
          if (tccls === 'Point' && size === 2) split('D');
          else if (tccls === 'Angle' && size === 1) add({ name, type: 'Angle', doc, units: 'rad' }, convert('Angle', values));
          else scalarOrArray('D', 'ArrayD');
          break;
        default:
          throw new AfwImageFitsError(`Column '${name}' (TFORM '${meta.format}') of an archived ExposureCatalog in ${rows.catalog.location} has a type an afw table cannot hold.`);
      }
    });
    const aliases = new Schema();
    for (const c of header.getAll('ALIAS')) {
      const text = String(c.value).trim();
      const colon = text.indexOf(':');
      if (colon > 0) aliases.getAliasMap().set(text.slice(0, colon), text.slice(colon + 1));
    }
    return ExposureCatalog.#fromPersistedTable({ fields, columns, length: n }, (id) => archive.get(id), { schema: aliases, archive });
  }
}
