// The rows of the maskBits operation (afw's `mask &= bits` and `mask |= bits`), shared by the CPU
// backend and the worker threads of the parallel backend.

/**
 * The `maskBits` operation: every pixel `p` of a `width × height` box of `out` becomes
 * `(p & and) | or`. Pixel `(x, r)` of the box is `out[offset + r · stride + x]`. Bands are rows of
 * the box. Each row is read in blocks, and a block is written only when one of its pixels
 * changes: clearing planes that are already clear (the usual case) only reads, which also leaves
 * the pages of a fresh, untouched plane unwritten.
 */
export interface MaskBitsJob {
  /** The mask plane (written where a pixel changes). */
  readonly out: Int32Array;
  /** Index of the box's first pixel. */
  readonly offset: number;
  /** Elements from one row to the next. */
  readonly stride: number;
  /** Box width. */
  readonly width: number;
  /** Box height. */
  readonly height: number;
  /** Bits kept (ANDed in; `-1` keeps all). */
  readonly and: number;
  /** Bits set (ORed in after the AND; `0` sets none). */
  readonly or: number;
}

/** Pixels per block of {@link maskBitsRows}. */
const BLOCK = 1024;

/**
 * Rows `[start, end)` of a {@link MaskBitsJob}.
 *
 * @param job - the operation
 * @param start - first row of the box
 * @param end - row after the last
 */
export function maskBitsRows(job: MaskBitsJob, start: number, end: number): void {
  const { out, offset, stride, width } = job;
  const and = job.and | 0;
  const or = job.or | 0;
  // a pixel changes when it has a bit that is neither kept nor set, or lacks a bit that is set
  const dropped = ~and & ~or;
  for (let r = start; r < end; r++) {
    const row = offset + r * stride;
    for (let k = row, rowEnd = row + width; k < rowEnd; k += BLOCK) {
      const stop = Math.min(rowEnd, k + BLOCK);
      if (blockChanges(out, k, stop, dropped, or)) writeBlock(out, k, stop, and, or);
    }
  }
}

/**
 * Whether `(p & and) | or` differs from `p` for a pixel of `out[from, to)` (`dropped = ~and & ~or`):
 * some pixel has a dropped bit (the pixels' OR has one), or lacks a set bit (their AND does).
 */
function blockChanges(out: Int32Array, from: number, to: number, dropped: number, or: number): boolean {
  if (dropped !== 0 && (orOf(out, from, to) & dropped) !== 0) return true;
  return or !== 0 && (~andOf(out, from, to) & or) !== 0;
}

/** The bitwise OR of `out[from, to)` (four running values: independent chains). */
function orOf(out: Int32Array, from: number, to: number): number {
  let o0 = 0;
  let o1 = 0;
  let o2 = 0;
  let o3 = 0;
  let k = from;
  for (; k + 3 < to; k += 4) {
    o0 |= out[k]!;
    o1 |= out[k + 1]!;
    o2 |= out[k + 2]!;
    o3 |= out[k + 3]!;
  }
  for (; k < to; k++) o0 |= out[k]!;
  return o0 | o1 | o2 | o3;
}

/** The bitwise AND of `out[from, to)`. */
function andOf(out: Int32Array, from: number, to: number): number {
  let a0 = -1;
  let a1 = -1;
  let a2 = -1;
  let a3 = -1;
  let k = from;
  for (; k + 3 < to; k += 4) {
    a0 &= out[k]!;
    a1 &= out[k + 1]!;
    a2 &= out[k + 2]!;
    a3 &= out[k + 3]!;
  }
  for (; k < to; k++) a0 &= out[k]!;
  return a0 & a1 & a2 & a3;
}

/** `out[k] = (out[k] & and) | or` for `k` in `[from, to)`. */
function writeBlock(out: Int32Array, from: number, to: number, and: number, or: number): void {
  for (let k = from; k < to; k++) out[k] = (out[k]! & and) | or;
}
