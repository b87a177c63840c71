// CalibrateTask: detection, measurement, astrometric and photometric calibration of a
// characterized exposure (lsst.pipe.tasks.calibrate.CalibrateTask).
import type { Exposure } from '@skystack/afw-image';
import { SourceCatalog, type BaseCatalog, type Schema, type SimpleCatalog, type SimpleRecord, type SourceRecord } from '@skystack/afw-table';
import { Angle } from '@skystack/geom';
import { ApplyApCorrTask, BackgroundList, SkyObjectsTask, SourceDetectionTask } from '@skystack/meas-algorithms';
import {
  AstrometryTask,
  LoadReferenceObjectsConfig,
  ReferenceObjectLoader,
  denormalizeMatches,
  makeMatchCatalog,
  type MatchMetadata,
  type RefCatShard,
  type ReferenceMatch,
} from '@skystack/meas-astrom';
import type { SingleFrameMeasurementConfig} from '@skystack/meas-base';
import { SingleFrameMeasurementTask } from '@skystack/meas-base';
import { SourceDeblendTask } from '@skystack/meas-deblender';
import { ConfigField, ConfigurableField, Field, ListField } from '@skystack/pex-config';
import {
  DeferredDatasetRef,
  InitInput,
  InitOutput,
  Input,
  Output,
  PipelineTask,
  PipelineTaskConfig,
  PrerequisiteInput,
  Struct,
  defineConnections,
  timeMethod,
} from '@skystack/pipe-base';
import type {
  ConnectionNames,
  ConnectionsConfig,
  InputQuantizedConnection,
  OutputQuantizedConnection,
  PipelineTaskOptions,
  QuantizedRef,
  QuantumContext,
} from '@skystack/pipe-base';
import { CalibrateError } from './errors.js';
import { PhotoCalTask, type PhotoCalResult } from './photo-cal/photo-cal-task.js';

const VISIT_DETECTOR = ['instrument', 'visit', 'detector'] as const;

/**
 * The connections of {@link CalibrateTask}, per `(instrument, visit, detector)`: `icExp`,
 * `icExpBackground` and `icSrc` in (from {@link CharacterizeImageTask}), the reference
 * catalogs `astromRefCat` and `photoRefCat` as prerequisites (one `SimpleCatalog` per
 * level-7 HTM trixel, `deferLoad`, `multiple`), `calexp`, `calexpBackground`, `src`, `srcMatch`
 * and `srcMatchFull` out. Without `doAstrometry` (`doPhotoCal`) the astrometric (photometric)
 * reference catalog is dropped; the match outputs need `doAstrometry` and `doWriteMatches`
 * (`srcMatchFull` also `doWriteMatchesDenormalized`).
 *
 * @see lsst.pipe.tasks.calibrate.CalibrateConnections
 */
export class CalibrateConnections extends defineConnections({
  dimensions: VISIT_DETECTOR,
  defaultTemplates: {},
  connections: {
    /** The schema of the `icSrc` catalog. */
    icSourceSchema: new InitInput({ doc: 'Schema produced by characterize image task, used to initialize this task', name: 'icSrc_schema', storageClass: 'SourceCatalog' }),
    /** The schema of the `src` catalog. */
    outputSchema: new InitOutput({ doc: 'Schema after CalibrateTask has been initialized', name: 'src_schema', storageClass: 'SourceCatalog' }),
    /** The characterized exposure. */
    exposure: new Input({ doc: 'Input image to calibrate', name: 'icExp', storageClass: 'ExposureF', dimensions: VISIT_DETECTOR }),
    /** The background subtracted by characterization. */
    background: new Input({ doc: 'Backgrounds determined by characterize task', name: 'icExpBackground', storageClass: 'Background', dimensions: VISIT_DETECTOR }),
    /** The characterization sources. */
    icSourceCat: new Input({ doc: 'Source catalog created by characterize task', name: 'icSrc', storageClass: 'SourceCatalog', dimensions: VISIT_DETECTOR }),
    /** The astrometric reference catalog shards. */
    astromRefCat: new PrerequisiteInput({
      doc: 'Reference catalog to use for astrometry',
      name: 'gaia_dr2_20200414',
      storageClass: 'SimpleCatalog',
      dimensions: ['htm7'],
      deferLoad: true,
      multiple: true,
    }),
    /** The photometric reference catalog shards. */
    photoRefCat: new PrerequisiteInput({
      doc: 'Reference catalog to use for photometric calibration',
      name: 'ps1_pv3_3pi_20170110',
      storageClass: 'SimpleCatalog',
      dimensions: ['htm7'],
      deferLoad: true,
      multiple: true,
    }),
    /** The calibrated exposure. */
    outputExposure: new Output({ doc: 'Exposure after running calibration task', name: 'calexp', storageClass: 'ExposureF', dimensions: VISIT_DETECTOR }),
    /** The source catalog. */
    outputCat: new Output({ doc: 'Source catalog produced in calibrate task', name: 'src', storageClass: 'SourceCatalog', dimensions: VISIT_DETECTOR }),
    /** All backgrounds subtracted so far. */
    outputBackground: new Output({ doc: 'Background models estimated in calibration task', name: 'calexpBackground', storageClass: 'Background', dimensions: VISIT_DETECTOR }),
    /** The astrometric matches (normalized: ids and distance). */
    matches: new Output({ doc: 'Source/refObj matches from the astrometry solver', name: 'srcMatch', storageClass: 'Catalog', dimensions: VISIT_DETECTOR }),
    /** The astrometric matches with every reference and source column. */
    matchesDenormalized: new Output({ doc: 'Denormalized matches from astrometry solver', name: 'srcMatchFull', storageClass: 'Catalog', dimensions: VISIT_DETECTOR }),
  },
  configure(self, config) {
    const c = config as unknown as CalibrateConfig;
    if (!c.doAstrometry) self.removeConnection('astromRefCat');
    if (!c.doPhotoCal) self.removeConnection('photoRefCat');
    if (!c.doWriteMatches || !c.doAstrometry) self.removeConnection('matches');
    if (!c.doWriteMatchesDenormalized || !c.doWriteMatches || !c.doAstrometry) self.removeConnection('matchesDenormalized');
  },
}) {}

/**
 * The config of {@link CalibrateTask}, with LSST's fields and defaults (`postCalibrationMeasurement`
 * runs `base_LocalPhotoCalib` and `base_LocalWcs` with no slots and no noise replacement; the
 * astrometric loader maps every band to `phot_g_mean`, as LSST's Gaia default). A camera
 * pipeline renames the reference catalogs with `config.connections.astromRefCat` /
 * `photoRefCat` and sets the loaders' `anyFilterMapsToThis` to suit them.
 *
 * @see lsst.pipe.tasks.calibrate.CalibrateConfig
 */
export class CalibrateConfig extends PipelineTaskConfig.withConnections(CalibrateConnections) {
  /** The dataset type names of the connections (`config.connections.astromRefCat = 'sim_refcat'`). */
  declare readonly connections: ConnectionsConfig<ConnectionNames<typeof CalibrateConnections>>;
  /** Save calibration results. */
  doWrite = Field.bool({ doc: 'Save calibration results?', default: true });
  /** Write reference matches (`srcMatch`; ignored if doAstrometry is false). */
  doWriteMatches = Field.bool({ doc: 'Write reference matches (ignored if doWrite or doAstrometry false)?', default: true });
  /** Write the matches denormalized too (`srcMatchFull`). */
  doWriteMatchesDenormalized = Field.bool({
    doc: 'Write reference matches in denormalized format? This format uses more disk space, but is more convenient to read for debugging. Ignored if doWriteMatches=False or doWrite=False.',
    default: true,
  });
  /** Fit the WCS. */
  doAstrometry = Field.bool({ doc: 'Perform astrometric calibration?', default: true });
  /** Loader config of the astrometric reference catalog. */
  astromRefObjLoader = ConfigField({ doc: 'reference object loader for astrometric calibration', dtype: LoadReferenceObjectsConfig });
  /** Loader config of the photometric reference catalog. */
  photoRefObjLoader = ConfigField({ doc: 'reference object loader for photometric calibration', dtype: LoadReferenceObjectsConfig });
  /** The astrometry subtask. */
  astrometry = AstrometryTask.makeField('Perform astrometric calibration to refine the WCS');
  /** Fail when astrometry fails (else go on with a warning). */
  requireAstrometry = Field.bool({ doc: 'Raise an exception if astrometry fails? Ignored if doAstrometry false.', default: true });
  /** Fit the zero point. */
  doPhotoCal = Field.bool({ doc: 'Perform phometric calibration?', default: true });
  /** Fail when the photometric calibration fails (else go on with a warning). */
  requirePhotoCal = Field.bool({ doc: 'Raise an exception if photoCal fails? Ignored if doPhotoCal false.', default: true });
  /** The photometric calibration subtask. */
  photoCal = PhotoCalTask.makeField('Perform photometric calibration');
  /**
   * Match radius between photometric reference objects and sources (arcsec); LSST's
   * `photoCal.match.matchRadius` (the PhotoCalTask here receives matches).
   */
  photoMatchRadius = Field.float({ doc: 'Matching radius, arcsec, between photometric reference objects and sources', default: 0.25 });
  /** Fields copied from the matching icSrc source. */
  icSourceFieldsToCopy = ListField({
    doc: 'Fields to copy from the icSource catalog to the output catalog for matching sources Any missing fields will trigger a RuntimeError exception. Ignored if icSourceCat is not provided.',
    dtype: 'str',
    default: ['calib_psf_candidate', 'calib_psf_used', 'calib_psf_reserved'],
  });
  /** Match radius between icSrc and src (pixels). */
  matchRadiusPix = Field.float({ doc: 'Match radius for matching icSourceCat objects to sourceCat objects (pixels)', default: 3 });
  /** Detection. */
  detection = SourceDetectionTask.makeField('Detect sources');
  /** Add sky sources. */
  doSkySources = Field.bool({ doc: 'Generate sky sources?', default: true });
  /** Sky sources. */
  skySources = SkyObjectsTask.makeField('Generate sky sources');
  /** Run the deblender on the detected sources. */
  doDeblend = Field.bool({ doc: 'Run deblender input exposure', default: true });
  /** The deblender (SourceDeblendTask of `@skystack/meas-deblender`). */
  deblend = SourceDeblendTask.makeField('Split blended sources into their components');
  /** Measurement. */
  measurement = ConfigurableField({ doc: 'Measure sources', target: SingleFrameMeasurementTask }) as unknown as SingleFrameMeasurementConfig;
  /** Measurement after the calibrations (local calibrations). */
  postCalibrationMeasurement = ConfigurableField({ doc: 'Second round of measurement for plugins that need to be run after photocal', target: SingleFrameMeasurementTask }) as unknown as SingleFrameMeasurementConfig;
  /** Apply the exposure's aperture corrections (measured by characterization). */
  doApCorr = Field.bool({ doc: 'Run subtask to apply aperture correction', default: true });
  /** Aperture correction application. */
  applyApCorr = ConfigurableField({ doc: 'Subtask to apply aperture corrections', target: ApplyApCorrTask });
  /** Write the calexp. */
  doWriteExposure = Field.bool({
    doc: 'Write the calexp? If fakes have been added then we do not want to write out the calexp as a normal calexp but as a fakes_calexp.',
    default: true,
  });

  /** LSST's setDefaults: the post-calibration measurement and the Gaia flux mapping. */
  override setDefaults(): void {
    super.setDefaults();
    const post = this.postCalibrationMeasurement;
    post.plugins.names = ['base_LocalPhotoCalib', 'base_LocalWcs'];
    post.doReplaceWithNoise = false;
    for (const key of post.slots.keys()) (post.slots as unknown as Record<string, unknown>)[key] = null;
    this.astromRefObjLoader.anyFilterMapsToThis = 'phot_g_mean';
  }
}

/** The inputs of {@link CalibrateTask.run}. */
export interface CalibrateInputs extends Readonly<Record<string, unknown>> {
  /** The characterized exposure (`icExp`): modified in place and returned as the calexp. */
  readonly exposure: Exposure;
  /** The backgrounds subtracted so far (`icExpBackground`); the new ones are appended. */
  readonly background?: BackgroundList | undefined;
  /** The characterization sources (`icSrc`), to copy `icSourceFieldsToCopy` from. */
  readonly icSourceCat?: SourceCatalog | undefined;
  /** The exposure id: seeds the noise replacer and the sky sources (default 0). */
  readonly exposureId?: number | undefined;
}

/** What {@link CalibrateTask.run} returns. */
export interface CalibrateResult {
  /** The calibrated exposure (the input, with the fitted WCS and the PhotoCalib). */
  readonly outputExposure: Exposure;
  /** The sources. */
  readonly outputCat: SourceCatalog;
  /** The backgrounds (the input list with detection's re-estimate appended). */
  readonly outputBackground: BackgroundList;
  /** The same catalog as `outputCat` (LSST's `sourceCat`). */
  readonly sourceCat: SourceCatalog;
  /** The astrometric matches (undefined without astrometry). */
  readonly astromMatches: ReferenceMatch[] | undefined;
  /** The reference load metadata of the matches (undefined without astrometry). */
  readonly matchMeta: MatchMetadata | undefined;
  /** The photometric calibration result (undefined without it). */
  readonly photoCalResult: PhotoCalResult | undefined;
}

/** Options of the {@link CalibrateTask} constructor. */
export interface CalibrateTaskOptions extends PipelineTaskOptions<CalibrateConfig> {
  /** The astrometric reference loader (or {@link CalibrateTask.setRefObjLoaders}; runQuantum makes it). */
  readonly astromRefObjLoader?: ReferenceObjectLoader | undefined;
  /** The photometric reference loader. */
  readonly photoRefObjLoader?: ReferenceObjectLoader | undefined;
  /** The schema of the icSrc catalog (or `initInputs.icSourceSchema`, a catalog). */
  readonly icSourceSchema?: Schema | undefined;
}

/**
 * Calibrates a characterized exposure: detects sources again (to a fainter limit than
 * characterization, the background re-estimated), adds sky sources (`sky_source`), deblends
 * (`SourceDeblendTask` of `@skystack/meas-deblender`, with doDeblend: children appended with
 * `parent` set), measures,
 * applies the exposure's aperture corrections, copies `calib_psf_*` from the matching icSrc sources (`calib_detected`), fits the WCS against
 * the astrometric reference catalog (`AstrometryTask` of `@skystack/meas-astrom`: the fitted
 * WCS is set on the exposure and the sources get `coord_ra`/`coord_dec`), matches the
 * photometric reference catalog and fits the zero point ({@link PhotoCalTask}: the PhotoCalib
 * is set on the exposure, whose pixels stay in ADU, and `MAGZERO`, `MAGZERO_RMS`,
 * `MAGZERO_NOBJ` go into its metadata), then runs the post-calibration measurement
 * (`base_LocalPhotoCalib`, `base_LocalWcs`).
 *
 * @example
 * ```ts
 * const loader = new ReferenceObjectLoader(refCatShardsFromCatalogs(shards));
 * const task = new CalibrateTask({ config, astromRefObjLoader: loader, photoRefObjLoader: loader });
 * const res = await task.run({ exposure: icExp, background: icExpBackground, icSourceCat: icSrc });
 * res.outputExposure.getPhotoCalib()!.getCalibrationMean(); // nJy per ADU
 * res.outputCat.get(0).get('base_LocalPhotoCalib');
 * ```
 * @see lsst.pipe.tasks.calibrate.CalibrateTask
 */
export class CalibrateTask extends PipelineTask<CalibrateConfig> {
  /** {@link CalibrateConfig}. */
  static override ConfigClass = CalibrateConfig;
  /** `calibrate`. */
  static override _DefaultName: string | undefined = 'calibrate';
  /** The schema of `src`. */
  readonly schema: Schema;
  /** The detection subtask. */
  readonly detection: SourceDetectionTask;
  /** The sky sources subtask (with doSkySources). */
  readonly skySources: SkyObjectsTask | undefined;
  /** The deblender subtask (with doDeblend). */
  readonly deblend: SourceDeblendTask | undefined;
  /** The measurement subtask. */
  readonly measurement: SingleFrameMeasurementTask;
  /** The post-calibration measurement subtask. */
  readonly postCalibrationMeasurement: SingleFrameMeasurementTask;
  /** The aperture correction subtask (with doApCorr). */
  readonly applyApCorr: ApplyApCorrTask | undefined;
  /** The astrometry subtask (with doAstrometry). */
  readonly astrometry: AstrometryTask | undefined;
  /** The photometric calibration subtask (with doPhotoCal). */
  readonly photoCal: PhotoCalTask | undefined;
  /** The output schema as an empty catalog (LSST's `outputSchema` init-output). */
  readonly outputSchema: SourceCatalog;
  /** The icSrc fields copied, when an icSrc schema was given. */
  readonly icSourceFields: readonly string[];
  #photoRefObjLoader: ReferenceObjectLoader | undefined;

  /**
   * Makes the task: the `src` schema (a minimal SourceCatalog schema, with `calib_detected` and
   * the `icSourceFieldsToCopy` when the icSrc schema is given) and the subtasks.
   *
   * @param options - config, loaders, the icSrc schema (or `initInputs.icSourceSchema`)
   * @throws {@link CalibrateError} when the icSrc schema lacks fields of `icSourceFieldsToCopy`
   */
  constructor(options: CalibrateTaskOptions = {}) {
    super(options);
    const fromInit = options.initInputs?.['icSourceSchema'] as { schema?: Schema } | undefined;
    const icSchema = options.icSourceSchema ?? fromInit?.schema;
    const schema = SourceCatalog.makeMinimalSchema();
    const copied: string[] = [];
    if (icSchema !== undefined) {
      schema.addField({ name: 'calib_detected', type: 'Flag', doc: 'Source was detected as an icSource' });
      const missing = this.config.icSourceFieldsToCopy.filter((n) => !icSchema.contains(n));
      if (missing.length > 0) {
        throw new CalibrateError(`isSourceCat is missing fields ${missing.join(', ')} specified in icSourceFieldsToCopy.`, {
          hint: 'Run CharacterizeImageTask with doMeasurePsf (it adds calib_psf_*), or change config.icSourceFieldsToCopy.',
        });
      }
      for (const name of this.config.icSourceFieldsToCopy) {
        const f = icSchema.find(name);
        schema.addField({ name, type: f.type, doc: f.doc, ...(f.units !== undefined ? { units: f.units } : {}) } as never);
        copied.push(name);
      }
    }
    this.schema = schema;
    this.icSourceFields = copied;
    this.detection = this.makeSubtask<SourceDetectionTask>('detection', { schema });
    if (this.config.doSkySources) this.skySources = this.makeSubtask<SkyObjectsTask>('skySources', { schema });
    if (this.config.doDeblend) this.deblend = this.makeSubtask<SourceDeblendTask>('deblend', { schema });
    // The post-calibration measurement has no slots; meas-base's setupSchema clears the aliases
    // of unset slots, so it is made first and the main measurement sets the slots after it.
    this.postCalibrationMeasurement = this.makeSubtask<SingleFrameMeasurementTask>('postCalibrationMeasurement', { schema });
    this.measurement = this.makeSubtask<SingleFrameMeasurementTask>('measurement', { schema });
    if (this.config.doApCorr) this.applyApCorr = this.makeSubtask<ApplyApCorrTask>('applyApCorr', { schema });
    if (this.config.doAstrometry) this.astrometry = this.makeSubtask<AstrometryTask>('astrometry', { schema, refObjLoader: options.astromRefObjLoader });
    if (this.config.doPhotoCal) this.photoCal = this.makeSubtask<PhotoCalTask>('photoCal', { schema });
    this.#photoRefObjLoader = options.photoRefObjLoader;
    this.outputSchema = new SourceCatalog(schema);
  }

  /**
   * Sets the reference object loaders (what runQuantum does from the prerequisite inputs).
   *
   * @param astrom - the astrometric loader
   * @param photo - the photometric loader (default: the astrometric one)
   */
  setRefObjLoaders(astrom: ReferenceObjectLoader | undefined, photo: ReferenceObjectLoader | undefined = astrom): void {
    if (astrom !== undefined) this.astrometry?.setRefObjLoader(astrom);
    this.#photoRefObjLoader = photo;
  }

  /**
   * Calibrates the exposure (see the class description).
   *
   * @param inputs - the exposure, the background so far, the icSrc catalog, the exposure id
   * @returns the calexp, src, the backgrounds, the astrometric matches and their metadata
   * @throws {@link CalibrateError} when astrometry or photometric calibration fails and is
   *   required (`requireAstrometry`, `requirePhotoCal`)
   * @see lsst.pipe.tasks.calibrate.CalibrateTask.run
   */
  override async run(inputs: CalibrateInputs): Promise<Struct<CalibrateResult>> {
    return timeMethod(this, 'run', () => this.#run(inputs));
  }

  async #run(inputs: CalibrateInputs): Promise<Struct<CalibrateResult>> {
    const { exposure } = inputs;
    const exposureId = inputs.exposureId ?? 0;
    const background = inputs.background ?? new BackgroundList();
    const detRes = this.detection.run(this.schema, exposure, { doSmooth: true, background: new BackgroundList() }).getDict();
    for (const bg of detRes.background) background.append(bg.background);
    let sourceCat = detRes.sources;
    if (this.skySources !== undefined) this.skySources.run(exposure.mask, exposureId, sourceCat);
    // Detection made the catalog with this.schema; the measurement tasks share it.
    if (sourceCat.schema !== this.schema) sourceCat = copyToSchema(sourceCat, this.schema);
    // Children of blended sources are appended in place, with HeavyFootprints the measurement's noise replacer inserts.
    if (this.deblend !== undefined) this.deblend.run({ exposure, sources: sourceCat });
    this.measurement.run(sourceCat, exposure, exposureId);
    if (this.applyApCorr !== undefined) {
      const apCorrMap = exposure.getApCorrMap();
      if (apCorrMap === null) this.log.warn('Image does not have valid aperture correction map; skipping aperture correction');
      else this.applyApCorr.run(sourceCat, apCorrMap);
    }
    if (inputs.icSourceCat !== undefined && this.icSourceFields.length > 0) this.copyIcSourceFields(inputs.icSourceCat, sourceCat);

    let astromMatches: ReferenceMatch[] | undefined;
    let matchMeta: MatchMetadata | undefined;
    let astromOk = false;
    if (this.astrometry !== undefined) {
      try {
        const astromRes = (await this.astrometry.run(sourceCat, exposure)).getDict();
        astromMatches = astromRes.matches;
        matchMeta = astromRes.matchMeta;
        astromOk = true;
      } catch (error) {
        if (this.config.requireAstrometry) {
          throw new CalibrateError(`Astrometric calibration failed and requireAstrometry is true: ${(error as Error).message}`, { cause: error });
        }
        this.log.warn(`Unable to perform astrometric calibration (${(error as Error).message}) but requireAstrometry is false: attempting to proceed...`);
      }
    }

    let photoCalResult: PhotoCalResult | undefined;
    if (this.photoCal !== undefined) {
      photoCalResult = await this.#photometricCalibration(exposure, sourceCat, astromOk || this.astrometry === undefined, exposureId);
    }

    this.postCalibrationMeasurement.run(sourceCat, exposure, exposureId);
    return new Struct<CalibrateResult>({
      outputExposure: exposure,
      outputCat: sourceCat,
      outputBackground: background,
      sourceCat,
      astromMatches,
      matchMeta,
      photoCalResult,
    });
  }

  /** Matches the photometric reference catalog and fits the zero point; sets PhotoCalib and metadata. */
  async #photometricCalibration(exposure: Exposure, sourceCat: SourceCatalog, haveCoords: boolean, exposureId: number): Promise<PhotoCalResult | undefined> {
    const fail = (message: string, cause?: unknown): undefined => {
      if (this.config.requirePhotoCal) throw new CalibrateError(message, cause === undefined ? {} : { cause });
      this.log.warn(`${message} requirePhotoCal is false: attempting to proceed...`);
      return undefined;
    };
    if (!haveCoords || !hasFiniteCoords(sourceCat)) {
      exposure.setPhotoCalib(null);
      return fail('Astrometry failed, so cannot do photoCal.');
    }
    const loader = this.#photoRefObjLoader;
    const wcs = exposure.getWcs();
    if (loader === undefined || wcs === null) return fail('No photometric reference object loader (or no WCS) for the photometric calibration.');
    const filter = exposure.getFilter();
    const band = filter !== null && filter.hasBandLabel() ? filter.bandLabel : '';
    try {
      const load = await loader.loadPixelBox(exposure.getBBox(), wcs, band);
      const matches = directMatch(load.refCat, sourceCat, wcs.getPixelScale().asArcseconds(), this.config.photoMatchRadius);
      this.log.info(`Matched ${matches.length} photometric reference objects to sources within ${this.config.photoMatchRadius} arcsec`);
      const res = this.photoCal!.run({ matches, band: load.fluxField.replace(/_(cam)?[Ff]lux$/, ''), expId: exposureId }).getDict();
      exposure.setPhotoCalib(res.photoCalib);
      this.log.info(`Photometric zero-point: ${res.photoCalib.instFluxToMagnitude(1.0).toFixed(6)}`);
      this.#setMetadata(exposure, res);
      return res;
    } catch (error) {
      return fail(`Unable to perform photometric calibration: ${(error as Error).message}`, error);
    }
  }

  #setMetadata(exposure: Exposure, res: PhotoCalResult): void {
    const md = exposure.getMetadata();
    const exposureTime = exposure.getVisitInfo()?.getExposureTime() ?? Number.NaN;
    const magZero = exposureTime > 0 ? res.zp - 2.5 * Math.log10(exposureTime) : Number.NaN;
    if (!Number.isFinite(magZero)) this.log.warn('Could not set normalized MAGZERO in header: no exposure time');
    md.set('MAGZERO', magZero);
    md.set('MAGZERO_RMS', res.sigma);
    md.set('MAGZERO_NOBJ', res.ngood);
    md.set('COLORTERM1', 0.0);
    md.set('COLORTERM2', 0.0);
    md.set('COLORTERM3', 0.0);
  }

  /**
   * Sets `calib_detected` and copies `icSourceFieldsToCopy` for the sources whose centroid lies
   * within `matchRadiusPix` of an icSrc source's: each icSrc source to its closest source, never
   * to a deblended parent (`deblend_nChild > 0`; its children are matched instead), as LSST.
   *
   * @param icSourceCat - the icSrc catalog
   * @param sourceCat - the src catalog (modified)
   * @throws {@link CalibrateError} when the task was made without the icSrc schema
   * @see lsst.pipe.tasks.calibrate.CalibrateTask.copyIcSourceFields
   */
  copyIcSourceFields(icSourceCat: SourceCatalog, sourceCat: SourceCatalog): void {
    if (!this.schema.contains('calib_detected')) {
      throw new CalibrateError('To copy icSource fields you must give the icSrc schema when constructing this task.');
    }
    const ic = centroidsOf(icSourceCat);
    const src = centroidsOf(sourceCat);
    const grid = new PointGrid(ic.x, ic.y, Math.max(1, this.config.matchRadiusPix));
    const r2max = this.config.matchRadiusPix ** 2;
    const detected = sourceCat.getColumn('calib_detected') as Uint8Array;
    const columns = this.icSourceFields.map((name) => [icSourceCat.getColumn(name), sourceCat.getColumn(name)] as const);
    // As LSST: deblended parents are not matched (their children are), and each icSrc source
    // goes to its closest source only.
    const nChild = sourceCat.schema.contains('deblend_nChild') ? (sourceCat.getColumn('deblend_nChild') as Int32Array) : undefined;
    const best = new Map<number, { i: number; d2: number }>();
    for (let i = 0; i < sourceCat.length; i++) {
      if (nChild !== undefined && nChild[i]! > 0) continue;
      const j = grid.nearest(src.x[i]!, src.y[i]!, r2max);
      if (j < 0) continue;
      const d2 = (src.x[i]! - ic.x[j]!) ** 2 + (src.y[i]! - ic.y[j]!) ** 2;
      const prev = best.get(j);
      if (prev === undefined || d2 <= prev.d2) best.set(j, { i, d2 });
    }
    let n = 0;
    for (const [j, { i }] of best) {
      detected[i] = 1;
      for (const [from, to] of columns) (to as unknown as number[])[i] = (from as unknown as number[])[j]!;
      n++;
    }
    this.log.info(`Matched ${n} of ${sourceCat.length} sources to ${icSourceCat.length} icSrc sources within ${this.config.matchRadiusPix} pixels`);
  }

  /**
   * Reads the inputs, builds the reference object loaders from the deferred reference catalog
   * handles (one shard per `htm7` data ID), runs, and writes `calexp`, `src`,
   * `calexpBackground` and (with astrometry) `srcMatch` / `srcMatchFull`.
   *
   * @param butlerQC - the quantum context
   * @param inputRefs - the input references
   * @param outputRefs - the output references
   * @see lsst.pipe.tasks.calibrate.CalibrateTask.runQuantum
   */
  override async runQuantum(butlerQC: QuantumContext, inputRefs: InputQuantizedConnection, outputRefs: OutputQuantizedConnection): Promise<void> {
    const inputs = (await butlerQC.get(inputRefs)) as Record<string, unknown>;
    const shardsOf = (name: string): RefCatShard[] => {
      const refs = (inputRefs[name] ?? []) as readonly QuantizedRef[];
      const handles = (inputs[name] ?? []) as readonly { get(): Promise<unknown> }[];
      delete inputs[name];
      return refs.map((ref, i) => {
        const dataId = ref instanceof DeferredDatasetRef ? ref.datasetRef.dataId : ref.dataId;
        return { htm7Id: Number(dataId.get('htm7')), load: async () => (await handles[i]!.get()) as SimpleCatalog };
      });
    };
    let astromLoader: ReferenceObjectLoader | undefined;
    let photoLoader: ReferenceObjectLoader | undefined;
    if (this.config.doAstrometry) astromLoader = new ReferenceObjectLoader(shardsOf('astromRefCat'), { config: this.config.astromRefObjLoader, log: this.log });
    if (this.config.doPhotoCal) photoLoader = new ReferenceObjectLoader(shardsOf('photoRefCat'), { config: this.config.photoRefObjLoader, log: this.log });
    this.setRefObjLoaders(astromLoader, photoLoader);
    const dataId = butlerQC.quantum.dataId;
    const exposureId = Number(dataId.get('visit')) * 1000 + Number(dataId.get('detector'));
    const res = (
      await this.run({
        exposure: inputs['exposure'] as Exposure,
        background: inputs['background'] as BackgroundList | undefined,
        icSourceCat: inputs['icSourceCat'] as SourceCatalog | undefined,
        exposureId,
      })
    ).getDict();
    const outputs: Record<string, unknown> = { outputExposure: res.outputExposure, outputCat: res.outputCat, outputBackground: res.outputBackground };
    const refs: Record<string, OutputQuantizedConnection[string]> = { ...outputRefs };
    if ('matches' in refs) {
      if (res.astromMatches !== undefined && res.astromMatches.length > 0) {
        outputs['matches'] = makeMatchCatalog(res.astromMatches, res.matchMeta);
        if ('matchesDenormalized' in refs) outputs['matchesDenormalized'] = denormalizeMatches(res.astromMatches, res.matchMeta) as BaseCatalog;
      } else {
        delete refs['matches'];
        delete refs['matchesDenormalized'];
      }
    }
    await butlerQC.put(outputs, refs);
  }
}

/** x/y of a catalog's centroid slot (NaN where unset). */
function centroidsOf(cat: SourceCatalog): { x: Float64Array; y: Float64Array } {
  const n = cat.length;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = cat.get(i);
    x[i] = r.getX();
    y[i] = r.getY();
  }
  return { x, y };
}

/** Whether any source has finite coordinates. */
function hasFiniteCoords(cat: SourceCatalog): boolean {
  const ra = cat.getColumn('coord_ra') as Float64Array;
  const dec = cat.getColumn('coord_dec') as Float64Array;
  for (let i = 0; i < cat.length; i++) if (Number.isFinite(ra[i]!) && Number.isFinite(dec[i]!)) return true;
  return false;
}

/** A uniform grid over points for nearest-neighbour queries within a radius of at most the cell size. */
class PointGrid {
  readonly #cells = new Map<number, number[]>();
  readonly #x: Float64Array;
  readonly #y: Float64Array;
  readonly #cell: number;

  constructor(x: Float64Array, y: Float64Array, cell: number) {
    this.#x = x;
    this.#y = y;
    this.#cell = cell;
    for (let i = 0; i < x.length; i++) {
      if (!Number.isFinite(x[i]!) || !Number.isFinite(y[i]!)) continue;
      const k = this.#key(Math.floor(x[i]! / cell), Math.floor(y[i]! / cell));
      let list = this.#cells.get(k);
      if (list === undefined) this.#cells.set(k, (list = []));
      list.push(i);
    }
  }

  #key(cx: number, cy: number): number {
    return (cx + 1048576) * 2097152 + (cy + 1048576);
  }

  /** The closest point within `sqrt(r2max)` of (x, y), or -1. */
  nearest(x: number, y: number, r2max: number): number {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return -1;
    const cx = Math.floor(x / this.#cell);
    const cy = Math.floor(y / this.#cell);
    let best = -1;
    let bestD2 = r2max;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        for (const j of this.#cells.get(this.#key(cx + dx, cy + dy)) ?? []) {
          const d2 = (this.#x[j]! - x) ** 2 + (this.#y[j]! - y) ** 2;
          if (d2 <= bestD2) {
            bestD2 = d2;
            best = j;
          }
        }
      }
    }
    return best;
  }
}

/**
 * Matches reference objects (with `centroid_x`/`centroid_y` through the exposure's WCS) to the
 * sources (not sky sources, not deblended parents) within a radius: for each reference object the closest source,
 * each source used once (the closest reference wins), as LSST's DirectMatchTask.
 */
function directMatch(refCat: SimpleCatalog, sourceCat: SourceCatalog, pixelScaleArcsec: number, radiusArcsec: number): ReferenceMatch[] {
  const radiusPix = radiusArcsec / pixelScaleArcsec;
  const src = centroidsOf(sourceCat);
  if (sourceCat.schema.contains('sky_source')) {
    const sky = sourceCat.getColumn('sky_source') as Uint8Array;
    for (let i = 0; i < sourceCat.length; i++) if (sky[i] === 1) src.x[i] = Number.NaN;
  }
  // a deblended parent stands for several objects: its children are matched instead
  if (sourceCat.schema.contains('deblend_nChild')) {
    const nChild = sourceCat.getColumn('deblend_nChild') as Int32Array;
    for (let i = 0; i < sourceCat.length; i++) if (nChild[i]! > 0) src.x[i] = Number.NaN;
  }
  const grid = new PointGrid(src.x, src.y, Math.max(radiusPix, 1e-3));
  const rx = refCat.getColumn('centroid_x') as Float64Array;
  const ry = refCat.getColumn('centroid_y') as Float64Array;
  const bestRef = new Map<number, { ref: number; d2: number }>();
  for (let i = 0; i < refCat.length; i++) {
    const j = grid.nearest(rx[i]!, ry[i]!, radiusPix * radiusPix);
    if (j < 0) continue;
    const d2 = (src.x[j]! - rx[i]!) ** 2 + (src.y[j]! - ry[i]!) ** 2;
    const prev = bestRef.get(j);
    if (prev === undefined || d2 < prev.d2) bestRef.set(j, { ref: i, d2 });
  }
  const out: ReferenceMatch[] = [];
  for (const [j, { ref, d2 }] of bestRef) {
    out.push({ first: refCat.get(ref) as SimpleRecord, second: sourceCat.get(j) as SourceRecord, distance: Angle.fromArcseconds(Math.sqrt(d2) * pixelScaleArcsec) });
  }
  return out;
}

/** A copy of a catalog's rows into a catalog of another schema with the same fields (by name). */
function copyToSchema(cat: SourceCatalog, schema: Schema): SourceCatalog {
  const out = new SourceCatalog(schema, { length: cat.length });
  for (const f of cat.schema.getFields()) if (schema.contains(f.name)) out.setColumn(f.name, cat.getColumn(f.name) as never);
  for (let i = 0; i < cat.length; i++) out.setFootprint(i, cat.getFootprint(i));
  return out;
}
