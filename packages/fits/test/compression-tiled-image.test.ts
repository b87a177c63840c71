import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FitsFormatError, FitsKeywordError, FitsUnsupportedError } from '../src/errors.js';
import type { FitsPixelArray } from '../src/image-data.js';
import { riceCompress } from '../src/compression/rice.js';
import { gzip1Compress } from '../src/compression/gzip.js';
import {
  compressImageTiles,
  decodeTiledImage,
  overlappingTiles,
  readTiledImageParams,
  type CompressedImageTiles,
  type TiledImageSource,
  type WritableCompressionType,
} from '../src/compression/tiled-image.js';
import { prng } from './support.js';

type CardValue = string | number | boolean | null;

/** A source over hand-made tiles and keywords. */
function handSource(keys: Record<string, CardValue>, tiles: Uint8Array[], columns: Record<string, number[]> = {}): TiledImageSource {
  return {
    nTiles: tiles.length,
    header: { get: (k) => (k in keys ? keys[k] : undefined) },
    getTileBytes: (i) => tiles[i]!,
    getColumnValue: (name, i) => columns[name]?.[i],
  };
}

/** A source over what compressImageTiles returns, held in memory. */
function memorySource(result: CompressedImageTiles): TiledImageSource {
  return handSource(Object.fromEntries(result.cards.map((c) => [c.keyword, c.value])), result.tiles);
}

type Kind = 'u8' | 'i8' | 'i16' | 'u16' | 'i32' | 'u32' | 'i64' | 'u64' | 'f32' | 'f64';

function makeImage(kind: Kind, n: number, seed: number): FitsPixelArray {
  const rand = prng(seed);
  const v = () => Math.round((rand() - 0.5) * 2 ** 33);
  switch (kind) {
    case 'u8':
      return Uint8Array.from({ length: n }, v);
    case 'i8':
      return Int8Array.from({ length: n }, v);
    case 'i16':
      return Int16Array.from({ length: n }, v);
    case 'u16':
      return Uint16Array.from({ length: n }, v);
    case 'i32':
      return Int32Array.from({ length: n }, v);
    case 'u32':
      return Uint32Array.from({ length: n }, v);
    case 'i64':
      return BigInt64Array.from({ length: n }, () => BigInt(v()) * 1000003n);
    case 'u64':
      return BigUint64Array.from({ length: n }, () => BigInt.asUintN(64, BigInt(v()) * 1000003n));
    case 'f32':
      return Float32Array.from({ length: n }, () => (rand() - 0.5) * 1e6);
    case 'f64':
      return Float64Array.from({ length: n }, () => (rand() - 0.5) * 1e300);
  }
}

/** The pixels as plain numbers. */
function nums(a: FitsPixelArray): number[] {
  return Array.from(a as ArrayLike<number>, Number);
}

function sameBits(a: FitsPixelArray, b: FitsPixelArray): boolean {
  if (a.constructor !== b.constructor || a.length !== b.length) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return x.every((v, i) => v === y[i]);
}

const TYPES_FOR: Record<WritableCompressionType, Kind[]> = {
  RICE_1: ['u8', 'i8', 'i16', 'u16', 'i32', 'u32'],
  GZIP_1: ['u8', 'i8', 'i16', 'u16', 'i32', 'u32', 'i64', 'u64', 'f32', 'f64'],
  GZIP_2: ['u8', 'i8', 'i16', 'u16', 'i32', 'u32', 'i64', 'u64', 'f32', 'f64'],
  PLIO_1: [],
};

describe('compressImageTiles + decodeTiledImage', () => {
  it('round-trip every pixel type, compression and tile shape exactly', () => {
    const plan = (Object.keys(TYPES_FOR) as WritableCompressionType[]).flatMap((type) =>
      TYPES_FOR[type].map((kind) => [type, kind] as const),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...plan),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 30 }),
        fc.option(fc.tuple(fc.integer({ min: 1, max: 45 }), fc.integer({ min: 1, max: 35 })), { nil: undefined }),
        fc.integer(),
        ([type, kind], width, height, tile, seed) => {
          const data = makeImage(kind, width * height, seed);
          const result = compressImageTiles(data, width, height, tile === undefined ? { type } : { type, tile });
          const img = decodeTiledImage(memorySource(result));
          expect(img.shape).toEqual([width, height]);
          expect(sameBits(img.data, data)).toBe(true);
          expect(img.bzero).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('round-trips PLIO_1 masks', () => {
    const width = 33;
    const height = 17;
    const mask = Int32Array.from({ length: width * height }, (_, i) => (i % 11 < 4 ? 0 : (i % 5) * 4000));
    for (const tile of [undefined, [8, 4] as const, [33, 17] as const]) {
      const result = compressImageTiles(mask, width, height, tile === undefined ? { type: 'PLIO_1' } : { type: 'PLIO_1', tile });
      expect(result.tform).toBe('1PI');
      expect(sameBits(decodeTiledImage(memorySource(result)).data, mask)).toBe(true);
    }
  });

  it('decodes any region as the same pixels as the full image, touching only its tiles', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 20 }),
        fc.constantFrom<WritableCompressionType>('RICE_1', 'GZIP_2'),
        fc.nat(),
        fc.nat(),
        fc.nat(),
        fc.nat(),
        (width, height, tw, th, type, a, b, c, d) => {
          const data = makeImage('i16', width * height, a + b);
          const memory = memorySource(compressImageTiles(data, width, height, { type, tile: [tw, th] }));
          const asked: number[] = [];
          const src: TiledImageSource = { ...memory, getTileBytes: (t) => (asked.push(t), memory.getTileBytes(t)) };
          const x0 = a % width;
          const y0 = b % height;
          const w = 1 + (c % (width - x0));
          const h = 1 + (d % (height - y0));
          const bbox = { minX: x0, minY: y0, width: w, height: h };
          const cut = decodeTiledImage(src, { bbox });
          // overlappingTiles names exactly the tiles the decoder reads, in order
          expect(overlappingTiles(readTiledImageParams(src.header), { bbox })).toEqual(asked);
          expect(cut.shape).toEqual([w, h]);
          expect(cut.start).toEqual([x0, y0]);
          const expected = new Int16Array(w * h);
          for (let y = 0; y < h; y++) expected.set(data.subarray((y0 + y) * width + x0, (y0 + y) * width + x0 + w) as Int16Array, y * w);
          expect(sameBits(cut.data, expected)).toBe(true);
          const tiles = (Math.floor((x0 + w - 1) / tw) - Math.floor(x0 / tw) + 1) * (Math.floor((y0 + h - 1) / th) - Math.floor(y0 / th) + 1);
          expect(cut.tilesDecoded).toBe(tiles);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('returns the stored integers with raw: true', () => {
    const data = Uint16Array.of(0, 1, 32768, 65535);
    const img = decodeTiledImage(memorySource(compressImageTiles(data, 2, 2, { type: 'RICE_1' })), { raw: true });
    expect(img.data).toBeInstanceOf(Int16Array);
    expect(nums(img.data)).toEqual([-32768, -32767, 0, 32767]);
    expect(img.bzero).toBe(32768);
    expect(img.bscale).toBe(1);
  });

  it('lists the keywords of the table', () => {
    const rice = compressImageTiles(new Uint16Array(12), 4, 3, { type: 'RICE_1', tile: [2, 3] });
    const keys = Object.fromEntries(rice.cards.map((c) => [c.keyword, c.value]));
    expect(keys).toEqual({
      ZIMAGE: true,
      ZBITPIX: 16,
      ZNAXIS: 2,
      ZNAXIS1: 4,
      ZNAXIS2: 3,
      ZTILE1: 2,
      ZTILE2: 3,
      ZCMPTYPE: 'RICE_1',
      ZNAME1: 'BLOCKSIZE',
      ZVAL1: 32,
      ZNAME2: 'BYTEPIX',
      ZVAL2: 2,
      BSCALE: 1,
      BZERO: 32768,
    });
    expect(rice.tiles.length).toBe(2);
    expect(rice.tform).toBe('1PB');
    const gz = compressImageTiles(new Float32Array(6), 3, 2, { type: 'GZIP_2' });
    expect(gz.cards.find((c) => c.keyword === 'ZQUANTIZ')?.value).toBe('NONE');
    expect(gz.tiles.length).toBe(2);
  });

  it('refuses what the codecs cannot store', () => {
    expect(() => compressImageTiles(new Float32Array(4), 2, 2, { type: 'RICE_1' })).toThrow(FitsUnsupportedError);
    expect(() => compressImageTiles(new BigInt64Array(4), 2, 2, { type: 'RICE_1' })).toThrow(FitsUnsupportedError);
    expect(() => compressImageTiles(Int32Array.of(1, 2, -3, 4), 2, 2, { type: 'PLIO_1' })).toThrow(FitsUnsupportedError);
    expect(() => compressImageTiles(new Int16Array(5), 2, 2, { type: 'RICE_1' })).toThrow(FitsFormatError);
    expect(() => compressImageTiles(new Int16Array(4), 2, 2, { type: 'RICE_1', tile: [0, 1] })).toThrow(FitsFormatError);
  });
});

describe('decodeTiledImage on hand-made tables', () => {
  it('decodes a 3-d cube with 3-d tiles, and 3-d regions of it', () => {
    const axes = [5, 7, 3];
    const tile = [4, 3, 2];
    const cube = Int32Array.from({ length: 105 }, (_, i) => i * 37 - 2000);
    const tiles: Uint8Array[] = [];
    for (let tz = 0; tz < 2; tz++) {
      for (let ty = 0; ty < 3; ty++) {
        for (let tx = 0; tx < 2; tx++) {
          const px: number[] = [];
          for (let z = tz * 2; z < Math.min(tz * 2 + 2, 3); z++) {
            for (let y = ty * 3; y < Math.min(ty * 3 + 3, 7); y++) {
              for (let x = tx * 4; x < Math.min(tx * 4 + 4, 5); x++) px.push(cube[z * 35 + y * 5 + x]!);
            }
          }
          tiles.push(riceCompress(Int32Array.from(px)));
        }
      }
    }
    const keys = { ZIMAGE: true, ZBITPIX: 32, ZNAXIS: 3, ZNAXIS1: 5, ZNAXIS2: 7, ZNAXIS3: 3, ZTILE1: 4, ZTILE2: 3, ZTILE3: 2, ZCMPTYPE: 'RICE_1' };
    const src = handSource(keys, tiles);
    expect(readTiledImageParams(src.header).tileCounts).toEqual([2, 3, 2]);
    expect(nums(decodeTiledImage(src).data)).toEqual(Array.from(cube));
    const region = decodeTiledImage(src, { region: { start: [1, 2, 1], size: [3, 4, 2] } });
    const expected: number[] = [];
    for (let z = 1; z < 3; z++) for (let y = 2; y < 6; y++) for (let x = 1; x < 4; x++) expected.push(cube[z * 35 + y * 5 + x]!);
    expect(nums(region.data)).toEqual(expected);
    expect(region.shape).toEqual([3, 4, 2]);
    expect(axes.length).toBe(3);
    expect(tile.length).toBe(3);
  });

  it('dequantises with constant ZSCALE/ZZERO keywords and NO_DITHER', () => {
    const keys = { ZBITPIX: -32, ZNAXIS: 1, ZNAXIS1: 4, ZCMPTYPE: 'GZIP_1', ZQUANTIZ: 'NO_DITHER', ZSCALE: 0.5, ZZERO: 10, ZBLANK: -1 };
    const img = decodeTiledImage(handSource(keys, [gzip1Compress(Int32Array.of(0, 1, -1, 4))]));
    expect(nums(img.data)).toEqual([10, 10.5, Number.NaN, 12]);
  });

  it('reads RICE_ONE as RICE_1 and defaults BYTEPIX to 4 and BLOCKSIZE to 32', () => {
    const keys = { ZBITPIX: 16, ZNAXIS: 2, ZNAXIS1: 3, ZNAXIS2: 1, ZCMPTYPE: 'RICE_ONE' };
    const img = decodeTiledImage(handSource(keys, [riceCompress(Int32Array.of(-5, 300, 7))]));
    expect(img.data).toBeInstanceOf(Int16Array);
    expect(nums(img.data)).toEqual([-5, 300, 7]);
  });

  it('reports keyword problems', () => {
    expect(() => readTiledImageParams({ get: () => undefined })).toThrow(FitsKeywordError);
    expect(() => readTiledImageParams(handSource({ ZBITPIX: 12, ZNAXIS: 0, ZCMPTYPE: 'RICE_1' }, []).header)).toThrow(/ZBITPIX = 12/);
    expect(() => readTiledImageParams(handSource({ ZBITPIX: 16, ZNAXIS: 1, ZNAXIS1: 3, ZCMPTYPE: 'ZSTD_1' }, []).header)).toThrow(
      FitsUnsupportedError,
    );
    expect(() =>
      readTiledImageParams(handSource({ ZBITPIX: -32, ZNAXIS: 1, ZNAXIS1: 3, ZCMPTYPE: 'RICE_1', ZQUANTIZ: 'FANCY' }, []).header),
    ).toThrow(/ZQUANTIZ = 'FANCY'/);
    expect(() => readTiledImageParams(handSource({ ZBITPIX: 16, ZNAXIS: 1, ZCMPTYPE: 'RICE_1' }, []).header)).toThrow(/ZNAXIS1/);
  });

  it('names HCOMPRESS_1 as unsupported', () => {
    const keys = { ZBITPIX: 16, ZNAXIS: 1, ZNAXIS1: 3, ZCMPTYPE: 'HCOMPRESS_1' };
    expect(() => decodeTiledImage(handSource(keys, [Uint8Array.of(1, 2, 3)]))).toThrow(/HCOMPRESS_1/);
    expect(() => decodeTiledImage(handSource(keys, [Uint8Array.of(1, 2, 3)]))).toThrow(FitsUnsupportedError);
  });

  it('reports corrupt tiles with the tile number, and missing rows', () => {
    const data = Int16Array.from({ length: 64 * 8 }, (_, i) => (i * 31) % 1000);
    const result = compressImageTiles(data, 64, 8, { type: 'RICE_1' });
    const tiles = [...result.tiles];
    tiles[3] = tiles[3]!.subarray(0, 5);
    const src = memorySource({ ...result, tiles });
    expect(() => decodeTiledImage(src)).toThrow(/tile 3/);
    expect(() => decodeTiledImage(src)).toThrow(FitsFormatError);
    // Tile 3 is not needed for rows 4..7.
    expect(decodeTiledImage(src, { bbox: { minX: 0, minY: 4, width: 64, height: 4 } }).tilesDecoded).toBe(4);
    const gz = compressImageTiles(data, 64, 8, { type: 'GZIP_2' });
    const bad = [...gz.tiles];
    bad[6] = Uint8Array.from(bad[6]!, (v, i) => (i > 12 ? v ^ 0x5a : v));
    expect(() => decodeTiledImage(memorySource({ ...gz, tiles: bad }))).toThrow(/tile 6/);
    expect(() => decodeTiledImage({ ...memorySource(result), nTiles: 7 })).toThrow(/8 tiles/);
    const empty = [...result.tiles];
    empty[0] = new Uint8Array(0);
    expect(() => decodeTiledImage(memorySource({ ...result, tiles: empty }))).toThrow(/no data/);
  });

  it('rejects regions outside the image', () => {
    const src = memorySource(compressImageTiles(new Int16Array(20), 5, 4, { type: 'RICE_1' }));
    expect(() => decodeTiledImage(src, { bbox: { minX: 3, minY: 0, width: 3, height: 1 } })).toThrow(FitsFormatError);
    expect(() => decodeTiledImage(src, { bbox: { minX: -1, minY: 0, width: 1, height: 1 } })).toThrow(FitsFormatError);
    expect(() => decodeTiledImage(src, { region: { start: [0], size: [1] } })).toThrow(FitsFormatError);
    expect(decodeTiledImage(src, { bbox: { minX: 1, minY: 1, width: 0, height: 2 } }).data.length).toBe(0);
  });
});
