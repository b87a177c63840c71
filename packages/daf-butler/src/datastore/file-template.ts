// File templates: how a datastore turns a DatasetRef into a relative path, and which
// template a dataset gets. A port of daf_butler's datastore/file_templates.py.
import { getLogger, type Logger, type SkyStackErrorOptions } from '@skystack/base';
import { parse as parseYaml } from 'yaml';
import { DatasetRef } from '../datasets/dataset-ref.js';
import { DatasetType } from '../datasets/dataset-type.js';
import type { DimensionGroup } from '../dimensions/group.js';
import type { DimensionRecord, RecordValue } from '../dimensions/record.js';
import { SkyPixDimension, type DimensionUniverse, type FieldSpec } from '../dimensions/universe.js';
import { ButlerError } from '../errors.js';
import { pythonFloatRepr } from '../time/astro-time.js';

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/**
 * A file template that cannot be applied (`BUTLER_FILE_TEMPLATE`): a required field that the
 * dataset does not have, a metadata field (`visit.day_obs`) of a data ID without records, a
 * component that the template does not use, a value the format spec does not accept, or no
 * template at all for a dataset.
 *
 * @example
 * ```ts
 * try {
 *   new FileTemplate('{run}/{tract}_{visit}').format(ref);
 * } catch (e) {
 *   if (e instanceof FileTemplateError) console.error(e.message); // names 'tract' and the template
 * }
 * ```
 * @see lsst.daf.butler.FileTemplate (its `KeyError`s and `RuntimeError`s)
 */
export class FileTemplateError extends ButlerError {
  /** One line on what this kind of error means. */
  static readonly summary: string = 'file template cannot be applied';

  /**
   * Makes the error.
   *
   * @param message - what was wrong: the field and the template
   * @param options - `cause` and `hint`
   * @param code - the error code (subclasses pass their own)
   */
  constructor(message: string, options: SkyStackErrorOptions = {}, code = 'BUTLER_FILE_TEMPLATE') {
    super(code, message, options);
  }
}

/**
 * A file template that is malformed or inconsistent with the dataset type that would use it
 * (`BUTLER_FILE_TEMPLATE_VALIDATION`): no `run` or `id` field, no dimension field, `../`, an
 * `{id}` outside the file name, a component mismatch, fields that are not dimensions of the
 * dataset type, or required dimensions that the template leaves out (so that two data IDs could
 * share one path).
 *
 * @example
 * ```ts
 * new FileTemplate('{visit}'); // throws: missing a mandatory field from {'id', 'run'}
 * ```
 * @see lsst.daf.butler.FileTemplateValidationError
 */
export class FileTemplateValidationError extends FileTemplateError {
  /** One line on what this kind of error means. */
  static override readonly summary: string = 'file template is not valid';

  /**
   * Makes the error.
   *
   * @param message - what was wrong with the template
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super(message, options, 'BUTLER_FILE_TEMPLATE_VALIDATION');
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing (Python's string.Formatter.parse)
// ---------------------------------------------------------------------------------------------

interface Part {
  /** Literal text before the field. */
  readonly literal: string;
  /** The field name (`visit`, `exposure.obs_id|group`), or undefined for trailing text. */
  readonly field: string | undefined;
  /** The format spec (`05d`, `?`, `/`), '' when none; undefined for trailing text. */
  readonly spec: string | undefined;
}

function parseTemplate(template: string): Part[] {
  const parts: Part[] = [];
  let literal = '';
  let i = 0;
  const n = template.length;
  const fail = (why: string): never => {
    throw new FileTemplateValidationError(`Template '${template}' is not a valid format string: ${why}.`);
  };
  while (i < n) {
    const c = template[i]!;
    if (c === '}') {
      if (template[i + 1] !== '}') fail(`single '}' at offset ${i}`);
      // Python's parser yields the literal up to and including the escaped brace.
      parts.push({ literal: literal + '}', field: undefined, spec: undefined });
      literal = '';
      i += 2;
      continue;
    }
    if (c !== '{') {
      literal += c;
      i++;
      continue;
    }
    if (template[i + 1] === '{') {
      parts.push({ literal: literal + '{', field: undefined, spec: undefined });
      literal = '';
      i += 2;
      continue;
    }
    const end = template.indexOf('}', i + 1);
    if (end < 0) fail(`expected '}' before end of string (field at offset ${i})`);
    const body = template.slice(i + 1, end);
    if (body.includes('{')) fail(`nested replacement fields are not supported ('{${body}}')`);
    const colon = body.indexOf(':');
    let head = colon < 0 ? body : body.slice(0, colon);
    const spec = colon < 0 ? '' : body.slice(colon + 1);
    const bang = head.indexOf('!');
    if (bang >= 0) {
      // A conversion (`!r`, `!s`, `!a`) is accepted and ignored, as daf_butler does.
      const conv = head.slice(bang + 1);
      if (!['r', 's', 'a'].includes(conv)) fail(`unknown conversion '!${conv}'`);
      head = head.slice(0, bang);
    }
    const names = head.split('|');
    if (head === '' || names.some((f) => f === '' || /^\d+$/.test(f) || /[[\]\s]/.test(f))) {
      fail(`only named fields are allowed ('{${body}}')`);
    }
    parts.push({ literal, field: head, spec });
    literal = '';
    i = end + 1;
  }
  if (literal !== '') parts.push({ literal, field: undefined, spec: undefined });
  return parts;
}

// ---------------------------------------------------------------------------------------------
// Values and Python's format-spec mini-language
// ---------------------------------------------------------------------------------------------

/** A value as Python would see it, so that format specs behave the same. */
type PyValue =
  | { readonly kind: 'int'; readonly value: bigint }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'str'; readonly value: string }
  | { readonly kind: 'bool'; readonly value: boolean };

const SPEC_RE = /^(?:([\s\S])?([<>=^]))?([+\- ])?(z)?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/u;

function pad(body: string, sign: string, width: number, fill: string, align: string): string {
  const len = [...sign].length + [...body].length;
  const n = Math.max(0, width - len);
  if (n === 0) return sign + body;
  switch (align) {
    case '<':
      return sign + body + fill.repeat(n);
    case '^': {
      const left = Math.floor(n / 2);
      return fill.repeat(left) + sign + body + fill.repeat(n - left);
    }
    case '=':
      return sign + fill.repeat(n) + body;
    default:
      return fill.repeat(n) + sign + body;
  }
}

function group(digits: string, sep: string, every: number): string {
  let out = '';
  for (let i = digits.length; i > 0; i -= every) {
    const chunk = digits.slice(Math.max(0, i - every), i);
    out = out === '' ? chunk : `${chunk}${sep}${out}`;
  }
  return out;
}

/** A finite, non-negative double exactly as a decimal: `digits / 10^scale`. */
function exactDecimal(a: number): { digits: bigint; scale: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, a);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & 0xfffffffffffffn;
  let exp2 = biased - 1075;
  if (biased === 0) exp2 = -1074;
  else mantissa |= 1n << 52n;
  if (exp2 >= 0) return { digits: mantissa << BigInt(exp2), scale: 0 };
  return { digits: mantissa * 5n ** BigInt(-exp2), scale: -exp2 };
}

/** `round(a * 10^places)` with ties to even, exactly (Python's rounding; JS rounds ties up). */
function roundScaled(a: number, places: number): bigint {
  const { digits, scale } = exactDecimal(a);
  const shift = places - scale;
  if (shift >= 0) return digits * 10n ** BigInt(shift);
  const div = 10n ** BigInt(-shift);
  let q = digits / div;
  const r2 = (digits % div) * 2n;
  if (r2 > div || (r2 === div && q % 2n === 1n)) q += 1n;
  return q;
}

/** Fixed-point text with `places` decimals, as Python's `'f'`. */
function toFixedPy(a: number, places: number): string {
  const n = roundScaled(a, places).toString().padStart(places + 1, '0');
  return places === 0 ? n : `${n.slice(0, n.length - places)}.${n.slice(n.length - places)}`;
}

/** Scientific text with `places` decimals, as Python's `'e'`: mantissa digits and exponent. */
function toExponentialPy(a: number, places: number): { mantissa: string; exp: number } {
  if (a === 0) return { mantissa: places === 0 ? '0' : `0.${'0'.repeat(places)}`, exp: 0 };
  const { digits, scale } = exactDecimal(a);
  let exp = digits.toString().length - 1 - scale;
  let n = roundScaled(a, places - exp).toString();
  if (n.length > places + 1) {
    exp += 1;
    n = n.slice(0, places + 1);
  }
  return { mantissa: places === 0 ? n : `${n[0]}.${n.slice(1)}`, exp };
}

function expText(mantissa: string, exp: number, upper: boolean): string {
  return `${mantissa}${upper ? 'E' : 'e'}${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

function formatFloatBody(x: number, type: string, precision: number | undefined, alt: boolean): string {
  const upper = type === 'E' || type === 'F' || type === 'G';
  if (!Number.isFinite(x)) {
    const t = Number.isNaN(x) ? 'nan' : 'inf';
    return (upper ? t.toUpperCase() : t) + (type === '%' ? '%' : '');
  }
  const a = Math.abs(x);
  const point = (t: string): string => (alt && !t.includes('.') ? `${t}.` : t);
  switch (type) {
    case 'f':
    case 'F':
      return point(toFixedPy(a, precision ?? 6));
    case '%':
      return Number.isFinite(a * 100) ? `${point(toFixedPy(a * 100, precision ?? 6))}%` : 'inf%';
    case 'e':
    case 'E': {
      const { mantissa, exp } = toExponentialPy(a, precision ?? 6);
      return expText(point(mantissa), exp, upper);
    }
    default: {
      if (type === '' && precision === undefined) return pythonFloatRepr(a);
      // 'g', 'G', 'n', and '' with a precision: like 'g', but '' keeps a digit after the point
      // and turns scientific from exp >= p - 1.
      const p = precision === undefined ? 6 : precision === 0 ? 1 : precision;
      const { exp } = toExponentialPy(a, p - 1);
      const limit = type === '' ? p - 1 : p;
      if (exp >= -4 && exp < limit) {
        let s = toFixedPy(a, Math.max(0, p - 1 - exp));
        if (!alt && s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
        if (type === '' && !s.includes('.')) s += '.0';
        return point(s);
      }
      let { mantissa } = toExponentialPy(a, p - 1);
      if (!alt && mantissa.includes('.')) mantissa = mantissa.replace(/0+$/, '').replace(/\.$/, '');
      return expText(point(mantissa), exp, upper);
    }
  }
}

/**
 * Formats a value with a Python format spec (`05d`, `>8`, `.3f`, `x`), as Python's `format()`.
 *
 * @param v - the value
 * @param spec - the spec, with daf_butler's `?` and `/` already removed
 * @returns the text
 * @throws Error with Python's message for a spec the value's type does not accept
 */
function formatPy(v: PyValue, spec: string): string {
  if (spec === '') {
    switch (v.kind) {
      case 'int':
        return v.value.toString();
      case 'float':
        return pythonFloatRepr(v.value);
      case 'str':
        return v.value;
      case 'bool':
        return v.value ? 'True' : 'False';
    }
  }
  const m = SPEC_RE.exec(spec);
  if (!m) throw new Error(`Invalid format specifier '${spec}'`);
  const [, fillGiven, alignGiven, signOpt, , altFlag, zero, widthText, sepOpt, precText, typeGiven] = m;
  const width = widthText === undefined ? 0 : Number(widthText);
  const precision = precText === undefined ? undefined : Number(precText);
  let type = typeGiven ?? '';
  const alt = altFlag !== undefined;
  let value = v;
  if (value.kind === 'bool') value = { kind: 'int', value: value.value ? 1n : 0n };

  if (value.kind === 'str') {
    if (type !== '' && type !== 's') throw new Error(`Unknown format code '${type}' for object of type 'str'`);
    if (signOpt !== undefined) throw new Error('Sign not allowed in string format specifier');
    if (alt) throw new Error('Alternate form (#) not allowed in string format specifier');
    if (sepOpt !== undefined) throw new Error(`Cannot specify '${sepOpt}' with 's'.`);
    if (alignGiven === '=') throw new Error("'=' alignment not allowed in string format specifier");
    let s = value.value;
    if (precision !== undefined) s = [...s].slice(0, precision).join('');
    return pad(s, '', width, fillGiven ?? (zero ? '0' : ' '), alignGiven ?? '<');
  }

  const fill = fillGiven ?? (zero && alignGiven === undefined ? '0' : ' ');
  const align = alignGiven ?? (zero && fillGiven === undefined ? '=' : '>');
  let negative: boolean;
  let body: string;
  if (value.kind === 'int' && 'bcdnoxX'.includes(type === '' ? 'd' : type)) {
    if (precision !== undefined) throw new Error('Precision not allowed in integer format specifier');
    const x = value.value;
    negative = x < 0n;
    const a = negative ? -x : x;
    if (type === 'c') {
      if (sepOpt !== undefined || signOpt !== undefined || alt) throw new Error("Sign, alternate form or grouping not allowed with integer format specifier 'c'");
      return pad(String.fromCodePoint(Number(a)), '', width, fill, alignGiven ?? '>');
    }
    const base = type === 'b' ? 2 : type === 'o' ? 8 : type === 'x' || type === 'X' ? 16 : 10;
    if (sepOpt === ',' && base !== 10) throw new Error(`Cannot specify ',' with '${type}'.`);
    if (sepOpt !== undefined && type === 'n') throw new Error(`Cannot specify '${sepOpt}' with 'n'.`);
    let digits = a.toString(base);
    if (type === 'X') digits = digits.toUpperCase();
    const prefix = alt && base !== 10 ? `0${type === 'X' ? 'X' : type}` : '';
    const sign = negative ? '-' : signOpt === '+' ? '+' : signOpt === ' ' ? ' ' : '';
    if (sepOpt !== undefined) {
      const every = base === 10 ? 3 : 4;
      let grouped = group(digits, sepOpt, every);
      // Zero padding is grouped too (format(7, '06,') is '00,007').
      if (fill === '0' && align === '=') {
        const target = width - sign.length - prefix.length;
        while (grouped.length < target) {
          digits = `0${digits}`;
          grouped = group(digits, sepOpt, every);
        }
      }
      digits = grouped;
    }
    body = digits;
    return pad(body, sign + prefix, width, fill, align);
  }
  if (value.kind === 'float' && 'bcdoxX'.includes(type === '' ? '-' : type)) {
    throw new Error(`Unknown format code '${type}' for object of type 'float'`);
  }
  if (type === 's') throw new Error(`Unknown format code 's' for object of type '${value.kind}'`);
  const x = value.kind === 'int' ? Number(value.value) : value.value;
  if (value.kind === 'int' && type === '') type = 'g';
  negative = x < 0 || Object.is(x, -0);
  body = formatFloatBody(x, type, precision, alt);
  if (sepOpt !== undefined) {
    const dot = body.search(/[.eE%]/);
    const intPart = dot < 0 ? body : body.slice(0, dot);
    if (/^\d+$/.test(intPart)) body = group(intPart, sepOpt, 3) + (dot < 0 ? '' : body.slice(dot));
  }
  const sign = negative && !Number.isNaN(x) ? '-' : signOpt === '+' ? '+' : signOpt === ' ' ? ' ' : '';
  return pad(body, sign, width, fill, align);
}

function fieldSpecOf(record: DimensionRecord, name: string): FieldSpec | undefined {
  const def = record.definition as { keys?: readonly FieldSpec[]; metadata: readonly FieldSpec[] };
  return def.keys?.find((k) => k.name === name) ?? def.metadata.find((k) => k.name === name);
}

function toPy(value: RecordValue | string | number, spec?: FieldSpec): PyValue | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return { kind: 'str', value };
  if (typeof value === 'boolean') return { kind: 'bool', value };
  if (typeof value === 'bigint') return { kind: 'int', value };
  if (typeof value === 'number') {
    if (spec?.type === 'float' || !Number.isInteger(value)) return { kind: 'float', value };
    return { kind: 'int', value: BigInt(value) };
  }
  return { kind: 'str', value: String(value) };
}

// ---------------------------------------------------------------------------------------------
// POSIX path helpers (Python's posixpath, which daf_butler uses on the result)
// ---------------------------------------------------------------------------------------------

function pathSplit(p: string): [string, string] {
  const i = p.lastIndexOf('/') + 1;
  let head = p.slice(0, i);
  const tail = p.slice(i);
  if (head !== '' && !/^\/+$/.test(head)) head = head.replace(/\/+$/, '');
  return [head, tail];
}

function pathJoin(head: string, tail: string): string {
  if (tail.startsWith('/')) return tail;
  if (head === '' || head.endsWith('/')) return head + tail;
  return `${head}/${tail}`;
}

function normpath(p: string): string {
  if (p === '') return '.';
  const initial = p.startsWith('/') ? (p.startsWith('//') && !p.startsWith('///') ? 2 : 1) : 0;
  const out: string[] = [];
  for (const c of p.split('/')) {
    if (c === '' || c === '.') continue;
    if (c !== '..' || (initial === 0 && out.length === 0) || (out.length > 0 && out[out.length - 1] === '..')) out.push(c);
    else if (out.length > 0) out.pop();
  }
  const s = '/'.repeat(initial) + out.join('/');
  return s === '' ? '.' : s;
}

/** Characters of values that become `_` (awkward or illegal in file names on some systems). */
const UNSAFE = /[ <>:"\\|?*]/g;

function pySet(names: Iterable<string>): string {
  const sorted = [...new Set(names)].sort();
  return sorted.length === 0 ? 'set()' : `{${sorted.map((s) => `'${s}'`).join(', ')}}`;
}

/** The single skypix dimension of a group (`htm7`), aliased as the `skypix` field; else undefined. */
function skypixAlias(dimensions: DimensionGroup): string | undefined {
  const sky = dimensions.names.filter((n) => dimensions.universe.getElement(n) instanceof SkyPixDimension);
  return sky.length === 1 ? sky[0] : undefined;
}

// ---------------------------------------------------------------------------------------------
// FileTemplate
// ---------------------------------------------------------------------------------------------

/** Options of {@link FileTemplate.fields}. */
export interface FileTemplateFieldsOptions {
  /** Include optional fields (`{band:?}`); default false. */
  readonly optionals?: boolean;
  /** Include the special fields `run`, `id`, `datasetType`, `component`; default false. */
  readonly specials?: boolean;
  /** Keep `element.metadata` fields whole (`visit.day_obs`) instead of their element (`visit`); default false. */
  readonly subfields?: boolean;
}

/** Fields of a template grouped as daf_butler's `grouped_fields` does. */
export interface GroupedFields {
  /** Plain fields that are dimensions (or meant to be). */
  readonly standard: Set<string>;
  /** `run`, `id`, `datasetType`, `component`. */
  readonly special: Set<string>;
  /** `element.metadata` fields, whole. */
  readonly subfield: Set<string>;
  /** The elements of `element.metadata` fields. */
  readonly parent: Set<string>;
}

/** Anything a template can be checked against or looked up for. */
export type FileTemplateEntity = DatasetRef | DatasetType | string;

/**
 * A path template: Python's format mini-language with named fields only, turning a
 * {@link DatasetRef} into a relative path (without the file extension).
 *
 * Fields are dimension names (`visit`, `physical_filter`), `element.metadata` fields of the
 * expanded data ID's records (`visit.day_obs`, `detector.full_name`, `exposure.obs_id`), and the
 * specials `run`, `id`, `datasetType` (the parent name for components) and `component`. One of
 * `run` or `id` is mandatory. daf_butler's extensions to the format spec:
 * - `?` makes a field optional: when the dataset lacks it, the field and the literal text before
 *   it are dropped, unless that text contains a `/` (so directories stay separated);
 * - `a|b|c` lists alternatives: the first whose dimension the data ID has is used;
 * - `/` keeps `/` in the value (otherwise `/` becomes `_`).
 *
 * In string values, the characters `` <>:"\|?*`` (and space) become `_`; in the file name part
 * of the result `.` becomes `_` and `#` becomes `HASH`; the result is normalised (no `//`, not
 * absolute).
 *
 * @example
 * ```ts
 * const t = new FileTemplate('{run:/}/{datasetType}.{component:?}/{visit:08d}/{datasetType}_{detector.full_name}_{run}');
 * t.format(ref); // 'u/me/run1/calexp/00903342/calexp_1_36_u_me_run1'
 * t.fields();    // Set {'visit', 'detector'}
 * ```
 * @see lsst.daf.butler.FileTemplate
 */
export class FileTemplate {
  /** Fields of which a template must have at least one. */
  static readonly mandatoryFields: ReadonlySet<string> = new Set(['run', 'id']);
  /** Fields about the dataset rather than a dimension. */
  static readonly datasetFields: ReadonlySet<string> = new Set(['datasetType', 'component']);
  /** Every field available whatever the dimensions: {@link mandatoryFields} and {@link datasetFields}. */
  static readonly specialFields: ReadonlySet<string> = new Set(['run', 'id', 'datasetType', 'component']);

  /** The template text. */
  readonly template: string;
  readonly #parts: readonly Part[];

  /**
   * Parses a template and checks it on its own (no dataset type): it must be a valid format
   * string with named fields only, have `run` or `id`, have a dimension field (or `id`), not
   * contain `../`, and put `{id}` in the file name if it uses `id`.
   *
   * @param template - the template text
   * @throws FileTemplateValidationError when it fails those checks
   * @example
   * ```ts
   * new FileTemplate('{run}/{datasetType}/{visit:05d}/{physical_filter}');
   * ```
   */
  constructor(template: string) {
    if (typeof template !== 'string') {
      throw new FileTemplateValidationError(`Template ('${String(template)}') does not contain any format specifiers`);
    }
    this.template = template;
    this.#parts = parseTemplate(template);
    this.validateTemplate(undefined);
  }

  /**
   * Whether two templates have the same text.
   *
   * @param other - another template
   * @returns true when equal
   */
  equals(other: unknown): boolean {
    return other instanceof FileTemplate && other.template === this.template;
  }

  /** The template text. */
  toString(): string {
    return this.template;
  }

  /**
   * The template's fields grouped by kind, required and optional separately; alternatives all
   * count.
   *
   * @returns `[grouped, groupedOptional]`
   * @example
   * ```ts
   * const [req] = new FileTemplate('{run}/{visit.day_obs}').groupedFields();
   * req.parent; // Set {'visit'}
   * ```
   * @see lsst.daf.butler.FileTemplate.grouped_fields
   */
  groupedFields(): [GroupedFields, GroupedFields] {
    const make = (): GroupedFields => ({ standard: new Set(), special: new Set(), subfield: new Set(), parent: new Set() });
    const grouped = make();
    const optional = make();
    for (const { field, spec } of this.#parts) {
      if (field === undefined || spec === undefined) continue;
      const target = spec.includes('?') ? optional : grouped;
      for (const name of field.split('|')) {
        if (FileTemplate.specialFields.has(name)) target.special.add(name);
        else if (name.includes('.')) {
          target.parent.add(name.split('.')[0]!);
          target.subfield.add(name);
        } else target.standard.add(name);
      }
    }
    return [grouped, optional];
  }

  /**
   * The field names used in the template (alternatives all count).
   *
   * @param options - include optional fields, special fields, whole `element.metadata` names
   * @returns the names
   * @example
   * ```ts
   * const t = new FileTemplate('{run}/{component:?}_{visit:?}_{physical_filter}_{instrument}_{datasetType}');
   * t.fields();                                   // {'physical_filter', 'instrument'}
   * t.fields({ optionals: true, specials: true }); // adds 'visit', 'run', 'datasetType', 'component'
   * ```
   * @see lsst.daf.butler.FileTemplate.fields
   */
  fields(options: FileTemplateFieldsOptions = {}): Set<string> {
    const names = new Set<string>();
    for (const { field, spec } of this.#parts) {
      if (field === undefined || spec === undefined) continue;
      if (!options.optionals && spec.includes('?')) continue;
      for (let name of field.split('|')) {
        if (!options.specials && FileTemplate.specialFields.has(name)) continue;
        if (!options.subfields && name.includes('.')) name = name.split('.')[0]!;
        names.add(name);
      }
    }
    return names;
  }

  /**
   * Expands the template for one dataset.
   *
   * Values come from the data ID (required and known implied values), the single skypix
   * dimension as `skypix`, the records of an expanded data ID for `element.metadata` fields,
   * and the specials: `datasetType` (the parent name of a component), `component`, `run`, `id`.
   *
   * @param ref - the dataset; its data ID must carry records if the template uses `element.metadata` fields for elements it has
   * @returns the relative path, without extension
   * @throws FileTemplateError when a required field has no value (naming the field and the
   *   template), when a metadata field is asked of a data ID without records, when the ref is a
   *   component that the template does not use, or when a value does not fit its format spec
   * @example
   * ```ts
   * new FileTemplate('{run}/{datasetType}/{visit:05d}/{physical_filter}').format(ref); // 'run2/calexp/00052/U'
   * ```
   * @see lsst.daf.butler.FileTemplate.format
   */
  format(ref: DatasetRef): string {
    const dataId = ref.dataId;
    const fields = new Map<string, PyValue>();
    for (const [k, v] of Object.entries(dataId.mapping)) fields.set(k, toPy(v)!);
    const alias = skypixAlias(ref.datasetType.dimensions);
    if (alias !== undefined && fields.has(alias)) fields.set('skypix', fields.get(alias)!);
    const [datasetType, component] = DatasetType.splitDatasetTypeName(ref.datasetType.name);
    fields.set('datasetType', { kind: 'str', value: datasetType });
    if (component !== undefined) fields.set('component', { kind: 'str', value: component });
    fields.set('run', { kind: 'str', value: ref.run });
    fields.set('id', { kind: 'str', value: ref.id });
    const canUseRecords = dataId.hasRecords();
    const extras = new Map<string, DimensionRecord | null>();

    let usedComponent = false;
    let output = '';
    for (const part of this.#parts) {
      let literal = part.literal;
      let fieldName = part.field;
      if (fieldName === undefined || part.spec === undefined) {
        output += literal;
        continue;
      }
      if (fieldName.includes('|')) {
        const alternates = fieldName.split('|');
        fieldName = alternates.find((alt) => fields.has(alt.split('.')[0]!)) ?? alternates[0]!;
      }
      if (fieldName === 'component') usedComponent = true;

      let spec = part.spec;
      const optional = spec.includes('?');
      spec = spec.replaceAll('?', '');

      if (fieldName.includes('.')) {
        const [primary, secondary] = fieldName.split('.') as [string, string];
        if (canUseRecords && !extras.has(primary) && fields.has(primary)) {
          const recordKey = primary === 'skypix' && alias !== undefined ? alias : primary;
          const record = dataId.records.get(recordKey) ?? null;
          extras.set(recordKey, record);
          extras.set(primary, record);
        }
        if (extras.has(primary)) {
          const record = extras.get(primary) ?? null;
          const value = record !== null && secondary in record.fields ? toPy(record.get(secondary), fieldSpecOf(record, secondary)) : undefined;
          if (value !== undefined) fields.set(fieldName, value);
          else if (record === null || !(secondary in record.fields)) {
            getLogger('skystack.butler.datastore.fileTemplates').info(
              `Template field ${fieldName} could not be resolved because metadata field ${secondary} is not understood for dimension ${primary}. Template entry will be ignored`,
            );
          }
        } else if (fields.has(primary)) {
          throw new FileTemplateError(
            `No metadata records attached to dataset ${ref.toString()} when attempting to expand field ${fieldName}. Either expand the DatasetRef or change the template.`,
            { hint: 'Expand the data ID (registry.expandDataId) before formatting the path.' },
          );
        }
      }

      let value: PyValue;
      const found = fields.get(fieldName);
      if (found !== undefined) value = found;
      else if (optional) {
        spec = '';
        value = { kind: 'str', value: '' };
        if (!literal.includes('/')) literal = '';
      } else {
        throw new FileTemplateError(`'${fieldName}' requested in template via '${this.template}' but not defined and not optional.`, {
          hint: `The dataset ${ref.toString()} has no value for it; make the field optional ('{${fieldName}:?}') or use another template.`,
        });
      }

      let replaceSlash = true;
      if (spec.includes('/')) {
        spec = spec.replaceAll('/', '');
        replaceSlash = false;
      }
      if (value.kind === 'str') {
        let s = value.value.replace(UNSAFE, '_');
        if (replaceSlash) s = s.replaceAll('/', '_');
        value = { kind: 'str', value: s };
      }
      let text: string;
      try {
        text = formatPy(value, spec);
      } catch (e) {
        throw new FileTemplateError(`Cannot format field '${fieldName}' with spec '${spec}' in template '${this.template}': ${(e as Error).message}.`, {
          cause: e,
        });
      }
      output += literal + text;
    }

    const [head, tail] = pathSplit(output);
    output = pathJoin(head, tail.replaceAll('.', '_').replaceAll('#', 'HASH'));

    if (component !== undefined && !usedComponent) {
      throw new FileTemplateError(`Component '${component}' specified but template ${this.template} did not use it.`, {
        hint: "Add '{component:?}' to the template.",
      });
    }
    let path = normpath(output);
    if (path.startsWith('/')) path = path.replace(/^\/+/, '') || '.';
    return path;
  }

  /**
   * Checks the template, alone or against the dataset type that would use it.
   *
   * Always: the template has `run` or `id`, has a dimension field (or `id`), has no `../`, has
   * `{id}` in its file name if it uses `id`, and does not use the retired `collection`. With a
   * dataset type (or a ref's): a component needs a `component` field and a non-component must
   * not have a required one; every required field must be a dimension of the dataset type
   * (required or implied; the single skypix dimension as `skypix`); and every required dimension
   * must appear, directly, as one of an `a|b` alternative, or as the element of an
   * `element.metadata` field, optional or not, so that two data IDs never map to one path.
   *
   * @param entity - a dataset type, a ref, a storage class name (basic checks only), or nothing
   * @throws FileTemplateValidationError saying what is wrong (for missing dimensions, which)
   * @example
   * ```ts
   * new FileTemplate('{run}/{datasetType}_{visit}').validateTemplate(calexpType); // throws: missing 'detector'
   * ```
   * @see lsst.daf.butler.FileTemplate.validateTemplate
   */
  validateTemplate(entity?: FileTemplateEntity | null): void {
    const [grouped, optionals] = this.groupedFields();
    const withSpecials = new Set([
      ...grouped.standard,
      ...grouped.parent,
      ...grouped.special,
      ...optionals.standard,
      ...optionals.parent,
      ...optionals.special,
    ]);
    if (withSpecials.has('collection')) {
      throw new FileTemplateValidationError("'collection' is no longer supported as a file template placeholder; use 'run' instead.");
    }
    if (![...FileTemplate.mandatoryFields].some((f) => withSpecials.has(f))) {
      throw new FileTemplateValidationError(`Template '${this.template}' is missing a mandatory field from ${pySet(FileTemplate.mandatoryFields)}.`);
    }
    const allFields = new Set([...grouped.standard, ...grouped.parent, ...optionals.standard, ...optionals.parent]);
    if (allFields.size === 0 && !withSpecials.has('id')) {
      throw new FileTemplateValidationError(`Template '${this.template}' does not seem to have any fields corresponding to dimensions.`);
    }
    if (this.template.includes('../')) {
      throw new FileTemplateValidationError('A file template should not include jump to parent directory.');
    }
    if (withSpecials.has('id') && !pathSplit(this.template)[1].includes('{id}')) {
      throw new FileTemplateValidationError(`Template '${this.template}' includes the 'id' but that ID is not part of the file name.`);
    }
    if (entity === undefined || entity === null || typeof entity === 'string') return;

    const datasetType = entity instanceof DatasetRef ? entity.datasetType : entity;
    const what = entity.toString();
    if (datasetType.isComponent()) {
      if (!withSpecials.has('component')) {
        throw new FileTemplateValidationError(`Template '${this.template}' has no component but ${what} refers to a component.`);
      }
    } else if (this.fields({ specials: true }).has('component')) {
      throw new FileTemplateValidationError(`Template '${this.template}' has mandatory component but ${what} does not refer to a component.`);
    }

    const minimal = new Set(datasetType.dimensions.required);
    const maximal = new Set(datasetType.dimensions.names);
    const alias = skypixAlias(datasetType.dimensions);
    if (alias !== undefined) {
      for (const s of [minimal, maximal]) {
        s.delete(alias);
        s.add('skypix');
      }
    }
    const required = this.fields();
    const unknown = [...required].filter((f) => !maximal.has(f));
    if (unknown.length > 0) {
      throw new FileTemplateValidationError(
        `Template '${this.template}' is inconsistent with ${what}: ${pySet(required)} is not a subset of ${pySet(maximal)}` +
          ` (not dimensions of the dataset type: ${unknown.sort().join(', ')}).`,
        { hint: "Make those fields optional ('{field:?}') or use another template for this dataset type." },
      );
    }
    const missing = [...minimal].filter((d) => !allFields.has(d));
    if (missing.length > 0) {
      throw new FileTemplateValidationError(
        `Template '${this.template}' is inconsistent with ${what}: ${pySet(allFields)} is not a superset of ${pySet(minimal)}` +
          ` (missing dimensions: ${missing.sort().join(', ')}).`,
        { hint: 'Without them, two data IDs could map to the same path; add them to the template (optional fields count).' },
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// FileTemplates
// ---------------------------------------------------------------------------------------------

/** A template configuration value: a template, or `false`/`null`/`''` (only for `default`: no default). */
export type FileTemplateConfigValue = string | false | null;

/**
 * A template configuration, as the `templates` section of a datastore configuration: keys are
 * dataset type names (`calexp`, `calexp.wcs`), dimension keys (`physical_filter+detector+exposure`),
 * storage class names (`ExposureF`), `default`, and `instrument<NAME>` sections of the same keys.
 */
export type FileTemplatesConfig = Readonly<Record<string, FileTemplateConfigValue | Readonly<Record<string, FileTemplateConfigValue>>>>;

/** Options of the {@link FileTemplates} constructor. */
export interface FileTemplatesOptions {
  /** The universe, to normalise dimension keys (`physical_filter+detector+exposure`). */
  readonly universe: DimensionUniverse;
  /** A default template used when the configuration has no `default` key. */
  readonly default?: string;
}

/** Options of {@link FileTemplates.validateTemplates}. */
export interface ValidateTemplatesOptions {
  /** Log each failure (at FATAL) and the keys that no entity used (at WARN). */
  readonly logFailures?: boolean;
  /** The logger (default `skystack.butler.datastore.fileTemplates`). */
  readonly logger?: Logger;
}

/**
 * daf_butler's default templates (`datastores/fileDatastore.yaml`): every dataset under its run,
 * dataset type and component, with optional directories for tract, patch, day_obs, band,
 * subfilter, physical filter, visit and exposure; raws (`physical_filter+detector+exposure`)
 * by day_obs and obs_id.
 *
 * @example
 * ```ts
 * const templates = new FileTemplates(DEFAULT_FILE_TEMPLATES, { universe });
 * templates.getTemplate(calexpRef).format(calexpRef);
 * // 'demo_collection/calexp.image/20130617/r/HSC-R/903342/calexp_image_HSC_r_HSC-R_903342_1_36_demo_collection'
 * ```
 * @see lsst.daf.butler.datastores.fileDatastore.FileDatastore (configs/datastores/fileDatastore.yaml)
 */
export const DEFAULT_FILE_TEMPLATES: Readonly<Record<'default' | 'physical_filter+detector+exposure', string>> = Object.freeze({
  default:
    '{run:/}/{datasetType}.{component:?}/{tract:?}/{patch:?}/{day_obs|visit.day_obs|exposure.day_obs:?}/{band:?}/{subfilter:?}' +
    '/{physical_filter:?}/{visit:?}/{exposure.obs_id|group:?}/{datasetType}_{component:?}_{instrument:?}_{tract:?}_{patch:?}' +
    '_{band:?}_{physical_filter:?}_{visit:?}_{exposure.obs_id|group:?}_{detector.full_name:?}_{skymap:?}_{skypix:?}' +
    '_{ssp_hypothesis_table:?}_{ssp_hypothesis_bundle:?}_{ssp_balanced_index:?}_{run}',
  // For raw-type files do not include band or filter in hierarchy and remove band from file name.
  'physical_filter+detector+exposure':
    '{run:/}/{datasetType}.{component:?}/{day_obs|exposure.day_obs}/{exposure.obs_id}/{datasetType}_{component:?}' +
    '_{instrument:?}_{physical_filter}_{exposure.obs_id}_{detector.full_name}_{run}',
});

const DATAID_RE = /^([a-z_]+)<(.*)>$/;

function nameKey(name: string, universe: DimensionUniverse, instrument?: string): string {
  let base = name;
  if (name.includes('+')) {
    const dims = name.split('+').filter((n) => n !== '');
    if (dims.every((d) => universe.has(d))) base = dimensionsKeyText(universe.conform(dims));
  }
  return withInstrument(base, instrument);
}

function dimensionsKeyText(group: DimensionGroup): string {
  return group.names.join('+');
}

function withInstrument(base: string, instrument: string | undefined): string {
  return instrument === undefined ? base : `${base} ({'instrument': '${instrument}'})`;
}

/**
 * A set of file templates chosen by dataset type name, dimensions or storage class, with
 * per-instrument overrides, as a file datastore's `templates` configuration.
 *
 * Lookup priority for a dataset (first match wins): in the `instrument<NAME>` section of the
 * ref's instrument, then at top level, try the dataset type name (`calexp.wcs`), the parent
 * composite's name for a component (`calexp`), the dataset type's dimensions (a key such as
 * `physical_filter+detector+exposure`: dimension names joined by `+`, in any order, compared
 * after completing them as a dimension group), then the storage class name(s) (the parent's
 * for a component after its own); finally `default`. A configuration with `default: false` (or
 * none, and no constructor default) has no fallback.
 *
 * @example
 * ```ts
 * const templates = new FileTemplates({ ...DEFAULT_FILE_TEMPLATES, 'instrument<HSC>': { calexp: '{run}/hsc/{visit}_{detector}' } }, { universe });
 * templates.getTemplate(hscCalexpRef).template; // '{run}/hsc/{visit}_{detector}'
 * templates.validateTemplates([calexpType, rawType]);
 * ```
 * @see lsst.daf.butler.FileTemplates
 */
export class FileTemplates {
  /** The configuration key of the default template. */
  static readonly defaultKey = 'default';

  /** The universe used to normalise dimension keys. */
  readonly universe: DimensionUniverse;
  /** The fallback template, if any. */
  readonly default: FileTemplate | undefined;
  readonly #templates = new Map<string, FileTemplate>();

  /**
   * Builds the templates from a configuration; every template is parsed and checked on its own.
   *
   * @param config - the `templates` configuration (see {@link FileTemplatesConfig})
   * @param options - the universe; a default template used when `config` has no `default` key
   * @throws FileTemplateValidationError for a template that fails the basic checks (as for
   *   daf_butler's `templates-bad.yaml`: `calexp: NoFormatSpecifier`)
   * @throws FileTemplateError for a value that is not a string (a `default` may be `false`), or
   *   a nested section whose key is not `key<value>`
   * @example
   * ```ts
   * const templates = new FileTemplates({ default: false, calexp: '{run}/{datasetType}_{visit}_{detector}' }, { universe });
   * ```
   */
  constructor(config: FileTemplatesConfig, options: FileTemplatesOptions) {
    this.universe = options.universe;
    const contents = new Map<string, unknown>();
    let hasDefault = false;
    let defaultValue: unknown;
    for (const [name, value] of Object.entries(config)) {
      if (typeof value === 'object' && value !== null) {
        const kv = DATAID_RE.exec(name);
        if (!kv) throw new FileTemplateError(`Hierarchical key '${name}' not in form 'key<value>'.`);
        if (kv[1] !== 'instrument') {
          throw new FileTemplateError(`Data ID override '${name}' is not supported: only 'instrument<NAME>' sections are looked up.`);
        }
        for (const [sub, subValue] of Object.entries(value)) contents.set(nameKey(sub, this.universe, kv[2]), subValue);
      } else if (name === FileTemplates.defaultKey) {
        hasDefault = true;
        defaultValue = value;
      } else {
        contents.set(nameKey(name, this.universe), value);
      }
    }
    if (!hasDefault) defaultValue = options.default;
    if (defaultValue && typeof defaultValue !== 'string') {
      throw new FileTemplateError(`Default template value should be str or False, or None. Got '${String(defaultValue)}'.`);
    }
    this.default = typeof defaultValue === 'string' && defaultValue !== '' ? new FileTemplate(defaultValue) : undefined;
    for (const [key, value] of contents) {
      if (typeof value !== 'string') {
        throw new FileTemplateError(`Unexpected value in file template key ${key}: ${JSON.stringify(value)}.`);
      }
      this.#templates.set(key, new FileTemplate(value));
    }
  }

  /**
   * Templates from YAML text (a `templates` section, as daf_butler's template config files).
   *
   * @param text - the YAML text: a mapping of keys to templates
   * @param options - the universe and an optional default
   * @returns the templates
   * @throws FileTemplateError when the YAML is not a mapping
   * @throws FileTemplateValidationError for a bad template
   * @example
   * ```ts
   * FileTemplates.fromYaml(readFileSync('templates.yaml', 'utf8'), { universe });
   * ```
   */
  static fromYaml(text: string, options: FileTemplatesOptions): FileTemplates {
    const data: unknown = parseYaml(text);
    if (data === null || data === undefined) return new FileTemplates({}, options);
    if (typeof data !== 'object' || Array.isArray(data)) throw new FileTemplateError('A file templates configuration must be a mapping.');
    return new FileTemplates(data as FileTemplatesConfig, options);
  }

  /** The templates (not the default) by lookup key text (`calexp`, `instrument+physical_filter+band`, `pvi ({'instrument': 'HSC'})`). */
  get templates(): ReadonlyMap<string, FileTemplate> {
    return this.#templates;
  }

  /**
   * Whether a lookup key has a template.
   *
   * @param key - lookup key text, as in {@link templates}
   * @returns true if present
   */
  has(key: string): boolean {
    return this.#templates.has(key);
  }

  /** The lookup keys of every template (not the default). */
  getLookupKeys(): Set<string> {
    return new Set(this.#templates.keys());
  }

  /** Lookup key texts for an entity, highest priority first (daf_butler's `_lookupNames`). */
  #lookupNames(entity: FileTemplateEntity, storageClassNames?: string | readonly string[]): string[] {
    if (typeof entity === 'string') return [entity];
    const datasetType = entity instanceof DatasetRef ? entity.datasetType : entity;
    const [parent, component] = DatasetType.splitDatasetTypeName(datasetType.name);
    const names: string[] = [datasetType.name];
    if (component !== undefined) names.push(parent);
    if (!datasetType.dimensions.isEmpty) names.push(dimensionsKeyText(datasetType.dimensions));
    if (storageClassNames !== undefined) names.push(...(typeof storageClassNames === 'string' ? [storageClassNames] : storageClassNames));
    else {
      names.push(datasetType.storageClass);
      if (component !== undefined && datasetType.parentStorageClass !== undefined) names.push(datasetType.parentStorageClass);
    }
    const instrument = entity instanceof DatasetRef ? entity.dataId.get('instrument') : undefined;
    if (instrument === undefined) return names;
    return [...names.map((n) => withInstrument(n, String(instrument))), ...names];
  }

  /**
   * The template for a dataset, and the key that chose it.
   *
   * @param entity - a ref (instrument overrides apply), a dataset type, or a storage class name
   * @param storageClassNames - storage class names to try instead of the dataset type's own
   *   (e.g. with the classes it inherits from), in order
   * @returns `[matchKey, template]`; `matchKey` is `'default'` for the fallback
   * @throws FileTemplateError when nothing matches and there is no default
   * @example
   * ```ts
   * const [key, template] = templates.getTemplateWithMatch(rawRef); // key 'instrument+detector+exposure+...'
   * ```
   * @see lsst.daf.butler.FileTemplates.getTemplateWithMatch
   */
  getTemplateWithMatch(entity: FileTemplateEntity, storageClassNames?: string | readonly string[]): [string, FileTemplate] {
    for (const key of this.#lookupNames(entity, storageClassNames)) {
      const t = this.#templates.get(key);
      if (t !== undefined) return [key, t];
    }
    if (this.default === undefined) {
      throw new FileTemplateError(`Unable to determine file template from supplied argument [${entity.toString()}].`, {
        hint: "Add a template for it, or a 'default' template, to the datastore's templates configuration.",
      });
    }
    return [FileTemplates.defaultKey, this.default];
  }

  /**
   * The template for a dataset.
   *
   * @param entity - a ref (instrument overrides apply), a dataset type, or a storage class name
   * @param storageClassNames - storage class names to try instead of the dataset type's own, in order
   * @returns the template
   * @throws FileTemplateError when nothing matches and there is no default
   * @example
   * ```ts
   * const path = templates.getTemplate(ref).format(ref);
   * ```
   * @see lsst.daf.butler.FileTemplates.getTemplate
   */
  getTemplate(entity: FileTemplateEntity, storageClassNames?: string | readonly string[]): FileTemplate {
    return this.getTemplateWithMatch(entity, storageClassNames)[1];
  }

  /**
   * Checks the template of each entity against it ({@link FileTemplate.validateTemplate}),
   * collecting every failure.
   *
   * @param entities - dataset types, refs or storage class names
   * @param options - whether to log failures and unused keys; the logger
   * @throws FileTemplateValidationError listing every failure (`N template validation failures: ...`),
   *   each with the key that chose the template, or naming an entity with no template
   * @example
   * ```ts
   * templates.validateTemplates(registry.queryDatasetTypes());
   * ```
   * @see lsst.daf.butler.FileTemplates.validateTemplates
   */
  validateTemplates(entities: Iterable<FileTemplateEntity>, options: ValidateTemplatesOptions = {}): void {
    const log = options.logger ?? getLogger('skystack.butler.datastore.fileTemplates');
    const unmatched = new Set(this.#templates.keys());
    const failed: string[] = [];
    for (const entity of entities) {
      let matchKey: string;
      let template: FileTemplate;
      try {
        [matchKey, template] = this.getTemplateWithMatch(entity);
      } catch (e) {
        if (!(e instanceof FileTemplateError)) throw e;
        failed.push(e.message);
        if (options.logFailures) log.fatal(e.message);
        continue;
      }
      unmatched.delete(matchKey);
      try {
        template.validateTemplate(entity);
      } catch (e) {
        if (!(e instanceof FileTemplateValidationError)) throw e;
        failed.push(`${e.message} (via key '${matchKey}')`);
        if (options.logFailures) log.fatal(`Template failure with key '${matchKey}': ${e.message}`);
      }
    }
    if (options.logFailures && unmatched.size > 0) log.warn(`Unchecked keys: '${[...unmatched].join(', ')}'`);
    if (failed.length === 1) throw new FileTemplateValidationError(failed[0]!);
    if (failed.length > 1) throw new FileTemplateValidationError(`${failed.length} template validation failures: ${failed.join(';\n')}`);
  }
}
