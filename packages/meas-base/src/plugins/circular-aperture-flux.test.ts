import { SourceCatalog } from '@skystack/afw-table';
import { describe, expect, it } from 'vitest';
import { fillCatalog, makeExposure, makeRandom, type Star } from '../../test/synthetic.js';
import { SingleFrameMeasurementConfig, SingleFrameMeasurementTask } from '../single-frame-measurement-task.js';
import { apertureFieldPrefix, type CircularApertureFluxConfig } from './circular-aperture-flux.js';

function apertureTask(radii?: number[]): SingleFrameMeasurementTask {
  const config = new SingleFrameMeasurementConfig();
  config.plugins.names = ['base_SdssCentroid', 'base_CircularApertureFlux'];
  if (radii !== undefined) (config.plugins.get('base_CircularApertureFlux') as CircularApertureFluxConfig).radii = radii;
  config.doReplaceWithNoise = false;
  return new SingleFrameMeasurementTask({ config });
}

describe('base_CircularApertureFlux', () => {
  it("names its fields as meas_base does and defines the 12-pixel aperture as the ApFlux and CalibFlux slots", () => {
    expect(apertureFieldPrefix('base_CircularApertureFlux', 3)).toBe('base_CircularApertureFlux_3_0');
    expect(apertureFieldPrefix('base_CircularApertureFlux', 4.5)).toBe('base_CircularApertureFlux_4_5');
    const task = apertureTask();
    const names = task.schema.getNames();
    for (const r of ['3_0', '4_5', '6_0', '9_0', '12_0', '17_0', '25_0', '35_0', '50_0', '70_0']) {
      for (const s of ['instFlux', 'instFluxErr', 'flag', 'flag_apertureTruncated', 'flag_sincCoeffsTruncated']) expect(names).toContain(`base_CircularApertureFlux_${r}_${s}`);
    }
    expect(task.schema.find('slot_ApFlux_instFlux').name).toBe('base_CircularApertureFlux_12_0_instFlux');
    expect(task.schema.find('slot_CalibFlux_instFlux').name).toBe('base_CircularApertureFlux_12_0_instFlux');
    expect(task.schema.find('base_CircularApertureFlux_12_0_instFlux').units).toBe('count');
  });

  it('measures the analytic enclosed flux flux·(1 − exp(−r²/2σ²)) of noise-free pixel-integrated Gaussians', () => {
    const u = makeRandom(4);
    const sigma = 2;
    const stars: Star[] = Array.from({ length: 9 }, (_, k) => ({ flux: 5e4, sigma, x: 60 * ((k % 3) + 1) + u() - 0.5, y: 60 * (Math.floor(k / 3) + 1) + u() - 0.5 }));
    const exposure = makeExposure(stars, { width: 240, height: 240, integrated: true });
    const radii = [3, 4.5, 6, 9, 12, 17, 25];
    const task = apertureTask(radii);
    const cat = new SourceCatalog(task.schema);
    fillCatalog(cat, stars, 10);
    task.run(cat, exposure);
    stars.forEach((s, i) => {
      for (const r of radii) {
        const truth = s.flux * (1 - Math.exp((-r * r) / (2 * sigma * sigma)));
        const got = cat.get(i).getNumber(`${apertureFieldPrefix('base_CircularApertureFlux', r)}_instFlux`);
        // r = 1.5σ keeps a −0.15 % curvature bias of the pixel-area weighting (see the README)
        expect(Math.abs(got / truth - 1)).toBeLessThan(r === 3 ? 3e-3 : 1e-3);
      }
    });
  });

  it('reports the error from the variance plane: √(Σ w² v)', () => {
    const stars: Star[] = [{ flux: 1e4, sigma: 2, x: 50.3, y: 50.7 }];
    const exposure = makeExposure(stars, { width: 100, height: 100, noiseSigma: 3, seed: 2 });
    const task = apertureTask([25]);
    const cat = new SourceCatalog(task.schema);
    fillCatalog(cat, stars);
    task.run(cat, exposure);
    // r = 25 > maxSincRadius: whole pixels with their centre inside, about πr² of them.
    const err = cat.get(0).getNumber('base_CircularApertureFlux_25_0_instFluxErr');
    expect((err * err) / 9 / (Math.PI * 625)).toBeCloseTo(1, 2);
  });

  it('flags apertures cut by the image edge', () => {
    const stars: Star[] = [{ flux: 1e4, sigma: 2, x: 20.2, y: 30.1 }];
    const exposure = makeExposure(stars, { width: 60, height: 60 });
    const task = apertureTask([6, 12, 25]);
    const cat = new SourceCatalog(task.schema);
    fillCatalog(cat, stars);
    task.run(cat, exposure);
    const r = cat.get(0);
    expect(r.get('base_CircularApertureFlux_6_0_flag')).toBe(false);
    expect(r.get('base_CircularApertureFlux_12_0_flag_apertureTruncated')).toBe(false);
    expect(r.get('base_CircularApertureFlux_25_0_flag_apertureTruncated')).toBe(true);
    expect(r.get('base_CircularApertureFlux_25_0_flag')).toBe(true);
    expect(r.get('base_CircularApertureFlux_25_0_flag_sincCoeffsTruncated')).toBe(false);
  });
});
