/**
 * detectFootprints smooths into buffers reused from the previous detection of the same size:
 * the results must not depend on what those buffers held. Reference: the same image detected
 * right after a detection of another size (which forces fresh, zeroed buffers).
 */
import { describe, expect, it } from 'vitest';
import type { FootprintSet } from './footprint-set.js';
import { Point2I } from '@skystack/geom';
import { SourceDetectionConfig, SourceDetectionTask } from './source-detection-task.js';
import { gridStars, makeScene, type SceneOptions } from '../test/synthetic.js';

function summary(set: FootprintSet | undefined): string[] {
  const out: string[] = [];
  for (const fp of set ?? []) {
    const s = fp.getSpans();
    const p = fp.getPeaks();
    const peaks: string[] = [];
    for (let i = 0; i < p.length; i++) peaks.push(`${p.get(i).getIx()},${p.get(i).getIy()},${p.get(i).getPeakValue()}`);
    out.push(`${Array.from(s.ys).join(',')}|${Array.from(s.x0s).join(',')}|${Array.from(s.x1s).join(',')}|${peaks.join(';')}`);
  }
  return out;
}

describe('SourceDetectionTask buffer reuse', () => {
  const scene = (seed: number, width: number, brighter: number): SceneOptions => ({
    width,
    height: 200,
    psfSigma: 2,
    noise: 10,
    seed,
    stars: gridStars(width, 200, 35, 20, (i) => brighter * (400 + 150 * (i % 7)), seed + 1),
  });

  it('gives the same footprints, peaks, masks and background whether the buffers are fresh or reused', () => {
    const run = (o: SceneOptions): { pos: string[]; neg: string[]; mask: Int32Array; image: Float32Array } => {
      const exposure = makeScene(o);
      const r = new SourceDetectionTask().detectFootprints(exposure, { sigma: 2 });
      return { pos: summary(r.positive), neg: summary(r.negative), mask: Int32Array.from(exposure.mask.array.data), image: Float32Array.from(exposure.image.array.data) };
    };
    run(scene(1, 190, 1)); // another size: the next detection gets fresh buffers
    const fresh = run(scene(2, 210, 1));
    run(scene(3, 210, 4)); // same size, different content: leaves its planes in the buffers
    const reused = run(scene(2, 210, 1));
    expect(fresh.pos.length).toBeGreaterThan(10);
    expect(reused.pos).toEqual(fresh.pos);
    expect(reused.neg).toEqual(fresh.neg);
    expect(reused.mask).toEqual(fresh.mask);
    expect(reused.image).toEqual(fresh.image);
  });
});

/**
 * With the default per-pixel threshold, detection evaluates the smoothed variance only where the
 * smoothed image can pass the threshold. Reference: the same detection with the full masked
 * convolution (forced by an excluded mask plane that no pixel has), which must give identical
 * footprints, peaks (values included), mask and background-subtracted image, for both
 * polarities, with a variance plane that varies (a hot tile, zeros, NaNs) and an xy0.
 */
describe('SourceDetectionTask smoothed variance evaluated only at candidate pixels', () => {
  it('gives exactly the results of the full convolution', () => {
    const run = (full: boolean): { pos: string[]; neg: string[]; mask: Int32Array; image: Float32Array } => {
      const o: SceneOptions = {
        width: 230,
        height: 190,
        psfSigma: 1.6,
        noise: 10,
        seed: 7,
        xy0: new Point2I(40, -25),
        stars: [...gridStars(230, 190, 30, 15, (i) => 300 + 120 * (i % 9), 8), { x: 40 + 100.3, y: -25 + 60.8, flux: -3000 }, { x: 40 + 180.1, y: -25 + 150.2, flux: -900 }],
      };
      const exposure = makeScene(o);
      const v = exposure.variance.array.data;
      for (let y = 0; y < 190; y++) {
        for (let x = 0; x < 230; x++) {
          const i = y * 230 + x;
          if (x >= 64 && x < 128 && y < 64) v[i] = 400 * (1 + (x % 5)); // a noisier tile
          if (x >= 150 && x < 170 && y >= 100 && y < 110) v[i] = 0; // zero variance
          if (i % 997 === 0) v[i] = NaN;
        }
      }
      const config = new SourceDetectionConfig();
      config.thresholdPolarity = 'both';
      if (full) config.excludeMaskPlanes = ['SAT'];
      const r = new SourceDetectionTask({ config }).detectFootprints(exposure, { sigma: 1.6 });
      return { pos: summary(r.positive), neg: summary(r.negative), mask: Int32Array.from(exposure.mask.array.data), image: Float32Array.from(exposure.image.array.data) };
    };
    // A detection of another image of the same size first, with a tiny variance so that nearly
    // every smoothed variance pixel is evaluated: its planes are reused by the next detection,
    // which must read none of those stale values.
    const stale = makeScene({ width: 230, height: 190, psfSigma: 1.6, noise: 10, seed: 8, stars: gridStars(230, 190, 30, 15, () => 500, 8) });
    stale.variance.array.data.fill(1e-3);
    const primed = new SourceDetectionConfig();
    primed.thresholdPolarity = 'both';
    primed.reEstimateBackground = false;
    primed.doTempLocalBackground = false;
    expect(new SourceDetectionTask({ config: primed }).detectFootprints(stale, { sigma: 1.6 }).numPos).toBeGreaterThan(0);
    const lazy = run(false);
    const full = run(true);
    expect(full.pos.length).toBeGreaterThan(20);
    expect(full.neg.length).toBeGreaterThan(0);
    expect(lazy.pos).toEqual(full.pos);
    expect(lazy.neg).toEqual(full.neg);
    expect(lazy.mask).toEqual(full.mask);
    expect(lazy.image).toEqual(full.image);
  });
});

describe('SourceDetectionTask subclasses', () => {
  it('a subclass that thresholds lower (as dynamic detection does) sees the whole smoothed variance', () => {
    class LowerThreshold extends SourceDetectionTask {
      override applyThreshold(middle: Parameters<SourceDetectionTask['applyThreshold']>[0], bbox: Parameters<SourceDetectionTask['applyThreshold']>[1]): ReturnType<SourceDetectionTask['applyThreshold']> {
        return super.applyThreshold(middle, bbox, 0.5);
      }
    }
    const o: SceneOptions = { width: 180, height: 150, psfSigma: 1.6, noise: 10, seed: 21, stars: gridStars(180, 150, 30, 15, (i) => 60 + 40 * (i % 6), 22) };
    // (the temporary local background re-thresholds at the configured value: left out here)
    const subConfig = new SourceDetectionConfig();
    subConfig.doTempLocalBackground = false;
    const sub = new LowerThreshold({ config: subConfig }).detectFootprints(makeScene(o), { sigma: 1.6 });
    const config = new SourceDetectionConfig();
    config.doTempLocalBackground = false;
    config.thresholdValue = 2.5;
    config.excludeMaskPlanes = ['SAT']; // the full convolution
    const ref = new SourceDetectionTask({ config }).detectFootprints(makeScene(o), { sigma: 1.6 });
    expect(summary(ref.positive).length).toBeGreaterThan(summary(new SourceDetectionTask().detectFootprints(makeScene(o), { sigma: 1.6 }).positive).length);
    expect(summary(sub.positive)).toEqual(summary(ref.positive));
  });
});
