// The rows of the fillPlane operation (afw's `image.set(value)`), shared by the CPU backend and
// the worker threads of the parallel backend.

/** The pixel arrays `fillPlane` writes (an afw image or mask plane). */
export type FillArray = Float32Array | Float64Array | Int32Array | Uint16Array;

/**
 * The `fillPlane` operation: every value of a `width × height` box of `out` set to `value`.
 * Pixel `(x, r)` of the box is `out[offset + r · stride + x]`. Bands are rows of the box.
 */
export interface FillJob {
  /** The plane (written). */
  readonly out: FillArray;
  /** Index of the box's first pixel. */
  readonly offset: number;
  /** Elements from one row to the next. */
  readonly stride: number;
  /** Box width. */
  readonly width: number;
  /** Box height. */
  readonly height: number;
  /** The value. */
  readonly value: number;
}

/**
 * Rows `[start, end)` of a {@link FillJob}.
 *
 * @param job - the operation
 * @param start - first row of the box
 * @param end - row after the last
 */
export function fillRows(job: FillJob, start: number, end: number): void {
  const { out, offset, stride, width, value } = job;
  if (stride === width) {
    out.fill(value, offset + start * width, offset + end * width);
    return;
  }
  for (let r = start; r < end; r++) out.fill(value, offset + r * stride, offset + r * stride + width);
}
