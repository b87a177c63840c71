/**
 * Time literals and TAI conversions: daf_butler's time-string cases ([time-bad]/[time-good] of
 * the shared fixture query-expressions.txt, one case per line), known instants, and astropy.
 */
import { astropyAvailable, runPythonJson } from '@skystack/test-support';
import { describe, expect, it } from 'vitest';
import { TimeFormatError } from '../errors.js';
import {
  dateFromTaiNs,
  formatTime,
  isoTaiFromNs,
  makeTime,
  nowTaiNs,
  parseTimeLiteral,
  pythonFloatRepr,
  taiMinusUtcNs,
  taiNsFromDate,
  taiNsFromIsoTai,
  TIMESPAN_MAX,
  type TimeFormat,
  type TimeScale,
} from './astro-time.js';
import { EXPRESSION_FIXTURE, expressionFixtureSection } from '../../test/query-expressions-fixture.js';


const S = 1_000_000_000n;
/** UTC calendar → Unix seconds (no leap seconds), as bigint ns. */
const utcNs = (iso: string): bigint => BigInt(Date.parse(`${iso}Z`)) * 1_000_000n;

const bad = expressionFixtureSection('time-bad').map(([text]) => JSON.parse(text!) as string);
const good = expressionFixtureSection('time-good').map(([text, value, format, scale]) => ({
  text: JSON.parse(text!) as string,
  value: JSON.parse(value!) as number | string,
  format: format!,
  scale: scale!,
}));

describe.skipIf(EXPRESSION_FIXTURE === undefined)('daf_butler time strings (query-expressions.txt [time-bad]/[time-good])', () => {
  it('has the fixture lines', () => {
    expect(bad.length).toBeGreaterThan(5);
    expect(good.length).toBeGreaterThan(10);
  });

  it.each(bad)('rejects %j', (text) => {
    expect(() => parseTimeLiteral(text)).toThrow(TimeFormatError);
  });

  it.each(good)('parses $text', ({ text, value, format, scale }) => {
    const t = parseTimeLiteral(text);
    expect(t.value).toBe(value);
    expect(t.format).toBe(format);
    expect(t.scale).toBe(scale);
    // The value round-trips through TAI ns.
    expect(formatTime(t.taiNs, t.format, t.scale)).toBe(typeof value === 'number' ? pythonFloatRepr(value) : value);
  });
});

describe('TAI conversions', () => {
  it('knows the leap seconds', () => {
    expect(taiMinusUtcNs(utcNs('1971-06-01T00:00:00'))).toBe(10n * S);
    expect(taiMinusUtcNs(utcNs('1972-07-01T00:00:00') + 11n * S)).toBe(11n * S);
    expect(taiMinusUtcNs(utcNs('2000-01-01T00:00:00') + 32n * S)).toBe(32n * S);
    expect(taiMinusUtcNs(utcNs('2017-01-01T00:00:00') + 37n * S)).toBe(37n * S);
    expect(taiMinusUtcNs(utcNs('2017-01-01T00:00:00') + 36n * S - 1n)).toBe(36n * S);
  });

  it('converts literals of every format to TAI ns', () => {
    const j2000tai = utcNs('2000-01-01T00:00:00');
    expect(parseTimeLiteral('51544.0').taiNs).toBe(j2000tai);
    expect(parseTimeLiteral('jd/2451544.5').taiNs).toBe(j2000tai);
    expect(parseTimeLiteral('unix/946684800.0').taiNs).toBe(j2000tai + 32n * S);
    expect(parseTimeLiteral('cxcsec/63072064.184').taiNs).toBe(j2000tai + 32n * S);
    expect(parseTimeLiteral('2020-03-30 12:20:33').taiNs).toBe(utcNs('2020-03-30T12:20:33') + 37n * S);
    expect(parseTimeLiteral('2020-03-30 12:20:33/tai').taiNs).toBe(utcNs('2020-03-30T12:20:33'));
    expect(parseTimeLiteral('2020-03-30 12:20:33/tt').taiNs).toBe(utcNs('2020-03-30T12:20:33') - 32_184_000_000n);
    expect(parseTimeLiteral('2020:090:12:20:33').taiNs).toBe(utcNs('2020-03-30T12:20:33') + 37n * S);
    expect(parseTimeLiteral('2020-03-30T12:20:33+00:00').taiNs).toBe(utcNs('2020-03-30T12:20:33') + 37n * S);
    expect(makeTime('0.0', 'gps').taiNs).toBe(utcNs('1980-01-06T00:00:00') + 19n * S);
    expect(makeTime('1.5', 'unix_tai').taiNs).toBe(9_500_000_000n);
    expect(parseTimeLiteral('mjd/58938.515/utc').taiNs).toBe(utcNs('2020-03-30T12:21:36') + 37n * S);
  });

  it('handles a leap second', () => {
    const t = makeTime('2016-12-31 23:59:60.5', 'iso');
    expect(t.taiNs).toBe(utcNs('2017-01-01T00:00:00') + 36n * S + 500_000_000n);
    expect(t.value).toBe('2016-12-31 23:59:60.500');
    expect(formatTime(t.taiNs + S, 'isot', 'utc')).toBe('2017-01-01T00:00:00.500');
    expect(() => makeTime('2016-12-30 23:59:60', 'iso')).toThrow(TimeFormatError);
    expect(() => makeTime('2016-12-31 23:59:60', 'iso', 'tai')).toThrow(TimeFormatError);
    // The half day of 2016-12-31 in UTC MJD is half of 86401 s.
    expect(makeTime('57753.5', 'mjd', 'utc').taiNs).toBe(utcNs('2016-12-31T12:00:00') + 36n * S + 500_000_000n);
  });

  it('formats like astropy', () => {
    const t = utcNs('2020-05-02T12:20:00') + 37n * S;
    expect(formatTime(t, 'yday', 'utc')).toBe('2020:123:12:20:00.000');
    expect(formatTime(t, 'iso', 'utc')).toBe('2020-05-02 12:20:00.000');
    expect(formatTime(t, 'fits', 'utc')).toBe('2020-05-02T12:20:00.000');
    expect(formatTime(t, 'iso', 'tai')).toBe('2020-05-02 12:20:37.000');
    expect(formatTime(t, 'iso', 'tt')).toBe('2020-05-02 12:21:09.184');
    expect(formatTime(t + 999_600_000n, 'iso', 'utc')).toBe('2020-05-02 12:20:01.000');
    expect(formatTime(utcNs('2000-01-01T00:00:00'), 'mjd', 'tai')).toBe('51544.0');
    expect(formatTime(utcNs('2000-01-01T00:00:00'), 'jd', 'tai')).toBe('2451544.5');
    expect(formatTime(utcNs('2000-01-01T00:00:00') + 32n * S, 'unix', 'utc')).toBe('946684800.0');
  });

  it("writes Python's float text", () => {
    expect(pythonFloatRepr(51544)).toBe('51544.0');
    expect(pythonFloatRepr(63072064.184)).toBe('63072064.184');
    expect(pythonFloatRepr(1e16)).toBe('1e+16');
    expect(pythonFloatRepr(1.5e-5)).toBe('1.5e-05');
    expect(pythonFloatRepr(0.0001)).toBe('0.0001');
    expect(pythonFloatRepr(-2.5)).toBe('-2.5');
    expect(pythonFloatRepr(1234567890123456.7)).toBe('1234567890123456.8');
  });

  it('reads and writes the TAI ISO form of Butler exports', () => {
    const ns = taiNsFromIsoTai('2021-09-09 03:00:00.000000000');
    expect(ns).toBe(utcNs('2021-09-09T03:00:00'));
    expect(isoTaiFromNs(ns + 123_456_789n)).toBe('2021-09-09 03:00:00.123456789');
    expect(taiNsFromIsoTai('2100-01-01T00:00:00')).toBe(TIMESPAN_MAX);
    expect(() => taiNsFromIsoTai('2021-02-30 00:00:00')).toThrow(TimeFormatError);
  });

  it('converts JavaScript dates', () => {
    const date = new Date('2020-03-30T12:20:33.457Z');
    expect(taiNsFromDate(date)).toBe(utcNs('2020-03-30T12:20:33.457') + 37n * S);
    expect(dateFromTaiNs(taiNsFromDate(date)).toISOString()).toBe(date.toISOString());
    const now = nowTaiNs();
    expect(now > utcNs('2024-01-01T00:00:00')).toBe(true);
  });

  it('rejects unsupported formats and scales', () => {
    expect(() => parseTimeLiteral('decimalyear/2020.5')).toThrow(/does not support/);
    expect(() => parseTimeLiteral('58938.5/tdb')).toThrow(/does not support/);
    expect(() => parseTimeLiteral('2020-03-30 12')).toThrow(TimeFormatError);
    expect(() => parseTimeLiteral('2020-13-30')).toThrow(TimeFormatError);
  });
});

interface AstropyResult {
  taiNs: string;
  str: string;
}

const ASTROPY_SCRIPT = String.raw`
import json, sys, warnings
warnings.simplefilter('ignore')
from astropy.time import Time
cases = json.loads(sys.stdin.read())
out = []
for value, fmt, scale in cases:
    t = Time(float(value) if fmt in ('mjd', 'jd', 'unix', 'unix_tai', 'cxcsec', 'gps') else value, format=fmt, scale=scale)
    tai = t.tai
    days = int(round(tai.jd1 - 2440588.0))
    frac = tai.jd2 + 0.5 + (tai.jd1 - 2440588.0 - days)
    out.append({'taiNs': str(days * 86400000000000 + int(round(frac * 86400e9))), 'str': str(t)})
print(json.dumps(out))
`;

const ASTROPY_CASES: [string, TimeFormat, TimeScale][] = [
  ['2020-03-30 12:20:33', 'iso', 'utc'],
  ['2020-03-30T12:20:33.456789', 'isot', 'utc'],
  ['2016-12-31 23:59:60.250', 'iso', 'utc'],
  ['1999-12-31 23:59:59', 'iso', 'tt'],
  ['2020:123:12:20:33.5', 'yday', 'utc'],
  ['1985-06-30 23:59:60', 'iso', 'utc'],
  ['58938.515', 'mjd', 'tai'],
  ['58938.515', 'mjd', 'utc'],
  ['57753.75', 'mjd', 'utc'],
  ['2451544.5', 'jd', 'tai'],
  ['1585570833.25', 'unix', 'utc'],
  ['63072064.184', 'cxcsec', 'tt'],
  ['1300000000.0', 'gps', 'tai'],
];

describe.skipIf(!astropyAvailable())('agreement with astropy', () => {
  const results = astropyAvailable() ? runPythonJson<AstropyResult[]>(ASTROPY_SCRIPT, [], ASTROPY_CASES) : [];
  it.each(ASTROPY_CASES.map((c, i) => [i, ...c] as const))('case %i: %s (%s, %s)', (i, value, format, scale) => {
    const t = makeTime(value, format, scale);
    const expected = BigInt(results[i]!.taiNs);
    const diff = t.taiNs - expected;
    // String inputs are exact; float inputs within 1 µs (astropy holds the float, SkyStack the decimal).
    const tolerance = typeof t.value === 'string' ? 0n : 1000n;
    expect(diff <= tolerance && diff >= -tolerance, `${t.taiNs} vs astropy ${expected}`).toBe(true);
    if (typeof t.value === 'string') expect(t.value).toBe(results[i]!.str);
  });
});
