import type { Footprint } from '@skystack/afw-table';
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
});
