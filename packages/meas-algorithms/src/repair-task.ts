import type { Exposure, PixelArray } from '@skystack/afw-image';
import type { Footprint } from '@skystack/afw-table';
import type { Box2I } from '@skystack/geom';
import { makeStatistics } from '@skystack/kernels';
import { Config, ConfigField, Field } from '@skystack/pex-config';
import { Task, type TaskOptions } from '@skystack/pipe-base';
import { MeasAlgorithmsInvalidArgumentError } from './errors.js';
import { FindCosmicRaysConfig, findCosmicRays, interpolateFlaggedPixels } from './find-cosmic-rays.js';

/**
 * Configuration of {@link RepairTask}, with LSST's fields and defaults.
 *
 * @see lsst.pipe.tasks.repair.RepairConfig
 */
export class RepairConfig extends Config {
  /** Interpolate over defects? (ignored unless defects are given). */
  doInterpolate = Field.bool({ default: true, doc: 'Interpolate over defects? (ignored unless you provide a list of defects)' });
  /** Find and mask out cosmic rays? */
  doCosmicRay = Field.bool({ default: true, doc: 'Find and mask out cosmic rays?' });
  /** Options for finding and masking cosmic rays. */
  cosmicray = ConfigField({ doc: 'Options for finding and masking cosmic rays', dtype: FindCosmicRaysConfig });
}

/** Options of {@link RepairTask.run}. */
export interface RepairOptions {
  /** Defects (PARENT boxes) to interpolate over. */
  readonly defects?: readonly Box2I[] | undefined;
  /** Do not interpolate over CR pixels (default `config.cosmicray.keepCRs`). */
  readonly keepCRs?: boolean | undefined;
}

/** What {@link RepairTask.run} returns. */
export interface RepairResult {
  /** The cosmic rays found (empty when `doCosmicRay` is false). */
  readonly cosmicRays: Footprint[];
}

/**
 * Repairs an exposure's instrumental problems: interpolates over defects (setting BAD and INTRP on
 * them) and finds cosmic rays (clearing, then setting, the CR plane; replacing their pixels
 * unless `keepCRs`). The exposure must have a PSF (the first pass uses the one installed by
 * {@link InstallGaussianPsfTask}).
 *
 * @example
 * ```ts
 * new InstallGaussianPsfTask().run(exposure);
 * const { cosmicRays } = new RepairTask().run(exposure);
 * ```
 * @see lsst.pipe.tasks.repair.RepairTask
 */
export class RepairTask extends Task<RepairConfig> {
  /** {@link RepairConfig}. */
  static override ConfigClass = RepairConfig;
  /** `repair`. */
  static override _DefaultName: string | undefined = 'repair';

  /**
   * Makes the task.
   *
   * @param options - Task options
   */
  constructor(options: TaskOptions<RepairConfig> = {}) {
    super(options);
  }

  /**
   * Repairs the exposure in place.
   *
   * @param exposure - the exposure (with a PSF)
   * @param options - defects and keepCRs
   * @returns the cosmic rays
   * @throws {@link MeasAlgorithmsInvalidArgumentError} when the exposure has no PSF
   * @throws {@link MeasAlgorithmsTooManyCosmicRaysError} when too many CR pixels are found
   * @see lsst.pipe.tasks.repair.RepairTask.run
   */
  run(exposure: Exposure<PixelArray>, options: RepairOptions = {}): RepairResult {
    return this.timer('run', () => {
      if (exposure.getPsf() === null) throw new MeasAlgorithmsInvalidArgumentError('RepairTask needs an exposure with a PSF; got none.', { hint: 'Run InstallGaussianPsfTask first.' });
      if (options.defects !== undefined && this.config.doInterpolate) this.interpolate(exposure, options.defects);
      const cosmicRays = this.config.doCosmicRay ? this.cosmicRay(exposure, options.keepCRs) : [];
      return { cosmicRays };
    });
  }

  /**
   * Interpolates over defects: their pixels get BAD and INTRP and are replaced by linear
   * interpolation between the nearest good pixels along rows, columns and diagonals (the median
   * of the directional estimates), or the image's clipped mean when none is near.
   *
   * @param exposure - the exposure (changed in place)
   * @param defects - the defect boxes (PARENT)
   * @see lsst.pipe.tasks.repair.RepairTask.interpolate
   */
  interpolate(exposure: Exposure<PixelArray>, defects: readonly Box2I[]): void {
    const mi = exposure.maskedImage;
    const { data, width, height, stride } = mi.image.array;
    const mask = mi.mask;
    const mdata = mask.array.data;
    const mstride = mask.array.stride;
    const bits = mask.getPlaneBitMask(['BAD', 'INTRP']);
    const x0 = mi.image.getX0();
    const y0 = mi.image.getY0();
    const flagged = new Uint8Array(width * height);
    const pixels: number[] = [];
    let reach = 2;
    for (const box of defects) {
      reach = Math.max(reach, box.getWidth() + 2, box.getHeight() + 2);
      for (let y = Math.max(0, box.getMinY() - y0); y <= Math.min(height - 1, box.getMaxY() - y0); y++) {
        for (let x = Math.max(0, box.getMinX() - x0); x <= Math.min(width - 1, box.getMaxX() - x0); x++) {
          if (flagged[y * width + x] === 1) continue;
          flagged[y * width + x] = 1;
          pixels.push(y * width + x);
        }
      }
    }
    // In place: the estimates are all computed from the untouched pixels before any is written.
    const fallback = makeStatistics(data, { properties: ['MEANCLIP'], region: { stride, x0: 0, y0: 0, width, height } }).getValue('MEANCLIP');
    interpolateFlaggedPixels(data as unknown as { [i: number]: number }, width, height, stride, (q) => flagged[q] === 1, pixels, reach, fallback);
    for (const p of pixels) {
      const x = p % width;
      const y = (p - x) / width;
      mdata[y * mstride + x]! |= bits;
    }
    this.log.info(`Interpolated over ${defects.length} defects.`);
  }

  /**
   * Finds and masks cosmic rays (see {@link findCosmicRays}), with the image's median (of a regular
   * subsample of at most ~2²⁰ pixels) as the background; the CR plane is cleared first.
   *
   * @param exposure - the exposure (changed in place)
   * @param keepCRs - do not interpolate over CR pixels (default `config.cosmicray.keepCRs`)
   * @returns the cosmic rays
   * @see lsst.pipe.tasks.repair.RepairTask.cosmicRay
   */
  cosmicRay(exposure: Exposure<PixelArray>, keepCRs?: boolean): Footprint[] {
    const mi = exposure.maskedImage;
    const mask = mi.mask;
    if (mask.planeDict.hasPlane('CR')) mask.clearMaskPlane(mask.getMaskPlane('CR'));
    const { data, width, height, stride } = mi.image.array;
    // The median of a regular subsample of at most ~2²⁰ pixels.
    const step = Math.max(1, Math.floor(Math.sqrt((width * height) / 2 ** 20)));
    const sample = new Float32Array(Math.ceil(width / step) * Math.ceil(height / step));
    let n = 0;
    for (let y = 0; y < height; y += step) for (let x = 0; x < width; x += step) sample[n++] = Number(data[y * stride + x]);
    const bkgd = makeStatistics(sample.subarray(0, n), { properties: ['MEDIAN'] }).getValue('MEDIAN');
    const crs = findCosmicRays(mi, exposure.getPsf()!, bkgd, this.config.cosmicray, keepCRs ?? this.config.cosmicray.keepCRs);
    this.log.info(`Identified ${crs.length} cosmic rays.`);
    this.metadata.set('numCosmicRays', crs.length);
    return crs;
  }
}
