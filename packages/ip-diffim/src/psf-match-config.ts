// lsst.ip.diffim.psfMatch: PsfMatchConfig and PsfMatchConfigAL (the fields SkyStack implements).
import { ChoiceField, Config, Field, ListField } from '@skystack/pex-config';
import { IpDiffimInvalidArgumentError } from './errors.js';

/**
 * Base configuration of PSF matching (LSST's field names and defaults). Only the Alard-Lupton
 * basis, the spatial kernel model and the cell grid are implemented; the candidate-clipping
 * switches are kept for configuration compatibility (ModelPsfMatchTask turns them all off, and
 * there is nothing to clip when the candidates are PSF models).
 *
 * @see lsst.ip.diffim.psfMatch.PsfMatchConfig
 */
export class PsfMatchConfig extends Config {
  /** Fit a differential background (only `false` is implemented). */
  fitForBackground = Field.bool({ doc: 'Include terms (including kernel cross terms) for background in ip_diffim', default: false });
  /** Type of basis set of the matching kernel (only `alard-lupton` is implemented). */
  kernelBasisSet = ChoiceField({
    dtype: 'str',
    doc: 'Type of basis set for PSF matching kernel.',
    default: 'alard-lupton',
    allowed: {
      'alard-lupton': 'Alard-Lupton sum-of-gaussians basis set',
      'delta-function': 'Delta-function kernel basis set (not implemented in SkyStack)',
      combined: 'combination of AL+DF (not implemented in SkyStack)',
    },
  });
  /** Rows/columns of the convolution kernel (odd); modified by `kernelSizeFwhmScaling` when `scaleByFwhm`. */
  kernelSize = Field.int({ doc: 'Number of rows/columns in the convolution kernel; should be odd-valued. Modified by kernelSizeFwhmScaling if scaleByFwhm = true', default: 21 });
  /** Scale the kernel size and the AL Gaussians by the input FWHMs. */
  scaleByFwhm = Field.bool({ doc: 'Scale kernelSize, alardGaussians by input Fwhm', default: true });
  /** Multiplier of the largest AL Gaussian sigma giving the kernel size (when `scaleByFwhm`). */
  kernelSizeFwhmScaling = Field.float({ doc: 'Multiplier of the largest AL Gaussian basis sigma to get the kernel bbox (pixel) size.', default: 6.0, check: (x) => x >= 1.0 });
  /** Minimum kernel size (when `scaleByFwhm`). */
  kernelSizeMin = Field.int({ doc: 'Minimum kernel bbox (pixel) size.', default: 21 });
  /** Maximum kernel size (when `scaleByFwhm`). */
  kernelSizeMax = Field.int({ doc: 'Maximum kernel bbox (pixel) size.', default: 35 });
  /** Spatial functions of the kernel coefficients: `chebyshev1` (default) or `polynomial`. */
  spatialModelType = ChoiceField({
    dtype: 'str',
    doc: 'Type of spatial functions for kernel and background',
    default: 'chebyshev1',
    allowed: { chebyshev1: 'Chebyshev polynomial of the first kind', polynomial: 'Standard x,y polynomial' },
  });
  /** Spatial order of the kernel variation. */
  spatialKernelOrder = Field.int({ doc: 'Spatial order of convolution kernel variation', default: 2, check: (x) => x >= 0 });
  /** Spatial order of the differential background (unused: no background fit). */
  spatialBgOrder = Field.int({ doc: 'Spatial order of differential background variation', default: 1, check: (x) => x >= 0 });
  /** Width of a spatial cell (pixels). */
  sizeCellX = Field.int({ doc: 'Size (rows) in pixels of each SpatialCell for spatial modeling', default: 128, check: (x) => x >= 32 });
  /** Height of a spatial cell (pixels). */
  sizeCellY = Field.int({ doc: 'Size (columns) in pixels of each SpatialCell for spatial modeling', default: 128, check: (x) => x >= 32 });
  /** Maximum kernel candidates per cell used in the spatial fit (-1: all). ModelPsfMatchTask makes one per cell. */
  nStarPerCell = Field.int({ doc: 'Maximum number of KernelCandidates in each SpatialCell to use in the spatial fitting. Set to -1 to use all candidates in each cell.', default: 5 });
  /** Maximum spatial-fit iterations (no rejection happens for model PSFs, so one is used). */
  maxSpatialIterations = Field.int({ doc: 'Maximum number of iterations for rejecting bad KernelCandidates in spatial fitting', default: 3, check: (x) => x >= 1 && x <= 5 });
  /** Use a PCA basis for the spatial kernel (only `false` is implemented). */
  usePcaForSpatialKernel = Field.bool({ doc: 'Use Pca to reduce the dimensionality of the kernel basis sets.', default: false });
  /** Sigma-clip each raw kernel candidate (not implemented; ModelPsfMatchTask sets false). */
  singleKernelClipping = Field.bool({ doc: 'Do sigma clipping on each raw kernel candidate', default: true });
  /** Sigma-clip the kernel sums (not implemented; ModelPsfMatchTask sets false). */
  kernelSumClipping = Field.bool({ doc: 'Do sigma clipping on the ensemble of kernel sums', default: true });
  /** Sigma-clip after the spatial model (not implemented; ModelPsfMatchTask sets false). */
  spatialKernelClipping = Field.bool({ doc: 'Do sigma clipping after building the spatial model', default: true });
  /** Test the condition number of each kernel matrix (not implemented; default false). */
  checkConditionNumber = Field.bool({ doc: 'Test for maximum condition number when inverting a kernel matrix.', default: false });
  /** Maximum condition number for a well conditioned matrix. */
  maxConditionNumber = Field.float({ doc: 'Maximum condition number for a well conditioned matrix', default: 5.0e7, check: (x) => x >= 0 });
  /** Maximum condition number of the spatial matrix (a warning is logged above it). */
  maxSpatialConditionNumber = Field.float({ doc: 'Maximum condition number for a well conditioned spatial matrix', default: 1.0e10, check: (x) => x >= 0 });
  /** Use constant variance weighting in the single-kernel fits (the PSF images have variance 1 anyway). */
  constantVarianceWeighting = Field.bool({ doc: 'Use constant variance weighting in single kernel fitting?', default: true });
}

/**
 * The Alard-Lupton (sum of Gaussians times polynomials) basis parameters, with LSST's defaults.
 *
 * @example
 * ```ts
 * const config = new PsfMatchConfigAL();
 * config.alardSigGauss; // [0.7, 1.5, 3.0]
 * ```
 * @see lsst.ip.diffim.psfMatch.PsfMatchConfigAL
 */
export class PsfMatchConfigAL extends PsfMatchConfig {
  /** Number of base Gaussians. */
  alardNGauss = Field.int({ doc: 'Number of base Gaussians in alard-lupton kernel basis function generation.', default: 3, check: (x) => x >= 1 });
  /** Polynomial degree of each base Gaussian (length `alardNGauss`). */
  alardDegGauss = ListField({ dtype: 'int', doc: 'Polynomial order of spatial modification of base Gaussians. List length must be `alardNGauss`.', default: [4, 2, 2] });
  /** Sigma (pixels) of each base Gaussian (length `alardNGauss`). */
  alardSigGauss = ListField({ dtype: 'float', doc: 'Default sigma values in pixels of base Gaussians. List length must be `alardNGauss`.', default: [0.7, 1.5, 3.0] });
  /** Ratio of successive Gaussian sigmas when `scaleByFwhm`. */
  alardGaussBeta = Field.float({ doc: 'Used if `scaleByFwhm==True`, scaling multiplier of base Gaussian sigmas for automated sigma determination', default: 2.0, check: (x) => x >= 0 });
  /** Minimum Gaussian sigma (pixels) when `scaleByFwhm`. */
  alardMinSig = Field.float({ doc: 'Used if `scaleByFwhm==True`, minimum sigma (pixels) for base Gaussians', default: 0.7, check: (x) => x >= 0.25 });
  /** Polynomial degree of every Gaussian when deconvolving (`scaleByFwhm`). */
  alardDegGaussDeconv = Field.int({ doc: 'Used if `scaleByFwhm==True`, degree of spatial modification of ALL base Gaussians in AL basis during deconvolution', default: 3, check: (x) => x >= 1 });
  /** Minimum Gaussian sigma (pixels) when deconvolving (`scaleByFwhm`). */
  alardMinSigDeconv = Field.float({ doc: 'Used if `scaleByFwhm==True`, minimum sigma (pixels) for base Gaussians during deconvolution; make smaller than `alardMinSig` as this is only indirectly used', default: 0.4, check: (x) => x >= 0.25 });
  /** Number of base Gaussians when deconvolving (`scaleByFwhm`). */
  alardNGaussDeconv = Field.int({ doc: 'Used if `scaleByFwhm==True`, number of base Gaussians in AL basis during deconvolution', default: 3, check: (x) => x >= 1 });

  /**
   * Checks what SkyStack implements: the AL basis, no background fit, no PCA, an odd kernel size
   * and one sigma and degree per Gaussian.
   *
   * @throws {@link IpDiffimInvalidArgumentError} for an unsupported or inconsistent setting
   */
  override validate(): void {
    super.validate();
    if (this.kernelBasisSet !== 'alard-lupton') {
      throw new IpDiffimInvalidArgumentError(`kernelBasisSet '${String(this.kernelBasisSet)}' is not implemented; expected 'alard-lupton'.`);
    }
    if (this.fitForBackground) throw new IpDiffimInvalidArgumentError('fitForBackground=true is not implemented; expected false (as LSST\'s default).');
    if (this.usePcaForSpatialKernel) throw new IpDiffimInvalidArgumentError('usePcaForSpatialKernel=true is not implemented; expected false.');
    if (this.kernelSize % 2 !== 1 || this.kernelSize < 3) throw new IpDiffimInvalidArgumentError(`kernelSize must be odd and >= 3; got ${this.kernelSize}.`, { hint: 'Only odd-sized Alard-Lupton bases are allowed.' });
  }
}
