// The archive readers of the PSF models, kernels and spatial functions.
import type { PersistableRegistry } from '@skystack/afw-table';
import { readGaussianPsf } from './gaussian-psf.js';
import { readFixedKernel, readLinearCombinationKernel } from './kernel.js';
import { readKernelPsf, readPcaPsf } from './kernel-psf.js';
import { readDoubleGaussianPsf, readSingleGaussianPsf } from './single-gaussian-psf.js';
import { readChebyshev1Function2, readPolynomialFunction2 } from './spatial-function.js';

/**
 * Adds the archive readers of the PSF types of this package to a registry: `GaussianPsf`,
 * `SingleGaussianPsf`, `DoubleGaussianPsf`, `KernelPsf`, `PcaPsf`, the kernels `FixedKernel` and
 * `LinearCombinationKernel`, and the spatial functions `PolynomialFunction2D`/`F` and
 * `Chebyshev1Function2D`/`F`. `makeAfwRegistry()` includes them.
 *
 * @param registry - the registry to add to
 * @returns the same registry
 * @example
 * ```ts
 * const registry = registerPsfReaders(new PersistableRegistry());
 * const archive = await InputArchive.readFits('psf.fits', { registry });
 * ```
 */
export function registerPsfReaders(registry: PersistableRegistry): PersistableRegistry {
  return registry
    .register('GaussianPsf', (catalogs) => readGaussianPsf(catalogs))
    .register('SingleGaussianPsf', (catalogs) => readSingleGaussianPsf(catalogs))
    .register('DoubleGaussianPsf', (catalogs) => readDoubleGaussianPsf(catalogs))
    .register('KernelPsf', (catalogs, archive) => readKernelPsf(catalogs, archive))
    .register('PcaPsf', (catalogs, archive) => readPcaPsf(catalogs, archive))
    .register('FixedKernel', (catalogs) => readFixedKernel(catalogs))
    .register('LinearCombinationKernel', (catalogs, archive) => readLinearCombinationKernel(catalogs, archive))
    .register('PolynomialFunction2D', (catalogs) => readPolynomialFunction2(catalogs))
    .register('PolynomialFunction2F', (catalogs) => readPolynomialFunction2(catalogs))
    .register('Chebyshev1Function2D', (catalogs) => readChebyshev1Function2(catalogs))
    .register('Chebyshev1Function2F', (catalogs) => readChebyshev1Function2(catalogs));
}
