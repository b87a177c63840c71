// MeasureMergedCoaddSourcesTask: the merged detections deblended and measured on one band's
// coadd (lsst.pipe.tasks.multiBand.MeasureMergedCoaddSourcesTask, with the single-band SDSS
// deblender of deblendCoaddSourcesPipeline's DeblendCoaddSourcesSingleTask run first).
import type { Exposure } from '@skystack/afw-image';
import { SourceCatalog, type Schema } from '@skystack/afw-table';
import { ApplyApCorrTask } from '@skystack/meas-algorithms';
import { SingleFrameMeasurementTask, type SingleFrameMeasurementConfig } from '@skystack/meas-base';
import { SourceDeblendTask, type SourceDeblendConfig } from '@skystack/meas-deblender';
import { ChoiceField, ConfigField, ConfigurableField, Field } from '@skystack/pex-config';
import { InitInput, InitOutput, Input, Output, PipelineTask, PipelineTaskConfig, Struct, defineConnections, timeMethod } from '@skystack/pipe-base';
import type { ConnectionNames, ConnectionsConfig, InputQuantizedConnection, OutputQuantizedConnection, PipelineTaskOptions, QuantumContext } from '@skystack/pipe-base';
import type { BaseSkyMap } from '@skystack/skymap';
import { makeSkyInfo, type SkyInfo } from '../coadd/coadd-utils.js';
import { PipeTasksInvalidArgumentError } from '../errors.js';
import { CatalogCalculationClassificationConfig, CatalogCalculationClassificationPlugin } from './classification-extendedness.js';
import { coaddExposureId } from './coadd-ids.js';
import { SetPrimaryFlagsTask, type SetPrimaryFlagsConfig } from './set-primary-flags-task.js';

const PATCH_BAND = ['tract', 'patch', 'band', 'skymap'] as const;

/**
 * The connections of {@link MeasureMergedCoaddSourcesTask}, per `(tract, patch, band, skymap)`:
 * `deepCoadd_calexp`, the `skyMap` and the input catalog (`deepCoadd_{deblendedCatalog}`:
 * `deepCoadd_mergeDet` by default, deblended here; `deepCoadd_deblendedFlux` when deblended
 * before) in; `deepCoadd_meas` out; the schemas `deepCoadd_{deblendedCatalog}_schema` in and
 * `deepCoadd_meas_schema` out.
 *
 * @see lsst.pipe.tasks.multiBand.MeasureMergedCoaddSourcesConnections
 */
export class MeasureMergedCoaddSourcesConnections extends defineConnections({
  dimensions: PATCH_BAND,
  defaultTemplates: { inputCoaddName: 'deep', outputCoaddName: 'deep', deblendedCatalog: 'mergeDet' },
  connections: {
    /** The schema of the input catalog. */
    inputSchema: new InitInput({
      doc: 'Input schema for measure merged task produced by a deblender or detection task',
      name: '{inputCoaddName}Coadd_{deblendedCatalog}_schema',
      storageClass: 'SourceCatalog',
    }),
    /** The schema of `deepCoadd_meas`. */
    outputSchema: new InitOutput({ doc: 'Output schema after all new fields are added by task', name: '{inputCoaddName}Coadd_meas_schema', storageClass: 'SourceCatalog' }),
    /** The background-subtracted coadd. */
    exposure: new Input({ doc: 'Input coadd image', name: '{inputCoaddName}Coadd_calexp', storageClass: 'ExposureF', dimensions: PATCH_BAND }),
    /** The sky map. */
    skyMap: new Input({ doc: 'SkyMap to use in processing', name: 'skyMap', storageClass: 'SkyMap', dimensions: ['skymap'] }),
    /** The sources to measure. */
    inputCatalog: new Input({
      doc: "Name of the input catalog to use. If the single band deblender was used this should be 'deblendedFlux. If no deblending was performed this should be 'mergeDet'",
      name: '{inputCoaddName}Coadd_{deblendedCatalog}',
      storageClass: 'SourceCatalog',
      dimensions: ['tract', 'patch', 'skymap'],
    }),
    /** The measurements. */
    outputSources: new Output({
      doc: 'Source catalog containing all the measurement information generated in this task',
      name: '{outputCoaddName}Coadd_meas',
      storageClass: 'SourceCatalog',
      dimensions: PATCH_BAND,
    }),
  },
}) {}

/**
 * The config of {@link MeasureMergedCoaddSourcesTask}: LSST's fields and defaults (the
 * measurement plugins are the single-frame defaults plus `base_LocalPhotoCalib` and
 * `base_LocalWcs`; `base_PixelFlags` also looks for `CLIPPED`, `SENSOR_EDGE`, `INEXACT_PSF`), and
 * the single-band deblender (`doDeblend`, `deblend` with `propagateAllPeaks`, LSST's
 * `DeblendCoaddSourcesConfig.singleBandDeblend`). `catalogCalculation` configures
 * `base_ClassificationExtendedness` with the coadd `fluxRatio` 0.985 of LSST's camera configs.
 *
 * @see lsst.pipe.tasks.multiBand.MeasureMergedCoaddSourcesConfig
 */
export class MeasureMergedCoaddSourcesConfig extends PipelineTaskConfig.withConnections(MeasureMergedCoaddSourcesConnections) {
  /** The dataset type names of the connections. */
  declare readonly connections: ConnectionsConfig<ConnectionNames<typeof MeasureMergedCoaddSourcesConnections>>;
  /** Which catalog is read (and whether this task deblends it). */
  inputCatalog = ChoiceField({
    doc: 'The name of the input catalog.',
    dtype: 'str',
    default: 'mergeDet',
    allowed: { deblendedFlux: 'Output catalog from SourceDeblendTask', mergeDet: 'The merged detections before deblending.' },
  });
  /** Deblend the merged detections here (SkyStack: LSST runs DeblendCoaddSourcesSingleTask before). */
  doDeblend = Field.bool({ doc: "Deblend the input catalog with 'deblend' (only for inputCatalog='mergeDet')", default: true });
  /** The single-band deblender. */
  deblend = ConfigurableField({ doc: 'Deblend sources separately in each band', target: SourceDeblendTask }) as unknown as SourceDeblendConfig;
  /** Measurement. */
  measurement = ConfigurableField({ doc: 'Source measurement', target: SingleFrameMeasurementTask }) as unknown as SingleFrameMeasurementConfig;
  /** The primary flags. */
  setPrimaryFlags = SetPrimaryFlagsTask.makeField('Set flags for primary tract/patch') as unknown as SetPrimaryFlagsConfig;
  /** Apply aperture corrections (skipped with a warning when the coadd has none). */
  doApCorr = Field.bool({ doc: 'Apply aperture corrections', default: true });
  /** Aperture correction application. */
  applyApCorr = ConfigurableField({ doc: 'Subtask to apply aperture corrections', target: ApplyApCorrTask });
  /** Run the catalog calculation (base_ClassificationExtendedness). */
  doRunCatalogCalculation = Field.bool({ doc: 'Run catalogCalculation task', default: true });
  /** base_ClassificationExtendedness. */
  catalogCalculation = ConfigField({ doc: "The catalog calculation plugin 'base_ClassificationExtendedness'", dtype: CatalogCalculationClassificationConfig });
  /** Coadd name. */
  coaddName = Field.str({ doc: 'Name of coadd', default: 'deep' });
  /** Fake sources were inserted into the inputs. */
  hasFakes = Field.bool({ doc: 'Should be set to True if fake sources have been inserted into the input data.', default: false });

  /** LSST's setDefaults (and its deblender's and camera configs' coadd settings). */
  override setDefaults(): void {
    super.setDefaults();
    this.measurement.plugins.names = [...this.measurement.plugins.names, 'base_LocalPhotoCalib', 'base_LocalWcs'];
    const pf = this.measurement.plugins.get('base_PixelFlags') as unknown as { masksFpAnywhere: string[]; masksFpCenter: string[] };
    pf.masksFpAnywhere = ['CLIPPED', 'SENSOR_EDGE', 'INEXACT_PSF'];
    pf.masksFpCenter = ['CLIPPED', 'SENSOR_EDGE', 'INEXACT_PSF'];
    this.deblend.propagateAllPeaks = true;
    // A coadd's PSF is defined only where an input covers: a blend whose centroid falls in a gap
    // between detectors is flagged deblend_failed and measured undeblended, rather than failing
    // the patch (LSST's coadd deblender, scarlet, also isolates failures per blend).
    this.deblend.catchFailures = true;
    this.catalogCalculation.fluxRatio = 0.985;
  }
}

/** The inputs of {@link MeasureMergedCoaddSourcesTask.run}. */
export interface MeasureMergedCoaddSourcesInputs extends Readonly<Record<string, unknown>> {
  /** The background-subtracted coadd (`deepCoadd_calexp`). */
  readonly exposure: Exposure;
  /** The merged detections (`deepCoadd_mergeDet`) or deblended sources. */
  readonly sources: SourceCatalog;
  /** The patch (with skyMap, tractInfo and patchInfo, as {@link makeSkyInfo} makes it). */
  readonly skyInfo: SkyInfo;
  /** Seeds the noise replacement (default 0). */
  readonly exposureId?: number | undefined;
}

/** What {@link MeasureMergedCoaddSourcesTask.run} returns. */
export interface MeasureMergedCoaddSourcesResult {
  /** The measured sources (`deepCoadd_meas`). */
  readonly outputSources: SourceCatalog;
}

/**
 * Deblends and measures the merged detections on one band's coadd: copies the input catalog
 * into the output schema (plus `merge_peak_<band>` fields, set from each source's peak), deblends it (`SourceDeblendTask` of `@skystack/meas-deblender`, each
 * peak a child, `propagateAllPeaks`), measures every source (`SingleFrameMeasurementTask`),
 * applies aperture corrections when the coadd has them, sets the primary flags
 * ({@link SetPrimaryFlagsTask}) and classifies (`base_ClassificationExtendedness`,
 * {@link CatalogCalculationClassificationPlugin}).
 *
 * @example
 * ```ts
 * const task = new MeasureMergedCoaddSourcesTask({ schema: mergeTask.schema });
 * const { outputSources } = task.run({ exposure: calexp, sources: mergeDet, skyInfo }).getDict();
 * ```
 * @see lsst.pipe.tasks.multiBand.MeasureMergedCoaddSourcesTask
 */
export class MeasureMergedCoaddSourcesTask extends PipelineTask<MeasureMergedCoaddSourcesConfig> {
  /** {@link MeasureMergedCoaddSourcesConfig}. */
  static override ConfigClass = MeasureMergedCoaddSourcesConfig;
  /** `measureCoaddSources`. */
  static override _DefaultName: string | undefined = 'measureCoaddSources';
  /** The schema of `deepCoadd_meas`. */
  readonly schema: Schema;
  /** The deblender (with doDeblend and inputCatalog 'mergeDet'). */
  readonly deblend: SourceDeblendTask | undefined;
  /** The measurement subtask. */
  readonly measurement: SingleFrameMeasurementTask;
  /** The primary flags subtask. */
  readonly setPrimaryFlags: SetPrimaryFlagsTask;
  /** The aperture correction subtask (with doApCorr). */
  readonly applyApCorr: ApplyApCorrTask | undefined;
  /** base_ClassificationExtendedness (with doRunCatalogCalculation). */
  readonly classification: CatalogCalculationClassificationPlugin | undefined;
  /** The output schema as an empty catalog (init-output). */
  readonly outputSchema: SourceCatalog;
  readonly #peakFlags: readonly string[];

  /**
   * Makes the task: the output schema (the input schema plus the deblender's, the plugins', the
   * primary and the classification fields) and the subtasks.
   *
   * @param options - config, and the input schema (`schema` or `initInputs.inputSchema`, a catalog)
   * @throws {@link PipeTasksInvalidArgumentError} without an input schema
   */
  constructor(options: PipelineTaskOptions<MeasureMergedCoaddSourcesConfig> & { readonly schema?: Schema } = {}) {
    super(options);
    const fromInit = options.initInputs?.['inputSchema'] as { schema?: Schema } | undefined;
    const input = options.schema ?? fromInit?.schema;
    if (input === undefined) {
      throw new PipeTasksInvalidArgumentError('MeasureMergedCoaddSourcesTask needs the schema of its input catalog ({ schema } or initInputs.inputSchema).', {
        hint: 'Pass the schema of MergeDetectionsTask (task.schema).',
      });
    }
    const schema = input.clone();
    // The peaks' merge_peak_<band> flags become source fields (as LSST's deblender's peak mapping).
    const peakFlags: string[] = [];
    for (const name of input.getNames()) {
      if (!name.startsWith('merge_footprint_')) continue;
      const flag = `merge_peak_${name.slice('merge_footprint_'.length)}`;
      if (!schema.contains(flag)) schema.addField({ name: flag, type: 'Flag', doc: `Peak detected in filter ${flag.slice('merge_peak_'.length)}` });
      peakFlags.push(flag);
    }
    this.#peakFlags = peakFlags;
    this.schema = schema;
    if (this.config.doDeblend && this.config.inputCatalog === 'mergeDet') this.deblend = this.makeSubtask<SourceDeblendTask>('deblend', { schema });
    this.measurement = this.makeSubtask<SingleFrameMeasurementTask>('measurement', { schema });
    this.setPrimaryFlags = this.makeSubtask<SetPrimaryFlagsTask>('setPrimaryFlags', { schema });
    if (this.config.doApCorr) this.applyApCorr = this.makeSubtask<ApplyApCorrTask>('applyApCorr', { schema });
    if (this.config.doRunCatalogCalculation) this.classification = new CatalogCalculationClassificationPlugin(this.config.catalogCalculation, schema);
    this.outputSchema = new SourceCatalog(schema);
  }

  /**
   * Deblends, measures, flags and classifies (see the class description).
   *
   * @param inputs - the coadd, the sources, the patch, the id
   * @returns the measured catalog
   * @throws {@link PipeTasksInvalidArgumentError} when `skyInfo` lacks the sky map, tract or patch
   * @see lsst.pipe.tasks.multiBand.MeasureMergedCoaddSourcesTask.run
   */
  override run(inputs: MeasureMergedCoaddSourcesInputs): Struct<MeasureMergedCoaddSourcesResult> {
    return timeMethod(this, 'run', () => {
      const { exposure, skyInfo } = inputs;
      const { skyMap, tractInfo, patchInfo } = skyInfo;
      if (skyMap === undefined || tractInfo === undefined || patchInfo === undefined) {
        throw new PipeTasksInvalidArgumentError('MeasureMergedCoaddSourcesTask needs skyInfo with skyMap, tractInfo and patchInfo (from makeSkyInfo) for the primary flags.');
      }
      const exposureId = inputs.exposureId ?? 0;
      const sources = copyToSchema(inputs.sources, this.schema);
      if (this.deblend !== undefined) this.deblend.run({ exposure, sources });
      this.#copyPeakFlags(sources);
      this.measurement.run(sources, exposure, exposureId);
      if (this.applyApCorr !== undefined) {
        const apCorrMap = exposure.getApCorrMap();
        if (apCorrMap === null) this.log.warn('The coadd has no aperture correction map; skipping aperture correction');
        else this.applyApCorr.run(sources, apCorrMap);
      }
      this.setPrimaryFlags.run(sources, { skyMap, tractInfo, patchInfo });
      this.classification?.calculate(sources);
      this.log.info(`Measured ${sources.length} sources`);
      return new Struct<MeasureMergedCoaddSourcesResult>({ outputSources: sources });
    });
  }

  /** Sets each source's merge_peak_<band> fields from the first peak of its footprint. */
  #copyPeakFlags(sources: SourceCatalog): void {
    if (this.#peakFlags.length === 0) return;
    const columns = this.#peakFlags.map((f) => [f, sources.getColumn(f) as Uint8Array] as const);
    for (let i = 0; i < sources.length; i++) {
      const fp = sources.getFootprint(i);
      if (fp === null || fp.getPeaks().length === 0) continue;
      const peak = fp.getPeaks().get(0);
      for (const [f, col] of columns) if (peak.schema.contains(f)) col[i] = peak.get(f) === true ? 1 : 0;
    }
  }

  /**
   * Reads the coadd, the input catalog and the sky map, runs, writes `deepCoadd_meas`.
   *
   * @param butlerQC - the quantum context
   * @param inputRefs - the input references
   * @param outputRefs - the output references
   */
  override async runQuantum(butlerQC: QuantumContext, inputRefs: InputQuantizedConnection, outputRefs: OutputQuantizedConnection): Promise<void> {
    const inputs = (await butlerQC.get(inputRefs)) as { exposure: Exposure; inputCatalog: SourceCatalog; skyMap: BaseSkyMap };
    const dataId = butlerQC.quantum.dataId;
    const skyInfo = makeSkyInfo(inputs.skyMap, Number(dataId.get('tract')), Number(dataId.get('patch')));
    const res = this.run({ exposure: inputs.exposure, sources: inputs.inputCatalog, skyInfo, exposureId: coaddExposureId(dataId) });
    await butlerQC.put(res, outputRefs);
  }
}

/** A copy of a catalog's rows (fields by name, footprints) in a catalog of another schema. */
function copyToSchema(cat: SourceCatalog, schema: Schema): SourceCatalog {
  const out = new SourceCatalog(schema, { length: cat.length });
  for (const f of cat.schema.getFields()) if (schema.contains(f.name)) out.setColumn(f.name, cat.getColumn(f.name) as never);
  for (let i = 0; i < cat.length; i++) out.setFootprint(i, cat.getFootprint(i));
  return out;
}
