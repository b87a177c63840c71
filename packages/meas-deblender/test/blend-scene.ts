// Synthetic blends with analytic truth: Gaussian-PSF stars of known flux and position, Gaussian
// noise of known sigma, and the footprint a detection would give (the pixels where the noiseless
// model exceeds a threshold, with a peak at each star's nearest pixel).
import { Exposure, GaussianPsf } from '@skystack/afw-image';
import { Footprint, SourceCatalog, SpanSet, type Schema } from '@skystack/afw-table';
import { Extent2I } from '@skystack/geom';

/** A star: position (PARENT pixels) and total flux (counts). */
export interface Star {
  readonly x: number;
  readonly y: number;
  readonly flux: number;
  /** No peak for this star (its flux is stray flux for the deblender). */
  readonly noPeak?: boolean;
}

/** What {@link makeBlend} makes. */
export interface BlendScene {
  readonly exposure: Exposure;
  /** The noiseless image of each star alone (same layout as the exposure's image). */
  readonly models: Float64Array[];
  readonly footprint: Footprint;
  readonly stars: readonly Star[];
}

/** A seeded standard normal generator (mulberry32 + Box–Muller). */
export function gaussianRandom(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/**
 * An exposure with stars (circular Gaussian PSF of `sigma`, sampled at pixel centres: the sum over
 * an unbounded grid equals the flux to < 1e-12 for sigma ≥ 1), noise of `noise` (variance plane
 * `noise²`), and the footprint of pixels where the noiseless image exceeds `threshold`.
 */
export function makeBlend(options: { stars: readonly Star[]; sigma?: number; noise?: number; width?: number; height?: number; seed?: number; threshold?: number }): BlendScene {
  const sigma = options.sigma ?? 2;
  const noise = options.noise ?? 5;
  const width = options.width ?? 80;
  const height = options.height ?? 60;
  const threshold = options.threshold ?? 2 * noise;
  const exposure = Exposure.make('float32', new Extent2I(width, height));
  const psfSize = 2 * Math.ceil(5 * sigma) + 1;
  exposure.setPsf(new GaussianPsf(psfSize, psfSize, sigma));
  const img = exposure.image.array.data;
  const variance = exposure.variance.array.data;
  const models = options.stars.map((s) => {
    const m = new Float64Array(width * height);
    const norm = s.flux / (2 * Math.PI * sigma * sigma);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) m[y * width + x] = norm * Math.exp(-((x - s.x) ** 2 + (y - s.y) ** 2) / (2 * sigma * sigma));
    return m;
  });
  const total = new Float64Array(width * height);
  for (const m of models) for (let i = 0; i < total.length; i++) total[i] = total[i]! + m[i]!;
  const rand = gaussianRandom(options.seed ?? 1);
  for (let i = 0; i < total.length; i++) {
    img[i] = total[i]! + (noise > 0 ? noise * rand() : 0);
    variance[i] = noise > 0 ? noise * noise : 1;
  }
  const ys: number[] = [];
  const x0s: number[] = [];
  const x1s: number[] = [];
  for (let y = 0; y < height; y++) {
    let start = -1;
    for (let x = 0; x <= width; x++) {
      const inside = x < width && total[y * width + x]! > threshold;
      if (inside && start < 0) start = x;
      if (!inside && start >= 0) {
        ys.push(y);
        x0s.push(start);
        x1s.push(x - 1);
        start = -1;
      }
    }
  }
  const footprint = new Footprint(SpanSet.fromArrays(ys, x0s, x1s), { region: exposure.getBBox() });
  // peaks, brightest first (as detection sorts them)
  const order = options.stars.map((_, i) => i).sort((a, b) => options.stars[b]!.flux - options.stars[a]!.flux);
  for (const k of order) {
    const s = options.stars[k]!;
    if (s.noPeak === true) continue;
    const ix = Math.round(s.x);
    const iy = Math.round(s.y);
    const p = footprint.addPeak(ix, iy, img[iy * width + ix]!);
    p.set('id', BigInt(k + 1));
  }
  return { exposure, models, footprint, stars: options.stars };
}

/** A catalog with one source per footprint, made with the given schema. */
export function catalogOf(schema: Schema, footprints: readonly Footprint[]): SourceCatalog {
  const cat = new SourceCatalog(schema);
  footprints.forEach((fp, i) => {
    const r = cat.addNew();
    r.set('id', BigInt(i + 1));
    r.setFootprint(fp);
  });
  return cat;
}

/** The sum of a HeavyFootprint-like image array. */
export function sumOf(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
}
