// A sparse HEALPix map (healsparse's HealSparseMap): a coverage map at nsideCoverage whose
// covered pixels each own a block of nfinePerCov NEST pixels at nsideSparse.

import { HealpixPixelization } from '@skystack/geom';
import { HealSparseDtypeError, HealSparseFormatError, HealSparseInvalidArgumentError } from './errors.js';
import {
  checkMetadata,
  dtypeOfArray,
  encodeHealSparse,
  openHealSparseFits,
  readCoverageIndex,
  readSparseAll,
  readSparseHeader,
  readSparseRange,
  writeHealSparse,
  type HealSparseDtype,
  type HealSparseFitsContent,
  type HealSparseMetadata,
  type SparseArray,
} from './fits-io.js';
import { HEALPIX_UNSEEN, HealSparseCoverage, WIDE_NBIT, computeBitShift } from './healsparse-coverage.js';

/** Options of {@link HealSparseMap.makeEmpty}. */
export interface HealSparseMakeEmptyOptions {
  /** `nside` of the coverage map (a power of 2; LSST's input maps use 256). */
  readonly nsideCoverage: number;
  /** `nside` of the sparse map (a power of 2, at least `nsideCoverage`; LSST's input maps use 32768). */
  readonly nsideSparse: number;
  /** The element type. */
  readonly dtype: HealSparseDtype;
  /** For `'wide-mask'`: the number of bits per pixel (required); the width is `ceil(bits / 8)` bytes. */
  readonly wideMaskMaxBits?: number;
  /**
   * The value of pixels without data. Default: `healpy.UNSEEN` (-1.6375e30) for floats, the
   * type's minimum for integers (0 for unsigned); always 0 for wide masks.
   */
  readonly sentinel?: number;
  /** Metadata written to the FITS headers (upper-case keywords). */
  readonly metadata?: HealSparseMetadata;
}

/** Options of {@link HealSparseMap.readFits}. */
export interface HealSparseReadOptions {
  /**
   * Coverage pixels (NEST at `nsideCoverage`) to read: only their blocks are read (of a
   * compressed file, only their tiles). Must be unique; those not covered are skipped.
   */
  readonly pixels?: ArrayLike<number>;
  /** A name for the bytes in error messages (when reading from bytes). */
  readonly name?: string;
}

type ArrayCtor = new (n: number) => SparseArray;

const CTORS: Record<HealSparseDtype, ArrayCtor> = {
  float32: Float32Array,
  float64: Float64Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  'wide-mask': Uint8Array,
};

const INT_RANGE: Partial<Record<HealSparseDtype, readonly [number, number]>> = {
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  int64: [-(2 ** 63), 2 ** 63],
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
};

function isFloatDtype(dtype: HealSparseDtype): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

/** The default or checked sentinel of a type (healsparse's `check_sentinel`). */
function checkSentinel(dtype: HealSparseDtype, sentinel: number | undefined): number {
  if (dtype === 'wide-mask') {
    if (sentinel !== undefined && sentinel !== 0) {
      throw new HealSparseInvalidArgumentError(`The sentinel of a wide mask must be 0; got ${sentinel}.`);
    }
    return 0;
  }
  if (isFloatDtype(dtype)) {
    if (sentinel === undefined) return HEALPIX_UNSEEN;
    if (typeof sentinel !== 'number') {
      throw new HealSparseInvalidArgumentError(`The sentinel of a ${dtype} map must be a number; got ${String(sentinel)}.`);
    }
    return sentinel;
  }
  const [lo, hi] = INT_RANGE[dtype]!;
  if (sentinel === undefined) return lo;
  if (!Number.isInteger(sentinel) || sentinel < lo || sentinel > hi || (dtype === 'int64' && sentinel >= 2 ** 63)) {
    throw new HealSparseInvalidArgumentError(`The sentinel of a ${dtype} map must be an integer from ${lo} to ${hi}; got ${sentinel}.`);
  }
  return sentinel;
}

/**
 * A sparse HEALPix map (healsparse's `HealSparseMap`): values at `nsideSparse` (NEST) stored
 * only where a coverage pixel at `nsideCoverage` is covered, one block of `nfinePerCov`
 * values per covered coverage pixel (so memory grows with the area covered), plus the
 * "overflow" block 0 of sentinel values that uncovered pixels read. Blocks are appended when a
 * value is first set in a new coverage pixel.
 *
 * Element types: floats, integers, and wide bit masks (`'wide-mask'`: `wideMaskWidth` bytes
 * per pixel, bit `b` in byte `floor(b / 8)` at bit `b % 8`; a pixel is valid when any bit is set).
 * Pixel indices are NEST numbers (they exceed 2^32 at nside 32768: kept in doubles).
 *
 * The FITS file is HealSparse's format (see the package README): healsparse reads our files
 * and we read its image maps.
 *
 * @example
 * ```ts
 * const map = HealSparseMap.makeEmpty({ nsideCoverage: 256, nsideSparse: 32768, dtype: 'wide-mask', wideMaskMaxBits: 30,
 *   metadata: { B0000CCD: 10, B0000VIS: 1228, B0000WT: 0.5 } });
 * map.setBitsPix(polygon.getPixels(32768), [0]);
 * await map.writeFits('deepCoadd_inputMap.hsp');
 * const back = await HealSparseMap.readFits('deepCoadd_inputMap.hsp');
 * back.checkBitsPix([pixel], [0]); // Uint8Array [1]
 * ```
 * @see healsparse.HealSparseMap
 * @see lsst.pipe.tasks.healSparseMapping.HealSparseInputMapTask
 */
export class HealSparseMap {
  /** `nside` of the coverage map. */
  readonly nsideCoverage: number;
  /** `nside` of the sparse map. */
  readonly nsideSparse: number;
  /** The element type. */
  readonly dtype: HealSparseDtype;
  /** The value of pixels without data (0 for wide masks). */
  readonly sentinel: number;
  /** Bytes per pixel of a wide mask (healsparse's `wide_mask_width`); 0 for other maps. */
  readonly wideMaskWidth: number;
  /** Bits a wide mask may use (bits `0` to `wideMaskMaxBits − 1`); 0 for other maps. */
  readonly wideMaskMaxBits: number;
  /** Fine pixels per coverage pixel: `(nsideSparse / nsideCoverage)²`. */
  readonly nfinePerCov: number;
  #metadata: HealSparseMetadata;
  /** Block of each coverage pixel; 0 = not covered (reads the overflow block). */
  readonly #blocks: Int32Array;
  /** The sparse array: `nBlocks × nfinePerCov × max(1, width)` elements (capacity may be larger). */
  #data: SparseArray;
  #nBlocks: number;
  /** The sentinel as stored (fround for float32, bigint for int64). */
  readonly #stored: number | bigint;

  private constructor(
    nsideCoverage: number,
    nsideSparse: number,
    dtype: HealSparseDtype,
    sentinel: number | bigint,
    width: number,
    maxBits: number,
    metadata: HealSparseMetadata,
    blocks: Int32Array,
    data: SparseArray,
    nBlocks: number,
  ) {
    this.nsideCoverage = nsideCoverage;
    this.nsideSparse = nsideSparse;
    this.nfinePerCov = 2 ** computeBitShift(nsideCoverage, nsideSparse);
    this.dtype = dtype;
    this.sentinel = Number(sentinel);
    this.#stored = dtype === 'int64' ? BigInt(sentinel) : dtype === 'float32' ? Math.fround(Number(sentinel)) : Number(sentinel);
    this.wideMaskWidth = width;
    this.wideMaskMaxBits = maxBits;
    this.#metadata = metadata;
    this.#blocks = blocks;
    this.#data = data;
    this.#nBlocks = nBlocks;
  }

  /**
   * Makes a map with no data: every pixel reads the sentinel.
   *
   * @param options - nsides, element type, wide-mask bits, sentinel, metadata
   * @returns the map
   * @throws {@link HealSparseInvalidArgumentError} for nsides that are not powers of 2 or a
   *   sparse nside below the coverage one; a missing or non-positive `wideMaskMaxBits` for a
   *   wide mask (or one given for another type); a sentinel the type cannot hold; bad metadata
   * @example
   * ```ts
   * const depth = HealSparseMap.makeEmpty({ nsideCoverage: 32, nsideSparse: 4096, dtype: 'float32' });
   * depth.updateValuesPix([100000, 100001], [24.5, 24.7]);
   * ```
   * @see healsparse.HealSparseMap.make_empty
   */
  static makeEmpty(options: HealSparseMakeEmptyOptions): HealSparseMap {
    const { nsideCoverage, nsideSparse, dtype } = options;
    const shift = computeBitShift(nsideCoverage, nsideSparse);
    if (!(dtype in CTORS)) {
      throw new HealSparseInvalidArgumentError(`Unknown dtype ${JSON.stringify(dtype)}; expected one of ${Object.keys(CTORS).join(', ')}.`);
    }
    let width = 0;
    let maxBits = 0;
    if (dtype === 'wide-mask') {
      const bits = options.wideMaskMaxBits;
      if (bits === undefined || !Number.isSafeInteger(bits) || bits < 1) {
        throw new HealSparseInvalidArgumentError(`A wide mask needs wideMaskMaxBits, a positive integer; got ${String(bits)}.`);
      }
      maxBits = bits;
      width = Math.floor((bits - 1) / WIDE_NBIT) + 1;
    } else if (options.wideMaskMaxBits !== undefined) {
      throw new HealSparseInvalidArgumentError(`wideMaskMaxBits is only for dtype 'wide-mask'; got dtype '${dtype}'.`);
    }
    const sentinel = checkSentinel(dtype, options.sentinel);
    const metadata = checkMetadata(options.metadata ?? {});
    const nfine = 2 ** shift;
    const blocks = new Int32Array(12 * nsideCoverage * nsideCoverage);
    const map = new HealSparseMap(
      nsideCoverage,
      nsideSparse,
      dtype,
      dtype === 'int64' ? BigInt(sentinel) : sentinel,
      width,
      maxBits,
      metadata,
      blocks,
      new CTORS[dtype](nfine * Math.max(1, width)),
      1,
    );
    map.#fillBlock(0);
    return map;
  }

  /** Map metadata (FITS-header keywords and values), written to both HDU headers. */
  get metadata(): HealSparseMetadata {
    return this.#metadata;
  }

  /** Replaces the metadata (checked: upper-case keywords a FITS header can hold, none the writer reserves). */
  set metadata(value: HealSparseMetadata) {
    this.#metadata = checkMetadata(value);
  }

  /** True for a wide bit mask. */
  get isWideMask(): boolean {
    return this.dtype === 'wide-mask';
  }

  /** True for integer maps (not wide masks). */
  get isIntegerMap(): boolean {
    return !isFloatDtype(this.dtype) && this.dtype !== 'wide-mask';
  }

  /** Elements per pixel in the sparse array (the wide-mask width, or 1). */
  get #stride(): number {
    return Math.max(1, this.wideMaskWidth);
  }

  #fillBlock(block: number): void {
    const n = this.nfinePerCov * this.#stride;
    const start = block * n;
    const d = this.#data;
    if (d instanceof BigInt64Array) d.fill(this.#stored as bigint, start, start + n);
    else d.fill(this.#stored as number, start, start + n);
  }

  /** Adds a block for a coverage pixel (growing the array by doubling) and fills it with sentinels. */
  #allocate(cov: number): number {
    const blockLen = this.nfinePerCov * this.#stride;
    const block = this.#nBlocks;
    const need = (block + 1) * blockLen;
    if (need > this.#data.length) {
      const grown = new CTORS[this.dtype](Math.max(need, Math.min(this.#data.length * 2, need + 1024 * blockLen)));
      (grown as Float64Array).set(this.#data.subarray(0, block * blockLen) as Float64Array);
      this.#data = grown;
    }
    this.#nBlocks = block + 1;
    this.#blocks[cov] = block;
    this.#fillBlock(block);
    return block;
  }

  #checkPixel(p: number): void {
    if (!(Number.isInteger(p) && p >= 0 && p < 12 * this.nsideSparse * this.nsideSparse)) {
      throw new HealSparseInvalidArgumentError(
        `Pixel ${p} is not a NEST index at nside ${this.nsideSparse} (an integer from 0 to ${12 * this.nsideSparse * this.nsideSparse - 1}).`,
      );
    }
  }

  /** Sparse-array element index of a pixel (the block of the overflow when not covered). */
  #index(p: number, allocate: boolean): number {
    const nfine = this.nfinePerCov;
    const cov = Math.floor(p / nfine);
    let block = this.#blocks[cov]!;
    if (block === 0 && allocate) block = this.#allocate(cov);
    return block * nfine + (p - cov * nfine);
  }

  #requireWide(op: string): void {
    if (this.dtype !== 'wide-mask') {
      throw new HealSparseDtypeError(`${op} needs a wide-mask map; this map is ${this.dtype}.`, {
        hint: "Make the map with dtype 'wide-mask' and wideMaskMaxBits.",
      });
    }
  }

  #requireNotWide(op: string): void {
    if (this.dtype === 'wide-mask') {
      throw new HealSparseDtypeError(`${op} does not apply to a wide-mask map.`, {
        hint: 'Use setBitsPix / clearBitsPix / checkBitsPix / getBitsPix (or getWideValuesPix) on wide masks.',
      });
    }
  }

  /** Number of blocks in the sparse array, the overflow block included. */
  get nBlocks(): number {
    return this.#nBlocks;
  }

  /**
   * The coverage map (healsparse's `HealSparseCoverage`), a snapshot.
   *
   * @returns the coverage
   */
  coverage(): HealSparseCoverage {
    return HealSparseCoverage.fromBlocks(this.nsideCoverage, this.nsideSparse, this.#blocks.slice());
  }

  /**
   * One byte per coverage pixel: 1 where the map has a block.
   *
   * @returns `12 nsideCoverage²` flags
   * @see healsparse.HealSparseMap.coverage_mask
   */
  coverageMask(): Uint8Array {
    const out = new Uint8Array(this.#blocks.length);
    for (let i = 0; i < out.length; i++) out[i] = this.#blocks[i]! > 0 ? 1 : 0;
    return out;
  }

  #isValid(e: number): boolean {
    const d = this.#data;
    if (this.dtype === 'wide-mask') {
      const w = this.wideMaskWidth;
      for (let k = 0; k < w; k++) if (d[e * w + k] !== 0) return true;
      return false;
    }
    const v = d[e]!;
    // NaN sentinels: a NaN value is invalid too.
    return v !== this.#stored && !(typeof v === 'number' && Number.isNaN(v) && Number.isNaN(this.#stored as number));
  }

  #forEachValid(fn: (pixel: number) => void): void {
    const nfine = this.nfinePerCov;
    for (let cov = 0; cov < this.#blocks.length; cov++) {
      const block = this.#blocks[cov]!;
      if (block === 0) continue;
      const e0 = block * nfine;
      const p0 = cov * nfine;
      for (let j = 0; j < nfine; j++) if (this.#isValid(e0 + j)) fn(p0 + j);
    }
  }

  /**
   * The pixels with data (value ≠ sentinel; for wide masks, any bit set), ascending.
   *
   * @returns NEST indices at `nsideSparse`
   * @see healsparse.HealSparseMap.valid_pixels
   */
  validPixels(): Float64Array {
    const out = new Float64Array(this.nValidPixels);
    let n = 0;
    this.#forEachValid((p) => {
      out[n++] = p;
    });
    return out;
  }

  /** The number of pixels with data. */
  get nValidPixels(): number {
    let n = 0;
    this.#forEachValid(() => {
      n++;
    });
    return n;
  }

  /**
   * Sets values (healsparse's `update_values_pix` with `operation='replace'`); blocks are added
   * for coverage pixels not yet covered. Setting the sentinel removes a pixel's data.
   *
   * @param pixels - NEST indices at `nsideSparse`
   * @param values - one value for all, or one per pixel
   * @throws {@link HealSparseDtypeError} on a wide mask
   * @throws {@link HealSparseInvalidArgumentError} for a pixel outside the sphere, lengths that
   *   differ, or a value the type cannot hold (a non-integer or out-of-range value in an integer map)
   * @example
   * ```ts
   * map.updateValuesPix(pixels, 1.5);
   * ```
   * @see healsparse.HealSparseMap.update_values_pix
   */
  updateValuesPix(pixels: ArrayLike<number>, values: number | ArrayLike<number>): void {
    this.#requireNotWide('updateValuesPix');
    const single = typeof values === 'number';
    if (!single && values.length !== pixels.length) {
      throw new HealSparseInvalidArgumentError(`${values.length} values for ${pixels.length} pixels; expected one value or one per pixel.`);
    }
    const range = INT_RANGE[this.dtype];
    const check = (v: number): void => {
      if (range === undefined) return;
      if (!Number.isInteger(v) || v < range[0] || v > range[1] || (this.dtype === 'int64' && v >= 2 ** 63)) {
        throw new HealSparseInvalidArgumentError(`Value ${v} cannot be stored in a ${this.dtype} map.`);
      }
    };
    if (single) check(values);
    else for (let i = 0; i < values.length; i++) check(values[i]!);
    for (let i = 0; i < pixels.length; i++) this.#checkPixel(pixels[i]!);
    const big = this.dtype === 'int64';
    for (let i = 0; i < pixels.length; i++) {
      const v = single ? values : values[i]!;
      const e = this.#index(pixels[i]!, true);
      if (big) (this.#data as BigInt64Array)[e] = BigInt(v);
      else (this.#data as Float64Array)[e] = v;
    }
  }

  /**
   * The values of pixels; the sentinel where there is no data.
   *
   * @param pixels - NEST indices at `nsideSparse`
   * @returns the values (int64 values beyond ±2^53 are rounded to the nearest double)
   * @throws {@link HealSparseDtypeError} on a wide mask (use {@link HealSparseMap.getWideValuesPix})
   * @throws {@link HealSparseInvalidArgumentError} for a pixel outside the sphere
   * @see healsparse.HealSparseMap.get_values_pix
   */
  getValuesPix(pixels: ArrayLike<number>): Float64Array {
    this.#requireNotWide('getValuesPix');
    const out = new Float64Array(pixels.length);
    const d = this.#data;
    for (let i = 0; i < pixels.length; i++) {
      const p = pixels[i]!;
      this.#checkPixel(p);
      out[i] = Number(d[this.#index(p, false)]!);
    }
    return out;
  }

  /**
   * The bytes of wide-mask pixels: `wideMaskWidth` per pixel, pixel after pixel (healsparse's
   * `(n, width)` array flattened).
   *
   * @param pixels - NEST indices at `nsideSparse`
   * @returns `pixels.length × wideMaskWidth` bytes, 0 where there is no data
   * @throws {@link HealSparseDtypeError} when the map is not a wide mask
   * @throws {@link HealSparseInvalidArgumentError} for a pixel outside the sphere
   * @see healsparse.HealSparseMap.get_values_pix
   */
  getWideValuesPix(pixels: ArrayLike<number>): Uint8Array {
    this.#requireWide('getWideValuesPix');
    const w = this.wideMaskWidth;
    const out = new Uint8Array(pixels.length * w);
    const d = this.#data as Uint8Array;
    for (let i = 0; i < pixels.length; i++) {
      const p = pixels[i]!;
      this.#checkPixel(p);
      const e = this.#index(p, false) * w;
      for (let k = 0; k < w; k++) out[i * w + k] = d[e + k]!;
    }
    return out;
  }

  /**
   * Whether pixels have data.
   *
   * @param pixels - NEST indices at `nsideSparse`
   * @returns 1 where the pixel has data, else 0
   * @see healsparse.HealSparseMap.get_values_pix (valid_mask=True)
   */
  validMaskPix(pixels: ArrayLike<number>): Uint8Array {
    const out = new Uint8Array(pixels.length);
    for (let i = 0; i < pixels.length; i++) {
      const p = pixels[i]!;
      this.#checkPixel(p);
      out[i] = this.#isValid(this.#index(p, false)) ? 1 : 0;
    }
    return out;
  }

  /**
   * The values at sky positions: the pixels containing them (HEALPix NEST at `nsideSparse`).
   *
   * @param raDeg - right ascensions, degrees
   * @param decDeg - declinations, degrees
   * @returns the values, the sentinel where there is no data
   * @throws {@link HealSparseDtypeError} on a wide mask
   * @throws {@link HealSparseInvalidArgumentError} when the arrays differ in length
   * @see healsparse.HealSparseMap.get_values_pos
   */
  getValuesPos(raDeg: ArrayLike<number>, decDeg: ArrayLike<number>): Float64Array {
    return this.getValuesPix(this.#pixelsOf(raDeg, decDeg));
  }

  /**
   * Checks bits at sky positions (see {@link HealSparseMap.checkBitsPix}).
   *
   * @param raDeg - right ascensions, degrees
   * @param decDeg - declinations, degrees
   * @param bits - bit positions
   * @returns 1 where any of the bits is set
   * @throws {@link HealSparseDtypeError} when the map is not a wide mask
   * @see healsparse.HealSparseMap.check_bits_pos
   */
  checkBitsPos(raDeg: ArrayLike<number>, decDeg: ArrayLike<number>, bits: readonly number[]): Uint8Array {
    return this.checkBitsPix(this.#pixelsOf(raDeg, decDeg), bits);
  }

  #pixelsOf(raDeg: ArrayLike<number>, decDeg: ArrayLike<number>): Float64Array {
    if (raDeg.length !== decDeg.length) {
      throw new HealSparseInvalidArgumentError(`${raDeg.length} right ascensions but ${decDeg.length} declinations; expected as many.`);
    }
    const pix = new HealpixPixelization(Math.round(Math.log2(this.nsideSparse)));
    return pix.indexRaDecDeg(raDeg, decDeg);
  }

  /** Per-byte masks of a bit list, checked against the mask's bits. */
  #byteMasks(op: string, bits: readonly number[]): Uint8Array {
    this.#requireWide(op);
    const masks = new Uint8Array(this.wideMaskWidth);
    for (const b of bits) {
      if (!Number.isInteger(b) || b < 0 || b >= this.wideMaskMaxBits) {
        throw new HealSparseInvalidArgumentError(`Bit ${b} is outside the wide mask: expected an integer from 0 to ${this.wideMaskMaxBits - 1}.`);
      }
      masks[Math.floor(b / WIDE_NBIT)]! |= 1 << b % WIDE_NBIT;
    }
    return masks;
  }

  /**
   * Sets bits of wide-mask pixels (a bitwise or), adding blocks for new coverage pixels.
   *
   * @param pixels - NEST indices at `nsideSparse`
   * @param bits - bit positions, from 0 to `wideMaskMaxBits − 1`
   * @throws {@link HealSparseDtypeError} when the map is not a wide mask
   * @throws {@link HealSparseInvalidArgumentError} for a bit beyond the mask or a pixel outside the sphere
   * @example
   * ```ts
   * inputMap.setBitsPix(detectorPolygon.getPixels(inputMap.nsideSparse), [bitOfThisInput]);
   * ```
   * @see healsparse.HealSparseMap.set_bits_pix
   */
  setBitsPix(pixels: ArrayLike<number>, bits: readonly number[]): void {
    const masks = this.#byteMasks('setBitsPix', bits);
    const w = this.wideMaskWidth;
    for (let i = 0; i < pixels.length; i++) this.#checkPixel(pixels[i]!);
    for (let i = 0; i < pixels.length; i++) {
      const e = this.#index(pixels[i]!, true) * w;
      const d = this.#data as Uint8Array;
      for (let k = 0; k < w; k++) d[e + k]! |= masks[k]!;
    }
  }

  /**
   * Clears bits of wide-mask pixels (a bitwise and with the complement). Pixels in uncovered
   * coverage pixels have no bits to clear and are left without data (no block is added).
   *
   * @param pixels - NEST indices at `nsideSparse`
   * @param bits - bit positions, from 0 to `wideMaskMaxBits − 1`
   * @throws {@link HealSparseDtypeError} when the map is not a wide mask
   * @throws {@link HealSparseInvalidArgumentError} for a bit beyond the mask or a pixel outside the sphere
   * @see healsparse.HealSparseMap.clear_bits_pix
   */
  clearBitsPix(pixels: ArrayLike<number>, bits: readonly number[]): void {
    const masks = this.#byteMasks('clearBitsPix', bits);
    const w = this.wideMaskWidth;
    const d = this.#data as Uint8Array;
    for (let i = 0; i < pixels.length; i++) {
      const p = pixels[i]!;
      this.#checkPixel(p);
      const e = this.#index(p, false);
      if (e < this.nfinePerCov) continue; // the overflow block stays all zero
      for (let k = 0; k < w; k++) d[e * w + k]! &= ~masks[k]!;
    }
  }

  /**
   * Whether any of the given bits is set in each pixel.
   *
   * @param pixels - NEST indices at `nsideSparse`
   * @param bits - bit positions
   * @returns 1 where any of the bits is set, else 0
   * @throws {@link HealSparseDtypeError} when the map is not a wide mask
   * @see healsparse.HealSparseMap.check_bits_pix
   */
  checkBitsPix(pixels: ArrayLike<number>, bits: readonly number[]): Uint8Array {
    const masks = this.#byteMasks('checkBitsPix', bits);
    const w = this.wideMaskWidth;
    const d = this.#data as Uint8Array;
    const out = new Uint8Array(pixels.length);
    for (let i = 0; i < pixels.length; i++) {
      const p = pixels[i]!;
      this.#checkPixel(p);
      const e = this.#index(p, false) * w;
      for (let k = 0; k < w; k++) {
        if ((d[e + k]! & masks[k]!) !== 0) {
          out[i] = 1;
          break;
        }
      }
    }
    return out;
  }

  /**
   * The bits set in one pixel.
   *
   * @param pixel - NEST index at `nsideSparse`
   * @returns the bit positions, ascending
   * @throws {@link HealSparseDtypeError} when the map is not a wide mask
   */
  getBitsPix(pixel: number): number[] {
    this.#requireWide('getBitsPix');
    this.#checkPixel(pixel);
    const w = this.wideMaskWidth;
    const e = this.#index(pixel, false) * w;
    const d = this.#data as Uint8Array;
    const out: number[] = [];
    for (let k = 0; k < w; k++) {
      const byte = d[e + k]!;
      for (let b = 0; b < WIDE_NBIT; b++) if ((byte >> b) & 1) out.push(k * WIDE_NBIT + b);
    }
    return out;
  }

  /** @internal The raw content for the writer and for operations. */
  fitsContent(): HealSparseFitsContent {
    const n = this.#nBlocks * this.nfinePerCov * this.#stride;
    return {
      nsideCoverage: this.nsideCoverage,
      nsideSparse: this.nsideSparse,
      covIndexMap: this.coverage().covIndexMap(),
      sparse: this.#data.subarray(0, n),
      dtype: this.dtype,
      sentinel: typeof this.#stored === 'bigint' ? this.#stored : this.sentinel,
      wideWidth: this.wideMaskWidth,
      nfinePerCov: this.nfinePerCov,
      metadata: checkMetadata(this.#metadata),
    };
  }

  /**
   * Encodes the map as a HealSparse FITS file in memory (see {@link HealSparseMap.writeFits}).
   *
   * @returns the file bytes
   */
  toFitsBytes(): Uint8Array {
    return encodeHealSparse(this.fitsContent());
  }

  /**
   * Writes the map as a HealSparse FITS file (atomically: a temporary file renamed into
   * place): the coverage index map as the int64 primary image (`EXTNAME = 'COV'`), the sparse
   * map as the `SPARSE` extension, GZIP_2 tile-compressed one block per tile (plain for int64).
   *
   * @param path - the file to write (`.hsp` or `.fits`)
   * @example
   * ```ts
   * await map.writeFits('deepCoadd_inputMap.hsp');
   * ```
   * @see healsparse.HealSparseMap.write
   */
  async writeFits(path: string): Promise<void> {
    await writeHealSparse(path, this.fitsContent());
  }

  /**
   * Reads a HealSparse FITS file (as healsparse writes it, or as {@link HealSparseMap.writeFits}
   * does), whole or only some coverage pixels.
   *
   * The metadata are the user keywords of the `SPARSE` header (structural, compression and
   * HealSparse keywords left out).
   *
   * @param pathOrBytes - a file path, or the file's bytes
   * @param options - coverage pixels to read; a name for the bytes
   * @returns the map
   * @throws {@link HealSparseFormatError} when the input is not FITS, is truncated, is not a
   *   HealSparse file, or its coverage index does not fit its sparse map
   * @throws {@link HealSparseUnsupportedError} for record-array maps, HEALPix files, int8 maps
   * @throws {@link HealSparseInvalidArgumentError} when `pixels` has duplicates or none of them is covered
   * @example
   * ```ts
   * const map = await HealSparseMap.readFits('deepCoadd_inputMap.hsp');
   * const part = await HealSparseMap.readFits('deepCoadd_inputMap.hsp', { pixels: [123456] });
   * ```
   * @see healsparse.HealSparseMap.read
   */
  static async readFits(pathOrBytes: string | Uint8Array, options: HealSparseReadOptions = {}): Promise<HealSparseMap> {
    const fits = await openHealSparseFits(pathOrBytes, options.name);
    const label = fits.name ?? '<bytes>';
    try {
      const sparse = readSparseHeader(fits);
      const covIndex = await readCoverageIndex(fits);
      const ncov = covIndex.length;
      const nsideCoverage = Math.round(Math.sqrt(ncov / 12));
      let shift: number;
      try {
        if (12 * nsideCoverage * nsideCoverage !== ncov) throw new Error(`${ncov} values is not 12 × nside²`);
        shift = computeBitShift(nsideCoverage, sparse.nsideSparse);
      } catch (e) {
        throw new HealSparseFormatError(
          `${label}: the coverage map (${ncov} values) and NSIDE = ${sparse.nsideSparse} of the sparse map do not make a HealSparse map: ${e instanceof Error ? e.message : String(e)}`,
          { cause: e },
        );
      }
      const nfine = 2 ** shift;
      const stride = Math.max(1, sparse.wideWidth);
      const blockLen = nfine * stride;
      const sparseLength = (sparse.header.get('NAXIS1') as number) * (sparse.header.get('NAXIS') === 2 ? (sparse.header.get('NAXIS2') as number) : 1);
      if (!Number.isSafeInteger(sparseLength) || sparseLength % blockLen !== 0 || sparseLength === 0) {
        throw new HealSparseFormatError(`${label}: the sparse map has ${sparseLength} elements, not a positive multiple of the block size ${blockLen}.`);
      }
      const fileCov = new HealSparseCoverage(sparse.nsideSparse, covIndex, sparseLength / blockLen);
      let blocks: Int32Array;
      let data: SparseArray;
      let nBlocks: number;
      if (options.pixels === undefined) {
        const all = await readSparseAll(fits, sparse);
        const dtype = dtypeOfArray(all, sparse.wideWidth > 0, label);
        blocks = new Int32Array(ncov);
        for (let cov = 0; cov < ncov; cov++) blocks[cov] = fileCov.blockOf(cov);
        data = all as SparseArray;
        nBlocks = sparseLength / blockLen;
        return HealSparseMap.#fromRead(nsideCoverage, sparse, dtype, blocks, data, nBlocks, label);
      }
      const wanted = Array.from(options.pixels);
      if (new Set(wanted).size !== wanted.length) throw new HealSparseInvalidArgumentError('The coverage pixels to read must be unique.');
      const covered = wanted.filter((p) => Number.isInteger(p) && p >= 0 && p < ncov && fileCov.blockOf(p) > 0).sort((a, b) => a - b);
      if (covered.length === 0) {
        throw new HealSparseInvalidArgumentError(`None of the ${wanted.length} coverage pixel(s) to read is in the coverage map of ${label}.`);
      }
      blocks = new Int32Array(ncov);
      let dtype: HealSparseDtype | undefined;
      data = new Uint8Array(0);
      for (let i = 0; i < covered.length; i++) {
        const cov = covered[i]!;
        const part = await readSparseRange(fits, sparse, fileCov.blockOf(cov) * blockLen, blockLen);
        if (dtype === undefined) {
          dtype = dtypeOfArray(part, sparse.wideWidth > 0, label);
          data = new CTORS[dtype]((covered.length + 1) * blockLen);
        }
        (data as Float64Array).set(part as Float64Array, (i + 1) * blockLen);
        blocks[cov] = i + 1;
      }
      const map = HealSparseMap.#fromRead(nsideCoverage, sparse, dtype!, blocks, data, covered.length + 1, label);
      map.#fillBlock(0);
      return map;
    } finally {
      await fits.close();
    }
  }

  static #fromRead(
    nsideCoverage: number,
    sparse: ReturnType<typeof readSparseHeader>,
    dtype: HealSparseDtype,
    blocks: Int32Array,
    data: SparseArray,
    nBlocks: number,
    label: string,
  ): HealSparseMap {
    let sentinel: number | bigint;
    if (dtype === 'wide-mask') sentinel = 0;
    else if (sparse.sentinel === undefined) sentinel = isFloatDtype(dtype) ? HEALPIX_UNSEEN : (INT_RANGE[dtype]![0]);
    else sentinel = dtype === 'int64' ? BigInt(sparse.sentinel) : Number(sparse.sentinel);
    if (dtype !== 'wide-mask' && dtype !== 'int64' && !isFloatDtype(dtype)) {
      const [lo, hi] = INT_RANGE[dtype]!;
      const s = Number(sentinel);
      if (!Number.isInteger(s) || s < lo || s > hi) {
        throw new HealSparseFormatError(`${label}: SENTINEL = ${s} cannot be a value of a ${dtype} map.`);
      }
    }
    // Keep the keywords healsparse itself would accept back (upper case, writable).
    const metadata: HealSparseMetadata = {};
    for (const [k, v] of Object.entries(sparse.metadata)) {
      try {
        Object.assign(metadata, checkMetadata({ [k]: v }));
      } catch {
        // not a metadata keyword healsparse writes (e.g. lower-case HIERARCH): skipped
      }
    }
    return new HealSparseMap(
      nsideCoverage,
      sparse.nsideSparse,
      dtype,
      sentinel,
      sparse.wideWidth,
      sparse.wideWidth * WIDE_NBIT,
      metadata,
      blocks,
      data,
      nBlocks,
    );
  }

  /** @internal Builds a map from parts (for operations). */
  static fromParts(
    like: HealSparseMap,
    blocks: Int32Array,
    data: SparseArray,
    nBlocks: number,
  ): HealSparseMap {
    return new HealSparseMap(
      like.nsideCoverage,
      like.nsideSparse,
      like.dtype,
      like.#stored,
      like.wideMaskWidth,
      like.wideMaskMaxBits,
      {},
      blocks,
      data,
      nBlocks,
    );
  }

  /** @internal The stored sentinel. */
  storedSentinel(): number | bigint {
    return this.#stored;
  }

  /** @internal The sparse element index of a pixel, or -1 when its coverage pixel is not covered. */
  elementIndex(p: number): number {
    const e = this.#index(p, false);
    return e < this.nfinePerCov ? -1 : e;
  }

  /** @internal The sparse array. */
  rawData(): SparseArray {
    return this.#data;
  }

  /**
   * A short description.
   *
   * @returns e.g. `HealSparseMap(dtype=wide-mask, nsideCoverage=256, nsideSparse=32768, blocks=3)`
   */
  toString(): string {
    return `HealSparseMap(dtype=${this.dtype}, nsideCoverage=${this.nsideCoverage}, nsideSparse=${this.nsideSparse}, blocks=${this.#nBlocks - 1})`;
  }
}
