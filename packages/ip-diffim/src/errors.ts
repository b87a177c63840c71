import { SkyStackError, type SkyStackErrorOptions } from '@skystack/base';

/**
 * Thrown for an invalid argument or configuration (`IP_DIFFIM_INVALID_ARGUMENT`): an exposure
 * without a PSF, a kernel larger than the PSF images, an even kernel size, an exposure smaller than
 * one spatial cell.
 *
 * @example
 * ```ts
 * try { task.run(exposure, modelPsf); } catch (e) { if (e instanceof IpDiffimInvalidArgumentError) console.log(e.code); }
 * ```
 */
export class IpDiffimInvalidArgumentError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what was wrong, what was expected and what was given
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('IP_DIFFIM_INVALID_ARGUMENT', message, options);
  }
}

/**
 * Thrown when the PSF-matching kernel cannot be solved for (`IP_DIFFIM_FIT_ERROR`): a singular
 * normal matrix, no kernel candidates.
 *
 * @example
 * ```ts
 * try { task.run(exposure, modelPsf); } catch (e) { if (e instanceof IpDiffimFitError) console.log(e.message); }
 * ```
 */
export class IpDiffimFitError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what failed
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('IP_DIFFIM_FIT_ERROR', message, options);
  }
}
