import type { LogFields, LogRecord } from './logger.js';

/**
 * Turns a {@link LogRecord} into one line of text (without the trailing newline).
 *
 * @see Python `logging.Formatter`
 */
export interface LogFormatter {
  /**
   * Formats one record.
   *
   * @param record - the record to format
   * @returns the formatted line, without a trailing newline
   */
  format(record: LogRecord): string;
}

/**
 * Options of {@link TextFormatter}.
 */
export interface TextFormatterOptions {
  /** Whether to show the ISO 8601 UTC time after the level (default `true`). */
  readonly timestamps?: boolean;
  /**
   * A label shown in parentheses after the logger name, e.g. a quantum or job id (as
   * `butler --log-label`); none by default.
   */
  readonly label?: string;
}

/**
 * Formats records as human-readable lines:
 * `INFO 2026-11-22T03:04:05.123Z skystack.butler: Ingested 12 files visit=903334 band="r"`.
 *
 * Fields follow the message as `key=value`: numbers, booleans, `null` and `undefined` as they
 * are; strings quoted (JSON-style, so spaces and newlines stay unambiguous); errors as their
 * message; other values as JSON. The root logger is shown as `root`. Line breaks inside the
 * message are kept.
 *
 * @example
 * ```ts
 * const formatter = new TextFormatter({ timestamps: false });
 * formatter.format({
 *   time: 0, level: 20, levelName: 'INFO', name: 'skystack', message: 'hello', fields: { n: 1 },
 * }); // 'INFO skystack: hello n=1'
 * ```
 * @see lsst.daf.butler.cli.cliLog.CliLog (its `--long-log` format `{levelname} {asctime} {name} ...`)
 */
export class TextFormatter implements LogFormatter {
  readonly #timestamps: boolean;
  readonly #label: string | undefined;

  /**
   * Creates a text formatter.
   *
   * @param options - whether to show timestamps, and an optional label
   */
  constructor(options: TextFormatterOptions = {}) {
    this.#timestamps = options.timestamps ?? true;
    this.#label = options.label;
  }

  /**
   * Formats one record as `LEVEL TIME NAME (LABEL): MESSAGE key=value ...`.
   *
   * @param record - the record to format
   * @returns the formatted line, without a trailing newline
   */
  format(record: LogRecord): string {
    let line = record.levelName;
    if (this.#timestamps) line += ` ${new Date(record.time).toISOString()}`;
    line += ` ${record.name === '' ? 'root' : record.name}`;
    if (this.#label !== undefined) line += ` (${this.#label})`;
    line += `: ${record.message}`;
    if (record.fields !== undefined) line += formatFieldsAsText(record.fields);
    return line;
  }
}

/**
 * Formats records as JSON lines: one JSON object per record, on a single line, with the keys
 * `time` (ISO 8601 UTC string), `level` (name), `levelno` (number), `name` (logger name, `''`
 * for root), `message` and `fields` (an object, empty when the message had none).
 *
 * Values that JSON cannot represent are converted: `bigint` to a decimal string, `Error`s to
 * `{ name, message, code?, stack? }`, `undefined` fields are dropped, and cycles become
 * `"[Circular]"`.
 *
 * @example
 * ```ts
 * const line = new JsonFormatter().format({
 *   time: 0, level: 30, levelName: 'WARN', name: 'skystack.butler', message: 'slow', fields: { s: 2 },
 * });
 * JSON.parse(line).fields.s; // 2
 * ```
 * @see lsst.daf.butler.logging.JsonLogFormatter (the format of `butler --log-file log.json`)
 */
export class JsonFormatter implements LogFormatter {
  /**
   * Formats one record as a single-line JSON object.
   *
   * @param record - the record to format
   * @returns the JSON text, without a trailing newline
   */
  format(record: LogRecord): string {
    const head = {
      time: new Date(record.time).toISOString(),
      level: record.levelName,
      levelno: record.level,
      name: record.name,
      message: record.message,
    };
    try {
      return jsonStringify({ ...head, fields: record.fields ?? {} });
    } catch (e) {
      // Only a throwing toJSON() or getter in the fields can get here.
      return jsonStringify({ ...head, fields: { unserializable: describeFailure(e) } });
    }
  }
}

/** Renders `fields` as ` key=value key=value` (with a leading space), or `''` when empty. */
function formatFieldsAsText(fields: LogFields): string {
  let text = '';
  for (const key of Object.keys(fields)) {
    text += ` ${key}=${formatValueAsText(fields[key])}`;
  }
  return text;
}

/** Renders one field value for the text format. */
function formatValueAsText(value: unknown): string {
  switch (typeof value) {
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'undefined':
      return String(value);
    case 'string':
      return JSON.stringify(value);
    case 'symbol':
      return value.toString();
    case 'function':
      return `[Function ${value.name || 'anonymous'}]`;
    default:
      if (value === null) return 'null';
      if (value instanceof Error) return JSON.stringify(value.message);
      try {
        return jsonStringify(value);
      } catch (e) {
        return JSON.stringify(describeFailure(e));
      }
  }
}

/**
 * `JSON.stringify` that converts bigint, symbols, functions and errors, and replaces
 * references to an enclosing object (cycles) by `"[Circular]"`. Objects that are merely
 * shared (not cycles) are written out each time. Only a throwing `toJSON()` or getter makes it
 * throw.
 */
function jsonStringify(value: unknown): string {
  // The chain of objects enclosing the value being converted, outermost first.
  const ancestors: object[] = [];
  function replacer(this: unknown, _key: string, v: unknown): unknown {
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'symbol' || typeof v === 'function') return String(v);
    if (typeof v !== 'object' || v === null) return v;
    while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== this) ancestors.pop();
    if (ancestors.includes(v)) return '[Circular]';
    const out = v instanceof Error ? errorToJson(v, 0) : v;
    ancestors.push(out);
    return out;
  }
  return JSON.stringify(value, replacer) ?? 'undefined';
}

/** Text standing in for a value that could not be converted to JSON. */
function describeFailure(error: unknown): string {
  return `[Unserializable: ${error instanceof Error ? error.message : String(error)}]`;
}

/** Deepest chain of error causes written out. */
const MAX_CAUSE_DEPTH = 8;

/** The JSON form of an error: name, message, and `code`, `stack` and `cause` when present. */
function errorToJson(error: Error, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = { name: error.name, message: error.message };
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) out['code'] = code;
  if (error.stack !== undefined) out['stack'] = error.stack;
  const cause = error.cause;
  if (cause instanceof Error) {
    out['cause'] = depth < MAX_CAUSE_DEPTH ? errorToJson(cause, depth + 1) : cause.message;
  } else if (cause !== undefined) {
    out['cause'] = cause;
  }
  return out;
}
