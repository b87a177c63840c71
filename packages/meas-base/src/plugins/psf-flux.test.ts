import { GaussianPsf, Exposure, type ExposureF } from '@skystack/afw-image';
import { SourceCatalog } from '@skystack/afw-table';
import { Extent2I, Point2D } from '@skystack/geom';
import { describe, expect, it } from 'vitest';
import { fillCatalog, makeGaussian, makeRandom, meanStd, type Star } from '../../test/synthetic.js';
import { SingleFrameMeasurementConfig, SingleFrameMeasurementTask } from '../single-frame-measurement-task.js';
import type { PsfFluxConfig } from './psf-flux.js';

const PSF = new GaussianPsf(25, 25, 2);

/** Stars drawn with the PSF model itself (flux × psf.computeImage(position)), plus Gaussian noise. */
function psfExposure(stars: readonly Star[], size: number, noise: number, seed: number): ExposureF {
  const exposure = Exposure.make('float32', new Extent2I(size, size)) as ExposureF;
  const { data, stride } = exposure.image.array;
  for (const s of stars) {
    const im = PSF.computeImage(new Point2D(s.x, s.y));
    const m = im.array;
    for (let j = 0; j < im.getHeight(); j++) {
      for (let i = 0; i < im.getWidth(); i++) {
        const x = im.getX0() + i;
        const y = im.getY0() + j;
        if (x >= 0 && y >= 0 && x < size && y < size) data[y * stride + x]! += s.flux * m.data[j * m.stride + i]!;
      }
    }
  }
  const g = makeGaussian(seed);
  if (noise > 0) for (let k = 0; k < data.length; k++) data[k]! += noise * g();
  exposure.variance.array.data.fill(noise > 0 ? noise * noise : 1);
  exposure.setPsf(PSF);
  return exposure;
}

function psfTask(): SingleFrameMeasurementTask {
  const config = new SingleFrameMeasurementConfig();
  config.plugins.names = ['base_SdssCentroid', 'base_PsfFlux'];
  config.doReplaceWithNoise = false;
  return new SingleFrameMeasurementTask({ config });
}

function grid(n: number, flux: number, seed: number): Star[] {
  const u = makeRandom(seed);
  return Array.from({ length: n * n }, (_, k) => ({ flux, sigma: 2, x: 30 * ((k % n) + 1) + u() - 0.5, y: 30 * (Math.floor(k / n) + 1) + u() - 0.5 }));
}

describe('base_PsfFlux', () => {
  it('recovers the flux of noise-free stars drawn with the PSF, and the PSF effective area', () => {
    const stars = grid(5, 12345, 3);
    const task = psfTask();
    const cat = new SourceCatalog(task.schema);
    fillCatalog(cat, stars);
    task.run(cat, psfExposure(stars, 180, 0, 1));
    stars.forEach((s, i) => {
      const r = cat.get(i);
      expect(r.get('base_PsfFlux_flag')).toBe(false);
      // the fit is at the measured centroid (< 0.01 px off), so the flux is exact to ~1e-5
      expect(r.getPsfInstFlux() / s.flux).toBeCloseTo(1, 4);
      // a unit-sum Gaussian of width σ has (Σm)²/Σm² = 4πσ²
      expect(r.getNumber('base_PsfFlux_area') / (4 * Math.PI * 4)).toBeCloseTo(1, 3);
      expect(r.getNumber('base_PsfFlux_npixels')).toBe(625);
    });
  });

  it('reports errors that match the scatter over noise realisations, and chi2 ≈ number of pixels', () => {
    const pulls: number[] = [];
    const chi2: number[] = [];
    for (let seed = 1; seed <= 4; seed++) {
      const stars = grid(10, 3000, seed + 10);
      const task = psfTask();
      const cat = new SourceCatalog(task.schema);
      fillCatalog(cat, stars);
      task.run(cat, psfExposure(stars, 330, 4, seed));
      const f = cat.getColumn('base_PsfFlux_instFlux') as Float64Array;
      const e = cat.getColumn('base_PsfFlux_instFluxErr') as Float64Array;
      const c = cat.getColumn('base_PsfFlux_chi2') as Float32Array;
      stars.forEach((s, i) => {
        pulls.push((f[i]! - s.flux) / e[i]!);
        chi2.push(c[i]!);
      });
      // the error of an unweighted PSF fit with constant variance: σ / √Σm² = σ √(4πσ²)
      expect(e[0]! / (4 * Math.sqrt(4 * Math.PI * 4))).toBeCloseTo(1, 2);
    }
    const [mean, std] = meanStd(pulls);
    expect(Math.abs(mean)).toBeLessThan(0.2);
    expect(std).toBeGreaterThan(0.88);
    expect(std).toBeLessThan(1.12);
    const [chiMean] = meanStd(chi2);
    expect(chiMean / 624).toBeGreaterThan(0.97);
    expect(chiMean / 624).toBeLessThan(1.03);
  });

  it('sets flag_edge (and the general flag) when the PSF image sticks out of the exposure', () => {
    const stars: Star[] = [
      { flux: 1e4, sigma: 2, x: 6.3, y: 40 },
      { flux: 1e4, sigma: 2, x: 40, y: 40 },
    ];
    const task = psfTask();
    const cat = new SourceCatalog(task.schema);
    fillCatalog(cat, stars, 4);
    task.run(cat, psfExposure(stars, 80, 0, 1));
    expect(cat.get(0).get('base_PsfFlux_flag_edge')).toBe(true);
    expect(cat.get(0).get('base_PsfFlux_flag')).toBe(true);
    expect(Number.isFinite(cat.get(0).getPsfInstFlux())).toBe(true);
    expect(cat.get(1).get('base_PsfFlux_flag_edge')).toBe(false);
    expect(cat.get(1).get('base_PsfFlux_flag')).toBe(false);
  });

  it('leaves out badMaskPlanes pixels and flags noGoodPixels when none is left', () => {
    const stars: Star[] = [{ flux: 1e4, sigma: 2, x: 40, y: 40 }];
    const exposure = psfExposure(stars, 80, 0, 1);
    exposure.mask.array.data.fill(exposure.mask.getPlaneBitMask('BAD'));
    const config = new SingleFrameMeasurementConfig();
    config.plugins.names = ['base_SdssCentroid', 'base_PsfFlux'];
    (config.plugins.get('base_PsfFlux') as PsfFluxConfig).badMaskPlanes = ['BAD'];
    config.doReplaceWithNoise = false;
    const task = new SingleFrameMeasurementTask({ config });
    const cat = new SourceCatalog(task.schema);
    fillCatalog(cat, stars, 4);
    task.run(cat, exposure);
    expect(cat.get(0).get('base_PsfFlux_flag_noGoodPixels')).toBe(true);
    expect(cat.get(0).get('base_PsfFlux_flag')).toBe(true);
    expect(Number.isNaN(cat.get(0).getPsfInstFlux())).toBe(true);
  });
});
