// The demo's computations, kept apart from printing so that tests can check them.
import {
  AffineTransform,
  Angle,
  Box2D,
  Box2I,
  ConvexPolygon,
  Extent2I,
  HtmPixelization,
  LinearTransform,
  Point2D,
  Point2I,
  SpherePoint,
} from '@skystack/geom';

/** A detector pointed at the sky through a gnomonic (TAN) projection. */
export interface DetectorPointing {
  /** The detector's pixel bounding box (PARENT coordinates). */
  readonly bbox: Box2I;
  /** The sky position of the detector centre. */
  readonly boresight: SpherePoint;
  /** The pixel scale. */
  readonly pixelScale: Angle;
  /** Position angle of the detector's +y axis: from north through east. */
  readonly rotation: Angle;
}

/**
 * Maps pixel positions to tangent-plane coordinates (xi, eta) in radians: shift to the
 * detector centre, scale to radians, rotate on the sky. `xi` grows to the east (with RA), so
 * the x axis is flipped, as on a sky image shown with north up and east left. A position
 * angle (north through east) is a clockwise rotation in the (xi, eta) plane.
 *
 * @param pointing - the detector pointing
 * @returns the pixel -> (xi, eta) transform
 */
export function pixelToTangentPlane(pointing: DetectorPointing): AffineTransform {
  const center = pointing.bbox.getCenter();
  const scale = pointing.pixelScale.asRadians();
  const linear = LinearTransform.makeRotation(pointing.rotation.negate()).multiply(LinearTransform.makeScaling(-scale, scale));
  const toCenter = AffineTransform.makeTranslation(new Point2D(0, 0).subtract(center));
  return new AffineTransform(linear).multiply(toCenter);
}

/**
 * Projects a pixel onto the sky: the inverse gnomonic projection of its tangent-plane
 * coordinates about the boresight.
 *
 * @param pointing - the detector pointing
 * @param toPlane - {@link pixelToTangentPlane} of the pointing
 * @param pixel - the pixel position
 * @returns the sky position of the pixel
 */
export function pixelToSky(pointing: DetectorPointing, toPlane: AffineTransform, pixel: Point2D): SpherePoint {
  const xi = toPlane.applyX(pixel.x, pixel.y);
  const eta = toPlane.applyY(pixel.x, pixel.y);
  const ra = pointing.boresight.getRa().asRadians();
  const dec = pointing.boresight.getDec().asRadians();
  // r: boresight direction, e: east, n: north; the tangent-plane point is r + xi e + eta n.
  const r = [Math.cos(dec) * Math.cos(ra), Math.cos(dec) * Math.sin(ra), Math.sin(dec)];
  const e = [-Math.sin(ra), Math.cos(ra), 0];
  const n = [-Math.sin(dec) * Math.cos(ra), -Math.sin(dec) * Math.sin(ra), Math.cos(dec)];
  return SpherePoint.fromVector(r[0]! + xi * e[0]! + eta * n[0]!, r[1]! + xi * e[1]! + eta * n[1]!, r[2]! + xi * e[2]! + eta * n[2]!);
}

/** What the demo works out for one detector. */
export interface DetectorFootprint {
  /** Sky positions of the four corner pixel edges, in the order of `Box2D.getCorners`. */
  readonly corners: SpherePoint[];
  /** The footprint as a spherical polygon. */
  readonly polygon: ConvexPolygon;
  /** Width and height of the footprint on the sky, measured along its edges. */
  readonly edgeLengths: [Angle, Angle];
  /** The HTM pixelization used for indexing (level 7, as the Butler registry's `htm7`). */
  readonly htm: HtmPixelization;
  /** HTM pixels that may overlap the footprint (`envelope`), as half-open index ranges. */
  readonly envelope: Array<[number, number]>;
  /** HTM pixels certainly inside the footprint (`interior`) at level 10. */
  readonly interiorLevel10: Array<[number, number]>;
}

/**
 * Works out a detector's footprint on the sky and its HTM indexing.
 *
 * @param pointing - the detector pointing
 * @returns the footprint, its size and its HTM pixels
 */
export function detectorFootprint(pointing: DetectorPointing): DetectorFootprint {
  const toPlane = pixelToTangentPlane(pointing);
  const corners = Box2D.fromBox2I(pointing.bbox)
    .getCorners()
    .map((c) => pixelToSky(pointing, toPlane, c));
  const vertices = corners.map((c) => c.toUnitVector());
  const polygon = ConvexPolygon.convexHull(vertices);
  const htm = new HtmPixelization(7);
  const envelope = [...htm.envelope(polygon)];
  const interiorLevel10 = [...new HtmPixelization(10).interior(polygon)];
  return {
    corners,
    polygon,
    edgeLengths: [corners[0]!.separation(corners[1]!), corners[1]!.separation(corners[2]!)],
    htm,
    envelope,
    interiorLevel10,
  };
}

/** The default pointing of the demo: a 4k x 4k detector at 0.2 arcsec/pixel on COSMOS, +y at position angle 30 degrees. */
export const COSMOS_POINTING: DetectorPointing = {
  bbox: Box2I.fromCorner(new Point2I(0, 0), new Extent2I(4096, 4096)),
  boresight: SpherePoint.fromDegrees(150.1191, 2.2058),
  pixelScale: Angle.fromArcseconds(0.2),
  rotation: Angle.fromDegrees(30),
};
