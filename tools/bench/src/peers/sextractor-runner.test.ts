import { describe, expect, it } from 'vitest';
import { parseSExtractorCatalog, sextractorConfig, sextractorFilter } from './sextractor-runner.js';
import { peerThreshold, type DetectionBenchSettings } from './tool-run.js';

const settings: DetectionBenchSettings = {
  thresholdSigma: 5,
  minArea: 5,
  meshSize: 128,
  apertureRadius: 6,
  psfSigma: 1.5,
  kernel: [
    [0.25, 0.25],
    [0.25, 0.25],
  ],
  gain: 1,
  readNoise: 5,
  skyNoise: 4,
};

describe('SExtractor files', () => {
  it('reads an ASCII_HEAD catalog by column name and makes positions 0-based', () => {
    const text = [
      '#   1 NUMBER                 Running object number',
      '#   2 X_IMAGE                Object position along x                                    [pixel]',
      '#   3 Y_IMAGE                Object position along y                                    [pixel]',
      '#   4 FLUX_APER              Flux vector within fixed circular aperture(s)              [count]',
      '#   5 FLUXERR_APER           RMS error vector for aperture flux(es)                     [count]',
      '#   6 FLAGS                  Extraction flags',
      '         1   1001.5000   12.2500   5432.1   80.0  0',
      '         2      1.0000    1.0000   -12.5   33.0  16',
      '',
    ].join('\n');
    expect(parseSExtractorCatalog(text)).toEqual([
      { x: 1000.5, y: 11.25, apertureFlux: 5432.1 },
      { x: 0, y: 0, apertureFlux: -12.5 },
    ]);
    expect(() => parseSExtractorCatalog('#   1 NUMBER  n\n 1\n')).toThrow(/X_IMAGE/);
  });

  it('writes the shared settings into the configuration (aperture as a diameter)', () => {
    const text = sextractorConfig(settings, { param: 'p.param', filter: 'f.conv', catalog: 'c.cat' });
    const value = (key: string): string | undefined => new RegExp(`^${key}\\s+(\\S+)`, 'm').exec(text)?.[1];
    expect(value('DETECT_THRESH')).toBe('5.0000');
    expect(value('DETECT_MINAREA')).toBe('5');
    expect(value('BACK_SIZE')).toBe('128');
    expect(value('PHOT_APERTURES')).toBe('12');
    expect(value('FILTER_NAME')).toBe('f.conv');
    expect(value('CATALOG_TYPE')).toBe('ASCII_HEAD');
    expect(value('DETECT_THRESH')).toBe(value('ANALYSIS_THRESH'));
    expect(sextractorFilter(settings.kernel).split('\n')[0]).toBe('CONV NORM');
  });

  it('scales the matched threshold by √Σk², in counts of the sky noise', () => {
    expect(peerThreshold(settings, 'nominal')).toEqual({ sigmas: 5 });
    // four weights of 1/4: √(4/16) = 1/2
    const matched = peerThreshold(settings, 'matched');
    expect(matched.sigmas).toBeCloseTo(2.5, 15);
    expect(matched.noise).toBe(settings.skyNoise);
    const config = sextractorConfig(settings, { param: 'p', filter: 'f', catalog: 'c' }, matched);
    // 2.5 × 4 counts, ABSOLUTE
    expect(config).toMatch(/^THRESH_TYPE\s+ABSOLUTE$/m);
    expect(config).toMatch(/^DETECT_THRESH\s+10\.0000$/m);
    expect(config).toMatch(/^ANALYSIS_THRESH\s+10\.0000$/m);
    expect(sextractorConfig(settings, { param: 'p', filter: 'f', catalog: 'c' })).toMatch(/^THRESH_TYPE\s+RELATIVE$/m);
  });
});
