// The `butler` command line: daf_butler's subcommands, arguments and options on commander.
import {
  type Logger,
  LogLevel,
  SkyStackError,
  StreamSink,
  TextFormatter,
  applyLogLevels,
  getDefaultLogManager,
  parseLogLevels,
  collectCommaList,
  collectRepeated,
} from '@skystack/base';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { TRANSFER_MODES } from '../datastore/datastore.js';
import { defaultImportModule, type ModuleImporter } from '../formatters/formatter.js';
import { parseCollectionType, type CollectionType } from '../registry/collection-type.js';
import * as cmd from './commands.js';
import { CliContext, ButlerCliError, type ButlerIo } from './context.js';

export type { ButlerIo, WriteStream } from './context.js';
export { ButlerCliError } from './context.js';
export type { ModuleImporter } from '../formatters/formatter.js';

/** Thrown by a command that finished with a non-zero exit status and has said why already. */
class ExitStatus extends Error {
  constructor(readonly status: number) {
    super(`exit status ${status}`);
  }
}

const LOGGER = 'skystack.butler.cli';

// ------------------------------------------------------------------ option parsers


function integer(value: string): number {
  if (!/^[-+]?\d+$/.test(value.trim())) throw new InvalidArgumentError(`'${value}' is not an integer.`);
  return Number(value);
}

function upperChoice(choices: readonly string[]) {
  return (value: string): string => {
    const v = value.toUpperCase();
    if (!choices.includes(v)) throw new InvalidArgumentError(`'${value}' is not one of ${choices.join(', ')} (case-insensitive).`);
    return v;
  };
}

function collectionTypes(value: string, previous: CollectionType[] | undefined): CollectionType[] {
  const out = [...(previous ?? [])];
  for (const name of value.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const t = parseCollectionType(name);
    if (t === undefined) throw new InvalidArgumentError(`'${name}' is not a collection type (RUN, TAGGED, CHAINED, CALIBRATION; case-insensitive).`);
    out.push(t);
  }
  return out;
}

const WHERE_HELP = "a string expression similar to a SQL WHERE clause, e.g. \"band='i' AND detector IN (20..22)\"";
const LIMIT_HELP = 'limit the number of results; 0 means no limit, a negative value caps the results at -LIMIT with a warning';
const ORDER_HELP = "dimensions or fields to sort by (comma-separated; a '-' prefix sorts descending)";
const JSON_HELP = 'print one JSON array of row objects instead of tables (SkyStack addition)';

function transferOption(defaultValue = 'auto'): Option {
  return new Option('-t, --transfer <mode>', 'how to move the files').choices(TRANSFER_MODES).default(defaultValue);
}

function datasetQueryOptions(c: Command, what: string): Command {
  return c
    .option('--collections <collections>', `collections to search for ${what} (globs allowed; comma-separated or repeated; default all)`, collectCommaList)
    .option('--datasets <types>', `dataset types to ${what === 'datasets' ? 'find' : 'use'} (globs allowed; comma-separated or repeated; default all)`, collectCommaList)
    .option('--where <expression>', WHERE_HELP)
    .option('--find-first', 'for each data ID keep only the dataset from the first collection, in the order given')
    .option('--no-find-first', 'keep datasets from every collection (default)');
}

// ------------------------------------------------------------------ plugins

/** The environment variable listing `butler` plugin modules (daf_butler's `DAF_BUTLER_PLUGINS`). */
export const BUTLER_PLUGINS_ENV = 'SKYSTACK_BUTLER_PLUGINS';

/** A positional argument of a {@link ButlerCommand}. */
export interface ButlerCommandArgument {
  /** The name shown in help (`repo`, `locations`). */
  readonly name: string;
  /** What it is. */
  readonly description: string;
  /** Whether it may be left out (default: required). */
  readonly optional?: boolean;
  /** Whether it takes all remaining values (the last argument only); the action gets an array. */
  readonly variadic?: boolean;
}

/** An option of a {@link ButlerCommand}. */
export interface ButlerCommandOption {
  /** Commander flags: `--output-run <run>`, `-j, --processes <n>`, `--no-update`, `--flag`. */
  readonly flags: string;
  /** What it does. */
  readonly description: string;
  /** The default value. */
  readonly defaultValue?: string | number | boolean | readonly string[];
  /** The allowed values. */
  readonly choices?: readonly string[];
  /** How to parse the value: an integer, a comma-separated and repeatable list, or repeatable. */
  readonly parse?: 'integer' | 'list' | 'repeated';
}

/** What a plugin command is given to run with. */
export interface ButlerCommandContext {
  /**
   * Prints lines on standard output.
   *
   * @param lines - each printed with a newline
   */
  print(...lines: string[]): void;
  /** The `skystack.butler.cli` logger (its records go to standard error). */
  readonly log: Logger;
  /** How to import modules named in configuration (instrument classes). */
  readonly importModule: ModuleImporter;
}

/**
 * A subcommand that a plugin adds to `butler`, described as data so that plugins need no
 * command-line library: LSST's obs_base adds `register-instrument`, `ingest-raws`,
 * `define-visits` and `write-curated-calibrations` this way.
 *
 * @see lsst.daf.butler.cli.butler.PluginCommand (LSST's `DAF_BUTLER_PLUGINS` YAML files)
 */
export interface ButlerCommand {
  /** The subcommand name (`ingest-raws`). */
  readonly name: string;
  /** One line for `butler --help`. */
  readonly description: string;
  /** The positional arguments, in order. */
  readonly arguments?: readonly ButlerCommandArgument[];
  /** The options. */
  readonly options?: readonly ButlerCommandOption[];
  /**
   * Runs the command. A thrown error is reported as one `Error: ...` line (status 1).
   *
   * @param args - the positional values in order (an array for a variadic argument)
   * @param options - the option values by camelCase name (`outputRun`)
   * @param ctx - output, logger, module importer
   * @returns the exit status (0 or nothing for success)
   */
  action(args: readonly (string | readonly string[] | undefined)[], options: Readonly<Record<string, unknown>>, ctx: ButlerCommandContext): Promise<number | void>;
}

/** A module that adds subcommands to `butler`: it exports `butlerCommands`. */
export interface ButlerPlugin {
  /** The commands. */
  readonly butlerCommands: readonly ButlerCommand[];
}

/** Options of {@link makeButlerProgram} and {@link runButler}. */
export interface ButlerProgramOptions {
  /** Plugins whose commands are added (see {@link loadButlerPlugins}). */
  readonly plugins?: readonly ButlerPlugin[];
  /** How plugin commands import modules (default: daf-butler's `defaultImportModule`). */
  readonly importModule?: ModuleImporter;
}

/**
 * Imports `butler` plugin modules: each must export `butlerCommands` (see {@link ButlerPlugin}).
 * The command-line entry point loads those listed in the `SKYSTACK_BUTLER_PLUGINS` environment
 * variable (comma-separated module specifiers or paths, as LSST's `DAF_BUTLER_PLUGINS`).
 *
 * @param specifiers - module specifiers (`@skystack/obs-base`) or paths (`./packages/obs-base/src/index.ts`)
 * @param importModule - how to import them (default: daf-butler's `defaultImportModule`)
 * @returns the plugins, in order
 * @throws ButlerCliError when a module cannot be imported or exports no `butlerCommands`
 * @example
 * ```ts
 * const plugins = await loadButlerPlugins(['@skystack/obs-base']);
 * await runButler(['ingest-raws', 'REPO', 'raws/'], undefined, { plugins });
 * ```
 */
export async function loadButlerPlugins(specifiers: readonly string[], importModule: ModuleImporter = (s) => defaultImportModule(s)): Promise<ButlerPlugin[]> {
  const out: ButlerPlugin[] = [];
  for (const spec of specifiers.map((s) => s.trim()).filter((s) => s !== '')) {
    let mod: Readonly<Record<string, unknown>>;
    try {
      mod = await importModule(spec);
    } catch (e) {
      throw new ButlerCliError(`Cannot load butler plugin '${spec}': ${(e as Error).message}`, {
        cause: e,
        hint: `Check ${BUTLER_PLUGINS_ENV}; a bare specifier must be resolvable from the working directory or from SKYSTACK_MODULE_PATHS.`,
      });
    }
    const commands = mod['butlerCommands'];
    if (!Array.isArray(commands)) throw new ButlerCliError(`Butler plugin '${spec}' does not export an array 'butlerCommands'.`);
    out.push({ butlerCommands: commands as ButlerCommand[] });
  }
  return out;
}

function addPluginCommand(program: Command, command: ButlerCommand, ctx: CliContext, importModule: ModuleImporter, wrap: (f: (...args: unknown[]) => Promise<number | void>) => (...args: unknown[]) => Promise<void>): void {
  if (program.commands.some((c) => c.name() === command.name)) {
    throw new ButlerCliError(`Butler plugin command '${command.name}' clashes with an existing command of that name.`);
  }
  const c = program.command(command.name).description(command.description);
  for (const a of command.arguments ?? []) {
    const label = `${a.name}${a.variadic ? '...' : ''}`;
    c.argument(a.optional ? `[${label}]` : `<${label}>`, a.description);
  }
  for (const o of command.options ?? []) {
    const opt = new Option(o.flags, o.description);
    if (o.choices !== undefined) opt.choices(o.choices);
    if (o.parse === 'integer') opt.argParser(integer);
    else if (o.parse === 'list') opt.argParser(collectCommaList);
    else if (o.parse === 'repeated') opt.argParser(collectRepeated);
    if (o.defaultValue !== undefined) opt.default(o.defaultValue);
    c.addOption(opt);
  }
  const n = (command.arguments ?? []).length;
  const commandCtx: ButlerCommandContext = { print: (...lines) => ctx.print(...lines), log: ctx.log, importModule };
  c.action(
    wrap((...values: unknown[]) =>
      command.action(values.slice(0, n) as (string | string[] | undefined)[], (values[n] ?? {}) as Record<string, unknown>, commandCtx),
    ),
  );
}

// ------------------------------------------------------------------ the program

/**
 * Builds the `butler` command line: daf_butler's subcommands with their arguments and
 * options, writing to the given streams. Commander's own errors (unknown commands and
 * options, bad values) are thrown as `CommanderError` (see {@link runButler}).
 *
 * @param io - standard output and error (and, optionally, how to confirm destructive actions)
 * @param options - plugins whose commands are added (`register-instrument`, `ingest-raws`, ... from obs-base)
 * @returns the commander program; run it with `parseAsync(argv, { from: 'user' })`
 * @example
 * ```ts
 * const program = makeButlerProgram({ stdout: process.stdout, stderr: process.stderr });
 * await program.parseAsync(['query-collections', '/data/repo'], { from: 'user' });
 * ```
 * @see lsst.daf.butler.cli.butler
 */
export function makeButlerProgram(io: ButlerIo, options: ButlerProgramOptions = {}): Command {
  const manager = getDefaultLogManager();
  const ctx = new CliContext(io, manager.getLogger(LOGGER));
  const program = new Command('butler');
  program
    .description('Command-line interface to a SkyStack (LSST Gen3) Butler data repository.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showSuggestionAfterError(true)
    .option('--log-level <LEVEL|COMPONENT=LEVEL>', 'the logging level (TRACE, DEBUG, VERBOSE, INFO, WARNING, ERROR, CRITICAL) of the default logger or of COMPONENT; repeatable', collectRepeated)
    .option('--long-log', 'log with timestamps and logger names (the long format)')
    .addHelpText('after', '\nThe -@/--options-file option of daf_butler is not supported.')
    .hook('preAction', (thisCommand) => {
      const o = thisCommand.opts<{ logLevel?: string[]; longLog?: boolean }>();
      const specs = parseLogLevels(o.logLevel ?? []);
      manager.configure({
        levels: { skystack: 'INFO' },
        sinks: [new StreamSink(io.stderr, { formatter: new TextFormatter({ timestamps: o.longLog === true }) })],
      });
      applyLogLevels(manager, specs);
    });

  const run =
    <A extends unknown[]>(f: (...args: A) => Promise<number | void> | number | void) =>
    async (...args: A): Promise<void> => {
      const status = await f(...args);
      if (typeof status === 'number' && status !== 0) throw new ExitStatus(status);
    };

  program
    .command('create')
    .description('Create an empty Gen3 Butler repository.')
    .argument('<repo>', 'the path to the new repository; made if it does not exist')
    .option('--seed-config <file>', 'a YAML config file to apply on top of the defaults (e.g. registry.db: postgresql://...)')
    .option('--dimension-config <file>', 'a YAML file with the dimension universe configuration')
    .option('--standalone', 'write all defaults into butler.yaml, insulating the repository from changes in package defaults')
    .option('--override', 'let values in the seed config override all repository settings (including datastore.root)')
    .option('-f, --outfile <file>', 'write the configuration to this file instead of REPO/butler.yaml')
    .action(run((repo: string, o: cmd.CreateOptions) => cmd.createRepo(ctx, repo, o)));

  program
    .command('config-dump')
    .description('Dump either a subset or full Butler configuration to standard output.')
    .argument('<repo>', 'an existing repository root or configuration file')
    .option('-s, --subset <key>', "the part of the configuration to report, e.g. '.datastore.root' (a leading '.' is the delimiter)")
    .option('--file <file>', 'write to this file instead of standard output')
    .action(run((repo: string, o: { subset?: string; file?: string }) => cmd.configDump(ctx, repo, o)));

  program
    .command('config-validate')
    .description('Validate the configuration for a repository: storage classes, formatters and file templates of every registered dataset type.')
    .argument('<repo>', 'an existing repository')
    .option('-q, --quiet', 'do not report individual failures')
    .option('-d, --dataset-type <types>', 'validate only these dataset types (comma-separated or collectRepeated)', collectCommaList)
    .option('-i, --ignore <types>', 'dataset types to skip (comma-separated or collectRepeated)', collectCommaList)
    .action(
      run(async (repo: string, o: { quiet?: boolean; datasetType?: string[]; ignore?: string[] }) => {
        await cmd.configValidate(ctx, repo, { ...(o.quiet ? { quiet: true } : {}), ...(o.datasetType ? { datasetTypes: o.datasetType } : {}), ...(o.ignore ? { ignore: o.ignore } : {}) });
      }),
    );

  program
    .command('register-dataset-type')
    .description('Register a new dataset type with this repository. Component dataset types (parent.component) are derived from their parent and cannot be registered.')
    .argument('<repo>', 'an existing repository')
    .argument('<dataset-type>', 'the name of the dataset type')
    .argument('<storage-class>', 'the name of its storage class')
    .argument('[dimensions...]', 'its dimensions (may be none)')
    .option('--is-calibration', 'the dataset type can be part of a CALIBRATION collection')
    .option('--no-is-calibration', 'the dataset type is not a calibration (default)')
    .action(run((repo: string, name: string, sc: string, dims: string[], o: { isCalibration?: boolean }) => cmd.registerDatasetType(ctx, repo, name, sc, dims, o.isCalibration ?? false)));

  program
    .command('remove-dataset-type')
    .description('Remove dataset type definitions (names or globs) from a repository; they must have no datasets.')
    .argument('<repo>', 'an existing repository')
    .argument('<dataset-type-name...>', 'names or globs')
    .action(run((repo: string, names: string[]) => cmd.removeDatasetType(ctx, repo, names)));

  program
    .command('query-collections')
    .description('Get the collections whose names match an expression.')
    .argument('<repo>', 'an existing repository')
    .argument('[glob...]', 'glob-style expressions that fully or partially identify the collections to return')
    .option('--collection-type <types>', 'only these collection types (RUN, TAGGED, CHAINED, CALIBRATION; case-insensitive, comma-separated or collectRepeated)', collectionTypes)
    .addOption(
      new Option(
        '--chains <mode>',
        'how to present chains: TABLE (a Children column), INVERSE-TABLE (a Parents column), TREE (children indented below each chain), INVERSE-TREE (parents indented below), FLATTEN (chains replaced by their children), NO-CHILDREN (chains not expanded); case-insensitive',
      )
        .argParser(upperChoice(cmd.CHAINS_MODES))
        .default('TREE'),
    )
    .option('--json', JSON_HELP)
    .action(run((repo: string, globs: string[], o: { collectionType?: CollectionType[]; chains: cmd.ChainsMode; json?: boolean }) =>
      cmd.queryCollections(ctx, repo, globs, { chains: o.chains, ...(o.collectionType ? { collectionTypes: o.collectionType } : {}), ...(o.json ? { json: true } : {}) }),
    ));

  program
    .command('query-dataset-types')
    .description('Get the dataset types in a repository.')
    .argument('<repo>', 'an existing repository')
    .argument('[glob...]', 'glob-style expressions that fully or partially identify the dataset types to return')
    .option('-v, --verbose', 'include the dimensions and storage class of each dataset type')
    .option('--collections <collections>', 'only dataset types that have (or had) datasets in these collections', collectCommaList)
    .option('--json', JSON_HELP)
    .action(run((repo: string, globs: string[], o: { verbose?: boolean; collections?: string[]; json?: boolean }) => cmd.queryDatasetTypes(ctx, repo, globs, o)));

  program
    .command('query-datasets')
    .description('List the datasets in a repository: one table per dataset type.')
    .argument('<repo>', 'an existing repository')
    .argument('[glob...]', 'glob-style expressions that fully or partially identify the dataset types to return (default all)')
    .option('--collections <collections>', 'collections to search (globs allowed; comma-separated or repeated; default all)', collectCommaList)
    .option('--where <expression>', WHERE_HELP)
    .option('--find-first', 'for each data ID keep only the dataset from the first collection, in the order given')
    .option('--no-find-first', 'keep datasets from every collection (default)')
    .option('--limit <n>', LIMIT_HELP, integer, cmd.DEFAULT_LIMIT)
    .option('--order-by <fields>', ORDER_HELP, collectCommaList)
    .option('--show-uri', 'show the file URI of each dataset (predicted ones end in #predicted)')
    .option('--json', JSON_HELP)
    .action(
      run((repo: string, globs: string[], o: { collections?: string[]; where?: string; findFirst?: boolean; limit: number; orderBy?: string[]; showUri?: boolean; json?: boolean }) =>
        cmd.queryDatasets(ctx, repo, globs, o),
      ),
    );

  program
    .command('query-data-ids')
    .description('List the data IDs in a repository.')
    .argument('<repo>', 'an existing repository')
    .argument('[dimensions...]', 'the keys of the data IDs to yield, such as exposure, instrument or tract; expanded to include their dependencies')
    .option('--collections <collections>', 'collections to search for --datasets (default all)', collectCommaList)
    .option('--datasets <types>', 'dataset types whose existence (in --collections) constrains the data IDs', collectCommaList)
    .option('--where <expression>', WHERE_HELP)
    .option('--order-by <fields>', ORDER_HELP, collectCommaList)
    .option('--limit <n>', LIMIT_HELP, integer, cmd.DEFAULT_LIMIT)
    .option('--offset <n>', 'skip this many results first (with --limit)', integer)
    .option('--json', JSON_HELP)
    .action(
      run((repo: string, dims: string[], o: { collections?: string[]; datasets?: string[]; where?: string; orderBy?: string[]; limit: number; offset?: number; json?: boolean }) =>
        cmd.queryDataIds(ctx, repo, dims, o),
      ),
    );

  program
    .command('query-dimension-records')
    .description('Query for dimension information.')
    .argument('<repo>', 'an existing repository')
    .argument('<element>', 'the dimension element to get records of, such as visit or detector')
    .option('--datasets <types>', 'dataset types whose existence (in --collections) constrains the records', collectCommaList)
    .option('--collections <collections>', 'collections to search for --datasets (default all)', collectCommaList)
    .option('--where <expression>', WHERE_HELP)
    .option('--order-by <fields>', ORDER_HELP, collectCommaList)
    .option('--limit <n>', LIMIT_HELP, integer, cmd.DEFAULT_LIMIT)
    .option('--offset <n>', 'skip this many results first (with --limit)', integer)
    .option('--no-check', 'no effect (kept for compatibility with daf_butler)')
    .option('--json', JSON_HELP)
    .action(
      run((repo: string, element: string, o: { datasets?: string[]; collections?: string[]; where?: string; orderBy?: string[]; limit: number; offset?: number; check?: boolean; json?: boolean }) =>
        cmd.queryDimensionRecords(ctx, repo, element, { ...o, noCheck: o.check === false }),
      ),
    );

  program
    .command('collection-chain')
    .description(
      'Define a collection chain. PARENT is the CHAINED collection to create or modify; CHILDREN (comma-separated values are split) are used as --mode says. ' +
        "With --mode pop, CHILDREN are integer positions (default 0); give '--' before negative ones: butler collection-chain REPO --mode pop PARENT -- -1",
    )
    .argument('<repo>', 'an existing repository')
    .argument('<parent>', 'the chained collection')
    .argument('[children...]', 'the children (or positions, for pop)')
    .addOption(new Option('--mode <mode>', 'redefine: create or replace the chain; extend/prepend: add CHILDREN at the end/front; remove: remove CHILDREN; pop: remove the children at these positions').choices(['redefine', 'extend', 'remove', 'prepend', 'pop']).default('redefine'))
    .option('--flatten', 'recursively flatten chained collections among CHILDREN first')
    .option('--no-flatten', 'keep chained children as they are (default)')
    .option('--doc <text>', 'documentation of the collection (only when it is new)')
    .action(
      run((repo: string, parent: string, children: string[], o: { mode: string; flatten?: boolean; doc?: string }) =>
        cmd.collectionChain(ctx, repo, parent, children.flatMap((c) => c.split(',').map((s) => s.trim()).filter((s) => s !== '')), o),
      ),
    );

  datasetQueryOptions(
    program
      .command('associate')
      .description('Add existing datasets to a TAGGED collection (made if missing): searches for datasets with the options and adds them to COLLECTION.')
      .argument('<repo>', 'an existing repository')
      .argument('<collection>', 'the TAGGED collection'),
    'datasets',
  ).action(run((repo: string, collection: string, o: cmd.DatasetQueryOptions) => cmd.associate(ctx, repo, collection, o)));

  program
    .command('certify-calibrations')
    .description('Certify calibrations: the DATASET_TYPE datasets of INPUT_COLLECTION go into the CALIBRATION collection OUTPUT_COLLECTION with a validity range.')
    .argument('<repo>', 'an existing repository')
    .argument('<input-collection>', 'where to find the datasets (a chain: only its first child unless --search-all-inputs)')
    .argument('<output-collection>', 'the CALIBRATION collection (made if missing)')
    .argument('<dataset-type-name>', 'the dataset type')
    .option('--begin-date <time>', 'ISO-8601 time (TAI) of the start of the validity range (default unbounded)')
    .option('--end-date <time>', 'ISO-8601 time (TAI) of the end of the validity range (default unbounded)')
    .option('--search-all-inputs', 'search all children of a CHAINED input collection instead of just the first')
    .action(
      run((repo: string, input: string, output: string, dt: string, o: { beginDate?: string; endDate?: string; searchAllInputs?: boolean }) => cmd.certifyCalibrations(ctx, repo, input, output, dt, o)),
    );

  program
    .command('ingest-files')
    .description(
      'Ingest files from a table file. TABLE_FILE is a CSV or ECSV table whose first column is the file path (relative to --prefix or the working directory) and whose other columns are data ID keys named after dimensions. Dimension records must exist already.',
    )
    .argument('<repo>', 'an existing repository')
    .argument('<dataset-type>', 'the (registered) dataset type of every file')
    .argument('<run>', 'the RUN collection to ingest into')
    .argument('<table-file>', 'the table of files and data IDs')
    .option('--formatter <name>', 'the formatter that reads the files (default: the one configured for the dataset type)')
    .addOption(new Option('--id-generation-mode <mode>', 'UNIQUE (random IDs), DATAID_TYPE or DATAID_TYPE_RUN (reproducible IDs); case-insensitive').argParser(upperChoice(['UNIQUE', 'DATAID_TYPE', 'DATAID_TYPE_RUN'])).default('UNIQUE'))
    .option('--data-id <key=value>', 'a data ID value shared by every file (comma-separated or collectRepeated)', collectCommaList)
    .option('--prefix <dir>', 'the directory relative file paths start from (default: the working directory)')
    .addOption(transferOption())
    .action(
      run((repo: string, dt: string, runName: string, table: string, o: { formatter?: string; idGenerationMode?: string; dataId?: string[]; prefix?: string; transfer?: string }) =>
        cmd.ingestFiles(ctx, repo, dt, runName, table, o),
      ),
    );

  program
    .command('import')
    .description('Import data into a butler repository from an export directory.')
    .argument('<repo>', 'an existing repository')
    .argument('<directory>', 'the export directory; dataset file paths are relative to it')
    .addOption(transferOption())
    .option('--export-file <file>', 'the export YAML file; if it is not absolute and does not exist in the working directory it is looked for in DIRECTORY (default export.yaml)')
    .option('-s, --skip-dimensions <elements>', 'dimension elements whose records are not imported (comma-separated or collectRepeated)', collectCommaList)
    .option('--without-datastore', 'import the registry content only, no files (SkyStack addition)')
    .action(
      run((repo: string, dir: string, o: { transfer?: string; exportFile?: string; skipDimensions?: string[]; withoutDatastore?: boolean }) => cmd.importRepo(ctx, repo, dir, o)),
    );

  datasetQueryOptions(
    program
      .command('export')
      .description('Export datasets, with the collections and dimension records they need, to DIRECTORY/export.yaml and their files (a SkyStack addition; daf_butler has only the Python Butler.export).')
      .argument('<repo>', 'an existing repository')
      .argument('<directory>', 'where to write (made if missing)'),
    'datasets',
  )
    .addOption(transferOption('copy'))
    .action(run((repo: string, dir: string, o: cmd.DatasetQueryOptions & { transfer?: string }) => cmd.exportRepo(ctx, repo, dir, o)));

  program
    .command('remove-runs')
    .description('Remove one or more RUN collections and the datasets within them.')
    .argument('<repo>', 'an existing repository')
    .argument('<collection>', 'a glob-style expression that identifies the RUN collection(s) to remove')
    .option('--confirm', 'print what would be removed and ask before removing (default)')
    .option('--no-confirm', 'do not ask for confirmation')
    .option('--force', 'with --no-confirm: also remove RUN collections that are children of CHAINED collections')
    .action(run((repo: string, collection: string, o: { confirm?: boolean; force?: boolean }) => cmd.removeRuns(ctx, repo, collection, { confirm: o.confirm ?? true, ...(o.force ? { force: true } : {}) })));

  program
    .command('remove-collections')
    .description('Remove one or more non-RUN collections. RUN collections found are listed but not removed.')
    .argument('<repo>', 'an existing repository')
    .argument('<collection>', 'a glob-style expression that identifies the collection(s) to remove')
    .option('--remove-from-parents', 'remove the collections from CHAINED collections that include them first')
    .option('--confirm', 'print what would be removed and ask before removing (default)')
    .option('--no-confirm', 'do not ask for confirmation')
    .action(
      run((repo: string, collection: string, o: { confirm?: boolean; removeFromParents?: boolean }) =>
        cmd.removeCollections(ctx, repo, collection, { confirm: o.confirm ?? true, ...(o.removeFromParents ? { removeFromParents: true } : {}) }),
      ),
    );

  program
    .command('prune-datasets')
    .description('Query for and remove one or more datasets from a collection and/or storage.')
    .argument('<repo>', 'an existing repository')
    .argument('[collections...]', "collections to search for datasets (globs only with --find-all; '*' for all)")
    .option('--datasets <types>', 'dataset types to prune (globs allowed; comma-separated or collectRepeated)', collectCommaList)
    .option('--find-all', 'prune matching datasets from every collection, not only the first one found for each data ID')
    .option('--where <expression>', WHERE_HELP)
    .option('--disassociate <tags>', 'disassociate the datasets from these TAGGED collections (not with --purge)', collectCommaList)
    .option('--purge <run>', 'remove the datasets from the registry entirely (RUN is searched when no COLLECTIONS are given); implies --unstore')
    .option('--unstore', 'remove the datasets from the datastore (their files)')
    .option('--dry-run', 'print the datasets that would be removed, and remove nothing')
    .option('--confirm', 'print what would be removed and ask before removing (default)')
    .option('--no-confirm', 'do not ask for confirmation')
    .option('--quiet', 'print nothing; implies --no-confirm; not with --dry-run')
    .action(
      run(
        (
          repo: string,
          collections: string[],
          o: { datasets?: string[]; findAll?: boolean; where?: string; disassociate?: string[]; purge?: string; unstore?: boolean; dryRun?: boolean; confirm?: boolean; quiet?: boolean },
        ) => cmd.pruneDatasets(ctx, repo, collections, { ...o, confirm: o.confirm ?? true }),
      ),
    );

  datasetQueryOptions(
    program
      .command('retrieve-artifacts')
      .description('Retrieve file artifacts associated with datasets in a repository.')
      .argument('<repo>', 'an existing repository')
      .argument('<dest>', 'the directory to receive the files'),
    'datasets',
  )
    .addOption(transferOption('copy'))
    .option('-v, --verbose', 'list every file retrieved')
    .option('--preserve-path', "keep the datastore's path of each file under DEST (default)")
    .option('--no-preserve-path', 'put every file directly in DEST')
    .option('--clobber', 'overwrite files that exist')
    .option('--no-clobber', 'refuse to overwrite files (default)')
    .action(
      run((repo: string, dest: string, o: cmd.DatasetQueryOptions & { transfer?: string; preservePath?: boolean; clobber?: boolean; verbose?: boolean }) => cmd.retrieveArtifacts(ctx, repo, dest, o)),
    );

  datasetQueryOptions(
    program
      .command('transfer-datasets')
      .description('Transfer datasets from a source butler to a destination butler. SOURCE is the repository holding the datasets; DEST receives copies of them.')
      .argument('<source>', 'the source repository')
      .argument('<dest>', 'the destination repository'),
    'datasets',
  )
    .addOption(transferOption())
    .option('--register-dataset-types', 'register dataset types missing from DEST')
    .option('--transfer-dimensions', 'copy the dimension records the datasets need')
    .option('--no-transfer-dimensions', 'do not copy dimension records (default)')
    .action(
      run((source: string, dest: string, o: cmd.DatasetQueryOptions & { transfer?: string; registerDatasetTypes?: boolean; transferDimensions?: boolean }) =>
        cmd.transferDatasets(ctx, source, dest, o),
      ),
    );

  const importModule = options.importModule ?? ((spec: string) => defaultImportModule(spec));
  for (const plugin of options.plugins ?? []) {
    for (const command of plugin.butlerCommands) addPluginCommand(program, command, ctx, importModule, run);
  }

  return program;
}

const HELP_CODES = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version']);

function oneLine(message: string): string {
  return message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^\^+$/.test(l))
    .join(' ');
}

/**
 * Runs `butler` with these arguments, in this process: parses them, runs the command, and
 * reports errors as daf_butler's CLI does. A SkyStack error (bad input, missing repository,
 * unknown dataset type...) prints one `Error: <message>` line on standard error (with the
 * stack trace too under `--log-level DEBUG`) and gives status 1; a command-line usage error
 * (unknown command or option, bad option value) prints commander's message and gives status 2.
 *
 * @param argv - the arguments after the program name (`['query-collections', 'REPO']`)
 * @param io - where to write (default: the process's streams)
 * @param options - plugins (see {@link loadButlerPlugins})
 * @returns the exit status
 * @example
 * ```ts
 * const status = await runButler(['query-dataset-types', '/data/repo', '-v']);
 * ```
 */
export async function runButler(
  argv: readonly string[],
  io: ButlerIo = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin },
  options: ButlerProgramOptions = {},
): Promise<number> {
  const manager = getDefaultLogManager();
  try {
    const program = makeButlerProgram(io, options);
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof ExitStatus) return e.status;
    if (e instanceof CommanderError) return HELP_CODES.has(e.code) ? 0 : 2;
    const debug = manager.getEffectiveLevel(LOGGER) <= LogLevel.DEBUG;
    const message = e instanceof Error ? e.message : String(e);
    io.stderr.write(`Error: ${oneLine(message)}\n`);
    if (debug && e instanceof Error && e.stack) io.stderr.write(`${e.stack}\n`);
    else if (!(e instanceof SkyStackError)) io.stderr.write('(not a SkyStack error: run with --log-level DEBUG to see where it happened)\n');
    return 1;
  } finally {
    manager.reset();
  }
}
