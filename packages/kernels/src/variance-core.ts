// The rows of the poissonVariance operation (ip_isr's updateVariance), shared by the CPU backend
// and the worker threads of the parallel backend.

/** The pixel arrays `poissonVariance` reads (an afw image plane of any pixel type). */
export type VarianceSourceArray = Float32Array | Float64Array | Int32Array | Uint16Array;

/**
 * The `poissonVariance` operation: for each pixel of a `width × height` box,
 * `out = (base + image) / gain + readVariance`, `base` 0 or (with `accumulate`) the old value of
 * `out`. Pixel `(x, r)` of the box is `image[imageOffset + r · imageStride + x]` and
 * `out[offset + r · stride + x]`. Bands are rows of the box.
 */
export interface PoissonVarianceJob {
  /** The image, counts (ADU). */
  readonly image: VarianceSourceArray;
  /** Index of the box's first pixel in `image`. */
  readonly imageOffset: number;
  /** Elements from one row of `image` to the next. */
  readonly imageStride: number;
  /** The variance plane, ADU² (written). */
  readonly out: Float32Array;
  /** Index of the box's first pixel in `out`. */
  readonly offset: number;
  /** Elements from one row of `out` to the next. */
  readonly stride: number;
  /** Box width. */
  readonly width: number;
  /** Box height. */
  readonly height: number;
  /** Gain, electron/ADU. */
  readonly gain: number;
  /** Added to every pixel: the read noise's variance, ADU² (`(readNoise / gain)²`). */
  readonly readVariance: number;
  /** Add the image's variance to the plane's values instead of replacing them. */
  readonly accumulate: boolean;
}

/**
 * Rows `[start, end)` of a {@link PoissonVarianceJob}.
 *
 * @param job - the operation
 * @param start - first row of the box
 * @param end - row after the last
 */
export function poissonVarianceRows(job: PoissonVarianceJob, start: number, end: number): void {
  const { image, out, width, gain, readVariance } = job;
  for (let r = start; r < end; r++) {
    const i0 = job.imageOffset + r * job.imageStride;
    const o0 = job.offset + r * job.stride;
    if (job.accumulate) accumulateRow(image, i0, out, o0, width, gain, readVariance);
    else replaceRow(image, i0, out, o0, width, gain, readVariance);
  }
}

/** `out[o0 + x] = image[i0 + x] / gain + readVariance` over one row. */
function replaceRow(image: VarianceSourceArray, i0: number, out: Float32Array, o0: number, width: number, gain: number, readVariance: number): void {
  for (let x = 0; x < width; x++) out[o0 + x] = image[i0 + x]! / gain + readVariance;
}

/** `out[o0 + x] = (out[o0 + x] + image[i0 + x]) / gain + readVariance` over one row. */
function accumulateRow(image: VarianceSourceArray, i0: number, out: Float32Array, o0: number, width: number, gain: number, readVariance: number): void {
  for (let x = 0; x < width; x++) out[o0 + x] = (out[o0 + x]! + image[i0 + x]!) / gain + readVariance;
}
