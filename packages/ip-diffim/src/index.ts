// @skystack/ip-diffim: PSF matching as lsst.ip_diffim (ModelPsfMatchTask and the Alard-Lupton basis).

// Errors
export { IpDiffimInvalidArgumentError, IpDiffimFitError } from './errors.js';

// Configs
export { PsfMatchConfig, PsfMatchConfigAL } from './psf-match-config.js';

// Kernel basis
export { makeAlardLuptonBasisList, renormalizeKernelList, generateAlardLuptonBasisList, SIGMA_TO_FWHM } from './alard-lupton-basis.js';
export type { AlardLuptonBasis } from './alard-lupton-basis.js';

// Convolution with a spatially varying kernel
export { convolveMaskedImageSpatial } from './convolve-spatial.js';
export type { SpatialConvolutionControl } from './convolve-spatial.js';

// Model PSF matching
export { ModelPsfMatchConfig, ModelPsfMatchTask } from './model-psf-match-task.js';
export type { ModelPsfMatchKernelTypeMap, ModelPsfMatchCellSet, KernelCandidate, ModelPsfMatchRunOptions, ModelPsfMatchResult } from './model-psf-match-task.js';

// Model PSFs
export { GaussianPsfFactory, SIGMA_PER_FWHM } from './gaussian-psf-factory.js';
