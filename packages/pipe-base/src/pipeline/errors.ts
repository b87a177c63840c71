import { SkyStackError } from '@skystack/base';
import type { SkyStackErrorOptions } from '@skystack/base';

/**
 * Where in a pipeline definition a problem was found.
 */
export interface PipelineErrorLocation {
  /** The pipeline file (after `$VAR` expansion), when the definition came from a file. */
  readonly file?: string | undefined;
  /** The key path inside the document, e.g. `tasks.isr.config[0]` or `imports[2].location`. */
  readonly keyPath?: string | undefined;
}

/** Options of every pipeline error: where it happened, plus `cause` and `hint`. */
export interface PipelineErrorOptions extends SkyStackErrorOptions, PipelineErrorLocation {}

function locate(message: string, options: PipelineErrorOptions): string {
  const where = [options.file, options.keyPath].filter((x): x is string => x !== undefined && x !== '');
  return where.length === 0 ? message : `${where.join(': ')}: ${message}`;
}

/**
 * Base class of the errors raised while reading, merging or subsetting a pipeline definition.
 * The message is prefixed with the file and the key path when they are known; both are also
 * kept as fields.
 *
 * @example
 * ```ts
 * try {
 *   await Pipeline.fromString('tasks: {a: x.A}');
 * } catch (e) {
 *   if (e instanceof PipelineError) console.log(e.code, e.keyPath);
 * }
 * ```
 * @see lsst.pipe.base.pipelineIR (which raises plain `ValueError`s)
 */
export class PipelineError extends SkyStackError {
  /** The pipeline file the problem was found in, if any. */
  readonly file: string | undefined;
  /** The key path inside the document, if any. */
  readonly keyPath: string | undefined;

  /**
   * Creates a pipeline error.
   *
   * @param code - stable `PIPE_*` code
   * @param message - what failed, what was expected and what was given
   * @param options - location, `cause` and `hint`
   */
  constructor(code: string, message: string, options: PipelineErrorOptions = {}) {
    super(code, locate(message, options), options);
    this.file = options.file;
    this.keyPath = options.keyPath;
  }
}

/**
 * A pipeline document is malformed: a required key is missing, a value has the wrong type,
 * a subset names a label that does not exist, a step is not a subset, ... (code
 * `PIPE_DEFINITION_INVALID`).
 *
 * @see lsst.pipe.base.pipelineIR.PipelineIR (the `ValueError`s of its constructor)
 */
export class PipelineDefinitionError extends PipelineError {
  /**
   * Creates a pipeline definition error.
   *
   * @param message - what is wrong with the definition
   * @param options - location, `cause` and `hint`
   */
  constructor(message: string, options: PipelineErrorOptions = {}) {
    super('PIPE_DEFINITION_INVALID', message, options);
  }
}

/**
 * A key that the pipeline format does not know (code `PIPE_UNKNOWN_KEY`), at the top level,
 * in an import, a task, a step or a contract. Also raised for a key that appears twice in the
 * same mapping (code `PIPE_DUPLICATE_KEY`, as LSST's `PipelineYamlLoader`).
 *
 * @see lsst.pipe.base.pipelineIR.PipelineYamlLoader
 */
export class PipelineKeyError extends PipelineError {
  /**
   * Creates an unknown- or duplicate-key error.
   *
   * @param code - `PIPE_UNKNOWN_KEY` or `PIPE_DUPLICATE_KEY`
   * @param message - which key, where, and what is accepted
   * @param options - location, `cause` and `hint`
   */
  constructor(code: 'PIPE_UNKNOWN_KEY' | 'PIPE_DUPLICATE_KEY', message: string, options: PipelineErrorOptions = {}) {
    super(code, message, options);
  }
}

/**
 * Two parts of a pipeline (the file and its imports) disagree: the same task label imported
 * twice, two instruments, a subset name used twice or equal to a task label, conflicting step
 * definitions (code `PIPE_CONFLICT`).
 *
 * @see lsst.pipe.base.pipelineIR.PipelineIR.merge_pipelines
 */
export class PipelineConflictError extends PipelineError {
  /**
   * Creates a pipeline conflict error.
   *
   * @param message - what conflicts with what
   * @param options - location, `cause` and `hint`
   */
  constructor(message: string, options: PipelineErrorOptions = {}) {
    super('PIPE_CONFLICT', message, options);
  }
}

/**
 * A pipeline file could not be read: missing file (often an unset `$X_DIR` variable), an
 * import cycle, or a YAML syntax error (code `PIPE_IMPORT_FAILED`, `PIPE_IMPORT_CYCLE` or
 * `PIPE_YAML_INVALID`).
 *
 * @see lsst.pipe.base.pipelineIR.ImportIR.toPipelineIR
 */
export class PipelineImportError extends PipelineError {
  /**
   * Creates a pipeline import error.
   *
   * @param code - `PIPE_IMPORT_FAILED`, `PIPE_IMPORT_CYCLE` or `PIPE_YAML_INVALID`
   * @param message - which file, and why it could not be used
   * @param options - location, `cause` and `hint`
   */
  constructor(
    code: 'PIPE_IMPORT_FAILED' | 'PIPE_IMPORT_CYCLE' | 'PIPE_YAML_INVALID',
    message: string,
    options: PipelineErrorOptions = {},
  ) {
    super(code, message, options);
  }
}

/**
 * A label selection (`file.yaml#a,b`, `Pipeline.subset([...])`) names something that is
 * neither a task label nor a subset, or uses an unsupported specifier form (code
 * `PIPE_UNKNOWN_LABEL` or `PIPE_BAD_LABEL_SPECIFIER`).
 *
 * @see lsst.pipe.base.Pipeline.subsetFromLabels
 */
export class PipelineLabelError extends PipelineError {
  /**
   * Creates a label selection error.
   *
   * @param code - `PIPE_UNKNOWN_LABEL` or `PIPE_BAD_LABEL_SPECIFIER`
   * @param message - the labels, and what exists
   * @param options - location, `cause` and `hint`
   */
  constructor(code: 'PIPE_UNKNOWN_LABEL' | 'PIPE_BAD_LABEL_SPECIFIER', message: string, options: PipelineErrorOptions = {}) {
    super(code, message, options);
  }
}

/**
 * A feature that needs a part of SkyStack not written yet, e.g. `#begin..end` label ranges,
 * which need the task connections to order the graph (code `PIPE_NOT_IMPLEMENTED`).
 */
export class PipelineNotImplementedError extends PipelineError {
  /**
   * Creates a not-implemented error.
   *
   * @param message - what is not available yet, and why
   * @param options - location, `cause` and `hint`
   */
  constructor(message: string, options: PipelineErrorOptions = {}) {
    super('PIPE_NOT_IMPLEMENTED', message, options);
  }
}

/**
 * A contract string uses syntax the safe evaluator does not accept, or is not a valid
 * expression (code `PIPE_CONTRACT_SYNTAX`). The message quotes the contract and points at the
 * offending position.
 */
export class ContractSyntaxError extends PipelineError {
  /** The contract text. */
  readonly contract: string;
  /** 0-based character offset of the problem in {@link ContractSyntaxError.contract}. */
  readonly position: number;

  /**
   * Creates a contract syntax error; the message quotes the contract and marks the position.
   *
   * @param message - what is wrong
   * @param contract - the contract text
   * @param position - 0-based offset of the problem
   * @param options - location, `cause` and `hint`
   */
  constructor(message: string, contract: string, position: number, options: PipelineErrorOptions = {}) {
    super('PIPE_CONTRACT_SYNTAX', `${message} at position ${position} in contract:\n  ${oneLine(contract)}\n  ${' '.repeat(position)}^`, options);
    this.contract = contract;
    this.position = position;
  }
}

/**
 * Evaluating a contract failed (unknown name, missing attribute, unsupported operand types),
 * as a Python `NameError`/`AttributeError`/`TypeError` would (code `PIPE_CONTRACT_EVALUATION`).
 */
export class ContractEvaluationError extends PipelineError {
  /** The contract text. */
  readonly contract: string;
  /** 0-based character offset of the sub-expression that failed. */
  readonly position: number;

  /**
   * Creates a contract evaluation error.
   *
   * @param message - what failed
   * @param contract - the contract text
   * @param position - 0-based offset of the failing sub-expression
   * @param options - location, `cause` and `hint`
   */
  constructor(message: string, contract: string, position: number, options: PipelineErrorOptions = {}) {
    super('PIPE_CONTRACT_EVALUATION', `${message} at position ${position} in contract: ${oneLine(contract)}`, options);
    this.contract = contract;
    this.position = position;
  }
}

/**
 * A contract evaluated to a false value (code `PIPE_CONTRACT_FAILED`); the message is the
 * contract's `msg` when it has one.
 *
 * @see lsst.pipe.base.pipelineIR.ContractError
 */
export class ContractError extends PipelineError {
  /** The contract text. */
  readonly contract: string;

  /**
   * Creates a failed-contract error.
   *
   * @param contract - the contract text
   * @param msg - the contract's own message, if any
   * @param options - location, `cause` and `hint`
   */
  constructor(contract: string, msg: string | undefined, options: PipelineErrorOptions = {}) {
    super('PIPE_CONTRACT_FAILED', msg === undefined ? `Contract '${oneLine(contract)}' failed.` : `Contract '${oneLine(contract)}' failed: ${msg}`, options);
    this.contract = contract;
  }
}

function oneLine(text: string): string {
  return text.replace(/\n/g, ' ');
}
