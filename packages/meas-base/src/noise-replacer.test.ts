import { Exposure } from '@skystack/afw-image';
import { Footprint, SpanSet } from '@skystack/afw-table';
import { Extent2I } from '@skystack/geom';
import { describe, expect, it } from 'vitest';
import { circularFootprint, makeExposure, meanStd, type Star } from '../test/synthetic.js';
import { NoiseReplacer, NoiseReplacerConfig } from './noise-replacer.js';

function setup(): { exposure: ReturnType<typeof makeExposure>; footprints: Map<bigint, readonly [bigint, Footprint]>; stars: Star[] } {
  const stars: Star[] = [
    { flux: 5e4, sigma: 2, x: 30, y: 30 },
    { flux: 5e4, sigma: 2, x: 70, y: 30 },
    { flux: 5e4, sigma: 2, x: 30, y: 70 },
  ];
  const exposure = makeExposure(stars, { width: 100, height: 100, noiseSigma: 5, seed: 3 });
  exposure.image.addInPlace(100);
  const footprints = new Map<bigint, readonly [bigint, Footprint]>(stars.map((s, i) => [BigInt(i + 1), [0n, circularFootprint(s.x, s.y, 10)] as const]));
  return { exposure, footprints, stars };
}

describe('NoiseReplacer', () => {
  it('replaces every footprint by noise of the clipped image statistics and restores the image bit for bit', () => {
    const { exposure, footprints } = setup();
    const before = Float32Array.from(exposure.image.array.data);
    const maskBefore = Int32Array.from(exposure.mask.array.data);
    const planes = exposure.mask.getMaskPlaneDict();
    const replacer = new NoiseReplacer(new NoiseReplacerConfig(), exposure, footprints, { exposureId: 7 });
    expect(replacer.noiseGenMean).toBeCloseTo(100, 0);
    expect(Math.abs(replacer.noiseGenStd / 5 - 1)).toBeLessThan(0.05);
    const fp = footprints.get(1n)![1];
    const inside = fp.getSpans().flatten(exposure.image.array, exposure.image.getXY0());
    const [mean, std] = meanStd(inside);
    expect(Math.abs(mean - 100)).toBeLessThan(2);
    expect(Math.abs(std / 5 - 1)).toBeLessThan(0.2);
    const other = exposure.mask.getPlaneBitMask('OTHERDET');
    expect(exposure.mask.get(30, 30) & other).toBe(other);
    // insert one source: its pixels are the original ones, marked THISDET; the others stay noise
    replacer.insertSource(1n);
    const afterInsert = fp.getSpans().flatten(exposure.image.array, exposure.image.getXY0());
    const original = fp.getSpans().flatten({ data: before, width: 100, height: 100 }, exposure.image.getXY0());
    expect(Array.from(afterInsert)).toEqual(Array.from(original));
    expect(exposure.mask.get(30, 30) & exposure.mask.getPlaneBitMask('THISDET')).not.toBe(0);
    expect(exposure.image.get(70, 30)).not.toBe(before[30 * 100 + 70]);
    replacer.removeSource(1n);
    expect(Array.from(fp.getSpans().flatten(exposure.image.array, exposure.image.getXY0()))).toEqual(Array.from(inside));
    replacer.end();
    expect(exposure.image.array.data).toEqual(before);
    expect(exposure.mask.array.data).toEqual(maskBefore);
    expect(exposure.mask.getMaskPlaneDict()).toEqual(planes);
  });

  it('makes the same noise for the same exposure id and different noise for another', () => {
    const a = setup();
    const b = setup();
    const c = setup();
    new NoiseReplacer(new NoiseReplacerConfig(), a.exposure, a.footprints, { exposureId: 11 });
    new NoiseReplacer(new NoiseReplacerConfig(), b.exposure, b.footprints, { exposureId: 11 });
    new NoiseReplacer(new NoiseReplacerConfig(), c.exposure, c.footprints, { exposureId: 12 });
    expect(a.exposure.image.array.data).toEqual(b.exposure.image.array.data);
    expect(a.exposure.image.get(30, 30)).not.toBe(c.exposure.image.get(30, 30));
  });

  it("draws from each pixel's variance with noiseSource 'variance'", () => {
    const { exposure, footprints } = setup();
    exposure.variance.array.data.fill(400);
    const config = new NoiseReplacerConfig();
    config.noiseSource = 'variance';
    config.noiseOffset = 50;
    new NoiseReplacer(config, exposure, footprints);
    const values: number[] = [];
    for (const [, fp] of footprints.values()) values.push(...fp.getSpans().flatten(exposure.image.array, exposure.image.getXY0()));
    const [mean, std] = meanStd(values);
    expect(Math.abs(mean - 50)).toBeLessThan(2);
    expect(Math.abs(std / 20 - 1)).toBeLessThan(0.08);
  });

  it("uses the BGMEAN metadata with noiseSource 'meta'", () => {
    const { exposure, footprints } = setup();
    exposure.getMetadata().set('BGMEAN', 900);
    const config = new NoiseReplacerConfig();
    config.noiseSource = 'meta';
    const replacer = new NoiseReplacer(config, exposure, footprints);
    expect(replacer.noiseGenMean).toBe(0);
    expect(replacer.noiseGenStd).toBe(30);
  });

  it('clears planes that existed before everywhere and keeps them; removes the planes it added', () => {
    const { exposure, footprints } = setup();
    exposure.mask.addMaskPlane('THISDET');
    const thisBit = exposure.mask.getPlaneBitMask('THISDET');
    const detected = exposure.mask.getPlaneBitMask('DETECTED');
    exposure.mask.set(5, 95, thisBit | detected); // outside every footprint
    exposure.mask.set(30, 30, thisBit); // inside one
    const replacer = new NoiseReplacer(new NoiseReplacerConfig(), exposure, footprints, { exposureId: 3 });
    expect(exposure.mask.get(5, 95)).toBe(detected);
    const other = exposure.mask.getPlaneBitMask('OTHERDET');
    replacer.insertSource(2n);
    expect(exposure.mask.get(70, 30) & (thisBit | other)).toBe(thisBit);
    replacer.removeSource(2n);
    expect(exposure.mask.get(70, 30) & (thisBit | other)).toBe(other);
    replacer.end();
    expect(exposure.mask.planeDict.hasPlane('THISDET')).toBe(true);
    expect(exposure.mask.planeDict.hasPlane('OTHERDET')).toBe(false);
    let stray = 0;
    for (const v of exposure.mask.array.data) stray |= v & (thisBit | other);
    expect(stray).toBe(0);
    expect(exposure.mask.get(5, 95)).toBe(detected);
  });

  it('saves overlapping top-level footprints from the untouched image: each one is inserted with the image pixels', () => {
    const { exposure } = setup();
    // two top-level footprints that share pixels around (35, 30)
    const footprints = new Map<bigint, readonly [bigint, Footprint]>([
      [1n, [0n, circularFootprint(30, 30, 8)]],
      [2n, [0n, circularFootprint(40, 30, 8)]],
    ]);
    const before = Float32Array.from(exposure.image.array.data);
    const maskBefore = Int32Array.from(exposure.mask.array.data);
    const replacer = new NoiseReplacer(new NoiseReplacerConfig(), exposure, footprints, { exposureId: 5 });
    expect(exposure.image.get(35, 30)).not.toBe(before[30 * 100 + 35]);
    for (const id of [1n, 2n]) {
      replacer.insertSource(id);
      const spans = footprints.get(id)![1].getSpans();
      const inserted = spans.flatten(exposure.image.array, exposure.image.getXY0());
      expect(Array.from(inserted)).toEqual(Array.from(spans.flatten({ data: before, width: 100, height: 100 }, exposure.image.getXY0())));
      replacer.removeSource(id);
    }
    replacer.end();
    expect(exposure.image.array.data).toEqual(before);
    expect(exposure.mask.array.data).toEqual(maskBefore);
  });

  it('restores a float64 image bit for bit (the saved pixels keep the image type)', () => {
    const exposure = Exposure.make('float64', new Extent2I(60, 50));
    const data = exposure.image.array.data;
    // values a float32 cannot hold
    for (let k = 0; k < data.length; k++) data[k] = 100 + Math.sin(k) * 10 + k * 1e-9;
    const before = Float64Array.from(data);
    const footprints = new Map<bigint, readonly [bigint, Footprint]>([[1n, [0n, circularFootprint(20, 20, 6)]]]);
    const replacer = new NoiseReplacer(new NoiseReplacerConfig(), exposure, footprints, { exposureId: 2 });
    expect(exposure.image.get(20, 20)).not.toBe(before[20 * 60 + 20]);
    replacer.insertSource(1n);
    expect(exposure.image.get(20, 20)).toBe(before[20 * 60 + 20]);
    replacer.removeSource(1n);
    replacer.end();
    expect(data).toEqual(before);
  });

  it('draws the noise in pixel order, footprint after footprint, whatever their sizes', () => {
    // two footprints of an odd number of pixels, or one footprint of both: the same noise
    const a = SpanSet.fromArrays([10, 11, 12], [10, 10, 10], [14, 14, 14]);
    const b = SpanSet.fromArrays([20, 21, 22], [11, 11, 11], [15, 15, 15]);
    const both = SpanSet.fromArrays([10, 11, 12, 20, 21, 22], [10, 10, 10, 11, 11, 11], [14, 14, 14, 15, 15, 15]);
    const run = (footprints: Map<bigint, readonly [bigint, Footprint]>, source: 'measure' | 'variance'): Float32Array => {
      const { exposure } = setup();
      exposure.variance.array.data.fill(400);
      const config = new NoiseReplacerConfig();
      config.noiseSource = source;
      new NoiseReplacer(config, exposure, footprints, { exposureId: 9 });
      return Float32Array.from(both.flatten(exposure.image.array, exposure.image.getXY0()));
    };
    for (const source of ['measure', 'variance'] as const) {
      const split = run(new Map([[1n, [0n, new Footprint(a)] as const], [2n, [0n, new Footprint(b)] as const]]), source);
      const joined = run(new Map([[1n, [0n, new Footprint(both)] as const]]), source);
      expect(split).toEqual(joined);
    }
  });

  it('clears a plane bit in the last pixels of rows of any width', () => {
    const exposure = Exposure.make('float32', new Extent2I(103, 40));
    exposure.image.array.data.fill(10);
    exposure.mask.addMaskPlane('OTHERDET');
    const other = exposure.mask.getPlaneBitMask('OTHERDET');
    const detected = exposure.mask.getPlaneBitMask('DETECTED');
    exposure.mask.set(102, 3, other | detected); // the last pixel of a row, after the blocks of 4
    exposure.mask.set(0, 39, other);
    const footprints = new Map<bigint, readonly [bigint, Footprint]>([[1n, [0n, circularFootprint(50, 20, 4)]]]);
    const replacer = new NoiseReplacer(new NoiseReplacerConfig(), exposure, footprints);
    expect(exposure.mask.get(102, 3)).toBe(detected);
    expect(exposure.mask.get(0, 39)).toBe(0);
    replacer.end();
    expect(exposure.mask.get(102, 3)).toBe(detected);
  });
});
