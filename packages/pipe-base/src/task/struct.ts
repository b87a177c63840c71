import { TaskDefinitionError } from './errors.js';

/** The methods every {@link Struct} has beside its items. */
export interface StructMethods<T extends object> {
  /**
   * The items as a plain object (a shallow copy).
   *
   * @returns the items
   * @see lsst.pipe.base.Struct.getDict
   */
  getDict(): T;
  /**
   * Copies the named items of another struct into this one (in place), refusing names this
   * struct already has.
   *
   * @param other - the struct to copy from
   * @param names - the items to copy
   * @returns this struct, typed with the new items
   * @throws {@link TaskDefinitionError} when a name already exists (earlier names stay copied)
   * @see lsst.pipe.base.Struct.mergeItems
   */
  mergeItems<U extends object, K extends keyof U & string>(other: Struct<U>, ...names: K[]): Struct<T & Pick<U, K>>;
  /**
   * A one-level-deep copy (the values are shared).
   *
   * @returns the copy
   * @see lsst.pipe.base.Struct.copy
   */
  copy(): Struct<T>;
  /** The number of items. */
  readonly length: number;
}

/**
 * A result object whose items are read as properties (`result.mean`), typed by the record it
 * was made from. `run` methods of tasks return one.
 *
 * @example
 * ```ts
 * const result = new Struct({ mean: 1.5, stdDev: 0.2 });
 * result.mean;            // 1.5, typed number
 * result.getDict();       // { mean: 1.5, stdDev: 0.2 }
 * const more = result.copy().mergeItems(new Struct({ n: 10, x: 0 }), 'n');
 * more.n;                 // 10
 * ```
 * @see lsst.pipe.base.Struct
 */
export type Struct<T extends object = object> = T & StructMethods<T>;

/** The constructor of {@link Struct}. */
export interface StructConstructor {
  /**
   * Makes a struct with the given items.
   *
   * @param items - the items; names may not start with `__` or be a method name
   *   (`getDict`, `mergeItems`, `copy`, `length`)
   * @returns the struct
   * @throws {@link TaskDefinitionError} for a forbidden name
   */
  new <T extends object>(items: T): Struct<T>;
  /** The prototype of every struct. */
  readonly prototype: StructMethods<object>;
}

const RESERVED = new Set(['getDict', 'mergeItems', 'copy', 'length', 'constructor']);

function safeAdd(target: object, name: string, value: unknown): void {
  if (Object.prototype.hasOwnProperty.call(target, name) || RESERVED.has(name)) {
    throw new TaskDefinitionError(`Item '${name}' already exists in this Struct.`);
  }
  if (name.startsWith('__')) throw new TaskDefinitionError(`Item name '${name}' is invalid; it must not begin with __.`);
  Object.defineProperty(target, name, { value, writable: true, enumerable: true, configurable: true });
}

class StructImpl {
  constructor(items: object) {
    for (const [k, v] of Object.entries(items)) safeAdd(this, k, v);
  }

  getDict(): Record<string, unknown> {
    return { ...this } as Record<string, unknown>;
  }

  mergeItems(other: object, ...names: string[]): this {
    for (const n of names) {
      if (!Object.prototype.hasOwnProperty.call(other, n)) throw new TaskDefinitionError(`The struct to merge from has no item '${n}'.`);
      safeAdd(this, n, (other as Record<string, unknown>)[n]);
    }
    return this;
  }

  copy(): StructImpl {
    return new StructImpl(this.getDict());
  }

  get length(): number {
    return Object.keys(this).length;
  }

  toString(): string {
    return `Struct(${Object.entries(this).map(([k, v]) => `${k}=${String(v)}`).join('; ')})`;
  }
}

/**
 * Makes a {@link Struct}: `new Struct({ mean, stdDev })`.
 *
 * @see lsst.pipe.base.Struct
 */
export const Struct = StructImpl as unknown as StructConstructor;
