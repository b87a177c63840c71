import { SourceCatalog } from '@skystack/afw-table';
import { Angle, Point2D, SpherePoint } from '@skystack/geom';
import { makeCdMatrix, makeSkyWcs } from '@skystack/wcs';
import { describe, expect, it } from 'vitest';
import { circularFootprint, fillCatalog, makeExposure, makeRandom, type Star } from '../test/synthetic.js';
import { FatalAlgorithmError, MeasBaseInvalidArgumentError, MeasurementError } from './errors.js';
import { ExecutionOrder, MeasurementPluginConfig, type MeasurementContext, type MeasurementPluginOptions } from './measurement-plugin.js';
import { BasePlugin } from './base-plugin.js';
import { singleFramePluginRegistry } from './plugin-registry.js';
import { DEFAULT_SINGLE_FRAME_PLUGINS, SingleFrameMeasurementConfig, SingleFrameMeasurementTask } from './single-frame-measurement-task.js';

/** Fails with a MeasurementError ('flag_odd') on odd rows and an unexpected TypeError on rows divisible by 4. */
class FlakyPlugin extends BasePlugin {
  static readonly ConfigClass = MeasurementPluginConfig;
  static readonly executionOrder = ExecutionOrder.FLUX_ORDER;
  constructor(options: MeasurementPluginOptions) {
    super(options, ExecutionOrder.FLUX_ORDER, [{ name: 'flag_odd', doc: 'odd row' }]);
    this.addField('value', 'D', 'a value');
  }
  measure(index: number, _ctx: MeasurementContext): void {
    if (index % 2 === 1) throw new MeasurementError('odd row', 'flag_odd');
    if (index % 4 === 0) throw new TypeError('unexpected');
    this.column('value')[index] = index;
  }
}
singleFramePluginRegistry.register('test_Flaky', FlakyPlugin);

function stars(n: number, seed: number): Star[] {
  const u = makeRandom(seed);
  return Array.from({ length: n }, (_, k) => ({ flux: 2e4, sigma: 2, x: 40 * ((k % 5) + 1) + u() - 0.5, y: 40 * (Math.floor(k / 5) + 1) + u() - 0.5 }));
}

describe('SingleFrameMeasurementTask', () => {
  it('adds the default plugins’ fields and the meas_base slots, and orders plugins by execution order', () => {
    const task = new SingleFrameMeasurementTask({ schema: SourceCatalog.makeMinimalSchema() });
    expect(task.getName()).toBe('measurement');
    expect(task.config.plugins.names).toEqual([...DEFAULT_SINGLE_FRAME_PLUGINS]);
    expect(task.plugins.map((p) => p.name)).toEqual([
      'base_SdssCentroid',
      'base_SdssShape',
      'base_SkyCoord',
      'base_PixelFlags',
      'base_GaussianFlux',
      'base_PsfFlux',
      'base_CircularApertureFlux',
    ]);
    const s = task.schema;
    for (const name of [
      'base_SdssCentroid_x', 'base_SdssCentroid_yErr', 'base_SdssCentroid_flag_edge', 'base_SdssCentroid_flag_noSecondDerivative',
      'base_SdssCentroid_flag_almostNoSecondDerivative', 'base_SdssCentroid_flag_notAtMaximum', 'base_SdssCentroid_flag_resetToPeak',
      'base_SdssShape_xx', 'base_SdssShape_psf_xx', 'base_SdssShape_flag_unweighted', 'base_SdssShape_flag_maxIter', 'base_SdssShape_flag_shift',
      'base_PsfFlux_instFlux', 'base_PsfFlux_instFluxErr', 'base_PsfFlux_area', 'base_PsfFlux_chi2', 'base_PsfFlux_flag_noGoodPixels', 'base_PsfFlux_flag_edge',
      'base_GaussianFlux_instFlux', 'base_PixelFlags_flag_saturatedCenter', 'base_PixelFlags_flag_offimage', 'base_CircularApertureFlux_3_0_instFlux',
    ]) {
      expect(s.contains(name)).toBe(true);
    }
    expect(s.find('slot_Centroid_x').name).toBe('base_SdssCentroid_x');
    expect(s.find('slot_Shape_xx').name).toBe('base_SdssShape_xx');
    expect(s.find('slot_PsfShape_xx').name).toBe('base_SdssShape_psf_xx');
    expect(s.find('slot_PsfFlux_instFlux').name).toBe('base_PsfFlux_instFlux');
    expect(s.find('slot_GaussianFlux_instFlux').name).toBe('base_GaussianFlux_instFlux');
    expect(s.find('slot_ModelFlux_instFlux').name).toBe('base_GaussianFlux_instFlux');
    expect(s.find('base_PsfFlux_flag_badCentroid').name).toBe('base_SdssCentroid_flag');
    expect(s.find('base_GaussianFlux_flag_badShape').name).toBe('base_SdssShape_flag');
    expect(s.find('base_PsfFlux_instFlux').units).toBe('count');
    expect(s.find('base_SdssCentroid_x').units).toBe('pixel');
  });

  it('measures a catalog with every default plugin, sets coord_ra/dec from the WCS, and restores the image', () => {
    const list = stars(20, 1);
    const exposure = makeExposure(list, { width: 240, height: 200, noiseSigma: 2, seed: 4, integrated: true });
    const wcs = makeSkyWcs(new Point2D(120, 100), SpherePoint.fromDegrees(150, 2.2), makeCdMatrix(Angle.fromArcseconds(0.2)));
    exposure.setWcs(wcs);
    const before = Float32Array.from(exposure.image.array.data);
    const task = new SingleFrameMeasurementTask();
    const cat = new SourceCatalog(task.schema);
    fillCatalog(cat, list);
    task.run(cat, exposure, 123);
    expect(exposure.image.array.data).toEqual(before);
    expect(exposure.mask.planeDict.hasPlane('THISDET')).toBe(false);
    list.forEach((star, i) => {
      const r = cat.get(i);
      expect(Math.abs(r.getX() - star.x)).toBeLessThan(0.05);
      expect(r.getCentroidFlag()).toBe(false);
      expect(r.getShapeFlag()).toBe(false);
      expect(Math.abs(r.getPsfInstFlux() / star.flux - 1)).toBeLessThan(0.03); // the PSF is point-sampled, the stars pixel-integrated
      expect(Math.abs(r.getGaussianInstFlux() / star.flux - 1)).toBeLessThan(0.01);
      expect(Math.abs(r.getApInstFlux() / star.flux - 1)).toBeLessThan(0.01);
      const sky = wcs.pixelToSky(r.getX(), r.getY());
      expect(r.getRa().asRadians()).toBeCloseTo(sky.getRa().asRadians(), 14);
      expect(r.getDec().asRadians()).toBeCloseTo(sky.getDec().asRadians(), 14);
    });
  });

  it('replaces neighbours by noise: a faint star next to a bright one keeps its own aperture flux', () => {
    // The faint star's 12-pixel aperture reaches 6 px from a 1e7-count star whose footprint (12 px) does not touch the faint one's.
    const list: Star[] = [
      { flux: 1e7, sigma: 2, x: 50, y: 50 },
      { flux: 1e4, sigma: 2, x: 68.3, y: 50.4 },
    ];
    const run = (replace: boolean): number => {
      const exposure = makeExposure(list, { width: 120, height: 100, noiseSigma: 1, seed: 8, integrated: true });
      const config = new SingleFrameMeasurementConfig();
      config.doReplaceWithNoise = replace;
      const task = new SingleFrameMeasurementTask({ config });
      const cat = new SourceCatalog(task.schema);
      fillCatalog(cat, list);
      cat.get(0).setFootprint(circularFootprint(50, 50, 12));
      cat.get(1).setFootprint(circularFootprint(68.3, 50.4, 5));
      task.run(cat, exposure);
      return cat.get(1).getNumber('base_CircularApertureFlux_12_0_instFlux');
    };
    expect(Math.abs(run(true) / 1e4 - 1)).toBeLessThan(0.01);
    expect(run(false) / 1e4).toBeGreaterThan(1.03);
  });

  it('a failing plugin sets only its own flags; the other plugins and sources go on', () => {
    const list = stars(8, 2);
    const exposure = makeExposure(list, { width: 240, height: 120, noiseSigma: 1, seed: 1 });
    const config = new SingleFrameMeasurementConfig();
    config.plugins.names = ['base_SdssCentroid', 'test_Flaky', 'base_PsfFlux'];
    const task = new SingleFrameMeasurementTask({ config });
    const cat = new SourceCatalog(task.schema);
    fillCatalog(cat, list);
    task.run(cat, exposure);
    list.forEach((_, i) => {
      const r = cat.get(i);
      expect(r.get('test_Flaky_flag')).toBe(i % 2 === 1 || i % 4 === 0);
      expect(r.get('test_Flaky_flag_odd')).toBe(i % 2 === 1);
      expect(Number.isNaN(r.getNumber('test_Flaky_value'))).toBe(i % 2 === 1 || i % 4 === 0);
      expect(r.get('base_PsfFlux_flag')).toBe(false);
      expect(r.get('base_SdssCentroid_flag')).toBe(false);
      expect(Number.isFinite(r.getPsfInstFlux())).toBe(true);
    });
  });

  it('stops with FatalAlgorithmError without a PSF, and refuses catalogs of another schema or without footprints', () => {
    const list = stars(2, 3);
    const exposure = makeExposure(list, { width: 120, height: 80 });
    exposure.setPsf(null);
    const task = new SingleFrameMeasurementTask();
    const cat = new SourceCatalog(task.schema);
    fillCatalog(cat, list);
    expect(() => task.run(cat, exposure)).toThrow(FatalAlgorithmError);
    const other = new SourceCatalog(SourceCatalog.makeMinimalSchema());
    expect(() => task.run(other, exposure)).toThrow(MeasBaseInvalidArgumentError);
    const bare = new SourceCatalog(task.schema);
    bare.addNew().set('id', 1n);
    exposure.setPsf(makeExposure([], { width: 10, height: 10 }).getPsf());
    expect(() => task.run(bare, exposure)).toThrow(/has no footprint/);
  });
});
