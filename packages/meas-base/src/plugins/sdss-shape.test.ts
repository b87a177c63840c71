import { SourceCatalog } from '@skystack/afw-table';
import { describe, expect, it } from 'vitest';
import { addEllipticalStar, fillCatalog, makeExposure, makeRandom, meanStd, type Star } from '../../test/synthetic.js';
import { SingleFrameMeasurementConfig, SingleFrameMeasurementTask } from '../single-frame-measurement-task.js';

function shapeTask(): SingleFrameMeasurementTask {
  const config = new SingleFrameMeasurementConfig();
  config.plugins.names = ['base_SdssCentroid', 'base_SdssShape'];
  config.doReplaceWithNoise = false;
  return new SingleFrameMeasurementTask({ config });
}

describe('base_SdssShape', () => {
  it('measures the moments of a circular Gaussian as sigma², its flux, and the PSF moments', () => {
    for (const sigma of [1.5, 2, 3]) {
      const u = makeRandom(5);
      const stars: Star[] = Array.from({ length: 16 }, (_, k) => ({ flux: 2e4, sigma, x: 40 * ((k % 4) + 1) + u() - 0.5, y: 40 * (Math.floor(k / 4) + 1) + u() - 0.5 }));
      const exposure = makeExposure(stars, { width: 200, height: 200, psfSigma: 1.7 });
      const task = shapeTask();
      const cat = new SourceCatalog(task.schema);
      fillCatalog(cat, stars);
      task.run(cat, exposure);
      stars.forEach((s, i) => {
        const r = cat.get(i);
        expect(r.get('base_SdssShape_flag')).toBe(false);
        expect(r.getIxx()).toBeCloseTo(sigma * sigma, 4);
        expect(r.getIyy()).toBeCloseTo(sigma * sigma, 4);
        expect(Math.abs(r.getIxy())).toBeLessThan(1e-5);
        expect(r.getNumber('base_SdssShape_x')).toBeCloseTo(s.x, 4);
        expect(r.getNumber('base_SdssShape_y')).toBeCloseTo(s.y, 4);
        expect(r.getNumber('base_SdssShape_instFlux') / s.flux).toBeCloseTo(1, 5);
        expect(r.getNumber('base_SdssShape_psf_xx')).toBeCloseTo(1.7 * 1.7, 10);
        expect(r.getNumber('base_SdssShape_psf_xy')).toBe(0);
      });
    }
  });

  it('measures the covariance of an elliptical Gaussian', () => {
    const exposure = makeExposure([], { width: 120, height: 120, psfSigma: 2 });
    const cases = [
      [6, 3, 1.5],
      [2.5, 5, -1],
      [4, 4, 2],
    ] as const;
    cases.forEach(([cxx, cyy, cxy], k) => addEllipticalStar(exposure, 1e4, 30 + 30 * k + 0.3, 60.6, cxx, cyy, cxy));
    const task = shapeTask();
    const cat = new SourceCatalog(task.schema);
    fillCatalog(cat, cases.map((_, k) => ({ flux: 1, sigma: 1, x: 30 + 30 * k + 0.3, y: 60.6 })), 10);
    task.run(cat, exposure);
    cases.forEach(([cxx, cyy, cxy], k) => {
      const r = cat.get(k);
      expect(r.getIxx()).toBeCloseTo(cxx, 3);
      expect(r.getIyy()).toBeCloseTo(cyy, 3);
      expect(r.getIxy()).toBeCloseTo(cxy, 3);
    });
  });

  it('reports moment errors consistent with the scatter over noise realisations', () => {
    const pulls: number[] = [];
    for (let seed = 1; seed <= 3; seed++) {
      const u = makeRandom(seed);
      const stars: Star[] = Array.from({ length: 100 }, (_, k) => ({ flux: 5000, sigma: 2, x: 30 * ((k % 10) + 1) + u() - 0.5, y: 30 * (Math.floor(k / 10) + 1) + u() - 0.5 }));
      const exposure = makeExposure(stars, { width: 330, height: 330, noiseSigma: 3, seed });
      const task = shapeTask();
      const cat = new SourceCatalog(task.schema);
      fillCatalog(cat, stars);
      task.run(cat, exposure);
      const xx = cat.getColumn('base_SdssShape_xx') as Float64Array;
      const xxErr = cat.getColumn('base_SdssShape_xxErr') as Float64Array;
      const flag = cat.getColumn('base_SdssShape_flag') as Uint8Array;
      stars.forEach((_, i) => {
        expect(flag[i]).toBe(0);
        pulls.push((xx[i]! - 4) / xxErr[i]!);
      });
    }
    const [mean, std] = meanStd(pulls);
    expect(Math.abs(mean)).toBeLessThan(0.25);
    expect(std).toBeGreaterThan(0.8);
    expect(std).toBeLessThan(1.2);
  });

  it('flags a source without a positive-definite moment matrix', () => {
    const exposure = makeExposure([{ flux: -1e4, sigma: 2, x: 40, y: 40 }], { width: 80, height: 80 });
    const config = new SingleFrameMeasurementConfig();
    config.plugins.names = ['base_SdssShape'];
    config.doReplaceWithNoise = false;
    config.slots.centroid = null;
    const task = new SingleFrameMeasurementTask({ config });
    task.schema.getAliasMap().set('slot_Centroid', 'base_SdssShape');
    const cat = new SourceCatalog(task.schema);
    fillCatalog(cat, [{ flux: 1, sigma: 2, x: 40, y: 40 }], 4);
    task.run(cat, exposure);
    const r = cat.get(0);
    expect(r.get('base_SdssShape_flag')).toBe(true);
    expect(r.get('base_SdssShape_flag_unweightedBad')).toBe(true);
    expect(Number.isNaN(r.getIxx())).toBe(true);
  });
});
