import { BinaryTable, Card, writeFits, type BinaryTableColumnInput, type EncodedBinaryTable } from '@skystack/fits';
import type { OutputArchive } from './archive/output-archive.js';
import type { BaseCatalog, BaseRecord } from './base-catalog.js';
import { AfwTableInvalidArgumentError } from './errors.js';
import { Schema, isArrayFieldType, type Field, type FieldType } from './schema.js';

/** Options of {@link writeCatalogFits}. */
export interface WriteCatalogFitsOptions {
  /** `AFW_TYPE` to write (`'SOURCE'`, `'SIMPLE'`); none for a BaseCatalog. */
  readonly afwType?: string;
  /**
   * Footprints (what `SourceCatalog.writeFits` passes): a last `footprint` column with one
   * archive ID per row, `AR_HDU` in the table header, and the archive's HDUs after the table.
   */
  readonly footprints?: {
    /** The archive ID of each row's footprint (0 for none). */
    readonly ids: Int32Array;
    /** The archive holding them. */
    readonly archive: OutputArchive;
  };
}

/** afw's `AR_HDU`: the archive index follows the primary HDU and the table. */
const ARCHIVE_HDU = 3;

const TFORM: Record<Exclude<FieldType, 'Flag' | 'String'>, string> = {
  B: 'B',
  U: 'I',
  I: 'J',
  L: 'K',
  F: 'E',
  D: 'D',
  Angle: 'D',
  ArrayB: 'B',
  ArrayU: 'I',
  ArrayI: 'J',
  ArrayF: 'E',
  ArrayD: 'D',
};

/**
 * The FITS column afw writes for a (non-Flag) field: `TFORM` (`'1D'`, `'4E'`, `'16A'`) and the
 * field class `TCCLS` (`Scalar`, `Angle`, `Array`, `String`).
 *
 * @param f - the field (not a Flag: flags are bits of the `flags` column)
 * @returns the format and class
 * @internal Shared by the catalog writer and the footprint peak writer.
 */
export function afwColumnFormat(f: Field): { readonly format: string; readonly tccls: string } {
  if (f.type === 'Flag') throw new AfwTableInvalidArgumentError(`Flag field '${f.name}' has no column of its own; it is a bit of 'flags'.`);
  const tccls = f.type === 'Angle' ? 'Angle' : f.type === 'String' ? 'String' : isArrayFieldType(f.type) ? 'Array' : 'Scalar';
  const format = f.type === 'String' ? `${f.size}A` : `${f.size}${TFORM[f.type]}`;
  return { format, tccls };
}

/**
 * Encodes a catalog as an afw binary table: the header and data unit.
 *
 * The layout is afw's FitsWriter's: a `flags` bit column first (`FLAGCOL = 1`, one `TFLAGn`
 * and `TFDOCn` per Flag field, in schema order) when there are Flag fields, then one column per
 * other field with `TTYPEn`, `TFORMn`, `TUNITn`, `TDOCn` and `TCCLSn` (`Scalar`, `Angle`,
 * `Array`, `String`), then the `ALIAS` cards, `AFW_TABLE_VERSION` ({@link Schema.VERSION}),
 * `AFW_TYPE`, and the catalog's metadata.
 *
 * @param catalog - the catalog
 * @param options - the `AFW_TYPE`, and the footprint IDs (a `footprint` column and `AR_HDU`)
 * @returns the header and the data bytes
 * @throws AfwTableInvalidArgumentError when the footprint IDs do not match the rows
 * @see lsst.afw.table.io.FitsWriter
 */
export function encodeCatalogFits(catalog: BaseCatalog<BaseRecord>, options: WriteCatalogFitsOptions = {}): EncodedBinaryTable {
  const schema = catalog.schema;
  const nRows = catalog.length;
  const fields = schema.getFields();
  const flags = fields.filter((f) => f.type === 'Flag');
  const inputs: BinaryTableColumnInput[] = [];
  if (flags.length > 0) {
    const nFlags = flags.length;
    const rowBytes = Math.ceil(nFlags / 8);
    const packed = new Uint8Array(nRows * rowBytes);
    flags.forEach((f, b) => {
      const column = catalog.getColumn(f.name) as Uint8Array;
      const byte = b >> 3;
      const mask = 0x80 >> (b & 7);
      for (let r = 0; r < nRows; r++) if (column[r]) packed[r * rowBytes + byte]! |= mask;
    });
    inputs.push({ name: 'flags', format: `${nFlags}X`, data: packed });
  }
  for (const f of fields) {
    if (f.type === 'Flag') continue;
    const { format, tccls } = afwColumnFormat(f);
    inputs.push({
      name: f.name,
      format,
      data: catalog.getColumn(f.name),
      ...(f.units === '' ? {} : { unit: f.units }),
      ...(f.doc === '' ? {} : { doc: f.doc }),
      extra: { TCCLS: tccls },
    });
  }
  if (options.footprints !== undefined) {
    if (options.footprints.ids.length !== nRows) {
      throw new AfwTableInvalidArgumentError(`${options.footprints.ids.length} footprint IDs given for a catalog of ${nRows} rows.`);
    }
    inputs.push({ name: 'footprint', format: '1J', data: options.footprints.ids, doc: 'archive ID for Footprint', extra: { TCCLS: 'Scalar' } });
  }
  const { header, data } = BinaryTable.encode(inputs, nRows);
  if (flags.length > 0) {
    header.add(new Card('FLAGCOL', 1, 'Column number for the bitflags.'));
    // Each TFLAGn goes where afw's writer puts it: after the cards of the column before it in
    // the schema, so that readers rebuild the same field order.
    const columnNumber = new Map<string, number>();
    inputs.forEach((input, i) => columnNumber.set(input.name, i + 1));
    let bit = 0;
    let pending: Card[] = [];
    const flush = (before: number | undefined): void => {
      for (const card of pending) {
        if (before === undefined) header.add(card);
        else header.insertBefore(`TTYPE${before}`, card);
      }
      pending = [];
    };
    for (const f of fields) {
      if (f.type === 'Flag') {
        bit++;
        pending.push(new Card(`TFLAG${bit}`, f.name));
        if (f.doc !== '') pending.push(new Card(`TFDOC${bit}`, f.doc));
      } else if (pending.length > 0) {
        flush(columnNumber.get(f.name));
      }
    }
    flush(undefined);
  }
  for (const [alias, target] of schema.getAliasMap()) header.add(new Card('ALIAS', `${alias}:${target}`));
  if (options.footprints !== undefined) header.add(new Card('AR_HDU', ARCHIVE_HDU, 'HDU (1-indexed) containing the archive index for non-record data'));
  header.add(new Card('AFW_TABLE_VERSION', Schema.VERSION));
  if (options.afwType !== undefined) {
    const kind = options.afwType.charAt(0) + options.afwType.slice(1).toLowerCase();
    header.add(new Card('AFW_TYPE', options.afwType, `Tells lsst::afw to load this as a ${kind} table.`));
  }
  for (const card of catalog.getMetadata().cards()) header.add(card);
  // Strings too long for one card continue on CONTINUE cards; announce the convention as
  // cfitsio does, so that fitsverify accepts it.
  if (!header.has('LONGSTRN') && header.cards().some((c) => typeof c.value === 'string' && c.value.length > 68)) {
    header.add(new Card('LONGSTRN', 'OGIP 1.0', 'The OGIP long string convention may be used.'));
  }
  return { header, data };
}

/**
 * Writes a catalog to a FITS file in afw's layout (an empty primary HDU, then the table, then
 * the footprint archive when there is one; see {@link encodeCatalogFits}). The file is written
 * to a temporary name and renamed into place.
 *
 * @param path - the output file
 * @param catalog - the catalog
 * @param options - the `AFW_TYPE` and the footprints
 * @throws AfwTableInvalidArgumentError when the footprint IDs do not match the rows
 * @see lsst.afw.table.BaseCatalog.writeFits
 */
export async function writeCatalogFits(path: string, catalog: BaseCatalog<BaseRecord>, options: WriteCatalogFitsOptions = {}): Promise<void> {
  const { header, data } = encodeCatalogFits(catalog, options);
  await writeFits(path, [{ header, data }, ...(options.footprints?.archive.toHdus() ?? [])]);
}
