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

/** Images a {@link Psf} keeps per kind by default (afw's default cache capacity). */
export const PSF_CACHE_CAPACITY = 100;

/**
 * The images of the positions a PSF was last asked about, least recently used replaced first
 * (afw's per-position PSF image cache). Positions match exactly.
 */
class PsfImageCache {
  readonly #xs: Float64Array;
  readonly #ys: Float64Array;
  readonly #used: Float64Array;
  readonly #images: ImageD[] = [];
  #tick = 0;

  constructor(capacity: number) {
    this.#xs = new Float64Array(capacity);
    this.#ys = new Float64Array(capacity);
    this.#used = new Float64Array(capacity);
  }

  /** The image of a position, if kept. */
  get(x: number, y: number): ImageD | undefined {
    const xs = this.#xs;
    const ys = this.#ys;
    for (let i = 0, n = this.#images.length; i < n; i++) {
      if (xs[i] === x && ys[i] === y) {
        this.#used[i] = ++this.#tick;
        return this.#images[i];
      }
    }
    return undefined;
  }

  /** Keeps the image of a position, in place of the least recently used one when full. */
  add(x: number, y: number, image: ImageD): void {
    const capacity = this.#xs.length;
    if (capacity === 0) return;
    let slot = this.#images.length;
    if (slot === capacity) {
      slot = 0;
      for (let i = 1; i < capacity; i++) if (this.#used[i]! < this.#used[slot]!) slot = i;
    }
    this.#xs[slot] = x;
    this.#ys[slot] = y;
    this.#used[slot] = ++this.#tick;
    this.#images[slot] = image;
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
  #cacheCapacity = PSF_CACHE_CAPACITY;
  #imageCache: PsfImageCache | undefined;
  #kernelImageCache: PsfImageCache | undefined;

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
    const p = this.#position(position);
    const cache = (this.#imageCache ??= new PsfImageCache(this.#cacheCapacity));
    let image = cache.get(p.x, p.y);
    if (image === undefined) {
      image = this.doComputeImage(p);
      cache.add(p.x, p.y, image);
    }
    return image.clone();
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
    return this.kernelImageAt(position).clone();
  }

  /**
   * The kernel image at a position from the cache of recent ones, computed when missing; not a
   * copy: callers must not change it (see {@link Psf.computeKernelImage}).
   *
   * @param position - where (ignored by fixed PSFs; default: the average position)
   * @returns the cached image
   */
  protected kernelImageAt(position?: Point2D): ImageD {
    const p = this.#isFixed ? this.getAveragePosition() : this.#position(position);
    const cache = (this.#kernelImageCache ??= new PsfImageCache(this.#cacheCapacity));
    let image = cache.get(p.x, p.y);
    if (image === undefined) {
      image = this.doComputeKernelImage(p);
      cache.add(p.x, p.y, image);
    }
    return image;
  }

  /**
   * How many images per kind (kernel images, images) the PSF keeps for the positions it was last
   * asked about, as afw does (default 100; 0 keeps none). The same position then gives a copy
   * of the same image without recomputing it: single-frame measurement asks for the PSF at each
   * source's centroid several times (its shape for SdssShape, its image for PsfFlux).
   *
   * @param capacity - images to keep (a non-negative integer)
   * @throws AfwImageInvalidArgumentError when the capacity is not a non-negative integer
   * @see lsst.afw.detection.Psf.setCacheCapacity
   */
  setCacheCapacity(capacity: number): void {
    if (!Number.isInteger(capacity) || capacity < 0) throw new AfwImageInvalidArgumentError(`The PSF cache capacity must be a non-negative integer; got ${capacity}.`);
    this.#cacheCapacity = capacity;
    this.#imageCache = undefined;
    this.#kernelImageCache = undefined;
  }

  /**
   * The capacity of the PSF's image caches (see {@link Psf.setCacheCapacity}).
   *
   * @returns images kept per kind
   * @see lsst.afw.detection.Psf.getCacheCapacity
   */
  getCacheCapacity(): number {
    return this.#cacheCapacity;
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
    return Psf.recenterKernelImage(this.kernelImageAt(position), position);
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
