// The archive readers of the afw-image types, added to a caller-owned registry.
import { PersistableRegistry, registerFootprintReaders } from '@skystack/afw-table';
import { registerWcsReaders } from '@skystack/wcs';
import { readApCorrMap } from './ap-corr-map.js';
import { readChebyshevBoundedField } from './chebyshev-bounded-field.js';
import { readDetector } from './detector.js';
import { readFilterLabel } from './filter-label.js';
import { makePhotoCalibFromCalibZeroPoint, readPhotoCalib } from './photo-calib.js';
import { readVisitInfo } from './visit-info.js';
import { registerPsfReaders } from '../psf/readers.js';
import { readCoaddInputs } from '../coadd-inputs.js';

/**
 * Adds the archive readers of the ExposureInfo components of this package (`PhotoCalib`,
 * `ChebyshevBoundedField`, `VisitInfo`, `FilterLabel`, `Detector`, `ApCorrMap`, `CoaddInputs`, and the old
 * `Calib`, read as the PhotoCalib of its `fluxmag0` as afw does) and of the PSF models (see
 * {@link registerPsfReaders}) to a registry.
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
  return registerPsfReaders(registry)
    .register('ChebyshevBoundedField', (catalogs) => readChebyshevBoundedField(catalogs))
    .register('PhotoCalib', (catalogs, archive) => readPhotoCalib(catalogs, archive))
    .register('VisitInfo', (catalogs) => readVisitInfo(catalogs))
    .register('FilterLabel', (catalogs) => readFilterLabel(catalogs))
    .register('Detector', (catalogs, archive) => readDetector(catalogs, archive))
    .register('ApCorrMap', (catalogs, archive) => readApCorrMap(catalogs, archive))
    .register('CoaddInputs', (catalogs, archive) => readCoaddInputs(catalogs, archive))
    .register('Calib', (catalogs) => {
      const rows = catalogs[0]!;
      return makePhotoCalibFromCalibZeroPoint(rows.number('fluxmag0'), rows.has('fluxmag0.err') ? rows.number('fluxmag0.err') : 0);
    });
}

/**
 * A new registry with every archive reader of `@skystack/afw-table`, `@skystack/wcs` and
 * `@skystack/afw-image` (footprints, WCSs and the ExposureInfo components): what
 * `Exposure.readFits` and `ExposureCatalog.readFits` use when no registry is given. Packages
 * with more archived types (PSF models) add theirs to it.
 *
 * @returns the registry
 */
export function makeAfwRegistry(): PersistableRegistry {
  return registerExposureComponentReaders(registerWcsReaders(registerFootprintReaders(new PersistableRegistry())));
}
