import { ApCorrMap, ChebyshevBoundedField, type Exposure, type PixelArray } from '@skystack/afw-image';
import type { Schema, SourceCatalog } from '@skystack/afw-table';
import type { Box2I } from '@skystack/geom';
import { Config, ConfigField, Field, ListField, RangeField, RegistryField, type RegistryInstance } from '@skystack/pex-config';
import { Task, type TaskOptions } from '@skystack/pipe-base';
import { MeasAlgorithmsInvalidArgumentError, MeasAlgorithmsNoDataError } from './errors.js';
import { chebyshevT, fitLinear, median } from './least-squares.js';
import type { SourceSelector } from './object-size-star-selector.js';
import { sourceSelectorRegistry } from './registries.js';
import type { ScienceSourceSelectorConfig } from './science-source-selector.js';

/**
 * The flux algorithms aperture corrections are measured for and applied to by default (meas_base's
 * `getApCorrNameSet()` for the plugins SkyStack has).
 */
export const DEFAULT_AP_CORR_NAMES: readonly string[] = Object.freeze(['base_PsfFlux', 'base_GaussianFlux']);

/**
 * Configuration of a Chebyshev fit (afw's `ChebyshevBoundedFieldConfig`).
 *
 * @see lsst.afw.math.ChebyshevBoundedFieldConfig
 */
export class ChebyshevBoundedFieldConfig extends Config {
  /** Maximum Chebyshev order in x. */
  orderX = RangeField({ dtype: 'int', default: 2, min: 0, doc: 'maximum Chebyshev function order in x' });
  /** Maximum Chebyshev order in y. */
  orderY = RangeField({ dtype: 'int', default: 2, min: 0, doc: 'maximum Chebyshev function order in y' });
  /** Only terms with `i + j ≤ max(orderX, orderY)`. */
  triangular = Field.bool({ default: true, doc: 'if true, only include terms where the sum of the x and y order is less than or equal to max(orderX, orderY)' });
}

/** The normal-consistent median absolute deviation (1.4826 × MAD), as scipy's `median_abs_deviation(scale='normal')`. */
function madSigma(values: Float64Array): number {
  const m = median(values);
  return 1.482602218505602 * median(Float64Array.from(values, (v) => Math.abs(v - m)));
}

/** The (i, j) orders of the terms of a fit: `i ≤ orderX`, `j ≤ orderY`, and `i + j ≤ max` when triangular. */
function chebyshevTerms(orderX: number, orderY: number, triangular: boolean): [number, number][] {
  const max = Math.max(orderX, orderY);
  const out: [number, number][] = [];
  for (let j = 0; j <= orderY; j++) for (let i = 0; i <= orderX; i++) if (!triangular || i + j <= max) out.push([i, j]);
  return out;
}

/**
 * The number of coefficients a fit has (afw's `ChebyshevBoundedFieldControl.computeSize`).
 *
 * @param orderX - the order in x
 * @param orderY - the order in y
 * @param triangular - whether only `i + j ≤ max(orderX, orderY)` terms are used
 * @returns the number of terms
 * @example
 * ```ts
 * chebyshevFitSize(2, 2, true); // 6
 * ```
 */
export function chebyshevFitSize(orderX: number, orderY: number, triangular: boolean): number {
  return chebyshevTerms(orderX, orderY, triangular).length;
}

/**
 * Fits a `ChebyshevBoundedField` (afw-image) to values at positions by linear least
 * squares (afw's `ChebyshevBoundedField.fit`); the box's pixel edges map to `[-1, 1]`.
 *
 * @param bbox - the box (PARENT)
 * @param x - the positions' x
 * @param y - the positions' y
 * @param z - the values
 * @param control - the orders and whether the terms are triangular
 * @returns the field
 * @throws {@link MeasAlgorithmsInvalidArgumentError} when the arrays differ in length or there are fewer points than terms
 * @example
 * ```ts
 * const field = fitChebyshevBoundedField(bbox, xs, ys, ratios, { orderX: 1, orderY: 1, triangular: true });
 * ```
 * @see lsst.afw.math.ChebyshevBoundedField.fit
 */
export function fitChebyshevBoundedField(
  bbox: Box2I,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  z: ArrayLike<number>,
  control: {
    /** Order in x. */
    readonly orderX: number;
    /** Order in y. */
    readonly orderY: number;
    /** Triangular terms only. */
    readonly triangular: boolean;
  },
): ChebyshevBoundedField {
  const n = z.length;
  if (x.length !== n || y.length !== n) throw new MeasAlgorithmsInvalidArgumentError(`fitChebyshevBoundedField needs x, y and z of one length; got ${x.length}, ${y.length}, ${n}.`);
  const terms = chebyshevTerms(control.orderX, control.orderY, control.triangular);
  const p = terms.length;
  if (n < p) throw new MeasAlgorithmsInvalidArgumentError(`fitChebyshevBoundedField needs at least ${p} points for ${p} terms; got ${n}.`);
  const minX = bbox.getMinX() - 0.5;
  const maxX = bbox.getMaxX() + 0.5;
  const minY = bbox.getMinY() - 0.5;
  const maxY = bbox.getMaxY() + 0.5;
  const tx = new Float64Array(control.orderX + 1);
  const ty = new Float64Array(control.orderY + 1);
  const design = new Float64Array(n * p);
  for (let k = 0; k < n; k++) {
    chebyshevT((2 * x[k]! - (minX + maxX)) / (maxX - minX), control.orderX, tx);
    chebyshevT((2 * y[k]! - (minY + maxY)) / (maxY - minY), control.orderY, ty);
    terms.forEach(([i, j], t) => (design[k * p + t] = tx[i]! * ty[j]!));
  }
  const coeffs = fitLinear(design, z, p);
  const grid = Array.from({ length: control.orderY + 1 }, () => new Array<number>(control.orderX + 1).fill(0));
  terms.forEach(([i, j], t) => (grid[j]![i] = coeffs[t]!));
  return new ChebyshevBoundedField(bbox, grid);
}

/**
 * Configuration of {@link MeasureApCorrTask}, with LSST's fields and defaults.
 *
 * @see lsst.meas.algorithms.measureApCorr.MeasureApCorrConfig
 */
export class MeasureApCorrConfig extends Config {
  /** Field name prefix of the flux other measurements are corrected to match. */
  refFluxName = Field.str({ default: 'slot_CalibFlux', doc: 'Field name prefix for the flux other measurements should be aperture corrected to match' });
  /** Selector of the stars the corrections are measured from (`science`: unflagged stars with PSF-flux S/N ≥ 200). */
  sourceSelector: RegistryInstance = RegistryField({ doc: 'Selector that sets the stars that aperture corrections will be measured from.', registry: sourceSelectorRegistry, default: 'science' });
  /** Minimum degrees of freedom (points − parameters); the order is lowered until it is reached. */
  minDegreesOfFreedom = RangeField({
    dtype: 'int',
    default: 1,
    min: 1,
    doc: "Minimum number of degrees of freedom (# of valid data points - # of parameters); if this is exceeded, the order of the fit is decreased (in both dimensions), and if we can't decrease it enough, we'll raise ValueError.",
  });
  /** The Chebyshev fit of each correction. */
  fitConfig = ConfigField({ doc: 'Configuration used in fitting the aperture correction fields', dtype: ChebyshevBoundedFieldConfig });
  /** Number of robust (MAD) sigma-clipping iterations. */
  numIter = Field.int({ default: 4, doc: 'Number of iterations for robust MAD sigma clipping.' });
  /** Clip at this many robust (MAD) standard deviations. */
  numSigmaClip = Field.float({ default: 4.0, doc: 'Number of robust MAD sigma to do clipping.' });
  /** Shift the final fit so that the median of its residuals is zero. */
  doFinalMedianShift = Field.bool({ default: true, doc: 'Do final shift to ensure medians match.' });
  /** Algorithms allowed to fail (too few sources) without an error. */
  allowFailure = ListField({ dtype: 'str', default: [], doc: 'Allow these measurement algorithms to fail without an exception' });

  /** LSST's selection: unresolved stars with PSF-flux S/N ≥ 200 and none of the bad pixel flags. */
  override setDefaults(): void {
    super.setDefaults();
    const selector = this.sourceSelector.get('science') as ScienceSourceSelectorConfig;
    selector.doFlags = true;
    selector.doUnresolved = true;
    selector.doSignalToNoise = true;
    selector.doIsolated = false;
    selector.flags.good = [];
    selector.flags.bad = [
      'base_PixelFlags_flag_edge',
      'base_PixelFlags_flag_nodata',
      'base_PixelFlags_flag_interpolatedCenter',
      'base_PixelFlags_flag_saturatedCenter',
      'base_PixelFlags_flag_crCenter',
      'base_PixelFlags_flag_bad',
      'base_PixelFlags_flag_interpolated',
      'base_PixelFlags_flag_saturated',
    ];
    selector.signalToNoise.minimum = 200.0;
    selector.signalToNoise.maximum = null;
    selector.signalToNoise.fluxField = 'base_PsfFlux_instFlux';
    selector.signalToNoise.errField = 'base_PsfFlux_instFluxErr';
  }
}

/** What {@link MeasureApCorrTask.run} returns. */
export interface MeasureApCorrResult {
  /** `<alg>_instFlux` (the correction) and `<alg>_instFluxErr` (its rms, constant) per algorithm. */
  readonly apCorrMap: ApCorrMap;
}

/**
 * Measures aperture corrections: for each flux algorithm (`base_PsfFlux`, `base_GaussianFlux`, …)
 * the ratio of the reference (aperture) flux to its flux on selected stars, fitted as a
 * Chebyshev field over the exposure with `numIter` rounds of `numSigmaClip` clipping; the order
 * is lowered while the points do not leave `minDegreesOfFreedom`. The rms of the final residuals
 * is stored as the (constant) error field. Sources used are flagged `apcorr_<alg>_used`.
 *
 * @example
 * ```ts
 * const task = new MeasureApCorrTask({ schema });   // before the catalog is made
 * const { apCorrMap } = task.run(exposure, sources);
 * exposure.getInfo().setApCorrMap(apCorrMap);
 * ```
 * @see lsst.meas.algorithms.measureApCorr.MeasureApCorrTask
 */
export class MeasureApCorrTask extends Task<MeasureApCorrConfig> {
  /** {@link MeasureApCorrConfig}. */
  static override ConfigClass = MeasureApCorrConfig;
  /** `measureApCorr`. */
  static override _DefaultName: string | undefined = 'measureApCorr';
  /** The source selector. */
  readonly sourceSelector: SourceSelector;
  /** The algorithms to correct (those whose `_instFlux` is in the schema). */
  readonly toCorrect: readonly string[];

  /**
   * Makes the task; adds `apcorr_<alg>_used` flags to the schema for every algorithm present.
   *
   * @param options - Task options, the schema, and the algorithm names (default {@link DEFAULT_AP_CORR_NAMES})
   * @throws {@link @skystack/afw-table!AfwTableNotFoundError} when the reference flux fields are not in the schema
   */
  constructor(options: TaskOptions<MeasureApCorrConfig> & { readonly schema: Schema; readonly names?: readonly string[] }) {
    super(options);
    const schema = options.schema;
    const ref = this.config.refFluxName;
    for (const suffix of ['_instFlux', '_instFluxErr', '_flag']) schema.find(ref + suffix);
    this.toCorrect = (options.names ?? DEFAULT_AP_CORR_NAMES).filter((name) => schema.contains(`${name}_instFlux`) && schema.contains(`${name}_instFluxErr`) && schema.contains(`${name}_flag`));
    for (const name of this.toCorrect) {
      if (!schema.contains(`apcorr_${name}_used`)) schema.addField({ name: `apcorr_${name}_used`, type: 'Flag', doc: 'set if source was used in measuring aperture correction' });
    }
    this.sourceSelector = this.makeSubtask('sourceSelector') as unknown as SourceSelector;
  }

  /**
   * Measures the corrections (the map is not attached to the exposure).
   *
   * @param exposure - the exposure (its box bounds the fields)
   * @param catalog - the measured sources
   * @returns the aperture correction map
   * @throws {@link MeasAlgorithmsNoDataError} when an algorithm not in `allowFailure` has too few good sources
   * @see lsst.meas.algorithms.measureApCorr.MeasureApCorrTask.run
   */
  run(exposure: Exposure<PixelArray>, catalog: SourceCatalog): MeasureApCorrResult {
    return this.timer('run', () => {
      const bbox = exposure.getBBox();
      const c = this.config;
      this.log.info(`Measuring aperture corrections for ${this.toCorrect.length} flux fields`);
      const ref = c.refFluxName;
      const refFlux = catalog.getColumn(`${ref}_instFlux`) as Float64Array;
      const refFlag = catalog.getColumn(`${ref}_flag`) as Uint8Array;
      const xs = catalog.getColumn('slot_Centroid_x') as Float64Array;
      const ys = catalog.getColumn('slot_Centroid_y') as Float64Array;
      const subset1 = Array.from(this.sourceSelector.run(catalog, { exposure }).indices).filter((i) => refFlag[i] === 0 && Number.isFinite(refFlux[i]!));
      const apCorrMap = new ApCorrMap();
      for (const name of this.toCorrect) {
        const flux = catalog.getColumn(`${name}_instFlux`) as Float64Array;
        const flag = catalog.getColumn(`${name}_flag`) as Uint8Array;
        const used = catalog.getColumn(`apcorr_${name}_used`) as Uint8Array;
        const subset2 = subset1.filter((i) => flag[i] === 0 && Number.isFinite(flux[i]!) && flux[i]! > 0);
        if (subset2.length - 1 < c.minDegreesOfFreedom) {
          const message = `Unable to measure aperture correction for '${name}': only ${subset2.length} sources, but require at least ${c.minDegreesOfFreedom + 1}.`;
          if (c.allowFailure.includes(name)) {
            this.log.warn(message);
            continue;
          }
          throw new MeasAlgorithmsNoDataError(message.replace("for '", "for required algorithm '"));
        }
        let orderX = c.fitConfig.orderX;
        let orderY = c.fitConfig.orderY;
        const size = (): number => chebyshevFitSize(orderX, orderY, c.fitConfig.triangular);
        let rows = subset2;
        let x = Float64Array.from(rows, (i) => xs[i]!);
        let y = Float64Array.from(rows, (i) => ys[i]!);
        let z = Float64Array.from(rows, (i) => refFlux[i]! / flux[i]!);
        // Start from the median ratio; each iteration clips at numSigmaClip robust (MAD) sigma
        // around the current fit, lowers the order while too few points remain, and refits.
        let fitValues: Float64Array = new Float64Array(z.length).fill(median(z));
        let field: ChebyshevBoundedField | undefined;
        let apCorrErr = 0;
        let failed = false;
        for (let iter = 0; iter < c.numIter; iter++) {
          const resid = Float64Array.from(z, (v, k) => v - fitValues[k]!);
          apCorrErr = madSigma(resid) + 1e-7;
          const keep: number[] = [];
          for (let k = 0; k < resid.length; k++) if (Math.abs(resid[k]!) <= c.numSigmaClip * apCorrErr) keep.push(k);
          rows = keep.map((k) => rows[k]!);
          x = Float64Array.from(keep, (k) => x[k]!);
          y = Float64Array.from(keep, (k) => y[k]!);
          z = Float64Array.from(keep, (k) => z[k]!);
          while (x.length - size() < c.minDegreesOfFreedom) {
            if (orderX === 0 || orderY === 0) {
              failed = true;
              break;
            }
            orderX--;
            orderY--;
          }
          if (failed) break;
          field = fitChebyshevBoundedField(bbox, x, y, z, { orderX, orderY, triangular: c.fitConfig.triangular });
          fitValues = field.evaluateArray(x, y);
        }
        if (failed || field === undefined) {
          const message = `Unable to measure aperture correction for '${name}': only ${x.length} sources remain after clipping, but require at least ${c.minDegreesOfFreedom + 1}.`;
          if (c.allowFailure.includes(name)) {
            this.log.warn(message);
            continue;
          }
          throw new MeasAlgorithmsNoDataError(message.replace("for '", "for required algorithm '"));
        }
        if (c.doFinalMedianShift) {
          const shift = median(Float64Array.from(z, (v, k) => fitValues[k]! - v));
          const coeffs = field.getCoefficients().map((row) => [...row]);
          coeffs[0]![0]! -= shift;
          field = new ChebyshevBoundedField(bbox, coeffs);
          fitValues = field.evaluateArray(x, y);
        }
        const resid = Float64Array.from(z, (v, k) => fitValues[k]! - v);
        let s2 = 0;
        for (const r of resid) s2 += r * r;
        this.log.info(`Aperture correction for ${name} from ${rows.length} stars: med ${median(resid)}, MAD ${madSigma(resid)}, RMS ${Math.sqrt(s2 / resid.length)}`);
        apCorrMap.set(`${name}_instFlux`, field);
        apCorrMap.set(`${name}_instFluxErr`, new ChebyshevBoundedField(bbox, [[apCorrErr]]));
        for (const i of rows) used[i] = 1;
      }
      return { apCorrMap };
    });
  }
}
