/**
 * Sky objects: circles that touch no avoided mask pixel (checked pixel by pixel), do not overlap
 * each other, stay inside the image, are reproducible from the seed, and are added to a catalog
 * with the sky_source flag.
 */
import { describe, expect, it } from 'vitest';
import { Mask } from '@skystack/afw-image';
import { SourceCatalog, SpanSet } from '@skystack/afw-table';
import { Extent2I, Point2I } from '@skystack/geom';
import { SkyObjectsConfig, SkyObjectsTask, generateSkyObjects, spanSetFromMask } from './sky-objects-task.js';

function maskWithBlobs(): Mask {
  const mask = Mask.make(new Extent2I(300, 200));
  mask.setXY0(new Point2I(10, 20));
  const detected = mask.getPlaneBitMask('DETECTED');
  const bad = mask.getPlaneBitMask('BAD');
  const { data } = mask.array;
  // Discs of DETECTED every 37 px and a BAD column.
  for (let y = 0; y < 200; y++) {
    for (let x = 0; x < 300; x++) {
      const dx = ((x + 18) % 37) - 18;
      const dy = ((y + 18) % 37) - 18;
      if (dx * dx + dy * dy <= 36) data[y * 300 + x] = data[y * 300 + x]! | detected;
      if (x === 150) data[y * 300 + x] = data[y * 300 + x]! | bad;
    }
  }
  return mask;
}

describe('spanSetFromMask', () => {
  it('holds exactly the pixels with any of the bits', () => {
    const mask = maskWithBlobs();
    const bits = mask.getPlaneBitMask(['BAD']);
    const spans = spanSetFromMask(mask, bits);
    expect(spans.getArea()).toBe(200);
    expect(spans.contains(160, 20)).toBe(true);
    expect(spans.contains(161, 20)).toBe(false);
  });
});

describe('SkyObjectsTask', () => {
  it('places non-overlapping sky objects away from avoided pixels, reproducibly', () => {
    const mask = maskWithBlobs();
    const config = new SkyObjectsConfig();
    config.nSources = 20;
    config.sourceRadius = 5;
    config.growMask = 2;
    const a = generateSkyObjects(mask, 42, config);
    expect(a.length).toBe(20);
    const avoid = mask.getPlaneBitMask(config.avoidMask);
    let all = new SpanSet();
    for (const fp of a) {
      expect(fp.getArea()).toBe(SpanSet.fromShape(5).getArea());
      // inside the image, and not within growMask of an avoided pixel
      fp.getSpans().dilated(2).forEachPixel((x, y) => {
        const lx = x - 10;
        const ly = y - 20;
        expect(lx >= 0 && ly >= 0 && lx < 300 && ly < 200).toBe(true);
        expect(mask.array.data[ly * 300 + lx]! & avoid).toBe(0);
      });
      expect(all.overlaps(fp.getSpans())).toBe(false);
      all = all.union(fp.getSpans());
      const p = fp.getPeaks().get(0);
      expect(fp.getSpans().getBBox().getCenter().getX()).toBeCloseTo(p.getFx(), 6);
    }
    const again = generateSkyObjects(mask, 42, config);
    expect(again.map((f) => f.getPeaks().get(0).getIx())).toEqual(a.map((f) => f.getPeaks().get(0).getIx()));
    const other = generateSkyObjects(mask, 43, config);
    expect(other.map((f) => f.getPeaks().get(0).getIx())).not.toEqual(a.map((f) => f.getPeaks().get(0).getIx()));
  });

  it('returns fewer objects when there is no room, and adds sky_source records to a catalog', () => {
    const mask = Mask.make(new Extent2I(60, 60));
    const schema = SourceCatalog.makeMinimalSchema();
    const config = new SkyObjectsConfig();
    config.nSources = 50;
    config.sourceRadius = 8;
    const task = new SkyObjectsTask({ config, schema });
    const catalog = new SourceCatalog(schema);
    const fps = task.run(mask, 1, catalog);
    expect(fps.length).toBeGreaterThan(0);
    expect(fps.length).toBeLessThan(50);
    expect(catalog.length).toBe(fps.length);
    expect(catalog.get(0).get('sky_source')).toBe(true);
    expect(task.metadata.get('sky_footprint_count')).toBe(fps.length);
    mask.array.data.fill(mask.getPlaneBitMask('NO_DATA'));
    expect(generateSkyObjects(mask, 1, config)).toEqual([]);
  });
});
