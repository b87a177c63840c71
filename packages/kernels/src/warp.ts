import { KernelsInvalidArgumentError } from './errors.js';
import {
  makeWarpingWeightTable,
  parseWarpingKernelName,
  warpRowsCore,
  type WarpCoreJob,
  type WarpingKernelSpec,
  type WarpingWeightTable,
  type WarpPositionTransform,
} from './warp-core.js';

export type { WarpPositionTransform, WarpingKernelSpec } from './warp-core.js';

/** A plane the warp reads: pixels in LOCAL order with an optional stride. */
export interface WarpSourcePlanes {
  /** Image pixels, `data[y * stride + x]`. */
  readonly image: ArrayLike<number>;
  /** Variance pixels (same layout), if the variance is to be warped. */
  readonly variance?: ArrayLike<number> | undefined;
  /** Mask pixels (same layout), if the mask is to be warped. */
  readonly mask?: ArrayLike<number> | undefined;
  /** Columns. */
  readonly width: number;
  /** Rows. */
  readonly height: number;
  /** Elements between row starts (default `width`). */
  readonly stride?: number | undefined;
  /** PARENT x of LOCAL column 0 (default 0). */
  readonly x0?: number | undefined;
  /** PARENT y of LOCAL row 0 (default 0). */
  readonly y0?: number | undefined;
}

/** A writable typed array of pixels. */
export type WritablePixels = Float32Array | Float64Array | Int32Array | Uint32Array | Uint16Array | Int16Array | Uint8Array;

/** The planes the warp fills (in place). */
export interface WarpDestPlanes {
  /** Image pixels to fill. */
  readonly image: WritablePixels;
  /** Variance pixels to fill, if wanted. */
  readonly variance?: WritablePixels | undefined;
  /** Mask pixels to fill, if wanted. */
  readonly mask?: WritablePixels | undefined;
  /** Columns. */
  readonly width: number;
  /** Rows. */
  readonly height: number;
  /** Elements between row starts (default `width`). */
  readonly stride?: number | undefined;
  /** PARENT x of LOCAL column 0 (default 0). */
  readonly x0?: number | undefined;
  /** PARENT y of LOCAL row 0 (default 0). */
  readonly y0?: number | undefined;
}

/** Precomputed source positions, one per destination pixel (row-major, `width * height`). */
export interface WarpSourcePositions {
  /** Source PARENT x of each destination pixel (NaN: not covered). */
  readonly x: Float64Array;
  /** Source PARENT y of each destination pixel. */
  readonly y: Float64Array;
}

/** Options of {@link warpPlanes}; the names and meanings of afw's `WarpingControl`. */
export interface WarpPlanesOptions {
  /** `lanczos<n>`, `bilinear` or `nearest` (default `lanczos3`). */
  readonly warpingKernelName?: string | undefined;
  /** Kernel for the mask plane; `''` (default) uses the warping kernel's footprint. */
  readonly maskWarpingKernelName?: string | undefined;
  /**
   * Positions are computed exactly every `interpLength` destination pixels and linearly
   * interpolated in between; 0 or 1 computes every pixel exactly (default 0, as afw's C++
   * `WarpingControl`). Ignored with precomputed positions.
   */
  readonly interpLength?: number | undefined;
  /** Tabulate the kernel at this many fractional offsets (0, default: exact weights). */
  readonly cacheSize?: number | undefined;
  /** Mask bits taken over the full warping-kernel footprint when a mask kernel is set (default 0). */
  readonly growFullMask?: number | undefined;
  /** Image value where the source does not cover (default NaN). */
  readonly padImage?: number | undefined;
  /** Variance value where the source does not cover (default +Infinity, as afw's edge pixel). */
  readonly padVariance?: number | undefined;
  /** Mask value where the source does not cover (default 0; afw uses the NO_DATA bit). */
  readonly padMask?: number | undefined;
  /**
   * Multiply by the source area of each destination pixel, so that the sum of the pixels (the
   * flux) is conserved (default true, as afw).
   */
  readonly conserveFlux?: boolean | undefined;
}

/**
 * Makes a warping kernel from its name: `lanczos<n>` (n ≥ 1; afw uses 2 to 5), `bilinear` or
 * `nearest`.
 *
 * @param name - the kernel name
 * @returns the kernel description (taps per axis, centre tap)
 * @throws {@link KernelsInvalidArgumentError} for an unknown name
 * @example
 * ```ts
 * const k = makeWarpingKernel('lanczos3'); // k.width === 6, k.ctr === 2
 * ```
 * @see lsst.afw.math.makeWarpingKernel
 */
export function makeWarpingKernel(name: string): WarpingKernelSpec {
  const spec = parseWarpingKernelName(name);
  if (spec === undefined) {
    throw new KernelsInvalidArgumentError(`Unknown warping kernel name '${name}'; expected 'lanczos<n>' (n >= 1), 'bilinear' or 'nearest'.`, {
      hint: "LSST coadds use 'lanczos3' for the image and 'bilinear' for the mask.",
    });
  }
  return spec;
}

// The last few weight tables, so that warping many images with one control tabulates once.
const TABLES = new Map<string, WarpingWeightTable>();
const MAX_TABLES = 4;

function cachedTable(kernel: WarpingKernelSpec, cacheSize: number): WarpingWeightTable {
  const key = `${kernel.name}:${cacheSize}`;
  let table = TABLES.get(key);
  if (table === undefined) {
    table = makeWarpingWeightTable(kernel, cacheSize);
    if (TABLES.size >= MAX_TABLES) TABLES.delete(TABLES.keys().next().value!);
    TABLES.set(key, table);
  }
  return table;
}

function checkInt(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new KernelsInvalidArgumentError(`${name} must be an integer >= ${min}; got ${value}.`);
  }
}

function checkPlane(what: string, arr: ArrayLike<number> | undefined, width: number, height: number, stride: number): void {
  if (arr === undefined) return;
  const needed = width === 0 || height === 0 ? 0 : (height - 1) * stride + width;
  if (arr.length < needed) {
    throw new KernelsInvalidArgumentError(`The ${what} plane holds ${arr.length} pixels; a ${width}x${height} plane with stride ${stride} needs ${needed}.`);
  }
}

/**
 * Resamples a source image (with optional variance and mask) onto a destination pixel grid, as
 * afw's `warpImage` does: for each destination pixel the source position is found (from a
 * transform, exact every `interpLength` pixels, or precomputed), the separable warping kernel is
 * evaluated at its fractional part and normalised to unit sum; the image is the kernel-weighted
 * sum times the relative area (source pixels per destination pixel, so that the flux is
 * conserved), the variance the sum with squared weights times the squared factor, the mask the
 * OR of the source mask under the kernel footprint (or under the mask kernel plus the
 * `growFullMask` bits under the full kernel). Where the kernel does not fit inside the source
 * (outside or within the kernel half-width of its edge), the pad values.
 *
 * @param src - the source planes
 * @param dest - the destination planes, filled in place
 * @param positions - destination PARENT → source PARENT pixel positions, in place on arrays; or precomputed positions per destination pixel
 * @param options - kernel names, interpolation length, cache size, pad values
 * @returns the number of destination pixels that got a value from the source
 * @throws {@link KernelsInvalidArgumentError} for an unknown kernel name, a mask kernel larger than the warping kernel, negative lengths, planes too short, or precomputed positions for fewer than 2 rows or columns with flux conservation
 * @example
 * ```ts
 * // Shift by (+0.5, -0.25) pixels with Lanczos3.
 * const src = { image: new Float32Array(64 * 64), width: 64, height: 64 };
 * const dest = { image: new Float32Array(64 * 64), width: 64, height: 64 };
 * warpPlanes(src, dest, (xs, ys, n) => {
 *   for (let i = 0; i < n; i++) { xs[i] = xs[i]! - 0.5; ys[i] = ys[i]! + 0.25; }
 * });
 * ```
 * @see lsst.afw.math.warpImage
 */
export function warpPlanes(
  src: WarpSourcePlanes,
  dest: WarpDestPlanes,
  positions: WarpPositionTransform | WarpSourcePositions,
  options: WarpPlanesOptions = {},
): number {
  return warpPlanesRows(src, dest, positions, options, 0, dest.height);
}

/**
 * {@link warpPlanes} for LOCAL destination rows `rowStart` to `rowEnd - 1` only (other rows are
 * not touched): the unit of work of a row-parallel backend. The positions of the rows are the
 * same as a full warp computes.
 *
 * @param src - the source planes
 * @param dest - the destination planes
 * @param positions - a transform or precomputed positions (see {@link warpPlanes})
 * @param options - see {@link warpPlanes}
 * @param rowStart - first LOCAL destination row
 * @param rowEnd - one past the last row
 * @returns the number of pixels in these rows that got a value
 * @throws {@link KernelsInvalidArgumentError} as {@link warpPlanes}, and for rows out of range
 * @example
 * ```ts
 * const src = { image: new Float32Array(64 * 64), width: 64, height: 64 };
 * const dest = { image: new Float32Array(64 * 64), width: 64, height: 64 };
 * const shift = (xs: Float64Array, ys: Float64Array, n: number) => { for (let i = 0; i < n; i++) xs[i] = xs[i]! + 0.5; };
 * warpPlanesRows(src, dest, shift, {}, 0, 32); // top half
 * warpPlanesRows(src, dest, shift, {}, 32, 64); // bottom half
 * ```
 * @see lsst.afw.math.warpImage
 */
export function warpPlanesRows(
  src: WarpSourcePlanes,
  dest: WarpDestPlanes,
  positions: WarpPositionTransform | WarpSourcePositions,
  options: WarpPlanesOptions,
  rowStart: number,
  rowEnd: number,
): number {
  const kernel = makeWarpingKernel(options.warpingKernelName ?? 'lanczos3');
  const maskName = options.maskWarpingKernelName ?? '';
  const maskKernel = maskName === '' ? null : makeWarpingKernel(maskName);
  if (maskKernel !== null && (maskKernel.ctr > kernel.ctr || maskKernel.width - maskKernel.ctr > kernel.width - kernel.ctr)) {
    throw new KernelsInvalidArgumentError(
      `The mask warping kernel '${maskKernel.name}' reaches beyond the warping kernel '${kernel.name}'; it must fit inside it.`,
      { hint: "Use 'bilinear' (or a smaller Lanczos order) for the mask." },
    );
  }
  const interpLength = options.interpLength ?? 0;
  checkInt('interpLength', interpLength, 0);
  const cacheSize = options.cacheSize ?? 0;
  checkInt('cacheSize', cacheSize, 0);
  if (cacheSize === 1) throw new KernelsInvalidArgumentError('cacheSize must be 0 (exact weights) or at least 2; got 1.');
  for (const [name, v] of [
    ['src.width', src.width],
    ['src.height', src.height],
    ['dest.width', dest.width],
    ['dest.height', dest.height],
  ] as const) {
    checkInt(name, v, 0);
  }
  const sStride = src.stride ?? src.width;
  const dStride = dest.stride ?? dest.width;
  if (sStride < src.width || dStride < dest.width) {
    throw new KernelsInvalidArgumentError(`A stride must be at least the width; got source ${sStride} for ${src.width}, destination ${dStride} for ${dest.width}.`);
  }
  checkPlane('source image', src.image, src.width, src.height, sStride);
  checkPlane('source variance', src.variance, src.width, src.height, sStride);
  checkPlane('source mask', src.mask, src.width, src.height, sStride);
  checkPlane('destination image', dest.image, dest.width, dest.height, dStride);
  checkPlane('destination variance', dest.variance, dest.width, dest.height, dStride);
  checkPlane('destination mask', dest.mask, dest.width, dest.height, dStride);
  if (!Number.isInteger(rowStart) || !Number.isInteger(rowEnd) || rowStart < 0 || rowEnd > dest.height || rowStart > rowEnd) {
    throw new KernelsInvalidArgumentError(`Rows ${rowStart} to ${rowEnd} are not a range inside 0..${dest.height}.`);
  }
  let transform: WarpPositionTransform | null = null;
  let srcX: Float64Array | null = null;
  let srcY: Float64Array | null = null;
  if (typeof positions === 'function') {
    transform = positions;
  } else {
    const n = dest.width * dest.height;
    if (positions.x.length !== n || positions.y.length !== n) {
      throw new KernelsInvalidArgumentError(`Precomputed positions must hold one value per destination pixel (${n}); got ${positions.x.length} x and ${positions.y.length} y.`);
    }
    if ((options.conserveFlux ?? true) && n > 0 && (dest.width < 2 || dest.height < 2)) {
      throw new KernelsInvalidArgumentError(
        `Flux conservation needs the pixel area from neighbouring positions, so precomputed positions need at least 2 columns and 2 rows; got ${dest.width}x${dest.height}.`,
        { hint: 'Pass a transform function instead, or conserveFlux: false.' },
      );
    }
    srcX = positions.x;
    srcY = positions.y;
  }
  if (dest.width === 0 || rowStart === rowEnd) return 0;
  const job: WarpCoreJob = {
    src: {
      image: src.image,
      variance: src.variance ?? null,
      mask: src.mask ?? null,
      width: src.width,
      height: src.height,
      stride: sStride,
      x0: src.x0 ?? 0,
      y0: src.y0 ?? 0,
    },
    dest: {
      image: dest.image,
      variance: dest.variance ?? null,
      mask: dest.mask ?? null,
      width: dest.width,
      height: dest.height,
      stride: dStride,
      x0: dest.x0 ?? 0,
      y0: dest.y0 ?? 0,
    },
    kernel,
    maskKernel,
    table: cacheSize > 0 ? cachedTable(kernel, cacheSize) : null,
    maskTable: cacheSize > 0 && maskKernel !== null ? cachedTable(maskKernel, cacheSize) : null,
    interpLength: Math.max(1, interpLength),
    growFullMask: options.growFullMask ?? 0,
    padImage: options.padImage ?? Number.NaN,
    padVariance: options.padVariance ?? Number.POSITIVE_INFINITY,
    padMask: options.padMask ?? 0,
    conserveFlux: options.conserveFlux ?? true,
    transform,
    srcX,
    srcY,
  };
  return warpRowsCore(job, rowStart, rowEnd);
}
