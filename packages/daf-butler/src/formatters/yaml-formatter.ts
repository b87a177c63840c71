import { writeFile } from 'node:fs/promises';
import { parseDocument, stringify } from 'yaml';
import { FormatterError } from '../storage/errors.js';
import type { Formatter, FormatterReadContext, FormatterWriteContext } from './formatter.js';
import { componentOf, readText } from './json-formatter.js';

function unbig(v: unknown): unknown {
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  if (Array.isArray(v)) return v.map(unbig);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [unbig(k), unbig(x)]));
  if (v instanceof Set) return new Set([...v].map(unbig));
  if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) Object.defineProperty(out, k, { value: unbig(x), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}

/**
 * Parses YAML text as daf_butler's YamlFormatter reads it (`yaml.safe_load`): merge keys are
 * applied, an integer outside ±(2^53 − 1) becomes a `bigint` (others are numbers), tags the
 * parser does not know (`!<lsst.sphgeom.ConvexPolygon>`, `!!python/...`) are ignored and the
 * tagged node is read as plain data.
 *
 * @param text - YAML text (one document)
 * @returns the value
 * @throws FormatterError when the text is not YAML
 * @example
 * ```ts
 * parseYamlLossless('id: 1152921504606846976\nx: 1'); // { id: 1152921504606846976n, x: 1 }
 * ```
 */
export function parseYamlLossless(text: string): unknown {
  const doc = parseDocument(text, { merge: true, intAsBigInt: true, logLevel: 'error', uniqueKeys: false });
  if (doc.errors.length > 0) throw new FormatterError(`Invalid YAML: ${doc.errors[0]!.message}`, { cause: doc.errors[0] });
  return unbig(doc.toJS({ maxAliasCount: -1 }));
}

/**
 * Reads and writes plain data as YAML (`.yaml`) with the `yaml` package, as daf_butler's
 * YamlFormatter does for `StructuredDataDict`, `PropertyList`, `ExposureSummaryStats`, `Config`
 * dumps...
 *
 * Written: plain objects, arrays, strings, numbers (`.nan`, `.inf`), bigints (all digits), `Map`s
 * (as mappings) and `Set`s (as `!!set`, which Python's safe loader reads); objects with a
 * `toJSON()` are written as what it returns; no anchors are written for repeated objects. Read:
 * see {@link parseYamlLossless}. Components: YAML is read whole, so {@link canReadComponent} is
 * false; asked anyway, {@link read} returns the key of that name of a mapping. Write parameters
 * (daf_butler's `unsafe_dump`) are accepted and ignored; read parameters are applied by the
 * delegate.
 *
 * @example
 * ```ts
 * const yaml = new YamlFormatter();
 * await yaml.write({ a: [1, 2] }, '/tmp/x.yaml', { storageClass: sc, datasetTypeName: 'x' });
 * await yaml.read('/tmp/x.yaml', { storageClass: sc }); // { a: [1, 2] }
 * ```
 * @see lsst.daf.butler.formatters.yaml.YamlFormatter
 */
export class YamlFormatter implements Formatter {
  /** `YamlFormatter`. */
  readonly name = 'YamlFormatter';
  /** `.yaml`. */
  readonly extension = '.yaml';
  /** None: parameters are applied by the delegate. */
  readonly supportedParameters: ReadonlySet<string> = new Set();

  /**
   * Writes the value as YAML to `path`.
   *
   * @param obj - the value
   * @param path - the file
   * @param ctx - storage class and dataset type name
   * @throws FormatterError for a value with no YAML form, or a write failure
   */
  async write(obj: unknown, path: string, ctx: FormatterWriteContext): Promise<void> {
    if (obj === undefined || typeof obj === 'function' || typeof obj === 'symbol') {
      throw new FormatterError(`Cannot write dataset '${ctx.datasetTypeName}' as YAML: a ${typeof obj} has no YAML form.`);
    }
    let text: string;
    try {
      text = stringify(obj, { aliasDuplicateObjects: false, lineWidth: 0 });
    } catch (cause) {
      throw new FormatterError(`Cannot write dataset '${ctx.datasetTypeName}' as YAML: ${(cause as Error).message}`, { cause });
    }
    try {
      await writeFile(path, text, 'utf8');
    } catch (cause) {
      throw new FormatterError(`Cannot write '${path}': ${(cause as Error).message}`, { cause });
    }
  }

  /**
   * Reads the YAML file.
   *
   * @param path - the file
   * @param ctx - storage class; a component (a key of a mapping)
   * @returns the value
   * @throws FormatterError when the file is missing or is not YAML
   * @throws UnknownComponentError when a component is asked of something that is not a mapping with that key
   */
  async read(path: string, ctx: FormatterReadContext): Promise<unknown> {
    const text = await readText(path);
    let data: unknown;
    try {
      data = parseYamlLossless(text);
    } catch (e) {
      if (e instanceof FormatterError) throw new FormatterError(`'${path}': ${e.message}`, { cause: e });
      throw e;
    }
    return ctx.component === undefined ? data : componentOf(data, ctx.component, path);
  }

  /**
   * False: YAML is read whole; the delegate extracts components.
   *
   * @param _component - a component name
   * @returns false
   */
  canReadComponent(_component: string): boolean {
    return false;
  }
}
