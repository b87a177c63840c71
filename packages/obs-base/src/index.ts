// @skystack/obs-base: the camera layer (lsst.obs.base): Instrument, camera geometry, raw header
// translation, raw ingest, visit definition, curated calibrations, and the FITS formatters that
// put the afw types into the Butler.

// Errors
export { ObsBaseInvalidArgumentError, ObsBaseNotFoundError, ObsBaseTranslationError, ObsBaseFormatterError, ObsBaseIngestError } from './errors.js';

// Formatters
export {
  FitsExposureFormatter,
  FitsImageFormatter,
  FitsMaskFormatter,
  FitsMaskedImageFormatter,
  EXPOSURE_FORMATTER_COMPONENTS,
  imageReadParameters,
  pixelTypeOfStorageClass,
} from './formatters/fits-exposure-formatter.js';
export type { ImageReadParameters } from './formatters/fits-exposure-formatter.js';
export { FitsGenericFormatter, FITS_CATALOG_STORAGE_CLASSES } from './formatters/fits-generic-formatter.js';
export { registerFormatters } from './formatters/register-formatters.js';
export { DefectsFormatter } from './formatters/defects-formatter.js';
export { BackgroundFormatter } from './formatters/background-formatter.js';
export { CameraFormatter, cameraToJson, cameraFromJson, CAMERA_JSON_FORMAT, CAMERA_JSON_VERSION } from './formatters/camera-formatter.js';
export { ExposureAssembler } from './formatters/exposure-assembler.js';
export { FitsRawFormatter, RAW_FORMATTER_COMPONENTS } from './raw-formatter.js';

// Camera geometry and filters
export { Camera, PIXELS, FOCAL_PLANE, FIELD_ANGLE } from './camera.js';
export type { CameraSys, CameraOptions } from './camera.js';
export { FilterDefinitionCollection } from './filters.js';
export type { FilterDefinition } from './filters.js';

// Header translation, VisitInfo and WCS of raws
export { MetadataTranslator, SkyStackTranslator, CERRO_PACHON } from './observation-info.js';
export type { ObservationInfo, SkyStackTranslatorOptions } from './observation-info.js';
export { createInitialSkyWcs, createInitialSkyWcsFromBoresight, makeRawVisitInfo } from './initial-wcs.js';
export type { CreateInitialSkyWcsOptions } from './initial-wcs.js';

// Instruments
export { Instrument, INSTRUMENT_CLASS_ALIASES, instrumentModuleOf } from './instrument.js';
export type { InstrumentModule, InstrumentFromNameOptions, CuratedCalibration, WriteCuratedCalibrationsOptions, WriteCuratedCalibrationsResult } from './instrument.js';
export { importModule } from './module-loader.js';
export type { ModuleImporter } from './module-loader.js';

// Raw ingest and visit definition
export { RawIngestTask, RawIngestConfig, RAW_TRANSFER_MODES } from './ingest.js';
export type { RawFileMetadata, IngestFailure, RawIngestResult, RawIngestRunOptions, RawIngestTaskOptions } from './ingest.js';
export { DefineVisitsTask, DefineVisitsConfig, ONE_TO_ONE_VISIT_SYSTEM, detectorSkyCorners } from './define-visits.js';
export type { VisitSystemDefinition, DefineVisitsRunOptions, DefineVisitsResult, DefineVisitsTaskOptions } from './define-visits.js';

// The butler command line
export { butlerCommands } from './cli/butler-commands.js';
export type { ObsButlerCommand, ObsCommandContext } from './cli/butler-commands.js';
