// lsst.ip.diffim.modelPsfMatch: ModelPsfMatchConfig and ModelPsfMatchTask, with the parts of
// PsfMatchTask._solve (single-kernel and spatial solutions) that it uses.
import {
  Chebyshev1Function2,
  Exposure,
  ExposureInfo,
  LinearCombinationKernel,
  PolynomialFunction2,
  type FixedKernel,
  type PixelArray,
  type Psf,
  type SpatialFunction2,
} from '@skystack/afw-image';
import { Box2D, Extent2I, Point2D, type Box2I } from '@skystack/geom';
import { Config, ConfigChoiceField, Field, RangeField, type ConfigChoice } from '@skystack/pex-config';
import { Struct, Task, type TaskMetadata, type TaskOptions } from '@skystack/pipe-base';
import { SIGMA_TO_FWHM, generateAlardLuptonBasisList } from './alard-lupton-basis.js';
import { convolveMaskedImageSpatial } from './convolve-spatial.js';
import { IpDiffimFitError, IpDiffimInvalidArgumentError } from './errors.js';
import { householderQr, solveLeastSquares } from './linear-algebra.js';
import { PsfMatchConfigAL } from './psf-match-config.js';

/** The kernel configurations of {@link ModelPsfMatchConfig.kernel}. */
export type ModelPsfMatchKernelTypeMap = {
  /** The Alard-Lupton basis (the only choice, as in LSST). */
  readonly AL: typeof PsfMatchConfigAL;
};

/** The smallest odd integer ≥ x (LSST's `nextOddInteger`). */
function nextOddInteger(x: number): number {
  const next = Math.ceil(x);
  return next % 2 === 0 ? next + 1 : next;
}

/**
 * Configuration of {@link ModelPsfMatchTask}, with LSST's fields and defaults: the AL kernel
 * config with all candidate clipping off, constant variance weighting and `scaleByFwhm = false`
 * (the configured kernel size is kept), and the PSF padding rules.
 *
 * @example
 * ```ts
 * const config = new ModelPsfMatchConfig();
 * config.kernel.get('AL').alardSigGauss = [1.0, 2.0, 4.5]; // as MakePsfMatchedWarpConfig
 * ```
 * @see lsst.ip.diffim.modelPsfMatch.ModelPsfMatchConfig
 */
export class ModelPsfMatchConfig extends Config {
  /** Kernel type: `AL` (PsfMatchConfigAL). */
  kernel: ConfigChoice<ModelPsfMatchKernelTypeMap> = ConfigChoiceField<ModelPsfMatchKernelTypeMap>({ doc: 'kernel type', typemap: { AL: PsfMatchConfigAL }, default: 'AL' });
  /** Pad a small science PSF automatically to `kernelSize × autoPadPsfTo` (odd). */
  doAutoPadPsf = Field.bool({
    doc: 'If too small, automatically pad the science Psf? Pad to smallest dimensions appropriate for the matching kernel dimensions, as specified by autoPadPsfTo. If false, pad by the padPsfBy config.',
    default: true,
  });
  /** Minimum science PSF size as a multiple of the kernel size (when `doAutoPadPsf`). */
  autoPadPsfTo = RangeField({
    dtype: 'float',
    doc: 'Minimum Science Psf dimensions as a fraction of matching kernel dimensions. If the dimensions of the Psf to be matched are less than the matching kernel dimensions * autoPadPsfTo, pad Science Psf to this size. Ignored if doAutoPadPsf=False.',
    default: 1.4,
    min: 1.0,
    max: 2.0,
  });
  /** Pixels (even) to pad the science PSF by (when not `doAutoPadPsf`). */
  padPsfBy = Field.int({ doc: 'Pixels (even) to pad Science Psf by before matching. Ignored if doAutoPadPsf=True', default: 0 });

  /** LSST's defaults: no clipping, constant variance weighting, no FWHM scaling. */
  override setDefaults(): void {
    super.setDefaults();
    const al = this.kernel.get('AL');
    al.singleKernelClipping = false;
    al.kernelSumClipping = false;
    al.spatialKernelClipping = false;
    al.checkConditionNumber = false;
    al.constantVarianceWeighting = true;
    al.scaleByFwhm = false;
  }
}

/** One kernel candidate: the PSF pair at a cell centre and its single-kernel solution. */
export interface KernelCandidate {
  /** PARENT x of the cell centre. */
  readonly x: number;
  /** PARENT y of the cell centre. */
  readonly y: number;
  /** The science PSF kernel image, padded to `size × size`, row-major. */
  readonly science: Float64Array;
  /** The reference PSF kernel image, `size × size`. */
  readonly reference: Float64Array;
  /** The image size. */
  readonly size: number;
  /** The single-kernel basis coefficients (a fit of this candidate alone). */
  readonly coefficients: Float64Array;
  /** The single-kernel sum (the first coefficient). */
  readonly kernelSum: number;
  /** Max |spatial kernel ⊗ science − reference| over the fitted pixels, as a fraction of the reference peak. */
  readonly spatialResidual: number;
}

/** Options of {@link ModelPsfMatchTask.run} beyond LSST's arguments. */
export interface ModelPsfMatchRunOptions {
  /** Spacing of the kernel interpolation grid (afw's ConvolutionControl default 10; ≤ 1: exact). */
  readonly maxInterpolationDistance?: number;
}

/** What {@link ModelPsfMatchTask.run} returns. */
export interface ModelPsfMatchResult {
  /** The PSF-matched exposure: same bbox, WCS, id, filter, PhotoCalib and VisitInfo; PSF = the (resized) reference. */
  readonly psfMatchedExposure: Exposure<Float32Array>;
  /** The spatially varying matching kernel (`computeImage(doNormalize, x, y)`). */
  readonly psfMatchingKernel: LinearCombinationKernel;
  /** The kernel candidates (LSST's `kernelCellSet`): one per cell. */
  readonly kernelCellSet: readonly KernelCandidate[];
  /** The task metadata (AL basis choice, spatial fit residuals). */
  readonly metadata: TaskMetadata;
}

/** What {@link ModelPsfMatchTask.buildCellSet} returns: the PSF pairs and the (possibly resized) reference PSF. */
export interface ModelPsfMatchCellSet {
  /** One PSF pair per cell: the cell centre (PARENT) and the `psfSize²` science and reference kernel images. */
  readonly candidates: { x: number; y: number; science: Float64Array; reference: Float64Array }[];
  /** The reference model used (resized to `psfSize` when it could be). */
  readonly referencePsfModel: Psf;
  /** The common (odd) size of the PSF images. */
  readonly psfSize: number;
  /** The cell-set box: the exposure box grown by one cell; the range of the Chebyshev spatial functions. */
  readonly regionBBox: Box2I;
}

/** Convolves `src` (size × size) with kernel `k` (kw × kw, centre c) over the good region only. */
function convolveValid(src: Float64Array, size: number, k: Float64Array, kw: number, out: Float64Array): void {
  const g = size - kw + 1;
  for (let y = 0; y < g; y++) {
    for (let x = 0; x < g; x++) {
      let s = 0;
      for (let j = 0; j < kw; j++) {
        const o = (y + j) * size + x;
        const ok = j * kw;
        for (let i = 0; i < kw; i++) s += k[ok + i]! * src[o + i]!;
      }
      out[y * g + x] = s;
    }
  }
}

/** The single-kernel solution from a QR-reduced system (pivots below 1e-13 of the first dropped). */
function backSubstitute(r: Float64Array, n: number, z: Float64Array, perm: Int32Array): { coefficients: Float64Array; kernelSum: number } {
  const r00 = Math.abs(r[0]!);
  let rank = 0;
  while (rank < n && Math.abs(r[rank * n + rank]!) > 1e-13 * r00) rank++;
  const y = new Float64Array(n);
  for (let k = rank - 1; k >= 0; k--) {
    let s = z[k]!;
    for (let j = k + 1; j < rank; j++) s -= r[k * n + j]! * y[j]!;
    y[k] = s / r[k * n + k]!;
  }
  const coefficients = new Float64Array(n);
  for (let k = 0; k < n; k++) coefficients[perm[k]!] = y[k]!;
  return { coefficients, kernelSum: coefficients[0]! };
}

/**
 * PSF-matches an exposure to a model PSF (LSST's ModelPsfMatchTask): on a grid of cells
 * (`sizeCellX × sizeCellY`) covering the exposure grown by one cell, the exposure's PSF and the
 * reference PSF are realised at each cell centre (padded to one common odd size); the
 * Alard-Lupton basis coefficients that convolve the first into the second are fitted by linear
 * least squares, first per cell (single kernels) and then jointly as functions of position of
 * order `spatialKernelOrder` (Chebyshev or ordinary polynomials over the cell-set box) with the
 * first, flux-carrying term constant (the kernel sum); that sum is then set to `kernelSum`, and
 * the exposure is convolved with the normalised spatially varying kernel (the kernel image is
 * interpolated between grid nodes 10 pixels apart, as afw's default ConvolutionControl).
 *
 * A model PSF narrower than the exposure's (deconvolution) is fitted all the same, as LSST does:
 * the least-squares kernel is the best the basis can do and the match is poor; a warning is logged
 * and `metadata.deconvolution` is true.
 *
 * @example
 * ```ts
 * const modelPsf = new GaussianPsfFactory().apply(); // DoubleGaussianPsf, FWHM 3 pixels
 * const task = new ModelPsfMatchTask();
 * const { psfMatchedExposure, psfMatchingKernel } = task.run(exposure, modelPsf);
 * psfMatchingKernel.computeImage(true, 1000, 1000); // the kernel at (1000, 1000)
 * ```
 * @see lsst.ip.diffim.modelPsfMatch.ModelPsfMatchTask
 */
export class ModelPsfMatchTask extends Task<ModelPsfMatchConfig> {
  /** {@link ModelPsfMatchConfig}. */
  static override ConfigClass = ModelPsfMatchConfig;
  /** `psfMatch` (PsfMatchTask's default name). */
  static override _DefaultName: string | undefined = 'psfMatch';

  /**
   * Makes the task.
   *
   * @param options - Task options
   */
  constructor(options: TaskOptions<ModelPsfMatchConfig> = {}) {
    super(options);
  }

  /** The active kernel configuration (LSST's `kConfig`). */
  get kConfig(): PsfMatchConfigAL {
    return this.config.kernel.get('AL');
  }

  /**
   * PSF-matches an exposure to a model PSF.
   *
   * @param exposure - the exposure to convolve; it must have a PSF
   * @param referencePsfModel - the PSF to match to
   * @param kernelSum - the kernel sum to impose (LSST's argument; the convolution normalises the
   *   kernel, so it does not change the output pixels)
   * @param options - `maxInterpolationDistance`
   * @returns the matched exposure, the kernel, the candidates and the metadata
   * @throws {@link IpDiffimInvalidArgumentError} when the exposure has no PSF, is smaller than a
   *   cell, or the kernel does not fit in the PSF images
   * @throws {@link IpDiffimFitError} when the spatial solution cannot be found
   * @see lsst.ip.diffim.modelPsfMatch.ModelPsfMatchTask.run
   */
  run(exposure: Exposure<PixelArray>, referencePsfModel: Psf, kernelSum = 1.0, options: ModelPsfMatchRunOptions = {}): Struct<ModelPsfMatchResult> {
    return this.timer('run', () => {
      const sciencePsf = exposure.getPsf();
      if (sciencePsf === null) throw new IpDiffimInvalidArgumentError('exposure does not contain a Psf model', { hint: 'Set one with exposure.setPsf(...).' });
      this.log.info('compute Psf-matching kernel');
      const cellSet = this.buildCellSet(exposure, referencePsfModel);
      const reference = cellSet.referencePsfModel;
      const fwhmScience = sciencePsf.computeShape(sciencePsf.getAveragePosition()).getDeterminantRadius() * SIGMA_TO_FWHM;
      const fwhmModel = reference.computeShape(reference.getAveragePosition()).getDeterminantRadius() * SIGMA_TO_FWHM;
      const deconvolution = fwhmModel < fwhmScience;
      this.metadata.set('deconvolution', deconvolution);
      if (deconvolution) {
        this.log.warn(`The model PSF (FWHM ${fwhmModel.toFixed(3)} px) is narrower than the exposure PSF (FWHM ${fwhmScience.toFixed(3)} px): matching needs a deconvolution, which the kernel basis can only approximate.`);
      }
      const { basisList } = generateAlardLuptonBasisList(this.kConfig, fwhmScience, fwhmModel, this.metadata);
      if (basisList[0]!.width >= cellSet.psfSize) {
        throw new IpDiffimInvalidArgumentError(`The matching kernel (${basisList[0]!.width} px) does not fit in the PSF images (${cellSet.psfSize} px).`, { hint: 'Lower kernelSizeMax or pad the PSF (autoPadPsfTo, padPsfBy).' });
      }
      const { kernel, candidates } = this.#solve(cellSet, basisList, kernelSum);

      this.log.info('Psf-match science exposure to reference');
      const matched = convolveMaskedImageSpatial(exposure.maskedImage, kernel, {
        doNormalize: true,
        maxInterpolationDistance: options.maxInterpolationDistance ?? 10,
      });
      const info = new ExposureInfo();
      info.setWcs(exposure.getWcs());
      info.setId(exposure.info.getId());
      info.setFilter(exposure.getFilter());
      info.setPhotoCalib(exposure.getPhotoCalib());
      info.setVisitInfo(exposure.getInfo().getVisitInfo());
      info.setPsf(reference);
      const psfMatchedExposure = new Exposure(matched, info);
      this.log.info('done');
      return new Struct<ModelPsfMatchResult>({ psfMatchedExposure, psfMatchingKernel: kernel, kernelCellSet: candidates, metadata: this.metadata });
    });
  }

  /**
   * Realises the PSF pairs at the cell centres (LSST's `_buildCellSet`): the cell grid covers the
   * exposure box grown by one cell on every side; the science PSF size is the largest over the
   * cells, padded to `nextOdd(kernelSize × autoPadPsfTo)` (or by `padPsfBy`); the reference model
   * is resized to that size (or zero-padded/clipped when it cannot be resized).
   *
   * @param exposure - the exposure (with a PSF)
   * @param referencePsfModel - the model to match to
   * @returns the candidates, the reference model used, the PSF image size and the cell-set box
   * @throws {@link IpDiffimInvalidArgumentError} for an exposure smaller than a cell, an odd
   *   `padPsfBy`, or a kernel that does not fit the PSF images
   * @see lsst.ip.diffim.modelPsfMatch.ModelPsfMatchTask._buildCellSet
   */
  buildCellSet(exposure: Exposure<PixelArray>, referencePsfModel: Psf): ModelPsfMatchCellSet {
    const k = this.kConfig;
    const sciencePsf = exposure.getPsf();
    if (sciencePsf === null) throw new IpDiffimInvalidArgumentError('exposure does not contain a Psf model');
    const { sizeCellX, sizeCellY } = k;
    const regionBBox = exposure.getBBox().dilatedBy(new Extent2I(sizeCellX, sizeCellY));
    const nCellX = Math.floor(regionBBox.getWidth() / sizeCellX);
    const nCellY = Math.floor(regionBBox.getHeight() / sizeCellY);
    if (nCellX === 0 || nCellY === 0) {
      throw new IpDiffimInvalidArgumentError(`Exposure dimensions=${regionBBox.getWidth()}x${regionBBox.getHeight()} and sizeCell=(${sizeCellX}, ${sizeCellY}). Insufficient area to match`);
    }
    const x0 = regionBBox.getMinX();
    const y0 = regionBBox.getMinY();
    const positions: [number, number][] = [];
    for (let row = 0; row < nCellY; row++) {
      for (let col = 0; col < nCellX; col++) positions.push([sizeCellX * col + Math.floor(sizeCellX / 2) + x0, sizeCellY * row + Math.floor(sizeCellY / 2) + y0]);
    }
    let psfSize = 0;
    for (const [x, y] of positions) {
      const b = sciencePsf.computeBBox(new Point2D(x, y));
      psfSize = Math.max(psfSize, b.getWidth(), b.getHeight());
    }
    let paddingPix: number;
    if (this.config.doAutoPadPsf) {
      paddingPix = Math.max(0, nextOddInteger(k.kernelSize * this.config.autoPadPsfTo) - psfSize);
    } else {
      if (this.config.padPsfBy % 2 !== 0) throw new IpDiffimInvalidArgumentError(`Config padPsfBy (${this.config.padPsfBy} pixels) must be even number.`);
      paddingPix = this.config.padPsfBy;
    }
    if (paddingPix > 0) {
      this.log.debug(`Padding Science PSF from (${psfSize}, ${psfSize}) to (${psfSize + paddingPix}, ${psfSize + paddingPix}) pixels`);
      psfSize += paddingPix;
    }
    let maxKernelSize = psfSize - 1;
    if (maxKernelSize % 2 === 0) maxKernelSize -= 1;
    if (k.kernelSize > maxKernelSize) {
      throw new IpDiffimInvalidArgumentError(`Kernel size (${k.kernelSize}) too big to match Psfs of size ${psfSize}.`, {
        hint: `Set kernel size to <= ${maxKernelSize}, doAutoPadPsf=true, or padPsfBy >= ${k.kernelSize - maxKernelSize}.`,
      });
    }
    let reference = referencePsfModel;
    const dimR = referencePsfModel.computeBBox(regionBBox.getCenter());
    if (dimR.getWidth() !== psfSize || dimR.getHeight() !== psfSize) {
      try {
        reference = referencePsfModel.resized(psfSize, psfSize);
        this.log.info(`Adjusted dimensions of reference PSF model from (${dimR.getWidth()}, ${dimR.getHeight()}) to (${psfSize}, ${psfSize})`);
      } catch (e) {
        this.log.warn(`Zero padding or clipping the reference PSF model of type ${referencePsfModel.constructor.name} and dimensions (${dimR.getWidth()}, ${dimR.getHeight()}) to the science Psf dimensions (${psfSize}, ${psfSize}) because: ${String(e)}`);
      }
    }
    const candidates = positions.map(([x, y]) => ({
      x,
      y,
      science: this.makePsfImage(sciencePsf, x, y, psfSize),
      reference: this.makePsfImage(reference, x, y, psfSize),
    }));
    return { candidates, referencePsfModel: reference, psfSize, regionBBox };
  }

  /**
   * The kernel image of a PSF at a position, zero-padded (or clipped) symmetrically to
   * `size × size` (LSST's `_makePsfMaskedImage`, image plane only).
   *
   * @param psf - the PSF
   * @param x - PARENT x
   * @param y - PARENT y
   * @param size - the output size
   * @returns `size × size` values, row-major
   * @see lsst.ip.diffim.modelPsfMatch.ModelPsfMatchTask._makePsfMaskedImage
   */
  makePsfImage(psf: Psf, x: number, y: number, size: number): Float64Array {
    const raw = psf.computeKernelImage(new Point2D(x, y));
    const { data, stride } = raw.array;
    const out = new Float64Array(size * size);
    const ox = Math.floor((size - raw.width) / 2);
    const oy = Math.floor((size - raw.height) / 2);
    for (let j = 0; j < raw.height; j++) {
      const jj = j + oy;
      if (jj < 0 || jj >= size) continue;
      for (let i = 0; i < raw.width; i++) {
        const ii = i + ox;
        if (ii >= 0 && ii < size) out[jj * size + ii] = data[j * stride + i]!;
      }
    }
    return out;
  }

  /** Single-kernel normal equations, the spatial solution, the kernel and the assessment. */
  #solve(cellSet: ModelPsfMatchCellSet, basisList: readonly FixedKernel[], kernelSum: number): { kernel: LinearCombinationKernel; candidates: KernelCandidate[] } {
    const k = this.kConfig;
    const nb = basisList.length;
    const kw = basisList[0]!.width;
    const basis = basisList.map((b) => b.computeImage(false).array.data);
    const size = cellSet.psfSize;
    const g = size - kw + 1;
    const np = g * g;
    const off = Math.floor(kw / 2);
    const cMat = basis.map(() => new Float64Array(np));

    // Spatial functions: one per unit coefficient, to evaluate the spatial terms at each candidate.
    const order = k.spatialKernelOrder;
    const nkt = ((order + 1) * (order + 2)) / 2;
    const range = Box2D.fromBox2I(cellSet.regionBBox);
    const makeFunction = (params: number[]): SpatialFunction2 =>
      k.spatialModelType === 'polynomial' ? new PolynomialFunction2(params) : new Chebyshev1Function2(params, range);
    const unit = Array.from({ length: nkt }, (_, t) => makeFunction(Array.from({ length: nkt }, (_, u) => (u === t ? 1 : 0))));
    const nt = (nb - 1) * nkt + 1;
    const nCand = cellSet.candidates.length;
    if (nCand === 0) throw new IpDiffimFitError('No kernel candidates for spatial fit');
    // Each candidate's least-squares problem ‖C a − ref‖ is reduced by QR to ‖R a − z‖ (nb rows);
    // the spatial problem stacks the rows R (a_b(x_c, y_c)) = z with a_b expanded in the spatial
    // functions, the first (flux) term constant: LSST's spatial normal equations, solved by QR.
    const rows = nCand * nb;
    const aSp = new Float64Array(rows * nt);
    const ySp = new Float64Array(rows);
    const pK = new Float64Array(nkt);
    const idx = (b: number, t: number): number => (b === 0 ? 0 : 1 + (b - 1) * nkt + t);
    const single: { coefficients: Float64Array; kernelSum: number }[] = [];
    const design = new Float64Array(np * nb);
    const rhs = new Float64Array(np);
    cellSet.candidates.forEach((cand, c) => {
      for (let b = 0; b < nb; b++) {
        convolveValid(cand.science, size, basis[b]!, kw, cMat[b]!);
        const cb = cMat[b]!;
        for (let p = 0; p < np; p++) design[p * nb + b] = cb[p]!;
      }
      for (let y = 0; y < g; y++) for (let x = 0; x < g; x++) rhs[y * g + x] = cand.reference[(y + off) * size + x + off]!;
      const perm = householderQr(design, np, nb, rhs);
      single.push(backSubstitute(design, nb, rhs, perm));
      for (let t = 0; t < nkt; t++) pK[t] = unit[t]!.evaluate(cand.x, cand.y);
      for (let r = 0; r < Math.min(nb, np); r++) {
        const row = (c * nb + r) * nt;
        for (let k = r; k < nb; k++) {
          const rv = design[r * nb + k]!;
          const b = perm[k]!;
          if (b === 0) aSp[row]! += rv;
          else for (let t = 0; t < nkt; t++) aSp[row + idx(b, t)]! += rv * pK[t]!;
        }
        ySp[c * nb + r] = rhs[r]!;
      }
    });
    const { x: solution, rank } = solveLeastSquares(aSp, rows, nt, ySp);
    if (solution.some((v) => !Number.isFinite(v))) throw new IpDiffimFitError('The spatial kernel solution is not finite.');
    this.metadata.set('spatialRank', rank);
    this.metadata.set('spatialNTerms', nt);
    this.metadata.set('spatialKernelSumFit', solution[0]!);
    if (nCand < nkt) this.log.warn(`Spatial kernel model underconstrained; ${nCand} candidates, ${nkt} terms, ${nb} bases`);
    const functions = basisList.map((_, b) => {
      const params = new Array<number>(nkt).fill(0);
      if (b === 0) params[0] = kernelSum;
      else for (let t = 0; t < nkt; t++) params[t] = solution[idx(b, t)]!;
      return makeFunction(params);
    });
    const kernel = new LinearCombinationKernel(basisList, functions);

    // Assess: the spatial kernel (normalised) at each candidate against the reference.
    const kImg = new Float64Array(kw * kw);
    const conv = new Float64Array(np);
    let maxResidual = 0;
    let sumResidual = 0;
    const candidates: KernelCandidate[] = cellSet.candidates.map((cand, c) => {
      const img = kernel.computeImage(true, cand.x, cand.y).array;
      for (let j = 0; j < kw; j++) for (let i = 0; i < kw; i++) kImg[j * kw + i] = img.data[j * img.stride + i]!;
      convolveValid(cand.science, size, kImg, kw, conv);
      let peak = 0;
      let worst = 0;
      for (let y = 0; y < g; y++) {
        for (let x = 0; x < g; x++) {
          const r = cand.reference[(y + off) * size + x + off]!;
          peak = Math.max(peak, Math.abs(r));
          worst = Math.max(worst, Math.abs(conv[y * g + x]! - r));
        }
      }
      const residual = peak > 0 ? worst / peak : worst;
      maxResidual = Math.max(maxResidual, residual);
      sumResidual += residual;
      return { ...cand, size, coefficients: single[c]!.coefficients, kernelSum: single[c]!.kernelSum, spatialResidual: residual };
    });
    this.metadata.set('spatialKernelSum', kernelSum);
    this.metadata.set('spatialResidualMax', maxResidual);
    this.metadata.set('spatialResidualMean', sumResidual / candidates.length);
    this.metadata.set('nCandidates', candidates.length);
    return { kernel, candidates };
  }
}
