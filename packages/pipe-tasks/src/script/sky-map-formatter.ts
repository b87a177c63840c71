// The `skyMap` dataset's file: the sky map's class, configuration and SHA1 as JSON, read back to
// an identical sky map (LSST pickles the Python object; a pickle is no format for TypeScript).
import { readFile, writeFile } from 'node:fs/promises';
import { FormatterError, type Formatter, type FormatterReadContext, type FormatterWriteContext } from '@skystack/daf-butler';
import { BaseSkyMap, DiscreteSkyMap, DodecaSkyMap, EquatSkyMap, RingsSkyMap, makeSkyMap, type SkyMapDescription } from '@skystack/skymap';

/** The `format` tag of a sky map file. */
export const SKYMAP_FILE_FORMAT = 'skystack-skymap';
/** The version of the sky map file layout that {@link SkyMapFormatter} writes. */
export const SKYMAP_FILE_VERSION = 1;

/** The name {@link SkyMapFormatter} is registered and recorded under (a module specifier). */
export const SKYMAP_FORMATTER_NAME = '@skystack/pipe-tasks/sky-map-formatter#SkyMapFormatter';

/** The content of a sky map file (see {@link SkyMapFormatter}). */
export interface SkyMapFileContent {
  /** Always {@link SKYMAP_FILE_FORMAT}. */
  readonly format: typeof SKYMAP_FILE_FORMAT;
  /** The layout version ({@link SKYMAP_FILE_VERSION}). */
  readonly version: number;
  /** lsst.skymap's class name (`RingsSkyMap`, `DiscreteSkyMap`, `EquatSkyMap`, `DodecaSkyMap`). */
  readonly className: string;
  /** The configuration: a `SkyMapDescription` (@skystack/skymap) (registry name and fields). */
  readonly config: SkyMapDescription;
  /** The SHA1 identity as hex (the registry's `skymap.hash`), checked on read. */
  readonly sha1: string;
}

const REGISTRY_NAMES: readonly [abstract new (...args: never[]) => BaseSkyMap, SkyMapDescription['name'], string][] = [
  [RingsSkyMap, 'rings', 'RingsSkyMap'],
  [DiscreteSkyMap, 'discrete', 'DiscreteSkyMap'],
  [EquatSkyMap, 'equat', 'EquatSkyMap'],
  [DodecaSkyMap, 'dodeca', 'DodecaSkyMap'],
];

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/**
 * The file content of a sky map: its class, its configuration as a
 * `SkyMapDescription` (@skystack/skymap) and its SHA1.
 *
 * @param skyMap - a rings, discrete, equatorial or dodecahedral sky map
 * @returns the content ({@link SkyMapFormatter} writes it as JSON)
 * @throws FormatterError (daf-butler) for a sky map of another class
 * @example
 * ```ts
 * describeSkyMapFile(makeSkyMap('hsc_rings_v1')).sha1; // 'e29fe9f1008e359f36a3677e7d69cc439376d1e6'
 * ```
 */
export function describeSkyMapFile(skyMap: BaseSkyMap): SkyMapFileContent {
  const entry = REGISTRY_NAMES.find(([cls]) => skyMap instanceof cls);
  if (entry === undefined) {
    throw new FormatterError(`Cannot write a sky map of class ${skyMap.constructor.name}: only RingsSkyMap, DiscreteSkyMap, EquatSkyMap and DodecaSkyMap are supported.`);
  }
  const config = { name: entry[1], ...skyMap.config } as SkyMapDescription;
  return { format: SKYMAP_FILE_FORMAT, version: SKYMAP_FILE_VERSION, className: entry[2], config, sha1: toHex(skyMap.getSha1()) };
}

/**
 * Makes the sky map a file describes and checks that its SHA1 is the recorded one.
 *
 * @param content - the parsed file
 * @param where - the file, for messages
 * @returns the sky map
 * @throws FormatterError (daf-butler) when the content is not a sky map file, is of a later version, or gives a sky map of another SHA1
 * @example
 * ```ts
 * const again = skyMapFromFile(describeSkyMapFile(skyMap), 'memory');
 * again.equals(skyMap); // true
 * ```
 */
export function skyMapFromFile(content: unknown, where: string): BaseSkyMap {
  const c = content as Partial<SkyMapFileContent> | null;
  if (typeof c !== 'object' || c === null || c.format !== SKYMAP_FILE_FORMAT || typeof c.config !== 'object' || typeof c.sha1 !== 'string') {
    throw new FormatterError(`${where} is not a sky map file: expected a JSON object with format '${SKYMAP_FILE_FORMAT}', config and sha1.`);
  }
  if (typeof c.version !== 'number' || c.version > SKYMAP_FILE_VERSION) {
    throw new FormatterError(`${where} is a sky map file of version ${String(c.version)}; this SkyMapFormatter reads versions up to ${SKYMAP_FILE_VERSION}.`, {
      hint: 'Update @skystack/pipe-tasks.',
    });
  }
  let skyMap: BaseSkyMap;
  try {
    skyMap = makeSkyMap(c.config);
  } catch (cause) {
    throw new FormatterError(`The sky map config in ${where} is invalid: ${(cause as Error).message}`, { cause });
  }
  const sha1 = toHex(skyMap.getSha1());
  if (sha1 !== c.sha1) {
    throw new FormatterError(`The sky map in ${where} has SHA1 ${sha1}, but the file records ${c.sha1}: the file was altered or written by an incompatible version.`);
  }
  return skyMap;
}

/**
 * Reads and writes the `skyMap` dataset (storage class `SkyMap`) as JSON: lsst.skymap's class
 * name, the configuration (`SkyMapDescription` (@skystack/skymap)) and the SHA1 identity
 * (see {@link SkyMapFileContent}). Reading rebuilds the sky map from its configuration and
 * checks that its SHA1 is the recorded one, so what is read is identical to what was written.
 *
 * Its {@link name} is the module specifier `@skystack/pipe-tasks/sky-map-formatter#SkyMapFormatter`
 * (a subpath export holding only this module, so that reading a sky map does not load the science
 * tasks): a Butler that opens a repository holding sky maps imports it from the name the datastore
 * recorded (daf-butler's mechanism for formatters outside its configuration).
 *
 * @example
 * ```ts
 * butler.formatters.registerFormatter(new SkyMapFormatter());
 * butler.formatters.setMapping('SkyMap', SKYMAP_FORMATTER_NAME);
 * await butler.put(skyMap, 'skyMap', { skymap: 'hsc_rings_v1' }, { run: 'skymaps' });
 * ```
 * @see lsst.daf.butler.formatters.pickle.PickleFormatter (what LSST uses for sky maps)
 */
export class SkyMapFormatter implements Formatter {
  /** The name recorded in the datastore: a module specifier, so later Butlers find it. */
  readonly name = SKYMAP_FORMATTER_NAME;
  /** `.json`. */
  readonly extension = '.json';

  /**
   * Writes a sky map.
   *
   * @param obj - the sky map
   * @param path - the file to write
   * @param ctx - dataset type name (for messages)
   * @throws FormatterError (daf-butler) when `obj` is not a supported sky map
   */
  async write(obj: unknown, path: string, ctx: FormatterWriteContext): Promise<void> {
    if (!(obj instanceof BaseSkyMap)) {
      throw new FormatterError(`Dataset '${ctx.datasetTypeName}' has storage class '${ctx.storageClass.name}' but the object is not a sky map (got ${describe(obj)}).`);
    }
    await writeFile(path, `${JSON.stringify(describeSkyMapFile(obj), null, 2)}\n`);
  }

  /**
   * Reads a sky map.
   *
   * @param path - the file
   * @param _ctx - unused (sky maps have no components or parameters)
   * @returns the sky map
   * @throws FormatterError (daf-butler) when the file is missing, does not parse or is not an identical sky map
   */
  async read(path: string, _ctx: FormatterReadContext): Promise<unknown> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (cause) {
      throw new FormatterError(`Cannot read the sky map file ${path}: ${(cause as Error).message}`, { cause });
    }
    let content: unknown;
    try {
      content = JSON.parse(text);
    } catch (cause) {
      throw new FormatterError(`The sky map file ${path} is not valid JSON: ${(cause as Error).message}`, { cause });
    }
    return skyMapFromFile(content, path);
  }

  /**
   * Sky maps have no components read on their own.
   *
   * @param _component - a component name
   * @returns false
   */
  canReadComponent(_component: string): boolean {
    return false;
  }
}

function describe(obj: unknown): string {
  if (obj === null) return 'null';
  if (typeof obj === 'object') return `an instance of ${(obj as object).constructor?.name ?? 'Object'}`;
  return typeof obj;
}
