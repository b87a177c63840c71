// Hands obs-base's formatters to a daf-butler FormatterFactory (called by the factory when a
// Butler opens a repository whose configuration names them; nothing registers itself on import).
import type { FormatterFactory } from '@skystack/daf-butler';
import { FitsExposureFormatter, FitsImageFormatter, FitsMaskFormatter, FitsMaskedImageFormatter } from './fits-exposure-formatter.js';
import { ExposureAssembler } from './exposure-assembler.js';
import { FitsGenericFormatter } from './fits-generic-formatter.js';
import { CameraFormatter } from './camera-formatter.js';
import { BackgroundFormatter } from './background-formatter.js';
import { DefectsFormatter } from './defects-formatter.js';

/**
 * Registers the FITS formatters of the afw types with a formatter factory:
 * {@link FitsExposureFormatter}, {@link FitsImageFormatter}, {@link FitsMaskFormatter},
 * {@link FitsMaskedImageFormatter} and {@link FitsGenericFormatter} (catalogs), and the
 * {@link ExposureAssembler} delegate of the image storage classes; and
 * {@link DefectsFormatter} (ECSV), {@link CameraFormatter} (JSON) and
 * {@link BackgroundFormatter} (afw's BackgroundList FITS), to which it maps the `Defects`,
 * `Camera` and `Background` storage classes (daf-butler's configuration names LSST's
 * FitsGenericFormatter for them, which handles afw catalogs only here; an entry for a dataset
 * type name, e.g. `defects:`, still takes priority over these storage-class mappings). daf-butler's
 * `config/formatters.yaml` maps the afw storage classes to these names and its `modules` table
 * maps `lsst.obs.base.formatters` to `@skystack/obs-base`, so a Butler opening a repository
 * calls this function itself (through `FormatterFactory.loadFormatters`); call it directly for a
 * factory you make. Registering twice does nothing.
 *
 * @param factory - the factory (e.g. `FormatterFactory.default()`)
 * @example
 * ```ts
 * const formatters = FormatterFactory.default();
 * registerFormatters(formatters);
 * const butler = await Butler.from('/data/repo', { formatters });
 * ```
 * @see lsst.daf.butler.FormatterFactory.registerFormatters
 */
export function registerFormatters(factory: FormatterFactory): void {
  for (const f of [new FitsExposureFormatter(), new FitsImageFormatter(), new FitsMaskFormatter(), new FitsMaskedImageFormatter(), new FitsGenericFormatter(), new DefectsFormatter(), new CameraFormatter(), new BackgroundFormatter()]) {
    if (!factory.hasFormatter(f.name)) factory.registerFormatter(f);
  }
  factory.setMapping('Defects', 'DefectsFormatter');
  factory.setMapping('Background', 'BackgroundFormatter');
  factory.setMapping('Camera', 'CameraFormatter');
  const assembler = new ExposureAssembler();
  for (const sc of ['Exposure', 'MaskedImage', 'Image', 'Mask']) factory.registerDelegate(sc, assembler);
}
