// lsst.afw.image.VisitInfo: what the telescope did during an exposure; archive persistence and FITS header cards.
import { type ArchiveRows, type OutputArchiveHandle } from '@skystack/afw-table';
import { Card, type Header, type HeaderValue } from '@skystack/fits';
import { Angle, SpherePoint } from '@skystack/geom';
import { DateTime, DATE_TIME_INVALID_NSECS } from './date-time.js';
import { AfwImageArchiveFormatError, AfwImageMetadataError, AfwImageUnsupportedVersionError } from './errors.js';
import { Observatory, sameNumber } from './observatory.js';
import { Weather } from './weather.js';

/**
 * The meaning of {@link VisitInfo.boresightRotAngle}.
 *
 * @see lsst.afw.image.RotType
 */
export enum RotType {
  /** The rotation angle is not known. */
  UNKNOWN = 0,
  /** Position angle of the focal-plane +Y axis, measured from North through East. */
  SKY = 1,
  /** Position angle of the focal-plane +Y axis, measured from Up through East (horizon coordinates). */
  HORIZON = 2,
  /** The angle of the rotator as the mount reports it. */
  MOUNT = 3,
}

/** The VisitInfo persistence version this code writes, and the newest it reads. */
export const VISIT_INFO_VERSION = 5;

/** Everything a {@link VisitInfo} holds; what is left out takes afw's default (NaN, empty, unknown). */
export interface VisitInfoOptions {
  /** Exposure duration, seconds. */
  readonly exposureTime?: number;
  /** Time from CCD flush to readout, seconds. */
  readonly darkTime?: number;
  /** TAI date and time at the middle of the exposure, or `null` when unknown. */
  readonly date?: DateTime | null;
  /** UT1 MJD at the middle of the exposure. */
  readonly ut1?: number;
  /** Earth rotation angle at the middle of the exposure. */
  readonly era?: Angle;
  /** ICRS position of the boresight at the middle of the exposure, or `null` when unknown. */
  readonly boresightRaDec?: SpherePoint | null;
  /** Refracted apparent topocentric (azimuth, altitude) of the boresight, or `null` when unknown. */
  readonly boresightAzAlt?: SpherePoint | null;
  /** Airmass at the boresight, relative to the zenith at sea level. */
  readonly boresightAirmass?: number;
  /** Rotation angle at the boresight (meaning given by `rotType`). */
  readonly boresightRotAngle?: Angle;
  /** What the rotation angle means. */
  readonly rotType?: RotType;
  /** Where the telescope is. */
  readonly observatory?: Observatory;
  /** The weather. */
  readonly weather?: Weather;
  /** Short name of the instrument (`'HSC'`, `'LSSTCam'`). */
  readonly instrumentLabel?: string;
  /** Identifier of this full focal-plane exposure (0 when unknown). */
  readonly id?: bigint;
  /** Defocal distance, mm. */
  readonly focusZ?: number;
  /** Type of observation (`'science'`, `'flat'`, `'bias'`, ...). */
  readonly observationType?: string;
  /** Observing program (survey or proposal) identifier. */
  readonly scienceProgram?: string;
  /** Why the observation was taken. */
  readonly observationReason?: string;
  /** Object of interest or field name. */
  readonly object?: string;
  /** Whether any part of the observation was simulated. */
  readonly hasSimulatedContent?: boolean;
}

const NAN_ANGLE = Angle.fromRadians(Number.NaN);

/**
 * Information about one exposure of one visit: times, pointing, rotator, site, weather and
 * observing metadata. Immutable; unknown numbers are NaN, unknown positions `null`, unknown
 * strings empty, as afw's defaults.
 *
 * @example
 * ```ts
 * import { SpherePoint } from '@skystack/geom';
 * const info = new VisitInfo({ exposureTime: 30, date: DateTime.fromIsoString('2020-01-20T12:34:56'), boresightRaDec: SpherePoint.fromDegrees(30, 40) });
 * info.exposureTime; // 30
 * visitInfoToMetadata(info).map((c) => c.keyword); // ['EXPTIME', 'DATE-AVG', 'TIMESYS', 'BORE-RA', 'BORE-DEC', 'ROTTYPE', 'HAS-SIMULATED-CONTENT']
 * ```
 *
 * @see lsst.afw.image.VisitInfo
 */
export class VisitInfo {
  /** Persistence name in afw archives. */
  readonly persistenceName = 'VisitInfo';
  /** Python module afw records for it (afw writes an empty one). */
  readonly pythonModule = '';
  /** Exposure duration, seconds (NaN when unknown). */
  readonly exposureTime: number;
  /** Time from CCD flush to readout, seconds (NaN when unknown). */
  readonly darkTime: number;
  /** TAI date at the middle of the exposure, or `null`. */
  readonly date: DateTime | null;
  /** UT1 MJD at the middle of the exposure (NaN when unknown). */
  readonly ut1: number;
  /** Earth rotation angle at the middle of the exposure (NaN when unknown). */
  readonly era: Angle;
  /** ICRS boresight, or `null`. */
  readonly boresightRaDec: SpherePoint | null;
  /** Boresight (azimuth, altitude), or `null`. */
  readonly boresightAzAlt: SpherePoint | null;
  /** Airmass at the boresight (NaN when unknown). */
  readonly boresightAirmass: number;
  /** Rotation angle at the boresight (NaN when unknown). */
  readonly boresightRotAngle: Angle;
  /** What the rotation angle means. */
  readonly rotType: RotType;
  /** The site. */
  readonly observatory: Observatory;
  /** The weather. */
  readonly weather: Weather;
  /** Short name of the instrument. */
  readonly instrumentLabel: string;
  /** Identifier of this full focal-plane exposure (0 when unknown). */
  readonly id: bigint;
  /** Defocal distance, mm (NaN when unknown). */
  readonly focusZ: number;
  /** Type of this observation. */
  readonly observationType: string;
  /** Observing program identifier. */
  readonly scienceProgram: string;
  /** Why the observation was taken. */
  readonly observationReason: string;
  /** Object of interest or field name. */
  readonly object: string;
  /** Whether any part of the observation was simulated. */
  readonly hasSimulatedContent: boolean;

  /**
   * Makes a VisitInfo.
   *
   * @param options - the fields; missing ones take afw's defaults
   */
  constructor(options: VisitInfoOptions = {}) {
    this.exposureTime = options.exposureTime ?? Number.NaN;
    this.darkTime = options.darkTime ?? Number.NaN;
    this.date = options.date ?? null;
    this.ut1 = options.ut1 ?? Number.NaN;
    this.era = options.era ?? NAN_ANGLE;
    this.boresightRaDec = options.boresightRaDec ?? null;
    this.boresightAzAlt = options.boresightAzAlt ?? null;
    this.boresightAirmass = options.boresightAirmass ?? Number.NaN;
    this.boresightRotAngle = options.boresightRotAngle ?? NAN_ANGLE;
    this.rotType = options.rotType ?? RotType.UNKNOWN;
    this.observatory = options.observatory ?? new Observatory(NAN_ANGLE, NAN_ANGLE, Number.NaN);
    this.weather = options.weather ?? new Weather(Number.NaN, Number.NaN, Number.NaN);
    this.instrumentLabel = options.instrumentLabel ?? '';
    this.id = options.id ?? 0n;
    this.focusZ = options.focusZ ?? Number.NaN;
    this.observationType = options.observationType ?? '';
    this.scienceProgram = options.scienceProgram ?? '';
    this.observationReason = options.observationReason ?? '';
    this.object = options.object ?? '';
    this.hasSimulatedContent = options.hasSimulatedContent ?? false;
  }

  /**
   * A copy with some fields changed.
   *
   * @param changes - the fields to change
   * @returns the new VisitInfo
   */
  copyWith(changes: VisitInfoOptions): VisitInfo {
    return new VisitInfo({ ...this.toOptions(), ...changes });
  }

  /** All fields, as {@link VisitInfoOptions}. */
  toOptions(): Required<VisitInfoOptions> {
    return {
      exposureTime: this.exposureTime,
      darkTime: this.darkTime,
      date: this.date,
      ut1: this.ut1,
      era: this.era,
      boresightRaDec: this.boresightRaDec,
      boresightAzAlt: this.boresightAzAlt,
      boresightAirmass: this.boresightAirmass,
      boresightRotAngle: this.boresightRotAngle,
      rotType: this.rotType,
      observatory: this.observatory,
      weather: this.weather,
      instrumentLabel: this.instrumentLabel,
      id: this.id,
      focusZ: this.focusZ,
      observationType: this.observationType,
      scienceProgram: this.scienceProgram,
      observationReason: this.observationReason,
      object: this.object,
      hasSimulatedContent: this.hasSimulatedContent,
    };
  }

  /** Exposure duration, seconds. */
  getExposureTime(): number {
    return this.exposureTime;
  }

  /** Dark time, seconds. */
  getDarkTime(): number {
    return this.darkTime;
  }

  /** TAI date at the middle of the exposure, or `null`. */
  getDate(): DateTime | null {
    return this.date;
  }

  /** UT1 MJD at the middle of the exposure. */
  getUt1(): number {
    return this.ut1;
  }

  /** Earth rotation angle. */
  getEra(): Angle {
    return this.era;
  }

  /** ICRS boresight, or `null`. */
  getBoresightRaDec(): SpherePoint | null {
    return this.boresightRaDec;
  }

  /** Boresight (azimuth, altitude), or `null`. */
  getBoresightAzAlt(): SpherePoint | null {
    return this.boresightAzAlt;
  }

  /** Airmass at the boresight. */
  getBoresightAirmass(): number {
    return this.boresightAirmass;
  }

  /** Rotation angle at the boresight. */
  getBoresightRotAngle(): Angle {
    return this.boresightRotAngle;
  }

  /** What the rotation angle means. */
  getRotType(): RotType {
    return this.rotType;
  }

  /** The site. */
  getObservatory(): Observatory {
    return this.observatory;
  }

  /** The weather. */
  getWeather(): Weather {
    return this.weather;
  }

  /** Short name of the instrument. */
  getInstrumentLabel(): string {
    return this.instrumentLabel;
  }

  /** Identifier of the full focal-plane exposure. */
  getId(): bigint {
    return this.id;
  }

  /** Defocal distance, mm. */
  getFocusZ(): number {
    return this.focusZ;
  }

  /** Type of this observation. */
  getObservationType(): string {
    return this.observationType;
  }

  /** Observing program identifier. */
  getScienceProgram(): string {
    return this.scienceProgram;
  }

  /** Why the observation was taken. */
  getObservationReason(): string {
    return this.observationReason;
  }

  /** Object of interest or field name. */
  getObject(): string {
    return this.object;
  }

  /** Whether any part of the observation was simulated. */
  getHasSimulatedContent(): boolean {
    return this.hasSimulatedContent;
  }

  /** Local earth rotation angle: ERA + observatory longitude. */
  getLocalEra(): Angle {
    return this.era.add(this.observatory.longitude);
  }

  /** Hour angle of the boresight: local ERA − boresight RA (NaN when the boresight is unknown). */
  getBoresightHourAngle(): Angle {
    return this.getLocalEra().subtract(this.boresightRaDec?.getRa() ?? NAN_ANGLE);
  }

  /** Parallactic angle at the boresight (angle from the North celestial pole to the zenith), as afw computes it. */
  getBoresightParAngle(): Angle {
    const ha = this.getBoresightHourAngle().asRadians();
    const dec = this.boresightRaDec?.getDec().asRadians() ?? Number.NaN;
    const lat = this.observatory.latitude.asRadians();
    return Angle.fromRadians(Math.atan2(Math.sin(ha), Math.cos(dec) * Math.tan(lat) - Math.sin(dec) * Math.cos(ha)));
  }

  /**
   * Whether another VisitInfo has the same fields (NaN equals NaN; unknown positions equal).
   *
   * @param other - the other one
   * @returns whether they are equal
   */
  equals(other: unknown): boolean {
    if (!(other instanceof VisitInfo)) return false;
    const a: VisitInfo = this as VisitInfo;
    const b = other;
    const sameAngle = (x: Angle, y: Angle): boolean => sameNumber(x.asRadians(), y.asRadians());
    const samePoint = (x: SpherePoint | null, y: SpherePoint | null): boolean => (x === null ? y === null : y !== null && x.equals(y));
    const sameDate = a.date === null ? b.date === null : a.date.equals(b.date);
    return (
      sameNumber(a.exposureTime, b.exposureTime) &&
      sameNumber(a.darkTime, b.darkTime) &&
      sameDate &&
      sameNumber(a.ut1, b.ut1) &&
      sameAngle(a.era, b.era) &&
      samePoint(a.boresightRaDec, b.boresightRaDec) &&
      samePoint(a.boresightAzAlt, b.boresightAzAlt) &&
      sameNumber(a.boresightAirmass, b.boresightAirmass) &&
      sameAngle(a.boresightRotAngle, b.boresightRotAngle) &&
      a.rotType === b.rotType &&
      a.observatory.equals(b.observatory) &&
      a.weather.equals(b.weather) &&
      a.instrumentLabel === b.instrumentLabel &&
      a.id === b.id &&
      sameNumber(a.focusZ, b.focusZ) &&
      a.observationType === b.observationType &&
      a.scienceProgram === b.scienceProgram &&
      a.observationReason === b.observationReason &&
      a.object === b.object &&
      a.hasSimulatedContent === b.hasSimulatedContent
    );
  }

  /** afw-like description: `VisitInfo(exposureTime=30, darkTime=600, date=..., ...)`. */
  toString(): string {
    return (
      `VisitInfo(exposureTime=${this.exposureTime}, darkTime=${this.darkTime}, date=${this.date?.toIsoString() ?? '<invalid>'}, ` +
      `UT1=${this.ut1}, ERA=${this.era.toString()}, boresightRaDec=${this.boresightRaDec?.toString() ?? 'nan'}, ` +
      `boresightAzAlt=${this.boresightAzAlt?.toString() ?? 'nan'}, boresightAirmass=${this.boresightAirmass}, ` +
      `boresightRotAngle=${this.boresightRotAngle.toString()}, rotType=${this.rotType}, observatory=${this.observatory.toString()}, ` +
      `weather=${this.weather.toString()}, instrumentLabel='${this.instrumentLabel}', id=${this.id}, focusZ=${this.focusZ}, ` +
      `observationType='${this.observationType}', scienceProgram='${this.scienceProgram}', observationReason='${this.observationReason}', ` +
      `object='${this.object}', hasSimulatedContent=${this.hasSimulatedContent})`
    );
  }

  /**
   * Writes the VisitInfo in afw's current layout (version 5: no `exposureid`).
   *
   * @param handle - where to write
   */
  writeToArchive(handle: OutputArchiveHandle): void {
    const angle = (name: string, doc: string) => ({ name, format: '1D', unit: 'rad', doc, tccls: 'Angle' });
    const scalar = (name: string, format: string, doc: string, unit?: string) => ({ name, format, doc, ...(unit === undefined ? {} : { unit }) });
    const text = (name: string, doc: string) => ({ name, format: 'QA', doc });
    const azAltDoc = 'refracted apparent topocentric position of boresight at middle of exposure';
    const raDecDoc = 'sky position of boresight at middle of exposure';
    handle.saveCatalog(
      {
        columns: [
          scalar('exposuretime', '1D', 'exposure duration', 's'),
          scalar('darktime', '1D', 'time from CCD flush to readout', 's'),
          scalar('tai', '1K', 'TAI date and time at middle of exposure as nsec from unix epoch', 'nsec'),
          scalar('ut1', '1D', 'UT1 date and time at middle of exposure', 'MJD'),
          angle('era', 'earth rotation angle at middle of exposure'),
          angle('boresightradec_ra', raDecDoc),
          angle('boresightradec_dec', raDecDoc),
          angle('boresightazalt_az', azAltDoc),
          angle('boresightazalt_alt', azAltDoc),
          scalar('boresightairmass', '1D', 'airmass at boresight, relative to zenith at sea level'),
          angle('boresightrotangle', 'rotation angle at boresight at middle of exposure'),
          // afw gives the rotation type the unit 'MJD' (sic); kept for byte-compatible catalogs.
          scalar('rottype', '1J', 'rotation type; see VisitInfo.getRotType for details', 'MJD'),
          angle('latitude', 'latitude of telescope (+ is east of Greenwich)'),
          angle('longitude', 'longitude of telescope'),
          scalar('elevation', '1D', 'elevation of telescope'),
          scalar('airtemperature', '1D', 'air temperature', 'C'),
          scalar('airpressure', '1D', 'air pressure', 'Pascal'),
          scalar('humidity', '1D', 'humidity (%)'),
          text('instrumentlabel', 'Short name of the instrument that took this data'),
          scalar('version', '1J', 'version of this VisitInfo'),
          scalar('idnum', '1K', 'identifier of this full focal plane exposure'),
          scalar('focusz', '1D', 'defocal distance', 'mm'),
          text('observationType', 'type of this observation (e.g. science, flat, bias)'),
          text('scienceProgram', 'observing program (survey or proposal) identifier'),
          text('observationReason', 'reason this observation was taken, or its purpose'),
          text('object', 'object of interest or field name'),
        ],
        flags: [{ name: 'hasSimulatedContent', doc: 'Was any part of this observation simulated?' }],
      },
      [
        {
          hasSimulatedContent: this.hasSimulatedContent,
          exposuretime: this.exposureTime,
          darktime: this.darkTime,
          tai: this.date?.nsecsTai ?? DATE_TIME_INVALID_NSECS,
          ut1: this.ut1,
          era: this.era.asRadians(),
          boresightradec_ra: this.boresightRaDec?.getLongitude().asRadians() ?? Number.NaN,
          boresightradec_dec: this.boresightRaDec?.getLatitude().asRadians() ?? Number.NaN,
          boresightazalt_az: this.boresightAzAlt?.getLongitude().asRadians() ?? Number.NaN,
          boresightazalt_alt: this.boresightAzAlt?.getLatitude().asRadians() ?? Number.NaN,
          boresightairmass: this.boresightAirmass,
          boresightrotangle: this.boresightRotAngle.asRadians(),
          rottype: this.rotType,
          latitude: this.observatory.latitude.asRadians(),
          longitude: this.observatory.longitude.asRadians(),
          elevation: this.observatory.elevation,
          airtemperature: this.weather.airTemperature,
          airpressure: this.weather.airPressure,
          humidity: this.weather.humidity,
          instrumentlabel: this.instrumentLabel,
          version: VISIT_INFO_VERSION,
          idnum: this.id,
          focusz: this.focusZ,
          observationType: this.observationType,
          scienceProgram: this.scienceProgram,
          observationReason: this.observationReason,
          object: this.object,
        },
      ],
    );
  }
}

/** A SpherePoint, or `null` when either angle is not finite (afw's NaN SpherePoint). */
function pointOrNull(lon: number, lat: number): SpherePoint | null {
  return Number.isFinite(lon) && Number.isFinite(lat) ? SpherePoint.fromRadians(lon, lat) : null;
}

/**
 * Reads a VisitInfo from its archive row, for every version afw has written (unversioned, 1–5).
 *
 * @internal
 */
export function readVisitInfo(catalogs: readonly ArchiveRows[]): VisitInfo {
  const r = catalogs[0];
  if (catalogs.length !== 1 || r === undefined || r.length !== 1) throw new AfwImageArchiveFormatError('A VisitInfo is one row of one catalog.');
  const version = r.has('version') ? r.number('version') : 0;
  if (version > VISIT_INFO_VERSION || version < 0) {
    throw new AfwImageUnsupportedVersionError(
      'VisitInfo',
      version,
      VISIT_INFO_VERSION,
      `Cannot read VisitInfo persistence version ${version} in ${r.catalog.location}: the newest supported version is ${VISIT_INFO_VERSION}.`,
      { hint: 'The file was written by a newer afw than SkyStack knows.' },
    );
  }
  const tai = r.bigint('tai');
  return new VisitInfo({
    exposureTime: r.number('exposuretime'),
    darkTime: r.number('darktime'),
    date: DateTime.fromNsecs(tai, 'TAI'),
    ut1: r.number('ut1'),
    era: Angle.fromRadians(r.number('era')),
    boresightRaDec: pointOrNull(r.number('boresightradec_ra'), r.number('boresightradec_dec')),
    boresightAzAlt: pointOrNull(r.number('boresightazalt_az'), r.number('boresightazalt_alt')),
    boresightAirmass: r.number('boresightairmass'),
    boresightRotAngle: Angle.fromRadians(r.number('boresightrotangle')),
    rotType: r.number('rottype') as RotType,
    observatory: new Observatory(Angle.fromRadians(r.number('longitude')), Angle.fromRadians(r.number('latitude')), r.number('elevation')),
    weather: new Weather(r.number('airtemperature'), r.number('airpressure'), r.number('humidity')),
    instrumentLabel: version >= 1 ? r.string('instrumentlabel') : '',
    // Version 2 called the column 'id'; version 3 renamed it 'idnum'.
    id: version >= 2 ? r.bigint(r.has('idnum') ? 'idnum' : 'id') : 0n,
    focusZ: version >= 3 ? r.number('focusz') : Number.NaN,
    observationType: version >= 4 ? r.string('observationType') : '',
    scienceProgram: version >= 4 ? r.string('scienceProgram') : '',
    observationReason: version >= 4 ? r.string('observationReason') : '',
    object: version >= 4 ? r.string('object') : '',
    hasSimulatedContent: version >= 4 ? r.flag('hasSimulatedContent') : false,
  });
}


/**
 * The primary-header keywords afw turns into a VisitInfo (and strips from the metadata), in
 * afw's order. `EXPID` is not among them: it is the exposure ID of the ExposureInfo.
 */
export const VISIT_INFO_KEYWORDS: readonly string[] = Object.freeze([
  'EXPTIME', 'DARKTIME', 'DATE-AVG', 'TIMESYS', 'TIME-MID', 'MJD-AVG-UT1', 'AVG-ERA', 'BORE-RA', 'BORE-DEC', 'BORE-AZ', 'BORE-ALT',
  'BORE-AIRMASS', 'BORE-ROTANG', 'ROTTYPE', 'OBS-LONG', 'OBS-LAT', 'OBS-ELEV', 'AIRTEMP', 'AIRPRESS', 'HUMIDITY', 'INSTRUMENT',
  'IDNUM', 'FOCUSZ', 'OBSTYPE', 'PROGRAM', 'REASON', 'OBJECT', 'HAS-SIMULATED-CONTENT',
]);

/** A header card with a value (what {@link visitInfoToMetadata} makes; never commentary). */
export type ValuedCard = Card & {
  /** The card's value (always defined). */
  readonly value: HeaderValue;
};

/** What {@link visitInfoFromMetadata} returns. */
export interface VisitInfoFromMetadata {
  /** The VisitInfo (afw always makes one; fields without cards take the defaults). */
  readonly visitInfo: VisitInfo;
  /** The keywords of {@link VISIT_INFO_KEYWORDS} present in the header: what afw strips from the metadata. */
  readonly consumedKeys: readonly string[];
}

/**
 * Reads a VisitInfo from header cards as afw's `VisitInfo(metadata)` does: numbers that are
 * absent or not numeric become NaN (a string `EXPTIME` is parsed), angles are in degrees,
 * `DATE-AVG` needs `TIMESYS = 'TAI'`, the outdated `TIME-MID` is read as UTC, `ROTTYPE` is a
 * {@link RotType} name. The header is not changed: delete `consumedKeys` to strip it as afw does.
 *
 * @param header - the primary header (or any header)
 * @param where - the file, for error messages
 * @returns the VisitInfo and the keywords it came from
 * @throws AfwImageMetadataError when `DATE-AVG` comes without `TIMESYS = 'TAI'`, a date does not
 *   parse, or `ROTTYPE` is not a RotType name
 * @see lsst.afw.image.VisitInfo
 */
export function visitInfoFromMetadata(header: Header, where = 'header'): VisitInfoFromMetadata {
  const double = (key: string): number => {
    const v = header.get(key);
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return Number(v);
    return Number.NaN;
  };
  const degrees = (key: string): Angle => Angle.fromDegrees(double(key));
  const text = (key: string): string => {
    const v = header.get(key);
    return v === undefined || v === null ? '' : typeof v === 'string' ? v.trimEnd() : String(v);
  };
  let exposureTime = double('EXPTIME');
  const rawExpTime = header.get('EXPTIME');
  if (typeof rawExpTime === 'string') exposureTime = Number.parseFloat(rawExpTime);

  let date: DateTime | null = null;
  const parseDate = (key: string, scale: 'TAI' | 'UTC'): DateTime => {
    try {
      return DateTime.fromIsoString(text(key), scale);
    } catch (cause) {
      throw new AfwImageMetadataError(`${where}: ${key} = '${text(key)}' is not an ISO 8601 date.`, { cause });
    }
  };
  if (header.has('DATE-AVG')) {
    if (!header.has('TIMESYS')) throw new AfwImageMetadataError(`${where}: TIMESYS not found; VisitInfo requires TIMESYS to exist and to equal "TAI" beside DATE-AVG.`);
    const timesys = text('TIMESYS');
    if (timesys !== 'TAI') throw new AfwImageMetadataError(`${where}: TIMESYS = "${timesys}"; VisitInfo requires TIMESYS to exist and to equal "TAI".`);
    date = parseDate('DATE-AVG', 'TAI');
  } else if (header.has('TIME-MID')) {
    date = parseDate('TIME-MID', 'UTC');
  }

  let rotType = RotType.UNKNOWN;
  if (header.has('ROTTYPE')) {
    const name = text('ROTTYPE');
    const value = (RotType as unknown as Record<string, RotType | undefined>)[name];
    if (typeof value !== 'number') {
      throw new AfwImageMetadataError(`${where}: unknown ROTTYPE "${name}"; expected one of UNKNOWN, SKY, HORIZON, MOUNT.`);
    }
    rotType = value;
  }
  const idnum = header.get('IDNUM');
  const sim = header.get('HAS-SIMULATED-CONTENT');
  const visitInfo = new VisitInfo({
    exposureTime,
    darkTime: double('DARKTIME'),
    date,
    ut1: double('MJD-AVG-UT1'),
    era: degrees('AVG-ERA'),
    boresightRaDec: pointOrNull(degrees('BORE-RA').asRadians(), degrees('BORE-DEC').asRadians()),
    boresightAzAlt: pointOrNull(degrees('BORE-AZ').asRadians(), degrees('BORE-ALT').asRadians()),
    boresightAirmass: double('BORE-AIRMASS'),
    boresightRotAngle: degrees('BORE-ROTANG'),
    rotType,
    observatory: new Observatory(degrees('OBS-LONG'), degrees('OBS-LAT'), double('OBS-ELEV')),
    weather: new Weather(double('AIRTEMP'), double('AIRPRESS'), double('HUMIDITY')),
    instrumentLabel: text('INSTRUMENT'),
    id: typeof idnum === 'bigint' ? idnum : typeof idnum === 'number' ? BigInt(Math.trunc(idnum)) : 0n,
    focusZ: double('FOCUSZ'),
    observationType: text('OBSTYPE'),
    scienceProgram: text('PROGRAM'),
    observationReason: text('REASON'),
    object: text('OBJECT'),
    hasSimulatedContent: sim === true,
  });
  return { visitInfo, consumedKeys: VISIT_INFO_KEYWORDS.filter((k) => header.has(k)) };
}

/**
 * The header cards afw writes for a VisitInfo (`setVisitInfoMetadata`), in afw's order: numbers
 * only when finite (as floats), angles in degrees, strings only when not empty, `DATE-AVG` with
 * `TIMESYS = 'TAI'` when there is a date, `IDNUM` when not 0, and always `ROTTYPE` and
 * `HAS-SIMULATED-CONTENT`. Like afw, only `DATE-AVG`, `ROTTYPE`, `IDNUM` and
 * `HAS-SIMULATED-CONTENT` carry comments.
 *
 * @param visitInfo - the VisitInfo
 * @returns the cards (keywords longer than 8 characters are HIERARCH cards)
 * @see lsst.afw.image.VisitInfo
 */
export function visitInfoToMetadata(visitInfo: VisitInfo): ValuedCard[] {
  const cards: ValuedCard[] = [];
  const double = (key: string, value: number): void => {
    if (Number.isFinite(value)) cards.push(<ValuedCard>new Card(key, value, undefined, { float: true }));
  };
  const angle = (key: string, value: Angle | undefined): void => double(key, value === undefined ? Number.NaN : value.asDegrees());
  const text = (key: string, value: string): void => {
    if (value !== '') cards.push(<ValuedCard>new Card(key, value));
  };
  double('EXPTIME', visitInfo.exposureTime);
  double('DARKTIME', visitInfo.darkTime);
  if (visitInfo.date !== null) {
    cards.push(<ValuedCard>new Card('DATE-AVG', visitInfo.date.toIsoString('TAI'), 'TAI date at middle of observation'));
    cards.push(<ValuedCard>new Card('TIMESYS', 'TAI'));
  }
  double('MJD-AVG-UT1', visitInfo.ut1);
  angle('AVG-ERA', visitInfo.era);
  angle('BORE-RA', visitInfo.boresightRaDec?.getLongitude());
  angle('BORE-DEC', visitInfo.boresightRaDec?.getLatitude());
  angle('BORE-AZ', visitInfo.boresightAzAlt?.getLongitude());
  angle('BORE-ALT', visitInfo.boresightAzAlt?.getLatitude());
  double('BORE-AIRMASS', visitInfo.boresightAirmass);
  angle('BORE-ROTANG', visitInfo.boresightRotAngle);
  cards.push(<ValuedCard>new Card('ROTTYPE', RotType[visitInfo.rotType] ?? 'UNKNOWN', 'Type of rotation angle'));
  angle('OBS-LONG', visitInfo.observatory.longitude);
  angle('OBS-LAT', visitInfo.observatory.latitude);
  double('OBS-ELEV', visitInfo.observatory.elevation);
  double('AIRTEMP', visitInfo.weather.airTemperature);
  double('AIRPRESS', visitInfo.weather.airPressure);
  double('HUMIDITY', visitInfo.weather.humidity);
  text('INSTRUMENT', visitInfo.instrumentLabel);
  if (visitInfo.id !== 0n) cards.push(<ValuedCard>new Card('IDNUM', visitInfo.id, 'identifier of this full focal plane exposure'));
  double('FOCUSZ', visitInfo.focusZ);
  text('OBSTYPE', visitInfo.observationType);
  text('PROGRAM', visitInfo.scienceProgram);
  text('REASON', visitInfo.observationReason);
  text('OBJECT', visitInfo.object);
  cards.push(<ValuedCard>new Card('HAS-SIMULATED-CONTENT', visitInfo.hasSimulatedContent, 'Was any part of this observation simulated?'));
  return cards;
}
