/**
 * SourceDetectionTask and SubtractBackgroundTask on synthetic exposures with analytic truth
 * (see synthetic.ts): every star of matched-filter S/N ≥ 10 found, peaks on the stars, the
 * number of noise detections against the Euler-characteristic expectation for a smoothed
 * Gaussian field, negative stars found as negative detections, the grow radius, mask bits
 * exactly on footprint pixels, the EDGE band, and the background recovered under stars.
 */
import { describe, expect, it } from 'vitest';
import { GaussianPsf } from '@skystack/afw-image';
import { SourceCatalog, type Footprint } from '@skystack/afw-table';
import { Point2I } from '@skystack/geom';
import { SourceDetectionTask, SourceDetectionConfig, SubtractBackgroundTask } from '../src/index.js';
import { fluxForSnr, gridStars, makeScene, matchedSnr, skyAt, type SceneOptions } from './synthetic.js';


function footprintContaining(footprints: Iterable<Footprint>, x: number, y: number): Footprint | undefined {
  for (const fp of footprints) if (fp.contains(Math.round(x), Math.round(y))) return fp;
  return undefined;
}

describe('SourceDetectionTask on stars', () => {
  const psfSigma = 2;
  const noise = 10;
  const xy0 = new Point2I(100, -50);
  const snrs = [10, 12, 15, 20, 30, 50, 80, 120];
  const stars = gridStars(480, 480, 40, 40, (i) => fluxForSnr(snrs[i % snrs.length]!, psfSigma, noise), 11).map((s) => ({ ...s, x: s.x + 100, y: s.y - 50 }));
  const scene: SceneOptions = { width: 520, height: 520, psfSigma, noise, stars, seed: 5, xy0 };

  it('finds every star at S/N >= 10, with its peak on the star, few false detections, and DETECTED exactly on the footprints', () => {
    const exposure = makeScene(scene);
    exposure.setPsf(new GaussianPsf(25, 25, psfSigma)); // sigma from the PSF's determinant radius
    const schema = SourceCatalog.makeMinimalSchema();
    const task = new SourceDetectionTask({ schema });
    const result = task.run(schema, exposure);
    const positive = result.positive!;
    expect(result.negative).toBeUndefined();
    expect(result.sources.length).toBe(result.numPos);
    for (const star of stars) {
      expect(matchedSnr(star.flux, psfSigma, noise)).toBeGreaterThanOrEqual(10 - 1e-9);
      const fp = footprintContaining(positive, star.x, star.y);
      expect(fp, `star at (${star.x.toFixed(1)}, ${star.y.toFixed(1)})`).toBeDefined();
      if (matchedSnr(star.flux, psfSigma, noise) >= 50) {
        // The brightest peak is the pixel nearest the star (offsets < 0.3 px by construction).
        const p = fp!.getPeaks().get(0);
        expect(Math.abs(p.getFx() - star.x)).toBeLessThan(0.5);
        expect(Math.abs(p.getFy() - star.y)).toBeLessThan(0.5);
      }
    }
    // 169 stars; noise alone gives ~0.1 detections at 5σ on this area (see the pure-noise test).
    expect(positive.length).toBeGreaterThanOrEqual(stars.length);
    expect(positive.length).toBeLessThanOrEqual(stars.length + 3);
    // DETECTED set exactly on the pixels of the returned (grown) footprints.
    const mask = exposure.mask;
    const bit = mask.getPlaneBitMask('DETECTED');
    const covered = new Uint8Array(520 * 520);
    for (const fp of positive) fp.getSpans().forEachSpanIn(mask.array, mask.getXY0(), (s, e) => covered.fill(1, s, e));
    let mismatches = 0;
    for (let i = 0; i < covered.length; i++) if (((mask.array.data[i]! & bit) !== 0) !== (covered[i] === 1)) mismatches++;
    expect(mismatches).toBe(0);
    // No DETECTED_NEGATIVE left (negatives are detected only to mask them out of the background).
    const negBit = mask.getPlaneBitMask('DETECTED_NEGATIVE');
    expect(mask.array.data.some((v) => (v & negBit) !== 0)).toBe(false);
    // The EDGE band: the smoothing kernel is 2·⌊(7σ + ½)/2⌋ + 1 = 15 pixels wide, 7 each side.
    const edge = mask.getPlaneBitMask('EDGE');
    for (let y = 0; y < 520; y++) {
      for (let x = 0; x < 520; x++) {
        const inBand = x < 7 || y < 7 || x >= 513 || y >= 513;
        if (((mask.array.data[y * 520 + x]! & edge) !== 0) !== inBand) throw new Error(`EDGE wrong at local (${x}, ${y})`);
      }
    }
    expect(task.metadata.get('smoothingKernelWidth')).toBe(15);
    expect(result.background.length).toBe(1);
  });

  it('grows footprints by ⌊nSigmaToGrow·σ + ½⌋ with a circular stencil', () => {
    const run = (nSigmaToGrow: number): Footprint[] => {
      const exposure = makeScene(scene);
      const config = new SourceDetectionConfig();
      config.nSigmaToGrow = nSigmaToGrow;
      const task = new SourceDetectionTask({ config });
      return task.detectFootprints(exposure, { sigma: psfSigma }).positive!.getFootprints();
    };
    const original = run(0);
    const grown = run(2.4); // radius ⌊4.8 + 0.5⌋ = 5
    expect(grown.length).toBe(original.length); // stars 40 px apart stay separate
    for (const fp of original) {
      const g = footprintContaining(grown, fp.getPeaks().get(0).getIx(), fp.getPeaks().get(0).getIy())!;
      expect(g.getSpans().equals(fp.getSpans().dilated(5, 'circle'))).toBe(true);
    }
  });

  it('detects negative stars as negative footprints, flagged is_negative, listed first', () => {
    const neg = [
      { x: 160.2, y: 60.1, flux: -fluxForSnr(30, psfSigma, noise) },
      { x: 400.7, y: 300.3, flux: -fluxForSnr(15, psfSigma, noise) },
    ];
    const pos = [{ x: 250.1, y: 200.2, flux: fluxForSnr(30, psfSigma, noise) }];
    const exposure = makeScene({ ...scene, stars: [...neg, ...pos] });
    const config = new SourceDetectionConfig();
    config.thresholdPolarity = 'both';
    const schema = SourceCatalog.makeMinimalSchema();
    const task = new SourceDetectionTask({ config, schema });
    expect(schema.contains('is_negative')).toBe(true);
    const result = task.run(schema, exposure, { sigma: psfSigma });
    for (const s of neg) expect(footprintContaining(result.negative!, s.x, s.y)).toBeDefined();
    for (const s of pos) expect(footprintContaining(result.positive!, s.x, s.y)).toBeDefined();
    expect(footprintContaining(result.negative!, pos[0]!.x, pos[0]!.y)).toBeUndefined();
    const flags = Array.from({ length: result.sources.length }, (_, i) => result.sources.get(i).get('is_negative'));
    expect(flags).toEqual([...Array<boolean>(result.numNeg).fill(true), ...Array<boolean>(result.numPos).fill(false)]);
    const negBit = exposure.mask.getPlaneBitMask('DETECTED_NEGATIVE');
    const nx = Math.round(neg[0]!.x) - xy0.getX();
    const ny = Math.round(neg[0]!.y) - xy0.getY();
    expect(exposure.mask.array.data[ny * 520 + nx]! & negBit).not.toBe(0);
    const pNeg = result.negative!.getFootprints().find((f) => f.contains(Math.round(neg[0]!.x), Math.round(neg[0]!.y)))!;
    expect(Math.abs(pNeg.getPeaks().get(pNeg.getPeaks().length - 1).getFx() - neg[0]!.x)).toBeLessThan(1.5);
  });
});

describe('SourceDetectionTask on a blend', () => {
  it('keeps both peaks of two blended stars through the temporary local background step', () => {
    const psfSigma = 2;
    const noise = 5;
    const blend = [
      { x: 150.2, y: 140.1, flux: fluxForSnr(200, psfSigma, noise) },
      { x: 158.1, y: 141.2, flux: fluxForSnr(120, psfSigma, noise) },
    ];
    const exposure = makeScene({ width: 300, height: 280, psfSigma, noise, stars: blend, seed: 8 });
    const result = new SourceDetectionTask().detectFootprints(exposure, { sigma: psfSigma });
    expect(result.numPos).toBe(1);
    const peaks = result.positive!.getFootprints()[0]!.getPeaks();
    expect(peaks.length).toBe(2);
    const got = [0, 1].map((i) => [peaks.get(i).getFx(), peaks.get(i).getFy()]);
    // Brightest first; each peak within a pixel of its star (the neighbour's wing pulls it a little).
    for (const [i, star] of blend.entries()) {
      expect(Math.abs(got[i]![0]! - star.x)).toBeLessThanOrEqual(1);
      expect(Math.abs(got[i]![1]! - star.y)).toBeLessThanOrEqual(1);
    }
  });
});

describe('SourceDetectionTask on pure noise', () => {
  it('finds as many excursions as a smoothed Gaussian field has (Euler characteristic), and ~none at 5σ', () => {
    const sigma = 2;
    const size = 1024;
    const exposure = makeScene({ width: size, height: size, psfSigma: sigma, noise: 3, seed: 99 });
    const count = (u: number): number => {
      const config = new SourceDetectionConfig();
      config.thresholdValue = u;
      config.reEstimateBackground = false;
      config.doTempLocalBackground = false;
      config.nSigmaToGrow = 0;
      return new SourceDetectionTask({ config }).detectFootprints(exposure, { sigma }).numPos;
    };
    // Smoothing white noise with a Gaussian of σ gives correlation exp(-r²/4σ²): λ = 1/(2σ²).
    // E[χ] above u over area A: A λ u e^{-u²/2} / (2π)^{3/2} (+ a boundary term, small here).
    const half = 7;
    const area = (size - 2 * half) ** 2;
    const expected = (u: number): number => (area * (1 / (2 * sigma * sigma)) * u * Math.exp((-u * u) / 2)) / (2 * Math.PI) ** 1.5;
    const n35 = count(3.5);
    expect(expected(3.5)).toBeGreaterThan(50);
    expect(n35).toBeGreaterThan(expected(3.5) / 2);
    expect(n35).toBeLessThan(expected(3.5) * 2);
    expect(expected(5)).toBeLessThan(0.3);
    expect(count(5)).toBeLessThanOrEqual(3);
  });
});

describe('SubtractBackgroundTask + detection: background under stars', () => {
  it('recovers a sloped sky to a small fraction of the noise', () => {
    const noise = 10;
    const psfSigma = 1.8;
    const stars = gridStars(500, 500, 25, 20, (i) => fluxForSnr(10 + (i % 7) * 15, psfSigma, noise), 3, 0.5);
    const scene: SceneOptions = { width: 512, height: 512, psfSigma, noise, stars, seed: 21, sky: { a: 1000, bx: 0.4, by: -0.25 } };
    const exposure = makeScene(scene);
    const bgTask = new SubtractBackgroundTask();
    const { background } = bgTask.run(exposure);
    const det = new SourceDetectionTask();
    det.detectFootprints(exposure, { sigma: psfSigma, background });
    expect(background.length).toBe(2);
    const total = background.getImage().array.data;
    let sum = 0;
    let sum2 = 0;
    let worst = 0;
    for (let y = 0; y < 512; y++) {
      for (let x = 0; x < 512; x++) {
        const d = total[y * 512 + x]! - skyAt(scene, x, y);
        sum += d;
        sum2 += d * d;
        if (x >= 16 && y >= 16 && x < 496 && y < 496) worst = Math.max(worst, Math.abs(d));
      }
    }
    const n = 512 * 512;
    expect(Math.abs(sum / n)).toBeLessThan(0.05 * noise);
    expect(Math.sqrt(sum2 / n)).toBeLessThan(0.1 * noise);
    expect(worst).toBeLessThan(0.3 * noise);
    // BGMEAN is recorded by the first pass, before detection masks the stars: star light raises it a little.
    const bgMean = exposure.metadata.get('BGMEAN') as number;
    expect(bgMean - skyAt(scene, 255.5, 255.5)).toBeGreaterThan(-0.05 * noise);
    expect(bgMean - skyAt(scene, 255.5, 255.5)).toBeLessThan(0.3 * noise);
  });
});

describe('SourceDetectionConfig', () => {
  it("has LSST's defaults, including the temporary local background's 64-pixel interpolated bins", () => {
    const c = new SourceDetectionConfig();
    expect([c.thresholdValue, c.thresholdType, c.thresholdPolarity, c.nSigmaToGrow, c.minPixels, c.nSigmaForKernel, c.nPeaksMaxSimple]).toEqual([5, 'pixel_stdev', 'positive', 2.4, 1, 7, 1]);
    expect([c.isotropicGrow, c.combinedGrow, c.reEstimateBackground, c.doTempLocalBackground, c.returnOriginalFootprints]).toEqual([true, true, true, true, false]);
    expect([c.tempLocalBackground.binSize, c.tempLocalBackground.algorithm, c.tempLocalBackground.useApprox]).toEqual([64, 'AKIMA_SPLINE', false]);
    expect([c.background.binSize, c.background.useApprox, c.background.approxOrderX, c.background.statisticsProperty]).toEqual([128, true, 6, 'MEANCLIP']);
    expect(c.background.ignoredPixelMask).toEqual(['BAD', 'EDGE', 'DETECTED', 'DETECTED_NEGATIVE', 'NO_DATA']);
  });
});
