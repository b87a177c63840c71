import { SkyStackError } from '@skystack/base';
import type { SkyStackErrorOptions } from '@skystack/base';

/**
 * A connections declaration or a connection is invalid (code `PIPE_CONNECTIONS_DEFINITION`):
 * dimensions given as a string, `minimum > 1` without `multiple`, a template with no default,
 * a template named like a connection, a reserved connection name, a removed connection read,
 * a change after construction, or dimensions that break pipe_base's subset rules.
 *
 * @see lsst.pipe.base.connections.PipelineTaskConnectionsMetaclass (its `TypeError`s)
 */
export class ConnectionsDefinitionError extends SkyStackError {
  /**
   * Creates the error.
   *
   * @param message - what is wrong, what was expected and what was given
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('PIPE_CONNECTIONS_DEFINITION', message, options);
  }
}

/** The kinds of {@link PipelineGraphError}. */
export type PipelineGraphErrorKind = 'cycle' | 'duplicate-producer' | 'inconsistent-dataset-type' | 'duplicate-label' | 'prerequisite-produced';

/**
 * A set of tasks cannot form a pipeline graph (codes `PIPE_GRAPH_CYCLE`,
 * `PIPE_GRAPH_DUPLICATE_PRODUCER`, `PIPE_GRAPH_INCONSISTENT_DATASET_TYPE`,
 * `PIPE_GRAPH_DUPLICATE_LABEL`, `PIPE_GRAPH_PREREQUISITE_PRODUCED`).
 *
 * @see lsst.pipe.base.pipeline_graph.DuplicateOutputError
 * @see lsst.pipe.base.pipeline_graph.IncompatibleDatasetTypeError
 * @see lsst.pipe.base.pipeline_graph.ConnectionTypeConsistencyError
 */
export class PipelineGraphError extends SkyStackError {
  /** What kind of problem it is. */
  readonly kind: PipelineGraphErrorKind;

  /**
   * Creates the error.
   *
   * @param kind - the kind of problem
   * @param message - the dataset type, both definitions and the task labels involved
   * @param options - `cause` and `hint`
   */
  constructor(kind: PipelineGraphErrorKind, message: string, options: SkyStackErrorOptions = {}) {
    super(`PIPE_GRAPH_${kind.toUpperCase().replaceAll('-', '_')}`, message, options);
    this.kind = kind;
  }
}
