// SEP (Debian's python3-sep, SExtractor's algorithms as a library) at the benchmark's settings,
// in a /usr/bin/python3 process that times its in-memory work itself.
import { resolve } from 'node:path';
import type { Detection } from './score.js';
import { commandSucceeds, runProcess } from './run-process.js';
import { peerThreshold, type DetectionBenchSettings, type PeerThreshold, type ToolRun, type ToolUnavailable } from './tool-run.js';

/** The interpreter with Debian's python3-sep, numpy and astropy. */
const PYTHON = '/usr/bin/python3';

/**
 * The SEP program: read the image with astropy (native byte order), then, timed: `Background`
 * with `meshSize` boxes and a 3 × 3 filter, subtract it, `extract` at `thresh × err` (`err` the
 * given noise, else SEP's `globalrms`) with the matched kernel and `minarea`, `sum_circle` of
 * radius r on the subtracted image.
 */
const SEP_SCRIPT = String.raw`
import json, sys, time
t0 = time.perf_counter()
import numpy as np
import sep
from astropy.io import fits
opts = json.loads(sys.stdin.read())
t1 = time.perf_counter()
data = np.ascontiguousarray(fits.getdata(opts['path']), dtype=np.float32)
t2 = time.perf_counter()
kernel = np.array(opts['kernel'], dtype=np.float32)
sep.set_extract_pixstack(2000000)
m = opts['mesh']
bkg = sep.Background(data, bw=m, bh=m, fw=3, fh=3)
sub = data - bkg
err = bkg.globalrms if opts['noise'] is None else opts['noise']
objs = sep.extract(sub, opts['thresh'], err=err, minarea=opts['minarea'], filter_kernel=kernel)
flux, fluxerr, flag = sep.sum_circle(sub, objs['x'], objs['y'], opts['radius'], err=bkg.globalrms, gain=opts['gain'])
t3 = time.perf_counter()
print(json.dumps({'x': objs['x'].tolist(), 'y': objs['y'].tolist(), 'flux': flux.tolist(),
                  'importMs': (t1 - t0) * 1e3, 'readMs': (t2 - t1) * 1e3, 'workMs': (t3 - t2) * 1e3}))
`;

/** What the SEP program prints. */
interface SepOutput {
  x: number[];
  y: number[];
  flux: number[];
  importMs: number;
  readMs: number;
  workMs: number;
}

/**
 * Whether /usr/bin/python3 can import sep (with numpy and astropy).
 *
 * @returns true when SEP can be run
 */
export function sepAvailable(): boolean {
  return commandSucceeds(PYTHON, ['-c', 'import sep, numpy, astropy.io.fits']);
}

/**
 * Runs SEP on a FITS image `runs` times, each in a fresh /usr/bin/python3 process: the whole
 * process is timed from outside, the in-memory work (background, extraction, aperture sums)
 * from inside.
 *
 * @param imagePath - the image
 * @param settings - the shared settings
 * @param runs - how many processes to run (≥ 1)
 * @param mode - the threshold convention (default `nominal`: `thresh` = `thresholdSigma`, `err` = `globalrms`; see {@link peerThreshold})
 * @returns the run (catalog of the last process), or why SEP is unavailable
 * @throws Error when the Python program fails
 * @example
 * ```ts
 * const run = await runSep('field.fits', settings, 3);
 * ```
 */
export async function runSep(imagePath: string, settings: DetectionBenchSettings, runs: number, mode: PeerThreshold = 'nominal'): Promise<ToolRun | ToolUnavailable> {
  const threshold = peerThreshold(settings, mode);
  const tool = threshold.noise === undefined ? `SEP 1.2, thresh ${threshold.sigmas.toFixed(2)}` : `SEP 1.2, thresh ${threshold.sigmas.toFixed(2)}, err ${threshold.noise.toFixed(2)} (matched)`;
  if (!sepAvailable()) return { tool, unavailable: `${PYTHON} cannot import sep (bash scripts/install-bench-deps.sh installs python3-sep)` };
  const input = JSON.stringify({
    path: resolve(imagePath),
    kernel: settings.kernel,
    mesh: settings.meshSize,
    thresh: threshold.sigmas,
    noise: threshold.noise ?? null,
    minarea: settings.minArea,
    radius: settings.apertureRadius,
    gain: settings.gain,
  });
  const totalMs: number[] = [];
  const workMs: number[] = [];
  let last: SepOutput | undefined;
  for (let i = 0; i < Math.max(1, runs); i++) {
    const r = await runProcess(PYTHON, ['-c', SEP_SCRIPT], { input });
    last = JSON.parse(r.stdout) as SepOutput;
    totalMs.push(r.wallMs);
    workMs.push(last.workMs);
  }
  const out = last!;
  const detections: Detection[] = out.x.map((x, i) => ({ x, y: out.y[i]!, apertureFlux: out.flux[i]! }));
  return { tool, detections, totalMs, workMs, threads: 1 };
}
