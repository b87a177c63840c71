// Writers killed at random moments (SIGKILL, no cleanup) must leave every dataset either whole
// (registry row, datastore record, readable file with the right content) or absent: never a
// registry row without its file, nor a record pointing at nothing. Unreferenced temporary files
// may remain; they are never read, and a later put of the same dataset succeeds.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from '@skystack/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { Butler } from '../src/butler.js';
import { DatasetType } from '../src/datasets/dataset-type.js';

// Node itself runs the worker (tsx as a loader), so that SIGKILL hits the writer and not a
// wrapper process.
const WORKER = resolve(import.meta.dirname, 'put-worker.ts');
const dir = mkdtempSync(join(tmpdir(), 'skystack-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Deterministic pseudo-random delays (so a failure can be reproduced). */
function* delays(seed: number): Generator<number> {
  let s = seed;
  for (;;) {
    s = (s * 1103515245 + 12345) % 2147483648;
    yield 20 + (s % 400);
  }
}

/** Runs one worker and kills it `afterMs` after it reports `ready`; returns the last index it reported. */
function runAndKill(root: string, start: number, afterMs: number): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@skystack/source', WORKER, root, String(start)], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let last = start - 1;
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) {
        if (line === 'ready') setTimeout(() => child.kill('SIGKILL'), afterMs);
        const m = /^put (\d+)$/.exec(line);
        if (m) last = Number(m[1]);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('close', (code, signal) => {
      if (signal === 'SIGKILL') resolvePromise(last);
      else reject(new Error(`worker exited by itself (code ${code}): ${stderr}`));
    });
  });
}

function walk(d: string): string[] {
  return readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
}

describe('a writer killed at random moments', () => {
  it('leaves each dataset whole or absent', { timeout: 120_000 }, async () => {
    const root = join(dir, 'repo');
    await Butler.makeRepo(root);
    const setup = await Butler.from(root, { writeable: true });
    await setup.registry.insertDimensionData('instrument', [{ name: 'Cam' }]);
    await setup.registry.registerDatasetType(new DatasetType('blob', ['instrument'], 'StructuredDataDict', { universe: setup.universe }));
    await setup.close();

    const rounds = 6;
    const wait = delays(12345);
    let reported = 0;
    for (let k = 0; k < rounds; k++) reported += (await runAndKill(root, k * 100_000, wait.next().value)) - k * 100_000 + 1;

    const butler = await Butler.from(root, { instrument: 'Cam' });
    try {
      const refs = await butler.registry.queryDatasets('blob', { collections: 'crash/*' }).toArray();
      // Every put that returned before the kill is there; at most one more per round (committed
      // but killed before it could print).
      expect(refs.length).toBeGreaterThanOrEqual(reported);
      expect(refs.length).toBeLessThanOrEqual(reported + rounds);
      expect(reported).toBeGreaterThan(0);
      for (const ref of refs) {
        const i = Number(ref.run.split('/')[1]);
        expect(await butler.get(ref)).toEqual({ i, payload: String(i).repeat(500 + (i % 97)) });
      }
      const records = await butler.registry.db.all('SELECT COUNT(*) AS n FROM file_datastore_records');
      expect(Number(records[0]!['n'])).toBe(refs.length);
      // Files: every referenced one exists (checked by get above); the others are temporaries
      // or a file renamed into place by a writer killed just before its commit.
      const files = walk(root).filter((p) => p.endsWith('.json'));
      const referenced = new Set((await butler.datastore.locate(refs)).map((l) => l.absolute));
      const unreferenced = files.filter((p) => !referenced.has(p));
      expect(unreferenced.length).toBeLessThanOrEqual(rounds);
    } finally {
      await butler.close();
    }
    // The interrupted datasets can be written again.
    const again = await Butler.from(root, { writeable: true, instrument: 'Cam' });
    try {
      for (let k = 0; k < rounds; k++) {
        const run = `crash/${k * 100_000 + 1_000}`;
        await again.put({ again: k }, 'blob', {}, { run });
        expect(await again.get('blob', {}, { collections: run })).toEqual({ again: k });
      }
    } finally {
      await again.close();
    }
  });
});
