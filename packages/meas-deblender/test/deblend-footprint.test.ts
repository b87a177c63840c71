// deblendFootprint on synthetic blends of Gaussian-PSF stars with analytic truth: each star's
// flux inside the parent footprint is the sum of its own noiseless model there.
import type { HeavyFootprint } from '@skystack/afw-table';
import { describe, expect, it } from 'vitest';
import { deblendFootprint, type DeblendFootprintOptions, type DeblendedParent } from '../src/index.js';
import { makeBlend, sumOf, type BlendScene, type Star } from './blend-scene.js';

const SIGMA = 2;
const FWHM = 2 * Math.sqrt(2 * Math.LN2) * SIGMA;

function run(scene: BlendScene, options: DeblendFootprintOptions = {}): DeblendedParent {
  return deblendFootprint(scene.footprint, scene.exposure.maskedImage, scene.exposure.getPsf() as never, FWHM, options);
}

/** Each star's noiseless flux inside the parent footprint. */
function truthInFootprint(scene: BlendScene): number[] {
  const W = scene.exposure.getWidth();
  return scene.models.map((m) => {
    let s = 0;
    scene.footprint.getSpans().forEachPixel((x, y) => (s += m[y * W + x]!));
    return s;
  });
}

/** The parent's image summed over its footprint. */
function parentFlux(scene: BlendScene): number {
  const img = scene.exposure.image.array.data;
  const W = scene.exposure.getWidth();
  let s = 0;
  scene.footprint.getSpans().forEachPixel((x, y) => (s += img[y * W + x]!));
  return s;
}

/** The image summed over the union of the children's pixels (children may reach past the parent when ramped). */
function childrenImageSum(scene: BlendScene, kids: Map<number, HeavyFootprint>): number {
  let spans = scene.footprint.getSpans();
  for (const h of kids.values()) spans = spans.union(h.getSpans());
  const img = scene.exposure.image.array.data;
  const W = scene.exposure.getWidth();
  let s = 0;
  spans.forEachPixel((x, y) => (s += img[y * W + x]!));
  return s;
}

/** child index (by the star its peak id names) → heavy footprint. */
function childrenByStar(res: DeblendedParent): Map<number, HeavyFootprint> {
  const out = new Map<number, HeavyFootprint>();
  for (const p of res.peaks) if (p.heavy !== undefined) out.set(Number(p.peak.getId()) - 1, p.heavy);
  return out;
}

function twoStars(separationFwhm: number, seed = 3): readonly Star[] {
  return [
    { x: 30.3, y: 30.2, flux: 20000 },
    { x: 30.3 + separationFwhm * FWHM * Math.cos(0.3), y: 30.2 + separationFwhm * FWHM * Math.sin(0.3), flux: 8000 + 100 * seed },
  ];
}

describe('deblendFootprint on Gaussian-PSF blends', () => {
  for (const sep of [2, 2.5, 3]) {
    it(`splits two stars ${sep} FWHM apart: PSF fluxes and children's fluxes within 3% of the truth`, () => {
      const scene = makeBlend({ stars: twoStars(sep), sigma: SIGMA, noise: 5, seed: 7 });
      const res = run(scene);
      const truth = truthInFootprint(scene);
      const kids = childrenByStar(res);
      expect(kids.size).toBe(2);
      for (const p of res.peaks) {
        expect(p.deblendedAsPsf).toBe(true);
        const k = Number(p.peak.getId()) - 1;
        expect(Math.abs(p.psfFitFlux / scene.stars[k]!.flux - 1)).toBeLessThan(0.02);
        expect(Math.abs(p.psfFitCenter!.x - scene.stars[k]!.x)).toBeLessThan(0.1);
        expect(Math.abs(p.psfFitCenter!.y - scene.stars[k]!.y)).toBeLessThan(0.1);
      }
      for (const [k, heavy] of kids) expect(Math.abs(sumOf(heavy.getImageArray()) / truth[k]! - 1)).toBeLessThan(0.03);
      // flux conservation: the children add up to the parent
      const total = [...kids.values()].reduce((s, h) => s + sumOf(h.getImageArray()), 0);
      expect(total).toBeCloseTo(childrenImageSum(scene, kids), 1);
    });
  }

  it('splits three stars, each within 3% of the truth, conserving the parent flux', () => {
    const stars = [
      { x: 25.2, y: 25.7, flux: 30000 },
      { x: 37.1, y: 27.4, flux: 15000 },
      { x: 30.6, y: 37.9, flux: 10000 },
    ];
    const scene = makeBlend({ stars, sigma: SIGMA, noise: 4, seed: 5 });
    const res = run(scene);
    const truth = truthInFootprint(scene);
    const kids = childrenByStar(res);
    expect(kids.size).toBe(3);
    for (const [k, heavy] of kids) expect(Math.abs(sumOf(heavy.getImageArray()) / truth[k]! - 1)).toBeLessThan(0.03);
    const total = [...kids.values()].reduce((s, h) => s + sumOf(h.getImageArray()), 0);
    expect(total).toBeCloseTo(childrenImageSum(scene, kids), 1);
  });

  it('with symmetric templates (no PSF fit) and r-to-peak stray flux, every parent pixel is split exactly among the children', () => {
    // a third, fainter star without a peak leaves flux that no template claims (stray flux)
    const stars = [...twoStars(3), { x: 30.3, y: 44, flux: 3000, noPeak: true }];
    const scene = makeBlend({ stars, sigma: SIGMA, noise: 5, seed: 9 });
    const res = run(scene, { fitPsfs: false, strayFluxRule: 'r-to-peak', edgeHandling: 'clip' });
    const kids = childrenByStar(res);
    expect(kids.size).toBe(2);
    expect(res.peaks.some((p) => p.hasStrayFlux)).toBe(true);
    // pixel by pixel: the children's heavy footprints add up to the image
    const W = scene.exposure.getWidth();
    const sum = new Float64Array(W * scene.exposure.getHeight());
    const mi = scene.exposure.maskedImage;
    for (const heavy of kids.values()) {
      const img = heavy.getImageArray();
      const variance = heavy.getVarianceArray();
      let k = 0;
      heavy.getSpans().forEachPixel((x, y) => {
        sum[y * W + x] = sum[y * W + x]! + img[k]!;
        // the heavy footprint carries the image's variance and mask
        expect(variance[k]).toBe(mi.variance.array.data[y * W + x]);
        k++;
      });
      expect(heavy.getPeaks().length).toBe(1);
    }
    const img = mi.image.array.data;
    let maxDiff = 0;
    scene.footprint.getSpans().forEachPixel((x, y) => (maxDiff = Math.max(maxDiff, Math.abs(sum[y * W + x]! - img[y * W + x]!))));
    expect(maxDiff).toBeLessThan(1e-3);
  });

  it('with symmetric templates (extended-source path), splits two stars 3 FWHM apart within 5% of the truth', () => {
    const scene = makeBlend({ stars: twoStars(3), sigma: SIGMA, noise: 5, seed: 12 });
    const res = run(scene, { fitPsfs: false });
    const truth = truthInFootprint(scene);
    const kids = childrenByStar(res);
    expect(kids.size).toBe(2);
    for (const p of res.peaks) expect(p.deblendedAsPsf).toBe(false);
    for (const [k, heavy] of kids) expect(Math.abs(sumOf(heavy.getImageArray()) / truth[k]! - 1)).toBeLessThan(0.05);
  });

  it('does not split an isolated star (one child holding the whole footprint)', () => {
    const scene = makeBlend({ stars: [{ x: 40.4, y: 30.6, flux: 20000 }], sigma: SIGMA, noise: 5, seed: 2 });
    const res = run(scene, { strayFluxRule: 'r-to-peak' });
    expect(res.peaks.length).toBe(1);
    expect(res.peaks[0]!.deblendedAsPsf).toBe(true);
    expect(Math.abs(res.peaks[0]!.psfFitFlux / 20000 - 1)).toBeLessThan(0.01);
    expect(sumOf(res.peaks[0]!.heavy!.getImageArray())).toBeCloseTo(parentFlux(scene), 1);
  });

  it('ramps templates cut by the image edge, and keeps only the brightest maxNumberOfPeaks', () => {
    const stars = [
      { x: 1.4, y: 30.2, flux: 20000 },
      { x: 11.0, y: 31.0, flux: 12000 },
    ];
    const scene = makeBlend({ stars, sigma: SIGMA, noise: 5, seed: 4 });
    const ramped = run(scene, { fitPsfs: false, edgeHandling: 'ramp' });
    expect(ramped.peaks.find((p) => p.peak.getId() === 1n)!.hasRampedTemplate).toBe(true);
    const noclip = run(scene, { fitPsfs: false, edgeHandling: 'noclip' });
    expect(noclip.peaks.find((p) => p.peak.getId() === 1n)!.patched).toBe(true);
    const one = run(scene, { maxNumberOfPeaks: 1 });
    expect(one.peaks.map((p) => p.peak.getId())).toEqual([1n]);
  });
});
