// The simulated image of the detection benchmarks: pixel-integrated Gaussian stars with a
// power-law flux distribution on a flat sky, Poisson + read noise, and the truth list that every
// tool's catalog is scored against.
import { makeImageHeader, writeFits } from '@skystack/fits';
import { Random } from '@skystack/base';

/** FWHM / σ of a Gaussian: 2√(2 ln 2). */
export const FWHM_PER_SIGMA = 2 * Math.sqrt(2 * Math.LN2);

/** What {@link simulateStarField} makes. All fluxes are in counts (ADU). */
export interface StarFieldOptions {
  /** Image width, pixels. */
  readonly width: number;
  /** Image height, pixels. */
  readonly height: number;
  /** Number of stars. */
  readonly nStars: number;
  /** Seed of the random numbers (positions, fluxes, noise). */
  readonly seed: number;
  /** Gaussian PSF FWHM, pixels (default 3.5). */
  readonly fwhm?: number;
  /** Flat sky level, counts per pixel (default 1000). */
  readonly sky?: number;
  /** Gain, electrons per count (default 1). */
  readonly gain?: number;
  /** Read noise, electrons (default 5). */
  readonly readNoise?: number;
  /** Faintest star flux, counts (default 300). */
  readonly minFlux?: number;
  /** Brightest star flux, counts (default 300 000). */
  readonly maxFlux?: number;
  /**
   * Slope α of the cumulative counts N(> F) ∝ F^−α between the flux limits (default 0.5): most
   * stars are faint, a third of them near the 5σ detection limit.
   */
  readonly fluxSlope?: number;
  /** Stars are placed at least this far from the edges, pixels (default 20). */
  readonly margin?: number;
  /** Radius of the aperture for which each star's enclosed flux and S/N are given (default 6). */
  readonly apertureRadius?: number;
}

/** One simulated star: what the tools should find. Positions are pixel coordinates with (0, 0) the centre of the first pixel. */
export interface TruthStar {
  /** Centre, x (pixels). */
  readonly x: number;
  /** Centre, y (pixels). */
  readonly y: number;
  /** Total flux, counts. */
  readonly flux: number;
  /** Flux inside the circular aperture of `apertureRadius` (noise-free), counts. */
  readonly apertureFlux: number;
  /** Expected S/N of the aperture flux: `apertureFlux / √(apertureFlux/g + πr² (sky/g + rn²/g²))`. */
  readonly apertureSnr: number;
}

/** The simulated image and its truth. */
export interface StarField {
  /** Pixels, row-major (`data[y * width + x]`), counts. */
  readonly data: Float32Array;
  /** Width, pixels. */
  readonly width: number;
  /** Height, pixels. */
  readonly height: number;
  /** The stars, in the order they were drawn. */
  readonly truth: readonly TruthStar[];
  /** Gaussian σ of the PSF, pixels. */
  readonly psfSigma: number;
  /** Sky level, counts. */
  readonly sky: number;
  /** Gain, electrons per count. */
  readonly gain: number;
  /** Read noise, electrons. */
  readonly readNoise: number;
  /** The noise of an empty sky pixel, counts: √(sky/g + rn²/g²). */
  readonly skyNoise: number;
  /** The radius the truth's `apertureFlux` and `apertureSnr` refer to, pixels. */
  readonly apertureRadius: number;
}

/**
 * erf(x), |error| < 1.2e-7 (the Chebyshev fit of erfc in Numerical Recipes, 2nd ed., §6.2).
 *
 * @param x - the argument
 * @returns erf(x)
 */
export function erf(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const p = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const r = t * Math.exp(-z * z + p);
  return x >= 0 ? 1 - r : r - 1;
}

/**
 * The fraction of a pixel-integrated circular Gaussian inside a circle of radius r centred on
 * it: 1 − exp(−r² / 2σ²) with σ² widened by 1/12 px² for the pixel integration.
 *
 * @param sigma - the Gaussian σ, pixels
 * @param radius - the aperture radius, pixels
 * @returns the enclosed fraction, in (0, 1)
 */
export function gaussianEnclosedFraction(sigma: number, radius: number): number {
  return 1 - Math.exp((-radius * radius) / (2 * (sigma * sigma + 1 / 12)));
}

/**
 * A normalised 2-D Gaussian convolution kernel sampled at pixel centres (the matched filter
 * given to every tool).
 *
 * @param sigma - σ, pixels
 * @param size - the (odd) width and height; default the smallest odd number ≥ 4σ·2 + 1, at least 5
 * @returns the kernel rows (sum 1) and its size
 */
export function gaussianKernel(sigma: number, size = Math.max(5, 2 * Math.ceil(2 * sigma) + 1)): { readonly rows: number[][]; readonly size: number } {
  if (!(size % 2 === 1 && size >= 1)) throw new RangeError(`The kernel size must be a positive odd integer, got ${size}.`);
  const half = (size - 1) / 2;
  const rows: number[][] = [];
  let sum = 0;
  for (let j = -half; j <= half; j++) {
    const row: number[] = [];
    for (let i = -half; i <= half; i++) {
      const v = Math.exp(-(i * i + j * j) / (2 * sigma * sigma));
      row.push(v);
      sum += v;
    }
    rows.push(row);
  }
  return { rows: rows.map((r) => r.map((v) => v / sum)), size };
}

/**
 * Simulates a star field: star positions uniform in the image less a margin, fluxes from a
 * power law, each star a Gaussian integrated over every pixel (exact erf differences), on a flat
 * sky; then every pixel is replaced by a Poisson draw of its expected electrons plus Gaussian read
 * noise, in counts. Deterministic in `seed`.
 *
 * @param options - size, star count, seed and the optional scene parameters
 * @returns the pixels, the truth list and the noise parameters
 * @throws RangeError for a non-positive size, star count or flux range
 * @example
 * ```ts
 * const field = simulateStarField({ width: 1024, height: 1024, nStars: 190, seed: 1 });
 * field.truth.filter((s) => s.apertureSnr > 50).length;
 * ```
 */
export function simulateStarField(options: StarFieldOptions): StarField {
  const { width, height, nStars, seed } = options;
  const fwhm = options.fwhm ?? 3.5;
  const sky = options.sky ?? 1000;
  const gain = options.gain ?? 1;
  const readNoise = options.readNoise ?? 5;
  const minFlux = options.minFlux ?? 300;
  const maxFlux = options.maxFlux ?? 300_000;
  const alpha = options.fluxSlope ?? 0.5;
  const margin = options.margin ?? 20;
  const radius = options.apertureRadius ?? 6;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 2 * margin && height > 2 * margin)) {
    throw new RangeError(`The image must be integer-sized and larger than twice the margin (${margin} px), got ${width} x ${height}.`);
  }
  if (!(Number.isInteger(nStars) && nStars >= 0)) throw new RangeError(`nStars must be a non-negative integer, got ${nStars}.`);
  if (!(minFlux > 0 && maxFlux >= minFlux && alpha > 0)) throw new RangeError(`Need 0 < minFlux <= maxFlux and fluxSlope > 0, got ${minFlux}, ${maxFlux}, ${alpha}.`);

  const sigma = fwhm / FWHM_PER_SIGMA;
  const rng = new Random(seed);
  const skyNoise = Math.sqrt(sky / gain + (readNoise * readNoise) / (gain * gain));
  const enclosed = gaussianEnclosedFraction(sigma, radius);
  const apertureArea = Math.PI * radius * radius;
  const truth: TruthStar[] = [];
  const lo = Math.pow(minFlux, -alpha);
  const hi = Math.pow(maxFlux, -alpha);
  for (let k = 0; k < nStars; k++) {
    const x = margin + rng.uniform() * (width - 1 - 2 * margin);
    const y = margin + rng.uniform() * (height - 1 - 2 * margin);
    const flux = Math.pow(lo + rng.uniform() * (hi - lo), -1 / alpha); // inverse of N(>F) ∝ F^−α
    const apertureFlux = flux * enclosed;
    const apertureSnr = apertureFlux / Math.sqrt(apertureFlux / gain + apertureArea * skyNoise * skyNoise);
    truth.push({ x, y, flux, apertureFlux, apertureSnr });
  }

  // Expected counts: sky plus every star, integrated over each pixel (separable in x and y).
  const model = new Float64Array(width * height).fill(sky);
  const half = Math.ceil(6 * sigma) + 1;
  const ex = new Float64Array(2 * half + 1);
  const ey = new Float64Array(2 * half + 1);
  const s2 = Math.SQRT2 * sigma;
  for (const star of truth) {
    const cx = Math.round(star.x);
    const cy = Math.round(star.y);
    for (let i = -half; i <= half; i++) {
      ex[i + half] = 0.5 * (erf((cx + i + 0.5 - star.x) / s2) - erf((cx + i - 0.5 - star.x) / s2));
      ey[i + half] = 0.5 * (erf((cy + i + 0.5 - star.y) / s2) - erf((cy + i - 0.5 - star.y) / s2));
    }
    for (let j = -half; j <= half; j++) {
      const yy = cy + j;
      if (yy < 0 || yy >= height) continue;
      const fy = star.flux * ey[j + half]!;
      const row = yy * width;
      for (let i = -half; i <= half; i++) {
        const xx = cx + i;
        if (xx < 0 || xx >= width) continue;
        model[row + xx] = model[row + xx]! + fy * ex[i + half]!;
      }
    }
  }

  // Noise: Poisson electrons plus Gaussian read noise, back to counts.
  const data = new Float32Array(width * height);
  for (let p = 0; p < data.length; p++) {
    const electrons = rng.poisson(model[p]! * gain) + readNoise * rng.normal();
    data[p] = electrons / gain;
  }
  return { data, width, height, truth, psfSigma: sigma, sky, gain, readNoise, skyNoise, apertureRadius: radius };
}

/**
 * Writes a simulated field as a single-HDU float32 FITS image (what every tool reads).
 *
 * @param field - the field
 * @param path - the output file
 * @returns when the file is written
 */
export async function writeStarFieldFits(field: StarField, path: string): Promise<void> {
  const header = makeImageHeader(field.data, field.width, field.height, { extension: false });
  header.set('GAIN', field.gain, 'electrons per count (simulation)');
  header.set('RDNOISE', field.readNoise, 'read noise, electrons (simulation)');
  header.set('SKYLEVEL', field.sky, 'flat sky level, counts (simulation)');
  header.set('PSFSIGMA', field.psfSigma, 'Gaussian PSF sigma, pixels (simulation)');
  await writeFits(path, [{ header, data: { data: field.data, width: field.width, height: field.height } }]);
}
