/**
 * Options accepted by every SkyStack error constructor.
 */
export interface SkyStackErrorOptions {
  /** The lower-level error that caused this one, kept for diagnosis. */
  readonly cause?: unknown;
  /** A suggestion for fixing the problem, appended to the message. */
  readonly hint?: string | undefined;
}

/**
 * Base class of every error SkyStack throws on purpose.
 *
 * Each subclass has a stable machine-readable {@link SkyStackError.code} (for example
 * `GEOM_INVALID_BOX`) that does not change when the wording of the message does, so callers
 * and tests can branch on it. Messages say what failed, what was expected and what was
 * given; a {@link SkyStackErrorOptions.hint | hint}, when given, says how to fix it. Causes
 * are kept with the standard `{ cause }` option.
 *
 * @example
 * ```ts
 * class TooCloudyError extends SkyStackError {
 *   constructor(fraction: number) {
 *     super('OBS_TOO_CLOUDY', `Cloud fraction ${fraction} exceeds 0.5.`, { hint: 'Try another night.' });
 *   }
 * }
 * try {
 *   throw new TooCloudyError(0.8);
 * } catch (e) {
 *   if (e instanceof SkyStackError && e.code === 'OBS_TOO_CLOUDY') console.log(e.hint);
 * }
 * ```
 * @see lsst.pex.exceptions (the C++/Python exception hierarchy this replaces)
 */
export class SkyStackError extends Error {
  /** Stable identifier of the kind of failure, in SCREAMING_SNAKE_CASE, prefixed by package. */
  readonly code: string;
  /** How to fix the problem, when there is something useful to say. */
  readonly hint: string | undefined;

  /**
   * Creates an error with a stable code.
   *
   * @param code - stable identifier of the failure kind (e.g. `BUTLER_DATASET_NOT_FOUND`)
   * @param message - what failed, what was expected and what was given
   * @param options - `cause` and `hint`
   */
  constructor(code: string, message: string, options: SkyStackErrorOptions = {}) {
    const full = options.hint === undefined ? message : `${message} ${options.hint}`;
    super(full, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
  }
}

/**
 * Thrown by {@link assert} when an internal invariant does not hold: a bug, not bad input.
 */
export class AssertionError extends SkyStackError {
  /**
   * Creates the error for a failed invariant.
   *
   * @param message - the invariant that failed
   */
  constructor(message: string) {
    super('BASE_ASSERTION_FAILED', message);
  }
}

/**
 * Thrown when an argument is outside the values a function accepts.
 */
export class InvalidArgumentError extends SkyStackError {
  /**
   * Creates the error for a bad argument.
   *
   * @param message - what was wrong with the argument, what was expected and what was given
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('BASE_INVALID_ARGUMENT', message, options);
  }
}

/**
 * Thrown when a log level, or a `--log-level` option value, cannot be parsed.
 *
 * The message quotes the value that was given, says what was wrong with it and lists the
 * allowed level names, for example: `Invalid --log-level value 'skystack.butler=LOUD': unknown
 * level 'LOUD'. Expected LEVEL or COMPONENT=LEVEL. Allowed levels are TRACE, DEBUG, VERBOSE,
 * INFO, WARN, ERROR, FATAL (case-insensitive).`
 *
 * @example
 * ```ts
 * try {
 *   parseLogLevel('skystack=LOUD');
 * } catch (e) {
 *   if (e instanceof InvalidLogLevelError) console.error(e.code, e.allowed.join('|'));
 * }
 * ```
 * @see lsst.daf.butler.cli.cliLog (the `--log-level` option of `butler` and `pipetask`)
 */
export class InvalidLogLevelError extends SkyStackError {
  /** The level text or option value that could not be parsed, as given. */
  readonly value: string;
  /** The level names that would have been accepted (case-insensitive). */
  readonly allowed: readonly string[];

  /**
   * Creates the error; the message is `problem` followed by the list of allowed levels.
   *
   * @param value - the level text or `--log-level` value that was given
   * @param problem - what was wrong with it, as one or more sentences ending with a full stop,
   *   e.g. `Unknown log level 'LOUD'.`
   * @param allowed - the level names that are accepted, listed in the message
   * @param options - `cause` and `hint`
   */
  constructor(
    value: string,
    problem: string,
    allowed: readonly string[],
    options: SkyStackErrorOptions = {},
  ) {
    super(
      'BASE_INVALID_LOG_LEVEL',
      `${problem} Allowed levels are ${allowed.join(', ')} (case-insensitive).`,
      options,
    );
    this.value = value;
    this.allowed = allowed;
  }
}
