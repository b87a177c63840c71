// @skystack/meas-base: the measurement framework (lsst.meas.base): single-frame and forced
// measurement tasks, the plugin interface and registry, the noise replacer, and the plugins.

// Errors
export { MeasBaseInvalidArgumentError, MeasurementError, FatalAlgorithmError } from './errors.js';

// Plugin framework
export { ExecutionOrder, MeasurementPluginConfig, MeasurementContext } from './measurement-plugin.js';
export type { MeasurementPlugin, MeasurementPluginClass, MeasurementPluginOptions } from './measurement-plugin.js';
export { BasePlugin } from './base-plugin.js';
export type { NumericColumn } from './base-plugin.js';
export { FlagHandler } from './flag-handler.js';
export type { FlagDefinition } from './flag-handler.js';
export { SafeCentroidExtractor } from './safe-centroid-extractor.js';
export { makeSingleFramePluginRegistry, makeForcedPluginRegistry, singleFramePluginRegistry, forcedPluginRegistry } from './plugin-registry.js';
export { SourceSlotConfig } from './source-slot-config.js';
export { circlePixelOverlap } from './circle-pixel-overlap.js';

// Noise replacement
export { NoiseReplacer, NoiseReplacerConfig } from './noise-replacer.js';
export type { NoiseReplacerOptions } from './noise-replacer.js';

// Tasks
export { BaseMeasurementConfig, BaseMeasurementTask } from './base-measurement-task.js';
export type { MeasurementTaskOptions } from './base-measurement-task.js';
export { SingleFrameMeasurementTask, SingleFrameMeasurementConfig, DEFAULT_SINGLE_FRAME_PLUGINS } from './single-frame-measurement-task.js';
export { ForcedMeasurementTask, ForcedMeasurementConfig, DEFAULT_FORCED_PLUGINS } from './forced-measurement-task.js';

// Plugins
export { SdssCentroidPlugin, SdssCentroidConfig } from './plugins/sdss-centroid.js';
export { SdssShapePlugin, SdssShapeConfig } from './plugins/sdss-shape.js';
export { PsfFluxPlugin, PsfFluxConfig } from './plugins/psf-flux.js';
export { GaussianFluxPlugin, GaussianFluxConfig } from './plugins/gaussian-flux.js';
export { CircularApertureFluxPlugin, CircularApertureFluxConfig, apertureFieldPrefix } from './plugins/circular-aperture-flux.js';
export { PixelFlagsPlugin, PixelFlagsConfig } from './plugins/pixel-flags.js';
export { SkyCoordPlugin, SkyCoordConfig } from './plugins/sky-coord.js';
export { LocalPhotoCalibPlugin, LocalPhotoCalibConfig, LocalWcsPlugin, LocalWcsConfig } from './plugins/local-calibration.js';
export { TransformedCentroidPlugin, TransformedCentroidConfig } from './plugins/transformed-centroid.js';
