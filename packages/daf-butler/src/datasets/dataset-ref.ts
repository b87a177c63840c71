import { createHash, randomBytes } from 'node:crypto';
import type { DataCoordinate } from '../dimensions/data-coordinate.js';
import type { DatasetType } from './dataset-type.js';

/**
 * How new dataset IDs are made.
 * - `UNIQUE`: a random, time-ordered UUID (version 7) for every new dataset.
 * - `DATAID_TYPE`: a name-based UUID (version 5) from the dataset type and data ID, so
 *   ingesting the same raw twice gives the same ID.
 * - `DATAID_TYPE_RUN`: as `DATAID_TYPE`, also including the RUN name.
 *
 * @see lsst.daf.butler.DatasetIdGenEnum
 */
export enum DatasetIdGenEnum {
  /** A new random (time-ordered) UUID for every dataset. */
  UNIQUE = 0,
  /** A name-based UUID from the dataset type and data ID. */
  DATAID_TYPE = 1,
  /** A name-based UUID from the dataset type, the RUN and the data ID. */
  DATAID_TYPE_RUN = 2,
}

/** daf_butler's namespace for name-based dataset IDs: uuid5(NAMESPACE_DNS, "lsst.org"). */
export const DATASET_ID_NAMESPACE = '840b31d9-05cd-5161-b2c8-00d32b280d0f';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Normalises a UUID string (any case, with or without braces/hyphens, `urn:uuid:` prefix)
 * to the canonical lower-case hyphenated form.
 *
 * @param text - the UUID text
 * @returns the canonical form, or undefined when it is not a UUID
 */
export function normalizeUuid(text: string): string | undefined {
  let t = text.trim().toLowerCase();
  if (t.startsWith('urn:uuid:')) t = t.slice(9);
  t = t.replace(/[{}]/g, '');
  const hex = t.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/.test(hex)) return undefined;
  const out = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return UUID_RE.test(out) ? out : undefined;
}

function formatUuid(b: Uint8Array): string {
  const h = Buffer.from(b).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * A name-based UUID (RFC 4122 version 5, SHA-1).
 *
 * @param namespace - namespace UUID
 * @param name - the name (UTF-8)
 * @returns the UUID text
 */
export function uuid5(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const b = new Uint8Array(hash.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  return formatUuid(b);
}

/**
 * A random, time-ordered UUID (RFC 9562 version 7): 48 bits of Unix milliseconds, then
 * random bits, so new IDs cluster at the end of B-tree indexes.
 *
 * @returns the UUID text
 */
export function uuid7(): string {
  const b = new Uint8Array(randomBytes(16));
  const ms = Date.now();
  const hi = Math.floor(ms / 2 ** 16);
  b[0] = (hi >>> 24) & 0xff;
  b[1] = (hi >>> 16) & 0xff;
  b[2] = (hi >>> 8) & 0xff;
  b[3] = hi & 0xff;
  b[4] = (ms >>> 8) & 0xff;
  b[5] = ms & 0xff;
  b[6] = (b[6]! & 0x0f) | 0x70;
  b[8] = (b[8]! & 0x3f) | 0x80;
  return formatUuid(b);
}

/**
 * The ID a new dataset gets under a generation mode: name-based IDs are built from
 * `dataset_type=<name>[,run=<run>],<dimension>=<value>...` over the required dimensions in
 * sorted order, exactly as daf_butler does, so both produce the same IDs.
 *
 * @param datasetType - the dataset type
 * @param dataId - its data ID
 * @param run - the RUN collection
 * @param mode - the generation mode
 * @returns the dataset ID
 */
export function makeDatasetId(datasetType: DatasetType, dataId: DataCoordinate, run: string, mode: DatasetIdGenEnum): string {
  if (mode === DatasetIdGenEnum.UNIQUE) return uuid7();
  const items: [string, string][] = [['dataset_type', datasetType.name]];
  if (mode === DatasetIdGenEnum.DATAID_TYPE_RUN) items.push(['run', run]);
  const req = dataId.required;
  for (const k of Object.keys(req).sort()) items.push([k, String(req[k])]);
  return uuid5(DATASET_ID_NAMESPACE, items.map(([k, v]) => `${k}=${v}`).join(','));
}

/**
 * A resolved reference to one dataset: dataset type, data ID, RUN and UUID. Immutable.
 *
 * @see lsst.daf.butler.DatasetRef
 */
export class DatasetRef {
  /** The dataset type. */
  readonly datasetType: DatasetType;
  /** The data ID. */
  readonly dataId: DataCoordinate;
  /** The RUN collection the dataset belongs to. */
  readonly run: string;
  /** The dataset's UUID. */
  readonly id: string;

  /**
   * Makes a reference.
   *
   * @param datasetType - the dataset type
   * @param dataId - the data ID (its dimensions must be the dataset type's)
   * @param run - the RUN collection
   * @param id - the UUID
   */
  constructor(datasetType: DatasetType, dataId: DataCoordinate, run: string, id: string) {
    this.datasetType = datasetType;
    this.dataId = dataId;
    this.run = run;
    this.id = id;
    Object.freeze(this);
  }

  /**
   * The reference to one component of this dataset (same ID and run).
   *
   * @param component - component name
   * @param storageClass - the component's storage class
   * @returns the component reference
   */
  makeComponentRef(component: string, storageClass: string): DatasetRef {
    return new DatasetRef(this.datasetType.makeComponentDatasetType(component, storageClass), this.dataId, this.run, this.id);
  }

  /** This reference with a data ID that has records attached. */
  expanded(dataId: DataCoordinate): DatasetRef {
    return new DatasetRef(this.datasetType, dataId, this.run, this.id);
  }

  /**
   * Whether two references are the same dataset (same ID and dataset type name).
   *
   * @param other - another reference
   * @returns true when equal
   */
  equals(other: DatasetRef): boolean {
    return this.id === other.id && this.datasetType.name === other.datasetType.name;
  }

  /** `calexp@{instrument: 'HSC', ...} [sc=ExposureF] (run=r id=...)` as daf_butler prints refs. */
  toString(): string {
    return `${this.datasetType.name}@${this.dataId.toString()} [sc=${this.datasetType.storageClass}] (run=${this.run} id=${this.id})`;
  }
}
