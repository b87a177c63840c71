import type { Quadrupole } from '@skystack/afw-image';
import { Field } from '@skystack/pex-config';
import { BasePlugin } from '../base-plugin.js';
import { FatalAlgorithmError, MeasurementError } from '../errors.js';
import { ExecutionOrder, MeasurementPluginConfig, type MeasurementContext, type MeasurementPluginOptions } from '../measurement-plugin.js';
import { SafeCentroidExtractor } from '../safe-centroid-extractor.js';

/**
 * Config of {@link GaussianFluxPlugin}.
 *
 * @see lsst.meas.base.GaussianFluxControl
 */
export class GaussianFluxConfig extends MeasurementPluginConfig {
  /** A constant background subtracted from the pixels first (counts). */
  background = Field.float({ doc: 'constant background subtracted from the pixels (counts)', default: 0 });
}

/**
 * `base_GaussianFlux`: the flux of an elliptical Gaussian with the slot shape's moments, at the
 * slot centroid, fitted to the pixels as a fixed-shape model: amplitude `A = Σ w d / Σ w²` with
 * `w = exp(−½ dᵀ Q⁻¹ d)` over ±4σ, flux `A · 2π √det Q`, error `2π √det Q · √(Σ w² v) / Σ w²`.
 * For a Gaussian source whose moments the shape plugin measured, this is its total flux.
 *
 * A shape that is not positive definite is replaced by the PSF's moments (general flag set).
 *
 * Fields: `_instFlux`, `_instFluxErr` (D, count), `_flag`, and the aliases
 * `_flag_badCentroid`, `_flag_badShape` (to the slots' flags).
 *
 * @example
 * ```ts
 * record.get('base_GaussianFlux_instFlux');
 * ```
 * @see lsst.meas.base.GaussianFluxAlgorithm
 */
export class GaussianFluxPlugin extends BasePlugin<GaussianFluxConfig> {
  /** The config class. */
  static readonly ConfigClass = GaussianFluxConfig;
  /** Fluxes run after shapes. */
  static readonly executionOrder = ExecutionOrder.FLUX_ORDER;
  readonly #centroid: SafeCentroidExtractor;
  /** The PSF's moments at its average position, computed once per run when a source needs them. */
  #psfShape: Quadrupole | undefined;
  #xx: Float64Array | undefined;
  #yy: Float64Array | undefined;
  #xy: Float64Array | undefined;

  /**
   * Adds the fields.
   *
   * @param options - config, name, schema
   */
  constructor(options: MeasurementPluginOptions<GaussianFluxConfig>) {
    super(options, ExecutionOrder.FLUX_ORDER, []);
    this.addField('instFlux', 'D', 'instFlux from Gaussian Flux algorithm', 'count');
    this.addField('instFluxErr', 'D', '1-sigma instFlux uncertainty', 'count');
    this.#centroid = new SafeCentroidExtractor(options.schema, options.name);
    const aliases = options.schema.getAliasMap();
    if (aliases.has('slot_Shape')) aliases.set(`${options.name}_flag_badShape`, aliases.apply('slot_Shape_flag'));
  }

  /**
   * Binds the columns and the shape slot.
   *
   * @param ctx - the run's context
   * @throws {@link FatalAlgorithmError} when the schema has no shape slot
   */
  override begin(ctx: MeasurementContext): void {
    super.begin(ctx);
    this.#centroid.begin(ctx);
    this.#psfShape = undefined;
    const schema = ctx.catalog.schema;
    if (!schema.contains('slot_Shape_xx')) {
      throw new FatalAlgorithmError(`${this.name} needs a shape, but the schema's slot_Shape is not defined.`, { hint: 'Enable base_SdssShape and set config.slots.shape.' });
    }
    this.#xx = ctx.catalog.getColumn('slot_Shape_xx') as Float64Array;
    this.#yy = ctx.catalog.getColumn('slot_Shape_yy') as Float64Array;
    this.#xy = ctx.catalog.getColumn('slot_Shape_xy') as Float64Array;
  }

  /**
   * Measures one source.
   *
   * @param index - the record's row
   * @param ctx - the run's context
   * @throws {@link MeasurementError} when neither the shape nor the PSF gives valid moments
   */
  measure(index: number, ctx: MeasurementContext): void {
    const [xc, yc] = this.#centroid.get(index, ctx, this.flags);
    let qxx = this.#xx![index]!;
    let qyy = this.#yy![index]!;
    let qxy = this.#xy![index]!;
    if (!(qxx > 0 && qyy > 0 && qxx * qyy - qxy * qxy > 0)) {
      if (ctx.psf === null) throw new MeasurementError(`${this.name}: the shape (${qxx}, ${qyy}, ${qxy}) is not positive definite and there is no PSF.`);
      this.flags.set(index, 'flag');
      // The PSF's moments at its average position: the same for every source of the run.
      const q = (this.#psfShape ??= ctx.psf.computeShape());
      qxx = q.ixx;
      qyy = q.iyy;
      qxy = q.ixy;
    }
    const det = qxx * qyy - qxy * qxy;
    const ixx = qyy / det;
    const iyy = qxx / det;
    const ixy = -qxy / det;
    const r = Math.ceil(4 * Math.sqrt(Math.max(qxx, qyy)));
    const cx = Math.floor(xc + 0.5);
    const cy = Math.floor(yc + 0.5);
    const xa = Math.max(ctx.x0, cx - r);
    const xb = Math.min(ctx.x0 + ctx.width - 1, cx + r);
    const ya = Math.max(ctx.y0, cy - r);
    const yb = Math.min(ctx.y0 + ctx.height - 1, cy + r);
    const bkg = this.config.background;
    let swd = 0;
    let sww = 0;
    let swwv = 0;
    for (let y = ya; y <= yb; y++) {
      const dy = y - yc;
      const irow = (y - ctx.y0) * ctx.imageStride - ctx.x0;
      const vrow = (y - ctx.y0) * ctx.varianceStride - ctx.x0;
      for (let x = xa; x <= xb; x++) {
        const dx = x - xc;
        const w = Math.exp(-0.5 * (ixx * dx * dx + 2 * ixy * dx * dy + iyy * dy * dy));
        swd += w * (ctx.image[irow + x]! - bkg);
        sww += w * w;
        swwv += w * w * ctx.variance[vrow + x]!;
      }
    }
    if (!(sww > 0)) throw new MeasurementError(`${this.name}: no pixel under the weight at (${xc}, ${yc}).`);
    const norm = 2 * Math.PI * Math.sqrt(det);
    this.column('instFlux')[index] = (norm * swd) / sww;
    this.column('instFluxErr')[index] = (norm * Math.sqrt(swwv)) / sww;
  }
}
