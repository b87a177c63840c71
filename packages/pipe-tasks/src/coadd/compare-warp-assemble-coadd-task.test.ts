import { Exposure, FilterLabel, GaussianPsf, Image, type Mask } from '@skystack/afw-image';
import { Footprint, SpanSet } from '@skystack/afw-table';
import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import { FootprintSet } from '@skystack/meas-algorithms';
import type { QuantumContext } from '@skystack/pipe-base';
import { DiscreteSkyMap, makeDiscreteSkyMapConfig } from '@skystack/skymap';
import { describe, expect, it } from 'vitest';
import { AssembleCoaddConfig, AssembleCoaddTask, type AssembleCoaddResult } from './assemble-coadd-task.js';
import type { SkyInfo } from './coadd-utils.js';
import {
  CompareWarpAssembleCoaddConfig,
  CompareWarpAssembleCoaddConnections,
  CompareWarpAssembleCoaddTask,
  type CompareWarpAssembleCoaddResult,
} from './compare-warp-assemble-coadd-task.js';
import { makeRandom } from '../../test/single-frame-scene.js';
import { InMemoryWarpHandle } from './in-memory-warp-handle.js';

const X0 = 100;
const Y0 = 200;
const WIDTH = 96;
const HEIGHT = 64;
const BBOX = Box2I.fromCorner(new Point2I(X0, Y0), new Extent2I(WIDTH, HEIGHT));
const SKY: SkyInfo = { bbox: BBOX, wcs: null };

/** A seeded standard normal generator (the scene helpers' mulberry32 + Box–Muller). */
const gaussian = (seed: number): (() => number) => makeRandom(seed).gauss;

/** The star field: position and flux (nJy). */
const STARS = [
  { x: 115, y: 214, flux: 40000 },
  { x: 140, y: 252, flux: 80000 },
  { x: 152, y: 211, flux: 20000 },
  { x: 120, y: 246, flux: 50000 },
];
/** Per epoch: the seeing (Gaussian PSF σ, px) and the noise σ (nJy). */
const SEEING = [1.3, 1.6, 1.9, 2.2, 1.4, 1.8, 2.1, 1.5];
const NOISE = [4, 5, 6, 4, 5, 6, 4, 5];
const WEIGHTS = NOISE.map((n) => 1 / (n * n));
const STREAK_EPOCH = 2;
const STREAK_Y = 232;
const STREAK_PEAK = 150;
const BLOB_EPOCH = 5;
const BLOB = { x: 180, y: 216, flux: 30000 };

const gauss2d = (dx: number, dy: number, sigma: number): number => Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma)) / (2 * Math.PI * sigma * sigma);

/** The noiseless star field of epoch i at pixel (x, y) (PARENT). */
function stars(i: number, x: number, y: number): number {
  let v = 0;
  for (const s of STARS) v += s.flux * gauss2d(x - s.x, y - s.y, SEEING[i]!);
  return v;
}

/** The noiseless artifacts of epoch i: a horizontal streak (PSF-wide) in one, a transient blob in another. */
function artifact(i: number, x: number, y: number): number {
  const sigma = SEEING[i]!;
  if (i === STREAK_EPOCH) return STREAK_PEAK * Math.exp(-((y - STREAK_Y) ** 2) / (2 * sigma * sigma));
  if (i === BLOB_EPOCH) return BLOB.flux * gauss2d(x - BLOB.x, y - BLOB.y, sigma);
  return 0;
}

/** The truth of a weighted MEAN coadd of the epochs `used` at (x, y). */
function truth(x: number, y: number, used: readonly number[], withArtifacts = false): number {
  let s = 0;
  let w = 0;
  for (const i of used) {
    s += WEIGHTS[i]! * (stars(i, x, y) + (withArtifacts ? artifact(i, x, y) : 0));
    w += WEIGHTS[i]!;
  }
  return s / w;
}

const ALL = SEEING.map((_, i) => i);

function makeWarp(i: number, extra: (x: number, y: number) => number = (x, y) => artifact(i, x, y)): Exposure {
  const exp = Exposure.make('float32', BBOX);
  const rnd = gaussian(7000 + 31 * i);
  const im = exp.image.array;
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) im.data[y * im.stride + x] = stars(i, x + X0, y + Y0) + extra(x + X0, y + Y0) + NOISE[i]! * rnd();
  }
  exp.variance.array.data.fill(NOISE[i]! ** 2);
  exp.metadata.set('BUNIT', 'nJy');
  exp.setFilter(FilterLabel.fromBandPhysical('r', 'SIM-R'));
  exp.setPsf(new GaussianPsf(21, 21, SEEING[i]!));
  return exp;
}

const pix = (e: Exposure, x: number, y: number, plane: 'image' | 'variance' | 'mask' = 'image'): number => {
  const a = (plane === 'image' ? e.image : plane === 'variance' ? e.variance : e.mask).array;
  return a.data[(y - e.getXY0().getY()) * a.stride + (x - e.getXY0().getX())]!;
};

async function assemble(task: AssembleCoaddTask, warps: readonly Exposure[]): Promise<AssembleCoaddResult> {
  const handles = warps.map((w) => new InMemoryWarpHandle(w));
  const prepared = await task.prepareInputs(handles, BBOX);
  return (await task.run({ skyInfo: SKY, ...prepared })).getDict();
}

async function compareWarp(warps: readonly Exposure[], task = new CompareWarpAssembleCoaddTask()): Promise<CompareWarpAssembleCoaddResult> {
  const handles = warps.map((w) => new InMemoryWarpHandle(w));
  const prepared = await task.prepareInputs(handles, BBOX);
  return (await task.run({ skyInfo: SKY, ...prepared })).getDict();
}

function meanTask(): AssembleCoaddTask {
  const config = new AssembleCoaddConfig();
  config.statistic = 'MEAN';
  return new AssembleCoaddTask({ config });
}

describe('CompareWarpAssembleCoaddTask: artifacts on a star field of varying seeing', () => {
  const warps = ALL.map((i) => makeWarp(i));
  const results = (async () => {
    const started = performance.now();
    const compare = await compareWarp(warps);
    const elapsedMs = performance.now() - started;
    const mean = (await assemble(meanTask(), warps)).coaddExposure;
    return { compare, mean, elapsedMs };
  })();
  const notStreak = ALL.filter((i) => i !== STREAK_EPOCH);
  const notBlob = ALL.filter((i) => i !== BLOB_EPOCH);

  it('removes the streak: CLIPPED there, the coadd of the other epochs within noise; a plain MEAN keeps it at w/Σw', async () => {
    const { compare, mean, elapsedMs } = await results;
    expect(elapsedMs).toBeLessThan(5000);
    const c = compare.coaddExposure;
    const clipped = c.mask.getPlaneBitMask('CLIPPED');
    let sumCompare = 0;
    let sumMean = 0;
    for (let x = X0; x < X0 + WIDTH; x++) {
      expect(pix(c, x, STREAK_Y, 'mask') & clipped, `x=${x}`).toBe(clipped);
      const sigma = Math.sqrt(pix(c, x, STREAK_Y, 'variance'));
      // Clipped: the variance is that of the other seven epochs exactly.
      expect(pix(c, x, STREAK_Y, 'variance')).toBeCloseTo(1 / notStreak.reduce((a, i) => a + WEIGHTS[i]!, 0), 4);
      const r = pix(c, x, STREAK_Y) - truth(x, STREAK_Y, notStreak);
      expect(Math.abs(r), `x=${x}`).toBeLessThan(4.5 * sigma);
      sumCompare += r;
      sumMean += pix(mean, x, STREAK_Y) - truth(x, STREAK_Y, ALL);
    }
    const sigma = Math.sqrt(pix(c, X0, STREAK_Y, 'variance'));
    expect(Math.abs(sumCompare / WIDTH)).toBeLessThan((4 * sigma) / Math.sqrt(WIDTH));
    // MEAN: the streak diluted by its weight fraction.
    const diluted = (STREAK_PEAK * WEIGHTS[STREAK_EPOCH]!) / WEIGHTS.reduce((a, w) => a + w, 0);
    expect(Math.abs(sumMean / WIDTH - diluted)).toBeLessThan((4 * Math.sqrt(pix(mean, X0, STREAK_Y, 'variance'))) / Math.sqrt(WIDTH));
    expect(diluted).toBeGreaterThan(10 * (sigma / Math.sqrt(WIDTH)));
  });

  it('removes the transient blob: CLIPPED at its core, the value of the other epochs', async () => {
    const { compare, mean } = await results;
    const c = compare.coaddExposure;
    const clipped = c.mask.getPlaneBitMask('CLIPPED');
    for (let dy = -2; dy <= 2; dy++) {
      for (let dx = -2; dx <= 2; dx++) {
        const x = BLOB.x + dx;
        const y = BLOB.y + dy;
        expect(pix(c, x, y, 'mask') & clipped).toBe(clipped);
        expect(Math.abs(pix(c, x, y) - truth(x, y, notBlob))).toBeLessThan(4.5 * Math.sqrt(pix(c, x, y, 'variance')));
      }
    }
    // The plain MEAN has the blob's peak diluted by its weight: hundreds of nJy.
    expect(pix(mean, BLOB.x, BLOB.y) - truth(BLOB.x, BLOB.y, ALL)).toBeGreaterThan(100);
    // The artifact masks: the streak and blob epochs only.
    compare.altMaskList.forEach((alt, i) => {
      const area = alt['CLIPPED']!.reduce((a, s) => a + s.getArea(), 0);
      if (i === STREAK_EPOCH || i === BLOB_EPOCH) expect(area).toBeGreaterThan(20);
      else expect(area, `epoch ${i}`).toBe(0);
    });
  });

  it('keeps the stars: aperture fluxes within 0.5% of the truth, no CLIPPED on them, the residuals of the seeing kept', async () => {
    const { compare } = await results;
    const c = compare.coaddExposure;
    const clipped = c.mask.getPlaneBitMask('CLIPPED');
    for (const s of STARS) {
      let measured = 0;
      let expected = 0;
      for (let y = s.y - 9; y <= s.y + 9; y++) {
        for (let x = s.x - 9; x <= s.x + 9; x++) {
          if ((x - s.x) ** 2 + (y - s.y) ** 2 > 81 || x < X0 || y < Y0 || x >= X0 + WIDTH || y >= Y0 + HEIGHT) continue;
          measured += pix(c, x, y);
          expected += truth(x, y, ALL);
          expect(pix(c, x, y, 'mask') & clipped, `star ${s.x},${s.y} pixel ${x},${y}`).toBe(0);
        }
      }
      expect(Math.abs(measured / expected - 1), `star at ${s.x},${s.y}`).toBeLessThan(0.005);
    }
  });

  it('equals the weighted MEAN coadd wherever nothing was clipped, and clips only near the artifacts', async () => {
    const { compare, mean } = await results;
    const c = compare.coaddExposure;
    const clipped = c.mask.getPlaneBitMask('CLIPPED');
    let unclipped = 0;
    for (let y = Y0; y < Y0 + HEIGHT; y++) {
      for (let x = X0; x < X0 + WIDTH; x++) {
        if ((pix(c, x, y, 'mask') & clipped) !== 0) {
          const nearStreak = Math.abs(y - STREAK_Y) <= 6;
          const nearBlob = (x - BLOB.x) ** 2 + (y - BLOB.y) ** 2 <= 10 ** 2;
          expect(nearStreak || nearBlob, `CLIPPED at ${x},${y}`).toBe(true);
          continue;
        }
        unclipped++;
        expect(pix(c, x, y)).toBe(pix(mean, x, y));
        expect(pix(c, x, y, 'variance')).toBe(pix(mean, x, y, 'variance'));
      }
    }
    expect(unclipped).toBeGreaterThan(WIDTH * HEIGHT - 16 * WIDTH);
  });
});

describe('CompareWarpAssembleCoaddTask: warp variance rescaling (doScaleWarpVariance)', () => {
  // Epoch 3 gets extra noise (σ 4 → 20) that its variance plane does not know about. Its
  // difference from the model then has a variance plane of ~16 + 9 (the model's, from the
  // scatter) against a true ~400: the 5σ per-pixel cut (`pixel_stdev`) sits at ~1.25 true σ and
  // its noise is clipped as artifacts, unless the warp's variance is first rescaled to its pixels
  // (by ~25: beyond the default limit of 10, hence a limit of 50 here).
  const liar = 3;
  const extra = gaussian(99);
  const warps = ALL.map((i) => {
    const w = makeWarp(i, () => 0);
    if (i === liar) w.image.array.data.forEach((v, k, a) => (a[k] = v + Math.sqrt(20 ** 2 - NOISE[i]! ** 2) * extra()));
    return w;
  });
  const countClipped = (e: Exposure): number => {
    const bit = e.mask.getPlaneBitMask('CLIPPED');
    return e.mask.array.data.reduce((n, m) => n + ((m & bit) !== 0 ? 1 : 0), 0);
  };

  const makeConfig = (scale: boolean): CompareWarpAssembleCoaddConfig => {
    const config = new CompareWarpAssembleCoaddConfig();
    config.doScaleWarpVariance = scale;
    config.scaleWarpVariance.limit = 50;
    return config;
  };

  it('rescales each warp to its measured noise, so an understated variance plane clips nothing; without it the noise is clipped', async () => {
    const scaled = await compareWarp(warps, new CompareWarpAssembleCoaddTask({ config: makeConfig(true) }));
    expect(countClipped(scaled.coaddExposure)).toBe(0);
    const config = makeConfig(false);
    const unscaled = await compareWarp(warps, new CompareWarpAssembleCoaddTask({ config }));
    expect(countClipped(unscaled.coaddExposure)).toBeGreaterThan(20);
    expect(new CompareWarpAssembleCoaddTask({ config }).scaleWarpVariance).toBeUndefined();
  });
});

describe('CompareWarpAssembleCoaddTask: a given static sky model', () => {
  it('leaves out, as NO_DATA, a warp the model was not made of (LSST: a warp without a PSF-matched warp)', async () => {
    const warps = ALL.map((i) => makeWarp(i, () => 0));
    const handles = warps.map((w) => new InMemoryWarpHandle(w));
    const task = new CompareWarpAssembleCoaddTask();
    const prepared = await task.prepareInputs(handles, BBOX);
    const without = 3;
    const supplementaryData = await task.makeSupplementaryData(
      SKY,
      handles.filter((_, i) => i !== without),
    );
    const res = (await task.run({ skyInfo: SKY, ...prepared, supplementaryData })).getDict();
    expect(res.warpRefList).toEqual(handles);
    expect(res.altMaskList[without]!['NO_DATA']!.map((s) => s.getArea())).toEqual([WIDTH * HEIGHT]);
    // The coadd is the weighted MEAN of the other seven warps.
    const others = (await assemble(meanTask(), warps.filter((_, i) => i !== without))).coaddExposure;
    for (const [x, y] of [
      [110, 210],
      [115, 214],
      [150, 240],
    ] as const) {
      expect(pix(res.coaddExposure, x, y)).toBeCloseTo(pix(others, x, y), 3);
      expect(pix(res.coaddExposure, x, y, 'variance')).toBeCloseTo(pix(others, x, y, 'variance'), 5);
    }
  });
});

/** A patch of a small sky map with a streak in one epoch's warp, for the runQuantum tests. */
function quantumScene(): { skyMap: DiscreteSkyMap; patchBBox: Box2I; streakY: number; warps: Exposure[]; dataId: { get(k: string): unknown } } {
  const skyMap = new DiscreteSkyMap(
    makeDiscreteSkyMapConfig({ raList: [56.65], decList: [-36.45], radiusList: [0.01], projection: 'TAN', pixelScale: 0.2, tractOverlap: 0, patchInnerDimensions: [60, 60], patchBorder: 5 }),
  );
  const patchBBox = skyMap.get(0).getPatchInfo([1, 0]).getOuterBBox();
  const streakY = patchBBox.getMinY() + 20;
  const warps = ALL.map((i) => {
    const e = Exposure.make('float32', patchBBox);
    const rnd = gaussian(300 + i);
    const a = e.image.array;
    for (let y = 0; y < a.height; y++) for (let x = 0; x < a.width; x++) a.data[y * a.stride + x] = NOISE[i]! * rnd() + (i === STREAK_EPOCH && y + patchBBox.getMinY() === streakY ? 200 : 0);
    e.variance.array.data.fill(NOISE[i]! ** 2);
    e.metadata.set('BUNIT', 'nJy');
    e.setPsf(new GaussianPsf(21, 21, SEEING[i]!));
    return e;
  });
  const ids: Record<string, unknown> = { tract: 0, patch: skyMap.get(0).getSequentialPatchIndexFromPair([1, 0]), band: 'r', skymap: 'test' };
  return { skyMap, patchBBox, streakY, warps, dataId: { get: (k: string) => ids[k] } };
}

describe('CompareWarpAssembleCoaddTask: runQuantum', () => {
  it("stacks the quantum's patch from its warps, without artifacts, and writes deepCoadd", async () => {
    const { skyMap, patchBBox, streakY, warps, dataId } = quantumScene();
    const written: Record<string, unknown> = {};
    const butlerQC = {
      get: () => Promise.resolve({ inputWarps: warps.map((w) => new InMemoryWarpHandle(w)), skyMap }),
      put: (outputs: Record<string, unknown>) => {
        Object.assign(written, outputs);
        return Promise.resolve();
      },
      quantum: { dataId },
    } as unknown as QuantumContext;
    await new CompareWarpAssembleCoaddTask().runQuantum(butlerQC, { inputWarps: [] }, {});
    expect(Object.keys(written)).toEqual(['coaddExposure']);
    const c = written['coaddExposure'] as Exposure;
    expect(c.getBBox().equals(patchBBox)).toBe(true);
    const clipped = c.mask.getPlaneBitMask('CLIPPED');
    const others = 1 / ALL.filter((i) => i !== STREAK_EPOCH).reduce((a, i) => a + WEIGHTS[i]!, 0);
    for (let x = patchBBox.getMinX(); x <= patchBBox.getMaxX(); x++) {
      expect(pix(c, x, streakY, 'mask') & clipped).toBe(clipped);
      expect(pix(c, x, streakY, 'variance')).toBeCloseTo(others, 4);
    }
  });

  it('with doWriteArtifactMasks, writes compare_warp_artifact_mask per visit: the warp mask over the patch, CLIPPED on the streak epoch only', async () => {
    const { skyMap, patchBBox, streakY, warps, dataId } = quantumScene();
    const visits = ALL.map((i) => 100 + i);
    const ref = (visit: number) => ({ dataId: { get: (k: string) => (k === 'visit' ? visit : undefined) }, datasetType: {}, run: 'r', id: String(visit) });
    const puts: { obj: unknown; ref: ReturnType<typeof ref> }[] = [];
    const written: Record<string, unknown> = {};
    const butlerQC = {
      get: () => Promise.resolve({ inputWarps: warps.map((w) => new InMemoryWarpHandle(w)), skyMap }),
      put: (obj: unknown, refs: unknown) => {
        if (Array.isArray(refs)) (obj as unknown[]).forEach((o, k) => puts.push({ obj: o, ref: refs[k] as ReturnType<typeof ref> }));
        else Object.assign(written, obj);
        return Promise.resolve();
      },
      quantum: { dataId },
    } as unknown as QuantumContext;
    const config = new CompareWarpAssembleCoaddConfig();
    config.doWriteArtifactMasks = true;
    expect(new CompareWarpAssembleCoaddConnections({ config }).outputs.has('artifactMasks')).toBe(true);
    expect(new CompareWarpAssembleCoaddConnections({ config: new CompareWarpAssembleCoaddConfig() }).outputs.has('artifactMasks')).toBe(false);
    const outRefs = [...visits].reverse().map(ref); // matched by visit, whatever the order
    await new CompareWarpAssembleCoaddTask({ config }).runQuantum(butlerQC, { inputWarps: visits.map(ref) as never }, { artifactMasks: outRefs as never });
    expect(Object.keys(written)).toEqual(['coaddExposure']);
    expect(puts).toHaveLength(ALL.length);
    for (const { obj, ref: r } of puts) {
      const mask = obj as Mask;
      const epoch = Number(r.dataId.get('visit')) - 100;
      const clipped = mask.getPlaneBitMask('CLIPPED');
      expect(mask.getBBox().equals(patchBBox)).toBe(true);
      const onStreak = mask.array.data[(streakY - patchBBox.getMinY()) * mask.array.stride + 10]! & clipped;
      expect(onStreak, `epoch ${epoch}`).toBe(epoch === STREAK_EPOCH ? clipped : 0);
    }
  });
});

describe('CompareWarpAssembleCoaddTask: the temporal filter', () => {
  it('keeps a source that varies in 4 of 8 epochs (more than the effective maxNumEpochs, 2)', async () => {
    const variable = { x: 130, y: 228, flux: 20000 };
    const warps = ALL.map((i) => makeWarp(i, (x, y) => (i % 2 === 0 ? variable.flux * gauss2d(x - variable.x, y - variable.y, SEEING[i]!) : 0)));
    const { coaddExposure: c } = await compareWarp(warps);
    const mean = (await assemble(meanTask(), warps)).coaddExposure;
    const clipped = c.mask.getPlaneBitMask('CLIPPED');
    for (let dy = -3; dy <= 3; dy++) {
      for (let dx = -3; dx <= 3; dx++) {
        expect(pix(c, variable.x + dx, variable.y + dy, 'mask') & clipped).toBe(0);
        expect(pix(c, variable.x + dx, variable.y + dy)).toBe(pix(mean, variable.x + dx, variable.y + dy));
      }
    }
  });

  const box = (x0: number, y0: number, w: number, h: number): SpanSet => SpanSet.fromBox(Box2I.fromCorner(new Point2I(x0, y0), new Extent2I(w, h)));
  const countImages = (): { counts: Image<Int32Array>; totals: Image<Int32Array> } => {
    const b = Box2I.fromCorner(new Point2I(10, 20), new Extent2I(40, 10));
    return { counts: Image.make('int32', b) as Image<Int32Array>, totals: Image.make('int32', b) as Image<Int32Array> };
  };
  const fill = (im: Image<Int32Array>, spans: SpanSet, value: number): void => {
    spans.forEachSpanIn(im.array, im.getXY0(), (s, e) => im.array.data.fill(value, s, e));
  };

  it('filterArtifacts: effective maxNumEpochs = trunc(min(0.4 N, 2 + 0.03 N)), more than spatialThreshold (0.5) of the pixels', () => {
    const task = new CompareWarpAssembleCoaddTask();
    const { counts, totals } = countImages();
    const a = box(10, 20, 5, 2); // N 10 → 2; count 2 everywhere: an artifact
    const b = box(16, 20, 5, 2); // N 10 → 2; count 3: persistent
    const c = box(22, 20, 5, 2); // N 100 → trunc(min(40, 5)) = 5; count 5: an artifact
    const d = box(28, 20, 5, 2); // N 100 → 5; count 6: persistent
    const e = box(34, 20, 4, 2); // N 4 → trunc(min(1.6, 2.12)) = 1; count 2: persistent
    const f = box(40, 20, 4, 2); // N 10 → 2: half the pixels count 1, half count 3: 0.5 is not > 0.5
    for (const [s, n, k] of [
      [a, 10, 2],
      [b, 10, 3],
      [c, 100, 5],
      [d, 100, 6],
      [e, 4, 2],
      [f, 10, 3],
    ] as const) {
      fill(totals, s, n);
      fill(counts, s, k);
    }
    fill(counts, box(40, 20, 4, 1), 1);
    const kept = task.filterArtifacts([a, b, c, d, e, f], counts, totals);
    expect(kept).toEqual([a, c]);
    // A candidate within one source of the static sky model is preserved (doPreserveContainedBySource).
    const sources = new FootprintSet([new Footprint(box(9, 19, 8, 4))], counts.getBBox());
    expect(task.filterArtifacts([a, c], counts, totals, sources)).toEqual([c]);
  });

  it('prefilterArtifacts drops candidates with at most prefilterArtifactsRatio (0.05) of good pixels', () => {
    const task = new CompareWarpAssembleCoaddTask();
    const exp = Exposure.make('float32', BBOX);
    const bad = exp.mask.getPlaneBitMask('BAD');
    const mostlyBad = box(110, 210, 20, 1);
    const someGood = box(110, 211, 20, 1);
    mostlyBad.setMask(exp.mask.array, exp.getXY0(), bad);
    someGood.setMask(exp.mask.array, exp.getXY0(), bad);
    exp.mask.array.data[(211 - Y0) * exp.mask.array.stride + (110 - X0)] = 0; // 1 of 20 good: 0.05, not > 0.05
    exp.mask.array.data[(211 - Y0) * exp.mask.array.stride + (111 - X0)] = 0; // 2 of 20: 0.1
    expect(task.prefilterArtifacts([mostlyBad, someGood], exp)).toEqual([someGood]);
  });
});

describe('CompareWarpAssembleCoaddConfig', () => {
  it('has LSST defaults (with a direct static sky model) and refuses what SkyStack cannot do', () => {
    const config = new CompareWarpAssembleCoaddConfig();
    expect(config.statistic).toBe('MEAN');
    expect([...config.badMaskPlanes]).toEqual(['NO_DATA', 'BAD', 'SAT', 'EDGE']);
    expect(config.maxNumEpochs).toBe(2);
    expect(config.maxFractionEpochsLow).toBe(0.4);
    expect(config.maxFractionEpochsHigh).toBe(0.03);
    expect(config.spatialThreshold).toBe(0.5);
    expect(config.doPreserveContainedBySource).toBe(true);
    expect(config.doPrefilterArtifacts).toBe(true);
    expect([...config.prefilterArtifactsMaskPlanes]).toEqual(['NO_DATA', 'BAD', 'SAT', 'SUSPECT']);
    expect(config.prefilterArtifactsRatio).toBe(0.05);
    expect(config.doFilterMorphological).toBe(false);
    expect(config.doScaleWarpVariance).toBe(true);
    expect(config.scaleWarpVariance.background.binSize).toBe(32);
    const model = config.assembleStaticSkyModel;
    expect(model.warpType).toBe('direct');
    expect(model.statistic).toBe('MEANCLIP');
    expect(model.sigmaClip).toBe(2.5);
    expect(model.clipIter).toBe(3);
    expect([...model.badMaskPlanes]).toEqual(['NO_DATA']);
    expect(model.calcErrorFromInputVariance).toBe(false);
    expect(model.doWrite).toBe(false);
    const d = config.detect;
    expect([d.thresholdPolarity, d.thresholdValue, d.thresholdType, d.minPixels, d.nSigmaToGrow, d.isotropicGrow]).toEqual(['both', 5, 'pixel_stdev', 4, 0.4, true]);
    expect([d.doTempLocalBackground, d.reEstimateBackground, d.returnOriginalFootprints]).toEqual([false, false, false]);
    expect(config.detectTemplate.nSigmaToGrow).toBe(2.4);

    const refuse = (edit: (c: CompareWarpAssembleCoaddConfig) => void, pattern: RegExp): void => {
      const c = new CompareWarpAssembleCoaddConfig();
      edit(c);
      expect(() => new CompareWarpAssembleCoaddTask({ config: c })).toThrow(pattern);
    };
    refuse((c) => (c.assembleStaticSkyModel.warpType = 'psfMatched'), /psfMatched/);
    refuse((c) => (c.doFilterMorphological = true), /doFilterMorphological/);
    refuse((c) => (c.assembleStaticSkyModel.doNImage = true), /doNImage/);
    refuse((c) => (c.assembleStaticSkyModel.doWrite = true), /compete for the same dataset name/);
  });

  it('has AssembleCoaddTask\'s connections; the PSF-matched warps and the template coadd are removed', () => {
    const config = new CompareWarpAssembleCoaddConfig();
    const connections = new CompareWarpAssembleCoaddConnections({ config });
    expect(connections.get('inputWarps').name).toBe('deepCoadd_directWarp');
    expect(connections.get('coaddExposure').name).toBe('deepCoadd');
    expect(connections.inputs.has('psfMatchedWarps')).toBe(false);
    expect(connections.outputs.has('templateCoadd')).toBe(false);
    expect(connections.outputs.has('nImage')).toBe(false);
    expect(CompareWarpAssembleCoaddConnections.allConnections.get('psfMatchedWarps')!.name).toBe('{inputCoaddName}Coadd_psfMatchedWarp');
    expect([...connections.dimensions].sort()).toEqual(['band', 'patch', 'skymap', 'tract']);
    expect(new CompareWarpAssembleCoaddTask().getTempExpDatasetName()).toBe('deepCoadd_directWarp');
  });
});
