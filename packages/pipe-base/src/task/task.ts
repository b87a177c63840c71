import { Config, ConfigurableField } from '@skystack/pex-config';
import type { ConfigClass, ConfigurableInstance } from '@skystack/pex-config';
import { getLogger } from '@skystack/base';
import type { Logger } from '@skystack/base';
import { TaskDefinitionError } from './errors.js';
import { TaskMetadata } from './task-metadata.js';
import { timeMethod } from './timer.js';

/** Options of the {@link Task} constructor (LSST's keyword arguments). */
export interface TaskOptions<C extends Config = Config> {
  /**
   * The config (an instance of the task's `ConfigClass`). Default: for a subtask,
   * `parentTask.config[name]`; for a top-level task, `new ConfigClass()`. It is validated and
   * frozen by the constructor.
   */
  readonly config?: C | undefined;
  /** The task's name; required for a subtask, default `_DefaultName` for a top-level task. */
  readonly name?: string | undefined;
  /** The parent task, for a subtask. */
  readonly parentTask?: Task | undefined;
  /** A logger whose name prefixes the task's logger name (ignored for subtasks). */
  readonly log?: Logger | undefined;
}

/**
 * The static side of a Task class: what {@link Task.makeField} and executors use.
 */
export interface TaskClass<C extends Config = Config, T extends Task<C> = Task<C>> {
  /** Makes the task. */
  new (options?: TaskOptions<C>): T;
  /** The config class. */
  readonly ConfigClass: ConfigClass<C>;
  /** The default name of a top-level task. */
  readonly _DefaultName?: string | undefined;
}

/**
 * Base class of data processing tasks: a named, configured unit of work with a logger,
 * metadata, timing and subtasks.
 *
 * A subclass sets `static ConfigClass` (a pex-config `Config` class) and `static _DefaultName`,
 * makes its subtasks in its constructor with {@link Task.makeSubtask} (from
 * `ConfigurableField`s of its config), and does its work in a `run` method that returns a
 * {@link Struct}. The config is validated and then frozen by the constructor: a task never
 * sees its config change.
 *
 * @example
 * ```ts
 * class ScaleConfig extends Config {
 *   factor = Field.float({ doc: 'Scale factor', default: 2 });
 * }
 * class ScaleTask extends Task<ScaleConfig> {
 *   static override ConfigClass = ScaleConfig;
 *   static override _DefaultName = 'scale';
 *   run(x: number): Struct<{ y: number }> {
 *     return timeMethod(this, 'run', () => new Struct({ y: this.config.factor * x }));
 *   }
 * }
 * class TopConfig extends Config {
 *   scale = ScaleTask.makeField('How to scale');
 * }
 * class TopTask extends Task<TopConfig> {
 *   static override ConfigClass = TopConfig;
 *   static override _DefaultName = 'top';
 *   readonly scale: ScaleTask;
 *   constructor(options: TaskOptions<TopConfig> = {}) {
 *     super(options);
 *     this.scale = this.makeSubtask<ScaleTask>('scale');
 *   }
 * }
 * const top = new TopTask();
 * top.scale.getFullName();   // 'top.scale'
 * ```
 * @see lsst.pipe.base.Task
 */
export class Task<C extends Config = Config> {
  /** The config class; subclasses override it. */
  static ConfigClass: ConfigClass = Config;
  /** The default name of a top-level task; subclasses set it. */
  static _DefaultName: string | undefined = undefined;

  /** The task's (validated, frozen) config. */
  readonly config: C;
  /** The task's logger, named after its full name (`isr.assembleCcd`). */
  readonly log: Logger;
  /** Metadata the task records (timing, data-quality numbers). */
  metadata: TaskMetadata;
  readonly #name: string;
  readonly #fullName: string;
  readonly #parentTask: Task | undefined;
  readonly #taskDict: Map<string, Task>;

  /**
   * Makes the task.
   *
   * @param options - `config`, `name`, `parentTask`, `log`
   * @throws {@link @skystack/pipe-base!TaskDefinitionError} when a subtask has no name, or a top-level task has
   *   neither a name nor `_DefaultName`
   * @throws FieldValidationError when the config does not validate
   */
  constructor(options: TaskOptions<C> = {}) {
    const cls = new.target as unknown as TaskClass<C>;
    this.metadata = new TaskMetadata();
    const { parentTask, log } = options;
    let { config, name } = options;
    if (parentTask !== undefined) {
      if (name === undefined) throw new TaskDefinitionError(`${cls.name}: a name is required for a subtask (parent ${parentTask.getFullName()}).`);
      this.#name = name;
      this.#fullName = `${parentTask.getFullName()}.${name}`;
      if (config === undefined) {
        const field = (parentTask.config as unknown as Record<string, unknown>)[name];
        config = (field !== null && typeof field === 'object' && 'value' in field ? (field as { value: unknown }).value : field) as C;
      }
      this.#taskDict = parentTask.#taskDict;
      this.log = parentTask.log.getChild(name);
    } else {
      name ??= cls._DefaultName;
      if (name === undefined || name === '') {
        throw new TaskDefinitionError(`${cls.name}: a name is required for a task unless it has a static _DefaultName.`);
      }
      this.#name = name;
      this.#fullName = name;
      config ??= new cls.ConfigClass();
      this.#taskDict = new Map();
      this.log = log !== undefined && log.name !== '' ? log.getChild(name) : getLogger(name);
    }
    if (!(config instanceof Config)) {
      throw new TaskDefinitionError(`${cls.name} '${this.#fullName}': the config must be a Config; got ${String(config)}.`);
    }
    this.#parentTask = parentTask;
    this.config = config;
    config.validate();
    if (!config.isFrozen()) config.freeze();
    this.#taskDict.set(this.#fullName, this);
  }

  /**
   * Makes a `ConfigurableField` whose default target is this task class.
   *
   * @example
   * ```ts
   * class ParentConfig extends Config {
   *   stats = ExampleSigmaClippedStatsTask.makeField('Statistics');
   * }
   * ```
   * @param doc - the field's documentation
   * @returns the field declaration
   * @see lsst.pipe.base.Task.makeField
   */
  static makeField<C2 extends Config>(this: { readonly ConfigClass: ConfigClass<C2> } & (new (options: TaskOptions<C2>) => Task<C2>), doc: string): ConfigurableInstance<C2> {
    return ConfigurableField<C2>({ doc, target: this });
  }

  /** The parent task, for a subtask. */
  get parentTask(): Task | undefined {
    return this.#parentTask;
  }

  /**
   * The task's own name.
   *
   * @returns the name (`assembleCcd`)
   * @see lsst.pipe.base.Task.getName
   */
  getName(): string {
    return this.#name;
  }

  /**
   * The hierarchical name: the parent's full name, a dot, this name (`isr.assembleCcd`).
   *
   * @returns the full name
   * @see lsst.pipe.base.Task.getFullName
   */
  getFullName(): string {
    return this.#fullName;
  }

  /**
   * All tasks of the hierarchy this task belongs to, by full name (a copy).
   *
   * @returns the top-level task and all subtasks, sub-subtasks, ...
   * @see lsst.pipe.base.Task.getTaskDict
   */
  getTaskDict(): Map<string, Task> {
    return new Map(this.#taskDict);
  }

  /**
   * The metadata of every task of the hierarchy, keyed by full name with `.` replaced by
   * `:` (`top:sub.runStartUtc`).
   *
   * @returns the combined metadata
   * @see lsst.pipe.base.Task.getFullMetadata
   */
  getFullMetadata(): TaskMetadata {
    const full = new TaskMetadata();
    for (const [fullName, task] of this.#taskDict) full.set(fullName.replaceAll('.', ':'), task.metadata);
    return full;
  }

  /**
   * Empties the metadata of this task and of every task in its hierarchy.
   *
   * @see lsst.pipe.base.Task.emptyMetadata
   */
  emptyMetadata(): void {
    for (const task of this.#taskDict.values()) task.metadata = new TaskMetadata();
  }

  /**
   * Makes the subtask configured by this task's `ConfigurableField` (or `RegistryField`)
   * `name`, with this task as parent, and sets it as the property `name` of this task.
   *
   * @param name - the config field, and the subtask's name
   * @param options - further options for the subtask's constructor (`config` and
   *   `parentTask` are given and cannot be overridden)
   * @returns the subtask
   * @throws {@link @skystack/pipe-base!TaskDefinitionError} when the config has no such configurable field
   * @see lsst.pipe.base.Task.makeSubtask
   */
  makeSubtask<T extends Task = Task>(name: string, options: Readonly<Record<string, unknown>> = {}): T {
    const field: unknown = this.config.keys().includes(name) ? (this.config as unknown as Record<string, unknown>)[name] : undefined;
    if (field === undefined || field === null || typeof (field as { apply?: unknown }).apply !== 'function') {
      throw new TaskDefinitionError(
        `${this.getFullName()}'s config (${this.config.constructor.name}) does not have a ConfigurableField or RegistryField named '${name}'.`,
        { hint: `Fields: ${this.config.keys().join(', ') || '(none)'}.` },
      );
    }
    const subtask = (field as { apply<R>(o: Record<string, unknown>): R }).apply<T>({ ...options, name, parentTask: this });
    Reflect.set(this, name, subtask);
    return subtask;
  }

  /**
   * Times a block of code as LSST's `with self.timer(name):` does: `<name>Start*` and
   * `<name>End*` items in the metadata (see {@link timeMethod}).
   *
   * @param name - the name of the block
   * @param fn - the code (sync or async)
   * @returns what `fn` returns
   * @see lsst.pipe.base.Task.timer
   */
  timer<R>(name: string, fn: () => R): R {
    return timeMethod(this, name, fn);
  }
}
