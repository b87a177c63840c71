/**
 * The small dialect layer the SQL registry is written against. Two implementations:
 * {@link SqliteDatabase} (better-sqlite3, one file, WAL) and {@link PostgresDatabase} (pg).
 *
 * Rules every implementation keeps:
 * - SQL text uses `?` placeholders only; the PostgreSQL implementation rewrites them to
 *   `$1, $2, ...` (outside quoted strings). User values are always parameters.
 * - Values: `null`, `number`, `bigint`, `string`, `boolean`, `Uint8Array`. Booleans are
 *   stored as 0/1 on SQLite. Integers come back as `number` when they fit in 2^53 and as
 *   `bigint` otherwise (TAI nanosecond timestamps); BLOB/BYTEA come back as `Uint8Array`.
 * - `transaction` runs its callback atomically: everything or nothing. Nested calls use
 *   savepoints. Calls on one `Database` object are serialised (one connection's worth of
 *   work at a time), so concurrent async callers in one process cannot interleave inside a
 *   transaction. Write transactions that lose a lock race (SQLITE_BUSY, PostgreSQL
 *   serialization failure or deadlock) are retried with backoff before an error escapes.
 */
export type SqlValue = null | number | bigint | string | boolean | Uint8Array;

/** A result row: column name to value. */
export type SqlRow = Record<string, SqlValue>;

/** Which SQL dialect a {@link Database} speaks. */
export type SqlDialect = 'sqlite' | 'postgresql';

/** What a statement that changes rows reports. */
export interface RunResult {
  /** Rows inserted, updated or deleted. */
  readonly changes: number;
}

/** A connection (or pool) that runs parameterised SQL. */
export interface Database {
  /** Which dialect this database speaks. */
  readonly dialect: SqlDialect;
  /** A description safe to print (no password). */
  readonly description: string;
  /** Runs one or more statements without parameters (DDL). */
  exec(sql: string): Promise<void>;
  /** Runs one statement that returns no rows. */
  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult>;
  /** Runs one statement and returns all its rows. */
  all(sql: string, params?: readonly SqlValue[]): Promise<SqlRow[]>;
  /**
   * Inserts many rows into one table, in batches, inside the current transaction (or its
   * own one). `onConflict: 'ignore'` skips rows that violate a unique constraint.
   */
  insertMany(
    table: string,
    columns: readonly string[],
    rows: readonly (readonly SqlValue[])[],
    options?: { onConflict?: 'error' | 'ignore' },
  ): Promise<RunResult>;
  /** Runs `fn` atomically; nested calls become savepoints. */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /** Whether a table exists. */
  hasTable(name: string): Promise<boolean>;
  /** Closes the connection(s). */
  close(): Promise<void>;
}

const UNIQUE_CODES: ReadonlySet<string> = new Set([
  // better-sqlite3 (extended result codes)
  'SQLITE_CONSTRAINT_UNIQUE',
  'SQLITE_CONSTRAINT_PRIMARYKEY',
  // PostgreSQL SQLSTATE unique_violation
  '23505',
]);

/**
 * The driver's error code behind an error thrown by a {@link Database}: the better-sqlite3
 * code (`SQLITE_CONSTRAINT_UNIQUE`, `SQLITE_BUSY`, ...) or the PostgreSQL SQLSTATE (`23505`,
 * `40001`, ...). Follows the `cause` chain of wrapping errors (such as `DatabaseError`).
 *
 * @param err - anything thrown
 * @returns the first driver code found, or undefined
 * @example
 * ```ts
 * try { await db.run('INSERT INTO t (id) VALUES (?)', [1]); }
 * catch (e) { console.log(driverErrorCode(e)); } // e.g. 'SQLITE_CONSTRAINT_PRIMARYKEY'
 * ```
 */
export function driverErrorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 8 && typeof e === 'object' && e !== null; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (code.startsWith('SQLITE_') || /^(?=.*\d)[0-9A-Z]{5}$/.test(code))) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Whether an error thrown by a {@link Database} is a unique (or primary key) constraint
 * violation, on either dialect. Callers use it to turn a failed insert into an
 * "already exists" error.
 *
 * @param err - anything thrown
 * @returns true for SQLite `SQLITE_CONSTRAINT_UNIQUE`/`_PRIMARYKEY` and PostgreSQL `23505`
 * @example
 * ```ts
 * try { await db.run('INSERT INTO collection (name) VALUES (?)', ['run1']); }
 * catch (e) { if (isUniqueViolation(e)) throw new AlreadyExistsError("Collection 'run1' exists."); throw e; }
 * ```
 */
export function isUniqueViolation(err: unknown): boolean {
  const code = driverErrorCode(err);
  return code !== undefined && UNIQUE_CODES.has(code);
}
