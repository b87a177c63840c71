// Reading and writing Exposures in afw's FITS layout: the primary header's metadata and
// component IDs, the IMAGE/MASK/VARIANCE planes, and the table-persistence archive after them.
import { InputArchive, OutputArchive, RawPersistable, archiveOrigin, type Persistable, type PersistableRegistry } from '@skystack/afw-table';
import { SkyWcs } from '@skystack/wcs';
import { makeAfwRegistry } from './components/readers.js';
import { FitsFile, Header, writeFits, type Card } from '@skystack/fits';
import { Box2I, Extent2D, Extent2I, Point2I } from '@skystack/geom';
import { AfwImageFitsError } from './errors.js';
import { EXPOSURE_COMPONENT_KEYS, ExposureInfo } from './exposure-info.js';
import { findLayoutHdu, readPixelsFromHdu, readXY0, selectImageHdu } from './fits-layout.js';
import { Image } from './image.js';
import type { ImageOrigin } from './image-base.js';
import { Mask, readMaskHdu } from './mask.js';
import { maskedImagePlaneHdus, readMaskedImagePlanes, type MaskedImage, type VarianceImage } from './masked-image.js';
import { convertPixels, type PixelArray, type PixelType } from './pixel-type.js';
import { exposureMetadataHooks } from './exposure-metadata.js';
import type { VisitInfo } from './components/visit-info.js';
import { Psf } from './psf/psf.js';
import { asPsf } from './psf/raw-psf.js';

/** The `EXPINFO_V` this package writes (afw's `ExposureInfo.getFitsSerializationVersion()`). */
export const EXPOSURE_FITS_VERSION = 2;

/** Keywords that describe the HDU's structure, not the exposure. */
const STRUCTURAL = /^(SIMPLE|BITPIX|NAXIS\d*|EXTEND|XTENSION|PCOUNT|GCOUNT|BZERO|BSCALE|CHECKSUM|DATASUM|INHERIT|EXTNAME|EXTTYPE|EXTVER|END)$/;
/** xy0 cards (the `A` WCS and IRAF's LTV). */
const XY0 = /^(CRVAL[12]A|CRPIX[12]A|CTYPE[12]A|CUNIT[12]A|LTV[12]|LTM\d_\d)$/;
/** The primary FITS-WCS keywords (no alternate letter), which afw turns into the SkyWcs. */
const WCS = /^(WCSAXES|WCSNAME|RADESYS|RADECSYS|EQUINOX|EPOCH|LONPOLE|LATPOLE|MJDREF|(CTYPE|CRPIX|CRVAL|CUNIT|CDELT|CROTA|CRDER|CSYER)\d|(CD|PC)\d_\d|PV\d_\d+|PS\d_\d+|[AB]P?_ORDER|[AB]P?_\d+_\d+|[AB]_DMAX)$/;
const FITS_STANDARD_COMMENTS = [
  "FITS (Flexible Image Transport System) format is defined in 'Astronomy",
  "and Astrophysics', volume 376, page 359; bibcode: 2001A&A...376..359H",
];

/** Moves FITS-WCS cards between the array grid and PARENT pixels: `CRPIXi += sign × xy0`. */
function shiftCrpix(cards: Header, xy0: Point2I, sign: 1 | -1): void {
  for (const [k, d] of [['CRPIX1', xy0.getX()], ['CRPIX2', xy0.getY()]] as const) {
    const v = cards.getNumber(k);
    if (v !== undefined && d !== 0) cards.set(k, v + sign * d, cards.getCard(k)?.comment);
  }
}

function isStandardComment(card: Card): boolean {
  const text = String(card.comment ?? card.value ?? '').trim();
  return card.keyword === 'COMMENT' && FITS_STANDARD_COMMENTS.some((t) => text === t);
}

/** What {@link ExposureFitsReader.readMetadata} works out from the headers, before the archive. */
interface MetadataState {
  readonly version: number;
  readonly metadata: Header;
  readonly wcsMetadata: Header | null;
  readonly archiveHdu: number | undefined;
  readonly ids: ReadonlyMap<string, number>;
  readonly info: ExposureInfo;
}

/**
 * Reads an Exposure, or any of its parts, from a FITS file in afw's layout, reading only what each
 * part needs: the metadata and header-derived components (VisitInfo, exposure ID, old-style
 * filter and calibration) from the headers alone, archived components (PhotoCalib, PSF,
 * Detector, FilterLabel, WCS, ...) from the archive HDUs alone, and pixels only for the planes
 * asked for. This is what Butler component reads (`calexp.visitInfo`, `calexp.bbox`) use.
 *
 * @example
 * ```ts
 * const reader = await ExposureFitsReader.open('calexp.fits');
 * try {
 *   const visitInfo = await reader.readVisitInfo(); // no pixels read
 *   const bbox = reader.readBBox();
 *   const cutout = await reader.read({ bbox: Box2I.fromCorner(new Point2I(100, 100), new Extent2I(50, 50)) });
 * } finally {
 *   await reader.close();
 * }
 * ```
 * @see lsst.afw.image.ExposureFitsReader
 */
export class ExposureFitsReader {
  /** The open file. */
  readonly file: FitsFile;
  /** The archive readers components are decoded with. */
  readonly registry: PersistableRegistry;
  readonly #imageHdu: number;
  #state: MetadataState | undefined;
  #archive: Promise<InputArchive | undefined> | undefined;

  private constructor(file: FitsFile, imageHdu: number, registry: PersistableRegistry) {
    this.file = file;
    this.registry = registry;
    this.#imageHdu = imageHdu;
  }

  /**
   * Opens a file (reads its headers only).
   *
   * @param path - the FITS file
   * @param options - the archive readers (default: {@link makeAfwRegistry})
   * @returns the reader; {@link ExposureFitsReader.close} it when done
   * @throws {@link AfwImageFitsError} when the file holds no image
   * @throws FitsError (from `@skystack/fits`) when it is not valid FITS
   */
  static async open(path: string, options: { readonly registry?: PersistableRegistry } = {}): Promise<ExposureFitsReader> {
    const file = await FitsFile.open(path);
    try {
      return new ExposureFitsReader(file, selectImageHdu(file, 'IMAGE'), options.registry ?? makeAfwRegistry());
    } catch (e) {
      await file.close();
      throw e;
    }
  }

  /** Closes the file. */
  async close(): Promise<void> {
    await this.file.close();
  }

  get #where(): string {
    return this.file.name ?? 'FITS file';
  }

  /**
   * The bounding box of the stored image.
   *
   * @param origin - `'PARENT'` (default; includes xy0) or `'LOCAL'`
   * @returns the box
   */
  readBBox(origin: ImageOrigin = 'PARENT'): Box2I {
    const header = this.#imageHeader();
    const width = header.getInt('NAXIS') === 0 ? 0 : (header.getInt('NAXIS1') ?? 0);
    const height = (header.getInt('NAXIS') ?? 0) < 2 ? (width === 0 ? 0 : 1) : (header.getInt('NAXIS2') ?? 0);
    const xy0 = origin === 'PARENT' ? readXY0(header) : new Point2I(0, 0);
    return Box2I.fromCorner(xy0, new Extent2I(width, height));
  }

  /** The xy0 of the stored image. */
  readXY0(): Point2I {
    return readXY0(this.#imageHeader());
  }

  #imageHeader(): Header {
    const info = this.file.hdus[this.#imageHdu]!;
    return info.imageHeader ?? info.header;
  }

  #metadataState(): MetadataState {
    if (this.#state !== undefined) return this.#state;
    const primary = this.file.hdus[0]!.header;
    const image = this.#imageHeader();
    const rawVersion = primary.get('EXPINFO_V');
    const version = rawVersion === undefined || rawVersion === null ? 0 : Number(rawVersion);
    if (!Number.isInteger(version) || version < 0 || version > EXPOSURE_FITS_VERSION) {
      throw new AfwImageFitsError(
        `${this.#where}: EXPINFO_V = ${String(rawVersion)}, but SkyStack reads Exposure FITS versions 0..${EXPOSURE_FITS_VERSION} (as afw does).`,
        { hint: 'The file was written by a newer afw; update SkyStack.' },
      );
    }
    // New-style exposures keep everything but the WCS in the primary HDU and mark the image
    // HDUs with INHERIT; without INHERIT everything is in the image HDU (afw's rule).
    const source = image.has('INHERIT') || this.#imageHdu === 0 ? primary : image;
    const metadata = new Header(
      source.cards().filter((c) => !STRUCTURAL.test(c.keyword) && !XY0.test(c.keyword) && !isStandardComment(c) && !(source === image && WCS.test(c.keyword))),
    );
    if (this.#imageHdu === 0) for (const k of metadata.keywords()) if (WCS.test(k)) metadata.delete(k);
    // The FITS-WCS cards of the image header, moved to PARENT pixels.
    let wcsMetadata: Header | null = null;
    if (image.has('CTYPE1') && image.has('CTYPE2')) {
      wcsMetadata = new Header(image.cards().filter((c) => WCS.test(c.keyword)));
      shiftCrpix(wcsMetadata, readXY0(image), 1);
    }
    const info = new ExposureInfo();
    const pop = (key: string): number | undefined => {
      const v = metadata.get(key);
      if (v === undefined) return undefined;
      metadata.delete(key);
      return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined;
    };
    const arHdu = pop('AR_HDU');
    metadata.delete('EXPINFO_V');
    const ids = new Map<string, number>();
    for (const key of EXPOSURE_COMPONENT_KEYS) {
      const id = pop(`${key}_ID`);
      if (id !== undefined && id !== 0) ids.set(key, id);
    }
    // Files from before SkyWcs (HSC-era TanWcs) name the WCS's archive ID WCS_ID.
    const oldWcs = pop('WCS_ID');
    if (oldWcs !== undefined && oldWcs !== 0 && !ids.has('SKYWCS')) ids.set('SKYWCS', oldWcs);
    for (const k of metadata.keywords()) {
      if (!k.startsWith('ARCHIVE_ID_')) continue;
      const key = k.slice('ARCHIVE_ID_'.length);
      const id = pop(k);
      metadata.delete(`${key}_ID`);
      if (id !== undefined && id !== 0) ids.set(key, id);
    }
    exposureMetadataHooks.read(metadata, version, info, this.#where);
    metadata.delete('MJD-OBS');
    metadata.delete('DATE-OBS');
    metadata.delete('DETNAME');
    metadata.delete('DETSER');
    info.setMetadata(metadata);
    info.setWcsMetadata(wcsMetadata);
    this.#state = { version, metadata, wcsMetadata, archiveHdu: arHdu === undefined || arHdu === 0 ? undefined : arHdu - 1, ids, info };
    return this.#state;
  }

  /** `EXPINFO_V` (0 when absent, as afw). */
  readSerializationVersion(): number {
    return this.#metadataState().version;
  }

  /**
   * The metadata: the primary header's cards (the image header's, for files without `INHERIT`),
   * without the structural cards and those afw turns into components.
   *
   * @returns a copy of the cards
   * @throws {@link AfwImageFitsError} when `EXPINFO_V` is newer than afw's
   */
  readMetadata(): Header {
    return this.#metadataState().metadata.clone();
  }

  /**
   * The FITS-WCS cards of the image header, for PARENT pixels (see {@link ExposureInfo.getWcsMetadata}).
   *
   * @returns the cards, or `null`
   */
  readWcsMetadata(): Header | null {
    return this.#metadataState().wcsMetadata?.clone() ?? null;
  }

  /** The exposure ID (`EXPID`), or `null`. */
  readExposureId(): bigint | null {
    return this.#metadataState().info.getId();
  }

  /** The VisitInfo (from the header cards, as afw stores it), or `null`. */
  readVisitInfo(): VisitInfo | null {
    return this.#metadataState().info.getVisitInfo();
  }

  /**
   * The archive (read once, on first use), or `undefined` when the file has none.
   *
   * @returns the archive
   */
  async readArchive(): Promise<InputArchive | undefined> {
    const { archiveHdu } = this.#metadataState();
    if (archiveHdu === undefined) return undefined;
    this.#archive ??= InputArchive.read(this.file, archiveHdu, { registry: this.registry });
    return this.#archive;
  }

  /**
   * One archived component, by key (`'PHOTOCALIB'`, `'PSF'`, `'SKYWCS'`, `'DETECTOR'`,
   * `'FILTER'`, `'AP_CORR_MAP'`, or a generic component name). Reads the archive HDUs only.
   *
   * @param key - the component key
   * @returns the component (a `RawPersistable` when SkyStack cannot decode its type), or `null`
   */
  async readComponent(key: string): Promise<unknown> {
    const state = this.#metadataState();
    const fromHeader = state.info.getComponent(key);
    const id = state.ids.get(key);
    if (id === undefined) return fromHeader;
    const archive = await this.readArchive();
    if (archive === undefined) {
      throw new AfwImageFitsError(`${this.#where}: the header gives archive ID ${id} for component ${key}, but the file has no archive (no AR_HDU).`);
    }
    return archive.get(id);
  }

  /** The photometric calibration (from the archive; from `FLUXMAG0` in version-0 files), or `null`. */
  async readPhotoCalib(): Promise<ReturnType<ExposureInfo['getPhotoCalib']>> {
    return (await this.readComponent('PHOTOCALIB')) as ReturnType<ExposureInfo['getPhotoCalib']>;
  }

  /** The filter (from the archive; from the `FILTER` card in files before version 2), or `null`. */
  async readFilter(): Promise<ReturnType<ExposureInfo['getFilter']>> {
    return (await this.readComponent('FILTER')) as ReturnType<ExposureInfo['getFilter']>;
  }

  /** The detector, or `null`. */
  async readDetector(): Promise<ReturnType<ExposureInfo['getDetector']>> {
    return (await this.readComponent('DETECTOR')) as ReturnType<ExposureInfo['getDetector']>;
  }

  /** The aperture correction map, or `null`. */
  async readApCorrMap(): Promise<ReturnType<ExposureInfo['getApCorrMap']>> {
    return (await this.readComponent('AP_CORR_MAP')) as ReturnType<ExposureInfo['getApCorrMap']>;
  }

  /**
   * The PSF (a `RawPsf` when its type has no reader in the registry), or `null`.
   *
   * @returns the PSF
   */
  async readPsf(): Promise<Psf | null> {
    return asPsf(await this.readComponent('PSF'));
  }

  /**
   * The WCS: the archived `SkyWcs`, else the one the image header's FITS-WCS cards describe (in
   * PARENT pixels), else `null` — afw's order. Reads no pixels.
   *
   * @returns the WCS
   */
  async readWcs(): Promise<SkyWcs | null> {
    const archived = await this.readComponent('SKYWCS');
    if (archived instanceof SkyWcs) return archived;
    // The header-derived state holds no archived WCS, so its WCS is the header's.
    return this.#metadataState().info.getWcs();
  }

  /**
   * Everything but the pixels.
   *
   * @returns a new ExposureInfo
   */
  async readExposureInfo(): Promise<ExposureInfo> {
    const state = this.#metadataState();
    const info = state.info.clone();
    for (const key of state.ids.keys()) info.setComponent(key, await this.readComponent(key));
    info.setSourceArchive(await this.readArchive());
    return info;
  }

  /**
   * The image plane.
   *
   * @param options - the box to read (all when absent), its origin, the pixel type
   * @returns the image
   * @throws {@link AfwImageOutOfBoundsError} when the box is not inside the stored image
   */
  async readImage<T extends PixelType>(options: ExposureReadFitsOptions<T> = {}): Promise<Image<PixelArray>> {
    const read = await readPixelsFromHdu(this.file, this.#imageHdu, options.bbox, options.origin ?? 'PARENT');
    const data = options.pixelType === undefined ? read.data : convertPixels(read.data, options.pixelType);
    return new Image(data, read.width, read.height, { xy0: read.xy0 });
  }

  /**
   * The mask plane (all zero, with the default planes, when the file has none).
   *
   * @param options - the box to read and its origin
   * @returns the mask
   */
  async readMask(options: ExposureReadFitsOptions = {}): Promise<Mask> {
    const maskHdu = findLayoutHdu(this.file, 'MASK', 1);
    if (maskHdu !== undefined) return readMaskHdu(this.file, maskHdu, options.bbox, options.origin ?? 'PARENT');
    return Mask.make(await this.#bboxFor(options));
  }

  /**
   * The variance plane (all zero when the file has none).
   *
   * @param options - the box to read and its origin
   * @returns the variance
   */
  async readVariance(options: ExposureReadFitsOptions = {}): Promise<VarianceImage> {
    const varianceHdu = findLayoutHdu(this.file, 'VARIANCE', 2);
    if (varianceHdu === undefined) return Image.make('float32', await this.#bboxFor(options));
    const v = await readPixelsFromHdu(this.file, varianceHdu, options.bbox, options.origin ?? 'PARENT');
    return new Image(convertPixels(v.data, 'float32'), v.width, v.height, { xy0: v.xy0 });
  }

  async #bboxFor(options: ExposureReadFitsOptions): Promise<Box2I> {
    if (options.bbox === undefined) return this.readBBox();
    if ((options.origin ?? 'PARENT') === 'PARENT') return options.bbox;
    const xy0 = this.readXY0();
    return options.bbox.shiftedBy(new Extent2I(xy0.getX(), xy0.getY()));
  }

  /**
   * The image, mask and variance.
   *
   * @param options - the box to read, its origin, the image pixel type
   * @returns the masked image
   */
  async readMaskedImage<T extends PixelType>(options: ExposureReadFitsOptions<T> = {}): Promise<MaskedImage> {
    return readMaskedImagePlanes(this.file, this.#imageHdu, options);
  }

  /**
   * The whole exposure (or the part inside a box).
   *
   * @param options - the box to read, its origin, the image pixel type
   * @returns the exposure
   */
  async read<T extends PixelType>(options: ExposureReadFitsOptions<T> = {}): Promise<ExposureParts> {
    const [maskedImage, info] = await Promise.all([this.readMaskedImage(options), this.readExposureInfo()]);
    return { maskedImage, info };
  }
}

/** What {@link ExposureFitsReader.read} returns: the pixels and the rest. */
export interface ExposureParts {
  /** The image, mask and variance. */
  readonly maskedImage: MaskedImage;
  /** Everything else. */
  readonly info: ExposureInfo;
}

/** Options of `Exposure.readFits` and the plane reads of {@link ExposureFitsReader}. */
export interface ExposureReadFitsOptions<T extends PixelType = PixelType> {
  /** Read only these pixels (default: all). */
  readonly bbox?: Box2I;
  /** The coordinates of `bbox` (default `'PARENT'`). */
  readonly origin?: ImageOrigin;
  /** Convert the image plane to this type (default: the stored type). */
  readonly pixelType?: T;
  /** The archive readers components are decoded with (default: {@link makeAfwRegistry}). */
  readonly registry?: PersistableRegistry;
}

/** Options of `Exposure.writeFits`. */
export interface ExposureWriteFitsOptions {
  /** Tile-compress the planes losslessly (`GZIP_2` for floats, `RICE_1` for integers; default `false`). */
  readonly compress?: boolean;
}

/**
 * Whether an `OutputArchive` passing `passthrough` through can store `value`: a `Persistable`, a
 * `RawPersistable`, or any object read from `passthrough` (kept by its ID there).
 *
 * @param value - the component
 * @param passthrough - the archive being passed through
 * @returns whether it can be put
 * @internal
 */
export function isArchivable(value: unknown, passthrough: InputArchive | undefined): value is Persistable | RawPersistable {
  if (typeof value !== 'object' || value === null) return false;
  if (value instanceof RawPersistable || typeof (value as Persistable).writeToArchive === 'function') return true;
  return passthrough !== undefined && archiveOrigin(value)?.archive === passthrough;
}

/**
 * Writes an exposure in afw's layout: the primary HDU (metadata, `EXPINFO_V`, `AR_HDU = 5`, the
 * `<KEY>_ID` and `ARCHIVE_ID_<KEY>` cards of each archived component, `DETNAME`/`DETSER`, the
 * VisitInfo cards), the `IMAGE`, `MASK` and `VARIANCE` extensions (with the FITS-WCS cards
 * moved to the array grid, the xy0 cards, the mask plane cards), then the archive.
 *
 * @param path - the file to write (atomically)
 * @param maskedImage - the pixels
 * @param info - the rest
 * @param options - compression
 * @throws {@link AfwImageFitsError} when a component cannot be archived
 */
export async function writeExposureFits(path: string, maskedImage: MaskedImage, info: ExposureInfo, options: ExposureWriteFitsOptions = {}): Promise<void> {
  const xy0 = maskedImage.getXY0();
  const primary = info.getMetadata().clone();
  primary.set('EXPINFO_V', EXPOSURE_FITS_VERSION);
  primary.set('AR_HDU', 5, 'HDU (1-indexed) containing the archive used to store ancillary objects');
  const archive = new OutputArchive(info.sourceArchive === undefined ? {} : { passthrough: info.sourceArchive });
  const keys = [...EXPOSURE_COMPONENT_KEYS.filter((k) => info.hasComponent(k)), ...info.componentKeys().filter((k) => !(EXPOSURE_COMPONENT_KEYS as readonly string[]).includes(k))];
  const wcs = info.getComponent('SKYWCS');
  for (const key of keys) {
    const value = info.getComponent(key);
    // A SkyWcs made in memory goes in the header only (afw reads it from there); one read from
    // the file being passed through keeps its archive entry.
    if (key === 'SKYWCS' && value instanceof SkyWcs) {
      const origin = archiveOrigin(value);
      if (origin === undefined || origin.archive !== info.sourceArchive) continue;
    }
    // A PSF that cannot be persisted is left out, as afw does.
    if (key === 'PSF' && value instanceof Psf && !value.isPersistable()) continue;
    if (!isArchivable(value, info.sourceArchive)) {
      throw new AfwImageFitsError(`Cannot write component ${key} of the exposure to ${path}: it is not an object the afw archive can store.`, {
        hint: 'Components must implement Persistable (persistenceName, pythonModule, writeToArchive) or come from a file.',
      });
    }
    let id: number;
    try {
      id = archive.put(value);
    } catch (e) {
      throw new AfwImageFitsError(`Cannot write component ${key} of the exposure to ${path}: ${(e as Error).message}`, { cause: e });
    }
    const comment = `archive ID for generic component '${key}'`;
    primary.set(`${key}_ID`, id, comment);
    primary.set(`ARCHIVE_ID_${key}`, id, comment);
  }
  exposureMetadataHooks.write(primary, info);
  const imageHeader = new Header();
  // The header WCS: a FITS-representable SkyWcs's own cards (moved to the array grid), else the
  // cards read from the file.
  if (wcs instanceof SkyWcs && wcs.isFits) {
    for (const card of wcs.copyAtShiftedPixelOrigin(new Extent2D(-xy0.getX(), -xy0.getY())).getFitsMetadata().cards()) imageHeader.add(card);
  } else if (info.getWcsMetadata() !== null) {
    for (const card of info.getWcsMetadata()!.cards()) imageHeader.add(card);
    shiftCrpix(imageHeader, xy0, -1);
  }
  await writeFits(path, [
    { header: primary },
    ...maskedImagePlaneHdus(maskedImage, imageHeader, options.compress === true),
    ...archive.toHdus().map((h) => ({ header: h.header, data: h.data })),
  ]);
}
