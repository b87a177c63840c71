// Cross-checks of the tile compression codecs with astropy (an independent implementation,
// through /usr/bin/python3): astropy writes CompImageHDU files, we decode them and compare
// with the pixels astropy reads back; our Rice coder must reproduce astropy's tile bytes bit
// for bit; and astropy must read the files we write.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BinaryTable } from '../src/bintable.js';
import { makeCompressedImageHdu, tiledImageSource } from '../src/compressed-image-hdu.js';
import { FitsFile } from '../src/fits-file.js';
import { encodeFits } from '../src/fits-writer.js';
import type { FitsPixelArray } from '../src/image-data.js';
import { riceCompress, riceDecompress } from '../src/compression/rice.js';
import {
  decodeTiledImage,
  readTiledImageParams,
  type TiledImageSource,
  type WritableCompressionType,
} from '../src/compression/tiled-image.js';
import { astropyAvailable, expectBboxReadsAreSlices, expectImageHeadersLikeAstropy, prng, runPython } from './support.js';

const HAVE_ASTROPY = astropyAvailable();

// Writes one CompImageHDU per case and prints, per case, what astropy reads back.
const WRITE_SCRIPT = String.raw`
import sys, json, numpy as np
from astropy.io import fits
out = sys.argv[1]
rng = np.random.default_rng(20240611)
H, W = 37, 45
noise = rng.normal(0, 40, (H, W))
ramp = np.add.outer(np.arange(H) * 3.0, np.arange(W) * 1.5)
def ints(dtype, base, scale=1):
    a = (base + noise * scale + ramp).round()
    info = np.iinfo(dtype)
    return np.clip(a, info.min, info.max).astype(dtype)
mask = (rng.random((H, W)) < 0.15) * rng.integers(1, 4096, (H, W))
mask[10:20, 5:30] = 70000
mask[3, :] = 0
fl = (1000 + noise + ramp).astype(np.float32)
fl_zero = fl.copy(); fl_zero[4, 2:9] = 0.0; fl_zero[30, 40] = 0.0
fl_const = fl.copy(); fl_const[8:16, :] = 3.25
cases = {
  'rice_i16': (ints(np.int16, 0, 200), dict(compression_type='RICE_1', tile_size=(16, 8))),
  'rice_i16_full': (ints(np.int16, -20000, 600), dict(compression_type='RICE_1', tile_size=(45, 37))),
  'rice_i32': (ints(np.int32, 5, 1e6), dict(compression_type='RICE_1')),
  'rice_u8': (ints(np.uint8, 120, 1), dict(compression_type='RICE_1', tile_size=(10, 10))),
  'rice_u16': (ints(np.uint16, 40000, 50), dict(compression_type='RICE_1', tile_size=(45, 4))),
  'gzip1_i16': (ints(np.int16, 0, 30), dict(compression_type='GZIP_1', tile_size=(16, 8))),
  'gzip1_i32': (ints(np.int32, -7, 1e5), dict(compression_type='GZIP_1')),
  'gzip1_u8': (ints(np.uint8, 100, 1), dict(compression_type='GZIP_1')),
  'gzip2_i16': (ints(np.int16, 0, 30), dict(compression_type='GZIP_2', tile_size=(16, 8))),
  'gzip2_i32': (ints(np.int32, 3, 1e6), dict(compression_type='GZIP_2', tile_size=(20, 20))),
  'gzip2_u16': (ints(np.uint16, 30000, 20), dict(compression_type='GZIP_2')),
  'gzip2_f32_lossless': (fl, dict(compression_type='GZIP_2', quantize_level=0.0)),
  'gzip1_f64_lossless': (fl.astype(np.float64) / 3, dict(compression_type='GZIP_1', quantize_level=0.0)),
  'plio_i32': (mask.astype(np.int32), dict(compression_type='PLIO_1')),
  'plio_i16': ((mask % 30000).astype(np.int16), dict(compression_type='PLIO_1', tile_size=(16, 8))),
  'plio_u8': ((mask % 200).astype(np.uint8), dict(compression_type='PLIO_1')),
  'rice_f32_nodither': (fl, dict(compression_type='RICE_1', quantize_method=-1, quantize_level=4.0)),
  'rice_f32_dither1': (fl, dict(compression_type='RICE_1', quantize_method=1, quantize_level=8.0, dither_seed=17, tile_size=(16, 8))),
  'rice_f32_dither1_wrap': (fl, dict(compression_type='RICE_1', quantize_method=1, quantize_level=2.0, dither_seed=9998)),
  'rice_f32_dither2': (fl_zero, dict(compression_type='RICE_1', quantize_method=2, quantize_level=4.0, dither_seed=123, tile_size=(45, 5))),
  'gzip2_f32_dither1': (fl, dict(compression_type='GZIP_2', quantize_method=1, quantize_level=4.0, dither_seed=42)),
  'rice_f64_dither1': (fl.astype(np.float64), dict(compression_type='RICE_1', quantize_method=1, quantize_level=16.0, dither_seed=5)),
  'rice_f32_const_tile': (fl_const, dict(compression_type='RICE_1', quantize_method=1, quantize_level=4.0, dither_seed=3, tile_size=(45, 8))),
}
def describe(path, data=None):
    with fits.open(path) as hl:
        # BSCALE/BZERO first: astropy drops them from the header once the data are scaled
        bscale, bzero = hl[1]._header.get('BSCALE'), hl[1]._header.get('BZERO')
        back = hl[1].data if data is None else data
        return dict(dtype=str(back.dtype), shape=list(back.shape), bscale=bscale, bzero=bzero,
                    data=[None if v != v else v for v in back.ravel().tolist()])
def header(name):
    h = fits.Header()
    h['EXTTYPE'] = ('IMAGE', 'afw extension type')
    h['OBJECT'] = 'case ' + name
    return h
manifest = {}
for name, (data, kw) in cases.items():
    path = f'{out}/{name}.fits'
    fits.CompImageHDU(data, header=header(name), name='IMAGE', **kw).writeto(path, overwrite=True)
    manifest[name] = describe(path)
# A float image stored as scaled int16: BSCALE and BZERO in the compressed header.
hdu = fits.CompImageHDU(fl, header=header('rice_scaled_i16'), name='IMAGE', compression_type='RICE_1', tile_size=(16, 8))
hdu.scale('int16', bscale=0.25, bzero=1000)
hdu.writeto(f'{out}/rice_scaled_i16.fits', overwrite=True)
manifest['rice_scaled_i16'] = describe(f'{out}/rice_scaled_i16.fits')
# A quantised image with null pixels. astropy 5.2 stores NaN as -2147483648 without a ZBLANK
# keyword, and ignores ZBLANK when reading; declare the null value as cfitsio would, and expect
# NaN where the image had NaN and astropy's values everywhere else.
nan_img = fl.copy(); nan_img[7, 3] = np.nan; nan_img[20, 10:14] = np.nan
path = f'{out}/rice_f32_nulls.fits'
fits.CompImageHDU(nan_img, header=header('rice_f32_nulls'), name='IMAGE', compression_type='RICE_1', quantize_method=1, quantize_level=4.0, dither_seed=77).writeto(path, overwrite=True)
with fits.open(path, mode='update', disable_image_compression=True) as f:
    f[1].header['ZBLANK'] = -2147483648
back = fits.open(path)[1].data.copy()
back[np.isnan(nan_img)] = np.nan
manifest['rice_f32_nulls'] = describe(path, back)
json.dump(manifest, open(f'{out}/manifest.json', 'w'))
`;

// Reads the files we wrote and prints their pixels and dtypes.
const READ_SCRIPT = String.raw`
import sys, json
from astropy.io import fits
res = {}
for path in sys.argv[1:]:
    with fits.open(path) as f:
        d = f[1].data
        res[path] = dict(dtype=str(d.dtype), shape=list(d.shape), data=d.ravel().tolist(),
                         cmp=f[1]._header['ZCMPTYPE'])
print(json.dumps(res))
`;

interface Expected {
  dtype: string;
  shape: number[];
  data: (number | null)[];
  bscale?: number | null;
  bzero?: number | null;
}

const EXPECTED_ARRAY: Record<string, string> = {
  uint8: 'Uint8Array',
  int8: 'Int8Array',
  int16: 'Int16Array',
  uint16: 'Uint16Array',
  int32: 'Int32Array',
  uint32: 'Uint32Array',
  float32: 'Float32Array',
  float64: 'Float64Array',
};

describe.skipIf(!HAVE_ASTROPY)('tile compression against astropy', () => {
  let dir = '';
  let manifest: Record<string, Expected> = {};

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'skystack-compression-'));
    runPython(WRITE_SCRIPT, { args: [dir] });
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, Expected>;
  }, 60_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The ZIMAGE table of a file astropy wrote, through FitsFile and BinaryTable. */
  async function open(name: string): Promise<TiledImageSource> {
    const fits = await FitsFile.open(join(dir, `${name}.fits`));
    const table = BinaryTable.decode(fits.hdus[1]!.header, await fits.readData(1));
    await fits.close();
    return tiledImageSource(table);
  }

  function expectPixels(actual: FitsPixelArray, expected: Expected, what: string): void {
    expect(actual.constructor.name, what).toBe(EXPECTED_ARRAY[expected.dtype.replace(/^[<>=]/, '')]);
    expect(actual.length, what).toBe(expected.data.length);
    let mismatches = 0;
    let first = '';
    for (let i = 0; i < actual.length; i++) {
      const a = Number(actual[i]);
      const e = expected.data[i];
      const same = e === null ? Number.isNaN(a) : a === e;
      if (!same) {
        if (mismatches === 0) first = `pixel ${i}: got ${a}, astropy ${e}`;
        mismatches++;
      }
    }
    expect(mismatches, `${what}: ${first}`).toBe(0);
  }

  const cases = [
    'rice_i16',
    'rice_i16_full',
    'rice_i32',
    'rice_u8',
    'rice_u16',
    'gzip1_i16',
    'gzip1_i32',
    'gzip1_u8',
    'gzip2_i16',
    'gzip2_i32',
    'gzip2_u16',
    'gzip2_f32_lossless',
    'gzip1_f64_lossless',
    'plio_i32',
    'plio_i16',
    'plio_u8',
    'rice_f32_nodither',
    'rice_f32_dither1',
    'rice_f32_dither1_wrap',
    'rice_f32_dither2',
    'gzip2_f32_dither1',
    'rice_f64_dither1',
    'rice_f32_const_tile',
    'rice_f32_nulls',
  ];

  it.each(cases)('decodes %s exactly as astropy reads it', async (name) => {
    const expected = manifest[name]!;
    const img = decodeTiledImage(await open(name));
    expect([...img.shape].reverse()).toEqual(expected.shape);
    expectPixels(img.data, expected, name);
  });

  it.each([...cases, 'rice_scaled_i16'])('%s through FitsFile.readImage: astropy\'s pixels and type; bboxes are slices', async (name) => {
    const expected = manifest[name]!;
    const fits = await FitsFile.open(join(dir, `${name}.fits`));
    expect(fits.hdus[1]!.kind).toBe('compressed-image');
    const image = await fits.readImage('IMAGE');
    expect([image.height, image.width]).toEqual(expected.shape);
    expectPixels(image.data, expected, name);
    expect([image.bscale, image.bzero]).toEqual([expected.bscale ?? 1, expected.bzero ?? 0]);
    expect(fits.findHdu({ exttype: 'IMAGE' }).index).toBe(1);
    expect(fits.hdus[1]!.imageHeader!.get('OBJECT')).toBe(`case ${name}`);
    await expectBboxReadsAreSlices(fits, 'IMAGE', image);
    await fits.close();
  });

  it('gives the image header of every file as astropy\'s CompImageHDU.header', async () => {
    await expectImageHeadersLikeAstropy([...cases, 'rice_scaled_i16'].map((name) => join(dir, `${name}.fits`)));
  });

  it('decodes only the overlapping tiles of a bbox, with the same pixels', async () => {
    for (const name of ['rice_i16', 'gzip2_i32', 'rice_f32_dither1', 'plio_i16', 'rice_u16']) {
      const expected = manifest[name]!;
      const [h, w] = expected.shape as [number, number];
      const src = await open(name);
      const params = readTiledImageParams(src.header);
      const box = { minX: 7, minY: 9, width: 21, height: 13 };
      const cut = decodeTiledImage(src, { bbox: box });
      expect(cut.shape).toEqual([21, 13]);
      const [tw, th] = params.tile as [number, number];
      const tilesX = Math.floor((box.minX + box.width - 1) / tw) - Math.floor(box.minX / tw) + 1;
      const tilesY = Math.floor((box.minY + box.height - 1) / th) - Math.floor(box.minY / th) + 1;
      expect(cut.tilesDecoded).toBe(tilesX * tilesY);
      expect(cut.tilesDecoded).toBeLessThan(params.nTiles);
      const sub: Expected = { ...expected, data: [] };
      for (let y = 0; y < box.height; y++) {
        for (let x = 0; x < box.width; x++) sub.data.push(expected.data[(y + box.minY) * w + x + box.minX]!);
      }
      expect(h).toBeGreaterThan(box.minY + box.height);
      expectPixels(cut.data, sub, `${name} bbox`);
    }
  });

  it('keeps zero pixels exactly zero with SUBTRACTIVE_DITHER_2', async () => {
    const img = decodeTiledImage(await open('rice_f32_dither2'));
    const w = img.shape[0]!;
    for (let x = 2; x < 9; x++) expect(Object.is(img.data[4 * w + x], 0)).toBe(true);
    expect(img.data[30 * w + 40]).toBe(0);
  });

  it('turns ZBLANK pixels of a quantised image into NaN', async () => {
    const img = decodeTiledImage(await open('rice_f32_nulls'));
    const w = img.shape[0]!;
    expect(img.data[7 * w + 3]).toBeNaN();
    expect(img.data[20 * w + 12]).toBeNaN();
    expect(Number.isNaN(img.data[0])).toBe(false);
  });

  it('reads a tile that could not be quantised from GZIP_COMPRESSED_DATA', async () => {
    const src = await open('rice_f32_const_tile');
    expect(src.getTileBytes(1).length).toBe(0);
    expect(src.getColumnBytes!('GZIP_COMPRESSED_DATA', 1)!.length).toBeGreaterThan(0);
    const img = decodeTiledImage(src);
    expect(img.data[10 * 45 + 3]).toBe(3.25);
  });

  it.each(['rice_i16', 'rice_i16_full', 'rice_i32', 'rice_u8', 'rice_u16', 'rice_f32_dither1', 'rice_f32_dither2'])(
    'riceCompress reproduces the tile bytes of %s bit for bit',
    async (name) => {
      const src = await open(name);
      const p = readTiledImageParams(src.header);
      const [w, h] = p.axes as [number, number];
      const [tw, th] = p.tile as [number, number];
      const nx = Math.ceil(w / tw);
      const ints = new Int32Array(tw * th);
      for (let t = 0; t < p.nTiles; t++) {
        const n = Math.min(tw, w - (t % nx) * tw) * Math.min(th, h - Math.floor(t / nx) * th);
        const stored = src.getTileBytes(t);
        if (stored.length === 0) continue;
        const tile = riceDecompress(stored, ints.subarray(0, n), n, p.blockSize, p.bytePix);
        const again = riceCompress(tile, n, p.blockSize, p.bytePix);
        expect(Buffer.from(again).equals(Buffer.from(stored)), `${name} tile ${t}`).toBe(true);
      }
    },
  );

  it('writes files astropy reads back exactly', () => {
    const rand = prng(99);
    const width = 50;
    const height = 23;
    const n = width * height;
    const smooth = (scale: number, base: number) =>
      Array.from({ length: n }, (_, i) => Math.round(base + ((i % width) + Math.floor(i / width)) * 3 + (rand() - 0.5) * scale));
    const images: Record<string, FitsPixelArray> = {
      u8: Uint8Array.from(smooth(40, 100)),
      i8: Int8Array.from(smooth(40, -20)),
      i16: Int16Array.from(smooth(3000, -1000)),
      u16: Uint16Array.from(smooth(3000, 40000)),
      i32: Int32Array.from(smooth(4e9, 0)),
      u32: Uint32Array.from(smooth(1e6, 3e9)),
      f32: Float32Array.from(smooth(100, 0), (v) => v / 7),
      f64: Float64Array.from(smooth(100, 0), (v) => v / 7),
      mask: Int32Array.from({ length: n }, (_, i) => ((i * 7919) % 97 < 20 ? (i % 3) * 5000 + 1 : 0)),
    };
    const plan: [string, WritableCompressionType, [number, number] | undefined][] = [
      ['u8', 'RICE_1', [16, 8]],
      ['i8', 'RICE_1', undefined],
      ['i16', 'RICE_1', [16, 8]],
      ['u16', 'RICE_1', undefined],
      ['i32', 'RICE_1', [50, 23]],
      ['u32', 'RICE_1', [7, 5]],
      ['i16', 'GZIP_2', [16, 8]],
      ['u16', 'GZIP_1', undefined],
      ['i32', 'GZIP_2', undefined],
      ['f32', 'GZIP_2', [16, 8]],
      ['f64', 'GZIP_1', undefined],
      ['f32', 'GZIP_1', undefined],
      ['mask', 'PLIO_1', [16, 8]],
      ['u8', 'PLIO_1', undefined],
    ];
    const paths: string[] = [];
    for (const [key, type, tile] of plan) {
      const hdu = makeCompressedImageHdu(images[key]!, width, height, tile === undefined ? { compression: type } : { compression: type, tile });
      const path = join(dir, `ours-${key}-${type}.fits`);
      writeFileSync(path, encodeFits([{}, hdu]));
      paths.push(path);
    }
    const read = JSON.parse(runPython(READ_SCRIPT, { args: paths })) as Record<string, Expected & { cmp: string }>;
    plan.forEach(([key, type], i) => {
      const got = read[paths[i]!]!;
      expect(got.cmp).toBe(type);
      expect(got.shape).toEqual([height, width]);
      const want = key === 'mask' ? 'int32' : ({ u8: 'uint8', i8: 'int8', i16: 'int16', u16: 'uint16', i32: 'int32', u32: 'uint32', f32: 'float32', f64: 'float64' } as Record<string, string>)[key];
      // astropy 5.2 reads a compressed BITPIX 8, BZERO -128 image as float32 (same values).
      const dtype = got.dtype.replace(/^[<>=]/, '');
      expect(key === 'i8' && dtype === 'float32' ? 'int8' : dtype, `${key} ${type}`).toBe(want);
      const src = images[key]!;
      const mismatch = got.data.findIndex((v, j) => v !== Number(src[j]));
      expect(mismatch, `${key} ${type}: first mismatch`).toBe(-1);
    });
  }, 30_000);
});
