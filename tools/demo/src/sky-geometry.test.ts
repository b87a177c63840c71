import { Angle, Box2D, Point2D, SpherePoint } from '@skystack/geom';
import { describe, expect, it } from 'vitest';
import { COSMOS_POINTING, detectorFootprint, pixelToSky, pixelToTangentPlane } from './sky-geometry.js';

describe('demo sky geometry', () => {
  it('puts the detector centre at the boresight and follows the TAN projection', () => {
    const toPlane = pixelToTangentPlane(COSMOS_POINTING);
    const centre = COSMOS_POINTING.bbox.getCenter();
    expect(pixelToSky(COSMOS_POINTING, toPlane, centre).separation(COSMOS_POINTING.boresight).asRadians()).toBeLessThan(1e-15);
    // 1000 pixels straight up (+y) is, in a TAN projection, atan(1000 * 0.2 arcsec) away at
    // position angle 30 deg (north through east), i.e. a bearing of 90 - 30 = 60 deg from east.
    const up = pixelToSky(COSMOS_POINTING, toPlane, new Point2D(centre.x, centre.y + 1000));
    const expected = Math.atan(Angle.fromArcseconds(200).asRadians());
    expect(COSMOS_POINTING.boresight.separation(up).asRadians()).toBeCloseTo(expected, 14);
    expect(COSMOS_POINTING.boresight.bearingTo(up).asDegrees()).toBeCloseTo(60, 6);
  });

  it('indexes the footprint: every sampled pixel lies in a trixel of the envelope', () => {
    const fp = detectorFootprint(COSMOS_POINTING);
    expect(fp.edgeLengths[0].asArcseconds()).toBeCloseTo(819.2, 0);
    const toPlane = pixelToTangentPlane(COSMOS_POINTING);
    const box = Box2D.fromBox2I(COSMOS_POINTING.bbox);
    for (let i = 0; i <= 20; i++) {
      for (let j = 0; j <= 20; j++) {
        const p = new Point2D(box.getMinX() + (box.getWidth() * i) / 20, box.getMinY() + (box.getHeight() * j) / 20);
        const v = pixelToSky(COSMOS_POINTING, toPlane, p).toUnitVector();
        const id = fp.htm.index(v);
        expect(fp.envelope.some(([a, b]) => id >= a && id < b)).toBe(true);
      }
    }
    expect(fp.polygon.contains(SpherePoint.fromDegrees(150.1191, 2.2058).toUnitVector())).toBe(true);
  });
});
