import type { SeparableJob } from './convolve-core.js';
import { KernelsInvalidArgumentError } from './errors.js';
import { getDefaultBackend, type KernelBackend } from './kernel-backend.js';
import type { Kernel2d } from './kernel2d.js';

/** The EDGE mask plane's bit index in afw's default mask plane dictionary. */
export const DEFAULT_EDGE_BIT = 4;

/** Options of {@link convolveSeparable} and {@link convolve2d} (afw's `ConvolutionControl`). */
export interface ConvolveOptions {
  /**
   * Copy the edge pixels (those the kernel does not fit around) from the input instead of setting
   * them to NaN (afw `doCopyEdge`); default false.
   */
  readonly doCopyEdge?: boolean;
  /** The backend that runs the loops (default {@link getDefaultBackend}). */
  readonly backend?: KernelBackend;
}

/** Options of {@link convolveMaskedImage}. */
export interface ConvolveMaskedOptions extends ConvolveOptions {
  /** Bit index of the EDGE mask plane (default 4, afw's default plane numbering). */
  readonly edgeBit?: number;
}

/** The planes of a masked image (`MaskedImage` pixels), all `width * height`, row-major. */
export interface MaskedImagePlanes {
  /** Image pixels. */
  readonly image: Float32Array;
  /** Variance pixels. */
  readonly variance: Float32Array;
  /** Mask pixels. */
  readonly mask: Int32Array;
  /** Columns. */
  readonly width: number;
  /** Rows. */
  readonly height: number;
}

/** The output planes of {@link convolveMaskedImage}. */
export interface MaskedImageOutput {
  /** Image pixels. */
  readonly image: Float32Array;
  /** Variance pixels. */
  readonly variance: Float32Array;
  /** Mask pixels. */
  readonly mask: Int32Array;
}

function checkDims(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new KernelsInvalidArgumentError(`Image dimensions must be integers >= 0; got ${width}x${height}.`);
  }
}

function checkPlane(name: string, arr: ArrayBufferView & { length: number }, n: number): void {
  if (arr.length !== n) {
    throw new KernelsInvalidArgumentError(`The ${name} array has ${arr.length} values; expected ${n} (width * height).`);
  }
}

function checkNoAlias(a: ArrayBufferView, b: ArrayBufferView, names: string): void {
  if (a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength) {
    throw new KernelsInvalidArgumentError(`${names} overlap; convolution cannot run in place.`, {
      hint: 'Convolve into a separate output array.',
    });
  }
}

function checkKernel(name: string, k: ArrayLike<number>, expected?: number): Float64Array {
  if (k.length === 0 || (expected !== undefined && k.length !== expected)) {
    throw new KernelsInvalidArgumentError(
      `The kernel ${name} has ${k.length} values; expected ${expected ?? 'at least 1'}.`,
    );
  }
  const out = k instanceof Float64Array ? k : Float64Array.from(k);
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i]!)) throw new KernelsInvalidArgumentError(`The kernel ${name} has a non-finite value at ${i}: ${out[i]}.`);
  }
  return out;
}

/**
 * Convolves an image with a separable kernel `kx ⊗ ky` (afw's `convolve` with a
 * `SeparableKernel`): `dst(x, y) = Σ_j ky[j] Σ_i kx[i] src(x - cx + i, y - cy + j)`, with the
 * kernel centre `cx = floor((kx.length - 1) / 2)`, `cy` likewise (the kernel is applied as given,
 * not flipped: the same for the usual symmetric kernels).
 *
 * Edge: output pixels closer to the border than the kernel reaches (x < cx, x > width - kw + cx,
 * same in y) are NaN, or copies of the input with `doCopyEdge`.
 * NaN inputs: a NaN (or ±Infinity) pixel makes every output pixel whose kernel footprint covers it
 * with a non-zero weight NaN; zero kernel values are skipped, so they do not propagate NaN (as
 * afw). Sums are accumulated in double precision, stored as float32.
 *
 * @param src - input pixels, `width * height`, row-major
 * @param dst - output pixels, same size, not overlapping `src`
 * @param width - columns
 * @param height - rows
 * @param kx - kernel along x (not normalised here)
 * @param ky - kernel along y
 * @param options - `doCopyEdge`, `backend`
 * @returns `dst`
 * @throws {@link KernelsInvalidArgumentError} for wrong array sizes, empty or non-finite kernels,
 *   or overlapping `src`/`dst`
 * @example
 * ```ts
 * const k = gaussianKernel1d(2);
 * const smooth = convolveSeparable(pixels, new Float32Array(pixels.length), width, height, k, k);
 * ```
 * @see lsst.afw.math.convolve, lsst.afw.math.SeparableKernel, lsst.afw.math.ConvolutionControl
 */
export function convolveSeparable(
  src: Float32Array,
  dst: Float32Array,
  width: number,
  height: number,
  kx: ArrayLike<number>,
  ky: ArrayLike<number>,
  options: ConvolveOptions = {},
): Float32Array {
  checkDims(width, height);
  checkPlane('source', src, width * height);
  checkPlane('destination', dst, width * height);
  checkNoAlias(src, dst, 'Source and destination');
  const kxv = checkKernel('kx', kx);
  const kyv = checkKernel('ky', ky);
  const job: SeparableJob = {
    src,
    dst,
    width,
    height,
    kx: kxv,
    ky: kyv,
    ctrX: Math.floor((kxv.length - 1) / 2),
    ctrY: Math.floor((kyv.length - 1) / 2),
    doCopyEdge: options.doCopyEdge ?? false,
  };
  (options.backend ?? getDefaultBackend()).run('convolveSeparable', job);
  return dst;
}

/**
 * Convolves an image with a 2-D kernel (afw's `convolve` with a `FixedKernel`), with the edge and
 * NaN rules of {@link convolveSeparable}; the kernel centre is `floor((kernelWidth - 1) / 2)`,
 * `floor((kernelHeight - 1) / 2)`. Use {@link convolveSeparable} when the kernel is separable (it
 * is `kw + kh` instead of `kw · kh` operations per pixel).
 *
 * @param src - input pixels
 * @param dst - output pixels, not overlapping `src`
 * @param width - columns
 * @param height - rows
 * @param kernel - kernel values, row-major, `kernelWidth * kernelHeight`
 * @param kernelWidth - kernel columns
 * @param kernelHeight - kernel rows
 * @param options - `doCopyEdge`, `backend`
 * @returns `dst`
 * @throws {@link KernelsInvalidArgumentError} for wrong sizes, non-finite kernel values, overlap
 * @example
 * ```ts
 * const k = gaussianKernel2d(1.5);
 * convolve2d(src, dst, width, height, k.data, k.width, k.height, { doCopyEdge: true });
 * ```
 * @see lsst.afw.math.convolve, lsst.afw.math.FixedKernel
 */
export function convolve2d(
  src: Float32Array,
  dst: Float32Array,
  width: number,
  height: number,
  kernel: ArrayLike<number>,
  kernelWidth: number,
  kernelHeight: number,
  options: ConvolveOptions = {},
): Float32Array {
  checkDims(width, height);
  checkPlane('source', src, width * height);
  checkPlane('destination', dst, width * height);
  checkNoAlias(src, dst, 'Source and destination');
  if (!Number.isInteger(kernelWidth) || !Number.isInteger(kernelHeight) || kernelWidth < 1 || kernelHeight < 1) {
    throw new KernelsInvalidArgumentError(`Kernel dimensions must be integers >= 1; got ${kernelWidth}x${kernelHeight}.`);
  }
  const k = checkKernel('values', kernel, kernelWidth * kernelHeight);
  (options.backend ?? getDefaultBackend()).run('convolve2d', {
    src,
    dst,
    width,
    height,
    kernel: k,
    kw: kernelWidth,
    kh: kernelHeight,
    ctrX: Math.floor((kernelWidth - 1) / 2),
    ctrY: Math.floor((kernelHeight - 1) / 2),
    doCopyEdge: options.doCopyEdge ?? false,
  });
  return dst;
}

/**
 * Convolves a masked image (afw's `convolve` of a `MaskedImage`): image ⊗ k, variance ⊗ k²
 * (independent pixels), mask = OR of the input mask over the kernel's non-zero footprint. Edge
 * pixels get image NaN, variance +Infinity and mask = the EDGE bit only (afw's edge pixel), or
 * with `doCopyEdge` the input pixel with the EDGE bit ORed into its mask.
 *
 * The kernel is either a separable pair `kx, ky` or a {@link Kernel2d} (whose own centre is used).
 *
 * @param input - image, variance and mask planes and the size
 * @param out - output planes, not overlapping the input ones
 * @param kx - kernel along x, or a 2-D kernel
 * @param ky - kernel along y (separable form), or the options (2-D form)
 * @param options - `edgeBit`, `doCopyEdge`, `backend` (separable form)
 * @returns `out`
 * @throws {@link KernelsInvalidArgumentError} for wrong sizes, a bad edge bit, bad kernels, overlap
 * @example
 * ```ts
 * const k = gaussianKernel1d(1.5);
 * convolveMaskedImage({ image, variance, mask, width, height }, out, k, k, { edgeBit: 4 });
 * ```
 * @see lsst.afw.math.convolve, lsst.afw.math.ConvolutionControl
 */
export function convolveMaskedImage(
  input: MaskedImagePlanes,
  out: MaskedImageOutput,
  kx: ArrayLike<number> | Kernel2d,
  ky?: ArrayLike<number> | ConvolveMaskedOptions,
  options: ConvolveMaskedOptions = {},
): MaskedImageOutput {
  const { width, height } = input;
  checkDims(width, height);
  const n = width * height;
  for (const [name, arr] of [
    ['input image', input.image],
    ['input variance', input.variance],
    ['input mask', input.mask],
    ['output image', out.image],
    ['output variance', out.variance],
    ['output mask', out.mask],
  ] as const) {
    checkPlane(name, arr, n);
  }
  for (const a of [input.image, input.variance, input.mask]) {
    for (const b of [out.image, out.variance, out.mask]) checkNoAlias(a, b, 'Input and output planes');
  }
  const is2d = !isArrayLike(kx);
  const opts: ConvolveMaskedOptions = is2d ? ((ky as ConvolveMaskedOptions | undefined) ?? {}) : options;
  const edgeBit = opts.edgeBit ?? DEFAULT_EDGE_BIT;
  if (!Number.isInteger(edgeBit) || edgeBit < 0 || edgeBit > 31) {
    throw new KernelsInvalidArgumentError(`edgeBit must be a bit index 0..31; got ${edgeBit}.`);
  }
  const common = {
    src: input.image,
    dst: out.image,
    width,
    height,
    doCopyEdge: opts.doCopyEdge ?? false,
    inMasked: { variance: input.variance, mask: input.mask },
    outMasked: { variance: out.variance, mask: out.mask },
    edgeMask: (1 << edgeBit) | 0,
  };
  const backend = opts.backend ?? getDefaultBackend();
  if (is2d) {
    const k = kx as Kernel2d;
    backend.run('convolve2d', {
      ...common,
      kernel: checkKernel('values', k.data, k.width * k.height),
      kw: k.width,
      kh: k.height,
      ctrX: k.ctrX,
      ctrY: k.ctrY,
    });
  } else {
    if (ky === undefined || !isArrayLike(ky)) {
      throw new KernelsInvalidArgumentError('A separable masked convolution needs both kx and ky.');
    }
    const kxv = checkKernel('kx', kx as ArrayLike<number>);
    const kyv = checkKernel('ky', ky);
    backend.run('convolveSeparable', {
      ...common,
      kx: kxv,
      ky: kyv,
      ctrX: Math.floor((kxv.length - 1) / 2),
      ctrY: Math.floor((kyv.length - 1) / 2),
    });
  }
  return out;
}

function isArrayLike(v: unknown): v is ArrayLike<number> {
  return ArrayBuffer.isView(v) || Array.isArray(v);
}
