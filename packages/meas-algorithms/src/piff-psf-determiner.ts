import { Chebyshev1Function2, FixedKernel, Image, LinearCombinationKernel, PcaPsf, type Exposure, type PixelArray } from '@skystack/afw-image';
import type { SourceCatalog } from '@skystack/afw-table';
import { Box2D, Point2D, Point2I } from '@skystack/geom';
import { Config, Field, ListField, RangeField } from '@skystack/pex-config';
import { Task, type TaskOptions } from '@skystack/pipe-base';
import { MeasAlgorithmsInvalidArgumentError, MeasAlgorithmsNoDataError } from './errors.js';
import { solveSymmetric } from './least-squares.js';
import { chebyshevTerms, type DeterminePsfOptions, type DeterminePsfResult, type PsfDeterminer } from './pca-psf-determiner.js';
import type { PsfCandidate } from './psf-candidate.js';

/**
 * Configuration of {@link PiffPsfDeterminerTask}: the fields of LSST's `PiffPsfDeterminerConfig`
 * that its default Piff setup (a `PixelGrid` model interpolated by a `BasisPolynomial` in pixel
 * coordinates, χ² outlier rejection) reads, with their defaults.
 *
 * @see lsst.meas.extensions.piff.piffPsfDeterminer.PiffPsfDeterminerConfig
 */
export class PiffPsfDeterminerConfig extends Config {
  /** Polynomial order of the spatial variation (each model pixel is a polynomial in x, y). */
  spatialOrder = RangeField({ dtype: 'int', default: 2, min: 0, doc: 'Spatial order for PSF kernel creation.' });
  /** Model pixel size relative to the image pixels (only 1, no oversampling, is implemented). */
  samplingSize = Field.float({ default: 1, doc: 'Resolution of the internal PSF model relative to the pixel size; e.g. 0.5 is equal to 2x oversampling.' });
  /** Width and height of the model, pixels. */
  modelSize = Field.int({ default: 25, doc: 'Internal model size for PIFF (typically odd, but not enforced).' });
  /** χ² outlier rejection: a star is an outlier above `dof + outlierNSigma √(2 dof)`. */
  outlierNSigma = Field.float({ default: 4.0, doc: 'n sigma for chisq outlier rejection.' });
  /** Largest fraction of the stars removed as outliers in one iteration. */
  outlierMaxRemove = Field.float({ default: 0.05, doc: 'Max fraction of stars to remove as outliers each iteration.' });
  /** The weights of brighter stars are scaled down so that their S/N is this. */
  maxSNR = Field.float({ default: 200.0, doc: 'Rescale the weight of bright stars such that their SNR is less than this value.' });
  /** Pixels with these mask planes get zero weight. */
  zeroWeightMaskBits = ListField({ dtype: 'str', default: ['BAD', 'CR', 'INTRP', 'SAT', 'SUSPECT', 'NO_DATA'], doc: 'List of mask bits for which to set pixel weights to zero.' });
  /** Stars with a smaller fraction of unmasked pixels are not used. */
  minimumUnmaskedFraction = Field.float({ default: 0.5, doc: 'Minimum fraction of unmasked pixels required to use star.' });
  /** With fewer stars than polynomial terms, fall back to a constant model instead of failing. */
  zerothOrderInterpNotEnoughStars = Field.bool({ default: false, doc: 'If True, use zeroth order interpolation if not enough stars are found.' });
  /** Maximum number of fit + outlier rejection iterations. */
  piffMaxIter = Field.int({ default: 15, doc: 'Maximum iteration while doing outlier rejection.' });

  /**
   * Checks the fields.
   *
   * @throws {@link MeasAlgorithmsInvalidArgumentError} when `samplingSize` is not 1 or `modelSize` is not odd and positive
   */
  override validate(): void {
    super.validate();
    if (this.samplingSize !== 1) {
      throw new MeasAlgorithmsInvalidArgumentError(`PiffPsfDeterminerConfig.samplingSize: only 1 (a model on the image's pixel grid) is implemented; got ${this.samplingSize}.`, {
        hint: 'Leave samplingSize at its default, 1.',
      });
    }
    if (!(this.modelSize > 0 && this.modelSize % 2 === 1)) throw new MeasAlgorithmsInvalidArgumentError(`PiffPsfDeterminerConfig.modelSize must be odd and positive; got ${this.modelSize}.`);
  }
}

/** One star of the fit. */
interface Star {
  readonly candidate: PsfCandidate;
  /** The recentred stamp normalised to sum 1 (modelSize²). */
  readonly data: Float64Array;
  /** Weight of each pixel (0 where masked): 1 / the signal-free variance, S/N-capped. */
  readonly weight: Float64Array;
  /** The polynomial terms at the star. */
  readonly terms: Float64Array;
  /** Flux relative to the stamp sum. */
  flux: number;
  /** χ² and degrees of freedom of the last fit. */
  chi2: number;
  dof: number;
  flagged: boolean;
}

/**
 * Determines the PSF as LSST's default determiner does (meas_extensions_piff with its default
 * setup): every pixel of a `modelSize²` pixel-grid model is a polynomial of order `spatialOrder`
 * in the pixel coordinates, fitted by weighted least squares to the candidates' recentred
 * stamps (weights: the inverse of each stamp's signal-free variance, scaled down for stars
 * brighter than `maxSNR`; masked pixels weigh nothing), alternating with each star's flux, and
 * rejecting χ² outliers (`outlierNSigma`, at most `outlierMaxRemove` of the stars per
 * iteration) for up to `piffMaxIter` iterations.
 *
 * The model is returned as a `PcaPsf` (afw-image): a linear combination of one basis image per
 * polynomial term with Chebyshev coefficient functions that are 1 for that term and 0 for the
 * others, which afw reads as any PCA PSF (LSST stores a `PiffPsf`, a pickled Piff object).
 * Differences from Piff: the model is not oversampled (`samplingSize` 1), stars are recentred
 * on their measured centroids by a Lanczos-5 shift rather than the centre being refitted, and
 * the polynomial is Chebyshev over the exposure's box (Piff's is a plain polynomial of scaled
 * coordinates: the same space of functions).
 *
 * @example
 * ```ts
 * const determiner = new PiffPsfDeterminerTask();
 * const { psf, numGoodStars } = determiner.determinePsf(exposure, sources, candidates, { flagKey: 'calib_psf_used' });
 * exposure.setPsf(psf);
 * ```
 * @see lsst.meas.extensions.piff.piffPsfDeterminer.PiffPsfDeterminerTask
 */
export class PiffPsfDeterminerTask extends Task<PiffPsfDeterminerConfig> implements PsfDeterminer {
  /** {@link PiffPsfDeterminerConfig}. */
  static override ConfigClass = PiffPsfDeterminerConfig;
  /** `psfDeterminer`. */
  static override _DefaultName: string | undefined = 'psfDeterminer';

  /**
   * Makes the task.
   *
   * @param options - Task options
   */
  constructor(options: TaskOptions<PiffPsfDeterminerConfig> = {}) {
    super(options);
  }

  /**
   * Fits the pixel-grid PSF model.
   *
   * @param exposure - the exposure (background subtracted)
   * @param catalog - the sources the candidates point into (the flag field, if given, is set on the used ones)
   * @param candidates - the candidates (status GOOD/BAD, χ² and amplitude are updated)
   * @param options - the flag to set on used sources
   * @returns the PSF, the candidates and counts
   * @throws {@link MeasAlgorithmsNoDataError} when there are no usable candidates, or fewer than the polynomial's terms and `zerothOrderInterpNotEnoughStars` is false
   * @see lsst.meas.extensions.piff.piffPsfDeterminer.PiffPsfDeterminerTask.determinePsf
   */
  determinePsf(exposure: Exposure<PixelArray>, catalog: SourceCatalog, candidates: readonly PsfCandidate[], options: DeterminePsfOptions = {}): DeterminePsfResult {
    return this.timer('determinePsf', () => this.#determine(exposure, catalog, candidates, options));
  }

  #determine(exposure: Exposure<PixelArray>, catalog: SourceCatalog, candidates: readonly PsfCandidate[], options: DeterminePsfOptions): DeterminePsfResult {
    const c = this.config;
    if (candidates.length === 0) throw new MeasAlgorithmsNoDataError('No PSF candidates supplied.');
    const bbox = exposure.getBBox();
    const range = new Box2D(new Point2D(bbox.getMinX() - 0.5, bbox.getMinY() - 0.5), new Point2D(bbox.getMaxX() + 0.5, bbox.getMaxY() + 0.5));
    const stars = this.#makeStars(exposure, candidates, range);
    const nTermsOf = (order: number): number => ((order + 1) * (order + 2)) / 2;
    let order = c.spatialOrder;
    const enough = (n: number, when: string): void => {
      if (n >= nTermsOf(order)) return;
      if (!c.zerothOrderInterpNotEnoughStars) {
        throw new MeasAlgorithmsNoDataError(`Failed to determine the PSF: too few good stars ${when} (${n}); a polynomial of order ${order} needs at least ${nTermsOf(order)}.`, {
          hint: 'Set psfDeterminer["piff"].zerothOrderInterpNotEnoughStars = True to fall back to a constant model, or lower spatialOrder.',
        });
      }
      this.log.warn(`Only ${n} stars ${when}, but ${nTermsOf(order)} required: using zeroth order interpolation.`);
      order = 0;
    };
    enough(stars.length, 'found');
    let basis = this.#fit(stars, order);
    const maxIter = order === 0 && c.spatialOrder > 0 ? 1 : c.piffMaxIter;
    for (let iter = 1; iter < maxIter; iter++) {
      const live = stars.filter((s) => !s.flagged);
      const maxRemove = c.outlierMaxRemove < 1 ? Math.ceil(c.outlierMaxRemove * live.length) : Math.trunc(c.outlierMaxRemove);
      const outliers = live
        .filter((s) => s.chi2 > s.dof + c.outlierNSigma * Math.sqrt(2 * s.dof))
        .sort((a, b) => b.chi2 - b.dof - (a.chi2 - a.dof))
        .slice(0, maxRemove);
      if (outliers.length === 0) break;
      for (const s of outliers) s.flagged = true;
      this.log.debug(`Iteration ${iter}: removed ${outliers.length} outliers.`);
      const nLive = live.length - outliers.length;
      if (nLive < nTermsOf(order)) {
        enough(nLive, 'after outlier rejection');
        basis = this.#fit(stars, order);
        break;
      }
      basis = this.#fit(stars, order);
    }
    const used = stars.filter((s) => !s.flagged);
    const flag = options.flagKey === undefined ? undefined : (catalog.getColumn(options.flagKey) as Uint8Array);
    let avgX = 0;
    let avgY = 0;
    let chi2 = 0;
    for (const s of stars) {
      s.candidate.chi2 = s.dof > 0 ? s.chi2 / s.dof : Number.NaN;
      s.candidate.status = s.flagged ? 'BAD' : 'GOOD';
    }
    for (const s of used) {
      avgX += s.candidate.x;
      avgY += s.candidate.y;
      chi2 += s.chi2;
      if (flag !== undefined) flag[s.candidate.index] = 1;
    }
    avgX /= used.length;
    avgY /= used.length;
    const size = c.modelSize;
    const half = (size - 1) / 2;
    const nTerms = nTermsOf(order);
    const kernels = basis.map((b) => new FixedKernel(new Image(b, size, size), { ctr: new Point2I(half, half) }));
    const functions = basis.map((_, t) => new Chebyshev1Function2(Array.from({ length: nTerms }, (_unused, k) => (k === t ? 1 : 0)), range));
    const psf = new PcaPsf(new LinearCombinationKernel(kernels, functions), new Point2D(avgX, avgY));
    this.metadata.set('spatialFitChi2', chi2);
    this.metadata.set('numAvailStars', stars.length);
    this.metadata.set('numGoodStars', used.length);
    this.metadata.set('avgX', avgX);
    this.metadata.set('avgY', avgY);
    this.log.info(`PSF determination using ${used.length}/${stars.length} stars; ${size}x${size} pixel grid, spatial order ${order}.`);
    return { psf, candidates, numGoodStars: used.length, numAvailStars: stars.length, kernelSize: size, nEigenComponents: nTerms };
  }

  /** The stars: recentred normalised stamps with signal-free, S/N-capped weights; candidates without a usable stamp are marked BAD. */
  #makeStars(exposure: Exposure<PixelArray>, candidates: readonly PsfCandidate[], range: Box2D): Star[] {
    const c = this.config;
    const size = c.modelSize;
    const half = (size - 1) / 2;
    const p = size * size;
    let bad = 0;
    for (const name of c.zeroWeightMaskBits) {
      try {
        bad |= exposure.mask.getPlaneBitMask(name);
      } catch {
        // A plane the mask does not have cannot be set.
      }
    }
    const mask = exposure.mask.array;
    const x0 = exposure.getXY0().getX();
    const y0 = exposure.getXY0().getY();
    const nTerms = ((c.spatialOrder + 1) * (c.spatialOrder + 2)) / 2;
    const tx = new Float64Array(c.spatialOrder + 1);
    const ty = new Float64Array(c.spatialOrder + 1);
    const stars: Star[] = [];
    for (const cand of candidates) {
      const stamp = cand.getStamp(exposure, size);
      if (stamp === undefined) {
        cand.status = 'BAD';
        continue;
      }
      const data = stamp.image.array.data as Float64Array;
      const variance = stamp.variance;
      const ix = Math.floor(cand.x + 0.5) - x0;
      const iy = Math.floor(cand.y + 0.5) - y0;
      const good = new Uint8Array(p);
      let nGood = 0;
      for (let j = 0; j < size; j++) {
        const row = (iy - half + j) * mask.stride + ix - half;
        for (let i = 0; i < size; i++) {
          const k = j * size + i;
          const ok = (Number(mask.data[row + i]) & bad) === 0 && variance[k]! > 0 && Number.isFinite(variance[k]!) && Number.isFinite(data[k]!);
          good[k] = ok ? 1 : 0;
          if (ok) nGood++;
        }
      }
      if (nGood < c.minimumUnmaskedFraction * p || nGood < 3) {
        cand.status = 'BAD';
        continue;
      }
      // The signal-free variance: the intercept of a straight line through variance vs signal.
      let sx = 0;
      let sy = 0;
      let sxx = 0;
      let sxy = 0;
      for (let k = 0; k < p; k++) {
        if (!good[k]) continue;
        sx += data[k]!;
        sy += variance[k]!;
        sxx += data[k]! * data[k]!;
        sxy += data[k]! * variance[k]!;
      }
      const det = nGood * sxx - sx * sx;
      let skyVar = det > 0 ? (sxx * sy - sx * sxy) / det : sy / nGood;
      if (!(skyVar > 0)) skyVar = sy / nGood;
      const weight = new Float64Array(p);
      let f = 0;
      for (let k = 0; k < p; k++) {
        if (!good[k]) continue;
        weight[k] = 1 / skyVar;
        f += data[k]! * data[k]! / skyVar;
      }
      // Piff's S/N, (F − Npix)/√F with F = Σ w I²: stars above maxSNR are weighted as if at maxSNR.
      const snr = f < nGood ? 0 : (f - nGood) / Math.sqrt(f);
      if (snr > c.maxSNR) {
        const factor = (c.maxSNR / snr) ** 2;
        for (let k = 0; k < p; k++) weight[k]! *= factor;
      }
      const terms = Float64Array.from(chebyshevTerms(cand.x, cand.y, range, c.spatialOrder, tx, ty, new Float64Array(nTerms)));
      stars.push({ candidate: cand, data, weight, terms, flux: 1, chi2: 0, dof: nGood - 1, flagged: false });
    }
    if (stars.length === 0) throw new MeasAlgorithmsNoDataError(`No usable PSF candidates: none of ${candidates.length} has a ${size}x${size} stamp inside the image with enough unmasked pixels.`);
    return stars;
  }

  /**
   * Fits the model to the unflagged stars (each pixel's polynomial by weighted least squares, the
   * stars' fluxes fixed), then every star's flux and χ² against it; returns the basis images.
   */
  #fit(stars: Star[], order: number): Float64Array[] {
    const size = this.config.modelSize;
    const p = size * size;
    const nTerms = ((order + 1) * (order + 2)) / 2;
    const live = stars.filter((s) => !s.flagged);
    const basis = Array.from({ length: nTerms }, () => new Float64Array(p));
    // A star's weight is one value (1 / its signal-free variance, S/N-capped) on its unmasked
    // pixels and 0 on the masked ones. Pixels no live star masks share one normal matrix
    // Σ w f² T Tᵀ: its inverse times each pixel's right-hand side Σ w f d T solves them all; the
    // few pixels some star masks get their own matrix.
    const full = new Uint8Array(p).fill(1);
    const coef = new Float64Array(live.length * nTerms); // w f Tₐ per star
    const shared = new Float64Array(nTerms * nTerms);
    live.forEach((s, i) => {
      let w = 0;
      for (let k = 0; k < p; k++) {
        const wk = s.weight[k]!;
        if (wk === 0) full[k] = 0;
        else w = wk;
      }
      const f = s.flux;
      for (let a = 0; a < nTerms; a++) {
        coef[i * nTerms + a] = w * f * s.terms[a]!;
        for (let b = 0; b <= a; b++) shared[a * nTerms + b]! += w * f * f * s.terms[a]! * s.terms[b]!;
      }
    });
    for (let a = 0; a < nTerms; a++) for (let b = 0; b < a; b++) shared[b * nTerms + a] = shared[a * nTerms + b]!;
    const inverse = new Float64Array(nTerms * nTerms);
    const unit = new Float64Array(nTerms);
    for (let b = 0; b < nTerms; b++) {
      unit.fill(0);
      unit[b] = 1;
      const col = solveSymmetric(shared.slice(), unit, nTerms);
      for (let a = 0; a < nTerms; a++) inverse[a * nTerms + b] = col[a]!;
    }
    // Right-hand sides of every pixel, star by star over contiguous rows.
    const rhs = Array.from({ length: nTerms }, () => new Float64Array(p));
    live.forEach((s, i) => {
      for (let a = 0; a < nTerms; a++) {
        const c = coef[i * nTerms + a]!;
        const r = rhs[a]!;
        for (let k = 0; k < p; k++) r[k]! += c * s.data[k]!;
      }
    });
    const ata = new Float64Array(nTerms * nTerms);
    const atb = new Float64Array(nTerms);
    for (let k = 0; k < p; k++) {
      if (full[k]) {
        for (let t = 0; t < nTerms; t++) {
          let v = 0;
          for (let a = 0; a < nTerms; a++) v += inverse[t * nTerms + a]! * rhs[a]![k]!;
          basis[t]![k] = Number.isFinite(v) ? v : 0;
        }
        continue;
      }
      ata.fill(0);
      atb.fill(0);
      for (const s of live) {
        const w = s.weight[k]!;
        if (w === 0) continue;
        const f = s.flux;
        const wf2 = w * f * f;
        const wfd = w * f * s.data[k]!;
        for (let a = 0; a < nTerms; a++) {
          const ta = s.terms[a]!;
          atb[a]! += wfd * ta;
          for (let b = 0; b <= a; b++) ata[a * nTerms + b]! += wf2 * ta * s.terms[b]!;
        }
      }
      for (let a = 0; a < nTerms; a++) for (let b = 0; b < a; b++) ata[b * nTerms + a] = ata[a * nTerms + b]!;
      const sol = solveSymmetric(ata, atb, nTerms);
      for (let t = 0; t < nTerms; t++) basis[t]![k] = Number.isFinite(sol[t]!) ? sol[t]! : 0;
    }
    // Each star's flux against the model normalised to unit sum at its position, and its χ².
    const model = new Float64Array(p);
    for (const s of stars) {
      model.fill(0);
      let sum = 0;
      for (let t = 0; t < nTerms; t++) {
        const b = basis[t]!;
        const tt = s.terms[t]!;
        for (let k = 0; k < p; k++) model[k]! += tt * b[k]!;
      }
      for (let k = 0; k < p; k++) sum += model[k]!;
      if (!(sum > 0)) {
        s.chi2 = Number.POSITIVE_INFINITY;
        continue;
      }
      let num = 0;
      let den = 0;
      for (let k = 0; k < p; k++) {
        const m = model[k]! / sum;
        model[k] = m;
        num += s.weight[k]! * m * s.data[k]!;
        den += s.weight[k]! * m * m;
      }
      s.flux = den > 0 ? num / den : 1;
      let chi2 = 0;
      for (let k = 0; k < p; k++) {
        const r = s.data[k]! - s.flux * model[k]!;
        chi2 += s.weight[k]! * r * r;
      }
      s.chi2 = chi2;
    }
    return basis;
  }
}
