// Kernels, spatial functions, KernelPsf (Lanczos recentring) and PcaPsf against analytic truth.
import { Box2D, Point2D, Point2I } from '@skystack/geom';
import { describe, expect, it } from 'vitest';
import { AfwImageInvalidArgumentError } from '../errors.js';
import { Image, type ImageD } from '../image.js';
import { FixedKernel, LinearCombinationKernel } from './kernel.js';
import { KernelPsf, PcaPsf } from './kernel-psf.js';
import { ellipticalGaussianRow } from './image-moments.js';
import { lanczos, offsetImage } from './offset-image.js';
import { Chebyshev1Function2, PolynomialFunction2 } from './spatial-function.js';

/** A size × size image of an (unnormalised) Gaussian of σ centred on the middle pixel plus (dx, dy). */
function gaussianImage(size: number, sigma: number, peak = 1, dx = 0, dy = 0): ImageD {
  const data = new Float64Array(size * size);
  const c = (size - 1) / 2;
  for (let j = 0; j < size; j++) for (let i = 0; i < size; i++) data[j * size + i] = peak * Math.exp(-((i - c - dx) ** 2 + (j - c - dy) ** 2) / (2 * sigma * sigma));
  return new Image(data, size, size);
}

function centroid(image: ImageD): [number, number, number] {
  const { data, width, height } = image.array;
  let s = 0;
  let sx = 0;
  let sy = 0;
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const v = data[j * width + i]!;
      s += v;
      sx += v * (image.getX0() + i);
      sy += v * (image.getY0() + j);
    }
  }
  return [sx / s, sy / s, s];
}

/**
 * The matched-Gaussian-weighted centroid (weight of width σ about the current estimate,
 * iterated with the factor-2 correction that makes it exact for a Gaussian of that σ).
 */
function weightedCentroid(image: ImageD, sigma: number, start: [number, number]): [number, number] {
  const { data, width, height } = image.array;
  let [cx, cy] = start;
  for (let iter = 0; iter < 100; iter++) {
    let s = 0;
    let sx = 0;
    let sy = 0;
    for (let j = 0; j < height; j++) {
      for (let i = 0; i < width; i++) {
        const x = image.getX0() + i;
        const y = image.getY0() + j;
        const v = data[j * width + i]! * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * sigma * sigma));
        s += v;
        sx += v * x;
        sy += v * y;
      }
    }
    [cx, cy] = [2 * (sx / s) - cx, 2 * (sy / s) - cy];
  }
  return [cx, cy];
}

function sumOf(image: ImageD): number {
  return image.array.data.reduce((a, b) => a + b, 0);
}

describe('spatial functions', () => {
  it('PolynomialFunction2 is c0 + c1 x + c2 y + c3 x² + c4 xy + c5 y²', () => {
    const c = [1.5, -0.2, 0.3, 0.01, -0.02, 0.005];
    const f = new PolynomialFunction2(c);
    for (const [x, y] of [[0, 0], [3, -2], [10.5, 7.25]] as const) {
      expect(f.evaluate(x, y)).toBeCloseTo(c[0]! + c[1]! * x + c[2]! * y + c[3]! * x * x + c[4]! * x * y + c[5]! * y * y, 12);
    }
    expect(f.getOrder()).toBe(2);
    expect(() => new PolynomialFunction2([1, 2])).toThrow(AfwImageInvalidArgumentError);
  });

  it('Chebyshev1Function2 maps its range to [-1, 1] and sums T_i(x\') T_j(y\') in afw order', () => {
    const c = [0.5, 0.25, -0.75, 0.1, 0.2, -0.3];
    const f = new Chebyshev1Function2(c, new Box2D(new Point2D(0, 100), new Point2D(200, 300)));
    const T2 = (t: number): number => 2 * t * t - 1;
    for (const [x, y] of [[0, 100], [200, 300], [50, 250], [123.4, 111.1]] as const) {
      const xp = (x - 100) / 100;
      const yp = (y - 200) / 100;
      expect(f.evaluate(x, y)).toBeCloseTo(c[0]! + c[1]! * xp + c[2]! * yp + c[3]! * T2(xp) + c[4]! * xp * yp + c[5]! * T2(yp), 12);
    }
  });
});

describe('FixedKernel', () => {
  it('normalised image sums to 1 with xy0 = -ctr; an explicit centre moves the box', () => {
    const k = new FixedKernel(gaussianImage(15, 2, 3));
    const image = k.computeImage();
    expect(image.getXY0().equals(new Point2I(-7, -7))).toBe(true);
    expect(sumOf(image)).toBeCloseTo(1, 13);
    expect(k.computeImage(false).get(0, 0)).toBe(3);
    const off = new FixedKernel(gaussianImage(15, 2), { ctr: new Point2I(5, 9) });
    expect(off.getBBox().getMin().equals(new Point2I(-5, -9))).toBe(true);
  });

  it('resized pads or trims symmetrically and refuses odd changes', () => {
    const k = new FixedKernel(gaussianImage(15, 2));
    const big = k.resized(21, 19).computeImage(false);
    expect(big.getXY0().equals(new Point2I(-10, -9))).toBe(true);
    expect(big.get(0, 0)).toBe(1);
    expect(big.get(-10, 0)).toBe(0);
    expect(k.resized(9, 9).computeImage(false).get(4, 0)).toBeCloseTo(Math.exp(-16 / 8), 14);
    expect(() => k.resized(16, 15)).toThrow(AfwImageInvalidArgumentError);
  });
});

describe('Lanczos shifts and KernelPsf.computeImage', () => {
  it('lanczos(5, t) is sinc(t) sinc(t/5), zero beyond 5', () => {
    const sinc = (t: number): number => Math.sin(Math.PI * t) / (Math.PI * t);
    expect(lanczos(5, 0)).toBe(1);
    expect(lanczos(5, 1.3)).toBeCloseTo(sinc(1.3) * sinc(1.3 / 5), 14);
    expect(lanczos(5, 5.2)).toBe(0);
  });

  it('offsetImage moves the unweighted centroid by the normalised Lanczos-5 taps\' first moment, and xy0 by the integer part', () => {
    // numpy: Σ u L5(u - d) / Σ L5(u - d) over the 10 taps = 0.2894975254 for d = 0.3 and
    // 0.1885734649 for d = 0.2 (a property of the Lanczos-5 kernel, shared by afw's offsetImage).
    const image = gaussianImage(31, 2.5);
    const [cx, cy] = centroid(image);
    const a = offsetImage(image, 0.3, -0.2);
    const [ax, ay] = centroid(a);
    expect(ax - cx).toBeCloseTo(0.2894975254, 6);
    expect(ay - cy).toBeCloseTo(-0.1885734649, 6);
    const b = offsetImage(image, 2.7, 0.2);
    expect(b.getXY0().equals(new Point2I(3, 0))).toBe(true);
    expect(centroid(b)[0] - cx).toBeCloseTo(3 - 0.2894975254, 6);
  });

  it('a FixedKernel PSF image lands on the requested sub-pixel position (first moment within 0.01 px)', () => {
    const psf = new KernelPsf(new FixedKernel(gaussianImage(21, 2)));
    for (const [x, y] of [[10.3, 20.7], [-4.49, 3.5], [100.01, 200.99], [7, 8]] as const) {
      const image = psf.computeImage(new Point2D(x, y));
      expect(image.getXY0().equals(new Point2I(Math.floor(x + 0.5) - 10, Math.floor(y + 0.5) - 10))).toBe(true);
      // The unweighted first moment carries the Lanczos-5 taps' own first-moment bias (≤ 0.0106 px
      // at a residual of ±0.3, see the offsetImage test); the matched-weight centroid is within 0.01 px.
      const [mx, my, s] = centroid(image);
      expect(Math.abs(mx - x)).toBeLessThan(0.011);
      expect(Math.abs(my - y)).toBeLessThan(0.011);
      expect(s).toBeCloseTo(1, 2);
      const [wx, wy] = weightedCentroid(image, 2, [Math.round(x), Math.round(y)]);
      expect(Math.abs(wx - x)).toBeLessThan(0.01);
      expect(Math.abs(wy - y)).toBeLessThan(0.01);
      // and the shape is the Gaussian about that position
      const peak = 1 / (2 * Math.PI * 4);
      expect(Math.abs(image.get(Math.floor(x + 0.5), Math.floor(y + 0.5)) - peak * Math.exp(-((Math.floor(x + 0.5) - x) ** 2 + (Math.floor(y + 0.5) - y) ** 2) / 8))).toBeLessThan(2.5e-3 * peak);
    }
  });

  it('a fixed KernelPsf: kernel image sum 1, peak at (0, 0), shape σ², getLocalKernel', () => {
    const psf = new KernelPsf(new FixedKernel(gaussianImage(21, 1.8, 7)), new Point2D(500, 600));
    expect(psf.isFixed()).toBe(true);
    expect(psf.getAveragePosition().equals(new Point2D(500, 600))).toBe(true);
    expect(sumOf(psf.computeKernelImage())).toBeCloseTo(1, 13);
    expect(psf.computePeak()).toBeCloseTo(1 / (2 * Math.PI * 1.8 * 1.8), 6);
    expect(psf.computeShape().getIxx()).toBeCloseTo(1.8 * 1.8, 6);
    expect(psf.getLocalKernel().getBBox().equals(psf.computeBBox())).toBe(true);
    expect(psf.computeImage().getBBox().equals(psf.computeImageBBox())).toBe(true);
  });
});

describe('LinearCombinationKernel and PcaPsf', () => {
  const b0 = new FixedKernel(gaussianImage(25, 1.5, 2));
  const b1 = new FixedKernel(gaussianImage(25, 3.0, 0.5));
  const s0 = b0.getSum();
  const s1 = b1.getSum();

  it('fixed amplitudes: the image is Σ a_i K_i / Σ a_i sum_i', () => {
    const k = new LinearCombinationKernel([b0, b1], [0.25, 2]);
    expect(k.isSpatiallyVarying()).toBe(false);
    const image = k.computeImage();
    const i0 = b0.computeImage(false);
    const i1 = b1.computeImage(false);
    for (const [x, y] of [[0, 0], [3, -4], [-12, 12]] as const) {
      expect(image.get(x, y)).toBeCloseTo((0.25 * i0.get(x, y) + 2 * i1.get(x, y)) / (0.25 * s0 + 2 * s1), 14);
    }
  });

  it('a PcaPsf over polynomial coefficients reproduces each basis kernel where its coefficient is 1', () => {
    const psf = new PcaPsf(new LinearCombinationKernel([b0, b1], [new PolynomialFunction2([1, -0.01, 0]), new PolynomialFunction2([0, 0.01, 0])]));
    expect(psf.isFixed()).toBe(false);
    const at0 = psf.computeKernelImage(new Point2D(0, 37));
    const at100 = psf.computeKernelImage(new Point2D(100, -5));
    const at50 = psf.computeKernelImage(new Point2D(50, 0));
    const n0 = b0.computeImage();
    const n1 = b1.computeImage();
    const r0 = b0.computeImage(false);
    const r1 = b1.computeImage(false);
    for (const [x, y] of [[0, 0], [2, 1], [-7, 9], [12, -12]] as const) {
      expect(at0.get(x, y)).toBeCloseTo(n0.get(x, y), 14);
      expect(at100.get(x, y)).toBeCloseTo(n1.get(x, y), 14);
      expect(at50.get(x, y)).toBeCloseTo((r0.get(x, y) + r1.get(x, y)) / (s0 + s1), 14);
    }
    expect(psf.computeShape(new Point2D(0, 0)).getIxx()).toBeCloseTo(2.25, 5);
    expect(psf.computeShape(new Point2D(100, 0)).getIxx()).toBeCloseTo(9, 4);
  });

  it('a PcaPsf over Chebyshev coefficients reproduces its basis at the range corners', () => {
    const range = new Box2D(new Point2D(0, 0), new Point2D(2000, 4000));
    const psf = new PcaPsf(
      new LinearCombinationKernel([b0, b1], [new Chebyshev1Function2([0.5, -0.5, 0], range), new Chebyshev1Function2([0.5, 0.5, 0], range)]),
      new Point2D(1000, 2000),
    );
    const n0 = b0.computeImage();
    const n1 = b1.computeImage();
    expect(psf.computeKernelImage(new Point2D(0, 1234)).get(1, 2)).toBeCloseTo(n0.get(1, 2), 14);
    expect(psf.computeKernelImage(new Point2D(2000, 10)).get(1, 2)).toBeCloseTo(n1.get(1, 2), 14);
    // computeImage at a sub-pixel position: the kernel at that position, Lanczos-shifted there
    const p = new Point2D(2000.2, 10.4);
    const [mx, my] = weightedCentroid(psf.computeImage(p), 3, [2000, 10]);
    expect(Math.abs(mx - p.x)).toBeLessThan(0.01);
    expect(Math.abs(my - p.y)).toBeLessThan(0.01);
    expect(() => new PcaPsf(b0 as unknown as LinearCombinationKernel)).toThrow(AfwImageInvalidArgumentError);
  });

  it('more than four terms, some with zero amplitude: the image is still Σ a_i K_i / Σ a_i sum_i', () => {
    const basis = [1.2, 1.5, 2, 2.5, 3, 3.5].map((sigma, i) => new FixedKernel(gaussianImage(25, sigma, 1 + i, 0.3 * i, -0.2 * i)));
    const amplitudes = [0.5, 0, 1.5, 0.25, 0, 2];
    const image = new LinearCombinationKernel(basis, amplitudes).computeImage();
    const raw = basis.map((b) => b.computeImage(false));
    const norm = amplitudes.reduce((acc, a, i) => acc + a * basis[i]!.getSum(), 0);
    for (const [x, y] of [[0, 0], [5, -3], [-12, 12], [11, 2]] as const) {
      const want = amplitudes.reduce((acc, a, i) => acc + a * raw[i]!.get(x, y), 0) / norm;
      expect(image.get(x, y)).toBeCloseTo(want, 14);
    }
  });

  it('basis kernels must agree in size and centre', () => {
    expect(() => new LinearCombinationKernel([b0, new FixedKernel(gaussianImage(21, 2))], [1, 1])).toThrow(AfwImageInvalidArgumentError);
    expect(() => new LinearCombinationKernel([b0, b1], [1])).toThrow(AfwImageInvalidArgumentError);
    expect(() => new LinearCombinationKernel([], [])).toThrow(AfwImageInvalidArgumentError);
  });
});

/** A PcaPsf that counts how often its kernel image is computed. */
class CountingPsf extends PcaPsf {
  computed = 0;
  protected override doComputeKernelImage(position: Point2D): ImageD {
    this.computed++;
    return super.doComputeKernelImage(position);
  }
}

describe('the PSF image caches (afw keeps the images of recent positions)', () => {
  const b0 = new FixedKernel(gaussianImage(21, 1.5));
  const b1 = new FixedKernel(gaussianImage(21, 2.5));
  const make = (): CountingPsf => new CountingPsf(new LinearCombinationKernel([b0, b1], [new PolynomialFunction2([1, -0.01, 0]), new PolynomialFunction2([0, 0.01, 0])]));

  it('computes a position once for its shape, kernel image and image, and hands out copies', () => {
    const psf = make();
    const p = new Point2D(30.25, 40.5);
    const shape = psf.computeShape(p);
    const kernel = psf.computeKernelImage(p);
    const image = psf.computeImage(p);
    expect(psf.computed).toBe(1);
    // the same values as a PSF without a cache
    const fresh = make();
    fresh.setCacheCapacity(0);
    expect(fresh.computeShape(p).getIxx()).toBe(shape.getIxx());
    expect(fresh.computeImage(p).array.data).toEqual(image.array.data);
    expect(fresh.computeKernelImage(p).array.data).toEqual(kernel.array.data);
    expect(fresh.computed).toBe(3);
    // changing a returned image does not change the next one
    kernel.set(0, 0, -1);
    image.set(image.getX0(), image.getY0(), -1);
    expect(psf.computeKernelImage(p).get(0, 0)).not.toBe(-1);
    expect(psf.computeImage(p).get(image.getX0(), image.getY0())).not.toBe(-1);
    expect(psf.computed).toBe(1);
  });

  it('keeps the most recently used positions up to its capacity', () => {
    const psf = make();
    expect(psf.getCacheCapacity()).toBe(100);
    psf.setCacheCapacity(2);
    const [a, b, c] = [new Point2D(1, 2), new Point2D(3, 4), new Point2D(5, 6)];
    psf.computeKernelImage(a);
    psf.computeKernelImage(b);
    psf.computeKernelImage(a); // a is now the more recent
    psf.computeKernelImage(c); // replaces b
    expect(psf.computed).toBe(3);
    psf.computeKernelImage(a);
    expect(psf.computed).toBe(3);
    psf.computeKernelImage(b);
    expect(psf.computed).toBe(4);
    expect(() => psf.setCacheCapacity(-1)).toThrow(AfwImageInvalidArgumentError);
    expect(() => psf.setCacheCapacity(1.5)).toThrow(AfwImageInvalidArgumentError);
  });
});

describe('ellipticalGaussianRow', () => {
  it('writes at an offset, and with ixx ≤ 0 (no largest weight) evaluates exp() pixel by pixel', () => {
    const out = new Float64Array(12).fill(-1);
    ellipticalGaussianRow(out, 5, -2, 0.5, 0.5, 0.1, 0.3, Math.exp(-0.5), 4);
    expect(out.slice(0, 4)).toEqual(new Float64Array(4).fill(-1));
    expect(out.slice(9)).toEqual(new Float64Array(3).fill(-1));
    for (let i = 0; i < 5; i++) {
      const dx = -2 + i;
      expect(out[4 + i]).toBeCloseTo(Math.exp(-0.5 * (0.5 * dx * dx + 2 * 0.1 * dx * 0.5 + 0.3 * 0.25)), 14);
    }
    ellipticalGaussianRow(out, 3, -1, 1, -0.2, 0, 0.3, Math.exp(0.2));
    for (let i = 0; i < 3; i++) expect(out[i]).toBe(Math.exp(-0.5 * (-0.2 * (i - 1) ** 2 + 0.3)));
  });

  it('matches exp() of the quadratic form at every pixel, to rounding (which grows with the exponent and the row length), down to underflow', () => {
    const out = new Float64Array(64);
    let seed = 7;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let trial = 0; trial < 200; trial++) {
      const sx = 0.7 + 5 * random();
      const sy = 0.7 + 5 * random();
      const rho = 0.9 * (2 * random() - 1);
      // inverse of [[sx², ρ sx sy], [ρ sx sy, sy²]]
      const det = sx * sx * sy * sy * (1 - rho * rho);
      const ixx = (sy * sy) / det;
      const iyy = (sx * sx) / det;
      const ixy = (-rho * sx * sy) / det;
      const width = 1 + Math.floor(63 * random());
      const ax = -width / 2 + 20 * (random() - 0.5);
      const dy = 30 * (random() - 0.5);
      ellipticalGaussianRow(out, width, ax, dy, ixx, ixy, iyy, Math.exp(-ixx));
      for (let i = 0; i < width; i++) {
        const dx = ax + i;
        const q = -0.5 * (ixx * dx * dx + 2 * ixy * dx * dy + iyy * dy * dy);
        const want = Math.exp(q);
        // (exp of a rounded exponent is off by ~|q|·ε relative, and each step of the walk from
        // the row's peak multiplies in one more rounded ratio: ~n²·ε after n steps)
        expect(Math.abs(out[i]! - want)).toBeLessThanOrEqual(4e-16 * (Math.abs(q) + width * width) * want + 1e-300);
      }
    }
  });
});
