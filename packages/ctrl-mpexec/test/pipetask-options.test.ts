// pipetask --replace-run/--prune-replaced, --rebase, --summary and --show subsets|uri|inputs,
// end to end over a temporary repository with the toy add → multiply tasks. Expected values
// come from the toy tasks' definition: multiply((input + addend 5)) by factor 2.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MissingCollectionError } from '@skystack/daf-butler';
import { QuantumGraph } from '@skystack/pipe-base';
import type { SummaryReport } from '../src/summary-report.js';
import { chainOf, makeToyRepo, pipetask, snapshot, toyInputValue, values, withButler } from './toy-repo.js';

let dir: string;
let repo: string;
let P: string;

const expected = (offset: number): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const v of [1, 2]) for (const d of [1, 2, 3]) out[`${v}/${d}`] = (toyInputValue(offset, v, d) + 5) * 2;
  return out;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'skystack-pipetask-opts-'));
  ({ repo, pipeline: P } = await makeToyRepo(dir, { 'Cam/inputs': 0, 'Cam/inputs2': 1000 }));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a command that must be refused, and checks that the repository did not change. */
async function refused(status: number, ...argv: string[]): Promise<string> {
  const before = await snapshot(repo);
  const r = await pipetask(...argv);
  expect(r.status, r.out + r.err).toBe(status);
  expect(await snapshot(repo)).toEqual(before);
  return r.err;
}

async function fileOf(collection: string, type: string, visit: number, detector: number): Promise<string> {
  return withButler(repo, async (b) => fileURLToPath(await b.getURI(type, { instrument: 'Cam', visit, detector }, { collections: collection })));
}

describe('--replace-run and --prune-replaced', () => {
  const run = (...extra: string[]) => pipetask('run', '-b', repo, '-o', 'u/rep', '-p', P, '--register-dataset-types', ...extra);

  it('refuses bad combinations with a usage error and leaves the repository unchanged', async () => {
    expect(await refused(2, 'run', '-b', repo, '-o', 'u/rep', '-p', P, '--replace-run', '--extend-run')).toMatch(/--replace-run and --extend-run/);
    expect(await refused(2, 'run', '-b', repo, '-i', 'Cam/inputs', '-o', 'u/rep', '-p', P, '--prune-replaced', 'purge')).toMatch(/--prune-replaced needs --replace-run/);
    expect(await refused(2, 'run', '-b', repo, '-o', 'u/rep', '-p', P, '--replace-run', '--prune-replaced', 'delete')).toMatch(/delete/);
    // No output chain yet: nothing to replace.
    expect(await refused(1, 'run', '-b', repo, '-i', 'Cam/inputs', '-o', 'u/rep', '-p', P, '--replace-run')).toMatch(/Error: --replace-run needs an existing output CHAINED collection/);
  });

  it('replaces the first RUN of the chain; the graph reads the rest of the chain', async () => {
    expect((await run('-i', 'Cam/inputs', '--output-run', 'u/rep/r1', '-c', 'add:addend=100')).status).toBe(0);
    expect(await chainOf(repo, 'u/rep')).toEqual(['u/rep/r1', 'Cam/inputs']);
    const g = join(dir, 'rep.qgraph');
    const q = await pipetask('qgraph', '-b', repo, '-o', 'u/rep', '-p', P, '--replace-run', '--output-run', 'u/rep/r2', '-q', g);
    expect(q.status, q.err).toBe(0);
    const graph = await withButler(repo, (b) => QuantumGraph.load(g, b.universe));
    expect(graph.metadata.inputCollections).toEqual(['Cam/inputs']);
    expect(graph.metadata.outputRun).toBe('u/rep/r2');

    const r = await run('--replace-run', '--output-run', 'u/rep/r2');
    expect(r.status, r.err).toBe(0);
    expect(await chainOf(repo, 'u/rep')).toEqual(['u/rep/r2', 'Cam/inputs']);
    expect(await values(repo, 'u/rep', 'toyProduct')).toEqual(expected(0));
    // Without --prune-replaced the replaced RUN stays as it was.
    expect(await values(repo, 'u/rep/r1', 'toyProduct')).toEqual(Object.fromEntries(Object.entries(expected(0)).map(([k, v]) => [k, v + 2 * 95])));
  });

  it('--extend-run searches the output RUN first: a later label finds what an earlier run of the pipeline wrote there', async () => {
    const first = await pipetask('run', '-b', repo, '-i', 'Cam/inputs', '-o', 'u/ext', '-p', `${P}#add`, '--register-dataset-types');
    expect(first.status, first.err).toBe(0);
    // multiply alone: its input toySum exists only in the output RUN, not in Cam/inputs.
    const second = await pipetask('run', '-b', repo, '-o', 'u/ext', '-p', `${P}#multiply`, '--extend-run', '--register-dataset-types');
    expect(second.status, second.err).toBe(0);
    expect(second.out).toMatch(/multiply\s+6\s+0\s+0\s+0/);
    expect(await values(repo, 'u/ext', 'toyProduct')).toEqual(expected(0));
  });

  it('--prune-replaced unstore deletes the files of the replaced RUN and keeps its registry entries', async () => {
    const file = await fileOf('u/rep/r2', 'toyProduct', 1, 2);
    expect(existsSync(file)).toBe(true);
    const before = (await snapshot(repo)).collections['u/rep/r2'];
    const r = await run('--replace-run', '--prune-replaced', 'unstore', '--output-run', 'u/rep/r3');
    expect(r.status, r.err).toBe(0);
    expect(await chainOf(repo, 'u/rep')).toEqual(['u/rep/r3', 'Cam/inputs']);
    expect(existsSync(file)).toBe(false);
    expect((await snapshot(repo)).collections['u/rep/r2']).toBe(before);
    await withButler(repo, async (b) => {
      const refs = await b.registry.queryDatasets('toyProduct', { collections: 'u/rep/r2' }).toArray();
      expect(refs).toHaveLength(6);
      for (const ref of refs) expect(await b.stored(ref)).toBe(false);
    });
    expect(await values(repo, 'u/rep', 'toyProduct')).toEqual(expected(0));
  });

  it('--prune-replaced purge removes the replaced RUN and its datasets', async () => {
    const file = await fileOf('u/rep/r3', 'toyProduct', 2, 3);
    const r = await run('--replace-run', '--prune-replaced', 'purge', '--output-run', 'u/rep/r4');
    expect(r.status, r.err).toBe(0);
    expect(await chainOf(repo, 'u/rep')).toEqual(['u/rep/r4', 'Cam/inputs']);
    expect(existsSync(file)).toBe(false);
    await withButler(repo, async (b) => {
      await expect(b.registry.getCollectionType('u/rep/r3')).rejects.toBeInstanceOf(MissingCollectionError);
    });
    expect(await values(repo, 'u/rep', 'toyProduct')).toEqual(expected(0));
  });
});

describe('--rebase', () => {
  it('without --rebase, other -i is refused with a hint; with it, the chain is [new, old outputs, inputs]', async () => {
    const base = ['run', '-b', repo, '-o', 'u/rb', '-p', P];
    expect((await pipetask(...base, '-i', 'Cam/inputs', '--output-run', 'u/rb/r1')).status).toBe(0);
    const err = await refused(1, ...base, '-i', 'Cam/inputs2', '--output-run', 'u/rb/r2');
    expect(err).toMatch(/exists but does not include the inputs Cam\/inputs2/);
    expect(err).toMatch(/--rebase/);
    const r = await pipetask(...base, '-i', 'Cam/inputs2', '--output-run', 'u/rb/r2', '--rebase');
    expect(r.status, r.err).toBe(0);
    expect(await chainOf(repo, 'u/rb')).toEqual(['u/rb/r2', 'u/rb/r1', 'Cam/inputs2']);
    expect(await values(repo, 'u/rb', 'toyProduct')).toEqual(expected(1000));
    expect(await values(repo, 'u/rb/r1', 'toyProduct')).toEqual(expected(0));
  });
});

describe('--summary', () => {
  const read = (f: string): SummaryReport => JSON.parse(readFileSync(f, 'utf8')) as SummaryReport;
  const noTemp = (): void => expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

  it('reports each quantum, failures with their error, also when quanta failed', async () => {
    const f = join(dir, 'fail-summary.json');
    const r = await pipetask('run', '-b', repo, '-i', 'Cam/inputs', '-o', 'u/sum', '-p', P, '-c', 'add:failDetectors=[2]', '--summary', f);
    expect(r.status).toBe(1);
    noTemp();
    const s = read(f);
    expect(s.status).toBe('failure');
    expect(s.exitCode).toBe(1);
    expect(s.exceptionInfo).toBeNull();
    expect(s.quantaReports).toHaveLength(12);
    for (const q of s.quantaReports) {
      expect(Object.keys(q.dataId).sort()).toEqual(['detector', 'instrument', 'visit']);
      expect(q.dataId['instrument']).toBe('Cam');
      const failing = q.dataId['detector'] === 2;
      if (q.taskLabel === 'add') {
        expect(q.status).toBe(failing ? 'failed' : 'successful');
        expect(q.exceptionInfo).toEqual(failing ? { className: 'Error', message: 'toy failure for detector 2' } : null);
      } else {
        expect(q.taskLabel).toBe('multiply');
        expect(q.status).toBe(failing ? 'blocked' : 'successful');
        expect(q.exceptionInfo).toBeNull();
      }
    }
    expect(new Set(s.quantaReports.map((q) => `${q.taskLabel}/${String(q.dataId['visit'])}/${String(q.dataId['detector'])}`)).size).toBe(12);
  });

  it('reports success, and a command error with its class', async () => {
    const f = join(dir, 'ok-summary.json');
    const r = await pipetask('run', '-b', repo, '-i', 'Cam/inputs', '-o', 'u/sum-ok', '-p', P, '--summary', f);
    expect(r.status, r.err).toBe(0);
    const s = read(f);
    expect(s.status).toBe('success');
    expect(s.exitCode).toBe(0);
    expect(s.quantaReports.map((q) => q.status)).toEqual(Array(12).fill('successful'));
    const e = join(dir, 'err-summary.json');
    await refused(1, 'run', '-b', repo, '-i', 'Cam/nothing', '-o', 'u/sum-err', '-p', P, '--summary', e);
    noTemp();
    const se = read(e);
    expect(se).toMatchObject({ status: 'failure', exitCode: 1, quantaReports: [] });
    expect(se.exceptionInfo?.className).toBe('ExecutionSetupError');
    expect(se.exceptionInfo?.message).toMatch(/Cam\/nothing/);
  });
});

describe('--show subsets, inputs, uri', () => {
  it('subsets: name, labels and description', async () => {
    const r = await pipetask('build', '-p', P, '--show', 'subsets');
    expect(r.status, r.err).toBe(0);
    expect(r.out.trim().split('\n')).toEqual(['step1: add', '  description: Sums only', 'everything: add, multiply']);
  });

  it('inputs: the overall inputs with storage class and dimensions', async () => {
    const r = await pipetask('build', '-p', P, '--show', 'inputs');
    expect(r.status, r.err).toBe(0);
    expect(r.out.trim().split('\n')).toEqual(['toyInput: StructuredDataDict {instrument, visit, detector}']);
  });

  it('uri: inputs exist, outputs are predicted where run then writes them; run --show stops before anything is written', async () => {
    const opts = ['-b', repo, '-i', 'Cam/inputs', '-o', 'u/uri', '--output-run', 'u/uri/r1', '-p', P];
    const q = await pipetask('qgraph', ...opts, '--show', 'uri');
    expect(q.status, q.err).toBe(0);
    const blocks = q.out.split(/^Quantum /m).slice(1);
    expect(blocks).toHaveLength(12);
    const predicted = new Set<string>();
    for (const b of blocks) {
      const [head, rest] = b.split('\n  inputs:\n') as [string, string];
      const [inputs, outputs] = rest.split('  outputs:\n') as [string, string];
      const inUris = inputs.trim().split('\n').map((l) => l.trim());
      const outUris = outputs.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('file://'));
      expect(inUris).toHaveLength(1);
      expect(outUris.length).toBeGreaterThan(0);
      for (const u of outUris) expect(u).toMatch(/^file:\/\/.*u\/uri\/r1.*#predicted$/);
      if (head.includes(': add ')) {
        expect(inUris[0]).not.toContain('#');
        expect(existsSync(fileURLToPath(inUris[0]!))).toBe(true);
        const sums = outUris.filter((u) => u.includes('toySum'));
        expect(sums).toHaveLength(1);
        predicted.add(fileURLToPath(sums[0]!.slice(0, -'#predicted'.length)));
      } else {
        expect(inUris[0]).toMatch(/toySum.*#predicted$/);
      }
    }
    expect(predicted.size).toBe(6);
    const before = await snapshot(repo);
    const shown = await pipetask('run', ...opts, '--show', 'uri');
    expect(shown.status, shown.err).toBe(0);
    expect(shown.out).toContain('#predicted');
    expect(await snapshot(repo)).toEqual(before);
    const r = await pipetask('run', ...opts);
    expect(r.status, r.err).toBe(0);
    for (const v of [1, 2]) {
      for (const d of [1, 2, 3]) {
        const actual = await fileOf('u/uri/r1', 'toySum', v, d);
        expect(predicted.has(actual), actual).toBe(true);
      }
    }
  });

  it('an unknown item is refused, listing the valid ones, before anything is opened', async () => {
    const err = await refused(1, 'run', '-b', repo, '-i', 'Cam/inputs', '-o', 'u/x', '-p', P, '--show', 'bogus');
    expect(err).toMatch(/Unknown --show item 'bogus'/);
    for (const item of ['pipeline', 'config', 'history', 'tasks', 'dump-config', 'subsets', 'inputs', 'graph', 'uri']) expect(err).toContain(item);
  });
});
