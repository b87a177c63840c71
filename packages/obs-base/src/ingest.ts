// lsst.obs.base.RawIngestTask: raw files → exposure, day_obs and group records and `raw`
// datasets in `<INSTRUMENT>/raw/all`.
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  DatasetIdGenEnum,
  DatasetRef,
  DatasetType,
  Timespan,
  makeDatasetId,
  type Butler,
  type DatasetRef as DatasetRefType,
  type FileDataset,
  type TransferMode,
} from '@skystack/daf-butler';
import { FitsFile } from '@skystack/fits';
import { Config, Field } from '@skystack/pex-config';
import { Task, type TaskOptions } from '@skystack/pipe-base';
import { ObsBaseIngestError, ObsBaseInvalidArgumentError } from './errors.js';
import { Instrument } from './instrument.js';
import type { ModuleImporter } from './module-loader.js';
import type { ObservationInfo } from './observation-info.js';

/** The transfer modes of raw ingest (daf_butler's, plus `direct`: leave the file where it is). */
export const RAW_TRANSFER_MODES: readonly string[] = Object.freeze(['auto', 'copy', 'move', 'link', 'symlink', 'hardlink', 'relsymlink', 'direct']);

/**
 * The configuration of {@link RawIngestTask}.
 *
 * @see lsst.obs.base.RawIngestConfig
 */
export class RawIngestConfig extends Config {
  /** How files get into the datastore. */
  transfer = Field.str({ doc: "How to transfer files: 'auto' (in place inside the repository, else copy), 'copy', 'move', 'link', 'symlink', 'hardlink', 'relsymlink' or 'direct'.", default: 'auto', check: (v: string) => RAW_TRANSFER_MODES.includes(v) });
  /** Stop at the first file that fails instead of ingesting the others. */
  failFast = Field.bool({ doc: 'Stop at the first failure instead of ingesting the files that can be.', default: false });
  /** The file names looked for in directories. */
  fileRegex = Field.str({ doc: 'Regular expression of the raw file names looked for in directories.', default: '\\.fit[s]?(\\.fz)?$' });
}

/** A file that could not be ingested, and why. */
export interface IngestFailure {
  /** The file. */
  readonly file: string;
  /** Why (one line). */
  readonly reason: string;
}

/** What {@link RawIngestTask.run} did. */
export interface RawIngestResult {
  /** The datasets ingested now. */
  readonly refs: readonly DatasetRefType[];
  /** The datasets that were already there (the same files ingested before), left alone. */
  readonly skipped: readonly DatasetRefType[];
  /** The files that failed, with the reason. */
  readonly failures: readonly IngestFailure[];
}

/** Options of {@link RawIngestTask.run}. */
export interface RawIngestRunOptions {
  /** The RUN (default: each instrument's `<INSTRUMENT>/raw/all`). */
  readonly run?: string;
  /** How many files are read at once (default 1). */
  readonly processes?: number;
}

/** Options of the {@link RawIngestTask} constructor. */
export interface RawIngestTaskOptions extends TaskOptions<RawIngestConfig> {
  /** The (writeable) Butler to ingest into. */
  readonly butler: Butler;
  /** How instrument classes are imported (for {@link Instrument.fromName}). */
  readonly importModule?: ModuleImporter;
  /** Instruments to use instead of importing them by name. */
  readonly instruments?: readonly Instrument[];
}

/** What {@link RawIngestTask.extractMetadata} finds in a raw file. */
export interface RawFileMetadata {
  /** The instrument named by its INSTRUME keyword. */
  readonly instrument: Instrument;
  /** Its header, translated. */
  readonly obsInfo: ObservationInfo;
}

interface ParsedFile {
  readonly file: string;
  readonly instrument: Instrument;
  readonly obsInfo: ObservationInfo;
}

/**
 * Ingests raw files: reads each file's primary header, translates it with the instrument named
 * by `INSTRUME` (made from the registry with {@link Instrument.fromName}), writes the
 * `exposure`, `day_obs` and `group` records, and ingests the file as a `raw` dataset
 * (`instrument`, `exposure`, `detector`; storage class `Exposure`) read by the instrument's raw
 * formatter. Dataset IDs are derived from the data ID and RUN, so ingesting the same files again
 * changes nothing (they are reported as skipped). A file that fails (unreadable, untranslatable,
 * of an unregistered instrument or unknown detector) is reported with its reason while the
 * others go in, unless `failFast`.
 *
 * @example
 * ```ts
 * const butler = await Butler.from(repo, { writeable: true });
 * const task = new RawIngestTask({ butler });
 * const { refs, failures } = await task.run(['raws/'], { processes: 4 });
 * ```
 * @see lsst.obs.base.RawIngestTask
 */
export class RawIngestTask extends Task<RawIngestConfig> {
  /** The config class. */
  static override ConfigClass = RawIngestConfig;
  /** `ingest`. */
  static override _DefaultName = 'ingest';
  /** The Butler. */
  readonly butler: Butler;
  readonly #importModule: ModuleImporter | undefined;
  readonly #instruments = new Map<string, Promise<Instrument>>();

  /**
   * Makes the task.
   *
   * @param options - the Butler, config, importer, instruments
   */
  constructor(options: RawIngestTaskOptions) {
    super(options);
    this.butler = options.butler;
    this.#importModule = options.importModule;
    for (const i of options.instruments ?? []) this.#instruments.set(i.name, Promise.resolve(i));
  }

  /**
   * The raw files of some locations: files as given, directories searched recursively for
   * names matching `fileRegex`.
   *
   * @param locations - files and directories
   * @returns the files, sorted within each directory
   * @throws ObsBaseIngestError when a location does not exist
   */
  async expandLocations(locations: readonly string[]): Promise<string[]> {
    const re = new RegExp(this.config.fileRegex);
    const out: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        const p = join(dir, e.name);
        if (e.isDirectory()) await walk(p);
        else if (re.test(e.name)) out.push(p);
      }
    };
    for (const loc of locations) {
      const abs = resolve(loc);
      const st = await stat(abs).catch((e: unknown) => {
        throw new ObsBaseIngestError(`Cannot ingest ${loc}: it does not exist.`, { cause: e });
      });
      if (st.isDirectory()) await walk(abs);
      else out.push(abs);
    }
    return out;
  }

  #instrument(name: string): Promise<Instrument> {
    let p = this.#instruments.get(name);
    if (p === undefined) {
      p = Instrument.fromName(name, this.butler.registry, this.#importModule === undefined ? {} : { importModule: this.#importModule });
      this.#instruments.set(name, p);
    }
    return p;
  }

  /**
   * Reads and translates one raw file's header.
   *
   * @param file - the file
   * @returns the instrument and the observation properties
   * @throws when the file is not a readable raw of a registered instrument
   */
  async extractMetadata(file: string): Promise<RawFileMetadata> {
    const fits = await FitsFile.open(file);
    try {
      const header = fits.hdus[0]!.header;
      const name = header.getString('INSTRUME');
      if (name === undefined) throw new ObsBaseIngestError('its primary header has no INSTRUME keyword.');
      const instrument = await this.#instrument(name.trim());
      const obsInfo = instrument.translateRawHeader(header);
      instrument.getCamera().get(obsInfo.detector_num);
      instrument.filterDefinitions.get(obsInfo.physical_filter);
      if (!fits.hdus.some((h) => h.extname?.toUpperCase() === 'IMAGE')) throw new ObsBaseIngestError('it has no IMAGE extension.');
      return { instrument, obsInfo };
    } finally {
      await fits.close();
    }
  }

  /**
   * Ingests raw files and directories of them.
   *
   * @param locations - files and directories
   * @param options - the RUN; how many files are read at once
   * @returns the datasets ingested, those already there, and the failures
   * @throws ObsBaseIngestError with `failFast` at the first failure
   * @see lsst.obs.base.RawIngestTask.run
   */
  async run(locations: readonly string[], options: RawIngestRunOptions = {}): Promise<RawIngestResult> {
    await this.butler.ready;
    const transfer = this.config.transfer as TransferMode;
    if (!RAW_TRANSFER_MODES.includes(transfer)) throw new ObsBaseInvalidArgumentError(`Unknown transfer mode '${transfer}'; expected one of ${RAW_TRANSFER_MODES.join(', ')}.`);
    const files = await this.expandLocations(locations);
    const failures: IngestFailure[] = [];
    const fail = (file: string, e: unknown): void => {
      const reason = (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
      if (this.config.failFast) throw new ObsBaseIngestError(`Cannot ingest ${file}: ${reason}`, { cause: e });
      this.log.warn(`Cannot ingest ${file}: ${reason}`);
      failures.push({ file, reason });
    };
    // Headers, read N at a time.
    const parsed: (ParsedFile | undefined)[] = new Array(files.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < files.length) {
        const i = next++;
        const file = files[i]!;
        try {
          parsed[i] = { file, ...(await this.extractMetadata(file)) };
        } catch (e) {
          fail(file, e);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.processes ?? 1, files.length)) }, worker));

    const registry = this.butler.registry;
    const refs: DatasetRefType[] = [];
    const skipped: DatasetRefType[] = [];
    const rawTypes = new Map<string, DatasetType>();
    const doneExposures = new Set<string>();
    for (const p of parsed) {
      if (p === undefined) continue;
      try {
        const { instrument, obsInfo } = p;
        const run = options.run ?? instrument.makeDefaultRawIngestRunName();
        let rawType = rawTypes.get(instrument.name);
        if (rawType === undefined) {
          rawType = new DatasetType('raw', ['instrument', 'exposure', 'detector'], 'Exposure', { universe: this.butler.universe });
          await registry.registerDatasetType(rawType);
          const formatter = instrument.getRawFormatter();
          if (!this.butler.formatters.hasFormatter(formatter.name)) this.butler.formatters.registerFormatter(formatter);
          rawTypes.set(instrument.name, rawType);
        }
        const exposureKey = `${instrument.name}/${obsInfo.exposure_id}`;
        if (!doneExposures.has(exposureKey)) {
          await this.#writeExposureRecords(instrument, obsInfo);
          doneExposures.add(exposureKey);
        }
        const dataId = await registry.expandDataId({ instrument: instrument.name, exposure: obsInfo.exposure_id, detector: obsInfo.detector_num });
        const existing = await registry.findDataset(rawType, dataId, { collections: run }).catch(() => null);
        if (existing !== null) {
          skipped.push(existing);
          continue;
        }
        const ref = new DatasetRef(rawType, dataId, run, makeDatasetId(rawType, dataId, run, DatasetIdGenEnum.DATAID_TYPE_RUN));
        const dataset: FileDataset = { path: p.file, refs: [ref], formatter: instrument.getRawFormatter().name };
        refs.push(...(await this.butler.ingest([dataset], { transfer })));
      } catch (e) {
        fail(p.file, e);
      }
    }
    this.log.info(`Ingested ${refs.length} raw file(s)${skipped.length > 0 ? `, ${skipped.length} already ingested` : ''}${failures.length > 0 ? `, ${failures.length} failed` : ''}.`);
    return { refs, skipped, failures };
  }

  async #writeExposureRecords(instrument: Instrument, o: ObservationInfo): Promise<void> {
    const registry = this.butler.registry;
    const name = instrument.name;
    await registry.syncDimensionData('day_obs', { instrument: name, id: o.day_obs, timespan: Timespan.fromDayObs(o.day_obs, instrument.dayObsOffsetSeconds) });
    await registry.syncDimensionData('group', { instrument: name, name: o.exposure_group });
    const alt = o.altaz_begin?.getLatitude().asDegrees();
    await registry.syncDimensionData('exposure', {
      instrument: name,
      id: o.exposure_id,
      obs_id: o.observation_id,
      physical_filter: o.physical_filter,
      group: o.exposure_group,
      day_obs: o.day_obs,
      exposure_time: o.exposure_time,
      dark_time: o.dark_time,
      observation_type: o.observation_type,
      observation_reason: o.observation_reason,
      seq_num: o.seq_num,
      seq_start: o.group_counter_start,
      seq_end: o.group_counter_end,
      target_name: o.object,
      science_program: o.science_program,
      tracking_ra: o.tracking_radec?.getRa().asDegrees() ?? null,
      tracking_dec: o.tracking_radec?.getDec().asDegrees() ?? null,
      sky_angle: o.boresight_rotation_angle?.asDegrees() ?? null,
      azimuth: o.altaz_begin?.getLongitude().asDegrees() ?? null,
      zenith_angle: alt === undefined ? null : 90 - alt,
      has_simulated: o.has_simulated_content,
      can_see_sky: o.can_see_sky,
      timespan: Timespan.fromNs(o.datetime_begin.nsecsTai, o.datetime_end.nsecsTai),
    });
  }
}
