// The Butler's formatter of the `HealSparseMap` storage class (the coadd input maps): HealSparse's
// FITS layout, read whole, by coverage pixels, or as the `coverage` component.
import { readFile, writeFile } from 'node:fs/promises';
import { FormatterError, type Formatter, type FormatterReadContext, type FormatterWriteContext } from '@skystack/daf-butler';
import { HealSparseCoverage, HealSparseMap } from '@skystack/healsparse';

/** The name {@link HealSparseMapFormatter} is registered and recorded under (a module specifier). */
export const HEALSPARSE_MAP_FORMATTER_NAME = '@skystack/pipe-tasks/healsparse-map-formatter#HealSparseMapFormatter';

/**
 * Reads and writes `HealSparseMap` datasets (`deepCoadd_inputMap`) as HealSparse FITS files
 * (`.hsp`, the layout the LSSTDESC `healsparse` library writes and reads; see
 * `@skystack/healsparse`).
 *
 * Read parameters, as LSST's: `pixels`, the coverage pixels (NEST at the map's
 * `nsideCoverage`) to read, only their tiles being decompressed. `degrade_nside` is refused.
 * The `coverage` component reads only the coverage map (a `HealSparseCoverage`).
 *
 * Its {@link name} is a module specifier (a subpath export holding only this module): a Butler
 * that finds it recorded with a file imports it from there.
 *
 * @example
 * ```ts
 * const map = await butler.get('deepCoadd_inputMap', { tract: 0, patch: 7, band: 'r', skymap: 'simcam' });
 * const part = await butler.get('deepCoadd_inputMap', dataId, { parameters: { pixels: [654321] } });
 * const coverage = await butler.get('deepCoadd_inputMap.coverage', dataId);
 * ```
 * @see lsst.pipe.tasks.healSparseMapping.HealSparseMapFormatter
 */
export class HealSparseMapFormatter implements Formatter {
  /** The name recorded in the datastore: a module specifier, so later Butlers find it. */
  readonly name = HEALSPARSE_MAP_FORMATTER_NAME;
  /** `.hsp`, LSST's extension. */
  readonly extension = '.hsp';

  /**
   * Writes a map.
   *
   * @param obj - the map
   * @param path - the file to write (the datastore's temporary file)
   * @param ctx - dataset type name (for messages)
   * @throws FormatterError (daf-butler) when `obj` is not a HealSparseMap
   */
  async write(obj: unknown, path: string, ctx: FormatterWriteContext): Promise<void> {
    if (!(obj instanceof HealSparseMap)) {
      const got = obj === null ? 'null' : typeof obj === 'object' ? `an instance of ${(obj as object).constructor?.name ?? 'Object'}` : typeof obj;
      throw new FormatterError(`Dataset '${ctx.datasetTypeName}' has storage class '${ctx.storageClass.name}' but the object is not a HealSparseMap (got ${got}).`);
    }
    await writeFile(path, obj.toFitsBytes());
  }

  /**
   * Reads a map, part of one (`pixels`), or its coverage (`component: 'coverage'`).
   *
   * @param path - the file
   * @param ctx - component and parameters
   * @returns a `HealSparseMap`, or a `HealSparseCoverage` for the component
   * @throws FormatterError (daf-butler) when the file cannot be read as a HealSparse map, for `degrade_nside`, or for bad `pixels`
   */
  async read(path: string, ctx: FormatterReadContext): Promise<unknown> {
    const parameters = ctx.parameters ?? {};
    if (parameters['degrade_nside'] !== undefined && parameters['degrade_nside'] !== null) {
      throw new FormatterError(`Reading ${path} with degrade_nside is not supported by SkyStack's HealSparseMapFormatter.`, {
        hint: 'Read the map at its own resolution (without degrade_nside).',
      });
    }
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch (cause) {
      throw new FormatterError(`Cannot read the HealSparse map file ${path}: ${(cause as Error).message}`, { cause });
    }
    try {
      if (ctx.component === 'coverage') return await HealSparseCoverage.readFits(bytes, { name: path });
      const pixels = parameters['pixels'];
      if (pixels === undefined || pixels === null) return await HealSparseMap.readFits(bytes, { name: path });
      const list = typeof pixels === 'number' ? [pixels] : Array.isArray(pixels) || ArrayBuffer.isView(pixels) ? Array.from(pixels as ArrayLike<number>) : undefined;
      if (list === undefined || list.some((p) => !Number.isInteger(p) || p < 0)) {
        throw new FormatterError(`The pixels parameter must be coverage pixel numbers (non-negative integers); got ${JSON.stringify(pixels)}.`);
      }
      return await HealSparseMap.readFits(bytes, { name: path, pixels: [...new Set(list)] });
    } catch (cause) {
      if (cause instanceof FormatterError) throw cause;
      throw new FormatterError(`Unable to read healsparse map ${path}: ${(cause as Error).message}`, { cause });
    }
  }

  /**
   * Whether a component is read by this formatter without the whole map.
   *
   * @param component - a component name
   * @returns true for `coverage`
   */
  canReadComponent(component: string): boolean {
    return component === 'coverage';
  }
}
