// @skystack/pipe-base: tasks, PipelineTasks and pipelines (LSST's pipe_base). This first part
// is the pipeline definition layer: LSST's pipeline YAML with imports, subsets, parameters,
// steps and contracts.

// Errors
export {
  PipelineError,
  PipelineDefinitionError,
  PipelineKeyError,
  PipelineConflictError,
  PipelineImportError,
  PipelineLabelError,
  PipelineNotImplementedError,
  ContractSyntaxError,
  ContractEvaluationError,
  ContractError,
} from './pipeline/errors.js';
export type { PipelineErrorOptions, PipelineErrorLocation } from './pipeline/errors.js';

// Pipeline definitions
export {
  PipelineIR,
  expandVars,
  formatConfig,
  maybeMergeConfigs,
  configToPrimitives,
  removeContracts,
  PIPELINE_TOP_LEVEL_KEYS,
} from './pipeline/pipeline-ir.js';
export type {
  ConfigIR,
  TaskIR,
  LabeledSubsetIR,
  StepIR,
  ContractIR,
  ImportIR,
  PipelineSubsetCtrl,
  PipelineLoadOptions,
  FormattedConfig,
} from './pipeline/pipeline-ir.js';
export { parseContract, evaluateContract, checkContract, contractNames } from './pipeline/contracts.js';
export type { ContractNode, ContractResolver, BinaryOp, CompareOp } from './pipeline/contracts.js';
export { TASK_ALIASES, resolveTaskClassName } from './pipeline/task-aliases.js';
export type { TaskClassResolution } from './pipeline/task-aliases.js';
export { Pipeline, parsePipelineUri } from './pipeline/pipeline.js';
export type { TaskDefinition, TaskImplementation, UnimplementedTask, LabelSpecifier } from './pipeline/pipeline.js';
