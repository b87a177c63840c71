import { Header } from '@skystack/fits';
import { describe, expect, it } from 'vitest';
import { ObsBaseTranslationError } from './errors.js';
import { FilterDefinitionCollection } from './filters.js';
import { makeRawVisitInfo } from './initial-wcs.js';
import { CERRO_PACHON, SkyStackTranslator } from './observation-info.js';

function header(over: Record<string, string | number | undefined> = {}): Header {
  const base: Record<string, string | number | undefined> = {
    INSTRUME: 'SimCam',
    TELESCOP: 'SimTel',
    OBSTYPE: 'science',
    OBJECT: 'COSMOS',
    EXPID: 2025030100012,
    DAYOBS: 20250301,
    SEQNUM: 12,
    GROUP: 'g1',
    'DATE-OBS': '2025-03-02T01:00:00.000',
    'DATE-END': '2025-03-02T01:00:15.000',
    TIMESYS: 'TAI',
    'MJD-OBS': 60736.041666666664,
    EXPTIME: 15,
    DARKTIME: 15.5,
    FILTER: 'SimCam-r',
    RA: 150.1,
    DEC: 2.2,
    ROTPA: 45,
    AIRMASS: 1.1,
    ALTITUDE: 65,
    AZIMUTH: 350,
    DETECTOR: 7,
    DETNAME: 'S07',
    OBSID: 'SC_O_20250301_000012',
    SCIPROG: 'survey',
    ...over,
  };
  const h = new Header();
  for (const [k, v] of Object.entries(base)) if (v !== undefined) h.set(k, v);
  return h;
}

describe('SkyStackTranslator', () => {
  const t = new SkyStackTranslator({ instrument: 'SimCam', detectorMax: 100 });

  it('translates the contract keywords to astro_metadata_translator properties', () => {
    const info = t.translate(header());
    expect(t.canTranslate(header())).toBe(true);
    expect(info).toMatchObject({
      instrument: 'SimCam',
      telescope: 'SimTel',
      exposure_id: 2025030100012,
      visit_id: 2025030100012,
      day_obs: 20250301,
      seq_num: 12,
      group_counter_start: 12,
      group_counter_end: 12,
      exposure_group: 'g1',
      observation_id: 'SC_O_20250301_000012',
      observation_type: 'science',
      science_program: 'survey',
      object: 'COSMOS',
      exposure_time: 15,
      dark_time: 15.5,
      boresight_airmass: 1.1,
      boresight_rotation_coord: 'sky',
      physical_filter: 'SimCam-r',
      detector_num: 7,
      detector_name: 'S07',
      detector_exposure_id: 202503010001207,
      can_see_sky: true,
    });
    expect(info.datetime_begin.toIsoString()).toMatch(/^2025-03-02T01:00:00\.000/);
    expect(info.datetime_end.toIsoString()).toMatch(/^2025-03-02T01:00:15\.000/);
    // DATE-OBS and MJD-OBS say the same (TAI).
    expect(info.datetime_begin.getMjd('TAI')).toBeCloseTo(60736.041666666664, 9);
    expect(info.tracking_radec?.getRa().asDegrees()).toBe(150.1);
    expect(info.tracking_radec?.getDec().asDegrees()).toBe(2.2);
    expect(info.altaz_begin?.getLongitude().asDegrees()).toBe(350);
    expect(info.altaz_begin?.getLatitude().asDegrees()).toBe(65);
    expect(info.boresight_rotation_angle?.asDegrees()).toBe(45);
    expect(info.location).toBe(CERRO_PACHON);
    expect(CERRO_PACHON.getElevation()).toBe(2663);
  });

  it('defaults GROUP to the exposure ID and marks biases as not seeing the sky', () => {
    const info = t.translate(header({ GROUP: undefined, OBSTYPE: 'BIAS' }));
    expect(info.exposure_group).toBe('2025030100012');
    expect(info.observation_type).toBe('bias');
    expect(info.can_see_sky).toBe(false);
  });

  it('says which keyword is missing or wrong', () => {
    expect(() => t.translate(header({ EXPID: undefined }))).toThrow(/required keyword EXPID is missing/);
    expect(() => t.translate(header({ EXPTIME: 'long' }))).toThrow(/EXPTIME should be a number; found 'long'/);
    expect(() => t.translate(header({ 'DATE-OBS': 'yesterday' }))).toThrow(ObsBaseTranslationError);
    expect(() => t.translate(header({ INSTRUME: 'Other' }))).toThrow(/cannot translate a header of instrument 'Other'/);
    expect(t.canTranslate(header({ INSTRUME: 'Other' }))).toBe(false);
  });

  it('gives the raw VisitInfo: mid-exposure date, boresight, airmass, observatory', () => {
    const vi = makeRawVisitInfo(t.translate(header()));
    expect(vi.date?.toIsoString()).toMatch(/^2025-03-02T01:00:07\.500/);
    expect(vi.exposureTime).toBe(15);
    expect(vi.boresightAirmass).toBe(1.1);
    expect(vi.boresightAzAlt?.getLatitude().asDegrees()).toBe(65);
    expect(vi.observatory.getLatitude().asDegrees()).toBeCloseTo(-30.244639, 12);
    expect(vi.instrumentLabel).toBe('SimCam');
    expect(vi.scienceProgram).toBe('survey');
    // ERA at 2025-03-02T01:00:07.5 TAI (UTC = TAI - 37 s), IERS 2010: independent value.
    const jd = 2460736.5 + (3600 + 7.5 - 37) / 86400;
    const era = (2 * Math.PI * (0.779057273264 + 1.00273781191135448 * (jd - 2451545.0))) % (2 * Math.PI);
    expect(vi.era.asRadians()).toBeCloseTo(era, 6);
  });
});

describe('FilterDefinitionCollection', () => {
  const f = new FilterDefinitionCollection([
    { physical_filter: 'SimCam-r', band: 'r', alias: ['R'] },
    { physical_filter: 'SimCam-empty', band: null },
  ]);
  it('looks up physical filters and aliases and makes FilterLabels', () => {
    expect(f.get('R').physical_filter).toBe('SimCam-r');
    expect(f.makeFilterLabel('SimCam-r').bandLabel).toBe('r');
    expect(f.makeFilterLabel('SimCam-empty').hasBandLabel()).toBe(false);
    expect(() => f.get('x')).toThrow(/Unknown physical filter 'x'; defined: SimCam-r, SimCam-empty/);
    expect(() => new FilterDefinitionCollection([{ physical_filter: 'a', band: 'a' }, { physical_filter: 'a', band: 'b' }])).toThrow(/defined twice/);
  });
});
