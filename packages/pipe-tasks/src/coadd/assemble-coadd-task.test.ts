import { Exposure, FilterLabel, Mask, MaskedImage, MaskPlaneDict } from '@skystack/afw-image';
import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import { NoWorkFound, type QuantumContext } from '@skystack/pipe-base';
import { DiscreteSkyMap, makeDiscreteSkyMapConfig } from '@skystack/skymap';
import { runPythonJson } from '@skystack/test-support';
import { describe, expect, it } from 'vitest';
import { PipeTasksInvalidArgumentError } from '../errors.js';
import { AssembleCoaddConfig, AssembleCoaddConnections, AssembleCoaddTask, type WarpHandle } from './assemble-coadd-task.js';
import type { SkyInfo } from './coadd-utils.js';
import { makeRandom } from '../../test/single-frame-scene.js';
import { InMemoryWarpHandle } from './in-memory-warp-handle.js';

const BBOX = Box2I.fromCorner(new Point2I(100, 200), new Extent2I(40, 30));
const SKY: SkyInfo = { bbox: BBOX, wcs: null };

/** A seeded standard normal generator (the scene helpers' mulberry32 + Box–Muller). */
const gaussian = (seed: number): (() => number) => makeRandom(seed).gauss;

/** The noiseless scene: a sky level and a Gaussian star (nJy). */
function truth(x: number, y: number): number {
  return 100 + 5000 * Math.exp(-((x - 118) ** 2 + (y - 214) ** 2) / (2 * 2.5 ** 2));
}

/** A warp: the truth plus Gaussian noise of `sigma`, variance plane sigma², BUNIT nJy, band r. */
function makeWarp(sigma: number, seed: number, bbox: Box2I = BBOX): Exposure {
  const exp = Exposure.make('float32', bbox);
  const rnd = gaussian(seed);
  const im = exp.image.array;
  for (let y = 0; y < im.height; y++) {
    for (let x = 0; x < im.width; x++) im.data[y * im.stride + x] = truth(x + bbox.getMinX(), y + bbox.getMinY()) + sigma * rnd();
  }
  exp.variance.array.data.fill(sigma * sigma);
  exp.metadata.set('BUNIT', 'nJy');
  exp.setFilter(FilterLabel.fromBandPhysical('r', 'SIM-R'));
  return exp;
}

function task(overrides: Partial<Record<string, unknown>> = {}): AssembleCoaddTask {
  const config = new AssembleCoaddConfig();
  Object.assign(config, overrides);
  return new AssembleCoaddTask({ config });
}

async function coadd(t: AssembleCoaddTask, warps: readonly Exposure[], skyInfo: SkyInfo = SKY): Promise<Exposure<Float32Array>> {
  const handles = warps.map((w) => new InMemoryWarpHandle(w));
  const prepared = await t.prepareInputs(handles, skyInfo.bbox);
  const res = (await t.run({ skyInfo, ...prepared })).getDict();
  return res.coaddExposure;
}

function pixel(e: Exposure, x: number, y: number, plane: 'image' | 'variance' | 'mask' = 'image'): number {
  const a = (plane === 'image' ? e.image : plane === 'variance' ? e.variance : e.mask).array;
  return a.data[(y - e.getXY0().getY()) * a.stride + (x - e.getXY0().getX())]!;
}

describe('AssembleCoaddTask: the stacked values', () => {
  it('recovers the truth within the expected noise, with variance σ²/N and a depth gain of 2.5 log10(√N)', async () => {
    const n = 16;
    const sigma = 4;
    const warps = Array.from({ length: n }, (_, i) => makeWarp(sigma, 1000 + i));
    const c = await coadd(task({ statistic: 'MEAN' }), warps);
    const im = c.image.array;
    let s = 0;
    let s2 = 0;
    const npix = im.width * im.height;
    for (let y = 0; y < im.height; y++) {
      for (let x = 0; x < im.width; x++) {
        const r = im.data[y * im.stride + x]! - truth(x + 100, y + 200);
        s += r;
        s2 += r * r;
        expect(pixel(c, x + 100, y + 200, 'variance')).toBeCloseTo((sigma * sigma) / n, 5);
      }
    }
    const mean = s / npix;
    const rms = Math.sqrt(s2 / npix - mean * mean);
    const expected = sigma / Math.sqrt(n);
    // 1200 pixels: the mean is within 4 standard errors, the rms within 10% of σ/√N.
    expect(Math.abs(mean)).toBeLessThan((4 * expected) / Math.sqrt(npix));
    expect(rms / expected).toBeGreaterThan(0.9);
    expect(rms / expected).toBeLessThan(1.1);
    // Depth gain from the measured noise against the single-visit noise.
    const gain = 2.5 * Math.log10(sigma / rms);
    expect(gain).toBeCloseTo(2.5 * Math.log10(Math.sqrt(n)), 1);
    // From the variance plane, exactly.
    expect(2.5 * Math.log10(sigma / Math.sqrt(pixel(c, 110, 210, 'variance')))).toBeCloseTo(2.5 * Math.log10(Math.sqrt(n)), 5);
    expect(c.metadata.getString('BUNIT')).toBe('nJy');
    expect(c.getPhotoCalib()!.getCalibrationMean()).toBe(1);
    expect(c.getFilter()!.bandLabel).toBe('r');
    expect(c.getBBox().equals(BBOX)).toBe(true);
  });

  it('gives a coadd variance of 1/Σ(1/σᵢ²) for inputs of different noise (MEANCLIP, the default)', async () => {
    const sigmas = [2, 3, 5, 8, 4, 6];
    const warps = sigmas.map((s, i) => makeWarp(s, 50 + i));
    const c = await coadd(task(), warps);
    const expected = 1 / sigmas.reduce((a, s) => a + 1 / (s * s), 0);
    // Pixels where nothing was clipped use every input (the clipping of MEANCLIP is unweighted, so
    // the noisiest inputs are often clipped: about 60% of the pixels keep all six).
    const clipped = c.mask.getPlaneBitMask('CLIPPED');
    let checked = 0;
    for (let y = 200; y < 230; y++) {
      for (let x = 100; x < 140; x++) {
        if ((pixel(c, x, y, 'mask') & clipped) !== 0) continue;
        expect(pixel(c, x, y, 'variance') / expected).toBeCloseTo(1, 5);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(600);
  });

  it('weights the inputs by inverse variance, as numpy.average with weights 1/σ²', async () => {
    const sigmas = [1.5, 2, 3, 6, 10];
    const warps = sigmas.map((s, i) => makeWarp(s, 7 + i));
    const t = task({ statistic: 'MEAN' });
    const prepared = await t.prepareInputs(
      warps.map((w) => new InMemoryWarpHandle(w)),
      BBOX,
    );
    sigmas.forEach((s, i) => expect(prepared.weightList[i]).toBeCloseTo(1 / (s * s), 6));
    const c = (await t.run({ skyInfo: SKY, ...prepared })).getDict().coaddExposure;
    const oracle = runPythonJson<{ mean: number[]; variance: number[] }>(
      String.raw`
import sys, json
import numpy as np
d = json.load(sys.stdin)
stack = np.array(d['images'], dtype=np.float32).astype(np.float64)
var = np.array(d['variances'], dtype=np.float64)
w = 1.0 / np.array(d['sigmas']) ** 2
mean = np.average(stack, axis=0, weights=w)
variance = np.sum((w ** 2)[:, None] * var, axis=0) / np.sum(w) ** 2
print(json.dumps({'mean': mean.tolist(), 'variance': variance.tolist()}))
`,
      [],
      { images: warps.map((w) => Array.from(w.image.array.data)), variances: warps.map((w) => Array.from(w.variance.array.data)), sigmas },
    );
    const im = c.image.array.data;
    const va = c.variance.array.data;
    for (let k = 0; k < im.length; k++) {
      expect(Math.abs(im[k]! - oracle.mean[k]!)).toBeLessThan(1e-6 * Math.abs(oracle.mean[k]!) + 1e-4);
      expect(va[k]! / oracle.variance[k]!).toBeCloseTo(1, 5);
    }
  });
});

describe('AssembleCoaddTask: artifacts and masks', () => {
  const addStreak = (e: Exposure, amplitude: number): Exposure => {
    const s = e.clone();
    const a = s.image.array;
    for (let x = 0; x < a.width; x++) a.data[10 * a.stride + x]! += amplitude; // row y = 210
    return s;
  };

  it('MEANCLIP removes a streak present in one input; MEAN keeps it diluted by 1/N', async () => {
    const n = 10;
    const sigma = 3;
    const amplitude = 500;
    const clean = Array.from({ length: n }, (_, i) => makeWarp(sigma, 300 + i));
    const streaked = clean.map((w, i) => (i === 4 ? addStreak(w, amplitude) : w));
    const meanClean = await coadd(task({ statistic: 'MEAN' }), clean);
    const meanStreak = await coadd(task({ statistic: 'MEAN' }), streaked);
    const clip = await coadd(task({ statistic: 'MEANCLIP' }), streaked);
    const clipped = clip.mask.getPlaneBitMask('CLIPPED');
    const noise = sigma / Math.sqrt(n - 5);
    let allNineKept = 0;
    for (let x = 100; x < 140; x++) {
      // MEAN: the same noise, plus amplitude/N exactly (equal weights).
      expect(pixel(meanStreak, x, 210) - pixel(meanClean, x, 210)).toBeCloseTo(amplitude / n, 3);
      // MEANCLIP: the truth within 5σ of the 9 remaining inputs, and flagged CLIPPED.
      expect(Math.abs(pixel(clip, x, 210) - truth(x, 210))).toBeLessThan(5 * noise);
      expect(pixel(clip, x, 210, 'mask') & clipped).toBe(clipped);
      // The variance is σ²/k for the k inputs kept: the 9 clean ones, or fewer where noise
      // values were clipped too (the IQR of 10 values is a rough σ estimate: at x=123 it is half
      // of σ, and the first pass keeps 6 values).
      const kept = (sigma * sigma) / pixel(clip, x, 210, 'variance');
      expect(Math.abs(kept - Math.round(kept)), `x=${x} kept=${kept}`).toBeLessThan(1e-3);
      expect(kept).toBeGreaterThanOrEqual(n - 5);
      expect(kept).toBeLessThanOrEqual(n - 1);
      if (Math.abs(kept - (n - 1)) < 1e-3) allNineKept++;
    }
    expect(allNineKept).toBeGreaterThan(25);
  });

  it('sets NO_DATA where no input covers, and interpolates there with doInterp', async () => {
    const noDataCols = (e: Exposure, x0: number, x1: number): Exposure => {
      const bit = e.mask.getPlaneBitMask('NO_DATA');
      const a = e.image.array;
      for (let y = 0; y < a.height; y++) {
        for (let x = x0 - 100; x < x1 - 100; x++) {
          a.data[y * a.stride + x] = NaN;
          e.variance.array.data[y * a.stride + x] = NaN;
          e.mask.array.data[y * a.stride + x]! |= bit;
        }
      }
      return e;
    };
    // Warp 0 has no data in x 100..119, warp 1 none in x 110..129: x 110..119 has no input at all.
    const warps = [noDataCols(makeWarp(2, 1), 100, 120), noDataCols(makeWarp(2, 2), 110, 130), noDataCols(makeWarp(2, 3), 105, 120)];
    const t = task({ statistic: 'MEANCLIP' });
    const c = await coadd(t, warps);
    const noData = c.mask.getPlaneBitMask('NO_DATA');
    for (let y = 200; y < 230; y++) {
      for (let x = 100; x < 140; x++) {
        const empty = x >= 110 && x < 120;
        expect((pixel(c, x, y, 'mask') & noData) !== 0).toBe(empty);
        expect(Number.isNaN(pixel(c, x, y))).toBe(empty);
      }
    }
    // Where only warp 1 covers (x 105..109), the coadd is that warp.
    expect(pixel(c, 107, 205)).toBe(pixel(warps[1]!, 107, 205));
    expect(pixel(c, 107, 205, 'variance')).toBe(4);
    t.processResults(c);
    for (let x = 100; x < 140; x++) {
      expect(Number.isFinite(pixel(c, x, 215))).toBe(true);
      expect(pixel(c, x, 215, 'variance') > 0).toBe(true);
    }
    expect(pixel(c, 115, 215, 'variance')).toBe(Infinity);
    // Linear between the neighbours x=109 and x=120 along the row.
    const left = pixel(c, 109, 215);
    const right = pixel(c, 120, 215);
    expect(pixel(c, 115, 215)).toBeCloseTo(left + ((right - left) * 6) / 11, 3);
  });

  it('propagates SAT when the rejected weight fraction exceeds maskPropagationThresholds (0.1)', async () => {
    const warps = Array.from({ length: 20 }, (_, i) => makeWarp(2, 900 + i));
    const sat = warps[0]!.mask.getPlaneBitMask('SAT');
    const setSat = (e: Exposure, x: number, y: number): void => {
      const a = e.mask.array;
      a.data[(y - 200) * a.stride + (x - 100)]! |= sat;
      e.image.array.data[(y - 200) * a.stride + (x - 100)] = 1e7; // a saturated value, rejected
    };
    setSat(warps[0]!, 120, 210); // 1 of 20: 5% < 10%
    for (const i of [0, 1, 2]) setSat(warps[i]!, 125, 220); // 3 of 20: 15% > 10%
    const c = await coadd(task({ statistic: 'MEAN' }), warps);
    const rejected = c.mask.getPlaneBitMask('REJECTED');
    expect(pixel(c, 120, 210, 'mask') & sat).toBe(0);
    expect(pixel(c, 125, 220, 'mask') & sat).toBe(sat);
    // Rejected either way: REJECTED set, the saturated values not used.
    expect(pixel(c, 120, 210, 'mask') & rejected).toBe(rejected);
    expect(pixel(c, 125, 220, 'mask') & rejected).toBe(rejected);
    expect(Math.abs(pixel(c, 120, 210) - truth(120, 210))).toBeLessThan(5 * (2 / Math.sqrt(19)));
    expect(pixel(c, 120, 210, 'variance')).toBeCloseTo(4 / 19, 5);
    expect(pixel(c, 125, 220, 'variance')).toBeCloseTo(4 / 17, 5);
    expect(pixel(c, 121, 210, 'mask') & (sat | rejected)).toBe(0);
    // An input missing from a pixel makes the CoaddPsf inexact there (LSST's setInexactPsf).
    const inexact = c.mask.getPlaneBitMask('INEXACT_PSF');
    expect(pixel(c, 120, 210, 'mask') & inexact).toBe(inexact);
    expect(pixel(c, 121, 210, 'mask') & inexact).toBe(0);
    // A higher threshold keeps SAT off at 15%.
    const high = await coadd(task({ statistic: 'MEAN', maskPropagationThresholds: { SAT: 0.2 } }), warps);
    expect(pixel(high, 125, 220, 'mask') & sat).toBe(0);
  });

  it('uses the weight fraction, not the count: one SAT input carrying 30% of the weight sets SAT', async () => {
    // weights 1/σ²: one σ=1 input (weight 1) and 9 σ=√(9/ (7/3)) inputs of weight 7/27 each: 1 / (1 + 7/3) = 0.3.
    const s = Math.sqrt(27 / 7);
    const warps = [makeWarp(1, 5), ...Array.from({ length: 9 }, (_, i) => makeWarp(s, 60 + i))];
    const sat = warps[0]!.mask.getPlaneBitMask('SAT');
    warps[0]!.mask.array.data[5 * warps[0]!.mask.array.stride + 5]! |= sat;
    const t = task({ statistic: 'MEAN', maskPropagationThresholds: { SAT: 0.25 } });
    const c = await coadd(t, warps);
    expect(pixel(c, 105, 205, 'mask') & sat).toBe(sat);
    const t2 = task({ statistic: 'MEAN', maskPropagationThresholds: { SAT: 0.35 } });
    const c2 = await coadd(t2, warps);
    expect(pixel(c2, 105, 205, 'mask') & sat).toBe(0);
  });

  it('ORs the mask planes of the pixels used and clears removeMaskPlanes', async () => {
    const warps = [makeWarp(2, 11), makeWarp(2, 12), makeWarp(2, 13)];
    const detected = warps[0]!.mask.getPlaneBitMask('DETECTED');
    warps[1]!.mask.array.data[0]! |= detected;
    const nd = warps[2]!.mask.addMaskPlane('NOT_DEBLENDED');
    warps[2]!.mask.array.data[1]! |= 1 << nd;
    const c = await coadd(task({ statistic: 'MEAN' }), warps);
    expect(pixel(c, 100, 200, 'mask') & detected).toBe(detected);
    expect(pixel(c, 101, 200, 'mask')).toBe(0);
  });
});

describe('AssembleCoaddTask: subregions, handles, config', () => {
  it('does not depend on subregionSize (bit-identical), nImage included', async () => {
    const warps = Array.from({ length: 7 }, (_, i) => makeWarp(1 + i, 40 + i));
    warps[3]!.mask.array.data.fill(warps[3]!.mask.getPlaneBitMask('EDGE'), 0, 90);
    const a = task({ subregionSize: [2000, 2000], doNImage: true });
    const b = task({ subregionSize: [7, 5], doNImage: true });
    const run = async (t: AssembleCoaddTask) => {
      const prepared = await t.prepareInputs(
        warps.map((w) => new InMemoryWarpHandle(w)),
        BBOX,
      );
      return (await t.run({ skyInfo: SKY, ...prepared })).getDict();
    };
    const ra = await run(a);
    const rb = await run(b);
    expect(Buffer.from(rb.coaddExposure.image.array.data.buffer).equals(Buffer.from(ra.coaddExposure.image.array.data.buffer))).toBe(true);
    expect(Buffer.from(rb.coaddExposure.variance.array.data.buffer).equals(Buffer.from(ra.coaddExposure.variance.array.data.buffer))).toBe(true);
    expect(Array.from(rb.coaddExposure.mask.array.data)).toEqual(Array.from(ra.coaddExposure.mask.array.data));
    expect(Array.from(rb.nImage!.array.data)).toEqual(Array.from(ra.nImage!.array.data));
    // nImage: 7 inputs, 6 where warp 3 has EDGE (its first 90 pixels in raster order); SENSOR_EDGE set there.
    expect(ra.nImage!.array.data[0]).toBe(6);
    expect(ra.nImage!.array.data[100]).toBe(7);
    const sensorEdge = ra.coaddExposure.mask.getPlaneBitMask('SENSOR_EDGE');
    expect(ra.coaddExposure.mask.array.data[0]! & sensorEdge).toBe(sensorEdge);
    expect(ra.coaddExposure.mask.array.data[100]! & sensorEdge).toBe(0);
    const inexact = ra.coaddExposure.mask.getPlaneBitMask('INEXACT_PSF');
    expect(ra.coaddExposure.mask.array.data[0]! & inexact).toBe(inexact);
    expect(ra.coaddExposure.mask.array.data[100]! & inexact).toBe(0);
  });

  it('doOnlineForMean (running sums, one whole warp at a time) gives the MEAN coadd to the bit, nImage and masks included', async () => {
    const warps = Array.from({ length: 6 }, (_, i) => makeWarp(1 + i, 60 + i));
    const sat = warps[0]!.mask.getPlaneBitMask('SAT');
    warps[2]!.mask.array.data.fill(warps[2]!.mask.getPlaneBitMask('EDGE'), 0, 90);
    warps[0]!.mask.array.data.fill(sat, 200, 260); // the heaviest weight (σ 1): SAT propagates
    warps[5]!.mask.array.data.fill(sat, 300, 320);
    warps[1]!.image.array.data[500] = Number.NaN;
    const run = async (online: boolean) => {
      const t = task({ statistic: 'MEAN', doOnlineForMean: online, subregionSize: [9, 7], doNImage: true });
      const prepared = await t.prepareInputs(
        warps.map((w) => new InMemoryWarpHandle(w)),
        BBOX,
      );
      return (await t.run({ skyInfo: SKY, ...prepared })).getDict();
    };
    const online = await run(true);
    const stacked = await run(false);
    expect(Buffer.from(online.coaddExposure.image.array.data.buffer).equals(Buffer.from(stacked.coaddExposure.image.array.data.buffer))).toBe(true);
    expect(Buffer.from(online.coaddExposure.variance.array.data.buffer).equals(Buffer.from(stacked.coaddExposure.variance.array.data.buffer))).toBe(true);
    expect(Array.from(online.coaddExposure.mask.array.data)).toEqual(Array.from(stacked.coaddExposure.mask.array.data));
    expect(Array.from(online.nImage!.array.data)).toEqual(Array.from(stacked.nImage!.array.data));
    expect(online.coaddExposure.mask.array.data[210]! & sat).toBe(sat);
  });

  it('reads each warp only a subregion at a time', async () => {
    const boxes: string[] = [];
    const warps = [makeWarp(2, 1), makeWarp(2, 2)];
    const handles: WarpHandle[] = warps.map((w) => {
      const inner = new InMemoryWarpHandle(w);
      return {
        get: (o) => {
          boxes.push(o?.parameters?.bbox?.toString() ?? 'all');
          return inner.get(o);
        },
      };
    });
    const t = task({ subregionSize: [40, 10] });
    const prepared = await t.prepareInputs(handles, BBOX);
    boxes.length = 0;
    await t.run({ skyInfo: SKY, ...prepared });
    // One 1-pixel read per warp (metadata, CoaddInputs) + 3 subregions x 2 warps, each 40x10.
    expect(boxes).toHaveLength(8);
    for (const b of boxes.slice(2)) expect(b).toMatch(/40x10|\(40, 10\)|40, 10/);
  });

  it('treats the part of a subregion beyond a warp as NO_DATA, and bridges mask plane numberings', async () => {
    const small = makeWarp(2, 9, Box2I.fromCorner(new Point2I(100, 200), new Extent2I(20, 30)));
    const full = makeWarp(2, 10);
    // The second warp numbers its planes otherwise: DETECTED at bit 0, NO_DATA at 1, SAT at 2.
    const planes = new MaskPlaneDict([['DETECTED', 0], ['NO_DATA', 1], ['SAT', 2], ['EDGE', 3], ['BAD', 4]]);
    const mask = new Mask(new Int32Array(40 * 30), 40, 30, { xy0: BBOX.getMin(), planeDict: planes });
    mask.array.data[10 * 40 + 30] = 1; // DETECTED at (130, 210)
    mask.array.data[10 * 40 + 31] = 4; // SAT at (131, 210): rejected, so NO_DATA there (no other input)
    const other = new Exposure(new MaskedImage(full.image, mask, full.variance), full.info);
    const c = await coadd(task({ statistic: 'MEAN' }), [small, other]);
    expect(pixel(c, 110, 210)).toBeCloseTo((pixel(small, 110, 210) + pixel(full, 110, 210)) / 2, 3);
    expect(pixel(c, 130, 210)).toBe(pixel(full, 130, 210));
    expect(pixel(c, 130, 210, 'variance')).toBeCloseTo(4, 5);
    const coaddPlanes = c.mask.planeDict;
    expect(pixel(c, 130, 210, 'mask')).toBe(coaddPlanes.getPlaneBitMask('DETECTED'));
    expect(pixel(c, 131, 210, 'mask')).toBe(coaddPlanes.getPlaneBitMask(['SAT', 'REJECTED', 'NO_DATA', 'INEXACT_PSF']));
  });

  it('rejects warps without BUNIT or not in nJy, skips empty warps, and has nothing to do without warps', async () => {
    const t = task();
    const noUnit = makeWarp(2, 1);
    noUnit.metadata.delete('BUNIT');
    await expect(t.prepareInputs([new InMemoryWarpHandle(noUnit)], BBOX)).rejects.toThrow(/no BUNIT/);
    const adu = makeWarp(2, 1);
    adu.metadata.set('BUNIT', 'adu');
    await expect(t.prepareInputs([new InMemoryWarpHandle(adu)], BBOX)).rejects.toThrow(PipeTasksInvalidArgumentError);
    const empty = makeWarp(2, 1);
    empty.image.array.data.fill(NaN);
    const prepared = await t.prepareInputs([new InMemoryWarpHandle(empty), new InMemoryWarpHandle(makeWarp(2, 2))], BBOX);
    expect(prepared.warpRefList).toHaveLength(1);
    await expect(t.run({ skyInfo: SKY, warpRefList: [], weightList: [] })).rejects.toThrow(NoWorkFound);
    await expect(t.run({ skyInfo: SKY, warpRefList: prepared.warpRefList, weightList: [] })).rejects.toThrow(/Length mismatch/);
  });

  it('has LSST defaults, refuses unsupported switches and unknown statistics, and names the datasets as LSST', () => {
    const config = new AssembleCoaddConfig();
    expect(config.statistic).toBe('MEANCLIP');
    expect(config.sigmaClip).toBe(3);
    expect(config.clipIter).toBe(2);
    expect(config.calcErrorFromInputVariance).toBe(true);
    expect([...config.subregionSize]).toEqual([2000, 2000]);
    expect([...config.badMaskPlanes]).toEqual(['NO_DATA', 'BAD', 'SAT', 'EDGE']);
    expect({ ...config.maskPropagationThresholds }).toEqual({ SAT: 0.1 });
    expect([...config.removeMaskPlanes]).toEqual(['NOT_DEBLENDED']);
    expect(config.doInterp).toBe(true);
    expect(config.doNImage).toBe(false);
    expect(() => task({ statistic: 'MAX' })).toThrow(/statistic MAX is not allowed/);
    expect(config.doInputMap).toBe(false);
    expect(config.doOnlineForMean).toBe(false);
    expect(task({ doInputMap: true }).inputMapper).toBeDefined();
    const t = task();
    expect(t.getTempExpDatasetName()).toBe('deepCoadd_directWarp');
    const connections = new AssembleCoaddConnections({ config });
    expect(connections.inputs.has('inputWarps')).toBe(true);
    expect(connections.outputs.has('nImage')).toBe(false);
    expect(connections.outputs.has('inputMap')).toBe(false);
    expect(connections.get('inputWarps').name).toBe('deepCoadd_directWarp');
    expect(connections.get('coaddExposure').name).toBe('deepCoadd');
    expect([...connections.dimensions].sort()).toEqual(['band', 'patch', 'skymap', 'tract']);
  });

  it('runQuantum: makes the sky info of the quantum\'s patch, stacks, interpolates and writes deepCoadd and nImage', async () => {
    const skyMap = new DiscreteSkyMap(
      makeDiscreteSkyMapConfig({ raList: [56.65], decList: [-36.45], radiusList: [0.01], projection: 'TAN', pixelScale: 0.2, tractOverlap: 0, patchInnerDimensions: [60, 60], patchBorder: 5 }),
    );
    const patchBBox = skyMap.get(0).getPatchInfo([1, 0]).getOuterBBox();
    const warps = [makeWarp(2, 1, patchBBox), makeWarp(2, 2, patchBBox)];
    const written: Record<string, unknown> = {};
    const butlerQC = {
      get: () => Promise.resolve({ inputWarps: warps.map((w) => new InMemoryWarpHandle(w)), skyMap }),
      put: (outputs: Record<string, unknown>) => {
        Object.assign(written, outputs);
        return Promise.resolve();
      },
      quantum: { dataId: { get: (k: string) => ({ tract: 0, patch: skyMap.get(0).getSequentialPatchIndexFromPair([1, 0]), band: 'r', skymap: 'test' })[k] } },
    } as unknown as QuantumContext;
    const t = task({ doNImage: true, statistic: 'MEAN' });
    await t.runQuantum(butlerQC, { inputWarps: [] }, {});
    const c = written['coaddExposure'] as Exposure;
    expect(c.getBBox().equals(patchBBox)).toBe(true);
    expect(c.getWcs()).toBe(skyMap.get(0).getWcs());
    const x = patchBBox.getMinX() + 3;
    const y = patchBBox.getMinY() + 4;
    expect(pixel(c, x, y)).toBeCloseTo((pixel(warps[0]!, x, y) + pixel(warps[1]!, x, y)) / 2, 3);
    expect((written['nImage'] as { array: { data: Uint16Array } }).array.data[0]).toBe(2);
  });
});
