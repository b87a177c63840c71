import { SpherePoint } from '@skystack/geom';
import { BasePlugin } from '../base-plugin.js';
import { FatalAlgorithmError, MeasurementError } from '../errors.js';
import { ExecutionOrder, MeasurementPluginConfig, type MeasurementContext, type MeasurementPluginOptions } from '../measurement-plugin.js';

/**
 * Config of {@link TransformedCentroidPlugin} (nothing beyond `doMeasure`).
 *
 * @see lsst.meas.base.ForcedTransformedCentroidConfig
 */
export class TransformedCentroidConfig extends MeasurementPluginConfig {}

/**
 * `base_TransformedCentroid` (forced measurement): the reference source's position carried to
 * the measured exposure. The reference slot centroid goes through the reference WCS to the sky
 * and back through the exposure's WCS to pixels; when the reference catalog has no centroid slot
 * or no reference WCS was given, its `coord_ra`/`coord_dec` are used. The general flag copies
 * the reference centroid's flag.
 *
 * Fields: `_x`, `_y` (D, pixel), `_flag`.
 *
 * @example
 * ```ts
 * forcedConfig.plugins.names = ['base_TransformedCentroid', 'base_PsfFlux'];
 * ```
 * @see lsst.meas.base.ForcedTransformedCentroidPlugin
 */
export class TransformedCentroidPlugin extends BasePlugin<TransformedCentroidConfig> {
  /** The config class. */
  static readonly ConfigClass = TransformedCentroidConfig;
  /** A centroider. */
  static readonly executionOrder = ExecutionOrder.CENTROID_ORDER;
  #refX: Float64Array | undefined;
  #refY: Float64Array | undefined;
  #refFlag: Uint8Array | undefined;
  #ra: Float64Array<ArrayBufferLike> = new Float64Array(0);
  #dec: Float64Array<ArrayBufferLike> = new Float64Array(0);

  /**
   * Adds the fields.
   *
   * @param options - config, name, schema
   */
  constructor(options: MeasurementPluginOptions<TransformedCentroidConfig>) {
    super(options, ExecutionOrder.CENTROID_ORDER, []);
    this.addField('x', 'D', 'transformed reference centroid column', 'pixel');
    this.addField('y', 'D', 'transformed reference centroid row', 'pixel');
  }

  /**
   * Binds the columns and the reference catalog's.
   *
   * @param ctx - the run's context
   * @throws {@link FatalAlgorithmError} without a reference catalog or an exposure WCS
   */
  override begin(ctx: MeasurementContext): void {
    super.begin(ctx);
    const ref = ctx.refCatalog;
    if (ref === undefined) throw new FatalAlgorithmError(`${this.name} is a forced-measurement plugin; it needs a reference catalog.`);
    if (ctx.wcs === null) throw new FatalAlgorithmError(`${this.name} needs an exposure with a WCS.`);
    const s = ref.schema;
    const hasSlot = ctx.refWcs !== null && s.contains('slot_Centroid_x') && s.contains('slot_Centroid_y');
    this.#refX = hasSlot ? (ref.getColumn('slot_Centroid_x') as Float64Array) : undefined;
    this.#refY = hasSlot ? (ref.getColumn('slot_Centroid_y') as Float64Array) : undefined;
    this.#refFlag = s.contains('slot_Centroid_flag') ? (ref.getColumn('slot_Centroid_flag') as Uint8Array) : undefined;
    this.#ra = ref.getColumn('coord_ra') as Float64Array;
    this.#dec = ref.getColumn('coord_dec') as Float64Array;
  }

  /**
   * Transforms one reference position.
   *
   * @param index - the record's row (= the reference row)
   * @param ctx - the run's context
   * @throws {@link MeasurementError} when the reference position is not finite
   */
  measure(index: number, ctx: MeasurementContext): void {
    const wcs = ctx.wcs!;
    let x: number;
    let y: number;
    if (this.#refX !== undefined) {
      x = this.#refX[index]!;
      y = this.#refY![index]!;
      if (!Number.isFinite(x) || !Number.isFinite(y)) throw new MeasurementError(`${this.name}: reference centroid of row ${index} is not finite.`);
      if (ctx.refWcs !== wcs) {
        const p = wcs.skyToPixel(ctx.refWcs!.pixelToSky(x, y));
        x = p.x;
        y = p.y;
      }
    } else {
      const ra = this.#ra[index]!;
      const dec = this.#dec[index]!;
      if (!Number.isFinite(ra) || !Number.isFinite(dec)) throw new MeasurementError(`${this.name}: reference coordinates of row ${index} are not finite.`);
      const p = wcs.skyToPixel(SpherePoint.fromRadians(ra, dec));
      x = p.x;
      y = p.y;
    }
    this.column('x')[index] = x;
    this.column('y')[index] = y;
    if (this.#refFlag !== undefined && this.#refFlag[index] !== 0) this.flags.set(index, 'flag');
  }
}
