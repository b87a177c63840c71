import { FitsChecksumError, type FitsErrorOptions } from './errors.js';

/**
 * The FITS checksum convention (FITS standard 4.0, Appendix J; Seaman, Pence & Rots 2012): the
 * 32-bit ones'-complement sum of the big-endian 32-bit words of an HDU. `DATASUM` holds the
 * sum of the data unit as an unsigned decimal string; `CHECKSUM` holds a 16-character ASCII
 * encoding of the complement of the header sum, chosen so that the sum of the whole HDU
 * (header with `CHECKSUM` + data) is `0xFFFFFFFF` (negative zero).
 */

const HOST_LITTLE_ENDIAN: boolean = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Words per inner block: keeps each 8-bit lane sum below 2^16 (256 × 255 < 65536). */
const BLOCK_WORDS = 256;
/** Bytes copied at a time when the input is not 4-byte aligned. */
const SCRATCH_BYTES = 1 << 16;

/** Folds 16-bit halves (any non-negative integers below 2^53) into a 32-bit ones'-complement sum. */
function fold(hi: number, lo: number): number {
  let h = hi;
  let l = lo;
  while (h >= 65536 || l >= 65536) {
    const hc = Math.floor(h / 65536);
    const lc = Math.floor(l / 65536);
    h = (h % 65536) + lc;
    l = (l % 65536) + hc;
  }
  return (h * 65536 + l) >>> 0;
}

/**
 * Adds the 16-bit big-endian halves of the aligned words of `bytes` (length a multiple of 4,
 * byteOffset a multiple of 4) to the accumulators. On little-endian hosts each word is read as
 * b0 | b1<<8 | b2<<16 | b3<<24; the 8-bit lanes (b0, b2) and (b1, b3) are summed in two
 * int32 registers per block of 256 words (no lane can carry into the next) and split afterwards.
 */
/**
 * Folds separate sums of the high and low 16-bit halves of big-endian 32-bit words (each below
 * 2^53) into their 32-bit ones'-complement sum. Internal: for encoders that sum as they go.
 *
 * @param hi - the sum of the high halves
 * @param lo - the sum of the low halves
 * @returns the 32-bit ones'-complement sum
 */
export function foldHalfSums(hi: number, lo: number): number {
  return fold(hi, lo);
}

function sumAligned(bytes: Uint8Array, acc: { hi: number; lo: number }): void {
  const n = bytes.length >>> 2;
  const u = new Uint32Array(bytes.buffer, bytes.byteOffset, n);
  let hi = acc.hi;
  let lo = acc.lo;
  if (HOST_LITTLE_ENDIAN) {
    for (let s = 0; s < n; s += BLOCK_WORDS) {
      const e = Math.min(n, s + BLOCK_WORDS);
      let a = 0; // lanes: b0 (bits 0-15), b2 (bits 16-31)
      let b = 0; // lanes: b1, b3
      for (let i = s; i < e; i++) {
        const w = u[i]!;
        a = (a + (w & 0x00ff00ff)) | 0;
        b = (b + ((w >>> 8) & 0x00ff00ff)) | 0;
      }
      hi += (a & 0xffff) * 256 + (b & 0xffff);
      lo += (a >>> 16) * 256 + (b >>> 16);
    }
  } else {
    for (let i = 0; i < n; i++) {
      const w = u[i]!;
      hi += w >>> 16;
      lo += w & 0xffff;
    }
  }
  // keep the accumulators far below 2^53
  if (hi > 2 ** 48 || lo > 2 ** 48) {
    const f = fold(hi, lo);
    hi = Math.floor(f / 65536);
    lo = f % 65536;
  }
  acc.hi = hi;
  acc.lo = lo;
}

/**
 * Computes the 32-bit ones'-complement sum of `bytes` read as big-endian 32-bit words, as the
 * FITS checksum convention defines it. A length that is not a multiple of 4 is summed as if
 * padded with zero bytes (FITS data units are padded with zeros to 2880 bytes, so the sum of
 * an unpadded data unit is its `DATASUM`).
 *
 * Pass the previous result as `initial` to sum a stream in pieces; every piece but the last
 * must then be a multiple of 4 bytes long.
 *
 * @param bytes - the bytes to sum
 * @param initial - a sum to continue from (default 0)
 * @returns the sum, an unsigned 32-bit integer
 * @example
 * ```ts
 * computeDatasum(new Uint8Array(2880)); // 0
 * computeDatasum(Uint8Array.of(0, 0, 0, 1, 0, 0, 0, 2)); // 3
 * ```
 * @see astropy.io.fits.hdu.base._ValidHDU._compute_checksum
 */
export function computeDatasum(bytes: Uint8Array, initial = 0): number {
  const acc = { hi: Math.floor(initial / 65536) % 65536, lo: initial % 65536 };
  const whole = bytes.length - (bytes.length % 4);
  if (bytes.byteOffset % 4 === 0) {
    sumAligned(bytes.subarray(0, whole), acc);
  } else {
    const scratch = new Uint8Array(Math.min(SCRATCH_BYTES, whole));
    for (let off = 0; off < whole; off += SCRATCH_BYTES) {
      const len = Math.min(SCRATCH_BYTES, whole - off);
      const chunk = scratch.subarray(0, len);
      chunk.set(bytes.subarray(off, off + len));
      sumAligned(chunk, acc);
    }
  }
  if (whole < bytes.length) {
    const tail = [0, 0, 0, 0];
    for (let i = whole; i < bytes.length; i++) tail[i - whole] = bytes[i]!;
    acc.hi += tail[0]! * 256 + tail[1]!;
    acc.lo += tail[2]! * 256 + tail[3]!;
  }
  return fold(acc.hi, acc.lo);
}

/**
 * Adds two 32-bit ones'-complement sums (with end-around carry), e.g. a header sum and a
 * `DATASUM`.
 *
 * @param a - a sum
 * @param b - another sum
 * @returns their ones'-complement sum
 */
export function addChecksums(a: number, b: number): number {
  return fold(Math.floor(a / 65536) + Math.floor(b / 65536), (a % 65536) + (b % 65536));
}

const EXCLUDED = new Set([0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0x60]);

/**
 * Encodes a 32-bit sum as the 16 ASCII characters of a `CHECKSUM` value (the algorithm of the
 * checksum convention: each byte becomes four characters from `0-9A-Za-z`, avoiding
 * punctuation, and the result is rotated right by one character).
 *
 * To make a `CHECKSUM`, set the keyword to `'0000000000000000'`, sum the header and add the
 * `DATASUM`, and encode the total with `complement = true`: the HDU then sums to `0xFFFFFFFF`.
 *
 * @param sum - the 32-bit sum
 * @param complement - encode `0xFFFFFFFF - sum` (what `CHECKSUM` holds) instead of `sum`
 * @returns 16 ASCII characters
 * @example
 * ```ts
 * encodeChecksum(0); // '0000000000000000'
 * ```
 * @see astropy.io.fits.hdu.base._ValidHDU._encode_byte
 */
export function encodeChecksum(sum: number, complement = true): string {
  const value = complement ? (0xffffffff - (sum >>> 0)) >>> 0 : sum >>> 0;
  const asc = new Array<number>(16);
  for (let i = 0; i < 4; i++) {
    const byte = (value >>> ((3 - i) * 8)) & 0xff;
    const quotient = Math.floor(byte / 4) + 0x30;
    const remainder = byte % 4;
    const ch = [quotient + remainder, quotient, quotient, quotient];
    let check = true;
    while (check) {
      check = false;
      for (const excluded of EXCLUDED) {
        for (let j = 0; j < 4; j += 2) {
          if (ch[j] === excluded || ch[j + 1] === excluded) {
            ch[j] = ch[j]! + 1;
            ch[j + 1] = ch[j + 1]! - 1;
            check = true;
          }
        }
      }
    }
    for (let j = 0; j < 4; j++) asc[4 * j + i] = ch[j]!;
  }
  let out = '';
  for (let i = 0; i < 16; i++) out += String.fromCharCode(asc[(i + 15) % 16]!);
  return out;
}

/**
 * Decodes a `CHECKSUM` string back to the 32-bit value it encodes (the inverse of
 * {@link encodeChecksum} with `complement = false`).
 *
 * @param ascii - 16 characters
 * @returns the 32-bit value
 */
export function decodeChecksum(ascii: string): number {
  // undo the rotation, subtract the offset from every character, and add the four quarters
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < 16; i++) {
    const c = ascii.charCodeAt((i + 1) % 16) - 0x30;
    // character i (after un-rotation) belongs to byte i % 4 of the value
    const byteIndex = i % 4;
    if (byteIndex < 2) hi += c << (8 * (1 - byteIndex));
    else lo += c << (8 * (3 - byteIndex));
  }
  return fold(hi, lo);
}

/** Whether a stored checksum keyword matches the bytes. */
export type ChecksumStatus = 'ok' | 'missing' | 'mismatch';

/** The result of {@link verifyHduChecksum}. */
export interface HduChecksumResult {
  /** Whether `CHECKSUM` makes the whole HDU sum to negative zero. */
  readonly checksum: ChecksumStatus;
  /** Whether `DATASUM` equals the sum of the data unit. */
  readonly datasum: ChecksumStatus;
  /** The sum of the data unit. */
  readonly computedDatasum: number;
  /** The sum of the whole HDU (header + data); `0xFFFFFFFF` when `CHECKSUM` is right. */
  readonly hduSum: number;
  /** The `DATASUM` value found in the header, when present. */
  readonly storedDatasum?: string;
}

/** Finds a keyword's string or integer value in raw header bytes (cards of 80 characters). */
function findRawValue(headerBytes: Uint8Array, keyword: string): string | undefined {
  const key = keyword.padEnd(8, ' ') + '=';
  for (let off = 0; off + 80 <= headerBytes.length; off += 80) {
    let match = true;
    for (let i = 0; i < 9; i++) {
      if (headerBytes[off + i] !== key.charCodeAt(i)) {
        match = false;
        break;
      }
    }
    if (!match) {
      if (
        headerBytes[off] === 0x45 && // 'END     '
        headerBytes[off + 1] === 0x4e &&
        headerBytes[off + 2] === 0x44 &&
        headerBytes[off + 3] === 0x20
      ) {
        return undefined;
      }
      continue;
    }
    let text = '';
    for (let i = 10; i < 80; i++) text += String.fromCharCode(headerBytes[off + i]!);
    const quoted = /^\s*'((?:[^']|'')*)'/.exec(text);
    if (quoted) return quoted[1]!.replace(/''/g, "'").trimEnd();
    const bare = /^\s*([^/\s]+)/.exec(text);
    return bare ? bare[1]! : '';
  }
  return undefined;
}

/**
 * Checks the `CHECKSUM` and `DATASUM` keywords of one HDU against its bytes. Nothing is thrown
 * for a mismatch: the statuses say what was found (see {@link assertHduChecksum}).
 *
 * @param headerBytes - the header exactly as stored (whole 2880-byte blocks)
 * @param dataBytes - the data unit, with or without its zero padding
 * @returns the statuses and the computed sums
 * @example
 * ```ts
 * const r = verifyHduChecksum(headerBytes, dataBytes);
 * if (r.checksum === 'mismatch') console.log('corrupt HDU');
 * ```
 * @see astropy.io.fits.hdu.base._ValidHDU.verify_checksum
 */
export function verifyHduChecksum(headerBytes: Uint8Array, dataBytes: Uint8Array): HduChecksumResult {
  const computedDatasum = computeDatasum(dataBytes);
  const hduSum = addChecksums(computeDatasum(headerBytes), computedDatasum);
  const storedChecksum = findRawValue(headerBytes, 'CHECKSUM');
  const storedDatasum = findRawValue(headerBytes, 'DATASUM');
  let datasum: ChecksumStatus = 'missing';
  if (storedDatasum !== undefined) {
    const trimmed = storedDatasum.trim();
    datasum = /^\d+$/.test(trimmed) && Number(trimmed) === computedDatasum ? 'ok' : 'mismatch';
  }
  let checksum: ChecksumStatus = 'missing';
  if (storedChecksum !== undefined) checksum = hduSum === 0xffffffff || hduSum === 0 ? 'ok' : 'mismatch';
  return storedDatasum === undefined
    ? { checksum, datasum, computedDatasum, hduSum }
    : { checksum, datasum, computedDatasum, hduSum, storedDatasum };
}

/**
 * Like {@link verifyHduChecksum}, but throws when a keyword that is present does not match.
 *
 * @param headerBytes - the header exactly as stored
 * @param dataBytes - the data unit, with or without its zero padding
 * @param location - file, HDU and offset for the error message
 * @returns the statuses (`'ok'` or `'missing'`)
 * @throws {@link FitsChecksumError} when `DATASUM` or `CHECKSUM` does not match
 */
export function assertHduChecksum(
  headerBytes: Uint8Array,
  dataBytes: Uint8Array,
  location: FitsErrorOptions = {},
): HduChecksumResult {
  const r = verifyHduChecksum(headerBytes, dataBytes);
  if (r.datasum === 'mismatch') {
    throw new FitsChecksumError(
      `DATASUM mismatch: the header says '${r.storedDatasum ?? ''}', the data unit sums to ${r.computedDatasum}.`,
      { ...location, hint: 'the data unit was modified or corrupted after it was written' },
    );
  }
  if (r.checksum === 'mismatch') {
    throw new FitsChecksumError(
      `CHECKSUM mismatch: the HDU sums to 0x${r.hduSum.toString(16).padStart(8, '0')}, expected 0xffffffff.`,
      { ...location, hint: 'the header or data unit was modified or corrupted after it was written' },
    );
  }
  return r;
}

/**
 * Computes a `DATASUM` over bytes that arrive in pieces of any length (bytes left over from a
 * piece that is not a multiple of 4 are carried to the next).
 *
 * @example
 * ```ts
 * const acc = new DatasumAccumulator();
 * for await (const chunk of stream) acc.update(chunk);
 * const datasum = acc.digest();
 * ```
 */
export class DatasumAccumulator {
  #sum = 0;
  #carry = new Uint8Array(4);
  #carried = 0;
  #length = 0;

  /** Makes an accumulator at sum 0. */
  constructor() {}

  /** The number of bytes summed so far. */
  get length(): number {
    return this.#length;
  }

  /**
   * Adds bytes that follow those added before.
   *
   * @param bytes - the next piece
   */
  update(bytes: Uint8Array): void {
    this.#length += bytes.length;
    let rest = bytes;
    if (this.#carried > 0) {
      const take = Math.min(4 - this.#carried, rest.length);
      this.#carry.set(rest.subarray(0, take), this.#carried);
      this.#carried += take;
      rest = rest.subarray(take);
      if (this.#carried < 4) return;
      this.#sum = computeDatasum(this.#carry, this.#sum);
      this.#carried = 0;
    }
    const whole = rest.length - (rest.length % 4);
    if (whole > 0) this.#sum = computeDatasum(rest.subarray(0, whole), this.#sum);
    if (whole < rest.length) {
      this.#carry.set(rest.subarray(whole));
      this.#carried = rest.length - whole;
    }
  }

  /**
   * Returns the sum of everything added, a final partial word counted as zero-padded.
   *
   * @returns the 32-bit ones'-complement sum
   */
  digest(): number {
    if (this.#carried === 0) return this.#sum;
    return computeDatasum(this.#carry.subarray(0, this.#carried), this.#sum);
  }
}
