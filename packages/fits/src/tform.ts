import { FitsFormatError, type FitsLocation } from './errors.js';

/**
 * The data type letter of a binary-table column (FITS standard 4.0, Table 18):
 *
 * | code | element | bytes |
 * | --- | --- | --- |
 * | `L` | logical (`'T'`, `'F'`, or 0 for null) | 1 |
 * | `X` | bit | 1/8 (a row holds ⌈r/8⌉ bytes) |
 * | `B` | unsigned 8-bit integer | 1 |
 * | `I` | 16-bit integer | 2 |
 * | `J` | 32-bit integer | 4 |
 * | `K` | 64-bit integer | 8 |
 * | `A` | character | 1 |
 * | `E` | 32-bit IEEE float | 4 |
 * | `D` | 64-bit IEEE float | 8 |
 * | `C` | 32-bit complex (real, imaginary) | 8 |
 * | `M` | 64-bit complex (real, imaginary) | 16 |
 *
 * The `P` and `Q` array descriptors are not types of their own: see {@link TformSpec.descriptor}.
 *
 * @see FITS standard 4.0 §7.3.1
 */
export type TformType = 'L' | 'X' | 'B' | 'I' | 'J' | 'K' | 'A' | 'E' | 'D' | 'C' | 'M';

/**
 * A parsed `TFORMn` value: `rTa` for a fixed-width column, `rPt(emax)` or `rQt(emax)` for a
 * variable-length array column (whose elements live in the heap). Immutable.
 *
 * @see FITS standard 4.0 §7.3.1 and §7.3.5
 * @see astropy.io.fits.column._ColumnFormat
 */
export interface TformSpec {
  /**
   * The repeat count `r`: elements per row (bits for `X`, characters for `A`). For a `P`/`Q`
   * column it counts descriptors and is 0 or 1.
   */
  readonly repeat: number;
  /** The element type; for a `P`/`Q` column, the type of the elements in the heap. */
  readonly type: TformType;
  /**
   * `'P'` (two 32-bit integers: count, heap offset) or `'Q'` (two 64-bit integers) for a
   * variable-length array column; `null` for a fixed-width column.
   */
  readonly descriptor: 'P' | 'Q' | null;
  /** `emax`, the largest element count of a `P`/`Q` column, when the TFORM gives it; else `null`. */
  readonly maxLength: number | null;
  /**
   * The characters after the type code of a fixed-width column (e.g. the `w` of the `rAw`
   * substring convention), kept verbatim; `''` when there are none.
   */
  readonly additional: string;
  /** The bytes that one row of this column takes in the main table. */
  readonly width: number;
}

/** Bytes per element of each type; `X` is counted per bit, see {@link tformWidth}. */
const ELEMENT_BYTES: Readonly<Record<TformType, number>> = {
  L: 1,
  X: 1,
  B: 1,
  I: 2,
  J: 4,
  K: 8,
  A: 1,
  E: 4,
  D: 8,
  C: 8,
  M: 16,
};

const FIXED_RE = /^(\d*)([LXBIJKAEDCM])(.*)$/i;
const VARIABLE_RE = /^(\d*)([PQ])([LXBIJKAEDCM])(?:\((\d*)\))?$/i;
const CODE_RE = /^\d*([A-Z])/i;

/**
 * The number of bytes of one element of `type` (`X`: 1, meaning one byte per 8 bits, rounded up
 * per row; `C`: 8, the pair of 32-bit floats; `M`: 16).
 *
 * @param type - the type letter
 * @returns the element size in bytes
 */
export function tformElementBytes(type: TformType): number {
  return ELEMENT_BYTES[type];
}

/**
 * The bytes that `repeat` elements of `type` take: `repeat × element size`, or `⌈repeat / 8⌉`
 * for bits (`X`). This is also the heap size of a variable-length array of `repeat` elements.
 *
 * @param type - the type letter
 * @param repeat - the element count
 * @returns the byte count
 */
export function tformWidth(type: TformType, repeat: number): number {
  return type === 'X' ? Math.ceil(repeat / 8) : repeat * ELEMENT_BYTES[type];
}

/** Options of {@link parseTform}: where the value was read, for error messages. */
export interface ParseTformOptions extends FitsLocation {
  /** The 1-based column number `n` of `TFORMn`, for error messages. */
  readonly column?: number;
}

function fail(tform: string, why: string, options: ParseTformOptions, hint?: string): never {
  const key = options.column === undefined ? 'TFORM' : `TFORM${options.column}`;
  const loc: { file?: string; hdu?: number; offset?: number; hint?: string } = {};
  if (options.file !== undefined) loc.file = options.file;
  if (options.hdu !== undefined) loc.hdu = options.hdu;
  if (options.offset !== undefined) loc.offset = options.offset;
  if (hint !== undefined) loc.hint = hint;
  throw new FitsFormatError(`${key} = '${tform}' is not a valid binary-table format: ${why}.`, loc);
}

function parseRepeat(digits: string, tform: string, options: ParseTformOptions): number {
  if (digits === '') return 1;
  const repeat = Number(digits);
  if (!Number.isSafeInteger(repeat)) fail(tform, `the repeat count ${digits} is too large`, options);
  return repeat;
}

/**
 * Parses a binary-table `TFORMn` value: `rTa` with `T` one of `L X B I J K A E D C M`, or a
 * variable-length array descriptor `rPt(emax)` / `rQt(emax)` (`1PB(123)`, `QD`, `1PJ`). The
 * repeat count defaults to 1; letters may be lower case (as astropy accepts); surrounding
 * spaces are ignored.
 *
 * @param tform - the keyword value
 * @param options - the file, HDU and column number, for error messages
 * @returns the parsed format
 * @throws FitsFormatError when the value is empty, has an unknown type code (`'1Z'`), a `P`/`Q`
 *   descriptor with a repeat count other than 0 or 1 or without an element type, or a repeat
 *   count beyond 2^53
 * @example
 * ```ts
 * parseTform('114X'); // { repeat: 114, type: 'X', descriptor: null, width: 15, ... }
 * parseTform('1QB(16374)'); // { repeat: 1, type: 'B', descriptor: 'Q', maxLength: 16374, width: 16, ... }
 * ```
 * @see FITS standard 4.0 §7.3.1 and §7.3.5
 */
export function parseTform(tform: string, options: ParseTformOptions = {}): TformSpec {
  const text = tform.trim();
  if (text === '') fail(tform, 'it is empty', options, "Expected e.g. '1J', '10E', '64A' or '1PB(100)'.");
  const vla = VARIABLE_RE.exec(text);
  if (vla) {
    const repeat = parseRepeat(vla[1] ?? '', tform, options);
    if (repeat > 1) fail(tform, `a ${vla[2]!.toUpperCase()} descriptor column holds 0 or 1 descriptor per row, not ${repeat}`, options);
    const descriptor = vla[2]!.toUpperCase() as 'P' | 'Q';
    const max = vla[4];
    let maxLength: number | null = null;
    if (max !== undefined && max !== '') {
      maxLength = Number(max);
      if (!Number.isSafeInteger(maxLength)) fail(tform, `the maximum length ${max} is too large`, options);
    }
    return Object.freeze({
      repeat,
      type: vla[3]!.toUpperCase() as TformType,
      descriptor,
      maxLength,
      additional: '',
      width: repeat * (descriptor === 'P' ? 8 : 16),
    });
  }
  const fixed = FIXED_RE.exec(text);
  if (!fixed) {
    const code = CODE_RE.exec(text)?.[1];
    if (code !== undefined && /^[PQ]$/i.test(code)) {
      fail(tform, `a ${code.toUpperCase()} descriptor needs an element type and an optional (emax)`, options, "Expected e.g. '1PB(100)' or 'QD'.");
    }
    fail(
      tform,
      code === undefined ? 'it does not start with a repeat count and a type code' : `'${code}' is not a type code`,
      options,
      'The type codes are L, X, B, I, J, K, A, E, D, C, M, and P or Q for variable-length arrays.',
    );
  }
  const repeat = parseRepeat(fixed[1] ?? '', tform, options);
  const type = fixed[2]!.toUpperCase() as TformType;
  const width = tformWidth(type, repeat);
  if (!Number.isSafeInteger(width)) fail(tform, `the column would take ${width} bytes per row`, options);
  return Object.freeze({ repeat, type, descriptor: null, maxLength: null, additional: fixed[3] ?? '', width });
}

/**
 * Writes a {@link TformSpec} back as a `TFORMn` value: `'1J'`, `'64A'`, `'114X'`, `'1PB(123)'`,
 * `'1QD'`. The repeat count is always written, as afw and astropy do.
 *
 * @param spec - the format
 * @returns the keyword value
 */
export function formatTform(spec: TformSpec): string {
  if (spec.descriptor !== null) {
    const max = spec.maxLength === null ? '' : `(${spec.maxLength})`;
    return `${spec.repeat}${spec.descriptor}${spec.type}${max}`;
  }
  return `${spec.repeat}${spec.type}${spec.additional}`;
}
