// @skystack/ip-isr: instrument signature removal (lsst.ip.isr): IsrTask with overscan,
// assembly, bias, variance, defects, saturation and NaN masking, dark, flat and interpolation.

// Errors
export { IpIsrInvalidArgumentError, IpIsrUnsupportedStepError, IpIsrMissingCalibrationError, IpIsrGeometryError, IpIsrDefectsFormatError } from './errors.js';

// Pixel-level functions (lsst.ip.isr.isrFunctions)
export {
  planeBits,
  orMaskByName,
  biasCorrection,
  darkCorrection,
  flatCorrection,
  updateVariance,
  growMasks,
  makeThresholdMask,
  widenSaturationTrails,
  maskNans,
  setBadRegions,
  maskEdges,
  interpolateOverDefects,
  interpolateFromMask,
} from './isr-functions.js';
export type { MaskedImageLike, FlatScalingType, BadStatistic, BadRegionsResult, InterpolateOptions, InterpolateFromMaskOptions } from './isr-functions.js';

// Defects
export { Defects } from './defects.js';
export type { DefectsTable, DefectsMetadataValue } from './defects.js';

// Tasks
export { OverscanCorrectionTask, OverscanCorrectionTaskConfig, OVERSCAN_FIT_TYPES } from './overscan.js';
export type { OverscanFitType, OverscanResult } from './overscan.js';
export { AssembleCcdTask, AssembleCcdConfig } from './assemble-ccd-task.js';
export { IsrTask, IsrTaskConfig, IsrTaskConnections, UNSUPPORTED_ISR_STEPS } from './isr-task.js';
export type { IsrRunInputs, IsrResult, UnsupportedIsrStep } from './isr-task.js';
