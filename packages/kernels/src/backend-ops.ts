// The operations of the kernel contract as band functions (rows [start, end) of the output), shared
// by the CPU backend and the worker threads of the parallel backend.
import { addChebyshevRows, evaluateChebyshevRows, type ChebyshevAddJob, type ChebyshevDomain } from './chebyshev.js';
import { convolve2dRows, convolveSeparableRows, type Kernel2dJob, type SeparableJob } from './convolve-core.js';
import { makeInterpolate, lookupMaxInterpStyle, lookupMinInterpPoints, type InterpStyle, type Interpolate } from './interpolate.js';
import { KernelsUndersampledError } from './errors.js';
import { simdKernels } from './simd-kernels.js';
import { fillRows, type FillJob } from './fill-core.js';
import { maskBitsRows, type MaskBitsJob } from './mask-bits-core.js';
import { poissonVarianceRows, type PoissonVarianceJob } from './variance-core.js';
import { binSelectWorkspaceBytes, makeStatistics, meanClipOfBin, resetBinWorkspace, type StatisticsProperty } from './statistics.js';

/**
 * Per-bin statistics of an image for a background model: bin `(iX, iY)` covers columns
 * `xorig[iX] .. xorig[iX] + xsize[iX] - 1` and rows `yorig[iY] .. yorig[iY] + ysize[iY] - 1`; its
 * statistic and error go to `outValue[iY * nx + iX]` / `outError[...]`. Bands are rows of bins.
 */
export interface BinnedStatisticsJob {
  /** Image pixels, row-major, stride = width. */
  readonly image: Float32Array;
  /** Mask pixels, same layout (optional). */
  readonly mask?: Int32Array | undefined;
  /** Image width. */
  readonly width: number;
  /** Image height. */
  readonly height: number;
  /** First column of each bin column. */
  readonly xorig: Int32Array;
  /** Width of each bin column. */
  readonly xsize: Int32Array;
  /** First row of each bin row. */
  readonly yorig: Int32Array;
  /** Height of each bin row. */
  readonly ysize: Int32Array;
  /** The statistic. */
  readonly property: StatisticsProperty;
  /** Mask bits to ignore. */
  readonly andMask: number;
  /** Clipping sigma. */
  readonly numSigmaClip: number;
  /** Clipping passes. */
  readonly numIter: number;
  /** Skip non-finite values. */
  readonly nanSafe: boolean;
  /** Statistic of each bin, `ny * nx`. */
  readonly outValue: Float64Array;
  /** Error of each bin's statistic, `ny * nx`. */
  readonly outError: Float64Array;
}

/** How a background model behaves when there are too few points for the interpolation style. */
export type UndersampleStyle = 'THROW_EXCEPTION' | 'REDUCE_INTERP_ORDER' | 'INCREASE_NXNYSAMPLE';

/**
 * The second stage of a background image: for each output row, interpolate along x through the
 * per-bin-column values of that row (`columns[row * nx + iX]`, NaN = no value) at the bin
 * centres `xcen`, and evaluate at columns `x0 .. x0 + width - 1` (local pixel coordinates).
 */
export interface InterpolateRowsJob {
  /** Interpolated column values, `rows * nx`, row-major (row = output row). */
  readonly columns: Float64Array;
  /** Number of bin columns. */
  readonly nx: number;
  /** Bin centres along x (local pixel coordinates). */
  readonly xcen: Float64Array;
  /** Interpolation style. */
  readonly style: InterpStyle;
  /** What to do with too few points. */
  readonly undersampleStyle: UndersampleStyle;
  /** Output, `height * width`, row-major. */
  readonly out: Float32Array;
  /** Local x of the first output column. */
  readonly x0: number;
  /** Output width. */
  readonly width: number;
  /** Output height (rows of `columns` and `out`). */
  readonly height: number;
}

/** A Chebyshev series evaluated on a pixel grid (see `Chebyshev2d.evaluateGrid`). */
export interface ChebyshevGridJob {
  /** Dense coefficients `c[j * (orderX + 1) + i]`. */
  readonly coefficients: Float64Array;
  /** Highest power of x. */
  readonly orderX: number;
  /** Highest power of y. */
  readonly orderY: number;
  /** The series' domain. */
  readonly domain: ChebyshevDomain;
  /** Output, `height * width`, row-major. */
  readonly out: Float32Array | Float64Array;
  /** x of the first column. */
  readonly x0: number;
  /** y of the first row. */
  readonly y0: number;
  /** Output width. */
  readonly width: number;
  /** Output height. */
  readonly height: number;
}

/** Statistics of the bins in bin rows `[start, end)`. */
export function binnedStatisticsRows(job: BinnedStatisticsJob, start: number, end: number): void {
  if (job.property === 'MEANCLIP' && job.numSigmaClip > 0 && Number.isInteger(job.numIter) && job.numIter >= 0) {
    meanClipBinRows(job, start, end);
    return;
  }
  const nx = job.xorig.length;
  let maxBin = 0;
  for (let i = 0; i < nx; i++) for (let j = start; j < end; j++) maxBin = Math.max(maxBin, job.xsize[i]! * job.ysize[j]!);
  const scratch = new Float32Array(maxBin);
  for (let iY = start; iY < end; iY++) {
    for (let iX = 0; iX < nx; iX++) {
      const region = { stride: job.width, x0: job.xorig[iX]!, y0: job.yorig[iY]!, width: job.xsize[iX]!, height: job.ysize[iY]! };
      const k = iY * nx + iX;
      if (region.width === 0 || region.height === 0) {
        job.outValue[k] = NaN;
        job.outError[k] = NaN;
        continue;
      }
      const s = makeStatistics(job.image, {
        properties: [job.property],
        errors: true,
        region,
        scratch,
        andMask: job.andMask,
        numSigmaClip: job.numSigmaClip,
        numIter: job.numIter,
        nanSafe: job.nanSafe,
        ...(job.mask ? { mask: job.mask } : {}),
      });
      const [v, e] = s.getResult(job.property);
      job.outValue[k] = v;
      job.outError[k] = e;
    }
  }
}

/**
 * {@link binnedStatisticsRows} for `MEANCLIP` (the default background statistic): the values of a
 * whole row of bins are gathered in one sweep down the image rows (sequential reads, instead of
 * one short strided walk per bin), each bin into its own part of one buffer, in the order
 * makeStatistics gathers a window; then each bin's clipped mean is computed from its part exactly
 * as makeStatistics computes it, its quartile search guided by the bin above (or to the left).
 */
function meanClipBinRows(job: BinnedStatisticsJob, start: number, end: number): void {
  const { image, mask, width, xorig, xsize, yorig, ysize, andMask, nanSafe, numSigmaClip, numIter, outValue, outError } = job;
  const nx = xorig.length;
  let maxCols = 0;
  for (let i = 0; i < nx; i++) maxCols = Math.max(maxCols, xsize[i]!);
  let maxRows = 0;
  for (let j = start; j < end; j++) maxRows = Math.max(maxRows, ysize[j]!);
  const per = maxCols * maxRows;
  // in the WebAssembly SIMD kernels' memory when they are there (the clipped sums run on it)
  const simd = simdKernels();
  const size = Math.max(1, nx * per);
  // (with room after it for the quartile selection's workspace, then for the image and mask
  // rows of a row of bins, which the SIMD gather reads from there)
  const useMask = mask !== undefined && andMask !== 0;
  const bandAt = simd === undefined ? 0 : (simd.scratchBytes + 4 * size + binSelectWorkspaceBytes(per) + 15) & ~15;
  const bandMaskAt = bandAt + 4 * maxRows * width;
  // (then the table of the row gathers: five int32 per bin)
  const tableAt = bandMaskAt + (useMask ? 4 * maxRows * width : 0);
  const memory = simd?.reserve(tableAt + 20 * nx);
  const buffer = simd === undefined || memory === undefined ? new Float32Array(size) : new Float32Array(memory, simd.scratchBytes, size);
  const bandImage = memory === undefined ? undefined : new Float32Array(memory, bandAt, maxRows * width);
  const bandMask = memory === undefined || !useMask ? undefined : new Int32Array(memory, bandMaskAt, maxRows * width);
  const table = memory === undefined ? undefined : new Int32Array(memory, tableAt, 5 * nx);
  resetBinWorkspace();
  const fill = new Int32Array(nx); // where each bin's next value goes
  const good = new Int32Array(nx); // values the moments would count (NaN too unless nanSafe)
  const infinite = new Uint8Array(nx); // whether a bin gathered ±Infinity (nanSafe false)
  const guesses = new Float64Array(2 * nx).fill(NaN); // [q25, q75] of the bin above
  const guess = new Float64Array(2);
  const result = new Float64Array(2);
  for (let iY = start; iY < end; iY++) {
    for (let iX = 0; iX < nx; iX++) {
      fill[iX] = iX * per;
      good[iX] = 0;
      infinite[iX] = 0;
    }
    const y0 = yorig[iY]!;
    const h = ysize[iY]!;
    if (simd !== undefined && bandImage !== undefined && table !== undefined) {
      // the same values in the same order, four at a time where all are good, one call per row
      bandImage.set(image.subarray(y0 * width, (y0 + h) * width));
      if (bandMask !== undefined) bandMask.set(mask!.subarray(y0 * width, (y0 + h) * width));
      const nan = nanSafe ? 1 : 0;
      const withMask = bandMask !== undefined ? 1 : 0;
      for (let iX = 0; iX < nx; iX++) {
        table[5 * iX] = 4 * xorig[iX]!;
        table[5 * iX + 1] = xsize[iX]!;
        table[5 * iX + 2] = simd.scratchBytes + 4 * fill[iX]!;
        table[5 * iX + 3] = 0;
        table[5 * iX + 4] = 0;
      }
      for (let y = 0; y < h; y++) simd.gatherGoodRow(bandAt + 4 * y * width, bandMaskAt + 4 * y * width, nx, tableAt, andMask, nan, withMask);
      for (let iX = 0; iX < nx; iX++) {
        fill[iX] = (table[5 * iX + 2]! - simd.scratchBytes) >>> 2;
        good[iX] = table[5 * iX + 3]!;
        infinite[iX] = table[5 * iX + 4]!;
      }
    }
    for (let y = y0; simd === undefined && y < y0 + h; y++) {
      const row = y * width;
      for (let iX = 0; iX < nx; iX++) {
        const from = row + xorig[iX]!;
        const to = from + xsize[iX]!;
        let m = fill[iX]!;
        // the good values (unmasked; finite, or with nanSafe false also ±Infinity: NaNs cannot be
        // ordered); their range is found later, only when a bin needs it
        if (nanSafe) {
          const m0 = m;
          if (useMask) {
            for (let k = from; k < to; k++) {
              const v = image[k]!;
              if ((mask[k]! & andMask) !== 0 || v - v !== 0) continue;
              buffer[m++] = v;
            }
          } else {
            for (let k = from; k < to; k++) {
              const v = image[k]!;
              if (v - v !== 0) continue;
              buffer[m++] = v;
            }
          }
          good[iX] = good[iX]! + (m - m0);
        } else {
          let g = good[iX]!;
          for (let k = from; k < to; k++) {
            if (useMask && (mask[k]! & andMask) !== 0) continue;
            const v = image[k]!;
            g++;
            if (v - v !== 0) {
              if (v !== v) continue;
              infinite[iX] = 1;
            }
            buffer[m++] = v;
          }
          good[iX] = g;
        }
        fill[iX] = m;
      }
    }
    for (let iX = 0; iX < nx; iX++) {
      const k = iY * nx + iX;
      if (xsize[iX] === 0 || h === 0) {
        outValue[k] = NaN;
        outError[k] = NaN;
        continue;
      }
      const m = fill[iX]! - iX * per;
      // the bin above, else the one to the left
      const src = !Number.isNaN(guesses[2 * iX]!) || iX === 0 ? 2 * iX : 2 * iX - 2;
      guess[0] = guesses[src]!;
      guess[1] = guesses[src + 1]!;
      // the range only where an infinite value makes it matter (else NaN: found when needed)
      let lo = NaN;
      let hi = NaN;
      if (infinite[iX] === 1) {
        lo = Infinity;
        hi = -Infinity;
        for (let i = iX * per, e = i + m; i < e; i++) {
          const v = buffer[i]!;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      }
      meanClipOfBin(buffer, iX * per, m, good[iX]!, lo, hi, numSigmaClip, numIter, guess, result);
      guesses[2 * iX] = guess[0]!;
      guesses[2 * iX + 1] = guess[1]!;
      outValue[k] = result[0]!;
      outError[k] = result[1]!;
    }
  }
}

/**
 * An interpolant through the finite points of `(x, y)`, reducing the style as afw's BackgroundMI
 * does when there are too few of them; undefined when there are none.
 *
 * @param x - abscissae
 * @param y - ordinates, NaN = missing
 * @param style - the requested style
 * @param undersampleStyle - what to do when there are too few points
 * @param where - for error messages
 * @returns the interpolant, or undefined with no finite points (the caller fills NaN)
 */
export function makeCulledInterpolate(
  x: Float64Array,
  y: ArrayLike<number>,
  style: InterpStyle,
  undersampleStyle: UndersampleStyle,
  where: string,
): Interpolate | undefined {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < x.length; i++) {
    if (!Number.isNaN(y[i]!)) {
      xs.push(x[i]!);
      ys.push(y[i]!);
    }
  }
  if (xs.length >= lookupMinInterpPoints(style)) return makeInterpolate(xs, ys, style);
  if (undersampleStyle === 'REDUCE_INTERP_ORDER') {
    return xs.length === 0 ? undefined : makeInterpolate(xs, ys, lookupMaxInterpStyle(xs.length));
  }
  throw new KernelsUndersampledError(
    `${where}: ${xs.length} good points, ${style} interpolation needs ${lookupMinInterpPoints(style)}` +
      (undersampleStyle === 'INCREASE_NXNYSAMPLE' ? ' (INCREASE_NXNYSAMPLE is not supported for interpolation, as in afw).' : '.'),
    { hint: "Use undersampleStyle 'REDUCE_INTERP_ORDER', a smaller bin size, or mask fewer pixels." },
  );
}

/** Rows `[start, end)` of the second background stage (see {@link InterpolateRowsJob}). */
export function interpolateRowsBand(job: InterpolateRowsJob, start: number, end: number): void {
  const { columns, nx, xcen, out, x0, width } = job;
  const row = new Float64Array(nx);
  for (let r = start; r < end; r++) {
    for (let i = 0; i < nx; i++) row[i] = columns[r * nx + i]!;
    const f = makeCulledInterpolate(xcen, row, job.style, job.undersampleStyle, `Interpolating in x (row ${r})`);
    const base = r * width;
    if (f === undefined) {
      out.fill(NaN, base, base + width);
      continue;
    }
    f.interpolateSteps(x0, 1, width, out, base);
  }
}

/** The operations a backend runs, by name, with their jobs. */
export interface BackendJobs {
  /** Separable convolution (rows of the output). */
  convolveSeparable: SeparableJob;
  /** 2-D convolution (rows of the output). */
  convolve2d: Kernel2dJob;
  /** Per-bin statistics (rows of bins). */
  binnedStatistics: BinnedStatisticsJob;
  /** Background rows (rows of the output). */
  interpolateRows: InterpolateRowsJob;
  /** Chebyshev grid evaluation (rows of the output). */
  evaluateChebyshev: ChebyshevGridJob;
  /** A Chebyshev grid added into an image (rows of the grid). */
  addChebyshev: ChebyshevAddJob;
  /** The variance plane of a photon-counting image (rows of the box). */
  poissonVariance: PoissonVarianceJob;
  /** One value written over a box of a plane (rows of the box). */
  fill: FillJob;
  /** A mask plane's pixels ANDed and ORed with constants (rows of the box). */
  maskBits: MaskBitsJob;
}

/** The name of a contract operation. */
export type BackendOp = keyof BackendJobs;

/** Number of bands (rows) the operation's output has. */
export function bandCount<K extends BackendOp>(op: K, job: BackendJobs[K]): number {
  if (op === 'binnedStatistics') return (job as BinnedStatisticsJob).yorig.length;
  return (job as { height: number }).height;
}

/**
 * The first row of chunk `c` of `chunks` over `rows` rows (`c = chunks` gives `rows`).
 *
 * @param c - the chunk
 * @param rows - all rows
 * @param chunks - the number of chunks
 * @returns the row
 */
export function chunkStart(c: number, rows: number, chunks: number): number {
  return Math.floor((c * rows) / chunks);
}

/** Runs rows `[start, end)` of an operation. */
export function runBand<K extends BackendOp>(op: K, job: BackendJobs[K], start: number, end: number): void {
  switch (op) {
    case 'convolveSeparable':
      convolveSeparableRows(job as SeparableJob, start, end);
      break;
    case 'convolve2d':
      convolve2dRows(job as Kernel2dJob, start, end);
      break;
    case 'binnedStatistics':
      binnedStatisticsRows(job as BinnedStatisticsJob, start, end);
      break;
    case 'interpolateRows':
      interpolateRowsBand(job as InterpolateRowsJob, start, end);
      break;
    case 'evaluateChebyshev': {
      const j = job as ChebyshevGridJob;
      evaluateChebyshevRows(j.coefficients, j.orderX, j.orderY, j.domain, j.out, j.x0, j.y0, j.width, start, end);
      break;
    }
    case 'addChebyshev':
      addChebyshevRows(job as ChebyshevAddJob, start, end);
      break;
    case 'poissonVariance':
      poissonVarianceRows(job as PoissonVarianceJob, start, end);
      break;
    case 'fill':
      fillRows(job as FillJob, start, end);
      break;
    case 'maskBits':
      maskBitsRows(job as MaskBitsJob, start, end);
      break;
    default:
      throw new Error(`Unknown kernel operation '${String(op)}'.`);
  }
}
