import { describe, expect, it } from 'vitest';
import { TimeFormatError } from '../errors.js';
import { taiNsFromIsoTai, TIMESPAN_MAX, TIMESPAN_MIN } from './astro-time.js';
import { Timespan } from './timespan.js';

const t = (iso: string): bigint => taiNsFromIsoTai(iso);
const span = (a: string | null, b: string | null): Timespan => new Timespan(a === null ? null : t(a), b === null ? null : t(b));

describe('Timespan', () => {
  it('stores unbounded sides at the limits and clamps bounds', () => {
    const all = new Timespan(null, null);
    expect([all.beginNs, all.endNs]).toEqual([TIMESPAN_MIN, TIMESPAN_MAX]);
    expect([all.begin, all.end]).toEqual([null, null]);
    expect(new Timespan(-5n, TIMESPAN_MAX + 10n).equals(all)).toBe(true);
    expect(all.toString()).toBe('(-∞, ∞)');
  });

  it('normalizes every empty timespan', () => {
    const empty = Timespan.makeEmpty();
    expect(empty.isEmpty()).toBe(true);
    expect(empty.begin).toBe(Timespan.EMPTY);
    expect(span('2021-01-02', '2021-01-01').equals(empty)).toBe(true);
    expect(new Timespan(Timespan.EMPTY, null).isEmpty()).toBe(true);
    expect(empty.toString()).toBe('(empty)');
  });

  it('pads instantaneous timespans unless told not to', () => {
    const x = t('2021-01-01');
    expect(new Timespan(x, x).endNs).toBe(x + 1n);
    expect(new Timespan(x, x, { padInstantaneous: false }).isEmpty()).toBe(true);
    expect(Timespan.fromInstant(x).contains(x)).toBe(true);
    expect(Timespan.fromInstant(x).contains(x + 1n)).toBe(false);
  });

  it('has half-open overlaps and containment', () => {
    const a = span('2021-09-09 03:00:00', '2021-09-09 03:01:00');
    const b = span('2021-09-09 03:01:00', '2021-09-09 03:02:00');
    const c = span('2021-09-09 03:00:30', null);
    expect(a.overlaps(b)).toBe(false);
    expect(a.overlaps(c)).toBe(true);
    expect(c.contains(b)).toBe(true);
    expect(a.contains(t('2021-09-09 03:00:00'))).toBe(true);
    expect(a.contains(t('2021-09-09 03:01:00'))).toBe(false);
    expect(a.overlaps(t('2021-09-09 03:00:59'))).toBe(true);
    const empty = Timespan.makeEmpty();
    expect(empty.overlaps(empty)).toBe(false);
    expect(a.overlaps(empty)).toBe(false);
    expect(a.contains(empty)).toBe(true);
    expect(empty.contains(a)).toBe(false);
    expect(a.toString()).toBe('[2021-09-09T03:00:00, 2021-09-09T03:01:00)');
    expect(c.toString()).toBe('[2021-09-09T03:00:30, ∞)');
  });

  it('intersects and subtracts', () => {
    const a = span('2021-01-01', '2021-01-10');
    const b = span('2021-01-03', '2021-01-05');
    expect(a.intersection(b).equals(b)).toBe(true);
    expect(a.intersection()).toBe(a);
    expect(a.intersection(b, span('2021-01-04', null)).equals(span('2021-01-04', '2021-01-05'))).toBe(true);
    expect(a.difference(b).map(String)).toEqual(['[2021-01-01T00:00:00, 2021-01-03T00:00:00)', '[2021-01-05T00:00:00, 2021-01-10T00:00:00)']);
    expect(b.difference(a)).toEqual([]);
    expect(a.difference(span('2021-02-01', null))).toEqual([a]);
    expect(a.difference(span(null, '2021-01-05')).map(String)).toEqual(['[2021-01-05T00:00:00, 2021-01-10T00:00:00)']);
  });

  it('makes day_obs timespans', () => {
    const day = Timespan.fromDayObs(20210909);
    expect(day.toString()).toBe('[2021-09-09T00:00:00, 2021-09-10T00:00:00)');
    expect(Timespan.fromDayObs(20210909, -12 * 3600).toString()).toBe('[2021-09-08T12:00:00, 2021-09-09T12:00:00)');
    expect(() => Timespan.fromDayObs(2021099)).toThrow(TimeFormatError);
    expect(() => Timespan.fromDayObs(20211332)).toThrow(TimeFormatError);
  });

  it('round-trips JSON', () => {
    const a = span('2021-01-01', null);
    const json = JSON.parse(JSON.stringify(a)) as string[];
    expect(json).toEqual([t('2021-01-01').toString(), TIMESPAN_MAX.toString()]);
    expect(Timespan.fromJSON(json).equals(a)).toBe(true);
    expect(a.toIsoTai()).toEqual({ begin: '2021-01-01 00:00:00.000000000', end: null });
    expect(() => Timespan.fromJSON(['x', '1'])).toThrow(TimeFormatError);
  });

  it('is immutable', () => {
    const a = span('2021-01-01', null);
    expect(Object.isFrozen(a)).toBe(true);
  });
});
