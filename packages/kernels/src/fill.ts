// Filling a plane with one value (afw's `image.set(value)`) as an operation of the kernel
// contract: rows independent, so the parallel backend splits them and a fresh plane's pages are
// first touched by all of its threads.
import { KernelsInvalidArgumentError } from './errors.js';
import { fillRows, type FillArray, type FillJob } from './fill-core.js';
import { getDefaultBackend, type KernelBackend } from './kernel-backend.js';
import { isShared } from './shared-arrays.js';
import { checkStridedBox } from './strided-box.js';

/** Options of {@link fillPlane}. */
export interface FillPlaneOptions {
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
 * Sets every pixel of a box of a plane to one value, as afw's `image.set(value)`. A plane in
 * shared memory is filled by the backend (on the parallel backend its rows are split between the
 * threads, so a fresh plane's page faults are taken in parallel); any other plane on the calling
 * thread, since sharing it would cost two copies of a fill's worth of memory traffic.
 *
 * @param plane - the plane, written in place
 * @param value - the value (stored as the typed array's own `fill` stores it: integer planes truncate and wrap)
 * @param options - the box and backend
 * @throws {@link KernelsInvalidArgumentError} when the box does not fit the plane
 * @example
 * ```ts
 * fillPlane(mask, 0, { width: 4096, height: 4096 });
 * ```
 */
export function fillPlane(plane: FillArray, value: number, options: FillPlaneOptions): void {
  const { width, height } = options;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new KernelsInvalidArgumentError(`The box must have a non-negative integer size, got ${width} × ${height}.`);
  }
  const offset = options.offset ?? 0;
  const stride = options.stride ?? width;
  if (width === 0 || height === 0) return;
  checkStridedBox('plane', plane.length, offset, stride, width, height);
  const job: FillJob = { out: plane, offset, stride, width, height, value };
  if (isShared(plane)) (options.backend ?? getDefaultBackend()).run('fill', job);
  else fillRows(job, 0, height);
}
