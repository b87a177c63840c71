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
