// DetectCoaddSourcesTask: variance scaling, detection and a constant background tweak on one
// band's coadd of a patch (lsst.pipe.tasks.multiBand.DetectCoaddSourcesTask).
import type { Exposure } from '@skystack/afw-image';
import { SourceCatalog, type Schema } from '@skystack/afw-table';
import { BackgroundModel } from '@skystack/kernels';
import { BackgroundList, SkyObjectsTask, SourceDetectionTask, type SourceDetectionConfig } from '@skystack/meas-algorithms';
import { ConfigurableField, Field } from '@skystack/pex-config';
import { InitOutput, Input, Output, PipelineTask, PipelineTaskConfig, Struct, defineConnections, timeMethod } from '@skystack/pipe-base';
import type { ConnectionNames, ConnectionsConfig, InputQuantizedConnection, OutputQuantizedConnection, PipelineTaskOptions, QuantumContext } from '@skystack/pipe-base';
import { PipeTasksInvalidArgumentError } from '../errors.js';
import { ScaleVarianceTask, type ScaleVarianceConfig } from '../scale-variance-task.js';
import { coaddExposureId } from './coadd-ids.js';

const PATCH_BAND = ['tract', 'patch', 'band', 'skymap'] as const;

/**
 * The connections of {@link DetectCoaddSourcesTask}, per `(tract, patch, band, skymap)`:
 * `deepCoadd` in; `deepCoadd_det`, `deepCoadd_calexp` and `deepCoadd_calexp_background` out;
 * the schema `deepCoadd_det_schema` as an init-output.
 *
 * @see lsst.pipe.tasks.multiBand.DetectCoaddSourcesConnections
 */
export class DetectCoaddSourcesConnections extends defineConnections({
  dimensions: PATCH_BAND,
  defaultTemplates: { inputCoaddName: 'deep', outputCoaddName: 'deep' },
  connections: {
    /** The schema of the detection catalog. */
    detectionSchema: new InitOutput({ doc: 'Schema of the detection catalog', name: '{outputCoaddName}Coadd_det_schema', storageClass: 'SourceCatalog' }),
    /** The coadd to detect on. */
    exposure: new Input({ doc: 'Exposure on which detections are to be performed', name: '{inputCoaddName}Coadd', storageClass: 'ExposureF', dimensions: PATCH_BAND }),
    /** The backgrounds subtracted by detection. */
    outputBackgrounds: new Output({ doc: 'Output Backgrounds used in detection', name: '{outputCoaddName}Coadd_calexp_background', storageClass: 'Background', dimensions: PATCH_BAND }),
    /** The detections (parent footprints with peaks). */
    outputSources: new Output({ doc: 'Detected sources catalog', name: '{outputCoaddName}Coadd_det', storageClass: 'SourceCatalog', dimensions: PATCH_BAND }),
    /** The variance-scaled, background-subtracted coadd. */
    outputExposure: new Output({ doc: 'Exposure post detection', name: '{outputCoaddName}Coadd_calexp', storageClass: 'ExposureF', dimensions: PATCH_BAND }),
  },
}) {}

/**
 * The config of {@link DetectCoaddSourcesTask}, with LSST's fields and its coadd settings of the
 * detection subtask (`pixel_stdev` threshold, isotropic grow, no re-estimated background; the
 * background subtask set as LSST's — 4096-pixel bins, no approximation, `REDUCE_INTERP_ORDER` —
 * for when `reEstimateBackground` is turned on). `doBackgroundTweak`, `minBackgroundTweak`,
 * `maxBackgroundTweak` and `skyObjects` stand for the fields of LSST's `DynamicDetectionTask`
 * (the coadd detection subtask there) that this task applies itself, around a
 * `SourceDetectionTask`.
 *
 * @see lsst.pipe.tasks.multiBand.DetectCoaddSourcesConfig
 * @see lsst.meas.algorithms.dynamicDetection.DynamicDetectionConfig
 */
export class DetectCoaddSourcesConfig extends PipelineTaskConfig.withConnections(DetectCoaddSourcesConnections) {
  /** The dataset type names of the connections. */
  declare readonly connections: ConnectionsConfig<ConnectionNames<typeof DetectCoaddSourcesConnections>>;
  /** Scale the variance plane to the noise measured in the image. */
  doScaleVariance = Field.bool({ doc: 'Scale variance plane using empirical noise?', default: true });
  /** Variance rescaling. */
  scaleVariance = ConfigurableField({ doc: 'Variance rescaling', target: ScaleVarianceTask }) as unknown as ScaleVarianceConfig;
  /** Detection. */
  detection = ConfigurableField({ doc: 'Source detection', target: SourceDetectionTask }) as unknown as SourceDetectionConfig;
  /** Subtract a constant background measured in sky objects after detection (DynamicDetection's tweak). */
  doBackgroundTweak = Field.bool({ doc: 'Tweak background level so median PSF flux of sky objects is zero?', default: true });
  /** Smallest background tweak applied (LSST's DynamicDetectionConfig.minBackgroundTweak; null: no limit). */
  minBackgroundTweak = Field.float({ doc: 'Minimum background tweak allowed (none when null)', default: null, optional: true });
  /** Largest background tweak applied (LSST's DynamicDetectionConfig.maxBackgroundTweak; null: no limit). */
  maxBackgroundTweak = Field.float({ doc: 'Maximum background tweak allowed (none when null)', default: null, optional: true });
  /** Sky objects that measure the background tweak. */
  skyObjects = SkyObjectsTask.makeField('Sky objects for the background tweak');
  /** Coadd name. */
  coaddName = Field.str({ doc: 'Name of coadd', default: 'deep' });
  /** Fake sources were inserted into the inputs. */
  hasFakes = Field.bool({ doc: 'Should be set to True if fake sources have been inserted into the input data.', default: false });

  /** LSST's setDefaults: the coadd settings of the detection subtask. */
  override setDefaults(): void {
    super.setDefaults();
    const det = this.detection;
    det.thresholdType = 'pixel_stdev';
    det.isotropicGrow = true;
    det.reEstimateBackground = false;
    const bg = det.background as unknown as { useApprox: boolean; binSize: number; undersampleStyle: string };
    bg.useApprox = false;
    bg.binSize = 4096;
    bg.undersampleStyle = 'REDUCE_INTERP_ORDER';
    (this.skyObjects as unknown as { nSources: number }).nSources = 1000;
  }
}

/** The inputs of {@link DetectCoaddSourcesTask.run}. */
export interface DetectCoaddSourcesInputs extends Readonly<Record<string, unknown>> {
  /** The coadd (modified in place: variance scaled, background subtracted, mask set). */
  readonly exposure: Exposure;
  /** The id that seeds the sky objects and numbers the sources (default 0). */
  readonly expId?: number | undefined;
}

/** What {@link DetectCoaddSourcesTask.run} returns. */
export interface DetectCoaddSourcesResult {
  /** The detections: one parent per footprint, peaks attached. */
  readonly outputSources: SourceCatalog;
  /** The backgrounds subtracted (`outputExposure + backgrounds == input`). */
  readonly outputBackgrounds: BackgroundList;
  /** The exposure (the input, modified). */
  readonly outputExposure: Exposure;
}

/**
 * Detects sources on the coadd of one band and patch: scales the variance plane to the measured
 * noise (`VARIANCE_SCALE` in the metadata), detects once (`SourceDetectionTask` with the coadd
 * settings) to mask the sources, measures the median level of the pixels in sky objects placed
 * away from them and subtracts it as a constant background (`BACKGROUND_TWEAK`, appended to
 * `outputBackgrounds`), then detects again on the tweaked image for the output catalog. The result satisfies `deepCoadd_calexp + deepCoadd_calexp_background ==
 * deepCoadd` (to float precision).
 *
 * @example
 * ```ts
 * const task = new DetectCoaddSourcesTask();
 * const { outputSources, outputBackgrounds, outputExposure } = task.run({ exposure: coadd, expId: 42 }).getDict();
 * outputBackgrounds.addTo(outputExposure.maskedImage); // the coadd again
 * ```
 * @see lsst.pipe.tasks.multiBand.DetectCoaddSourcesTask
 */
export class DetectCoaddSourcesTask extends PipelineTask<DetectCoaddSourcesConfig> {
  /** {@link DetectCoaddSourcesConfig}. */
  static override ConfigClass = DetectCoaddSourcesConfig;
  /** `detectCoaddSources`. */
  static override _DefaultName: string | undefined = 'detectCoaddSources';
  /** The schema of `deepCoadd_det`. */
  readonly schema: Schema;
  /** The detection subtask. */
  readonly detection: SourceDetectionTask;
  /** The variance rescaling subtask (with doScaleVariance). */
  readonly scaleVariance: ScaleVarianceTask | undefined;
  /** The sky objects subtask (with doBackgroundTweak). */
  readonly skyObjects: SkyObjectsTask | undefined;
  /** The schema as an empty catalog (the `detectionSchema` init-output). */
  readonly detectionSchema: SourceCatalog;

  /**
   * Makes the task and its subtasks.
   *
   * @param options - config, and optionally `schema` (default a minimal SourceCatalog schema)
   */
  constructor(options: PipelineTaskOptions<DetectCoaddSourcesConfig> & { readonly schema?: Schema } = {}) {
    super(options);
    this.schema = options.schema ?? SourceCatalog.makeMinimalSchema();
    if (this.config.doScaleVariance) this.scaleVariance = this.makeSubtask<ScaleVarianceTask>('scaleVariance');
    this.detection = this.makeSubtask<SourceDetectionTask>('detection', { schema: this.schema });
    if (this.config.doBackgroundTweak) this.skyObjects = this.makeSubtask<SkyObjectsTask>('skyObjects');
    this.detectionSchema = new SourceCatalog(this.schema);
  }

  /**
   * Scales the variance, detects, tweaks the background (see the class description).
   *
   * @param inputs - the coadd and the id
   * @returns the detections, the backgrounds and the exposure
   * @throws {@link PipeTasksInvalidArgumentError} when the exposure has no PSF
   * @throws {@link ScaleVarianceError} when the variance cannot be rescaled within `scaleVariance.limit`
   * @see lsst.pipe.tasks.multiBand.DetectCoaddSourcesTask.run
   */
  override run(inputs: DetectCoaddSourcesInputs): Struct<DetectCoaddSourcesResult> {
    return timeMethod(this, 'run', () => {
      const { exposure } = inputs;
      const expId = inputs.expId ?? 0;
      if (exposure.getPsf() === null) {
        throw new PipeTasksInvalidArgumentError('DetectCoaddSourcesTask needs a coadd with a PSF (detection smooths with it); the exposure has none.', {
          hint: 'Attach a PSF to the coadd (e.g. a GaussianPsf) before detection.',
        });
      }
      if (this.scaleVariance !== undefined) {
        const factor = this.scaleVariance.run(exposure.maskedImage);
        exposure.getMetadata().set('VARIANCE_SCALE', factor);
      }
      const backgrounds = new BackgroundList();
      if (this.skyObjects !== undefined) {
        // A first detection masks the sources; the level in sky objects away from them is
        // subtracted; the final detection runs on the tweaked image (as DynamicDetectionTask).
        this.detection.detectFootprints(exposure, { background: new BackgroundList() });
        this.#tweakBackground(exposure, backgrounds, expId);
      }
      const det = this.detection.run(this.schema, exposure, { background: backgrounds }).getDict();
      const sources = det.sources;
      const ids = sources.getColumn('id') as BigInt64Array;
      const base = BigInt(expId) << 16n;
      for (let i = 0; i < sources.length; i++) ids[i] = base + BigInt(i + 1);
      this.log.info(`Detected ${sources.length} sources`);
      return new Struct<DetectCoaddSourcesResult>({ outputSources: sources, outputBackgrounds: backgrounds, outputExposure: exposure });
    });
  }

  /** Subtracts the mean level in sky objects as a constant background, appended to the list. */
  #tweakBackground(exposure: Exposure, backgrounds: BackgroundList, expId: number): void {
    const footprints = this.skyObjects!.run(exposure.mask, expId);
    const means: number[] = [];
    const im = exposure.image.array;
    const xy0 = exposure.getXY0();
    for (const fp of footprints) {
      let sum = 0;
      let n = 0;
      fp.getSpans().forEachSpanIn(im, xy0, (start, end) => {
        for (let k = start; k < end; k++) {
          const v = im.data[k] as number;
          if (Number.isFinite(v)) {
            sum += v;
            n++;
          }
        }
      });
      if (n > 0) means.push(sum / n);
    }
    if (means.length === 0) {
      this.log.warn('No sky objects could be placed; background not tweaked');
      return;
    }
    means.sort((a, b) => a - b);
    const mid = means.length >> 1;
    let tweak = means.length % 2 === 1 ? means[mid]! : 0.5 * (means[mid - 1]! + means[mid]!);
    if (this.config.minBackgroundTweak !== null) tweak = Math.max(tweak, this.config.minBackgroundTweak);
    if (this.config.maxBackgroundTweak !== null) tweak = Math.min(tweak, this.config.maxBackgroundTweak);
    tweak = Math.fround(tweak);
    this.log.info(`Tweaking background by ${tweak} to match ${means.length} sky objects`);
    exposure.getMetadata().set('BACKGROUND_TWEAK', tweak);
    const bbox = exposure.getBBox();
    const model = BackgroundModel.fromStats(
      { nx: 1, ny: 1, values: Float32Array.of(tweak), variance: Float32Array.of(0) },
      { x0: bbox.getMinX(), y0: bbox.getMinY(), width: bbox.getWidth(), height: bbox.getHeight() },
      { interpStyle: 'CONSTANT', undersampleStyle: 'REDUCE_INTERP_ORDER' },
    );
    backgrounds.append(model);
    new BackgroundList(model).subtractFrom(exposure.maskedImage);
  }

  /**
   * Reads `deepCoadd`, runs with an id made from the data ID, writes the outputs.
   *
   * @param butlerQC - the quantum context
   * @param inputRefs - the input references
   * @param outputRefs - the output references
   */
  override async runQuantum(butlerQC: QuantumContext, inputRefs: InputQuantizedConnection, outputRefs: OutputQuantizedConnection): Promise<void> {
    const inputs = (await butlerQC.get(inputRefs)) as { exposure: Exposure };
    const expId = coaddExposureId(butlerQC.quantum.dataId);
    const res = this.run({ exposure: inputs.exposure, expId });
    await butlerQC.put(res, outputRefs);
  }
}
