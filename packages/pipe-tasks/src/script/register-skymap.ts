// `butler register-skymap` (pipe_tasks' script.registerSkymap and lsst.skymap's
// BaseSkyMap.register): the skymap, tract and patch records and the `skyMap` dataset, written in
// one registry transaction.
import { Butler, ConflictingDefinitionError, DatasetType, type DatasetRef, type ModuleImporter } from '@skystack/daf-butler';
import { applyOverrides, loadOverrideFile, type FieldOverride } from '@skystack/pex-config';
import { BaseSkyMap, type TractInfo } from '@skystack/skymap';
import type { ConvexPolygon } from '@skystack/geom';
import { PipeTasksInvalidArgumentError } from '../errors.js';
import { MakeSkyMapConfig } from './make-sky-map-config.js';
import { SKYMAP_FORMATTER_NAME, SkyMapFormatter } from './sky-map-formatter.js';

/** The RUN collection of sky maps (lsst.skymap's `BaseSkyMap.SKYMAP_RUN_COLLECTION_NAME`). */
export const SKYMAP_RUN_COLLECTION_NAME = BaseSkyMap.SKYMAP_RUN_COLLECTION_NAME;
/** The dataset type of sky maps (lsst.skymap's `BaseSkyMap.SKYMAP_DATASET_TYPE_NAME`), dimensions `{skymap}`, storage class `SkyMap`. */
export const SKYMAP_DATASET_TYPE_NAME = BaseSkyMap.SKYMAP_DATASET_TYPE_NAME;

/** The registry's `skymap` record of a sky map. */
export type SkyMapRecord = {
  /** The sky map's name in the registry. */
  readonly name: string;
  /** Its SHA1 identity (20 bytes). */
  readonly hash: Uint8Array;
  /** The number of tracts (exclusive upper bound of tract ids). */
  readonly tract_max: number;
  /** The largest number of patches in x of any tract. */
  readonly patch_nx_max: number;
  /** The largest number of patches in y of any tract. */
  readonly patch_ny_max: number;
};

/** A `tract` record. */
export type TractRecord = {
  /** The sky map's name. */
  readonly skymap: string;
  /** The tract id. */
  readonly id: number;
  /** The tract's outer sky polygon. */
  readonly region: ConvexPolygon;
};

/** A `patch` record. */
export type PatchRecord = {
  /** The sky map's name. */
  readonly skymap: string;
  /** The tract id. */
  readonly tract: number;
  /** The sequential patch index (`nx·y + x`). */
  readonly id: number;
  /** The patch's x index. */
  readonly cell_x: number;
  /** The patch's y index. */
  readonly cell_y: number;
  /** The patch's outer sky polygon. */
  readonly region: ConvexPolygon;
};

/**
 * The `skymap` record of a sky map (lsst.skymap's `BaseSkyMap.register`): name, SHA1,
 * `tract_max` = the number of tracts, `patch_nx_max`/`patch_ny_max` = the largest patch counts of
 * any tract (every tract is built).
 *
 * @param skyMap - the sky map
 * @param name - its name in the registry
 * @returns the record
 * @example
 * ```ts
 * makeSkyMapRecord(makeSkyMap('hsc_rings_v1'), 'hsc_rings_v1').tract_max; // 18938
 * ```
 * @see lsst.skymap.BaseSkyMap.register
 */
export function makeSkyMapRecord(skyMap: BaseSkyMap, name: string): SkyMapRecord {
  let nx = 0;
  let ny = 0;
  for (const tract of skyMap) {
    const n = tract.getNumPatches();
    nx = Math.max(nx, n.x);
    ny = Math.max(ny, n.y);
  }
  return { name, hash: skyMap.getSha1(), tract_max: skyMap.length, patch_nx_max: nx, patch_ny_max: ny };
}

/**
 * The `tract` record of a tract: its outer sky polygon (the tract box's pixel edges through its WCS).
 *
 * @param tract - the tract
 * @param name - the sky map's name
 * @returns the record
 * @example
 * ```ts
 * makeTractRecord(makeSkyMap('hsc_rings_v1').get(9813), 'hsc_rings_v1').region;
 * ```
 */
export function makeTractRecord(tract: TractInfo, name: string): TractRecord {
  return { skymap: name, id: tract.getId(), region: tract.getOuterSkyPolygon() };
}

/**
 * The `patch` records of a tract, in sequential order: id = sequential index, `cell_x`/`cell_y` =
 * the patch's (x, y) index, region = the patch's outer sky polygon.
 *
 * @param tract - the tract
 * @param name - the sky map's name
 * @returns one record per patch
 * @example
 * ```ts
 * makePatchRecords(makeSkyMap('hsc_rings_v1').get(9813), 'hsc_rings_v1')[72]; // cell_x 0, cell_y 8
 * ```
 */
export function makePatchRecords(tract: TractInfo, name: string): PatchRecord[] {
  const out: PatchRecord[] = [];
  for (const patch of tract) {
    const { x, y } = patch.getIndex();
    out.push({ skymap: name, tract: tract.getId(), id: patch.getSequentialIndex(), cell_x: x, cell_y: y, region: patch.getOuterSkyPolygon() });
  }
  return out;
}

/** Options of {@link registerSkyMap}. */
export interface RegisterSkyMapOptions {
  /**
   * Called with progress lines (sky map built, records inserted).
   *
   * @param message - the line
   */
  readonly log?: (message: string) => void;
  /** How many patch records are inserted per statement batch (default 20000). */
  readonly batchSize?: number;
}

/** What {@link registerSkyMap} did. */
export interface RegisterSkyMapResult {
  /** False when an identical sky map of that name was registered already (nothing was written). */
  readonly inserted: boolean;
  /** The `skymap` record. */
  readonly record: SkyMapRecord;
  /** The number of tract records written (0 when not inserted). */
  readonly tracts: number;
  /** The number of patch records written (0 when not inserted). */
  readonly patches: number;
  /** The `skyMap` dataset written (undefined when not inserted). */
  readonly ref: DatasetRef | undefined;
}

/**
 * Registers the sky map's formatter with a Butler when the Butler's configuration gives no
 * usable formatter for the `SkyMap` storage class (daf-butler's default names LSST's
 * `PickleFormatter`, which SkyStack does not implement).
 *
 * @param butler - the Butler
 * @param datasetType - the `skyMap` dataset type
 */
function ensureSkyMapFormatter(butler: Butler, datasetType: DatasetType): void {
  const formatters = butler.formatters;
  if (!formatters.hasFormatter(SKYMAP_FORMATTER_NAME)) formatters.registerFormatter(new SkyMapFormatter());
  const storageClass = butler.storageClasses.getStorageClass(datasetType.storageClass);
  const match = formatters.findFormatter(datasetType, storageClass, butler.storageClasses);
  if (match === undefined || !formatters.hasFormatter(match.formatterName)) formatters.setMapping(datasetType.name, SKYMAP_FORMATTER_NAME);
}

/**
 * Registers a sky map in a Butler repository as lsst.skymap's `BaseSkyMap.register`: in ONE
 * registry transaction, the `skymap` record (name, SHA1, `tract_max`, `patch_nx_max`,
 * `patch_ny_max`), a `tract` record per tract (outer sky polygon), a `patch` record per patch
 * (sequential id, `cell_x`/`cell_y` = its x/y index, outer sky polygon) and the `skyMap` dataset
 * (storage class `SkyMap`, dimensions `{skymap}`) in the RUN `skymaps`, written by
 * {@link SkyMapFormatter}. A sky map identical to one registered under that name (same SHA1) is a
 * no-op; a different one is refused, and so is the same one under a second name (`hash` is a
 * unique key of `skymap`, as in LSST). On any failure nothing is kept: the registry rolls back and
 * the dataset file is not left behind.
 *
 * @param butler - a writeable Butler
 * @param skyMap - the sky map
 * @param name - its name in the registry
 * @param options - progress output, batch size
 * @returns what was written
 * @throws ConflictingDefinitionError (daf-butler) when a different sky map has that name, the
 *   same sky map (SHA1) is registered under another name, or the `skyMap` dataset type is
 *   registered with other dimensions or storage class
 * @example
 * ```ts
 * const butler = await Butler.from(repo, { writeable: true });
 * const { inserted, tracts, patches } = await registerSkyMap(butler, makeSkyMap('hsc_rings_v1'), 'hsc_rings_v1');
 * ```
 * @see lsst.skymap.BaseSkyMap.register
 */
export async function registerSkyMap(butler: Butler, skyMap: BaseSkyMap, name: string, options: RegisterSkyMapOptions = {}): Promise<RegisterSkyMapResult> {
  await butler.ready;
  const log = options.log ?? ((): void => undefined);
  const batchSize = options.batchSize ?? 20000;
  const registry = butler.registry;
  const datasetType = new DatasetType(SKYMAP_DATASET_TYPE_NAME, ['skymap'], 'SkyMap', { universe: registry.universe });
  ensureSkyMapFormatter(butler, datasetType);
  const record = makeSkyMapRecord(skyMap, name);
  let tracts = 0;
  let patches = 0;
  let ref: DatasetRef | undefined;
  try {
    const inserted = await registry.transaction(async () => {
      await registry.registerRun(SKYMAP_RUN_COLLECTION_NAME);
      await registry.registerDatasetType(datasetType);
      // The skymap element has two unique keys, name and hash: say which one clashes.
      const sha1 = hex(record.hash);
      for (const r of await registry.queryDimensionRecords('skymap').toArray()) {
        const otherName = String(r.fields['name']);
        const otherHash = hex(r.fields['hash'] as Uint8Array);
        if (otherName === name && otherHash !== sha1) {
          throw new ConflictingDefinitionError(`A different sky map named '${name}' is already registered (SHA1 ${otherHash}; this one has ${sha1}); registered sky maps cannot be changed.`, {
            hint: 'Give this sky map another name (-c name=...), or check that the config is the one used before.',
          });
        }
        if (otherName !== name && otherHash === sha1) {
          throw new ConflictingDefinitionError(`This sky map (SHA1 ${sha1}) is already registered as '${otherName}'; a sky map can have one name only.`, {
            hint: `Use the name '${otherName}'.`,
          });
        }
      }
      const fresh = await registry.syncDimensionData('skymap', { ...record });
      if (!fresh) return false;
      const tractRecords: TractRecord[] = [];
      let batch: PatchRecord[] = [];
      for (const tract of skyMap) {
        tractRecords.push(makeTractRecord(tract, name));
        batch.push(...makePatchRecords(tract, name));
        if (batch.length >= batchSize) {
          await registry.insertDimensionData('tract', tractRecords.splice(0));
          await registry.insertDimensionData('patch', batch);
          patches += batch.length;
          batch = [];
          log(`Inserted the patches of ${tract.getId() + 1} of ${skyMap.length} tracts.`);
        }
        tracts++;
      }
      if (tractRecords.length > 0) await registry.insertDimensionData('tract', tractRecords);
      if (batch.length > 0) await registry.insertDimensionData('patch', batch);
      patches += batch.length;
      ref = await butler.put(skyMap, datasetType, { skymap: name }, { run: SKYMAP_RUN_COLLECTION_NAME });
      return true;
    });
    if (inserted) log(`Registered sky map '${name}': ${tracts} tracts, ${patches} patches, dataset ${SKYMAP_DATASET_TYPE_NAME} in ${SKYMAP_RUN_COLLECTION_NAME}.`);
    else log(`Sky map '${name}' is already registered with the same SHA1; nothing to do.`);
    return inserted ? { inserted, record, tracts, patches, ref } : { inserted, record, tracts: 0, patches: 0, ref: undefined };
  } catch (e) {
    // The transaction rolled back: forget what the registry cached from inside it.
    registry.refresh();
    throw e;
  }
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Options of {@link registerSkymap}. */
export interface RegisterSkymapScriptOptions {
  /** A config override file: LSST's Python form (`config.skyMap['rings'].numRings = 120`) or a YAML/JSON mapping (`-C`). */
  readonly configFile?: string | undefined;
  /** `field=value` overrides applied after the file (`-c name=hsc_rings_v1 -c skyMap.rings.numRings=120`). */
  readonly config?: readonly string[] | Readonly<Record<string, string>> | undefined;
  /** Start from a named sky map LSST users know (`hsc_rings_v1`, `DC2`, `DC2_cells_v1`, `lsst_cells_v1`), `name` set to it (`--skymap`). */
  readonly skymap?: string | undefined;
  /** How the Butler imports modules named in the repository (formatters). */
  readonly importModule?: ModuleImporter | undefined;
  /**
   * Progress lines.
   *
   * @param message - the line
   */
  readonly log?: (message: string) => void;
}

/** What {@link registerSkymap} did: {@link RegisterSkyMapResult} plus the config used. */
export interface RegisterSkymapScriptResult extends RegisterSkyMapResult {
  /** The (validated, frozen) config. */
  readonly config: MakeSkyMapConfig;
}

/**
 * Builds the {@link MakeSkyMapConfig} of `butler register-skymap`: a named sky map (`skymap`),
 * then the config file, then the `field=value` overrides; validated and frozen.
 *
 * @param options - the named sky map, config file and overrides
 * @returns the config
 * @throws {@link PipeTasksInvalidArgumentError} for an unknown named sky map, a malformed override or a config without `name`
 * @throws pex-config's errors for unknown fields, bad values or override file syntax
 * @example
 * ```ts
 * const config = await makeSkyMapConfigFrom({ skymap: 'hsc_rings_v1', config: ['name=hsc_test'] });
 * config.makeSkyMap().length; // 18938
 * ```
 */
export async function makeSkyMapConfigFrom(options: Pick<RegisterSkymapScriptOptions, 'configFile' | 'config' | 'skymap'>): Promise<MakeSkyMapConfig> {
  const config = new MakeSkyMapConfig();
  if (options.skymap !== undefined) config.setNamedSkyMap(options.skymap);
  if (options.configFile !== undefined) await loadOverrideFile(config, options.configFile);
  const pairs: FieldOverride[] = [];
  const given = options.config ?? [];
  if (Array.isArray(given)) {
    for (const text of given as readonly string[]) {
      const eq = text.indexOf('=');
      if (eq <= 0) throw new PipeTasksInvalidArgumentError(`A config override must be 'field=value'; got '${text}'.`, { hint: 'e.g. -c name=hsc_rings_v1' });
      pairs.push({ field: text.slice(0, eq).trim(), value: text.slice(eq + 1).trim() });
    }
  } else {
    for (const [field, value] of Object.entries(given as Readonly<Record<string, string>>)) pairs.push({ field, value });
  }
  if (pairs.length > 0) applyOverrides(config, pairs, { label: 'command line' });
  config.validate();
  config.freeze();
  return config;
}

/**
 * Makes a sky map from a config and registers it in a repository (pipe_tasks'
 * `script.registerSkymap`, behind `butler register-skymap REPO -C CONFIGFILE -c name=value
 * [--skymap NAME]`); see {@link makeSkyMapConfigFrom} and {@link registerSkyMap}.
 *
 * @param repo - the repository
 * @param options - config file, overrides, named sky map, module importer, progress output
 * @returns what was done, with the config
 * @throws as {@link makeSkyMapConfigFrom} and {@link registerSkyMap}
 * @example
 * ```ts
 * await registerSkymap('/data/repo', { configFile: 'skymap.py', config: ['name=my_rings'] });
 * ```
 * @see lsst.pipe.tasks.script.registerSkymap.registerSkymap
 */
export async function registerSkymap(repo: string, options: RegisterSkymapScriptOptions = {}): Promise<RegisterSkymapScriptResult> {
  const config = await makeSkyMapConfigFrom(options);
  const skyMap = config.makeSkyMap();
  const name = config.name!;
  options.log?.(`Made sky map '${name}' (${skyMap.constructor.name}, ${skyMap.length} tracts, SHA1 ${hex(skyMap.getSha1())}).`);
  const butler = await Butler.from(repo, { writeable: true, ...(options.importModule === undefined ? {} : { importModule: options.importModule }) });
  try {
    const result = await registerSkyMap(butler, skyMap, name, options.log === undefined ? {} : { log: options.log });
    return { ...result, config };
  } finally {
    await butler.close();
  }
}
