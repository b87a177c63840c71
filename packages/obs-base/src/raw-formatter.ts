// The raw formatter of SkyStack cameras (the raw-file contract): an untrimmed ExposureF in ADU
// with VisitInfo, FilterLabel, Detector, the initial SkyWcs and the header as metadata.
import { Exposure, ExposureInfo, Image, MaskedImage, type Detector } from '@skystack/afw-image';
import type { Formatter, FormatterReadContext, FormatterWriteContext } from '@skystack/daf-butler';
import { FitsFile, type Header } from '@skystack/fits';
import { Box2I, Point2I } from '@skystack/geom';
import { ObsBaseFormatterError } from './errors.js';
import { imageReadParameters } from './formatters/fits-exposure-formatter.js';
import type { Instrument } from './instrument.js';
import type { ObservationInfo } from './observation-info.js';

/** The components {@link FitsRawFormatter} reads from the header alone (and `image` from the pixels). */
export const RAW_FORMATTER_COMPONENTS: readonly string[] = Object.freeze(['visitInfo', 'filter', 'detector', 'wcs', 'metadata', 'id', 'bbox', 'dimensions', 'xy0', 'image']);

/**
 * Reads the raw files of SkyStack's raw-file contract for one instrument: the primary header
 * (translated by the instrument) and the `IMAGE` HDU (float32, or uint16 with BZERO) as an
 * untrimmed float32 `Exposure` (`@skystack/afw-image`) in ADU, with zero mask and variance,
 * the VisitInfo of the observation, the FilterLabel of its physical filter, the Detector from
 * the camera, the initial SkyWcs from the boresight and the camera geometry, the primary header
 * as metadata and the detector exposure ID as ID. Components other than `image` are read from
 * the primary header alone; `bbox`/`origin` read only the rows of the box. Raws are never
 * written through the Butler (they are ingested).
 *
 * An instrument package exports a subclass that can be constructed with no arguments and whose
 * {@link name} is its module specifier, so that a Butler finds it again from the datastore's
 * records.
 *
 * @example
 * ```ts
 * export class SimCamRawFormatter extends FitsRawFormatter {
 *   constructor() { super(new SimCam(), '@skystack/obs-sim#SimCamRawFormatter'); }
 * }
 * ```
 * @see lsst.obs.base.FitsRawFormatterBase
 */
export class FitsRawFormatter implements Formatter {
  /** The name recorded with each raw (the module specifier of the concrete class). */
  readonly name: string;
  /** `.fits`. */
  readonly extension = '.fits';
  /** `bbox` and `origin`. */
  readonly supportedParameters: ReadonlySet<string> = new Set(['bbox', 'origin']);
  /** The instrument whose raws these are. */
  readonly instrument: Instrument;

  /**
   * Makes the formatter.
   *
   * @param instrument - the instrument
   * @param name - the formatter name (default `<className>RawFormatter`, e.g. `@skystack/obs-sim#SimCamRawFormatter`)
   */
  constructor(instrument: Instrument, name?: string) {
    this.instrument = instrument;
    this.name = name ?? `${instrument.className}RawFormatter`;
  }

  /**
   * Raws are not written through the Butler.
   *
   * @param _obj - unused
   * @param _path - unused
   * @param ctx - the dataset type
   * @throws ObsBaseFormatterError always
   */
  async write(_obj: unknown, _path: string, ctx: FormatterWriteContext): Promise<void> {
    throw new ObsBaseFormatterError(`${this.name} cannot write '${ctx.datasetTypeName}': raw files are ingested (butler ingest-raws), not put.`);
  }

  /**
   * Whether the component is read directly (all of {@link RAW_FORMATTER_COMPONENTS}).
   *
   * @param component - the component
   * @returns true when read directly
   */
  canReadComponent(component: string): boolean {
    return RAW_FORMATTER_COMPONENTS.includes(component);
  }

  /**
   * Reads the raw, or one component.
   *
   * @param path - the raw file
   * @param ctx - component and parameters
   * @returns the ExposureF or the component
   * @throws ObsBaseFormatterError when the file is not a raw of this instrument
   * @throws ObsBaseTranslationError when its header cannot be translated
   */
  async read(path: string, ctx: FormatterReadContext): Promise<unknown> {
    const { bbox } = imageReadParameters(ctx.parameters);
    const fits = await FitsFile.open(path);
    try {
      const header = fits.hdus[0]!.header;
      const component = ctx.component;
      if (component === 'metadata') return header.clone();
      const imageHdu = fits.hdus.findIndex((h) => h.extname?.toUpperCase() === 'IMAGE');
      if (imageHdu < 0) throw new ObsBaseFormatterError(`${path} is not a raw file of the SkyStack contract: it has no IMAGE HDU.`);
      const info = fits.hdus[imageHdu]!.header;
      const width = info.getInt('NAXIS1') ?? 0;
      const height = info.getInt('NAXIS2') ?? 0;
      const full = new Box2I(new Point2I(0, 0), new Point2I(width - 1, height - 1));
      if (component === 'bbox') return full;
      if (component === 'dimensions') return full.getDimensions();
      if (component === 'xy0') return new Point2I(0, 0);
      if (component === 'image' || component === undefined) {
        const box = bbox ?? full;
        const read = await fits.readImage(imageHdu, bbox === undefined ? {} : { bbox });
        const pixels = read.data instanceof Float32Array ? read.data : Float32Array.from(read.data as ArrayLike<number>);
        const image = new Image(pixels, box.getWidth(), box.getHeight(), { xy0: box.getMin() });
        if (component === 'image') return image;
        const exposure = new Exposure(new MaskedImage(image), this.makeExposureInfo(header));
        return exposure;
      }
      const obsInfo = this.instrument.translateRawHeader(header);
      switch (component) {
        case 'visitInfo':
          return this.instrument.makeRawVisitInfo(obsInfo);
        case 'filter':
          return this.instrument.filterDefinitions.makeFilterLabel(obsInfo.physical_filter);
        case 'detector':
          return this.#detector(obsInfo);
        case 'wcs':
          return this.instrument.makeRawSkyWcs(this.instrument.makeRawVisitInfo(obsInfo), this.#detector(obsInfo));
        case 'id':
          return BigInt(obsInfo.detector_exposure_id);
        default:
          throw new ObsBaseFormatterError(`${this.name} cannot read component '${component}'; it reads ${RAW_FORMATTER_COMPONENTS.join(', ')}.`);
      }
    } finally {
      await fits.close();
    }
  }

  /**
   * The ExposureInfo of a raw from its primary header: metadata, VisitInfo, FilterLabel,
   * Detector, initial SkyWcs and ID.
   *
   * @param header - the primary header
   * @returns the ExposureInfo
   */
  makeExposureInfo(header: Header): ExposureInfo {
    const obsInfo = this.instrument.translateRawHeader(header);
    const info = new ExposureInfo(header.clone());
    const visitInfo = this.instrument.makeRawVisitInfo(obsInfo);
    const detector = this.#detector(obsInfo);
    info.setVisitInfo(visitInfo);
    info.setFilter(this.instrument.filterDefinitions.makeFilterLabel(obsInfo.physical_filter));
    info.setDetector(detector);
    info.setId(BigInt(obsInfo.detector_exposure_id));
    if (visitInfo.boresightRaDec !== null && obsInfo.boresight_rotation_coord === 'sky') info.setWcs(this.instrument.makeRawSkyWcs(visitInfo, detector));
    return info;
  }

  #detector(obsInfo: ObservationInfo): Detector {
    return this.instrument.getCamera().get(obsInfo.detector_num);
  }
}
