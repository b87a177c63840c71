import { TaskMetadataError } from './errors.js';

/** A value one task metadata item holds: a scalar or a list of scalars of one type. */
export type TaskMetadataScalar = string | number | boolean;

/** A possibly nested plain object of metadata values, as {@link TaskMetadata.toDict} gives. */
export interface NestedMetadataDict {
  [key: string]: TaskMetadataScalar | TaskMetadataScalar[] | NestedMetadataDict;
}

/** What {@link TaskMetadata.set} and {@link TaskMetadata.add} accept. */
export type TaskMetadataValue =
  | TaskMetadataScalar
  | readonly TaskMetadataScalar[]
  | TaskMetadata
  | Readonly<Record<string, unknown>>;

/** The JSON form of a {@link TaskMetadata}: pipe_base's pydantic model (`scalars`, `arrays`, `metadata`). */
export interface TaskMetadataJson {
  /** Items holding one value. */
  readonly scalars: Readonly<Record<string, TaskMetadataScalar>>;
  /** Items holding a list of values of one type. */
  readonly arrays: Readonly<Record<string, readonly TaskMetadataScalar[]>>;
  /** Nested metadata. */
  readonly metadata: Readonly<Record<string, TaskMetadataJson>>;
}

type Slot = { kind: 'scalar'; value: TaskMetadataScalar } | { kind: 'array'; value: TaskMetadataScalar[] } | { kind: 'metadata'; value: TaskMetadata };

function isScalar(v: unknown): v is TaskMetadataScalar {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function splitKey(key: string): [string, string | undefined] {
  if (typeof key !== 'string' || key === '') throw new TaskMetadataError(`Invalid key ${JSON.stringify(key)}: only non-empty string keys are allowed.`);
  const i = key.indexOf('.');
  return i < 0 ? [key, undefined] : [key.slice(0, i), key.slice(i + 1)];
}

/**
 * Metadata of a task: a nested dictionary of scalars (string, number, boolean), lists of
 * scalars of one type and nested metadata, addressed by dotted keys (`a.b.c`). Tasks record
 * data-quality numbers and timing (see {@link timeMethod}) here; executors write it as the
 * `<label>_metadata` dataset.
 *
 * `get` of a list returns its last element (as `PropertySet` does); `getArray` always
 * returns a list; `add` appends (turning a scalar into a list).
 *
 * @example
 * ```ts
 * const md = new TaskMetadata();
 * md.set('isr.gain', 1.7);
 * md.add('nStars', 12);
 * md.add('nStars', 15);
 * md.get('nStars');        // 15
 * md.getArray('nStars');   // [12, 15]
 * md.toDict();             // { isr: { gain: 1.7 }, nStars: [12, 15] }
 * ```
 * @see lsst.pipe.base.TaskMetadata
 */
export class TaskMetadata {
  readonly #scalars = new Map<string, TaskMetadataScalar>();
  readonly #arrays = new Map<string, TaskMetadataScalar[]>();
  readonly #metadata = new Map<string, TaskMetadata>();

  /**
   * Makes metadata from a plain, possibly nested object (nested objects become nested metadata).
   *
   * @param d - the object
   * @returns the metadata
   * @throws {@link TaskMetadataError} for values of other types
   * @see lsst.pipe.base.TaskMetadata.from_dict
   */
  static fromDict(d: Readonly<Record<string, unknown>>): TaskMetadata {
    const md = new TaskMetadata();
    for (const [k, v] of Object.entries(d)) md.set(k, v as TaskMetadataValue);
    return md;
  }

  /**
   * Reads the JSON form ({@link TaskMetadata.toJSON}, pipe_base's model dump).
   *
   * @param json - the parsed JSON object
   * @returns the metadata
   * @throws {@link TaskMetadataError} when it is not of that form
   */
  static fromJSON(json: TaskMetadataJson): TaskMetadata {
    if (typeof json !== 'object' || json === null) throw new TaskMetadataError(`TaskMetadata JSON must be an object with scalars, arrays and metadata; got ${String(json)}.`);
    const md = new TaskMetadata();
    for (const [k, v] of Object.entries(json.scalars ?? {})) md.set(k, v);
    for (const [k, v] of Object.entries(json.arrays ?? {})) md.set(k, v);
    for (const [k, v] of Object.entries(json.metadata ?? {})) md.set(k, TaskMetadata.fromJSON(v));
    return md;
  }

  #validate(value: unknown, key: string): Slot {
    if (isScalar(value)) return { kind: 'scalar', value };
    if (value instanceof TaskMetadata) return { kind: 'metadata', value };
    if (Array.isArray(value)) {
      if (value.length === 0) throw new TaskMetadataError(`Cannot store an empty list at '${key}': its type is unknown.`);
      const t = typeof value[0];
      for (const v of value) {
        if (!isScalar(v)) throw new TaskMetadataError(`Lists in TaskMetadata hold strings, numbers or booleans; '${key}' has ${String(v)} (${typeof v}).`);
        if (typeof v !== t) {
          throw new TaskMetadataError(`Type mismatch in list for '${key}': TaskMetadata requires all elements to have the same type; saw ${typeof v} and ${t}.`);
        }
      }
      return { kind: 'array', value: [...(value as TaskMetadataScalar[])] };
    }
    if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
      return { kind: 'metadata', value: TaskMetadata.fromDict(value as Record<string, unknown>) };
    }
    throw new TaskMetadataError(`TaskMetadata does not support values of type ${value === null ? 'null' : typeof value} (at '${key}': ${String(value)}).`);
  }

  /**
   * Stores a value, replacing what was there (intermediate levels of a dotted key are made).
   *
   * @param key - the key, dotted for nested metadata
   * @param value - a scalar, a list of scalars of one type, a TaskMetadata or a plain object
   * @throws {@link TaskMetadataError} for unsupported values
   * @see lsst.pipe.base.TaskMetadata.__setitem__
   */
  set(key: string, value: TaskMetadataValue): void {
    const [key0, rest] = splitKey(key);
    if (rest === undefined) {
      const slot = this.#validate(value, key);
      this.#scalars.delete(key0);
      this.#arrays.delete(key0);
      this.#metadata.delete(key0);
      if (slot.kind === 'scalar') this.#scalars.set(key0, slot.value);
      else if (slot.kind === 'array') this.#arrays.set(key0, slot.value);
      else this.#metadata.set(key0, slot.value);
      return;
    }
    let child = this.#metadata.get(key0);
    if (child === undefined) {
      child = new TaskMetadata();
      this.#metadata.set(key0, child);
    }
    child.set(rest, value);
    this.#scalars.delete(key0);
    this.#arrays.delete(key0);
  }

  /**
   * Appends a value (or the values of a list) to the list at `key`, making the list if
   * needed and turning a scalar there into a one-element list first.
   *
   * @param key - the key, dotted for nested metadata (the parent must exist)
   * @param value - a scalar or a list of scalars, of the type already stored
   * @throws {@link TaskMetadataError} for nested metadata, unsupported values or a type change
   * @see lsst.pipe.base.TaskMetadata.add
   */
  add(key: string, value: TaskMetadataScalar | readonly TaskMetadataScalar[]): void {
    const [key0, rest] = splitKey(key);
    if (rest !== undefined) {
      const child = this.#metadata.get(key0);
      if (child === undefined) throw new TaskMetadataError(`Cannot add() to '${key}': '${key0}' is not nested metadata.`);
      child.add(rest, value);
      return;
    }
    const slot = this.#validate(value, key);
    if (slot.kind === 'metadata') throw new TaskMetadataError(`add() can only be used for primitive types or lists of those types (at '${key}').`);
    const values = slot.kind === 'scalar' ? [slot.value] : slot.value;
    if (this.#metadata.has(key0)) throw new TaskMetadataError(`Can not add() to key '${key}' since that is a TaskMetadata.`);
    const scalar = this.#scalars.get(key0);
    if (scalar !== undefined) {
      this.#scalars.delete(key0);
      this.#arrays.set(key0, [scalar]);
    }
    const current = this.#arrays.get(key0);
    if (current === undefined) {
      this.#arrays.set(key0, values);
      return;
    }
    if (typeof current[0] !== typeof values[0]) {
      throw new TaskMetadataError(`Type mismatch in add() to '${key}': currently ${typeof current[0]} but adding ${typeof values[0]}.`);
    }
    current.push(...values);
  }

  #lookup(key: string): Slot | undefined {
    const [key0, rest] = splitKey(key);
    if (rest !== undefined) {
      const child = this.#metadata.get(key0);
      return child === undefined ? undefined : child.#lookup(rest);
    }
    const s = this.#scalars.get(key0);
    if (s !== undefined) return { kind: 'scalar', value: s };
    const m = this.#metadata.get(key0);
    if (m !== undefined) return { kind: 'metadata', value: m };
    const a = this.#arrays.get(key0);
    if (a !== undefined) return { kind: 'array', value: a };
    return undefined;
  }

  /**
   * The value at `key`: a scalar, nested metadata, or the last element of a list.
   *
   * @param key - the key, dotted for nested metadata
   * @param defaultValue - returned when the key is missing
   * @returns the value, or `defaultValue`
   * @see lsst.pipe.base.TaskMetadata.get
   */
  get(key: string, defaultValue?: TaskMetadataScalar | TaskMetadata): TaskMetadataScalar | TaskMetadata | undefined {
    const slot = this.#lookup(key);
    if (slot === undefined) return defaultValue;
    return slot.kind === 'array' ? slot.value[slot.value.length - 1] : slot.value;
  }

  /**
   * The value at `key` like {@link TaskMetadata.get}, but a missing key is an error.
   *
   * @param key - the key, dotted for nested metadata
   * @returns the scalar (the last element of a list)
   * @throws {@link TaskMetadataError} when the key is missing or holds nested metadata
   * @see lsst.pipe.base.TaskMetadata.getScalar
   */
  getScalar(key: string): TaskMetadataScalar {
    const v = this.get(key);
    if (v === undefined) throw new TaskMetadataError(`'${key}' not found.`);
    if (v instanceof TaskMetadata) throw new TaskMetadataError(`'${key}' holds nested metadata, not a scalar.`);
    return v;
  }

  /**
   * The value at `key` as a list (a scalar becomes a one-element list).
   *
   * @param key - the key, dotted for nested metadata
   * @returns a copy of the list
   * @throws {@link TaskMetadataError} when the key is missing
   * @see lsst.pipe.base.TaskMetadata.getArray
   */
  getArray(key: string): (TaskMetadataScalar | TaskMetadata)[] {
    const slot = this.#lookup(key);
    if (slot === undefined) throw new TaskMetadataError(`'${key}' not found.`);
    return slot.kind === 'array' ? [...slot.value] : [slot.value];
  }

  /**
   * Whether a key exists.
   *
   * @param key - the key, dotted for nested metadata
   * @returns true when present
   * @see lsst.pipe.base.TaskMetadata.__contains__
   */
  has(key: string): boolean {
    return this.#lookup(key) !== undefined;
  }

  /**
   * Removes an item.
   *
   * @param key - the key, dotted for nested metadata
   * @throws {@link TaskMetadataError} when the key is missing
   * @see lsst.pipe.base.TaskMetadata.__delitem__
   */
  delete(key: string): void {
    const [key0, rest] = splitKey(key);
    if (rest !== undefined) {
      const child = this.#metadata.get(key0);
      if (child === undefined || !child.has(rest)) throw new TaskMetadataError(`'${key}' not found.`);
      child.delete(rest);
      return;
    }
    if (!(this.#scalars.delete(key0) || this.#arrays.delete(key0) || this.#metadata.delete(key0))) {
      throw new TaskMetadataError(`'${key}' not found.`);
    }
  }

  /**
   * The top-level keys: scalars, then lists, then nested metadata.
   *
   * @returns the keys
   * @see lsst.pipe.base.TaskMetadata.keys
   */
  keys(): string[] {
    return [...this.#scalars.keys(), ...this.#arrays.keys(), ...this.#metadata.keys()];
  }

  /**
   * The top-level `[key, value]` pairs (lists as copies, nested metadata as is).
   *
   * @returns the pairs
   * @see lsst.pipe.base.TaskMetadata.items
   */
  items(): [string, TaskMetadataScalar | TaskMetadataScalar[] | TaskMetadata][] {
    return [
      ...[...this.#scalars].map(([k, v]): [string, TaskMetadataScalar] => [k, v]),
      ...[...this.#arrays].map(([k, v]): [string, TaskMetadataScalar[]] => [k, [...v]]),
      ...[...this.#metadata].map(([k, v]): [string, TaskMetadata] => [k, v]),
    ];
  }

  /** The number of top-level items. */
  get size(): number {
    return this.#scalars.size + this.#arrays.size + this.#metadata.size;
  }

  /**
   * The names of the items. With `topLevelOnly` false (the default) these are all
   * hierarchical keys, the tops of nested metadata included (`a`, `a.b`), as pipe_base's
   * `TaskMetadata.names()`; with true, only the top-level keys (as `PropertySet.names(True)`).
   *
   * @param topLevelOnly - only the top-level keys
   * @returns the names
   * @see lsst.pipe.base.TaskMetadata.names
   */
  names(topLevelOnly = false): Set<string> {
    const out = new Set<string>();
    for (const [k, v] of this.items()) {
      out.add(k);
      if (!topLevelOnly && v instanceof TaskMetadata) for (const n of v.names()) out.add(`${k}.${n}`);
    }
    return out;
  }

  /**
   * The names of the items that hold values (not the tops of nested metadata); with
   * `topLevelOnly` false, the dotted names of nested items too.
   *
   * @param topLevelOnly - leave out nested items
   * @returns the names
   * @see lsst.pipe.base.TaskMetadata.paramNames
   */
  paramNames(topLevelOnly: boolean): Set<string> {
    const out = new Set<string>();
    for (const [k, v] of this.items()) {
      if (v instanceof TaskMetadata) {
        if (!topLevelOnly) for (const n of v.paramNames(false)) out.add(`${k}.${n}`);
      } else {
        out.add(k);
      }
    }
    return out;
  }

  /**
   * The metadata as a plain nested object (scalars, lists, nested objects together).
   *
   * @returns the object; {@link TaskMetadata.fromDict} reads it back
   * @see lsst.pipe.base.TaskMetadata.to_dict
   */
  toDict(): NestedMetadataDict {
    const d: NestedMetadataDict = {};
    for (const [k, v] of this.#scalars) d[k] = v;
    for (const [k, v] of this.#arrays) d[k] = [...v];
    for (const [k, v] of this.#metadata) d[k] = v.toDict();
    return d;
  }

  /**
   * The JSON form pipe_base writes for `<label>_metadata` datasets (`{scalars, arrays, metadata}`).
   * NaN and infinities, which pipe_base writes as JSON extensions, become `null` here.
   *
   * @returns the JSON-able object
   */
  toJSON(): TaskMetadataJson {
    return {
      scalars: Object.fromEntries(this.#scalars),
      arrays: Object.fromEntries([...this.#arrays].map(([k, v]) => [k, [...v]])),
      metadata: Object.fromEntries([...this.#metadata].map(([k, v]) => [k, v.toJSON()])),
    };
  }

  /**
   * A deep copy.
   *
   * @returns the copy
   */
  copy(): TaskMetadata {
    return TaskMetadata.fromJSON(this.toJSON());
  }
}
