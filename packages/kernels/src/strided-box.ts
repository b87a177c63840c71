// The argument check of the operations that take a box of rows inside a larger strided array.
import { KernelsInvalidArgumentError } from './errors.js';

/**
 * Checks that `height` rows of `width` values, the first at `offset` and each `stride` after the
 * previous, lie inside an array of `length` values (a non-empty box).
 *
 * @param what - the array, for the message (e.g. `'image'`)
 * @param length - the array's length
 * @param offset - index of the box's first value
 * @param stride - elements from one row to the next
 * @param width - box width (> 0)
 * @param height - box height (> 0)
 * @throws {@link KernelsInvalidArgumentError} when the offset or stride is not a non-negative integer, the stride is below the width, or the last row ends past the array
 */
export function checkStridedBox(what: string, length: number, offset: number, stride: number, width: number, height: number): void {
  if (!Number.isInteger(offset) || !Number.isInteger(stride) || offset < 0 || stride < width || offset + (height - 1) * stride + width > length) {
    throw new KernelsInvalidArgumentError(`The ${what} (${length} values, offset ${offset}, stride ${stride}) does not hold ${height} rows of ${width} values.`, {
      hint: 'The stride must be at least the box width, and the array long enough for its last row.',
    });
  }
}
