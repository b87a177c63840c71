import { decodeRegion, encodeRegion, HtmPixelization, type Region } from '@skystack/geom';
import { DataIdError } from '../../errors.js';
import { DimensionRecord, keyNameOf, type RecordValue } from '../../dimensions/record.js';
import { Dimension, type DimensionElement, type FieldSpec } from '../../dimensions/universe.js';
import { Timespan } from '../../time/timespan.js';
import type { DimensionRecordInput } from '../registry.js';
import type { SqlRow, SqlValue } from './database.js';
import { columnOfDimension } from './schema.js';

/** Table columns of an element, in DDL order, without region/timespan. */
export function elementColumns(el: DimensionElement): string[] {
  const cols = [...el.requiredDependencies];
  if (el instanceof Dimension) cols.push(...el.keys.map((k) => k.name));
  cols.push(...el.implies, ...el.metadata.map((m) => m.name));
  return cols;
}

function fieldSpecOf(el: DimensionElement, name: string): FieldSpec | undefined {
  if (el instanceof Dimension) {
    const k = el.keys.find((f) => f.name === name);
    if (k) return k;
  }
  return el.metadata.find((f) => f.name === name);
}

function toSqlValue(el: DimensionElement, name: string, v: RecordValue | undefined): SqlValue {
  if (v === undefined || v === null) return null;
  const spec = fieldSpecOf(el, name);
  if (spec?.type === 'bool') return Boolean(v);
  if (spec?.type === 'hash' && typeof v === 'string') return new Uint8Array(Buffer.from(v, 'base64'));
  if (typeof v === 'object' && !(v instanceof Uint8Array)) {
    throw new DataIdError(`Field '${name}' of ${el.name} cannot hold ${String(v)}.`);
  }
  return v as SqlValue;
}

/**
 * Normalises a record given as a plain object or a DimensionRecord into a DimensionRecord,
 * checking that every key is present.
 *
 * @param el - the element
 * @param input - the record
 * @returns the record
 * @throws DataIdError when a key field is missing
 */
export function toRecord(el: DimensionElement, input: DimensionRecordInput): DimensionRecord {
  const rec = input instanceof DimensionRecord ? input : new DimensionRecord(el, input as Record<string, RecordValue>);
  for (const d of el.required) {
    const col = d === el.name ? keyNameOf(el) : d;
    if (rec.fields[col] === null || rec.fields[col] === undefined) {
      throw new DataIdError(`A ${el.name} record needs '${col}'; got ${rec.toString()}.`);
    }
  }
  return rec;
}

/** The values of a record's row, in {@link elementColumns} order, then region, then timespan. */
export function recordToRow(el: DimensionElement, rec: DimensionRecord): SqlValue[] {
  const row = elementColumns(el).map((c) => toSqlValue(el, c, rec.fields[c]));
  if (el.isSpatial) row.push(rec.region ? encodeRegion(rec.region) : null);
  if (el.isTemporal) {
    const ts = rec.timespan;
    row.push(ts ? ts.beginNs : null, ts ? ts.endNs : null);
  }
  return row;
}

/** The insert column list matching {@link recordToRow}. */
export function recordColumns(el: DimensionElement): string[] {
  const cols = elementColumns(el);
  if (el.isSpatial) cols.push('region');
  if (el.isTemporal) cols.push('timespan_begin', 'timespan_end');
  return cols;
}

/**
 * A DimensionRecord from a table row (as returned by SELECT *).
 *
 * @param el - the element
 * @param row - the row
 * @returns the record
 */
export function rowToRecord(el: DimensionElement, row: SqlRow): DimensionRecord {
  const fields: Record<string, RecordValue> = {};
  for (const c of elementColumns(el)) {
    let v = row[c] ?? null;
    const spec = fieldSpecOf(el, c);
    if (spec?.type === 'bool' && v !== null) v = v === true || v === 1 || v === 1n;
    if (spec?.type === 'float' && typeof v === 'bigint') v = Number(v);
    fields[c] = v as RecordValue;
  }
  if (el.isSpatial) {
    const r = row['region'];
    fields['region'] = r instanceof Uint8Array ? decodeRegion(r) : null;
  }
  if (el.isTemporal) {
    const b = row['timespan_begin'];
    const e = row['timespan_end'];
    fields['timespan'] = b === null || b === undefined ? null : Timespan.fromNs(BigInt(b as number | bigint), BigInt(e as number | bigint));
  }
  return new DimensionRecord(el, fields);
}

/** The value of dimension `dim` in a record of `el`. */
export function recordDimensionValue(el: DimensionElement, rec: DimensionRecord, dim: string): RecordValue {
  return rec.fields[columnOfDimension(el, dim)] ?? null;
}

const htmCache = new Map<number, HtmPixelization>();

/**
 * The HTM trixel indices at `level` whose triangles may overlap a region (the envelope,
 * expanded to single indices).
 *
 * @param region - the region
 * @param level - HTM level
 * @returns the indices
 */
export function skypixIndices(region: Region, level: number): number[] {
  let pix = htmCache.get(level);
  if (pix === undefined) {
    pix = new HtmPixelization(level);
    htmCache.set(level, pix);
  }
  const out: number[] = [];
  for (const [a, b] of pix.envelope(region).ranges()) for (let i = a; i < b; i++) out.push(i);
  return out;
}

/**
 * The HTM index ranges at `level` that may overlap a region, as half-open [begin, end) pairs.
 *
 * @param region - the region
 * @param level - HTM level
 * @param maxRanges - coarsen to at most this many ranges (0 = exact)
 * @returns the ranges
 */
export function skypixRanges(region: Region, level: number, maxRanges = 64): Array<[number, number]> {
  let pix = htmCache.get(level);
  if (pix === undefined) {
    pix = new HtmPixelization(level);
    htmCache.set(level, pix);
  }
  return pix.envelope(region, maxRanges).ranges();
}
