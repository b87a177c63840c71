// The formatter of the `Background` storage class (calexpBackground, icExpBackground, ...):
// meas-algorithms' BackgroundList in afw's FITS layout.
import type { Formatter, FormatterReadContext, FormatterWriteContext } from '@skystack/daf-butler';
import { BackgroundList } from '@skystack/meas-algorithms';
import { ObsBaseFormatterError } from '../errors.js';

/**
 * Reads and writes `BackgroundList`s (of `@skystack/meas-algorithms`) in afw's FITS layout: per
 * background model, the binned statistics as an image, mask and variance HDU triple with the
 * interpolation and approximation settings in the headers, as afw's `BackgroundList.writeFits`
 * writes `calexpBackground` files. `registerFormatters` maps the `Background` storage class to
 * this formatter.
 *
 * @example
 * ```ts
 * await butler.put(background, 'calexpBackground', { instrument: 'SimCam', visit, detector }, { run });
 * const bg = (await butler.get('calexpBackground', dataId)) as BackgroundList;
 * bg.getImage(); // the model evaluated on the detector's pixels
 * ```
 * @see lsst.afw.math.BackgroundList.writeFits, lsst.afw.math.BackgroundList.readFits
 */
export class BackgroundFormatter implements Formatter {
  /** `BackgroundFormatter`. */
  readonly name = 'BackgroundFormatter';
  /** `.fits`. */
  readonly extension = '.fits';

  /**
   * Writes the background list.
   *
   * @param obj - a `BackgroundList`
   * @param path - the file
   * @param ctx - storage class and dataset type
   * @throws ObsBaseFormatterError when `obj` is not a `BackgroundList`
   */
  async write(obj: unknown, path: string, ctx: FormatterWriteContext): Promise<void> {
    if (!(obj instanceof BackgroundList)) {
      const what = obj === null ? 'null' : typeof obj === 'object' ? `a ${obj.constructor?.name ?? 'object'}` : typeof obj;
      throw new ObsBaseFormatterError(`BackgroundFormatter cannot write '${ctx.datasetTypeName}' (storage class ${ctx.storageClass.name}): it writes meas-algorithms BackgroundLists, and was given ${what}.`);
    }
    await obj.writeFits(path);
  }

  /**
   * Reads the background list.
   *
   * @param path - the file
   * @param _ctx - the storage class
   * @returns the `BackgroundList`
   */
  async read(path: string, _ctx: FormatterReadContext): Promise<unknown> {
    return BackgroundList.readFits(path);
  }

  /**
   * Backgrounds have no components read separately.
   *
   * @param _component - the component
   * @returns false
   */
  canReadComponent(_component: string): boolean {
    return false;
  }
}
