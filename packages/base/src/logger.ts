import type { LogLevelLike } from './log-level.js';
import type { LogManager } from './log-manager.js';

/**
 * Structured key/value data attached to a log message, e.g. `{ visit: 903334, detector: 22 }`.
 * Text output shows them as `key=value` after the message; JSON output nests them under
 * `fields`.
 */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * A log message: either the text itself, or a function that builds it. The function is only
 * called when the message will be emitted, so formatting costs nothing when the level is
 * disabled.
 */
export type LogMessage = string | (() => string);

/**
 * One emitted log message, as handed to every {@link LogSink}.
 *
 * @see Python `logging.LogRecord`
 */
export interface LogRecord {
  /** When the message was logged, in milliseconds since the Unix epoch (UTC). */
  readonly time: number;
  /** The numeric level of the message (see {@link LogLevel}). */
  readonly level: number;
  /** The name of the level, e.g. `'INFO'` (see {@link logLevelName}). */
  readonly levelName: string;
  /** The dotted name of the logger that emitted the message; `''` for the root logger. */
  readonly name: string;
  /** The message text, already built. */
  readonly message: string;
  /** The structured fields given with the message, or `undefined` when there were none. */
  readonly fields: LogFields | undefined;
}

/**
 * A named logger in a hierarchy of dotted names (`skystack.butler.registry` is a child of
 * `skystack.butler`, which is a child of `skystack`, which is a child of the root logger `''`).
 *
 * A logger without a level of its own uses the level of its nearest ancestor that has one.
 * Every method checks the level first, so a disabled call costs one comparison; pass the
 * message as a function to also skip building the text.
 *
 * Loggers are created and owned by a {@link LogManager}; get them with
 * {@link LogManager.getLogger} (or {@link getLogger} for the default manager).
 *
 * @example
 * ```ts
 * const log = getLogger('skystack.butler.registry');
 * log.info('Opened registry', { path: '/repo/gen3.sqlite3' });
 * log.debug(() => `Dimension universe: ${JSON.stringify({ version: 7 })}`);
 * const child = log.getChild('queries'); // 'skystack.butler.registry.queries'
 * child.verbose('Compiled query', { rows: 42 });
 * ```
 * @see lsst.utils.logging.LsstLogAdapter (`getLogger`, `trace`, `verbose`, `getChild`)
 * @see lsst.log (the C++ logger with the same level names)
 */
export interface Logger {
  /** The dotted name of this logger; `''` for the root logger. */
  readonly name: string;
  /** The manager that owns this logger, its levels and its sinks. */
  readonly manager: LogManager;

  /**
   * Returns the logger named `<this name>.<suffix>` (or `suffix` for the root logger).
   *
   * @param suffix - one or more dotted name components, e.g. `'registry'` or `'a.b'`
   * @returns the child logger, from the same manager
   * @throws {@link InvalidArgumentError} when `suffix` is empty or has empty components
   */
  getChild(suffix: string): Logger;

  /**
   * Sets (or with `undefined`, clears) the level of this logger; descendants without a level
   * of their own follow it. Same as `manager.setLevel(name, level)`.
   *
   * @param level - the new level, or `undefined` to inherit from the nearest ancestor again
   * @throws {@link InvalidLogLevelError} when `level` is an unknown name or not finite
   */
  setLevel(level: LogLevelLike | undefined): void;

  /**
   * Returns the level set on this logger itself, or `undefined` when it inherits one.
   *
   * @returns the logger's own numeric level, if any
   */
  getLevel(): number | undefined;

  /**
   * Returns the level that decides what this logger emits: its own level, or that of its
   * nearest ancestor with one (the root logger always has one).
   *
   * @returns the effective numeric level
   */
  getEffectiveLevel(): number;

  /**
   * Tells whether a message at `level` would be emitted, i.e. whether `level` is at least the
   * effective level. Use it to guard expensive work that is not just building the message.
   *
   * @param level - the numeric level of the prospective message (see {@link LogLevel})
   * @returns `true` when such a message would be emitted
   */
  isEnabledFor(level: number): boolean;

  /**
   * Logs a message at any numeric level.
   *
   * @param level - the numeric level of the message
   * @param message - the text, or a function that builds it (only called when emitted)
   * @param fields - structured data to attach to the message
   */
  log(level: number, message: LogMessage, fields?: LogFields): void;

  /**
   * Logs at `TRACE` (5).
   *
   * @param message - the text, or a function that builds it (only called when emitted)
   * @param fields - structured data to attach to the message
   */
  trace(message: LogMessage, fields?: LogFields): void;

  /**
   * Logs at `DEBUG` (10).
   *
   * @param message - the text, or a function that builds it (only called when emitted)
   * @param fields - structured data to attach to the message
   */
  debug(message: LogMessage, fields?: LogFields): void;

  /**
   * Logs at `VERBOSE` (15).
   *
   * @param message - the text, or a function that builds it (only called when emitted)
   * @param fields - structured data to attach to the message
   */
  verbose(message: LogMessage, fields?: LogFields): void;

  /**
   * Logs at `INFO` (20).
   *
   * @param message - the text, or a function that builds it (only called when emitted)
   * @param fields - structured data to attach to the message
   */
  info(message: LogMessage, fields?: LogFields): void;

  /**
   * Logs at `WARN` (30).
   *
   * @param message - the text, or a function that builds it (only called when emitted)
   * @param fields - structured data to attach to the message
   */
  warn(message: LogMessage, fields?: LogFields): void;

  /**
   * Logs at `ERROR` (40).
   *
   * @param message - the text, or a function that builds it (only called when emitted)
   * @param fields - structured data to attach to the message
   */
  error(message: LogMessage, fields?: LogFields): void;

  /**
   * Logs at `FATAL` (50). This only logs; it does not stop the program.
   *
   * @param message - the text, or a function that builds it (only called when emitted)
   * @param fields - structured data to attach to the message
   */
  fatal(message: LogMessage, fields?: LogFields): void;
}
