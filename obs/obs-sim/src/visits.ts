// The observing plan: visits with pointing, filter, time, airmass, seeing, sky and zero point.
import { Angle, SpherePoint } from '@skystack/geom';
import { SIMCAM_BANDS, SIMCAM_FILTERS } from './camera.js';
import { ObsSimInvalidArgumentError } from './errors.js';
import { Random } from '@skystack/base';
import type { Pointing } from './true-wcs.js';

/** An observatory site. */
export interface ObservatorySite {
  /** East longitude, degrees. */
  readonly longitudeDeg: number;
  /** Latitude, degrees. */
  readonly latitudeDeg: number;
  /** Elevation, metres. */
  readonly elevationM: number;
}

/** The observatory of SimCam: Cerro Pachón, as LSST's. */
export const SIMCAM_OBSERVATORY: ObservatorySite = Object.freeze({ longitudeDeg: -70.749417, latitudeDeg: -30.244639, elevationM: 2663 });

/** Horizontal coordinates. */
export interface AltAz {
  /** Altitude, degrees. */
  readonly alt: number;
  /** Azimuth, north through east, degrees. */
  readonly az: number;
}

/** TAI − UTC in 2025, seconds. */
const TAI_MINUS_UTC = 37;

/** Photometric system of one band. */
export interface BandPhotometry {
  /** Magnitude (AB) giving 1 e-/s at airmass 0 with unit response. */
  readonly zeroPoint: number;
  /** Extinction, mag per airmass. */
  readonly extinction: number;
  /** Dark-sky brightness, AB mag per arcsec². */
  readonly skyMagPerArcsec2: number;
}

/** The photometric system of SimCam's bands. */
export const SIMCAM_PHOTOMETRY: Readonly<Record<string, BandPhotometry>> = Object.freeze({
  g: { zeroPoint: 28.3, extinction: 0.18, skyMagPerArcsec2: 22.0 },
  r: { zeroPoint: 28.1, extinction: 0.1, skyMagPerArcsec2: 21.1 },
  i: { zeroPoint: 27.8, extinction: 0.07, skyMagPerArcsec2: 20.3 },
});

/** The AB magnitude of 1 nJy. */
export const AB_NJY_ZERO_POINT = 31.4;

/** One planned visit (= one exposure; SimCam takes one snap per visit). */
export interface VisitPlan {
  /** 0-based index in the plan. */
  readonly index: number;
  /** Exposure (and visit) id: `DAYOBS·100000 + SEQNUM`. */
  readonly exposureId: number;
  /** Observing day, YYYYMMDD. */
  readonly dayObs: number;
  /** Sequence number within the day. */
  readonly seqNum: number;
  /** The band. */
  readonly band: string;
  /** The physical filter, `SimCam-<band>`. */
  readonly physicalFilter: string;
  /** Boresight and rotation. */
  readonly pointing: Pointing;
  /** Start of the exposure, MJD (TAI). */
  readonly mjdTai: number;
  /** Exposure time, s. */
  readonly exposureTime: number;
  /** Dark time, s. */
  readonly darkTime: number;
  /** Altitude of the boresight at mid-exposure, degrees. */
  readonly altitudeDeg: number;
  /** Azimuth (north through east), degrees. */
  readonly azimuthDeg: number;
  /** Airmass (sec z). */
  readonly airmass: number;
  /** Seeing FWHM at the field centre, arcsec. */
  readonly seeingFwhmArcsec: number;
  /** Constant PSF ellipticity e1 of the visit. */
  readonly psfE1: number;
  /** Constant PSF ellipticity e2 of the visit. */
  readonly psfE2: number;
  /** Sky brightness at the field centre, AB mag per arcsec² (the band's dark sky, brightened a little). */
  readonly skyMagPerArcsec2: number;
  /** Linear sky gradient over the focal plane: fractional change per mm in x and y. */
  readonly skyGradientPerMm: readonly [number, number];
  /** Electrons collected per nJy of source flux over the exposure, for unit response. */
  readonly electronsPerNanojansky: number;
}

/** Options of {@link planVisits}. */
export interface PlanVisitsOptions {
  /** The seed. */
  readonly seed: number;
  /** Number of visits (6 by default). */
  readonly visits?: number;
  /** Bands, in order; the visits are split between them in consecutive blocks (r, i by default). */
  readonly bands?: readonly string[];
  /** The field centre (RA 150°, Dec 2.2° by default). */
  readonly center?: SpherePoint;
  /** Dither radius, degrees (0.1 by default). */
  readonly ditherDeg?: number;
  /** Exposure time, s (30 by default). */
  readonly exposureTime?: number;
  /** Observing day (20250301 by default). */
  readonly dayObs?: number;
  /** Start of the first exposure, MJD TAI (2025-03-01T03:30:00 TAI by default). */
  readonly startMjd?: number;
}

/** The default field centre: RA 150°, Dec +2.2° (the COSMOS field). */
export const DEFAULT_FIELD_CENTER = SpherePoint.fromDegrees(150, 2.2);

/**
 * Plans the visits of a simulation: consecutive exposures 120 s apart, bands in blocks, each
 * boresight dithered uniformly within `ditherDeg` of the field centre with a random rotation in
 * ±15°, seeing uniform in 0.7″–1.0″, a small PSF ellipticity, altitude/azimuth/airmass from the
 * time and the site (sidereal time from the IAU 1982 GMST formula, UT1 ≈ UTC), and the sky
 * 0–0.3 mag brighter than dark with a gentle gradient.
 *
 * @param options - see {@link PlanVisitsOptions}
 * @returns the visits
 * @throws {@link ObsSimInvalidArgumentError} for an unknown band or a bad number of visits
 * @example
 * ```ts
 * const visits = planVisits({ seed: 1, visits: 6, bands: ['r', 'i'] });
 * visits[0].exposureId; // 2025030100001
 * ```
 */
export function planVisits(options: PlanVisitsOptions): VisitPlan[] {
  const n = options.visits ?? 6;
  const bands = options.bands ?? ['r', 'i'];
  if (!Number.isInteger(n) || n < 1 || n > 9999) throw new ObsSimInvalidArgumentError(`The number of visits must be an integer in [1, 9999]; got ${n}.`);
  if (bands.length === 0) throw new ObsSimInvalidArgumentError('At least one band is needed.');
  for (const b of bands) {
    if (!SIMCAM_BANDS.includes(b)) throw new ObsSimInvalidArgumentError(`Unknown band '${b}'; expected some of ${SIMCAM_BANDS.join(', ')}.`);
  }
  const center = options.center ?? DEFAULT_FIELD_CENTER;
  const ditherDeg = options.ditherDeg ?? 0.1;
  const exposureTime = options.exposureTime ?? 30;
  const dayObs = options.dayObs ?? 20250301;
  const startMjd = options.startMjd ?? 60735 + 3.5 / 24;
  const out: VisitPlan[] = [];
  for (let k = 0; k < n; k++) {
    const rng = Random.fromKey(options.seed, 'visit', k);
    const band = bands[Math.min(bands.length - 1, Math.floor((k * bands.length) / n))]!;
    const phot = SIMCAM_PHOTOMETRY[band]!;
    const rho = ditherDeg * Math.sqrt(rng.uniform());
    const phi = 2 * Math.PI * rng.uniform();
    const boresight = k === 0 ? center : offsetPoint(center, rho * Math.cos(phi), rho * Math.sin(phi));
    const rotPA = Angle.fromDegrees(rng.uniformRange(-15, 15));
    const mjdTai = startMjd + (k * 120) / 86400;
    const { alt, az } = altAz(boresight, mjdTai + exposureTime / 2 / 86400);
    const airmass = 1 / Math.sin((alt * Math.PI) / 180);
    const seeing = rng.uniformRange(0.7, 1.0);
    const skyMag = phot.skyMagPerArcsec2 - rng.uniformRange(0, 0.3);
    const zp = phot.zeroPoint - phot.extinction * airmass;
    const seqNum = k + 1;
    out.push({
      index: k,
      exposureId: dayObs * 100000 + seqNum,
      dayObs,
      seqNum,
      band,
      physicalFilter: SIMCAM_FILTERS.find((f) => f.band === band)!.physical,
      pointing: { boresight, rotPA },
      mjdTai,
      exposureTime,
      darkTime: exposureTime + 1,
      altitudeDeg: alt,
      azimuthDeg: az,
      airmass,
      seeingFwhmArcsec: seeing,
      psfE1: rng.uniformRange(-0.02, 0.02),
      psfE2: rng.uniformRange(-0.02, 0.02),
      skyMagPerArcsec2: skyMag,
      skyGradientPerMm: [rng.uniformRange(-5e-4, 5e-4), rng.uniformRange(-5e-4, 5e-4)],
      electronsPerNanojansky: exposureTime * 10 ** (0.4 * (zp - AB_NJY_ZERO_POINT)),
    });
  }
  return out;
}

/**
 * A point offset from `center` by tangent-plane offsets (east, north), degrees.
 *
 * @param center - the tangent point
 * @param eastDeg - ξ, degrees
 * @param northDeg - η, degrees
 * @returns the point
 */
export function offsetPoint(center: SpherePoint, eastDeg: number, northDeg: number): SpherePoint {
  const xi = (eastDeg * Math.PI) / 180;
  const eta = (northDeg * Math.PI) / 180;
  const ra0 = center.getLongitude().asRadians();
  const dec0 = center.getLatitude().asRadians();
  const denom = Math.cos(dec0) - eta * Math.sin(dec0);
  const ra = ra0 + Math.atan2(xi, denom);
  const dec = Math.atan2(Math.sin(dec0) + eta * Math.cos(dec0), Math.hypot(xi, denom));
  return SpherePoint.fromRadians(((ra % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI), dec);
}

/**
 * Altitude and azimuth of a sky position seen from SimCam's site at a time.
 *
 * @param coord - the position (ICRS, treated as of date)
 * @param mjdTai - the time, MJD TAI
 * @returns altitude and azimuth (north through east), degrees
 */
export function altAz(coord: SpherePoint, mjdTai: number): AltAz {
  const lstRad = (localSiderealTimeDeg(mjdTai) * Math.PI) / 180;
  const ha = lstRad - coord.getLongitude().asRadians();
  const dec = coord.getLatitude().asRadians();
  const lat = (SIMCAM_OBSERVATORY.latitudeDeg * Math.PI) / 180;
  const sinAlt = Math.sin(lat) * Math.sin(dec) + Math.cos(lat) * Math.cos(dec) * Math.cos(ha);
  const alt = Math.asin(sinAlt);
  const az = Math.atan2(-Math.cos(dec) * Math.sin(ha), Math.sin(dec) * Math.cos(lat) - Math.cos(dec) * Math.sin(lat) * Math.cos(ha));
  return { alt: (alt * 180) / Math.PI, az: ((((az * 180) / Math.PI) % 360) + 360) % 360 };
}

/**
 * The local sidereal time at SimCam's site (IAU 1982 GMST, UT1 ≈ UTC = TAI − 37 s).
 *
 * @param mjdTai - the time, MJD TAI
 * @returns the LST, degrees in [0, 360)
 */
export function localSiderealTimeDeg(mjdTai: number): number {
  const jdUt = mjdTai - TAI_MINUS_UTC / 86400 + 2400000.5;
  const gmstDeg = 280.46061837 + 360.98564736629 * (jdUt - 2451545.0);
  return (((gmstDeg + SIMCAM_OBSERVATORY.longitudeDeg) % 360) + 360) % 360;
}

/**
 * An MJD (TAI) as the contract's ISO string `YYYY-MM-DDThh:mm:ss.sss` (no zone; the scale is TAI).
 *
 * @param mjd - the MJD
 * @returns the string
 */
export function mjdToIso(mjd: number): string {
  const ms = Math.round((mjd - 40587) * 86400000);
  return new Date(ms).toISOString().slice(0, 23);
}
