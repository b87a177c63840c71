/**
 * Synthetic exposures with a known, spatially varying PSF for the characterisation tests: stars
 * drawn with a circular Gaussian (or double Gaussian) whose sigma varies linearly across the
 * field, galaxies (round Gaussians wider than the PSF), Gaussian noise; made here from a seeded
 * generator with no code under test involved. The sky is zero (as after background subtraction).
 */
import { Exposure } from '@skystack/afw-image';
import { Extent2I } from '@skystack/geom';
import { erf, normal, uniform } from './synthetic.js';

/** One object of the truth. */
export interface TruthObject {
  x: number;
  y: number;
  flux: number;
  /** The Gaussian sigma of the object before the PSF (0 for stars). */
  intrinsicSigma: number;
}

/** The scene. */
export interface PsfSceneOptions {
  width: number;
  height: number;
  /** PSF sigma at (0, 0). */
  sigma0: number;
  /** d sigma / dx (per pixel). */
  dSigmaDx: number;
  /** d sigma / dy (per pixel). */
  dSigmaDy: number;
  /** Second Gaussian: its sigma relative to the first and its amplitude ratio (peak-to-peak), for a double Gaussian. */
  second?: { sigmaRatio: number; b: number };
  noise: number;
  seed: number;
  objects: readonly TruthObject[];
}

/** The true PSF sigma (of the core) at a position. */
export function trueSigma(o: PsfSceneOptions, x: number, y: number): number {
  return o.sigma0 + o.dSigmaDx * x + o.dSigmaDy * y;
}

/**
 * The true second moment (Ixx = Iyy) of the pixel-integrated PSF at a position: `σ² + 1/12` for a
 * Gaussian; the flux-weighted mean of the components' for a double Gaussian.
 */
export function truePsfMoment(o: PsfSceneOptions, x: number, y: number): number {
  const s1 = trueSigma(o, x, y);
  if (o.second === undefined) return s1 * s1 + 1 / 12;
  const s2 = s1 * o.second.sigmaRatio;
  const w1 = s1 * s1;
  const w2 = o.second.b * s2 * s2; // flux ∝ peak × σ²
  return (w1 * (s1 * s1) + w2 * (s2 * s2)) / (w1 + w2) + 1 / 12;
}

/** Adds a pixel-integrated round Gaussian of total flux `flux` into `data`. */
export function addGaussian(data: Float32Array, width: number, height: number, cx: number, cy: number, sigma: number, flux: number): void {
  const half = Math.ceil(7 * sigma);
  const cdf = (t: number): number => 0.5 * (1 + erf(t / (Math.SQRT2 * sigma)));
  const ix = Math.round(cx);
  const iy = Math.round(cy);
  const fxs = new Float64Array(2 * half + 1);
  for (let x = ix - half; x <= ix + half; x++) fxs[x - ix + half] = cdf(x + 0.5 - cx) - cdf(x - 0.5 - cx);
  for (let y = Math.max(0, iy - half); y <= Math.min(height - 1, iy + half); y++) {
    const fy = cdf(y + 0.5 - cy) - cdf(y - 0.5 - cy);
    for (let x = Math.max(0, ix - half); x <= Math.min(width - 1, ix + half); x++) data[y * width + x]! += flux * fxs[x - ix + half]! * fy;
  }
}

/** Draws the scene: objects convolved with the local PSF, plus noise; variance = noise². */
export function makePsfScene(o: PsfSceneOptions): Exposure<Float32Array> {
  const exposure = Exposure.make('float32', new Extent2I(o.width, o.height));
  const { data } = exposure.image.array;
  const rand = normal(o.seed);
  for (let i = 0; i < data.length; i++) data[i] = o.noise * rand();
  for (const obj of o.objects) {
    const s1 = trueSigma(o, obj.x, obj.y);
    const g = obj.intrinsicSigma * obj.intrinsicSigma;
    if (o.second === undefined) {
      addGaussian(data, o.width, o.height, obj.x, obj.y, Math.sqrt(s1 * s1 + g), obj.flux);
    } else {
      const s2 = s1 * o.second.sigmaRatio;
      const w1 = s1 * s1;
      const w2 = o.second.b * s2 * s2;
      addGaussian(data, o.width, o.height, obj.x, obj.y, Math.sqrt(s1 * s1 + g), (obj.flux * w1) / (w1 + w2));
      addGaussian(data, o.width, o.height, obj.x, obj.y, Math.sqrt(s2 * s2 + g), (obj.flux * w2) / (w1 + w2));
    }
  }
  exposure.variance.array.data.fill(o.noise * o.noise);
  return exposure;
}

/**
 * Objects on a jittered grid: every `galaxyEvery`-th is a galaxy (intrinsic sigma 3–5 px), the
 * rest stars; fluxes log-uniform in `[fluxMin, fluxMax]`.
 */
export function gridObjects(width: number, height: number, step: number, margin: number, fluxMin: number, fluxMax: number, galaxyEvery: number, seed: number): TruthObject[] {
  const u = uniform(seed);
  const out: TruthObject[] = [];
  let i = 0;
  for (let y = margin; y <= height - margin; y += step) {
    for (let x = margin; x <= width - margin; x += step) {
      const flux = fluxMin * Math.pow(fluxMax / fluxMin, u());
      const isGalaxy = galaxyEvery > 0 && i % galaxyEvery === galaxyEvery - 1;
      out.push({ x: x + (2 * u() - 1) * 0.5, y: y + (2 * u() - 1) * 0.5, flux, intrinsicSigma: isGalaxy ? 3 + 2 * u() : 0 });
      i++;
    }
  }
  return out;
}

/** The truth object nearest a position (and its distance). */
export function nearest(objects: readonly TruthObject[], x: number, y: number): { object: TruthObject; distance: number } {
  let best = objects[0]!;
  let d = Infinity;
  for (const o of objects) {
    const dd = Math.hypot(o.x - x, o.y - y);
    if (dd < d) {
      d = dd;
      best = o;
    }
  }
  return { object: best, distance: d };
}
