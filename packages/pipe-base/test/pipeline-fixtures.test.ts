// The real pipeline YAMLs of drp_pipe, ap_pipe, pipe_base, analysis_tools, ... (read from the
// shared fixtures at test time) must load with their imports. Expected task labels, subsets and
// steps are computed here independently, by walking the YAML files with a small resolver that
// only knows the documented import rules (include/exclude with subset names, DROP/EDIT).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fixturePath } from '@skystack/test-support';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { parseContract } from '../src/pipeline/contracts.js';
import { PipelineError } from '../src/pipeline/errors.js';
import { Pipeline } from '../src/pipeline/pipeline.js';

const ROOT = fixturePath('pipelines');

const ENV_DIRS: Record<string, string> = {
  DRP_PIPE_DIR: 'drp_pipe',
  AP_PIPE_DIR: 'ap_pipe',
  PIPE_BASE_DIR: 'pipe_base',
  ANALYSIS_TOOLS_DIR: 'analysis_tools',
  PIPE_TASKS_DIR: 'pipe_tasks',
  SOURCE_INJECTION_DIR: 'source_injection',
  MEAS_EXTENSIONS_MULTIPROFIT_DIR: 'meas_extensions_multiprofit',
  CP_VERIFY_DIR: 'cp_verify',
};

function fixtureEnv(root: string): Record<string, string> {
  const env: Record<string, string> = { TESTDIR: join(root, 'pipe_base', 'tests') };
  for (const [k, v] of Object.entries(ENV_DIRS)) env[k] = join(root, v);
  return env;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.yaml') ? [join(dir, e.name)] : [],
  );
}

/** The imported file ApPipeWithFakes.yaml pipelines need is generated at ap_pipe build time (fixtures README). */
const GENERATED_IMPORT = 'ApPipeWithFakes.yaml';

interface Expected {
  tasks: string[];
  subsets: Map<string, string[]>;
  steps: Map<string, string[]>;
  /** Subset members that are not tasks, here or in an import (an inconsistent file). */
  dangling: string[];
}

type Doc = Record<string, unknown>;

function expand(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{?(\w+)\}?/g, (w, n: string) => env[n] ?? w);
}

/** Independent resolution of task labels, subsets and steps from the YAML files. */
function expected(path: string, env: Record<string, string>): Expected {
  const doc = parse(readFileSync(path, 'utf8'), { logLevel: 'error' }) as Doc;
  const tasks: string[] = [];
  const subsets = new Map<string, string[]>();
  const steps = new Map<string, string[]>();
  const dangling: string[] = [];
  const imports = doc['imports'] === undefined ? [] : Array.isArray(doc['imports']) ? doc['imports'] : [doc['imports']];
  for (const imp of imports as (string | Doc)[]) {
    const spec = typeof imp === 'string' ? { location: imp } : imp;
    const sub = expected(expand(spec['location'] as string, env), env);
    dangling.push(...sub.dangling);
    const list = (v: unknown): string[] | undefined => (v === undefined ? undefined : typeof v === 'string' ? [v] : (v as string[]));
    const include = list(spec['include']);
    const exclude = list(spec['exclude']);
    let keep = new Set(sub.tasks);
    if (include !== undefined) {
      keep = new Set(include.flatMap((l) => sub.subsets.get(l) ?? [l]).filter((l) => sub.tasks.includes(l)));
    } else if (exclude !== undefined) {
      const drop = new Set(exclude.flatMap((l) => sub.subsets.get(l) ?? [l]));
      keep = new Set(sub.tasks.filter((l) => !drop.has(l)));
    }
    tasks.push(...sub.tasks.filter((l) => keep.has(l)));
    const edit = spec['labeledSubsetModifyMode'] === 'EDIT';
    for (const [name, members] of sub.subsets) {
      if (members.every((m) => keep.has(m))) subsets.set(name, members);
      else if (edit) subsets.set(name, members.filter((m) => keep.has(m)));
    }
    if (spec['importSteps'] !== false) for (const [k, v] of sub.steps) if (subsets.has(k)) steps.set(k, v);
  }
  for (const label of Object.keys((doc['tasks'] as Doc | undefined) ?? {})) if (!tasks.includes(label)) tasks.push(label);
  for (const [name, value] of Object.entries((doc['subsets'] as Doc | undefined) ?? {})) {
    subsets.set(name, Array.isArray(value) ? (value as string[]) : ((value as Doc)['subset'] as string[]));
  }
  for (const s of (doc['steps'] as Doc[] | undefined) ?? []) steps.set(s['label'] as string, (s['dimensions'] as string[] | undefined) ?? []);
  for (const members of subsets.values()) dangling.push(...members.filter((m) => !tasks.includes(m)));
  return { tasks, subsets, steps, dangling };
}

describe.skipIf(ROOT === undefined)('real pipeline YAMLs (shared fixtures)', () => {
  const root = ROOT ?? '';
  const env = fixtureEnv(root);
  const files = ROOT === undefined ? [] : walk(root).filter((f) => {
    const head = readFileSync(f, 'utf8');
    // pipelines only: schemas and butler configs in the same trees have no description + tasks/imports
    return /^description:/m.test(head) && /^(tasks|imports):/m.test(head);
  });
  const needsGenerated = (f: string): boolean => readFileSync(f, 'utf8').includes(`_ingredients/${GENERATED_IMPORT}`);

  test('the fixture tree has the expected pipeline files', () => {
    expect(files.length).toBeGreaterThan(120);
  });

  test.each(files.map((f) => [relative(root, f), f]))('%s loads with its imports and matches the YAML', async (_name, file) => {
    if (needsGenerated(file)) {
      const err = await Pipeline.fromFile(file, { env }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PipelineError);
      expect((err as PipelineError).code).toBe('PIPE_IMPORT_FAILED');
      expect((err as PipelineError).message).toContain(GENERATED_IMPORT);
      return;
    }
    const want = expected(file, env);
    const dangling = want.dangling;
    if (dangling.length > 0) {
      // Upstream inconsistency at the pinned commit: a subset names tasks that the file (with
      // its include lists) does not define. pipe_base's _verify_labeled_subsets rejects this.
      const err = await Pipeline.fromFile(file, { env }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'PIPE_DEFINITION_INVALID' });
      expect((err as Error).message).toContain(dangling[0]);
      return;
    }
    const pipeline = await Pipeline.fromFile(file, { env });
    expect(new Set(pipeline.labels)).toEqual(new Set(want.tasks));
    expect(pipeline.labels).toHaveLength(want.tasks.length);
    expect(new Set(pipeline.subsets.keys())).toEqual(new Set(want.subsets.keys()));
    for (const [name, members] of want.subsets) expect(pipeline.subsets.get(name)).toEqual(new Set(members));
    expect(new Map(pipeline.steps.map((s) => [s.label, [...s.dimensions]]))).toEqual(want.steps);
    // every contract of every real pipeline parses with the safe evaluator
    for (const c of pipeline.contracts) expect(() => parseContract(c.contract)).not.toThrow();
    // unimplemented tasks are reported, not fatal
    const defs = pipeline.taskDefinitions();
    expect(defs.map((d) => d.label)).toEqual(pipeline.labels);
    expect(pipeline.unimplementedTasks().length).toBe(defs.filter((d) => d.implementation.kind === 'not-implemented').length);
  });

  test('drp_pipe HSC/DRP-RC2.yaml: labels, subsets, instrument, parameters', async () => {
    const file = join(root, 'drp_pipe/pipelines/HSC/DRP-RC2.yaml');
    const pipeline = await Pipeline.fromFile(file, { env });
    const want = expected(file, env);
    expect(pipeline.instrument).toBe('lsst.obs.subaru.HyperSuprimeCam');
    expect(pipeline.labels.length).toBe(want.tasks.length);
    expect(pipeline.labels.length).toBeGreaterThan(100);
    // consolidateSsTables is excluded by _ingredients/HSC/DRP.yaml
    expect(pipeline.labels).not.toContain('consolidateSsTables');
    const doc = parse(readFileSync(file, 'utf8')) as Doc;
    const step1 = ((doc['subsets'] as Doc)['step1'] as Doc)['subset'] as string[];
    expect(pipeline.subsets.get('step1')).toEqual(new Set(step1));
    // the locally redeclared fgcmFitCycle has the same class as the imported one: configs are extended
    const fgcm = pipeline.ir.tasks.get('fgcmFitCycle');
    expect(fgcm?.config?.some((c) => c.rest.get('doMultipleCycles') === true)).toBe(true);
    expect(fgcm?.config?.some((c) => c.rest.get('randomSeed') === 89234)).toBe(true);
  });

  test('#subset selection keeps only the subset labels (subset names expand)', async () => {
    const file = join(root, 'drp_pipe/pipelines/HSC/DRP-RC2.yaml');
    const doc = parse(readFileSync(file, 'utf8')) as Doc;
    const subsets = doc['subsets'] as Record<string, Doc>;
    const step1 = subsets['step1']?.['subset'] as string[];
    const step2a = subsets['step2a']?.['subset'] as string[];
    const p1 = await Pipeline.fromFile(`${file}#step1`, { env });
    expect(new Set(p1.labels)).toEqual(new Set(step1));
    expect([...p1.subsets.keys()]).toContain('step1');
    expect([...p1.subsets.keys()]).not.toContain('step2a');
    const p2 = await Pipeline.fromFile(`$DRP_PIPE_DIR/pipelines/HSC/DRP-RC2.yaml#step2a,isr`, { env });
    expect(new Set(p2.labels)).toEqual(new Set([...step2a, 'isr']));
    // EDIT keeps subsets that lost labels, trimmed
    const p3 = await Pipeline.fromFile(`${file}#isr`, { env, subsetCtrl: 'EDIT' });
    expect(p3.labels).toEqual(['isr']);
    expect(p3.subsets.get('step1')).toEqual(new Set(['isr']));
    expect(p3.subsets.get('step2a')).toEqual(new Set());
    await expect(Pipeline.fromFile(`${file}#notATask`, { env })).rejects.toMatchObject({ code: 'PIPE_UNKNOWN_LABEL' });
    await expect(Pipeline.fromFile(`${file}#isr..calibrateImage`, { env })).rejects.toMatchObject({ code: 'PIPE_NOT_IMPLEMENTED' });
    await expect(Pipeline.fromFile(`${file}#a,b..c`, { env })).rejects.toMatchObject({ code: 'PIPE_BAD_LABEL_SPECIFIER' });
    await expect(Pipeline.fromFile(`${file}#a#b`, { env })).rejects.toMatchObject({ code: 'PIPE_BAD_LABEL_SPECIFIER' });
  });

  test('subsetting drops contracts that mention removed labels', async () => {
    const file = join(root, 'drp_pipe/pipelines/_ingredients/DRP-full.yaml');
    const full = await Pipeline.fromFile(file, { env });
    expect(full.contracts.map((c) => c.contract)).toContain('skyCorr.doApplyFlatBackgroundRatio == calibrateImage.do_illumination_correction');
    const sub = full.subset(['skyCorr']);
    expect(sub.contracts.some((c) => c.contract.includes('calibrateImage.'))).toBe(false);
  });

  test('parameters substitution: base-v2 release_id and use_cell_coadds', async () => {
    const file = join(root, 'drp_pipe/pipelines/LSSTCam/DRP.yaml');
    const pipeline = await Pipeline.fromFile(file, { env });
    const base = parse(readFileSync(join(root, 'drp_pipe/pipelines/_ingredients/base-v2.yaml'), 'utf8')) as Doc;
    const params = base['parameters'] as Doc;
    expect(pipeline.parameters.get('release_id')).toBe(params['release_id']);
    const uses: [string, string, unknown][] = [];
    for (const def of pipeline.taskDefinitions()) {
      const raw = pipeline.ir.tasks.get(def.label)?.config ?? [];
      raw.forEach((block, i) => {
        for (const [key, value] of block.rest) {
          if (value === 'parameters.release_id' || value === 'parameters.use_cell_coadds') {
            uses.push([def.label, key, def.config[i]?.rest.get(key)]);
            expect(def.config[i]?.rest.get(key)).toBe(pipeline.parameters.get((value as string).slice('parameters.'.length)));
          }
        }
      });
      // python blocks are never substituted
      def.config.forEach((c, i) => expect(c.python).toBe(raw[i]?.python));
    }
    expect(uses.length).toBeGreaterThan(3);
    // overriding a parameter (pipetask -c parameters:release_id=7)
    const seven = pipeline.withParameters({ release_id: 7 });
    const some = seven.taskDefinitions().find((d) => d.config.some((c) => c.rest.get('id_generator.release_id') !== undefined));
    expect(some?.config.find((c) => c.rest.has('id_generator.release_id'))?.rest.get('id_generator.release_id')).toBe(7);
  });

  test('steps of base-v2 (through LSSTCam/DRP.yaml) with their dimensions', async () => {
    const pipeline = await Pipeline.fromFile('$DRP_PIPE_DIR/pipelines/LSSTCam/DRP.yaml', { env });
    const base = parse(readFileSync(join(root, 'drp_pipe/pipelines/_ingredients/base-v2.yaml'), 'utf8')) as Doc;
    const steps = base['steps'] as { label: string; dimensions: string[] }[];
    expect(pipeline.steps.map((s) => s.label)).toEqual(steps.map((s) => s.label));
    expect(pipeline.steps.find((s) => s.label === 'step1a-single-visit-detectors')?.dimensions).toEqual(['visit', 'detector']);
  });

  test('ap_pipe: include/exclude imports and instrument; unimplemented tasks by label and class', async () => {
    const pipeline = await Pipeline.fromFile('$AP_PIPE_DIR/pipelines/HSC/ApPipe.yaml', { env });
    expect(pipeline.instrument).toBe('lsst.obs.subaru.HyperSuprimeCam');
    const missing = pipeline.unimplementedTasks();
    expect(missing.length).toBeGreaterThan(0);
    for (const m of missing) expect(pipeline.ir.tasks.get(m.label)?.klass).toBe(m.className);
    const isr = pipeline.taskDefinitions().find((d) => d.label === 'isr');
    expect(isr?.implementation.kind).toBe('alias');
    expect(pipeline.contracts.length).toBeGreaterThan(5);
  });

  test('pipe_base step-exclusion.yaml: EDIT keeps the emptied step', async () => {
    const pipeline = await Pipeline.fromFile('$TESTDIR/pipelines/step-exclusion.yaml', { env });
    expect(pipeline.labels).toEqual(['a', 'b']);
    expect(pipeline.subsets.get('step2')).toEqual(new Set());
    expect(pipeline.steps.map((s) => s.label)).toEqual(['step1', 'step2']);
  });

  test('toYaml round-trips: the expanded YAML loads to the same pipeline', async () => {
    const file = join(root, 'drp_pipe/pipelines/HSC/DRP-RC2.yaml');
    const pipeline = await Pipeline.fromFile(file, { env });
    const text = pipeline.toYaml();
    expect(text.startsWith('description: The DRP pipeline specialized for the HSC RC2 dataset.\ninstrument: lsst.obs.subaru.HyperSuprimeCam\n')).toBe(true);
    expect(text).toMatch(/\n {4}config:\n {4}- /); // sequences not indented, as PyYAML writes them
    const again = await Pipeline.fromString(text, { env });
    expect(again.labels).toEqual(pipeline.labels);
    expect(again.toYaml()).toBe(text);
    const tasks = (parse(text) as Doc)['tasks'] as Record<string, Doc>;
    expect(Object.keys(tasks)).toEqual(pipeline.labels);
  });
});
