// lsst.afw.detection.Psf: the interface of every PSF model.
import type { Box2I} from '@skystack/geom';
import { Extent2I, Point2D, Point2I } from '@skystack/geom';
import { AfwImageInvalidArgumentError } from '../errors.js';
import type { ImageD } from '../image.js';
import { FixedKernel } from './kernel.js';
import { offsetImage } from './offset-image.js';
import type { Quadrupole } from './quadrupole.js';

/** The warping kernel afw's `Psf.recenterKernelImage` uses by default: Lanczos of order 5. */
export const PSF_RECENTER_LANCZOS_ORDER = 5;

/**
 * The nearest pixel index and the residual of a position, as afw's `positionToIndex(x, true)`:
 * `index = floor(x + 0.5)`, `residual = x - index` in `[-0.5, 0.5)`.
 *
 * @param position - a pixel position
 * @returns the index and residual
 * @example
 * ```ts
 * positionToIndex(10.7); // [11, -0.3]
 * ```
 * @see lsst.afw.image.positionToIndex
 */
export function positionToIndex(position: number): [index: number, residual: number] {
  const index = Math.floor(position + 0.5);
  return [index, position - index];
}

function checkPosition(position: Point2D): void {
  if (!Number.isFinite(position.x) || !Number.isFinite(position.y)) {
    throw new AfwImageInvalidArgumentError(`A PSF position must be finite; got ${position.toString()}.`);
  }
}

/**
 * A point-spread function model: images of a point source at any position, in two forms.
 *
 * - {@link Psf.computeKernelImage}: the PSF centred on pixel (0, 0) of a kernel-coordinate
 *   image (xy0 negative, the centre pixel at (0, 0)), summing to 1; what convolution and PSF
 *   photometry kernels use.
 * - {@link Psf.computeImage}: the PSF centred on a (sub-pixel) PARENT position, on the pixel
 *   grid of the exposure: xy0 is the kernel's xy0 plus the nearest integer pixel of the
 *   position, and the profile is shifted by the residual; what a model of a star at that
 *   position looks like.
 *
 * Positions default to {@link Psf.getAveragePosition}. Subclasses implement the `doCompute…`
 * methods, as in afw; the default {@link Psf.doComputeImage} shifts the kernel image with a
 * Lanczos-5 kernel (afw's `recenterKernelImage`).
 *
 * @example
 * ```ts
 * const psf = new GaussianPsf(21, 21, 2.0);
 * const star = psf.computeImage(new Point2D(100.3, 50.8)); // xy0 (90, 41), peak near (100, 51)
 * psf.computeShape(new Point2D(100, 50)).getIxx(); // 4
 * ```
 * @see lsst.afw.detection.Psf
 */
export abstract class Psf {
  readonly #isFixed: boolean;

  /**
   * Sets whether the PSF is the same everywhere.
   *
   * @param isFixed - true when the kernel image does not depend on position
   */
  protected constructor(isFixed: boolean) {
    this.#isFixed = isFixed;
  }

  /** Whether the PSF is the same at every position (afw's `isFixed`). */
  isFixed(): boolean {
    return this.#isFixed;
  }

  /** The position used when none is given (the centre of the stars that made the model; default (0, 0)). */
  getAveragePosition(): Point2D {
    return new Point2D(0, 0);
  }

  #position(position: Point2D | undefined): Point2D {
    const p = position ?? this.getAveragePosition();
    checkPosition(p);
    return p;
  }

  /**
   * The PSF image centred on a PARENT position (sub-pixel), on the exposure's pixel grid.
   *
   * @param position - where (default: the average position)
   * @returns a new `float64` image whose xy0 puts the PSF centre at `position`
   * @throws {@link AfwImageInvalidArgumentError} when the position is not finite
   * @see lsst.afw.detection.Psf.computeImage
   */
  computeImage(position?: Point2D): ImageD {
    return this.doComputeImage(this.#position(position));
  }

  /**
   * The kernel image at a position: centred on pixel (0, 0) (xy0 is minus the centre), sum 1.
   *
   * @param position - where the model is evaluated (ignored by fixed PSFs; default: the average position)
   * @returns a new `float64` image
   * @throws {@link AfwImageInvalidArgumentError} when the position is not finite
   * @see lsst.afw.detection.Psf.computeKernelImage
   */
  computeKernelImage(position?: Point2D): ImageD {
    return this.doComputeKernelImage(this.#isFixed ? this.getAveragePosition() : this.#position(position));
  }

  /**
   * The value of the central pixel of the kernel image.
   *
   * @param position - where (default: the average position)
   * @returns the peak value
   * @see lsst.afw.detection.Psf.computePeak
   */
  computePeak(position?: Point2D): number {
    return this.computeKernelImage(position).get(0, 0);
  }

  /**
   * The fraction of the PSF's flux inside a circle of a radius about its centre.
   *
   * @param radius - the aperture radius (pixels)
   * @param position - where (default: the average position)
   * @returns the flux fraction (1 for an infinite aperture)
   * @throws {@link AfwImageInvalidArgumentError} when the radius is not positive
   * @see lsst.afw.detection.Psf.computeApertureFlux
   */
  computeApertureFlux(radius: number, position?: Point2D): number {
    if (!(radius > 0)) throw new AfwImageInvalidArgumentError(`The aperture radius must be positive; got ${radius}.`);
    return this.doComputeApertureFlux(radius, this.#position(position));
  }

  /**
   * The second moments of the PSF.
   *
   * @param position - where (default: the average position)
   * @returns `Ixx`, `Iyy`, `Ixy` (pixel²)
   * @see lsst.afw.detection.Psf.computeShape
   */
  computeShape(position?: Point2D): Quadrupole {
    return this.doComputeShape(this.#position(position));
  }

  /**
   * The box of the kernel image (kernel coordinates: it contains (0, 0)).
   *
   * @param position - where (default: the average position)
   * @returns the box
   * @see lsst.afw.detection.Psf.computeBBox
   */
  computeBBox(position?: Point2D): Box2I {
    return this.doComputeBBox(this.#position(position));
  }

  /**
   * The box of the kernel image (afw's newer name for {@link Psf.computeBBox}).
   *
   * @param position - where (default: the average position)
   * @returns the box
   * @see lsst.afw.detection.Psf.computeKernelBBox
   */
  computeKernelBBox(position?: Point2D): Box2I {
    return this.computeBBox(position);
  }

  /**
   * The box of {@link Psf.computeImage} at a position (PARENT coordinates): the kernel box moved
   * to the nearest pixel of the position.
   *
   * @param position - where (default: the average position)
   * @returns the box
   * @see lsst.afw.detection.Psf.computeImageBBox
   */
  computeImageBBox(position?: Point2D): Box2I {
    const p = this.#position(position);
    return this.doComputeBBox(p).shiftedBy(new Extent2I(positionToIndex(p.x)[0], positionToIndex(p.y)[0]));
  }

  /**
   * The kernel image at a position as a {@link FixedKernel} (centred on its middle pixel).
   *
   * @param position - where (default: the average position)
   * @returns the kernel
   * @see lsst.afw.detection.Psf.getLocalKernel
   */
  getLocalKernel(position?: Point2D): FixedKernel {
    const image = this.computeKernelImage(position);
    return new FixedKernel(image, { ctr: new Point2I(-image.getX0(), -image.getY0()) });
  }

  /** A copy (PSFs are immutable; afw's `clone`). */
  abstract clone(): Psf;

  /**
   * The same model with kernel images of another size.
   *
   * @param width - the new width (pixels)
   * @param height - the new height (pixels)
   * @returns the new PSF
   * @see lsst.afw.detection.Psf.resized
   */
  abstract resized(width: number, height: number): Psf;

  /** Whether the PSF can be written to an afw archive (afw's `isPersistable`). */
  isPersistable(): boolean {
    return typeof (this as { writeToArchive?: unknown }).writeToArchive === 'function';
  }

  /**
   * The kernel image at a position (see {@link Psf.computeKernelImage}).
   *
   * @param position - where
   * @returns a new image
   */
  protected abstract doComputeKernelImage(position: Point2D): ImageD;

  /**
   * The image at a position (see {@link Psf.computeImage}); by default the kernel image shifted by
   * {@link Psf.recenterKernelImage}.
   *
   * @param position - where
   * @returns a new image
   */
  protected doComputeImage(position: Point2D): ImageD {
    return Psf.recenterKernelImage(this.doComputeKernelImage(this.#isFixed ? this.getAveragePosition() : position), position);
  }

  /**
   * The aperture flux fraction (see {@link Psf.computeApertureFlux}).
   *
   * @param radius - the radius
   * @param position - where
   * @returns the fraction
   */
  protected abstract doComputeApertureFlux(radius: number, position: Point2D): number;

  /**
   * The second moments (see {@link Psf.computeShape}).
   *
   * @param position - where
   * @returns the moments
   */
  protected abstract doComputeShape(position: Point2D): Quadrupole;

  /**
   * The kernel box (see {@link Psf.computeBBox}).
   *
   * @param position - where
   * @returns the box
   */
  protected abstract doComputeBBox(position: Point2D): Box2I;

  /**
   * Moves a kernel image (centred on (0, 0)) to a PARENT position: xy0 moves by the nearest
   * integer pixel of the position, and the residual (in `[-0.5, 0.5)`) is applied by a Lanczos
   * shift, as afw's `Psf.recenterKernelImage` (with `'lanczos5'`) does.
   *
   * @param image - the kernel image (not changed)
   * @param position - the PARENT position
   * @param order - the Lanczos order (default 5)
   * @returns a new image
   * @example
   * ```ts
   * const star = Psf.recenterKernelImage(psf.computeKernelImage(), new Point2D(10.3, 20.7));
   * ```
   * @see lsst.afw.detection.Psf.recenterKernelImage
   */
  static recenterKernelImage(image: ImageD, position: Point2D, order = PSF_RECENTER_LANCZOS_ORDER): ImageD {
    const [ix, rx] = positionToIndex(position.x);
    const [iy, ry] = positionToIndex(position.y);
    const out = rx !== 0 || ry !== 0 ? offsetImage(image, rx, ry, order) : image.clone();
    out.setXY0(new Point2I(out.getX0() + ix, out.getY0() + iy));
    return out;
  }
}
