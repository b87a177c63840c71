// lsst.obs.base.exposureAssembler.ExposureAssembler: the storage class delegate of the afw image
// types: components of in-memory Exposures and MaskedImages, and the bbox/origin parameters.
import { Exposure, MaskedImage } from '@skystack/afw-image';
import type { StorageClassDelegate } from '@skystack/daf-butler';
import type { ImageOrigin } from '@skystack/afw-image';
import type { Box2I } from '@skystack/geom';
import { ObsBaseInvalidArgumentError } from '../errors.js';
import { imageReadParameters } from './fits-exposure-formatter.js';

/** How each Exposure component is taken from an in-memory Exposure. */
const EXPOSURE_GETTERS: Readonly<Record<string, (e: Exposure) => unknown>> = {
  image: (e) => e.image,
  mask: (e) => e.mask,
  variance: (e) => e.variance,
  wcs: (e) => e.getWcs(),
  psf: (e) => e.getPsf(),
  photoCalib: (e) => e.getPhotoCalib(),
  visitInfo: (e) => e.getVisitInfo(),
  apCorrMap: (e) => e.getApCorrMap(),
  metadata: (e) => e.getMetadata(),
  filter: (e) => e.getFilter(),
  detector: (e) => e.getDetector(),
  id: (e) => e.info.getId(),
  bbox: (e) => e.getBBox(),
  dimensions: (e) => e.getDimensions(),
  xy0: (e) => e.getXY0(),
  coaddInputs: (e) => e.info.getComponent('COADD_INPUTS') ?? null,
  transmissionCurve: (e) => e.info.getComponent('TRANSMISSION_CURVE') ?? null,
  validPolygon: (e) => e.info.getComponent('VALID_POLYGON') ?? null,
  summaryStats: (e) => e.info.getComponent('SUMMARY_STATS') ?? null,
};

/**
 * The delegate of the Exposure, MaskedImage, Image and Mask storage classes: components of an
 * in-memory object (what an in-memory datastore, or a component the formatter does not read,
 * needs) and the `bbox`/`origin` parameters applied as a sub-image view.
 * {@link registerFormatters} registers it for `Exposure`, `MaskedImage`, `Image` and `Mask`.
 *
 * @example
 * ```ts
 * new ExposureAssembler().getComponent(exposure, 'bbox');                  // exposure.getBBox()
 * new ExposureAssembler().handleParameters(exposure, { bbox });             // exposure.subset(bbox)
 * ```
 * @see lsst.obs.base.exposureAssembler.ExposureAssembler
 */
export class ExposureAssembler implements StorageClassDelegate {
  /**
   * A component of an Exposure or MaskedImage.
   *
   * @param obj - the composite
   * @param component - the component name
   * @returns the component
   * @throws ObsBaseInvalidArgumentError for an unknown component or object
   */
  getComponent(obj: unknown, component: string): unknown {
    if (obj instanceof Exposure) {
      const get = EXPOSURE_GETTERS[component];
      if (get !== undefined) return get(obj);
    } else if (obj instanceof MaskedImage) {
      if (component === 'image') return obj.image;
      if (component === 'mask') return obj.mask;
      if (component === 'variance') return obj.variance;
    }
    const what = obj === null ? 'null' : typeof obj === 'object' ? (obj.constructor?.name ?? 'object') : typeof obj;
    throw new ObsBaseInvalidArgumentError(`Cannot get component '${component}' of a ${what}; an Exposure has ${Object.keys(EXPOSURE_GETTERS).join(', ')}.`);
  }

  /**
   * Applies `bbox`/`origin`: a sub-image view of the object (other parameters are ignored).
   *
   * @param obj - an Exposure, MaskedImage, Image or Mask
   * @param parameters - the read parameters
   * @returns the view, or `obj` without a `bbox`
   * @throws ObsBaseInvalidArgumentError for bad parameters or an object without sub-images
   */
  handleParameters(obj: unknown, parameters: Readonly<Record<string, unknown>>): unknown {
    const { bbox, origin } = imageReadParameters(parameters);
    if (bbox === undefined) return obj;
    const subset = (obj as { subset?: (b: Box2I, o: ImageOrigin) => unknown } | null)?.subset;
    if (typeof subset !== 'function') throw new ObsBaseInvalidArgumentError('The bbox parameter applies to images, masks, masked images and exposures only.');
    return subset.call(obj, bbox, origin);
  }
}
