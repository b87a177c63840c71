// Raw FITS files of SimCam, per the SkyStack raw-file contract (shared with @skystack/obs-base).
import type { Detector } from '@skystack/afw-image';
import { Header, writeFits } from '@skystack/fits';
import { SIMCAM_NAME, SIMCAM_TELESCOPE } from './camera.js';
import { ObsSimIoError } from './errors.js';
import { mjdToIso, SIMCAM_OBSERVATORY } from './visits.js';

/** The observation type of a raw (`OBSTYPE`). */
export type ObsType = 'science' | 'bias' | 'dark' | 'flat';

/** The observation header of a raw: what the contract's primary HDU carries. */
export interface RawObservation {
  /** `OBSTYPE`. */
  readonly obsType: ObsType;
  /** `OBJECT` (`''` for calibrations). */
  readonly object: string;
  /** `DAYOBS`, YYYYMMDD. */
  readonly dayObs: number;
  /** `SEQNUM`. */
  readonly seqNum: number;
  /** Start, MJD TAI. */
  readonly mjdTai: number;
  /** `EXPTIME`, s. */
  readonly exposureTime: number;
  /** `DARKTIME`, s. */
  readonly darkTime: number;
  /** `FILTER`: the physical filter. */
  readonly physicalFilter: string;
  /** `RA`, degrees (NaN when not pointed). */
  readonly raDeg: number;
  /** `DEC`, degrees. */
  readonly decDeg: number;
  /** `ROTPA`, degrees. */
  readonly rotPADeg: number;
  /** `AIRMASS`. */
  readonly airmass: number;
  /** `ALTITUDE`, degrees. */
  readonly altitudeDeg: number;
  /** `AZIMUTH`, degrees. */
  readonly azimuthDeg: number;
  /** `SCIPROG` (`'SimSurvey'` by default). */
  readonly scienceProgram?: string;
}

/**
 * The exposure id of the contract: `DAYOBS · 100000 + SEQNUM`.
 *
 * @param dayObs - YYYYMMDD
 * @param seqNum - sequence number
 * @returns the id
 */
export function exposureIdOf(dayObs: number, seqNum: number): number {
  return dayObs * 100000 + seqNum;
}

/**
 * The primary header of a raw, with the contract's keywords in the contract's order.
 *
 * @param obs - the observation
 * @param detector - the detector
 * @returns the header
 */
export function makeRawPrimaryHeader(obs: RawObservation, detector: Detector): Header {
  const h = new Header();
  const expId = exposureIdOf(obs.dayObs, obs.seqNum);
  const day = String(obs.dayObs);
  h.set('INSTRUME', SIMCAM_NAME, 'instrument');
  h.set('TELESCOP', SIMCAM_TELESCOPE, 'telescope');
  h.set('OBSTYPE', obs.obsType, 'observation type');
  h.set('OBJECT', obs.object, 'target');
  h.set('EXPID', expId, 'exposure id: DAYOBS * 100000 + SEQNUM');
  h.set('DAYOBS', obs.dayObs, 'observing day YYYYMMDD');
  h.set('SEQNUM', obs.seqNum, 'sequence number within the day');
  h.set('GROUP', String(expId), 'group name');
  h.set('DATE-OBS', mjdToIso(obs.mjdTai), 'start of exposure (TAI)');
  h.set('DATE-END', mjdToIso(obs.mjdTai + obs.exposureTime / 86400), 'end of exposure (TAI)');
  h.set('TIMESYS', 'TAI', 'time scale of DATE-OBS, DATE-END, MJD-OBS');
  h.set('MJD-OBS', obs.mjdTai, 'start of exposure, MJD (TAI)');
  h.set('EXPTIME', obs.exposureTime, '[s] exposure time');
  h.set('DARKTIME', obs.darkTime, '[s] dark time');
  h.set('FILTER', obs.physicalFilter, 'physical filter');
  h.set('RA', obs.raDeg, '[deg] boresight RA (ICRS)');
  h.set('DEC', obs.decDeg, '[deg] boresight Dec (ICRS)');
  h.set('ROTPA', obs.rotPADeg, '[deg] position angle of focal plane +Y, E of N');
  h.set('AIRMASS', obs.airmass, 'airmass at mid-exposure');
  h.set('ALTITUDE', obs.altitudeDeg, '[deg] boresight altitude');
  h.set('AZIMUTH', obs.azimuthDeg, '[deg] boresight azimuth, N through E');
  h.set('DETECTOR', detector.getId(), 'detector id');
  h.set('DETNAME', detector.getName(), 'detector name');
  h.set('OBSID', `SC_O_${day}_${String(obs.seqNum).padStart(6, '0')}`, 'observation id');
  h.set('SCIPROG', obs.scienceProgram ?? 'SimSurvey', 'science program');
  h.set('OBS-LONG', SIMCAM_OBSERVATORY.longitudeDeg, '[deg] observatory east longitude');
  h.set('OBS-LAT', SIMCAM_OBSERVATORY.latitudeDeg, '[deg] observatory latitude');
  h.set('OBS-ELEV', SIMCAM_OBSERVATORY.elevationM, '[m] observatory elevation');
  h.set('SIMULATE', true, 'simulated data (SkyStack obs-sim)');
  return h;
}

/**
 * Writes a raw file: an empty primary HDU with the observation header, then the `IMAGE`
 * extension holding the untrimmed raw pixels as uint16 (`BITPIX = 16`, `BZERO = 32768`), whose
 * header repeats `DETECTOR` (and carries no WCS).
 *
 * @param path - the file (written atomically)
 * @param obs - the observation
 * @param detector - the detector
 * @param pixels - the raw pixels, row-major
 * @param width - raw width
 * @param height - raw height
 * @returns when written
 * @throws {@link ObsSimIoError} when the file cannot be written
 * @example
 * ```ts
 * await writeRawFits('raw.fits', obs, detector, sim.raw, sim.rawWidth, sim.rawHeight);
 * ```
 */
export async function writeRawFits(path: string, obs: RawObservation, detector: Detector, pixels: Uint16Array, width: number, height: number): Promise<void> {
  const primary = makeRawPrimaryHeader(obs, detector);
  const ext = new Header();
  ext.set('EXTNAME', 'IMAGE', 'extension name');
  ext.set('DETECTOR', detector.getId(), 'detector id');
  ext.set('DETNAME', detector.getName(), 'detector name');
  ext.set('BUNIT', 'adu', 'pixel unit');
  try {
    await writeFits(path, [{ header: primary }, { header: ext, data: { data: pixels, width, height } }]);
  } catch (cause) {
    throw new ObsSimIoError(`Could not write the raw file '${path}'.`, { cause });
  }
}
