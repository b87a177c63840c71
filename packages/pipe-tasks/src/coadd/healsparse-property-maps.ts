// Survey property maps (lsst.pipe.tasks.healSparseMappingProperties): per-property configs,
// accumulators of min/max/mean/weighted mean/sum, and the approximate PSF size and shape.
import type { ExposureRecord, PhotoCalib, Psf } from '@skystack/afw-image';
import { Point2D, type Box2I } from '@skystack/geom';
import { HealSparseMap } from '@skystack/healsparse';
import { fitChebyshevBoundedField } from '@skystack/meas-algorithms';
import { Config, ConfigField, Field } from '@skystack/pex-config';
import { PipeTasksInvalidArgumentError } from '../errors.js';

/** The operations a property map can be reduced with, in LSST's order (the dataset-type suffixes). */
export const PROPERTY_MAP_OPS = ['min', 'max', 'mean', 'weighted_mean', 'sum'] as const;

/** One of {@link PROPERTY_MAP_OPS}. */
export type PropertyMapOp = (typeof PROPERTY_MAP_OPS)[number];

/** The properties SkyStack implements (LSST registry names; `dcr_*` and `n_exposure` are not implemented). */
export const PROPERTY_MAP_NAMES = ['exposure_time', 'psf_size', 'psf_e1', 'psf_e2', 'psf_maglim', 'sky_noise', 'sky_background', 'epoch'] as const;

/** One of {@link PROPERTY_MAP_NAMES}. */
export type PropertyMapName = (typeof PROPERTY_MAP_NAMES)[number];

/**
 * Which reductions of one property to make (all off by default, as LSST's).
 *
 * @see lsst.pipe.tasks.healSparseMappingProperties.BasePropertyMapConfig
 */
export class BasePropertyMapConfig extends Config {
  /** Make the map of minima. */
  do_min = Field.bool({ doc: 'Compute map of property minima.', default: false });
  /** Make the map of maxima. */
  do_max = Field.bool({ doc: 'Compute map of property maxima.', default: false });
  /** Make the map of (unweighted) means. */
  do_mean = Field.bool({ doc: 'Compute map of property means.', default: false });
  /** Make the map of means weighted by the inputs' coadd weights. */
  do_weighted_mean = Field.bool({ doc: 'Compute map of weighted property means.', default: false });
  /** Make the map of sums. */
  do_sum = Field.bool({ doc: 'Compute map of property sums.', default: false });
}

/**
 * The config of the PSF magnitude-limit map: only the weighted mean is allowed.
 *
 * @see lsst.pipe.tasks.healSparseMappingProperties.PsfMaglimPropertyMapConfig
 */
export class PsfMaglimPropertyMapConfig extends BasePropertyMapConfig {
  /** The number of sigma of the limit. */
  maglim_nsigma = Field.float({ doc: 'Number of sigma to compute magnitude limit.', default: 5.0 });

  /**
   * Checks the fields.
   *
   * @throws {@link PipeTasksInvalidArgumentError} when another reduction than the weighted mean is on
   */
  override validate(): void {
    super.validate();
    if (this.do_min || this.do_max || this.do_mean || this.do_sum) {
      throw new PipeTasksInvalidArgumentError('Can only use do_weighted_mean with PsfMaglimPropertyMap.', { hint: 'Turn off do_min, do_max, do_mean and do_sum of psf_maglim.' });
    }
  }
}

/**
 * The properties to map (SkyStack's stand-in for LSST's `property_maps` registry field: one
 * sub-config per implemented property, with LSST's defaults: `exposure_time` sum; `psf_size`,
 * `psf_e1`, `psf_e2`, `psf_maglim`, `sky_noise`, `sky_background` weighted mean; `epoch` mean,
 * min and max). A property with every reduction off is not computed and has no outputs.
 *
 * @see lsst.pipe.tasks.healSparseMapping.HealSparsePropertyMapConfig.property_maps
 */
export class PropertyMapsConfig extends Config {
  /** Exposure time (s): `visitInfo.exposureTime`. */
  exposure_time = ConfigField({ doc: 'Exposure time property map', dtype: BasePropertyMapConfig });
  /** PSF size (determinant radius, input pixels). */
  psf_size = ConfigField({ doc: 'PSF size property map', dtype: BasePropertyMapConfig });
  /** PSF ellipticity e1. */
  psf_e1 = ConfigField({ doc: 'PSF shape e1 property map', dtype: BasePropertyMapConfig });
  /** PSF ellipticity e2. */
  psf_e2 = ConfigField({ doc: 'PSF shape e2 property map', dtype: BasePropertyMapConfig });
  /** PSF magnitude limit (AB mag at the coadd zeropoint). */
  psf_maglim = ConfigField({ doc: 'PSF magnitude limit property map', dtype: PsfMaglimPropertyMapConfig });
  /** Sky noise, calibrated (nJy). */
  sky_noise = ConfigField({ doc: 'Sky noise property map', dtype: BasePropertyMapConfig });
  /** Sky background, calibrated (nJy). */
  sky_background = ConfigField({ doc: 'Sky background property map', dtype: BasePropertyMapConfig });
  /** Epoch (MJD, TAI) of the visit. */
  epoch = ConfigField({ doc: 'Epoch property map', dtype: BasePropertyMapConfig });

  /** LSST's defaults (`HealSparsePropertyMapConfig.setDefaults`). */
  override setDefaults(): void {
    super.setDefaults();
    this.exposure_time.do_sum = true;
    for (const name of ['psf_size', 'psf_e1', 'psf_e2', 'psf_maglim', 'sky_noise', 'sky_background'] as const) this[name].do_weighted_mean = true;
    this.epoch.do_mean = true;
    this.epoch.do_min = true;
    this.epoch.do_max = true;
  }
}

/**
 * Whether a property config asks for any map (LSST's `PropertyMapMap.__iter__` test).
 *
 * @param config - the property's config
 * @returns true when at least one reduction is on
 * @example
 * ```ts
 * propertyMapEnabled(new PropertyMapsConfig().exposure_time); // true (do_sum)
 * ```
 */
export function propertyMapEnabled(config: BasePropertyMapConfig): boolean {
  return config.do_min || config.do_max || config.do_mean || config.do_weighted_mean || config.do_sum;
}

/**
 * The approximate PSF size and shape of a detector at sky positions, as LSST computes them:
 * per quantity a Chebyshev field of order 2×2 (full, not triangular) fitted to the PSF model
 * sampled on a 20×20 grid spanning the detector box, evaluated at the positions' pixels.
 */
export interface ApproxPsfArrays {
  /** Determinant radius `(IxxIyy − Ixy²)^¼` (pixels). */
  readonly psf_size: Float64Array;
  /** `(Ixx − Iyy) / (Ixx + Iyy + 2r²)`. */
  readonly psf_e1: Float64Array;
  /** `2Ixy / (Ixx + Iyy + 2r²)`. */
  readonly psf_e2: Float64Array;
  /** Effective area `Σk / Σk²` of the kernel image (pixels). */
  readonly psf_area: Float64Array;
}

/**
 * The approximate PSF size, ellipticity and effective area at pixel positions of a detector
 * (LSST's `compute_approx_psf_size_and_shape`, with the sky-to-pixel step done by the caller):
 * the PSF is sampled on a 20×20 grid from the box's minimum to maximum pixel, each quantity is
 * fitted with an order-2×2 Chebyshev field over the box, and the fits are evaluated at `x, y`.
 *
 * @param psf - the detector's PSF model
 * @param bbox - the detector's box
 * @param x - pixel x of the positions
 * @param y - pixel y of the positions
 * @returns the four quantities at the positions
 * @example
 * ```ts
 * const { psf_size } = computeApproxPsfSizeAndShape(new GaussianPsf(25, 25, 2), bbox, xs, ys); // ≈ 2 everywhere
 * ```
 * @see lsst.pipe.tasks.healSparseMappingProperties.compute_approx_psf_size_and_shape
 */
export function computeApproxPsfSizeAndShape(psf: Psf, bbox: Box2I, x: ArrayLike<number>, y: ArrayLike<number>): ApproxPsfArrays {
  const n = 20;
  const gx: number[] = [];
  const gy: number[] = [];
  const size: number[] = [];
  const e1: number[] = [];
  const e2: number[] = [];
  const area: number[] = [];
  const step = (lo: number, hi: number, i: number): number => lo + ((hi - lo) * i) / (n - 1);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const p = new Point2D(step(bbox.getMinX(), bbox.getMaxX(), i), step(bbox.getMinY(), bbox.getMaxY(), j));
      const shape = psf.computeShape(p);
      const ixx = shape.getIxx();
      const iyy = shape.getIyy();
      const ixy = shape.getIxy();
      const r = Math.sqrt(Math.sqrt(ixx * iyy - ixy * ixy));
      if (!Number.isFinite(r)) continue;
      const k = psf.computeKernelImage(p).array;
      let s1 = 0;
      let s2 = 0;
      for (let yy = 0; yy < k.height; yy++) {
        const o = yy * k.stride;
        for (let xx = 0; xx < k.width; xx++) {
          const v = k.data[o + xx]!;
          s1 += v;
          s2 += v * v;
        }
      }
      gx.push(p.getX());
      gy.push(p.getY());
      size.push(r);
      e1.push((ixx - iyy) / (ixx + iyy + 2 * r * r));
      e2.push((2 * ixy) / (ixx + iyy + 2 * r * r));
      area.push(s1 / s2);
    }
  }
  const ctrl = { orderX: 2, orderY: 2, triangular: false };
  const evalFit = (z: number[]): Float64Array => fitChebyshevBoundedField(bbox, gx, gy, z, ctrl).evaluateArray(x, y);
  return { psf_size: evalFit(size), psf_e1: evalFit(e1), psf_e2: evalFit(e2), psf_area: evalFit(area) };
}

/**
 * The PSF size, shape and area at pixel positions from the detector's summary statistics
 * (`psfIxx`, `psfIyy`, `psfIxy`, `psfArea`: measured at the detector centre), constant over the
 * detector. SkyStack's stand-in when the visit summary row carries no PSF model (SkyStack's
 * ConsolidateVisitSummaryTask does not store one); not in LSST.
 *
 * @param row - the visit summary record
 * @param n - the number of positions
 * @returns the four quantities, each repeated `n` times
 * @example
 * ```ts
 * const { psf_size } = approxPsfFromSummaryStats(row, 10);
 * ```
 */
export function approxPsfFromSummaryStats(row: ExposureRecord, n: number): ApproxPsfArrays {
  const ixx = Number(row.get('psfIxx'));
  const iyy = Number(row.get('psfIyy'));
  const ixy = Number(row.get('psfIxy'));
  const r = Math.sqrt(Math.sqrt(ixx * iyy - ixy * ixy));
  const denom = ixx + iyy + 2 * r * r;
  return {
    psf_size: new Float64Array(n).fill(r),
    psf_e1: new Float64Array(n).fill((ixx - iyy) / denom),
    psf_e2: new Float64Array(n).fill((2 * ixy) / denom),
    psf_area: new Float64Array(n).fill(Number(row.get('psfArea'))),
  };
}

/**
 * The calibration (nJy per count) at pixel positions of a detector (LSST's
 * `_compute_calib_scale`): the PhotoCalib's field where it varies and spans the detector's box,
 * else its mean.
 *
 * @param photoCalib - the detector's PhotoCalib
 * @param bbox - the detector's box
 * @param x - pixel x of the positions
 * @param y - pixel y of the positions
 * @returns the calibration at each position
 * @example
 * ```ts
 * const scale = computeCalibScale(row.getPhotoCalib()!, row.getBBox(), xs, ys);
 * ```
 * @see lsst.pipe.tasks.healSparseMapping.HealSparsePropertyMapTask._compute_calib_scale
 */
export function computeCalibScale(photoCalib: PhotoCalib, bbox: Box2I, x: ArrayLike<number>, y: ArrayLike<number>): Float64Array {
  if (!photoCalib.isConstant && photoCalib.getBBox().equals(bbox)) {
    return photoCalib.calibration.evaluateArray(x, y);
  }
  return new Float64Array(x.length).fill(photoCalib.getCalibrationMean());
}

/** What a property's value is computed from, per detector: the record and per-position arrays. */
export interface PropertyMapInputs {
  /** The visit summary record of the detector. */
  readonly row: ExposureRecord;
  /** The calibration (nJy per count) at each position. */
  readonly scalings: Float64Array;
  /** The approximate PSF at each position (when a PSF property is computed). */
  readonly psf: ApproxPsfArrays | undefined;
}

/**
 * One property's accumulators and tract maps (LSST's `BasePropertyMap` with its subclass's
 * `_compute`). The values of a detector at a patch's pixels are folded in with
 * {@link PropertyMap.accumulate}: `fmin`/`fmax` into the minima/maxima (NaN at first), the sum
 * of values into the mean and the sum, the weighted sum into the weighted mean; then
 * {@link PropertyMap.finalize} divides the means and the patch's pixels are written into the
 * float64 tract maps.
 *
 * @example
 * ```ts
 * const m = new PropertyMap('exposure_time', config.property_maps.exposure_time);
 * m.initializeTractMaps(32, 32768);
 * ```
 * @see lsst.pipe.tasks.healSparseMappingProperties.BasePropertyMap
 */
export class PropertyMap {
  /** The property (LSST registry name). */
  readonly name: PropertyMapName;
  /** Which reductions to make. */
  readonly config: BasePropertyMapConfig;
  /** The coadd zeropoint of the current patch (for `psf_maglim`). */
  zeropoint = 0;
  /** The tract maps, per reduction made (after {@link initializeTractMaps}). */
  readonly maps = new Map<PropertyMapOp, HealSparseMap>();
  #values = new Map<PropertyMapOp, Float64Array>();

  /**
   * Makes the property map.
   *
   * @param name - the property
   * @param config - its reductions
   */
  constructor(name: PropertyMapName, config: BasePropertyMapConfig) {
    this.name = name;
    this.config = config;
  }

  /** Whether the property needs the approximate PSF. */
  get requiresPsf(): boolean {
    return this.name === 'psf_size' || this.name === 'psf_e1' || this.name === 'psf_e2' || this.name === 'psf_maglim';
  }

  /** The reductions configured, in LSST's order. */
  get ops(): PropertyMapOp[] {
    const c = this.config;
    const on: Record<PropertyMapOp, boolean> = { min: c.do_min, max: c.do_max, mean: c.do_mean, weighted_mean: c.do_weighted_mean, sum: c.do_sum };
    return PROPERTY_MAP_OPS.filter((op) => on[op]);
  }

  /**
   * Makes the empty float64 tract maps.
   *
   * @param nsideCoverage - coverage nside
   * @param nside - map nside
   */
  initializeTractMaps(nsideCoverage: number, nside: number): void {
    this.maps.clear();
    for (const op of this.ops) this.maps.set(op, HealSparseMap.makeEmpty({ nsideCoverage, nsideSparse: nside, dtype: 'float64' }));
  }

  /**
   * Starts the accumulators of a patch.
   *
   * @param nPixels - the patch's valid pixel count
   */
  initializeValues(nPixels: number): void {
    this.#values = new Map();
    for (const op of this.ops) this.#values.set(op, new Float64Array(nPixels).fill(op === 'min' || op === 'max' ? Number.NaN : 0));
  }

  /**
   * The property's values for a detector at its positions.
   *
   * @param inputs - the record, calibrations and PSF at the positions
   * @param n - the number of positions
   * @returns one value per position
   * @throws {@link PipeTasksInvalidArgumentError} when a PSF property has no PSF arrays or the record lacks its visitInfo
   */
  compute(inputs: PropertyMapInputs, n: number): Float64Array {
    const { row, scalings, psf } = inputs;
    if (this.requiresPsf && psf === undefined) throw new PipeTasksInvalidArgumentError(`Cannot compute ${this.name} without the approximate PSF.`);
    switch (this.name) {
      case 'exposure_time':
        return new Float64Array(n).fill(visitInfoOf(row).getExposureTime());
      case 'psf_size':
        return psf!.psf_size;
      case 'psf_e1':
        return psf!.psf_e1;
      case 'psf_e2':
        return psf!.psf_e2;
      case 'psf_maglim':
        return psf!.psf_area;
      case 'sky_background':
        return scale(scalings, Number(row.get('skyBg')));
      case 'sky_noise':
        return scale(scalings, Number(row.get('skyNoise')));
      case 'epoch': {
        const date = visitInfoOf(row).getDate();
        return new Float64Array(n).fill(date === null ? Number.NaN : date.getMjd('TAI'));
      }
    }
  }

  /**
   * Folds one detector's values into the accumulators.
   *
   * @param indices - the patch pixel indices the detector covers
   * @param weight - the detector's coadd weight
   * @param inputs - the record, calibrations and PSF at those pixels
   */
  accumulate(indices: Int32Array, weight: number, inputs: PropertyMapInputs): void {
    const values = this.compute(inputs, indices.length);
    for (const [op, acc] of this.#values) {
      for (let k = 0; k < indices.length; k++) {
        const i = indices[k]!;
        const v = values[k]!;
        const a = acc[i]!;
        if (op === 'min') acc[i] = Number.isNaN(a) || v < a ? v : a;
        else if (op === 'max') acc[i] = Number.isNaN(a) || v > a ? v : a;
        else if (op === 'weighted_mean') acc[i] = a + weight * v;
        else acc[i] = a + v;
      }
    }
  }

  /**
   * Divides the means (where there were inputs) and applies the property's post-processing
   * (`psf_maglim`: `zeropoint − 2.5 log10(nsigma √(area / Σweights))`).
   *
   * @param totalWeights - the sum of weights per pixel
   * @param totalInputs - the count of inputs per pixel
   */
  finalize(totalWeights: Float64Array, totalInputs: Int32Array): void {
    const mean = this.#values.get('mean');
    if (mean !== undefined) for (let i = 0; i < mean.length; i++) if (totalInputs[i]! > 0) mean[i] = mean[i]! / totalInputs[i]!;
    const wmean = this.#values.get('weighted_mean');
    if (wmean !== undefined) {
      for (let i = 0; i < wmean.length; i++) if (totalWeights[i]! > 0) wmean[i] = wmean[i]! / totalWeights[i]!;
      if (this.name === 'psf_maglim') {
        const nsigma = (this.config as PsfMaglimPropertyMapConfig).maglim_nsigma;
        for (let i = 0; i < wmean.length; i++) wmean[i] = this.zeropoint - 2.5 * Math.log10(nsigma * Math.sqrt(wmean[i]! / totalWeights[i]!));
      }
    }
  }

  /**
   * Writes the patch's values into the tract maps.
   *
   * @param pixels - the patch's valid pixels (NEST), in accumulator order
   */
  setMapValues(pixels: Float64Array): void {
    for (const [op, acc] of this.#values) this.maps.get(op)!.updateValuesPix(pixels, acc);
  }
}

function scale(scalings: Float64Array, v: number): Float64Array {
  const out = new Float64Array(scalings.length);
  for (let i = 0; i < out.length; i++) out[i] = scalings[i]! * v;
  return out;
}

function visitInfoOf(row: ExposureRecord): NonNullable<ReturnType<ExposureRecord['getVisitInfo']>> {
  const v = row.getVisitInfo();
  if (v === null) throw new PipeTasksInvalidArgumentError(`Visit summary record ${String(row.getId())} has no visitInfo; exposure_time and epoch need it.`);
  return v;
}
