// Ports of lsst/pipe_base tests/test_pipelineIR.py (test names cited), run against pipe_base's
// own test pipelines in the shared fixtures ($TESTDIR), plus SkyStack's stricter checks.
import { join } from 'node:path';
import { fixturePath } from '@skystack/test-support';
import { describe, expect, test } from 'vitest';
import { PipelineError } from '../src/pipeline/errors.js';
import { Pipeline } from '../src/pipeline/pipeline.js';
import { PipelineIR, expandVars, formatConfig, maybeMergeConfigs } from '../src/pipeline/pipeline-ir.js';
import type { ConfigIR } from '../src/pipeline/pipeline-ir.js';

const TESTS = fixturePath('pipelines', 'pipe_base', 'tests', 'pipelines');
const env = { TESTDIR: TESTS ?? '/nonexistent' };
const load = (text: string): Promise<PipelineIR> => PipelineIR.fromString(text, { env });
const code = async (text: string): Promise<string | undefined> =>
  load(text).then(
    () => undefined,
    (e: unknown) => (e instanceof PipelineError ? e.code : String(e)),
  );

const cfg = (rest: Record<string, unknown>, extra: Partial<ConfigIR> = {}): ConfigIR => ({
  python: undefined,
  dataId: undefined,
  file: [],
  rest: new Map(Object.entries(rest)),
  ...extra,
});

describe('ConfigIRTestCase', () => {
  test('testMergeConfig', () => {
    const config1 = cfg({ a: 1, b: 2 }, { python: 'config.foo=6', dataId: { visit: 7 }, file: ['test1.py'] });
    const config2 = cfg({ c: 1, d: 2 }, { file: ['test2.py'] });
    const config3 = cfg({ c: 1, d: 2 }, { python: 'config.bar=7', file: ['test3.py'] });
    const config4 = cfg({ c: 3, e: 4 }, { file: ['test4.py'] });
    const config5 = cfg({ f: 5, g: 6 });
    const config6 = cfg({ h: 7, i: 8 });
    const config7 = cfg({ h: 9 });
    expect(maybeMergeConfigs(config1, config2)).toEqual([config1, config2]);
    expect(maybeMergeConfigs(config1, config3)).toEqual([config1, config3]);
    expect(maybeMergeConfigs(config2, config4)).toEqual([config2, config4]);
    const merged = maybeMergeConfigs(config5, config6);
    expect(merged).toHaveLength(1);
    expect(Object.fromEntries(merged[0]?.rest ?? [])).toEqual({ f: 5, g: 6, h: 7, i: 8 });
    expect(maybeMergeConfigs(config6, config7)).toEqual([config6, config7]);
  });
});

describe('PipelineIRTestCase', () => {
  test('testPipelineIRInitChecks', async () => {
    expect(await code('tasks:\n  a: module.A\n')).toBe('PIPE_DEFINITION_INVALID');
    expect(await code('description: Test Pipeline\n')).toBe('PIPE_DEFINITION_INVALID');
    expect(await code('description: Test Pipeline\nimports: /dummy_pipeline.yaml\n')).toBe('PIPE_IMPORT_FAILED');
  });

  test('testTaskParsing', async () => {
    const p = await load('description: Test Pipeline\ntasks:\n  modA: test.modA\n  modB:\n    class: test.modB\n');
    expect([...p.tasks.keys()]).toEqual(['modA', 'modB']);
    expect([...p.tasks.values()].map((t) => t.klass)).toEqual(['test.modA', 'test.modB']);
  });

  describe.skipIf(TESTS === undefined)('with $TESTDIR pipelines', () => {
    test('testImportParsing', async () => {
      const err = await load('description: Test Pipeline\nimports:\n  - $TESTDIR/testPipeline1.yaml\n  - $TESTDIR/testPipeline2.yaml\n').catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'PIPE_CONFLICT' });
      expect((err as Error).message).toContain('modA');

      let p = await load('description: Test Pipeline\nimports:\n  - location: $TESTDIR/testPipeline1.yaml\n    exclude: modA\n  - $TESTDIR/testPipeline2.yaml\n');
      expect(new Set(p.tasks.keys())).toEqual(new Set(['modA', 'modB']));
      p = await load('description: Test Pipeline\nimports:\n  - location: $TESTDIR/testPipeline1.yaml\n    include: modB\n    labeledSubsetModifyMode: DROP\n  - $TESTDIR/testPipeline2.yaml\n');
      expect(new Set(p.tasks.keys())).toEqual(new Set(['modA', 'modB']));
      expect(
        await code('description: Test Pipeline\nimports:\n  - location: $TESTDIR/testPipeline1.yaml\n    exclude: modA\n    include: modB\n    labeledSubsetModifyMode: EDIT\n  - $TESTDIR/testPipeline2.yaml\n'),
      ).toBe('PIPE_DEFINITION_INVALID');
      expect(
        await code('description: Test Pipeline\nimports:\n  - location: $TESTDIR/testPipeline1.yaml\n    exclude: modA\n    labeledSubsetModifyMode: WRONG\n'),
      ).toBe('PIPE_DEFINITION_INVALID');

      p = await load('description: Test Pipeline\nimports:\n  - $TESTDIR/testPipeline1.yaml\n');
      expect(p.contracts[0]?.contract).toBe('modA.b == modA.c');
      p = await load('description: Test Pipeline\nimports:\n  - location: $TESTDIR/testPipeline1.yaml\n    importContracts: False\n');
      expect(p.contracts).toEqual([]);

      // same label and class: configs extended; different class: replaced
      p = await load('description: Test Pipeline\nimports:\n  - $TESTDIR/testPipeline2.yaml\ntasks:\n  modA:\n    class: "test.moduleA"\n    config:\n      value2: 2\n');
      expect(Object.fromEntries(p.tasks.get('modA')?.config?.[0]?.rest ?? [])).toEqual({ value1: 1, value2: 2 });
      p = await load('description: Test Pipeline\nimports:\n  - $TESTDIR/testPipeline2.yaml\ntasks:\n  modA:\n    class: "test.moduleAReplace"\n    config:\n      value2: 2\n');
      expect(Object.fromEntries(p.tasks.get('modA')?.config?.[0]?.rest ?? [])).toEqual({ value2: 2 });

      p = await load('description: Test Pipeline\nimports:\n  - $TESTDIR/testPipeline2.yaml\n');
      expect([...p.labeledSubsets.keys()]).toEqual(['modSubset']);
      expect(p.labeledSubsets.get('modSubset')?.subset).toEqual(new Set(['modA']));
      p = await load('description: Test Pipeline\nimports:\n  - $TESTDIR/testPipeline2.yaml\ntasks:\n  modE: "test.moduleE"\nsubsets:\n  modSubset:\n    - modE\n');
      expect(p.labeledSubsets.get('modSubset')?.subset).toEqual(new Set(['modE']));

      expect(await code('description: Test Pipeline\nimports:\n  - $TESTDIR/testPipeline2.yaml\n  - $TESTDIR/testPipeline3.yaml\n')).toBe('PIPE_CONFLICT');
      expect(await code('description: Test Pipeline\nimports:\n  - $TESTDIR/testPipeline2.yaml\ntasks:\n  modSubset: "test.moduleE"\n')).toBe('PIPE_CONFLICT');
      expect(await code('description: Test Pipeline\nimports:\n  - $TESTDIR/testPipeline2.yaml\n  - $TESTDIR/testPipeline4.yaml\n')).toBe('PIPE_CONFLICT');

      // steps: conflicting definitions fail, unless the import's steps are not imported
      expect(await code("description: Test Pipeline\nimports:\n  - $TESTDIR/testPipeline5.yaml\nsteps:\n  - label: sub1\n    sharding_dimensions: ['a', 'e']\n")).toBe('PIPE_CONFLICT');
      await load("description: Test Pipeline\nimports:\n  - location: $TESTDIR/testPipeline5.yaml\n    importSteps: false\nsteps:\n  - label: sub1\n    dimensions: ['a', 'e']\n");
      p = await load('description: Test Pipeline\nimports:\n  - location: $TESTDIR/testPipeline5.yaml\n');
      expect(new Set(p.steps.map((s) => s.label))).toEqual(new Set(['sub1', 'sub2']));
    });

    test('testParameterImporting', async () => {
      const p = await load('description: Test Pipeline\nimports:\n  - $TESTDIR/testPipeline1.yaml\n  - location: $TESTDIR/testPipeline2.yaml\n    exclude:\n      - modA\nparameters:\n  value4: valued\n');
      expect(Object.fromEntries(p.parameters)).toEqual({ value4: 'valued', value1: 'valueNew', value2: 'valueB', value3: 'valueC' });
    });

    test('testImportingInstrument', async () => {
      expect((await load('description: Test Pipeline\nimports:\n  - $TESTDIR/testPipeline1.yaml\n')).instrument).toBe('test.instrument');
      expect((await load('description: Test Pipeline\nimports:\n  - location: $TESTDIR/testPipeline1.yaml\n    instrument: None\n')).instrument).toBeUndefined();
      expect((await load('description: Test Pipeline\nimports:\n  - location: $TESTDIR/testPipeline1.yaml\n    instrument: new.instrument\n')).instrument).toBe('new.instrument');
      const err = await load('description: Test Pipeline\ninstrument: new.instrument\nimports:\n  - location: $TESTDIR/testPipeline1.yaml\n').catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'PIPE_CONFLICT' });
      expect((err as Error).message).toMatch(/new\.instrument .* test\.instrument\./);
    });

    test('testReadContracts', async () => {
      const p = await PipelineIR.fromFile('$TESTDIR/testPipeline1.yaml', { env });
      expect(p.contracts[0]?.contract).toBe('modA.b == modA.c');
      expect(p.source).toBe(join(TESTS ?? '', 'testPipeline1.yaml'));
    });

    test('testSerialization (write, read back, equal)', async () => {
      const p = await load(
        'description: Test Pipeline\ninstrument: dummyCam\nimports:\n  - location: $TESTDIR/testPipeline1.yaml\n    instrument: None\ntasks:\n  modC:\n    class: test.moduleC\n    config:\n      - propertyA: 6\n        propertyB: 7\n        dataId: {"visit": 6}\n      - propertyA: 8\n        propertyB: 9\n  modD: test.moduleD\ncontracts:\n  - modA.foo == modB.bar\nsubsets:\n  subA:\n    - modA\n    - modC\n',
      );
      const text = Pipeline.fromIR(p).toYaml();
      const again = await PipelineIR.fromString(text);
      expect(again.toPrimitives()).toEqual(p.toPrimitives());
      expect(again.tasks.get('modC')?.config?.[0]?.dataId).toEqual({ visit: 6 });
    });

    test('step-exclusion.yaml (pipe_base tests/pipelines): EDIT keeps the emptied step', async () => {
      const p = await PipelineIR.fromFile('$TESTDIR/pipelines/step-exclusion.yaml', { env: { TESTDIR: join(TESTS ?? '', '..') } });
      expect([...p.tasks.keys()]).toEqual(['a', 'b']);
      expect(p.steps.map((s) => s.label)).toEqual(['step1', 'step2']);
    });
  });

  test('testSteps', async () => {
    const base = 'description: Test Pipeline\ntasks:\n  modA: "test.moduleA"\n  modB: "test.moduleB"\nsubsets:\n  sub1:\n    subset:\n    - modA\n    - modB\n  sub2:\n    subset:\n    - modA\nsteps:\n';
    const p = await load(`${base}  - label: sub1\n    sharding_dimensions: ['a', 'b']\n  - label: sub2\n    dimensions: a, b\n`);
    expect(p.steps).toEqual([
      { label: 'sub1', dimensions: ['a', 'b'] },
      { label: 'sub2', dimensions: ['a', 'b'] },
    ]);
    expect(await code(`${base}  - label: sub1\n    dimensions: ['a', 'b']\n  - label: sub1\n    dimensions: ['a', 'b']\n`)).toBe('PIPE_DEFINITION_INVALID');
    expect(await code(`${base}  - label: nope\n    dimensions: []\n`)).toBe('PIPE_DEFINITION_INVALID');
  });

  test('testReadParameters / testTaskParameterLabel / testParameterConfigFormatting', async () => {
    let p = await load('description: Test Pipeline\nparameters:\n  value1: A\n  value2: B\ntasks:\n  modA: ModuleA\n');
    expect(Object.fromEntries(p.parameters)).toEqual({ value1: 'A', value2: 'B' });
    expect(await code('description: Test Pipeline\ntasks:\n  parameters: modA\n')).toBe('PIPE_DEFINITION_INVALID');
    expect(await code('description: Test Pipeline\nparameters: [a]\ntasks:\n  modA: ModuleA\n')).toBe('PIPE_DEFINITION_INVALID');
    p = await load('description: Test Pipeline\nparameters:\n  value1: A\ntasks:\n  modA:\n    class: ModuleA\n    config:\n      testKey: parameters.value1\n      other: parameters.missing\n      python: "config.x = parameters.value1"\n');
    const block = p.tasks.get('modA')?.config?.[0];
    if (block === undefined) throw new Error('no config');
    const { config, warnings } = formatConfig(block, p.parameters);
    expect(config.rest.get('testKey')).toBe('A');
    expect(config.rest.get('other')).toBe('parameters.missing');
    expect(config.python).toBe('config.x = parameters.value1');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('parameters.missing');
  });

  test('testReadContracts (message)', async () => {
    const p = await load('description: Test Pipeline\ntasks:\n  modA: test.modA\n  modB:\n    class: test.modB\ncontracts:\n  - contract: modA.foo == modB.Bar\n    msg: "Test message"\n');
    expect(p.contracts[0]?.msg).toBe('Test message');
    const single = await load('description: d\ntasks:\n  a: x.A\ncontracts: a.x == 1\n');
    expect(single.contracts).toEqual([{ contract: 'a.x == 1', msg: undefined }]);
  });

  test('testReadNamedSubsets', async () => {
    const tasks = 'description: Test Pipeline\ntasks:\n  modA: test.modA\n  modB:\n    class: test.modB\n  modC: test.modC\n  modD: test.modD\n';
    const p = await load(`${tasks}subsets:\n  subset1:\n    - modA\n    - modB\n  subset2:\n    subset:\n      - modC\n      - modD\n    description: "A test named subset"\n`);
    expect([...p.labeledSubsets.keys()]).toEqual(['subset1', 'subset2']);
    expect(p.labeledSubsets.get('subset1')).toEqual({ label: 'subset1', subset: new Set(['modA', 'modB']), description: undefined });
    expect(p.labeledSubsets.get('subset2')?.description).toBe('A test named subset');
    expect(await code(`${tasks}subsets:\n  subset2:\n    sub:\n      - modC\n    description: "x"\n`)).toBe('PIPE_DEFINITION_INVALID');
    expect(await code(`${tasks}subsets:\n  subset2:\n    - modC\n    - modE\n`)).toBe('PIPE_DEFINITION_INVALID');
    expect(await code(`${tasks}subset:\n  s: [modA]\n`)).toBe('PIPE_UNKNOWN_KEY');
  });

  test('testSubsettingPipeline', async () => {
    const p = await load('description: Test Pipeline\ntasks:\n  modA: test.modA\n  modB:\n    class: test.modB\n  modC: test.modC\n  modD: test.modD\nsubsets:\n  subset1:\n    - modA\n    - modB\n  subset2:\n    subset:\n      - modC\n      - modD\n    description: "A test named subset"\n');
    expect([...p.subsetFromLabels(['modA', 'modB', 'modC']).labeledSubsets.keys()]).toEqual(['subset1']);
    const edited = p.subsetFromLabels(['modA', 'modB', 'modC'], 'EDIT');
    expect([...edited.labeledSubsets.keys()]).toEqual(['subset1', 'subset2']);
    expect(edited.labeledSubsets.get('subset2')?.subset).toEqual(new Set(['modC']));
    expect([...p.subsetFromLabels(['subset2']).tasks.keys()]).toEqual(['modC', 'modD']);
    expect(() => p.subsetFromLabels(['modX'])).toThrow(expect.objectContaining({ code: 'PIPE_UNKNOWN_LABEL' }));
    // the original is unchanged (immutability)
    expect(p.tasks.size).toBe(4);
  });

  test('testInstrument / testReadTaskConfig', async () => {
    expect((await load('description: Test Pipeline\ninstrument: dummyCam\ntasks:\n  modA: test.moduleA\n')).instrument).toBe('dummyCam');
    expect(await code('description: d\ninstrument: [a, b]\ntasks:\n  modA: x.A\n')).toBe('PIPE_DEFINITION_INVALID');
    let p = await load('description: Test Pipeline\ntasks:\n  modA:\n    class: test.moduleA\n    config:\n      propertyA: 6\n      propertyB: 7\n      file: testfile.py\n      python: "config.testDict[\'a\'] = 9"\n');
    let c = p.tasks.get('modA')?.config?.[0];
    expect(c?.file).toEqual(['testfile.py']);
    expect(c?.python).toBe("config.testDict['a'] = 9");
    expect(Object.fromEntries(c?.rest ?? [])).toEqual({ propertyA: 6, propertyB: 7 });
    p = await load('description: Test Pipeline\ntasks:\n  modA:\n    class: test.moduleA\n    config:\n      file:\n        - testfile.py\n        - otherFile.py\n');
    expect(p.tasks.get('modA')?.config?.[0]?.file).toEqual(['testfile.py', 'otherFile.py']);
    p = await load('description: Test Pipeline\ntasks:\n  modA:\n    class: test.moduleA\n    config:\n      - propertyA: 6\n        propertyB: 7\n        dataId: {"visit": 6}\n      - propertyA: 8\n        propertyB: 9\n');
    c = p.tasks.get('modA')?.config?.[0];
    expect(Object.fromEntries(c?.rest ?? [])).toEqual({ propertyA: 6, propertyB: 7 });
    expect(c?.dataId).toEqual({ visit: 6 });
    expect(p.tasks.get('modA')?.config?.[1]?.dataId).toBeUndefined();
  });

  test('testPipelineYamlLoader (duplicate keys)', async () => {
    expect(await code('description: Test Pipeline\ntasks:\n  modA: test1\n  modB: test2\n  modA: test3\n')).toBe('PIPE_DUPLICATE_KEY');
  });

  test('testMultiLineStrings', async () => {
    const p = await PipelineIR.fromPrimitives({ description: 'Line 1\nLine2\n', tasks: { modA: 'task1' } });
    const text = Pipeline.fromIR(p).toYaml();
    expect(text).toContain('|');
    expect(text).not.toContain('\\n');
  });
});

describe('SkyStack checks beyond test_pipelineIR.py', () => {
  test('unknown keys are rejected with a suggestion; inherits is refused', async () => {
    const err = await load('description: d\ntasks:\n  a: x.A\ncontract:\n  - a.b == 1\n').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PIPE_UNKNOWN_KEY', keyPath: 'contract' });
    expect((err as Error).message).toContain("Did you mean 'contracts'?");
    expect(await code('description: d\ninherits: x.yaml\n')).toBe('PIPE_UNKNOWN_KEY');
    expect(await code('description: d\nimports:\n  - locaton: x.yaml\n')).toBe('PIPE_UNKNOWN_KEY');
    expect(await code('description: d\ntasks:\n  a:\n    class: x.A\n    confg: {}\n')).toBe('PIPE_UNKNOWN_KEY');
    expect(await code('description: d\ntasks:\n  a: x.A\nsubsets: {s: [a]}\nsteps:\n  - label: s\n    dims: []\n')).toBe('PIPE_UNKNOWN_KEY');
  });

  test('errors carry the file and key path', async () => {
    const err = await PipelineIR.fromString('description: d\ntasks:\n  a: {config: {x: 1}}\n', { source: 'mine.yaml' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PIPE_DEFINITION_INVALID', file: 'mine.yaml', keyPath: 'tasks.a.class' });
    expect((err as Error).message.startsWith('mine.yaml: tasks.a.class: ')).toBe(true);
  });

  test('an unset variable in an import location is named in the hint', async () => {
    const err = await PipelineIR.fromString('description: d\nimports: [$NOT_SET_ANYWHERE_DIR/p.yaml]\n', { env: {} }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PIPE_IMPORT_FAILED', keyPath: 'imports[0].location' });
    expect((err as Error).message).toContain('$NOT_SET_ANYWHERE_DIR');
  });

  test('import cycles are reported', async () => {
    const files: Record<string, string> = {
      '/v/a.yaml': 'description: a\nimports: [/v/b.yaml]\n',
      '/v/b.yaml': 'description: b\nimports: [/v/a.yaml]\n',
    };
    const readFile = async (p: string): Promise<string> => {
      const t = files[p];
      if (t === undefined) throw new Error(`ENOENT ${p}`);
      return t;
    };
    await expect(PipelineIR.fromFile('/v/a.yaml', { readFile })).rejects.toMatchObject({ code: 'PIPE_IMPORT_CYCLE' });
  });

  test('expandVars: $VAR and ${VAR}, unset left as written', () => {
    expect(expandVars('$A/x/${B}/$C', { A: '/a', B: 'b' })).toBe('/a/x/b/$C');
  });

  test('YAML 1.1 scalars as PyYAML reads them (yes/no, !!float nan)', async () => {
    const p = await load('description: d\ntasks:\n  a:\n    class: x.A\n    config:\n      doX: yes\n      t: !!float nan\n      big: 1e3\n');
    const rest = p.tasks.get('a')?.config?.[0]?.rest;
    expect(rest?.get('doX')).toBe(true);
    expect(rest?.get('t')).toBeNaN();
    // Deviation: PyYAML reads 1e3 (no dot) as a string; the yaml package's 1.1 schema reads 1000.
    expect(rest?.get('big')).toBe(1000);
  });

  test('#labels in an import location select labels', async () => {
    const files: Record<string, string> = {
      '/v/base.yaml': 'description: b\ntasks:\n  a: x.A\n  b: x.B\n  c: x.C\nsubsets:\n  ab: [a, b]\n',
    };
    const readFile = async (p: string): Promise<string> => files[p] ?? Promise.reject(new Error(p));
    const p = await PipelineIR.fromString('description: top\nimports: ["/v/base.yaml#ab"]\n', { readFile });
    expect([...p.tasks.keys()]).toEqual(['a', 'b']);
  });
});
