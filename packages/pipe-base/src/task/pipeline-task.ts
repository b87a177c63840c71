import type { InputQuantizedConnection, OutputQuantizedConnection } from '../connections/quantized-connection.js';
import type { PipelineTaskConfig } from '../connections/pipeline-task-config.js';
import type { PipelineTaskConnections, AnyConnectionsClass } from '../connections/pipeline-task-connections.js';
import { TaskDefinitionError } from './errors.js';
import { Task } from './task.js';
import type { TaskOptions } from './task.js';
import type { QuantumContext } from './quantum-context.js';
import type { Struct } from './struct.js';

/** Options of the {@link PipelineTask} constructor: a Task's, plus the init-inputs. */
export interface PipelineTaskOptions<C extends PipelineTaskConfig = PipelineTaskConfig> extends TaskOptions<C> {
  /** The datasets of the `InitInput` connections, by connection name. */
  readonly initInputs?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * Base class of tasks run by the pipeline executors on quanta: a {@link Task} whose
 * `ConfigClass` is a {@link PipelineTaskConfig} made with connections. Subclasses implement
 * `run(inputs)` returning a {@link Struct} with one item per output connection; the default
 * `runQuantum` reads the inputs, calls `run` and writes the outputs.
 *
 * @example
 * ```ts
 * class AddTask extends PipelineTask<AddConfig> {
 *   static override ConfigClass = AddConfig;
 *   static override _DefaultName = 'add';
 *   override run({ input }: { input: { value: number } }): Struct<{ output: { value: number } }> {
 *     return new Struct({ output: { value: input.value + this.config.addend } });
 *   }
 * }
 * ```
 * @see lsst.pipe.base.PipelineTask
 */
export class PipelineTask<C extends PipelineTaskConfig = PipelineTaskConfig> extends Task<C> {
  /**
   * Makes the task.
   *
   * @param options - `config`, `name`, `parentTask`, `log`, `initInputs`
   */
  constructor(options: PipelineTaskOptions<C> = {}) {
    super(options);
  }

  /**
   * The connections of this task's config.
   *
   * @returns a new connections instance
   * @throws {@link TaskDefinitionError} when the config class was not made with connections
   */
  makeConnections(): PipelineTaskConnections {
    const cls = (this.config.constructor as { ConnectionsClass?: AnyConnectionsClass }).ConnectionsClass;
    if (cls === undefined) {
      throw new TaskDefinitionError(`${this.constructor.name}'s config ${this.config.constructor.name} was not made with PipelineTaskConfig.withConnections().`);
    }
    return new cls({ config: this.config });
  }

  /**
   * Does the work on in-memory inputs (one argument object, keyed by input connection
   * name). Subclasses implement it.
   *
   * @param _inputs - the inputs by connection name
   * @returns a struct with one item per output connection
   * @throws {@link TaskDefinitionError} when not implemented
   * @see lsst.pipe.base.PipelineTask.run
   */
  run(_inputs: Record<string, unknown>): Struct | Promise<Struct> {
    throw new TaskDefinitionError(`${this.constructor.name} does not implement run().`);
  }

  /**
   * Runs one quantum: `butlerQC.get(inputRefs)` → `run(inputs)` → `butlerQC.put(result, outputRefs)`.
   * Override it to read or write differently (e.g. to pass data IDs to `run`).
   *
   * @param butlerQC - how to read and write
   * @param inputRefs - the input references by connection name
   * @param outputRefs - the output references by connection name
   * @see lsst.pipe.base.PipelineTask.runQuantum
   */
  async runQuantum(butlerQC: QuantumContext, inputRefs: InputQuantizedConnection, outputRefs: OutputQuantizedConnection): Promise<void> {
    const inputs = (await butlerQC.get(inputRefs)) as Record<string, unknown>;
    const outputs = await this.run(inputs);
    await butlerQC.put(outputs, outputRefs);
  }
}
