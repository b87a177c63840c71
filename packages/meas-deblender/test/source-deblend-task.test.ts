// SourceDeblendTask on synthetic blends: LSST's names, defaults and fields, children appended in
// place with parent ids and HeavyFootprints, and the limits (too many peaks, too big, masked,
// failures, propagateAllPeaks).
import { Footprint, SourceCatalog, SpanSet, type HeavyFootprint } from '@skystack/afw-table';
import { describe, expect, it } from 'vitest';
import { MeasDeblenderError, MeasDeblenderInvalidArgumentError, SourceDeblendConfig, SourceDeblendTask } from '../src/index.js';
import { catalogOf, makeBlend, sumOf, type BlendScene } from './blend-scene.js';

const SIGMA = 2;

function threeStars(seed = 1): BlendScene {
  return makeBlend({
    stars: [
      { x: 25.2, y: 25.7, flux: 30000 },
      { x: 37.1, y: 27.4, flux: 15000 },
      { x: 30.6, y: 37.9, flux: 10000 },
    ],
    sigma: SIGMA,
    noise: 4,
    seed,
  });
}

function setup(scene: BlendScene, configure: (c: SourceDeblendConfig) => void = () => undefined): { task: SourceDeblendTask; sources: SourceCatalog } {
  const schema = SourceCatalog.makeMinimalSchema();
  const config = new SourceDeblendConfig();
  configure(config);
  const task = new SourceDeblendTask({ schema, config });
  // an isolated star's footprint next to the blend, as a second parent
  const isolated = new Footprint(SpanSet.fromShape(3, 'circle', 70, 8));
  isolated.addPeak(70, 8, 50);
  return { task, sources: catalogOf(schema, [scene.footprint, isolated]) };
}

describe('SourceDeblendConfig and SourceDeblendTask', () => {
  it("has LSST's name, defaults and output fields", () => {
    expect(SourceDeblendTask._DefaultName).toBe('sourceDeblend');
    const c = new SourceDeblendConfig();
    expect([c.edgeHandling, c.strayFluxToPointSources, c.assignStrayFlux, c.strayFluxRule, c.clipStrayFluxFraction]).toEqual(['ramp', 'necessary', true, 'trim', 0.001]);
    expect([c.psfChisq1, c.psfChisq2, c.psfChisq2b, c.maxNumberOfPeaks, c.maxFootprintArea, c.maxFootprintSize, c.minFootprintAxisRatio]).toEqual([1.5, 1.5, 1.5, 0, 1000000, 0, 0]);
    expect([c.notDeblendedMask, c.tinyFootprintSize, c.propagateAllPeaks, c.catchFailures, c.medianSmoothTemplate]).toEqual(['NOT_DEBLENDED', 2, false, false, true]);
    expect(c.maskPlanes).toEqual(['SAT', 'INTRP', 'NO_DATA']);
    const schema = SourceCatalog.makeMinimalSchema();
    new SourceDeblendTask({ schema });
    for (const name of ['deblend_nChild', 'deblend_deblendedAsPsf', 'deblend_psfCenter_x', 'deblend_psfCenter_y', 'deblend_psf_instFlux', 'deblend_tooManyPeaks', 'deblend_parentTooBig', 'deblend_masked', 'deblend_skipped', 'deblend_rampedTemplate', 'deblend_patchedTemplate', 'deblend_hasStrayFlux', 'deblend_peak_center_x', 'deblend_peakId', 'deblend_nPeaks', 'deblend_parentNPeaks']) {
      expect(schema.contains(name)).toBe(true);
    }
    expect(schema.contains('deblend_failed')).toBe(false);
    expect(schema.find('deblend_psf_instFlux').units).toBe('count');
  });

  it('appends one child per peak with parent id, a HeavyFootprint and PSF fields; the isolated source is not split', () => {
    const scene = threeStars();
    const { task, sources } = setup(scene);
    task.run({ exposure: scene.exposure, sources });
    expect(sources.length).toBe(2 + 3);
    const parent = sources.get(0);
    expect(parent.get('deblend_nChild')).toBe(3);
    expect(sources.get(1).get('deblend_nChild')).toBe(0);
    const kids = [2, 3, 4].map((i) => sources.get(i));
    let total = 0;
    for (const kid of kids) {
      expect(kid.getParent()).toBe(parent.getId());
      expect(kid.getId()).toBeGreaterThan(2n);
      const heavy = kid.getFootprint() as HeavyFootprint;
      expect(heavy.isHeavy()).toBe(true);
      expect(heavy.getPeaks().length).toBe(1);
      expect(kid.get('deblend_deblendedAsPsf')).toBe(true);
      const k = Number(kid.get('deblend_peakId')) - 1;
      const star = scene.stars[k]!;
      expect(Math.abs((kid.get('deblend_psfCenter_x') as number) - star.x)).toBeLessThan(0.1);
      expect(Math.abs((kid.get('deblend_psf_instFlux') as number) / star.flux - 1)).toBeLessThan(0.02);
      expect(kid.get('deblend_peak_center_x')).toBe(Math.round(star.x));
      expect(kid.get('deblend_nPeaks')).toBe(1);
      expect(kid.get('deblend_parentNPeaks')).toBe(3);
      total += sumOf(heavy.getImageArray());
      // the parent's footprint covers its children
      heavy.getSpans().forEachPixel((x, y) => expect(parent.getFootprint()!.contains(x, y)).toBe(true));
    }
    let parentFlux = 0;
    const W = scene.exposure.getWidth();
    parent.getFootprint()!.getSpans().forEachPixel((x, y) => (parentFlux += scene.exposure.image.array.data[y * W + x]!));
    expect(total).toBeCloseTo(parentFlux, 1);
  });

  it('flags too many peaks and keeps the brightest maxNumberOfPeaks', () => {
    const scene = threeStars(2);
    const { task, sources } = setup(scene, (c) => (c.maxNumberOfPeaks = 2));
    task.run({ exposure: scene.exposure, sources });
    expect(sources.get(0).get('deblend_tooManyPeaks')).toBe(true);
    expect(sources.get(0).get('deblend_nChild')).toBe(2);
    expect(sources.get(1).get('deblend_tooManyPeaks')).toBe(false);
    const ids = [2, 3].map((i) => Number(sources.get(i).get('deblend_peakId'))).sort();
    expect(ids).toEqual([1, 2]);
  });

  for (const [what, configure] of [
    ['maxFootprintArea', (c: SourceDeblendConfig) => (c.maxFootprintArea = 100)],
    ['maxFootprintSize', (c: SourceDeblendConfig) => (c.maxFootprintSize = 10)],
    ['minFootprintAxisRatio', (c: SourceDeblendConfig) => (c.minFootprintAxisRatio = 0.99)],
  ] as const) {
    it(`skips a parent too big by ${what}: deblend_parentTooBig, deblend_skipped, NOT_DEBLENDED mask`, () => {
      const scene = threeStars(3);
      const { task, sources } = setup(scene, configure);
      task.run({ exposure: scene.exposure, sources });
      expect(sources.length).toBe(2);
      const p = sources.get(0);
      expect([p.get('deblend_parentTooBig'), p.get('deblend_skipped'), p.get('deblend_nChild'), p.get('deblend_nPeaks')]).toEqual([true, true, 0, 3]);
      const mask = scene.exposure.mask;
      const bit = mask.getPlaneBitMask('NOT_DEBLENDED');
      const pk = scene.footprint.getPeaks().get(0);
      expect(mask.get(pk.getIx(), pk.getIy()) & bit).toBe(bit);
      expect(mask.get(0, 0) & bit).toBe(0);
    });
  }

  it('skips a predominantly masked parent (maskLimits) with deblend_masked', () => {
    const scene = threeStars(4);
    const mask = scene.exposure.mask;
    const sat = mask.getPlaneBitMask('SAT');
    scene.footprint.getSpans().setMask(mask.array, mask.getXY0(), sat);
    const { task, sources } = setup(scene, (c) => (c.maskLimits = { SAT: 0.5 }));
    task.run({ exposure: scene.exposure, sources });
    expect(sources.get(0).get('deblend_masked')).toBe(true);
    expect(sources.length).toBe(2);
  });

  it('without propagateAllPeaks drops failed peaks (deblend_skipped); with it, keeps them as children with zero pixels', () => {
    const tiny = (c: SourceDeblendConfig): void => {
      c.tinyFootprintSize = 40;
    };
    const a = threeStars(5);
    const sa = setup(a, tiny);
    sa.task.run({ exposure: a.exposure, sources: sa.sources });
    expect(sa.sources.length).toBe(2);
    expect(sa.sources.get(0).get('deblend_skipped')).toBe(true);
    const b = threeStars(5);
    const sb = setup(b, (c) => {
      tiny(c);
      c.propagateAllPeaks = true;
    });
    sb.task.run({ exposure: b.exposure, sources: sb.sources });
    expect(sb.sources.length).toBe(5);
    expect(sb.sources.get(0).get('deblend_nChild')).toBe(3);
    expect(sumOf((sb.sources.get(2).getFootprint() as HeavyFootprint).getImageArray())).toBe(0);
  });

  it('with propagateAllPeaks, a skipped or failed parent still gets one zero-pixel child per peak (per-band catalogs stay aligned)', () => {
    const big = threeStars(7);
    const sb = setup(big, (c) => {
      c.maxFootprintArea = 10;
      c.propagateAllPeaks = true;
    });
    sb.task.run({ exposure: big.exposure, sources: sb.sources });
    expect(sb.sources.length).toBe(5);
    const parent = sb.sources.get(0);
    expect([parent.get('deblend_parentTooBig'), parent.get('deblend_nChild')]).toEqual([true, 3]);
    const peaks = big.footprint.getPeaks();
    for (let k = 0; k < 3; k++) {
      const child = sb.sources.get(2 + k);
      expect(child.getParent()).toBe(parent.getId());
      expect(sumOf((child.getFootprint() as HeavyFootprint).getImageArray())).toBe(0);
      expect([child.get('deblend_peak_center_x'), child.get('deblend_peak_center_y')]).toEqual([peaks.get(k).getIx(), peaks.get(k).getIy()]);
    }
    // A PSF that cannot be evaluated at the parent's centroid (a coadd's gap): deblend_failed, with children.
    const gap = threeStars(8);
    const psf = gap.exposure.getPsf()!;
    const holed = Object.create(psf) as typeof psf;
    holed.computeShape = () => {
      throw new Error('no input images at that point');
    };
    gap.exposure.setPsf(holed);
    const sg = setup(gap, (c) => {
      c.catchFailures = true;
      c.propagateAllPeaks = true;
    });
    sg.task.run({ exposure: gap.exposure, sources: sg.sources });
    expect([sg.sources.get(0).get('deblend_failed'), sg.sources.get(0).get('deblend_nChild'), sg.sources.length]).toEqual([true, 3, 5]);
    const g2 = threeStars(8);
    g2.exposure.setPsf(holed);
    const strict = setup(g2);
    expect(() => strict.task.run({ exposure: g2.exposure, sources: strict.sources })).toThrow(/no PSF at its centroid/);
  });

  it('catchFailures flags deblend_failed instead of throwing; errors name the problem', () => {
    const scene = threeStars(6);
    // a footprint that reaches outside the image cannot be deblended
    const outside = new Footprint(SpanSet.fromShape(4, 'box', 2, 2));
    outside.addPeak(1, 1, 10);
    outside.addPeak(3, 3, 10);
    const schema = SourceCatalog.makeMinimalSchema();
    const c = new SourceDeblendConfig();
    c.catchFailures = true;
    const task = new SourceDeblendTask({ schema, config: c });
    const sources = catalogOf(schema, [scene.footprint, outside]);
    task.run({ exposure: scene.exposure, sources });
    expect(sources.get(1).get('deblend_failed')).toBe(true);
    expect(sources.get(0).get('deblend_failed')).toBe(false);
    const schema2 = SourceCatalog.makeMinimalSchema();
    const strict = new SourceDeblendTask({ schema: schema2 });
    expect(() => strict.run({ exposure: scene.exposure, sources: catalogOf(schema2, [outside]) })).toThrow(MeasDeblenderError);
    expect(() => strict.run({ exposure: scene.exposure, sources: catalogOf(SourceCatalog.makeMinimalSchema(), [outside]) })).toThrow(MeasDeblenderInvalidArgumentError);
  });
});
