import { KernelsInvalidArgumentError } from './errors.js';
import { planTaps, streamSum, type StreamSumFn, type TapPlan } from './stream-sum.js';

/**
 * Evaluates a separable convolution at chosen pixels only, bit for bit as
 * {@link convolveSeparable} (or, with `squared`, as the variance plane of
 * {@link convolveMaskedImage}) writes them: the same folded tap plan, the same double-precision
 * sums in the same order, rounded once to float32. Used where only a few pixels of a convolved
 * plane are ever read (detection reads the smoothed variance only where the smoothed image may
 * pass its threshold), so that the whole plane need not be convolved.
 *
 * Only pixels the kernel fits around (`ctrX ≤ x ≤ width - kx.length + ctrX`, likewise in y) can
 * be evaluated; the edge band is the caller's (afw fills it with NaN / +Infinity).
 *
 * @example
 * ```ts
 * const k = gaussianKernel1d(1.5, 5);
 * const smoothedVariance = new Float32Array(width * height).fill(Infinity);
 * const ev = new SeparableSpanEvaluator(variance, width, height, k, k, { squared: true });
 * ev.evaluateSpan(smoothedVariance, 100, 40, 60); // row 100, columns 40..60
 * ```
 * @see lsst.afw.math.convolve (separable kernels, spatially invariant)
 */
export class SeparableSpanEvaluator {
  readonly #src: Float32Array;
  readonly #width: number;
  readonly #height: number;
  readonly #ctrX: number;
  readonly #ctrY: number;
  readonly #kw: number;
  readonly #kh: number;
  readonly #px: TapPlan;
  readonly #py: TapPlan;
  readonly #hOffs: Int32Array;
  readonly #vOffs: Int32Array;
  readonly #hSum: StreamSumFn;
  readonly #vSum: StreamSumFn;
  /** The distinct kernel rows (indices into ky) with a non-zero weight. */
  readonly #rows: Int32Array;
  #tmp = new Float64Array(256);

  /**
   * Plans the evaluation.
   *
   * @param src - the input plane, row-major, `width * height` (not copied: later reads see it as it is then)
   * @param width - columns
   * @param height - rows
   * @param kx - kernel along x (centre at `⌊(length - 1) / 2⌋`, as convolveSeparable)
   * @param ky - kernel along y
   * @param options - `squared`: convolve with the squared kernels (a variance plane)
   * @throws {@link KernelsInvalidArgumentError} for bad dimensions, a plane of the wrong length,
   *   or an empty or non-finite kernel
   */
  constructor(src: Float32Array, width: number, height: number, kx: ArrayLike<number>, ky: ArrayLike<number>, options: { readonly squared?: boolean } = {}) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
      throw new KernelsInvalidArgumentError(`Image dimensions must be integers >= 0; got ${width}x${height}.`);
    }
    if (src.length !== width * height) throw new KernelsInvalidArgumentError(`The source array has ${src.length} values; expected ${width * height} (width * height).`);
    const sq = options.squared ?? false;
    const toWeights = (name: string, k: ArrayLike<number>): Float64Array => {
      if (k.length === 0) throw new KernelsInvalidArgumentError(`The kernel ${name} has 0 values; expected at least 1.`);
      const out = new Float64Array(k.length);
      for (let i = 0; i < k.length; i++) {
        const v = k[i]!;
        if (!Number.isFinite(v)) throw new KernelsInvalidArgumentError(`The kernel ${name} has a non-finite value at ${i}: ${v}.`);
        out[i] = sq ? v * v : v;
      }
      return out;
    };
    const wx = toWeights('kx', kx);
    const wy = toWeights('ky', ky);
    this.#src = src;
    this.#width = width;
    this.#height = height;
    this.#kw = wx.length;
    this.#kh = wy.length;
    this.#ctrX = Math.floor((wx.length - 1) / 2);
    this.#ctrY = Math.floor((wy.length - 1) / 2);
    this.#px = planTaps(wx);
    this.#py = planTaps(wy);
    this.#hOffs = Int32Array.from(this.#px.taps);
    this.#vOffs = new Int32Array(this.#py.taps.length);
    // the loops convolveSeparableRows runs for the same array types (float32 in, double ring,
    // float32 out), so each evaluation performs exactly its operations
    this.#hSum = streamSum(this.#px.nPairs, this.#px.nSingles, 'f32>f64');
    this.#vSum = streamSum(this.#py.nPairs, this.#py.nSingles, 'f64>f32');
    this.#rows = Int32Array.from(new Set(this.#py.taps)).sort();
  }

  /**
   * Whether a pixel can be evaluated (the kernel fits around it).
   *
   * @param x - column
   * @param y - row
   * @returns true inside the good area
   */
  inGoodArea(x: number, y: number): boolean {
    return x >= this.#ctrX && x <= this.#width - this.#kw + this.#ctrX && y >= this.#ctrY && y <= this.#height - this.#kh + this.#ctrY;
  }

  /**
   * Writes the convolved values of row `y`, columns `x0..x1` (inclusive), into
   * `out[y * width + x]`.
   *
   * @param out - the output plane (`width * height`)
   * @param y - the row
   * @param x0 - first column
   * @param x1 - last column (inclusive; nothing is written when `x1 < x0`)
   * @throws {@link KernelsInvalidArgumentError} when a pixel is outside the good area or `out`
   *   has the wrong length
   */
  evaluateSpan(out: Float32Array, y: number, x0: number, x1: number): void {
    if (x1 < x0) return;
    if (out.length !== this.#width * this.#height) throw new KernelsInvalidArgumentError(`The output array has ${out.length} values; expected ${this.#width * this.#height}.`);
    if (!this.inGoodArea(x0, y) || !this.inGoodArea(x1, y)) {
      throw new KernelsInvalidArgumentError(`Pixels (${x0}..${x1}, ${y}) are not all inside the area the kernel fits in.`, {
        hint: `Columns ${this.#ctrX}..${this.#width - this.#kw + this.#ctrX}, rows ${this.#ctrY}..${this.#height - this.#kh + this.#ctrY}.`,
      });
    }
    const n = x1 - x0 + 1;
    const kh = this.#kh;
    if (this.#tmp.length < kh * n) this.#tmp = new Float64Array(Math.max(kh * n, 2 * this.#tmp.length));
    const tmp = this.#tmp;
    const width = this.#width;
    const r0 = y - this.#ctrY; // input row of ky[0]
    const rows = this.#rows;
    for (let i = 0; i < rows.length; i++) {
      const j = rows[i]!;
      this.#hSum(this.#src, (r0 + j) * width + x0 - this.#ctrX, tmp, j * n, n, this.#hOffs, this.#px.weights);
    }
    const vOffs = this.#vOffs;
    for (let t = 0; t < vOffs.length; t++) vOffs[t] = this.#py.taps[t]! * n;
    this.#vSum(tmp, 0, out, y * width + x0, n, vOffs, this.#py.weights);
  }
}
