import { Chebyshev1Function2, FixedKernel, Image, LinearCombinationKernel, PcaPsf, type Exposure, type PixelArray } from '@skystack/afw-image';
import type { SourceCatalog } from '@skystack/afw-table';
import { Box2D, Point2D, Point2I, type Box2I } from '@skystack/geom';
import { makeStatistics } from '@skystack/kernels';
import { Config, Field, RangeField } from '@skystack/pex-config';
import { Task, type TaskOptions } from '@skystack/pipe-base';
import { MeasAlgorithmsInvalidArgumentError, MeasAlgorithmsNoDataError } from './errors.js';
import { chebyshevT, fitLinear, median, seededUniform, solveSymmetric } from './least-squares.js';
import type { PsfCandidate } from './psf-candidate.js';

/**
 * Configuration of {@link PcaPsfDeterminerTask}, with LSST's fields and defaults.
 *
 * @see lsst.meas.algorithms.pcaPsfDeterminer.PcaPsfDeterminerConfig
 */
export class PcaPsfDeterminerConfig extends Config {
  /** Use a non-linear fitter for the spatial variation (not implemented: must be false). */
  nonLinearSpatialFit = Field.bool({ default: false, doc: 'Use non-linear fitter for spatial variation of Kernel' });
  /** Number of eigen components of the PSF kernel (the mean image counts as the first). */
  nEigenComponents = RangeField({ dtype: 'int', default: 4, min: 1, doc: 'number of eigen components for PSF kernel creation' });
  /** Spatial order of the coefficients' variation. */
  spatialOrder = RangeField({ dtype: 'int', default: 2, min: 0, doc: 'specify spatial order for PSF kernel creation' });
  /** Cell width (pixels) for choosing candidates evenly over the image. */
  sizeCellX = Field.int({ default: 256, doc: 'size of cell used to determine PSF (pixels, column direction)', check: (x) => x >= 10 });
  /** Cell height (pixels). */
  sizeCellY = Field.int({ default: 256, doc: 'size of cell used to determine PSF (pixels, row direction)', check: (x) => x >= 10 });
  /** Candidates per cell used for the principal components. */
  nStarPerCell = Field.int({ default: 3, doc: 'number of stars per psf cell for PSF kernel creation' });
  /** Kernel radius relative to √(stellar semi-major axis); used as the full width when ≥ 15. */
  kernelSize = Field.float({ default: 10.0, doc: 'radius of the kernel to create, relative to the square root of the stellar quadrupole moments' });
  /** Minimum kernel size (pixels). */
  kernelSizeMin = Field.int({ default: 25, doc: 'Minimum radius of the kernel' });
  /** Maximum kernel size (pixels). */
  kernelSizeMax = Field.int({ default: 45, doc: 'Maximum radius of the kernel' });
  /** Pixels ignored around the edge of the candidate stamps. */
  borderWidth = Field.int({ default: 0, doc: 'Number of pixels to ignore around the edge of PSF candidate postage stamps' });
  /** Candidates per cell used for the spatial fit. */
  nStarPerCellSpatialFit = Field.int({ default: 5, doc: 'number of stars per psf Cell for spatial fitting' });
  /** Give each candidate the same weight in the principal components? */
  constantWeight = Field.bool({ default: true, doc: 'Should each PSF candidate be given the same weight, independent of magnitude?' });
  /** Iterations of candidate rejection. */
  nIterForPsf = Field.int({ default: 3, doc: 'number of iterations of PSF candidate star list' });
  /** Tolerance of the (non-linear) spatial fit. */
  tolerance = Field.float({ default: 1e-2, doc: 'tolerance of spatial fitting' });
  /** Floor of the noise: σ² ≥ (lam × data)². */
  lam = Field.float({ default: 0.05, doc: 'floor for variance is lam*data' });
  /** Reduced χ² above which a candidate may be rejected. */
  reducedChi2ForPsfCandidates = Field.float({ default: 2.0, doc: 'for psf candidate evaluation' });
  /** Rejection threshold (standard deviations) of the spatial fit's residuals. */
  spatialReject = Field.float({ default: 3.0, doc: 'Rejection threshold (stdev) for candidates based on spatial fit' });
  /** Reject candidates whose footprint has more than one peak? */
  doRejectBlends = Field.bool({ default: false, doc: 'Reject candidates that are blended?' });

  /**
   * Checks the fields.
   *
   * @throws {@link MeasAlgorithmsInvalidArgumentError} when `nonLinearSpatialFit` is set or the kernel limits are inverted
   */
  override validate(): void {
    super.validate();
    if (this.nonLinearSpatialFit) {
      throw new MeasAlgorithmsInvalidArgumentError('PcaPsfDeterminerConfig.nonLinearSpatialFit is not implemented; got true.', { hint: 'Leave it false (the LSST default): the spatial fit is linear.' });
    }
    if (this.kernelSizeMin > this.kernelSizeMax) throw new MeasAlgorithmsInvalidArgumentError(`kernelSizeMin (${this.kernelSizeMin}) > kernelSizeMax (${this.kernelSizeMax}).`);
  }
}

/** Options of {@link PsfDeterminer.determinePsf}. */
export interface DeterminePsfOptions {
  /** A Flag field set on the sources whose candidates were used (e.g. `calib_psf_used`). */
  readonly flagKey?: string | undefined;
}

/** What {@link PsfDeterminer.determinePsf} returns. */
export interface DeterminePsfResult {
  /** The PSF model. */
  readonly psf: PcaPsf;
  /** The candidates, each with its final status (GOOD: used; BAD: rejected) and reduced χ². */
  readonly candidates: readonly PsfCandidate[];
  /** The number of candidates used. */
  readonly numGoodStars: number;
  /** The number of candidates available (with a stamp inside the image). */
  readonly numAvailStars: number;
  /** The kernel width and height (pixels). */
  readonly kernelSize: number;
  /** The number of principal components (basis kernels) of the model. */
  readonly nEigenComponents: number;
}

/**
 * What {@link MeasurePsfTask} needs of a PSF determiner (LSST's `BasePsfDeterminerTask`).
 *
 * @see lsst.meas.algorithms.psfDeterminer.BasePsfDeterminerTask
 */
export interface PsfDeterminer {
  /**
   * Builds a PSF model from candidates.
   *
   * @param exposure - the exposure (background subtracted)
   * @param catalog - the sources the candidates point into
   * @param candidates - the candidates
   * @param options - the flag to set on used sources
   * @returns the PSF and the candidates' fate
   */
  determinePsf(exposure: Exposure<PixelArray>, catalog: SourceCatalog, candidates: readonly PsfCandidate[], options?: DeterminePsfOptions): DeterminePsfResult;
}

/** The Chebyshev terms `T_{k-j}(x') T_j(y')` (k = 0…order, j = 0…k) at a position, as afw's Chebyshev1Function2 orders them. */
export function chebyshevTerms(x: number, y: number, range: Box2D, order: number, tx: Float64Array, ty: Float64Array, out: Float64Array): Float64Array {
  const minX = range.getMinX();
  const maxX = range.getMaxX();
  const minY = range.getMinY();
  const maxY = range.getMaxY();
  chebyshevT((2 * x - (minX + maxX)) / (maxX - minX), order, tx);
  chebyshevT((2 * y - (minY + maxY)) / (maxY - minY), order, ty);
  let n = 0;
  for (let k = 0; k <= order; k++) for (let j = 0; j <= k; j++) out[n++] = tx[k - j]! * ty[j]!;
  return out;
}

/**
 * The kernel width LSST's PCA determiner uses: `2 ⌊kernelSize √(median semi-major axis) + ½⌋ + 1`
 * clamped to `[kernelSizeMin, kernelSizeMax]`, or `kernelSize` itself when it is ≥ 15.
 *
 * @param config - the configuration
 * @param sizes - the semi-major axes (pixels) of the candidates' second moments
 * @returns the kernel width (pixels)
 * @example
 * ```ts
 * pcaKernelSize(new PcaPsfDeterminerConfig(), [2, 2, 2]); // 2⌊10√2 + ½⌋ + 1 = 29
 * ```
 */
export function pcaKernelSize(config: PcaPsfDeterminerConfig, sizes: ArrayLike<number>): number {
  if (config.kernelSize >= 15) return Math.trunc(config.kernelSize);
  const size = 2 * Math.trunc(config.kernelSize * Math.sqrt(median(sizes)) + 0.5) + 1;
  return Math.min(config.kernelSizeMax, Math.max(config.kernelSizeMin, size));
}

/**
 * The mean and leading principal components of a set of images (rows of `data`, `n × p`): the
 * mean, and the top `q` eigenvectors of the covariance of the mean-subtracted rows (subspace
 * iteration on `Dᵀ D` without forming it), with their eigenvalues (sums of squares along them).
 *
 * @param data - the images, one per row
 * @param n - the number of images
 * @param p - the pixels per image
 * @param q - the number of components wanted
 * @returns the mean, the components (`q × p`, unit norm, by decreasing eigenvalue) and eigenvalues
 */
export function principalComponents(
  data: Float64Array,
  n: number,
  p: number,
  q: number,
): {
  /** The mean image. */
  mean: Float64Array;
  /** The components, unit norm, by decreasing eigenvalue. */
  components: Float64Array[];
  /** The eigenvalues (sums of squares of the projections). */
  eigenValues: number[];
} {
  const mean = new Float64Array(p);
  for (let i = 0; i < n; i++) for (let k = 0; k < p; k++) mean[k]! += data[i * p + k]!;
  for (let k = 0; k < p; k++) mean[k]! /= n;
  const q2 = Math.min(q, n - 1);
  if (q2 <= 0) return { mean, components: [], eigenValues: [] };
  const d = new Float64Array(n * p);
  for (let i = 0; i < n; i++) for (let k = 0; k < p; k++) d[i * p + k] = data[i * p + k]! - mean[k]!;
  const rand = seededUniform(12345);
  let v = Array.from({ length: q2 }, () => Float64Array.from({ length: p }, () => rand() - 0.5));
  const proj = new Float64Array(n);
  const lambdas = new Array<number>(q2).fill(0);
  const orthonormalise = (vs: Float64Array[]): void => {
    for (let a = 0; a < vs.length; a++) {
      const va = vs[a]!;
      for (let b = 0; b < a; b++) {
        const vb = vs[b]!;
        let dot = 0;
        for (let k = 0; k < p; k++) dot += va[k]! * vb[k]!;
        for (let k = 0; k < p; k++) va[k]! -= dot * vb[k]!;
      }
      let norm = 0;
      for (let k = 0; k < p; k++) norm += va[k]! * va[k]!;
      norm = Math.sqrt(norm) || 1;
      for (let k = 0; k < p; k++) va[k]! /= norm;
    }
  };
  orthonormalise(v);
  for (let iter = 0; iter < 60; iter++) {
    const w = v.map((vk, a) => {
      for (let i = 0; i < n; i++) {
        let s = 0;
        const row = i * p;
        for (let k = 0; k < p; k++) s += d[row + k]! * vk[k]!;
        proj[i] = s;
      }
      const out = new Float64Array(p);
      let lam = 0;
      for (let i = 0; i < n; i++) {
        const s = proj[i]!;
        lam += s * s;
        if (s === 0) continue;
        const row = i * p;
        for (let k = 0; k < p; k++) out[k]! += s * d[row + k]!;
      }
      lambdas[a] = lam;
      return out;
    });
    orthonormalise(w);
    let change = 0;
    for (let a = 0; a < q2; a++) {
      let dot = 0;
      for (let k = 0; k < p; k++) dot += w[a]![k]! * v[a]![k]!;
      change = Math.max(change, 1 - Math.abs(dot));
    }
    v = w;
    if (change < 1e-7 && iter > 2) break;
  }
  const order = lambdas.map((l, i) => [l, i] as const).sort((a, b) => b[0] - a[0]);
  return { mean, components: order.map(([, i]) => v[i]!), eigenValues: order.map(([l]) => l) };
}

interface Stamp {
  readonly candidate: PsfCandidate;
  readonly cell: number;
  readonly image: Float64Array;
  readonly variance: Float64Array;
  /** The fitted, normalised basis coefficients (current basis). */
  coeffs: Float64Array;
}

/**
 * Determines a spatially varying PSF by principal-component analysis of star stamps, as LSST's
 * PCA PSF determiner:
 *
 * 1. each candidate's stamp (kernel-sized, around the centroid) is recentred on its centre pixel
 *    with a Lanczos-5 shift and normalised to unit sum;
 * 2. the brightest `nStarPerCell` unrejected candidates of each `sizeCellX × sizeCellY` cell give
 *    the basis: their mean image and the leading `nEigenComponents - 1` principal components of
 *    the stamps minus the mean;
 * 3. each candidate's stamp is fitted with the basis, and each normalised coefficient is fitted as
 *    a 2-d Chebyshev polynomial of order `spatialOrder` over the image (from the brightest
 *    `nStarPerCellSpatialFit` candidates of each cell);
 * 4. `nIterForPsf` times, candidates whose reduced χ² against the model exceeds
 *    `reducedChi2ForPsfCandidates`, or whose coefficients are more than `spatialReject` clipped
 *    sigmas from the spatial model, are rejected (an increasing fraction of them each iteration),
 *    and the model is rebuilt.
 *
 * The result is a `PcaPsf` (afw-image): a linear combination of fixed basis
 * kernels whose amplitudes are `Chebyshev1Function2` (afw-image)s of position.
 *
 * @example
 * ```ts
 * const determiner = new PcaPsfDeterminerTask();
 * const { psf, numGoodStars } = determiner.determinePsf(exposure, sources, candidates, { flagKey: 'calib_psf_used' });
 * exposure.setPsf(psf);
 * ```
 * @see lsst.meas.algorithms.pcaPsfDeterminer.PcaPsfDeterminerTask
 */
export class PcaPsfDeterminerTask extends Task<PcaPsfDeterminerConfig> implements PsfDeterminer {
  /** {@link PcaPsfDeterminerConfig}. */
  static override ConfigClass = PcaPsfDeterminerConfig;
  /** `psfDeterminer`. */
  static override _DefaultName: string | undefined = 'psfDeterminer';

  /**
   * Makes the task.
   *
   * @param options - Task options
   */
  constructor(options: TaskOptions<PcaPsfDeterminerConfig> = {}) {
    super(options);
  }

  /**
   * Builds the PCA PSF.
   *
   * @param exposure - the exposure (background subtracted)
   * @param catalog - the sources (slot shape for the kernel size; the flag field, if given)
   * @param candidates - the candidates (their status, χ² and amplitude are updated)
   * @param options - the flag to set on used sources
   * @returns the PSF, the candidates and counts
   * @throws {@link MeasAlgorithmsNoDataError} when there are no usable candidates
   * @see lsst.meas.algorithms.pcaPsfDeterminer.PcaPsfDeterminerTask.determinePsf
   */
  determinePsf(exposure: Exposure<PixelArray>, catalog: SourceCatalog, candidates: readonly PsfCandidate[], options: DeterminePsfOptions = {}): DeterminePsfResult {
    return this.timer('determinePsf', () => this.#determine(exposure, catalog, candidates, options));
  }

  #determine(exposure: Exposure<PixelArray>, catalog: SourceCatalog, candidates: readonly PsfCandidate[], options: DeterminePsfOptions): DeterminePsfResult {
    const c = this.config;
    if (candidates.length === 0) throw new MeasAlgorithmsNoDataError('No PSF candidates supplied.');
    const bbox = exposure.getBBox();
    const xx = catalog.getColumn('slot_Shape_xx') as Float64Array;
    const yy = catalog.getColumn('slot_Shape_yy') as Float64Array;
    const xy = catalog.getColumn('slot_Shape_xy') as Float64Array;
    const sizes: number[] = [];
    for (const cand of candidates) {
      const a = Number(xx[cand.index]);
      const b = Number(yy[cand.index]);
      const h = Number(xy[cand.index]);
      const semiMajor = Math.sqrt(0.5 * (a + b) + Math.sqrt(0.25 * (a - b) ** 2 + h * h));
      if (Number.isFinite(semiMajor)) sizes.push(semiMajor);
    }
    if (sizes.length === 0) throw new MeasAlgorithmsNoDataError(`No usable PSF candidates supplied: none of ${candidates.length} has finite second moments.`);
    const kernelSize = pcaKernelSize(c, sizes);
    const stampSize = kernelSize + 2 * c.borderWidth;
    this.log.debug(`Kernel size=${kernelSize}`);
    const stamps = this.#makeStamps(exposure, catalog, candidates, kernelSize, stampSize, bbox);
    if (stamps.length === 0) throw new MeasAlgorithmsNoDataError(`No usable PSF candidates: none of ${candidates.length} has a stamp of ${stampSize} px inside the image.`);
    const p = kernelSize * kernelSize;
    const nu = stampSize * stampSize - 1;
    let nEigen = c.nEigenComponents;
    const live = (): Stamp[] => stamps.filter((s) => s.candidate.status !== 'BAD');
    const perCell = (list: Stamp[], nPer: number): Stamp[] => {
      const counts = new Map<number, number>();
      const out: Stamp[] = [];
      for (const s of list) {
        const k = counts.get(s.cell) ?? 0;
        if (k < nPer) out.push(s);
        counts.set(s.cell, k + 1);
      }
      return out;
    };
    const fit = (): { psf: PcaPsf; basis: Float64Array[]; functions: Chebyshev1Function2[]; range: Box2D; order: number } => {
      const good = live();
      if (good.length === 0) throw new MeasAlgorithmsNoDataError('All PSF candidates were rejected.');
      const pcaSet = perCell(good, c.nStarPerCell);
      const data = new Float64Array(pcaSet.length * p);
      pcaSet.forEach((s, i) => {
        const w = c.constantWeight ? 1 : Math.sqrt(Math.max(0, s.candidate.amplitude));
        for (let k = 0; k < p; k++) data[i * p + k] = w * s.image[k]!;
      });
      if (!c.constantWeight) {
        let wsum = 0;
        for (const s of pcaSet) wsum += Math.sqrt(Math.max(0, s.candidate.amplitude));
        const scale = pcaSet.length / wsum;
        for (let k = 0; k < data.length; k++) data[k]! *= scale;
      }
      const { mean, components, eigenValues } = principalComponents(data, pcaSet.length, p, nEigen - 1);
      const total = eigenValues.reduce((a, b) => a + b, 0);
      const basis = [mean, ...components.filter((_, i) => eigenValues[i]! > 1e-12 * Math.max(total, 1e-300))];
      if (basis.length < nEigen) {
        this.log.warn(`Only ${basis.length} eigen components can be determined from ${pcaSet.length} candidates: reducing number of eigen components from ${nEigen}.`);
        nEigen = basis.length;
      }
      this.#fitCoefficients(good, basis, p);
      const spatialSet = perCell(good, c.nStarPerCellSpatialFit);
      let order = c.spatialOrder;
      while (order > 0 && ((order + 1) * (order + 2)) / 2 > spatialSet.length) order--;
      if (order < c.spatialOrder) this.log.warn(`Only ${spatialSet.length} candidates for the spatial fit: reducing spatial order from ${c.spatialOrder} to ${order}.`);
      const range = new Box2D(new Point2D(bbox.getMinX() - 0.5, bbox.getMinY() - 0.5), new Point2D(bbox.getMaxX() + 0.5, bbox.getMaxY() + 0.5));
      const nTerms = ((order + 1) * (order + 2)) / 2;
      const design = new Float64Array(spatialSet.length * nTerms);
      const tx = new Float64Array(order + 1);
      const ty = new Float64Array(order + 1);
      const terms = new Float64Array(nTerms);
      spatialSet.forEach((s, i) => design.set(chebyshevTerms(s.candidate.x, s.candidate.y, range, order, tx, ty, terms), i * nTerms));
      const functions = basis.map((_, k) => {
        const z = Float64Array.from(spatialSet, (s) => s.coeffs[k]!);
        return new Chebyshev1Function2(Array.from(fitLinear(design, z, nTerms)), range);
      });
      const half = (kernelSize - 1) / 2;
      const kernels = basis.map((b) => new FixedKernel(new Image(Float64Array.from(b), kernelSize, kernelSize), { ctr: new Point2I(half, half) }));
      const psf = new PcaPsf(new LinearCombinationKernel(kernels, functions), new Point2D(0.5 * (bbox.getMinX() + bbox.getMaxX()), 0.5 * (bbox.getMinY() + bbox.getMaxY())));
      return { psf, basis, functions, range, order };
    };
    for (let iter = 0; iter < c.nIterForPsf; iter++) {
      // Fit, and drop prima facie bad candidates (χ² not finite or not positive) until none is left.
      let model = fit();
      for (;;) {
        let awful = 0;
        for (const s of live()) {
          s.candidate.chi2 = this.#reducedChi2(s, model.psf, p, nu);
          if (!(Number.isFinite(s.candidate.chi2) && s.candidate.chi2 > 0)) {
            s.candidate.status = 'BAD';
            awful++;
          }
        }
        if (awful === 0) break;
        model = fit();
      }
      const fraction = (iter + 1) / c.nIterForPsf;
      // Clip bad fits on reduced χ².
      const badChi2 = live()
        .filter((s) => s.candidate.chi2 > c.reducedChi2ForPsfCandidates)
        .sort((a, b) => b.candidate.chi2 - a.candidate.chi2);
      const nBadChi2 = Math.trunc(badChi2.length * fraction + 0.5);
      for (let i = 0; i < nBadChi2; i++) badChi2[i]!.candidate.status = 'BAD';
      // Clip outliers of the spatial model, component by component.
      const remaining = live();
      if (remaining.length === 0) break;
      const nTerms = ((model.order + 1) * (model.order + 2)) / 2;
      const tx = new Float64Array(model.order + 1);
      const ty = new Float64Array(model.order + 1);
      const terms = new Float64Array(nTerms);
      const residuals = remaining.map((s) => {
        chebyshevTerms(s.candidate.x, s.candidate.y, model.range, model.order, tx, ty, terms);
        return Float64Array.from(model.functions, (f, k) => {
          const params = f.getParameters();
          let predicted = 0;
          for (let t = 0; t < nTerms; t++) predicted += params[t]! * terms[t]!;
          return s.coeffs[k]! - predicted;
        });
      });
      for (let k = 0; k < model.functions.length; k++) {
        const values = Float64Array.from(residuals, (r) => r[k]!);
        const stats = makeStatistics(values, { properties: ['MEANCLIP', 'STDEVCLIP'] });
        const mean = stats.getValue('MEANCLIP');
        const rms = Math.max(1e-4, stats.getValue('STDEVCLIP'));
        const bad = remaining
          .map((s, i) => ({ s, d: Math.abs(values[i]! - mean) }))
          .filter(({ d }) => d > c.spatialReject * rms)
          .sort((a, b) => b.d - a.d);
        const nBad = Math.trunc(bad.length * fraction + 0.5);
        for (let i = 0; i < nBad; i++) bad[i]!.s.candidate.status = 'BAD';
      }
    }
    // One last time, with the final set of candidates.
    const final = fit();
    const used = live();
    let avgX = 0;
    let avgY = 0;
    const flag = options.flagKey === undefined ? undefined : (catalog.getColumn(options.flagKey) as Uint8Array);
    for (const s of used) {
      s.candidate.status = 'GOOD';
      s.candidate.chi2 = this.#reducedChi2(s, final.psf, p, nu);
      avgX += s.candidate.x;
      avgY += s.candidate.y;
      if (flag !== undefined) flag[s.candidate.index] = 1;
    }
    avgX /= used.length;
    avgY /= used.length;
    const psf = new PcaPsf(final.psf.getKernel(), new Point2D(avgX, avgY));
    this.metadata.set('numGoodStars', used.length);
    this.metadata.set('numAvailStars', stamps.length);
    this.metadata.set('avgX', avgX);
    this.metadata.set('avgY', avgY);
    this.log.info(`PSF determination using ${used.length}/${stamps.length} stars; kernel ${kernelSize} px, ${final.basis.length} components, spatial order ${final.order}.`);
    return { psf, candidates, numGoodStars: used.length, numAvailStars: stamps.length, kernelSize, nEigenComponents: final.basis.length };
  }

  #makeStamps(exposure: Exposure<PixelArray>, catalog: SourceCatalog, candidates: readonly PsfCandidate[], kernelSize: number, stampSize: number, bbox: Box2I): Stamp[] {
    const c = this.config;
    const nCellX = Math.max(1, Math.ceil(bbox.getWidth() / c.sizeCellX));
    const stamps: Stamp[] = [];
    const border = c.borderWidth;
    for (const cand of [...candidates].sort((a, b) => b.rating - a.rating)) {
      if (c.doRejectBlends) {
        const fp = catalog.get(cand.index).getFootprint();
        if (fp !== null && fp.getPeaks().length > 1) {
          cand.status = 'BAD';
          continue;
        }
      }
      const stamp = cand.getStamp(exposure, stampSize);
      if (stamp === undefined) {
        cand.status = 'BAD';
        continue;
      }
      let image = stamp.image.array.data as Float64Array;
      let variance = stamp.variance;
      if (border > 0) {
        const inner = new Float64Array(kernelSize * kernelSize);
        const innerVar = new Float64Array(kernelSize * kernelSize);
        let sum = 0;
        for (let j = 0; j < kernelSize; j++) {
          for (let i = 0; i < kernelSize; i++) {
            const v = image[(j + border) * stampSize + i + border]!;
            inner[j * kernelSize + i] = v;
            innerVar[j * kernelSize + i] = variance[(j + border) * stampSize + i + border]!;
            sum += v;
          }
        }
        if (!(sum > 0)) {
          cand.status = 'BAD';
          continue;
        }
        for (let k = 0; k < inner.length; k++) {
          inner[k]! /= sum;
          innerVar[k]! /= sum * sum;
        }
        image = inner;
        variance = innerVar;
      }
      const cx = Math.min(nCellX - 1, Math.max(0, Math.floor((cand.x - bbox.getMinX()) / c.sizeCellX)));
      const cy = Math.max(0, Math.floor((cand.y - bbox.getMinY()) / c.sizeCellY));
      cand.status = 'UNKNOWN';
      stamps.push({ candidate: cand, cell: cx + nCellX * cy, image, variance, coeffs: new Float64Array(0) });
    }
    return stamps;
  }

  /** Fits each stamp with the basis (unweighted least squares) and normalises the coefficients by the model's sum. */
  #fitCoefficients(stamps: Stamp[], basis: Float64Array[], p: number): void {
    const n = basis.length;
    const gram = new Float64Array(n * n);
    const sums = Float64Array.from(basis, (b) => b.reduce((a, v) => a + v, 0));
    for (let a = 0; a < n; a++) {
      for (let b = 0; b <= a; b++) {
        let s = 0;
        for (let k = 0; k < p; k++) s += basis[a]![k]! * basis[b]![k]!;
        gram[a * n + b] = gram[b * n + a] = s;
      }
    }
    for (const s of stamps) {
      const rhs = new Float64Array(n);
      for (let a = 0; a < n; a++) {
        let t = 0;
        const ba = basis[a]!;
        for (let k = 0; k < p; k++) t += ba[k]! * s.image[k]!;
        rhs[a] = t;
      }
      const coeffs = solveSymmetric(gram.slice(), rhs, n);
      let amp = 0;
      for (let a = 0; a < n; a++) amp += coeffs[a]! * sums[a]!;
      for (let a = 0; a < n; a++) coeffs[a]! /= amp;
      s.coeffs = coeffs;
    }
  }

  /** The reduced χ² of the model (with a free amplitude) against a stamp, the noise floored at `lam × data`. */
  #reducedChi2(s: Stamp, psf: PcaPsf, p: number, nu: number): number {
    const model = psf.computeKernelImage(new Point2D(s.candidate.x, s.candidate.y)).array.data;
    const lam2 = this.config.lam * this.config.lam;
    let smm = 0;
    let sdm = 0;
    const w = new Float64Array(p);
    for (let k = 0; k < p; k++) {
      const d = s.image[k]!;
      const wk = 1 / (s.variance[k]! + lam2 * d * d);
      w[k] = wk;
      smm += wk * model[k]! * model[k]!;
      sdm += wk * s.image[k]! * model[k]!;
    }
    const amp = sdm / smm;
    let chi2 = 0;
    for (let k = 0; k < p; k++) {
      const r = s.image[k]! - amp * model[k]!;
      chi2 += w[k]! * r * r;
    }
    return chi2 / nu;
  }
}
