import { SkyStackError, type SkyStackErrorOptions } from '@skystack/base';

/**
 * Thrown when a geometric argument is invalid: a non-finite coordinate, a box whose minimum
 * exceeds its maximum, a polygon that is not convex, an unknown HTM index.
 */
export class GeomInvalidArgumentError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what was wrong, what was expected and what was given
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('GEOM_INVALID_ARGUMENT', message, options);
  }
}

/**
 * Thrown when an operation has no meaningful result for its inputs: inverting a singular
 * transform, the bearing from a pole, the centre of an empty box.
 */
export class GeomDomainError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what could not be computed and why
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('GEOM_DOMAIN_ERROR', message, options);
  }
}
