import { Document } from 'yaml';
import { checkContract } from './contracts.js';
import type { ContractResolver } from './contracts.js';
import { PipelineLabelError, PipelineNotImplementedError } from './errors.js';
import { PipelineIR, formatConfig, suggestLabel } from './pipeline-ir.js';
import type {
  ConfigIR,
  ContractIR,
  LabeledSubsetIR,
  PipelineLoadOptions,
  PipelineSubsetCtrl,
  StepIR,
} from './pipeline-ir.js';
import { resolveTaskClassName } from './task-aliases.js';
import type { TaskClassResolution } from './task-aliases.js';

/**
 * How a task of a pipeline is implemented in SkyStack: an alias to a module export, or not
 * implemented (yet).
 */
export type TaskImplementation =
  | ({
      /** Implemented in SkyStack, at the module and export given by the other fields. */
      readonly kind: 'alias';
    } & TaskClassResolution)
  | {
      /** Not implemented in SkyStack (yet). */
      readonly kind: 'not-implemented';
      /** The LSST class name as written in the pipeline. */
      readonly lsstName: string;
    };

/**
 * One task of a pipeline, ready for configuration: its label, its class as written, where
 * SkyStack implements it, and its config blocks with the pipeline parameters substituted.
 *
 * @see lsst.pipe.base.TaskDef (what `Pipeline._buildTaskDef` produced)
 */
export interface TaskDefinition {
  /** The task label. */
  readonly label: string;
  /** The class as written in the pipeline (LSST Python name or `@skystack/x#Name`). */
  readonly className: string;
  /** Where it is implemented, or the not-implemented marker. */
  readonly implementation: TaskImplementation;
  /** Config blocks in application order, `parameters.NAME` values substituted. */
  readonly config: readonly ConfigIR[];
  /** Warnings from parameter substitution (a `parameters.NAME` with no such parameter). */
  readonly warnings: readonly string[];
}

/** A task SkyStack does not implement, reported by label and class name. */
export interface UnimplementedTask {
  /** The task label. */
  readonly label: string;
  /** The class as written in the pipeline. */
  readonly className: string;
}

/**
 * A parsed label specifier from a pipeline URI fragment: a set of labels/subsets, or an
 * inclusive `begin..end` range.
 *
 * @see lsst.pipe.base.pipeline.LabelSpecifier
 */
export type LabelSpecifier =
  | {
      /** A set of task labels and/or subset names (`#a,b`). */
      readonly kind: 'labels';
      /** The task labels and subset names. */
      readonly labels: ReadonlySet<string>;
    }
  | {
      /** An inclusive range of task labels (`#begin..end`). */
      readonly kind: 'range';
      /** The first label of the range; undefined means from the start. */
      readonly begin: string | undefined;
      /** The last label of the range; undefined means to the end. */
      readonly end: string | undefined;
    };

/**
 * Splits `path.yaml#a,b` (or `#begin..end`) into the path and its label specifier, with the
 * checks LSST makes: only one `#`, no mixing of lists and ranges, and no legacy `:` separator.
 *
 * @param uri - the pipeline location with an optional fragment
 * @returns the path and the specifier (undefined without a fragment)
 * @throws {@link PipelineLabelError} (`PIPE_BAD_LABEL_SPECIFIER`) for malformed specifiers
 * @example
 * ```ts
 * parsePipelineUri('DRP.yaml#step1,isr'); // { path: 'DRP.yaml', specifier: { kind: 'labels', labels: Set {'step1','isr'} } }
 * ```
 * @see lsst.pipe.base.Pipeline._parse_file_specifier
 */
export function parsePipelineUri(uri: string): {
  /** The pipeline location without the fragment. */
  path: string;
  /** The label specifier from the fragment, or undefined without one. */
  specifier: LabelSpecifier | undefined;
} {
  if (/:(?!\/\/)/.test(uri.replace(/^[A-Za-z]:[\\/]/, ''))) {
    throw new PipelineLabelError(
      'PIPE_BAD_LABEL_SPECIFIER',
      `The pipeline file ${uri} seems to use the legacy : to separate labels, please use # instead.`,
    );
  }
  const parts = uri.split('#');
  if (parts.length > 2) {
    throw new PipelineLabelError('PIPE_BAD_LABEL_SPECIFIER', `Only one set of labels is allowed when specifying a pipeline to load: ${uri}.`);
  }
  const path = parts[0] ?? '';
  const fragment = parts[1];
  if (fragment === undefined || fragment === '') return { path, specifier: undefined };
  const spec = decodeURIComponent(fragment);
  if (spec.includes('..')) {
    if (spec.includes(',')) {
      throw new PipelineLabelError(
        'PIPE_BAD_LABEL_SPECIFIER',
        `Can only specify a list of labels or a range when loading a Pipeline, not both: '${spec}'.`,
      );
    }
    const [begin, end] = spec.split('..');
    return { path, specifier: { kind: 'range', begin: begin === '' ? undefined : begin, end: end === '' ? undefined : end } };
  }
  return { path, specifier: { kind: 'labels', labels: new Set(spec.split(',').map((s) => s.trim()).filter((s) => s !== '')) } };
}

/**
 * A pipeline: an immutable view over a {@link PipelineIR} with the operations `pipetask`
 * needs before the graph is built (labels, subsets, steps, task definitions with their
 * SkyStack implementations, label selection, expansion to YAML).
 *
 * Ordering tasks by their connections (`to_graph()` in LSST) needs `PipelineTask` connection
 * classes and is not part of this layer: {@link Pipeline.toGraph} is the hook that will do it.
 *
 * @example
 * ```ts
 * const p = await Pipeline.fromFile('$DRP_PIPE_DIR/pipelines/HSC/DRP-RC2.yaml#step1');
 * p.labels; // ['isr', 'calibrateImage', ...]
 * p.unimplementedTasks(); // [{ label: 'analyzeAmpOffsetMetadata', className: 'lsst.analysis.tools...' }, ...]
 * console.log(p.toYaml());
 * ```
 * @see lsst.pipe.base.Pipeline
 */
export class Pipeline {
  /** The underlying intermediate representation. */
  readonly ir: PipelineIR;

  private constructor(ir: PipelineIR) {
    this.ir = ir;
    Object.freeze(this);
  }

  /**
   * Wraps an IR.
   *
   * @param ir - the IR
   * @returns the pipeline
   * @see lsst.pipe.base.Pipeline.fromIR
   */
  static fromIR(ir: PipelineIR): Pipeline {
    return new Pipeline(ir);
  }

  /**
   * Reads a pipeline file with its imports; a `#a,b` fragment keeps only those task labels
   * and subsets (subset names expand to their labels). `$VAR`/`${VAR}` are expanded.
   *
   * @param uri - `path.yaml` or `path.yaml#labels`
   * @param options - variables, file reader, subset handling (`subsetCtrl`, default `DROP`)
   * @returns the pipeline
   * @throws {@link PipelineNotImplementedError} for `#begin..end` ranges (they need the task graph)
   * @throws {@link PipelineError} subclasses for bad definitions, conflicts and unknown labels
   * @see lsst.pipe.base.Pipeline.from_uri
   */
  static async fromFile(uri: string, options: PipelineLoadOptions & { readonly subsetCtrl?: PipelineSubsetCtrl } = {}): Promise<Pipeline> {
    const { path, specifier } = parsePipelineUri(uri);
    const pipeline = new Pipeline(await PipelineIR.fromFile(path, options));
    return specifier === undefined ? pipeline : pipeline.subsetFromSpecifier(specifier, options.subsetCtrl ?? 'DROP');
  }

  /**
   * Reads a pipeline from YAML text; imports are read from disk.
   *
   * @param text - the YAML document
   * @param options - variables, file reader, source name for messages
   * @returns the pipeline
   * @throws {@link PipelineError} subclasses for bad definitions, conflicts and missing imports
   * @see lsst.pipe.base.Pipeline.fromString
   */
  static async fromString(text: string, options: PipelineLoadOptions = {}): Promise<Pipeline> {
    return new Pipeline(await PipelineIR.fromString(text, options));
  }

  /** The description. */
  get description(): string {
    return this.ir.description;
  }

  /** The fully qualified instrument class, if any. */
  get instrument(): string | undefined {
    return this.ir.instrument;
  }

  /** The parameters (imported ones overridden by local ones). */
  get parameters(): ReadonlyMap<string, unknown> {
    return this.ir.parameters;
  }

  /**
   * The task labels in definition order (imports first). This is not an execution order.
   *
   * @see lsst.pipe.base.Pipeline.task_labels
   */
  get labels(): readonly string[] {
    return [...this.ir.tasks.keys()];
  }

  /**
   * The labeled subsets: name → task labels.
   *
   * @see lsst.pipe.base.Pipeline.subsets
   */
  get subsets(): ReadonlyMap<string, ReadonlySet<string>> {
    return new Map([...this.ir.labeledSubsets].map(([k, v]) => [k, v.subset]));
  }

  /** The labeled subsets with their descriptions. */
  get labeledSubsets(): ReadonlyMap<string, LabeledSubsetIR> {
    return this.ir.labeledSubsets;
  }

  /** The steps, in declaration order. */
  get steps(): readonly StepIR[] {
    return this.ir.steps;
  }

  /** The contracts. */
  get contracts(): readonly ContractIR[] {
    return this.ir.contracts;
  }

  /**
   * Each task with its LSST class name, its SkyStack implementation (or the not-implemented
   * marker) and its config blocks with parameters substituted.
   *
   * @returns the task definitions in label order
   * @see lsst.pipe.base.Pipeline._buildTaskDef
   */
  taskDefinitions(): TaskDefinition[] {
    return [...this.ir.tasks.values()].map((task) => {
      const warnings: string[] = [];
      const config = (task.config ?? []).map((c) => {
        const f = formatConfig(c, this.ir.parameters);
        warnings.push(...f.warnings);
        return f.config;
      });
      const resolved = resolveTaskClassName(task.klass);
      const implementation: TaskImplementation =
        resolved === undefined ? { kind: 'not-implemented', lsstName: task.klass } : { kind: 'alias', ...resolved };
      return { label: task.label, className: task.klass, implementation, config, warnings };
    });
  }

  /**
   * The tasks SkyStack does not implement, by label and class name (loading never fails for
   * them; running will).
   *
   * @returns the unimplemented tasks in label order
   */
  unimplementedTasks(): UnimplementedTask[] {
    return this.taskDefinitions()
      .filter((t) => t.implementation.kind === 'not-implemented')
      .map((t) => ({ label: t.label, className: t.className }));
  }

  /**
   * The labeled subsets that contain a task label.
   *
   * @param label - a task label
   * @returns the subset names
   * @see lsst.pipe.base.Pipeline.findSubsetsWithLabel
   */
  findSubsetsWithLabel(label: string): string[] {
    if (!this.ir.tasks.has(label)) {
      throw new PipelineLabelError('PIPE_UNKNOWN_LABEL', `Label '${label}' is not a task of this pipeline.`, {
        hint: suggestLabel(label, this.labels),
      });
    }
    return [...this.ir.labeledSubsets.values()].filter((s) => s.subset.has(label)).map((s) => s.label);
  }

  /**
   * A pipeline with only the given task labels and/or subsets.
   *
   * @param labels - task labels and subset names
   * @param subsetCtrl - `DROP` (default) removes subsets that lose labels, `EDIT` trims them
   * @returns the subsetted pipeline
   * @throws {@link PipelineLabelError} for an unknown label
   * @see lsst.pipe.base.Pipeline.subsetFromLabels
   */
  subset(labels: Iterable<string>, subsetCtrl: PipelineSubsetCtrl = 'DROP'): Pipeline {
    return new Pipeline(this.ir.subsetFromLabels(labels, subsetCtrl));
  }

  /**
   * Applies a parsed label specifier (see {@link parsePipelineUri}).
   *
   * @param specifier - labels or a range
   * @param subsetCtrl - subset handling
   * @returns the subsetted pipeline
   * @throws {@link PipelineNotImplementedError} for ranges, which need {@link Pipeline.toGraph}
   */
  subsetFromSpecifier(specifier: LabelSpecifier, subsetCtrl: PipelineSubsetCtrl = 'DROP'): Pipeline {
    if (specifier.kind === 'labels') return this.subset(specifier.labels, subsetCtrl);
    throw new PipelineNotImplementedError(
      `Label ranges (${specifier.begin ?? ''}..${specifier.end ?? ''}) need the tasks ordered by their connections, which is not available yet.`,
      { hint: 'Select labels or subsets with #a,b,c instead.' },
    );
  }

  /**
   * A copy with parameters replaced or added (`pipetask -c parameters:key=value`).
   *
   * @param overrides - parameter values
   * @returns the new pipeline
   * @see lsst.pipe.base.Pipeline.addConfigOverride
   */
  withParameters(overrides: Readonly<Record<string, unknown>>): Pipeline {
    return new Pipeline(this.ir.withParameters(overrides));
  }

  /**
   * Checks every contract against an object model (normally the task configs by label).
   *
   * @param resolve - maps names (task labels) to objects
   * @throws {@link ContractError} for the first contract that does not hold
   * @see lsst.pipe.base.Pipeline (contract checking when building the graph)
   */
  checkContracts(resolve: ContractResolver): void {
    for (const c of this.ir.contracts) checkContract(c, resolve);
  }

  /**
   * Hook for ordering the tasks by their connections (LSST's `to_graph()`, a `PipelineGraph`).
   * It needs `PipelineTask` connection classes, which come with the task framework; until then
   * it throws.
   *
   * @throws {@link PipelineNotImplementedError} always, for now
   * @see lsst.pipe.base.Pipeline.to_graph
   */
  toGraph(): never {
    throw new PipelineNotImplementedError(
      'Ordering a pipeline by its connections needs the PipelineTask connection classes, which are not available yet.',
    );
  }

  /**
   * The expanded pipeline (imports merged, subsetting applied) as YAML, in the layout
   * `pipetask build --show pipeline` prints: `description`, `instrument`, `parameters`,
   * `tasks` (each with `class` and its `config` blocks), `contracts` (sorted), `subsets`,
   * `steps`; multi-line strings as `|` blocks; sequences not indented under their key.
   *
   * @returns the YAML text
   * @see lsst.pipe.base.pipelineIR.PipelineIR.__str__
   */
  toYaml(): string {
    const doc = new Document(this.ir.toPrimitives(), { version: '1.1' });
    return doc.toString({ indentSeq: false, lineWidth: 0, blockQuote: 'literal' });
  }

  /**
   * The same as {@link Pipeline.toYaml}.
   *
   * @returns the YAML text
   */
  toString(): string {
    return this.toYaml();
  }
}

