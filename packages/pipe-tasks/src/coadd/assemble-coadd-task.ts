// AssembleCoaddTask: stacks the warps of one patch into a coadd (lsst.drp.tasks.assemble_coadd,
// formerly lsst.pipe.tasks.assembleCoadd), subregion by subregion so that memory is bounded by
// the patch size and not by the number of warps.
import { Exposure, FilterLabel, getCoaddInputs, ImageU, MaskedImage, PhotoCalib, setCoaddInputs, type ImageF, type Mask } from '@skystack/afw-image';
import { Box2I, Extent2I } from '@skystack/geom';
import { interpolateOverDefects } from '@skystack/ip-isr';
import { makeStatistics } from '@skystack/kernels';
import { AccumulatorMeanStack, CoaddPsf, CoaddPsfConfig, makeCoaddApCorrMap } from '@skystack/meas-algorithms';
import { ChoiceField, ConfigField, ConfigurableField, DictField, Field, ListField } from '@skystack/pex-config';
import { DeferredDatasetRef, Input, NoWorkFound, Output, PipelineTask, PipelineTaskConfig, Struct, defineConnections, timeMethod } from '@skystack/pipe-base';
import type {
  ConnectionNames,
  ConnectionsConfig,
  InputQuantizedConnection,
  OutputQuantizedConnection,
  PipelineTaskOptions,
  QuantizedRef,
  QuantumContext,
} from '@skystack/pipe-base';
import type { BaseSkyMap } from '@skystack/skymap';
import type { HealSparseMap } from '@skystack/healsparse';
import { PipeTasksInvalidArgumentError } from '../errors.js';
import { CoaddInputRecorderTask, type CoaddInputRecorderConfig } from './coadd-input-recorder-task.js';
import { HealSparseInputMapTask, type HealSparseInputMapConfig } from './healsparse-input-map-task.js';
import { asMaskedImage, conformMaskPlanes, describe, makeSkyInfo, padTo, removeMaskPlanes, setCoaddEdgeBits, setRejectedMaskMapping, subBBoxIter, type SkyInfo } from './coadd-utils.js';
import { STACK_STATISTICS, statisticsStack, type StackStatistic } from './statistics-stack.js';

/**
 * A warp to be read later, a sub-box at a time: what the Butler's `getDeferred` returns
 * (`DeferredDatasetHandle`), or any object that reads an `Exposure` (or a `MaskedImage`) for
 * `{ parameters: { bbox } }`. Each call must return a new copy (the task changes the masks it
 * reads).
 *
 * @see lsst.daf.butler.DeferredDatasetHandle
 */
export interface WarpHandle {
  /**
   * Reads the warp, or the part of it within `parameters.bbox` (PARENT pixels).
   *
   * @param options - the read parameters
   * @returns an `Exposure` (or a `MaskedImage`)
   */
  get(options?: { readonly parameters?: { readonly bbox?: Box2I } }): Promise<unknown>;
}

/**
 * Scales a warp to the coadd's photometric zero point (LSST's deprecated `imageScaler`).
 *
 * @see lsst.pipe.tasks.scaleZeroPoint.ImageScaler
 */
export interface ImageScaler {
  /**
   * Scales the image and variance in place.
   *
   * @param maskedImage - the warp (modified)
   */
  scaleMaskedImage(maskedImage: MaskedImage): void;
}

const PATCH_DIMENSIONS = ['tract', 'patch', 'band', 'skymap'] as const;

/**
 * The connections of {@link AssembleCoaddTask}, per `(tract, patch, band, skymap)`: the warps
 * (`deepCoadd_directWarp`, deferred, one per visit) and the `skyMap` in; `deepCoadd` and, with
 * `doNImage`, `deepCoadd_nImage` out.
 *
 * @see lsst.drp.tasks.assemble_coadd.AssembleCoaddConnections
 */
export class AssembleCoaddConnections extends defineConnections({
  dimensions: PATCH_DIMENSIONS,
  defaultTemplates: { inputCoaddName: 'deep', outputCoaddName: 'deep', warpType: 'direct', warpTypeSuffix: '' },
  connections: {
    /** The warps to stack (read a subregion at a time). */
    inputWarps: new Input({
      doc: 'Input list of warps to be assemebled i.e. stacked.WarpType (e.g. direct, psfMatched) is controlled by the warpType config parameter',
      name: '{inputCoaddName}Coadd_{warpType}Warp',
      storageClass: 'ExposureF',
      dimensions: ['tract', 'patch', 'skymap', 'visit', 'instrument'],
      deferLoad: true,
      multiple: true,
    }),
    /** The sky map (geometry and WCS of the patch). */
    skyMap: new Input({
      doc: 'Input definition of geometry/bbox and projection/wcs for coadded exposures',
      name: 'skyMap',
      storageClass: 'SkyMap',
      dimensions: ['skymap'],
    }),
    /** The coadd. */
    coaddExposure: new Output({
      doc: 'Output coadded exposure, produced by stacking input warps',
      name: '{outputCoaddName}Coadd{warpTypeSuffix}',
      storageClass: 'ExposureF',
      dimensions: PATCH_DIMENSIONS,
    }),
    /** The number of inputs per pixel. */
    nImage: new Output({
      doc: 'Output image of number of input images per pixel',
      name: '{outputCoaddName}Coadd_nImage',
      storageClass: 'ImageU',
      dimensions: PATCH_DIMENSIONS,
    }),
    /** The visits selected for the coadd (with `doSelectVisits`). */
    selectedVisits: new Input({
      doc: 'Selected visits to be coadded.',
      name: '{outputCoaddName}Visits',
      storageClass: 'StructuredDataDict',
      dimensions: ['instrument', 'tract', 'patch', 'skymap', 'band'],
    }),
    /** The input map: one bit per input detector on a HEALPix grid. */
    inputMap: new Output({
      doc: 'Output healsparse map of input images',
      name: '{outputCoaddName}Coadd_inputMap',
      storageClass: 'HealSparseMap',
      dimensions: PATCH_DIMENSIONS,
    }),
  },
  configure(self, config) {
    if (!(config as unknown as AssembleCoaddConfig).doNImage) self.removeConnection('nImage');
    if (!(config as unknown as AssembleCoaddConfig).doInputMap) self.removeConnection('inputMap');
    if (!(config as unknown as AssembleCoaddConfig).doSelectVisits) self.removeConnection('selectedVisits');
  },
}) {}

/** LSST config switches whose `true` SkyStack does not implement yet (validate() refuses them). */
export const UNSUPPORTED_ASSEMBLE_COADD_OPTIONS = Object.freeze([
  'doScaleZeroPoint',
  'doMaskBrightObjects',
  'doAttachTransmissionCurve',
] as const);

/**
 * The config of {@link AssembleCoaddTask}, with LSST's fields and defaults (`AssembleCoaddConfig`
 * and the `CoaddBaseConfig` fields it uses; `badMaskPlanes` is `NO_DATA, BAD, SAT, EDGE` as set
 * by LSST's `setDefaults`). The switches of {@link UNSUPPORTED_ASSEMBLE_COADD_OPTIONS} are kept
 * with LSST's default (false) and refused when true.
 *
 * @see lsst.drp.tasks.assemble_coadd.AssembleCoaddConfig
 */
export class AssembleCoaddConfig extends PipelineTaskConfig.withConnections(AssembleCoaddConnections) {
  /** The dataset type names of the connections. */
  declare readonly connections: ConnectionsConfig<ConnectionNames<typeof AssembleCoaddConnections>>;
  /** Coadd name (`deep`, `goodSeeing`). */
  coaddName = Field.str({ doc: 'Coadd name: typically one of deep or goodSeeing.', default: 'deep' });
  /** Mask planes that exclude a warp pixel from the stack. */
  badMaskPlanes = ListField({ doc: 'Mask planes that, if set, the associated pixel should not be included in the coaddTempExp.', dtype: 'str', default: ['NO_DATA'] });
  /** Which warps to coadd. */
  warpType = ChoiceField({
    doc: "Warp name: one of 'direct' or 'psfMatched'",
    dtype: 'str',
    default: 'direct',
    allowed: { direct: 'Weighted mean of directWarps, with outlier rejection', psfMatched: 'Weighted mean of PSF-matched warps' },
  });
  /** Width and height of the subregions stacked at once. */
  subregionSize = ListField({
    doc: 'Width, height of stack subregion size; make small enough that a full stack of images will fit into memory  at once.',
    dtype: 'int',
    default: [2000, 2000],
    length: 2,
  });
  /** The stacking statistic. */
  statistic = Field.str({ doc: 'Main stacking statistic for aggregating over the epochs.', default: 'MEANCLIP' });
  /** Online coaddition for MEAN (not implemented). */
  doOnlineForMean = Field.bool({ doc: 'Perform online coaddition when statistic="MEAN" to save memory?', default: false });
  /** Clipping half-width (sigma). */
  sigmaClip = Field.float({ doc: 'Sigma for outlier rejection; ignored if non-clipping statistic selected.', default: 3.0 });
  /** Clipping passes. */
  clipIter = Field.int({ doc: 'Number of iterations of outlier rejection; ignored if non-clipping statistic selected.', default: 2 });
  /** The coadd variance from the input variances. */
  calcErrorFromInputVariance = Field.bool({
    doc: 'Calculate coadd variance from input variance by stacking statistic. Passed to StatisticsControl.setCalcErrorFromInputVariance()',
    default: true,
  });
  /** Scale the warps' zero points (deprecated in LSST; not implemented). */
  doScaleZeroPoint = Field.bool({
    doc: 'Scale the photometric zero point of the coadd temp exposures such that the magnitude zero point results in a flux in nJy.',
    default: false,
  });
  /** Interpolate over the NO_DATA pixels of the coadd. */
  doInterp = Field.bool({ doc: 'Interpolate over NaN pixels? Also extrapolate, if necessary, but the results are ugly.', default: true });
  /** Write the coadd. */
  doWrite = Field.bool({ doc: 'Persist coadd?', default: true });
  /** Write each warp's mask with the artifacts clipped (CompareWarp only; ignored by this task). */
  doWriteArtifactMasks = Field.bool({ doc: 'Persist artifact masks? Should be True for CompareWarp only.', default: false });
  /** Make the image of the number of inputs per pixel. */
  doNImage = Field.bool({ doc: 'Create image of number of contributing exposures for each pixel', default: false });
  /** Per rejecting mask plane, the rejected weight fraction above which the plane is set on the coadd. */
  maskPropagationThresholds = DictField({
    doc: 'Threshold (in fractional weight) of rejection at which we propagate a mask plane to the coadd; that is, we set the mask bit on the coadd if the fraction the rejected frames would have contributed exceeds this value.',
    keytype: 'str',
    itemtype: 'float',
    default: { SAT: 0.1 },
  });
  /** Mask planes cleared on the warps before stacking. */
  removeMaskPlanes = ListField({ doc: 'Mask planes to remove before coadding', dtype: 'str', default: ['NOT_DEBLENDED'] });
  /** Bright object masks (not implemented). */
  doMaskBrightObjects = Field.bool({ doc: 'Set mask and flag bits for bright objects?', default: false });
  /** The mask plane of bright objects. */
  brightObjectMaskName = Field.str({ doc: 'Name of mask bit used for bright objects', default: 'BRIGHT_OBJECT' });
  /** Transmission curve of the coadd (not implemented). */
  doAttachTransmissionCurve = Field.bool({
    doc: 'Attach a piecewise TransmissionCurve for the coadd? (requires all input Exposures to have TransmissionCurves).',
    default: false,
  });
  /** Fake sources were inserted into the inputs. */
  hasFakes = Field.bool({ doc: 'Should be set to True if fake sources have been inserted into the input data.', default: false });
  /** Coadd only the visits of `selectedVisits` (a BestSeeingSelectVisitsTask's output). */
  doSelectVisits = Field.bool({ doc: 'Coadd only visits selected by a SelectVisitsTask', default: false });
  /** Make the HealSparse input map (`deepCoadd_inputMap`). */
  doInputMap = Field.bool({ doc: 'Create a bitwise map of coadd inputs', default: false });
  /** Makes the input map. */
  inputMapper = ConfigurableField({ doc: 'Input map creation subtask.', target: HealSparseInputMapTask }) as unknown as HealSparseInputMapConfig;
  /** Records the coadd's inputs (its CoaddInputs). */
  inputRecorder = ConfigurableField({ doc: 'Subtask that helps fill CoaddInputs catalogs added to the final Exposure', target: CoaddInputRecorderTask }) as unknown as CoaddInputRecorderConfig;
  /** The coadd's CoaddPsf. */
  coaddPsf = ConfigField({ doc: 'Configuration for CoaddPsf', dtype: CoaddPsfConfig });

  /** LSST's setDefaults: NO_DATA, BAD, SAT and EDGE exclude a pixel. */
  override setDefaults(): void {
    super.setDefaults();
    this.badMaskPlanes = ['NO_DATA', 'BAD', 'SAT', 'EDGE'];
  }

  /**
   * Checks the statistic and the unsupported switches.
   *
   * @throws {@link PipeTasksInvalidArgumentError} for a statistic that cannot be stacked or an
   *   unsupported switch set to true
   */
  override validate(): void {
    super.validate();
    if (!STACK_STATISTICS.includes(this.statistic as StackStatistic)) {
      throw new PipeTasksInvalidArgumentError(`statistic ${this.statistic} is not allowed.`, { hint: `Please choose one of ${STACK_STATISTICS.join(', ')}.` });
    }
    const self = this as unknown as Record<string, unknown>;
    for (const name of UNSUPPORTED_ASSEMBLE_COADD_OPTIONS) {
      if (self[name] === true) throw new PipeTasksInvalidArgumentError(`AssembleCoaddConfig.${name} = true is not supported by SkyStack yet.`, { hint: `Leave ${name} false.` });
    }
  }
}

/** The inputs of {@link AssembleCoaddTask.run}. */
export interface AssembleCoaddInputs extends Readonly<Record<string, unknown>> {
  /** The patch: its outer bbox is the coadd's, its WCS the coadd's. */
  readonly skyInfo: SkyInfo;
  /** The warps (from {@link AssembleCoaddTask.prepareInputs}). */
  readonly warpRefList: readonly WarpHandle[];
  /** One weight per warp (from {@link AssembleCoaddTask.prepareInputs}). */
  readonly weightList: readonly number[];
  /** One zero-point scaler (or undefined) per warp; deprecated in LSST. */
  readonly imageScalerList?: readonly (ImageScaler | undefined)[] | undefined;
  /** Mask bits that exclude a pixel (default the `badMaskPlanes`). */
  readonly mask?: number | undefined;
}

/** What {@link AssembleCoaddTask.run} returns. */
export interface AssembleCoaddResult {
  /** The coadd. */
  readonly coaddExposure: Exposure<Float32Array>;
  /** The number of inputs per pixel (with `doNImage`). */
  readonly nImage: ImageU | undefined;
  /** The input map (with `doInputMap`). */
  readonly inputMap: HealSparseMap | undefined;
  /** The warps (unchanged). */
  readonly warpRefList: readonly WarpHandle[];
  /** The scalers (unchanged). */
  readonly imageScalerList: readonly (ImageScaler | undefined)[];
  /** The weights (unchanged). */
  readonly weightList: readonly number[];
}

/** What {@link AssembleCoaddTask.prepareInputs} returns. */
export interface AssembleCoaddPreparedInputs {
  /** The warps with data and a finite weight. */
  readonly warpRefList: WarpHandle[];
  /** Their weights, `1 / MEANCLIP(variance)` over the good pixels. */
  readonly weightList: number[];
  /** Their scalers (all undefined: zero-point scaling is not done). */
  readonly imageScalerList: (ImageScaler | undefined)[];
}

/**
 * Assembles a coadd from the warps of a patch: each warp is weighted by the inverse of its
 * mean (sigma-clipped) variance ({@link prepareInputs}), then the patch is stacked subregion by
 * subregion (`subregionSize`; each warp is read a subregion at a time through its handle) with
 * {@link statisticsStack} (`statistic`: MEANCLIP by default, MEAN, MEDIAN), the coadd variance
 * from the input variances, mask planes OR-ed over the pixels used, `maskPropagationThresholds`
 * applied to the rejected ones, and rejected pixels mapped to `REJECTED`, `SENSOR_EDGE`,
 * `CLIPPED`. Pixels without input get `NO_DATA` (and, with `doInterp`, values interpolated
 * along rows in {@link processResults}).
 *
 * The coadd gets the tract WCS, a `PhotoCalib` of 1 (pixels in nJy), `BUNIT = nJy`, the band
 * of the first warp, the `CoaddInputs` of all warps, a `CoaddPsf` of them and their aperture
 * corrections (`makeCoaddApCorrMap`; {@link AssembleCoaddTask.assembleMetadata}).
 *
 * @example
 * ```ts
 * const task = new AssembleCoaddTask();
 * const prepared = await task.prepareInputs(handles, skyInfo.bbox);
 * const { coaddExposure } = (await task.run({ skyInfo, ...prepared })).getDict();
 * task.processResults(coaddExposure);
 * ```
 * @see lsst.drp.tasks.assemble_coadd.AssembleCoaddTask
 */
export class AssembleCoaddTask extends PipelineTask<AssembleCoaddConfig> {
  /** {@link AssembleCoaddConfig}. */
  static override ConfigClass = AssembleCoaddConfig;
  /** `assembleCoadd`. */
  static override _DefaultName: string | undefined = 'assembleCoadd';
  /** The warp type (`direct` or `psfMatched`). */
  readonly warpType: string;
  /** The subtask that records the coadd's inputs. */
  readonly inputRecorder: CoaddInputRecorderTask;
  /** The input map subtask (with `doInputMap`). */
  readonly inputMapper: HealSparseInputMapTask | undefined;

  /**
   * Makes the task.
   *
   * @param options - config, name, parent task
   * @throws {@link PipeTasksInvalidArgumentError} for an invalid config
   */
  constructor(options: PipelineTaskOptions<AssembleCoaddConfig> = {}) {
    super(options);
    this.config.validate();
    this.warpType = this.config.warpType;
    this.inputRecorder = this.makeSubtask<CoaddInputRecorderTask>('inputRecorder');
    if (this.config.doInputMap) this.inputMapper = this.makeSubtask<HealSparseInputMapTask>('inputMapper');
  }

  /**
   * The name of the warp dataset type (`deepCoadd_directWarp`).
   *
   * @param warpType - `direct` or `psfMatched` (default the config's)
   * @returns the dataset type name
   * @see lsst.pipe.tasks.coaddBase.CoaddBaseTask.getTempExpDatasetName
   */
  getTempExpDatasetName(warpType: string = this.warpType): string {
    return `${this.config.coaddName}Coadd_${warpType}Warp`;
  }

  /**
   * The bits of `badMaskPlanes` in a plane dictionary (planes it lacks are skipped).
   *
   * @param planeDict - the dictionary (default afw's default planes)
   * @returns the bit mask
   * @see lsst.pipe.tasks.coaddBase.CoaddBaseTask.getBadPixelMask
   */
  getBadPixelMask(planeDict: { hasPlane(n: string): boolean; getPlane(n: string): number } = defaultPlanes()): number {
    let bits = 0;
    for (const name of this.config.badMaskPlanes) if (planeDict.hasPlane(name)) bits |= 1 << planeDict.getPlane(name);
    return bits;
  }

  /**
   * Weighs the warps: reads each one over the coadd bbox (one at a time), skips those with no
   * finite pixel, checks that the pixels are in nJy (`BUNIT`), and takes as weight the inverse
   * of the sigma-clipped mean (`sigmaClip`, `clipIter`) of the variance over the pixels without
   * `badMaskPlanes`; warps with a non-finite weight are skipped with a warning.
   *
   * @param refList - the warp handles
   * @param coaddBBox - the coadd's bbox
   * @returns the kept warps, their weights and (undefined) scalers
   * @throws {@link PipeTasksInvalidArgumentError} for a warp that is not an Exposure, has no
   *   `BUNIT`, or a unit other than nJy
   * @see lsst.drp.tasks.assemble_coadd.AssembleCoaddTask.prepareInputs
   */
  async prepareInputs(refList: readonly WarpHandle[], coaddBBox: Box2I): Promise<AssembleCoaddPreparedInputs> {
    const warpRefList: WarpHandle[] = [];
    const weightList: number[] = [];
    const imageScalerList: (ImageScaler | undefined)[] = [];
    const warpName = this.getTempExpDatasetName();
    for (const [i, ref] of refList.entries()) {
      const warp = await ref.get({ parameters: { bbox: coaddBBox } });
      if (!(warp instanceof Exposure)) {
        throw new PipeTasksInvalidArgumentError(`Warp ${i} read as ${describe(warp)}; expected an Exposure.`);
      }
      const mi = warp.maskedImage;
      if (!hasFinite(mi.image.array.data)) continue;
      const bunit = warp.metadata.getString('BUNIT');
      if (bunit === undefined) {
        throw new PipeTasksInvalidArgumentError(`Warp ${i} has no BUNIT metadata.`, { hint: "Warps must be calibrated to nJy (MakeWarpTask sets BUNIT = 'nJy')." });
      }
      if (bunit.trim() !== 'nJy') throw new PipeTasksInvalidArgumentError(`Warp ${i} has BUNIT ${bunit}, expected nJy.`);
      const stats = makeStatistics(mi.variance.array.data, {
        properties: ['MEANCLIP'],
        mask: mi.mask.array.data,
        andMask: this.getBadPixelMask(mi.mask.planeDict),
        numSigmaClip: this.config.sigmaClip,
        numIter: this.config.clipIter,
        region: { stride: mi.variance.array.stride, x0: 0, y0: 0, width: mi.getWidth(), height: mi.getHeight() },
      });
      const weight = 1 / stats.getValue('MEANCLIP');
      if (!Number.isFinite(weight)) {
        this.log.warn(`Non-finite weight for ${warpName} ${i}: skipping`);
        continue;
      }
      this.log.info(`Weight of ${warpName} ${i} = ${weight.toFixed(3)}`);
      warpRefList.push(ref);
      weightList.push(weight);
      imageScalerList.push(undefined);
    }
    return { warpRefList, weightList, imageScalerList };
  }

  /**
   * Assembles the coadd (see the class description).
   *
   * @param inputs - the patch, the warps, their weights (and scalers, and the bad-pixel mask)
   * @returns the coadd, the nImage (with `doNImage`), and the inputs
   * @throws NoWorkFound when there are no warps
   * @throws {@link PipeTasksInvalidArgumentError} when the lists differ in length
   * @see lsst.drp.tasks.assemble_coadd.AssembleCoaddTask.run
   */
  override async run(inputs: AssembleCoaddInputs): Promise<Struct<AssembleCoaddResult>> {
    return timeMethod(this, 'run', () => this.#run(inputs));
  }

  async #run(inputs: AssembleCoaddInputs): Promise<Struct<AssembleCoaddResult>> {
    const { skyInfo, warpRefList, weightList } = inputs;
    const imageScalerList = inputs.imageScalerList ?? new Array<ImageScaler | undefined>(warpRefList.length).fill(undefined);
    this.log.info(`Assembling ${warpRefList.length} ${this.getTempExpDatasetName()}`);
    if (warpRefList.length === 0) throw new NoWorkFound('No exposures provided for co-addition.');
    if (weightList.length !== warpRefList.length || imageScalerList.length !== warpRefList.length) {
      throw new PipeTasksInvalidArgumentError(
        `Length mismatch: ${warpRefList.length} warps, ${weightList.length} weights, ${imageScalerList.length} image scalers; expected one of each per warp.`,
      );
    }
    // One pixel of each warp: its metadata and CoaddInputs.
    const onePixel = Box2I.fromCorner(skyInfo.bbox.getMin(), new Extent2I(1, 1));
    const heads: unknown[] = [];
    for (const ref of warpRefList) heads.push(await ref.get({ parameters: { bbox: onePixel } }));
    const coaddExposure = this.#makeCoaddExposure(skyInfo, heads[0]);
    this.assembleMetadata(coaddExposure, heads, weightList);
    const planeDict = coaddExposure.mask.planeDict;
    const andMask = inputs.mask ?? this.getBadPixelMask(planeDict);
    if (this.inputMapper !== undefined) {
      const coaddInputs = getCoaddInputs(coaddExposure.getInfo());
      if (coaddInputs === null || skyInfo.wcs === null) {
        throw new PipeTasksInvalidArgumentError('doInputMap needs warps with CoaddInputs and a patch WCS: the coadd has no inputs recorded or no WCS.', {
          hint: 'Make the warps with MakeWarpTask (which records CoaddInputs), or set doInputMap = false.',
        });
      }
      this.inputMapper.buildCcdInputMap(skyInfo.bbox, skyInfo.wcs, coaddInputs.ccds);
    }
    const maskMap = setRejectedMaskMapping(andMask, planeDict);
    const clipped = planeDict.getPlaneBitMask('CLIPPED');
    const thresholds = new Map<number, number>();
    for (const [plane, threshold] of Object.entries(this.config.maskPropagationThresholds as Record<string, number>)) {
      if (planeDict.hasPlane(plane)) thresholds.set(planeDict.getPlane(plane), threshold);
    }
    const nImage = this.config.doNImage ? ImageU(skyInfo.bbox) : undefined;
    const [sw, sh] = this.config.subregionSize as readonly number[];
    const stackOptions = {
      statistic: this.config.statistic as StackStatistic,
      weights: weightList,
      andMask,
      numSigmaClip: this.config.sigmaClip,
      numIter: this.config.clipIter,
      calcErrorFromInputVariance: this.config.calcErrorFromInputVariance,
      maskPropagationThresholds: thresholds,
      maskMap,
      clipped,
      noGoodPixelsMask: planeDict.getPlaneBitMask('NO_DATA'),
    };
    if (this.config.doOnlineForMean && this.config.statistic === 'MEAN') {
      await this.assembleOnlineMeanCoadd(coaddExposure, warpRefList, imageScalerList, stackOptions, nImage);
    } else {
      for (const subBBox of subBBoxIter(skyInfo.bbox, new Extent2I(sw!, sh!))) {
        await this.assembleSubregion(coaddExposure, subBBox, warpRefList, imageScalerList, stackOptions, nImage);
      }
    }
    this.setInexactPsf(coaddExposure.mask);
    setCoaddEdgeBits(coaddExposure.mask, coaddExposure.variance);
    this.inputMapper?.finalizeCcdInputMapMask();
    const inputMap = this.inputMapper?.ccdInputMap;
    return new Struct<AssembleCoaddResult>({ coaddExposure, nImage, inputMap, warpRefList, imageScalerList, weightList });
  }

  /**
   * The empty coadd: the patch bbox and WCS, a PhotoCalib of 1 (nJy), `BUNIT = nJy`, the band of
   * the first warp, and the mask planes of the first warp (read as a single pixel).
   */
  #makeCoaddExposure(skyInfo: SkyInfo, first: unknown): Exposure<Float32Array> {
    const firstMi = asMaskedImage(first, 0);
    const coadd = Exposure.make('float32', skyInfo.bbox, firstMi.mask.planeDict.clone());
    coadd.setWcs(skyInfo.wcs);
    coadd.setPhotoCalib(new PhotoCalib(1.0));
    coadd.metadata.set('BUNIT', 'nJy');
    if (first instanceof Exposure) {
      const filter = first.getFilter();
      if (filter !== null && filter.hasBandLabel()) coadd.setFilter(FilterLabel.fromBand(filter.bandLabel));
    }
    for (const plane of ['REJECTED', 'CLIPPED', 'SENSOR_EDGE']) if (!coadd.mask.planeDict.hasPlane(plane)) coadd.mask.addMaskPlane(plane);
    return coadd;
  }

  /**
   * Sets the coadd's inputs and PSF: takes each warp's `CoaddInputs` (from a read of one pixel of
   * the warp), adds its visit and detectors with the warp's weight (`inputRecorder.addVisitToCoadd`)
   * in visit order (so both catalogs are sorted by ID, as LSST sorts them), and sets a `CoaddPsf`
   * of the ccds (`coaddPsf` config) and the weighted aperture corrections of the inputs
   * (`makeCoaddApCorrMap`) on the coadd.
   * Warps without CoaddInputs (made elsewhere) leave the coadd without inputs or PSF, with a
   * warning.
   *
   * @param coaddExposure - the coadd (changed)
   * @param warpList - the warps (any part of each: only their components are used)
   * @param weightList - their weights
   * @see lsst.drp.tasks.assemble_coadd.AssembleCoaddTask.assembleMetadata
   */
  assembleMetadata(coaddExposure: Exposure<Float32Array>, warpList: readonly unknown[], weightList: readonly number[]): void {
    const warps: { warp: Exposure; visit: bigint; weight: number }[] = [];
    for (const [i, warp] of warpList.entries()) {
      const inputs = warp instanceof Exposure ? getCoaddInputs(warp.getInfo()) : null;
      if (inputs === null || inputs.visits.length === 0) {
        this.log.warn(`Warp ${i} has no CoaddInputs: the coadd gets no CoaddInputs and no PSF.`);
        return;
      }
      warps.push({ warp: warp as Exposure, visit: inputs.visits.get(0).getId(), weight: weightList[i]! });
    }
    // LSST sorts both catalogs by ID; adding the warps in visit order does that (a warp's ccds
    // are recorded in detector order).
    warps.sort((a, b) => (a.visit < b.visit ? -1 : a.visit > b.visit ? 1 : 0));
    const coaddInputs = this.inputRecorder.makeCoaddInputs();
    for (const { warp, weight } of warps) this.inputRecorder.addVisitToCoadd(coaddInputs, warp, weight);
    setCoaddInputs(coaddExposure.getInfo(), coaddInputs);
    if (coaddInputs.ccds.length === 0) {
      this.log.warn('No detector of any warp has good pixels: the coadd gets no PSF.');
      return;
    }
    const wcs = coaddExposure.getWcs()!;
    coaddExposure.setPsf(new CoaddPsf(coaddInputs.ccds, wcs, this.config.coaddPsf.makeControl()));
    coaddExposure.getInfo().setApCorrMap(makeCoaddApCorrMap(coaddInputs.ccds, coaddExposure.getBBox(), wcs));
  }

  /**
   * Sets `INEXACT_PSF` where an input is missing from a pixel (`SENSOR_EDGE`, `CLIPPED` or
   * `REJECTED`: a detector edge or a rejected pixel), where the coadd's `CoaddPsf`, the weighted
   * mean of every input covering the point, is not the PSF of the pixels.
   *
   * @param mask - the coadd's mask (changed; the plane is added if needed)
   * @see lsst.drp.tasks.assemble_coadd.AssembleCoaddTask.setInexactPsf
   */
  setInexactPsf(mask: Mask): void {
    if (!mask.planeDict.hasPlane('INEXACT_PSF')) mask.addMaskPlane('INEXACT_PSF');
    const inexact = mask.getPlaneBitMask('INEXACT_PSF');
    const missing = mask.getPlaneBitMask(['SENSOR_EDGE', 'CLIPPED', 'REJECTED'].filter((p) => mask.planeDict.hasPlane(p)));
    const data = mask.array.data;
    for (let i = 0; i < data.length; i++) if ((data[i]! & missing) !== 0) data[i]! |= inexact;
  }

  /**
   * Stacks one subregion: reads every warp within `bbox`, brings its mask planes to the coadd's
   * numbering, scales it (with a scaler), counts nImage, clears `removeMaskPlanes`, and writes
   * {@link statisticsStack} of them into the coadd's pixels. A warp that does not cover the
   * whole subregion contributes nothing outside its bbox.
   *
   * @param coaddExposure - the coadd (written within `bbox`)
   * @param bbox - the subregion (PARENT)
   * @param warpRefList - the warps
   * @param imageScalerList - their scalers
   * @param stackOptions - the stacking options (statistic, weights, masks)
   * @param nImage - the input count image to fill, if any
   * @throws {@link PipeTasksInvalidArgumentError} for a warp that reads as neither an Exposure
   *   nor a MaskedImage
   * @see lsst.drp.tasks.assemble_coadd.AssembleCoaddTask.assembleSubregion
   */
  async assembleSubregion(
    coaddExposure: Exposure<Float32Array>,
    bbox: Box2I,
    warpRefList: readonly WarpHandle[],
    imageScalerList: readonly (ImageScaler | undefined)[],
    stackOptions: Parameters<typeof statisticsStack>[1],
    nImage?: ImageU,
  ): Promise<void> {
    this.log.debug(`Stacking subregion ${bbox.toString()}`);
    const planeDict = coaddExposure.mask.planeDict;
    const read = await Promise.all(warpRefList.map((ref) => ref.get({ parameters: { bbox } })));
    const maskedImages = read.map((r, i) => {
      let mi = asMaskedImage(r, i);
      if (!mi.getBBox().equals(bbox)) mi = padTo(mi, bbox);
      const mask = conformMaskPlanes(mi.mask, planeDict);
      if (mask !== mi.mask) mi = new MaskedImage(mi.image, mask, mi.variance);
      imageScalerList[i]?.scaleMaskedImage(mi);
      this.#countInInputMap(r, bbox, mi.mask, stackOptions.andMask ?? 0);
      return mi;
    });
    const subNImage = nImage?.subset(bbox);
    // nImage is counted by the stack, after removeMaskPlanes (LSST counts before): the same
    // unless a removed plane is also one of the bad planes.
    if (this.config.removeMaskPlanes.length > 0) {
      for (const mi of maskedImages) removeMaskPlanes(mi.mask, this.config.removeMaskPlanes, (name) => this.log.debug(`Unable to remove mask plane ${name}: no mask plane with that name was found.`));
    }
    statisticsStack(maskedImages, { ...stackOptions, ...(subNImage === undefined ? {} : { nImage: subNImage }) }, coaddExposure.maskedImage.subset(bbox));
  }

  /** With `doInputMap`, counts a warp's rejected pixels (`andMask`) over `bbox` in the input map, for the warp's visit. */
  #countInInputMap(warp: unknown, bbox: Box2I, mask: Mask, andMask: number): void {
    if (this.inputMapper === undefined || !(warp instanceof Exposure)) return;
    const visit = getCoaddInputs(warp.getInfo())?.visits.get(0)?.getId();
    if (visit !== undefined) this.inputMapper.maskWarpBBox(bbox, Number(visit), mask, andMask);
  }

  /**
   * Stacks the whole patch as running sums (`AccumulatorMeanStack` of `@skystack/meas-algorithms`),
   * one warp at a time: each warp is read once over the coadd bbox, scaled, its
   * `removeMaskPlanes` cleared, added with its weight, and counted in the input map. Memory: the
   * sums (a few float64 planes of the patch) and one warp, whatever the number of warps. The same
   * result as {@link assembleSubregion} with MEAN (tested to the bit).
   *
   * @param coaddExposure - the coadd (its masked image is filled)
   * @param warpRefList - the warp handles
   * @param imageScalerList - one scaler (or undefined) per warp
   * @param stackOptions - the weights, bad-pixel mask, thresholds, mask map and variance choice of the stack
   * @param nImage - the input count image to fill, if any
   * @throws {@link PipeTasksInvalidArgumentError} for a warp that is neither an Exposure nor a MaskedImage
   * @see lsst.drp.tasks.assemble_coadd.AssembleCoaddTask.assembleOnlineMeanCoadd
   */
  async assembleOnlineMeanCoadd(
    coaddExposure: Exposure<Float32Array>,
    warpRefList: readonly WarpHandle[],
    imageScalerList: readonly (ImageScaler | undefined)[],
    stackOptions: Parameters<typeof statisticsStack>[1],
    nImage?: ImageU,
  ): Promise<void> {
    this.log.debug('Computing online coadd.');
    const bbox = coaddExposure.getBBox();
    const planeDict = coaddExposure.mask.planeDict;
    const andMask = stackOptions.andMask ?? 0;
    const stacker = new AccumulatorMeanStack(bbox.getWidth(), bbox.getHeight(), andMask, {
      ...(stackOptions.maskPropagationThresholds === undefined ? {} : { maskThresholds: stackOptions.maskPropagationThresholds }),
      ...(stackOptions.maskMap === undefined ? {} : { maskMap: stackOptions.maskMap }),
      ...(stackOptions.noGoodPixelsMask === undefined ? {} : { noGoodPixelsMask: stackOptions.noGoodPixelsMask }),
      calcErrorFromInputVariance: stackOptions.calcErrorFromInputVariance ?? false,
      computeNImage: nImage !== undefined,
    });
    const weights = stackOptions.weights ?? [];
    for (const [i, ref] of warpRefList.entries()) {
      const read = await ref.get({ parameters: { bbox } });
      let mi = asMaskedImage(read, i);
      if (!mi.getBBox().equals(bbox)) mi = padTo(mi, bbox);
      const mask = conformMaskPlanes(mi.mask, planeDict);
      if (mask !== mi.mask) mi = new MaskedImage(mi.image, mask, mi.variance);
      imageScalerList[i]?.scaleMaskedImage(mi);
      // LSST counts the input map on the mask before removeMaskPlanes, as assembleSubregion.
      this.#countInInputMap(read, bbox, mi.mask, andMask);
      if (this.config.removeMaskPlanes.length > 0) removeMaskPlanes(mi.mask, this.config.removeMaskPlanes, (name) => this.log.debug(`Unable to remove mask plane ${name}: no mask plane with that name was found.`));
      stacker.addMaskedImage(mi, weights[i] ?? 1);
    }
    stacker.fillStackedMaskedImage(coaddExposure.maskedImage);
    if (nImage !== undefined) {
      const counts = stacker.nImage!;
      const { data, stride, width, height } = nImage.array;
      for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * stride + x] = data[y * stride + x]! + counts[y * width + x]!;
    }
  }

  /**
   * Finishes the coadd: with `doInterp`, interpolates over the `NO_DATA` pixels along rows
   * (`interpolateOverDefects` of `@skystack/ip-isr`: linear between the good neighbours, the
   * clipped mean at the edges) and sets the variance that is not > 0 to +Infinity.
   *
   * @param coaddExposure - the coadd (modified)
   * @see lsst.drp.tasks.assemble_coadd.AssembleCoaddTask.processResults
   */
  processResults(coaddExposure: Exposure): void {
    if (!this.config.doInterp) return;
    const mi = coaddExposure.maskedImage;
    interpolateOverDefects(mi, mi.mask.getPlaneBitMask('NO_DATA'));
    const v = (mi.variance as ImageF).array;
    for (let y = 0; y < v.height; y++) {
      const o = y * v.stride;
      for (let x = 0; x < v.width; x++) if (!(v.data[o + x]! > 0)) v.data[o + x] = Infinity;
    }
  }

  /**
   * Reads the sky map, makes the patch's sky info, weighs the warps ({@link prepareInputs}),
   * assembles ({@link run}), finishes ({@link processResults}) and writes `deepCoadd` (and
   * `deepCoadd_nImage`).
   *
   * @param butlerQC - the quantum context
   * @param inputRefs - the input references
   * @param outputRefs - the output references
   * @throws NoWorkFound when no warp has data
   * @see lsst.drp.tasks.assemble_coadd.AssembleCoaddTask.runQuantum
   */
  override async runQuantum(butlerQC: QuantumContext, inputRefs: InputQuantizedConnection, outputRefs: OutputQuantizedConnection): Promise<void> {
    const inputs = (await butlerQC.get(inputRefs)) as Record<string, unknown>;
    const skyMap = inputs['skyMap'] as BaseSkyMap;
    const dataId = butlerQC.quantum.dataId;
    const skyInfo = makeSkyInfo(skyMap, Number(dataId.get('tract')), Number(dataId.get('patch')));
    let handles = (inputs['inputWarps'] ?? []) as readonly WarpHandle[];
    let refs = (inputRefs['inputWarps'] ?? []) as readonly QuantizedRef[];
    if (this.config.doSelectVisits) {
      const order = filterWarps(refs, inputs['selectedVisits'] as Record<string, unknown>);
      this.log.info(`Coadding the ${order.length} of ${refs.length} warps whose visits were selected`);
      handles = order.map((i) => handles[i]!);
      refs = order.map((i) => refs[i]!);
    }
    const prepared = await this.prepareInputs(handles, skyInfo.bbox);
    this.log.info(`Found ${prepared.warpRefList.length} ${this.getTempExpDatasetName()} of ${refs.length} (${refs.filter((r) => r instanceof DeferredDatasetRef).length} deferred)`);
    if (prepared.warpRefList.length === 0) throw new NoWorkFound('No coadd temporary exposures found');
    const res = (await this.run({ skyInfo, ...prepared })).getDict();
    this.processResults(res.coaddExposure);
    const visitOf = new Map<WarpHandle, number>();
    handles.forEach((h, i) => {
      const ref = refs[i];
      if (ref !== undefined) visitOf.set(h, Number(dataIdOf(ref).get('visit')));
    });
    const done = await this.putWarpOutputs(butlerQC, outputRefs, res, visitOf);
    if (!this.config.doWrite) return;
    const outputs: Record<string, unknown> = { coaddExposure: res.coaddExposure };
    if (res.nImage !== undefined) outputs['nImage'] = res.nImage;
    if (res.inputMap !== undefined) outputs['inputMap'] = res.inputMap;
    await butlerQC.put(outputs, Object.fromEntries(Object.entries(outputRefs).filter(([name]) => !done.includes(name))) as OutputQuantizedConnection);
  }

  /**
   * Writes per-warp outputs of a quantum; none here (`doWriteArtifactMasks` is CompareWarp's, and
   * ignored by this task, as in LSST).
   *
   * @param _butlerQC - the quantum context
   * @param _outputRefs - the output references
   * @param _result - what {@link run} returned
   * @param _visitOf - the visit of each warp handle
   * @returns the output connections written (none)
   */
  protected putWarpOutputs(_butlerQC: QuantumContext, _outputRefs: OutputQuantizedConnection, _result: AssembleCoaddResult, _visitOf: ReadonlyMap<WarpHandle, number>): Promise<string[]> {
    return Promise.resolve([]);
  }
}

/** afw's default mask planes, for {@link AssembleCoaddTask.getBadPixelMask} without a mask. */
function defaultPlanes(): { hasPlane(n: string): boolean; getPlane(n: string): number } {
  const names = ['BAD', 'SAT', 'INTRP', 'CR', 'EDGE', 'DETECTED', 'DETECTED_NEGATIVE', 'SUSPECT', 'NO_DATA'];
  return { hasPlane: (n) => names.includes(n), getPlane: (n) => names.indexOf(n) };
}

function hasFinite(data: ArrayLike<number>): boolean {
  for (let i = 0; i < data.length; i++) if (Number.isFinite(data[i]!)) return true;
  return false;
}

/**
 * The indices of the warps whose visits are among the selected ones (LSST's `filterWarps`), in
 * the order of the selection's keys.
 *
 * @param refs - the warps' references (their data IDs have `visit`)
 * @param goodVisits - the selection: visit (a key) → anything
 * @returns the indices into `refs`
 * @see lsst.drp.tasks.assemble_coadd.AssembleCoaddTask.filterWarps
 */
export function filterWarps(refs: readonly QuantizedRef[], goodVisits: Readonly<Record<string, unknown>>): number[] {
  const byVisit = new Map<number, number>();
  refs.forEach((r, i) => byVisit.set(Number(dataIdOf(r).get('visit')), i));
  const out: number[] = [];
  for (const visit of Object.keys(goodVisits)) {
    const i = byVisit.get(Number(visit));
    if (i !== undefined) out.push(i);
  }
  return out;
}

/** The data ID of a quantized reference (deferred or not). */
function dataIdOf(r: QuantizedRef): { get(key: string): unknown } {
  return (r instanceof DeferredDatasetRef ? r.datasetRef : r).dataId;
}
