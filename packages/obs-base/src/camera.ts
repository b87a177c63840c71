// lsst.afw.cameraGeom.Camera: the detectors of an instrument and the transforms between pixels,
// the focal plane (mm) and field angle (radians).
import type { Detector } from '@skystack/afw-image';
import { Angle, Point2D } from '@skystack/geom';
import { ObsBaseInvalidArgumentError, ObsBaseNotFoundError } from './errors.js';

/**
 * The coordinate systems of a camera, as afw.cameraGeom's `CameraSys` names: a detector's
 * pixels, the focal plane (mm, origin at the optical axis) and field angle (radians on the sky
 * as seen through the optics, same axes as the focal plane).
 *
 * @see lsst.afw.cameraGeom.PIXELS, lsst.afw.cameraGeom.FOCAL_PLANE, lsst.afw.cameraGeom.FIELD_ANGLE
 */
export type CameraSys = 'PIXELS' | 'FOCAL_PLANE' | 'FIELD_ANGLE';

/** The pixel coordinate system of a detector (afw's `PIXELS`). */
export const PIXELS: CameraSys = 'PIXELS';
/** The focal plane, mm (afw's `FOCAL_PLANE`). */
export const FOCAL_PLANE: CameraSys = 'FOCAL_PLANE';
/** Field angle, radians (afw's `FIELD_ANGLE`). */
export const FIELD_ANGLE: CameraSys = 'FIELD_ANGLE';

/** Options of the {@link Camera} constructor. */
export interface CameraOptions {
  /** The camera name. */
  readonly name: string;
  /** The detectors (unique names and IDs). */
  readonly detectors: readonly Detector[];
  /** The plate scale at the optical axis, arcseconds per mm. */
  readonly plateScaleArcsecPerMm: number;
  /**
   * The radial distortion as afw's camera configuration gives it: the field-angle → focal-plane
   * radius polynomial's coefficients in units of the plate scale (`r_mm = Σ c_i θ^i / plateScale`,
   * θ in radians, plate scale in rad/mm); c_0 must be 0. Default `[0, 1]`: the plate scale only.
   */
  readonly radialCoeffs?: readonly number[];
}

/**
 * A camera: its detectors, looked up by ID or name and iterated in ID order, and the transforms
 * between a detector's pixels, the focal plane and field angle. Pixels ↔ focal plane use each
 * detector's `Orientation` (`fp = fpPosition + R(yaw, pitch, roll) ·
 * ((pixel − refPoint) × pixelSize)`); focal plane ↔ field angle is afw's radial transform built
 * from the plate scale and the radial coefficients.
 *
 * @example
 * ```ts
 * const camera = new Camera({ name: 'SimCam', detectors, plateScaleArcsecPerMm: 20 });
 * const det = camera.get('S01');
 * const fp = camera.transform(new Point2D(0, 0), PIXELS, FOCAL_PLANE, det);
 * camera.focalPlaneToPixels(det, new Point2D(0, 0)); // where the optical axis falls on det
 * ```
 * @see lsst.afw.cameraGeom.Camera
 */
export class Camera implements Iterable<Detector> {
  /** The camera name. */
  readonly name: string;
  /** Plate scale at the optical axis (angle per mm). */
  readonly plateScale: Angle;
  /** The radial coefficients (see {@link CameraOptions.radialCoeffs}). */
  readonly radialCoeffs: readonly number[];
  readonly #byId = new Map<number, Detector>();
  readonly #byName = new Map<string, Detector>();
  readonly #ordered: readonly Detector[];
  /** Field angle → focal plane coefficients, radians → mm. */
  readonly #coeffs: readonly number[];

  /**
   * Makes a camera.
   *
   * @param options - name, detectors, plate scale, radial coefficients
   * @throws ObsBaseInvalidArgumentError for duplicate detector names or IDs, a non-positive
   *   plate scale or a radial polynomial with c_0 ≠ 0 or c_1 ≤ 0
   */
  constructor(options: CameraOptions) {
    this.name = options.name;
    if (!(options.plateScaleArcsecPerMm > 0)) {
      throw new ObsBaseInvalidArgumentError(`Camera '${options.name}': the plate scale must be positive (arcsec/mm); given ${options.plateScaleArcsecPerMm}.`);
    }
    this.plateScale = Angle.fromArcseconds(options.plateScaleArcsecPerMm);
    const c = [...(options.radialCoeffs ?? [0, 1])];
    if (c.length < 2 || c[0] !== 0 || !(c[1]! > 0)) {
      throw new ObsBaseInvalidArgumentError(`Camera '${options.name}': radial coefficients must start [0, c1 > 0, ...]; given [${c.join(', ')}].`);
    }
    this.radialCoeffs = Object.freeze(c);
    const scaleRad = this.plateScale.asRadians();
    this.#coeffs = Object.freeze(c.map((v) => v / scaleRad));
    for (const d of options.detectors) {
      if (this.#byId.has(d.id)) throw new ObsBaseInvalidArgumentError(`Camera '${options.name}': two detectors have ID ${d.id}.`);
      if (this.#byName.has(d.name)) throw new ObsBaseInvalidArgumentError(`Camera '${options.name}': two detectors are named '${d.name}'.`);
      this.#byId.set(d.id, d);
      this.#byName.set(d.name, d);
    }
    this.#ordered = Object.freeze([...options.detectors].sort((a, b) => a.id - b.id));
  }

  /** The number of detectors. */
  get size(): number {
    return this.#ordered.length;
  }

  /** The detectors in ID order. */
  [Symbol.iterator](): Iterator<Detector> {
    return this.#ordered[Symbol.iterator]();
  }

  /**
   * The detector IDs, in order.
   *
   * @returns the IDs
   */
  getIdIter(): number[] {
    return this.#ordered.map((d) => d.id);
  }

  /**
   * The detector names, in ID order.
   *
   * @returns the names
   */
  getNameIter(): string[] {
    return this.#ordered.map((d) => d.name);
  }

  /**
   * Whether the camera has a detector of this ID or name.
   *
   * @param idOrName - detector ID or name
   * @returns true when it has one
   */
  has(idOrName: number | string): boolean {
    return typeof idOrName === 'number' ? this.#byId.has(idOrName) : this.#byName.has(idOrName);
  }

  /**
   * A detector by ID or name.
   *
   * @param idOrName - detector ID (number) or name (string)
   * @returns the detector
   * @throws ObsBaseNotFoundError when there is none
   */
  get(idOrName: number | string): Detector {
    const d = typeof idOrName === 'number' ? this.#byId.get(idOrName) : this.#byName.get(idOrName);
    if (d === undefined) {
      throw new ObsBaseNotFoundError(`Camera '${this.name}' has no detector ${typeof idOrName === 'number' ? `with ID ${idOrName}` : `named '${idOrName}'`}; it has ${this.#ordered.map((x) => `${x.id} (${x.name})`).join(', ')}.`);
    }
    return d;
  }

  /**
   * Pixel → focal plane for one detector.
   *
   * @param detector - the detector
   * @param pixel - pixel position (0-based, pixel centres at integers)
   * @returns the focal-plane position, mm
   */
  pixelsToFocalPlane(detector: Detector, pixel: Point2D): Point2D {
    const [a, b, c, d] = rotation2x2(detector);
    const o = detector.orientation;
    const px = pixelSizeOf(detector);
    const u = (pixel.x - o.refPoint.x) * px.x;
    const v = (pixel.y - o.refPoint.y) * px.y;
    return new Point2D(o.fpPosition.x + a * u + b * v, o.fpPosition.y + c * u + d * v);
  }

  /**
   * Focal plane → pixel for one detector (the inverse of {@link pixelsToFocalPlane}).
   *
   * @param detector - the detector
   * @param fp - focal-plane position, mm
   * @returns the pixel position
   */
  focalPlaneToPixels(detector: Detector, fp: Point2D): Point2D {
    const [a, b, c, d] = rotation2x2(detector);
    const o = detector.orientation;
    const px = pixelSizeOf(detector);
    const x = fp.x - o.fpPosition.x;
    const y = fp.y - o.fpPosition.y;
    const det = a * d - b * c;
    const u = (d * x - b * y) / det;
    const v = (-c * x + a * y) / det;
    return new Point2D(u / px.x + o.refPoint.x, v / px.y + o.refPoint.y);
  }

  /**
   * Field angle → focal plane: the radial polynomial (mm per radian at the axis = 1/plate scale).
   *
   * @param fieldAngle - field angle (x, y), radians
   * @returns the focal-plane position, mm
   */
  fieldAngleToFocalPlane(fieldAngle: Point2D): Point2D {
    const theta = Math.hypot(fieldAngle.x, fieldAngle.y);
    if (theta === 0) return new Point2D(0, 0);
    const r = evalPoly(this.#coeffs, theta);
    return new Point2D((fieldAngle.x * r) / theta, (fieldAngle.y * r) / theta);
  }

  /**
   * Focal plane → field angle: the inverse of {@link fieldAngleToFocalPlane} (Newton's method).
   *
   * @param fp - focal-plane position, mm
   * @returns field angle (x, y), radians
   */
  focalPlaneToFieldAngle(fp: Point2D): Point2D {
    const r = Math.hypot(fp.x, fp.y);
    if (r === 0) return new Point2D(0, 0);
    let theta = r / this.#coeffs[1]!;
    for (let i = 0; i < 50; i++) {
      const f = evalPoly(this.#coeffs, theta) - r;
      const step = f / evalDeriv(this.#coeffs, theta);
      theta -= step;
      if (Math.abs(step) <= 1e-15 * Math.max(1, theta)) break;
    }
    return new Point2D((fp.x * theta) / r, (fp.y * theta) / r);
  }

  /** Whether focal plane ↔ field angle is linear (plate scale only). */
  get isRadiallyLinear(): boolean {
    return this.radialCoeffs.slice(2).every((v) => v === 0);
  }

  /**
   * Transforms a point between two coordinate systems.
   *
   * @param point - the point in `from`
   * @param from - its system
   * @param to - the wanted system
   * @param detector - the detector (needed when either system is PIXELS)
   * @returns the point in `to`
   * @throws ObsBaseInvalidArgumentError when PIXELS is involved and no detector is given
   * @see lsst.afw.cameraGeom.Camera.transform
   */
  transform(point: Point2D, from: CameraSys, to: CameraSys, detector?: Detector): Point2D {
    if ((from === PIXELS || to === PIXELS) && detector === undefined) {
      throw new ObsBaseInvalidArgumentError(`Camera.transform from ${from} to ${to} needs a detector for PIXELS.`);
    }
    let fp: Point2D;
    if (from === PIXELS) fp = this.pixelsToFocalPlane(detector!, point);
    else if (from === FIELD_ANGLE) fp = this.fieldAngleToFocalPlane(point);
    else fp = point;
    if (to === PIXELS) return this.focalPlaneToPixels(detector!, fp);
    if (to === FIELD_ANGLE) return this.focalPlaneToFieldAngle(fp);
    return fp;
  }

  /**
   * The detectors whose pixel box contains a focal-plane point.
   *
   * @param fp - focal-plane position, mm
   * @returns the detectors (usually zero or one)
   * @see lsst.afw.cameraGeom.Camera.findDetectors
   */
  findDetectors(fp: Point2D): Detector[] {
    return this.#ordered.filter((d) => {
      const p = this.focalPlaneToPixels(d, fp);
      const b = d.bbox;
      return p.x >= b.getMinX() - 0.5 && p.x <= b.getMaxX() + 0.5 && p.y >= b.getMinY() - 0.5 && p.y <= b.getMaxY() + 0.5;
    });
  }
}

function pixelSizeOf(detector: Detector): Point2D {
  const s = detector.pixelSize;
  if (!(s.x > 0) || !(s.y > 0)) {
    throw new ObsBaseInvalidArgumentError(`Detector '${detector.name}' has no pixel size (${s.x} x ${s.y} mm); camera geometry needs one.`);
  }
  return new Point2D(s.x, s.y);
}

/** The 2x2 part of afw's Orientation rotation (yaw about Z, then pitch, then roll). */
function rotation2x2(detector: Detector): [number, number, number, number] {
  const o = detector.orientation;
  const cy = Math.cos(o.yaw.asRadians());
  const sy = Math.sin(o.yaw.asRadians());
  const cp = Math.cos(o.pitch.asRadians());
  const sp = Math.sin(o.pitch.asRadians());
  const cr = Math.cos(o.roll.asRadians());
  const sr = Math.sin(o.roll.asRadians());
  return [cy * cp, cy * sp * sr - sy * cr, sy * cp, sy * sp * sr + cy * cr];
}

function evalPoly(c: readonly number[], x: number): number {
  let s = 0;
  for (let i = c.length - 1; i >= 0; i--) s = s * x + c[i]!;
  return s;
}

function evalDeriv(c: readonly number[], x: number): number {
  let s = 0;
  for (let i = c.length - 1; i >= 1; i--) s = s * x + i * c[i]!;
  return s;
}
