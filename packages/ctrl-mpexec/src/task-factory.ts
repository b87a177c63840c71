import { existsSync } from 'node:fs';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { applyOverrideMapping, applyOverrides, loadOverrideFile, parseConfigOverrideOption } from '@skystack/pex-config';
import type { ConfigClass } from '@skystack/pex-config';
import { PipelineGraph, expandVars, formatConfig, resolveTaskClassName } from '@skystack/pipe-base';
import type { Pipeline, PipelineTask, PipelineTaskConfig, PipelineTaskOptions } from '@skystack/pipe-base';
import { defaultImportModule } from '@skystack/daf-butler';
import type { DimensionUniverse } from '@skystack/daf-butler';
import { TaskConfigError, TaskLoadError } from './errors.js';

/**
 * The static side of a PipelineTask class as the executors use it: a constructor taking
 * `PipelineTaskOptions` (@skystack/pipe-base), its `ConfigClass` and `_DefaultName`.
 */
export interface PipelineTaskClass {
  /** Makes the task. */
  new (options?: PipelineTaskOptions<PipelineTaskConfig>): PipelineTask;
  /** The config class (made with `PipelineTaskConfig.withConnections`). */
  readonly ConfigClass: ConfigClass;
  /** The default name. */
  readonly _DefaultName?: string | undefined;
  /** The class name. */
  readonly name: string;
}

/**
 * One config override from the command line, in the order given: `-c label:field=value`
 * (`kind: 'value'`) or `-C label:file` (`kind: 'file'`).
 */
export type ConfigOverride =
  | {
      /** A `-c label:field=value` override. */
      readonly kind: 'value';
      /** The task label (or `parameters` for a pipeline parameter). */
      readonly label: string;
      /** The field path. */
      readonly field: string;
      /** The value text. */
      readonly value: string;
    }
  | {
      /** A `-C label:file` override. */
      readonly kind: 'file';
      /** The task label. */
      readonly label: string;
      /** The override file (`.py` subset, `.yaml`, `.json`). */
      readonly path: string;
    };

/**
 * Parses a `-c` option value (`label:field=value`).
 *
 * @param option - the option value
 * @returns the override
 * @throws `OverrideSyntaxError` (@skystack/pex-config) when it has no `label:` or `=`
 * @example
 * ```ts
 * parseValueOverride('isr:doBias=False'); // { kind: 'value', label: 'isr', field: 'doBias', value: 'False' }
 * ```
 * @see lsst.ctrl.mpexec.cli.opt.config_option
 */
export function parseValueOverride(option: string): ConfigOverride {
  const o = parseConfigOverrideOption(option);
  return { kind: 'value', label: o.label, field: o.field, value: o.value };
}

/**
 * Parses a `-C` option value (`label:path`).
 *
 * @param option - the option value
 * @returns the override
 * @throws {@link TaskConfigError} (`MPEXEC_CONFIG`) when it has no `label:`
 * @example
 * ```ts
 * parseFileOverride('isr:overrides.py'); // { kind: 'file', label: 'isr', path: 'overrides.py' }
 * ```
 * @see lsst.ctrl.mpexec.cli.opt.config_file_option
 */
export function parseFileOverride(option: string): ConfigOverride {
  const colon = option.indexOf(':');
  if (colon <= 0 || colon === option.length - 1) {
    throw new TaskConfigError('MPEXEC_CONFIG', `Expected 'label:file' for -C/--config-file but got '${option}'.`);
  }
  return { kind: 'file', label: option.slice(0, colon), path: option.slice(colon + 1) };
}

/** A task of a pipeline with its class loaded and its config built, validated and frozen. */
export interface ConfiguredTask {
  /** The task label. */
  readonly label: string;
  /** The class as written in the pipeline. */
  readonly className: string;
  /** The class. */
  readonly taskClass: PipelineTaskClass;
  /** The frozen config. */
  readonly config: PipelineTaskConfig;
  /**
   * Where a worker process can import the class from (`module#Export`, the module a package
   * name or a file URL), or undefined for a class given in {@link TaskFactoryOptions.classes}.
   */
  readonly specifier: string | undefined;
}

/** Options of {@link TaskFactory}. */
export interface TaskFactoryOptions {
  /**
   * Task classes given directly (tests), keyed by task label or by class name as written in
   * the pipeline; they win over imports. Worker processes cannot use them (`-j 1` only).
   */
  readonly classes?: Readonly<Record<string, PipelineTaskClass>>;
  /** Directory relative module paths (`./tasks.ts#MyTask`) are resolved against (default the cwd). */
  readonly baseDir?: string;
  /** Variables for `$VAR` in config `file:` entries (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const PATH_SPECIFIER = /^(file:\/\/.+|\.{1,2}\/.+|\/.+|[A-Za-z]:[\\/].+)#([A-Za-z_$][\w$]*)$/;

/**
 * Loads PipelineTask classes for the tasks of a pipeline and makes their configs, as
 * `pipetask` does before building a QuantumGraph:
 *
 * - class names: SkyStack specifiers `@skystack/pkg#Export` and LSST names through
 *   `resolveTaskClassName` (@skystack/pipe-base) are imported with `import()`; module paths
 *   `./file.ts#Export`, `/abs/file.js#Export` or `file:///...#Export` too; classes given in
 *   {@link TaskFactoryOptions.classes} (by label or class name) first;
 * - configs: the pipeline's `config:` blocks (for each block: `file:` overrides, then
 *   `key: value` entries, then the `python:` block, as LSST applies them), then the
 *   command-line overrides in the order given, then `validate()` and `freeze()`.
 *
 * @example
 * ```ts
 * const factory = new TaskFactory({ classes: { add: AddTask } });
 * const tasks = await factory.configureTasks(pipeline, [parseValueOverride('add:offset=2')]);
 * tasks[0].config.offset; // 2
 * ```
 * @see lsst.ctrl.mpexec.TaskFactory
 * @see lsst.pipe.base.Pipeline.to_graph (which applies the config overrides)
 */
export class TaskFactory {
  readonly #options: TaskFactoryOptions;
  readonly #cache = new Map<string, Promise<{ taskClass: PipelineTaskClass; specifier: string | undefined }>>();

  /**
   * Makes a factory.
   *
   * @param options - classes given directly, the base directory of relative module paths
   */
  constructor(options: TaskFactoryOptions = {}) {
    this.#options = options;
  }

  /**
   * Finds and imports a task class.
   *
   * @param label - the task label (for messages, and the `classes` lookup)
   * @param className - the class as written in the pipeline
   * @returns the class and where a worker can import it from
   * @throws {@link TaskLoadError} for a class SkyStack does not implement, a module that
   *   cannot be imported, or an export that is missing or not a PipelineTask class
   */
  loadTaskClass(
    label: string,
    className: string,
  ): Promise<{
    /** The class. */
    taskClass: PipelineTaskClass;
    /** The `module#Export` it was loaded from (undefined for classes given directly). */
    specifier: string | undefined;
  }> {
    const given = this.#options.classes?.[label] ?? this.#options.classes?.[className];
    if (given !== undefined) return Promise.resolve({ taskClass: given, specifier: undefined });
    let p = this.#cache.get(className);
    if (p === undefined) {
      p = this.#import(label, className);
      this.#cache.set(className, p);
    }
    return p;
  }

  async #import(label: string, className: string): Promise<{ taskClass: PipelineTaskClass; specifier: string | undefined }> {
    let moduleName: string;
    let exportName: string;
    const path = PATH_SPECIFIER.exec(className);
    if (path !== null) {
      const p = path[1]!;
      moduleName = p.startsWith('file://') ? p : pathToFileURL(isAbsolute(p) ? p : resolvePath(this.#options.baseDir ?? process.cwd(), p)).href;
      exportName = path[2]!;
    } else {
      let resolved;
      try {
        resolved = resolveTaskClassName(className);
      } catch (e) {
        throw new TaskLoadError('MPEXEC_TASK_LOAD', `Task '${label}': cannot load class '${className}': ${(e as Error).message}`, {
          cause: e,
          hint: 'Write an LSST class name, @skystack/package#Export, or a module path such as ./tasks.ts#MyTask.',
        });
      }
      if (resolved === undefined) {
        throw new TaskLoadError('MPEXEC_TASK_NOT_IMPLEMENTED', `Task '${label}': class '${className}' is not implemented in SkyStack.`, {
          hint: 'Remove the task from the pipeline (or select other labels with #a,b), or map the class to an implementation.',
        });
      }
      moduleName = resolved.module;
      exportName = resolved.exportName;
    }
    let mod: Record<string, unknown>;
    try {
      mod = (await defaultImportModule(moduleName)) as Record<string, unknown>;
    } catch (e) {
      const missing = moduleName.startsWith('file:') && !existsSync(new URL(moduleName));
      throw new TaskLoadError(
        'MPEXEC_TASK_LOAD',
        `Task '${label}': class '${className}' needs module '${moduleName}', which ${missing ? 'does not exist' : `cannot be imported: ${(e as Error).message}`}.`,
        { cause: e },
      );
    }
    const cls = mod[exportName];
    if (typeof cls !== 'function' || typeof (cls as { ConfigClass?: unknown }).ConfigClass !== 'function') {
      throw new TaskLoadError(
        'MPEXEC_TASK_LOAD',
        `Task '${label}': module '${moduleName}' has no PipelineTask class '${exportName}' (class '${className}').`,
        { hint: `Exports: ${Object.keys(mod).filter((k) => typeof mod[k] === 'function').join(', ') || '(none)'}.` },
      );
    }
    return { taskClass: cls as PipelineTaskClass, specifier: `${moduleName}#${exportName}` };
  }

  /**
   * Loads every task of a pipeline and makes its config: pipeline `config:` blocks, then the
   * overrides, then validate and freeze; then checks the pipeline's contracts.
   *
   * @param pipeline - the pipeline
   * @param overrides - command-line overrides in the order given (`parameters:NAME=value`
   *   sets a pipeline parameter before anything else)
   * @returns the tasks, in the pipeline's label order
   * @throws {@link TaskLoadError} for a class that cannot be loaded
   * @throws {@link TaskConfigError} for an override naming an unknown label, or a config error
   *   (naming the task and where the override came from)
   * @throws ContractError when a contract does not hold
   */
  async configureTasks(pipeline: Pipeline, overrides: readonly ConfigOverride[] = []): Promise<ConfiguredTask[]> {
    const params: Record<string, unknown> = {};
    for (const o of overrides) if (o.label === 'parameters' && o.kind === 'value') params[o.field] = o.value;
    const p = Object.keys(params).length > 0 ? pipeline.withParameters(params) : pipeline;
    const labels = new Set(p.labels);
    for (const o of overrides) {
      if (o.label === 'parameters' && o.kind === 'value') continue;
      if (!labels.has(o.label)) {
        throw new TaskConfigError('MPEXEC_CONFIG', `Config override for unknown task label '${o.label}'.`, {
          hint: `Labels: ${[...labels].join(', ') || '(none)'}.`,
        });
      }
    }
    const env = this.#options.env ?? process.env;
    const out: ConfiguredTask[] = [];
    for (const task of p.ir.tasks.values()) {
      const { taskClass, specifier } = await this.loadTaskClass(task.label, task.klass);
      const config = new taskClass.ConfigClass() as PipelineTaskConfig;
      const where = (what: string, e: unknown): TaskConfigError =>
        new TaskConfigError('MPEXEC_CONFIG', `Task '${task.label}' (${task.klass}): ${what}: ${(e as Error).message}`, { cause: e });
      for (const block of task.config ?? []) {
        const { config: formatted } = formatConfig(block, p.parameters);
        if (formatted.dataId !== undefined) continue; // data-ID-specific blocks are not applied (as LSST)
        for (const file of formatted.file) {
          try {
            await loadOverrideFile(config, expandVars(file, env));
          } catch (e) {
            throw where(`config file ${file}`, e);
          }
        }
        if (formatted.rest.size > 0) {
          try {
            applyOverrideMapping(config, Object.fromEntries(formatted.rest), { label: `pipeline ${task.label} config` });
          } catch (e) {
            throw where('pipeline config block', e);
          }
        }
        if (formatted.python !== undefined) {
          try {
            config.loadFromString(formatted.python, { filename: `pipeline ${task.label} python block` });
          } catch (e) {
            throw where('pipeline python block', e);
          }
        }
      }
      for (const o of overrides) {
        if (o.label !== task.label) continue;
        try {
          if (o.kind === 'value') applyOverrides(config, [{ field: o.field, value: o.value }], { label: `-c ${o.label}:${o.field}` });
          else await loadOverrideFile(config, o.path);
        } catch (e) {
          throw where(o.kind === 'value' ? `-c ${o.label}:${o.field}=${o.value}` : `-C ${o.label}:${o.path}`, e);
        }
      }
      try {
        config.validate();
      } catch (e) {
        throw where('invalid config', e);
      }
      config.freeze();
      out.push({ label: task.label, className: task.klass, taskClass, config, specifier });
    }
    const byLabel = new Map(out.map((t) => [t.label, t.config]));
    p.checkContracts((name) => byLabel.get(name));
    return out;
  }

  /**
   * Configures the tasks and orders them by their connections.
   *
   * @param pipeline - the pipeline
   * @param overrides - command-line overrides in the order given
   * @param options - `universe`: validate the connections' dimensions against it
   * @returns the pipeline graph and the configured tasks
   * @throws as {@link TaskFactory.configureTasks}, and PipelineGraphError for bad connections
   * @see lsst.pipe.base.Pipeline.to_graph
   */
  async makePipelineGraph(
    pipeline: Pipeline,
    overrides: readonly ConfigOverride[] = [],
    options: { readonly universe?: DimensionUniverse } = {},
  ): Promise<{
    /** The tasks ordered by their connections. */
    graph: PipelineGraph;
    /** The configured tasks, by label. */
    tasks: Map<string, ConfiguredTask>;
  }> {
    const tasks = await this.configureTasks(pipeline, overrides);
    const graph = PipelineGraph.build(
      tasks.map((t) => ({ label: t.label, taskClass: t.taskClass, config: t.config })),
      options.universe === undefined ? {} : { universe: options.universe },
    );
    return { graph, tasks: new Map(tasks.map((t) => [t.label, t])) };
  }
}

/**
 * Imports a task class from a specifier made by {@link TaskFactory} (`module#Export`), as a
 * worker process does.
 *
 * @param specifier - `module#Export`
 * @returns the class
 * @throws {@link TaskLoadError} when it cannot be imported
 */
export async function importTaskClass(specifier: string): Promise<PipelineTaskClass> {
  const i = specifier.lastIndexOf('#');
  const mod = (await defaultImportModule(specifier.slice(0, i))) as Record<string, unknown>;
  const cls = mod[specifier.slice(i + 1)];
  if (typeof cls !== 'function') throw new TaskLoadError('MPEXEC_TASK_LOAD', `No class '${specifier.slice(i + 1)}' in module '${specifier.slice(0, i)}'.`);
  return cls as PipelineTaskClass;
}
