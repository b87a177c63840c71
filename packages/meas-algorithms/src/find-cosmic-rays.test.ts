/**
 * Cosmic-ray finding and repair on synthetic exposures with known truth: Gaussian stars and sharp
 * 1–3-pixel hits of known positions on a flat sky with Gaussian noise (made here from a seeded
 * generator). Checks completeness, false detections on stars, the repaired values against the
 * noiseless truth, and the CR mask.
 */
import { describe, expect, it } from 'vitest';
import { Exposure, SingleGaussianPsf } from '@skystack/afw-image';
import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import { addGaussian } from '../test/psf-scene.js';
import { normal, uniform } from '../test/synthetic.js';
import { MeasAlgorithmsInvalidArgumentError, MeasAlgorithmsTooManyCosmicRaysError } from './errors.js';
import { FindCosmicRaysConfig, findCosmicRays } from './find-cosmic-rays.js';
import { RepairConfig, RepairTask } from './repair-task.js';

const SIZE = 600;
const SKY = 100;
const NOISE = 10;
const SIGMA = 1.6;

interface Scene {
  exposure: Exposure<Float32Array>;
  /** The noiseless image (sky + stars). */
  truth: Float32Array;
  stars: { x: number; y: number }[];
  /** Each CR's pixel indices (row-major). */
  crs: number[][];
}

function makeScene(seed: number, nCr = 200): Scene {
  const u = uniform(seed);
  const truth = new Float32Array(SIZE * SIZE).fill(SKY);
  const stars: { x: number; y: number }[] = [];
  for (let y = 30; y < SIZE - 20; y += 55) {
    for (let x = 30; x < SIZE - 20; x += 55) {
      const s = { x: x + u() - 0.5, y: y + u() - 0.5 };
      stars.push(s);
      addGaussian(truth, SIZE, SIZE, s.x, s.y, SIGMA, 2e4 * Math.pow(20, u())); // peaks ~1200 .. 25000
    }
  }
  const data = Float32Array.from(truth);
  const rand = normal(seed + 1);
  for (let i = 0; i < data.length; i++) data[i]! += NOISE * rand();
  const crs: number[][] = [];
  const shapes = [[[0, 0]], [[0, 0], [1, 0]], [[0, 0], [1, 1], [2, 2]], [[0, 0], [0, 1]], [[0, 0], [1, 0], [1, 1]]];
  while (crs.length < nCr) {
    const x = 3 + Math.floor(u() * (SIZE - 8));
    const y = 3 + Math.floor(u() * (SIZE - 8));
    if (stars.some((s) => Math.hypot(s.x - x, s.y - y) < 9)) continue;
    if (crs.some((c) => c.some((p) => Math.hypot((p % SIZE) - x, Math.floor(p / SIZE) - y) < 6))) continue;
    const shape = shapes[crs.length % shapes.length]!;
    const pixels = shape.map(([dx, dy]) => (y + dy!) * SIZE + x + dx!);
    for (const p of pixels) data[p]! += 300 + 3000 * u();
    crs.push(pixels);
  }
  const exposure = Exposure.make('float32', new Extent2I(SIZE, SIZE));
  exposure.image.array.data.set(data);
  exposure.variance.array.data.fill(NOISE * NOISE);
  exposure.setPsf(new SingleGaussianPsf(21, 21, SIGMA));
  return { exposure, truth, stars, crs };
}

function countDifferences(a: Float32Array, b: Float32Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

describe('findCosmicRays / RepairTask', () => {
  it('finds ≥ 95% of sharp 1–3-pixel hits, flags no star, and repairs them to the truth within the noise', () => {
    const { exposure, truth, stars, crs } = makeScene(3);
    const task = new RepairTask();
    const { cosmicRays } = task.run(exposure);
    const mask = exposure.mask.array.data;
    const crBit = exposure.mask.getPlaneBitMask('CR');
    const found = crs.filter((pixels) => pixels.some((p) => (mask[p]! & crBit) !== 0)).length;
    expect(found / crs.length).toBeGreaterThanOrEqual(0.95);
    // No CR footprint on a star (≤ 1 per 100 bright stars), and no star's central pixels masked.
    const onStars = cosmicRays.filter((fp) => {
      const peak = fp.getPeaks().get(0);
      return stars.some((s) => Math.hypot(s.x - peak.getIx(), s.y - peak.getIy()) < 8);
    }).length;
    expect(onStars).toBeLessThanOrEqual(Math.floor(stars.length / 100));
    for (const s of stars) expect(mask[Math.round(s.y) * SIZE + Math.round(s.x)]! & crBit).toBe(0);
    // Every footprint is an injected CR (no noise detections).
    const injected = new Set(crs.flat());
    const spurious = cosmicRays.filter((fp) => !injected.has((fp.getPeaks().get(0).getIy()) * SIZE + fp.getPeaks().get(0).getIx())).length;
    expect(spurious).toBeLessThanOrEqual(2);
    // Repaired to the noiseless truth within the noise.
    const image = exposure.image.array.data;
    let sum = 0;
    let sum2 = 0;
    let n = 0;
    for (const pixels of crs) {
      for (const p of pixels) {
        if ((mask[p]! & crBit) === 0) continue;
        const r = (image[p]! - truth[p]!) / NOISE;
        sum += r;
        sum2 += r * r;
        n++;
      }
    }
    expect(n).toBeGreaterThan(0.95 * crs.flat().length);
    expect(Math.abs(sum / n)).toBeLessThan(0.3);
    expect(Math.sqrt(sum2 / n)).toBeLessThan(1.5);
    expect(task.metadata.get('numCosmicRays')).toBe(cosmicRays.length);
  });

  it('masks but keeps the values with keepCRs, and clears an old CR plane', () => {
    const { exposure, crs } = makeScene(5, 40);
    const crBit = exposure.mask.getPlaneBitMask('CR');
    exposure.mask.array.data[5]! |= crBit; // a stale CR bit
    const before = Float32Array.from(exposure.image.array.data);
    const config = new RepairConfig();
    config.cosmicray.keepCRs = true;
    const { cosmicRays } = new RepairTask({ config }).run(exposure);
    expect(cosmicRays.length).toBeGreaterThanOrEqual(38);
    expect(countDifferences(exposure.image.array.data, before)).toBe(0);
    expect(exposure.mask.array.data[5]! & crBit).toBe(0);
    expect(crs.filter((pixels) => pixels.some((p) => (exposure.mask.array.data[p]! & crBit) !== 0)).length).toBeGreaterThanOrEqual(38);
  });

  it('drops hits fainter than min_DN and skips BAD pixels', () => {
    const { exposure, crs } = makeScene(9, 20);
    const config = new FindCosmicRaysConfig();
    config.min_DN = 1e6;
    expect(findCosmicRays(exposure.maskedImage, exposure.getPsf()!, SKY, config)).toHaveLength(0);
    const bad = exposure.mask.getPlaneBitMask('BAD');
    for (const pixels of crs) for (const p of pixels) exposure.mask.array.data[p]! |= bad;
    expect(findCosmicRays(exposure.maskedImage, exposure.getPsf()!, SKY, new FindCosmicRaysConfig())).toHaveLength(0);
  });

  it('throws when there are more CR pixels than nCrPixelMax, leaving the image unchanged', () => {
    const { exposure } = makeScene(11, 30);
    const before = Float32Array.from(exposure.image.array.data);
    const config = new FindCosmicRaysConfig();
    config.nCrPixelMax = 5;
    expect(() => findCosmicRays(exposure.maskedImage, exposure.getPsf()!, SKY, config)).toThrow(MeasAlgorithmsTooManyCosmicRaysError);
    expect(countDifferences(exposure.image.array.data, before)).toBe(0);
  });

  it('interpolates over defects, setting BAD and INTRP', () => {
    const exposure = Exposure.make('float32', new Extent2I(50, 40));
    const { data } = exposure.image.array;
    for (let y = 0; y < 40; y++) for (let x = 0; x < 50; x++) data[y * 50 + x] = 10 + 2 * x + y; // a plane
    for (let y = 5; y < 30; y++) data[y * 50 + 20] = 1e4; // a bad column
    const config = new RepairConfig();
    config.doCosmicRay = false;
    exposure.setPsf(new SingleGaussianPsf(11, 11, 1.5));
    new RepairTask({ config }).run(exposure, { defects: [new Box2I(new Point2I(20, 5), new Point2I(20, 29))] });
    const bits = exposure.mask.getPlaneBitMask(['BAD', 'INTRP']);
    for (let y = 5; y < 30; y++) {
      expect(data[y * 50 + 20]).toBeCloseTo(10 + 40 + y, 3);
      expect(exposure.mask.array.data[y * 50 + 20]! & bits).toBe(bits);
    }
    expect(exposure.mask.array.data[4 * 50 + 20]).toBe(0);
  });

  it('interpolates defects of a sub-image (rows of the parent, PARENT boxes) as of the same pixels on their own', () => {
    // a plane with a bad column and a bad block, inside a wider parent with other values around
    const parent = Exposure.make('float32', new Extent2I(70, 50));
    const pd = parent.image.array.data;
    for (let y = 0; y < 50; y++) for (let x = 0; x < 70; x++) pd[y * 70 + x] = x >= 10 && x < 60 && y >= 5 && y < 45 ? 10 + 2 * (x - 10) + (y - 5) : -500;
    for (let y = 10; y < 35; y++) pd[y * 70 + 30] = 1e4;
    for (let y = 20; y < 24; y++) for (let x = 40; x < 46; x++) pd[y * 70 + x] = 1e4;
    const box = new Box2I(new Point2I(10, 5), new Point2I(59, 44));
    const sub = parent.subset(box);
    const alone = sub.clone();
    expect(sub.image.array.stride).toBe(70);
    const defects = [new Box2I(new Point2I(30, 10), new Point2I(30, 34)), new Box2I(new Point2I(40, 20), new Point2I(45, 23))];
    const config = new RepairConfig();
    config.doCosmicRay = false;
    for (const e of [sub, alone]) {
      e.setPsf(new SingleGaussianPsf(11, 11, 1.5));
      new RepairTask({ config }).run(e, { defects });
    }
    const a = sub.image.array;
    const b = alone.image.array;
    for (let y = 0; y < 40; y++) for (let x = 0; x < 50; x++) expect(a.data[y * a.stride + x]).toBe(b.data[y * b.stride + x]);
    expect(b.data[(25 - 5) * b.stride + 30 - 10]).toBeCloseTo(10 + 40 + 20, 3); // the plane, restored
    expect(pd[0]).toBe(-500); // the parent outside the sub-image untouched
  });

  it('needs a PSF', () => {
    const exposure = Exposure.make('float32', new Extent2I(10, 10));
    expect(() => new RepairTask().run(exposure)).toThrow(MeasAlgorithmsInvalidArgumentError);
  });
});
