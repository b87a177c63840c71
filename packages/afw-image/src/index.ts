// @skystack/afw-image: images, masks and masked images (lsst.afw.image).

// Pixel types
export { PIXEL_TYPES, allocatePixels, pixelTypeOf, convertPixels } from './pixel-type.js';
export type { PixelType, PixelArray, PixelArrayTypes } from './pixel-type.js';

// Images
export { ImageBase } from './image-base.js';
export type { ImageOrigin, AnyPixelArray, PixelArrayView, PixelViewOptions, SubImageView } from './image-base.js';
export { Image, ImageU, ImageI, ImageF, ImageD } from './image.js';
export type { ImageOperand, ImageReadFitsOptions, ImageWriteFitsOptions } from './image.js';

// Masks
export { MaskPlaneDict, DEFAULT_MASK_PLANES, MAX_MASK_PLANES } from './mask-plane-dict.js';
export { Mask } from './mask.js';
export type { MaskViewOptions, MakeMaskOptions, MaskReadFitsOptions, MaskWriteFitsOptions } from './mask.js';

// Masked images
export { MaskedImage, MaskedImageF, MaskedImageD } from './masked-image.js';
export type { VarianceImage, MaskedImageReadFitsOptions, MaskedImageWriteFitsOptions } from './masked-image.js';

// Exposures
export { Exposure } from './exposure.js';
export type { ExposureF } from './exposure.js';
export { ExposureInfo, EXPOSURE_COMPONENT_KEYS } from './exposure-info.js';
export type { ExposureComponentKey } from './exposure-info.js';
export { ExposureFitsReader, writeExposureFits, EXPOSURE_FITS_VERSION } from './exposure-fits.js';
export type { ExposureReadFitsOptions, ExposureWriteFitsOptions, ExposureParts } from './exposure-fits.js';
export { filterLabelFromOldName } from './exposure-metadata.js';
export { ExposureCatalog, ExposureRecord, EXPOSURE_RECORD_COMPONENTS, EXPOSURE_TABLE_VERSION, archivableComponent } from './exposure-catalog.js';
export type { ExposureRecordComponent } from './exposure-catalog.js';

// FITS layout helpers
export { readXY0, setXY0Cards, readMaskPlaneCards, setMaskPlaneCards, MASK_PLANE_PREFIX } from './fits-layout.js';

// Errors
export {
  AfwImageLengthError,
  AfwImageOutOfBoundsError,
  AfwImageInvalidArgumentError,
  AfwImageMaskPlaneError,
  AfwImageFitsError,
} from './errors.js';

// Exposure components
export type { BoundedField } from './components/bounded-field.js';
export { ChebyshevBoundedField } from './components/chebyshev-bounded-field.js';
export { PhotoCalib, makePhotoCalibFromCalibZeroPoint, nanojanskyToABMagnitude, abMagnitudeToNanojansky, REFERENCE_FLUX_NJY, PHOTO_CALIB_VERSION } from './components/photo-calib.js';
export type { Measurement } from './components/photo-calib.js';
export { DateTime } from './components/date-time.js';
export type { TimeScale } from './components/date-time.js';
export { Observatory } from './components/observatory.js';
export { Weather } from './components/weather.js';
export { VisitInfo, RotType, VISIT_INFO_VERSION, VISIT_INFO_KEYWORDS, visitInfoFromMetadata, visitInfoToMetadata } from './components/visit-info.js';
export type { VisitInfoOptions, VisitInfoFromMetadata, ValuedCard } from './components/visit-info.js';
export { FilterLabel } from './components/filter-label.js';
export { Detector, DetectorType } from './components/detector.js';
export type { DetectorOptions } from './components/detector.js';
export { Amplifier, ReadoutCorner } from './components/amplifier.js';
export type { AmplifierOptions } from './components/amplifier.js';
export { Orientation } from './components/orientation.js';
export { ApCorrMap } from './components/ap-corr-map.js';
export { registerExposureComponentReaders, makeAfwRegistry } from './components/readers.js';
export { AfwImageUnsupportedVersionError, AfwImageArchiveFormatError, AfwImageMetadataError, AfwImageNotFoundError } from './components/errors.js';

// PSF models (lsst.afw.detection.Psf, lsst.meas.algorithms) and kernels (lsst.afw.math)
export { Psf, positionToIndex, PSF_RECENTER_LANCZOS_ORDER } from './psf/psf.js';
export { Quadrupole } from './psf/quadrupole.js';
export { GaussianPsf } from './psf/gaussian-psf.js';
export { ImagePsf, KernelPsf, PcaPsf } from './psf/kernel-psf.js';
export { SingleGaussianPsf, DoubleGaussianPsf } from './psf/single-gaussian-psf.js';
export { RawPsf } from './psf/raw-psf.js';
export { Kernel, FixedKernel, LinearCombinationKernel } from './psf/kernel.js';
export type { KernelOptions } from './psf/kernel.js';
export { PolynomialFunction2, Chebyshev1Function2 } from './psf/spatial-function.js';
export type { SpatialFunction2 } from './psf/spatial-function.js';
export { lanczos, offsetImage } from './psf/offset-image.js';
export { computeAdaptiveMoments, computeCircularApertureSum, ellipticalGaussianRow } from './psf/image-moments.js';
export type { AdaptiveMomentsOptions } from './psf/image-moments.js';
export { registerPsfReaders } from './psf/readers.js';

// Warping (lsst.afw.math.warpExposure, lsst.afw.math.Warper)
export {
  WarpingControl,
  Warper,
  DEFAULT_WARPER_CONFIG,
  warpImage,
  warpImageWithTransform,
  warpExposure,
  computeWarpedBBox,
  makeWcsPairTransform,
} from './math/warp-exposure.js';
export type { WarperConfig, WarpPadValue, WarperBBoxOptions, WarpableImage } from './math/warp-exposure.js';

// Coadd inputs (lsst.afw.image.CoaddInputs)
export { CoaddInputs, COADD_INPUTS_KEY, getCoaddInputs, setCoaddInputs, readCoaddInputs } from './coadd-inputs.js';
