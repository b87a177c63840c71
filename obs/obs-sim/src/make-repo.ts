// A Butler repository of a SimCam simulation, made as a user makes one: with the `butler`
// commands (create, register-instrument, write-curated-calibrations, ingest-raws, define-visits,
// register-dataset-type, ingest-files, certify-calibrations, collection-chain).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Butler, CollectionType, defaultImportModule, runButler, type ModuleImporter } from '@skystack/daf-butler';
import { butlerCommands } from '@skystack/obs-base';
import { SIMCAM_DETECTOR_SIZE, SIMCAM_NAME } from './camera.js';
import { ObsSimInvalidArgumentError, ObsSimRepoError } from './errors.js';
import { REFCAT_HTM_DEPTH } from './refcat.js';
import { SIMCAM_CLASS_NAME, SIMCAM_DEFAULT_SEED, SIMCAM_SMALL_CLASS_NAME, SIMCAM_SMALL_DETECTOR_SIZE, SimCam } from './sim-cam.js';
import { SIMCAM_REFCAT_NAME, type SimulationManifest } from './simulate.js';

/** The RUN the simulated master calibrations are ingested into before being certified. */
export const SIMCAM_MASTER_CALIB_RUN = 'SimCam/calib/sim';
/** The RUN of the reference catalog shards (LSST's `refcats/<name>` convention). */
export const SIMCAM_REFCAT_RUN = 'refcats/sim';
/** The CHAINED collection of all reference catalogs (LSST's `refcats`). */
export const REFCATS_COLLECTION = 'refcats';
/** The dataset type of the reference catalog shards (dimensions `htm7`, storage class `SimpleCatalog`). */
export const SIMCAM_REFCAT_DATASET_TYPE = SIMCAM_REFCAT_NAME;

/** Options of {@link makeSimRepo}. */
export interface MakeSimRepoOptions {
  /** The simulation directory (`obs-sim simulate --out DIR`, with its `manifest.json`). */
  readonly simDir: string;
  /** The repository directory (created, with an SQLite registry, when it holds none). */
  readonly repo: string;
  /** How files go into the datastore: `copy` (default: a self-contained repository), `symlink`, `hardlink`, `link`, `direct`. */
  readonly transfer?: 'copy' | 'symlink' | 'hardlink' | 'link' | 'direct';
  /** How many raw headers `ingest-raws` reads at once (default 4). */
  readonly processes?: number;
  /** Called with each line of what is done (`butler ...` commands and their output). */
  readonly onLine?: (line: string) => void;
  /** How modules are imported (instrument and formatter classes; default: this package for `@skystack/obs-sim`, Node's resolution otherwise). */
  readonly importModule?: ModuleImporter;
}

/** One step of {@link makeSimRepo}. */
export interface MakeSimRepoStep {
  /** The `butler` arguments (after `butler`), or a description for a step done in code. */
  readonly argv: readonly string[];
  /** Whether it was skipped because its result was already there. */
  readonly skipped: boolean;
  /** What it printed. */
  readonly output: string;
}

/** What {@link makeSimRepo} did. */
export interface MakeSimRepoResult {
  /** The repository (absolute). */
  readonly repo: string;
  /** The instrument class registered (`@skystack/obs-sim#SimCam` or `...#SimCamSmall`). */
  readonly instrumentClass: string;
  /** The steps, in order. */
  readonly steps: readonly MakeSimRepoStep[];
  /** The umbrella collection (`SimCam/defaults`). */
  readonly defaults: string;
  /** Wall time, seconds. */
  readonly seconds: number;
}

/**
 * A module importer for Butlers that read SimCam repositories from code that bundles or
 * transpiles this package (tests, scripts run from the source tree): `@skystack/obs-sim` is this
 * package's own entry point and `@skystack/obs-base` the obs-base this package imports (one
 * instance of its classes, so that its formatters recognise the cameras this package makes);
 * other specifiers go to daf-butler's `defaultImportModule`.
 *
 * @param spec - the module specifier
 * @returns the module
 * @example
 * ```ts
 * const butler = await Butler.from(repo, { collections: 'SimCam/defaults', importModule: obsSimImportModule });
 * ```
 */
export const obsSimImportModule: ModuleImporter = async (spec) => {
  if (spec === '@skystack/obs-sim') return (await import('./index.js')) as Readonly<Record<string, unknown>>;
  if (spec === '@skystack/obs-base') return (await import('@skystack/obs-base')) as Readonly<Record<string, unknown>>;
  return defaultImportModule(spec);
};

interface Master {
  readonly datasetType: 'bias' | 'dark' | 'flat';
  readonly file: string;
  readonly detector: number;
  readonly physicalFilter?: string;
}

function mastersOf(manifest: SimulationManifest): Master[] {
  const out: Master[] = [];
  for (const f of manifest.calibs) {
    const bd = /^calib\/(bias|dark)\/SimCam_(?:bias|dark)_det(\d+)\.fits$/.exec(f);
    if (bd !== null) out.push({ datasetType: bd[1] as 'bias' | 'dark', file: f, detector: Number(bd[2]) });
    const fl = /^calib\/flat\/SimCam_flat_(.+)_det(\d+)\.fits$/.exec(f);
    if (fl !== null) out.push({ datasetType: 'flat', file: f, detector: Number(fl[2]), physicalFilter: fl[1]! });
  }
  return out;
}

function readManifest(simDir: string): SimulationManifest {
  const path = join(simDir, 'manifest.json');
  if (!existsSync(path)) {
    throw new ObsSimInvalidArgumentError(`${simDir} is not a SimCam simulation: it has no manifest.json.`, { hint: `Make one first: obs-sim simulate --out ${simDir}` });
  }
  return JSON.parse(readFileSync(path, 'utf8')) as SimulationManifest;
}

/**
 * Makes (or completes) a Butler repository of a SimCam simulation the way a user does with the
 * `butler` command line, by running the same commands in process (daf-butler's `runButler` with
 * obs-base's `butlerCommands` plugin):
 *
 * 1. `butler create REPO` (SQLite registry; skipped when REPO holds a repository);
 * 2. `butler register-instrument REPO @skystack/obs-sim#SimCam` (`#SimCamSmall` for the small preset);
 * 3. `butler write-curated-calibrations REPO SimCam` (defects and camera → `SimCam/calib`);
 * 4. `butler ingest-raws REPO SIM/raw [SIM/calib-raw] -t copy` (→ `SimCam/raw/all`);
 * 5. `butler define-visits REPO SimCam`;
 * 6. `butler register-dataset-type` of `bias`, `dark` (instrument, detector), `flat`
 *    (instrument, detector, physical_filter), all ExposureF calibrations, and `sim_refcat` (htm7,
 *    SimpleCatalog);
 * 7. `butler ingest-files` of the master calibrations into `SimCam/calib/sim` and
 *    `butler certify-calibrations SimCam/calib/sim SimCam/calib <type>` (unbounded validity);
 * 8. `butler ingest-files` of the refcat shards into `refcats/sim`, `butler collection-chain REPO
 *    refcats refcats/sim`;
 * 9. `butler collection-chain REPO SimCam/defaults SimCam/raw/all SimCam/calib refcats`.
 *
 * Every step is idempotent: commands that are idempotent themselves are run again, the others
 * are skipped (or restricted to the missing files) when their result is there, so a second run
 * changes nothing. A simulation made with a seed other than 1 has other bad columns than SimCam's
 * curated defects; for it, step 3 calls `new SimCam({ seed }).writeCuratedCalibrations(butler)`
 * (the code behind the command) so that the defects match the simulation.
 *
 * @param options - the simulation, the repository, transfer mode, output
 * @returns what was done
 * @throws {@link ObsSimInvalidArgumentError} when simDir has no manifest.json
 * @throws {@link ObsSimRepoError} when a `butler` command fails (its error output is in the message)
 * @example
 * ```ts
 * await simulate({ out: 'sim', size: 'small' });
 * const { steps } = await makeSimRepo({ simDir: 'sim', repo: 'repo', onLine: console.log });
 * const butler = await Butler.from('repo', { collections: 'SimCam/defaults' });
 * ```
 * @see lsst.obs.base (butler register-instrument, ingest-raws, define-visits, write-curated-calibrations)
 */
export async function makeSimRepo(options: MakeSimRepoOptions): Promise<MakeSimRepoResult> {
  const start = Date.now();
  const simDir = resolve(options.simDir);
  const repo = resolve(options.repo);
  const manifest = readManifest(simDir);
  if (manifest.instrument !== SIMCAM_NAME) throw new ObsSimInvalidArgumentError(`The simulation in ${simDir} is of instrument '${manifest.instrument}', not ${SIMCAM_NAME}.`);
  const transfer = options.transfer ?? 'copy';
  const importModule = options.importModule ?? obsSimImportModule;
  const small = manifest.size === 'small';
  const instrumentClass = small ? SIMCAM_SMALL_CLASS_NAME : SIMCAM_CLASS_NAME;
  const steps: MakeSimRepoStep[] = [];
  const say = (line: string): void => options.onLine?.(line);

  const butler = async (argv: readonly string[]): Promise<void> => {
    let out = '';
    const sink = { write: (t: string): boolean => ((out += t), true) };
    say(`butler ${argv.map(quote).join(' ')}`);
    const status = await runButler(argv, { stdout: sink, stderr: sink }, { plugins: [{ butlerCommands }], importModule });
    for (const l of out.split('\n')) if (l.trim() !== '') say(`  ${l}`);
    steps.push({ argv: [...argv], skipped: false, output: out });
    if (status !== 0) throw new ObsSimRepoError(`'butler ${argv.join(' ')}' failed (status ${status}): ${out.trim()}`);
  };
  const skip = (argv: readonly string[], why: string): void => {
    say(`butler ${argv.map(quote).join(' ')}  # skipped: ${why}`);
    steps.push({ argv: [...argv], skipped: true, output: why });
  };
  const withRepo = async <T>(f: (b: Butler) => Promise<T>): Promise<T> => {
    const b = await Butler.from(repo, { importModule });
    try {
      return await f(b);
    } finally {
      await b.close();
    }
  };

  // 1-5: the repository, the instrument, its curated calibrations, raws, visits.
  if (existsSync(join(repo, 'butler.yaml'))) skip(['create', repo], 'the repository exists');
  else await butler(['create', repo]);
  await butler(['register-instrument', repo, instrumentClass]);
  if (manifest.seed === SIMCAM_DEFAULT_SEED) {
    await butler(['write-curated-calibrations', repo, SIMCAM_NAME]);
  } else {
    const inst = new SimCam({ detectorSize: small ? SIMCAM_SMALL_DETECTOR_SIZE : SIMCAM_DETECTOR_SIZE, seed: manifest.seed });
    say(`# seed ${manifest.seed}: the curated defects of this simulation, written by SimCam({ seed: ${manifest.seed} }).writeCuratedCalibrations(butler)`);
    const b = await Butler.from(repo, { writeable: true, importModule });
    try {
      const r = await inst.writeCuratedCalibrations(b);
      steps.push({ argv: ['write-curated-calibrations', repo, SIMCAM_NAME, `(seed ${manifest.seed}, in code)`], skipped: false, output: `${r.refs.length} calibrations in ${r.collection}` });
    } finally {
      await b.close();
    }
  }
  const rawDirs = ['raw', 'calib-raw'].map((d) => join(simDir, d)).filter((d) => existsSync(d) && readdirSync(d).length > 0);
  await butler(['ingest-raws', repo, ...rawDirs, '-t', transfer, '-j', String(options.processes ?? 4)]);
  await butler(['define-visits', repo, SIMCAM_NAME]);

  // 6: dataset types.
  await butler(['register-dataset-type', repo, 'bias', 'ExposureF', 'instrument', 'detector', '--is-calibration']);
  await butler(['register-dataset-type', repo, 'dark', 'ExposureF', 'instrument', 'detector', '--is-calibration']);
  await butler(['register-dataset-type', repo, 'flat', 'ExposureF', 'instrument', 'detector', 'physical_filter', '--is-calibration']);
  await butler(['register-dataset-type', repo, SIMCAM_REFCAT_DATASET_TYPE, 'SimpleCatalog', `htm${REFCAT_HTM_DEPTH}`]);

  const work = await mkdtemp(join(tmpdir(), 'obs-sim-make-repo-'));
  try {
    // 7: master calibrations, ingested (only those missing) then certified.
    const masters = mastersOf(manifest);
    for (const type of ['bias', 'dark', 'flat'] as const) {
      const mine = masters.filter((m) => m.datasetType === type);
      const state = await withRepo(async (b) => {
        const inRun = (await b.registry.getCollectionType(SIMCAM_MASTER_CALIB_RUN).catch(() => undefined)) === CollectionType.RUN;
        const refs = inRun ? await b.registry.queryDatasets(type, { collections: [SIMCAM_MASTER_CALIB_RUN] }).toArray() : [];
        const have = new Set(refs.map((r) => key(Number(r.dataId.get('detector')), r.dataId.get('physical_filter') as string | undefined)));
        const certified = (await b.registry.getCollectionType('SimCam/calib').catch(() => undefined)) === CollectionType.CALIBRATION
          ? new Set((await b.registry.queryDatasetAssociations(type, { collections: 'SimCam/calib' })).map((a) => a.ref.id))
          : new Set<unknown>();
        return { have, uncertified: refs.filter((r) => !certified.has(r.id)).length };
      });
      const missing = mine.filter((m) => !state.have.has(key(m.detector, m.physicalFilter)));
      const table = join(work, `${type}.csv`);
      const ingestArgv = ['ingest-files', repo, type, SIMCAM_MASTER_CALIB_RUN, table, '--data-id', `instrument=${SIMCAM_NAME}`, '--prefix', simDir, '-t', transfer];
      if (missing.length === 0) skip(ingestArgv, `all ${mine.length} ${type} masters are in ${SIMCAM_MASTER_CALIB_RUN}`);
      else {
        const header = type === 'flat' ? 'file,detector,physical_filter' : 'file,detector';
        await writeFile(table, `${[header, ...missing.map((m) => [m.file, m.detector, ...(m.physicalFilter === undefined ? [] : [m.physicalFilter])].join(','))].join('\n')}\n`);
        await butler(ingestArgv);
      }
      const certifyArgv = ['certify-calibrations', repo, SIMCAM_MASTER_CALIB_RUN, 'SimCam/calib', type];
      if (missing.length === 0 && state.uncertified === 0) skip(certifyArgv, `all ${type} masters are certified in SimCam/calib`);
      else if (missing.length === 0 || state.have.size === 0 || state.uncertified === state.have.size) await butler(certifyArgv);
      else throw new ObsSimRepoError(`Some ${type} masters of ${SIMCAM_MASTER_CALIB_RUN} are certified in SimCam/calib and others are not; certify the missing ones by hand.`);
    }

    // 8: the reference catalog shards.
    const shardDir = join(simDir, manifest.refcat.directory);
    const shards = readdirSync(shardDir).filter((f) => /^\d+\.fits$/.test(f));
    const haveShards = await withRepo(async (b) => {
      const inRun = (await b.registry.getCollectionType(SIMCAM_REFCAT_RUN).catch(() => undefined)) === CollectionType.RUN;
      const refs = inRun ? await b.registry.queryDatasets(SIMCAM_REFCAT_DATASET_TYPE, { collections: [SIMCAM_REFCAT_RUN] }).toArray() : [];
      return new Set(refs.map((r) => Number(r.dataId.get(`htm${REFCAT_HTM_DEPTH}`))));
    });
    const newShards = shards.filter((f) => !haveShards.has(Number(f.slice(0, -5))));
    const refTable = join(work, 'refcat.csv');
    const refArgv = ['ingest-files', repo, SIMCAM_REFCAT_DATASET_TYPE, SIMCAM_REFCAT_RUN, refTable, '--prefix', shardDir, '-t', transfer];
    if (newShards.length === 0) skip(refArgv, `all ${shards.length} shards are in ${SIMCAM_REFCAT_RUN}`);
    else {
      await writeFile(refTable, `${[`file,htm${REFCAT_HTM_DEPTH}`, ...newShards.map((f) => `${f},${f.slice(0, -5)}`)].join('\n')}\n`);
      await butler(refArgv);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  await butler(['collection-chain', repo, REFCATS_COLLECTION, SIMCAM_REFCAT_RUN]);

  // 9: the umbrella collection.
  const defaults = 'SimCam/defaults';
  await butler(['collection-chain', repo, defaults, 'SimCam/raw/all', 'SimCam/calib', REFCATS_COLLECTION]);
  const seconds = (Date.now() - start) / 1000;
  say(`SimCam repository ${repo} ready (${seconds.toFixed(1)} s): read with collections ${defaults}.`);
  return { repo, instrumentClass, steps, defaults, seconds };
}

function key(detector: number, physicalFilter: string | undefined): string {
  return physicalFilter === undefined ? String(detector) : `${detector}/${physicalFilter}`;
}

function quote(arg: string): string {
  return /^[\w@#./:=,+-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}
