// The resampling loops behind warpPlanes: warping-kernel weights, the interpolated grid of source
// positions, and one pass over destination rows. No imports and no validation (warp.ts checks the
// arguments), so the file can run unchanged in a worker or be vendored by a package that cannot
// depend on @skystack/kernels yet.

/** The three families of warping kernel afw has (`lanczosN`, `bilinear`, `nearest`). */
export type WarpingKernelKind = 'lanczos' | 'bilinear' | 'nearest';

/**
 * A separable warping kernel, as afw's `LanczosWarpingKernel`, `BilinearWarpingKernel` and
 * `NearestWarpingKernel` define it: `width` taps per axis, the tap at index `ctr` falls on the
 * source pixel `floor(x)` and the others on its neighbours.
 */
export interface WarpingKernelSpec {
  /** The name it was made from: `lanczos3`, `bilinear`, `nearest`. */
  readonly name: string;
  /** The family. */
  readonly kind: WarpingKernelKind;
  /** The Lanczos order n (1 for bilinear and nearest). */
  readonly order: number;
  /** Taps per axis: 2n for Lanczos, 2 for bilinear and nearest. */
  readonly width: number;
  /** Index of the tap on source pixel `floor(x)`: n - 1 for Lanczos, 0 otherwise. */
  readonly ctr: number;
  /** `sin(pi k / n)` for the tap offsets `k = -ctr .. width - 1 - ctr` (Lanczos only; used by the weight loop). */
  readonly sinTap: Float64Array;
  /** `cos(pi k / n)` for the same offsets. */
  readonly cosTap: Float64Array;
}

/**
 * Parses a warping-kernel name: `lanczos<n>` (n ≥ 1), `bilinear` or `nearest`.
 *
 * @param name - the name
 * @returns the kernel, or `undefined` for a name that is none of these
 * @example
 * ```ts
 * parseWarpingKernelName('lanczos3')?.width; // 6
 * ```
 * @see lsst.afw.math.makeWarpingKernel
 */
export function parseWarpingKernelName(name: string): WarpingKernelSpec | undefined {
  if (name === 'bilinear' || name === 'nearest') {
    return { name, kind: name, order: 1, width: 2, ctr: 0, sinTap: new Float64Array(0), cosTap: new Float64Array(0) };
  }
  const m = /^lanczos([1-9][0-9]*)$/.exec(name);
  if (m === null) return undefined;
  const order = Number(m[1]);
  const width = 2 * order;
  const ctr = order - 1;
  const sinTap = new Float64Array(width);
  const cosTap = new Float64Array(width);
  for (let j = 0; j < width; j++) {
    const a = (Math.PI * (j - ctr)) / order;
    sinTap[j] = Math.sin(a);
    cosTap[j] = Math.cos(a);
  }
  return { name, kind: 'lanczos', order, width, ctr, sinTap, cosTap };
}

const PI2 = Math.PI * Math.PI;

/** Positions this close to a whole pixel are taken as that pixel. */
const SNAP_EPS = 1e-9;

/**
 * Fills the `width` weights of a warping kernel for a source position whose fractional part is
 * `frac` (in [0, 1)): tap j weighs source pixel `floor(x) - ctr + j`. Lanczos weights are
 * `sinc(d) sinc(d / n)` at the distance `d = j - ctr - frac`, with the sines of all taps from one
 * `sin`/`cos` pair (angle addition), so no allocation and 3 trigonometric calls per axis.
 *
 * @param kernel - the kernel
 * @param frac - the fractional part of the source position, in [0, 1)
 * @param out - where the weights go
 * @param offset - first index in `out`
 * @returns the sum of the weights
 * @example
 * ```ts
 * const w = new Float64Array(2);
 * fillWarpingWeights(parseWarpingKernelName('bilinear')!, 0.25, w, 0); // w = [0.75, 0.25], returns 1
 * ```
 * @see lsst.afw.math.LanczosWarpingKernel
 */
export function fillWarpingWeights(kernel: WarpingKernelSpec, frac: number, out: Float64Array, offset: number): number {
  if (kernel.kind === 'bilinear') {
    out[offset] = 1 - frac;
    out[offset + 1] = frac;
    return 1;
  }
  if (kernel.kind === 'nearest') {
    const lo = frac < 0.5 ? 1 : 0;
    out[offset] = lo;
    out[offset + 1] = 1 - lo;
    return 1;
  }
  const n = kernel.order;
  const width = kernel.width;
  const ctr = kernel.ctr;
  const sinTap = kernel.sinTap;
  const cosTap = kernel.cosTap;
  // sin(pi (k - f) / n) = sin(a_k) cos(b) - cos(a_k) sin(b) with b = pi f / n, and
  // sin(pi (k - f)) = (-1)^(k+1) sin(n b), sin(n b) by the Chebyshev recurrence: 2 trig calls.
  const b = (Math.PI * frac) / n;
  const sb = Math.sin(b);
  const cb = Math.cos(b);
  let sPrev = 0;
  let sPf = sb;
  for (let m = 1; m < n; m++) {
    const next = 2 * cb * sPf - sPrev;
    sPrev = sPf;
    sPf = next;
  }
  let sum = 0;
  for (let j = 0; j < width; j++) {
    const k = j - ctr;
    const d = k - frac;
    let w: number;
    if (Math.abs(d) < 1e-5 / Math.PI) {
      w = 1;
    } else {
      const s1 = (k & 1) === 0 ? -sPf : sPf;
      const s2 = sinTap[j]! * cb - cosTap[j]! * sb;
      w = (n * s1 * s2) / (PI2 * d * d);
    }
    out[offset + j] = w;
    sum += w;
  }
  return sum;
}

/**
 * Tabulated weights of a kernel at `cacheSize` evenly spaced fractions `i / (cacheSize - 1)`,
 * looked up by the nearest fraction (afw's `SeparableKernel.computeCache`).
 */
export interface WarpingWeightTable {
  /** Entries in the table. */
  readonly size: number;
  /** `size * width` weights, entry i first. */
  readonly weights: Float64Array;
  /** The sum of each entry's weights. */
  readonly sums: Float64Array;
}

/**
 * Tabulates a kernel's weights for `cacheSize` fractions (at least 2).
 *
 * @param kernel - the kernel
 * @param cacheSize - entries
 * @returns the table
 * @example
 * ```ts
 * const table = makeWarpingWeightTable(parseWarpingKernelName('lanczos3')!, 10000);
 * ```
 * @see lsst.afw.math.SeparableKernel.computeCache
 */
export function makeWarpingWeightTable(kernel: WarpingKernelSpec, cacheSize: number): WarpingWeightTable {
  const weights = new Float64Array(cacheSize * kernel.width);
  const sums = new Float64Array(cacheSize);
  for (let i = 0; i < cacheSize; i++) sums[i] = fillWarpingWeights(kernel, i / (cacheSize - 1), weights, i * kernel.width);
  return { size: cacheSize, weights, sums };
}

/**
 * Maps destination pixel positions to source pixel positions in place: on return `xs[i], ys[i]`
 * (i < count) hold the source position of the destination position they held. Positions are
 * PARENT pixel coordinates of each image; NaN means "no source position".
 */
export type WarpPositionTransform = (xs: Float64Array, ys: Float64Array, count: number) => void;

/** The source planes of a warp, LOCAL order with a row stride; PARENT (x0, y0) at LOCAL (0, 0). */
export interface WarpCoreSource {
  /** Image pixels. */
  readonly image: ArrayLike<number>;
  /** Variance pixels, or `null` to skip the variance plane. */
  readonly variance: ArrayLike<number> | null;
  /** Mask pixels, or `null` to skip the mask plane. */
  readonly mask: ArrayLike<number> | null;
  /** Columns. */
  readonly width: number;
  /** Rows. */
  readonly height: number;
  /** Elements between row starts. */
  readonly stride: number;
  /** PARENT x of LOCAL column 0. */
  readonly x0: number;
  /** PARENT y of LOCAL row 0. */
  readonly y0: number;
}

/** A writable array of numbers: any typed array. */
export interface WritableNumericArray {
  /** Element i. */
  [index: number]: number;
  /** The number of elements. */
  readonly length: number;
}

/** The destination planes of a warp (filled in place). */
export interface WarpCoreDest {
  /** Image pixels. */
  readonly image: WritableNumericArray;
  /** Variance pixels, or `null`. */
  readonly variance: WritableNumericArray | null;
  /** Mask pixels, or `null`. */
  readonly mask: WritableNumericArray | null;
  /** Columns. */
  readonly width: number;
  /** Rows. */
  readonly height: number;
  /** Elements between row starts. */
  readonly stride: number;
  /** PARENT x of LOCAL column 0. */
  readonly x0: number;
  /** PARENT y of LOCAL row 0. */
  readonly y0: number;
}

/** Everything one warp pass needs, already checked. */
export interface WarpCoreJob {
  /** The source planes. */
  readonly src: WarpCoreSource;
  /** The destination planes. */
  readonly dest: WarpCoreDest;
  /** The image/variance kernel. */
  readonly kernel: WarpingKernelSpec;
  /** The mask kernel, or `null` to use `kernel`'s footprint for the mask. */
  readonly maskKernel: WarpingKernelSpec | null;
  /** Tabulated weights of `kernel`, or `null` for exact weights. */
  readonly table: WarpingWeightTable | null;
  /** Tabulated weights of `maskKernel`, or `null`. */
  readonly maskTable: WarpingWeightTable | null;
  /** Source positions every this many destination pixels, linear in between (1 = every pixel). */
  readonly interpLength: number;
  /** Mask bits taken over the whole footprint of `kernel` even when `maskKernel` is set. */
  readonly growFullMask: number;
  /** Image value where no source covers. */
  readonly padImage: number;
  /** Variance value where no source covers. */
  readonly padVariance: number;
  /** Mask value where no source covers. */
  readonly padMask: number;
  /** Multiply by the source area of a destination pixel (flux per pixel conserved). */
  readonly conserveFlux: boolean;
  /** Destination → source positions; used when `srcX`/`srcY` are `null`. */
  readonly transform: WarpPositionTransform | null;
  /** Precomputed source x of every destination pixel (`dest.width * dest.height`, row-major), or `null`. */
  readonly srcX: Float64Array | null;
  /** Precomputed source y of every destination pixel, or `null`. */
  readonly srcY: Float64Array | null;
}

/**
 * Source positions of destination rows, one row at a time, from exact positions on a grid of nodes
 * every `interpLength` pixels (starting at row/column -1, ending at the last row/column) and
 * bilinear interpolation in between: afw's interpolation bands.
 */
class PositionRows {
  readonly #job: WarpCoreJob;
  readonly #nodeCols: Int32Array;
  readonly #nodeRows: Int32Array;
  #topX: Float64Array;
  #topY: Float64Array;
  #botX: Float64Array;
  #botY: Float64Array;
  #band = -2;

  constructor(job: WarpCoreJob) {
    this.#job = job;
    const L = job.interpLength;
    this.#nodeCols = nodes(job.dest.width, L);
    this.#nodeRows = nodes(job.dest.height, L);
    const n = this.#nodeCols.length;
    this.#topX = new Float64Array(n);
    this.#topY = new Float64Array(n);
    this.#botX = new Float64Array(n);
    this.#botY = new Float64Array(n);
  }

  /** Fills `xs[c + 1], ys[c + 1]` for columns c = -1 .. width - 1 of LOCAL destination row `row` (≥ -1). */
  fill(row: number, xs: Float64Array, ys: Float64Array): void {
    const L = this.#job.interpLength;
    const band = row < 0 ? 0 : Math.floor(row / L);
    this.#ensureBand(band);
    const r0 = this.#nodeRows[band]!;
    const r1 = this.#nodeRows[band + 1]!;
    const t = (row - r0) / (r1 - r0);
    const cols = this.#nodeCols;
    const tx = this.#topX;
    const ty = this.#topY;
    const bx = this.#botX;
    const by = this.#botY;
    let leftX = tx[0]! + t * (bx[0]! - tx[0]!);
    let leftY = ty[0]! + t * (by[0]! - ty[0]!);
    xs[0] = leftX;
    ys[0] = leftY;
    for (let j = 1; j < cols.length; j++) {
      const rightX = tx[j]! + t * (bx[j]! - tx[j]!);
      const rightY = ty[j]! + t * (by[j]! - ty[j]!);
      const c0 = cols[j - 1]!;
      const c1 = cols[j]!;
      const inv = 1 / (c1 - c0);
      const dx = rightX - leftX;
      const dy = rightY - leftY;
      for (let c = c0 + 1; c < c1; c++) {
        const s = (c - c0) * inv;
        xs[c + 1] = leftX + s * dx;
        ys[c + 1] = leftY + s * dy;
      }
      xs[c1 + 1] = rightX;
      ys[c1 + 1] = rightY;
      leftX = rightX;
      leftY = rightY;
    }
  }

  #ensureBand(band: number): void {
    if (band === this.#band) return;
    if (band === this.#band + 1) {
      // The old bottom node row is the new top one.
      [this.#topX, this.#botX] = [this.#botX, this.#topX];
      [this.#topY, this.#botY] = [this.#botY, this.#topY];
    } else {
      this.#nodeRow(this.#nodeRows[band]!, this.#topX, this.#topY);
    }
    this.#nodeRow(this.#nodeRows[band + 1]!, this.#botX, this.#botY);
    this.#band = band;
  }

  #nodeRow(row: number, xs: Float64Array, ys: Float64Array): void {
    const job = this.#job;
    const cols = this.#nodeCols;
    const py = row + job.dest.y0;
    for (let j = 0; j < cols.length; j++) {
      xs[j] = cols[j]! + job.dest.x0;
      ys[j] = py;
    }
    job.transform!(xs, ys, cols.length);
  }
}

/** Node indices -1, -1 + L, ..., clamped to n - 1 (at least two nodes). */
function nodes(n: number, L: number): Int32Array {
  const count = 1 + Math.ceil(n / L);
  const out = new Int32Array(count);
  for (let k = 0; k < count; k++) out[k] = Math.min(-1 + k * L, n - 1);
  return out;
}

/**
 * Fills precomputed source positions (row-major per destination pixel) for LOCAL row `row` into
 * the `xs[c + 1]` layout; column -1 and row -1 are extrapolated linearly from their neighbours.
 */
function fillPrecomputedRow(job: WarpCoreJob, row: number, xs: Float64Array, ys: Float64Array): void {
  const w = job.dest.width;
  const h = job.dest.height;
  const sx = job.srcX!;
  const sy = job.srcY!;
  if (row >= 0) {
    const o = row * w;
    for (let c = 0; c < w; c++) {
      xs[c + 1] = sx[o + c]!;
      ys[c + 1] = sy[o + c]!;
    }
  } else {
    const o1 = h > 1 ? w : 0;
    for (let c = 0; c < w; c++) {
      xs[c + 1] = 2 * sx[c]! - sx[o1 + c]!;
      ys[c + 1] = 2 * sy[c]! - sy[o1 + c]!;
    }
  }
  if (w > 1) {
    xs[0] = 2 * xs[1]! - xs[2]!;
    ys[0] = 2 * ys[1]! - ys[2]!;
  } else {
    xs[0] = xs[1]!;
    ys[0] = ys[1]!;
  }
}

/**
 * Warps LOCAL destination rows `rowStart` (inclusive) to `rowEnd` (exclusive): for each
 * destination pixel, the source position (exact on the node grid, interpolated in between), the
 * separable kernel at its fractional part, the kernel-weighted sum normalised by the kernel sum
 * and multiplied by the relative area `|det J|` (from the positions of the pixel and of its
 * left and upper neighbours, as afw); the variance with the squared weights and the squared
 * factor; the mask as the OR over the kernel footprint (or over `maskKernel`'s footprint plus the
 * `growFullMask` bits over the full one). Where the kernel does not fit inside the source, the
 * pad values.
 *
 * @param job - the checked job
 * @param rowStart - first LOCAL destination row
 * @param rowEnd - one past the last row
 * @returns the number of destination pixels that got a value from the source
 * @example
 * ```ts
 * // see warpPlanes in warp.ts for the checked entry point
 * ```
 * @see lsst.afw.math.warpImage
 */
export function warpRowsCore(job: WarpCoreJob, rowStart: number, rowEnd: number): number {
  const { src, dest, kernel, maskKernel, table, maskTable } = job;
  const width = dest.width;
  const kw = kernel.width;
  const kctr = kernel.ctr;
  const mkw = maskKernel === null ? 0 : maskKernel.width;
  const mctr = maskKernel === null ? 0 : maskKernel.ctr;
  // Good source pixels floor(x): the whole kernel inside the source (afw's shrinkBBox).
  const ixMin = kctr;
  const ixMax = src.width - kw + kctr;
  const iyMin = kctr;
  const iyMax = src.height - kw + kctr;
  const srcImage = src.image;
  const srcVar = src.variance;
  const srcMask = src.mask;
  const sStride = src.stride;
  const dImage = dest.image;
  const dVar = dest.variance;
  const dMask = dest.mask;
  const dStride = dest.stride;
  const growFull = job.growFullMask;
  const wantFullMask = dMask !== null && srcMask !== null && (maskKernel === null || growFull !== 0);
  const wx = new Float64Array(kw);
  const wy = new Float64Array(kw);
  const mwx = new Float64Array(Math.max(mkw, 1));
  const mwy = new Float64Array(Math.max(mkw, 1));
  let prevX = new Float64Array(width + 1);
  let prevY = new Float64Array(width + 1);
  let curX = new Float64Array(width + 1);
  let curY = new Float64Array(width + 1);
  const rows = job.srcX === null ? new PositionRows(job) : null;
  const fill = (row: number, xs: Float64Array, ys: Float64Array): void => {
    if (rows !== null) rows.fill(row, xs, ys);
    else fillPrecomputedRow(job, row, xs, ys);
  };
  fill(rowStart - 1, prevX, prevY);
  const tw = table === null ? null : table.weights;
  const ts = table === null ? null : table.sums;
  const tScale = table === null ? 0 : table.size - 1;
  const mtw = maskTable === null ? null : maskTable.weights;
  const mtScale = maskTable === null ? 0 : maskTable.size - 1;
  let good = 0;
  for (let row = rowStart; row < rowEnd; row++) {
    fill(row, curX, curY);
    const dRow = row * dStride;
    for (let c = 0; c < width; c++) {
      const di = dRow + c;
      const px = curX[c + 1]!;
      const py = curY[c + 1]!;
      const sxl = px - src.x0;
      const syl = py - src.y0;
      let ix = Math.floor(sxl);
      let iy = Math.floor(syl);
      let fx = sxl - ix;
      let fy = syl - iy;
      // A position within 1e-9 of a whole pixel (WCS round trips) is that pixel: otherwise the
      // kernel would reach one pixel further and an identity warp would lose its edge pixels
      // and smear its mask bits.
      if (fx > 1 - SNAP_EPS) {
        ix++;
        fx = 0;
      } else if (fx < SNAP_EPS) {
        fx = 0;
      }
      if (fy > 1 - SNAP_EPS) {
        iy++;
        fy = 0;
      } else if (fy < SNAP_EPS) {
        fy = 0;
      }
      // NaN positions fail these comparisons too.
      if (!(ix >= ixMin && ix <= ixMax && iy >= iyMin && iy <= iyMax)) {
        dImage[di] = job.padImage;
        if (dVar !== null) dVar[di] = job.padVariance;
        if (dMask !== null) dMask[di] = job.padMask;
        continue;
      }
      let kSum: number;
      if (tw === null) {
        kSum = fillWarpingWeights(kernel, fx, wx, 0) * fillWarpingWeights(kernel, fy, wy, 0);
      } else {
        const ex = ((fx * tScale + 0.5) | 0) * kw;
        const ey = ((fy * tScale + 0.5) | 0) * kw;
        for (let j = 0; j < kw; j++) {
          wx[j] = tw[ex + j]!;
          wy[j] = tw[ey + j]!;
        }
        kSum = ts![ex / kw]! * ts![ey / kw]!;
      }
      let area = 1;
      if (job.conserveFlux) {
        const ax = px - curX[c]!;
        const ay = py - curY[c]!;
        const bx = px - prevX[c + 1]!;
        const by = py - prevY[c + 1]!;
        area = Math.abs(ax * by - ay * bx);
      }
      const scale = area / kSum;
      const base = (iy - kctr) * sStride + (ix - kctr);
      let acc = 0;
      let accVar = 0;
      let full = 0;
      if (kw === 6) {
        // Lanczos3, the coadd default: the taps in locals (2-3x faster than the generic loop).
        const w0 = wx[0]!, w1 = wx[1]!, w2 = wx[2]!, w3 = wx[3]!, w4 = wx[4]!, w5 = wx[5]!;
        for (let ky = 0, o = base; ky < 6; ky++, o += sStride) {
          const wyk = wy[ky]!;
          acc += wyk * (w0 * srcImage[o]! + w1 * srcImage[o + 1]! + w2 * srcImage[o + 2]! + w3 * srcImage[o + 3]! + w4 * srcImage[o + 4]! + w5 * srcImage[o + 5]!);
        }
        if (srcVar !== null) {
          const q0 = w0 * w0, q1 = w1 * w1, q2 = w2 * w2, q3 = w3 * w3, q4 = w4 * w4, q5 = w5 * w5;
          for (let ky = 0, o = base; ky < 6; ky++, o += sStride) {
            const wyk = wy[ky]!;
            accVar += wyk * wyk * (q0 * srcVar[o]! + q1 * srcVar[o + 1]! + q2 * srcVar[o + 2]! + q3 * srcVar[o + 3]! + q4 * srcVar[o + 4]! + q5 * srcVar[o + 5]!);
          }
        }
        if (wantFullMask) {
          for (let ky = 0, o = base; ky < 6; ky++, o += sStride) {
            if (wy[ky] === 0) continue;
            if (w0 !== 0) full |= srcMask![o]!;
            if (w1 !== 0) full |= srcMask![o + 1]!;
            if (w2 !== 0) full |= srcMask![o + 2]!;
            if (w3 !== 0) full |= srcMask![o + 3]!;
            if (w4 !== 0) full |= srcMask![o + 4]!;
            if (w5 !== 0) full |= srcMask![o + 5]!;
          }
        }
      } else {
        for (let ky = 0, o = base; ky < kw; ky++, o += sStride) {
          const wyk = wy[ky]!;
          let rowAcc = 0;
          for (let kx = 0; kx < kw; kx++) rowAcc += wx[kx]! * srcImage[o + kx]!;
          acc += wyk * rowAcc;
          if (srcVar !== null) {
            let rowVar = 0;
            for (let kx = 0; kx < kw; kx++) {
              const w = wx[kx]!;
              rowVar += w * w * srcVar[o + kx]!;
            }
            accVar += wyk * wyk * rowVar;
          }
          if (wantFullMask && wyk !== 0) {
            for (let kx = 0; kx < kw; kx++) if (wx[kx] !== 0) full |= srcMask![o + kx]!;
          }
        }
      }
      dImage[di] = acc * scale;
      if (dVar !== null) dVar[di] = srcVar === null ? 0 : accVar * scale * scale;
      if (dMask !== null) {
        if (srcMask === null) {
          dMask[di] = 0;
        } else if (maskKernel === null) {
          dMask[di] = full;
        } else {
          if (mtw === null) {
            fillWarpingWeights(maskKernel, fx, mwx, 0);
            fillWarpingWeights(maskKernel, fy, mwy, 0);
          } else {
            const ex = ((fx * mtScale + 0.5) | 0) * mkw;
            const ey = ((fy * mtScale + 0.5) | 0) * mkw;
            for (let j = 0; j < mkw; j++) {
              mwx[j] = mtw[ex + j]!;
              mwy[j] = mtw[ey + j]!;
            }
          }
          let m = full & growFull;
          const mbase = (iy - mctr) * sStride + (ix - mctr);
          for (let ky = 0; ky < mkw; ky++) {
            if (mwy[ky] === 0) continue;
            const o = mbase + ky * sStride;
            for (let kx = 0; kx < mkw; kx++) if (mwx[kx] !== 0) m |= srcMask[o + kx]!;
          }
          dMask[di] = m;
        }
      }
      good++;
    }
    [prevX, curX] = [curX, prevX];
    [prevY, curY] = [curY, prevY];
  }
  return good;
}
