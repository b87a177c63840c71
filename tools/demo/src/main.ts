// `pnpm demo [--out DIR] [--visits N] [--detectors 0,1] [-j N] [--seed S] [--star-density N] [--patches N]`:
// SkyStack end to end on a simulated field. It simulates SimCam raws in g, r and i with their
// truth (obs-sim), makes a Butler repository of them (makeSimRepo: the butler commands) and
// registers SimCam's sky map (obs/obs-sim/config/makeSkyMap.py), runs single-frame processing
// (step1 of obs/obs-sim/pipelines/DRP.yaml) and then coadd processing (step3) on the patches
// with the most inputs with pipetask, and scores the results against the truth: sources per
// exposure, astrometric and photometric scatter of bright stars, completeness, sky sources;
// coadd astrometry and photometry, star/galaxy separation, depth gain; and PNGs (a calexp, a
// coadd, a colour-colour diagram). What cannot run yet is reported as not available, never
// estimated.
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Display, Figure } from '@skystack/afw-display';
import type { Exposure } from '@skystack/afw-image';
import { runPipetask, type PipetaskIo } from '@skystack/ctrl-mpexec';
import { Butler, runButler } from '@skystack/daf-butler';
import { makeSimRepo, obsSimImportModule, simulate, type ExposureTruth } from '@skystack/obs-sim';
import { butlerCommands } from '@skystack/pipe-tasks';
import { sampleStats } from './score.js';
import { BRIGHT_SNR, MATCH_RADIUS_PX, VERY_BRIGHT_SNR, collectStep1Samples, scoreStep1 } from './step1-report.js';
import { COADD_BRIGHT_SNR, COLOUR_SNR, STAR_GALAXY_MIN_SNR, STAR_GALAXY_SNR, choosePatches, collectStep3Samples, scoreStep3, summarizeDepth, type DepthRow } from './step3-report.js';

const DEMO_DIR = resolve(import.meta.dirname, '..');
const REPO_ROOT = resolve(DEMO_DIR, '../..');
const PIPELINE = join(REPO_ROOT, 'obs/obs-sim/pipelines/DRP.yaml');
const STEP1 = ['isr', 'characterizeImage', 'calibrate', 'writeSourceTable', 'transformSourceTable'] as const;
const OUTPUT = 'u/demo/step1';
/** The pipeline's inputs, what a user names: `SimCam/defaults` (raws, the CALIBRATION collection SimCam/calib, refcats). */
const INPUTS = 'SimCam/defaults';
/** SimCam's sky map config, as LSST obs packages ship one, and the name it registers. */
const SKYMAP_CONFIG = join(REPO_ROOT, 'obs/obs-sim/config/makeSkyMap.py');
const SKYMAP = 'simcam';
const STEP2A_OUTPUT = 'u/demo/step2a';
const STEP3_OUTPUT = 'u/demo/step3';
const BANDS = ['g', 'r', 'i'];

const out = (line = ''): void => void process.stdout.write(`${line}\n`);
/** A path as the user would type it: relative to the working directory when inside it. */
const shown = (p: string): string => {
  const r = relative(process.cwd(), p);
  return r === '' ? '.' : r.startsWith('..') ? p : r;
};
const fmt = (v: number, digits = 1): string => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');

const { values: opts } = parseArgs({
  options: {
    out: { type: 'string' },
    visits: { type: 'string', default: '6' },
    detectors: { type: 'string', default: '0,1' },
    processes: { type: 'string', short: 'j', default: '2' },
    seed: { type: 'string', default: '1' },
    'star-density': { type: 'string' },
    patches: { type: 'string', default: '3' },
    'report-only': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  out('pnpm demo [--out DIR] [--visits N] [--detectors 0,1] [-j N] [--seed S] [--star-density N] [--patches N] [--report-only]');
  out('  Simulates SimCam raws (N visits in g, r then i, default 6; 2048x2048 detectors), makes a Butler repository');
  out('  and registers the sky map of obs/obs-sim/config/makeSkyMap.py, runs step1 of obs/obs-sim/pipelines/DRP.yaml');
  out('  and then step2a (visit summaries) and step3 (coadds, object tables) with pipetask, and scores both against the truth.');
  out('  --star-density N: stars per square degree with 16 < r < 25 (default 32000, the full preset\'s).');
  out('  --patches N: how many patches step3 processes: those with the most inputs in every band (default 3; 0 skips step3).');
  out('  --report-only: score what an earlier run wrote into --out DIR again (no simulation, no pipetask).');
  process.exit(0);
}
const visits = Number(opts.visits);
const detectors = opts.detectors.split(',').map(Number);
const processes = Number(opts.processes);
const seed = Number(opts.seed);
const nPatches = Number(opts.patches);
if (!Number.isInteger(nPatches) || nPatches < 0) {
  process.stderr.write(`pnpm demo: --patches takes a non-negative integer; got '${opts.patches}'.\n`);
  process.exit(2);
}
if (opts['star-density'] !== undefined && !(Number(opts['star-density']) >= 0)) {
  process.stderr.write(`pnpm demo: --star-density takes a non-negative number of stars per square degree; got '${opts['star-density']}'.\n`);
  process.exit(2);
}
const outDir = resolve(opts.out ?? mkdtempSync(join(tmpdir(), 'skystack-demo-')));
mkdirSync(outDir, { recursive: true });
const simDir = join(outDir, 'sim');
const repo = join(outDir, 'repo');

const stages: { name: string; seconds: number }[] = [];
async function stage<T>(name: string, f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await f();
  } finally {
    stages.push({ name, seconds: (performance.now() - t0) / 1000 });
  }
}

out('SkyStack demo: simulate -> Butler repository -> pipetask step1, step2a, step3 -> scores against the truth');
out('================================================================================================');
out(`Output directory: ${outDir}`);
out();

const truthFile = join(simDir, 'truth/exposures.json');
const summaryFile = join(outDir, 'pipetask-summary.json');
const qgraphFile = join(outDir, 'step1.qgraph');
const summary3File = join(outDir, 'pipetask-summary-step3.json');
const qgraph3File = join(outDir, 'step3.qgraph');
let step3Argv: string[] | undefined;
let reportPatch: number | undefined;
const unavailable: { labels: string; reason: string }[] = [];
let missing: string[] = [];
let chosen: { labels: readonly string[]; name: string } | undefined;
if (opts['report-only']) {
  out(`Scoring the earlier run in ${outDir} again (--report-only).`);
  out();
} else {
  // 1. Simulate.
  out(`1. Simulating SimCam: ${visits} visits (${BANDS.join(', ')} in turn) x ${detectors.length} detectors of 2048 x 2048 pixels (seed ${seed})`);
  const manifest = await stage('simulate', () => simulate({ out: simDir, size: 'full', visits, detectors, bands: BANDS, seed, ...(opts['star-density'] !== undefined && { starDensity: Number(opts['star-density']) }) }));
  const nTruth = (JSON.parse(readFileSync(truthFile, 'utf8')) as ExposureTruth[]).reduce((n, t) => n + t.nSources, 0);
  out(`   ${manifest.raws.length} raws, ${manifest.calibs.length} master calibrations, truth for ${nTruth} sources, refcat in ${shown(join(simDir, 'refcats'))}`);
  out();

  // 2. Repository.
  out('2. Making the Butler repository (makeSimRepo: the butler commands a user runs; files symlinked from sim/)');
  const made = await stage('make-repo', () => makeSimRepo({ simDir, repo, processes, transfer: 'symlink', onLine: () => undefined }));
  out(`   ${made.steps.filter((s) => !s.skipped).length} butler commands, e.g.:`);
  for (const s of made.steps.filter((x) => ['register-instrument', 'ingest-raws', 'certify-calibrations'].includes(x.argv[0] ?? '')).slice(0, 3)) out(`     pnpm butler ${s.argv.join(' ')}`);
  out(`   instrument ${made.instrumentClass}; umbrella collection ${made.defaults}`);
  // The sky map (LSST obs packages ship config/makeSkyMap.py; SimCam's is one tract over the field).
  const regArgv = ['register-skymap', repo, '-C', SKYMAP_CONFIG];
  let regLog = '';
  const regSink = { write: (s: string): boolean => ((regLog += s), true) };
  const regStatus = await stage('register-skymap', () => runButler(regArgv, { stdout: regSink, stderr: regSink, stdin: process.stdin }, { plugins: [{ butlerCommands }], importModule: obsSimImportModule }));
  out(`   pnpm butler ${regArgv.map((a) => (a.startsWith('/') ? shown(a) : a)).join(' ')}${regStatus === 0 ? '' : `: failed (status ${regStatus}): ${regLog.trim().split('\n').pop() ?? ''}`}`);
  for (const l of regLog.split('\n').filter((x) => x.includes('Registered sky map'))) out(`     ${l.replace(/^INFO\s+(?:\S+\s+)?\S+:\s*/, '')}`);
  out();

  // 3. pipetask. Task classes are imported by their LSST names, resolved from the working
  // directory (the repository root depends on every SkyStack package, as lsst_distrib does).
  const quiet = (): { io: PipetaskIo; text: () => string } => {
    let t = '';
    const sink = { write: (s: string): boolean => ((t += s), true) };
    return { io: { stdout: sink, stderr: sink }, text: () => t };
  };

  out(`3. Single-frame processing: pipetask run -p ${relative(REPO_ROOT, PIPELINE)}#step1 -j ${processes}`);
  const candidates: { labels: readonly string[]; name: string }[] = [
    { labels: STEP1, name: 'step1' },
    { labels: STEP1.slice(0, 3), name: STEP1.slice(0, 3).join(',') },
    { labels: STEP1.slice(0, 2), name: STEP1.slice(0, 2).join(',') },
    { labels: STEP1.slice(0, 1), name: 'isr' },
  ];
  await stage('pipetask qgraph (probe)', async () => {
    for (const c of candidates) {
      const q = quiet();
      const status = await runPipetask(['qgraph', '-b', repo, '-i', INPUTS, '-o', OUTPUT, '-p', `${PIPELINE}#${c.name}`], q.io);
      if (status === 0) {
        chosen = c;
        break;
      }
      const reason = (q.text().split('\n').find((l) => l.startsWith('Error:')) ?? q.text().trim().split('\n').pop() ?? '').replace(/^Error:\s*/, '');
      unavailable.push({ labels: c.name, reason });
    }
  });
  for (const u of unavailable) out(`   NOT AVAILABLE: #${u.labels}: ${u.reason}`);
  missing = chosen === undefined ? [...STEP1] : STEP1.filter((l) => !chosen!.labels.includes(l));
  if (chosen !== undefined && missing.length > 0) out(`   Running the part of step1 that can run (#${chosen.name}); not available: ${missing.join(', ')}.`);
  let runStatus = -1;
  if (chosen === undefined) {
    out('   No part of step1 can run: nothing to score.');
  } else {
    const argv = ['run', '-b', repo, '-i', INPUTS, '-o', OUTPUT, '-p', `${PIPELINE}#${chosen.name}`, '-j', String(processes), '--register-dataset-types', '--summary', summaryFile, '--save-qgraph', qgraphFile];
    out(`   running: pnpm pipetask ${argv.map((a) => (a.startsWith('/') ? shown(a) : a)).join(' ')}`);
    out();
    runStatus = await stage(`pipetask run #${chosen.name}`, () => runPipetask(argv, { stdout: process.stdout, stderr: { write: (s: string) => (s.startsWith('INFO') ? true : process.stderr.write(s)) } }));
    out();
    out(`   pipetask exit status ${runStatus}${runStatus === 0 ? '' : ' (some quanta failed: they are listed above; the report uses what was written)'}`);
  }
  out();

  // 4. step3 on the patches with the most inputs.
  out(`4. Coadds and object tables: pipetask run -p ${relative(REPO_ROOT, PIPELINE)}#step3 -j ${processes} on the ${nPatches} patch(es) of sky map '${SKYMAP}' with the most inputs`);
  if (nPatches === 0) {
    out('   skipped (--patches 0)');
  } else if (runStatus < 0) {
    out('   skipped: step1 did not run');
  } else {
    const probe = await Butler.from(repo, { importModule: obsSimImportModule });
    const chosenPatches = await stage('choose patches', () => choosePatches(probe, { skymap: SKYMAP, bands: BANDS, count: nPatches }));
    await probe.close();
    if (chosenPatches.length === 0) {
      out(`   no patch of '${SKYMAP}' has inputs in every band (${BANDS.join(', ')}): nothing to coadd.`);
    } else {
      reportPatch = chosenPatches[0]!.patch;
      for (const c of chosenPatches) out(`   tract ${c.tract} patch ${c.patch}: ${BANDS.map((b) => `${c.inputs[b] ?? 0} ${b}`).join(', ')} calexps overlap it`);
      // step2a first: the visit summaries that step3's visit selection reads.
      const step2aArgv = ['run', '-b', repo, '-i', OUTPUT, '-o', STEP2A_OUTPUT, '-p', `${PIPELINE}#step2a`, '-j', String(processes), '--register-dataset-types'];
      out(`   step2a (visit summaries for the visit selection): pnpm pipetask ${step2aArgv.map((a) => (a.startsWith('/') ? shown(a) : a)).join(' ')}`);
      const status2a = await stage('pipetask run #step2a', () => runPipetask(step2aArgv, { stdout: { write: () => true }, stderr: { write: (s: string) => (s.startsWith('INFO') ? true : process.stderr.write(s)) } }));
      if (status2a !== 0) out(`   step2a exit status ${status2a}: the visit selection of step3 will find no summaries.`);
      const where = `skymap='${SKYMAP}' AND tract=${chosenPatches[0]!.tract} AND patch IN (${chosenPatches.map((c) => c.patch).join(', ')})`;
      step3Argv = ['run', '-b', repo, '-i', `${STEP2A_OUTPUT},skymaps`, '-o', STEP3_OUTPUT, '-p', `${PIPELINE}#step3`, '-d', where, '-j', String(processes), '--register-dataset-types', '--summary', summary3File, '--save-qgraph', qgraph3File];
      out(`   running: pnpm pipetask ${step3Argv.map((a) => (a.startsWith('/') ? shown(a) : a.includes(' ') ? `"${a}"` : a)).join(' ')}`);
      out();
      const status3 = await stage('pipetask run #step3', () => runPipetask(step3Argv!, { stdout: process.stdout, stderr: { write: (s: string) => (s.startsWith('INFO') ? true : process.stderr.write(s)) } }));
      out();
      out(`   pipetask exit status ${status3}${status3 === 0 ? '' : ' (some quanta failed: they are listed above; the report uses what was written)'}`);
    }
  }
  out();
}
const truth = JSON.parse(readFileSync(truthFile, 'utf8')) as ExposureTruth[];

// 5. Report.
out('5. Report against the truth: single-frame processing (step1)');
const butler = await Butler.from(repo, { collections: OUTPUT, importModule: obsSimImportModule });
const report = await stage('report', () => collectStep1Samples({ butler, simDir, truth, output: OUTPUT }));
out();
out('   exposure       det band  postISRCCD  sky/true  calexp  sources  sky  true S/N>=5  matched  sourceTable');
for (const r of report.rows) {
  out(
    `   ${String(r.exposureId).padEnd(14)} ${String(r.detector).padStart(3)} ${r.band.padEnd(4)}  ${(r.postISRCCD ? 'yes' : 'no').padStart(10)}  ${r.skyRatio.padStart(8)}  ${r.calexp.padStart(6)}  ${r.sources.padStart(7)}  ${r.sky.padStart(3)}  ${String(r.nTrue5).padStart(11)}  ${r.matched.padStart(7)}  ${(r.sourceTable ? 'yes' : 'no').padStart(11)}`,
  );
}
for (const p of report.problems) out(`   ${p}`);
out();
const noSrc = report.have.src.size === 0;
const why = !noSrc
  ? ''
  : opts['report-only']
    ? `not available: no src catalogs in ${OUTPUT}`
    : `not available: no src catalogs (${missing.includes('calibrate') ? `${missing.join(', ')} could not run, see 3.` : 'calibrate did not succeed, see the pipetask summary in 3.'})`;
if (noSrc) {
  out(`   Astrometric scatter of bright stars: ${why}`);
  out(`   Photometric scatter of bright stars: ${why}`);
  out(`   Completeness at 5 and 10 sigma:      ${why}`);
  out(`   Sky sources:                         ${why}`);
} else {
  const sc = scoreStep1(report);
  const a = sc.astrometry;
  out(`   Astrometric scatter, bright stars (S/N >= ${BRIGHT_SNR}, N = ${a.n}): ${fmt(a.scatterMas)} mas per axis (sigma_MAD; RMS ${fmt(a.rmsMas)}), median offset (E, N) = (${fmt(a.medianEastMas)}, ${fmt(a.medianNorthMas)}) mas  [target < 10 mas]`);
  // Photon noise alone gives the S/N >= 100 sample a few mmag of scatter: the pipeline's own
  // (systematic) part is what exceeds it, in quadrature.
  const p = sc.photometry;
  out(`   Photometric scatter, bright stars (PSF flux x PhotoCalib vs true nJy, N = ${p.n}): ${fmt(p.scatterMmag)} mmag (sigma_MAD; RMS ${fmt(p.rmsMmag)}), zero-point offset ${fmt(p.offsetMmag)} mmag;`);
  out(`     photon noise alone would give these PSF fluxes ${fmt(sc.photonNoiseMmag)} mmag, so the pipeline adds ${fmt(sc.beyondNoiseMmag)} mmag  [target < 5 mmag]`);
  const v = sc.veryBright;
  out(`     stars with S/N >= ${VERY_BRIGHT_SNR} (N = ${v.photometry.n}): ${fmt(v.photometry.scatterMmag)} mmag (photon noise ${fmt(v.photonNoiseMmag)}; the pipeline adds ${fmt(v.beyondNoiseMmag)}), offset ${fmt(v.photometry.offsetMmag)} mmag`);
  const pa = sc.aperture;
  out(`   The same stars with the calibration aperture flux (slot_CalibFlux, 12-pixel radius, N = ${pa.n}): ${fmt(pa.scatterMmag)} mmag (sigma_MAD; RMS ${fmt(pa.rmsMmag)}), offset ${fmt(pa.offsetMmag)} mmag (its noise is larger than the PSF flux's)`);
  const { snr5: c5, snr10: c10, snr5to10: c510 } = sc.completeness;
  out(`   Completeness (true sources within ${MATCH_RADIUS_PX} px of a detection): S/N >= 5: ${fmt(100 * c5.fraction)}% (${c5.detected}/${c5.n}); S/N >= 10: ${fmt(100 * c10.fraction)}% (${c10.detected}/${c10.n}); 5 <= S/N < 10: ${fmt(100 * c510.fraction)}%`);
  const s = sc.skyFlux;
  const pull = sc.skyPull;
  out(`   Sky sources (N = ${s.n}): PSF flux median ${fmt(s.median, 2)} nJy, sigma_MAD ${fmt(s.sigmaMad, 2)} nJy; flux/error median ${fmt(pull.median, 3)}, sigma_MAD ${fmt(pull.sigmaMad, 3)} (0 and 1 when the background and errors are right)`);
}
out();

// The step3 report.
out('   Coadd processing (step3) against the truth');
const s3 = await stage('report step3', () => collectStep3Samples({ butler, simDir, truth, step1Output: OUTPUT, output: STEP3_OUTPUT, skymap: SKYMAP, ...(reportPatch !== undefined && { patch: reportPatch }) }));
const sc3 = scoreStep3(s3);
{
  const c = s3.counts;
  out(`   written: ${['deepCoadd_directWarp', 'deepCoadd', 'deepCoadd_calexp', 'deepCoadd_meas', 'deepCoadd_forced_src', 'objectTable', 'objectTable_tract'].map((t) => `${t} ${c[t] ?? 0}`).join(', ')}`);
  if (s3.patch === undefined) out(`   no warps in ${STEP3_OUTPUT}: nothing to score.`);
  else {
    out(`   patch ${s3.patch} (${s3.warpsPerPatch.get(s3.patch)} warps):`);
    for (const cb of s3.coaddChecks) {
      const bg = typeof cb.backgroundSum === 'string' ? cb.backgroundSum : `max |calexp + background - deepCoadd| = ${cb.backgroundSum.maxAbs.toExponential(2)} nJy (${cb.backgroundSum.maxUlps.toFixed(2)} float32 ulps; <= 2 is float precision)`;
      out(`     ${cb.band}: ${cb.warps} warps; deepCoadd_calexp + deepCoadd_calexp_background: ${bg}`);
      if (typeof cb.depth === 'string') out(`        depth: ${cb.depth}`);
      else {
        const deepest = cb.depth.reduce<DepthRow | undefined>((best, d) => (best === undefined || d.n > best.n || (d.n === best.n && d.positions > best.positions) ? d : best), undefined);
        if (deepest !== undefined) out(`        5-sigma point-source depth (blank-sky PSF fluxes) where ${deepest.n} calexps overlap: coadd ${fmt(deepest.coaddDepth, 2)}; calexps there ${deepest.inputs.map((k, j) => `${k} ${fmt(deepest.inputDepths[j]!, 2)}`).join(', ')}`);
        out(`        depth gain over the mean of the inputs: ${summarizeDepth(cb.depth).map((d) => `N=${d.n}: ${fmt(d.gain, 3)} mag (2.5 log10 sqrt(N) = ${fmt(d.idealGain, 3)}, inverse-variance sum ${fmt(d.expectedGain, 3)}; ${d.positions} positions)`).join('; ')}`);
      }
      const im = cb.inputMap;
      if (typeof im === 'string') out(`        deepCoadd_inputMap: ${im}`);
      else out(`        deepCoadd_inputMap: ${im.bits} input detectors on ${im.validPixels} HEALPix pixels (nside 32768); against the warps: ${im.covered} covered and ${im.uncovered} uncovered (pixel, visit) pairs, ${im.mismatches} wrong`);
    }
  }
  if (s3.objectTableMissing !== undefined) out(`   object table figures: ${s3.objectTableMissing}`);
  else {
    out(`   objectTable_tract: ${s3.nObjects} primary objects in ${s3.bands.join(', ')}, ${s3.nMatched} within ${0.5}" of a true source`);
    const a = sc3.astrometry;
    out(`   Coadd astrometry, bright stars (S/N >= ${COADD_BRIGHT_SNR}, N = ${a.n}): ${fmt(a.scatterMas)} mas per axis (sigma_MAD; RMS ${fmt(a.rmsMas)}), median offset (E, N) = (${fmt(a.medianEastMas)}, ${fmt(a.medianNorthMas)}) mas`);
    for (const [b, p] of Object.entries(sc3.photometry)) {
      out(`   Coadd photometry ${b}, bright stars (forced PSF flux vs true nJy, N = ${p.scatter.n}): ${fmt(p.scatter.scatterMmag)} mmag (sigma_MAD; photon noise alone ${fmt(p.photonNoiseMmag)}), offset ${fmt(p.scatter.offsetMmag)} mmag`);
    }
    for (const [label, sg] of [
      [`S/N >= ${STAR_GALAXY_MIN_SNR}`, sc3.starGalaxyFaint],
      [`S/N >= ${STAR_GALAXY_SNR}`, sc3.starGalaxy],
      [`S/N >= ${COADD_BRIGHT_SNR}`, sc3.starGalaxyBright],
    ] as const) {
      out(`   Star/galaxy separation (refExtendedness), ${label}: stars purity ${fmt(100 * sg.stars.purity)}% completeness ${fmt(100 * sg.stars.completeness)}% (${sg.stars.nTrue} true); galaxies purity ${fmt(100 * sg.galaxies.purity)}% completeness ${fmt(100 * sg.galaxies.completeness)}% (${sg.galaxies.nTrue} true)`);
    }
    out(`   Colour-colour: ${s3.starColours.gr.length} stars with refExtendedness == 0 and S/N >= ${COLOUR_SNR} in g, r and i`);
  }
}
out();

// PNGs.
const pngs = await stage('PNGs', async () => {
  const written: string[] = [];
  const display = new Display({ bin: 2 });
  display.scale('asinh', 'zscale', { Q: 8 });
  if (report.firstCalexp !== undefined) {
    const { exp, src, t } = report.firstCalexp;
    display.mtv(exp, { title: `calexp visit ${t.exposureId} detector ${t.detector} (${t.band}): src (orange), sky sources (cyan)` });
    const sky = src.schema.contains('sky_source') ? (src.getColumn('sky_source') as unknown as ArrayLike<number>) : new Uint8Array(src.length);
    const xs = src.getColumn('slot_Centroid_x') as Float64Array;
    const ys = src.getColumn('slot_Centroid_y') as Float64Array;
    for (let i = 0; i < src.length; i++) display.dot('o', xs[i]!, ys[i]!, { size: 8, ctype: sky[i] ? 'cyan' : 'orange' });
    const f = join(outDir, `calexp_${t.exposureId}_${t.detector}.png`);
    await display.writePng(f);
    written.push(f);
  } else {
    const t = truth[0]!;
    if (report.have.postISRCCD.has(`${t.exposureId}/${t.detector}`)) {
      const exp = (await butler.get('postISRCCD', { instrument: 'SimCam', exposure: t.exposureId, detector: t.detector })) as Exposure;
      display.mtv(exp, { title: `postISRCCD exposure ${t.exposureId} detector ${t.detector} (${t.band}); calexp not available` });
      const f = join(outDir, `postISRCCD_${t.exposureId}_${t.detector}.png`);
      await display.writePng(f);
      written.push(f);
    }
  }
  if (report.skyFlux.length > 0) {
    const s = sampleStats(report.skyFlux);
    const half = 5 * s.sigmaMad;
    const fig = new Figure({ title: 'Sky sources: PSF flux', xLabel: 'flux [nJy]', yLabel: 'N' });
    const { counts } = fig.histogram(report.skyFlux, { bins: 40, range: [-half, half] });
    fig.axvline(0, { color: 'red' });
    fig.text(-0.95 * half, Math.max(...counts) * 0.9, `N = ${s.n}, median ${s.median.toFixed(1)}, sigma ${s.sigmaMad.toFixed(1)}`);
    const f = join(outDir, 'sky_sources_flux.png');
    await fig.writePng(f);
    written.push(f);
    // The exposures differ in depth: flux over its error pools them fairly (a unit Gaussian when
    // the background and the errors are right).
    const pull = new Figure({ title: 'Sky sources: PSF flux / error', xLabel: 'flux / error', yLabel: 'N' });
    const h = pull.histogram(report.skyPull, { bins: 40, range: [-5, 5] });
    pull.axvline(0, { color: 'red' });
    const ps = sampleStats(report.skyPull);
    pull.text(-4.8, Math.max(...h.counts) * 0.9, `N = ${ps.n}, median ${ps.median.toFixed(2)}, sigma ${ps.sigmaMad.toFixed(2)}`);
    const g = join(outDir, 'sky_sources_pull.png');
    await pull.writePng(g);
    written.push(g);
  }
  if (s3.coaddImage !== undefined) {
    const { band, exposure, x, y, extended } = s3.coaddImage;
    const d = new Display({ bin: 2 });
    d.scale('asinh', 'zscale', { Q: 8 });
    d.mtv(exposure, { title: `${SKYMAP} tract ${s3.tract} patch ${s3.patch} ${band}: objects (cyan: refExtendedness 0, orange: 1)` });
    for (let i = 0; i < x.length; i++) d.dot('o', x[i]!, y[i]!, { size: 8, ctype: extended[i] ? 'orange' : 'cyan' });
    const f = join(outDir, `deepCoadd_${s3.tract}_${s3.patch}_${band}.png`);
    await d.writePng(f);
    written.push(f);
  }
  if (s3.starColours.gr.length > 0) {
    const fig = new Figure({ width: 800, height: 600, title: `Stars (refExtendedness 0, S/N >= ${COLOUR_SNR} in g, r, i): blue; truth: grey`, xLabel: 'g - r', yLabel: 'r - i', xRange: [0, 1.6], yRange: [-0.1, 0.9] });
    fig.scatter(s3.trueStarColours.gr, s3.trueStarColours.ri, { color: 'gray', size: 1 });
    fig.scatter(s3.starColours.gr, s3.starColours.ri, { color: 'blue', size: 2 });
    const f = join(outDir, 'colour_colour_stars.png');
    await fig.writePng(f);
    written.push(f);
  }
  return written;
});
await butler.close();
for (const f of pngs) out(`   wrote ${f}`);
if (report.skyFlux.length === 0) out(`   sky-source histogram: ${why || 'not available: no sky sources in src'}`);
out();

// 6. Explore.
out('6. Explore the result');
const rel = shown;
out(`   pnpm butler query-collections ${rel(repo)}`);
out(`   pnpm butler query-datasets ${rel(repo)} postISRCCD --collections ${OUTPUT}`);
if (!noSrc) out(`   pnpm butler query-datasets ${rel(repo)} src --collections ${OUTPUT}`);
if (existsSync(qgraphFile)) out(`   pnpm pipetask report ${rel(repo)} ${rel(qgraphFile)}`);
out(`   pnpm pipetask build -p ${rel(PIPELINE)}#step1 --show pipeline   # the pipeline, as LSST prints it`);
if (s3.patch !== undefined) {
  out(`   pnpm butler query-datasets ${rel(repo)} deepCoadd --collections ${STEP3_OUTPUT}`);
  out(`   pnpm butler query-datasets ${rel(repo)} objectTable_tract --collections ${STEP3_OUTPUT}`);
  if (existsSync(qgraph3File)) out(`   pnpm pipetask report ${rel(repo)} ${rel(qgraph3File)}`);
  if (step3Argv !== undefined) out(`   pnpm pipetask qgraph ${step3Argv.slice(1, 11).map((a) => (a.startsWith('/') ? rel(a) : a.includes(' ') ? `"${a}"` : a)).join(' ')}   # step3's quantum graph`);
}
out(`   truth: ${rel(join(simDir, 'truth'))} (${readdirSync(join(simDir, 'truth/sources')).length} per-exposure source tables); summary: ${rel(summaryFile)}`);
out();
/** Bytes of the files under a directory (symbolic links not followed). */
function diskUsage(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) n += diskUsage(p);
    else n += lstatSync(p).size;
  }
  return n;
}
out(`Output directory ${outDir}: ${(diskUsage(outDir) / 2 ** 20).toFixed(0)} MiB (delete it when done).`);
out();
out('Stage timings (wall clock)');
for (const s of stages) out(`   ${s.name.padEnd(44)} ${s.seconds.toFixed(1).padStart(7)} s`);
out(`   ${'total'.padEnd(44)} ${stages.reduce((a, s) => a + s.seconds, 0).toFixed(1).padStart(7)} s`);
