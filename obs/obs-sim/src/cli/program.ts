// The `obs-sim` command line: `obs-sim simulate --out DIR [options]`.
import { parseArgs } from 'node:util';
import { ObsSimInvalidArgumentError } from '../errors.js';
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

Simulates SimCam raws, master calibrations, truth files and a reference catalog.

Options:
  --out DIR            output directory (required)
  --size full|small    size preset: full (4 detectors of 2048², 6 visits) or small (2 of 512², 2 visits)
  --visits N           number of visits (default from the preset)
  --bands r,i          bands, visits split between them in blocks (default r,i)
  --seed S             random seed (default 1)
  --detectors 0,1,...  detector ids (default from the preset)
  --calib-raws N       also write N raw bias, dark and flat (per band) exposures per detector
  --refcat-limit MAG   refcat magnitude limit in r (default 22)
  --quiet              print only the summary
  -h, --help           show this help
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
        quiet: { type: 'boolean' },
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
  if (positionals[0] !== 'simulate' || positionals.length !== 1) {
    streams.stderr.write(`Error: expected the command 'simulate'; got '${positionals.join(' ')}'.\n\n${OBS_SIM_USAGE}`);
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
