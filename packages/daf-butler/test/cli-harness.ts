// Runs `butler` in-process and captures its output, for the CLI tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturePath } from '@skystack/test-support';
import { parse } from 'yaml';
import { runButler } from '../src/cli/program.js';

/** What one `butler` run gave. */
export interface ButlerRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/**
 * Runs `butler` with these arguments.
 *
 * @param args - the arguments
 * @param confirm - the answer to confirmation prompts (default: stdin is not a terminal)
 * @returns exit status and output
 */
export async function butler(args: readonly string[], confirm?: boolean): Promise<ButlerRun> {
  let out = '';
  let err = '';
  const code = await runButler(args, {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    stdin: { isTTY: false },
    ...(confirm === undefined ? {} : { confirm: async () => confirm }),
  });
  return { code, out, err };
}

/**
 * Runs `butler` and fails unless it exits with 0.
 *
 * @param args - the arguments
 * @returns standard output
 */
export async function ok(...args: string[]): Promise<string> {
  const r = await butler(args);
  if (r.code !== 0) throw new Error(`butler ${args.join(' ')} exited with ${r.code}: ${r.err}`);
  return r.out;
}

/** The daf_butler registry test data directory, or undefined (skip) when missing. */
export const REGISTRY_DATA = fixturePath('daf_butler', 'python', 'lsst', 'daf', 'butler', 'tests', 'registry_data');

/** A fixture export file, parsed (its custom tags read as plain values). */
export function loadFixture(name: string): { data: { type: string; element?: string; records?: Record<string, unknown>[]; name?: string; dimensions?: string[]; storage_class?: string }[] } {
  return parse(readFileSync(join(REGISTRY_DATA!, name), 'utf8'), { logLevel: 'silent' }) as never;
}

/** The records of one element in a fixture. */
export function fixtureRecords(name: string, element: string): Record<string, unknown>[] {
  return loadFixture(name).data.filter((d) => d.type === 'dimension' && d.element === element).flatMap((d) => d.records ?? []);
}

/** Parses a plain-text table (header, dashes, rows) into row objects, using the dashes for column boundaries. */
export function parseTable(lines: readonly string[]): Record<string, string>[] {
  const dashes = lines[1]!;
  const spans: [number, number][] = [];
  const re = /-+/g;
  for (let m = re.exec(dashes); m !== null; m = re.exec(dashes)) spans.push([m.index, m.index + m[0].length]);
  const cut = (l: string) => spans.map(([a, b], i) => (i === spans.length - 1 ? l.slice(a) : l.slice(a, b)).trim());
  const head = cut(lines[0]!);
  return lines.slice(2).map((l) => Object.fromEntries(cut(l).map((v, i) => [head[i]!, v])));
}

/** Imports base.yaml, datasets.yaml, spatial.yaml and hsc-rc2-subset-v0.yaml into a repository, registry only. */
export async function importFixtures(repo: string): Promise<void> {
  for (const f of ['base.yaml', 'datasets.yaml', 'spatial.yaml', 'hsc-rc2-subset-v0.yaml']) {
    await ok('import', repo, REGISTRY_DATA!, '--export-file', join(REGISTRY_DATA!, f), '--without-datastore');
  }
}
