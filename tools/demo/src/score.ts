// Scoring of single-frame processing against the simulator's truth: positional matching,
// astrometric and photometric scatter, completeness, histograms. Pure functions on typed
// arrays; the demo (main.ts) reads the catalogs and prints what these return.

/** Robust summary statistics of a sample. */
export interface SampleStats {
  /** Number of finite values used. */
  readonly n: number;
  /** Median. */
  readonly median: number;
  /** Mean. */
  readonly mean: number;
  /** Root mean square about the mean. */
  readonly std: number;
  /** 1.4826 × the median absolute deviation from the median (σ for a Gaussian). */
  readonly sigmaMad: number;
}

/**
 * Median, mean, standard deviation and σ_MAD of the finite values (NaN for all of them when
 * there are none).
 *
 * @param values - the sample
 * @returns the statistics
 * @example
 * ```ts
 * sampleStats([1, 2, 3, 4, 100]).median; // 3
 * ```
 */
export function sampleStats(values: ArrayLike<number>): SampleStats {
  const v: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) v.push(values[i]!);
  const n = v.length;
  if (n === 0) return { n: 0, median: NaN, mean: NaN, std: NaN, sigmaMad: NaN };
  v.sort((a, b) => a - b);
  const med = medianOfSorted(v);
  let sum = 0;
  for (const x of v) sum += x;
  const mean = sum / n;
  let ss = 0;
  for (const x of v) ss += (x - mean) ** 2;
  const dev = v.map((x) => Math.abs(x - med)).sort((a, b) => a - b);
  return { n, median: med, mean, std: Math.sqrt(ss / n), sigmaMad: 1.4826 * medianOfSorted(dev) };
}

function medianOfSorted(v: readonly number[]): number {
  const h = v.length >> 1;
  return v.length % 2 === 1 ? v[h]! : 0.5 * (v[h - 1]! + v[h]!);
}

/**
 * Matches each point of set A to the nearest point of set B within a radius (a grid of cells
 * of the radius' size, so O(n) for sparse fields). Several A points may match the same B point.
 *
 * @param ax - x of set A
 * @param ay - y of set A
 * @param bx - x of set B
 * @param by - y of set B
 * @param radius - the largest distance of a match (same unit as the coordinates), > 0
 * @returns for each A point the index of its match in B, or -1
 * @throws RangeError when radius is not positive or the arrays differ in length
 * @example
 * ```ts
 * matchNearest([0, 10], [0, 0], [0.5, 30], [0, 0], 1); // Int32Array [0, -1]
 * ```
 */
export function matchNearest(ax: ArrayLike<number>, ay: ArrayLike<number>, bx: ArrayLike<number>, by: ArrayLike<number>, radius: number): Int32Array {
  if (!(radius > 0)) throw new RangeError(`matchNearest: radius must be > 0, got ${radius}.`);
  if (ax.length !== ay.length || bx.length !== by.length) throw new RangeError('matchNearest: x and y arrays of a set must have the same length.');
  const cell = (v: number): number => Math.floor(v / radius);
  const grid = new Map<string, number[]>();
  for (let j = 0; j < bx.length; j++) {
    if (!Number.isFinite(bx[j]) || !Number.isFinite(by[j])) continue;
    const key = `${cell(bx[j]!)},${cell(by[j]!)}`;
    const list = grid.get(key);
    if (list === undefined) grid.set(key, [j]);
    else list.push(j);
  }
  const out = new Int32Array(ax.length).fill(-1);
  const r2 = radius * radius;
  for (let i = 0; i < ax.length; i++) {
    const x = ax[i]!;
    const y = ay[i]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    const cx = cell(x);
    const cy = cell(y);
    let best = -1;
    let bestD = Infinity;
    for (let gx = cx - 1; gx <= cx + 1; gx++) {
      for (let gy = cy - 1; gy <= cy + 1; gy++) {
        for (const j of grid.get(`${gx},${gy}`) ?? []) {
          const d = (bx[j]! - x) ** 2 + (by[j]! - y) ** 2;
          if (d <= r2 && d < bestD) {
            bestD = d;
            best = j;
          }
        }
      }
    }
    out[i] = best;
  }
  return out;
}

/** Sky offsets of measured positions from true ones. */
export interface SkyOffsets {
  /** Offset towards east (Δα cos δ), milliarcseconds. */
  readonly eastMas: Float64Array;
  /** Offset towards north (Δδ), milliarcseconds. */
  readonly northMas: Float64Array;
}

const MAS_PER_RAD = (180 / Math.PI) * 3600e3;

/**
 * Offsets of measured positions from true ones, as longitude and latitude in the frame centred
 * on the true position with north up (astropy's `SkyCoord.spherical_offsets_to`, exact at any
 * separation).
 *
 * @param raDeg - measured RA, degrees
 * @param decDeg - measured Dec, degrees
 * @param trueRaDeg - true RA, degrees
 * @param trueDecDeg - true Dec, degrees
 * @returns east and north offsets, mas
 * @example
 * ```ts
 * skyOffsetsMas([10], [1 / 3600], [10], [0]).northMas[0]; // 1000
 * ```
 */
export function skyOffsetsMas(raDeg: ArrayLike<number>, decDeg: ArrayLike<number>, trueRaDeg: ArrayLike<number>, trueDecDeg: ArrayLike<number>): SkyOffsets {
  const n = raDeg.length;
  const east = new Float64Array(n);
  const north = new Float64Array(n);
  const d2r = Math.PI / 180;
  for (let i = 0; i < n; i++) {
    const a = raDeg[i]! * d2r;
    const d = decDeg[i]! * d2r;
    const a0 = trueRaDeg[i]! * d2r;
    const d0 = trueDecDeg[i]! * d2r;
    // Rotate the measured unit vector by -α0 about z, then by δ0 about y: the true position
    // goes to (1, 0, 0), east to +y, north to +z.
    const x = Math.cos(d) * Math.cos(a - a0);
    const y = Math.cos(d) * Math.sin(a - a0);
    const z = Math.sin(d);
    const xr = x * Math.cos(d0) + z * Math.sin(d0);
    const zr = -x * Math.sin(d0) + z * Math.cos(d0);
    east[i] = Math.atan2(y, xr) * MAS_PER_RAD;
    north[i] = Math.atan2(zr, Math.hypot(xr, y)) * MAS_PER_RAD;
  }
  return { eastMas: east, northMas: north };
}

/** Astrometric scatter of a set of matched positions. */
export interface AstrometricScatter {
  /** Number of positions. */
  readonly n: number;
  /** Median east offset, mas. */
  readonly medianEastMas: number;
  /** Median north offset, mas. */
  readonly medianNorthMas: number;
  /** σ_MAD of the offsets per axis (the two axes pooled about their medians), mas. */
  readonly scatterMas: number;
  /** RMS of the offsets per axis about their means, mas. */
  readonly rmsMas: number;
}

/**
 * The astrometric scatter of measured against true positions: the per-axis σ_MAD and RMS of
 * the offsets (east and north pooled about their own centres).
 *
 * @param offsets - from {@link skyOffsetsMas}
 * @returns the scatter
 * @example
 * ```ts
 * astrometricScatter(skyOffsetsMas(ra, dec, trueRa, trueDec)).scatterMas;
 * ```
 */
export function astrometricScatter(offsets: SkyOffsets): AstrometricScatter {
  const e = sampleStats(offsets.eastMas);
  const n = sampleStats(offsets.northMas);
  const pooled = new Float64Array(offsets.eastMas.length * 2);
  const pooledMean = new Float64Array(offsets.eastMas.length * 2);
  for (let i = 0; i < offsets.eastMas.length; i++) {
    pooled[2 * i] = offsets.eastMas[i]! - e.median;
    pooled[2 * i + 1] = offsets.northMas[i]! - n.median;
    pooledMean[2 * i] = offsets.eastMas[i]! - e.mean;
    pooledMean[2 * i + 1] = offsets.northMas[i]! - n.mean;
  }
  let ss = 0;
  let m = 0;
  for (const v of pooledMean) {
    if (Number.isFinite(v)) {
      ss += v * v;
      m++;
    }
  }
  return { n: e.n, medianEastMas: e.median, medianNorthMas: n.median, scatterMas: sampleStats(pooled).sigmaMad, rmsMas: m > 0 ? Math.sqrt(ss / m) : NaN };
}

/** Photometric scatter of measured against true fluxes. */
export interface PhotometricScatter {
  /** Number of pairs with both fluxes positive and finite. */
  readonly n: number;
  /** Median of measured − true magnitude, mmag (the zero-point offset). */
  readonly offsetMmag: number;
  /** σ_MAD of measured − true magnitude, mmag. */
  readonly scatterMmag: number;
  /** RMS of measured − true magnitude about its mean, mmag. */
  readonly rmsMmag: number;
}

/**
 * The photometric scatter: Δm = −2.5 log10(measured / true) in millimagnitudes, its median
 * (the zero-point offset), σ_MAD and RMS. Pairs where either flux is not positive are skipped.
 *
 * @param measured - measured fluxes (any unit, the same as `truth`)
 * @param truth - true fluxes
 * @returns the scatter
 * @throws RangeError when the arrays differ in length
 * @example
 * ```ts
 * photometricScatter([101, 99], [100, 100]).offsetMmag; // ≈ 0
 * ```
 */
export function photometricScatter(measured: ArrayLike<number>, truth: ArrayLike<number>): PhotometricScatter {
  if (measured.length !== truth.length) throw new RangeError('photometricScatter: measured and truth differ in length.');
  const dm: number[] = [];
  for (let i = 0; i < measured.length; i++) {
    const m = measured[i]!;
    const t = truth[i]!;
    if (m > 0 && t > 0 && Number.isFinite(m) && Number.isFinite(t)) dm.push(-2500 * Math.log10(m / t));
  }
  const s = sampleStats(dm);
  return { n: s.n, offsetMmag: s.median, scatterMmag: s.sigmaMad, rmsMmag: s.std };
}

/** The completeness above one S/N threshold. */
export interface Completeness {
  /** The threshold: true sources with expected S/N ≥ this. */
  readonly snrMin: number;
  /** The upper end (exclusive), Infinity for none. */
  readonly snrMax: number;
  /** Number of true sources in the range. */
  readonly n: number;
  /** How many of them were detected. */
  readonly detected: number;
  /** detected / n (NaN when n = 0). */
  readonly fraction: number;
}

/**
 * The fraction of true sources detected, per S/N range `[min, max)`.
 *
 * @param snr - the expected S/N of each true source
 * @param detected - whether each was detected (matched)
 * @param ranges - `[min, max]` pairs (max Infinity for none)
 * @returns one entry per range
 * @throws RangeError when the arrays differ in length
 * @example
 * ```ts
 * completeness([3, 6, 12], [false, true, true], [[5, Infinity]])[0].fraction; // 1
 * ```
 */
export function completeness(snr: ArrayLike<number>, detected: ArrayLike<boolean>, ranges: readonly (readonly [number, number])[]): Completeness[] {
  if (snr.length !== detected.length) throw new RangeError('completeness: snr and detected differ in length.');
  return ranges.map(([lo, hi]) => {
    let n = 0;
    let k = 0;
    for (let i = 0; i < snr.length; i++) {
      const s = snr[i]!;
      if (s >= lo && s < hi) {
        n++;
        if (detected[i]) k++;
      }
    }
    return { snrMin: lo, snrMax: hi, n, detected: k, fraction: n > 0 ? k / n : NaN };
  });
}

/** erf(x) to 1.5e-7 (Abramowitz & Stegun 7.1.26). */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
}

/**
 * The σ_MAD that noise alone gives a sample of magnitude differences: for stars whose errors are
 * Gaussian with σᵢ = 2.5 / ln 10 / (S/N)ᵢ, the median m of |Δm| over the mixture solves
 * mean P(|N(0, σᵢ)| ≤ m) = ½, and σ_MAD = 1.4826 m. It is what a pipeline without systematic
 * errors would score on the same stars.
 *
 * @param snr - the expected S/N of each star
 * @returns the expected σ_MAD, mmag (NaN for no stars)
 * @example
 * ```ts
 * photonNoiseScatterMmag([100, 100]); // ≈ 10.86 (1085.7 / 100)
 * ```
 */
export function photonNoiseScatterMmag(snr: ArrayLike<number>): number {
  const sigmas = Array.from(snr, (s) => 2500 / Math.LN10 / s).filter((s) => Number.isFinite(s) && s > 0);
  if (sigmas.length === 0) return Number.NaN;
  const inside = (m: number): number => sigmas.reduce((a, s) => a + erf(m / (Math.SQRT2 * s)), 0) / sigmas.length;
  let lo = 0;
  let hi = 10 * Math.max(...sigmas);
  for (let i = 0; i < 100; i++) {
    const mid = 0.5 * (lo + hi);
    if (inside(mid) < 0.5) lo = mid;
    else hi = mid;
  }
  return 1.482602218505602 * 0.5 * (lo + hi);
}

/** One circular Gaussian component of a PSF: its flux fraction and sigma (pixels). */
export interface GaussianComponent {
  /** Flux fraction (the fractions sum to 1). */
  readonly weight: number;
  /** Sigma, pixels. */
  readonly sigma: number;
}

/**
 * How much the linear PSF-flux estimator F̂ = Σ p d / Σ p² (LSST's base_PsfFlux: uniform weights
 * over the PSF model p) inflates the star's own photon noise: Var(F̂) = c·s + nEff·b for a star of
 * s electrons on a background of b per pixel, with c = Σp³ / (Σp²)² (4/3 for one Gaussian, from
 * ∫g₁g₂ = 1/(2π(σ₁²+σ₂²)) and ∫g₁g₂g₃ = 1/(4π²(σ₁²σ₂² + σ₁²σ₃² + σ₂²σ₃²))). The simulator's
 * expected S/N, s / √(s + nEff·b), counts the photons once: it is what an ideally weighted
 * estimator reaches, not what the PSF flux does.
 *
 * @param components - the PSF as circular Gaussians
 * @returns c
 * @example
 * ```ts
 * psfFluxPhotonFactor([{ weight: 1, sigma: 2 }]); // 4/3
 * ```
 */
export function psfFluxPhotonFactor(components: readonly GaussianComponent[]): number {
  let p2 = 0;
  let p3 = 0;
  for (const a of components) {
    for (const b of components) {
      p2 += (a.weight * b.weight) / (2 * Math.PI * (a.sigma ** 2 + b.sigma ** 2));
      for (const c of components) {
        const s = a.sigma ** 2 * b.sigma ** 2 + a.sigma ** 2 * c.sigma ** 2 + b.sigma ** 2 * c.sigma ** 2;
        p3 += (a.weight * b.weight * c.weight) / (4 * Math.PI * Math.PI * s);
      }
    }
  }
  return p3 / (p2 * p2);
}

/**
 * The expected S/N of the PSF-flux estimator for a star of `electrons` whose ideal S/N is `snr`
 * (s / √(s + nEff·b), as the simulator's truth gives it): s / √(c·s + nEff·b).
 *
 * @param electrons - the star's electrons, s
 * @param snr - its ideal S/N
 * @param factor - c from {@link psfFluxPhotonFactor}
 * @returns the PSF-flux S/N
 * @example
 * ```ts
 * psfFluxSnr(1e6, 1000, 4 / 3); // ≈ 866: photon-dominated, √(3/4) of the ideal
 * ```
 */
export function psfFluxSnr(electrons: number, snr: number, factor: number): number {
  const background = (electrons * electrons) / (snr * snr) - electrons; // nEff·b
  return electrons / Math.sqrt(factor * electrons + Math.max(0, background));
}

// ---- Coadds and object tables (step3) ----

/**
 * Matches each position of set A to the nearest of set B within a radius on the sky, in the
 * gnomonic (tangent-plane) projection about the mean position of B: exact enough for fields of a
 * few degrees and match radii of arcseconds (the projection's scale error at 0.5° from the
 * tangent point is 8e-5).
 *
 * @param raA - RA of set A, degrees
 * @param decA - Dec of set A, degrees
 * @param raB - RA of set B, degrees
 * @param decB - Dec of set B, degrees
 * @param radiusArcsec - the largest separation of a match, arcsec
 * @returns for each A position the index of its match in B, or -1
 * @throws RangeError as {@link matchNearest}
 * @example
 * ```ts
 * matchSkyNearest([150], [2.2], [150 + 0.1 / 3600], [2.2], 0.5); // Int32Array [0]
 * ```
 */
export function matchSkyNearest(raA: ArrayLike<number>, decA: ArrayLike<number>, raB: ArrayLike<number>, decB: ArrayLike<number>, radiusArcsec: number): Int32Array {
  const d2r = Math.PI / 180;
  let sx = 0;
  let sy = 0;
  let sz = 0;
  for (let j = 0; j < raB.length; j++) {
    if (!Number.isFinite(raB[j]) || !Number.isFinite(decB[j])) continue;
    const a = raB[j]! * d2r;
    const d = decB[j]! * d2r;
    sx += Math.cos(d) * Math.cos(a);
    sy += Math.cos(d) * Math.sin(a);
    sz += Math.sin(d);
  }
  const a0 = Math.atan2(sy, sx);
  const d0 = Math.atan2(sz, Math.hypot(sx, sy));
  const toArcsec = 180 / Math.PI * 3600;
  const project = (ra: ArrayLike<number>, dec: ArrayLike<number>): [Float64Array, Float64Array] => {
    const xi = new Float64Array(ra.length);
    const eta = new Float64Array(ra.length);
    for (let i = 0; i < ra.length; i++) {
      const a = ra[i]! * d2r - a0;
      const d = dec[i]! * d2r;
      const c = Math.sin(d0) * Math.sin(d) + Math.cos(d0) * Math.cos(d) * Math.cos(a);
      xi[i] = c > 0 ? ((Math.cos(d) * Math.sin(a)) / c) * toArcsec : NaN;
      eta[i] = c > 0 ? ((Math.cos(d0) * Math.sin(d) - Math.sin(d0) * Math.cos(d) * Math.cos(a)) / c) * toArcsec : NaN;
    }
    return [xi, eta];
  };
  const [ax, ay] = project(raA, decA);
  const [bx, by] = project(raB, decB);
  return matchNearest(ax, ay, bx, by, radiusArcsec);
}

/** Purity and completeness of one class of a classification. */
export interface ClassScore {
  /** Objects truly of the class. */
  readonly nTrue: number;
  /** Objects classified as the class. */
  readonly nClassified: number;
  /** Objects of the class classified as it. */
  readonly nCorrect: number;
  /** nCorrect / nClassified (NaN when none is classified as the class). */
  readonly purity: number;
  /** nCorrect / nTrue (NaN when none is of the class). */
  readonly completeness: number;
}

/** Star/galaxy separation scores. */
export interface StarGalaxyScores {
  /** Stars: classified as point sources (extendedness 0). */
  readonly stars: ClassScore;
  /** Galaxies: classified as extended (extendedness 1). */
  readonly galaxies: ClassScore;
  /** Objects left out for an extendedness that is not finite (no classification). */
  readonly unclassified: number;
}

/**
 * Purity and completeness of a star/galaxy classification against the truth: an object is
 * classified as a star when its extendedness is below 0.5 (LSST's `refExtendedness` is 0 or 1),
 * as a galaxy otherwise; objects with a non-finite extendedness are left out and counted.
 *
 * @param isStar - whether each object is truly a star
 * @param extendedness - its measured extendedness
 * @returns the scores of both classes
 * @throws RangeError when the arrays differ in length
 * @example
 * ```ts
 * starGalaxySeparation([true, true, false], [0, 1, 1]).stars.completeness; // 0.5
 * ```
 */
export function starGalaxySeparation(isStar: ArrayLike<boolean>, extendedness: ArrayLike<number>): StarGalaxyScores {
  if (isStar.length !== extendedness.length) throw new RangeError('starGalaxySeparation: isStar and extendedness differ in length.');
  let ss = 0;
  let sg = 0;
  let gs = 0;
  let gg = 0;
  let unclassified = 0;
  for (let i = 0; i < isStar.length; i++) {
    const e = extendedness[i]!;
    if (!Number.isFinite(e)) {
      unclassified++;
      continue;
    }
    const point = e < 0.5;
    if (isStar[i]) {
      if (point) ss++;
      else sg++;
    } else if (point) gs++;
    else gg++;
  }
  const score = (correct: number, trueN: number, classified: number): ClassScore => ({
    nTrue: trueN,
    nClassified: classified,
    nCorrect: correct,
    purity: classified > 0 ? correct / classified : NaN,
    completeness: trueN > 0 ? correct / trueN : NaN,
  });
  return { stars: score(ss, ss + sg, ss + gs), galaxies: score(gg, gs + gg, sg + gg), unclassified };
}

/**
 * The 5σ point-source depth: the AB magnitude of a source whose flux is 5 × the flux error.
 *
 * @param sigmaNjy - the PSF-flux error, nJy
 * @returns the depth, AB mag (31.4 − 2.5 log10(5σ))
 * @example
 * ```ts
 * fiveSigmaDepth(1); // 29.653
 * ```
 */
export function fiveSigmaDepth(sigmaNjy: number): number {
  return 31.4 - 2.5 * Math.log10(5 * sigmaNjy);
}

/**
 * The 5σ depth of an inverse-variance weighted combination of inputs of 5σ depths `m5`: the
 * flux errors add as σ⁻² = Σ σᵢ⁻², so m5 = 1.25 log10 Σ 10^(0.8 m5ᵢ); N equal inputs gain
 * 2.5 log10 √N.
 *
 * @param m5 - the inputs' depths, AB mag
 * @returns the combined depth (NaN for no inputs)
 * @example
 * ```ts
 * combinedDepth([24, 24, 24, 24]) - 24; // 0.753 = 2.5 log10 √4
 * ```
 */
export function combinedDepth(m5: ArrayLike<number>): number {
  if (m5.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < m5.length; i++) s += 10 ** (0.8 * m5[i]!);
  return 1.25 * Math.log10(s);
}

/** What {@link psfFluxesAtRandomPositions} measures. */
export interface BlankSkyFluxes {
  /** x of each position (PARENT pixels of the image's grid: column index + x0). */
  readonly x: Float64Array;
  /** y of each position. */
  readonly y: Float64Array;
  /** The PSF flux there, image units. */
  readonly flux: Float64Array;
}

/** Options of {@link psfFluxesAtRandomPositions}. */
export interface BlankSkyOptions {
  /** Pixel values, row-major, `width × height`. */
  readonly image: ArrayLike<number>;
  /** Mask values, the same layout. */
  readonly mask: ArrayLike<number>;
  /** Image width, pixels. */
  readonly width: number;
  /** Image height, pixels. */
  readonly height: number;
  /** PARENT x of the first column (default 0). */
  readonly x0?: number;
  /** PARENT y of the first row (default 0). */
  readonly y0?: number;
  /** The PSF kernel, row-major, `kernelWidth × kernelHeight`, odd sizes, centred (any normalization). */
  readonly kernel: ArrayLike<number>;
  /** Kernel width (odd). */
  readonly kernelWidth: number;
  /** Kernel height (odd). */
  readonly kernelHeight: number;
  /** Mask bits no pixel of a stamp may have (sources, no data). */
  readonly avoidBits: number;
  /** How many positions to try (ignored when `positions` are given). */
  readonly tries: number;
  /** The seed of the positions (ignored when `positions` are given). */
  readonly seed: number;
  /** Measure at these stamp centres (PARENT pixels, rounded to the nearest pixel) instead of random ones. */
  readonly positions?: { readonly x: ArrayLike<number>; readonly y: ArrayLike<number> };
  /**
   * An extra test of a position (PARENT x, y of the stamp centre and its half sizes): false skips it.
   *
   * @param x - the stamp centre, PARENT x
   * @param y - the stamp centre, PARENT y
   * @param hx - the stamp's half width
   * @param hy - the stamp's half height
   * @returns whether to use the position
   */
  readonly accept?: (x: number, y: number, hx: number, hy: number) => boolean;
}

/**
 * The PSF flux F = Σ p·d / Σ p² (LSST's base_PsfFlux estimator) of background-subtracted pixels at
 * random blank-sky positions (or given ones): positions whose stamp lies inside the image and has
 * none of `avoidBits` set. The scatter of
 * these fluxes is the noise of a point-source measurement, whatever the variance plane says and
 * whatever correlations resampling put into the noise; 5 × its σ is the 5σ point-source depth.
 *
 * @param options - the image, mask, kernel, positions
 * @returns the positions used and their fluxes
 * @throws RangeError for kernel sizes that are not odd or do not match the kernel
 * @example
 * ```ts
 * const { flux } = psfFluxesAtRandomPositions({ image, mask, width, height, kernel, kernelWidth: 21, kernelHeight: 21, avoidBits: detected, tries: 3000, seed: 1 });
 * fiveSigmaDepth(sampleStats(flux).sigmaMad);
 * ```
 */
export function psfFluxesAtRandomPositions(options: BlankSkyOptions): BlankSkyFluxes {
  const { image, mask, width, height, kernel, kernelWidth: kw, kernelHeight: kh, avoidBits } = options;
  if (kw % 2 !== 1 || kh % 2 !== 1 || kernel.length !== kw * kh) throw new RangeError(`psfFluxesAtRandomPositions: the kernel must be odd-sized and kernelWidth x kernelHeight long; got ${kw} x ${kh} for ${kernel.length} values.`);
  const x0 = options.x0 ?? 0;
  const y0 = options.y0 ?? 0;
  const hx = (kw - 1) / 2;
  const hy = (kh - 1) / 2;
  let p2 = 0;
  for (let k = 0; k < kernel.length; k++) p2 += kernel[k]! * kernel[k]!;
  const next = lcg(options.seed);
  const xs: number[] = [];
  const ys: number[] = [];
  const fs: number[] = [];
  const given = options.positions;
  const n = given === undefined ? options.tries : given.x.length;
  for (let t = 0; t < n; t++) {
    const cx = given === undefined ? hx + Math.floor(next() * (width - kw + 1)) : Math.round(given.x[t]! - x0);
    const cy = given === undefined ? hy + Math.floor(next() * (height - kh + 1)) : Math.round(given.y[t]! - y0);
    if (cx - hx < 0 || cy - hy < 0 || cx + hx >= width || cy + hy >= height) continue;
    if (options.accept !== undefined && !options.accept(cx + x0, cy + y0, hx, hy)) continue;
    let s = 0;
    let ok = true;
    for (let j = 0; j < kh && ok; j++) {
      const row = (cy - hy + j) * width + cx - hx;
      for (let i = 0; i < kw; i++) {
        if ((mask[row + i]! & avoidBits) !== 0 || !Number.isFinite(image[row + i])) {
          ok = false;
          break;
        }
        s += kernel[j * kw + i]! * image[row + i]!;
      }
    }
    if (!ok) continue;
    xs.push(cx + x0);
    ys.push(cy + y0);
    fs.push(s / p2);
  }
  return { x: Float64Array.from(xs), y: Float64Array.from(ys), flux: Float64Array.from(fs) };
}

/** A reproducible uniform sequence in [0, 1) (a 32-bit LCG). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** How far `a + b` is from `c`, pixel by pixel. */
export interface SumDiscrepancy {
  /** Pixels compared (all three finite). */
  readonly n: number;
  /** The largest |a + b − c|. */
  readonly maxAbs: number;
  /** The largest |a + b − c| in float32 units in the last place of |c| + |b| (2^-23 (|c| + |b|)): ≤ 2 is float precision. */
  readonly maxUlps: number;
}

/**
 * Checks that `a + b` reproduces `c` (deepCoadd_calexp + deepCoadd_calexp_background ==
 * deepCoadd): the largest absolute difference and the largest in float32 ulps of |c| + |b| (a
 * subtraction and an addition in float32 round twice, so 2 ulps is float precision).
 *
 * @param a - the first term (the background-subtracted coadd)
 * @param b - the second term (the background model)
 * @param c - the expected sum (the coadd)
 * @returns the discrepancy
 * @throws RangeError when the arrays differ in length
 * @example
 * ```ts
 * sumDiscrepancy(Float32Array.of(1), Float32Array.of(2), Float32Array.of(3)).maxUlps; // 0
 * ```
 */
export function sumDiscrepancy(a: ArrayLike<number>, b: ArrayLike<number>, c: ArrayLike<number>): SumDiscrepancy {
  if (a.length !== b.length || a.length !== c.length) throw new RangeError('sumDiscrepancy: the arrays differ in length.');
  let n = 0;
  let maxAbs = 0;
  let maxUlps = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    const z = c[i]!;
    if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z)) continue;
    n++;
    const d = Math.abs(x + y - z);
    if (d > maxAbs) maxAbs = d;
    const scale = 2 ** -23 * (Math.abs(z) + Math.abs(y));
    const u = d === 0 ? 0 : d / Math.max(scale, Number.MIN_VALUE);
    if (u > maxUlps) maxUlps = u;
  }
  return { n, maxAbs, maxUlps };
}
