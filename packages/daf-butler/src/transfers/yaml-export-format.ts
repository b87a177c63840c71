// daf_butler's YAML export format ("Butler Data Repository Export", versions 0 and 1.0.x):
// reading it into a registry (`importYaml`) and writing a registry's content (`exportYaml`).
//
// Follows lsst/daf_butler python/lsst/daf/butler/transfers/_yaml.py (YamlRepoImportBackend,
// YamlRepoExportBackend) and _context.py (RepoExportContext), including the conversions
// daf_butler applies to records from older dimension universes.
import { createHash } from 'node:crypto';
import { decodeRegion, encodeRegion, regionFromHex, regionToHex, type Region } from '@skystack/geom';
import { Document, parseDocument, YAMLMap, type CollectionTag, type ScalarTag } from 'yaml';
import { DataCoordinate, type DataId } from '../dimensions/data-coordinate.js';
import type { DimensionRecord, RecordValue } from '../dimensions/record.js';
import { Dimension, type DimensionElement, type DimensionUniverse } from '../dimensions/universe.js';
import { DatasetRef, normalizeUuid } from '../datasets/dataset-ref.js';
import { DatasetType } from '../datasets/dataset-type.js';
import { ExportFormatError } from '../errors.js';
import { CollectionType, collectionTypeName, parseCollectionType } from '../registry/collection-type.js';
import type { DimensionRecordInput, Registry } from '../registry/registry.js';
import { isoTaiFromNs, taiNsFromDate, taiNsFromIsoTai } from '../time/astro-time.js';
import { Timespan } from '../time/timespan.js';

/** The export format version this module writes; files with another major or a newer minor version are refused. */
export const EXPORT_FORMAT_VERSION = '1.0.2';

const FORMAT_MAJOR = 1;
const FORMAT_MINOR = 0;

/** daf_butler's namespace for turning old integer dataset IDs into UUIDs (`_RefMapper`, uuid3). */
const INT_ID_NAMESPACE = '4d4851f4-2890-4d41-8779-5f38a3f5062b';

// ---------------------------------------------------------------------------------------------
// YAML tags

/** A TAI instant read from or written as `!butler_time/tai/iso '2021-09-09 03:00:00.000000000'`. */
class TaiTime {
  constructor(readonly ns: bigint) {}
}

/** A UUID written as `!uuid <text>`. */
class TaggedUuid {
  constructor(readonly value: string) {}
}

/** A region written as `!<lsst.sphgeom.ConvexPolygon> {encoded: <hex>}`. */
class TaggedRegion {
  constructor(readonly region: Region) {}
}

/** A validity range written as `!lsst.daf.butler.Timespan {begin: ..., end: ...}`. */
class TaggedTimespan {
  constructor(readonly timespan: Timespan) {}
}

const SPHGEOM_CLASSES: Readonly<Record<number, string>> = {
  0x70: 'ConvexPolygon',
  0x63: 'Circle',
  0x62: 'Box',
  0x65: 'Ellipse',
  0x75: 'UnionRegion',
  0x69: 'IntersectionRegion',
};

const uuidTag: ScalarTag = {
  tag: '!uuid',
  identify: (v) => v instanceof TaggedUuid,
  resolve: (text, onError) => {
    const id = normalizeUuid(text);
    if (id === undefined) onError(`'${text}' is not a UUID`);
    return id ?? text;
  },
  stringify: (item) => (item.value as TaggedUuid).value,
};

const timeTag: ScalarTag = {
  tag: '!butler_time/tai/iso',
  identify: (v) => v instanceof TaiTime,
  resolve: (text) => (text === '' || text === 'null' || text === '~' ? null : new TaiTime(taiNsFromIsoTai(text))),
  stringify: (item) => `'${isoTaiFromNs((item.value as TaiTime).ns)}'`,
};

const timespanMapTag: CollectionTag = {
  tag: '!lsst.daf.butler.Timespan',
  collection: 'map',
  identify: (v) => v instanceof TaggedTimespan && !v.timespan.isEmpty(),
  resolve: (map) => {
    const m = map as YAMLMap.Parsed;
    return new Timespan(timeBound(m.get('begin'), 'timespan begin'), timeBound(m.get('end'), 'timespan end'));
  },
  createNode: (schema, value, ctx) => {
    const ts = (value as TaggedTimespan).timespan;
    const bound = (b: unknown): TaiTime | null => (typeof b === 'bigint' ? new TaiTime(b) : null);
    return YAMLMap.from(schema, { begin: bound(ts.begin), end: bound(ts.end) }, ctx);
  },
};

const timespanEmptyTag: ScalarTag = {
  tag: '!lsst.daf.butler.Timespan',
  identify: (v) => v instanceof TaggedTimespan && v.timespan.isEmpty(),
  stringify: () => 'EMPTY',
  resolve: (text, onError) => {
    if (text !== 'EMPTY') onError(`!lsst.daf.butler.Timespan scalar must be EMPTY; got '${text}'`);
    return Timespan.makeEmpty();
  },
};

function regionTag(className: string): CollectionTag {
  return {
    tag: `lsst.sphgeom.${className}`,
    collection: 'map',
    identify: (v) => v instanceof TaggedRegion && sphgeomClassOf(v.region) === className,
    resolve: (map, onError) => {
      const hex = (map as YAMLMap.Parsed).get('encoded');
      if (typeof hex !== 'string') {
        onError(`lsst.sphgeom.${className} needs an 'encoded' hex string`);
        return null;
      }
      return regionFromHex(hex);
    },
    createNode: (schema, value, ctx) => YAMLMap.from(schema, { encoded: regionToHex((value as TaggedRegion).region) }, ctx),
  };
}

function sphgeomClassOf(region: Region): string {
  const code = encodeRegion(region)[0]!;
  const name = SPHGEOM_CLASSES[code];
  if (name === undefined) throw new ExportFormatError(`Cannot write a region with sphgeom type code 0x${code.toString(16)}.`);
  return name;
}

const CUSTOM_TAGS = [
  uuidTag,
  timeTag,
  timespanMapTag,
  timespanEmptyTag,
  ...Object.values(SPHGEOM_CLASSES).map(regionTag),
];

/** Options shared by parsing and writing: YAML 1.1 (what Python's `yaml.safe_load` reads: `!!binary`, timestamps, yes/no). */
const YAML_OPTIONS = { schema: 'yaml-1.1', customTags: CUSTOM_TAGS, intAsBigInt: false } as const;

function timeBound(v: unknown, what: string): bigint | null {
  if (v === null || v === undefined) return null;
  if (v instanceof TaiTime) return v.ns;
  if (v instanceof Date) return taiNsFromDate(v);
  if (typeof v === 'string') return taiNsFromIsoTai(v);
  throw new ExportFormatError(`${what}: expected a time (!butler_time/tai/iso or a timestamp); got ${describe(v)}.`);
}

function describe(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

// ---------------------------------------------------------------------------------------------
// Import

/** Options of {@link importYaml}. */
export interface ImportYamlOptions {
  /** Dimension elements whose records are not inserted (`butler import --skip-dimensions`). */
  readonly skipDimensions?: ReadonlySet<string>;
}

/** One file entry of an export's `dataset` items: a file and the datasets it holds. */
export interface ImportedFileDataset {
  /** Path of the file relative to the export directory, or null when the export has none. */
  readonly path: string | null;
  /** Fully qualified formatter class name, or null. */
  readonly formatter: string | null;
  /** The datasets, as the registry holds them after the import. */
  readonly refs: readonly DatasetRef[];
}

/** What {@link importYaml} read and wrote. */
export interface ImportSummary {
  /** The file's format version (`0` is reported as `1.0.0`, as daf_butler does). */
  readonly formatVersion: string;
  /** The universe version the file was written with (`0` when absent). */
  readonly universeVersion: number;
  /** The universe namespace the file was written with. */
  readonly universeNamespace: string;
  /** Number of records given to the registry, per element (after old-universe conversions). */
  readonly dimensionRecords: Readonly<Record<string, number>>;
  /** RUN collections registered. */
  readonly runs: readonly string[];
  /** TAGGED and CALIBRATION collections registered. */
  readonly collections: readonly string[];
  /** CHAINED collections registered and defined. */
  readonly chains: readonly string[];
  /** Dataset types defined by the file. */
  readonly datasetTypes: readonly string[];
  /** Files and their datasets (for a datastore to ingest). */
  readonly fileDatasets: readonly ImportedFileDataset[];
  /** Number of datasets imported. */
  readonly datasets: number;
  /** Number of dataset memberships added to TAGGED collections. */
  readonly tagAssociations: number;
  /** Number of dataset certifications added to CALIBRATION collections. */
  readonly calibAssociations: number;
  /** Things that were converted, dropped or could not be filled (as daf_butler's warnings). */
  readonly warnings: readonly string[];
}

type RawRecord = Record<string, unknown>;

interface ParsedDatasetBlock {
  readonly datasetType: string;
  readonly run: string;
  readonly records: readonly RawRecord[];
  readonly where: string;
}

/** The content of an export file, checked and converted, before anything is written. */
interface ParsedExport {
  formatVersion: string;
  universeVersion: number;
  universeNamespace: string;
  records: Map<string, RawRecord[]>;
  runs: Map<string, string | null>;
  collections: Map<string, CollectionType>;
  chains: Map<string, string[]>;
  docs: Map<string, string>;
  datasetTypes: Map<string, DatasetType>;
  datasetBlocks: ParsedDatasetBlock[];
  tagAssociations: Map<string, unknown[]>;
  calibAssociations: Map<string, { timespan: Timespan; ids: unknown[] }[]>;
  warnings: string[];
  migrateVisitSystem: boolean;
}

function asRecord(v: unknown, where: string): RawRecord {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new ExportFormatError(`${where}: expected a mapping; got ${describe(v)}.`);
  }
  return v as RawRecord;
}

function asList(v: unknown, where: string): unknown[] {
  if (!Array.isArray(v)) throw new ExportFormatError(`${where}: expected a list; got ${describe(v)}.`);
  return v;
}

function asString(v: unknown, where: string): string {
  if (typeof v !== 'string') throw new ExportFormatError(`${where}: expected a string; got ${describe(v)}.`);
  return v;
}

function checkVersion(raw: unknown): string {
  if (raw === 0 || raw === '0') return '1.0.0';
  const text = typeof raw === 'number' ? String(raw) : raw;
  if (typeof text !== 'string') {
    throw new ExportFormatError(`The export file has no valid 'version' (got ${describe(raw)}).`, {
      hint: "Butler exports start with 'description: Butler Data Repository Export' and 'version: 1.0.2'.",
    });
  }
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (m === null) throw new ExportFormatError(`The export file's version '${text}' is not MAJOR.MINOR.PATCH.`);
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major !== FORMAT_MAJOR) {
    throw new ExportFormatError(`Cannot read repository export file with version=${text} (${FORMAT_MAJOR}.x.x required).`);
  }
  if (minor > FORMAT_MINOR) {
    throw new ExportFormatError(
      `Cannot read repository export file with version=${text} (<= ${FORMAT_MAJOR}.${FORMAT_MINOR}.x required); it was written by a newer daf_butler.`,
    );
  }
  return text.trim();
}

/** The YYYYMMDD day of a TAI instant, as daf_butler's `int(date.tai.strftime("%Y%m%d"))`. */
function dayObsOfTai(ns: bigint): number {
  const iso = isoTaiFromNs(ns);
  return Number(iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10));
}

function parseExport(source: string, universe: DimensionUniverse): ParsedExport {
  const doc = parseDocument(source, YAML_OPTIONS);
  if (doc.errors.length > 0) {
    throw new ExportFormatError(`The export file is not valid YAML: ${doc.errors[0]!.message}`, { cause: doc.errors[0] });
  }
  let wrapper: RawRecord;
  try {
    wrapper = asRecord(doc.toJS({ maxAliasCount: -1 }), 'export file');
  } catch (e) {
    if (e instanceof ExportFormatError) throw e;
    throw new ExportFormatError(`The export file could not be read: ${(e as Error).message}`, { cause: e });
  }
  const formatVersion = checkVersion(wrapper['version']);
  const universeVersion = typeof wrapper['universe_version'] === 'number' ? wrapper['universe_version'] : 0;
  const universeNamespace = typeof wrapper['universe_namespace'] === 'string' ? wrapper['universe_namespace'] : 'daf_butler';
  const ours = universeNamespace === 'daf_butler';
  const old = ours && universeVersion < universe.version;
  const visit = universe.has('visit') ? universe.getElement('visit') : undefined;
  const exposure = universe.has('exposure') ? universe.getElement('exposure') : undefined;
  const hasField = (el: DimensionElement | undefined, f: string): boolean =>
    el !== undefined && (el.implies.includes(f) || el.metadata.some((m) => m.name === f));
  const migrateVisitSystem = ours && universeVersion < 2 && universe.has('visit_system_membership');
  const migrateVisitSeeing = ours && universeVersion < 1 && visit !== undefined && !hasField(visit, 'seeing');
  const migrateGroup = ours && universeVersion < 6 && exposure !== undefined && exposure.implies.includes('group');
  const migrateExposureDayObs = ours && universeVersion < 6 && exposure !== undefined && exposure.implies.includes('day_obs');
  const migrateVisitDayObs = ours && universeVersion < 6 && visit !== undefined && visit.implies.includes('day_obs');
  const migrateAddVisitDayObs = ours && universeVersion < 1 && hasField(visit, 'day_obs');

  const out: ParsedExport = {
    formatVersion,
    universeVersion,
    universeNamespace,
    records: new Map(),
    runs: new Map(),
    collections: new Map(),
    chains: new Map(),
    docs: new Map(),
    datasetTypes: new Map(),
    datasetBlocks: [],
    tagAssociations: new Map(),
    calibAssociations: new Map(),
    warnings: [],
    migrateVisitSystem,
  };
  const recordsOf = (element: string): RawRecord[] => {
    let list = out.records.get(element);
    if (list === undefined) {
      list = [];
      out.records.set(element, list);
    }
    return list;
  };
  const dayObsIds = new Map<string, { instrument: string; id: number }>();
  const groupIds = new Set<string>();
  const data = asList(wrapper['data'] ?? [], "the export file's 'data'");
  data.forEach((itemRaw, index) => {
    const item = asRecord(itemRaw, `data[${index}]`);
    const type = item['type'];
    const where = `data[${index}] (type ${describe(type)})`;
    switch (type) {
      case 'dimension': {
        const elementName = asString(item['element'], `${where}.element`);
        if (!universe.has(elementName)) {
          throw new ExportFormatError(`${where}: element '${elementName}' is not in this repository's dimension universe (version ${universe.version}).`);
        }
        const records = asList(item['records'] ?? [], `${where}.records`).map((r, i) => ({ ...asRecord(r, `${where}.records[${i}]`) }));
        if (elementName === 'visit') {
          for (const r of records) {
            if (migrateVisitSystem && 'visit_system' in r) {
              const vs = r['visit_system'];
              delete r['visit_system'];
              if (vs !== null && vs !== undefined) {
                recordsOf('visit_system_membership').push({ instrument: r['instrument'], visit_system: vs, visit: r['id'] });
              }
            }
            if (migrateVisitSeeing) delete r['seeing'];
            if (migrateAddVisitDayObs && (r['day_obs'] === undefined || r['day_obs'] === null)) {
              const begin = timeBound(r['datetime_begin'], `${where}: visit ${describe(r['id'])} datetime_begin`);
              if (begin === null) {
                throw new ExportFormatError(`${where}: visit ${describe(r['id'])} has no day_obs and no datetime_begin to derive it from.`);
              }
              // daf_butler subtracts the instrument's day_obs offset, found through the instrument
              // class; that class cannot be loaded here, so (like daf_butler when the import
              // fails) no offset is applied.
              r['day_obs'] = dayObsOfTai(begin);
            }
            if (migrateVisitDayObs && typeof r['day_obs'] === 'number') {
              dayObsIds.set(`${String(r['instrument'])}\u0000${r['day_obs']}`, { instrument: String(r['instrument']), id: r['day_obs'] });
            }
          }
        }
        if (elementName === 'exposure') {
          for (const r of records) {
            if (migrateGroup) {
              if ('group_name' in r) {
                r['group'] = r['group_name'];
                delete r['group_name'];
              }
              delete r['group_id'];
              if (r['group'] !== undefined && r['group'] !== null) {
                const key = `${String(r['instrument'])}\u0000${String(r['group'])}`;
                if (!groupIds.has(key)) {
                  groupIds.add(key);
                  recordsOf('group').push({ instrument: r['instrument'], name: String(r['group']) });
                }
              }
            }
            if (migrateExposureDayObs && typeof r['day_obs'] === 'number') {
              dayObsIds.set(`${String(r['instrument'])}\u0000${r['day_obs']}`, { instrument: String(r['instrument']), id: r['day_obs'] });
            }
          }
        }
        recordsOf(elementName).push(...records);
        break;
      }
      case 'collection': {
        const name = asString(item['name'], `${where}.name`);
        const ctype = parseCollectionType(asString(item['collection_type'], `${where}.collection_type`));
        if (ctype === undefined) throw new ExportFormatError(`${where}: unknown collection_type ${describe(item['collection_type'])}.`);
        if (ctype === CollectionType.RUN) {
          out.runs.set(name, typeof item['host'] === 'string' ? item['host'] : null);
        } else if (ctype === CollectionType.CHAINED) {
          const children = asList(item['children'] ?? [], `${where}.children`).map((c, i) => {
            if (typeof c === 'string') return c;
            // Old form with dataset type restrictions: [name, restriction].
            if (Array.isArray(c) && typeof c[0] === 'string') {
              out.warnings.push(
                `CHAINED collection ${name} includes restrictions on child collection searches, which are no longer supported and will be ignored.`,
              );
              return c[0];
            }
            throw new ExportFormatError(`${where}.children[${i}]: expected a collection name; got ${describe(c)}.`);
          });
          out.chains.set(name, children);
        } else {
          out.collections.set(name, ctype);
        }
        if (typeof item['doc'] === 'string') out.docs.set(name, item['doc']);
        break;
      }
      case 'run':
        out.runs.set(asString(item['name'], `${where}.name`), null);
        break;
      case 'dataset_type': {
        const name = asString(item['name'], `${where}.name`);
        let dims = asList(item['dimensions'] ?? [], `${where}.dimensions`).map((d) => asString(d, `${where}.dimensions`));
        if (migrateVisitSystem && dims.includes('visit') && dims.includes('visit_system')) dims = dims.filter((d) => d !== 'visit_system');
        try {
          out.datasetTypes.set(
            name,
            new DatasetType(name, dims, asString(item['storage_class'], `${where}.storage_class`), {
              universe,
              isCalibration: item['is_calibration'] === true,
            }),
          );
        } catch (e) {
          if (e instanceof ExportFormatError) throw e;
          throw new ExportFormatError(`${where}: dataset type '${name}' is not valid here: ${(e as Error).message}`, { cause: e });
        }
        break;
      }
      case 'dataset':
        out.datasetBlocks.push({
          datasetType: asString(item['dataset_type'], `${where}.dataset_type`),
          run: asString(item['run'], `${where}.run`),
          records: asList(item['records'] ?? [], `${where}.records`).map((r, i) => asRecord(r, `${where}.records[${i}]`)),
          where,
        });
        break;
      case 'associations': {
        const collection = asString(item['collection'], `${where}.collection`);
        const ctype = parseCollectionType(asString(item['collection_type'], `${where}.collection_type`));
        if (ctype === CollectionType.TAGGED) {
          const list = out.tagAssociations.get(collection) ?? [];
          list.push(...asList(item['dataset_ids'] ?? [], `${where}.dataset_ids`));
          out.tagAssociations.set(collection, list);
        } else if (ctype === CollectionType.CALIBRATION) {
          const list = out.calibAssociations.get(collection) ?? [];
          asList(item['validity_ranges'] ?? [], `${where}.validity_ranges`).forEach((vRaw, i) => {
            const v = asRecord(vRaw, `${where}.validity_ranges[${i}]`);
            let timespan: Timespan;
            if ('timespan' in v) {
              if (!(v['timespan'] instanceof Timespan)) {
                throw new ExportFormatError(`${where}.validity_ranges[${i}].timespan: expected a !lsst.daf.butler.Timespan; got ${describe(v['timespan'])}.`);
              }
              timespan = v['timespan'];
            } else {
              // Backward compatibility: separate begin/end.
              timespan = new Timespan(timeBound(v['begin'], `${where} begin`), timeBound(v['end'], `${where} end`));
            }
            list.push({ timespan, ids: asList(v['dataset_ids'] ?? [], `${where}.validity_ranges[${i}].dataset_ids`) });
          });
          out.calibAssociations.set(collection, list);
        } else {
          throw new ExportFormatError(`${where}: unexpected collection type for associations: ${describe(item['collection_type'])}.`);
        }
        break;
      }
      default:
        throw new ExportFormatError(`${where}: unexpected item type ${describe(type)}.`, {
          hint: 'Known types: dimension, collection, run, dataset_type, dataset, associations.',
        });
    }
  });
  if (dayObsIds.size > 0) {
    const list = recordsOf('day_obs');
    const existing = new Set(list.map((r) => `${String(r['instrument'])}\u0000${String(r['id'])}`));
    const instruments = new Set<string>();
    for (const [key, { instrument, id }] of dayObsIds) {
      if (existing.has(key)) continue;
      list.push({ instrument, id, timespan: null });
      instruments.add(instrument);
    }
    if (instruments.size > 0) {
      out.warnings.push(
        'Constructing day_obs records with no timespans for visit/exposure records that were exported before day_obs was a dimension. ' +
          `(instrument${instruments.size === 1 ? '' : 's'}: ${[...instruments].join(', ')})`,
      );
    }
  }
  // Convert the raw records into the registry's field values.
  for (const [element, list] of out.records) {
    const el = universe.getElement(element);
    const dropped = new Set<string>();
    for (let i = 0; i < list.length; i++) list[i] = convertRecord(el, list[i]!, old, dropped, element);
    if (dropped.size > 0) {
      out.warnings.push(`Dropped fields that the current universe's '${element}' does not have: ${[...dropped].sort().join(', ')}.`);
    }
  }
  return out;
}

/** Turns one exported record into field values of the current universe (old fields dropped when `old`). */
function convertRecord(el: DimensionElement, raw: RawRecord, old: boolean, dropped: Set<string>, where: string): RawRecord {
  const known = new Set(el.recordFieldNames);
  const out: RawRecord = {};
  const r = { ...raw };
  if (el instanceof Dimension && el.name in r && !known.has(el.name)) {
    // daf_butler accepts the dimension name as an alias of the primary key (`instrument: Cam1`).
    const key = el.primaryKey.name;
    if (!(key in r)) r[key] = r[el.name];
    delete r[el.name];
  }
  if (el.isTemporal) {
    if (r['timespan'] instanceof Timespan || r['timespan'] === null) {
      out['timespan'] = r['timespan'];
    } else if ('datetime_begin' in r || 'datetime_end' in r) {
      out['timespan'] = new Timespan(timeBound(r['datetime_begin'], `${where}.datetime_begin`), timeBound(r['datetime_end'], `${where}.datetime_end`));
    }
  }
  delete r['timespan'];
  delete r['datetime_begin'];
  delete r['datetime_end'];
  if (el.isSpatial && 'region' in r) {
    const region = r['region'];
    if (region === null || region === undefined) out['region'] = null;
    else if (typeof region === 'string') out['region'] = regionFromHex(region);
    else if (region instanceof Uint8Array) out['region'] = decodeRegion(region);
    else out['region'] = region;
  }
  delete r['region'];
  for (const [k, v] of Object.entries(r)) {
    if (!known.has(k)) {
      if (old) {
        dropped.add(k);
        continue;
      }
      throw new ExportFormatError(`Invalid field '${k}' for a '${el.name}' dimension record (fields: ${[...known].join(', ')}).`, {
        hint: 'The export was written with the same dimension universe version as this repository; it should not have extra fields.',
      });
    }
    out[k] = v instanceof TaiTime ? v.ns : v instanceof Date ? taiNsFromDate(v) : v;
  }
  return out;
}

/** A UUID for an integer dataset ID of an old export, as daf_butler's `_RefMapper` (uuid3). */
function uuid3(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const b = createHash('md5').update(ns).update(name, 'utf8').digest();
  b[6] = (b[6]! & 0x0f) | 0x30;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function datasetIdOf(v: unknown, where: string): string {
  if (typeof v === 'number' && Number.isInteger(v)) return uuid3(INT_ID_NAMESPACE, String(v));
  if (typeof v === 'string') {
    const id = normalizeUuid(v);
    if (id !== undefined) return id;
  }
  throw new ExportFormatError(`${where}: dataset_id ${describe(v)} is neither a UUID nor an integer.`);
}

async function stage<T>(name: string, done: readonly string[], fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const soFar = done.length > 0 ? ` Already written: ${done.join('; ')}.` : ' Nothing was written before this step.';
    throw new ExportFormatError(`Import failed while ${name}: ${(e as Error).message}.${soFar}`, {
      cause: e,
      hint: 'Steps are committed one by one; fix the cause and import again (existing records and identical datasets are skipped).',
    });
  }
}

/**
 * Imports a Butler export file (the YAML of `butler export` / `Butler.export`) into a registry:
 * dimension records, RUN/TAGGED/CALIBRATION/CHAINED collections, dataset types, datasets (with
 * their UUIDs) and collection memberships. Files from older dimension universes are converted
 * as daf_butler converts them: fields the current universe lacks are dropped (visit `seeing`),
 * `datetime_begin`/`datetime_end` become timespans, visit `visit_system` becomes
 * `visit_system_membership` records, exposure `group_name` becomes `group` records, missing
 * visit `day_obs` values are derived from `datetime_begin` (TAI date), and `day_obs` records are
 * made for the days that exposures and visits name (with no timespan, since the instrument's
 * day offset is not known here).
 *
 * The whole file is read and checked before anything is written. Writes happen in this order,
 * each step through the registry's own transactions: dimension records (existing ones are
 * skipped), RUN and other collections, dataset types, datasets (`importDatasets`), TAGGED and
 * CALIBRATION memberships (`associate`, `certify`), then CHAINED collections. A failure names the
 * step and what was already written.
 *
 * @param registry - the registry to write into
 * @param source - the YAML text
 * @param options - `skipDimensions`: elements whose records are not inserted
 * @returns what was read and written
 * @throws ExportFormatError for unreadable files, unsupported versions (another major version or
 *   a newer minor version than 1.0), unknown items, or a failed step (with the registry's error as `cause`)
 * @example
 * ```ts
 * const summary = await importYaml(registry, readFileSync('export.yaml', 'utf8'));
 * summary.datasets; // number of datasets imported
 * ```
 * @see lsst.daf.butler.transfers.YamlRepoImportBackend
 */
export async function importYaml(registry: Registry, source: string, options: ImportYamlOptions = {}): Promise<ImportSummary> {
  const universe = registry.universe;
  const parsed = parseExport(source, universe);
  const done: string[] = [];

  // Resolve dataset types and refs before writing anything, so bad files fail early.
  const typeOf = async (name: string): Promise<DatasetType> => {
    const t = parsed.datasetTypes.get(name);
    if (t !== undefined) return t;
    return stage(`looking up dataset type '${name}' (not defined in the file)`, done, () => registry.getDatasetType(name));
  };
  const groups = new Map<string, { refs: DatasetRef[]; files: { path: string | null; formatter: string | null; start: number; stop: number }[] }>();
  const allIds: string[] = [];
  for (const block of parsed.datasetBlocks) {
    const datasetType = await typeOf(block.datasetType);
    const key = `${block.datasetType}\u0000${block.run}`;
    let g = groups.get(key);
    if (g === undefined) {
      g = { refs: [], files: [] };
      groups.set(key, g);
    }
    block.records.forEach((rec, i) => {
      const where = `${block.where}.records[${i}]`;
      const ids = Array.isArray(rec['dataset_id']) ? rec['dataset_id'] : [rec['dataset_id']];
      const dataIds = Array.isArray(rec['data_id']) ? rec['data_id'] : [rec['data_id']];
      if (ids.length !== dataIds.length) {
        throw new ExportFormatError(`${where}: ${ids.length} dataset_id values but ${dataIds.length} data_id values.`);
      }
      const start = g.refs.length;
      ids.forEach((rawId, j) => {
        const id = datasetIdOf(rawId, where);
        let dataId: DataCoordinate;
        try {
          dataId = DataCoordinate.standardize(asRecord(dataIds[j], `${where}.data_id`) as DataId, {
            universe,
            dimensions: datasetType.dimensions,
            allowExtra: parsed.migrateVisitSystem,
          });
        } catch (e) {
          throw new ExportFormatError(`${where}: data ID does not fit dataset type '${datasetType.name}': ${(e as Error).message}`, { cause: e });
        }
        g.refs.push(new DatasetRef(datasetType, dataId, block.run, id));
        allIds.push(id);
      });
      g.files.push({
        path: typeof rec['path'] === 'string' ? rec['path'] : null,
        formatter: typeof rec['formatter'] === 'string' ? rec['formatter'] : null,
        start,
        stop: g.refs.length,
      });
    });
  }
  const refsByFileId = new Map<string, DatasetRef>();
  const resolveId = (raw: unknown, where: string): DatasetRef => {
    const id = datasetIdOf(raw, where);
    const ref = refsByFileId.get(id);
    if (ref === undefined) throw new ExportFormatError(`${where}: dataset ${id} is not one of the datasets in this export file.`);
    return ref;
  };

  // 1. Dimension records, in universe order.
  const counts: Record<string, number> = {};
  const elements = universe.sortNames(parsed.records.keys());
  for (const element of elements) {
    if (options.skipDimensions?.has(element)) continue;
    const el = universe.getElement(element);
    if (!el.hasTable) continue;
    const records = parsed.records.get(element)!;
    if (records.length === 0) continue;
    await stage(`inserting ${records.length} '${element}' dimension records`, done, () =>
      registry.insertDimensionData(element, records as DimensionRecordInput[], { skipExisting: true }),
    );
    counts[element] = records.length;
    done.push(`${records.length} ${element} records`);
  }
  // 2. Runs and TAGGED/CALIBRATION collections.
  for (const [run] of parsed.runs) {
    await stage(`registering RUN collection '${run}'`, done, () => registry.registerRun(run, parsed.docs.get(run)));
  }
  if (parsed.runs.size > 0) done.push(`runs ${[...parsed.runs.keys()].join(', ')}`);
  for (const [name, type] of parsed.collections) {
    await stage(`registering ${collectionTypeName(type)} collection '${name}'`, done, () => registry.registerCollection(name, type, parsed.docs.get(name)));
  }
  if (parsed.collections.size > 0) done.push(`collections ${[...parsed.collections.keys()].join(', ')}`);
  // 3. Dataset types.
  for (const t of parsed.datasetTypes.values()) {
    await stage(`registering dataset type ${t.toString()}`, done, () => registry.registerDatasetType(t));
  }
  if (parsed.datasetTypes.size > 0) done.push(`dataset types ${[...parsed.datasetTypes.keys()].join(', ')}`);
  // 4. Datasets.
  const fileDatasets: ImportedFileDataset[] = [];
  let nDatasets = 0;
  for (const [key, g] of groups) {
    const [typeName, run] = key.split('\u0000') as [string, string];
    const resolved = await stage(`importing ${g.refs.length} '${typeName}' datasets into RUN '${run}'`, done, () => registry.importDatasets(g.refs));
    if (resolved.length !== g.refs.length) {
      throw new ExportFormatError(`Import failed while importing '${typeName}' datasets: the registry returned ${resolved.length} refs for ${g.refs.length}.`);
    }
    g.refs.forEach((ref, i) => refsByFileId.set(ref.id, resolved[i]!));
    for (const f of g.files) fileDatasets.push({ path: f.path, formatter: f.formatter, refs: resolved.slice(f.start, f.stop) });
    nDatasets += resolved.length;
    done.push(`${resolved.length} ${typeName} datasets in ${run}`);
  }
  // 5. Memberships.
  let nTag = 0;
  for (const [collection, ids] of parsed.tagAssociations) {
    const refs = ids.map((id, i) => resolveId(id, `associations of '${collection}'[${i}]`));
    await stage(`associating ${refs.length} datasets with TAGGED collection '${collection}'`, done, () => registry.associate(collection, refs));
    nTag += refs.length;
    done.push(`${refs.length} datasets tagged in ${collection}`);
  }
  let nCalib = 0;
  for (const [collection, ranges] of parsed.calibAssociations) {
    for (const { timespan, ids } of ranges) {
      const refs = ids.map((id, i) => resolveId(id, `validity range of '${collection}'[${i}]`));
      await stage(`certifying ${refs.length} datasets in CALIBRATION collection '${collection}'`, done, () => registry.certify(collection, refs, timespan));
      nCalib += refs.length;
    }
    done.push(`certifications in ${collection}`);
  }
  // 6. Chains (all registered first, so chains may contain chains).
  for (const [chain] of parsed.chains) {
    await stage(`registering CHAINED collection '${chain}'`, done, () => registry.registerCollection(chain, CollectionType.CHAINED, parsed.docs.get(chain)));
  }
  for (const [chain, children] of parsed.chains) {
    await stage(`defining CHAINED collection '${chain}' as [${children.join(', ')}]`, done, () => registry.setCollectionChain(chain, children));
    done.push(`chain ${chain}`);
  }
  void allIds;
  return {
    formatVersion: parsed.formatVersion,
    universeVersion: parsed.universeVersion,
    universeNamespace: parsed.universeNamespace,
    dimensionRecords: counts,
    runs: [...parsed.runs.keys()],
    collections: [...parsed.collections.keys()],
    chains: [...parsed.chains.keys()],
    datasetTypes: [...parsed.datasetTypes.keys()],
    fileDatasets,
    datasets: nDatasets,
    tagAssociations: nTag,
    calibAssociations: nCalib,
    warnings: parsed.warnings,
  };
}

// ---------------------------------------------------------------------------------------------
// Export

/** What {@link exportYaml} writes. */
export interface ExportSelection {
  /** Datasets to export, with their dataset types, RUN collections and dimension records. */
  readonly datasets?: readonly DatasetRef[];
  /** Data IDs whose dimension records are exported (as `saveDataIds`). */
  readonly dataIds?: readonly DataCoordinate[];
  /** Collections to export (RUN, TAGGED, CALIBRATION, CHAINED); memberships of exported datasets in them are written too. */
  readonly collections?: readonly string[];
  /** Export dimension records of only these elements (default: every element the data IDs need). */
  readonly elements?: readonly string[];
}

/** Options of {@link exportYaml}. */
export interface ExportYamlOptions {
  /** The path of a dataset's file relative to the export directory (omitted when undefined). */
  readonly pathOf?: (ref: DatasetRef) => string | undefined;
  /** The formatter class name of a dataset's file (omitted when undefined). */
  readonly formatterOf?: (ref: DatasetRef) => string | undefined;
}

function yamlValue(v: RecordValue | undefined): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v);
  if (v instanceof Timespan) return new TaggedTimespan(v);
  if (typeof v === 'object') return new TaggedRegion(v as Region);
  return v;
}

function recordToYaml(record: DimensionRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record.fields)) {
    if (k === 'timespan') {
      // toDict(splitTimespan=True): a null timespan is left out.
      if (v instanceof Timespan) {
        const b = v.begin;
        const e = v.end;
        out['datetime_begin'] = typeof b === 'bigint' ? new TaiTime(b) : null;
        out['datetime_end'] = typeof e === 'bigint' ? new TaiTime(e) : null;
      }
      continue;
    }
    if (k === 'region') {
      out[k] = v === null ? null : new TaggedRegion(v as Region);
      continue;
    }
    out[k] = yamlValue(v);
  }
  return out;
}

/**
 * Writes registry content in daf_butler's export format (version 1.0.2, with this registry's
 * universe version and namespace), so that importing it into an empty repository (with
 * {@link importYaml} or daf_butler's `butler import`) gives the same query results. Writes, in
 * daf_butler's order: the dimension records the datasets and data IDs need (every element of
 * their dimensions, so a visit brings its instrument, physical_filter and day_obs records), the
 * collections (the datasets' RUNs first, then TAGGED and CALIBRATION, then CHAINED ones after
 * their children), each dataset type with its datasets per RUN, and the TAGGED and CALIBRATION
 * memberships of the exported datasets in the exported collections.
 *
 * @param registry - the registry to read
 * @param what - datasets, data IDs, collections and (optionally) the elements to restrict records to
 * @param options - `pathOf` and `formatterOf` for the datasets' file entries
 * @returns the YAML text
 * @throws the registry's errors (unknown collections, data IDs without records)
 * @example
 * ```ts
 * const refs = await registry.queryDatasets('calexp', { collections: 'HSC/runs/RC2' }).toArray();
 * writeFileSync('export.yaml', await exportYaml(registry, { datasets: refs }));
 * ```
 * @see lsst.daf.butler.transfers.YamlRepoExportBackend
 * @see lsst.daf.butler.transfers.RepoExportContext
 */
export async function exportYaml(registry: Registry, what: ExportSelection, options: ExportYamlOptions = {}): Promise<string> {
  const universe = registry.universe;
  const datasets = what.datasets ?? [];
  const onlyElements = what.elements !== undefined ? new Set(what.elements) : undefined;
  // Dimension records.
  const records = new Map<string, Map<string, DimensionRecord>>();
  const addDataId = async (dataId: DataCoordinate): Promise<void> => {
    if (dataId.dimensions.isEmpty) return;
    const expanded = dataId.hasRecords() ? dataId : await registry.expandDataId(dataId);
    for (const element of expanded.dimensions.elements) {
      const el = universe.getElement(element);
      if (!el.hasTable || (onlyElements !== undefined && !onlyElements.has(element))) continue;
      const rec = expanded.records.get(element);
      if (rec === null || rec === undefined) continue;
      let m = records.get(element);
      if (m === undefined) {
        m = new Map();
        records.set(element, m);
      }
      m.set(rec.dataId.key, rec);
    }
  };
  const seen = new Set<string>();
  for (const d of [...datasets.map((r) => r.dataId), ...(what.dataIds ?? [])]) {
    const key = `${d.dimensions.names.join(',')}|${d.key}`;
    if (seen.has(key)) continue;
    seen.add(key);
    await addDataId(d);
  }
  const data: Record<string, unknown>[] = [];
  for (const element of universe.sortNames(records.keys())) {
    const list = [...records.get(element)!.values()];
    data.push({ type: 'dimension', element, records: list.map(recordToYaml) });
  }
  // Collections: RUNs, then TAGGED/CALIBRATION, then CHAINED after their children.
  const types = new Map<string, CollectionType>();
  for (const ref of datasets) types.set(ref.run, CollectionType.RUN);
  for (const c of what.collections ?? []) types.set(c, await registry.getCollectionType(c));
  const chainChildren = new Map<string, string[]>();
  for (const [c, t] of types) if (t === CollectionType.CHAINED) chainChildren.set(c, await registry.getCollectionChain(c));
  const ordered: string[] = [];
  for (const [c, t] of types) if (t === CollectionType.RUN) ordered.push(c);
  for (const [c, t] of types) if (t === CollectionType.TAGGED || t === CollectionType.CALIBRATION) ordered.push(c);
  const placed = new Set(ordered);
  const placeChain = (c: string, path: readonly string[]): void => {
    if (placed.has(c) || path.includes(c)) return;
    for (const child of chainChildren.get(c) ?? []) if (chainChildren.has(child)) placeChain(child, [...path, c]);
    placed.add(c);
    ordered.push(c);
  };
  for (const c of chainChildren.keys()) placeChain(c, []);
  for (const name of ordered) {
    const type = types.get(name)!;
    const item: Record<string, unknown> = { type: 'collection', collection_type: collectionTypeName(type), name };
    const doc = await registry.getCollectionDocumentation(name);
    if (doc !== null && doc !== undefined) item['doc'] = doc;
    if (type === CollectionType.RUN) {
      item['host'] = null;
      item['timespan_begin'] = null;
      item['timespan_end'] = null;
    } else if (type === CollectionType.CHAINED) {
      item['children'] = chainChildren.get(name) ?? [];
    }
    data.push(item);
  }
  // Dataset types and datasets, sorted by type name then run.
  const byType = new Map<string, { type: DatasetType; runs: Map<string, DatasetRef[]> }>();
  const exportedIds = new Set<string>();
  for (const ref of datasets) {
    if (exportedIds.has(ref.id)) continue;
    exportedIds.add(ref.id);
    const type = ref.datasetType.isComponent() ? ref.datasetType.makeCompositeDatasetType() : ref.datasetType;
    let entry = byType.get(type.name);
    if (entry === undefined) {
      entry = { type, runs: new Map() };
      byType.set(type.name, entry);
    }
    const list = entry.runs.get(ref.run) ?? [];
    list.push(ref);
    entry.runs.set(ref.run, list);
  }
  for (const name of [...byType.keys()].sort()) {
    const { type, runs } = byType.get(name)!;
    data.push({
      type: 'dataset_type',
      name: type.name,
      dimensions: [...type.dimensions.names],
      storage_class: type.storageClass,
      is_calibration: type.isCalibration,
    });
    for (const run of [...runs.keys()].sort()) {
      data.push({
        type: 'dataset',
        dataset_type: type.name,
        run,
        records: runs.get(run)!.map((ref) => {
          const rec: Record<string, unknown> = {
            dataset_id: [new TaggedUuid(ref.id)],
            data_id: [{ ...ref.dataId.required }],
          };
          const path = options.pathOf?.(ref);
          if (path !== undefined) rec['path'] = path;
          const formatter = options.formatterOf?.(ref);
          if (formatter !== undefined) rec['formatter'] = formatter;
          return rec;
        }),
      });
    }
  }
  // Memberships of exported datasets in exported TAGGED/CALIBRATION collections.
  const assocCollections = ordered.filter((c) => types.get(c) === CollectionType.TAGGED || types.get(c) === CollectionType.CALIBRATION);
  for (const collection of assocCollections) {
    const tagged: string[] = [];
    const byTimespan = new Map<string, { timespan: Timespan; ids: string[] }>();
    for (const name of [...byType.keys()].sort()) {
      const assocs = await registry.queryDatasetAssociations(name, { collections: [collection] });
      for (const a of assocs) {
        if (a.collection !== collection || !exportedIds.has(a.ref.id)) continue;
        if (a.timespan === null) tagged.push(a.ref.id);
        else {
          const key = `${a.timespan.beginNs}:${a.timespan.endNs}`;
          const entry = byTimespan.get(key) ?? { timespan: a.timespan, ids: [] };
          entry.ids.push(a.ref.id);
          byTimespan.set(key, entry);
        }
      }
    }
    if (types.get(collection) === CollectionType.TAGGED) {
      data.push({ type: 'associations', collection, collection_type: 'TAGGED', dataset_ids: tagged.map((id) => new TaggedUuid(id)) });
    } else {
      data.push({
        type: 'associations',
        collection,
        collection_type: 'CALIBRATION',
        validity_ranges: [...byTimespan.values()].map(({ timespan, ids }) => ({
          timespan: new TaggedTimespan(timespan),
          dataset_ids: ids.map((id) => new TaggedUuid(id)),
        })),
      });
    }
  }
  const doc = new Document(
    {
      description: 'Butler Data Repository Export',
      version: EXPORT_FORMAT_VERSION,
      universe_version: universe.version,
      universe_namespace: universe.namespace,
      data,
    },
    YAML_OPTIONS,
  );
  return doc.toString({ lineWidth: 0 });
}
