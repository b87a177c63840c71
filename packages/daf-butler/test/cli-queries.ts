// The query commands on a repository holding daf_butler's registry fixtures; run on SQLite
// (cli.test.ts) and PostgreSQL (cli-postgres.test.ts). Expectations come from the fixture
// files, not from the CLI's own output.
import { beforeAll, describe, expect, it } from 'vitest';
import { butler, fixtureRecords, importFixtures, loadFixture, ok, parseTable } from './cli-harness.js';

/**
 * Defines the query tests.
 *
 * @param label - sqlite or postgresql
 * @param makeRepo - makes an empty repository with `butler create` and returns its path
 */
export function defineCliQueryTests(label: string, makeRepo: () => Promise<string>): void {
  describe(`butler query commands (${label})`, () => {
    let repo: string;
    beforeAll(async () => {
      repo = await makeRepo();
      await importFixtures(repo);
      await ok('collection-chain', repo, 'chain1', 'imported_g,imported_r');
      await ok('collection-chain', repo, 'chain2', 'chain1', 'imported_r');
    }, 60_000);

    it('query-collections --chains=tree indents children below their chains', async () => {
      const out = await ok('query-collections', repo, '--chains=tree');
      expect(out.trimEnd().split('\n')).toEqual([
        'Name           Type',
        '-------------- -------',
        'chain1         CHAINED',
        '  imported_g   RUN',
        '  imported_r   RUN',
        'chain2         CHAINED',
        '  chain1       CHAINED',
        '    imported_g RUN',
        '    imported_r RUN',
        '  imported_r   RUN',
        'imported_g     RUN',
        'imported_r     RUN',
      ]);
      // TREE is the default; values are case-insensitive.
      expect(await ok('query-collections', repo)).toBe(out);
      expect(await ok('query-collections', repo, '--chains', 'TrEe')).toBe(out);
    });

    it('query-collections --chains=table, inverse-table, flatten, no-children, --collection-type, --json', async () => {
      const table = parseTable((await ok('query-collections', repo, '--chains=table')).trimEnd().split('\n'));
      expect(table).toEqual([
        { Name: 'chain1', Type: 'CHAINED', Children: 'imported_g' },
        { Name: '', Type: '', Children: 'imported_r' },
        { Name: 'chain2', Type: 'CHAINED', Children: 'chain1' },
        { Name: '', Type: '', Children: 'imported_r' },
        { Name: 'imported_g', Type: 'RUN', Children: '' },
        { Name: 'imported_r', Type: 'RUN', Children: '' },
      ]);
      const inv = parseTable((await ok('query-collections', repo, '--chains=INVERSE-TABLE', 'imported_*')).trimEnd().split('\n'));
      expect(inv).toEqual([
        { Name: 'imported_g', Type: 'RUN', Parents: 'chain1' },
        { Name: 'imported_r', Type: 'RUN', Parents: 'chain1' },
        { Name: '', Type: '', Parents: 'chain2' },
      ]);
      const flat = parseTable((await ok('query-collections', repo, 'chain2', '--chains=flatten')).trimEnd().split('\n'));
      expect(flat.map((r) => r['Name'])).toEqual(['imported_g', 'imported_r']);
      const noChildren = parseTable((await ok('query-collections', repo, '--chains=no-children')).trimEnd().split('\n'));
      expect(noChildren.map((r) => r['Name'])).toEqual(['chain1', 'chain2', 'imported_g', 'imported_r']);
      const runs = JSON.parse(await ok('query-collections', repo, '--collection-type', 'run', '--json'));
      expect(runs).toEqual([
        { name: 'imported_g', type: 'RUN', children: [] },
        { name: 'imported_r', type: 'RUN', children: [] },
      ]);
      const bad = await butler(['query-collections', repo, '--chains', 'sideways']);
      expect(bad.code).toBe(2);
    });

    it("query-dataset-types '*' lists the fixture's dataset types, -v with dimensions and storage class", async () => {
      const expected = [...loadFixture('base.yaml').data.filter((d) => d.type === 'dataset_type')].sort((a, b) => a.name!.localeCompare(b.name!));
      const names = parseTable((await ok('query-dataset-types', repo, '*')).trimEnd().split('\n'));
      expect(names).toEqual(expected.map((d) => ({ name: d.name })));
      const verbose = parseTable((await ok('query-dataset-types', repo, '-v')).trimEnd().split('\n'));
      expect(verbose.map((r) => r['storage class'])).toEqual(expected.map((d) => d.storage_class));
      for (const [i, d] of expected.entries()) {
        const dims = verbose[i]!['dimensions']!.replace(/[[\]']/g, '').split(', ');
        expect(new Set(dims)).toEqual(new Set(d.dimensions));
      }
      const json = JSON.parse(await ok('query-dataset-types', repo, 'fl*', '--json'));
      expect(json.map((r: { name: string }) => r.name)).toEqual(['flat']);
      expect((await ok('query-dataset-types', repo, 'nothing*')).trim()).toBe('No results. Try --help for more information.');
    });

    it('query-data-ids visit detector --where band and detector range, from hsc-rc2-subset-v0.yaml', async () => {
      const filters = new Map(fixtureRecords('hsc-rc2-subset-v0.yaml', 'physical_filter').map((r) => [r['name'] as string, r['band'] as string]));
      const visits = fixtureRecords('hsc-rc2-subset-v0.yaml', 'visit').filter((v) => filters.get(v['physical_filter'] as string) === 'r');
      const detectors = fixtureRecords('hsc-rc2-subset-v0.yaml', 'detector').map((d) => d['id'] as number).filter((d) => d >= 1 && d <= 2);
      const expected = visits
        .flatMap((v) => detectors.map((d) => ({ instrument: 'HSC', detector: String(d), visit: String(v['id']), band: 'r', physical_filter: String(v['physical_filter']) })))
        .sort((a, b) => Number(a.visit) - Number(b.visit) || Number(a.detector) - Number(b.detector));
      expect(expected.length).toBeGreaterThan(0);
      const out = await ok('query-data-ids', repo, 'visit', 'detector', '--where', "instrument='HSC' and band='r' and detector in (1..2)");
      const lines = out.trimEnd().split('\n');
      expect(lines[0]!.split(/\s+/)).toEqual(['instrument', 'detector', 'visit', 'band', 'physical_filter', 'day_obs']);
      const rows = parseTable(lines).map(({ day_obs: _d, ...rest }) => rest);
      expect(rows).toEqual(expected);
      const json = JSON.parse(await ok('query-data-ids', repo, 'visit', 'detector', '--where', "instrument='HSC' and band='r' and detector in (1..2)", '--json'));
      expect(json.map((r: Record<string, unknown>) => [r['visit'], r['detector']])).toEqual(expected.map((e) => [Number(e.visit), Number(e.detector)]));
      const none = await ok('query-data-ids', repo, 'visit', '--where', "band='z'");
      expect(none.trimEnd().split('\n').at(-1)).toBe('No results. Try --help for more information.');
      const limited = JSON.parse(await ok('query-data-ids', repo, 'detector', '--where', "instrument='Cam1'", '--order-by', '-detector', '--limit', '2', '--json'));
      expect(limited.map((r: { detector: number }) => r.detector)).toEqual([4, 3]);
    });

    it('query-data-ids --datasets with --collections uses the dimensions the dataset types share', async () => {
      const out = await ok('query-data-ids', repo, '--datasets', 'bias', '--collections', 'imported_g');
      const rows = parseTable(out.trimEnd().split('\n'));
      // datasets.yaml: imported_g has bias for detectors 1-3.
      expect(rows).toEqual([1, 2, 3].map((d) => ({ instrument: 'Cam1', detector: String(d) })));
    });

    it('query-datasets prints one table per dataset type with type, run, id and the data ID', async () => {
      const out = await ok('query-datasets', repo, '--collections', 'imported_r');
      const blocks = out.split('\n\n').map((b) => b.trim()).filter((b) => b !== '');
      expect(blocks).toHaveLength(2);
      const fixture = loadFixture('datasets.yaml').data.filter((d) => d.type === 'dataset' && (d as { run?: string }).run === 'imported_r');
      for (const block of blocks) {
        const lines = block.split('\n');
        const rows = parseTable(lines);
        const type = rows[0]!['type']!;
        expect(lines[0]!.split(/\s+/).slice(0, 3)).toEqual(['type', 'run', 'id']);
        const want = fixture
          .filter((d) => (d as { dataset_type?: string }).dataset_type === type)
          .flatMap((d) => d.records!)
          .map((r) => ({ id: String(r['dataset_id']), detector: String((r['data_id'] as { detector: number }).detector) }))
          .sort((a, b) => Number(a.detector) - Number(b.detector));
        expect(rows.map((r) => ({ id: r['id'], detector: r['detector'] }))).toEqual(want);
        expect(new Set(rows.map((r) => r['run']))).toEqual(new Set(['imported_r']));
      }
      const json = JSON.parse(await ok('query-datasets', repo, 'bias', '--collections', 'chain1', '--find-first', '--json'));
      // bias: imported_g has 1-3, imported_r has 2-4; find-first through chain1 = g for 1-3, r for 4.
      expect(json.map((r: { detector: number; run: string }) => [r.detector, r.run])).toEqual([
        [1, 'imported_g'],
        [2, 'imported_g'],
        [3, 'imported_g'],
        [4, 'imported_r'],
      ]);
      const all = JSON.parse(await ok('query-datasets', repo, 'bias', '--collections', 'chain1', '--no-find-first', '--json'));
      expect(all).toHaveLength(6);
      const where = JSON.parse(await ok('query-datasets', repo, 'flat', '--where', "band='r' AND detector > 2", '--json'));
      expect(where.map((r: { physical_filter: string }) => r.physical_filter).sort()).toEqual(['Cam1-R2', 'Cam1-R2']);
    });

    it('query-dimension-records prints the fields of the records', async () => {
      const out = await ok('query-dimension-records', repo, 'detector', '--where', "instrument='Cam1'");
      const rows = parseTable(out.trimEnd().split('\n'));
      const want = fixtureRecords('base.yaml', 'detector').map((r) => ({
        instrument: String(r['instrument']),
        id: String(r['id']),
        full_name: String(r['full_name']),
        name_in_raft: String(r['name_in_raft']),
        raft: String(r['raft']),
        purpose: String(r['purpose']),
      }));
      expect(rows).toEqual(want);
      const visits = JSON.parse(await ok('query-dimension-records', repo, 'visit', '--where', "instrument='HSC'", '--json'));
      expect(visits.map((v: { id: number }) => v.id)).toEqual(fixtureRecords('hsc-rc2-subset-v0.yaml', 'visit').map((v) => v['id']));
      expect(visits[0].exposure_time).toBe(fixtureRecords('hsc-rc2-subset-v0.yaml', 'visit')[0]!['exposure_time']);
    });

    it('reports query errors as one Error: line', async () => {
      const r = await butler(['query-datasets', repo, '--where', 'detector =']);
      expect(r.code).toBe(1);
      expect(r.err.trimEnd().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(/^Error: /);
      const t = await butler(['query-data-ids', repo, 'visitt']);
      expect(t.code).toBe(1);
      expect(t.err).toMatch(/^Error: .*visitt/);
    });
  });
}
