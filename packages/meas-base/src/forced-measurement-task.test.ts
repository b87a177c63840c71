import { SourceCatalog } from '@skystack/afw-table';
import { Angle, Point2D, SpherePoint } from '@skystack/geom';
import { makeCdMatrix, makeSkyWcs } from '@skystack/wcs';
import { describe, expect, it } from 'vitest';
import { fillCatalog, makeExposure, makeRandom, type Star } from '../test/synthetic.js';
import { ForcedMeasurementTask } from './forced-measurement-task.js';
import { SingleFrameMeasurementTask } from './single-frame-measurement-task.js';

describe('ForcedMeasurementTask', () => {
  it('measures a second exposure at the reference positions carried through the WCSs', () => {
    const u = makeRandom(6);
    const ref: Star[] = Array.from({ length: 12 }, (_, k) => ({ flux: 3e4, sigma: 2, x: 40 * ((k % 4) + 1) + u() - 0.5, y: 40 * (Math.floor(k / 4) + 1) + u() - 0.5 }));
    const crval = SpherePoint.fromDegrees(30, -10);
    const cd = makeCdMatrix(Angle.fromArcseconds(0.25));
    const refWcs = makeSkyWcs(new Point2D(100, 80), crval, cd);
    // the second exposure: the same sky shifted by (+7.4, -3.2) pixels, the stars half as bright
    const dx = 7.4;
    const dy = -3.2;
    const expWcs = makeSkyWcs(new Point2D(100 + dx, 80 + dy), crval, cd);
    const refExposure = makeExposure(ref, { width: 210, height: 170, noiseSigma: 1, seed: 1 });
    refExposure.setWcs(refWcs);
    const sfm = new SingleFrameMeasurementTask();
    const refCat = new SourceCatalog(sfm.schema);
    fillCatalog(refCat, ref);
    sfm.run(refCat, refExposure);

    const moved = ref.map((s) => ({ ...s, flux: s.flux / 2, x: s.x + dx, y: s.y + dy }));
    const exposure = makeExposure(moved, { width: 220, height: 170 });
    exposure.setWcs(expWcs);
    const task = new ForcedMeasurementTask();
    expect(task.schema.find('slot_Centroid_x').name).toBe('base_TransformedCentroid_x');
    expect(task.schema.getAliasMap().has('slot_Shape')).toBe(false);
    const measCat = task.generateMeasCat(exposure, refCat, refWcs);
    expect(measCat.length).toBe(refCat.length);
    task.run(measCat, exposure, refCat, refWcs);
    moved.forEach((s, i) => {
      const r = measCat.get(i);
      expect(r.getId()).toBe(refCat.get(i).getId());
      // the transformed position is the reference centroid moved by the WCS offset
      expect(r.getX()).toBeCloseTo(refCat.get(i).getX() + dx, 6);
      expect(r.getY()).toBeCloseTo(refCat.get(i).getY() + dy, 6);
      expect(Math.abs(r.getX() - s.x)).toBeLessThan(0.02);
      expect(r.get('base_TransformedCentroid_flag')).toBe(false);
      // noise-free exposure: the PSF fit at a position 0.02 px off is within 1e-3 of the true flux
      expect(Math.abs(r.getPsfInstFlux() / s.flux - 1)).toBeLessThan(1e-3);
      expect(r.get('base_PsfFlux_flag')).toBe(false);
      expect(Math.abs(r.getCalibInstFlux() / s.flux - 1)).toBeLessThan(1e-3);
      expect(measCat.getFootprint(i)!.contains(Math.round(s.x), Math.round(s.y))).toBe(true);
    });
  });
});
