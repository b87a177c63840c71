// CompareWarpAssembleCoaddTask: the artifact-rejecting coadd of LSST (lsst.drp.tasks.assemble_coadd,
// formerly lsst.pipe.tasks.assembleCoadd): a static sky model, detection on each warp minus the
// model, temporal and spatial filtering of the candidates, CLIPPED on the warps, then a MEAN.
import { Exposure, Image, MaskedImage, type Mask, type PixelArray } from '@skystack/afw-image';
import { SpanSet } from '@skystack/afw-table';
import { Box2I, Extent2I } from '@skystack/geom';
import { SourceDetectionTask, type FootprintSet, type SourceDetectionConfig } from '@skystack/meas-algorithms';
import { ConfigField, ConfigurableField, Field, ListField, RangeField } from '@skystack/pex-config';
import { Input, NoWorkFound, Output, Struct, defineConnections, makeConnectionsConfigClass, timeMethod } from '@skystack/pipe-base';
import type { ConnectionNames, ConnectionsConfig, OutputQuantizedConnection, PipelineTaskOptions, QuantumContext } from '@skystack/pipe-base';
import type { DatasetRef } from '@skystack/daf-butler';
import { PipeTasksInvalidArgumentError } from '../errors.js';
import { ScaleVarianceTask, type ScaleVarianceConfig } from '../scale-variance-task.js';
import {
  AssembleCoaddConfig,
  AssembleCoaddConnections,
  AssembleCoaddTask,
  type AssembleCoaddInputs,
  type AssembleCoaddResult,
  type ImageScaler,
  type WarpHandle,
} from './assemble-coadd-task.js';
import { asMaskedImage, padTo, type SkyInfo } from './coadd-utils.js';

const PATCH_DIMENSIONS = ['tract', 'patch', 'band', 'skymap'] as const;
const BASE_CONNECTIONS = AssembleCoaddConnections.allConnections;

/**
 * The connections of {@link CompareWarpAssembleCoaddTask}: those of
 * {@link AssembleCoaddConnections} (`deepCoadd_directWarp` and `skyMap` in, `deepCoadd` and
 * `deepCoadd_nImage` out) plus LSST's `psfMatchedWarps` (`deepCoadd_psfMatchedWarp`) and
 * `templateCoadd` (`deepCoaddPsfMatched`). This task does not read PSF-matched warps yet
 * (`MakePsfMatchedWarpTask` makes them), so `psfMatchedWarps` is removed unless `assembleStaticSkyModel.warpType` is `psfMatched` (which
 * {@link CompareWarpAssembleCoaddConfig.validate} refuses for now), and `templateCoadd` unless
 * `assembleStaticSkyModel.doWrite`.
 *
 * @see lsst.drp.tasks.assemble_coadd.CompareWarpAssembleCoaddConnections
 */
export class CompareWarpAssembleCoaddConnections extends defineConnections({
  dimensions: PATCH_DIMENSIONS,
  defaultTemplates: { inputCoaddName: 'deep', outputCoaddName: 'deep', warpType: 'direct', warpTypeSuffix: '' },
  connections: {
    /** The warps to stack (read a subregion at a time), as AssembleCoaddTask's. */
    inputWarps: BASE_CONNECTIONS.get('inputWarps') as Input,
    /** The sky map, as AssembleCoaddTask's. */
    skyMap: BASE_CONNECTIONS.get('skyMap') as Input,
    /** The coadd, as AssembleCoaddTask's. */
    coaddExposure: BASE_CONNECTIONS.get('coaddExposure') as Output,
    /** The number of inputs per pixel, as AssembleCoaddTask's. */
    nImage: BASE_CONNECTIONS.get('nImage') as Output,
    /** The input map, as AssembleCoaddTask's. */
    inputMap: BASE_CONNECTIONS.get('inputMap') as Output,
    /** The selected visits, as AssembleCoaddTask's. */
    selectedVisits: BASE_CONNECTIONS.get('selectedVisits') as Input,
    /** The PSF-matched warps of LSST's static sky model (removed in SkyStack: not read yet). */
    psfMatchedWarps: new Input({
      doc: 'PSF-Matched Warps are required by CompareWarp regardless of the coadd type requested. Only PSF-Matched Warps make sense for image subtraction. Therefore, they must be an additional declared input.',
      name: '{inputCoaddName}Coadd_psfMatchedWarp',
      storageClass: 'ExposureF',
      dimensions: ['tract', 'patch', 'skymap', 'visit'],
      deferLoad: true,
      multiple: true,
    }),
    /** Each warp's mask over the patch with its artifacts (`CLIPPED`), with `doWriteArtifactMasks`. */
    artifactMasks: new Output({
      doc: 'Mask of artifacts detected in the coadd',
      name: 'compare_warp_artifact_mask',
      storageClass: 'Mask',
      dimensions: ['tract', 'patch', 'skymap', 'visit', 'instrument'],
      multiple: true,
    }),
    /** The static sky model, written only with `assembleStaticSkyModel.doWrite`. */
    templateCoadd: new Output({
      doc: 'Model of the static sky, used to find temporal artifacts. Typically a PSF-Matched, sigma-clipped coadd. Written if and only if assembleStaticSkyModel.doWrite=True',
      name: '{outputCoaddName}CoaddPsfMatched',
      storageClass: 'ExposureF',
      dimensions: PATCH_DIMENSIONS,
    }),
  },
  configure(self, config) {
    const c = config as unknown as CompareWarpAssembleCoaddConfig;
    if (!c.doNImage) self.removeConnection('nImage');
    if (!c.doInputMap) self.removeConnection('inputMap');
    if (!c.doSelectVisits) self.removeConnection('selectedVisits');
    if (!c.doWriteArtifactMasks) self.removeConnection('artifactMasks');
    if (c.assembleStaticSkyModel.warpType !== 'psfMatched') self.removeConnection('psfMatchedWarps');
    if (!c.assembleStaticSkyModel.doWrite) self.removeConnection('templateCoadd');
  },
}) {}

const CompareWarpConnectionsConfig = makeConnectionsConfigClass(CompareWarpAssembleCoaddConnections);

/** CompareWarp switches whose `true` SkyStack does not implement yet (validate() refuses them). */
export const UNSUPPORTED_COMPARE_WARP_OPTIONS = Object.freeze(['doFilterMorphological'] as const);

/**
 * The config of {@link CompareWarpAssembleCoaddTask}: {@link AssembleCoaddConfig}'s fields plus
 * LSST's CompareWarp fields and defaults (`statistic` MEAN; the static sky model a MEANCLIP with
 * `sigmaClip` 2.5, `clipIter` 3, `badMaskPlanes` NO_DATA, variance from the scatter, not
 * written; `detect` at 5σ per pixel, both polarities, `minPixels` 4, grown by 0.4 PSF σ, no
 * background steps; `detectTemplate` grown by 2.4 σ, no background steps).
 *
 * Differences from LSST, because this task does not read PSF-matched warps yet (see
 * `MakePsfMatchedWarpTask` for how well LSST's default model PSF can be matched):
 * - `assembleStaticSkyModel.warpType` (and its `connections.warpType`) is `direct`: the model
 *   and the differences are made of the direct warps. With a PSF that differs from epoch to
 *   epoch, every warp minus the model shows residuals around bright stars. The temporal
 *   threshold (`maxNumEpochs`, `maxFractionEpochsLow/High`) keeps those that appear in more
 *   epochs than it allows, and `doPreserveContainedBySource` keeps those inside a source of the
 *   model (turning it off clips star residuals of the best- and worst-seeing epochs).
 * - `EDGE` stays in `badMaskPlanes` (LSST moves it to `removeMaskPlanes` because the NO_DATA
 *   border of a PSF-matched warp replaces it; a direct warp has no such border).
 * - `doFilterMorphological` (no MaskStreaksTask yet) is refused when true, as is a `psfMatched`
 *   static sky model.
 *
 * @see lsst.drp.tasks.assemble_coadd.CompareWarpAssembleCoaddConfig
 */
export class CompareWarpAssembleCoaddConfig extends AssembleCoaddConfig {
  /** The connections class. */
  static override ConnectionsClass = CompareWarpAssembleCoaddConnections;
  /** The config class of `connections`. */
  static override ConnectionsConfigClass = CompareWarpConnectionsConfig;
  /** The dataset type names of the connections. */
  override readonly connections = ConfigField({
    doc: 'Configurations describing the connections of the PipelineTask to datatypes',
    dtype: CompareWarpConnectionsConfig,
  }) as unknown as ConnectionsConfig<ConnectionNames<typeof CompareWarpAssembleCoaddConnections>>;
  /** The static sky model: an AssembleCoaddTask (MEANCLIP). */
  assembleStaticSkyModel = ConfigurableField({
    doc: 'Task to assemble an artifact-free, PSF-matched Coadd to serve as a naive/first-iteration model of the static sky.',
    target: AssembleCoaddTask,
  }) as unknown as AssembleCoaddConfig;
  /** Detection of the outliers on each warp minus the model. */
  detect = ConfigurableField({
    doc: 'Detect outlier sources on difference between each psfMatched warp and static sky model',
    target: SourceDetectionTask,
  }) as unknown as SourceDetectionConfig;
  /** Detection of the sources of the model (for `doPreserveContainedBySource`). */
  detectTemplate = ConfigurableField({
    doc: 'Detect sources on static sky model. Only used if doPreserveContainedBySource is True',
    target: SourceDetectionTask,
  }) as unknown as SourceDetectionConfig;
  /** The mask plane of streaks (`doFilterMorphological`, not implemented). */
  streakMaskName = Field.str({ doc: 'Name of mask bit used for streaks', default: 'STREAK' });
  /** Characteristic most epochs in which an artifact candidate may appear and still be masked. */
  maxNumEpochs = Field.int({
    doc: 'Charactistic maximum local number of epochs/visits in which an artifact candidate can appear  and still be masked.  The effective maxNumEpochs is a broken linear function of local number of epochs (N): min(maxFractionEpochsLow*N, maxNumEpochs + maxFractionEpochsHigh*N). For each footprint detected on the image difference between the psfMatched warp and static sky model, if a significant fraction of pixels (defined by spatialThreshold) are residuals in more than the computed effective maxNumEpochs, the artifact candidate is deemed persistant rather than transient and not masked.',
    default: 2,
  });
  /** Fraction of the local number of epochs N: the effective maxNumEpochs at low N. */
  maxFractionEpochsLow = RangeField({
    doc: 'Fraction of local number of epochs (N) to use as effective maxNumEpochs for low N. Effective maxNumEpochs = min(maxFractionEpochsLow * N, maxNumEpochs + maxFractionEpochsHigh * N)',
    dtype: 'float',
    default: 0.4,
    min: 0.0,
    max: 1.0,
  });
  /** Fraction of the local number of epochs N added to maxNumEpochs at high N. */
  maxFractionEpochsHigh = RangeField({
    doc: 'Fraction of local number of epochs (N) to use as effective maxNumEpochs for high N. Effective maxNumEpochs = min(maxFractionEpochsLow * N, maxNumEpochs + maxFractionEpochsHigh * N)',
    dtype: 'float',
    default: 0.03,
    min: 0.0,
    max: 1.0,
  });
  /** Fraction of a candidate's pixels that must meet the temporal criterion for it to be clipped. */
  spatialThreshold = RangeField({
    doc: 'Unitless fraction of pixels defining how much of the outlier region has to meet the temporal criteria. If 0, clip all. If 1, clip none.',
    dtype: 'float',
    default: 0.5,
    min: 0.0,
    max: 1.0,
    inclusiveMin: true,
    inclusiveMax: true,
  });
  /** Rescale the warp variance from the empirical noise (LSST default true; not implemented). */
  doScaleWarpVariance = Field.bool({ doc: 'Rescale Warp variance plane using empirical noise?', default: true });
  /** The variance rescaling of each warp before it is compared with the model. */
  scaleWarpVariance = ConfigurableField({ doc: 'Rescale variance on warps', target: ScaleVarianceTask }) as unknown as ScaleVarianceConfig;
  /** Keep the candidates that lie entirely within a source of the static sky model. */
  doPreserveContainedBySource = Field.bool({
    doc: 'Rescue artifacts from clipping that completely lie within a footprint detectedon the PsfMatched Template Coadd. Replicates a behavior of SafeClip.',
    default: true,
  });
  /** Drop the candidates mostly covered by the bad pixel mask before they are counted. */
  doPrefilterArtifacts = Field.bool({
    doc: "Ignore artifact candidates that are mostly covered by the bad pixel mask, because they will be excluded anyway. This prevents them from contributing to the outlier epoch count image and potentially being labeled as persistant.'Mostly' is defined by the config 'prefilterArtifactsRatio'.",
    default: true,
  });
  /** The bad planes of the prefilter. */
  prefilterArtifactsMaskPlanes = ListField({
    doc: 'Prefilter artifact candidates that are mostly covered by these bad mask planes.',
    dtype: 'str',
    default: ['NO_DATA', 'BAD', 'SAT', 'SUSPECT'],
  });
  /** A candidate is kept when more than this fraction of it overlaps good pixels. */
  prefilterArtifactsRatio = Field.float({ doc: 'Prefilter artifact candidates with less than this fraction overlapping good pixels', default: 0.05 });
  /** Morphological filtering of the candidates (streaks; not implemented). */
  doFilterMorphological = Field.bool({
    doc: 'Filter artifact candidates based on morphological criteria, i.g. those that appear to be streaks.',
    default: false,
  });
  /** Growth of streak footprints in PSF widths (`doFilterMorphological`). */
  growStreakFp = Field.float({ doc: 'Grow streak footprints by this number multiplied by the PSF width', default: 5 });

  /**
   * LSST's setDefaults (statistic MEAN, the static sky model and detection settings listed on the
   * class), with SkyStack's `direct` static sky model and EDGE kept as a bad plane.
   */
  override setDefaults(): void {
    super.setDefaults();
    this.statistic = 'MEAN';
    const model = this.assembleStaticSkyModel;
    model.badMaskPlanes = ['NO_DATA'];
    model.warpType = 'direct';
    (model.connections as unknown as Record<string, string>)['warpType'] = 'direct';
    model.statistic = 'MEANCLIP';
    model.sigmaClip = 2.5;
    model.clipIter = 3;
    model.calcErrorFromInputVariance = false;
    model.doWrite = false;
    const detect = this.detect;
    detect.doTempLocalBackground = false;
    detect.reEstimateBackground = false;
    detect.returnOriginalFootprints = false;
    detect.thresholdPolarity = 'both';
    detect.thresholdValue = 5;
    detect.minPixels = 4;
    detect.isotropicGrow = true;
    detect.thresholdType = 'pixel_stdev';
    detect.nSigmaToGrow = 0.4;
    const template = this.detectTemplate;
    template.nSigmaToGrow = 2.4;
    template.doTempLocalBackground = false;
    template.reEstimateBackground = false;
    template.returnOriginalFootprints = false;
  }

  /**
   * Checks AssembleCoaddConfig's rules, LSST's CompareWarp rules and SkyStack's limits.
   *
   * @throws {@link PipeTasksInvalidArgumentError} for `assembleStaticSkyModel.doNImage`, a written
   *   static sky model of the coadd's own warp type, a `psfMatched` static sky model, or an
   *   unsupported switch ({@link UNSUPPORTED_COMPARE_WARP_OPTIONS}) set to true
   */
  override validate(): void {
    super.validate();
    const model = this.assembleStaticSkyModel;
    if (model.doNImage) {
      throw new PipeTasksInvalidArgumentError('No dataset type exists for a PSF-Matched Template N Image.', { hint: 'Set assembleStaticSkyModel.doNImage = false.' });
    }
    if (model.doWrite && this.warpType === model.warpType) {
      throw new PipeTasksInvalidArgumentError(
        `warpType (${this.warpType}) == assembleStaticSkyModel.warpType (${model.warpType}) and will compete for the same dataset name.`,
        { hint: "Set assembleStaticSkyModel.doWrite = false or warpType to 'direct'." },
      );
    }
    if (model.warpType === 'psfMatched') {
      throw new PipeTasksInvalidArgumentError("assembleStaticSkyModel.warpType = 'psfMatched' is not supported by SkyStack yet: CompareWarp does not read PSF-matched warps.", {
        hint: "Leave assembleStaticSkyModel.warpType = 'direct'.",
      });
    }
    const self = this as unknown as Record<string, unknown>;
    for (const name of UNSUPPORTED_COMPARE_WARP_OPTIONS) {
      if (self[name] === true) throw new PipeTasksInvalidArgumentError(`CompareWarpAssembleCoaddConfig.${name} = true is not supported by SkyStack yet.`, { hint: `Leave ${name} false.` });
    }
  }
}

/**
 * The spans to apply to one warp's mask, per mask plane name (`CLIPPED`: the artifacts,
 * `NO_DATA`: the pixels without data in the warp minus the model).
 */
export type AltMaskSpans = Readonly<Record<string, readonly SpanSet[]>>;

/** The static sky model and what made it (LSST's `supplementaryData`). */
export interface CompareWarpSupplementaryData {
  /** The static sky model (interpolated over NO_DATA). */
  readonly templateCoadd: Exposure<Float32Array>;
  /** The warps the model was made of (those of the coadd, or a subset). */
  readonly warpRefList: readonly WarpHandle[];
  /** Their scalers. */
  readonly imageScalerList: readonly (ImageScaler | undefined)[];
  /** Their weights. */
  readonly weightList: readonly number[];
}

/** The inputs of {@link CompareWarpAssembleCoaddTask.run}. */
export interface CompareWarpAssembleCoaddInputs extends AssembleCoaddInputs {
  /** The static sky model (default: made from `warpRefList` by {@link CompareWarpAssembleCoaddTask.makeSupplementaryData}). */
  readonly supplementaryData?: CompareWarpSupplementaryData | undefined;
}

/** What {@link CompareWarpAssembleCoaddTask.run} returns: AssembleCoaddTask's results plus the artifact masks. */
export interface CompareWarpAssembleCoaddResult extends AssembleCoaddResult {
  /** Per warp (in `warpRefList` order), the spans applied to its mask. */
  readonly altMaskList: readonly AltMaskSpans[];
  /** The static sky model. */
  readonly templateCoadd: Exposure<Float32Array>;
}

/**
 * Assembles an artifact-free coadd (LSST's CompareWarp): a static sky model is stacked from the
 * warps with a sigma-clipped mean (`assembleStaticSkyModel`, {@link makeSupplementaryData}); each
 * warp minus the model is searched for outliers (`detect`: 5σ per pixel, positive and negative);
 * the outlier footprints become artifact candidates, dropped when mostly on bad pixels
 * (`prefilterArtifacts`), when a large part of them (`spatialThreshold`) is an outlier in more
 * epochs than the temporal threshold (`maxNumEpochs`, `maxFractionEpochsLow/High` of the local
 * number of epochs) or when they lie within a source of the model (`doPreserveContainedBySource`)
 * ({@link findArtifacts}, {@link filterArtifacts}); the remaining ones get `CLIPPED` in their warp,
 * and the warps are stacked by AssembleCoaddTask with `badMaskPlanes` + CLIPPED excluded and the
 * `statistic` (MEAN). The coadd gets `CLIPPED` where an artifact was left out.
 *
 * SkyStack difference: the model and the differences use the direct warps (PSF-matched warps
 * are not read yet), so residuals around stars appear in every epoch whose seeing differs from the model's.
 * The temporal threshold keeps those that appear in more epochs than it allows;
 * `doPreserveContainedBySource` keeps the others, which lie within a source of the model.
 *
 * @example
 * ```ts
 * const task = new CompareWarpAssembleCoaddTask();
 * const prepared = await task.prepareInputs(handles, skyInfo.bbox);
 * const { coaddExposure } = (await task.run({ skyInfo, ...prepared })).getDict();
 * task.processResults(coaddExposure);
 * ```
 * @see lsst.drp.tasks.assemble_coadd.CompareWarpAssembleCoaddTask
 */
export class CompareWarpAssembleCoaddTask extends AssembleCoaddTask {
  /** {@link CompareWarpAssembleCoaddConfig}. */
  static override ConfigClass = CompareWarpAssembleCoaddConfig;
  /** `compareWarpAssembleCoadd`. */
  static override _DefaultName: string | undefined = 'compareWarpAssembleCoadd';
  /** The static sky model's task. */
  readonly assembleStaticSkyModel: AssembleCoaddTask;
  /** Detection on the warp differences. */
  readonly detect: SourceDetectionTask;
  /** Detection on the static sky model (with `doPreserveContainedBySource`). */
  readonly detectTemplate: SourceDetectionTask | undefined;
  /** The variance rescaling of the warps (with `doScaleWarpVariance`). */
  readonly scaleWarpVariance: ScaleVarianceTask | undefined;
  declare readonly config: CompareWarpAssembleCoaddConfig;
  readonly #labels = new WeakMap<FootprintSet, Image<Int32Array>>();

  /**
   * Makes the task and its subtasks.
   *
   * @param options - config, name, parent task
   * @throws {@link PipeTasksInvalidArgumentError} for an invalid config
   */
  constructor(options: PipelineTaskOptions<CompareWarpAssembleCoaddConfig> = {}) {
    super(options as PipelineTaskOptions<AssembleCoaddConfig>);
    this.assembleStaticSkyModel = this.makeSubtask<AssembleCoaddTask>('assembleStaticSkyModel');
    this.detect = this.makeSubtask<SourceDetectionTask>('detect');
    if (this.config.doPreserveContainedBySource) this.detectTemplate = this.makeSubtask<SourceDetectionTask>('detectTemplate');
    if (this.config.doScaleWarpVariance) this.scaleWarpVariance = this.makeSubtask<ScaleVarianceTask>('scaleWarpVariance');
  }

  /**
   * Makes the static sky model from the warps: `assembleStaticSkyModel`'s prepareInputs, run and
   * processResults (so the model is interpolated over NO_DATA).
   *
   * @param skyInfo - the patch
   * @param warpRefList - the warps (direct warps in SkyStack)
   * @returns the model and the warps, scalers and weights it was made of
   * @throws NoWorkFound when no warp has data for the model
   * @see lsst.drp.tasks.assemble_coadd.CompareWarpAssembleCoaddTask._makeSupplementaryData
   */
  async makeSupplementaryData(skyInfo: SkyInfo, warpRefList: readonly WarpHandle[]): Promise<CompareWarpSupplementaryData> {
    const model = this.assembleStaticSkyModel;
    const prepared = await model.prepareInputs(warpRefList, skyInfo.bbox);
    if (prepared.warpRefList.length === 0) {
      throw new NoWorkFound(`No ${model.getTempExpDatasetName()} with data to build the static sky model that CompareWarpAssembleCoaddTask needs.`);
    }
    const res = (await model.run({ skyInfo, ...prepared })).getDict();
    model.processResults(res.coaddExposure);
    return { templateCoadd: res.coaddExposure, warpRefList: res.warpRefList, imageScalerList: res.imageScalerList, weightList: res.weightList };
  }

  /**
   * Assembles the coadd (see the class description): makes the static sky model (unless given),
   * finds the artifacts, and stacks the warps with their alternative masks applied as they are
   * read and CLIPPED excluded.
   *
   * @param inputs - AssembleCoaddTask's inputs, and optionally the static sky model
   * @returns the coadd, nImage, the inputs, the artifact masks and the model
   * @throws NoWorkFound when there are no warps
   * @throws {@link PipeTasksInvalidArgumentError} when the lists differ in length, or the model's
   *   warps are neither the coadd's warps nor one per coadd warp
   * @see lsst.drp.tasks.assemble_coadd.CompareWarpAssembleCoaddTask.run
   */
  override async run(inputs: CompareWarpAssembleCoaddInputs): Promise<Struct<CompareWarpAssembleCoaddResult>> {
    return timeMethod(this, 'run', () => this.#run(inputs));
  }

  async #run(inputs: CompareWarpAssembleCoaddInputs): Promise<Struct<CompareWarpAssembleCoaddResult>> {
    const { skyInfo, warpRefList } = inputs;
    if (warpRefList.length === 0) throw new NoWorkFound('No exposures provided for co-addition.');
    const supplementary = inputs.supplementaryData ?? (await this.makeSupplementaryData(skyInfo, warpRefList));
    // The model's warps in the order of the coadd's (undefined: the model has no such warp).
    const modelRefs = this.#matchModelWarps(warpRefList, supplementary);
    const modelScalers = modelRefs.map((ref) => (ref === undefined ? undefined : supplementary.imageScalerList[supplementary.warpRefList.indexOf(ref)]));
    const altMaskList = await this.findArtifacts(supplementary.templateCoadd, modelRefs, modelScalers);
    const wrapped = warpRefList.map((ref, i) => new AltMaskWarpHandle(ref, altMaskList[i]!, (mask, alt) => this.applyAltMaskPlanes(mask, alt)));
    // The bad-pixel mask in the coadd's plane numbering: the coadd takes the planes of the first
    // warp as read (CLIPPED included, added by the alternative mask).
    const onePixel = Box2I.fromCorner(skyInfo.bbox.getMin(), new Extent2I(1, 1));
    const head = await wrapped[0]!.get({ parameters: { bbox: onePixel } });
    const planeDict = (head instanceof Exposure || head instanceof MaskedImage ? head.mask : undefined)?.planeDict;
    const mask = planeDict === undefined ? undefined : this.getBadPixelMask(planeDict) | planeDict.getPlaneBitMask('CLIPPED');
    const result = (await super.run({ ...inputs, warpRefList: wrapped, ...(mask === undefined ? {} : { mask }) })).getDict();
    const coaddPlanes = result.coaddExposure.mask.planeDict;
    if (planeDict !== undefined && coaddPlanes.getPlane('CLIPPED') !== planeDict.getPlane('CLIPPED')) {
      throw new PipeTasksInvalidArgumentError(
        `The coadd numbers CLIPPED ${coaddPlanes.getPlane('CLIPPED')} but the first warp ${planeDict.getPlane('CLIPPED')}: the artifacts were not excluded as intended.`,
        { hint: 'The warp handles must return the same mask planes on every read.' },
      );
    }
    return new Struct<CompareWarpAssembleCoaddResult>({ ...result, warpRefList, altMaskList, templateCoadd: supplementary.templateCoadd });
  }

  #matchModelWarps(warpRefList: readonly WarpHandle[], supplementary: CompareWarpSupplementaryData): (WarpHandle | undefined)[] {
    const model = supplementary.warpRefList;
    if (warpRefList.some((ref) => model.includes(ref))) return warpRefList.map((ref) => (model.includes(ref) ? ref : undefined));
    if (model.length !== warpRefList.length || supplementary.imageScalerList.length !== model.length) {
      throw new PipeTasksInvalidArgumentError(
        `The static sky model was made of ${model.length} warps (${supplementary.imageScalerList.length} scalers), none of them one of the ${warpRefList.length} warps to coadd.`,
        { hint: 'Pass the model warps in the order of warpRefList, one per warp.' },
      );
    }
    return [...model];
  }

  /**
   * Finds the artifacts of each warp. First pass, per warp: the difference warp − model (model
   * mask cleared, variances added), its count in the number of epochs per pixel (finite, none of
   * `badMaskPlanes`), detection (`detect`, no smoothing, positive and negative footprints merged),
   * the prefilter (`doPrefilterArtifacts`), the epoch count image (+1 where a candidate of the
   * warp lies), and its NaN pixels (NO_DATA). Then the model's sources (`detectTemplate`, with
   * `doPreserveContainedBySource`; the model's PSF, or else the mean PSF σ of the warps) and the
   * temporal/spatial filter ({@link filterArtifacts}) of each warp's candidates. A warp the model
   * lacks (`undefined`) gets NO_DATA everywhere.
   *
   * @param templateCoadd - the static sky model (its mask is cleared, then holds its detections)
   * @param tempExpRefList - the model's warps, one per coadd warp
   * @param imageScalerList - their scalers
   * @returns per warp, the CLIPPED (artifact) and NO_DATA spans
   * @see lsst.drp.tasks.assemble_coadd.CompareWarpAssembleCoaddTask.findArtifacts
   */
  async findArtifacts(
    templateCoadd: Exposure<Float32Array>,
    tempExpRefList: readonly (WarpHandle | undefined)[],
    imageScalerList: readonly (ImageScaler | undefined)[] = [],
  ): Promise<AltMaskSpans[]> {
    this.log.debug('Generating Count Image, and mask lists.');
    const coaddBBox = templateCoadd.getBBox();
    const epochCountImage = Image.make('int32', coaddBBox) as Image<Int32Array>;
    const nImage = Image.make('int32', coaddBBox) as Image<Int32Array>;
    // Per pixel, the last warp (index + 1) that counted there: a warp counts once per pixel.
    const slate = new Int32Array(epochCountImage.array.data.length);
    const grid = epochCountImage.array;
    const xy0 = coaddBBox.getMin();
    const candidates: SpanSet[][] = [];
    const noData: SpanSet[][] = [];
    const sigmas: number[] = [];
    templateCoadd.mask.array.data.fill(0);
    for (const [i, ref] of tempExpRefList.entries()) {
      if (ref === undefined) {
        // No model warp for this warp (LSST: no PSF-matched warp): the whole epoch is NO_DATA.
        candidates.push([]);
        noData.push([SpanSet.fromBox(coaddBBox)]);
        continue;
      }
      const diff = await this.#readAndComputeWarpDiff(ref, imageScalerList[i], templateCoadd, i);
      const mi = diff.maskedImage;
      const bad = this.getBadPixelMask(mi.mask.planeDict);
      countGood(mi, bad, nImage);
      sigmas.push(this.detect.getPsfSigma(diff));
      const fpSet = this.detect.detectFootprints(diff, { doSmooth: false, clearMask: true }).getDict();
      const footprints = fpSet.positive ?? fpSet.negative;
      if (fpSet.positive !== undefined && fpSet.negative !== undefined) fpSet.positive.merge(fpSet.negative);
      let spanSetList = (footprints?.getFootprints() ?? []).map((fp) => fp.getSpans());
      if (this.config.doPrefilterArtifacts) spanSetList = this.prefilterArtifacts(spanSetList, diff);
      const stamp = i + 1;
      const count = epochCountImage.array.data;
      for (const spans of spanSetList) {
        spans.forEachSpanIn(grid, xy0, (start, end) => {
          for (let k = start; k < end; k++) {
            if (slate[k] !== stamp) {
              slate[k] = stamp;
              count[k] = count[k]! + 1;
            }
          }
        });
      }
      candidates.push(spanSetList);
      noData.push([nanSpans(mi.image)]);
    }
    let templateFootprints: FootprintSet | undefined;
    if (this.detectTemplate !== undefined) {
      const psf = templateCoadd.getPsf();
      const sigma = psf !== null && psf !== undefined ? undefined : sigmas.length > 0 ? sigmas.reduce((a, s) => a + s, 0) / sigmas.length : undefined;
      if (sigma !== undefined) this.log.warn(`The static sky model has no PSF: detecting its sources with the mean PSF sigma of the warps, ${sigma.toFixed(3)} pixels.`);
      templateFootprints = this.detectTemplate.detectFootprints(templateCoadd, sigma === undefined ? {} : { sigma }).getDict().positive;
    }
    return candidates.map((spanSetList, i) => ({
      CLIPPED: spanSetList.length > 0 ? this.filterArtifacts(spanSetList, epochCountImage, nImage, templateFootprints) : [],
      NO_DATA: noData[i]!,
    }));
  }

  /** The warp (over the model's bbox, NaN/NO_DATA where it has none, scaled, its variance rescaled) minus the model: image subtracted, variances added. */
  async #readAndComputeWarpDiff(ref: WarpHandle, scaler: ImageScaler | undefined, templateCoadd: Exposure<Float32Array>, i: number): Promise<Exposure> {
    const bbox = templateCoadd.getBBox();
    const read = await ref.get({ parameters: { bbox } });
    let warp = read instanceof Exposure ? read : new Exposure(asMaskedImage(read, i));
    if (!warp.getBBox().equals(bbox)) warp = new Exposure(padTo(warp.maskedImage, bbox), warp.getInfo());
    scaler?.scaleMaskedImage(warp.maskedImage);
    if (this.scaleWarpVariance !== undefined) {
      try {
        this.scaleWarpVariance.run(warp.maskedImage);
      } catch (e) {
        this.log.warn(`Unable to rescale variance of warp (${(e as Error).message}); leaving it as-is`);
      }
    }
    const im = warp.image.array;
    const va = warp.variance.array;
    const tim = templateCoadd.image.array;
    const tva = templateCoadd.variance.array;
    for (let y = 0; y < im.height; y++) {
      const o = y * im.stride;
      const vo = y * va.stride;
      const to = y * tim.stride;
      const tvo = y * tva.stride;
      for (let x = 0; x < im.width; x++) {
        im.data[o + x] = im.data[o + x]! - tim.data[to + x]!;
        va.data[vo + x] = va.data[vo + x]! + tva.data[tvo + x]!;
      }
    }
    return warp;
  }

  /**
   * Drops the artifact candidates that are mostly on bad pixels: keeps a candidate when the
   * fraction of its area without `prefilterArtifactsMaskPlanes` exceeds `prefilterArtifactsRatio`.
   *
   * @param spanSetList - the candidates
   * @param exp - the exposure whose mask decides (the warp difference)
   * @returns the candidates kept
   * @see lsst.drp.tasks.assemble_coadd.CompareWarpAssembleCoaddTask.prefilterArtifacts
   */
  prefilterArtifacts(spanSetList: readonly SpanSet[], exp: Exposure | MaskedImage): SpanSet[] {
    const mask = exp.mask;
    const planes = this.config.prefilterArtifactsMaskPlanes.filter((p) => mask.planeDict.hasPlane(p));
    const bad = mask.getPlaneBitMask(planes);
    const { data } = mask.array;
    const out: SpanSet[] = [];
    for (const spans of spanSetList) {
      let good = 0;
      spans.forEachSpanIn(mask.array, mask.getXY0(), (start, end) => {
        for (let k = start; k < end; k++) if ((data[k]! & bad) === 0) good++;
      });
      if (good / spans.getArea() > this.config.prefilterArtifactsRatio) out.push(spans);
    }
    return out;
  }

  /**
   * Keeps the candidates that are transient: over a candidate's pixels, with N the mean number of
   * epochs (`nImage`), the effective most epochs is `trunc(min(maxFractionEpochsLow · N,
   * maxNumEpochs + maxFractionEpochsHigh · N))`; the candidate is an artifact when more than
   * `spatialThreshold` of its pixels are outliers in at least one and at most that many epochs
   * (`epochCountImage`). With `doPreserveContainedBySource`, a candidate entirely within one
   * footprint of `footprintsToExclude` is kept out.
   *
   * @param spanSetList - the candidates of one warp
   * @param epochCountImage - per pixel, the number of epochs with a candidate there
   * @param nImage - per pixel, the number of epochs with data
   * @param footprintsToExclude - the sources of the static sky model
   * @returns the artifacts
   * @see lsst.drp.tasks.assemble_coadd.CompareWarpAssembleCoaddTask.filterArtifacts
   */
  filterArtifacts(spanSetList: readonly SpanSet[], epochCountImage: Image<PixelArray>, nImage: Image<PixelArray>, footprintsToExclude?: FootprintSet): SpanSet[] {
    const counts = epochCountImage.array;
    const totals = nImage.array;
    const xy0 = epochCountImage.getXY0();
    const out: SpanSet[] = [];
    for (const spans of spanSetList) {
      let n = 0;
      let sumTotal = 0;
      spans.forEachSpanIn(totals, xy0, (start, end) => {
        for (let k = start; k < end; k++) sumTotal += totals.data[k]!;
        n += end - start;
      });
      if (n === 0) continue;
      const meanTotal = sumTotal / n;
      const effMaxHighN = this.config.maxNumEpochs + this.config.maxFractionEpochsHigh * meanTotal;
      const effMaxLowN = this.config.maxFractionEpochsLow * meanTotal;
      const effectiveMaxNumEpochs = Math.trunc(Math.min(effMaxLowN, effMaxHighN));
      let below = 0;
      spans.forEachSpanIn(counts, xy0, (start, end) => {
        for (let k = start; k < end; k++) {
          const c = counts.data[k]!;
          if (c > 0 && c <= effectiveMaxNumEpochs) below++;
        }
      });
      if (below / n > this.config.spatialThreshold) out.push(spans);
    }
    if (!this.config.doPreserveContainedBySource || footprintsToExclude === undefined) return out;
    const labels = this.#labelImage(footprintsToExclude);
    return out.filter((spans) => !containedInOne(spans, labels));
  }

  #labelImage(fpSet: FootprintSet): Image<Int32Array> {
    let labels = this.#labels.get(fpSet);
    if (labels === undefined) {
      labels = fpSet.insertIntoImage();
      this.#labels.set(fpSet, labels);
    }
    return labels;
  }

  /**
   * With `doWriteArtifactMasks`, writes `compare_warp_artifact_mask` for each warp: its mask over
   * the coadd's bbox with its alternative masks (`CLIPPED` artifacts, `NO_DATA`) applied.
   *
   * @param butlerQC - the quantum context
   * @param outputRefs - the output references (`artifactMasks`, one per visit)
   * @param result - what {@link run} returned (its `altMaskList`)
   * @param visitOf - the visit of each warp handle
   * @returns `['artifactMasks']` when written
   * @see lsst.drp.tasks.assemble_coadd.CompareWarpAssembleCoaddTask.runQuantum
   */
  protected override async putWarpOutputs(
    butlerQC: QuantumContext,
    outputRefs: OutputQuantizedConnection,
    result: AssembleCoaddResult,
    visitOf: ReadonlyMap<WarpHandle, number>,
  ): Promise<string[]> {
    const refs = outputRefs['artifactMasks'] as readonly DatasetRef[] | undefined;
    if (!this.config.doWriteArtifactMasks || refs === undefined) return [];
    const { altMaskList, warpRefList } = result as CompareWarpAssembleCoaddResult;
    const bbox = result.coaddExposure.getBBox();
    const byVisit = new Map<number, number>();
    warpRefList.forEach((h, i) => byVisit.set(visitOf.get(h) ?? Number.NaN, i));
    const masks: Mask[] = [];
    const written: DatasetRef[] = [];
    for (const ref of refs) {
      const i = byVisit.get(Number(ref.dataId.get('visit')));
      if (i === undefined) continue; // a warp without data: no mask, as LSST pads with None
      const read = await warpRefList[i]!.get({ parameters: { bbox } });
      const mi = asMaskedImage(read, i);
      const mask = mi.getBBox().equals(bbox) ? mi.mask : padTo(mi, bbox).mask;
      masks.push(this.applyAltMaskPlanes(mask, altMaskList[i]!));
      written.push(ref);
    }
    await butlerQC.put(masks, written);
    return ['artifactMasks'];
  }

  /**
   * Applies alternative mask spans to a warp's mask, in place: with NO_DATA spans and NO_DATA a
   * bad plane, first clears the `badMaskPlanes` bits there (LSST's valid-polygon behaviour of
   * CompareWarp), then sets each plane (added when missing) over its spans.
   *
   * @param mask - the mask (modified)
   * @param altMaskSpans - spans per plane name
   * @returns the mask
   * @see lsst.drp.tasks.assemble_coadd.AssembleCoaddTask.applyAltMaskPlanes
   */
  applyAltMaskPlanes(mask: Mask, altMaskSpans: AltMaskSpans): Mask {
    const xy0 = mask.getXY0();
    const noData = altMaskSpans['NO_DATA'];
    if (noData !== undefined && this.config.badMaskPlanes.includes('NO_DATA')) {
      const bad = this.getBadPixelMask(mask.planeDict);
      for (const spans of noData) spans.clearMask(mask.array, xy0, bad);
    }
    for (const [plane, spanSetList] of Object.entries(altMaskSpans)) {
      const bit = 1 << mask.addMaskPlane(plane);
      for (const spans of spanSetList) spans.setMask(mask.array, xy0, bit);
    }
    return mask;
  }
}

/** A warp handle that applies alternative mask spans to every read. */
class AltMaskWarpHandle implements WarpHandle {
  readonly #inner: WarpHandle;
  readonly #altMask: AltMaskSpans;
  readonly #apply: (mask: Mask, alt: AltMaskSpans) => void;

  constructor(inner: WarpHandle, altMask: AltMaskSpans, apply: (mask: Mask, alt: AltMaskSpans) => void) {
    this.#inner = inner;
    this.#altMask = altMask;
    this.#apply = apply;
  }

  async get(options?: { readonly parameters?: { readonly bbox?: Box2I } }): Promise<unknown> {
    const read = await this.#inner.get(options);
    if (read instanceof Exposure || read instanceof MaskedImage) this.#apply(read.mask, this.#altMask);
    return read;
  }
}

/** Adds 1 to `counts` (the masked image's size) where the pixel is finite and has none of `bad`. */
function countGood(mi: MaskedImage, bad: number, counts: Image<Int32Array>): void {
  const im = mi.image.array;
  const mk = mi.mask.array;
  const ca = counts.array;
  for (let y = 0; y < im.height; y++) {
    const o = y * im.stride;
    const mo = y * mk.stride;
    const co = y * ca.stride;
    for (let x = 0; x < im.width; x++) if (Number.isFinite(im.data[o + x]!) && (mk.data[mo + x]! & bad) === 0) ca.data[co + x]! += 1;
  }
}

/** The NaN pixels of an image, as a span set (PARENT). */
function nanSpans(image: Image<PixelArray>): SpanSet {
  const { data, width, height, stride } = image.array;
  const x0 = image.getXY0().getX();
  const y0 = image.getXY0().getY();
  const ys: number[] = [];
  const a: number[] = [];
  const b: number[] = [];
  for (let y = 0; y < height; y++) {
    const o = y * stride;
    let x = 0;
    while (x < width) {
      if (!Number.isNaN(data[o + x]!)) {
        x++;
        continue;
      }
      const start = x;
      while (x < width && Number.isNaN(data[o + x]!)) x++;
      ys.push(y + y0);
      a.push(start + x0);
      b.push(x - 1 + x0);
    }
  }
  return SpanSet.fromArrays(ys, a, b, { normalize: false });
}

/** Whether every pixel of `spans` has the same non-zero label (lies within one footprint). */
function containedInOne(spans: SpanSet, labels: Image<Int32Array>): boolean {
  if (!labels.getBBox().contains(spans.getBBox())) return false;
  let label = 0;
  let ok = true;
  spans.forEachSpanIn(labels.array, labels.getXY0(), (start, end) => {
    if (!ok) return;
    for (let k = start; k < end; k++) {
      const l = labels.array.data[k]!;
      if (l === 0 || (label !== 0 && l !== label)) {
        ok = false;
        return;
      }
      label = l;
    }
  });
  return ok && label !== 0;
}

