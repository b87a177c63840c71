// The coverage map of a HealSparse map: which coarse (coverage) pixels hold a block of fine
// pixels, and where that block is in the sparse array (HealSparse file spec, "Pixel Lookups" and
// "Coverage Map").

import { HealSparseFormatError, HealSparseInvalidArgumentError } from './errors.js';
import { openHealSparseFits, readCoverageIndex, readSparseHeader } from './fits-io.js';

/** `healpy.UNSEEN`: the default sentinel of floating-point HealSparse maps. */
export const HEALPIX_UNSEEN = -1.6375e30;

/** Bits per element of a wide mask (`healsparse.WIDE_NBIT`): wide masks are arrays of bytes. */
export const WIDE_NBIT = 8;

/** The largest `nside` whose NEST pixel indices stay exact in a JavaScript number (2^24). */
export const MAX_NSIDE = 2 ** 24;

/**
 * Checks that `nside` is a power of 2 from 1 to {@link MAX_NSIDE}.
 *
 * @param name - the argument's name, for the message
 * @param nside - the value
 * @returns `log2(nside)`
 * @throws {@link HealSparseInvalidArgumentError} otherwise
 * @internal
 */
export function nsideOrder(name: string, nside: number): number {
  if (!Number.isSafeInteger(nside) || nside < 1 || nside > MAX_NSIDE || (nside & (nside - 1)) !== 0) {
    throw new HealSparseInvalidArgumentError(`${name} = ${String(nside)} is not a power of 2 from 1 to 2^24.`, {
      hint: 'HEALPix NEST maps need nside = 2^k (LSST deepCoadd_inputMap uses nside_sparse 32768, nside_coverage 256).',
    });
  }
  return Math.round(Math.log2(nside));
}

/**
 * The number of NEST bits between a coarse and a fine `nside`
 * (`healsparse.utils._compute_bitshift`): `2 log2(nsideFine / nsideCoarse)`.
 *
 * @param nsideCoarse - the coverage `nside`
 * @param nsideFine - the sparse `nside`
 * @returns the bit shift; a fine pixel `p` lies in the coarse pixel `floor(p / 2^shift)`
 * @throws {@link HealSparseInvalidArgumentError} when either is not a power of 2, or the fine one is the coarser
 * @example
 * ```ts
 * computeBitShift(256, 32768); // 14: 16384 fine pixels per coverage pixel
 * ```
 * @see healsparse.utils._compute_bitshift
 */
export function computeBitShift(nsideCoarse: number, nsideFine: number): number {
  const c = nsideOrder('nsideCoverage', nsideCoarse);
  const f = nsideOrder('nsideSparse', nsideFine);
  if (f < c) {
    throw new HealSparseInvalidArgumentError(
      `nsideSparse = ${nsideFine} is smaller than nsideCoverage = ${nsideCoarse}; the sparse map must be at least as fine as its coverage map.`,
    );
  }
  return 2 * (f - c);
}

/** Options of {@link HealSparseCoverage.readFits}. */
export interface HealSparseCoverageReadOptions {
  /** A name for the bytes in error messages (when reading from bytes). */
  readonly name?: string;
}

/**
 * The coverage map of a HealSparse map (healsparse's `HealSparseCoverage`): for each of the
 * `12 nsideCoverage²` coarse NEST pixels, the offset of its block of `nfinePerCov` fine pixels
 * in the sparse array, in HealSparse's convention: the sparse index of fine pixel `p` is
 * `p + covIndexMap[floor(p / nfinePerCov)]`. Uncovered coverage pixels point at block 0, the
 * "overflow" block of sentinel values, so their offset is `-cov × nfinePerCov`.
 *
 * Immutable. {@link HealSparseCoverage.readFits} reads only the coverage of a file (its
 * primary HDU and the sparse header), which is how healsparse finds which coverage pixels to
 * read partially.
 *
 * @example
 * ```ts
 * const cov = await HealSparseCoverage.readFits('deepCoadd_inputMap.hsp');
 * const pixels = cov.coveredPixels(); // coverage pixels with data
 * const map = await HealSparseMap.readFits('deepCoadd_inputMap.hsp', { pixels: pixels.subarray(0, 1) });
 * ```
 * @see healsparse.HealSparseCoverage
 */
export class HealSparseCoverage {
  /** `nside` of the coverage map. */
  readonly nsideCoverage: number;
  /** `nside` of the sparse map it indexes. */
  readonly nsideSparse: number;
  /** NEST bits between the two resolutions: `2 log2(nsideSparse / nsideCoverage)`. */
  readonly bitShift: number;
  /** Fine pixels per coverage pixel: `2^bitShift`. */
  readonly nfinePerCov: number;
  /** The block (1, 2, ...) of each coverage pixel; 0 where it is not covered. */
  readonly #blocks: Int32Array;

  /**
   * Makes the coverage from HealSparse's coverage index map (the primary image of a file).
   *
   * @param nsideSparse - `nside` of the sparse map
   * @param covIndexMap - `12 nsideCoverage²` offsets in HealSparse's convention (numbers or `bigint`s)
   * @param nBlocks - when given, the number of blocks the sparse array has (overflow block
   *   included): an offset pointing past it is an error
   * @throws {@link HealSparseInvalidArgumentError} for bad nsides
   * @throws {@link HealSparseFormatError} when the length is not `12 n²` for a power of 2 `n`,
   *   or an offset is not on a block boundary, points past the sparse array, or two coverage
   *   pixels share a block
   */
  constructor(nsideSparse: number, covIndexMap: ArrayLike<number> | BigInt64Array, nBlocks?: number) {
    const ncov = covIndexMap.length;
    const nsideCoverage = Math.round(Math.sqrt(ncov / 12));
    if (12 * nsideCoverage * nsideCoverage !== ncov || ncov === 0) {
      throw new HealSparseFormatError(`The coverage index map has ${ncov} values, which is not 12 × nside² for any nside.`);
    }
    this.bitShift = computeBitShift(nsideCoverage, nsideSparse);
    this.nsideCoverage = nsideCoverage;
    this.nsideSparse = nsideSparse;
    this.nfinePerCov = 2 ** this.bitShift;
    const nfine = this.nfinePerCov;
    const blocks = new Int32Array(ncov);
    const seen = new Set<number>();
    for (let cov = 0; cov < ncov; cov++) {
      const offset = Number(covIndexMap[cov]!) + cov * nfine;
      if (offset < nfine) continue;
      const block = offset / nfine;
      if (!Number.isInteger(block) || (nBlocks !== undefined && block >= nBlocks) || block > 0x7fffffff) {
        throw new HealSparseFormatError(
          `Coverage pixel ${cov} points at sparse index ${offset}, which is not the start of a block of ${nfine} pixels${
            nBlocks === undefined ? '' : ` among the ${nBlocks} blocks of the sparse map`
          }.`,
        );
      }
      if (seen.has(block)) throw new HealSparseFormatError(`Coverage pixel ${cov} points at block ${block}, which another coverage pixel uses.`);
      seen.add(block);
      blocks[cov] = block;
    }
    this.#blocks = blocks;
  }

  /**
   * Makes an empty coverage (every coverage pixel points at the overflow block).
   *
   * @param nsideCoverage - `nside` of the coverage map
   * @param nsideSparse - `nside` of the sparse map
   * @returns the coverage
   * @throws {@link HealSparseInvalidArgumentError} for bad nsides
   * @example
   * ```ts
   * HealSparseCoverage.makeEmpty(32, 1024).coveredPixels().length; // 0
   * ```
   * @see healsparse.HealSparseCoverage.make_empty
   */
  static makeEmpty(nsideCoverage: number, nsideSparse: number): HealSparseCoverage {
    const shift = computeBitShift(nsideCoverage, nsideSparse);
    const ncov = 12 * nsideCoverage * nsideCoverage;
    const index = new Float64Array(ncov);
    for (let i = 0; i < ncov; i++) index[i] = -i * 2 ** shift;
    return new HealSparseCoverage(nsideSparse, index);
  }

  /**
   * Reads the coverage of a HealSparse FITS file: the `COV` primary image and the `NSIDE` of the
   * `SPARSE` header, without reading the sparse map.
   *
   * @param pathOrBytes - a file path, or the file's bytes
   * @param options - a name for the bytes in messages
   * @returns the coverage
   * @throws {@link HealSparseFormatError} when the file is not a HealSparse FITS file
   * @throws {@link HealSparseUnsupportedError} for a plain HEALPix file
   * @example
   * ```ts
   * const cov = await HealSparseCoverage.readFits('map.hsp');
   * cov.coveredPixels();
   * ```
   * @see healsparse.HealSparseCoverage.read
   */
  static async readFits(pathOrBytes: string | Uint8Array, options: HealSparseCoverageReadOptions = {}): Promise<HealSparseCoverage> {
    const fits = await openHealSparseFits(pathOrBytes, options.name);
    try {
      const sparse = readSparseHeader(fits);
      return new HealSparseCoverage(sparse.nsideSparse, await readCoverageIndex(fits));
    } finally {
      await fits.close();
    }
  }

  /** @internal Builds a coverage from block numbers (0 = uncovered), taking ownership. */
  static fromBlocks(nsideCoverage: number, nsideSparse: number, blocks: Int32Array): HealSparseCoverage {
    const cov = HealSparseCoverage.makeEmpty(nsideCoverage, nsideSparse);
    cov.#blocks.set(blocks);
    return cov;
  }

  /** Number of coverage pixels: `12 nsideCoverage²`. */
  get nCoveragePixels(): number {
    return this.#blocks.length;
  }

  /**
   * The coverage index map in HealSparse's offset convention, as written to the `COV` image:
   * `covIndexMap[cov] = block × nfinePerCov − cov × nfinePerCov` (block 0 for uncovered pixels).
   *
   * @returns a new array of `12 nsideCoverage²` exact integers
   * @see healsparse.HealSparseCoverage.__getitem__
   */
  covIndexMap(): Float64Array {
    const n = this.#blocks.length;
    const nfine = this.nfinePerCov;
    const out = new Float64Array(n);
    for (let cov = 0; cov < n; cov++) out[cov] = (this.#blocks[cov]! - cov) * nfine;
    return out;
  }

  /**
   * One byte per coverage pixel: 1 where the map has a block for it.
   *
   * @returns a new array of `12 nsideCoverage²` flags
   * @see healsparse.HealSparseCoverage.coverage_mask
   */
  coverageMask(): Uint8Array {
    const out = new Uint8Array(this.#blocks.length);
    for (let i = 0; i < out.length; i++) out[i] = this.#blocks[i]! > 0 ? 1 : 0;
    return out;
  }

  /**
   * The covered coverage pixels, ascending.
   *
   * @returns NEST indices at `nsideCoverage`
   */
  coveredPixels(): Float64Array {
    let n = 0;
    for (let i = 0; i < this.#blocks.length; i++) if (this.#blocks[i]! > 0) n++;
    const out = new Float64Array(n);
    n = 0;
    for (let i = 0; i < this.#blocks.length; i++) if (this.#blocks[i]! > 0) out[n++] = i;
    return out;
  }

  /**
   * The block of a coverage pixel in the sparse array: 0 (the overflow block of sentinels) when
   * it is not covered.
   *
   * @param covPixel - NEST index at `nsideCoverage`
   * @returns the block number; the block starts at sparse index `block × nfinePerCov`
   */
  blockOf(covPixel: number): number {
    return this.#blocks[covPixel] ?? 0;
  }

  /**
   * The coverage pixels of fine pixels (healsparse's `cov_pixels`): `floor(p / nfinePerCov)`.
   *
   * @param sparsePixels - NEST indices at `nsideSparse`
   * @returns NEST indices at `nsideCoverage`
   * @see healsparse.HealSparseCoverage.cov_pixels
   */
  covPixels(sparsePixels: ArrayLike<number>): Float64Array {
    const out = new Float64Array(sparsePixels.length);
    for (let i = 0; i < out.length; i++) out[i] = Math.floor(sparsePixels[i]! / this.nfinePerCov);
    return out;
  }

  /**
   * A short description.
   *
   * @returns e.g. `HealSparseCoverage(nsideCoverage=256, nsideSparse=32768, covered=12)`
   */
  toString(): string {
    return `HealSparseCoverage(nsideCoverage=${this.nsideCoverage}, nsideSparse=${this.nsideSparse}, covered=${this.coveredPixels().length})`;
  }
}
