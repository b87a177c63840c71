import { InvalidArgumentError } from '@skystack/base';
import { decodeFitsString, decodeNumeric, LITTLE_ENDIAN_HOST, resolveScaling, viewOf, type ScalingMode } from './bintable-codec.js';
import { encodeBinaryTable, type BinaryTableColumnInput, type EncodedBinaryTable } from './bintable-encode.js';
import type { HeaderValue } from './card.js';
import { FitsFormatError, FitsKeywordError, type FitsErrorOptions } from './errors.js';
import type { Header } from './header.js';
import type { FitsPixelType } from './image-data.js';
import { parseTform, tformWidth, type TformSpec, type TformType } from './tform.js';

/**
 * The element type of a decoded column, which fixes the array {@link BinaryTable.getColumn}
 * returns:
 *
 * | dtype | from | array |
 * | --- | --- | --- |
 * | `'bool'` | `L` | `Uint8Array`, 1 for `'T'`, 0 for `'F'` and for null (see {@link BinaryTable.nullMask}) |
 * | `'bit'` | `X` | `Uint8Array` of the packed bytes, ⌈r/8⌉ per row, most significant bit first (see {@link BinaryTable.unpackBits}); a `PX`/`QX` row is one 0/1 byte per bit |
 * | `'uint8'` | `B` | `Uint8Array` |
 * | `'int8'` | `B`, `TZERO = -128` | `Int8Array` |
 * | `'int16'` | `I` | `Int16Array` |
 * | `'uint16'` | `I`, `TZERO = 32768` | `Uint16Array` |
 * | `'int32'` | `J` | `Int32Array` |
 * | `'uint32'` | `J`, `TZERO = 2147483648` | `Uint32Array` |
 * | `'int64'` | `K` | `BigInt64Array` |
 * | `'uint64'` | `K`, `TZERO = 9223372036854775808` | `BigUint64Array` |
 * | `'float32'` | `E` | `Float32Array` |
 * | `'float64'` | `D`, or any other `TSCAL`/`TZERO` | `Float64Array` |
 * | `'complex64'` | `C` | `Float32Array`, (real, imaginary) interleaved |
 * | `'complex128'` | `M`, or scaled `C` | `Float64Array`, interleaved |
 * | `'string'` | `A` | `string[]` |
 *
 * @see astropy.io.fits.FITS_rec (which makes the same choices)
 */
export type BinaryTableDtype = 'bool' | 'bit' | FitsPixelType | 'complex64' | 'complex128' | 'string';

/** A typed array of column values (see {@link BinaryTableDtype} for which one a column gives). */
export type BinaryTableNumericArray =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | BigUint64Array
  | BigInt64Array
  | Float32Array
  | Float64Array;

/**
 * The decoded values of a column:
 *
 * - a fixed-width numeric column: one flat typed array, row after row, `repeat` elements per
 *   row (`2 × repeat` for complex, ⌈repeat/8⌉ packed bytes for bits);
 * - an `A` column: one string per row, or `nRows × n` strings for a `TDIM = (w, n…)` array of
 *   strings;
 * - a `P`/`Q` variable-length array column: one typed array per row (copies out of the heap);
 *   one string per row for `PA`/`QA`.
 */
export type BinaryTableColumnData = BinaryTableNumericArray | readonly string[] | readonly BinaryTableNumericArray[];

/**
 * The description of one binary-table column, from its `TTYPEn`, `TFORMn`, `TUNITn`,
 * `TDIMn`, `TNULLn`, `TSCALn`, `TZEROn`, `TDISPn` keywords (and afw's `TDOCn`, `TCCLSn`).
 * Immutable.
 *
 * @see astropy.io.fits.Column
 */
export interface BinaryTableColumn {
  /** The 0-based column index (the keyword number `n` is `index + 1`). */
  readonly index: number;
  /** `TTYPEn`, or `''` when absent. */
  readonly name: string;
  /** `TFORMn` as written. */
  readonly format: string;
  /** `TFORMn`, parsed. */
  readonly tform: TformSpec;
  /** The type code (`tform.type`). */
  readonly type: TformType;
  /** True for a `P`/`Q` variable-length array column. */
  readonly variableLength: boolean;
  /**
   * Elements per row: bits for `X`, characters for `A`, complex numbers for `C`/`M`; 1 for a
   * `P`/`Q` column (one array per row).
   */
  readonly repeat: number;
  /** `TUNITn`, or `null`. */
  readonly unit: string | null;
  /** `TDIMn` parsed, in FITS order (fastest-varying axis first), or `null`. */
  readonly dim: readonly number[] | null;
  /**
   * The shape of one row's value in row-major (numpy) order: `TDIMn` reversed, else
   * `[repeat]` for `repeat > 1` and `[]` for a scalar. For an `A` column the string length is
   * left out (`12A` with `TDIM = (4,3)` has shape `[3]`). Always `[]` for `P`/`Q`.
   */
  readonly shape: readonly number[];
  /** `TNULLn` (the stored integer that marks a null), or `null`. */
  readonly tnull: number | bigint | null;
  /** `TSCALn`, 1 when absent. */
  readonly tscal: number;
  /** `TZEROn`, 0 when absent. */
  readonly tzero: number;
  /** `TDISPn`, or `null`. */
  readonly disp: string | null;
  /**
   * Other per-column keywords found, by root: afw's `TDOC` (documentation) and `TCCLS` (field
   * class), and `TCOMM`, `TUCD`, `TLMIN`, `TLMAX`, `TDMIN`, `TDMAX`, `TCTYP`, `TCUNI`, `TCRPX`,
   * `TCRVL`, `TCDLT`.
   */
  readonly extra: Readonly<Record<string, HeaderValue>>;
  /** The element type of the decoded values. */
  readonly dtype: BinaryTableDtype;
  /**
   * The value a null has in the decoded array: `TNULLn` moved through the scaling (an
   * `'int64'`/`'uint64'` column gives a bigint), or `null` when the column has no `TNULLn` (or
   * is not an integer column).
   */
  readonly nullValue: number | bigint | null;
  /** Byte offset of the column within a row of the main table. */
  readonly offset: number;
  /** Bytes the column takes in a row of the main table. */
  readonly width: number;
}

/** Options of {@link BinaryTable.decode}: where the bytes came from, for error messages. */
export interface BinaryTableDecodeOptions {
  /** The file path. */
  readonly file?: string;
  /** The 0-based HDU index. */
  readonly hdu?: number;
  /** The byte offset of the data unit in the file, so that errors give file offsets. */
  readonly dataOffset?: number;
  /**
   * The byte offset of the header in the file ({@link FitsHduInfo.headerOffset}), so that
   * errors about keywords give it as their offset.
   */
  readonly headerOffset?: number;
  /**
   * The data hold only the main table (`NAXIS1 × NAXIS2` bytes, for instance read on their own
   * from a large file), not the heap. Descriptors are still checked against the heap the header
   * declares (`PCOUNT`, `THEAP`); {@link BinaryTable.heapRange} says where each variable-length
   * array lies, so that the caller can read just those bytes. Decoding a variable-length column
   * then throws a {@link FitsFormatError}. Default false.
   */
  readonly mainTableOnly?: boolean;
}

/** Where one variable-length array of a binary table lies, from {@link BinaryTable.heapRange}. */
export interface BinaryTableHeapRange {
  /** The number of elements (bits for `X`, characters for `A`). */
  readonly count: number;
  /** The byte offset of the array from the start of the data unit (`THEAP` + descriptor offset). */
  readonly offset: number;
  /** The number of bytes of the array. */
  readonly byteLength: number;
}

const EXTRA_ROOTS = ['TDOC', 'TCCLS', 'TCOMM', 'TUCD', 'TLMIN', 'TLMAX', 'TDMIN', 'TDMAX', 'TCTYP', 'TCUNI', 'TCRPX', 'TCRVL', 'TCDLT'];
const TWO_63 = 9223372036854775808n;

interface Location {
  readonly file?: string;
  readonly hdu?: number;
  readonly dataOffset?: number;
  readonly headerOffset?: number;
}

function errorOptions(loc: Location, relOffset?: number, hint?: string): FitsErrorOptions {
  const o: { file?: string; hdu?: number; offset?: number; hint?: string } = {};
  if (loc.file !== undefined) o.file = loc.file;
  if (loc.hdu !== undefined) o.hdu = loc.hdu;
  if (relOffset !== undefined && loc.dataOffset !== undefined) o.offset = loc.dataOffset + relOffset;
  else if (relOffset === undefined && loc.headerOffset !== undefined) o.offset = loc.headerOffset;
  if (hint !== undefined) o.hint = hint;
  return o;
}

function show(v: HeaderValue | undefined): string {
  return typeof v === 'string' ? `'${v}'` : String(v);
}

function intKeyword(header: Header, key: string, loc: Location, fallback?: number, min = 0): number {
  const v = header.get(key);
  if (v === undefined || v === null) {
    if (fallback !== undefined) return fallback;
    throw new FitsKeywordError(`The binary-table header has no ${key}.`, errorOptions(loc));
  }
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min) {
    throw new FitsKeywordError(`${key} = ${show(v)}; expected an integer ≥ ${min}.`, errorOptions(loc));
  }
  return n;
}

function optionalString(header: Header, key: string, loc: Location): string | null {
  const v = header.get(key);
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new FitsKeywordError(`${key} = ${show(v)}; expected a string.`, errorOptions(loc));
  return v;
}

function optionalNumber(header: Header, key: string, loc: Location): number | bigint | null {
  const v = header.get(key);
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' && typeof v !== 'bigint') {
    throw new FitsKeywordError(`${key} = ${show(v)}; expected a number.`, errorOptions(loc));
  }
  return v;
}

/**
 * Parses a `TDIMn` value such as `'(3,2)'` into `[3, 2]` (FITS order).
 *
 * @param text - the keyword value
 * @returns the axis lengths
 * @throws FitsFormatError when the value is not a parenthesised list of positive integers
 */
export function parseTdim(text: string): number[] {
  const m = /^\s*\(\s*(\d+(?:\s*,\s*\d+)*)\s*\)\s*$/.exec(text);
  if (!m) throw new FitsFormatError(`TDIM = '${text}' is not of the form '(n1,n2,...)'.`);
  const dims = m[1]!.split(',').map((s) => Number(s.trim()));
  if (dims.some((d) => !Number.isSafeInteger(d))) throw new FitsFormatError(`TDIM = '${text}' has an axis that is too long.`);
  return dims;
}

/**
 * Writes axis lengths (FITS order) as a `TDIMn` value: `[3, 2]` → `'(3,2)'`.
 *
 * @param dim - the axis lengths
 * @returns the keyword value
 */
export function formatTdim(dim: readonly number[]): string {
  return `(${dim.join(',')})`;
}

/**
 * Packs 0/1 (or boolean) values into FITS bit bytes, `nBits` per row, most significant bit
 * first, each row starting on a new byte: the layout of an `X` column.
 *
 * @param bits - `nRows × nBits` values; any truthy value is a set bit
 * @param nBits - bits per row
 * @returns `nRows × ⌈nBits/8⌉` bytes
 * @throws InvalidArgumentError when `bits.length` is not a multiple of `nBits`
 */
export function packBits(bits: ArrayLike<number | boolean>, nBits: number): Uint8Array {
  const nRows = nBits === 0 ? 0 : bits.length / nBits;
  if (!Number.isInteger(nRows)) {
    throw new InvalidArgumentError(`packBits: ${bits.length} values are not a whole number of rows of ${nBits} bits.`);
  }
  const rowBytes = Math.ceil(nBits / 8);
  const out = new Uint8Array(nRows * rowBytes);
  for (let r = 0, i = 0; r < nRows; r++) {
    const base = r * rowBytes;
    for (let b = 0; b < nBits; b++, i++) if (bits[i]) out[base + (b >> 3)]! |= 0x80 >> (b & 7);
  }
  return out;
}

/**
 * Unpacks FITS bit bytes (`⌈nBits/8⌉` per row, most significant bit first) into one 0/1 byte per
 * bit: the inverse of {@link packBits}.
 *
 * @param packed - the packed bytes of whole rows
 * @param nBits - bits per row
 * @returns `nRows × nBits` values, 1 for a set bit
 */
export function unpackBits(packed: Uint8Array, nBits: number): Uint8Array {
  const rowBytes = Math.ceil(nBits / 8);
  const nRows = rowBytes === 0 ? 0 : Math.floor(packed.length / rowBytes);
  const out = new Uint8Array(nRows * nBits);
  for (let r = 0, i = 0; r < nRows; r++) {
    const base = r * rowBytes;
    for (let b = 0; b < nBits; b++, i++) out[i] = (packed[base + (b >> 3)]! >> (7 - (b & 7))) & 1;
  }
  return out;
}

interface ColumnState {
  readonly meta: BinaryTableColumn;
  readonly mode: ScalingMode;
  /** For `A`: characters per string and strings per row. */
  readonly strLen: number;
  readonly nStrings: number;
}

function nullValueOf(type: TformType, mode: ScalingMode, tnull: number | bigint | null, tscal: number, tzero: number): number | bigint | null {
  if (tnull === null || (type !== 'B' && type !== 'I' && type !== 'J' && type !== 'K')) return null;
  if (type === 'K') {
    const raw = BigInt(tnull);
    if (mode === 'none') return raw;
    if (mode === 'offset') return raw + TWO_63;
    return Number(raw) * tscal + tzero;
  }
  const raw = Number(tnull);
  if (mode === 'none') return raw;
  if (mode === 'offset') return raw + tzero;
  return raw * tscal + tzero;
}

/**
 * A FITS binary table (`XTENSION = 'BINTABLE'`) decoded from its header and data unit: column
 * descriptions, and each column's values as one typed array decoded in bulk, column by column
 * (the big-endian bytes of the column are gathered from every row and swapped to native order;
 * no object per cell for numeric columns). Columns are decoded on first use and cached.
 *
 * Scaling follows astropy: `TZERO = 32768` on an `I` column gives a `Uint16Array`, `2^31` on `J`
 * a `Uint32Array`, `2^63` on `K` a `BigUint64Array`, `-128` on `B` an `Int8Array`; any other
 * `TSCAL`/`TZERO` gives `stored × TSCAL + TZERO` as float64. `TNULLn` is not applied: values are
 * kept and {@link BinaryTableColumn.nullValue} / {@link BinaryTable.nullMask} say which are null.
 * Variable-length array columns (`P`/`Q`) give one typed array (or string) per row, copied out
 * of the heap; every descriptor is checked against the heap when the table is decoded.
 *
 * The table keeps a reference to the data bytes it was decoded from: do not modify them.
 *
 * @example
 * ```ts
 * const { header, data } = BinaryTable.encode(
 *   [
 *     { name: 'id', format: 'K', data: new BigInt64Array([1n, 2n]) },
 *     { name: 'flux', format: 'D', data: new Float64Array([1.5, 2.5]), unit: 'nJy' },
 *     { name: 'flags', format: '3X', data: packBits([1, 0, 1, 0, 1, 1], 3) },
 *   ],
 *   2,
 * );
 * const table = BinaryTable.decode(header, data);
 * table.nRows; // 2
 * table.getColumn('flux'); // Float64Array [1.5, 2.5]
 * table.column('flux').unit; // 'nJy'
 * table.getBit('flags', 1, 2); // true
 * ```
 * @see astropy.io.fits.BinTableHDU
 * @see FITS standard 4.0 §7.3 (binary table extension)
 */
export class BinaryTable {
  /** The header the table was decoded from. */
  readonly header: Header;
  /** Number of rows (`NAXIS2`). */
  readonly nRows: number;
  /** Bytes per row of the main table (`NAXIS1`). */
  readonly rowBytes: number;
  /** Offset of the heap from the start of the data unit (`THEAP`, default `NAXIS1 × NAXIS2`). */
  readonly heapOffset: number;
  /** Bytes of the heap, from {@link BinaryTable.heapOffset} to the end of the `PCOUNT` bytes. */
  readonly heapSize: number;
  /** The column descriptions, in order. */
  readonly columns: readonly BinaryTableColumn[];

  private readonly data: Uint8Array;
  private readonly hasHeap: boolean;
  private readonly location: Location;
  private readonly states: readonly ColumnState[];
  private readonly byName = new Map<string, number>();
  private readonly byLowerName = new Map<string, number>();
  private readonly cache = new Map<number, BinaryTableColumnData>();

  private constructor(header: Header, data: Uint8Array, options: BinaryTableDecodeOptions) {
    const loc: Location = {
      ...header.location,
      ...(options.file === undefined ? {} : { file: options.file }),
      ...(options.hdu === undefined ? {} : { hdu: options.hdu }),
      ...(options.dataOffset === undefined ? {} : { dataOffset: options.dataOffset }),
      ...(options.headerOffset === undefined ? {} : { headerOffset: options.headerOffset }),
    };
    this.location = loc;
    this.header = header;
    this.data = data;
    this.hasHeap = options.mainTableOnly !== true;

    const xtension = header.get('XTENSION');
    const kind = typeof xtension === 'string' ? xtension.trim().toUpperCase() : undefined;
    // A3DTABLE is the name binary tables had before the standard adopted them.
    if (kind !== 'BINTABLE' && kind !== 'A3DTABLE') {
      throw new FitsFormatError(
        `XTENSION = ${show(xtension)}; a binary table needs 'BINTABLE'.`,
        errorOptions(loc, undefined, 'Only binary-table extensions can be decoded as a BinaryTable.'),
      );
    }
    const bitpix = intKeyword(header, 'BITPIX', loc, undefined, -64);
    if (bitpix !== 8) throw new FitsKeywordError(`BITPIX = ${bitpix}; a binary table has BITPIX = 8.`, errorOptions(loc));
    const naxis = intKeyword(header, 'NAXIS', loc);
    if (naxis !== 2) throw new FitsKeywordError(`NAXIS = ${naxis}; a binary table has NAXIS = 2.`, errorOptions(loc));
    const naxis1 = intKeyword(header, 'NAXIS1', loc);
    const naxis2 = intKeyword(header, 'NAXIS2', loc);
    const pcount = intKeyword(header, 'PCOUNT', loc, 0);
    const gcount = intKeyword(header, 'GCOUNT', loc, 1);
    if (gcount !== 1) throw new FitsKeywordError(`GCOUNT = ${gcount}; a binary table has GCOUNT = 1.`, errorOptions(loc));
    const tfields = intKeyword(header, 'TFIELDS', loc);
    if (tfields > 999) throw new FitsKeywordError(`TFIELDS = ${tfields}; at most 999 columns are allowed.`, errorOptions(loc));
    const mainBytes = naxis1 * naxis2;
    const heapOffset = intKeyword(header, 'THEAP', loc, mainBytes);
    if (heapOffset < mainBytes || heapOffset > mainBytes + pcount) {
      throw new FitsKeywordError(
        `THEAP = ${heapOffset}; the heap must start between the end of the main table (${mainBytes}) and the end of the data (${mainBytes + pcount}).`,
        errorOptions(loc),
      );
    }
    if (!this.hasHeap && data.length < mainBytes) {
      throw new FitsFormatError(
        `The main table is truncated: NAXIS1 × NAXIS2 = ${naxis1} × ${naxis2} = ${mainBytes} bytes expected, ${data.length} given.`,
        errorOptions(loc, data.length),
      );
    }
    if (this.hasHeap && data.length < mainBytes + pcount) {
      throw new FitsFormatError(
        `The data unit is truncated: NAXIS1 × NAXIS2 + PCOUNT = ${naxis1} × ${naxis2} + ${pcount} = ${mainBytes + pcount} bytes expected, ${data.length} given.`,
        errorOptions(loc, data.length),
      );
    }
    this.nRows = naxis2;
    this.rowBytes = naxis1;
    this.heapOffset = heapOffset;
    this.heapSize = mainBytes + pcount - heapOffset;

    const states: ColumnState[] = [];
    let offset = 0;
    for (let n = 1; n <= tfields; n++) {
      const state = this.describeColumn(header, n, offset, loc);
      states.push(state);
      offset += state.meta.width;
      const name = state.meta.name;
      if (name !== '' && !this.byName.has(name)) this.byName.set(name, n - 1);
      const lower = name.toLowerCase();
      if (name !== '' && !this.byLowerName.has(lower)) this.byLowerName.set(lower, n - 1);
    }
    if (offset !== naxis1) {
      throw new FitsFormatError(
        `NAXIS1 = ${naxis1}, but the ${tfields} columns' TFORMs add up to ${offset} bytes per row.`,
        errorOptions(loc, undefined, 'The header and the TFORMn keywords disagree; the file is corrupt.'),
      );
    }
    this.states = states;
    this.columns = Object.freeze(states.map((s) => s.meta));
    for (const s of states) if (s.meta.variableLength) this.checkDescriptors(s.meta);
  }

  private describeColumn(header: Header, n: number, offset: number, loc: Location): ColumnState {
    const format = optionalString(header, `TFORM${n}`, loc);
    if (format === null) throw new FitsKeywordError(`TFORM${n} is missing (TFIELDS says there are more columns).`, errorOptions(loc));
    const tfOptions: { file?: string; hdu?: number; offset?: number; column: number } = { column: n };
    if (loc.file !== undefined) tfOptions.file = loc.file;
    if (loc.hdu !== undefined) tfOptions.hdu = loc.hdu;
    if (loc.headerOffset !== undefined) tfOptions.offset = loc.headerOffset;
    const tform = parseTform(format, tfOptions);
    const name = (optionalString(header, `TTYPE${n}`, loc) ?? '').trimEnd();
    const unit = optionalString(header, `TUNIT${n}`, loc);
    const tdimText = optionalString(header, `TDIM${n}`, loc);
    let dim: number[] | null = null;
    if (tdimText !== null) {
      try {
        dim = parseTdim(tdimText);
      } catch (e) {
        throw new FitsFormatError(`TDIM${n} = '${tdimText}' is not of the form '(n1,n2,...)'.`, { ...errorOptions(loc), cause: e });
      }
    }
    const tnull = optionalNumber(header, `TNULL${n}`, loc);
    if (typeof tnull === 'number' && !Number.isSafeInteger(tnull)) {
      throw new FitsKeywordError(`TNULL${n} = ${tnull}; expected an integer.`, errorOptions(loc));
    }
    const tscalValue = optionalNumber(header, `TSCAL${n}`, loc);
    const tzeroValue = optionalNumber(header, `TZERO${n}`, loc);
    const tscal = tscalValue === null ? 1 : Number(tscalValue);
    const tzero = tzeroValue === null ? 0 : Number(tzeroValue);
    const disp = optionalString(header, `TDISP${n}`, loc);
    const extra: Record<string, HeaderValue> = {};
    for (const root of EXTRA_ROOTS) {
      const v = header.get(`${root}${n}`);
      if (v !== undefined) extra[root] = v;
    }
    let { dtype, mode } = resolveScaling(tform.type, tscal, tzero);
    // A TZERO that only rounds to 2^63 is not the unsigned convention.
    if (mode === 'offset' && typeof tzeroValue === 'bigint' && tzeroValue !== TWO_63) {
      dtype = 'float64';
      mode = 'linear';
    }
    const variableLength = tform.descriptor !== null;
    const repeat = variableLength ? 1 : tform.repeat;
    let strLen = repeat;
    let nStrings = 1;
    let shape: number[];
    if (variableLength) {
      shape = [];
    } else if (tform.type === 'A') {
      if (dim !== null && dim.length >= 1) {
        strLen = dim[0]!;
        nStrings = dim.slice(1).reduce((a, b) => a * b, 1);
        shape = dim.slice(1).reverse();
      } else {
        shape = [];
      }
    } else if (dim !== null) {
      shape = [...dim].reverse();
    } else {
      shape = repeat === 1 ? [] : [repeat];
    }
    if (dim !== null && !variableLength) {
      const size = tform.type === 'A' ? strLen * nStrings : dim.reduce((a, b) => a * b, 1);
      if (size > tform.repeat) {
        throw new FitsFormatError(
          `TDIM${n} = '${tdimText}' describes ${size} elements, more than the ${tform.repeat} of TFORM${n} = '${format}'.`,
          errorOptions(loc),
        );
      }
    }
    const meta: BinaryTableColumn = Object.freeze({
      index: n - 1,
      name,
      format,
      tform,
      type: tform.type,
      variableLength,
      repeat,
      unit,
      dim: dim === null ? null : Object.freeze(dim),
      shape: Object.freeze(shape),
      tnull: tnull === null ? null : tform.type === 'K' ? BigInt(tnull) : Number(tnull),
      tscal,
      tzero,
      disp,
      extra: Object.freeze(extra),
      dtype,
      nullValue: nullValueOf(tform.type, mode, tnull, tscal, tzero),
      offset,
      width: tform.width,
    });
    return { meta, mode, strLen, nStrings };
  }

  /** Reads the (count, heap offset) descriptor of `row`; the Q words beyond 2^53 come out as NaN. */
  private descriptor(meta: BinaryTableColumn, row: number, dv: DataView): [number, number] {
    const at = row * this.rowBytes + meta.offset;
    if (meta.tform.descriptor === 'P') return [dv.getUint32(at), dv.getUint32(at + 4)];
    const word = (o: number): number => {
      const hi = dv.getUint32(o);
      return hi >= 0x200000 ? Number.NaN : hi * 4294967296 + dv.getUint32(o + 4);
    };
    return [word(at), word(at + 8)];
  }

  private checkDescriptors(meta: BinaryTableColumn): void {
    if (meta.tform.repeat === 0) return;
    const dv = viewOf(this.data);
    for (let r = 0; r < this.nRows; r++) {
      const [count, offset] = this.descriptor(meta, r, dv);
      const bytes = tformWidth(meta.type, count);
      if (!(offset + bytes <= this.heapSize)) {
        const at = r * this.rowBytes + meta.offset;
        throw new FitsFormatError(
          `Row ${r} of column ${meta.index + 1} ('${meta.name}', TFORM = '${meta.format}') points outside the heap: ` +
            `${Number.isNaN(count) ? 'a count beyond 2^53' : `${count} elements (${bytes} bytes)`} at heap offset ${Number.isNaN(offset) ? 'beyond 2^53' : offset}, ` +
            `but the heap has ${this.heapSize} bytes (descriptor at data byte ${at}).`,
          errorOptions(this.location, at, 'The file is corrupt or truncated.'),
        );
      }
    }
  }

  /**
   * Decodes a binary table from its header and data unit.
   *
   * @param header - the extension header (`XTENSION = 'BINTABLE'`)
   * @param data - the data unit: the `NAXIS1 × NAXIS2` bytes of the main table, then the heap at
   *   `THEAP` (default right after the main table), `NAXIS1 × NAXIS2 + PCOUNT` bytes in all
   *   (trailing block padding is allowed)
   * @param options - the file, HDU and data offset, for error messages
   * @returns the table; column values are decoded on first use
   * @throws FitsFormatError when `XTENSION` is not `'BINTABLE'`, a `TFORMn`/`TDIMn` is invalid,
   *   `NAXIS1` is not the sum of the column widths, the data are shorter than
   *   `NAXIS1 × NAXIS2 + PCOUNT`, or a variable-length array descriptor points outside the heap
   * @throws FitsKeywordError when a required keyword is missing or has the wrong type
   */
  static decode(header: Header, data: Uint8Array, options: BinaryTableDecodeOptions = {}): BinaryTable {
    return new BinaryTable(header, data, options);
  }

  /**
   * Encodes columns as a binary-table header and data unit (main table followed by the heap of
   * the variable-length array columns, not padded to the 2880-byte block): `XTENSION`,
   * `BITPIX = 8`, `NAXIS = 2`, `NAXIS1`, `NAXIS2`, `PCOUNT`, `GCOUNT = 1`, `TFIELDS`, then
   * `TTYPEn`, `TFORMn` and, when given, `TUNITn`, `TDIMn`, `TNULLn`, `TSCALn`, `TZEROn`,
   * `TDISPn`, `TDOCn` and the extra keywords of each column. See {@link BinaryTableColumnInput}
   * for the values each format takes.
   *
   * @param columns - the columns, in order
   * @param nRows - the number of rows
   * @returns the header and the data bytes, ready for the FITS writer
   * @throws InvalidArgumentError when a column's data do not match its format or row count, or a
   *   value does not fit the stored type
   * @throws FitsFormatError when a format string is not a valid `TFORM`
   */
  static encode(columns: readonly BinaryTableColumnInput[], nRows: number): EncodedBinaryTable {
    return encodeBinaryTable(columns, nRows);
  }

  /**
   * Finds a column by name or 0-based index. Names match exactly first, then ignoring case (as
   * astropy does); the first of duplicate names wins.
   *
   * @param nameOrIndex - the `TTYPEn` value, or the 0-based index
   * @returns the column description
   * @throws FitsKeywordError when there is no such column
   */
  column(nameOrIndex: string | number): BinaryTableColumn {
    return this.state(nameOrIndex).meta;
  }

  /**
   * Says whether a column of that name exists (exact name, or the same name ignoring case).
   *
   * @param name - the `TTYPEn` value
   * @returns true when {@link BinaryTable.column} would find it
   */
  hasColumn(name: string): boolean {
    return this.byName.has(name) || this.byLowerName.has(name.toLowerCase());
  }

  private state(nameOrIndex: string | number): ColumnState {
    let index: number | undefined;
    if (typeof nameOrIndex === 'number') {
      index = Number.isInteger(nameOrIndex) && nameOrIndex >= 0 && nameOrIndex < this.states.length ? nameOrIndex : undefined;
    } else {
      index = this.byName.get(nameOrIndex) ?? this.byLowerName.get(nameOrIndex.toLowerCase());
    }
    const state = index === undefined ? undefined : this.states[index];
    if (state === undefined) {
      const names = this.columns.map((c) => c.name);
      const shown = names.length > 12 ? `${names.slice(0, 12).join(', ')}, …` : names.join(', ');
      throw new FitsKeywordError(
        typeof nameOrIndex === 'number'
          ? `No column ${nameOrIndex}: the table has ${this.states.length} columns (0-based indices).`
          : `No column '${nameOrIndex}'. The table has ${this.states.length} columns${shown === '' ? '' : `: ${shown}`}.`,
        errorOptions(this.location),
      );
    }
    return state;
  }

  /**
   * The decoded values of a column (see {@link BinaryTableColumnData} for the layout and
   * {@link BinaryTableDtype} for the array type). Decoded on the first call and cached: the same
   * array is returned each time, so do not modify it.
   *
   * @param nameOrIndex - the column name or 0-based index
   * @returns the values
   * @throws FitsKeywordError when there is no such column
   */
  getColumn(nameOrIndex: string | number): BinaryTableColumnData {
    const state = this.state(nameOrIndex);
    const index = state.meta.index;
    let values = this.cache.get(index);
    if (values === undefined) {
      values = this.decodeColumn(state);
      this.cache.set(index, values);
    }
    return values;
  }

  /**
   * The values of a fixed-width numeric, logical or bit column (everything but `A`, `P` and `Q`).
   *
   * @param nameOrIndex - the column name or 0-based index
   * @returns the typed array
   * @throws FitsKeywordError when there is no such column, or it is a string or variable-length column
   */
  getNumericColumn(nameOrIndex: string | number): BinaryTableNumericArray {
    const state = this.state(nameOrIndex);
    if (state.meta.variableLength || state.meta.type === 'A') {
      throw new FitsKeywordError(
        `Column '${state.meta.name}' (TFORM = '${state.meta.format}') is not a fixed-width numeric column.`,
        errorOptions(this.location, undefined, 'Use getStringColumn or getVariableLengthColumn.'),
      );
    }
    return this.getColumn(state.meta.index) as BinaryTableNumericArray;
  }

  /**
   * The values of an `A`, `PA` or `QA` column.
   *
   * @param nameOrIndex - the column name or 0-based index
   * @returns the strings
   * @throws FitsKeywordError when there is no such column, or it is not a string column
   */
  getStringColumn(nameOrIndex: string | number): readonly string[] {
    const state = this.state(nameOrIndex);
    if (state.meta.type !== 'A') {
      throw new FitsKeywordError(`Column '${state.meta.name}' (TFORM = '${state.meta.format}') is not a string column.`, errorOptions(this.location));
    }
    return this.getColumn(state.meta.index) as readonly string[];
  }

  /**
   * The per-row arrays of a `P`/`Q` variable-length array column (other than `PA`/`QA`).
   *
   * @param nameOrIndex - the column name or 0-based index
   * @returns one typed array per row
   * @throws FitsKeywordError when there is no such column, or it is not a variable-length numeric column
   */
  getVariableLengthColumn(nameOrIndex: string | number): readonly BinaryTableNumericArray[] {
    const state = this.state(nameOrIndex);
    if (!state.meta.variableLength || state.meta.type === 'A') {
      throw new FitsKeywordError(
        `Column '${state.meta.name}' (TFORM = '${state.meta.format}') is not a variable-length numeric column.`,
        errorOptions(this.location),
      );
    }
    return this.getColumn(state.meta.index) as readonly BinaryTableNumericArray[];
  }

  /**
   * Where the variable-length array of one row of a `P`/`Q` column lies in the data unit, from
   * its descriptor (checked against the heap when the table was decoded). Works on a table
   * decoded with {@link BinaryTableDecodeOptions.mainTableOnly}, to read only the arrays needed.
   *
   * @param nameOrIndex - the column name or 0-based index
   * @param row - the 0-based row
   * @returns the element count, the byte offset from the start of the data unit, and the byte length
   * @throws FitsKeywordError when there is no such column or it is not a variable-length column
   * @throws InvalidArgumentError when the row is out of range
   */
  heapRange(nameOrIndex: string | number, row: number): BinaryTableHeapRange {
    const { meta } = this.state(nameOrIndex);
    if (!meta.variableLength) {
      throw new FitsKeywordError(
        `Column '${meta.name}' (TFORM = '${meta.format}') is not a variable-length (P/Q) column.`,
        errorOptions(this.location),
      );
    }
    if (!Number.isInteger(row) || row < 0 || row >= this.nRows) {
      throw new InvalidArgumentError(`Row ${row} is out of range: the table has ${this.nRows} rows.`);
    }
    if (meta.tform.repeat === 0) return { count: 0, offset: this.heapOffset, byteLength: 0 };
    const [count, offset] = this.descriptor(meta, row, viewOf(this.data));
    return { count, offset: this.heapOffset + offset, byteLength: tformWidth(meta.type, count) };
  }

  /**
   * The raw bytes of the variable-length array of one row of a `P`/`Q` column, as stored
   * (big-endian, not decoded): what tile-compressed images keep in `COMPRESSED_DATA`. A view of
   * the table's bytes, not a copy.
   *
   * @param nameOrIndex - the column name or 0-based index
   * @param row - the 0-based row
   * @returns the bytes (empty for an empty array)
   * @throws FitsKeywordError when there is no such column or it is not a variable-length column
   * @throws FitsFormatError when the table was decoded without its heap
   * @throws InvalidArgumentError when the row is out of range
   */
  getHeapBytes(nameOrIndex: string | number, row: number): Uint8Array {
    const range = this.heapRange(nameOrIndex, row);
    if (range.byteLength > 0) this.requireHeap(this.column(nameOrIndex));
    return this.data.subarray(range.offset, range.offset + range.byteLength);
  }

  private requireHeap(meta: BinaryTableColumn): void {
    if (!this.hasHeap) {
      throw new FitsFormatError(
        `Column '${meta.name}' (TFORM = '${meta.format}') lives in the heap, but the table was decoded from its main table only.`,
        errorOptions(this.location, undefined, 'Decode the whole data unit, or read the bytes that heapRange() gives.'),
      );
    }
  }

  /**
   * Reads one bit of a fixed-width `X` column (afw packs its Flag fields this way), straight
   * from the table bytes.
   *
   * @param nameOrIndex - the column name or 0-based index
   * @param row - the 0-based row
   * @param bit - the 0-based bit within the row's field (bit 0 is the most significant bit of
   *   the first byte)
   * @returns true when the bit is set
   * @throws FitsKeywordError when there is no such column or it is not an `X` column
   * @throws InvalidArgumentError when the row or bit is out of range
   */
  getBit(nameOrIndex: string | number, row: number, bit: number): boolean {
    const meta = this.bitColumn(nameOrIndex);
    if (!Number.isInteger(row) || row < 0 || row >= this.nRows) {
      throw new InvalidArgumentError(`Row ${row} is out of range: the table has ${this.nRows} rows.`);
    }
    if (!Number.isInteger(bit) || bit < 0 || bit >= meta.repeat) {
      throw new InvalidArgumentError(`Bit ${bit} is out of range: column '${meta.name}' has ${meta.repeat} bits.`);
    }
    const byte = this.data[row * this.rowBytes + meta.offset + (bit >> 3)]!;
    return ((byte >> (7 - (bit & 7))) & 1) === 1;
  }

  /**
   * Unpacks a fixed-width `X` column into one 0/1 byte per bit: `nRows × repeat` values, row
   * after row (what astropy gives as a boolean array of shape `(nRows, repeat)`).
   *
   * @param nameOrIndex - the column name or 0-based index
   * @returns the bits
   * @throws FitsKeywordError when there is no such column or it is not an `X` column
   */
  unpackBits(nameOrIndex: string | number): Uint8Array {
    const meta = this.bitColumn(nameOrIndex);
    return unpackBits(this.getColumn(meta.index) as Uint8Array, meta.repeat);
  }

  private bitColumn(nameOrIndex: string | number): BinaryTableColumn {
    const meta = this.state(nameOrIndex).meta;
    if (meta.type !== 'X' || meta.variableLength) {
      throw new FitsKeywordError(`Column '${meta.name}' (TFORM = '${meta.format}') is not a bit (X) column.`, errorOptions(this.location));
    }
    return meta;
  }

  /**
   * Which elements of a fixed-width column are null: stored value equal to `TNULLn` for an
   * integer column, NaN for a float or complex column (either part), a 0 byte (neither `'T'`
   * nor `'F'`) for a logical column.
   *
   * @param nameOrIndex - the column name or 0-based index
   * @returns one 0/1 byte per element (per complex number for `C`/`M`), 1 for null; or `null`
   *   when the column cannot hold nulls (`A`, `X`, variable-length columns, integer columns
   *   without `TNULLn`)
   * @throws FitsKeywordError when there is no such column
   */
  nullMask(nameOrIndex: string | number): Uint8Array | null {
    const { meta } = this.state(nameOrIndex);
    if (meta.variableLength || meta.type === 'A' || meta.type === 'X') return null;
    const n = this.nRows * meta.repeat;
    if (meta.type === 'L') {
      const mask = new Uint8Array(n);
      for (let r = 0, d = 0; r < this.nRows; r++) {
        const s = r * this.rowBytes + meta.offset;
        for (let k = 0; k < meta.repeat; k++) mask[d++] = this.data[s + k] === 0 ? 1 : 0;
      }
      return mask;
    }
    const values = this.getColumn(meta.index) as BinaryTableNumericArray;
    const mask = new Uint8Array(n);
    if (meta.type === 'E' || meta.type === 'D' || meta.type === 'C' || meta.type === 'M') {
      const v = values as Float32Array | Float64Array;
      const step = meta.type === 'C' || meta.type === 'M' ? 2 : 1;
      for (let i = 0; i < n; i++) {
        const a = v[i * step]!;
        const b = v[i * step + step - 1]!;
        mask[i] = Number.isNaN(a) || Number.isNaN(b) ? 1 : 0;
      }
      return mask;
    }
    const nv = meta.nullValue;
    if (nv === null) return null;
    if (typeof nv === 'bigint') {
      // Compare the 32-bit words: reading a BigInt64Array element would allocate a bigint.
      const words = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
      const u = BigInt.asUintN(64, nv);
      const hi = Number(u >> 32n);
      const lo = Number(u & 0xffffffffn);
      const h = LITTLE_ENDIAN_HOST ? 1 : 0;
      for (let i = 0; i < n; i++) mask[i] = words[2 * i + h] === hi && words[2 * i + 1 - h] === lo ? 1 : 0;
      return mask;
    }
    const v = values as Exclude<BinaryTableNumericArray, BigInt64Array | BigUint64Array>;
    for (let i = 0; i < n; i++) mask[i] = v[i] === nv ? 1 : 0;
    return mask;
  }

  private decodeColumn(state: ColumnState): BinaryTableColumnData {
    const { meta, mode } = state;
    const start = meta.offset;
    if (!meta.variableLength) {
      if (meta.type === 'A') {
        const out = new Array<string>(this.nRows * state.nStrings);
        for (let r = 0, d = 0; r < this.nRows; r++) {
          let s = r * this.rowBytes + start;
          for (let k = 0; k < state.nStrings; k++, s += state.strLen) out[d++] = decodeFitsString(this.data, s, state.strLen);
        }
        return out;
      }
      return decodeNumeric(meta.type, mode, meta.tscal, meta.tzero, this.data, start, this.rowBytes, this.nRows, meta.repeat);
    }
    if (meta.tform.repeat !== 0 && this.nRows > 0) this.requireHeap(meta);
    const dv = viewOf(this.data);
    const rows = meta.tform.repeat === 0 ? 0 : this.nRows;
    if (meta.type === 'A') {
      const out = new Array<string>(this.nRows).fill('');
      for (let r = 0; r < rows; r++) {
        const [count, offset] = this.descriptor(meta, r, dv);
        out[r] = decodeFitsString(this.data, this.heapOffset + offset, count, true);
      }
      return out;
    }
    const out: BinaryTableNumericArray[] = [];
    for (let r = 0; r < this.nRows; r++) {
      const [count, offset] = r < rows ? this.descriptor(meta, r, dv) : [0, 0];
      const at = this.heapOffset + offset;
      if (meta.type === 'X') {
        out.push(unpackBits(this.data.subarray(at, at + Math.ceil(count / 8)), count));
      } else {
        const width = tformWidth(meta.type, count);
        out.push(decodeNumeric(meta.type, mode, meta.tscal, meta.tzero, this.data, at, width, 1, count));
      }
    }
    return out;
  }
}
