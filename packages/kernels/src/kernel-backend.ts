import { runBand, bandCount, type BackendJobs, type BackendOp } from './backend-ops.js';

/**
 * The kernel contract: the heavy pixel operations of this package, each over a job of typed
 * arrays whose output is a set of rows. Every backend must give the same answers (within float
 * rounding) as {@link cpuBackend}; the conformance suite in `test/backend-conformance.ts` checks
 * it. Operations are synchronous and write their outputs in place.
 *
 * - `convolveSeparable` / `convolve2d`: afw convolution with edge handling (see
 *   {@link convolveSeparable}), optionally of a masked image (variance with the squared kernel,
 *   mask ORed over the kernel's non-zero footprint).
 * - `binnedStatistics`: one {@link makeStatistics} statistic and its error per background bin.
 * - `interpolateRows`: the x-interpolation stage of a background image.
 * - `evaluateChebyshev`: a Chebyshev series on a pixel grid.
 * - `addChebyshev`: a Chebyshev series added, times a sign, into the rows of a float32 image
 *   (with per-row sums of the added values), bit for bit as evaluating then adding.
 * - `poissonVariance`: the variance plane of a photon-counting image, `(base + I) / gain +
 *   readVariance` per pixel (ip_isr's `updateVariance`; see {@link poissonVariance}).
 * - `fill`: one value over a box of a plane (afw's `image.set(value)`; see {@link fillPlane}).
 * - `maskBits`: a mask plane's pixels ANDed then ORed with constants, blocks that would not
 *   change left unwritten (afw's `mask &= bits`, `mask |= bits`; see {@link maskBits}).
 *
 * A new backend (a GPU one, say) implements {@link KernelBackend.run} for the operations it
 * accelerates and can fall back to `cpuBackend.run` for the others.
 */
export interface KernelBackend {
  /** A name for logs and test titles. */
  readonly name: string;
  /**
   * Runs one operation over all of its rows.
   *
   * @param op - the operation
   * @param job - its inputs and outputs
   */
  run<K extends BackendOp>(op: K, job: BackendJobs[K]): void;
  /** Releases threads or devices; the backend must not be used afterwards (idempotent). */
  close(): Promise<void>;
}

/**
 * The single-threaded plain TypeScript backend (the reference implementation of the contract).
 *
 * @example
 * ```ts
 * convolveSeparable(src, dst, width, height, k, k, { backend: cpuBackend });
 * ```
 */
export const cpuBackend: KernelBackend = Object.freeze({
  name: 'cpu',
  run<K extends BackendOp>(op: K, job: BackendJobs[K]): void {
    runBand(op, job, 0, bandCount(op, job));
  },
  close(): Promise<void> {
    return Promise.resolve();
  },
});

let defaultBackend: KernelBackend = cpuBackend;

/**
 * The backend the operations of this package use when none is given: {@link cpuBackend} unless
 * {@link setDefaultBackend} chose another.
 *
 * @returns the default backend
 * @example
 * ```ts
 * getDefaultBackend().name; // 'cpu'
 * ```
 */
export function getDefaultBackend(): KernelBackend {
  return defaultBackend;
}

/**
 * Sets (or, with undefined, resets to {@link cpuBackend}) the default backend. The caller keeps
 * ownership: closing it stays the caller's job.
 *
 * @param backend - the new default
 * @returns the previous default
 * @example
 * ```ts
 * const parallel = makeParallelBackend({ workers: 2 });
 * setDefaultBackend(parallel);
 * // ...
 * setDefaultBackend(undefined);
 * await parallel.close();
 * ```
 */
export function setDefaultBackend(backend: KernelBackend | undefined): KernelBackend {
  const previous = defaultBackend;
  defaultBackend = backend ?? cpuBackend;
  return previous;
}
