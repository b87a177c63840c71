import { Header } from '@skystack/fits';
import type { InputArchive } from '@skystack/afw-table';
import { SkyWcs, makeSkyWcs } from '@skystack/wcs';
import type { ApCorrMap } from './components/ap-corr-map.js';
import type { Detector } from './components/detector.js';
import type { FilterLabel } from './components/filter-label.js';
import type { PhotoCalib } from './components/photo-calib.js';
import type { VisitInfo } from './components/visit-info.js';
import { AfwImageInvalidArgumentError } from './errors.js';
import { Psf } from './psf/psf.js';
import { RawPsf, asPsf } from './psf/raw-psf.js';

/**
 * The keys of the components afw stores in an exposure's archive, as they appear in the
 * `ARCHIVE_ID_<KEY>` (and old-style `<KEY>_ID`) cards of the primary header.
 */
export const EXPOSURE_COMPONENT_KEYS = Object.freeze([
  'SKYWCS',
  'PSF',
  'PHOTOCALIB',
  'DETECTOR',
  'FILTER',
  'AP_CORR_MAP',
  'VALID_POLYGON',
  'COADD_INPUTS',
  'TRANSMISSION_CURVE',
] as const);

/** One of {@link EXPOSURE_COMPONENT_KEYS}. */
export type ExposureComponentKey = (typeof EXPOSURE_COMPONENT_KEYS)[number];

/**
 * Everything an {@link Exposure} holds besides its pixels: the metadata (the primary header's
 * cards, in order, with comments: daf_base's PropertyList), the VisitInfo, the exposure ID, and
 * the archived components (WCS, PSF, PhotoCalib, Detector, FilterLabel, aperture corrections,
 * valid polygon, coadd inputs, transmission curve, and any other named component).
 *
 * Components SkyStack cannot decode yet (a PSF model from another package, a transmission
 * curve) are `RawPersistable`s from `@skystack/afw-table` (an undecoded PSF is seen through
 * {@link ExposureInfo.getPsf} as a {@link RawPsf}):
 * they are reported by type name and written back unchanged when the exposure is written.
 *
 * The WCS is the archived `SkyWcs` when the file has one (an AST FrameSet, or an old `TanWcs`),
 * else the one the image header's FITS-WCS cards describe, as afw reads it; the header cards
 * themselves are kept in {@link ExposureInfo.getWcsMetadata}, for PARENT pixel coordinates
 * (`CRPIX` includes xy0).
 *
 * @see lsst.afw.image.ExposureInfo
 */
export class ExposureInfo {
  #metadata: Header;
  #visitInfo: VisitInfo | null = null;
  #id: bigint | null = null;
  #wcsMetadata: Header | null = null;
  #headerWcs: SkyWcs | null | undefined;
  readonly #components = new Map<string, unknown>();
  #archive: InputArchive | undefined;

  /**
   * Makes an empty ExposureInfo.
   *
   * @param metadata - the metadata (default: empty)
   */
  constructor(metadata: Header = new Header()) {
    this.#metadata = metadata;
  }

  /**
   * A copy that shares the components (which are immutable) and copies the metadata.
   *
   * @returns the copy
   */
  clone(): ExposureInfo {
    const out = new ExposureInfo(this.#metadata.clone());
    out.#visitInfo = this.#visitInfo;
    out.#id = this.#id;
    out.#wcsMetadata = this.#wcsMetadata?.clone() ?? null;
    out.#headerWcs = this.#headerWcs;
    for (const [k, v] of this.#components) out.#components.set(k, v);
    out.#archive = this.#archive;
    return out;
  }

  /** The metadata: the primary header's cards, without those afw turns into components. */
  getMetadata(): Header {
    return this.#metadata;
  }

  /**
   * Replaces the metadata.
   *
   * @param metadata - the new cards
   */
  setMetadata(metadata: Header): void {
    this.#metadata = metadata;
  }

  /** The exposure ID (`EXPID`), or `null`. */
  getId(): bigint | null {
    return this.#id;
  }

  /**
   * Sets the exposure ID.
   *
   * @param id - the ID, or `null`
   */
  setId(id: bigint | number | null): void {
    this.#id = id === null ? null : BigInt(id);
  }

  /** True when there is a VisitInfo. */
  hasVisitInfo(): boolean {
    return this.#visitInfo !== null;
  }

  /** The VisitInfo, or `null`. */
  getVisitInfo(): VisitInfo | null {
    return this.#visitInfo;
  }

  /**
   * Sets the VisitInfo.
   *
   * @param visitInfo - the VisitInfo, or `null`
   */
  setVisitInfo(visitInfo: VisitInfo | null): void {
    this.#visitInfo = visitInfo;
  }

  /**
   * A component by key (`'PSF'`, `'SKYWCS'`, or any generic component name).
   *
   * @param key - the component key
   * @returns the component, or `null`
   */
  getComponent(key: string): unknown {
    return this.#components.get(key) ?? null;
  }

  /**
   * Sets (or, with `null`, removes) a component.
   *
   * @param key - the component key
   * @param value - the component: an object `@skystack/afw-table` can archive (a `Persistable`
   *   or a `RawPersistable` read from the same file)
   */
  setComponent(key: string, value: unknown): void {
    if (value === null || value === undefined) this.#components.delete(key);
    else this.#components.set(key, value);
  }

  /**
   * True when a component is set.
   *
   * @param key - the component key
   * @returns whether it is set
   */
  hasComponent(key: string): boolean {
    return this.#components.has(key);
  }

  /** The keys of the components that are set, in the order they were set. */
  componentKeys(): string[] {
    return [...this.#components.keys()];
  }

  /** True when there is a WCS: an archived one, or FITS-WCS cards from the image header. */
  hasWcs(): boolean {
    return this.#components.has('SKYWCS') || this.#wcsMetadata !== null;
  }

  /**
   * The WCS (LSST 0-based PARENT pixels ↔ ICRS): the archived `SkyWcs`, else the one the header
   * cards describe (afw's fallback), else `null`. An archived WCS read without the WCS readers
   * in the registry is not a `SkyWcs`; the header's then serves.
   *
   * @returns the WCS, or `null`
   * @see lsst.afw.image.ExposureInfo.getWcs
   */
  getWcs(): SkyWcs | null {
    const archived = this.getComponent('SKYWCS');
    if (archived instanceof SkyWcs) return archived;
    if (this.#headerWcs === undefined) {
      let wcs: SkyWcs | null = null;
      if (this.#wcsMetadata !== null) {
        try {
          wcs = makeSkyWcs(this.#wcsMetadata);
        } catch {
          wcs = null; // a header WCS SkyStack cannot represent (TPV, FK4, ...): no WCS, as afw logs and goes on
        }
      }
      this.#headerWcs = wcs;
    }
    return this.#headerWcs;
  }

  /**
   * Sets the WCS. The header cards read from a file are dropped; writing the exposure writes
   * this WCS's FITS-WCS cards when it is FITS-representable.
   *
   * @param wcs - the WCS, or `null`
   */
  setWcs(wcs: SkyWcs | null): void {
    this.setComponent('SKYWCS', wcs);
    this.#wcsMetadata = null;
    this.#headerWcs = undefined;
  }

  /**
   * The FITS-WCS cards of the image header, for PARENT pixel coordinates: `CRPIX1/2` are the
   * file's plus xy0, so that FITS pixel `(x + 1, y + 1)` is PARENT pixel `(x, y)`. They are
   * shifted back to the array grid when the exposure is written.
   *
   * @returns the cards (a copy), or `null` when the file had none
   */
  getWcsMetadata(): Header | null {
    return this.#wcsMetadata?.clone() ?? null;
  }

  /**
   * Sets the FITS-WCS cards (for PARENT pixel coordinates, see {@link ExposureInfo.getWcsMetadata}).
   *
   * @param cards - the cards, or `null`
   */
  setWcsMetadata(cards: Header | null): void {
    this.#wcsMetadata = cards?.clone() ?? null;
    this.#headerWcs = undefined;
  }

  /** True when there is a PSF. */
  hasPsf(): boolean {
    return this.#components.has('PSF');
  }

  /**
   * The PSF, or `null`. A PSF whose type SkyStack cannot decode (a `RawPersistable` read from the
   * file) comes back as a {@link RawPsf} that names it (its `raw` is the persistable); the raw
   * object itself stays available as `getComponent('PSF')`.
   *
   * @returns the PSF
   * @see lsst.afw.image.ExposureInfo.getPsf
   */
  getPsf(): Psf | null {
    return asPsf(this.getComponent('PSF'));
  }

  /**
   * Sets (or, with `null`, removes) the PSF.
   *
   * @param psf - the PSF (a {@link RawPsf} stores its raw persistable, which is written back unchanged)
   */
  setPsf(psf: Psf | null): void {
    if (psf === null || psf === undefined) this.setComponent('PSF', null);
    else if (psf instanceof RawPsf) this.setComponent('PSF', psf.raw);
    else if (psf instanceof Psf) this.setComponent('PSF', psf);
    else throw new AfwImageInvalidArgumentError(`setPsf needs a Psf (or null); got ${String(psf)}.`);
  }

  /** True when there is a PhotoCalib. */
  hasPhotoCalib(): boolean {
    return this.#components.has('PHOTOCALIB');
  }

  /** The photometric calibration, or `null`. */
  getPhotoCalib(): PhotoCalib | null {
    return this.getComponent('PHOTOCALIB') as PhotoCalib | null;
  }

  /**
   * Sets the photometric calibration.
   *
   * @param photoCalib - the PhotoCalib, or `null`
   */
  setPhotoCalib(photoCalib: PhotoCalib | null): void {
    this.setComponent('PHOTOCALIB', photoCalib);
  }

  /** True when there is a FilterLabel. */
  hasFilter(): boolean {
    return this.#components.has('FILTER');
  }

  /** The filter (band and physical filter), or `null`. */
  getFilter(): FilterLabel | null {
    return this.getComponent('FILTER') as FilterLabel | null;
  }

  /**
   * Sets the filter.
   *
   * @param filter - the FilterLabel, or `null`
   */
  setFilter(filter: FilterLabel | null): void {
    this.setComponent('FILTER', filter);
  }

  /** True when there is a Detector. */
  hasDetector(): boolean {
    return this.#components.has('DETECTOR');
  }

  /** The detector, or `null`. */
  getDetector(): Detector | null {
    return this.getComponent('DETECTOR') as Detector | null;
  }

  /**
   * Sets the detector.
   *
   * @param detector - the Detector, or `null`
   */
  setDetector(detector: Detector | null): void {
    this.setComponent('DETECTOR', detector);
  }

  /** True when there is an aperture correction map. */
  hasApCorrMap(): boolean {
    return this.#components.has('AP_CORR_MAP');
  }

  /** The aperture correction map, or `null`. */
  getApCorrMap(): ApCorrMap | null {
    return this.getComponent('AP_CORR_MAP') as ApCorrMap | null;
  }

  /**
   * Sets the aperture correction map.
   *
   * @param apCorrMap - the map, or `null`
   */
  setApCorrMap(apCorrMap: ApCorrMap | null): void {
    this.setComponent('AP_CORR_MAP', apCorrMap);
  }

  /** The archive the components were read from (kept so that writing passes it through), or `undefined`. */
  get sourceArchive(): InputArchive | undefined {
    return this.#archive;
  }

  /**
   * Records the archive the components were read from.
   *
   * @param archive - the archive
   * @internal
   */
  setSourceArchive(archive: InputArchive | undefined): void {
    this.#archive = archive;
  }
}
