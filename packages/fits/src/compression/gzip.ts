// GZIP_1 and GZIP_2 tiles of the tiled image compression convention, and the big-endian
// pixel byte conversions every codec of the convention needs.
//
// GZIP_1 compresses the pixels' big-endian bytes with gzip. GZIP_2 first shuffles those bytes:
// the most significant byte of every pixel, then the next byte of every pixel, and so on, so
// that similar bytes sit together, then gzips the result.

import { gzipSync, unzipSync } from 'node:zlib';
import { FitsFormatError } from '../errors.js';
import { bigEndianToHost, type FitsPixelArray } from '../image-data.js';

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

function bytesOf(a: FitsPixelArray): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * Converts big-endian pixel bytes (FITS order) into a typed array, optionally undoing the
 * GZIP_2 byte shuffle at the same time. The element size is taken from `output`.
 *
 * @param bytes - `output.length * output.BYTES_PER_ELEMENT` bytes, big-endian
 * @param output - receives the pixels
 * @param shuffled - whether the bytes are in GZIP_2 order (all most significant bytes first)
 * @returns `output`
 * @throws {@link FitsFormatError} when the byte count does not match the array
 *
 * @example
 * ```ts
 * const px = fromBigEndianBytes(Uint8Array.of(0x01, 0x02), new Int16Array(1)); // [258]
 * ```
 * @see FITS standard 4.0 §10.4.2 (GZIP_1, GZIP_2)
 */
export function fromBigEndianBytes<T extends FitsPixelArray>(bytes: Uint8Array, output: T, shuffled = false): T {
  const size = output.BYTES_PER_ELEMENT;
  const n = output.length;
  if (bytes.length !== n * size) {
    throw new FitsFormatError(
      `Expected ${n * size} bytes for ${n} pixels of ${size} bytes, got ${bytes.length}.`,
    );
  }
  const out = bytesOf(output);
  if (size === 1) {
    out.set(bytes);
    return output;
  }
  if (!shuffled) {
    // One copy, then the native bulk byte swap (Buffer.swap16/32/64) on little-endian hosts.
    out.set(bytes);
    bigEndianToHost(out, size as 2 | 4 | 8);
    return output;
  }
  // Destination byte of source byte k of a pixel (k = 0 is the most significant).
  for (let k = 0; k < size; k++) {
    const dst = LITTLE_ENDIAN ? size - 1 - k : k;
    const src = k * n;
    for (let i = 0; i < n; i++) out[i * size + dst] = bytes[src + i]!;
  }
  return output;
}

/**
 * Converts a typed array into big-endian pixel bytes (FITS order), optionally shuffled for
 * GZIP_2 (all most significant bytes first, then the next, ...).
 *
 * @param data - the pixels
 * @param shuffled - whether to lay the bytes out in GZIP_2 order
 * @returns a new array of `data.byteLength` bytes
 *
 * @example
 * ```ts
 * toBigEndianBytes(Int16Array.of(258)); // [0x01, 0x02]
 * ```
 * @see FITS standard 4.0 §10.4.2 (GZIP_1, GZIP_2)
 */
export function toBigEndianBytes(data: FitsPixelArray, shuffled = false): Uint8Array {
  const size = data.BYTES_PER_ELEMENT;
  const n = data.length;
  const src = bytesOf(data);
  const out = new Uint8Array(n * size);
  if (size === 1 || (!LITTLE_ENDIAN && !shuffled)) {
    out.set(src);
    return out;
  }
  if (!shuffled) {
    out.set(src);
    bigEndianToHost(out, size as 2 | 4 | 8); // the same swap turns host order into big-endian
    return out;
  }
  for (let k = 0; k < size; k++) {
    const from = LITTLE_ENDIAN ? size - 1 - k : k;
    const dst = k * n;
    for (let i = 0; i < n; i++) out[dst + i] = src[i * size + from]!;
  }
  return out;
}

/**
 * Inflates one compressed tile: a gzip stream (what cfitsio and astropy write) or a zlib
 * stream, recognised by its first bytes.
 *
 * @param input - the compressed bytes
 * @param maxBytes - the most bytes the tile may inflate to (its pixel count times the pixel
 *   size); a larger result is rejected without being produced in full
 * @returns the inflated bytes
 * @throws {@link FitsFormatError} when the stream is corrupt, truncated or too large
 *
 * @example
 * ```ts
 * const raw = inflateTile(tileBytes, 512 * 4);
 * ```
 * @see FITS standard 4.0 §10.4.2 (GZIP_1, GZIP_2)
 */
export function inflateTile(input: Uint8Array, maxBytes: number): Uint8Array {
  try {
    const out = unzipSync(input, { maxOutputLength: Math.max(1, maxBytes) });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (cause) {
    const tooBig = cause instanceof RangeError || (cause as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    throw new FitsFormatError(
      tooBig
        ? `GZIP tile inflates to more than the ${maxBytes} bytes its pixels can fill.`
        : `GZIP tile of ${input.length} bytes cannot be inflated: ${(cause as Error).message}.`,
      { cause, hint: 'The tile bytes are truncated or corrupt.' },
    );
  }
}

/**
 * Decodes a GZIP_1 tile (gzip of the big-endian pixel bytes) into `output`.
 *
 * @param input - the compressed tile bytes
 * @param output - receives the pixels; its element size must be the stored pixel size
 * @returns `output`
 * @throws {@link FitsFormatError} when the stream is corrupt or holds the wrong number of bytes
 *
 * @example
 * ```ts
 * const tile = gzip1Decompress(bytes, new Float32Array(512));
 * ```
 * @see FITS standard 4.0 §10.4.2; cfitsio `imcomp_decompress_tile` (GZIP_1)
 */
export function gzip1Decompress<T extends FitsPixelArray>(input: Uint8Array, output: T): T {
  return fromBigEndianBytes(inflateTile(input, output.byteLength), output, false);
}

/**
 * Decodes a GZIP_2 tile (gzip of the byte-shuffled big-endian pixel bytes) into `output`.
 *
 * @param input - the compressed tile bytes
 * @param output - receives the pixels; its element size must be the stored pixel size
 * @returns `output`
 * @throws {@link FitsFormatError} when the stream is corrupt or holds the wrong number of bytes
 *
 * @example
 * ```ts
 * const tile = gzip2Decompress(bytes, new Float32Array(512));
 * ```
 * @see FITS standard 4.0 §10.4.2; cfitsio `fits_unshuffle_4bytes`
 */
export function gzip2Decompress<T extends FitsPixelArray>(input: Uint8Array, output: T): T {
  return fromBigEndianBytes(inflateTile(input, output.byteLength), output, true);
}

/**
 * Encodes pixels as a GZIP_1 tile: gzip of their big-endian bytes.
 *
 * @param data - the pixels of one tile, in the type to store (e.g. `Int16Array` for `BITPIX` 16)
 * @param level - zlib compression level, 1 (fast) to 9 (small); default 6
 * @returns the gzip stream
 *
 * @example
 * ```ts
 * const tile = gzip1Compress(Float32Array.of(1.5, 2.5));
 * ```
 * @see FITS standard 4.0 §10.4.2
 */
export function gzip1Compress(data: FitsPixelArray, level = 6): Uint8Array {
  return new Uint8Array(gzipSync(toBigEndianBytes(data, false), { level }));
}

/**
 * Encodes pixels as a GZIP_2 tile: gzip of their byte-shuffled big-endian bytes.
 *
 * @param data - the pixels of one tile, in the type to store
 * @param level - zlib compression level, 1 (fast) to 9 (small); default 6
 * @returns the gzip stream
 *
 * @example
 * ```ts
 * const tile = gzip2Compress(Int32Array.of(1, 2, 3));
 * ```
 * @see FITS standard 4.0 §10.4.2; cfitsio `fits_shuffle_4bytes`
 */
export function gzip2Compress(data: FitsPixelArray, level = 6): Uint8Array {
  return new Uint8Array(gzipSync(toBigEndianBytes(data, true), { level }));
}
