// lsst.obs.base.Instrument: what a camera team writes to make its data usable: the camera, the
// filters, raw header translation, the raw formatter, collections, curated calibrations and
// default task configurations.
import { DetectorType, type Detector, type VisitInfo } from '@skystack/afw-image';
import {
  CollectionType,
  DatasetType,
  Timespan,
  type Butler,
  type DatasetRef,
  type DimensionRecordInput,
  type Formatter,
  type Registry,
} from '@skystack/daf-butler';
import type { Header } from '@skystack/fits';
import type { Config } from '@skystack/pex-config';
import type { SkyWcs } from '@skystack/wcs';
import type { Camera } from './camera.js';
import { ObsBaseInvalidArgumentError, ObsBaseNotFoundError } from './errors.js';
import type { FilterDefinitionCollection } from './filters.js';
import { createInitialSkyWcs, makeRawVisitInfo, type CreateInitialSkyWcsOptions } from './initial-wcs.js';
import { importModule as defaultImporter, type ModuleImporter } from './module-loader.js';
import type { MetadataTranslator, ObservationInfo } from './observation-info.js';

/**
 * LSST instrument class names (as found in the `class_name` of instrument records written by
 * the LSST stack) mapped to SkyStack module specifiers; other `lsst.obs.<pkg>...<Class>` names
 * map to `@skystack/obs-<pkg>#<Class>` by convention.
 */
export const INSTRUMENT_CLASS_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  'lsst.obs.subaru.HyperSuprimeCam': '@skystack/obs-subaru#HyperSuprimeCam',
  'lsst.obs.lsst.LsstCam': '@skystack/obs-lsst#LsstCam',
  'lsst.obs.lsst.LsstComCam': '@skystack/obs-lsst#LsstComCam',
  'lsst.obs.lsst.LsstCamImSim': '@skystack/obs-lsst#LsstCamImSim',
  'lsst.obs.decam.DarkEnergyCamera': '@skystack/obs-decam#DarkEnergyCamera',
});

/** Where an instrument class is: a module specifier and the export's name. */
export interface InstrumentModule {
  /** The module specifier (`@skystack/obs-sim`). */
  readonly module: string;
  /** The export (`SimCam`). */
  readonly exportName: string;
}

/**
 * The module specifier (`pkg#Export`) of an instrument class name: itself when it already is
 * one, an {@link INSTRUMENT_CLASS_ALIASES} entry, or `@skystack/obs-<pkg>#<Class>` for
 * `lsst.obs.<pkg>.<...>.<Class>`.
 *
 * @param className - the `class_name` of an instrument record
 * @param aliases - more aliases (checked first)
 * @returns the module and export names
 * @throws ObsBaseInvalidArgumentError for a name that is neither
 * @example
 * ```ts
 * instrumentModuleOf('lsst.obs.subaru.HyperSuprimeCam'); // { module: '@skystack/obs-subaru', exportName: 'HyperSuprimeCam' }
 * ```
 */
export function instrumentModuleOf(className: string, aliases: Readonly<Record<string, string>> = {}): InstrumentModule {
  const spec = aliases[className] ?? INSTRUMENT_CLASS_ALIASES[className] ?? className;
  const hash = spec.lastIndexOf('#');
  if (hash > 0) return { module: spec.slice(0, hash), exportName: spec.slice(hash + 1) };
  const m = /^lsst\.obs\.([a-z_]+)\.(?:.*\.)?([A-Za-z_]\w*)$/.exec(spec);
  if (m !== null) return { module: `@skystack/obs-${m[1]!.replace(/_/g, '-')}`, exportName: m[2]! };
  throw new ObsBaseInvalidArgumentError(`Instrument class name '${className}' is neither a module specifier 'pkg#Export' nor an LSST class path 'lsst.obs.<pkg>.<Class>'.`);
}

/** Options of {@link Instrument.fromName}. */
export interface InstrumentFromNameOptions {
  /** How to import the instrument's module (default: obs-base's `importModule`). */
  readonly importModule?: ModuleImporter;
  /** Class name aliases (see {@link INSTRUMENT_CLASS_ALIASES}). */
  readonly aliases?: Readonly<Record<string, string>>;
}

/** A calibration an instrument keeps with its code (defects, crosstalk...), for {@link Instrument.writeCuratedCalibrations}. */
export interface CuratedCalibration {
  /** The dataset type name (`defects`). */
  readonly datasetTypeName: string;
  /** Its dimensions (`['instrument', 'detector']`). */
  readonly dimensions: readonly string[];
  /** Its storage class. */
  readonly storageClass: string;
  /** The data ID (the instrument is added). */
  readonly dataId: Readonly<Record<string, string | number>>;
  /** The object to write. */
  readonly object: unknown;
  /** When it is valid (default: always). */
  readonly validity?: Timespan;
}

/** Options of {@link Instrument.writeCuratedCalibrations}. */
export interface WriteCuratedCalibrationsOptions {
  /** The CALIBRATION collection to certify into (default {@link Instrument.makeCalibrationCollectionName}). */
  readonly collection?: string;
  /** Extra labels for the RUN name (`<INSTRUMENT>/calib/curated/<labels...>`). */
  readonly labels?: readonly string[];
}

/** The result of {@link Instrument.writeCuratedCalibrations}. */
export interface WriteCuratedCalibrationsResult {
  /** The RUN the datasets were written to. */
  readonly run: string;
  /** The CALIBRATION collection they were certified in. */
  readonly collection: string;
  /** The datasets. */
  readonly refs: readonly DatasetRef[];
}

/**
 * An instrument: the base class of every camera package (`obs-*`). A subclass gives the name,
 * the module specifier of its class ({@link className}, stored in the registry so that
 * {@link Instrument.fromName} can make it again), the camera, the filters, the header translator
 * and the raw formatter; the rest has working defaults that subclasses may override: dimension
 * records ({@link register}), collection names, the raw VisitInfo and WCS, curated calibrations
 * and per-task configuration overrides.
 *
 * @example
 * ```ts
 * class SimCam extends Instrument {
 *   readonly name = 'SimCam';
 *   readonly className = '@skystack/obs-sim#SimCam';
 *   readonly filterDefinitions = new FilterDefinitionCollection([{ physical_filter: 'SimCam-r', band: 'r' }]);
 *   readonly translator = new SkyStackTranslator({ instrument: 'SimCam' });
 *   getCamera() { return camera; }
 *   getRawFormatter() { return new SimCamRawFormatter(); }
 * }
 * await new SimCam().register(butler.registry);
 * ```
 * @see lsst.obs.base.Instrument
 */
export abstract class Instrument {
  /** The instrument name (the `instrument` dimension value). */
  abstract readonly name: string;
  /** This class's module specifier, `pkg#Export` (the `class_name` of the instrument record; at most 64 characters). */
  abstract readonly className: string;
  /** The physical filters and their bands. */
  abstract readonly filterDefinitions: FilterDefinitionCollection;
  /** The translator of this instrument's raw headers. */
  abstract readonly translator: MetadataTranslator;
  /** Exclusive upper bound of visit IDs (instrument record `visit_max`); default 10^13, room for `YYYYMMDD × 100000 + seq`. */
  readonly visitMax: number = 10_000_000_000_000;
  /** Exclusive upper bound of exposure IDs (instrument record `exposure_max`); default 10^13. */
  readonly exposureMax: number = 10_000_000_000_000;
  /** Exclusive upper bound of detector IDs (instrument record `detector_max`). */
  readonly detectorMax: number = 1000;
  /** The preferred visit system (0: one-to-one). */
  readonly visitSystem: number = 0;
  /**
   * Where an observing day starts, seconds after 00:00 TAI of its date (the `day_obs` record's
   * timespan); default 43200: Rubin's day_obs runs noon to noon (UTC−12h).
   */
  readonly dayObsOffsetSeconds: number = 43200;
  /** Whether the raw x axis is flipped on the sky relative to the focal plane (obs_base's `flipX` of the initial WCS). */
  readonly flipX: boolean = false;

  /**
   * The camera geometry.
   *
   * @returns the camera
   * @see lsst.obs.base.Instrument.getCamera
   */
  abstract getCamera(): Camera;

  /**
   * The formatter of this instrument's raw files. Its `name`
   * should be the module specifier of an export that can be constructed with no arguments
   * (`@skystack/obs-sim#SimCamRawFormatter`): the datastore records that name with each raw, and
   * a Butler opening the repository later imports it from there.
   *
   * @returns the raw formatter
   * @see lsst.obs.base.Instrument.getRawFormatter
   */
  abstract getRawFormatter(): Formatter;

  /**
   * The instrument's name.
   *
   * @returns {@link name}
   */
  getName(): string {
    return this.name;
  }

  /**
   * Translates a raw file's primary header.
   *
   * @param header - the primary header
   * @returns the observation properties
   * @throws ObsBaseTranslationError when the header cannot be translated
   * @see astro_metadata_translator.ObservationInfo
   */
  translateRawHeader(header: Header): ObservationInfo {
    return this.translator.translate(header);
  }

  /**
   * The VisitInfo of a raw (see {@link makeRawVisitInfo}); override for instrument quirks.
   *
   * @param obsInfo - the raw's observation properties
   * @returns the VisitInfo
   */
  makeRawVisitInfo(obsInfo: ObservationInfo): VisitInfo {
    return makeRawVisitInfo(obsInfo);
  }

  /**
   * The initial WCS of a raw from its VisitInfo and the camera geometry (see {@link createInitialSkyWcs}).
   *
   * @param visitInfo - the raw's VisitInfo
   * @param detector - the detector
   * @param options - `flipX` (default {@link flipX})
   * @returns the WCS
   */
  makeRawSkyWcs(visitInfo: VisitInfo, detector: Detector, options: CreateInitialSkyWcsOptions = {}): SkyWcs {
    return createInitialSkyWcs(visitInfo, detector, this.getCamera(), { flipX: options.flipX ?? this.flipX });
  }

  /**
   * Writes the instrument's dimension records: `instrument` (with {@link className}),
   * `physical_filter` (a filter of no band gets its physical name as band) and `detector`.
   * Idempotent: records that exist and are the same are left alone.
   *
   * @param registry - the registry
   * @param options - `update`: replace records that differ instead of failing
   * @throws ConflictingDefinitionError (daf-butler) when a record differs and `update` is not set
   * @throws ObsBaseInvalidArgumentError when {@link className} is not a `pkg#Export` specifier of at most 64 characters
   * @see lsst.obs.base.Instrument.register
   */
  async register(
    registry: Registry,
    options: {
      /** Replace records that differ. */
      readonly update?: boolean;
    } = {},
  ): Promise<void> {
    const update = options.update === true ? { update: true } : {};
    if (this.className.length > 64 || !this.className.includes('#')) {
      throw new ObsBaseInvalidArgumentError(
        `Instrument ${this.name}: className must be a module specifier 'pkg#Export' of at most 64 characters (the instrument record's class_name); given '${this.className}'.`,
      );
    }
    const work = async (): Promise<void> => {
      await registry.syncDimensionData(
        'instrument',
        {
          name: this.name,
          visit_max: this.visitMax,
          visit_system: this.visitSystem,
          exposure_max: this.exposureMax,
          detector_max: this.detectorMax,
          class_name: this.className,
        },
        update,
      );
      for (const f of this.filterDefinitions) {
        await registry.syncDimensionData('physical_filter', { instrument: this.name, name: f.physical_filter, band: f.band ?? f.physical_filter }, update);
      }
      for (const d of this.getCamera()) await registry.syncDimensionData('detector', this.detectorRecord(d), update);
    };
    const tx = (registry as { transaction?: (f: () => Promise<void>) => Promise<void> }).transaction;
    await (typeof tx === 'function' ? tx.call(registry, work) : work());
  }

  /**
   * The `detector` dimension record of a detector; override to fill `raft` and `name_in_raft`.
   *
   * @param detector - the detector
   * @returns the record
   */
  detectorRecord(detector: Detector): DimensionRecordInput {
    return {
      instrument: this.name,
      id: detector.id,
      full_name: detector.name,
      name_in_raft: detector.name,
      raft: null,
      purpose: DetectorType[detector.type] ?? 'SCIENCE',
    };
  }

  /**
   * Makes the instrument recorded under this name in a registry: imports the module of its
   * `class_name` and constructs the class with no arguments.
   *
   * @param name - the instrument name
   * @param registry - the registry
   * @param options - the module importer; class name aliases
   * @returns the instrument
   * @throws ObsBaseNotFoundError when the instrument is not registered, or its class cannot be imported or is not an Instrument
   * @example
   * ```ts
   * const instrument = await Instrument.fromName('SimCam', butler.registry);
   * ```
   * @see lsst.obs.base.Instrument.fromName
   */
  static async fromName(name: string, registry: Registry, options: InstrumentFromNameOptions = {}): Promise<Instrument> {
    let className: string;
    try {
      const dataId = await registry.expandDataId({ instrument: name });
      className = String(dataId.records?.get('instrument')?.fields['class_name'] ?? '');
    } catch (e) {
      throw new ObsBaseNotFoundError(`Instrument '${name}' is not registered in this repository.`, {
        cause: e,
        hint: `Register it first: butler register-instrument REPO <module specifier of its class>.`,
      });
    }
    if (className === '') throw new ObsBaseNotFoundError(`The instrument record of '${name}' has no class_name.`);
    return Instrument.fromClassName(className, options);
  }

  /**
   * Makes an instrument from its class name (a module specifier `pkg#Export`, a path `./x.ts#Export`, or an LSST class path).
   *
   * @param className - the class name
   * @param options - the module importer; class name aliases
   * @returns the instrument
   * @throws ObsBaseNotFoundError when the class cannot be imported or is not an Instrument
   * @example
   * ```ts
   * const instrument = await Instrument.fromClassName('@skystack/obs-sim#SimCam');
   * ```
   * @see lsst.obs.base.Instrument.from_string
   */
  static async fromClassName(className: string, options: InstrumentFromNameOptions = {}): Promise<Instrument> {
    const { module, exportName } = instrumentModuleOf(className, options.aliases);
    let mod: Readonly<Record<string, unknown>>;
    try {
      mod = await (options.importModule ?? defaultImporter)(module);
    } catch (e) {
      throw new ObsBaseNotFoundError(`Cannot import the instrument class ${className} (module '${module}'): ${(e as Error).message}`, {
        cause: e,
        hint: 'Install the obs package, or make it resolvable (SKYSTACK_MODULE_PATHS).',
      });
    }
    const cls = mod[exportName];
    if (typeof cls !== 'function') throw new ObsBaseNotFoundError(`Module '${module}' has no export '${exportName}' (instrument class ${className}).`);
    const instrument = new (cls as new () => unknown)();
    if (!(instrument instanceof Instrument) && !isInstrumentLike(instrument)) {
      throw new ObsBaseNotFoundError(`'${className}' is not an Instrument class.`);
    }
    return instrument as Instrument;
  }

  /**
   * A collection name in this instrument's namespace: `<INSTRUMENT>/<labels...>`.
   *
   * @param labels - the parts after the instrument name
   * @returns the name
   * @see lsst.obs.base.Instrument.makeCollectionName
   */
  makeCollectionName(...labels: string[]): string {
    return [this.name, ...labels].join('/');
  }

  /**
   * The default RUN of raw ingest: `<INSTRUMENT>/raw/all`.
   *
   * @returns the RUN name
   * @see lsst.obs.base.Instrument.makeDefaultRawIngestRunName
   */
  makeDefaultRawIngestRunName(): string {
    return this.makeCollectionName('raw', 'all');
  }

  /**
   * The CALIBRATION collection: `<INSTRUMENT>/calib` (and `/<labels...>`).
   *
   * @param labels - extra labels
   * @returns the name
   * @see lsst.obs.base.Instrument.makeCalibrationCollectionName
   */
  makeCalibrationCollectionName(...labels: string[]): string {
    return this.makeCollectionName('calib', ...labels);
  }

  /**
   * The umbrella CHAINED collection of the instrument's defaults: `<INSTRUMENT>/defaults`.
   *
   * @returns the name
   * @see lsst.obs.base.Instrument.makeUmbrellaCollectionName
   */
  makeUmbrellaCollectionName(): string {
    return this.makeCollectionName('defaults');
  }

  /**
   * The RUN of curated calibrations: `<INSTRUMENT>/calib/curated/<labels...>` (`.../curated` without labels).
   *
   * @param labels - extra labels (a date, a ticket)
   * @returns the name
   * @see lsst.obs.base.Instrument.makeCuratedCalibrationRunName
   */
  makeCuratedCalibrationRunName(...labels: string[]): string {
    return this.makeCalibrationCollectionName('curated', ...labels);
  }

  /**
   * The dataset type names of the curated calibrations this instrument writes (default none).
   *
   * @returns the names
   * @see lsst.obs.base.Instrument.getCuratedCalibrationNames
   */
  getCuratedCalibrationNames(): Set<string> {
    return new Set();
  }

  /**
   * The curated calibrations to write (the hook {@link writeCuratedCalibrations} calls; default none).
   *
   * @returns the calibrations
   */
  async makeCuratedCalibrations(): Promise<readonly CuratedCalibration[]> {
    return [];
  }

  /**
   * Writes the curated calibrations of {@link makeCuratedCalibrations} to a RUN
   * (`<INSTRUMENT>/calib/curated/...`) and certifies them into the CALIBRATION collection
   * (`<INSTRUMENT>/calib`) over their validity ranges. The collection is made even when there
   * is nothing to write. Datasets already in the RUN are not written again, nor certified again:
   * running it twice changes nothing.
   *
   * @param butler - a writeable Butler
   * @param options - the collection; labels of the RUN
   * @returns the RUN, the collection and the datasets written
   * @see lsst.obs.base.Instrument.writeCuratedCalibrations
   */
  async writeCuratedCalibrations(butler: Butler, options: WriteCuratedCalibrationsOptions = {}): Promise<WriteCuratedCalibrationsResult> {
    await butler.ready;
    const collection = options.collection ?? this.makeCalibrationCollectionName();
    const run = this.makeCuratedCalibrationRunName(...(options.labels ?? []));
    await butler.registry.registerCollection(collection, CollectionType.CALIBRATION);
    const refs: DatasetRef[] = [];
    for (const cal of await this.makeCuratedCalibrations()) {
      if (!this.getCuratedCalibrationNames().has(cal.datasetTypeName)) {
        throw new ObsBaseInvalidArgumentError(`${this.name}: curated calibration '${cal.datasetTypeName}' is not one of getCuratedCalibrationNames().`);
      }
      await butler.registry.registerDatasetType(new DatasetType(cal.datasetTypeName, cal.dimensions, cal.storageClass, { universe: butler.universe, isCalibration: true }));
      const dataId = { instrument: this.name, ...cal.dataId };
      const existing = await butler.registry.findDataset(cal.datasetTypeName, dataId, { collections: run }).catch(() => null);
      const ref = existing ?? (await butler.put(cal.object, cal.datasetTypeName, dataId, { run }));
      const certified = await butler.registry.queryDatasetAssociations(cal.datasetTypeName, { collections: collection });
      if (!certified.some((a) => a.ref.id === ref.id)) await butler.registry.certify(collection, [ref], cal.validity ?? new Timespan(null, null));
      refs.push(ref);
    }
    return { run, collection, refs };
  }

  /**
   * Applies this instrument's overrides to a task's configuration (the hook pipelines call for
   * each task; default: nothing). Override to set camera-specific defaults.
   *
   * @param _taskName - the task's `_DefaultName` or label (`isr`, `characterizeImage`)
   * @param _config - the config to change in place
   * @see lsst.obs.base.Instrument.applyConfigOverrides
   */
  applyConfigOverrides(_taskName: string, _config: Config): void {}
}

function isInstrumentLike(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o['name'] === 'string' && typeof o['getCamera'] === 'function' && typeof o['register'] === 'function';
}
