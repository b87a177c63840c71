// CharacterizeImageTask: background, PSF and aperture corrections of a post-ISR exposure from
// its bright sources (lsst.pipe.tasks.characterizeImage.CharacterizeImageTask).
import type { Exposure, PixelArray } from '@skystack/afw-image';
import { SourceCatalog, type Schema } from '@skystack/afw-table';
import {
  ApplyApCorrTask,
  BackgroundList,
  InstallGaussianPsfTask,
  MeasureApCorrTask,
  MeasurePsfTask,
  RepairTask,
  SourceDetectionTask,
  SubtractBackgroundTask,
  type MeasurePsfResult,
  type ScienceSourceSelectorConfig,
  type SourceDetectionConfig,
} from '@skystack/meas-algorithms';
import { SingleFrameMeasurementTask, type SingleFrameMeasurementConfig } from '@skystack/meas-base';
import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import { ConfigurableField, Field, RangeField } from '@skystack/pex-config';
import { InitOutput, Input, Output, PipelineTask, PipelineTaskConfig, Struct, defineConnections, timeMethod } from '@skystack/pipe-base';
import type { ConnectionNames, ConnectionsConfig, InputQuantizedConnection, OutputQuantizedConnection, PipelineTaskOptions, QuantumContext } from '@skystack/pipe-base';
import { CharacterizeImageError } from './errors.js';

const VISIT_DETECTOR = ['instrument', 'visit', 'detector'] as const;

/**
 * The connections of {@link CharacterizeImageTask}: `exposure` (`postISRCCD`, per
 * `(instrument, exposure, detector)`) in; `characterized` (`icExp`), `backgroundModel`
 * (`icExpBackground`) and `sourceCat` (`icSrc`) out per `(instrument, visit, detector)`, and
 * the init-output `outputSchema` (`icSrc_schema`).
 *
 * @see lsst.pipe.tasks.characterizeImage.CharacterizeImageConnections
 */
export class CharacterizeImageConnections extends defineConnections({
  dimensions: VISIT_DETECTOR,
  defaultTemplates: {},
  connections: {
    /** The post-ISR exposure. */
    exposure: new Input({ doc: 'Input exposure data', name: 'postISRCCD', storageClass: 'Exposure', dimensions: ['instrument', 'exposure', 'detector'] }),
    /** The characterized exposure. */
    characterized: new Output({ doc: 'Output characterized data.', name: 'icExp', storageClass: 'ExposureF', dimensions: VISIT_DETECTOR }),
    /** The bright sources. */
    sourceCat: new Output({ doc: 'Output source catalog.', name: 'icSrc', storageClass: 'SourceCatalog', dimensions: VISIT_DETECTOR }),
    /** The subtracted background. */
    backgroundModel: new Output({ doc: 'Output background model.', name: 'icExpBackground', storageClass: 'Background', dimensions: VISIT_DETECTOR }),
    /** The schema of icSrc. */
    outputSchema: new InitOutput({ doc: 'Schema of the catalog produced by CharacterizeImage', name: 'icSrc_schema', storageClass: 'SourceCatalog' }),
  },
}) {}

/**
 * The config of {@link CharacterizeImageTask}, with LSST's fields and defaults (its
 * `setDefaults`: detection to 5σ with `includeThresholdMultiplier` 10 and no temporary local
 * background; the measurement plugins that PSF determination needs).
 *
 * @see lsst.pipe.tasks.characterizeImage.CharacterizeImageConfig
 */
export class CharacterizeImageConfig extends PipelineTaskConfig.withConnections(CharacterizeImageConnections) {
  /** The dataset type names of the connections. */
  declare readonly connections: ConnectionsConfig<ConnectionNames<typeof CharacterizeImageConnections>>;
  /** Measure the PSF (else keep the exposure's PSF, or install the simple one). */
  doMeasurePsf = Field.bool({
    doc: 'Measure PSF? If False then for all subsequent operations use either existing PSF model when present, or install simple PSF model when not (see installSimplePsf config options)',
    default: true,
  });
  /** Persist results. */
  doWrite = Field.bool({ doc: 'Persist results?', default: true });
  /** Write icExp and icExpBackground too. */
  doWriteExposure = Field.bool({ doc: 'Write icExp and icExpBackground in addition to icSrc? Ignored if doWrite False.', default: true });
  /** Iterations of detect, measure, estimate PSF. */
  psfIterations = RangeField({
    doc: 'Number of iterations of detect sources, measure sources, estimate PSF. If useSimplePsf is True then 2 should be plenty; otherwise more may be wanted.',
    dtype: 'int',
    default: 2,
    min: 1,
  });
  /** Initial background estimation. */
  background = ConfigurableField({ doc: 'Configuration for initial background estimation', target: SubtractBackgroundTask });
  /** Detection. */
  detection = ConfigurableField({ doc: 'Detect sources', target: SourceDetectionTask }) as unknown as SourceDetectionConfig;
  /** Measurement. */
  measurement = ConfigurableField({ doc: 'Measure sources', target: SingleFrameMeasurementTask }) as unknown as SingleFrameMeasurementConfig;
  /** Measure and apply aperture corrections. */
  doApCorr = Field.bool({ doc: 'Run subtasks to measure and apply aperture corrections', default: true });
  /** Aperture correction measurement. */
  measureApCorr = ConfigurableField({ doc: 'Subtask to measure aperture corrections', target: MeasureApCorrTask });
  /** Aperture correction application. */
  applyApCorr = ConfigurableField({ doc: 'Subtask to apply aperture corrections', target: ApplyApCorrTask });
  /** Start each PSF iteration from a Gaussian of the current PSF's sigma. */
  useSimplePsf = Field.bool({
    doc: 'Replace the existing PSF model with a simplified version that has the same sigma at the start of each PSF determination iteration? Doing so makes PSF determination converge more robustly and quickly.',
    default: true,
  });
  /** The simple PSF. */
  installSimplePsf = ConfigurableField({ doc: 'Install a simple PSF model', target: InstallGaussianPsfTask });
  /** PSF measurement. */
  measurePsf = ConfigurableField({ doc: 'Measure PSF', target: MeasurePsfTask });
  /** Cosmic ray repair. */
  repair = ConfigurableField({ doc: 'Remove cosmic rays', target: RepairTask });
  /** Fail when cosmic ray detection fails before PSF measurement (else skip it with a warning). */
  requireCrForPsf = Field.bool({ doc: 'Require cosmic ray detection and masking to run successfully before measuring the PSF.', default: true });

  /** LSST's setDefaults: bright-star detection and the PSF measurement plugins. */
  override setDefaults(): void {
    super.setDefaults();
    this.detection.thresholdValue = 5.0;
    this.detection.includeThresholdMultiplier = 10.0;
    this.detection.doTempLocalBackground = false;
    this.doApCorr = true;
    this.measurement.plugins.names = ['base_PixelFlags', 'base_SdssCentroid', 'base_SdssShape', 'base_GaussianFlux', 'base_PsfFlux', 'base_CircularApertureFlux'];
    // Aperture corrections from the PSF stars with PSF-flux S/N >= 200, as obs_subaru and
    // obs_decam configure them (LSST's MeasureApCorrTask default cuts on extendedness, which no
    // catalog calculation has computed at this point).
    const selector = this.measureApCorr.sourceSelector.get('science') as ScienceSourceSelectorConfig;
    selector.doUnresolved = false;
    selector.flags.good = ['calib_psf_used'];
    selector.flags.bad = [];
  }

  /**
   * Checks the fields: aperture corrections need the PSF measurement (its flags pick the stars).
   *
   * @throws {@link CharacterizeImageError} when `doApCorr` is set without `doMeasurePsf`
   */
  override validate(): void {
    super.validate();
    if (this.doApCorr && !this.doMeasurePsf) {
      throw new CharacterizeImageError(
        'Must measure PSF to measure aperture correction, because flags determined by PSF measurement are used to identify sources used to measure aperture correction.',
        { hint: 'Set doMeasurePsf = true, or doApCorr = false.' },
      );
    }
  }
}

/** The inputs of {@link CharacterizeImageTask.run}. */
export interface CharacterizeImageInputs extends Readonly<Record<string, unknown>> {
  /** The post-ISR exposure: modified in place (background, PSF, mask, aperture corrections). */
  readonly exposure: Exposure;
  /** A background already subtracted from it (rare; the new ones are appended). */
  readonly background?: BackgroundList | undefined;
  /** The exposure id: seeds the noise replacer and the PSF star reservation (default 0). */
  readonly exposureId?: number | undefined;
}

/** What {@link CharacterizeImageTask.run} returns. */
export interface CharacterizeImageResult {
  /** The characterized exposure (the input, modified). */
  readonly characterized: Exposure;
  /** The bright sources of the last iteration, measured with the final PSF. */
  readonly sourceCat: SourceCatalog;
  /** Every background subtracted. */
  readonly backgroundModel: BackgroundList;
  /** The PSF candidates of the last PSF determination (LSST's `psfCellSet`), when the PSF was measured. */
  readonly psfCellSet: MeasurePsfResult['candidates'] | undefined;
  /** The same as `characterized` (LSST's `exposure`). */
  readonly exposure: Exposure;
  /** The same as `backgroundModel` (LSST's `background`). */
  readonly background: BackgroundList;
}

/** What {@link CharacterizeImageTask.detectMeasureAndEstimatePsf} returns. */
export interface DetectMeasureAndEstimatePsfResult {
  /** The detected and measured sources. */
  readonly sourceCat: SourceCatalog;
  /** The PSF candidates (undefined without doMeasurePsf). */
  readonly psfCellSet: MeasurePsfResult['candidates'] | undefined;
}

/** Options of the {@link CharacterizeImageTask} constructor. */
export interface CharacterizeImageTaskOptions extends PipelineTaskOptions<CharacterizeImageConfig> {
  /** The initial schema (default a minimal SourceCatalog schema). */
  readonly schema?: Schema | undefined;
}

/**
 * Characterizes a post-ISR exposure from its bright sources, as LSST's CharacterizeImageTask:
 * subtracts an initial background, then `psfIterations` times installs a Gaussian PSF of the
 * current sigma (`useSimplePsf`), detects cosmic rays (kept in the image), detects bright sources
 * (re-estimating the background), measures them and determines the PSF; then interpolates over
 * the cosmic rays with the final PSF, measures again, and measures and applies the aperture
 * corrections. The exposure is modified in place: background subtracted, PSF and aperture
 * correction map set, DETECTED / CR planes set.
 *
 * @example
 * ```ts
 * const task = new CharacterizeImageTask();
 * const res = task.run({ exposure: postIsr }).getDict();
 * res.characterized.getPsf()!.computeShape(); // the measured PSF
 * res.sourceCat;                              // icSrc, with calib_psf_used
 * ```
 * @see lsst.pipe.tasks.characterizeImage.CharacterizeImageTask
 */
export class CharacterizeImageTask extends PipelineTask<CharacterizeImageConfig> {
  /** {@link CharacterizeImageConfig}. */
  static override ConfigClass = CharacterizeImageConfig;
  /** `characterizeImage`. */
  static override _DefaultName: string | undefined = 'characterizeImage';
  /** The schema of icSrc. */
  readonly schema: Schema;
  /** Initial background subtraction. */
  readonly background: SubtractBackgroundTask;
  /** The simple PSF. */
  readonly installSimplePsf: InstallGaussianPsfTask;
  /** Cosmic ray repair. */
  readonly repair: RepairTask;
  /** PSF measurement. */
  readonly measurePsf: MeasurePsfTask;
  /** Detection. */
  readonly detection: SourceDetectionTask;
  /** Measurement. */
  readonly measurement: SingleFrameMeasurementTask;
  /** Aperture correction measurement (with doApCorr). */
  readonly measureApCorr: MeasureApCorrTask | undefined;
  /** Aperture correction application (with doApCorr). */
  readonly applyApCorr: ApplyApCorrTask | undefined;
  /** The icSrc schema as an empty catalog (the `outputSchema` init-output). */
  readonly outputSchema: SourceCatalog;

  /**
   * Makes the task, its subtasks and the icSrc schema.
   *
   * @param options - config, name, log, the initial schema
   */
  constructor(options: CharacterizeImageTaskOptions = {}) {
    super(options);
    const schema = options.schema ?? SourceCatalog.makeMinimalSchema();
    this.schema = schema;
    this.background = this.makeSubtask<SubtractBackgroundTask>('background');
    this.installSimplePsf = this.makeSubtask<InstallGaussianPsfTask>('installSimplePsf');
    this.repair = this.makeSubtask<RepairTask>('repair');
    this.measurePsf = this.makeSubtask<MeasurePsfTask>('measurePsf', { schema });
    this.detection = this.makeSubtask<SourceDetectionTask>('detection', { schema });
    this.measurement = this.makeSubtask<SingleFrameMeasurementTask>('measurement', { schema });
    if (this.config.doApCorr) {
      this.measureApCorr = this.makeSubtask<MeasureApCorrTask>('measureApCorr', { schema });
      this.applyApCorr = this.makeSubtask<ApplyApCorrTask>('applyApCorr', { schema });
    }
    this.outputSchema = new SourceCatalog(schema);
  }

  /**
   * Characterizes the exposure (see the class description).
   *
   * @param inputs - the exposure, a background already subtracted, the exposure id
   * @returns `characterized` (the exposure), `sourceCat` (icSrc), `backgroundModel`, `psfCellSet`
   * @throws {@link CharacterizeImageError} when no PSF can be determined
   * @see lsst.pipe.tasks.characterizeImage.CharacterizeImageTask.run
   */
  override run(inputs: CharacterizeImageInputs): Struct<CharacterizeImageResult> {
    return timeMethod(this, 'run', () => this.#run(inputs));
  }

  #run(inputs: CharacterizeImageInputs): Struct<CharacterizeImageResult> {
    const { exposure } = inputs;
    const exposureId = inputs.exposureId ?? 0;
    if (!this.config.doMeasurePsf && !exposure.hasPsf()) {
      this.log.warn('Source catalog detected and measured with placeholder or default PSF');
      this.installSimplePsf.run(exposure);
    }
    const background = inputs.background ?? new BackgroundList();
    this.background.run(exposure, background);

    const psfIterations = this.config.doMeasurePsf ? this.config.psfIterations : 1;
    let dme: DetectMeasureAndEstimatePsfResult | undefined;
    for (let i = 0; i < psfIterations; i++) {
      dme = this.detectMeasureAndEstimatePsf(exposure, background, exposureId);
      const psf = exposure.getPsf()!;
      const box = psf.computeBBox();
      this.log.info(
        `iter ${i + 1}; PSF sigma=${psf.computeShape().getDeterminantRadius().toFixed(2)}, dimensions=(${box.getWidth()}, ${box.getHeight()}); median background=${backgroundMedian(background).toFixed(2)}`,
      );
    }
    const { sourceCat, psfCellSet } = dme!;

    // Final repair (interpolating over the cosmic rays) and measurement with the final PSF.
    this.repair.run(exposure);
    this.measurement.run(sourceCat, exposure, exposureId);
    if (this.measureApCorr !== undefined && this.applyApCorr !== undefined) {
      const { apCorrMap } = this.measureApCorr.run(exposure, sourceCat);
      exposure.getInfo().setApCorrMap(apCorrMap);
      this.applyApCorr.run(sourceCat, apCorrMap);
    }
    return new Struct<CharacterizeImageResult>({ characterized: exposure, sourceCat, backgroundModel: background, psfCellSet, exposure, background });
  }

  /**
   * One iteration: installs the simple PSF (when there is none, or with doMeasurePsf and
   * useSimplePsf), detects cosmic rays keeping them in the image, detects and measures sources
   * (the re-estimated background appended to `background`), and measures the PSF.
   *
   * @param exposure - the exposure (modified)
   * @param background - the backgrounds so far (appended to)
   * @param exposureId - the exposure id
   * @returns the sources and the PSF candidates
   * @throws {@link CharacterizeImageError} when the PSF cannot be determined
   * @see lsst.pipe.tasks.characterizeImage.CharacterizeImageTask.detectMeasureAndEstimatePsf
   */
  detectMeasureAndEstimatePsf(exposure: Exposure, background: BackgroundList, exposureId = 0): DetectMeasureAndEstimatePsfResult {
    return this.timer('detectMeasureAndEstimatePsf', () => {
      if (!exposure.hasPsf() || (this.config.doMeasurePsf && this.config.useSimplePsf)) {
        this.log.info('Source catalog detected and measured with placeholder or default PSF');
        this.installSimplePsf.run(exposure as Exposure<PixelArray>);
      }
      try {
        this.repair.run(exposure, { keepCRs: true });
      } catch (error) {
        if (this.config.requireCrForPsf) throw error;
        this.log.warn(`Skipping cosmic ray detection: ${(error as Error).message}`);
      }
      const detRes = this.detection.run(this.schema, exposure, { doSmooth: true, background: new BackgroundList() }).getDict();
      for (const bg of detRes.background) background.append(bg.background);
      const sourceCat = detRes.sources;
      this.measurement.run(sourceCat, exposure, exposureId);
      let psfCellSet: MeasurePsfResult['candidates'] | undefined;
      if (this.config.doMeasurePsf) {
        try {
          psfCellSet = this.measurePsf.run(exposure, sourceCat, exposureId).candidates;
        } catch (error) {
          throw new CharacterizeImageError(`PSF determination failed on ${sourceCat.length} detected sources: ${(error as Error).message}`, {
            cause: error,
            hint: 'Check the detection threshold (config.detection.thresholdValue × includeThresholdMultiplier) and the star selector config.',
          });
        }
      }
      return { sourceCat, psfCellSet };
    });
  }

  /**
   * Reads `postISRCCD`, characterizes it (the exposure id from the visit and detector), writes
   * `icExp`, `icExpBackground` and `icSrc`.
   *
   * @param butlerQC - the quantum context
   * @param inputRefs - the input references
   * @param outputRefs - the output references
   */
  override async runQuantum(butlerQC: QuantumContext, inputRefs: InputQuantizedConnection, outputRefs: OutputQuantizedConnection): Promise<void> {
    const inputs = (await butlerQC.get(inputRefs)) as { exposure: Exposure };
    const dataId = butlerQC.quantum.dataId;
    const exposureId = Number(dataId.get('visit')) * 1000 + Number(dataId.get('detector'));
    const res = this.run({ exposure: inputs.exposure, exposureId }).getDict();
    await butlerQC.put(new Struct({ characterized: res.characterized, sourceCat: res.sourceCat, backgroundModel: res.backgroundModel }), outputRefs);
  }
}

/**
 * The median of the summed background models over every 16th row (the log line's figure: the
 * whole image would be a full evaluation of every model per iteration, ~0.3 s on 4096²).
 */
function backgroundMedian(background: BackgroundList): number {
  const entries = [...background];
  if (entries.length === 0) return Number.NaN;
  const { x0, y0, width, height } = entries[0]!.background.bbox;
  const step = Math.max(1, Math.floor(height / 256));
  const rows = Math.ceil(height / step);
  const values = new Float64Array(rows * width);
  for (let r = 0; r < rows; r++) {
    const box = Box2I.fromCorner(new Point2I(x0, y0 + r * step), new Extent2I(width, 1));
    for (const e of entries) {
      const row = e.background.getImage(box);
      for (let x = 0; x < width; x++) values[r * width + x]! += row[x]!;
    }
  }
  return median(values);
}

/** The median of an array (of at most 65536 evenly spaced samples of it). */
function median(values: ArrayLike<number>): number {
  const step = Math.max(1, Math.floor(values.length / 65536));
  const v = new Float64Array(Math.ceil(values.length / step));
  for (let i = 0, k = 0; i < values.length; i += step) v[k++] = values[i]!;
  v.sort();
  if (v.length === 0) return Number.NaN;
  const m = v.length >> 1;
  return v.length % 2 === 1 ? v[m]! : 0.5 * (v[m - 1]! + v[m]!);
}
