// SimCam: a 2×2 mosaic of 2048×2048 CCDs with two amplifiers each, as afw cameraGeom describes it.
import { Amplifier, Detector, DetectorType, FilterLabel, Orientation, ReadoutCorner } from '@skystack/afw-image';
import { Angle, Box2I, Extent2D, Extent2I, Point2D, Point2I } from '@skystack/geom';
import { ObsSimInvalidArgumentError } from './errors.js';

/** The instrument name (FITS `INSTRUME`, the Butler's `instrument`). */
export const SIMCAM_NAME = 'SimCam';
/** The telescope name (FITS `TELESCOP`). */
export const SIMCAM_TELESCOPE = 'SimTel';
/** Pixel size, mm (10 µm). */
export const SIMCAM_PIXEL_SIZE_MM = 0.01;
/** Plate scale at the centre of the focal plane, arcsec per mm (0.2″ per 10 µm pixel). */
export const SIMCAM_PLATE_SCALE_ARCSEC_PER_MM = 20;
/** Gap between neighbouring detectors, mm. */
export const SIMCAM_GAP_MM = 0.5;
/** Serial prescan columns per amplifier. */
export const SIMCAM_PRESCAN = 32;
/** Serial overscan columns per amplifier. */
export const SIMCAM_OVERSCAN = 64;
/** Amplifier saturation level, ADU (`Amplifier.saturation`). */
export const SIMCAM_SATURATION_ADU = 60000;
/** Amplifier suspect level, ADU (`Amplifier.suspectLevel`). */
export const SIMCAM_SUSPECT_ADU = 55000;
/** Number of detectors in the full camera. */
export const SIMCAM_DETECTOR_COUNT = 4;
/** Full-size detector width and height, pixels. */
export const SIMCAM_DETECTOR_SIZE = 2048;

/** Gains of the eight amplifiers (detector-major), e-/ADU. */
const GAINS = [1.62, 1.71, 1.55, 1.68, 1.74, 1.59, 1.65, 1.77] as const;
/** Read noise of the eight amplifiers, e-. */
const READ_NOISE = [4.6, 5.1, 5.4, 4.8, 5.0, 5.6, 4.7, 5.3] as const;
/** Small mounting rotations (yaw) of the four detectors, degrees. */
const YAW_DEG = [0.05, -0.03, 0.02, -0.04] as const;

/** A SimCam physical filter and its band. */
export interface SimCamFilter {
  /** The physical filter name, e.g. `'SimCam-r'` (FITS `FILTER`). */
  readonly physical: string;
  /** The band, `'g'`, `'r'` or `'i'`. */
  readonly band: string;
}

/** The physical filters of SimCam: `SimCam-g`, `SimCam-r`, `SimCam-i` (bands g, r, i). */
export const SIMCAM_FILTERS: readonly SimCamFilter[] = Object.freeze([
  { physical: 'SimCam-g', band: 'g' },
  { physical: 'SimCam-r', band: 'r' },
  { physical: 'SimCam-i', band: 'i' },
]);

/** The bands SimCam simulates, in wavelength order. */
export const SIMCAM_BANDS: readonly string[] = Object.freeze(SIMCAM_FILTERS.map((f) => f.band));

/**
 * The afw filter label of a band.
 *
 * @param band - `'g'`, `'r'` or `'i'`
 * @returns `FilterLabel(band, 'SimCam-<band>')`
 * @throws {@link ObsSimInvalidArgumentError} for an unknown band
 * @example
 * ```ts
 * simCamFilterLabel('r').physicalLabel; // 'SimCam-r'
 * ```
 */
export function simCamFilterLabel(band: string): FilterLabel {
  const f = SIMCAM_FILTERS.find((x) => x.band === band);
  if (f === undefined) throw new ObsSimInvalidArgumentError(`Unknown SimCam band '${band}'; expected one of ${SIMCAM_BANDS.join(', ')}.`);
  return FilterLabel.fromBandPhysical(f.band, f.physical);
}

/** Options of {@link makeSimCamDetectors}. */
export interface SimCamDetectorOptions {
  /** Detector width and height, pixels, even (2048 by default; the `small` preset uses 512). */
  readonly size?: number;
  /** Which detector ids to make (all four, 0–3, by default). */
  readonly ids?: readonly number[];
}

/**
 * The detectors of SimCam as afw `Detector`s: a 2×2 mosaic (`S00` at lower left, id 0; `S01`
 * lower right, 1; `S10` upper left, 2; `S11` upper right, 3) of square CCDs with 10 µm pixels
 * and 0.5 mm gaps, each read by two amplifiers `C00` (left half, readout corner LL) and `C01`
 * (right half, LR). The raw image of a detector has the amplifiers side by side, each with a
 * 32-column serial prescan next to its readout corner and a 64-column serial overscan after its
 * data (so the raw is `2 × (32 + size/2 + 64)` wide, `size` high); amplifier C01's segment is
 * stored in physical orientation (overscan, data, prescan from left to right), so no amplifier
 * needs a flip. `Orientation` puts the detector centre at its focal-plane position with a small
 * yaw, as afw does (focal plane = fpPosition + R(yaw)·(pixel − refPoint)·pixelSize).
 *
 * @param options - detector size and ids
 * @returns the detectors, in id order
 * @throws {@link ObsSimInvalidArgumentError} for an odd or non-positive size or an unknown id
 * @example
 * ```ts
 * const [det0] = makeSimCamDetectors();
 * det0.getAmplifiers()[0].rawDataBBox.toString(); // (32,0)–(1055,2047)
 * ```
 * @see lsst.afw.cameraGeom.Detector
 * @see lsst.obs.base.yamlCamera
 */
export function makeSimCamDetectors(options: SimCamDetectorOptions = {}): Detector[] {
  const size = options.size ?? SIMCAM_DETECTOR_SIZE;
  if (!Number.isInteger(size) || size < 16 || size % 2 !== 0) {
    throw new ObsSimInvalidArgumentError(`The detector size must be an even integer ≥ 16; got ${size}.`);
  }
  const ids = options.ids ?? [0, 1, 2, 3];
  return ids.map((id) => makeDetector(id, size));
}

/**
 * The focal-plane position (mm) of the centre of a detector.
 *
 * @param id - the detector id, 0–3
 * @param size - the detector size, pixels
 * @returns the position
 */
export function simCamDetectorCenterMm(id: number, size: number = SIMCAM_DETECTOR_SIZE): Point2D {
  const half = (size * SIMCAM_PIXEL_SIZE_MM) / 2 + SIMCAM_GAP_MM / 2;
  const col = id % 2;
  const row = Math.floor(id / 2);
  return new Point2D(col === 0 ? -half : half, row === 0 ? -half : half);
}

function makeDetector(id: number, size: number): Detector {
  if (!Number.isInteger(id) || id < 0 || id >= SIMCAM_DETECTOR_COUNT) {
    throw new ObsSimInvalidArgumentError(`Unknown SimCam detector id ${id}; expected 0–${SIMCAM_DETECTOR_COUNT - 1}.`);
  }
  const row = Math.floor(id / 2);
  const col = id % 2;
  const ampWidth = size / 2;
  const segment = SIMCAM_PRESCAN + ampWidth + SIMCAM_OVERSCAN;
  const box = (x0: number, y0: number, w: number, h: number): Box2I => Box2I.fromCorner(new Point2I(x0, y0), new Extent2I(w, h));
  const amplifiers: Amplifier[] = [];
  for (let a = 0; a < 2; a++) {
    const k = id * 2 + a;
    const s = a * segment;
    const common = {
      name: `C0${a}`,
      bbox: box(a * ampWidth, 0, ampWidth, size),
      gain: GAINS[k]!,
      readNoise: READ_NOISE[k]!,
      saturation: SIMCAM_SATURATION_ADU,
      suspectLevel: SIMCAM_SUSPECT_ADU,
      linearityCoeffs: [0, 0, 0, 0],
      linearityType: 'None',
      hasRawInfo: true,
      rawBBox: box(s, 0, segment, size),
      rawFlipX: false,
      rawFlipY: false,
      rawXYOffset: new Extent2I(0, 0),
    };
    amplifiers.push(
      a === 0
        ? new Amplifier({
            ...common,
            readoutCorner: ReadoutCorner.LL,
            rawPrescanBBox: box(s, 0, SIMCAM_PRESCAN, size),
            rawDataBBox: box(s + SIMCAM_PRESCAN, 0, ampWidth, size),
            rawHorizontalOverscanBBox: box(s + SIMCAM_PRESCAN + ampWidth, 0, SIMCAM_OVERSCAN, size),
          })
        : new Amplifier({
            ...common,
            readoutCorner: ReadoutCorner.LR,
            rawHorizontalOverscanBBox: box(s, 0, SIMCAM_OVERSCAN, size),
            rawDataBBox: box(s + SIMCAM_OVERSCAN, 0, ampWidth, size),
            rawPrescanBBox: box(s + SIMCAM_OVERSCAN + ampWidth, 0, SIMCAM_PRESCAN, size),
          }),
    );
  }
  return new Detector({
    name: `S${row}${col}`,
    id,
    type: DetectorType.SCIENCE,
    serial: `SIM-CCD-${String(id).padStart(3, '0')}`,
    bbox: box(0, 0, size, size),
    pixelSize: new Extent2D(SIMCAM_PIXEL_SIZE_MM, SIMCAM_PIXEL_SIZE_MM),
    orientation: new Orientation(simCamDetectorCenterMm(id, size), new Point2D((size - 1) / 2, (size - 1) / 2), Angle.fromDegrees(YAW_DEG[id]!)),
    physicalType: 'CCD',
    amplifiers,
  });
}

/**
 * The width and height of a detector's raw image (all amplifiers with their prescan and
 * overscan), from its amplifiers' `rawBBox`es.
 *
 * @param detector - the detector
 * @returns the raw extent
 */
export function rawExtent(detector: Detector): Extent2I {
  let maxX = -1;
  let maxY = -1;
  for (const amp of detector.getAmplifiers()) {
    maxX = Math.max(maxX, amp.rawBBox.getMaxX());
    maxY = Math.max(maxY, amp.rawBBox.getMaxY());
  }
  return new Extent2I(maxX + 1, maxY + 1);
}

/**
 * Pixel → focal plane (mm) of a detector, through its `Orientation` (yaw only; pitch and roll
 * are zero in SimCam), as afw's `PIXELS → FOCAL_PLANE` transform.
 *
 * @param detector - the detector
 * @param x - pixel x
 * @param y - pixel y
 * @returns `[xMm, yMm]`
 */
export function pixelToFocalPlane(detector: Detector, x: number, y: number): [number, number] {
  const o = detector.getOrientation();
  const ps = detector.getPixelSize();
  const c = Math.cos(o.yaw.asRadians());
  const s = Math.sin(o.yaw.asRadians());
  const dx = (x - o.refPoint.x) * ps.x;
  const dy = (y - o.refPoint.y) * ps.y;
  return [o.fpPosition.x + c * dx - s * dy, o.fpPosition.y + s * dx + c * dy];
}

/**
 * Focal plane (mm) → pixel of a detector (the inverse of {@link pixelToFocalPlane}).
 *
 * @param detector - the detector
 * @param xMm - focal-plane x, mm
 * @param yMm - focal-plane y, mm
 * @returns `[x, y]` pixels
 */
export function focalPlaneToPixel(detector: Detector, xMm: number, yMm: number): [number, number] {
  const o = detector.getOrientation();
  const ps = detector.getPixelSize();
  const c = Math.cos(o.yaw.asRadians());
  const s = Math.sin(o.yaw.asRadians());
  const dx = xMm - o.fpPosition.x;
  const dy = yMm - o.fpPosition.y;
  return [o.refPoint.x + (c * dx + s * dy) / ps.x, o.refPoint.y + (-s * dx + c * dy) / ps.y];
}
