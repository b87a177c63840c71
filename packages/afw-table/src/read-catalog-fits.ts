import type { BinaryTableNumericArray, Card } from '@skystack/fits';
import { BinaryTable, FitsFile, Header, unpackBits, type FitsHduSelector } from '@skystack/fits';
import { AliasMap } from './alias-map.js';
import { columnArrayConstructor, type ColumnArray } from './column-array.js';
import { AfwTableFormatError } from './errors.js';
import { Schema, type FieldType } from './schema.js';

/** Options of the catalog `readFits` methods. */
export interface ReadCatalogFitsOptions {
  /** The HDU holding the table: 0-based index or EXTNAME (default 1, the first extension, as afw). */
  readonly hdu?: FitsHduSelector;
}

/** Options of {@link readCatalogFits} beyond {@link ReadCatalogFitsOptions}. */
export interface ReadCatalogFitsInternalOptions extends ReadCatalogFitsOptions {
  /**
   * Drop the `footprint` archive-ID column and the columns and header keys of the old
   * (pre-archive) footprint persistence (`SPANCOL`, `PEAKCOL`, `HVYPIXCO`, `HVYMSKCO`,
   * `HVYVARCO`), returning their values in {@link CatalogFitsContents.footprints} (what
   * SourceCatalog does).
   */
  readonly dropFootprint?: boolean;
}

/**
 * The footprint data of a source table, as stored: the archive IDs of the `footprint` column
 * and the archive's HDU, and/or the variable-length columns of the old persistence (one array
 * per row).
 */
export interface CatalogFootprintColumns {
  /** The `footprint` column: one archive ID per row (0 for none). */
  readonly ids?: Int32Array;
  /** The 0-based HDU of the archive index (`AR_HDU - 1`), when the header has `AR_HDU`. */
  readonly archiveHdu?: number;
  /** Old persistence: `(y, x0, x1)` triplets per row (`SPANCOL`). */
  readonly spans?: readonly BinaryTableNumericArray[];
  /** Old persistence: `(fx, fy, peakValue)` triplets per row (`PEAKCOL`). */
  readonly peaks?: readonly BinaryTableNumericArray[];
  /** Old persistence: HeavyFootprint image values per row (`HVYPIXCO`). */
  readonly heavyImage?: readonly BinaryTableNumericArray[];
  /** Old persistence: HeavyFootprint mask values per row (`HVYMSKCO`). */
  readonly heavyMask?: readonly BinaryTableNumericArray[];
  /** Old persistence: HeavyFootprint variance values per row (`HVYVARCO`). */
  readonly heavyVariance?: readonly BinaryTableNumericArray[];
}

/** What {@link readCatalogFits} returns: the parts a catalog is made of. */
export interface CatalogFitsContents {
  /** The schema, with aliases. */
  readonly schema: Schema;
  /** One array per field name. */
  readonly columns: Map<string, ColumnArray>;
  /** Number of rows. */
  readonly length: number;
  /** The table header without the cards that describe the table. */
  readonly metadata: Header;
  /** `AFW_TABLE_VERSION` as read (or implied: 0 with AFW_TYPE, 3 without). */
  readonly version: number;
  /** `AFW_TYPE` (`'SOURCE'`, `'SIMPLE'`, ...), or `undefined`. */
  readonly afwType: string | undefined;
  /** Columns skipped because afw-table cannot represent them (variable-length arrays, ...). */
  readonly skipped: readonly string[];
  /** With `dropFootprint`: the footprint columns found (see {@link CatalogFootprintColumns}). */
  readonly footprints?: CatalogFootprintColumns;
}

/** The header keys of the old footprint persistence, and what they hold. */
const OLD_FOOTPRINT_KEYS = [
  ['SPANCOL', 'spans'],
  ['PEAKCOL', 'peaks'],
  ['HVYPIXCO', 'heavyImage'],
  ['HVYMSKCO', 'heavyMask'],
  ['HVYVARCO', 'heavyVariance'],
] as const;

interface Item {
  column: number; // 0-based, -1 for flag bits
  bit: number; // 0-based, -1 for columns
  ttype: string;
  tform: string;
  tccls: string;
  tunit: string;
  doc: string;
  docFromTdoc: boolean;
}

const TABLE_KEY = /^(TTYPE|TFORM|TUNIT|TDOC|TFDOC|TCCLS|TFLAG|TZERO|TSCAL|TNULL|TDISP|TDIM)(\d+)$/;
const STRUCTURAL = new Set(['XTENSION', 'BITPIX', 'NAXIS', 'NAXIS1', 'NAXIS2', 'PCOUNT', 'GCOUNT', 'TFIELDS', 'THEAP', 'EXTEND', 'END', 'CHECKSUM', 'DATASUM', 'LONGSTRN']);
const OLD_SLOTS: readonly (readonly [string, string])[] = [
  ['PSF_FLUX', 'slot_PsfFlux'],
  ['AP_FLUX', 'slot_ApFlux'],
  ['INST_FLUX', 'slot_GaussianFlux'],
  ['MODEL_FLUX', 'slot_ModelFlux'],
  ['CALIB_FLUX', 'slot_CalibFlux'],
  ['CENTROID', 'slot_Centroid'],
  ['SHAPE', 'slot_Shape'],
];

const str = (v: unknown): string => (typeof v === 'string' ? v.trimEnd() : v === null || v === undefined ? '' : String(v));

/** afw's `isInstFlux`: a `flux` field in counts (or an old unitless CModel flux). */
function isInstFlux(item: Item): boolean {
  if (!item.ttype.includes('flux')) return false;
  if (item.ttype.includes('modelfit_CModel') && item.tunit === '') return true;
  const units = item.tunit.toLowerCase();
  return units.includes('count') || units.includes('dn') || units.includes('adu');
}

const replaceFirst = (s: string, from: string, to: string): string => {
  const at = s.indexOf(from);
  return at < 0 ? s : s.slice(0, at) + to + s.slice(at + from.length);
};

/** The version-dependent aliases and renamings of afw's FitsSchemaInputMapper::finalize. */
function applyVersionRules(version: number, items: Item[], aliases: AliasMap): void {
  if (version === 0) {
    for (const item of items) {
      const flagPos = item.ttype.indexOf('flags');
      if (flagPos >= 0) {
        const prefix = item.ttype.slice(0, flagPos);
        item.ttype = item.ttype.slice(0, flagPos) + 'flag' + item.ttype.slice(flagPos + 5);
        aliases.set(`${prefix}flags`, `${prefix}flag`);
      } else if (isInstFlux(item)) {
        if (item.ttype.endsWith('_err')) aliases.set(replaceFirst(item.ttype, '_err', '_instFluxErr'), item.ttype);
        else aliases.set(`${item.ttype}_instFlux`, item.ttype);
      } else if (item.ttype.endsWith('_err')) {
        const names =
          item.tccls === 'Covariance(Point)'
            ? ['yErr', 'xErr', 'x_y_Cov']
            : item.tccls === 'Covariance(Moments)'
              ? ['xxErr', 'yyErr', 'xyErr', 'xx_yy_Cov', 'xx_xy_Cov', 'yy_xy_Cov']
              : [];
        for (const n of names) aliases.set(replaceFirst(item.ttype, '_err', `_${n}`), `${item.ttype}_${n}`);
      }
    }
  } else if (version < 3) {
    for (const item of items) {
      let name = item.ttype;
      if (version < 2 && name.endsWith('Sigma')) name = replaceFirst(name, 'Sigma', 'Err');
      if (isInstFlux(item)) name = replaceFirst(name, 'flux', 'instFlux');
      if (name !== item.ttype) aliases.set(name, item.ttype);
    }
  }
}

/** Indices of the packed upper triangle: element (i, j), i ≤ j, is at j(j+1)/2 + i. */
const packedIndex = (i: number, j: number): number => (j * (j + 1)) / 2 + i;

interface Sink {
  add(name: string, type: FieldType, doc: string, units: string, data: ColumnArray, size?: number): void;
}

/** Adds the field(s) of one table column, as afw's makeColumnReader does; false when unsupported. */
function addColumn(item: Item, table: BinaryTable, nRows: number, sink: Sink): boolean {
  const meta = table.columns[item.column]!;
  if (meta.variableLength) return false;
  const size = meta.repeat;
  const code = meta.type;
  const { ttype: name, doc, tunit: units, tccls } = item;
  const raw = (): ColumnArray => table.getColumn(item.column) as ColumnArray;
  const asType = (type: Exclude<FieldType, 'String'>): ColumnArray => {
    const values = raw();
    const Ctor = columnArrayConstructor(type);
    if (values instanceof Ctor) return values;
    const source = values as ArrayLike<number | bigint>;
    if (Ctor === BigInt64Array) {
      const out = new BigInt64Array(source.length);
      for (let i = 0; i < source.length; i++) out[i] = BigInt.asIntN(64, BigInt(source[i]!));
      return out;
    }
    const out = new (Ctor as Float64ArrayConstructor)(source.length);
    for (let i = 0; i < source.length; i++) out[i] = Number(source[i]!);
    return out;
  };
  const split = (type: Exclude<FieldType, 'String'>, suffixes: readonly string[], fieldUnits: string): void => {
    const values = raw() as Float64Array;
    const Ctor = columnArrayConstructor(type);
    suffixes.forEach((suffix, k) => {
      const out = new Ctor(nRows) as Float64Array;
      for (let r = 0; r < nRows; r++) out[r] = values[r * suffixes.length + k]!;
      sink.add(`${name}_${suffix}`, type, doc, fieldUnits, out);
    });
  };
  const covariance = (names: readonly string[]): void => {
    const values = raw() as Float32Array;
    const n = names.length;
    const packed = (n * (n + 1)) / 2;
    for (let i = 0; i < n; i++) {
      const out = new Float32Array(nRows);
      for (let r = 0; r < nRows; r++) out[r] = Math.sqrt(values[r * packed + packedIndex(i, i)]!);
      sink.add(`${name}_${names[i]}Err`, 'F', `1-sigma uncertainty on ${names[i]}`, units, out);
    }
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const out = new Float32Array(nRows);
        for (let r = 0; r < nRows; r++) out[r] = values[r * packed + packedIndex(i, j)]!;
        sink.add(`${name}_${names[i]}_${names[j]}_Cov`, 'F', `uncertainty covariance between ${names[i]} and ${names[j]}`, units === '' ? '' : `${units}^2`, out);
      }
    }
  };
  switch (code) {
    case 'B':
      if (size === 1 && tccls !== 'Array') sink.add(name, 'B', doc, units, asType('B'));
      else sink.add(name, 'ArrayB', doc, units, asType('ArrayB'), size);
      return true;
    case 'I':
      if (size === 1 && tccls !== 'Array') sink.add(name, 'U', doc, units, asType('U'));
      else sink.add(name, 'ArrayU', doc, units, asType('ArrayU'), size);
      return true;
    case 'J':
      if (tccls === 'Point' && size === 2) split('I', ['x', 'y'], units);
      else if (size > 1 || tccls === 'Array') sink.add(name, 'ArrayI', doc, units, asType('ArrayI'), size);
      else sink.add(name, 'I', doc, units, asType('I'));
      return true;
    case 'K':
      if (size !== 1) return false;
      sink.add(name, 'L', doc, units, asType('L'));
      return true;
    case 'E':
      if (size === 1) {
        if (tccls === 'Array') sink.add(name, 'ArrayF', doc, units, asType('ArrayF'), 1);
        else sink.add(name, 'F', doc, units, asType('F'));
      } else if (size === 3 && tccls === 'Covariance(Point)') covariance(['x', 'y']);
      else if (size === 6 && tccls === 'Covariance(Moments)') covariance(['xx', 'yy', 'xy']);
      else if (tccls === 'Covariance') {
        const n = Math.round(0.5 * (Math.sqrt(1 + 8 * size) - 1));
        if (n * (n + 1) !== size * 2) throw new AfwTableFormatError(`Covariance field '${name}' has ${size} elements, not a packed triangle.`);
        covariance(Array.from({ length: n }, (_, i) => String(i)));
      } else sink.add(name, 'ArrayF', doc, units, asType('ArrayF'), size);
      return true;
    case 'D':
      if (size === 1) {
        if (tccls === 'Angle') {
          if (units !== '' && units !== 'rad') throw new AfwTableFormatError(`Angle field '${name}' has TUNIT = '${units}'; afw stores angles in radians ('rad').`);
          sink.add(name, 'Angle', doc, 'rad', asType('Angle'));
        } else if (tccls === 'Array') sink.add(name, 'ArrayD', doc, units, asType('ArrayD'), 1);
        else sink.add(name, 'D', doc, units, asType('D'));
      } else if (size === 2 && tccls === 'Point') split('D', ['x', 'y'], units);
      else if (size === 2 && tccls === 'Coord') split('Angle', ['ra', 'dec'], 'rad');
      else if (size === 3 && tccls === 'Moments') split('D', ['xx', 'yy', 'xy'], 'pixel^2');
      else sink.add(name, 'ArrayD', doc, units, asType('ArrayD'), size);
      return true;
    case 'A': {
      const values = table.getStringColumn(item.column);
      sink.add(name, 'String', doc, units, values.length === nRows ? [...values] : values.slice(0, nRows), size);
      return true;
    }
    default:
      return false;
  }
}

/**
 * Reads an afw table from a FITS binary table: the schema (types from `TFORM` + `TCCLS`, docs
 * from `TDOC`/`TFDOC` or the `TTYPE`/`TFLAG` comments, units from `TUNIT`), the packed flag
 * bits (`FLAGCOL`, `TFLAGn`), `ALIAS` cards, the version-dependent aliases and renamings of
 * older files, and the column values. Archive HDUs (footprints) are not read here; with
 * `dropFootprint` the footprint columns are returned for `SourceCatalog.readFits` to decode.
 *
 * @param path - the FITS file
 * @param options - which HDU, and whether to drop the `footprint` column
 * @returns the schema, columns, metadata and version
 * @throws AfwTableFormatError when the header is not a valid afw table
 * @throws FitsError (from `@skystack/fits`) when the file is not valid FITS
 * @see lsst.afw.table.io.FitsSchemaInputMapper
 */
export async function readCatalogFits(path: string, options: ReadCatalogFitsInternalOptions = {}): Promise<CatalogFitsContents> {
  const file = await FitsFile.open(path);
  let header: Header;
  let data: Uint8Array;
  let hduIndex: number;
  try {
    const hd = await file.readHeaderAndData(options.hdu ?? 1);
    header = hd.header;
    data = hd.data;
    hduIndex = hd.info.index;
  } finally {
    await file.close();
  }
  const where = `${path} HDU ${hduIndex}`;
  const table = BinaryTable.decode(header, data, { file: path, hdu: hduIndex });
  const nRows = table.nRows;

  const afwTypeValue = header.get('AFW_TYPE');
  const afwType = afwTypeValue === undefined ? undefined : str(afwTypeValue);
  const versionValue = header.get('AFW_TABLE_VERSION');
  const version = versionValue === undefined || versionValue === null ? (afwType === undefined ? Schema.VERSION : 0) : Number(versionValue);

  const aliases = new AliasMap();
  for (const card of header.getAll('ALIAS')) {
    const text = str(card.value);
    const colon = text.indexOf(':');
    if (colon < 0) throw new AfwTableFormatError(`Malformed ALIAS card '${text}' in ${where}; expected 'alias:target'.`);
    aliases.set(text.slice(0, colon), text.slice(colon + 1));
  }
  const stripped = new Set<string>(['ALIAS', 'AFW_TABLE_VERSION', 'AFW_TYPE', 'AR_HDU', 'FLAGCOL']);
  if (options.dropFootprint === true) for (const [key] of OLD_FOOTPRINT_KEYS) stripped.add(key);
  if (version === 0) {
    for (const [key, slot] of OLD_SLOTS) {
      const target = str(header.get(`${key}_SLOT`));
      if (target !== '') {
        aliases.set(slot, target);
        for (const suffix of ['_SLOT', '_ERR_SLOT', '_FLAG_SLOT']) stripped.add(`${key}${suffix}`);
      }
    }
  }

  // Items in the order their first card appears (afw's sequenced index).
  const items: Item[] = [];
  const byColumn = new Map<number, Item>();
  const byBit = new Map<number, Item>();
  const itemFor = (isBit: boolean, n: number): Item => {
    const map = isBit ? byBit : byColumn;
    let item = map.get(n);
    if (item === undefined) {
      item = { column: isBit ? -1 : n, bit: isBit ? n : -1, ttype: '', tform: '', tccls: '', tunit: '', doc: '', docFromTdoc: false };
      map.set(n, item);
      items.push(item);
    }
    return item;
  };
  const metadataCards: Card[] = [];
  for (const card of header.cards()) {
    const m = TABLE_KEY.exec(card.keyword);
    if (m === null) {
      if (!STRUCTURAL.has(card.keyword) && !stripped.has(card.keyword)) metadataCards.push(card);
      continue;
    }
    const [, root, digits] = m;
    const n = Number(digits) - 1;
    const value = str(card.value);
    switch (root) {
      case 'TTYPE':
      case 'TFLAG': {
        const item = itemFor(root === 'TFLAG', n);
        item.ttype = value;
        if (!item.docFromTdoc) item.doc = card.comment ?? '';
        break;
      }
      case 'TDOC':
      case 'TFDOC': {
        const item = itemFor(root === 'TFDOC', n);
        item.doc = value;
        item.docFromTdoc = true;
        break;
      }
      case 'TUNIT':
        itemFor(false, n).tunit = value;
        break;
      case 'TCCLS':
        itemFor(false, n).tccls = value;
        break;
      case 'TFORM':
        itemFor(false, n).tform = value;
        break;
      default:
        break;
    }
  }

  let nFlags = 0;
  let flagColumn = -1;
  const flagcol = header.get('FLAGCOL');
  if (typeof flagcol === 'number' && flagcol > 0) {
    flagColumn = flagcol - 1;
    const item = byColumn.get(flagColumn);
    const meta = table.columns[flagColumn];
    if (item === undefined || meta === undefined || meta.type !== 'X' || meta.variableLength) {
      throw new AfwTableFormatError(`FLAGCOL = ${flagcol} in ${where}, but column ${flagcol} is not a bit ('X') column.`);
    }
    nFlags = meta.repeat;
    items.splice(items.indexOf(item), 1);
  }
  let footprints: CatalogFootprintColumns | undefined;
  if (options.dropFootprint === true) {
    const found: { -readonly [K in keyof CatalogFootprintColumns]: CatalogFootprintColumns[K] } = {};
    const at = items.findIndex((i) => i.bit < 0 && i.ttype === 'footprint');
    if (at >= 0) {
      const item = items[at]!;
      items.splice(at, 1);
      const meta = table.columns[item.column];
      if (meta !== undefined && !meta.variableLength && meta.repeat === 1 && meta.type !== 'A' && meta.type !== 'X') {
        const values = table.getNumericColumn(item.column);
        found.ids = values instanceof Int32Array ? values : Int32Array.from(values as ArrayLike<number | bigint>, Number);
      }
    }
    const ar = header.get('AR_HDU');
    if (typeof ar === 'number' && Number.isInteger(ar) && ar >= 1) found.archiveHdu = ar - 1;
    for (const [key, what] of OLD_FOOTPRINT_KEYS) {
      const col = header.get(key);
      if (typeof col !== 'number' || !Number.isInteger(col) || col < 1) continue;
      const item = byColumn.get(col - 1);
      const meta = table.columns[col - 1];
      if (item === undefined || meta === undefined || !meta.variableLength) {
        throw new AfwTableFormatError(`${key} = ${col} in ${where}, but column ${col} is not a variable-length array column.`);
      }
      const index = items.indexOf(item);
      if (index >= 0) items.splice(index, 1);
      found[what] = table.getVariableLengthColumn(col - 1);
    }
    footprints = found;
  }
  applyVersionRules(version, items, aliases);

  const schema = new Schema();
  schema.setAliasMap(aliases);
  const columns = new Map<string, ColumnArray>();
  const skipped: string[] = [];
  const sink: Sink = {
    add(name, type, doc, units, values, size) {
      schema.addField({ name, type, doc, units, ...(size === undefined ? {} : { size }) });
      columns.set(name, values);
    },
  };
  let bits: Uint8Array | undefined;
  for (const item of items) {
    if (item.bit >= 0) {
      if (item.bit >= nFlags) {
        throw new AfwTableFormatError(`Flag field '${item.ttype}' is in bit ${item.bit} (0-based) of only ${nFlags} in ${where}.`);
      }
      bits ??= unpackBits(table.getColumn(flagColumn) as Uint8Array, nFlags);
      const out = new Uint8Array(nRows);
      for (let r = 0, at = item.bit; r < nRows; r++, at += nFlags) out[r] = bits[at]!;
      sink.add(item.ttype, 'Flag', item.doc, '', out);
    } else if (item.column >= table.columns.length || !addColumn(item, table, nRows, sink)) {
      skipped.push(item.ttype);
    }
  }
  return { schema, columns, length: nRows, metadata: new Header(metadataCards), version, afwType, skipped, ...(footprints === undefined ? {} : { footprints }) };
}
