import { SourceCatalog } from '@skystack/afw-table';
import { describe, expect, it } from 'vitest';
import { circularFootprint, fillCatalog, makeExposure, type Star } from '../../test/synthetic.js';
import { SingleFrameMeasurementConfig, SingleFrameMeasurementTask } from '../single-frame-measurement-task.js';

function flagsTask(withCentroid = true): SingleFrameMeasurementTask {
  const config = new SingleFrameMeasurementConfig();
  config.plugins.names = withCentroid ? ['base_SdssCentroid', 'base_PixelFlags'] : ['base_PixelFlags'];
  if (!withCentroid) config.slots.centroid = null;
  config.doReplaceWithNoise = false;
  return new SingleFrameMeasurementTask({ config });
}

describe('base_PixelFlags', () => {
  const stars: Star[] = [
    { flux: 1e4, sigma: 2, x: 20, y: 20 },
    { flux: 1e4, sigma: 2, x: 60, y: 20 },
    { flux: 1e4, sigma: 2, x: 20, y: 60 },
    { flux: 1e4, sigma: 2, x: 60, y: 60 },
  ];

  it('sets footprint and 3×3-centre flags from the mask planes', () => {
    const exposure = makeExposure(stars, { width: 80, height: 80 });
    const mask = exposure.mask;
    const bit = (p: string): number => mask.getPlaneBitMask(p);
    // star 0: a saturated pixel in the footprint, 4 px from the centre
    mask.set(24, 20, bit('SAT'));
    // star 1: the whole 3x3 centre interpolated, one CR pixel at the centre
    for (let y = 19; y <= 21; y++) for (let x = 59; x <= 61; x++) mask.set(x, y, bit('INTRP'));
    mask.set(60, 20, bit('INTRP') | bit('CR'));
    // star 2: NO_DATA and BAD at the footprint's rim, SUSPECT next to the centre
    mask.set(20, 66, bit('NO_DATA') | bit('BAD'));
    mask.set(21, 61, bit('SUSPECT'));
    const task = flagsTask();
    const cat = new SourceCatalog(task.schema);
    fillCatalog(cat, stars, 6);
    task.run(cat, exposure);
    const f = (i: number, name: string): boolean => cat.get(i).get(`base_PixelFlags_flag_${name}`) as boolean;
    expect(f(0, 'saturated')).toBe(true);
    expect(f(0, 'saturatedCenter')).toBe(false);
    expect(f(1, 'interpolated')).toBe(true);
    expect(f(1, 'interpolatedCenter')).toBe(true);
    expect(f(1, 'interpolatedCenterAll')).toBe(true);
    expect(f(1, 'cr')).toBe(true);
    expect(f(1, 'crCenter')).toBe(true);
    expect(f(1, 'crCenterAll')).toBe(false);
    expect(f(2, 'edge')).toBe(true);
    expect(f(2, 'nodata')).toBe(true);
    expect(f(1, 'nodata')).toBe(false);
    expect(f(2, 'bad')).toBe(true);
    expect(f(2, 'badCenter')).toBe(false);
    expect(f(2, 'suspect')).toBe(true);
    expect(f(2, 'suspectCenter')).toBe(true);
    for (const name of ['saturated', 'interpolated', 'cr', 'edge', 'nodata', 'bad', 'suspect', 'offimage']) expect(f(3, name)).toBe(false);
    expect(cat.get(3).get('base_PixelFlags_flag')).toBe(false);
  });

  it('uses the peak when there is no centroid slot (general flag) and flags centres off the image', () => {
    const exposure = makeExposure([], { width: 80, height: 80 });
    const task = flagsTask(false);
    const cat = new SourceCatalog(task.schema);
    const rec = cat.addNew();
    rec.set('id', 1n);
    const fp = circularFootprint(82, 40, 4);
    rec.setFootprint(fp);
    task.run(cat, exposure);
    expect(cat.get(0).get('base_PixelFlags_flag')).toBe(true);
    expect(cat.get(0).get('base_PixelFlags_flag_offimage')).toBe(true);
    expect(cat.get(0).get('base_PixelFlags_flag_edge')).toBe(true);
  });
});
