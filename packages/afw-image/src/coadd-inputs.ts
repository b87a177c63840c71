// lsst.afw.image.CoaddInputs: the visits and ccds that went into a coadd.
import type { ArchiveRows, InputArchive, OutputArchiveHandle, Persistable, Schema } from '@skystack/afw-table';
import { AfwImageFitsError, AfwImageInvalidArgumentError } from './errors.js';
import { ExposureCatalog } from './exposure-catalog.js';
import type { ExposureInfo } from './exposure-info.js';

/** The {@link ExposureInfo} component key afw stores coadd inputs under. */
export const COADD_INPUTS_KEY = 'COADD_INPUTS';

/**
 * What a coadd was made from: two exposure catalogs. `visits` has one record per warped visit
 * (afw's coaddTempExps; their WCS is the coadd's), `ccds` one per input detector image (a
 * calexp), with its own bounding box, WCS, PSF, PhotoCalib, VisitInfo and valid polygon as
 * components, and a `visit` field that points back to `visits`. `CoaddPsf` (in
 * `@skystack/meas-algorithms`) is built from `ccds`.
 *
 * The schemas {@link CoaddInputs.makeVisitSchema} and {@link CoaddInputs.makeCcdSchema} have the
 * fields LSST's `CoaddInputRecorderTask` adds to the minimal exposure schema.
 *
 * Coadd inputs are archived as afw does (persistence name `CoaddInputs`, module
 * `lsst.afw.image`): two catalogs, `visits` then `ccds`, each an exposure table (see
 * {@link ExposureCatalog.writeToArchive}) written permissively, so that components the archive
 * cannot store are left out. An Exposure holding them writes them as its `COADD_INPUTS`
 * component (`COADD_INPUTS_ID` / `ARCHIVE_ID_COADD_INPUTS` header cards), and reads them back
 * through the `CoaddInputs` reader of {@link registerExposureComponentReaders}.
 *
 * @example
 * ```ts
 * const inputs = new CoaddInputs();
 * const ccd = inputs.ccds.addNew();
 * ccd.setId(42); ccd.setBBox(calexp.getBBox()); ccd.set('weight', 1 / meanVariance);
 * ccd.setComponent('wcs', calexp.getWcs()); ccd.setComponent('psf', calexp.getPsf());
 * setCoaddInputs(coadd.getInfo(), inputs);
 * ```
 * @see lsst.afw.image.CoaddInputs
 */
export class CoaddInputs implements Persistable {
  /** `CoaddInputs`, the name afw's archive index records. */
  readonly persistenceName = 'CoaddInputs';
  /** `lsst.afw.image`. */
  readonly pythonModule = 'lsst.afw.image';
  /** One record per warped visit (coaddTempExp). */
  readonly visits: ExposureCatalog;
  /** One record per input detector image. */
  readonly ccds: ExposureCatalog;

  /**
   * Makes coadd inputs: from two catalogs (shared, not copied), or empty catalogs with
   * {@link CoaddInputs.makeVisitSchema} and {@link CoaddInputs.makeCcdSchema}.
   *
   * @param visits - the visits catalog (default: empty)
   * @param ccds - the ccds catalog (default: empty)
   * @throws {@link AfwImageInvalidArgumentError} when either is not an {@link ExposureCatalog}
   */
  constructor(visits: ExposureCatalog = new ExposureCatalog(CoaddInputs.makeVisitSchema()), ccds: ExposureCatalog = new ExposureCatalog(CoaddInputs.makeCcdSchema())) {
    if (!(visits instanceof ExposureCatalog) || !(ccds instanceof ExposureCatalog)) {
      throw new AfwImageInvalidArgumentError(`CoaddInputs needs two ExposureCatalogs (visits, ccds); got ${String(visits)} and ${String(ccds)}.`);
    }
    this.visits = visits;
    this.ccds = ccds;
  }

  /**
   * The schema of the visits catalog: the minimal exposure schema plus `weight` (D).
   *
   * @returns a new schema
   * @see lsst.pipe.tasks.coaddInputRecorder.CoaddInputRecorderTask
   */
  static makeVisitSchema(): Schema {
    const schema = ExposureCatalog.makeMinimalSchema();
    schema.addField({ name: 'weight', type: 'D', doc: 'Weight for this visit in the coadd' });
    return schema;
  }

  /**
   * The schema of the ccds catalog: the minimal exposure schema plus `ccd` (I), `visit` (L),
   * `goodpix` (I) and `weight` (D).
   *
   * @returns a new schema
   * @see lsst.pipe.tasks.coaddInputRecorder.CoaddInputRecorderTask
   */
  static makeCcdSchema(): Schema {
    const schema = ExposureCatalog.makeMinimalSchema();
    schema.addField({ name: 'ccd', type: 'I', doc: 'cameraGeom CCD serial number' });
    schema.addField({ name: 'visit', type: 'L', doc: 'Foreign key for the visits (coaddTempExp) catalog' });
    schema.addField({ name: 'goodpix', type: 'I', doc: 'Number of good pixels in this CCD' });
    schema.addField({ name: 'weight', type: 'D', doc: 'Weight for this visit in the coadd' });
    return schema;
  }

  /**
   * Whether these inputs can be written into an afw archive with every component kept: true when
   * each component of each record of both catalogs can be archived (afw's `isPersistable` is
   * always true, since it writes permissively and drops the others).
   *
   * @returns whether nothing would be left out
   */
  isPersistable(): boolean {
    return this.visits.componentsArchivable() && this.ccds.componentsArchivable();
  }

  /**
   * Writes the two catalogs, `visits` then `ccds`, leaving out components that cannot be
   * archived (afw's `permissive` write).
   *
   * @param handle - the archive handle
   * @see lsst.afw.image.CoaddInputs.write
   */
  writeToArchive(handle: OutputArchiveHandle): void {
    this.visits.writeToArchive(handle, true);
    this.ccds.writeToArchive(handle, true);
  }
}

/**
 * Reads archived coadd inputs (the `CoaddInputs` reader of
 * {@link registerExposureComponentReaders}).
 *
 * @param catalogs - the object's two catalogs: visits, then ccds
 * @param archive - the archive, for the components
 * @returns the inputs
 * @throws {@link AfwImageFitsError} when there are not two catalogs
 * @example
 * ```ts
 * registry.register('CoaddInputs', (catalogs, archive) => readCoaddInputs(catalogs, archive));
 * ```
 * @see lsst.afw.image.CoaddInputs
 */
export function readCoaddInputs(catalogs: readonly ArchiveRows[], archive: InputArchive): CoaddInputs {
  if (catalogs.length !== 2) {
    throw new AfwImageFitsError(`An archived CoaddInputs has two catalogs (visits, ccds); this one has ${catalogs.length}${archive.file === undefined ? '' : ` in ${archive.file}`}.`);
  }
  return new CoaddInputs(ExposureCatalog.readFromArchive(archive, catalogs[0]!), ExposureCatalog.readFromArchive(archive, catalogs[1]!));
}

/**
 * The coadd inputs of an exposure (afw's `ExposureInfo.getCoaddInputs`).
 *
 * @param info - the exposure's info
 * @returns the inputs, or `null` when there are none (or the component is one SkyStack cannot decode)
 * @example
 * ```ts
 * const inputs = getCoaddInputs(coadd.getInfo());
 * inputs?.ccds.length;
 * ```
 * @see lsst.afw.image.ExposureInfo.getCoaddInputs
 */
export function getCoaddInputs(info: ExposureInfo): CoaddInputs | null {
  const value = info.getComponent(COADD_INPUTS_KEY);
  return value instanceof CoaddInputs ? value : null;
}

/**
 * Sets (or, with `null`, removes) the coadd inputs of an exposure (afw's
 * `ExposureInfo.setCoaddInputs`). `Exposure.writeFits` archives them as the `COADD_INPUTS`
 * component.
 *
 * @param info - the exposure's info (changed in place)
 * @param inputs - the inputs, or `null`
 * @throws {@link AfwImageInvalidArgumentError} when `inputs` is not a {@link CoaddInputs}
 * @example
 * ```ts
 * setCoaddInputs(coadd.getInfo(), new CoaddInputs());
 * ```
 * @see lsst.afw.image.ExposureInfo.setCoaddInputs
 */
export function setCoaddInputs(info: ExposureInfo, inputs: CoaddInputs | null): void {
  if (inputs !== null && !(inputs instanceof CoaddInputs)) {
    throw new AfwImageInvalidArgumentError(`setCoaddInputs needs a CoaddInputs (or null); got ${String(inputs)}.`);
  }
  info.setComponent(COADD_INPUTS_KEY, inputs);
}
