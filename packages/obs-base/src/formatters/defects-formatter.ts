// The formatter of the `Defects` storage class: ip_isr's simple defects table as astropy ECSV text
// (what LSST's Defects.writeText writes and obs_*_data repositories keep).
import { readFile } from 'node:fs/promises';
import type { Formatter, FormatterReadContext, FormatterWriteContext } from '@skystack/daf-butler';
import { Defects } from '@skystack/ip-isr';
import { ObsBaseFormatterError } from '../errors.js';

/**
 * Reads and writes `Defects` (of `@skystack/ip-isr`) as astropy ECSV tables: one row per bad box,
 * columns `x0`, `y0`, `width`, `height` (int32, pixels, detector coordinates), with the defects'
 * metadata (`OBSTYPE: defects`, `DETECTOR`, `INSTRUME`, `CALIBDATE`, ...) in the ECSV `meta`
 * block. The files are LSST's text form of defects, readable with
 * `astropy.table.Table.read(path, format='ascii.ecsv')` and with LSST's `Defects.readText`.
 * `registerFormatters` maps the `Defects` storage class to this formatter. Files are written to a
 * temporary name and renamed.
 *
 * @example
 * ```ts
 * await butler.put(new Defects([box], { DETECTOR: 0 }), 'defects', { instrument: 'SimCam', detector: 0 }, { run });
 * const defects = (await butler.get('defects', { instrument: 'SimCam', detector: 0 }, { collections: run })) as Defects;
 * ```
 * @see lsst.ip.isr.Defects.writeText, lsst.ip.isr.Defects.readText
 */
export class DefectsFormatter implements Formatter {
  /** `DefectsFormatter`. */
  readonly name = 'DefectsFormatter';
  /** `.ecsv`. */
  readonly extension = '.ecsv';

  /**
   * Writes the defects as ECSV.
   *
   * @param obj - a `Defects`
   * @param path - the file
   * @param ctx - storage class and dataset type
   * @throws ObsBaseFormatterError when `obj` is not a `Defects`
   */
  async write(obj: unknown, path: string, ctx: FormatterWriteContext): Promise<void> {
    if (!(obj instanceof Defects)) {
      const what = obj === null ? 'null' : typeof obj === 'object' ? `a ${obj.constructor?.name ?? 'object'}` : typeof obj;
      throw new ObsBaseFormatterError(`DefectsFormatter cannot write '${ctx.datasetTypeName}' (storage class ${ctx.storageClass.name}): it writes ip-isr Defects, and was given ${what}.`);
    }
    await obj.writeEcsv(path);
  }

  /**
   * Reads the defects.
   *
   * @param path - the file
   * @param _ctx - the storage class
   * @returns the `Defects`
   * @throws IpIsrDefectsFormatError (ip-isr) when the file is not a defects ECSV table
   */
  async read(path: string, _ctx: FormatterReadContext): Promise<unknown> {
    return Defects.fromEcsv(await readFile(path, 'utf8'));
  }

  /**
   * Defects have no components read separately.
   *
   * @param _component - the component
   * @returns false
   */
  canReadComponent(_component: string): boolean {
    return false;
  }
}
