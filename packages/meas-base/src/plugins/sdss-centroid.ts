import { Point2D } from '@skystack/geom';
import { Field } from '@skystack/pex-config';
import { BasePlugin } from '../base-plugin.js';
import { FatalAlgorithmError, MeasurementError } from '../errors.js';
import { ExecutionOrder, MeasurementPluginConfig, type MeasurementContext, type MeasurementPluginOptions } from '../measurement-plugin.js';

/**
 * Config of {@link SdssCentroidPlugin}.
 *
 * @see lsst.meas.base.SdssCentroidControl
 */
export class SdssCentroidConfig extends MeasurementPluginConfig {
  /** Reset the centroid to the peak when it falls outside the footprint. */
  doFootprintCheck = Field.bool({ doc: 'Do check that the centroid is contained in footprint.', default: true });
  /** Reset the centroid to the peak when it moved farther than this (pixels); ≤ 0 disables the check. */
  maxDistToPeak = Field.float({ doc: 'If set > 0, Centroid Check also checks distance from footprint peak.', default: -1 });
}

const FLAGS = [
  { name: 'flag_edge', doc: 'Object too close to edge; peak used.' },
  { name: 'flag_noSecondDerivative', doc: 'Vanishing second derivative' },
  { name: 'flag_almostNoSecondDerivative', doc: 'Almost vanishing second derivative' },
  { name: 'flag_notAtMaximum', doc: 'Object is not at a maximum' },
  { name: 'flag_resetToPeak', doc: 'set if CentroidChecker reset the centroid' },
  { name: 'flag_badError', doc: 'Error on x and/or y position is NaN' },
] as const;

/** 1-D quartic-corrected peak of three samples (SDSS's `inter4`): NaN when not a usable maximum. */
function inter4(vm: number, v0: number, vp: number): number {
  const sp = v0 - vp;
  const sm = v0 - vm;
  const d2 = sp + sm;
  if (!(d2 > 0) || !(v0 > 0)) return NaN;
  const cen = ((0.5 * (vp - vm)) / d2) * (1 + ((4 / 3) * Math.abs(sp * sm)) / (d2 * v0));
  return Math.abs(cen) < 1 ? cen : NaN;
}

/**
 * The sub-pixel offset of the maximum of a 3×3 block of smoothed values (row-major, `s[4]` the
 * centre): quadratic first guess, then quartic-corrected maxima of the three rows and columns
 * interpolated to the first guess (twice). Writes `[dx, dy]` to `out`.
 *
 * @returns 0, or the flag that explains why there is no maximum
 */
function fit3x3(s: Float64Array, out: Float64Array): 0 | 'flag_noSecondDerivative' | 'flag_notAtMaximum' | 'flag_almostNoSecondDerivative' {
  const d2x = 2 * s[4]! - s[3]! - s[5]!;
  const d2y = 2 * s[4]! - s[1]! - s[7]!;
  if (d2x === 0 || d2y === 0) return 'flag_noSecondDerivative';
  if (d2x < 0 || d2y < 0) return 'flag_notAtMaximum';
  const dx0 = (0.5 * (s[5]! - s[3]!)) / d2x;
  const dy0 = (0.5 * (s[7]! - s[1]!)) / d2y;
  if (Math.abs(dx0) > 10 || Math.abs(dy0) > 10) return 'flag_almostNoSecondDerivative';
  const m0x = inter4(s[0]!, s[1]!, s[2]!);
  const m1x = inter4(s[3]!, s[4]!, s[5]!);
  const m2x = inter4(s[6]!, s[7]!, s[8]!);
  const m0y = inter4(s[0]!, s[3]!, s[6]!);
  const m1y = inter4(s[1]!, s[4]!, s[7]!);
  const m2y = inter4(s[2]!, s[5]!, s[8]!);
  if (Number.isNaN(m0x + m1x + m2x + m0y + m1y + m2y)) {
    out[0] = dx0;
    out[1] = dy0;
    return 0;
  }
  const smx = 0.5 * (m2x - m0x);
  const smy = 0.5 * (m2y - m0y);
  const dm2x = m1x - 0.5 * (m0x + m2x);
  const dm2y = m1y - 0.5 * (m0y + m2y);
  const dx = m1x + dy0 * (smx - dy0 * dm2x);
  const dy = m1y + dx0 * (smy - dx0 * dm2y);
  out[0] = m1x + dy * (smx - dy * dm2x);
  out[1] = m1y + dx * (smy - dx * dm2y);
  return 0;
}

/**
 * Smooths the 5×5 block whose top-left corner, less `k` rows and columns, is at `base` of `img`
 * with the separable kernel `g` (of half-width `k`): rows into `h` (`(2k + 5) × 5`), then
 * columns into `s5` (row-major).
 */
function smooth5x5(img: ArrayLike<number>, base: number, stride: number, g: Float64Array, k: number, h: Float64Array, s5: Float64Array): void {
  const nRows = 2 * k + 5;
  const nTaps = 2 * k;
  for (let r = 0; r < nRows; r++) {
    const row = base + r * stride;
    for (let c = 0; c < 5; c++) {
      let sum = 0;
      const b = row + c;
      for (let j = 0; j <= nTaps; j++) sum += g[j]! * img[b + j]!;
      h[r * 5 + c] = sum;
    }
  }
  for (let r = 0; r < 5; r++) {
    for (let c = 0; c < 5; c++) {
      let sum = 0;
      for (let j = 0; j <= nTaps; j++) sum += g[j]! * h[(r + j) * 5 + c]!;
      s5[r * 5 + c] = sum;
    }
  }
}

/**
 * The products `K(r - ay) K(r - by)` of the smoothing kernel `g` (half-width `k`) for the rows
 * `r` of the `2k + 3`-row variance region and the row offsets `ay`, `by` (0..2) of two smoothed
 * values (0 where either factor is off the kernel), at `(ay * 3 + by) * (2k + 3) + r`.
 */
function kernelProducts(g: Float64Array, k: number): Float64Array {
  const n = 2 * k + 3;
  const gg = new Float64Array(9 * n);
  for (let ay = 0; ay < 3; ay++) {
    for (let by = 0; by < 3; by++) {
      for (let r = Math.max(ay, by); r <= Math.min(ay, by) + 2 * k; r++) gg[(ay * 3 + by) * n + r] = g[r - ay]! * g[r - by]!;
    }
  }
  return gg;
}

/**
 * The errors of the fit of the smoothed 3×3 block `s3` (whose fit is in `fit`): the Jacobian of
 * the fit (numerical, into `jx`, `jy`) times the covariance of the nine smoothed values (into
 * `cov`, with `t` as scratch; `gg` from {@link kernelProducts}), from the variance region of
 * `2k + 3` rows and columns whose top-left corner is at `vbase` of `v`. Writes `[σx, σy]` to
 * `fit`. Every sum adds the same products in the same order as the plain triple loops would.
 */
function fitErrors(s3: Float64Array, fit: Float64Array, jx: Float64Array, jy: Float64Array, t: Float64Array, cov: Float64Array, v: Float32Array, vbase: number, vs: number, g: Float64Array, gg: Float64Array, k: number): void {
  const x0 = fit[0]!;
  const y0 = fit[1]!;
  let scale = 0;
  for (let a = 0; a < 9; a++) scale = Math.max(scale, Math.abs(s3[a]!));
  const step = scale * 1e-6 || 1e-12;
  for (let a = 0; a < 9; a++) {
    const keep = s3[a]!;
    s3[a] = keep + step;
    fit3x3(s3, fit);
    jx[a] = (fit[0]! - x0) / step;
    jy[a] = (fit[1]! - y0) / step;
    s3[a] = keep;
  }
  // Covariance of smoothed values at offsets a, b in the 3x3: sum_p V(p) K(p - a) K(p - b).
  const n = 2 * k + 3; // rows/cols of the region [c-1-k, c+1+k]
  for (let r = 0; r < n; r++) {
    const row = vbase + r * vs;
    for (let ax = 0; ax < 3; ax++) {
      // column c of the region is offset (c - 1 - k) from the centre; kernel index for offset a
      // is c - ax. The sums for bx = ax, ax + 1, ax + 2 share the product V(c) K(c - ax) and
      // start at c = bx.
      const hi = ax + 2 * k;
      // (every sum starts at 0 and adds its terms in order, as a plain loop would: same bits)
      let s0 = 0;
      s0 += v[row + ax]! * g[0]! * g[0]!;
      let s1 = 0;
      let s2 = 0;
      if (ax < 2) {
        const p1 = v[row + ax + 1]! * g[1]!;
        s0 += p1 * g[1]!;
        s1 += p1 * g[0]!;
        if (ax < 1) {
          for (let c = ax + 2; c <= hi; c++) {
            const pc = v[row + c]! * g[c - ax]!;
            s0 += pc * g[c - ax]!;
            s1 += pc * g[c - ax - 1]!;
            s2 += pc * g[c - ax - 2]!;
          }
        } else {
          for (let c = ax + 2; c <= hi; c++) {
            const pc = v[row + c]! * g[c - ax]!;
            s0 += pc * g[c - ax]!;
            s1 += pc * g[c - ax - 1]!;
          }
        }
      } else {
        for (let c = ax + 1; c <= hi; c++) {
          const pc = v[row + c]! * g[c - ax]!;
          s0 += pc * g[c - ax]!;
        }
      }
      const base = r * 9;
      t[base + ax * 4] = s0;
      if (ax < 2) {
        t[base + ax * 3 + ax + 1] = s1;
        t[base + (ax + 1) * 3 + ax] = s1;
      }
      if (ax < 1) {
        t[base + 2] = s2;
        t[base + 6] = s2;
      }
    }
  }
  for (let a = 0; a < 9; a++) {
    const ay = (a / 3) | 0;
    const ax = a % 3;
    for (let b = a; b < 9; b++) {
      const by = (b / 3) | 0;
      const bx = b % 3;
      let sum = 0;
      const lo = Math.max(ay, by);
      const hi = Math.min(ay, by) + 2 * k;
      // gg[(ay * 3 + by) * n + r] = K(r - ay) K(r - by)
      const gOff = (ay * 3 + by) * n;
      const tOff = ax * 3 + bx;
      for (let r = lo; r <= hi; r++) sum += gg[gOff + r]! * t[r * 9 + tOff]!;
      cov[a * 9 + b] = sum;
      cov[b * 9 + a] = sum;
    }
  }
  let vx = 0;
  let vy = 0;
  for (let a = 0; a < 9; a++) {
    for (let b = 0; b < 9; b++) {
      const c = cov[a * 9 + b]!;
      vx += jx[a]! * jx[b]! * c;
      vy += jy[a]! * jy[b]! * c;
    }
  }
  fit[0] = Math.sqrt(vx);
  fit[1] = Math.sqrt(vy);
}

/**
 * `base_SdssCentroid`: the SDSS centroider. The image near the footprint's peak is smoothed with
 * a circular Gaussian as wide as the PSF (σ from the PSF's determinant radius); the centre is
 * the maximum of the smoothed image found from its 3×3 block around the brightest smoothed
 * pixel: a quadratic first guess refined by quartic-corrected maxima of its rows and columns.
 *
 * Errors are the linear propagation of the variance plane through the smoothing and the
 * estimator (its exact Jacobian with respect to the nine smoothed values and their covariance),
 * so they follow the per-pixel variance. On failure the position is the peak and a flag says
 * why: `flag_edge` (smoothing box off the image), `flag_noSecondDerivative`,
 * `flag_almostNoSecondDerivative`, `flag_notAtMaximum`, `flag_resetToPeak` (centre outside the
 * footprint or farther than `maxDistToPeak`).
 *
 * Sky sources (`sky_source` set) keep their footprint peak, the position the sky object was
 * placed at, with no error and no flag (a SkyStack choice: on blank sky the estimator walks to the
 * nearest maximum of the smoothed noise, which is where a PSF flux is largest, and biases the
 * sky sources' fluxes high by about half their error).
 *
 * Fields: `_x`, `_y` (D, pixel), `_xErr`, `_yErr` (F, pixel) and the flags.
 *
 * @example
 * ```ts
 * config.plugins.names = ['base_SdssCentroid', ...];
 * // after task.run: catalog.get(0).get('base_SdssCentroid_x')
 * ```
 * @see lsst.meas.base.SdssCentroidAlgorithm
 */
export class SdssCentroidPlugin extends BasePlugin<SdssCentroidConfig> {
  /** The config class. */
  static readonly ConfigClass = SdssCentroidConfig;
  /** Centroids run first. */
  static readonly executionOrder = ExecutionOrder.CENTROID_ORDER;
  #sigma = NaN;
  #kernel = new Float64Array(0);
  #half = 0;
  #h = new Float64Array(0);
  readonly #s5 = new Float64Array(25);
  readonly #s3 = new Float64Array(9);
  readonly #fit = new Float64Array(2);
  #sky: Uint8Array | undefined;
  readonly #jx = new Float64Array(9);
  readonly #jy = new Float64Array(9);
  readonly #cov = new Float64Array(81);
  #t = new Float64Array(0);
  #gg: Float64Array = new Float64Array(0);

  /**
   * Adds the fields.
   *
   * @param options - config, name, schema
   */
  constructor(options: MeasurementPluginOptions<SdssCentroidConfig>) {
    super(options, ExecutionOrder.CENTROID_ORDER, FLAGS);
    this.addField('x', 'D', 'centroid from Sdss Centroid algorithm', 'pixel');
    this.addField('y', 'D', 'centroid from Sdss Centroid algorithm', 'pixel');
    this.addField('xErr', 'F', '1-sigma uncertainty on x position', 'pixel');
    this.addField('yErr', 'F', '1-sigma uncertainty on y position', 'pixel');
  }

  /**
   * Binds the columns and, for a PSF that is the same everywhere, makes the smoothing kernel once.
   *
   * @param ctx - the run's context
   * @throws {@link FatalAlgorithmError} when the exposure has no PSF
   */
  override begin(ctx: MeasurementContext): void {
    super.begin(ctx);
    if (ctx.psf === null) throw new FatalAlgorithmError(`${this.name} needs an exposure with a PSF; this one has none.`, { hint: 'Set one with exposure.setPsf(...).' });
    this.#sigma = NaN;
    this.#sky = ctx.catalog.schema.contains('sky_source') ? (ctx.catalog.getColumn('sky_source') as Uint8Array) : undefined;
    if (ctx.psf.isFixed()) this.#setKernel(ctx.psf.computeShape().getDeterminantRadius());
  }

  #setKernel(sigma: number): void {
    if (sigma === this.#sigma) return;
    if (!(sigma > 0)) throw new MeasurementError(`${this.name}: the PSF width is ${sigma}; expected a positive number of pixels.`);
    this.#sigma = sigma;
    const half = Math.max(1, Math.ceil(3 * sigma)) | 0;
    const g = new Float64Array(2 * half + 1);
    let sum = 0;
    for (let j = -half; j <= half; j++) sum += g[j + half] = Math.exp((-0.5 * j * j) / (sigma * sigma));
    for (let j = 0; j < g.length; j++) g[j]! /= sum;
    this.#kernel = g;
    this.#half = half;
    this.#h = new Float64Array((2 * half + 5) * 5);
    this.#t = new Float64Array((2 * half + 3) * 9);
    this.#gg = kernelProducts(g, half);
  }

  /**
   * Measures one source.
   *
   * @param index - the record's row
   * @param ctx - the run's context
   * @throws {@link MeasurementError} with the flag that says why the peak was used
   */
  measure(index: number, ctx: MeasurementContext): void {
    const X = this.column('x');
    const Y = this.column('y');
    const XE = this.column('xErr');
    const YE = this.column('yErr');
    const peak = ctx.peak(index);
    if (peak === undefined) throw new MeasurementError(`${this.name}: record ${index} has no footprint peak to start from.`);
    const [px, py] = peak;
    X[index] = px;
    Y[index] = py;
    XE[index] = NaN;
    YE[index] = NaN;
    if (this.#sky?.[index]) return;
    const psf = ctx.psf!;
    if (!psf.isFixed()) this.#setKernel(psf.computeShape(new Point2D(px, py)).getDeterminantRadius());
    const k = this.#half;
    const g = this.#kernel;
    const ix = Math.floor(px + 0.5);
    const iy = Math.floor(py + 0.5);
    const lx = ix - ctx.x0;
    const ly = iy - ctx.y0;
    if (lx - 2 - k < 0 || ly - 2 - k < 0 || lx + 2 + k >= ctx.width || ly + 2 + k >= ctx.height) {
      throw new MeasurementError(`${this.name}: the source at (${px}, ${py}) is too close to the edge to smooth.`, 'flag_edge');
    }
    // Smooth a 5x5 block centred on the peak pixel (separable).
    const s5 = this.#s5;
    smooth5x5(ctx.image, (ly - 2 - k) * ctx.imageStride + lx - 2 - k, ctx.imageStride, g, k, this.#h, s5);
    // Move to the brightest smoothed pixel of the inner 3x3.
    let bx = 0;
    let by = 0;
    let best = s5[12]!;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const v = s5[(dy + 2) * 5 + dx + 2]!;
        if (v > best) {
          best = v;
          bx = dx;
          by = dy;
        }
      }
    }
    const s3 = this.#s3;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) s3[(dy + 1) * 3 + dx + 1] = s5[(by + dy + 2) * 5 + bx + dx + 2]!;
    const fit = this.#fit;
    const code = fit3x3(s3, fit);
    if (code !== 0) throw new MeasurementError(`${this.name}: no maximum of the smoothed image near (${px}, ${py}).`, code);
    const cx = ix + bx;
    const cy = iy + by;
    const xc = cx + fit[0]!;
    const yc = cy + fit[1]!;
    const fp = ctx.footprint(index);
    const maxDist = this.config.maxDistToPeak;
    if (
      (this.config.doFootprintCheck && fp !== null && !fp.contains(Math.floor(xc + 0.5), Math.floor(yc + 0.5))) ||
      (maxDist > 0 && Math.hypot(xc - px, yc - py) > maxDist)
    ) {
      throw new MeasurementError(`${this.name}: the centroid (${xc}, ${yc}) left the footprint or moved too far from the peak.`, 'flag_resetToPeak');
    }
    X[index] = xc;
    Y[index] = yc;
    const lcx = cx - ctx.x0;
    const lcy = cy - ctx.y0;
    fitErrors(this.#s3, this.#fit, this.#jx, this.#jy, this.#t, this.#cov, ctx.variance, (lcy - 1 - k) * ctx.varianceStride + lcx - 1 - k, ctx.varianceStride, g, this.#gg, k);
    XE[index] = this.#fit[0]!;
    YE[index] = this.#fit[1]!;
    if (!Number.isFinite(this.#fit[0]!) || !Number.isFinite(this.#fit[1]!)) this.flags.set(index, 'flag_badError');
  }
}
