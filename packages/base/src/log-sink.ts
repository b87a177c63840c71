import { TextFormatter } from './log-formatter.js';
import type { LogFormatter } from './log-formatter.js';
import type { LogRecord } from './logger.js';

/**
 * Receives the records that a {@link LogManager} emits: writes them somewhere, collects them,
 * forwards them.
 *
 * A sink sees every record whose level passes its logger's effective level and the sink's own
 * optional {@link LogSink.level | level}. A sink that throws does not stop the others nor the
 * caller; the manager reports the failure (see {@link LogManagerOptions.onSinkError}).
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * const sink: LogSink = { emit: (record) => void lines.push(record.message) };
 * const manager = new LogManager({ sinks: [sink] });
 * manager.getLogger('skystack').warn('disk almost full');
 * ```
 * @see Python `logging.Handler`
 */
export interface LogSink {
  /**
   * The lowest level this sink accepts, on top of the logger's level; all records when
   * absent. Lets, say, a JSON file receive `DEBUG` while the terminal shows only `WARN`.
   */
  readonly level?: number;

  /**
   * Handles one record.
   *
   * @param record - the record to write
   */
  emit(record: LogRecord): void;
}

/**
 * Anything with a `write(text)` method, such as `process.stderr`, a file `WriteStream`, or a
 * test double collecting strings.
 */
export interface LogStream {
  /**
   * Writes text; the return value is ignored.
   *
   * @param text - the text to write
   * @returns anything (ignored)
   */
  write(text: string): unknown;
}

/**
 * Options of {@link StreamSink}.
 */
export interface StreamSinkOptions {
  /** How to turn records into lines (default: a {@link TextFormatter} with timestamps). */
  readonly formatter?: LogFormatter;
  /** The lowest level written (default: every record that reaches the sink). */
  readonly level?: number;
}

/**
 * A sink that formats each record and writes it, followed by a newline, to a stream.
 * {@link LogManager} uses one on `process.stderr` with text format by default.
 *
 * @example
 * ```ts
 * import { createWriteStream } from 'node:fs';
 * const manager = new LogManager({
 *   sinks: [
 *     new StreamSink(process.stderr, { level: LogLevel.INFO }),
 *     new StreamSink(createWriteStream('log.jsonl', { flags: 'a' }), { formatter: new JsonFormatter() }),
 *   ],
 * });
 * ```
 * @see Python `logging.StreamHandler`; `butler --log-file` (JSON when the name ends in `.json`)
 */
export class StreamSink implements LogSink {
  /** The stream written to. */
  readonly stream: LogStream;
  /** The formatter that turns records into lines. */
  readonly formatter: LogFormatter;
  /** The lowest level written, or `undefined` for every record that reaches the sink. */
  readonly level?: number;

  /**
   * Creates a sink writing to `stream`.
   *
   * @param stream - where to write, e.g. `process.stderr`
   * @param options - the formatter and an optional minimum level
   */
  constructor(stream: LogStream, options: StreamSinkOptions = {}) {
    this.stream = stream;
    this.formatter = options.formatter ?? new TextFormatter();
    if (options.level !== undefined) this.level = options.level;
  }

  /**
   * Formats `record` and writes it as one line.
   *
   * @param record - the record to write
   */
  emit(record: LogRecord): void {
    this.stream.write(`${this.formatter.format(record)}\n`);
  }
}

/**
 * A sink that keeps the records in memory, for tests and for showing recent messages later.
 *
 * @example
 * ```ts
 * const memory = new MemorySink();
 * const manager = new LogManager({ sinks: [memory] });
 * manager.getLogger('skystack.test').error('boom', { code: 7 });
 * memory.records[0]?.fields; // { code: 7 }
 * ```
 */
export class MemorySink implements LogSink {
  /** The records received so far, oldest first. */
  readonly records: LogRecord[] = [];
  /** The lowest level kept, or `undefined` for every record that reaches the sink. */
  readonly level?: number;

  /**
   * Creates an empty sink.
   *
   * @param level - the lowest level kept (default: every record that reaches the sink)
   */
  constructor(level?: number) {
    if (level !== undefined) this.level = level;
  }

  /**
   * Appends `record` to {@link MemorySink.records}.
   *
   * @param record - the record to keep
   */
  emit(record: LogRecord): void {
    this.records.push(record);
  }

  /**
   * Returns the messages received so far, oldest first.
   *
   * @returns the `message` of each record
   */
  messages(): string[] {
    return this.records.map((r) => r.message);
  }

  /**
   * Forgets all records received so far.
   */
  clear(): void {
    this.records.length = 0;
  }
}
