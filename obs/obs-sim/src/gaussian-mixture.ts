// Gaussian mixtures: the PSF, galaxy profiles (Hogg & Lang 2013), analytic convolution, and
// pixel-integrated rendering.

/** One elliptical Gaussian of a normalised mixture: weight and covariance (pixels²). */
export interface GaussianComponent {
  /** Fraction of the total flux (the weights of a mixture sum to 1). */
  readonly weight: number;
  /** Covariance xx, pixels². */
  readonly xx: number;
  /** Covariance xy, pixels². */
  readonly xy: number;
  /** Covariance yy, pixels². */
  readonly yy: number;
}

/** A normalised mixture of concentric Gaussians. */
export type GaussianMixture = readonly GaussianComponent[];

/**
 * Hogg & Lang (2013, PASP 125, 719), Table 1: the 6-component approximation of the exponential
 * profile, as (amplitude, √variance) with radii in units of the half-light radius. Amplitudes
 * are normalised to sum to 1 where used.
 */
export const HOGG_LANG_EXP: readonly (readonly [number, number])[] = Object.freeze([
  [0.00735, 0.05072],
  [0.09481, 0.13756],
  [0.63572, 0.28781],
  [2.60077, 0.53195],
  [5.42848, 0.91209],
  [3.16445, 1.50157],
] as const);

/**
 * Hogg & Lang (2013), Table 1: the 8-component approximation of the de Vaucouleurs profile,
 * (amplitude, √variance) in units of the half-light radius.
 */
export const HOGG_LANG_DEV: readonly (readonly [number, number])[] = Object.freeze([
  [0.00262, 0.00113],
  [0.025, 0.00475],
  [0.13413, 0.01462],
  [0.51326, 0.0393],
  [1.52005, 0.09926],
  [3.56204, 0.24699],
  [6.44845, 0.63883],
  [8.10105, 1.9256],
] as const);

/** The galaxy profiles SimCam draws. */
export type GalaxyProfile = 'exp' | 'dev';

/**
 * The shape matrix of an ellipse: semi-major axis `a`, axis ratio `q`, position angle `theta`
 * measured from the +x axis towards +y, as the covariance `a²·R·diag(1, q²)·Rᵀ`.
 *
 * @param a - semi-major scale
 * @param q - axis ratio b/a in (0, 1]
 * @param theta - orientation of the major axis, radians from +x towards +y
 * @returns `[xx, xy, yy]`
 */
export function ellipseCovariance(a: number, q: number, theta: number): [number, number, number] {
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  const a2 = a * a;
  const b2 = a2 * q * q;
  return [a2 * c * c + b2 * s * s, (a2 - b2) * c * s, a2 * s * s + b2 * c * c];
}

/**
 * A galaxy profile as a normalised Gaussian mixture, with a shape given as the covariance of an
 * ellipse whose semi-major axis is the half-light radius (in pixel coordinates).
 *
 * @param profile - `'exp'` or `'dev'`
 * @param shape - `[xx, xy, yy]` of the half-light ellipse, pixels² (see {@link ellipseCovariance})
 * @returns the mixture
 */
export function galaxyMixture(profile: GalaxyProfile, shape: readonly [number, number, number]): GaussianMixture {
  const table = profile === 'exp' ? HOGG_LANG_EXP : HOGG_LANG_DEV;
  let total = 0;
  for (const [amp] of table) total += amp;
  return table.map(([amp, sd]) => ({ weight: amp / total, xx: shape[0] * sd * sd, xy: shape[1] * sd * sd, yy: shape[2] * sd * sd }));
}

/**
 * The analytic convolution of two normalised mixtures: every pair of components, weights
 * multiplied and covariances added.
 *
 * @param a - the first mixture
 * @param b - the second mixture
 * @returns the convolved mixture, `a.length × b.length` components
 */
export function convolveMixtures(a: GaussianMixture, b: GaussianMixture): GaussianMixture {
  const out: GaussianComponent[] = [];
  for (const p of a) for (const q of b) out.push({ weight: p.weight * q.weight, xx: p.xx + q.xx, xy: p.xy + q.xy, yy: p.yy + q.yy });
  return out;
}

/**
 * ∫ p(x)² dA of a normalised mixture: `1 / nEff`, where nEff is the effective number of pixels of
 * a matched filter (4πσ² for one circular Gaussian).
 *
 * @param m - the mixture
 * @returns ∫p², per pixel²
 */
export function mixtureSquaredIntegral(m: GaussianMixture): number {
  let s = 0;
  for (const a of m) {
    for (const b of m) {
      const det = (a.xx + b.xx) * (a.yy + b.yy) - (a.xy + b.xy) ** 2;
      s += (a.weight * b.weight) / (2 * Math.PI * Math.sqrt(det));
    }
  }
  return s;
}

/**
 * The peak surface density of a normalised mixture (at its centre), per pixel².
 *
 * @param m - the mixture
 * @returns the density
 */
export function mixturePeak(m: GaussianMixture): number {
  let s = 0;
  for (const c of m) s += c.weight / (2 * Math.PI * Math.sqrt(c.xx * c.yy - c.xy * c.xy));
  return s;
}

// Gauss–Legendre nodes over a unit pixel and their weights: 3 points for narrow components, 2 for
// wide ones (σ ≥ 2.5 pixels, where the 2-point rule's error is below 10⁻⁵).
const GL3_NODES = [-Math.sqrt(0.6) / 2, 0, Math.sqrt(0.6) / 2] as const;
const GL3_WEIGHTS = [5 / 18, 8 / 18, 5 / 18] as const;
const GL2_NODES = [-0.5 / Math.sqrt(3), 0.5 / Math.sqrt(3)] as const;
const GL2_WEIGHTS = [0.5, 0.5] as const;

/** Options of {@link renderMixture}. */
export interface RenderMixtureOptions {
  /** Surface density (per pixel) below which each component's stamp is truncated (0.01 by default). */
  readonly threshold?: number;
  /** Largest stamp half-width, pixels (300 by default). */
  readonly maxRadius?: number;
}

/**
 * Adds `flux · mixture(x − x0, y − y0)`, integrated over each pixel, to an image. Each
 * component is drawn on its own stamp, out to where it falls below `threshold / n` per pixel
 * (n the number of components); each pixel's integral is a Gauss–Legendre quadrature, 3×3 for
 * components narrower than 2.5 pixels and 2×2 for wider ones (relative errors below 10⁻⁵).
 * Pixels outside the image are skipped.
 *
 * @param image - the pixels, row-major, `width × height`
 * @param width - image width
 * @param height - image height
 * @param x0 - centre x, pixels (0 = centre of the first pixel)
 * @param y0 - centre y, pixels
 * @param flux - total flux
 * @param mixture - a normalised mixture
 * @param options - truncation
 * @returns the flux added inside the image
 */
export function renderMixture(image: Float64Array | Float32Array, width: number, height: number, x0: number, y0: number, flux: number, mixture: GaussianMixture, options: RenderMixtureOptions = {}): number {
  if (!(flux > 0)) return 0;
  const threshold = (options.threshold ?? 0.01) / Math.max(1, mixture.length);
  const maxRadius = options.maxRadius ?? 300;
  const ix0 = Math.round(x0);
  const iy0 = Math.round(y0);
  let added = 0;
  for (const c of mixture) {
    const det = c.xx * c.yy - c.xy * c.xy;
    const norm = (flux * c.weight) / (2 * Math.PI * Math.sqrt(det));
    if (!(norm > 0)) continue;
    const a = -0.5 * (c.yy / det);
    const b = c.xy / det;
    const cc = -0.5 * (c.xx / det);
    const half = 0.5 * (c.xx + c.yy);
    const root = Math.sqrt(0.25 * (c.xx - c.yy) ** 2 + c.xy * c.xy);
    const lmax = half + root;
    const lmin = half - root;
    const radius = Math.min(maxRadius, Math.ceil(norm > threshold ? Math.sqrt(2 * Math.log(norm / threshold) * lmax) + 1.5 : 1.5));
    const nodes = lmin >= 6.25 ? GL2_NODES : GL3_NODES;
    const weights = lmin >= 6.25 ? GL2_WEIGHTS : GL3_WEIGHTS;
    const nn = nodes.length;
    const xa = Math.max(0, ix0 - radius);
    const xb = Math.min(width - 1, ix0 + radius);
    const ya = Math.max(0, iy0 - radius);
    const yb = Math.min(height - 1, iy0 + radius);
    for (let iy = ya; iy <= yb; iy++) {
      for (let ix = xa; ix <= xb; ix++) {
        let sum = 0;
        for (let j = 0; j < nn; j++) {
          const dy = iy + nodes[j]! - y0;
          const wy = weights[j]! * norm;
          const qy = cc * dy * dy;
          const by = b * dy;
          for (let i = 0; i < nn; i++) {
            const dx = ix + nodes[i]! - x0;
            const q = a * dx * dx + by * dx + qy;
            if (q > -40) sum += wy * weights[i]! * Math.exp(q);
          }
        }
        image[iy * width + ix] = image[iy * width + ix]! + sum;
        added += sum;
      }
    }
  }
  return added;
}
