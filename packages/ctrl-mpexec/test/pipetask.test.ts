// pipetask end to end over a temporary repository with the toy add → multiply tasks (loaded by
// module path, so that -j 2 workers can import them).
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Butler, DatasetType } from '@skystack/daf-butler';
import { runPipetask } from '../src/cli/program.js';

const TOY = resolve(import.meta.dirname, 'toy-tasks.ts');
const VD = ['instrument', 'visit', 'detector'];
let dir: string;
let repo: string;

function capture(): { io: { stdout: { write(s: string): boolean }; stderr: { write(s: string): boolean } }; out: () => string; err: () => string } {
  let o = '';
  let e = '';
  return {
    io: { stdout: { write: (s: string) => ((o += s), true) }, stderr: { write: (s: string) => ((e += s), true) } },
    out: () => o,
    err: () => e,
  };
}

async function pipetask(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  const c = capture();
  const status = await runPipetask(argv, c.io);
  return { status, out: c.out(), err: c.err() };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'skystack-pipetask-'));
  repo = join(dir, 'repo');
  await Butler.makeRepo(repo);
  const butler = await Butler.from(repo, { run: 'Cam/inputs', instrument: 'Cam' });
  const r = butler.registry;
  await r.insertDimensionData('instrument', [{ name: 'Cam', visit_max: 1000, exposure_max: 1000, detector_max: 10 }]);
  await r.insertDimensionData('physical_filter', [{ instrument: 'Cam', name: 'Cam-R', band: 'r' }]);
  await r.insertDimensionData('detector', [1, 2, 3].map((id) => ({ instrument: 'Cam', id, full_name: `D${id}` })));
  await r.insertDimensionData('day_obs', [{ instrument: 'Cam', id: 20250301 }]);
  await r.insertDimensionData('visit', [1, 2].map((id) => ({ instrument: 'Cam', id, physical_filter: 'Cam-R', day_obs: 20250301 })));
  await r.registerDatasetType(new DatasetType('toyInput', VD, 'StructuredDataDict', { universe: butler.universe }));
  for (const visit of [1, 2]) for (const detector of [1, 2, 3]) await butler.put({ value: 10 * visit + detector, detector }, 'toyInput', { visit, detector });
  await butler.close();
  writeFileSync(
    join(dir, 'pipeline.yaml'),
    [
      'description: toy',
      'tasks:',
      '  add:',
      `    class: ${TOY}#ToyAddTask`,
      '    config:',
      '      addend: 5',
      '  multiply:',
      `    class: ${TOY}#ToyMultiplyTask`,
    ].join('\n'),
  );
  writeFileSync(join(dir, 'mult.py'), 'config.factor = 3\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function values(collection: string, type: string): Promise<Record<string, number>> {
  const butler = await Butler.from(repo);
  try {
    const refs = await butler.registry.queryDatasets(type, { collections: collection, findFirst: true }).toArray();
    const out: Record<string, number> = {};
    for (const ref of refs) out[`${String(ref.dataId.get('visit'))}/${String(ref.dataId.get('detector'))}`] = ((await butler.get(ref)) as { value: number }).value;
    return out;
  } finally {
    await butler.close();
  }
}

describe('pipetask', () => {
  const P = (): string => join(dir, 'pipeline.yaml');

  it('build --show config shows overrides from the pipeline, -c and -C', async () => {
    const r = await pipetask('build', '-p', P(), '-c', 'add:addend=7', '-C', `multiply:${join(dir, 'mult.py')}`, '--show', 'config');
    expect(r.status, r.err).toBe(0);
    expect(r.out).toContain('config.addend=7');
    expect(r.out).toContain('config.factor=3');
  });

  it('qgraph plans one quantum per data ID', async () => {
    const r = await pipetask('qgraph', '-b', repo, '-i', 'Cam/inputs', '-o', 'u/plan', '-p', P());
    expect(r.status, r.err).toBe(0);
    expect(r.out).toContain('add: 6 quanta');
    expect(r.out).toContain('multiply: 6 quanta');
  });

  it('runs with -j 1 and -j 2 to the same outputs, saving configs', async () => {
    const a = await pipetask('run', '-b', repo, '-i', 'Cam/inputs', '-o', 'u/j1', '-p', P(), '--register-dataset-types', '-C', `multiply:${join(dir, 'mult.py')}`);
    expect(a.status, a.err).toBe(0);
    const b = await pipetask('run', '-b', repo, '-i', 'Cam/inputs', '-o', 'u/j2', '-p', P(), '-j', '2', '-C', `multiply:${join(dir, 'mult.py')}`);
    expect(b.status, b.err).toBe(0);
    const j1 = await values('u/j1', 'toyProduct');
    expect(j1['1/2']).toBe((12 + 5) * 3);
    expect(await values('u/j2', 'toyProduct')).toEqual(j1);
    const butler = await Butler.from(repo);
    expect(await butler.get('multiply_config', {}, { collections: 'u/j1' })).toContain('config.factor=3');
    expect(await butler.get('add_config', {}, { collections: 'u/j1' })).toContain('config.addend=5');
    await butler.close();
  });

  it('blocks downstream of a failure, exits 1, refuses a changed config, and resumes once the cause is gone', async () => {
    const marker = join(repo, '..', 'fail-marker');
    writeFileSync(marker, '');
    const cfg = ['-c', 'add:failDetectors=[2]', '-c', `add:failMarker=${marker}`];
    const fail = await pipetask('run', '-b', repo, '-i', 'Cam/inputs', '-o', 'u/fail', '-p', P(), ...cfg);
    expect(fail.status).toBe(1);
    expect(fail.out).toMatch(/add\s+4\s+2\s+0\s+0/);
    expect(fail.out).toMatch(/multiply\s+4\s+0\s+2\s+0/);
    // Changing the config of the existing RUN is refused, as LSST does.
    const changed = await pipetask('run', '-b', repo, '-o', 'u/fail', '-p', P(), '--extend-run', '--skip-existing-in', 'u/fail', ...cfg, '-c', 'add:addend=9');
    expect(changed.status).toBe(1);
    expect(changed.err).toMatch(/Error: .*does not match/);
    // The outside cause goes away; the same command resumes: the quanta that succeeded are not
    // planned again, the failed ones and their blocked dependents now run.
    unlinkSync(marker);
    const resumed = await pipetask('run', '-b', repo, '-o', 'u/fail', '-p', P(), '--extend-run', '--skip-existing-in', 'u/fail', ...cfg);
    expect(resumed.status).toBe(0);
    expect(resumed.out).toMatch(/add\s+2\s+0\s+0\s+0/);
    expect(resumed.out).toMatch(/multiply\s+2\s+0\s+0\s+0/);
  });

  it('writes log records to --log-file (JSON records for .json)', async () => {
    const logFile = join(dir, 'run-log.json');
    const r = await pipetask('run', '-b', repo, '-i', 'Cam/inputs', '-o', 'u/logged', '-p', P(), '--log-file', logFile);
    expect(r.status).toBe(0);
    const lines = readFileSync(logFile, 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(typeof (JSON.parse(line) as { message?: unknown }).message).toBe('string');
  });
});
