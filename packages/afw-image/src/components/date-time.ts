// A small stand-in for lsst.daf.base.DateTime: TAI nanoseconds since the Unix epoch.
import { LEAP_SECONDS } from '@skystack/base';
import { AfwImageInvalidArgumentError } from '../errors.js';

/** TAI − UTC in seconds from each date on (UTC, ms since the epoch): base's leap-second table. */
const LEAP_SECONDS_MS: readonly (readonly [number, number])[] = LEAP_SECONDS.map(([d, s]) => [Date.parse(`${d}T00:00:00Z`), s] as const);

const NS_PER_S = 1_000_000_000n;
const NS_PER_DAY = 86_400n * NS_PER_S;
/** MJD of the Unix epoch. */
const MJD_UNIX_EPOCH = 40587;
/** daf_base's invalid time (`DateTime()`): the smallest int64. */
const INVALID_NSECS = -(2n ** 63n);

/** The time scales a {@link DateTime} converts between. */
export type TimeScale = 'TAI' | 'UTC';

/** 1961–1971 drift segments of TAI − UTC: [start (UTC ms), offset s, reference MJD, rate s/day] (USNO tai-utc.dat). */
const DRIFT: readonly (readonly [number, number, number, number])[] = [
  ['1961-01-01', 1.422818, 37300, 0.001296], ['1961-08-01', 1.372818, 37300, 0.001296], ['1962-01-01', 1.845858, 37665, 0.0011232],
  ['1963-11-01', 1.945858, 37665, 0.0011232], ['1964-01-01', 3.24013, 38761, 0.001296], ['1964-04-01', 3.34013, 38761, 0.001296],
  ['1964-09-01', 3.44013, 38761, 0.001296], ['1965-01-01', 3.54013, 38761, 0.001296], ['1965-03-01', 3.64013, 38761, 0.001296],
  ['1965-07-01', 3.74013, 38761, 0.001296], ['1965-09-01', 3.84013, 38761, 0.001296], ['1966-01-01', 4.31317, 39126, 0.002592],
  ['1968-02-01', 4.21317, 39126, 0.002592],
].map(([d, a, m, r]) => [Date.parse(`${d as string}T00:00:00Z`), a as number, m as number, r as number] as const);

function taiMinusUtcSeconds(utcMs: number): number {
  if (utcMs < DRIFT[0]![0]) {
    throw new AfwImageInvalidArgumentError(`UTC dates before 1961-01-01 are not supported (got ${new Date(utcMs).toISOString()}).`);
  }
  if (utcMs < LEAP_SECONDS_MS[0]![0]) {
    let seg = DRIFT[0]!;
    for (const d of DRIFT) if (utcMs >= d[0]) seg = d;
    const mjd = utcMs / 86_400_000 + MJD_UNIX_EPOCH;
    return seg[1] + (mjd - seg[2]) * seg[3];
  }
  let offset = 10;
  for (const [start, s] of LEAP_SECONDS_MS) if (utcMs >= start) offset = s;
  return offset;
}

function secondsToNs(s: number): bigint {
  return BigInt(Math.round(s * 1e9));
}

/**
 * A moment in time, held as TAI nanoseconds since 1970-01-01T00:00:00 TAI (exact, as a
 * `bigint`), which is what afw archives (`tai` column of VisitInfo) and what daf_base's
 * `DateTime.nsecs(DateTime.TAI)` returns. Immutable.
 *
 * @example
 * ```ts
 * const t = DateTime.fromIsoString('2020-01-20T12:34:56', 'TAI');
 * t.toIsoString(); // '2020-01-20T12:34:56.000000000'
 * t.getMjd(); // 58868.52425925926
 * ```
 *
 * @see lsst.daf.base.DateTime
 */
export class DateTime {
  /** TAI nanoseconds since the Unix epoch. */
  readonly nsecsTai: bigint;

  /**
   * Wraps TAI nanoseconds.
   *
   * @param nsecsTai - TAI nanoseconds since the Unix epoch
   */
  constructor(nsecsTai: bigint) {
    this.nsecsTai = nsecsTai;
  }

  /**
   * A time from nanoseconds since the Unix epoch in a time scale.
   *
   * @param nsecs - nanoseconds
   * @param scale - `'TAI'` (default) or `'UTC'`
   * @returns the time, or `null` for daf_base's invalid time (the smallest int64)
   * @throws AfwImageInvalidArgumentError for UTC before 1961
   */
  static fromNsecs(nsecs: bigint, scale: TimeScale = 'TAI'): DateTime | null {
    if (nsecs === INVALID_NSECS) return null;
    if (scale === 'TAI') return new DateTime(nsecs);
    const utcMs = Number(nsecs / 1_000_000n);
    return new DateTime(nsecs + secondsToNs(taiMinusUtcSeconds(utcMs)));
  }

  /**
   * A time from an MJD in a time scale (to about a microsecond: the MJD is a double).
   *
   * @param mjd - modified Julian date
   * @param scale - `'TAI'` (default) or `'UTC'`
   * @returns the time
   * @throws AfwImageInvalidArgumentError for UTC before 1961
   */
  static fromMjd(mjd: number, scale: TimeScale = 'TAI'): DateTime {
    const days = mjd - MJD_UNIX_EPOCH;
    const whole = Math.floor(days);
    const ns = BigInt(whole) * NS_PER_DAY + BigInt(Math.round((days - whole) * 86_400e9));
    return DateTime.fromNsecs(ns, scale)!;
  }

  /**
   * Parses an ISO 8601 date and time (`2020-01-20T12:34:56.123456789`, a trailing `Z` allowed,
   * basic or extended format) in a time scale.
   *
   * @param iso - the string
   * @param scale - `'TAI'` (default) or `'UTC'`
   * @returns the time
   * @throws AfwImageInvalidArgumentError when the string is not an ISO 8601 date and time
   */
  static fromIsoString(iso: string, scale: TimeScale = 'TAI'): DateTime {
    const m = /^(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2}):?(\d{2})(?:[.,](\d{1,9})\d*)?Z?$/.exec(iso.trim());
    if (m === null) {
      throw new AfwImageInvalidArgumentError(`'${iso}' is not an ISO 8601 date and time (expected YYYY-MM-DDThh:mm:ss[.fffffffff]).`);
    }
    const [, y, mo, d, h, mi, s, frac] = m;
    const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
    const ns = BigInt(ms) * 1_000_000n + BigInt((frac ?? '').padEnd(9, '0'));
    return DateTime.fromNsecs(ns, scale)!;
  }

  /**
   * Nanoseconds since the Unix epoch in a time scale.
   *
   * @param scale - `'TAI'` (default) or `'UTC'`
   * @returns the nanoseconds
   * @throws AfwImageInvalidArgumentError for UTC before 1961
   */
  nsecs(scale: TimeScale = 'TAI'): bigint {
    if (scale === 'TAI') return this.nsecsTai;
    // TAI − UTC at this moment: try the offset at the TAI date, then correct once.
    let offset = secondsToNs(taiMinusUtcSeconds(Number(this.nsecsTai / 1_000_000n)));
    offset = secondsToNs(taiMinusUtcSeconds(Number((this.nsecsTai - offset) / 1_000_000n)));
    return this.nsecsTai - offset;
  }

  /**
   * The modified Julian date in a time scale.
   *
   * @param scale - `'TAI'` (default) or `'UTC'`
   * @returns the MJD
   */
  getMjd(scale: TimeScale = 'TAI'): number {
    const ns = this.nsecs(scale);
    const days = ns / NS_PER_DAY;
    const rest = ns - days * NS_PER_DAY;
    return MJD_UNIX_EPOCH + Number(days) + Number(rest) / 86_400e9;
  }

  /**
   * ISO 8601 with nanoseconds, as daf_base writes it: `2020-01-20T12:34:56.000000000` for TAI,
   * with a trailing `Z` for UTC.
   *
   * @param scale - `'TAI'` (default) or `'UTC'`
   * @returns the string
   */
  toIsoString(scale: TimeScale = 'TAI'): string {
    const ns = this.nsecs(scale);
    let ms = ns / 1_000_000n;
    let sub = ns - ms * 1_000_000n;
    if (sub < 0n) {
      sub += 1_000_000n;
      ms -= 1n;
    }
    const iso = new Date(Number(ms)).toISOString(); // YYYY-MM-DDThh:mm:ss.mmmZ
    const frac = `${iso.slice(20, 23)}${sub.toString().padStart(6, '0')}`;
    return `${iso.slice(0, 19)}.${frac}${scale === 'UTC' ? 'Z' : ''}`;
  }

  /**
   * Whether another time is the same nanosecond.
   *
   * @param other - the other time
   * @returns whether they are equal
   */
  equals(other: unknown): boolean {
    return other instanceof DateTime && other.nsecsTai === this.nsecsTai;
  }

  /** The TAI ISO string. */
  toString(): string {
    return this.toIsoString('TAI');
  }
}

/** @internal daf_base's invalid nanoseconds, written for a missing date. */
export const DATE_TIME_INVALID_NSECS = INVALID_NSECS;
