// @skystack/skymap: lsst.skymap for TypeScript (rings and discrete sky maps, tracts, patches).

// Errors
export { SkymapInvalidArgumentError, SkymapIndexError, SkymapLookupError } from './errors.js';

// Configs
export {
  makeLegacyTractBuilderConfig,
  makeCellTractBuilderConfig,
  makeRingsSkyMapConfig,
  makeDiscreteSkyMapConfig,
} from './config.js';
export type {
  LegacyTractBuilderConfig,
  CellTractBuilderConfig,
  TractBuilderConfig,
  BaseSkyMapConfig,
  RingsSkyMapConfig,
  DiscreteSkyMapConfig,
  SkyMapConfigOverrides,
} from './config.js';

// Tracts and patches
export { PatchInfo, makeSkyPolygonFromBBox } from './patch-info.js';
export type { Index2D, PatchCellLayout } from './patch-info.js';
export { TractInfo, ExplicitTractInfo } from './tract-info.js';
export type { TractInfoParameters, PatchIndex } from './tract-info.js';

// Sky maps
export { BaseSkyMap, packStruct, getPackedConfig } from './sky-map.js';
export type { Sha1Sink, TractPatchList } from './sky-map.js';
export { RingsSkyMap } from './rings-sky-map.js';
export type { RaDecRange } from './rings-sky-map.js';
export { DiscreteSkyMap } from './discrete-sky-map.js';
export { makeSkyMap, NAMED_SKYMAP_CONFIGS } from './make-sky-map.js';
export type { NamedSkyMap, SkyMapDescription, RingsSkyMapDescription, DiscreteSkyMapDescription } from './make-sky-map.js';

// Plots
export { plotSkyCoverage } from './plot-sky-coverage.js';
export type { PlotSkyCoverageOptions, SkyCoveragePoint, SkyCoverageMargins } from './plot-sky-coverage.js';

// Equatorial and dodecahedron sky maps; config files
export { SkymapConfigError } from './errors.js';
export { makeEquatSkyMapConfig, makeDodecaSkyMapConfig } from './config.js';
export type { EquatSkyMapConfig, DodecaSkyMapConfig } from './config.js';
export { EquatSkyMap } from './equat-sky-map.js';
export { DodecaSkyMap } from './dodeca-sky-map.js';
export { Dodecahedron, coordFromVec } from './dodecahedron.js';
export type { Vec3 } from './dodecahedron.js';
export { SKYMAP_REGISTRY_FIELDS } from './make-sky-map.js';
export type { EquatSkyMapDescription, DodecaSkyMapDescription } from './make-sky-map.js';
export { parseSkyMapConfig, loadSkyMapConfig } from './load-sky-map-config.js';
export type { SkyMapConfigFormat } from './load-sky-map-config.js';
