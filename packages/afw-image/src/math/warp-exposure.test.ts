import { Angle, Box2I, Extent2D, Extent2I, Point2D, Point2I, SpherePoint } from '@skystack/geom';
import { makeCdMatrix, makeSkyWcs } from '@skystack/wcs';
import { describe, expect, it } from 'vitest';
import { FilterLabel } from '../components/filter-label.js';
import { PhotoCalib } from '../components/photo-calib.js';
import { AfwImageInvalidArgumentError } from '../errors.js';
import { Exposure } from '../exposure.js';
import { ImageD, ImageF } from '../image.js';
import type { MaskedImage} from '../masked-image.js';
import { MaskedImageF } from '../masked-image.js';
import {
  DEFAULT_WARPER_CONFIG,
  Warper,
  WarpingControl,
  computeWarpedBBox,
  warpExposure,
  warpImage,
  warpImageWithTransform,
} from './warp-exposure.js';

const scale = Angle.fromArcseconds(0.2);
const crval = SpherePoint.fromDegrees(150, 2.2);
const wcsA = makeSkyWcs(new Point2D(30, 25), crval, makeCdMatrix(scale));

function filled(mi: MaskedImage<Float32Array>, seed: number): void {
  const img = mi.image.array.data;
  const v = mi.variance.array.data;
  let s = seed;
  for (let i = 0; i < img.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    img[i] = 1 + s / 2147483648;
    v[i] = 0.5 + (i % 7) * 0.1;
  }
}

describe('WarpingControl', () => {
  it('has afw’s C++ defaults, and LSST’s WarperConfig values through fromConfig', () => {
    const c = new WarpingControl();
    expect([c.getWarpingKernelName(), c.getMaskWarpingKernelName(), c.getCacheSize(), c.getInterpLength(), c.getGrowFullMask()]).toEqual(['lanczos3', '', 0, 0, 0]);
    const w = WarpingControl.fromConfig();
    expect([w.getWarpingKernelName(), w.getMaskWarpingKernelName(), w.getInterpLength(), w.getGrowFullMask()]).toEqual(['lanczos3', 'bilinear', 10, 1 << 4]);
    // EDGE is bit 4 of the default mask planes.
    expect(MaskedImageF(new Extent2I(1, 1)).mask.getPlaneBitMask('EDGE')).toBe(DEFAULT_WARPER_CONFIG.growFullMask);
  });

  it('rejects unknown kernels, a mask kernel wider than the warping kernel, and bad lengths', () => {
    expect(() => new WarpingControl('cubic')).toThrow(AfwImageInvalidArgumentError);
    expect(() => new WarpingControl('bilinear', 'lanczos3')).toThrow(/larger than the warping kernel/);
    expect(() => new WarpingControl('lanczos3', '', -1)).toThrow(/cacheSize must be an integer >= 0; got -1/);
    expect(() => new WarpingControl('lanczos3', '', 0, 2.5)).toThrow(/interpLength/);
  });
});

describe('warpImage / warpExposure', () => {
  it('is the identity for the same WCS and bbox (masked image), with NO_DATA, NaN and +inf at the kernel margin', () => {
    const bbox = Box2I.fromCorner(new Point2I(10, -5), new Extent2I(40, 30));
    const src = MaskedImageF(bbox);
    filled(src, 3);
    src.mask.set(20, 5, src.mask.getPlaneBitMask('SAT'));
    const dest = MaskedImageF(bbox);
    const good = warpImage(dest, wcsA, src, wcsA, new WarpingControl('lanczos3', 'bilinear', 0, 10, 0));
    expect(good).toBe(35 * 25);
    const noData = dest.mask.getPlaneBitMask('NO_DATA');
    for (let y = -5; y < 25; y++) {
      for (let x = 10; x < 50; x++) {
        const inside = x >= 12 && x <= 46 && y >= -3 && y <= 21;
        if (inside) {
          expect(dest.image.get(x, y)).toBeCloseTo(src.image.get(x, y), 4);
          expect(dest.variance.get(x, y)).toBeCloseTo(src.variance.get(x, y), 4);
          expect(dest.mask.get(x, y)).toBe(src.mask.get(x, y));
        } else {
          expect(dest.image.get(x, y)).toBeNaN();
          expect(dest.variance.get(x, y)).toBe(Infinity);
          expect(dest.mask.get(x, y)).toBe(noData);
        }
      }
    }
  });

  it('shifts by whole pixels when the WCSs differ by a pixel-origin shift (PARENT coordinates)', () => {
    // destWcs = srcWcs with CRPIX shifted by (+3, -2): dest pixel (x, y) sees src pixel (x - 3, y + 2).
    const destWcs = wcsA.copyAtShiftedPixelOrigin(new Extent2D(3, -2));
    const src = ImageF(Box2I.fromCorner(new Point2I(0, 0), new Extent2I(50, 40)));
    const data = src.array.data;
    for (let i = 0; i < data.length; i++) data[i] = (i * 37) % 101;
    const dest = ImageD(Box2I.fromCorner(new Point2I(5, 5), new Extent2I(30, 20)));
    warpImage(dest, destWcs, src, wcsA, new WarpingControl('lanczos3'));
    // Whole-pixel positions may land a hair below the integer (as in afw), so skip the first column and row.
    for (let y = 6; y < 25; y++) for (let x = 6; x < 35; x++) expect(dest.get(x, y)).toBeCloseTo(src.get(x - 3, y + 2), 3);
  });

  it('warpExposure copies the PhotoCalib, filter and VisitInfo, and needs both WCSs', () => {
    const src = new Exposure(MaskedImageF(new Extent2I(40, 40)));
    filled(src.maskedImage, 5);
    src.setWcs(wcsA);
    src.setPhotoCalib(new PhotoCalib(3.5));
    src.setFilter(new FilterLabel({ band: 'r', physical: 'HSC-R' }));
    const dest = Exposure.make('float32', new Extent2I(40, 40));
    expect(() => warpExposure(dest, src)).toThrow(/destExposure has no WCS/);
    dest.setWcs(wcsA);
    const good = warpExposure(dest, src, WarpingControl.fromConfig());
    expect(good).toBeGreaterThan(0);
    expect(dest.photoCalib?.getCalibrationMean()).toBe(3.5);
    expect(dest.filter?.bandLabel).toBe('r');
  });

  it('refuses to warp in place or between an Image and a MaskedImage', () => {
    const mi = MaskedImageF(new Extent2I(10, 10));
    expect(() => warpImage(mi, wcsA, mi, wcsA)).toThrow(/in place/);
    expect(() => warpImage(ImageF(new Extent2I(10, 10)), wcsA, mi, wcsA)).toThrow(/both be Images or both be MaskedImages/);
  });

  it('conserves flux when the destination pixels are larger (transform form)', () => {
    const N = 80;
    const src = ImageF(new Extent2I(N, N));
    const sigma = 2.5;
    for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) src.set(x, y, (500 / (2 * Math.PI * sigma * sigma)) * Math.exp(-((x - 40.3) ** 2 + (y - 39.6) ** 2) / (2 * sigma * sigma)));
    // Destination pixels are 1.5 source pixels wide: dest (x, y) → src (1.5 x, 1.5 y).
    const dest = ImageD(new Extent2I(50, 50));
    warpImageWithTransform(dest, src, (xs, ys, n) => {
      for (let i = 0; i < n; i++) {
        xs[i] = xs[i]! * 1.5;
        ys[i] = ys[i]! * 1.5;
      }
    });
    let sum = 0;
    let mx = 0;
    for (let y = 0; y < 50; y++) {
      for (let x = 0; x < 50; x++) {
        const v = dest.get(x, y);
        if (Number.isFinite(v)) {
          sum += v;
          mx += v * x;
        }
      }
    }
    expect(Math.abs(sum / 500 - 1)).toBeLessThan(1e-3);
    expect(mx / sum).toBeCloseTo(40.3 / 1.5, 2);
  });
});

describe('Warper and computeWarpedBBox', () => {
  it('computes the warped bbox from the corners and honours destBBox, border and maxBBox', () => {
    // A WCS with 2x larger pixels centred on the same sky: the 40x30 source maps to about 20x15.
    const big = makeSkyWcs(new Point2D(15, 12.5), crval, makeCdMatrix(Angle.fromArcseconds(0.4)));
    const srcBBox = Box2I.fromCorner(new Point2I(0, 0), new Extent2I(40, 30));
    const bbox = computeWarpedBBox(big, srcBBox, makeSkyWcs(new Point2D(19.5, 14.5), crval, makeCdMatrix(scale)));
    // Source outer edges x in [-0.5, 39.5] → dest [-0.25 + 5.25, ...]: corners (5.25 - 10, ...) computed analytically:
    // dest = (src - 19.5) / 2 + 15 → x in [5, 25], y in [5, 20].
    expect([bbox.getMinX(), bbox.getMaxX(), bbox.getMinY(), bbox.getMaxY()]).toEqual([5, 25, 5, 20]);
    const src = new Exposure(MaskedImageF(srcBBox));
    src.setWcs(makeSkyWcs(new Point2D(19.5, 14.5), crval, makeCdMatrix(scale)));
    const warper = Warper.fromConfig({ interpLength: 5 });
    expect(warper.warpExposure(big, src).getBBox()).toEqual(bbox);
    expect(warper.warpExposure(big, src, { border: 2 }).getBBox()).toEqual(bbox.dilatedBy(2));
    const maxBBox = Box2I.fromCorner(new Point2I(0, 0), new Extent2I(10, 10));
    expect(warper.warpExposure(big, src, { border: 2, maxBBox }).getBBox()).toEqual(bbox.dilatedBy(2).clippedTo(maxBBox));
    const destBBox = Box2I.fromCorner(new Point2I(-3, -3), new Extent2I(7, 7));
    const out = warper.warpExposure(big, src, { destBBox });
    expect(out.getBBox()).toEqual(destBBox);
    expect(out.getWcs()).toBe(big);
  });
});
