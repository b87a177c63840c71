// lsst.ip.isr.isrTask.IsrTask (the classic one): instrument signature removal of one raw CCD
// exposure, as a PipelineTask with LSST's connections and config fields.
import { Exposure, Image, Mask, MaskedImage, makePhotoCalibFromCalibZeroPoint } from '@skystack/afw-image';
import type { Amplifier, PixelArray } from '@skystack/afw-image';
import type { Box2I } from '@skystack/geom';
import { ChoiceField, DictField, Field, ListField } from '@skystack/pex-config';
import { Input, Output, PipelineTask, PipelineTaskConfig, PrerequisiteInput, Struct, defineConnections, timeMethod } from '@skystack/pipe-base';
import type { ConnectionNames, ConnectionsConfig, PipelineTaskOptions } from '@skystack/pipe-base';
import { AssembleCcdTask } from './assemble-ccd-task.js';
import type { Defects } from './defects.js';
import { IpIsrGeometryError, IpIsrInvalidArgumentError, IpIsrMissingCalibrationError, IpIsrUnsupportedStepError } from './errors.js';
import {
  biasCorrection,
  darkCorrection,
  flatCorrection,
  growMasks,
  interpolateFromMask,
  makeThresholdMask,
  maskEdges,
  maskNans,
  planeBits,
  setBadRegions,
  updateVariance,
  widenSaturationTrails,
} from './isr-functions.js';
import { OverscanCorrectionTask } from './overscan.js';
import type { OverscanResult } from './overscan.js';

const RAW_DIMS = ['instrument', 'exposure', 'detector'];

/**
 * The connections of {@link IsrTask}, with LSST's names: the input `raw` (`ccdExposure`), the
 * prerequisite calibrations `camera`, `bias`, `dark`, `flat` and `defects`, and the outputs
 * `postISRCCD` (`outputExposure`) and `preInterpISRCCD` (`preInterpExposure`). Calibrations whose
 * step is off, and outputs not written, are removed for the config.
 *
 * @see lsst.ip.isr.isrTask.IsrTaskConnections
 */
export class IsrTaskConnections extends defineConnections({
  dimensions: RAW_DIMS,
  defaultTemplates: {},
  connections: {
    /** The raw exposure (`raw`). */
    ccdExposure: new Input({ doc: 'Input exposure to process.', name: 'raw', storageClass: 'Exposure', dimensions: RAW_DIMS }),
    /** The camera (`camera`; optional). */
    camera: new PrerequisiteInput({
      doc: 'Input camera to construct complete exposures.',
      name: 'camera',
      storageClass: 'Camera',
      dimensions: ['instrument'],
      isCalibration: true,
      minimum: 0,
    }),
    /** The bias (`bias`). */
    bias: new PrerequisiteInput({ doc: 'Input bias calibration.', name: 'bias', storageClass: 'ExposureF', dimensions: ['instrument', 'detector'], isCalibration: true }),
    /** The dark (`dark`). */
    dark: new PrerequisiteInput({ doc: 'Input dark calibration.', name: 'dark', storageClass: 'ExposureF', dimensions: ['instrument', 'detector'], isCalibration: true }),
    /** The flat (`flat`, per physical filter). */
    flat: new PrerequisiteInput({
      doc: 'Input flat calibration.',
      name: 'flat',
      storageClass: 'ExposureF',
      dimensions: ['instrument', 'physical_filter', 'detector'],
      isCalibration: true,
    }),
    /** The defects (`defects`). */
    defects: new PrerequisiteInput({ doc: 'Input defect tables.', name: 'defects', storageClass: 'Defects', dimensions: ['instrument', 'detector'], isCalibration: true }),
    /** The ISR-corrected exposure (`postISRCCD`). */
    outputExposure: new Output({ doc: 'Output ISR processed exposure.', name: 'postISRCCD', storageClass: 'Exposure', dimensions: RAW_DIMS }),
    /** The exposure before interpolation (`preInterpISRCCD`). */
    preInterpExposure: new Output({
      doc: 'Output ISR processed exposure, with pixels left uninterpolated.',
      name: 'preInterpISRCCD',
      storageClass: 'ExposureF',
      dimensions: RAW_DIMS,
    }),
  },
  configure(self, config) {
    const c = config as unknown as IsrTaskConfig;
    if (!c.doBias) self.removeConnection('bias');
    if (!c.doDark) self.removeConnection('dark');
    if (!c.doFlat) self.removeConnection('flat');
    if (!c.doDefect) self.removeConnection('defects');
    if (!c.doWrite) {
      self.removeConnection('outputExposure');
      self.removeConnection('preInterpExposure');
    } else if (!c.doSaveInterpPixels) {
      self.removeConnection('preInterpExposure');
    }
  },
}) {}

/**
 * The LSST IsrTask steps SkyStack does not implement: their switches are kept with default
 * `false` (some are `true` in LSST: `doLinearize`, `doFringe`) and `validate()` refuses `true`.
 */
export const UNSUPPORTED_ISR_STEPS = Object.freeze([
  'doAssembleIsrExposures',
  'doTrimToMatchCalib',
  'doBiasBeforeOverscan',
  'doDeferredCharge',
  'doEmpiricalReadNoise',
  'usePtcReadNoise',
  'doLinearize',
  'doCrosstalk',
  'doCrosstalkBeforeAssemble',
  'doBrighterFatter',
  'doStrayLight',
  'doTweakFlat',
  'doApplyGains',
  'usePtcGains',
  'doFringe',
  'doAmpOffset',
  'doMeasureBackground',
  'doCameraSpecificMasking',
  'doNanInterpAfterFlat',
  'doVignette',
  'doAttachTransmissionCurve',
  'doIlluminationCorrection',
  'doCalculateStatistics',
] as const);

/** One of {@link UNSUPPORTED_ISR_STEPS}. */
export type UnsupportedIsrStep = (typeof UNSUPPORTED_ISR_STEPS)[number];

const unsupported = (doc: string): boolean => Field.bool({ doc: `${doc} (not implemented in SkyStack: must stay false)`, default: false });

/**
 * Configuration of {@link IsrTask}: LSST's `IsrTaskConfig` fields with LSST's defaults for the
 * steps implemented; the switches of the steps not implemented are kept, default `false`, and
 * refused when set (see {@link UNSUPPORTED_ISR_STEPS}). `maxInterpolationDistance` is a
 * SkyStack addition.
 *
 * @example
 * ```ts
 * const config = new IsrTaskConfig();
 * config.overscan.fitType = 'MEDIAN_PER_ROW';
 * config.doDefect = false;
 * const isr = new IsrTask({ config });
 * ```
 * @see lsst.ip.isr.isrTask.IsrTaskConfig
 */
export class IsrTaskConfig extends PipelineTaskConfig.withConnections(IsrTaskConnections) {
  /** The dataset type names of the connections (`config.connections.bias = 'myBias'`). */
  declare readonly connections: ConnectionsConfig<ConnectionNames<typeof IsrTaskConnections>>;
  /** Dataset type of the input data (default `raw`). */
  datasetType = Field.str({ doc: 'Dataset type for input data; users will typically leave this alone, but camera-specific ISR tasks will override it', default: 'raw' });
  /** Fallback filter name for calibrations (unused: calibrations are looked up by the Butler). */
  fallbackFilterName = Field.str({ doc: 'Fallback default filter name for calibrations.', optional: true });
  /** Pass the observation date when using the fallback filter (unused). */
  useFallbackDate = Field.bool({ doc: 'Pass observation date when using fallback filter.', default: false });
  /** Expect input science images to have a WCS (a warning when absent). */
  expectWcs = Field.bool({ doc: 'Expect input science images to have a WCS (set False for e.g. spectrographs).', default: true });
  /** FWHM of the PSF in arcseconds (used by LSST's interpolation PSF; unused by the linear interpolation here). */
  fwhm = Field.float({ doc: 'FWHM of PSF in arcseconds.', default: 1.0 });

  /** Convert integer raw images to floating point. */
  doConvertIntToFloat = Field.bool({ doc: 'Convert integer raw images to floating point values?', default: true });

  /** Mask saturated pixels. */
  doSaturation = Field.bool({ doc: 'Mask saturated pixels? NB: this is totally independent of the interpolation option - this is ONLY setting the bits in the mask.', default: true });
  /** Mask plane of saturated pixels. */
  saturatedMaskName = Field.str({ doc: 'Name of mask plane to use in saturation detection and interpolation', default: 'SAT' });
  /** Saturation level overriding the amplifiers' when finite (default NaN). */
  saturation = Field.float({ doc: 'The saturation level to use if no Detector is present in the Exposure (ignored if NaN)', default: Number.NaN });
  /** Growth (pixels) of the saturated areas before interpolation. */
  growSaturationFootprintSize = Field.int({ doc: 'Number of pixels by which to grow the saturation footprints', default: 1 });

  /** Mask suspect pixels (above the amplifiers' suspect level). */
  doSuspect = Field.bool({ doc: 'Mask suspect pixels?', default: false });
  /** Mask plane of suspect pixels. */
  suspectMaskName = Field.str({ doc: 'Name of mask plane to use for suspect pixels', default: 'SUSPECT' });
  /** Number of edge pixels flagged SUSPECT (with doDefect). */
  numEdgeSuspect = Field.int({ doc: 'Number of edge pixels to be flagged as untrustworthy.', default: 0 });
  /** Mask the edges of the detector or of each amplifier. */
  edgeMaskLevel = ChoiceField({
    doc: 'Mask edge pixels in which coordinate frame: DETECTOR or AMP?',
    dtype: 'str',
    default: 'DETECTOR',
    allowed: { DETECTOR: 'Mask only the edges of the full detector.', AMP: 'Mask edges of each amplifier.' },
  });

  /** Set BAD regions to the image's average before interpolation. */
  doSetBadRegions = Field.bool({ doc: "Should we set the level of all BAD patches of the chip to the chip's average value?", default: true });
  /** Statistic for doSetBadRegions. */
  badStatistic = ChoiceField({
    doc: 'How to estimate the average value for BAD regions.',
    dtype: 'str',
    default: 'MEANCLIP',
    allowed: { MEANCLIP: 'Correct using the (clipped) mean of good data', MEDIAN: 'Correct using the median of the good data' },
  });

  /** Subtract the overscan. */
  doOverscan = Field.bool({ doc: 'Do overscan subtraction?', default: true });
  /** The overscan subtask. */
  overscan = OverscanCorrectionTask.makeField('Overscan subtraction task for image segments.');

  /** Assemble the amplifiers into a detector image (trimmed). */
  doAssembleCcd = Field.bool({ doc: 'Assemble amp-level exposures into a ccd-level exposure?', default: true });
  /** The assembly subtask. */
  assembleCcd = AssembleCcdTask.makeField('CCD assembly task');

  /** Assemble amplifier-level calibrations (not implemented). */
  doAssembleIsrExposures = unsupported('Assemble amp-level calibration exposures into ccd-level exposure?');
  /** Trim raws to match calibration boxes (not implemented). */
  doTrimToMatchCalib = unsupported('Trim raw data to match calibration bounding boxes?');

  /** Subtract the bias. */
  doBias = Field.bool({ doc: 'Apply bias frame correction?', default: true });
  /** Name of the bias data product. */
  biasDataProductName = Field.str({ doc: 'Name of the bias data product', default: 'bias' });
  /** Bias before overscan (not implemented). */
  doBiasBeforeOverscan = unsupported('Reverse order of overscan and bias correction.');
  /** Deferred charge correction (not implemented). */
  doDeferredCharge = unsupported('Apply deferred charge correction?');

  /** Compute the variance plane. */
  doVariance = Field.bool({ doc: 'Calculate variance?', default: true });
  /** Gain when the amplifiers have none (NaN: use 1). */
  gain = Field.float({ doc: 'The gain to use if no Detector is present in the Exposure (ignored if NaN)', default: Number.NaN });
  /** Read noise when the amplifiers have none. */
  readNoise = Field.float({ doc: 'The read noise to use if no Detector is present in the Exposure', default: 0.0 });
  /** Empirical read noise from the overscan (not implemented). */
  doEmpiricalReadNoise = unsupported('Calculate empirical read noise instead of value from AmpInfo data?');
  /** Read noise from the PTC (not implemented). */
  usePtcReadNoise = unsupported('Use readnoise values from the Photon Transfer Curve?');
  /** Mask pixels with non-positive variance. */
  maskNegativeVariance = Field.bool({ doc: 'Mask pixels that claim a negative variance?', default: true });
  /** Mask plane of non-positive variance pixels. */
  negativeVarianceMaskName = Field.str({ doc: 'Mask plane to use to mark pixels with negative variance, if `maskNegativeVariance` is True.', default: 'BAD' });

  /** Linearity correction (not implemented; LSST's default is true). */
  doLinearize = unsupported("Correct for nonlinearity of the detector's response?");
  /** Crosstalk correction (not implemented). */
  doCrosstalk = unsupported('Apply intra-CCD crosstalk correction?');
  /** Crosstalk before assembly (not implemented). */
  doCrosstalkBeforeAssemble = unsupported('Apply crosstalk correction before CCD assembly, and before trimming?');

  /** Mask the defects BAD. */
  doDefect = Field.bool({ doc: 'Apply correction for CCD defects, e.g. hot pixels?', default: true });
  /** Mask non-finite pixels (plane UNMASKEDNAN). */
  doNanMasking = Field.bool({ doc: 'Mask non-finite (NAN, inf) pixels?', default: true });
  /** Widen bleed trails according to their width. */
  doWidenSaturationTrails = Field.bool({ doc: 'Widen bleed trails based on their width?', default: true });

  /** Brighter-fatter correction (not implemented). */
  doBrighterFatter = unsupported('Apply the brighter-fatter correction?');

  /** Subtract the dark, scaled by dark time. */
  doDark = Field.bool({ doc: 'Apply dark frame correction?', default: true });
  /** Name of the dark data product. */
  darkDataProductName = Field.str({ doc: 'Name of the dark data product', default: 'dark' });
  /** Stray light (not implemented). */
  doStrayLight = unsupported('Subtract stray light in the y-band (due to encoder LEDs)?');

  /** Divide by the flat. */
  doFlat = Field.bool({ doc: 'Apply flat field correction?', default: true });
  /** Name of the flat data product. */
  flatDataProductName = Field.str({ doc: 'Name of the flat data product', default: 'flat' });
  /** How the flat is scaled. */
  flatScalingType = ChoiceField({
    doc: 'The method for scaling the flat on the fly.',
    dtype: 'str',
    default: 'USER',
    allowed: { USER: 'Scale by flatUserScale', MEAN: 'Scale by the inverse of the mean', MEDIAN: 'Scale by the inverse of the median' },
  });
  /** The scale for flatScalingType USER. */
  flatUserScale = Field.float({ doc: "If flatScalingType is 'USER' then scale flat by this amount; ignored otherwise", default: 1.0 });
  /** Tweak flats (not implemented). */
  doTweakFlat = unsupported('Tweak flats to match observed amplifier ratios?');
  /** Gains instead of a flat (not implemented). */
  doApplyGains = unsupported('Correct the amplifiers for their gains instead of applying flat correction');
  /** PTC gains (not implemented). */
  usePtcGains = unsupported('Use the gain values from the Photon Transfer Curve?');
  /** Normalize amplifier gains (used only with doApplyGains). */
  normalizeGains = Field.bool({ doc: 'Normalize all the amplifiers in each CCD to have the same median value.', default: false });
  /** Fringe correction (not implemented; LSST's default is true). */
  doFringe = unsupported('Apply fringe correction?');
  /** Fringe after flat (used only with doFringe). */
  fringeAfterFlat = Field.bool({ doc: 'Do fringe subtraction after flat-fielding?', default: true });
  /** Amp offsets (not implemented). */
  doAmpOffset = unsupported('Calculate and apply amp offset corrections?');
  /** Background QA (not implemented). */
  doMeasureBackground = unsupported('Measure the background level on the reduced image?');
  /** Camera-specific masking (not implemented). */
  doCameraSpecificMasking = unsupported('Mask camera-specific bad regions?');

  /** Interpolate over masked pixels. */
  doInterpolate = Field.bool({ doc: 'Interpolate masked pixels?', default: true });
  /** Interpolate over saturated pixels (adds saturatedMaskName to the planes interpolated). */
  doSaturationInterpolation = Field.bool({ doc: 'Perform interpolation over pixels masked as saturated?', default: true });
  /** Interpolate over non-finite pixels (adds UNMASKEDNAN to the planes interpolated). */
  doNanInterpolation = Field.bool({ doc: 'Perform interpolation over pixels masked as NaN?', default: true });
  /** NaN interpolation after flat (not implemented). */
  doNanInterpAfterFlat = unsupported('If True, ensure we interpolate NaNs after flat-fielding, even if we also have to interpolate them before flat-fielding.');
  /** Mask planes to interpolate over. */
  maskListToInterpolate = ListField({ doc: 'List of mask planes that should be interpolated.', dtype: 'str', default: ['SAT', 'BAD'] });
  /** Keep a copy of the image before interpolation (output preInterpISRCCD). */
  doSaveInterpPixels = Field.bool({ doc: 'Save a copy of the pre-interpolated pixel values?', default: false });
  /**
   * Longest run of masked pixels (along a row) interpolated from its neighbours; longer runs get
   * the fallback value (the clipped mean). 0: no limit. A SkyStack addition.
   */
  maxInterpolationDistance = Field.int({ doc: 'Longest masked run (pixels, along a row) interpolated linearly; longer runs get the fallback value. 0: no limit. (SkyStack)', default: 0, check: (v) => v >= 0 });

  /** Approximate flux of a zero-magnitude object in 1 s, per physical filter. */
  fluxMag0T1 = DictField({
    doc: 'The approximate flux of a zero-magnitude object in a one-second exposure, per filter.',
    keytype: 'str',
    itemtype: 'float',
    default: { Unknown: 10 ** (0.4 * 28.0) },
  });
  /** Default fluxMag0T1 for an unknown filter. */
  defaultFluxMag0T1 = Field.float({ doc: 'Default value for fluxMag0T1 (for an unrecognized filter).', default: 10 ** (0.4 * 28.0) });

  /** Vignetting (not implemented). */
  doVignette = unsupported('Compute and attach the validPolygon defining the unvignetted region to the exposure according to vignetting parameters?');
  /** Transmission curves (not implemented). */
  doAttachTransmissionCurve = unsupported('Construct and attach a wavelength-dependent throughput curve for this CCD image?');
  /** Illumination correction (not implemented). */
  doIlluminationCorrection = unsupported('Perform illumination correction?');
  /** ISR statistics (not implemented). */
  doCalculateStatistics = unsupported('Should additional ISR statistics be calculated?');
  /** Write the outputs. */
  doWrite = Field.bool({ doc: 'Persist postISRCCD?', default: true });

  /**
   * Checks the fields; refuses the steps SkyStack does not implement.
   *
   * @throws {@link IpIsrUnsupportedStepError} naming every unsupported step set to true
   */
  override validate(): void {
    super.validate();
    const on = UNSUPPORTED_ISR_STEPS.filter((k) => this[k]);
    if (on.length > 0) {
      throw new IpIsrUnsupportedStepError(
        `IsrTaskConfig: ${on.map((k) => `${k}=true`).join(', ')}: ${on.length === 1 ? 'this step is' : 'these steps are'} not implemented in SkyStack.`,
        { hint: `Set ${on.join(', ')} to false; SkyStack's IsrTask implements overscan, assembly, bias, variance, defects, NaN and saturation masking, dark, flat and interpolation.` },
      );
    }
  }

  /**
   * The mask planes interpolated over: `maskListToInterpolate`, with `saturatedMaskName` added
   * (`doSaturationInterpolation`) or removed, and `UNMASKEDNAN` added (`doNanInterpolation`) — what
   * LSST's `validate()` does to the list, computed here instead of changing the field.
   *
   * @returns the plane names
   */
  effectiveMaskListToInterpolate(): string[] {
    const list = [...this.maskListToInterpolate];
    const sat = this.saturatedMaskName;
    if (this.doSaturationInterpolation && !list.includes(sat)) list.push(sat);
    if (!this.doSaturationInterpolation && list.includes(sat)) list.splice(list.indexOf(sat), 1);
    if (this.doNanInterpolation && !list.includes('UNMASKEDNAN')) list.push('UNMASKEDNAN');
    return list;
  }
}

/**
 * Whether interpolating over `badBits` (along rows, as `interpolateOverDefects`) would use the
 * fallback value for some run: one that touches the left or right edge, or is longer than
 * `maxRun` (when `maxRun > 0`).
 */
function needsInterpolationFallback(mask: Mask, badBits: number, maxRun: number): boolean {
  if (badBits === 0) return false;
  const { data, width, height, stride } = mask.array;
  for (let y = 0; y < height; y++) {
    const o = y * stride;
    if ((data[o]! & badBits) !== 0 || (data[o + width - 1]! & badBits) !== 0) return true;
    if (maxRun <= 0) continue;
    let run = 0;
    for (let x = 0; x < width; x++) {
      if ((data[o + x]! & badBits) === 0) run = 0;
      else if (++run > maxRun) return true;
    }
  }
  return false;
}

/** The inputs of {@link IsrTask.run}, by connection name. */
export interface IsrRunInputs extends Readonly<Record<string, unknown>> {
  /** The raw exposure (untrimmed, ADU, with a Detector); float32 pixels are corrected in place. */
  readonly ccdExposure: Exposure<PixelArray>;
  /** The camera (optional; the raw's Detector is used). */
  readonly camera?: unknown;
  /** The bias (needed with doBias): trimmed, detector size. */
  readonly bias?: Exposure<PixelArray> | null;
  /** The dark (needed with doDark): trimmed, its VisitInfo dark time the scale (1 s when absent). */
  readonly dark?: Exposure<PixelArray> | null;
  /** The flat (needed with doFlat): trimmed. */
  readonly flat?: Exposure<PixelArray> | null;
  /** The defects (needed with doDefect). */
  readonly defects?: Defects | null;
}

/** What {@link IsrTask.run} returns. */
export interface IsrResult {
  /** The ISR-corrected exposure (ADU; trimmed when assembled). */
  readonly exposure: Exposure<Float32Array>;
  /** The same exposure (the output connection `postISRCCD`). */
  readonly outputExposure: Exposure<Float32Array>;
  /** A copy taken before interpolation (with doSaveInterpPixels), else null. */
  readonly preInterpExposure: Exposure<Float32Array> | null;
  /** The overscan results, one per amplifier (null where not corrected). */
  readonly overscans: ReadonlyArray<OverscanResult | null>;
}

/**
 * Instrument signature removal of one raw CCD exposure, in LSST's classic order: saturation
 * (and suspect) masking and bad-amplifier detection on the raw amplifiers, overscan subtraction,
 * assembly, bias, variance (`V = I/gain + (readNoise/gain)²` in ADU², the image staying in ADU),
 * defect, edge, NaN masking and bleed-trail widening, dark (scaled by the dark times), flat, a
 * rough photometric zero point, BAD regions set to the clipped mean (skipped when the
 * interpolation that follows replaces every BAD pixel from its neighbours, which leaves the same
 * pixels), and interpolation over the masked planes (growing SAT by `growSaturationFootprintSize`).
 *
 * @example
 * ```ts
 * const isr = new IsrTask();
 * const { exposure } = isr.run({ ccdExposure: raw, bias, dark, flat, defects });
 * exposure.mask.getPlaneBitMask('SAT');
 * ```
 * @see lsst.ip.isr.isrTask.IsrTask
 */
export class IsrTask extends PipelineTask<IsrTaskConfig> {
  /** {@link IsrTaskConfig}. */
  static override ConfigClass = IsrTaskConfig;
  /** `isr`. */
  static override _DefaultName: string | undefined = 'isr';
  /** The overscan subtask. */
  readonly overscan: OverscanCorrectionTask;
  /** The assembly subtask. */
  readonly assembleCcd: AssembleCcdTask;

  /**
   * Makes the task and its subtasks.
   *
   * @param options - config, name, log, ...
   * @throws {@link IpIsrUnsupportedStepError} when the config turns on an unsupported step
   */
  constructor(options: PipelineTaskOptions<IsrTaskConfig> = {}) {
    super(options);
    this.overscan = this.makeSubtask<OverscanCorrectionTask>('overscan');
    this.assembleCcd = this.makeSubtask<AssembleCcdTask>('assembleCcd');
  }

  /**
   * Runs ISR on one raw exposure.
   *
   * @param inputs - the raw and the calibrations, by connection name
   * @returns the corrected exposure (as `exposure` and `outputExposure`), the pre-interpolation
   *   copy and the overscan results
   * @throws {@link IpIsrMissingCalibrationError} when an enabled step lacks its calibration, a
   *   calibration does not fit, or the dark time is unknown
   * @throws {@link IpIsrGeometryError} when the raw has no Detector or its geometry does not fit
   * @see lsst.ip.isr.isrTask.IsrTask.run
   */
  override run(inputs: IsrRunInputs): Struct<IsrResult> {
    return timeMethod(this, 'run', () => this.#run(inputs));
  }

  #run(inputs: IsrRunInputs): Struct<IsrResult> {
    const cfg = this.config;
    const { bias, dark, flat } = inputs;
    const defects = inputs.defects ?? null;
    if (!(inputs.ccdExposure instanceof Exposure)) {
      throw new IpIsrInvalidArgumentError(`IsrTask.run needs an Exposure as ccdExposure; got ${String(inputs.ccdExposure)}.`);
    }
    const missing = (step: string, what: string): never => {
      throw new IpIsrMissingCalibrationError(`Must supply ${what} if config.${step}=True.`, { hint: `Pass it to run(), or set ${step}=false.` });
    };
    if (cfg.doBias && !bias) missing('doBias', 'a bias exposure');
    if (cfg.doDark && !dark) missing('doDark', 'a dark exposure');
    if (cfg.doFlat && !flat) missing('doFlat', 'a flat exposure');
    if (cfg.doDefect && !defects) missing('doDefect', 'defects');

    let ccdExposure = this.#convertIntToFloat(inputs.ccdExposure);
    const detector = ccdExposure.getDetector();
    if (detector === null || detector.amplifiers.length === 0) {
      throw new IpIsrGeometryError('The raw exposure has no Detector with amplifiers; IsrTask needs the amplifier geometry.', {
        hint: 'Attach the camera geometry (exposure.setDetector(camera[detectorId])).',
      });
    }

    // Amplifier-level processing on the raw.
    const overscans: (OverscanResult | null)[] = [];
    const rawBBox = ccdExposure.getBBox();
    for (const amp of detector.amplifiers) {
      if (!rawBBox.contains(amp.rawBBox) || amp.rawBBox.isEmpty()) {
        this.log.info(`Skipped OSCAN for ${amp.name}.`);
        overscans.push(null);
        continue;
      }
      const badAmp = this.maskAmplifier(ccdExposure, amp, defects);
      if (cfg.doOverscan && !badAmp && !amp.rawHorizontalOverscanBBox.isEmpty()) {
        const r = this.overscan.run(ccdExposure, amp);
        overscans.push(r);
        this.metadata.set(`FIT MEDIAN ${amp.name}`, r.overscanMedian);
        this.metadata.set(`RESIDUAL STDEV ${amp.name}`, r.residualSigma);
      } else {
        if (badAmp) this.log.warn(`Amplifier ${amp.name} is bad.`);
        else if (cfg.doOverscan) this.log.info(`ISR_OSCAN: No overscan region for ${amp.name}. Not performing overscan correction.`);
        overscans.push(null);
      }
    }

    if (cfg.doAssembleCcd) {
      ccdExposure = this.assembleCcd.assembleCcd(ccdExposure);
      if (cfg.expectWcs && !ccdExposure.hasWcs()) this.log.warn('No WCS found in input exposure.');
    }
    const assembled = cfg.doAssembleCcd;
    const ampBox = (amp: Amplifier): Box2I => (assembled ? amp.bbox : amp.rawDataBBox);
    const mi = ccdExposure.maskedImage;

    if (cfg.doBias) this.#applyCalib('bias', mi, bias!, (m, c) => biasCorrection(m, c));

    if (cfg.doVariance) {
      for (const amp of detector.amplifiers) {
        const box = ampBox(amp);
        if (!ccdExposure.getBBox().contains(box)) continue;
        let gain = amp.gain;
        if (Number.isNaN(gain)) gain = Number.isNaN(cfg.gain) ? 1 : cfg.gain;
        if (Number.isNaN(gain)) {
          this.log.warn('Gain set to NAN! Updating to 1.0 to generate Poisson variance.');
          gain = 1;
        } else if (gain <= 0) {
          this.log.warn(`Gain for amp ${amp.name} == ${gain} <= 0; setting to 1.`);
          gain = 1;
        }
        const readNoise = Number.isNaN(amp.readNoise) ? cfg.readNoise : amp.readNoise;
        updateVariance(mi.subset(box), gain, readNoise);
      }
      if (cfg.maskNegativeVariance) {
        const bit = planeBits(mi.mask, cfg.negativeVarianceMaskName);
        const v = mi.variance.array;
        const m = mi.mask.array;
        for (let y = 0; y < v.height; y++) for (let x = 0; x < v.width; x++) if (v.data[y * v.stride + x]! <= 0) m.data[y * m.stride + x]! |= bit;
      }
    }

    if (cfg.doDefect) {
      defects!.maskPixels(mi, 'BAD');
      if (cfg.numEdgeSuspect > 0) {
        const boxes = cfg.edgeMaskLevel === 'AMP' ? detector.amplifiers.map(ampBox) : undefined;
        maskEdges(mi, cfg.numEdgeSuspect, 'SUSPECT', boxes);
      }
    }
    if (cfg.doNanMasking) {
      const n = maskNans(mi, planeBits(mi.mask, 'UNMASKEDNAN'));
      this.metadata.set('NUMNANS', n);
      if (n > 0) this.log.warn(`There were ${n} unmasked NaNs.`);
    }
    if (cfg.doWidenSaturationTrails) widenSaturationTrails(mi.mask, cfg.saturatedMaskName);

    if (cfg.doDark) {
      const expScale = ccdExposure.getVisitInfo()?.darkTime ?? Number.NaN;
      if (Number.isNaN(expScale)) {
        throw new IpIsrMissingCalibrationError('Exposure darktime is NAN.', { hint: 'The raw needs a VisitInfo with darkTime for the dark correction (or set doDark=false).' });
      }
      let darkScale = dark!.getVisitInfo()?.darkTime ?? Number.NaN;
      if (Number.isNaN(darkScale)) {
        this.log.warn('The dark has no VisitInfo dark time. Using darkScale = 1.0.');
        darkScale = 1;
      }
      this.#applyCalib('dark', mi, dark!, (m, c) => darkCorrection(m, c, expScale, darkScale));
    }
    if (cfg.doFlat) this.#applyCalib('flat', mi, flat!, (m, c) => flatCorrection(m, c, cfg.flatScalingType, cfg.flatUserScale));

    this.#roughZeroPoint(ccdExposure);

    const preInterpExposure = cfg.doSaveInterpPixels ? ccdExposure.clone() : null;
    const interpPlanes = cfg.effectiveMaskListToInterpolate();
    // The planes setBadRegions would add, in its order (the bits of new planes follow the order of addition).
    if (cfg.doSetBadRegions) planeBits(mi.mask, ['BAD', 'INTRP']);
    const grow = cfg.growSaturationFootprintSize;
    // Growing SAT neither reads nor changes what setBadRegions reads or writes, so it may come first.
    let grown = false;
    if (cfg.doInterpolate && grow > 0 && interpPlanes.includes('SAT')) {
      growMasks(mi.mask, grow, ['SAT'], 'SAT');
      grown = true;
    }
    if (cfg.doSetBadRegions) {
      if (cfg.doInterpolate && interpPlanes.includes('BAD') && !needsInterpolationFallback(mi.mask, planeBits(mi.mask, interpPlanes), cfg.maxInterpolationDistance)) {
        // Every BAD pixel is about to be replaced from its good neighbours (no run needs the
        // fallback value, the one statistic that would see the BAD pixels' values): setting them
        // to the clipped mean first would change nothing, so the whole-image statistic is skipped.
        this.log.debug('BAD pixels are all interpolated from their neighbours; their clipped-mean fill is skipped.');
      } else {
        const { count, value } = setBadRegions(mi, cfg.badStatistic);
        if (count > 0) this.log.info(`Set ${count} BAD pixels to ${value}.`);
      }
    }
    if (cfg.doInterpolate) {
      interpolateFromMask(mi, {
        maskNameList: interpPlanes,
        growSaturatedFootprints: grown ? 0 : grow,
        maxInterpolationDistance: cfg.maxInterpolationDistance,
      });
    }
    return new Struct<IsrResult>({ exposure: ccdExposure, outputExposure: ccdExposure, preInterpExposure, overscans });
  }

  /**
   * Masks a raw amplifier: the whole amplifier BAD when a defect covers it (then it is skipped),
   * saturated (`>= saturation`) and suspect pixels, and the amplifier BAD when all its data
   * pixels are saturated or suspect.
   *
   * @param ccdExposure - the untrimmed raw (float pixels)
   * @param amp - the amplifier
   * @param defects - the defects (detector coordinates), or null
   * @returns whether the amplifier is bad
   * @see lsst.ip.isr.isrTask.IsrTask.maskAmplifier
   */
  maskAmplifier(ccdExposure: Exposure<Float32Array>, amp: Amplifier, defects: Defects | null): boolean {
    const cfg = this.config;
    const mi = ccdExposure.maskedImage;
    if (defects !== null && [...defects].some((b) => b.contains(amp.bbox))) {
      const m = mi.mask.subset(amp.rawBBox);
      m.orInPlace(planeBits(m, 'BAD'));
      return true;
    }
    const limits = new Map<string, number>();
    if (cfg.doSaturation) limits.set(cfg.saturatedMaskName, amp.saturation);
    if (cfg.doSuspect) limits.set(cfg.suspectMaskName, amp.suspectLevel);
    if (Number.isFinite(cfg.saturation)) limits.set(cfg.saturatedMaskName, cfg.saturation);
    const view = mi.subset(amp.rawBBox);
    for (const [name, level] of limits) if (!Number.isNaN(level)) makeThresholdMask(view, level, 0, name);
    const data = mi.mask.subset(amp.rawDataBBox);
    const bits = planeBits(data, [cfg.saturatedMaskName, cfg.suspectMaskName]);
    const { data: md, width, height, stride } = data.array;
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if ((md[y * stride + x]! & bits) === 0) return false;
    data.orInPlace(planeBits(data, 'BAD'));
    return true;
  }

  #convertIntToFloat(exposure: Exposure<PixelArray>): Exposure<Float32Array> {
    if (exposure.image.pixelType === 'float32') return exposure as Exposure<Float32Array>;
    if (!this.config.doConvertIntToFloat) {
      throw new IpIsrInvalidArgumentError(`The raw has ${exposure.image.pixelType} pixels and doConvertIntToFloat is false; ISR needs float32 pixels.`, {
        hint: 'Set doConvertIntToFloat=true.',
      });
    }
    const bbox = exposure.getBBox();
    const image = Image.make('float32', bbox);
    image.assign(exposure.image);
    const mask = Mask.make(bbox, { planeDict: exposure.mask.planeDict.clone() });
    const variance = Image.make('float32', bbox, 1);
    return new Exposure(new MaskedImage(image, mask, variance), exposure.getInfo().clone());
  }

  #applyCalib(name: string, mi: MaskedImage<Float32Array>, calib: Exposure<PixelArray>, op: (m: MaskedImage<PixelArray>, c: MaskedImage<PixelArray>) => void): void {
    const a = mi.getBBox();
    const b = calib.getBBox();
    if (a.width !== b.width || a.height !== b.height) {
      throw new IpIsrMissingCalibrationError(`The ${name} is ${b.width}x${b.height} but the exposure is ${a.width}x${a.height} after assembly.`, {
        hint: `Use a trimmed ${name} of the same detector (and doAssembleCcd=true).`,
      });
    }
    op(mi, calib.maskedImage);
  }

  #roughZeroPoint(exposure: Exposure<Float32Array>): void {
    const filter = exposure.getFilter();
    const physical = filter !== null && filter.hasPhysicalLabel() ? filter.physicalLabel : 'Unknown';
    const fluxMag0 = this.config.fluxMag0T1[physical] ?? this.config.defaultFluxMag0T1;
    if (!(physical in this.config.fluxMag0T1)) this.log.warn(`No rough magnitude zero point defined for filter ${physical}.`);
    const expTime = exposure.getVisitInfo()?.exposureTime ?? Number.NaN;
    if (!(expTime > 0)) {
      this.log.warn('Non-positive exposure time; skipping rough zero point.');
      return;
    }
    exposure.setPhotoCalib(makePhotoCalibFromCalibZeroPoint(fluxMag0 * expTime, 0));
  }
}
