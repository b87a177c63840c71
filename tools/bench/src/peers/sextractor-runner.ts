// SExtractor (Debian's `source-extractor`) at the benchmark's settings: our own configuration,
// parameter and filter files in a temporary directory, an ASCII catalog read back.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Detection } from './score.js';
import { commandSucceeds, runProcess } from './run-process.js';
import { peerThreshold, type DetectionBenchSettings, type PeerThreshold, type PeerThresholdSetting, type ToolRun, type ToolUnavailable } from './tool-run.js';

/** The binary names SExtractor is installed under (Debian's first, then upstream's). */
const BINARIES = ['source-extractor', 'sex'];

/** The catalog columns we ask for, in order. */
const PARAMS = ['NUMBER', 'X_IMAGE', 'Y_IMAGE', 'FLUX_APER', 'FLUXERR_APER', 'FLAGS'];

/**
 * The SExtractor binary on PATH, if any.
 *
 * @returns the command name, or undefined when SExtractor is not installed
 */
export function findSExtractor(): string | undefined {
  return BINARIES.find((b) => commandSucceeds(b, ['-v']));
}

/**
 * The `default.sex` configuration for the benchmark settings: detection and analysis at the
 * threshold on the matched-filtered image, background meshes of `meshSize` with a 3 × 3 median
 * filter, SExtractor's default deblending and cleaning, one aperture of diameter 2r, no
 * saturation (the simulation has none).
 *
 * @param settings - the shared settings
 * @param files - the names of the parameter, filter and catalog files
 * @param threshold - DETECT_THRESH and ANALYSIS_THRESH (default `settings.thresholdSigma` of SExtractor's own rms,
 *   THRESH_TYPE RELATIVE; with a `noise`, THRESH_TYPE ABSOLUTE at `sigmas × noise` counts; see {@link peerThreshold})
 * @returns the configuration text
 * @example
 * ```ts
 * writeFileSync('default.sex', sextractorConfig(settings, { param: 'b.param', filter: 'b.conv', catalog: 'out.cat' }));
 * ```
 */
export function sextractorConfig(
  settings: DetectionBenchSettings,
  files: { readonly param: string; readonly filter: string; readonly catalog: string },
  threshold: PeerThresholdSetting = { sigmas: settings.thresholdSigma },
): string {
  const value = threshold.noise === undefined ? threshold.sigmas : threshold.sigmas * threshold.noise;
  const lines: [string, string | number][] = [
    ['CATALOG_NAME', files.catalog],
    ['CATALOG_TYPE', 'ASCII_HEAD'],
    ['PARAMETERS_NAME', files.param],
    ['DETECT_TYPE', 'CCD'],
    ['DETECT_MINAREA', settings.minArea],
    ['THRESH_TYPE', threshold.noise === undefined ? 'RELATIVE' : 'ABSOLUTE'],
    ['DETECT_THRESH', value.toFixed(4)],
    ['ANALYSIS_THRESH', value.toFixed(4)],
    ['FILTER', 'Y'],
    ['FILTER_NAME', files.filter],
    ['DEBLEND_NTHRESH', 32],
    ['DEBLEND_MINCONT', 0.005],
    ['CLEAN', 'Y'],
    ['CLEAN_PARAM', 1.0],
    ['MASK_TYPE', 'CORRECT'],
    ['PHOT_APERTURES', 2 * settings.apertureRadius],
    ['SATUR_LEVEL', '1e10'],
    ['MAG_ZEROPOINT', 0],
    ['GAIN', settings.gain],
    ['PIXEL_SCALE', 1.0],
    ['SEEING_FWHM', (settings.psfSigma * 2 * Math.sqrt(2 * Math.LN2)).toFixed(3)],
    ['BACK_TYPE', 'AUTO'],
    ['BACK_SIZE', settings.meshSize],
    ['BACK_FILTERSIZE', 3],
    ['BACKPHOTO_TYPE', 'GLOBAL'],
    ['CHECKIMAGE_TYPE', 'NONE'],
    ['MEMORY_OBJSTACK', 3000],
    ['MEMORY_PIXSTACK', 1000000],
    ['MEMORY_BUFSIZE', 1024],
    ['NTHREADS', 1],
    ['VERBOSE_TYPE', 'QUIET'],
    ['WRITE_XML', 'N'],
  ];
  return lines.map(([k, v]) => `${k.padEnd(16)} ${v}`).join('\n') + '\n';
}

/**
 * A SExtractor filter file (`CONV NORM`) for a kernel.
 *
 * @param kernel - the kernel rows
 * @returns the file text
 */
export function sextractorFilter(kernel: readonly (readonly number[])[]): string {
  return ['CONV NORM', `# ${kernel.length}x${kernel.length} Gaussian matched to the simulated PSF`, ...kernel.map((row) => row.map((v) => v.toPrecision(8)).join(' '))].join('\n') + '\n';
}

/**
 * Reads an `ASCII_HEAD` catalog with the columns of {@link PARAMS}; X_IMAGE/Y_IMAGE (1-based,
 * FITS convention) become 0-based positions.
 *
 * @param text - the catalog file
 * @returns the detections
 * @throws Error when a column is missing
 */
export function parseSExtractorCatalog(text: string): Detection[] {
  const column = new Map<string, number>();
  const rows: Detection[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t === '') continue;
    if (t.startsWith('#')) {
      const [, num, name] = /^#\s+(\d+)\s+(\S+)/.exec(t) ?? [];
      if (num !== undefined && name !== undefined) column.set(name, Number(num) - 1);
      continue;
    }
    const cells = t.split(/\s+/).map(Number);
    const get = (name: string): number => {
      const i = column.get(name);
      if (i === undefined) throw new Error(`The SExtractor catalog has no ${name} column (columns: ${[...column.keys()].join(', ')}).`);
      return cells[i]!;
    };
    rows.push({ x: get('X_IMAGE') - 1, y: get('Y_IMAGE') - 1, apertureFlux: get('FLUX_APER') });
  }
  return rows;
}

/**
 * Runs SExtractor on a FITS image `runs` times (the whole process timed each time) and reads
 * back the catalog of the last run.
 *
 * @param imagePath - the image
 * @param settings - the shared settings
 * @param runs - how many times to run it (≥ 1)
 * @param mode - the threshold convention (default `nominal`: DETECT_THRESH = `thresholdSigma`; see {@link peerThreshold})
 * @returns the run, or why SExtractor is unavailable
 * @throws Error when SExtractor fails
 * @example
 * ```ts
 * const run = await runSExtractor('field.fits', settings, 3);
 * if ('unavailable' in run) console.log(run.unavailable);
 * ```
 */
export async function runSExtractor(imagePath: string, settings: DetectionBenchSettings, runs: number, mode: PeerThreshold = 'nominal'): Promise<ToolRun | ToolUnavailable> {
  const threshold = peerThreshold(settings, mode);
  const tool =
    threshold.noise === undefined ? `SExtractor 2.25, DETECT_THRESH ${threshold.sigmas.toFixed(2)}` : `SExtractor 2.25, DETECT_THRESH ${(threshold.sigmas * threshold.noise).toFixed(2)} ABSOLUTE (matched)`;
  const binary = findSExtractor();
  if (binary === undefined) return { tool, unavailable: 'source-extractor is not installed (bash scripts/install-bench-deps.sh)' };
  const dir = mkdtempSync(join(tmpdir(), 'skystack-sextractor-'));
  try {
    const files = { param: 'bench.param', filter: 'bench.conv', catalog: 'bench.cat' };
    writeFileSync(join(dir, 'bench.sex'), sextractorConfig(settings, files, threshold));
    writeFileSync(join(dir, files.param), PARAMS.join('\n') + '\n');
    writeFileSync(join(dir, files.filter), sextractorFilter(settings.kernel));
    const totalMs: number[] = [];
    for (let i = 0; i < Math.max(1, runs); i++) {
      const r = await runProcess(binary, [resolve(imagePath), '-c', 'bench.sex'], { cwd: dir });
      totalMs.push(r.wallMs);
    }
    const detections = parseSExtractorCatalog(readFileSync(join(dir, files.catalog), 'utf8'));
    return { tool, detections, totalMs, workMs: [], threads: 1 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
