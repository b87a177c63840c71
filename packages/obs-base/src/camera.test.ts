import { Detector, Orientation } from '@skystack/afw-image';
import { Angle, Box2I, Extent2D, Point2D, Point2I } from '@skystack/geom';
import { describe, expect, it } from 'vitest';
import { Camera, FIELD_ANGLE, FOCAL_PLANE, PIXELS } from './camera.js';
import { ObsBaseInvalidArgumentError, ObsBaseNotFoundError } from './errors.js';

const box = new Box2I(new Point2I(0, 0), new Point2I(99, 49));
function det(id: number, name: string, orientation: Orientation): Detector {
  return new Detector({ id, name, bbox: box, pixelSize: new Extent2D(0.01, 0.02), orientation });
}

describe('Camera', () => {
  const d0 = det(3, 'A', new Orientation(new Point2D(5, -2), new Point2D(49.5, 24.5), Angle.fromDegrees(30)));
  const d1 = det(1, 'B', new Orientation(new Point2D(-5, 0)));
  const camera = new Camera({ name: 'Cam', detectors: [d0, d1], plateScaleArcsecPerMm: 20 });

  it('finds detectors by ID and name and iterates in ID order', () => {
    expect(camera.get(3)).toBe(d0);
    expect(camera.get('B')).toBe(d1);
    expect([...camera].map((d) => d.id)).toEqual([1, 3]);
    expect(camera.getNameIter()).toEqual(['B', 'A']);
    expect(camera.size).toBe(2);
    expect(camera.has(2)).toBe(false);
    expect(() => camera.get(2)).toThrow(ObsBaseNotFoundError);
    expect(() => camera.get('Z')).toThrow(/has no detector named 'Z'; it has 1 \(B\), 3 \(A\)/);
  });

  it('maps pixels to the focal plane by the orientation (rotation about the reference point)', () => {
    // (pixel - refPoint) * pixelSize = (0.5, 0.5) mm, rotated by 30° and shifted by fpPosition.
    const fp = camera.pixelsToFocalPlane(d0, new Point2D(99.5, 49.5));
    const c = Math.cos(Math.PI / 6);
    const s = Math.sin(Math.PI / 6);
    expect(fp.x).toBeCloseTo(5 + 0.5 * c - 0.5 * s, 12);
    expect(fp.y).toBeCloseTo(-2 + 0.5 * s + 0.5 * c, 12);
    const back = camera.focalPlaneToPixels(d0, fp);
    expect(back.x).toBeCloseTo(99.5, 10);
    expect(back.y).toBeCloseTo(49.5, 10);
    // The default reference point (-0.5, -0.5) is the lower-left corner of the first pixel.
    const corner = camera.pixelsToFocalPlane(d1, new Point2D(-0.5, -0.5));
    expect([corner.x, corner.y]).toEqual([-5, 0]);
  });

  it('maps focal plane to field angle with the plate scale, and inverts a radial distortion', () => {
    const fa = camera.transform(new Point2D(3, 4), FOCAL_PLANE, FIELD_ANGLE);
    const perMm = (20 / 3600) * (Math.PI / 180);
    expect(fa.x).toBeCloseTo(3 * perMm, 15);
    expect(fa.y).toBeCloseTo(4 * perMm, 15);
    const distorted = new Camera({ name: 'D', detectors: [d0], plateScaleArcsecPerMm: 20, radialCoeffs: [0, 1, 0, 3000] });
    expect(distorted.isRadiallyLinear).toBe(false);
    const theta = 0.002;
    const fp = distorted.fieldAngleToFocalPlane(new Point2D(theta, 0));
    expect(fp.x).toBeCloseTo((theta + 3000 * theta ** 3) / perMm, 9);
    expect(distorted.focalPlaneToFieldAngle(fp).x).toBeCloseTo(theta, 14);
    const px = distorted.transform(new Point2D(10, 20), PIXELS, FIELD_ANGLE, d0);
    const again = distorted.transform(px, FIELD_ANGLE, PIXELS, d0);
    expect(again.x).toBeCloseTo(10, 8);
    expect(again.y).toBeCloseTo(20, 8);
  });

  it('finds the detectors under a focal-plane point', () => {
    expect(camera.findDetectors(camera.pixelsToFocalPlane(d1, new Point2D(10, 10))).map((d) => d.name)).toEqual(['B']);
    expect(camera.findDetectors(new Point2D(100, 100))).toEqual([]);
  });

  it('rejects bad definitions', () => {
    expect(() => new Camera({ name: 'X', detectors: [d0, d0], plateScaleArcsecPerMm: 1 })).toThrow(ObsBaseInvalidArgumentError);
    expect(() => new Camera({ name: 'X', detectors: [], plateScaleArcsecPerMm: 0 })).toThrow(/plate scale must be positive/);
    expect(() => new Camera({ name: 'X', detectors: [], plateScaleArcsecPerMm: 1, radialCoeffs: [1, 1] })).toThrow(/radial coefficients/);
    expect(() => camera.transform(new Point2D(0, 0), PIXELS, FOCAL_PLANE)).toThrow(/needs a detector/);
  });
});
