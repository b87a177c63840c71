import type { Exposure } from '@skystack/afw-image';
import { SourceCatalog, type Schema } from '@skystack/afw-table';
import { ConfigField, RegistryField } from '@skystack/pex-config';
import type { ConfigClass } from '@skystack/pex-config';
import { BaseMeasurementConfig, BaseMeasurementTask, type MeasurementTaskOptions } from './base-measurement-task.js';
import { MeasurementContext, type MeasurementPluginConfig } from './measurement-plugin.js';
import { singleFramePluginRegistry } from './plugin-registry.js';
import { SourceSlotConfig } from './source-slot-config.js';

/** The plugins {@link SingleFrameMeasurementConfig} runs by default. */
export const DEFAULT_SINGLE_FRAME_PLUGINS: readonly string[] = Object.freeze([
  'base_PixelFlags',
  'base_SdssCentroid',
  'base_SdssShape',
  'base_GaussianFlux',
  'base_PsfFlux',
  'base_CircularApertureFlux',
  'base_SkyCoord',
]);

/**
 * Config of {@link SingleFrameMeasurementTask}.
 *
 * @example
 * ```ts
 * const config = new SingleFrameMeasurementConfig();
 * config.plugins.names = ['base_SdssCentroid', 'base_PsfFlux'];
 * config.plugins.get('base_PsfFlux').doMeasure = true;
 * config.slots.shape = null;
 * ```
 * @see lsst.meas.base.SingleFrameMeasurementConfig
 */
export class SingleFrameMeasurementConfig extends BaseMeasurementConfig {
  /** The plugins to run, from {@link singleFramePluginRegistry}. */
  plugins = RegistryField<MeasurementPluginConfig>({
    doc: 'Plugins to be run and their configuration',
    registry: singleFramePluginRegistry,
    multi: true,
    default: [...DEFAULT_SINGLE_FRAME_PLUGINS],
  });
  /** The slot aliases (meas_base's single-frame defaults). */
  slots = ConfigField({ doc: 'Mapping from algorithms to special aliases in Source.', dtype: SourceSlotConfig });
}

/**
 * Measures the sources of one exposure: at construction it defines the slots and adds the
 * fields of every configured plugin to the schema; {@link SingleFrameMeasurementTask.run} then
 * measures a catalog made with that schema (with footprints, as detection makes them).
 *
 * Each source is measured with the other sources replaced by noise (`doReplaceWithNoise`); the
 * plugins run in execution order (centroid, shape, flux); a plugin that fails on a source sets
 * its `_flag` (and the specific flag of a {@link MeasurementError}) and the rest go on.
 *
 * @example
 * ```ts
 * const schema = SourceCatalog.makeMinimalSchema();
 * const task = new SingleFrameMeasurementTask({ schema });
 * const catalog = new SourceCatalog(task.schema);
 * // ... add records with ids and footprints (detection does this)
 * task.run(catalog, exposure, 42);
 * catalog.get(0).getPsfInstFlux();
 * ```
 * @see lsst.meas.base.SingleFrameMeasurementTask
 */
export class SingleFrameMeasurementTask extends BaseMeasurementTask<SingleFrameMeasurementConfig> {
  /** The config class. */
  static override ConfigClass: ConfigClass = SingleFrameMeasurementConfig;
  /** The default task name. */
  static override _DefaultName = 'measurement';

  /**
   * Defines the slots and adds the plugins' fields to the schema.
   *
   * @param options - `schema` (default: a new minimal SourceCatalog schema), `config`, `name`, `parentTask`, `log`
   */
  constructor(options: MeasurementTaskOptions<SingleFrameMeasurementConfig> = {}) {
    const schema: Schema = options.schema ?? SourceCatalog.makeMinimalSchema();
    super(options, schema);
  }

  /**
   * Measures every record of a catalog on an exposure, in place.
   *
   * @param measCat - the catalog (made with `task.schema`; records with unique ids and footprints)
   * @param exposure - the exposure (its pixels are restored bit for bit at the end)
   * @param exposureId - seeds the noise replacer's random numbers
   * @throws {@link MeasBaseInvalidArgumentError} for a catalog of another schema, a record without a footprint or duplicate ids
   * @throws {@link FatalAlgorithmError} when a plugin cannot run at all (no PSF)
   * @see lsst.meas.base.SingleFrameMeasurementTask.run
   */
  run(measCat: SourceCatalog, exposure: Exposure, exposureId?: number | bigint): void {
    const ctx = new MeasurementContext(exposure, measCat);
    this.measureAll(measCat, exposure, ctx, exposureId);
  }
}
