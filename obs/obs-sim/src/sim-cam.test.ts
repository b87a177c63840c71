import { Angle, Point2D, SpherePoint } from '@skystack/geom';
import { Camera, createInitialSkyWcsFromBoresight, Instrument } from '@skystack/obs-base';
import { describe, expect, it } from 'vitest';
import { makeSimCamDetectors } from './camera.js';
import { makeDefects } from './calibs.js';
import { makeDetectorSignature } from './detector-signature.js';
import { makeSimCamCamera, SimCam, SimCamRawFormatter, simCamDefects, SimCamSmall, simCamRadialCoeffs } from './sim-cam.js';
import { SIMCAM_DISTORTION, TrueWcs } from './true-wcs.js';
import { obsSimImportModule } from './make-repo.js';

const ARCSEC = Math.PI / (180 * 3600);

describe('simCamRadialCoeffs', () => {
  it('inverts the simulator distortion θ = s·r(1 + k1 r² + k2 r⁴) over the focal plane', () => {
    const camera = makeSimCamCamera();
    const { k1, k2, plateScaleArcsecPerMm } = SIMCAM_DISTORTION;
    const s = plateScaleArcsecPerMm * ARCSEC;
    for (let r = 0.5; r <= 35; r += 0.5) {
      const theta = s * r * (1 + k1 * r * r + k2 * r ** 4);
      const fp = camera.fieldAngleToFocalPlane(new Point2D(theta * 0.6, theta * 0.8));
      expect(Math.abs(Math.hypot(fp.x, fp.y) - r)).toBeLessThan(1e-9);
    }
  });

  it('starts as the analytic series inverse r = u − k1·u³ + (3k1² − k2)·u⁵ + …', () => {
    const c = simCamRadialCoeffs();
    const { k1, k2, plateScaleArcsecPerMm } = SIMCAM_DISTORTION;
    const s = plateScaleArcsecPerMm * ARCSEC;
    expect(c.slice(0, 3)).toEqual([0, 1, 0]);
    // c_p = d_p / s^(p−1) where d_p are the series coefficients in u = θ/s.
    expect(c[3]! * s ** 2).toBeCloseTo(-k1, 9);
    expect((c[5]! * s ** 4) / (3 * k1 * k1 - k2)).toBeCloseTo(1, 2);
  });
});

describe('SimCam', () => {
  it('is an Instrument with the LSST collection names and SimCam filters', async () => {
    const simcam = new SimCam();
    expect(simcam).toBeInstanceOf(Instrument);
    expect(simcam.getName()).toBe('SimCam');
    expect(simcam.makeDefaultRawIngestRunName()).toBe('SimCam/raw/all');
    expect(simcam.makeCalibrationCollectionName()).toBe('SimCam/calib');
    expect(simcam.makeUmbrellaCollectionName()).toBe('SimCam/defaults');
    expect([...simcam.filterDefinitions].map((f) => [f.physical_filter, f.band])).toEqual([
      ['SimCam-g', 'g'],
      ['SimCam-r', 'r'],
      ['SimCam-i', 'i'],
    ]);
    expect(simcam.getCamera().getNameIter()).toEqual(['S00', 'S01', 'S10', 'S11']);
    expect(simcam.getRawFormatter()).toBeInstanceOf(SimCamRawFormatter);
    expect(simcam.getRawFormatter().name).toBe('@skystack/obs-sim#SimCamRawFormatter');
    expect(new SimCamSmall().getCamera().get(0).bbox.getWidth()).toBe(512);
  });

  it('is found from its class name and from the LSST-style name lsst.obs.sim.SimCam', async () => {
    const a = await Instrument.fromClassName('@skystack/obs-sim#SimCam', { importModule: obsSimImportModule });
    const b = await Instrument.fromClassName('lsst.obs.sim.SimCam', { importModule: obsSimImportModule });
    const c = await Instrument.fromClassName('@skystack/obs-sim#SimCamSmall', { importModule: obsSimImportModule });
    expect(a).toBeInstanceOf(SimCam);
    expect(b).toBeInstanceOf(SimCam);
    expect((c as SimCam).detectorSize).toBe(512);
  });

  it('curates the simulator\'s bad columns as Defects, and the camera', async () => {
    const cals = await new SimCamSmall().makeCuratedCalibrations();
    expect(cals.map((c) => c.datasetTypeName)).toEqual(['defects', 'defects', 'defects', 'defects', 'camera']);
    expect(cals.at(-1)!.object).toBeInstanceOf(Camera);
    const [det] = makeSimCamDetectors({ size: 512, ids: [1] });
    const doc = makeDefects(makeDetectorSignature(det!, 1));
    const d = simCamDefects(1, { detectorSize: 512 });
    expect(d.boxes.map((b) => [b.minX, b.minY, b.width, b.height])).toEqual(doc.defects.map((x) => [x.x0, x.y0, x.width, x.height]));
    expect(d.metadata['DETECTOR']).toBe(1);
    // Another seed, other columns.
    expect(simCamDefects(1, { detectorSize: 512, seed: 2 }).boxes.map((b) => b.minX)).not.toEqual(d.boxes.map((b) => b.minX));
  });

  it('gives a full-size initial WCS within 1 mas of the true WCS; TAN alone misses the distortion (> 1.5″ at the outer corner)', () => {
    // The outer corner of S11 is at r ≈ 29.3 mm: s·k1·r³ ≈ 1.9″ of distortion. The order-4 SIP fit
    // of createInitialSkyWcs leaves a part of the r⁵ term (s·k2·r⁵ ≈ 0.1″ over the detector): < 1 mas.
    const camera = makeSimCamCamera();
    const undistorted = new Camera({ name: 'SimCam', detectors: [...camera], plateScaleArcsecPerMm: 20 });
    const pointing = { boresight: SpherePoint.fromDegrees(150.1, 2.1), rotPA: Angle.fromDegrees(-12) };
    const det = camera.get('S11');
    const truth = new TrueWcs(det, pointing);
    const sip = createInitialSkyWcsFromBoresight(pointing.boresight, pointing.rotPA, det, camera);
    const tan = createInitialSkyWcsFromBoresight(pointing.boresight, pointing.rotPA, det, undistorted);
    let worst = 0;
    let corner = 0;
    for (let y = -0.5; y <= 2047.5; y += 256) {
      for (let x = -0.5; x <= 2047.5; x += 256) {
        const [ra, dec] = truth.pixelToSky(x, y);
        const p = new SpherePoint(Angle.fromRadians(ra), Angle.fromRadians(dec));
        worst = Math.max(worst, sip.pixelToSky(x, y).separation(p).asArcseconds());
        if (x === 2047.5 && y === 2047.5) corner = tan.pixelToSky(x, y).separation(p).asArcseconds();
      }
    }
    expect(worst).toBeLessThan(0.001);
    expect(corner).toBeGreaterThan(1.5);
    expect(corner).toBeLessThan(2.2);
  });
});
