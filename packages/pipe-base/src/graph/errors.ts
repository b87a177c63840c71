import { SkyStackError } from '@skystack/base';
import type { SkyStackErrorOptions } from '@skystack/base';

/** The kinds of {@link QuantumGraphError}. */
export type QuantumGraphErrorKind =
  | 'output-exists'
  | 'output-dimensions'
  | 'missing-dataset-type'
  | 'missing-init-input'
  | 'calibration-conflict'
  | 'no-timespan'
  | 'format'
  | 'format-version'
  | 'universe';

/**
 * A QuantumGraph cannot be built, saved or loaded (codes `PIPE_QGRAPH_OUTPUT_EXISTS`,
 * `PIPE_QGRAPH_OUTPUT_DIMENSIONS`, `PIPE_QGRAPH_MISSING_DATASET_TYPE`,
 * `PIPE_QGRAPH_MISSING_INIT_INPUT`, `PIPE_QGRAPH_CALIBRATION_CONFLICT`, `PIPE_QGRAPH_NO_TIMESPAN`,
 * `PIPE_QGRAPH_FORMAT`, `PIPE_QGRAPH_FORMAT_VERSION`, `PIPE_QGRAPH_UNIVERSE`): outputs already in
 * the output RUN without `clobberOutputs`, an output with dimensions the quantum lacks, an
 * unregistered overall input, a calibration lookup with no time or with two matches, or a
 * graph file that is not one or was written by a newer format.
 *
 * A missing prerequisite input is reported with {@link PrerequisiteMissingError}, as pipe_base
 * does.
 *
 * @example
 * ```ts
 * try {
 *   await QuantumGraph.load('pipeline.qgraph', butler.universe);
 * } catch (e) {
 *   if (e instanceof QuantumGraphError && e.kind === 'format-version') console.error(e.message);
 * }
 * ```
 * @see lsst.pipe.base.graph_builder.OutputExistsError
 * @see lsst.pipe.base.graph_builder.GraphBuilderError
 */
export class QuantumGraphError extends SkyStackError {
  /** What kind of problem it is. */
  readonly kind: QuantumGraphErrorKind;

  /**
   * Creates the error.
   *
   * @param kind - the kind of problem
   * @param message - what failed (task label, data ID, dataset type, file), what was expected and given
   * @param options - `cause` and `hint`
   */
  constructor(kind: QuantumGraphErrorKind, message: string, options: SkyStackErrorOptions = {}) {
    super(`PIPE_QGRAPH_${kind.toUpperCase().replaceAll('-', '_')}`, message, options);
    this.kind = kind;
  }
}
