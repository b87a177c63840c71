/**
 * Files written by the real lsst.afw (../shared/fixtures/afw), read by us and compared with
 * astropy (Debian python3-astropy) pixel by pixel; xy0 and mask planes checked against the
 * values the fixtures README and afw's own tests state.
 */
import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import { describe, expect, it } from 'vitest';
import { AfwImageOutOfBoundsError, DEFAULT_MASK_PLANES, Image, Mask, MaskedImage, type ImageF, type MaskedImageF } from '../src/index.js';
import { astropyPresent, countDifferences, decodePx, fixture, fixturesPresent, pixelsOf, python } from './support.js';

const ready = fixturesPresent && astropyPresent;

interface AstropyHdus {
  [ext: string]: { px: string; shape: [number, number]; dtype: string };
}

/** The listed HDUs of a file as astropy reads them (BZERO applied). */
function astropyHdus(file: string, hdus: Array<number | string>): AstropyHdus {
  return python<AstropyHdus>(
    `
out = {}
with fits.open(sys.argv[1]) as f:
    for key in sys.argv[2:]:
        k = int(key) if key.isdigit() else key
        h = [x for x in f if x.header.get('EXTTYPE') == k][0] if isinstance(k, str) else f[k]
        out[key] = dict(px=px(h.data), shape=list(h.data.shape), dtype=str(h.data.dtype))
print(json.dumps(out))
`,
    [file, ...hdus.map(String)],
  );
}

describe.skipIf(!ready)('afw fixtures compared with astropy', () => {
  it('HSC-0908120-056-small.fits: MaskedImage planes, xy0 (100, 100) and the 11 MP_ planes', async () => {
    const path = fixture('HSC-0908120-056-small.fits');
    const mi = await MaskedImage.readFits(path);
    const ref = astropyHdus(path, ['IMAGE', 'MASK', 'VARIANCE']);
    expect(mi.getBBox().equals(Box2I.fromCorner(new Point2I(100, 100), new Extent2I(200, 200)))).toBe(true);
    expect(mi.mask.getXY0().equals(new Point2I(100, 100))).toBe(true);
    expect(mi.variance.getXY0().equals(new Point2I(100, 100))).toBe(true);
    expect(ref['IMAGE']!.shape).toEqual([200, 200]);
    expect(ref['MASK']!.dtype).toBe('uint16');
    expect(mi.image.array.data).toBeInstanceOf(Float32Array);
    expect(mi.mask.array.data).toBeInstanceOf(Int32Array);
    expect(countDifferences(pixelsOf(mi.image.array), decodePx(ref['IMAGE']!.px))).toBe(0);
    expect(countDifferences(pixelsOf(mi.mask.array), decodePx(ref['MASK']!.px))).toBe(0);
    expect(countDifferences(pixelsOf(mi.variance.array), decodePx(ref['VARIANCE']!.px))).toBe(0);
    expect(mi.mask.getMaskPlaneDict()).toEqual({
      BAD: 0,
      SAT: 1,
      INTRP: 2,
      CR: 3,
      EDGE: 4,
      DETECTED: 5,
      DETECTED_NEGATIVE: 6,
      SUSPECT: 7,
      CROSSTALK: 8,
      NO_DATA: 9,
      UNMASKEDNAN: 10,
    });
    // PARENT access: array[y - 100, x - 100] in numpy.
    const img = decodePx(ref['IMAGE']!.px);
    expect(mi.image.get(150, 170)).toBe(img[70 * 200 + 50]);
    expect(mi.image.get(50, 70, 'LOCAL')).toBe(img[70 * 200 + 50]);
    // Some mask bits are set in this real file.
    expect(decodePx(ref['MASK']!.px).some((v) => v !== 0)).toBe(true);
  });

  it('HSC-0908120-056-small.fits: a PARENT bbox reads only that part, with the right xy0', async () => {
    const path = fixture('HSC-0908120-056-small.fits');
    const bbox = Box2I.fromCorner(new Point2I(130, 150), new Extent2I(17, 9));
    const cut = await MaskedImage.readFits(path, { bbox });
    expect(cut.getBBox().equals(bbox)).toBe(true);
    const ref = python<{ image: string; mask: string; variance: string }>(
      `
with fits.open(sys.argv[1]) as f:
    s = np.s_[50:59, 30:47]
    print(json.dumps(dict(image=px(f[1].data[s]), mask=px(f[2].data[s]), variance=px(f[3].data[s]))))
`,
      [path],
    );
    expect(countDifferences(pixelsOf(cut.image.array), decodePx(ref.image))).toBe(0);
    expect(countDifferences(pixelsOf(cut.mask.array), decodePx(ref.mask))).toBe(0);
    expect(countDifferences(pixelsOf(cut.variance.array), decodePx(ref.variance))).toBe(0);
    // The same box in LOCAL coordinates.
    const local = await Image.readFits(path, { bbox: Box2I.fromCorner(new Point2I(30, 50), new Extent2I(17, 9)), origin: 'LOCAL' });
    expect(local.getXY0().equals(new Point2I(130, 150))).toBe(true);
    expect(countDifferences(pixelsOf(local.array), decodePx(ref.image))).toBe(0);
    // A box outside the stored image (PARENT 0..99 is not there) is a typed error.
    await expect(Image.readFits(path, { bbox: Box2I.fromCorner(new Point2I(0, 0), new Extent2I(10, 10)) })).rejects.toBeInstanceOf(
      AfwImageOutOfBoundsError,
    );
  });

  it('Mask.readFits reads the MASK extension with its planes', async () => {
    const mask = await Mask.readFits(fixture('HSC-0908120-056-small.fits'));
    expect(mask.getXY0().equals(new Point2I(100, 100))).toBe(true);
    expect(mask.getPlaneBitMask(['BAD', 'UNMASKEDNAN'])).toBe(1 | 1024);
  });

  it('parent.fits: old layout (image in the primary HDU), constant image 64', async () => {
    const path = fixture('parent.fits');
    const mi = await MaskedImage.readFits(path);
    const ref = astropyHdus(path, [0, 1, 2]);
    expect(mi.getDimensions().equals(new Extent2I(256, 256))).toBe(true);
    expect(mi.getXY0().equals(new Point2I(0, 0))).toBe(true);
    const image = decodePx(ref['0']!.px);
    expect(image.every((v) => v === 64)).toBe(true);
    expect(countDifferences(pixelsOf(mi.image.array), image)).toBe(0);
    expect(countDifferences(pixelsOf(mi.mask.array), decodePx(ref['1']!.px))).toBe(0);
    expect(countDifferences(pixelsOf(mi.variance.array), decodePx(ref['2']!.px))).toBe(0);
    expect(mi.mask.getMaskPlaneDict()).toEqual(Object.fromEntries(DEFAULT_MASK_PLANES.slice(0, 7).map((n, i) => [n, i])));
  });

  it('small_img.fits: single-HDU uint16 (BZERO 32768) image, read natively and as float32', async () => {
    const path = fixture('small_img.fits');
    const ref = astropyHdus(path, [0]);
    expect(ref['0']!.dtype).toBe('uint16');
    const u = await Image.readFits(path);
    expect(u.pixelType).toBe('uint16');
    expect(countDifferences(pixelsOf(u.array), decodePx(ref['0']!.px))).toBe(0);
    const f: ImageF = await Image.readFits(path, { pixelType: 'float32' });
    expect(f.array.data).toBeInstanceOf(Float32Array);
    expect(countDifferences(pixelsOf(f.array), decodePx(ref['0']!.px))).toBe(0);
    // As a MaskedImageF, mask and variance are zero (afw's test reads it so).
    const mi: MaskedImageF = await MaskedImage.readFits(path, { pixelType: 'float32' });
    expect(mi.mask.array.data.every((v) => v === 0)).toBe(true);
    expect(mi.variance.array.data.every((v) => v === 0)).toBe(true);
    expect(mi.getDimensions().equals(new Extent2I(256, 256))).toBe(true);
  });

  it('exposure-version-2.fits: image = arange(100) as 10x10, variance = 1, mask[5, 5] = 5 (afw test values)', async () => {
    const mi = await MaskedImage.readFits(fixture('exposure-version-2.fits'));
    expect(mi.getDimensions().equals(new Extent2I(10, 10))).toBe(true);
    for (let y = 0; y < 10; y++) for (let x = 0; x < 10; x++) expect(mi.image.get(x, y)).toBe(y * 10 + x);
    expect(mi.variance.array.data.every((v) => v === 1)).toBe(true);
    let nonzero = 0;
    for (const v of mi.mask.array.data) if (v !== 0) nonzero++;
    expect(nonzero).toBe(1);
    expect(mi.mask.get(5, 5)).toBe(5);
    const ref = astropyHdus(fixture('exposure-version-2.fits'), ['IMAGE', 'MASK', 'VARIANCE']);
    expect(countDifferences(pixelsOf(mi.image.array), decodePx(ref['IMAGE']!.px))).toBe(0);
    expect(countDifferences(pixelsOf(mi.mask.array), decodePx(ref['MASK']!.px))).toBe(0);
  });
});
