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
export { SubtractBackgroundConfig, SubtractBackgroundTask, subtractModel } from './subtract-background-task.js';
export type { SubtractBackgroundResult } from './subtract-background-task.js';

// Detection
export { SourceDetectionConfig, SourceDetectionTask } from './source-detection-task.js';
export type { DetectionOptions, DetectionResult, DetectionRunResult, PsfShapeSource } from './source-detection-task.js';

// Sky objects
export { SkyObjectsConfig, SkyObjectsTask, generateSkyObjects, spanSetFromMask } from './sky-objects-task.js';
