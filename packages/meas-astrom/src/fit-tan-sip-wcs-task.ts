// FitTanSipWcsTask: iterative TAN-SIP fit with sigma rejection (lsst.meas.astrom.FitTanSipWcsTask).
import type { SimpleCatalog, SourceCatalog } from '@skystack/afw-table';
import { Angle, Point2D } from '@skystack/geom';
import { Config, RangeField } from '@skystack/pex-config';
import { Struct, Task, timeMethod, type TaskOptions } from '@skystack/pipe-base';
import { fitTanSipWcs, type SkyWcs, type WcsMatch } from '@skystack/wcs';
import { MeasAstromFitError } from './errors.js';
import { setMatchDistance, type ReferenceMatch } from './matches.js';
import { updateRefCentroids } from './reference-object-loader.js';

/**
 * Configuration of {@link FitTanSipWcsTask} (LSST's names and defaults).
 *
 * @see lsst.meas.astrom.FitTanSipWcsConfig
 */
export class FitTanSipWcsConfig extends Config {
  /** Order of the SIP polynomial (2, as LSST; 1 fits a plain TAN WCS). */
  order = RangeField({ doc: 'order of SIP polynomial', dtype: 'int', default: 2, min: 1 });
  /** Number of iterations of the fitter (re-centring the tangent point). */
  numIter = RangeField({ doc: 'number of iterations of fitter (which fits X and Y separately, and so benefits from a few iterations', dtype: 'int', default: 3, min: 1 });
  /** Number of rejection iterations. */
  numRejIter = RangeField({ doc: 'number of rejection iterations', dtype: 'int', default: 1, min: 0 });
  /** Number of standard deviations for clipping level. */
  rejSigma = RangeField({ doc: 'Number of standard deviations for clipping level', dtype: 'float', default: 3.0, min: 0.0 });
  /** Maximum median scatter (arcsec) of a fit beyond which it fails. */
  maxScatterArcsec = RangeField({
    doc: 'maximum median scatter of a WCS fit beyond which the fit fails (arcsec); be generous, as this is only intended to catch catastrophic failures',
    dtype: 'float',
    default: 10,
    min: 0,
  });
}

/** Optional inputs of {@link FitTanSipWcsTask.fitWcs}. */
export interface FitWcsOptions {
  /** Reference catalog whose `centroid_x`/`centroid_y` are updated with the new WCS (else only the matched references'). */
  readonly refCat?: SimpleCatalog | undefined;
  /** Source catalog whose `coord_ra`/`coord_dec` are updated with the new WCS (else only the matched sources'). */
  readonly sourceCat?: SourceCatalog | undefined;
}

/** What {@link FitTanSipWcsTask.fitWcs} returns. */
export interface FitWcsResult {
  /** The fitted TAN-SIP WCS. */
  readonly wcs: SkyWcs;
  /** Median on-sky separation between reference objects and sources over the matches kept. */
  readonly scatterOnSky: Angle;
  /** 1 for each match rejected by the sigma clipping (same order as the matches). */
  readonly rejected: Uint8Array;
}

/** The number of terms of a 2-d polynomial of `order`: the fewest matches a fit of that order needs. */
export function minMatchesForOrder(order: number): number {
  return ((order + 1) * (order + 2)) / 2;
}

/**
 * Fits a TAN-SIP WCS to reference/source matches: `fitTanSipWcs` (`@skystack/wcs`) of
 * `order` on the matches, then `numRejIter` times: reject matches whose pixel residual in x or
 * y exceeds `rejSigma` standard deviations of the kept ones and refit. The pixel origin stays
 * the initial WCS's. Afterwards the reference centroids and source coordinates are updated with
 * the new WCS, and the match distances recomputed.
 *
 * @example
 * ```ts
 * const fitter = new FitTanSipWcsTask();
 * const { wcs, scatterOnSky } = fitter.fitWcs(matches, initialWcs, { refCat, sourceCat });
 * ```
 * @see lsst.meas.astrom.FitTanSipWcsTask
 */
export class FitTanSipWcsTask extends Task<FitTanSipWcsConfig> {
  /** {@link FitTanSipWcsConfig}. */
  static override ConfigClass = FitTanSipWcsConfig;
  /** `fitWcs`. */
  static override _DefaultName: string | undefined = 'fitWcs';

  /**
   * Makes the task.
   *
   * @param options - Task options
   */
  constructor(options: TaskOptions<FitTanSipWcsConfig> = {}) {
    super(options);
  }

  /**
   * Fits the WCS.
   *
   * @param matches - reference/source matches (reads the reference `coord` and the source
   *   `slot_Centroid`; their `distance` is updated)
   * @param initWcs - the initial WCS (its pixel and sky origins start the fit)
   * @param options - catalogs to update
   * @returns the WCS, the scatter and the rejected matches
   * @throws {@link MeasAstromFitError} for too few matches, every match rejected, or a scatter above `maxScatterArcsec`
   * @see lsst.meas.astrom.FitTanSipWcsTask.fitWcs
   */
  fitWcs(matches: readonly ReferenceMatch[], initWcs: SkyWcs, options: FitWcsOptions = {}): Struct<FitWcsResult> {
    return timeMethod(this, 'fitWcs', () => {
      const c = this.config;
      const need = minMatchesForOrder(c.order);
      if (matches.length < need) {
        throw new MeasAstromFitError(`A TAN-SIP fit of order ${c.order} needs at least ${need} matches; got ${matches.length}.`, {
          hint: 'Check the initial WCS or the reference catalog coverage, or lower wcsFitter.order.',
        });
      }
      const pairs: WcsMatch[] = matches.map((m) => ({ pixel: new Point2D(m.second.getX(), m.second.getY()), sky: m.first.getCoord() }));
      const rejected = new Uint8Array(matches.length);
      const fit = (): SkyWcs => {
        const kept = pairs.filter((_, i) => rejected[i] === 0);
        if (kept.length < need) {
          throw new MeasAstromFitError(`Only ${kept.length} matches remain after rejection; a fit of order ${c.order} needs ${need}.`, {
            hint: 'Raise wcsFitter.rejSigma or lower wcsFitter.numRejIter.',
          });
        }
        return fitTanSipWcs(kept, c.order, initWcs, { iterations: c.numIter }).wcs;
      };
      let wcs = fit();
      for (let rej = 0; rej < c.numRejIter; rej++) {
        this.#reject(pairs, wcs, rejected);
        if (rejected.every((r) => r === 1)) throw new MeasAstromFitError(`All matches rejected in iteration ${rej + 1}.`);
        wcs = fit();
      }
      const nRej = rejected.reduce((s, r) => s + r, 0);
      if (nRej > 0) this.log.info(`Rejected ${nRej} of ${matches.length} matches beyond ${c.rejSigma} sigma`);
      // Update the catalogs and the match distances.
      if (options.refCat !== undefined && options.refCat.schema.contains('centroid_x')) updateRefCentroids(wcs, options.refCat);
      else {
        for (const m of matches) {
          if (!m.first.schema.contains('centroid_x')) break;
          const p = wcs.skyToPixel(m.first.getCoord());
          m.first.set('centroid_x', p.x);
          m.first.set('centroid_y', p.y);
        }
      }
      if (options.sourceCat !== undefined) updateSourceCoords(wcs, options.sourceCat);
      else {
        for (const m of matches) {
          const s = wcs.pixelToSky(m.second.getX(), m.second.getY());
          m.second.set('coord_ra', s.getRa());
          m.second.set('coord_dec', s.getDec());
        }
      }
      setMatchDistance(matches);
      const d = Float64Array.from(
        matches.filter((_, i) => rejected[i] === 0),
        (m) => m.distance.asRadians(),
      ).sort();
      const n = d.length;
      const scatterOnSky = Angle.fromRadians(n % 2 === 1 ? d[(n - 1) / 2]! : (d[n / 2 - 1]! + d[n / 2]!) / 2);
      if (scatterOnSky.asArcseconds() > c.maxScatterArcsec) {
        throw new MeasAstromFitError(
          `Fit failed: median scatter on sky = ${scatterOnSky.asArcseconds().toFixed(3)} arcsec > ${c.maxScatterArcsec} config.maxScatterArcsec.`,
          { hint: 'The matches are probably wrong: check the initial WCS and the matcher tolerances.' },
        );
      }
      return new Struct({ wcs, scatterOnSky, rejected });
    });
  }

  /** Flags matches whose x or y pixel residual exceeds rejSigma × the standard deviation of the kept ones. */
  #reject(pairs: readonly WcsMatch[], wcs: SkyWcs, rejected: Uint8Array): void {
    const n = pairs.length;
    const ra = Float64Array.from(pairs, (p) => p.sky.getRa().asRadians());
    const dec = Float64Array.from(pairs, (p) => p.sky.getDec().asRadians());
    const { x, y } = wcs.skyToPixelArray(ra, dec);
    const dx = Float64Array.from(pairs, (p, i) => x[i]! - p.pixel.x);
    const dy = Float64Array.from(pairs, (p, i) => y[i]! - p.pixel.y);
    const std = (v: Float64Array): number => {
      let s = 0;
      let k = 0;
      for (let i = 0; i < n; i++) {
        if (rejected[i] === 0) {
          s += v[i]!;
          k++;
        }
      }
      const mean = s / k;
      let ss = 0;
      for (let i = 0; i < n; i++) if (rejected[i] === 0) ss += (v[i]! - mean) ** 2;
      return Math.sqrt(ss / k);
    };
    const sx = std(dx);
    const sy = std(dy);
    const limX = this.config.rejSigma * sx;
    const limY = this.config.rejSigma * sy;
    for (let i = 0; i < n; i++) rejected[i] = Math.abs(dx[i]!) > limX || Math.abs(dy[i]!) > limY || !Number.isFinite(dx[i]!) ? 1 : 0;
  }
}

/**
 * Sets `coord_ra`/`coord_dec` of every source to its `slot_Centroid` through a WCS (in place).
 *
 * @param wcs - the WCS
 * @param sourceCat - the sources
 * @throws AfwTableNotFoundError when the catalog has no `slot_Centroid`
 * @example
 * ```ts
 * updateSourceCoords(result.wcs, sourceCat);
 * ```
 * @see lsst.afw.table.updateSourceCoords
 */
export function updateSourceCoords(wcs: SkyWcs, sourceCat: SourceCatalog): void {
  const { ra, dec } = wcs.pixelToSkyArray(sourceCat.getColumn('slot_Centroid_x') as Float64Array, sourceCat.getColumn('slot_Centroid_y') as Float64Array);
  (sourceCat.getColumn('coord_ra') as Float64Array).set(ra);
  (sourceCat.getColumn('coord_dec') as Float64Array).set(dec);
}
