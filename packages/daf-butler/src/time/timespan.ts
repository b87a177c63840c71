import { TimeFormatError } from '../errors.js';
import { isoTaiFromNs, isoTaiSeconds, NS_PER_DAY, NS_PER_SECOND, taiNsFromIsoTai, TIMESPAN_MAX, TIMESPAN_MIN } from './astro-time.js';

/** The special bound {@link Timespan.EMPTY}: as `begin` or `end` of the constructor, it makes an empty timespan. */
export const EMPTY_BOUND: unique symbol = Symbol('Timespan.EMPTY');

/** A bound given to (or returned by) {@link Timespan}: TAI ns, `null` for unbounded, or {@link Timespan.EMPTY}. */
export type TimespanBound = bigint | null | typeof EMPTY_BOUND;

/** Options of the {@link Timespan} constructor. */
export interface TimespanOptions {
  /**
   * When `begin` equals `end` (and is not at the limits), add 1 ns to `end` so the timespan holds
   * that one instant instead of being empty (default `true`, as in daf_butler).
   */
  readonly padInstantaneous?: boolean;
}

/** JSON form of a {@link Timespan}: daf_butler's `to_simple()` `[begin_nsec, end_nsec]`, as decimal strings. */
export type TimespanJson = readonly [string, string];

function clamp(ns: bigint): bigint {
  return ns < TIMESPAN_MIN ? TIMESPAN_MIN : ns > TIMESPAN_MAX ? TIMESPAN_MAX : ns;
}

/**
 * A half-open interval of time `[begin, end)` in TAI nanoseconds, immutable, with daf_butler's
 * semantics:
 *
 * - A `null` bound is unbounded; it is stored as {@link TIMESPAN_MIN} / {@link TIMESPAN_MAX}
 *   (1970-01-01 and 2100-01-01 TAI), and every bound is clamped to that range, as daf_butler's
 *   `TimeConverter` does. So "unbounded" and "at the limit" are the same thing.
 * - Every timespan with `begin >= end` is empty, and all empty timespans are stored alike
 *   (`[TIMESPAN_MAX, TIMESPAN_MIN)`) and are equal. An empty timespan overlaps nothing (not even
 *   itself), is contained in every timespan, and contains only empty timespans.
 * - `begin == end` given to the constructor makes a timespan of one instant (1 ns) unless
 *   `padInstantaneous` is false.
 *
 * @example
 * ```ts
 * const night = Timespan.fromDayObs(20210909);
 * night.contains(taiNsFromIsoTai('2021-09-09 12:00:00')); // true
 * night.toString(); // '[2021-09-09T00:00:00, 2021-09-10T00:00:00)'
 * ```
 * @see lsst.daf.butler.Timespan
 */
export class Timespan {
  /** The special bound that makes an empty timespan; `begin`/`end` of an empty timespan return it. */
  static readonly EMPTY: typeof EMPTY_BOUND = EMPTY_BOUND;

  /** Stored begin, TAI ns (clamped; `TIMESPAN_MAX` when empty). */
  readonly beginNs: bigint;
  /** Stored end, TAI ns (clamped; `TIMESPAN_MIN` when empty). */
  readonly endNs: bigint;

  /**
   * Makes a timespan.
   *
   * @param begin - first instant included (TAI ns), `null` for unbounded, or {@link Timespan.EMPTY}
   * @param end - first instant excluded (TAI ns), `null` for unbounded, or {@link Timespan.EMPTY}
   * @param options - `padInstantaneous`
   */
  constructor(begin: TimespanBound, end: TimespanBound, options: TimespanOptions = {}) {
    let b = begin === null ? TIMESPAN_MIN : begin === EMPTY_BOUND ? TIMESPAN_MAX : clamp(begin);
    let e = end === null ? TIMESPAN_MAX : end === EMPTY_BOUND ? TIMESPAN_MIN : clamp(end);
    if (b === e && b !== TIMESPAN_MAX && e !== TIMESPAN_MIN && (options.padInstantaneous ?? true)) e += 1n;
    if (b >= e) {
      b = TIMESPAN_MAX;
      e = TIMESPAN_MIN;
    }
    this.beginNs = b;
    this.endNs = e;
    Object.freeze(this);
  }

  /**
   * A timespan from stored nanosecond bounds (daf_butler's `_nsec`), clamped, without padding.
   *
   * @param beginNs - begin, TAI ns
   * @param endNs - end, TAI ns
   * @returns the timespan (empty when `beginNs >= endNs`)
   */
  static fromNs(beginNs: bigint, endNs: bigint): Timespan {
    return new Timespan(beginNs, endNs, { padInstantaneous: false });
  }

  /**
   * The empty timespan.
   *
   * @returns a timespan that overlaps nothing
   * @see lsst.daf.butler.Timespan.makeEmpty
   */
  static makeEmpty(): Timespan {
    return EMPTY_TIMESPAN;
  }

  /**
   * The timespan of one instant: `[ns, ns + 1)`.
   *
   * @param ns - the instant, TAI ns
   * @returns the timespan
   * @see lsst.daf.butler.Timespan.fromInstant
   */
  static fromInstant(ns: bigint): Timespan {
    return Timespan.fromNs(ns, ns + 1n);
  }

  /**
   * The day of a `day_obs`: `[YYYY-MM-DD 00:00:00 TAI + offset, + 1 day)`.
   *
   * @param dayObs - the day as the integer YYYYMMDD (e.g. `20210909`)
   * @param offsetSeconds - shift of the day's start, seconds (e.g. `-43200` for a noon-to-noon day)
   * @returns the timespan
   * @throws {@link TimeFormatError} when `dayObs` is not an 8-digit date or the offset is not an integer
   * @see lsst.daf.butler.Timespan.from_day_obs
   */
  static fromDayObs(dayObs: number, offsetSeconds = 0): Timespan {
    const text = String(dayObs);
    if (!Number.isInteger(dayObs) || !/^\d{8}$/.test(text)) {
      throw new TimeFormatError(`day_obs must be an integer YYYYMMDD; given ${dayObs}.`);
    }
    if (!Number.isInteger(offsetSeconds)) {
      throw new TimeFormatError(`The day_obs offset must be a whole number of seconds; given ${offsetSeconds}.`);
    }
    const start = taiNsFromIsoTai(`${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}`) + BigInt(offsetSeconds) * NS_PER_SECOND;
    return Timespan.fromNs(start, start + NS_PER_DAY);
  }

  /**
   * A timespan from its JSON form.
   *
   * @param json - `[beginNs, endNs]` as decimal strings (or numbers/bigints)
   * @returns the timespan
   * @throws {@link TimeFormatError} for a malformed value
   * @see lsst.daf.butler.Timespan.from_simple
   */
  static fromJSON(json: readonly (string | number | bigint)[]): Timespan {
    if (json.length !== 2) throw new TimeFormatError(`A timespan is [beginNs, endNs]; given ${JSON.stringify(json.map(String))}.`);
    try {
      return Timespan.fromNs(BigInt(json[0]!), BigInt(json[1]!));
    } catch (e) {
      throw new TimeFormatError(`A timespan is [beginNs, endNs] of integers; given ${JSON.stringify(json.map(String))}.`, { cause: e });
    }
  }

  /** Begin, TAI ns; `null` when unbounded; {@link Timespan.EMPTY} when the timespan is empty. */
  get begin(): TimespanBound {
    if (this.isEmpty()) return EMPTY_BOUND;
    return this.beginNs === TIMESPAN_MIN ? null : this.beginNs;
  }

  /** End (excluded), TAI ns; `null` when unbounded; {@link Timespan.EMPTY} when the timespan is empty. */
  get end(): TimespanBound {
    if (this.isEmpty()) return EMPTY_BOUND;
    return this.endNs === TIMESPAN_MAX ? null : this.endNs;
  }

  /**
   * Whether the timespan holds no instant.
   *
   * @returns true when empty
   */
  isEmpty(): boolean {
    return this.beginNs >= this.endNs;
  }

  /**
   * Whether the two share an instant (empty timespans overlap nothing); for an instant, whether
   * this contains it.
   *
   * @param other - a timespan or an instant (TAI ns)
   * @returns true when they overlap
   * @see lsst.daf.butler.Timespan.overlaps
   */
  overlaps(other: Timespan | bigint): boolean {
    if (typeof other === 'bigint') return this.contains(other);
    return this.endNs > other.beginNs && other.endNs > this.beginNs;
  }

  /**
   * Whether this contains an instant (`begin <= t < end`, after clamping `t`), or every instant of
   * another timespan (an empty one is contained in everything).
   *
   * @param other - a timespan or an instant (TAI ns)
   * @returns true when contained
   * @see lsst.daf.butler.Timespan.contains
   */
  contains(other: Timespan | bigint): boolean {
    if (typeof other === 'bigint') {
      const t = clamp(other);
      return this.beginNs <= t && t < this.endNs;
    }
    return this.beginNs <= other.beginNs && this.endNs >= other.endNs;
  }

  /**
   * The instants common to this and all others.
   *
   * @param others - timespans
   * @returns the intersection (this when no others are given)
   * @see lsst.daf.butler.Timespan.intersection
   */
  intersection(...others: Timespan[]): Timespan {
    let b = this.beginNs;
    let e = this.endNs;
    for (const o of others) {
      if (o.beginNs > b) b = o.beginNs;
      if (o.endNs < e) e = o.endNs;
    }
    return others.length === 0 ? this : Timespan.fromNs(b, e);
  }

  /**
   * The parts of this not in `other`: none, one, or two timespans, in time order.
   *
   * @param other - the timespan to remove
   * @returns the remaining timespans
   * @see lsst.daf.butler.Timespan.difference
   */
  difference(other: Timespan): Timespan[] {
    const common = this.intersection(other);
    if (common.isEmpty()) return [this];
    if (common.equals(this)) return [];
    const out: Timespan[] = [];
    if (common.beginNs > this.beginNs) out.push(Timespan.fromNs(this.beginNs, common.beginNs));
    if (common.endNs < this.endNs) out.push(Timespan.fromNs(common.endNs, this.endNs));
    return out;
  }

  /**
   * Whether the two have the same stored bounds (all empty timespans are equal).
   *
   * @param other - another timespan
   * @returns true when equal
   */
  equals(other: Timespan): boolean {
    return this.beginNs === other.beginNs && this.endNs === other.endNs;
  }

  /**
   * daf_butler's `str(timespan)`: `[2021-09-09T03:00:00, 2021-09-09T03:01:00)` in TAI,
   * `(-∞, …` / `…, ∞)` for unbounded sides, `(empty)` when empty.
   *
   * @returns the text
   */
  toString(): string {
    if (this.isEmpty()) return '(empty)';
    const head = this.beginNs === TIMESPAN_MIN ? '(-∞, ' : `[${isoTaiSeconds(this.beginNs)}, `;
    const tail = this.endNs === TIMESPAN_MAX ? '∞)' : `${isoTaiSeconds(this.endNs)})`;
    return head + tail;
  }

  /**
   * The bounds as TAI ISO text with 9 decimals (the form of Butler YAML exports), `null` when
   * unbounded; both `undefined` when empty.
   *
   * @returns `{ begin, end }`
   */
  toIsoTai(): {
    /** Begin as TAI ISO text; null when unbounded, undefined when empty. */
    begin: string | null | undefined;
    /** End as TAI ISO text; null when unbounded, undefined when empty. */
    end: string | null | undefined;
  } {
    if (this.isEmpty()) return { begin: undefined, end: undefined };
    return {
      begin: this.beginNs === TIMESPAN_MIN ? null : isoTaiFromNs(this.beginNs),
      end: this.endNs === TIMESPAN_MAX ? null : isoTaiFromNs(this.endNs),
    };
  }

  /**
   * The JSON form: daf_butler's `to_simple()` `[begin_nsec, end_nsec]`, as decimal strings since
   * JSON has no 64-bit integers.
   *
   * @returns `[beginNs, endNs]`
   * @see lsst.daf.butler.Timespan.to_simple
   */
  toJSON(): TimespanJson {
    return [this.beginNs.toString(), this.endNs.toString()];
  }
}

const EMPTY_TIMESPAN = Timespan.fromNs(TIMESPAN_MAX, TIMESPAN_MIN);
