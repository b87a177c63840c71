/**
 * Hostile input: headers that claim absurd sizes and gzip bombs must be rejected with a
 * FitsFormatError (or another FitsError) quickly, without allocating what they claim.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { makeCompressedImageHdu, tiledImageSource } from '../src/compressed-image-hdu.js';
import { decodeTiledImage, overlappingTiles, readTiledImageParams } from '../src/compression/tiled-image.js';
import { FitsError, FitsFormatError } from '../src/errors.js';
import { FitsFile } from '../src/fits-file.js';
import { encodeFits } from '../src/fits-writer.js';
import { BinaryTable } from '../src/bintable.js';

/** A valid 16×16 GZIP_2 file whose compressed-image header is then patched. */
function forged(cards: Record<string, number>): Uint8Array {
  const px = new Int32Array(16 * 16).map((_, i) => i);
  const hdu = makeCompressedImageHdu(px, 16, 16, { compression: 'GZIP_2', tile: [16, 16] });
  for (const [key, value] of Object.entries(cards)) hdu.header!.set(key, value);
  return encodeFits([{}, hdu], { checksum: false });
}

/** Grows the heap by less than `mb` megabytes while `run` runs (a loose bound on allocation). */
async function expectSmall(run: () => Promise<unknown>, mb = 256): Promise<unknown> {
  const before = process.memoryUsage().arrayBuffers;
  let error: unknown;
  try {
    await run();
  } catch (e) {
    error = e;
  }
  expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(mb * 2 ** 20);
  return error;
}

describe('forged compressed-image headers', () => {
  it('a valid file decodes (the forgery starts from a good file)', async () => {
    const file = await FitsFile.fromBytes(forged({}), 'good.fits');
    const img = await file.readImage(1);
    expect(img.data.length).toBe(256);
  });

  it('rejects a tile grid of 10^16 tiles against a table of 1 row, without listing the tiles', async () => {
    const file = await FitsFile.fromBytes(forged({ ZNAXIS1: 1e8, ZNAXIS2: 1e8, ZTILE1: 1, ZTILE2: 1 }), 'tiles.fits');
    const t0 = Date.now();
    const error = await expectSmall(() => file.readImage(1));
    expect(error).toBeInstanceOf(FitsError);
    expect((error as FitsError).file).toBe('tiles.fits');
    expect((error as FitsError).hdu).toBe(1);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('rejects a tile grid larger than the table (10^6 tiles, 1 row) with a FitsFormatError', async () => {
    const file = await FitsFile.fromBytes(forged({ ZNAXIS1: 1000, ZNAXIS2: 1000, ZTILE1: 1, ZTILE2: 1 }), 'grid.fits');
    const error = await expectSmall(() => file.readImage(1));
    expect(error).toBeInstanceOf(FitsFormatError);
    expect((error as Error).message).toMatch(/^grid\.fits, HDU 1.*needs 1000000 tiles.*table has 1 rows/);
  });

  it('overlappingTiles refuses to list more tiles than the table has rows', () => {
    const header = makeCompressedImageHdu(new Int32Array(256), 16, 16, { compression: 'GZIP_2', tile: [16, 16] }).header!;
    header.set('ZNAXIS1', 1e6);
    header.set('ZNAXIS2', 1e6);
    header.set('ZTILE1', 1);
    header.set('ZTILE2', 1);
    expect(() => overlappingTiles(readTiledImageParams(header), {}, 1)).toThrow(FitsFormatError);
  });

  it('rejects a 300000×300000 image in one tile before allocating its pixels', async () => {
    const file = await FitsFile.fromBytes(
      forged({ ZNAXIS1: 300000, ZNAXIS2: 300000, ZTILE1: 300000, ZTILE2: 300000 }),
      'huge.fits',
    );
    const error = await expectSmall(() => file.readImage(1));
    expect(error).toBeInstanceOf(FitsFormatError);
    expect((error as Error).message).toMatch(/^huge\.fits, HDU 1.*90000000000 pixels/);
    expect((error as FitsFormatError).hint).toMatch(/bbox/);
  });

  it('rejects a huge tile before allocating its scratch array, even for a small region', async () => {
    const bytes = forged({ ZNAXIS1: 300000, ZNAXIS2: 300000, ZTILE1: 300000, ZTILE2: 300000 });
    const file = await FitsFile.fromBytes(bytes, 'tile.fits');
    const info = file.hdus[1]!;
    const data = bytes.subarray(info.dataOffset, info.dataOffset + info.dataByteLength);
    const table = BinaryTable.decode(info.header, data);
    const error = await expectSmall(async () => {
      decodeTiledImage(tiledImageSource(table), { region: { start: [0, 0], size: [4, 4] } });
    });
    expect(error).toBeInstanceOf(FitsFormatError);
    expect((error as Error).message).toMatch(/tile \[300000, 300000\].*90000000000 pixels/);
  });
});

describe('gzip bombs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fits-hostile-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A gzip stream of a small valid FITS file followed by `zeros` zero bytes. */
  function fitsBomb(zeros: number): Uint8Array {
    const fits = encodeFits([{ data: { data: new Int16Array(16), width: 4, height: 4, naxis: [4, 4] } }]);
    const all = new Uint8Array(fits.length + zeros);
    all.set(fits);
    return gzipSync(all, { level: 9 });
  }

  it('fromBytes rejects FITS content larger than maxDecompressedBytes', async () => {
    const bomb = fitsBomb(8 << 20);
    const error = await expectSmall(() => FitsFile.fromBytes(bomb, 'bomb.fits.gz', { maxDecompressedBytes: 1 << 20 }), 64);
    expect(error).toBeInstanceOf(FitsFormatError);
    expect((error as Error).message).toMatch(/^bomb\.fits\.gz: .*inflates to more than 1048576 bytes/);
    // Under the limit it opens.
    const ok = await FitsFile.fromBytes(bomb, 'bomb.fits.gz', { maxDecompressedBytes: 16 << 20 });
    expect(ok.hdus.length).toBe(1);
  });

  it('open rejects FITS content larger than maxDecompressedBytes', async () => {
    const path = join(dir, 'bomb.fits.gz');
    writeFileSync(path, fitsBomb(8 << 20));
    const error = await expectSmall(() => FitsFile.open(path, { maxDecompressedBytes: 1 << 20 }), 64);
    expect(error).toBeInstanceOf(FitsFormatError);
    expect((error as Error).message).toContain(`${path}: The file is gzip-compressed and inflates to more than 1048576 bytes`);
  });

  it('rejects gzip content that is not FITS from its first bytes, without inflating it all (default limit)', async () => {
    const bomb = gzipSync(new Uint8Array(64 << 20), { level: 9 }); // 64 MiB of zeros in ~64 KiB
    const path = join(dir, 'zeros.fits.gz');
    writeFileSync(path, bomb);
    const t0 = Date.now();
    for (const run of [() => FitsFile.open(path), () => FitsFile.fromBytes(bomb, 'zeros.fits.gz')]) {
      const error = await expectSmall(run, 32);
      expect(error).toBeInstanceOf(FitsFormatError);
      expect((error as Error).message).toMatch(/zeros\.fits\.gz(, byte 0)?: The file is gzip-compressed but its content is not FITS/);
    }
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});
