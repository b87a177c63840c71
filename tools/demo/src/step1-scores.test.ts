// Single-frame processing end to end, scored against the simulator's truth (issue 9's checks):
// a full-size SimCam simulation (one visit, two 2048² detectors, the preset's star density) →
// makeSimRepo (the butler commands) → `pipetask run -p DRP.yaml#step1` in this process → the
// demo's scoring. The expected values are the truth files the simulator wrote, never our output.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runPipetask } from '@skystack/ctrl-mpexec';
import { Butler } from '@skystack/daf-butler';
import { makeSimRepo, obsSimImportModule, simulate, type ExposureTruth } from '@skystack/obs-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectStep1Samples, scoreStep1, type Step1Samples, type Step1Scores } from './step1-report.js';

const PIPELINE = resolve(import.meta.dirname, '../../../obs/obs-sim/pipelines/DRP.yaml');
const OUTPUT = 'u/test/step1';

let dir = '';
let status = -1;
let log = '';
let samples: Step1Samples;
let scores: Step1Scores;
let butler: Butler | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'skystack-step1-scores-'));
  const simDir = join(dir, 'sim');
  const repo = join(dir, 'repo');
  await simulate({ out: simDir, size: 'full', visits: 1, detectors: [0, 1], bands: ['r'], seed: 4 });
  const truth = JSON.parse(readFileSync(join(simDir, 'truth/exposures.json'), 'utf8')) as ExposureTruth[];
  await makeSimRepo({ simDir, repo, transfer: 'symlink', onLine: () => undefined });
  const sink = { write: (s: string): boolean => ((log += s), true) };
  status = await runPipetask(['run', '-b', repo, '-i', 'SimCam/defaults', '-o', OUTPUT, '-p', `${PIPELINE}#step1`, '-j', '1', '--register-dataset-types'], { stdout: sink, stderr: sink });
  butler = await Butler.from(repo, { collections: OUTPUT, importModule: obsSimImportModule });
  samples = await collectStep1Samples({ butler, simDir, truth, output: OUTPUT });
  scores = scoreStep1(samples);
  console.info(`step1 scores: astrometry ${scores.astrometry.scatterMas.toFixed(1)} mas (N = ${scores.astrometry.n}); photometry S/N >= 100 ${scores.photometry.scatterMmag.toFixed(1)} mmag (photon noise ${scores.photonNoiseMmag.toFixed(1)}), S/N >= 500 ${scores.veryBright.photometry.scatterMmag.toFixed(1)} mmag (noise ${scores.veryBright.photonNoiseMmag.toFixed(1)}, N = ${scores.veryBright.photometry.n}); completeness S/N >= 10 ${(100 * scores.completeness.snr10.fraction).toFixed(1)}%; sky pull median ${scores.skyPull.median.toFixed(3)}, sigma_MAD ${scores.skyPull.sigmaMad.toFixed(3)}`);
}, 300_000);

afterAll(async () => {
  await butler?.close();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('step1 on a simulated SimCam visit, scored against the truth', () => {
  it('ran every quantum and wrote calexp, src and sourceTable for both detectors', () => {
    expect(status, log.split('\n').filter((l) => l.startsWith('ERROR')).join('\n')).toBe(0);
    expect(samples.rows.map((r) => [r.calexp, r.sourceTable])).toEqual([
      ['yes', true],
      ['yes', true],
    ]);
    expect(samples.problems).toEqual([]);
  });

  it('puts bright stars within 10 mas of their true positions (σ_MAD per axis)', () => {
    expect(scores.astrometry.n).toBeGreaterThan(40);
    expect(scores.astrometry.scatterMas).toBeLessThan(10);
    expect(Math.abs(scores.astrometry.medianEastMas)).toBeLessThan(5);
    expect(Math.abs(scores.astrometry.medianNorthMas)).toBeLessThan(5);
  });

  it('adds less than 5 mmag to the photon noise of bright stars (S/N >= 500), with no zero-point offset', () => {
    // Photon noise (1-2 mmag) leaves the pipeline's own errors visible on these stars; the
    // S/N >= 100 figure (demo: 3.8 mmag beyond the noise over 356 stars) is too noisy on one visit.
    const v = scores.veryBright;
    expect(v.photometry.n).toBeGreaterThanOrEqual(10);
    expect(v.beyondNoiseMmag).toBeLessThan(5);
    expect(Math.abs(v.photometry.offsetMmag)).toBeLessThan(5);
    expect(Math.abs(scores.photometry.offsetMmag)).toBeLessThan(5);
  });

  it('detects at least 90% of the sources at S/N >= 10, and sources down to 5 sigma', () => {
    expect(scores.completeness.snr10.fraction).toBeGreaterThanOrEqual(0.9);
    expect(scores.completeness.snr5to10.n).toBeGreaterThan(100);
    expect(scores.completeness.snr5to10.fraction).toBeGreaterThan(0.5);
  });

  it('gives sky sources fluxes centred on zero within their error, with errors that match the scatter', () => {
    const pull = scores.skyPull;
    expect(pull.n).toBe(200);
    // The median of N unit Gaussians has a standard error of 1.2533 / √N (0.089 for 200).
    expect(Math.abs(pull.median)).toBeLessThan(3 * (1.2533 / Math.sqrt(pull.n)));
    expect(pull.sigmaMad).toBeGreaterThan(0.85);
    expect(pull.sigmaMad).toBeLessThan(1.25);
  });
});
