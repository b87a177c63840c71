// Errors
export { KernelsInvalidArgumentError, KernelsUndersampledError, KernelsFitError, KernelsWorkerError } from './errors.js';

// Kernels
export { gaussianKernel1d } from './gaussian-kernel.js';
export { makeKernel2d, outerKernel2d, gaussianKernel2d } from './kernel2d.js';
export type { Kernel2d, MakeKernel2dOptions } from './kernel2d.js';

// Convolution
export { convolveSeparable, convolve2d, convolveMaskedImage, DEFAULT_EDGE_BIT } from './convolve.js';
export type { ConvolveOptions, ConvolveMaskedOptions, MaskedImagePlanes, MaskedImageOutput } from './convolve.js';
export { convolveSeparableRows, convolve2dRows, fillEdgeRows } from './convolve-core.js';
export { SeparableSpanEvaluator } from './separable-span-evaluator.js';
export type { SeparableJob, Kernel2dJob, VarianceMaskPlanes } from './convolve-core.js';

// Statistics
export { makeStatistics, Statistics, quantile, nthElement, STATISTICS_PROPERTIES, IQ_TO_STDEV } from './statistics.js';
export type { StatisticsProperty, StatisticsOptions, StatisticsRegion, StatisticsResult, NumericArray } from './statistics.js';

// Interpolation
export { Interpolate, makeInterpolate, lookupMaxInterpStyle, lookupMinInterpPoints, INTERP_STYLES } from './interpolate.js';
export type { InterpStyle } from './interpolate.js';

// Chebyshev
export { Chebyshev2d, fitChebyshev2d, evaluateChebyshevRows, addChebyshevRows } from './chebyshev.js';
export type { ChebyshevDomain, ChebyshevFitOptions, ChebyshevAddJob } from './chebyshev.js';

// Variance of a photon-counting image (ip_isr's updateVariance)
export { poissonVariance } from './variance.js';
export type { PoissonVarianceOptions } from './variance.js';
export { poissonVarianceRows } from './variance-core.js';
export type { PoissonVarianceJob, VarianceSourceArray } from './variance-core.js';
// One value over a plane (afw's image.set(value))
export { fillPlane } from './fill.js';
export type { FillPlaneOptions } from './fill.js';
export { fillRows } from './fill-core.js';
export type { FillArray, FillJob } from './fill-core.js';
export { maskBits } from './mask-bits.js';
export type { MaskBitsOptions } from './mask-bits.js';
export { maskBitsRows } from './mask-bits-core.js';
export type { MaskBitsJob } from './mask-bits-core.js';

// Background
export { makeBackground, BackgroundModel, binGeometry, binsForSize } from './background.js';
export type {
  BackgroundControl,
  ApproximateControl,
  BackgroundStatistic,
  ResolvedBackgroundControl,
  BackgroundStats,
  BackgroundBBox,
  BinGeometry,
  AddImageOptions,
  UndersampleStyle,
} from './background.js';

// Backends: the kernel contract, the CPU and worker-thread implementations
export { cpuBackend, getDefaultBackend, setDefaultBackend } from './kernel-backend.js';
export type { KernelBackend } from './kernel-backend.js';
export { makeParallelBackend } from './parallel-backend.js';
export type { ParallelBackend, ParallelBackendOptions } from './parallel-backend.js';
export { runBand, bandCount, binnedStatisticsRows, interpolateRowsBand, makeCulledInterpolate } from './backend-ops.js';
export type { BackendJobs, BackendOp, BinnedStatisticsJob, InterpolateRowsJob, ChebyshevGridJob } from './backend-ops.js';
export { allocShared, isShared, toShared } from './shared-arrays.js';
export type { TypedArrayConstructor } from './shared-arrays.js';

// Warping (lsst.afw.math.warpImage over typed arrays)
export { warpPlanes, warpPlanesRows, makeWarpingKernel } from './warp.js';
export type { WarpSourcePlanes, WarpDestPlanes, WarpSourcePositions, WarpPlanesOptions, WritablePixels } from './warp.js';
export { parseWarpingKernelName, fillWarpingWeights, makeWarpingWeightTable, warpRowsCore } from './warp-core.js';
export type { WarpingKernelSpec, WarpingKernelKind, WarpingWeightTable, WarpPositionTransform, WarpCoreJob, WarpCoreSource, WarpCoreDest, WritableNumericArray } from './warp-core.js';
