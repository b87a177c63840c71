// LSST's functor YAML files (`funcs`, `flags`, `refFlags`, `calexpFlags`, `forcedFlags`,
// `flag_rename_rules`): parsed into a CompositeFunctor of the functors SkyStack implements and
// a list, by output column, of those it does not.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { FunctorFileError } from '../errors.js';
import type { Functor } from '../functors.js';
import { Column, CoordColumn, DecColumn, DecErrColumn, HtmIndex20, Index, RAColumn, RADecCovColumn, RAErrColumn, SinglePrecisionFloatColumn } from './column.js';
import { CompositeFunctor } from './composite-functor.js';
import { ComputePixelScale, ConvertDetectorAngleToPositionAngle, ConvertPixelSqToArcsecondsSq, ConvertPixelToArcseconds } from './local-wcs.js';
import {
  LocalDipoleDiffFlux,
  LocalDipoleDiffFluxErr,
  LocalDipoleMeanFlux,
  LocalDipoleMeanFluxErr,
  LocalMagnitude,
  LocalMagnitudeErr,
  LocalNanojansky,
  LocalNanojanskyErr,
  Mag,
  MagErr,
  NanoJansky,
  NanoJanskyErr,
} from './photometry.js';

/** How a functor is made from the positional `args` of a functor file entry. */
interface FunctorFactory {
  /** The least and most positional arguments. */
  readonly arity: readonly [number, number];
  /** Makes the functor from checked string arguments. */
  readonly make: (args: readonly string[]) => Functor;
}

const a = (args: readonly string[], i: number): string => args[i]!;

/** The functors SkyStack implements, by LSST class name. */
const FACTORIES: ReadonlyMap<string, FunctorFactory> = new Map<string, FunctorFactory>([
  ['Column', { arity: [1, 1], make: (x) => new Column(a(x, 0)) }],
  ['Index', { arity: [0, 0], make: () => new Index() }],
  ['CoordColumn', { arity: [1, 1], make: (x) => new CoordColumn(a(x, 0)) }],
  ['RAColumn', { arity: [0, 0], make: () => new RAColumn() }],
  ['DecColumn', { arity: [0, 0], make: () => new DecColumn() }],
  ['RAErrColumn', { arity: [0, 0], make: () => new RAErrColumn() }],
  ['DecErrColumn', { arity: [0, 0], make: () => new DecErrColumn() }],
  ['RADecCovColumn', { arity: [0, 0], make: () => new RADecCovColumn() }],
  ['SinglePrecisionFloatColumn', { arity: [1, 1], make: (x) => new SinglePrecisionFloatColumn(a(x, 0)) }],
  ['HtmIndex20', { arity: [2, 2], make: (x) => new HtmIndex20(a(x, 0), a(x, 1)) }],
  ['LocalNanojansky', { arity: [3, 4], make: (x) => new LocalNanojansky(a(x, 0), a(x, 1), a(x, 2), x[3]) }],
  ['LocalNanojanskyErr', { arity: [3, 4], make: (x) => new LocalNanojanskyErr(a(x, 0), a(x, 1), a(x, 2), x[3]) }],
  ['LocalMagnitude', { arity: [3, 4], make: (x) => new LocalMagnitude(a(x, 0), a(x, 1), a(x, 2), x[3]) }],
  ['LocalMagnitudeErr', { arity: [3, 4], make: (x) => new LocalMagnitudeErr(a(x, 0), a(x, 1), a(x, 2), x[3]) }],
  ['LocalDipoleMeanFlux', { arity: [5, 6], make: (x) => new LocalDipoleMeanFlux(a(x, 0), a(x, 1), a(x, 2), a(x, 3), a(x, 4)) }],
  ['LocalDipoleMeanFluxErr', { arity: [5, 6], make: (x) => new LocalDipoleMeanFluxErr(a(x, 0), a(x, 1), a(x, 2), a(x, 3), a(x, 4)) }],
  ['LocalDipoleDiffFlux', { arity: [5, 6], make: (x) => new LocalDipoleDiffFlux(a(x, 0), a(x, 1), a(x, 2), a(x, 3), a(x, 4)) }],
  ['LocalDipoleDiffFluxErr', { arity: [5, 6], make: (x) => new LocalDipoleDiffFluxErr(a(x, 0), a(x, 1), a(x, 2), a(x, 3), a(x, 4)) }],
  ['NanoJansky', { arity: [1, 2], make: (x) => new NanoJansky(a(x, 0), x[1]) }],
  ['NanoJanskyErr', { arity: [1, 2], make: (x) => new NanoJanskyErr(a(x, 0), x[1]) }],
  ['Mag', { arity: [1, 1], make: (x) => new Mag(a(x, 0)) }],
  ['MagErr', { arity: [1, 1], make: (x) => new MagErr(a(x, 0)) }],
  ['ComputePixelScale', { arity: [4, 4], make: (x) => new ComputePixelScale(a(x, 0), a(x, 1), a(x, 2), a(x, 3)) }],
  ['ConvertPixelToArcseconds', { arity: [5, 5], make: (x) => new ConvertPixelToArcseconds(a(x, 0), a(x, 1), a(x, 2), a(x, 3), a(x, 4)) }],
  ['ConvertPixelSqToArcsecondsSq', { arity: [5, 5], make: (x) => new ConvertPixelSqToArcsecondsSq(a(x, 0), a(x, 1), a(x, 2), a(x, 3), a(x, 4)) }],
  [
    'ConvertDetectorAngleToPositionAngle',
    { arity: [5, 5], make: (x) => new ConvertDetectorAngleToPositionAngle(a(x, 0), a(x, 1), a(x, 2), a(x, 3), a(x, 4)) },
  ],
]);

/** The functor class names that {@link parseFunctorDefinition} can make. */
export const IMPLEMENTED_FUNCTORS: readonly string[] = Object.freeze([...FACTORIES.keys()]);

/**
 * Keyword arguments of LSST's functors that only matter for multi-band object tables; they are
 * accepted and ignored for single-visit tables.
 */
const IGNORED_KWARGS = new Set(['dataset', 'filt', 'noDup']);

/** A functor file entry whose functor SkyStack does not implement. */
export interface UnsupportedFunctor {
  /** The output column it defines. */
  readonly column: string;
  /** The LSST functor class name. */
  readonly functorName: string;
}

/** A parsed functor file. */
export interface FunctorFile {
  /** Where it was read from (undefined for a parsed object). */
  readonly path: string | undefined;
  /** The functors SkyStack implements (entries of `funcs`, then the flag lists as `Column`s). */
  readonly funcs: CompositeFunctor;
  /** The entries SkyStack cannot evaluate, by output column name. */
  readonly unsupported: readonly UnsupportedFunctor[];
  /** Every output column the file defines, in order (implemented or not). */
  readonly outputColumns: readonly string[];
  /** The `flag_rename_rules`, applied to the flag lists' output names. */
  readonly renameRules: readonly (readonly [string, string])[];
  /**
   * Output columns listed under the SkyStack key `optional` (ignored by LSST): left out, with a
   * warning, when their inputs are missing.
   */
  readonly optional: ReadonlySet<string>;
}

/** The flag lists of a functor file, in the order LSST adds them. */
const FLAG_KEYS = ['calexpFlags', 'refFlags', 'forcedFlags', 'flags'] as const;

function where(path: string | undefined): string {
  return path === undefined ? 'the functor definition' : `functor file ${path}`;
}

function stringList(value: unknown, key: string, path: string | undefined): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new FunctorFileError(`'${key}' in ${where(path)} must be a list of column names; got ${JSON.stringify(value)?.slice(0, 80)}.`);
  }
  return value as string[];
}

/**
 * Builds the functors of a functor definition (the parsed YAML of LSST's
 * `schemas/Source.yaml` and the like).
 *
 * @param definition - the parsed document
 * @param path - the file it came from, for messages
 * @returns the implemented functors, the unsupported entries by name, and the rename rules
 * @throws {@link FunctorFileError} when the layout is wrong: no `funcs` mapping, an entry
 *   without `functor`, arguments that are not strings, the wrong number of arguments, an
 *   unknown keyword argument, a flag list that is not a list of names
 * @example
 * ```ts
 * const file = parseFunctorDefinition({ funcs: { ra: { functor: 'RAColumn' } }, flags: ['sky_source'] });
 * [...file.funcs.funcDict.keys()]; // ['ra', 'sky_source']
 * ```
 * @see lsst.pipe.tasks.functors.CompositeFunctor.from_yaml
 */
export function parseFunctorDefinition(definition: unknown, path?: string): FunctorFile {
  if (typeof definition !== 'object' || definition === null || Array.isArray(definition)) {
    throw new FunctorFileError(`${where(path)} must be a YAML mapping with a 'funcs' key; got ${Array.isArray(definition) ? 'a list' : typeof definition}.`);
  }
  const doc = definition as Record<string, unknown>;
  const funcsIn = doc['funcs'];
  if (typeof funcsIn !== 'object' || funcsIn === null || Array.isArray(funcsIn)) {
    throw new FunctorFileError(`${where(path)} has no 'funcs' mapping of output column to functor.`, {
      hint: "Expected e.g. 'funcs: { ra: { functor: RAColumn } }'.",
    });
  }
  let renameRules: [string, string][] = [];
  if (doc['flag_rename_rules'] !== undefined && doc['flag_rename_rules'] !== null) {
    const rules = doc['flag_rename_rules'];
    if (!Array.isArray(rules) || !rules.every((r) => Array.isArray(r) && r.length === 2 && r.every((s) => typeof s === 'string'))) {
      throw new FunctorFileError(`'flag_rename_rules' in ${where(path)} must be a list of [old, new] string pairs.`);
    }
    renameRules = rules as [string, string][];
  }
  const funcs = new Map<string, Functor>();
  const unsupported: UnsupportedFunctor[] = [];
  const outputColumns: string[] = [];
  for (const [column, entry] of Object.entries(funcsIn as Record<string, unknown>)) {
    outputColumns.push(column);
    if (typeof entry !== 'object' || entry === null || typeof (entry as Record<string, unknown>)['functor'] !== 'string') {
      throw new FunctorFileError(`Entry '${column}' of 'funcs' in ${where(path)} has no 'functor' name.`, { hint: "Expected e.g. '{ functor: Column, args: id }'." });
    }
    const { functor: functorName, args: argsIn, ...kwargs } = entry as { functor: string; args?: unknown } & Record<string, unknown>;
    const factory = FACTORIES.get(functorName);
    if (factory === undefined) {
      unsupported.push({ column, functorName });
      continue;
    }
    const args = argsIn === undefined || argsIn === null ? [] : typeof argsIn === 'string' ? [argsIn] : argsIn;
    if (!Array.isArray(args) || !args.every((x) => typeof x === 'string')) {
      throw new FunctorFileError(`Entry '${column}' (${functorName}) in ${where(path)} has arguments that are not column names: ${JSON.stringify(argsIn)}.`);
    }
    const [lo, hi] = factory.arity;
    if (args.length < lo || args.length > hi) {
      const want = lo === hi ? `${lo}` : `${lo} to ${hi}`;
      throw new FunctorFileError(`Entry '${column}': ${functorName} takes ${want} column arguments; ${args.length} given (${args.join(', ') || 'none'}) in ${where(path)}.`);
    }
    const unknown = Object.keys(kwargs).filter((k) => !IGNORED_KWARGS.has(k));
    if (unknown.length > 0) {
      throw new FunctorFileError(`Entry '${column}' (${functorName}) in ${where(path)} has unknown keyword arguments: ${unknown.join(', ')}.`, {
        hint: `Known keyword arguments: ${[...IGNORED_KWARGS].join(', ')} (ignored for single-visit tables).`,
      });
    }
    funcs.set(column, factory.make(args as string[]));
  }
  for (const key of FLAG_KEYS) {
    const list = doc[key];
    if (list === undefined || list === null) continue;
    for (const flag of stringList(list, key, path)) {
      const column = CompositeFunctor.renameCol(flag, renameRules);
      if (!funcs.has(column)) outputColumns.push(column);
      funcs.set(column, new Column(flag));
    }
  }
  const optional = doc['optional'] === undefined || doc['optional'] === null ? [] : stringList(doc['optional'], 'optional', path);
  return { path, funcs: new CompositeFunctor(funcs), unsupported, outputColumns, renameRules, optional: new Set(optional) };
}

/** The root of this package (its `schemas/` holds SkyStack's functor files). */
export const PIPE_TASKS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Expands `$VAR` and `${VAR}` in a path from the environment, as Python's
 * `os.path.expandvars` (unknown variables are left as they are). `SKYSTACK_PIPE_TASKS_DIR`
 * defaults to this package's root.
 *
 * @param path - the path
 * @param env - the environment (default `process.env`)
 * @returns the expanded path
 * @example
 * ```ts
 * expandPath('$SKYSTACK_PIPE_TASKS_DIR/schemas/Source.yaml'); // '/.../pipe-tasks/schemas/Source.yaml'
 * ```
 */
export function expandPath(path: string, env: Readonly<Record<string, string | undefined>> = process.env): string {
  return path.replace(/\$(?:\{(\w+)\}|(\w+))/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare)!;
    const value = env[name] ?? (name === 'SKYSTACK_PIPE_TASKS_DIR' ? PIPE_TASKS_DIR : undefined);
    return value ?? whole;
  });
}

/**
 * Reads a functor YAML file (LSST's `schemas/*.yaml` or SkyStack's); environment variables
 * in the path are expanded.
 *
 * @param path - the file (`$PIPE_TASKS_DIR/schemas/Source.yaml`, ...)
 * @returns the parsed file (see {@link parseFunctorDefinition})
 * @throws {@link FunctorFileError} when the file cannot be read or parsed, or has the wrong layout
 * @example
 * ```ts
 * const file = await loadFunctorFile('/path/to/pipe_tasks/schemas/Source.yaml');
 * file.unsupported; // [] for LSST's Source.yaml
 * const table = file.funcs.evaluate(sourceTable);
 * ```
 * @see lsst.pipe.tasks.functors.CompositeFunctor.from_file
 */
export async function loadFunctorFile(path: string): Promise<FunctorFile> {
  const expanded = expandPath(path);
  let text: string;
  try {
    text = await readFile(expanded, 'utf8');
  } catch (cause) {
    throw new FunctorFileError(`Cannot read functor file ${expanded}${expanded !== path ? ` (from ${path})` : ''}.`, { cause });
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (cause) {
    throw new FunctorFileError(`Functor file ${expanded} is not valid YAML: ${(cause as Error).message}`, { cause });
  }
  return parseFunctorDefinition(doc, expanded);
}
