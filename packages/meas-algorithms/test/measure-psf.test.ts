/**
 * Star selection and PCA PSF determination on a synthetic exposure with a known PSF whose
 * Gaussian sigma varies linearly across the field (analytic truth, see psf-scene.ts): detection
 * and measurement (meas-base) with a first-pass Gaussian PSF, then MeasurePsfTask. Checks the
 * selector's purity, the PSF's second moments against σ(x, y)² + 1/12 at several positions, the
 * residuals of the model at the stars against the noise, and the PcaPsf FITS round trip.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Exposure, Image, PcaPsf, computeAdaptiveMoments, type ExposureF } from '@skystack/afw-image';
import { SourceCatalog } from '@skystack/afw-table';
import { Point2D, Point2I } from '@skystack/geom';
import { SingleFrameMeasurementConfig, SingleFrameMeasurementTask } from '@skystack/meas-base';
import { InstallGaussianPsfConfig, InstallGaussianPsfTask, MeasurePsfConfig, MeasurePsfTask, PiffPsfDeterminerConfig, SourceDetectionTask, type MeasurePsfResult, type PcaPsfDeterminerConfig } from '../src/index.js';
import { addGaussian, gridObjects, makePsfScene, nearest, trueSigma, truePsfMoment, type PsfSceneOptions } from './psf-scene.js';

const WIDTH = 1024;
const scene: PsfSceneOptions = {
  width: WIDTH,
  height: WIDTH,
  sigma0: 1.8,
  dSigmaDx: 0.2 / WIDTH, // 1.8 → 2.0 across x
  dSigmaDy: 0.05 / WIDTH, //     + 0.05 across y
  noise: 10,
  seed: 7,
  objects: gridObjects(WIDTH, WIDTH, 46, 40, 3e4, 3e5, 5, 3),
};

interface Characterised {
  exposure: ExposureF;
  sources: SourceCatalog;
  result: MeasurePsfResult;
}

function characterise(options: PsfSceneOptions, configure?: (c: MeasurePsfConfig) => void): Characterised {
  const exposure = makePsfScene(options);
  const installConfig = new InstallGaussianPsfConfig();
  installConfig.fwhm = 2 * 2.3548;
  installConfig.width = 25;
  new InstallGaussianPsfTask({ config: installConfig }).run(exposure);
  const measConfig = new SingleFrameMeasurementConfig();
  measConfig.plugins.names = ['base_PixelFlags', 'base_SdssCentroid', 'base_SdssShape', 'base_GaussianFlux', 'base_PsfFlux', 'base_CircularApertureFlux'];
  const schema = SourceCatalog.makeMinimalSchema();
  const detection = new SourceDetectionTask({ schema });
  const measurement = new SingleFrameMeasurementTask({ schema, config: measConfig });
  const psfConfig = new MeasurePsfConfig();
  configure?.(psfConfig);
  const measurePsf = new MeasurePsfTask({ schema: measurement.schema, config: psfConfig });
  const det = detection.run(schema, exposure, { sigma: 2 });
  const sources = new SourceCatalog(measurement.schema);
  for (const rec of det.sources) {
    const r = sources.addNew();
    r.set('id', rec.get('id') as bigint);
    r.setFootprint(rec.getFootprint());
  }
  measurement.run(sources, exposure, 1);
  const result = measurePsf.run(exposure, sources, 1);
  return { exposure, sources, result };
}

describe('MeasurePsfTask on a field with a linearly varying Gaussian PSF', () => {
  let run: Characterised;
  const dir = mkdtempSync(join(tmpdir(), 'skystack-measure-psf-'));
  beforeAll(() => {
    run = characterise(scene);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('selects stars, not galaxies (purity ≥ 95%), and most of the bright stars', () => {
    const { sources } = run;
    const candidate = sources.getColumn('calib_psf_candidate') as Uint8Array;
    const xs = sources.getColumn('slot_Centroid_x') as Float64Array;
    const ys = sources.getColumn('slot_Centroid_y') as Float64Array;
    let selected = 0;
    let stars = 0;
    for (let i = 0; i < sources.length; i++) {
      if (candidate[i] !== 1) continue;
      selected++;
      const { object, distance } = nearest(scene.objects, xs[i]!, ys[i]!);
      if (distance < 2 && object.intrinsicSigma === 0) stars++;
    }
    const nTrueStars = scene.objects.filter((o) => o.intrinsicSigma === 0).length;
    expect(selected).toBeGreaterThan(0.7 * nTrueStars);
    expect(stars / selected).toBeGreaterThanOrEqual(0.95);
  });

  it('flags the used stars and sets the PcaPsf on the exposure', () => {
    const { exposure, sources, result } = run;
    expect(exposure.getPsf()).toBe(result.psf);
    expect(result.psf).toBeInstanceOf(PcaPsf);
    const used = sources.getColumn('calib_psf_used') as Uint8Array;
    const cand = sources.getColumn('calib_psf_candidate') as Uint8Array;
    let nUsed = 0;
    for (let i = 0; i < sources.length; i++) {
      if (used[i] === 1) {
        nUsed++;
        expect(cand[i]).toBe(1);
      }
    }
    expect(nUsed).toBe(result.numGoodStars);
    expect(nUsed).toBeGreaterThan(0.8 * result.numAvailStars);
    expect(result.psf.getKernel().getNBasisKernels()).toBe(4);
  });

  it('matches the true PSF second moments within 1% across the field', () => {
    const psf = run.result.psf;
    for (const [x, y] of [[100, 100], [900, 120], [512, 512], [150, 880], [920, 900], [300, 600]] as const) {
      const q = psf.computeShape(new Point2D(x, y));
      const truth = truePsfMoment(scene, x, y);
      expect(Math.abs(q.getIxx() / truth - 1)).toBeLessThan(0.01);
      expect(Math.abs(q.getIyy() / truth - 1)).toBeLessThan(0.01);
      expect(Math.abs(q.getIxy())).toBeLessThan(0.01 * truth);
    }
    // The model follows the variation: the moment at the right edge exceeds the left's as the truth does.
    const left = psf.computeShape(new Point2D(60, 512)).getDeterminantRadius() ** 2;
    const right = psf.computeShape(new Point2D(960, 512)).getDeterminantRadius() ** 2;
    const expected = truePsfMoment(scene, 960, 512) - truePsfMoment(scene, 60, 512);
    expect(Math.abs(right - left - expected)).toBeLessThan(0.15 * expected);
    expect(trueSigma(scene, 960, 512)).toBeGreaterThan(trueSigma(scene, 60, 512));
  });

  it('models the used stars to the noise level (reduced χ² ≈ 1)', () => {
    const { exposure, sources, result } = run;
    const used = sources.getColumn('calib_psf_used') as Uint8Array;
    const xs = sources.getColumn('slot_Centroid_x') as Float64Array;
    const ys = sources.getColumn('slot_Centroid_y') as Float64Array;
    const { data, width } = exposure.image.array;
    let chi2 = 0;
    let n = 0;
    let checked = 0;
    for (let i = 0; i < sources.length && checked < 40; i++) {
      if (used[i] !== 1) continue;
      const { object } = nearest(scene.objects, xs[i]!, ys[i]!);
      const model = result.psf.computeImage(new Point2D(object.x, object.y));
      const md = model.array.data;
      // the 7×7 core, where the star is far above the noise
      const cx = Math.round(object.x);
      const cy = Math.round(object.y);
      for (let y = cy - 3; y <= cy + 3; y++) {
        for (let x = cx - 3; x <= cx + 3; x++) {
          const m = object.flux * md[(y - model.getY0()) * model.width + (x - model.getX0())]!;
          const r = (data[y * width + x]! - m) / scene.noise;
          chi2 += r * r;
          n++;
        }
      }
      checked++;
    }
    expect(checked).toBe(40);
    // Noise alone gives 1; the model's flux normalisation (kernel-sized) and interpolation add a little.
    expect(chi2 / n).toBeLessThan(2.0);
  });

  it('writes the PcaPsf into an ExposureF FITS file that reads back with identical kernel images', async () => {
    const path = join(dir, 'calexp.fits');
    await run.exposure.writeFits(path);
    const back = await Exposure.readFits(path);
    const psf = back.getPsf();
    expect(psf).toBeInstanceOf(PcaPsf);
    for (const p of [new Point2D(10, 20), new Point2D(700.3, 400.8)]) {
      const a = run.result.psf.computeKernelImage(p).array.data;
      const b = psf!.computeKernelImage(p).array.data;
      expect(b.length).toBe(a.length);
      for (let k = 0; k < a.length; k++) expect(b[k]).toBeCloseTo(a[k]!, 12);
    }
    expect(psf!.getAveragePosition().x).toBeCloseTo(run.result.psf.getAveragePosition().x, 9);
  });
});

describe('MeasurePsfTask on a double-Gaussian PSF', () => {
  it('recovers the adaptive moments and the wings of a spatially varying double Gaussian within 2%', () => {
    const options: PsfSceneOptions = { ...scene, second: { sigmaRatio: 2.2, b: 0.1 }, seed: 11, objects: gridObjects(WIDTH, WIDTH, 56, 44, 5e4, 3e5, 0, 5) };
    const { result } = characterise(options, (c) => {
      (c.psfDeterminer.get('pca') as PcaPsfDeterminerConfig).spatialOrder = 1;
    });
    for (const [x, y] of [[120, 120], [900, 900], [512, 300]] as const) {
      // The truth: the pixel-integrated double Gaussian drawn analytically at (0, 0), measured
      // with the same adaptive-moments estimator PcaPsf.computeShape applies to its kernel image.
      const s1 = trueSigma(options, x, y);
      const s2 = s1 * options.second!.sigmaRatio;
      const w1 = s1 * s1;
      const w2 = options.second!.b * s2 * s2;
      const truthPixels = new Float32Array(41 * 41);
      addGaussian(truthPixels, 41, 41, 20, 20, s1, w1 / (w1 + w2));
      addGaussian(truthPixels, 41, 41, 20, 20, s2, w2 / (w1 + w2));
      const truth = computeAdaptiveMoments(new Image(truthPixels, 41, 41, { xy0: new Point2I(-20, -20) }), 0, 0);
      const q = result.psf.computeShape(new Point2D(x, y));
      expect(Math.abs(q.getIxx() / truth.getIxx() - 1)).toBeLessThan(0.02);
      expect(Math.abs(q.getIyy() / truth.getIyy() - 1)).toBeLessThan(0.02);
      // and the wings: the flux fraction inside 2σ₁ is the truth's
      const frac = result.psf.computeApertureFlux(2 * s1, new Point2D(x, y));
      const expected = (w1 * (1 - Math.exp(-2)) + w2 * (1 - Math.exp((-2 * s1 * s1) / (s2 * s2)))) / (w1 + w2);
      expect(Math.abs(frac - expected)).toBeLessThan(0.02);
    }
  }, 120_000);
});

describe('MeasurePsfTask with the piff determiner (pixel grid × polynomial)', () => {
  let run: Characterised;
  beforeAll(() => {
    run = characterise(scene, (c) => {
      c.psfDeterminer.name = 'piff';
    });
  }, 120_000);

  it('matches the true PSF second moments within 0.5% across the field', () => {
    const psf = run.result.psf;
    expect(psf).toBeInstanceOf(PcaPsf);
    for (const [x, y] of [[100, 100], [900, 120], [512, 512], [150, 880], [920, 900], [300, 600]] as const) {
      const q = psf.computeShape(new Point2D(x, y));
      const truth = truePsfMoment(scene, x, y);
      expect(Math.abs(q.getIxx() / truth - 1)).toBeLessThan(0.005);
      expect(Math.abs(q.getIyy() / truth - 1)).toBeLessThan(0.005);
      expect(Math.abs(q.getIxy())).toBeLessThan(0.005 * truth);
    }
  });

  it('gives PSF fluxes of the stars within 0.3% and, for bright stars, to 0.15% rms', () => {
    const { exposure, result } = run;
    const { data, width } = exposure.image.array;
    const all: number[] = [];
    const bright: number[] = [];
    for (const o of scene.objects) {
      if (o.intrinsicSigma !== 0 || o.x < 20 || o.y < 20 || o.x > WIDTH - 20 || o.y > WIDTH - 20) continue;
      // Linear PSF flux at the true position: Σ m d / Σ m² (noise alone: 67 counts, 0.03% at 2e5).
      const model = result.psf.computeImage(new Point2D(o.x, o.y));
      const md = model.array.data;
      let num = 0;
      let den = 0;
      for (let j = 0; j < model.height; j++) {
        for (let i = 0; i < model.width; i++) {
          const m = md[j * model.width + i]!;
          num += m * data[(j + model.getY0()) * width + i + model.getX0()]!;
          den += m * m;
        }
      }
      const rel = num / den / o.flux - 1;
      all.push(rel);
      if (o.flux > 1.2e5) bright.push(rel);
    }
    expect(all.length).toBeGreaterThan(300);
    expect(bright.length).toBeGreaterThan(100);
    const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
    const rms = (v: number[]): number => Math.sqrt(mean(v.map((x) => (x - mean(v)) ** 2)));
    // A model 1% too wide in σ² biases PSF fluxes by +0.5%; the aperture correction removes a
    // smooth bias, not a star-to-star scatter.
    expect(Math.abs(mean(all))).toBeLessThan(0.003);
    expect(rms(bright)).toBeLessThan(0.0015);
  });

  it('uses the bright stars (S/N-capped weights) and flags them', () => {
    const { sources, result } = run;
    const used = sources.getColumn('calib_psf_used') as Uint8Array;
    let nUsed = 0;
    for (let i = 0; i < sources.length; i++) if (used[i] === 1) nUsed++;
    expect(nUsed).toBe(result.numGoodStars);
    expect(result.numGoodStars).toBeGreaterThan(0.9 * result.numAvailStars);
    expect(result.psf.getKernel().getNBasisKernels()).toBe(6); // one per term of the order-2 polynomial
  });

  it('refuses too few stars for the polynomial, or falls back to a constant model when told to', () => {
    const few: PsfSceneOptions = { ...scene, seed: 13, objects: gridObjects(WIDTH, WIDTH, 500, 150, 1e5, 3e5, 0, 9) };
    expect(few.objects.length).toBeLessThan(6);
    expect(() => characterise(few, (c) => (c.psfDeterminer.name = 'piff'))).toThrow(/too few good stars.*order 2 needs at least 6/);
    const { result } = characterise(few, (c) => {
      c.psfDeterminer.name = 'piff';
      (c.psfDeterminer.get('piff') as PiffPsfDeterminerConfig).zerothOrderInterpNotEnoughStars = true;
    });
    expect(result.psf.getKernel().getNBasisKernels()).toBe(1);
    const q = result.psf.computeShape(new Point2D(512, 512));
    expect(Math.abs(q.getIxx() / truePsfMoment(few, 512, 512) - 1)).toBeLessThan(0.05);
  }, 60_000);

  it('rejects an oversampled model, which is not implemented', () => {
    const config = new PiffPsfDeterminerConfig();
    config.samplingSize = 0.5;
    expect(() => config.validate()).toThrow(/samplingSize: only 1/);
  });
});
