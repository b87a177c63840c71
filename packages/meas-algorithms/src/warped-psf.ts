// lsst.meas.algorithms.WarpedPsf: the PSF of an image seen through a pixel transform.
import { ImageD, ImagePsf, WarpingControl, warpImageWithTransform, type FixedKernel, type Psf } from '@skystack/afw-image';
import { AffineTransform, Box2I, Point2D, Point2I, type LinearTransform } from '@skystack/geom';
import { parseWarpingKernelName } from '@skystack/kernels';
import type { SkyWcs } from '@skystack/wcs';
import { MeasAlgorithmsInvalidArgumentError } from './errors.js';

/**
 * A map between two pixel coordinate systems, both ways: `applyForward` from the original
 * (undistorted) pixels to the warped (distorted) ones, `applyInverse` back. What afw's
 * `TransformPoint2ToPoint2` is to a {@link WarpedPsf}.
 *
 * @example
 * ```ts
 * const shift: PixelTransform = {
 *   applyForward: (p) => new Point2D(p.x + 10, p.y),
 *   applyInverse: (p) => new Point2D(p.x - 10, p.y),
 * };
 * ```
 * @see lsst.afw.geom.TransformPoint2ToPoint2
 */
export interface PixelTransform {
  /**
   * Original → warped pixels.
   *
   * @param point - a position in the original pixels
   * @returns the same position in the warped pixels
   */
  applyForward(point: Point2D): Point2D;
  /**
   * Warped → original pixels.
   *
   * @param point - a position in the warped pixels
   * @returns the same position in the original pixels
   */
  applyInverse(point: Point2D): Point2D;
}

/**
 * The pixel-to-pixel transform between two WCSs: forward from `srcWcs`'s pixels through the sky
 * to `destWcs`'s pixels, inverse back (afw's `makeWcsPairTransform(src, dest)`).
 *
 * @param srcWcs - the WCS of the original pixels
 * @param destWcs - the WCS of the warped pixels
 * @returns the transform
 * @example
 * ```ts
 * const ccdToCoadd = makeWcsPairPixelTransform(calexpWcs, coaddWcs);
 * const coaddPsf = new WarpedPsf(calexpPsf, ccdToCoadd);
 * ```
 * @see lsst.afw.geom.makeWcsPairTransform
 */
export function makeWcsPairPixelTransform(srcWcs: SkyWcs, destWcs: SkyWcs): PixelTransform {
  return {
    applyForward: (p) => destWcs.skyToPixel(srcWcs.pixelToSky(p)),
    applyInverse: (p) => srcWcs.skyToPixel(destWcs.pixelToSky(p)),
  };
}

/**
 * An affine pixel-to-pixel transform (forward: the affine transform, inverse: its inverse).
 *
 * @param transform - original → warped pixels
 * @returns the transform
 * @throws {@link MeasAlgorithmsInvalidArgumentError} when the transform is singular
 * @example
 * ```ts
 * const scale2 = makeAffinePixelTransform(AffineTransform.makeScaling(2));
 * ```
 * @see lsst.afw.geom.makeTransform
 */
export function makeAffinePixelTransform(transform: AffineTransform): PixelTransform {
  const det = transform.getLinear().computeDeterminant();
  if (!(Number.isFinite(det) && det !== 0)) {
    throw new MeasAlgorithmsInvalidArgumentError(`An affine pixel transform must be invertible; got determinant ${det} for ${transform.toString()}.`);
  }
  const inverse = transform.inverted();
  return {
    applyForward: (p) => transform.apply(p) as Point2D,
    applyInverse: (p) => inverse.apply(p) as Point2D,
  };
}

/** Half the step of the central differences that linearise a transform (pixels). */
const LINEARIZE_STEP = 0.01;

/**
 * The local affine approximation of `transform.applyInverse` about a warped position (afw's
 * `linearizeTransform(*distortion->inverted(), position)`), by central differences.
 *
 * @param transform - the pixel transform
 * @param position - the warped position
 * @returns the affine map warped → original pixels that is exact at `position`
 * @throws {@link MeasAlgorithmsInvalidArgumentError} when the transform gives non-finite positions there
 * @example
 * ```ts
 * const t = linearizeInverse(ccdToCoadd, new Point2D(1000, 2000));
 * t.getLinear(); // the Jacobian of coadd → ccd pixels at (1000, 2000)
 * ```
 * @see lsst.afw.geom.linearizeTransform
 */
export function linearizeInverse(transform: PixelTransform, position: Point2D): AffineTransform {
  const h = LINEARIZE_STEP;
  const c = transform.applyInverse(position);
  const xp = transform.applyInverse(new Point2D(position.x + h, position.y));
  const xm = transform.applyInverse(new Point2D(position.x - h, position.y));
  const yp = transform.applyInverse(new Point2D(position.x, position.y + h));
  const ym = transform.applyInverse(new Point2D(position.x, position.y - h));
  const dxdx = (xp.x - xm.x) / (2 * h);
  const dydx = (xp.y - xm.y) / (2 * h);
  const dxdy = (yp.x - ym.x) / (2 * h);
  const dydy = (yp.y - ym.y) / (2 * h);
  const all = [c.x, c.y, dxdx, dydx, dxdy, dydy];
  if (!all.every(Number.isFinite)) {
    throw new MeasAlgorithmsInvalidArgumentError(`The pixel transform is not finite about ${position.toString()}; cannot linearise it there.`, {
      hint: 'Is the position inside the region where both WCSs are defined?',
    });
  }
  // t(p) = c + J (p - position) = J p + (c - J position)
  return AffineTransform.fromParameterVector([dxdx, dydx, dxdy, dydy, c.x - (dxdx * position.x + dxdy * position.y), c.y - (dydx * position.x + dydy * position.y)]);
}

/** How close (pixels) a mapped kernel corner must be to an integer to be taken as it. */
const BBOX_ROUNDING = 1e-6;

/** The largest coefficient of a transform's linear part a warped PSF accepts (afw's limit). */
const MAX_TRANSFORM_COEFF = 200;

/**
 * The box that holds a kernel box mapped by a linear transform: from the floor of the smallest to
 * the ceiling of the largest mapped corner, as afw's `computeBBoxFromTransform`.
 *
 * @param bbox - the kernel box (kernel coordinates)
 * @param linear - original → warped offsets
 * @returns the warped box
 */
function warpedKernelBBox(bbox: Box2I, linear: LinearTransform): Box2I {
  const [a, b, c, d] = linear.getParameterVector();
  if (Math.max(Math.abs(a) + Math.abs(c), Math.abs(b) + Math.abs(d)) > MAX_TRANSFORM_COEFF) {
    throw new MeasAlgorithmsInvalidArgumentError(`The pixel transform of a WarpedPsf scales by more than ${MAX_TRANSFORM_COEFF}; got the linear part ${linear.toString()}.`, {
      hint: 'This is far beyond any real pair of pixel grids; check the WCSs.',
    });
  }
  let xlo = Infinity;
  let ylo = Infinity;
  let xhi = -Infinity;
  let yhi = -Infinity;
  for (const x of [bbox.getMinX(), bbox.getMaxX()]) {
    for (const y of [bbox.getMinY(), bbox.getMaxY()]) {
      const u = a * x + c * y;
      const v = b * x + d * y;
      xlo = Math.min(xlo, u);
      xhi = Math.max(xhi, u);
      ylo = Math.min(ylo, v);
      yhi = Math.max(yhi, v);
    }
  }
  // A corner within BBOX_ROUNDING of an integer is that integer: the numerical Jacobian of an
  // identity is 1 ± 1e-13, which must not grow the box by a pixel.
  const lo = (v: number): number => Math.floor(v + BBOX_ROUNDING);
  const hi = (v: number): number => Math.ceil(v - BBOX_ROUNDING);
  return new Box2I(new Point2I(lo(xlo), lo(ylo)), new Point2I(hi(xhi), hi(yhi)));
}

/**
 * The PSF of an image seen through a pixel transform: at a warped position `p`, the kernel image
 * of the original PSF at the original position `T⁻¹(p)`, resampled onto the warped pixel grid
 * with the local affine approximation of the transform about `p` (zero outside the original
 * kernel), and normalised to sum 1. This is how a coadd sees the PSF of each of its inputs.
 *
 * Shapes and aperture fluxes are measured on the kernel image (see `ImagePsf` in
 * `@skystack/afw-image`).
 *
 * @example
 * ```ts
 * const warped = new WarpedPsf(calexp.getPsf()!, makeWcsPairPixelTransform(calexp.getWcs()!, coaddWcs));
 * const kernel = warped.computeKernelImage(new Point2D(1500, 1500)); // on the coadd's pixel grid
 * ```
 * @see lsst.meas.algorithms.WarpedPsf
 */
export class WarpedPsf extends ImagePsf {
  readonly #undistorted: Psf;
  readonly #distortion: PixelTransform;
  readonly #control: WarpingControl;
  readonly #pad: number;

  /**
   * Wraps a PSF.
   *
   * @param undistortedPsf - the PSF in the original pixels
   * @param distortion - original → warped pixels (and back)
   * @param control - the warping kernel (default: afw's `lanczos3` with a 10000-entry cache), or a kernel name
   * @throws {@link MeasAlgorithmsInvalidArgumentError} when the PSF or the transform is missing, or the kernel name is unknown
   */
  constructor(undistortedPsf: Psf, distortion: PixelTransform, control: WarpingControl | string = new WarpingControl('lanczos3', '', 10000)) {
    super(false);
    if (undistortedPsf === null || undistortedPsf === undefined) throw new MeasAlgorithmsInvalidArgumentError('A WarpedPsf needs the undistorted PSF; got none.');
    if (distortion === null || distortion === undefined) throw new MeasAlgorithmsInvalidArgumentError('A WarpedPsf needs the pixel transform; got none.');
    this.#undistorted = undistortedPsf;
    this.#distortion = distortion;
    try {
      this.#control = typeof control === 'string' ? new WarpingControl(control, '', 10000) : control;
    } catch (e) {
      throw new MeasAlgorithmsInvalidArgumentError(`Bad warping kernel for a WarpedPsf: ${(e as Error).message}`, { cause: e });
    }
    const spec = parseWarpingKernelName(this.#control.getWarpingKernelName());
    this.#pad = (spec?.order ?? 1) + 1;
  }

  /** The PSF in the original pixels. */
  getUndistortedPsf(): Psf {
    return this.#undistorted;
  }

  /** The pixel transform (original → warped). */
  getDistortion(): PixelTransform {
    return this.#distortion;
  }

  /** The warping control (which kernel resamples the kernel images). */
  getWarpingControl(): WarpingControl {
    return this.#control;
  }

  /** The original PSF's average position, mapped to the warped pixels. */
  override getAveragePosition(): Point2D {
    return this.#distortion.applyForward(this.#undistorted.getAveragePosition());
  }

  /**
   * A copy (sharing the immutable PSF and transform).
   *
   * @returns the copy
   */
  clone(): WarpedPsf {
    return new WarpedPsf(this.#undistorted.clone(), this.#distortion, this.#control);
  }

  /**
   * The same transform over the original PSF resized (the sizes are those of the original kernel
   * image; the warped one is as large as it needs to be to hold it).
   *
   * @param width - the original kernel's new width
   * @param height - the original kernel's new height
   * @returns the new PSF
   */
  resized(width: number, height: number): WarpedPsf {
    return new WarpedPsf(this.#undistorted.resized(width, height), this.#distortion, this.#control);
  }

  /**
   * The PSF image centred on a PARENT position (sub-pixel), on the pixel grid (the kernel image
   * recentred with a Lanczos-5 shift, as afw's `Psf.computeImage`).
   *
   * @param position - where (default: the average position)
   * @returns a new `float64` image whose xy0 puts the PSF centre at `position`
   * @throws AfwImageInvalidArgumentError (from `@skystack/afw-image`) when the position is not finite
   * @throws {@link MeasAlgorithmsInvalidArgumentError} as {@link WarpedPsf.computeKernelImage}
   */
  override computeImage(position?: Point2D): ImageD {
    return super.computeImage(position);
  }

  /**
   * The kernel image at a position: centred on pixel (0, 0), summing to 1.
   *
   * @param position - where (default: the average position)
   * @returns a new `float64` image
   * @throws AfwImageInvalidArgumentError (from `@skystack/afw-image`) when the position is not finite
   * @throws {@link MeasAlgorithmsInvalidArgumentError} when the warped image sums to zero or the transform is not finite there
   */
  override computeKernelImage(position?: Point2D): ImageD {
    return super.computeKernelImage(position);
  }

  /**
   * The fraction of the PSF's flux inside a circle about its centre, measured on the kernel image.
   *
   * @param radius - the aperture radius (pixels)
   * @param position - where (default: the average position)
   * @returns the flux fraction
   * @throws AfwImageInvalidArgumentError (from `@skystack/afw-image`) when the radius is not positive
   */
  override computeApertureFlux(radius: number, position?: Point2D): number {
    return super.computeApertureFlux(radius, position);
  }

  /**
   * The kernel image at a position as a fixed kernel (`FixedKernel` of `@skystack/afw-image`).
   *
   * @param position - where (default: the average position)
   * @returns the kernel
   */
  override getLocalKernel(position?: Point2D): FixedKernel {
    return super.getLocalKernel(position);
  }

  protected doComputeKernelImage(position: Point2D): ImageD {
    const t = linearizeInverse(this.#distortion, position);
    const original = this.#undistorted.computeKernelImage(t.apply(position) as Point2D);
    const toWarped = t.getLinear().inverted();
    const out = ImageD(warpedKernelBBox(original.getBBox(), toWarped));
    // Zero-pad the original so that the warping kernel fits everywhere it is needed.
    const pad = this.#pad;
    const padded = ImageD(original.getBBox().dilatedBy(pad));
    {
      const src = original.array;
      const dst = padded.array;
      for (let j = 0; j < src.height; j++) {
        dst.data.set(src.data.subarray(j * src.stride, j * src.stride + src.width), (j + pad) * dst.stride + pad);
      }
    }
    const [a, b, c, d] = t.getLinear().getParameterVector();
    warpImageWithTransform(
      out,
      padded,
      (xs, ys, n) => {
        for (let i = 0; i < n; i++) {
          const x = xs[i]!;
          const y = ys[i]!;
          xs[i] = a * x + c * y;
          ys[i] = b * x + d * y;
        }
      },
      this.#control,
      { image: 0 },
    );
    const { data, width, height, stride } = out.array;
    let sum = 0;
    for (let j = 0; j < height; j++) for (let i = 0; i < width; i++) sum += data[j * stride + i]!;
    if (!(sum !== 0 && Number.isFinite(sum))) {
      throw new MeasAlgorithmsInvalidArgumentError(`The warped PSF image at ${position.toString()} has sum ${sum}; expected a finite, non-zero sum.`);
    }
    const scale = 1 / sum;
    for (let j = 0; j < height; j++) for (let i = 0; i < width; i++) data[j * stride + i]! *= scale;
    return out;
  }

  protected doComputeBBox(position: Point2D): Box2I {
    const t = linearizeInverse(this.#distortion, position);
    return warpedKernelBBox(this.#undistorted.computeBBox(t.apply(position) as Point2D), t.getLinear().inverted());
  }

}
