// @skystack/wcs: lsst.afw.geom.SkyWcs for TypeScript (FITS-WCS projections, SIP, AST mappings, fitting).

// Errors
export { WcsFormatError, WcsInvalidArgumentError, WcsDomainError } from './errors.js';

// AST
export { parseAst, parseAstObjects, astAttribute, astNumber, astString, astChild } from './ast/parse.js';
export type { AstObject, AstSection, AstAttribute, AstValue } from './ast/parse.js';
export { makeAstMapping, invertAstMapping, seriesAstMapping, transformAstMapping } from './ast/mappings.js';
export type { AstMapping } from './ast/mappings.js';
export { AstFrameSet, readAstSkyWcs } from './ast/frame-set.js';
export type { AstFrame, AstSkyWcs } from './ast/frame-set.js';

// Projections (FITS WCS Paper II)
export { makeProjection, PROJECTION_CODES } from './projections.js';
export type { Projection, ProjectionCode } from './projections.js';

// SkyWcs
export { SkyWcs, makeSkyWcs, makeTanSipWcs, makeCdMatrix, getImageXY0FromMetadata } from './sky-wcs.js';
export type { SkyWcsParameters, PixelSkyTransform, SkyWcsFrame, SipMatrix, SipMatrices, SkyArrays, PixelArrays, MakeSkyWcsOptions } from './sky-wcs.js';

// Fitting
export { fitTanSipWcs } from './fit-tan-sip.js';
export type { WcsMatch, FitTanSipWcsOptions, FitTanSipWcsResult } from './fit-tan-sip.js';

// Archive readers (afw SkyWcs, TanWcs, Wcs)
export { registerWcsReaders, skyWcsFromAstFrameSet, readOldWcs } from './archive/readers.js';
export { readTanWcsParameters } from './archive/tan-wcs.js';
export type { TanWcsParameters } from './archive/tan-wcs.js';
