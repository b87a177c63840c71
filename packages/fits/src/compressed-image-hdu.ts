// Tile-compressed image HDUs (the ZIMAGE convention, FITS standard 4.0 §10) as HDUs: the image
// header a compressed table stands for, the table seen as a TiledImageSource, and a compressed
// HDU made from pixels for the writer.

import { BinaryTable } from './bintable.js';
import type { BinaryTableColumnInput } from './bintable-encode.js';
import { Card } from './card.js';
import {
  compressImageTiles,
  type TiledImageSource,
  type WritableCompressionType,
} from './compression/tiled-image.js';
import { FitsFormatError } from './errors.js';
import type { FitsHduInput } from './fits-writer.js';
import { Header } from './header.js';
import type { FitsPixelArray } from './image-data.js';

/** The `EXTNAME` astropy gives a compressed image HDU without one (dropped from the image header). */
const DEFAULT_EXTNAME = 'COMPRESSED_IMAGE';

/** Column keywords of binary tables (astropy's `KEYWORD_NAMES`): not part of the image header. */
const TABLE_KEYWORD_ROOTS = new Set([
  'TTYPE',
  'TFORM',
  'TUNIT',
  'TNULL',
  'TSCAL',
  'TZERO',
  'TDISP',
  'TBCOL',
  'TDIM',
  'TCTYP',
  'TCUNI',
  'TCRPX',
  'TCRVL',
  'TCDLT',
  'TRPOS',
]);

/** Keywords of the convention itself (astropy's `CompImageHeader._compression_keywords`). */
const COMPRESSION_KEYWORDS = new Set([
  'ZSIMPLE',
  'ZTENSION',
  'ZBITPIX',
  'ZNAXIS',
  'ZEXTEND',
  'ZBLOCKED',
  'ZPCOUNT',
  'ZGCOUNT',
  'ZHECKSUM',
  'ZDATASUM',
  'ZIMAGE',
  'ZCMPTYPE',
  'ZMASKCMP',
  'ZQUANTIZ',
  'ZDITHER0',
]);

/** Numbered keywords of the convention (`ZNAXISn`, `ZTILEn`, `ZNAMEi`, `ZVALi`). */
const INDEXED_COMPRESSION_KEYWORDS = new Set(['ZNAXIS', 'ZTILE', 'ZNAME', 'ZVAL']);

const COMMENTARY = new Set(['', 'COMMENT', 'HISTORY']);

/** True for a keyword of the table that astropy leaves out of the image header. */
function isReservedKeyword(keyword: string): boolean {
  if (keyword === 'TFIELDS') return true;
  const t = /^(T[A-Z]*)([1-9][0-9 ]*)$/.exec(keyword);
  if (t !== null && TABLE_KEYWORD_ROOTS.has(t[1]!)) return true;
  // astropy's pattern: a label of letters, then an optional number at the very end (so that
  // ZDITHER0, whose label is ZDITHER, is kept, as astropy keeps it).
  const z = /^(Z[A-Z]*)([1-9][0-9 ]*$)?/.exec(keyword);
  if (z === null) return false;
  if (z[2] !== undefined && INDEXED_COMPRESSION_KEYWORDS.has(z[1]!)) return true;
  return COMPRESSION_KEYWORDS.has(z[1]!);
}

/** A copy of `card` under another keyword, with another value when given. */
function renamed(card: Card | undefined, keyword: string, value?: Card['value']): Card {
  const v = value ?? card?.value ?? null;
  return new Card(keyword, v, card?.comment, { float: card?.isFloat === true && typeof v === 'number' });
}

/**
 * The cards of a header with `card` added the way astropy's `Header.set` adds a new keyword:
 * after the last card that is neither blank nor commentary. An existing card with the keyword
 * is replaced in place instead.
 */
function setCard(cards: Card[], card: Card): void {
  const at = cards.findIndex((c) => c.keyword === card.keyword && !c.isCommentary);
  if (at >= 0) {
    cards[at] = card;
    return;
  }
  let idx = cards.length - 1;
  while (idx >= 0 && COMMENTARY.has(cards[idx]!.keyword)) idx--;
  cards.splice(idx + 1, 0, card);
}

/**
 * Puts `card` at position `where` (an index, or right after the first card with a keyword),
 * removing the (non-commentary) card it replaces first.
 */
function placeCard(cards: Card[], card: Card, where: number | { readonly after: string }): void {
  const at = cards.findIndex((c) => c.keyword === card.keyword && !c.isCommentary);
  if (at >= 0) cards.splice(at, 1);
  let index: number;
  if (typeof where === 'number') {
    index = where;
  } else {
    const after = cards.findIndex((c) => c.keyword === where.after && !c.isCommentary);
    index = after < 0 ? cards.length : after + 1;
  }
  cards.splice(Math.min(index, cards.length), 0, card);
}

/**
 * The header of the image that a tile-compressed table (`ZIMAGE = T`) holds, rebuilt from the
 * table header as astropy's `CompImageHDU.header` does: the table's own structure and column
 * keywords and the convention's `Z*` keywords are left out; `ZSIMPLE` or `ZTENSION` give
 * `SIMPLE` or `XTENSION = 'IMAGE'`, `ZBITPIX` gives `BITPIX`, `ZNAXIS`/`ZNAXISn` give
 * `NAXIS`/`NAXISn`, `ZPCOUNT`/`ZGCOUNT` (or 0 and 1) give `PCOUNT`/`GCOUNT`, and `ZEXTEND`,
 * `ZBLOCKED`, `ZHECKSUM`, `ZDATASUM` give `EXTEND`, `BLOCKED`, `CHECKSUM`, `DATASUM`; every
 * other card (`EXTNAME`, `EXTTYPE`, `BZERO`, `BSCALE`, WCS, ...) is kept in order. astropy's
 * default name `EXTNAME = 'COMPRESSED_IMAGE'` is dropped.
 *
 * Lenient: a missing `ZBITPIX` or `ZNAXIS` leaves the table's value (reading the pixels then
 * fails with a {@link FitsKeywordError}).
 *
 * @param tableHeader - the header of the `ZIMAGE` binary table
 * @returns a new header describing the uncompressed image
 * @example
 * ```ts
 * const fits = await FitsFile.open('calexp.fits.fz');
 * const image = compressedImageHeader(fits.hdus[1]!.header);
 * image.get('BITPIX'); // ZBITPIX, e.g. -32
 * ```
 * @see astropy.io.fits.CompImageHDU.header
 * @see FITS standard 4.0 §10.1
 */
export function compressedImageHeader(tableHeader: Header): Header {
  let source = [...tableHeader.cards()];
  // astropy's _remove_unnecessary_default_extnames: of several EXTNAMEs, drop the default ones.
  const extnames = source.filter((c) => c.keyword === 'EXTNAME' && !c.isCommentary);
  if (extnames.length > 1) {
    const defaults = extnames.filter((c) => typeof c.value === 'string' && c.value.trim() === DEFAULT_EXTNAME);
    if (defaults.length === extnames.length) defaults.shift();
    source = source.filter((c) => !defaults.includes(c));
  }
  const get = (keyword: string): Card | undefined =>
    source.find((c) => c.keyword === keyword && !c.isCommentary && c.value !== undefined);
  const cards = source.filter((c) => !isReservedKeyword(c.keyword));

  const zsimple = get('ZSIMPLE');
  const ztension = get('ZTENSION');
  const xtension = get('XTENSION');
  if (zsimple !== undefined) {
    placeCard(cards, renamed(zsimple, 'SIMPLE'), 0);
    const at = cards.findIndex((c) => c.keyword === 'XTENSION');
    if (at >= 0) cards.splice(at, 1);
  } else {
    placeCard(cards, renamed(ztension ?? xtension, 'XTENSION', 'IMAGE'), 0);
  }
  const zbitpix = get('ZBITPIX');
  if (zbitpix !== undefined) placeCard(cards, renamed(zbitpix, 'BITPIX'), 1);
  const znaxis = get('ZNAXIS');
  if (znaxis !== undefined) placeCard(cards, renamed(znaxis, 'NAXIS'), 2);
  const naxisValue = cards.find((c) => c.keyword === 'NAXIS' && !c.isCommentary)?.value;
  const naxis = typeof naxisValue === 'number' && Number.isSafeInteger(naxisValue) && naxisValue >= 0 ? Math.min(naxisValue, 999) : 0;
  let last = 'NAXIS';
  for (let k = 1; k <= naxis; k++) {
    const z = get(`ZNAXIS${k}`);
    if (z === undefined) continue;
    placeCard(cards, renamed(z, `NAXIS${k}`), { after: last });
    last = `NAXIS${k}`;
  }
  // Other NAXISn beyond NAXIS (the table's NAXIS2 of a 1-d image).
  for (let i = cards.length - 1; i >= 0; i--) {
    const m = /^NAXIS(\d+)$/.exec(cards[i]!.keyword);
    if (m !== null && Number(m[1]) > naxis) cards.splice(i, 1);
  }
  const pcount = cards.find((c) => c.keyword === 'PCOUNT' && !c.isCommentary);
  const zpcount = get('ZPCOUNT');
  placeCard(cards, zpcount !== undefined ? renamed(zpcount, 'PCOUNT') : renamed(pcount, 'PCOUNT', 0), { after: last });
  const gcount = cards.find((c) => c.keyword === 'GCOUNT' && !c.isCommentary);
  const zgcount = get('ZGCOUNT');
  placeCard(cards, zgcount !== undefined ? renamed(zgcount, 'GCOUNT') : renamed(gcount, 'GCOUNT', 1), { after: 'PCOUNT' });
  for (const [z, keyword] of [
    ['ZEXTEND', 'EXTEND'],
    ['ZBLOCKED', 'BLOCKED'],
    ['ZHECKSUM', 'CHECKSUM'],
    ['ZDATASUM', 'DATASUM'],
  ] as const) {
    const card = get(z);
    if (card !== undefined) setCard(cards, renamed(card, keyword));
  }
  const extname = cards.find((c) => c.keyword === 'EXTNAME' && !c.isCommentary);
  if (typeof extname?.value === 'string' && extname.value.trim() === DEFAULT_EXTNAME) {
    for (let i = cards.length - 1; i >= 0; i--) if (cards[i]!.keyword === 'EXTNAME') cards.splice(i, 1);
  }
  if (zsimple !== undefined) {
    for (let i = cards.length - 1; i >= 0; i--) {
      if (cards[i]!.keyword === 'PCOUNT' || cards[i]!.keyword === 'GCOUNT') cards.splice(i, 1);
    }
  }
  return new Header(cards);
}

/** The variable-length columns a compressed image table keeps its tiles in. */
export const TILE_COLUMNS = ['COMPRESSED_DATA', 'GZIP_COMPRESSED_DATA', 'UNCOMPRESSED_DATA'] as const;

/**
 * Where {@link tiledImageSource} gets the heap bytes of a variable-length cell: the column
 * name and the row, to the raw (big-endian) bytes.
 */
export type TileBytesReader = (column: string, row: number) => Uint8Array;

/**
 * A decoded `ZIMAGE` binary table seen as a {@link TiledImageSource}, for
 * {@link decodeTiledImage}: `COMPRESSED_DATA` bytes per row, the `ZSCALE`/`ZZERO`/`ZBLANK`
 * columns, and the `GZIP_COMPRESSED_DATA`/`UNCOMPRESSED_DATA` fallbacks.
 *
 * @param table - the table, decoded from the HDU's header and data unit
 * @param readBytes - where heap bytes come from (default: the table's own heap,
 *   {@link BinaryTable.getHeapBytes}); a reader that fetched only some rows passes its own
 * @returns the source
 * @throws {@link FitsKeywordError} (when asked for tiles) when the table has no variable-length
 *   `COMPRESSED_DATA` column
 * @example
 * ```ts
 * const info = fits.findHdu(1);
 * const table = BinaryTable.decode(info.header, await fits.readData(1));
 * const { data, shape } = decodeTiledImage(tiledImageSource(table));
 * ```
 * @see FITS standard 4.0 §10.2 (the compressed table's columns)
 */
export function tiledImageSource(table: BinaryTable, readBytes?: TileBytesReader): TiledImageSource {
  const read: TileBytesReader = readBytes ?? ((column, row) => table.getHeapBytes(column, row));
  const heapColumn = (name: string): boolean => table.hasColumn(name) && table.column(name).variableLength;
  const scalarColumn = (name: string): boolean => {
    if (!table.hasColumn(name)) return false;
    const c = table.column(name);
    return !c.variableLength && c.type !== 'A' && c.type !== 'X' && c.type !== 'L';
  };
  return {
    header: table.header,
    nTiles: table.nRows,
    getTileBytes: (row) => read('COMPRESSED_DATA', row),
    getColumnValue: (name, row) => {
      if (!scalarColumn(name) || row < 0 || row >= table.nRows) return undefined;
      const column = table.column(name);
      const v = table.getNumericColumn(name)[row * column.repeat];
      return v === undefined ? undefined : Number(v);
    },
    getColumnBytes: (name, row) => (heapColumn(name) ? read(name, row) : undefined),
  };
}

/** Options of {@link makeCompressedImageHdu}. */
export interface MakeCompressedImageHduOptions {
  /** `ZCMPTYPE`: RICE_1 and PLIO_1 for integers, GZIP_1 and GZIP_2 for integers and floats. */
  readonly compression: WritableCompressionType;
  /** Tile size `[ZTILE1, ZTILE2]`; default whole rows `[width, 1]` (as fpack and astropy write). */
  readonly tile?: readonly [number, number];
  /** `EXTNAME` of the HDU. */
  readonly extname?: string;
  /**
   * More keywords of the image (`EXTTYPE`, WCS, ...), copied into the table header in order.
   * Structural keywords (`SIMPLE`, `XTENSION`, `BITPIX`, `NAXISn`, `PCOUNT`, `GCOUNT`,
   * `EXTEND`, `BZERO`, `BSCALE`, `BLANK`, `CHECKSUM`, `DATASUM`, `END`) and keywords reserved
   * for the table (`TFIELDS`, `TTYPEn`, ..., the `Z*` keywords of the convention) are skipped.
   */
  readonly header?: Header;
  /** Rice `BLOCKSIZE` (default 32). */
  readonly blockSize?: number;
  /** zlib level for GZIP_1/GZIP_2, 1 to 9 (default 6). */
  readonly gzipLevel?: number;
}

const IMAGE_STRUCTURAL =
  /^(SIMPLE|XTENSION|BITPIX|NAXIS\d{0,3}|EXTEND|PCOUNT|GCOUNT|BZERO|BSCALE|BLANK|CHECKSUM|DATASUM|END|THEAP)$/;

/** Big-endian 16-bit words as an Int16Array (the bit patterns kept). */
function int16Words(bytes: Uint8Array): Int16Array {
  const out = new Int16Array(bytes.length >>> 1);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = dv.getInt16(2 * i);
  return out;
}

/**
 * Makes a tile-compressed image HDU for {@link writeFits} / {@link encodeFits}: the pixels
 * cut into tiles, each compressed losslessly ({@link compressImageTiles}) into one row of a
 * `ZIMAGE` binary table ({@link BinaryTable.encode}) with the keywords of the convention:
 * `ZIMAGE`, `ZTENSION`, `ZBITPIX`, `ZNAXIS`, `ZNAXISn`, `ZPCOUNT`, `ZGCOUNT`, `ZTILEn`,
 * `ZCMPTYPE`, `ZNAME1`/`ZVAL1` = `BLOCKSIZE` and `ZNAME2`/`ZVAL2` = `BYTEPIX` for Rice,
 * `ZQUANTIZ = 'NONE'` for floats, and `BZERO`/`BSCALE` for the unsigned conventions (as
 * astropy and cfitsio write them); `COMPRESSED_DATA` is `1PB`, or `1PI` for PLIO_1.
 * {@link FitsFile.readImage}, astropy and cfitsio read the image back with the same values and
 * array type.
 *
 * @param pixels - the pixels, `width × height`, x fastest (any {@link FitsPixelArray}; floats
 *   only with GZIP_1/GZIP_2)
 * @param width - `ZNAXIS1`
 * @param height - `ZNAXIS2`
 * @param options - compression type, tile size, `EXTNAME` and more image keywords
 * @returns the HDU (a binary-table header and its data unit)
 * @throws {@link FitsUnsupportedError} for RICE_1/PLIO_1 of floats, RICE_1/PLIO_1 of 64-bit
 *   integers, PLIO_1 of values outside 0 to 2^24 - 1
 * @throws {@link FitsFormatError} when `pixels.length` is not `width × height`, the tile size
 *   is invalid, or `options.header` has a keyword the table reserves
 * @example
 * ```ts
 * const mask = new Int32Array(4096 * 4096);
 * await writeFits('mask.fits', [
 *   {},
 *   makeCompressedImageHdu(mask, 4096, 4096, { compression: 'PLIO_1', tile: [4096, 16], extname: 'MASK' }),
 * ]);
 * const back = await (await FitsFile.open('mask.fits')).readImage('MASK'); // Int32Array
 * ```
 * @see astropy.io.fits.CompImageHDU
 * @see FITS standard 4.0 §10
 */
export function makeCompressedImageHdu(
  pixels: FitsPixelArray,
  width: number,
  height: number,
  options: MakeCompressedImageHduOptions,
): FitsHduInput {
  const tiles = compressImageTiles(pixels, width, height, {
    type: options.compression,
    ...(options.tile === undefined ? {} : { tile: options.tile }),
    ...(options.blockSize === undefined ? {} : { blockSize: options.blockSize }),
    ...(options.gzipLevel === undefined ? {} : { gzipLevel: options.gzipLevel }),
  });
  const column: BinaryTableColumnInput = {
    name: 'COMPRESSED_DATA',
    format: `${tiles.tform}(${tiles.maxElements})`,
    data: tiles.tform === '1PI' ? tiles.tiles.map(int16Words) : tiles.tiles,
  };
  const { header: table, data } = BinaryTable.encode([column], tiles.tiles.length);
  const cards = [...table.cards()];
  const byKeyword = new Map(tiles.cards.map((c) => [c.keyword, c]));
  const zcard = (keyword: string): Card => {
    const c = byKeyword.get(keyword)!;
    return new Card(c.keyword, c.value, c.comment);
  };
  cards.push(zcard('ZIMAGE'), new Card('ZTENSION', 'IMAGE', 'Image extension'), zcard('ZBITPIX'), zcard('ZNAXIS'));
  cards.push(zcard('ZNAXIS1'), zcard('ZNAXIS2'));
  cards.push(new Card('ZPCOUNT', 0, 'number of parameters'), new Card('ZGCOUNT', 1, 'number of groups'));
  for (const c of tiles.cards) {
    if (/^(ZIMAGE|ZBITPIX|ZNAXIS\d*)$/.test(c.keyword)) continue;
    cards.push(new Card(c.keyword, c.value, c.comment));
  }
  if (options.extname !== undefined) cards.push(new Card('EXTNAME', options.extname, 'extension name'));
  for (const card of options.header ?? []) {
    if (IMAGE_STRUCTURAL.test(card.keyword)) continue;
    if (options.extname !== undefined && card.keyword === 'EXTNAME') continue;
    if (isReservedKeyword(card.keyword) || /^(ZSCALE|ZZERO|ZBLANK|ZDITHER0)$/.test(card.keyword)) {
      throw new FitsFormatError(`The image keyword '${card.keyword}' is reserved for the compressed table.`, {
        hint: 'TFIELDS, TTYPEn/TFORMn/... and the Z* keywords of the tiled image convention describe the table.',
      });
    }
    cards.push(card);
  }
  return { header: new Header(cards), data };
}
