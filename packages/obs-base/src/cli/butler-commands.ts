// The `butler` subcommands of obs-base (register-instrument, ingest-raws, define-visits,
// write-curated-calibrations), described as data for daf-butler's plugin mechanism.
import { Butler } from '@skystack/daf-butler';
import { DefineVisitsTask } from '../define-visits.js';
import { ObsBaseIngestError, ObsBaseInvalidArgumentError } from '../errors.js';
import { RAW_TRANSFER_MODES, RawIngestConfig, RawIngestTask } from '../ingest.js';
import { Instrument } from '../instrument.js';
import type { ModuleImporter } from '../module-loader.js';

/**
 * What a `butler` plugin command is given (the shape of daf-butler's `ButlerCommandContext`).
 */
export interface ObsCommandContext {
  /**
   * Prints lines on standard output.
   *
   * @param lines - the lines
   */
  print(...lines: string[]): void;
  /** The CLI logger. */
  readonly log: {
    /**
     * Logs at INFO.
     *
     * @param message - the message
     */
    info(message: string): void;
    /**
     * Logs at WARNING.
     *
     * @param message - the message
     */
    warn(message: string): void;
  };
  /** How to import modules named in configuration. */
  readonly importModule: ModuleImporter;
}

/** One obs-base `butler` command (the shape of daf-butler's `ButlerCommand`). */
export interface ObsButlerCommand {
  /** The subcommand name. */
  readonly name: string;
  /** One line of help. */
  readonly description: string;
  /** Positional arguments. */
  readonly arguments: readonly {
    /** The name. */
    readonly name: string;
    /** The help. */
    readonly description: string;
    /** Takes the remaining values. */
    readonly variadic?: boolean;
  }[];
  /** Options. */
  readonly options: readonly {
    /** Commander flags. */
    readonly flags: string;
    /** The help. */
    readonly description: string;
    /** The default. */
    readonly defaultValue?: string | number | boolean;
    /** Allowed values. */
    readonly choices?: readonly string[];
    /** Value parsing. */
    readonly parse?: 'integer' | 'list' | 'repeated';
  }[];
  /**
   * Runs the command.
   *
   * @param args - positional values
   * @param options - option values
   * @param ctx - output and importer
   * @returns the exit status
   */
  action(args: readonly (string | readonly string[] | undefined)[], options: Readonly<Record<string, unknown>>, ctx: ObsCommandContext): Promise<number | void>;
}

async function openButler(repo: string, ctx: ObsCommandContext, run?: string): Promise<Butler> {
  return Butler.from(repo, { writeable: true, importModule: ctx.importModule, ...(run === undefined ? {} : { run }) });
}

async function withButler<T>(repo: string, ctx: ObsCommandContext, f: (b: Butler) => Promise<T>): Promise<T> {
  const butler = await openButler(repo, ctx);
  try {
    return await f(butler);
  } finally {
    await butler.close();
  }
}

const registerInstrument: ObsButlerCommand = {
  name: 'register-instrument',
  description: 'Add an instrument to the repository: its instrument, physical_filter and detector records.',
  arguments: [
    { name: 'repo', description: 'the repository' },
    { name: 'instrument', description: "the instrument class: a module specifier 'pkg#Export' (e.g. @skystack/obs-sim#SimCam) or an LSST class path", variadic: true },
  ],
  options: [{ flags: '--update', description: 'replace records that differ from the instrument (default: refuse)' }],
  action: async (args, options, ctx) =>
    withButler(args[0] as string, ctx, async (butler) => {
      for (const className of args[1] as string[]) {
        const instrument = await Instrument.fromClassName(className, { importModule: ctx.importModule });
        await instrument.register(butler.registry, { update: options['update'] === true });
        ctx.log.info(`Registered instrument ${instrument.name} (${className}).`);
      }
    }),
};

const ingestRaws: ObsButlerCommand = {
  name: 'ingest-raws',
  description: 'Ingest raw frames into a butler repository.',
  arguments: [
    { name: 'repo', description: 'the repository' },
    { name: 'locations', description: 'raw files and directories of them', variadic: true },
  ],
  options: [
    { flags: '-t, --transfer <mode>', description: 'how to move the files into the datastore', choices: RAW_TRANSFER_MODES, defaultValue: 'auto' },
    { flags: '-j, --processes <n>', description: 'how many files to read at once', parse: 'integer', defaultValue: 1 },
    { flags: '--ingest-task <class>', description: "the ingest task class, 'pkg#Export' (a RawIngestTask subclass)", defaultValue: '@skystack/obs-base#RawIngestTask' },
    { flags: '--output-run <run>', description: 'the RUN to ingest into (default <INSTRUMENT>/raw/all)' },
    { flags: '--fail-fast', description: 'stop at the first file that fails' },
  ],
  action: async (args, options, ctx) =>
    withButler(args[0] as string, ctx, async (butler) => {
      const TaskClass = await ingestTaskClass(String(options['ingestTask']), ctx.importModule);
      const config = new RawIngestConfig();
      config.transfer = String(options['transfer']);
      config.failFast = options['failFast'] === true;
      const task = new TaskClass({ butler, config, importModule: ctx.importModule });
      const run = options['outputRun'] as string | undefined;
      const result = await task.run(args[1] as string[], { processes: Number(options['processes'] ?? 1), ...(run === undefined ? {} : { run }) });
      ctx.log.info(`Ingested ${result.refs.length} raw file(s); ${result.skipped.length} already ingested.`);
      if (result.failures.length > 0) {
        throw new ObsBaseIngestError(
          `${result.failures.length} file(s) could not be ingested (the others were): ${result.failures.map((f) => `${f.file}: ${f.reason}`).join('; ')}`,
        );
      }
    }),
};

async function ingestTaskClass(spec: string, importModule: ModuleImporter): Promise<typeof RawIngestTask> {
  if (spec === '@skystack/obs-base#RawIngestTask' || spec === 'lsst.obs.base.RawIngestTask') return RawIngestTask;
  const hash = spec.lastIndexOf('#');
  if (hash <= 0) throw new ObsBaseInvalidArgumentError(`--ingest-task must be a module specifier 'pkg#Export'; given '${spec}'.`);
  const cls = (await importModule(spec.slice(0, hash)))[spec.slice(hash + 1)];
  if (typeof cls !== 'function' || !(cls.prototype instanceof RawIngestTask || cls === RawIngestTask)) {
    throw new ObsBaseInvalidArgumentError(`--ingest-task '${spec}' is not a RawIngestTask class.`);
  }
  return cls as typeof RawIngestTask;
}

const defineVisits: ObsButlerCommand = {
  name: 'define-visits',
  description: 'Define visits from exposures (one-to-one visit system), with their sky regions.',
  arguments: [
    { name: 'repo', description: 'the repository' },
    { name: 'instrument', description: 'the instrument name (e.g. SimCam)' },
  ],
  options: [
    { flags: '--collections <collections>', description: 'collections holding the raws (default <INSTRUMENT>/raw/all; comma-separated or repeated)', parse: 'list' },
    { flags: '--where <expression>', description: "restrict the exposures, e.g. \"exposure.day_obs = 20250301\"" },
    { flags: '--padding <pixels>', description: 'pixels to pad each detector box by for its region (default 250)', parse: 'integer' },
  ],
  action: async (args, options, ctx) =>
    withButler(args[0] as string, ctx, async (butler) => {
      const task = new DefineVisitsTask({ butler, importModule: ctx.importModule, ...(options['padding'] === undefined ? {} : { config: paddingConfig(Number(options['padding'])) }) });
      const collections = options['collections'] as string[] | undefined;
      const where = options['where'] as string | undefined;
      const result = await task.run(args[1] as string, { ...(collections === undefined ? {} : { collections }), ...(where === undefined ? {} : { where }) });
      ctx.log.info(`Defined ${result.visits.length} visit(s).`);
    }),
};

function paddingConfig(padding: number): InstanceType<typeof DefineVisitsTask.ConfigClass> {
  const config = new DefineVisitsTask.ConfigClass();
  config.padding = padding;
  return config;
}

const writeCuratedCalibrations: ObsButlerCommand = {
  name: 'write-curated-calibrations',
  description: "Write the instrument's curated calibrations and certify them into <INSTRUMENT>/calib.",
  arguments: [
    { name: 'repo', description: 'the repository' },
    { name: 'instrument', description: 'the instrument name' },
  ],
  options: [
    { flags: '--collection <name>', description: 'the CALIBRATION collection (default <INSTRUMENT>/calib)' },
    { flags: '--label <label>', description: 'labels of the RUN name <INSTRUMENT>/calib/curated/<labels> (repeatable)', parse: 'repeated' },
  ],
  action: async (args, options, ctx) =>
    withButler(args[0] as string, ctx, async (butler) => {
      const instrument = await Instrument.fromName(args[1] as string, butler.registry, { importModule: ctx.importModule });
      const collection = options['collection'] as string | undefined;
      const labels = options['label'] as string[] | undefined;
      const result = await instrument.writeCuratedCalibrations(butler, { ...(collection === undefined ? {} : { collection }), ...(labels === undefined ? {} : { labels }) });
      ctx.log.info(`Wrote ${result.refs.length} curated calibration(s) to ${result.run}, certified in ${result.collection}.`);
    }),
};

/**
 * obs-base's `butler` subcommands, for daf-butler's plugin mechanism: `register-instrument`,
 * `ingest-raws`, `define-visits` and `write-curated-calibrations` (LSST obs_base's). Run
 * `butler` with `SKYSTACK_BUTLER_PLUGINS=@skystack/obs-base` to have them.
 *
 * @example
 * ```ts
 * await runButler(['ingest-raws', repo, 'raws/', '-t', 'copy'], io, { plugins: [{ butlerCommands }] });
 * ```
 * @see lsst.obs.base.cli (cmd/commands.py)
 */
export const butlerCommands: readonly ObsButlerCommand[] = Object.freeze([registerInstrument, ingestRaws, defineVisits, writeCuratedCalibrations]);
