import { Registry } from '@skystack/pex-config';
import type { MeasurementPluginConfig } from './measurement-plugin.js';
import { CircularApertureFluxPlugin } from './plugins/circular-aperture-flux.js';
import { GaussianFluxPlugin } from './plugins/gaussian-flux.js';
import { LocalPhotoCalibPlugin, LocalWcsPlugin } from './plugins/local-calibration.js';
import { PixelFlagsPlugin } from './plugins/pixel-flags.js';
import { PsfFluxPlugin } from './plugins/psf-flux.js';
import { SdssCentroidPlugin } from './plugins/sdss-centroid.js';
import { SdssShapePlugin } from './plugins/sdss-shape.js';
import { SkyCoordPlugin } from './plugins/sky-coord.js';
import { TransformedCentroidPlugin } from './plugins/transformed-centroid.js';

/**
 * A new registry with the single-frame plugins of this package under their meas_base names:
 * `base_PixelFlags`, `base_SdssCentroid`, `base_SdssShape`, `base_GaussianFlux`,
 * `base_PsfFlux`, `base_CircularApertureFlux`, `base_SkyCoord`.
 *
 * @returns the registry (the caller owns it and may register more plugins)
 * @example
 * ```ts
 * const registry = makeSingleFramePluginRegistry();
 * registry.register('ext_MyFlux', MyFluxPlugin);
 * ```
 * @see lsst.meas.base.SingleFramePlugin.registry
 */
export function makeSingleFramePluginRegistry(): Registry<MeasurementPluginConfig> {
  const registry = new Registry<MeasurementPluginConfig>('single-frame measurement plugins');
  registry.register('base_PixelFlags', PixelFlagsPlugin);
  registry.register('base_SdssCentroid', SdssCentroidPlugin);
  registry.register('base_SdssShape', SdssShapePlugin);
  registry.register('base_GaussianFlux', GaussianFluxPlugin);
  registry.register('base_PsfFlux', PsfFluxPlugin);
  registry.register('base_CircularApertureFlux', CircularApertureFluxPlugin);
  registry.register('base_SkyCoord', SkyCoordPlugin);
  registry.register('base_LocalPhotoCalib', LocalPhotoCalibPlugin);
  registry.register('base_LocalWcs', LocalWcsPlugin);
  return registry;
}

/**
 * A new registry with the forced-measurement plugins of this package: `base_TransformedCentroid`,
 * `base_PixelFlags`, `base_PsfFlux`, `base_CircularApertureFlux`.
 *
 * @returns the registry
 * @example
 * ```ts
 * const registry = makeForcedPluginRegistry();
 * registry.names(); // ['base_TransformedCentroid', 'base_PixelFlags', 'base_PsfFlux', 'base_CircularApertureFlux']
 * ```
 * @see lsst.meas.base.ForcedPlugin.registry
 */
export function makeForcedPluginRegistry(): Registry<MeasurementPluginConfig> {
  const registry = new Registry<MeasurementPluginConfig>('forced measurement plugins');
  registry.register('base_TransformedCentroid', TransformedCentroidPlugin);
  registry.register('base_PixelFlags', PixelFlagsPlugin);
  registry.register('base_PsfFlux', PsfFluxPlugin);
  registry.register('base_CircularApertureFlux', CircularApertureFluxPlugin);
  return registry;
}

/**
 * The registry {@link SingleFrameMeasurementConfig}'s `plugins` field chooses from (meas_base's
 * `SingleFramePlugin.registry`). Register extra plugins here to make them selectable by name.
 */
export const singleFramePluginRegistry = makeSingleFramePluginRegistry();

/** The registry {@link ForcedMeasurementConfig}'s `plugins` field chooses from (meas_base's `ForcedPlugin.registry`). */
export const forcedPluginRegistry = makeForcedPluginRegistry();
