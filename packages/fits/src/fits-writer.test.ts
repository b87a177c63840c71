import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyHduChecksum } from './checksum.js';
import { FitsFormatError } from './errors.js';
import { FitsFile } from './fits-file.js';
import { encodeFits, writeFits } from './fits-writer.js';
import { Header } from './header.js';
import type { FitsPixelArray } from './image-data.js';

describe('encodeFits', () => {
  it('puts the mandatory keywords first, in the standard order, keeping the other cards in theirs', async () => {
    const table = Header.fromImages([
      "TTYPE1  = 'A       '",
      'NAXIS2  =                    2',
      "EXTNAME = 'CAT     '",
      'TFIELDS =                    1',
      'GCOUNT  =                    1',
      "TFORM1  = 'J       '",
      'NAXIS1  =                    4',
      'PCOUNT  =                    0',
      'NAXIS   =                    2',
      'BITPIX  =                    8',
      "XTENSION= 'BINTABLE'",
      "CHECKSUM= 'stale           '",
    ]);
    const bytes = encodeFits([{}, { header: table, data: Uint8Array.of(0, 0, 0, 1, 0, 0, 0, 2) }]);
    const fits = await FitsFile.fromBytes(bytes);
    expect(fits.hdus[0]!.header.keywords()).toEqual(['SIMPLE', 'BITPIX', 'NAXIS', 'EXTEND', 'CHECKSUM', 'DATASUM']);
    expect(fits.hdus[1]!.header.keywords()).toEqual([
      'XTENSION', 'BITPIX', 'NAXIS', 'NAXIS1', 'NAXIS2', 'PCOUNT', 'GCOUNT', 'TFIELDS', 'TTYPE1', 'EXTNAME', 'TFORM1', 'CHECKSUM', 'DATASUM',
    ]);
    expect(table.get('CHECKSUM')).toBe('stale'); // the caller's header is not modified
    const sums = await fits.verifyChecksums();
    expect(sums.map((s) => [s.checksum, s.datasum])).toEqual([
      ['ok', 'ok'],
      ['ok', 'ok'],
    ]);
    expect(fits.hdus[1]!.header.get('DATASUM')).toBe('3');
  });

  it('pads headers with blanks and data with zeros to 2880 bytes', () => {
    const bytes = encodeFits([{ data: { data: Uint8Array.of(1, 2, 3), width: 3, height: 1 } }], { checksum: false });
    expect(bytes.length).toBe(5760);
    const text = new TextDecoder().decode(bytes.subarray(0, 2880));
    expect(text.indexOf('END     ') % 80).toBe(0);
    expect(text.slice(text.indexOf('END     ') + 3).trim()).toBe('');
    expect(Array.from(bytes.subarray(2880, 2884))).toEqual([1, 2, 3, 0]);
    expect(bytes.subarray(2883).every((b) => b === 0)).toBe(true);
    expect(text).not.toContain('CHECKSUM');
  });

  it('replaces the structure of a header that came with other pixels (BZERO, BLANK, NAXISn)', async () => {
    const old = Header.fromImages([
      'SIMPLE  =                    T',
      'BITPIX  =                   16',
      'NAXIS   =                    3',
      'NAXIS1  =                  100',
      'NAXIS2  =                  100',
      'NAXIS3  =                    2',
      'BZERO   =                32768',
      'BSCALE  =                    1',
      'BLANK   =                   -1',
      "OBJECT  = 'M31     '",
    ]);
    const bytes = encodeFits([{ header: old, data: { data: Float32Array.of(1, 2, 3, 4), width: 2, height: 2 } }]);
    const fits = await FitsFile.fromBytes(bytes);
    const h = fits.hdus[0]!.header;
    expect(h.keywords()).toEqual(['SIMPLE', 'BITPIX', 'NAXIS', 'NAXIS1', 'NAXIS2', 'EXTEND', 'OBJECT', 'CHECKSUM', 'DATASUM']);
    expect(h.get('BITPIX')).toBe(-32);
    expect(Array.from((await fits.readImage(0)).data as Float32Array)).toEqual([1, 2, 3, 4]);
  });

  it('checksums of every HDU verify with the checksum convention', () => {
    const bytes = encodeFits([
      {},
      { data: { data: Int16Array.of(-1, 2, 3), width: 3, height: 1 } },
      { data: { data: Float64Array.of(Math.PI), width: 1, height: 1 } },
    ]);
    expect(bytes.length).toBe(5 * 2880);
    for (const [h, d, n] of [
      [0, 2880, 0],
      [2880, 5760, 2880],
      [8640, 11520, 2880],
    ] as const) {
      const r = verifyHduChecksum(bytes.subarray(h, d), bytes.subarray(d, d + n));
      expect([r.checksum, r.datasum]).toEqual(['ok', 'ok']);
    }
  });

  it('refuses headers and data that disagree', () => {
    const h = Header.fromImages(["XTENSION= 'IMAGE   '", 'BITPIX  =                   16', 'NAXIS   =                    1', 'NAXIS1  =                    4']);
    expect(() => encodeFits([{}, { header: h, data: new Uint8Array(7) }])).toThrow(/HDU 1: The header describes a data unit of 8 bytes, but 7 bytes were given/);
    expect(() => encodeFits([{}, { header: h }])).toThrow(FitsFormatError);
    expect(() => encodeFits([{ data: { data: new Float32Array(5), width: 2, height: 2 } }])).toThrow(/axes 2x2 hold 4 pixels but the array has 5/);
    const bad = Header.fromImages(['BITPIX  =                   12']);
    expect(() => encodeFits([{ header: bad }])).toThrow(/BITPIX = 12/);
  });
});

describe('writeFits of images larger than one encoding chunk', () => {
  // 4 MiB chunks: 1.5 Mi pixels of 4 bytes (2 chunks, the second partial), 3 Mi of 2 bytes, ...
  const n = 1536 * 1024;
  const width = 1024;
  const arrays: Array<[string, FitsPixelArray]> = [
    ['float32', Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 1e4)],
    ['int32', Int32Array.from({ length: n }, (_, i) => (i * 2654435761) | 0)],
    ['uint32', Uint32Array.from({ length: n }, (_, i) => (i * 2654435761) >>> 0)],
    ['int16', Int16Array.from({ length: 2 * n + 1024 }, (_, i) => (i * 40503) & 0xffff)],
    ['uint8', Uint8Array.from({ length: 3 * n + 1024 }, (_, i) => (i * 97) & 0xff)],
    ['float64', Float64Array.from({ length: n }, (_, i) => Math.cos(i) * 1e9)],
  ];

  it.each(arrays)('%s: the pixels round-trip and DATASUM/CHECKSUM verify (as encodeFits writes them)', async (_, data) => {
    const dir = mkdtempSync(join(tmpdir(), 'skystack-fits-writer-'));
    try {
      const path = join(dir, 'big.fits');
      const image = { data, width, height: data.length / width };
      await writeFits(path, [{}, { data: image }, { data: image }]);
      const fits = await FitsFile.open(path);
      try {
        expect((await fits.verifyChecksums()).map((s) => [s.checksum, s.datasum])).toEqual([
          ['ok', 'ok'],
          ['ok', 'ok'],
          ['ok', 'ok'],
        ]);
        for (const hdu of [1, 2]) {
          const read = (await fits.readImage(hdu)).data;
          expect(read.constructor).toBe(data.constructor);
          expect(Buffer.compare(Buffer.from(read.buffer, read.byteOffset, read.byteLength), Buffer.from(data.buffer, data.byteOffset, data.byteLength))).toBe(0);
        }
      } finally {
        await fits.close();
      }
      const inMemory = encodeFits([{}, { data: image }, { data: image }]);
      expect(Buffer.compare(readFileSync(path), inMemory)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
