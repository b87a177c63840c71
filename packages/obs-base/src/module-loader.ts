// Importing modules named in a repository (instrument classes): a path relative to the working
// directory, or a bare specifier resolved as daf-butler's defaultImportModule does.
import { createRequire } from 'node:module';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Imports an ES module by specifier and returns its namespace (the shape of daf-butler's
 * `ModuleImporter`).
 */
export type ModuleImporter = (specifier: string) => Promise<Readonly<Record<string, unknown>>>;

/**
 * Imports a module: a path (`./x.js`, absolute, `file:`) relative to the working directory; a
 * bare specifier as obs-base would import it, then from the working directory, then from each
 * directory of `SKYSTACK_MODULE_PATHS` (as daf-butler's `defaultImportModule`).
 *
 * @param specifier - a bare specifier or a path
 * @returns the module namespace
 * @throws Error naming every attempt when none resolves it
 * @example
 * ```ts
 * const mod = await importModule('@skystack/obs-sim');
 * ```
 */
export async function importModule(specifier: string): Promise<Readonly<Record<string, unknown>>> {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('file:') || isAbsolute(specifier)) {
    return (await import(specifier.startsWith('file:') ? specifier : pathToFileURL(resolve(specifier)).href)) as Record<string, unknown>;
  }
  const reasons: string[] = [];
  try {
    return (await import(specifier)) as Record<string, unknown>;
  } catch (e) {
    reasons.push(`from @skystack/obs-base: ${(e as Error).message.split('\n')[0]}`);
  }
  for (const dir of [process.cwd(), ...(process.env['SKYSTACK_MODULE_PATHS'] ?? '').split(delimiter).filter((d) => d !== '')]) {
    try {
      const resolved = createRequire(join(resolve(dir), 'noop.js')).resolve(specifier);
      return (await import(pathToFileURL(resolved).href)) as Record<string, unknown>;
    } catch (e) {
      reasons.push(`from ${dir}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(`Cannot import module '${specifier}' (${reasons.join('; ')}).`);
}
