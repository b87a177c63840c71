// AstrometryTask: load reference objects, match sources and fit a WCS (lsst.meas.astrom.AstrometryTask).
import type { Exposure } from '@skystack/afw-image';
import type { Schema, SimpleCatalog, SourceCatalog } from '@skystack/afw-table';
import type { Angle } from '@skystack/geom';
import { Config, Field, RangeField } from '@skystack/pex-config';
import { Struct, Task, timeMethod, type TaskOptions } from '@skystack/pipe-base';
import type { SkyWcs } from '@skystack/wcs';
import { MeasAstromInvalidArgumentError, MeasAstromMatchError } from './errors.js';
import { FitTanSipWcsTask, minMatchesForOrder } from './fit-tan-sip-wcs-task.js';
import { MatchPessimisticBTask, MatchTolerancePessimistic } from './match-pessimistic-b.js';
import { MatcherSourceSelectorTask } from './matcher-source-selector.js';
import { makeMatchStatistics, type MatchStatistics, type ReferenceMatch } from './matches.js';
import type { MatchMetadata, ReferenceObjectLoader } from './reference-object-loader.js';

/**
 * Configuration of {@link AstrometryTask} (LSST's `AstrometryConfig`, with `RefMatchConfig`'s fields).
 *
 * @see lsst.meas.astrom.AstrometryConfig
 */
export class AstrometryConfig extends Config {
  /** Reference object/source matcher. */
  matcher = MatchPessimisticBTask.makeField('reference object/source matcher');
  /** WCS fitter. */
  wcsFitter = FitTanSipWcsTask.makeField('WCS fitter');
  /** How to select sources for cross-matching. */
  sourceSelector = MatcherSourceSelectorTask.makeField('How to select sources for cross-matching.');
  /** The next iteration's maximum match distance is mean + matchDistanceSigma × std of the match distances. */
  matchDistanceSigma = RangeField({
    doc: 'the maximum match distance is set to mean_match_distance + matchDistanceSigma*std_dev_match_distance; ignored if not fitting a WCS',
    dtype: 'float',
    default: 2,
    min: 0,
  });
  /** Source flux type used for the patterns' brightness order: `slot_<type>Flux_instFlux` ('Ap', as AstrometryConfig.setDefaults). */
  sourceFluxType = Field.str({ doc: 'Source flux type to use in source selection.', default: 'Ap' });
  /** Load and match only, keeping the exposure's WCS (`run` calls `loadAndMatch` instead of `solve`). */
  forceKnownWcs = Field.bool({
    doc: "If True then load reference objects and match sources but do not fit a WCS; this simply controls whether 'run' calls 'solve' or 'loadAndMatch'",
    default: false,
  });
  /** Maximum number of match-and-fit iterations. */
  maxIter = RangeField({ doc: 'maximum number of iterations of match sources and fit WCS; ignored if not fitting a WCS', dtype: 'int', default: 3, min: 1 });
  /** The match distance (arcsec) below which further iteration is pointless. */
  minMatchDistanceArcSec = RangeField({
    doc: 'the match distance below which further iteration is pointless (arcsec); ignored if not fitting a WCS',
    dtype: 'float',
    default: 0.001,
    min: 0,
  });
}

/** Options of the {@link AstrometryTask} constructor: the Task options plus LSST's arguments. */
export interface AstrometryTaskOptions extends TaskOptions<AstrometryConfig> {
  /** The reference object loader (or later {@link AstrometryTask.setRefObjLoader}). */
  readonly refObjLoader?: ReferenceObjectLoader | undefined;
  /** A source schema to which `calib_astrometry_used` is added (before the catalog is made). */
  readonly schema?: Schema | undefined;
}

/** What {@link AstrometryTask.run} returns. */
export interface AstrometryResult {
  /** The reference objects overlapping the exposure (padded), with centroids through the fitted WCS. */
  readonly refCat: SimpleCatalog;
  /** The matches (reference, source, on-sky distance through the fitted WCS). */
  readonly matches: ReferenceMatch[];
  /** Median on-sky separation of the matches (null with `forceKnownWcs`). */
  readonly scatterOnSky: Angle | null;
  /** Metadata of the reference load, for persisting the matches ({@link makeMatchCatalog}). */
  readonly matchMeta: MatchMetadata;
  /** Match statistics of the final iteration (mean, median, std, max distance). */
  readonly matchStats: MatchStatistics;
}

/**
 * Astrometric calibration of an exposure: loads the reference objects of its (padded) box
 * through its initial WCS, selects the good sources, then up to `maxIter` times matches them
 * ({@link MatchPessimisticBTask}) and fits a TAN-SIP WCS ({@link FitTanSipWcsTask}), each
 * iteration matching with the previous fit and a match distance of mean + `matchDistanceSigma`
 * × std. The fitted WCS is set on the exposure, the sources' `coord_ra`/`coord_dec` are
 * updated, and `calib_astrometry_used` is set on the matched sources when the schema has it.
 *
 * @example
 * ```ts
 * const loader = new ReferenceObjectLoader(await refCatShardsFromDirectory('refcats/gaia'));
 * const astrometry = new AstrometryTask({ refObjLoader: loader });
 * const { matches, scatterOnSky } = await astrometry.run(sourceCat, exposure);
 * exposure.getWcs(); // the fitted WCS
 * ```
 * @see lsst.meas.astrom.AstrometryTask
 */
export class AstrometryTask extends Task<AstrometryConfig> {
  /** {@link AstrometryConfig}. */
  static override ConfigClass = AstrometryConfig;
  /** `astrometricSolver`. */
  static override _DefaultName: string | undefined = 'astrometricSolver';
  /** The matcher subtask. */
  readonly matcher: MatchPessimisticBTask;
  /** The WCS fitter subtask. */
  readonly wcsFitter: FitTanSipWcsTask;
  /** The source selector subtask. */
  readonly sourceSelector: MatcherSourceSelectorTask;
  #refObjLoader: ReferenceObjectLoader | undefined;

  /**
   * Makes the task.
   *
   * @param options - Task options, `refObjLoader` and `schema`
   */
  constructor(options: AstrometryTaskOptions = {}) {
    super(options);
    this.#refObjLoader = options.refObjLoader;
    if (options.schema !== undefined && !options.schema.contains('calib_astrometry_used')) {
      options.schema.addField({ name: 'calib_astrometry_used', type: 'Flag', doc: 'set if source was used in astrometric calibration' });
    }
    this.matcher = this.makeSubtask<MatchPessimisticBTask>('matcher');
    this.wcsFitter = this.makeSubtask<FitTanSipWcsTask>('wcsFitter');
    this.sourceSelector = this.makeSubtask<MatcherSourceSelectorTask>('sourceSelector');
  }

  /**
   * Sets the reference object loader.
   *
   * @param refObjLoader - the loader
   */
  setRefObjLoader(refObjLoader: ReferenceObjectLoader): void {
    this.#refObjLoader = refObjLoader;
  }

  /**
   * Loads reference objects, matches the sources and (unless `forceKnownWcs`) fits a WCS.
   *
   * @param sourceCat - the sources detected and measured on the exposure
   * @param exposure - the exposure: its bbox, filter and initial WCS are read; its WCS is replaced
   * @returns refCat, matches, scatterOnSky, matchMeta and the match statistics
   * @throws {@link MeasAstromInvalidArgumentError} with no loader or no WCS
   * @throws {@link MeasAstromMatchError} when too few matches are found
   * @see lsst.meas.astrom.AstrometryTask.run
   */
  async run(sourceCat: SourceCatalog, exposure: Exposure): Promise<Struct<AstrometryResult>> {
    return timeMethod(this, 'run', () => (this.config.forceKnownWcs ? this.loadAndMatch(exposure, sourceCat) : this.solve(exposure, sourceCat)));
  }

  /**
   * Loads the reference objects and matches the sources with the exposure's WCS, without fitting.
   *
   * @param exposure - the exposure
   * @param sourceCat - the sources
   * @returns the result (scatterOnSky null)
   * @throws {@link MeasAstromInvalidArgumentError} with no loader or no WCS
   * @throws {@link MeasAstromMatchError} when no match is found
   * @see lsst.meas.astrom.RefMatchTask.loadAndMatch
   */
  async loadAndMatch(exposure: Exposure, sourceCat: SourceCatalog): Promise<Struct<AstrometryResult>> {
    const { loader, wcs, filterName } = this.#inputs(exposure);
    const selection = this.sourceSelector.run(sourceCat);
    const load = await loader.loadPixelBox(exposure.getBBox(), wcs, filterName);
    const matchMeta = loader.getMetadataBox(exposure.getBBox(), wcs, filterName);
    const res = this.matcher.matchObjectsToSources(load.refCat, selection.sourceCat, wcs, this.#sourceFluxField(), load.fluxField);
    const matches = this.#remap(res.matches, sourceCat, selection.rows);
    return new Struct({ refCat: load.refCat, matches, scatterOnSky: null, matchMeta, matchStats: makeMatchStatistics(matches, this.config.matchDistanceSigma) });
  }

  /**
   * Loads the reference objects, then iterates matching and WCS fitting.
   *
   * @param exposure - the exposure (its WCS is replaced by the fit)
   * @param sourceCat - the sources (their coordinates are updated)
   * @returns the result
   * @throws {@link MeasAstromInvalidArgumentError} with no loader or no WCS
   * @throws {@link MeasAstromMatchError} when too few matches are found for the fit
   * @see lsst.meas.astrom.AstrometryTask.solve
   */
  async solve(exposure: Exposure, sourceCat: SourceCatalog): Promise<Struct<AstrometryResult>> {
    const { loader, wcs: initWcs, filterName } = this.#inputs(exposure);
    const bbox = exposure.getBBox();
    const selection = this.sourceSelector.run(sourceCat);
    const load = await loader.loadPixelBox(bbox, initWcs, filterName);
    const matchMeta = loader.getMetadataBox(bbox, initWcs, filterName);
    const need = minMatchesForOrder(this.wcsFitter.config.order);
    const tolerance = new MatchTolerancePessimistic();
    let wcs = initWcs;
    let best: { matches: ReferenceMatch[]; wcs: SkyWcs; scatterOnSky: Angle; stats: MatchStatistics } | undefined;
    let iterNum = 0;
    for (let i = 0; i < this.config.maxIter; i++) {
      iterNum = i + 1;
      try {
        const res = this.matcher.matchObjectsToSources(load.refCat, selection.sourceCat, wcs, this.#sourceFluxField(), load.fluxField, tolerance);
        const matches = this.#remap(res.matches, sourceCat, selection.rows);
        if (matches.length < need) {
          throw new MeasAstromMatchError(
            `Astrometry iteration ${iterNum}: found ${matches.length} matches, need at least ${need}: check the initial WCS or the reference catalog's coverage.`,
            {
              hint: `${selection.sourceCat.length} good sources and ${load.refCat.length} reference objects were available; a TAN-SIP fit of order ${this.wcsFitter.config.order} needs ${need} matches.`,
            },
          );
        }
        const fit = this.wcsFitter.fitWcs(matches, wcs, { refCat: load.refCat, sourceCat });
        const stats = makeMatchStatistics(matches, this.config.matchDistanceSigma);
        this.log.debug(
          `Match and fit WCS iteration ${iterNum}: found ${matches.length} matches with scatter = ${stats.distMean.asArcseconds().toFixed(3)} +- ${stats.distStdDev.asArcseconds().toFixed(3)} arcsec; max match distance = ${stats.maxMatchDist.asArcseconds().toFixed(3)} arcsec`,
        );
        best = { matches, wcs: fit.wcs, scatterOnSky: fit.scatterOnSky, stats };
        wcs = fit.wcs;
        if (stats.maxMatchDist.asArcseconds() < this.config.minMatchDistanceArcSec) {
          this.log.debug(`Max match distance < ${this.config.minMatchDistanceArcSec} arcsec = config.minMatchDistanceArcSec; that's good enough`);
          break;
        }
        tolerance.maxMatchDist = stats.maxMatchDist;
      } catch (e) {
        if (best !== undefined) {
          this.log.info(`Fit WCS iter ${iterNum} failed; using previous iteration: ${(e as Error).message}`);
          iterNum -= 1;
          break;
        }
        throw e;
      }
    }
    const result = best!;
    this.log.info(
      `Matched and fit WCS in ${iterNum} iterations; found ${result.matches.length} matches with mean distance = ${result.stats.distMean.asArcseconds().toFixed(4)} arcsec (${result.stats.distMean.asMilliarcseconds().toFixed(2)} mas), median ${result.stats.distMedian.asMilliarcseconds().toFixed(2)} mas, scatter = ${result.stats.distStdDev.asMilliarcseconds().toFixed(2)} mas`,
    );
    if (sourceCat.schema.contains('calib_astrometry_used')) {
      const used = sourceCat.getColumn('calib_astrometry_used') as Uint8Array;
      for (const m of result.matches) used[m.second.index] = 1;
    }
    exposure.setWcs(result.wcs);
    this.metadata.set('matchMeanDistMas', result.stats.distMean.asMilliarcseconds());
    this.metadata.set('matchMedianDistMas', result.stats.distMedian.asMilliarcseconds());
    this.metadata.set('matchStdDevMas', result.stats.distStdDev.asMilliarcseconds());
    this.metadata.set('numMatches', result.matches.length);
    return new Struct({ refCat: load.refCat, matches: result.matches, scatterOnSky: result.scatterOnSky, matchMeta, matchStats: result.stats });
  }

  #sourceFluxField(): string {
    return `slot_${this.config.sourceFluxType}Flux_instFlux`;
  }

  /** Points the matches at the records of the full source catalog. */
  #remap(matches: readonly ReferenceMatch[], sourceCat: SourceCatalog, rows: Int32Array): ReferenceMatch[] {
    return matches.map((m) => ({ first: m.first, second: sourceCat.get(rows[m.second.index]!), distance: m.distance }));
  }

  #inputs(exposure: Exposure): { loader: ReferenceObjectLoader; wcs: SkyWcs; filterName: string } {
    const loader = this.#refObjLoader;
    if (loader === undefined) {
      throw new MeasAstromInvalidArgumentError('Running AstrometryTask with no refObjLoader.', { hint: 'Pass refObjLoader to the constructor or call setRefObjLoader.' });
    }
    const wcs = exposure.getWcs();
    if (wcs === null) {
      throw new MeasAstromInvalidArgumentError('The exposure has no WCS; AstrometryTask needs an initial WCS.', {
        hint: 'Set an initial WCS (from the raw headers or the camera geometry and pointing) with exposure.setWcs().',
      });
    }
    const filter = exposure.getFilter();
    const filterName = filter !== null && filter.hasBandLabel() ? filter.bandLabel : '';
    return { loader, wcs, filterName };
  }
}
