import { readFile, writeFile } from 'node:fs/promises';
import { FormatterError, UnknownComponentError } from '../storage/errors.js';
import type { StorageClass } from '../storage/storage-class.js';
import { Timespan } from '../time/timespan.js';
import type { Formatter, FormatterReadContext, FormatterWriteContext } from './formatter.js';

const TYPED_ARRAY = Object.getPrototypeOf(Int8Array) as abstract new () => ArrayLike<unknown>;

/**
 * Writes a value as JSON text the way Python's `json.dumps` would write the same data, without
 * losing integers:
 *
 * - `bigint` is written as a JSON integer with all its digits (Python reads it exactly; so does
 *   {@link parseJson}), whatever its size;
 * - `NaN`, `Infinity`, `-Infinity` are written as Python writes them (`NaN`, `Infinity`,
 *   `-Infinity`; not standard JSON, but what daf_butler's files hold);
 * - a {@link Timespan} is daf_butler's simple form `[begin_nsec, end_nsec]` (integers);
 * - a `Map` is an object (keys made strings with `String(key)`); a `Set` and typed arrays are arrays;
 *   a `Date` is its ISO text; other objects with `toJSON()` are written as what it returns; other
 *   objects by their own enumerable properties;
 * - `undefined`, functions and symbols are left out of objects and are `null` in arrays.
 *
 * @param value - the value
 * @returns compact JSON text
 * @throws FormatterError for a circular structure, or a top-level value with no JSON form
 * @example
 * ```ts
 * stringifyJson({ id: 2n ** 60n, flux: NaN }); // '{"id":1152921504606846976,"flux":NaN}'
 * ```
 * @see Python's json.dumps, used by lsst.daf.butler.formatters.json.JsonFormatter
 */
export function stringifyJson(value: unknown): string {
  const out = write(value, new Set());
  if (out === undefined) throw new FormatterError(`A ${typeof value} cannot be written as JSON.`);
  return out;
}

function write(v: unknown, seen: Set<object>): string | undefined {
  switch (typeof v) {
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? JSON.stringify(v) : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  }
  if (v === null) return 'null';
  const obj = v as object;
  if (obj instanceof Timespan) return `[${obj.beginNs},${obj.endNs}]`;
  if (obj instanceof Date) return JSON.stringify(obj.toISOString());
  if (seen.has(obj)) throw new FormatterError('Cannot write a circular structure as JSON.');
  seen.add(obj);
  try {
    if (Array.isArray(obj) || obj instanceof TYPED_ARRAY || obj instanceof Set) {
      const items = Array.from(obj as Iterable<unknown>, (x) => write(x, seen) ?? 'null');
      return `[${items.join(',')}]`;
    }
    if (obj instanceof Map) {
      const items: string[] = [];
      for (const [k, x] of obj) {
        const s = write(x, seen);
        if (s !== undefined) items.push(`${JSON.stringify(String(k))}:${s}`);
      }
      return `{${items.join(',')}}`;
    }
    const toJSON = (obj as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return write((toJSON as () => unknown).call(obj), seen);
    const items: string[] = [];
    for (const [k, x] of Object.entries(obj)) {
      const s = write(x, seen);
      if (s !== undefined) items.push(`${JSON.stringify(k)}:${s}`);
    }
    return `{${items.join(',')}}`;
  } finally {
    seen.delete(obj);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WS = /[ \t\n\r]*/y;

/**
 * Parses JSON text as Python's `json.loads` reads it, without losing integers: an integer
 * literal outside ±(2^53 − 1) becomes a `bigint` (others are numbers), and `NaN`, `Infinity` and
 * `-Infinity` are accepted.
 *
 * @param text - JSON text
 * @returns the value (objects are plain objects, arrays are arrays)
 * @throws FormatterError with the offset of the first character that does not parse
 * @example
 * ```ts
 * parseJson('[1631145600000000000, 1.5, NaN]'); // [1631145600000000000n, 1.5, NaN]
 * ```
 * @see Python's json.loads
 */
export function parseJson(text: string): unknown {
  let i = 0;
  const fail = (what: string): never => {
    throw new FormatterError(`Invalid JSON at offset ${i}: ${what} (found ${i < text.length ? JSON.stringify(text.slice(i, i + 12)) : 'end of text'}).`);
  };
  const ws = (): void => {
    WS.lastIndex = i;
    WS.exec(text);
    i = WS.lastIndex;
  };
  const word = (w: string): boolean => {
    if (text.startsWith(w, i)) {
      i += w.length;
      return true;
    }
    return false;
  };
  const str = (): string => {
    const start = i;
    i++;
    for (;;) {
      const c = text.charCodeAt(i);
      if (Number.isNaN(c)) fail('unterminated string');
      if (c === 0x5c) i += 2;
      else if (c === 0x22) break;
      else i++;
    }
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      i = start;
      return fail('bad string');
    }
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a string key');
        const k = str();
        ws();
        if (text[i] !== ':') fail("expected ':'");
        i++;
        Object.defineProperty(obj, k, { value: value(), enumerable: true, writable: true, configurable: true });
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return obj;
        }
        fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const arr: unknown[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value());
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return arr;
        }
        fail("expected ',' or ']'");
      }
    }
    if (c === '"') return str();
    if (word('true')) return true;
    if (word('false')) return false;
    if (word('null')) return null;
    if (word('NaN')) return NaN;
    if (word('Infinity')) return Infinity;
    if (word('-Infinity')) return -Infinity;
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m === null) return fail('expected a value');
    i = NUMBER.lastIndex;
    const n = Number(m[0]);
    if (/^-?\d+$/.test(m[0]) && !Number.isSafeInteger(n)) return BigInt(m[0]);
    return n;
  };
  const result = value();
  ws();
  if (i < text.length) fail('unexpected text after the value');
  return result;
}

function isTimespanClass(sc: StorageClass): boolean {
  return sc.name === 'Timespan' || sc.inheritsFrom.includes('Timespan');
}

/**
 * Reads and writes plain data as JSON (`.json`), as daf_butler's JsonFormatter does for `int`,
 * `StructuredDataDict`, `StructuredDataList`, `TaskMetadata`, `Timespan`, `Packages`...; the
 * files are what Python's `json` writes and reads (see {@link stringifyJson} for how each
 * JavaScript value is written, and {@link parseJson} for how it is read: integers beyond
 * ±(2^53 − 1) come back as `bigint`, smaller ones as numbers, whatever they were written from).
 *
 * A dataset of storage class `Timespan` (or a subclass) is read back as a {@link Timespan}.
 * Components: JSON must be parsed whole, so {@link canReadComponent} is false and the datastore
 * takes components from the whole object with the storage class's delegate; asked anyway,
 * {@link read} returns the key of that name of a JSON object. Read parameters are not applied
 * here (none is in {@link supportedParameters}); the datastore applies them with the delegate.
 *
 * @example
 * ```ts
 * const json = new JsonFormatter();
 * await json.write({ a: 1, big: 2n ** 63n }, '/tmp/x.json', { storageClass: sc, datasetTypeName: 'x' });
 * await json.read('/tmp/x.json', { storageClass: sc }); // { a: 1, big: 9223372036854775808n }
 * ```
 * @see lsst.daf.butler.formatters.json.JsonFormatter
 */
export class JsonFormatter implements Formatter {
  /** `JsonFormatter`. */
  readonly name = 'JsonFormatter';
  /** `.json`. */
  readonly extension = '.json';
  /** None: parameters are applied by the delegate. */
  readonly supportedParameters: ReadonlySet<string> = new Set();

  /**
   * Writes the value as JSON to `path`.
   *
   * @param obj - the value
   * @param path - the file
   * @param ctx - storage class and dataset type name
   * @throws FormatterError for a value with no JSON form, a circular structure, a non-Timespan
   *   given for the `Timespan` storage class, or a write failure
   */
  async write(obj: unknown, path: string, ctx: FormatterWriteContext): Promise<void> {
    if (isTimespanClass(ctx.storageClass) && !(obj instanceof Timespan)) {
      throw new FormatterError(`Dataset '${ctx.datasetTypeName}' has storage class '${ctx.storageClass.name}' but the object is not a Timespan.`);
    }
    let text: string;
    try {
      text = stringifyJson(obj);
    } catch (e) {
      if (e instanceof FormatterError) throw new FormatterError(`Cannot write dataset '${ctx.datasetTypeName}' as JSON: ${e.message}`, { cause: e });
      throw e;
    }
    try {
      await writeFile(path, text, 'utf8');
    } catch (cause) {
      throw new FormatterError(`Cannot write '${path}': ${(cause as Error).message}`, { cause });
    }
  }

  /**
   * Reads the JSON file.
   *
   * @param path - the file
   * @param ctx - storage class; a component (a key of a JSON object)
   * @returns the value (a Timespan for the `Timespan` storage class)
   * @throws FormatterError when the file is missing or is not JSON (or not a timespan for `Timespan`)
   * @throws UnknownComponentError when a component is asked of something that is not an object with that key
   */
  async read(path: string, ctx: FormatterReadContext): Promise<unknown> {
    const data = parseJson(await readText(path));
    if (ctx.component !== undefined) return componentOf(data, ctx.component, path);
    if (isTimespanClass(ctx.storageClass)) {
      if (!Array.isArray(data) || data.length !== 2) throw new FormatterError(`'${path}' does not hold a timespan [begin_nsec, end_nsec]; given ${stringifyJson(data).slice(0, 80)}.`);
      try {
        return Timespan.fromJSON(data as (string | number | bigint)[]);
      } catch (cause) {
        throw new FormatterError(`'${path}' does not hold a timespan: ${(cause as Error).message}`, { cause });
      }
    }
    return data;
  }

  /**
   * False: JSON is read whole; the delegate extracts components.
   *
   * @param _component - a component name
   * @returns false
   */
  canReadComponent(_component: string): boolean {
    return false;
  }
}

/**
 * Reads a text file for a formatter.
 *
 * @param path - the file
 * @returns its text
 * @throws FormatterError when it cannot be read
 * @internal
 */
export async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new FormatterError(code === 'ENOENT' ? `File '${path}' does not exist.` : `Cannot read '${path}': ${(cause as Error).message}`, { cause });
  }
}

/**
 * The value of a key of a parsed mapping, for formatters asked for a component.
 *
 * @param data - the parsed file
 * @param component - the key
 * @param path - the file (for the message)
 * @returns the value
 * @throws UnknownComponentError when `data` is not a mapping with that key
 * @internal
 */
export function componentOf(data: unknown, component: string, path: string): unknown {
  if (data instanceof Map && data.has(component)) return data.get(component);
  if (typeof data === 'object' && data !== null && !Array.isArray(data) && Object.prototype.hasOwnProperty.call(data, component)) {
    return (data as Record<string, unknown>)[component];
  }
  const keys = typeof data === 'object' && data !== null && !Array.isArray(data) ? Object.keys(data) : [];
  throw new UnknownComponentError(
    `'${path}' has no component '${component}'` + (keys.length > 0 ? `; its keys are ${keys.join(', ')}.` : '; it is not a mapping.'),
  );
}
