import type { Exposure, PixelArray } from '@skystack/afw-image';
import type { SourceCatalog } from '@skystack/afw-table';
import { Config, Field, ListField } from '@skystack/pex-config';
import { Task, type TaskOptions } from '@skystack/pipe-base';
import { MeasAlgorithmsInvalidArgumentError, MeasAlgorithmsNoDataError } from './errors.js';

/** What a source selector returns (LSST's Struct with `selected`; the subset is given by index). */
export interface SourceSelectorResult {
  /** One entry per catalog row: 1 when selected. */
  readonly selected: Uint8Array;
  /** The selected rows, in catalog order. */
  readonly indices: Int32Array;
}

/** Options of a source selector's `run`. */
export interface SourceSelectorOptions {
  /** The exposure the catalog was measured on (not needed by every selector). */
  readonly exposure?: Exposure<PixelArray> | undefined;
}

/**
 * What {@link MeasurePsfTask} and {@link MeasureApCorrTask} need of a source selector (LSST's
 * `BaseSourceSelectorTask`).
 *
 * @see lsst.meas.algorithms.sourceSelector.BaseSourceSelectorTask
 */
export interface SourceSelector {
  /**
   * Selects sources.
   *
   * @param catalog - the catalog
   * @param options - the exposure
   * @returns the selection
   */
  run(catalog: SourceCatalog, options?: SourceSelectorOptions): SourceSelectorResult;
}

/**
 * A selection from a boolean per row.
 *
 * @param selected - 1 for each selected row
 * @returns the result
 */
export function selectionResult(selected: Uint8Array): SourceSelectorResult {
  let n = 0;
  for (let i = 0; i < selected.length; i++) if (selected[i] !== 0) n++;
  const indices = new Int32Array(n);
  n = 0;
  for (let i = 0; i < selected.length; i++) if (selected[i] !== 0) indices[n++] = i;
  return { selected, indices };
}

/**
 * Configuration of {@link ObjectSizeStarSelectorTask}, with LSST's fields and defaults.
 *
 * @see lsst.meas.algorithms.objectSizeStarSelector.ObjectSizeStarSelectorConfig
 */
export class ObjectSizeStarSelectorConfig extends Config {
  /** Apply the flux limits? */
  doFluxLimit = Field.bool({ default: true, doc: 'Apply flux limit to Psf Candidate selection?' });
  /** Minimum flux (in `sourceFluxField`) of a PSF candidate. */
  fluxMin = Field.float({ default: 12500.0, doc: 'specify the minimum psfFlux for good Psf Candidates', check: (x) => x >= 0 });
  /** Maximum flux of a PSF candidate (ignored when 0). */
  fluxMax = Field.float({ default: 0.0, doc: 'specify the maximum psfFlux for good Psf Candidates (ignored if == 0)', check: (x) => x >= 0 });
  /** Apply the signal-to-noise limits? */
  doSignalToNoiseLimit = Field.bool({ default: false, doc: 'Apply signal-to-noise (i.e. flux/fluxErr) limit to Psf Candidate selection?' });
  /** Minimum signal-to-noise of a PSF candidate. */
  signalToNoiseMin = Field.float({ default: 20.0, doc: 'specify the minimum signal-to-noise for good Psf Candidates', check: (x) => x >= 0 });
  /** Maximum signal-to-noise of a PSF candidate (ignored when 0). */
  signalToNoiseMax = Field.float({ default: 0.0, doc: 'specify the maximum signal-to-noise for good Psf Candidates (ignored if == 0)', check: (x) => x >= 0 });
  /** Minimum width (`√((Ixx + Iyy) / 2)`, pixels) to include in the histogram. */
  widthMin = Field.float({ default: 0.0, doc: 'minimum width to include in histogram', check: (x) => x >= 0 });
  /** Maximum width to include in the histogram. */
  widthMax = Field.float({ default: 10.0, doc: 'maximum width to include in histogram', check: (x) => x >= 0 });
  /** Name of the flux field (its `Err` sibling gives the signal-to-noise). */
  sourceFluxField = Field.str({ default: 'base_GaussianFlux_instFlux', doc: 'Name of field in Source to use for flux measurement' });
  /** Standard deviation of the width allowed to be interpreted as good stars. */
  widthStdAllowed = Field.float({ default: 0.15, doc: 'Standard deviation of width allowed to be interpreted as good stars', check: (x) => x >= 0 });
  /** Keep objects within this many sigma of cluster 0's median. */
  nSigmaClip = Field.float({ default: 2.0, doc: "Keep objects within this many sigma of cluster 0's median", check: (x) => x >= 0 });
  /** Flags that reject a source. */
  badFlags = ListField({
    dtype: 'str',
    default: [
      'base_PixelFlags_flag_edge',
      'base_PixelFlags_flag_interpolatedCenter',
      'base_PixelFlags_flag_saturatedCenter',
      'base_PixelFlags_flag_crCenter',
      'base_PixelFlags_flag_bad',
      'base_PixelFlags_flag_interpolated',
    ],
    doc: 'List of flags which cause a source to be rejected as bad',
  });

  /**
   * Checks that `widthMin ≤ widthMax`.
   *
   * @throws {@link MeasAlgorithmsInvalidArgumentError} when not
   */
  override validate(): void {
    super.validate();
    if (this.widthMin > this.widthMax) throw new MeasAlgorithmsInvalidArgumentError(`widthMin (${this.widthMin}) > widthMax (${this.widthMax}).`);
  }
}

/** Assigns each value to its nearest (finite) centre, ties to the lower index. */
function assignClusters(y: Float64Array, centers: Float64Array, out: Int32Array): void {
  for (let i = 0; i < y.length; i++) {
    let best = -1;
    let bestDist = Infinity;
    for (let k = 0; k < centers.length; k++) {
      const d = Math.abs(y[i]! - centers[k]!);
      if (k === 0 || d < bestDist) {
        if (Number.isNaN(d) && k > 0) continue;
        best = k;
        bestDist = Number.isNaN(d) ? Infinity : d;
      }
    }
    out[i] = best;
  }
}

function medianOf(values: number[]): number {
  values.sort((a, b) => a - b);
  const n = values.length;
  return n % 2 === 1 ? values[(n - 1) / 2]! : 0.5 * (values[n / 2 - 1]! + values[n / 2]!);
}

/**
 * One-dimensional k-centres clustering with medians, seeded as LSST's star selector does: the
 * first centre at the 10th percentile, the others spaced by `2 widthStdAllowed` times it.
 *
 * @param y - the values
 * @param nCluster - the number of clusters
 * @param widthStdAllowed - the relative spacing of the seeds (halved)
 * @returns the centres and each value's cluster
 */
export function kCenters(
  y: Float64Array,
  nCluster: number,
  widthStdAllowed: number,
): {
  /** The cluster centres (NaN for an empty cluster). */
  centers: Float64Array;
  /** Each value's cluster. */
  clusterId: Int32Array;
} {
  const sorted = Float64Array.from(y).sort();
  const mean0 = sorted[Math.floor(sorted.length / 10)]!;
  const delta = mean0 * widthStdAllowed * 2;
  const centers = Float64Array.from({ length: nCluster }, (_, k) => mean0 + delta * k);
  let clusterId = new Int32Array(y.length).fill(-1);
  const next = new Int32Array(y.length);
  for (let iter = 0; iter < 100; iter++) {
    assignClusters(y, centers, next);
    let same = true;
    for (let i = 0; i < y.length; i++) if (next[i] !== clusterId[i]) same = false;
    clusterId = next.slice();
    if (same) break;
    for (let k = 0; k < nCluster; k++) {
      const members: number[] = [];
      for (let i = 0; i < y.length; i++) if (clusterId[i] === k) members.push(y[i]!);
      centers[k] = members.length > 0 ? medianOf(members) : Number.NaN;
    }
  }
  return { centers, clusterId };
}

/**
 * Sigma-clips one cluster about its median (clip width: `nSigma` times the smaller of the standard
 * deviation and the interquartile sigma), removing members (id -1) until none is removed or the
 * spread is below `widthStdAllowed` of the median.
 *
 * @param y - the values
 * @param clusterId - each value's cluster (changed in place)
 * @param nSigma - the clip width in sigma
 * @param widthStdAllowed - stop when the sigma is below this fraction of the median
 * @param clusterNum - the cluster to improve
 * @returns `clusterId`
 */
export function improveCluster(y: Float64Array, clusterId: Int32Array, nSigma: number, widthStdAllowed: number, clusterNum = 0): Int32Array {
  let nMember = 0;
  for (let i = 0; i < y.length; i++) if (clusterId[i] === clusterNum) nMember++;
  if (nMember < 5) return clusterId;
  for (let iter = 0; iter < 10; iter++) {
    const old = nMember;
    const yv: number[] = [];
    for (let i = 0; i < y.length; i++) if (clusterId[i] === clusterNum) yv.push(y[i]!);
    const center = medianOf(yv.slice());
    let mean = 0;
    for (const v of yv) mean += v;
    mean /= yv.length;
    let v2 = 0;
    for (const v of yv) v2 += (v - mean) ** 2;
    const stdev = Math.sqrt(v2 / yv.length);
    yv.sort((a, b) => a - b);
    const iqrSigma = 0.741 * (yv[Math.floor(0.75 * nMember)]! - yv[Math.floor(0.25 * nMember)]!);
    const med = yv[Math.floor(0.5 * nMember)]!;
    const sd = stdev < iqrSigma ? stdev : iqrSigma;
    for (let i = 0; i < y.length; i++) {
      if (clusterId[i] === clusterNum && !(Math.abs(y[i]! - center) < nSigma * sd)) clusterId[i] = -1;
    }
    nMember = 0;
    for (let i = 0; i < y.length; i++) if (clusterId[i] === clusterNum) nMember++;
    if (nMember === old || sd < widthStdAllowed * med) break;
  }
  return clusterId;
}

/**
 * Selects stars as the cluster of the smallest objects in width
 * (`√((Ixx + Iyy) / 2)` of the slot shape), as LSST's ObjectSizeStarSelector: sources with a bad
 * flag, a flux (or S/N) outside the limits, or a width outside `[widthMin, widthMax]` are dropped;
 * the widths of the rest are clustered into 4 clusters (k-centres with medians) and the first
 * cluster is sigma-clipped about its median.
 *
 * @example
 * ```ts
 * const selector = new ObjectSizeStarSelectorTask();
 * const { indices } = selector.run(sources); // rows of the likely stars
 * ```
 * @see lsst.meas.algorithms.objectSizeStarSelector.ObjectSizeStarSelectorTask
 */
export class ObjectSizeStarSelectorTask extends Task<ObjectSizeStarSelectorConfig> implements SourceSelector {
  /** {@link ObjectSizeStarSelectorConfig}. */
  static override ConfigClass = ObjectSizeStarSelectorConfig;
  /** `objectSizeStarSelector`. */
  static override _DefaultName: string | undefined = 'objectSizeStarSelector';

  /**
   * Makes the task.
   *
   * @param options - Task options
   */
  constructor(options: TaskOptions<ObjectSizeStarSelectorConfig> = {}) {
    super(options);
  }

  /**
   * Selects the likely stars.
   *
   * @param catalog - the sources, with the slot shape, the flux field and the bad flags
   * @returns the selection
   * @throws {@link MeasAlgorithmsNoDataError} when no source passes the cuts
   * @see lsst.meas.algorithms.objectSizeStarSelector.ObjectSizeStarSelectorTask.selectSources
   */
  run(catalog: SourceCatalog): SourceSelectorResult {
    return this.timer('run', () => {
      const c = this.config;
      const n = catalog.length;
      const xx = catalog.getColumn('slot_Shape_xx') as Float64Array;
      const yy = catalog.getColumn('slot_Shape_yy') as Float64Array;
      const flux = catalog.getColumn(c.sourceFluxField) as Float64Array;
      const fluxErr = c.doSignalToNoiseLimit ? (catalog.getColumn(c.sourceFluxField.replace(/_instFlux$/, '_instFluxErr')) as Float64Array) : undefined;
      const flags = c.badFlags.filter((f) => catalog.schema.contains(f)).map((f) => catalog.getColumn(f) as Uint8Array);
      const good: number[] = [];
      for (let i = 0; i < n; i++) {
        if (flags.some((f) => f[i] !== 0)) continue;
        const width = Math.sqrt(0.5 * (Number(xx[i]) + Number(yy[i])));
        const f = Number(flux[i]);
        if (!Number.isFinite(width) || !Number.isFinite(f) || width < c.widthMin || width > c.widthMax) continue;
        if (c.doFluxLimit && (f < c.fluxMin || (c.fluxMax > 0 && f > c.fluxMax))) continue;
        if (fluxErr !== undefined) {
          const snr = f / Number(fluxErr[i]);
          if (!(snr >= c.signalToNoiseMin) || (c.signalToNoiseMax > 0 && snr > c.signalToNoiseMax)) continue;
        }
        good.push(i);
      }
      if (good.length === 0) {
        throw new MeasAlgorithmsNoDataError(`No objects passed our cuts for consideration as psf stars (of ${n} sources).`, {
          hint: `Check fluxMin (${c.fluxMin}) against '${c.sourceFluxField}', and widthMin/widthMax.`,
        });
      }
      const width = Float64Array.from(good, (i) => Math.sqrt(0.5 * (Number(xx[i]) + Number(yy[i]))));
      const { clusterId } = kCenters(width, 4, c.widthStdAllowed);
      improveCluster(width, clusterId, c.nSigmaClip, c.widthStdAllowed);
      const selected = new Uint8Array(n);
      good.forEach((row, k) => {
        if (clusterId[k] === 0) selected[row] = 1;
      });
      const result = selectionResult(selected);
      this.log.info(`Selected ${result.indices.length} stars of ${good.length} good sources (${n} in all).`);
      return result;
    });
  }
}

/**
 * Configuration of {@link FlaggedSourceSelectorTask}.
 *
 * @see lsst.meas.algorithms.flaggedSourceSelector.FlaggedSourceSelectorConfig
 */
export class FlaggedSourceSelectorConfig extends Config {
  /** Name of a flag field that is true for the sources to select. */
  field = Field.str({ default: 'calib_psf_used', doc: 'Name of a flag field that is True for Sources that should be used.' });
}

/**
 * Selects the sources whose flag field is set (by default `calib_psf_used`: the stars the PSF
 * was built from).
 *
 * @example
 * ```ts
 * const { indices } = new FlaggedSourceSelectorTask().run(sources);
 * ```
 * @see lsst.meas.algorithms.flaggedSourceSelector.FlaggedSourceSelectorTask
 */
export class FlaggedSourceSelectorTask extends Task<FlaggedSourceSelectorConfig> implements SourceSelector {
  /** {@link FlaggedSourceSelectorConfig}. */
  static override ConfigClass = FlaggedSourceSelectorConfig;
  /** `flaggedSourceSelector`. */
  static override _DefaultName: string | undefined = 'flaggedSourceSelector';

  /**
   * Makes the task.
   *
   * @param options - Task options
   */
  constructor(options: TaskOptions<FlaggedSourceSelectorConfig> = {}) {
    super(options);
  }

  /**
   * Selects the flagged sources.
   *
   * @param catalog - the catalog (with the flag field)
   * @returns the selection
   */
  run(catalog: SourceCatalog): SourceSelectorResult {
    const flag = catalog.getColumn(this.config.field) as Uint8Array;
    return selectionResult(Uint8Array.from(flag, (v) => (v !== 0 ? 1 : 0)));
  }
}
