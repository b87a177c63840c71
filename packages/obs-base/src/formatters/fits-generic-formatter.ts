// The FITS formatter of afw catalogs (lsst.obs.base.formatters.fitsGeneric.FitsGenericFormatter
// as daf_butler's configuration maps Catalog, SimpleCatalog, SourceCatalog and ExposureCatalog).
import { ExposureCatalog } from '@skystack/afw-image';
import { BaseCatalog, SimpleCatalog, SourceCatalog } from '@skystack/afw-table';
import type { Formatter, FormatterReadContext, FormatterWriteContext } from '@skystack/daf-butler';
import { ObsBaseFormatterError } from '../errors.js';

/** How each catalog storage class is read. */
const READERS: Readonly<Record<string, (path: string) => Promise<BaseCatalog>>> = {
  Catalog: (p) => BaseCatalog.readFits(p),
  SimpleCatalog: (p) => SimpleCatalog.readFits(p),
  SourceCatalog: (p) => SourceCatalog.readFits(p),
  ExposureCatalog: (p) => ExposureCatalog.readFits(p),
};

/** The storage classes {@link FitsGenericFormatter} reads (and their descendants by name). */
export const FITS_CATALOG_STORAGE_CLASSES: readonly string[] = Object.freeze(Object.keys(READERS));

/**
 * Reads and writes afw catalogs as afw FITS binary tables: `SourceCatalog` (with its slots and
 * aliases), `SimpleCatalog`, `ExposureCatalog` (with the archived components of its records)
 * and plain `Catalog`s, the class chosen by the dataset's storage class. Files are written to a
 * temporary name and renamed, and are readable by afw and astropy.
 *
 * @example
 * ```ts
 * factory.registerFormatter(new FitsGenericFormatter());
 * await butler.put(sources, 'src', { visit, detector });
 * const back = (await butler.get('src', { visit, detector })) as SourceCatalog;
 * ```
 * @see lsst.obs.base.formatters.fitsGeneric.FitsGenericFormatter
 */
export class FitsGenericFormatter implements Formatter {
  /** `FitsGenericFormatter`. */
  readonly name = 'FitsGenericFormatter';
  /** `.fits`. */
  readonly extension = '.fits';

  /**
   * Writes a catalog.
   *
   * @param obj - an afw catalog (BaseCatalog or a subclass)
   * @param path - the file
   * @param ctx - storage class and dataset type
   * @throws ObsBaseFormatterError when `obj` is not a catalog
   */
  async write(obj: unknown, path: string, ctx: FormatterWriteContext): Promise<void> {
    if (!(obj instanceof BaseCatalog)) {
      const what = obj === null ? 'null' : typeof obj === 'object' ? `a ${obj.constructor?.name ?? 'object'}` : typeof obj;
      throw new ObsBaseFormatterError(`FitsGenericFormatter cannot write '${ctx.datasetTypeName}' (storage class ${ctx.storageClass.name}): it writes afw catalogs, and was given ${what}.`, {
        hint: 'Other afw persistables (Wcs, Psf, PhotoCalib, ...) are read as components of an Exposure in SkyStack; they have no FITS formatter of their own yet.',
      });
    }
    await obj.writeFits(path);
  }

  /**
   * Reads the catalog as its storage class's type.
   *
   * @param path - the file
   * @param ctx - the storage class
   * @returns the catalog
   * @throws ObsBaseFormatterError for a storage class that is not a catalog
   */
  async read(path: string, ctx: FormatterReadContext): Promise<unknown> {
    const reader = READERS[ctx.storageClass.name] ?? READERS[ctx.storageClass.inheritsFrom.find((n) => READERS[n] !== undefined) ?? ''];
    if (reader === undefined) {
      throw new ObsBaseFormatterError(
        `FitsGenericFormatter cannot read storage class ${ctx.storageClass.name}; it reads ${FITS_CATALOG_STORAGE_CLASSES.join(', ')}.`,
      );
    }
    return reader(path);
  }

  /**
   * Catalogs have no components read separately.
   *
   * @param _component - the component
   * @returns false
   */
  canReadComponent(_component: string): boolean {
    return false;
  }
}
