// WarpedPsf against analytic truth: Gaussians under scales, rotations, shifts and WCS pairs.
import { FixedKernel, GaussianPsf, ImageD, ImagePsf, KernelPsf, Psf, type Quadrupole } from '@skystack/afw-image';
import { AffineTransform, Angle, Box2I, Extent2D, Point2D, Point2I, SpherePoint } from '@skystack/geom';
import { makeCdMatrix, makeSkyWcs } from '@skystack/wcs';
import { describe, expect, it } from 'vitest';
import { imageMoments } from '@skystack/test-support';
import { MeasAlgorithmsInvalidArgumentError } from './errors.js';
import { WarpedPsf, linearizeInverse, makeAffinePixelTransform, makeWcsPairPixelTransform } from './warped-psf.js';

/** A kernel-coordinate image of the point-sampled, centred Gaussian of covariance [[a, b], [b, c]]. */
function gaussianKernelImage(half: number, a: number, b: number, c: number): ImageD {
  const image = ImageD(new Box2I(new Point2I(-half, -half), new Point2I(half, half)));
  const det = a * c - b * b;
  const { data, stride } = image.array;
  for (let y = -half; y <= half; y++) {
    for (let x = -half; x <= half; x++) {
      const q = (c * x * x - 2 * b * x * y + a * y * y) / det;
      data[(y + half) * stride + (x + half)] = Math.exp(-q / 2);
    }
  }
  return image;
}

/** A fixed PSF of an elliptical Gaussian. */
function ellipticalPsf(a: number, b: number, c: number, half = 20): KernelPsf {
  return new KernelPsf(new FixedKernel(gaussianKernelImage(half, a, b, c), { ctr: new Point2I(half, half) }));
}

/** A circular Gaussian PSF whose sigma grows with x (sigma = 1.5 + x / 1000), to see where the original is evaluated. */
class VaryingPsf extends ImagePsf {
  constructor() {
    super(false);
  }
  clone(): VaryingPsf {
    return new VaryingPsf();
  }
  resized(): VaryingPsf {
    return new VaryingPsf();
  }
  protected doComputeKernelImage(position: Point2D): ImageD {
    const s = 1.5 + position.x / 1000;
    const image = gaussianKernelImage(20, s * s, 0, s * s);
    const { data } = image.array;
    let sum = 0;
    for (const v of data) sum += v;
    for (let i = 0; i < data.length; i++) data[i]! /= sum;
    return image;
  }
  protected doComputeBBox(): Box2I {
    return new Box2I(new Point2I(-20, -20), new Point2I(20, 20));
  }
}

const origin = new Point2D(0, 0);

describe('WarpedPsf (meas_algorithms)', () => {
  it.each([1.5, 0.7, 2.2])('a Gaussian of sigma 2 under a scale %s has sigma 2 s, sum 1, centred on (0, 0)', (s) => {
    const warped = new WarpedPsf(new GaussianPsf(41, 41, 2), makeAffinePixelTransform(AffineTransform.makeScaling(s)));
    const k = warped.computeKernelImage(new Point2D(123.4, -56.7));
    const m = imageMoments(k);
    expect(m.sum).toBeCloseTo(1, 12);
    expect(Math.abs(m.x)).toBeLessThan(1e-6);
    expect(Math.abs(m.y)).toBeLessThan(1e-6);
    expect(m.xx).toBeCloseTo((2 * s) ** 2, 1);
    expect(Math.abs(m.xx / (2 * s) ** 2 - 1)).toBeLessThan(0.01);
    expect(Math.abs(m.yy / (2 * s) ** 2 - 1)).toBeLessThan(0.01);
    expect(Math.abs(m.xy)).toBeLessThan(1e-3 * s * s);
    // The kernel box holds the mapped original box, and contains (0, 0).
    expect(k.getBBox().contains(new Point2I(0, 0))).toBe(true);
    expect(k.getWidth()).toBeGreaterThanOrEqual(Math.floor(41 * s) - 1);
    expect(warped.computeBBox(new Point2D(123.4, -56.7)).equals(k.getBBox())).toBe(true);
    // A Gaussian's adaptive moments are its moments.
    const q: Quadrupole = warped.computeShape(new Point2D(10, 10));
    expect(Math.abs(q.getIxx() / (2 * s) ** 2 - 1)).toBeLessThan(0.01);
  });

  it.each([30, 90, -65])('rotating an elliptical Gaussian by %s deg turns its moments by the rotation matrix', (deg) => {
    const a = 9; // sigma_x = 3
    const c = 2.25; // sigma_y = 1.5
    const b = 0.8;
    const th = (deg * Math.PI) / 180;
    const cos = Math.cos(th);
    const sin = Math.sin(th);
    // R Σ Rᵀ
    const xx = cos * cos * a - 2 * cos * sin * b + sin * sin * c;
    const yy = sin * sin * a + 2 * cos * sin * b + cos * cos * c;
    const xy = cos * sin * (a - c) + (cos * cos - sin * sin) * b;
    const warped = new WarpedPsf(ellipticalPsf(a, b, c), makeAffinePixelTransform(AffineTransform.makeRotation(Angle.fromDegrees(deg))));
    const m = imageMoments(warped.computeKernelImage(new Point2D(40, 25)));
    expect(m.sum).toBeCloseTo(1, 12);
    expect(m.xx).toBeCloseTo(xx, 1);
    expect(m.yy).toBeCloseTo(yy, 1);
    expect(m.xy).toBeCloseTo(xy, 1);
    expect(Math.abs(m.xx - xx) / a).toBeLessThan(0.01);
    expect(Math.abs(m.yy - yy) / a).toBeLessThan(0.01);
    expect(Math.abs(m.xy - xy) / a).toBeLessThan(0.01);
  });

  it('evaluates the original PSF at the inverse-mapped position (a pure shift copies the kernel exactly)', () => {
    const shift = makeAffinePixelTransform(AffineTransform.makeTranslation(new Extent2D(100, -30)));
    const warped = new WarpedPsf(new VaryingPsf(), shift);
    // Warped (600, 0) is original (500, 30): sigma 2.0.
    const m = imageMoments(warped.computeKernelImage(new Point2D(600, 0)));
    expect(Math.abs(m.xx / 4 - 1)).toBeLessThan(1e-3);
    expect(Math.abs(m.yy / 4 - 1)).toBeLessThan(1e-3);
    // The same kernel as the original's there (an identity linear part: no resampling).
    const k = warped.computeKernelImage(new Point2D(600, 0));
    const ref = new VaryingPsf().computeKernelImage(new Point2D(500, 30));
    expect(k.getBBox().equals(ref.getBBox())).toBe(true);
    let worst = 0;
    for (let i = 0; i < k.array.data.length; i++) worst = Math.max(worst, Math.abs(k.array.data[i]! - ref.array.data[i]!));
    expect(worst).toBeLessThan(1e-12);
    // The average position is the original's, mapped forward.
    const avg = warped.getAveragePosition();
    expect(avg.x).toBeCloseTo(100, 12);
    expect(avg.y).toBeCloseTo(-30, 12);
  });

  it('through a WCS pair: 0.2"-pixels seen on a 0.3"-pixel grid scale sigma by 2/3', () => {
    const crval = SpherePoint.fromDegrees(150, 2);
    const ccdWcs = makeSkyWcs(new Point2D(1000, 1000), crval, makeCdMatrix(Angle.fromArcseconds(0.2)));
    const coaddWcs = makeSkyWcs(new Point2D(5000, 5000), crval, makeCdMatrix(Angle.fromArcseconds(0.3), Angle.fromDegrees(20)));
    const transform = makeWcsPairPixelTransform(ccdWcs, coaddWcs);
    const p = new Point2D(5010.3, 4990.6);
    const back = transform.applyForward(transform.applyInverse(p));
    expect(back.x).toBeCloseTo(p.x, 8);
    expect(back.y).toBeCloseTo(p.y, 8);
    const t = linearizeInverse(transform, p);
    expect(Math.abs(t.getLinear().computeDeterminant() - 2.25)).toBeLessThan(1e-4);
    const sigma = 3;
    const warped = new WarpedPsf(new GaussianPsf(41, 41, sigma), transform);
    const m = imageMoments(warped.computeKernelImage(p));
    const expected = ((sigma * 0.2) / 0.3) ** 2;
    expect(Math.abs(m.xx / expected - 1)).toBeLessThan(0.01);
    expect(Math.abs(m.yy / expected - 1)).toBeLessThan(0.01);
    expect(Math.abs(m.xy / expected)).toBeLessThan(0.01);
    expect(m.sum).toBeCloseTo(1, 12);
  });

  it('computeImage puts the warped PSF at a sub-pixel position', () => {
    const warped = new WarpedPsf(new GaussianPsf(41, 41, 2), makeAffinePixelTransform(AffineTransform.makeScaling(1.3)));
    const image = warped.computeImage(new Point2D(50.3, 70.8));
    expect(image.getBBox().equals(warped.computeImageBBox(new Point2D(50.3, 70.8)))).toBe(true);
    // The Lanczos-5 recentring (afw's recenterKernelImage) reproduces a shift's first moment to ~4%.
    const m = imageMoments(image);
    expect(Math.abs(m.x - 50.3)).toBeLessThan(0.02);
    expect(Math.abs(m.y - 70.8)).toBeLessThan(0.02);
    expect(m.sum).toBeCloseTo(1, 10);
  });

  it('clone and resized keep the transform; errors are typed', () => {
    const warped = new WarpedPsf(new GaussianPsf(41, 41, 2), makeAffinePixelTransform(AffineTransform.makeScaling(2)), 'lanczos4');
    expect(warped.getWarpingControl().getWarpingKernelName()).toBe('lanczos4');
    expect(imageMoments(warped.clone().computeKernelImage(origin)).xx).toBeCloseTo(imageMoments(warped.computeKernelImage(origin)).xx, 12);
    const small = warped.resized(21, 21);
    expect(small.getUndistortedPsf().computeBBox().getWidth()).toBe(21);
    expect(small.computeBBox(origin).getWidth()).toBe(41);
    expect(warped.getUndistortedPsf()).toBeInstanceOf(Psf);
    expect(() => makeAffinePixelTransform(AffineTransform.makeScaling(0))).toThrow(MeasAlgorithmsInvalidArgumentError);
    expect(() => new WarpedPsf(new GaussianPsf(41, 41, 2), makeAffinePixelTransform(AffineTransform.makeScaling(1)), 'cubic')).toThrow(MeasAlgorithmsInvalidArgumentError);
    expect(() => new WarpedPsf(new GaussianPsf(11, 11, 2), makeAffinePixelTransform(AffineTransform.makeScaling(500))).computeKernelImage(origin)).toThrow(/more than 200/);
  });
});
