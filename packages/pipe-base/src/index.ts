// @skystack/pipe-base: tasks, PipelineTasks and pipelines (LSST's pipe_base): Task, Struct,
// TaskMetadata, connections, PipelineTask, the pipeline graph, the example stats tasks, and
// the pipeline definition layer (LSST's pipeline YAML with imports, subsets, parameters, steps
// and contracts).

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

// Tasks
export { TaskError, TaskDefinitionError, TaskMetadataError, NoWorkFound, ScalarError, PrerequisiteMissingError } from './task/errors.js';
export { Task } from './task/task.js';
export type { TaskOptions, TaskClass } from './task/task.js';
export { TaskMetadata } from './task/task-metadata.js';
export type { TaskMetadataScalar, TaskMetadataValue, NestedMetadataDict, TaskMetadataJson } from './task/task-metadata.js';
export { timeMethod, logInfo, currentUsage } from './task/timer.js';
export type { Timeable } from './task/timer.js';
export { Struct } from './task/struct.js';
export type { StructMethods, StructConstructor } from './task/struct.js';
export { PipelineTask } from './task/pipeline-task.js';
export type { PipelineTaskOptions } from './task/pipeline-task.js';
export { ButlerQuantumContext } from './task/quantum-context.js';
export type { QuantumContext, QuantumGetArg } from './task/quantum-context.js';

// Connections
export { ConnectionsDefinitionError, PipelineGraphError } from './connections/errors.js';
export type { PipelineGraphErrorKind } from './connections/errors.js';
export { BaseConnection, DimensionedConnection, BaseInput, Input, PrerequisiteInput, Output, InitInput, InitOutput } from './connections/connection-types.js';
export type {
  ConnectionTypeSet,
  BaseConnectionOptions,
  DimensionedConnectionOptions,
  BaseInputOptions,
  InputOptions,
  PrerequisiteInputOptions,
  PrerequisiteLookupFunction,
  AnyConnectionOptions,
} from './connections/connection-types.js';
export { PipelineTaskConnections, defineConnections } from './connections/pipeline-task-connections.js';
export type {
  AnyConnectionsClass,
  PipelineTaskConnectionsClass,
  ConnectionsDeclaration,
  ConnectionProperties,
  ConnectionsOptions,
  ConnectionsConfigHolder,
  AdjustQuantumMap,
  AdjustQuantumResult,
} from './connections/pipeline-task-connections.js';
export { PipelineTaskConfig, makeConnectionsConfigClass } from './connections/pipeline-task-config.js';
export type { ConnectionsConfig, ConnectionNames, PipelineTaskConfigClass } from './connections/pipeline-task-config.js';
export { DeferredDatasetRef } from './connections/quantized-connection.js';
export type { Quantum, QuantizedRef, InputQuantizedConnection, OutputQuantizedConnection } from './connections/quantized-connection.js';
export { formatTemplate, templateNames } from './connections/templates.js';
export { PipelineGraph } from './connections/pipeline-graph.js';
export type { TaskEntry, TaskNode, DatasetTypeNode, DatasetTypeUse } from './connections/pipeline-graph.js';

// Example tasks
export {
  ExampleSimpleStatsTask,
  ExampleSigmaClippedStatsTask,
  ExampleSigmaClippedStatsConfig,
  simpleStats,
  sigmaClippedStats,
} from './examples/example-stats-tasks.js';
export type { ExampleStats } from './examples/example-stats-tasks.js';

// Task documentation pages
export { renderTaskDocs, renderTaskDocsIndex, isTaskClass } from './docs/task-docs.js';
export type { TaskDocInfo, TaskDocsIndexEntry, DocumentableTaskClass } from './docs/task-docs.js';

// Quantum graphs
export { QuantumGraphError } from './graph/errors.js';
export type { QuantumGraphErrorKind } from './graph/errors.js';
export { QuantumGraph, QUANTUM_GRAPH_FORMAT, QUANTUM_GRAPH_FORMAT_VERSION } from './graph/quantum-graph.js';
export type { QuantumNode, QuantumGraphMetadata, QuantumGraphSummaryRow } from './graph/quantum-graph.js';
export { buildQuantumGraph } from './graph/graph-builder.js';
export type { BuildQuantumGraphOptions } from './graph/graph-builder.js';
