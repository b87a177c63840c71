// The convolution loops that every CPU backend (single thread or worker threads) runs over a band
// of output rows. No validation here (the public functions validate once); the only import is the
// generated inner loops, so that a worker can load this module with little else.
import { simdKernels } from './simd-kernels.js';
import { planTaps, streamSum, streamSum2, type TapPlan } from './stream-sum.js';

/** The variance and mask planes of a masked-image convolution (row-major, stride = width). */
export interface VarianceMaskPlanes {
  /** Variance pixels. */
  readonly variance: Float32Array;
  /** Mask pixels. */
  readonly mask: Int32Array;
}

/**
 * Everything a band of a separable convolution needs. The kernel origin is its centre
 * `(ctrX, ctrY)`; output pixel `(x, y)` is `Σ_j ky[j] Σ_i kx[i] src(x - ctrX + i, y - ctrY + j)`.
 */
export interface SeparableJob {
  /** Source pixels (image plane when masked). */
  readonly src: Float32Array;
  /** Destination pixels (image plane when masked). */
  readonly dst: Float32Array;
  /** Image width (row stride). */
  readonly width: number;
  /** Image height. */
  readonly height: number;
  /** Kernel along x. */
  readonly kx: Float64Array;
  /** Kernel along y. */
  readonly ky: Float64Array;
  /** Kernel centre along x (index into kx). */
  readonly ctrX: number;
  /** Kernel centre along y (index into ky). */
  readonly ctrY: number;
  /** Copy edge pixels from the input instead of the edge value. */
  readonly doCopyEdge: boolean;
  /** Input variance and mask planes for a masked convolution. */
  readonly inMasked?: VarianceMaskPlanes | undefined;
  /** Output variance and mask planes for a masked convolution. */
  readonly outMasked?: VarianceMaskPlanes | undefined;
  /** Mask bit value (not index) set on edge pixels of a masked convolution. */
  readonly edgeMask?: number | undefined;
}

/** Everything a band of a 2-D (non-separable) convolution needs; see {@link SeparableJob}. */
export interface Kernel2dJob {
  /** Source pixels (image plane when masked). */
  readonly src: Float32Array;
  /** Destination pixels (image plane when masked). */
  readonly dst: Float32Array;
  /** Image width (row stride). */
  readonly width: number;
  /** Image height. */
  readonly height: number;
  /** Kernel values, row-major, `kw * kh`. */
  readonly kernel: Float64Array;
  /** Kernel width. */
  readonly kw: number;
  /** Kernel height. */
  readonly kh: number;
  /** Kernel centre along x. */
  readonly ctrX: number;
  /** Kernel centre along y. */
  readonly ctrY: number;
  /** Copy edge pixels from the input instead of the edge value. */
  readonly doCopyEdge: boolean;
  /** Input variance and mask planes for a masked convolution. */
  readonly inMasked?: VarianceMaskPlanes | undefined;
  /** Output variance and mask planes for a masked convolution. */
  readonly outMasked?: VarianceMaskPlanes | undefined;
  /** Mask bit value set on edge pixels of a masked convolution. */
  readonly edgeMask?: number | undefined;
}

/**
 * Writes the edge pixels of rows `[y0, y1)`: the pixels closer to the border than the kernel
 * reaches (x outside `[ctrX, width - kw + ctrX]` or y outside `[ctrY, height - kh + ctrY]`).
 * They get NaN (variance +Infinity, mask = edge bit), or with `doCopyEdge` the input pixel (mask
 * ORed with the edge bit), as afw's `convolve` does.
 */
export function fillEdgeRows(
  job: SeparableJob | Kernel2dJob,
  kw: number,
  kh: number,
  y0: number,
  y1: number,
): void {
  const { src, dst, width, height, ctrX, ctrY, doCopyEdge, inMasked, outMasked } = job;
  const edge = job.edgeMask ?? 0;
  const gx0 = ctrX;
  const gx1 = width - kw + ctrX; // inclusive
  const gy0 = ctrY;
  const gy1 = height - kh + ctrY; // inclusive
  const setRange = (start: number, end: number): void => {
    if (end <= start) return;
    if (doCopyEdge) {
      dst.set(src.subarray(start, end), start);
      if (inMasked && outMasked) {
        outMasked.variance.set(inMasked.variance.subarray(start, end), start);
        for (let k = start; k < end; k++) outMasked.mask[k] = inMasked.mask[k]! | edge;
      }
    } else {
      dst.fill(NaN, start, end);
      if (outMasked) {
        outMasked.variance.fill(Infinity, start, end);
        outMasked.mask.fill(edge, start, end);
      }
    }
  };
  for (let y = y0; y < y1; y++) {
    const row = y * width;
    if (y < gy0 || y > gy1 || gx1 < gx0) {
      setRange(row, row + width);
    } else {
      setRange(row, row + gx0);
      setRange(row + gx1 + 1, row + width);
    }
  }
}

/** Source offsets of a plan's terms: `offsetOf(tap)` for each tap of the plan. */
function offsetsOf(plan: TapPlan, offsetOf: (tap: number) => number): Int32Array {
  const offs = new Int32Array(plan.taps.length);
  for (let t = 0; t < offs.length; t++) offs[t] = offsetOf(plan.taps[t]!);
  return offs;
}

function squared(k: Float64Array): Float64Array {
  const out = new Float64Array(k.length);
  for (let i = 0; i < k.length; i++) out[i] = k[i]! * k[i]!;
  return out;
}

/** First and last index of a non-zero value in `m[start, end)`, or `[1, 0]` when there is none. */
function nonZeroRange(m: Int32Array, start: number, end: number, out: Int32Array): void {
  let lo = start;
  while (lo < end && m[lo] === 0) lo++;
  if (lo === end) {
    out[0] = 1;
    out[1] = 0;
    return;
  }
  let hi = end - 1;
  while (m[hi] === 0) hi--;
  out[0] = lo - start;
  out[1] = hi - start;
}

/**
 * Mask OR along a row: `dst[o + x] = OR_i m[base + tap_i + x]` over the non-zero taps, for the
 * `x` in `[0, n)` the set bits can reach; returns that range in `range` (`[1, 0]`: none, and
 * `dst` is not written). Values of `dst` outside the range are left stale.
 */
function orRow(m: Int32Array, base: number, n: number, taps: Int32Array, tMin: number, tMax: number, dst: Int32Array, o: number, range: Int32Array): void {
  nonZeroRange(m, base + tMin, base + tMax + n, range);
  if (range[0]! > range[1]!) return;
  // bits at source positions [lo, hi] (relative to base + tMin) reach x in [lo + tMin - tMax, hi]
  const x0 = Math.max(0, range[0]! + tMin - tMax);
  const x1 = Math.min(n - 1, range[1]!);
  for (let x = x0; x <= x1; x++) {
    let v = 0;
    for (let t = 0; t < taps.length; t++) v |= m[base + taps[t]! + x]!;
    dst[o + x] = v;
  }
  range[0] = x0;
  range[1] = x1;
}

/**
 * Separable convolution of output rows `[y0, y1)` (edge pixels included). Works row by row with a
 * ring buffer of `ky.length` horizontally convolved rows (double precision), so each input row is
 * convolved along x once per band; the column pass sums the ring rows into each output row (no
 * column walks). Mirror taps with equal weights are folded; zero kernel entries are skipped (a
 * NaN input reaches an output pixel only through a non-zero kernel value, as in afw). A masked
 * job convolves the variance with the squared kernel in the same sweep and ORs the mask over the
 * non-zero footprint, touching only the columns that set bits can reach.
 */
export function convolveSeparableRows(job: SeparableJob, y0: number, y1: number): void {
  const { src, dst, width, height, kx, ky, ctrX, ctrY, inMasked, outMasked } = job;
  const kw = kx.length;
  const kh = ky.length;
  fillEdgeRows(job, kw, kh, y0, y1);
  const gx0 = ctrX;
  const gx1 = width - kw + ctrX;
  const ya = Math.max(y0, ctrY);
  const yb = Math.min(y1, height - kh + ctrY + 1);
  if (yb <= ya || gx1 < gx0) return;
  const nx = gx1 - gx0 + 1;
  const masked = inMasked !== undefined && outMasked !== undefined;
  if (!masked && separableRowsSimd(job, ya, yb, nx)) return;
  const px = planTaps(kx);
  const py = planTaps(ky);
  const hOffs = offsetsOf(px, (i) => i);
  const hSum = streamSum(px.nPairs, px.nSingles, 'f32>f64');
  const vSum = streamSum(py.nPairs, py.nSingles, 'f64>f32');
  const vOffs = new Int32Array(py.taps.length);
  const ring = new Float64Array(kh * nx);
  // masked: variance with k², mask OR
  const px2 = masked ? planTaps(squared(kx)) : px;
  const py2 = masked ? planTaps(squared(ky)) : py;
  const hOffs2 = offsetsOf(px2, (i) => i);
  const hBoth = streamSum2([px.nPairs, px.nSingles], [px2.nPairs, px2.nSingles], 'f32>f64');
  const vBoth = streamSum2([py.nPairs, py.nSingles], [py2.nPairs, py2.nSingles], 'f64>f32');
  const vOffs2 = new Int32Array(py2.taps.length);
  const ringVar = masked ? new Float64Array(kh * nx) : ring;
  const ringMask = masked ? new Int32Array(kh * nx) : undefined;
  const ringRange = new Int32Array(2 * kh); // per slot: x range of non-zero mask values
  const range = new Int32Array(2);
  const xTaps = Int32Array.from(px.taps).sort();
  const yTaps = Int32Array.from(py.taps).sort();
  const tMin = xTaps.length > 0 ? xTaps[0]! : 0;
  const tMax = xTaps.length > 0 ? xTaps[xTaps.length - 1]! : 0;

  // Convolves input row r along x into ring slot r % kh.
  const horizontal = (r: number): void => {
    const slot = (r % kh) * nx;
    const rowBase = r * width + gx0 - ctrX; // src index of (gx0 - ctrX, r)
    if (!masked) {
      hSum(src, rowBase, ring, slot, nx, hOffs, px.weights);
    } else {
      hBoth(src, inMasked.variance, rowBase, ring, ringVar, slot, nx, hOffs, px.weights, hOffs2, px2.weights);
      const s = r % kh;
      if (xTaps.length === 0) {
        ringRange[2 * s] = 1;
        ringRange[2 * s + 1] = 0;
        return;
      }
      orRow(inMasked.mask, rowBase, nx, xTaps, tMin, tMax, ringMask!, slot, range);
      ringRange[2 * s] = range[0]!;
      ringRange[2 * s + 1] = range[1]!;
    }
  };

  // Rows ya - ctrY .. ya - ctrY + kh - 2 first; then one new input row per output row.
  for (let r = ya - ctrY; r < ya - ctrY + kh - 1; r++) horizontal(r);
  for (let y = ya; y < yb; y++) {
    horizontal(y - ctrY + kh - 1);
    const r0 = y - ctrY; // input row of ky[0]
    for (let t = 0; t < vOffs.length; t++) vOffs[t] = ((r0 + py.taps[t]!) % kh) * nx;
    const out = y * width + gx0;
    if (!masked) {
      vSum(ring, 0, dst, out, nx, vOffs, py.weights);
    } else {
      for (let t = 0; t < vOffs2.length; t++) vOffs2[t] = ((r0 + py2.taps[t]!) % kh) * nx;
      vBoth(ring, ringVar, 0, dst, outMasked.variance, out, nx, vOffs, py.weights, vOffs2, py2.weights);
      const om = outMasked.mask;
      const rm = ringMask!;
      om.fill(0, out, out + nx);
      for (let t = 0; t < yTaps.length; t++) {
        const s = (r0 + yTaps[t]!) % kh;
        const lo = ringRange[2 * s]!;
        const hi = ringRange[2 * s + 1]!;
        const slot = s * nx;
        for (let x = lo; x <= hi; x++) om[out + x] = om[out + x]! | rm[slot + x]!;
      }
    }
  }
}

/** Output rows per call of the fused SIMD separable convolution (see {@link separableRowsSimd}). */
let simdChunkRows = 32;

/**
 * Sets the output rows per call of the fused SIMD separable convolution (for benchmarks and tests:
 * the results do not depend on it).
 *
 * @param rows - rows per call, at least 1
 * @returns the previous value
 */
export function setSeparableChunkRows(rows: number): number {
  const was = simdChunkRows;
  simdChunkRows = Math.max(1, Math.floor(rows));
  return was;
}

/**
 * The good area of rows `[ya, yb)` of an image-only separable convolution with the WebAssembly
 * SIMD kernels: the same horizontally convolved rows (double precision) and the same sums as the
 * TypeScript loops, in the kernels' memory. The input rows are copied in a chunk at a time; one
 * call then convolves each new row along x into a buffer of rows and sums the buffer's rows along
 * y into the chunk's output rows, which are copied out; the last `kh - 1` buffer rows move to its
 * front for the next chunk. False (nothing done) where the SIMD kernels are unavailable.
 */
function separableRowsSimd(job: SeparableJob, ya: number, yb: number, nx: number): boolean {
  const simd = simdKernels();
  if (simd === undefined) return false;
  const { src, dst, width, kx, ky, ctrY } = job;
  const kh = ky.length;
  const px = planTaps(kx);
  const py = planTaps(ky);
  const nWx = px.nSingles + px.nPairs;
  const nWy = py.nSingles + py.nPairs;
  const chunk = Math.min(simdChunkRows, yb - ya);
  const inRows = Math.max(chunk, kh - 1);
  // bytes per row of horizontal sums: rounded up to 512 (widths within 64 pixels share a module)
  // plus one cache line (a power of two would put the rows a column reads in one cache set)
  const stride = 512 * Math.ceil((8 * nx) / 512) + 64;
  const WGT = simd.scratchBytes;
  const SRC = WGT + 16 * Math.ceil((8 * (nWx + nWy)) / 16);
  const BUF = SRC + 16 * Math.ceil((4 * inRows * width) / 16);
  const OUT = BUF + (chunk + kh - 1) * stride;
  const CONV = OUT + 16 * Math.ceil((4 * chunk * nx) / 16);
  const buffer = simd.reserve(CONV + 8 * width);
  const weights = new Float64Array(buffer, WGT, nWx + nWy);
  weights.set(px.weights.subarray(px.nPairs), 0);
  weights.set(px.weights.subarray(0, px.nPairs), px.nSingles);
  weights.set(py.weights.subarray(py.nPairs), nWx);
  weights.set(py.weights.subarray(0, py.nPairs), nWx + py.nSingles);
  const srcRows = new Float32Array(buffer, SRC, inRows * width);
  const bytes = new Uint8Array(buffer);
  const outRows: Float32Array[] = [];
  for (let i = 0; i < chunk; i++) outRows.push(new Float32Array(buffer, OUT + 4 * i * nx, nx));
  const fn = simd.separable(
    { loads: loadOrder(px), nPairs: px.nPairs, nSingles: px.nSingles },
    { loads: loadOrder(py), nPairs: py.nPairs, nSingles: py.nSingles },
    stride,
  );
  const x0 = gx0Of(job);
  // the first kh - 1 input rows, along x only
  const r0 = ya - ctrY;
  if (kh > 1) {
    srcRows.set(src.subarray(r0 * width, (r0 + kh - 1) * width));
    fn(SRC, 4 * width, BUF, 0, 0, 0, kh - 1, nx, WGT, 0, CONV);
  }
  for (let y = ya; y < yb; y += chunk) {
    const m = Math.min(chunk, yb - y);
    const r = y - ctrY + kh - 1; // the first new input row
    srcRows.set(src.subarray(r * width, (r + m) * width));
    fn(SRC, 4 * width, BUF + (kh - 1) * stride, BUF, OUT, 4 * nx, m, nx, WGT, 1, CONV);
    for (let i = 0; i < m; i++) dst.set(outRows[i]!, (y + i) * width + x0);
    if (kh > 1 && y + m < yb) bytes.copyWithin(BUF, BUF + m * stride, BUF + (m + kh - 1) * stride);
  }
  return true;
}

/** The first good column of a job. */
function gx0Of(job: SeparableJob): number {
  return job.ctrX;
}

/** The taps of a plan in the SIMD sums' load order: singles, then each pair's two. */
function loadOrder(plan: TapPlan): Int32Array {
  const out = new Int32Array(plan.nSingles + 2 * plan.nPairs);
  for (let q = 0; q < plan.nSingles; q++) out[q] = plan.taps[2 * plan.nPairs + q]!;
  for (let i = 0; i < 2 * plan.nPairs; i++) out[plan.nSingles + i] = plan.taps[i]!;
  return out;
}

/**
 * 2-D convolution of output rows `[y0, y1)` (edge pixels included):
 * `out(x, y) = Σ_{i,j} K(i, j) src(x - ctrX + i, y - ctrY + j)` over the non-zero kernel values,
 * accumulated in double precision (point-symmetric taps with equal weights folded); masked:
 * variance with `K²`, mask ORed over the non-zero footprint.
 */
export function convolve2dRows(job: Kernel2dJob, y0: number, y1: number): void {
  const { src, dst, width, height, kernel, kw, kh, ctrX, ctrY, inMasked, outMasked } = job;
  fillEdgeRows(job, kw, kh, y0, y1);
  const gx0 = ctrX;
  const gx1 = width - kw + ctrX;
  const ya = Math.max(y0, ctrY);
  const yb = Math.min(y1, height - kh + ctrY + 1);
  if (yb <= ya || gx1 < gx0) return;
  const nx = gx1 - gx0 + 1;
  // src offset of kernel element e relative to (gx0 - ctrX, y - ctrY)
  const offsetOf = (e: number): number => Math.floor(e / kw) * width + (e % kw);
  const plan = planTaps(kernel);
  const offs = offsetsOf(plan, offsetOf);
  const sum = streamSum(plan.nPairs, plan.nSingles, 'f32>f32');
  const masked = inMasked !== undefined && outMasked !== undefined;
  const plan2 = masked ? planTaps(squared(kernel)) : plan;
  const offs2 = offsetsOf(plan2, offsetOf);
  const both = streamSum2([plan.nPairs, plan.nSingles], [plan2.nPairs, plan2.nSingles], 'f32>f32');
  const maskOffs = Int32Array.from(plan.taps, offsetOf).sort();
  for (let y = ya; y < yb; y++) {
    const origin = (y - ctrY) * width + gx0 - ctrX;
    const out = y * width + gx0;
    if (!masked) {
      sum(src, origin, dst, out, nx, offs, plan.weights);
    } else {
      both(src, inMasked.variance, origin, dst, outMasked.variance, out, nx, offs, plan.weights, offs2, plan2.weights);
      const m = inMasked.mask;
      const om = outMasked.mask;
      for (let x = 0; x < nx; x++) {
        let v = 0;
        for (let t = 0; t < maskOffs.length; t++) v |= m[origin + maskOffs[t]! + x]!;
        om[out + x] = v;
      }
    }
  }
}
