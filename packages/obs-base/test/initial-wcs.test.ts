import { RotType, VisitInfo } from '@skystack/afw-image';
import { Angle, Point2D, SpherePoint } from '@skystack/geom';
import { describe, expect, it } from 'vitest';
import { Camera, createInitialSkyWcs, ObsBaseInvalidArgumentError } from '../src/index.js';
import { DETECTOR_LAYOUT, PIXEL_SIZE_MM, PLATE_SCALE, TestCam } from './test-cam.js';

const boresight = SpherePoint.fromDegrees(45, -30);
const visitInfo = new VisitInfo({ boresightRaDec: boresight, boresightRotAngle: Angle.fromDegrees(20), rotType: RotType.SKY });

/** The pixel of a focal-plane point, from the layout constants (not from Camera). */
function pixelOfFocalPlane(d: (typeof DETECTOR_LAYOUT)[number], fpX: number, fpY: number): [number, number] {
  const yaw = (d.yawDeg * Math.PI) / 180;
  const dx = fpX - d.fp.x;
  const dy = fpY - d.fp.y;
  // Inverse rotation, then mm → pixels about the reference point (31.5, 31.5).
  const u = Math.cos(yaw) * dx + Math.sin(yaw) * dy;
  const v = -Math.sin(yaw) * dx + Math.cos(yaw) * dy;
  return [u / PIXEL_SIZE_MM + 31.5, v / PIXEL_SIZE_MM + 31.5];
}

describe('createInitialSkyWcs', () => {
  const instrument = new TestCam();
  const camera = instrument.getCamera();

  it('puts the boresight at the pixel of the focal-plane origin of each detector', () => {
    for (const d of DETECTOR_LAYOUT) {
      const wcs = createInitialSkyWcs(visitInfo, camera.get(d.id), camera);
      const [x, y] = pixelOfFocalPlane(d, 0, 0);
      const p = wcs.skyToPixel(boresight);
      expect(p.x).toBeCloseTo(x, 6);
      expect(p.y).toBeCloseTo(y, 6);
    }
  });

  it('has the plate scale times the pixel size as pixel scale, and +Y at the rotation angle east of north', () => {
    const d = camera.get(0);
    const wcs = createInitialSkyWcs(visitInfo, d, camera);
    expect(wcs.getPixelScale(new Point2D(31.5, 31.5)).asArcseconds()).toBeCloseTo(PLATE_SCALE * PIXEL_SIZE_MM, 4);
    // At the boresight, detector 0 (no yaw): +y points to position angle 20° (bearing, from
    // east towards north, 70°), +x to position angle 290° (east to the left of +y).
    const [x0, y0] = pixelOfFocalPlane(DETECTOR_LAYOUT[0], 0, 0);
    const bearing = (w: typeof wcs, dx: number, dy: number, x: number, y: number): number => w.pixelToSky(x, y).bearingTo(w.pixelToSky(x + dx, y + dy)).asDegrees();
    expect(bearing(wcs, 0, 0.01, x0, y0)).toBeCloseTo(70, 4);
    expect(bearing(wcs, 0.01, 0, x0, y0)).toBeCloseTo(160, 4);
    // Detector 1 is rotated by 90°: its +x points along the focal plane's +y.
    const w1 = createInitialSkyWcs(visitInfo, camera.get(1), camera);
    const [x1, y1] = pixelOfFocalPlane(DETECTOR_LAYOUT[1], 0, 0);
    expect(bearing(w1, 0.01, 0, x1, y1)).toBeCloseTo(70, 4);
  });

  it('flips x on request (east to the left otherwise, as afw)', () => {
    const d = camera.get(0);
    expect(createInitialSkyWcs(visitInfo, d, camera).isFlipped).toBe(false);
    const flipped = createInitialSkyWcs(visitInfo, d, camera, { flipX: true });
    expect(flipped.isFlipped).toBe(true);
    const p = flipped.skyToPixel(boresight);
    const [x, y] = pixelOfFocalPlane(DETECTOR_LAYOUT[0], 0, 0);
    expect(p.x).toBeCloseTo(x, 6);
    expect(p.y).toBeCloseTo(y, 6);
  });

  it('fits a TAN-SIP WCS for a camera with radial distortion', () => {
    const distorted = new Camera({ name: 'D', detectors: [...camera], plateScaleArcsecPerMm: 2000, radialCoeffs: [0, 1, 0, 50] });
    const d = distorted.get(0);
    const wcs = createInitialSkyWcs(visitInfo, d, distorted);
    for (const [x, y] of [
      [0, 0],
      [63, 63],
      [10, 50],
    ] as const) {
      // Independent: field angle from the polynomial inverted by bisection.
      const fp = distorted.pixelsToFocalPlane(d, new Point2D(x, y));
      const r = Math.hypot(fp.x, fp.y);
      const s = (2000 / 3600) * (Math.PI / 180);
      let lo = 0;
      let hi = r * s;
      for (let i = 0; i < 200; i++) {
        const mid = (lo + hi) / 2;
        if ((mid + 50 * mid ** 3) / s < r) lo = mid;
        else hi = mid;
      }
      const theta = lo;
      const fx = (fp.x / r) * theta;
      const fy = (fp.y / r) * theta;
      const o = (20 * Math.PI) / 180;
      const xi = -Math.cos(o) * fx + Math.sin(o) * fy;
      const eta = Math.sin(o) * fx + Math.cos(o) * fy;
      const expected = boresight.offset(Angle.fromRadians(Math.atan2(eta, xi)), Angle.fromRadians(Math.atan(Math.hypot(xi, eta))));
      expect(wcs.pixelToSky(x, y).separation(expected).asArcseconds()).toBeLessThan(0.01);
    }
  });

  it('needs a boresight and a SKY rotation', () => {
    expect(() => createInitialSkyWcs(new VisitInfo({ boresightRaDec: boresight }), camera.get(0), camera)).toThrow(ObsBaseInvalidArgumentError);
    expect(() => createInitialSkyWcs(new VisitInfo(), camera.get(0), camera)).toThrow(/no boresight/);
  });
});
