import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ChoiceField, Config, ConfigurableField, Field, ListField, RangeField, RegistryField, applyOverrideMapping, makeRegistry } from '@skystack/pex-config';
import { InitOutput, Input, Output, PrerequisiteInput } from '../connections/connection-types.js';
import { PipelineTaskConfig } from '../connections/pipeline-task-config.js';
import { defineConnections } from '../connections/pipeline-task-connections.js';
import { ExampleSigmaClippedStatsTask, ExampleSimpleStatsTask } from '../examples/example-stats-tasks.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { TaskDefinitionError } from '../task/errors.js';
import { PipelineTask } from '../task/pipeline-task.js';
import { Struct } from '../task/struct.js';
import { Task } from '../task/task.js';
import { isTaskClass, renderTaskDocs, renderTaskDocsIndex } from './task-docs.js';

// ------------------------------------------------------------------------------------------
// Markdown helpers: sections, tables (cells split on unescaped pipes), fenced blocks.

function section(md: string, title: string): string {
  const start = md.indexOf(`\n${title}\n`);
  if (start < 0) throw new Error(`no section '${title}' in:\n${md}`);
  const level = title.split(' ')[0]!;
  const rest = md.slice(start + title.length + 2);
  const next = rest.search(new RegExp(`\\n#{1,${level.length}} `));
  return next < 0 ? rest : rest.slice(0, next);
}

function splitRow(line: string): string[] {
  const cells: string[] = [];
  let cur = '';
  for (let i = 1; i < line.length - 1; i++) {
    const ch = line[i]!;
    if (ch === '\\' && line[i + 1] === '|') {
      cur += '|';
      i++;
    } else if (ch === '|') {
      cells.push(cur.trim());
      cur = '';
    } else {
      cur += ch;
    }
  }
  cells.push(cur.trim());
  return cells;
}

/** Every table of a text: header cells and rows as records; every row must have the header's width. */
function tables(text: string): Record<string, string>[][] {
  const out: Record<string, string>[][] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith('|') || !lines[i + 1]?.startsWith('| ---')) continue;
    const header = splitRow(lines[i]!);
    const rows: Record<string, string>[] = [];
    let j = i + 2;
    for (; j < lines.length && lines[j]!.startsWith('|'); j++) {
      const cells = splitRow(lines[j]!);
      expect(cells, `row '${lines[j]}'`).toHaveLength(header.length);
      rows.push(Object.fromEntries(header.map((h, k) => [h, cells[k]!])));
    }
    out.push(rows);
    i = j;
  }
  return out;
}

function table(text: string): Record<string, string>[] {
  const all = tables(text);
  expect(all).toHaveLength(1);
  return all[0]!;
}

function row(rows: Record<string, string>[], key: string, value: string): Record<string, string> {
  const r = rows.find((x) => x[key] === value);
  if (r === undefined) throw new Error(`no row with ${key} = ${value}: ${JSON.stringify(rows)}`);
  return r;
}

function fenced(text: string, lang: string): string[] {
  return [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
}

// ------------------------------------------------------------------------------------------
// A test PipelineTask with every kind of field and connection.

class ScaleConfig extends Config {
  factor = Field.float({ doc: 'Scale factor', default: 2 });
}
class ScaleTask extends Task<ScaleConfig> {
  static override ConfigClass = ScaleConfig;
  static override _DefaultName: string | undefined = 'scale';
}
class OffsetConfig extends Config {
  offset = Field.int({ doc: 'Offset to add', default: 7 });
}
class OffsetTask extends Task<OffsetConfig> {
  static override ConfigClass = OffsetConfig;
  static override _DefaultName: string | undefined = 'offset';
}
const adjusterRegistry = makeRegistry<Config>('adjusters');
adjusterRegistry.register('scale', ScaleTask as never);
adjusterRegistry.register('offset', OffsetTask as never);

const DIMS = ['instrument', 'visit', 'detector'];
class MeasureConnections extends defineConnections({
  dimensions: DIMS,
  defaultTemplates: { coaddName: 'deep' },
  connections: {
    exposure: new Input({ doc: 'Exposure to measure', name: '{coaddName}Coadd_calexp', storageClass: 'ExposureF', dimensions: DIMS }),
    refCat: new PrerequisiteInput({
      doc: 'Reference catalog shards',
      name: 'gaia_dr3',
      storageClass: 'SimpleCatalog',
      dimensions: ['htm7'],
      multiple: true,
      minimum: 0,
      deferLoad: true,
    }),
    sources: new Output({ doc: 'Measured sources', name: '{coaddName}Coadd_meas', storageClass: 'SourceCatalog', dimensions: DIMS }),
    background: new Output({ doc: 'Background | model', name: 'measBackground', storageClass: 'Background', dimensions: DIMS }),
    schema: new InitOutput({ doc: 'Schema of the sources', name: '{coaddName}Coadd_meas_schema', storageClass: 'SourceCatalog' }),
  },
  configure(self, config) {
    if (!(config as unknown as { doWriteBackground: boolean }).doWriteBackground) self.removeConnection('background');
  },
}) {}

class MeasureConfig extends PipelineTaskConfig.withConnections(MeasureConnections) {
  statistic = ChoiceField({
    doc: 'Statistic of the background',
    dtype: 'str',
    allowed: { MEAN: 'plain mean', MEANCLIP: 'clipped mean' },
    default: 'MEANCLIP',
  });
  apertures = ListField({ doc: 'Aperture radii (pixels)', dtype: 'float', default: [3, 4.5, 6] });
  threshold = RangeField({ doc: 'Detection threshold (sigma)', dtype: 'float', default: 5, min: 0, max: 100 });
  doWriteBackground = Field.bool({ doc: 'Write the background?\nOnly for debugging.', default: false });
  nIter = Field.int({ doc: 'Iterations; set by setDefaults', default: 1 });
  adjust = ConfigurableField({ doc: 'How to adjust the pixels', target: ScaleTask });
  stats = ExampleSigmaClippedStatsTask.makeField('Statistics of the image');
  adjuster = RegistryField({ doc: 'Registered adjuster', registry: adjusterRegistry, default: 'offset' });
  override setDefaults(): void {
    super.setDefaults();
    this.nIter = 4;
  }
}
class MeasureTask extends PipelineTask<MeasureConfig> {
  static override ConfigClass = MeasureConfig;
  static override _DefaultName: string | undefined = 'measure';
  override run(): Struct {
    return new Struct({});
  }
}

const measurePage = renderTaskDocs(MeasureTask, {
  packageName: '@skystack/pipe-tasks',
  summary: 'Measures sources.',
  processingSteps: ['Subtract the background.', 'Measure\nthe sources.'],
  linkFor: (target) => (target === ExampleSigmaClippedStatsTask ? 'ExampleSigmaClippedStatsTask.md' : undefined),
});

// ------------------------------------------------------------------------------------------

describe('renderTaskDocs on the example tasks', () => {
  const info = { packageName: '@skystack/pipe-base', lsstName: 'lsst.pipe.tasks.exampleStatsTasks.ExampleSigmaClippedStatsTask' };
  const page = renderTaskDocs(ExampleSigmaClippedStatsTask, info);

  it('lists the config fields with their types, LSST defaults and docs', () => {
    // Defaults and docs of lsst.pipe.tasks.exampleStatsTasks.ExampleSigmaClippedStatsConfig.
    const rows = table(section(page, '## Configuration fields'));
    expect(rows.map((r) => r['Field'])).toEqual(['`badMaskPlanes`', '`numSigmaClip`', '`numIter`']);
    expect(row(rows, 'Field', '`badMaskPlanes`')).toMatchObject({ Type: '`List[str]` (ListField)', Default: "`['EDGE']`" });
    expect(row(rows, 'Field', '`badMaskPlanes`')['Description']).toContain('Mask planes that, if set, indicate the associated pixel');
    expect(row(rows, 'Field', '`numSigmaClip`')).toEqual({ Field: '`numSigmaClip`', Type: '`float`', Default: '`3.0`', Description: 'number of sigmas at which to clip data' });
    expect(row(rows, 'Field', '`numIter`')).toEqual({ Field: '`numIter`', Type: '`int`', Default: '`2`', Description: 'number of iterations of sigma clipping' });
  });

  it('states the facts, the API and that there are no subtasks or connections', () => {
    expect(page).toContain('| Kind | Task |');
    expect(page).toContain('| Default name (`_DefaultName`) | `exampleSigmaClippedStats` |');
    expect(page).toContain('| Config class | `ExampleSigmaClippedStatsConfig` |');
    expect(page).toContain('| LSST original | `lsst.pipe.tasks.exampleStatsTasks.ExampleSigmaClippedStatsTask` |');
    expect(section(page, '## API')).toContain("import { ExampleSigmaClippedStatsTask } from '@skystack/pipe-base';");
    expect(section(page, '## Retargetable subtasks')).toContain('no retargetable subtasks');
    expect(page).not.toContain('## Connections');
  });

  it('shows a plain task as a subtask whose fields a pipeline sets through the parent', () => {
    const examples = section(page, '## Examples');
    const [ts] = fenced(examples, 'ts');
    expect(ts).toContain('exampleSigmaClippedStats = ExampleSigmaClippedStatsTask.makeField(');
    const [yaml] = fenced(examples, 'yaml');
    const parsed = parseYaml(yaml!) as { tasks: { parentLabel: { config: Record<string, unknown> } } };
    expect(parsed.tasks.parentLabel.config).toEqual({ 'exampleSigmaClippedStats.badMaskPlanes': ['EDGE'], 'exampleSigmaClippedStats.numSigmaClip': 3 });
    // The keys name real fields of a parent config declared as the TypeScript example says.
    class ParentConfig extends Config {
      exampleSigmaClippedStats = ExampleSigmaClippedStatsTask.makeField('Statistics');
    }
    const parent = new ParentConfig();
    applyOverrideMapping(parent, { ...parsed.tasks.parentLabel.config, 'exampleSigmaClippedStats.numSigmaClip': 2.5 });
    expect(parent.exampleSigmaClippedStats.numSigmaClip).toBe(2.5);
  });

  it('documents a task with no configuration', () => {
    const simple = renderTaskDocs(ExampleSimpleStatsTask, { packageName: '@skystack/pipe-base' });
    expect(simple.startsWith('# ExampleSimpleStatsTask\n')).toBe(true);
    expect(section(simple, '## Configuration fields')).toContain('This task has no configuration fields.');
    expect(simple).toContain('| LSST original | — |');
    expect(simple).toContain('| Default name (`_DefaultName`) | `exampleSimpleStats` |');
    expect(simple).not.toContain('```yaml');
  });

  it('is deterministic and has no dates', () => {
    expect(renderTaskDocs(ExampleSigmaClippedStatsTask, info)).toBe(page);
    expect(page).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    expect(page.endsWith('\n') && !page.endsWith('\n\n')).toBe(true);
  });
});

describe('renderTaskDocs on a PipelineTask with subtasks and every field kind', () => {
  const fields = table(section(measurePage, '## Configuration fields'));

  it('lists ChoiceField, ListField, RangeField values with their allowed values and range', () => {
    const choice = row(fields, 'Field', '`statistic`');
    expect(choice['Type']).toBe('`str` (ChoiceField)');
    expect(choice['Default']).toBe("`'MEANCLIP'`");
    expect(choice['Description']).toBe("Statistic of the background. Allowed: `'MEAN'` (plain mean), `'MEANCLIP'` (clipped mean).");
    expect(row(fields, 'Field', '`apertures`')).toMatchObject({ Type: '`List[float]` (ListField)', Default: '`[3.0, 4.5, 6.0]`' });
    const range = row(fields, 'Field', '`threshold`');
    expect(range).toMatchObject({ Type: '`float` (RangeField)', Default: '`5.0`' });
    expect(range['Description']).toBe('Detection threshold (sigma). Range: `[0, 100)`.');
    expect(row(fields, 'Field', '`doWriteBackground`')).toMatchObject({ Default: '`False`', Description: 'Write the background? Only for debugging.' });
  });

  it('shows the defaults of a new config, with the declared default when setDefaults changed it', () => {
    expect(row(fields, 'Field', '`nIter`')['Default']).toBe('`4` (field default `1`)');
  });

  it('lists the PipelineTaskConfig fields but not the fields of subtasks or connections', () => {
    const names = fields.map((r) => r['Field']);
    expect(names).toContain('`saveLogOutput`');
    expect(row(fields, 'Field', '`saveMetadata`')['Description']).toContain('Deprecated');
    expect(names).toContain('`connections`');
    expect(names.filter((n) => /^`(adjust|stats|adjuster|connections)[.[]/.test(n!))).toEqual([]);
  });

  it('lists the retargetable subtasks with their targets, config classes and links', () => {
    const rows = table(section(measurePage, '## Retargetable subtasks'));
    expect(rows.map((r) => r['Field'])).toEqual(['`adjust`', '`stats`', '`adjuster`']);
    expect(row(rows, 'Field', '`adjust`')).toEqual({
      Field: '`adjust`',
      'Default target': '`ScaleTask`',
      'Config class': '`ScaleConfig`',
      Description: 'How to adjust the pixels',
    });
    expect(row(rows, 'Field', '`stats`')).toMatchObject({
      'Default target': '[ExampleSigmaClippedStatsTask](ExampleSigmaClippedStatsTask.md)',
      'Config class': '`ExampleSigmaClippedStatsConfig`',
      Description: 'Statistics of the image',
    });
    const reg = row(rows, 'Field', '`adjuster`');
    expect(reg).toMatchObject({ 'Default target': '`OffsetTask`', 'Config class': '`OffsetConfig`' });
    expect(reg['Description']).toContain("`'scale': ScaleTask (ScaleConfig)`");
    expect(reg['Description']).toContain("selected `'offset'`");
  });

  it('lists the connections by kind with templates, storage classes and dimensions', () => {
    const conn = section(measurePage, '## Connections');
    expect(conn).toContain('Quantum dimensions: `instrument`, `visit`, `detector`.');
    const [templates, inputs, prereqs, outputs, initOutputs] = tables(conn);
    expect(templates).toEqual([{ Template: '`coaddName`', Default: '`deep`' }]);
    expect(inputs).toEqual([
      {
        Connection: '`exposure`',
        'Dataset type': '`{coaddName}Coadd_calexp` (default `deepCoadd_calexp`)',
        'Storage class': '`ExposureF`',
        Dimensions: '`instrument`, `visit`, `detector`',
        Notes: '',
        Description: 'Exposure to measure',
      },
    ]);
    expect(prereqs).toEqual([
      {
        Connection: '`refCat`',
        'Dataset type': '`gaia_dr3`',
        'Storage class': '`SimpleCatalog`',
        Dimensions: '`htm7`',
        Notes: 'multiple; optional (minimum 0); deferLoad',
        Description: 'Reference catalog shards',
      },
    ]);
    expect(outputs!.map((r) => r['Connection'])).toEqual(['`sources`', '`background`']);
    expect(row(outputs!, 'Connection', '`background`')).toMatchObject({ Notes: 'not present with the default config', Description: 'Background | model' });
    expect(initOutputs).toEqual([
      {
        Connection: '`schema`',
        'Dataset type': '`{coaddName}Coadd_meas_schema` (default `deepCoadd_meas_schema`)',
        'Storage class': '`SourceCatalog`',
        Dimensions: '—',
        Notes: '',
        Description: 'Schema of the sources',
      },
    ]);
  });

  it('writes the processing steps in order', () => {
    expect(section(measurePage, '## Processing summary')).toContain('1. Subtract the background.\n2. Measure the sources.\n');
  });

  it('gives a pipeline YAML that SkyStack loads and resolves to the task', async () => {
    const examples = section(measurePage, '## Examples');
    const [yaml] = fenced(examples, 'yaml');
    const pipeline = await Pipeline.fromString(yaml!);
    const [def] = pipeline.taskDefinitions();
    expect(def!.label).toBe('measure');
    expect(def!.implementation).toMatchObject({ kind: 'alias', module: '@skystack/pipe-tasks', exportName: 'MeasureTask' });
    const rest = Object.fromEntries(def!.config[0]!.rest);
    expect(rest).toEqual({ statistic: 'MEANCLIP', apertures: [3, 4.5, 6] });
    // The block applies cleanly to the task's config and leaves it at its defaults.
    const config = new MeasureConfig();
    applyOverrideMapping(config, rest);
    expect(config.compare(new MeasureConfig()).equal).toBe(true);
    const [sh] = fenced(examples, 'sh');
    expect(sh).toContain("-p pipeline.yaml -c measure:statistic=\"'MEANCLIP'\"");
  });

  it('writes an aliased LSST class name in the YAML when the alias table maps it to the task', () => {
    const page = renderTaskDocs(MeasureTask, {
      packageName: '@skystack/pipe-tasks',
      exportName: 'CharacterizeImageTask',
      lsstName: 'lsst.pipe.tasks.characterizeImage.CharacterizeImageTask',
    });
    expect(page).toContain('    class: lsst.pipe.tasks.characterizeImage.CharacterizeImageTask\n');
    const unaliased = renderTaskDocs(MeasureTask, { packageName: '@skystack/pipe-tasks', lsstName: 'lsst.pipe.tasks.measure.MeasureTask' });
    expect(unaliased).toContain("    class: '@skystack/pipe-tasks#MeasureTask'\n");
  });

  it('keeps every table row as wide as its header', () => {
    expect(tables(measurePage).length).toBeGreaterThanOrEqual(7);
  });
});

describe('isTaskClass and errors', () => {
  it('accepts Task subclasses with a default name only', () => {
    expect(isTaskClass(ExampleSimpleStatsTask)).toBe(true);
    expect(isTaskClass(MeasureTask)).toBe(true);
    expect(isTaskClass(Task)).toBe(false);
    expect(isTaskClass(PipelineTask)).toBe(false);
    class Unnamed extends Task {}
    expect(isTaskClass(Unnamed)).toBe(false);
    expect(isTaskClass(ScaleConfig)).toBe(false);
    expect(isTaskClass('ExampleSimpleStatsTask')).toBe(false);
  });

  it('refuses what is not a documentable task', () => {
    class Unnamed extends Task {}
    expect(() => renderTaskDocs(Unnamed)).toThrow(TaskDefinitionError);
    expect(() => renderTaskDocs(Unnamed)).toThrow(/Unnamed is not a Task subclass/);
  });
});

describe('renderTaskDocsIndex', () => {
  it('writes one linked row per task with the first sentence of its summary', () => {
    const md = renderTaskDocsIndex([
      { name: 'ATask', link: 'ATask.md', packageName: '@skystack/pipe-base', lsstName: 'lsst.a.ATask', summary: 'Does a | b.\nThen more. And more.' },
      { name: 'BTask', link: 'BTask.md', packageName: '@skystack/pipe-tasks' },
    ]);
    expect(md.startsWith('# Tasks\n')).toBe(true);
    expect(table(md)).toEqual([
      { Task: '[ATask](ATask.md)', Package: '`@skystack/pipe-base`', 'LSST original': '`lsst.a.ATask`', Summary: 'Does a | b.' },
      { Task: '[BTask](BTask.md)', Package: '`@skystack/pipe-tasks`', 'LSST original': '—', Summary: '' },
    ]);
  });
});
