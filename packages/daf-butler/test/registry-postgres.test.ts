// The registry conformance suite on PostgreSQL: a fresh schema for every registry, dropped after
// the test. The server comes from SKYSTACK_PG_URL (`postgresUrl()`); without it the suite is
// skipped, and under CI=true postgresUrl() throws.
import pg from 'pg';
import { postgresUrl } from '@skystack/test-support';
import { afterEach, describe, it } from 'vitest';
import { createRegistry } from '../src/registry/sql/sql-registry.js';
import { defineRegistryConformanceTests } from './registry-conformance.js';
import { defineQuerySemanticsTests } from './query-semantics.js';

const url = postgresUrl();

if (url === undefined) {
  describe.skip('Registry conformance (postgresql): SKYSTACK_PG_URL is not set', () => {
    it('needs a PostgreSQL server', () => undefined);
  });
} else {
  const created: string[] = [];
  let counter = 0;

  afterEach(async () => {
    const schemas = created.splice(0);
    if (schemas.length === 0) return;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } finally {
      await client.end();
    }
  });

  const make = () => {
    const schema = `conformance_${process.pid}_${Date.now().toString(36)}_${++counter}`;
    created.push(schema);
    const u = new URL(url);
    u.searchParams.set('schema', schema);
    return createRegistry(u.toString());
  };
  defineRegistryConformanceTests('postgresql', make);
  defineQuerySemanticsTests('postgresql', make);
}
