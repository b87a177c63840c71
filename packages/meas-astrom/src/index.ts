// @skystack/meas-astrom: lsst.meas.astrom for TypeScript (reference catalog loading, pattern
// matching of sources to reference objects, TAN-SIP WCS fitting, AstrometryTask).

// Errors
export { MeasAstromInvalidArgumentError, MeasAstromRefcatNotFoundError, MeasAstromMatchError, MeasAstromFitError } from './errors.js';

// Reference catalogs
export {
  ReferenceObjectLoader,
  LoadReferenceObjectsConfig,
  REFCAT_HTM_DEPTH,
  makeRefCatSchema,
  getRefFluxField,
  updateRefCentroids,
  refCatShardsFromDirectory,
  refCatShardsFromCatalogs,
  shardReferenceCatalog,
} from './reference-object-loader.js';
export type {
  RefCatShard,
  MatchMetadata,
  LoadReferenceObjectsResult,
  LoadOptions,
  LoadPixelBoxOptions,
  RefCatSchemaOptions,
  ReferenceObjectLoaderOptions,
} from './reference-object-loader.js';

// Matching
export { pessimisticPatternMatch } from './pessimistic-pattern-matcher-b.js';
export { PolyTransform } from './poly-transform.js';
export type { PatternMatchParameters, PatternMatchResult, PatternMatchInput } from './pessimistic-pattern-matcher-b.js';
export { MatchPessimisticBTask, MatchPessimisticBConfig, MatchTolerancePessimistic } from './match-pessimistic-b.js';
export type { MatchResult } from './match-pessimistic-b.js';
export { MatcherSourceSelectorTask, MatcherSourceSelectorConfig } from './matcher-source-selector.js';
export type { SourceSelection } from './matcher-source-selector.js';

// Matches and their persistence
export { setMatchDistance, makeMatchStatistics, makeMatchCatalog, packMatches, unpackMatches, denormalizeMatches } from './matches.js';
export type { ReferenceMatch, MatchStatistics } from './matches.js';

// WCS fitting and the astrometry task
export { FitTanSipWcsTask, FitTanSipWcsConfig, updateSourceCoords, minMatchesForOrder } from './fit-tan-sip-wcs-task.js';
export type { FitWcsOptions, FitWcsResult } from './fit-tan-sip-wcs-task.js';
export { AstrometryTask, AstrometryConfig } from './astrometry-task.js';
export type { AstrometryTaskOptions, AstrometryResult } from './astrometry-task.js';
