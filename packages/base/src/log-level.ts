import { InvalidLogLevelError } from './errors.js';

/**
 * The numeric log levels, lowest (most verbose) first.
 *
 * The values are those of Python `logging` as extended by `lsst.utils.logging`: `TRACE` (5)
 * below `DEBUG` (10), and `VERBOSE` (15) midway between `DEBUG` and `INFO` (20). A message is
 * emitted when its level is greater than or equal to the effective level of its logger, so
 * levels may also be any other number (as in Python), e.g. `LogLevel.INFO + 5`.
 *
 * @example
 * ```ts
 * const log = getLogger('skystack.butler');
 * if (log.isEnabledFor(LogLevel.DEBUG)) log.debug('expensive state dump');
 * ```
 * @see lsst.utils.logging (`TRACE`, `VERBOSE`) and Python `logging` (`DEBUG` ... `CRITICAL`)
 */
export const LogLevel = {
  /** Very fine-grained tracing, below `DEBUG` (5, `lsst.utils.logging.TRACE`). */
  TRACE: 5,
  /** Diagnostic detail for developers (10). */
  DEBUG: 10,
  /** More than `INFO` but less than `DEBUG`, for users who want detail (15). */
  VERBOSE: 15,
  /** Normal progress messages (20); what the command-line tools show by default. */
  INFO: 20,
  /** Something unexpected that the code worked around (30, Python's `WARNING`). */
  WARN: 30,
  /** An operation failed (40). */
  ERROR: 40,
  /** The program cannot go on (50, Python's `CRITICAL`). */
  FATAL: 50,
} as const;

/**
 * The name of one of the standard log levels: `'TRACE'`, `'DEBUG'`, `'VERBOSE'`, `'INFO'`,
 * `'WARN'`, `'ERROR'` or `'FATAL'`.
 */
export type LogLevelName = keyof typeof LogLevel;

/**
 * A log level given either as a number (any finite number, usually a {@link LogLevel} value)
 * or as a standard level name.
 */
export type LogLevelLike = number | LogLevelName;

/**
 * The standard level names, lowest level first. These are the names accepted by
 * {@link parseLevelName} and listed in {@link InvalidLogLevelError} messages.
 */
export const LOG_LEVEL_NAMES: readonly LogLevelName[] = Object.freeze([
  'TRACE',
  'DEBUG',
  'VERBOSE',
  'INFO',
  'WARN',
  'ERROR',
  'FATAL',
]);

/** Names accepted besides the standard ones, as Python `logging` and `butler` spell them. */
const ALIASES: Readonly<Record<string, LogLevelName>> = {
  WARNING: 'WARN',
  CRITICAL: 'FATAL',
};

/**
 * Standard names and aliases, as listed in error messages.
 *
 * @internal
 */
export const ALLOWED_LEVEL_TEXT: readonly string[] = Object.freeze([
  ...LOG_LEVEL_NAMES.slice(0, 4),
  'WARN (or WARNING)',
  'ERROR',
  'FATAL (or CRITICAL)',
]);

/** Level value to name, for the standard levels. */
const NAME_OF = new Map<number, LogLevelName>(
  LOG_LEVEL_NAMES.map((name) => [LogLevel[name], name]),
);

/**
 * Returns the name of a numeric level: the standard name for the standard values, or
 * `LEVEL<n>` (e.g. `LEVEL25`) for any other number.
 *
 * @param level - a numeric log level
 * @returns the level's name, as shown in formatted log lines
 * @example
 * ```ts
 * logLevelName(LogLevel.VERBOSE); // 'VERBOSE'
 * logLevelName(25); // 'LEVEL25'
 * ```
 * @see Python `logging.getLevelName`
 */
export function logLevelName(level: number): string {
  return NAME_OF.get(level) ?? `LEVEL${level}`;
}

/**
 * Parses a level name, case-insensitively, accepting Python's spellings `WARNING` and
 * `CRITICAL` as aliases of `WARN` and `FATAL`. Surrounding white space is ignored.
 *
 * @param name - the level name, e.g. `'debug'`, `'INFO'` or `'Warning'`
 * @returns the numeric level
 * @throws {@link InvalidLogLevelError} when `name` is not a level name; the message lists the
 *   allowed names
 * @example
 * ```ts
 * parseLevelName('verbose'); // 15
 * parseLevelName('CRITICAL'); // 50 (LogLevel.FATAL)
 * ```
 * @see lsst.daf.butler.cli.cliLog (which accepts the same names for `--log-level`)
 */
export function parseLevelName(name: string): number {
  const upper = name.trim().toUpperCase();
  const canonical = Object.hasOwn(LogLevel, upper)
    ? (upper as LogLevelName)
    : Object.hasOwn(ALIASES, upper)
      ? ALIASES[upper]
      : undefined;
  if (canonical === undefined) {
    throw new InvalidLogLevelError(name, `Unknown log level '${name}'.`, ALLOWED_LEVEL_TEXT);
  }
  return LogLevel[canonical];
}

/**
 * Converts a {@link LogLevelLike} to its numeric value.
 *
 * @param level - a number, or a level name (case-insensitive, aliases allowed)
 * @returns the numeric level
 * @throws {@link InvalidLogLevelError} when `level` is an unknown name or a number that is not
 *   finite
 * @example
 * ```ts
 * toLogLevel('INFO'); // 20
 * toLogLevel(12); // 12
 * ```
 */
export function toLogLevel(level: LogLevelLike): number {
  if (typeof level === 'number') {
    if (!Number.isFinite(level)) {
      throw new InvalidLogLevelError(
        String(level),
        `A numeric log level must be finite, got ${level}.`,
        ALLOWED_LEVEL_TEXT,
      );
    }
    return level;
  }
  return parseLevelName(level);
}
