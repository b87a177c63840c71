// CalibrateTask's names, config defaults and connections (the calibration itself is tested on a
// synthetic exposure in test/calibrate.test.ts).
import { describe, expect, it } from 'vitest';
import { CalibrateConfig, CalibrateTask } from './calibrate-task.js';

describe('CalibrateTask', () => {
  it('has LSST names, connections and defaults', () => {
    expect(CalibrateTask._DefaultName).toBe('calibrate');
    const config = new CalibrateConfig();
    expect(config.connections.astromRefCat).toBe('gaia_dr2_20200414');
    expect(config.connections.photoRefCat).toBe('ps1_pv3_3pi_20170110');
    expect(config.postCalibrationMeasurement.plugins.names).toEqual(['base_LocalPhotoCalib', 'base_LocalWcs']);
    expect(config.postCalibrationMeasurement.doReplaceWithNoise).toBe(false);
    const connections = new CalibrateTask({ config }).makeConnections();
    expect([...connections.inputs].sort()).toEqual(['background', 'exposure', 'icSourceCat']);
    expect([...connections.prerequisiteInputs].sort()).toEqual(['astromRefCat', 'photoRefCat']);
    expect([...connections.outputs].sort()).toEqual(['matches', 'matchesDenormalized', 'outputBackground', 'outputCat', 'outputExposure']);
    const astrom = connections.get('astromRefCat') as unknown as { deferLoad: boolean; multiple: boolean; dimensions: readonly string[]; storageClass: string };
    expect(astrom.deferLoad).toBe(true);
    expect(astrom.multiple).toBe(true);
    expect([...astrom.dimensions]).toEqual(['htm7']);
    expect(astrom.storageClass).toBe('SimpleCatalog');
    const off = new CalibrateConfig();
    off.doPhotoCal = false;
    off.doWriteMatchesDenormalized = false;
    const c2 = new CalibrateTask({ config: off }).makeConnections();
    expect([...c2.prerequisiteInputs]).toEqual(['astromRefCat']);
    expect([...c2.outputs].sort()).toEqual(['matches', 'outputBackground', 'outputCat', 'outputExposure']);
  });

});
