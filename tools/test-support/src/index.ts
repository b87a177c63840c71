// What the interoperability tests of every package share: where the real LSST files are
// (`SKYSTACK_FIXTURES`, default `../shared/fixtures` beside the checkout) and the independent
// references they are compared with (Debian's python3-astropy through /usr/bin/python3, and
// fitsverify). One rule for all of them: with CI=true a missing reference is a failure whose
// message says how to install it; otherwise the tests that need it are skipped.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** True when the tests run in CI (`CI=true`): missing references fail instead of skipping. */
export const CI = process.env['CI'] === 'true';

/** The interpreter that has Debian's python3-astropy (not the first python3 on PATH). */
export const PYTHON = '/usr/bin/python3';

const INSTALL = 'Run `bash scripts/install-test-deps.sh` (Debian packages python3-astropy and fitsverify).';

/** The repository root. */
export const REPO_ROOT = resolve(import.meta.dirname, '../../..');

/** The shared fixtures directory: `SKYSTACK_FIXTURES`, default `../shared/fixtures` beside the repository. */
export const FIXTURES = process.env['SKYSTACK_FIXTURES'] ?? resolve(REPO_ROOT, '../shared/fixtures');

function once<T>(f: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = f();
      done = true;
    }
    return value;
  };
}

/**
 * A path under the fixtures directory, or `undefined` (skip) when it is missing; under CI a
 * missing path throws.
 *
 * @param parts - path segments under `FIXTURES`, e.g. `('afw', 'parent.fits')`
 * @returns the path, or undefined
 */
export function fixturePath(...parts: string[]): string | undefined {
  const path = join(FIXTURES, ...parts);
  if (existsSync(path)) return path;
  if (CI) throw new Error(`The fixture ${path} is missing (set SKYSTACK_FIXTURES to the shared fixtures directory).`);
  return undefined;
}

/** Whether /usr/bin/python3 can import astropy and numpy; under CI their absence throws. */
export const astropyAvailable = once((): boolean => {
  const r = spawnSync(PYTHON, ['-c', 'import astropy.io.fits, numpy'], { encoding: 'utf8' });
  if (r.status === 0) return true;
  if (CI) throw new Error(`${PYTHON} cannot import astropy: ${(r.stderr ?? '').trim() || r.error?.message}. ${INSTALL}`);
  return false;
});

/** Whether `fitsverify` is installed; under CI its absence throws. */
export const fitsverifyAvailable = once((): boolean => {
  const r = spawnSync('fitsverify', ['-h'], { stdio: 'ignore' });
  if (r.error === undefined) return true;
  if (CI) throw new Error(`fitsverify is not installed. ${INSTALL}`);
  return false;
});

/**
 * Runs a Python script with /usr/bin/python3 and returns its standard output.
 *
 * @param script - the program text (run with `-c`)
 * @param args - arguments (`sys.argv[1:]`)
 * @param input - text for standard input
 * @returns standard output
 * @throws Error with the script's standard error when it exits non-zero
 */
export function runPython(script: string, args: readonly string[] = [], input?: string): string {
  const r = spawnSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8', input, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${PYTHON} failed (${r.status ?? r.signal}): ${r.stderr}`);
  return r.stdout;
}

/**
 * Runs a Python script that prints one JSON document, and parses it.
 *
 * @param script - the program text
 * @param args - arguments
 * @param input - a value sent as JSON on standard input
 * @returns the parsed output
 */
export function runPythonJson<T>(script: string, args: readonly string[] = [], input?: unknown): T {
  return JSON.parse(runPython(script, args, input === undefined ? undefined : JSON.stringify(input))) as T;
}

/**
 * Runs `fitsverify` on a file.
 *
 * @param path - the file
 * @param quiet - pass `-q` (one summary line)
 * @returns the exit status and the combined output
 */
export function fitsverify(path: string, quiet = true): { status: number | null; output: string } {
  const r = spawnSync('fitsverify', quiet ? ['-q', path] : [path], { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** What {@link timePython} measures: the mean time of one call and how sure it is. */
export interface PythonTiming {
  /** Mean milliseconds per call. */
  readonly meanMs: number;
  /** Number of timed calls. */
  readonly samples: number;
  /** Relative margin of error of the mean (95%), percent. */
  readonly rmePercent: number;
}

/** Options of {@link timePython}. */
export interface TimePythonOptions {
  /** Python run once before timing; `np`, `fits` (astropy.io.fits) and `args` are defined. */
  readonly setup?: string;
  /** The statements timed (a function body; names from `setup` are visible). */
  readonly body: string;
  /** JSON-able values for `args`. */
  readonly args?: Readonly<Record<string, unknown>>;
  /** Seconds of timing (default 3). */
  readonly budgetSeconds?: number;
  /** The least number of timed calls (default 5). */
  readonly minSamples?: number;
}

const TIMER = String.raw`
import json, math, sys, time, warnings
warnings.simplefilter('ignore')
import numpy as np
from astropy.io import fits
opts = json.loads(sys.stdin.read())
ns = {'fits': fits, 'np': np, 'args': opts['args']}
exec(opts['setup'], ns)
exec('def once():\n' + ''.join('    ' + line + '\n' for line in opts['body'].splitlines()), ns)
once = ns['once']
once()
times = []
start = time.perf_counter()
while len(times) < opts['min'] or time.perf_counter() - start < opts['budget']:
    t0 = time.perf_counter()
    once()
    times.append((time.perf_counter() - t0) * 1000)
n = len(times)
mean = sum(times) / n
sd = math.sqrt(sum((t - mean) ** 2 for t in times) / (n - 1)) if n > 1 else 0.0
print(json.dumps({'meanMs': mean, 'samples': n, 'rmePercent': 1.96 * sd / math.sqrt(n) / mean * 100}))
`;

/**
 * Times Python code (astropy, numpy) in one /usr/bin/python3 process, for benchmarks that put
 * astropy's numbers beside ours: `setup` once, one warm-up call of `body`, then calls until the
 * budget is spent (at least `minSamples`).
 *
 * @param options - the code, its arguments and the budget
 * @returns the mean, the sample count and the margin of error
 * @throws Error with Python's standard error when the code fails
 */
export function timePython(options: TimePythonOptions): PythonTiming {
  return runPythonJson<PythonTiming>(TIMER, [], {
    setup: options.setup ?? '',
    body: options.body,
    args: options.args ?? {},
    budget: options.budgetSeconds ?? 3,
    min: options.minSamples ?? 5,
  });
}

/**
 * The PostgreSQL server for tests: `SKYSTACK_PG_URL` (`bash scripts/postgres.sh start` prints
 * one), or `undefined` (skip) when it is unset; under CI an unset URL throws.
 *
 * @returns the URL, or undefined
 */
export function postgresUrl(): string | undefined {
  const url = process.env['SKYSTACK_PG_URL'];
  if (url !== undefined && url !== '') return url;
  if (CI) throw new Error('SKYSTACK_PG_URL is not set: run `export SKYSTACK_PG_URL=$(bash scripts/postgres.sh start)`.');
  return undefined;
}

let schemaCounter = 0;

function psql(url: string, sql: string): void {
  const r = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql failed on ${url} (${sql}): ${(r.stderr ?? '').trim() || r.error?.message}`);
}

/**
 * Runs `fn` with a new, uniquely named PostgreSQL schema that is dropped (with everything in
 * it) afterwards, so tests sharing one server do not see each other's tables. Uses `psql`
 * (installed with the server by scripts/postgres.sh).
 *
 * @param url - the server, e.g. from {@link postgresUrl}
 * @param fn - the work; receives the schema name
 * @returns what `fn` returns
 */
export async function withPostgresSchema<T>(url: string, fn: (schema: string) => Promise<T>): Promise<T> {
  const schema = `test_${process.pid}_${Date.now().toString(36)}_${++schemaCounter}`;
  psql(url, `CREATE SCHEMA ${schema}`);
  try {
    return await fn(schema);
  } finally {
    psql(url, `DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  }
}
export { imageMoments } from './image-moments.js';
export type { ImageMoments, MomentsImage } from './image-moments.js';
