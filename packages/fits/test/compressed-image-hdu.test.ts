/**
 * Tile-compressed image HDUs through FitsFile and the writer (files that astropy writes are
 * read through FitsFile in compression-astropy.test.ts):
 *
 * 1. reads: the afw file ticketdm26260.fits.fz through `FitsFile.readImage` equals the plain
 *    ticketdm26260.fits (and both equal astropy's pixels); bbox reads equal slices; the image
 *    header is astropy's `CompImageHDU.header`; a bbox of a large file reads only the heap bytes
 *    of its tiles;
 * 2. writes: `makeCompressedImageHdu` + `writeFits` of every integer type and compression (and
 *    lossless floats) read back by FitsFile and by astropy (checksums verified, warnings as
 *    errors), and `fitsverify -q` is clean.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BinaryTable } from '../src/bintable.js';
import { compressedImageHeader, makeCompressedImageHdu } from '../src/compressed-image-hdu.js';
import type { WritableCompressionType } from '../src/compression/tiled-image.js';
import { FitsError, FitsFormatError, FitsKeywordError, FitsUnsupportedError } from '../src/errors.js';
import { FitsFile } from '../src/fits-file.js';
import { encodeFits, writeFits } from '../src/fits-writer.js';
import { Header } from '../src/header.js';
import { pixelTypeOf, type FitsImageData, type FitsPixelArray } from '../src/image-data.js';
import {
  afwFixture,
  astropyAvailable,
  box,
  describeWithAstropy,
  expectBboxReadsAreSlices,
  expectImageHeadersLikeAstropy,
  fitsverify,
  fitsverifyAvailable,
  prng,
  runPythonJson,
  samePixels,
  sha256OfPixels,
  slice,
} from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'skystack-fits-compressed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FZ = afwFixture('ticketdm26260.fits.fz');
const PLAIN = afwFixture('ticketdm26260.fits');

describe.skipIf(FZ === undefined || PLAIN === undefined)('afw ticketdm26260.fits.fz through FitsFile', () => {
  it('reads the same pixels as the plain file, and both are astropy\'s', async () => {
    const fz = await FitsFile.open(FZ!);
    const plain = await FitsFile.open(PLAIN!);
    const image = await fz.readImage(1);
    const reference = await plain.readImage(0);
    expect(image.data).toBeInstanceOf(Float32Array);
    expect([image.width, image.height, image.naxis]).toEqual([512, 512, [512, 512]]);
    expect([image.bitpix, image.bzero, image.bscale]).toEqual([-32, 0, 1]);
    expect(samePixels(image.data, reference.data)).toBe(true);
    // by astropy's default name too
    expect(samePixels((await fz.readImage('COMPRESSED_IMAGE')).data, image.data)).toBe(true);
    if (astropyAvailable()) {
      const described = describeWithAstropy([FZ!, PLAIN!], { decompress: true });
      const a = described[FZ!]![1]!;
      const b = described[PLAIN!]![0]!;
      expect(a.cls).toBe('CompImageHDU');
      expect([a.dtype, a.shape, a.sha256]).toEqual(['float32', [512, 512], sha256OfPixels(image.data)]);
      expect([b.dtype, b.shape, b.sha256]).toEqual(['float32', [512, 512], sha256OfPixels(image.data)]);
    }
    await fz.close();
    await plain.close();
  });

  it('reads bboxes equal to slices of the whole image', async () => {
    const fz = await FitsFile.open(FZ!);
    await expectBboxReadsAreSlices(fz, 1, await fz.readImage(1));
    await fz.close();
  });

  it('gives the image header as astropy does, and describes the HDU by it', async () => {
    const fz = await FitsFile.open(FZ!);
    const info = fz.hdus[1]!;
    expect(info.imageHeader!.get('BITPIX')).toBe(-32);
    expect(info.imageHeader!.get('NAXIS1')).toBe(512);
    expect(info.imageHeader!.has('ZIMAGE')).toBe(false);
    expect(fz.hdus[0]!.imageHeader).toBe(fz.hdus[0]!.header);
    await fz.close();
    if (astropyAvailable()) await expectImageHeadersLikeAstropy([FZ!]);
  });
});

describe('compressed reads of a large file fetch only the tiles of the bbox', () => {
  const W = 1024;
  const H = 768;
  const rand = prng(5);
  const pixels = Int32Array.from({ length: W * H }, (_, i) => Math.round((rand() - 0.5) * 2e6) + (i % W) * 3);
  const bytes = encodeFits([{}, makeCompressedImageHdu(pixels, W, H, { compression: 'RICE_1', tile: [256, 16], extname: 'IMAGE' })]);

  it('reads a bbox right even when every other tile is garbage', async () => {
    const fits = await FitsFile.fromBytes(bytes, 'big.fits');
    const info = fits.hdus[1]!;
    expect(info.dataByteLength).toBeGreaterThan(2 << 20); // past the whole-read threshold
    const full = await fits.readImage('IMAGE');
    expect(samePixels(full.data, pixels)).toBe(true);
    const b = box(300, 100, 150, 40); // tiles x 1..1, y 6..8 of a 4 × 48 grid
    const want = slice(full, b);
    // Overwrite the heap bytes of every tile the bbox does not touch.
    const table = BinaryTable.decode(info.header, await fits.readData(1));
    const corrupt = bytes.slice();
    const touched = new Set<number>();
    for (let ty = 6; ty <= 8; ty++) for (let tx = 1; tx <= 1; tx++) touched.add(ty * 4 + tx);
    for (let row = 0; row < table.nRows; row++) {
      if (touched.has(row)) continue;
      const r = table.heapRange('COMPRESSED_DATA', row);
      corrupt.fill(0xa5, info.dataOffset + r.offset, info.dataOffset + r.offset + r.byteLength);
    }
    const damaged = await FitsFile.fromBytes(corrupt, 'damaged.fits');
    const cut = await damaged.readImage('IMAGE', { bbox: b });
    expect(samePixels(cut.data, want)).toBe(true);
    // the whole image no longer decodes to the original pixels
    const whole = await damaged.readImage('IMAGE').catch((e: unknown) => e);
    if (whole instanceof Error) {
      expect(whole).toBeInstanceOf(FitsError);
      expect(whole.message).toMatch(/^damaged\.fits, HDU 1, byte \d+: Compressed image tile \d+/);
    } else {
      expect(samePixels((whole as FitsImageData).data, pixels)).toBe(false);
    }
  });

  it('corrupt tile bytes are a FitsFormatError naming the file, HDU, tile and its offset', async () => {
    const fits = await FitsFile.fromBytes(bytes, 'big.fits');
    const info = fits.hdus[1]!;
    const table = BinaryTable.decode(info.header, await fits.readData(1));
    const r = table.heapRange('COMPRESSED_DATA', 25);
    const corrupt = bytes.slice();
    corrupt.fill(0xff, info.dataOffset + r.offset, info.dataOffset + r.offset + r.byteLength);
    const damaged = await FitsFile.fromBytes(corrupt, 'bad.fits');
    const err = await damaged.readImage('IMAGE', { bbox: box(256, 96, 10, 10) }).catch((e: unknown) => e); // tile 25 = (1, 6)
    expect(err).toBeInstanceOf(FitsFormatError);
    expect((err as FitsError).offset).toBe(info.dataOffset + r.offset);
    expect((err as Error).message).toMatch(/^bad\.fits, HDU 1, byte \d+: Compressed image tile 25: /);
  });
});

describe('the image header of a compressed table', () => {
  it('maps the Z keywords, drops the table and the default name, keeps the rest in order', () => {
    const table = Header.fromImages([
      "XTENSION= 'BINTABLE'           / binary table extension",
      'BITPIX  =                    8',
      'NAXIS   =                    2',
      'NAXIS1  =                    8',
      'NAXIS2  =                    3',
      'PCOUNT  =                  100',
      'GCOUNT  =                    1',
      'TFIELDS =                    1',
      "TTYPE1  = 'COMPRESSED_DATA'",
      "TFORM1  = '1PB(40)'",
      'ZIMAGE  =                    T',
      'ZBITPIX =                   32 / data type of original image',
      'ZNAXIS  =                    1',
      'ZNAXIS1 =                   17',
      'ZTILE1  =                   17',
      "ZCMPTYPE= 'GZIP_1  '",
      "EXTNAME = 'COMPRESSED_IMAGE'",
      "EXTTYPE = 'MASK    '",
      'ZDITHER0=                    3',
      'ZEXTEND =                    T',
      'COMMENT a comment',
    ]);
    const image = compressedImageHeader(table);
    expect(image.keywords()).toEqual(['XTENSION', 'BITPIX', 'NAXIS', 'NAXIS1', 'PCOUNT', 'GCOUNT', 'EXTTYPE', 'ZDITHER0', 'EXTEND', 'COMMENT']);
    expect([image.get('XTENSION'), image.get('BITPIX'), image.get('NAXIS'), image.get('NAXIS1'), image.get('PCOUNT')]).toEqual([
      'IMAGE',
      32,
      1,
      17,
      0,
    ]);
    expect(image.getCard('BITPIX')!.comment).toBe('data type of original image');
  });
});

describe('makeCompressedImageHdu + writeFits', () => {
  const W = 45;
  const H = 29;
  const rand = prng(31);
  const noisy = (base: number, scale: number): number[] =>
    Array.from({ length: W * H }, (_, i) => Math.round(base + (i % W) * 3 + Math.floor(i / W) * 2 + (rand() - 0.5) * scale));
  const images: Record<string, FitsPixelArray> = {
    uint8: Uint8Array.from(noisy(100, 60)),
    int16: Int16Array.from(noisy(-2000, 4000)),
    uint16: Uint16Array.from(noisy(40000, 8000)),
    int32: Int32Array.from(noisy(-1e6, 4e8)),
    float32: Float32Array.from(noisy(0, 1000), (v) => v / 7),
    float64: Float64Array.from(noisy(0, 1000), (v) => v / 3),
  };
  const masks: Record<string, FitsPixelArray> = {
    uint8: Uint8Array.from({ length: W * H }, (_, i) => (i % 11 === 0 ? 200 : 0)),
    int16: Int16Array.from({ length: W * H }, (_, i) => ((i * 7) % 13 < 3 ? 1 << 14 : i % 5)),
    int32: Int32Array.from({ length: W * H }, (_, i) => ((i * 7) % 17 < 3 ? (1 << 23) + 5 : 0)),
  };
  const plan: [string, FitsPixelArray, WritableCompressionType, [number, number] | undefined][] = [];
  for (const type of ['uint8', 'int16', 'uint16', 'int32'] as const) {
    plan.push([`${type}-RICE_1`, images[type]!, 'RICE_1', [16, 8]]);
    plan.push([`${type}-GZIP_2`, images[type]!, 'GZIP_2', undefined]);
    plan.push([`${type}-GZIP_1`, images[type]!, 'GZIP_1', [W, 4]]);
  }
  for (const type of ['uint8', 'int16', 'int32'] as const) plan.push([`${type}-PLIO_1`, masks[type]!, 'PLIO_1', [W, 5]]);
  plan.push(['float32-GZIP_2', images['float32']!, 'GZIP_2', [20, 20]]);
  plan.push(['float64-GZIP_1', images['float64']!, 'GZIP_1', undefined]);
  const paths = new Map<string, string>();

  beforeAll(async () => {
    for (const [name, data, compression, tile] of plan) {
      const header = new Header();
      header.set('EXTTYPE', 'IMAGE', 'afw extension type');
      header.set('OBJECT', name);
      const path = join(dir, `ours-${name}.fits`);
      await writeFits(path, [{}, makeCompressedImageHdu(data, W, H, { compression, extname: 'IMAGE', header, ...(tile === undefined ? {} : { tile }) })]);
      paths.set(name, path);
    }
  });

  it.each(plan.map((p) => p[0]))('%s reads back with FitsFile: same values and array type', async (name) => {
    const [, data, compression] = plan.find((p) => p[0] === name)!;
    const fits = await FitsFile.open(paths.get(name)!);
    expect(fits.hdus.map((h) => h.kind)).toEqual(['primary', 'compressed-image']);
    const info = fits.findHdu('IMAGE');
    expect(info.header.get('ZCMPTYPE')).toBe(compression);
    expect(info.header.get('TFORM1')).toMatch(compression === 'PLIO_1' ? /^1PI\(\d+\)$/ : /^1PB\(\d+\)$/);
    expect(info.imageHeader!.get('EXTTYPE')).toBe('IMAGE');
    expect(info.imageHeader!.get('OBJECT')).toBe(name);
    expect(info.imageHeader!.get('XTENSION')).toBe('IMAGE');
    const image = await fits.readImage({ exttype: 'IMAGE' });
    expect(samePixels(image.data, data)).toBe(true);
    await expectBboxReadsAreSlices(fits, 'IMAGE', image);
    const sums = await fits.verifyChecksums();
    expect(sums.every((s) => s.checksum === 'ok' && s.datasum === 'ok')).toBe(true);
    await fits.close();
  });

  it.skipIf(!astropyAvailable())('astropy reads the same values and dtypes, checksums verify, no warnings', () => {
    const script = String.raw`
import sys, json, hashlib, warnings
import numpy as np
from astropy.io import fits
warnings.simplefilter('error')
out = {}
for name, path in json.load(sys.stdin):
    with fits.open(path, checksum=True) as hl:
        hdu = hl['IMAGE']
        a = hdu.data
        le = np.ascontiguousarray(a, dtype=a.dtype.newbyteorder('<'))
        out[name] = dict(cls=type(hdu).__name__, dtype=a.dtype.name, shape=list(a.shape), exttype=hdu.header['EXTTYPE'],
                         cmp=hdu._header['ZCMPTYPE'], sha256=hashlib.sha256(le.tobytes()).hexdigest())
print(json.dumps(out))
`;
    const got = runPythonJson<Record<string, { cls: string; dtype: string; shape: number[]; exttype: string; cmp: string; sha256: string }>>(
      script,
      [...paths.entries()],
    );
    for (const [name, data, compression] of plan) {
      expect({ name, ...got[name]! }).toEqual({
        name,
        cls: 'CompImageHDU',
        dtype: pixelTypeOf(data),
        shape: [H, W],
        exttype: 'IMAGE',
        cmp: compression,
        sha256: sha256OfPixels(data),
      });
    }
  });

  it.skipIf(!fitsverifyAvailable())('fitsverify -q is clean for every file', () => {
    for (const [name, path] of paths) {
      const r = fitsverify(path);
      expect({ name, status: r.status, ok: /verification OK/.test(r.output) }).toEqual({ name, status: 0, ok: true });
    }
  });

  it('writes an afw-like compressed MEF that reads by EXTTYPE', async () => {
    const image = images['float32']!;
    const mask = masks['int32']!;
    const variance = Float32Array.from(image as Float32Array, (v) => Math.abs(v) + 1);
    const exttype = (t: string): Header => Header.fromImages([`EXTTYPE = '${t.padEnd(8)}'`]);
    const path = join(dir, 'mef.fits');
    await writeFits(path, [
      {},
      makeCompressedImageHdu(image, W, H, { compression: 'GZIP_2', header: exttype('IMAGE') }),
      makeCompressedImageHdu(mask, W, H, { compression: 'PLIO_1', header: exttype('MASK') }),
      makeCompressedImageHdu(variance, W, H, { compression: 'GZIP_2', header: exttype('VARIANCE') }),
    ]);
    const fits = await FitsFile.open(path);
    expect(samePixels((await fits.readImage('IMAGE')).data, image)).toBe(true);
    expect(samePixels((await fits.readImage('MASK')).data, mask)).toBe(true);
    expect(samePixels((await fits.readImage('VARIANCE')).data, variance)).toBe(true);
    await fits.close();
    if (fitsverifyAvailable()) expect(fitsverify(path).status).toBe(0);
  });

  it('round-trips the other pixel types through FitsFile (int8, uint32, int64, uint64)', async () => {
    const n = W * H;
    const others: [FitsPixelArray, WritableCompressionType][] = [
      [Int8Array.from({ length: n }, (_, i) => (i % 256) - 128), 'RICE_1'],
      [Uint32Array.from({ length: n }, (_, i) => (i * 2654435761) >>> 0), 'RICE_1'],
      [BigInt64Array.from({ length: n }, (_, i) => BigInt(i - 500) * 9007199254740993n), 'GZIP_2'],
      [BigUint64Array.from({ length: n }, (_, i) => BigInt(i) * 18446744073709551n), 'GZIP_1'],
    ];
    const bytes = encodeFits([{}, ...others.map(([data, compression]) => makeCompressedImageHdu(data, W, H, { compression, tile: [16, 16] }))]);
    const fits = await FitsFile.fromBytes(bytes, 'others.fits');
    for (const [k, [data]] of others.entries()) {
      const image = await fits.readImage(k + 1);
      expect(pixelTypeOf(image.data)).toBe(pixelTypeOf(data));
      expect(samePixels(image.data, data)).toBe(true);
      await expectBboxReadsAreSlices(fits, k + 1, image);
    }
  });

  it('refuses what cannot be stored losslessly, as astropy does', () => {
    expect(() => makeCompressedImageHdu(new Float32Array(4), 2, 2, { compression: 'RICE_1' })).toThrow(FitsUnsupportedError);
    // the unsigned convention stores uint16 as negative values, which PLIO_1 cannot hold
    expect(() => makeCompressedImageHdu(Uint16Array.of(0, 1, 2, 3), 2, 2, { compression: 'PLIO_1' })).toThrow(FitsUnsupportedError);
    expect(() => makeCompressedImageHdu(new Int16Array(5), 2, 2, { compression: 'GZIP_2' })).toThrow(FitsFormatError);
    const reserved = Header.fromImages(["ZCMPTYPE= 'RICE_1  '"]);
    expect(() => makeCompressedImageHdu(new Int16Array(4), 2, 2, { compression: 'GZIP_2', header: reserved })).toThrow(FitsFormatError);
  });

  it('a compressed HDU without the keywords of the convention is a keyword error naming the HDU', async () => {
    const hdu = makeCompressedImageHdu(new Int16Array(4), 2, 2, { compression: 'GZIP_2' });
    const header = hdu.header!.clone();
    header.delete('ZBITPIX');
    const fits = await FitsFile.fromBytes(encodeFits([{}, { header, data: hdu.data! }]), 'nobitpix.fits');
    const err = await fits.readImage(1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FitsKeywordError);
    expect((err as Error).message).toMatch(/^nobitpix\.fits, HDU 1, byte 2880: The compressed image header has no ZBITPIX/);
  });
});
