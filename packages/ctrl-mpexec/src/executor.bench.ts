// pipetask run overheads: the cost per quantum of trivial quanta (target < 20 ms), and the
// speed-up of -j 2 over -j 1 on CPU-bound quanta (target >= 1.8x on 2 cores).
//   pnpm bench --filter pipetask [--smoke]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Butler, DatasetType } from '@skystack/daf-butler';
import { runPipetask } from './cli/program.js';

interface BenchCase {
  name: string;
  itemsPerIteration?: number;
  itemUnit?: string;
  measure?: () => Promise<ExternalMeasurement>;
}

interface ExternalMeasurement {
  meanMs: number;
  samples: number;
  rmePercent?: number;
}

const { values: args } = parseArgs({ options: { filter: { type: 'string' }, smoke: { type: 'boolean' } }, strict: false });
const SMOKE = args.smoke === true;
const DETECTORS = SMOKE ? 3 : 50;
const SPIN_MS = SMOKE ? 5 : 200;
const CPU_QUANTA = SMOKE ? 4 : 40;
// The toy tasks of the tests, loaded by module path (so that worker processes can import them).
const TOY = resolve(import.meta.dirname, '../test/toy-tasks.ts');
const VD = ['instrument', 'visit', 'detector'];
// The built command line (`pnpm build`), as an installed pipetask runs: plain JavaScript, no tsx.
const BUILT_CLI = resolve(import.meta.dirname, '../dist/cli/main.js');
const PACKAGES = resolve(import.meta.dirname, '../..');
const quiet = { stdout: { write: () => true }, stderr: { write: () => true } };

async function makeRepo(dir: string, detectors: number): Promise<string> {
  const repo = join(dir, 'repo');
  await Butler.makeRepo(repo);
  const butler = await Butler.from(repo, { run: 'Cam/inputs', instrument: 'Cam' });
  const r = butler.registry;
  await r.insertDimensionData('instrument', [{ name: 'Cam', visit_max: 10, exposure_max: 10, detector_max: detectors + 1 }]);
  await r.insertDimensionData('physical_filter', [{ instrument: 'Cam', name: 'Cam-R', band: 'r' }]);
  await r.insertDimensionData('detector', Array.from({ length: detectors }, (_, i) => ({ instrument: 'Cam', id: i + 1, full_name: `D${i + 1}` })));
  await r.insertDimensionData('day_obs', [{ instrument: 'Cam', id: 20250301 }]);
  await r.insertDimensionData('visit', [{ instrument: 'Cam', id: 1, physical_filter: 'Cam-R', day_obs: 20250301 }]);
  await r.registerDatasetType(new DatasetType('toyInput', VD, 'StructuredDataDict', { universe: butler.universe }));
  for (let d = 1; d <= detectors; d++) await butler.put({ value: d, detector: d }, 'toyInput', { visit: 1, detector: d });
  await butler.close();
  return repo;
}

function pipeline(dir: string, spinMs: number): string {
  const path = join(dir, `pipeline-${spinMs}.yaml`);
  writeFileSync(path, ['description: bench', 'tasks:', '  add:', `    class: ${TOY}#ToyAddTask`, '    config:', `      spinMs: ${spinMs}`].join('\n'));
  return path;
}

/**
 * The CPU-bound toy task as a JavaScript module over the built packages (the built CLI cannot
 * load the TypeScript toy tasks); imported by file URL, which resolves to the same module
 * instances as the workers' package imports.
 */
function builtSpinTask(dir: string): string {
  const url = (pkg: string): string => pathToFileURL(join(PACKAGES, pkg, 'dist/index.js')).href;
  const path = join(dir, 'spin-task.mjs');
  writeFileSync(
    path,
    [
      `import { Field } from '${url('pex-config')}';`,
      `import { Input, Output, PipelineTask, PipelineTaskConfig, Struct, defineConnections } from '${url('pipe-base')}';`,
      `const VD = ${JSON.stringify(VD)};`,
      'class C extends defineConnections({ dimensions: VD, connections: {',
      "  input: new Input({ doc: 'in', name: 'toyInput', storageClass: 'StructuredDataDict', dimensions: VD }),",
      "  output: new Output({ doc: 'out', name: 'toySum', storageClass: 'StructuredDataDict', dimensions: VD }) } }) {}",
      "export class SpinConfig extends PipelineTaskConfig.withConnections(C) { spinMs = Field.float({ doc: 'CPU ms', default: 0 }); }",
      'export class SpinTask extends PipelineTask {',
      '  static ConfigClass = SpinConfig;',
      "  static _DefaultName = 'spin';",
      '  run(inputs) {',
      '    const end = performance.now() + this.config.spinMs;',
      '    let x = 0;',
      '    while (performance.now() < end) x += Math.sqrt(x + 1);',
      "    this.metadata.set('spin', x);",
      "    return new Struct({ output: { value: inputs['input'].value + 1 } });",
      '  }',
      '}',
    ].join('\n'),
  );
  const p = join(dir, `pipeline-built.yaml`);
  writeFileSync(p, ['description: bench (built)', 'tasks:', '  add:', `    class: ${path}#SpinTask`, '    config:', `      spinMs: ${SPIN_MS}`].join('\n'));
  return p;
}

function runBuilt(repo: string, p: string, out: string, jobs: number): Promise<number> {
  const t = performance.now();
  const args = [BUILT_CLI, 'run', '-b', repo, '-i', 'Cam/inputs', '-o', out, '-p', p, '-j', String(jobs), '--register-dataset-types'];
  return new Promise((resolveRun, rejectRun) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', rejectRun);
    child.on('close', (code) => (code === 0 ? resolveRun(performance.now() - t) : rejectRun(new Error(`built pipetask run exited with ${code}: ${stderr}`))));
  });
}

async function run(repo: string, p: string, out: string, jobs: number): Promise<number> {
  const t = performance.now();
  const status = await runPipetask(['run', '-b', repo, '-i', 'Cam/inputs', '-o', out, '-p', p, '-j', String(jobs), '--register-dataset-types'], quiet);
  if (status !== 0) throw new Error(`pipetask run exited with ${status}`);
  return performance.now() - t;
}

export const benchmarks: BenchCase[] = [
  {
    name: `pipetask run -j 1, ${DETECTORS} trivial quanta: time per quantum`,
    itemsPerIteration: DETECTORS,
    itemUnit: 'quanta',
    measure: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'skystack-pipetask-bench-'));
      try {
        const repo = await makeRepo(dir, DETECTORS);
        const p = pipeline(dir, 0);
        await run(repo, p, 'warm', 1); // module loading and schema creation out of the timing
        const ms = await run(repo, p, 'timed', 1);
        console.log(`  pipetask trivial quanta: ${(ms / DETECTORS).toFixed(1)} ms per quantum (${DETECTORS} quanta, planning and collections included)`);
        return { meanMs: ms, samples: 1 };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
  {
    name: `pipetask run -j 2 vs -j 1, ${CPU_QUANTA} quanta of ${SPIN_MS} ms CPU`,
    itemsPerIteration: CPU_QUANTA,
    itemUnit: 'quanta',
    measure: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'skystack-pipetask-bench-'));
      try {
        const repo = await makeRepo(dir, CPU_QUANTA);
        const p = pipeline(dir, SPIN_MS);
        const one = await run(repo, p, 'j1', 1);
        const two = await run(repo, p, 'j2', 2);
        console.log(`  pipetask CPU-bound, from source (tsx): -j 1 ${one.toFixed(0)} ms, -j 2 ${two.toFixed(0)} ms, speed-up ${(one / two).toFixed(2)}x`);
        if (existsSync(BUILT_CLI)) {
          const pb = builtSpinTask(dir);
          const oneBuilt = await runBuilt(repo, pb, 'b1', 1);
          const twoBuilt = await runBuilt(repo, pb, 'b2', 2);
          console.log(`  pipetask CPU-bound, built (node dist/cli/main.js): -j 1 ${oneBuilt.toFixed(0)} ms, -j 2 ${twoBuilt.toFixed(0)} ms, speed-up ${(oneBuilt / twoBuilt).toFixed(2)}x`);
        } else {
          console.log('  (run `pnpm build` first to measure the built command line too)');
        }
        return { meanMs: two, samples: 1 };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];
