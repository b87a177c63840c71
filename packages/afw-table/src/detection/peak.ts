import { Point2D, Point2I } from '@skystack/geom';
import type { ArchiveRows } from '../archive/archive-rows.js';
import type { ArchiveColumn, ArchiveRecord, ArchiveSchema } from '../archive/output-archive.js';
import { BaseCatalog, BaseRecord, checkRequiredFields, type CatalogOptions, type RequiredField } from '../base-catalog.js';
import { columnArrayConstructor, type ColumnArray } from '../column-array.js';
import { AfwTableFormatError } from '../errors.js';
import { afwColumnFormat } from '../write-catalog-fits.js';
import { isArrayFieldType, Schema, type FieldInput, type FieldType } from '../schema.js';

/** The fields of afw's minimal peak schema, in afw's order. */
const PEAK_FIELDS: readonly (RequiredField & { readonly units: string })[] = [
  { name: 'id', type: 'L', doc: 'unique ID', units: '' },
  { name: 'f_x', type: 'F', doc: 'subpixel column position', units: 'pixel' },
  { name: 'f_y', type: 'F', doc: 'subpixel row position', units: 'pixel' },
  { name: 'i_x', type: 'I', doc: 'column position of highest pixel', units: 'pixel' },
  { name: 'i_y', type: 'I', doc: 'row position of highest pixel', units: 'pixel' },
  { name: 'peakValue', type: 'F', doc: 'value of [smoothed] image at peak position', units: 'count' },
];

/**
 * One peak of a {@link PeakCatalog}: a view of one row (no copy).
 *
 * @example
 * ```ts
 * const peak = footprint.getPeaks().get(0);
 * peak.getIx(); peak.getFy(); peak.getPeakValue();
 * peak.get('merge_peak_i'); // an extra column of the file's peak schema
 * ```
 * @see lsst.afw.detection.PeakRecord
 */
export class PeakRecord extends BaseRecord {
  /**
   * The peak's ID.
   *
   * @returns `id`
   */
  getId(): bigint {
    return (this.catalog.getColumn('id') as BigInt64Array)[this.index]!;
  }

  /**
   * The column of the highest pixel.
   *
   * @returns `i_x`
   */
  getIx(): number {
    return (this.catalog.getColumn('i_x') as Int32Array)[this.index]!;
  }

  /**
   * The row of the highest pixel.
   *
   * @returns `i_y`
   */
  getIy(): number {
    return (this.catalog.getColumn('i_y') as Int32Array)[this.index]!;
  }

  /**
   * The subpixel column.
   *
   * @returns `f_x`
   */
  getFx(): number {
    return (this.catalog.getColumn('f_x') as Float32Array)[this.index]!;
  }

  /**
   * The subpixel row.
   *
   * @returns `f_y`
   */
  getFy(): number {
    return (this.catalog.getColumn('f_y') as Float32Array)[this.index]!;
  }

  /**
   * The value of the (smoothed) image at the peak.
   *
   * @returns `peakValue`
   */
  getPeakValue(): number {
    return (this.catalog.getColumn('peakValue') as Float32Array)[this.index]!;
  }

  /**
   * The integer position.
   *
   * @returns `(i_x, i_y)`
   */
  getI(): Point2I {
    return new Point2I(this.getIx(), this.getIy());
  }

  /**
   * The subpixel position.
   *
   * @returns `(f_x, f_y)`
   */
  getF(): Point2D {
    return new Point2D(this.getFx(), this.getFy());
  }
}

/**
 * The peaks of a footprint: a catalog with afw's peak schema (`id`, `f_x`, `f_y`, `i_x`,
 * `i_y`, `peakValue`) in typed-array columns, plus any other fields the file's peak schema has
 * (the `merge_peak_*` flags of a coadd, ...), kept so that they are written back.
 *
 * @example
 * ```ts
 * const peaks = new PeakCatalog();
 * peaks.addPeak(10.4, 20.6, 123.5); // i_x 10, i_y 20, id 1
 * peaks.getColumn('peakValue'); // Float32Array [123.5]
 * ```
 * @see lsst.afw.detection.PeakCatalog
 */
export class PeakCatalog extends BaseCatalog<PeakRecord> {
  /** The fields every peak schema has. */
  static override readonly requiredFields: readonly RequiredField[] = PEAK_FIELDS;

  /**
   * Makes a catalog with zero-filled columns.
   *
   * @param schema - a schema with at least the fields of {@link PeakCatalog.makeMinimalSchema} (default: that schema)
   * @param options - number of rows and metadata
   * @throws AfwTableInvalidArgumentError when the schema lacks a required field
   */
  constructor(schema: Schema = PeakCatalog.makeMinimalSchema(), options: CatalogOptions = {}) {
    checkRequiredFields(schema, PEAK_FIELDS, 'PeakCatalog');
    super(schema, options);
  }

  /**
   * afw's minimal peak schema: `id` (L), `f_x`, `f_y` (F), `i_x`, `i_y` (I), `peakValue` (F).
   *
   * @returns a new schema
   * @see lsst.afw.detection.PeakTable.makeMinimalSchema
   */
  static override makeMinimalSchema(): Schema {
    return new Schema(PEAK_FIELDS);
  }

  /**
   * Appends a peak, as afw's `Footprint.addPeak`: the integer position is the subpixel position
   * truncated toward zero, the ID one more than the largest so far.
   *
   * @param fx - the subpixel column
   * @param fy - the subpixel row
   * @param peakValue - the image value at the peak
   * @returns the new peak
   */
  addPeak(fx: number, fy: number, peakValue: number): PeakRecord {
    const ids = this.getColumn('id') as BigInt64Array;
    let next = 1n;
    for (const id of ids) if (id >= next) next = id + 1n;
    const peak = this.addNew();
    peak.set('id', next);
    peak.set('f_x', fx);
    peak.set('f_y', fy);
    peak.set('i_x', Math.trunc(fx));
    peak.set('i_y', Math.trunc(fy));
    peak.set('peakValue', peakValue);
    return peak;
  }

  /**
   * A copy of the catalog (schema shared, columns copied).
   *
   * @returns the copy
   */
  copy(): PeakCatalog {
    const out = new PeakCatalog(this.schema, { metadata: this.getMetadata() });
    const columns = new Map<string, ColumnArray>();
    for (const f of this.schema) {
      const c = this.getColumn(f.name);
      columns.set(f.name, Array.isArray(c) ? [...(c as string[])] : (c as Float64Array).slice());
    }
    out.adoptColumns(this.length, columns);
    return out;
  }

  /**
   * The archive layout of the peaks (afw's `PeakTable` schema as written by `Footprint::write`):
   * Flag fields in the packed `flags` column, then the other fields in schema order.
   *
   * @returns the schema and one record per peak
   */
  toArchive(): {
    /** The catalog layout. */
    readonly schema: ArchiveSchema;
    /** One record per peak. */
    readonly rows: ArchiveRecord[];
  } {
    const fields = this.schema.getFields();
    const flags = fields.filter((f) => f.type === 'Flag').map((f) => ({ name: f.name, ...(f.doc === '' ? {} : { doc: f.doc }) }));
    const columns: ArchiveColumn[] = [];
    for (const f of fields) {
      if (f.type === 'Flag') continue;
      const { format, tccls } = afwColumnFormat(f);
      columns.push({ name: f.name, format, tccls, ...(f.units === '' ? {} : { unit: f.units }), ...(f.doc === '' ? {} : { doc: f.doc }) });
    }
    const data = fields.map((f) => [f, this.getColumn(f.name)] as const);
    const rows: ArchiveRecord[] = [];
    for (let r = 0; r < this.length; r++) {
      const row: Record<string, ArchiveRecord[string]> = {};
      for (const [f, c] of data) {
        if (f.type === 'String') row[f.name] = (c as string[])[r]!;
        else if (isArrayFieldType(f.type)) row[f.name] = (c as Float64Array).subarray(r * f.size, (r + 1) * f.size);
        else if (f.type === 'Flag') row[f.name] = (c as Uint8Array)[r] !== 0;
        else row[f.name] = (c as Float64Array | BigInt64Array)[r]!;
      }
      rows.push(row);
    }
    return { schema: { columns, flags }, rows };
  }

  /**
   * Reads peaks from an archive catalog: afw's peak schema and any extra fields (flags, scalars,
   * fixed-size arrays, strings), or the layout before peak schemas (`x`, `y`, `value`: then
   * `i_x`/`i_y` are `f_x`/`f_y` truncated and the IDs count from 1).
   *
   * @param rows - the peak rows of one footprint
   * @returns the peaks
   * @throws AfwTableFormatError when a required column is missing or has an unreadable type
   */
  static fromArchiveRows(rows: ArchiveRows): PeakCatalog {
    const n = rows.length;
    const table = rows.catalog.table;
    const header = rows.catalog.header;
    const where = `the peaks of the '${rows.catalog.name}' catalog in ${rows.catalog.location}`;
    if (!rows.has('f_x') && rows.has('x') && rows.has('y') && rows.has('value')) {
      const out = new PeakCatalog(PeakCatalog.makeMinimalSchema(), { length: n });
      const fx = Float32Array.from(rows.column('x') as ArrayLike<number>);
      const fy = Float32Array.from(rows.column('y') as ArrayLike<number>);
      out.setColumn('f_x', fx);
      out.setColumn('f_y', fy);
      out.setColumn('i_x', Int32Array.from(fx, Math.trunc));
      out.setColumn('i_y', Int32Array.from(fy, Math.trunc));
      out.setColumn('peakValue', rows.column('value') as ArrayLike<number>);
      out.setColumn('id', BigInt64Array.from({ length: n }, (_, i) => BigInt(i + 1)));
      return out;
    }
    const schema = new Schema();
    const columns = new Map<string, ColumnArray>();
    const flagNames: { name: string; bit: number; doc: string }[] = [];
    for (const card of header.cards()) {
      const m = /^TFLAG(\d+)$/.exec(card.keyword);
      if (m !== null && typeof card.value === 'string') {
        const doc = header.get(`TFDOC${m[1]}`);
        flagNames.push({ name: card.value.trimEnd(), bit: Number(m[1]) - 1, doc: typeof doc === 'string' ? doc : '' });
      }
    }
    for (const meta of table.columns) {
      if (meta.name === 'flags' && meta.type === 'X') continue;
      const doc = typeof meta.extra['TDOC'] === 'string' ? meta.extra['TDOC'] : '';
      const units = meta.unit ?? '';
      const tccls = typeof meta.extra['TCCLS'] === 'string' ? meta.extra['TCCLS'].trimEnd() : '';
      const required = PEAK_FIELDS.find((f) => f.name === meta.name);
      let type: FieldType | undefined;
      if (meta.variableLength) type = undefined;
      else if (meta.type === 'A') type = 'String';
      else {
        const scalar = meta.repeat === 1 && tccls !== 'Array';
        const byCode: Partial<Record<string, [FieldType, FieldType]>> = { B: ['B', 'ArrayB'], I: ['U', 'ArrayU'], J: ['I', 'ArrayI'], K: ['L', 'L'], E: ['F', 'ArrayF'], D: [tccls === 'Angle' ? 'Angle' : 'D', 'ArrayD'] };
        const pair = byCode[meta.type];
        type = pair === undefined || (meta.type === 'K' && !scalar) ? undefined : scalar ? pair[0] : pair[1];
      }
      if (required !== undefined) type = required.type;
      if (type === undefined) {
        throw new AfwTableFormatError(`Cannot read column '${meta.name}' (TFORM '${meta.format}') of ${where}.`);
      }
      const input: FieldInput = { name: meta.name, type, doc, units, ...(type === 'String' || isArrayFieldType(type) ? { size: meta.repeat } : {}) };
      schema.addField(input);
      if (type === 'String') {
        columns.set(meta.name, table.getStringColumn(meta.name).slice(rows.row0, rows.row0 + n).map((s) => s.replace(/[\s\0]+$/, '')));
        continue;
      }
      const raw = n === 0 ? new Float64Array(0) : rows.column(meta.name);
      const Ctor = columnArrayConstructor(type as Exclude<FieldType, 'String'>);
      if (raw instanceof Ctor) columns.set(meta.name, raw as ColumnArray);
      else if (Ctor === BigInt64Array) columns.set(meta.name, BigInt64Array.from(raw as ArrayLike<number | bigint>, (v) => BigInt(v)));
      else columns.set(meta.name, (Ctor as Float64ArrayConstructor).from(raw as ArrayLike<number | bigint>, Number) as ColumnArray);
    }
    for (const flag of flagNames) {
      schema.addField({ name: flag.name, type: 'Flag', doc: flag.doc });
      const out = new Uint8Array(n);
      for (let r = 0; r < n; r++) out[r] = rows.flag(flag.name, r) ? 1 : 0;
      columns.set(flag.name, out);
    }
    for (const f of PEAK_FIELDS) {
      if (!schema.contains(f.name)) {
        throw new AfwTableFormatError(`${where[0]!.toUpperCase()}${where.slice(1)} have no '${f.name}' column; they have ${rows.columnNames.join(', ')}.`);
      }
    }
    const out = new PeakCatalog(schema);
    out.adoptColumns(n, columns);
    return out;
  }

  /**
   * Makes the record view of a row.
   *
   * @param index - the row
   * @returns the record
   */
  protected override makeRecord(index: number): PeakRecord {
    return new PeakRecord(this as unknown as BaseCatalog<BaseRecord>, index);
  }
}
