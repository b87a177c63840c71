// MatchPessimisticBTask: matching sources to reference objects by patterns (lsst.meas.astrom.matchPessimisticB).
import type { SimpleCatalog, SourceCatalog } from '@skystack/afw-table';
import { Angle } from '@skystack/geom';
import { Config, Field, RangeField } from '@skystack/pex-config';
import { Struct, Task, timeMethod, type TaskOptions } from '@skystack/pipe-base';
import type { SkyWcs } from '@skystack/wcs';
import { MeasAstromInvalidArgumentError, MeasAstromMatchError } from './errors.js';
import type { ReferenceMatch } from './matches.js';
import { directMatch, pessimisticPatternMatch, type PatternMatchResult } from './pessimistic-pattern-matcher-b.js';

/**
 * State carried between the match/fit iterations of {@link AstrometryTask}.
 *
 * @see lsst.meas.astrom.MatchTolerancePessimistic
 */
export class MatchTolerancePessimistic {
  /** Maximum match distance from the previous match/fit iteration (null: not yet known). */
  maxMatchDist: Angle | null = null;
  /** Shift found by the previous match (null: use `maxOffsetPix`). */
  maxShift: Angle | null = null;
  /** Index of the last pattern that was matched. */
  lastMatchedPattern: number | null = null;
  /** Patterns found to be false positives, not to try again. */
  failedPatternList: number[] = [];
}

/**
 * Configuration of {@link MatchPessimisticBTask} (LSST's names and defaults).
 *
 * @see lsst.meas.astrom.MatchPessimisticBConfig
 */
export class MatchPessimisticBConfig extends Config {
  /** Number of bright stars to use: the maximum number of patterns tested. */
  numBrightStars = RangeField({ doc: 'Number of bright stars to use. Sets the max number of patterns that can be tested.', dtype: 'int', default: 200, min: 2 });
  /** Minimum number of matched pairs (see `minFracMatchedPairs`). */
  minMatchedPairs = RangeField({ doc: 'Minimum number of matched pairs; see also minFracMatchedPairs.', dtype: 'int', default: 30, min: 2 });
  /** Minimum matched pairs as a fraction of the smaller of the reference and good-source counts. */
  minFracMatchedPairs = RangeField({
    doc: 'Minimum number of matched pairs as a fraction of the smaller of the number of reference stars or the number of good sources; the actual minimum is the smaller of this value or minMatchedPairs.',
    dtype: 'float',
    default: 0.3,
    min: 0,
    max: 1,
    inclusiveMax: true,
  });
  /** Number of softening iterations: the tolerance doubles and one more spoke is tried each time. */
  matcherIterations = RangeField({ doc: 'Number of softening iterations in matcher.', dtype: 'int', default: 3, min: 1 });
  /** Maximum shift of the WCS found by matching (pixels). */
  maxOffsetPix = RangeField({
    doc: 'Maximum allowed shift of WCS, due to matching (pixel). When changing this value, the LoadReferenceObjectsConfig.pixelMargin should also be updated.',
    dtype: 'int',
    default: 250,
    max: 4000,
  });
  /** Rotation allowed between sources and reference objects (degrees). */
  maxRotationDeg = RangeField({ doc: 'Rotation angle allowed between sources and position reference objects (degrees).', dtype: 'float', default: 1.0, max: 6.0 });
  /** Number of points (centre and spokes) that define a pattern. */
  numPointsForShape = Field.int({ doc: 'Number of points to define a shape for matching.', default: 6 });
  /** Number of points tried to make a pattern (≥ numPointsForShape). */
  numPointsForShapeAttempt = Field.int({
    doc: 'Number of points to try for creating a shape. This value should be greater than or equal to numPointsForShape.',
    default: 6,
  });
  /** Distance (pixels) below which a source-reference pair is always a match; also the starting spoke tolerance is twice it. */
  minMatchDistPixels = RangeField({
    doc: 'Distance in units of pixels to always consider a source-reference pair a match.',
    dtype: 'float',
    default: 1.0,
    min: 0.0,
    max: 6.0,
  });
  /** Number of patterns that must agree on the shift/rotation before it is accepted. */
  numPatternConsensus = Field.int({
    doc: 'Number of implied shift/rotations from patterns that must agree before it a given shift/rotation is accepted. This is only used after the first softening iteration fails and if both the number of reference and source objects is greater than numBrightStars.',
    default: 3,
  });
  /** Maximum number of reference objects used (the brightest). */
  maxRefObjects = RangeField({ doc: 'Maximum number of reference objects to use for the matcher.', dtype: 'int', default: 2 ** 16, min: 0, max: 2 ** 16 + 1 });

  /**
   * Checks the fields and their relations.
   *
   * @throws {@link MeasAstromInvalidArgumentError} when `numPointsForShapeAttempt < numPointsForShape` or `numPointsForShape > numBrightStars`
   */
  override validate(): void {
    super.validate();
    if (this.numPointsForShapeAttempt < this.numPointsForShape) {
      throw new MeasAstromInvalidArgumentError(
        `numPointsForShapeAttempt (${this.numPointsForShapeAttempt}) must be greater than or equal to numPointsForShape (${this.numPointsForShape}).`,
      );
    }
    if (this.numPointsForShape > this.numBrightStars) {
      throw new MeasAstromInvalidArgumentError(`numBrightStars (${this.numBrightStars}) must be greater than numPointsForShape (${this.numPointsForShape}).`);
    }
  }
}

/** What {@link MatchPessimisticBTask.matchObjectsToSources} returns. */
export interface MatchResult {
  /** The matches (reference, source, distance through the given WCS). */
  readonly matches: ReferenceMatch[];
  /** The tolerance state for the next iteration. */
  readonly matchTolerance: MatchTolerancePessimistic;
}

/**
 * Matches sources to reference objects with LSST's Pessimistic Pattern Matcher B (see
 * {@link pessimisticPatternMatch}): robust to initial-WCS errors of up to `maxOffsetPix` in
 * position and `maxRotationDeg` in rotation, and to a pixel-scale error of a few per cent.
 * Positions are compared in the pixel plane of the given WCS. Once a previous iteration has set
 * `matchTolerance.maxMatchDist`, nearest-neighbour matching within that distance (not below
 * `minMatchDistPixels`) is tried first.
 *
 * @example
 * ```ts
 * const matcher = new MatchPessimisticBTask();
 * const { matches } = matcher.matchObjectsToSources(refCat, sources, wcs, 'slot_ApFlux_instFlux', 'r_flux');
 * ```
 * @see lsst.meas.astrom.MatchPessimisticBTask
 */
export class MatchPessimisticBTask extends Task<MatchPessimisticBConfig> {
  /** {@link MatchPessimisticBConfig}. */
  static override ConfigClass = MatchPessimisticBConfig;
  /** `matchObjectsToSources`. */
  static override _DefaultName: string | undefined = 'matchObjectsToSources';

  /**
   * Makes the task.
   *
   * @param options - Task options
   */
  constructor(options: TaskOptions<MatchPessimisticBConfig> = {}) {
    super(options);
  }

  /**
   * Matches the (already selected) sources to the reference objects.
   *
   * @param refCat - reference objects (`coord_ra`, `coord_dec`, `refFluxField`)
   * @param sourceCat - the good sources (`slot_Centroid`, `sourceFluxField`)
   * @param wcs - the current estimate of the WCS
   * @param sourceFluxField - source flux field (brightness order of the patterns)
   * @param refFluxField - reference flux field (brightest kept when there are more than `maxRefObjects`)
   * @param matchTolerance - state from a previous iteration, if any
   * @returns the matches and the new tolerance state
   * @throws {@link MeasAstromMatchError} when there are no sources or no match was found
   * @see lsst.meas.astrom.MatchPessimisticBTask.matchObjectsToSources
   */
  matchObjectsToSources(
    refCat: SimpleCatalog,
    sourceCat: SourceCatalog,
    wcs: SkyWcs,
    sourceFluxField: string,
    refFluxField: string,
    matchTolerance: MatchTolerancePessimistic = new MatchTolerancePessimistic(),
  ): Struct<MatchResult> {
    return timeMethod(this, 'matchObjectsToSources', () => {
      const c = this.config;
      if (sourceCat.length === 0) throw new MeasAstromMatchError('No sources are good: nothing to match.');
      const nRefAll = refCat.length;
      const minMatchedPairs = Math.min(c.minMatchedPairs, Math.floor(c.minFracMatchedPairs * Math.min(nRefAll, sourceCat.length)));
      // Reference rows used: all, or the maxRefObjects brightest.
      let refRows = Int32Array.from({ length: nRefAll }, (_, i) => i);
      const refFlux = refCat.getColumn(refFluxField) as Float64Array;
      if (nRefAll > c.maxRefObjects) {
        this.log.warn(`Reference catalog larger than maximum allowed; trimming to the ${c.maxRefObjects} brightest.`);
        refRows = Int32Array.from([...refRows].sort((a, b) => refFlux[b]! - refFlux[a]!).slice(0, c.maxRefObjects));
      }
      const ra = refCat.getColumn('coord_ra') as Float64Array;
      const dec = refCat.getColumn('coord_dec') as Float64Array;
      const refPix = wcs.skyToPixelArray(
        Float64Array.from(refRows, (i) => ra[i]!),
        Float64Array.from(refRows, (i) => dec[i]!),
      );
      const srcX = Float64Array.from(sourceCat.getColumn('slot_Centroid_x') as Float64Array);
      const srcY = Float64Array.from(sourceCat.getColumn('slot_Centroid_y') as Float64Array);
      const srcFlux = Float64Array.from(sourceCat.getColumn(sourceFluxField) as Float64Array);
      const input = { srcX, srcY, srcFlux, refX: refPix.x, refY: refPix.y };
      const pixelScaleArcsec = wcs.getPixelScale().asArcseconds();
      const minDistPix = c.minMatchDistPixels;
      let result: PatternMatchResult | undefined;
      if (matchTolerance.maxMatchDist !== null) {
        const radius = Math.max(minDistPix, matchTolerance.maxMatchDist.asArcseconds() / pixelScaleArcsec);
        const direct = directMatch(input, radius);
        if (direct.srcIndex.length >= minMatchedPairs) result = direct;
      }
      if (result === undefined) {
        const tooFew = refRows.length < c.numPointsForShape || sourceCat.length < c.numPointsForShape;
        if (tooFew) {
          // No pattern can be made: match directly within the widest softened tolerance.
          result = directMatch(input, 2 * minDistPix * 2 ** (c.matcherIterations - 1));
        } else {
          const maxShiftPix =
            matchTolerance.maxShift === null ? c.maxOffsetPix : Math.max(matchTolerance.maxShift.asArcseconds() / pixelScaleArcsec, minDistPix);
          const minObjectsForConsensus = c.numBrightStars + c.numPointsForShapeAttempt;
          const numConsensus = refRows.length < minObjectsForConsensus || sourceCat.length < minObjectsForConsensus ? 1 : c.numPatternConsensus;
          search: for (let softenDist = 0; softenDist < c.matcherIterations; softenDist++) {
            for (let softenPattern = 0; softenPattern < c.matcherIterations; softenPattern++) {
              const r = pessimisticPatternMatch(input, {
                numPointsForShapeAttempt: c.numPointsForShapeAttempt + softenPattern,
                numPointsForShape: c.numPointsForShape,
                numPatternConsensus: numConsensus,
                numBrightStars: c.numBrightStars,
                maxShiftPix: Math.max(maxShiftPix, 2 * minDistPix * 2 ** softenDist),
                maxRotationDeg: c.maxRotationDeg,
                maxDistPix: 2 * Math.max(minDistPix, 0.5) * 2 ** softenDist,
                minMatchedPairs: Math.max(minMatchedPairs, Math.min(c.numPointsForShape, sourceCat.length)),
                minMatchDistPix: minDistPix,
                patternSkip: matchTolerance.failedPatternList,
              });
              if (r.srcIndex.length > 0) {
                result = r;
                break search;
              }
            }
          }
          if (result !== undefined) {
            matchTolerance.maxShift = Angle.fromArcseconds(result.shiftPix * pixelScaleArcsec);
            matchTolerance.lastMatchedPattern = result.patternIdx;
          }
        }
      }
      if (result === undefined || result.srcIndex.length === 0) {
        throw new MeasAstromMatchError(
          `Unable to match sources: found 0 matches between ${sourceCat.length} sources and ${refRows.length} reference objects, need at least ${Math.max(1, minMatchedPairs)}.`,
          {
            hint: `Check the initial WCS (the matcher allows shifts up to maxOffsetPix=${c.maxOffsetPix} pixels and rotations up to maxRotationDeg=${c.maxRotationDeg}) and the reference catalog's coverage.`,
          },
        );
      }
      const srcSky = wcs.pixelToSkyArray(
        Float64Array.from(result.srcIndex, (i) => srcX[i]!),
        Float64Array.from(result.srcIndex, (i) => srcY[i]!),
      );
      const matches: ReferenceMatch[] = [];
      for (let k = 0; k < result.srcIndex.length; k++) {
        const ref = refCat.get(refRows[result.refIndex[k]!]!);
        const src = sourceCat.get(result.srcIndex[k]!);
        const d = angularDistance(ra[ref.index]!, dec[ref.index]!, srcSky.ra[k]!, srcSky.dec[k]!);
        matches.push({ first: ref, second: src, distance: Angle.fromRadians(d) });
      }
      this.log.info(`Matched ${matches.length} sources`);
      if (matches.length < minMatchedPairs) this.log.warn(`Number of matches (${matches.length}) is smaller than requested (${minMatchedPairs})`);
      return new Struct({ matches, matchTolerance });
    });
  }
}

function angularDistance(ra1: number, dec1: number, ra2: number, dec2: number): number {
  const s1 = Math.sin((dec2 - dec1) / 2);
  const s2 = Math.sin((ra2 - ra1) / 2);
  return 2 * Math.asin(Math.min(1, Math.sqrt(s1 * s1 + Math.cos(dec1) * Math.cos(dec2) * s2 * s2)));
}
