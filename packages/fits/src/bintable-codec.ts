/**
 * Byte-level helpers of the binary-table codec: gather big-endian elements of one column from
 * every row into a native-order buffer, scatter them back, and the string conventions. Internal
 * to `@skystack/fits` (not exported from the package).
 */
import type { BinaryTableDtype, BinaryTableNumericArray } from './bintable.js';
import type { TformType } from './tform.js';

/** True when this machine stores typed-array elements little-endian (every platform Node runs on). */
export const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const HI = LITTLE_ENDIAN_HOST ? 1 : 0;
const LO = LITTLE_ENDIAN_HOST ? 0 : 1;

/** A DataView over exactly the bytes of `bytes`. */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Gathers `count` big-endian elements of `size` bytes (1, 2, 4 or 8) from each of `nRows` rows
 * (`src[start + r × stride ...]`) into a new buffer in native byte order, rows one after the
 * other. The bit patterns are kept exactly (no float NaN canonicalisation).
 *
 * @param src - the bytes to read
 * @param start - offset of the first element of row 0
 * @param stride - bytes from one row to the next
 * @param nRows - number of rows
 * @param count - elements per row
 * @param size - bytes per element
 * @returns the native-order buffer of `nRows × count × size` bytes
 */
export function gatherElements(
  src: Uint8Array,
  start: number,
  stride: number,
  nRows: number,
  count: number,
  size: 1 | 2 | 4 | 8,
): ArrayBuffer {
  const total = nRows * count;
  const buffer = new ArrayBuffer(total * size);
  if (total === 0) return buffer;
  const rowBytes = count * size;
  if (size === 1) {
    const out = new Uint8Array(buffer);
    if (rowBytes === stride) {
      out.set(src.subarray(start, start + total));
    } else if (rowBytes >= 64) {
      for (let r = 0, s = start, d = 0; r < nRows; r++, s += stride, d += rowBytes) out.set(src.subarray(s, s + rowBytes), d);
    } else {
      for (let r = 0, s = start, d = 0; r < nRows; r++, s += stride) {
        for (let k = 0; k < rowBytes; k++) out[d++] = src[s + k]!;
      }
    }
    return buffer;
  }
  const dv = viewOf(src);
  if (size === 2) {
    const out = new Uint16Array(buffer);
    if (count === 1) {
      for (let r = 0, s = start; r < nRows; r++, s += stride) out[r] = dv.getUint16(s);
    } else {
      for (let r = 0, s = start, d = 0; r < nRows; r++, s += stride) {
        for (let k = 0, o = s; k < count; k++, o += 2) out[d++] = dv.getUint16(o);
      }
    }
  } else if (size === 4) {
    const out = new Uint32Array(buffer);
    if (count === 1) {
      for (let r = 0, s = start; r < nRows; r++, s += stride) out[r] = dv.getUint32(s);
    } else {
      for (let r = 0, s = start, d = 0; r < nRows; r++, s += stride) {
        for (let k = 0, o = s; k < count; k++, o += 4) out[d++] = dv.getUint32(o);
      }
    }
  } else {
    const out = new Uint32Array(buffer);
    if (count === 1) {
      for (let r = 0, s = start, d = 0; r < nRows; r++, s += stride, d += 2) {
        out[d + HI] = dv.getUint32(s);
        out[d + LO] = dv.getUint32(s + 4);
      }
    } else {
      for (let r = 0, s = start, d = 0; r < nRows; r++, s += stride) {
        for (let k = 0, o = s; k < count; k++, o += 8, d += 2) {
          out[d + HI] = dv.getUint32(o);
          out[d + LO] = dv.getUint32(o + 4);
        }
      }
    }
  }
  return buffer;
}

/**
 * The inverse of {@link gatherElements}: writes the native-order elements of `values` (a typed
 * array whose element size is `size`) big-endian into `count` elements of each of `nRows` rows of
 * `dst`, keeping the bit patterns exactly.
 *
 * @param values - the native-order elements, `nRows × count` of them
 * @param dst - the bytes to write
 * @param start - offset of the first element of row 0
 * @param stride - bytes from one row to the next
 * @param nRows - number of rows
 * @param count - elements per row
 * @param size - bytes per element
 */
export function scatterElements(
  values: ArrayBufferView,
  dst: Uint8Array,
  start: number,
  stride: number,
  nRows: number,
  count: number,
  size: 1 | 2 | 4 | 8,
): void {
  const total = nRows * count;
  if (total === 0) return;
  if (size === 1) {
    const src = new Uint8Array(values.buffer, values.byteOffset, total);
    for (let r = 0, s = 0, d = start; r < nRows; r++, d += stride) {
      for (let k = 0; k < count; k++) dst[d + k] = src[s++]!;
    }
    return;
  }
  const dv = viewOf(dst);
  if (size === 2) {
    const src = new Uint16Array(values.buffer, values.byteOffset, total);
    for (let r = 0, s = 0, d = start; r < nRows; r++, d += stride) {
      for (let k = 0, o = d; k < count; k++, o += 2) dv.setUint16(o, src[s++]!);
    }
  } else if (size === 4) {
    const src = new Uint32Array(values.buffer, values.byteOffset, total);
    for (let r = 0, s = 0, d = start; r < nRows; r++, d += stride) {
      for (let k = 0, o = d; k < count; k++, o += 4) dv.setUint32(o, src[s++]!);
    }
  } else {
    const src = new Uint32Array(values.buffer, values.byteOffset, total * 2);
    for (let r = 0, s = 0, d = start; r < nRows; r++, d += stride) {
      for (let k = 0, o = d; k < count; k++, o += 8, s += 2) {
        dv.setUint32(o, src[s + HI]!);
        dv.setUint32(o + 4, src[s + LO]!);
      }
    }
  }
}

const utf8 = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

function isAsciiSpace(b: number): boolean {
  return b === 0x20 || (b >= 0x09 && b <= 0x0d) || (b >= 0x1c && b <= 0x1f);
}

/**
 * Decodes the `A` characters `bytes[start, start + length)` as astropy shows them: trailing NUL
 * bytes dropped, then (unless `keepSpaces`) trailing white space; an embedded NUL and what
 * follows it are kept. The bytes are read as UTF-8 (ASCII in a conforming file).
 *
 * @param bytes - the table bytes
 * @param start - first byte of the field
 * @param length - bytes in the field
 * @param keepSpaces - keep trailing white space (variable-length strings, whose length is exact)
 * @returns the string
 */
export function decodeFitsString(bytes: Uint8Array, start: number, length: number, keepSpaces = false): string {
  let end = start + length;
  while (end > start && bytes[end - 1] === 0) end--;
  if (!keepSpaces) while (end > start && isAsciiSpace(bytes[end - 1]!)) end--;
  if (end === start) return '';
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (bytes[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii && end - start <= 256) {
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
    return s;
  }
  return utf8.decode(bytes.subarray(start, end));
}

/**
 * The UTF-8 bytes of `text` (ASCII for conforming FITS).
 *
 * @param text - the string
 * @returns its bytes
 */
export function encodeFitsString(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/**
 * How stored integers or floats become the values a column shows:
 *
 * - `'none'`: as stored;
 * - `'offset'`: the unsigned (or, for `B`, signed) integer convention, `TSCAL = 1` and `TZERO`
 *   = 2^(bits−1) (−128 for `B`), read into the unsigned (signed) typed array of the same width;
 * - `'linear'`: any other `TSCAL`/`TZERO`, `stored × TSCAL + TZERO` in float64.
 */
export type ScalingMode = 'none' | 'offset' | 'linear';

const OFFSET_TZERO: Partial<Record<TformType, number>> = { B: -128, I: 32768, J: 2147483648, K: 9223372036854775808 };

const PLAIN_DTYPE: Readonly<Record<TformType, BinaryTableDtype>> = {
  L: 'bool',
  X: 'bit',
  B: 'uint8',
  I: 'int16',
  J: 'int32',
  K: 'int64',
  A: 'string',
  E: 'float32',
  D: 'float64',
  C: 'complex64',
  M: 'complex128',
};

const OFFSET_DTYPE: Partial<Record<TformType, BinaryTableDtype>> = { B: 'int8', I: 'uint16', J: 'uint32', K: 'uint64' };

/**
 * The element type and scaling of a column, as astropy chooses them: `L`, `X` and `A` columns
 * are never scaled; `B`/`I`/`J`/`K` with `TSCAL = 1` and the offset `TZERO` become
 * int8/uint16/uint32/uint64; any other scaling gives float64 (complex128 for `C`/`M`).
 *
 * @param type - the element type
 * @param tscal - `TSCALn` (1 when absent)
 * @param tzero - `TZEROn` (0 when absent)
 * @returns the element type of the decoded values and how to get them
 */
export function resolveScaling(type: TformType, tscal: number, tzero: number): { dtype: BinaryTableDtype; mode: ScalingMode } {
  if (type === 'L' || type === 'X' || type === 'A' || (tscal === 1 && tzero === 0)) return { dtype: PLAIN_DTYPE[type], mode: 'none' };
  if (tscal === 1 && OFFSET_TZERO[type] === tzero) return { dtype: OFFSET_DTYPE[type]!, mode: 'offset' };
  if (type === 'C' || type === 'M') return { dtype: 'complex128', mode: 'linear' };
  return { dtype: 'float64', mode: 'linear' };
}

function linear(raw: ArrayLike<number>, tscal: number, tzero: number): Float64Array {
  const out = new Float64Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw[i]! * tscal + tzero;
  return out;
}

/**
 * Decodes `count` elements of `type` from each of `nRows` rows into the typed array of the
 * column's {@link resolveScaling | element type}: the bytes are gathered, swapped to native
 * order and scaled in bulk, with no per-element objects (except for scaled `K`, which goes
 * through float64). `L` gives 1 for `'T'` and 0 otherwise; `X` gives the packed bytes,
 * ⌈count/8⌉ per row; `C`/`M` give interleaved (real, imaginary) pairs.
 *
 * @param type - the element type (not `A`)
 * @param mode - the scaling mode from {@link resolveScaling}
 * @param tscal - `TSCALn`
 * @param tzero - `TZEROn`
 * @param src - the table bytes
 * @param start - offset of the first element of row 0
 * @param stride - bytes from one row to the next
 * @param nRows - number of rows
 * @param count - elements (bits for `X`) per row
 * @returns the values, `nRows × count` of them (× 2 for complex, ⌈count/8⌉ per row for `X`)
 */
export function decodeNumeric(
  type: Exclude<TformType, 'A'>,
  mode: ScalingMode,
  tscal: number,
  tzero: number,
  src: Uint8Array,
  start: number,
  stride: number,
  nRows: number,
  count: number,
): BinaryTableNumericArray {
  switch (type) {
    case 'L': {
      const out = new Uint8Array(nRows * count);
      for (let r = 0, s = start, d = 0; r < nRows; r++, s += stride) {
        for (let k = 0; k < count; k++) out[d++] = src[s + k] === 0x54 ? 1 : 0;
      }
      return out;
    }
    case 'X':
      return new Uint8Array(gatherElements(src, start, stride, nRows, Math.ceil(count / 8), 1));
    case 'B': {
      const buf = gatherElements(src, start, stride, nRows, count, 1);
      if (mode === 'none') return new Uint8Array(buf);
      if (mode === 'linear') return linear(new Uint8Array(buf), tscal, tzero);
      const bits = new Uint8Array(buf);
      for (let i = 0; i < bits.length; i++) bits[i] = bits[i]! ^ 0x80;
      return new Int8Array(buf);
    }
    case 'I': {
      const buf = gatherElements(src, start, stride, nRows, count, 2);
      if (mode === 'none') return new Int16Array(buf);
      if (mode === 'linear') return linear(new Int16Array(buf), tscal, tzero);
      const bits = new Uint16Array(buf);
      for (let i = 0; i < bits.length; i++) bits[i] = bits[i]! ^ 0x8000;
      return bits;
    }
    case 'J': {
      const buf = gatherElements(src, start, stride, nRows, count, 4);
      if (mode === 'none') return new Int32Array(buf);
      if (mode === 'linear') return linear(new Int32Array(buf), tscal, tzero);
      const bits = new Uint32Array(buf);
      for (let i = 0; i < bits.length; i++) bits[i] = (bits[i]! ^ 0x80000000) >>> 0;
      return bits;
    }
    case 'K': {
      const buf = gatherElements(src, start, stride, nRows, count, 8);
      if (mode === 'none') return new BigInt64Array(buf);
      const words = new Uint32Array(buf);
      if (mode === 'offset') {
        for (let i = HI; i < words.length; i += 2) words[i] = (words[i]! ^ 0x80000000) >>> 0;
        return new BigUint64Array(buf);
      }
      const hi = new Int32Array(buf);
      const out = new Float64Array(nRows * count);
      for (let i = 0, w = 0; i < out.length; i++, w += 2) out[i] = (hi[w + HI]! * 4294967296 + words[w + LO]!) * tscal + tzero;
      return out;
    }
    case 'E': {
      const raw = new Float32Array(gatherElements(src, start, stride, nRows, count, 4));
      return mode === 'none' ? raw : linear(raw, tscal, tzero);
    }
    case 'D': {
      const raw = new Float64Array(gatherElements(src, start, stride, nRows, count, 8));
      return mode === 'none' ? raw : linear(raw, tscal, tzero);
    }
    case 'C': {
      const raw = new Float32Array(gatherElements(src, start, stride, nRows, 2 * count, 4));
      return mode === 'none' ? raw : linear(raw, tscal, tzero);
    }
    case 'M': {
      const raw = new Float64Array(gatherElements(src, start, stride, nRows, 2 * count, 8));
      return mode === 'none' ? raw : linear(raw, tscal, tzero);
    }
  }
}
