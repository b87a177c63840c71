// The Rice codec of the tiled image compression convention (RICE_1).
//
// Stream layout (FITS standard 4.0 §10.4.1; the Rice coder of R. White that cfitsio ships):
// the first pixel is stored raw in `bytePix` bytes, big-endian; then the pixels are coded in
// blocks of `blockSize`. Each block starts with a code of 3, 4 or 5 bits (bytePix 1, 2, 4)
// holding `fs + 1`, where `fs` is the number of low bits sent verbatim. Code 0 marks a block
// whose differences are all zero; code `fsmax + 1` marks a block whose zig-zag mapped
// differences are sent raw in 8 * bytePix bits each. Otherwise each mapped difference `d` is
// sent as `d >> fs` zero bits, a one bit, and the low `fs` bits of `d`. Differences are taken
// between neighbouring pixels (the first difference, against the first pixel itself, is 0),
// wrapped to the pixel width, and mapped to unsigned values by the zig-zag map
// (0, -1, 1, -2, ... -> 0, 1, 2, 3, ...). The last byte is padded with zero bits.

import { FitsFormatError } from '../errors.js';

/** The bytes per pixel a Rice stream may use (`ZVAL` of `BYTEPIX`). */
export type RiceBytePix = 1 | 2 | 4;

/** Integer arrays Rice pixels can be decoded into or encoded from. */
export type RiceIntegerArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

/** The default number of pixels per Rice block (`ZVAL` of `BLOCKSIZE`). */
export const RICE_DEFAULT_BLOCK_SIZE = 32;

/** Bits of the per-block split code, indexed by bytePix. */
const FS_BITS = [0, 3, 4, 0, 5];
/** The largest split (`fs`) a block may use; `fsmax + 1` is the raw-block code. */
const FS_MAX = [0, 6, 14, 0, 25];

function checkBytePix(bytePix: number): asserts bytePix is RiceBytePix {
  if (bytePix !== 1 && bytePix !== 2 && bytePix !== 4) {
    throw new FitsFormatError(`RICE_1: BYTEPIX must be 1, 2 or 4, got ${bytePix}.`);
  }
}

function checkBlockSize(blockSize: number): void {
  if (!Number.isInteger(blockSize) || blockSize < 1) {
    throw new FitsFormatError(`RICE_1: BLOCKSIZE must be a positive integer, got ${blockSize}.`);
  }
}

/** The natural Rice bytes-per-pixel of an integer array: its element size, at most 4. */
function bytePixOf(array: RiceIntegerArray): RiceBytePix {
  const b = array.BYTES_PER_ELEMENT;
  return b === 1 ? 1 : b === 2 ? 2 : 4;
}

function truncated(offset: number, pixel: number, nPixels: number): FitsFormatError {
  return new FitsFormatError(
    `RICE_1: the compressed tile ends after ${offset} bytes, but pixel ${pixel} of ${nPixels} is not decoded yet.`,
    { hint: 'The tile bytes are truncated or corrupt.' },
  );
}

/** Checks BYTEPIX, BLOCKSIZE and the pixel count against the array length. */
function checkArguments(
  bytePix: number,
  blockSize: number,
  nPixels: number,
  length: number,
  verb: string,
  preposition: string,
): asserts bytePix is RiceBytePix {
  checkBytePix(bytePix);
  checkBlockSize(blockSize);
  if (!Number.isInteger(nPixels) || nPixels < 0 || nPixels > length) {
    throw new FitsFormatError(`RICE_1: cannot ${verb} ${nPixels} pixels ${preposition} an array of ${length}.`);
  }
}

/**
 * Decodes a Rice (RICE_1) compressed tile into integers.
 *
 * Pixel values are wrapped to `bytePix` bytes exactly as the encoder wrapped them: with
 * `bytePix` 1 they are unsigned bytes (0..255, FITS `BITPIX` 8), with 2 and 4 signed integers.
 * The values are stored into `output`, whose own element type may differ (an `Int32Array`
 * receives sign-extended 16-bit values, for instance).
 *
 * @param input - the compressed bytes of one tile (the `COMPRESSED_DATA` heap bytes)
 * @param output - receives `nPixels` values from index 0
 * @param nPixels - number of pixels in the tile; defaults to `output.length`
 * @param blockSize - pixels per coding block, the `BLOCKSIZE` parameter (default 32)
 * @param bytePix - bytes per pixel of the stream, the `BYTEPIX` parameter; defaults to the
 *   element size of `output` (4 for 4-byte arrays)
 * @returns `output`
 * @throws {@link FitsFormatError} when the stream ends early or holds an impossible code
 *
 * @example
 * ```ts
 * const pixels = Int16Array.of(100, 101, 99, 100);
 * const packed = riceCompress(pixels);
 * const back = riceDecompress(packed, new Int16Array(4));
 * ```
 * @see FITS standard 4.0 §10.4.1 (Rice compression); cfitsio `fits_rdecomp`, `fits_rdecomp_short`, `fits_rdecomp_byte`
 */
export function riceDecompress<T extends RiceIntegerArray>(
  input: Uint8Array,
  output: T,
  nPixels: number = output.length,
  blockSize: number = RICE_DEFAULT_BLOCK_SIZE,
  bytePix: number = bytePixOf(output),
): T {
  checkArguments(bytePix, blockSize, nPixels, output.length, 'decode', 'into');
  if (nPixels === 0) return output;
  if (output instanceof Int32Array) {
    decodeInto(input, output, nPixels, blockSize, bytePix);
  } else {
    // One monomorphic decoder writing Int32Array; the typed-array copy then converts.
    if (scratchInts.length < nPixels) scratchInts = new Int32Array(nPixels);
    const ints = scratchInts.subarray(0, nPixels);
    decodeInto(input, ints, nPixels, blockSize, bytePix);
    output.set(ints);
  }
  return output;
}

let scratchInts = new Int32Array(0);
let scratchIn = new Uint8Array(0);

function decodeInto(input: Uint8Array, output: Int32Array, nPixels: number, blockSize: number, bytePix: RiceBytePix): void {
  const len = input.length;
  if (len < bytePix) throw truncated(len, 0, nPixels);
  // A zero-padded copy lets every read fetch 5 bytes at the position without bounds checks;
  // running past the real end is detected per block, and one block reads at most 57 bits
  // per pixel, so the padding covers any overrun.
  const pad = 8 * blockSize + 16;
  if (scratchIn.length < len + pad) scratchIn = new Uint8Array(len + pad);
  const buf = scratchIn;
  buf.set(input);
  buf.fill(0, len, len + pad);
  const limit = 8 * len;
  const fsBits = FS_BITS[bytePix]!;
  const fsMax = FS_MAX[bytePix]!;
  const bBits = 8 * bytePix;
  // Values are wrapped to bBits: sign-extended for 2 and 4 bytes, unsigned for 1 byte.
  const shift = 32 - bBits;
  const mask = bytePix === 1 ? 0xff : -1;
  const maxMapped = bBits === 32 ? 0xffffffff : 2 ** bBits - 1;

  let last = 0;
  for (let k = 0; k < bytePix; k++) last = (last << 8) | buf[k]!;
  last = ((last << shift) >> shift) & mask;
  let pos = 8 * bytePix; // bit position in buf
  let i = 0;
  while (i < nPixels) {
    let at = pos >>> 3;
    let sh = pos & 7;
    let w = ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) << sh;
    w |= buf[at + 4]! >>> (8 - sh); // 0 when sh = 0
    const fs = (w >>> (32 - fsBits)) - 1;
    pos += fsBits;
    const end = i + blockSize < nPixels ? i + blockSize : nPixels;
    if (fs < 0) {
      // Low entropy: every difference in the block is zero.
      output.fill(last, i, end);
      i = end;
    } else if (fs < fsMax) {
      const maxTop = Math.floor(maxMapped / 2 ** fs);
      const need = fs + 1;
      for (; i < end; i++) {
        at = pos >>> 3;
        sh = pos & 7;
        w = ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) << sh;
        w |= buf[at + 4]! >>> (8 - sh); // 0 when sh = 0
        let top = Math.clz32(w);
        let d: number;
        if (top + need <= 32) {
          // Common case: the unary part, its one bit and the fs low bits are all in w.
          d = fs === 0 ? top : (top << fs) | ((w << (top + 1)) >>> (32 - fs));
          pos += top + need;
        } else {
          if (top === 32) {
            // A run of 32 or more zeros: count it a word at a time.
            pos += 32;
            for (;;) {
              if (pos > limit) throw truncated(limit >>> 3, i, nPixels);
              at = pos >>> 3;
              sh = pos & 7;
              w = ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) << sh;
              w |= buf[at + 4]! >>> (8 - sh); // 0 when sh = 0
              const z = Math.clz32(w);
              top += z;
              if (z < 32) {
                pos += z;
                break;
              }
              pos += 32;
            }
          } else {
            pos += top;
          }
          if (top > maxTop) {
            throw new FitsFormatError(`RICE_1: impossible difference code at pixel ${i} (byte ${pos >>> 3}).`, {
              hint: 'The tile bytes are corrupt.',
            });
          }
          pos += 1; // the one bit
          let low = 0;
          if (fs > 0) {
            at = pos >>> 3;
            sh = pos & 7;
            w = ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) << sh;
            w |= buf[at + 4]! >>> (8 - sh); // 0 when sh = 0
            low = w >>> (32 - fs);
            pos += fs;
          }
          d = (top << fs) | low;
        }
        last = (((last + ((d >>> 1) ^ -(d & 1))) << shift) >> shift) & mask;
        output[i] = last;
      }
    } else if (fs === fsMax) {
      // High entropy: mapped differences sent raw, bBits each.
      for (; i < end; i++) {
        at = pos >>> 3;
        sh = pos & 7;
        w = ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) << sh;
        w |= buf[at + 4]! >>> (8 - sh); // 0 when sh = 0
        const d = bBits === 32 ? w : w >>> shift;
        pos += bBits;
        last = (((last + ((d >>> 1) ^ -(d & 1))) << shift) >> shift) & mask;
        output[i] = last;
      }
    } else {
      throw new FitsFormatError(
        `RICE_1: block code ${fs + 1} at pixel ${i} exceeds the largest valid code ${fsMax + 1} for BYTEPIX ${bytePix}.`,
        { hint: 'The tile bytes are corrupt, or BYTEPIX does not match the stream.' },
      );
    }
    if (pos > limit) throw truncated(len, i, nPixels);
  }
}

// Scratch buffers reused across calls to keep compression allocation-light.
let scratchOut = new Uint8Array(0);
let scratchDiff = new Uint32Array(0);

/**
 * Rice-compresses integer pixels (RICE_1), bit for bit as cfitsio writes them.
 *
 * Values are first wrapped to `bytePix` bytes (two's complement), so a `Uint16Array` holding
 * 65535 with `bytePix` 2 is coded as -1 and decodes back to 65535 into a `Uint16Array`.
 *
 * @param input - the pixels of one tile
 * @param nPixels - number of pixels to code from index 0; defaults to `input.length`
 * @param blockSize - pixels per coding block, the `BLOCKSIZE` parameter (default 32)
 * @param bytePix - bytes per pixel of the stream, the `BYTEPIX` parameter; defaults to the
 *   element size of `input` (4 for 4-byte arrays)
 * @returns a new array holding exactly the compressed bytes
 * @throws {@link FitsFormatError} when `bytePix`, `blockSize` or `nPixels` is invalid
 *
 * @example
 * ```ts
 * const packed = riceCompress(Int32Array.of(5, 6, 7, 8), undefined, 32, 4);
 * ```
 * @see FITS standard 4.0 §10.4.1 (Rice compression); cfitsio `fits_rcomp`, `fits_rcomp_short`, `fits_rcomp_byte`
 */
export function riceCompress(
  input: RiceIntegerArray,
  nPixels: number = input.length,
  blockSize: number = RICE_DEFAULT_BLOCK_SIZE,
  bytePix: number = bytePixOf(input),
): Uint8Array {
  checkArguments(bytePix, blockSize, nPixels, input.length, 'code', 'of');
  if (nPixels === 0) return new Uint8Array(0);
  const fsBits = FS_BITS[bytePix]!;
  const fsMax = FS_MAX[bytePix]!;
  const bBits = 8 * bytePix;
  const shift = 32 - bBits;
  const nBlocks = Math.ceil(nPixels / blockSize);
  // A coded block never exceeds (bBits + 1) bits per pixel plus its code (see the bound on
  // the unary parts implied by the choice of fs), so this capacity is always enough.
  const capacity = bytePix + Math.ceil((nPixels * (bBits + 2) + nBlocks * (fsBits + 1)) / 8) + 8;
  if (scratchOut.length < capacity) scratchOut = new Uint8Array(capacity);
  if (scratchDiff.length < blockSize) scratchDiff = new Uint32Array(blockSize);
  const out = scratchOut;
  const diff = scratchDiff;

  let last = (input[0]! << shift) >> shift;
  let p = 0;
  for (let k = bytePix - 1; k >= 0; k--) out[p++] = last >>> (8 * k);
  let acc = 0; // pending output bits, right-aligned, fewer than 8
  let nacc = 0;

  for (let i = 0; i < nPixels; i += blockSize) {
    const n = nPixels - i < blockSize ? nPixels - i : blockSize;
    let sum = 0;
    for (let j = 0; j < n; j++) {
      const v = (input[i + j]! << shift) >> shift;
      const dd = ((v - last) << shift) >> shift;
      const m = ((dd << 1) ^ (dd >> 31)) >>> 0;
      diff[j] = m;
      sum += m;
      last = v;
    }
    let dpsum = (sum - (n >> 1) - 1) / n;
    if (dpsum < 0) dpsum = 0;
    const psum = Math.floor(dpsum) >>> 1;
    const fs = 32 - Math.clz32(psum);

    if (fs >= fsMax) {
      acc = (acc << fsBits) | (fsMax + 1);
      nacc += fsBits;
      while (nacc >= 8) out[p++] = acc >>> (nacc -= 8);
      acc &= (1 << nacc) - 1;
      for (let j = 0; j < n; j++) {
        const m = diff[j]!;
        if (bBits === 32) {
          acc = (acc << 16) | (m >>> 16);
          nacc += 16;
          while (nacc >= 8) out[p++] = acc >>> (nacc -= 8);
          acc &= (1 << nacc) - 1;
          acc = (acc << 16) | (m & 0xffff);
          nacc += 16;
        } else {
          acc = (acc << bBits) | m;
          nacc += bBits;
        }
        while (nacc >= 8) out[p++] = acc >>> (nacc -= 8);
        acc &= (1 << nacc) - 1;
      }
    } else if (fs === 0 && sum === 0) {
      acc <<= fsBits;
      nacc += fsBits;
      while (nacc >= 8) out[p++] = acc >>> (nacc -= 8);
      acc &= (1 << nacc) - 1;
    } else {
      acc = (acc << fsBits) | (fs + 1);
      nacc += fsBits;
      while (nacc >= 8) out[p++] = acc >>> (nacc -= 8);
      acc &= (1 << nacc) - 1;
      const mask = (1 << fs) - 1;
      for (let j = 0; j < n; j++) {
        const m = diff[j]!;
        let top = m >>> fs;
        const nb = top + 1 + fs;
        if (nacc + nb <= 31) {
          // Common case: zeros, the one bit and the low bits in one go.
          acc = (acc << nb) | (1 << fs) | (m & mask);
          nacc += nb;
          while (nacc >= 8) out[p++] = acc >>> (nacc -= 8);
          acc &= (1 << nacc) - 1;
          continue;
        }
        if (nacc + top + 1 <= 31) {
          acc = (acc << (top + 1)) | 1;
          nacc += top + 1;
          while (nacc >= 8) out[p++] = acc >>> (nacc -= 8);
          acc &= (1 << nacc) - 1;
        } else {
          // Long run of zeros: finish the pending byte, write zero bytes, then the one bit.
          out[p++] = acc << (8 - nacc);
          top -= 8 - nacc;
          while (top >= 8) {
            out[p++] = 0;
            top -= 8;
          }
          acc = 1;
          nacc = top + 1;
          if (nacc === 8) {
            out[p++] = 1;
            acc = 0;
            nacc = 0;
          }
        }
        if (fs > 0) {
          acc = (acc << fs) | (m & mask);
          nacc += fs;
          while (nacc >= 8) out[p++] = acc >>> (nacc -= 8);
          acc &= (1 << nacc) - 1;
        }
      }
    }
  }
  if (nacc > 0) out[p++] = acc << (8 - nacc);
  return out.slice(0, p);
}
