// lsst.afw.cameraGeom.Orientation: where a detector sits in the focal plane.
import { Angle, Point2D } from '@skystack/geom';

/**
 * The position and rotation of a detector in the focal plane: the focal-plane position (mm) of
 * a reference pixel position, and yaw, pitch and roll.
 *
 * @see lsst.afw.cameraGeom.Orientation
 */
export class Orientation {
  /** Focal-plane position of the reference point, mm. */
  readonly fpPosition: Point2D;
  /** Pixel position of the reference point. */
  readonly refPoint: Point2D;
  /** Rotation about Z (X to Y), first rotation. */
  readonly yaw: Angle;
  /** Rotation about Y' (Z'=Z to X'), second rotation. */
  readonly pitch: Angle;
  /** Rotation about X'' (Y''=Y' to Z''), third rotation. */
  readonly roll: Angle;

  /**
   * Makes an orientation.
   *
   * @param fpPosition - focal-plane position of the reference point, mm
   * @param refPoint - pixel position of the reference point
   * @param yaw - first rotation
   * @param pitch - second rotation
   * @param roll - third rotation
   */
  constructor(
    fpPosition: Point2D = new Point2D(0, 0),
    refPoint: Point2D = new Point2D(-0.5, -0.5),
    yaw: Angle = Angle.fromRadians(0),
    pitch: Angle = Angle.fromRadians(0),
    roll: Angle = Angle.fromRadians(0),
  ) {
    this.fpPosition = fpPosition;
    this.refPoint = refPoint;
    this.yaw = yaw;
    this.pitch = pitch;
    this.roll = roll;
  }

  /** `Orientation(fpPosition, refPoint, yaw, pitch, roll)`. */
  toString(): string {
    return `Orientation(${this.fpPosition.toString()}, ${this.refPoint.toString()}, ${this.yaw.toString()}, ${this.pitch.toString()}, ${this.roll.toString()})`;
  }
}
