import { BinaryTable, Card, packBits, parseTform, type BinaryTableCellInput, type BinaryTableColumnInput, type Header } from '@skystack/fits';
import { AfwTableInvalidArgumentError } from '../errors.js';
import { Schema } from '../schema.js';
import { archiveOrigin, type InputArchive } from './input-archive.js';
import { RawPersistable, type Persistable } from './persistable.js';

/** One column of an archive catalog written by a {@link Persistable}. */
export interface ArchiveColumn {
  /** The column name. */
  readonly name: string;
  /** `TFORM`: `'1J'`, `'1K'`, `'1D'`, `'4D'` (fixed array), `'64A'`, `'QA'` (variable-length string), `'QB'`, `'QD'`. */
  readonly format: string;
  /** `TUNIT`. */
  readonly unit?: string;
  /** `TDOC`. */
  readonly doc?: string;
  /** afw's field class (`TCCLS`); by default `'String'` for text, `'Array'` for arrays, else `'Scalar'`. */
  readonly tccls?: string;
}

/** A Flag field of an archive catalog (a bit of the packed `flags` column). */
export interface ArchiveFlag {
  /** The field name (`TFLAGn`). */
  readonly name: string;
  /** Its documentation (`TFDOCn`). */
  readonly doc?: string;
}

/** The layout of an archive catalog: its columns, and the Flag fields packed in a `flags` column. */
export interface ArchiveSchema {
  /** The columns, in order. */
  readonly columns: readonly ArchiveColumn[];
  /** The Flag fields (written first, as the packed `flags` bit column, as afw does). */
  readonly flags?: readonly ArchiveFlag[];
}

/** A value of one cell: a number, bigint, boolean (flags), string, or the elements of an array. */
export type ArchiveValue = number | bigint | boolean | string | ArrayLike<number> | ArrayLike<bigint>;

/** One row of an archive catalog: column (and flag) name → value. */
export type ArchiveRecord = Readonly<Record<string, ArchiveValue>>;

/** What {@link OutputArchive.toHdus} returns per HDU. */
export interface ArchiveOutputHdu {
  /** The header. */
  readonly header: Header;
  /** The data unit. */
  readonly data: Uint8Array;
}

interface Group {
  readonly name: string;
  readonly signature: string;
  readonly schema: ArchiveSchema;
  readonly rows: ArchiveRecord[];
  readonly catArchive: number;
}

interface Entry {
  readonly id: number;
  readonly catArchive: number;
  readonly catPersistable: number;
  readonly row0: number;
  readonly nRows: number;
  readonly name: string;
  readonly module: string;
}

/**
 * What a {@link Persistable} writes through: catalogs of rows, and the IDs of the objects it
 * refers to.
 *
 * @see lsst.afw.table.io.OutputArchiveHandle
 */
export class OutputArchiveHandle {
  readonly #archive: OutputArchive;
  readonly #save: (schema: ArchiveSchema, rows: readonly ArchiveRecord[]) => void;

  /** @internal */
  constructor(archive: OutputArchive, save: (schema: ArchiveSchema, rows: readonly ArchiveRecord[]) => void) {
    this.#archive = archive;
    this.#save = save;
  }

  /**
   * Saves an object this one refers to.
   *
   * @param object - the object (`null`/`undefined` give 0)
   * @returns its archive ID
   */
  put(object: Persistable | RawPersistable | null | undefined): number {
    return this.#archive.put(object);
  }

  /**
   * Saves one of the object's catalogs. Rows of objects with the same persistence name and the
   * same layout share a catalog, as in afw.
   *
   * @param schema - the columns and flags
   * @param rows - the rows
   */
  saveCatalog(schema: ArchiveSchema, rows: readonly ArchiveRecord[]): void {
    this.#save(schema, rows);
  }
}

/**
 * Builds an afw table-persistence archive for writing: objects are added with
 * {@link OutputArchive.put} (which writes the objects they refer to first) and the archive comes
 * out as the `ARCHIVE_INDEX` and `ARCHIVE_DATA` HDUs with {@link OutputArchive.toHdus}.
 *
 * Passing through an {@link InputArchive} (what writing an exposure that was read from a file
 * does) copies its index rows and catalogs unchanged and keeps their IDs, so objects that were
 * read and not replaced, including those SkyStack cannot decode ({@link RawPersistable}), are
 * written back byte for byte; new objects get IDs after the largest one there.
 *
 * @see lsst.afw.table.io.OutputArchive
 */
export class OutputArchive {
  readonly #passthrough: InputArchive | undefined;
  readonly #entries: Entry[] = [];
  readonly #groups: Group[] = [];
  readonly #ids = new Map<object, number>();
  #nextId = 1;

  /**
   * Starts an archive.
   *
   * @param options - an archive to pass through
   */
  constructor(options: { readonly passthrough?: InputArchive } = {}) {
    this.#passthrough = options.passthrough;
    if (options.passthrough !== undefined) {
      for (const e of options.passthrough.entries) {
        this.#entries.push({ ...e });
        this.#nextId = Math.max(this.#nextId, e.id + 1);
      }
    }
  }

  /** True when nothing has been put and nothing is passed through. */
  get isEmpty(): boolean {
    return this.#entries.length === 0;
  }

  get #firstNewCatalog(): number {
    return (this.#passthrough?.catalogs.length ?? 0) + 1;
  }

  /**
   * Saves an object (once: the same instance gives the same ID).
   *
   * @param object - the object (`null`/`undefined` give 0, afw's null pointer)
   * @returns its archive ID
   * @throws AfwTableInvalidArgumentError when the object is a {@link RawPersistable} from an
   *   archive that is not passed through (its references to other objects cannot be rewritten)
   */
  put(object: Persistable | RawPersistable | null | undefined): number {
    if (object === null || object === undefined) return 0;
    const known = this.#ids.get(object);
    if (known !== undefined) return known;
    const origin = archiveOrigin(object);
    if (origin !== undefined && origin.archive === this.#passthrough) {
      this.#ids.set(object, origin.id);
      return origin.id;
    }
    if (object instanceof RawPersistable) {
      throw new AfwTableInvalidArgumentError(
        `Cannot write ${object.toString()}: SkyStack cannot decode '${object.name}', so it can only be written back into the file layout it came from.`,
        { hint: 'Write it together with the other components read from the same file, or drop it.' },
      );
    }
    const id = this.#nextId++;
    this.#ids.set(object, id);
    let catPersistable = 0;
    const handle = new OutputArchiveHandle(this, (schema, rows) => {
      const group = this.#groupFor(object.persistenceName, schema);
      this.#entries.push({
        id,
        catArchive: group.catArchive,
        catPersistable: catPersistable++,
        row0: group.rows.length,
        nRows: rows.length,
        name: object.persistenceName,
        module: object.pythonModule,
      });
      group.rows.push(...rows);
    });
    object.writeToArchive(handle);
    return id;
  }

  #groupFor(name: string, schema: ArchiveSchema): Group {
    const signature = JSON.stringify([schema.columns.map((c) => [c.name, c.format, c.unit ?? '', c.tccls ?? '']), (schema.flags ?? []).map((f) => f.name)]);
    let group = this.#groups.find((g) => g.name === name && g.signature === signature);
    if (group === undefined) {
      group = { name, signature, schema, rows: [], catArchive: this.#firstNewCatalog + this.#groups.length };
      this.#groups.push(group);
    }
    return group;
  }

  /**
   * The archive as HDUs: the `ARCHIVE_INDEX` table, then the passed-through catalogs unchanged,
   * then one `ARCHIVE_DATA` table per new catalog.
   *
   * @returns the HDUs, to append to a FITS file after its other HDUs
   */
  toHdus(): ArchiveOutputHdu[] {
    const nCatalogs = this.#firstNewCatalog + this.#groups.length;
    const out: ArchiveOutputHdu[] = [this.#encodeIndex(nCatalogs)];
    for (const catalog of this.#passthrough?.catalogs ?? []) out.push({ header: catalog.header, data: catalog.data });
    this.#groups.forEach((g) => out.push(encodeGroup(g)));
    return out;
  }

  #encodeIndex(nCatalogs: number): ArchiveOutputHdu {
    const e = this.#entries;
    const int = (pick: (x: Entry) => number): Int32Array => Int32Array.from(e, pick);
    const col = (name: string, format: string, data: BinaryTableColumnInput['data'], doc: string, tccls: string): BinaryTableColumnInput => ({ name, format, data, doc, extra: { TCCLS: tccls } });
    const { header, data } = BinaryTable.encode(
      [
        col('id', '1J', int((x) => x.id), 'Archive ID of the persistable object that owns the records pointed at by this entry', 'Scalar'),
        col('cat.archive', '1J', int((x) => x.catArchive), 'index of the catalog this entry points to, from the perspective of the archive', 'Scalar'),
        col('cat.persistable', '1J', int((x) => x.catPersistable), 'index of the catalog this entry points to, from the perspective of the Persistable', 'Scalar'),
        col('row0', '1J', int((x) => x.row0), 'first row used by the persistable object in this catalog', 'Scalar'),
        col('nrows', '1J', int((x) => x.nRows), 'number of rows used by the persistable object in this catalog', 'Scalar'),
        col('name', '64A', e.map((x) => x.name), "unique name for the persistable object's class", 'String'),
        col('module', '64A', e.map((x) => x.module), "Python module that should be imported to register the object's factory", 'String'),
      ],
      e.length,
    );
    header.add(new Card('EXTTYPE', 'ARCHIVE_INDEX'));
    header.add(new Card('EXTNAME', 'ARCHIVE_INDEX'));
    header.add(new Card('AR_CATN', 0, '# of this catalog relative to the start of this archive'));
    header.add(new Card('AR_NCAT', nCatalogs, '# of catalogs in this archive, including the index'));
    header.add(new Card('AFW_TABLE_VERSION', Schema.VERSION));
    addLongString(header);
    return { header, data };
  }
}

function addLongString(header: Header): void {
  if (!header.has('LONGSTRN') && header.cards().some((c) => typeof c.value === 'string' && c.value.length > 68)) {
    header.add(new Card('LONGSTRN', 'OGIP 1.0', 'The OGIP long string convention may be used.'));
  }
}

function bad(group: Group, message: string): never {
  throw new AfwTableInvalidArgumentError(`Archive catalog '${group.name}': ${message}`);
}

/** Encodes one new catalog: the packed flags first (when any), then the columns. */
function encodeGroup(group: Group): ArchiveOutputHdu {
  const { schema, rows } = group;
  const n = rows.length;
  const inputs: BinaryTableColumnInput[] = [];
  const flags = schema.flags ?? [];
  if (flags.length > 0) {
    const bits = new Uint8Array(n * flags.length);
    rows.forEach((row, r) => flags.forEach((f, b) => (bits[r * flags.length + b] = row[f.name] === true || row[f.name] === 1 ? 1 : 0)));
    inputs.push({ name: 'flags', format: `${flags.length}X`, data: packBits(bits, flags.length), doc: 'bits for all Flag fields; see also TFLAGn' });
  }
  for (const column of schema.columns) {
    const tform = parseTform(column.format);
    const values = rows.map((row) => {
      const v = row[column.name];
      if (v === undefined) bad(group, `a row has no value for column '${column.name}'.`);
      return v;
    });
    let data: BinaryTableColumnInput['data'];
    if (tform.type === 'A') {
      data = values.map((v) => (typeof v === 'string' ? v : bad(group, `column '${column.name}' takes strings.`)));
    } else if (tform.descriptor !== null) {
      data = values.map((v) => (typeof v === 'object' ? v : bad(group, `column '${column.name}' takes arrays.`))) as BinaryTableCellInput[];
    } else {
      const flat: (number | bigint)[] = [];
      for (const v of values) {
        if (typeof v === 'number' || typeof v === 'bigint') flat.push(v);
        else if (typeof v === 'boolean') flat.push(v ? 1 : 0);
        else if (typeof v === 'object' && v.length === tform.repeat) for (let i = 0; i < v.length; i++) flat.push(v[i]!);
        else bad(group, `column '${column.name}' takes ${tform.repeat} value(s) per row.`);
      }
      data = tform.type === 'K' ? flat.map((x) => (typeof x === 'bigint' ? x : BigInt(Math.trunc(x)))) : flat.map(Number);
    }
    const tccls = column.tccls ?? (tform.type === 'A' ? 'String' : tform.descriptor !== null || tform.repeat > 1 ? 'Array' : 'Scalar');
    inputs.push({
      name: column.name,
      format: column.format,
      data,
      ...(column.unit === undefined || column.unit === '' ? {} : { unit: column.unit }),
      ...(column.doc === undefined || column.doc === '' ? {} : { doc: column.doc }),
      extra: { TCCLS: tccls },
    });
  }
  const { header, data } = BinaryTable.encode(inputs, n);
  if (flags.length > 0) {
    header.add(new Card('FLAGCOL', 1, 'Column number for the bitflags.'));
    flags.forEach((f, b) => {
      header.add(new Card(`TFLAG${b + 1}`, f.name));
      if (f.doc !== undefined && f.doc !== '') header.add(new Card(`TFDOC${b + 1}`, f.doc));
    });
  }
  header.add(new Card('EXTTYPE', 'ARCHIVE_DATA'));
  header.add(new Card('AR_CATN', group.catArchive, '# of this catalog relative to the start of this archive'));
  header.add(new Card('AR_NAME', group.name, 'Class name for objects stored here'));
  header.add(new Card('EXTNAME', group.name));
  header.add(new Card('AFW_TABLE_VERSION', Schema.VERSION));
  addLongString(header);
  return { header, data };
}
