// PhotoCalTask: the photometric zero point of an exposure from source/reference matches, by
// LSST's iterative clipping of the magnitude differences.
import { makePhotoCalibFromCalibZeroPoint, nanojanskyToABMagnitude, REFERENCE_FLUX_NJY, type PhotoCalib } from '@skystack/afw-image';
import type { Schema } from '@skystack/afw-table';
import { Config, ConfigField, Field, ListField, RangeField } from '@skystack/pex-config';
import { Random } from '@skystack/base';
import { Struct, Task, timeMethod, type TaskOptions } from '@skystack/pipe-base';
import { PhotoCalError, PipeTasksInvalidArgumentError } from '../errors.js';

/** 1 sigma of a Gaussian in units of its interquartile range. */
const IQ_TO_STDEV = 0.741301109252802;
const MAG_ERR_SCALE = 2.5 / Math.LN10;

/** What PhotoCalTask needs of a schema (an afw-table `Schema` fits). */
export interface PhotoCalSchema {
  /**
   * Whether the schema has a field (or alias) of that name.
   *
   * @param name - field name or alias
   */
  contains(name: string): boolean;
}

/** A catalog record as PhotoCalTask reads it (an afw-table record fits). */
export interface PhotoCalRecord {
  /** The schema, to test whether a field exists. */
  readonly schema: PhotoCalSchema;
  /**
   * A field's value.
   *
   * @param name - field name or alias
   */
  get(name: string): unknown;
  /**
   * Sets a field (used for the `calib_photometry_used`/`_reserved` flags).
   *
   * @param name - field name
   * @param value - the value
   */
  set?(name: string, value: boolean): void;
}

/**
 * A reference/source match, as `@skystack/meas-astrom`'s matchers make them (`first`: the
 * reference object, `second`: the source).
 *
 * @see lsst.afw.table.ReferenceMatch
 */
export interface PhotoCalMatch {
  /** The reference object (fluxes in nJy: `<band>_flux`, `<band>_fluxErr`). */
  readonly first: PhotoCalRecord;
  /** The source (instrumental flux in `config.fluxField`). */
  readonly second: PhotoCalRecord;
  /** Their separation (not used). */
  readonly distance?: unknown;
}

/** Matched fluxes as plain arrays: the other input of {@link PhotoCalTask.run}. */
export interface PhotoCalFluxes {
  /** Source instrumental fluxes (counts). */
  readonly srcInstFlux: ArrayLike<number>;
  /** Their errors (counts); non-finite errors make every error `sqrt(instFlux)`, as LSST. */
  readonly srcInstFluxErr: ArrayLike<number>;
  /** Reference fluxes (nJy). */
  readonly refFlux: ArrayLike<number>;
  /** Reference flux errors (nJy); `sqrt(refFlux)` when not given, as LSST. */
  readonly refFluxErr?: ArrayLike<number>;
}

/** The magnitude arrays the zero point is fitted to (LSST's `extractMagArrays` result). */
export interface PhotoCalMagArrays {
  /** Source instrumental magnitudes, `-2.5 log10(instFlux)`. */
  readonly srcMag: Float64Array;
  /** Reference AB magnitudes. */
  readonly refMag: Float64Array;
  /** The error of `refMag - srcMag` used as weight: the source magnitude error with `magErrFloor`. */
  readonly magErr: Float64Array;
  /** Source magnitude errors. */
  readonly srcMagErr: Float64Array;
  /** Reference magnitude errors. */
  readonly refMagErr: Float64Array;
  /** The reference flux fields used (empty for flux arrays). */
  readonly refFluxFieldList: readonly string[];
}

/** The zero-point fit (LSST's `getZeroPoint` result). */
export interface ZeroPointFit {
  /** The zero point, magnitudes: `refMag = srcMag + zp`. */
  readonly zp: number;
  /** Its standard error (the error of the weighted mean), magnitudes. */
  readonly sigma: number;
  /** The number of stars used. */
  readonly ngood: number;
}

/** What {@link PhotoCalTask.run} returns. */
export interface PhotoCalResult extends ZeroPointFit {
  /** The calibration: `calibrationMean` (nJy per count) and `calibrationErr`. */
  readonly photoCalib: PhotoCalib;
  /** The magnitude arrays. */
  readonly arrays: PhotoCalMagArrays;
  /** The matches used (after selection and reservation); empty for flux arrays. */
  readonly matches: readonly PhotoCalMatch[];
}

/**
 * Flag selection of the sources.
 *
 * @see lsst.meas.algorithms.sourceSelector.RequireFlags
 */
export class PhotoCalFlagsConfig extends Config {
  /** Flags that must be set. */
  good = ListField({ doc: 'List of source flag fields that must be set for a source to be used.', dtype: 'str', default: [] });
  /** Flags that must not be set. */
  bad = ListField({ doc: 'List of source flag fields that will cause a source to be rejected when they are set.', dtype: 'str', default: [] });
}

/**
 * Signal-to-noise selection of the sources.
 *
 * @see lsst.meas.algorithms.sourceSelector.SignalToNoiseLimit
 */
export class PhotoCalSignalToNoiseConfig extends Config {
  /** The flux field. */
  fluxField = Field.str({ doc: 'Name of the source flux field to use.', default: 'slot_CalibFlux_instFlux' });
  /** The flux error field. */
  errField = Field.str({ doc: 'Name of the source flux error field to use.', default: 'slot_CalibFlux_instFluxErr' });
  /** The least signal-to-noise. */
  minimum = Field.float({ doc: 'Select objects with signal/noise >= this value.', default: 10.0, optional: true });
  /** The most signal-to-noise. */
  maximum = Field.float({ doc: 'Select objects with signal/noise < this value.', optional: true });
}

/**
 * Unresolved (star) selection of the sources.
 *
 * @see lsst.meas.algorithms.sourceSelector.RequireUnresolved
 */
export class PhotoCalUnresolvedConfig extends Config {
  /** The classification field. */
  name = Field.str({ doc: 'Name of column for star/galaxy separation.', default: 'base_ClassificationExtendedness_value' });
  /** Sources with a value below this are unresolved. */
  maximum = Field.float({ doc: 'Select objects with value < this.', default: 0.5, optional: true });
}

/**
 * What sources of the matches may be used (LSST's `match.sourceSelection`, a
 * ScienceSourceSelector, with PhotoCalConfig's defaults).
 *
 * @see lsst.meas.algorithms.sourceSelector.ScienceSourceSelectorConfig
 */
export class PhotoCalSourceSelectionConfig extends Config {
  /** Apply the flag selection. */
  doFlags = Field.bool({ doc: 'Apply flag limitation?', default: true });
  /** Apply the signal-to-noise selection. */
  doSignalToNoise = Field.bool({ doc: 'Apply signal-to-noise limit?', default: true });
  /** Keep unresolved sources only. */
  doUnresolved = Field.bool({ doc: 'Apply unresolved limitation?', default: true });
  /** Keep primary sources only (`detect_isPrimary`). */
  doRequirePrimary = Field.bool({ doc: 'Require objects to have the detect_isPrimary flag set?', default: true });
  /** The flag selection. */
  flags = ConfigField({
    doc: 'Flags to require',
    dtype: PhotoCalFlagsConfig,
    default: { bad: ['base_PixelFlags_flag_edge', 'base_PixelFlags_flag_interpolated', 'base_PixelFlags_flag_saturated'] },
  });
  /** The signal-to-noise selection. */
  signalToNoise = ConfigField({ doc: 'Signal-to-noise limits to apply', dtype: PhotoCalSignalToNoiseConfig });
  /** The unresolved selection. */
  unresolved = ConfigField({ doc: 'Star/galaxy separation to apply', dtype: PhotoCalUnresolvedConfig });
}

/**
 * The matching part of the config: SkyStack's PhotoCalTask receives matches (made by
 * `@skystack/meas-astrom`), so only the source selection applies.
 *
 * @see lsst.meas.astrom.DirectMatchConfigWithoutLoader
 */
export class PhotoCalMatchConfig extends Config {
  /** The selection of the matched sources. */
  sourceSelection = ConfigField({ doc: 'Selection of science sources', dtype: PhotoCalSourceSelectionConfig });
}

/**
 * Reserving a fraction of the sources from the fit (for validation).
 *
 * @see lsst.meas.algorithms.ReserveSourcesConfig
 */
export class PhotoCalReserveConfig extends Config {
  /** The fraction of sources to reserve. */
  fraction = RangeField({ doc: 'Fraction of candidates to reserve from fitting; none if <= 0', dtype: 'float', default: 0.0, min: 0.0, max: 1.0, inclusiveMax: true });
  /** Seed of the random choice (added to the exposure id). */
  seed = Field.int({ doc: 'This number will be added to the exposure ID to set the random seed for reserving candidates', default: 1 });
}

/**
 * The config of {@link PhotoCalTask}.
 *
 * @see lsst.pipe.tasks.photoCal.PhotoCalConfig
 */
export class PhotoCalConfig extends Config {
  /** Source selection of the matches. */
  match = ConfigField({ doc: 'Match to reference catalog', dtype: PhotoCalMatchConfig });
  /** Reserve sources from fitting. */
  reserve = ConfigField({ doc: 'Reserve sources from fitting', dtype: PhotoCalReserveConfig });
  /** The source instFlux field. */
  fluxField = Field.str({
    doc: "Name of the source instFlux field to use.\nThe associated flag field ('<name>_flags') will be implicitly included in badFlags.",
    default: 'slot_CalibFlux_instFlux',
  });
  /** Apply colour terms (not supported: must be false). */
  applyColorTerms = Field.bool({ doc: 'Apply photometric color terms to reference stars? (SkyStack: only false is supported.)', default: false, optional: true });
  /** The largest sigma used when clipping, magnitudes. */
  sigmaMax = Field.float({ doc: 'maximum sigma to use when clipping', default: 0.25, optional: true });
  /** The clipping threshold, in sigma. */
  nSigma = Field.float({ doc: 'clip at nSigma', default: 3.0 });
  /** Median (true) or weighted mean as the centre. */
  useMedian = Field.bool({ doc: 'use median instead of mean to compute zeropoint', default: true });
  /** The number of clipping iterations. */
  nIter = Field.int({ doc: 'number of iterations', default: 20 });
  /** Name of the photometric reference catalog (for colour terms). */
  photoCatName = Field.str({ doc: 'Name of photometric reference catalog; used to select a color term dict in colorterms.', optional: true });
  /** Added in quadrature to the magnitude errors. */
  magErrFloor = RangeField({ doc: 'Additional magnitude uncertainty to be added in quadrature with measurement errors.', dtype: 'float', default: 0.0, min: 0.0 });

  /**
   * Checks the fields: colour terms are refused, and the flux field must be the one the
   * signal-to-noise selection uses (as LSST).
   *
   * @throws {@link PipeTasksInvalidArgumentError} when `applyColorTerms` is true or the flux fields disagree
   */
  override validate(): void {
    super.validate();
    if (this.applyColorTerms === true) {
      throw new PipeTasksInvalidArgumentError('applyColorTerms=true: colour terms are not implemented in SkyStack.', {
        hint: 'Set applyColorTerms=false (reference fluxes are used as they are).',
      });
    }
    const sn = this.match.sourceSelection.signalToNoise;
    if (this.fluxField !== sn.fluxField || `${this.fluxField}Err` !== sn.errField) {
      throw new PipeTasksInvalidArgumentError(
        `Configured flux field ${this.fluxField} (error ${this.fluxField}Err) does not match the source selector's fields ${sn.fluxField} and ${sn.errField}.`,
        { hint: 'Set match.sourceSelection.signalToNoise.fluxField and errField together with fluxField.' },
      );
    }
  }
}

/** Options of {@link PhotoCalTask}'s constructor. */
export interface PhotoCalTaskOptions extends TaskOptions<PhotoCalConfig> {
  /** A source schema to add `calib_photometry_used` and `calib_photometry_reserved` to. */
  readonly schema?: Schema;
}

/** The inputs of {@link PhotoCalTask.run}: matches and the band, or flux arrays. */
export type PhotoCalInputs =
  | {
      /** Reference/source matches. */
      readonly matches: readonly PhotoCalMatch[];
      /** The band, to find the reference flux field (`<band>_flux`). */
      readonly band: string;
      /** Exposure id (seeds the reservation). */
      readonly expId?: number;
    }
  | {
      /** Matched fluxes. */
      readonly fluxes: PhotoCalFluxes;
      /** Exposure id (seeds the reservation). */
      readonly expId?: number;
    };

/**
 * The reference flux field of a band: `<band>_camFlux` when present, else `<band>_flux`.
 *
 * @param schema - the reference schema
 * @param band - the band
 * @returns the field name
 * @throws {@link PhotoCalError} when neither exists
 * @see lsst.meas.algorithms.getRefFluxField
 */
export function getRefFluxField(schema: PhotoCalSchema, band: string): string {
  const candidates = [`${band}_camFlux`, `${band}_flux`];
  for (const c of candidates) if (schema.contains(c)) return c;
  throw new PhotoCalError(`Could not find flux field(s) ${candidates.join(', ')} in the reference catalog.`);
}

/** numpy's `np.median` of a sorted array. */
function medianSorted(v: Float64Array): number {
  const n = v.length;
  if (n === 0) return NaN;
  const h = n >> 1;
  return n % 2 === 1 ? v[h]! : 0.5 * (v[h - 1]! + v[h]!);
}

/** numpy's `np.average(values, weights=weights)`. */
function weightedAverage(values: Float64Array, weights: Float64Array): number {
  let sw = 0;
  let swx = 0;
  for (let i = 0; i < values.length; i++) {
    sw += weights[i]!;
    swx += weights[i]! * values[i]!;
  }
  return swx / sw;
}

/**
 * numpy's `np.histogram(values, nbins)` over `[min, max]` (values finite), bin counts only.
 *
 * @param v - the values, sorted ascending
 * @param nbins - the number of bins
 * @returns counts and edges
 */
function histogram(v: Float64Array, nbins: number): { hist: Int32Array; edges: Float64Array } {
  let lo = v[0]!;
  let hi = v[v.length - 1]!;
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const edges = new Float64Array(nbins + 1);
  const step = (hi - lo) / nbins;
  for (let i = 0; i < nbins; i++) edges[i] = i * step + lo;
  edges[nbins] = hi;
  const norm = nbins / (hi - lo);
  const hist = new Int32Array(nbins);
  for (let k = 0; k < v.length; k++) {
    const x = v[k]!;
    let i = Math.trunc((x - lo) * norm);
    if (i === nbins) i--;
    if (x < edges[i]!) i--;
    else if (x >= edges[i + 1]! && i !== nbins - 1) i++;
    hist[i]!++;
  }
  return { hist, edges };
}

/**
 * LSST's zero-point fit: iterative clipping of `ref - src` about a centre (a crude mode of a
 * 20-bin histogram first, then the median, or the mean), with a width from the interquartile
 * range never above `sigmaMax`; then the inverse-variance weighted mean of the kept
 * differences and its error `sqrt(1 / Σ w)`.
 *
 * @param src - source magnitudes
 * @param ref - reference magnitudes
 * @param options - the clipping parameters (PhotoCalConfig's) and the errors of `ref - src`
 * @returns the zero point, its error and the number of stars kept
 * @throws {@link PhotoCalError} when no finite difference remains
 * @example
 * ```ts
 * const fit = fitZeroPoint(srcMag, refMag, { srcErr: magErr, nSigma: 3, nIter: 20, sigmaMax: 0.25, useMedian: true });
 * fit.zp; // refMag ≈ srcMag + zp
 * ```
 * @see lsst.pipe.tasks.photoCal.PhotoCalTask.getZeroPoint
 */
export function fitZeroPoint(
  src: ArrayLike<number>,
  ref: ArrayLike<number>,
  options: {
    /** Errors of the differences (1 each when not given). */
    readonly srcErr?: ArrayLike<number> | undefined;
    /** A starting zero point to use instead of the histogram mode. */
    readonly zp0?: number | undefined;
    /** The clipping threshold in sigma. */
    readonly nSigma: number;
    /** The number of iterations. */
    readonly nIter: number;
    /** The largest clipping sigma (null: from the data). */
    readonly sigmaMax: number | null;
    /** Median (true) or mean (false) centre. */
    readonly useMedian: boolean;
    /** Called with warnings. */
    readonly warn?: ((message: string) => void) | undefined;
  },
): ZeroPointFit {
  if (src.length !== ref.length || (options.srcErr !== undefined && options.srcErr.length !== src.length)) {
    throw new PipeTasksInvalidArgumentError(`src, ref and srcErr must have one length; got ${src.length}, ${ref.length} and ${options.srcErr?.length ?? '-'}.`);
  }
  // Differences sorted ascending, with their errors; NaNs dropped.
  const order = Array.from({ length: src.length }, (_, i) => i);
  const raw = Float64Array.from(order, (i) => ref[i]! - src[i]!);
  order.sort((i, j) => (Number.isNaN(raw[i]!) ? 1 : Number.isNaN(raw[j]!) ? -1 : raw[i]! - raw[j]!));
  const keep = order.filter((i) => !Number.isNaN(raw[i]!) && !Number.isNaN(options.srcErr === undefined ? 1 : options.srcErr[i]!));
  const dmag = Float64Array.from(keep, (i) => raw[i]!);
  const dmagErr = Float64Array.from(keep, (i) => (options.srcErr === undefined ? 1 : options.srcErr[i]!));
  const n = dmag.length;
  if (n === 0) throw new PhotoCalError('No finite magnitude differences to fit a zero point to.');

  let sigmaMax = options.sigmaMax;
  let npt = n;
  let ngood = npt;
  let good = new Uint8Array(0);
  let sig = NaN;
  let center = NaN;
  for (let iter = 0; iter < options.nIter; iter++) {
    if (iter > 0) npt = good.reduce((s, g) => s + g, 0);
    let centered = false;
    if (iter === 0) {
      const nhist = 20;
      const { hist, edges } = histogram(dmag, nhist);
      const max = Math.max(...hist);
      const imode: number[] = [];
      hist.forEach((h, i) => h === max && imode.push(i));
      const first = imode[0]!;
      const last = imode[imode.length - 1]!;
      const cumulative = (j: number): number => hist.subarray(0, Math.max(j, 0)).reduce((s, h) => s + h, 0);
      if (last - first + 1 === imode.length) {
        // One mode (or contiguous modes): centre on it, width from its half-maximum extent.
        center = options.zp0 !== undefined && options.zp0 !== 0 ? options.zp0 : 0.5 * (edges[first]! + edges[last + 1]!);
        const peak = imode.reduce((s, i) => s + hist[i]!, 0) / imode.length;
        let j = first;
        while (j >= 0 && hist[j]! > 0.5 * peak) j--;
        j = Math.max(j, 0);
        let q1 = dmag[cumulative(j)]!;
        j = last;
        while (j < nhist && hist[j]! > 0.5 * peak) j++;
        j = Math.min(j, nhist - 1);
        j = Math.min(cumulative(j), npt - 1);
        let q3 = dmag[j]!;
        if (q1 === q3) {
          q1 = dmag[Math.floor(0.25 * npt)]!;
          q3 = dmag[Math.floor(0.75 * npt)]!;
        }
        sig = (q3 - q1) / 2.3;
        if (sigmaMax === null) sigmaMax = 2 * sig;
      } else {
        if (sigmaMax === null) sigmaMax = dmag[n - 1]! - dmag[0]!;
        center = medianSorted(dmag);
        sig = (dmag[Math.floor(0.75 * npt)]! - dmag[Math.floor(0.25 * npt)]!) / 2.3;
      }
      centered = true;
    }
    if (!centered) {
      const idx: number[] = [];
      good.forEach((g, i) => g === 1 && idx.push(i));
      const gdmag = Float64Array.from(idx, (i) => dmag[i]!);
      // LSST weights the mean by the errors themselves here (not their inverse squares).
      center = options.useMedian ? medianSorted(gdmag) : weightedAverage(gdmag, Float64Array.from(idx, (i) => dmagErr[i]!));
      const q3 = gdmag[Math.min(Math.floor(0.75 * npt + 0.5), npt - 1)]!;
      const q1 = gdmag[Math.min(Math.floor(0.25 * npt + 0.5), npt - 1)]!;
      sig = IQ_TO_STDEV * (q3 - q1);
    }
    const limit = options.nSigma * Math.min(sig, sigmaMax ?? Infinity);
    good = Uint8Array.from(dmag, (d) => (Math.abs(d - center) < limit ? 1 : 0));
    const oldNgood = ngood;
    ngood = good.reduce((s, g) => s + g, 0);
    if (ngood === 0) {
      let msg = 'PhotoCal.getZeroPoint: no good stars remain';
      if (iter === 0) {
        center = weightedAverage(dmag, dmagErr);
        msg += ' on first iteration; using average of all calibration stars';
      }
      options.warn?.(msg);
      return { zp: center, sigma: sig, ngood: n };
    }
    if (ngood === oldNgood) break;
  }
  let sw = 0;
  let swx = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (good[i] !== 1) continue;
    const w = 1 / (dmagErr[i]! * dmagErr[i]!);
    sw += w;
    swx += w * dmag[i]!;
    count++;
  }
  return { zp: swx / sw, sigma: Math.sqrt(1 / sw), ngood: count };
}

/**
 * The magnitude arrays of matched fluxes: source `-2.5 log10(instFlux)` (the instrumental flux
 * taken as nJy × 3631 Jy, as LSST), reference AB magnitudes, and magnitude errors
 * `2.5 / ln 10 × err / flux` (the source's, with `magErrFloor` in quadrature, weights the fit).
 *
 * @param fluxes - the matched fluxes
 * @param magErrFloor - added in quadrature to the fit errors
 * @param warn - called with warnings (missing errors)
 * @returns the arrays, rows with a non-finite magnitude left out
 * @throws {@link PipeTasksInvalidArgumentError} when the arrays differ in length
 * @see lsst.pipe.tasks.photoCal.PhotoCalTask.extractMagArrays
 */
export function magArraysFromFluxes(fluxes: PhotoCalFluxes, magErrFloor = 0, warn?: (message: string) => void): PhotoCalMagArrays {
  const { srcInstFlux, refFlux } = fluxes;
  const n = srcInstFlux.length;
  if (fluxes.srcInstFluxErr.length !== n || refFlux.length !== n || (fluxes.refFluxErr !== undefined && fluxes.refFluxErr.length !== n)) {
    throw new PipeTasksInvalidArgumentError(
      `The flux arrays must have one length; got srcInstFlux ${n}, srcInstFluxErr ${fluxes.srcInstFluxErr.length}, refFlux ${refFlux.length}${fluxes.refFluxErr === undefined ? '' : `, refFluxErr ${fluxes.refFluxErr.length}`}.`,
    );
  }
  let srcErr: ArrayLike<number> = fluxes.srcInstFluxErr;
  if (!Array.from(srcErr).every(Number.isFinite)) {
    warn?.('Source catalog does not have flux uncertainties; using sqrt(flux).');
    srcErr = Float64Array.from(srcInstFlux, Math.sqrt);
  }
  let refErr: ArrayLike<number> | undefined = fluxes.refFluxErr;
  if (refErr === undefined) {
    warn?.('Reference catalog does not have flux uncertainties; using sqrt(flux).');
    refErr = Float64Array.from(refFlux, Math.sqrt);
  }
  const rows: number[] = [];
  const srcMag = new Float64Array(n);
  const refMag = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    srcMag[i] = nanojanskyToABMagnitude(srcInstFlux[i]! * REFERENCE_FLUX_NJY);
    refMag[i] = nanojanskyToABMagnitude(refFlux[i]!);
    if (Number.isFinite(srcMag[i]!) && Number.isFinite(refMag[i]!)) rows.push(i);
  }
  const magErrOf = (err: number, flux: number): number => MAG_ERR_SCALE * Math.abs(err / flux);
  return {
    srcMag: Float64Array.from(rows, (i) => srcMag[i]!),
    refMag: Float64Array.from(rows, (i) => refMag[i]!),
    magErr: Float64Array.from(rows, (i) => {
      const e = magErrOf(srcErr[i]!, srcInstFlux[i]!);
      return magErrFloor !== 0 ? Math.hypot(e, magErrFloor) : e;
    }),
    srcMagErr: Float64Array.from(rows, (i) => magErrOf(srcErr[i]!, srcInstFlux[i]!)),
    refMagErr: Float64Array.from(rows, (i) => magErrOf(refErr[i]!, refFlux[i]!)),
    refFluxFieldList: [],
  };
}

/** A small deterministic generator for the reservation. */
function random(seed: number): () => number {
  const rng = new Random(seed);
  return () => rng.uniform();
}

/**
 * The photometric calibration of an exposure from reference/source matches: selects the
 * usable sources, reserves a fraction, fits the zero point with LSST's iterative clipping
 * ({@link fitZeroPoint}) and returns a constant `PhotoCalib` (`@skystack/afw-image`):
 * `calibrationMean = 3631 Jy / 10^(0.4 zp)` nJy per count, `calibrationErr` from the zero
 * point's error. Colour terms are not supported.
 *
 * @example
 * ```ts
 * const task = new PhotoCalTask();
 * const result = task.run({ matches, band: 'r' });
 * result.photoCalib.getCalibrationMean(); // nJy per count
 * result.zp; result.sigma; result.ngood;
 * ```
 * @see lsst.pipe.tasks.photoCal.PhotoCalTask
 */
export class PhotoCalTask extends Task<PhotoCalConfig> {
  static override ConfigClass = PhotoCalConfig;
  static override _DefaultName: string | undefined = 'photoCal';
  /** The flag set on sources used in the fit (when a schema was given). */
  readonly usedKey: string | undefined;
  /** The flag set on reserved sources (when a schema was given). */
  readonly reservedKey: string | undefined;

  /**
   * Makes the task.
   *
   * @param options - config, name, parent, and the source schema to add the flags to
   */
  constructor(options: PhotoCalTaskOptions = {}) {
    super(options);
    if (options.schema !== undefined) {
      options.schema.addField({ name: 'calib_photometry_used', type: 'Flag', doc: 'set if source was used in photometric calibration' });
      options.schema.addField({ name: 'calib_photometry_reserved', type: 'Flag', doc: 'set if source was reserved from photometric calibration' });
      this.usedKey = 'calib_photometry_used';
      this.reservedKey = 'calib_photometry_reserved';
    }
  }

  /**
   * The matches whose sources pass `config.match.sourceSelection`. A selection whose column is
   * not in the source schema is skipped with a warning.
   *
   * @param matches - the matches
   * @returns the selected matches
   */
  selectMatches(matches: readonly PhotoCalMatch[]): PhotoCalMatch[] {
    const sel = this.config.match.sourceSelection;
    const schema = matches[0]?.second.schema;
    if (schema === undefined) return [...matches];
    const present = (name: string, what: string): boolean => {
      if (schema.contains(name)) return true;
      this.log.warn(`Source selection: the sources have no '${name}' field; the ${what} selection on it is skipped.`);
      return false;
    };
    const tests: ((r: PhotoCalRecord) => boolean)[] = [];
    if (sel.doFlags) {
      for (const f of sel.flags.good) if (present(f, 'good-flag')) tests.push((r) => r.get(f) === true);
      for (const f of sel.flags.bad) if (present(f, 'bad-flag')) tests.push((r) => r.get(f) !== true);
    }
    if (sel.doSignalToNoise) {
      const { fluxField, errField, minimum, maximum } = sel.signalToNoise;
      if (present(fluxField, 'signal-to-noise') && present(errField, 'signal-to-noise')) {
        tests.push((r) => {
          const sn = Number(r.get(fluxField)) / Number(r.get(errField));
          return (minimum === null || sn >= minimum) && (maximum === null || sn < maximum);
        });
      }
    }
    if (sel.doUnresolved && sel.unresolved.maximum !== null && present(sel.unresolved.name, 'unresolved')) {
      const { name, maximum } = sel.unresolved;
      tests.push((r) => Number(r.get(name)) < maximum);
    }
    if (sel.doRequirePrimary && present('detect_isPrimary', 'primary')) tests.push((r) => r.get('detect_isPrimary') === true);
    return matches.filter((m) => tests.every((t) => t(m.second)));
  }

  /**
   * The magnitude arrays of matches: the source flux of `config.fluxField` (and `Err`), the
   * reference flux of the band.
   *
   * @param matches - the matches
   * @param band - the band
   * @returns the arrays
   * @throws {@link PhotoCalError} when there are no matches or no reference flux field
   * @see lsst.pipe.tasks.photoCal.PhotoCalTask.extractMagArrays
   */
  extractMagArrays(matches: readonly PhotoCalMatch[], band: string): PhotoCalMagArrays {
    if (matches.length === 0) throw new PhotoCalError('No reference stars are available.');
    const refSchema = matches[0]!.first.schema;
    const fluxField = getRefFluxField(refSchema, band);
    const num = (r: PhotoCalRecord, name: string): number => Number(r.get(name));
    const fluxes: PhotoCalFluxes = {
      srcInstFlux: matches.map((m) => num(m.second, this.config.fluxField)),
      srcInstFluxErr: matches.map((m) => num(m.second, `${this.config.fluxField}Err`)),
      refFlux: matches.map((m) => num(m.first, fluxField)),
      ...(refSchema.contains(`${fluxField}Err`) ? { refFluxErr: matches.map((m) => num(m.first, `${fluxField}Err`)) } : {}),
    };
    return { ...magArraysFromFluxes(fluxes, this.config.magErrFloor, (m) => this.log.warn(m)), refFluxFieldList: [fluxField] };
  }

  /**
   * Fits the zero point of `refMag = srcMag + zp` (see {@link fitZeroPoint}) with this
   * config's clipping parameters.
   *
   * @param src - source magnitudes
   * @param ref - reference magnitudes
   * @param srcErr - errors of the differences
   * @param zp0 - a starting zero point
   * @returns the zero point, its error and the number of stars used
   * @see lsst.pipe.tasks.photoCal.PhotoCalTask.getZeroPoint
   */
  getZeroPoint(src: ArrayLike<number>, ref: ArrayLike<number>, srcErr?: ArrayLike<number>, zp0?: number): ZeroPointFit {
    const { nSigma, nIter, sigmaMax, useMedian } = this.config;
    return fitZeroPoint(src, ref, { srcErr, zp0, nSigma, nIter, sigmaMax, useMedian, warn: (m) => this.log.warn(m) });
  }

  /**
   * Calibrates: selection, reservation, zero point, PhotoCalib.
   *
   * @param inputs - matches and band, or flux arrays; the exposure id seeds the reservation
   * @returns the PhotoCalib, the arrays, the matches used, and `zp`, `sigma`, `ngood`
   * @throws {@link PhotoCalError} when no match survives the selection and reservation
   * @see lsst.pipe.tasks.photoCal.PhotoCalTask.run
   */
  run(inputs: PhotoCalInputs): Struct<PhotoCalResult> {
    return timeMethod(this, 'run', () => {
      const expId = inputs.expId ?? 0;
      let arrays: PhotoCalMagArrays;
      let used: PhotoCalMatch[] = [];
      if ('matches' in inputs) {
        if (inputs.matches.length === 0) throw new PhotoCalError('No input matches.');
        const selected = this.selectMatches(inputs.matches);
        this.log.debug(`Number of matches after source selection: ${selected.length} of ${inputs.matches.length}`);
        const reserved = this.#reserve(selected.length, expId);
        used = selected.filter((_, i) => reserved[i] === 0);
        if (this.reservedKey !== undefined) selected.forEach((m, i) => reserved[i] === 1 && m.second.set?.(this.reservedKey!, true));
        if (used.length === 0) {
          throw new PhotoCalError(`No matches to use for photocal: ${inputs.matches.length} matches, ${selected.length} selected, ${selected.length - used.length} reserved.`);
        }
        if (this.usedKey !== undefined) for (const m of used) m.second.set?.(this.usedKey, true);
        arrays = this.extractMagArrays(used, inputs.band);
      } else {
        const n = inputs.fluxes.srcInstFlux.length;
        const reserved = this.#reserve(n, expId);
        const pick = (a: ArrayLike<number>): Float64Array => Float64Array.from(Array.from(a).filter((_, i) => reserved[i] === 0));
        const f = inputs.fluxes;
        arrays = magArraysFromFluxes(
          {
            srcInstFlux: pick(f.srcInstFlux),
            srcInstFluxErr: pick(f.srcInstFluxErr),
            refFlux: pick(f.refFlux),
            ...(f.refFluxErr !== undefined ? { refFluxErr: pick(f.refFluxErr) } : {}),
          },
          this.config.magErrFloor,
          (m) => this.log.warn(m),
        );
      }
      if (arrays.srcMag.length === 0) throw new PhotoCalError('No matches are available from which to extract magnitudes (every magnitude is non-finite).');
      const r = this.getZeroPoint(arrays.srcMag, arrays.refMag, arrays.magErr);
      this.log.info(`Magnitude zero point: ${r.zp.toFixed(6)} +/- ${r.sigma.toFixed(6)} from ${r.ngood} stars`);
      const flux0 = Math.pow(10, 0.4 * r.zp);
      const flux0err = 0.4 * Math.LN10 * flux0 * r.sigma;
      const photoCalib = makePhotoCalibFromCalibZeroPoint(flux0, flux0err);
      this.log.info(`Photometric calibration factor (nJy/ADU): ${photoCalib.getCalibrationMean().toFixed(6)} +/- ${photoCalib.getCalibrationErr().toFixed(6)}`);
      return new Struct({ photoCalib, arrays, matches: used, zp: r.zp, sigma: r.sigma, ngood: r.ngood });
    });
  }

  /**
   * Which of `n` candidates to reserve: `round(fraction × n)` of them, chosen by a generator
   * seeded with `seed + expId` (not numpy's choice, so not LSST's sources).
   *
   * @param n - the number of candidates
   * @param expId - the exposure id
   * @returns 1 for reserved, per candidate
   */
  #reserve(n: number, expId: number): Uint8Array {
    const out = new Uint8Array(n);
    const fraction = this.config.reserve.fraction;
    if (fraction <= 0 || n === 0) return out;
    const k = Math.min(n, Math.round(fraction * n));
    const next = random(this.config.reserve.seed + expId);
    const idx = Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(next() * (n - i));
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
      out[idx[i]!] = 1;
    }
    return out;
  }
}
