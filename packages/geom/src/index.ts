// @skystack/geom: lsst.geom and lsst.sphgeom for TypeScript.

// Angles and sky positions
export { Angle, AngleUnit, radians, degrees, hours, arcminutes, arcseconds, milliarcseconds } from './angle.js';
export { SpherePoint, averageSpherePoint, separationRadiansArray } from './sphere-point.js';

// Planar geometry
export { Point2D, Point2I } from './point.js';
export { Extent2D, Extent2I } from './extent.js';
export { Box2D, Box2I } from './box.js';
export type { EdgeHandling } from './box.js';
export { LinearTransform } from './linear-transform.js';
export type { Matrix2x2 } from './linear-transform.js';
export { AffineTransform } from './affine-transform.js';
export type { Matrix3x3 } from './affine-transform.js';

// Spherical geometry (lsst.sphgeom)
export { Vector3d } from './sphgeom/vector3d.js';
export { UnitVector3d } from './sphgeom/unit-vector3d.js';
export { LonLat } from './sphgeom/lon-lat.js';
export { AngleInterval } from './sphgeom/angle-interval.js';
export { NormalizedAngleInterval } from './sphgeom/normalized-angle-interval.js';
export { orientation } from './sphgeom/orientation.js';
export { Relationship, invertRelationship, relationshipToString } from './sphgeom/relationship.js';
export { Region } from './sphgeom/region.js';
export { Circle } from './sphgeom/circle.js';
export { ConvexPolygon } from './sphgeom/convex-polygon.js';
export { LonLatBox } from './sphgeom/lon-lat-box.js';
export { RegionTypeCode, encodeRegion, decodeRegion, regionToHex, regionFromHex } from './sphgeom/region-codec.js';

// Sky pixelization
export { RangeSet } from './sphgeom/range-set.js';
export { HtmPixelization } from './sphgeom/htm-pixelization.js';
export { HealpixPixelization } from './sphgeom/healpix-pixelization.js';

// Errors
export { GeomInvalidArgumentError, GeomDomainError } from './errors.js';
