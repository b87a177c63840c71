// What the two Database implementations share: a FIFO mutex, a bounded LRU map, error
// wrapping and identifier checks. Internal to the sql folder (not re-exported).
import { DatabaseError } from '../../errors.js';

/**
 * A first-come first-served asynchronous lock.
 *
 * @internal
 */
export class Mutex {
  #locked = false;
  readonly #waiters: (() => void)[] = [];

  /** Whether someone holds the lock. */
  get locked(): boolean {
    return this.#locked;
  }

  /**
   * Waits for the lock.
   *
   * @returns a promise that resolves once the caller holds the lock
   */
  acquire(): Promise<void> {
    if (!this.#locked) {
      this.#locked = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  /** Hands the lock to the next waiter, or frees it. */
  release(): void {
    const next = this.#waiters.shift();
    if (next === undefined) this.#locked = false;
    else next();
  }

  /**
   * Runs `fn` while holding the lock.
   *
   * @param fn - the work
   * @returns what `fn` returns
   */
  async run<T>(fn: () => Promise<T> | T): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}

/**
 * A map that keeps at most `capacity` entries, dropping the least recently used.
 *
 * @internal
 */
export class LruCache<K, V> {
  readonly #map = new Map<K, V>();

  /** @param capacity - the most entries kept */
  constructor(readonly capacity: number) {}

  /**
   * The value for a key (and marks it recently used).
   *
   * @param key - the key
   * @returns the value or undefined
   */
  get(key: K): V | undefined {
    const v = this.#map.get(key);
    if (v !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, v);
    }
    return v;
  }

  /**
   * Stores a value, evicting the oldest entry when full.
   *
   * @param key - the key
   * @param value - the value
   */
  set(key: K, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.capacity) {
      const oldest = this.#map.keys().next();
      if (oldest.done !== true) this.#map.delete(oldest.value);
    }
  }

  /** Forgets everything. */
  clear(): void {
    this.#map.clear();
  }
}

/**
 * Wraps a driver error in a {@link DatabaseError} that says what failed; the driver error
 * stays reachable as `cause` (see `driverErrorCode` and `isUniqueViolation`).
 *
 * @param backend - 'SQLite' or 'PostgreSQL'
 * @param action - what was being done, e.g. 'run'
 * @param sql - the statement (its first 200 characters go into the message)
 * @param err - the driver error
 * @returns the wrapping error (already a DatabaseError: returned unchanged)
 * @internal
 */
export function wrapError(backend: string, action: string, sql: string, err: unknown): DatabaseError {
  if (err instanceof DatabaseError) return err;
  const text = sql.replace(/\s+/g, ' ').trim();
  const shown = text.length > 200 ? `${text.slice(0, 200)}...` : text;
  const code = (err as { code?: unknown } | null)?.code;
  const why = err instanceof Error ? err.message : String(err);
  return new DatabaseError(
    `${backend} failed to ${action} "${shown}": ${why}${typeof code === 'string' ? ` (${code})` : ''}.`,
    { cause: err },
  );
}

const PLAIN_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const QUOTED_IDENTIFIER = /^"(?:[^"]|"")+"$/;

/**
 * Checks a table or column name for use in generated SQL: a plain identifier (emitted as
 * is, so it folds case exactly as the caller's DDL did) or an already double-quoted one.
 *
 * @param name - the identifier
 * @returns the identifier
 * @throws DatabaseError for anything else
 * @internal
 */
export function identifier(name: string): string {
  if (QUOTED_IDENTIFIER.test(name)) return name;
  // Quoted, so that names which are SQL keywords (the `group` dimension) work; the registry's
  // names are all lower case, which is what unquoted DDL folds to as well.
  if (PLAIN_IDENTIFIER.test(name)) return `"${name}"`;
  throw new DatabaseError(
    `Invalid SQL identifier ${JSON.stringify(name)}: expected letters, digits and underscores (or a double-quoted name).`,
  );
}

/**
 * Converts an integer read from a driver: a number when it is a safe integer, else a bigint.
 *
 * @param v - the bigint read
 * @returns a number or the bigint
 * @internal
 */
export function narrowInteger(v: bigint): number | bigint {
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

/**
 * Resolves after `ms` milliseconds.
 *
 * @param ms - the delay
 * @returns a promise
 * @internal
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A jittered exponential backoff delay.
 *
 * @param attempt - 0 for the first retry
 * @param baseMs - the first delay
 * @param maxMs - the cap
 * @returns milliseconds
 * @internal
 */
export function backoffMs(attempt: number, baseMs = 5, maxMs = 500): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}
