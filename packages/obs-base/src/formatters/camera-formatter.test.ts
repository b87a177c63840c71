import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Butler, DatasetType } from '@skystack/daf-butler';
import { Point2D } from '@skystack/geom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCamera, testImporter } from '../../test/test-cam.js';
import { Camera } from '../camera.js';
import { ObsBaseFormatterError } from '../errors.js';
import { cameraFromJson, cameraToJson } from './camera-formatter.js';

describe('CameraFormatter', () => {
  let root: string;
  let butler: Butler;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'obscamera-'));
    await Butler.makeRepo(root);
    butler = await Butler.from(root, { run: 'u/test', importModule: testImporter });
    await butler.registry.insertDimensionData('instrument', [{ name: 'TestCam', visit_max: 10, exposure_max: 10, detector_max: 4 }]);
    await butler.registry.registerDatasetType(new DatasetType('camera', ['instrument'], 'Camera', { universe: butler.universe, isCalibration: true }));
  });
  afterAll(async () => {
    await butler.close();
    await rm(root, { recursive: true, force: true });
  });

  it('round-trips a camera with radial distortion through a Butler as JSON', async () => {
    const t = makeTestCamera();
    const camera = new Camera({ name: t.name, detectors: [...t], plateScaleArcsecPerMm: 200, radialCoeffs: [0, 1, 0, -3.5] });
    const ref = await butler.put(camera, 'camera', { instrument: 'TestCam' });
    const uri = await butler.getURI(ref);
    expect(uri).toMatch(/\.json$/);
    const doc = JSON.parse(await readFile(uri.replace(/^file:\/\//, ''), 'utf8')) as { detectors: { name: string; amplifiers: unknown[] }[] };
    expect(doc.detectors.map((d) => d.name)).toEqual(['D0', 'D1']);
    const back = (await butler.get('camera', { instrument: 'TestCam' })) as Camera;
    expect(back).toBeInstanceOf(Camera);
    expect(back.radialCoeffs).toEqual([0, 1, 0, -3.5]);
    expect(back.plateScale.asArcseconds()).toBeCloseTo(200, 10);
    for (const d of camera) {
      const e = back.get(d.id);
      expect(e.name).toBe(d.name);
      expect(e.bbox.equals(d.bbox)).toBe(true);
      expect(e.amplifiers.map((a) => [a.name, a.gain, a.rawFlipX, a.rawDataBBox.toString(), a.rawXYOffset.x])).toEqual(
        d.amplifiers.map((a) => [a.name, a.gain, a.rawFlipX, a.rawDataBBox.toString(), a.rawXYOffset.x]),
      );
      // Same geometry: a pixel maps to the same field angle (D1 is rotated by 90°: fp = centre + R·(p − ref)·size).
      const p = new Point2D(3, 50);
      const fa = camera.focalPlaneToFieldAngle(camera.pixelsToFocalPlane(d, p));
      const fb = back.focalPlaneToFieldAngle(back.pixelsToFocalPlane(e, p));
      expect(fb.x).toBeCloseTo(fa.x, 14);
      expect(fb.y).toBeCloseTo(fa.y, 14);
    }
    // Independent check of the kept orientation: D1 (yaw 90°) puts pixel (ref.x + 10, ref.y) 10 pixels up in the focal plane.
    const fp = back.pixelsToFocalPlane(back.get(1), new Point2D(41.5, 31.5));
    expect(fp.x).toBeCloseTo(0.6, 12);
    expect(fp.y).toBeCloseTo(0.1 + 10 * 0.015, 12);
  });

  it('rejects documents that are not cameras', () => {
    expect(() => cameraFromJson({ format: 'other' })).toThrow(ObsBaseFormatterError);
    expect(() => cameraFromJson({ ...cameraToJson(makeTestCamera()), version: 99 })).toThrow(/version 99/);
  });
});
