// @skystack/fits: FITS files for TypeScript (the standard 4.0, as astropy.io.fits and cfitsio read it).

// Headers
export { Card, CARD_LENGTH, formatFloat, normalizeKeyword } from './card.js';
export type { HeaderValue, CardOptions } from './card.js';
export { Header, FITS_BLOCK_SIZE, dataByteLength, paddedByteLength } from './header.js';
export type { HeaderParseOptions, ParsedHeader } from './header.js';

// Files: random-access reading, atomic writing
export { FitsFile } from './fits-file.js';
export type {
  FitsHduInfo,
  FitsHduKind,
  FitsHduSelector,
  ReadImageOptions,
  FitsHeaderAndData,
  FitsHduChecksumResult,
  FitsOpenOptions,
} from './fits-file.js';
export { writeFits, encodeFits, makeImageHeader } from './fits-writer.js';
export type { FitsHduInput, FitsHduStreamInput, WriteFitsOptions, MakeImageHeaderOptions } from './fits-writer.js';

// Tile-compressed image HDUs: the image header of a ZIMAGE table, the table as a tile source, compressed writes
export { makeCompressedImageHdu, compressedImageHeader, tiledImageSource } from './compressed-image-hdu.js';
export type { MakeCompressedImageHduOptions, TileBytesReader } from './compressed-image-hdu.js';

// Image pixels
export {
  decodePixels,
  decodeStoredPixels,
  encodePixels,
  encodePixelsInto,
  decodedPixelType,
  pixelFormatOf,
  pixelTypeOf,
  bytesPerPixel,
  isFitsBitpix,
  swapBytes,
} from './image-data.js';
export type {
  FitsBitpix,
  FitsPixelArray,
  FitsStoredPixelArray,
  FitsPixelType,
  FitsPixelFormat,
  FitsImageData,
  FitsImageLike,
  EncodedPixels,
  DecodePixelsOptions,
} from './image-data.js';

// Binary tables
export { BinaryTable, parseTdim, formatTdim, packBits, unpackBits } from './bintable.js';
export type {
  BinaryTableColumn,
  BinaryTableDtype,
  BinaryTableNumericArray,
  BinaryTableColumnData,
  BinaryTableDecodeOptions,
  BinaryTableHeapRange,
} from './bintable.js';
export type {
  BinaryTableColumnInput,
  BinaryTableInputData,
  BinaryTableCellInput,
  EncodedBinaryTable,
} from './bintable-encode.js';
export { parseTform, formatTform, tformElementBytes, tformWidth } from './tform.js';
export type { TformType, TformSpec, ParseTformOptions } from './tform.js';

// Tile compression (the ZIMAGE convention)
export { riceDecompress, riceCompress, RICE_DEFAULT_BLOCK_SIZE } from './compression/rice.js';
export type { RiceBytePix, RiceIntegerArray } from './compression/rice.js';
export { gzip1Decompress, gzip2Decompress, gzip1Compress, gzip2Compress } from './compression/gzip.js';
export { plioDecompress, plioCompress, PLIO_MAX_VALUE } from './compression/plio.js';
export type { PlioIntegerArray } from './compression/plio.js';
export { dequantize, ditherRandomValues, ditherSeedIndex, N_RANDOM, NULL_VALUE, ZERO_VALUE } from './compression/quantize.js';
export type { QuantizeMethod, DequantizeParams } from './compression/quantize.js';
export { readTiledImageParams, decodeTiledImage, overlappingTiles, compressImageTiles } from './compression/tiled-image.js';
export type {
  CompressionType,
  TiledImageHeader,
  TiledImageSource,
  TiledImageParams,
  TiledImageRegion,
  TiledImageBox,
  DecodeTiledImageOptions,
  DecodedTiledImage,
  WritableCompressionType,
  CompressImageTilesOptions,
  TiledImageCard,
  CompressedImageTiles,
} from './compression/tiled-image.js';

// Checksums
export {
  computeDatasum,
  addChecksums,
  encodeChecksum,
  decodeChecksum,
  verifyHduChecksum,
  assertHduChecksum,
  DatasumAccumulator,
} from './checksum.js';
export type { ChecksumStatus, HduChecksumResult } from './checksum.js';

// Errors
export {
  FitsError,
  FitsFormatError,
  FitsChecksumError,
  FitsKeywordError,
  FitsHduNotFoundError,
  FitsUnsupportedError,
} from './errors.js';
export type { FitsLocation, FitsErrorOptions } from './errors.js';
