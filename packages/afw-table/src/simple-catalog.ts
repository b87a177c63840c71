import { Angle, SpherePoint } from '@skystack/geom';
import { BaseCatalog, BaseRecord, checkRequiredFields, type CatalogOptions, type RequiredField } from './base-catalog.js';
import { readCatalogFits, type ReadCatalogFitsOptions } from './read-catalog-fits.js';
import { Schema } from './schema.js';

/**
 * A record of a {@link SimpleCatalog}: `id` and `coord_ra`/`coord_dec` accessors.
 *
 * @see lsst.afw.table.SimpleRecord
 */
export class SimpleRecord extends BaseRecord {
  /**
   * The unique ID (`id`).
   *
   * @returns the ID
   */
  getId(): bigint {
    return (this.catalog.getColumn('id') as BigInt64Array)[this.index]!;
  }

  /**
   * The right ascension (`coord_ra`).
   *
   * @returns the angle
   */
  getRa(): Angle {
    return Angle.fromRadians((this.catalog.getColumn('coord_ra') as Float64Array)[this.index]!);
  }

  /**
   * The declination (`coord_dec`).
   *
   * @returns the angle
   */
  getDec(): Angle {
    return Angle.fromRadians((this.catalog.getColumn('coord_dec') as Float64Array)[this.index]!);
  }

  /**
   * The sky position (`coord_ra`, `coord_dec`).
   *
   * @returns the position
   */
  getCoord(): SpherePoint {
    return new SpherePoint(this.getRa(), this.getDec());
  }
}

/** The fields every SimpleCatalog schema has. */
const SIMPLE_FIELDS: readonly RequiredField[] = [
  { name: 'id', type: 'L', doc: 'unique ID' },
  { name: 'coord_ra', type: 'Angle', doc: 'position in ra/dec' },
  { name: 'coord_dec', type: 'Angle', doc: 'position in ra/dec' },
];

/**
 * A catalog of objects with an ID and a sky position (reference catalogs, for example).
 *
 * @example
 * ```ts
 * const refcat = await SimpleCatalog.readFits('ps1-refcat-v1.fits');
 * refcat.get(0).getCoord();
 * refcat.getColumn('g_flux'); // Float64Array
 * ```
 * @see lsst.afw.table.SimpleCatalog
 */
export class SimpleCatalog<R extends SimpleRecord = SimpleRecord> extends BaseCatalog<R> {
  /** The fields (name and type) a SimpleCatalog schema must have. */
  static override readonly requiredFields = SIMPLE_FIELDS;

  /**
   * Makes a catalog with zero-filled columns.
   *
   * @param schema - a schema with at least the fields of {@link SimpleCatalog.makeMinimalSchema}
   * @param options - number of rows and metadata
   * @throws AfwTableInvalidArgumentError when the schema lacks a required field
   */
  constructor(schema: Schema, options: CatalogOptions = {}) {
    checkRequiredFields(schema, SIMPLE_FIELDS, 'SimpleCatalog');
    super(schema, options);
  }

  /**
   * The minimal schema: `id` (L), `coord_ra` and `coord_dec` (Angle).
   *
   * @returns a new schema
   */
  static override makeMinimalSchema(): Schema {
    return new Schema(SIMPLE_FIELDS);
  }

  /**
   * Reads a SimpleCatalog from an afw FITS table (see {@link readCatalogFits}).
   *
   * @param path - the FITS file
   * @param options - which HDU (default 1)
   * @returns the catalog
   * @throws AfwTableInvalidArgumentError when the table lacks `id`, `coord_ra` or `coord_dec`
   * @see lsst.afw.table.SimpleCatalog.readFits
   */
  static override async readFits(path: string, options: ReadCatalogFitsOptions = {}): Promise<SimpleCatalog> {
    const contents = await readCatalogFits(path, options);
    const catalog = new SimpleCatalog(contents.schema, { metadata: contents.metadata });
    catalog.adoptColumns(contents.length, contents.columns);
    return catalog;
  }

  /** `AFW_TYPE = 'SIMPLE'`. */
  protected override get afwType(): string | undefined {
    return 'SIMPLE';
  }

  /**
   * Makes the record view of a row.
   *
   * @param index - the row
   * @returns the record
   */
  protected override makeRecord(index: number): R {
    return new SimpleRecord(this as unknown as BaseCatalog<BaseRecord>, index) as R;
  }
}
