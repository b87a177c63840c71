import { readFile } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { parseDocument } from 'yaml';
import type { ScalarTag } from 'yaml';
import {
  PipelineConflictError,
  PipelineDefinitionError,
  PipelineImportError,
  PipelineKeyError,
  PipelineLabelError,
} from './errors.js';

/**
 * How labeled subsets are treated when subsetting removes some of their labels: `DROP` removes
 * the whole subset (the default), `EDIT` removes only the missing labels.
 *
 * @see lsst.pipe.base.pipelineIR.PipelineSubsetCtrl
 */
export type PipelineSubsetCtrl = 'DROP' | 'EDIT';

/**
 * One config block of a task: `file` overrides, a `python` snippet, an optional `dataId`
 * restriction and the remaining `key: value` overrides, in document order.
 *
 * @see lsst.pipe.base.pipelineIR.ConfigIR
 */
export interface ConfigIR {
  /** Python code applied to `config` (kept verbatim; SkyStack does not run Python). */
  readonly python: string | undefined;
  /** Data ID restriction (reserved by LSST; not applied by either implementation yet). */
  readonly dataId: Readonly<Record<string, unknown>> | undefined;
  /** Config override files (`$VAR` not yet expanded), in order. */
  readonly file: readonly string[];
  /** Dotted field overrides, `field.sub: value`, in document order. */
  readonly rest: ReadonlyMap<string, unknown>;
}

/**
 * A task in a pipeline: its label, its fully qualified class name as written, and its config
 * blocks (`undefined` when it has none, as in LSST).
 *
 * @see lsst.pipe.base.pipelineIR.TaskIR
 */
export interface TaskIR {
  /** The task label. */
  readonly label: string;
  /** The class as written in the pipeline (an LSST Python name or a `@skystack/x#Name`). */
  readonly klass: string;
  /** The config blocks, in application order, or `undefined` if there are none. */
  readonly config: readonly ConfigIR[] | undefined;
}

/**
 * A named subset of task labels.
 *
 * @see lsst.pipe.base.pipelineIR.LabeledSubset
 */
export interface LabeledSubsetIR {
  /** The subset's name. */
  readonly label: string;
  /** Its task labels, in declaration order (a set in LSST). */
  readonly subset: ReadonlySet<string>;
  /** Its description, if given. */
  readonly description: string | undefined;
}

/**
 * A step: a labeled subset that is a normal stage of running the pipeline, with the
 * dimensions its quanta can be sharded by.
 *
 * @see lsst.pipe.base.pipelineIR.StepIR
 */
export interface StepIR {
  /** The subset label this step refers to. */
  readonly label: string;
  /** The sharding dimensions (`dimensions:` in the YAML; the older `sharding_dimensions:` is accepted). */
  readonly dimensions: readonly string[];
}

/**
 * A contract: a Python-like boolean expression over task configs, with an optional message.
 *
 * @see lsst.pipe.base.pipelineIR.ContractIR
 */
export interface ContractIR {
  /** The expression, e.g. `a.connections.outputs == b.connections.inputs`. */
  readonly contract: string;
  /** Message shown when the contract fails. */
  readonly msg: string | undefined;
}

/**
 * One entry of `imports:` as written (after normalisation of its shorthand forms).
 *
 * @see lsst.pipe.base.pipelineIR.ImportIR
 */
export interface ImportIR {
  /** The location as written (before `$VAR` expansion). */
  readonly location: string;
  /** Labels or subsets to include (exclusive with `exclude`). */
  readonly include: readonly string[] | undefined;
  /** Labels or subsets to exclude (exclusive with `include`). */
  readonly exclude: readonly string[] | undefined;
  /** Whether the imported contracts are kept (default true). */
  readonly importContracts: boolean;
  /** Whether the imported steps are kept (default true). */
  readonly importSteps: boolean;
  /** What happens to subsets that lose labels (default `DROP`). */
  readonly labeledSubsetModifyMode: PipelineSubsetCtrl;
  /** `'keep'` (default), `null` (drop the imported instrument) or a replacement instrument. */
  readonly instrument: string | null | 'keep';
}

/**
 * How pipeline files are found and read.
 */
export interface PipelineLoadOptions {
  /**
   * Variables for `$VAR`/`${VAR}` expansion in import locations and file paths (default
   * `process.env`). Unset variables are left as written, as Python's `os.path.expandvars` does.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Reads a file as UTF-8 text (default `fs.promises.readFile`). */
  readonly readFile?: (path: string) => Promise<string>;
  /** Directory relative import locations are resolved against (default `process.cwd()`). */
  readonly cwd?: string;
  /** Name used in error messages for a document read from a string. */
  readonly source?: string;
}

/** The keys a pipeline document may have at the top level. */
export const PIPELINE_TOP_LEVEL_KEYS: readonly string[] = [
  'description',
  'instrument',
  'parameters',
  'imports',
  'tasks',
  'subsets',
  'steps',
  'contracts',
];

const IMPORT_KEYS = [
  'location',
  'include',
  'exclude',
  'importContracts',
  'importSteps',
  'labeledSubsetModifyMode',
  'instrument',
];

/**
 * Expands `$VAR` and `${VAR}` in a string. Unset variables are left unchanged, as Python's
 * `os.path.expandvars` does.
 *
 * @param text - the string to expand
 * @param env - the variables (default `process.env`)
 * @returns the expanded string
 * @example
 * ```ts
 * expandVars('$DRP_PIPE_DIR/pipelines/HSC/DRP-RC2.yaml', { DRP_PIPE_DIR: '/x/drp_pipe' });
 * // '/x/drp_pipe/pipelines/HSC/DRP-RC2.yaml'
 * ```
 * @see os.path.expandvars
 */
export function expandVars(text: string, env: Readonly<Record<string, string | undefined>> = process.env): string {
  return text.replace(/\$(\w+|\{[^}]*\})/g, (whole, name: string) => {
    const key = name.startsWith('{') ? name.slice(1, -1) : name;
    const value = env[key];
    return value === undefined ? whole : value;
  });
}

/** The result of {@link formatConfig}: the block with parameters substituted, and warnings. */
export interface FormattedConfig {
  /** The config block with `parameters.NAME` values replaced. */
  readonly config: ConfigIR;
  /** One message per `parameters.NAME` value whose parameter does not exist. */
  readonly warnings: readonly string[];
}

/**
 * Substitutes pipeline parameters into a config block: a string value that starts with
 * `parameters.` is replaced by the value of the named parameter (the rest of the first line
 * after the dot). Only top-level `key: value` overrides are substituted, never `python` or
 * `file`; an unknown parameter leaves the value as written and yields a warning.
 *
 * @param config - the config block
 * @param parameters - the pipeline parameters
 * @returns the substituted block and the warnings
 * @example
 * ```ts
 * const { config } = formatConfig(
 *   { python: undefined, dataId: undefined, file: [], rest: new Map([['id_generator.release_id', 'parameters.release_id']]) },
 *   new Map([['release_id', 3]]),
 * );
 * config.rest.get('id_generator.release_id'); // 3
 * ```
 * @see lsst.pipe.base.pipelineIR.ConfigIR.formatted
 */
export function formatConfig(config: ConfigIR, parameters: ReadonlyMap<string, unknown>): FormattedConfig {
  const warnings: string[] = [];
  const rest = new Map<string, unknown>();
  for (const [key, value] of config.rest) {
    const match = typeof value === 'string' ? /^parameters[.](.*)/.exec(value) : null;
    if (match !== null) {
      const name = match[1] ?? '';
      if (parameters.has(name)) {
        rest.set(key, parameters.get(name));
        continue;
      }
      warnings.push(
        `config ${key} contains value ${match[0]} which is formatted like a Pipeline parameter but was not ` +
          'found within the Pipeline, if this was not intentional, check for a typo',
      );
    }
    rest.set(key, value);
  }
  return { config: { ...config, rest }, warnings };
}

/**
 * Merges a config block into the previous one when LSST would: same `dataId`, neither has a
 * `python` or `file` entry, and no key is set to two different values. Returns one block when
 * merged, both otherwise.
 *
 * @param a - the earlier block
 * @param b - the later block
 * @returns `[merged]` or `[a, b]`
 * @see lsst.pipe.base.pipelineIR.ConfigIR.maybe_merge
 */
export function maybeMergeConfigs(a: ConfigIR, b: ConfigIR): ConfigIR[] {
  if (
    !deepEqual(a.dataId ?? null, b.dataId ?? null) ||
    truthy(a.python) ||
    truthy(b.python) ||
    a.file.length > 0 ||
    b.file.length > 0
  ) {
    return [a, b];
  }
  for (const [key, value] of b.rest) {
    if (a.rest.has(key) && !deepEqual(a.rest.get(key), value)) return [a, b];
  }
  const rest = new Map(a.rest);
  for (const [key, value] of b.rest) rest.set(key, value);
  return [{ python: a.python, dataId: a.dataId, file: [...new Set([...a.file, ...b.file])], rest }];
}

function truthy(s: string | undefined): boolean {
  return s !== undefined && s !== '';
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Map) && !(x instanceof Set);
}

/** Mutable state used while a {@link PipelineIR} is assembled. */
interface IRParts {
  description: string;
  instrument: string | undefined;
  parameters: Map<string, unknown>;
  tasks: Map<string, TaskIR>;
  labeledSubsets: Map<string, LabeledSubsetIR>;
  steps: StepIR[];
  contracts: ContractIR[];
  imports: ImportIR[];
  source: string | undefined;
}

/** Context of one document while it is parsed. */
interface ParseContext {
  readonly file: string | undefined;
  readonly options: PipelineLoadOptions;
  /** Files being read, outermost first, for cycle detection. */
  readonly stack: readonly string[];
}

let makeIR: (parts: IRParts) => PipelineIR;

/**
 * The intermediate representation of a pipeline document with its imports merged in: what
 * LSST's `PipelineIR` holds. Instances are immutable; {@link PipelineIR.subsetFromLabels}
 * returns a new one.
 *
 * Reading follows pipe_base: `description` is required; `tasks` is required unless there are
 * `imports`; imports are read (recursively, `$VAR` expanded), subsetted by their
 * `include`/`exclude` lists and merged: task labels must be unique across imports, a label
 * redeclared locally with the same class extends the imported configs, with another class
 * replaces it; subset names must be unique across imports and distinct from task labels;
 * only one instrument; imported parameters are overridden by local ones; steps must agree.
 *
 * @example
 * ```ts
 * const ir = await PipelineIR.fromString(`
 * description: demo
 * tasks:
 *   isr: lsst.ip.isr.IsrTask
 *   calibrateImage: lsst.pipe.tasks.calibrateImage.CalibrateImageTask
 * subsets:
 *   step1: [isr, calibrateImage]
 * `);
 * [...ir.tasks.keys()]; // ['isr', 'calibrateImage']
 * ```
 * @see lsst.pipe.base.pipelineIR.PipelineIR
 */
export class PipelineIR {
  /** The pipeline's description. */
  readonly description: string;
  /** The fully qualified instrument class, if any. */
  readonly instrument: string | undefined;
  /** Parameters, imported ones first, local values winning. */
  readonly parameters: ReadonlyMap<string, unknown>;
  /** Tasks by label, in merge order (imports in order, then new local labels). */
  readonly tasks: ReadonlyMap<string, TaskIR>;
  /** Labeled subsets by name. */
  readonly labeledSubsets: ReadonlyMap<string, LabeledSubsetIR>;
  /** Step declarations, in order. */
  readonly steps: readonly StepIR[];
  /** Contracts: local ones first, then imported ones (as LSST appends them). */
  readonly contracts: readonly ContractIR[];
  /** The imports of the top-level document, as written. */
  readonly imports: readonly ImportIR[];
  /** The file the document was read from, if any. */
  readonly source: string | undefined;

  static {
    makeIR = (parts) => new PipelineIR(parts);
  }

  private constructor(parts: IRParts) {
    this.description = parts.description;
    this.instrument = parts.instrument;
    this.parameters = parts.parameters;
    this.tasks = parts.tasks;
    this.labeledSubsets = parts.labeledSubsets;
    this.steps = Object.freeze([...parts.steps]);
    this.contracts = Object.freeze([...parts.contracts]);
    this.imports = Object.freeze([...parts.imports]);
    this.source = parts.source;
    Object.freeze(this);
  }

  /**
   * Reads a pipeline document from YAML text; imports are read from disk.
   *
   * @param text - the YAML document
   * @param options - variable expansion, file reading, a source name for messages
   * @returns the merged IR
   * @throws {@link PipelineError} subclasses for malformed documents, conflicts and missing imports
   * @see lsst.pipe.base.pipelineIR.PipelineIR.from_string
   */
  static async fromString(text: string, options: PipelineLoadOptions = {}): Promise<PipelineIR> {
    const ctx: ParseContext = { file: options.source, options, stack: [] };
    return fromData(parseYaml(text, ctx.file), ctx);
  }

  /**
   * Reads a pipeline file (no `#label` selection here: see {@link Pipeline.fromFile}).
   *
   * @param path - the file path; `$VAR` and `${VAR}` are expanded
   * @param options - variable expansion, file reading
   * @returns the merged IR
   * @throws {@link PipelineImportError} when the file cannot be read
   * @see lsst.pipe.base.pipelineIR.PipelineIR.from_uri
   */
  static async fromFile(path: string, options: PipelineLoadOptions = {}): Promise<PipelineIR> {
    return readFileIR(path, { file: undefined, options, stack: [] }, undefined);
  }

  /**
   * Builds an IR from an already-parsed document (a plain object as YAML would give).
   *
   * @param data - the document
   * @param options - variable expansion and file reading for its imports
   * @returns the merged IR
   * @throws {@link PipelineError} subclasses as {@link PipelineIR.fromString}
   * @see lsst.pipe.base.pipelineIR.PipelineIR.__init__
   */
  static async fromPrimitives(data: unknown, options: PipelineLoadOptions = {}): Promise<PipelineIR> {
    return fromData(data, { file: options.source, options, stack: [] });
  }

  /**
   * A new IR with only the given task labels (subset names expand to their labels).
   * Contracts that mention a removed label are dropped (by the same text match LSST uses,
   * which may over-prune); subsets that lose labels are dropped (`DROP`) or edited (`EDIT`);
   * steps whose subset was dropped are removed.
   *
   * @param labels - task labels and/or subset names
   * @param subsetCtrl - what to do with subsets that lose labels (default `DROP`)
   * @returns the subsetted IR
   * @throws {@link PipelineLabelError} if a label is neither a task nor a subset
   * @see lsst.pipe.base.pipelineIR.PipelineIR.subset_from_labels
   */
  subsetFromLabels(labels: Iterable<string>, subsetCtrl: PipelineSubsetCtrl = 'DROP'): PipelineIR {
    const wanted = new Set<string>();
    for (const label of labels) {
      const subset = this.labeledSubsets.get(label);
      if (subset !== undefined) for (const l of subset.subset) wanted.add(l);
      else wanted.add(label);
    }
    const missing = [...wanted].filter((l) => !this.tasks.has(l));
    if (missing.length > 0) {
      throw new PipelineLabelError(
        'PIPE_UNKNOWN_LABEL',
        `Not all supplied labels (specified or named subsets) are in the pipeline definition, extra labels: ${missing.map((l) => `'${l}'`).join(', ')}.`,
        {
          file: this.source,
          hint: hintFor(missing[0] ?? '', [...this.tasks.keys(), ...this.labeledSubsets.keys()]),
        },
      );
    }
    const tasks = new Map<string, TaskIR>();
    let contracts = [...this.contracts];
    for (const [label, task] of this.tasks) {
      if (wanted.has(label)) tasks.set(label, task);
      else contracts = removeContracts(contracts, label);
    }
    const labeledSubsets = new Map<string, LabeledSubsetIR>();
    for (const [name, subset] of this.labeledSubsets) {
      const extra = [...subset.subset].filter((l) => !tasks.has(l));
      if (extra.length === 0) labeledSubsets.set(name, subset);
      else if (subsetCtrl === 'EDIT') {
        labeledSubsets.set(name, { ...subset, subset: new Set([...subset.subset].filter((l) => tasks.has(l))) });
      }
    }
    const steps = this.steps.filter((s) => labeledSubsets.has(s.label));
    return makeIR({
      description: this.description,
      instrument: this.instrument,
      parameters: new Map(this.parameters),
      tasks,
      labeledSubsets,
      steps,
      contracts,
      imports: [...this.imports],
      source: this.source,
    });
  }

  /**
   * A copy with some parameters replaced or added, as `pipetask -c parameters:key=value` does.
   *
   * @param overrides - parameter values
   * @returns the new IR
   * @see lsst.pipe.base.Pipeline.addConfigOverride (label `parameters`)
   */
  withParameters(overrides: Readonly<Record<string, unknown>> | ReadonlyMap<string, unknown>): PipelineIR {
    const parameters = new Map(this.parameters);
    const entries = overrides instanceof Map ? [...overrides.entries()] : Object.entries(overrides);
    for (const [k, v] of entries) parameters.set(k, v);
    return this.with({ parameters });
  }

  /**
   * A copy with some parts replaced (used by {@link Pipeline} for edits).
   *
   * @param parts - the parts to replace
   * @returns the new IR
   */
  with(
    parts: Partial<{
      description: string;
      instrument: string | undefined;
      parameters: ReadonlyMap<string, unknown>;
      tasks: ReadonlyMap<string, TaskIR>;
      labeledSubsets: ReadonlyMap<string, LabeledSubsetIR>;
      steps: readonly StepIR[];
      contracts: readonly ContractIR[];
    }>,
  ): PipelineIR {
    return makeIR({
      description: parts.description ?? this.description,
      instrument: 'instrument' in parts ? parts.instrument : this.instrument,
      parameters: new Map(parts.parameters ?? this.parameters),
      tasks: new Map(parts.tasks ?? this.tasks),
      labeledSubsets: new Map(parts.labeledSubsets ?? this.labeledSubsets),
      steps: [...(parts.steps ?? this.steps)],
      contracts: [...(parts.contracts ?? this.contracts)],
      imports: [...this.imports],
      source: this.source,
    });
  }

  /**
   * The document as plain data, in the key order LSST writes: `description`, `instrument`,
   * `parameters`, `tasks`, `contracts` (sorted by text), `subsets`, `steps`.
   *
   * @returns a plain object ready for YAML serialisation
   * @see lsst.pipe.base.pipelineIR.PipelineIR.to_primitives
   */
  toPrimitives(): Record<string, unknown> {
    const out: Record<string, unknown> = { description: this.description };
    if (this.instrument !== undefined) out['instrument'] = this.instrument;
    if (this.parameters.size > 0) out['parameters'] = Object.fromEntries(this.parameters);
    const tasks: Record<string, unknown> = {};
    for (const [label, task] of this.tasks) {
      const t: Record<string, unknown> = { class: task.klass };
      if (task.config !== undefined && task.config.length > 0) t['config'] = task.config.map(configToPrimitives);
      tasks[label] = t;
    }
    out['tasks'] = tasks;
    if (this.contracts.length > 0) {
      out['contracts'] = this.contracts
        .map((c) => (c.msg === undefined ? { contract: c.contract } : { contract: c.contract, msg: c.msg }))
        .sort((a, b) => (a.contract < b.contract ? -1 : a.contract > b.contract ? 1 : 0));
    }
    if (this.labeledSubsets.size > 0) {
      const subsets: Record<string, unknown> = {};
      for (const [name, s] of this.labeledSubsets) {
        subsets[name] = s.description === undefined ? { subset: [...s.subset] } : { subset: [...s.subset], description: s.description };
      }
      out['subsets'] = subsets;
    }
    if (this.steps.length > 0) out['steps'] = this.steps.map((s) => ({ label: s.label, dimensions: [...s.dimensions] }));
    return out;
  }
}

/**
 * A config block as plain data: `python`, `dataId`, `file` (when non-empty) then the
 * overrides.
 *
 * @param config - the block
 * @returns a plain object
 * @see lsst.pipe.base.pipelineIR.ConfigIR.to_primitives
 */
export function configToPrimitives(config: ConfigIR): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (truthy(config.python)) out['python'] = config.python;
  if (config.dataId !== undefined && Object.keys(config.dataId).length > 0) out['dataId'] = config.dataId;
  if (config.file.length > 0) out['file'] = [...config.file];
  for (const [k, v] of config.rest) out[k] = v;
  return out;
}

async function readFileIR(location: string, ctx: ParseContext, keyPath: string | undefined): Promise<PipelineIR> {
  const expanded = expandVars(location, ctx.options.env ?? process.env);
  const path = resolvePath(ctx.options.cwd ?? process.cwd(), expanded);
  if (ctx.stack.includes(path)) {
    throw new PipelineImportError('PIPE_IMPORT_CYCLE', `Pipeline import cycle: ${[...ctx.stack, path].join(' -> ')}.`, {
      file: ctx.file,
      keyPath,
    });
  }
  let text: string;
  try {
    text = await (ctx.options.readFile ?? ((p: string) => readFile(p, 'utf8')))(path);
  } catch (cause) {
    const unset = [...location.matchAll(/\$(\w+|\{[^}]*\})/g)]
      .map((m) => (m[1] ?? '').replace(/^\{|\}$/g, ''))
      .filter((name) => (ctx.options.env ?? process.env)[name] === undefined);
    throw new PipelineImportError('PIPE_IMPORT_FAILED', `Cannot read pipeline file '${expanded}'.`, {
      file: ctx.file,
      keyPath,
      cause,
      hint: unset.length > 0 ? `Set the environment variable(s) ${unset.map((n) => `$${n}`).join(', ')}.` : undefined,
    });
  }
  const child: ParseContext = { file: path, options: ctx.options, stack: [...ctx.stack, path] };
  return fromData(parseYaml(text, path), child);
}

async function fromData(data: unknown, ctx: ParseContext): Promise<PipelineIR> {
  const file = ctx.file;
  if (!isPlainObject(data)) {
    throw new PipelineDefinitionError(`A pipeline document must be a YAML mapping, got ${describe(data)}.`, { file });
  }
  const doc: Record<string, unknown> = { ...data };
  if (!('description' in doc)) {
    throw new PipelineDefinitionError('A pipeline must be declared with a description.', { file, keyPath: 'description' });
  }
  if (!('tasks' in doc) && !('imports' in doc) && !('inherits' in doc)) {
    throw new PipelineDefinitionError('A pipeline must be declared with one or more tasks.', {
      file,
      keyPath: 'tasks',
      hint: 'Add a tasks: section or an imports: section.',
    });
  }
  const description = doc['description'];
  delete doc['description'];
  if (typeof description !== 'string') {
    throw new PipelineDefinitionError(`description must be a string, got ${describe(description)}.`, { file, keyPath: 'description' });
  }
  const tasks = readTasks(doc, file);
  const instrument = readInstrument(doc, file);
  const contracts = readContracts(doc, file);
  const parameters = readParameters(doc, file);
  const labeledSubsets = readSubsets(doc, file);
  const steps = readSteps(doc, file);
  if ('inherits' in doc) {
    throw new PipelineKeyError('PIPE_UNKNOWN_KEY', "The 'inherits' key is not supported.", {
      file,
      keyPath: 'inherits',
      hint: "Please use the key 'imports' instead.",
    });
  }
  const imports = readImports(doc, file);
  const unknown = Object.keys(doc);
  if (unknown.length > 0) {
    const key = unknown[0] ?? '';
    const suggestion = key === 'subset' ? 'subsets' : closest(key, PIPELINE_TOP_LEVEL_KEYS);
    throw new PipelineKeyError('PIPE_UNKNOWN_KEY', `Unknown top-level key(s) ${unknown.map((k) => `'${k}'`).join(', ')}.`, {
      file,
      keyPath: key,
      hint:
        suggestion !== undefined
          ? `Did you mean '${suggestion}'?`
          : `Accepted keys: ${PIPELINE_TOP_LEVEL_KEYS.join(', ')}.`,
    });
  }

  const parts: IRParts = {
    description,
    instrument,
    parameters,
    tasks,
    labeledSubsets,
    steps,
    contracts,
    imports,
    source: file,
  };
  const imported: PipelineIR[] = [];
  for (const [i, imp] of imports.entries()) {
    imported.push(await importToIR(imp, ctx, `imports[${i}]`));
  }
  mergePipelines(parts, imported, file);
  verify(parts, file);
  return makeIR(parts);
}


// ---------------------------------------------------------------------------------------------
// Reading the sections

/** Explicit `!!float` values as Python's `float()` reads them (PyYAML accepts `!!float nan`). */
const PY_FLOAT_TAG: ScalarTag = {
  tag: 'tag:yaml.org,2002:float',
  resolve(str: string, onError: (message: string) => void): number {
    const v = str.replace(/_/g, '').trim().toLowerCase();
    const sign = v.startsWith('-') ? -1 : 1;
    const body = v.replace(/^[+-]/, '');
    if (body === '.inf' || body === 'inf' || body === 'infinity') return sign * Infinity;
    if (body === '.nan' || body === 'nan') return NaN;
    const n = Number(v);
    if (Number.isNaN(n) || v === '') onError(`Cannot read '${str}' as a float`);
    return n;
  },
};

function parseYaml(text: string, file: string | undefined): unknown {
  // YAML 1.1, as PyYAML's SafeLoader reads pipeline files (yes/no booleans, 1e3 as a string).
  const doc = parseDocument(text, { version: '1.1', uniqueKeys: true, prettyErrors: true, customTags: (tags) => [...tags, PY_FLOAT_TAG] });
  const dup = doc.errors.find((e) => e.code === 'DUPLICATE_KEY');
  if (dup !== undefined) {
    throw new PipelineKeyError('PIPE_DUPLICATE_KEY', `Pipeline files must not have duplicated keys: ${dup.message.split('\n')[0] ?? ''}`, {
      file,
      cause: dup,
    });
  }
  const err = doc.errors[0];
  if (err !== undefined) {
    throw new PipelineImportError('PIPE_YAML_INVALID', `Invalid YAML: ${err.message.split('\n')[0] ?? ''}`, { file, cause: err });
  }
  return doc.toJS({ maxAliasCount: -1 });
}

function describe(x: unknown): string {
  if (x === null || x === undefined) return 'nothing';
  if (Array.isArray(x)) return 'a list';
  if (typeof x === 'object') return 'a mapping';
  return `${typeof x} ${JSON.stringify(x)}`;
}

function readTasks(doc: Record<string, unknown>, file: string | undefined): Map<string, TaskIR> {
  const raw = doc['tasks'] ?? {};
  delete doc['tasks'];
  const tasks = new Map<string, TaskIR>();
  if (!isPlainObject(raw)) {
    throw new PipelineDefinitionError(`tasks must be a mapping of label to class, got ${describe(raw)}.`, { file, keyPath: 'tasks' });
  }
  if ('parameters' in raw) {
    throw new PipelineDefinitionError('parameters is a reserved word and cannot be used as a task label.', {
      file,
      keyPath: 'tasks.parameters',
    });
  }
  for (const [label, definition] of Object.entries(raw)) {
    const keyPath = `tasks.${label}`;
    let klass: unknown;
    let config: unknown;
    if (typeof definition === 'string') {
      klass = definition;
    } else if (isPlainObject(definition)) {
      const extra = Object.keys(definition).filter((k) => k !== 'class' && k !== 'config');
      if (extra.length > 0) {
        throw new PipelineKeyError('PIPE_UNKNOWN_KEY', `Unknown key(s) ${extra.map((k) => `'${k}'`).join(', ')} in a task definition.`, {
          file,
          keyPath,
          hint: 'A task is either a class name or a mapping with the keys class and config.',
        });
      }
      klass = definition['class'];
      config = definition['config'];
    } else {
      throw new PipelineDefinitionError(`A task must be a class name or a mapping with 'class', got ${describe(definition)}.`, {
        file,
        keyPath,
      });
    }
    if (typeof klass !== 'string' || klass === '') {
      throw new PipelineDefinitionError(`Task '${label}' has no 'class'.`, { file, keyPath: `${keyPath}.class` });
    }
    tasks.set(label, { label, klass, config: readConfigBlocks(config, file, `${keyPath}.config`) });
  }
  return tasks;
}

function readConfigBlocks(raw: unknown, file: string | undefined, keyPath: string): ConfigIR[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  const blocks = isPlainObject(raw) ? [raw] : raw;
  if (!Array.isArray(blocks)) {
    throw new PipelineDefinitionError(`config must be a mapping or a list of mappings, got ${describe(raw)}.`, { file, keyPath });
  }
  return blocks.map((block: unknown, i) => {
    const path = Array.isArray(raw) ? `${keyPath}[${i}]` : keyPath;
    if (!isPlainObject(block)) {
      throw new PipelineDefinitionError(`A config block must be a mapping, got ${describe(block)}.`, { file, keyPath: path });
    }
    const rest = new Map<string, unknown>();
    let python: string | undefined;
    let dataId: Record<string, unknown> | undefined;
    let files: string[] = [];
    for (const [key, value] of Object.entries(block)) {
      if (key === 'python') {
        if (value === null) continue;
        if (typeof value !== 'string') {
          throw new PipelineDefinitionError(`python must be a string, got ${describe(value)}.`, { file, keyPath: `${path}.python` });
        }
        python = value;
      } else if (key === 'file') {
        if (value === null) continue;
        const list = Array.isArray(value) ? value : [value];
        if (!list.every((f): f is string => typeof f === 'string')) {
          throw new PipelineDefinitionError('file must be a path or a list of paths.', { file, keyPath: `${path}.file` });
        }
        files = list;
      } else if (key === 'dataId') {
        if (value === null) continue;
        if (!isPlainObject(value)) {
          throw new PipelineDefinitionError(`dataId must be a mapping, got ${describe(value)}.`, { file, keyPath: `${path}.dataId` });
        }
        dataId = value;
      } else {
        rest.set(key, value);
      }
    }
    return { python, dataId, file: files, rest };
  });
}

function readInstrument(doc: Record<string, unknown>, file: string | undefined): string | undefined {
  const inst = doc['instrument'];
  delete doc['instrument'];
  if (inst === undefined || inst === null) return undefined;
  if (Array.isArray(inst)) {
    throw new PipelineDefinitionError('Only one top level instrument can be defined in a pipeline.', { file, keyPath: 'instrument' });
  }
  if (typeof inst !== 'string') {
    throw new PipelineDefinitionError(`instrument must be a class name, got ${describe(inst)}.`, { file, keyPath: 'instrument' });
  }
  return inst;
}

function readContracts(doc: Record<string, unknown>, file: string | undefined): ContractIR[] {
  let raw = doc['contracts'] ?? [];
  delete doc['contracts'];
  if (typeof raw === 'string') raw = [raw];
  if (!Array.isArray(raw)) {
    throw new PipelineDefinitionError(`contracts must be a list, got ${describe(raw)}.`, { file, keyPath: 'contracts' });
  }
  return raw.map((c: unknown, i): ContractIR => {
    const keyPath = `contracts[${i}]`;
    if (typeof c === 'string') return { contract: c, msg: undefined };
    if (isPlainObject(c)) {
      const extra = Object.keys(c).filter((k) => k !== 'contract' && k !== 'msg');
      if (extra.length > 0) {
        throw new PipelineKeyError('PIPE_UNKNOWN_KEY', `Unknown key(s) ${extra.map((k) => `'${k}'`).join(', ')} in a contract.`, {
          file,
          keyPath,
          hint: 'A contract mapping has the keys contract and msg.',
        });
      }
      const contract = c['contract'];
      const msg = c['msg'];
      if (typeof contract !== 'string') {
        throw new PipelineDefinitionError('A contract mapping needs a string contract.', { file, keyPath: `${keyPath}.contract` });
      }
      if (msg !== undefined && msg !== null && typeof msg !== 'string') {
        throw new PipelineDefinitionError('A contract msg must be a string.', { file, keyPath: `${keyPath}.msg` });
      }
      return { contract, msg: typeof msg === 'string' ? msg : undefined };
    }
    throw new PipelineDefinitionError(`A contract must be a string or a mapping, got ${describe(c)}.`, { file, keyPath });
  });
}

function readParameters(doc: Record<string, unknown>, file: string | undefined): Map<string, unknown> {
  const raw = doc['parameters'] ?? {};
  delete doc['parameters'];
  if (!isPlainObject(raw)) {
    throw new PipelineDefinitionError('The parameters section must be a yaml mapping.', { file, keyPath: 'parameters' });
  }
  return new Map(Object.entries(raw));
}

function readSubsets(doc: Record<string, unknown>, file: string | undefined): Map<string, LabeledSubsetIR> {
  const raw = doc['subsets'];
  delete doc['subsets'];
  const subsets = new Map<string, LabeledSubsetIR>();
  if ((raw === undefined || raw === null || (isPlainObject(raw) && Object.keys(raw).length === 0)) && 'subset' in doc) {
    throw new PipelineKeyError('PIPE_UNKNOWN_KEY', 'Top level key should be subsets and not subset, add an s.', {
      file,
      keyPath: 'subset',
    });
  }
  if (raw === undefined || raw === null) return subsets;
  if (!isPlainObject(raw)) {
    throw new PipelineDefinitionError(`subsets must be a mapping, got ${describe(raw)}.`, { file, keyPath: 'subsets' });
  }
  for (const [label, value] of Object.entries(raw)) {
    const keyPath = `subsets.${label}`;
    let members: unknown;
    let description: unknown;
    if (isPlainObject(value)) {
      members = value['subset'];
      description = value['description'];
      if (members === undefined || members === null) {
        throw new PipelineDefinitionError("If a labeled subset is specified as a mapping, it must contain the key 'subset'.", {
          file,
          keyPath,
        });
      }
    } else {
      members = value;
    }
    if (!Array.isArray(members) || !members.every((m): m is string => typeof m === 'string')) {
      throw new PipelineDefinitionError(
        `There was a problem parsing the labeled subset ${label}, make sure the definition is either a valid yaml list, ` +
          'or a mapping with keys (subset, description) where subset points to a yaml list, and description is associated with a string.',
        { file, keyPath },
      );
    }
    if (description !== undefined && description !== null && typeof description !== 'string') {
      throw new PipelineDefinitionError('A subset description must be a string.', { file, keyPath: `${keyPath}.description` });
    }
    subsets.set(label, { label, subset: new Set(members), description: typeof description === 'string' ? description : undefined });
  }
  return subsets;
}

function readSteps(doc: Record<string, unknown>, file: string | undefined): StepIR[] {
  const raw = doc['steps'] ?? [];
  delete doc['steps'];
  if (!Array.isArray(raw)) {
    throw new PipelineDefinitionError(`steps must be a list, got ${describe(raw)}.`, { file, keyPath: 'steps' });
  }
  const steps = new Map<string, StepIR>();
  raw.forEach((decl: unknown, i) => {
    const keyPath = `steps[${i}]`;
    if (!isPlainObject(decl)) {
      throw new PipelineDefinitionError(`A step must be a mapping with label and dimensions, got ${describe(decl)}.`, { file, keyPath });
    }
    const extra = Object.keys(decl).filter((k) => !['label', 'dimensions', 'sharding_dimensions'].includes(k));
    if (extra.length > 0) {
      throw new PipelineKeyError('PIPE_UNKNOWN_KEY', `Unknown key(s) ${extra.map((k) => `'${k}'`).join(', ')} in a step.`, {
        file,
        keyPath,
        hint: 'A step has the keys label and dimensions.',
      });
    }
    const label = decl['label'];
    if (typeof label !== 'string') {
      throw new PipelineDefinitionError('A step needs a string label.', { file, keyPath: `${keyPath}.label` });
    }
    let dims = decl['dimensions'] ?? decl['sharding_dimensions'];
    if (dims === undefined) {
      throw new PipelineDefinitionError(`Step ${label} has no dimensions.`, { file, keyPath: `${keyPath}.dimensions` });
    }
    if (typeof dims === 'string') dims = dims.split(',').map((d) => d.trim()).filter((d) => d !== '');
    if (dims === null) dims = [];
    if (!Array.isArray(dims) || !dims.every((d): d is string => typeof d === 'string')) {
      throw new PipelineDefinitionError('Step dimensions must be a list of dimension names.', { file, keyPath: `${keyPath}.dimensions` });
    }
    if (steps.has(label)) {
      throw new PipelineDefinitionError(`Step ${label} was declared twice.`, { file, keyPath });
    }
    steps.set(label, { label, dimensions: dims });
  });
  return [...steps.values()];
}

function readImports(doc: Record<string, unknown>, file: string | undefined): ImportIR[] {
  const raw = doc['imports'];
  delete doc['imports'];
  if (raw === undefined || raw === null) return [];
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((entry: unknown, i): ImportIR => {
    const keyPath = Array.isArray(raw) ? `imports[${i}]` : 'imports';
    if (typeof entry === 'string') {
      return {
        location: entry,
        include: undefined,
        exclude: undefined,
        importContracts: true,
        importSteps: true,
        labeledSubsetModifyMode: 'DROP',
        instrument: 'keep',
      };
    }
    if (!isPlainObject(entry)) {
      throw new PipelineDefinitionError(`An import must be a location or a mapping, got ${describe(entry)}.`, { file, keyPath });
    }
    const extra = Object.keys(entry).filter((k) => !IMPORT_KEYS.includes(k));
    if (extra.length > 0) {
      const s = closest(extra[0] ?? '', IMPORT_KEYS);
      throw new PipelineKeyError('PIPE_UNKNOWN_KEY', `Unknown key(s) ${extra.map((k) => `'${k}'`).join(', ')} in an import.`, {
        file,
        keyPath,
        hint: s !== undefined ? `Did you mean '${s}'?` : `Accepted keys: ${IMPORT_KEYS.join(', ')}.`,
      });
    }
    const location = entry['location'];
    if (typeof location !== 'string') {
      throw new PipelineDefinitionError('An import mapping needs a string location.', { file, keyPath: `${keyPath}.location` });
    }
    const labelList = (key: 'include' | 'exclude'): string[] | undefined => {
      const v = entry[key];
      if (v === undefined || v === null) return undefined;
      const l = typeof v === 'string' ? [v] : v;
      if (!Array.isArray(l) || !l.every((x): x is string => typeof x === 'string')) {
        throw new PipelineDefinitionError(`${key} must be a label or a list of labels.`, { file, keyPath: `${keyPath}.${key}` });
      }
      return l;
    };
    const include = labelList('include');
    const exclude = labelList('exclude');
    const flag = (key: 'importContracts' | 'importSteps'): boolean => {
      const v = entry[key];
      if (v === undefined) return true;
      if (typeof v !== 'boolean') {
        throw new PipelineDefinitionError(`${key} must be true or false, got ${describe(v)}.`, { file, keyPath: `${keyPath}.${key}` });
      }
      return v;
    };
    const mode = entry['labeledSubsetModifyMode'] ?? 'DROP';
    if (mode !== 'DROP' && mode !== 'EDIT') {
      throw new PipelineDefinitionError(`${String(mode)} is not a valid mode for labeledSubsetModifyMode.`, {
        file,
        keyPath: `${keyPath}.labeledSubsetModifyMode`,
        hint: 'Use DROP or EDIT.',
      });
    }
    let instrument: string | null | 'keep' = 'keep';
    if ('instrument' in entry) {
      const v = entry['instrument'];
      if (v === null || v === 'None') instrument = null;
      else if (typeof v === 'string') instrument = v;
      else {
        throw new PipelineDefinitionError('An import instrument must be a class name or None.', { file, keyPath: `${keyPath}.instrument` });
      }
    }
    return {
      location,
      include,
      exclude,
      importContracts: flag('importContracts'),
      importSteps: flag('importSteps'),
      labeledSubsetModifyMode: mode,
      instrument,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Imports and merging

async function importToIR(imp: ImportIR, ctx: ParseContext, keyPath: string): Promise<PipelineIR> {
  if (imp.include !== undefined && imp.include.length > 0 && imp.exclude !== undefined && imp.exclude.length > 0) {
    throw new PipelineDefinitionError('An include list and an exclude list cannot both be specified when declaring a pipeline import.', {
      file: ctx.file,
      keyPath,
    });
  }
  // A `#a,b` fragment on an import location selects labels, as on the command line.
  const hash = imp.location.indexOf('#');
  const location = hash < 0 ? imp.location : imp.location.slice(0, hash);
  let ir = await readFileIR(location, ctx, `${keyPath}.location`);
  if (hash >= 0) {
    const labels = decodeURIComponent(imp.location.slice(hash + 1)).split(',').map((l) => l.trim()).filter((l) => l !== '');
    if (labels.length > 0) ir = ir.subsetFromLabels(labels, imp.labeledSubsetModifyMode);
  }
  if (imp.instrument !== 'keep') ir = ir.with({ instrument: imp.instrument ?? undefined });

  const included = new Set<string>();
  for (const label of ir.tasks.keys()) {
    if (
      (imp.include !== undefined && imp.include.length > 0 && imp.include.includes(label)) ||
      (imp.exclude !== undefined && imp.exclude.length > 0 && !imp.exclude.includes(label)) ||
      (imp.include === undefined && imp.exclude === undefined)
    ) {
      included.add(label);
    }
  }
  if (imp.include !== undefined) {
    for (const name of imp.include) {
      const s = ir.labeledSubsets.get(name);
      if (s !== undefined) for (const l of s.subset) included.add(l);
    }
  } else if (imp.exclude !== undefined) {
    for (const name of imp.exclude) {
      const s = ir.labeledSubsets.get(name);
      if (s !== undefined) for (const l of s.subset) included.delete(l);
    }
  }
  if (!imp.importSteps) ir = ir.with({ steps: [] });
  ir = ir.subsetFromLabels(included, imp.labeledSubsetModifyMode);
  if (!imp.importContracts) ir = ir.with({ contracts: [] });
  return ir;
}

function mergePipelines(self: IRParts, pipelines: readonly PipelineIR[], file: string | undefined): void {
  const accTasks = new Map<string, TaskIR>();
  const accSubsets = new Map<string, LabeledSubsetIR>();
  const accParameters = new Map<string, unknown>();
  const accSteps = new Map<string, StepIR>();
  const stepEqual = (a: StepIR, b: StepIR): boolean =>
    a.label === b.label && a.dimensions.length === b.dimensions.length && a.dimensions.every((d, i) => d === b.dimensions[i]);

  for (const other of pipelines) {
    const where = other.source ?? 'an imported pipeline';
    if (self.instrument === undefined) {
      self.instrument = other.instrument;
    } else if (other.instrument !== undefined && other.instrument !== self.instrument) {
      throw new PipelineConflictError(
        `Only one instrument can be declared in a pipeline or its imports. Top level pipeline defines ${self.instrument} but ${where} defines ${other.instrument}.`,
        { file, keyPath: 'instrument' },
      );
    }
    const duplicates = [...other.tasks.keys()].filter((l) => accTasks.has(l));
    if (duplicates.length > 0) {
      throw new PipelineConflictError(
        `Task labels in the imported pipelines must be unique. These labels appear multiple times: ${duplicates.map((d) => `'${d}'`).join(', ')} (again in ${where}).`,
        { file, keyPath: 'imports', hint: 'Use exclude: (or include:) on one of the imports.' },
      );
    }
    for (const [l, t] of other.tasks) accTasks.set(l, t);
    self.contracts.push(...other.contracts);
    const overlapping = [...other.labeledSubsets.keys()].filter((s) => accSubsets.has(s));
    const taskOverlap = [...new Set([...accSubsets.keys(), ...other.labeledSubsets.keys()])].filter((s) => accTasks.has(s));
    if (overlapping.length > 0 || taskOverlap.length > 0) {
      throw new PipelineConflictError(
        `Labeled subset names must be unique amongst imports in both labels and named Subsets. Duplicate: ${[...new Set([...overlapping, ...taskOverlap])].map((d) => `'${d}'`).join(', ')} (in ${where}).`,
        { file, keyPath: 'imports' },
      );
    }
    for (const [n, s] of other.labeledSubsets) accSubsets.set(n, s);
    for (const [k, v] of other.parameters) accParameters.set(k, v);
    for (const step of other.steps) {
      const existing = accSteps.get(step.label);
      if (existing === undefined) accSteps.set(step.label, step);
      else if (!stepEqual(existing, step)) {
        throw new PipelineConflictError(
          `There were conflicting step definitions in import: ${step.label} [${step.dimensions.join(', ')}] vs [${existing.dimensions.join(', ')}].`,
          { file, keyPath: 'steps' },
        );
      }
    }
  }
  for (const step of self.steps) {
    const existing = accSteps.get(step.label);
    if (existing === undefined) accSteps.set(step.label, step);
    else if (!stepEqual(existing, step)) {
      throw new PipelineConflictError(
        `There were conflicting step definitions in import: ${step.label} [${step.dimensions.join(', ')}] vs imported [${existing.dimensions.join(', ')}].`,
        { file, keyPath: 'steps' },
      );
    }
  }
  const clash = [...accSubsets.keys()].filter((s) => self.tasks.has(s));
  if (clash.length > 0) {
    throw new PipelineConflictError(
      `Labeled subset names must be unique amongst imports in both labels and named Subsets: ${clash.map((c) => `'${c}'`).join(', ')} is an imported subset and a task label here.`,
      { file, keyPath: 'tasks' },
    );
  }
  for (const [n, s] of self.labeledSubsets) accSubsets.set(n, s);
  self.labeledSubsets = accSubsets;

  for (const [label, task] of self.tasks) {
    const imported = accTasks.get(label);
    if (imported === undefined || imported.klass !== task.klass) {
      accTasks.set(label, task);
    } else if (task.config !== undefined) {
      let configs = imported.config === undefined ? [] : [...imported.config];
      for (const c of task.config) {
        const last = configs.pop();
        configs = last === undefined ? [c] : [...configs, ...maybeMergeConfigs(last, c)];
      }
      accTasks.set(label, { label, klass: imported.klass, config: configs });
    }
  }
  self.tasks = accTasks;
  for (const [k, v] of self.parameters) accParameters.set(k, v);
  self.parameters = accParameters;
  self.steps = [...accSteps.values()];
}

function verify(parts: IRParts, file: string | undefined): void {
  for (const s of parts.labeledSubsets.values()) {
    const missing = [...s.subset].filter((l) => !parts.tasks.has(l));
    if (missing.length > 0) {
      throw new PipelineDefinitionError(
        `Labels ${missing.map((m) => `'${m}'`).join(', ')} were not found in the declared pipeline.`,
        { file, keyPath: `subsets.${s.label}`, hint: hintFor(missing[0] ?? '', [...parts.tasks.keys()]) },
      );
    }
  }
  const both = [...parts.labeledSubsets.keys()].filter((s) => parts.tasks.has(s));
  if (both.length > 0) {
    throw new PipelineConflictError(`Labeled subsets can not use the same label as a task: ${both.map((b) => `'${b}'`).join(', ')}.`, {
      file,
      keyPath: 'subsets',
    });
  }
  for (const step of parts.steps) {
    if (!parts.labeledSubsets.has(step.label)) {
      throw new PipelineDefinitionError(`${step.label} was declared to be a step, but was not declared to be a labeled subset.`, {
        file,
        keyPath: 'steps',
      });
    }
  }
}

/**
 * Removes the contracts that mention a label followed by a dot, with the text match LSST uses
 * (first line only, label not preceded by an identifier character).
 *
 * @param contracts - the contracts
 * @param label - the removed task label
 * @returns the remaining contracts
 * @see lsst.pipe.base.pipelineIR.PipelineIR._remove_contracts
 */
export function removeContracts(contracts: readonly ContractIR[], label: string): ContractIR[] {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^.*(?:[^A-Za-z0-9_]|^)${escaped}[.]`);
  return contracts.filter((c) => !re.test(c.contract));
}

// ---------------------------------------------------------------------------------------------
// Hints

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length] ?? 0;
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function hintFor(word: string, candidates: readonly string[]): string | undefined {
  const c = closest(word, candidates);
  return c === undefined ? undefined : `Did you mean '${c}'?`;
}

/** @internal exported for {@link Pipeline}: suggestion text for a mistyped label. */
export function suggestLabel(word: string, candidates: readonly string[]): string | undefined {
  return hintFor(word, candidates);
}
