// @skystack/meas-algorithms: detection and background as LSST's meas_algorithms (Threshold,
// FootprintSet, SourceDetectionTask, SubtractBackgroundTask, BackgroundList, SkyObjectsTask).

// Errors
export { MeasAlgorithmsInvalidArgumentError, MeasAlgorithmsNoDataError, MeasAlgorithmsFormatError } from './errors.js';

// Thresholds and footprint sets (lsst.afw.detection)
export { Threshold } from './threshold.js';
export type { ThresholdType, ThresholdTypeString } from './threshold.js';
export { FootprintSet, findPeaks } from './footprint-set.js';
export type { FootprintSetOptions } from './footprint-set.js';

// Background
export { BackgroundList } from './background-list.js';
export type { BackgroundListEntry } from './background-list.js';
export { BandSums, SubtractBackgroundConfig, SubtractBackgroundTask, subtractModel, type BackgroundMoments } from './subtract-background-task.js';
export type { SubtractBackgroundResult } from './subtract-background-task.js';

// Detection
export { SourceDetectionConfig, SourceDetectionTask } from './source-detection-task.js';
export type { DetectionOptions, DetectionResult, DetectionRunResult, PsfShapeSource } from './source-detection-task.js';

// Sky objects
export { SkyObjectsConfig, SkyObjectsTask, generateSkyObjects, spanSetFromMask } from './sky-objects-task.js';

// Single-frame characterisation: Gaussian PSF, star selection, PSF determination
export { InstallGaussianPsfConfig, InstallGaussianPsfTask, FWHM_PER_SIGMA } from './install-gaussian-psf-task.js';
export {
  ObjectSizeStarSelectorConfig,
  ObjectSizeStarSelectorTask,
  FlaggedSourceSelectorConfig,
  FlaggedSourceSelectorTask,
  kCenters,
  improveCluster,
  selectionResult,
} from './object-size-star-selector.js';
export type { SourceSelector, SourceSelectorOptions, SourceSelectorResult } from './object-size-star-selector.js';
export { PsfCandidate, MakePsfCandidatesConfig, MakePsfCandidatesTask, CANDIDATE_LANCZOS_ORDER } from './psf-candidate.js';
export type { PsfCandidateStatus, MakePsfCandidatesResult } from './psf-candidate.js';
export { PcaPsfDeterminerConfig, PcaPsfDeterminerTask, pcaKernelSize, principalComponents } from './pca-psf-determiner.js';
export type { PsfDeterminer, DeterminePsfOptions, DeterminePsfResult } from './pca-psf-determiner.js';
export { PiffPsfDeterminerConfig, PiffPsfDeterminerTask } from './piff-psf-determiner.js';
export { ScienceSourceSelectorConfig, ScienceSourceSelectorTask, RequireFlagsConfig, SignalToNoiseLimitConfig, RequireUnresolvedConfig } from './science-source-selector.js';
export { ReserveSourcesConfig, ReserveSourcesTask } from './reserve-sources-task.js';
export type { ReserveSourcesResult } from './reserve-sources-task.js';
export { makeSourceSelectorRegistry, makePsfDeterminerRegistry, sourceSelectorRegistry, psfDeterminerRegistry } from './registries.js';
export { MeasurePsfConfig, MeasurePsfTask } from './measure-psf-task.js';
export type { MeasurePsfResult } from './measure-psf-task.js';

// Cosmic rays and repair
export { FindCosmicRaysConfig, findCosmicRays, interpolateFlaggedPixels } from './find-cosmic-rays.js';
export { RepairConfig, RepairTask } from './repair-task.js';
export type { RepairOptions, RepairResult } from './repair-task.js';

// Aperture corrections (ApplyApCorrTask is meas_base's in LSST)
export {
  ChebyshevBoundedFieldConfig,
  MeasureApCorrConfig,
  MeasureApCorrTask,
  DEFAULT_AP_CORR_NAMES,
  chebyshevFitSize,
  fitChebyshevBoundedField,
} from './measure-ap-corr-task.js';
export type { MeasureApCorrResult } from './measure-ap-corr-task.js';
export { ApplyApCorrConfig, ApplyApCorrTask } from './apply-ap-corr-task.js';
export { MeasAlgorithmsTooManyCosmicRaysError } from './errors.js';

// Coadd PSFs (WarpedPsf, CoaddPsf)
export { WarpedPsf, makeWcsPairPixelTransform, makeAffinePixelTransform, linearizeInverse } from './warped-psf.js';
export type { PixelTransform } from './warped-psf.js';
export { CoaddPsf, readCoaddPsf } from './coadd-psf.js';
export { registerMeasAlgorithmsReaders } from './readers.js';
export type { CoaddPsfOptions } from './coadd-psf.js';
export { CoaddPsfConfig } from './coadd-psf-config.js';

// Coadd aperture corrections (CoaddBoundedField, makeCoaddApCorrMap)
export { CoaddBoundedField, readCoaddBoundedField } from './coadd-bounded-field.js';
export type { CoaddBoundedFieldElement } from './coadd-bounded-field.js';
export { makeCoaddApCorrMap } from './coadd-ap-corr-map.js';

// Online weighted-mean stacking (AccumulatorMeanStack)
export { AccumulatorMeanStack } from './accumulator-mean-stack.js';
export type { AccumulatorMeanStackOptions } from './accumulator-mean-stack.js';
