// @skystack/healsparse: sparse HEALPix maps and HealSparse's FITS file format.

export { HealSparseMap } from './healsparse-map.js';
export type { HealSparseMakeEmptyOptions, HealSparseReadOptions } from './healsparse-map.js';
export { HealSparseCoverage, computeBitShift, HEALPIX_UNSEEN, WIDE_NBIT, MAX_NSIDE } from './healsparse-coverage.js';
export type { HealSparseCoverageReadOptions } from './healsparse-coverage.js';
export type { HealSparseDtype, HealSparseMetadata } from './fits-io.js';
export { andIntersection } from './operations.js';
export { HealSparsePolygon } from './healsparse-polygon.js';
export {
  HealSparseInvalidArgumentError,
  HealSparseDtypeError,
  HealSparseFormatError,
  HealSparseUnsupportedError,
} from './errors.js';
