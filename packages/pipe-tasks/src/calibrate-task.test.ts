// CalibrateTask's names, config defaults and connections (the calibration itself is tested on a
// synthetic exposure in test/calibrate.test.ts), and the deblending of a blend added to that scene.
import { SingleGaussianPsf, type Exposure } from '@skystack/afw-image';
import { SubtractBackgroundTask } from '@skystack/meas-algorithms';
import { describe, expect, it } from 'vitest';
import { TRUTH_PSF, isolatedStar, makeScene, type TruthObject } from '../test/single-frame-scene.js';
import { CalibrateConfig, CalibrateTask } from './calibrate-task.js';

describe('CalibrateTask', () => {
  it('has LSST names, connections and defaults', () => {
    expect(CalibrateTask._DefaultName).toBe('calibrate');
    const config = new CalibrateConfig();
    expect(config.connections.astromRefCat).toBe('gaia_dr2_20200414');
    expect(config.connections.photoRefCat).toBe('ps1_pv3_3pi_20170110');
    expect(config.postCalibrationMeasurement.plugins.names).toEqual(['base_LocalPhotoCalib', 'base_LocalWcs']);
    expect(config.postCalibrationMeasurement.doReplaceWithNoise).toBe(false);
    const connections = new CalibrateTask({ config }).makeConnections();
    expect([...connections.inputs].sort()).toEqual(['background', 'exposure', 'icSourceCat']);
    expect([...connections.prerequisiteInputs].sort()).toEqual(['astromRefCat', 'photoRefCat']);
    expect([...connections.outputs].sort()).toEqual(['matches', 'matchesDenormalized', 'outputBackground', 'outputCat', 'outputExposure']);
    const astrom = connections.get('astromRefCat') as unknown as { deferLoad: boolean; multiple: boolean; dimensions: readonly string[]; storageClass: string };
    expect(astrom.deferLoad).toBe(true);
    expect(astrom.multiple).toBe(true);
    expect([...astrom.dimensions]).toEqual(['htm7']);
    expect(astrom.storageClass).toBe('SimpleCatalog');
    const off = new CalibrateConfig();
    off.doPhotoCal = false;
    off.doWriteMatchesDenormalized = false;
    const c2 = new CalibrateTask({ config: off }).makeConnections();
    expect([...c2.prerequisiteInputs]).toEqual(['astromRefCat']);
    expect([...c2.outputs].sort()).toEqual(['matches', 'outputBackground', 'outputCat', 'outputExposure']);
  });

});

describe('CalibrateTask deblending (doDeblend, LSST default true)', () => {
  /** The calibrate scene with a companion star added 9 px (≈ 2.3 FWHM) from a bright isolated star. */
  function blendedScene(): { exposure: Exposure; star: TruthObject; companion: TruthObject } {
    const scene = makeScene({ width: 320, height: 320, nGalaxies: 0, nCosmicRays: 0, seed: 17 });
    const candidates = scene.stars.map((_, k) => k).filter((k) => isolatedStar(scene, k, 25) && scene.stars[k]!.x > 40 && scene.stars[k]!.x < 260 && scene.stars[k]!.y > 40 && scene.stars[k]!.y < 280);
    const k = candidates.reduce((a, b) => (scene.stars[b]!.flux > scene.stars[a]!.flux ? b : a));
    const star = scene.stars[k]!;
    const companion: TruthObject = { ...star, x: star.x + 9, y: star.y + 1.5, flux: star.flux * 0.6 };
    const exposure = scene.exposure.clone();
    const { data, width } = exposure.image.array;
    const det = TRUTH_PSF.ixx * TRUTH_PSF.iyy - TRUTH_PSF.ixy ** 2;
    const norm = companion.flux / (2 * Math.PI * Math.sqrt(det));
    for (let y = Math.floor(companion.y) - 15; y <= Math.floor(companion.y) + 15; y++) {
      for (let x = Math.floor(companion.x) - 15; x <= Math.floor(companion.x) + 15; x++) {
        const dx = x - companion.x;
        const dy = y - companion.y;
        data[y * width + x] = data[y * width + x]! + norm * Math.exp(-0.5 * ((TRUTH_PSF.iyy * dx * dx - 2 * TRUTH_PSF.ixy * dx * dy + TRUTH_PSF.ixx * dy * dy) / det));
      }
    }
    exposure.setPsf(new SingleGaussianPsf(25, 25, Math.pow(det, 0.25)));
    new SubtractBackgroundTask().run(exposure);
    return { exposure, star, companion };
  }

  function config(doDeblend: boolean): CalibrateConfig {
    const c = new CalibrateConfig();
    c.doAstrometry = false;
    c.doPhotoCal = false;
    c.doApCorr = false;
    c.doDeblend = doDeblend;
    return c;
  }

  it('splits a blend of two stars into two children with parent ids, measured at the stars with their flux ratio', async () => {
    expect(new CalibrateConfig().doDeblend).toBe(true);
    const { exposure, star, companion } = blendedScene();
    const task = new CalibrateTask({ config: config(true) });
    expect(task.deblend).toBeDefined();
    const cat = (await task.run({ exposure, exposureId: 7 })).getDict().outputCat;
    const parents = Array.from({ length: cat.length }, (_, i) => cat.get(i)).filter((r) => r.getParent() === 0n && r.getFootprint()?.contains(Math.round(star.x), Math.round(star.y)));
    expect(parents.length).toBe(1);
    const parent = parents[0]!;
    expect(parent.get('deblend_nChild')).toBe(2);
    expect(parent.getFootprint()!.contains(Math.round(companion.x), Math.round(companion.y))).toBe(true);
    const kids = Array.from({ length: cat.length }, (_, i) => cat.get(i)).filter((r) => r.getParent() === parent.getId());
    expect(kids.length).toBe(2);
    const flux = (o: TruthObject): number => {
      const kid = kids.find((r) => Math.hypot(r.getX() - o.x, r.getY() - o.y) < 0.5);
      expect(kid).toBeDefined();
      expect(kid!.getFootprint()!.isHeavy()).toBe(true);
      return kid!.getPsfInstFlux();
    };
    const ratio = flux(companion) / flux(star);
    expect(Math.abs(ratio / 0.6 - 1)).toBeLessThan(0.05);
  }, 60_000);

  it('makes no children with doDeblend false', async () => {
    const { exposure } = blendedScene();
    const task = new CalibrateTask({ config: config(false) });
    expect(task.deblend).toBeUndefined();
    const cat = (await task.run({ exposure, exposureId: 7 })).getDict().outputCat;
    expect((cat.getColumn('parent') as BigInt64Array).every((p) => p === 0n)).toBe(true);
    expect(cat.schema.contains('deblend_nChild')).toBe(false);
  }, 60_000);
});
