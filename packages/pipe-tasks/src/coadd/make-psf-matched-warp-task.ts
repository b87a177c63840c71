// MakePsfMatchedWarpTask: a direct warp convolved, detector by detector, so that its PSF is one
// model PSF everywhere (lsst.drp.tasks.make_psf_matched_warp).
import type { Exposure} from '@skystack/afw-image';
import { getCoaddInputs, type ExposureRecord, type PixelArray } from '@skystack/afw-image';
import { Box2D, Box2I, Point2D, Point2I } from '@skystack/geom';
import { GaussianPsfFactory, ModelPsfMatchTask, type ModelPsfMatchConfig } from '@skystack/ip-diffim';
import { makeWcsPairPixelTransform, WarpedPsf } from '@skystack/meas-algorithms';
import { ConfigField, ConfigurableField } from '@skystack/pex-config';
import { Input, Output, PipelineTask, PipelineTaskConfig, Struct, defineConnections, timeMethod } from '@skystack/pipe-base';
import type { ConnectionNames, ConnectionsConfig, InputQuantizedConnection, OutputQuantizedConnection, PipelineTaskOptions, QuantumContext } from '@skystack/pipe-base';
import type { BaseSkyMap } from '@skystack/skymap';
import type { SkyWcs } from '@skystack/wcs';
import { PipeTasksInvalidArgumentError } from '../errors.js';
import { makeSkyInfo } from './coadd-utils.js';
import { copyGoodPixels } from './make-warp-task.js';

const WARP_DIMENSIONS = ['tract', 'patch', 'skymap', 'instrument', 'visit'] as const;

/**
 * The connections of {@link MakePsfMatchedWarpTask}, per `(tract, patch, skymap, instrument,
 * visit)`: the `skyMap` and `deepCoadd_directWarp` in, `deepCoadd_psfMatchedWarp` out.
 *
 * @see lsst.drp.tasks.make_psf_matched_warp.MakePsfMatchedWarpConnections
 */
export class MakePsfMatchedWarpConnections extends defineConnections({
  dimensions: WARP_DIMENSIONS,
  defaultTemplates: { coaddName: 'deep' },
  connections: {
    /** The sky map. */
    sky_map: new Input({ doc: 'Input definition of geometry/bbox and projection/wcs for warps.', name: 'skyMap', storageClass: 'SkyMap', dimensions: ['skymap'] }),
    /** The direct warp. */
    direct_warp: new Input({
      doc: 'Direct warped exposure produced by resampling calexps onto the skyMap patch geometry',
      name: '{coaddName}Coadd_directWarp',
      storageClass: 'ExposureF',
      dimensions: WARP_DIMENSIONS,
    }),
    /** The PSF-matched warp. */
    psf_matched_warp: new Output({
      doc: 'Output PSF-Matched warped exposure, produced by resampling calexps onto the skyMap patch geometry and PSF-matching to a model PSF.',
      name: '{coaddName}Coadd_psfMatchedWarp',
      storageClass: 'ExposureF',
      dimensions: WARP_DIMENSIONS,
    }),
  },
}) {}

/**
 * The config of {@link MakePsfMatchedWarpTask}, with LSST's fields and defaults: a model PSF of
 * FWHM 7.7 pixels (`modelPsf`, a double Gaussian) and PSF matching with the AL basis of Gaussian
 * widths 1.0, 2.0 and 4.5 pixels.
 *
 * @see lsst.drp.tasks.make_psf_matched_warp.MakePsfMatchedWarpConfig
 */
export class MakePsfMatchedWarpConfig extends PipelineTaskConfig.withConnections(MakePsfMatchedWarpConnections) {
  /** The dataset type names of the connections. */
  declare readonly connections: ConnectionsConfig<ConnectionNames<typeof MakePsfMatchedWarpConnections>>;
  /** The model PSF every detector is matched to. */
  modelPsf = ConfigField({ doc: 'Model Psf factory', dtype: GaussianPsfFactory });
  /** The PSF matching. */
  psfMatch = ConfigurableField({ doc: 'Task to warp and PSF-match calexp', target: ModelPsfMatchTask }) as unknown as ModelPsfMatchConfig;

  /** LSST's setDefaults: the AL Gaussians 1.0, 2.0, 4.5 px; the model FWHM 7.7 px. */
  override setDefaults(): void {
    super.setDefaults();
    this.psfMatch.kernel.get('AL').alardSigGauss = [1.0, 2.0, 4.5];
    this.modelPsf.defaultFwhm = 7.7;
  }
}

/** The inputs of {@link MakePsfMatchedWarpTask.run}. */
export interface MakePsfMatchedWarpInputs extends Readonly<Record<string, unknown>> {
  /** The direct warp (with `CoaddInputs` whose detectors carry WCS and PSF). */
  readonly directWarp: Exposure<PixelArray>;
  /** The bbox of the output (the patch's outer bbox). */
  readonly bbox: Box2I;
}

/** What {@link MakePsfMatchedWarpTask.run} returns. */
export interface MakePsfMatchedWarpResult {
  /** The PSF-matched warp, or null when no detector of the warp lands on the bbox. */
  readonly psf_matched_warp: Exposure<Float32Array> | null;
}

/** The corners of a detector's box mapped into the warp's pixels, and whether a point lies inside them. */
function detectorQuad(row: ExposureRecord, warpWcs: SkyWcs): { corners: Point2D[]; contains(x: number, y: number): boolean } | null {
  const wcs = row.getWcs() as SkyWcs | null;
  if (wcs === null) return null;
  const transform = makeWcsPairPixelTransform(wcs, warpWcs);
  const b = Box2D.fromBox2I(row.getBBox());
  const corners = [new Point2D(b.getMinX(), b.getMinY()), new Point2D(b.getMaxX(), b.getMinY()), new Point2D(b.getMaxX(), b.getMaxY()), new Point2D(b.getMinX(), b.getMaxY())].map((p) =>
    transform.applyForward(p),
  );
  // A convex quadrilateral: inside when on the same side of every edge.
  const cross = (i: number, x: number, y: number): number => {
    const a = corners[i]!;
    const c = corners[(i + 1) % 4]!;
    return (c.getX() - a.getX()) * (y - a.getY()) - (c.getY() - a.getY()) * (x - a.getX());
  };
  const sign = Math.sign(cross(0, corners[2]!.getX(), corners[2]!.getY()));
  return { corners, contains: (x, y) => [0, 1, 2, 3].every((i) => cross(i, x, y) * sign >= 0) };
}

/**
 * Makes a PSF-matched warp from a direct warp: each detector of the warp's `CoaddInputs` is
 * isolated (its box mapped into the warp with its own WCS; pixels outside get no flux, `NO_DATA`
 * and infinite variance), given its PSF as the warp sees it (`WarpedPsf` of the detector's PSF
 * through the detector → warp pixel transform), convolved by `ModelPsfMatchTask` (`@skystack/ip-diffim`) so that its
 * PSF becomes the `modelPsf`, and its good pixels copied into the output. Pixels no detector
 * covers stay NaN with infinite variance (and `NO_DATA`, as the direct warp has them), as LSST's.
 *
 * @example
 * ```ts
 * const { psf_matched_warp } = new MakePsfMatchedWarpTask().run({ directWarp, bbox: skyInfo.bbox }).getDict();
 * psf_matched_warp?.getPsf(); // the model PSF (a DoubleGaussianPsf of FWHM 7.7 px)
 * ```
 * @see lsst.drp.tasks.make_psf_matched_warp.MakePsfMatchedWarpTask
 */
export class MakePsfMatchedWarpTask extends PipelineTask<MakePsfMatchedWarpConfig> {
  /** {@link MakePsfMatchedWarpConfig}. */
  static override ConfigClass = MakePsfMatchedWarpConfig;
  /** `makePsfMatchedWarp`. */
  static override _DefaultName: string | undefined = 'makePsfMatchedWarp';
  /** The PSF matching subtask. */
  readonly psfMatch: ModelPsfMatchTask;

  /**
   * Makes the task and its PSF-matching subtask.
   *
   * @param options - config, name, parent task
   */
  constructor(options: PipelineTaskOptions<MakePsfMatchedWarpConfig> = {}) {
    super(options);
    this.psfMatch = this.makeSubtask<ModelPsfMatchTask>('psfMatch');
  }

  /**
   * PSF-matches a direct warp (see the class description).
   *
   * @param inputs - the direct warp and the output bbox
   * @returns the PSF-matched warp, or null when no detector lands on `bbox`
   * @throws {@link PipeTasksInvalidArgumentError} when the warp has no WCS or no `CoaddInputs`
   * @see lsst.drp.tasks.make_psf_matched_warp.MakePsfMatchedWarpTask.run
   */
  override run(inputs: MakePsfMatchedWarpInputs): Struct<MakePsfMatchedWarpResult> {
    return timeMethod(this, 'run', () => {
      const { directWarp, bbox } = inputs;
      const warpWcs = directWarp.getWcs();
      const coaddInputs = getCoaddInputs(directWarp.getInfo());
      if (warpWcs === null || coaddInputs === null) {
        throw new PipeTasksInvalidArgumentError('MakePsfMatchedWarpTask needs a direct warp with a WCS and CoaddInputs (the detectors, their WCSs and PSFs).', {
          hint: 'Make the direct warp with MakeWarpTask, which records them.',
        });
      }
      const modelPsf = this.config.modelPsf.apply();
      const region = directWarp.getBBox().clippedTo(bbox);
      const out = directWarp.subset(region).clone() as Exposure<Float32Array>;
      out.image.array.data.fill(Number.NaN);
      out.variance.array.data.fill(Number.POSITIVE_INFINITY);
      out.setPsf(modelPsf);
      const noData = directWarp.mask.getPlaneBitMask('NO_DATA');
      let total = 0;
      for (let r = 0; r < coaddInputs.ccds.length; r++) {
        const row = coaddInputs.ccds.get(r);
        const ccd = Number(row.get('ccd'));
        const quad = detectorQuad(row, warpWcs);
        const psf = row.getPsf();
        if (quad === null || psf === null) {
          this.log.warn(`Detector ${ccd} has no WCS or PSF in the CoaddInputs; its pixels are left out of the PSF-matched warp.`);
          continue;
        }
        // The smallest box of warp pixels that holds the detector, within the direct warp.
        let box = new Box2I();
        for (const c of quad.corners) box = box.expandedTo(new Point2I(Math.floor(c.getX() + 0.5), Math.floor(c.getY() + 0.5)));
        box = box.clippedTo(directWarp.getBBox());
        if (box.isEmpty() || !box.overlaps(out.getBBox())) {
          this.log.debug(`Skipping detector ${ccd}: it does not overlap the PSF-matched warp.`);
          continue;
        }
        const temp = directWarp.subset(box).clone();
        temp.setPsf(new WarpedPsf(psf as never, makeWcsPairPixelTransform(row.getWcs() as SkyWcs, warpWcs)));
        const inside = new Uint8Array(box.getWidth() * box.getHeight());
        const { data: im, stride: is } = temp.image.array;
        const { data: va, stride: vs } = temp.variance.array;
        const { data: ma, stride: ms } = temp.mask.array;
        for (let y = 0; y < box.getHeight(); y++) {
          for (let x = 0; x < box.getWidth(); x++) {
            if (quad.contains(x + box.getMinX(), y + box.getMinY())) inside[y * box.getWidth() + x] = 1;
            else {
              im[y * is + x] = 0;
              va[y * vs + x] = Number.POSITIVE_INFINITY;
              ma[y * ms + x] = ma[y * ms + x]! | noData;
            }
          }
        }
        const matched = this.psfMatch.run(temp, modelPsf).getDict().psfMatchedExposure;
        const { data: mm, stride: mms } = matched.mask.array;
        for (let y = 0; y < box.getHeight(); y++) for (let x = 0; x < box.getWidth(); x++) if (inside[y * box.getWidth() + x] === 0) mm[y * mms + x] = mm[y * mms + x]! | noData;
        const n = copyGoodPixels(out.maskedImage, matched.maskedImage, noData);
        this.log.info(`Copied ${n} pixels from CCD ${ccd} to exposure_psf_matched`);
        total += n;
      }
      this.log.info(`Total number of good pixels = ${total}`);
      return new Struct<MakePsfMatchedWarpResult>({ psf_matched_warp: total > 0 ? out : null });
    });
  }

  /**
   * Reads the sky map and the direct warp, PSF-matches it over the patch, writes it (when any
   * pixel was matched).
   *
   * @param butlerQC - the quantum context
   * @param inputRefs - the input references
   * @param outputRefs - the output references
   */
  override async runQuantum(butlerQC: QuantumContext, inputRefs: InputQuantizedConnection, outputRefs: OutputQuantizedConnection): Promise<void> {
    const inputs = (await butlerQC.get(inputRefs)) as Record<string, unknown>;
    const dataId = butlerQC.quantum.dataId;
    const skyInfo = makeSkyInfo(inputs['sky_map'] as BaseSkyMap, Number(dataId.get('tract')), Number(dataId.get('patch')));
    const { psf_matched_warp } = this.run({ directWarp: inputs['direct_warp'] as Exposure<PixelArray>, bbox: skyInfo.bbox }).getDict();
    if (psf_matched_warp !== null) await butlerQC.put({ psf_matched_warp }, outputRefs);
  }
}
