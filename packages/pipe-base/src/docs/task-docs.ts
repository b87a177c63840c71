import { describeConfig } from '@skystack/pex-config';
import type { Config, ConfigClass, FieldDescription } from '@skystack/pex-config';
import type { BaseConnection, ConnectionTypeSet } from '../connections/connection-types.js';
import { BaseInput, Input, PrerequisiteInput } from '../connections/connection-types.js';
import type { AnyConnectionsClass, ConnectionsConfigHolder } from '../connections/pipeline-task-connections.js';
import { formatTemplate } from '../connections/templates.js';
import { resolveTaskClassName } from '../pipeline/task-aliases.js';
import { TaskDefinitionError } from '../task/errors.js';
import { PipelineTask } from '../task/pipeline-task.js';
import { Task } from '../task/task.js';

/**
 * What a task's page says beyond what can be read from the class at run time: the prose of
 * its TSDoc, where it is exported from, and which LSST task it stands for. Every item is
 * optional; a page made without any still lists the configuration, subtasks and connections.
 */
export interface TaskDocInfo {
  /** The package that exports the task, e.g. `@skystack/pipe-base`. */
  readonly packageName?: string | undefined;
  /** The name the package exports the task under (default: the class name). */
  readonly exportName?: string | undefined;
  /** One paragraph saying what the task does (Markdown), the first paragraph of its TSDoc. */
  readonly summary?: string | undefined;
  /** Further paragraphs of description (Markdown). */
  readonly description?: string | undefined;
  /** The processing steps, in order (Markdown, one item each), when the TSDoc lists them. */
  readonly processingSteps?: readonly string[] | undefined;
  /** The LSST class it stands for, e.g. `lsst.pipe.tasks.characterizeImage.CharacterizeImageTask`. */
  readonly lsstName?: string | undefined;
  /** The task's `run` signature as declared, e.g. `run(maskedImage: MaskedImage): Struct<ExampleStats>`. */
  readonly runSignature?: string | undefined;
  /** TypeScript examples from the TSDoc (`@example` blocks, Markdown with their code fences). */
  readonly examples?: readonly string[] | undefined;
  /**
   * The class name to write in pipeline YAML (default: the LSST name when the alias table
   * maps it to this task, else `<packageName>#<exportName>`).
   */
  readonly pipelineClassName?: string | undefined;
  /**
   * A link (relative URL) to the page of a subtask target, or undefined when it has none;
   * linked targets are written as `[Name](url)`.
   */
  readonly linkFor?: ((target: unknown) => string | undefined) | undefined;
}

/**
 * A Task class as {@link renderTaskDocs} takes it: any subclass of {@link Task}, whatever its
 * config class, with the statics a page is made from.
 */
export type DocumentableTaskClass = (abstract new (...args: never[]) => Task) & {
  /** The class name. */
  readonly name: string;
  /** The config class. */
  readonly ConfigClass: ConfigClass;
  /** The default name of a top-level task. */
  readonly _DefaultName?: string | undefined;
};

/** One row of the task index that {@link renderTaskDocsIndex} writes. */
export interface TaskDocsIndexEntry {
  /** The exported task name. */
  readonly name: string;
  /** The page of the task, relative to the index, e.g. `ExampleSimpleStatsTask.md`. */
  readonly link: string;
  /** The package that exports it. */
  readonly packageName: string;
  /** The LSST class it stands for, when known. */
  readonly lsstName?: string | undefined;
  /** The task's summary (only its first sentence is written). */
  readonly summary?: string | undefined;
}

/** Names of the fields every PipelineTaskConfig has, left out of the pipeline YAML example. */
const BASE_PIPELINE_FIELDS = new Set(['saveMetadata', 'saveLogOutput', 'connections']);
const SCALAR_KINDS = new Set(['Field', 'RangeField', 'ChoiceField', 'ListField']);
const SUBTASK_KINDS = new Set(['ConfigurableField', 'RegistryField']);
const CONNECTION_SECTIONS: readonly [ConnectionTypeSet, string][] = [
  ['inputs', 'Inputs'],
  ['prerequisiteInputs', 'Prerequisite inputs'],
  ['outputs', 'Outputs'],
  ['initInputs', 'Init-inputs'],
  ['initOutputs', 'Init-outputs'],
];

/**
 * Whether a value is a documentable Task class: a subclass of {@link Task} (not `Task` or
 * `PipelineTask` themselves) with a static `ConfigClass` and a non-empty `_DefaultName`.
 *
 * @example
 * ```ts
 * import * as pipeBase from '@skystack/pipe-base';
 * const tasks = Object.values(pipeBase).filter(isTaskClass); // [ExampleSimpleStatsTask, ...]
 * ```
 * @param value - anything (e.g. an export of a package)
 * @returns true for a Task class that can be documented
 */
export function isTaskClass(value: unknown): value is DocumentableTaskClass {
  if (typeof value !== 'function' || !(value.prototype instanceof Task)) return false;
  const cls = value as unknown as DocumentableTaskClass;
  return typeof cls.ConfigClass === 'function' && typeof cls._DefaultName === 'string' && cls._DefaultName !== '';
}

/**
 * Renders the Markdown page of a Task class, as LSST's task topic pages
 * (pipelines.lsst.io): summary, facts (package, default name, config class, LSST original),
 * processing steps, the TypeScript API, the retargetable subtasks (the `ConfigurableField`
 * and `RegistryField` targets of its config), every configuration field with its type,
 * default and documentation (from `describeConfig` of `@skystack/pex-config` on a fresh
 * config, so defaults set in `setDefaults` are shown), for a {@link PipelineTask} its
 * connections (dataset type name templates, storage classes, dimensions), and an example of
 * use in a pipeline YAML (or, for a plain Task, as a subtask).
 *
 * The page depends only on the class and `info`: no dates, no paths, no machine state.
 *
 * @example
 * ```ts
 * const markdown = renderTaskDocs(ExampleSigmaClippedStatsTask, {
 *   packageName: '@skystack/pipe-base',
 *   summary: 'Example task computing the sigma-clipped mean and standard deviation of a masked image.',
 *   lsstName: 'lsst.pipe.tasks.exampleStatsTasks.ExampleSigmaClippedStatsTask',
 * });
 * ```
 * @param taskClass - the Task class
 * @param info - prose and names from outside the class (its TSDoc, package, LSST name)
 * @returns the page, ending with a newline
 * @throws {@link TaskDefinitionError} when `taskClass` is not a Task class with a `ConfigClass`
 *   and a `_DefaultName`, or its config cannot be made with defaults
 * @see lsst.pipe.base (the task topic pages of pipelines.lsst.io, e.g. lsst.pipe.tasks.characterizeImage.CharacterizeImageTask)
 */
export function renderTaskDocs(taskClass: DocumentableTaskClass, info: TaskDocInfo = {}): string {
  if (!isTaskClass(taskClass)) {
    const name = typeof taskClass === 'function' ? (taskClass as { name: string }).name : String(taskClass);
    throw new TaskDefinitionError(`renderTaskDocs: ${name} is not a Task subclass with a static ConfigClass and _DefaultName.`, {
      hint: 'Pass a class that extends Task or PipelineTask and sets static ConfigClass and _DefaultName.',
    });
  }
  const exportName = info.exportName ?? taskClass.name;
  const defaultName = taskClass._DefaultName!;
  let config: Config;
  try {
    config = new taskClass.ConfigClass();
  } catch (e) {
    throw new TaskDefinitionError(`renderTaskDocs: the config of ${exportName} (${taskClass.ConfigClass.name}) cannot be made with its defaults: ${(e as Error).message}`, { cause: e });
  }
  const fields = describeConfig(config);
  const connectionsClass = (taskClass.ConfigClass as unknown as { ConnectionsClass?: AnyConnectionsClass }).ConnectionsClass;
  const isPipelineTask = taskClass.prototype instanceof PipelineTask;
  const out: string[] = [];

  out.push(`# ${exportName}`, '');
  if (info.summary !== undefined && info.summary.trim() !== '') out.push(info.summary.trim(), '');
  if (info.description !== undefined && info.description.trim() !== '') out.push(info.description.trim(), '');

  const facts: [string, string][] = [];
  if (info.packageName !== undefined) facts.push(['Package', code(info.packageName)]);
  facts.push(['Kind', isPipelineTask ? 'PipelineTask' : 'Task']);
  facts.push(['Default name (`_DefaultName`)', code(defaultName)]);
  facts.push(['Config class', code(taskClass.ConfigClass.name)]);
  if (connectionsClass !== undefined) facts.push(['Connections class', code(connectionsClass.name)]);
  facts.push(['LSST original', info.lsstName !== undefined ? code(info.lsstName) : '—']);
  out.push('| | |', '| --- | --- |', ...facts.map(([k, v]) => `| ${k} | ${v} |`), '');

  if (info.processingSteps !== undefined && info.processingSteps.length > 0) {
    out.push('## Processing summary', '', `${exportName} runs these steps:`, '');
    info.processingSteps.forEach((step, i) => out.push(`${i + 1}. ${oneLine(step)}`));
    out.push('');
  }

  out.push('## API', '');
  if (info.packageName !== undefined) out.push('```ts', `import { ${exportName} } from '${info.packageName}';`, '```', '');
  const ctorNote = isPipelineTask
    ? '`new ' + exportName + '({ config, name, parentTask, log, initInputs })`'
    : '`new ' + exportName + '({ config, name, parentTask, log })`';
  out.push(`Construct it with ${ctorNote}; the config is validated and frozen by the constructor.`);
  if (info.runSignature !== undefined) out.push('', 'Its work is done by:', '', '```ts', info.runSignature.trim(), '```');
  out.push('');

  renderSubtasks(out, config, fields, info);
  renderConfigFields(out, fields);
  if (connectionsClass !== undefined) renderConnections(out, connectionsClass, config);
  renderExamples(out, { exportName, defaultName, fields, isPipelineTask, info });
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return `${out.join('\n')}\n`;
}

/**
 * Renders the index page of documented tasks: a table of task (linked to its page),
 * package, LSST original and one-line summary, in the order given.
 *
 * @example
 * ```ts
 * const readme = renderTaskDocsIndex([
 *   { name: 'ExampleSimpleStatsTask', link: 'ExampleSimpleStatsTask.md', packageName: '@skystack/pipe-base' },
 * ]);
 * ```
 * @param entries - one entry per task
 * @param title - the page title
 * @returns the page, ending with a newline
 */
export function renderTaskDocsIndex(entries: readonly TaskDocsIndexEntry[], title = 'Tasks'): string {
  const out = [
    `# ${title}`,
    '',
    'One page per SkyStack task: what it does, its subtasks, its configuration fields with their',
    'defaults, its connections when it is a PipelineTask, and how to use it in a pipeline.',
    '',
    '| Task | Package | LSST original | Summary |',
    '| --- | --- | --- | --- |',
  ];
  for (const e of entries) {
    const summary = e.summary === undefined ? '' : cell(firstSentence(e.summary));
    out.push(`| [${e.name}](${e.link}) | ${code(e.packageName)} | ${e.lsstName === undefined ? '—' : code(e.lsstName)} | ${summary} |`);
  }
  return `${out.join('\n')}\n`;
}

// ------------------------------------------------------------------------------------------
// Sections

function renderSubtasks(out: string[], config: Config, fields: readonly FieldDescription[], info: TaskDocInfo): void {
  out.push('## Retargetable subtasks', '');
  const rows: string[] = [];
  for (const f of topLevelSubtaskRows(fields)) {
    const holder = lookup(config, f.name);
    let target: unknown;
    let configClassName: string;
    let choices = '';
    if (f.kind === 'ConfigurableField') {
      const handle = holder as { target?: unknown; ConfigClass?: { name: string } } | undefined;
      target = handle?.target;
      configClassName = handle?.ConfigClass?.name ?? f.type;
    } else {
      const inst = holder as { name?: unknown; registry?: { get(n: string): { target: unknown; ConfigClass: { name: string } } } } | undefined;
      const selected = typeof f.value === 'string' ? f.value : undefined;
      const entry = selected !== undefined && inst?.registry !== undefined ? inst.registry.get(selected) : undefined;
      target = entry?.target;
      configClassName = entry?.ConfigClass.name ?? '—';
      const allowed = (f.allowed ?? []).map((a) => `${pyRepr(a.value)}: ${a.doc}`);
      choices = allowed.length > 0 ? `Registry choices: ${allowed.map(code).join(', ')}; selected ${code(pyRepr(f.value))}.` : '';
    }
    const targetName = typeof target === 'function' ? (target as { name: string }).name || '(anonymous)' : '—';
    const link = target === undefined ? undefined : info.linkFor?.(target);
    const targetCell = link === undefined ? code(targetName) : `[${targetName}](${link})`;
    rows.push(`| ${code(shortName(f.name))} | ${targetCell} | ${code(configClassName)} | ${cell(withExtras(f.doc, choices === '' ? [] : [choices]))} |`);
  }
  if (rows.length === 0) {
    out.push('This task has no retargetable subtasks.', '');
    return;
  }
  out.push(
    'Each subtask is a configuration field whose target can be replaced (`config.<field>.retarget(OtherTask)`);',
    "its own fields are documented on the target's page and set as `<field>.<name>`.",
    '',
    '| Field | Default target | Config class | Description |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  );
}

function renderConfigFields(out: string[], fields: readonly FieldDescription[]): void {
  out.push('## Configuration fields', '');
  const subtaskPrefixes = fields.filter((f) => SUBTASK_KINDS.has(f.kind)).map((f) => f.name);
  const rows: string[] = [];
  for (const f of fields) {
    if (subtaskPrefixes.some((p) => isBelow(f.name, p))) continue;
    if (isBelow(f.name, 'config.connections')) continue;
    rows.push(`| ${code(shortName(f.name))} | ${typeCell(f)} | ${defaultCell(f)} | ${cell(docCell(f))} |`);
  }
  if (rows.length === 0) {
    out.push('This task has no configuration fields.', '');
    return;
  }
  out.push(
    'Defaults are those of a new config (after its `setDefaults`), written as Python literals as in',
    'config override files (`pipetask run -c label:field=value`).',
    '',
    '| Field | Type | Default | Description |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  );
}

interface ConnectionRow {
  readonly name: string;
  readonly connection: BaseConnection;
  readonly removed: boolean;
  readonly added: boolean;
}

function renderConnections(out: string[], cls: AnyConnectionsClass, config: Config): void {
  out.push('## Connections', '');
  const dims = [...cls.dimensions];
  out.push(`Quantum dimensions: ${dims.length === 0 ? '(none)' : dims.map(code).join(', ')}.`, '');
  out.push(
    'Dataset type names may hold templates (`{name}`), expanded with the template values below;',
    'override a dataset type name with `connections.<connection>` and a template with',
    '`connections.<template>`.',
    '',
  );
  const templates = cls.defaultTemplates;
  const templateKeys = Object.keys(templates);
  if (templateKeys.length > 0) {
    out.push('| Template | Default |', '| --- | --- |');
    for (const t of templateKeys) out.push(`| ${code(t)} | ${code(templates[t]!)} |`);
    out.push('');
  }
  // The connections of a default config (configure() may remove or add some).
  let present: ReadonlyMap<string, BaseConnection> | undefined;
  try {
    present = new cls({ config: config as unknown as ConnectionsConfigHolder }).allConnections;
  } catch {
    present = undefined;
  }
  const rows: ConnectionRow[] = [];
  for (const [name, connection] of cls.allConnections) {
    rows.push({ name, connection, removed: present !== undefined && !present.has(name), added: false });
  }
  if (present !== undefined) {
    for (const [name, connection] of present) {
      if (!cls.allConnections.has(name)) rows.push({ name, connection, removed: false, added: true });
    }
  }
  for (const [set, title] of CONNECTION_SECTIONS) {
    const inSet = rows.filter((r) => r.connection.connectionTypeSet === set);
    if (inSet.length === 0) continue;
    out.push(`### ${title}`, '');
    out.push('| Connection | Dataset type | Storage class | Dimensions | Notes | Description |', '| --- | --- | --- | --- | --- | --- |');
    for (const r of inSet) {
      const c = r.connection;
      let datasetType = code(c.name);
      if (!r.added && c.name.includes('{')) {
        try {
          const expanded = formatTemplate(c.name, templates);
          if (expanded !== c.name) datasetType += ` (default ${code(expanded)})`;
        } catch {
          // An unbalanced brace: shown as declared.
        }
      }
      const dimsCell = c.dimensions.length === 0 ? '—' : c.dimensions.map(code).join(', ');
      out.push(`| ${code(r.name)} | ${datasetType} | ${code(c.storageClass)} | ${dimsCell} | ${cell(connectionNotes(r))} | ${cell(c.doc)} |`);
    }
    out.push('');
  }
}

function connectionNotes(r: ConnectionRow): string {
  const c = r.connection;
  const notes: string[] = [];
  if (c.multiple) notes.push('multiple');
  if (c instanceof BaseInput) {
    if (c.minimum !== 1) notes.push(c instanceof PrerequisiteInput && c.minimum === 0 ? 'optional (minimum 0)' : `minimum ${c.minimum}`);
    if (c.deferLoad) notes.push('deferLoad');
  }
  if (c instanceof Input) {
    if (c.deferGraphConstraint) notes.push('deferGraphConstraint');
    if (c.deferBinding) notes.push('deferBinding');
  }
  if (c instanceof PrerequisiteInput && c.lookupFunction !== undefined) notes.push('custom lookup');
  if (c.isCalibration) notes.push('calibration');
  if (r.removed) notes.push('not present with the default config');
  if (r.added) notes.push('added by the connections for the default config');
  if (c.deprecated !== undefined) notes.push(`deprecated: ${c.deprecated}`);
  return notes.join('; ');
}

interface ExampleContext {
  readonly exportName: string;
  readonly defaultName: string;
  readonly fields: readonly FieldDescription[];
  readonly isPipelineTask: boolean;
  readonly info: TaskDocInfo;
}

function renderExamples(out: string[], ctx: ExampleContext): void {
  const { exportName, defaultName, fields, isPipelineTask, info } = ctx;
  out.push('## Examples', '');
  const overrides = fields
    .filter((f) => f.name.split('.').length === 2 && SCALAR_KINDS.has(f.kind) && f.deprecated === undefined && !BASE_PIPELINE_FIELDS.has(shortName(f.name)))
    .slice(0, 2);
  if (isPipelineTask) {
    const className = info.pipelineClassName ?? pipelineClassName(exportName, info);
    out.push(`### In a pipeline`, '', `A pipeline YAML that runs ${exportName} under the label ${code(defaultName)}:`, '', '```yaml');
    out.push(`description: Run ${exportName}`, 'tasks:', `  ${defaultName}:`, `    class: ${yamlString(className)}`);
    if (overrides.length > 0) {
      out.push('    config:');
      for (const f of overrides) out.push(`      ${shortName(f.name)}: ${yamlValue(f.value, isFloatType(f.type))}`);
    }
    out.push('```', '');
    out.push('Run it with:', '', '```sh');
    const c = overrides[0];
    const cOption = c === undefined ? '' : ` -c ${defaultName}:${shortName(c.name)}=${shellWord(pyRepr(c.value, isFloatType(c.type)))}`;
    out.push(`pnpm pipetask run -b REPO -i INPUT_COLLECTION -o OUTPUT_COLLECTION -p pipeline.yaml${cOption}`, '```', '');
  } else {
    out.push(
      '### As a subtask',
      '',
      `${exportName} is a plain Task (not a PipelineTask): a pipeline runs it as a subtask of another task,`,
      'declared by a configuration field of that task:',
      '',
      '```ts',
    );
    if (info.packageName !== undefined) out.push("import { Config } from '@skystack/pex-config';", `import { ${exportName} } from '${info.packageName}';`, '');
    out.push('class ParentConfig extends Config {', `  ${defaultName} = ${exportName}.makeField(${tsString(`Run ${exportName}`)});`, '}');
    out.push('// in the parent task\'s constructor:', `// this.makeSubtask('${defaultName}');`, '```', '');
    if (overrides.length > 0) {
      out.push('Its fields are then set through the parent task in a pipeline YAML:', '', '```yaml', 'tasks:', '  parentLabel:', '    class: PARENT_TASK_CLASS', '    config:');
      for (const f of overrides) out.push(`      ${defaultName}.${shortName(f.name)}: ${yamlValue(f.value, isFloatType(f.type))}`);
      out.push('```', '');
    }
  }
  for (const example of info.examples ?? []) {
    out.push('### In TypeScript', '', example.trim(), '');
  }
}

// ------------------------------------------------------------------------------------------
// Helpers

/**
 * The class name a pipeline YAML should give: the LSST name when the alias table maps it to
 * this task (so that the same YAML runs in LSST), else SkyStack's `<package>#<Export>`.
 */
function pipelineClassName(exportName: string, info: TaskDocInfo): string {
  if (info.packageName === undefined) return exportName;
  if (info.lsstName !== undefined) {
    let resolved: ReturnType<typeof resolveTaskClassName>;
    try {
      resolved = resolveTaskClassName(info.lsstName);
    } catch {
      resolved = undefined; // not a dotted Python name: never written as the class
    }
    if (resolved !== undefined && resolved.module === info.packageName && resolved.exportName === exportName) return info.lsstName;
  }
  return `${info.packageName}#${exportName}`;
}

/** Subtask fields that are not themselves inside a subtask's config. */
function topLevelSubtaskRows(fields: readonly FieldDescription[]): FieldDescription[] {
  const subtasks = fields.filter((f) => SUBTASK_KINDS.has(f.kind));
  return subtasks.filter((f) => !subtasks.some((o) => o !== f && isBelow(f.name, o.name)));
}

/** Whether `name` is a field inside the config named `prefix` (`prefix.x` or `prefix['k']...`). */
function isBelow(name: string, prefix: string): boolean {
  return name.startsWith(`${prefix}.`) || name.startsWith(`${prefix}[`);
}

/** The value at a dotted field name (`config.a.b`), or undefined when it cannot be followed. */
function lookup(config: Config, name: string): unknown {
  const parts = name.split('.').slice(1);
  let v: unknown = config;
  for (const p of parts) {
    if (p.includes('[') || v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

function shortName(name: string): string {
  return name.startsWith('config.') ? name.slice('config.'.length) : name;
}

function isFloatType(type: string): boolean {
  return /\bfloat\b/.test(type);
}

function typeCell(f: FieldDescription): string {
  const type = f.kind === 'Field' ? code(f.type) : `${code(f.type)} (${f.kind})`;
  return f.optional ? `${type}, optional` : type;
}

function defaultCell(f: FieldDescription): string {
  if (f.kind === 'ConfigField' || f.kind === 'ConfigurableField') return '—';
  const float = isFloatType(f.type);
  const value = code(pyRepr(f.value, float));
  if (f.default !== undefined && JSON.stringify(f.default) !== JSON.stringify(f.value)) {
    return `${value} (field default ${code(pyRepr(f.default, float))})`;
  }
  return value;
}

function docCell(f: FieldDescription): string {
  const extras: string[] = [];
  if (f.range !== undefined) extras.push(`Range: ${code(f.range)}.`);
  if (f.allowed !== undefined && f.allowed.length > 0) {
    const float = isFloatType(f.type);
    extras.push(`Allowed: ${f.allowed.map((a) => `${code(pyRepr(a.value, float))}${a.doc === '' ? '' : ` (${a.doc})`}`).join(', ')}.`);
  }
  return withExtras(f.doc, extras);
}

/** A documentation string followed by further sentences (a period added to end the doc first). */
function withExtras(doc: string, extras: readonly string[]): string {
  const text = oneLine(doc);
  if (extras.length === 0) return text;
  const ended = text === '' || /[.!?:;]$/.test(text) ? text : `${text}.`;
  return [ended, ...extras].filter((s) => s !== '').join(' ');
}

/** A Markdown table cell: one line, pipes escaped. */
function cell(text: string): string {
  return oneLine(text).replaceAll('|', '\\|');
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** An inline code span, with pipes escaped for tables and enough backticks for the content. */
function code(text: string): string {
  const escaped = text.replaceAll('|', '\\|');
  const fence = escaped.includes('`') ? '``' : '`';
  const pad = fence === '``' ? ' ' : '';
  return `${fence}${pad}${escaped}${pad}${fence}`;
}

/** The first sentence of a paragraph (up to a period followed by a space and a capital, or the end). */
function firstSentence(text: string): string {
  const flat = oneLine(text);
  const m = /^(.*?[.!?])\s+(?=[A-Z`(])/.exec(flat);
  return m === null ? flat : m[1]!;
}

/** A value as a Python literal (pex_config's override-file form). */
function pyRepr(value: unknown, float = false): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return "float('nan')";
    if (!Number.isFinite(value)) return value > 0 ? "float('inf')" : "float('-inf')";
    const s = String(value);
    return float && Number.isInteger(value) && !s.includes('e') ? `${s}.0` : s;
  }
  if (typeof value === 'string') return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'").replaceAll('\n', '\\n')}'`;
  if (Array.isArray(value)) return `[${value.map((v) => pyRepr(v, float)).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v, float)}`).join(', ')}}`;
  }
  return pyRepr(String(value));
}

/** A value in YAML flow style (numbers of float fields keep a `.0`). */
function yamlValue(value: unknown, float: boolean): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return '.nan';
    if (!Number.isFinite(value)) return value > 0 ? '.inf' : '-.inf';
    return pyRepr(value, float);
  }
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`;
  if (Array.isArray(value)) return `[${value.map((v) => yamlValue(v, float)).join(', ')}]`;
  return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${yamlString(k)}: ${yamlValue(v, float)}`).join(', ')}}`;
}

function yamlString(s: string): string {
  return /^[A-Za-z_][\w.]*$/.test(s) && !/^(true|false|null|yes|no|on|off|y|n)$/i.test(s) ? s : `'${s.replaceAll("'", "''")}'`;
}

function tsString(s: string): string {
  return `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

function shellWord(s: string): string {
  return /^[\w.,=:+-]+$/.test(s) ? s : `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('$', '\\$').replaceAll('`', '\\`')}"`;
}
