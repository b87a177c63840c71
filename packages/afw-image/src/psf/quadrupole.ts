// lsst.afw.geom.ellipses.Quadrupole: an ellipse as its second moments (Ixx, Iyy, Ixy).
import { AfwImageInvalidArgumentError } from '../errors.js';

/**
 * An ellipse given by its second moments `Ixx`, `Iyy`, `Ixy` (pixel²): what
 * {@link Psf.computeShape} returns. A circular Gaussian of width σ has `Ixx = Iyy = σ²`, `Ixy = 0`.
 *
 * @example
 * ```ts
 * const q = new Quadrupole(4, 4, 0);
 * q.getDeterminantRadius(); // 2
 * q.getTraceRadius(); // 2
 * ```
 * @see lsst.afw.geom.ellipses.Quadrupole
 */
export class Quadrupole {
  /** Second moment in x, `<x²>` (pixel²). */
  readonly ixx: number;
  /** Second moment in y, `<y²>` (pixel²). */
  readonly iyy: number;
  /** Cross moment, `<xy>` (pixel²). */
  readonly ixy: number;

  /**
   * Makes a quadrupole.
   *
   * @param ixx - `<x²>`
   * @param iyy - `<y²>`
   * @param ixy - `<xy>` (default 0)
   * @throws {@link AfwImageInvalidArgumentError} when a moment is not finite
   */
  constructor(ixx: number, iyy: number, ixy = 0) {
    if (!Number.isFinite(ixx) || !Number.isFinite(iyy) || !Number.isFinite(ixy)) {
      throw new AfwImageInvalidArgumentError(`A Quadrupole needs finite moments; got Ixx=${ixx}, Iyy=${iyy}, Ixy=${ixy}.`);
    }
    this.ixx = ixx;
    this.iyy = iyy;
    this.ixy = ixy;
  }

  /** `Ixx` (afw's `getIxx()`). */
  getIxx(): number {
    return this.ixx;
  }

  /** `Iyy` (afw's `getIyy()`). */
  getIyy(): number {
    return this.iyy;
  }

  /** `Ixy` (afw's `getIxy()`). */
  getIxy(): number {
    return this.ixy;
  }

  /** The determinant `Ixx Iyy - Ixy²`. */
  getDeterminant(): number {
    return this.ixx * this.iyy - this.ixy * this.ixy;
  }

  /** `(Ixx Iyy - Ixy²)^(1/4)`: σ for a circular Gaussian. */
  getDeterminantRadius(): number {
    return Math.pow(Math.max(this.getDeterminant(), 0), 0.25);
  }

  /** `sqrt((Ixx + Iyy) / 2)`: σ for a circular Gaussian. */
  getTraceRadius(): number {
    return Math.sqrt(Math.max((this.ixx + this.iyy) / 2, 0));
  }

  /** `Quadrupole(ixx=…, iyy=…, ixy=…)`. */
  toString(): string {
    return `Quadrupole(ixx=${this.ixx}, iyy=${this.iyy}, ixy=${this.ixy})`;
  }
}
