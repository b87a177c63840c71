import { DataIdError } from '../errors.js';
import { suggest } from '../suggest.js';
import type { DimensionGroup } from './group.js';
import type { DimensionRecord } from './record.js';
import type { DimensionUniverse } from './universe.js';

/** A data ID value: an integer or a string, by the dimension's key type. */
export type DataIdValue = string | number;

/** What callers may pass as a data ID: a plain object of dimension values, or a {@link DataCoordinate}. */
export type DataId = DataCoordinate | Readonly<Record<string, DataIdValue | bigint | null | undefined>>;

/** Options of {@link DataCoordinate.standardize}. */
export interface StandardizeOptions {
  /** The universe (needed unless the data ID is a DataCoordinate or `dimensions` is given). */
  readonly universe?: DimensionUniverse;
  /** The dimensions the result must have; by default, those of the keys given. */
  readonly dimensions?: DimensionGroup | Iterable<string>;
  /** Values used for required dimensions that the data ID lacks (`instrument`, `skymap` defaults). */
  readonly defaults?: Readonly<Record<string, DataIdValue>>;
  /** Ignore keys that are not dimensions of the result instead of failing. */
  readonly allowExtra?: boolean;
}

/**
 * An immutable data ID: values for the required dimensions of a {@link DimensionGroup},
 * optionally the implied ones too (`hasFull()`), and optionally the dimension records of
 * every element (`hasRecords()`, from `registry.expandDataId`).
 *
 * @example
 * ```ts
 * const id = DataCoordinate.standardize({ instrument: 'HSC', visit: 903342, detector: 10 }, { universe });
 * id.get('visit');   // 903342
 * id.dimensions.implied; // ['band', 'physical_filter', 'day_obs']: known once expanded
 * ```
 * @see lsst.daf.butler.DataCoordinate
 */
export class DataCoordinate {
  /** The dimensions of this data ID. */
  readonly dimensions: DimensionGroup;
  readonly #values: ReadonlyMap<string, DataIdValue>;
  readonly #records: ReadonlyMap<string, DimensionRecord | null> | undefined;
  #key: string | undefined;

  private constructor(
    dimensions: DimensionGroup,
    values: ReadonlyMap<string, DataIdValue>,
    records?: ReadonlyMap<string, DimensionRecord | null>,
  ) {
    this.dimensions = dimensions;
    this.#values = values;
    this.#records = records;
  }

  /**
   * Checks and normalises a data ID: unknown keys and missing required values are errors,
   * integer keys given as numeric strings or bigints become numbers.
   *
   * @param dataId - the data ID (plain object or DataCoordinate)
   * @param options - universe, target dimensions, defaults
   * @returns the data coordinate
   * @throws DataIdError naming the missing or unknown key, with a suggestion
   */
  static standardize(dataId: DataId | undefined, options: StandardizeOptions = {}): DataCoordinate {
    const universe =
      options.universe ??
      (dataId instanceof DataCoordinate ? dataId.universe : undefined) ??
      (options.dimensions !== undefined && 'universe' in options.dimensions ? (options.dimensions as DimensionGroup).universe : undefined);
    if (universe === undefined) throw new DataIdError('DataCoordinate.standardize needs a universe or a DimensionGroup.');
    if (dataId instanceof DataCoordinate && (options.dimensions === undefined || universe.conform(options.dimensions) === dataId.dimensions)) {
      return dataId;
    }
    const given = new Map<string, DataIdValue>();
    let records: Map<string, DimensionRecord | null> | undefined;
    if (dataId instanceof DataCoordinate) {
      for (const [k, v] of dataId.#values) given.set(k, v);
      if (dataId.#records) records = new Map(dataId.#records);
    } else if (dataId !== undefined) {
      for (const [k, raw] of Object.entries(dataId)) {
        if (raw === undefined || raw === null) continue;
        if (!universe.has(k) || !universe.getElement(k).isDimension) {
          if (options.allowExtra) continue;
          throw new DataIdError(`'${k}' is not a dimension (data ID ${formatPlain(dataId)}).`, {
            hint: suggest(k, universe.dimensions.map((d) => d.name)),
          });
        }
        given.set(k, normalizeValue(universe, k, raw));
      }
    }
    const group = options.dimensions !== undefined ? universe.conform(options.dimensions) : universe.conform(given.keys());
    if (options.defaults) {
      for (const [k, v] of Object.entries(options.defaults)) if (group.has(k) && !given.has(k)) given.set(k, normalizeValue(universe, k, v));
    }
    const values = new Map<string, DataIdValue>();
    const missing: string[] = [];
    for (const d of group.required) {
      const v = given.get(d);
      if (v === undefined) missing.push(d);
      else values.set(d, v);
    }
    if (missing.length > 0) {
      throw new DataIdError(
        `Data ID ${formatMap(given)} lacks ${missing.map((m) => `'${m}'`).join(', ')}, required for dimensions ${group.toString()}.`,
      );
    }
    for (const d of group.implied) {
      const v = given.get(d);
      if (v !== undefined) values.set(d, v);
    }
    if (options.dimensions === undefined || options.allowExtra || dataId instanceof DataCoordinate) {
      // Keys outside the group are dropped: allowExtra, or a DataCoordinate projected onto a subset.
    } else {
      for (const k of given.keys()) {
        if (!group.has(k)) {
          throw new DataIdError(`Data ID key '${k}' is not one of the dimensions ${group.toString()}.`);
        }
      }
    }
    if (records) for (const k of [...records.keys()]) if (!group.elements.includes(k)) records.delete(k);
    return new DataCoordinate(group, values, records && group.elements.every((e) => records!.has(e)) ? records : undefined);
  }

  /**
   * A data ID from values of the required (and optionally implied) dimensions, trusted
   * (no checks): for rows that come from the registry.
   *
   * @param dimensions - the group
   * @param values - values by dimension name
   * @param records - records by element name, when expanded
   * @returns the data coordinate
   */
  static fromTrusted(
    dimensions: DimensionGroup,
    values: ReadonlyMap<string, DataIdValue>,
    records?: ReadonlyMap<string, DimensionRecord | null>,
  ): DataCoordinate {
    return new DataCoordinate(dimensions, values, records);
  }

  /**
   * The empty data ID.
   *
   * @param universe - the universe
   * @returns a data ID with no dimensions
   */
  static makeEmpty(universe: DimensionUniverse): DataCoordinate {
    return new DataCoordinate(universe.empty, new Map(), new Map());
  }

  /** The universe. */
  get universe(): DimensionUniverse {
    return this.dimensions.universe;
  }

  /**
   * A dimension's value.
   *
   * @param name - dimension name
   * @returns the value, or undefined when not known (an implied value of an unexpanded ID)
   */
  get(name: string): DataIdValue | undefined {
    return this.#values.get(name);
  }

  /** Values of the required dimensions, in order. */
  get required(): Readonly<Record<string, DataIdValue>> {
    const out: Record<string, DataIdValue> = {};
    for (const d of this.dimensions.required) out[d] = this.#values.get(d)!;
    return out;
  }

  /** Every known value (required, and implied where known), in universe order. */
  get mapping(): Readonly<Record<string, DataIdValue>> {
    const out: Record<string, DataIdValue> = {};
    for (const d of this.dimensions.names) {
      const v = this.#values.get(d);
      if (v !== undefined) out[d] = v;
    }
    return out;
  }

  /** The values of the required dimensions, in order. */
  get requiredValues(): readonly DataIdValue[] {
    return this.dimensions.required.map((d) => this.#values.get(d)!);
  }

  /** Whether the implied dimensions' values are known too. */
  hasFull(): boolean {
    return this.dimensions.implied.every((d) => this.#values.has(d));
  }

  /** Whether the records of every element are attached. */
  hasRecords(): boolean {
    return this.#records !== undefined;
  }

  /** Records by element name (empty map when not expanded; null where an element has no record). */
  get records(): ReadonlyMap<string, DimensionRecord | null> {
    return this.#records ?? new Map();
  }

  /**
   * This data ID with records (and the implied values they give) attached.
   *
   * @param records - a record (or null) for every element of the group
   * @param implied - implied values, when known
   * @returns a new data coordinate
   */
  expanded(records: ReadonlyMap<string, DimensionRecord | null>, implied?: ReadonlyMap<string, DataIdValue>): DataCoordinate {
    const values = new Map(this.#values);
    if (implied) for (const [k, v] of implied) values.set(k, v);
    return new DataCoordinate(this.dimensions, values, records);
  }

  /**
   * The data ID restricted to a subset of its dimensions.
   *
   * @param dimensions - a subset of this ID's dimensions
   * @returns the projected data ID
   * @throws DataIdError when a required value of the subset is unknown here
   */
  subset(dimensions: DimensionGroup | Iterable<string>): DataCoordinate {
    const group = this.universe.conform(dimensions);
    if (group === this.dimensions) return this;
    const values = new Map<string, DataIdValue>();
    for (const d of group.names) {
      const v = this.#values.get(d);
      if (v !== undefined) values.set(d, v);
      else if (group.required.includes(d)) {
        throw new DataIdError(`Data ID ${this.toString()} has no value for '${d}', needed for ${group.toString()}.`);
      }
    }
    let records: Map<string, DimensionRecord | null> | undefined;
    if (this.#records) {
      records = new Map();
      for (const e of group.elements) records.set(e, this.#records.get(e) ?? null);
    }
    return new DataCoordinate(group, values, records);
  }

  /**
   * A key that is equal for equal data IDs (required values only): for maps and sets.
   */
  get key(): string {
    this.#key ??= this.dimensions.required.map((d) => `${d}=${String(this.#values.get(d))}`).join(',');
    return this.#key;
  }

  /**
   * Whether two data IDs have the same dimensions and required values.
   *
   * @param other - another data ID
   * @returns true when equal
   */
  equals(other: DataCoordinate): boolean {
    return this.dimensions === other.dimensions && this.key === other.key;
  }

  /** `{instrument: 'HSC', detector: 10, visit: 903342, ...}` as daf_butler prints data IDs. */
  toString(): string {
    return formatMap(new Map(Object.entries(this.mapping)));
  }

  /** Known values as a plain object. */
  toJSON(): Record<string, DataIdValue> {
    return { ...this.mapping };
  }
}

function normalizeValue(universe: DimensionUniverse, name: string, raw: unknown): DataIdValue {
  const dim = universe.getDimension(name);
  const type = dim.keys[0]!.type;
  if (type === 'int') {
    if (typeof raw === 'number' && Number.isSafeInteger(raw)) return raw;
    if (typeof raw === 'bigint' && raw <= BigInt(Number.MAX_SAFE_INTEGER) && raw >= BigInt(Number.MIN_SAFE_INTEGER)) return Number(raw);
    if (typeof raw === 'string' && /^-?\d+$/.test(raw.trim())) return Number(raw.trim());
    throw new DataIdError(`Data ID value for '${name}' must be an integer; got ${JSON.stringify(String(raw))} (${typeof raw}).`);
  }
  if (typeof raw === 'string') return raw;
  throw new DataIdError(`Data ID value for '${name}' must be a string; got ${String(raw)} (${typeof raw}).`);
}

function formatMap(m: ReadonlyMap<string, unknown>): string {
  return `{${[...m].map(([k, v]) => `${k}: ${typeof v === 'string' ? `'${v}'` : String(v)}`).join(', ')}}`;
}

function formatPlain(o: Readonly<Record<string, unknown>>): string {
  return formatMap(new Map(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)));
}
