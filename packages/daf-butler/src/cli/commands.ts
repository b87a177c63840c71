// The `butler` subcommands' work, one function per command (daf_butler's `script/` package).
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { Butler } from '../butler.js';
import { BUTLER_CONFIG_FILE, ButlerConfig, DEFAULT_BUTLER_CONFIG, mergeConfig } from '../config/butler-config.js';
import { TRANSFER_MODES, type FileDataset, type TransferMode } from '../datastore/datastore.js';
import { DEFAULT_FILE_TEMPLATES, FileTemplates, type FileTemplatesConfig } from '../datastore/file-template.js';
import { DatasetIdGenEnum, DatasetRef, makeDatasetId } from '../datasets/dataset-ref.js';
import { DatasetType } from '../datasets/dataset-type.js';
import type { DataCoordinate, DataIdValue } from '../dimensions/data-coordinate.js';
import type { DimensionRecord } from '../dimensions/record.js';
import { Dimension, DimensionUniverse } from '../dimensions/universe.js';
import { CollectionType, collectionTypeName } from '../registry/collection-type.js';
import type { DatasetQueryResults } from '../registry/registry.js';
import { suggest } from '../suggest.js';
import { Timespan } from '../time/timespan.js';
import { taiNsFromIsoTai } from '../time/astro-time.js';
import { ButlerCliError, type CliContext } from './context.js';
import { sortTable, type Cell, type TextTable } from './table.js';

/** daf_butler's default `--limit`: at most 20 000 rows, with a warning when there are more. */
export const DEFAULT_LIMIT = -20_000;

/** The `--chains` presentations of `query-collections`. */
export const CHAINS_MODES = ['TABLE', 'INVERSE-TABLE', 'TREE', 'INVERSE-TREE', 'FLATTEN', 'NO-CHILDREN'] as const;
/** One `--chains` value. */
export type ChainsMode = (typeof CHAINS_MODES)[number];

/** Options shared by the commands that search for datasets. */
export interface DatasetQueryOptions {
  readonly collections?: readonly string[];
  readonly datasets?: readonly string[];
  readonly where?: string;
  readonly findFirst?: boolean;
}

async function open(repo: string, writeable = false): Promise<Butler> {
  return Butler.from(repo, { writeable });
}

async function using<T>(repo: string, writeable: boolean, f: (butler: Butler) => Promise<T>): Promise<T> {
  const butler = await open(repo, writeable);
  try {
    return await f(butler);
  } finally {
    await butler.close();
  }
}

function orAll(values: readonly string[] | undefined): string | readonly string[] {
  return values && values.length > 0 ? values : '*';
}

function checkTransfer(mode: string | undefined): TransferMode | undefined {
  if (mode === undefined) return undefined;
  if (!(TRANSFER_MODES as readonly string[]).includes(mode)) {
    throw new ButlerCliError(`Unknown transfer mode '${mode}'; expected one of ${TRANSFER_MODES.join(', ')}.`);
  }
  return mode as TransferMode;
}

// ------------------------------------------------------------------ tables of data IDs and datasets

/** The data ID columns of a dimension group: required dimensions, then implied ones (`data_coordinate_keys`). */
function dataIdKeys(dataId: DataCoordinate): string[] {
  return [...dataId.dimensions.required, ...dataId.dimensions.implied];
}

/** daf_butler's `sortAstropyTable`: given columns first, then spatial/temporal dimensions' keys, then the rest. */
function sortKeys(universe: DimensionUniverse, dimensions: readonly string[], first: readonly string[] = []): string[] {
  const early: string[] = [];
  const late: string[] = [];
  for (const name of dimensions) {
    const el = universe.getElement(name);
    if (el.isSpatial || el.isTemporal) early.push(...el.required);
    else late.push(name);
  }
  return [...new Set([...first, ...early, ...late])];
}

function datasetTables(universe: DimensionUniverse, refs: readonly DatasetRef[], uris: ReadonlyMap<string, string> | undefined, sort: boolean): TextTable[] {
  const byType = new Map<string, DatasetRef[]>();
  for (const r of refs) byType.set(r.datasetType.name, [...(byType.get(r.datasetType.name) ?? []), r]);
  const tables: TextTable[] = [];
  for (const [name, list] of byType) {
    const keys = dataIdKeys(list[0]!.dataId);
    const columns = ['type', 'run', 'id', ...keys, ...(uris ? ['URI'] : [])];
    const rows = list.map((r): Cell[] => [name, r.run, r.id, ...keys.map((k) => r.dataId.get(k) ?? null), ...(uris ? [uris.get(r.id) ?? ''] : [])]);
    const table = { columns, rows };
    tables.push(sort ? sortTable(table, sortKeys(universe, keys, ['type', 'run'])) : table);
  }
  return tables;
}

async function applyLimit<T>(ctx: CliContext, what: string, fetch: (n: number | undefined) => Promise<T[]>, limit: number): Promise<T[]> {
  if (limit > 0) return fetch(limit);
  if (limit === 0) return fetch(undefined);
  const cap = -limit;
  const rows = await fetch(cap + 1);
  if (rows.length > cap) {
    ctx.log.warn(`More than ${cap} ${what} match; only the first ${cap} are shown. Use --limit 0 to see all of them.`);
    return rows.slice(0, cap);
  }
  return rows;
}

async function findDatasets(butler: Butler, types: readonly string[] | undefined, o: DatasetQueryOptions & { orderBy?: readonly string[] }): Promise<DatasetQueryResults> {
  let results = butler.registry
    .queryDatasets(orAll(types) as string | string[], {
      collections: orAll(o.collections) as string | string[],
      ...(o.where ? { where: o.where } : {}),
      findFirst: o.findFirst ?? false,
    })
    .expanded();
  if (o.orderBy && o.orderBy.length > 0) results = results.orderBy(...o.orderBy);
  return results;
}

async function datasetUris(butler: Butler, refs: readonly DatasetRef[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const loc of await butler.datastore.locate(refs)) out.set(loc.ref.id, pathToFileURL(loc.absolute).href);
  const missing = refs.filter((r) => !out.has(r.id));
  if (missing.length > 0) {
    const templates = fileTemplates(butler);
    for (const r of missing) {
      try {
        out.set(r.id, `${pathToFileURL(join(butler.config.datastoreRoot, templates.getTemplate(r).format(r))).href}#predicted`);
      } catch {
        out.set(r.id, '');
      }
    }
  }
  return out;
}

function fileTemplates(butler: Butler): FileTemplates {
  const templates = (butler.config.get('datastore.templates') ?? {}) as Record<string, unknown>;
  return new FileTemplates(mergeConfig(DEFAULT_FILE_TEMPLATES, templates) as FileTemplatesConfig, { universe: butler.universe });
}

// ------------------------------------------------------------------ create, config-dump, config-validate

/** Options of {@link createRepo}. */
export interface CreateOptions {
  readonly seedConfig?: string;
  readonly dimensionConfig?: string;
  readonly standalone?: boolean;
  readonly override?: boolean;
  readonly outfile?: string;
}

function readYamlMapping(path: string, what: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ButlerCliError(`Cannot read the ${what} ${path}: ${(e as Error).message}`, { cause: e });
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ButlerCliError(`The ${what} ${path} is not a YAML mapping.`);
  return parsed as Record<string, unknown>;
}

/**
 * `butler create`: makes an empty repository.
 *
 * @param ctx - the command context
 * @param repo - the new repository's directory
 * @param o - seed config, dimension config, standalone, override, outfile
 */
export async function createRepo(ctx: CliContext, repo: string, o: CreateOptions): Promise<void> {
  const config = o.seedConfig ? readYamlMapping(o.seedConfig, 'seed config') : {};
  if (!o.override) {
    // As daf_butler's forceConfigRoot: the datastore lives in the new repository whatever the seed says.
    const ds = config['datastore'];
    if (ds && typeof ds === 'object' && 'root' in ds) {
      const rest = { ...(ds as Record<string, unknown>) };
      delete rest['root'];
      config['datastore'] = rest;
    }
  }
  const universe = o.dimensionConfig ? DimensionUniverse.fromFile(resolve(o.dimensionConfig)) : undefined;
  const made = await Butler.makeRepo(repo, { config, ...(universe ? { universe } : {}) });
  const file = join(made.root, BUTLER_CONFIG_FILE);
  if (o.standalone || o.outfile) {
    const full = mergeConfig(DEFAULT_BUTLER_CONFIG, config);
    if (o.outfile) {
      // The file lives elsewhere: make the locations absolute so that <butlerRoot> is not needed.
      const cfg = new ButlerConfig(made.root, full);
      const data = mergeConfig(o.standalone ? full : config, { registry: { db: cfg.registryUrl }, datastore: { root: cfg.datastoreRoot } });
      writeFileSync(resolve(o.outfile), stringifyYaml(data));
      rmSync(file);
    } else {
      writeFileSync(`${file}.tmp`, stringifyYaml(full));
      renameSync(`${file}.tmp`, file);
    }
  }
  ctx.log.info(`Created repository at ${made.root}.`);
}

/**
 * `butler config-dump`: prints the configuration, or one section of it.
 *
 * @param ctx - the command context
 * @param repo - the repository
 * @param o - subset (`.datastore.root`), file
 */
export function configDump(ctx: CliContext, repo: string, o: { subset?: string; file?: string }): void {
  const config = ButlerConfig.load(repo);
  if (o.subset !== undefined && config.get(o.subset) === undefined) {
    const top = Object.keys(config.data);
    throw new ButlerCliError(`Subset '${o.subset}' is not in the configuration of ${config.root}.`, { hint: `Top-level keys: ${top.join(', ')}.` });
  }
  const text = config.dump(o.subset);
  if (o.file !== undefined && o.file !== '-') writeFileSync(o.file, text);
  else ctx.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/**
 * `butler config-validate`: checks that every registered dataset type (or the chosen ones) has
 * a known storage class, a formatter, and a file template that can name its files.
 *
 * @param ctx - the command context
 * @param repo - the repository
 * @param o - quiet, datasetTypes (only these), ignore (skip these)
 * @returns whether everything is valid
 */
export async function configValidate(ctx: CliContext, repo: string, o: { quiet?: boolean; datasetTypes?: readonly string[]; ignore?: readonly string[] }): Promise<boolean> {
  return using(repo, false, async (butler) => {
    const all = await butler.registry.queryDatasetTypes(o.datasetTypes && o.datasetTypes.length > 0 ? [...o.datasetTypes] : '*');
    const ignore = new Set(o.ignore ?? []);
    const templates = fileTemplates(butler);
    const problems: string[] = [];
    for (const dt of all) {
      if (ignore.has(dt.name)) continue;
      if (!butler.storageClasses.has(dt.storageClass)) {
        problems.push(`${dt.name}: unknown storage class '${dt.storageClass}'.${hintOf(dt.storageClass, butler.storageClasses.names())}`);
        continue;
      }
      const sc = butler.storageClasses.getStorageClass(dt.storageClass);
      try {
        butler.formatters.getFormatter(dt, sc, butler.storageClasses);
      } catch (e) {
        problems.push(`${dt.name}: no formatter: ${(e as Error).message}`);
      }
      try {
        templates.getTemplate(dt, [sc.name, ...butler.storageClasses.ancestorsOf(sc)]).validateTemplate(dt);
      } catch (e) {
        problems.push(`${dt.name}: file template: ${(e as Error).message}`);
      }
    }
    if (problems.length === 0) {
      ctx.print('No problems encountered with configuration.');
      return true;
    }
    if (!o.quiet) for (const p of problems) ctx.io.stderr.write(`${p}\n`);
    throw new ButlerCliError(`Configuration validation failed: ${problems.length} problem${problems.length === 1 ? '' : 's'} found.`);
  });
}

function hintOf(name: string, known: readonly string[]): string {
  const s = suggest(name, known);
  return s ? ` ${s}` : '';
}

// ------------------------------------------------------------------ dataset types

/**
 * `butler register-dataset-type`.
 *
 * @param ctx - the command context
 * @param repo - the repository
 * @param name - the dataset type name (not a component)
 * @param storageClass - its storage class
 * @param dimensions - its dimensions
 * @param isCalibration - whether it may be certified into CALIBRATION collections
 */
export async function registerDatasetType(ctx: CliContext, repo: string, name: string, storageClass: string, dimensions: readonly string[], isCalibration: boolean): Promise<void> {
  if (DatasetType.splitDatasetTypeName(name)[1] !== undefined) {
    throw new ButlerCliError(`'${name}' is a component dataset type; components are defined by their parent's storage class and cannot be registered.`);
  }
  await using(repo, true, async (butler) => {
    if (!butler.storageClasses.has(storageClass)) {
      throw new ButlerCliError(`Unknown storage class '${storageClass}'.${hintOf(storageClass, butler.storageClasses.names())}`);
    }
    const dt = new DatasetType(name, dimensions, storageClass, { universe: butler.universe, isCalibration });
    const inserted = await butler.registry.registerDatasetType(dt);
    ctx.print(inserted ? 'Dataset type successfully registered.' : 'Dataset type already existed in identical form.');
  });
}

/**
 * `butler remove-dataset-type`: removes dataset types (names or globs) that have no datasets.
 *
 * @param _ctx - the command context
 * @param repo - the repository
 * @param names - names or globs
 */
export async function removeDatasetType(_ctx: CliContext, repo: string, names: readonly string[]): Promise<void> {
  await using(repo, true, (butler) => butler.registry.removeDatasetType(names));
}

/**
 * `butler query-dataset-types`.
 *
 * @param ctx - the command context
 * @param repo - the repository
 * @param globs - name patterns (all when empty)
 * @param o - verbose (dimensions and storage class), collections (only types with datasets there), json
 */
export async function queryDatasetTypes(ctx: CliContext, repo: string, globs: readonly string[], o: { verbose?: boolean; collections?: readonly string[]; json?: boolean }): Promise<void> {
  await using(repo, false, async (butler) => {
    let types = await butler.registry.queryDatasetTypes(globs.length > 0 ? [...globs] : '*');
    if (o.collections && o.collections.length > 0) {
      const inSummary = new Set<string>();
      for (const c of await butler.registry.queryCollections([...o.collections])) {
        for (const dt of (await butler.registry.getCollectionSummary(c)).datasetTypes) inSummary.add(dt.name);
      }
      types = types.filter((t) => inSummary.has(t.name));
    }
    const pyList = (names: readonly string[]) => `[${names.map((n) => `'${n}'`).join(', ')}]`;
    const table = sortTable(
      o.verbose
        ? { columns: ['name', 'dimensions', 'storage class'], rows: types.map((t) => [t.name, pyList(t.dimensions.names), t.storageClass]) }
        : { columns: ['name'], rows: types.map((t) => [t.name]) },
      ['name'],
    );
    if (o.json) {
      ctx.printJson(
        [...types]
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
          .map((t) => ({ name: t.name, dimensions: [...t.dimensions.names], storageClass: t.storageClass, isCalibration: t.isCalibration })),
      );
    } else if (table.rows.length === 0) ctx.print('No results. Try --help for more information.');
    else ctx.printTable(table);
  });
}

// ------------------------------------------------------------------ collections

interface CollectionInfo {
  name: string;
  type: CollectionType;
  children: string[];
  parents: string[];
}

async function collectionInfo(butler: Butler, name: string): Promise<CollectionInfo> {
  const type = await butler.registry.getCollectionType(name);
  const children = type === CollectionType.CHAINED ? await butler.registry.getCollectionChain(name) : [];
  const parents = await butler.registry.getCollectionParentChains(name);
  return { name, type, children, parents: [...parents].sort() };
}

/**
 * `butler query-collections`.
 *
 * @param ctx - the command context
 * @param repo - the repository
 * @param globs - name patterns (all when empty)
 * @param o - collectionTypes, chains (presentation), json
 */
export async function queryCollections(ctx: CliContext, repo: string, globs: readonly string[], o: { collectionTypes?: readonly CollectionType[]; chains: ChainsMode; json?: boolean }): Promise<void> {
  await using(repo, false, async (butler) => {
    const pattern = globs.length > 0 ? [...globs] : '*';
    const types = o.collectionTypes && o.collectionTypes.length > 0 ? { collectionTypes: [...o.collectionTypes] } : {};
    const typeName = (t: CollectionType) => collectionTypeName(t);
    if (o.chains === 'FLATTEN' || o.chains === 'NO-CHILDREN') {
      const names = await butler.registry.queryCollections(pattern, { ...types, flattenChains: o.chains === 'FLATTEN' });
      const infos = [];
      for (const n of o.chains === 'NO-CHILDREN' ? [...names].sort() : names) infos.push({ name: n, type: typeName(await butler.registry.getCollectionType(n)) });
      if (o.json) ctx.printJson(infos);
      else ctx.printTable({ columns: ['Name', 'Type'], rows: infos.map((i) => [i.name, i.type]) }, { align: '<' });
      return;
    }
    const names = [...(await butler.registry.queryCollections(pattern, { ...types, includeChains: true }))].sort();
    const infos: CollectionInfo[] = [];
    for (const n of names) infos.push(await collectionInfo(butler, n));
    const inverse = o.chains.startsWith('INVERSE');
    if (o.json) {
      ctx.printJson(infos.map((i) => ({ name: i.name, type: typeName(i.type), ...(inverse ? { parents: i.parents } : { children: i.children }) })));
      return;
    }
    if (o.chains === 'TABLE' || o.chains === 'INVERSE-TABLE') {
      const col = inverse ? 'Parents' : 'Children';
      const rows: Cell[][] = [];
      for (const i of infos) {
        const list = inverse ? i.parents : i.children;
        if (list.length === 0) rows.push([i.name, typeName(i.type), '']);
        else list.forEach((c, k) => rows.push([k === 0 ? i.name : '', k === 0 ? typeName(i.type) : '', c]));
      }
      const keep = inverse ? rows.some((r) => r[2] !== '') : infos.some((i) => i.type === CollectionType.CHAINED);
      ctx.printTable(keep ? { columns: ['Name', 'Type', col], rows } : { columns: ['Name', 'Type'], rows: rows.map((r) => r.slice(0, 2)) }, { align: '<' });
      return;
    }
    // TREE / INVERSE-TREE
    const rows: Cell[][] = [];
    const add = async (info: CollectionInfo, level: number, seen: ReadonlySet<string>): Promise<void> => {
      rows.push([`${'  '.repeat(level)}${info.name}`, typeName(info.type)]);
      if (seen.has(info.name)) return; // chains cannot have cycles, but never loop forever
      const next = inverse ? info.parents : info.children;
      for (const n of next) await add(await collectionInfo(butler, n), level + 1, new Set([...seen, info.name]));
    };
    for (const i of infos) await add(i, 0, new Set());
    ctx.printTable({ columns: ['Name', 'Type'], rows }, { align: '<' });
  });
}

/**
 * `butler collection-chain`: creates or changes a CHAINED collection, and prints its children.
 *
 * @param ctx - the command context
 * @param repo - the repository
 * @param parent - the chain
 * @param children - children (comma-separated values are split); indices for `pop`
 * @param o - mode, flatten, doc
 */
export async function collectionChain(ctx: CliContext, repo: string, parent: string, children: readonly string[], o: { mode: string; flatten?: boolean; doc?: string }): Promise<void> {
  await using(repo, true, async (butler) => {
    const reg = butler.registry;
    if (o.mode === 'redefine') {
      await reg.registerCollection(parent, CollectionType.CHAINED, o.doc || undefined);
      await reg.setCollectionChain(parent, children, { flatten: o.flatten ?? false });
    } else {
      const type = await reg.getCollectionType(parent);
      if (type !== CollectionType.CHAINED) throw new ButlerCliError(`Collection '${parent}' is ${collectionTypeName(type)}, not CHAINED; --mode ${o.mode} needs an existing chain.`);
      const kids = o.flatten && o.mode !== 'pop' ? await reg.queryCollections([...children], { flattenChains: true }) : [...children];
      if (o.mode === 'extend') await reg.extendCollectionChain(parent, kids);
      else if (o.mode === 'prepend') await reg.prependCollectionChain(parent, kids);
      else if (o.mode === 'remove') await reg.removeFromCollectionChain(parent, kids);
      else if (o.mode === 'pop') {
        const current = await reg.getCollectionChain(parent);
        const indices = (kids.length > 0 ? kids : ['0']).map((s) => {
          if (!/^-?\d+$/.test(s)) throw new ButlerCliError(`--mode pop takes integer positions, not '${s}'.`);
          const i = Number(s);
          const k = i < 0 ? current.length + i : i;
          if (k < 0 || k >= current.length) throw new ButlerCliError(`Position ${s} is outside the chain '${parent}' of ${current.length} children.`);
          return k;
        });
        const drop = new Set(indices);
        await reg.setCollectionChain(parent, current.filter((_, k) => !drop.has(k)));
      } else throw new ButlerCliError(`Unknown --mode '${o.mode}'.`);
    }
    ctx.print(`[${(await reg.getCollectionChain(parent)).join(', ')}]`);
  });
}

/**
 * `butler associate`: adds the datasets found to a TAGGED collection (made if missing).
 *
 * @param ctx - the command context
 * @param repo - the repository
 * @param collection - the TAGGED collection
 * @param o - dataset query options
 */
export async function associate(ctx: CliContext, repo: string, collection: string, o: DatasetQueryOptions): Promise<void> {
  await using(repo, true, async (butler) => {
    await butler.registry.registerCollection(collection, CollectionType.TAGGED);
    const refs = await (await findDatasets(butler, o.datasets, o)).toArray();
    await butler.registry.associate(collection, refs);
    ctx.log.info(`Associated ${refs.length} dataset${refs.length === 1 ? '' : 's'} with ${collection}.`);
  });
}

/**
 * `butler certify-calibrations`: certifies the datasets of one type found in INPUT into the
 * CALIBRATION collection OUTPUT over a validity range.
 *
 * @param ctx - the command context
 * @param repo - the repository
 * @param input - where to find them (a chain: only its first child unless `searchAllInputs`)
 * @param output - the CALIBRATION collection (made if missing)
 * @param datasetType - the dataset type
 * @param o - beginDate, endDate (ISO TAI; unbounded when missing), searchAllInputs
 */
export async function certifyCalibrations(ctx: CliContext, repo: string, input: string, output: string, datasetType: string, o: { beginDate?: string; endDate?: string; searchAllInputs?: boolean }): Promise<void> {
  await using(repo, true, async (butler) => {
    const reg = butler.registry;
    const timespan = new Timespan(o.beginDate ? taiNsFromIsoTai(o.beginDate) : null, o.endDate ? taiNsFromIsoTai(o.endDate) : null);
    let search = input;
    if (!o.searchAllInputs && (await reg.getCollectionType(input)) === CollectionType.CHAINED) {
      const first = (await reg.getCollectionChain(input))[0];
      if (first === undefined) throw new ButlerCliError(`The chain '${input}' is empty.`);
      search = first;
    }
    const results = reg.queryDatasets(datasetType, { collections: [search] });
    const refs = await results.toArray();
    if (refs.length === 0) {
      const why = (await results.explainNoResults()).join(' ');
      throw new ButlerCliError(`No inputs found for dataset ${datasetType} in ${search}.${why ? ` ${why}` : ''}`);
    }
    await reg.registerCollection(output, CollectionType.CALIBRATION);
    await reg.certify(output, refs, timespan);
    ctx.log.info(`Certified ${refs.length} ${datasetType} dataset${refs.length === 1 ? '' : 's'} into ${output} over ${timespan.toString()}.`);
  });
}

// ------------------------------------------------------------------ queries

/**
 * `butler query-datasets`: one table per dataset type (`type run id <data ID...>`).
 *
 * @param ctx - the command context
 * @param repo - the repository
 * @param globs - dataset type patterns (all when empty)
 * @param o - collections, where, findFirst, limit, orderBy, showUri, json
 */
export async function queryDatasets(
  ctx: CliContext,
  repo: string,
  globs: readonly string[],
  o: DatasetQueryOptions & { limit: number; orderBy?: readonly string[]; showUri?: boolean; json?: boolean },
): Promise<void> {
  await using(repo, false, async (butler) => {
    const results = await findDatasets(butler, globs, o);
    const refs = await applyLimit(ctx, 'datasets', (n) => (n === undefined ? results.toArray() : results.limit(n).toArray()), o.limit);
    const uris = o.showUri ? await datasetUris(butler, refs) : undefined;
    const tables = datasetTables(butler.universe, refs, uris, !(o.orderBy && o.orderBy.length > 0));
    if (o.json) {
      ctx.printTablesJson(tables);
      return;
    }
    for (const t of tables) {
      ctx.print('');
      ctx.printTable(t);
    }
    ctx.print('');
  });
}

/**
 * `butler query-data-ids`.
 *
 * @param ctx - the command context
 * @param repo - the repository
 * @param dimensions - the data IDs' dimensions (with --datasets and none given: those all the dataset types share)
 * @param o - collections, datasets, where, orderBy, limit, offset, json
 */
export async function queryDataIds(
  ctx: CliContext,
  repo: string,
  dimensions: readonly string[],
  o: { collections?: readonly string[]; datasets?: readonly string[]; where?: string; orderBy?: readonly string[]; limit: number; offset?: number; json?: boolean },
): Promise<void> {
  await using(repo, false, async (butler) => {
    const reg = butler.registry;
    let dims = [...dimensions];
    const datasets = o.datasets && o.datasets.length > 0 ? await reg.queryDatasetTypes([...o.datasets]) : [];
    if (o.datasets && o.datasets.length > 0 && datasets.length === 0) {
      throw new ButlerCliError(`No dataset types match ${o.datasets.map((d) => `'${d}'`).join(', ')}.`);
    }
    if (dims.length === 0 && datasets.length > 0) {
      let common = new Set(datasets[0]!.dimensions.names);
      for (const dt of datasets.slice(1)) common = new Set([...common].filter((d) => dt.dimensions.names.includes(d)));
      if (common.size === 0) {
        ctx.print(`No dimensions in common for specified dataset types (${JSON.stringify(datasets.map((d) => d.name))})`);
        ctx.print('No results. Try --help for more information.');
        return;
      }
      dims = [...common];
    }
    if (dims.length === 0) {
      ctx.print('No results. Try requesting some dimensions or datasets, see --help for more information.');
      return;
    }
    let results = reg.queryDataIds(dims, {
      ...(o.where ? { where: o.where } : {}),
      ...(datasets.length > 0 ? { datasets, collections: orAll(o.collections) as string | string[] } : {}),
    });
    const ordered = o.orderBy && o.orderBy.length > 0;
    if (ordered) results = results.orderBy(...o.orderBy!);
    const offset = o.offset ?? 0;
    const ids = await applyLimit(ctx, 'data IDs', (n) => (n === undefined && offset === 0 ? results.toArray() : results.limit(n ?? Number.MAX_SAFE_INTEGER, offset).toArray()), o.limit);
    if (ids.length === 0) {
      if (o.json) {
        ctx.printJson([]);
        return;
      }
      for (const why of await results.explainNoResults()) ctx.print(why);
      ctx.print('No results. Try --help for more information.');
      return;
    }
    const keys = dataIdKeys(ids[0]!);
    let table: TextTable = { columns: keys, rows: ids.map((d) => keys.map((k) => d.get(k) ?? null)) };
    if (!ordered) table = sortTable(table, sortKeys(butler.universe, keys));
    if (o.json) ctx.printTablesJson([table]);
    else ctx.printTable(table);
  });
}

function compareDataIds(a: DimensionRecord, b: DimensionRecord): number {
  const va = a.dataId.requiredValues;
  const vb = b.dataId.requiredValues;
  for (let i = 0; i < Math.min(va.length, vb.length); i++) {
    const x = va[i]!;
    const y = vb[i]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return va.length - vb.length;
}

/**
 * `butler query-dimension-records`.
 *
 * @param ctx - the command context
 * @param repo - the repository
 * @param element - the dimension element
 * @param o - datasets, collections, where, orderBy, limit, offset, noCheck, json
 */
export async function queryDimensionRecords(
  ctx: CliContext,
  repo: string,
  element: string,
  o: { datasets?: readonly string[]; collections?: readonly string[]; where?: string; orderBy?: readonly string[]; limit: number; offset?: number; noCheck?: boolean; json?: boolean },
): Promise<void> {
  if (o.noCheck) ctx.log.warn('--no-check option has no effect (as in daf_butler, where it will be removed after v28).');
  await using(repo, false, async (butler) => {
    const el = butler.universe.getElement(element);
    let results = butler.registry.queryDimensionRecords(element, {
      ...(o.where ? { where: o.where } : {}),
      ...(o.datasets && o.datasets.length > 0 ? { datasets: [...o.datasets], collections: orAll(o.collections) as string | string[] } : {}),
    });
    const ordered = o.orderBy && o.orderBy.length > 0;
    if (ordered) results = results.orderBy(...o.orderBy!);
    const offset = o.offset ?? 0;
    let records = await applyLimit(ctx, 'records', (n) => (n === undefined && offset === 0 ? results.toArray() : results.limit(n ?? Number.MAX_SAFE_INTEGER, offset).toArray()), o.limit);
    if (records.length === 0) {
      if (o.json) ctx.printJson([]);
      else ctx.print('No results. Try --help for more information.');
      return;
    }
    if (!ordered) records = [...records].sort(compareDataIds);
    const columns = Object.keys(records[0]!.toDict());
    const table: TextTable = { columns, rows: records.map((r) => columns.map((c) => r.get(c) as Cell)) };
    const floats = new Set(el.metadata.filter((f) => f.type === 'float').map((f) => f.name));
    if (o.json) ctx.printTablesJson([table]);
    else ctx.printTable(table, { floatColumns: floats });
  });
}

// ------------------------------------------------------------------ ingest, import, export, transfer

function splitRow(line: string, delimiter: string | undefined): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  let had = false;
  const isSep = (c: string) => (delimiter === undefined ? /\s/.test(c) : c === delimiter);
  for (const c of line) {
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      had = true;
    } else if (isSep(c)) {
      if (delimiter === undefined && cur === '' && !had) continue;
      out.push(cur.trim());
      cur = '';
      had = false;
    } else {
      cur += c;
      had = true;
    }
  }
  if (cur !== '' || had || delimiter !== undefined) out.push(cur.trim());
  return out;
}

/**
 * Reads the table of `ingest-files`: CSV (comma-separated, with a header row) or ECSV
 * (`# %ECSV` header, space- or `delimiter`-separated); the first column is the file, the others
 * data ID keys.
 *
 * @param path - the table file
 * @returns the column names and the rows
 */
export function readIngestTable(path: string): { columns: string[]; rows: string[][] } {
  const text = readFileSync(path, 'utf8');
  const lines = text.split(/\r?\n/);
  let delimiter: string | undefined;
  const meta = lines.filter((l) => l.startsWith('#'));
  const ecsv = meta.some((l) => l.startsWith('# %ECSV'));
  const d = meta.map((l) => /^#\s*delimiter:\s*['"]?(.)['"]?\s*$/.exec(l)).find((m) => m !== null);
  const body = lines.filter((l) => !l.startsWith('#') && l.trim() !== '');
  if (d) delimiter = d[1] === ' ' ? undefined : d[1];
  else if (!ecsv && body[0]?.includes(',')) delimiter = ',';
  if (body.length === 0) throw new ButlerCliError(`The table ${path} has no header row.`);
  const columns = splitRow(body[0]!, delimiter);
  const rows = body.slice(1).map((l) => splitRow(l, delimiter));
  for (const [i, r] of rows.entries()) {
    if (r.length !== columns.length) throw new ButlerCliError(`Row ${i + 1} of ${path} has ${r.length} values; the header has ${columns.length} columns.`);
  }
  return { columns, rows };
}

function dataIdValue(universe: DimensionUniverse, key: string, text: string): DataIdValue {
  if (universe.has(key)) {
    const el = universe.getElement(key);
    if (el instanceof Dimension && el.primaryKey.type === 'int') {
      if (!/^-?\d+$/.test(text.trim())) throw new ButlerCliError(`Data ID value ${key}=${JSON.stringify(text)} is not an integer.`);
      return Number(text);
    }
  }
  return text;
}

function parseKeyValues(universe: DimensionUniverse, items: readonly string[]): Record<string, DataIdValue> {
  const out: Record<string, DataIdValue> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new ButlerCliError(`--data-id '${item}' is not KEY=VALUE.`);
    const k = item.slice(0, eq).trim();
    out[k] = dataIdValue(universe, k, item.slice(eq + 1).trim());
  }
  return out;
}

/**
 * `butler ingest-files`: ingests the files listed in a table as datasets of one type into a RUN.
 *
 * @param ctx - the command context
 * @param repo - the repository
 * @param datasetType - the (registered) dataset type
 * @param run - the RUN collection (made if missing)
 * @param tableFile - the table
 * @param o - formatter, idGenerationMode, dataId (KEY=VALUE for every row), prefix, transfer
 */
export async function ingestFiles(
  ctx: CliContext,
  repo: string,
  datasetType: string,
  run: string,
  tableFile: string,
  o: { formatter?: string; idGenerationMode?: string; dataId?: readonly string[]; prefix?: string; transfer?: string },
): Promise<void> {
  const transfer = checkTransfer(o.transfer) ?? 'auto';
  const mode = DatasetIdGenEnum[(o.idGenerationMode ?? 'UNIQUE').toUpperCase() as keyof typeof DatasetIdGenEnum];
  await using(repo, true, async (butler) => {
    const dt = await butler.registry.getDatasetType(datasetType);
    const common = parseKeyValues(butler.universe, o.dataId ?? []);
    const { columns, rows } = readIngestTable(tableFile);
    const byFile = new Map<string, DatasetRef[]>();
    for (const row of rows) {
      const dataId: Record<string, DataIdValue> = { ...common };
      columns.slice(1).forEach((c, i) => (dataId[c] = dataIdValue(butler.universe, c, row[i + 1]!)));
      const expanded = (await butler.registry.expandDataId(dataId, { dimensions: dt.dimensions })).subset(dt.dimensions);
      const file = row[0]!;
      const path = isAbsolute(file) ? file : resolve(o.prefix ?? process.cwd(), file);
      const ref = new DatasetRef(dt, expanded, run, makeDatasetId(dt, expanded, run, mode));
      byFile.set(path, [...(byFile.get(path) ?? []), ref]);
    }
    const datasets: FileDataset[] = [...byFile].map(([path, refs]) => ({ path, refs, ...(o.formatter ? { formatter: o.formatter.split('.').at(-1)! } : {}) }));
    const refs = await butler.ingest(datasets, { transfer });
    ctx.log.info(`Ingested ${refs.length} dataset${refs.length === 1 ? '' : 's'} of ${datasetType} into ${run}.`);
  });
}

/**
 * `butler import`: imports an export directory (its YAML file and the files it lists).
 *
 * @param ctx - the command context
 * @param repo - the repository
 * @param directory - the export directory (dataset paths are relative to it)
 * @param o - transfer, exportFile (default export.yaml in the directory; an absolute path or
 *   one that exists from the working directory is used as it is), skipDimensions, withoutDatastore
 */
export async function importRepo(ctx: CliContext, repo: string, directory: string, o: { transfer?: string; exportFile?: string; skipDimensions?: readonly string[]; withoutDatastore?: boolean }): Promise<void> {
  const transfer = checkTransfer(o.transfer);
  const dir = resolve(directory);
  let filename = o.exportFile ?? 'export.yaml';
  if (isAbsolute(filename) || existsSync(filename)) filename = relative(dir, resolve(filename));
  if (!existsSync(join(dir, filename))) throw new ButlerCliError(`The export file ${join(dir, filename)} does not exist.`);
  await using(repo, true, async (butler) => {
    const n = await butler.import(dir, {
      filename,
      ...(transfer ? { transfer } : {}),
      ...(o.skipDimensions && o.skipDimensions.length > 0 ? { skipDimensions: o.skipDimensions } : {}),
      ...(o.withoutDatastore ? { withoutDatastore: true } : {}),
    });
    ctx.log.info(`Imported ${n} dataset${n === 1 ? '' : 's'} from ${join(dir, filename)}.`);
  });
}

/**
 * `butler export` (a SkyStack addition): writes the datasets found, the collections matched by
 * --collections and their dimension records to DIRECTORY/export.yaml, with their files.
 *
 * @param ctx - the command context
 * @param repo - the repository
 * @param directory - where to write
 * @param o - dataset query options, transfer
 */
export async function exportRepo(ctx: CliContext, repo: string, directory: string, o: DatasetQueryOptions & { transfer?: string }): Promise<void> {
  const transfer = checkTransfer(o.transfer);
  await using(repo, false, async (butler) => {
    const refs = await (await findDatasets(butler, o.datasets, o)).toArray();
    const collections = o.collections && o.collections.length > 0 ? await butler.registry.queryCollections([...o.collections]) : undefined;
    const file = await butler.export(directory, { datasets: refs, ...(collections ? { collections } : {}) }, transfer ? { transfer } : {});
    ctx.print(`Exported ${refs.length} dataset${refs.length === 1 ? '' : 's'} to ${file}.`);
  });
}

/**
 * `butler retrieve-artifacts`: copies the files of the datasets found into DEST.
 *
 * @param ctx - the command context
 * @param repo - the repository
 * @param dest - the destination directory
 * @param o - dataset query options, transfer, preservePath, clobber
 */
export async function retrieveArtifacts(ctx: CliContext, repo: string, dest: string, o: DatasetQueryOptions & { transfer?: string; preservePath?: boolean; clobber?: boolean; verbose?: boolean }): Promise<void> {
  const transfer = checkTransfer(o.transfer);
  await using(repo, false, async (butler) => {
    const refs = await (await findDatasets(butler, o.datasets, o)).toArray();
    const written = await butler.retrieveArtifacts(refs, dest, { ...(transfer ? { transfer } : {}), preservePath: o.preservePath ?? true, overwrite: o.clobber ?? false });
    if (written.length === 0) {
      ctx.print('No datasets matched query.');
      return;
    }
    if (o.verbose) ctx.print(`Transferred the following to ${dest}:`, ...written, '');
    ctx.print(`Number of artifacts retrieved into destination ${dest}: ${written.length}`);
  });
}

/**
 * `butler transfer-datasets`: copies the datasets found in SOURCE into DEST.
 *
 * @param ctx - the command context
 * @param source - the source repository
 * @param dest - the destination repository
 * @param o - dataset query options, transfer, registerDatasetTypes, transferDimensions
 */
export async function transferDatasets(ctx: CliContext, source: string, dest: string, o: DatasetQueryOptions & { transfer?: string; registerDatasetTypes?: boolean; transferDimensions?: boolean }): Promise<void> {
  const transfer = checkTransfer(o.transfer);
  await using(source, false, async (src) => {
    const refs = await (await findDatasets(src, o.datasets, o)).toArray();
    await using(dest, true, async (dst) => {
      const done = await dst.transferFrom(src, refs, {
        ...(transfer ? { transfer } : {}),
        registerDatasetTypes: o.registerDatasetTypes ?? false,
        transferDimensions: o.transferDimensions ?? false,
      });
      ctx.print(`Number of datasets transferred: ${done.length}`);
    });
  });
}

// ------------------------------------------------------------------ removal

/**
 * `butler remove-runs`: removes RUN collections matching a glob, with their datasets.
 *
 * @param ctx - the command context
 * @param repo - the repository
 * @param collection - a glob for RUN collections
 * @param o - confirm (ask first; default), force (unlink from parent chains without asking)
 * @returns the exit status (1 when confirmation was needed but not given)
 */
export async function removeRuns(ctx: CliContext, repo: string, collection: string, o: { confirm: boolean; force?: boolean }): Promise<number> {
  return using(repo, true, async (butler) => {
    const reg = butler.registry;
    const runs = [...(await reg.queryCollections(collection, { collectionTypes: [CollectionType.RUN] }))].sort();
    if (runs.length === 0) {
      ctx.print('No RUN collections were found.');
      return 0;
    }
    const parents = new Map<string, string[]>();
    for (const r of runs) parents.set(r, await reg.getCollectionParentChains(r));
    const counts = new Map<string, number>();
    for (const ref of await reg.queryDatasets('*', { collections: runs }).toArray()) counts.set(ref.datasetType.name, (counts.get(ref.datasetType.name) ?? 0) + 1);
    const quoted = (l: readonly string[]) => l.map((p) => `"${p}"`).join(', ');
    const report = (will: boolean) => {
      ctx.print(will ? 'The following RUN collections will be removed:' : 'The following RUN collections were removed:');
      for (const r of runs) {
        const p = parents.get(r)!;
        ctx.print(p.length > 0 ? `${r}: ${will ? 'will be unlinked from' : 'was removed and unlinked from'} ${quoted(p)}` : r);
      }
      ctx.print(will ? '\nThe following datasets will be removed:' : 'The following datasets were removed:');
      ctx.print([...counts].map(([t, n]) => `${t}(${n})`).join(', '));
      ctx.print(`Total number of datasets to remove:  ${[...counts.values()].reduce((a, b) => a + b, 0)}`);
    };
    if (o.confirm) {
      report(true);
      if (!(await ctx.confirm('Continue?'))) {
        ctx.print('Aborted.');
        return 0;
      }
      await butler.removeRuns(runs);
      ctx.print('Removed collections');
      return 0;
    }
    if ([...parents.values()].some((p) => p.length > 0) && !o.force) {
      ctx.print(
        'Removing runs that are in parent CHAINED collections requires confirmation. ',
        'Try again without --no-confirm to confirm removal of RUN collections from parents, or add the --force flag to skip confirmation.',
      );
      for (const r of runs) if (parents.get(r)!.length > 0) ctx.print(`${r}: must be unlinked from ${quoted(parents.get(r)!)}`);
      return 1;
    }
    await butler.removeRuns(runs);
    report(false);
    return 0;
  });
}

/**
 * `butler remove-collections`: removes non-RUN collections matching a glob.
 *
 * @param ctx - the command context
 * @param repo - the repository
 * @param collection - a glob
 * @param o - confirm (default), removeFromParents (unlink from parent chains first)
 */
export async function removeCollections(ctx: CliContext, repo: string, collection: string, o: { confirm: boolean; removeFromParents?: boolean }): Promise<void> {
  await using(repo, true, async (butler) => {
    const reg = butler.registry;
    const names = [...(await reg.queryCollections(collection))].sort();
    const remove: Cell[][] = [];
    const runs: Cell[][] = [];
    for (const n of names) {
      const t = await reg.getCollectionType(n);
      (t === CollectionType.RUN ? runs : remove).push([n, collectionTypeName(t)]);
    }
    const columns = ['Collection', 'Collection Type'];
    const doRemove = async () => {
      for (const [n] of remove) {
        const name = n as string;
        if (o.removeFromParents) for (const p of await reg.getCollectionParentChains(name)) await reg.removeFromCollectionChain(p, [name]);
        await reg.removeCollection(name);
      }
    };
    if (o.confirm) {
      if (remove.length > 0) {
        ctx.print('', 'The following collections will be removed:');
        ctx.printTable({ columns, rows: remove }, { align: '<' });
      } else ctx.print('', 'No non-RUN collections were found.');
      if (runs.length > 0) {
        ctx.print('', 'The following RUN collections were found but can NOT be removed by this command:');
        ctx.printTable({ columns, rows: runs }, { align: '<' });
        ctx.print('');
      }
      if (remove.length === 0) return;
      if (!(await ctx.confirm('Continue?'))) {
        ctx.print('', 'Aborted.', '');
        return;
      }
      await doRemove();
      ctx.print('', 'Removed collections.', '');
      return;
    }
    if (remove.length === 0) {
      ctx.print('', 'No non-RUN collections were found.');
      return;
    }
    await doRemove();
    ctx.print('', 'Removed collections:', '');
    ctx.printTable({ columns, rows: remove }, { align: '<' });
    if (runs.length > 0) {
      ctx.print('', 'Found RUN collections but they can NOT be removed by this command:');
      ctx.printTable({ columns, rows: runs }, { align: '<' });
      ctx.print('');
    }
  });
}

/**
 * `butler prune-datasets`: removes datasets from TAGGED collections, from the datastore, or
 * entirely, following daf_butler's rules for combining --disassociate, --unstore and --purge.
 *
 * @param ctx - the command context
 * @param repo - the repository
 * @param collections - where to search (default: the --purge RUN or the --disassociate tags)
 * @param o - datasets, where, findAll, disassociate (tags), purge (RUN), unstore, dryRun, confirm, quiet
 */
export async function pruneDatasets(
  ctx: CliContext,
  repo: string,
  collections: readonly string[],
  o: { datasets?: readonly string[]; where?: string; findAll?: boolean; disassociate?: readonly string[]; purge?: string; unstore?: boolean; dryRun?: boolean; confirm: boolean; quiet?: boolean },
): Promise<void> {
  const tags = o.disassociate ?? [];
  if (o.quiet && o.dryRun) throw new ButlerCliError('Can not use --quiet and --dry-run together.');
  if (tags.length === 0 && !o.unstore && !o.purge) throw new ButlerCliError('No operation: one of --purge, --unstore, or --disassociate must be provided.');
  if (tags.length > 0 && o.purge) {
    throw new ButlerCliError(
      '--disassociate and --purge may not be used together: --disassociate purges from just the passed TAGged collections, but --purge forces disassociation from all of them.',
    );
  }
  let search = [...collections];
  if (search.length === 0) search = o.purge ? [o.purge] : [...tags];
  if (search.length === 0) {
    throw new ButlerCliError(
      "Must indicate collections from which to prune datasets by passing COLLECTION arguments (select all collections by passing '*'), by using --purge to pass a run collection, or by using --disassociate to select a tagged collection.",
    );
  }
  const confirm = o.quiet ? false : o.confirm;
  await using(repo, true, async (butler) => {
    if (o.purge && (await butler.registry.getCollectionType(o.purge)) !== CollectionType.RUN) {
      throw new ButlerCliError(`Can not prune a collection that is not a RUN collection: ${o.purge}`);
    }
    const refs = await (await findDatasets(butler, o.datasets, { collections: search, ...(o.where ? { where: o.where } : {}), findFirst: !o.findAll })).toArray();
    const tables = datasetTables(butler.universe, refs, undefined, true);
    const printTables = () => {
      for (const t of tables) {
        ctx.print('');
        ctx.printTable(t);
      }
      ctx.print('');
    };
    const disassociate = tags.length > 0 || Boolean(o.purge);
    const unstore = Boolean(o.unstore) || Boolean(o.purge);
    if (o.dryRun) {
      const list = `[${search.map((c) => `'${c}'`).join(', ')}]`;
      if (disassociate && unstore) {
        ctx.print(`The following datasets will be disassociated from ${list} if they are currently present in it (which is not checked), and removed from any datastores in which they are present.`);
      } else if (disassociate) ctx.print(`The following datasets will be disassociated from ${list} if they are currently present in it (which is not checked):`);
      else ctx.print('The following datasets will be removed from any datastores in which they are present:');
      printTables();
      return;
    }
    const run = () => butler.pruneDatasets(refs, { disassociate, ...(tags.length > 0 ? { tags } : {}), unstore, purge: Boolean(o.purge) });
    if (confirm) {
      if (refs.length === 0) {
        ctx.print('Did not find any datasets.');
        return;
      }
      ctx.print('The following datasets will be removed:');
      printTables();
      if (await ctx.confirm('Continue?')) {
        await run();
        ctx.print('The datasets were removed.');
      } else ctx.print('Did not remove the datasets.');
      return;
    }
    await run();
    if (!o.quiet) {
      ctx.print('Removed the following datasets:');
      printTables();
    }
  });
}
