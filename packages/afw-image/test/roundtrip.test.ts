/**
 * Files we write, read back by us and by astropy (EXTTYPE/EXTNAME, MP_* cards, xy0 cards,
 * pixel values, CHECKSUM/DATASUM) and checked by fitsverify.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Header } from '@skystack/fits';
import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import { afterAll, describe, expect, it } from 'vitest';
import { Image, ImageU, Mask, MaskedImage, MaskedImageF } from '../src/index.js';
import { astropyPresent, countDifferences, decodePx, fitsverify, fitsverifyPresent, pixelsOf, python } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'skystack-afw-image-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A masked image at xy0 (-7, 30) with distinct values, an extra plane and some mask bits. */
function sample(): MaskedImage<Float32Array> {
  const mi = MaskedImageF(Box2I.fromCorner(new Point2I(-7, 30), new Extent2I(13, 6)));
  const { data, stride } = mi.image.array;
  for (let y = 0; y < 6; y++) for (let x = 0; x < 13; x++) data[y * stride + x] = x * 0.25 - y * 3 + 0.125;
  mi.variance.set(2.5);
  mi.variance.set(-7, 30, Number.NaN);
  const streak = mi.mask.addMaskPlane('STREAK_WITH_LONG_NAME');
  mi.mask.set(-7, 30, mi.mask.getPlaneBitMask(['BAD', 'SAT']));
  mi.mask.set(5, 35, 1 << streak);
  return mi;
}

describe('write → read by us', () => {
  it('MaskedImage keeps pixels, xy0 and mask planes', async () => {
    const mi = sample();
    const path = join(dir, 'mi.fits');
    await mi.writeFits(path);
    const back = await MaskedImage.readFits(path);
    expect(back.getBBox().equals(mi.getBBox())).toBe(true);
    expect(countDifferences(pixelsOf(back.image.array), pixelsOf(mi.image.array))).toBe(0);
    expect(countDifferences(pixelsOf(back.mask.array), pixelsOf(mi.mask.array))).toBe(0);
    expect(countDifferences(pixelsOf(back.variance.array), pixelsOf(mi.variance.array))).toBe(0);
    expect(back.mask.getMaskPlaneDict()).toEqual(mi.mask.getMaskPlaneDict());
    // A PARENT bbox read of what we wrote.
    const bbox = Box2I.fromCorner(new Point2I(-2, 32), new Extent2I(4, 3));
    const cut = await MaskedImage.readFits(path, { bbox });
    expect(countDifferences(pixelsOf(cut.image.array), pixelsOf(mi.subset(bbox).image.array))).toBe(0);
  });

  it('a sub-image view is written compactly with its own xy0', async () => {
    const mi = sample();
    const bbox = Box2I.fromCorner(new Point2I(0, 31), new Extent2I(5, 4));
    const view = mi.subset(bbox);
    const path = join(dir, 'view.fits');
    await view.writeFits(path);
    const back = await MaskedImage.readFits(path);
    expect(back.getBBox().equals(bbox)).toBe(true);
    expect(countDifferences(pixelsOf(back.image.array), pixelsOf(view.image.array))).toBe(0);
  });

  it('Image (uint16) and Mask alone go in the primary HDU', async () => {
    const img = ImageU(Box2I.fromCorner(new Point2I(3, 4), new Extent2I(5, 2)), 65535);
    img.set(3, 4, 0);
    const p1 = join(dir, 'u16.fits');
    await img.writeFits(p1);
    const back = await Image.readFits(p1);
    expect(back.pixelType).toBe('uint16');
    expect(back.getXY0().equals(new Point2I(3, 4))).toBe(true);
    expect(back.get(3, 4)).toBe(0);
    expect(back.get(4, 4)).toBe(65535);
    const mask = Mask.make(new Extent2I(4, 4));
    mask.set(1, 2, -2147483648 | 4);
    const p2 = join(dir, 'mask.fits');
    await mask.writeFits(p2);
    const m = await Mask.readFits(p2);
    expect(m.get(1, 2)).toBe(-2147483648 | 4);
    expect(m.getMaskPlaneDict()).toEqual(mask.getMaskPlaneDict());
  });
});

describe.skipIf(!astropyPresent)('write → read by astropy', () => {
  it('has the afw layout: empty primary, IMAGE/MASK/VARIANCE with EXTTYPE, EXTNAME, MP_*, A WCS and LTV', async () => {
    const mi = sample();
    const path = join(dir, 'layout.fits');
    const metadata = new Header();
    metadata.set('OBSERVER', 'skystack');
    await mi.writeFits(path, { metadata });
    const ref = python<{
      n: number;
      primary: { naxis: number; observer: string };
      hdus: Array<{ exttype: string; extname: string; dtype: string; shape: number[]; px: string; cards: Record<string, unknown>; mp: Record<string, number> }>;
    }>(
      `
import warnings
warnings.simplefilter('error')
with fits.open(sys.argv[1], checksum=True) as f:
    keys = ['CRVAL1A','CRVAL2A','CRPIX1A','CRPIX2A','CTYPE1A','CTYPE2A','LTV1','LTV2','INHERIT']
    hdus = []
    for h in f[1:]:
        hdus.append(dict(exttype=h.header['EXTTYPE'], extname=h.header['EXTNAME'], dtype=str(h.data.dtype),
            shape=list(h.data.shape), px=px(h.data), cards={k: h.header[k] for k in keys},
            mp={k[3:]: h.header[k] for k in h.header if k.startswith('MP_')}))
    print(json.dumps(dict(n=len(f), primary=dict(naxis=f[0].header['NAXIS'], observer=f[0].header['OBSERVER']), hdus=hdus)))
`,
      [path],
    );
    expect(ref.n).toBe(4);
    expect(ref.primary).toEqual({ naxis: 0, observer: 'skystack' });
    expect(ref.hdus.map((h) => [h.exttype, h.extname, h.dtype])).toEqual([
      ['IMAGE', 'IMAGE', '>f4'],
      ['MASK', 'MASK', '>i4'],
      ['VARIANCE', 'VARIANCE', '>f4'],
    ]);
    for (const h of ref.hdus) {
      expect(h.shape).toEqual([6, 13]);
      expect(h.cards).toEqual({ CRVAL1A: -7, CRVAL2A: 30, CRPIX1A: 1, CRPIX2A: 1, CTYPE1A: 'LINEAR', CTYPE2A: 'LINEAR', LTV1: 7, LTV2: -30, INHERIT: true });
    }
    expect(ref.hdus[1]!.mp).toEqual(mi.mask.getMaskPlaneDict());
    expect(ref.hdus[1]!.mp['STREAK_WITH_LONG_NAME']).toBe(9);
    expect(countDifferences(decodePx(ref.hdus[0]!.px), pixelsOf(mi.image.array))).toBe(0);
    expect(countDifferences(decodePx(ref.hdus[1]!.px), pixelsOf(mi.mask.array))).toBe(0);
    expect(countDifferences(decodePx(ref.hdus[2]!.px), pixelsOf(mi.variance.array))).toBe(0);
  });

  it('writes uint16 images with BZERO 32768 that astropy reads as uint16', async () => {
    const img = ImageU(new Extent2I(3, 2));
    img.set(0, 0, 65535);
    img.set(2, 1, 1);
    const path = join(dir, 'u16-astropy.fits');
    await img.writeFits(path);
    const ref = python<{ dtype: string; px: string; bzero: number }>(
      `
with fits.open(sys.argv[1]) as f:
    print(json.dumps(dict(dtype=str(f[0].data.dtype), px=px(f[0].data), bzero=f[0].header['BZERO'])))
`,
      [path],
    );
    expect(ref.dtype).toBe('uint16');
    expect(ref.bzero).toBe(32768);
    expect(Array.from(decodePx(ref.px))).toEqual([65535, 0, 0, 0, 0, 1]);
  });
});

describe.skipIf(!fitsverifyPresent)('fitsverify', () => {
  it('finds no errors or warnings in a MaskedImage, an Image and a Mask we wrote', async () => {
    const mi = sample();
    const paths = [join(dir, 'fv-mi.fits'), join(dir, 'fv-img.fits'), join(dir, 'fv-mask.fits')];
    await mi.writeFits(paths[0]!);
    await mi.image.writeFits(paths[1]!);
    await mi.mask.writeFits(paths[2]!);
    for (const p of paths) {
      const r = fitsverify(p);
      expect(r.output).toMatch(/verification OK/);
      expect(r.output).not.toMatch(/error|warning/i);
      expect(r.status).toBe(0);
    }
  });
});
