import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { SkymapConfigError } from './errors.js';
import type { SkyMapDescription } from './make-sky-map.js';

/** The text formats of a sky map description file. */
export type SkyMapConfigFormat = 'json' | 'yaml';

/**
 * Parses a sky map description (`{ name: 'rings', numRings: 120, ... }`) from JSON or YAML text.
 * Fields are checked when the description is given to {@link makeSkyMap}.
 *
 * @param text - the file's text
 * @param format - `json` or `yaml` (YAML also reads JSON)
 * @returns the description
 * @throws {@link SkymapConfigError} if the text does not parse or is not a mapping with a string `name`
 * @example
 * ```ts
 * const skyMap = makeSkyMap(parseSkyMapConfig('name: dodeca\nwithTractsOnPoles: true\n', 'yaml'));
 * ```
 */
export function parseSkyMapConfig(text: string, format: SkyMapConfigFormat = 'yaml'): SkyMapDescription {
  let value: unknown;
  try {
    value = format === 'json' ? JSON.parse(text) : parseYaml(text);
  } catch (cause) {
    throw new SkymapConfigError(`The sky map config is not valid ${format.toUpperCase()}: ${String(cause)}.`, ['json', 'yaml'], { cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof (value as { name?: unknown }).name !== 'string') {
    throw new SkymapConfigError(
      'A sky map config must be a mapping with a string `name` (the skyMapRegistry name).',
      ['rings', 'discrete', 'equat', 'dodeca'],
    );
  }
  return value as SkyMapDescription;
}

/**
 * Reads a sky map description from a `.json`, `.yaml` or `.yml` file, for {@link makeSkyMap}.
 *
 * @param path - the file
 * @returns the description
 * @throws {@link SkymapConfigError} for an unknown extension or contents that do not parse
 * @example
 * ```ts
 * const skyMap = makeSkyMap(await loadSkyMapConfig('skymap.yaml'));
 * ```
 */
export async function loadSkyMapConfig(path: string): Promise<SkyMapDescription> {
  const ext = extname(path).toLowerCase();
  const format: SkyMapConfigFormat | undefined = ext === '.json' ? 'json' : ext === '.yaml' || ext === '.yml' ? 'yaml' : undefined;
  if (format === undefined) {
    throw new SkymapConfigError(`Cannot tell the format of sky map config '${path}' from its extension '${ext}'.`, ['.json', '.yaml', '.yml']);
  }
  return parseSkyMapConfig(await readFile(path, 'utf8'), format);
}
