// lsst.meas.algorithms.CoaddPsfConfig: how MakeWarpTask and AssembleCoaddTask build a CoaddPsf.
import { ChoiceField, Config, Field } from '@skystack/pex-config';
import type { CoaddPsfOptions } from './coadd-psf.js';

/**
 * The CoaddPsf part of the coadd task configs (`coaddPsf`), with LSST's fields and defaults:
 * the kernel that warps each input PSF and the size of its weight cache.
 *
 * @example
 * ```ts
 * const config = new CoaddPsfConfig();
 * const psf = new CoaddPsf(coaddInputs.ccds, coaddWcs, config.makeControl());
 * ```
 * @see lsst.meas.algorithms.CoaddPsfConfig
 */
export class CoaddPsfConfig extends Config {
  /** The kernel that warps each input PSF onto the coadd grid. */
  warpingKernelName = ChoiceField({
    doc: 'Name of warping kernel',
    dtype: 'str',
    default: 'lanczos3',
    allowed: { bilinear: 'bilinear interpolation', lanczos3: 'Lanczos kernel of order 3', lanczos4: 'Lanczos kernel of order 4', lanczos5: 'Lanczos kernel of order 5' },
  });
  /** Tabulate the warping kernel at this many offsets (0: exact weights). */
  cacheSize = Field.int({ doc: 'Warping kernel cache size', default: 10000, check: (v) => v >= 0 });

  /**
   * The CoaddPsf options of this config (afw's `CoaddPsfControl`).
   *
   * @returns the options
   * @see lsst.meas.algorithms.CoaddPsfConfig.makeControl
   */
  makeControl(): CoaddPsfOptions {
    return { warpingKernelName: this.warpingKernelName, cacheSize: this.cacheSize };
  }
}
