import { Point2D } from '@skystack/geom';
import { ListField } from '@skystack/pex-config';
import { BasePlugin } from '../base-plugin.js';
import { FatalAlgorithmError, MeasurementError } from '../errors.js';
import { ExecutionOrder, MeasurementPluginConfig, type MeasurementContext, type MeasurementPluginOptions } from '../measurement-plugin.js';
import { SafeCentroidExtractor } from '../safe-centroid-extractor.js';

/**
 * Config of {@link PsfFluxPlugin}.
 *
 * @see lsst.meas.base.PsfFluxControl
 */
export class PsfFluxConfig extends MeasurementPluginConfig {
  /** Mask planes whose pixels are left out of the fit. */
  badMaskPlanes = ListField({ doc: 'Mask planes that indicate pixels that should be excluded from the fit', dtype: 'str', default: [] });
}

const FLAGS = [
  { name: 'flag_noGoodPixels', doc: 'not enough non-rejected pixels in data to attempt the fit' },
  { name: 'flag_edge', doc: 'object was too close to the edge of the image to use the full PSF model' },
] as const;

/**
 * `base_PsfFlux`: the flux of the PSF model fitted at the slot centroid by linear least
 * squares with unit weights, `F = Σ m·d / Σ m²` over the pixels of the PSF image (clipped to the
 * exposure, less `badMaskPlanes`), with the error `√(Σ m² v) / Σ m²` from the variance plane,
 * `_chi2 = Σ (d − F m)² / v`, the effective area `(Σ m)² / Σ m²` and the pixel count.
 * A PSF image that sticks out of the exposure sets `flag_edge` and the general flag, but the
 * flux is still measured on the pixels that remain.
 *
 * Fields: `_instFlux`, `_instFluxErr` (D, count), `_area` (F, pixel), `_chi2` (F),
 * `_npixels` (I), the flags and the `_flag_badCentroid` alias.
 *
 * @example
 * ```ts
 * record.get('base_PsfFlux_instFlux'); // counts
 * ```
 * @see lsst.meas.base.PsfFluxAlgorithm
 */
export class PsfFluxPlugin extends BasePlugin<PsfFluxConfig> {
  /** The config class. */
  static readonly ConfigClass = PsfFluxConfig;
  /** Fluxes run after shapes. */
  static readonly executionOrder = ExecutionOrder.FLUX_ORDER;
  readonly #centroid: SafeCentroidExtractor;
  #badBits = 0;

  /**
   * Adds the fields.
   *
   * @param options - config, name, schema
   */
  constructor(options: MeasurementPluginOptions<PsfFluxConfig>) {
    super(options, ExecutionOrder.FLUX_ORDER, FLAGS);
    this.addField('instFlux', 'D', 'instFlux derived from linear least-squares fit of PSF model', 'count');
    this.addField('instFluxErr', 'D', '1-sigma instFlux uncertainty', 'count');
    this.addField('area', 'F', 'effective area of PSF', 'pixel');
    this.addField('chi2', 'F', 'chi2 of the fitted PSF');
    this.addField('npixels', 'I', 'number of pixels that were included in the PSF fit', 'pixel');
    this.#centroid = new SafeCentroidExtractor(options.schema, options.name);
  }

  /**
   * Binds the columns; resolves the bad mask planes.
   *
   * @param ctx - the run's context
   * @throws {@link FatalAlgorithmError} when the exposure has no PSF
   */
  override begin(ctx: MeasurementContext): void {
    super.begin(ctx);
    this.#centroid.begin(ctx);
    if (ctx.psf === null) throw new FatalAlgorithmError(`${this.name} needs an exposure with a PSF; this one has none.`, { hint: 'Set one with exposure.setPsf(...).' });
    const dict = ctx.exposure.mask.planeDict;
    this.#badBits = 0;
    for (const plane of this.config.badMaskPlanes) if (dict.hasPlane(plane)) this.#badBits |= dict.getPlaneBitMask(plane);
  }

  /**
   * Measures one source.
   *
   * @param index - the record's row
   * @param ctx - the run's context
   * @throws {@link MeasurementError} when no pixel is left or a value is not finite
   */
  measure(index: number, ctx: MeasurementContext): void {
    const [x, y] = this.#centroid.get(index, ctx, this.flags);
    const model = ctx.psf!.computeImage(new Point2D(x, y));
    const mw = model.getWidth();
    const mh = model.getHeight();
    const mx0 = model.getX0();
    const my0 = model.getY0();
    const xa = Math.max(mx0, ctx.x0);
    const ya = Math.max(my0, ctx.y0);
    const xb = Math.min(mx0 + mw - 1, ctx.x0 + ctx.width - 1);
    const yb = Math.min(my0 + mh - 1, ctx.y0 + ctx.height - 1);
    if (xa !== mx0 || ya !== my0 || xb !== mx0 + mw - 1 || yb !== my0 + mh - 1) {
      this.flags.set(index, 'flag');
      this.flags.set(index, 'flag_edge');
    }
    const m = model.array.data;
    const ms = model.stride;
    const img = ctx.image;
    const vr = ctx.variance;
    const mk = ctx.mask;
    const bad = this.#badBits;
    let alpha = 0;
    let md = 0;
    let mmv = 0;
    let msum = 0;
    let n = 0;
    for (let py = ya; py <= yb; py++) {
      const mrow = (py - my0) * ms - mx0;
      const irow = (py - ctx.y0) * ctx.imageStride - ctx.x0;
      const vrow = (py - ctx.y0) * ctx.varianceStride - ctx.x0;
      const krow = (py - ctx.y0) * ctx.maskStride - ctx.x0;
      for (let px = xa; px <= xb; px++) {
        if (bad !== 0 && (mk[krow + px]! & bad) !== 0) continue;
        const mv = m[mrow + px]!;
        alpha += mv * mv;
        md += mv * img[irow + px]!;
        mmv += mv * mv * vr[vrow + px]!;
        msum += mv;
        n++;
      }
    }
    if (n === 0) throw new MeasurementError(`${this.name}: no unmasked pixel under the PSF at (${x}, ${y}).`, 'flag_noGoodPixels');
    const flux = md / alpha;
    const err = Math.sqrt(mmv) / alpha;
    this.column('area')[index] = (msum * msum) / alpha;
    this.column('npixels')[index] = n;
    if (!Number.isFinite(flux) || !Number.isFinite(err)) throw new MeasurementError(`${this.name}: invalid pixel value under the PSF at (${x}, ${y}).`);
    this.column('instFlux')[index] = flux;
    this.column('instFluxErr')[index] = err;
    let chi2 = 0;
    for (let py = ya; py <= yb; py++) {
      const mrow = (py - my0) * ms - mx0;
      const irow = (py - ctx.y0) * ctx.imageStride - ctx.x0;
      const vrow = (py - ctx.y0) * ctx.varianceStride - ctx.x0;
      const krow = (py - ctx.y0) * ctx.maskStride - ctx.x0;
      for (let px = xa; px <= xb; px++) {
        if (bad !== 0 && (mk[krow + px]! & bad) !== 0) continue;
        const r = img[irow + px]! - flux * m[mrow + px]!;
        chi2 += (r * r) / vr[vrow + px]!;
      }
    }
    this.column('chi2')[index] = chi2;
  }
}
