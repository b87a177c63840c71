// astro_metadata_translator's ObservationInfo and MetadataTranslator: a raw header translated
// into standard observation properties, with the translator of SkyStack's raw-file contract.
import { DateTime, Observatory } from '@skystack/afw-image';
import type { Header } from '@skystack/fits';
import { Angle, SpherePoint } from '@skystack/geom';
import { ObsBaseTranslationError } from './errors.js';

/**
 * The standard properties of one observation (one raw file), under astro_metadata_translator's
 * property names. Times are TAI; angles are `Angle`s; positions
 * `SpherePoint`s (ICRS RA/Dec, or azimuth/altitude). A property a header
 * does not give is null.
 *
 * @see astro_metadata_translator.ObservationInfo
 */
export interface ObservationInfo {
  /** Instrument name (`SimCam`). */
  readonly instrument: string;
  /** Telescope name. */
  readonly telescope: string | null;
  /** Observatory location. */
  readonly location: Observatory | null;
  /** Exposure ID, unique per instrument. */
  readonly exposure_id: number;
  /** Visit ID (for one-to-one visits: the exposure ID). */
  readonly visit_id: number;
  /** Observation ID string (`SC_O_20250301_000012`). */
  readonly observation_id: string;
  /** Observing day, YYYYMMDD. */
  readonly day_obs: number;
  /** Sequence number within the day. */
  readonly seq_num: number;
  /** Group name of the exposure (`group` dimension). */
  readonly exposure_group: string;
  /** First sequence number of the group. */
  readonly group_counter_start: number;
  /** Last sequence number of the group. */
  readonly group_counter_end: number;
  /** `science`, `bias`, `dark`, `flat`, ... */
  readonly observation_type: string;
  /** Why the observation was taken. */
  readonly observation_reason: string;
  /** Science program. */
  readonly science_program: string;
  /** Target or field name. */
  readonly object: string;
  /** Start of the exposure (TAI). */
  readonly datetime_begin: DateTime;
  /** End of the exposure (TAI). */
  readonly datetime_end: DateTime;
  /** Exposure time, seconds. */
  readonly exposure_time: number;
  /** Dark time, seconds. */
  readonly dark_time: number;
  /** Airmass at the boresight. */
  readonly boresight_airmass: number | null;
  /** Rotation angle of the focal plane (see {@link boresight_rotation_coord}). */
  readonly boresight_rotation_angle: Angle | null;
  /** What the rotation angle is measured against: `sky` (position angle of +Y, east of north). */
  readonly boresight_rotation_coord: 'sky' | 'unknown';
  /** Boresight ICRS RA/Dec. */
  readonly tracking_radec: SpherePoint | null;
  /** Boresight azimuth (longitude) and altitude (latitude) at the start. */
  readonly altaz_begin: SpherePoint | null;
  /** Physical filter name. */
  readonly physical_filter: string;
  /** Detector ID. */
  readonly detector_num: number;
  /** Detector name. */
  readonly detector_name: string;
  /** Detector name unique across the camera (here: the detector name). */
  readonly detector_unique_name: string;
  /** Detector group (raft), or null. */
  readonly detector_group: string | null;
  /** Detector serial, or null. */
  readonly detector_serial: string | null;
  /** An ID unique per (exposure, detector): exposure_id × detector_max + detector_num. */
  readonly detector_exposure_id: number;
  /** Focus position, mm. */
  readonly focus_z: number | null;
  /** Whether any of the data are simulated. */
  readonly has_simulated_content: boolean;
  /** Whether the detector could see the sky (false for darks and biases). */
  readonly can_see_sky: boolean | null;
  /** Air temperature, °C. */
  readonly temperature: number | null;
  /** Air pressure, hPa. */
  readonly pressure: number | null;
  /** Relative humidity, %. */
  readonly relative_humidity: number | null;
}

/**
 * Translates the headers of one kind of raw file into {@link ObservationInfo}s; subclasses
 * implement {@link canTranslate} and {@link translate} with the helpers here, which say which
 * keyword was missing or wrong.
 *
 * @example
 * ```ts
 * class MyTranslator extends MetadataTranslator {
 *   readonly name = 'MyCam';
 *   canTranslate(h: Header) { return h.getString('INSTRUME') === 'MyCam'; }
 *   translate(h: Header) { ... }
 * }
 * ```
 * @see astro_metadata_translator.MetadataTranslator
 */
export abstract class MetadataTranslator {
  /** The translator's name (usually the instrument's). */
  abstract readonly name: string;

  /**
   * Whether this translator understands the header.
   *
   * @param header - the primary header of a raw file
   * @returns true when {@link translate} applies
   */
  abstract canTranslate(header: Header): boolean;

  /**
   * Translates a header.
   *
   * @param header - the primary header of a raw file
   * @returns the observation properties
   * @throws ObsBaseTranslationError when a required keyword is missing or malformed
   */
  abstract translate(header: Header): ObservationInfo;

  /**
   * A required string keyword.
   *
   * @param header - the header
   * @param keyword - the keyword
   * @returns its value
   * @throws ObsBaseTranslationError when missing or not a string
   */
  protected requireString(header: Header, keyword: string): string {
    const v = header.get(keyword);
    if (typeof v !== 'string') throw this.#bad(keyword, 'a string', v);
    return v.trim();
  }

  /**
   * An optional string keyword.
   *
   * @param header - the header
   * @param keyword - the keyword
   * @param fallback - the value when missing
   * @returns its value or the fallback
   * @throws ObsBaseTranslationError when present but not a string
   */
  protected optionalString(header: Header, keyword: string, fallback: string): string {
    return header.has(keyword) ? this.requireString(header, keyword) : fallback;
  }

  /**
   * A required numeric keyword.
   *
   * @param header - the header
   * @param keyword - the keyword
   * @returns its value
   * @throws ObsBaseTranslationError when missing or not a finite number
   */
  protected requireNumber(header: Header, keyword: string): number {
    const v = header.get(keyword);
    const n = typeof v === 'bigint' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isFinite(n)) throw this.#bad(keyword, 'a number', v);
    return n;
  }

  /**
   * An optional numeric keyword.
   *
   * @param header - the header
   * @param keyword - the keyword
   * @returns its value, or null when missing
   * @throws ObsBaseTranslationError when present but not a number
   */
  protected optionalNumber(header: Header, keyword: string): number | null {
    return header.has(keyword) ? this.requireNumber(header, keyword) : null;
  }

  /**
   * A required integer keyword.
   *
   * @param header - the header
   * @param keyword - the keyword
   * @returns its value
   * @throws ObsBaseTranslationError when missing or not an integer
   */
  protected requireInt(header: Header, keyword: string): number {
    const n = this.requireNumber(header, keyword);
    if (!Number.isSafeInteger(n)) throw this.#bad(keyword, 'an integer', header.get(keyword));
    return n;
  }

  /**
   * A required TAI date keyword (ISO 8601).
   *
   * @param header - the header
   * @param keyword - the keyword
   * @returns the time
   * @throws ObsBaseTranslationError when missing or not an ISO date
   */
  protected requireDate(header: Header, keyword: string): DateTime {
    const s = this.requireString(header, keyword);
    try {
      return DateTime.fromIsoString(s, 'TAI');
    } catch (e) {
      throw new ObsBaseTranslationError(`${this.name} header: ${keyword} = '${s}' is not an ISO 8601 date (YYYY-MM-DDThh:mm:ss.sss).`, { cause: e });
    }
  }

  #bad(keyword: string, expected: string, given: unknown): ObsBaseTranslationError {
    return new ObsBaseTranslationError(
      given === undefined
        ? `${this.name} header: required keyword ${keyword} is missing (expected ${expected}).`
        : `${this.name} header: ${keyword} should be ${expected}; found ${typeof given === 'string' ? `'${given}'` : String(given)}.`,
      { hint: 'See the raw-file contract of the instrument (docs: writing an obs package).' },
    );
  }
}

/** Cerro Pachón, where Rubin and SkyStack's simulated cameras observe (LSST's location). */
export const CERRO_PACHON: Observatory = new Observatory(Angle.fromDegrees(-70.749417), Angle.fromDegrees(-30.244639), 2663);

/** Options of {@link SkyStackTranslator}. */
export interface SkyStackTranslatorOptions {
  /** The instrument whose headers it translates (compared with INSTRUME). */
  readonly instrument: string;
  /** The observatory (default {@link CERRO_PACHON}). */
  readonly location?: Observatory;
  /** Exclusive upper bound of detector IDs, for `detector_exposure_id` (default 1000). */
  readonly detectorMax?: number;
}

/**
 * The translator of SkyStack's raw-file contract: INSTRUME, TELESCOP, OBSTYPE, OBJECT, EXPID,
 * DAYOBS, SEQNUM, GROUP, DATE-OBS, DATE-END (TAI), EXPTIME, DARKTIME, FILTER, RA, DEC, ROTPA,
 * AIRMASS, ALTITUDE, AZIMUTH, DETECTOR, DETNAME, OBSID, SCIPROG (and optionally FOCUSZ,
 * SIMULATE, REASON, TEMPERA, PRESSURE, HUMIDITY). Cameras that write the contract use it as is.
 *
 * @example
 * ```ts
 * const t = new SkyStackTranslator({ instrument: 'SimCam' });
 * const info = t.translate(primaryHeader);
 * info.exposure_id; info.tracking_radec?.getRa().asDegrees(); info.datetime_begin.toIsoString();
 * ```
 * @see astro_metadata_translator.translators.FitsTranslator
 */
export class SkyStackTranslator extends MetadataTranslator {
  /** The instrument name. */
  readonly name: string;
  /** The observatory. */
  readonly location: Observatory;
  /** Exclusive upper bound of detector IDs. */
  readonly detectorMax: number;

  /**
   * Makes the translator.
   *
   * @param options - instrument, location, detector_max
   */
  constructor(options: SkyStackTranslatorOptions) {
    super();
    this.name = options.instrument;
    this.location = options.location ?? CERRO_PACHON;
    this.detectorMax = options.detectorMax ?? 1000;
  }

  /**
   * Whether INSTRUME names this translator's instrument.
   *
   * @param header - the primary header
   * @returns true when it does
   */
  canTranslate(header: Header): boolean {
    const v = header.get('INSTRUME');
    return typeof v === 'string' && v.trim() === this.name;
  }

  /**
   * Translates the contract's keywords.
   *
   * @param header - the primary header
   * @returns the observation properties
   * @throws ObsBaseTranslationError when INSTRUME is another instrument or a required keyword is missing or malformed
   */
  translate(header: Header): ObservationInfo {
    const instrument = this.requireString(header, 'INSTRUME');
    if (instrument !== this.name) {
      throw new ObsBaseTranslationError(`The ${this.name} translator cannot translate a header of instrument '${instrument}'.`);
    }
    const exposureId = this.requireInt(header, 'EXPID');
    const seq = this.requireInt(header, 'SEQNUM');
    const detector = this.requireInt(header, 'DETECTOR');
    const obsType = this.requireString(header, 'OBSTYPE').toLowerCase();
    const ra = this.optionalNumber(header, 'RA');
    const dec = this.optionalNumber(header, 'DEC');
    const alt = this.optionalNumber(header, 'ALTITUDE');
    const az = this.optionalNumber(header, 'AZIMUTH');
    const rot = this.optionalNumber(header, 'ROTPA');
    const exptime = this.requireNumber(header, 'EXPTIME');
    const simulated = header.get('SIMULATE');
    return {
      instrument,
      telescope: header.has('TELESCOP') ? this.requireString(header, 'TELESCOP') : null,
      location: this.location,
      exposure_id: exposureId,
      visit_id: exposureId,
      observation_id: this.requireString(header, 'OBSID'),
      day_obs: this.requireInt(header, 'DAYOBS'),
      seq_num: seq,
      exposure_group: this.optionalString(header, 'GROUP', String(exposureId)),
      group_counter_start: seq,
      group_counter_end: seq,
      observation_type: obsType,
      observation_reason: this.optionalString(header, 'REASON', obsType),
      science_program: this.optionalString(header, 'SCIPROG', ''),
      object: this.optionalString(header, 'OBJECT', ''),
      datetime_begin: this.requireDate(header, 'DATE-OBS'),
      datetime_end: this.requireDate(header, 'DATE-END'),
      exposure_time: exptime,
      dark_time: this.optionalNumber(header, 'DARKTIME') ?? exptime,
      boresight_airmass: this.optionalNumber(header, 'AIRMASS'),
      boresight_rotation_angle: rot === null ? null : Angle.fromDegrees(rot),
      boresight_rotation_coord: rot === null ? 'unknown' : 'sky',
      tracking_radec: ra === null || dec === null ? null : SpherePoint.fromDegrees(ra, dec),
      altaz_begin: alt === null || az === null ? null : SpherePoint.fromDegrees(az, alt),
      physical_filter: this.requireString(header, 'FILTER'),
      detector_num: detector,
      detector_name: this.requireString(header, 'DETNAME'),
      detector_unique_name: this.requireString(header, 'DETNAME'),
      detector_group: null,
      detector_serial: header.has('DETSER') ? this.requireString(header, 'DETSER') : null,
      detector_exposure_id: exposureId * this.detectorMax + detector,
      focus_z: this.optionalNumber(header, 'FOCUSZ'),
      has_simulated_content: simulated === true,
      can_see_sky: obsType === 'bias' || obsType === 'dark' ? false : obsType === 'science' ? true : null,
      temperature: this.optionalNumber(header, 'TEMPERA'),
      pressure: this.optionalNumber(header, 'PRESSURE'),
      relative_humidity: this.optionalNumber(header, 'HUMIDITY'),
    };
  }
}
