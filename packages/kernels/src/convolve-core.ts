// The convolution loops that every CPU backend (single thread or worker threads) runs over a band
// of output rows. No validation here (the public functions validate once); no imports, so that a
// worker can load this module alone.

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

function nonZero(k: Float64Array): Int32Array {
  let n = 0;
  for (let i = 0; i < k.length; i++) if (k[i] !== 0) n++;
  const idx = new Int32Array(n);
  n = 0;
  for (let i = 0; i < k.length; i++) if (k[i] !== 0) idx[n++] = i;
  return idx;
}

/**
 * Separable convolution of output rows `[y0, y1)` (edge pixels included). Works row by row with a
 * ring buffer of `ky.length` horizontally convolved rows, so each input row is convolved along x
 * once per band; sums are accumulated in double precision. Zero kernel entries are skipped (a NaN
 * input reaches an output pixel only through a non-zero kernel value, as in afw).
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
  const ix = nonZero(kx);
  const iy = nonZero(ky);
  const masked = inMasked !== undefined && outMasked !== undefined;
  const ring = new Float64Array(kh * nx);
  const ringVar = masked ? new Float64Array(kh * nx) : undefined;
  const ringMask = masked ? new Int32Array(kh * nx) : undefined;
  const acc = new Float64Array(nx);
  const accVar = masked ? new Float64Array(nx) : undefined;
  const accMask = masked ? new Int32Array(nx) : undefined;
  const kx2 = Float64Array.from(kx, (v) => v * v);
  const ky2 = Float64Array.from(ky, (v) => v * v);

  // Convolves input row r along x into ring slot r % kh.
  const horizontal = (r: number): void => {
    const slot = (r % kh) * nx;
    const rowBase = r * width + gx0 - ctrX; // src index of (gx0 - ctrX, r)
    ring.fill(0, slot, slot + nx);
    for (let t = 0; t < ix.length; t++) {
      const i = ix[t]!;
      const k = kx[i]!;
      const base = rowBase + i;
      for (let x = 0; x < nx; x++) ring[slot + x] = ring[slot + x]! + k * src[base + x]!;
    }
    if (masked) {
      const rv = ringVar!;
      const rm = ringMask!;
      const v = inMasked.variance;
      const m = inMasked.mask;
      rv.fill(0, slot, slot + nx);
      rm.fill(0, slot, slot + nx);
      for (let t = 0; t < ix.length; t++) {
        const i = ix[t]!;
        const k = kx2[i]!;
        const base = rowBase + i;
        for (let x = 0; x < nx; x++) {
          rv[slot + x] = rv[slot + x]! + k * v[base + x]!;
          rm[slot + x] = rm[slot + x]! | m[base + x]!;
        }
      }
    }
  };

  // Rows ya - ctrY .. ya - ctrY + kh - 2 first; then one new input row per output row.
  for (let r = ya - ctrY; r < ya - ctrY + kh - 1; r++) horizontal(r);
  for (let y = ya; y < yb; y++) {
    horizontal(y - ctrY + kh - 1);
    acc.fill(0);
    for (let t = 0; t < iy.length; t++) {
      const j = iy[t]!;
      const k = ky[j]!;
      const slot = ((y - ctrY + j) % kh) * nx;
      for (let x = 0; x < nx; x++) acc[x] = acc[x]! + k * ring[slot + x]!;
    }
    const out = y * width + gx0;
    for (let x = 0; x < nx; x++) dst[out + x] = acc[x]!;
    if (masked) {
      const av = accVar!;
      const am = accMask!;
      av.fill(0);
      am.fill(0);
      for (let t = 0; t < iy.length; t++) {
        const j = iy[t]!;
        const k = ky2[j]!;
        const slot = ((y - ctrY + j) % kh) * nx;
        for (let x = 0; x < nx; x++) {
          av[x] = av[x]! + k * ringVar![slot + x]!;
          am[x] = am[x]! | ringMask![slot + x]!;
        }
      }
      const ov = outMasked.variance;
      const om = outMasked.mask;
      for (let x = 0; x < nx; x++) {
        ov[out + x] = av[x]!;
        om[out + x] = am[x]!;
      }
    }
  }
}

/**
 * 2-D convolution of output rows `[y0, y1)` (edge pixels included):
 * `out(x, y) = Σ_{i,j} K(i, j) src(x - ctrX + i, y - ctrY + j)` over the non-zero kernel values,
 * accumulated in double precision; masked: variance with `K²`, mask ORed over the non-zero
 * footprint.
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
  const nz = nonZero(kernel);
  const offsets = new Int32Array(nz.length); // src offset of kernel element relative to (gx0 - ctrX, y - ctrY)
  const values = new Float64Array(nz.length);
  for (let t = 0; t < nz.length; t++) {
    const e = nz[t]!;
    const j = Math.floor(e / kw);
    const i = e - j * kw;
    offsets[t] = j * width + i;
    values[t] = kernel[e]!;
  }
  const masked = inMasked !== undefined && outMasked !== undefined;
  const acc = new Float64Array(nx);
  const accVar = masked ? new Float64Array(nx) : undefined;
  const accMask = masked ? new Int32Array(nx) : undefined;
  for (let y = ya; y < yb; y++) {
    const origin = (y - ctrY) * width + gx0 - ctrX;
    acc.fill(0);
    for (let t = 0; t < values.length; t++) {
      const k = values[t]!;
      const base = origin + offsets[t]!;
      for (let x = 0; x < nx; x++) acc[x] = acc[x]! + k * src[base + x]!;
    }
    const out = y * width + gx0;
    for (let x = 0; x < nx; x++) dst[out + x] = acc[x]!;
    if (masked) {
      const av = accVar!;
      const am = accMask!;
      const v = inMasked.variance;
      const m = inMasked.mask;
      av.fill(0);
      am.fill(0);
      for (let t = 0; t < values.length; t++) {
        const k = values[t]! * values[t]!;
        const base = origin + offsets[t]!;
        for (let x = 0; x < nx; x++) {
          av[x] = av[x]! + k * v[base + x]!;
          am[x] = am[x]! | m[base + x]!;
        }
      }
      for (let x = 0; x < nx; x++) {
        outMasked.variance[out + x] = av[x]!;
        outMasked.mask[out + x] = am[x]!;
      }
    }
  }
}
