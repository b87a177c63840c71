import { SourceCatalog } from '@skystack/afw-table';
import { describe, expect, it } from 'vitest';
import { fillCatalog, makeExposure, makeRandom, meanStd, type Star } from '../../test/synthetic.js';
import { SingleFrameMeasurementConfig, SingleFrameMeasurementTask } from '../single-frame-measurement-task.js';

function centroidTask(): SingleFrameMeasurementTask {
  const config = new SingleFrameMeasurementConfig();
  config.plugins.names = ['base_SdssCentroid'];
  config.doReplaceWithNoise = false;
  return new SingleFrameMeasurementTask({ config });
}

function grid(n: number, spacing: number, flux: number, sigma: number, seed: number): Star[] {
  const u = makeRandom(seed);
  const stars: Star[] = [];
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) stars.push({ flux, sigma, x: spacing * (i + 1) + u() - 0.5, y: spacing * (j + 1) + u() - 0.5 });
  return stars;
}

describe('base_SdssCentroid', () => {
  it('keeps sky sources at their placed position, where other sources on blank sky move to a noise maximum', () => {
    const schema = SourceCatalog.makeMinimalSchema();
    schema.addField({ name: 'sky_source', type: 'Flag', doc: 'sky object' });
    const config = new SingleFrameMeasurementConfig();
    config.plugins.names = ['base_SdssCentroid'];
    config.doReplaceWithNoise = false;
    const task = new SingleFrameMeasurementTask({ schema, config });
    const blank = grid(6, 30, 0, 2, 5); // zero flux: pure noise at every position
    const exposure = makeExposure(blank, { width: 210, height: 210, noiseSigma: 5, seed: 9, integrated: true });
    const cat = new SourceCatalog(task.schema);
    fillCatalog(cat, blank);
    const sky = cat.getColumn('sky_source') as Uint8Array;
    for (let i = 0; i < cat.length; i += 2) sky[i] = 1;
    task.run(cat, exposure);
    const x = cat.getColumn('base_SdssCentroid_x') as Float64Array;
    const y = cat.getColumn('base_SdssCentroid_y') as Float64Array;
    const flag = cat.getColumn('base_SdssCentroid_flag') as Uint8Array;
    let moved = 0;
    for (let i = 0; i < cat.length; i++) {
      const peak = cat.get(i).getFootprint()!.getPeaks().get(0);
      const d = Math.hypot(x[i]! - peak.getFx(), y[i]! - peak.getFy());
      if (sky[i]) {
        expect(d).toBe(0);
        expect(flag[i]).toBe(0);
      } else if (d > 0.1) {
        moved++;
      }
    }
    expect(moved).toBeGreaterThan(5); // of 18: the estimator follows the smoothed noise
  });


  it('finds the centres of noise-free Gaussian stars to better than 0.01 px', () => {
    for (const integrated of [false, true]) {
      for (const sigma of [1.5, 2.5]) {
        const stars = grid(8, 30, 1e5, sigma, 7);
        const exposure = makeExposure(stars, { width: 270, height: 270, integrated });
        const task = centroidTask();
        const cat = new SourceCatalog(task.schema);
        fillCatalog(cat, stars);
        task.run(cat, exposure);
        const x = cat.getColumn('base_SdssCentroid_x') as Float64Array;
        const y = cat.getColumn('base_SdssCentroid_y') as Float64Array;
        const flag = cat.getColumn('base_SdssCentroid_flag') as Uint8Array;
        stars.forEach((s, i) => {
          expect(flag[i]).toBe(0);
          expect(Math.abs(x[i]! - s.x)).toBeLessThan(0.01);
          expect(Math.abs(y[i]! - s.y)).toBeLessThan(0.01);
        });
      }
    }
  });

  it('reports errors consistent with the scatter over noise realisations (pulls of width ~1)', () => {
    const pullsX: number[] = [];
    const pullsY: number[] = [];
    const errs: number[] = [];
    for (let seed = 1; seed <= 3; seed++) {
      const stars = grid(12, 32, 4000, 2, seed + 100);
      const exposure = makeExposure(stars, { width: 420, height: 420, noiseSigma: 5, seed, integrated: true });
      const task = centroidTask();
      const cat = new SourceCatalog(task.schema);
      fillCatalog(cat, stars);
      task.run(cat, exposure);
      const x = cat.getColumn('base_SdssCentroid_x') as Float64Array;
      const y = cat.getColumn('base_SdssCentroid_y') as Float64Array;
      const xe = cat.getColumn('base_SdssCentroid_xErr') as Float64Array;
      const ye = cat.getColumn('base_SdssCentroid_yErr') as Float64Array;
      stars.forEach((s, i) => {
        pullsX.push((x[i]! - s.x) / xe[i]!);
        pullsY.push((y[i]! - s.y) / ye[i]!);
        errs.push(xe[i]!);
      });
    }
    const [mx, sx] = meanStd(pullsX);
    const [my, sy] = meanStd(pullsY);
    // 432 pulls: the width is known to ~3.5 %, the mean to ~0.05.
    expect(Math.abs(mx)).toBeLessThan(0.2);
    expect(Math.abs(my)).toBeLessThan(0.2);
    expect(sx).toBeGreaterThan(0.85);
    expect(sx).toBeLessThan(1.15);
    expect(sy).toBeGreaterThan(0.85);
    expect(sy).toBeLessThan(1.15);
    // The analytic Cramér–Rao bound for a Gaussian in white noise is sqrt(8π) σ² noise / flux ≈ 0.025 px;
    // the smoothed-peak estimator is within a few tens of percent of it.
    const [meanErr] = meanStd(errs);
    const crb = (Math.sqrt(8 * Math.PI) * 4 * 5) / 4000;
    expect(meanErr).toBeGreaterThan(crb);
    expect(meanErr).toBeLessThan(1.6 * crb);
  });

  it('falls back to the peak with flag_edge near the edge', () => {
    const stars: Star[] = [
      { flux: 1e4, sigma: 2, x: 2.2, y: 40 },
      { flux: 1e4, sigma: 2, x: 40.3, y: 40.6 },
    ];
    const exposure = makeExposure(stars, { width: 80, height: 80 });
    const task = centroidTask();
    const cat = new SourceCatalog(task.schema);
    fillCatalog(cat, stars, 4);
    task.run(cat, exposure);
    const r0 = cat.get(0);
    expect(r0.get('base_SdssCentroid_flag')).toBe(true);
    expect(r0.get('base_SdssCentroid_flag_edge')).toBe(true);
    expect(r0.getX()).toBe(2);
    expect(r0.getY()).toBe(40);
    expect(cat.get(1).get('base_SdssCentroid_flag')).toBe(false);
    expect(cat.get(1).get('base_SdssCentroid_flag_edge')).toBe(false);
  });

  it('flags notAtMaximum for a hole', () => {
    const exposure = makeExposure([{ flux: -1e4, sigma: 2, x: 40, y: 40 }], { width: 80, height: 80 });
    const task = centroidTask();
    const cat = new SourceCatalog(task.schema);
    fillCatalog(cat, [{ flux: 1, sigma: 2, x: 40, y: 40 }], 4);
    task.run(cat, exposure);
    expect(cat.get(0).get('base_SdssCentroid_flag')).toBe(true);
    expect(cat.get(0).get('base_SdssCentroid_flag_notAtMaximum')).toBe(true);
    expect(cat.get(0).getX()).toBe(40);
  });
});
