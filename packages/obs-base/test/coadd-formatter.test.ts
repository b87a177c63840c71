// A coadd-like Exposure through the Butler and FitsExposureFormatter: its CoaddPsf and CoaddInputs
// come back decoded (the formatter's registry has the meas-algorithms readers).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoaddInputs, Exposure, GaussianPsf, getCoaddInputs, setCoaddInputs } from '@skystack/afw-image';
import { Butler, DatasetType } from '@skystack/daf-butler';
import { Angle, Box2I, Extent2I, Point2D, Point2I, SpherePoint } from '@skystack/geom';
import { CoaddPsf } from '@skystack/meas-algorithms';
import { makeCdMatrix, makeSkyWcs } from '@skystack/wcs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testImporter } from './test-cam.js';

const dataId = { instrument: 'Cam', visit: 1, detector: 2 };
const crval = SpherePoint.fromDegrees(150, 2);
const coaddWcs = makeSkyWcs(new Point2D(50, 40), crval, makeCdMatrix(Angle.fromArcseconds(0.2)));

function makeCoadd(): { exposure: Exposure<Float32Array>; psf: CoaddPsf } {
  const inputs = new CoaddInputs();
  for (const [id, sigma, weight, shift] of [[7, 1.7, 1, 0], [8, 2.1, 2, 30]] as const) {
    const r = inputs.ccds.addNew();
    r.setId(id);
    r.setBBox(new Box2I(new Point2I(0, 0), new Point2I(99, 79)));
    r.set('weight', weight);
    r.set('goodpix', 8000);
    r.setComponent('wcs', makeSkyWcs(new Point2D(50 - shift, 40), crval, makeCdMatrix(Angle.fromArcseconds(0.2))));
    r.setComponent('psf', new GaussianPsf(25, 25, sigma));
  }
  const psf = new CoaddPsf(inputs.ccds, coaddWcs);
  const exposure = Exposure.make('float32', new Extent2I(100, 80));
  exposure.setWcs(coaddWcs);
  exposure.setPsf(psf);
  setCoaddInputs(exposure.getInfo(), inputs);
  return { exposure, psf };
}

describe('a coadd through the Butler (FitsExposureFormatter)', () => {
  let root: string;
  let butler: Butler;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'obs-coadd-'));
    await Butler.makeRepo(root);
    butler = await Butler.from(root, { run: 'u/test', importModule: testImporter });
    const reg = butler.registry;
    await reg.insertDimensionData('instrument', [{ name: 'Cam', visit_max: 10, exposure_max: 10, detector_max: 4 }]);
    await reg.insertDimensionData('physical_filter', [{ instrument: 'Cam', name: 'Cam-r', band: 'r' }]);
    await reg.insertDimensionData('day_obs', [{ instrument: 'Cam', id: 20250302 }]);
    await reg.insertDimensionData('detector', [{ instrument: 'Cam', id: 2, full_name: 'd2' }]);
    await reg.insertDimensionData('visit', [{ instrument: 'Cam', id: 1, name: 'v1', physical_filter: 'Cam-r', day_obs: 20250302 }]);
    // A coadd-like ExposureF (the dimensions are the test camera's; the formatter is the same).
    await reg.registerDatasetType(new DatasetType('coaddLike', ['instrument', 'visit', 'detector'], 'ExposureF', { universe: butler.universe }));
  });
  afterAll(async () => {
    await butler.close();
    await rm(root, { recursive: true, force: true });
  });

  it('gives back the CoaddPsf (same kernel images) and the CoaddInputs, whole and as components', async () => {
    const { exposure, psf } = makeCoadd();
    await butler.put(exposure, 'coaddLike', dataId);
    const back = (await butler.get('coaddLike', dataId)) as Exposure<Float32Array>;
    const backPsf = back.getPsf();
    expect(backPsf).toBeInstanceOf(CoaddPsf);
    for (const p of [new Point2D(50, 40), new Point2D(20, 10), new Point2D(90, 70)]) {
      const a = psf.computeKernelImage(p).array.data;
      const b = backPsf!.computeKernelImage(p).array.data;
      expect(b.length).toBe(a.length);
      let d = 0;
      for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
      expect(d).toBeLessThan(1e-12);
    }
    expect(getCoaddInputs(back.getInfo())?.ccds.length).toBe(2);
    const component = await butler.get('coaddLike.psf', dataId);
    expect(component).toBeInstanceOf(CoaddPsf);
    expect((component as CoaddPsf).getComponentCount()).toBe(2);
    const inputs = (await butler.get('coaddLike.coaddInputs', dataId)) as CoaddInputs;
    expect(inputs).toBeInstanceOf(CoaddInputs);
    expect(Array.from(inputs.ccds, (r) => r.getId())).toEqual([7n, 8n]);
  });
});
