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
