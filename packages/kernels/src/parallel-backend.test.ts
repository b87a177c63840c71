import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from '@skystack/test-support';
import { describe, expect, it } from 'vitest';
import { KernelsWorkerError } from './errors.js';
import { makeParallelBackend } from './parallel-backend.js';
import { allocShared, isShared, toShared } from './shared-arrays.js';
import { convolveSeparable } from './convolve.js';

describe('parallel backend', () => {
  it('starts lazily, reports worker failures, refuses use after close', async () => {
    const backend = makeParallelBackend({ workers: 2, minPixelsPerWorker: 1 });
    expect(backend.started).toBe(false);
    const small = new Float32Array(16);
    convolveSeparable(small, new Float32Array(16), 4, 4, [1], [1], { backend });
    expect(backend.started).toBe(true);
    // a job that throws inside the workers (too few bins with THROW_EXCEPTION)
    const job = {
      columns: new Float64Array(4 * 2).fill(1),
      nx: 2,
      xcen: Float64Array.of(1, 3),
      style: 'AKIMA_SPLINE' as const,
      undersampleStyle: 'THROW_EXCEPTION' as const,
      out: new Float32Array(4 * 5),
      x0: 0,
      width: 5,
      height: 4,
    };
    expect(() => backend.run('interpolateRows', job)).toThrow(KernelsWorkerError);
    expect(() => backend.run('interpolateRows', job)).toThrow(/AKIMA_SPLINE interpolation needs 5/);
    await backend.close();
    expect(() => convolveSeparable(small, new Float32Array(16), 4, 4, [1], [1], { backend })).toThrow(/closed/);
    expect(() => makeParallelBackend({ workers: 0 })).toThrow(/workers/);
  });

  it('shared-array helpers', () => {
    const a = allocShared(Float32Array, 5);
    expect(isShared(a)).toBe(true);
    expect(toShared(a)).toBe(a);
    const b = toShared(Int32Array.of(1, 2, 3));
    expect(isShared(b)).toBe(true);
    expect(Array.from(b)).toEqual([1, 2, 3]);
  });

  it('workers do not keep a process alive when the backend is never closed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kernels-'));
    try {
      const script = join(dir, 'no-close.ts');
      const index = resolve(import.meta.dirname, 'index.ts');
      writeFileSync(
        script,
        [
          `import { makeParallelBackend, convolveSeparable } from ${JSON.stringify(index)};`,
          'const b = makeParallelBackend({ workers: 2, minPixelsPerWorker: 1 });',
          'const out = convolveSeparable(new Float32Array(64).fill(1), new Float32Array(64), 8, 8, [0.5, 0.5, 0], [1], { backend: b });',
          'console.log(out[9], b.started);',
        ].join('\n'),
      );
      const tsx = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
      const r = spawnSync(tsx, ['--conditions=@skystack/source', script], { encoding: 'utf8', timeout: 30000 });
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe('1 true');
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
