import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { postgresUrl, REPO_ROOT, withPostgresSchema } from '@skystack/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { DatabaseError } from '../../errors.js';
import { driverErrorCode, isUniqueViolation, type Database, type SqlRow } from './database.js';
import { openDatabase } from './open-database.js';
import { PostgresDatabase, rewritePlaceholders } from './postgres-database.js';
import { SqliteDatabase } from './sqlite-database.js';

const run = promisify(execFile);
const PG_URL = postgresUrl();
const TSX = resolve(REPO_ROOT, 'node_modules/.bin/tsx');
const WORKER = resolve(import.meta.dirname, '../../../test/insert-worker.ts');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const tmpDirs: string[] = [];
function tmpDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'skystack-db-'));
  tmpDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

/** Gives a test a fresh, empty database and closes (and removes) it afterwards. */
type WithDatabase = (fn: (db: Database) => Promise<void>) => Promise<void>;

async function count(db: Database, table: string): Promise<number> {
  const rows = await db.all(`SELECT count(*) AS n FROM ${table}`);
  return Number(rows[0]!['n']);
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/** The conformance suite every {@link Database} implementation passes. */
function databaseConformance(name: string, withDb: WithDatabase | undefined): void {
  const suite = withDb === undefined ? describe.skip : describe;
  const test = (title: string, fn: (db: Database) => Promise<void>, timeout?: number) =>
    it(title, () => withDb!(fn), timeout);

  suite(`Database conformance: ${name}`, () => {
    test('runs DDL and reports tables', async (db) => {
      expect(await db.hasTable('things')).toBe(false);
      await db.exec('CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL); CREATE INDEX things_name ON things (name)');
      expect(await db.hasTable('things')).toBe(true);
      expect(await db.hasTable('other')).toBe(false);
      expect(db.description.length).toBeGreaterThan(0);
      expect(['sqlite', 'postgresql']).toContain(db.dialect);
    });

    test('round-trips parameters of every type', async (db) => {
      const blob = db.dialect === 'sqlite' ? 'BLOB' : 'BYTEA';
      await db.exec(
        `CREATE TABLE vals (id INTEGER PRIMARY KEY, i BIGINT, r DOUBLE PRECISION, big BIGINT, s TEXT, b ${blob}, flag BOOLEAN, nul TEXT)`,
      );
      const big = 2n ** 60n + 3n;
      const text = `it's a "quoted" ? value ?? with '' and $1`;
      const bytes = new Uint8Array([0, 1, 127, 128, 255]);
      const r = await db.run('INSERT INTO vals (id, i, r, big, s, b, flag, nul) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
        1,
        2 ** 53 - 1,
        0.125,
        big,
        text,
        bytes,
        true,
        null,
      ]);
      expect(r.changes).toBe(1);
      await db.run('INSERT INTO vals (id, i, big, flag) VALUES (?, ?, ?, ?)', [2, -(2 ** 53 - 1), -(2n ** 62n), false]);
      const rows = await db.all('SELECT * FROM vals ORDER BY id');
      const t = db.dialect === 'sqlite' ? 1 : true;
      const f = db.dialect === 'sqlite' ? 0 : false;
      expect(rows[0]).toEqual({ id: 1, i: 2 ** 53 - 1, r: 0.125, big, s: text, b: bytes, flag: t, nul: null });
      expect(rows[0]!['b']).toBeInstanceOf(Uint8Array);
      expect(Buffer.isBuffer(rows[0]!['b'])).toBe(false);
      expect(typeof rows[0]!['i']).toBe('number');
      expect(typeof rows[0]!['big']).toBe('bigint');
      expect(rows[1]).toMatchObject({ id: 2, i: -(2 ** 53 - 1), big: -(2n ** 62n), flag: f });
      // Parameters in WHERE, including a bigint and a string with ? inside.
      const found = await db.all('SELECT id FROM vals WHERE s = ? AND big = ?', [text, big]);
      expect(found).toEqual([{ id: 1 }]);
      const counted = await db.all('SELECT count(*) AS n FROM vals');
      expect(counted).toEqual([{ n: 2 }]);
    });

    test('leaves ? inside quoted SQL literals and comments alone', async (db) => {
      const rows = await db.all(
        "SELECT '?' AS q, 'it''s ?' AS q2, ? AS p /* ? */ -- ?\n, CAST(? AS INTEGER) AS n",
        ['x', 7],
      );
      expect(rows).toEqual([{ q: '?', q2: "it's ?", p: 'x', n: 7 }]);
    });

    test('commits a transaction and rolls everything back when fn throws', async (db) => {
      await db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
      const value = await db.transaction(async () => {
        await db.run('INSERT INTO t (id) VALUES (?)', [1]);
        await db.run('INSERT INTO t (id) VALUES (?)', [2]);
        return 'done';
      });
      expect(value).toBe('done');
      const boom = new Error('boom');
      const err = await rejection(
        db.transaction(async () => {
          await db.run('INSERT INTO t (id) VALUES (?)', [3]);
          await db.insertMany('t', ['id'], [[4], [5]]);
          throw boom;
        }),
      );
      expect(err).toBe(boom);
      expect(await db.all('SELECT id FROM t ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
      // A failing statement also rolls back the whole transaction.
      await expect(
        db.transaction(async () => {
          await db.run('INSERT INTO t (id) VALUES (?)', [6]);
          await db.run('INSERT INTO t (id) VALUES (?)', [1]);
        }),
      ).rejects.toBeInstanceOf(DatabaseError);
      expect(await count(db, 't')).toBe(2);
    });

    test('a nested transaction that fails rolls back to its savepoint and keeps the outer work', async (db) => {
      await db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
      await db.transaction(async () => {
        await db.run('INSERT INTO t (id) VALUES (?)', [1]);
        await expect(
          db.transaction(async () => {
            await db.run('INSERT INTO t (id) VALUES (?)', [2]);
            await db.transaction(async () => {
              await db.run('INSERT INTO t (id) VALUES (?)', [3]);
            });
            throw new Error('inner');
          }),
        ).rejects.toThrow('inner');
        await db.transaction(async () => {
          await db.run('INSERT INTO t (id) VALUES (?)', [4]);
        });
        await db.run('INSERT INTO t (id) VALUES (?)', [5]);
      });
      expect(await db.all('SELECT id FROM t ORDER BY id')).toEqual([{ id: 1 }, { id: 4 }, { id: 5 }]);
    });

    test('serialises concurrent async transactions on one object (no lost update)', async (db) => {
      await db.exec('CREATE TABLE counter (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)');
      await db.run('INSERT INTO counter (id, v) VALUES (1, 0)');
      let inside = 0;
      let maxInside = 0;
      await Promise.all(
        Array.from({ length: 50 }, (_, k) =>
          db.transaction(async () => {
            inside++;
            maxInside = Math.max(maxInside, inside);
            const [row] = await db.all('SELECT v FROM counter WHERE id = 1');
            await sleep(k % 3);
            await db.run('UPDATE counter SET v = ? WHERE id = 1', [Number(row!['v']) + 1]);
            inside--;
          }),
        ),
      );
      expect(maxInside).toBe(1);
      expect(await db.all('SELECT v FROM counter')).toEqual([{ v: 50 }]);
    });

    test('statements outside a transaction never see its uncommitted work', async (db) => {
      await db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
      let started!: () => void;
      const inTx = new Promise<void>((r) => (started = r));
      const tx = db.transaction(async () => {
        await db.run('INSERT INTO t (id) VALUES (1)');
        started();
        await sleep(30);
        throw new Error('rollback');
      });
      await inTx;
      const seen = await db.all('SELECT count(*) AS n FROM t');
      await expect(tx).rejects.toThrow('rollback');
      expect(seen).toEqual([{ n: 0 }]);
      expect(await count(db, 't')).toBe(0);
    });

    test('insertMany inserts 10k rows and ignores duplicates on request', async (db) => {
      await db.exec('CREATE TABLE many (id BIGINT PRIMARY KEY, name TEXT, big BIGINT)');
      const rows = (from: number, n: number) =>
        Array.from({ length: n }, (_, i) => [from + i, `row '${from + i}' ?`, 2n ** 55n + BigInt(from + i)] as const);
      expect((await db.insertMany('many', ['id', 'name', 'big'], rows(0, 10_000))).changes).toBe(10_000);
      const again = await db.insertMany('many', ['id', 'name', 'big'], rows(5_000, 10_000), { onConflict: 'ignore' });
      expect(again.changes).toBe(5_000);
      expect(await count(db, 'many')).toBe(15_000);
      const sample = await db.all('SELECT * FROM many WHERE id = ?', [12_345]);
      expect(sample).toEqual([{ id: 12_345, name: "row '12345' ?", big: 2n ** 55n + 12_345n }]);
      // Without ignore a duplicate fails the whole call: nothing of it stays.
      const err = await rejection(db.insertMany('many', ['id', 'name', 'big'], rows(14_990, 20)));
      expect(isUniqueViolation(err)).toBe(true);
      expect(await count(db, 'many')).toBe(15_000);
      expect((await db.insertMany('many', ['id'], [])).changes).toBe(0);
    });

    test('detects unique violations and wraps driver errors', async (db) => {
      await db.exec('CREATE TABLE u (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)');
      await db.run('INSERT INTO u (id, name) VALUES (?, ?)', [1, 'a']);
      const dupName = await rejection(db.run('INSERT INTO u (id, name) VALUES (?, ?)', [2, 'a']));
      expect(dupName).toBeInstanceOf(DatabaseError);
      expect((dupName as DatabaseError).code).toBe('BUTLER_DATABASE');
      expect((dupName as Error).message).toContain('INSERT INTO u (id, name) VALUES');
      expect((dupName as Error).cause).toBeDefined();
      expect(isUniqueViolation(dupName)).toBe(true);
      expect(isUniqueViolation(await rejection(db.run('INSERT INTO u (id, name) VALUES (?, ?)', [1, 'b'])))).toBe(true);
      const notNull = await rejection(db.run('INSERT INTO u (id, name) VALUES (?, ?)', [3, null]));
      expect(notNull).toBeInstanceOf(DatabaseError);
      expect(isUniqueViolation(notNull)).toBe(false);
      expect(driverErrorCode(notNull)).toBe(db.dialect === 'sqlite' ? 'SQLITE_CONSTRAINT_NOTNULL' : '23502');
      const syntax = await rejection(db.all('SELEC 1'));
      expect(syntax).toBeInstanceOf(DatabaseError);
      expect((syntax as Error).message).toContain('SELEC 1');
      expect(isUniqueViolation(new Error('x'))).toBe(false);
    });

    test('rejects calls after close', async (db) => {
      await db.close();
      await db.close();
      await expect(db.all('SELECT 1')).rejects.toBeInstanceOf(DatabaseError);
    });
  });
}

databaseConformance('SQLite in memory', async (fn) => {
  const db = SqliteDatabase.open(':memory:');
  try {
    await fn(db);
  } finally {
    await db.close();
  }
});

databaseConformance('SQLite file (WAL)', async (fn) => {
  const db = SqliteDatabase.open(join(tmpDir(), 'test.sqlite3'));
  try {
    await fn(db);
  } finally {
    await db.close();
  }
});

databaseConformance(
  'PostgreSQL',
  PG_URL === undefined
    ? undefined
    : (fn) =>
        withPostgresSchema(PG_URL, async (schema) => {
          const db = await PostgresDatabase.connect(PG_URL, { schema });
          try {
            await fn(db);
          } finally {
            await db.close();
          }
        }),
);

describe('SqliteDatabase', () => {
  it('uses WAL, foreign keys and a busy timeout', async () => {
    const path = join(tmpDir(), 'pragmas.sqlite3');
    const db = SqliteDatabase.open(path, { busyTimeoutMs: 1234 });
    expect(await db.all('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    expect(await db.all('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }]);
    expect(await db.all('PRAGMA busy_timeout')).toEqual([{ timeout: 1234 }]);
    expect(await db.all('PRAGMA synchronous')).toEqual([{ synchronous: 1 }]);
    await db.exec('CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (p INTEGER REFERENCES p (id))');
    expect(isUniqueViolation(await rejection(db.run('INSERT INTO c (p) VALUES (1)')))).toBe(false);
    await db.close();
    const ro = SqliteDatabase.open(path, { readonly: true });
    expect(await ro.hasTable('p')).toBe(true);
    await expect(ro.run('INSERT INTO p (id) VALUES (1)')).rejects.toBeInstanceOf(DatabaseError);
    await ro.close();
  });

  it('a second connection waits (without blocking the event loop) for the write lock, up to the busy timeout', async () => {
    const path = join(tmpDir(), 'busy.sqlite3');
    const a = SqliteDatabase.open(path);
    const b = SqliteDatabase.open(path, { busyTimeoutMs: 2000 });
    const c = SqliteDatabase.open(path, { busyTimeoutMs: 50 });
    await a.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = a.transaction(async () => {
      await a.run('INSERT INTO t (id) VALUES (1)');
      locked();
      await held;
    });
    await isLocked;
    const waiter = b.transaction(() => b.run('INSERT INTO t (id) VALUES (2)'));
    const tooShort = await rejection(c.transaction(() => c.run('INSERT INTO t (id) VALUES (3)')));
    expect(tooShort).toBeInstanceOf(DatabaseError);
    expect(driverErrorCode(tooShort)).toBe('SQLITE_BUSY');
    release();
    await holder;
    await waiter;
    expect(await a.all('SELECT id FROM t ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  it('refuses a missing file when create is false', () => {
    expect(() => SqliteDatabase.open(join(tmpDir(), 'missing.sqlite3'), { create: false })).toThrow(DatabaseError);
  });

  it('two processes insert concurrently into one WAL file without errors', async () => {
    const path = join(tmpDir(), 'concurrent.sqlite3');
    const db = SqliteDatabase.open(path);
    await db.exec('CREATE TABLE concurrent (worker INTEGER NOT NULL, seq INTEGER NOT NULL, payload TEXT, PRIMARY KEY (worker, seq))');
    await db.close();
    const url = `sqlite://${path}`;
    // Both start together (after tsx's start-up), so one waits on the other's write lock.
    const startAt = String(Date.now() + 2000);
    const outputs = await Promise.all(
      [1, 2].map((w) => run(TSX, ['--conditions=@skystack/source', WORKER, url, String(w), '2000', '5', startAt])),
    );
    for (const o of outputs) expect(o.stdout.trim()).toBe('ok 2000');
    const check = SqliteDatabase.open(path);
    expect(await check.all('SELECT worker, count(*) AS n FROM concurrent GROUP BY worker ORDER BY worker')).toEqual([
      { worker: 1, n: 2000 },
      { worker: 2, n: 2000 },
    ]);
    await check.close();
  }, 30_000);
});

describe.skipIf(PG_URL === undefined)('PostgresDatabase', () => {
  it('four processes insert concurrently into one table without errors', async () => {
    await withPostgresSchema(PG_URL!, async (schema) => {
      const db = await PostgresDatabase.connect(PG_URL!, { schema });
      await db.exec('CREATE TABLE concurrent (worker INTEGER NOT NULL, seq INTEGER NOT NULL, payload TEXT, PRIMARY KEY (worker, seq))');
      const url = `${PG_URL!}${PG_URL!.includes('?') ? '&' : '?'}schema=${schema}`;
      const startAt = String(Date.now() + 2500);
      const outputs = await Promise.all(
        [1, 2, 3, 4].map((w) => run(TSX, ['--conditions=@skystack/source', WORKER, url, String(w), '2000', '10', startAt])),
      );
      for (const o of outputs) expect(o.stdout.trim()).toBe('ok 2000');
      const rows = await db.all('SELECT worker, count(*) AS n FROM concurrent GROUP BY worker ORDER BY worker');
      expect(rows).toEqual([1, 2, 3, 4].map((worker) => ({ worker, n: 2000 })));
      await db.close();
    });
  }, 30_000);

  it('retries a transaction that hits a serialization failure', async () => {
    await withPostgresSchema(PG_URL!, async (schema) => {
      const db = await PostgresDatabase.connect(PG_URL!, { schema });
      await db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
      let tries = 0;
      await db.transaction(async () => {
        tries++;
        await db.run('INSERT INTO t (id) VALUES (?)', [tries]);
        if (tries < 3) await db.exec("DO $$ BEGIN RAISE EXCEPTION 'simulated' USING ERRCODE = '40001'; END $$");
      });
      expect(tries).toBe(3);
      expect(await db.all('SELECT id FROM t')).toEqual([{ id: 3 }]);
      await db.close();
    });
  });

  it('maps numeric to string and bytea to Uint8Array', async () => {
    await withPostgresSchema(PG_URL!, async (schema) => {
      const db = await PostgresDatabase.connect(PG_URL!, { schema });
      const rows: SqlRow[] = await db.all("SELECT 1.50::numeric AS n, '\\x0102'::bytea AS b, 9007199254740993::bigint AS big");
      expect(rows).toEqual([{ n: '1.50', b: new Uint8Array([1, 2]), big: 9007199254740993n }]);
      await db.close();
    });
  });

  it('reports an unreachable server clearly', async () => {
    await expect(PostgresDatabase.connect('postgresql://postgres@127.0.0.1:1/postgres')).rejects.toThrow(
      /Cannot connect to PostgreSQL at postgresql:\/\/postgres@127\.0\.0\.1:1\/postgres/,
    );
  });
});

describe('rewritePlaceholders', () => {
  it('numbers ? outside quotes, comments and dollar quotes', () => {
    expect(rewritePlaceholders(`SELECT ?, '?', "a?", 'it''s ?', E'\\'?', $$?$$, $q$?$q$ -- ?\n, ? /* ? */`)).toEqual({
      sql: `SELECT $1, '?', "a?", 'it''s ?', E'\\'?', $$?$$, $q$?$q$ -- ?\n, $2 /* ? */`,
      count: 2,
    });
  });
});

describe('openDatabase', () => {
  it('opens SQLite files and memory databases', async () => {
    const mem = await openDatabase('sqlite://');
    expect(mem.dialect).toBe('sqlite');
    await mem.close();
    const path = join(tmpDir(), 'open.sqlite3');
    const file = await openDatabase(`sqlite://${path}`);
    expect(file.description).toBe(`sqlite:${path}`);
    await file.close();
  });

  it('rejects other URLs with the accepted forms', async () => {
    await expect(openDatabase('mysql://u:secret@h/db')).rejects.toThrow(/Unsupported database URL 'mysql:\/\/u:\*\*\*@h\/db'.*sqlite:\/\/\//);
    await expect(openDatabase('sqlite:relative.db')).rejects.toBeInstanceOf(DatabaseError);
  });

  it.skipIf(PG_URL === undefined)('opens PostgreSQL with a schema', async () => {
    await withPostgresSchema(PG_URL!, async (schema) => {
      const db = await openDatabase(`${PG_URL!}?schema=${schema}`);
      expect(db.dialect).toBe('postgresql');
      await db.exec('CREATE TABLE here (id INTEGER)');
      expect((await db.all('SELECT current_schema() AS s'))[0]!['s']).toBe(schema);
      expect(await db.hasTable('here')).toBe(true);
      await db.close();
    });
  });
});
