import { InvalidArgumentError } from '@skystack/base';
import { encodeFitsString, resolveScaling, scatterElements, viewOf, type ScalingMode } from './bintable-codec.js';
import type { HeaderValue } from './card.js';
import { Header } from './header.js';
import { formatTform, parseTform, tformWidth, type TformSpec, type TformType } from './tform.js';

/**
 * The value of one row of a variable-length array (`P`/`Q`) column given to
 * {@link BinaryTable.encode}: the elements (numbers, bigints for `K`, booleans or 0/1 for `L`,
 * one 0/1 per bit for `X`, interleaved (real, imaginary) for `C`/`M`), or a string for `PA`/`QA`.
 */
export type BinaryTableCellInput = ArrayLike<number> | ArrayLike<bigint> | ArrayLike<boolean> | string;

/**
 * The values of a column given to {@link BinaryTable.encode}, in the layout that
 * {@link BinaryTable.getColumn} returns:
 *
 * - a fixed-width numeric or logical column: `nRows × repeat` values row after row (× 2,
 *   interleaved, for `C`/`M`), as a typed array or a plain array (numbers, bigints for `K`,
 *   booleans or 0/1 for `L`);
 * - an `X` column: the packed bytes, `⌈repeat/8⌉` per row (see {@link packBits});
 * - an `A` column: one string per row (`nRows × n` for a `dim` of `[w, n…]`);
 * - a `P`/`Q` column: one {@link BinaryTableCellInput} per row.
 */
export type BinaryTableInputData = ArrayLike<number> | ArrayLike<bigint> | ArrayLike<boolean> | readonly string[] | readonly BinaryTableCellInput[];

/**
 * One column given to {@link BinaryTable.encode}.
 *
 * Values are given as they are to be read back (physical values): with `tzero`/`tscal` the
 * stored value is `(value − TZERO) / TSCAL` (rounded for integer formats). An `I` column given a
 * `Uint16Array`, a `J` column a `Uint32Array`, a `K` column a `BigUint64Array` and a `B` column
 * an `Int8Array` get the unsigned (signed) `TZERO` convention automatically when neither
 * `tzero` nor `tscal` is given, as astropy does.
 */
export interface BinaryTableColumnInput {
  /** `TTYPEn`. */
  readonly name: string;
  /** `TFORMn`, as a string (`'1J'`, `'64A'`, `'1PB'`) or parsed. A `P`/`Q` format without `(emax)` gets it from the data. */
  readonly format: TformSpec | string;
  /** The values, see {@link BinaryTableInputData}. */
  readonly data: BinaryTableInputData;
  /** `TUNITn`. */
  readonly unit?: string;
  /** `TDIMn`, in FITS order (fastest-varying axis first); for `A`, the first axis is the string length. */
  readonly dim?: readonly number[];
  /** `TNULLn`: the stored integer that marks a null (integer formats only). */
  readonly tnull?: number | bigint;
  /** `TSCALn`. */
  readonly tscal?: number;
  /** `TZEROn`. */
  readonly tzero?: number | bigint;
  /** `TDISPn`. */
  readonly disp?: string;
  /** afw's `TDOCn`: the field documentation. */
  readonly doc?: string;
  /** More per-column keywords, by root: `{ TCCLS: 'Array' }` writes `TCCLSn = 'Array'`. */
  readonly extra?: Readonly<Record<string, HeaderValue>>;
}

/** What {@link BinaryTable.encode} returns: the header and the data unit (not block-padded). */
export interface EncodedBinaryTable {
  /** The binary-table header. */
  readonly header: Header;
  /** The main table followed by the heap, `NAXIS1 × NAXIS2 + PCOUNT` bytes. */
  readonly data: Uint8Array;
}

const TWO_63 = 9223372036854775808n;
const TWO_64 = 18446744073709551616n;

const INT_RANGE: Partial<Record<TformType, readonly [number, number]>> = {
  B: [0, 255],
  I: [-32768, 32767],
  J: [-2147483648, 2147483647],
};

const FAST_ARRAY: Partial<Record<TformType, { ctor: new (n: number) => ArrayBufferView; size: 1 | 2 | 4 | 8; factor: number }>> = {
  B: { ctor: Uint8Array, size: 1, factor: 1 },
  I: { ctor: Int16Array, size: 2, factor: 1 },
  J: { ctor: Int32Array, size: 4, factor: 1 },
  K: { ctor: BigInt64Array, size: 8, factor: 1 },
  E: { ctor: Float32Array, size: 4, factor: 1 },
  D: { ctor: Float64Array, size: 8, factor: 1 },
  C: { ctor: Float32Array, size: 4, factor: 2 },
  M: { ctor: Float64Array, size: 8, factor: 2 },
};

function bad(column: string, message: string, hint?: string): never {
  throw new InvalidArgumentError(`Column '${column}': ${message}`, hint === undefined ? {} : { hint });
}

/** Writes `values` (physical values) as `count` elements of `type` in each of `nRows` rows. */
interface Target {
  readonly dst: Uint8Array;
  readonly dv: DataView;
  readonly start: number;
  readonly stride: number;
  readonly nRows: number;
  readonly count: number;
}

interface Scaling {
  readonly mode: ScalingMode;
  readonly tscal: number;
  readonly tzero: number;
}

function writeValues(name: string, type: Exclude<TformType, 'A'>, scaling: Scaling, values: ArrayLike<unknown>, t: Target): void {
  const { dst, dv, start, stride, nRows, count } = t;
  const { mode, tscal, tzero } = scaling;
  const fast = FAST_ARRAY[type];
  if (mode === 'none' && fast !== undefined && values instanceof fast.ctor) {
    scatterElements(values as ArrayBufferView, dst, start, stride, nRows, count * fast.factor, fast.size);
    return;
  }
  const per = type === 'C' || type === 'M' ? 2 * count : type === 'X' ? Math.ceil(count / 8) : count;
  const size = type === 'X' || type === 'L' ? 1 : tformWidth(type, 1) / (type === 'C' || type === 'M' ? 2 : 1);
  const toNumber = (v: unknown, i: number): number => {
    const n = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : typeof v === 'boolean' ? Number(v) : Number.NaN;
    if (typeof v !== 'number' && typeof v !== 'bigint' && typeof v !== 'boolean') bad(name, `value ${i} is ${typeof v}, not a number.`);
    return n;
  };
  const toStoredInt = (v: unknown, i: number, lo: number, hi: number): number => {
    let n = toNumber(v, i);
    if (mode === 'offset') n -= tzero;
    else if (mode === 'linear') n = Math.round((n - tzero) / tscal);
    if (!Number.isInteger(n) || n < lo || n > hi) {
      bad(name, `value ${i} (${String(v)}) does not fit the ${type} format${mode === 'none' ? '' : ` with TSCAL = ${tscal}, TZERO = ${tzero}`}.`);
    }
    return n;
  };
  for (let r = 0, i = 0; r < nRows; r++) {
    const row = start + r * stride;
    for (let k = 0; k < per; k++, i++) {
      const v = values[i];
      const o = row + k * size;
      switch (type) {
        case 'L':
          dst[o] = v ? 0x54 : 0x46;
          break;
        case 'X': {
          const n = toNumber(v, i);
          if (!Number.isInteger(n) || n < 0 || n > 255) bad(name, `byte ${i} (${String(v)}) of the packed bits is not in 0…255.`, 'Pack bits with packBits().');
          dst[o] = n;
          break;
        }
        case 'B':
        case 'I':
        case 'J': {
          const [lo, hi] = INT_RANGE[type]!;
          const n = toStoredInt(v, i, lo, hi);
          if (type === 'B') dst[o] = n;
          else if (type === 'I') dv.setInt16(o, n);
          else dv.setInt32(o, n);
          break;
        }
        case 'K': {
          let b: bigint;
          if (mode === 'linear') {
            const n = Math.round((toNumber(v, i) - tzero) / tscal);
            if (!Number.isFinite(n)) bad(name, `value ${i} (${String(v)}) does not fit the K format with TSCAL = ${tscal}, TZERO = ${tzero}.`);
            b = BigInt(n);
          } else if (typeof v === 'bigint') {
            b = v;
          } else {
            const n = toNumber(v, i);
            if (!Number.isInteger(n)) bad(name, `value ${i} (${String(v)}) is not an integer.`);
            b = BigInt(n);
          }
          if (mode === 'offset') {
            if (b < 0n || b >= TWO_64) bad(name, `value ${i} (${String(v)}) is not an unsigned 64-bit integer.`);
            b -= TWO_63;
          } else if (b < -TWO_63 || b >= TWO_63) {
            bad(name, `value ${i} (${String(v)}) does not fit a signed 64-bit integer.`);
          }
          dv.setBigInt64(o, b);
          break;
        }
        case 'E':
        case 'C': {
          const n = toNumber(v, i);
          dv.setFloat32(o, mode === 'none' ? n : (n - tzero) / tscal);
          break;
        }
        case 'D':
        case 'M': {
          const n = toNumber(v, i);
          dv.setFloat64(o, mode === 'none' ? n : (n - tzero) / tscal);
          break;
        }
      }
    }
  }
}

interface Planned {
  readonly input: BinaryTableColumnInput;
  readonly spec: TformSpec;
  readonly offset: number;
  readonly scaling: Scaling;
  readonly tzeroValue: number | bigint | undefined;
  readonly strLen: number;
  readonly nStrings: number;
}

function autoTzero(spec: TformSpec, data: BinaryTableInputData): bigint | number | undefined {
  const sample = spec.descriptor === null ? data : (data as readonly BinaryTableCellInput[])[0];
  if (spec.type === 'I' && sample instanceof Uint16Array) return 32768;
  if (spec.type === 'J' && sample instanceof Uint32Array) return 2147483648;
  if (spec.type === 'K' && sample instanceof BigUint64Array) return TWO_63;
  if (spec.type === 'B' && sample instanceof Int8Array) return -128;
  return undefined;
}

function plan(input: BinaryTableColumnInput, nRows: number, offset: number): Planned {
  const name = input.name;
  let spec = typeof input.format === 'string' ? parseTform(input.format) : parseTform(formatTform(input.format));
  const tzeroValue = input.tzero ?? (input.tscal === undefined ? autoTzero(spec, input.data) : undefined);
  const tscal = input.tscal ?? 1;
  const tzero = tzeroValue === undefined ? 0 : Number(tzeroValue);
  if (!Number.isFinite(tscal) || tscal === 0) bad(name, `TSCAL = ${tscal} is not a finite non-zero number.`);
  if ((tscal !== 1 || tzero !== 0) && (spec.type === 'L' || spec.type === 'X' || spec.type === 'A')) {
    bad(name, `TSCAL/TZERO are not allowed on a ${spec.type} column (FITS standard §7.3.2).`);
  }
  if (input.tnull !== undefined && !['B', 'I', 'J', 'K'].includes(spec.type)) {
    bad(name, `TNULL is only allowed on integer (B, I, J, K) columns, not ${spec.type}.`, 'Floats use NaN for null.');
  }
  let { mode } = resolveScaling(spec.type, tscal, tzero);
  if (mode === 'offset' && typeof tzeroValue === 'bigint' && tzeroValue !== TWO_63) mode = 'linear';
  let strLen = spec.repeat;
  let nStrings = 1;
  if (input.dim !== undefined) {
    const dim = input.dim;
    if (dim.length === 0 || dim.some((d) => !Number.isSafeInteger(d) || d < 0)) bad(name, `dim [${dim.join(', ')}] must be non-negative integers.`);
    if (spec.type === 'A') {
      strLen = dim[0]!;
      nStrings = dim.slice(1).reduce((a, b) => a * b, 1);
    }
    const size = dim.reduce((a, b) => a * b, 1);
    if (spec.descriptor === null && size > spec.repeat) {
      bad(name, `dim [${dim.join(', ')}] has ${size} elements, more than the repeat count ${spec.repeat} of '${formatTform(spec)}'.`);
    }
  }
  const data = input.data;
  if (spec.descriptor !== null) {
    if (data.length !== nRows) bad(name, `a variable-length column needs one array per row: ${nRows} expected, ${data.length} given.`);
    let max = 0;
    for (let r = 0; r < nRows; r++) {
      const cell = (data as readonly BinaryTableCellInput[])[r];
      if (spec.type === 'A') {
        if (typeof cell !== 'string') bad(name, `row ${r} of a ${spec.descriptor}A column must be a string.`);
        max = Math.max(max, encodeFitsString(cell).length);
      } else {
        if (cell === null || typeof cell !== 'object' || typeof (cell as ArrayLike<unknown>).length !== 'number') {
          bad(name, `row ${r} of a variable-length column must be an array.`);
        }
        const n = (cell as ArrayLike<unknown>).length;
        max = Math.max(max, spec.type === 'C' || spec.type === 'M' ? n / 2 : n);
      }
    }
    if (spec.maxLength !== null && max > spec.maxLength) {
      bad(name, `a row has ${max} elements, more than the maximum ${spec.maxLength} of '${formatTform(spec)}'.`);
    }
    if (spec.maxLength === null) spec = parseTform(`${spec.repeat}${spec.descriptor}${spec.type}(${max})`);
  } else if (spec.type === 'A') {
    if (data.length !== nRows * nStrings) bad(name, `${nRows * nStrings} strings expected (${nStrings} per row), ${data.length} given.`);
  } else {
    const per = spec.type === 'X' ? Math.ceil(spec.repeat / 8) : spec.type === 'C' || spec.type === 'M' ? 2 * spec.repeat : spec.repeat;
    if (data.length !== nRows * per) {
      bad(
        name,
        `${nRows * per} values expected (${per} per row for '${formatTform(spec)}'), ${data.length} given.`,
        spec.type === 'X' ? 'An X column takes the packed bytes: use packBits().' : undefined,
      );
    }
  }
  return { input, spec, offset, scaling: { mode, tscal, tzero }, tzeroValue, strLen, nStrings };
}

/**
 * Encodes columns as a binary-table header and data unit; the implementation of
 * {@link BinaryTable.encode}.
 *
 * @param columns - the columns, in order
 * @param nRows - the number of rows
 * @returns the header and the data bytes
 * @throws InvalidArgumentError when a column's data do not match its format or row count
 */
export function encodeBinaryTable(columns: readonly BinaryTableColumnInput[], nRows: number): EncodedBinaryTable {
  if (!Number.isSafeInteger(nRows) || nRows < 0) throw new InvalidArgumentError(`nRows = ${nRows}; expected a non-negative integer.`);
  if (columns.length > 999) throw new InvalidArgumentError(`${columns.length} columns given; a binary table holds at most 999.`);
  const planned: Planned[] = [];
  let rowBytes = 0;
  for (const input of columns) {
    const p = plan(input, nRows, rowBytes);
    planned.push(p);
    rowBytes += p.spec.width;
  }
  const mainBytes = rowBytes * nRows;
  const main = new Uint8Array(mainBytes);
  const mainView = viewOf(main);
  const heapChunks: Uint8Array[] = [];
  let heapSize = 0;

  for (const p of planned) {
    const { spec, input } = p;
    const data = input.data;
    if (spec.descriptor === null) {
      if (spec.type === 'A') {
        const strings = data as readonly string[];
        for (let r = 0, i = 0; r < nRows; r++) {
          for (let k = 0; k < p.nStrings; k++, i++) {
            const s = strings[i];
            if (typeof s !== 'string') bad(input.name, `value ${i} is ${typeof s}, not a string.`);
            const bytes = encodeFitsString(s);
            if (bytes.length > p.strLen) bad(input.name, `string ${i} ('${s}') has ${bytes.length} bytes, more than the ${p.strLen} of the field.`);
            main.set(bytes, r * rowBytes + p.offset + k * p.strLen);
          }
        }
      } else {
        writeValues(input.name, spec.type, p.scaling, data as ArrayLike<unknown>, {
          dst: main,
          dv: mainView,
          start: p.offset,
          stride: rowBytes,
          nRows,
          count: spec.repeat,
        });
      }
      continue;
    }
    if (spec.repeat === 0) continue;
    for (let r = 0; r < nRows; r++) {
      const cell = (data as readonly BinaryTableCellInput[])[r]!;
      let count: number;
      let chunk: Uint8Array;
      if (spec.type === 'A') {
        chunk = encodeFitsString(cell as string);
        count = chunk.length;
      } else {
        const values = cell as ArrayLike<unknown>;
        count = spec.type === 'C' || spec.type === 'M' ? values.length / 2 : values.length;
        if (!Number.isInteger(count)) bad(input.name, `row ${r} has an odd number of values for a complex column.`);
        chunk = new Uint8Array(tformWidth(spec.type, count));
        if (spec.type === 'X') {
          for (let b = 0; b < count; b++) if (values[b]) chunk[b >> 3]! |= 0x80 >> (b & 7);
        } else {
          writeValues(input.name, spec.type, p.scaling, values, { dst: chunk, dv: viewOf(chunk), start: 0, stride: chunk.length, nRows: 1, count });
        }
      }
      const at = r * rowBytes + p.offset;
      if (spec.descriptor === 'P') {
        if (heapSize + chunk.length > 0x7fffffff) {
          bad(input.name, `the heap passes 2 GiB, beyond what a P descriptor can address.`, `Use a Q format (e.g. '1Q${spec.type}').`);
        }
        mainView.setUint32(at, count);
        mainView.setUint32(at + 4, heapSize);
      } else {
        mainView.setUint32(at, Math.floor(count / 4294967296));
        mainView.setUint32(at + 4, count >>> 0);
        mainView.setUint32(at + 8, Math.floor(heapSize / 4294967296));
        mainView.setUint32(at + 12, heapSize >>> 0);
      }
      heapChunks.push(chunk);
      heapSize += chunk.length;
    }
  }

  const out = new Uint8Array(mainBytes + heapSize);
  out.set(main);
  let at = mainBytes;
  for (const chunk of heapChunks) {
    out.set(chunk, at);
    at += chunk.length;
  }

  const header = new Header();
  header.set('XTENSION', 'BINTABLE', 'binary table extension');
  header.set('BITPIX', 8, 'array data type');
  header.set('NAXIS', 2, 'number of array dimensions');
  header.set('NAXIS1', rowBytes, 'length of dimension 1 (bytes per row)');
  header.set('NAXIS2', nRows, 'length of dimension 2 (rows)');
  header.set('PCOUNT', heapSize, 'number of group parameters (heap bytes)');
  header.set('GCOUNT', 1, 'number of groups');
  header.set('TFIELDS', planned.length, 'number of table fields');
  planned.forEach((p, i) => {
    const n = i + 1;
    const c = p.input;
    header.set(`TTYPE${n}`, c.name);
    header.set(`TFORM${n}`, formatTform(p.spec));
    if (c.unit !== undefined) header.set(`TUNIT${n}`, c.unit);
    if (c.dim !== undefined) header.set(`TDIM${n}`, `(${c.dim.join(',')})`);
    if (c.tnull !== undefined) header.set(`TNULL${n}`, c.tnull);
    if (c.tscal !== undefined) header.set(`TSCAL${n}`, c.tscal);
    if (p.tzeroValue !== undefined) header.set(`TZERO${n}`, p.tzeroValue);
    if (c.disp !== undefined) header.set(`TDISP${n}`, c.disp);
    if (c.doc !== undefined) header.set(`TDOC${n}`, c.doc);
    for (const [root, value] of Object.entries(c.extra ?? {})) header.set(`${root}${n}`, value);
  });
  return { header, data: out };
}
