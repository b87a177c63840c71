// FITS formatters of the afw image types (lsst.obs.base.formatters.fitsExposure): Image, Mask,
// MaskedImage and Exposure, with the bbox/origin read parameters and Exposure components read
// without the pixels.
import {
  Exposure,
  ExposureFitsReader,
  Image,
  Mask,
  MaskedImage,
  makeAfwRegistry,
  type ImageOrigin,
  type PixelType,
} from '@skystack/afw-image';
import type { PersistableRegistry } from '@skystack/afw-table';
import { registerMeasAlgorithmsReaders } from '@skystack/meas-algorithms';
import type { Formatter, FormatterReadContext, FormatterWriteContext } from '@skystack/daf-butler';
import { Box2I } from '@skystack/geom';
import { ObsBaseFormatterError, ObsBaseInvalidArgumentError } from '../errors.js';

/** The read parameters the image formatters apply themselves. */
const IMAGE_PARAMETERS: ReadonlySet<string> = new Set(['bbox', 'origin']);

/** The pixel type of each image storage class (the storage class name's last letter, as afw's suffixes). */
const PIXEL_TYPE_BY_SUFFIX: Readonly<Record<string, PixelType>> = { F: 'float32', D: 'float64', I: 'int32', U: 'uint16' };

/**
 * The pixel type a storage class asks for: `ExposureF` → float32, `ImageU` → uint16; a generic
 * class (`Exposure`, `Image`) gives undefined (the stored type).
 *
 * @param storageClassName - the storage class name
 * @returns the pixel type, or undefined
 * @example
 * ```ts
 * pixelTypeOfStorageClass('ExposureI'); // 'int32'
 * ```
 */
export function pixelTypeOfStorageClass(storageClassName: string): PixelType | undefined {
  const m = /^(?:Exposure|Image|MaskedImage)([FDIU])$/.exec(storageClassName);
  return m === null ? undefined : PIXEL_TYPE_BY_SUFFIX[m[1]!];
}

/** The `bbox` and `origin` read parameters, checked. */
export interface ImageReadParameters {
  /** The box to read, or undefined for all pixels. */
  readonly bbox?: Box2I;
  /** The coordinates of `bbox`. */
  readonly origin: ImageOrigin;
}

/**
 * Checks the `bbox` and `origin` read parameters of the image storage classes.
 *
 * @param parameters - the read parameters (others are ignored)
 * @returns the checked parameters
 * @throws ObsBaseInvalidArgumentError when `bbox` is not a Box2I or `origin` is not PARENT/LOCAL
 * @example
 * ```ts
 * imageReadParameters({ bbox: new Box2I(new Point2I(0, 0), new Point2I(9, 9)) }); // origin 'PARENT'
 * ```
 * @see lsst.obs.base.formatters.fitsExposure.FitsImageFormatterBase.checked_parameters
 */
export function imageReadParameters(parameters: Readonly<Record<string, unknown>> | undefined): ImageReadParameters {
  const bbox = parameters?.['bbox'];
  const origin = parameters?.['origin'] ?? 'PARENT';
  if (bbox !== undefined && bbox !== null && !(bbox instanceof Box2I)) {
    throw new ObsBaseInvalidArgumentError(`The 'bbox' read parameter must be a Box2I; given ${describe(bbox)}.`, {
      hint: 'Make one with new Box2I(new Point2I(x0, y0), new Point2I(x1, y1)) from @skystack/geom.',
    });
  }
  if (origin !== 'PARENT' && origin !== 'LOCAL') {
    throw new ObsBaseInvalidArgumentError(`The 'origin' read parameter must be 'PARENT' or 'LOCAL'; given ${JSON.stringify(origin)}.`);
  }
  return bbox instanceof Box2I ? { bbox, origin } : { origin };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return `a ${v.constructor?.name ?? 'object'}`;
  return `${typeof v} ${JSON.stringify(v)}`;
}

function requireInstance<T>(obj: unknown, cls: abstract new (...args: never[]) => T, what: string, ctx: FormatterWriteContext): T {
  if (!(obj instanceof cls)) {
    throw new ObsBaseFormatterError(
      `Cannot write '${ctx.datasetTypeName}' (storage class ${ctx.storageClass.name}) as ${what}: the object is ${describe(obj)}, not ${cls.name === '' ? what : `an ${cls.name}`}.`,
    );
  }
  return obj;
}

/** What the image formatters share. */
abstract class FitsImageFormatterBase implements Formatter {
  abstract readonly name: string;
  /** `.fits`. */
  readonly extension = '.fits';
  /** `bbox` and `origin`. */
  readonly supportedParameters: ReadonlySet<string> = IMAGE_PARAMETERS;
  abstract write(obj: unknown, path: string, ctx: FormatterWriteContext): Promise<void>;
  abstract read(path: string, ctx: FormatterReadContext): Promise<unknown>;
  canReadComponent(_component: string): boolean {
    return false;
  }
}

/**
 * Reads and writes an `Image` (`@skystack/afw-image`) as a FITS image (afw's layout, xy0 in the
 * `A` WCS), reading only the pixels of the `bbox` parameter.
 *
 * @example
 * ```ts
 * factory.registerFormatter(new FitsImageFormatter());
 * await butler.get('calexp_image', dataId, { parameters: { bbox } });
 * ```
 * @see lsst.obs.base.formatters.fitsExposure.FitsImageFormatter
 */
export class FitsImageFormatter extends FitsImageFormatterBase {
  /** `FitsImageFormatter`. */
  readonly name = 'FitsImageFormatter';

  /**
   * Writes the image.
   *
   * @param obj - an Image
   * @param path - the file
   * @param ctx - storage class and dataset type
   * @throws ObsBaseFormatterError when `obj` is not an Image
   */
  async write(obj: unknown, path: string, ctx: FormatterWriteContext): Promise<void> {
    await requireInstance(obj, Image, 'an Image', ctx).writeFits(path);
  }

  /**
   * Reads the image (or the `bbox` of it), as the storage class's pixel type.
   *
   * @param path - the file
   * @param ctx - storage class and parameters
   * @returns the Image
   */
  async read(path: string, ctx: FormatterReadContext): Promise<unknown> {
    const { bbox, origin } = imageReadParameters(ctx.parameters);
    const pixelType = pixelTypeOfStorageClass(ctx.storageClass.name);
    return Image.readFits(path, { origin, ...(bbox === undefined ? {} : { bbox }), ...(pixelType === undefined ? {} : { pixelType }) });
  }
}

/**
 * Reads and writes a `Mask` (`@skystack/afw-image`) (its planes in `MP_*` cards).
 *
 * @example
 * ```ts
 * factory.registerFormatter(new FitsMaskFormatter());
 * ```
 * @see lsst.obs.base.formatters.fitsExposure.FitsMaskFormatter
 */
export class FitsMaskFormatter extends FitsImageFormatterBase {
  /** `FitsMaskFormatter`. */
  readonly name = 'FitsMaskFormatter';

  /**
   * Writes the mask.
   *
   * @param obj - a Mask
   * @param path - the file
   * @param ctx - storage class and dataset type
   * @throws ObsBaseFormatterError when `obj` is not a Mask
   */
  async write(obj: unknown, path: string, ctx: FormatterWriteContext): Promise<void> {
    await requireInstance(obj, Mask, 'a Mask', ctx).writeFits(path);
  }

  /**
   * Reads the mask (or the `bbox` of it).
   *
   * @param path - the file
   * @param ctx - parameters
   * @returns the Mask
   */
  async read(path: string, ctx: FormatterReadContext): Promise<unknown> {
    const { bbox, origin } = imageReadParameters(ctx.parameters);
    return Mask.readFits(path, { origin, ...(bbox === undefined ? {} : { bbox }) });
  }
}

/**
 * Reads and writes a `MaskedImage` (`@skystack/afw-image`) (IMAGE, MASK and VARIANCE HDUs);
 * its components come from the whole object through the storage class delegate.
 *
 * @example
 * ```ts
 * factory.registerFormatter(new FitsMaskedImageFormatter());
 * ```
 * @see lsst.obs.base.formatters.fitsExposure.FitsMaskedImageFormatter
 */
export class FitsMaskedImageFormatter extends FitsImageFormatterBase {
  /** `FitsMaskedImageFormatter`. */
  readonly name = 'FitsMaskedImageFormatter';

  /**
   * Writes the masked image.
   *
   * @param obj - a MaskedImage
   * @param path - the file
   * @param ctx - storage class and dataset type
   * @throws ObsBaseFormatterError when `obj` is not a MaskedImage
   */
  async write(obj: unknown, path: string, ctx: FormatterWriteContext): Promise<void> {
    await requireInstance(obj, MaskedImage, 'a MaskedImage', ctx).writeFits(path);
  }

  /**
   * Reads the masked image (or the `bbox` of it).
   *
   * @param path - the file
   * @param ctx - storage class and parameters
   * @returns the MaskedImage
   */
  async read(path: string, ctx: FormatterReadContext): Promise<unknown> {
    const { bbox, origin } = imageReadParameters(ctx.parameters);
    const pixelType = pixelTypeOfStorageClass(ctx.storageClass.name);
    return MaskedImage.readFits(path, { origin, ...(bbox === undefined ? {} : { bbox }), ...(pixelType === undefined ? {} : { pixelType }) });
  }
}

/** The Exposure components {@link FitsExposureFormatter} reads directly (daf_butler's names). */
export const EXPOSURE_FORMATTER_COMPONENTS: readonly string[] = Object.freeze([
  'image',
  'mask',
  'variance',
  'wcs',
  'psf',
  'photoCalib',
  'visitInfo',
  'apCorrMap',
  'coaddInputs',
  'transmissionCurve',
  'metadata',
  'filter',
  'detector',
  'validPolygon',
  'summaryStats',
  'id',
  'bbox',
  'dimensions',
  'xy0',
]);

const ARCHIVE_KEYS: Readonly<Record<string, string>> = {
  psf: 'PSF',
  photoCalib: 'PHOTOCALIB',
  apCorrMap: 'AP_CORR_MAP',
  coaddInputs: 'COADD_INPUTS',
  transmissionCurve: 'TRANSMISSION_CURVE',
  filter: 'FILTER',
  detector: 'DETECTOR',
  validPolygon: 'VALID_POLYGON',
  summaryStats: 'SUMMARY_STATS',
};

/**
 * Reads and writes an `Exposure` (`@skystack/afw-image`) in afw's FITS layout. Whole reads
 * apply the `bbox`/`origin` parameters (only the rows of the box are read) and convert to the
 * storage class's pixel type (`ExposureF` → float32); component reads (`calexp.wcs`,
 * `calexp.visitInfo`, `calexp.bbox`, ...) read the headers and the archive HDUs only, and the
 * pixel components (`image`, `mask`, `variance`) only their HDU (and box).
 *
 * Archived components are decoded with the readers of afw-image (WCS, PhotoCalib, VisitInfo,
 * PSF models, CoaddInputs, ...) and of meas-algorithms (`CoaddPsf`), so that a coadd's PSF comes
 * back as a `CoaddPsf`; the registry belongs to the formatter instance (nothing registers itself
 * on import).
 *
 * @example
 * ```ts
 * const factory = FormatterFactory.default();
 * registerFormatters(factory); // this one and the others of obs-base
 * const butler = await Butler.from(repo, { formatters: factory });
 * const wcs = await butler.get('calexp.wcs', dataId);
 * const cutout = await butler.get('calexp', dataId, { parameters: { bbox } });
 * ```
 * @see lsst.obs.base.formatters.fitsExposure.FitsExposureFormatter
 */
export class FitsExposureFormatter extends FitsImageFormatterBase {
  /** `FitsExposureFormatter`. */
  readonly name: string = 'FitsExposureFormatter';
  /** The archive readers components are decoded with: `makeAfwRegistry()` plus the meas-algorithms readers. */
  readonly registry: PersistableRegistry = registerMeasAlgorithmsReaders(makeAfwRegistry());

  /**
   * Writes the exposure (pixels, metadata, archived components).
   *
   * @param obj - an Exposure
   * @param path - the file
   * @param ctx - storage class and dataset type
   * @throws ObsBaseFormatterError when `obj` is not an Exposure
   */
  async write(obj: unknown, path: string, ctx: FormatterWriteContext): Promise<void> {
    await requireInstance(obj, Exposure, 'an Exposure', ctx).writeFits(path);
  }

  /**
   * Whether {@link read} returns this component itself (all of {@link EXPOSURE_FORMATTER_COMPONENTS}).
   *
   * @param component - the component name
   * @returns true for the Exposure components
   */
  override canReadComponent(component: string): boolean {
    return EXPOSURE_FORMATTER_COMPONENTS.includes(component);
  }

  /**
   * Reads the exposure, or one component of it.
   *
   * @param path - the file
   * @param ctx - storage class, component, parameters
   * @returns the Exposure or the component (null for a component the file does not have)
   * @throws ObsBaseInvalidArgumentError for bad parameters
   * @throws ObsBaseFormatterError for a component this formatter does not know
   */
  async read(path: string, ctx: FormatterReadContext): Promise<unknown> {
    const { bbox, origin } = imageReadParameters(ctx.parameters);
    const box = bbox === undefined ? {} : { bbox };
    const component = ctx.component;
    if (component === undefined) {
      const pixelType = pixelTypeOfStorageClass(ctx.storageClass.name);
      return Exposure.readFits(path, { origin, ...box, registry: this.registry, ...(pixelType === undefined ? {} : { pixelType }) });
    }
    const reader = await ExposureFitsReader.open(path, { registry: this.registry });
    try {
      return await this.#readComponent(reader, component, origin, box);
    } finally {
      await reader.close();
    }
  }

  async #readComponent(reader: ExposureFitsReader, component: string, origin: ImageOrigin, box: { readonly bbox?: Box2I }): Promise<unknown> {
    switch (component) {
      case 'image':
        return reader.readImage({ origin, ...box });
      case 'mask':
        return reader.readMask({ origin, ...box });
      case 'variance':
        return reader.readVariance({ origin, ...box });
      case 'wcs':
        return reader.readWcs();
      case 'visitInfo':
        return reader.readVisitInfo();
      case 'metadata':
        return reader.readMetadata();
      case 'id':
        return reader.readExposureId();
      case 'bbox':
        return reader.readBBox(origin);
      case 'dimensions':
        return reader.readBBox().getDimensions();
      case 'xy0':
        return reader.readXY0();
      default: {
        const key = ARCHIVE_KEYS[component];
        if (key === undefined) {
          throw new ObsBaseFormatterError(`FitsExposureFormatter cannot read component '${component}'; it reads ${EXPOSURE_FORMATTER_COMPONENTS.join(', ')}.`);
        }
        return (await reader.readComponent(key)) ?? null;
      }
    }
  }
}
