import { describe, expect, it } from 'vitest';
import { makeRandom, makeScene, SPURIOUS_ID_OFFSET, wcsRmsDifferenceMas, type Scene } from '../test/synthetic.js';
import { MeasAstromFitError } from './errors.js';
import { FitTanSipWcsConfig, FitTanSipWcsTask } from './fit-tan-sip-wcs-task.js';
import type { ReferenceMatch } from './matches.js';
import { Angle } from '@skystack/geom';

/** The true matches of a scene (source id = reference id). */
function trueMatches(scene: Scene): ReferenceMatch[] {
  const refRow = new Map<bigint, number>();
  (scene.refCat.getColumn('id') as BigInt64Array).forEach((id, i) => refRow.set(id, i));
  const out: ReferenceMatch[] = [];
  for (const src of scene.sourceCat) {
    const id = src.getId();
    if (id >= SPURIOUS_ID_OFFSET) continue;
    out.push({ first: scene.refCat.get(refRow.get(id)!), second: src, distance: Angle.ZERO });
  }
  return out;
}

describe('FitTanSipWcsTask', () => {
  it('reproduces the truth WCS to well under centroid noise x plate scale (0.02 px at 0.2"/px, 300 stars)', () => {
    const scene = makeScene({ seed: 21, fracSpuriousSources: 0 });
    const matches = trueMatches(scene);
    expect(matches.length).toBe(300);
    const { wcs, scatterOnSky, rejected } = new FitTanSipWcsTask().fitWcs(matches, scene.initialWcs, { refCat: undefined, sourceCat: scene.sourceCat });
    // 0.02 px x 0.2" = 4 mas per axis; the fit of 12 parameters from 300 stars averages it down.
    const rms = wcsRmsDifferenceMas(wcs, scene.truthWcs, scene.bbox);
    expect(rms).toBeLessThan(2);
    // The scatter is the per-star noise: median of a 2-d Rayleigh with sigma 4 mas is ~4.7 mas.
    expect(scatterOnSky.asMilliarcseconds()).toBeGreaterThan(3);
    expect(scatterOnSky.asMilliarcseconds()).toBeLessThan(6.5);
    expect(rejected.reduce((s, r) => s + r, 0)).toBeLessThan(6);
    // Source coordinates were updated with the fitted WCS; the distances too.
    const src = scene.sourceCat.get(0);
    expect(src.getCoord().separation(wcs.pixelToSky(src.getX(), src.getY())).asMilliarcseconds()).toBeLessThan(1e-6);
    expect(matches[0]!.distance.asMilliarcseconds()).toBeGreaterThan(0);
  });

  it('fits a cubic distortion with order 3', () => {
    const scene = makeScene({ seed: 22, fracSpuriousSources: 0 });
    const config = new FitTanSipWcsConfig();
    config.order = 3;
    const { wcs } = new FitTanSipWcsTask({ config }).fitWcs(trueMatches(scene), scene.initialWcs);
    expect(wcsRmsDifferenceMas(wcs, scene.truthWcs, scene.bbox)).toBeLessThan(3);
  });

  it('rejects injected outliers (and without rejection the fit is visibly worse)', () => {
    const scene = makeScene({ seed: 23, fracSpuriousSources: 0 });
    const matches = trueMatches(scene);
    const { uniform } = makeRandom(99);
    const outliers = new Set<number>();
    const x = scene.sourceCat.getColumn('base_SdssCentroid_x') as Float64Array;
    const y = scene.sourceCat.getColumn('base_SdssCentroid_y') as Float64Array;
    while (outliers.size < 15) outliers.add(Math.floor(uniform() * matches.length));
    for (const k of outliers) {
      const i = matches[k]!.second.index;
      const r = 3 + 2 * uniform();
      const a = 2 * Math.PI * uniform();
      x[i] = x[i]! + r * Math.cos(a);
      y[i] = y[i]! + r * Math.sin(a);
    }
    const { wcs, rejected } = new FitTanSipWcsTask().fitWcs(matches, scene.initialWcs);
    for (const k of outliers) expect(rejected[k]).toBe(1);
    expect(rejected.reduce((s, r) => s + r, 0)).toBeLessThan(outliers.size + 5);
    expect(wcsRmsDifferenceMas(wcs, scene.truthWcs, scene.bbox)).toBeLessThan(2.5);
    const config = new FitTanSipWcsConfig();
    config.numRejIter = 0;
    const noRej = new FitTanSipWcsTask({ config }).fitWcs(matches, scene.initialWcs);
    expect(wcsRmsDifferenceMas(noRej.wcs, scene.truthWcs, scene.bbox)).toBeGreaterThan(5);
  });

  it('refuses too few matches and catastrophic scatter', () => {
    const scene = makeScene({ seed: 24, fracSpuriousSources: 0 });
    const matches = trueMatches(scene);
    expect(() => new FitTanSipWcsTask().fitWcs(matches.slice(0, 5), scene.initialWcs)).toThrow(/needs at least 6 matches; got 5/);
    // Shuffled pairs: every source matched to the wrong reference.
    const wrong = matches.map((m, k) => ({ first: matches[(k + 37) % matches.length]!.first, second: m.second, distance: m.distance }));
    const config = new FitTanSipWcsConfig();
    config.numRejIter = 0;
    expect(() => new FitTanSipWcsTask({ config }).fitWcs(wrong, scene.initialWcs)).toThrow(MeasAstromFitError);
  });
});
