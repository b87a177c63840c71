// The `obs-sim` command line: `obs-sim simulate --out DIR [options]`.
import { parseArgs } from 'node:util';
import { ObsSimInvalidArgumentError } from '../errors.js';
import { makeSimRepo } from '../make-repo.js';
import { simulate } from '../simulate.js';

/** Something text can be written to (a process stream, or a collector in tests). */
export interface TextSink {
  /**
   * Writes text.
   *
   * @param text - the text
   * @returns anything (ignored)
   */
  write(text: string): unknown;
}

/** Where the command writes. */
export interface ObsSimStreams {
  /** Standard output. */
  readonly stdout: TextSink;
  /** Standard error. */
  readonly stderr: TextSink;
}

/** The usage text of `obs-sim`. */
export const OBS_SIM_USAGE = `Usage: obs-sim simulate --out DIR [options]
       obs-sim make-repo --sim DIR --repo REPO [--transfer copy|symlink|hardlink|link|direct] [-j N] [--quiet]

simulate: simulates SimCam raws, master calibrations, truth files and a reference catalog.
make-repo: makes (or completes) a Butler repository of a simulation with the butler commands:
  create, register-instrument, write-curated-calibrations, ingest-raws, define-visits,
  register-dataset-type, ingest-files + certify-calibrations (masters), ingest-files (refcat),
  collection-chain (refcats, SimCam/defaults). Running it again changes nothing.

Options of simulate:
  --out DIR            output directory (required)
  --size full|small    size preset: full (4 detectors of 2048², 6 visits) or small (2 of 512², 2 visits)
  --visits N           number of visits (default from the preset)
  --bands r,i          bands, visits split between them in blocks (default r,i)
  --seed S             random seed (default 1)
  --detectors 0,1,...  detector ids (default from the preset)
  --calib-raws N       also write N raw bias, dark and flat (per band) exposures per detector
  --refcat-limit MAG   refcat magnitude limit in r (default 22)
  --star-density N     stars per square degree with 16 < r < 25 (default: full 32000, small 8000)
  --quiet              print only the summary
  -h, --help           show this help

Options of make-repo:
  --sim DIR            the simulation directory (required)
  --repo REPO          the repository directory (required; created when it holds none)
  --transfer MODE      how files go into the datastore (default copy)
  -j, --processes N    raw headers read at once by ingest-raws (default 4)
  --quiet              print only the summary
`;

function intList(text: string, what: string): number[] {
  return text.split(',').map((s) => {
    const v = Number(s.trim());
    if (!Number.isInteger(v)) throw new ObsSimInvalidArgumentError(`--${what} takes comma-separated integers; got '${text}'.`);
    return v;
  });
}

function positiveInt(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!Number.isInteger(v) || v < 0) throw new ObsSimInvalidArgumentError(`--${what} takes a non-negative integer; got '${text}'.`);
  return v;
}

/**
 * Runs the `obs-sim` command line.
 *
 * @param argv - the arguments after the program name
 * @param streams - stdout and stderr
 * @returns the exit status (0 on success, 1 on error, 2 on a usage error)
 * @example
 * ```ts
 * await runObsSim(['simulate', '--out', 'sim', '--size', 'small'], process);
 * ```
 */
export async function runObsSim(argv: readonly string[], streams: ObsSimStreams): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        size: { type: 'string' },
        visits: { type: 'string' },
        bands: { type: 'string' },
        seed: { type: 'string' },
        detectors: { type: 'string' },
        'calib-raws': { type: 'string' },
        'refcat-limit': { type: 'string' },
        'star-density': { type: 'string' },
        quiet: { type: 'boolean' },
        sim: { type: 'string' },
        repo: { type: 'string' },
        transfer: { type: 'string' },
        processes: { type: 'string', short: 'j' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    streams.stderr.write(`Error: ${(e as Error).message}\n\n${OBS_SIM_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    streams.stdout.write(OBS_SIM_USAGE);
    return 0;
  }
  if (positionals[0] === 'make-repo' && positionals.length === 1) return makeRepoCommand(values, streams);
  if (positionals[0] !== 'simulate' || positionals.length !== 1) {
    streams.stderr.write(`Error: expected the command 'simulate' or 'make-repo'; got '${positionals.join(' ')}'.\n\n${OBS_SIM_USAGE}`);
    return 2;
  }
  if (values.out === undefined) {
    streams.stderr.write(`Error: --out DIR is required.\n\n${OBS_SIM_USAGE}`);
    return 2;
  }
  try {
    const size = values.size ?? 'full';
    if (size !== 'full' && size !== 'small') throw new ObsSimInvalidArgumentError(`--size takes 'full' or 'small'; got '${size}'.`);
    const seed = values.seed === undefined ? 1 : Number(values.seed);
    if (!Number.isInteger(seed)) throw new ObsSimInvalidArgumentError(`--seed takes an integer; got '${values.seed}'.`);
    const visits = positiveInt(values.visits, 'visits');
    const calibRaws = positiveInt(values['calib-raws'], 'calib-raws');
    const refcatMagLimit = values['refcat-limit'] === undefined ? undefined : Number(values['refcat-limit']);
    if (refcatMagLimit !== undefined && !Number.isFinite(refcatMagLimit)) throw new ObsSimInvalidArgumentError(`--refcat-limit takes a magnitude; got '${values['refcat-limit']}'.`);
    const starDensity = values['star-density'] === undefined ? undefined : Number(values['star-density']);
    if (starDensity !== undefined && !(Number.isFinite(starDensity) && starDensity >= 0)) {
      throw new ObsSimInvalidArgumentError(`--star-density takes a non-negative number of stars per square degree; got '${values['star-density']}'.`);
    }
    const start = Date.now();
    const manifest = await simulate({
      out: values.out,
      seed,
      size,
      ...(visits !== undefined && { visits }),
      ...(values.bands !== undefined && { bands: values.bands.split(',').map((b) => b.trim()) }),
      ...(values.detectors !== undefined && { detectors: intList(values.detectors, 'detectors') }),
      ...(calibRaws !== undefined && { calibRaws }),
      ...(refcatMagLimit !== undefined && { refcatMagLimit }),
      ...(starDensity !== undefined && { starDensity }),
      ...(values.quiet !== true && { onProgress: (m: string): void => void streams.stdout.write(`${m}\n`) }),
    });
    const seconds = ((Date.now() - start) / 1000).toFixed(1);
    streams.stdout.write(
      `SimCam simulation in ${values.out} (${seconds} s): ${manifest.raws.length} raws (${manifest.exposures.length} visits × ${manifest.detectors.length} detectors), ` +
        `${manifest.calibs.length} master calibrations, ${manifest.calibRaws.length} calibration raws, ${manifest.truthSources} truth sources, ` +
        `refcat ${manifest.refcat.count} stars in ${manifest.refcat.shards} shards.\n`,
    );
    return 0;
  } catch (e) {
    streams.stderr.write(`Error: ${(e as Error).message}\n`);
    return 1;
  }
}

const TRANSFERS = ['copy', 'symlink', 'hardlink', 'link', 'direct'] as const;

async function makeRepoCommand(
  values: { readonly sim?: string | undefined; readonly repo?: string | undefined; readonly transfer?: string | undefined; readonly processes?: string | undefined; readonly quiet?: boolean | undefined },
  streams: ObsSimStreams,
): Promise<number> {
  if (values.sim === undefined || values.repo === undefined) {
    streams.stderr.write(`Error: make-repo needs --sim DIR and --repo REPO.\n\n${OBS_SIM_USAGE}`);
    return 2;
  }
  const transfer = values.transfer ?? 'copy';
  if (!(TRANSFERS as readonly string[]).includes(transfer)) {
    streams.stderr.write(`Error: --transfer takes one of ${TRANSFERS.join(', ')}; got '${transfer}'.\n`);
    return 2;
  }
  try {
    const processes = positiveInt(values.processes, 'processes');
    const result = await makeSimRepo({
      simDir: values.sim,
      repo: values.repo,
      transfer: transfer as (typeof TRANSFERS)[number],
      ...(processes !== undefined && { processes }),
      ...(values.quiet !== true && { onLine: (l: string): void => void streams.stdout.write(`${l}\n`) }),
    });
    if (values.quiet === true) {
      const ran = result.steps.filter((s) => !s.skipped).length;
      streams.stdout.write(`SimCam repository ${result.repo} ready (${result.seconds.toFixed(1)} s, ${ran} butler commands run, ${result.steps.length - ran} skipped): collections ${result.defaults}.\n`);
    }
    return 0;
  } catch (e) {
    streams.stderr.write(`Error: ${(e as Error).message}\n`);
    return 1;
  }
}
