import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { getLogger } from '@skystack/base';
import { parse as parseYaml } from 'yaml';
import { FieldValidationError, OverrideSyntaxError, UnknownFieldError, UnsupportedOverrideError } from './errors.js';
import { ScalarFieldSpec } from './field.js';
import { ListFieldSpec } from './list-field.js';
import { DictFieldSpec } from './dict-field.js';
import { ConfigDictFieldSpec } from './config-dict-field.js';
import { choiceOf, type ConfigChoiceInstance } from './config-choice-field.js';
import { handleOf, type ConfigurableHandle } from './configurable-field.js';
import { configPath, isConfig, stateOf, type ConfigState, type FieldSpec } from './field-spec.js';
import { withHistoryLabel } from './history.js';
import { PyCall, PyName, parseLiteral, parseOverrideText, parsePath, type PathPart, type PyValue } from './override-parser.js';
import { setField, type Config } from './config.js';

/** What loading an override text or file reports besides applying it. */
export interface LoadResult {
  /** Warnings, e.g. `overrides.py:1: import line ignored: import lsst.ip.isr`. */
  readonly warnings: readonly string[];
}

/** One `-c` override: a field path and its value as text (or an already-typed value). */
export interface FieldOverride {
  /** The field path relative to the config, e.g. `doBias`, `isr.gain`, `skyMap['rings'].numTracts`. */
  readonly field: string;
  /** The value: text parsed by the field's type (`False`, `3`, `[1, 2]`, `'a'` or `a`), or a typed value. */
  readonly value: unknown;
}

/** Options of {@link applyOverrides} and {@link applyOverrideMapping}. */
export interface ApplyOverridesOptions {
  /** Where the values come from, recorded in the history (default `-c override` / `overrides`). */
  readonly label?: string;
}

/** A resolved assignment target. */
type Target =
  | { kind: 'field'; state: ConfigState; name: string; spec: FieldSpec }
  | { kind: 'choiceAttr'; choice: ConfigChoiceInstance; name: 'name' | 'names'; path: string }
  | { kind: 'item'; container: Record<string | number, unknown>; key: string | number; owner: unknown; path: string; itemClass?: string };

interface Ctx {
  readonly filename: string;
}

function fail(ctx: Ctx, part: { line: number; column: number }, message: string): never {
  throw new OverrideSyntaxError(ctx.filename, part.line, part.column, message);
}

/** Steps from a value into `part`, for every part but the last. */
function step(cur: unknown, part: PathPart, ctx: Ctx, where: string): unknown {
  const handle = handleOf(cur);
  if (handle !== undefined) {
    if (part.kind === 'attr' && part.name === 'value') return handle.value;
    return step(handle.value, part, ctx, where);
  }
  const choice = choiceOf(cur);
  if (choice !== undefined) {
    if (part.kind === 'attr' && part.name === 'active') return choice.active;
    const key = part.kind === 'item' ? String(part.key) : part.name;
    return choice.get(key);
  }
  if (isConfig(cur)) {
    if (part.kind !== 'attr') fail(ctx, part, `${where} is a config; use '.field', not [key].`);
    const state = stateOf(cur);
    if (!state.fields.has(part.name)) throw new UnknownFieldError(configPath(state), part.name, [...state.fields.keys()]);
    return (cur as unknown as Record<string, unknown>)[part.name];
  }
  if (typeof cur === 'object' && cur !== null && part.kind === 'item') {
    const v = (cur as Record<string, unknown>)[String(part.key)];
    if (v === undefined) fail(ctx, part, `${where} has no key ${JSON.stringify(part.key)}.`);
    return v;
  }
  fail(ctx, part, `Cannot step into ${where} with ${part.kind === 'attr' ? `'.${part.name}'` : `[${JSON.stringify(part.key)}]`}.`);
}

function pathText(root: string, parts: readonly PathPart[]): string {
  return root + parts.map((p) => (p.kind === 'attr' ? `.${p.name}` : `[${JSON.stringify(p.key)}]`)).join('');
}

/** Resolves the parent of the last part and describes the target. */
function resolveTarget(base: unknown, root: string, parts: readonly PathPart[], ctx: Ctx): Target {
  let cur = base;
  for (let i = 0; i < parts.length - 1; i++) cur = step(cur, parts[i]!, ctx, pathText(root, parts.slice(0, i)));
  const last = parts[parts.length - 1]!;
  const where = pathText(root, parts);
  const handle = handleOf(cur);
  if (handle !== undefined) cur = handle.value;
  const choice = choiceOf(cur);
  if (choice !== undefined) {
    if (last.kind === 'attr' && (last.name === 'name' || last.name === 'names')) return { kind: 'choiceAttr', choice, name: last.name, path: where };
    const key = last.kind === 'item' ? String(last.key) : last.name;
    return { kind: 'item', container: { get [key]() { return choice.get(key); }, set [key](v: unknown) { choice.set(key, v as Record<string, unknown>); } } as Record<string, unknown>, key, owner: choice, path: where };
  }
  if (isConfig(cur)) {
    if (last.kind !== 'attr') fail(ctx, last, `${pathText(root, parts.slice(0, -1))} is a config; use '.field', not [key].`);
    const state = stateOf(cur);
    const spec = state.fields.get(last.name);
    if (spec === undefined) throw new UnknownFieldError(configPath(state), last.name, [...state.fields.keys()]);
    return { kind: 'field', state, name: last.name, spec };
  }
  if (typeof cur === 'object' && cur !== null && last.kind === 'item') {
    const parent = parts.length > 1 ? resolveTarget(base, root, parts.slice(0, -1), ctx) : undefined;
    const itemClass = parent?.kind === 'field' && parent.spec instanceof ConfigDictFieldSpec ? parent.spec.itemtype.name : undefined;
    return { kind: 'item', container: cur as Record<string, unknown>, key: last.key, owner: cur, path: where, ...(itemClass === undefined ? {} : { itemClass }) };
  }
  fail(ctx, last, `${where} cannot be assigned.`);
}

/** Converts a parsed value for a target: calls make configs, names are refused. */
function convertValue(value: PyValue, target: Target, ctx: Ctx): unknown {
  if (value instanceof PyName) {
    fail(ctx, value, `Names such as '${value.name}' are not supported as values in config overrides; use a literal.`);
  }
  if (value instanceof PyCall) {
    const expected = expectedConfigClass(target);
    const short = value.callee.split('.').pop();
    if (expected === undefined || (short !== expected && expected !== '*')) {
      fail(ctx, value, `Calling '${value.callee}' is not supported here${expected === undefined ? '' : `; expected ${expected}(...)`}.`);
    }
    if (value.args.length > 0) fail(ctx, value, `${value.callee}(...) takes keyword arguments only.`);
    return Object.fromEntries(Object.entries(value.kwargs).map(([k, v]) => [k, convertValue(v, target, ctx)]));
  }
  if (Array.isArray(value)) return value.map((v) => convertValue(v, target, ctx));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convertValue(v as PyValue, target, ctx)]));
  }
  return value;
}

function expectedConfigClass(target: Target): string | undefined {
  if (target.kind === 'field') {
    const spec = target.spec as { kind: string; dtype?: { name: string } };
    if (spec.kind === 'ConfigField') return spec.dtype?.name;
    return undefined;
  }
  if (target.kind === 'item') {
    const choice = choiceOf(target.owner);
    if (choice !== undefined) return choice.types[String(target.key)]?.name;
    return target.itemClass;
  }
  return undefined;
}

function assign(target: Target, value: unknown): void {
  switch (target.kind) {
    case 'field':
      setField(target.state, target.name, value);
      return;
    case 'choiceAttr':
      if (target.name === 'name') target.choice.name = value as string | null;
      else target.choice.names = value as string[];
      return;
    case 'item':
      target.container[target.key] = value;
      return;
  }
}

function currentValue(target: Target): unknown {
  switch (target.kind) {
    case 'field':
      return (target.state.proxy as unknown as Record<string, unknown>)[target.name];
    case 'choiceAttr':
      return target.name === 'name' ? target.choice.name : target.choice.names;
    case 'item':
      return target.container[target.key];
  }
}

function callMethod(base: unknown, root: string, stmt: Extract<ReturnType<typeof parseOverrideText>[number], { kind: 'call' }>, ctx: Ctx): void {
  const method = stmt.path[stmt.path.length - 1] as Extract<PathPart, { kind: 'attr' }>;
  const objPath = stmt.path.slice(0, -1);
  let obj = base;
  for (let i = 0; i < objPath.length; i++) obj = step(obj, objPath[i]!, ctx, pathText(root, objPath.slice(0, i)));
  const where = pathText(root, objPath);
  const handle = handleOf(obj);
  if (method.name === 'retarget') {
    if (handle === undefined) fail(ctx, method, `${where} is not a ConfigurableField; it has no retarget().`);
    retargetStatement(handle, stmt, where, ctx);
    return;
  }
  const args = stmt.args.map((a) => convertValue(a, { kind: 'item', container: {}, key: '', owner: undefined, path: where }, ctx));
  if (Array.isArray(obj)) {
    const list = obj as unknown[];
    switch (method.name) {
      case 'append':
        if (args.length !== 1) fail(ctx, method, 'append() takes exactly one argument.');
        list.push(args[0]);
        return;
      case 'extend':
        if (args.length !== 1 || !Array.isArray(args[0])) fail(ctx, method, 'extend() takes one list.');
        list.push(...(args[0] as unknown[]));
        return;
      case 'insert':
        if (args.length !== 2 || typeof args[0] !== 'number') fail(ctx, method, 'insert() takes an index and a value.');
        list.splice(args[0] as number, 0, args[1]);
        return;
      case 'remove': {
        const i = list.indexOf(args[0]);
        if (i < 0) fail(ctx, method, `${where}.remove(x): x not in list.`);
        list.splice(i, 1);
        return;
      }
      case 'clear':
        list.length = 0;
        return;
    }
  } else if (typeof obj === 'object' && obj !== null && !isConfig(obj) && handle === undefined && choiceOf(obj) === undefined) {
    const dict = obj as Record<string, unknown>;
    switch (method.name) {
      case 'update':
        for (const [k, v] of Object.entries((args[0] ?? {}) as Record<string, unknown>)) dict[k] = v;
        return;
      case 'clear':
        for (const k of Object.keys(dict)) delete dict[k];
        return;
      case 'pop':
        delete dict[String(args[0])];
        return;
    }
  }
  fail(ctx, method, `${where}.${method.name}(...) is not supported in config overrides (append, extend, insert, remove, clear on lists; update, clear, pop on dicts).`);
}

function retargetStatement(handle: ConfigurableHandle, stmt: { args: readonly PyValue[]; kwargs: Readonly<Record<string, PyValue>>; line: number; column: number }, where: string, ctx: Ctx): void {
  const targetArg = stmt.kwargs['target'] ?? stmt.args[0];
  const classArg = stmt.kwargs['ConfigClass'] ?? stmt.args[1];
  const nameOf = (v: PyValue | undefined): string | undefined => (v instanceof PyName ? v.name.split('.').pop() : undefined);
  const t = nameOf(targetArg);
  const c = nameOf(classArg);
  if (t !== undefined && t === handle.target.name && (c === undefined || c === handle.ConfigClass.name)) return;
  throw new UnsupportedOverrideError(
    `${ctx.filename}:${stmt.line}:${stmt.column}: ${where}.retarget(${t ?? '...'}) is not supported in config override text: SkyStack does not import code named in overrides.`,
    { hint: `Call ${where.replace(/^[^.[]+/, 'config')}.retarget(${t ?? 'Task'}) in TypeScript before loading the overrides.` },
  );
}

/**
 * Applies override text to a config.
 *
 * @internal
 */
export function applyOverrideText(config: Config, text: string, options: { root: string; filename: string }): LoadResult {
  const ctx: Ctx = { filename: options.filename };
  const statements = parseOverrideText(text, options.filename);
  const warnings: string[] = [];
  stateOf(config);
  for (const stmt of statements) {
    const label = `${options.filename}:${stmt.line}`;
    if (stmt.kind === 'ignored') {
      const w = `${label}: ${stmt.text.startsWith('assert') ? 'assert' : 'import'} line ignored: ${stmt.text}`;
      warnings.push(w);
      getLogger('skystack.pex_config').warn(w);
      continue;
    }
    if (stmt.root !== options.root) {
      fail(ctx, stmt, `Unknown name '${stmt.root}'; override statements must start with '${options.root}'.`);
    }
    withHistoryLabel(label, () => {
      if (stmt.kind === 'call') {
        if (stmt.path.length === 0) fail(ctx, stmt, `'${stmt.root}' cannot be called.`);
        callMethod(config, options.root, stmt, ctx);
        return;
      }
      if (stmt.path.length === 0) fail(ctx, stmt, `'${stmt.root}' itself cannot be assigned; assign its fields.`);
      const target = resolveTarget(config, options.root, stmt.path, ctx);
      const value = convertValue(stmt.value, target, ctx);
      if (stmt.op === '+=') {
        const current = currentValue(target);
        if (!Array.isArray(current) || !Array.isArray(value)) fail(ctx, stmt, `'+=' is supported only for lists (${target.kind === 'field' ? configPath(target.state) + '.' + target.name : 'target'}).`);
        (current as unknown[]).push(...(value as unknown[]));
        return;
      }
      assign(target, value);
    });
  }
  return { warnings };
}

/** Parses a `-c` value text according to the target field. */
function parseValueFor(target: Target, value: unknown, ctx: Ctx): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  const literal = (): unknown => convertValue(parseLiteral(text, ctx.filename), target, ctx);
  if (target.kind === 'choiceAttr') {
    if (target.name === 'name') return /^['"]/.test(text) ? literal() : text;
    return /^[[(]/.test(text) ? literal() : text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  }
  if (target.kind === 'field') {
    const spec = target.spec;
    if (spec instanceof ScalarFieldSpec) {
      if (spec.dtype === 'str') return /^['"]/.test(text) ? literal() : value;
      if (spec.dtype === 'bool') {
        if (/^true$/i.test(text)) return true;
        if (/^false$/i.test(text)) return false;
      }
      if (text === 'None') return null;
      return parseOrFail(literal, target, value);
    }
    if (spec instanceof ListFieldSpec) {
      if (spec.dtype === 'str' && !/^[[(]/.test(text) && text !== 'None') return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
      return parseOrFail(literal, target, value);
    }
    if (spec instanceof DictFieldSpec || spec instanceof ConfigDictFieldSpec) return parseOrFail(literal, target, value);
  }
  try {
    return literal();
  } catch {
    return value;
  }
}

function parseOrFail(literal: () => unknown, target: Target & { kind: 'field' }, value: string): unknown {
  try {
    return literal();
  } catch (e) {
    throw new FieldValidationError(`${configPath(target.state)}.${target.name}`, value, `Cannot parse ${JSON.stringify(value)} as ${target.spec.typeName()}.`, { cause: e });
  }
}

/**
 * Applies `-c` style overrides (`pipetask run -c isr:doBias=False`): each value is text
 * parsed by the type of its field (`False`, `3`, `1e-3`, `[1, 2]`, a bare or quoted string),
 * or an already-typed value. Recorded in the history under `label` (default `-c override`).
 *
 * @example
 * ```ts
 * applyOverrides(config, [
 *   { field: 'doBias', value: 'False' },
 *   { field: 'background.binSize', value: '64' },
 *   { field: 'badMaskPlanes', value: "['BAD', 'SAT']" },
 * ]);
 * ```
 * @param config - the config to modify
 * @param overrides - field paths and values
 * @param options - `label`
 * @throws {@link @skystack/pex-config!UnknownFieldError} for an unknown field, {@link @skystack/pex-config!FieldValidationError} for a value
 *   that cannot be parsed or is not allowed
 * @see lsst.pipe.base.configOverrides.ConfigOverrides.addValueOverride
 */
export function applyOverrides(config: Config, overrides: readonly FieldOverride[], options: ApplyOverridesOptions = {}): void {
  const label = options.label ?? '-c override';
  const ctx: Ctx = { filename: label };
  withHistoryLabel(label, () => {
    for (const o of overrides) {
      const target = resolveTarget(config, 'config', parsePath(o.field, label), ctx);
      assign(target, parseValueFor(target, o.value, ctx));
    }
  });
}

/** A `pipetask -c` option split into its parts. */
export interface ConfigOverrideOption {
  /** The task label, e.g. `isr`. */
  readonly label: string;
  /** The field path, e.g. `doBias`. */
  readonly field: string;
  /** The value text, e.g. `False`. */
  readonly value: string;
}

/**
 * Splits a `pipetask -c` option value, `label:field.path=value`, into its parts.
 *
 * @param option - e.g. `isr:doBias=False`
 * @returns the task label, field path and value text
 * @throws {@link @skystack/pex-config!OverrideSyntaxError} when there is no `label:` or no `=`
 * @see lsst.ctrl.mpexec.cli.opt.config_option
 */
export function parseConfigOverrideOption(option: string): ConfigOverrideOption {
  const colon = option.indexOf(':');
  const eq = option.indexOf('=');
  if (colon <= 0 || eq < colon + 2) {
    throw new OverrideSyntaxError('-c', 1, 1, `Expected 'label:field=value' but got '${option}'.`);
  }
  return { label: option.slice(0, colon), field: option.slice(colon + 1, eq).trim(), value: option.slice(eq + 1) };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !isConfig(v);
}

function applyMapping(base: unknown, prefix: readonly PathPart[], mapping: Record<string, unknown>, ctx: Ctx): void {
  for (const [key, value] of Object.entries(mapping)) {
    const parts = [...prefix, ...parsePath(key, ctx.filename)];
    const target = resolveTarget(base, 'config', parts, ctx);
    const isMapping = isPlainObject(value);
    const structured =
      target.kind === 'field' &&
      (target.spec.kind === 'ConfigField' || target.spec.kind === 'ConfigurableField' || target.spec.kind === 'ConfigChoiceField' || target.spec.kind === 'RegistryField');
    if (isMapping && (structured || (target.kind === 'item' && choiceOf(target.owner) !== undefined))) {
      applyMapping(base, parts, value, ctx);
    } else {
      assign(target, parseValueFor(target, value, ctx));
    }
  }
}

/**
 * Applies a mapping of overrides, as found in a YAML or JSON override file or a pipeline's
 * `config:` block: nested mappings (`{ isr: { doBias: false } }`) or dotted keys
 * (`{ 'isr.doBias': false }`); string values for non-string fields are parsed as Python
 * literals (`subregionSize: (10000, 200)`).
 *
 * @param config - the config to modify
 * @param mapping - the overrides
 * @param options - `label` (default `overrides`)
 * @throws {@link @skystack/pex-config!UnknownFieldError}, {@link @skystack/pex-config!FieldValidationError}
 * @see lsst.pipe.base.pipelineIR.ConfigIR
 */
export function applyOverrideMapping(config: Config, mapping: Readonly<Record<string, unknown>>, options: ApplyOverridesOptions = {}): void {
  const label = options.label ?? 'overrides';
  withHistoryLabel(label, () => applyMapping(config, [], { ...mapping }, { filename: label }));
}

/**
 * Loads an override file by its extension: `.py` (the safe Python subset, as
 * `Config.load`), `.yaml`/`.yml`/`.json` (a mapping, as {@link applyOverrideMapping}).
 *
 * @param config - the config to modify
 * @param path - the file
 * @returns the warnings
 * @throws {@link @skystack/pex-config!OverrideSyntaxError} and the errors of the appliers
 * @see lsst.pex.config.Config.load
 */
export async function loadOverrideFile(config: Config, path: string): Promise<LoadResult> {
  const text = await readFile(path, 'utf8');
  const ext = extname(path).toLowerCase();
  if (ext === '.yaml' || ext === '.yml' || ext === '.json') {
    const data: unknown = parseYaml(text);
    if (data === null || data === undefined) return { warnings: [] };
    if (!isPlainObject(data)) throw new OverrideSyntaxError(path, 1, 1, 'An override file must hold a mapping of field names to values.');
    applyOverrideMapping(config, data, { label: path });
    return { warnings: [] };
  }
  return applyOverrideText(config, text, { root: 'config', filename: path });
}

/**
 * Finds the config holding a dotted field path and the field's name there.
 *
 * @internal
 */
export function resolveFieldPath(config: Config, path: string): { state: ConfigState; name: string } {
  const target = resolveTarget(config, 'config', parsePath(path), { filename: '<field>' });
  if (target.kind !== 'field') throw new UnknownFieldError(configPath(stateOf(config)), path, [...stateOf(config).fields.keys()]);
  return { state: target.state, name: target.name };
}
