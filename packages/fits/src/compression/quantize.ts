// Floating-point tiles quantised to integers (FITS standard 4.0 §10.2): restoring the floats
// from the integers, the ZSCALE/ZZERO of each tile and, for the dithered methods, the fixed
// pseudo-random sequence the writer added before rounding.

import { FitsFormatError } from '../errors.js';

/**
 * How a floating-point image was quantised (`ZQUANTIZ`), or `NONE` for floats stored
 * losslessly (gzip of the float bytes).
 */
export type QuantizeMethod = 'NO_DITHER' | 'SUBTRACTIVE_DITHER_1' | 'SUBTRACTIVE_DITHER_2' | 'NONE';

/** Length of the dither sequence of the standard (cfitsio `N_RANDOM`). */
export const N_RANDOM = 10000;

/**
 * The quantised value cfitsio and astropy write for an undefined (NaN) pixel; it is declared
 * with the `ZBLANK` keyword or column.
 */
export const NULL_VALUE = -2147483647;

/** The quantised value SUBTRACTIVE_DITHER_2 stores for a pixel that was exactly 0.0. */
export const ZERO_VALUE = -2147483646;

let randomValues: Float32Array | undefined;

/**
 * The 10000 dither values of the standard: the Park–Miller "minimal standard" generator
 * (a = 16807, m = 2^31 - 1) from seed 1, each seed divided by m and rounded to single
 * precision. Computed once and cached; do not modify the returned array.
 *
 * @returns the sequence, values in (0, 1)
 *
 * @example
 * ```ts
 * ditherRandomValues()[0]; // 16807 / 2147483647 as a float32
 * ```
 * @see FITS standard 4.0 §10.2.2 (subtractive dithering); cfitsio `fits_init_randoms`
 */
export function ditherRandomValues(): Float32Array {
  if (randomValues !== undefined) return randomValues;
  const a = 16807;
  const m = 2147483647;
  const values = new Float32Array(N_RANDOM);
  let seed = 1;
  for (let i = 0; i < N_RANDOM; i++) {
    // a * seed < 2^46: exact in a double, so the remainder is exact too.
    seed = (a * seed) % m;
    values[i] = seed / m;
  }
  randomValues = values;
  return values;
}

/**
 * The index of the dither sequence a tile starts from: tile `tileIndex` (0-based, in the
 * order of the table rows) with `ZDITHER0` = `dither0` starts at `(tileIndex + dither0 - 1)`
 * mod 10000.
 *
 * @param tileIndex - 0-based tile (table row) index
 * @param dither0 - the `ZDITHER0` keyword (1 to 10000)
 * @returns the starting index into {@link ditherRandomValues}
 *
 * @example
 * ```ts
 * ditherSeedIndex(0, 1); // 0
 * ```
 * @see FITS standard 4.0 §10.2.2; cfitsio `unquantize_i4r4` (`iseed`)
 */
export function ditherSeedIndex(tileIndex: number, dither0: number): number {
  const i = (tileIndex + dither0 - 1) % N_RANDOM;
  return i < 0 ? i + N_RANDOM : i;
}

/** How to turn the quantised integers of one tile back into floats. */
export interface DequantizeParams {
  /** `ZQUANTIZ`; `NONE` is not a quantisation and is rejected. */
  readonly method: QuantizeMethod;
  /** `ZSCALE` of the tile. */
  readonly scale: number;
  /** `ZZERO` of the tile. */
  readonly zero: number;
  /** 0-based index of the tile (its table row); selects the dither start. */
  readonly tileIndex: number;
  /** `ZDITHER0`; ignored for NO_DITHER. Default 1. */
  readonly dither0?: number;
  /** `ZBLANK`: the integer marking undefined pixels, which become NaN; none when absent. */
  readonly blank?: number;
}

/**
 * Restores floating-point pixels from the quantised integers of one tile:
 * `(i - r + 0.5) * ZSCALE + ZZERO` with the tile's dither values `r` (`i * ZSCALE + ZZERO`
 * for NO_DITHER), computed in double precision and then stored into `output`. `ZBLANK`
 * integers become NaN; with SUBTRACTIVE_DITHER_2, {@link ZERO_VALUE} becomes exactly 0.
 * The dither sequence advances for every pixel, null or not.
 *
 * @param input - the quantised integers of the tile
 * @param output - receives the floats, `input.length` of them from index 0
 * @param params - method, scale, zero, tile index, dither seed and null value
 * @returns `output`
 * @throws {@link FitsFormatError} when the method is `NONE` or `output` is too short
 *
 * @example
 * ```ts
 * const out = dequantize(Int32Array.of(10, 11), new Float32Array(2), {
 *   method: 'SUBTRACTIVE_DITHER_1', scale: 0.5, zero: 100, tileIndex: 0, dither0: 1,
 * });
 * ```
 * @see FITS standard 4.0 §10.2; cfitsio `unquantize_i4r4`, `unquantize_i4r8`
 */
export function dequantize<T extends Float32Array | Float64Array>(
  input: Int32Array,
  output: T,
  params: DequantizeParams,
): T {
  const n = input.length;
  if (output.length < n) {
    throw new FitsFormatError(`Cannot dequantise ${n} pixels into an array of ${output.length}.`);
  }
  const { method, scale, zero } = params;
  const blank = params.blank;
  const hasBlank = blank !== undefined;
  if (method === 'NONE') {
    throw new FitsFormatError('ZQUANTIZ NONE tiles hold floats, not quantised integers; nothing to dequantise.');
  }
  if (method === 'NO_DITHER') {
    for (let i = 0; i < n; i++) {
      const v = input[i]!;
      output[i] = hasBlank && v === blank ? Number.NaN : v * scale + zero;
    }
    return output;
  }
  const rand = ditherRandomValues();
  const keepZero = method === 'SUBTRACTIVE_DITHER_2';
  let iseed = ditherSeedIndex(params.tileIndex, params.dither0 ?? 1);
  let next = Math.trunc(rand[iseed]! * 500);
  for (let i = 0; i < n; i++) {
    const v = input[i]!;
    if (hasBlank && v === blank) output[i] = Number.NaN;
    else if (keepZero && v === ZERO_VALUE) output[i] = 0;
    else output[i] = (v - rand[next]! + 0.5) * scale + zero;
    if (++next === N_RANDOM) {
      if (++iseed === N_RANDOM) iseed = 0;
      next = Math.trunc(rand[iseed]! * 500);
    }
  }
  return output;
}
