// SimCam's DRP pipeline (pipelines/DRP.yaml): it loads with its step1 subset, and its `isr`
// label runs with pipetask (in process) over a repository made by makeSimRepo from the small
// preset; the postISRCCD images are checked against the simulator's truth (sky level, amplifier
// gains absorbed by the flat, bad columns masked and interpolated).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Exposure } from '@skystack/afw-image';
import { runPipetask } from '@skystack/ctrl-mpexec';
import { Butler } from '@skystack/daf-butler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSimRepo, obsSimImportModule, simulate, type DefectsDocument, type ExposureTruth } from '../src/index.js';

const PIPELINE = resolve(import.meta.dirname, '../pipelines/DRP.yaml');
const OUTPUT = 'u/test/step1';
/** The inputs: SimCam/defaults (raws, the CALIBRATION collection SimCam/calib, refcats). */
const INPUTS = 'SimCam/defaults';

let dir = '';
let sim = '';
let repo = '';
let truth: ExposureTruth[] = [];
let status = -1;
let stdout = '';
let stderr = '';
let summary: { status: string; quantaReports: { taskLabel: string; status: string; dataId: Record<string, unknown> }[] };
let butler: Butler;
const savedModulePaths = process.env['SKYSTACK_MODULE_PATHS'];

async function pipetask(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = {
    stdout: { write: (s: string): boolean => ((out += s), true) },
    stderr: { write: (s: string): boolean => ((err += s), true) },
  };
  const s = await runPipetask(argv, io);
  return { status: s, out, err };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'obs-sim-step1-'));
  sim = join(dir, 'sim');
  repo = join(dir, 'repo');
  await simulate({ out: sim, size: 'small', seed: 1 });
  truth = JSON.parse(readFileSync(join(sim, 'truth/exposures.json'), 'utf8')) as ExposureTruth[];
  await makeSimRepo({ simDir: sim, repo });
  // The raws' formatter (@skystack/obs-sim#SimCamSmallRawFormatter) is imported by the Butler
  // pipetask opens: resolve it from this package.
  process.env['SKYSTACK_MODULE_PATHS'] = resolve(import.meta.dirname, '..');
  const summaryFile = join(dir, 'summary.json');
  const r = await pipetask('run', '-b', repo, '-i', INPUTS, '-o', OUTPUT, '-p', `${PIPELINE}#isr`, '-j', '1', '--register-dataset-types', '--summary', summaryFile);
  status = r.status;
  stdout = r.out;
  stderr = r.err;
  summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as typeof summary;
  butler = await Butler.from(repo, { collections: OUTPUT, importModule: obsSimImportModule });
}, 120000);

afterAll(async () => {
  if (savedModulePaths === undefined) delete process.env['SKYSTACK_MODULE_PATHS'];
  else process.env['SKYSTACK_MODULE_PATHS'] = savedModulePaths;
  await butler?.close();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

/** Median of the finite values. */
function median(values: number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const h = v.length >> 1;
  return v.length % 2 === 1 ? v[h]! : 0.5 * (v[h - 1]! + v[h]!);
}

/** Pixel values of columns [x0, x1) over rows [y0, y1), PARENT coordinates. */
function pixels(exp: Exposure, x0: number, x1: number, y0: number, y1: number): number[] {
  const out: number[] = [];
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) out.push(exp.image.get(x, y));
  return out;
}

describe('SimCam DRP.yaml', () => {
  it('loads: step1 holds the single-frame labels; the step is sharded by visit and detector', async () => {
    const r = await pipetask('build', '-p', `${PIPELINE}#step1`, '--show', 'pipeline');
    // build loads every task class by its LSST name (resolved from the repository root).
    const text = readFileSync(PIPELINE, 'utf8');
    for (const label of ['isr', 'characterizeImage', 'calibrate', 'writeSourceTable', 'transformSourceTable']) expect(text).toMatch(new RegExp(`^  ${label}:`, 'm'));
    expect(text).toMatch(/step1:\n {4}subset:\n {6}- isr\n {6}- characterizeImage\n {6}- calibrate\n {6}- writeSourceTable\n {6}- transformSourceTable\n/);
    expect(text).toMatch(/steps:\n {2}- label: step1\n {4}dimensions: \[visit, detector\]/);
    expect(r.status, r.err).toBe(0);
    expect(r.out).toContain('lsst.pipe.tasks.calibrate.CalibrateTask');
    expect(r.out).toContain('lsst.pipe.tasks.characterizeImage.CharacterizeImageTask');
  });

  it('pipetask run #isr succeeded on every (exposure, detector) and printed the summary table', () => {
    expect(status, stderr).toBe(0);
    expect(stdout).toMatch(/task\s+succeeded\s+failed\s+blocked\s+skipped/);
    expect(stdout).toMatch(new RegExp(`isr\\s+${truth.length}\\s+0\\s+0\\s+0`));
    expect(summary.status).toBe('success');
    expect(summary.quantaReports).toHaveLength(truth.length);
    expect(summary.quantaReports.every((q) => q.taskLabel === 'isr' && q.status === 'successful')).toBe(true);
  });

  it('wrote postISRCCD for every (exposure, detector) of the simulation', async () => {
    const refs = await butler.registry.queryDatasets('postISRCCD', { collections: OUTPUT, findFirst: true }).toArray();
    const got = refs.map((r) => `${String(r.dataId.get('exposure'))}/${String(r.dataId.get('detector'))}`).sort();
    const want = truth.map((t) => `${t.exposureId}/${t.detector}`).sort();
    expect(got).toEqual(want);
  });

  it('took the certified bias, dark and flat: the sky is the true sky in ADU, the same on both amplifiers', async () => {
    for (const t of truth) {
      const exp = (await butler.get('postISRCCD', { instrument: 'SimCam', exposure: t.exposureId, detector: t.detector })) as Exposure;
      const { width, height } = exp.image;
      // True sky per pixel in the ISR-processed image: electrons (unit response) → nJy → ADU
      // through the true PhotoCalib (SimCam's calibration convention, obs-sim README).
      const skyAdu = t.skyElectronsPerPixel / t.electronsPerNanojansky / t.photoCalib.calibrationMean;
      const cx = width >> 1;
      const cy = height >> 1;
      const centre = median(pixels(exp, cx - 64, cx + 64, cy - 64, cy + 64));
      // Sources push the median up a little and the sky has a gentle gradient: 0.5%. Without the
      // bias the level would be ~1000 ADU higher; without the flat off by the gain (~1.6×).
      expect(Math.abs(centre / skyAdu - 1), `${t.exposureId}/${t.detector}: median ${centre} vs sky ${skyAdu}`).toBeLessThan(0.005);
      // The two amplifiers meet at the centre column; their gains differ by up to 14%, which the
      // flat absorbs: the levels either side agree to 1%.
      const left = median(pixels(exp, cx - 48, cx - 8, 0, height));
      const right = median(pixels(exp, cx + 8, cx + 48, 0, height));
      expect(Math.abs(left / right - 1), `${t.exposureId}/${t.detector}: ${left} | ${right}`).toBeLessThan(0.01);
    }
  });

  it('took the curated defects: the bad columns are masked BAD and INTRP and interpolated to the sky', async () => {
    for (const t of truth) {
      const doc = JSON.parse(readFileSync(join(sim, `calib/defects/SimCam_defects_det${String(t.detector).padStart(2, '0')}.json`), 'utf8')) as DefectsDocument;
      const exp = (await butler.get('postISRCCD', { instrument: 'SimCam', exposure: t.exposureId, detector: t.detector })) as Exposure;
      const bad = exp.mask.getPlaneBitMask('BAD');
      const intrp = exp.mask.getPlaneBitMask('INTRP');
      expect(doc.defects.length).toBeGreaterThan(0);
      for (const box of doc.defects) {
        let flagged = 0;
        let n = 0;
        for (let y = box.y0; y < box.y0 + box.height; y++) {
          for (let x = box.x0; x < box.x0 + box.width; x++) {
            const m = exp.mask.get(x, y);
            if ((m & bad) !== 0 && (m & intrp) !== 0) flagged++;
            n++;
          }
        }
        expect(flagged, `${t.exposureId}/${t.detector} ${box.kind} column ${box.x0}`).toBe(n);
        // Interpolated: a dead (0) or hot column would be far from its neighbours' level.
        const col = median(pixels(exp, box.x0, box.x0 + 1, box.y0, box.y0 + box.height));
        const nb = median([...pixels(exp, box.x0 - 3, box.x0 - 1, box.y0, box.y0 + box.height), ...pixels(exp, box.x0 + 2, box.x0 + 4, box.y0, box.y0 + box.height)]);
        expect(Math.abs(col / nb - 1), `${box.kind} column ${box.x0}: ${col} vs ${nb}`).toBeLessThan(0.02);
      }
      // A column with no defect is not masked BAD.
      const clean = [...Array(exp.image.width).keys()].find((x) => doc.defects.every((b) => Math.abs(b.x0 - x) > 2))!;
      expect(exp.mask.get(clean, exp.image.height >> 1) & bad).toBe(0);
    }
  });
});
