import { DatabaseError } from '../../errors.js';
import type { Database } from './database.js';
import { PostgresDatabase } from './postgres-database.js';
import { SqliteDatabase } from './sqlite-database.js';

const FORMS =
  'sqlite:///abs/path.sqlite3 (a SQLite file), sqlite:// (SQLite in memory) or ' +
  'postgresql://user[:password]@host:port/database[?schema=name]';

/**
 * Opens a registry database from a URL, as the `db` entry of a Butler repository
 * configuration does.
 *
 * - `sqlite:///abs/path.sqlite3`: a SQLite file (created when missing), WAL mode;
 * - `sqlite://` or `sqlite:///:memory:`: SQLite in memory;
 * - `postgresql://user@host:port/db[?schema=x]` (or `postgres://`): a PostgreSQL pool,
 *   working in schema `x` when given (created when missing).
 *
 * @param url - the database URL
 * @param options - `create: false` refuses to make a new SQLite file
 * @returns the open database
 * @throws DatabaseError for any other URL, or when the database cannot be opened
 * @example
 * ```ts
 * const db = await openDatabase('sqlite:///tmp/repo/gen3.sqlite3');
 * console.log(db.dialect); // 'sqlite'
 * await db.close();
 * ```
 * @see lsst.daf.butler.registry.DatabaseFactory
 */
export async function openDatabase(url: string, options: { create?: boolean } = {}): Promise<Database> {
  if (url === 'sqlite://' || url === 'sqlite:' || url === 'sqlite:///:memory:') return SqliteDatabase.open(':memory:');
  if (url.startsWith('sqlite:///')) {
    const path = decodeURIComponent(url.slice('sqlite://'.length).replace(/[?#].*$/, ''));
    return SqliteDatabase.open(path, { create: options.create ?? true });
  }
  if (url.startsWith('sqlite:')) {
    throw new DatabaseError(`Unsupported SQLite URL '${url}': expected an absolute path after three slashes.`, {
      hint: `Use ${FORMS}.`,
    });
  }
  if (url.startsWith('postgresql://') || url.startsWith('postgres://')) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch (err) {
      throw new DatabaseError(`Malformed PostgreSQL URL '${url}'.`, { cause: err, hint: `Use ${FORMS}.` });
    }
    const schema = parsed.searchParams.get('schema') ?? undefined;
    parsed.searchParams.delete('schema');
    return PostgresDatabase.connect(parsed.toString(), schema === undefined ? {} : { schema });
  }
  const shown = url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
  throw new DatabaseError(`Unsupported database URL '${shown}'.`, { hint: `Use ${FORMS}.` });
}
