import { Point2D } from '@skystack/geom';
import { BasePlugin } from '../base-plugin.js';
import { MeasurementError } from '../errors.js';
import { ExecutionOrder, MeasurementPluginConfig, type MeasurementContext, type MeasurementPluginOptions } from '../measurement-plugin.js';
import { SafeCentroidExtractor } from '../safe-centroid-extractor.js';

/**
 * Config of {@link LocalPhotoCalibPlugin} (nothing beyond `doMeasure`).
 *
 * @see lsst.meas.base.EvaluateLocalPhotoCalibPluginConfig
 */
export class LocalPhotoCalibConfig extends MeasurementPluginConfig {}

/**
 * `base_LocalPhotoCalib`: the exposure's photometric calibration evaluated at the source
 * (nJy per count; its spatial variation included), with the calibration's error, so that
 * catalog transforms can turn any `instFlux` into nJy without the exposure
 * (pipe_tasks' `LocalNanojansky` functors read these columns).
 *
 * Fields: `base_LocalPhotoCalib`, `base_LocalPhotoCalibErr` (D, nJy/count), `_flag`.
 *
 * @example
 * ```ts
 * const nJy = record.get('base_PsfFlux_instFlux') * record.get('base_LocalPhotoCalib');
 * ```
 * @see lsst.meas.base.EvaluateLocalPhotoCalibPlugin
 */
export class LocalPhotoCalibPlugin extends BasePlugin<LocalPhotoCalibConfig> {
  /** The config class. */
  static readonly ConfigClass = LocalPhotoCalibConfig;
  /** Runs with the fluxes. */
  static readonly executionOrder = ExecutionOrder.FLUX_ORDER;
  readonly #centroid: SafeCentroidExtractor;
  #calib: Float64Array = new Float64Array(0);
  #calibErr: Float64Array = new Float64Array(0);

  /**
   * Adds the fields.
   *
   * @param options - config, name, schema
   */
  constructor(options: MeasurementPluginOptions<LocalPhotoCalibConfig>) {
    super(options, ExecutionOrder.FLUX_ORDER, []);
    options.schema.addField({ name: options.name, type: 'D', doc: 'Local approximation of the PhotoCalib calibration factor at the location of the src.', units: 'nJy/count' });
    options.schema.addField({ name: `${options.name}Err`, type: 'D', doc: 'Error on the local approximation of the PhotoCalib calibration factor at the location of the src.', units: 'nJy/count' });
    this.#centroid = new SafeCentroidExtractor(options.schema, options.name);
  }

  /**
   * Binds the columns.
   *
   * @param ctx - the run's context
   */
  override begin(ctx: MeasurementContext): void {
    super.begin(ctx);
    this.#centroid.begin(ctx);
    this.#calib = (ctx.catalog.getColumn(this.name) as Float64Array).fill(NaN);
    this.#calibErr = (ctx.catalog.getColumn(`${this.name}Err`) as Float64Array).fill(NaN);
  }

  /**
   * Evaluates the calibration at one source.
   *
   * @param index - the record's row
   * @param ctx - the run's context
   * @throws {@link MeasurementError} when the exposure has no PhotoCalib
   */
  measure(index: number, ctx: MeasurementContext): void {
    const photoCalib = ctx.exposure.getPhotoCalib();
    if (photoCalib === null) throw new MeasurementError(`${this.name}: the exposure has no PhotoCalib.`);
    const [x, y] = this.#centroid.get(index, ctx, this.flags);
    this.#calib[index] = photoCalib.getLocalCalibration(new Point2D(x, y));
    this.#calibErr[index] = photoCalib.getCalibrationErr();
  }
}

/**
 * Config of {@link LocalWcsPlugin} (nothing beyond `doMeasure`).
 *
 * @see lsst.meas.base.EvaluateLocalWcsPluginConfig
 */
export class LocalWcsConfig extends MeasurementPluginConfig {}

/**
 * `base_LocalWcs`: the CD matrix of the linear approximation of the exposure's WCS at the
 * source, in radians per pixel, so that pixel-unit quantities (centroid errors, moments) can
 * be converted to sky units without the exposure (pipe_tasks' `ConvertPixelToArcseconds` and
 * `RAErrColumn`-style functors read these columns).
 *
 * Fields: `_CDMatrix_1_1`, `_CDMatrix_1_2`, `_CDMatrix_2_1`, `_CDMatrix_2_2` (D, rad), `_flag`.
 *
 * @example
 * ```ts
 * record.get('base_LocalWcs_CDMatrix_1_1'); // ∂ξ/∂x at the source, radians per pixel
 * ```
 * @see lsst.meas.base.EvaluateLocalWcsPlugin
 */
export class LocalWcsPlugin extends BasePlugin<LocalWcsConfig> {
  /** The config class. */
  static readonly ConfigClass = LocalWcsConfig;
  /** Runs with the fluxes. */
  static readonly executionOrder = ExecutionOrder.FLUX_ORDER;
  readonly #centroid: SafeCentroidExtractor;

  /**
   * Adds the fields.
   *
   * @param options - config, name, schema
   */
  constructor(options: MeasurementPluginOptions<LocalWcsConfig>) {
    super(options, ExecutionOrder.FLUX_ORDER, []);
    for (const [i, j] of [
      [1, 1],
      [1, 2],
      [2, 1],
      [2, 2],
    ] as const) {
      this.addField(`CDMatrix_${i}_${j}`, 'D', `(${i}, ${j}) element of the CDMatrix for the linear approximation of the WCS at the src location. Gives units in radians.`, 'rad');
    }
    this.#centroid = new SafeCentroidExtractor(options.schema, options.name);
  }

  /**
   * Binds the columns.
   *
   * @param ctx - the run's context
   */
  override begin(ctx: MeasurementContext): void {
    super.begin(ctx);
    this.#centroid.begin(ctx);
  }

  /**
   * Evaluates the local CD matrix at one source.
   *
   * @param index - the record's row
   * @param ctx - the run's context
   * @throws {@link MeasurementError} when the exposure has no WCS
   */
  measure(index: number, ctx: MeasurementContext): void {
    if (ctx.wcs === null) throw new MeasurementError(`${this.name}: the exposure has no WCS.`);
    const [x, y] = this.#centroid.get(index, ctx, this.flags);
    const cd = ctx.wcs.getCdMatrix(new Point2D(x, y));
    const toRad = Math.PI / 180;
    this.column('CDMatrix_1_1')[index] = cd[0][0] * toRad;
    this.column('CDMatrix_1_2')[index] = cd[0][1] * toRad;
    this.column('CDMatrix_2_1')[index] = cd[1][0] * toRad;
    this.column('CDMatrix_2_2')[index] = cd[1][1] * toRad;
  }
}
