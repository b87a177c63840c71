/**
 * Synthetic exposures with known truth for the detection and background tests: Gaussian stars of
 * known sigma, flux and position on a known sky (constant or a plane) with Gaussian noise of known
 * sigma, made here from a seeded generator (no code under test involved).
 */
import { Exposure } from '@skystack/afw-image';
import type { Point2I } from '@skystack/geom';
import { Extent2I } from '@skystack/geom';

/** A seeded uniform generator on [0, 1) (mulberry32). */
export function uniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded standard normal generator (Box–Muller). */
export function normal(seed: number): () => number {
  const u = uniform(seed);
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const v = spare;
      spare = undefined;
      return v;
    }
    const a = Math.max(u(), 1e-300);
    const b = u();
    const r = Math.sqrt(-2 * Math.log(a));
    spare = r * Math.sin(2 * Math.PI * b);
    return r * Math.cos(2 * Math.PI * b);
  };
}

/** One star of the truth. */
export interface Star {
  x: number;
  y: number;
  flux: number;
}

/** What makes a synthetic exposure. */
export interface SceneOptions {
  width: number;
  height: number;
  /** PSF Gaussian sigma in pixels. */
  psfSigma: number;
  /** Noise sigma per pixel (the variance plane holds its square). */
  noise: number;
  /** Sky: `a + bx (x - x0) + by (y - y0)` in PARENT pixels. */
  sky?: { a: number; bx?: number; by?: number };
  stars?: readonly Star[];
  seed: number;
  xy0?: Point2I;
}

/** The sky level at a PARENT pixel. */
export function skyAt(o: SceneOptions, x: number, y: number): number {
  const s = o.sky ?? { a: 0 };
  const x0 = o.xy0?.getX() ?? 0;
  const y0 = o.xy0?.getY() ?? 0;
  return s.a + (s.bx ?? 0) * (x - x0) + (s.by ?? 0) * (y - y0);
}

/**
 * A float32 exposure: sky + stars (the Gaussian integrated over each pixel, via erf) + noise; the
 * variance plane is the noise variance; no PSF attached.
 */
export function makeScene(o: SceneOptions): Exposure<Float32Array> {
  const exposure = Exposure.make('float32', new Extent2I(o.width, o.height));
  if (o.xy0 !== undefined) exposure.maskedImage.setXY0(o.xy0);
  const x0 = o.xy0?.getX() ?? 0;
  const y0 = o.xy0?.getY() ?? 0;
  const { data } = exposure.image.array;
  const rand = normal(o.seed);
  for (let y = 0; y < o.height; y++) for (let x = 0; x < o.width; x++) data[y * o.width + x] = skyAt(o, x + x0, y + y0) + o.noise * rand();
  const s = o.psfSigma;
  const half = Math.ceil(6 * s);
  const cdf = (t: number): number => 0.5 * (1 + erf(t / (Math.SQRT2 * s)));
  for (const star of o.stars ?? []) {
    const cx = star.x - x0;
    const cy = star.y - y0;
    const ix = Math.round(cx);
    const iy = Math.round(cy);
    for (let y = Math.max(0, iy - half); y <= Math.min(o.height - 1, iy + half); y++) {
      const fy = cdf(y + 0.5 - cy) - cdf(y - 0.5 - cy);
      for (let x = Math.max(0, ix - half); x <= Math.min(o.width - 1, ix + half); x++) {
        const fx = cdf(x + 0.5 - cx) - cdf(x - 0.5 - cx);
        data[y * o.width + x] = data[y * o.width + x]! + star.flux * fx * fy;
      }
    }
  }
  exposure.variance.array.data.fill(o.noise * o.noise);
  return exposure;
}

/** erf by Abramowitz & Stegun 7.1.26 (absolute error < 1.5e-7). */
export function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return sign * y;
}

/**
 * The matched-filter significance of a star of flux F for a Gaussian PSF of sigma s smoothed by
 * the same Gaussian, in white noise of sigma n: `F / (n √(4π s²))`.
 */
export function matchedSnr(flux: number, psfSigma: number, noise: number): number {
  return flux / (noise * Math.sqrt(4 * Math.PI * psfSigma * psfSigma));
}

/** The flux giving a matched-filter significance. */
export function fluxForSnr(snr: number, psfSigma: number, noise: number): number {
  return snr * noise * Math.sqrt(4 * Math.PI * psfSigma * psfSigma);
}

/** Stars on a jittered grid (spacing `step`), with positions offset from pixel centres by at most `maxOffset`. */
export function gridStars(width: number, height: number, step: number, margin: number, flux: (i: number) => number, seed: number, maxOffset = 0.3): Star[] {
  const u = uniform(seed);
  const out: Star[] = [];
  let i = 0;
  for (let y = margin; y <= height - margin; y += step) {
    for (let x = margin; x <= width - margin; x += step) {
      out.push({ x: x + (2 * u() - 1) * maxOffset, y: y + (2 * u() - 1) * maxOffset, flux: flux(i++) });
    }
  }
  return out;
}
