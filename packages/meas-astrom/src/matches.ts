// Reference/source matches, their statistics and their persisted forms (afw.table.packMatches,
// meas_astrom's denormalizeMatches).
import type { SimpleRecord, SourceRecord} from '@skystack/afw-table';
import { BaseCatalog, Schema, type SimpleCatalog, type SourceCatalog } from '@skystack/afw-table';
import { Angle } from '@skystack/geom';
import { MeasAstromInvalidArgumentError } from './errors.js';
import type { MatchMetadata } from './reference-object-loader.js';

/**
 * One match of a reference object to a source (afw's `ReferenceMatch`).
 *
 * @see lsst.afw.table.ReferenceMatch
 */
export interface ReferenceMatch {
  /** The reference object. */
  readonly first: SimpleRecord;
  /** The source. */
  readonly second: SourceRecord;
  /** The on-sky separation between the reference position and the source's position. */
  distance: Angle;
}

/** Statistics of match distances (meas_astrom's `makeMatchStatisticsInRadians`, as Angles). */
export interface MatchStatistics {
  /** Number of matches. */
  readonly n: number;
  /** Mean distance. */
  readonly distMean: Angle;
  /** Median distance. */
  readonly distMedian: Angle;
  /** Standard deviation of the distances (sample, n − 1). */
  readonly distStdDev: Angle;
  /** `distMean + matchDistanceSigma × distStdDev`: the next iteration's match distance. */
  readonly maxMatchDist: Angle;
}

/**
 * Sets each match's distance to the separation between the reference's `coord` and the
 * source's `coord_ra`/`coord_dec` (in place; run after the source coordinates were updated).
 *
 * @param matches - the matches
 * @example
 * ```ts
 * setMatchDistance(matches);
 * ```
 * @see lsst.meas.astrom.setMatchDistance
 */
export function setMatchDistance(matches: readonly ReferenceMatch[]): void {
  for (const m of matches) m.distance = m.first.getCoord().separation(m.second.getCoord());
}

/**
 * Mean, median and standard deviation of the match distances.
 *
 * @param matches - the matches (at least one)
 * @param matchDistanceSigma - the factor of the standard deviation in `maxMatchDist` (2 by default)
 * @returns the statistics
 * @throws {@link MeasAstromInvalidArgumentError} for no matches
 * @example
 * ```ts
 * const stats = makeMatchStatistics(matches);
 * stats.distMean.asMilliarcseconds();
 * ```
 * @see lsst.meas.astrom.makeMatchStatisticsInRadians
 */
export function makeMatchStatistics(matches: readonly ReferenceMatch[], matchDistanceSigma = 2): MatchStatistics {
  const n = matches.length;
  if (n === 0) throw new MeasAstromInvalidArgumentError('Match statistics need at least one match; got none.');
  const d = Float64Array.from(matches, (m) => m.distance.asRadians()).sort();
  let mean = 0;
  for (const v of d) mean += v;
  mean /= n;
  let ss = 0;
  for (const v of d) ss += (v - mean) ** 2;
  const std = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
  const median = n % 2 === 1 ? d[(n - 1) / 2]! : (d[n / 2 - 1]! + d[n / 2]!) / 2;
  return {
    n,
    distMean: Angle.fromRadians(mean),
    distMedian: Angle.fromRadians(median),
    distStdDev: Angle.fromRadians(std),
    maxMatchDist: Angle.fromRadians(mean + matchDistanceSigma * std),
  };
}

function setMetadata(catalog: BaseCatalog, matchMeta: MatchMetadata | undefined): void {
  if (matchMeta === undefined) return;
  const md = catalog.getMetadata();
  for (const [k, v] of Object.entries(matchMeta)) md.set(k, v);
}

/**
 * The normalised form of a match list, as LSST persists `srcMatch`: a catalog of `first`
 * (reference ID), `second` (source ID) and `distance` (radians), with the load metadata
 * (`matchMeta`) in its header.
 *
 * @param matches - the matches
 * @param matchMeta - the loader's metadata (from {@link AstrometryTask}'s result), if any
 * @returns the catalog
 * @example
 * ```ts
 * const srcMatch = makeMatchCatalog(result.matches, result.matchMeta);
 * await srcMatch.writeFits('srcMatch.fits');
 * ```
 * @see lsst.afw.table.packMatches
 */
export function makeMatchCatalog(matches: readonly ReferenceMatch[], matchMeta?: MatchMetadata): BaseCatalog {
  const schema = new Schema([
    { name: 'first', type: 'L', doc: 'ID for first source record in match.' },
    { name: 'second', type: 'L', doc: 'ID for second source record in match.' },
    { name: 'distance', type: 'D', doc: 'Distance between matches sources.' },
  ]);
  const cat = new BaseCatalog(schema, { length: matches.length });
  cat.setColumn('first', matches.map((m) => m.first.getId()));
  cat.setColumn('second', matches.map((m) => m.second.getId()));
  cat.setColumn('distance', matches.map((m) => m.distance.asRadians()));
  setMetadata(cat, matchMeta);
  return cat;
}

/** afw's name for {@link makeMatchCatalog} (without metadata). */
export const packMatches = (matches: readonly ReferenceMatch[]): BaseCatalog => makeMatchCatalog(matches);

/**
 * Relinks a normalised match catalog to the reference and source records by ID.
 *
 * @param matchCat - a catalog from {@link makeMatchCatalog}
 * @param refCat - the reference objects
 * @param sourceCat - the sources
 * @returns the matches whose IDs are found in both catalogs
 * @example
 * ```ts
 * const matches = unpackMatches(srcMatch, refCat, src);
 * ```
 * @see lsst.afw.table.unpackMatches
 */
export function unpackMatches(matchCat: BaseCatalog, refCat: SimpleCatalog, sourceCat: SourceCatalog): ReferenceMatch[] {
  const refs = new Map<bigint, number>();
  const srcs = new Map<bigint, number>();
  (refCat.getColumn('id') as BigInt64Array).forEach((id, i) => refs.set(id, i));
  (sourceCat.getColumn('id') as BigInt64Array).forEach((id, i) => srcs.set(id, i));
  const first = matchCat.getColumn('first') as BigInt64Array;
  const second = matchCat.getColumn('second') as BigInt64Array;
  const distance = matchCat.getColumn('distance') as Float64Array;
  const out: ReferenceMatch[] = [];
  for (let k = 0; k < matchCat.length; k++) {
    const r = refs.get(first[k]!);
    const s = srcs.get(second[k]!);
    if (r === undefined || s === undefined) continue;
    out.push({ first: refCat.get(r), second: sourceCat.get(s), distance: Angle.fromRadians(distance[k]!) });
  }
  return out;
}

/**
 * The denormalised form of a match list: one row per match with every reference field
 * prefixed `ref_`, every source field prefixed `src_`, and `distance` (radians).
 *
 * @param matches - the matches (at least one)
 * @param matchMeta - metadata for the header, if any
 * @returns the catalog
 * @throws {@link MeasAstromInvalidArgumentError} for no matches
 * @example
 * ```ts
 * const table = denormalizeMatches(result.matches, result.matchMeta).toArrow();
 * ```
 * @see lsst.meas.astrom.denormalizeMatches
 */
export function denormalizeMatches(matches: readonly ReferenceMatch[], matchMeta?: MatchMetadata): BaseCatalog {
  if (matches.length === 0) throw new MeasAstromInvalidArgumentError('No matches provided.');
  const refCat = matches[0]!.first.catalog;
  const srcCat = matches[0]!.second.catalog;
  const schema = new Schema();
  const parts: [string, BaseCatalog, 'first' | 'second'][] = [
    ['ref_', refCat, 'first'],
    ['src_', srcCat, 'second'],
  ];
  for (const [prefix, cat] of parts) for (const f of cat.schema) schema.addField({ ...f, name: prefix + f.name });
  schema.addField({ name: 'distance', type: 'D', doc: 'Distance between ref and src' });
  for (const [prefix, cat] of parts) {
    for (const [alias, target] of cat.schema.getAliasMap().entries()) schema.getAliasMap().set(prefix + alias, prefix + target);
  }
  const out = new BaseCatalog(schema, { length: matches.length });
  for (const [prefix, cat, which] of parts) {
    for (const f of cat.schema) {
      const from = cat.getColumn(f.name);
      const to = out.getColumn(prefix + f.name);
      matches.forEach((m, k) => {
        const i = m[which].index;
        if (Array.isArray(from)) (to as string[])[k] = from[i]!;
        else (to as Float64Array).set((from as Float64Array).subarray(i * f.size, (i + 1) * f.size), k * f.size);
      });
    }
  }
  out.setColumn('distance', matches.map((m) => m.distance.asRadians()));
  setMetadata(out, matchMeta);
  return out;
}
