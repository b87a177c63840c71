// Errors and assertions
export {
  SkyStackError,
  AssertionError,
  InvalidArgumentError,
  InvalidLogLevelError,
} from './errors.js';
export type { SkyStackErrorOptions } from './errors.js';
export { assert } from './assert.js';

// Logging: levels
export { LogLevel, LOG_LEVEL_NAMES, logLevelName, parseLevelName, toLogLevel } from './log-level.js';
export type { LogLevelName, LogLevelLike } from './log-level.js';

// Logging: loggers and their manager
export type { Logger, LogRecord, LogFields, LogMessage } from './logger.js';
export {
  LogManager,
  DEFAULT_LOGGER_NAME,
  getDefaultLogManager,
  getLogger,
} from './log-manager.js';
export type {
  LogManagerOptions,
  LogConfiguration,
  LogFormatName,
  SinkErrorHandler,
} from './log-manager.js';

// Logging: output
export { StreamSink, MemorySink } from './log-sink.js';
export type { LogSink, LogStream, StreamSinkOptions } from './log-sink.js';
export { TextFormatter, JsonFormatter } from './log-formatter.js';
export type { LogFormatter, TextFormatterOptions } from './log-formatter.js';

// Logging: the --log-level command-line option
export { parseLogLevel, parseLogLevels, applyLogLevels } from './parse-log-level.js';
export type { LogLevelSpec, ApplyLogLevelsOptions } from './parse-log-level.js';

// Progress reporting
export { QuietProgress } from './progress-reporter.js';
export type { ProgressReporter, ProgressTask } from './progress-reporter.js';
export { TtyProgress, makeProgress } from './tty-progress.js';
export type { ProgressStream, TtyProgressOptions, MakeProgressOptions } from './tty-progress.js';

// Time
export { LEAP_SECONDS } from './leap-seconds.js';

// Command lines
export { collectCommaList, collectRepeated } from './cli-options.js';

// Files
export { writeFileAtomic } from './write-file-atomic.js';

// Random numbers
export { Random } from './random.js';
