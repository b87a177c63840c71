// The query commands on a PostgreSQL registry: `butler create --seed-config` with
// `registry.db` pointing at a fresh schema. Skipped without SKYSTACK_PG_URL.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresUrl } from '@skystack/test-support';
import pg from 'pg';
import { afterAll, describe, it } from 'vitest';
import { ok, REGISTRY_DATA } from './cli-harness.js';
import { defineCliQueryTests } from './cli-queries.js';

const url = postgresUrl();

if (url === undefined || REGISTRY_DATA === undefined) {
  describe.skip('butler CLI (postgresql): SKYSTACK_PG_URL is not set', () => {
    it('needs a PostgreSQL server', () => undefined);
  });
} else {
  const tmp = mkdtempSync(join(tmpdir(), 'butler-cli-pg-'));
  const schemas: string[] = [];
  let n = 0;
  afterAll(async () => {
    rmSync(tmp, { recursive: true, force: true });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    } finally {
      await client.end();
    }
  });
  defineCliQueryTests('postgresql', async () => {
    const schema = `cli_${process.pid}_${Date.now().toString(36)}_${++n}`;
    schemas.push(schema);
    const u = new URL(url);
    u.searchParams.set('schema', schema);
    const seed = join(tmp, `seed${n}.yaml`);
    writeFileSync(seed, `registry:\n  db: ${JSON.stringify(u.toString())}\n`);
    const repo = join(tmp, `repo${n}`);
    await ok('create', repo, '--seed-config', seed);
    return repo;
  });
}
