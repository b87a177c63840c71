// The true PSF of SimCam: a double Gaussian whose width and ellipticity vary over the focal plane.
import type { GaussianMixture } from './gaussian-mixture.js';

/** Flux fraction of the wide component of the double Gaussian. */
export const PSF_WING_FRACTION = 0.1;
/** Width of the wide component relative to the core. */
export const PSF_WING_RATIO = 2;

// Half-maximum radius of the circular double Gaussian, in units of the core sigma.
const HALF_MAX_T = (() => {
  const f = PSF_WING_FRACTION;
  const r2 = PSF_WING_RATIO * PSF_WING_RATIO;
  const g = (t: number): number => (1 - f) * Math.exp(-0.5 * t * t) + (f / r2) * Math.exp((-0.5 * t * t) / r2);
  const half = 0.5 * g(0);
  let lo = 0;
  let hi = 5;
  for (let i = 0; i < 80; i++) {
    const mid = 0.5 * (lo + hi);
    if (g(mid) > half) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
})();

/** The PSF at one place: what the truth files record. */
export interface PsfParameters {
  /** Core sigma along the mean axis (√ of the determinant's fourth root), pixels. */
  readonly sigmaCore: number;
  /** Wing sigma, pixels. */
  readonly sigmaWing: number;
  /** Flux fraction of the wing. */
  readonly wingFraction: number;
  /** Ellipticity e1 (distortion, (a²−b²)/(a²+b²) · cos 2θ) in pixel axes. */
  readonly e1: number;
  /** Ellipticity e2 in pixel axes. */
  readonly e2: number;
  /** FWHM of the circularised profile, pixels. */
  readonly fwhmPixels: number;
}

/**
 * The PSF of one visit: a double Gaussian (90% core of sigma σ, 10% wing of 2σ) whose FWHM is the
 * visit's seeing at the centre of the focal plane, grows by 6% at r = 30 mm, and whose
 * ellipticity (the same for both components) is a per-visit constant plus a pattern
 * `0.04·((x² − y²), 2xy)/(30 mm)²` in pixel axes. The mixture is in pixels (the detector yaw,
 * below 0.05°, and the distortion's scale change, below 0.4%, are not applied to the PSF).
 *
 * @example
 * ```ts
 * const psf = new SimPsfModel(0.8, 0.01, -0.005);
 * const mixture = psf.mixtureAt(10.5, -3.2); // at focal-plane mm
 * ```
 * @see lsst.meas.algorithms.DoubleGaussianPsf
 */
export class SimPsfModel {
  /** Seeing FWHM at the centre of the focal plane, arcsec. */
  readonly fwhmArcsec: number;
  /** Constant ellipticity e1 of the visit. */
  readonly e1Offset: number;
  /** Constant ellipticity e2 of the visit. */
  readonly e2Offset: number;
  /** Pixel scale, arcsec per pixel. */
  readonly pixelScaleArcsec: number;

  /**
   * Makes the model.
   *
   * @param fwhmArcsec - seeing FWHM at the field centre, arcsec
   * @param e1Offset - constant e1
   * @param e2Offset - constant e2
   * @param pixelScaleArcsec - arcsec per pixel (0.2)
   */
  constructor(fwhmArcsec: number, e1Offset = 0, e2Offset = 0, pixelScaleArcsec = 0.2) {
    this.fwhmArcsec = fwhmArcsec;
    this.e1Offset = e1Offset;
    this.e2Offset = e2Offset;
    this.pixelScaleArcsec = pixelScaleArcsec;
  }

  /**
   * The PSF parameters at a focal-plane position.
   *
   * @param xMm - focal-plane x, mm
   * @param yMm - focal-plane y, mm
   * @returns the parameters
   */
  at(xMm: number, yMm: number): PsfParameters {
    const u = xMm / 30;
    const v = yMm / 30;
    const width = 1 + 0.06 * (u * u + v * v);
    const fwhmPixels = (this.fwhmArcsec / this.pixelScaleArcsec) * width;
    const sigmaCore = fwhmPixels / (2 * HALF_MAX_T);
    return {
      sigmaCore,
      sigmaWing: sigmaCore * PSF_WING_RATIO,
      wingFraction: PSF_WING_FRACTION,
      e1: this.e1Offset + 0.04 * (u * u - v * v),
      e2: this.e2Offset + 0.04 * 2 * u * v,
      fwhmPixels,
    };
  }

  /**
   * The PSF as a normalised mixture (pixels) at a focal-plane position.
   *
   * @param xMm - focal-plane x, mm
   * @param yMm - focal-plane y, mm
   * @returns two components; each covariance is `σ²/√(1−e²)·[[1+e1, e2], [e2, 1−e1]]`
   */
  mixtureAt(xMm: number, yMm: number): GaussianMixture {
    return psfMixture(this.at(xMm, yMm));
  }
}

/**
 * The mixture of a set of PSF parameters.
 *
 * @param p - the parameters
 * @returns the double Gaussian, covariances in pixels²
 */
export function psfMixture(p: PsfParameters): GaussianMixture {
  const e2sum = p.e1 * p.e1 + p.e2 * p.e2;
  const k = 1 / Math.sqrt(1 - e2sum);
  const comp = (w: number, s: number): { weight: number; xx: number; xy: number; yy: number } => ({
    weight: w,
    xx: s * s * k * (1 + p.e1),
    xy: s * s * k * p.e2,
    yy: s * s * k * (1 - p.e1),
  });
  return [comp(1 - p.wingFraction, p.sigmaCore), comp(p.wingFraction, p.sigmaWing)];
}
