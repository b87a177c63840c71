import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import { afterAll, describe, expect, it } from 'vitest';
import { FitsError, FitsFormatError, FitsHduNotFoundError, FitsKeywordError } from './errors.js';
import { FitsFile } from './fits-file.js';
import { encodeFits } from './fits-writer.js';
import { Header } from './header.js';

const dir = mkdtempSync(join(tmpdir(), 'skystack-fits-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Header blocks from card texts (padded to 80 characters), END, and blanks to 2880. */
function headerBlock(cards: string[]): Uint8Array {
  const text = [...cards, 'END'].map((c) => c.padEnd(80, ' ')).join('');
  return new TextEncoder().encode(text.padEnd(Math.ceil(text.length / 2880) * 2880, ' '));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

const int = (k: string, v: number | string): string => `${k.padEnd(8)}= ${String(v).padStart(20)}`;
const str = (k: string, v: string): string => `${k.padEnd(8)}= '${v.padEnd(8)}'`;
const EMPTY_PRIMARY = headerBlock([int('SIMPLE', 'T'), int('BITPIX', 8), int('NAXIS', 0), int('EXTEND', 'T')]);

function imageExtension(naxis1: number | string, naxis2: number | string, bitpix = -32): Uint8Array {
  return headerBlock([str('XTENSION', 'IMAGE'), int('BITPIX', bitpix), int('NAXIS', 2), int('NAXIS1', naxis1), int('NAXIS2', naxis2), int('PCOUNT', 0), int('GCOUNT', 1)]);
}

async function openError(bytes: Uint8Array, name = 'bad.fits'): Promise<FitsError> {
  const e = await FitsFile.fromBytes(bytes, name).catch((err: unknown) => err);
  expect(e).toBeInstanceOf(FitsError);
  return e as FitsError;
}

describe('FitsFile.open: impossible and truncated files', () => {
  it('a data unit larger than the file is refused on open, naming the HDU and offset', async () => {
    const e = await openError(concat(EMPTY_PRIMARY, imageExtension(1_000_000, 1_000_000)));
    expect(e).toBeInstanceOf(FitsFormatError);
    expect(e.message).toMatch(/^bad\.fits, HDU 1, byte 5760: The header declares a data unit of 4000000000000 bytes at byte 5760, but the file has only 5760 bytes/);
    expect(e.hdu).toBe(1);
    expect(e.offset).toBe(5760);
  });

  it('negative, fractional and astronomically large axis lengths are format errors with the header offset', async () => {
    for (const [n1, pattern] of [
      [-5, /NAXIS1.*non-negative integer/],
      ['1.5', /NAXIS1.*non-negative integer/],
      ['1152921504606846976', /NAXIS1|cannot be/],
      ["'ten'", /NAXIS1/],
    ] as const) {
      const e = await openError(concat(EMPTY_PRIMARY, imageExtension(n1, 4)));
      expect(e).toBeInstanceOf(FitsFormatError);
      expect(e.message).toMatch(/^bad\.fits, HDU 1, byte 2880: /);
      expect(e.message).toMatch(pattern);
    }
  });

  it('a file truncated in a header or a data unit is a format error with the offset where it ends', async () => {
    const good = encodeFits([{}, { data: { data: new Float32Array(1000), width: 100, height: 10 } }]);
    const midHeader = await openError(good.subarray(0, 2880 + 400));
    expect(midHeader).toBeInstanceOf(FitsFormatError);
    expect(midHeader.message).toMatch(/^bad\.fits, HDU 1, byte 3280: No END card/);
    const midData = await openError(good.subarray(0, 5760 + 1000));
    expect(midData.message).toMatch(/^bad\.fits, HDU 1, byte 5760: The header declares a data unit of 4000 bytes/);
    const inPrimary = await openError(good.subarray(0, 100));
    expect(inPrimary.message).toMatch(/^bad\.fits, HDU 0, byte 100: No END card/);
    // missing padding after the last data unit is tolerated
    const fits = await FitsFile.fromBytes(good.subarray(0, 5760 + 4000));
    expect((await fits.readImage(1)).data.length).toBe(1000);
  });

  it('not FITS, empty, non-ASCII headers and garbage after the last HDU are format errors', async () => {
    expect((await openError(new TextEncoder().encode('hello world'))).message).toMatch(/Not a FITS file/);
    expect((await openError(new Uint8Array(0))).message).toMatch(/empty/);
    const bytes = EMPTY_PRIMARY.slice();
    bytes[85] = 0x07;
    const e = await openError(bytes);
    expect(e.message).toMatch(/^bad\.fits, HDU 0, byte 85: Header card 2 has byte 0x07 in column 6/);
    const garbage = await openError(concat(EMPTY_PRIMARY, new TextEncoder().encode('x'.repeat(3000))));
    expect(garbage.message).toMatch(/^bad\.fits, HDU 1, byte 2880: Expected an XTENSION card/);
    const padded = await FitsFile.fromBytes(concat(EMPTY_PRIMARY, new Uint8Array(2880)));
    expect(padded.hdus.length).toBe(1);
    expect(padded.trailingBytes).toBe(2880);
  });

  it('a bad BITPIX in an extension is reported with the HDU and the header offset', async () => {
    const e = await openError(concat(EMPTY_PRIMARY, imageExtension(2, 2, 'abc' as unknown as number)));
    expect(e).toBeInstanceOf(FitsFormatError);
    expect(e.offset).toBe(2880);
    expect(e.message).toMatch(/^bad\.fits, HDU 1, byte 2880: BITPIX = .*abc.*expected 8, 16, 32, 64, -32 or -64/);
  });

  it('I/O failures are FitsErrors with code FITS_IO; a corrupt gzip stream is a format error', async () => {
    const e = await FitsFile.open(join(dir, 'missing.fits')).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(FitsError);
    expect((e as FitsError).code).toBe('FITS_IO');
    expect((e as Error).message).toContain('missing.fits');
    const gz = gzipSync(encodeFits([{}]));
    const path = join(dir, 'trunc.fits.gz');
    writeFileSync(path, gz.subarray(0, gz.length - 10));
    await expect(FitsFile.open(path)).rejects.toThrow(/trunc\.fits\.gz: The file is gzip-compressed but cannot be decompressed/);
  });
});

describe('FitsFile: finding and reading HDUs', () => {
  const mask = new Header();
  mask.set('EXTTYPE', 'MASK');
  const named = new Header();
  named.set('EXTNAME', 'SCI');
  named.set('EXTVER', 2);
  const bytes = encodeFits([
    {},
    { header: mask, data: { data: Uint16Array.from({ length: 12 }, (_, i) => i * 1000), width: 4, height: 3 } },
    { header: named, data: { data: Float32Array.from({ length: 24 }, (_, i) => i), width: 4, height: 3, naxis: [4, 3, 2] } },
    { data: { data: Int32Array.of(5, 6, 7), width: 3, height: 1, naxis: [3] } },
  ]);

  it('finds HDUs by index, EXTNAME, EXTTYPE, PRIMARY and fields, and lists what exists otherwise', async () => {
    const fits = await FitsFile.fromBytes(bytes, 'mem.fits');
    expect(fits.findHdu(2).index).toBe(2);
    expect(fits.findHdu('sci').index).toBe(2);
    expect(fits.findHdu('MASK').index).toBe(1);
    expect(fits.findHdu('primary').index).toBe(0);
    expect(fits.findHdu({ extname: 'SCI', extver: 2 }).index).toBe(2);
    expect(fits.hdus[2]).toMatchObject({ extname: 'SCI', extver: 2, kind: 'image' });
    expect(() => fits.findHdu({ extname: 'SCI', extver: 1 })).toThrow(FitsHduNotFoundError);
    expect(() => fits.findHdu(-1)).toThrow(/^mem\.fits: There is no HDU -1; the file has 4 HDUs: 0: primary; 1: image \(EXTTYPE=MASK\); 2: image \(EXTNAME=SCI, EXTVER=2\); 3: image\.$/);
    expect(() => fits.findHdu(1.5)).toThrow(FitsHduNotFoundError);
  });

  it('reads raw data, headers and header bytes', async () => {
    const fits = await FitsFile.fromBytes(bytes);
    const raw = await fits.readData(1);
    expect(Array.from(raw.subarray(0, 4))).toEqual([0x80, 0x00, 0x83, 0xe8]); // 0 and 1000 - 32768, big-endian
    const hd = await fits.readHeaderAndData('SCI');
    expect(hd.header.get('EXTNAME')).toBe('SCI');
    expect(hd.data.length).toBe(96);
    const hb = await fits.readHeaderBytes(0);
    expect(hb.length).toBe(2880);
    expect(Header.parse(hb).header.get('SIMPLE')).toBe(true);
  });

  it('reads 1-d and 3-d images, whole and by bbox (every plane of a cube)', async () => {
    const fits = await FitsFile.fromBytes(bytes);
    const line = await fits.readImage(3);
    expect(line).toMatchObject({ width: 3, height: 1, naxis: [3] });
    expect(Array.from(line.data as Int32Array)).toEqual([5, 6, 7]);
    const lineCut = await fits.readImage(3, { bbox: Box2I.fromCorner(new Point2I(1, 0), new Extent2I(2, 1)) });
    expect(Array.from(lineCut.data as Int32Array)).toEqual([6, 7]);
    const cube = await fits.readImage('SCI', { bbox: Box2I.fromCorner(new Point2I(1, 1), new Extent2I(2, 2)) });
    expect(cube.naxis).toEqual([2, 2, 2]);
    expect(Array.from(cube.data as Float32Array)).toEqual([5, 6, 9, 10, 17, 18, 21, 22]);
    const empty = await fits.readImage(0);
    expect(empty).toMatchObject({ width: 0, height: 0, naxis: [] });
    expect(empty.data.length).toBe(0);
    const none = await fits.readImage(1, { bbox: new Box2I() });
    expect(none.data.length).toBe(0);
  });

  it('with shared: true, places the pixels in shared memory (whole, by bbox, and scaled by BZERO), the same values', async () => {
    const fits = await FitsFile.fromBytes(bytes);
    for (const [selector, options] of [
      ['SCI', {}],
      ['SCI', { bbox: Box2I.fromCorner(new Point2I(1, 1), new Extent2I(2, 2)) }],
      ['MASK', {}], // uint16 stored as int16 + BZERO 32768: decoded into a new array, then copied
    ] as const) {
      const plain = await fits.readImage(selector, options);
      const shared = await fits.readImage(selector, { ...options, shared: true });
      expect(plain.data.buffer).toBeInstanceOf(ArrayBuffer);
      expect(shared.data.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(shared.data.constructor).toBe(plain.data.constructor);
      expect(Array.from(shared.data as ArrayLike<number>)).toEqual(Array.from(plain.data as ArrayLike<number>));
      expect(shared).toMatchObject({ width: plain.width, height: plain.height, naxis: plain.naxis });
    }
    expect(Array.from((await fits.readImage('MASK', { shared: true })).data.subarray(0, 3) as Uint16Array)).toEqual([0, 1000, 2000]);
  });

  it('refuses to read a table or compressed image as an image, and reads nothing after close', async () => {
    const tableHeader = Header.fromImages([
      "XTENSION= 'BINTABLE'",
      'BITPIX  =                    8',
      'NAXIS   =                    2',
      'NAXIS1  =                    4',
      'NAXIS2  =                    1',
      'PCOUNT  =                    0',
      'GCOUNT  =                    1',
      'TFIELDS =                    1',
      "TFORM1  = 'J       '",
    ]);
    const z = tableHeader.clone();
    z.set('ZIMAGE', true);
    const fits = await FitsFile.fromBytes(encodeFits([{}, { header: tableHeader, data: new Uint8Array(4) }, { header: z, data: new Uint8Array(4) }]), 't.fits');
    expect(fits.hdus.map((h) => h.kind)).toEqual(['primary', 'bintable', 'compressed-image']);
    await expect(fits.readImage(1)).rejects.toThrow(FitsHduNotFoundError);
    // A ZIMAGE table without the keywords of the convention: a keyword error at its header.
    await expect(fits.readImage(2)).rejects.toThrow(FitsKeywordError);
    await expect(fits.readImage(2)).rejects.toThrow(/^t\.fits, HDU 2, byte \d+: The compressed image header has no ZBITPIX/);
    await fits.close();
    const e = await fits.readData(1).catch((err: unknown) => err);
    expect((e as FitsError).code).toBe('FITS_CLOSED');
  });

  it('a BZERO that is not a number is a keyword error', async () => {
    const h = headerBlock([int('SIMPLE', 'T'), int('BITPIX', 16), int('NAXIS', 1), int('NAXIS1', 2), str('BZERO', 'x')]);
    const fits = await FitsFile.fromBytes(concat(h, new Uint8Array(2880)), 'k.fits');
    await expect(fits.readImage(0)).rejects.toThrow(FitsKeywordError);
    await expect(fits.readImage(0)).rejects.toThrow(/^k\.fits, HDU 0, byte 0: Keyword 'BZERO'/);
  });
});

describe('FitsFile on disk: sub-images read only their rows', () => {
  it('reads images larger than several read chunks (parallel reads, each part swapped as it lands)', async () => {
    // 36 MB of float32 and 18 MB of uint16: nine and five 4 MiB chunks, the last ones partial.
    const width = 3001;
    const height = 3000;
    const f32 = Float32Array.from({ length: width * height }, (_, i) => (i % 10007) * 0.5 - 7);
    const u16 = Uint16Array.from({ length: width * height }, (_, i) => (i * 31) & 0xffff);
    const path = join(dir, 'chunks.fits');
    writeFileSync(path, encodeFits([{ data: { data: f32, width, height } }, { data: { data: u16, width, height } }]));
    const fits = await FitsFile.open(path);
    const a = await fits.readImage(0);
    const b = await fits.readImage(1);
    expect(a.data).toBeInstanceOf(Float32Array);
    expect(b.data).toBeInstanceOf(Uint16Array);
    expect(Buffer.compare(Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength), Buffer.from(f32.buffer))).toBe(0);
    expect(Buffer.compare(Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength), Buffer.from(u16.buffer))).toBe(0);
    // the same chunked read straight into shared memory
    const shared = await fits.readImage(0, { shared: true });
    expect(shared.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Buffer.compare(Buffer.from(shared.data.buffer, shared.data.byteOffset, shared.data.byteLength), Buffer.from(f32.buffer))).toBe(0);
    await fits.close();
  });

  it('narrow and wide cutouts of a large image, row by row or by span, equal the slice of the full read', async () => {
    const width = 4096;
    const height = 96;
    const pixels = Float32Array.from({ length: width * height }, (_, i) => (i % 7919) * 0.25 - 100);
    const path = join(dir, 'big.fits');
    writeFileSync(path, encodeFits([{ data: { data: pixels, width, height } }]));
    const fits = await FitsFile.open(path);
    expect(fits.gzipped).toBe(false);
    for (const [x0, y0, w, h] of [
      [4000, 1, 10, 90], // span > 1 MiB and > 4x the pixels: one read per row
      [0, 0, 4096, 3],
      [100, 10, 3000, 20], // span read
      [4095, 95, 1, 1],
    ] as const) {
      const cut = await fits.readImage(0, { bbox: Box2I.fromCorner(new Point2I(x0, y0), new Extent2I(w, h)) });
      const expected = new Float32Array(w * h);
      for (let y = 0; y < h; y++) expected.set(pixels.subarray((y0 + y) * width + x0, (y0 + y) * width + x0 + w), y * w);
      expect(cut.data).toEqual(expected);
    }
    await fits.close();
  });
});
