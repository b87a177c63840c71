import { InvalidArgumentError } from './errors.js';
import { JsonFormatter, TextFormatter } from './log-formatter.js';
import type { LogFormatter } from './log-formatter.js';
import { LogLevel, logLevelName, toLogLevel } from './log-level.js';
import type { LogLevelLike } from './log-level.js';
import { StreamSink } from './log-sink.js';
import type { LogSink, LogStream } from './log-sink.js';
import type { LogFields, Logger, LogMessage, LogRecord } from './logger.js';

/**
 * The conventional top of SkyStack's logger hierarchy, as `lsst` is for the LSST stack: every
 * SkyStack logger is named `skystack.<package>...`. A bare `--log-level LEVEL` sets this logger
 * (see {@link applyLogLevels}).
 */
export const DEFAULT_LOGGER_NAME = 'skystack';

/**
 * Called when a sink throws while handling a record.
 *
 * @param error - what the sink threw
 * @param record - the record it was handling
 * @param sink - the sink that failed
 */
export type SinkErrorHandler = (error: unknown, record: LogRecord, sink: LogSink) => void;

/**
 * Options of the {@link LogManager} constructor. They are also what {@link LogManager.reset}
 * goes back to.
 */
export interface LogManagerOptions {
  /** Level of the root logger `''` (default `WARN`, as Python's root logger). */
  readonly rootLevel?: LogLevelLike;
  /**
   * Levels of other loggers, by dotted name, e.g. `{ skystack: 'INFO' }` (none by default).
   * A `''` entry overrides `rootLevel`.
   */
  readonly levels?: Readonly<Record<string, LogLevelLike>>;
  /**
   * Where records go (default: one {@link StreamSink} writing text to `process.stderr`).
   * Pass `[]` to discard everything.
   */
  readonly sinks?: readonly LogSink[];
  /** The clock stamped on records, in milliseconds since the Unix epoch (default `Date.now`). */
  readonly now?: () => number;
  /**
   * Called when a sink throws (default: write a one-line note to `process.stderr`). Logging
   * never throws into the code that logs because a sink failed.
   */
  readonly onSinkError?: SinkErrorHandler;
}

/**
 * The names of the built-in formats: `'text'` ({@link TextFormatter}) and `'json'`
 * ({@link JsonFormatter}, one JSON object per line).
 */
export type LogFormatName = 'text' | 'json';

/**
 * Changes applied by {@link LogManager.configure}. Everything is optional; what is not given
 * is left as it is.
 */
export interface LogConfiguration {
  /**
   * Levels to set, by dotted logger name (`''` is the root); `undefined` clears a logger's own
   * level so that it inherits again. Other loggers keep their levels.
   */
  readonly levels?: Readonly<Record<string, LogLevelLike | undefined>>;
  /** Replaces all sinks. Cannot be combined with `format` or `stream`. */
  readonly sinks?: readonly LogSink[];
  /**
   * Replaces all sinks by a single {@link StreamSink} with this format on `stream` (default
   * `process.stderr`).
   */
  readonly format?: LogFormatName | LogFormatter;
  /** The stream for `format` (default `process.stderr`); giving only a stream means text format. */
  readonly stream?: LogStream;
}

/** State shared between a manager and its loggers. */
interface ManagerState {
  /** Own levels by logger name; always has the root `''`. */
  readonly levels: Map<string, number>;
  /** Bumped on every level change so that loggers know to recompute their effective level. */
  generation: number;
  sinks: LogSink[];
  readonly now: () => number;
  readonly onSinkError: SinkErrorHandler;
}

/**
 * Owns a hierarchy of {@link Logger}s: their levels, the sinks their records go to, and the
 * clock. Tests make their own manager (with a {@link MemorySink}, say) and so never see or
 * disturb another test's logging; applications usually use the lazily created default one
 * through {@link getLogger}.
 *
 * Levels are set per dotted name; a logger without its own level uses its nearest ancestor's,
 * and the root logger `''` always has one. Each logger caches its effective level and only
 * recomputes it after a level change, so a disabled log call costs a comparison.
 *
 * @example
 * ```ts
 * const memory = new MemorySink();
 * const manager = new LogManager({ levels: { skystack: 'INFO' }, sinks: [memory] });
 * const log = manager.getLogger('skystack.butler.registry');
 * log.info('hello'); // emitted: INFO >= INFO (inherited from 'skystack')
 * log.debug('hidden'); // not emitted
 * manager.setLevel('skystack.butler', 'DEBUG');
 * log.debug('now shown');
 * manager.reset(); // back to the constructor's levels and sinks
 * ```
 * @see Python `logging.Manager` and `logging.getLogger`
 * @see lsst.utils.logging.getLogger
 * @see lsst.daf.butler.cli.cliLog.CliLog (levels, sinks and `resetLog` for the command line)
 */
export class LogManager {
  readonly #state: ManagerState;
  readonly #loggers = new Map<string, Logger>();
  readonly #initialLevels: ReadonlyMap<string, number>;
  readonly #initialSinks: readonly LogSink[];

  /**
   * Creates a manager; what `options` sets is also what {@link LogManager.reset} restores.
   *
   * @param options - initial levels, sinks, clock and sink error handler
   * @throws {@link InvalidLogLevelError} when a level is not a level name or finite number
   * @throws {@link InvalidArgumentError} when a logger name has empty components
   */
  constructor(options: LogManagerOptions = {}) {
    const levels = new Map<string, number>();
    levels.set('', toLogLevel(options.rootLevel ?? LogLevel.WARN));
    for (const [name, level] of Object.entries(options.levels ?? {})) {
      checkLoggerName(name);
      levels.set(name, toLogLevel(level));
    }
    this.#initialLevels = new Map(levels);
    this.#initialSinks = Object.freeze([
      ...(options.sinks ?? [new StreamSink(process.stderr)]),
    ]);
    this.#state = {
      levels,
      generation: 0,
      sinks: [...this.#initialSinks],
      now: options.now ?? Date.now,
      onSinkError: options.onSinkError ?? reportSinkError,
    };
  }

  /**
   * The root logger, named `''`.
   *
   * @returns the same object as `getLogger('')`
   */
  get root(): Logger {
    return this.getLogger('');
  }

  /**
   * The sinks records currently go to, in order (a copy).
   *
   * @returns a frozen copy of the sink list
   */
  get sinks(): readonly LogSink[] {
    return Object.freeze([...this.#state.sinks]);
  }

  /**
   * Returns the logger with the given dotted name, creating it on first use; the same name
   * always gives the same object.
   *
   * @param name - a dotted name such as `'skystack.butler'`; `''` (the default) is the root
   * @returns the logger
   * @throws {@link InvalidArgumentError} when `name` has empty components (`'a..b'`, `'.a'`)
   * @example
   * ```ts
   * const log = new LogManager().getLogger('skystack.pipe.base');
   * ```
   */
  getLogger(name = ''): Logger {
    let logger = this.#loggers.get(name);
    if (logger === undefined) {
      checkLoggerName(name);
      logger = new ManagedLogger(this, this.#state, name);
      this.#loggers.set(name, logger);
    }
    return logger;
  }

  /**
   * Sets the level of one logger; descendants without their own level follow it. Passing
   * `undefined` clears the logger's own level so that it inherits again; for the root logger it
   * restores the level given to the constructor.
   *
   * @param name - the dotted logger name; `''` is the root
   * @param level - a level name or number, or `undefined` to clear
   * @throws {@link InvalidLogLevelError} when `level` is an unknown name or not finite
   * @throws {@link InvalidArgumentError} when `name` has empty components
   */
  setLevel(name: string, level: LogLevelLike | undefined): void {
    checkLoggerName(name);
    const { levels } = this.#state;
    if (level !== undefined) {
      levels.set(name, toLogLevel(level));
    } else if (name === '') {
      levels.set('', this.#initialLevels.get('') ?? LogLevel.WARN);
    } else {
      levels.delete(name);
    }
    this.#state.generation++;
  }

  /**
   * Returns the level set on a logger itself.
   *
   * @param name - the dotted logger name; `''` is the root
   * @returns its own level, or `undefined` when it inherits
   */
  getLevel(name: string): number | undefined {
    return this.#state.levels.get(name);
  }

  /**
   * Returns the level that decides what a logger emits: its own, or its nearest ancestor's.
   *
   * @param name - the dotted logger name; `''` is the root
   * @returns the effective numeric level
   */
  getEffectiveLevel(name: string): number {
    return effectiveLevel(this.#state.levels, name);
  }

  /**
   * Returns all levels set explicitly, by logger name (a copy), e.g. to show them to users.
   *
   * @returns a new map from logger name to numeric level; always contains the root `''`
   */
  getLevels(): Map<string, number> {
    return new Map(this.#state.levels);
  }

  /**
   * Adds a sink after the existing ones.
   *
   * @param sink - the sink to add
   */
  addSink(sink: LogSink): void {
    this.#state.sinks.push(sink);
  }

  /**
   * Removes a sink (its first occurrence).
   *
   * @param sink - the sink to remove
   * @returns `true` if it was there
   */
  removeSink(sink: LogSink): boolean {
    const i = this.#state.sinks.indexOf(sink);
    if (i < 0) return false;
    this.#state.sinks.splice(i, 1);
    return true;
  }

  /**
   * Changes levels and output in one call: sets the given `levels`, and replaces the sinks by
   * `sinks`, or by one {@link StreamSink} with the given `format` on `stream`.
   *
   * @param config - what to change; what is not given stays as it is
   * @throws {@link InvalidArgumentError} when `sinks` is combined with `format` or `stream`
   * @throws {@link InvalidLogLevelError} when a level is not a level name or finite number
   * @example
   * ```ts
   * const manager = new LogManager();
   * manager.configure({ levels: { skystack: 'VERBOSE', 'skystack.butler': 'DEBUG' }, format: 'json' });
   * ```
   */
  configure(config: LogConfiguration): void {
    const streamed = config.format !== undefined || config.stream !== undefined;
    if (config.sinks !== undefined && streamed) {
      throw new InvalidArgumentError(
        'LogManager.configure() accepts either sinks or format/stream, not both.',
        { hint: 'Build a StreamSink with the formatter you want and pass it in sinks.' },
      );
    }
    // Validate every level before changing anything.
    const levels = Object.entries(config.levels ?? {}).map(([name, level]) => {
      checkLoggerName(name);
      return [name, level === undefined ? undefined : toLogLevel(level)] as const;
    });
    for (const [name, level] of levels) this.setLevel(name, level);
    if (config.sinks !== undefined) {
      this.#state.sinks = [...config.sinks];
    } else if (streamed) {
      const formatter = resolveFormatter(config.format ?? 'text');
      this.#state.sinks = [new StreamSink(config.stream ?? process.stderr, { formatter })];
    }
  }

  /**
   * Goes back to the levels and sinks given to the constructor: levels set since are cleared
   * and sinks added since are dropped. Loggers already handed out stay valid and follow the
   * restored levels.
   */
  reset(): void {
    const { levels } = this.#state;
    levels.clear();
    for (const [name, level] of this.#initialLevels) levels.set(name, level);
    this.#state.sinks = [...this.#initialSinks];
    this.#state.generation++;
  }
}

/** The manager's logger; not exported, so that only a manager can create loggers. */
class ManagedLogger implements Logger {
  readonly name: string;
  readonly manager: LogManager;
  readonly #state: ManagerState;
  /** The manager generation the cached effective level was computed at (-1: never). */
  #generation = -1;
  #effective = 0;

  constructor(manager: LogManager, state: ManagerState, name: string) {
    this.manager = manager;
    this.#state = state;
    this.name = name;
  }

  getChild(suffix: string): Logger {
    if (suffix === '') {
      throw new InvalidArgumentError(`Logger.getChild() needs a non-empty suffix; got ''.`);
    }
    return this.manager.getLogger(this.name === '' ? suffix : `${this.name}.${suffix}`);
  }

  setLevel(level: LogLevelLike | undefined): void {
    this.manager.setLevel(this.name, level);
  }

  getLevel(): number | undefined {
    return this.#state.levels.get(this.name);
  }

  getEffectiveLevel(): number {
    if (this.#generation !== this.#state.generation) {
      this.#effective = effectiveLevel(this.#state.levels, this.name);
      this.#generation = this.#state.generation;
    }
    return this.#effective;
  }

  isEnabledFor(level: number): boolean {
    return level >= this.getEffectiveLevel();
  }

  log(level: number, message: LogMessage, fields?: LogFields): void {
    if (level < this.getEffectiveLevel()) return;
    this.#emit(level, message, fields);
  }

  trace(message: LogMessage, fields?: LogFields): void {
    if (LogLevel.TRACE < this.getEffectiveLevel()) return;
    this.#emit(LogLevel.TRACE, message, fields);
  }

  debug(message: LogMessage, fields?: LogFields): void {
    if (LogLevel.DEBUG < this.getEffectiveLevel()) return;
    this.#emit(LogLevel.DEBUG, message, fields);
  }

  verbose(message: LogMessage, fields?: LogFields): void {
    if (LogLevel.VERBOSE < this.getEffectiveLevel()) return;
    this.#emit(LogLevel.VERBOSE, message, fields);
  }

  info(message: LogMessage, fields?: LogFields): void {
    if (LogLevel.INFO < this.getEffectiveLevel()) return;
    this.#emit(LogLevel.INFO, message, fields);
  }

  warn(message: LogMessage, fields?: LogFields): void {
    if (LogLevel.WARN < this.getEffectiveLevel()) return;
    this.#emit(LogLevel.WARN, message, fields);
  }

  error(message: LogMessage, fields?: LogFields): void {
    if (LogLevel.ERROR < this.getEffectiveLevel()) return;
    this.#emit(LogLevel.ERROR, message, fields);
  }

  fatal(message: LogMessage, fields?: LogFields): void {
    if (LogLevel.FATAL < this.getEffectiveLevel()) return;
    this.#emit(LogLevel.FATAL, message, fields);
  }

  /** Builds the record (calling a lazy message now) and hands it to every willing sink. */
  #emit(level: number, message: LogMessage, fields: LogFields | undefined): void {
    const state = this.#state;
    const record: LogRecord = {
      time: state.now(),
      level,
      levelName: logLevelName(level),
      name: this.name,
      message: typeof message === 'function' ? message() : message,
      fields,
    };
    for (const sink of state.sinks) {
      if (sink.level !== undefined && level < sink.level) continue;
      try {
        sink.emit(record);
      } catch (error) {
        state.onSinkError(error, record, sink);
      }
    }
  }
}

/** The own level of `name` or of its nearest ancestor; the root always has one. */
function effectiveLevel(levels: ReadonlyMap<string, number>, name: string): number {
  let current = name;
  for (;;) {
    const level = levels.get(current);
    if (level !== undefined) return level;
    if (current === '') return LogLevel.WARN; // unreachable: the root always has a level
    const dot = current.lastIndexOf('.');
    current = dot < 0 ? '' : current.slice(0, dot);
  }
}

/** Throws unless `name` is `''` or dot-separated non-empty components. */
function checkLoggerName(name: string): void {
  if (name === '') return;
  if (name.split('.').some((part) => part === '')) {
    throw new InvalidArgumentError(
      `Invalid logger name '${name}': expected dot-separated non-empty components, ` +
        `e.g. 'skystack.butler', or '' for the root logger.`,
    );
  }
}

/** The formatter for a format name, or the formatter itself. */
function resolveFormatter(format: LogFormatName | LogFormatter): LogFormatter {
  if (format === 'text') return new TextFormatter();
  if (format === 'json') return new JsonFormatter();
  return format;
}

/** Default {@link SinkErrorHandler}: one line on stderr, never throws. */
function reportSinkError(error: unknown, record: LogRecord): void {
  try {
    const what = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      `skystack.base: a log sink failed on a ${record.levelName} message from ` +
        `'${record.name}': ${what}\n`,
    );
  } catch {
    // Nowhere left to report to.
  }
}

let defaultManager: LogManager | undefined;

/**
 * Returns the process-wide default {@link LogManager}, created on first use with the default
 * options (root at `WARN`, text to `process.stderr`). Command-line tools configure it once at
 * start-up; library code should prefer a logger or manager passed in by its caller, and tests
 * their own `LogManager`.
 *
 * @returns the default manager (always the same object)
 * @example
 * ```ts
 * getDefaultLogManager().configure({ levels: { skystack: 'INFO' } });
 * ```
 * @see lsst.daf.butler.cli.cliLog.CliLog.initLog
 */
export function getDefaultLogManager(): LogManager {
  defaultManager ??= new LogManager();
  return defaultManager;
}

/**
 * Returns a logger of the default {@link LogManager} (see {@link getDefaultLogManager}).
 *
 * @param name - a dotted name such as `'skystack.butler'`; `''` (the default) is the root
 * @returns the logger (the same object for the same name)
 * @throws {@link InvalidArgumentError} when `name` has empty components
 * @example
 * ```ts
 * const log = getLogger('skystack.ctrl.mpexec');
 * log.info('Executing quantum', { task: 'isr', visit: 903334, detector: 22 });
 * log.debug(() => `Inputs: ${['raw', 'bias', 'flat'].join(', ')}`);
 * ```
 * @see lsst.utils.logging.getLogger
 */
export function getLogger(name = ''): Logger {
  return getDefaultLogManager().getLogger(name);
}
