import { ellipticalGaussianRow } from '@skystack/afw-image';
import { Point2D } from '@skystack/geom';
import { Field } from '@skystack/pex-config';
import { BasePlugin } from '../base-plugin.js';
import { MeasurementError } from '../errors.js';
import { ExecutionOrder, MeasurementPluginConfig, type MeasurementContext, type MeasurementPluginOptions } from '../measurement-plugin.js';
import { SafeCentroidExtractor } from '../safe-centroid-extractor.js';

/**
 * Config of {@link SdssShapePlugin}.
 *
 * @see lsst.meas.base.SdssShapeControl
 */
export class SdssShapeConfig extends MeasurementPluginConfig {
  /** A constant background subtracted from the pixels first (counts). */
  background = Field.float({ doc: 'Additional value to add to background', default: 0 });
  /** The most iterations of the adaptive loop. */
  maxIter = Field.int({ doc: 'Maximum number of iterations', default: 100 });
  /** The largest allowed centroid shift (pixels), limited to 2–10. */
  maxShift = Field.float({ doc: 'Maximum centroid shift, limited to 2-10', default: 0 });
  /** Convergence tolerance on the ellipticity components. */
  tol1 = Field.float({ doc: 'Convergence tolerance for e1,e2', default: 1e-5 });
  /** Convergence tolerance on the size (relative change of `det(W)^(1/4)`). */
  tol2 = Field.float({ doc: 'Convergence tolerance for FWHM', default: 1e-4 });
  /** Also record the PSF's moments at the source (`_psf_xx` ...). */
  doMeasurePsf = Field.bool({ doc: 'Whether to also compute the shape of the PSF model', default: true });
}

const FLAGS = [
  { name: 'flag_unweightedBad', doc: 'Both weighted and unweighted moments were invalid' },
  { name: 'flag_unweighted', doc: 'Weighted moments converged to an invalid value; using unweighted moments' },
  { name: 'flag_shift', doc: 'centroid shifted by more than the maximum allowed amount' },
  { name: 'flag_maxIter', doc: 'Too many iterations in adaptive moments' },
  { name: 'flag_psf', doc: 'Failure in measuring PSF model shape' },
] as const;

/**
 * `base_SdssShape`: adaptive second moments (SDSS's algorithm). The weight is an elliptical
 * Gaussian; each pass measures the weighted moments `M` and sets the weight to
 * `W = (M⁻¹ − W⁻¹)⁻¹`, which is the source's own covariance for a Gaussian source, until the
 * ellipticity and size change by less than `tol1`/`tol2`. The centroid is refined in the same
 * loop (`_x`, `_y`). The reported moments are those of the converged weight (σ² for a circular
 * Gaussian of width σ). The flux is the amplitude of the weight fitted to the pixels times
 * `2π √det W`.
 *
 * Errors come from the Fisher matrix of the Gaussian model (amplitude and the three moments)
 * with the variance plane. When the loop does not converge to a positive-definite weight, the
 * unweighted moments inside the weight box are used (`flag_unweighted`), or, when those are
 * invalid too, `flag_unweightedBad`.
 *
 * Fields: `_xx`, `_yy`, `_xy` (D, pixel²), `_xxErr`, `_yyErr`, `_xyErr` (F), `_x`, `_y` (D,
 * pixel), `_instFlux`, `_instFluxErr` (D, count), `_psf_xx`, `_psf_yy`, `_psf_xy` (D, pixel²),
 * the flags, and the `_flag_badCentroid` alias.
 *
 * @example
 * ```ts
 * record.get('base_SdssShape_xx'); // σ² for a Gaussian star
 * ```
 * @see lsst.meas.base.SdssShapeAlgorithm
 */
export class SdssShapePlugin extends BasePlugin<SdssShapeConfig> {
  /** The config class. */
  static readonly ConfigClass = SdssShapeConfig;
  /** Shapes run after centroids. */
  static readonly executionOrder = ExecutionOrder.SHAPE_ORDER;
  readonly #centroid: SafeCentroidExtractor;
  #fixedPsfShape: [number, number, number] | undefined;
  readonly #f = new Float64Array(16);

  /**
   * Adds the fields.
   *
   * @param options - config, name, schema
   */
  constructor(options: MeasurementPluginOptions<SdssShapeConfig>) {
    super(options, ExecutionOrder.SHAPE_ORDER, FLAGS);
    this.addField('xx', 'D', 'elliptical Gaussian adaptive moments', 'pixel^2');
    this.addField('yy', 'D', 'elliptical Gaussian adaptive moments', 'pixel^2');
    this.addField('xy', 'D', 'elliptical Gaussian adaptive moments', 'pixel^2');
    this.addField('xxErr', 'F', 'Standard deviation of xx moment', 'pixel^2');
    this.addField('yyErr', 'F', 'Standard deviation of yy moment', 'pixel^2');
    this.addField('xyErr', 'F', 'Standard deviation of xy moment', 'pixel^2');
    this.addField('x', 'D', 'elliptical Gaussian adaptive moments', 'pixel');
    this.addField('y', 'D', 'elliptical Gaussian adaptive moments', 'pixel');
    this.addField('instFlux', 'D', 'elliptical Gaussian adaptive moments', 'count');
    this.addField('instFluxErr', 'D', '1-sigma instFlux uncertainty', 'count');
    this.addField('psf_xx', 'D', 'adaptive moments of the PSF model at the object position', 'pixel^2');
    this.addField('psf_yy', 'D', 'adaptive moments of the PSF model at the object position', 'pixel^2');
    this.addField('psf_xy', 'D', 'adaptive moments of the PSF model at the object position', 'pixel^2');
    this.#centroid = new SafeCentroidExtractor(options.schema, options.name);
  }

  /**
   * Binds the columns and the centroid slot; the moments of a fixed PSF are computed once.
   *
   * @param ctx - the run's context
   */
  override begin(ctx: MeasurementContext): void {
    super.begin(ctx);
    this.#centroid.begin(ctx);
    this.#fixedPsfShape = undefined;
    if (ctx.psf !== null && ctx.psf.isFixed()) {
      const q = ctx.psf.computeShape();
      this.#fixedPsfShape = [q.ixx, q.iyy, q.ixy];
    }
  }

  /**
   * Measures one source.
   *
   * @param index - the record's row
   * @param ctx - the run's context
   * @throws {@link MeasurementError} when neither weighted nor unweighted moments are valid
   */
  measure(index: number, ctx: MeasurementContext): void {
    const [x0, y0] = this.#centroid.get(index, ctx, this.flags);
    const col = (s: string): Float64Array | Float32Array | Int32Array => this.column(s);
    for (const s of ['xx', 'yy', 'xy', 'xxErr', 'yyErr', 'xyErr', 'x', 'y', 'instFlux', 'instFluxErr', 'psf_xx', 'psf_yy', 'psf_xy']) col(s)[index] = NaN;
    if (this.config.doMeasurePsf) this.#psfShape(index, ctx, x0, y0);
    const { background: bkg, maxIter, tol1, tol2 } = this.config;
    const maxShift = Math.min(10, Math.max(2, this.config.maxShift));
    const img = ctx.image;
    const stride = ctx.imageStride;
    let xc = x0;
    let yc = y0;
    let wxx = 1.5;
    let wyy = 1.5;
    let wxy = 0;
    let converged = false;
    let ok = true;
    let iter = 0;
    for (; iter < maxIter; iter++) {
      const det = wxx * wyy - wxy * wxy;
      const ixx = wyy / det;
      const iyy = wxx / det;
      const ixy = -wxy / det;
      const box = this.#box(ctx, xc, yc, wxx, wyy);
      if (box === undefined) {
        ok = false;
        break;
      }
      const [bx0, by0, bx1, by1] = box;
      let s0 = 0;
      let sx = 0;
      let sy = 0;
      let sxx = 0;
      let syy = 0;
      let sxy = 0;
      const bw = bx1 - bx0 + 1;
      const weights = this.#weightRow(bw);
      const step = Math.exp(-ixx);
      for (let y = by0; y <= by1; y++) {
        const dy = y - yc;
        const row = (y - ctx.y0) * stride - ctx.x0;
        // (the weight exp(-½ (x - c)ᵀ W⁻¹ (x - c)) of the row's pixels, four exponentials a row)
        ellipticalGaussianRow(weights, bw, bx0 - xc, dy, ixx, ixy, iyy, step);
        for (let x = bx0; x <= bx1; x++) {
          const dx = x - xc;
          const w = weights[x - bx0]! * (img[row + x]! - bkg);
          s0 += w;
          sx += w * dx;
          sy += w * dy;
          sxx += w * dx * dx;
          syy += w * dy * dy;
          sxy += w * dx * dy;
        }
      }
      if (!(s0 > 0)) {
        ok = false;
        break;
      }
      const mux = sx / s0;
      const muy = sy / s0;
      const mxx = sxx / s0 - mux * mux;
      const myy = syy / s0 - muy * muy;
      const mxy = sxy / s0 - mux * muy;
      const mdet = mxx * myy - mxy * mxy;
      if (!(mdet > 0) || !(mxx > 0)) {
        ok = false;
        break;
      }
      // W_new⁻¹ = M⁻¹ − W⁻¹
      const nixx = myy / mdet - ixx;
      const niyy = mxx / mdet - iyy;
      const nixy = -mxy / mdet - ixy;
      const ndet = nixx * niyy - nixy * nixy;
      if (!(ndet > 0) || !(nixx > 0)) {
        ok = false;
        break;
      }
      const nwxx = niyy / ndet;
      const nwyy = nixx / ndet;
      const nwxy = -nixy / ndet;
      // centroid step: δ = W_new M⁻¹ μ
      const gx = (myy * mux - mxy * muy) / mdet;
      const gy = (mxx * muy - mxy * mux) / mdet;
      const ddx = nwxx * gx + nwxy * gy;
      const ddy = nwxy * gx + nwyy * gy;
      xc += ddx;
      yc += ddy;
      const e1 = (wxx - wyy) / (wxx + wyy);
      const e2 = (2 * wxy) / (wxx + wyy);
      const ne1 = (nwxx - nwyy) / (nwxx + nwyy);
      const ne2 = (2 * nwxy) / (nwxx + nwyy);
      const size = Math.pow(det, 0.25);
      const nsize = Math.pow(nwxx * nwyy - nwxy * nwxy, 0.25);
      wxx = nwxx;
      wyy = nwyy;
      wxy = nwxy;
      if (Math.hypot(xc - x0, yc - y0) > maxShift) {
        this.flags.set(index, 'flag_shift');
        this.flags.set(index, 'flag');
        xc = x0;
        yc = y0;
      }
      if (Math.abs(ne1 - e1) < tol1 && Math.abs(ne2 - e2) < tol1 && Math.abs(nsize / size - 1) < tol2 && Math.hypot(ddx, ddy) < 1e-4) {
        converged = true;
        break;
      }
    }
    if (!ok) {
      this.#unweighted(index, ctx, x0, y0);
      return;
    }
    if (!converged) {
      this.flags.set(index, 'flag_maxIter');
      this.flags.set(index, 'flag');
    }
    col('xx')[index] = wxx;
    col('yy')[index] = wyy;
    col('xy')[index] = wxy;
    col('x')[index] = xc;
    col('y')[index] = yc;
    this.#fluxAndErrors(index, ctx, xc, yc, wxx, wyy, wxy);
  }

  /** The pixel box of ±4σ of the weight about (xc, yc), clipped to the image; undefined when empty. */
  #box(ctx: MeasurementContext, xc: number, yc: number, wxx: number, wyy: number): [number, number, number, number] | undefined {
    const r = Math.ceil(4 * Math.sqrt(Math.max(wxx, wyy)));
    if (!(r < 1000)) return undefined;
    const bx0 = Math.max(ctx.x0, Math.floor(xc + 0.5) - r);
    const by0 = Math.max(ctx.y0, Math.floor(yc + 0.5) - r);
    const bx1 = Math.min(ctx.x0 + ctx.width - 1, Math.floor(xc + 0.5) + r);
    const by1 = Math.min(ctx.y0 + ctx.height - 1, Math.floor(yc + 0.5) + r);
    return bx0 > bx1 || by0 > by1 ? undefined : [bx0, by0, bx1, by1];
  }

  #psfShape(index: number, ctx: MeasurementContext, x: number, y: number): void {
    let q = this.#fixedPsfShape;
    if (q === undefined) {
      if (ctx.psf === null || !Number.isFinite(x) || !Number.isFinite(y)) {
        this.flags.set(index, 'flag_psf');
        return;
      }
      try {
        const s = ctx.psf.computeShape(new Point2D(x, y));
        q = [s.ixx, s.iyy, s.ixy];
      } catch {
        this.flags.set(index, 'flag_psf');
        return;
      }
    }
    this.column('psf_xx')[index] = q[0];
    this.column('psf_yy')[index] = q[1];
    this.column('psf_xy')[index] = q[2];
  }

  /** Unweighted moments in a box around the start position; the fallback when the adaptive loop fails. */
  #unweighted(index: number, ctx: MeasurementContext, x0: number, y0: number): void {
    this.flags.set(index, 'flag');
    const psf = this.#fixedPsfShape;
    const box = this.#box(ctx, x0, y0, psf?.[0] ?? 4, psf?.[1] ?? 4);
    let s0 = 0;
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let syy = 0;
    let sxy = 0;
    if (box !== undefined) {
      const bkg = this.config.background;
      for (let y = box[1]; y <= box[3]; y++) {
        const row = (y - ctx.y0) * ctx.imageStride - ctx.x0;
        for (let x = box[0]; x <= box[2]; x++) {
          const v = ctx.image[row + x]! - bkg;
          const dx = x - x0;
          const dy = y - y0;
          s0 += v;
          sx += v * dx;
          sy += v * dy;
          sxx += v * dx * dx;
          syy += v * dy * dy;
          sxy += v * dx * dy;
        }
      }
    }
    const mx = sx / s0;
    const my = sy / s0;
    const mxx = sxx / s0 - mx * mx;
    const myy = syy / s0 - my * my;
    const mxy = sxy / s0 - mx * my;
    if (!(s0 > 0) || !(mxx > 0) || !(myy > 0) || !(mxx * myy - mxy * mxy > 0)) {
      throw new MeasurementError(`${this.name}: both weighted and unweighted moments are invalid at (${x0}, ${y0}).`, 'flag_unweightedBad');
    }
    this.flags.set(index, 'flag_unweighted');
    this.column('xx')[index] = mxx;
    this.column('yy')[index] = myy;
    this.column('xy')[index] = mxy;
    this.column('x')[index] = x0;
    this.column('y')[index] = y0;
  }

  #weights = new Float64Array(256);

  /** A scratch array of at least `n` weights (grown when needed). */
  #weightRow(n: number): Float64Array {
    if (this.#weights.length < n) this.#weights = new Float64Array(Math.max(n, 2 * this.#weights.length));
    return this.#weights;
  }

  /** The flux (amplitude of the weight × 2π√det W) and the Fisher-matrix errors of the moments. */
  #fluxAndErrors(index: number, ctx: MeasurementContext, xc: number, yc: number, wxx: number, wyy: number, wxy: number): void {
    const det = wxx * wyy - wxy * wxy;
    const ixx = wyy / det;
    const iyy = wxx / det;
    const ixy = -wxy / det;
    const box = this.#box(ctx, xc, yc, wxx, wyy)!;
    const bkg = this.config.background;
    // the weights of the box, row by row (both sums below use them)
    const bw = box[2] - box[0] + 1;
    const bh = box[3] - box[1] + 1;
    const weights = this.#weightRow(bw * bh);
    const e2 = Math.exp(-ixx);
    for (let j = 0; j < bh; j++) ellipticalGaussianRow(weights, bw, box[0] - xc, box[1] + j - yc, ixx, ixy, iyy, e2, j * bw);
    let swi = 0;
    let sww = 0;
    let swwv = 0;
    for (let y = box[1]; y <= box[3]; y++) {
      const row = (y - ctx.y0) * ctx.imageStride - ctx.x0;
      const vrow = (y - ctx.y0) * ctx.varianceStride - ctx.x0;
      const wrow = (y - box[1]) * bw - box[0];
      for (let x = box[0]; x <= box[2]; x++) {
        const w = weights[wrow + x]!;
        swi += w * (ctx.image[row + x]! - bkg);
        sww += w * w;
        swwv += w * w * ctx.variance[vrow + x]!;
      }
    }
    const norm = 2 * Math.PI * Math.sqrt(det);
    const amp = swi / sww;
    this.column('instFlux')[index] = amp * norm;
    this.column('instFluxErr')[index] = (norm * Math.sqrt(swwv)) / sww;
    // Fisher matrix of (A, wxx, wyy, wxy) for m = A exp(-q/2).
    const f = this.#f.fill(0);
    for (let y = box[1]; y <= box[3]; y++) {
      const dy = y - yc;
      const vrow = (y - ctx.y0) * ctx.varianceStride - ctx.x0;
      const wrow = (y - box[1]) * bw - box[0];
      for (let x = box[0]; x <= box[2]; x++) {
        const v = ctx.variance[vrow + x]!;
        if (!(v > 0)) continue;
        const dx = x - xc;
        const e = weights[wrow + x]!;
        const ux = ixx * dx + ixy * dy;
        const uy = ixy * dx + iyy * dy;
        const m = amp * e;
        const g0 = e;
        const g1 = 0.5 * m * ux * ux;
        const g2 = 0.5 * m * uy * uy;
        const g3 = m * ux * uy;
        const iv = 1 / v;
        f[0]! += g0 * g0 * iv;
        f[1]! += g0 * g1 * iv;
        f[2]! += g0 * g2 * iv;
        f[3]! += g0 * g3 * iv;
        f[5]! += g1 * g1 * iv;
        f[6]! += g1 * g2 * iv;
        f[7]! += g1 * g3 * iv;
        f[10]! += g2 * g2 * iv;
        f[11]! += g2 * g3 * iv;
        f[15]! += g3 * g3 * iv;
      }
    }
    f[4] = f[1]!;
    f[8] = f[2]!;
    f[9] = f[6]!;
    f[12] = f[3]!;
    f[13] = f[7]!;
    f[14] = f[11]!;
    const inv = invert4(f);
    this.column('xxErr')[index] = inv === undefined ? NaN : Math.sqrt(inv[5]!);
    this.column('yyErr')[index] = inv === undefined ? NaN : Math.sqrt(inv[10]!);
    this.column('xyErr')[index] = inv === undefined ? NaN : Math.sqrt(inv[15]!);
  }
}

/** Inverse of a symmetric positive-definite 4×4 matrix by Gauss–Jordan; undefined when singular. */
function invert4(m: Float64Array): Float64Array | undefined {
  const a = Float64Array.from(m);
  const inv = new Float64Array(16);
  for (let i = 0; i < 4; i++) inv[i * 5] = 1;
  for (let c = 0; c < 4; c++) {
    let p = c;
    for (let r = c + 1; r < 4; r++) if (Math.abs(a[r * 4 + c]!) > Math.abs(a[p * 4 + c]!)) p = r;
    const pivot = a[p * 4 + c]!;
    if (!(Math.abs(pivot) > 0)) return undefined;
    if (p !== c) {
      for (let k = 0; k < 4; k++) {
        [a[p * 4 + k], a[c * 4 + k]] = [a[c * 4 + k]!, a[p * 4 + k]!];
        [inv[p * 4 + k], inv[c * 4 + k]] = [inv[c * 4 + k]!, inv[p * 4 + k]!];
      }
    }
    for (let k = 0; k < 4; k++) {
      a[c * 4 + k]! /= pivot;
      inv[c * 4 + k]! /= pivot;
    }
    for (let r = 0; r < 4; r++) {
      if (r === c) continue;
      const factor = a[r * 4 + c]!;
      if (factor === 0) continue;
      for (let k = 0; k < 4; k++) {
        a[r * 4 + k]! -= factor * a[c * 4 + k]!;
        inv[r * 4 + k]! -= factor * inv[c * 4 + k]!;
      }
    }
  }
  return inv;
}
