import type { Header } from '@skystack/fits';
import type { Box2I, Extent2I, Point2I } from '@skystack/geom';
import type { SkyWcs } from '@skystack/wcs';
import type { ApCorrMap } from './components/ap-corr-map.js';
import type { Detector } from './components/detector.js';
import type { FilterLabel } from './components/filter-label.js';
import type { PhotoCalib } from './components/photo-calib.js';
import type { VisitInfo } from './components/visit-info.js';
import type { Psf } from './psf/psf.js';
import { ExposureFitsReader, writeExposureFits, type ExposureReadFitsOptions, type ExposureWriteFitsOptions } from './exposure-fits.js';
import { ExposureInfo } from './exposure-info.js';
import type { Image } from './image.js';
import type { ImageOrigin } from './image-base.js';
import type { Mask } from './mask.js';
import type { MaskPlaneDict } from './mask-plane-dict.js';
import { MaskedImage, type VarianceImage } from './masked-image.js';
import type { PixelArray, PixelArrayTypes, PixelType } from './pixel-type.js';

/**
 * A {@link MaskedImage} with everything known about it ({@link ExposureInfo}): metadata, WCS,
 * PSF, photometric calibration, VisitInfo, filter, detector, aperture corrections. What the
 * pipelines pass around as `calexp`, `deepCoadd` and friends.
 *
 * @typeParam A - the typed array of the image plane (`Float32Array` for afw's `ExposureF`)
 * @example
 * ```ts
 * const calexp = await Exposure.readFits('calexp.fits');
 * calexp.image.array;                 // { data, width, height, stride }
 * calexp.getPhotoCalib()?.instFluxToNanojansky(1000);
 * calexp.getVisitInfo()?.exposureTime;
 * calexp.getFilter()?.bandLabel;       // 'r'
 * const cutout = await Exposure.readFits('calexp.fits', { bbox }); // only those pixels are read
 * await calexp.writeFits('copy.fits');
 * ```
 * @see lsst.afw.image.Exposure
 */
export class Exposure<A extends PixelArray = PixelArray> {
  readonly #maskedImage: MaskedImage<A>;
  readonly #info: ExposureInfo;

  /**
   * Combines a masked image and its information (no copies).
   *
   * @param maskedImage - the pixels
   * @param info - the rest (default: empty)
   */
  constructor(maskedImage: MaskedImage<A>, info: ExposureInfo = new ExposureInfo()) {
    this.#maskedImage = maskedImage;
    this.#info = info;
  }

  /**
   * Makes an exposure with zero pixels and an empty ExposureInfo.
   *
   * @param pixelType - the image plane's type
   * @param dimensions - a PARENT box (its minimum is xy0) or a size
   * @param planeDict - the mask's plane dictionary (default: the default planes)
   * @returns the exposure
   */
  static make<T extends PixelType>(pixelType: T, dimensions: Box2I | Extent2I, planeDict?: MaskPlaneDict): Exposure<PixelArrayTypes[T]> {
    return new Exposure(MaskedImage.make(pixelType, dimensions, planeDict));
  }

  /**
   * Reads an exposure written by afw (or by us): the planes (or only the pixels inside `bbox`),
   * the metadata and every component. Components whose type SkyStack cannot decode are kept
   * as `RawPersistable`s and written back unchanged by {@link Exposure.writeFits}. To read one
   * component without the pixels, use {@link ExposureFitsReader}.
   *
   * @param path - the FITS file
   * @param options - the box, its origin, the image pixel type
   * @returns the exposure
   * @throws {@link AfwImageFitsError} when the file holds no image or was written by a newer afw
   * @throws {@link AfwImageOutOfBoundsError} when the box is not inside the stored image
   * @see lsst.afw.image.Exposure.readFits
   */
  static async readFits<T extends PixelType = PixelType>(
    path: string,
    options: ExposureReadFitsOptions<T> = {},
  ): Promise<Exposure<PixelType extends T ? PixelArray : PixelArrayTypes[T]>> {
    const reader = await ExposureFitsReader.open(path, options.registry === undefined ? {} : { registry: options.registry });
    try {
      const { maskedImage, info } = await reader.read(options);
      return new Exposure(maskedImage, info) as Exposure<PixelType extends T ? PixelArray : PixelArrayTypes[T]>;
    } finally {
      await reader.close();
    }
  }

  /**
   * Writes afw's layout: the primary HDU with the metadata and component IDs, the `IMAGE`,
   * `MASK` and `VARIANCE` extensions, and the archive of components. Atomic, with checksums.
   *
   * @param path - the file to write
   * @param options - `compress` for tile-compressed planes
   * @throws {@link AfwImageFitsError} when a component cannot be archived
   * @see lsst.afw.image.Exposure.writeFits
   */
  async writeFits(path: string, options: ExposureWriteFitsOptions = {}): Promise<void> {
    await writeExposureFits(path, this.#maskedImage as MaskedImage, this.#info, options);
  }

  /** The masked image (not a copy). */
  get maskedImage(): MaskedImage<A> {
    return this.#maskedImage;
  }

  /** The image plane. */
  get image(): Image<A> {
    return this.#maskedImage.image;
  }

  /** The mask plane. */
  get mask(): Mask {
    return this.#maskedImage.mask;
  }

  /** The variance plane. */
  get variance(): VarianceImage {
    return this.#maskedImage.variance;
  }

  /** The ExposureInfo (not a copy). */
  get info(): ExposureInfo {
    return this.#info;
  }

  /** The metadata (the PropertyList: cards in order, with comments). */
  get metadata(): Header {
    return this.#info.getMetadata();
  }

  /** The PhotoCalib, or `null`. */
  get photoCalib(): PhotoCalib | null {
    return this.#info.getPhotoCalib();
  }

  /** The VisitInfo, or `null`. */
  get visitInfo(): VisitInfo | null {
    return this.#info.getVisitInfo();
  }

  /** The FilterLabel, or `null`. */
  get filter(): FilterLabel | null {
    return this.#info.getFilter();
  }

  /** The Detector, or `null`. */
  get detector(): Detector | null {
    return this.#info.getDetector();
  }

  /** The PSF, or `null`. */
  get psf(): Psf | null {
    return this.#info.getPsf();
  }

  /** The WCS, or `null` (see {@link ExposureInfo.getWcs}). */
  get wcs(): SkyWcs | null {
    return this.#info.getWcs();
  }

  /**
   * The masked image.
   *
   * @returns the masked image (not a copy)
   */
  getMaskedImage(): MaskedImage<A> {
    return this.#maskedImage;
  }

  /**
   * The ExposureInfo.
   *
   * @returns the info (not a copy)
   */
  getInfo(): ExposureInfo {
    return this.#info;
  }

  /** The metadata (see {@link ExposureInfo.getMetadata}). */
  getMetadata(): Header {
    return this.#info.getMetadata();
  }

  /**
   * Replaces the metadata.
   *
   * @param metadata - the cards
   */
  setMetadata(metadata: Header): void {
    this.#info.setMetadata(metadata);
  }

  /** True when there is a WCS (see {@link ExposureInfo.hasWcs}). */
  hasWcs(): boolean {
    return this.#info.hasWcs();
  }

  /** The WCS, or `null` (see {@link ExposureInfo.getWcs}). */
  getWcs(): SkyWcs | null {
    return this.#info.getWcs();
  }

  /**
   * Sets the WCS.
   *
   * @param wcs - the WCS, or `null`
   */
  setWcs(wcs: SkyWcs | null): void {
    this.#info.setWcs(wcs);
  }

  /** True when there is a PSF. */
  hasPsf(): boolean {
    return this.#info.hasPsf();
  }

  /** The PSF, or `null`. */
  getPsf(): Psf | null {
    return this.#info.getPsf();
  }

  /**
   * Sets the PSF.
   *
   * @param psf - the PSF, or `null`
   */
  setPsf(psf: Psf | null): void {
    this.#info.setPsf(psf);
  }

  /** The PhotoCalib, or `null`. */
  getPhotoCalib(): PhotoCalib | null {
    return this.#info.getPhotoCalib();
  }

  /**
   * Sets the PhotoCalib.
   *
   * @param photoCalib - the calibration, or `null`
   */
  setPhotoCalib(photoCalib: PhotoCalib | null): void {
    this.#info.setPhotoCalib(photoCalib);
  }

  /** The VisitInfo, or `null`. */
  getVisitInfo(): VisitInfo | null {
    return this.#info.getVisitInfo();
  }

  /**
   * Sets the VisitInfo.
   *
   * @param visitInfo - the VisitInfo, or `null`
   */
  setVisitInfo(visitInfo: VisitInfo | null): void {
    this.#info.setVisitInfo(visitInfo);
  }

  /** The FilterLabel, or `null`. */
  getFilter(): FilterLabel | null {
    return this.#info.getFilter();
  }

  /**
   * Sets the FilterLabel.
   *
   * @param filter - the filter, or `null`
   */
  setFilter(filter: FilterLabel | null): void {
    this.#info.setFilter(filter);
  }

  /** The Detector, or `null`. */
  getDetector(): Detector | null {
    return this.#info.getDetector();
  }

  /**
   * Sets the Detector.
   *
   * @param detector - the detector, or `null`
   */
  setDetector(detector: Detector | null): void {
    this.#info.setDetector(detector);
  }

  /** The aperture correction map, or `null`. */
  getApCorrMap(): ApCorrMap | null {
    return this.#info.getApCorrMap();
  }

  /**
   * The bounding box.
   *
   * @param origin - `'PARENT'` (default; includes xy0) or `'LOCAL'`
   * @returns the box
   */
  getBBox(origin: ImageOrigin = 'PARENT'): Box2I {
    return this.#maskedImage.getBBox(origin);
  }

  /** The PARENT position of pixel (0, 0). */
  getXY0(): Point2I {
    return this.#maskedImage.getXY0();
  }

  /** The width in pixels. */
  getWidth(): number {
    return this.#maskedImage.getWidth();
  }

  /** The height in pixels. */
  getHeight(): number {
    return this.#maskedImage.getHeight();
  }

  /** The dimensions. */
  getDimensions(): Extent2I {
    return this.#maskedImage.getDimensions();
  }

  /**
   * A sub-exposure that shares pixels with this one, with a copy of the ExposureInfo (as afw's
   * `exposure[bbox]`, `Exposure(exposure, bbox)`).
   *
   * @param bbox - the region
   * @param origin - the coordinates of `bbox` (default `'PARENT'`)
   * @returns the view
   * @throws {@link AfwImageOutOfBoundsError} when the box is not inside the exposure
   */
  subset(bbox: Box2I, origin: ImageOrigin = 'PARENT'): Exposure<A> {
    return new Exposure(this.#maskedImage.subset(bbox, origin), this.#info.clone());
  }

  /**
   * A deep copy of the pixels, with a copy of the ExposureInfo (components are shared: they
   * are immutable).
   *
   * @returns the copy
   */
  clone(): Exposure<A> {
    return new Exposure(this.#maskedImage.clone(), this.#info.clone());
  }
}

/** An exposure with a float32 image plane (afw's `ExposureF`). */
export type ExposureF = Exposure<Float32Array>;
