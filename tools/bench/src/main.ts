// `pnpm bench [--filter TEXT] [--time MS] [--smoke] [--json FILE] [--hugepages]`: runs every
// *.bench.ts in the workspace (packages/, obs/) and prints a table of numbers.
//
// The allocator is left at its defaults (4 KiB pages). `--hugepages` re-runs the runner on Linux
// with GLIBC_TUNABLES=glibc.malloc.hugetlb=1, so that large buffers are backed by transparent
// huge pages: faster when the process reuses memory it freed moments before, but on these
// virtual machines the first touch of huge pages not used lately costs 3-6 times that of small
// pages, so timings came to depend on what ran before (decision 0021, superseding 0013's default).
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Bench } from 'tinybench';
import { formatBenchTable, validateBenchCases, type BenchResult } from './bench-case.js';

const root = resolve(import.meta.dirname, '../../..');

function findBenchFiles(): string[] {
  const files: string[] = [];
  for (const group of ['packages', 'obs', 'tools']) {
    let entries: string[];
    try {
      entries = readdirSync(join(root, group), { recursive: true, encoding: 'utf8' });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (e.endsWith('.bench.ts') && !e.includes('node_modules') && !e.includes('/dist/')) files.push(join(root, group, e));
    }
  }
  return files.sort();
}

const { values } = parseArgs({
  options: {
    filter: { type: 'string' },
    time: { type: 'string', default: '1000' },
    smoke: { type: 'boolean', default: false },
    json: { type: 'string' },
    hugepages: { type: 'boolean', default: false },
  },
});
const HUGEPAGES = 'glibc.malloc.hugetlb=1';
if (values.hugepages && process.platform === 'linux' && process.env['GLIBC_TUNABLES'] === undefined) {
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, GLIBC_TUNABLES: HUGEPAGES },
  });
  process.exit(child.status ?? 1);
}
console.error(`allocator: GLIBC_TUNABLES=${process.env['GLIBC_TUNABLES'] ?? '(unset)'} (applies to the Node and Python processes alike)`);
const timeMs = Number(values.time);
if (!(timeMs > 0)) throw new Error(`--time must be a positive number of milliseconds, got '${values.time}'.`);

const results: BenchResult[] = [];
for (const file of findBenchFiles()) {
  const rel = relative(root, file);
  const mod = (await import(pathToFileURL(file).href)) as { benchmarks?: unknown };
  for (const c of validateBenchCases(rel, mod.benchmarks)) {
    if (values.filter && !`${rel} ${c.name}`.includes(values.filter)) continue;
    await c.setup?.();
    if (values.smoke) {
      // One call proves the case still runs; external measurements are not run.
      if (c.fn) await c.fn();
      console.log(`ok  ${rel}  ${c.name}`);
      continue;
    }
    let measured: { meanMs: number; samples: number; rmePercent: number };
    if (c.measure) {
      const m = await c.measure();
      measured = { meanMs: m.meanMs, samples: m.samples, rmePercent: m.rmePercent ?? 0 };
    } else {
      // At least 5 samples, then as many as fit in --time (tinybench's default floor is 64).
      const bench = new Bench({ time: timeMs, iterations: 5, warmupTime: Math.min(200, timeMs / 5), warmupIterations: 2 });
      bench.add(c.name, c.fn!);
      await bench.run();
      const result = bench.tasks[0]?.result;
      if (!result || result.state !== 'completed') throw new Error(`${rel}: benchmark '${c.name}' did not complete (${result?.state ?? 'no result'}).`);
      measured = { meanMs: result.latency.mean, samples: result.latency.samplesCount, rmePercent: result.latency.rme };
    }
    const { meanMs } = measured;
    const opsPerSecond = 1000 / meanMs;
    results.push({
      file: rel,
      name: c.name,
      meanMs,
      rmePercent: measured.rmePercent,
      samples: measured.samples,
      opsPerSecond,
      itemsPerSecond: c.itemsPerIteration === undefined ? undefined : opsPerSecond * c.itemsPerIteration,
      itemUnit: c.itemUnit,
    });
    process.stderr.write(`measured ${rel}: ${c.name}\n`);
  }
}
if (!values.smoke) {
  console.log(formatBenchTable(results));
  if (values.json) writeFileSync(values.json, JSON.stringify(results, null, 2));
}
