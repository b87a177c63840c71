import { Box2D, Box2I, Point2D } from '@skystack/geom';
import type { SkyArrays, SkyWcs } from '@skystack/wcs';
import { AfwImageInvalidArgumentError } from '../errors.js';
import { Exposure } from '../exposure.js';
import { Image } from '../image.js';
import { MaskedImage } from '../masked-image.js';
import type { PixelArray } from '../pixel-type.js';
import {
  makeWarpingWeightTable,
  parseWarpingKernelName,
  warpRowsCore,
  type WarpCoreJob,
  type WarpingKernelSpec,
  type WarpingWeightTable,
  type WarpPositionTransform,
} from '@skystack/kernels';

/**
 * How to warp: the kernels, the interpolation length of the pixel-to-pixel transform, the kernel
 * cache and the mask bits grown to the full kernel. The constructor takes afw's arguments in
 * afw's order, with afw's C++ defaults; {@link DEFAULT_WARPER_CONFIG} holds the values LSST's
 * `WarperConfig` (and so coaddition) uses.
 *
 * @example
 * ```ts
 * const control = new WarpingControl('lanczos3', 'bilinear', 0, 10);
 * control.getInterpLength(); // 10
 * ```
 * @see lsst.afw.math.WarpingControl
 */
export class WarpingControl {
  readonly #kernel: WarpingKernelSpec;
  readonly #maskKernel: WarpingKernelSpec | null;
  readonly #cacheSize: number;
  readonly #interpLength: number;
  readonly #growFullMask: number;

  /**
   * Makes a control.
   *
   * @param warpingKernelName - `lanczos<n>`, `bilinear` or `nearest` (default `lanczos3`)
   * @param maskWarpingKernelName - kernel for the mask plane; `''` (default) uses the warping kernel
   * @param cacheSize - tabulate the kernels at this many fractional offsets; 0 (default) computes exact weights
   * @param interpLength - evaluate the WCS pair exactly every this many pixels and interpolate linearly in between; 0 (default) evaluates every pixel
   * @param growFullMask - mask bits taken over the full warping-kernel footprint when a mask kernel is set (default 0)
   * @throws {@link AfwImageInvalidArgumentError} for an unknown kernel name, a mask kernel wider than the warping kernel, or a negative or fractional length
   */
  constructor(warpingKernelName = 'lanczos3', maskWarpingKernelName = '', cacheSize = 0, interpLength = 0, growFullMask = 0) {
    this.#kernel = kernelFromName(warpingKernelName);
    this.#maskKernel = maskWarpingKernelName === '' ? null : kernelFromName(maskWarpingKernelName);
    const k = this.#kernel;
    const m = this.#maskKernel;
    if (m !== null && (m.ctr > k.ctr || m.width - m.ctr > k.width - k.ctr)) {
      throw new AfwImageInvalidArgumentError(`The mask warping kernel '${m.name}' is larger than the warping kernel '${k.name}'; it must fit inside it.`, {
        hint: "Use 'bilinear' for the mask, as LSST's WarperConfig does.",
      });
    }
    for (const [name, v] of [
      ['cacheSize', cacheSize],
      ['interpLength', interpLength],
    ] as const) {
      if (!Number.isInteger(v) || v < 0) throw new AfwImageInvalidArgumentError(`${name} must be an integer >= 0; got ${v}.`);
    }
    if (cacheSize === 1) throw new AfwImageInvalidArgumentError('cacheSize must be 0 (exact weights) or at least 2; got 1.');
    if (!Number.isInteger(growFullMask) || growFullMask < 0) {
      throw new AfwImageInvalidArgumentError(`growFullMask must be a mask bit pattern (an integer >= 0); got ${growFullMask}.`);
    }
    this.#cacheSize = cacheSize;
    this.#interpLength = interpLength;
    this.#growFullMask = growFullMask;
    CONTROL_KERNELS.set(this, { kernel: k, maskKernel: m });
  }

  /**
   * Makes a control from a (partial) {@link WarperConfig}; missing fields take the
   * {@link DEFAULT_WARPER_CONFIG} values (LSST's coadd defaults).
   *
   * @param config - the fields to set
   * @returns the control
   * @throws {@link AfwImageInvalidArgumentError} as the constructor
   * @example
   * ```ts
   * const control = WarpingControl.fromConfig({ warpingKernelName: 'lanczos4' });
   * ```
   * @see lsst.afw.math.Warper.fromConfig
   */
  static fromConfig(config: Partial<WarperConfig> = {}): WarpingControl {
    const c = { ...DEFAULT_WARPER_CONFIG, ...config };
    return new WarpingControl(c.warpingKernelName, c.maskWarpingKernelName, c.cacheSize, c.interpLength, c.growFullMask);
  }

  /** @returns the warping kernel's name */
  getWarpingKernelName(): string {
    return this.#kernel.name;
  }

  /** @returns the mask warping kernel's name, `''` when the warping kernel is used for the mask */
  getMaskWarpingKernelName(): string {
    return this.#maskKernel?.name ?? '';
  }

  /** @returns the kernel cache size (0: exact weights) */
  getCacheSize(): number {
    return this.#cacheSize;
  }

  /** @returns the interpolation length (0 or 1: every pixel exact) */
  getInterpLength(): number {
    return this.#interpLength;
  }

  /** @returns the mask bits grown to the full warping-kernel footprint */
  getGrowFullMask(): number {
    return this.#growFullMask;
  }

}

/** The parsed kernels of each control, for {@link warpImageWithTransform} (kept off the public class). */
const CONTROL_KERNELS = new WeakMap<WarpingControl, { kernel: WarpingKernelSpec; maskKernel: WarpingKernelSpec | null }>();

/** The fields of LSST's `lsst.afw.math.WarperConfig`. */
export interface WarperConfig {
  /** The warping kernel (`lanczos3` in LSST). */
  readonly warpingKernelName: string;
  /** The mask warping kernel (`bilinear` in LSST; `''` for the warping kernel). */
  readonly maskWarpingKernelName: string;
  /** Interpolation length of the WCS pair, pixels (10 in LSST). */
  readonly interpLength: number;
  /** Kernel cache size (LSST: 1000000; here 0, see {@link DEFAULT_WARPER_CONFIG}). */
  readonly cacheSize: number;
  /** Mask bits grown to the full kernel (LSST: the EDGE bit). */
  readonly growFullMask: number;
}

/**
 * LSST's `WarperConfig` defaults: Lanczos3 for the image and variance, bilinear for the mask,
 * the WCS pair evaluated every 10 pixels, EDGE (bit 4 of the default mask planes) grown to the
 * full kernel. `cacheSize` is 0 (exact weights) where LSST tabulates 10^6 offsets: computing the
 * weights is faster here (a 4096² Lanczos3 warp: 2.0 s exact, 5.2 s with the 48 MB table, whose
 * lookups miss the CPU caches) and has no tabulation error.
 */
export const DEFAULT_WARPER_CONFIG: Readonly<WarperConfig> = Object.freeze({
  warpingKernelName: 'lanczos3',
  maskWarpingKernelName: 'bilinear',
  interpLength: 10,
  cacheSize: 0,
  growFullMask: 1 << 4,
});

/** The value written where no source pixel covers (afw's "edge pixel"). */
export interface WarpPadValue {
  /** Image value (default NaN). */
  readonly image?: number;
  /** Mask value (default: the destination mask's NO_DATA bit). */
  readonly mask?: number;
  /** Variance value (default +Infinity). */
  readonly variance?: number;
}

function kernelFromName(name: string): WarpingKernelSpec {
  const spec = parseWarpingKernelName(name);
  if (spec === undefined) {
    throw new AfwImageInvalidArgumentError(`Unknown warping kernel name '${name}'; expected 'lanczos<n>' (n >= 1), 'bilinear' or 'nearest'.`, {
      hint: "LSST coadds use 'lanczos3' for the image and 'bilinear' for the mask.",
    });
  }
  return spec;
}

const TABLES = new Map<string, WarpingWeightTable>();

function cachedTable(kernel: WarpingKernelSpec, cacheSize: number): WarpingWeightTable {
  const key = `${kernel.name}:${cacheSize}`;
  let table = TABLES.get(key);
  if (table === undefined) {
    table = makeWarpingWeightTable(kernel, cacheSize);
    if (TABLES.size >= 4) TABLES.delete(TABLES.keys().next().value!);
    TABLES.set(key, table);
  }
  return table;
}

/**
 * The pixel-to-pixel transform of a warp: destination PARENT pixel → sky through `destWcs` →
 * source PARENT pixel through `srcWcs`, in place on position arrays (no allocation per point).
 *
 * @param destWcs - the destination WCS
 * @param srcWcs - the source WCS
 * @returns the transform, as the kernels' warp takes it
 * @example
 * ```ts
 * const toSrc = makeWcsPairTransform(destWcs, srcWcs);
 * const xs = Float64Array.of(10), ys = Float64Array.of(20);
 * toSrc(xs, ys, 1); // xs[0], ys[0]: the source pixel that sees the sky of destination (10, 20)
 * ```
 * @see lsst.afw.geom.makeWcsPairTransform
 */
export function makeWcsPairTransform(destWcs: SkyWcs, srcWcs: SkyWcs): WarpPositionTransform {
  let sky: SkyArrays = { ra: new Float64Array(0), dec: new Float64Array(0) };
  return (xs, ys, count) => {
    const x = count === xs.length ? xs : xs.subarray(0, count);
    const y = count === ys.length ? ys : ys.subarray(0, count);
    if (sky.ra.length !== count) sky = { ra: new Float64Array(count), dec: new Float64Array(count) };
    destWcs.pixelToSkyArray(x, y, sky);
    srcWcs.skyToPixelArray(sky.ra, sky.dec, { x, y });
  };
}

/** What {@link warpImage} warps: an {@link Image} (image plane only) or a {@link MaskedImage} (all three planes). */
export type WarpableImage = Image<PixelArray> | MaskedImage<PixelArray>;

interface Planes {
  image: PixelArray;
  variance: Float32Array | null;
  mask: Int32Array | null;
  width: number;
  height: number;
  stride: number;
  x0: number;
  y0: number;
}

function planesOf(img: WarpableImage): Planes {
  const image = img instanceof MaskedImage ? img.image : img;
  const view = image.array;
  const bbox = image.getBBox('PARENT');
  if (img instanceof MaskedImage) {
    const v = img.variance.array;
    const m = img.mask.array;
    if (v.stride !== view.stride || m.stride !== view.stride) {
      throw new AfwImageInvalidArgumentError(
        `The planes of a masked image to warp must share one row stride; got image ${view.stride}, mask ${m.stride}, variance ${v.stride}.`,
        { hint: 'Warp a clone() of the masked image.' },
      );
    }
    return { image: view.data, variance: v.data, mask: m.data, width: view.width, height: view.height, stride: view.stride, x0: bbox.getMinX(), y0: bbox.getMinY() };
  }
  return { image: view.data, variance: null, mask: null, width: view.width, height: view.height, stride: view.stride, x0: bbox.getMinX(), y0: bbox.getMinY() };
}

/**
 * Warps an image or masked image onto the pixel grid of `destImage` (its PARENT bbox) and WCS:
 * each destination pixel takes the kernel-weighted, unit-sum-normalised source pixels around the
 * source position of its centre, times the ratio of the areas (source pixels per destination
 * pixel, so that the flux of a source is conserved); the variance is warped with the squared
 * kernel and the squared area ratio; the mask is the OR of the source mask under the mask
 * kernel's footprint (plus the `growFullMask` bits under the full kernel). Pixels whose kernel
 * does not fit inside the source get the pad value (NaN, NO_DATA, +Infinity by default).
 *
 * @param destImage - the image to fill (an {@link Image} or {@link MaskedImage}, the same kind as `srcImage`)
 * @param destWcs - the WCS of `destImage`
 * @param srcImage - the image to warp
 * @param srcWcs - the WCS of `srcImage`
 * @param control - the kernels and interpolation (default: `new WarpingControl()`)
 * @param padValue - the values where the source does not cover
 * @returns the number of destination pixels that got a value from the source
 * @throws {@link AfwImageInvalidArgumentError} when the images are not the same kind, share their pixels, or the masked image's planes have different strides
 * @example
 * ```ts
 * const dest = MaskedImageF(destBBox);
 * const nGood = warpImage(dest, destWcs, calexp.maskedImage, calexp.getWcs()!, new WarpingControl('lanczos3', 'bilinear', 0, 10));
 * ```
 * @see lsst.afw.math.warpImage
 */
export function warpImage(
  destImage: WarpableImage,
  destWcs: SkyWcs,
  srcImage: WarpableImage,
  srcWcs: SkyWcs,
  control: WarpingControl = new WarpingControl(),
  padValue: WarpPadValue = {},
): number {
  return warpImageWithTransform(destImage, srcImage, makeWcsPairTransform(destWcs, srcWcs), control, padValue);
}

/**
 * {@link warpImage} with the pixel-to-pixel transform given directly: a function that maps
 * destination PARENT positions to source PARENT positions in place (see
 * {@link makeWcsPairTransform}); for warps that are not between two WCSs (a shift, a rotation).
 *
 * @param destImage - the image to fill
 * @param srcImage - the image to warp
 * @param destToSrc - destination → source pixel positions, in place
 * @param control - the kernels and interpolation
 * @param padValue - the values where the source does not cover
 * @returns the number of destination pixels that got a value from the source
 * @throws {@link AfwImageInvalidArgumentError} as {@link warpImage}
 * @example
 * ```ts
 * // Shift by +0.5 pixel in x.
 * warpImageWithTransform(dest, src, (xs, ys, n) => { for (let i = 0; i < n; i++) xs[i] = xs[i]! - 0.5; });
 * ```
 * @see lsst.afw.math.warpImage
 */
export function warpImageWithTransform(
  destImage: WarpableImage,
  srcImage: WarpableImage,
  destToSrc: WarpPositionTransform,
  control: WarpingControl = new WarpingControl(),
  padValue: WarpPadValue = {},
): number {
  if (destImage instanceof MaskedImage !== srcImage instanceof MaskedImage) {
    throw new AfwImageInvalidArgumentError('destImage and srcImage must both be Images or both be MaskedImages; got one of each.');
  }
  const d = planesOf(destImage);
  const s = planesOf(srcImage);
  if (d.image.buffer === s.image.buffer) {
    throw new AfwImageInvalidArgumentError('destImage and srcImage share their pixels; a warp cannot be done in place.', { hint: 'Warp into a new image.' });
  }
  const { kernel, maskKernel } = CONTROL_KERNELS.get(control)!;
  const cacheSize = control.getCacheSize();
  const noData = destImage instanceof MaskedImage && destImage.mask.planeDict.hasPlane('NO_DATA') ? destImage.mask.getPlaneBitMask('NO_DATA') : 0;
  const job: WarpCoreJob = {
    src: s,
    dest: d,
    kernel,
    maskKernel,
    table: cacheSize > 0 ? cachedTable(kernel, cacheSize) : null,
    maskTable: cacheSize > 0 && maskKernel !== null ? cachedTable(maskKernel, cacheSize) : null,
    interpLength: Math.max(1, control.getInterpLength()),
    growFullMask: control.getGrowFullMask(),
    padImage: padValue.image ?? Number.NaN,
    padVariance: padValue.variance ?? Number.POSITIVE_INFINITY,
    padMask: padValue.mask ?? noData,
    conserveFlux: true,
    transform: destToSrc,
    srcX: null,
    srcY: null,
  };
  if (d.width === 0 || d.height === 0) return 0;
  return warpRowsCore(job, 0, d.height);
}

/**
 * Warps an exposure onto another's pixel grid and WCS ({@link warpImage} on the masked images),
 * and copies the PhotoCalib, filter and VisitInfo of the source (the PSF is not warped).
 *
 * @param destExposure - the exposure to fill; it must have a WCS
 * @param srcExposure - the exposure to warp; it must have a WCS
 * @param control - the kernels and interpolation
 * @param padValue - the values where the source does not cover
 * @returns the number of destination pixels that got a value from the source
 * @throws {@link AfwImageInvalidArgumentError} when an exposure has no WCS, and as {@link warpImage}
 * @example
 * ```ts
 * const dest = Exposure.make('float32', destBBox);
 * dest.setWcs(destWcs);
 * warpExposure(dest, calexp, WarpingControl.fromConfig());
 * ```
 * @see lsst.afw.math.warpExposure
 */
export function warpExposure(
  destExposure: Exposure<PixelArray>,
  srcExposure: Exposure<PixelArray>,
  control: WarpingControl = new WarpingControl(),
  padValue: WarpPadValue = {},
): number {
  const destWcs = destExposure.getWcs();
  const srcWcs = srcExposure.getWcs();
  if (destWcs === null) throw new AfwImageInvalidArgumentError('destExposure has no WCS; the warp needs one to know where its pixels are.');
  if (srcWcs === null) throw new AfwImageInvalidArgumentError('srcExposure has no WCS; the warp needs one to know where its pixels are.');
  destExposure.setPhotoCalib(srcExposure.photoCalib);
  destExposure.setFilter(srcExposure.filter);
  destExposure.setVisitInfo(srcExposure.visitInfo);
  return warpImage(destExposure.maskedImage, destWcs, srcExposure.maskedImage, srcWcs, control, padValue);
}

/**
 * The PARENT bbox of a warped image: the pixels touched by the corners of the source bbox (outer
 * pixel edges) mapped through `srcWcs` then `destWcs`; may be a little too large.
 *
 * @param destWcs - the WCS of the warped image
 * @param srcBBox - the PARENT bbox of the source image
 * @param srcWcs - the WCS of the source image
 * @returns the bbox
 * @example
 * ```ts
 * const bbox = computeWarpedBBox(coaddWcs, calexp.getBBox(), calexp.getWcs()!);
 * ```
 * @see lsst.afw.math.computeWarpedBBox
 */
export function computeWarpedBBox(destWcs: SkyWcs, srcBBox: Box2I, srcWcs: SkyWcs): Box2I {
  const b = Box2D.fromBox2I(srcBBox);
  const xs = Float64Array.of(b.getMinX(), b.getMaxX(), b.getMinX(), b.getMaxX());
  const ys = Float64Array.of(b.getMinY(), b.getMinY(), b.getMaxY(), b.getMaxY());
  makeWcsPairTransform(srcWcs, destWcs)(xs, ys, 4);
  const minX = Math.min(...xs);
  const maxX = Math.max(...xs);
  const minY = Math.min(...ys);
  const maxY = Math.max(...ys);
  return Box2I.fromBox2D(new Box2D(new Point2D(minX, minY), new Point2D(maxX, maxY)), 'EXPAND');
}

/** Where {@link Warper} puts the warped pixels. */
export interface WarperBBoxOptions {
  /** Grow the computed bbox by this many pixels on every side (negative: shrink); ignored with `destBBox`. */
  readonly border?: number;
  /** Clip the computed bbox to this one; ignored with `destBBox`. */
  readonly maxBBox?: Box2I;
  /** The exact PARENT bbox of the result. */
  readonly destBBox?: Box2I;
}

/**
 * Warps exposures and images to a WCS with one fixed {@link WarpingControl}, choosing the
 * destination bbox (the warped source, or a given one), as LSST's `Warper`.
 *
 * @example
 * ```ts
 * const warper = Warper.fromConfig(); // LSST's WarperConfig defaults
 * const warp = warper.warpExposure(patchWcs, calexp, { destBBox: patchBBox });
 * ```
 * @see lsst.afw.math.Warper
 */
export class Warper {
  /** The control every warp uses. */
  readonly control: WarpingControl;

  /**
   * Makes a warper.
   *
   * @param control - the kernels and interpolation (default: {@link DEFAULT_WARPER_CONFIG})
   */
  constructor(control: WarpingControl = WarpingControl.fromConfig()) {
    this.control = control;
  }

  /**
   * Makes a warper from a (partial) config.
   *
   * @param config - fields of {@link WarperConfig}; the rest from {@link DEFAULT_WARPER_CONFIG}
   * @returns the warper
   * @throws {@link AfwImageInvalidArgumentError} for bad config values
   * @see lsst.afw.math.Warper.fromConfig
   */
  static fromConfig(config: Partial<WarperConfig> = {}): Warper {
    return new Warper(WarpingControl.fromConfig(config));
  }

  /**
   * Warps an exposure to `destWcs` into a new exposure of the source's pixel type and mask planes.
   *
   * @param destWcs - the WCS of the result
   * @param srcExposure - the exposure to warp (with a WCS)
   * @param options - the bbox of the result
   * @returns the warped exposure, with `destWcs`
   * @throws {@link AfwImageInvalidArgumentError} when the source has no WCS
   * @see lsst.afw.math.Warper.warpExposure
   */
  warpExposure(destWcs: SkyWcs, srcExposure: Exposure<PixelArray>, options: WarperBBoxOptions = {}): Exposure<PixelArray> {
    const srcWcs = srcExposure.getWcs();
    if (srcWcs === null) throw new AfwImageInvalidArgumentError('srcExposure has no WCS; the warp needs one to know where its pixels are.');
    const bbox = this.#destBBox(destWcs, srcExposure.maskedImage.getBBox('PARENT'), srcWcs, options);
    const dest = new Exposure(MaskedImage.make(srcExposure.image.pixelType, bbox, srcExposure.mask.planeDict.clone()));
    dest.setWcs(destWcs);
    warpExposure(dest, srcExposure, this.control);
    return dest;
  }

  /**
   * Warps an image or masked image to `destWcs` into a new one of the same kind and pixel type.
   *
   * @param destWcs - the WCS of the result
   * @param srcImage - the image to warp
   * @param srcWcs - its WCS
   * @param options - the bbox of the result
   * @returns the warped image
   * @see lsst.afw.math.Warper.warpImage
   */
  warpImage(destWcs: SkyWcs, srcImage: WarpableImage, srcWcs: SkyWcs, options: WarperBBoxOptions = {}): WarpableImage {
    const bbox = this.#destBBox(destWcs, srcImage.getBBox('PARENT'), srcWcs, options);
    const dest: WarpableImage =
      srcImage instanceof MaskedImage ? MaskedImage.make(srcImage.image.pixelType, bbox, srcImage.mask.planeDict.clone()) : Image.make(srcImage.pixelType, bbox);
    warpImage(dest, destWcs, srcImage, srcWcs, this.control);
    return dest;
  }

  #destBBox(destWcs: SkyWcs, srcBBox: Box2I, srcWcs: SkyWcs, options: WarperBBoxOptions): Box2I {
    if (options.destBBox !== undefined) return options.destBBox;
    let bbox = computeWarpedBBox(destWcs, srcBBox, srcWcs);
    if (options.border !== undefined && options.border !== 0) bbox = options.border > 0 ? bbox.dilatedBy(options.border) : bbox.erodedBy(-options.border);
    if (options.maxBBox !== undefined) bbox = bbox.clippedTo(options.maxBBox);
    return bbox;
  }
}
