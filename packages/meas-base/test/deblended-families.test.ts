// Parents and deblended children: each child is measured on its own HeavyFootprint pixels with
// everything else (its parent and siblings included) replaced by noise.
import { Exposure, type ExposureF } from '@skystack/afw-image';
import { Footprint, SourceCatalog, SpanSet, heavyFootprintFromArrays } from '@skystack/afw-table';
import { Extent2I } from '@skystack/geom';
import { describe, expect, it } from 'vitest';
import { SingleFrameMeasurementConfig, SingleFrameMeasurementTask } from '../src/single-frame-measurement-task.js';
import { addStar, makeExposure, type Star } from './synthetic.js';

describe('deblended families', () => {
  it('measures each child on its own heavy-footprint pixels, and the parent on the blend', () => {
    const a: Star = { flux: 1e4, sigma: 2, x: 50.2, y: 50.1 };
    const b: Star = { flux: 2e4, sigma: 2, x: 57.3, y: 50.4 };
    const exposure = makeExposure([a, b], { width: 110, height: 100 });
    const before = Float32Array.from(exposure.image.array.data);
    const spans = SpanSet.fromShape(14, 'circle', 54, 50);
    const parentFp = new Footprint(spans);
    parentFp.addPeak(57, 50, 2);
    parentFp.addPeak(50, 50, 1);
    // the deblender's answer: each child's own pixels over the parent's spans
    const childPixels = (star: Star): Float32Array => {
      const alone = Exposure.make('float32', new Extent2I(110, 100)) as ExposureF;
      addStar(alone, star, false);
      return Float32Array.from(spans.flatten(alone.image.array, alone.image.getXY0()));
    };
    const child = (star: Star): Footprint => {
      const fp = new Footprint(spans);
      fp.addPeak(Math.round(star.x), Math.round(star.y), 1);
      const n = spans.getArea();
      return heavyFootprintFromArrays(fp, 'F', childPixels(star), new Int32Array(n), new Float32Array(n).fill(1), 'test child');
    };
    const config = new SingleFrameMeasurementConfig();
    config.plugins.names = ['base_SdssCentroid', 'base_PsfFlux', 'base_CircularApertureFlux'];
    const task = new SingleFrameMeasurementTask({ config });
    const cat = new SourceCatalog(task.schema);
    const parent = cat.addNew();
    parent.set('id', 1n);
    parent.setFootprint(parentFp);
    for (const [id, star] of [[2n, a], [3n, b]] as const) {
      const r = cat.addNew();
      r.set('id', id);
      r.set('parent', 1n);
      r.setFootprint(child(star));
    }
    task.run(cat, exposure);
    expect(exposure.image.array.data).toEqual(before);
    const [pa, ca, cb] = [cat.get(0), cat.get(1), cat.get(2)];
    expect(Math.abs(ca.getX() - a.x)).toBeLessThan(0.01);
    expect(Math.abs(cb.getX() - b.x)).toBeLessThan(0.01);
    expect(Math.abs(ca.getPsfInstFlux() / a.flux - 1)).toBeLessThan(2e-3);
    expect(Math.abs(cb.getPsfInstFlux() / b.flux - 1)).toBeLessThan(2e-3);
    // the parent, centred on the brighter peak, sees both stars in a 12-pixel aperture
    expect(Math.abs(pa.getApInstFlux() / (a.flux + b.flux) - 1)).toBeLessThan(0.01);
    expect(Math.abs(ca.getApInstFlux() / a.flux - 1)).toBeLessThan(0.01);
  });
});
