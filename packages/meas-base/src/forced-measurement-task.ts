import type { Exposure } from '@skystack/afw-image';
import { Footprint, SourceCatalog, type Schema } from '@skystack/afw-table';
import { ConfigField, RegistryField } from '@skystack/pex-config';
import type { ConfigClass } from '@skystack/pex-config';
import type { SkyWcs } from '@skystack/wcs';
import { BaseMeasurementConfig, BaseMeasurementTask, type MeasurementTaskOptions } from './base-measurement-task.js';
import { MeasBaseInvalidArgumentError } from './errors.js';
import { MeasurementContext, type MeasurementPluginConfig } from './measurement-plugin.js';
import { forcedPluginRegistry } from './plugin-registry.js';
import { SourceSlotConfig } from './source-slot-config.js';

/** The plugins {@link ForcedMeasurementConfig} runs by default. */
export const DEFAULT_FORCED_PLUGINS: readonly string[] = Object.freeze(['base_PixelFlags', 'base_TransformedCentroid', 'base_CircularApertureFlux', 'base_PsfFlux']);

/**
 * Config of {@link ForcedMeasurementTask}: its slots point the centroid at
 * `base_TransformedCentroid` and leave the shape and model fluxes undefined.
 *
 * @example
 * ```ts
 * const config = new ForcedMeasurementConfig();
 * config.plugins.get('base_CircularApertureFlux').radii = [6, 12];
 * ```
 * @see lsst.meas.base.ForcedMeasurementConfig
 */
export class ForcedMeasurementConfig extends BaseMeasurementConfig {
  /** The plugins to run, from {@link forcedPluginRegistry}. */
  plugins = RegistryField<MeasurementPluginConfig>({
    doc: 'Plugins to be run and their configuration',
    registry: forcedPluginRegistry,
    multi: true,
    default: [...DEFAULT_FORCED_PLUGINS],
  });
  /** The slot aliases. */
  slots = ConfigField({ doc: 'Mapping from algorithms to special aliases in Source.', dtype: SourceSlotConfig });

  /** The forced slot defaults (meas_base's `ForcedMeasurementConfig.setDefaults`). */
  override setDefaults(): void {
    super.setDefaults();
    this.slots.centroid = 'base_TransformedCentroid';
    this.slots.shape = null;
    this.slots.psfShape = null;
    this.slots.modelFlux = null;
    this.slots.gaussianFlux = null;
  }
}

/**
 * Forced photometry: measures an exposure at the positions of a reference catalog (from another
 * exposure or a coadd) carried through the WCSs, with fixed positions instead of fitted ones.
 * Its own schema (a minimal SourceCatalog schema plus the plugins' fields) holds one record per
 * reference source, made by {@link ForcedMeasurementTask.generateMeasCat}.
 *
 * Difference from LSST: reference footprints are moved by the integer pixel offset of the
 * reference position between the two WCSs, not resampled through the full transform; only
 * `id`, `parent`, `coord_ra` and `coord_dec` are copied from the reference records.
 *
 * @example
 * ```ts
 * const task = new ForcedMeasurementTask();
 * const measCat = task.generateMeasCat(exposure, refCat, refWcs);
 * task.run(measCat, exposure, refCat, refWcs);
 * measCat.get(0).get('base_PsfFlux_instFlux');
 * ```
 * @see lsst.meas.base.ForcedMeasurementTask
 */
export class ForcedMeasurementTask extends BaseMeasurementTask<ForcedMeasurementConfig> {
  /** The config class. */
  static override ConfigClass: ConfigClass = ForcedMeasurementConfig;
  /** The default task name. */
  static override _DefaultName = 'forcedMeasurement';

  /**
   * Makes the schema (from `options.schema` or a new minimal SourceCatalog schema) and the plugins.
   *
   * @param options - `schema`, `config`, `name`, `parentTask`, `log`
   */
  constructor(options: MeasurementTaskOptions<ForcedMeasurementConfig> = {}) {
    const schema: Schema = options.schema ?? SourceCatalog.makeMinimalSchema();
    super(options, schema);
  }

  /**
   * Makes the catalog to measure: one record per reference record with its id, parent and
   * coordinates, and its footprint moved onto the exposure.
   *
   * @param exposure - the exposure to measure
   * @param refCat - the reference catalog
   * @param refWcs - the WCS of the reference catalog's pixel positions (footprints); default the exposure's
   * @returns the catalog (schema `task.schema`)
   * @throws {@link MeasBaseInvalidArgumentError} when the exposure has no WCS
   * @see lsst.meas.base.ForcedMeasurementTask.generateMeasCat
   */
  generateMeasCat(exposure: Exposure, refCat: SourceCatalog, refWcs?: SkyWcs | null): SourceCatalog {
    const wcs = exposure.getWcs();
    if (wcs === null) throw new MeasBaseInvalidArgumentError(`${this.getFullName()}: forced measurement needs an exposure with a WCS.`);
    const out = new SourceCatalog(this.schema, { length: refCat.length });
    (out.getColumn('id') as BigInt64Array).set(refCat.getColumn('id') as BigInt64Array);
    (out.getColumn('parent') as BigInt64Array).set(refCat.getColumn('parent') as BigInt64Array);
    (out.getColumn('coord_ra') as Float64Array).set(refCat.getColumn('coord_ra') as Float64Array);
    (out.getColumn('coord_dec') as Float64Array).set(refCat.getColumn('coord_dec') as Float64Array);
    const from = refWcs ?? wcs;
    for (let i = 0; i < refCat.length; i++) {
      const fp = refCat.getFootprint(i);
      if (fp === null) continue;
      if (from === wcs) {
        out.setFootprint(i, fp);
        continue;
      }
      const c = fp.getCentroid();
      const p = wcs.skyToPixel(from.pixelToSky(c.x, c.y));
      const dx = Math.round(p.x - c.x);
      const dy = Math.round(p.y - c.y);
      const moved = new Footprint(fp.getSpans(), { peaks: fp.getPeaks().copy() });
      moved.shift(dx, dy);
      out.setFootprint(i, moved);
    }
    return out;
  }

  /**
   * Measures every record of `measCat` at its reference position.
   *
   * @param measCat - the catalog from {@link ForcedMeasurementTask.generateMeasCat} (row i ↔ reference row i)
   * @param exposure - the exposure (restored bit for bit at the end)
   * @param refCat - the reference catalog
   * @param refWcs - the WCS of the reference pixel positions (default: the exposure's)
   * @param exposureId - seeds the noise replacer
   * @throws {@link MeasBaseInvalidArgumentError} when the catalogs differ in length or the schema is not the task's
   * @see lsst.meas.base.ForcedMeasurementTask.run
   */
  run(measCat: SourceCatalog, exposure: Exposure, refCat: SourceCatalog, refWcs?: SkyWcs | null, exposureId?: number | bigint): void {
    if (measCat.length !== refCat.length) {
      throw new MeasBaseInvalidArgumentError(`${this.getFullName()}: measCat has ${measCat.length} records but refCat has ${refCat.length}; row i must measure reference row i.`, {
        hint: 'Make measCat with task.generateMeasCat(exposure, refCat, refWcs).',
      });
    }
    const ctx = new MeasurementContext(exposure, measCat, { refCatalog: refCat, refWcs: refWcs ?? exposure.getWcs() });
    this.measureAll(measCat, exposure, ctx, exposureId);
  }
}
