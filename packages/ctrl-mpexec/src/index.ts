// @skystack/ctrl-mpexec: local execution of pipelines (LSST's ctrl_mpexec): the task factory,
// the QuantumGraph executor on worker processes, and the `pipetask` command line.

export { MpexecError, TaskLoadError, TaskConfigError, ExecutionSetupError, QuantumTimeoutError } from './errors.js';
export { TaskFactory, importTaskClass, parseValueOverride, parseFileOverride } from './task-factory.js';
export type { PipelineTaskClass, ConfigOverride, ConfiguredTask, TaskFactoryOptions } from './task-factory.js';
export { executeQuantum, specialDatasetTypeNames, readInitInputs } from './single-quantum-executor.js';
export type {
  ExecutableQuantum,
  ExecutableTask,
  QuantumStatus,
  QuantumOutcome,
  QuantumExecutionContext,
  ButlerLogRecordJson,
} from './single-quantum-executor.js';
export {
  runTimestamp,
  planOutputCollections,
  makeOutputCollections,
  pruneReplacedRun,
  outputDatasetTypes,
  registerDatasetTypes,
  saveInitOutputs,
  executeQuantumGraph,
  formatSummary,
  reportFromRepository,
} from './executor.js';
export type { OutputCollectionOptions, OutputCollectionPlan, PruneReplacedMode, TaskSummary, ExecutionReport, ExecuteOptions } from './executor.js';
export { makeSummaryReport, writeSummaryReport, exceptionInfo } from './summary-report.js';
export type { SummaryReport, QuantumReport, QuantumReportStatus, ExceptionInfo } from './summary-report.js';
export type { WorkerInit, WorkerMessage } from './worker.js';
export { runPipetask, makePipetaskProgram } from './cli/program.js';
export type { PipetaskIo, PipetaskWriteStream } from './cli/program.js';
