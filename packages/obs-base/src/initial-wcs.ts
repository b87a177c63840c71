// The raw WCS obs_base makes from the boresight, the rotation angle and the camera geometry,
// and the raw VisitInfo made from an ObservationInfo.
import { DateTime, RotType, VisitInfo, Weather, type Detector } from '@skystack/afw-image';
import { Angle, Point2D, type SpherePoint } from '@skystack/geom';
import type { SkyWcs} from '@skystack/wcs';
import { fitTanSipWcs, makeCdMatrix, makeSkyWcs, type WcsMatch } from '@skystack/wcs';
import type { Camera } from './camera.js';
import { ObsBaseInvalidArgumentError } from './errors.js';
import type { ObservationInfo } from './observation-info.js';

/** Options of {@link createInitialSkyWcs}. */
export interface CreateInitialSkyWcsOptions {
  /** Flip the x axis (a camera seen in a mirror), as obs_base's `flipX`. Default false. */
  readonly flipX?: boolean;
}

/**
 * The initial WCS of a raw: a TAN projection about the boresight in which the focal plane's
 * origin (the optical axis) maps to the boresight, field angle maps to intermediate world
 * coordinates rotated by the boresight rotation angle (position angle of the focal plane's +Y
 * axis, east of north), with east to the left of +Y unless `flipX`. For a camera whose
 * focal-plane → field-angle transform is the plate scale only, the WCS is exact (TAN with a CD
 * matrix); with radial distortion, a TAN-SIP (order 4) fitted to the exact pixel → sky mapping
 * over the detector.
 *
 * @param visitInfo - the raw's VisitInfo (boresight RA/Dec and a SKY rotation angle)
 * @param detector - the detector
 * @param camera - the camera (for the focal plane and field angle transforms)
 * @param options - `flipX`
 * @returns the WCS
 * @throws ObsBaseInvalidArgumentError when the VisitInfo has no boresight or its rotation is not SKY
 * @example
 * ```ts
 * const wcs = createInitialSkyWcs(visitInfo, camera.get(0), camera);
 * wcs.skyToPixel(visitInfo.boresightRaDec!); // = camera.focalPlaneToPixels(detector, (0, 0))
 * ```
 * @see lsst.obs.base.createInitialSkyWcs, lsst.afw.geom.makeSkyWcs (pixelsToFieldAngle form)
 */
export function createInitialSkyWcs(visitInfo: VisitInfo, detector: Detector, camera: Camera, options: CreateInitialSkyWcsOptions = {}): SkyWcs {
  const boresight = visitInfo.boresightRaDec;
  if (boresight === null || !Number.isFinite(boresight.getRa().asRadians())) {
    throw new ObsBaseInvalidArgumentError(`Cannot make an initial WCS for detector '${detector.name}': the VisitInfo has no boresight RA/Dec.`);
  }
  if (visitInfo.rotType !== RotType.SKY) {
    throw new ObsBaseInvalidArgumentError(
      `Cannot make an initial WCS for detector '${detector.name}': the rotation angle is of type ${RotType[visitInfo.rotType]}, not SKY.`,
      { hint: 'Only sky position angles (ROTPA) give a sky orientation.' },
    );
  }
  return createInitialSkyWcsFromBoresight(boresight, visitInfo.boresightRotAngle, detector, camera, options);
}

/**
 * {@link createInitialSkyWcs} from the boresight and rotation angle themselves.
 *
 * @param boresight - the boresight, ICRS
 * @param orientation - position angle of the focal plane's +Y axis, east of north
 * @param detector - the detector
 * @param camera - the camera
 * @param options - `flipX`
 * @returns the WCS
 * @example
 * ```ts
 * const wcs = createInitialSkyWcsFromBoresight(SpherePoint.fromDegrees(150, 2), Angle.fromDegrees(30), det, camera);
 * ```
 * @see lsst.obs.base.createInitialSkyWcsFromBoresight
 */
export function createInitialSkyWcsFromBoresight(boresight: SpherePoint, orientation: Angle, detector: Detector, camera: Camera, options: CreateInitialSkyWcsOptions = {}): SkyWcs {
  const crpix = camera.focalPlaneToPixels(detector, new Point2D(0, 0));
  // Field angle (radians) → intermediate world coordinates (degrees), as afw's makeSkyWcs.
  const c = makeCdMatrix(Angle.fromRadians(1), orientation, options.flipX ?? false);
  // Pixel → field angle Jacobian at crpix (exact for a linear camera).
  const h = 1;
  const fa = (x: number, y: number) => camera.focalPlaneToFieldAngle(camera.pixelsToFocalPlane(detector, new Point2D(x, y)));
  const px = fa(crpix.x + h, crpix.y);
  const mx = fa(crpix.x - h, crpix.y);
  const py = fa(crpix.x, crpix.y + h);
  const my = fa(crpix.x, crpix.y - h);
  const j = [
    [(px.x - mx.x) / (2 * h), (py.x - my.x) / (2 * h)],
    [(px.y - mx.y) / (2 * h), (py.y - my.y) / (2 * h)],
  ];
  const cd: [[number, number], [number, number]] = [
    [c[0][0] * j[0]![0]! + c[0][1] * j[1]![0]!, c[0][0] * j[0]![1]! + c[0][1] * j[1]![1]!],
    [c[1][0] * j[0]![0]! + c[1][1] * j[1]![0]!, c[1][0] * j[0]![1]! + c[1][1] * j[1]![1]!],
  ];
  const tan = makeSkyWcs(crpix, boresight, cd);
  if (camera.isRadiallyLinear) return tan;
  // Radial distortion: fit TAN-SIP to the exact mapping on a grid over the detector.
  const bbox = detector.bbox;
  const matches: WcsMatch[] = [];
  const n = 12;
  for (let iy = 0; iy <= n; iy++) {
    for (let ix = 0; ix <= n; ix++) {
      const x = bbox.getMinX() - 0.5 + ((bbox.getWidth()) * ix) / n;
      const y = bbox.getMinY() - 0.5 + ((bbox.getHeight()) * iy) / n;
      const f = fa(x, y);
      const iwc = new Point2D(c[0][0] * f.x + c[0][1] * f.y, c[1][0] * f.x + c[1][1] * f.y);
      // Deproject the intermediate world coordinates with the undistorted TAN about the boresight.
      const sky = makeSkyWcs(new Point2D(0, 0), boresight, [[1, 0], [0, 1]]).pixelToSky(iwc.x, iwc.y);
      matches.push({ pixel: new Point2D(x, y), sky });
    }
  }
  return fitTanSipWcs(matches, 4, tan).wcs;
}

/** Earth rotation angle at a UT1 Julian date (IERS 2010), with UT1 ≈ UTC. */
function earthRotationAngle(date: DateTime): Angle {
  const jdUt1 = date.getMjd('UTC') + 2400000.5;
  const t = jdUt1 - 2451545.0;
  const turns = 0.779057273264 + 0.00273781191135448 * t + (t - Math.floor(t));
  return Angle.fromRadians(2 * Math.PI * (turns - Math.floor(turns)));
}

/**
 * The VisitInfo of a raw, from its {@link ObservationInfo}: the date is the middle of the
 * exposure (TAI), the boresight RA/Dec and az/alt, airmass, the SKY rotation angle, the
 * observatory, the exposure ID, and the observation type, program, reason and object. The
 * Earth rotation angle is computed from the date (UT1 taken as UTC).
 *
 * @param obsInfo - the observation properties
 * @returns the VisitInfo
 * @example
 * ```ts
 * const visitInfo = makeRawVisitInfo(instrument.translateRawHeader(header));
 * visitInfo.exposureTime; visitInfo.date?.toIsoString();
 * ```
 * @see lsst.obs.base.MakeRawVisitInfoViaObsInfo
 */
export function makeRawVisitInfo(obsInfo: ObservationInfo): VisitInfo {
  const half = BigInt(Math.round(obsInfo.exposure_time * 5e8));
  const date = new DateTime(obsInfo.datetime_begin.nsecsTai + half);
  const weather = new Weather(obsInfo.temperature ?? Number.NaN, obsInfo.pressure === null ? Number.NaN : obsInfo.pressure * 100, obsInfo.relative_humidity ?? Number.NaN);
  return new VisitInfo({
    exposureTime: obsInfo.exposure_time,
    darkTime: obsInfo.dark_time,
    date,
    ut1: date.getMjd('UTC'),
    era: earthRotationAngle(date),
    boresightRaDec: obsInfo.tracking_radec,
    boresightAzAlt: obsInfo.altaz_begin,
    boresightAirmass: obsInfo.boresight_airmass ?? Number.NaN,
    ...(obsInfo.boresight_rotation_angle === null ? {} : { boresightRotAngle: obsInfo.boresight_rotation_angle }),
    rotType: obsInfo.boresight_rotation_coord === 'sky' ? RotType.SKY : RotType.UNKNOWN,
    ...(obsInfo.location === null ? {} : { observatory: obsInfo.location }),
    weather,
    instrumentLabel: obsInfo.instrument,
    id: BigInt(obsInfo.exposure_id),
    focusZ: obsInfo.focus_z ?? Number.NaN,
    observationType: obsInfo.observation_type,
    scienceProgram: obsInfo.science_program,
    observationReason: obsInfo.observation_reason,
    object: obsInfo.object,
    hasSimulatedContent: obsInfo.has_simulated_content,
  });
}
