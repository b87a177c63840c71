// @skystack/obs-sim: SimCam, a simulated mosaic camera with known truth.

// Camera
export {
  makeSimCamDetectors,
  simCamFilterLabel,
  simCamDetectorCenterMm,
  rawExtent,
  pixelToFocalPlane,
  focalPlaneToPixel,
  SIMCAM_NAME,
  SIMCAM_TELESCOPE,
  SIMCAM_PIXEL_SIZE_MM,
  SIMCAM_PLATE_SCALE_ARCSEC_PER_MM,
  SIMCAM_GAP_MM,
  SIMCAM_PRESCAN,
  SIMCAM_OVERSCAN,
  SIMCAM_SATURATION_ADU,
  SIMCAM_SUSPECT_ADU,
  SIMCAM_DETECTOR_COUNT,
  SIMCAM_DETECTOR_SIZE,
  SIMCAM_FILTERS,
  SIMCAM_BANDS,
} from './camera.js';
export type { SimCamFilter, SimCamDetectorOptions } from './camera.js';

// Randomness

// Astrometry
export { TrueWcs, SIMCAM_DISTORTION } from './true-wcs.js';
export type { SimCamDistortion, Pointing } from './true-wcs.js';

// PSF and profiles
export { SimPsfModel, psfMixture, PSF_WING_FRACTION, PSF_WING_RATIO } from './psf-model.js';
export type { PsfParameters } from './psf-model.js';
export {
  HOGG_LANG_EXP,
  HOGG_LANG_DEV,
  ellipseCovariance,
  galaxyMixture,
  convolveMixtures,
  mixtureSquaredIntegral,
  mixturePeak,
  renderMixture,
} from './gaussian-mixture.js';
export type { GaussianComponent, GaussianMixture, GalaxyProfile, RenderMixtureOptions } from './gaussian-mixture.js';

// Observing plan and truth
export { planVisits, offsetPoint, altAz, localSiderealTimeDeg, mjdToIso, SIMCAM_OBSERVATORY, SIMCAM_PHOTOMETRY, AB_NJY_ZERO_POINT, DEFAULT_FIELD_CENTER } from './visits.js';
export type { VisitPlan, PlanVisitsOptions, BandPhotometry, ObservatorySite, AltAz } from './visits.js';
export { makeTruthCatalog, truthCatalogToTable, skyShape, writeTruthCatalog } from './truth-catalog.js';
export type { TruthCatalog, TruthCatalogOptions, TruthSourceType } from './truth-catalog.js';

// Instrument signature and exposures
export { makeDetectorSignature, largeScaleResponse, responseImage, ampForColumn } from './detector-signature.js';
export type { DetectorSignature, AmpSignature, BadColumn } from './detector-signature.js';
export { simulateExposure, renderSources } from './exposure-sim.js';
export type { ExposureSimulation, ExposureSource, CosmicRay, SimulateExposureOptions, RenderedSources, PlacedSource } from './exposure-sim.js';

// Files
export { writeRawFits, makeRawPrimaryHeader, exposureIdOf } from './raw-file.js';
export type { RawObservation, ObsType } from './raw-file.js';
export {
  makeMasterBias,
  makeMasterDark,
  makeMasterFlat,
  makeDefects,
  writeMaster,
  writeDefects,
  simulateCalibrationRaw,
  writeCalibrationRaw,
} from './calibs.js';
export type { MasterKind, CalibrationRawSpec, CalibrationRaw, DefectBox, DefectsDocument } from './calibs.js';
export { makeRefcat, makeRefcatSchema, writeShardedRefcat, REFCAT_FORMAT_VERSION, REFCAT_HTM_DEPTH } from './refcat.js';
export type { RefcatOptions, ShardedRefcat } from './refcat.js';

// The whole simulation
export { simulate, exposureTruth, visitObservation, writeExposureSourceTruth, SIMULATION_PRESETS, SIMCAM_REFCAT_NAME } from './simulate.js';
export type { SimulateOptions, SimulationManifest, SimulationPreset, ExposureTruth } from './simulate.js';

// The Butler instrument and repositories
export {
  SimCam,
  SimCamSmall,
  SimCamRawFormatter,
  SimCamSmallRawFormatter,
  makeSimCamCamera,
  simCamRadialCoeffs,
  simCamDefects,
  SIMCAM_CLASS_NAME,
  SIMCAM_SMALL_CLASS_NAME,
  SIMCAM_DEFAULT_SEED,
  SIMCAM_SMALL_DETECTOR_SIZE,
  SIMCAM_RADIAL_FIT_RADIUS_MM,
  SIMCAM_FILTER_DEFINITIONS,
} from './sim-cam.js';
export type { SimCamOptions } from './sim-cam.js';
export { makeSimRepo, obsSimImportModule, SIMCAM_MASTER_CALIB_RUN, SIMCAM_REFCAT_RUN, REFCATS_COLLECTION, SIMCAM_REFCAT_DATASET_TYPE } from './make-repo.js';
export type { MakeSimRepoOptions, MakeSimRepoResult, MakeSimRepoStep } from './make-repo.js';

// Command line
export { runObsSim, OBS_SIM_USAGE } from './cli/program.js';
export type { ObsSimStreams, TextSink } from './cli/program.js';

// Errors
export { ObsSimInvalidArgumentError, ObsSimIoError, ObsSimRepoError } from './errors.js';
