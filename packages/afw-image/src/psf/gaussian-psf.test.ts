// GaussianPsf, SingleGaussianPsf and DoubleGaussianPsf against analytic truth.
import { Box2I, Extent2I, Point2D, Point2I } from '@skystack/geom';
import { imageMoments } from '@skystack/test-support';
import { describe, expect, it } from 'vitest';
import { AfwImageInvalidArgumentError } from '../errors.js';
import type { ImageD } from '../image.js';
import { GaussianPsf } from './gaussian-psf.js';
import { Psf } from './psf.js';
import { DoubleGaussianPsf, SingleGaussianPsf } from './single-gaussian-psf.js';

/** The continuous, normalised circular Gaussian at offset (dx, dy). */
function gauss(sigma: number, dx: number, dy: number): number {
  return Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma)) / (2 * Math.PI * sigma * sigma);
}

/**
 * The largest relative difference between an image and `f` sampled on its pixels and normalised
 * to sum 1 (as the PSFs normalise their images), over every pixel, the far wings included.
 */
function maxRelDiffNormalised(image: ImageD, f: (x: number, y: number) => number): number {
  const { data, width, height } = image.array;
  const expected = new Float64Array(width * height);
  let sum = 0;
  for (let j = 0; j < height; j++) for (let i = 0; i < width; i++) sum += expected[j * width + i] = f(image.getX0() + i, image.getY0() + j);
  let worst = 0;
  for (let k = 0; k < data.length; k++) worst = Math.max(worst, Math.abs(data[k]! / (expected[k]! / sum) - 1));
  return worst;
}

function maxAbsDiff(image: ImageD, f: (x: number, y: number) => number): number {
  const { data, width, height } = image.array;
  let worst = 0;
  for (let j = 0; j < height; j++) for (let i = 0; i < width; i++) worst = Math.max(worst, Math.abs(data[j * width + i]! - f(image.getX0() + i, image.getY0() + j)));
  return worst;
}

describe('GaussianPsf (afw.detection)', () => {
  const sigma = 2;
  const psf = new GaussianPsf(21, 21, sigma);

  it('kernel image: centred on (0, 0), box (-10, -10)..(10, 10), the point-sampled Gaussian, sum 1', () => {
    const k = psf.computeKernelImage();
    expect(k.getBBox().equals(new Box2I(new Point2I(-10, -10), new Point2I(10, 10)))).toBe(true);
    expect(psf.computeBBox().equals(k.getBBox())).toBe(true);
    expect(imageMoments(k).sum).toBeCloseTo(1, 14);
    // The sampled Gaussian sums to 2πσ² up to terms of order exp(-2π²σ²) and the 5σ truncation.
    expect(maxAbsDiff(k, (x, y) => gauss(sigma, x, y))).toBeLessThan(1e-7);
    expect(psf.computePeak()).toBeCloseTo(1 / (2 * Math.PI * sigma * sigma), 7);
  });

  it('computeImage: the Gaussian evaluated about the sub-pixel PARENT position, xy0 at the nearest pixel minus the half-size', () => {
    const p = new Point2D(100.3, 50.8);
    const image = psf.computeImage(p);
    expect(image.getXY0().equals(new Point2I(90, 41))).toBe(true);
    expect(psf.computeImageBBox(p).equals(image.getBBox())).toBe(true);
    expect(maxAbsDiff(image, (x, y) => gauss(sigma, x - p.x, y - p.y))).toBeLessThan(1e-6);
    const m = imageMoments(image);
    expect(m.x).toBeCloseTo(100.3, 4);
    expect(m.y).toBeCloseTo(50.8, 4);
    expect(m.sum).toBeCloseTo(1, 12);
  });

  it('computeImage is the sampled 2-D Gaussian normalised to sum 1, to rounding, in the wings too', () => {
    // (evaluated as a product of per-axis exponentials; the corners are ~e^-27 of the peak here)
    const wide = new GaussianPsf(41, 41, 1.5);
    const p = new Point2D(17.31, -4.62);
    expect(maxRelDiffNormalised(wide.computeImage(p), (x, y) => gauss(1.5, x - p.x, y - p.y))).toBeLessThan(1e-13);
    expect(maxRelDiffNormalised(wide.computeKernelImage(), (x, y) => gauss(1.5, x, y))).toBeLessThan(1e-13);
  });

  it("afw's Lanczos-5 recentring of the kernel image agrees with the analytic image", () => {
    const p = new Point2D(-3.4, 7.45);
    const lanczos = Psf.recenterKernelImage(psf.computeKernelImage(), p);
    const analytic = psf.computeImage(p);
    expect(lanczos.getBBox().equals(analytic.getBBox())).toBe(true);
    // Lanczos-5 interpolation of a σ = 2 sampled Gaussian is good to ~0.2% of the peak (numpy's
    // 1-d check of the same kernel gives 1.6e-3 at a 0.25 px shift).
    expect(maxAbsDiff(lanczos, (x, y) => analytic.get(x, y))).toBeLessThan(2.5e-3 * psf.computePeak());
    const m = imageMoments(lanczos);
    expect(Math.abs(m.x - p.x)).toBeLessThan(0.01);
    expect(Math.abs(m.y - p.y)).toBeLessThan(0.01);
  });

  it('shape is σ² on the diagonal, aperture flux 1 - exp(-r²/2σ²)', () => {
    const q = psf.computeShape(new Point2D(5, 5));
    expect([q.getIxx(), q.getIyy(), q.getIxy()]).toEqual([4, 4, 0]);
    for (const r of [1, 2.5, 6]) expect(psf.computeApertureFlux(r)).toBeCloseTo(1 - Math.exp(-(r * r) / (2 * sigma * sigma)), 14);
  });

  it('clone, resized, and argument checks', () => {
    expect(psf.clone().getSigma()).toBe(2);
    const small = psf.resized(11, 15);
    expect(small.computeKernelImage().getDimensions().equals(new Extent2I(11, 15))).toBe(true);
    expect(() => new GaussianPsf(20, 21, 2)).toThrow(AfwImageInvalidArgumentError);
    expect(() => new GaussianPsf(21, 21, 0)).toThrow(AfwImageInvalidArgumentError);
    expect(() => psf.computeImage(new Point2D(Number.NaN, 1))).toThrow(AfwImageInvalidArgumentError);
    expect(() => psf.computeApertureFlux(0)).toThrow(AfwImageInvalidArgumentError);
  });
});

describe('SingleGaussianPsf (meas_algorithms)', () => {
  const sigma = 2;
  const psf = new SingleGaussianPsf(25, 25, sigma);

  it('kernel image is the normalised sampled Gaussian; images at sub-pixel positions are analytic', () => {
    expect(maxAbsDiff(psf.computeKernelImage(), (x, y) => gauss(sigma, x, y))).toBeLessThan(1e-8);
    const p = new Point2D(7.49, -2.5);
    const image = psf.computeImage(p);
    expect(image.getXY0().equals(new Point2I(7 - 12, -2 - 12))).toBe(true);
    expect(maxAbsDiff(image, (x, y) => gauss(sigma, x - p.x, y - p.y))).toBeLessThan(1e-8);
  });

  it('adaptive moments give σ² on the diagonal', () => {
    const q = psf.computeShape();
    expect(q.getIxx()).toBeCloseTo(sigma * sigma, 6);
    expect(q.getIyy()).toBeCloseTo(sigma * sigma, 6);
    expect(q.getIxy()).toBeCloseTo(0, 10);
  });

  it('aperture flux of the pixelised image is 1 - exp(-r²/2σ²) within the pixelisation error', () => {
    // Treating each sampled pixel value as uniform over the pixel broadens the profile by the
    // pixel's variance 1/12: the sum is close to 1 - exp(-r²/2(σ² + 1/12)), within 1% of the analytic.
    for (const r of [1, 2, 3, 5, 8]) {
      const flux = psf.computeApertureFlux(r);
      expect(Math.abs(flux - (1 - Math.exp(-(r * r) / (2 * sigma * sigma))))).toBeLessThan(1e-2);
      expect(Math.abs(flux - (1 - Math.exp(-(r * r) / (2 * (sigma * sigma + 1 / 12)))))).toBeLessThan(3e-3);
    }
    expect(psf.computeApertureFlux(12.4)).toBeCloseTo(1, 5);
  });
});

describe('DoubleGaussianPsf (meas_algorithms)', () => {
  const [s1, s2, b] = [1.5, 3, 0.1];
  const psf = new DoubleGaussianPsf(41, 41, s1, s2, b);
  /** The continuous normalised double Gaussian: b is the outer central amplitude relative to the inner. */
  const dg = (dx: number, dy: number): number => {
    const r2 = dx * dx + dy * dy;
    return (Math.exp(-r2 / (2 * s1 * s1)) + b * Math.exp(-r2 / (2 * s2 * s2))) / (2 * Math.PI * (s1 * s1 + b * s2 * s2));
  };

  it('kernel and sub-pixel images are the normalised double Gaussian', () => {
    expect(maxAbsDiff(psf.computeKernelImage(), dg)).toBeLessThan(1e-7);
    const p = new Point2D(33.2, 12.6);
    expect(maxAbsDiff(psf.computeImage(p), (x, y) => dg(x - p.x, y - p.y))).toBeLessThan(1e-7);
    // and, normalised to sum 1 as the PSF normalises, the same to rounding at every pixel
    expect(maxRelDiffNormalised(psf.computeImage(p), (x, y) => dg(x - p.x, y - p.y))).toBeLessThan(1e-13);
  });

  it('unweighted second moments are (σ1⁴ + b σ2⁴)/(σ1² + b σ2²): each Gaussian weighted by its flux', () => {
    const m = imageMoments(psf.computeKernelImage());
    const expected = (s1 ** 4 + b * s2 ** 4) / (s1 * s1 + b * s2 * s2);
    expect(m.xx).toBeCloseTo(expected, 5);
    expect(m.yy).toBeCloseTo(expected, 5);
    expect(m.xy).toBeCloseTo(0, 10);
  });

  it("adaptive moments (computeShape) are the continuous profile's fixed point w = 2 M(w)", () => {
    // For weight exp(-r²/2w), component i (amplitude a_i, σ_i) gives s_i = (1/σ_i² + 1/w)⁻¹ and the
    // weighted moment Σ a_i s_i² / Σ a_i s_i; the adaptive moment is the w where it equals w / 2.
    const amplitudes = [1, b];
    const sigmas = [s1, s2];
    const g = (w: number): number => {
      let num = 0;
      let den = 0;
      for (let i = 0; i < 2; i++) {
        const s = 1 / (1 / sigmas[i]! ** 2 + 1 / w);
        num += amplitudes[i]! * s * s;
        den += amplitudes[i]! * s;
      }
      return (2 * num) / den - w;
    };
    let lo = s1 * s1;
    let hi = s2 * s2;
    for (let k = 0; k < 200; k++) {
      const mid = (lo + hi) / 2;
      if (g(mid) > 0) lo = mid;
      else hi = mid;
    }
    const q = psf.computeShape();
    expect(q.getIxx()).toBeCloseTo(lo, 3);
    expect(q.getIyy()).toBeCloseTo(lo, 3);
  });

  it('b = 0 with σ2 = 0 sets σ2 to 1, as meas_algorithms; b = 0 is a single Gaussian', () => {
    const single = new DoubleGaussianPsf(21, 21, 2);
    expect(single.getSigma2()).toBe(1);
    expect(single.computeShape().getIxx()).toBeCloseTo(4, 6);
    expect(() => new DoubleGaussianPsf(21, 21, -1, 2, 0.1)).toThrow(AfwImageInvalidArgumentError);
  });
});
