// lsst.afw.image.CoaddInputs: the visits and ccds that went into a coadd.
import type { Schema } from '@skystack/afw-table';
import { AfwImageInvalidArgumentError } from './errors.js';
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
export class CoaddInputs {
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
   * Whether these inputs can be written into an afw archive: not yet in SkyStack.
   *
   * @returns `false`
   */
  isPersistable(): boolean {
    return false;
  }
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
 * `ExposureInfo.setCoaddInputs`). SkyStack cannot archive them yet: an exposure holding them
 * cannot be written with `writeFits` until it can.
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
