// lsst.ip.diffim BasisLists.cc (makeAlardLuptonBasisList, renormalizeKernelList) and
// makeKernelBasisList.py (generateAlardLuptonBasisList).
import { FixedKernel, Image } from '@skystack/afw-image';
import type { TaskMetadata } from '@skystack/pipe-base';
import { IpDiffimInvalidArgumentError } from './errors.js';
import type { PsfMatchConfigAL } from './psf-match-config.js';

/** FWHM / σ of a Gaussian: `2 √(2 ln 2)`. */
export const SIGMA_TO_FWHM = 2 * Math.sqrt(2 * Math.log(2));

/** The smallest kernel sum renormalizeKernelList divides by (float32 epsilon, as LSST). */
const FLOAT_EPSILON = 1.1920928955078125e-7;

function kernelValues(kernel: FixedKernel): Float64Array {
  const out = new Float64Array(kernel.width * kernel.height);
  kernel.computeImageInto(new Image(out, kernel.width, kernel.height), false);
  return out;
}

/**
 * Renormalises a kernel list so that the first kernel sums to 1 and every other kernel sums to 0
 * with unit inner product (`B_i := (B_i / ΣB_i − B_0) / ‖·‖`; a kernel whose sum is below float
 * epsilon is only scaled). All the flux of a linear combination is then in the first term's
 * coefficient: the kernel sum is that coefficient.
 *
 * @param kernels - kernels of one size
 * @returns the renormalised kernels
 * @example
 * ```ts
 * const basis = renormalizeKernelList([gaussian, gaussianTimesX]);
 * ```
 * @see lsst.ip.diffim.renormalizeKernelList
 */
export function renormalizeKernelList(kernels: readonly FixedKernel[]): FixedKernel[] {
  const first = kernels[0];
  if (first === undefined) return [];
  const { width, height } = first;
  const image0 = kernelValues(first);
  let sum0 = 0;
  for (const v of image0) sum0 += v;
  for (let i = 0; i < image0.length; i++) image0[i]! /= sum0;
  const out = [new FixedKernel(new Image(image0, width, height))];
  for (let k = 1; k < kernels.length; k++) {
    const v = kernelValues(kernels[k]!);
    let kSum = 0;
    for (const x of v) kSum += x;
    if (Math.abs(kSum) > FLOAT_EPSILON) for (let i = 0; i < v.length; i++) v[i] = v[i]! / kSum - image0[i]!;
    let norm = 0;
    for (const x of v) norm += x * x;
    const scale = 1 / Math.sqrt(norm);
    for (let i = 0; i < v.length; i++) v[i]! *= scale;
    out.push(new FixedKernel(new Image(v, width, height)));
  }
  return out;
}

/**
 * The Alard-Lupton basis: for each Gaussian `i` (σ `sigGauss[i]`), the normalised Gaussian image
 * times each monomial `u^p v^q` with `p + q ≤ degGauss[i]` (afw's PolynomialFunction2 order `1, u,
 * v, u², uv, v², …`), where `u, v` run from −1 to 1 across the kernel; then
 * {@link renormalizeKernelList}. The kernels are `(2·halfWidth + 1)²`.
 *
 * @param halfWidth - half the kernel size (size `2·halfWidth + 1`)
 * @param nGauss - number of Gaussians
 * @param sigGauss - their sigmas (pixels)
 * @param degGauss - their polynomial degrees
 * @returns `Σ (d+1)(d+2)/2` basis kernels
 * @throws {@link IpDiffimInvalidArgumentError} when `halfWidth < 1` or the list lengths differ from `nGauss`
 * @example
 * ```ts
 * const basis = makeAlardLuptonBasisList(10, 3, [0.7, 1.5, 3.0], [4, 2, 2]); // 27 kernels of 21 x 21
 * ```
 * @see lsst.ip.diffim.makeAlardLuptonBasisList
 */
export function makeAlardLuptonBasisList(halfWidth: number, nGauss: number, sigGauss: readonly number[], degGauss: readonly number[]): FixedKernel[] {
  if (!Number.isInteger(halfWidth) || halfWidth < 1) throw new IpDiffimInvalidArgumentError(`halfWidth must be a positive integer; got ${halfWidth}.`);
  if (sigGauss.length !== nGauss) throw new IpDiffimInvalidArgumentError(`sigGauss has ${sigGauss.length} entries; expected nGauss = ${nGauss}.`);
  if (degGauss.length !== nGauss) throw new IpDiffimInvalidArgumentError(`degGauss has ${degGauss.length} entries; expected nGauss = ${nGauss}.`);
  const size = 2 * halfWidth + 1;
  const kernels: FixedKernel[] = [];
  const gauss = new Float64Array(size * size);
  for (let g = 0; g < nGauss; g++) {
    const sig = sigGauss[g]!;
    const deg = degGauss[g]!;
    if (!(sig > 0)) throw new IpDiffimInvalidArgumentError(`sigGauss[${g}] must be positive; got ${sig}.`);
    if (!Number.isInteger(deg) || deg < 0) throw new IpDiffimInvalidArgumentError(`degGauss[${g}] must be an integer >= 0; got ${deg}.`);
    let sum = 0;
    for (let j = 0; j < size; j++) {
      for (let i = 0; i < size; i++) {
        const u = i - halfWidth;
        const v = j - halfWidth;
        sum += gauss[j * size + i] = Math.exp(-(u * u + v * v) / (2 * sig * sig));
      }
    }
    for (let k = 0; k < gauss.length; k++) gauss[k]! /= sum;
    // Monomials in afw's PolynomialFunction2 order: for each total order t, x^t, x^(t-1) y, ..., y^t.
    for (let t = 0; t <= deg; t++) {
      for (let q = 0; q <= t; q++) {
        const p = t - q;
        const img = new Float64Array(size * size);
        for (let j = 0; j < size; j++) {
          const v = (j - halfWidth) / halfWidth;
          for (let i = 0; i < size; i++) {
            const u = (i - halfWidth) / halfWidth;
            img[j * size + i] = gauss[j * size + i]! * u ** p * v ** q;
          }
        }
        kernels.push(new FixedKernel(new Image(img, size, size)));
      }
    }
  }
  return renormalizeKernelList(kernels);
}

/** What {@link generateAlardLuptonBasisList} chose. */
export interface AlardLuptonBasis {
  /** The renormalised basis kernels. */
  readonly basisList: FixedKernel[];
  /** The kernel size (pixels). */
  readonly kernelSize: number;
  /** The Gaussian sigmas (pixels). */
  readonly sigGauss: readonly number[];
  /** The polynomial degree of each Gaussian. */
  readonly degGauss: readonly number[];
  /** Whether the deconvolution basis was used (`scaleByFwhm` and reference FWHM < target FWHM). */
  readonly deconvolution: boolean;
}

/**
 * Chooses the Alard-Lupton Gaussians and kernel size from the config and the two FWHMs, as LSST:
 * the config's `alardSigGauss`/`kernelSize` when `scaleByFwhm` is false or a FWHM is missing;
 * otherwise Gaussians from `σ_K = √(σ_ref² − σ_target²)` scaled by `alardGaussBeta`, the kernel
 * size `kernelSizeFwhmScaling × σ_max` (odd, clamped to `kernelSizeMin..Max`), and for
 * deconvolution (reference narrower than target) Ulmer's sum-of-Gaussian progression with
 * `alardDegGaussDeconv` for every Gaussian. Records `ALBasisNGauss`, `ALBasisDegGauss`,
 * `ALBasisSigGauss`, `ALKernelSize` in `metadata`.
 *
 * @param config - the AL config
 * @param targetFwhmPix - FWHM (pixels) of the PSF that is convolved
 * @param referenceFwhmPix - FWHM (pixels) of the PSF to match to
 * @param metadata - where to record the choice
 * @returns the basis and what was chosen
 * @throws {@link IpDiffimInvalidArgumentError} for an even kernel size or inconsistent list lengths
 * @example
 * ```ts
 * const { basisList } = generateAlardLuptonBasisList(new PsfMatchConfigAL(), 3.0, 7.7);
 * ```
 * @see lsst.ip.diffim.makeKernelBasisList.generateAlardLuptonBasisList
 */
export function generateAlardLuptonBasisList(
  config: PsfMatchConfigAL,
  targetFwhmPix?: number,
  referenceFwhmPix?: number,
  metadata?: TaskMetadata,
): AlardLuptonBasis {
  let kernelSize = config.kernelSize;
  let nGauss = config.alardNGauss;
  let sigGauss: number[] = [...config.alardSigGauss];
  let degGauss: number[] = [...config.alardDegGauss];
  const beta = config.alardGaussBeta;
  let deconvolution = false;
  if (degGauss.length !== nGauss) throw new IpDiffimInvalidArgumentError(`len(alardDegGauss) != alardNGauss: ${degGauss.length} vs ${nGauss}.`);
  if (sigGauss.length !== nGauss) throw new IpDiffimInvalidArgumentError(`len(alardSigGauss) != alardNGauss: ${sigGauss.length} vs ${nGauss}.`);
  if (kernelSize % 2 !== 1) throw new IpDiffimInvalidArgumentError(`Only odd-sized Alard-Lupton bases allowed; kernelSize is ${kernelSize}.`);
  if (targetFwhmPix !== undefined && referenceFwhmPix !== undefined && config.scaleByFwhm) {
    const targetSigma = targetFwhmPix / SIGMA_TO_FWHM;
    const referenceSigma = referenceFwhmPix / SIGMA_TO_FWHM;
    const sizeFor = (largest: number): number => {
      let size = Math.trunc(config.kernelSizeFwhmScaling * largest);
      if (size % 2 === 0) size += 1;
      return Math.min(config.kernelSizeMax, Math.max(size, config.kernelSizeMin));
    };
    const progression = (kernelSigma: number, minSigma: number, n: number): number[] => {
      const out: number[] = [];
      if (n > 1 && kernelSigma / beta > minSigma) out.push(kernelSigma / beta, kernelSigma);
      else out.push(kernelSigma);
      while (out.length < n) out.push(out[out.length - 1]! * beta);
      return out;
    };
    if (referenceSigma > targetSigma) {
      const kernelSigma = Math.max(Math.sqrt(referenceSigma ** 2 - targetSigma ** 2), config.alardMinSig);
      sigGauss = progression(kernelSigma, config.alardMinSig, nGauss);
      kernelSize = sizeFor(sigGauss[sigGauss.length - 1]!);
    } else if (referenceSigma < targetSigma) {
      deconvolution = true;
      const nDeconv = config.alardNGaussDeconv;
      const kernelSigma = Math.max(Math.sqrt(targetSigma ** 2 - referenceSigma ** 2), config.alardMinSigDeconv);
      const base = progression(kernelSigma, config.alardMinSigDeconv, Math.max(nDeconv, 3));
      kernelSize = sizeFor(base[Math.max(nDeconv, 3) - 1]!);
      const [s0, s1, s2] = [base[0]!, base[1]!, base[2]!];
      sigGauss = [];
      for (let n = 1; n < 3; n++) {
        for (let j = 0; j < n; j++) sigGauss.push(Math.sqrt((n - j) * s1 ** 2 + j * s2 ** 2 - (n + 1) * s0 ** 2));
      }
      sigGauss.sort((a, b) => a - b);
      nGauss = sigGauss.length;
      degGauss = sigGauss.map(() => config.alardDegGaussDeconv);
    }
  }
  if (metadata !== undefined) {
    metadata.add('ALBasisNGauss', nGauss);
    metadata.add('ALBasisDegGauss', degGauss);
    metadata.add('ALBasisSigGauss', sigGauss);
    metadata.add('ALKernelSize', kernelSize);
  }
  return {
    basisList: makeAlardLuptonBasisList(Math.floor(kernelSize / 2), nGauss, sigGauss, degGauss),
    kernelSize,
    sigGauss,
    degGauss,
    deconvolution,
  };
}
