// CoaddInputRecorderTask: what went into a warp and a coadd, as the CoaddInputs of the exposure
// (lsst.pipe.tasks.coaddInputRecorder).
import { CoaddInputs, EXPOSURE_RECORD_COMPONENTS, ExposureCatalog, getCoaddInputs, setCoaddInputs, type Exposure, type ExposureRecord, type PixelArray } from '@skystack/afw-image';
import type { Schema } from '@skystack/afw-table';
import { makeCoaddApCorrMap } from '@skystack/meas-algorithms';
import { Config, Field } from '@skystack/pex-config';
import { Task, type TaskOptions } from '@skystack/pipe-base';
import { PipeTasksInvalidArgumentError } from '../errors.js';

/**
 * The config of {@link CoaddInputRecorderTask}, with LSST's fields and defaults.
 *
 * @see lsst.pipe.tasks.coaddInputRecorder.CoaddInputRecorderConfig
 */
export class CoaddInputRecorderConfig extends Config {
  /** Record the detectors that gave no good pixel too. */
  saveEmptyCcds = Field.bool({
    doc: 'Add records for CCDs we iterated over but did not add a coaddTempExp due to a lack of unmasked pixels in the coadd footprint.',
    default: false,
  });
  /** Record the detectors whose warping failed too. */
  saveErrorCcds = Field.bool({ doc: 'Add records for CCDs we iterated over but did not add a coaddTempExp due to an exception (often due to the calexp not being found on disk).', default: false });
  /** Keep the number of good pixels of each warp in the visits catalog. */
  saveVisitGoodPix = Field.bool({ doc: 'Save the total number of good pixels in each coaddTempExp (redundant with a sum of good pixels in associated CCDs)', default: true });
  /** Keep the weights in the ccds catalog too (CoaddPsf reads them there). */
  saveCcdWeights = Field.bool({
    doc: 'Save weights in the CCDs table as well as the visits table? (This is necessary for easy construction of CoaddPsf, but otherwise duplicate information.)',
    default: true,
  });
}

/**
 * Records the inputs of one warp: one visits record, and one ccds record per calexp added
 * ({@link CoaddTempExpInputRecorder.addCalExp}); {@link CoaddTempExpInputRecorder.finish} puts
 * them on the warp.
 *
 * @see lsst.pipe.tasks.coaddInputRecorder.CoaddTempExpInputRecorder
 */
export class CoaddTempExpInputRecorder {
  /** The inputs being recorded (one visit). */
  readonly coaddInputs: CoaddInputs;
  readonly #task: CoaddInputRecorderTask;
  readonly #visitRecord: ExposureRecord;

  /**
   * Starts the record of one warp.
   *
   * @param task - the recorder task (schemas and config)
   * @param visitId - the visit of the warp
   */
  constructor(task: CoaddInputRecorderTask, visitId: bigint | number) {
    this.#task = task;
    this.coaddInputs = task.makeCoaddInputs();
    this.#visitRecord = this.coaddInputs.visits.addNew();
    this.#visitRecord.setId(visitId);
  }

  /**
   * Records one calexp of the warp: its ID, detector, visit, good pixels, weight 1, physical
   * filter, and its components (PSF, WCS, PhotoCalib, valid polygon, VisitInfo, transmission
   * curve, aperture corrections, detector, bbox). Calexps without good pixels are skipped unless
   * `saveEmptyCcds`.
   *
   * @param calExp - the calexp (in its own pixels and counts, as the CoaddPsf needs)
   * @param ccdId - its ID (the detector-exposure ID)
   * @param nGoodPix - how many of the warp's pixels it gave
   * @see lsst.pipe.tasks.coaddInputRecorder.CoaddTempExpInputRecorder.addCalExp
   */
  addCalExp(calExp: Exposure<PixelArray>, ccdId: bigint | number, nGoodPix: number): void {
    if (nGoodPix === 0 && !this.#task.config.saveEmptyCcds) return;
    const record = this.coaddInputs.ccds.addNew();
    record.setId(ccdId);
    record.set('visit', this.#visitRecord.getId());
    const detector = calExp.getDetector();
    if (detector === null) this.#task.log.warn(`Calexp ${ccdId} of visit ${this.#visitRecord.getId()} has no detector; recording ccd -1.`);
    record.set('ccd', detector?.getId() ?? -1);
    record.set('goodpix', nGoodPix);
    setExposureInfoInRecord(calExp, record);
    // No weighting or overlap when warping: each detector counts fully in the warp's CoaddPsf.
    if (this.#task.config.saveCcdWeights) record.set('weight', 1);
    record.set('filter', physicalLabel(calExp));
  }

  /**
   * Finishes the record: the warp's good pixels (with `saveVisitGoodPix`) and its components go
   * into the visits record, the inputs are set on the warp (`setCoaddInputs`), and the warp gets
   * the aperture corrections of its calexps (`makeCoaddApCorrMap`), when it has a WCS.
   *
   * @param warp - the warp
   * @param nGoodPix - its good pixels, if counted
   * @see lsst.pipe.tasks.coaddInputRecorder.CoaddTempExpInputRecorder.finish
   */
  finish(warp: Exposure<PixelArray>, nGoodPix?: number): void {
    if (nGoodPix !== undefined && this.#task.config.saveVisitGoodPix) this.#visitRecord.set('goodpix', nGoodPix);
    setExposureInfoInRecord(warp, this.#visitRecord);
    setCoaddInputs(warp.getInfo(), this.coaddInputs);
    const wcs = warp.getWcs();
    if (wcs !== null && this.#task.config.saveCcdWeights) warp.getInfo().setApCorrMap(makeCoaddApCorrMap(this.coaddInputs.ccds, warp.getBBox(), wcs));
  }
}

/**
 * Records what goes into warps and coadds as `CoaddInputs` (two exposure catalogs, `visits` and
 * `ccds`): {@link CoaddInputRecorderTask.makeCoaddTempExpRecorder} for a warp (called by
 * MakeWarpTask), {@link CoaddInputRecorderTask.addVisitToCoadd} for each warp of a coadd (called
 * by AssembleCoaddTask). The ccds catalog is what `CoaddPsf` is built from.
 *
 * @example
 * ```ts
 * const recorder = new CoaddInputRecorderTask();
 * const r = recorder.makeCoaddTempExpRecorder(visit);
 * r.addCalExp(calexp, calexp.getInfo().getId()!, nGood);
 * r.finish(warp, nGood);
 * const coaddInputs = recorder.makeCoaddInputs();
 * recorder.addVisitToCoadd(coaddInputs, warp, 1 / meanVariance);
 * ```
 * @see lsst.pipe.tasks.coaddInputRecorder.CoaddInputRecorderTask
 */
export class CoaddInputRecorderTask extends Task<CoaddInputRecorderConfig> {
  /** {@link CoaddInputRecorderConfig}. */
  static override ConfigClass = CoaddInputRecorderConfig;
  /** `inputRecorder`. */
  static override _DefaultName: string | undefined = 'inputRecorder';
  /** The schema of the visits catalog: the minimal exposure schema, `goodpix` (with `saveVisitGoodPix`), `weight` and `filter`. */
  readonly visitSchema: Schema;
  /** The schema of the ccds catalog: the minimal exposure schema, `ccd`, `visit`, `goodpix`, (with `saveCcdWeights`) `weight`, and `filter`. */
  readonly ccdSchema: Schema;

  /**
   * Makes the task and its two schemas.
   *
   * @param options - config, name, parent task
   */
  constructor(options: TaskOptions<CoaddInputRecorderConfig> = {}) {
    super(options);
    this.visitSchema = ExposureCatalog.makeMinimalSchema();
    if (this.config.saveVisitGoodPix) this.visitSchema.addField({ name: 'goodpix', type: 'I', doc: 'Number of good pixels in the coaddTempExp' });
    this.visitSchema.addField({ name: 'weight', type: 'D', doc: 'Weight for this visit in the coadd' });
    this.ccdSchema = ExposureCatalog.makeMinimalSchema();
    this.ccdSchema.addField({ name: 'ccd', type: 'I', doc: 'cameraGeom CCD serial number' });
    this.ccdSchema.addField({ name: 'visit', type: 'L', doc: 'Foreign key for the visits (coaddTempExp) catalog' });
    this.ccdSchema.addField({ name: 'goodpix', type: 'I', doc: 'Number of good pixels in this CCD' });
    if (this.config.saveCcdWeights) this.ccdSchema.addField({ name: 'weight', type: 'D', doc: 'Weight for this visit in the coadd' });
    this.visitSchema.addField({ name: 'filter', type: 'String', size: 32, doc: 'Physical filter associated with this visit.' });
    this.ccdSchema.addField({ name: 'filter', type: 'String', size: 32, doc: 'Physical filter associated with this visit.' });
  }

  /**
   * Empty inputs with this task's schemas.
   *
   * @returns new CoaddInputs
   * @see lsst.pipe.tasks.coaddInputRecorder.CoaddInputRecorderTask.makeCoaddInputs
   */
  makeCoaddInputs(): CoaddInputs {
    return new CoaddInputs(new ExposureCatalog(this.visitSchema), new ExposureCatalog(this.ccdSchema));
  }

  /**
   * A recorder for one warp.
   *
   * @param visitId - the warp's visit
   * @returns the recorder
   * @see lsst.pipe.tasks.coaddInputRecorder.CoaddInputRecorderTask.makeCoaddTempExpRecorder
   */
  makeCoaddTempExpRecorder(visitId: bigint | number): CoaddTempExpInputRecorder {
    return new CoaddTempExpInputRecorder(this, visitId);
  }

  /**
   * Adds a warp to a coadd's inputs: its one visits record (with `weight` and the warp's
   * physical filter), and its ccds records (with the same `weight` when `saveCcdWeights`). A
   * warp whose CoaddInputs do not have exactly one visit is skipped with a warning, as in LSST.
   *
   * @param coaddInputs - the coadd's inputs (changed)
   * @param warp - the warp, with the CoaddInputs {@link CoaddTempExpInputRecorder.finish} set
   * @param weight - the warp's weight in the coadd
   * @returns the new visits record, or null when the warp's inputs are not usable
   * @throws {@link PipeTasksInvalidArgumentError} when the warp has no CoaddInputs at all
   * @see lsst.pipe.tasks.coaddInputRecorder.CoaddInputRecorderTask.addVisitToCoadd
   */
  addVisitToCoadd(coaddInputs: CoaddInputs, warp: Exposure<PixelArray>, weight: number): ExposureRecord | null {
    const warpInputs = getCoaddInputs(warp.getInfo());
    if (warpInputs === null) {
      throw new PipeTasksInvalidArgumentError('A warp added to a coadd must have CoaddInputs; this one has none.', { hint: 'Make the warps with MakeWarpTask, which records their inputs.' });
    }
    if (warpInputs.visits.length !== 1) {
      this.log.warn(`CoaddInputs for a warp should have exactly one record in visits (found ${warpInputs.visits.length}); its inputs are not saved.`);
      return null;
    }
    const input = warpInputs.visits.get(0);
    const record = coaddInputs.visits.addNew();
    copyRecord(input, record);
    record.set('weight', weight);
    const filter = physicalLabel(warp);
    if (record.catalog.schema.contains('filter')) record.set('filter', filter);
    for (const ccd of warpInputs.ccds) {
      if (ccd.get('visit') !== input.getId()) {
        this.log.warn(`CoaddInputs for the warp of visit ${input.getId()} contain a detector of visit ${String(ccd.get('visit'))}; the CoaddInputs may be unreliable.`);
      }
      const out = coaddInputs.ccds.addNew();
      copyRecord(ccd, out);
      if (this.config.saveCcdWeights) out.set('weight', weight);
      if (out.catalog.schema.contains('filter')) out.set('filter', filter);
    }
    return record;
  }
}

/** The components of an exposure that a CoaddInputs record keeps, and its bbox. */
function setExposureInfoInRecord(exposure: Exposure<PixelArray>, record: ExposureRecord): void {
  const info = exposure.getInfo();
  record.setComponent('psf', info.getPsf());
  record.setComponent('wcs', info.getWcs());
  record.setComponent('photoCalib', info.getPhotoCalib());
  record.setComponent('validPolygon', info.getComponent('VALID_POLYGON') ?? null);
  record.setComponent('visitInfo', info.getVisitInfo());
  record.setComponent('transmissionCurve', info.getComponent('TRANSMISSION_CURVE') ?? null);
  record.setComponent('apCorrMap', info.getApCorrMap());
  record.setComponent('detector', info.getDetector());
  record.setBBox(exposure.getBBox());
}

/** The physical filter of an exposure, or `''` when it has none. */
function physicalLabel(exposure: Exposure<PixelArray>): string {
  const filter = exposure.getFilter();
  return filter !== null && filter.hasPhysicalLabel() ? filter.physicalLabel : '';
}

/** Copies the fields `to` has (by name) and every component from one exposure record to another (afw's `assign`). */
function copyRecord(from: ExposureRecord, to: ExposureRecord): void {
  const fromSchema = from.catalog.schema;
  for (const field of to.catalog.schema) {
    if (!fromSchema.contains(field.name)) continue;
    to.set(field.name, from.get(field.name));
  }
  for (const name of EXPOSURE_RECORD_COMPONENTS) to.setComponent(name, from.getComponent(name));
}
