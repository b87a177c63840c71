// Bitwise AND and OR of one value over a mask plane (afw's `mask &= bits`, `mask |= bits`) as an
// operation of the kernel contract: rows independent, so the parallel backend splits them.
import { KernelsInvalidArgumentError } from './errors.js';
import { maskBitsRows, type MaskBitsJob } from './mask-bits-core.js';
import { getDefaultBackend, type KernelBackend } from './kernel-backend.js';
import { isShared } from './shared-arrays.js';
import { checkStridedBox } from './strided-box.js';

/** Options of {@link maskBits}. */
export interface MaskBitsOptions {
  /** Box width. */
  readonly width: number;
  /** Box height. */
  readonly height: number;
  /** Index of the box's first pixel (default 0). */
  readonly offset?: number;
  /** Row stride (default `width`). */
  readonly stride?: number;
  /** Backend (default: {@link getDefaultBackend}). */
  readonly backend?: KernelBackend;
}

/**
 * Sets every pixel `p` of a box of a mask plane to `(p & and) | or`: `and = ~bits, or = 0` clears
 * planes (afw's `mask &= ~bits`), `and = -1, or = bits` sets them (`mask |= bits`). Blocks of
 * pixels that would not change are only read, so clearing planes nobody set writes nothing. A
 * plane in shared memory is processed by the backend (on the parallel backend its rows are split
 * between the threads); any other plane on the calling thread.
 *
 * @param plane - the mask plane, changed in place
 * @param and - the bits kept (int32)
 * @param or - the bits set after the AND (int32)
 * @param options - the box and backend
 * @throws {@link KernelsInvalidArgumentError} when the box does not fit the plane or a bit mask is not an int32
 * @example
 * ```ts
 * maskBits(mask, ~detectedBits, 0, { width: 4096, height: 4096 }); // clear DETECTED
 * ```
 */
export function maskBits(plane: Int32Array, and: number, or: number, options: MaskBitsOptions): void {
  const { width, height } = options;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new KernelsInvalidArgumentError(`The box must have a non-negative integer size, got ${width} × ${height}.`);
  }
  if ((and | 0) !== and || (or | 0) !== or) {
    throw new KernelsInvalidArgumentError(`The bit masks must be int32 values (e.g. ~bits, or bits | 0), got and = ${and}, or = ${or}.`);
  }
  const offset = options.offset ?? 0;
  const stride = options.stride ?? width;
  if (width === 0 || height === 0) return;
  checkStridedBox('plane', plane.length, offset, stride, width, height);
  const job: MaskBitsJob = { out: plane, offset, stride, width, height, and, or };
  if (isShared(plane)) (options.backend ?? getDefaultBackend()).run('maskBits', job);
  else maskBitsRows(job, 0, height);
}
