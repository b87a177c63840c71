import { SkyStackError } from '@skystack/base';
import type { SkyStackErrorOptions } from '@skystack/base';

/**
 * An error a task reports for which a stack trace is not useful (code `PIPE_TASK_ERROR`):
 * `processCcd` asked to calibrate with no `calexp` found, a coadd with no valid inputs.
 *
 * @example
 * ```ts
 * throw new TaskError('No valid images overlap patch 42.', { hint: 'Check the warps of this tract.' });
 * ```
 * @see lsst.pipe.base.TaskError
 */
export class TaskError extends SkyStackError {
  /**
   * Creates the error.
   *
   * @param message - what failed
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('PIPE_TASK_ERROR', message, options);
  }
}

/**
 * A Task or PipelineTask is declared or constructed wrongly (code `PIPE_TASK_DEFINITION`): a
 * subtask without a name, a top-level task without `_DefaultName` or name, `makeSubtask` for a
 * config field that is not a ConfigurableField, a `run` result without a declared output.
 *
 * @see lsst.pipe.base.Task (the `RuntimeError`s and `KeyError`s of its constructor and `makeSubtask`)
 */
export class TaskDefinitionError extends SkyStackError {
  /**
   * Creates the error.
   *
   * @param message - what is wrong, what was expected and what was given
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('PIPE_TASK_DEFINITION', message, options);
  }
}

/**
 * A task metadata key or value is not allowed (code `PIPE_TASK_METADATA`): a value that is
 * not a string, number, boolean, list of one of those or mapping; a list of mixed types;
 * `add()` to a nested metadata; or a missing key.
 *
 * @see lsst.pipe.base.TaskMetadata (its `ValueError`s and `KeyError`s)
 */
export class TaskMetadataError extends SkyStackError {
  /**
   * Creates the error.
   *
   * @param message - what is wrong with the key or value
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('PIPE_TASK_METADATA', message, options);
  }
}

/**
 * Raised by a PipelineTask (or by the default `adjustQuantum`) when a quantum has nothing to
 * do: not enough inputs for an `Input` connection (code `PIPE_NO_WORK_FOUND`). Executors treat
 * it as a success that wrote no outputs.
 *
 * @see lsst.pipe.base.NoWorkFound
 */
export class NoWorkFound extends SkyStackError {
  /**
   * Creates the error.
   *
   * @param message - why there is no work
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('PIPE_NO_WORK_FOUND', message, options);
  }
}

/**
 * A connection declared with `multiple: false` was given several datasets (code
 * `PIPE_SCALAR_CONNECTION`).
 *
 * @see lsst.pipe.base.ScalarError
 */
export class ScalarError extends SkyStackError {
  /**
   * Creates the error.
   *
   * @param message - the connection, the datasets and the quantum data ID
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('PIPE_SCALAR_CONNECTION', message, options);
  }
}

/**
 * A `PrerequisiteInput` connection has fewer datasets than its `minimum` (code
 * `PIPE_PREREQUISITE_MISSING`); unlike {@link NoWorkFound} this is a hard error.
 *
 * @see lsst.pipe.base.PipelineTaskConnections.adjustQuantum (its `FileNotFoundError`)
 */
export class PrerequisiteMissingError extends SkyStackError {
  /**
   * Creates the error.
   *
   * @param message - the connection, how many datasets were found and the minimum
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('PIPE_PREREQUISITE_MISSING', message, options);
  }
}
