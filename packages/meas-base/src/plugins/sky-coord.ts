import { MeasurementError } from '../errors.js';
import { ExecutionOrder, MeasurementPluginConfig, type MeasurementContext, type MeasurementPlugin, type MeasurementPluginOptions } from '../measurement-plugin.js';

/**
 * Config of {@link SkyCoordPlugin} (nothing beyond `doMeasure`).
 *
 * @see lsst.meas.base.SingleFrameSkyCoordConfig
 */
export class SkyCoordConfig extends MeasurementPluginConfig {}

/**
 * `base_SkyCoord`: sets `coord_ra`/`coord_dec` from the slot centroid through the exposure's
 * {@link @skystack/wcs!SkyWcs}. It adds no fields (the coordinates are minimal-schema fields)
 * and no flags, as in meas_base: without a WCS or a finite centroid the coordinates stay NaN.
 *
 * @example
 * ```ts
 * record.getCoord(); // a SpherePoint
 * ```
 * @see lsst.meas.base.SingleFrameSkyCoordPlugin
 */
export class SkyCoordPlugin implements MeasurementPlugin {
  /** The config class. */
  static readonly ConfigClass = SkyCoordConfig;
  /** Needs only a centroid. */
  static readonly executionOrder = ExecutionOrder.SHAPE_ORDER;
  /** The plugin name. */
  readonly name: string;
  /** The config. */
  readonly config: SkyCoordConfig;
  /** When it runs. */
  readonly executionOrder = ExecutionOrder.SHAPE_ORDER;
  #ra: Float64Array<ArrayBufferLike> = new Float64Array(0);
  #dec: Float64Array<ArrayBufferLike> = new Float64Array(0);
  #x: Float64Array | undefined;
  #y: Float64Array | undefined;

  /**
   * Makes the plugin (it adds no field).
   *
   * @param options - config, name, schema
   */
  constructor(options: MeasurementPluginOptions<SkyCoordConfig>) {
    this.name = options.name;
    this.config = options.config;
  }

  /**
   * Binds the coordinate and slot-centroid columns.
   *
   * @param ctx - the run's context
   */
  begin(ctx: MeasurementContext): void {
    this.#ra = (ctx.catalog.getColumn('coord_ra') as Float64Array).fill(NaN);
    this.#dec = (ctx.catalog.getColumn('coord_dec') as Float64Array).fill(NaN);
    const has = ctx.catalog.schema.contains('slot_Centroid_x');
    this.#x = has ? (ctx.catalog.getColumn('slot_Centroid_x') as Float64Array) : undefined;
    this.#y = has ? (ctx.catalog.getColumn('slot_Centroid_y') as Float64Array) : undefined;
  }

  /**
   * Sets the coordinates of one source.
   *
   * @param index - the record's row
   * @param ctx - the run's context
   * @throws {@link MeasurementError} without a WCS, a centroid slot or a finite centroid
   */
  measure(index: number, ctx: MeasurementContext): void {
    if (ctx.wcs === null) throw new MeasurementError(`${this.name}: the exposure has no WCS.`);
    if (this.#x === undefined) throw new MeasurementError(`${this.name}: the schema has no centroid slot.`);
    const x = this.#x[index]!;
    const y = this.#y![index]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) throw new MeasurementError(`${this.name}: the centroid of record ${index} is not finite.`);
    const coord = ctx.wcs.pixelToSky(x, y);
    this.#ra[index] = coord.getRa().asRadians();
    this.#dec[index] = coord.getDec().asRadians();
  }

  /** Nothing to record: a source without coordinates keeps NaN (meas_base's SkyCoord has no flag). */
  fail(): void {}
}
