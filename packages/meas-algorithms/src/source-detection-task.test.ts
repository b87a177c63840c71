/**
 * detectFootprints smooths into buffers reused from the previous detection of the same size:
 * the results must not depend on what those buffers held. Reference: the same image detected
 * right after a detection of another size (which forces fresh, zeroed buffers).
 */
import { describe, expect, it } from 'vitest';
import type { FootprintSet } from './footprint-set.js';
import { SourceDetectionTask } from './source-detection-task.js';
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
