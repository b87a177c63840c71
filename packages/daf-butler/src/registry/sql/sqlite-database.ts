import { AsyncLocalStorage } from 'node:async_hooks';
import BetterSqlite3 from 'better-sqlite3';
import { DatabaseError } from '../../errors.js';
import { driverErrorCode, type Database, type RunResult, type SqlRow, type SqlValue } from './database.js';
import { backoffMs, identifier, LruCache, Mutex, narrowInteger, sleep, wrapError } from './sql-support.js';

/** Options of {@link SqliteDatabase.open}. */
export interface SqliteOpenOptions {
  /** Open read-only (default false). */
  readonly readonly?: boolean;
  /** Create the file when it does not exist (default true; ignored for `:memory:`). */
  readonly create?: boolean;
  /** How long a statement waits for another process's lock, in milliseconds (default 5000). */
  readonly busyTimeoutMs?: number;
}

/** The transaction running in the current async context. */
interface TxContext {
  readonly owner: SqliteDatabase;
  /** Savepoint depth of this context (0: the top-level transaction). */
  readonly depth: number;
  /** False once the transaction (or savepoint) has ended. */
  active: boolean;
  /** Serialises child savepoints started concurrently from this context. */
  readonly children: Mutex;
}

const contexts = new AsyncLocalStorage<TxContext>();
const STATEMENT_CACHE_SIZE = 256;
/** The fewest tries of BEGIN IMMEDIATE before a busy database is reported, whatever the timeout. */
const BEGIN_RETRIES = 3;

function isBusy(err: unknown): boolean {
  const code = driverErrorCode(err);
  return code !== undefined && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

function toSqlite(v: SqlValue): unknown {
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v;
}

function fromSqlite(v: unknown): SqlValue {
  if (typeof v === 'bigint') return narrowInteger(v);
  if (v instanceof Uint8Array) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  return v as SqlValue;
}

function convertRow(row: Record<string, unknown>): SqlRow {
  const out: SqlRow = {};
  for (const key in row) out[key] = fromSqlite(row[key]);
  return out;
}

/**
 * The embedded registry database: one SQLite file (better-sqlite3) in WAL mode, with
 * foreign keys on. Calls on one object run one at a time (an internal queue), so async
 * transactions never interleave; separate processes queue on SQLite's write lock
 * (`BEGIN IMMEDIATE` plus a busy timeout, with retries).
 *
 * @example
 * ```ts
 * const db = SqliteDatabase.open('/repo/gen3.sqlite3');
 * await db.exec('CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, name TEXT)');
 * await db.transaction(async () => {
 *   await db.run('INSERT INTO t (id, name) VALUES (?, ?)', [1, 'a']);
 * });
 * console.log(await db.all('SELECT * FROM t')); // [{ id: 1, name: 'a' }]
 * await db.close();
 * ```
 * @see lsst.daf.butler.registry.databases.sqlite.SqliteDatabase
 */
export class SqliteDatabase implements Database {
  /** Always `'sqlite'`. */
  readonly dialect = 'sqlite' as const;
  /** `sqlite:` followed by the file path (or `:memory:`). */
  readonly description: string;
  readonly #db: BetterSqlite3.Database;
  readonly #statements = new LruCache<string, BetterSqlite3.Statement>(STATEMENT_CACHE_SIZE);
  readonly #queue = new Mutex();
  readonly #busyTimeoutMs: number;
  #closed = false;

  private constructor(db: BetterSqlite3.Database, description: string, busyTimeoutMs: number) {
    this.#db = db;
    this.description = description;
    this.#busyTimeoutMs = busyTimeoutMs;
  }

  /**
   * Opens (or creates) a SQLite database and sets its pragmas: `journal_mode=WAL` (files),
   * `foreign_keys=ON`, `busy_timeout`, `synchronous=NORMAL`.
   *
   * @param path - the file, or `':memory:'`
   * @param options - read-only, create, busy timeout
   * @returns the open database
   * @throws DatabaseError when the file cannot be opened (missing with `create: false`,
   *   not a database, no permission)
   * @example
   * ```ts
   * const db = SqliteDatabase.open(':memory:');
   * ```
   */
  static open(path: string, options: SqliteOpenOptions = {}): SqliteDatabase {
    const readonly = options.readonly ?? false;
    const memory = path === ':memory:' || path === '';
    let db: BetterSqlite3.Database;
    try {
      db = new BetterSqlite3(memory ? ':memory:' : path, {
        readonly: memory ? false : readonly,
        fileMustExist: !memory && (readonly || options.create === false),
      });
    } catch (err) {
      const mustExist = options.create === false || readonly;
      throw new DatabaseError(`Cannot open the SQLite database ${path}: ${(err as Error).message}.`, {
        cause: err,
        ...(mustExist ? { hint: 'The file must exist (create: false or readonly).' } : {}),
      });
    }
    const busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000));
    try {
      db.pragma(`busy_timeout = ${busyTimeoutMs}`);
      if (!memory && !readonly) db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      if (!readonly) db.pragma('synchronous = NORMAL');
    } catch (err) {
      db.close();
      throw new DatabaseError(`Cannot set up the SQLite database ${path}: ${(err as Error).message}.`, { cause: err });
    }
    return new SqliteDatabase(db, `sqlite:${memory ? ':memory:' : path}`, busyTimeoutMs);
  }

  /** Whether the current async context is inside this object's running transaction. */
  #current(): TxContext | undefined {
    const ctx = contexts.getStore();
    return ctx !== undefined && ctx.owner === this && ctx.active ? ctx : undefined;
  }

  /**
   * Runs synchronous driver work in turn: at once when nothing holds the queue or when
   * called from inside the running transaction, else after the queue frees.
   */
  #call<T>(work: () => T): Promise<T> {
    if (this.#closed) return Promise.reject(new DatabaseError(`The database ${this.description} is closed.`));
    if (!this.#queue.locked || this.#current() !== undefined) {
      try {
        return Promise.resolve(work());
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return this.#queue.run(work);
  }

  #prepare(sql: string): BetterSqlite3.Statement {
    let stmt = this.#statements.get(sql);
    if (stmt === undefined) {
      stmt = this.#db.prepare(sql);
      if (stmt.reader) stmt.safeIntegers(true);
      this.#statements.set(sql, stmt);
    }
    return stmt;
  }

  #runNow(sql: string, params: readonly SqlValue[]): RunResult {
    try {
      const r = this.#prepare(sql).run(...params.map(toSqlite));
      return { changes: r.changes };
    } catch (err) {
      throw wrapError('SQLite', 'run', sql, err);
    }
  }

  #execNow(sql: string, action = 'execute'): void {
    try {
      this.#db.exec(sql);
    } catch (err) {
      throw wrapError('SQLite', action, sql, err);
    }
  }

  /** {@inheritDoc Database.exec} */
  exec(sql: string): Promise<void> {
    return this.#call(() => this.#execNow(sql));
  }

  /** {@inheritDoc Database.run} */
  run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
    return this.#call(() => this.#runNow(sql, params));
  }

  /** {@inheritDoc Database.all} */
  all(sql: string, params: readonly SqlValue[] = []): Promise<SqlRow[]> {
    return this.#call(() => {
      try {
        const stmt = this.#prepare(sql);
        const bound = params.map(toSqlite);
        if (!stmt.reader) {
          stmt.run(...bound);
          return [];
        }
        return (stmt.all(...bound) as Record<string, unknown>[]).map(convertRow);
      } catch (err) {
        throw wrapError('SQLite', 'query', sql, err);
      }
    });
  }

  /**
   * Inserts many rows into one table with one prepared statement, inside the current
   * transaction (as a savepoint) or its own one: all rows or none.
   *
   * @param table - the table (a plain identifier)
   * @param columns - the columns the values are for
   * @param rows - one array of values per row, in column order
   * @param options - `onConflict: 'ignore'` skips rows that violate a unique constraint
   *   (`INSERT OR IGNORE`)
   * @returns the number of rows inserted
   * @throws DatabaseError on a constraint violation (see `isUniqueViolation`) or bad input
   */
  async insertMany(
    table: string,
    columns: readonly string[],
    rows: readonly (readonly SqlValue[])[],
    options: { onConflict?: 'error' | 'ignore' } = {},
  ): Promise<RunResult> {
    if (rows.length === 0) return { changes: 0 };
    const verb = options.onConflict === 'ignore' ? 'INSERT OR IGNORE' : 'INSERT';
    const sql = `${verb} INTO ${identifier(table)} (${columns.map(identifier).join(', ')}) VALUES (${columns
      .map(() => '?')
      .join(', ')})`;
    return this.transaction(async () => {
      let changes = 0;
      let stmt: BetterSqlite3.Statement;
      try {
        stmt = this.#prepare(sql);
      } catch (err) {
        throw wrapError('SQLite', 'prepare', sql, err);
      }
      const bound: unknown[] = new Array(columns.length);
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!;
        if (row.length !== columns.length) {
          throw new DatabaseError(
            `insertMany into ${table}: row ${i} has ${row.length} values, expected ${columns.length} (${columns.join(', ')}).`,
          );
        }
        for (let j = 0; j < row.length; j++) bound[j] = toSqlite(row[j]!);
        try {
          changes += stmt.run(...bound).changes;
        } catch (err) {
          throw wrapError('SQLite', `insert row ${i} with`, sql, err);
        }
      }
      return { changes };
    });
  }

  /** {@inheritDoc Database.transaction} */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    const parent = this.#current();
    if (parent !== undefined) return parent.children.run(() => this.#savepoint(parent, fn));
    if (this.#closed) throw new DatabaseError(`The database ${this.description} is closed.`);
    await this.#queue.acquire();
    try {
      await this.#begin();
      const ctx: TxContext = { owner: this, depth: 0, active: true, children: new Mutex() };
      let result: T;
      try {
        result = await contexts.run(ctx, fn);
      } catch (err) {
        ctx.active = false;
        if (this.#db.inTransaction) this.#execNow('ROLLBACK', 'roll back');
        throw err;
      }
      ctx.active = false;
      this.#execNow('COMMIT', 'commit');
      return result;
    } finally {
      this.#queue.release();
    }
  }

  /**
   * Starts the top-level transaction. `BEGIN IMMEDIATE` takes the write lock at once, so
   * concurrent processes queue here rather than failing at commit. While another process
   * holds the lock, this waits asynchronously (busy_timeout is set to 0 for the BEGIN alone,
   * so the event loop is not blocked), with growing jittered pauses, for up to the busy
   * timeout (at least BEGIN_RETRIES tries); then the SQLITE_BUSY error escapes, wrapped.
   */
  async #begin(): Promise<void> {
    if (this.#db.readonly) {
      this.#execNow('BEGIN', 'start');
      return;
    }
    const sql = 'BEGIN IMMEDIATE';
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      this.#db.pragma('busy_timeout = 0');
      try {
        this.#db.exec(sql);
        return;
      } catch (err) {
        if (!isBusy(err) || (attempt >= BEGIN_RETRIES && Date.now() - started >= this.#busyTimeoutMs)) {
          throw wrapError('SQLite', attempt > 0 ? `start a transaction after ${attempt + 1} tries with` : 'start', sql, err);
        }
      } finally {
        this.#db.pragma(`busy_timeout = ${this.#busyTimeoutMs}`);
      }
      const left = this.#busyTimeoutMs - (Date.now() - started);
      await sleep(Math.max(1, Math.min(left, backoffMs(attempt, 1, 100))));
    }
  }

  async #savepoint<T>(parent: TxContext, fn: () => Promise<T>): Promise<T> {
    const depth = parent.depth + 1;
    const name = `skystack_sp${depth}`;
    this.#execNow(`SAVEPOINT ${name}`, 'create a savepoint');
    const ctx: TxContext = { owner: this, depth, active: true, children: new Mutex() };
    let result: T;
    try {
      result = await contexts.run(ctx, fn);
    } catch (err) {
      ctx.active = false;
      if (this.#db.inTransaction) this.#execNow(`ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}`, 'roll back');
      throw err;
    }
    ctx.active = false;
    this.#execNow(`RELEASE SAVEPOINT ${name}`, 'release a savepoint');
    return result;
  }

  /** {@inheritDoc Database.hasTable} */
  async hasTable(name: string): Promise<boolean> {
    const rows = await this.all(
      "SELECT 1 AS found FROM sqlite_master WHERE type IN ('table', 'view') AND name = ? COLLATE NOCASE",
      [name],
    );
    return rows.length > 0;
  }

  /** Closes the connection once queued work has finished; closing twice is harmless. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#queue.acquire();
    try {
      if (this.#closed) return;
      this.#closed = true;
      this.#statements.clear();
      this.#db.close();
    } finally {
      this.#queue.release();
    }
  }
}
