// @skystack/meas-deblender: deblending (meas_deblender): SourceDeblendTask and the SDSS-style
// deblender's steps (symmetric and PSF templates, median smoothing, monotonic templates, flux
// apportioning with stray flux).

// The task
export { SourceDeblendConfig, SourceDeblendTask } from './source-deblend-task.js';
export type { SourceDeblendInputs } from './source-deblend-task.js';

// One footprint
export { deblendFootprint } from './deblend-footprint.js';
export type { DeblendFootprintOptions, DeblendedParent, DeblendedPeak, EdgeHandling } from './deblend-footprint.js';

// The steps
export { extractFootprintPixels } from './footprint-pixels.js';
export type { FootprintPixels } from './footprint-pixels.js';
export { buildSymmetricTemplate } from './symmetric-template.js';
export type { TemplateImage, SymmetricTemplateResult } from './symmetric-template.js';
export { medianFilterTemplate } from './median-filter.js';
export { makeMonotonic } from './make-monotonic.js';
export { CachingPsf, fitPsf } from './fit-psf.js';
export type { DeblendPsf, PsfFitOptions, PsfFitResult } from './fit-psf.js';
export { apportionFlux } from './apportion-flux.js';
export type { ApportionFluxOptions, ApportionTemplate, FluxPortion, StrayFluxRule, StrayFluxToPointSources } from './apportion-flux.js';

// Errors
export { MeasDeblenderError, MeasDeblenderInvalidArgumentError } from './errors.js';
