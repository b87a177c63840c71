// MakeWarpTask: resamples the calexps of one visit onto the pixel grid of a sky-map patch, in
// nJy, one warp per (tract, patch, visit) (lsst.pipe.tasks.makeWarp).
import { computeWarpedBBox, Exposure, MaskedImage, MaskPlaneDict, PhotoCalib, warpExposure, WarpingControl } from '@skystack/afw-image';
import type { PixelArray } from '@skystack/afw-image';
import { Box2I } from '@skystack/geom';
import { CoaddPsf, CoaddPsfConfig } from '@skystack/meas-algorithms';
import { ChoiceField, Config, ConfigField, ConfigurableField, Field, ListField } from '@skystack/pex-config';
import { DeferredDatasetRef, Input, Output, PipelineTask, PipelineTaskConfig, Struct, defineConnections, timeMethod } from '@skystack/pipe-base';
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
import type { SkyWcs } from '@skystack/wcs';
import { PipeTasksInvalidArgumentError } from '../errors.js';
import { CoaddInputRecorderTask, type CoaddInputRecorderConfig } from './coadd-input-recorder-task.js';
import { conformMaskPlanes, makeSkyInfo, type SkyInfo } from './coadd-utils.js';

const WARP_DIMENSIONS = ['tract', 'patch', 'skymap', 'instrument', 'visit'] as const;

/**
 * The connections of {@link MakeWarpTask}, per `(tract, patch, skymap, instrument, visit)`: the
 * calexps of the visit (`calexp`, deferred, one per detector) and the `skyMap` in;
 * `deepCoadd_directWarp` out.
 *
 * @see lsst.pipe.tasks.makeWarp.MakeWarpConnections
 */
export class MakeWarpConnections extends defineConnections({
  dimensions: WARP_DIMENSIONS,
  defaultTemplates: { coaddName: 'deep', calexpType: '' },
  connections: {
    /** The calexps of the visit (read only when they overlap the patch). */
    calExpList: new Input({
      doc: 'Input exposures to be resampled and optionally PSF-matched onto a SkyMap projection/patch',
      name: '{calexpType}calexp',
      storageClass: 'ExposureF',
      dimensions: ['instrument', 'visit', 'detector'],
      multiple: true,
      deferLoad: true,
    }),
    /** The sky map (geometry and WCS of the patch). */
    skyMap: new Input({
      doc: 'Input definition of geometry/bbox and projection/wcs for warped exposures',
      name: 'skyMap',
      storageClass: 'SkyMap',
      dimensions: ['skymap'],
    }),
    /** The direct warp. */
    direct: new Output({
      doc: 'Output direct warped exposure (previously called CoaddTempExp), produced by resampling calexps onto the skyMap patch geometry.',
      name: '{coaddName}Coadd_directWarp',
      storageClass: 'ExposureF',
      dimensions: WARP_DIMENSIONS,
    }),
  },
  configure(self, config) {
    if (!(config as unknown as MakeWarpConfig).makeDirect) self.removeConnection('direct');
  },
}) {}

/**
 * The warping part of LSST's `WarperConfig` (`lsst.afw.math.WarperConfig`) as a pex-config
 * class: kernels, interpolation length, kernel cache and the mask bits grown to the full kernel.
 *
 * @see lsst.afw.math.WarperConfig
 */
export class WarperConfigFields extends Config {
  /** The kernel of the image and variance planes. */
  warpingKernelName = ChoiceField({
    doc: 'Warping kernel',
    dtype: 'str',
    default: 'lanczos3',
    allowed: { bilinear: 'bilinear interpolation', lanczos3: 'Lanczos kernel of order 3', lanczos4: 'Lanczos kernel of order 4', lanczos5: 'Lanczos kernel of order 5' },
  });
  /** The kernel of the mask plane (`''`: the warping kernel). */
  maskWarpingKernelName = ChoiceField({
    doc: 'Warping kernel for mask (use ``warpingKernelName`` if empty)',
    dtype: 'str',
    default: 'bilinear',
    allowed: {
      '': 'use the regular warping kernel for the mask plane, as well as the image and variance planes',
      bilinear: 'bilinear interpolation',
      lanczos3: 'Lanczos kernel of order 3',
      lanczos4: 'Lanczos kernel of order 4',
      lanczos5: 'Lanczos kernel of order 5',
    },
  });
  /** Distance between exactly transformed positions (pixels). */
  interpLength = Field.int({ doc: 'interpLength argument to lsst.afw.math.warpExposure', default: 10 });
  /** Size of the kernel weight cache (0: exact weights). */
  cacheSize = Field.int({ doc: 'cacheSize argument to lsst.afw.math.SeparableKernel.computeCache', default: 1000000 });
  /** Mask bits grown to the full warping kernel (afw's EDGE bit by default). */
  growFullMask = Field.int({ doc: 'mask bits to grow to full width of image/variance kernel,', default: 1 << 4 });
}

/**
 * The config of the warping subtask (`WarpAndPsfMatchConfig`): only its `warp` part; PSF
 * matching (`psfMatch`) is not implemented.
 *
 * @see lsst.pipe.tasks.warpAndPsfMatch.WarpAndPsfMatchConfig
 */
export class WarpAndPsfMatchConfig extends Config {
  /** The warper. */
  warp = ConfigField({ doc: 'warper configuration', dtype: WarperConfigFields });
}

/** LSST config switches whose non-default value SkyStack does not implement yet (validate() refuses them). */
export const UNSUPPORTED_MAKE_WARP_OPTIONS: Readonly<{
  /** PSF-matched warps: only false. */
  readonly makePsfMatched: false;
  /** Background-subtracted calexps: only true (no `calexpBackground` input). */
  readonly bgSubtracted: true;
  /** Sky correction: only false (no `skyCorr` input). */
  readonly doApplySkyCorr: false;
  /** Calibration variance in the warp's variance: only false. */
  readonly includeCalibVar: false;
}> = Object.freeze({ makePsfMatched: false, bgSubtracted: true, doApplySkyCorr: false, includeCalibVar: false });

/**
 * The config of {@link MakeWarpTask}, with LSST's fields and defaults (`MakeWarpConfig` and the
 * `CoaddBaseConfig` fields it uses). As LSST's `setDefaults`, the warper's `cacheSize` is 0. The
 * options of {@link UNSUPPORTED_MAKE_WARP_OPTIONS} are kept with LSST's defaults and refused
 * otherwise.
 *
 * @see lsst.pipe.tasks.makeWarp.MakeWarpConfig
 */
export class MakeWarpConfig extends PipelineTaskConfig.withConnections(MakeWarpConnections) {
  /** The dataset type names of the connections. */
  declare readonly connections: ConnectionsConfig<ConnectionNames<typeof MakeWarpConnections>>;
  /** Coadd name (`deep`, `goodSeeing`). */
  coaddName = Field.str({ doc: 'Coadd name: typically one of deep or goodSeeing.', default: 'deep' });
  /** Mask planes that exclude a warped pixel from the warp. */
  badMaskPlanes = ListField({ doc: 'Mask planes that, if set, the associated pixel should not be included in the coaddTempExp.', dtype: 'str', default: ['NO_DATA'] });
  /** Add the calibration's uncertainty to the variance (not implemented). */
  includeCalibVar = Field.bool({ doc: 'Add photometric calibration variance to warp variance plane.', default: false });
  /** The warping subtask. */
  warpAndPsfMatch = ConfigField({ doc: 'Task to warp and PSF-match calexp', dtype: WarpAndPsfMatchConfig });
  /** Write the warp. */
  doWrite = Field.bool({ doc: 'persist <coaddName>Coadd_<warpType>Warp', default: true });
  /** The calexps are background-subtracted (false, adding the background back, is not implemented). */
  bgSubtracted = Field.bool({ doc: 'Work with a background subtracted calexp?', default: true });
  /** Make the direct warp. */
  makeDirect = Field.bool({ doc: 'Make direct Warp/Coadds', default: true });
  /** Make the PSF-matched warp (not implemented). */
  makePsfMatched = Field.bool({ doc: 'Make Psf-Matched Warp/Coadd?', default: false });
  /** Write warps without any good pixel. */
  doWriteEmptyWarps = Field.bool({ doc: 'Write out warps even if they are empty', default: false });
  /** Fake sources were inserted into the inputs (reads `fakes_calexp`). */
  hasFakes = Field.bool({ doc: 'Should be set to True if fake sources have been inserted into the input data.', default: false });
  /** Subtract a sky correction (not implemented). */
  doApplySkyCorr = Field.bool({ doc: 'Apply sky correction?', default: false });
  /** Records the warp's inputs (its CoaddInputs). */
  inputRecorder = ConfigurableField({ doc: 'Subtask that helps fill CoaddInputs catalogs added to the final Exposure', target: CoaddInputRecorderTask }) as unknown as CoaddInputRecorderConfig;
  /** The CoaddPsf of the direct warp. */
  coaddPsf = ConfigField({ doc: 'Configuration for CoaddPsf', dtype: CoaddPsfConfig });

  /** LSST's setDefaults: exact warping weights (`cacheSize` 0). */
  override setDefaults(): void {
    super.setDefaults();
    this.warpAndPsfMatch.warp.cacheSize = 0;
  }

  /**
   * Checks that a warp is made and that no unsupported option is set.
   *
   * @throws {@link PipeTasksInvalidArgumentError} when neither warp type is made, or for an
   *   unsupported option
   */
  override validate(): void {
    super.validate();
    if (!this.makeDirect && !this.makePsfMatched) throw new PipeTasksInvalidArgumentError('At least one of config.makePsfMatched and config.makeDirect must be True.');
    const self = this as unknown as Record<string, unknown>;
    for (const [name, supported] of Object.entries(UNSUPPORTED_MAKE_WARP_OPTIONS)) {
      if (self[name] !== supported) {
        throw new PipeTasksInvalidArgumentError(`MakeWarpConfig.${name} = ${String(self[name])} is not supported by SkyStack yet.`, { hint: `Leave ${name} ${String(supported)}.` });
      }
    }
  }
}

/** The inputs of {@link MakeWarpTask.run}. */
export interface MakeWarpInputs extends Readonly<Record<string, unknown>> {
  /** The calexps of one visit (with WCS and PhotoCalib; pixels in counts). */
  readonly calExpList: readonly Exposure<PixelArray>[];
  /** The patch: its outer bbox and the tract WCS are the warp's. */
  readonly skyInfo: SkyInfo;
  /** The visit (the ID of the warp's visits record in its CoaddInputs; default 0). */
  readonly visitId?: number | bigint | undefined;
  /** One ID per calexp for the ccds records of the CoaddInputs (default: each calexp's exposure ID, else its index). */
  readonly ccdIdList?: readonly (number | bigint)[] | undefined;
  /** One data ID per calexp (for logs). */
  readonly dataIdList?: readonly Readonly<Record<string, unknown>>[] | undefined;
}

/** What {@link MakeWarpTask.run} returns. */
export interface MakeWarpResult {
  /** The warps by type: `direct` (null when no calexp gave a good pixel and `doWriteEmptyWarps` is false). */
  readonly exposures: {
    /** The direct warp, or null. */
    readonly direct: Exposure<Float32Array> | null;
  };
}

/** A calexp to be read later: what the Butler's `getDeferred` returns (components `bbox` and `wcs` are read to check the overlap). */
export interface CalexpHandle {
  /**
   * Reads the calexp, or one of its components.
   *
   * @param options - the component to read
   * @returns the Exposure, or the component
   */
  get(options?: { component?: string }): Promise<unknown>;
}

/**
 * Calibrates a masked image to nJy in place: each pixel times the PhotoCalib's calibration at
 * that pixel (its mean when constant), the variance times the square of it (afw's
 * `PhotoCalib.calibrateImage` without the scale uncertainty).
 *
 * @param maskedImage - the masked image in counts (modified)
 * @param photoCalib - its calibration
 * @example
 * ```ts
 * const mi = calexp.maskedImage.clone();
 * calibrateMaskedImage(mi, calexp.getPhotoCalib()!); // pixels in nJy
 * ```
 * @see lsst.afw.image.PhotoCalib.calibrateImage
 */
export function calibrateMaskedImage(maskedImage: MaskedImage<PixelArray>, photoCalib: PhotoCalib): void {
  const im = maskedImage.image.array;
  const va = maskedImage.variance.array;
  const { width, height } = im;
  const xy0 = maskedImage.getXY0();
  const x0 = xy0.getX();
  const y0 = xy0.getY();
  const c = photoCalib.getCalibrationMean();
  const xs = new Float64Array(width);
  const ys = new Float64Array(width);
  const row = new Float64Array(width);
  for (let x = 0; x < width; x++) xs[x] = x + x0;
  if (photoCalib.isConstant) row.fill(c);
  for (let y = 0; y < height; y++) {
    if (!photoCalib.isConstant) {
      ys.fill(y + y0);
      photoCalib.calibration.evaluateArray(xs, ys, row);
    }
    const io = y * im.stride;
    const vo = y * va.stride;
    for (let x = 0; x < width; x++) {
      const k = row[x]!;
      im.data[io + x] = im.data[io + x]! * k;
      va.data[vo + x] = va.data[vo + x]! * k * k;
    }
  }
}

/**
 * Copies the pixels of `src` (image, mask and variance) into `dest` where `src`'s mask has none
 * of `badPixelMask`, over the overlap of their bboxes. Both must share one mask plane numbering.
 *
 * @param dest - the masked image written (PARENT bbox)
 * @param src - the masked image read
 * @param badPixelMask - bits that exclude a source pixel
 * @returns the number of pixels copied
 * @example
 * ```ts
 * const nGood = copyGoodPixels(warp.maskedImage, warped.maskedImage, warp.mask.getPlaneBitMask('NO_DATA'));
 * ```
 * @see lsst.coadd.utils.copyGoodPixels
 */
export function copyGoodPixels(dest: MaskedImage<PixelArray>, src: MaskedImage<PixelArray>, badPixelMask: number): number {
  const overlap = dest.getBBox().clippedTo(src.getBBox());
  if (overlap.isEmpty()) return 0;
  const d = dest.subset(overlap);
  const s = src.subset(overlap);
  const [di, dm, dv] = [d.image.array, d.mask.array, d.variance.array];
  const [si, sm, sv] = [s.image.array, s.mask.array, s.variance.array];
  let n = 0;
  for (let y = 0; y < di.height; y++) {
    for (let x = 0; x < di.width; x++) {
      const m = sm.data[y * sm.stride + x]!;
      if ((m & badPixelMask) !== 0) continue;
      di.data[y * di.stride + x] = si.data[y * si.stride + x]!;
      dm.data[y * dm.stride + x] = m;
      dv.data[y * dv.stride + x] = sv.data[y * sv.stride + x]!;
      n++;
    }
  }
  return n;
}

/**
 * Makes the direct warp of one visit on one patch: each calexp is calibrated to nJy with its
 * PhotoCalib ({@link calibrateMaskedImage}), warped (image, mask, variance; Lanczos3 by default,
 * `warpAndPsfMatch.warp`) onto the tract WCS within the patch's outer bbox, and its pixels
 * without `badMaskPlanes` are copied into the warp ({@link copyGoodPixels}; where detectors
 * overlap, the later one in the list wins, as in LSST). Pixels no calexp covers keep NaN,
 * `NO_DATA` and an infinite variance. The warp has the tract WCS, `BUNIT = nJy`, a PhotoCalib
 * of 1 (nJy per count), and the filter and VisitInfo of the first calexp that contributed. Its
 * `CoaddInputs` (the `inputRecorder` subtask) has one visits record and one ccds record per
 * calexp with good pixels (their PSF, WCS, PhotoCalib, VisitInfo, bbox), and its PSF is the
 * `CoaddPsf` of those (`coaddPsf` config).
 *
 * Differences from LSST: the calexps are calibrated by `run` itself (LSST does it in `runQuantum` from the
 * `finalVisitSummary`, which is not an input here); no PSF-matched warps.
 *
 * @example
 * ```ts
 * const task = new MakeWarpTask();
 * const { exposures } = (await task.run({ calExpList: [calexp1, calexp2], skyInfo: makeSkyInfo(skyMap, 0, 4) })).getDict();
 * exposures.direct?.metadata.getString('BUNIT'); // 'nJy'
 * ```
 * @see lsst.pipe.tasks.makeWarp.MakeWarpTask
 */
export class MakeWarpTask extends PipelineTask<MakeWarpConfig> {
  /** {@link MakeWarpConfig}. */
  static override ConfigClass = MakeWarpConfig;
  /** `makeWarp`. */
  static override _DefaultName: string | undefined = 'makeWarp';
  /** The control of every warp (from `warpAndPsfMatch.warp`). */
  readonly warpingControl: WarpingControl;
  /** `calexp`, or `fakes_calexp` with `hasFakes`. */
  readonly calexpType: string;
  /** The subtask that records the warp's inputs. */
  readonly inputRecorder: CoaddInputRecorderTask;

  /**
   * Makes the task.
   *
   * @param options - config, name, parent task
   * @throws {@link PipeTasksInvalidArgumentError} for an invalid config
   */
  constructor(options: PipelineTaskOptions<MakeWarpConfig> = {}) {
    super(options);
    this.config.validate();
    const w = this.config.warpAndPsfMatch.warp;
    this.warpingControl = WarpingControl.fromConfig({
      warpingKernelName: w.warpingKernelName,
      maskWarpingKernelName: w.maskWarpingKernelName,
      interpLength: w.interpLength,
      cacheSize: w.cacheSize,
      growFullMask: w.growFullMask,
    });
    this.calexpType = this.config.hasFakes ? 'fakes_calexp' : 'calexp';
    this.inputRecorder = this.makeSubtask<CoaddInputRecorderTask>('inputRecorder');
  }

  /**
   * The warp types the config asks for.
   *
   * @returns `['direct']`
   * @see lsst.pipe.tasks.makeWarp.MakeWarpTask.getWarpTypeList
   */
  getWarpTypeList(): string[] {
    return this.config.makeDirect ? ['direct'] : [];
  }

  /**
   * The bits of `badMaskPlanes` in a plane dictionary (planes it lacks are skipped).
   *
   * @param planeDict - the dictionary
   * @returns the bit mask
   * @see lsst.pipe.tasks.coaddBase.CoaddBaseTask.getBadPixelMask
   */
  getBadPixelMask(planeDict: MaskPlaneDict): number {
    let bits = 0;
    for (const name of this.config.badMaskPlanes) if (planeDict.hasPlane(name)) bits |= 1 << planeDict.getPlane(name);
    return bits;
  }

  /**
   * Whether a calexp of this bbox and WCS lands on the patch: its bbox's corners, mapped to the
   * tract's pixels, span a box that overlaps the patch's outer bbox.
   *
   * @param bbox - the calexp's PARENT bbox
   * @param wcs - its WCS
   * @param skyInfo - the patch (with the tract WCS)
   * @returns whether it overlaps
   * @throws {@link PipeTasksInvalidArgumentError} when `skyInfo` has no WCS
   * @see lsst.pipe.tasks.selectImages.WcsSelectImagesTask
   */
  overlapsPatch(bbox: Box2I, wcs: SkyWcs, skyInfo: SkyInfo): boolean {
    const tractWcs = requireWcs(skyInfo);
    let warped: Box2I;
    try {
      warped = computeWarpedBBox(tractWcs, bbox, wcs);
    } catch {
      return false; // a corner that does not project onto the tract (the other side of the sky)
    }
    return warped.overlaps(skyInfo.bbox);
  }

  /**
   * Makes the warp (see the class description).
   *
   * @param inputs - the calexps of the visit and the patch
   * @returns `exposures.direct`: the warp, or null when empty (and `doWriteEmptyWarps` false)
   * @throws {@link PipeTasksInvalidArgumentError} when `skyInfo` has no WCS or `dataIdList`
   *   differs in length from `calExpList`
   * @see lsst.pipe.tasks.makeWarp.MakeWarpTask.run
   */
  override async run(inputs: MakeWarpInputs): Promise<Struct<MakeWarpResult>> {
    return timeMethod(this, 'run', () => Promise.resolve(this.#run(inputs)));
  }

  #run(inputs: MakeWarpInputs): Struct<MakeWarpResult> {
    const { calExpList, skyInfo } = inputs;
    const tractWcs = requireWcs(skyInfo);
    const dataIdList = inputs.dataIdList ?? calExpList.map((_, i) => ({ index: i }));
    if (dataIdList.length !== calExpList.length) {
      throw new PipeTasksInvalidArgumentError(`dataIdList has ${dataIdList.length} entries for ${calExpList.length} calexps; expected one per calexp.`);
    }
    const ccdIdList = inputs.ccdIdList ?? calExpList.map((c, i) => c.getInfo().getId() ?? i);
    if (ccdIdList.length !== calExpList.length) {
      throw new PipeTasksInvalidArgumentError(`ccdIdList has ${ccdIdList.length} entries for ${calExpList.length} calexps; expected one per calexp.`);
    }
    if (!this.config.makeDirect) return new Struct<MakeWarpResult>({ exposures: { direct: null } });
    const warp = this.prepareEmptyExposure(skyInfo);
    const planeDict = warp.mask.planeDict;
    const recorder = this.inputRecorder.makeCoaddTempExpRecorder(inputs.visitId ?? 0);
    let totGoodPix = 0;
    let didSetMetadata = false;
    for (const [i, calExp] of calExpList.entries()) {
      const id = JSON.stringify(dataIdList[i]);
      this.log.info(`Processing calexp ${i + 1} of ${calExpList.length} for this Warp: id=${id}`);
      const warped = this.#warpOne(calExp, skyInfo, tractWcs, planeDict, id);
      if (warped === null) continue;
      const nGood = copyGoodPixels(warp.maskedImage, warped.maskedImage, this.getBadPixelMask(planeDict));
      totGoodPix += nGood;
      this.log.debug(`Calexp ${id} has ${nGood} good pixels in this patch (${((100 * nGood) / skyInfo.bbox.getArea()).toFixed(1)}%)`);
      if (nGood > 0 && !didSetMetadata) {
        warp.setFilter(calExp.getFilter());
        warp.setVisitInfo(calExp.getVisitInfo());
        didSetMetadata = true;
      }
      recorder.addCalExp(calExp, ccdIdList[i]!, nGood);
    }
    this.log.info(`directWarp of visit ${inputs.visitId ?? '?'} has ${totGoodPix} good pixels (${((100 * totGoodPix) / skyInfo.bbox.getArea()).toFixed(1)}%)`);
    if (totGoodPix > 0 && didSetMetadata) {
      recorder.finish(warp, totGoodPix);
      const ccds = recorder.coaddInputs.ccds;
      if (ccds.componentColumn('psf').every((psf) => psf !== null)) {
        warp.setPsf(new CoaddPsf(ccds, tractWcs, this.config.coaddPsf.makeControl()));
      } else {
        this.log.warn(`A calexp of visit ${inputs.visitId ?? '?'} has no PSF: its warp gets no CoaddPsf.`);
      }
    }
    const direct = totGoodPix > 0 || this.config.doWriteEmptyWarps ? warp : null;
    return new Struct<MakeWarpResult>({ exposures: { direct } });
  }

  /** Calibrates and warps one calexp onto the patch; null (with a warning) when it cannot be used. */
  #warpOne(calExp: Exposure<PixelArray>, skyInfo: SkyInfo, tractWcs: SkyWcs, planeDict: MaskPlaneDict, id: string): Exposure<Float32Array> | null {
    const wcs = calExp.getWcs();
    const photoCalib = calExp.getPhotoCalib();
    if (wcs === null || photoCalib === null) {
      this.log.warn(`Calexp ${id} has no ${wcs === null ? 'WCS' : 'PhotoCalib'}; skipping it.`);
      return null;
    }
    let bbox: Box2I;
    try {
      bbox = computeWarpedBBox(tractWcs, calExp.getBBox(), wcs).clippedTo(skyInfo.bbox);
    } catch (e) {
      this.log.warn(`Calexp ${id} does not map onto the tract; skipping it: ${String(e)}`);
      return null;
    }
    if (bbox.isEmpty()) {
      this.log.debug(`Calexp ${id} does not overlap the patch.`);
      return null;
    }
    const mi = calExp.maskedImage.clone();
    calibrateMaskedImage(mi, photoCalib);
    const calibrated = new Exposure(new MaskedImage(mi.image, conformMaskPlanes(mi.mask, planeDict), mi.variance));
    calibrated.setWcs(wcs);
    const dest = new Exposure(MaskedImage.make('float32', bbox, planeDict));
    dest.setWcs(tractWcs);
    warpExposure(dest, calibrated, this.warpingControl);
    return dest;
  }

  /**
   * The empty warp of a patch: its outer bbox and the tract WCS, NaN pixels with `NO_DATA` and
   * an infinite variance, `BUNIT = nJy` and a PhotoCalib of 1.
   *
   * @param skyInfo - the patch
   * @returns the exposure
   * @throws {@link PipeTasksInvalidArgumentError} when `skyInfo` has no WCS
   * @see lsst.pipe.tasks.makeWarp.MakeWarpTask._prepareEmptyExposure
   */
  prepareEmptyExposure(skyInfo: SkyInfo): Exposure<Float32Array> {
    const exp = Exposure.make('float32', skyInfo.bbox, MaskPlaneDict.withDefaultPlanes());
    exp.setWcs(requireWcs(skyInfo));
    exp.image.array.data.fill(NaN);
    exp.variance.array.data.fill(Infinity);
    exp.mask.array.data.fill(exp.mask.getPlaneBitMask('NO_DATA'));
    exp.setPhotoCalib(new PhotoCalib(1.0));
    exp.metadata.set('BUNIT', 'nJy');
    return exp;
  }

  /**
   * Sorts the calexps by detector, reads the `bbox` and `wcs` of each and keeps those that
   * overlap the quantum's patch ({@link overlapsPatch}), reads those, makes the warp
   * ({@link run}) and writes it as `deepCoadd_directWarp` (nothing when it is empty).
   *
   * @param butlerQC - the quantum context
   * @param inputRefs - the input references
   * @param outputRefs - the output references
   * @throws {@link PipeTasksInvalidArgumentError} for a calexp that reads as something else than an Exposure
   * @see lsst.pipe.tasks.makeWarp.MakeWarpTask.runQuantum
   */
  override async runQuantum(butlerQC: QuantumContext, inputRefs: InputQuantizedConnection, outputRefs: OutputQuantizedConnection): Promise<void> {
    const refs = [...((inputRefs['calExpList'] ?? []) as readonly QuantizedRef[])];
    const detectorOf = (r: QuantizedRef): number => Number((r instanceof DeferredDatasetRef ? r.datasetRef : r).dataId.get('detector'));
    refs.sort((a, b) => detectorOf(a) - detectorOf(b));
    const inputs = (await butlerQC.get({ ...inputRefs, calExpList: refs })) as Record<string, unknown>;
    const skyMap = inputs['skyMap'] as BaseSkyMap;
    const dataId = butlerQC.quantum.dataId;
    const skyInfo = makeSkyInfo(skyMap, Number(dataId.get('tract')), Number(dataId.get('patch')));
    const handles = (inputs['calExpList'] ?? []) as readonly CalexpHandle[];
    const calExpList: Exposure<PixelArray>[] = [];
    const dataIdList: Record<string, unknown>[] = [];
    for (const [i, handle] of handles.entries()) {
      const detector = detectorOf(refs[i]!);
      const bbox = await handle.get({ component: 'bbox' });
      const wcs = (await handle.get({ component: 'wcs' })) as SkyWcs | null;
      if (wcs === null || !(bbox instanceof Box2I)) {
        this.log.warn(`calexp of detector ${detector} has no WCS or bbox; it is not used in the warp.`);
        continue;
      }
      if (!this.overlapsPatch(bbox, wcs, skyInfo)) continue;
      const exp = await handle.get();
      if (!(exp instanceof Exposure)) throw new PipeTasksInvalidArgumentError(`calexp of detector ${detector} read as ${typeof exp}; expected an Exposure.`);
      calExpList.push(exp);
      dataIdList.push({ detector });
    }
    const visitId = Number(dataId.get('visit'));
    this.log.info(`Warping ${calExpList.length} of ${handles.length} calexps of visit ${visitId} that overlap the patch`);
    const { exposures } = (await this.run({ calExpList, skyInfo, visitId, dataIdList })).getDict();
    if (this.config.doWrite && exposures.direct !== null && outputRefs['direct'] !== undefined) {
      await butlerQC.put({ direct: exposures.direct }, { direct: outputRefs['direct'] });
    }
  }
}

function requireWcs(skyInfo: SkyInfo): SkyWcs {
  if (skyInfo.wcs === null) throw new PipeTasksInvalidArgumentError('skyInfo has no WCS; a warp needs the tract WCS.', { hint: 'Make it with makeSkyInfo(skyMap, tract, patch).' });
  return skyInfo.wcs;
}
