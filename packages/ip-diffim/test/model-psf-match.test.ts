// ModelPsfMatchTask against analytic truth: Gaussian sources with a linearly varying Gaussian PSF
// matched to a wider Gaussian model must equal the analytic rendering with the model PSF.
import { Exposure, GaussianPsf, MaskedImage } from '@skystack/afw-image';
import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import { beforeAll, describe, expect, it } from 'vitest';
import { IpDiffimInvalidArgumentError, ModelPsfMatchConfig, SIGMA_PER_FWHM, ModelPsfMatchTask, type ModelPsfMatchResult } from '../src/index.js';
import { VaryingGaussianPsf, makeNormal, sampledGaussian } from './varying-gaussian-psf.js';

const W = 256;
// MakePsfMatchedWarpConfig's model FWHM (7.7 px), as a single Gaussian for an analytic truth.
const SIGMA_MODEL = 7.7 * SIGMA_PER_FWHM;
const FLUX = 1000;
const psf = new VaryingGaussianPsf(41, 1.8, 0.0015, 0.0008);
const sources: [number, number][] = [];
for (let j = 0; j < 4; j++) for (let i = 0; i < 4; i++) sources.push([40 + 58 * i + 0.13 * i + 0.05, 40 + 58 * j + 0.21 * j + 0.37]);

function render(sigmaOf: (x: number, y: number) => number): Float32Array {
  const out = new Float32Array(W * W);
  const h = 20;
  for (const [xs, ys] of sources) {
    const ix = Math.round(xs);
    const iy = Math.round(ys);
    const g = sampledGaussian(2 * h + 1, 2 * h + 1, ix - h, iy - h, xs, ys, sigmaOf(xs, ys));
    for (let j = 0; j <= 2 * h; j++) for (let i = 0; i <= 2 * h; i++) out[(iy - h + j) * W + ix - h + i]! += FLUX * g[j * (2 * h + 1) + i]!;
  }
  return out;
}

function makeConfig(): ModelPsfMatchConfig {
  const config = new ModelPsfMatchConfig();
  const al = config.kernel.get('AL');
  al.alardSigGauss = [1.0, 2.0, 4.5]; // MakePsfMatchedWarpConfig's setting
  al.sizeCellX = 64;
  al.sizeCellY = 64;
  return config;
}

function makeExposure(image: Float32Array, variance = 1, exposurePsf: VaryingGaussianPsf = psf): Exposure<Float32Array> {
  const mi = MaskedImage.make('float32', Box2I.fromCorner(new Point2I(0, 0), new Extent2I(W, W)));
  mi.image.array.data.set(image);
  mi.variance.array.data.fill(variance);
  const exposure = new Exposure(mi);
  exposure.setPsf(exposurePsf);
  return exposure;
}

describe('ModelPsfMatchTask (analytic Gaussian scene)', () => {
  let result: ModelPsfMatchResult;
  const truth = render(() => SIGMA_MODEL);

  beforeAll(() => {
    const task = new ModelPsfMatchTask({ config: makeConfig() });
    result = task.run(makeExposure(render((x, y) => psf.sigmaAt(x, y))), new GaussianPsf(31, 31, SIGMA_MODEL));
  });

  it('matches the analytic rendering with the model PSF to < 1% of the peak', () => {
    const img = result.psfMatchedExposure.image.array.data;
    let peak = 0;
    let worst = 0;
    for (let y = 10; y < W - 10; y++) {
      for (let x = 10; x < W - 10; x++) {
        peak = Math.max(peak, truth[y * W + x]!);
        worst = Math.max(worst, Math.abs(img[y * W + x]! - truth[y * W + x]!));
      }
    }
    expect(worst / peak).toBeLessThan(0.01);
  });

  it('conserves fluxes to < 0.1% and centroids to < 0.01 px', () => {
    const img = result.psfMatchedExposure.image.array.data;
    for (const [xs, ys] of sources) {
      let s = 0;
      let sx = 0;
      let sy = 0;
      const ix = Math.round(xs);
      const iy = Math.round(ys);
      for (let y = iy - 20; y <= iy + 20; y++) {
        for (let x = ix - 20; x <= ix + 20; x++) {
          const v = img[y * W + x]!;
          s += v;
          sx += v * x;
          sy += v * y;
        }
      }
      expect(Math.abs(s / FLUX - 1)).toBeLessThan(1e-3);
      expect(Math.abs(sx / s - xs)).toBeLessThan(0.01);
      expect(Math.abs(sy / s - ys)).toBeLessThan(0.01);
    }
  });

  it('the kernel at a cell centre convolves the exposure PSF into the model PSF to < 1e-3 of its peak', () => {
    for (const [cx, cy] of [
      [96, 160],
      [32, 32],
      [224, 224],
    ] as const) {
      const kImg = result.psfMatchingKernel.computeImage(true, cx, cy);
      const kw = kImg.width;
      const kc = Math.floor(kw / 2);
      const k = kImg.array;
      const n = 61;
      const h = 30;
      const sci = sampledGaussian(n, n, -h, -h, 0, 0, psf.sigmaAt(cx, cy));
      const model = sampledGaussian(n, n, -h, -h, 0, 0, SIGMA_MODEL);
      let peak = 0;
      let worst = 0;
      for (let y = 0; y < n; y++) {
        for (let x = 0; x < n; x++) {
          let s = 0;
          for (let j = 0; j < kw; j++) {
            for (let i = 0; i < kw; i++) {
              const xx = x - kc + i;
              const yy = y - kc + j;
              if (xx >= 0 && xx < n && yy >= 0 && yy < n) s += k.data[j * k.stride + i]! * sci[yy * n + xx]!;
            }
          }
          peak = Math.max(peak, model[y * n + x]!);
          worst = Math.max(worst, Math.abs(s - model[y * n + x]!));
        }
      }
      expect(worst / peak).toBeLessThan(1e-3);
    }
  });

  it('sets the PSF to the (resized) reference, flags the edge, records the fit', () => {
    const out = result.psfMatchedExposure;
    const outPsf = out.getPsf();
    expect(outPsf).toBeInstanceOf(GaussianPsf);
    expect((outPsf as GaussianPsf).getSigma()).toBe(SIGMA_MODEL);
    expect(out.getBBox().equals(Box2I.fromCorner(new Point2I(0, 0), new Extent2I(W, W)))).toBe(true);
    const edge = out.mask.getPlaneBitMask('EDGE');
    const kw = result.psfMatchingKernel.width;
    const c = Math.floor(kw / 2);
    expect(out.mask.array.data[5 * W + 100]! & edge).toBe(edge);
    expect(Number.isNaN(out.image.array.data[5 * W + 100]!)).toBe(true);
    expect(out.mask.array.data[c * W + 100]! & edge).toBe(0);
    expect(out.mask.array.data[(W - kw + c) * W + 100]! & edge).toBe(0);
    expect(out.mask.array.data[(W - kw + c + 1) * W + 100]! & edge).toBe(edge);
    expect(result.kernelCellSet).toHaveLength(36); // (256 + 2·64) / 64 = 6 cells per axis
    expect(result.metadata.get('ALKernelSize')).toBe(21);
    expect(result.metadata.get('deconvolution')).toBe(false);
  });
});

describe('ModelPsfMatchTask variance and mask propagation', () => {
  it('gives the variance σ² Σk² (analytic) in the plane and in the pixel scatter of pure noise', () => {
    const sigma = 2;
    const normal = makeNormal(12345);
    const noise = new Float32Array(W * W);
    for (let i = 0; i < noise.length; i++) noise[i] = sigma * normal();
    const exposure = makeExposure(noise, sigma * sigma);
    exposure.mask.array.data[128 * W + 128] = exposure.mask.getPlaneBitMask('BAD');
    const task = new ModelPsfMatchTask({ config: makeConfig() });
    const result = task.run(exposure, new GaussianPsf(31, 31, SIGMA_MODEL));
    const out = result.psfMatchedExposure;
    const kernel = result.psfMatchingKernel;
    // The variance plane against sigma² Σ k² with k from the kernel at each pixel.
    let worstVar = 0;
    for (const [x, y] of [
      [20, 20],
      [128, 77],
      [200, 233],
      [233, 15],
    ] as const) {
      const k = kernel.computeImage(true, x, y).array.data;
      let k2 = 0;
      for (const v of k) k2 += v * v;
      worstVar = Math.max(worstVar, Math.abs(out.variance.array.data[y * W + x]! / (sigma * sigma * k2) - 1));
    }
    expect(worstVar).toBeLessThan(1e-4);
    // The scatter of the matched noise against the mean predicted variance.
    const c = Math.floor(kernel.width / 2);
    let s2 = 0;
    let pv = 0;
    for (let y = c; y < W - c; y++) {
      for (let x = c; x < W - c; x++) {
        s2 += out.image.array.data[y * W + x]! ** 2;
        pv += out.variance.array.data[y * W + x]!;
      }
    }
    // ~ (236 / 2.5σ_k)² ≈ 1000 independent samples: the variance is known to ~5% (1σ).
    expect(Math.abs(s2 / pv - 1)).toBeLessThan(0.15);
    // The BAD pixel is spread over the kernel box.
    const bad = out.mask.getPlaneBitMask('BAD');
    expect(out.mask.array.data[(128 + c) * W + 128 + c]! & bad).toBe(bad);
    expect(out.mask.array.data[(128 + c + 1) * W + 128]! & bad).toBe(0);
  });
});

describe('ModelPsfMatchTask kernel interpolation', () => {
  it('the 10-pixel interpolation grid differs from the exact per-pixel kernel by < 5e-5 of the peak (measured 1.5e-5)', () => {
    const image = render((x, y) => psf.sigmaAt(x, y));
    const model = new GaussianPsf(31, 31, SIGMA_MODEL);
    const exact = new ModelPsfMatchTask({ config: makeConfig() }).run(makeExposure(image), model, 1, { maxInterpolationDistance: 1 });
    const interp = new ModelPsfMatchTask({ config: makeConfig() }).run(makeExposure(image), model);
    const a = exact.psfMatchedExposure.image.array.data;
    const b = interp.psfMatchedExposure.image.array.data;
    let peak = 0;
    let worst = 0;
    for (let i = 0; i < a.length; i++) {
      if (Number.isNaN(a[i]!)) {
        expect(Number.isNaN(b[i]!)).toBe(true);
        continue;
      }
      peak = Math.max(peak, Math.abs(a[i]!));
      worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    }
    expect(worst / peak).toBeLessThan(5e-5);
  });
});

describe('ModelPsfMatchTask errors and deconvolution', () => {
  const model = new GaussianPsf(31, 31, SIGMA_MODEL);
  const smallPsf = new VaryingGaussianPsf(25, 1.8, 0.0015, 0.0008);

  it('refuses an exposure without a PSF', () => {
    const exposure = makeExposure(new Float32Array(W * W));
    exposure.setPsf(null);
    expect(() => new ModelPsfMatchTask({ config: makeConfig() }).run(exposure, model)).toThrow(IpDiffimInvalidArgumentError);
  });

  it('refuses a kernel larger than the PSF images, and an odd padPsfBy', () => {
    const config = makeConfig();
    config.doAutoPadPsf = false;
    config.kernel.get('AL').kernelSize = 25; // psf 25 x 25: the largest kernel is 23
    expect(() => new ModelPsfMatchTask({ config }).run(makeExposure(new Float32Array(W * W), 1, smallPsf), model)).toThrow(/too big to match Psfs of size 25/);
    const odd = makeConfig();
    odd.doAutoPadPsf = false;
    odd.padPsfBy = 3;
    expect(() => new ModelPsfMatchTask({ config: odd }).run(makeExposure(new Float32Array(W * W)), model)).toThrow(/must be even/);
  });

  it('pads the science PSF to nextOdd(kernelSize × autoPadPsfTo) and resizes the reference to it', () => {
    const result = new ModelPsfMatchTask({ config: makeConfig() }).run(makeExposure(new Float32Array(W * W), 1, smallPsf), new GaussianPsf(17, 17, SIGMA_MODEL));
    expect(result.kernelCellSet[0]!.size).toBe(31); // ceil(21 × 1.4) = 30 → 31
    expect(result.psfMatchedExposure.getPsf()!.computeBBox().getWidth()).toBe(31);
  });

  it('fits a deconvolution like LSST (no error), flags it and matches only approximately', () => {
    const narrow = new GaussianPsf(31, 31, 1.2);
    const task = new ModelPsfMatchTask({ config: makeConfig() });
    const image = render((x, y) => psf.sigmaAt(x, y));
    const result = task.run(makeExposure(image), narrow);
    expect(result.metadata.get('deconvolution')).toBe(true);
    const outPsf = result.psfMatchedExposure.getPsf() as GaussianPsf;
    expect(outPsf.getSigma()).toBe(1.2);
    expect(outPsf.computeBBox().getWidth()).toBe(41); // resized to the exposure PSF's size
    // The convolution case fits to ~1e-4; a deconvolution cannot.
    expect(result.metadata.get('spatialResidualMax') as number).toBeGreaterThan(1e-2);
    // Flux is still conserved (the kernel is normalised).
    const img = result.psfMatchedExposure.image.array.data;
    const [xs, ys] = sources[5]!;
    let s = 0;
    for (let y = Math.round(ys) - 20; y <= Math.round(ys) + 20; y++) for (let x = Math.round(xs) - 20; x <= Math.round(xs) + 20; x++) s += img[y * W + x]!;
    expect(Math.abs(s / FLUX - 1)).toBeLessThan(1e-3);
  });
});
