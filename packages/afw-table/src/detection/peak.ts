import { Point2D, Point2I } from '@skystack/geom';
import type { ArchiveRows } from '../archive/archive-rows.js';
import type { ArchiveColumn, ArchiveRecord, ArchiveSchema } from '../archive/output-archive.js';
import { BaseCatalog, BaseRecord, checkRequiredFields, type CatalogOptions, type RequiredField } from '../base-catalog.js';
import { columnArrayConstructor, type ColumnArray } from '../column-array.js';
import { AfwTableFormatError, AfwTableInvalidArgumentError } from '../errors.js';
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
    // (a copy's schema is that of a catalog already checked)
    if (PeakCatalog.#checked === schema) PeakCatalog.#checked = undefined;
    else checkRequiredFields(schema, PEAK_FIELDS, 'PeakCatalog');
    super(schema, options);
  }

  /** The schema of the catalog being copied (its fields were checked when it was made). */
  static #checked: Schema | undefined;

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
   * Appends peaks in bulk: the same rows as {@link PeakCatalog.addPeak} called for each peak in
   * turn (IDs counting on from one more than the largest so far, integer positions truncated
   * toward zero, other fields zero), without a record per peak.
   *
   * @param fx - the subpixel columns
   * @param fy - the subpixel rows
   * @param peakValues - the image values at the peaks
   * @param count - how many of the entries to append (default `fx.length`)
   * @throws AfwTableInvalidArgumentError when an array holds fewer than `count` entries
   * @example
   * ```ts
   * const peaks = new PeakCatalog();
   * peaks.addPeaks([10, 30], [20, 5], [123.5, 99]); // IDs 1 and 2
   * ```
   */
  addPeaks(fx: ArrayLike<number>, fy: ArrayLike<number>, peakValues: ArrayLike<number>, count: number = fx.length): void {
    if (!Number.isSafeInteger(count) || count < 0 || fx.length < count || fy.length < count || peakValues.length < count) {
      throw new AfwTableInvalidArgumentError(
        `PeakCatalog.addPeaks needs at least ${String(count)} (a non-negative integer) positions and values; got ${fx.length} f_x, ${fy.length} f_y and ${peakValues.length} values.`,
      );
    }
    if (count === 0) return;
    const n0 = this.length;
    const ids = this.getColumn('id') as BigInt64Array;
    let next = 1n;
    for (let i = 0; i < n0; i++) if (ids[i]! >= next) next = ids[i]! + 1n;
    const n = n0 + count;
    const columns = new Map<string, ColumnArray>();
    for (const f of this.schema.getFields()) {
      const old = this.getColumn(f.name);
      if (Array.isArray(old)) {
        const strings = old.slice(0, n0);
        for (let i = n0; i < n; i++) strings.push('');
        columns.set(f.name, strings);
        continue;
      }
      const Ctor = columnArrayConstructor(f.type as Exclude<FieldType, 'String'>) as Float64ArrayConstructor;
      const column = new Ctor(n * f.size);
      column.set(old as Float64Array);
      columns.set(f.name, column);
    }
    const id = columns.get(this.schema.find('id').name) as BigInt64Array;
    const cfx = columns.get(this.schema.find('f_x').name) as Float32Array;
    const cfy = columns.get(this.schema.find('f_y').name) as Float32Array;
    const cix = columns.get(this.schema.find('i_x').name) as Int32Array;
    const ciy = columns.get(this.schema.find('i_y').name) as Int32Array;
    const cv = columns.get(this.schema.find('peakValue').name) as Float32Array;
    for (let i = 0; i < count; i++) {
      const r = n0 + i;
      const x = fx[i]!;
      const y = fy[i]!;
      id[r] = next++;
      cfx[r] = x;
      cfy[r] = y;
      cix[r] = Math.trunc(x);
      ciy[r] = Math.trunc(y);
      cv[r] = peakValues[i]!;
    }
    this.adoptColumns(n, columns);
  }

  /**
   * A copy of the catalog (schema and metadata shared, columns copied).
   *
   * @returns the copy
   */
  copy(): PeakCatalog {
    const n = this.length;
    PeakCatalog.#checked = this.schema;
    const out = new PeakCatalog(this.schema, { metadata: this.getMetadata(), length: n });
    if (n === 0) return out;
    for (const f of this.schema.getFields()) {
      const from = this.getColumn(f.name);
      const to = out.getColumn(f.name);
      if (Array.isArray(from)) {
        const strings = to as string[];
        for (let i = 0; i < n; i++) strings[i] = from[i]!;
      } else {
        (to as Float64Array).set(from as Float64Array);
      }
    }
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
