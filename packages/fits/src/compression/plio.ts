// PLIO_1: the IRAF pixel-list ("line list") run-length code, for non-negative integer images
// with values below 2^24 (masks).
//
// A line list is an array of 16-bit words. The header (7 words in the current version) holds
// the list length; each following word is an instruction: the top 4 bits are the opcode, the
// low 12 bits its data. The decoder keeps a current high value `pv` (starting at 1) and the
// current output position:
//   0 ZN: `data` zero pixels            4 HN: `data` pixels of value pv
//   5 PN: `data - 1` zeros, then one pv  1 SH: pv = (next word << 12) + data (two words)
//   2 IH: pv += data                     3 DH: pv -= data
//   6 IS: pv += data, then one pixel pv  7 DS: pv -= data, then one pixel pv
// Pixels not covered by the list are zero.

import { FitsFormatError, FitsUnsupportedError } from '../errors.js';

/** Integer arrays PLIO pixels can be decoded into or encoded from. */
export type PlioIntegerArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

/** The largest value (exclusive) a PLIO_1 pixel can hold. */
export const PLIO_MAX_VALUE = 2 ** 24;

const HEADER_WORDS = 7;

function readWords(input: Uint8Array | Int16Array): Int16Array {
  if (input instanceof Int16Array) return input;
  if (input.length % 2 !== 0) {
    throw new FitsFormatError(`PLIO_1: a line list has 16-bit words, but the tile has an odd ${input.length} bytes.`);
  }
  const n = input.length >> 1;
  const words = new Int16Array(n);
  for (let i = 0; i < n; i++) words[i] = (input[2 * i]! << 8) | input[2 * i + 1]!;
  return words;
}

/**
 * Decodes a PLIO_1 tile (an IRAF line list) into pixels.
 *
 * @param input - the line list: the tile's big-endian bytes (a `1PI` column's heap bytes) or
 *   its 16-bit words already in native order
 * @param output - receives `nPixels` values from index 0
 * @param nPixels - number of pixels in the tile; defaults to `output.length`
 * @returns `output`
 * @throws {@link FitsFormatError} when the list is truncated or its header is invalid
 *
 * @example
 * ```ts
 * const mask = plioDecompress(tileBytes, new Int32Array(512));
 * ```
 * @see FITS standard 4.0 §10.4.4 (PLIO); cfitsio `pl_l2pi` (IRAF `plio`)
 */
export function plioDecompress<T extends PlioIntegerArray>(
  input: Uint8Array | Int16Array,
  output: T,
  nPixels: number = output.length,
): T {
  if (!Number.isInteger(nPixels) || nPixels < 0 || nPixels > output.length) {
    throw new FitsFormatError(`PLIO_1: cannot decode ${nPixels} pixels into an array of ${output.length}.`);
  }
  const ll = readWords(input);
  if (ll.length < 3) {
    throw new FitsFormatError(`PLIO_1: a line list needs a header of at least 3 words, got ${ll.length}.`);
  }
  let length: number;
  let first: number;
  if (ll[2]! > 0) {
    // Old format: word 2 is the list length, instructions start at word 3.
    length = ll[2]!;
    first = 3;
  } else {
    if (ll.length < 5) throw new FitsFormatError(`PLIO_1: the line list header is truncated (${ll.length} words).`);
    length = ((ll[4]! & 0xffff) << 15) + (ll[3]! & 0xffff);
    first = ll[1]!;
  }
  if (length > ll.length || first < 0) {
    throw new FitsFormatError(
      `PLIO_1: the line list header claims ${length} words starting at ${first}, but the tile holds ${ll.length}.`,
      { hint: 'The tile bytes are truncated or corrupt.' },
    );
  }
  let op = 0; // next output index
  let pv = 1;
  for (let ip = first; ip < length && op < nPixels; ip++) {
    const word = ll[ip]!;
    const opcode = (word >> 12) & 0xf;
    const data = word & 0xfff;
    switch (opcode) {
      case 0:
      case 4:
      case 5: {
        const end = op + data < nPixels ? op + data : nPixels;
        if (opcode === 4) {
          for (let i = op; i < end; i++) output[i] = pv;
        } else {
          for (let i = op; i < end; i++) output[i] = 0;
          if (opcode === 5 && data > 0 && op + data <= nPixels) output[op + data - 1] = pv;
        }
        op = end;
        break;
      }
      case 1:
        if (ip + 1 >= length) throw new FitsFormatError(`PLIO_1: the line list ends inside a set-value instruction at word ${ip}.`);
        pv = (ll[ip + 1]! << 12) + data;
        ip++;
        break;
      case 2:
        pv += data;
        break;
      case 3:
        pv -= data;
        break;
      case 6:
      case 7:
        pv += opcode === 6 ? data : -data;
        output[op++] = pv;
        break;
      default:
        // Words with the sign bit set are not instructions; IRAF skips them.
        break;
    }
  }
  for (let i = op; i < nPixels; i++) output[i] = 0;
  return output;
}

/**
 * Encodes pixels as a PLIO_1 tile (an IRAF line list) in big-endian bytes, for a `1PI`
 * `COMPRESSED_DATA` column. The code is valid PLIO but not necessarily the same words IRAF or
 * cfitsio would choose.
 *
 * @param input - the pixels of one tile: integers with 0 ≤ value < 2^24
 * @param nPixels - number of pixels to code from index 0; defaults to `input.length`
 * @returns the line list as big-endian 16-bit words
 * @throws {@link FitsUnsupportedError} when a pixel is negative or not below 2^24
 *
 * @example
 * ```ts
 * const tile = plioCompress(Int32Array.of(0, 0, 3, 3, 3, 0));
 * ```
 * @see FITS standard 4.0 §10.4.4 (PLIO); cfitsio `pl_p2li` (IRAF `plio`)
 */
export function plioCompress(input: PlioIntegerArray, nPixels: number = input.length): Uint8Array {
  if (!Number.isInteger(nPixels) || nPixels < 0 || nPixels > input.length) {
    throw new FitsFormatError(`PLIO_1: cannot code ${nPixels} pixels of an array of ${input.length}.`);
  }
  const words: number[] = [0, HEADER_WORDS, -100, 0, 0, 0, 0];
  let pv = 1;
  let i = 0;
  while (i < nPixels) {
    const v = input[i]!;
    if (v < 0 || v >= PLIO_MAX_VALUE) {
      throw new FitsUnsupportedError(`PLIO_1 stores integers from 0 to 2^24 - 1, but pixel ${i} is ${v}.`, {
        hint: 'Use RICE_1 or GZIP for images with negative or larger values.',
      });
    }
    let j = i + 1;
    while (j < nPixels && input[j] === v) j++;
    let run = j - i;
    if (v === 0) {
      for (; run > 0; run -= 4095) words.push(Math.min(run, 4095));
    } else {
      const dv = v - pv;
      if (dv !== 0) {
        if (Math.abs(dv) > 4095) {
          words.push(0x1000 | (v & 0xfff), v >> 12);
        } else if (run === 1) {
          // Change the value and write the single pixel in one word.
          words.push((dv > 0 ? 0x6000 : 0x7000) | Math.abs(dv));
          run = 0;
        } else {
          words.push((dv > 0 ? 0x2000 : 0x3000) | Math.abs(dv));
        }
        pv = v;
      }
      for (; run > 0; run -= 4095) words.push(0x4000 | Math.min(run, 4095));
    }
    i = j;
  }
  const length = words.length;
  words[3] = length % 32768;
  words[4] = Math.floor(length / 32768);
  const out = new Uint8Array(2 * length);
  for (let k = 0; k < length; k++) {
    const w = words[k]! & 0xffff;
    out[2 * k] = w >> 8;
    out[2 * k + 1] = w & 0xff;
  }
  return out;
}
