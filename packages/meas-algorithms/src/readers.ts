// The archive readers of the meas_algorithms types, added to a caller-owned registry.
import type { PersistableRegistry } from '@skystack/afw-table';
import { readCoaddBoundedField } from './coadd-bounded-field.js';
import { readCoaddPsf } from './coadd-psf.js';

/**
 * Adds the archive readers of this package's persistable types to a registry: `CoaddPsf` and
 * `CoaddBoundedField` (the coadd's aperture corrections). The
 * other PSF models meas_algorithms archives (`PcaPsf`, `KernelPsf`, `SingleGaussianPsf`,
 * `DoubleGaussianPsf`) are read by `makeAfwRegistry()` of `@skystack/afw-image` already, so
 * `registerMeasAlgorithmsReaders(makeAfwRegistry())` reads every PSF of a coadd or calexp.
 * Nothing registers itself on import: callers (the Butler's exposure formatter) build the registry.
 *
 * @param registry - the registry to add to
 * @returns the same registry
 * @example
 * ```ts
 * const registry = registerMeasAlgorithmsReaders(makeAfwRegistry());
 * const coadd = await Exposure.readFits('deepCoadd.fits', { registry });
 * coadd.getPsf(); // a CoaddPsf
 * ```
 * @see lsst.meas.algorithms.CoaddPsf
 * @see lsst.meas.algorithms.CoaddBoundedField
 */
export function registerMeasAlgorithmsReaders(registry: PersistableRegistry): PersistableRegistry {
  return registry
    .register('CoaddPsf', (catalogs, archive) => readCoaddPsf(catalogs, archive))
    .register('CoaddBoundedField', (catalogs, archive) => readCoaddBoundedField(catalogs, archive));
}
