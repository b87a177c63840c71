// The archive readers of the afw-image types, added to a caller-owned registry.
import { PersistableRegistry, registerFootprintReaders } from '@skystack/afw-table';
import { readApCorrMap } from './ap-corr-map.js';
import { readChebyshevBoundedField } from './chebyshev-bounded-field.js';
import { readDetector } from './detector.js';
import { readFilterLabel } from './filter-label.js';
import { readPhotoCalib } from './photo-calib.js';
import { readVisitInfo } from './visit-info.js';

/**
 * Adds the archive readers of the ExposureInfo components of this package (`PhotoCalib`,
 * `ChebyshevBoundedField`, `VisitInfo`, `FilterLabel`, `Detector`, `ApCorrMap`) to a registry.
 *
 * @param registry - the registry to add to
 * @returns the same registry
 * @example
 * ```ts
 * const registry = registerExposureComponentReaders(new PersistableRegistry());
 * const archive = await InputArchive.readFits('visitInfo.fits', { registry });
 * ```
 */
export function registerExposureComponentReaders(registry: PersistableRegistry): PersistableRegistry {
  return registry
    .register('ChebyshevBoundedField', (catalogs) => readChebyshevBoundedField(catalogs))
    .register('PhotoCalib', (catalogs, archive) => readPhotoCalib(catalogs, archive))
    .register('VisitInfo', (catalogs) => readVisitInfo(catalogs))
    .register('FilterLabel', (catalogs) => readFilterLabel(catalogs))
    .register('Detector', (catalogs, archive) => readDetector(catalogs, archive))
    .register('ApCorrMap', (catalogs, archive) => readApCorrMap(catalogs, archive));
}

/**
 * A new registry with every archive reader of `@skystack/afw-table` and `@skystack/afw-image`
 * (footprints and the ExposureInfo components): what `Exposure.readFits` and
 * `ExposureCatalog.readFits` use when no registry is given. Packages with more archived types
 * (`@skystack/wcs`, PSF models) add theirs to it.
 *
 * @returns the registry
 */
export function makeAfwRegistry(): PersistableRegistry {
  return registerExposureComponentReaders(registerFootprintReaders(new PersistableRegistry()));
}
