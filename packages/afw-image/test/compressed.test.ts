/**
 * Tile-compressed planes (how most LSST calexps are stored): IMAGE, MASK and VARIANCE as
 * compressed binary tables (GZIP_2, RICE_1, PLIO_1). Read by us (whole and by box, with xy0
 * and MP_* cards taken from the image header rebuilt from the Z keywords), read by astropy,
 * and written by us with `compress: true`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FitsFile, Header, makeCompressedImageHdu, writeFits, type WritableCompressionType } from '@skystack/fits';
import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Image, ImageI, ImageU, Mask, MaskedImage, MaskedImageF, setMaskPlaneCards, setXY0Cards, type PixelArray } from '../src/index.js';
import { astropyPresent, countDifferences, decodePx, fitsverify, fitsverifyPresent, pixelsOf, python } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'skystack-afw-image-compressed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const XY0 = new Point2I(-7, 30);
const DIMS = new Extent2I(13, 6);

/** A masked image at xy0 (-7, 30) with distinct values, NaNs, an extra plane and some mask bits. */
function sample(): MaskedImage<Float32Array> {
  const mi = MaskedImageF(Box2I.fromCorner(XY0, DIMS));
  const { data, stride } = mi.image.array;
  for (let y = 0; y < 6; y++) for (let x = 0; x < 13; x++) data[y * stride + x] = x * 0.25 - y * 3 + 0.125 + 1e-6 * x * y;
  mi.image.set(-6, 31, Number.NaN);
  const v = mi.variance.array;
  for (let y = 0; y < 6; y++) for (let x = 0; x < 13; x++) v.data[y * v.stride + x] = 2.5 + x / 7 + y / 3;
  mi.variance.set(-7, 30, Number.NaN);
  const streak = mi.mask.addMaskPlane('STREAK_WITH_LONG_NAME');
  mi.mask.set(-7, 30, mi.mask.getPlaneBitMask(['BAD', 'SAT']));
  mi.mask.set(5, 35, 1 << streak);
  mi.mask.set(0, 33, mi.mask.getPlaneBitMask(['DETECTED']));
  return mi;
}

/** The cards afw writes on a plane: INHERIT, EXTTYPE, EXTNAME and the xy0 cards (`A` WCS, LTV). */
function planeHeader(exttype: string, xy0: Point2I): Header {
  const h = new Header();
  h.set('INHERIT', true);
  h.set('EXTTYPE', exttype);
  h.set('EXTNAME', exttype);
  setXY0Cards(h, xy0);
  return h;
}

/** Writes `mi` as afw's layout with each plane tile-compressed, built with `makeCompressedImageHdu`. */
async function writeCompressedByHand(mi: MaskedImage<Float32Array>, path: string, maskCompression: WritableCompressionType): Promise<void> {
  const xy0 = mi.getXY0();
  const { width: w, height: h } = mi.image;
  const maskHeader = planeHeader('MASK', xy0);
  setMaskPlaneCards(maskHeader, Object.entries(mi.mask.getMaskPlaneDict()));
  const primary = new Header();
  primary.set('OBSERVER', 'skystack');
  await writeFits(path, [
    { header: primary },
    makeCompressedImageHdu(mi.image.compactPixels(), w, h, { compression: 'GZIP_2', header: planeHeader('IMAGE', xy0) }),
    makeCompressedImageHdu(mi.mask.compactPixels(), w, h, { compression: maskCompression, header: maskHeader }),
    makeCompressedImageHdu(mi.variance.compactPixels(), w, h, { compression: 'GZIP_2', header: planeHeader('VARIANCE', xy0) }),
  ]);
}

function expectSamePlanes(back: MaskedImage<PixelArray>, mi: MaskedImage<Float32Array>): void {
  expect(back.getBBox().equals(mi.getBBox())).toBe(true);
  expect(back.getXY0().equals(mi.getXY0())).toBe(true);
  expect(countDifferences(pixelsOf(back.image.array), pixelsOf(mi.image.array))).toBe(0);
  expect(countDifferences(pixelsOf(back.mask.array), pixelsOf(mi.mask.array))).toBe(0);
  expect(countDifferences(pixelsOf(back.variance.array), pixelsOf(mi.variance.array))).toBe(0);
  expect(back.mask.getMaskPlaneDict()).toEqual(mi.mask.getMaskPlaneDict());
}

describe('tile-compressed afw files (built with makeCompressedImageHdu)', () => {
  for (const maskCompression of ['RICE_1', 'PLIO_1'] as const) {
    describe(`IMAGE/VARIANCE GZIP_2, MASK ${maskCompression}`, () => {
      const mi = sample();
      const path = join(dir, `hand-${maskCompression}.fits`);
      beforeAll(() => writeCompressedByHand(mi, path, maskCompression));

      it('is stored as compressed-image HDUs whose table header is not the image header', async () => {
        const file = await FitsFile.open(path);
        try {
          expect(file.hdus.map((h) => h.kind)).toEqual(['primary', 'compressed-image', 'compressed-image', 'compressed-image']);
          // The table's NAXIS1/NAXIS2 are row bytes and tile count, not 13x6.
          expect(file.hdus[1]!.header.getInt('NAXIS2')).toBe(6);
          expect(file.hdus[1]!.header.getInt('NAXIS1')).not.toBe(13);
          expect(file.hdus[1]!.imageHeader?.getInt('NAXIS1')).toBe(13);
        } finally {
          await file.close();
        }
      });

      it('Image.readFits reads the IMAGE plane with its xy0, whole and by PARENT and LOCAL box', async () => {
        const img = await Image.readFits(path);
        expect(img.pixelType).toBe('float32');
        expect(img.getBBox().equals(mi.getBBox())).toBe(true);
        expect(countDifferences(pixelsOf(img.array), pixelsOf(mi.image.array))).toBe(0);
        const bbox = Box2I.fromCorner(new Point2I(-5, 32), new Extent2I(6, 3));
        const cut = await Image.readFits(path, { bbox });
        expect(cut.getBBox().equals(bbox)).toBe(true);
        expect(countDifferences(pixelsOf(cut.array), pixelsOf(mi.image.subset(bbox).array))).toBe(0);
        const local = await Image.readFits(path, { bbox: Box2I.fromCorner(new Point2I(2, 2), new Extent2I(6, 3)), origin: 'LOCAL' });
        expect(local.getBBox().equals(bbox)).toBe(true);
        expect(countDifferences(pixelsOf(local.array), pixelsOf(cut.array))).toBe(0);
        const variance = await Image.readFits(path, { hdu: 'VARIANCE' });
        expect(countDifferences(pixelsOf(variance.array), pixelsOf(mi.variance.array))).toBe(0);
      });

      it('Mask.readFits reads the MASK plane with its xy0 and MP_* planes', async () => {
        const mask = await Mask.readFits(path);
        expect(mask.getBBox().equals(mi.getBBox())).toBe(true);
        expect(countDifferences(pixelsOf(mask.array), pixelsOf(mi.mask.array))).toBe(0);
        expect(mask.getMaskPlaneDict()).toEqual(mi.mask.getMaskPlaneDict());
        expect(mask.getMaskPlaneDict()['STREAK_WITH_LONG_NAME']).toBe(9);
        const bbox = Box2I.fromCorner(new Point2I(-7, 30), new Extent2I(8, 4));
        const cut = await Mask.readFits(path, { bbox });
        expect(cut.getBBox().equals(bbox)).toBe(true);
        expect(countDifferences(pixelsOf(cut.array), pixelsOf(mi.mask.subset(bbox).array))).toBe(0);
      });

      it('MaskedImage.readFits reads all three planes, whole and by box', async () => {
        expectSamePlanes(await MaskedImage.readFits(path), mi);
        const bbox = Box2I.fromCorner(new Point2I(-2, 32), new Extent2I(7, 4));
        const cut = await MaskedImage.readFits(path, { bbox });
        expect(cut.getBBox().equals(bbox)).toBe(true);
        const sub = mi.subset(bbox);
        expect(countDifferences(pixelsOf(cut.image.array), pixelsOf(sub.image.array))).toBe(0);
        expect(countDifferences(pixelsOf(cut.mask.array), pixelsOf(sub.mask.array))).toBe(0);
        expect(countDifferences(pixelsOf(cut.variance.array), pixelsOf(sub.variance.array))).toBe(0);
        expect(cut.mask.getMaskPlaneDict()).toEqual(mi.mask.getMaskPlaneDict());
      });

      it.skipIf(!astropyPresent)('astropy reads the same pixels, xy0 cards and MP_* cards', async () => {
        const ref = python<Array<{ cls: string; exttype: string; shape: number[]; px: string; crval: number[]; mp: Record<string, number> }>>(
          `
with fits.open(sys.argv[1]) as f:
    out = []
    for h in f[1:]:
        out.append(dict(cls=type(h).__name__, exttype=h.header['EXTTYPE'], shape=list(h.data.shape), px=px(h.data),
            crval=[h.header['CRVAL1A'], h.header['CRVAL2A']], mp={k[3:]: h.header[k] for k in h.header if k.startswith('MP_')}))
    print(json.dumps(out))
`,
          [path],
        );
        expect(ref.map((h) => [h.cls, h.exttype])).toEqual([
          ['CompImageHDU', 'IMAGE'],
          ['CompImageHDU', 'MASK'],
          ['CompImageHDU', 'VARIANCE'],
        ]);
        for (const h of ref) {
          expect(h.shape).toEqual([6, 13]);
          expect(h.crval).toEqual([-7, 30]);
        }
        expect(ref[1]!.mp).toEqual(mi.mask.getMaskPlaneDict());
        const ours = await MaskedImage.readFits(path);
        expect(countDifferences(decodePx(ref[0]!.px), pixelsOf(ours.image.array))).toBe(0);
        expect(countDifferences(decodePx(ref[1]!.px), pixelsOf(ours.mask.array))).toBe(0);
        expect(countDifferences(decodePx(ref[2]!.px), pixelsOf(ours.variance.array))).toBe(0);
      });
    });
  }
});

describe('writeFits({ compress: true })', () => {
  it('MaskedImage round-trips losslessly through GZIP_2/RICE_1 planes', async () => {
    const mi = sample();
    const path = join(dir, 'mi-compressed.fits');
    const metadata = new Header();
    metadata.set('OBSERVER', 'skystack');
    await mi.writeFits(path, { metadata, compress: true });
    const file = await FitsFile.open(path);
    try {
      expect(file.hdus.map((h) => [h.kind, h.extname])).toEqual([
        ['primary', undefined],
        ['compressed-image', 'IMAGE'],
        ['compressed-image', 'MASK'],
        ['compressed-image', 'VARIANCE'],
      ]);
      expect(file.hdus.slice(1).map((h) => h.header.getString('ZCMPTYPE'))).toEqual(['GZIP_2', 'RICE_1', 'GZIP_2']);
      expect(file.hdus[0]!.header.getString('OBSERVER')).toBe('skystack');
    } finally {
      await file.close();
    }
    expectSamePlanes(await MaskedImage.readFits(path), mi);
    const bbox = Box2I.fromCorner(new Point2I(-3, 31), new Extent2I(5, 4));
    const cut = await MaskedImage.readFits(path, { bbox });
    expect(countDifferences(pixelsOf(cut.image.array), pixelsOf(mi.subset(bbox).image.array))).toBe(0);
  });

  it('Image (float32, int32, uint16) and Mask go in extension 1 and round-trip', async () => {
    const mi = sample();
    const cases: Array<Image<Float32Array> | Image<Int32Array> | Image<Uint16Array>> = [mi.image];
    const imgI = ImageI(Box2I.fromCorner(new Point2I(4, -2), new Extent2I(5, 3)));
    for (let i = 0; i < 15; i++) imgI.array.data[i] = (i - 7) * 100003;
    const imgU = ImageU(Box2I.fromCorner(new Point2I(3, 4), new Extent2I(5, 2)), 65535);
    imgU.set(3, 4, 0);
    cases.push(imgI, imgU);
    for (const [i, img] of cases.entries()) {
      const path = join(dir, `img-compressed-${i}.fits`);
      await img.writeFits(path, { compress: true });
      const back = await Image.readFits(path);
      expect(back.pixelType).toBe(img.pixelType);
      expect(back.getBBox().equals(img.getBBox())).toBe(true);
      expect(countDifferences(pixelsOf(back.array), pixelsOf(img.array))).toBe(0);
    }
    const path = join(dir, 'mask-compressed.fits');
    await mi.mask.writeFits(path, { compress: true });
    const back = await Mask.readFits(path);
    expect(back.getBBox().equals(mi.mask.getBBox())).toBe(true);
    expect(countDifferences(pixelsOf(back.array), pixelsOf(mi.mask.array))).toBe(0);
    expect(back.getMaskPlaneDict()).toEqual(mi.mask.getMaskPlaneDict());
  });

  it.skipIf(!astropyPresent)('astropy reads the compressed planes we write', async () => {
    const mi = sample();
    const path = join(dir, 'mi-compressed-astropy.fits');
    await mi.writeFits(path, { compress: true });
    const ref = python<Array<{ cls: string; dtype: string; px: string; ltv: number[] }>>(
      `
with fits.open(sys.argv[1], checksum=True) as f:
    print(json.dumps([dict(cls=type(h).__name__, dtype=h.data.dtype.name, px=px(h.data), ltv=[h.header['LTV1'], h.header['LTV2']]) for h in f[1:]]))
`,
      [path],
    );
    expect(ref.map((h) => h.cls)).toEqual(['CompImageHDU', 'CompImageHDU', 'CompImageHDU']);
    expect(ref.map((h) => h.dtype)).toEqual(['float32', 'int32', 'float32']);
    for (const h of ref) expect(h.ltv).toEqual([7, -30]);
    expect(countDifferences(decodePx(ref[0]!.px), pixelsOf(mi.image.array))).toBe(0);
    expect(countDifferences(decodePx(ref[1]!.px), pixelsOf(mi.mask.array))).toBe(0);
    expect(countDifferences(decodePx(ref[2]!.px), pixelsOf(mi.variance.array))).toBe(0);
  });

  it.skipIf(!fitsverifyPresent)('fitsverify finds no errors or warnings', async () => {
    const mi = sample();
    const paths = [join(dir, 'fv-c-mi.fits'), join(dir, 'fv-c-img.fits'), join(dir, 'fv-c-mask.fits')];
    await mi.writeFits(paths[0]!, { compress: true });
    await mi.image.writeFits(paths[1]!, { compress: true });
    await mi.mask.writeFits(paths[2]!, { compress: true });
    for (const p of paths) {
      const r = fitsverify(p);
      expect(r.output).toMatch(/verification OK/);
      expect(r.output).not.toMatch(/error|warning/i);
      expect(r.status).toBe(0);
    }
  });
});
