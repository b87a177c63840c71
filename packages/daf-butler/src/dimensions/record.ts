import type { Region } from '@skystack/geom';
import type { Timespan } from '../time/timespan.js';
import { DataCoordinate } from './data-coordinate.js';
import type { DimensionElement } from './universe.js';

/** A value a dimension record field can hold. */
export type RecordValue = string | number | boolean | bigint | Uint8Array | Region | Timespan | null;

/**
 * One row of a dimension element's table: its key values, implied dimension values,
 * metadata, and `region`/`timespan` where the element has them. Immutable.
 *
 * Field names are daf_butler's: a dimension's own primary key is under its key name
 * (`visit` records have `id` and `name`), other dimensions under their dimension names
 * (`instrument`, `physical_filter`).
 *
 * @example
 * ```ts
 * const rec = dataId.records.get('visit');
 * rec?.get('exposure_time'); // 30
 * rec?.dataId.toString();    // {instrument: 'HSC', visit: 903342}
 * ```
 * @see lsst.daf.butler.DimensionRecord
 */
export class DimensionRecord {
  /** The element this record belongs to. */
  readonly definition: DimensionElement;
  /** Every field, by name. */
  readonly fields: Readonly<Record<string, RecordValue>>;
  #dataId: DataCoordinate | undefined;

  /**
   * Makes a record; fields not given are null.
   *
   * @param definition - the element
   * @param fields - field values by name
   */
  constructor(definition: DimensionElement, fields: Readonly<Record<string, RecordValue | undefined>>) {
    this.definition = definition;
    const out: Record<string, RecordValue> = {};
    for (const name of definition.recordFieldNames) out[name] = fields[name] ?? null;
    if (definition.isSpatial) out['region'] = fields['region'] ?? null;
    if (definition.isTemporal) out['timespan'] = fields['timespan'] ?? null;
    this.fields = Object.freeze(out);
  }

  /**
   * One field's value.
   *
   * @param name - field name
   * @returns the value (null when not set)
   */
  get(name: string): RecordValue {
    return this.fields[name] ?? null;
  }

  /** The record's region, if the element is spatial. */
  get region(): Region | null {
    return (this.fields['region'] as Region | undefined) ?? null;
  }

  /** The record's timespan, if the element is temporal. */
  get timespan(): Timespan | null {
    return (this.fields['timespan'] as Timespan | undefined) ?? null;
  }

  /** The data ID of the required dimensions this record identifies. */
  get dataId(): DataCoordinate {
    if (this.#dataId === undefined) {
      const el = this.definition;
      const values: Record<string, string | number> = {};
      for (const d of el.required) {
        const v = d === el.name ? this.fields[keyNameOf(el)] : this.fields[d];
        values[d] = v as string | number;
      }
      this.#dataId = DataCoordinate.standardize(values, { universe: el.universe, dimensions: el.universe.conform(el.required) });
    }
    return this.#dataId;
  }

  /** The record's fields as a plain object (regions and timespans kept as objects). */
  toDict(): Record<string, RecordValue> {
    return { ...this.fields };
  }

  /** `visit(instrument='HSC', id=903342, ...)`-style text. */
  toString(): string {
    const parts = Object.entries(this.fields)
      .filter(([k]) => k !== 'region')
      .map(([k, v]) => `${k}=${typeof v === 'string' ? `'${v}'` : String(v)}`);
    return `${this.definition.name}.RecordClass(${parts.join(', ')})`;
  }
}

/**
 * The record field that holds an element's own primary key (`id`, `name`), or undefined for
 * combination elements.
 *
 * @param el - the element
 * @returns the key field name
 */
export function keyNameOf(el: DimensionElement): string {
  const keys = (el as { keys?: readonly { name: string }[] }).keys;
  return keys?.[0]?.name ?? el.name;
}
