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
import { makeBackground } from './background.js';
import { cpuBackend } from './kernel-backend.js';
import type { BackendJobs } from './backend-ops.js';

/** An interpolateRows job that throws (too few bins for AKIMA_SPLINE with THROW_EXCEPTION). */
function undersampledJob(): BackendJobs['interpolateRows'] {
  return {
    columns: new Float64Array(4 * 2).fill(1),
    nx: 2,
    xcen: Float64Array.of(1, 3),
    style: 'AKIMA_SPLINE',
    undersampleStyle: 'THROW_EXCEPTION',
    out: new Float32Array(4 * 5),
    x0: 0,
    width: 5,
    height: 4,
  };
}

describe('parallel backend', () => {
  it('starts lazily, reports worker failures, refuses use after close', async () => {
    const backend = makeParallelBackend({ workers: 2, minPixelsPerWorker: 1 });
    expect(backend.started).toBe(false);
    const small = new Float32Array(16);
    convolveSeparable(small, new Float32Array(16), 4, 4, [1], [1], { backend });
    expect(backend.started).toBe(true);
    // a job that throws inside the workers
    const job = undersampledJob();
    expect(() => backend.run('interpolateRows', job)).toThrow(KernelsWorkerError);
    expect(() => backend.run('interpolateRows', job)).toThrow(/AKIMA_SPLINE interpolation needs 5/);
    await backend.close();
    expect(() => convolveSeparable(small, new Float32Array(16), 4, 4, [1], [1], { backend })).toThrow(/closed/);
    expect(() => backend.start()).toThrow(/closed/);
    expect(() => makeParallelBackend({ workers: 0 })).toThrow(/workers/);
  });

  it('a background image made on the workers is written straight into shared memory, with the same values', async () => {
    const width = 96;
    const height = 80;
    const image = new Float32Array(width * height);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) image[y * width + x] = 100 + 0.01 * x * y + ((x * 7 + y * 13) % 5);
    const control = { binSize: 16, statisticsProperty: 'MEANCLIP', interpStyle: 'AKIMA_SPLINE', approx: { useApprox: true, approxOrderX: 2 } } as const;
    const backend = makeParallelBackend({ workers: 2, minPixelsPerWorker: 1 });
    try {
      const onCpu = makeBackground(image, width, height, { ...control, backend: cpuBackend }).getImage();
      const onWorkers = makeBackground(image, width, height, { ...control, backend }).getImage();
      expect(isShared(onCpu)).toBe(false);
      expect(isShared(onWorkers)).toBe(true);
      expect(backend.started).toBe(true);
      expect(Array.from(onWorkers)).toEqual(Array.from(onCpu));
    } finally {
      await backend.close();
    }
  });

  it('with the calling thread: two threads from one worker; an error in any chunk is reported and the next job still runs', async () => {
    const backend = makeParallelBackend({ workers: 1, minPixelsPerWorker: 1, useCallingThread: true });
    try {
      expect(backend.threads).toBe(2);
      expect(backend.name).toBe('parallel(1+caller)');
      const job = undersampledJob();
      for (let k = 0; k < 3; k++) expect(() => backend.run('interpolateRows', job)).toThrow(/AKIMA_SPLINE interpolation needs 5/);
      // every chunk exactly once: a 1-tap kernel of 3 copies each row into the output tripled
      const width = 37;
      const height = 101;
      const src = Float32Array.from({ length: width * height }, (_, i) => i);
      const out = convolveSeparable(src, new Float32Array(width * height), width, height, [3], [1], { backend });
      expect(Array.from(out)).toEqual(Array.from(src, (v) => 3 * v));
    } finally {
      await backend.close();
    }
  });

  it('start() starts the workers before any job, once', async () => {
    const backend = makeParallelBackend({ workers: 2 });
    try {
      expect(backend.started).toBe(false);
      backend.start();
      expect(backend.started).toBe(true);
      backend.start();
      const out = convolveSeparable(new Float32Array(64 * 64).fill(2), new Float32Array(64 * 64), 64, 64, [0.25, 0.5, 0.25], [1], { backend });
      expect(out[64 * 10 + 10]).toBe(2);
    } finally {
      await backend.close();
    }
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
