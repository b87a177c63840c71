// CharacterizeImageTask's names, config defaults, validation and connections (the
// characterization itself is tested on a synthetic exposure in test/characterize-image.test.ts).
import { describe, expect, it } from 'vitest';
import { CharacterizeImageConfig, CharacterizeImageTask } from './characterize-image-task.js';
import { CharacterizeImageError } from './errors.js';

describe('CharacterizeImageTask', () => {
  it('has LSST names, connections and defaults', () => {
    expect(CharacterizeImageTask._DefaultName).toBe('characterizeImage');
    const config = new CharacterizeImageConfig();
    expect(config.psfIterations).toBe(2);
    expect(config.useSimplePsf).toBe(true);
    expect(config.doMeasurePsf).toBe(true);
    expect(config.detection.thresholdValue).toBe(5);
    expect(config.detection.includeThresholdMultiplier).toBe(10);
    expect(config.detection.doTempLocalBackground).toBe(false);
    expect(config.measurement.plugins.names).toEqual(['base_PixelFlags', 'base_SdssCentroid', 'base_SdssShape', 'base_GaussianFlux', 'base_PsfFlux', 'base_CircularApertureFlux']);
    const c = new CharacterizeImageTask().makeConnections();
    expect([...c.inputs]).toEqual(['exposure']);
    expect([...c.outputs].sort()).toEqual(['backgroundModel', 'characterized', 'sourceCat']);
    const names = Object.fromEntries(['exposure', 'characterized', 'sourceCat', 'backgroundModel'].map((n) => [n, (c.get(n) as unknown as { name: string }).name]));
    expect(names).toEqual({ exposure: 'postISRCCD', characterized: 'icExp', sourceCat: 'icSrc', backgroundModel: 'icExpBackground' });
    expect([...(c.get('exposure') as unknown as { dimensions: readonly string[] }).dimensions]).toEqual(['instrument', 'exposure', 'detector']);
    expect([...(c.get('characterized') as unknown as { dimensions: readonly string[] }).dimensions]).toEqual(['instrument', 'visit', 'detector']);
  });

  it('refuses aperture corrections without PSF measurement', () => {
    const config = new CharacterizeImageConfig();
    config.doMeasurePsf = false;
    expect(() => new CharacterizeImageTask({ config })).toThrow(CharacterizeImageError);
    config.doApCorr = false;
    expect(() => new CharacterizeImageTask({ config })).not.toThrow();
  });
});
