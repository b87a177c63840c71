// SqlRegistry.open's schema-version check on a real SQLite file: a registry written by a newer
// schema is refused with a message that names both versions, and a database with no registry
// is refused with a hint to create one.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatabaseError, SchemaVersionError } from '../src/errors.js';
import { SCHEMA_VERSION } from '../src/registry/sql/schema.js';
import { createRegistry, openRegistry } from '../src/registry/sql/sql-registry.js';
import { SqliteDatabase } from '../src/registry/sql/sqlite-database.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'skystack-schema-version-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function registryWithSchemaVersion(version: string): Promise<string> {
  const url = `sqlite://${join(dir, 'gen3.sqlite3')}`;
  const registry = await createRegistry(url);
  const result = await registry.db.run("UPDATE butler_attributes SET value = ? WHERE name = 'schema_version'", [version]);
  expect(result.changes).toBe(1);
  await registry.close();
  return url;
}

async function openError(url: string): Promise<Error> {
  try {
    const registry = await openRegistry(url);
    await registry.close();
  } catch (e) {
    return e as Error;
  }
  throw new Error(`openRegistry(${url}) succeeded`);
}

describe('SqlRegistry.open schema version check', () => {
  it('SCHEMA_VERSION is major.minor.patch', () => {
    expect(SCHEMA_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('opens a registry it made', async () => {
    const url = await registryWithSchemaVersion(SCHEMA_VERSION);
    const registry = await openRegistry(url);
    expect(registry.universe.version).toBe(8);
    expect(registry.universe.namespace).toBe('daf_butler');
    const rows = await registry.db.all("SELECT value FROM butler_attributes WHERE name = 'schema_version'");
    expect(rows).toEqual([{ value: SCHEMA_VERSION }]);
    await registry.close();
  });

  it('refuses a newer major version, naming both versions and saying to upgrade', async () => {
    const [major] = SCHEMA_VERSION.split('.').map(Number) as [number];
    const newer = `${major + 1}.0.0`;
    const url = await registryWithSchemaVersion(newer);
    const e = await openError(url);
    expect(e).toBeInstanceOf(SchemaVersionError);
    expect((e as SchemaVersionError).code).toBe('BUTLER_SCHEMA_VERSION');
    expect(e.message).toContain(newer);
    expect(e.message).toContain(SCHEMA_VERSION);
    expect(e.message).toMatch(/upgrade/i);
  });

  it("refuses '2.0.0'", async () => {
    const e = await openError(await registryWithSchemaVersion('2.0.0'));
    expect(e).toBeInstanceOf(SchemaVersionError);
    expect(e.message).toContain('2.0.0');
    expect(e.message).toContain(SCHEMA_VERSION);
    expect(e.message).toMatch(/upgrade/i);
  });

  it('refuses a newer minor version with the same major, saying to upgrade', async () => {
    const [major, minor] = SCHEMA_VERSION.split('.').map(Number) as [number, number];
    const newer = `${major}.${minor + 1}.0`;
    const e = await openError(await registryWithSchemaVersion(newer));
    expect(e).toBeInstanceOf(SchemaVersionError);
    expect(e.message).toContain(newer);
    expect(e.message).toMatch(/upgrade/i);
  });

  it('opens a registry that differs in the patch version only', async () => {
    const [major, minor, patch] = SCHEMA_VERSION.split('.').map(Number) as [number, number, number];
    const registry = await openRegistry(await registryWithSchemaVersion(`${major}.${minor}.${patch + 1}`));
    await registry.close();
  });

  it('refuses an older major version, saying to migrate (not upgrade)', async () => {
    const e = await openError(await registryWithSchemaVersion('0.9.0'));
    expect(e).toBeInstanceOf(SchemaVersionError);
    expect(e.message).toContain('0.9.0');
    expect(e.message).toMatch(/migrate/i);
    expect(e.message).not.toMatch(/upgrade @skystack/i);
  });
});

describe('opening a database that holds no registry', () => {
  it('fails with DatabaseError suggesting butler create (a SQLite file with other tables)', async () => {
    const path = join(dir, 'other.sqlite3');
    const db = SqliteDatabase.open(path);
    await db.exec('CREATE TABLE unrelated (id INTEGER PRIMARY KEY)');
    await db.close();
    const e = await openError(`sqlite://${path}`);
    expect(e).toBeInstanceOf(DatabaseError);
    expect((e as DatabaseError).code).toBe('BUTLER_DATABASE');
    expect(e.message).toContain('holds no Butler registry');
    expect(e.message).toContain('butler create');
  });

  it('fails with DatabaseError suggesting butler create (an empty file)', async () => {
    const path = join(dir, 'empty.sqlite3');
    writeFileSync(path, '');
    const e = await openError(`sqlite://${path}`);
    expect(e).toBeInstanceOf(DatabaseError);
    expect(e.message).toContain('butler create');
  });

  it('fails for a file that is not a database, with a DatabaseError', async () => {
    const path = join(dir, 'notes.txt');
    writeFileSync(path, 'this is not a SQLite database, just text that is long enough to be checked\n'.repeat(20));
    const e = await openError(`sqlite://${path}`);
    expect(e).toBeInstanceOf(DatabaseError);
  });

  it('fails for a missing file without creating one', async () => {
    const path = join(dir, 'typo', 'gen3.sqlite3');
    const e = await openError(`sqlite://${path}`);
    expect(e).toBeInstanceOf(DatabaseError);
    expect(existsSync(path)).toBe(false);
    const path2 = join(dir, 'missing.sqlite3');
    const e2 = await openError(`sqlite://${path2}`);
    expect(e2).toBeInstanceOf(DatabaseError);
    expect(existsSync(path2)).toBe(false);
  });
});
