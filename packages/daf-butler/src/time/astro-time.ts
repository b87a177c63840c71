// Time instants as daf_butler stores them: integer TAI nanoseconds since 1970-01-01T00:00:00 TAI,
// parsed from and formatted to the astropy representations that `where` time literals use.
//
// Internally every scale has a "calendar": whole days since 1970-01-01 of that scale plus
// nanoseconds into the day. TAI and TT days always last 86400 s; a UTC day that ends with a
// leap second lasts 86401 s (as in ERFA, which astropy uses), so a fraction of such a day is a
// fraction of 86401 s.
import { LEAP_SECONDS } from '@skystack/base';
import { TimeFormatError } from '../errors.js';

/** Time scales that SkyStack converts between: `'utc'`, `'tai'` and `'tt'`. */
export type TimeScale = 'utc' | 'tai' | 'tt';

/**
 * Time formats SkyStack reads and writes, with astropy's names and meanings.
 *
 * - `jd`, `mjd`: (modified) Julian date, in days of the time scale.
 * - `unix`: seconds since 1970-01-01 00:00:00 UTC (UTC days of 86400 s; the default scale is UTC).
 * - `unix_tai`: seconds since 1970-01-01 00:00:08 TAI.
 * - `cxcsec`: seconds since 1998-01-01 00:00:00 TT (Chandra).
 * - `gps`: seconds since 1980-01-06 00:00:19 TAI.
 * - `iso` (`2020-03-30 12:20:33.457`), `isot` (`2020-03-30T12:20:33.457`), `fits` (like `isot`,
 *   also `+02020-03-30T…` on input), `yday` (`2020:090:12:20:33.457`).
 */
export type TimeFormat = 'jd' | 'mjd' | 'unix' | 'unix_tai' | 'cxcsec' | 'gps' | 'iso' | 'isot' | 'fits' | 'yday';

/** The formats of {@link TimeFormat}: the ones this implementation converts. */
export const TIME_FORMATS: readonly TimeFormat[] = ['jd', 'mjd', 'unix', 'unix_tai', 'cxcsec', 'gps', 'iso', 'isot', 'fits', 'yday'];

/** The scales of {@link TimeScale}. */
export const TIME_SCALES: readonly TimeScale[] = ['utc', 'tai', 'tt'];

/** Every format name astropy's `Time.FORMATS` knows (recognised in literals; those outside {@link TIME_FORMATS} are rejected). */
const ASTROPY_FORMATS: readonly string[] = [
  'jd', 'mjd', 'decimalyear', 'unix', 'unix_tai', 'cxcsec', 'gps', 'plot_date', 'stardate', 'datetime', 'ymdhms',
  'iso', 'isot', 'yday', 'datetime64', 'fits', 'byear', 'jyear', 'byear_str', 'jyear_str',
];

/** Every scale name astropy's `Time.SCALES` knows. */
const ASTROPY_SCALES: readonly string[] = ['tai', 'tcb', 'tcg', 'tdb', 'tt', 'ut1', 'utc', 'local'];

/**
 * A parsed time: the instant (TAI nanoseconds), and the format and scale it was written in, as an
 * astropy `Time` keeps them.
 *
 * @see astropy.time.Time
 */
export interface AstroTime {
  /** The instant, TAI nanoseconds since 1970-01-01T00:00:00 TAI. */
  readonly taiNs: bigint;
  /** The format the time was given in (and is shown in). */
  readonly format: TimeFormat;
  /** The scale the time was given in (and is shown in). */
  readonly scale: TimeScale;
  /**
   * astropy's `Time.value`: a number for numeric formats (the parsed float), the text with 3
   * decimals of seconds for string formats (`'2020-03-30 12:20:33.457'`).
   */
  readonly value: number | string;
}

/** Nanoseconds in one second. */
export const NS_PER_SECOND = 1_000_000_000n;
/** Nanoseconds in one day of 86400 s. */
export const NS_PER_DAY = 86_400n * NS_PER_SECOND;
/** TT − TAI, 32.184 s, in nanoseconds. */
export const TT_MINUS_TAI_NS = 32_184_000_000n;
/** The smallest instant daf_butler stores: 1970-01-01T00:00:00 TAI (0 ns). @see lsst.daf.butler.time_utils.TimeConverter */
export const TIMESPAN_MIN = 0n;
/** The largest instant daf_butler stores: 2100-01-01T00:00:00 TAI, in TAI ns. @see lsst.daf.butler.time_utils.TimeConverter */
export const TIMESPAN_MAX = 47_482n * NS_PER_DAY;

/** MJD of 1970-01-01. */
const MJD_1970 = 40_587n;

// ---------------------------------------------------------------------------------------------
// Leap seconds.

interface LeapEntry {
  /** UTC day (since 1970-01-01) from which `offsetNs` holds. */
  readonly day: bigint;
  /** TAI − UTC from that day, ns. */
  readonly offsetNs: bigint;
  /** The TAI instant of that day's 00:00:00 UTC. */
  readonly taiStart: bigint;
}

const LEAPS: readonly LeapEntry[] = LEAP_SECONDS.map(([date, seconds]) => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const day = BigInt(daysFromCivil(y, m, d));
  const offsetNs = BigInt(seconds) * NS_PER_SECOND;
  return { day, offsetNs, taiStart: day * NS_PER_DAY + offsetNs };
});

/** TAI − UTC before 1972 (see {@link taiMinusUtcNs}). */
const PRE_1972_OFFSET_NS = 10n * NS_PER_SECOND;

function offsetForUtcDay(day: bigint): bigint {
  let offset = PRE_1972_OFFSET_NS;
  for (const leap of LEAPS) {
    if (leap.day > day) break;
    offset = leap.offsetNs;
  }
  return offset;
}

/** Length of a UTC day in ns: 86401 s when the day ends with a leap second. */
function utcDayLengthNs(day: bigint): bigint {
  return NS_PER_DAY + offsetForUtcDay(day + 1n) - offsetForUtcDay(day);
}

/**
 * TAI − UTC at a TAI instant, in nanoseconds (during a leap second, the offset before it).
 *
 * Uses the IERS table from 1972-01-01 (10 s) to 2017-01-01 (37 s, still in force). Before 1972
 * UTC ran on "rubber seconds" (TAI − UTC ≈ 8.000082 s on 1970-01-01 in astropy); SkyStack uses a
 * constant 10 s instead, so UTC is a plain offset from TAI there and conversions stay invertible.
 * Times before 1972 therefore differ from astropy by up to 2 s.
 *
 * @param taiNs - TAI ns since 1970-01-01T00:00:00 TAI
 * @returns TAI − UTC, ns
 * @see https://hpiers.obspm.fr/iers/bul/bulc/Leap_Second.dat
 */
export function taiMinusUtcNs(taiNs: bigint): bigint {
  let offset = PRE_1972_OFFSET_NS;
  for (const leap of LEAPS) {
    if (leap.taiStart > taiNs) break;
    offset = leap.offsetNs;
  }
  return offset;
}

/** A calendar position in some scale: whole days since 1970-01-01 and ns into the day. */
interface DayNs {
  readonly day: bigint;
  readonly ns: bigint;
  /** Length of that day in ns (86401 s for UTC days that end with a leap second). */
  readonly length: bigint;
}

function utcToTai(day: bigint, nsOfDay: bigint): bigint {
  return day * NS_PER_DAY + nsOfDay + offsetForUtcDay(day);
}

function taiToUtc(taiNs: bigint): DayNs {
  let index = -1;
  for (let i = 0; i < LEAPS.length; i++) {
    if (LEAPS[i]!.taiStart > taiNs) break;
    index = i;
  }
  const offset = index < 0 ? PRE_1972_OFFSET_NS : LEAPS[index]!.offsetNs;
  const next = LEAPS[index + 1];
  if (next !== undefined && taiNs >= next.taiStart - NS_PER_SECOND) {
    // Inside the leap second 23:59:60 that ends the day before `next.day`.
    const day = next.day - 1n;
    return { day, ns: NS_PER_DAY + (taiNs - (next.taiStart - NS_PER_SECOND)), length: NS_PER_DAY + NS_PER_SECOND };
  }
  const utcNs = taiNs - offset;
  const day = floorDiv(utcNs, NS_PER_DAY);
  return { day, ns: utcNs - day * NS_PER_DAY, length: utcDayLengthNs(day) };
}

function toScale(taiNs: bigint, scale: TimeScale): DayNs {
  if (scale === 'utc') return taiToUtc(taiNs);
  const ns = scale === 'tt' ? taiNs + TT_MINUS_TAI_NS : taiNs;
  const day = floorDiv(ns, NS_PER_DAY);
  return { day, ns: ns - day * NS_PER_DAY, length: NS_PER_DAY };
}

function fromScale(day: bigint, nsOfDay: bigint, scale: TimeScale): bigint {
  if (scale === 'utc') return utcToTai(day, nsOfDay);
  const ns = day * NS_PER_DAY + nsOfDay;
  return scale === 'tt' ? ns - TT_MINUS_TAI_NS : ns;
}

// ---------------------------------------------------------------------------------------------
// Integer and rational helpers.

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

/** Nearest integer to a / b (b > 0), halves away from zero (as ERFA's `dnint`). */
function roundDiv(a: bigint, b: bigint): bigint {
  const neg = a < 0n;
  const abs = neg ? -a : a;
  const q = (2n * abs + b) / (2n * b);
  return neg ? -q : q;
}

/** A rational number n / d with d > 0. */
interface Rational {
  readonly n: bigint;
  readonly d: bigint;
}

/** Parses a decimal number exactly (`-12.5e3`). */
function parseDecimal(text: string): Rational | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(text);
  if (m === null || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const frac = m[3] ?? '';
  let n = BigInt(`${m[2]}${frac}` || '0');
  let d = 10n ** BigInt(frac.length);
  const exp = Number(m[4] ?? '0');
  if (Math.abs(exp) > 400) return undefined;
  if (exp > 0) n *= 10n ** BigInt(exp);
  else if (exp < 0) d *= 10n ** BigInt(-exp);
  if (m[1] === '-') n = -n;
  return { n, d };
}

/** Days (rational, since 1970-01-01 of the scale) → TAI ns. */
function taiFromScaleDays(days: Rational, scale: TimeScale): bigint {
  const day = floorDiv(days.n, days.d);
  const rem = days.n - day * days.d;
  const length = scale === 'utc' ? utcDayLengthNs(day) : NS_PER_DAY;
  return fromScale(day, roundDiv(rem * length, days.d), scale);
}

/** TAI ns → days (rational, since 1970-01-01 of the scale). */
function scaleDaysFromTai(taiNs: bigint, scale: TimeScale): Rational {
  const { day, ns, length } = toScale(taiNs, scale);
  return { n: day * length + ns, d: length };
}

function rationalToNumber(r: Rational): number {
  const q = floorDiv(r.n, r.d);
  return Number(q) + Number(r.n - q * r.d) / Number(r.d);
}

// ---------------------------------------------------------------------------------------------
// Civil calendar (proleptic Gregorian), after H. Hinnant's days_from_civil.

function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z0: number): [number, number, number] {
  const z = z0 + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d];
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  return [31, isLeapYear(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] ?? 0;
}

/** Calendar fields in some scale. */
interface CalendarFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Fraction of the second, ns (may exceed 1e9 only through rounding of extra digits). */
  fracNs: bigint;
}

/** Fraction text (`.456789`, `.`, or undefined) → ns, rounded. */
function fractionNs(text: string | undefined): bigint {
  const digits = (text ?? '').replace('.', '');
  if (digits === '') return 0n;
  return roundDiv(BigInt(digits) * NS_PER_SECOND, 10n ** BigInt(digits.length));
}

/** Validates calendar fields and converts them to TAI ns; undefined when out of range. */
function taiFromCalendar(f: CalendarFields, scale: TimeScale): bigint | undefined {
  if (f.month < 1 || f.month > 12 || f.day < 1 || f.day > daysInMonth(f.year, f.month)) return undefined;
  if (f.hour > 23 || f.minute > 59) return undefined;
  const day = BigInt(daysFromCivil(f.year, f.month, f.day));
  if (f.second > 60) return undefined;
  if (f.second === 60) {
    // Only the last second of a UTC day that ends with a leap second.
    if (scale !== 'utc' || f.hour !== 23 || f.minute !== 59 || utcDayLengthNs(day) === NS_PER_DAY) return undefined;
  }
  const nsOfDay = BigInt((f.hour * 60 + f.minute) * 60 + f.second) * NS_PER_SECOND + f.fracNs;
  return fromScale(day, nsOfDay, scale);
}

/** Calendar fields of an instant in a scale, seconds rounded to `decimals` digits (carrying over). */
function calendarFromTai(taiNs: bigint, scale: TimeScale, decimals: number): CalendarFields & { fracText: string } {
  const position = toScale(taiNs, scale);
  const length = position.length;
  let { day, ns } = position;
  const unit = 10n ** BigInt(9 - decimals);
  ns = roundDiv(ns, unit) * unit;
  if (ns >= length) {
    ns -= length;
    day += 1n;
  }
  let hour: number;
  let minute: number;
  let second: number;
  let rest: bigint;
  if (ns >= NS_PER_DAY) {
    hour = 23;
    minute = 59;
    const over = ns - NS_PER_DAY;
    second = 60 + Number(over / NS_PER_SECOND);
    rest = over % NS_PER_SECOND;
  } else {
    const s = ns / NS_PER_SECOND;
    rest = ns % NS_PER_SECOND;
    hour = Number(s / 3600n);
    minute = Number((s / 60n) % 60n);
    second = Number(s % 60n);
  }
  const [year, month, dom] = civilFromDays(Number(day));
  const fracText = decimals === 0 ? '' : (rest / unit).toString().padStart(decimals, '0');
  return { year, month, day: dom, hour, minute, second, fracNs: rest, fracText };
}

function pad(value: number, width: number): string {
  const text = Math.abs(value).toString().padStart(width, '0');
  return value < 0 ? `-${text}` : text;
}

function dayOfYear(year: number, month: number, day: number): number {
  return daysFromCivil(year, month, day) - daysFromCivil(year, 1, 1) + 1;
}

// ---------------------------------------------------------------------------------------------
// Numeric formats.

/** TAI ns of the epoch of an epoch-based format. */
const EPOCHS: Readonly<Record<'unix' | 'unix_tai' | 'cxcsec' | 'gps', bigint>> = {
  unix: utcToTai(0n, 0n),
  unix_tai: 8n * NS_PER_SECOND,
  cxcsec: BigInt(daysFromCivil(1998, 1, 1)) * NS_PER_DAY - TT_MINUS_TAI_NS,
  gps: BigInt(daysFromCivil(1980, 1, 6)) * NS_PER_DAY + 19n * NS_PER_SECOND,
};

function isNumericFormat(format: TimeFormat): boolean {
  return format !== 'iso' && format !== 'isot' && format !== 'fits' && format !== 'yday';
}

/** Days since 1970-01-01 (in `scale`) for a numeric value of a format. */
function scaleDaysFromNumeric(value: Rational, format: TimeFormat, scale: TimeScale): Rational {
  switch (format) {
    case 'jd': // jd − 2440587.5
      return { n: 2n * value.n - 4_881_175n * value.d, d: 2n * value.d };
    case 'mjd':
      return { n: value.n - MJD_1970 * value.d, d: value.d };
    default: {
      // Epoch (expressed in the scale) + value seconds, as astropy's TimeFromEpoch does.
      const epoch = scaleDaysFromTai(EPOCHS[format as keyof typeof EPOCHS], scale);
      return { n: epoch.n * value.d * 86_400n + value.n * epoch.d, d: epoch.d * value.d * 86_400n };
    }
  }
}

/**
 * The numeric value of an instant in a numeric format and scale (astropy's `Time.value`).
 *
 * @param taiNs - the instant
 * @param format - a numeric format (`jd`, `mjd`, `unix`, `unix_tai`, `cxcsec`, `gps`)
 * @param scale - the scale
 * @returns the value as a float
 */
function numericValue(taiNs: bigint, format: TimeFormat, scale: TimeScale): number {
  const days = scaleDaysFromTai(taiNs, scale);
  switch (format) {
    case 'jd':
      return rationalToNumber({ n: 2n * days.n + 4_881_175n * days.d, d: 2n * days.d });
    case 'mjd':
      return rationalToNumber({ n: days.n + MJD_1970 * days.d, d: days.d });
    default: {
      const epoch = scaleDaysFromTai(EPOCHS[format as keyof typeof EPOCHS], scale);
      return rationalToNumber({ n: (days.n * epoch.d - epoch.n * days.d) * 86_400n, d: days.d * epoch.d });
    }
  }
}

/**
 * Formats a number as Python's `repr(float)` does (`51544.0`, `1e+16`, `1.5e-05`), which is how
 * astropy shows the value of a numeric-format time.
 *
 * @param value - a finite number
 * @returns Python's text for it
 */
export function pythonFloatRepr(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = value.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exp >= -4 && exp < 16) {
    let text: string;
    if (exp < 0) text = `0.${'0'.repeat(-exp - 1)}${digits}`;
    else if (digits.length <= exp + 1) text = `${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
    else text = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
    return sign + text;
  }
  const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${m}e${exp < 0 ? '-' : '+'}${pad(Math.abs(exp), 2)}`;
}

// ---------------------------------------------------------------------------------------------
// String formats.

const STRING_PATTERNS: Readonly<Record<'iso' | 'isot' | 'fits' | 'yday', RegExp>> = {
  iso: /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2})(?::(\d{2})(\.\d*)?)?)?(Z?)$/,
  isot: /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d*)?)?)?(Z?)$/,
  fits: /^([+-]\d{5}|\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(\.\d*)?)?()$/,
  yday: /^(\d{4}):(\d{3})(?::(\d{2}):(\d{2})(?::(\d{2})(\.\d*)?)?)?()$/,
};

function parseStringValue(text: string, format: 'iso' | 'isot' | 'fits' | 'yday', scale: TimeScale): bigint | undefined {
  const m = STRING_PATTERNS[format].exec(text);
  if (m === null) return undefined;
  if (m[8] === 'Z' && scale !== 'utc') return undefined;
  const num = (i: number): number => Number(m[i] ?? '0');
  let fields: CalendarFields;
  if (format === 'yday') {
    const year = num(1);
    const doy = num(2);
    if (doy < 1 || doy > (isLeapYear(year) ? 366 : 365)) return undefined;
    const [y, mo, d] = civilFromDays(daysFromCivil(year, 1, 1) + doy - 1);
    fields = { year: y, month: mo, day: d, hour: num(3), minute: num(4), second: num(5), fracNs: fractionNs(m[6]) };
  } else {
    const frac = fractionNs(m[7]);
    fields = { year: num(1), month: num(2), day: num(3), hour: num(4), minute: num(5), second: num(6), fracNs: frac };
  }
  return taiFromCalendar(fields, scale);
}

function formatString(taiNs: bigint, format: 'iso' | 'isot' | 'fits' | 'yday', scale: TimeScale, decimals: number): string {
  const c = calendarFromTai(taiNs, scale, decimals);
  const frac = decimals === 0 ? '' : `.${c.fracText}`;
  const hms = `${pad(c.hour, 2)}:${pad(c.minute, 2)}:${pad(c.second, 2)}${frac}`;
  switch (format) {
    case 'yday':
      return `${pad(c.year, 4)}:${pad(dayOfYear(c.year, c.month, c.day), 3)}:${hms}`;
    case 'iso':
      return `${pad(c.year, 4)}-${pad(c.month, 2)}-${pad(c.day, 2)} ${hms}`;
    case 'isot':
      return `${pad(c.year, 4)}-${pad(c.month, 2)}-${pad(c.day, 2)}T${hms}`;
    case 'fits': {
      const year = c.year >= 0 && c.year <= 9999 ? pad(c.year, 4) : `${c.year < 0 ? '-' : '+'}${pad(Math.abs(c.year), 5)}`;
      return `${year}-${pad(c.month, 2)}-${pad(c.day, 2)}T${hms}`;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Public conversions.

/**
 * Makes a time from a value in a given format and scale, as `astropy.time.Time(value,
 * format=format, scale=scale)` does (numbers are converted exactly from their decimal text, not
 * through a float).
 *
 * @param value - the value: decimal text or a number for numeric formats, text for string formats
 * @param format - the format
 * @param scale - the scale; default `utc` for iso/isot/fits/yday/unix, `tt` for cxcsec, else `tai`
 * @returns the time
 * @throws {@link TimeFormatError} when the value does not match the format or is out of range
 * @example
 * ```ts
 * makeTime('2020-03-30 12:20:33', 'iso').taiNs; // 1585570870000000000n (37 s after UTC)
 * ```
 * @see astropy.time.Time
 */
export function makeTime(value: string | number, format: TimeFormat, scale: TimeScale = defaultScale(format)): AstroTime {
  if (isNumericFormat(format)) {
    const text = typeof value === 'number' ? (Number.isFinite(value) ? value.toString() : '') : value.trim();
    const rational = parseDecimal(text);
    if (rational === undefined) {
      throw new TimeFormatError(`Time value '${value}' is not a number as format '${format}' requires.`);
    }
    const taiNs = taiFromScaleDays(scaleDaysFromNumeric(rational, format, scale), scale);
    return { taiNs, format, scale, value: Number(text) };
  }
  if (typeof value !== 'string') {
    throw new TimeFormatError(`Time format '${format}' requires a string value; given the number ${value}.`);
  }
  const taiNs = parseStringValue(value, format as 'iso', scale);
  if (taiNs === undefined) {
    throw new TimeFormatError(`Time string "${value}" does not match format "${format}" (scale ${scale}).`);
  }
  return { taiNs, format, scale, value: formatString(taiNs, format as 'iso', scale, 3) };
}

/**
 * The default scale of a format in daf_butler's time literals: `utc` for iso, isot, fits, yday
 * and unix, `tt` for cxcsec, `tai` for the rest.
 *
 * @param format - the format
 * @returns its default scale
 * @see lsst.daf.butler.registry.queries.expressions.parser.parserYacc._parseTimeString
 */
export function defaultScale(format: TimeFormat): TimeScale {
  if (format === 'iso' || format === 'isot' || format === 'fits' || format === 'yday' || format === 'unix') return 'utc';
  return format === 'cxcsec' ? 'tt' : 'tai';
}

// daf_butler's guess of the format: [format/]value[/scale] where value is a float, an iso(t),
// a fits or a yday string.
const TIME_STRING = new RegExp(
  String.raw`^(?:(\w+)/)?` +
    String.raw`(?:(-?(?:\d+\.\d*|\.\d+))|(\d+-\d+-\d+(?:[ T]\d+:\d+(?::\d+(?:\.\d*)?)?)?)|(\+\d+-\d+-\d+(?:T\d+:\d+:\d+(?:\.\d*)?)?)|(\d+:\d+(?::\d+:\d+(?::\d+(?:\.\d*)?)?)?))` +
    String.raw`(?:/(\w+))?$`,
  'i',
);

/**
 * Parses the text of a `where` time literal `T'[format/]value[/scale]'` (without `T'` and `'`) as
 * daf_butler does.
 *
 * Without a format, a float (`51544.0`, with a decimal point) is an MJD, `YYYY-MM-DD[ HH:MM[:SS[.fff]]]`
 * is `iso`, the same with `T` is `isot`, `+YYYYY-MM-DD[THH:MM:SS[.fff]]` is `fits` and
 * `YYYY:DDD[:HH:MM[:SS[.fff]]]` is `yday`. Format and scale names are case-insensitive. A
 * `+00:00` time zone is removed. The default scale is given by {@link defaultScale}.
 *
 * @param text - the literal's content, e.g. `'mjd/58938.515/tai'`
 * @returns the time
 * @throws {@link TimeFormatError} when the text does not match, names an unknown format or scale,
 *   or names an astropy format or scale SkyStack does not convert (only utc, tai and tt scales)
 * @example
 * ```ts
 * parseTimeLiteral('2020-03-30').value; // '2020-03-30 00:00:00.000' (iso, utc)
 * ```
 * @see lsst.daf.butler.registry.queries.expressions.parser.parserYacc._parseTimeString
 */
export function parseTimeLiteral(text: string): AstroTime {
  const cleaned = text.replaceAll('+00:00', '');
  const m = TIME_STRING.exec(cleaned);
  if (m === null) throw new TimeFormatError(`Time string "${cleaned}" does not match known formats.`);
  const [, formatName, number, iso, fits, yday, scaleName] = m;
  let format: string | undefined = formatName?.toLowerCase();
  let scale: string | undefined = scaleName?.toLowerCase();
  if (format !== undefined) {
    if (!ASTROPY_FORMATS.includes(format)) {
      throw new TimeFormatError(`Time string "${cleaned}" specifies unknown time format "${format}".`);
    }
    if (!(TIME_FORMATS as readonly string[]).includes(format)) {
      throw new TimeFormatError(`Time string "${cleaned}" uses time format "${format}", which SkyStack does not support.`, {
        hint: `Use one of ${TIME_FORMATS.join(', ')}.`,
      });
    }
  }
  if (scale !== undefined) {
    if (!ASTROPY_SCALES.includes(scale)) {
      throw new TimeFormatError(`Time string "${cleaned}" specifies unknown time scale "${scale}".`);
    }
    if (!(TIME_SCALES as readonly string[]).includes(scale)) {
      throw new TimeFormatError(`Time string "${cleaned}" uses time scale "${scale}", which SkyStack does not support.`, {
        hint: 'Use utc, tai or tt.',
      });
    }
  }
  const value = (number ?? iso ?? fits ?? yday)!;
  if (format === undefined) {
    if (number !== undefined) format = 'mjd';
    else if (iso !== undefined) format = /t/i.test(iso) ? 'isot' : 'iso';
    else if (fits !== undefined) format = 'fits';
    else format = 'yday';
  }
  const fmt = format as TimeFormat;
  scale ??= defaultScale(fmt);
  try {
    return makeTime(value, fmt, scale as TimeScale);
  } catch (e) {
    throw new TimeFormatError(`Time string "${cleaned}" does not match format "${fmt}".`, { cause: e });
  }
}

/**
 * Formats an instant in a format and scale as astropy's `str(Time)` does: 3 decimals of seconds
 * for string formats (`'2020-03-30 12:20:33.457'`, `'2020:090:12:20:00.000'`), Python's float
 * text for numeric formats (`'51544.0'`).
 *
 * @param taiNs - the instant, TAI ns since 1970-01-01T00:00:00 TAI
 * @param format - the format
 * @param scale - the scale
 * @returns the text
 * @see astropy.time.Time.to_value
 */
export function formatTime(taiNs: bigint, format: TimeFormat, scale: TimeScale): string {
  if (isNumericFormat(format)) return pythonFloatRepr(numericValue(taiNs, format, scale));
  return formatString(taiNs, format as 'iso', scale, 3);
}

/**
 * The value of an instant in a format and scale (astropy's `Time.value`): a number for numeric
 * formats, the 3-decimal text for string formats.
 *
 * @param taiNs - the instant
 * @param format - the format
 * @param scale - the scale
 * @returns the value
 */
export function timeValue(taiNs: bigint, format: TimeFormat, scale: TimeScale): number | string {
  return isNumericFormat(format) ? numericValue(taiNs, format, scale) : formatString(taiNs, format as 'iso', scale, 3);
}

/**
 * astropy's `str(time)` of a parsed time: the stored value, Python's float text for numbers.
 *
 * @param time - the time
 * @returns the text (`'2020-03-30 00:00:00.000'`, `'51544.0'`)
 */
export function timeToString(time: AstroTime): string {
  return typeof time.value === 'number' ? pythonFloatRepr(time.value) : time.value;
}

/**
 * Parses the TAI ISO text of Butler YAML exports (`!butler_time/tai/iso '2021-09-09 03:00:00.000000000'`);
 * `T` is accepted in place of the space, and the time of day may be left out.
 *
 * @param text - `YYYY-MM-DD[ HH:MM:SS[.fffffffff]]`, TAI
 * @returns TAI ns since 1970-01-01T00:00:00 TAI
 * @throws {@link TimeFormatError} when the text is not such a time
 * @see lsst.daf.butler.time_utils.TimeConverter
 */
export function taiNsFromIsoTai(text: string): bigint {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(\.\d*)?)?)?$/.exec(text.trim());
  const ns =
    m === null
      ? undefined
      : taiFromCalendar(
          { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), hour: Number(m[4] ?? 0), minute: Number(m[5] ?? 0), second: Number(m[6] ?? 0), fracNs: fractionNs(m[7]) },
          'tai',
        );
  if (ns === undefined) throw new TimeFormatError(`'${text}' is not a TAI ISO time (expected 'YYYY-MM-DD HH:MM:SS.fffffffff').`);
  return ns;
}

/**
 * Formats an instant as the TAI ISO text of Butler YAML exports, with 9 decimals
 * (`'2021-09-09 03:00:00.000000000'`).
 *
 * @param ns - TAI ns since 1970-01-01T00:00:00 TAI
 * @returns the text
 */
export function isoTaiFromNs(ns: bigint): string {
  return formatString(ns, 'iso', 'tai', 9);
}

/**
 * TAI ISO text of an instant with whole seconds (rounded to ms, then truncated as astropy's
 * `strftime` does), `'2021-09-09T03:00:00'` with `separator` `'T'`.
 *
 * @param ns - TAI ns
 * @param separator - between date and time
 * @returns the text
 */
export function isoTaiSeconds(ns: bigint, separator = 'T'): string {
  const c = calendarFromTai(ns, 'tai', 3);
  return `${pad(c.year, 4)}-${pad(c.month, 2)}-${pad(c.day, 2)}${separator}${pad(c.hour, 2)}:${pad(c.minute, 2)}:${pad(c.second, 2)}`;
}

/**
 * Converts a JavaScript `Date` (UTC milliseconds, no leap seconds) to TAI ns.
 *
 * @param date - the date
 * @returns TAI ns since 1970-01-01T00:00:00 TAI
 * @throws {@link TimeFormatError} for an invalid date
 */
export function taiNsFromDate(date: Date): bigint {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new TimeFormatError('Invalid Date cannot be converted to TAI.');
  const day = Math.floor(ms / 86_400_000);
  return utcToTai(BigInt(day), BigInt(ms - day * 86_400_000) * 1_000_000n);
}

/**
 * Converts TAI ns to a JavaScript `Date` (UTC, milliseconds truncated). A `Date` cannot show a
 * leap second: instants inside one become 23:59:59.999 of that day.
 *
 * @param ns - TAI ns since 1970-01-01T00:00:00 TAI
 * @returns the date
 */
export function dateFromTaiNs(ns: bigint): Date {
  const { day, ns: nsOfDay } = taiToUtc(ns);
  const ms = nsOfDay >= NS_PER_DAY ? 86_399_999n : nsOfDay / 1_000_000n;
  return new Date(Number(day) * 86_400_000 + Number(ms));
}

/**
 * The current time in TAI ns (from the system clock, millisecond resolution).
 *
 * @returns TAI ns since 1970-01-01T00:00:00 TAI
 */
export function nowTaiNs(): bigint {
  return taiNsFromDate(new Date());
}
