import type { Exposure, PixelArray, Psf } from '@skystack/afw-image';
import type { Footprint, Schema, SourceCatalog } from '@skystack/afw-table';
import { Config, Field } from '@skystack/pex-config';
import type { ConfigClass } from '@skystack/pex-config';
import type { SkyWcs } from '@skystack/wcs';
import type { MeasurementError } from './errors.js';

/**
 * The execution orders of meas_base's `BasePlugin`: plugins run in increasing order (ties in
 * the order of the config's plugin list), so that centroids exist before shapes and shapes
 * before fluxes.
 *
 * @see lsst.meas.base.BasePlugin.getExecutionOrder
 */
export const ExecutionOrder = Object.freeze({
  /** Centroiders (`base_SdssCentroid`, `base_TransformedCentroid`): 0. */
  CENTROID_ORDER: 0,
  /** Shapes and what needs only a centroid (`base_SdssShape`, `base_SkyCoord`): 1. */
  SHAPE_ORDER: 1,
  /** Fluxes and pixel flags: 2. */
  FLUX_ORDER: 2,
  /** Aperture corrections: 3. */
  APCORR_ORDER: 3,
  /** Catalog calculations: 4. */
  DEFAULT_CATALOGCALCULATION: 4,
});

/**
 * The config every measurement plugin has (meas_base's `BaseMeasurementPluginConfig`).
 *
 * @example
 * ```ts
 * class MyPluginConfig extends MeasurementPluginConfig {
 *   radius = Field.float({ doc: 'radius (pixels)', default: 5 });
 * }
 * ```
 * @see lsst.meas.base.BaseMeasurementPluginConfig
 */
export class MeasurementPluginConfig extends Config {
  /** Whether to run the plugin in single-object mode. */
  doMeasure = Field.bool({ doc: 'whether to run this plugin in single-object mode', default: true });
}

/** What a plugin class is constructed with (the registry calls `new Plugin({ config, name, schema })`). */
export interface MeasurementPluginOptions<C extends MeasurementPluginConfig = MeasurementPluginConfig> {
  /** The plugin's config. */
  readonly config: C;
  /** The plugin name, the prefix of its fields (`'base_PsfFlux'`). */
  readonly name: string;
  /** The schema to add fields to (the slots are already defined in its aliases). */
  readonly schema: Schema;
}

/**
 * The pixels and components of the exposure being measured, the catalog and its footprints:
 * what every plugin reads. Made once per {@link SingleFrameMeasurementTask.run}; the arrays are
 * the exposure's own (the noise replacer changes them in place between sources).
 *
 * @example
 * ```ts
 * const ctx = new MeasurementContext(exposure, catalog);
 * const v = ctx.image[(y - ctx.y0) * ctx.imageStride + (x - ctx.x0)];
 * ```
 */
export class MeasurementContext {
  /** The exposure. */
  readonly exposure: Exposure;
  /** The catalog being measured. */
  readonly catalog: SourceCatalog;
  /** Image pixels (LOCAL order). */
  readonly image: PixelArray;
  /** Variance pixels. */
  readonly variance: Float32Array;
  /** Mask pixels. */
  readonly mask: Int32Array;
  /** Width (pixels). */
  readonly width: number;
  /** Height (pixels). */
  readonly height: number;
  /** PARENT x of the first column. */
  readonly x0: number;
  /** PARENT y of the first row. */
  readonly y0: number;
  /** Elements between image rows. */
  readonly imageStride: number;
  /** Elements between variance rows. */
  readonly varianceStride: number;
  /** Elements between mask rows. */
  readonly maskStride: number;
  /** The exposure's PSF, or null. */
  readonly psf: Psf | null;
  /** The exposure's WCS, or null. */
  readonly wcs: SkyWcs | null;
  /** Forced measurement: the reference catalog (row i of the catalog measures row i of it). */
  readonly refCatalog: SourceCatalog | undefined;
  /** Forced measurement: the WCS of the reference catalog's pixel positions. */
  readonly refWcs: SkyWcs | null;
  readonly #footprints: (Footprint | null)[];

  /**
   * Gathers what the plugins need.
   *
   * @param exposure - the exposure
   * @param catalog - the catalog being measured
   * @param forced - for forced measurement: the reference catalog and its WCS
   */
  constructor(exposure: Exposure, catalog: SourceCatalog, forced: { readonly refCatalog?: SourceCatalog; readonly refWcs?: SkyWcs | null } = {}) {
    this.exposure = exposure;
    this.catalog = catalog;
    const mi = exposure.maskedImage;
    // The integers are made int32 (`| 0`): an image's dimensions can arrive as heap numbers
    // (once any image has had a non-small-integer field value), and the plugins' optimised code
    // expects small integers here; a heap number would deoptimise it on every run.
    this.image = mi.image.array.data;
    this.imageStride = mi.image.stride | 0;
    this.variance = mi.variance.array.data;
    this.varianceStride = mi.variance.stride | 0;
    this.mask = mi.mask.array.data;
    this.maskStride = mi.mask.stride | 0;
    this.width = mi.getWidth() | 0;
    this.height = mi.getHeight() | 0;
    this.x0 = mi.getXY0().getX() | 0;
    this.y0 = mi.getXY0().getY() | 0;
    this.psf = exposure.getInfo().getPsf();
    this.wcs = exposure.getWcs();
    this.refCatalog = forced.refCatalog;
    this.refWcs = forced.refWcs ?? null;
    this.#footprints = Array.from({ length: catalog.length }, (_, i) => catalog.getFootprint(i));
  }

  /**
   * The footprint of a record.
   *
   * @param index - the record's row
   * @returns its footprint, or null
   */
  footprint(index: number): Footprint | null {
    return this.#footprints[index] ?? null;
  }

  /**
   * The position of the first (brightest) peak of a record's footprint.
   *
   * @param index - the record's row
   * @returns `[x, y]` (PARENT), or undefined when the record has no footprint or no peak
   */
  peak(index: number): [x: number, y: number] | undefined {
    const fp = this.#footprints[index];
    if (fp === null || fp === undefined || fp.getPeaks().length === 0) return undefined;
    const peaks = fp.getPeaks();
    return [(peaks.getColumn('f_x') as Float32Array)[0]!, (peaks.getColumn('f_y') as Float32Array)[0]!];
  }

  /**
   * Whether a PARENT pixel is inside the exposure.
   *
   * @param x - the column
   * @param y - the row
   * @returns true when inside
   */
  containsPixel(x: number, y: number): boolean {
    return x >= this.x0 && y >= this.y0 && x < this.x0 + this.width && y < this.y0 + this.height;
  }
}

/**
 * A measurement plugin: it adds its fields to the schema when constructed, binds their columns
 * at the start of a run ({@link MeasurementPlugin.begin}), measures one source at a time, and
 * records a failure with {@link MeasurementPlugin.fail}.
 *
 * @example
 * ```ts
 * class CountPlugin implements MeasurementPlugin {
 *   static readonly ConfigClass = MeasurementPluginConfig;
 *   static readonly executionOrder = ExecutionOrder.FLUX_ORDER;
 *   readonly executionOrder = ExecutionOrder.FLUX_ORDER;
 *   // ... constructor({ config, name, schema }) adds fields; begin binds; measure writes
 * }
 * ```
 * @see lsst.meas.base.SingleFramePlugin
 */
export interface MeasurementPlugin {
  /** The plugin name (the prefix of its fields). */
  readonly name: string;
  /** When it runs relative to the others ({@link ExecutionOrder}). */
  readonly executionOrder: number;
  /** Its config. */
  readonly config: MeasurementPluginConfig;
  /**
   * Binds the catalog's columns and reads what the run needs from the exposure.
   *
   * @param ctx - the run's context
   */
  begin(ctx: MeasurementContext): void;
  /**
   * Measures one source and writes its fields.
   *
   * @param index - the record's row in `ctx.catalog`
   * @param ctx - the run's context
   * @throws {@link MeasurementError} for a known failure (sets the general and a specific flag)
   */
  measure(index: number, ctx: MeasurementContext): void;
  /**
   * Records a failure: sets the general flag and the error's specific flag.
   *
   * @param index - the record's row
   * @param error - the known failure, or undefined for an unexpected one
   */
  fail(index: number, error?: MeasurementError): void;
}

/** A plugin class as a registry holds it: constructible from {@link MeasurementPluginOptions}, with its config class and execution order. */
export interface MeasurementPluginClass<C extends MeasurementPluginConfig = MeasurementPluginConfig> {
  /** Makes the plugin (adding its fields to the schema). */
  new (options: MeasurementPluginOptions<C>): MeasurementPlugin;
  /** The plugin's config class. */
  readonly ConfigClass: ConfigClass<C>;
  /** The execution order of every instance. */
  readonly executionOrder: number;
}
