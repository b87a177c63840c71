// Synthetic exposures for the tests: Gaussian stars of known flux, position and width, with
// known Gaussian noise, and circular footprints with one peak each (what detection would give).
import { Exposure, GaussianPsf, type ExposureF } from '@skystack/afw-image';
import { Footprint, SpanSet, type SourceCatalog } from '@skystack/afw-table';
import { Extent2I } from '@skystack/geom';

/** A star: total flux (counts), centre (PARENT pixels), Gaussian σ (pixels). */
export interface Star {
  readonly flux: number;
  readonly x: number;
  readonly y: number;
  readonly sigma: number;
}

/** erf with |error| < 1.2e-7 (Numerical Recipes' erfc Chebyshev fit). */
export function erf(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - r : r - 1;
}

/** A seeded uniform generator (mulberry32). */
export function makeRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded standard normal generator (Box–Muller over mulberry32). */
export function makeGaussian(seed: number): () => number {
  const u = makeRandom(seed);
  return () => Math.sqrt(-2 * Math.log(u() + 1e-300)) * Math.cos(2 * Math.PI * u());
}

/**
 * Adds a star to an image. `integrated`: each pixel holds the integral of the Gaussian over the
 * pixel (erf differences); otherwise the Gaussian is sampled at pixel centres (normalised to the
 * continuous flux, which the sum matches to ~1e-10 for σ ≥ 1).
 */
export function addStar(exposure: ExposureF, star: Star, integrated: boolean): void {
  const { data, stride, width, height } = exposure.image.array;
  const x0 = exposure.getXY0().getX();
  const y0 = exposure.getXY0().getY();
  const half = Math.ceil(7 * star.sigma);
  const cx = Math.round(star.x);
  const cy = Math.round(star.y);
  const s = star.sigma;
  const gx = (i: number): number =>
    integrated ? 0.5 * (erf((i + 0.5 - star.x) / (Math.SQRT2 * s)) - erf((i - 0.5 - star.x) / (Math.SQRT2 * s))) : Math.exp(-0.5 * ((i - star.x) / s) ** 2) / (Math.sqrt(2 * Math.PI) * s);
  const gy = (j: number): number =>
    integrated ? 0.5 * (erf((j + 0.5 - star.y) / (Math.SQRT2 * s)) - erf((j - 0.5 - star.y) / (Math.SQRT2 * s))) : Math.exp(-0.5 * ((j - star.y) / s) ** 2) / (Math.sqrt(2 * Math.PI) * s);
  for (let j = cy - half; j <= cy + half; j++) {
    if (j < y0 || j >= y0 + height) continue;
    const fy = gy(j);
    for (let i = cx - half; i <= cx + half; i++) {
      if (i < x0 || i >= x0 + width) continue;
      data[(j - y0) * stride + (i - x0)]! += star.flux * fy * gx(i);
    }
  }
}

/** Options of {@link makeExposure}. */
export interface ExposureOptions {
  readonly width: number;
  readonly height: number;
  /** PSF σ (a GaussianPsf is attached). */
  readonly psfSigma?: number;
  /** Standard deviation of the Gaussian noise (0: none); the variance plane is its square (or `varianceFloor`). */
  readonly noiseSigma?: number;
  readonly seed?: number;
  readonly integrated?: boolean;
}

/** Makes a float32 exposure with stars, noise, a constant variance plane and a GaussianPsf. */
export function makeExposure(stars: readonly Star[], options: ExposureOptions): ExposureF {
  const exposure = Exposure.make('float32', new Extent2I(options.width, options.height)) as ExposureF;
  for (const star of stars) addStar(exposure, star, options.integrated ?? false);
  const noise = options.noiseSigma ?? 0;
  const { data } = exposure.image.array;
  if (noise > 0) {
    const g = makeGaussian(options.seed ?? 1);
    for (let k = 0; k < data.length; k++) data[k]! += noise * g();
  }
  exposure.variance.array.data.fill(noise > 0 ? noise * noise : 1);
  const sigma = options.psfSigma ?? stars[0]?.sigma ?? 2;
  exposure.setPsf(new GaussianPsf(2 * Math.ceil(5 * sigma) + 1, 2 * Math.ceil(5 * sigma) + 1, sigma));
  return exposure;
}

/** A circular footprint of radius r around the nearest pixel of (x, y), with one peak there. */
export function circularFootprint(x: number, y: number, r: number): Footprint {
  const ix = Math.round(x);
  const iy = Math.round(y);
  const fp = new Footprint(SpanSet.fromShape(r, 'circle', ix, iy));
  fp.addPeak(ix, iy, 1);
  return fp;
}

/** Adds one record per star (ids 1..n) with a circular footprint of radius r. */
export function fillCatalog(catalog: SourceCatalog, stars: readonly Star[], r = 8): void {
  stars.forEach((s, i) => {
    const rec = catalog.addNew();
    rec.set('id', BigInt(i + 1));
    rec.setFootprint(circularFootprint(s.x, s.y, r));
  });
}

/** Mean and (unbiased) standard deviation. */
export function meanStd(values: ArrayLike<number>): [mean: number, std: number] {
  let m = 0;
  for (let i = 0; i < values.length; i++) m += values[i]!;
  m /= values.length;
  let v = 0;
  for (let i = 0; i < values.length; i++) v += (values[i]! - m) ** 2;
  return [m, Math.sqrt(v / (values.length - 1))];
}

/** Adds an elliptical Gaussian of covariance [[cxx, cxy], [cxy, cyy]], sampled at pixel centres. */
export function addEllipticalStar(exposure: ExposureF, flux: number, x: number, y: number, cxx: number, cyy: number, cxy: number): void {
  const { data, stride } = exposure.image.array;
  const det = cxx * cyy - cxy * cxy;
  const half = Math.ceil(7 * Math.sqrt(Math.max(cxx, cyy)));
  const norm = flux / (2 * Math.PI * Math.sqrt(det));
  for (let j = Math.round(y) - half; j <= Math.round(y) + half; j++) {
    for (let i = Math.round(x) - half; i <= Math.round(x) + half; i++) {
      const dx = i - x;
      const dy = j - y;
      const q = (cyy * dx * dx - 2 * cxy * dx * dy + cxx * dy * dy) / det;
      data[j * stride + i]! += norm * Math.exp(-0.5 * q);
    }
  }
}
