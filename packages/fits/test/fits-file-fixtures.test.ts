/**
 * Reads every FITS file that lsst/afw's tests use (../shared/fixtures/afw) and compares the HDU
 * structure, the decoded pixels and the checksum verdicts with astropy's.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import { beforeAll, describe, expect, it } from 'vitest';
import { FitsChecksumError, FitsError } from '../src/errors.js';
import { FitsFile, type FitsHduKind } from '../src/fits-file.js';
import { pixelTypeOf, type FitsImageData, type FitsPixelArray } from '../src/image-data.js';
import {
  AFW,
  afwAvailable,
  astropyAvailable,
  describeWithAstropy,
  sampleOf,
  samePixels,
  sha256OfPixels,
  sumOfPixels,
  type AstropyHdu,
} from './support.js';

const afwPresent = afwAvailable();
const astropyPresent = astropyAvailable();

const files = afwPresent
  ? readdirSync(AFW)
      .filter((f) => /\.(fits|fits\.gz|fz)$/.test(f))
      .sort()
  : [];

function expectedKind(index: number, hdu: AstropyHdu): FitsHduKind {
  if (index === 0) return 'primary';
  if (hdu.cls === 'ImageHDU') return 'image';
  if (hdu.cls === 'TableHDU') return 'table';
  if (hdu.cls === 'BinTableHDU') return hdu.zimage === true ? 'compressed-image' : 'bintable';
  return 'other';
}

/** The pixels of `image` inside `bbox` (2-d), copied row by row: the reference for cutouts. */
function slice(image: FitsImageData, bbox: Box2I): FitsPixelArray {
  const ctor = image.data.constructor as new (n: number) => FitsPixelArray;
  const out = ctor === Uint8Array ? new Uint8Array(bbox.getArea()) : new ctor(bbox.getArea());
  let k = 0;
  for (let y = bbox.getMinY(); y <= bbox.getMaxY(); y++) {
    for (let x = bbox.getMinX(); x <= bbox.getMaxX(); x++) {
      (out as unknown as unknown[])[k++] = (image.data as unknown as unknown[])[y * image.width + x];
    }
  }
  return out;
}

describe.skipIf(!afwPresent || !astropyPresent)('afw fixture files, compared with astropy', () => {
  let expected: Record<string, AstropyHdu[]> = {};
  beforeAll(() => {
    expected = describeWithAstropy(files.map((f) => join(AFW, f)));
  });

  it('finds the files the brief names', () => {
    for (const f of ['small_img.fits', 'HSC-0908120-056-small.fits', 'ticket2352.fits', 'parent.fits', 'ticketdm26260.fits', 'test.fits.gz', 'test_amp.fits.gz']) {
      expect(files).toContain(f);
    }
    expect(files.length).toBeGreaterThanOrEqual(50);
  });

  it.each(files)('%s: HDUs, pixels and checksums agree with astropy', async (name) => {
    const path = join(AFW, name);
    const ref = expected[path]!;
    const fits = await FitsFile.open(path);
    try {
      expect(fits.hdus.length).toBe(ref.length);
      for (const [i, hdu] of fits.hdus.entries()) {
        const r = ref[i]!;
        expect({ i, kind: hdu.kind }).toEqual({ i, kind: expectedKind(i, r) });
        expect(hdu.header.get('BITPIX')).toBe(r.bitpix);
        const naxis = (hdu.header.get('NAXIS') as number) ?? 0;
        expect(Array.from({ length: naxis }, (_, k) => hdu.header.get(`NAXIS${k + 1}`))).toEqual(r.naxis);
        expect(hdu.extname ?? null).toBe(r.extname === null ? null : r.extname.trim());
        expect(hdu.exttype ?? null).toBe(r.exttype === null ? null : r.exttype.trim());
        if (r.sha256 !== undefined) {
          const image = await fits.readImage(i);
          expect(pixelTypeOf(image.data)).toBe(r.dtype);
          expect([...image.naxis].reverse()).toEqual(r.shape);
          const { sum, nan } = sumOfPixels(image.data);
          expect(nan).toBe(r.nan);
          expect(sum).toBeCloseTo(r.sum!, Math.max(0, 9 - Math.ceil(Math.log10(Math.abs(r.sum!) + 1))));
          for (const [j, v] of r.samples!) expect({ j, v: sampleOf(image.data, j) }).toEqual({ j, v });
          expect(sha256OfPixels(image.data)).toBe(r.sha256);
        }
      }
      // checksum verdicts: astropy's 1 = ok, 0 = mismatch
      const sums = await fits.verifyChecksums();
      sums.forEach((s, i) => {
        const r = ref[i]!;
        expect(s.checksum).toBe(r.checksum === null ? 'missing' : 'ok');
        expect(s.datasum).toBe(r.datasum === null ? 'missing' : 'ok');
        if (r.checksum !== null) expect(r.checksum).toBe(1);
      });
    } finally {
      await fits.close();
    }
  });
});

describe.skipIf(!afwPresent)('afw fixture files: specific layouts', () => {
  it('small_img.fits: BITPIX 16 + BZERO 32768 in the primary HDU gives a 256x256 Uint16Array', async () => {
    const fits = await FitsFile.open(join(AFW, 'small_img.fits'));
    const image = await fits.readImage(0);
    expect(image).toMatchObject({ width: 256, height: 256, naxis: [256, 256], bitpix: 16, bzero: 32768, bscale: 1 });
    expect(image.data).toBeInstanceOf(Uint16Array);
    expect(fits.findHdu('PRIMARY').index).toBe(0);
    await fits.close();
  });

  it('HSC-0908120-056-small.fits: finds IMAGE/MASK/VARIANCE by EXTTYPE (no EXTNAME)', async () => {
    const fits = await FitsFile.open(join(AFW, 'HSC-0908120-056-small.fits'));
    expect(fits.hdus.map((h) => h.kind)).toEqual(['primary', 'image', 'image', 'image', 'bintable', 'bintable', 'bintable']);
    expect(fits.findHdu('image').index).toBe(1);
    expect(fits.findHdu('MASK').index).toBe(2);
    expect(fits.findHdu({ exttype: 'VARIANCE' }).index).toBe(3);
    expect(fits.findHdu({ exttype: 'ARCHIVE_DATA', extver: 1 }).index).toBe(5);
    expect((await fits.readImage('MASK')).data).toBeInstanceOf(Uint16Array);
    expect((await fits.readImage('VARIANCE')).data).toBeInstanceOf(Float32Array);
    expect(() => fits.findHdu('PSF')).toThrow(/HSC-0908120-056-small\.fits: There is no HDU named 'PSF'; the file has 7 HDUs/);
    expect(() => fits.findHdu({ exttype: 'MASK', extver: 2 })).toThrow(/There is no HDU with EXTTYPE='MASK', EXTVER=2/);
    expect(() => fits.findHdu(7)).toThrow(/There is no HDU 7; the file has 7 HDUs: 0: primary; 1: image \(EXTTYPE=IMAGE\)/);
    await expect(fits.readImage(4)).rejects.toThrow(/HDU 4 is a bintable HDU, not an image/);
    await fits.close();
  });

  it('sub-image reads equal the slice of the full read, whatever the rectangle', async () => {
    for (const [name, hdu] of [
      ['HSC-0908120-056-small.fits', 1],
      ['HSC-0908120-056-small.fits', 2],
      ['small_img.fits', 0],
      ['test.fits.gz', 0],
      ['ticket2352.fits', 2],
    ] as const) {
      const fits = await FitsFile.open(join(AFW, name));
      const full = await fits.readImage(hdu);
      const boxes = [
        Box2I.fromCorner(new Point2I(0, 0), new Extent2I(full.width, full.height)),
        Box2I.fromCorner(new Point2I(0, 0), new Extent2I(1, 1)),
        Box2I.fromCorner(new Point2I(full.width - 1, full.height - 1), new Extent2I(1, 1)),
      ];
      if (full.width > 20) {
        boxes.push(Box2I.fromCorner(new Point2I(3, 5), new Extent2I(17, 11)));
        boxes.push(Box2I.fromCorner(new Point2I(0, 7), new Extent2I(full.width, 3)));
        boxes.push(Box2I.fromCorner(new Point2I(full.width - 10, 0), new Extent2I(10, full.height)));
      }
      for (const bbox of boxes) {
        const cut = await fits.readImage(hdu, { bbox });
        expect(cut.width).toBe(bbox.getWidth());
        expect(cut.height).toBe(bbox.getHeight());
        expect(cut.naxis).toEqual([bbox.getWidth(), bbox.getHeight()]);
        expect(samePixels(cut.data, slice(full, bbox))).toBe(true);
      }
      await fits.close();
    }
  });

  it('an out-of-range bbox is a typed error naming the file and HDU', async () => {
    const fits = await FitsFile.open(join(AFW, 'parent.fits'));
    for (const bbox of [
      Box2I.fromCorner(new Point2I(-1, 0), new Extent2I(5, 5)),
      Box2I.fromCorner(new Point2I(250, 0), new Extent2I(7, 5)),
      Box2I.fromCorner(new Point2I(0, 256), new Extent2I(1, 1)),
    ]) {
      const err = await fits.readImage(1, { bbox }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FitsError);
      expect((err as FitsError).code).toBe('FITS_OUT_OF_BOUNDS');
      expect((err as FitsError).message).toMatch(/parent\.fits, HDU 1: The requested bbox .* is not inside the 256x256 image/);
    }
    await fits.close();
  });

  it('ticketdm26260.fits is whole-file gzip despite its name, and reads the same as from memory', async () => {
    const path = join(AFW, 'ticketdm26260.fits');
    const fits = await FitsFile.open(path);
    expect(fits.gzipped).toBe(true);
    const image = await fits.readImage(0);
    expect(image.data).toBeInstanceOf(Float32Array);
    expect(image.naxis).toEqual([512, 512]);
    const mem = await FitsFile.fromBytes(readFileSync(path), 'ticketdm26260.fits');
    expect(samePixels((await mem.readImage(0)).data, image.data)).toBe(true);
    await fits.close();
    await mem.close();
  });

  it('ticketdm26260.fits.fz: the compressed HDU is recognised and its checksums verify', async () => {
    const fits = await FitsFile.open(join(AFW, 'ticketdm26260.fits.fz'));
    expect(fits.hdus.map((h) => h.kind)).toEqual(['primary', 'compressed-image']);
    expect(fits.hdus[1]!.dataByteLength).toBeGreaterThan(0);
    const raw = await fits.readData(1);
    expect(raw.length).toBe(fits.hdus[1]!.dataByteLength);
    const sums = await fits.verifyChecksums();
    expect(sums.map((s) => [s.checksum, s.datasum])).toEqual([
      ['ok', 'ok'],
      ['ok', 'ok'],
    ]);
    const plain = await FitsFile.open(join(AFW, 'ticketdm26260.fits'));
    expect(samePixels((await fits.readImage(1)).data, (await plain.readImage(0)).data)).toBe(true);
    await plain.close();
    await fits.close();
  });

  it('a corrupted byte in a checksummed file is a FitsChecksumError', async () => {
    const bytes = new Uint8Array(readFileSync(join(AFW, 'ticketdm26260.fits.fz')));
    const fits0 = await FitsFile.fromBytes(bytes, 'x.fz');
    const at = fits0.hdus[1]!.dataOffset + 1000;
    bytes[at] = bytes[at]! ^ 0x10;
    const fits = await FitsFile.fromBytes(bytes, 'x.fz');
    const err = await fits.verifyChecksums(1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FitsChecksumError);
    expect((err as Error).message).toMatch(/^x\.fz, HDU 1, byte \d+: DATASUM mismatch/);
  });
});
