import { describe, expect, it } from 'vitest';
import { Instrument, instrumentModuleOf } from './instrument.js';
import { ObsBaseInvalidArgumentError, ObsBaseNotFoundError } from './errors.js';
import { TestCam } from '../test/test-cam.js';

describe('instrumentModuleOf', () => {
  it('reads module specifiers, aliases and the lsst.obs.<pkg> convention', () => {
    expect(instrumentModuleOf('@skystack/obs-sim#SimCam')).toEqual({ module: '@skystack/obs-sim', exportName: 'SimCam' });
    expect(instrumentModuleOf('./cams/my-cam.ts#MyCam')).toEqual({ module: './cams/my-cam.ts', exportName: 'MyCam' });
    expect(instrumentModuleOf('lsst.obs.subaru.HyperSuprimeCam')).toEqual({ module: '@skystack/obs-subaru', exportName: 'HyperSuprimeCam' });
    expect(instrumentModuleOf('lsst.obs.some_cam.instrument.SomeCam')).toEqual({ module: '@skystack/obs-some-cam', exportName: 'SomeCam' });
    expect(instrumentModuleOf('lsst.obs.x.Y', { 'lsst.obs.x.Y': 'my-pkg#Y2' })).toEqual({ module: 'my-pkg', exportName: 'Y2' });
    expect(() => instrumentModuleOf('SimCam')).toThrow(ObsBaseInvalidArgumentError);
  });
});

describe('Instrument', () => {
  const cam = new TestCam();

  it('names its collections as obs_base does', () => {
    expect(cam.makeDefaultRawIngestRunName()).toBe('TestCam/raw/all');
    expect(cam.makeCalibrationCollectionName()).toBe('TestCam/calib');
    expect(cam.makeCalibrationCollectionName('DM-1')).toBe('TestCam/calib/DM-1');
    expect(cam.makeUmbrellaCollectionName()).toBe('TestCam/defaults');
    expect(cam.makeCuratedCalibrationRunName('20250101')).toBe('TestCam/calib/curated/20250101');
    expect(cam.makeCollectionName('runs', 'x')).toBe('TestCam/runs/x');
    expect(cam.getName()).toBe('TestCam');
  });

  it('makes detector records and a raw formatter named by module specifier', () => {
    expect(cam.detectorRecord(cam.getCamera().get(1))).toEqual({ instrument: 'TestCam', id: 1, full_name: 'D1', name_in_raft: 'D1', raft: null, purpose: 'SCIENCE' });
    expect(cam.getRawFormatter().name).toBe('obs-base-test-cam#TestCamRawFormatter');
  });

  it('refuses to register a class name that fits no instrument record', async () => {
    class Long extends TestCam {
      override readonly className = `${'x'.repeat(70)}#Long`;
    }
    await expect(new Long().register({} as never)).rejects.toThrow(/at most 64 characters/);
  });

  it('imports instrument classes by name and says why one cannot be made', async () => {
    const importer = async (spec: string) => {
      if (spec === 'cams') return { TestCam, NotACam: class {}, value: 3 };
      throw new Error(`Cannot find module '${spec}'`);
    };
    expect(await Instrument.fromClassName('cams#TestCam', { importModule: importer })).toBeInstanceOf(TestCam);
    await expect(Instrument.fromClassName('cams#NotACam', { importModule: importer })).rejects.toThrow(/is not an Instrument class/);
    await expect(Instrument.fromClassName('cams#Missing', { importModule: importer })).rejects.toThrow(/has no export 'Missing'/);
    await expect(Instrument.fromClassName('nope#X', { importModule: importer })).rejects.toThrow(ObsBaseNotFoundError);
  });
});
