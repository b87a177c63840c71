import { SkyStackError } from '@skystack/base';
import type { SkyStackErrorOptions } from '@skystack/base';

/**
 * Base class of the errors of ctrl-mpexec (`pipetask` and the executors), with a stable `code`.
 *
 * @example
 * ```ts
 * try {
 *   await runPipetask(['run', '-b', 'repo']);
 * } catch (e) {
 *   if (e instanceof MpexecError) console.log(e.code);
 * }
 * ```
 * @see lsst.ctrl.mpexec (which raises plain Python exceptions)
 */
export class MpexecError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param code - a stable code (`MPEXEC_...`)
   * @param message - what failed
   * @param options - `cause` and `hint`
   */
  constructor(code: string, message: string, options: SkyStackErrorOptions = {}) {
    super(code, message, options);
  }
}

/**
 * A task class that cannot be found or imported (`MPEXEC_TASK_LOAD`), or one SkyStack does not
 * implement (`MPEXEC_TASK_NOT_IMPLEMENTED`).
 *
 * @see lsst.utils.doImportType
 */
export class TaskLoadError extends MpexecError {}

/**
 * A bad config override or config block (`MPEXEC_CONFIG`), or a config that differs from the
 * one saved in the output RUN (`MPEXEC_CONFIG_MISMATCH`).
 *
 * @see lsst.ctrl.mpexec.PreExecInit.saveConfigs
 */
export class TaskConfigError extends MpexecError {}

/**
 * A problem with the output collections (`MPEXEC_COLLECTIONS`), dataset types
 * (`MPEXEC_DATASET_TYPES`) or existing outputs (`MPEXEC_OUTPUT_EXISTS`).
 *
 * @see lsst.ctrl.mpexec.cli.script.run
 */
export class ExecutionSetupError extends MpexecError {}

/**
 * A quantum that ran past its `--timeout` (`MPEXEC_TIMEOUT`).
 *
 * @see lsst.ctrl.mpexec.MPGraphExecutor (its `timeout` option)
 */
export class QuantumTimeoutError extends MpexecError {}
