// `butler` end to end, in-process, on SQLite repositories made by `butler create`.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { butler, ok, REGISTRY_DATA } from './cli-harness.js';
import { defineCliQueryTests } from './cli-queries.js';

const tmp = mkdtempSync(join(tmpdir(), 'butler-cli-'));
let n = 0;
const newRepo = async (): Promise<string> => {
  const repo = join(tmp, `repo${++n}`);
  await ok('create', repo);
  return repo;
};
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(REGISTRY_DATA === undefined)('butler CLI (sqlite)', () => {
  defineCliQueryTests('sqlite', newRepo);
});

describe('butler CLI basics', () => {
  it('--help on the program and on every command; unknown commands and options exit 2', async () => {
    const help = await butler(['--help']);
    expect(help.code).toBe(0);
    for (const c of ['create', 'query-collections', 'query-datasets', 'prune-datasets', 'transfer-datasets', 'export']) expect(help.out).toContain(c);
    const sub = await butler(['export', '--help']);
    expect(sub.out).toContain('SkyStack addition');
    expect((await butler(['query-colections', 'x'])).code).toBe(2);
    const bad = await butler(['query-collections', 'x', '--bogus']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("unknown option '--bogus'");
  });

  it('a missing repository is one Error: line, exit 1; the stack only with --log-level DEBUG', async () => {
    const r = await butler(['query-collections', join(tmp, 'nope')]);
    expect(r.code).toBe(1);
    expect(r.err.trimEnd().split('\n')).toEqual([expect.stringMatching(/^Error: No repository at .*nope.*butler create/)]);
    const d = await butler(['--log-level', 'DEBUG', 'query-collections', join(tmp, 'nope')]);
    expect(d.err).toContain('    at ');
    const l = await butler(['--log-level', 'LOUD', 'query-collections', join(tmp, 'nope')]);
    expect(l.code).toBe(1);
    expect(l.err).toMatch(/^Error: Invalid --log-level value 'LOUD'/);
  });

  it('create, config-dump, config-validate, create with -f and --standalone', async () => {
    const repo = await newRepo();
    expect(existsSync(join(repo, 'butler.yaml'))).toBe(true);
    expect((await butler(['create', repo])).code).toBe(1);
    expect((await ok('config-dump', repo, '-s', '.datastore.root')).trim()).toBe(repo);
    expect(await ok('config-dump', repo)).toContain('registry:');
    const missing = await butler(['config-dump', repo, '--subset', '.nothing.here']);
    expect(missing.code).toBe(1);
    const file = join(tmp, 'dump.yaml');
    await ok('config-dump', repo, '--file', file);
    expect(readFileSync(file, 'utf8')).toContain('datastore:');
    await ok('register-dataset-type', repo, 'metrics', 'StructuredDataDict', 'instrument');
    expect((await ok('config-validate', repo)).trim()).toBe('No problems encountered with configuration.');
    const out = join(tmp, 'elsewhere.yaml');
    const repo2 = join(tmp, 'repo-f');
    await ok('create', repo2, '-f', out, '--standalone');
    expect(existsSync(join(repo2, 'butler.yaml'))).toBe(false);
    expect((await ok('query-collections', out)).trim()).toBe('Name Type\n---- ----');
  });

  it('register-dataset-type, remove-dataset-type', async () => {
    const repo = await newRepo();
    expect((await ok('register-dataset-type', repo, 'metrics', 'StructuredDataDict', 'instrument', 'visit')).trim()).toBe('Dataset type successfully registered.');
    expect((await ok('register-dataset-type', repo, 'metrics', 'StructuredDataDict', 'instrument', 'visit')).trim()).toBe('Dataset type already existed in identical form.');
    const bad = await butler(['register-dataset-type', repo, 'm2', 'StructuredDataDictt']);
    expect(bad.err).toMatch(/^Error: Unknown storage class 'StructuredDataDictt'. Did you mean 'StructuredDataDict'\?/);
    expect((await butler(['register-dataset-type', repo, 'metrics.a', 'StructuredDataDict'])).code).toBe(1);
    await ok('register-dataset-type', repo, 'bias', 'StructuredDataDict', 'instrument', 'detector', '--is-calibration');
    expect(JSON.parse(await ok('query-dataset-types', repo, 'bias', '--json'))[0].isCalibration).toBe(true);
    await ok('remove-dataset-type', repo, 'metr*');
    expect(JSON.parse(await ok('query-dataset-types', repo, '--json')).map((d: { name: string }) => d.name)).toEqual(['bias']);
  });

  describe.skipIf(REGISTRY_DATA === undefined)('writing commands', () => {
    it('collection-chain modes, associate, certify-calibrations, remove-collections', async () => {
      const repo = await newRepo();
      await ok('import', repo, REGISTRY_DATA!, '--export-file', join(REGISTRY_DATA!, 'base.yaml'), '--without-datastore');
      await ok('import', repo, REGISTRY_DATA!, '--export-file', join(REGISTRY_DATA!, 'datasets.yaml'), '--without-datastore');
      expect((await ok('collection-chain', repo, 'c', 'imported_g')).trim()).toBe('[imported_g]');
      expect((await ok('collection-chain', repo, 'c', '--mode', 'extend', 'imported_r')).trim()).toBe('[imported_g, imported_r]');
      expect((await ok('collection-chain', repo, 'c', '--mode', 'pop', '--', '-1')).trim()).toBe('[imported_g]');
      expect((await ok('collection-chain', repo, 'c', '--mode', 'prepend', 'imported_r')).trim()).toBe('[imported_r, imported_g]');
      expect((await ok('collection-chain', repo, 'c', '--mode', 'remove', 'imported_g')).trim()).toBe('[imported_r]');
      expect((await butler(['collection-chain', repo, 'c', '--mode', 'sideways'])).code).toBe(2);

      await ok('associate', repo, 'tagged', '--collections', 'imported_g', '--datasets', 'bias', '--where', 'detector < 3');
      const tagged = JSON.parse(await ok('query-datasets', repo, '--collections', 'tagged', '--json'));
      expect(tagged.map((r: { detector: number }) => r.detector)).toEqual([1, 2]);

      await ok('certify-calibrations', repo, 'imported_g', 'calib', 'bias', '--begin-date', '2020-01-01T00:00:00', '--end-date', '2021-01-01T00:00:00');
      const calib = JSON.parse(await ok('query-collections', repo, 'calib', '--json'));
      expect(calib).toEqual([{ name: 'calib', type: 'CALIBRATION', children: [] }]);
      const none = await butler(['certify-calibrations', repo, 'imported_g', 'calib', 'flatt']);
      expect(none.code).toBe(1);

      const refused = await butler(['remove-collections', repo, 'tagged']);
      expect(refused.code).toBe(1);
      expect(refused.out).toContain('The following collections will be removed:');
      expect(refused.err).toMatch(/^Error: Confirmation needed.*--no-confirm/);
      expect((await butler(['remove-collections', repo, 'tagged'], false)).out).toContain('Aborted.');
      const removed = await ok('remove-collections', repo, 'c', '--no-confirm', '--remove-from-parents');
      expect(removed).toContain('Removed collections:');
      await ok('remove-collections', repo, 'tagged', '--no-confirm');
      expect(JSON.parse(await ok('query-collections', repo, '--json')).map((c: { name: string }) => c.name)).toEqual(['calib', 'imported_g', 'imported_r']);
    });

    it('ingest-files, query-datasets --show-uri, retrieve-artifacts, export, import, transfer-datasets, prune-datasets, remove-runs', async () => {
      const repo = await newRepo();
      await ok('import', repo, REGISTRY_DATA!, '--export-file', join(REGISTRY_DATA!, 'base.yaml'), '--without-datastore');
      await ok('register-dataset-type', repo, 'metrics', 'StructuredDataDict', 'instrument', 'detector');
      const files = join(tmp, 'files');
      rmSync(files, { recursive: true, force: true });
      await import('node:fs').then((fs) => fs.mkdirSync(files, { recursive: true }));
      for (const d of [1, 2, 3]) writeFileSync(join(files, `m${d}.json`), JSON.stringify({ detector: d }));
      writeFileSync(join(files, 'table.csv'), 'file,detector\nm1.json,1\nm2.json,2\n"m3.json",3\n');
      await ok('ingest-files', repo, 'metrics', 'u/me/run', join(files, 'table.csv'), '--data-id', 'instrument=Cam1', '--prefix', files, '-t', 'copy', '--id-generation-mode', 'dataid_type_run');
      const uris = JSON.parse(await ok('query-datasets', repo, 'metrics', '--show-uri', '--json'));
      expect(uris).toHaveLength(3);
      for (const u of uris) expect(readFileSync(new URL(u.URI), 'utf8')).toBe(JSON.stringify({ detector: u.detector }));

      const dest = join(tmp, 'artifacts');
      expect(await ok('retrieve-artifacts', repo, dest, '--no-preserve-path')).toContain('Number of artifacts retrieved into destination');
      expect((await butler(['retrieve-artifacts', repo, dest, '--no-preserve-path'])).code).toBe(1);
      await ok('retrieve-artifacts', repo, dest, '--no-preserve-path', '--clobber');

      const exp = join(tmp, 'export');
      expect(await ok('export', repo, exp, '--datasets', 'metrics', '--where', 'detector < 3')).toContain('Exported 2 datasets');
      const repo2 = await newRepo();
      await ok('import', repo2, exp);
      const imported = JSON.parse(await ok('query-datasets', repo2, '--json'));
      expect(imported.map((r: { id: string }) => r.id).sort()).toEqual(uris.filter((u: { detector: number }) => u.detector < 3).map((u: { id: string }) => u.id).sort());

      const repo3 = await newRepo();
      expect(await ok('transfer-datasets', repo, repo3, '--datasets', 'metrics', '--register-dataset-types', '--transfer-dimensions')).toContain('Number of datasets transferred: 3');

      const dry = await ok('prune-datasets', repo, 'u/me/run', '--datasets', 'metrics', '--where', 'detector = 1', '--unstore', '--dry-run');
      expect(dry).toContain('will be removed from any datastores');
      expect((await butler(['prune-datasets', repo])).err).toMatch(/^Error: No operation/);
      expect((await butler(['prune-datasets', repo, '--purge', 'u/me/run', '--disassociate', 't'])).code).toBe(1);
      await ok('prune-datasets', repo, '--purge', 'u/me/run', '--where', 'detector = 1', '--no-confirm', '--quiet');
      expect(JSON.parse(await ok('query-datasets', repo, '--json'))).toHaveLength(2);

      await ok('collection-chain', repo, 'chain', 'u/me/run');
      const refusedRun = await butler(['remove-runs', repo, 'u/me/*', '--no-confirm']);
      expect(refusedRun.code).toBe(1);
      expect(refusedRun.out).toContain('u/me/run: must be unlinked from "chain"');
      const gone = await ok('remove-runs', repo, 'u/me/*', '--no-confirm', '--force');
      expect(gone).toContain('metrics(2)');
      expect(JSON.parse(await ok('query-datasets', repo, '--json'))).toEqual([]);
      expect((await ok('remove-runs', repo, 'u/me/*', '--no-confirm')).trim()).toBe('No RUN collections were found.');
    });
  });
});
