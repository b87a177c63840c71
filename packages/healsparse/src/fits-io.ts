// HealSparse's FITS layout (docs/filespec.rst of LSSTDESC/healsparse, v1.1.2, and what
// healsparse's writer does): the coverage index map as an int64 primary image `COV`, the
// sparse map as a 1-D image `SPARSE`, tile-compressed (GZIP_2, one tile per block) unless int64.

import { Box2I, Point2I } from '@skystack/geom';
import {
  Card,
  FitsFile,
  Header,
  encodeFits,
  makeCompressedImageHdu,
  pixelTypeOf,
  writeFits,
  type FitsHduInfo,
  type FitsHduInput,
  type FitsPixelArray,
  type HeaderValue,
} from '@skystack/fits';
import { HealSparseFormatError, HealSparseInvalidArgumentError, HealSparseUnsupportedError } from './errors.js';

/** The element types of a HealSparse map; `'wide-mask'` is healsparse's `WIDE_MASK` (bytes, `WWIDTH` per pixel). */
export type HealSparseDtype = 'float32' | 'float64' | 'int16' | 'int32' | 'int64' | 'uint8' | 'uint16' | 'uint32' | 'wide-mask';

/**
 * Map metadata: FITS-header-safe keywords (upper case, as healsparse requires) and their
 * values. Written to both HDU headers; keywords longer than 8 characters as `HIERARCH`.
 */
export type HealSparseMetadata = Record<string, string | number | boolean>;

/** The typed array that stores each element type. @internal */
export type SparseArray = Float32Array | Float64Array | Int16Array | Int32Array | BigInt64Array | Uint8Array | Uint16Array | Uint32Array;

/**
 * Keywords the writer sets itself (healsparse's `FITS_RESERVED` list, its own keywords, and
 * FITS structure): never taken as metadata and refused in metadata.
 */
const RESERVED = new Set([
  'SIMPLE',
  'XTENSION',
  'BITPIX',
  'EXTEND',
  'PCOUNT',
  'GCOUNT',
  'TFIELDS',
  'BZERO',
  'BSCALE',
  'BLANK',
  'EXTNAME',
  'CHECKSUM',
  'DATASUM',
  'END',
  'THEAP',
  'PIXTYPE',
  'NSIDE',
  'SENTINEL',
  'WIDEMASK',
  'WWIDTH',
  'PRIMARY',
  'RESHAPED',
]);

/** True for keywords that belong to the file structure rather than the map's metadata. @internal */
export function isReservedKeyword(keyword: string): boolean {
  // Only the tile-compression keywords are reserved among those starting with Z: metadata such
  // as ZP or ZENITH is the user's (healsparse writes and reads it back).
  return (
    RESERVED.has(keyword) ||
    /^(NAXIS\d*|T(TYPE|FORM|UNIT|DIM|NULL|SCAL|ZERO|DISP)\d+|Z(IMAGE|SIMPLE|TENSION|EXTEND|BLOCKED|PCOUNT|GCOUNT|HECKSUM|DATASUM|BITPIX|CMPTYPE|QUANTIZ|DITHER0|MASKCMP)|ZNAXIS\d*|Z(TILE|NAME|VAL)\d+)$/.test(keyword)
  );
}

/**
 * Opens a FITS file (path or bytes), turning FITS read errors into {@link HealSparseFormatError}.
 *
 * @internal
 */
export async function openHealSparseFits(pathOrBytes: string | Uint8Array, name?: string): Promise<FitsFile> {
  const label = typeof pathOrBytes === 'string' ? pathOrBytes : (name ?? '<bytes>');
  try {
    return typeof pathOrBytes === 'string' ? await FitsFile.open(pathOrBytes) : await FitsFile.fromBytes(pathOrBytes, label);
  } catch (e) {
    throw new HealSparseFormatError(`${label} is not a readable FITS file: ${e instanceof Error ? e.message : String(e)}`, {
      cause: e,
      hint: 'A HealSparse map file is a FITS file with a COV primary image and a SPARSE extension.',
    });
  }
}

/** What the sparse HDU's header says. @internal */
export interface SparseHeaderInfo {
  readonly info: FitsHduInfo;
  readonly header: Header;
  readonly nsideSparse: number;
  readonly sentinel: number | bigint | undefined;
  readonly wideWidth: number;
  readonly reshaped: boolean;
  readonly metadata: HealSparseMetadata;
}

function hduNamed(fits: FitsFile, extname: string): FitsHduInfo | undefined {
  return fits.hdus.find((h) => h.extname?.toUpperCase() === extname);
}

/**
 * Finds and checks the `SPARSE` HDU (`PIXTYPE = 'HEALSPARSE'`, `NSIDE`, `SENTINEL`,
 * `WIDEMASK`/`WWIDTH`), as healsparse's `_read_map_fits` does with the header of HDU 1.
 *
 * @internal
 */
export function readSparseHeader(fits: FitsFile): SparseHeaderInfo {
  const label = fits.name ?? '<bytes>';
  const info = hduNamed(fits, 'SPARSE') ?? fits.hdus[1];
  if (info === undefined) {
    throw new HealSparseFormatError(`${label} has no SPARSE extension (it has ${fits.hdus.length} HDU(s)); it is not a HealSparse map file.`);
  }
  const header = info.imageHeader ?? info.header;
  const pixtype = header.get('PIXTYPE');
  if (typeof pixtype === 'string' && pixtype.trim() === 'HEALPIX') {
    throw new HealSparseUnsupportedError(`${label} is a plain HEALPix map (PIXTYPE = 'HEALPIX'), not a HealSparse map.`, {
      hint: 'Only HealSparse files (PIXTYPE = HEALSPARSE) are read.',
    });
  }
  if (typeof pixtype !== 'string' || pixtype.trim() !== 'HEALSPARSE') {
    throw new HealSparseFormatError(
      `${label}: HDU ${info.index} has PIXTYPE = ${JSON.stringify(pixtype ?? null)}; expected 'HEALSPARSE'. It is not a HealSparse map file.`,
    );
  }
  if (info.kind === 'bintable') {
    throw new HealSparseUnsupportedError(`${label}: the SPARSE HDU is a binary table (a record-array map); only image maps are read.`);
  }
  if (info.kind !== 'image' && info.kind !== 'compressed-image') {
    throw new HealSparseFormatError(`${label}: the SPARSE HDU is a ${info.kind} HDU; expected an image or a compressed image.`);
  }
  const nside = header.get('NSIDE');
  if (typeof nside !== 'number' || !Number.isSafeInteger(nside)) {
    throw new HealSparseFormatError(`${label}: the SPARSE header has NSIDE = ${String(nside)}; expected an integer.`);
  }
  if (!(nside >= 1 && nside <= 2 ** 24 && (nside & (nside - 1)) === 0)) {
    throw new HealSparseFormatError(`${label}: the SPARSE header has NSIDE = ${nside}; expected a power of 2 from 1 to 2^24.`);
  }
  const sentinel = header.get('SENTINEL');
  if (sentinel !== undefined && typeof sentinel !== 'number' && typeof sentinel !== 'bigint') {
    throw new HealSparseFormatError(`${label}: the SPARSE header has SENTINEL = ${String(sentinel)}; expected a number.`);
  }
  let wideWidth = 0;
  if (header.get('WIDEMASK') === true) {
    const w = header.get('WWIDTH');
    if (typeof w !== 'number' || !Number.isSafeInteger(w) || w < 1) {
      throw new HealSparseFormatError(`${label}: a wide mask with WWIDTH = ${String(w)}; expected a positive integer.`);
    }
    wideWidth = w;
  }
  return {
    info,
    header,
    nsideSparse: nside,
    sentinel,
    wideWidth,
    reshaped: header.get('RESHAPED') === true,
    metadata: metadataOf(header),
  };
}

/** The user keywords of a header as metadata (structure and HealSparse keywords left out). */
function metadataOf(header: Header): HealSparseMetadata {
  const out: HealSparseMetadata = {};
  for (const card of header) {
    if (card.isCommentary || card.value === undefined || card.value === null) continue;
    if (isReservedKeyword(card.keyword)) continue;
    const v: HeaderValue = card.value;
    out[card.keyword] = typeof v === 'bigint' ? Number(v) : v;
  }
  return out;
}

/**
 * Reads the coverage index map (the `COV` image, int64).
 *
 * @internal
 */
export async function readCoverageIndex(fits: FitsFile): Promise<BigInt64Array | Float64Array> {
  const label = fits.name ?? '<bytes>';
  const info = hduNamed(fits, 'COV') ?? fits.hdus[0]!;
  const image = await fits.readImage(info.index).catch((e: unknown) => {
    throw new HealSparseFormatError(`${label}: the coverage map (COV) cannot be read: ${e instanceof Error ? e.message : String(e)}`, {
      cause: e,
    });
  });
  const data = image.data;
  if (data instanceof BigInt64Array || data instanceof Float64Array) return data;
  if (data instanceof Int32Array || data instanceof Int16Array) return Float64Array.from(data);
  throw new HealSparseFormatError(`${label}: the coverage map (COV) is not an integer image (BITPIX ${image.bitpix}); expected int64.`);
}

/** The element type of sparse pixels as the reader decoded them. @internal */
export function dtypeOfArray(data: FitsPixelArray, wide: boolean, label: string): HealSparseDtype {
  if (wide) {
    if (!(data instanceof Uint8Array)) throw new HealSparseFormatError(`${label}: a wide mask (WIDEMASK = T) must be stored as bytes (BITPIX 8).`);
    return 'wide-mask';
  }
  const type = pixelTypeOf(data);
  if (type !== 'int8' && type !== 'uint64') return type;
  throw new HealSparseUnsupportedError(`${label}: sparse pixels of type ${data.constructor.name} are not supported (int8 and uint64 maps are not).`);
}

/**
 * Reads the whole sparse image, flattened (a `RESHAPED` image is read row after row).
 *
 * @internal
 */
export async function readSparseAll(fits: FitsFile, sparse: SparseHeaderInfo): Promise<FitsPixelArray> {
  try {
    return (await fits.readImage(sparse.info.index)).data;
  } catch (e) {
    throw new HealSparseFormatError(`${fits.name ?? '<bytes>'}: the sparse map cannot be read: ${e instanceof Error ? e.message : String(e)}`, {
      cause: e,
    });
  }
}

/**
 * Reads `length` consecutive sparse elements from `start` (one block, for partial reads); of
 * a compressed image only the tile(s) holding them.
 *
 * @internal
 */
export async function readSparseRange(fits: FitsFile, sparse: SparseHeaderInfo, start: number, length: number): Promise<FitsPixelArray> {
  const header = sparse.header;
  const naxis = header.get('NAXIS');
  const n1 = header.get('NAXIS1') as number;
  let box: Box2I;
  if (naxis === 2) {
    // RESHAPED: rows of n1 elements; a block is whole rows.
    if (start % n1 !== 0 || length % n1 !== 0) {
      throw new HealSparseFormatError(`${fits.name ?? '<bytes>'}: a reshaped sparse map with rows of ${n1} does not align with blocks of ${length}.`);
    }
    box = new Box2I(new Point2I(0, start / n1), new Point2I(n1 - 1, (start + length) / n1 - 1));
  } else {
    box = new Box2I(new Point2I(start, 0), new Point2I(start + length - 1, 0));
  }
  try {
    return (await fits.readImage(sparse.info.index, { bbox: box })).data;
  } catch (e) {
    throw new HealSparseFormatError(`${fits.name ?? '<bytes>'}: sparse elements ${start} to ${start + length - 1} cannot be read: ${e instanceof Error ? e.message : String(e)}`, {
      cause: e,
    });
  }
}

/** Everything the writer needs from a map. @internal */
export interface HealSparseFitsContent {
  readonly nsideCoverage: number;
  readonly nsideSparse: number;
  readonly covIndexMap: Float64Array;
  readonly sparse: SparseArray;
  readonly dtype: HealSparseDtype;
  readonly sentinel: number | bigint;
  readonly wideWidth: number;
  readonly nfinePerCov: number;
  readonly metadata: HealSparseMetadata;
}

/** The largest `ZNAXIS1` of a compressed image (healsparse reshapes longer sparse maps). */
const MAX_COMPRESSED_AXIS = 2 ** 31 - 1;

function metadataCards(metadata: HealSparseMetadata): Card[] {
  return Object.entries(metadata).map(([k, v]) => new Card(k, v));
}

/**
 * Checks metadata as healsparse does (string keys, upper case) and that a FITS header can hold
 * it and it does not collide with the keywords the writer sets.
 *
 * @internal
 */
export function checkMetadata(metadata: HealSparseMetadata): HealSparseMetadata {
  const out: HealSparseMetadata = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (key !== key.toUpperCase() || key.trim() === '') {
      throw new HealSparseInvalidArgumentError(`Metadata key '${key}' must be upper case (healsparse requires upper-case FITS keywords).`);
    }
    if (isReservedKeyword(key)) {
      throw new HealSparseInvalidArgumentError(`Metadata key '${key}' is reserved: the HealSparse writer sets it.`);
    }
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new HealSparseInvalidArgumentError(`Metadata '${key}' has a value of type ${typeof value}; expected a string, number or boolean.`);
    }
    try {
      new Card(key, value);
    } catch (e) {
      throw new HealSparseInvalidArgumentError(`Metadata '${key}' = ${JSON.stringify(value)} cannot be written in a FITS header: ${e instanceof Error ? e.message : String(e)}`, {
        cause: e,
      });
    }
    out[key] = value;
  }
  return out;
}

/**
 * The two HDUs of a HealSparse file, as healsparse's `_write_map_fits` lays them out:
 * HDU 0 the coverage index map (int64, `EXTNAME = 'COV'`, `PIXTYPE`, `NSIDE` = nside_coverage,
 * metadata); HDU 1 the sparse map (`EXTNAME = 'SPARSE'`, `PIXTYPE`, `NSIDE` = nside_sparse,
 * `SENTINEL`, `WIDEMASK`/`WWIDTH` for wide masks, metadata), GZIP_2 tile-compressed with one
 * block per tile (`RESHAPED` = F, or T with 2-D rows when longer than 2^31 − 1) except int64
 * maps, which are a plain image.
 *
 * @internal
 */
export function healSparseHdus(c: HealSparseFitsContent, compress = true): FitsHduInput[] {
  const cov = new BigInt64Array(c.covIndexMap.length);
  for (let i = 0; i < cov.length; i++) cov[i] = BigInt(c.covIndexMap[i]!);
  const covHeader = new Header([
    ...metadataCards(c.metadata),
    new Card('PIXTYPE', 'HEALSPARSE', 'HealSparse map'),
    new Card('NSIDE', c.nsideCoverage, 'nside of the coverage map'),
    new Card('EXTNAME', 'COV', 'coverage index map'),
  ]);
  const primary: FitsHduInput = { header: covHeader, data: { data: cov, width: cov.length, height: 1, naxis: [cov.length] } };

  const isFloat = c.dtype === 'float32' || c.dtype === 'float64';
  const cards = [
    ...metadataCards(c.metadata),
    new Card('PIXTYPE', 'HEALSPARSE', 'HealSparse map'),
    new Card('NSIDE', c.nsideSparse, 'nside of the sparse map'),
    new Card('SENTINEL', c.sentinel, 'value of pixels without data', { float: isFloat }),
  ];
  if (c.dtype === 'wide-mask') {
    cards.push(new Card('WIDEMASK', true, 'wide bit mask'), new Card('WWIDTH', c.wideWidth, 'bytes per pixel'));
  }
  if (!compress || c.dtype === 'int64') {
    cards.push(new Card('EXTNAME', 'SPARSE', 'sparse map'));
    const header = new Header(cards);
    return [primary, { header, data: { data: c.sparse, width: c.sparse.length, height: 1, naxis: [c.sparse.length] } }];
  }
  const tile = c.nfinePerCov * Math.max(1, c.wideWidth);
  const reshaped = c.sparse.length > MAX_COMPRESSED_AXIS;
  cards.push(new Card('RESHAPED', reshaped, 'sparse map stored as rows of one block'));
  const width = reshaped ? tile : c.sparse.length;
  const height = reshaped ? c.sparse.length / tile : 1;
  const hdu = makeCompressedImageHdu(c.sparse, width, height, {
    compression: 'GZIP_2',
    tile: reshaped ? [tile, 1] : [tile, 1],
    extname: 'SPARSE',
    header: new Header(cards),
  });
  return [primary, reshaped ? hdu : { header: oneDimensional(hdu.header!), data: hdu.data! }];
}

/**
 * A compressed-image table header for a 1-D image (`ZNAXIS = 1`, no `ZNAXIS2`/`ZTILE2`), as
 * astropy and fitsio write a 1-D sparse map: the tiles of a `[n, 1]` image with `[t, 1]`
 * tiles are the same bytes.
 */
function oneDimensional(header: Header): Header {
  const cards = [...header.cards()]
    .filter((c) => c.keyword !== 'ZNAXIS2' && c.keyword !== 'ZTILE2')
    .map((c) => (c.keyword === 'ZNAXIS' ? new Card('ZNAXIS', 1, c.comment) : c));
  return new Header(cards);
}

/**
 * Encodes a HealSparse file in memory.
 *
 * @internal
 */
export function encodeHealSparse(c: HealSparseFitsContent): Uint8Array {
  return encodeFits(healSparseHdus(c));
}

/**
 * Writes a HealSparse file (atomically: temporary file, then rename).
 *
 * @internal
 */
export async function writeHealSparse(path: string, c: HealSparseFitsContent): Promise<void> {
  await writeFits(path, healSparseHdus(c));
}
